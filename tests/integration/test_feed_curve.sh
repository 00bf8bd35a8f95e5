#!/usr/bin/env bash
# test_feed_curve.sh: CurveZMQ on the feed ingest endpoints (docs/feed.md, "Keys"). The real
# daemon with a curve feed endpoint (its secret key, a directory of accepted *.pub keys) and a
# plain one (security: none), on 127.0.0.1, and real `vigie feed` agents, one platform each:
#   - an accepted key streams, and every sample is stored;
#   - an unknown key is refused: the daemon logs the key and the peer address, nothing is
#     stored, the feed keeps its frames spooled; once its public key is added to the
#     directory and the daemon reloaded (SIGHUP), the same feed drains by itself;
#   - a plain feed at the curve endpoint, and a feed with the wrong server key, are refused
#     (both sides log it) and store nothing; their frames stay in the spool;
#   - a plain feed at the endpoint that says security: none streams;
#   - a pull endpoint with keys is curve too: a CurveZMQ PUSH client with an accepted key
#     (python3-zmq, when installed) is stored, a plain PUSH client is not;
#   - config check: a feed endpoint without keys, a secret key readable by others, a clients
#     path that does not exist are errors naming the line.
here=$(dirname "$0")
source "$here/lib.sh"

P_CURVE=$(free_port)
P_PLAIN=$(free_port)
P_PULL=$(free_port)
DB="$TMP/db"
K="$TMP/keys"
mkdir -p "$K" "$TMP/clients"
for who in engine good other; do "$VIGIE" keygen -o "$K/$who" >/dev/null 2>&1; done
cp "$K/good.pub" "$TMP/clients/"
curve_entry="{bind: \"tcp://127.0.0.1:$P_CURVE\", format: json, kind: feed, secret_key: $K/engine.key, clients: $TMP/clients}"
write_config() { # write_config FILE CURVE_ENTRY
  cat > "$1" <<YAML
storage: {path: $DB, commit_interval_ms: 50}
ingest:
  - $2
  - {bind: "tcp://127.0.0.1:$P_PLAIN", format: json, kind: feed, security: none}
  - {bind: "tcp://127.0.0.1:$P_PULL", format: json, secret_key: $K/engine.key, clients: $TMP/clients}
platforms:
  - {id: TGA, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}
  - {id: TGB, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}
  - {id: TGC, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}
  - {id: TGD, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}
  - {id: TGE, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}
  - {id: TGP, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}
  - {id: TGQ, kind: tide_gauge, interval_s: 60, parameters: [SLEV]}
qc: {hold_timeout_s: 1}
YAML
}

# ---- configuration errors (each names its line) ----
write_config "$TMP/nokeys.yaml" "{bind: \"tcp://127.0.0.1:$P_CURVE\", format: json, kind: feed}"
rc=0; "$VIGIE" config check "$TMP/nokeys.yaml" > "$TMP/err" 2>&1 || rc=$?
check_eq "a feed endpoint without keys is refused" 1 "$rc"
check "... at its line, saying how to allow plain TCP" grep -q "nokeys.yaml:3: .*security: none" "$TMP/err"
cp "$K/engine.key" "$K/loose.key"; chmod 644 "$K/loose.key"
write_config "$TMP/loose.yaml" "{bind: \"tcp://127.0.0.1:$P_CURVE\", format: json, kind: feed, secret_key: $K/loose.key, clients: $TMP/clients}"
rc=0; "$VIGIE" config check "$TMP/loose.yaml" > "$TMP/err" 2>&1 || rc=$?
check_eq "a secret key readable by others is refused" 1 "$rc"
check "... naming the line, the file and the fix" grep -q "loose.yaml:3: ingest\[\].secret_key: $K/loose.key: .*chmod 600" "$TMP/err"
write_config "$TMP/noclients.yaml" "{bind: \"tcp://127.0.0.1:$P_CURVE\", format: json, kind: feed, secret_key: $K/engine.key, clients: $TMP/nowhere}"
rc=0; "$VIGIE" config check "$TMP/noclients.yaml" > "$TMP/err" 2>&1 || rc=$?
check_eq "a clients path that does not exist is refused" 1 "$rc"
check "... naming it" grep -q "noclients.yaml:3: ingest\[\].clients: $TMP/nowhere" "$TMP/err"

write_config "$TMP/vigie.yaml" "$curve_entry"
check "the curve configuration is valid" "$VIGIE" config check "$TMP/vigie.yaml"

# 200 minutes of one tide gauge, on stdin of a feed.
series() {
  $PY - "$1" <<'PY'
import sys, datetime
t0 = datetime.datetime(2024, 3, 1)
for k in range(200):
    t = t0 + datetime.timedelta(minutes=k)
    print('{"platform":"%s","time":"%s","values":{"SLEV":%.3f}}' % (sys.argv[1], t.strftime("%Y-%m-%dT%H:%M:%SZ"), 1 + (k % 17) / 100))
PY
}
for p in TGA TGB TGC TGD TGE TGP TGQ; do series $p > "$TMP/$p.jsonl"; done
count() { "$VIGIE" dump -s "$DB" --platform "$1" --param SLEV | tail -n +2 | wc -l; }
# wait_exit PID SECONDS: EXIT = the feed's exit status, or "running" after SECONDS
wait_exit() {
  EXIT=running
  for _ in $(seq 1 $(($2 * 10))); do
    if ! kill -0 "$1" 2>/dev/null; then EXIT=0; wait "$1" || EXIT=$?; return; fi
    sleep 0.1
  done
}
# wait_log FILE REGEX (wait_text FILE TEXT: fixed text): true once FILE matches (30 s at most)
wait_log() {
  for _ in $(seq 1 300); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
wait_text() {
  for _ in $(seq 1 300); do grep -qF "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
FEEDS=""
trap 'for f in $FEEDS; do kill "$f" 2>/dev/null || true; done; cleanup' EXIT
feed() { # feed ID PORT SPOOL [key options]: on stdin, in the background
  local id=$1 port=$2 spool=$3; shift 3
  "$VIGIE" feed --id "$id" --endpoint "tcp://127.0.0.1:$port" --spool "$TMP/$spool" --stdin \
    --batch 50 --ack-timeout-ms 1000 "$@" < "$TMP/$id.jsonl" 2>"$TMP/$id.log" &
  FEEDS="$FEEDS $!"
}

start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
check "the daemon binds the curve endpoint" grep -q "feed ingest (CurveZMQ) endpoint bound: tcp://127.0.0.1:$P_CURVE" "$TMP/daemon.log"
check "... and logs its public key and 1 accepted client" grep -qF "server public key $(cat "$K/engine.pub"), 1 client keys accepted" "$TMP/daemon.log"

# An accepted key streams.
feed TGA "$P_CURVE" sa --key "$K/good.key" --server-key "$K/engine.pub"; FA=$!
wait_exit $FA 60; check_eq "the feed with an accepted key drains and exits" 0 "$EXIT"
check_eq "its 200 samples are stored" 200 "$(count TGA)"
check "the daemon logged the accepted key" grep -qF "accepted client key $(cat "$K/good.pub") from 127.0.0.1" "$TMP/daemon.log"

# An unknown key is refused, and keeps its frames spooled.
feed TGB "$P_CURVE" sb --key "$K/other.key" --server-key "$K/engine.pub"; FB=$!
check "the daemon logs the refused key and the peer address" wait_text "$TMP/daemon.log" "refused client key $(cat "$K/other.pub") from 127.0.0.1 (not in ingest[].clients)"
check "the refused feed says so" wait_log "$TMP/TGB.log" "refused this feed's key"
# A plain feed at the curve endpoint; a feed that has the wrong server key.
feed TGC "$P_CURVE" sc; FC=$!
feed TGE "$P_CURVE" se --key "$K/good.key" --server-key "$K/other.pub"; FE=$!
check "the plain feed logs the failed handshake" wait_log "$TMP/TGC.log" "handshake with .* failed"
check "the wrong-server-key feed logs the failed handshake" wait_log "$TMP/TGE.log" "handshake with .* failed"
check "the daemon logs a failed handshake on the curve endpoint" wait_log "$TMP/daemon.log" "ingest tcp://127\.0\.0\.1:$P_CURVE: a client failed the CurveZMQ handshake"
# A plain feed at the endpoint that says security: none.
feed TGD "$P_PLAIN" sd; FD=$!
wait_exit $FD 60; check_eq "a plain feed at a security: none endpoint drains" 0 "$EXIT"
check_eq "its 200 samples are stored" 200 "$(count TGD)"
sleep 2 # the refused ones had all this time, and retried (every 1..10 s)
check "the refused feed keeps running" kill -0 "$FB"
check "the plain feed keeps running" kill -0 "$FC"
for p in TGB TGC TGE; do check_eq "nothing of $p stored" 0 "$(count $p)"; done

# A pull endpoint with keys: CurveZMQ PUSH clients (python3-zmq) with an accepted key are
# heard, plain ones are not.
if "$PY" -c 'import zmq' 2>/dev/null; then
  "$PY" - "$P_PULL" "$K" "$TMP/TGP.jsonl" "$TMP/TGQ.jsonl" <<'PY'
import sys, time, zmq
port, keys, good, plain = sys.argv[1:5]
ctx = zmq.Context()
def push(path, curve):
    s = ctx.socket(zmq.PUSH)
    s.setsockopt(zmq.LINGER, 5000)
    if curve:
        s.curve_secretkey = open(keys + "/good.key", "rb").read().strip()
        s.curve_publickey = open(keys + "/good.pub", "rb").read().strip()
        s.curve_serverkey = open(keys + "/engine.pub", "rb").read().strip()
    s.connect("tcp://127.0.0.1:" + port)
    s.send(open(path, "rb").read())
    return s
a = push(good, True)
b = push(plain, False)
time.sleep(2)  # the plain one never gets through; its message is dropped at close
a.close(); b.close(linger=0); ctx.term()
PY
  check_eq "a CurveZMQ PUSH client with an accepted key is stored (pull endpoint)" 200 "$(wait_for_count "$DB" TGP SLEV 200)"
  check_eq "a plain PUSH client at the curve pull endpoint is not" 0 "$(count TGQ)"
else
  echo "skip: python3-zmq not installed: the pull endpoint's CurveZMQ is not checked"
fi

# The operator accepts the other key: add it, reload; the feed drains by itself.
cp "$K/other.pub" "$TMP/clients/"
kill -HUP "$DAEMON_PID"
check "the reload is applied" wait_log "$TMP/daemon.log" "SIGHUP: configuration reloaded"
wait_exit $FB 60; check_eq "the once-refused feed drains after the reload" 0 "$EXIT"
check_eq "its 200 samples are stored" 200 "$(count TGB)"

# The refused ones stop with every frame still in their spool.
kill -TERM "$FC" "$FE"
wait_exit $FC 10; check_eq "the plain feed stops cleanly" 0 "$EXIT"
wait_exit $FE 10; check_eq "the wrong-server-key feed stops cleanly" 0 "$EXIT"
check "the plain feed kept its 200 frames" grep -q "acknowledged up to 0, 200 waiting in the spool" "$TMP/TGC.log"
check "the wrong-server-key feed kept its 200 frames" grep -q "acknowledged up to 0, 200 waiting in the spool" "$TMP/TGE.log"
stop_daemon
check_eq "clean stop" 0 "$DAEMON_RC"
for p in TGC TGE; do check_eq "still nothing of $p stored" 0 "$(count $p)"; done
check_eq "nothing quarantined" 0 "$("$VIGIE" dump -s "$DB" --quarantine | wc -l)"
check "the stop summary counts the handshakes" grep -qE "CurveZMQ handshakes: [2-9][0-9]* clients accepted, [1-9][0-9]* refused by key, [1-9][0-9]* failed" "$TMP/daemon.log"
finish
