#!/usr/bin/python3
"""check_export.py: vigie's own check of exported NetCDF files, run by test_export.sh.

  check_export.py instac FILE [DUMP.csv HARBOUR_AS]   Copernicus in-situ rules
  check_export.py gosud FILE [DUMP.csv]               GOSUD v3 layout
  check_export.py selftest FILE                       broken copies of FILE must fail
  check_export.py reqc QC.csv DUMP.csv                `vigie qc` of an exported file gave
                                                      the store's aggregate flags

The INSTAC rules are those of the official Copernicus Marine in-situ content checker
(CopernicusMarineInsitu/file-content-checker, v1.5 and its JSON configuration), written
again here: strictly ascending TIME; coordinate QC valid (1, 2, 5, 7, 8) for at least one
(TIME_QC, POSITION_QC, DEPH_QC) triplet and never 0; no NaN in any variable; a fill value
never with a valid QC, and P_DM fill exactly where P is fill; data_mode consistent between
the global attribute, each variable's attribute and its _DM values; cdm_data_type known;
id = file name, platform_code = 4th part of it, file name pattern; geospatial_*,
time_coverage_* and last_*_observation equal to what the data say under the checker's
masks and tolerances. Every file is also opened with xarray (CF decoding) and, when a
`vigie dump` CSV is given, compared value by value and flag by flag with the store.
Prints one line per problem and exits 1 when there is any."""
import csv
import datetime as dt
import math
import os
import re
import shutil
import sys

import netCDF4
import numpy as np
import xarray as xr

VALID_QC = [1, 2, 5, 7, 8]
EPOCH = dt.datetime(1950, 1, 1, tzinfo=dt.timezone.utc)
problems = []


def problem(msg):
    problems.append(msg)


def text(v):
    return str(v).strip()


def iso_time(days):
    t = EPOCH + dt.timedelta(days=float(days))
    return (t + dt.timedelta(microseconds=500000)).replace(microsecond=0)


def check_instac(path):
    ds = netCDF4.Dataset(path)
    try:
        instac_rules(ds, path)
    finally:
        ds.close()


def instac_rules(ds, path):
    ds.set_auto_mask(False)
    base = os.path.basename(path)
    v = ds.variables
    for name in ("TIME", "TIME_QC", "LATITUDE", "LONGITUDE", "POSITION_QC", "DEPH", "DEPH_QC"):
        if name not in v:
            problem(f"{base}: no variable {name}")
            return
    for name, var in v.items():
        if var.dtype.kind == "f" and np.any(np.isnan(var[:])):
            problem(f"{name}: NaN values in data")
        for a in ("valid_min", "valid_max"):
            if a in var.ncattrs() and np.asarray(getattr(var, a)).dtype != var.dtype:
                problem(f"{name}: {a} is not of the variable's type")
    t = v["TIME"][:]
    if not np.all(t[:-1] < t[1:]):
        problem("TIME is not strictly ascending")
    nt, npos = len(t), len(ds.dimensions["LATITUDE"])
    if npos not in (1, nt) or len(ds.dimensions["POSITION"]) != npos or len(ds.dimensions["LONGITUDE"]) != npos:
        problem("error in coordinate variable dimensions")
    tqc, pqc = v["TIME_QC"][:], v["POSITION_QC"][:]
    for name, q in (("TIME_QC", tqc), ("POSITION_QC", pqc)):
        if 0 in q:
            problem(f"parameter has uncontrolled QC: {name}")
    zqc = v["DEPH_QC"][:][:, 0]
    tmask = np.isin(tqc, VALID_QC)
    pmask = np.isin(pqc, VALID_QC)
    coord = tmask & (pmask if npos == nt else np.repeat(pmask, nt))
    if not np.any(coord & np.isin(zqc, VALID_QC)):
        problem("file has no data with valid (POSITION_QC, TIME_QC, DEPH_QC)")
    # data mode
    ga_dm = text(ds.data_mode)
    modes = set()
    for name, var in v.items():
        if "data_mode" not in var.ncattrs():
            continue
        vdm = text(var.data_mode)
        modes.add(vdm)
        if name + "_DM" in v:
            dm = netCDF4.chartostring(v[name + "_DM"][:]) if v[name + "_DM"].ndim > 1 else v[name + "_DM"][:]
            vals = sorted({c for row in dm for c in str(row) if c != " "})
            if vals != [vdm]:
                problem(f"data_mode not consistent with PARAM_DM values: {name} ({vdm} vs {vals})")
        elif vdm == "M":
            problem(f"{name}: data_mode M but no {name}_DM")
    if "M" in modes and ga_dm != "M" or "M" not in modes and sorted(modes) != [ga_dm]:
        problem(f"global data_mode {ga_dm} not consistent with the variables' {sorted(modes)}")
    # fill values and QC
    for name, var in v.items():
        if not name.endswith("_QC") or name in ("TIME_QC", "POSITION_QC"):
            continue
        p = name[:-3]
        if p not in v:
            problem(f"{name}: no parameter {p}")
            continue
        pv, qv = v[p][:], var[:]
        pfill = pv == v[p]._FillValue
        if np.any(np.isin(qv[pfill], VALID_QC)):
            problem(f"parameter has FillValues with valid QC: {p}")
        if np.any(pv[qv == var._FillValue] != v[p]._FillValue):
            problem(f"parameter has values not QCed: {p}")
        if p + "_DM" in v:
            dmv = v[p + "_DM"][:]
            if not np.array_equal(dmv == v[p + "_DM"]._FillValue, pfill):
                problem(f"_FillValues do not match for PARAM and PARAM_DM: {p}")
    # identification
    if text(ds.cdm_data_type) not in ("timeSeries", "trajectory", "profile", "grid"):
        problem(f"cdm_data_type not correct: {ds.cdm_data_type}")
    if text(ds.id) != base[:-3]:
        problem(f"id: difference between filename and global attribute ({ds.id})")
    parts = base[:-3].split("_")
    if len(parts) < 4 or parts[3] != text(ds.platform_code):
        problem("platform_code: difference between filename and global attribute")
    if not re.match(r"(AR|BO|BS|GL|IR|MO|NO)_(TS|PR|TV|RV|WS)_(BO|CT|DB|DC|FB|GL|HF|ML|MO|PF|RF|SD|SF|SM|TG|TS|TX|VA|XB|XX)"
                    r"_[^_]*(_[0-9]{8}|_[0-9]{6}|_[0-9]{4}|_[0-9]{1,4}minute|)", base):
        problem(f"file name {base} does not match the Copernicus pattern")
    for a in ("platform_code", "platform_name", "id", "source", "data_mode", "cdm_data_type",
              "geospatial_lat_min", "geospatial_lat_max", "geospatial_lon_min", "geospatial_lon_max",
              "geospatial_vertical_min", "geospatial_vertical_max", "time_coverage_start",
              "time_coverage_end", "last_date_observation", "last_latitude_observation",
              "last_longitude_observation", "date_update", "Conventions", "format_version"):
        if a not in ds.ncattrs():
            problem(f"global attribute {a} missing")
    if problems:
        return
    # coverage attributes against the data, with the checker's tolerances
    lat, lon = v["LATITUDE"][:], v["LONGITUDE"][:]
    vlat, vlon = lat[pmask], lon[pmask]
    for a, val in (("geospatial_lat_min", vlat.min()), ("geospatial_lat_max", vlat.max()),
                   ("geospatial_lon_min", vlon.min()), ("geospatial_lon_max", vlon.max())):
        if abs(float(getattr(ds, a)) - val) > 1e-5:
            problem(f"{a}: value different from attribute: {val:.5f} vs {getattr(ds, a)}")
    z = v["DEPH"][:][:, 0][np.isin(zqc, VALID_QC)]
    for a, val in (("geospatial_vertical_min", z.min()), ("geospatial_vertical_max", z.max())):
        if abs(float(getattr(ds, a)) - val) > 1e-3:
            problem(f"{a}: value different from attribute")
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    for a, days in (("time_coverage_start", t[tmask].min()), ("time_coverage_end", t[tmask].max())):
        att = dt.datetime.strptime(getattr(ds, a), fmt).replace(tzinfo=dt.timezone.utc)
        if abs((att - iso_time(days)).total_seconds()) > 0.5:
            problem(f"{a}: value different from attribute: {iso_time(days)} vs {att}")
    last = np.nonzero(coord)[0][-1]
    att = dt.datetime.strptime(ds.last_date_observation, fmt).replace(tzinfo=dt.timezone.utc)
    if abs((att - iso_time(t[last])).total_seconds()) > 0.5:
        problem("last_date_observation: last valid value different from attribute")
    k = last if npos == nt else 0
    if abs(float(ds.last_latitude_observation) - lat[k]) > 1e-5 or abs(float(ds.last_longitude_observation) - lon[k]) > 1e-5:
        problem("last_latitude/longitude_observation: different from the data")


GOSUD_GLOBALS = ("PLATFORM_NAME", "SHIP_CALL_SIGN", "DATA_MODE", "PROCESSING_STATES", "DATE_CREATION",
                 "DATE_UPDATE", "FORMAT_VERSION", "CONVENTIONS", "START_DATE", "END_DATE")


def check_gosud(path):
    ds = netCDF4.Dataset(path)
    try:
        gosud_rules(ds)
    finally:
        ds.close()


def gosud_rules(ds):
    ds.set_auto_mask(False)
    v = ds.variables
    for name in ("DAYD", "LATX", "LONX", "POSITION_QC", "REFERENCE_DATE_TIME"):
        if name not in v:
            problem(f"no variable {name}")
    for a in GOSUD_GLOBALS:
        if a not in ds.ncattrs():
            problem(f"global attribute {a} missing")
    if problems:
        return
    if text(ds.DATA_MODE) not in ("R", "D"):
        problem(f"DATA_MODE {ds.DATA_MODE}")
    for a in ("DATE_CREATION", "START_DATE", "END_DATE"):
        if not re.fullmatch(r"[0-9]{14}", text(getattr(ds, a))):
            problem(f"{a} is not yyyymmddHHMMSS: {getattr(ds, a)}")
    t = v["DAYD"][:]
    if not np.all(t[:-1] < t[1:]):
        problem("DAYD is not strictly ascending")
    if b"".join(v["REFERENCE_DATE_TIME"][:]).decode() != "19500101000000":
        problem("REFERENCE_DATE_TIME is not 19500101000000")
    for p in ("SPDC", "PRES", "FLOW", "CNDC", "SSJT", "SSPS", "SSTP"):
        if p not in v:
            continue
        for suffix in ("_QC", "_ADJUSTED", "_ADJUSTED_ERROR", "_ADJUSTED_QC", "_ADJUSTED_HIST"):
            if p + suffix not in v:
                problem(f"{p}: no {p + suffix}")
        if p + "_QC" in v:
            q = v[p + "_QC"][:]
            if q.min() < 0 or q.max() > 9:
                problem(f"{p}_QC outside 0-9")


def compare_dump(path, fmt, dump, harbour_as):
    """Every value and flag of the store (vigie dump CSV) is in the file."""
    ds = xr.open_dataset(path, mask_and_scale=True, decode_times=True)
    tname = "DAYD" if fmt == "gosud" else "TIME"
    times = ds[tname].values.astype("datetime64[ms]")
    index = {t: i for i, t in enumerate(times)}
    rows = 0
    with open(dump) as f:
        for r in csv.DictReader(f):
            p = r["param"]
            if p not in ds:
                if fmt == "gosud":
                    continue  # not a GOSUD variable
                problem(f"{p} is in the store but not in the file")
                return
            t = np.datetime64(r["time"].rstrip("Z"), "ms")
            i = index.get(t)
            if i is None:
                problem(f"{r['time']} of the store is not in the file")
                return
            val = ds[p].values.reshape(len(times), -1)[i, 0]
            flag = int(ds[p + "_QC"].values.reshape(len(times), -1)[i, 0])
            want = float(r["value"]) if r["value"] else math.nan
            want_flag = int(r["flag"])
            if fmt == "instac" and want_flag == 6:
                want_flag = harbour_as
            if fmt == "instac" and math.isnan(want):
                want_flag = 9
            if not (math.isnan(want) and math.isnan(val)) and np.float32(want) != np.float32(val):
                problem(f"{p} at {r['time']}: {val} in the file, {want} in the store")
            if flag != want_flag:
                problem(f"{p}_QC at {r['time']}: {flag} in the file, {want_flag} in the store")
            rows += 1
            if len(problems) > 10:
                return
    print(f"{os.path.basename(path)}: {rows} values of the store found with their flags")
    ds.close()


def selftest(path):
    """Break copies of a good INSTAC file in ways the checker must notice."""
    # the same file name in another directory, so that only the breakage differs
    tmpdir = os.path.join(os.path.dirname(os.path.abspath(path)), "selftest")
    os.makedirs(tmpdir, exist_ok=True)
    tmp = os.path.join(tmpdir, os.path.basename(path))
    cases = []

    def reversed_time(ds):
        ds["TIME"][:] = ds["TIME"][:][::-1]
    cases.append(("TIME reversed", reversed_time, "strictly ascending"))

    def dm_mismatch(ds):
        for name, var in ds.variables.items():
            if name.endswith("_DM") and name != "DEPH_DM":
                d = var[:]
                d[0, 0] = b"D"
                var[:] = d
                return
    cases.append(("a D among R in a _DM", dm_mismatch, "PARAM_DM"))

    def global_dm(ds):
        ds.data_mode = "D"
    cases.append(("global data_mode D", global_dm, "global data_mode"))

    def time_qc0(ds):
        q = ds["TIME_QC"][:]
        q[0] = 0
        ds["TIME_QC"][:] = q
    cases.append(("TIME_QC 0", time_qc0, "uncontrolled QC"))

    def lat_att(ds):
        ds.geospatial_lat_max = float(ds.geospatial_lat_max) + 1
    cases.append(("geospatial_lat_max off by 1", lat_att, "geospatial_lat_max"))

    for what, breaker, expect in cases:
        shutil.copy(path, tmp)
        ds = netCDF4.Dataset(tmp, "a")
        ds.set_auto_mask(False)
        breaker(ds)
        ds.close()
        global problems
        problems = []
        check_instac(tmp)
        found = [p for p in problems if expect in p]
        print(f"selftest: {what}: {'caught' if found else 'MISSED'}: {problems[:2]}")
        if not found:
            problems = [f"selftest: {what} not caught"]
            break
    else:
        problems = []
    shutil.rmtree(tmpdir)


def reqc(qc_csv, dump):
    """The flags `vigie qc` gives the values read back from a file are the store's."""
    store = {(r["time"], r["param"]): int(r["flag"]) for r in csv.DictReader(open(dump))}
    n = 0
    for r in csv.DictReader(open(qc_csv)):
        for k, v in r.items():
            if not k.endswith("_qc") or k in ("position_qc", "time_qc"):
                continue
            key = (r["time"], k[:-3])
            if key not in store:
                continue
            n += 1
            if store[key] != int(v):
                problem(f"{k} at {r['time']}: {v} after vigie qc, {store[key]} in the store")
                if len(problems) > 10:
                    return
    if n == 0:
        problem("no value of the store in the vigie qc output")
    print(f"{os.path.basename(qc_csv)}: {n} flags equal to the store's")


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "selftest":
        selftest(path)
    elif mode == "reqc":
        reqc(path, sys.argv[3])
    else:
        xr.open_dataset(path).close()  # CF decoding must work
        (check_instac if mode == "instac" else check_gosud)(path)
        if not problems and len(sys.argv) > 3:
            compare_dump(path, mode, sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 4)
    for p in problems:
        print(f"{os.path.basename(path)}: {p}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
