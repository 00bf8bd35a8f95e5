#!/usr/bin/env bash
# test_export.sh: `vigie export` end to end. A simulated cruise with every fault (harbour
# stops give flag 6) and a simulated tide gauge go through the real daemon into a real
# store; the store is exported as GOSUD v3 and Copernicus in-situ files (NetCDF-4 and
# classic); check_export.py opens each with python3-netcdf4 and xarray, applies the rules
# of the Copernicus content checker (written again by us, with a self-test on broken
# copies) and compares every value and flag with `vigie dump`; `vigie qc` reads the files
# back and gives the store's flags again. Also the command's errors.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module zmq
require_python_module netCDF4
require_python_module xarray

P_JSON=$(free_port); P_RAW=$(free_port); P_PUB=$(free_port)
DB="$TMP/db"; OUT="$TMP/out"
mkdir -p "$OUT"
"$VIGIE" config default | sed -e "s|tcp://127.0.0.1:5555|tcp://127.0.0.1:$P_JSON|" \
  -e "s|tcp://127.0.0.1:5556|tcp://127.0.0.1:$P_RAW|" -e "s|tcp://127.0.0.1:5560|tcp://127.0.0.1:$P_PUB|" \
  -e "s|path: /var/lib/vigie |path: $DB |" -e "s|dir: /var/lib/vigie/export|dir: $OUT|" > "$TMP/vigie.yaml"
# never let the test daemon open the default /var/lib/vigie
grep -q "path: $DB " "$TMP/vigie.yaml" && grep -q "dir: $OUT" "$TMP/vigie.yaml" \
  || { fail "test configuration: store and export paths not replaced"; finish; exit; }
check "config check accepts the test configuration" "$VIGIE" config check "$TMP/vigie.yaml"

start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
"$VIGIE" simulate --kind tsg --duration 12h --faults all --seed 5 --batch 50 \
  --endpoint "tcp://127.0.0.1:$P_RAW"
"$VIGIE" simulate --kind tide_gauge --duration 20d --atms --spike 3 --seed 2 \
  --start 2026-01-02T00:00:00Z --endpoint "tcp://127.0.0.1:$P_JSON"
n_tide=$(wait_for_count "$DB" SIMTIDE SLEV 470)
check "the tide gauge's samples are stored ($n_tide)" [ "$n_tide" -ge 470 ]
# The cruise's 12,333 lines take longer than the gauge's 480 (under valgrind, seconds
# longer): wait for its last minute (the QC may hold the very last samples until the stop).
end=no
for _ in $(seq 1 600); do
  "$VIGIE" dump -s "$DB" --platform SIMTSG --param SSPS --from 2026-01-15T11:59:00Z | grep -q 2026 \
    && { end=yes; break; }
  sleep 0.1
done
check_eq "the cruise's last minute is stored" yes "$end"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"

dump() { "$VIGIE" dump -s "$DB" --platform "$1" > "$TMP/$1.csv"; }
dump SIMTSG; dump SIMTIDE
samples() { tail -n +2 "$TMP/$1.csv" | cut -d, -f2 | sort -u | wc -l; }
n_ship=$(samples SIMTSG)
check "harbour flags (6) in the store" grep -q ',SSPS,[^,]*,6,' "$TMP/SIMTSG.csv"

# GOSUD: conventional name in export.dir (from the configuration)
gosud=$("$VIGIE" export -c "$TMP/vigie.yaml" --platform SIMTSG --format gosud 2>"$TMP/err") \
  || { fail "export gosud: $(cat "$TMP/err")"; finish; exit; }
check_eq "GOSUD file name and place" "$OUT/SIMTSG_2026_01_a_RT_Gosud_V3.nc" "$gosud"
check_eq "GOSUD rows = samples stored" "$n_ship" "$(ncdump -h "$gosud" | sed -n 's/.*DAYD = \([0-9]*\) ;/\1/p')"
check "GOSUD file: layout, every value and flag of the store (flag 6 kept)" \
  $PY "$here/check_export.py" gosud "$gosud" "$TMP/SIMTSG.csv"
check "GOSUD file is NetCDF-4 classic model" sh -c "ncdump -k '$gosud' | grep -qx 'netCDF-4 classic model'"

# Copernicus in-situ: the tide gauge (fixed station) and the ship (trajectory, classic)
tide=$("$VIGIE" export -c "$TMP/vigie.yaml" --platform SIMTIDE --format instac -o "$OUT/" 2>"$TMP/err") \
  || { fail "export instac: $(cat "$TMP/err")"; finish; exit; }
check_eq "INSTAC file name" "$OUT/GL_TS_TG_SIMTIDE_202601.nc" "$tide"
check "INSTAC tide gauge passes the checker's rules, values and flags as stored" \
  $PY "$here/check_export.py" instac "$tide" "$TMP/SIMTIDE.csv" 4
# vigie tide analyse reads the INSTAC file (issue 4): its latitude and platform code by
# default, values flagged 3 or 4 left out; the same constituents as from the stored values
# written as CSV (the file keeps SLEV as float: agreement to 0.1 mm and 0.05 degree)
check "tide analyse reads the INSTAC file" "$VIGIE" tide analyse "$tide" -o "$TMP/nc_fit.yaml"
awk -F, 'NR > 1 && $3 == "SLEV" { print $2 "," ($5 >= 3 ? "" : $4) }' "$TMP/SIMTIDE.csv" \
  > "$TMP/SIMTIDE_slev.csv"
"$VIGIE" tide analyse "$TMP/SIMTIDE_slev.csv" --latitude 21.3067 --station SIMTIDE \
  -o "$TMP/csv_fit.yaml"
check "the station and latitude come from the file" \
  grep -qx 'station: "\{0,1\}SIMTIDE"\{0,1\}' "$TMP/nc_fit.yaml"
check "the NetCDF and CSV analyses agree" $PY - "$TMP/nc_fit.yaml" "$TMP/csv_fit.yaml" <<'PYEOF'
import re, sys
def load(p):
    txt = open(p).read()
    lat = float(re.search(r'^latitude: ([-\d.e]+)', txt, re.M).group(1))
    return lat, {m.group(1): (float(m.group(2)), float(m.group(3))) for m in
                 re.finditer(r'name: (\w+), amplitude: ([-\d.e]+), phase: ([-\d.e]+)', txt)}
(la, a), (lb, b) = load(sys.argv[1]), load(sys.argv[2])
ok = abs(la - lb) < 1e-3 and len(a) >= 10 and a.keys() == b.keys() and all(
    abs(a[k][0] - b[k][0]) < 1e-4 and
    (a[k][0] < 0.005 or abs((a[k][1] - b[k][1] + 180) % 360 - 180) < 0.05) for k in a)
print(la, lb, len(a), len(b))
sys.exit(0 if ok else 1)
PYEOF
ship=$("$VIGIE" export -c "$TMP/vigie.yaml" --platform SIMTSG --format instac --classic \
       --harbour-as 3 --depth 5 -o "$OUT" 2>"$TMP/err") || { fail "export instac ship: $(cat "$TMP/err")"; finish; exit; }
check_eq "INSTAC ship file name" "$OUT/GL_TS_TS_SIMTSG_202601.nc" "$ship"
check "INSTAC ship passes the checker's rules; 6 written as 3" \
  $PY "$here/check_export.py" instac "$ship" "$TMP/SIMTSG.csv" 3
check "classic format on request" sh -c "ncdump -k '$ship' | grep -qx '64-bit offset'"
check "the checker catches broken files (self-test)" $PY "$here/check_export.py" selftest "$tide"

# Read back: `vigie qc` of each exported file gives the flags the daemon stored (same
# chains, values to float precision, positions exact)
for f in "$gosud" "$ship"; do
  "$VIGIE" qc -c "$TMP/vigie.yaml" -q "$f" -o "$TMP/reqc.csv" 2>"$TMP/err" || fail "vigie qc $f: $(cat "$TMP/err")"
  check_eq "vigie qc reads every record of $(basename "$f")" "$n_ship" "$(($(wc -l < "$TMP/reqc.csv") - 1))"
  check "vigie qc of $(basename "$f"): the store's flags" $PY "$here/check_export.py" reqc "$TMP/reqc.csv" "$TMP/SIMTSG.csv"
done
rc=0; "$VIGIE" qc -c "$TMP/vigie.yaml" -q "$gosud" -o "$TMP/reqc.nc" 2>"$TMP/err" || rc=$?
check_eq "vigie qc: GOSUD in, NetCDF with CF flag variables out" 0 "$rc"
check "vigie qc: its NetCDF output opens with xarray" $PY -c "import sys, xarray; ds = xarray.open_dataset(sys.argv[1]); assert ds.sizes['obs'] == $n_ship and 'SSPS_qc_harbour' in ds" "$TMP/reqc.nc"

# A time range and an explicit file name
"$VIGIE" export -s "$DB" --platform SIMTIDE --format instac --kind tide_gauge \
  --from 2026-01-05T00:00:00Z --to 2026-01-05T23:59:59Z -o "$TMP/day.nc" >/dev/null 2>&1
check_eq "--from/--to: one day of hourly samples" 24 "$(ncdump -h "$TMP/day.nc" | sed -n 's/.*TIME = \([0-9]*\) ;/\1/p')"
check_eq "no temporary file left behind" 0 "$(find "$OUT" "$TMP" -maxdepth 1 -name '*.tmp.*' | wc -l)"

# Errors
rc=0; "$VIGIE" export -s "$DB" --platform SIMTSG --format csv 2>/dev/null || rc=$?
check_eq "unknown format: usage error" 2 "$rc"
rc=0; "$VIGIE" export -c "$TMP/vigie.yaml" --platform NOPE --format gosud 2>"$TMP/err" || rc=$?
check_eq "unknown platform: failure" 1 "$rc"
check "unknown platform named" grep -q "NOPE" "$TMP/err"
rc=0; "$VIGIE" export -s "$DB" --platform SIMTSG --format gosud --from 2030-01-01 -o "$TMP/none.nc" 2>"$TMP/err" || rc=$?
check_eq "empty range: failure" 1 "$rc"
check "empty range: no file" test ! -e "$TMP/none.nc"
rc=0; "$VIGIE" export -s "$DB" --platform SIMTSG --format gosud -o "$TMP/nodir/x.nc" 2>"$TMP/err" || rc=$?
check_eq "unwritable place: failure" 1 "$rc"
check "unwritable place named" grep -q "nodir" "$TMP/err"
finish
