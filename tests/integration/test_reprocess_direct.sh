#!/usr/bin/env bash
# test_reprocess_direct.sh: the delayed-mode file of `vigie reprocess` whose chunks are
# compressed on worker threads and stored with HDF5's direct chunk write (--threads 2, the
# default) reads the same as the one netCDF-C compresses itself (--threads 0) through the
# readers the data centres use: ncdump, python3-netcdf4 (every variable byte for byte and
# every attribute) and xarray (decoded datasets identical), creation dates aside. The input
# is a GOSUD file written by python3-netcdf4 (not by vigie): three chunks and a part, with
# fill values at chunk edges and spikes, so the new flags differ from the old ones.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module netCDF4
require_python_module xarray

check "a GOSUD input written by python3-netcdf4" $PY - "$TMP/in.nc" <<'PY'
import sys, netCDF4, numpy as np
n = 3 * 65536 + 1234
ds = netCDF4.Dataset(sys.argv[1], "w", format="NETCDF4_CLASSIC")
ds.createDimension("DAYD", n)
ds.SHIP_CALL_SIGN = "SIMTSG"
i = np.arange(n)
t = ds.createVariable("DAYD", "f8", ("DAYD",)); t.units = "days since 1950-01-01T00:00:00Z"
t[:] = 27394.0 + i / 86400.0
a = 2 * np.pi * i / 86400.0
lat = ds.createVariable("LATX", "f8", ("DAYD",), fill_value=99999.0); lat[:] = -22 + np.sin(a)
lon = ds.createVariable("LONX", "f8", ("DAYD",), fill_value=99999.0); lon[:] = -17.9 + np.cos(a)
lat[1000:1010] = np.ma.masked
lon[1000:1010] = np.ma.masked
ds.createVariable("POSITION_QC", "i1", ("DAYD",))[:] = np.where((i >= 1000) & (i < 1010), 9, 1)
ds.createVariable("DAYD_QC", "i1", ("DAYD",))[:] = 1
for code, base in (("SSJT", 22.0), ("SSPS", 36.2), ("CNDC", 5.4)):
    v = ds.createVariable(code, "f4", ("DAYD",), fill_value=np.float32(99999.0))
    x = base + 0.1 * np.sin(a) + 1e-3 * (i % 97)
    if code == "SSPS":
        x[i % 5000 == 17] = 45.0
    v[:] = x
    edge = (i % 65536 == 0) | (i % 65536 == 65535)
    v[edge] = np.ma.masked
    ds.createVariable(code + "_QC", "i1", ("DAYD",))[:] = np.where(edge, 9, 1)
ds.close()
PY

"$VIGIE" reprocess --default --input "$TMP/in.nc" --threads 0 --json -o "$TMP/seq.nc" > "$TMP/seq.json" 2>"$TMP/err" \
  || { fail "reprocess --threads 0: $(cat "$TMP/err")"; finish; exit; }
"$VIGIE" reprocess --default --input "$TMP/in.nc" --json -o "$TMP/par.nc" > "$TMP/par.json" 2>"$TMP/err" \
  || { fail "reprocess (2 compression threads): $(cat "$TMP/err")"; finish; exit; }
check "the same report" diff <(sed 's/"output":"[^"]*"//' "$TMP/seq.json") <(sed 's/"output":"[^"]*"//' "$TMP/par.json")
check "the new flags differ from the old ones" grep -q '"1>4":' "$TMP/par.json"
strip() { ncdump "$1" | grep -v -e DATE_CREATION -e DATE_UPDATE -e ':history' -e '^netcdf '; }
check "ncdump: the same text (but the creation dates)" diff <(strip "$TMP/seq.nc") <(strip "$TMP/par.nc")
check "ncdump reads every value of the direct file" sh -c "ncdump '$TMP/par.nc' | grep -c '' | awk '\$1 > 100000 {ok=1} END {exit !ok}'"

check "python3-netcdf4: every variable byte for byte, every attribute" $PY - "$TMP/seq.nc" "$TMP/par.nc" <<'PY'
import sys, netCDF4, numpy as np
a, b = netCDF4.Dataset(sys.argv[1]), netCDF4.Dataset(sys.argv[2])
a.set_auto_maskandscale(False); b.set_auto_maskandscale(False)
dates = {"DATE_CREATION", "DATE_UPDATE", "history"}
ok = sorted(a.variables) == sorted(b.variables) and a.ncattrs() == b.ncattrs()
for k in a.ncattrs():
    if k not in dates and str(a.getncattr(k)) != str(b.getncattr(k)):
        print("global attribute", k, "differs"); ok = False
for name, v in a.variables.items():
    w = b.variables[name]
    if v.dtype != w.dtype or v.shape != w.shape or v[:].tobytes() != w[:].tobytes():
        print("variable", name, "differs"); ok = False
    if v.ncattrs() != w.ncattrs() or any(str(v.getncattr(k)) != str(w.getncattr(k)) for k in v.ncattrs()):
        print("attributes of", name, "differ"); ok = False
    if v.filters() != w.filters() or v.chunking() != w.chunking():
        print(name, "filters or chunks differ:", v.filters(), w.filters(), v.chunking(), w.chunking()); ok = False
print(len(a.variables), "variables compared")
sys.exit(0 if ok else 1)
PY

check "xarray: the decoded datasets are identical" $PY - "$TMP/seq.nc" "$TMP/par.nc" <<'PY'
import sys, xarray as xr
a, b = xr.open_dataset(sys.argv[1]), xr.open_dataset(sys.argv[2])
for d in (a, b):
    for k in ("DATE_CREATION", "DATE_UPDATE", "history"):
        d.attrs.pop(k, None)
xr.testing.assert_identical(a, b)
assert int((a["SSPS_ADJUSTED_QC"] == 4).sum()) > 0
PY

rc=0
"$VIGIE" reprocess --default --input "$TMP/in.nc" --threads 17 -o "$TMP/x.nc" >/dev/null 2>"$TMP/err" || rc=$?
check_eq "--threads 17: a usage error" 2 "$rc"
check "--threads 17: the message says why" grep -q "0-16" "$TMP/err"
finish
