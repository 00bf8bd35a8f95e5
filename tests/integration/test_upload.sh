#!/usr/bin/env bash
# test_upload.sh: `vigie upload` against a real FTP server (python3-pyftpdlib, started by
# the test on 127.0.0.1). A NetCDF export and a larger file arrive complete, under their
# names only once complete, with a SHA-256 manifest that sha256sum accepts; credentials
# readable by others are refused; the server stopped (killed) in the middle of a transfer
# and restarted: the client retries with back-off, resumes (APPE) and the file arrives
# complete, once. HTTP PUT and POST against a small real HTTP server. Then the durable
# queue (queue, list, retry, now) and the daemon's scheduled export, uploaded.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module pyftpdlib

P_FTP=$(free_port)
ROOT="$TMP/ftp"; mkdir -p "$ROOT/incoming"
FTP_PID=""
stop_ftp() { [ -n "$FTP_PID" ] && kill -KILL "$FTP_PID" 2>/dev/null; wait "$FTP_PID" 2>/dev/null || true; FTP_PID=""; }
start_ftp() { # start_ftp [BYTES_PER_S]: the server on $P_FTP, log in $TMP/ftp.log
  stop_ftp # never two servers, never one left behind
  $PY "$here/ftp_server.py" "$P_FTP" "$ROOT" vigie s3cret "${1:-0}" >"$TMP/ftp.out" 2>>"$TMP/ftp.log" &
  FTP_PID=$!
  for _ in $(seq 1 300); do grep -q ready "$TMP/ftp.out" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
HTTP_PID=""; FTPS_PID=""
trap 'stop_ftp; for p in $HTTP_PID $FTPS_PID; do kill "$p" 2>/dev/null || true; done; cleanup' EXIT

printf 'vigie:s3cret\n' > "$TMP/cred"; chmod 600 "$TMP/cred"
URL="ftp://127.0.0.1:$P_FTP/incoming/"

# a real export to send
"$VIGIE" simulate --kind tide_gauge --duration 3d --format json -o "$TMP/tide.jsonl"
"$VIGIE" qc --default -q "$TMP/tide.jsonl" -o "$TMP/tide_qc.csv" || true
head -c 2500000 /dev/urandom > "$TMP/big.bin"
start_ftp || { fail "FTP server start"; finish; exit; }

out=$("$VIGIE" upload send --to "$URL" --credentials "$TMP/cred" "$TMP/tide_qc.csv" 2>"$TMP/err") \
  || fail "upload send: $(cat "$TMP/err")"
check "file arrived under its name" test -f "$ROOT/incoming/tide_qc.csv"
check "same bytes" cmp -s "$TMP/tide_qc.csv" "$ROOT/incoming/tide_qc.csv"
check "manifest beside it, accepted by sha256sum -c" sh -c "cd '$ROOT/incoming' && sha256sum --quiet -c tide_qc.csv.sha256"
check_eq "no temporary part left" 0 "$(find "$ROOT" -name '*.part' | wc -l)"
check "the digest is printed" grep -q "$(sha256sum < "$TMP/tide_qc.csv" | cut -c1-64)" <<<"$out"

chmod 644 "$TMP/cred"
rc=0; "$VIGIE" upload send --to "$URL" --credentials "$TMP/cred" "$TMP/tide_qc.csv" 2>"$TMP/err" || rc=$?
check_eq "world-readable credentials: failure" 1 "$rc"
check "world-readable credentials: named with their mode" grep -q "mode 0644" "$TMP/err"
chmod 600 "$TMP/cred"
printf 'vigie:wrong\n' > "$TMP/badcred"; chmod 600 "$TMP/badcred"
rc=0; "$VIGIE" upload send --to "$URL" --credentials "$TMP/badcred" --attempts 1 "$TMP/big.bin" 2>"$TMP/err" || rc=$?
check_eq "wrong password: failure" 1 "$rc"
check "wrong password: libcurl's reason" grep -qi "login\|access denied\|530" "$TMP/err"
check "nothing arrives with a wrong password" test ! -e "$ROOT/incoming/big.bin"

# The server stopped in the middle of a transfer, then restarted.
stop_ftp
start_ftp 250000 || { fail "throttled FTP server start"; finish; exit; }
"$VIGIE" upload send --to "$URL" --credentials "$TMP/cred" --attempts 30 "$TMP/big.bin" \
  >"$TMP/send.out" 2>"$TMP/send.err" &
SEND_PID=$!
part="$ROOT/incoming/.big.bin.part"
for _ in $(seq 1 600); do
  [ -f "$part" ] && [ "$(stat -c %s "$part")" -gt 500000 ] && break; sleep 0.05
done
partial=$(stat -c %s "$part" 2>/dev/null || echo 0)
check "a part was on the server when it was stopped ($partial bytes)" [ "$partial" -gt 0 ]
stop_ftp
for _ in $(seq 1 600); do grep -q "next attempt in" "$TMP/send.err" && break; sleep 0.05; done
check "the client saw the failure and waits (back-off)" grep -q "attempt 1 of 30 failed" "$TMP/send.err"
check "the final name does not exist yet" test ! -e "$ROOT/incoming/big.bin"
: > "$TMP/ftp.log"
start_ftp || { fail "FTP server restart"; finish; exit; }
rc=0; wait "$SEND_PID" || rc=$?
check_eq "upload completed after the restart" 0 "$rc"
check "complete and identical" cmp -s "$TMP/big.bin" "$ROOT/incoming/big.bin"
check "manifest accepted" sh -c "cd '$ROOT/incoming' && sha256sum --quiet -c big.bin.sha256"
check "resumed with APPE, not restarted" grep -q "APPE .big.bin.part" "$TMP/ftp.log"
check "the client kept the bytes of the first attempt" grep -Eq "[1-9][0-9]* kept from an earlier one" "$TMP/send.out"
check_eq "the file arrived once (file and manifest, no part)" "big.bin big.bin.sha256" \
  "$(cd "$ROOT/incoming" && ls -A | grep big | tr '\n' ' ' | sed 's/ $//')"
stop_ftp

# FTPS (explicit TLS, a self-signed certificate for 127.0.0.1). Only the refusals are
# checked: a complete FTPS transfer to pyftpdlib 1.5.7 fails on its data connection (reset
# at STOR) with curl(1) 7.88 as well, so it proves nothing about vigie; see docs/upload.md.
if $PY -c "import OpenSSL" 2>/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/tls.pem" -out "$TMP/ca.pem" 2>/dev/null
  cat "$TMP/ca.pem" >> "$TMP/tls.pem"
  P_FTPS=$(free_port)
  $PY "$here/ftp_server.py" "$P_FTPS" "$ROOT" vigie s3cret 0 "$TMP/tls.pem" >"$TMP/ftps.out" 2>"$TMP/ftps.log" &
  FTPS_PID=$!
  for _ in $(seq 1 300); do grep -q ready "$TMP/ftps.out" 2>/dev/null && break; sleep 0.1; done
  FTPS="ftp://127.0.0.1:$P_FTPS/tls/"
  rc=0; "$VIGIE" upload send --to "$FTPS" --tls --credentials "$TMP/cred" --attempts 1 "$TMP/big.bin" 2>"$TMP/err" || rc=$?
  check_eq "FTPS: a certificate of an unknown CA is refused" 1 "$rc"
  check "FTPS: the certificate problem is named" grep -qi "certificate" "$TMP/err"
  check "FTPS: vigie asked for TLS (AUTH)" grep -q "<- AUTH" "$TMP/ftps.log"
  "$VIGIE" upload send --to "$FTPS" --tls --ca-file "$TMP/ca.pem" --credentials "$TMP/cred" \
    --attempts 1 "$TMP/big.bin" 2>/dev/null || true
  # the server may log the login after its reply reached vigie: wait for the line
  for _ in $(seq 1 200); do grep -q "USER .vigie. logged in" "$TMP/ftps.log" && break; sleep 0.05; done
  check "FTPS: with --ca-file the certificate is accepted and the login passes" \
    grep -q "USER .vigie. logged in" "$TMP/ftps.log"
  rc=0; "$VIGIE" upload send --to "$FTPS" --credentials "$TMP/cred" --attempts 1 "$TMP/big.bin" 2>"$TMP/err" || rc=$?
  check_eq "FTPS: without --tls the server refuses (TLS required)" 1 "$rc"
  check "FTPS: nothing arrived under the final name" test ! -e "$ROOT/tls/big.bin"
  kill "$FTPS_PID" 2>/dev/null; wait "$FTPS_PID" 2>/dev/null || true
else
  echo "SKIP: FTPS (python3-openssl absent)"
fi

# HTTP PUT and POST (a real HTTP server on 127.0.0.1; the https:// path is the same code)
P_HTTP=$(free_port); mkdir -p "$TMP/http"
$PY "$here/http_server.py" "$P_HTTP" "$TMP/http" vigie s3cret >"$TMP/http.out" 2>"$TMP/http.log" &
HTTP_PID=$!
for _ in $(seq 1 300); do grep -q ready "$TMP/http.out" 2>/dev/null && break; sleep 0.1; done
check "HTTP PUT" "$VIGIE" upload send --to "http://127.0.0.1:$P_HTTP/in" --credentials "$TMP/cred" "$TMP/tide_qc.csv"
check "HTTP PUT: the file arrived" cmp -s "$TMP/tide_qc.csv" "$TMP/http/in/tide_qc.csv"
check "HTTP PUT: its manifest" sh -c "cd '$TMP/http/in' && sha256sum --quiet -c tide_qc.csv.sha256"
check "HTTP POST" "$VIGIE" upload send --to "http://127.0.0.1:$P_HTTP/form/" --method post --credentials "$TMP/cred" "$TMP/tide_qc.csv"
check "HTTP POST: a multipart form with the file" grep -q 'name="file"; filename="tide_qc.csv"' "$TMP/http/form/post-1.raw"
check "HTTP POST: then the manifest" grep -q "$(sha256sum < "$TMP/tide_qc.csv" | cut -c1-64)  tide_qc.csv" "$TMP/http/form/post-2.raw"
rc=0; "$VIGIE" upload send --to "http://127.0.0.1:$P_HTTP/in" --credentials "$TMP/badcred" --attempts 1 "$TMP/big.bin" 2>"$TMP/err" || rc=$?
check_eq "HTTP: refused credentials (401): failure" 1 "$rc"
check "HTTP: the status is named" grep -q "401" "$TMP/err"
kill "$HTTP_PID" 2>/dev/null; wait "$HTTP_PID" 2>/dev/null || true; HTTP_PID=""

# The durable queue, sent by the daemon's upload thread.
P_JSON=$(free_port); P_RAW=$(free_port); P_PUB=$(free_port); DB="$TMP/db"
"$VIGIE" config default | sed -e "s|tcp://127.0.0.1:5555|tcp://127.0.0.1:$P_JSON|" \
  -e "s|tcp://127.0.0.1:5556|tcp://127.0.0.1:$P_RAW|" -e "s|tcp://127.0.0.1:5560|tcp://127.0.0.1:$P_PUB|" \
  -e "s|path: /var/lib/vigie |path: $DB |" -e "s|dir: /var/lib/vigie/export|dir: $TMP|" > "$TMP/vigie.yaml"
cat >> "$TMP/vigie.yaml" <<YAML
upload:
  retry_base_s: 0.5
  retry_max_s: 2
  destinations:
    - {name: coriolis, url: "$URL", credentials: "$TMP/cred", stall_timeout_s: 20}
YAML
grep -q "path: $DB " "$TMP/vigie.yaml" || { fail "test configuration: store path not replaced"; finish; exit; }
check "config check accepts the upload section" "$VIGIE" config check "$TMP/vigie.yaml"
printf 'upload:\n  destinations:\n    - {name: x, url: "gopher://h/"}\n' > "$TMP/bad.yaml"
"$VIGIE" config default | sed -e "s|path: /var/lib/vigie |path: $DB |" | grep -v '^upload' > "$TMP/bad2.yaml"
cat "$TMP/bad.yaml" >> "$TMP/bad2.yaml"
rc=0; "$VIGIE" config check "$TMP/bad2.yaml" > "$TMP/err" 2>&1 || rc=$?
check "a bad destination URL is refused with its line" grep -Eq "bad2.yaml:[0-9]+: upload.destinations\[\]: url 'gopher://h/'" "$TMP/err"

start_ftp || { fail "FTP server start"; finish; exit; }
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
check "the daemon started its upload thread" grep -q "upload thread started: 1 destinations" "$TMP/daemon.log"
cp "$TMP/tide_qc.csv" "$TMP/q1.csv"
id1=$("$VIGIE" upload queue -c "$TMP/vigie.yaml" --dest coriolis "$TMP/q1.csv" | cut -f1)
check "queue gives an id ($id1)" [ -n "$id1" ]
wait_file() { for _ in $(seq 1 600); do [ -f "$1" ] && return 0; sleep 0.05; done; return 1; }
queue_len() { "$VIGIE" upload list -s "$DB" | tail -n +2 | wc -l; }
check "the daemon sent the queued file" wait_file "$ROOT/incoming/q1.csv.sha256"
check "complete" cmp -s "$TMP/q1.csv" "$ROOT/incoming/q1.csv"
for _ in $(seq 1 200); do [ "$(queue_len)" = 0 ] && break; sleep 0.05; done
check_eq "the queue is empty once sent" 0 "$(queue_len)"

stop_ftp
cp "$TMP/tide_qc.csv" "$TMP/q2.csv"
id2=$("$VIGIE" upload queue -c "$TMP/vigie.yaml" --dest coriolis "$TMP/q2.csv" | cut -f1)
for _ in $(seq 1 600); do
  "$VIGIE" upload list -s "$DB" | awk -F'\t' -v id="$id2" '$1 == id && $5 >= 2' | grep -q . && break; sleep 0.05
done
row=$("$VIGIE" upload list -s "$DB" | awk -F'\t' -v id="$id2" '$1 == id')
check "the server down: the item stays, retried with back-off ($(cut -f5 <<<"$row") attempts)" \
  [ "$(cut -f5 <<<"$row")" -ge 2 ]
check "list shows the last error" grep -qi "connect" <<<"$(cut -f7 <<<"$row")"
start_ftp || { fail "FTP server restart"; finish; exit; }
check "retry makes it due now" "$VIGIE" upload retry -c "$TMP/vigie.yaml" "$id2"
check "sent after the server came back" wait_file "$ROOT/incoming/q2.csv.sha256"
check "complete" cmp -s "$TMP/q2.csv" "$ROOT/incoming/q2.csv"
rc=0; "$VIGIE" upload retry -s "$DB" 999999 2>"$TMP/err" || rc=$?
check_eq "retry of an unknown id: failure" 1 "$rc"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"

# Without the daemon: `vigie upload now` sends what is due.
cp "$TMP/tide_qc.csv" "$TMP/q3.csv"
"$VIGIE" upload queue -c "$TMP/vigie.yaml" --dest coriolis "$TMP/q3.csv" >/dev/null
check_eq "queued while the daemon is stopped" 1 "$(queue_len)"
check "upload now sends it" "$VIGIE" upload now -c "$TMP/vigie.yaml"
check "complete" cmp -s "$TMP/q3.csv" "$ROOT/incoming/q3.csv"
check_eq "queue empty" 0 "$(queue_len)"

# The scheduled export: the daemon writes the month's real-time file of each platform and
# queues it; the upload thread sends it.
sed -e "s|dir: $TMP\$|dir: $TMP/export\n  every_s: 2\n  upload_to: coriolis|" -e "s|dir: $TMP |dir: $TMP/export\n  every_s: 2\n  upload_to: coriolis |" \
  "$TMP/vigie.yaml" > "$TMP/sched.yaml"
mkdir -p "$TMP/export"
check "config with export.every_s and upload_to accepted" "$VIGIE" config check "$TMP/sched.yaml"
check "export.every_s is set" grep -q "every_s: 2" "$TMP/sched.yaml"
sed 's/upload_to: coriolis/upload_to: nowhere/' "$TMP/sched.yaml" > "$TMP/sched_bad.yaml"
rc=0; "$VIGIE" config check "$TMP/sched_bad.yaml" >"$TMP/err" 2>&1 || rc=$?
check "export.upload_to must name a destination" grep -q "export.upload_to 'nowhere' is not a name" "$TMP/err"
start_daemon "$TMP/sched.yaml" || { fail "daemon start (scheduled export)"; finish; exit; }
start=$(date -u -d '-3 hours' +%Y-%m-%dT%H:00:00Z)
"$VIGIE" simulate --kind tide_gauge --start "$start" --duration 2h --interval 600 \
  --endpoint "tcp://127.0.0.1:$P_JSON"
month=$(date -u -d "$start" +%Y%m)
tidefile="GL_TS_TG_SIMTIDE_$month.nc"
check "the scheduled export was written, queued and sent ($tidefile)" wait_file "$ROOT/incoming/$tidefile.sha256"
check "its manifest is right" sh -c "cd '$ROOT/incoming' && sha256sum --quiet -c $tidefile.sha256"
check "the same file is in export.dir" test -f "$TMP/export/$tidefile"
check "the daemon logged it" grep -q "scheduled export of SIMTIDE" "$TMP/daemon.log"
stop_daemon
check_eq "daemon stopped cleanly" 0 "$DAEMON_RC"
stop_ftp
finish
