#!/usr/bin/env bash
# test_alerts_tls.sh: STARTTLS for real. A throwaway self-signed certificate for 127.0.0.1
# (openssl CLI) and a real SMTP server offering STARTTLS with it (python3-aiosmtpd,
# smtp_sink.py --tls, AUTH only over TLS). `vigie alerts test` checks: required and
# opportunistic with alerts.smtp.ca_file (the mail goes encrypted, AUTH over TLS), off (in
# clear: the server refuses AUTH then), a certificate trusted by nobody, by another CA, or
# for another name (a clear error, nothing sent), an unreadable CA file. Then the daemon:
# an alert whose delivery fails on the certificate stays in the outbox with the error, and
# arrives once after the CA file is added (SIGHUP) and `vigie alerts resend`; two mails of
# one round share one SMTP connection.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module zmq
require_python_module aiosmtpd
command -v openssl >/dev/null || { echo "SKIP: no openssl command (Debian package openssl)"; exit 77; }

SINKS=()
stop_sinks() { for p in "${SINKS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap 'stop_sinks; cleanup' EXIT
start_sink() { # start_sink PORT DIR ARGS...: wait until it listens
  local port=$1 dir=$2; shift 2
  mkdir -p "$dir"
  $PY "$here/smtp_sink.py" "$port" "$dir" "$@" 2>>"$TMP/sink.log" &
  SINKS+=($!)
  for _ in $(seq 1 100); do [ -f "$dir/ready" ] && return 0; sleep 0.1; done
  return 1
}
mails() { find "$1" -name '*.eml' | wc -l; }

# Certificates: the server's, for 127.0.0.1 (its own CA); another CA; a certificate for
# another name.
cert() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$TMP/$1.key" -out "$TMP/$1.pem" \
  -subj "/CN=$2" -addext "subjectAltName=DNS:$2" 2>>"$TMP/openssl.log"; }
cert server 127.0.0.1 && cert other other.example.org && cert wrongname mail.example.org
check "certificates generated" [ -s "$TMP/server.pem" -a -s "$TMP/other.pem" -a -s "$TMP/wrongname.pem" ]

P_TLS=$(free_port); P_NAME=$(free_port); P_JSON=$(free_port)
start_sink "$P_TLS" "$TMP/mail" --tls "$TMP/server.pem" "$TMP/server.key" --user vigie --password s3cret \
  || { fail "SMTP server start"; finish; exit; }
start_sink "$P_NAME" "$TMP/mailname" --tls "$TMP/wrongname.pem" "$TMP/wrongname.key" \
  || { fail "SMTP server start"; finish; exit; }
printf 'vigie\ns3cret\n' > "$TMP/smtp.cred"; chmod 600 "$TMP/smtp.cred"

DB="$TMP/db"
write_config() { # write_config FILE PORT SMTP_KEYS
  cat > "$1" <<YAML
daemon:
  log_level: info
storage:
  path: $DB
  commit_interval_ms: 20
ingest:
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
platforms:
  - {id: TIDE1, kind: tide_gauge, interval_s: 1, parameters: [SLEV], pi: [tide.pi@example.org]}
alerts:
  enabled: true
  smtp_host: 127.0.0.1
  smtp_port: $2
  from: vigie@example.org
  smtp: {timeout_s: 5, retry_base_s: 0.5, retry_max_s: 1, $3}
  templates: {html: true}
  rules:
    - {name: silent, type: silent, factor: 1, platform: TIDE1}
YAML
}
send_test() { "$VIGIE" alerts test -c "$1" someone@example.org 2>&1; }

write_config "$TMP/req.yaml" "$P_TLS" "starttls: required, ca_file: $TMP/server.pem, credentials: $TMP/smtp.cred"
check "config check accepts ca_file" "$VIGIE" config check "$TMP/req.yaml"
out=$(send_test "$TMP/req.yaml")
check "required, CA file: accepted ($out)" grep -q "accepted by 127.0.0.1:$P_TLS" <<<"$out"
check_eq "... one mail" 1 "$(mails "$TMP/mail")"
check "... sent over TLS" grep -q '^X-TLS: yes' "$TMP"/mail/*.eml
out=$(send_test "$TMP/req.yaml")
check "a second session works too (TLS 1.2: see smtp.c) ($out)" grep -q "accepted by" <<<"$out"

write_config "$TMP/opp.yaml" "$P_TLS" "starttls: opportunistic, ca_file: $TMP/server.pem, credentials: $TMP/smtp.cred"
out=$(send_test "$TMP/opp.yaml")
check "opportunistic, offered: accepted ($out)" grep -q "accepted by 127.0.0.1:$P_TLS" <<<"$out"
check_eq "... over TLS as well" 3 "$(grep -l '^X-TLS: yes' "$TMP"/mail/*.eml | wc -l)"

write_config "$TMP/off.yaml" "$P_TLS" "starttls: off, credentials: $TMP/smtp.cred"
out=$(send_test "$TMP/off.yaml" || true)
check "off: in clear, the server does not offer AUTH and refuses the mail ($out)" \
  grep -q "not sent: SMTP 127.0.0.1:$P_TLS: .*530" <<<"$out"
write_config "$TMP/offnoauth.yaml" "$P_NAME" "starttls: off"
out=$(send_test "$TMP/offnoauth.yaml")
check "off, no AUTH: accepted in clear ($out)" grep -q "accepted by" <<<"$out"
check "... not encrypted" grep -q '^X-TLS: no' "$TMP"/mailname/*.eml

write_config "$TMP/noca.yaml" "$P_TLS" "starttls: required, credentials: $TMP/smtp.cred"
out=$(send_test "$TMP/noca.yaml" || true)
check "no CA file: the self-signed certificate is refused, clearly ($out)" \
  grep -q "not sent: SMTP 127.0.0.1:$P_TLS: STARTTLS failed: the server's certificate is not trusted: self-signed certificate (not by the system's CAs; alerts.smtp.ca_file names the CAs to trust)" <<<"$out"
write_config "$TMP/oppnoca.yaml" "$P_TLS" "starttls: opportunistic, credentials: $TMP/smtp.cred"
out=$(send_test "$TMP/oppnoca.yaml" || true)
check "opportunistic does not mean unverified ($out)" grep -q "STARTTLS failed: the server's certificate is not trusted" <<<"$out"
write_config "$TMP/otherca.yaml" "$P_TLS" "starttls: required, ca_file: $TMP/other.pem, credentials: $TMP/smtp.cred"
out=$(send_test "$TMP/otherca.yaml" || true)
check "another CA: refused ($out)" grep -q "not trusted: self-signed certificate (not by the system's CAs nor by alerts.smtp.ca_file" <<<"$out"
write_config "$TMP/name.yaml" "$P_NAME" "starttls: required, ca_file: $TMP/wrongname.pem"
out=$(send_test "$TMP/name.yaml" || true)
check "a certificate for another name: refused ($out)" \
  grep -q "STARTTLS failed: the server's certificate is for 'mail.example.org', not for the host of alerts.smtp_host" <<<"$out"
check_eq "none of these was sent" "3 1" "$(mails "$TMP/mail") $(mails "$TMP/mailname")"
write_config "$TMP/badca.yaml" "$P_TLS" "starttls: required, ca_file: $TMP/nope.pem"
out=$(send_test "$TMP/badca.yaml" || true)
check "an unreadable CA file: named ($out)" grep -q "$TMP/nope.pem: cannot load the CA certificates of alerts.smtp.ca_file" <<<"$out"

# ---- the daemon: the mail is kept while the certificate is refused ------------------------------
cp "$TMP/noca.yaml" "$TMP/vigie.yaml"
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
for _ in $(seq 1 300); do
  "$VIGIE" alerts list -s "$DB" | tail -n +2 | awk -F'\t' '$3 >= 1' | grep -q . && break; sleep 0.1
done
out=$("$VIGIE" alerts list -s "$DB" | tail -n +2 | head -1)
check "the silence alert waits in the outbox with the certificate error ($out)" \
  grep -q "TIDE1 station silent: started.*STARTTLS failed: the server's certificate is not trusted" <<<"$out"
check_eq "... not sent" 3 "$(mails "$TMP/mail")"
id=$(cut -f1 <<<"$out")
cp "$TMP/req.yaml" "$TMP/vigie.yaml"
kill -HUP "$DAEMON_PID"
for _ in $(seq 1 100); do grep -q "SIGHUP" "$TMP/daemon.log" && break; sleep 0.1; done
"$VIGIE" alerts resend -s "$DB" "$id" >/dev/null
for _ in $(seq 1 300); do [ "$(grep -l 'TIDE1 station silent: started' "$TMP"/mail/*.eml 2>/dev/null | wc -l)" -ge 1 ] && break; sleep 0.1; done
check_eq "with the CA file, the alert arrives once" 1 "$(grep -l 'TIDE1 station silent: started' "$TMP"/mail/*.eml | wc -l)"
check "... over TLS" grep -q '^X-TLS: yes' "$(grep -l 'TIDE1 station silent: started' "$TMP"/mail/*.eml)"
parts=$($PY -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(" ".join(p.get_content_type() for p in m.walk()))' "$(grep -l 'TIDE1 station silent: started' "$TMP"/mail/*.eml)")
check_eq "alert mail with templates.html: the text and its HTML form" \
  "multipart/mixed multipart/alternative text/plain text/html" "$parts"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"

# ---- the mails of one round go in one SMTP session (one connection, one TLS handshake) ---------
# Two gauges fall silent in the same tick of the daemon: their two mails are committed
# together (one batch per tick), so the sender finds both in one look at the outbox.
cat > "$TMP/two.yaml" <<YAML
storage: {path: $TMP/db2, commit_interval_ms: 20}
ingest:
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
platforms:
  - {id: TIDE1, kind: tide_gauge, interval_s: 1, parameters: [SLEV], pi: [tide.pi@example.org]}
  - {id: TIDE2, kind: tide_gauge, interval_s: 1, parameters: [SLEV], pi: [tide.pi@example.org]}
alerts:
  enabled: true
  smtp_host: 127.0.0.1
  smtp_port: $P_TLS
  from: vigie@example.org
  smtp: {timeout_s: 5, retry_base_s: 0.5, retry_max_s: 1, starttls: required,
         ca_file: $TMP/server.pem, credentials: $TMP/smtp.cred}
  rules:
    - {name: silent, type: silent, factor: 1.5, kind: tide_gauge}
YAML
check "config with two gauges" "$VIGIE" config check "$TMP/two.yaml"
mkdir -p "$TMP/log2"; mv "$TMP/daemon.log" "$TMP/log2/daemon1.log"
start_daemon "$TMP/two.yaml" || { fail "daemon start"; finish; exit; }
for _ in $(seq 1 300); do [ "$(grep -l 'station silent: started' "$TMP"/mail/*.eml | wc -l)" -ge 3 ] && break; sleep 0.1; done
two=$(grep -l 'station silent: started' "$TMP"/mail/*.eml | tail -n 2)
check_eq "two new silence mails" 2 "$(wc -l <<<"$two")"
check_eq "... sent in one SMTP session" 1 "$(cat $two | grep '^X-Session:' | sort -u | wc -l)"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"
cat "$TMP/log2/daemon1.log" >> "$TMP/daemon.log"
check "no sanitizer report in the daemon's log" bash -c "! grep -Eq 'Sanitizer|runtime error' '$TMP/daemon.log'"
finish
