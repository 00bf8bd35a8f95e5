#!/usr/bin/env bash
# test_silence.sh: the `silence` event end to end, with the real daemon on ZeroMQ loopback,
# a real store and a real SMTP server (python3-aiosmtpd, smtp_sink.py): a gauge streams
# live samples (time = now), stops; with silence_after_s 2 the daemon's timer raises one
# silence event although no sample arrives (on the PUB socket under !event:TG1, in
# events.db, mailed by an `event` rule); the gauge resumes: a second event with the end
# (first = the last sample before, last = the first one back), stored over the first one in
# events.db, published, mailed as "silence ended". A platform never heard from raises none.
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

P_JSON=$(free_port); P_PUB=$(free_port); P_SMTP=$(free_port)
DB="$TMP/db"; MAIL="$TMP/mail"
mkdir -p "$MAIL"
$PY "$here/smtp_sink.py" "$P_SMTP" "$MAIL" 2>>"$TMP/sink.log" &
SINK_PID=$!
for _ in $(seq 1 100); do [ -f "$MAIL/ready" ] && break; sleep 0.1; done
check "SMTP server ready" [ -f "$MAIL/ready" ]

cat > "$TMP/vigie.yaml" <<YAML
daemon:
  log_level: info
  publish: "tcp://127.0.0.1:$P_PUB"
storage:
  path: $DB
  commit_interval_ms: 20
ingest:
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
platforms:
  - {id: TG1, kind: tide_gauge, interval_s: 0.25, parameters: [SLEV],
     position: [48.38, -4.49], silence_after_s: 2, pi: [tide.pi@example.org]}
  - {id: TG2, kind: tide_gauge, interval_s: 0.25, parameters: [SLEV],
     position: [48.38, -4.49], silence_after_s: 2}
alerts:
  enabled: true
  smtp_host: 127.0.0.1
  smtp_port: $P_SMTP
  from: vigie@example.org
  smtp: {starttls: off, timeout_s: 5, retry_base_s: 0.5, retry_max_s: 1}
  rules:
    - {name: silent_gauge, type: event, events: [silence], kind: tide_gauge}
YAML
check "config check accepts silence_after_s" "$VIGIE" config check "$TMP/vigie.yaml"
sed 's/silence_after_s: 2, pi/silence_after_s: -1, pi/' "$TMP/vigie.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "silence_after_s out of range: FILE:LINE error ($out)" \
  grep -q "bad.yaml:[0-9]*: platforms\[\].silence_after_s" <<<"$out"

start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }

# One Python process is the gauge and the subscriber: it streams 8 live samples 0.25 s
# apart, stops until the silence event arrives on PUB (60 s at most), sends again and waits
# for the second event, checks that 3 s of regular samples raise nothing, then goes on
# sending every 0.25 s until $TMP/stop exists (so that no new silence starts before the
# daemon is stopped). It prints the times it sent (before, after) and each event.
$PY - "$P_JSON" "$P_PUB" "$TMP/stop" > "$TMP/run.out" 2> "$TMP/run.err" <<'PYEOF' &
import datetime, json, os, sys, time, zmq
ctx = zmq.Context()
sub = ctx.socket(zmq.SUB); sub.connect("tcp://127.0.0.1:%s" % sys.argv[2])
sub.setsockopt(zmq.SUBSCRIBE, b"!event:TG1")
push = ctx.socket(zmq.PUSH); push.connect("tcp://127.0.0.1:%s" % sys.argv[1])
time.sleep(0.5)  # the subscription reaches the daemon before anything can be published
def stamp():
    t = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
def send(n):
    last = None
    for i in range(n):
        last = stamp()
        push.send(('{"platform":"TG1","time":"%s","values":{"SLEV":%.3f}}' % (last, 1 + 0.01 * i)).encode())
        time.sleep(0.25)
    return last
def event(timeout_s):
    if sub.poll(timeout_s * 1000):
        topic, body = sub.recv_multipart()
        return json.loads(body)
    return None
def regular(seconds):
    """Samples every 0.25 s for `seconds`; the first event published meanwhile, or None."""
    end = time.time() + seconds
    while time.time() < end:
        send(1)
        if sub.poll(0):
            return event(0)
    return None
first_batch_end = send(8)
t0 = time.time()
ev1 = event(60)
print("LAST_BEFORE", first_batch_end)
print("WAITED %.1f" % (time.time() - t0))
print("EVENT1", json.dumps(ev1))
# the gauge is back
t_back = stamp()
push.send(('{"platform":"TG1","time":"%s","values":{"SLEV":1.5}}' % t_back).encode())
print("FIRST_BACK", t_back)
ev2 = event(60)
print("EVENT2", json.dumps(ev2))
print("EXTRA", json.dumps(regular(3)), flush=True)  # nothing more: it reports again
while not os.path.exists(sys.argv[3]):
    send(1)
PYEOF
GAUGE_PID=$!
for _ in $(seq 1 1500); do grep -q '^EXTRA' "$TMP/run.out" && break; sleep 0.1; done
cat "$TMP/run.out"
field() { sed -n "s/^$1 //p" "$TMP/run.out"; }
jget() { $PY -c 'import json,sys; e=json.loads(sys.argv[1]); print(e.get(sys.argv[2]) if e else "none")' "$1" "$2"; }
ev1=$(field EVENT1); ev2=$(field EVENT2)
before=$(field LAST_BEFORE); back=$(field FIRST_BACK)
check_eq "a silence event on PUB although no sample came" silence "$(jget "$ev1" kind)"
check_eq "... of TG1, on SLEV" "TG1 SLEV" "$(jget "$ev1" platform) $(jget "$ev1" parameter)"
check_eq "... first = last = the last sample before the silence" "$before $before" \
  "$(jget "$ev1" first) $(jget "$ev1" last)"
check "... after silence_after_s (2 s) and within a few seconds more ($(field WAITED) s)" \
  $PY -c 'import sys; m=float(sys.argv[1]); sys.exit(0 if 2.0 <= m <= 15 else 1)' "$(jget "$ev1" magnitude)"
check_eq "the end: a second silence event" silence "$(jget "$ev2" kind)"
check_eq "... from the last sample before to the first one back" "$before $back" \
  "$(jget "$ev2" first) $(jget "$ev2" last)"
check "... magnitude: the gap in data time, s" \
  $PY -c 'import sys; m=float(sys.argv[1]); sys.exit(0 if 2.0 <= m <= 70 else 1)' "$(jget "$ev2" magnitude)"
check_eq "no third event while it reports" none "$(jget "$(field EXTRA)" kind)"

# events.db: one record (the end replaced the start: same platform, kind and first time)
events=$("$VIGIE" dump -s "$DB" --events)
echo "$events"
check_eq "one silence in events.db" 1 "$(grep -c ',silence,' <<<"$events")"
check "... with its end" grep -q "^TG1,SLEV,silence,$before,$back," <<<"$events"
check "TG2 (never heard from) raised nothing" bash -c "! grep -q '^TG2,' <<<'$events'"
check "the daemon logged both" bash -c "[ \$(grep -c 'event silence TG1' '$TMP/daemon.log') -eq 2 ]"

# Two mails: the silence, and its end.
wait_mails() { for _ in $(seq 1 600); do [ "$(ls "$MAIL"/*.eml 2>/dev/null | wc -l)" -ge 2 ] && return 0; sleep 0.1; done; return 1; }
check "two mails arrive" wait_mails
stop_daemon
check_eq "daemon exits 0 on SIGTERM" 0 "$DAEMON_RC"
touch "$TMP/stop"; wait "$GAUGE_PID" || true
stop_sink
subjects=$(grep -h '^Subject:' "$MAIL"/*.eml | tr -d '\r' | LC_ALL=C sort | tr '\n' '|')
check_eq "subjects" "Subject: [vigie] TG1 SLEV silent_gauge: silence|Subject: [vigie] TG1 SLEV silent_gauge: silence ended|" "$subjects"
start_mail=$(grep -L 'silence ended' "$MAIL"/*.eml | head -n 1)
end_mail=$(grep -l 'silence ended' "$MAIL"/*.eml | head -n 1)
check "the first mail says no sample came" grep -q "^No sample has come for .* after the one of $before" "$start_mail"
check "the second says the platform sends again" grep -q "^The platform sends again: no sample came between $before and $back" "$end_mail"
check "two distinct Message-IDs" bash -c "[ \"\$(grep -h '^Message-ID:' '$start_mail' '$end_mail' | sort -u | wc -l)\" = 2 ]"
check "the PI is told" grep -q '^X-Rcpt-To: tide.pi@example.org' "$end_mail"
check "no sanitizer report in the daemon's log" \
  bash -c "! grep -Eq 'Sanitizer|runtime error' '$TMP/daemon.log'"
finish
