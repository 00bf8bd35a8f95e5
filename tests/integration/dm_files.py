#!/usr/bin/python3
"""dm_files.py: helpers of test_correct.sh, with python3-netcdf4 (an independent writer
and reader, not vigie's code).

  dm_files.py make IN.nc SAMPLES.csv   a GOSUD-like file of another producer: 20 days of
      1-minute TSG salinity = truth + 0.04 + 0.0015/day drift + noise (seeded), SSPS_QC 1;
      water samples of the truth every 12 h (lab noise), one with flag 4, one in a gap.
  dm_files.py check OUT.nc METHOD      SSPS_ADJUSTED recovers the truth: the applied
      correction SSPS - SSPS_ADJUSTED is within SSPS_ADJUSTED_ERROR of the injected one for
      >= 95 % of rows (median) or all rows (drift); PROCESSING_STATES 2C+, DATA_MODE D.
  dm_files.py ext OUT.nc SAMPLES.csv   the water samples of the CSV within the file's
      time span are in DAYD_EXT, LATX_EXT, LONX_EXT, SSPS_EXT, SSPS_EXT_QC, SSPS_EXT_TYPE
      (time to the second, values to float precision, flags, type "WS", fill = none).
"""
import math
import random
import sys

import netCDF4
import numpy as np

T0_DAYS = 27910.0  # 2026-06-01 in days since 1950-01-01
N = 20 * 1440


def truth(d):
    return 35.0 + 0.3 * np.sin(2 * np.pi * (d - T0_DAYS) / 5.0)


def corr(d):
    return 0.04 + 0.0015 * (d - T0_DAYS)


def make(nc_path, csv_path):
    rng = np.random.default_rng(7)
    d = T0_DAYS + np.arange(N) / 1440.0
    gap = (d > T0_DAYS + 9.2) & (d < T0_DAYS + 9.3)
    d = d[~gap]
    sal = truth(d) + corr(d) + rng.normal(0, 0.004, d.size)
    with netCDF4.Dataset(nc_path, "w", format="NETCDF4_CLASSIC") as nc:
        nc.createDimension("DAYD", d.size)
        nc.createVariable("DAYD", "f8", ("DAYD",))[:] = d
        nc.createVariable("DAYD_QC", "i1", ("DAYD",))[:] = 1
        nc.createVariable("LATX", "f8", ("DAYD",), fill_value=99999.0)[:] = 45.0
        nc.createVariable("LONX", "f8", ("DAYD",), fill_value=99999.0)[:] = -10.0
        nc.createVariable("POSITION_QC", "i1", ("DAYD",))[:] = 1
        nc.createVariable("SSPS", "f4", ("DAYD",), fill_value=99999.0)[:] = sal
        nc.createVariable("SSPS_QC", "i1", ("DAYD",))[:] = 1
        nc.SHIP_CALL_SIGN = "FNTEST"
        nc.PLATFORM_NAME = "FNTEST"
    random.seed(3)
    with open(csv_path, "w") as f:
        f.write("# water samples of the test cruise\ntime,lat,lon,salinity,qc\n")
        k = 0
        t = T0_DAYS + 0.25
        while t < T0_DAYS + 20:
            q = 4 if k == 7 else 1
            s = float(truth(t)) + random.gauss(0, 0.002)
            secs = round((t - 7305.0) * 86400)  # days 1950 -> POSIX seconds
            iso = "%04d-%02d-%02dT%02d:%02d:%02dZ" % __import__("time").gmtime(secs)[:6]
            f.write("%s,45.0,-10.0,%.4f,%d\n" % (iso, s, q))
            t += 0.5
            k += 1
        # one inside the gap: no TSG value within 5 minutes
        secs = round((T0_DAYS + 9.25 - 7305.0) * 86400)
        iso = "%04d-%02d-%02dT%02d:%02d:%02dZ" % __import__("time").gmtime(secs)[:6]
        f.write("%s,,,35.0,1\n" % iso)


def check(nc_path, method):
    with netCDF4.Dataset(nc_path) as nc:
        d = nc["DAYD"][:].filled(np.nan)
        raw = nc["SSPS"][:].filled(np.nan)
        adj = nc["SSPS_ADJUSTED"][:].filled(np.nan)
        err = nc["SSPS_ADJUSTED_ERROR"][:].filled(np.nan)
        qc = nc["SSPS_ADJUSTED_QC"][:]
        hist = "".join(c.decode() for c in nc["SSPS_ADJUSTED_HIST"][:].filled(b" ")).strip()
        states, mode = nc.PROCESSING_STATES, nc.DATA_MODE
    ok = True
    if states != "2C+" or mode != "D":
        print("PROCESSING_STATES %r DATA_MODE %r" % (states, mode))
        ok = False
    if not hist.startswith("corrected with 38 water samples"):
        print("history: %r" % hist)
        ok = False
    good = ~np.isnan(adj)
    if good.sum() != d.size or (qc[good] != 1).any():
        print("%d of %d rows adjusted, flags %s" % (good.sum(), d.size, set(qc.tolist())))
        ok = False
    dev = np.abs((raw - adj) - corr(d))
    # float32 storage: allow 2e-5 (half a unit in the last place near 35 is 2e-6)
    inside = dev <= err + 2e-5
    frac = inside.mean()
    need = 0.95 if method == "median" else 1.0
    print("%s: %.2f %% of rows within the stated error, worst %.2f errors, error %.4f..%.4f"
          % (method, 100 * frac, float(np.max(dev / err)), float(err.min()), float(err.max())))
    if frac < need or (dev > 2 * err + 2e-5).any() or not (err.max() < 0.03):
        ok = False
    return ok


def ext(nc_path, csv_path):
    rows = []
    for line in open(csv_path):
        if line.startswith("#") or line.startswith("time") or not line.strip():
            continue
        t, lat, lon, sal, q = line.strip().split(",")
        secs = __import__("calendar").timegm(__import__("time").strptime(t, "%Y-%m-%dT%H:%M:%SZ"))
        rows.append((secs / 86400.0 + 7305.0, float(lat or "nan"), float(lon or "nan"),
                     float(sal or "nan"), int(q)))
    rows.sort()
    with netCDF4.Dataset(nc_path) as nc:
        d = nc["DAYD"][:]
        inside = [r for r in rows if d.min() <= r[0] <= d.max()]
        got = (nc["DAYD_EXT"][:].filled(np.nan), nc["LATX_EXT"][:].filled(np.nan),
               nc["LONX_EXT"][:].filled(np.nan), nc["SSPS_EXT"][:].filled(np.nan),
               nc["SSPS_EXT_QC"][:])
        types = {b"".join(t.compressed()).decode().strip() for t in nc["SSPS_EXT_TYPE"][:]}
        n_dim = len(nc.dimensions["DAYD_EXT"])
    want = np.array(inside, dtype=float).T if inside else np.zeros((5, 0))
    ok = n_dim == len(inside) and len(inside) > 0
    if ok:
        ok = (np.all(np.abs(got[0] - want[0]) * 86400 < 1e-3)
              and np.allclose(got[1], want[1], equal_nan=True)
              and np.allclose(got[2], want[2], equal_nan=True)
              and np.allclose(got[3], want[3].astype(np.float32), equal_nan=True, atol=0, rtol=1e-7)
              and (got[4] == want[4]).all() and types == {"WS"})
    print("DAYD_EXT %d, %d samples in the span; types %s" % (n_dim, len(inside), types))
    return ok


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "ext":
        sys.exit(0 if ext(sys.argv[2], sys.argv[3]) else 1)
    else:
        sys.exit(0 if check(sys.argv[2], sys.argv[3]) else 1)
