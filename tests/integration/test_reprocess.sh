#!/usr/bin/env bash
# test_reprocess.sh: `vigie reprocess` end to end. A simulated cruise with spikes goes
# through the real daemon into a real store; an operator sets manual flags; the store is
# reprocessed with a stricter salinity range: the file keeps the stored flags in SSPS_QC,
# has the new ones in SSPS_ADJUSTED_QC, and the manual flags survive. Reprocessing twice
# gives identical files; reprocessing the exported file with the daemon's own configuration
# gives back the daemon's flags (stream = reprocess). Also the report (text and JSON).
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module zmq
require_python_module netCDF4

P_JSON=$(free_port); P_RAW=$(free_port); P_PUB=$(free_port)
DB="$TMP/db"
"$VIGIE" config default | sed -e "s|tcp://127.0.0.1:5555|tcp://127.0.0.1:$P_JSON|" \
  -e "s|tcp://127.0.0.1:5556|tcp://127.0.0.1:$P_RAW|" -e "s|tcp://127.0.0.1:5560|tcp://127.0.0.1:$P_PUB|" \
  -e "s|path: /var/lib/vigie |path: $DB |" > "$TMP/vigie.yaml"
grep -q "path: $DB " "$TMP/vigie.yaml" || { fail "test configuration: store path not replaced"; finish; exit; }
sed -e 's|SSPS: {min: 2, max: 41}|SSPS: {min: 2, max: 36.48}|' "$TMP/vigie.yaml" > "$TMP/strict.yaml"
check "the stricter configuration differs" grep -q 'max: 36.48}' "$TMP/strict.yaml"

start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
"$VIGIE" simulate --kind tsg --duration 2h --spike 8 --seed 9 --batch 50 --endpoint "tcp://127.0.0.1:$P_RAW"
n=$(wait_for_count "$DB" SIMTSG SSPS 720)
check "the cruise is stored ($n)" [ "$n" -ge 720 ]
# reading while the daemon runs is fine
check "reprocess reads the store while the daemon runs" \
  sh -c "\"$VIGIE\" reprocess -c $TMP/strict.yaml --platform SIMTSG -o $TMP/live.nc >/dev/null"
stop_daemon
"$VIGIE" flag set -s "$DB" --platform SIMTSG --param SSPS --from 2026-01-15T00:30:00Z \
  --to 2026-01-15T00:39:59Z --flag 4 --reason "pump failure" --operator alice >/dev/null
"$VIGIE" export -s "$DB" --platform SIMTSG --format gosud -o "$TMP/rt.nc" >/dev/null 2>&1

"$VIGIE" reprocess -c "$TMP/strict.yaml" --platform SIMTSG -o "$TMP/dm1.nc" > "$TMP/rep1" 2>"$TMP/err" \
  || { fail "reprocess: $(cat "$TMP/err")"; finish; exit; }
"$VIGIE" reprocess -c "$TMP/strict.yaml" --platform SIMTSG -o "$TMP/dm2.nc" > "$TMP/rep2" 2>&1
check "reprocessing twice: the same report" diff <(sed '$d' "$TMP/rep1") <(sed '$d' "$TMP/rep2")
strip() { ncdump "$1" | grep -v -e DATE_CREATION -e DATE_UPDATE -e ':history' -e '^netcdf '; }
check "reprocessing twice: identical files (but their creation dates)" diff <(strip "$TMP/dm1.nc") <(strip "$TMP/dm2.nc")
check "the report counts the range test's flags" grep -q "^  test global_range  *1:[0-9]* 4:[0-9]*" "$TMP/rep1"
check "the report counts the manual flags kept" grep -q "^SSPS: [0-9]* values, [0-9]* flags changed, 60 manual flags kept" "$TMP/rep1"
check "no progress bar when piped" [ ! -s "$TMP/err" ]

check "stored flags kept in SSPS_QC, new flags in SSPS_ADJUSTED_QC, manual flags win" $PY - "$TMP/rt.nc" "$TMP/dm1.nc" <<'PY'
import sys, netCDF4, numpy as np
rt, dm = netCDF4.Dataset(sys.argv[1]), netCDF4.Dataset(sys.argv[2])
ok = True
if not (rt["SSPS_QC"][:] == dm["SSPS_QC"][:]).all():
    print("SSPS_QC differs from the export"); ok = False
d = dm["DAYD"][:]; t0 = 27773.0
man = (d >= t0 + 1800/86400 - 1e-9) & (d < t0 + 2400/86400 - 1e-9)
adj = dm["SSPS_ADJUSTED_QC"][:]
if man.sum() != 60 or not (adj[man] == 4).all():
    print("manual range: %d rows, flags %s" % (man.sum(), set(adj[man].tolist()))); ok = False
more = int((adj[~man] == 4).sum()) - int((dm["SSPS_QC"][:][~man] == 4).sum())
if more <= 0:
    print("the stricter range flagged nothing more (%d)" % more); ok = False
if dm.DATA_MODE != "D" or dm.PROCESSING_STATES != "2A":
    print("DATA_MODE %r PROCESSING_STATES %r" % (dm.DATA_MODE, dm.PROCESSING_STATES)); ok = False
sys.exit(0 if ok else 1)
PY

# the exported file through the daemon's own configuration: the daemon's flags again,
# but for the 60 manual flags (a file carries no manual flags of a store)
"$VIGIE" reprocess -c "$TMP/vigie.yaml" --input "$TMP/rt.nc" -o "$TMP/same.nc" --json > "$TMP/rep.json" 2>"$TMP/err" \
  || fail "reprocess a file: $(cat "$TMP/err")"
check "JSON report parses and counts the rows" $PY -c "
import json,sys; r=json.load(open('$TMP/rep.json')); sys.exit(0 if r['rows']==$n and r['parameters']['SSPS']['values']==$n else 1)"
# values of the manual range whose automatic flag (as stored, `vigie dump`) is not 4
auto=$("$VIGIE" dump -s "$DB" --platform SIMTSG --param SSPS --from 2026-01-15T00:30:00Z --to 2026-01-15T00:39:59Z \
       | tail -n +2 | cut -d, -f5 | grep -vcx 4 || true)
check "file reprocessed with the daemon's configuration: only the manual flags differ" $PY - "$TMP/rep.json" "$auto" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ch = r["parameters"]["SSPS"]["changed"]
n = sum(ch.values())
ok = n == int(sys.argv[2]) and n > 0 and all(k.startswith("4>") for k in ch)
print("SSPS changes:", ch)
sys.exit(0 if ok else 1)
PY
rc=0; "$VIGIE" reprocess -c "$TMP/vigie.yaml" --input "$TMP/rt.nc" --as NOSUCH -o "$TMP/x.nc" 2>"$TMP/err" || rc=$?
check_eq "unknown platform: exit 1" 1 "$rc"
check "unknown platform: named" grep -q "platform 'NOSUCH' is not in the configuration" "$TMP/err"
rc=0; "$VIGIE" reprocess --default -o "$TMP/x.nc" 2>/dev/null || rc=$?
check_eq "no input: usage error" 2 "$rc"
finish
