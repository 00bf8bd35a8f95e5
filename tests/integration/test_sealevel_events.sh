#!/usr/bin/env bash
# test_sealevel_events.sh: the sea-level events through the real daemon. A synthetic pressure
# tide gauge (BPRS and ATMS, no SLEV: the daemon computes it) of 40 days of hourly data, its
# tide from a hand-written constituents file, with a 0.3 m spike on day 5, a datum shift of
# +8 cm from day 25 and a clock 4 minutes fast from day 34, is pushed over ZeroMQ. The test checks the computed sea
# level, the events in the store (vigie dump --events: each problem once, where and as large
# as injected, the clock within 1 minute), on the PUB socket (topic "!event:PPT") and in the
# log, and the flags of the datum_shift and clock_offset tests on the following samples. The
# daemon is restarted after day 23: its watch goes on from the stored sea level.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module zmq

P_JSON=$(free_port); P_PUB=$(free_port)
DB="$TMP/db"
cat > "$TMP/ppt.yaml" <<'YAML'
station: Synthetic island gauge
latitude: -17.53
units: m
phase: greenwich
z0: 1.5
constituents:
  - {name: M2, amplitude: 0.50, phase: 100.0}
  - {name: S2, amplitude: 0.20, phase: 130.0}
  - {name: N2, amplitude: 0.10, phase: 80.0}
  - {name: K1, amplitude: 0.15, phase: 210.0}
  - {name: O1, amplitude: 0.10, phase: 195.0}
YAML
cat > "$TMP/vigie.yaml" <<YAML
daemon:
  publish: tcp://127.0.0.1:$P_PUB
storage:
  path: $DB
  commit_interval_ms: 20
ingest:
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
platforms:
  - {id: PPT, kind: tide_gauge, interval_s: 3600, parameters: [SLEV, BPRS, ATMS],
     position: [-17.53, -149.57], constituents: $TMP/ppt.yaml, sensor_level_m: -8.0}
qc:
  chains:
    tide_gauge:
      - test: global_range
        parameters: {SLEV: {min: -5, max: 10}, ATMS: {min: 850, max: 1090}}
      - test: datum_shift
      - test: clock_offset
YAML
check "config check accepts the pressure gauge" "$VIGIE" config check "$TMP/vigie.yaml"

# The tide every minute, then the gauge: SLEV = tide(t - clock) + shift + 3 mm noise, from
# a sensor 8 m below the datum under a varying air pressure (rho 1025, WGS84 gravity).
"$VIGIE" tide predict "$TMP/ppt.yaml" --from 2026-01-01T00:00:00Z --to 2026-02-09T23:59:00Z \
  --step 60 -o "$TMP/pred.csv"
$PY - "$TMP/pred.csv" "$TMP/frames.jsonl" "$TMP/truth.csv" <<'PYEOF'
import math, random, sys
random.seed(11)
pred = {}
for line in open(sys.argv[1]).read().split('\n')[1:]:
    if line:
        t, h = line.split(','); pred[t] = float(h)
keys = sorted(pred)
lat = math.radians(-17.53); s2 = math.sin(lat) ** 2
g = 9.7803253359 * (1 + 0.00193185265241 * s2) / math.sqrt(1 - 0.00669437999013 * s2)
out = open(sys.argv[2], 'w'); truth = open(sys.argv[3], 'w')
for i in range(40 * 24):
    day = i // 24
    t = keys[i * 60]
    lag = 4 if day >= 34 else 0            # the clock is 4 minutes fast: the tide of t - 4 min
    slev = pred[keys[i * 60 - lag]] + (0.08 if day >= 25 else 0.0) + random.gauss(0, 0.003)
    if i == 5 * 24 + 6:
        slev += 0.3                        # a spike on 2026-01-06T06:00Z
    atms = round(1013 + 8 * math.sin(2 * math.pi * i / 120.0), 1)
    bprs = round(((slev + 8.0) * 1025 * g + atms * 100) / 1e4, 5)
    slev_exact = (bprs * 1e4 - atms * 100) / (1025 * g) - 8.0
    out.write('{"platform":"PPT","time":"%s","values":{"BPRS":%.5f,"ATMS":%.1f}}\n' % (t, bprs, atms))
    truth.write('%s,%.6f\n' % (t, slev_exact))
PYEOF
check_eq "960 hourly frames" 960 "$(wc -l < "$TMP/frames.jsonl")"

start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
pass "daemon started"

# A subscriber on the PUB socket keeps the event messages (topic, payload).
$PY - "$P_PUB" "$TMP/published.txt" <<'PYEOF' &
import os, sys, time, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.SUB)
s.setsockopt(zmq.RCVHWM, 0); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
s.setsockopt(zmq.SUBSCRIBE, b"")
out = open(sys.argv[2], "w"); stop = sys.argv[2] + ".stop"; t0 = time.time()
while time.time() - t0 < 120:
    if s.poll(200):
        topic, msg = s.recv_multipart(); out.write(topic.decode() + " " + msg.decode() + "\n"); out.flush()
    elif os.path.exists(stop):
        break
PYEOF
SUB_PID=$!

# push FROM TO: send frames [FROM, TO) of the record. The subscription must reach the
# publisher before the first event: frames go one at a time until the subscriber has
# received a sample published after this call began (at most the first 3 days), then in
# messages of a day.
cat > "$TMP/push.py" <<'PYEOF'
import os, sys, time, zmq
port, frames, pub, a, b = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
def published():
    return open(pub).read().count('\n') if os.path.exists(pub) else 0
ctx = zmq.Context(); s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % port)
lines = [l for l in open(frames).read().split('\n') if l][a:b]
base = published(); i = 0; t0 = time.time()
while i < min(72, len(lines)) and published() <= base:
    s.send(lines[i].encode()); i += 1
    time.sleep(0.05)
while published() <= base and time.time() - t0 < 60:
    time.sleep(0.05)
for k in range(i, len(lines), 24):
    s.send('\n'.join(lines[k:k + 24]).encode())
s.close(linger=10000); ctx.term()
PYEOF
push() { $PY "$TMP/push.py" "$P_JSON" "$TMP/frames.jsonl" "$TMP/published.txt" "$1" "$2"; }

# Days 0-23, then a restart: the new daemon seeds its watch from the store, so the shift of
# day 25 is found although the new process has seen only 15 days (20 are needed).
push 0 576
n=$(wait_for_count "$DB" PPT SLEV 575)
check "days 0-23 stored before the restart ($n)" [ "$n" -ge 575 ]
stop_daemon
check_eq "daemon exits 0 on SIGTERM" 0 "$DAEMON_RC"
start_daemon "$TMP/vigie.yaml" || { fail "daemon restart"; finish; exit; }
push 576 960
n=$(wait_for_count "$DB" PPT SLEV 959)
check "the stored samples have SLEV ($n)" [ "$n" -ge 959 ]

# events: poll the store until both are there (the last analysis runs on the last day)
for _ in $(seq 1 300); do
  "$VIGIE" dump -s "$DB" --events > "$TMP/events.csv"
  grep -q ",clock_offset," "$TMP/events.csv" && break
  sleep 0.1
done
cat "$TMP/events.csv"
check_eq "one datum-shift event" 1 "$(grep -c ',datum_shift,' "$TMP/events.csv")"
check_eq "one clock-offset event" 1 "$(grep -c ',clock_offset,' "$TMP/events.csv")"
check_eq "one spike event, at the spike" "PPT,SLEV,spike,2026-01-06T06:00:00Z,2026-01-06T06:00:00Z" \
  "$(grep ',spike,' "$TMP/events.csv" | cut -d, -f1-5)"
spike_m=$(grep ',spike,' "$TMP/events.csv" | cut -d, -f7)
check "the spike is +0.3 m within 3 cm ($spike_m m)" $PY -c "import sys; sys.exit(abs($spike_m - 0.3) > 0.03)"
check_eq "the shift starts on the day it was injected" "PPT,SLEV,datum_shift,2026-01-26T00:00:00Z" \
  "$(grep ',datum_shift,' "$TMP/events.csv" | cut -d, -f1-4)"
shift_m=$(grep ',datum_shift,' "$TMP/events.csv" | cut -d, -f7)
check "the shift is +8 cm within 1 cm ($shift_m m)" $PY -c "import sys; sys.exit(abs($shift_m - 0.08) > 0.01)"
clock_min=$(grep ',clock_offset,' "$TMP/events.csv" | cut -d, -f7)
check "the clock offset is 4 minutes within 1 ($clock_min min)" \
  $PY -c "import sys; sys.exit(abs($clock_min - 4) > 1)"
check_eq "units" "m min" "$(grep ',datum_shift,' "$TMP/events.csv" | cut -d, -f8) $(grep ',clock_offset,' "$TMP/events.csv" | cut -d, -f8)"
"$VIGIE" dump -s "$DB" --events --platform PPT --format json > "$TMP/events.jsonl"
check_eq "dump --events --format json: one object per event" 3 "$(wc -l < "$TMP/events.jsonl")"
check "the JSON form names kind, units and text" grep -q '"kind":"datum_shift".*"units":"m","score":[0-9.]*,"text":"PPT: datum shift' "$TMP/events.jsonl"
check_eq "no event of another platform" 0 "$("$VIGIE" dump -s "$DB" --events --platform OTHER | tail -n +2 | wc -l)"

# published and logged
for _ in $(seq 1 100); do
  [ "$(grep -c '^!event:PPT {' "$TMP/published.txt" 2>/dev/null || true)" -ge 3 ] && break
  sleep 0.1
done
touch "$TMP/published.txt.stop"; wait "$SUB_PID" || true
check "samples published under their platform" grep -q '^PPT {' "$TMP/published.txt"
check_eq "the three events published under !event:PPT" 3 "$(grep -c '^!event:PPT {"platform":"PPT"' "$TMP/published.txt")"
check "the log says so" grep -q "event datum_shift PPT 2026-01-26T00:00:00Z" "$TMP/daemon.log"
check "the start-up says the gauge is watched" grep -q "platform PPT: daily datum-shift and clock-offset watch on SLEV" "$TMP/daemon.log"
check "the log has the clock" grep -q "event clock_offset PPT .*the clock is fast by" "$TMP/daemon.log"

check_eq "the spike before the restart, nothing repeated after it" 3 "$(grep -c ' event ' "$TMP/daemon.log")"

# SLEV computed from the pressures, within 0.1 mm of the hand computation
"$VIGIE" dump -s "$DB" --platform PPT --param SLEV > "$TMP/slev.csv"
worst=$($PY - "$TMP/truth.csv" "$TMP/slev.csv" <<'PYEOF'
import sys
truth = dict(l.strip().split(',') for l in open(sys.argv[1]))
w = 0; n = 0
for l in open(sys.argv[2]).read().split('\n')[1:]:
    if l:
        f = l.split(','); w = max(w, abs(float(f[3]) - float(truth[f[1]]))); n += 1
print("%d %.6f" % (n, w))
PYEOF
)
check "SLEV = (BPRS - ATMS) / (rho g) + sensor level, to 0.1 mm ($worst)" \
  $PY -c "import sys; n, w = '$worst'.split(); sys.exit(int(n) < 959 or float(w) > 1e-4)"

# flags: datum_shift 3 on the samples after the analysis that found it (Jan 28) and 1 before
# the shift; clock_offset 3 on the last day, 1 before the clock changed
flag_of() { awk -F, -v t="$1" -v k="$2" '$2==t {n=split($10,a,";"); for(i=1;i<=n;i++){split(a[i],b,"="); if(b[1]==k) print b[2]}}' "$TMP/slev.csv"; }
check_eq "datum_shift not judged before a lunar month of reference" "" "$(flag_of 2026-01-10T12:00:00Z datum_shift)"
check_eq "datum_shift before the shift, once judged" 1 "$(flag_of 2026-01-24T12:00:00Z datum_shift)"
check_eq "datum_shift after its detection" 3 "$(flag_of 2026-01-28T12:00:00Z datum_shift)"
check_eq "clock_offset before the change" 1 "$(flag_of 2026-02-01T12:00:00Z clock_offset)"
check_eq "clock_offset on the last day" 3 "$(flag_of 2026-02-09T12:00:00Z clock_offset)"
check_eq "SLEV aggregate follows (3)" 3 "$(awk -F, '$2=="2026-02-09T12:00:00Z"{print $5}' "$TMP/slev.csv")"

# stream = batch: vigie qc on the same frames raises the same events (standard error) and
# flags the same samples (one pass, no restart)
"$VIGIE" qc -c "$TMP/vigie.yaml" "$TMP/frames.jsonl" -o "$TMP/batch.csv" 2> "$TMP/batch.err"
check_eq "vigie qc reports the three events" 3 "$(grep -c '^vigie qc: event {"platform":"PPT"' "$TMP/batch.err")"
col() { head -1 "$TMP/batch.csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
cd_=$(col SLEV_qc_datum_shift); cc_=$(col SLEV_qc_clock_offset)
# (the daemon's last sample waits for its successor: compare the 959 stored before it)
batch_flags=$(head -n 960 "$TMP/batch.csv" | awk -F, -v a="$cd_" -v b="$cc_" 'NR > 1 {print $a $b}' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
daemon_flags=$(awk -F, 'NR > 1 {d = 0; c = 0; n = split($10, x, ";"); for (i = 1; i <= n; i++) { split(x[i], y, "="); if (y[1] == "datum_shift") d = y[2]; if (y[1] == "clock_offset") c = y[2] } print d c}' "$TMP/slev.csv" | sort | uniq -c | tr -s ' ' | tr '\n' ';')
check_eq "vigie qc flags datum_shift and clock_offset as the daemon did (counts per pair)" \
  "$daemon_flags" "$batch_flags"

stop_daemon
check_eq "daemon exits 0 on SIGTERM" 0 "$DAEMON_RC"
check "no sanitizer report in the daemon's log" \
  bash -c "! grep -Eq 'Sanitizer|runtime error' '$TMP/daemon.log'"
finish
