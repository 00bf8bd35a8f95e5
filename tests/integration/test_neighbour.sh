#!/usr/bin/env bash
# test_neighbour.sh: the wl_neighbour test against a nearby gauge through the real daemon
# (ZeroMQ loopback, a real store): gauge A names B as its platforms[].neighbour; B's hourly
# samples are stamped 30 s after A's, on another datum; frames go in arrival order (B's
# before A's). A's SLEV is judged against B's sample nearest in time (tolerance 120 s) after
# the datum offset is removed: A's 4 cm blip -> 3, its 8 cm one -> 4, a step with no B
# sample near it -> not judged, B itself (no neighbour) -> not judged.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module zmq

P_JSON=$(free_port)
DB="$TMP/db"
cat > "$TMP/vigie.yaml" <<YAML
storage: {path: $DB, commit_interval_ms: 20}
ingest:
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
platforms:
  - {id: A, kind: tide_gauge, interval_s: 3600, parameters: [SLEV], neighbour: B,
     position: [48.38, -4.49]}
  - {id: B, kind: tide_gauge, interval_s: 3600, parameters: [SLEV], position: [48.37, -4.50]}
qc:
  chains:
    tide_gauge:
      - test: wl_neighbour
        parameters: {SLEV: {reference: neighbour, tolerance_s: 120}}
YAML
check "config check accepts platforms[].neighbour" "$VIGIE" config check "$TMP/vigie.yaml"
sed 's/neighbour: B,/neighbour: Z,/' "$TMP/vigie.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "an unknown neighbour: FILE:LINE error ($out)" \
  grep -q "bad.yaml:5: platforms\[\].neighbour 'Z' of 'A' is not a configured platform" <<<"$out"

# 48 hours; a 2 m semidiurnal tide both gauges see; A's datum 3.2 m, B's 1.7 m; 1 mm noise
$PY - "$TMP/frames.jsonl" <<'PYEOF'
import datetime, math, random, sys
random.seed(3)
t0 = datetime.datetime(2026, 3, 1)
def tide(t):
    h = (t - t0).total_seconds() / 3600.0
    return 1.0 * math.cos(2 * math.pi * h / 12.42)
with open(sys.argv[1], 'w') as out:
    for i in range(48):
        ta = t0 + datetime.timedelta(hours=i)
        tb = ta + datetime.timedelta(seconds=30)
        if i != 30:   # B has no sample near A's 30th
            out.write('{"platform":"B","time":"%sZ","values":{"SLEV":%.4f}}\n'
                      % (tb.isoformat(), 1.7 + tide(tb) + random.gauss(0, 0.001)))
        blip = 0.04 if i == 10 else 0.08 if i == 20 else 0.0
        out.write('{"platform":"A","time":"%sZ","values":{"SLEV":%.4f}}\n'
                  % (ta.isoformat(), 3.2 + tide(ta) + blip + random.gauss(0, 0.001)))
PYEOF
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
$PY - "$P_JSON" "$TMP/frames.jsonl" <<'PYEOF'
import sys, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
for line in open(sys.argv[2]).read().split('\n'):
    if line:
        s.send(line.encode())
s.close(linger=30000); ctx.term()
PYEOF
n=$(wait_for_count "$DB" A SLEV 47)
check "A's samples stored ($n)" [ "$n" -ge 47 ]
stop_daemon
check_eq "daemon exits 0 on SIGTERM" 0 "$DAEMON_RC"
"$VIGIE" dump -s "$DB" --platform A --param SLEV > "$TMP/a.csv"
flag_at() { awk -F, -v t="$1" '$2==t {print $10}' "$TMP/a.csv" | tr ';' '\n' | sed -n 's/^wl_neighbour=//p'; }
check_eq "A's 4 cm blip: suspect" 3 "$(flag_at 2026-03-01T10:00:00Z)"
check_eq "A's 8 cm blip: fail" 4 "$(flag_at 2026-03-01T20:00:00Z)"
check_eq "no B sample within 120 s: not judged" "" "$(flag_at 2026-03-02T06:00:00Z)"
check_eq "before min_count pairs: not judged" "" "$(flag_at 2026-03-01T02:00:00Z)"
passed=$(grep -c 'wl_neighbour=1' "$TMP/a.csv" || true)
check_eq "every other sample of A from the 4th passes" 42 "$passed"
check_eq "B (no neighbour) is not judged" 0 \
  "$("$VIGIE" dump -s "$DB" --platform B --param SLEV | grep -c 'wl_neighbour=' || true)"
check "no sanitizer report in the daemon's log" \
  bash -c "! grep -Eq 'Sanitizer|runtime error' '$TMP/daemon.log'"
finish
