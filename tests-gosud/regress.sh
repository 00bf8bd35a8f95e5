#!/usr/bin/env bash
# regress.sh: replay constructed JSON-lines streams (tests-gosud/logs/*.log) through the real
# daemon and compare the flags it stored with the checked-in <log>.chk (see README.md); and
# check that `vigie qc` (batch) gives the same flags (stream = batch).
#   bash tests-gosud/regress.sh [-b] PATH/TO/vigie [LOG...]   (default: every logs/*.log)
# -b rebuilds the .chk files instead of comparing. Exit 77 (skip) without python3-zmq.
set -euo pipefail
rebuild=0
if [ "${1:-}" = "-b" ]; then rebuild=1; shift; fi
VIGIE=$(readlink -f "${1:?usage: regress.sh [-b] PATH/TO/vigie [LOG...]}"); shift
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then set -- "$here"/logs/*.log; fi
source "$here/common.sh" regress
passed=0; failed=0

for log in "$@"; do
  log=$(readlink -f "$log"); name=$(basename "$log" .log)
  work="$TMP/$name"; mkdir -p "$work"
  # Header lines the driver reads (see README.md):
  #   # platform: ID kind KIND interval_s N parameters P1 P2 ...
  #   # platform-keys: KEY: VALUE, ...     more keys of that platform (optional)
  #   # chain: test1, test2, ...          steps without options
  #   # step: test: NAME, parameters: {...}   (or options: {...}) one step with options
  #   # qc: KEY: VALUE                     extra qc: keys (max_gap_factor...)
  plat=$(sed -n 's/^# platform: *//p' "$log" | head -n 1)
  [ -n "$plat" ] || { echo "FAIL: $name: no '# platform:' header line"; failed=$((failed + 1)); continue; }
  read -r pid_ kw1 kind kw2 interval kw3 params <<< "$plat"
  if [ "$kw1" != kind ] || [ "$kw2" != interval_s ] || [ "$kw3" != parameters ]; then
    echo "FAIL: $name: bad '# platform:' line: $plat"; failed=$((failed + 1)); continue
  fi
  plist=$(echo $params | sed 's/ /, /g')
  pkeys=$(sed -n 's/^# platform-keys: *//p' "$log" | head -n 1)
  port=$(free_port)
  {
    echo "storage: {path: $work/db}"
    echo "daemon: {future_tolerance_s: 300}"
    echo "ingest:"
    echo "  - {bind: \"tcp://127.0.0.1:$port\", format: json}"
    echo "platforms:"
    echo "  - {id: $pid_, kind: $kind, interval_s: $interval, parameters: [$plist]${pkeys:+, $pkeys}}"
    echo "qc:"
    echo "  hold_timeout_s: 0.5"
    sed -n 's/^# qc: *//p' "$log" | sed 's/^/  /'
    echo "  chains:"
    echo "    $kind:"
    # Steps in header order: a '# chain:' line gives several, a '# step:' line one.
    grep -E '^# (chain|step):' "$log" | while IFS= read -r h; do
      case "$h" in
        "# chain:"*) echo "${h#"# chain:"}" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -v '^$' |
                       sed 's/^/      - test: /' ;;
        "# step:"*) s=${h#"# step:"}; echo "      - {${s# }}" ;;
      esac
    done
  } > "$work/vigie.yaml"
  grep -v '^#' "$log" | grep -v '^[[:space:]]*$' > "$work/stream" || true
  nsamples=$(wc -l < "$work/stream")

  "$VIGIE" run -c "$work/vigie.yaml" 2> "$work/daemon.log" &
  pid=$!
  for _ in $(seq 1 100); do
    grep -qs "vigie running" "$work/daemon.log" && break
    kill -0 $pid 2>/dev/null || break; sleep 0.1
  done
  if ! kill -0 $pid 2>/dev/null; then
    echo "FAIL: $name: the daemon did not start:"; sed 's/^/  /' "$work/daemon.log"; cat "$work/vigie.yaml"
    pid=""; failed=$((failed + 1)); continue
  fi
  # All lines in one message: one batch, so no sample waits for its successor between two
  # messages (a wait longer than hold_timeout_s would make it an edge).
  "$PY" - "$port" "$work/stream" <<'PYEOF'
import sys, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
s.send(open(sys.argv[2], "rb").read().rstrip(b"\n"))
s.close(linger=10000); ctx.term()
PYEOF
  # Wait until every sample is stored or quarantined (distinct times + quarantined frames).
  for _ in $(seq 1 100); do
    n=$("$VIGIE" dump -s "$work/db" --platform "$pid_" --format csv | tail -n +2 | cut -d, -f2 | sort -u | wc -l)
    q=$("$VIGIE" dump -s "$work/db" --quarantine | wc -l)
    [ $((n + q)) -ge "$nsamples" ] && break; sleep 0.1
  done
  kill -TERM $pid; rc=0; wait $pid || rc=$?; pid=""
  if [ $rc -ne 0 ]; then
    # A daemon that does not stop cleanly (a crash, a sanitizer report) fails the log.
    echo "FAIL: $name: the daemon exited with status $rc:"; tail -n 30 "$work/daemon.log"
    failed=$((failed + 1)); continue
  fi
  # One line per sample, in time order: time, then PARAM=aggregate(test=flag,...) in dump
  # order, then pos=pos_flag time=time_flag; then the quarantined frames.
  "$VIGIE" dump -s "$work/db" --platform "$pid_" --format csv | tail -n +2 | sort -t, -k2,2 -s |
    awk -F, '{ if ($2 != t) { if (t != "") print line " pos=" pos " time=" tf; t = $2; line = $2; pos = $8; tf = $9 }
               tests = $10; gsub(";", ",", tests)
               line = line " " $3 "=" $5 "(" tests ")" }
             END { if (t != "") print line " pos=" pos " time=" tf }' > "$work/out"
  "$VIGIE" dump -s "$work/db" --quarantine | awk -F'\t' '{print "quarantine " $3 ": " $4}' >> "$work/out"
  # Stream = batch (docs/qc.md): the same lines through `vigie qc`, in one go, must give
  # every stored value the flags the daemon gave it, per test and aggregate, and the same
  # position and time flags. (Exit 1 means bad rows: only right when frames were quarantined.)
  brc=0; "$VIGIE" qc -q -c "$work/vigie.yaml" -f json "$work/stream" -o "$work/batch.csv" \
    2> "$work/batch.err" || brc=$?
  if [ $brc -ne 0 ] && ! { [ $brc -eq 1 ] && grep -q '^quarantine ' "$work/out"; }; then
    echo "FAIL: $name: vigie qc exited with status $brc:"; head -n 20 "$work/batch.err"
    failed=$((failed + 1)); continue
  fi
  if ! "$PY" - "$work/out" "$work/batch.csv" > "$work/batch.diff" <<'PYEOF'
import csv, sys
# Normal form of a sample: time, then for each value the daemon stored (sorted by code):
# CODE=aggregate and its non-zero per-test flags sorted by name; then pos and time flags.
def norm(time, vals, pos, tf):
    return " ".join([time] + ["%s=%s(%s)" % (p, a, ",".join(sorted(t))) for p, (a, t) in sorted(vals.items())]
                    + ["pos=%s" % pos, "time=%s" % tf])
stream = {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "quarantine": continue
    vals = {}
    for x in f[1:-2]:
        p, rest = x.split("=", 1); a, t = rest[:-1].split("(", 1)
        vals[p] = (a, [y for y in t.split(",") if y])
    stream[f[0]] = (vals, f[-2][4:], f[-1][5:])
rows = list(csv.reader(open(sys.argv[2])))
head, bad = rows[0], 0
for r in rows[1:]:
    d = dict(zip(head, r)); t = d["time"]
    if t not in stream:
        print("batch only: " + t); bad += 1; continue
    vals, pos, tf = stream.pop(t)
    got = {}
    for p in vals:   # the values the daemon stored; an absent one is empty in the CSV
        tests = ["%s=%s" % (k[len(p) + 4:], d[k]) for k in head
                 if k.startswith(p + "_qc_") and d[k] not in ("", "0")]
        got[p] = (d.get(p + "_qc", "?"), tests)
    a, b = norm(t, vals, pos, tf), norm(t, got, d["position_qc"], d["time_qc"])
    if a != b:
        print("stream: " + a + "\nbatch:  " + b); bad += 1
for t in stream:
    print("stream only: " + t); bad += 1
sys.exit(1 if bad else 0)
PYEOF
  then
    echo "FAIL: $name: stream and batch (vigie qc) differ:"; head -n 20 "$work/batch.diff"
    failed=$((failed + 1)); continue
  fi
  if [ $rebuild -eq 1 ]; then
    cp "$work/out" "$log.chk"; echo "rebuilt: $name.log.chk ($(wc -l < "$work/out") lines)"
  elif [ ! -f "$log.chk" ]; then
    failed=$((failed + 1)); echo "FAIL: $name: no $name.log.chk (run with -b, then review it)"; cat "$work/out"
  elif diff -u "$log.chk" "$work/out" > "$work/diff"; then
    passed=$((passed + 1)); echo "ok: $name ($(wc -l < "$work/out") lines as expected)"
  else
    failed=$((failed + 1)); echo "FAIL: $name differs from $name.log.chk:"; head -n 60 "$work/diff"
  fi
done
echo "gosud logs: $passed passed, $failed failed"
[ $failed -eq 0 ]
