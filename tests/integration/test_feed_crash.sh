#!/usr/bin/env bash
# test_feed_crash.sh: nothing acknowledged is lost, nothing is stored twice. A `vigie feed`
# follows a file that the test keeps appending to (a tide gauge's JSON lines, with one
# garbage line in 40 that must be quarantined), sending small batches to a real daemon,
# which is killed with SIGKILL at random moments 50 times (and the feed itself every 10th
# time); then the daemon runs to the end and the test compares the store with the file:
# every sample once with its value, every garbage line quarantined exactly once.
here=$(dirname "$0")
source "$here/lib.sh"

KILLS=${VIGIE_FEED_KILLS:-50}
LINES=6000
P_FEED=$(free_port)
DB="$TMP/db"
cat > "$TMP/vigie.yaml" <<YAML
daemon: {log_level: info}
storage: {path: $DB, commit_interval_ms: 20}
ingest:
  - {bind: "tcp://127.0.0.1:$P_FEED", format: json, kind: feed, security: none}
platforms:
  - {id: SIMTIDE, kind: tide_gauge, interval_s: 3600, parameters: [SLEV], position: [21.3, -157.9]}
qc:
  hold_timeout_s: 1
YAML

# The instrument's whole output: hourly samples, one garbage line in 40.
"$VIGIE" simulate --kind tide_gauge --format json --duration $((LINES / 24))d > "$TMP/clean.jsonl"
awk '{ print } NR % 40 == 0 { printf "garbage line %d, not JSON\n", NR }' "$TMP/clean.jsonl" > "$TMP/all.jsonl"
total=$(wc -l < "$TMP/all.jsonl")
garbage=$(grep -c '^garbage' "$TMP/all.jsonl")
samples=$((total - garbage))
echo "input: $total lines, $samples samples, $garbage garbage"

# The appender: the instrument writing its file, 30 lines every 20 ms.
: > "$TMP/instrument.log"
$PY - "$TMP/all.jsonl" "$TMP/instrument.log" <<'PYEOF' &
import sys, time
lines = open(sys.argv[1], "rb").read().splitlines(keepends=True)
with open(sys.argv[2], "ab", buffering=0) as out:
    for i in range(0, len(lines), 30):
        out.write(b"".join(lines[i:i + 30]))
        time.sleep(0.02)
PYEOF
APPENDER=$!

FEED_PID=""
start_feed() {
  "$VIGIE" feed --id TIDE-A --endpoint "tcp://127.0.0.1:$P_FEED" --spool "$TMP/spool" \
    --file "$TMP/instrument.log" --batch 20 --fsync 10 --segment-kb 16 \
    --ack-timeout-ms 500 2>>"$TMP/feed.log" &
  FEED_PID=$!
}
RUN=0
# run_daemon: start the daemon with its own log; wait until it is ready (60 s at most).
run_daemon() {
  RUN=$((RUN + 1))
  "$VIGIE" run --config "$TMP/vigie.yaml" 2>"$TMP/daemon.$RUN.log" &
  DAEMON_PID=$!
  wait_running "$DAEMON_PID" "$TMP/daemon.$RUN.log"
}
# The feed and the appender are stopped and waited for before the folder is removed.
cleanup_feed() {
  if [ -n "$FEED_PID" ]; then kill -KILL "$FEED_PID" 2>/dev/null || true; wait "$FEED_PID" 2>/dev/null || true; fi
  kill "$APPENDER" 2>/dev/null || true; wait "$APPENDER" 2>/dev/null || true
}
trap 'cleanup_feed; cleanup' EXIT

start_feed
ok=1
for i in $(seq 1 "$KILLS"); do
  run_daemon || { ok=0; break; }
  sleep "0.$((RANDOM % 5 + 1))$((RANDOM % 10))"
  kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
  if [ $((i % 10)) -eq 0 ]; then
    kill -KILL "$FEED_PID"; wait "$FEED_PID" 2>/dev/null || true
    start_feed
  fi
done
check_eq "daemon killed with SIGKILL while the feed streamed" "$KILLS" "$([ $ok = 1 ] && echo "$KILLS" || echo "fewer: start failed")"
wait "$APPENDER" || true
check_eq "the instrument wrote all its lines" "$total" "$(wc -l < "$TMP/instrument.log")"

# The last run: everything must arrive and be acknowledged.
run_daemon || fail "last daemon start"
n=0
for _ in $(seq 1 600); do
  n=$("$VIGIE" dump -s "$DB" --platform SIMTIDE --param SLEV | tail -n +2 | wc -l)
  [ "$n" -ge "$samples" ] && break
  sleep 0.2
done
# The feed's spool drains: every frame acknowledged (the last sample after its hold time).
drained=no
for _ in $(seq 1 600); do
  if grep -q "spool drained: every frame up to $total acknowledged" "$TMP/feed.log"; then drained=yes; break; fi
  sleep 0.2
done
check_eq "the feed's spool drained (all $total frames acknowledged)" yes "$drained"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || true
DAEMON_PID=""

"$VIGIE" dump -s "$DB" --platform SIMTIDE --param SLEV > "$TMP/stored.csv"
"$VIGIE" dump -s "$DB" --quarantine > "$TMP/quarantine.csv"
check_eq "every sample stored (once: samples are keyed by platform and time)" "$samples" "$(tail -n +2 "$TMP/stored.csv" | wc -l)"
check_eq "every garbage line quarantined exactly once" "$garbage" "$(grep -c 'garbage line' "$TMP/quarantine.csv")"
check_eq "no other frame quarantined" "$garbage" "$(wc -l < "$TMP/quarantine.csv")"
check_eq "stored values are the instrument's" "same" "$($PY - "$TMP/clean.jsonl" "$TMP/stored.csv" <<'PYEOF'
import csv, json, sys
want = {}
for line in open(sys.argv[1]):
    o = json.loads(line); want[o["time"]] = o["values"]["SLEV"]
got = {r["time"]: float(r["value"]) for r in csv.DictReader(open(sys.argv[2]))}
bad = [t for t in want if t not in got or abs(got[t] - want[t]) > 1e-9]
print("same" if not bad and len(got) == len(want) else "differ: %d missing or wrong, e.g. %s" % (len(bad), bad[:3]))
PYEOF
)"
echo "runs: $RUN daemon starts; resends seen: $(grep -c 'resending' "$TMP/feed.log" || true); torn spool tails cut: $(grep -c 'torn tail' "$TMP/feed.log" || true)"
if [ "$FAILED" -ne 0 ]; then echo "---- feed log (last 20) ----"; tail -n 20 "$TMP/feed.log"; rm -rf /tmp/fc-debug; cp -r "$TMP" /tmp/fc-debug; fi
finish
