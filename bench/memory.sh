#!/usr/bin/env bash
# memory.sh: resident memory of the daemon with many platforms streaming through `vigie
# feed`: VmRSS after start-up (configuration and QC plan only), then after every platform
# sent K samples (each platform's QC stream exists, the Berkeley DB cache is warm). Prints
# the figures and the cost per platform; asserts nothing.
# Usage: bench/memory.sh BUILD_DIR [PLATFORMS] [K] [CACHE_MB]
set -euo pipefail
build=$(readlink -f "${1:-build}")
P=${2:-10000}
K=${3:-20}
CACHE=${4:-32}
V="$build/vigie"
TMP=$(mktemp -d /tmp/vigie-bench-mem.XXXXXX)
D=""
trap '[ -n "$D" ] && kill "$D" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$P" "$TMP" "$port" "$CACHE" > "$TMP/v.yaml" <<'PY'
import sys
p, tmp, port, cache = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
print("storage: {path: %s/db, commit_interval_ms: 50, cache_mb: %s}" % (tmp, cache))
print("daemon: {log_level: notice}")
print("ingest:")
print('  - {bind: "tcp://127.0.0.1:%s", format: json, kind: feed, security: none}' % port)
print("platforms:")
for i in range(p):
    print("  - {id: P%05d, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}" % i)
print("qc: {hold_timeout_s: 1}")
PY
python3 - "$P" "$K" > "$TMP/in.jsonl" <<'PY'
import sys, datetime
p, k = int(sys.argv[1]), int(sys.argv[2]); t0 = datetime.datetime(2024, 1, 1)
out = sys.stdout
for j in range(k):
    t = (t0 + datetime.timedelta(minutes=j)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for i in range(p):
        out.write('{"platform":"P%05d","time":"%s","values":{"SLEV":%.3f}}\n' % (i, t, (i + j) % 997 / 1000))
PY
rss() { awk '/^VmRSS/ {print $2}' "/proc/$D/status"; }
"$V" run -c "$TMP/v.yaml" 2>"$TMP/d.log" & D=$!
for _ in $(seq 1 600); do grep -q "vigie running" "$TMP/d.log" && break; sleep 0.1; done
r0=$(rss)
"$V" feed --id MEM --endpoint "tcp://127.0.0.1:$port" --spool "$TMP/spool" --stdin \
  --fsync never --batch 4096 --window 100000 < "$TMP/in.jsonl" 2>"$TMP/f.log"
r1=$(rss)
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$D/status")
python3 -c "
p, k, r0, r1, hwm, cache = $P, $K, $r0, $r1, $hwm, $CACHE
print('engine memory, %d platforms (tide gauges, SLEV), Berkeley DB cache %d MiB:' % (p, cache))
print('  after start-up: %.1f MiB resident; after %d samples each (%d in all): %.1f MiB (peak %.1f MiB)'
      % (r0 / 1024, k, p * k, r1 / 1024, hwm / 1024))
print('  streaming adds %.1f KiB per platform (QC stream state, cache pages touched); %.1f KiB per platform in all'
      % ((r1 - r0) / p, r1 / p))"
kill "$D"; wait "$D" || true; D=""
grep "stopped:" "$TMP/d.log" | head -1 | sed 's/.*stopped: /  engine: /'
