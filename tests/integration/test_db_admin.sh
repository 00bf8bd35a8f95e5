#!/usr/bin/env bash
# test_db_admin.sh: the operator's commands on a real store. `vigie db export` and `import`
# round-trip every sample byte for byte. `vigie db backup` while the
# daemon writes (a feed streaming a tide gauge), then `vigie db restore` into a new folder
# and the daemon started on it: every sample committed before the backup began is there,
# and nothing that was not sent. `vigie db verify` passes on sound stores and fails
# (exit 1, naming the file) on a damaged page; `vigie db stats` counts and lists the feed.
here=$(dirname "$0")
source "$here/lib.sh"

P_FEED=$(free_port)
DB="$TMP/db"
cat > "$TMP/vigie.yaml" <<YAML
storage: {path: $DB, commit_interval_ms: 100} # a slow drain: the backup runs mid-stream
ingest:
  - {bind: "tcp://127.0.0.1:$P_FEED", format: json, kind: feed, security: none}
platforms:
  - {id: SIMTIDE, kind: tide_gauge, interval_s: 3600, parameters: [SLEV], position: [21.3, -157.9]}
qc: {hold_timeout_s: 1}
YAML
"$VIGIE" simulate --kind tide_gauge --format json --start 2020-01-01T00:00:00Z --duration 1000d > "$TMP/in.jsonl"
total=$(wc -l < "$TMP/in.jsonl")

start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
"$VIGIE" feed --id TIDE-A --endpoint "tcp://127.0.0.1:$P_FEED" --spool "$TMP/spool" --stdin \
  --batch 200 --window 400 < "$TMP/in.jsonl" 2>"$TMP/feed.log" &
FEED=$!
before=$(wait_for_count "$DB" SIMTIDE SLEV 3000)
check "the backup starts mid-stream" test "$before" -lt "$total"
check "vigie db backup while the daemon writes" "$VIGIE" db backup -s "$DB" "$TMP/backup"
check "a second backup into the same folder is refused" bash -c "! '$VIGIE' db backup -s '$DB' '$TMP/backup' 2>/dev/null"
rc=0; wait "$FEED" || rc=$?
check_eq "the feed drains" 0 "$rc"
check_eq "vigie db stats counts the samples" "samples $total" "$("$VIGIE" db stats -s "$DB" | grep '^samples')"
check "vigie db stats lists the feed, all acknowledged" bash -c "'$VIGIE' db stats -s '$DB' | grep -q 'feed TIDE-A .*acknowledged up to $total'"
stop_daemon

check "vigie db verify: the store is sound" "$VIGIE" db verify -s "$DB"
check "vigie db restore into a new folder" "$VIGIE" db restore "$TMP/backup" -s "$TMP/restored"
check "restore refuses a folder that is not empty" bash -c "! '$VIGIE' db restore '$TMP/backup' -s '$DB' 2>/dev/null"
check "vigie db verify: the restored store is sound" "$VIGIE" db verify -s "$TMP/restored"
mv "$TMP/daemon.log" "$TMP/daemon.first.log" # start_daemon waits for "vigie running" in it
start_daemon "$TMP/vigie.yaml" --storage "$TMP/restored" || fail "daemon on the restored store"
"$VIGIE" dump -s "$TMP/restored" --platform SIMTIDE --param SLEV > "$TMP/restored.csv"
stop_daemon
n=$(tail -n +2 "$TMP/restored.csv" | wc -l)
check "the restored store holds every sample committed before the backup ($before <= $n <= $total)" \
  test "$before" -le "$n" -a "$n" -le "$total"
check_eq "and each is the instrument's, first to last without a hole" "same" "$($PY - "$TMP/in.jsonl" "$TMP/restored.csv" <<'PYEOF'
import csv, json, sys
want = [json.loads(l) for l in open(sys.argv[1])]
got = list(csv.DictReader(open(sys.argv[2])))
ok = all(g["time"] == w["time"] and abs(float(g["value"]) - w["values"]["SLEV"]) < 1e-9
         for g, w in zip(got, want))
print("same" if ok else "differ")
PYEOF
)"

# export / import: a whole and exact round trip, and importing twice doubles nothing
"$VIGIE" db export -s "$DB" > "$TMP/export.jsonl"
check_eq "vigie db export writes every sample" "$total" "$(wc -l < "$TMP/export.jsonl")"
check "vigie db import into a new store" "$VIGIE" db import -s "$TMP/imported" "$TMP/export.jsonl"
check "importing the same file again" "$VIGIE" db import -s "$TMP/imported" "$TMP/export.jsonl"
"$VIGIE" db export -s "$TMP/imported" > "$TMP/export2.jsonl"
check "the import's export is byte for byte the original export" cmp -s "$TMP/export.jsonl" "$TMP/export2.jsonl"
check "raw frames survive the round trip" grep -q "\"raw\":\"7b22" "$TMP/export2.jsonl"
{ head -n 3 "$TMP/export.jsonl"; echo '{"platform":"SIMTIDE","time":"not a number"}'; } > "$TMP/bad.jsonl"
rc=0; out=$("$VIGIE" db import -s "$TMP/imported" "$TMP/bad.jsonl" 2>&1) || rc=$?
check_eq "import of a bad line exits 1" 1 "$rc"
check "and names the file and line" grep -q "bad.jsonl:4: time" <<<"$out"

cp -r "$TMP/restored" "$TMP/damaged"
printf 'garbage garbage garbage garbage' | dd of="$TMP/damaged/samples.db" bs=1 seek=$((16384 * 2)) conv=notrunc 2>/dev/null
rc=0; out=$("$VIGIE" db verify -s "$TMP/damaged" 2>&1) || rc=$?
check_eq "vigie db verify exits 1 on a damaged page" 1 "$rc"
check "and names the damaged file" grep -q "samples.db: DAMAGED" <<<"$out"
finish
