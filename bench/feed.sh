#!/usr/bin/env bash
# feed.sh: durable end-to-end throughput and acknowledgement latency of the acknowledged
# feed: `vigie feed` (spool synced every 50 ms) -> ZeroMQ -> the daemon (parse, QC, store,
# durable commit) -> acknowledgement -> spool reclaimed. Prints figures, asserts nothing.
#   throughput: N JSON samples of 50 tide gauges on stdin, from the feed's start to its exit
#     (it exits once every frame is acknowledged, i.e. committed);
#   latency: a steady RATE samples/s paced by a writer for SECONDS; the feed prints the
#     p50/p99 time from sending a batch to the acknowledgement that covers it.
# The CPU seconds the daemon and the feed used during the throughput run are printed as a
# share of its wall time: a share well under 1 means the pipeline waits (I/O, fsync,
# acknowledgements), not that the engine is too slow. COMMIT_MAX (environment, default
# 5000) sets storage.commit_max_samples.
# Usage: bench/feed.sh BUILD_DIR [N] [RATE] [SECONDS]
set -euo pipefail
build=$(readlink -f "${1:-build}")
N=${2:-400000}
RATE=${3:-10000}
SECS=${4:-10}
V="$build/vigie"
TMP=$(mktemp -d /tmp/vigie-bench-feed.XXXXXX)
D=""
trap '[ -n "$D" ] && kill "$D" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
{
  echo "storage: {path: $TMP/db, commit_interval_ms: 50, commit_max_samples: ${COMMIT_MAX:-5000}, cache_mb: 64}"
  echo "daemon: {log_level: notice}"
  echo "ingest:"
  echo "  - {bind: \"tcp://127.0.0.1:$port\", format: json, kind: feed, security: none}"
  echo "platforms:"
  for i in $(seq 1 50); do echo "  - {id: TG$i, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}"; done
  echo "qc: {hold_timeout_s: 1}"
} > "$TMP/v.yaml"
python3 - "$N" > "$TMP/in.jsonl" <<'PY'
import sys, datetime
n = int(sys.argv[1]); t0 = datetime.datetime(2024, 1, 1)
out = sys.stdout
for k in range(n):
    t = t0 + datetime.timedelta(minutes=k // 50)
    out.write('{"platform":"TG%d","time":"%s","values":{"SLEV":%.3f}}\n' % (k % 50 + 1, t.strftime("%Y-%m-%dT%H:%M:%SZ"), (k % 997) / 1000))
PY
"$V" run -c "$TMP/v.yaml" 2>"$TMP/d.log" & D=$!
for _ in $(seq 1 100); do grep -q "vigie running" "$TMP/d.log" && break; sleep 0.1; done
t0=$(date +%s.%N); c0=$(awk '{print $14+$15}' "/proc/$D/stat")
/usr/bin/time -f "%U %S" -o "$TMP/feed.cpu" "$V" feed --id BENCH --endpoint "tcp://127.0.0.1:$port" --spool "$TMP/spool" --stdin \
  --fsync 50 --batch 4096 --window 200000 --segment-kb 65536 < "$TMP/in.jsonl" 2>"$TMP/f.log"
t1=$(date +%s.%N); c1=$(awk '{print $14+$15}' "/proc/$D/stat")
stored=$(grep -c . "$TMP/in.jsonl")
python3 -c "import sys; n=$stored; dt=$t1-$t0; print('feed -> engine -> committed -> acknowledged: %d samples in %.2f s = %.0f samples/s = %.2f x the 200,000 target (durable: spool synced every 50 ms, Berkeley DB commit every 50 ms or ${COMMIT_MAX:-5000} samples)' % (n, dt, n/dt, n/dt/200000))"
read -r fu fs < "$TMP/feed.cpu"
python3 -c "dt=$t1-$t0; e=($c1-$c0)/100.0; f=$fu+$fs; print('  CPU during it: daemon %.2f s (%.0f%% of the wall time, %.1f us/sample), feed %.2f s (%.0f%%)' % (e, 100*e/dt, 1e6*e/$stored, f, 100*f/dt))"
grep -o "acknowledgement latency.*" "$TMP/f.log" | sed 's/^/  at full speed: /'

# latency at a steady rate
python3 - "$RATE" "$SECS" <<'PY' | "$V" feed --id PACED --endpoint "tcp://127.0.0.1:$port" \
  --spool "$TMP/spool2" --stdin --fsync always --batch 4096 --window 200000 2>"$TMP/f2.log"
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
grep -o "acknowledgement latency.*" "$TMP/f2.log" | sed "s/^/  at $RATE samples\/s for $SECS s: /"
kill "$D"; wait "$D" || true; D=""
grep "stopped:" "$TMP/d.log" | sed 's/.*stopped: /  engine: /' | head -2

