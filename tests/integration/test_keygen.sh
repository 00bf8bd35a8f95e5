#!/usr/bin/env bash
# test_keygen.sh: `vigie keygen -o BASENAME` writes a CurveZMQ key pair: BASENAME.pub (mode
# 0644) and BASENAME.key (mode 0600), each one 40-character Z85 key; the public key derived
# by libzmq from the secret one (python3-zmq, when installed) is the one written; existing files are never
# overwritten; usage errors exit 2.
source "$(dirname "$0")/lib.sh"
V="$VIGIE"
rc=0; out=$("$V" keygen -o "$TMP/k" 2>"$TMP/err") || rc=$?
check_eq "keygen exits 0" 0 "$rc"
check_eq "public key file mode" 644 "$(stat -c %a "$TMP/k.pub")"
check_eq "secret key file mode" 600 "$(stat -c %a "$TMP/k.key")"
check_eq "public key printed = file" "$(cat "$TMP/k.pub")" "$out"
check "public key is 40 Z85 characters" grep -qxE '.{40}' "$TMP/k.pub"
check "secret key is 40 characters" grep -qxE '.{40}' "$TMP/k.key"
check "public and secret differ" test "$(cat "$TMP/k.pub")" != "$(cat "$TMP/k.key")"
if "$PY" -c 'import zmq' 2>/dev/null; then
  derived=$("$PY" -c 'import sys, zmq; print(zmq.curve_public(open(sys.argv[1], "rb").read().strip()).decode())' "$TMP/k.key")
  check_eq "public key matches the secret (libzmq)" "$(cat "$TMP/k.pub")" "$derived"
fi
before=$(cat "$TMP/k.key")
rc=0; "$V" keygen -o "$TMP/k" >/dev/null 2>"$TMP/err2" || rc=$?
check_eq "existing pair: exit status" 1 "$rc"
check "existing pair: says it exists" grep -q "exists (never overwritten)" "$TMP/err2"
check_eq "existing secret untouched" "$before" "$(cat "$TMP/k.key")"
rc=0; "$V" keygen -o >/dev/null 2>&1 || rc=$?
check_eq "usage error: exit status" 2 "$rc"
finish
