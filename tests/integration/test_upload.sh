#!/usr/bin/env bash
# test_upload.sh: `vigie upload` against a real FTP server (python3-pyftpdlib, started by
# the test on 127.0.0.1). A NetCDF export and a larger file arrive complete, under their
# names only once complete, with a SHA-256 manifest that sha256sum accepts; credentials
# readable by others are refused; the server stopped (killed) in the middle of a transfer
# and restarted: the client retries with back-off, resumes (APPE) and the file arrives
# complete, once. Then the durable queue: queue, list, now, retry.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module pyftpdlib

P_FTP=$(free_port)
ROOT="$TMP/ftp"; mkdir -p "$ROOT/incoming"
FTP_PID=""
start_ftp() { # start_ftp [BYTES_PER_S]: the server on $P_FTP, log in $TMP/ftp.log
  $PY "$here/ftp_server.py" "$P_FTP" "$ROOT" vigie s3cret "${1:-0}" >"$TMP/ftp.out" 2>>"$TMP/ftp.log" &
  FTP_PID=$!
  for _ in $(seq 1 300); do grep -q ready "$TMP/ftp.out" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
stop_ftp() { [ -n "$FTP_PID" ] && kill -KILL "$FTP_PID" 2>/dev/null; wait "$FTP_PID" 2>/dev/null || true; FTP_PID=""; }
trap 'stop_ftp; cleanup' EXIT

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
for _ in $(seq 1 600); do grep -q "attempt 1 of 30 failed" "$TMP/send.err" && break; sleep 0.05; done
check "the client saw the failure and waits (back-off)" grep -q "next attempt in" "$TMP/send.err"
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
finish
