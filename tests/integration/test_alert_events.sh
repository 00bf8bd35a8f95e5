#!/usr/bin/env bash
# test_alert_events.sh: sea-level events mailed by `type: event` alert rules, end to end: the
# real daemon on the synthetic pressure tide gauge of test_sealevel_events.sh (40 days, a
# spike on day 5, a datum shift of +8 cm from day 25, a clock 4 minutes fast from day 34),
# a real SMTP server (python3-aiosmtpd, smtp_sink.py). Checks: exactly one mail per event
# and rule, to the right recipients, saying what the event means and how to look at it; a
# restart in the middle, then a restart and a replay of the last 10 days (the analysis
# finds the clock offset again): no second mail.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module zmq
require_python_module aiosmtpd

SINK_PID=""
stop_sink() {
  if [ -n "$SINK_PID" ]; then kill -TERM "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; fi
  SINK_PID=""
}
trap 'stop_sink; cleanup' EXIT

P_JSON=$(free_port); P_SMTP=$(free_port)
DB="$TMP/db"; MAIL="$TMP/mail"
mkdir -p "$MAIL"
$PY "$here/smtp_sink.py" "$P_SMTP" "$MAIL" 2>>"$TMP/sink.log" &
SINK_PID=$!
for _ in $(seq 1 100); do [ -f "$MAIL/ready" ] && break; sleep 0.1; done
check "SMTP server ready" [ -f "$MAIL/ready" ]

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
  log_level: info
storage:
  path: $DB
  commit_interval_ms: 20
ingest:
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
platforms:
  - {id: PPT, kind: tide_gauge, name: "Island gauge", interval_s: 3600,
     parameters: [SLEV, BPRS, ATMS], position: [-17.53, -149.57], constituents: $TMP/ppt.yaml,
     sensor_level_m: -8.0, pi: [tide.pi@example.org]}
qc:
  chains:
    tide_gauge:
      - test: global_range
        parameters: {SLEV: {min: -5, max: 10}, ATMS: {min: 850, max: 1090}}
      - test: datum_shift
      - test: clock_offset
alerts:
  enabled: true
  smtp_host: 127.0.0.1
  smtp_port: $P_SMTP
  from: vigie@example.org
  smtp: {starttls: off, timeout_s: 5, retry_base_s: 0.5, retry_max_s: 1}
  templates: {html: true}
  rules:
    - {name: sealevel, type: event, events: [datum_shift, clock_offset], kind: tide_gauge,
       parameters: [SLEV], recipients: [ops@example.org]}
    - {name: spikes, type: event, events: [spike], platform: PPT, pi: false,
       recipients: [qc@example.org]}
YAML
check "config check accepts event rules" "$VIGIE" config check "$TMP/vigie.yaml"
sed 's/events: \[spike\]/events: [spikes]/' "$TMP/vigie.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "unknown event kind: FILE:LINE error ($out)" grep -q "bad.yaml:[0-9]*: rules\[\].events: unknown event kind 'spikes'" <<<"$out"
sed 's/events: \[spike\], //' "$TMP/vigie.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "event rule without events: error ($out)" grep -q "bad.yaml:[0-9]*: rule spikes: events is required" <<<"$out"
sed 's/type: event, events: \[spike\]/type: event, events: [spike], test: spike/' "$TMP/vigie.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "test in an event rule: error ($out)" grep -q "bad.yaml:[0-9]*: rules\[\].test applies to consecutive and fraction rules only, not event" <<<"$out"

# The gauge, as in test_sealevel_events.sh: SLEV = tide(t - clock) + shift + 3 mm noise,
# from a sensor 8 m below the datum under a varying air pressure.
"$VIGIE" tide predict "$TMP/ppt.yaml" --from 2026-01-01T00:00:00Z --to 2026-02-09T23:59:00Z \
  --step 60 -o "$TMP/pred.csv"
$PY - "$TMP/pred.csv" "$TMP/frames.jsonl" <<'PYEOF'
import math, random, sys
random.seed(11)
pred = {}
for line in open(sys.argv[1]).read().split('\n')[1:]:
    if line:
        t, h = line.split(','); pred[t] = float(h)
keys = sorted(pred)
lat = math.radians(-17.53); s2 = math.sin(lat) ** 2
g = 9.7803253359 * (1 + 0.00193185265241 * s2) / math.sqrt(1 - 0.00669437999013 * s2)
out = open(sys.argv[2], 'w')
for i in range(40 * 24):
    day = i // 24
    t = keys[i * 60]
    lag = 4 if day >= 34 else 0
    slev = pred[keys[i * 60 - lag]] + (0.08 if day >= 25 else 0.0) + random.gauss(0, 0.003)
    if i == 5 * 24 + 6:
        slev += 0.3
    atms = round(1013 + 8 * math.sin(2 * math.pi * i / 120.0), 1)
    bprs = round(((slev + 8.0) * 1025 * g + atms * 100) / 1e4, 5)
    out.write('{"platform":"PPT","time":"%s","values":{"BPRS":%.5f,"ATMS":%.1f}}\n' % (t, bprs, atms))
PYEOF
check_eq "960 hourly frames" 960 "$(wc -l < "$TMP/frames.jsonl")"

# push FROM TO: send frames [FROM, TO) in messages of a day.
push() {
  $PY - "$P_JSON" "$TMP/frames.jsonl" "$1" "$2" <<'PYEOF'
import sys, zmq
port, frames, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ctx = zmq.Context(); s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % port)
lines = [l for l in open(frames).read().split('\n') if l][a:b]
for k in range(0, len(lines), 24):
    s.send('\n'.join(lines[k:k + 24]).encode())
s.close(linger=30000); ctx.term()
PYEOF
}
# mails_of KIND: the mails about events of KIND received so far
mails_of() { grep -l "^X-Vigie-Event: $1" "$MAIL"/*.eml 2>/dev/null | wc -l; }
wait_mail() { # wait_mail KIND N: 60 s at most
  for _ in $(seq 1 600); do [ "$(mails_of "$1")" -ge "$2" ] && return 0; sleep 0.1; done
  return 1
}
# wait_idle: the outbox holds no mail (every queued mail was accepted)
wait_idle() {
  for _ in $(seq 1 600); do
    [ "$("$VIGIE" alerts list -s "$DB" 2>/dev/null | tail -n +2 | wc -l)" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

# restart: stop, start again, wait until this daemon runs (the log is the same file)
restart() {
  stop_daemon
  check_eq "daemon exits 0 on SIGTERM" 0 "$DAEMON_RC"
  local runs; runs=$(grep -c "vigie running" "$TMP/daemon.log")
  start_daemon "$TMP/vigie.yaml" || return 1
  for _ in $(seq 1 600); do
    [ "$(grep -c "vigie running" "$TMP/daemon.log")" -gt "$runs" ] && return 0; sleep 0.1
  done
  return 1
}

# Days 0-29 (the spike and the datum shift), a restart, then days 30-39 (the clock).
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
push 0 720
check "the datum-shift mail arrives" wait_mail datum_shift 1
check "the spike mail arrives" wait_mail spike 1
restart || { fail "daemon restart"; finish; exit; }
check "the restart knows the events mailed" grep -q "alerts: 2 QC event(s) mailed before" "$TMP/daemon.log"
push 720 960
check "the clock-offset mail arrives" wait_mail clock_offset 1
n=$(wait_for_count "$DB" PPT SLEV 959)
check "every sample stored ($n)" [ "$n" -ge 959 ]
check "the outbox is empty" wait_idle

# Restart and replay the last 10 days: the daily analysis runs again over them.
events_before=$(grep -c ' event ' "$TMP/daemon.log")
restart || { fail "daemon restart"; finish; exit; }
push 720 960
for _ in $(seq 1 600); do
  [ "$(grep -c ' event ' "$TMP/daemon.log")" -gt "$events_before" ] && break; sleep 0.1
done
check "the replay finds the clock offset again" \
  bash -c "tail -n +$((events_before + 1)) <(grep ' event ' '$TMP/daemon.log') | grep -q 'event clock_offset PPT'"
found_again() {
  for _ in $(seq 1 600); do
    grep -q "event clock_offset on PPT (rule sealevel): found again, mailed already" "$TMP/daemon.log" && return 0
    sleep 0.1
  done
  return 1
}
check "... and says it was mailed already" found_again
check "the outbox is empty" wait_idle
stop_daemon
check_eq "daemon exits 0 on SIGTERM" 0 "$DAEMON_RC"
stop_sink

ls "$MAIL"/*.eml
check_eq "exactly one mail per event and rule" "1 1 1" "$(mails_of datum_shift) $(mails_of clock_offset) $(mails_of spike)"
check_eq "three mails in all" 3 "$(find "$MAIL" -name '*.eml' | wc -l)"
shift_mail=$(grep -l '^X-Vigie-Event: datum_shift' "$MAIL"/*.eml)
clock_mail=$(grep -l '^X-Vigie-Event: clock_offset' "$MAIL"/*.eml)
spike_mail=$(grep -l '^X-Vigie-Event: spike' "$MAIL"/*.eml)
rcpts() { grep '^X-Rcpt-To:' "$1" | cut -d' ' -f2 | tr -d '\r' | sort | tr '\n' ' '; }
check_eq "datum shift: to the PI and the rule's recipient" "ops@example.org tide.pi@example.org " "$(rcpts "$shift_mail")"
check_eq "spike: to the rule's recipient only (pi: false)" "qc@example.org " "$(rcpts "$spike_mail")"
check_eq "subject" "Subject: [vigie] PPT SLEV sealevel: datum_shift" "$(grep '^Subject:' "$shift_mail" | tr -d '\r')"
check "Message-ID names rule, platform, parameter, first time and kind" \
  grep -q '^Message-ID: <vigie.sealevel.PPT.SLEV.[0-9]*.datum_shift@example.org>' "$shift_mail"
check "the mail says what a datum shift means" grep -q "usually means the gauge or its zero moved" "$shift_mail"
check "the mail gives the step" grep -q "^The mean level stepped by +0.0[789][0-9]* m from 2026-01-26T00:00:00Z on" "$shift_mail"
check "the mail says what a clock offset means" grep -q "clock is.*fast by that much\|probably fast by that much" "$clock_mail"
check "the mail gives the command to look at the events" grep -q "vigie dump -c $TMP/vigie.yaml --events --platform PPT" "$shift_mail"
check "... and at the data from the event on" grep -q "vigie dump -c $TMP/vigie.yaml --platform PPT --param SLEV --from 2026-01-26T00:00:00Z" "$shift_mail"
# templates.html: Python's MIME parser sees a text and an HTML alternative of it
parts=$($PY - "$shift_mail" <<'PYEOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
kinds = [p.get_content_type() for p in m.walk()]
html = [p for p in m.walk() if p.get_content_type() == 'text/html'][0].get_payload(decode=True).decode()
plain = [p for p in m.walk() if p.get_content_type() == 'text/plain'][0].get_payload(decode=True).decode()
print(' '.join(kinds), 'same-text' if 'stepped by' in html and 'stepped by' in plain else 'differ')
PYEOF
)
check_eq "HTML alternative (templates.html)" "multipart/alternative text/plain text/html same-text" "$parts"
check "no sanitizer report in the daemon's log" \
  bash -c "! grep -Eq 'Sanitizer|runtime error' '$TMP/daemon.log'"
finish
