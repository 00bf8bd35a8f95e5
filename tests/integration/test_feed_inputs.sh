#!/usr/bin/env bash
# test_feed_inputs.sh: every source of `vigie feed`, end to end into a real daemon. Four
# feeds, one per source, each with its own platform's JSON lines: UDP datagrams of several
# lines, a TCP server that the feed connects to (and that closes once, so the feed must
# reconnect), a serial port (a pseudo-terminal, set raw 8N1 at 9600 baud by the feed), and
# a file that is rotated (renamed and recreated) and later truncated while the feed follows
# it. Every line must be stored once.
here=$(dirname "$0")
source "$here/lib.sh"

P_FEED=$(free_port); P_UDP=$(free_port); P_TCP=$(free_port)
DB="$TMP/db"
cat > "$TMP/vigie.yaml" <<YAML
storage: {path: $DB, commit_interval_ms: 20}
ingest:
  - {bind: "tcp://127.0.0.1:$P_FEED", format: json, kind: feed, security: none}
platforms:
  - {id: UDP1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV]}
  - {id: TCP1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV]}
  - {id: SER1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV]}
  - {id: FILE1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV]}
qc: {hold_timeout_s: 1}
YAML
# lines P FIRST N: N hourly samples of platform P from hour FIRST (2024-01-01 + hours).
lines() {
  $PY - "$1" "$2" "$3" <<'PYEOF'
import sys, datetime
p, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t0 = datetime.datetime(2024, 1, 1)
for k in range(first, first + n):
    t = t0 + datetime.timedelta(hours=k)
    print('{"platform":"%s","time":"%s","values":{"SLEV":%.2f}}' % (p, t.strftime("%Y-%m-%dT%H:%M:%SZ"), k / 100))
PYEOF
}
start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
PIDS=()
feed() { # feed ID SOURCE-ARGS...
  local id=$1; shift
  "$VIGIE" feed --id "$id" --endpoint "tcp://127.0.0.1:$P_FEED" --spool "$TMP/spool.$id" \
    --ack-timeout-ms 500 "$@" 2>"$TMP/feed.$id.log" &
  PIDS+=($!)
}
stop_feeds() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap 'stop_feeds; cleanup' EXIT

# UDP: 50 datagrams of 4 lines each (the last line of each without its newline).
feed UDP-A --udp "127.0.0.1:$P_UDP"
lines UDP1 0 200 > "$TMP/udp.txt"
sleep 0.5
$PY - "$P_UDP" "$TMP/udp.txt" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ls = open(sys.argv[2]).read().splitlines()
for i in range(0, len(ls), 4):
    s.sendto(("\n".join(ls[i:i + 4])).encode(), ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.002)
PYEOF

# TCP: a server that sends 100 lines, closes, accepts again and sends 100 more.
lines TCP1 0 200 > "$TMP/tcp.txt"
$PY - "$P_TCP" "$TMP/tcp.txt" <<'PYEOF' &
import socket, sys
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1]))); srv.listen(1); srv.settimeout(60)
ls = open(sys.argv[2]).read().splitlines(keepends=True)
for part in (ls[:100], ls[100:]):
    c, _ = srv.accept(); c.sendall("".join(part).encode()); c.close()
PYEOF
TCPSRV=$!
sleep 0.3
feed TCP-A --tcp "127.0.0.1:$P_TCP"

# Serial: a pseudo-terminal; the feed opens the slave side, the test writes on the master.
lines SER1 0 200 > "$TMP/serial.txt"
$PY - "$TMP/serial.txt" "$TMP/pty.name" "$TMP/pty.go" <<'PYEOF' &
import os, sys, time
m, s = os.openpty()
open(sys.argv[2], "w").write(os.ttyname(s))
while not os.path.exists(sys.argv[3]): time.sleep(0.05)
data = open(sys.argv[1], "rb").read().replace(b"\n", b"\r\n")
for i in range(0, len(data), 512):
    os.write(m, data[i:i + 512]); time.sleep(0.01)
time.sleep(20)
PYEOF
PTY=$!
for _ in $(seq 1 100); do [ -s "$TMP/pty.name" ] && break; sleep 0.05; done
feed SER-A --serial "$(cat "$TMP/pty.name")" --baud 9600
sleep 0.5; touch "$TMP/pty.go"

# File: 100 lines, rotated (renamed, a new file), 60 more, then truncated and 40 more.
lines FILE1 0 100 > "$TMP/inst.log"
feed FILE-A --file "$TMP/inst.log"
sleep 1
mv "$TMP/inst.log" "$TMP/inst.log.1"
lines FILE1 100 60 > "$TMP/inst.log"
sleep 1.5
: > "$TMP/inst.log"
sleep 0.5
lines FILE1 160 40 >> "$TMP/inst.log"

for p in UDP1 TCP1 SER1 FILE1; do
  check_eq "$p: every line stored" 200 "$(wait_for_count "$DB" "$p" SLEV 200)"
done
check "the TCP feed reconnected after the server closed" grep -q "reconnecting" "$TMP/feed.TCP-A.log"
check "the file feed followed the rotation" grep -q "rotated" "$TMP/feed.FILE-A.log"
check "and the truncation" grep -q "truncated" "$TMP/feed.FILE-A.log"
stop_feeds
kill "$PTY" "$TCPSRV" 2>/dev/null || true; wait "$PTY" "$TCPSRV" 2>/dev/null || true
stop_daemon
check_eq "nothing quarantined" 0 "$("$VIGIE" dump -s "$DB" --quarantine | wc -l)"
finish
