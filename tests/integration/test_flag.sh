#!/usr/bin/env bash
# test_flag.sh: `vigie flag` end to end with the real daemon and store. A simulated cruise
# is stored; `flag set` is refused while the daemon runs (one writer); once it is stopped,
# set and apply write manual flags with an audit history; the daemon then stores the same
# samples again (an automatic run over the flagged values) and the export still carries
# the manual flags. Also the errors of an edits file (FILE:LINE, nothing applied).
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

feed() {
  "$VIGIE" simulate --kind tsg --duration 1h --seed 4 --batch 50 --endpoint "tcp://127.0.0.1:$P_RAW"
}
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
feed
n=$(wait_for_count "$DB" SIMTSG SSPS 360)
check "the cruise is stored ($n)" [ "$n" -ge 360 ]

FROM=2026-01-15T00:10:00Z; TO=2026-01-15T00:19:59Z
rc=0; "$VIGIE" flag set -s "$DB" --platform SIMTSG --param SSPS --from $FROM --to $TO --flag 4 \
  --reason "bubbles" --operator alice 2>"$TMP/err" || rc=$?
check_eq "flag set while the daemon runs: refused" 1 "$rc"
check "the refusal says why" grep -q "another process (the daemon?) writes this store" "$TMP/err"
check "reading the history while the daemon runs works" "$VIGIE" flag history -s "$DB"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"

"$VIGIE" flag set -s "$DB" --platform SIMTSG --param SSPS --from $FROM --to $TO --flag 4 \
  --reason "air bubbles, pump restarted" --operator alice > "$TMP/out" 2>"$TMP/err" \
  || { fail "flag set: $(cat "$TMP/err")"; finish; exit; }
check "flag set reports 60 values changed" grep -q "SIMTSG SSPS .* flag 4: 60 values, 60 changed" "$TMP/out"
USER=bob "$VIGIE" flag set -s "$DB" --platform SIMTSG --param SSPS --from 2026-01-15T00:15:00Z \
  --to 2026-01-15T00:24:59Z --flag 4 --reason "still bad" > "$TMP/out"
check "overlapping edit: 30 changed, 30 already so" grep -q "60 values, 30 changed, 0 confirmed, 30 already so" "$TMP/out"

cat > "$TMP/edits.csv" <<'CSV'
platform,param,from,to,flag,reason
SIMTSG,SSJT,2026-01-15T00:30:00Z,2026-01-15T00:30:59Z,3,sensor warming up, checked by hand
SIMTSG,SSPS,2026-01-15T00:40:00Z,2026-01-15T00:40:09Z,1,validated against bottle 12
CSV
"$VIGIE" flag apply -s "$DB" "$TMP/edits.csv" --operator carol > "$TMP/out" 2>"$TMP/err" \
  || fail "flag apply: $(cat "$TMP/err")"
check_eq "apply: one line per edit" 2 "$(wc -l < "$TMP/out")"

"$VIGIE" flag history -s "$DB" > "$TMP/hist.csv"
check_eq "history: 60 + 30 + 6 + 1 entries" 97 "$(tail -n +2 "$TMP/hist.csv" | wc -l)"
check "history: who, old, new, why" grep -q ',alice,SIMTSG,SSPS,2026-01-15T00:10:00Z,[0-9],4,air bubbles, pump restarted$' "$TMP/hist.csv"
check "history: \$USER when no --operator" grep -q ',bob,SIMTSG,SSPS,2026-01-15T00:20:00Z,' "$TMP/hist.csv"
check "history: the reason keeps its commas" grep -q ',carol,SIMTSG,SSJT,.*,3,sensor warming up, checked by hand$' "$TMP/hist.csv"

printf 'platform,param,from,to,flag,reason\nSIMTSG,SSPS,2026-01-15T00:50:00Z,2026-01-15T00:51:00Z,4,ok\nSIMTSG,SSPS,2026-01-15T00:52:00Z,2026-01-15T00:53:00Z,12,bad flag\n' > "$TMP/bad.csv"
rc=0; "$VIGIE" flag apply -s "$DB" "$TMP/bad.csv" --operator carol 2>"$TMP/err" || rc=$?
check_eq "bad edits file: exit 1" 1 "$rc"
check "bad edits file: FILE:LINE" grep -q "$TMP/bad.csv:3: flag '12' is not 0-9" "$TMP/err"
check_eq "bad edits file: nothing applied" 97 "$("$VIGIE" flag history -s "$DB" | tail -n +2 | wc -l)"
rc=0; "$VIGIE" flag set -s "$DB" --platform SIMTSG --param SSPS --from $FROM --to $TO --flag 4 2>/dev/null || rc=$?
check_eq "no --reason: usage error" 2 "$rc"

# an automatic run over the flagged values: the daemon stores the same samples again
mv "$TMP/daemon.log" "$TMP/daemon1.log"
start_daemon "$TMP/vigie.yaml" || { fail "daemon restart"; finish; exit; }
feed
sleep 0.5
n2=$(wait_for_count "$DB" SIMTSG SSPS "$n")
stop_daemon
check_eq "same samples stored again" "$n" "$n2"
"$VIGIE" export -s "$DB" --platform SIMTSG --format gosud -o "$TMP/out.nc" 2>/dev/null >/dev/null
check_eq "export: manual flags survive the automatic run" "90 1" "$($PY - "$TMP/out.nc" <<'PY'
import sys, netCDF4, numpy as np
nc = netCDF4.Dataset(sys.argv[1])
d = nc["DAYD"][:]
t0 = 27773.0  # 2026-01-15 in days since 1950
q = nc["SSPS_QC"][:]
sel = (d >= t0 + 600/86400 - 1e-9) & (d < t0 + 1500/86400 - 1e-9)
val = (d >= t0 + 2400/86400 - 1e-9) & (d < t0 + 2410/86400 - 1e-9)
print(int((q[sel] == 4).sum()), int(np.unique(q[val]).size if (q[val] == 1).all() else 0))
PY
)"
"$VIGIE" report -s "$DB" --platform SIMTSG --json > "$TMP/rep.json" || fail "report of the store"
check "report: manual flags and audit entries of the store" $PY -c "
import json,sys
r=json.load(open('$TMP/rep.json')); s=r['parameters']['SSPS']; t=r['parameters']['SSJT']
print(r['records'], r['audit_entries'], s['manual'], s['flags'], t['manual'])
sys.exit(0 if r['records']==$n and r['audit_entries']==97 and s['manual']==91 and t['manual']==6
         and s['flags'].get('4',0)>=90 and 'global_range' in s['tests'] else 1)"
"$VIGIE" report -s "$DB" --platform SIMTSG > "$TMP/rep" || fail "text report"
check "text report: per test lines" grep -q "^  test global_range" "$TMP/rep"
"$VIGIE" flag list -s "$DB" --platform SIMTSG --from 2026-01-15T00:40:00Z --to 2026-01-15T00:40:09Z > "$TMP/list"
check_eq "list: the validated values" 1 "$(grep -c ',SSPS,2026-01-15T00:40:00Z,1,' "$TMP/list")"
# dump --manual: the manual flag beside the automatic one, in CSV and JSON
"$VIGIE" dump -s "$DB" --platform SIMTSG --manual > "$TMP/dump.csv" || fail "dump --manual"
check_eq "dump --manual: header" "platform,time,param,value,flag,lat,lon,pos_flag,time_flag,tests,manual" \
  "$(head -n 1 "$TMP/dump.csv")"
check_eq "dump --manual: the manual flags in force, per parameter" "SSJT 6 SSPS 91" \
  "$(awk -F, 'NR>1 && $11!="" {n[$3]++} END {printf "SSJT %d SSPS %d", n["SSJT"], n["SSPS"]}' "$TMP/dump.csv")"
check_eq "dump --manual: the validated value has manual flag 1" "1" \
  "$(awk -F, '$2=="2026-01-15T00:40:00Z" && $3=="SSPS" {print $11}' "$TMP/dump.csv")"
check_eq "dump --manual: as many rows as without" "$("$VIGIE" dump -s "$DB" --platform SIMTSG | wc -l)" \
  "$(wc -l < "$TMP/dump.csv")"
check_eq "dump --manual --format json: the same manual flags" "97" "$("$VIGIE" dump -s "$DB" \
  --platform SIMTSG --manual --format json | $PY -c "
import json,sys
print(sum(1 for l in sys.stdin if json.loads(l)['manual'] is not None))")"
finish
