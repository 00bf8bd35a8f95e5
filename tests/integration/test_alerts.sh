#!/usr/bin/env bash
# test_alerts.sh: e-mail alerts end to end, with a real SMTP server on 127.0.0.1 (Debian's
# python3-aiosmtpd, smtp_sink.py, one file per accepted message) and the real daemon fed
# over ZeroMQ by `vigie simulate` with stuck-sensor faults. Checks: one mail per fault start
# and one per end, to the platform's PIs and the rule's recipients, with the facts and the
# CSV attachment; a silent station; the server down then up (every alert arrives once);
# wrong credentials (a clear error, the alert kept, then delivered after a fix and
# `vigie alerts resend`); a credentials file readable by others is refused; `vigie alerts
# test` and `list`.
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

# start_sink PORT DIR [--user U --password P]: start the SMTP server, wait until it listens.
start_sink() {
  local port=$1 dir=$2; shift 2
  mkdir -p "$dir"; rm -f "$dir/ready"
  $PY "$here/smtp_sink.py" "$port" "$dir" "$@" 2>>"$TMP/sink.log" &
  SINK_PID=$!
  for _ in $(seq 1 100); do [ -f "$dir/ready" ] && return 0; sleep 0.1; done
  echo "SMTP server not ready"; return 1
}

# wait_mails DIR N: wait (60 s at most) until DIR holds at least N messages; print the count.
wait_mails() {
  local n=0
  for _ in $(seq 1 600); do
    n=$(find "$1" -name '*.eml' | wc -l)
    [ "$n" -ge "$2" ] && break
    sleep 0.1
  done
  echo "$n"
}

# count_mails DIR PLATFORM: messages about PLATFORM in DIR.
count_mails() { grep -l "^X-Vigie-Platform: $2" "$1"/*.eml 2>/dev/null | wc -l; }

# subjects DIR: the Subject lines of the messages, sorted.
subjects() { grep -h '^Subject:' "$1"/*.eml 2>/dev/null | tr -d '\r' | sort; }

P_SMTP=$(free_port); P_RAW=$(free_port); P_JSON=$(free_port)
MAIL="$TMP/mail"
DB="$TMP/db"
write_config() { # write_config FILE EXTRA_SMTP_KEYS
  cat > "$1" <<YAML
daemon:
  log_level: info
storage:
  path: $DB
  commit_interval_ms: 20
ingest:
  - {bind: "tcp://127.0.0.1:$P_RAW", format: sbe45_nmea, platform: SHIP1}
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
platforms:
  - {id: SHIP1, kind: tsg, name: "R/V Test", interval_s: 10, parameters: [SSJT, CNDC, SSPS, SVEL, SPDC, HCRS],
     pi: [pi.one@example.org, pi.two@example.org]}
  - {id: TIDE1, kind: tide_gauge, interval_s: 1, parameters: [SLEV], position: [21.3, -157.9],
     pi: [tide.pi@example.org]}
qc:
  hold_timeout_s: 1
  chains:
    tsg:
      - test: global_range
      - test: stuck_value
        parameters: {SSJT: {window_s: 600}}
    tide_gauge:
      - test: global_range
alerts:
  enabled: true
  smtp_host: 127.0.0.1
  smtp_port: $P_SMTP
  from: vigie@example.org
  smtp: {starttls: off, timeout_s: 5, retry_base_s: 0.5, retry_max_s: 1$2}
  rules:
    - {name: stuck, type: consecutive, test: stuck_value, count: 3, kind: tsg, parameters: [SSJT],
       recipients: [ops@example.org, PI.ONE@example.org]}
    - {name: silent, type: silent, factor: 3, platform: TIDE1}
YAML
}
write_config "$TMP/vigie.yaml" ""
check "config check accepts the alerts section" "$VIGIE" config check "$TMP/vigie.yaml"

# ---- configuration errors name file and line --------------------------------------------------
sed 's/test: stuck_value, count: 3/test: stuck_valu, count: 3/' "$TMP/vigie.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "unknown test in a rule: FILE:LINE error ($out)" grep -q "bad.yaml:[0-9]*: rules\[\].test: unknown QC test 'stuck_valu'" <<<"$out"
sed 's/retry_max_s: 1/retry_max_s: 1, colour: blue/' "$TMP/vigie.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "unknown alerts key: FILE:LINE error ($out)" grep -q "bad.yaml:[0-9]*: unknown key 'alerts.smtp.colour'" <<<"$out"

# ---- vigie alerts test ---------------------------------------------------------------------
start_sink "$P_SMTP" "$MAIL/test" || { fail "SMTP server start"; finish; exit; }
out=$("$VIGIE" alerts test -c "$TMP/vigie.yaml" someone@example.org 2>&1)
check "alerts test: accepted ($out)" grep -q "accepted by 127.0.0.1:$P_SMTP" <<<"$out"
check_eq "alerts test: one mail" 1 "$(wait_mails "$MAIL/test" 1)"
check "alerts test: subject" grep -q '^Subject: \[vigie\] test mail' "$MAIL"/test/*.eml
sed 's/starttls: off/starttls: required/' "$TMP/vigie.yaml" > "$TMP/tls.yaml"
out=$("$VIGIE" alerts test -c "$TMP/tls.yaml" someone@example.org 2>&1 || true)
check "STARTTLS required, not offered: refused ($out)" grep -q "STARTTLS is required (alerts.smtp.starttls) but the server does not offer it" <<<"$out"
check_eq "... and nothing sent" 1 "$(find "$MAIL/test" -name '*.eml' | wc -l)"
stop_sink
out=$("$VIGIE" alerts test -c "$TMP/vigie.yaml" someone@example.org 2>&1 || true)
check "alerts test with the server down: clear error ($out)" grep -q "not sent: SMTP 127.0.0.1:$P_SMTP: session failed: Connection refused" <<<"$out"
# A server that accepts the connection and never answers: the greeting time-out.
$PY -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); open(sys.argv[2], "w").close(); time.sleep(60)' \
  "$P_SMTP" "$TMP/mute.ready" &
MUTE_PID=$!
for _ in $(seq 1 100); do [ -f "$TMP/mute.ready" ] && break; sleep 0.1; done
sed 's/timeout_s: 5/timeout_s: 1/' "$TMP/vigie.yaml" > "$TMP/mute.yaml"
t0=$(date +%s)
out=$("$VIGIE" alerts test -c "$TMP/mute.yaml" someone@example.org 2>&1 || true)
t1=$(date +%s)
kill "$MUTE_PID" 2>/dev/null || true; wait "$MUTE_PID" 2>/dev/null || true
check "a mute server: time-out error ($out)" grep -q "not sent: SMTP 127.0.0.1:$P_SMTP: session failed: no answer from the server within 1 s" <<<"$out"
check "... after the 1 s time-out, not minutes ($((t1 - t0)) s)" test $((t1 - t0)) -le 20

# ---- faults through the daemon: one mail at each start and each end -----------------------------
start_sink "$P_SMTP" "$MAIL/run1" || { fail "SMTP server start"; finish; exit; }
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
SIM=(--kind tsg --format raw --platform SHIP1 --start 2026-01-15T00:00:00Z --duration 4h
     --interval 10 --seed 11 --stuck 60:30 --stuck 150:20)
"$VIGIE" simulate "${SIM[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 50
# The tide gauge is silent from the start (interval 1 s, factor 3): one "started" mail.
n=$(wait_mails "$MAIL/run1" 5)
check_eq "2 stuck faults (start + end each) and 1 silent station: 5 mails" 5 "$n"
subjects "$MAIL/run1" > "$TMP/subjects1"
check_eq "subjects: started and resolved per fault" \
  "Subject: [vigie] SHIP1 SSJT stuck: resolved
Subject: [vigie] SHIP1 SSJT stuck: resolved
Subject: [vigie] SHIP1 SSJT stuck: started
Subject: [vigie] SHIP1 SSJT stuck: started
Subject: [vigie] TIDE1 station silent: started" "$(cat "$TMP/subjects1")"
first=$(grep -l 'stuck: started' "$MAIL"/run1/*.eml | head -1)
check_eq "recipients: the pi list plus the rule's (duplicates removed)" \
  "pi.one@example.org pi.two@example.org ops@example.org" \
  "$(grep '^X-Rcpt-To:' "$first" | tr -d '\r' | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')"
check "started mail: the first bad time is in the injected window (01:00-01:30)" \
  grep -q '^First time: 2026-01-15T01:[0-2][0-9]:[0-9][0-9]' "$(grep -l 'stuck: started' "$MAIL"/run1/*.eml | xargs grep -l 'First time: 2026-01-15T01' | head -1)"
check "started mail: names the test and explains it" grep -q '^Test:       stuck_value: ' "$first"
check "started mail: position" grep -q '^Position:   -2[0-9]\.[0-9]* N, -1[0-9]\.[0-9]* E' "$first"
check "started mail: the command to look at the data" \
  grep -q "vigie dump -c $TMP/vigie.yaml --platform SHIP1 --param SSJT --from 2026-01-15T01:" "$first"
check "started mail: CSV attachment" grep -q '^Content-Disposition: attachment; filename="SHIP1_SSJT_2026-01-15T01-' "$first"
check "started mail: CSV rows with test flag 4" grep -Eq '^SHIP1,SSJT,2026-01-15T01:[0-9:.]+Z,[0-9.]+,[34],[34],-2' "$first"
check "started mail: Message-ID names the problem" grep -Eq '^Message-ID: <vigie\.stuck\.SHIP1\.SSJT\.[0-9]+\.started@example\.org>' "$first"
mid=$(grep '^Message-ID:' "$first" | tr -d '\r' | cut -d' ' -f2)
check "the resolved mail of that fault refers to it" grep -lq "^In-Reply-To: $mid" "$MAIL"/run1/*.eml
silent=$(grep -l 'station silent: started' "$MAIL"/run1/*.eml | head -1)
check_eq "silent station: to its pi" "X-Rcpt-To: tide.pi@example.org" "$(grep '^X-Rcpt-To:' "$silent" | tr -d '\r')"
# A sample of the tide gauge ends the silence: one "resolved".
$PY - "$P_JSON" <<'PYEOF'
import sys, zmq, time
ctx = zmq.Context(); s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
s.send(('{"platform":"TIDE1","time":"%s","values":{"SLEV":1.2}}' % now).encode())
s.close(linger=2000); ctx.term()
PYEOF
check_eq "silence ended: 6 mails" 6 "$(wait_mails "$MAIL/run1" 6)"
check "silent station: resolved" grep -q 'Subject: \[vigie\] TIDE1 station silent: resolved' "$MAIL"/run1/*.eml
# (TIDE1 falls silent again 3 s after its sample: only SHIP1's mails are certain to be out)
out=$("$VIGIE" alerts list -c "$TMP/vigie.yaml")
check_eq "outbox without SHIP1 mails once the server accepted them" 0 "$(grep -c 'SHIP1' <<<"$out" || true)"

# ---- server down, then up: every alert arrives once ---------------------------------------------
stop_sink
SIM2=(--kind tsg --format raw --platform SHIP1 --start 2026-01-15T06:00:00Z --duration 3h
      --interval 10 --seed 12 --stuck 30:20 --stuck 100:20)
"$VIGIE" simulate "${SIM2[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 50
for _ in $(seq 1 300); do
  pending=$("$VIGIE" alerts list -s "$DB" | tail -n +2 | grep -c 'SHIP1 SSJT' || true)
  [ "$pending" -ge 4 ] && break; sleep 0.1
done
check_eq "server down: 4 mails wait in the outbox" 4 "$pending"
for _ in $(seq 1 300); do
  "$VIGIE" alerts list -s "$DB" | tail -n +2 | awk -F'\t' '$3 >= 1' | grep -q . && break; sleep 0.1
done
out=$("$VIGIE" alerts list -s "$DB" | grep 'SHIP1 SSJT' | head -1)
check "list: attempts and the connection error ($out)" grep -Eq $'\t[1-9][0-9]*\t.*SMTP 127.0.0.1:[0-9]+: session failed' <<<"$out"
start_sink "$P_SMTP" "$MAIL/run2" || { fail "SMTP server start"; finish; exit; }
for _ in $(seq 1 600); do [ "$(count_mails "$MAIL/run2" SHIP1)" -ge 4 ] && break; sleep 0.1; done
check_eq "server up: the 4 waiting mails arrive" 4 "$(count_mails "$MAIL/run2" SHIP1)"
sleep 3 # long enough for any duplicate to show up (retries are every 1 s at most)
check_eq "... once each (no duplicate)" 4 "$(count_mails "$MAIL/run2" SHIP1)"
check_eq "... distinct Message-IDs" "$(find "$MAIL/run2" -name '*.eml' | wc -l)" \
  "$(grep -h '^Message-ID:' "$MAIL"/run2/*.eml | sort -u | wc -l)"
check_eq "... nothing of SHIP1 left in the outbox" 0 "$("$VIGIE" alerts list -s "$DB" | grep -c SHIP1 || true)"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"

# ---- a restart in the middle of a fault: no second "started", one "resolved" -------------------
SIM5=(--kind tsg --format raw --platform SHIP1 --start 2026-01-15T09:00:00Z --duration 40m
      --interval 10 --seed 15 --stuck 10:40)
: > "$TMP/daemon.log"
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
"$VIGIE" simulate "${SIM5[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 50
for _ in $(seq 1 600); do [ "$(count_mails "$MAIL/run2" SHIP1)" -ge 5 ] && break; sleep 0.1; done
check_eq "restart: the fault started before the restart (1 mail)" 5 "$(count_mails "$MAIL/run2" SHIP1)"
stop_daemon
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
check "restart: the daemon knows the fault is still going on" grep -q "problem(s) still active from before the restart" "$TMP/daemon.log"
SIM6=(--kind tsg --format raw --platform SHIP1 --start 2026-01-15T09:40:00Z --duration 20m
      --interval 10 --seed 16)
"$VIGIE" simulate "${SIM6[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 50
for _ in $(seq 1 600); do [ "$(count_mails "$MAIL/run2" SHIP1)" -ge 6 ] && break; sleep 0.1; done
sleep 2
check_eq "restart: one more mail about SHIP1" 6 "$(count_mails "$MAIL/run2" SHIP1)"
last=$(ls "$MAIL"/run2/*.eml | tail -1)
check "restart: it is the resolved mail" grep -q 'Subject: \[vigie\] SHIP1 SSJT stuck: resolved' "$last"
started=$(grep -l 'SHIP1 SSJT stuck: started' "$MAIL"/run2/*.eml | xargs grep -l 'First time: 2026-01-15T09:' | head -1)
smid=$(grep '^Message-ID:' "$started" | tr -d '\r' | cut -d' ' -f2)
check "restart: the resolved mail refers to the started one from before the restart" grep -q "^In-Reply-To: $smid" "$last"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"
stop_sink

# ---- wrong credentials: clear error, the alert kept; fixed, resent, delivered ---------------------
printf 'vigie\nwrong\n' > "$TMP/cred"; chmod 600 "$TMP/cred"
write_config "$TMP/auth.yaml" ", credentials: $TMP/cred"
sed -i 's/retry_base_s: 0.5, retry_max_s: 1/retry_base_s: 600, retry_max_s: 600/' "$TMP/auth.yaml"
chmod 644 "$TMP/cred"
out=$("$VIGIE" alerts test -c "$TMP/auth.yaml" a@example.org 2>&1 || true)
check "credentials readable by others: refused ($out)" grep -q "accessible to every user (mode 0644): refusing to use it; run 'chmod o-rwx" <<<"$out"
"$VIGIE" run --config "$TMP/auth.yaml" --max-runtime 5 2>"$TMP/refused.log" || true
check "the daemon refuses to start with it" grep -q "cannot start the alerts: .*accessible to every user" "$TMP/refused.log"
chmod 600 "$TMP/cred"
start_sink "$P_SMTP" "$MAIL/auth" --user vigie --password secret || { fail "SMTP server start"; finish; exit; }
: > "$TMP/daemon.log"
start_daemon "$TMP/auth.yaml" || { fail "daemon start"; finish; exit; }
SIM3=(--kind tsg --format raw --platform SHIP1 --start 2026-01-15T10:00:00Z --duration 1h
      --interval 10 --seed 13 --stuck 20:20)
"$VIGIE" simulate "${SIM3[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 50
for _ in $(seq 1 300); do grep -q "authentication as 'vigie' refused" "$TMP/daemon.log" && break; sleep 0.1; done
check "wrong credentials: clear error in the log" grep -q "alert mail [0-9]* not sent (attempt 1; .*it stays in the outbox): SMTP 127.0.0.1:$P_SMTP: authentication as 'vigie' refused (credentials from $TMP/cred) (server said: 535" "$TMP/daemon.log"
out=$("$VIGIE" alerts list -c "$TMP/auth.yaml" | tail -n +2)
check "wrong credentials: the alerts are kept, with the error" grep -q "authentication as 'vigie' refused" <<<"$out"
check_eq "wrong credentials: nothing delivered" 0 "$(find "$MAIL/auth" -name '*.eml' | wc -l)"
printf 'vigie\nsecret\n' > "$TMP/cred"
ids=$(cut -f1 <<<"$out")
for id in $ids; do "$VIGIE" alerts resend -c "$TMP/auth.yaml" "$id" >/dev/null; done
n=$(wc -w <<<"$ids")
check_eq "fixed credentials + resend: every kept alert delivered" "$n" "$(wait_mails "$MAIL/auth" "$n")"
out=$("$VIGIE" alerts resend -c "$TMP/auth.yaml" 999999 2>&1 || true)
check "resend of an unknown id: clear error ($out)" grep -q "no waiting mail or digest entry 999999 in $DB (sent already" <<<"$out"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"
stop_sink

# ---- a digest recipient: no immediate mail, one digest per period ------------------------------
write_config "$TMP/digest.yaml" ""
sed -i 's/^  rules:$/  digests: [{recipient: pi.two@example.org, period: 4}]\n  rules:/' "$TMP/digest.yaml"
sed -i 's/^    - {name: silent, type: silent, factor: 3, platform: TIDE1}$//' "$TMP/digest.yaml"
check "config check accepts digests" "$VIGIE" config check "$TMP/digest.yaml"
start_sink "$P_SMTP" "$MAIL/digest" || { fail "SMTP server start"; finish; exit; }
: > "$TMP/daemon.log"
start_daemon "$TMP/digest.yaml" || { fail "daemon start"; finish; exit; }
SIM4=(--kind tsg --format raw --platform SHIP1 --start 2026-01-15T12:00:00Z --duration 2h
      --interval 10 --seed 14 --stuck 20:20 --stuck 70:20)
"$VIGIE" simulate "${SIM4[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 50
check_eq "digest: 4 immediate mails and 1 digest" 5 "$(wait_mails "$MAIL/digest" 5)"
digest=$(grep -l '^X-Vigie-State: digest' "$MAIL"/digest/*.eml | head -1)
check "digest: one mail to the digest recipient" test -n "$digest"
check_eq "digest: its recipient" "X-Rcpt-To: pi.two@example.org" "$(grep '^X-Rcpt-To:' "$digest" | tr -d '\r')"
check "digest: subject" grep -q '^Subject: \[vigie\] 4-second digest to .*: 4 alerts' "$digest"
check_eq "digest: lists the 4 alerts" 4 "$(grep -c '^  [1-4]\. \[vigie\] SHIP1 SSJT stuck: ' "$digest")"
check_eq "the immediate mails leave out the digest recipient" 0 \
  "$(grep -L '^X-Vigie-State: digest' "$MAIL"/digest/*.eml | xargs grep -l 'X-Rcpt-To: pi.two' | wc -l)"
sleep 5
check_eq "digest: sent once" 5 "$(find "$MAIL/digest" -name '*.eml' | wc -l)"
check_eq "digest: nothing left in the outbox" 1 "$("$VIGIE" alerts list -s "$DB" | wc -l)"

# ---- SIGHUP: a bad alerts: section is refused, a good one applies ----------------------------
cp "$TMP/digest.yaml" "$TMP/digest.good"
sed -i 's/test: stuck_value, count: 3/test: stuck_valu, count: 3/' "$TMP/digest.yaml"
kill -HUP "$DAEMON_PID"
for _ in $(seq 1 100); do grep -q "SIGHUP: new configuration rejected" "$TMP/daemon.log" && break; sleep 0.1; done
check "SIGHUP with a bad rule: rejected, FILE:LINE" grep -q "SIGHUP: new configuration rejected, keeping the current one: .*digest.yaml:[0-9]*: rules\[\].test: unknown QC test 'stuck_valu'" "$TMP/daemon.log"
# A section that parses but that the alerts refuse when they apply it (a CA file that is not
# PEM): the engine, already switched, must go back to the running configuration (the daemon
# once freed the new one first; the ASan build catches a relapse).
echo "not a certificate" > "$TMP/bad-ca.pem"
sed "s|retry_max_s: 1}|retry_max_s: 1, ca_file: $TMP/bad-ca.pem}|" "$TMP/digest.good" > "$TMP/digest.yaml"
kill -HUP "$DAEMON_PID"
for _ in $(seq 1 100); do grep -q "SIGHUP: new alerts: section rejected" "$TMP/daemon.log" && break; sleep 0.1; done
check "SIGHUP with an unusable CA file: the alerts section rejected" \
  grep -q "SIGHUP: new alerts: section rejected, keeping the current configuration: .*bad-ca.pem" "$TMP/daemon.log"
sed 's/^  rules:$/  templates: {subject: "RELOADED {platform} {state}"}\n  rules:/' "$TMP/digest.good" > "$TMP/digest.yaml"
kill -HUP "$DAEMON_PID"
for _ in $(seq 1 100); do grep -q "SIGHUP: configuration reloaded" "$TMP/daemon.log" && break; sleep 0.1; done
check "SIGHUP with a new subject template: reloaded" grep -q "SIGHUP: configuration reloaded" "$TMP/daemon.log"
SIM7=(--kind tsg --format raw --platform SHIP1 --start 2026-01-15T15:00:00Z --duration 1h
      --interval 10 --seed 17 --stuck 20:20)
"$VIGIE" simulate "${SIM7[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 50
for _ in $(seq 1 600); do [ "$(grep -l '^Subject: RELOADED SHIP1' "$MAIL"/digest/*.eml | wc -l)" -ge 2 ] && break; sleep 0.1; done
check_eq "after the reload: the new subjects (started, resolved)" \
  "Subject: RELOADED SHIP1 resolved
Subject: RELOADED SHIP1 started" "$(grep -h '^Subject: RELOADED' "$MAIL"/digest/*.eml | tr -d '\r' | sort)"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"
stop_sink
finish
