#!/usr/bin/env bash
# feed.sh: durable end-to-end throughput and acknowledgement latency of the acknowledged
# feed: `vigie feed` (spool synced every 50 ms) -> ZeroMQ -> the daemon (parse, QC, store,
# commit, log flushed by its flusher thread) -> acknowledgement -> spool reclaimed. Prints
# figures, asserts nothing.
#   throughput: N JSON samples of 50 tide gauges on stdin, each run against a new store,
#     once over plain TCP (security: none) and once over CurveZMQ. Two figures per run:
#     "sustained", N x 0.99 / the time from the feed's start until 99% of the frames were
#     acknowledged (the rate while streaming), and "end to end", N / the time until the
#     feed exits (every frame committed, on disk and acknowledged). The difference is the
#     end of a finite stream: the last sample of each gauge waits qc.hold_timeout_s (1 s
#     here) for a successor that never comes, then is judged alone;
#   latency: a steady RATE samples/s paced by a writer for SECONDS, over CurveZMQ; the feed
#     prints the p50/p99 time from sending a batch to the acknowledgement that covers it.
# The CPU seconds the daemon (all its threads) and the feed used during a throughput run are
# printed as a share of its wall time: a share well under 1 means the pipeline waits.
# COMMIT_MAX (environment, default 10000) sets storage.commit_max_samples, CACHE_MB (default
# 256; the configuration's default 32 is within ~15 % on long runs since schema 3,
# docs/storage.md "Long runs") storage.cache_mb. REPLICA=1
# (environment) runs each daemon with a replica on another loopback port
# (storage.replication, ack_policy all): every commit then also waits for the replica to
# flush it (docs/storage.md, "Replication"); ACKS=one|none changes the policy.
# Usage: bench/feed.sh BUILD_DIR [N] [RATE] [SECONDS]
set -euo pipefail
build=$(readlink -f "${1:-build}")
N=${2:-400000}
RATE=${3:-10000}
SECS=${4:-10}
V="$build/vigie"
TMP=$(mktemp -d /tmp/vigie-bench-feed.XXXXXX)
D=""
R=""
trap '[ -n "$D" ] && kill "$D" 2>/dev/null; [ -n "$R" ] && kill "$R" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# replication ROLE LOCAL REMOTE: the storage.replication line (REPLICA=1 only).
replication() {
  [ "${REPLICA:-0}" = 1 ] || return 0
  echo "  replication: {role: $1, local: \"127.0.0.1:$2\", remote: [\"127.0.0.1:$3\"], ack_policy: ${ACKS:-all}}"
}
mkdir -p "$TMP/clients"
"$V" keygen -o "$TMP/engine" >/dev/null 2>&1
"$V" keygen -o "$TMP/feed" >/dev/null 2>&1
cp "$TMP/feed.pub" "$TMP/clients/"
python3 - "$N" > "$TMP/in.jsonl" <<'PY'
import sys, datetime
n = int(sys.argv[1]); t0 = datetime.datetime(2024, 1, 1)
out = sys.stdout
for k in range(n):
    t = t0 + datetime.timedelta(minutes=k // 50)
    out.write('{"platform":"TG%d","time":"%s","values":{"SLEV":%.3f}}\n' % (k % 50 + 1, t.strftime("%Y-%m-%dT%H:%M:%SZ"), (k % 997) / 1000))
PY

# start_daemon SECURITY(none|curve): a daemon on a new store (and its replica when
# REPLICA=1); sets D, R, port
start_daemon() {
  port=$(free_port)
  local p_master p_replica
  p_master=$(free_port); p_replica=$(free_port)
  rm -rf "$TMP/db" "$TMP/replica"
  local sec="security: none"
  [ "$1" = curve ] && sec="secret_key: $TMP/engine.key, clients: $TMP/clients"
  {
    echo "storage:"
    echo "  path: $TMP/db"
    echo "  commit_interval_ms: 50"
    echo "  commit_max_samples: ${COMMIT_MAX:-10000}"
    echo "  cache_mb: ${CACHE_MB:-256}"
    replication master "$p_master" "$p_replica"
    echo "daemon: {log_level: notice}"
    echo "ingest:"
    echo "  - {bind: \"tcp://127.0.0.1:$port\", format: json, kind: feed, $sec}"
    echo "platforms:"
    for i in $(seq 1 50); do echo "  - {id: TG$i, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}"; done
    echo "qc: {hold_timeout_s: 1}"
  } > "$TMP/v.yaml"
  : > "$TMP/d.log"
  "$V" run -c "$TMP/v.yaml" 2>"$TMP/d.log" & D=$!
  for _ in $(seq 1 100); do grep -q "vigie running" "$TMP/d.log" && break; sleep 0.1; done
  if [ "${REPLICA:-0}" = 1 ]; then
    { echo "storage:"; echo "  path: $TMP/replica"; echo "  cache_mb: ${CACHE_MB:-256}"
      replication replica "$p_replica" "$p_master"; } > "$TMP/r.yaml"
    : > "$TMP/r.log"
    "$V" run -c "$TMP/r.yaml" 2>"$TMP/r.log" & R=$!
    for _ in $(seq 1 300); do grep -q "replica in sync" "$TMP/r.log" && break; sleep 0.1; done
    echo "with a replica on 127.0.0.1:$p_replica (ack_policy ${ACKS:-all}): $(grep -c "replica in sync" "$TMP/r.log") sync"
  fi
}
stop_daemon() {
  kill "$D"; wait "$D" || true; D=""
  if [ -n "$R" ]; then
    grep -o "commits\? not acknowledged.*" "$TMP/d.log" | tail -n 1 | sed 's/^/  master: /' || true
    kill "$R"; wait "$R" || true; R=""
    echo "  replica holds $("$V" db stats -s "$TMP/replica" | sed -n 's/^samples //p') samples"
  fi
}
keys() { [ "$1" = curve ] && echo "--key $TMP/feed.key --server-key $TMP/engine.pub" || true; }

for sec in none curve; do
  start_daemon $sec
  rm -rf "$TMP/spool"
  t0=$(date +%s.%N); c0=$(awk '{print $14+$15}' "/proc/$D/stat")
  # shellcheck disable=SC2046
  /usr/bin/time -f "%U %S" -o "$TMP/feed.cpu" "$V" feed --id BENCH --endpoint "tcp://127.0.0.1:$port" --spool "$TMP/spool" --stdin \
    --fsync 50 --batch 4096 --window 200000 --segment-kb 65536 $(keys $sec) < "$TMP/in.jsonl" 2>"$TMP/f.log"
  t1=$(date +%s.%N); c1=$(awk '{print $14+$15}' "/proc/$D/stat")
  t99=$(grep -o "99% after [0-9.]*" "$TMP/f.log" | awk '{print $3}')
  read -r fu fs < "$TMP/feed.cpu"
  what=$([ $sec = curve ] && echo "CurveZMQ" || echo "plain TCP")
  python3 -c "n=$N; dt=$t1-$t0; t99=$t99; e=($c1-$c0)/100.0; f=$fu+$fs
print('feed -> engine -> committed -> acknowledged, %s: sustained %.0f samples/s = %.2f x the 200,000 target (99%% of %d acknowledged after %.2f s); end to end %.0f samples/s (all acknowledged after %.2f s, with the 1 s QC hold of the last samples)' % ('$what', 0.99*n/t99, 0.99*n/t99/200000, n, t99, n/dt, dt))
print('  CPU during it: daemon %.2f s (%.0f%% of the wall time, %.1f us/sample), feed %.2f s (%.0f%%)' % (e, 100*e/dt, 1e6*e/n, f, 100*f/dt))"
  grep -o "acknowledgement latency.*" "$TMP/f.log" | sed 's/^/  at full speed: /'
  [ $sec = curve ] || stop_daemon
done
echo "  (durable: spool synced every 50 ms; Berkeley DB commit every 50 ms or ${COMMIT_MAX:-10000} samples, acknowledged once its log flush returned)"

# latency at a steady rate, over CurveZMQ (the daemon of the last run goes on)
# shellcheck disable=SC2046
python3 - "$RATE" "$SECS" <<'PY' | "$V" feed --id PACED --endpoint "tcp://127.0.0.1:$port" \
  --spool "$TMP/spool2" --stdin --fsync always --batch 4096 --window 200000 $(keys curve) 2>"$TMP/f2.log"
import sys, time, datetime
rate, secs = int(sys.argv[1]), float(sys.argv[2])
t0 = datetime.datetime(2025, 1, 1); start = time.time(); k = 0; out = sys.stdout
while k < rate * secs:
    due = start + k / rate
    while time.time() < due: time.sleep(0.0005)
    burst = []
    for _ in range(100):
        t = t0 + datetime.timedelta(seconds=k // 50)
        burst.append('{"platform":"TG%d","time":"%s","values":{"SLEV":0.5}}\n' % (k % 50 + 1, t.strftime("%Y-%m-%dT%H:%M:%SZ")))
        k += 1
    out.write("".join(burst)); out.flush()
PY
grep -o "acknowledgement latency.*" "$TMP/f2.log" | sed "s/^/  at $RATE samples\/s for $SECS s (CurveZMQ, --fsync always): /"
stop_daemon
grep "stopped:" "$TMP/d.log" | sed 's/.*stopped: /  engine: /' | head -3
