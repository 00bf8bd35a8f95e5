#!/usr/bin/env bash
# test_daemon.sh: the daemon end to end. A simulated TSG cruise with injected faults (raw
# SBE45 + NMEA) and a simulated tide gauge (JSON) are pushed over ZeroMQ to a real daemon;
# the test reads back what the store holds (counts, flags at the injected faults, raw frames,
# the quarantine), what the PUB socket published, and checks SIGHUP and SIGTERM behaviour.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module zmq

P_JSON=$(free_port); P_RAW=$(free_port); P_PUB=$(free_port)
DB="$TMP/db"
cat > "$TMP/vigie.yaml" <<YAML
daemon:
  log_level: info
  publish: tcp://127.0.0.1:$P_PUB
storage:
  path: $DB
  commit_interval_ms: 20
ingest:
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
  - {bind: "tcp://127.0.0.1:$P_RAW", format: sbe45_nmea, platform: SHIP1}
platforms:
  - {id: SHIP1, kind: tsg, interval_s: 10, parameters: [SSJT, CNDC, SSPS, SVEL, SPDC, HCRS]}
  - {id: TIDE1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV], position: [21.3, -157.9]}
qc:
  hold_timeout_s: 1
  chains:
    tsg:
      - test: impossible_date
      - test: impossible_location
      - test: impossible_speed
      - test: global_range
      - test: spike
      - test: stuck_value
        parameters:
          SSJT: {window_s: 3600}
      - test: gradient
    tide_gauge:
      - test: global_range
        parameters: {SLEV: {min: -5, max: 5}}
      - test: spike
        parameters: {SLEV: {threshold: 0.3}}
YAML
check "config check accepts the test configuration" "$VIGIE" config check "$TMP/vigie.yaml"

start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
pass "daemon started and bound 127.0.0.1:$P_JSON, :$P_RAW, publish :$P_PUB"

# A subscriber on the PUB socket collects every published sample.
$PY - "$P_PUB" "$TMP/published.jsonl" <<'PYEOF' &
import sys, zmq, time
ctx = zmq.Context(); s = ctx.socket(zmq.SUB)
s.setsockopt(zmq.RCVHWM, 0); s.connect("tcp://127.0.0.1:%s" % sys.argv[1]); s.setsockopt(zmq.SUBSCRIBE, b"")
out = open(sys.argv[2], "w"); stop = sys.argv[2] + ".stop"; t0 = time.time()
import os
while time.time() - t0 < 120:
    if s.poll(500):
        topic, msg = s.recv_multipart(); out.write(msg.decode() + "\n")
    elif os.path.exists(stop):
        break
out.close()
PYEOF
SUB_PID=$!
sleep 0.5   # let the subscription reach the publisher

SIM=(--kind tsg --format raw --platform SHIP1 --duration 6h --interval 10 --seed 7
     --spike 6 --stuck 120:90 --gap 300:20 --garbage 5)
"$VIGIE" simulate "${SIM[@]}" -o "$TMP/cruise.txt" --truth "$TMP/truth.csv"
"$VIGIE" simulate "${SIM[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 20
check_eq "simulate is deterministic" "$(md5sum < "$TMP/cruise.txt")" \
  "$("$VIGIE" simulate "${SIM[@]}" | md5sum)"
"$VIGIE" simulate --kind tide_gauge --platform TIDE1 --duration 10d --seed 3 --spike 2 \
  --truth "$TMP/tide_truth.csv" --endpoint "tcp://127.0.0.1:$P_JSON"

# Bad input, each of which must be quarantined with its reason, never crash the daemon.
$PY - "$P_JSON" <<'PYEOF'
import sys, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
for m in [b'{"platform":"NOPE","time":"2026-01-15T00:00:00Z","values":{"SLEV":1}}',
          b'{"platform":"TIDE1","time":"2099-01-01T00:00:00Z","values":{"SLEV":1}}',
          b'{"platform":"TIDE1","time":"2026-01-15T00:00:00Z","values":{"SLEV":1',
          b'\x00\xff\xfe garbage',
          b'{"platform":"TIDE1","time":"2026-02-30T00:00:00Z","values":{"SLEV":1}}']:
    s.send(m)
s.close(linger=5000); ctx.term()
PYEOF

n_lines=$(grep -cE "$SBE45_LINE" "$TMP/cruise.txt" || true)
n_stored=$(wait_for_count "$DB" SHIP1 SSJT "$n_lines")
check_eq "every SBE45 line is stored as one sample" "$n_lines" "$n_stored"
n_tide=$(wait_for_count "$DB" TIDE1 SLEV 240)
check_eq "every tide-gauge JSON line is stored" 240 "$n_tide"

"$VIGIE" dump -s "$DB" --platform SHIP1 --format csv > "$TMP/ship.csv"
"$VIGIE" dump -s "$DB" --platform SHIP1 --param SSJT --raw > "$TMP/ssjt_raw.csv"

# Spikes: every injected spike is flagged 4 by the spike test.
spikes=$(awk -F, '$4=="spike"{print $1","$3}' "$TMP/truth.csv")
n_spk=0; n_spk_ok=0
while IFS=, read -r t p; do
  [ -z "$t" ] && continue
  n_spk=$((n_spk + 1))
  if awk -F, -v t="$t" -v p="$p" '$2==t && $3==p && $10 ~ /spike=4/ {f=1} END{exit !f}' "$TMP/ship.csv"; then
    n_spk_ok=$((n_spk_ok + 1))
  else
    echo "spike at $t on $p not flagged:"; grep "$t" "$TMP/ship.csv" | grep ",$p," || true
  fi
done <<< "$spikes"
check "the simulator injected spikes" [ "$n_spk" -ge 6 ]
check_eq "every injected spike is flagged 4 by the spike test" "$n_spk" "$n_spk_ok"

# Stuck sensor: 90 min window with a 60 min test window -> flags in the last 30 min only,
# and nowhere outside the injected window.
stuck_first=$(awk -F, '$4=="stuck" && $3=="SSJT"{print $1; exit}' "$TMP/truth.csv")
stuck_last=$(awk -F, '$4=="stuck" && $3=="SSJT"{t=$1} END{print t}' "$TMP/truth.csv")
n_stuck=$(awk -F, '$3=="SSJT" && $10 ~ /stuck_value=4/' "$TMP/ship.csv" | wc -l)
n_stuck_out=$(awk -F, -v a="$stuck_first" -v b="$stuck_last" \
  '$3=="SSJT" && $10 ~ /stuck_value=4/ && ($2 < a || $2 > b)' "$TMP/ship.csv" | wc -l)
check "a stuck sensor is flagged ($n_stuck samples)" [ "$n_stuck" -ge 150 ] 
check_eq "no stuck flag outside the injected window" 0 "$n_stuck_out"

# Clean data stays good: outside faults, SSJT aggregate flags are 1 or 0 (edges).
n_bad_clean=$(awk -F, '$3=="SSJT" && $5 >= 3' "$TMP/ship.csv" | wc -l)
check "bad flags only where faults were injected ($n_bad_clean)" [ "$n_bad_clean" -le $((n_stuck + n_spk + 12)) ]

# Positions from the merged NMEA fixes, and the raw frame kept verbatim.
first_raw=$(grep -m1 -E "$SBE45_LINE" "$TMP/cruise.txt" | sed 's/,/\\x2c/g')
check_eq "the raw frame of the first sample is stored verbatim" "$first_raw" \
  "$(sed -n 2p "$TMP/ssjt_raw.csv" | awk -F, '{print $11}')"
n_nopos=$(awk -F, 'NR>1 && $3=="SSJT" && $6==""' "$TMP/ship.csv" | wc -l)
check_eq "every TSG sample has a position from the GPS" 0 "$n_nopos"

# Quarantine: 5 garbage lines from the simulator + 5 bad JSON messages.
"$VIGIE" dump -s "$DB" --quarantine > "$TMP/quarantine.tsv"
check_eq "every bad frame is quarantined" 10 "$(wc -l < "$TMP/quarantine.tsv")"
for reason in unknown_platform future parse range; do
  check "quarantine reason '$reason' recorded" grep -q "	$reason	" "$TMP/quarantine.tsv"
done
check "a binary frame is kept byte for byte" grep -q '\\x00\\xff\\xfe garbage' "$TMP/quarantine.tsv"
check "quarantine log line names source and reason" \
  grep -q "quarantined a frame from tcp://127.0.0.1:$P_JSON (unknown_platform" "$TMP/daemon.log"

# SIGHUP: an invalid file is refused and the daemon keeps running; a valid one is taken.
cp "$TMP/vigie.yaml" "$TMP/good.yaml"
echo "bogus_section: 1" >> "$TMP/vigie.yaml"
kill -HUP "$DAEMON_PID"; sleep 0.5
check "SIGHUP with an invalid file: rejected, named" grep -q "new configuration rejected.*bogus_section" "$TMP/daemon.log"
check "the daemon still runs after a rejected reload" kill -0 "$DAEMON_PID"
sed 's/log_level: info/log_level: debug/' "$TMP/good.yaml" > "$TMP/vigie.yaml"
kill -HUP "$DAEMON_PID"; sleep 0.5
check "SIGHUP with a valid file: reloaded" grep -q "configuration reloaded" "$TMP/daemon.log"
"$VIGIE" simulate --kind tide_gauge --platform TIDE1 --start 2026-02-01T00:00:00Z --duration 1d \
  --endpoint "tcp://127.0.0.1:$P_JSON"
check_eq "ingest goes on after the reload" 264 "$(wait_for_count "$DB" TIDE1 SLEV 264)"

stop_daemon
check_eq "SIGTERM: clean exit" 0 "$DAEMON_RC"
check "stop summary logged" grep -q "stopped: .* samples stored, 10 quarantined" "$TMP/daemon.log"
touch "$TMP/published.jsonl.stop"
wait "$SUB_PID" || true
n_pub=$(wc -l < "$TMP/published.jsonl")
check_eq "every stored sample was published" "$((n_lines + 264))" "$n_pub"
check "published samples are JSON with flags and per-test flags" $PY - "$TMP/published.jsonl" <<'PYEOF'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert d["platform"] in ("SHIP1", "TIDE1"), d
    assert "flags" in d and "values" in d, d
    if d["platform"] == "SHIP1":
        assert set(d["values"]) >= {"SSJT", "CNDC", "SSPS"}, d
        assert "spike" in d["tests"].get("SSJT", {}) or True
PYEOF

# After the stop the store is closed cleanly and reopens with everything in it.
check_eq "the store reopens with every sample" "$n_lines" \
  "$("$VIGIE" dump -s "$DB" --platform SHIP1 --param SSJT | tail -n +2 | wc -l)"
finish
