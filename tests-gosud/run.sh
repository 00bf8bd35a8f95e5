#!/usr/bin/env bash
# run.sh: replay recorded streams (tests-gosud/*.case) through the real daemon and compare
# the flags it stored with the checked-in <case>.chk (see README.md). -b rebuilds them.
#   bash tests-gosud/run.sh [-b] PATH/TO/vigie [CASE...]   (default: every *.case)
# A case whose recorded files are absent from ../shared/data is skipped; exit 77 when every
# case given was skipped.
set -euo pipefail
rebuild=0
if [ "${1:-}" = "-b" ]; then rebuild=1; shift; fi
VIGIE=$(readlink -f "${1:?usage: run.sh [-b] PATH/TO/vigie [CASE...]}"); shift
here=$(cd "$(dirname "$0")" && pwd)
DATA=${VIGIE_SHARED_DATA:-$here/../../shared/data}
if [ $# -eq 0 ]; then set -- "$here"/*.case; fi
source "$here/common.sh" gosud
passed=0; failed=0; skipped=0

# The configuration of the SBE45 + NMEA cases; a case may set its own CONFIG (the text
# after `storage:`, with @PORT@ for the ingest port).
SBE45_CONFIG='ingest:
  - {bind: "tcp://127.0.0.1:@PORT@", format: sbe45_nmea, platform: NBP1406, fix_max_age_s: 10}
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
      - test: gradient'

for case_file in "$@"; do
  case_file=$(readlink -f "$case_file"); name=$(basename "$case_file" .case)
  # What a case may set (defaults: the SBE45 + NMEA cases):
  #   INPUTS     files under ../shared/data, merged by their first field (receive time)
  #   SAMPLES    keep the first SAMPLES sample lines (matching SAMPLE_RE) and what comes
  #              before the last of them; 0 keeps everything
  #   SAMPLE_RE  what a sample line of the merged input looks like (ERE)
  #   CONVERT    an awk program turning the input into the ingest format (after the cut)
  #   INJECT     an awk program injecting faults (after CONVERT)
  #   PLATFORM   the platform whose samples are compared; CONFIG: see above
  #   TESTS      1: write each value's per-test flags, as regress.sh does
  #   RUNS       1: one line per run of consecutive samples with the same flags
  INPUTS=""; SAMPLES=0; SAMPLE_RE='^[^ ]+ [0-9.-]+, '; CONVERT=""; INJECT=""
  PLATFORM=NBP1406; CONFIG=$SBE45_CONFIG; TESTS=0; RUNS=0
  source "$case_file"
  missing=""
  for f in $INPUTS; do [ -f "$DATA/$f" ] || missing="$missing $DATA/$f"; done
  if [ -n "$missing" ]; then
    echo "SKIP: $name: recorded stream not found:$missing (../shared/data is not on this machine)"
    skipped=$((skipped + 1)); continue
  fi
  work="$TMP/$name"; mkdir -p "$work"
  # Merge the logs by their receive-time prefix (stable: equal times keep file order),
  # keep the first $SAMPLES sample lines and what comes before the last of them.
  paths=(); for f in $INPUTS; do paths+=("$DATA/$f"); done
  sort -s -k1,1 "${paths[@]}" > "$work/merged"
  if [ "$SAMPLES" -gt 0 ]; then
    last=$(grep -nE "$SAMPLE_RE" "$work/merged" | sed -n "${SAMPLES}p" | cut -d: -f1)
    head -n "$last" "$work/merged" > "$work/stream"
  else
    cp "$work/merged" "$work/stream"
  fi
  if [ -n "$CONVERT" ]; then awk "$CONVERT" "$work/stream" > "$work/stream.c"; mv "$work/stream.c" "$work/stream"; fi
  if [ -n "$INJECT" ]; then awk "$INJECT" "$work/stream" > "$work/stream.f"; mv "$work/stream.f" "$work/stream"; fi
  nsamples=$SAMPLES
  [ "$nsamples" -gt 0 ] || nsamples=$(grep -cE "$SAMPLE_RE" "$work/stream")

  port=$(free_port)
  { echo "storage: {path: $work/db}"; echo "${CONFIG//@PORT@/$port}"; } > "$work/vigie.yaml"
  "$VIGIE" run -c "$work/vigie.yaml" 2> "$work/daemon.log" &
  pid=$!
  for _ in $(seq 1 100); do
    grep -qs "vigie running" "$work/daemon.log" && break
    kill -0 $pid 2>/dev/null || break; sleep 0.1
  done
  if ! kill -0 $pid 2>/dev/null; then
    echo "FAIL: $name: the daemon did not start:"; sed 's/^/  /' "$work/daemon.log"
    pid=""; failed=$((failed + 1)); continue
  fi
  "$PY" - "$port" "$work/stream" <<'PYEOF'
import sys, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
lines = open(sys.argv[2], "rb").read().split(b"\n")
for i in range(0, len(lines), 50):
    s.send(b"\n".join(lines[i:i + 50]))
s.close(linger=10000); ctx.term()
PYEOF
  # Wait until every sample but the held last one is stored (distinct times); the daemon
  # releases the last one when it stops.
  for _ in $(seq 1 600); do
    n=$("$VIGIE" dump -s "$work/db" --platform "$PLATFORM" --format csv | tail -n +2 | cut -d, -f2 | sort -u | wc -l)
    [ "$n" -ge $((nsamples - 1)) ] && break; sleep 0.1
  done
  kill -TERM $pid; wait $pid; pid=""
  # One line per sample: time, then param=flag in parameter order (with TESTS=1
  # param=flag(test=flag,...)), then pos=flag (and time=flag with TESTS=1); then the
  # quarantine reasons in order.
  "$VIGIE" dump -s "$work/db" --platform "$PLATFORM" --format csv | tail -n +2 | sort -t, -k2,2 -s |
    awk -F, -v tests="$TESTS" '
      function flush() { if (t != "") print line " pos=" pos (tests ? " time=" tf : "") }
      { if ($2 != t) { flush(); t = $2; line = $2; pos = $8; tf = $9 }
        if (tests) { x = $10; gsub(";", ",", x); line = line " " $3 "=" $5 "(" x ")" }
        else line = line " " $3 "=" $5 }
      END { flush() }' > "$work/out"
  # RUNS=1: consecutive samples with the same flags on one line, `FIRST .. LAST (N) FLAGS`.
  if [ "$RUNS" = 1 ]; then
    awk '{ t = $1; $1 = ""; f = substr($0, 2)
           if (n && f == rf) { last = t; n++; next }
           if (n) print (n > 1 ? first " .. " last " (" n ") " : first " ") rf
           first = last = t; rf = f; n = 1 }
         END { if (n) print (n > 1 ? first " .. " last " (" n ") " : first " ") rf }' \
      "$work/out" > "$work/out.r"
    mv "$work/out.r" "$work/out"
  fi
  "$VIGIE" dump -s "$work/db" --quarantine | awk -F'\t' '{print "quarantine " $3 ": " $4}' >> "$work/out"
  if [ $rebuild -eq 1 ]; then
    cp "$work/out" "$here/$name.chk"; echo "rebuilt: $name.chk ($(wc -l < "$work/out") lines)"
  elif diff -u "$here/$name.chk" "$work/out" > "$work/diff"; then
    passed=$((passed + 1)); echo "ok: $name ($(wc -l < "$work/out") lines as expected)"
  else
    failed=$((failed + 1)); echo "FAIL: $name differs from $name.chk:"; head -n 40 "$work/diff"
  fi
done
echo "gosud: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] || exit 1
[ $((passed + rebuild)) -gt 0 ] || exit 77
