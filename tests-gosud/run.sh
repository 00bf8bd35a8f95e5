#!/usr/bin/env bash
# run.sh: replay each recorded stream of tests-gosud/*.case through the real daemon and
# compare the flags it stored with the checked-in *.chk (see README.md). -b rebuilds them.
set -euo pipefail
rebuild=0
if [ "${1:-}" = "-b" ]; then rebuild=1; shift; fi
VIGIE=$(readlink -f "${1:?usage: run.sh [-b] PATH/TO/vigie}")
here=$(cd "$(dirname "$0")" && pwd)
DATA=${VIGIE_SHARED_DATA:-$here/../../shared/data}
if [ ! -d "$DATA/tsg_nbp1406" ]; then
  echo "SKIP: recorded streams not found ($DATA/tsg_nbp1406 absent: ../shared/data is not on this machine)"
  exit 77
fi
source "$here/common.sh" gosud
passed=0; failed=0

for case_file in "$here"/*.case; do
  name=$(basename "$case_file" .case)
  INPUTS=""; SAMPLES=0; INJECT=""
  source "$case_file"
  work="$TMP/$name"; mkdir -p "$work"
  # Merge the logs by their receive-time prefix (stable: equal times keep file order),
  # keep the first $SAMPLES instrument lines and what comes before the last of them.
  paths=(); for f in $INPUTS; do paths+=("$DATA/$f"); done
  sort -s -k1,1 "${paths[@]}" > "$work/merged"
  last=$(grep -nE '^[^ ]+ [0-9.-]+, ' "$work/merged" | sed -n "${SAMPLES}p" | cut -d: -f1)
  head -n "$last" "$work/merged" > "$work/stream"
  if [ -n "$INJECT" ]; then awk "$INJECT" "$work/stream" > "$work/stream.f"; mv "$work/stream.f" "$work/stream"; fi

  port=$(free_port)
  cat > "$work/vigie.yaml" <<YAML
storage: {path: $work/db}
ingest:
  - {bind: "tcp://127.0.0.1:$port", format: sbe45_nmea, platform: NBP1406, fix_max_age_s: 10}
platforms:
  - {id: NBP1406, kind: tsg, interval_s: 2, parameters: [SSJT, CNDC, SSPS, SVEL, SPDC, HCRS]}
qc:
  chains:
    tsg:
      - test: impossible_date
      - test: impossible_location
      - test: impossible_speed
      - test: global_range
      - test: spike
      - test: stuck_value
        parameters: {SSJT: {window_s: 600}, CNDC: {window_s: 600}, SSPS: {window_s: 600}}
      - test: gradient
YAML
  "$VIGIE" run -c "$work/vigie.yaml" 2> "$work/daemon.log" &
  pid=$!
  for _ in $(seq 1 100); do grep -qs "vigie running" "$work/daemon.log" && break; sleep 0.1; done
  "$PY" - "$port" "$work/stream" <<'PYEOF'
import sys, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
lines = open(sys.argv[2], "rb").read().split(b"\n")
for i in range(0, len(lines), 50):
    s.send(b"\n".join(lines[i:i + 50]))
s.close(linger=10000); ctx.term()
PYEOF
  for _ in $(seq 1 200); do
    n=$("$VIGIE" dump -s "$work/db" --platform NBP1406 --param SSJT | tail -n +2 | wc -l)
    [ "$n" -ge $((SAMPLES - 1)) ] && break; sleep 0.1
  done
  kill -TERM $pid; wait $pid; pid=""
  # One line per sample: time, then param=flag in parameter order, then pos=flag; and the
  # quarantine reasons in order.
  "$VIGIE" dump -s "$work/db" --platform NBP1406 --format csv | tail -n +2 | sort -t, -k2,2 -s |
    awk -F, '{ if ($2 != t) { if (t != "") print line " pos=" pos; t = $2; line = $2; pos = $8 }
               line = line " " $3 "=" $5 } END { if (t != "") print line " pos=" pos }' > "$work/out"
  "$VIGIE" dump -s "$work/db" --quarantine | awk -F'\t' '{print "quarantine " $3 ": " $4}' >> "$work/out"
  if [ $rebuild -eq 1 ]; then
    cp "$work/out" "$here/$name.chk"; echo "rebuilt: $name.chk ($(wc -l < "$work/out") lines)"
  elif diff -u "$here/$name.chk" "$work/out" > "$work/diff"; then
    passed=$((passed + 1)); echo "ok: $name ($(wc -l < "$work/out") lines as expected)"
  else
    failed=$((failed + 1)); echo "FAIL: $name differs from $name.chk:"; head -n 40 "$work/diff"
  fi
done
echo "gosud: $passed passed, $failed failed"
[ $failed -eq 0 ]
