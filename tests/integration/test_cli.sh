#!/usr/bin/env bash
# test_cli.sh: the command line as a user meets it: --help of every command, exit statuses,
# `config check` on good and bad files (the reason names file and line), and `vigie run`
# failing cleanly at start-up (an endpoint already bound, a store it cannot create).
here=$(dirname "$0")
source "$here/lib.sh"

for cmd in run config dump simulate qc; do
  out=$("$VIGIE" "$cmd" --help); rc=$?
  check_eq "vigie $cmd --help exits 0" 0 "$rc"
  check "vigie $cmd --help prints its usage" grep -q "usage: vigie $cmd" <<< "$out"
done
check "vigie --help lists the commands" bash -c "'$VIGIE' --help | grep -q 'simulate'"
rc=0; "$VIGIE" nonsense 2>/dev/null || rc=$?
check_eq "unknown command: exit 2" 2 "$rc"
rc=0; "$VIGIE" dump 2>/dev/null || rc=$?
check_eq "dump without a store: exit 2" 2 "$rc"
rc=0; "$VIGIE" run 2>/dev/null || rc=$?
check_eq "run without a configuration: exit 2" 2 "$rc"
rc=0; "$VIGIE" dump -s "$TMP/nothing-here" --platform X 2>"$TMP/err" || rc=$?
check_eq "dump of a missing store: exit 1" 1 "$rc"

"$VIGIE" config default > "$TMP/default.yaml"
check "the default configuration passes config check" "$VIGIE" config check "$TMP/default.yaml"
sed 's/commit_interval_ms: 50 /commit_intervl_ms: 50 /' "$TMP/default.yaml" > "$TMP/typo.yaml"
rc=0; "$VIGIE" config check "$TMP/typo.yaml" 2>"$TMP/err" || rc=$?
check_eq "a typo in a key: exit 1" 1 "$rc"
line=$(grep -n commit_intervl_ms "$TMP/typo.yaml" | cut -d: -f1)
check "the error names file, line and key" grep -q "$TMP/typo.yaml:$line: unknown key 'storage.commit_intervl_ms'" "$TMP/err"
sed 's/threshold: 6.0/threshold: lots/' "$TMP/default.yaml" > "$TMP/qc.yaml"
rc=0; "$VIGIE" config check "$TMP/qc.yaml" 2>"$TMP/err" || rc=$?
check_eq "a bad QC option: exit 1" 1 "$rc"
check "the QC error names the test and option" grep -q "spike.threshold for SSJT must be a number" "$TMP/err"
sed 's/format: sbe45_nmea/format: sbe99/' "$TMP/default.yaml" > "$TMP/fmt.yaml"
rc=0; "$VIGIE" config check "$TMP/fmt.yaml" 2>"$TMP/err" || rc=$?
check "an unknown ingest format is refused with the known ones" grep -q "ingest format 'sbe99' unknown (known: json, sbe45_nmea)" "$TMP/err"

# Start-up failures: exit 1 with the reason, nothing left running.
P=$(free_port)
$PY -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',$P)); s.listen(); time.sleep(20)" &
holder=$!
sleep 0.3
cat > "$TMP/busy.yaml" <<YAML
storage: {path: $TMP/db}
ingest: [{bind: "tcp://127.0.0.1:$P", format: json}]
platforms: [{id: X, kind: mooring, interval_s: 60, parameters: [TEMP]}]
YAML
rc=0; timeout 20 "$VIGIE" run -c "$TMP/busy.yaml" 2>"$TMP/err" || rc=$?
kill $holder 2>/dev/null || true
check_eq "an endpoint already in use: exit 1" 1 "$rc"
check "the log names the endpoint" grep -q "cannot bind ingest endpoint tcp://127.0.0.1:$P" "$TMP/err"
touch "$TMP/afile"
sed "s|path: $TMP/db|path: $TMP/afile/db|" "$TMP/busy.yaml" > "$TMP/nodir.yaml"
rc=0; timeout 20 "$VIGIE" run -c "$TMP/nodir.yaml" 2>"$TMP/err" || rc=$?
check_eq "a store that cannot be created: exit 1" 1 "$rc"
check "the log says why" grep -q "cannot open the store" "$TMP/err"

# systemd's notify protocol: READY, watchdog pings from the loop, STOPPING, on a socket of
# our own (NOTIFY_SOCKET), as systemd would see them with Type=notify and WatchdogSec=.
P3=$(free_port)
sed "s|127.0.0.1:$P|127.0.0.1:$P3|" "$TMP/busy.yaml" > "$TMP/notify.yaml"
$PY - "$TMP/notify.sock" "$TMP/notify.txt" <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(0.2)
out = open(sys.argv[2], "w"); t0 = time.time()
while time.time() - t0 < 8:
    try:
        out.write(s.recv(4096).decode().replace("\n", " ") + "\n"); out.flush()
    except socket.timeout:
        pass
PYEOF
listener=$!
for _ in $(seq 1 50); do [ -S "$TMP/notify.sock" ] && break; sleep 0.1; done
rc=0; NOTIFY_SOCKET="$TMP/notify.sock" WATCHDOG_USEC=400000 timeout 20 "$VIGIE" run -c "$TMP/notify.yaml" \
  --max-runtime 1.5 2>"$TMP/err" || rc=$?
sleep 0.3; kill $listener 2>/dev/null || true; wait $listener 2>/dev/null || true
check_eq "under systemd: clean exit" 0 "$rc"
check "READY=1 sent once the endpoints are bound" grep -q "READY=1" "$TMP/notify.txt"
check "watchdog pings while running" [ "$(grep -c 'WATCHDOG=1' "$TMP/notify.txt")" -ge 3 ]
check "STOPPING=1 sent at the stop" grep -q "STOPPING=1" "$TMP/notify.txt"

# --max-runtime stops by itself, cleanly.
P2=$(free_port)
sed "s|127.0.0.1:$P|127.0.0.1:$P2|" "$TMP/busy.yaml" > "$TMP/short.yaml"
rc=0; timeout 20 "$VIGIE" run -c "$TMP/short.yaml" --max-runtime 0.5 2>"$TMP/err" || rc=$?
check_eq "--max-runtime: clean exit" 0 "$rc"
finish
