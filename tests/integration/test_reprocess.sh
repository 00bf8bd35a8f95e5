#!/usr/bin/env bash
# test_reprocess.sh: `vigie reprocess` end to end. A simulated cruise with spikes goes
# through the real daemon into a real store; an operator sets manual flags; the store is
# reprocessed with a stricter salinity range: the file keeps the stored flags in SSPS_QC,
# has the new ones in SSPS_ADJUSTED_QC, and the manual flags survive. Reprocessing twice
# gives identical files; reprocessing the exported file with the daemon's own configuration
# gives back the daemon's flags (stream = reprocess). Also the report (text and JSON).
# The delayed-mode flags go into the store (dmflags.db) beside the real-time ones: `vigie
# dump --dm` shows them, the real-time and manual flags are untouched, a manual flag set
# later still wins, reprocessing twice stores the same flags, and `vigie export` of the
# stored data writes them (GOSUD _ADJUSTED_QC, Copernicus P_QC with P_DM D).
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
check "reprocess --no-store reads the store while the daemon runs" \
  sh -c "\"$VIGIE\" reprocess -c $TMP/strict.yaml --platform SIMTSG --no-store -o $TMP/live.nc >/dev/null"
rc=0; "$VIGIE" reprocess -c "$TMP/strict.yaml" --platform SIMTSG --operator bob >/dev/null 2>"$TMP/err" || rc=$?
check_eq "storing the flags while the daemon runs: refused" 1 "$rc"
check "refused: the message says the store has one writer" grep -q "one writer" "$TMP/err"
stop_daemon
"$VIGIE" flag set -s "$DB" --platform SIMTSG --param SSPS --from 2026-01-15T00:30:00Z \
  --to 2026-01-15T00:39:59Z --flag 4 --reason "pump failure" --operator alice >/dev/null
"$VIGIE" export -s "$DB" --platform SIMTSG --format gosud -o "$TMP/rt.nc" >/dev/null 2>&1
"$VIGIE" dump -s "$DB" --platform SIMTSG --manual > "$TMP/rt_before.csv"
check "no delayed-mode flags before the first run" \
  sh -c "\"$VIGIE\" dump -s $DB --platform SIMTSG --param SSPS --dm | tail -n +2 | cut -d, -f11 | sort -u | grep -qx ''"

"$VIGIE" reprocess -c "$TMP/strict.yaml" --platform SIMTSG -o "$TMP/dm1.nc" --operator carol > "$TMP/rep1" 2>"$TMP/err" \
  || { fail "reprocess: $(cat "$TMP/err")"; finish; exit; }
"$VIGIE" dump -s "$DB" --platform SIMTSG --dm --manual > "$TMP/dm_run0.csv"
"$VIGIE" reprocess -c "$TMP/strict.yaml" --platform SIMTSG -o "$TMP/dm2.nc" --operator carol > "$TMP/rep2" 2>&1
"$VIGIE" dump -s "$DB" --platform SIMTSG --dm --manual > "$TMP/dm_run1.csv"
check "the run is stored (text report)" grep -Eq "^stored: run 0, delayed-mode flags of [0-9]+ values of $n samples" "$TMP/rep1"
check "reprocessing twice: run 1" grep -q "^stored: run 1," "$TMP/rep2"
check "reprocessing twice: the same report" diff <(sed -e '$d' -e '/^stored:/d' "$TMP/rep1") <(sed -e '$d' -e '/^stored:/d' "$TMP/rep2")
check "reprocessing twice: the same stored flags" cmp "$TMP/dm_run0.csv" "$TMP/dm_run1.csv"
check "dump --dm --format json: a dm member per value" sh -c "\"$VIGIE\" dump -s $DB --platform SIMTSG --param SSPS --dm --format json | $PY -c \"
import json,sys; rows=[json.loads(l) for l in sys.stdin]
sys.exit(0 if len(rows)==$n and all(isinstance(r['dm'], int) and 0 <= r['dm'] <= 9 for r in rows) else 1)\""
"$VIGIE" report -s "$DB" --platform SIMTSG > "$TMP/report" 2>&1
check "report: the stored runs" grep -q "^delayed-mode runs: 2, latest run 1 at " "$TMP/report"
check "report: the delayed-mode flags of SSPS" grep -Eq "^  delayed mode: $n values, flags 1:[0-9]+ .*4:[0-9]+" "$TMP/report"
check "report JSON: the delayed-mode flags" sh -c "\"$VIGIE\" report -s $DB --platform SIMTSG --json | $PY -c \"
import json,sys; r=json.load(sys.stdin); d=r['parameters']['SSPS']['delayed_mode']
sys.exit(0 if r['dm_runs']==2 and d['values']==$n and sum(d['flags'].values())==$n else 1)\""
check "the real-time and manual flags are untouched by the run" \
  cmp "$TMP/rt_before.csv" <(cut -d, -f1-10,12- "$TMP/dm_run1.csv")
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

check "the stored delayed-mode flags are the file's SSPS_ADJUSTED_QC" $PY - "$TMP/dm1.nc" "$TMP/dm_run1.csv" <<'PY'
import sys, csv, netCDF4, numpy as np
dm = netCDF4.Dataset(sys.argv[1])
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["param"] == "SSPS"]
adj = dm["SSPS_ADJUSTED_QC"][:]
ok = len(rows) == len(adj)
stored = np.array([int(r["dm"]) if r["dm"] else -1 for r in rows])
ok = ok and (stored == adj).all()
flag = np.array([int(r["flag"]) for r in rows])
print("rows %d, stored %d, differ from real time %d" % (len(rows), (stored >= 0).sum(), (stored != flag).sum()))
sys.exit(0 if ok and (stored != flag).sum() > 0 else 1)
PY
# a manual flag set after the run wins over the stored delayed-mode flag, in exports and
# in the next run, and the run leaves manual.db alone
"$VIGIE" flag set -s "$DB" --platform SIMTSG --param SSPS --from 2026-01-15T01:00:00Z \
  --to 2026-01-15T01:04:59Z --flag 3 --reason "checked by eye" --operator alice >/dev/null
"$VIGIE" flag list -s "$DB" --platform SIMTSG > "$TMP/man_before"
"$VIGIE" export -s "$DB" --platform SIMTSG --format gosud -o "$TMP/dmexp.nc" >/dev/null 2>"$TMP/err" \
  || fail "export of reprocessed data: $(cat "$TMP/err")"
check "export says it uses the delayed-mode flags" grep -q "delayed-mode flags of [0-9]* values (data mode D)" "$TMP/err"
"$VIGIE" export -s "$DB" --platform SIMTSG --format gosud --data-mode R -o "$TMP/rtexp.nc" >/dev/null 2>&1
"$VIGIE" export -s "$DB" --platform SIMTSG --format instac -o "$TMP/dmexp_instac.nc" >/dev/null 2>&1
"$VIGIE" reprocess -c "$TMP/strict.yaml" --platform SIMTSG --operator carol > "$TMP/rep3" 2>&1 \
  || fail "reprocess without a file: $(cat "$TMP/rep3")"
"$VIGIE" flag list -s "$DB" --platform SIMTSG > "$TMP/man_after"
check "a run leaves the manual flags alone" cmp "$TMP/man_before" "$TMP/man_after"
"$VIGIE" dump -s "$DB" --platform SIMTSG --param SSPS --dm --manual > "$TMP/dm_run2.csv"
check "the manual flags win in the next run's stored flags" $PY - "$TMP/dm_run2.csv" <<'PY'
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1])))
man = [r for r in rows if r["manual"]]
ok = len(man) == 90 and all(r["dm"] == r["manual"] for r in man)
print("manual %d, dm == manual: %d" % (len(man), sum(r["dm"] == r["manual"] for r in man)))
sys.exit(0 if ok else 1)
PY
check "export of stored data: delayed-mode conventions (GOSUD, Copernicus)" $PY - "$TMP/dm1.nc" "$TMP/dmexp.nc" "$TMP/rtexp.nc" "$TMP/rt.nc" "$TMP/dmexp_instac.nc" <<'PY'
import sys, netCDF4, numpy as np
rep, exp, rtx, rt, ins = (netCDF4.Dataset(p) for p in sys.argv[1:6])
ok = True
def bad(msg):
    global ok; print(msg); ok = False
d = exp["DAYD"][:]; t0 = 27773.0
later = (d >= t0 + 3600/86400 - 1e-9) & (d < t0 + 3900/86400 - 1e-9)   # the manual 3 set after the run
adj = exp["SSPS_ADJUSTED_QC"][:]
if later.sum() != 30 or not (adj[later] == 3).all(): bad("later manual flags: %s" % set(adj[later].tolist()))
if not (adj[~later] == rep["SSPS_ADJUSTED_QC"][:][~later]).all(): bad("SSPS_ADJUSTED_QC differs from the reprocessed file")
if exp.DATA_MODE != "D" or exp.PROCESSING_STATES != "2A": bad("DATA_MODE %r STATES %r" % (exp.DATA_MODE, exp.PROCESSING_STATES))
h = bytes(exp["SSPS_ADJUSTED_HIST"][:].compressed()).decode().strip()
if "vigie reprocess run 1 (latest" not in h or "by carol" not in h: bad("history: %r" % h)
qc = exp["SSPS_QC"][:]
if not (qc[~later] == rt["SSPS_QC"][:][~later]).all() or not (qc[later] == 3).all(): bad("SSPS_QC is not the real-time flags with the manual ones")
if rtx.DATA_MODE != "R" or not (rtx["SSPS_ADJUSTED_QC"][:] == 0).all(): bad("--data-mode R: %r" % rtx.DATA_MODE)
if ins.data_mode != "D": bad("instac data_mode %r" % ins.data_mode)
iq = ins["SSPS_QC"][:].ravel(); idm = netCDF4.chartostring(ins["SSPS_DM"][:]) if ins["SSPS_DM"].ndim > 2 else ins["SSPS_DM"][:].ravel()
idm = np.array([x.decode() if isinstance(x, bytes) else str(x) for x in np.asarray(idm).ravel()])
if not (iq == np.where(adj == 6, 4, adj)).all(): bad("instac SSPS_QC is not the delayed-mode flags")
if not (idm == "D").all(): bad("instac SSPS_DM: %s" % set(idm.tolist()))
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
