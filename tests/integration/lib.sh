# lib.sh: helpers shared by the integration tests (sourced, not run). Every test runs the
# real `vigie` binary ($VIGIE) with a real Berkeley DB environment in a temporary folder and
# real ZeroMQ sockets on 127.0.0.1 (free ports asked from the kernel), and cleans up.
set -euo pipefail

VIGIE=${1:?usage: $0 PATH/TO/vigie}
VIGIE=$(readlink -f "$VIGIE")
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/vigie-it.XXXXXX)
DAEMON_PID=""
PASSED=0
# A clean SBE45 line as vigie simulate writes it: time prefix, then exactly four numbers.
SBE45_LINE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z -?[0-9]+\.[0-9]+, +-?[0-9]+\.[0-9]+, +-?[0-9]+\.[0-9]+, +-?[0-9]+\.[0-9]+$'
FAILED=0

cleanup() {
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  if [ "$FAILED" -ne 0 ] && [ -f "$TMP/daemon.log" ]; then
    echo "---- daemon log (last 40 lines) ----"; tail -n 40 "$TMP/daemon.log"
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
# check DESCRIPTION COMMAND...: pass when the command succeeds.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() { if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi; }

finish() {
  echo "integration: $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now and that no integration test
# was given in the last 10 minutes. The kernel may hand out the same free port twice in a row
# (a CI run once got one port for an SMTP server and for the daemon's ingest), and ctest runs
# two tests at once, so the ports given are kept, under a lock, in one file for all tests
# (per user, in /tmp); a line that does not parse, or stamped in the future, is dropped.
# The port is drawn below the kernel's ephemeral range (ip_local_port_range), where no
# outgoing connection of another test takes its source port. free_port runs in $(...),
# where a shell variable would not stay.
free_port() {
  $PY - "/tmp/vigie-it-ports.$(id -u)" <<'PYEOF'
import fcntl, random, socket, sys, time
now = time.time()
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
low = max(low, 2048)
with open(sys.argv[1], "a+") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    f.seek(0)
    recent = {}
    for line in f.read().split("\n"):
        try:
            port, stamp = line.split()
            if 0 <= now - float(stamp) < 600:
                recent[str(int(port))] = stamp
        except ValueError:
            pass
    port = None
    for _ in range(1000):
        candidate = random.randrange(max(1024, low - 12000), low)
        if str(candidate) in recent:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        finally:
            s.close()
        port = str(candidate)
        break
    if port is None:
        sys.exit("free_port: no free port below %d that was not given recently" % low)
    recent[port] = "%.0f" % now
    f.seek(0)
    f.truncate()
    f.write("".join("%s %s\n" % kv for kv in recent.items()))
print(port)
PYEOF
}

# start_daemon CONFIG [ARGS...]: run `vigie run` in the background, wait until it is ready.
# VIGIE_DAEMON_WRAPPER, when set, prefixes the command (e.g. "valgrind --error-exitcode=99").
start_daemon() {
  local cfg=$1; shift
  ${VIGIE_DAEMON_WRAPPER:-} "$VIGIE" run --config "$cfg" "$@" 2>>"$TMP/daemon.log" &
  DAEMON_PID=$!
  wait_running "$DAEMON_PID" "$TMP/daemon.log"
}

# wait_running PID LOG: until the `vigie run` process PID logs "vigie running" in LOG (60 s at
# most); when it dies first, or is not ready in time, say so, print LOG and return 1.
wait_running() {
  for _ in $(seq 1 600); do
    if grep -q "vigie running" "$2" 2>/dev/null; then return 0; fi
    if ! kill -0 "$1" 2>/dev/null; then echo "daemon died at start"; cat "$2"; return 1; fi
    sleep 0.1
  done
  echo "daemon not ready after 60 s"; return 1
}

# stop_daemon: SIGTERM and wait; the exit status is left in DAEMON_RC.
DAEMON_RC=""
stop_daemon() {
  kill -TERM "$DAEMON_PID"
  DAEMON_RC=0
  wait "$DAEMON_PID" || DAEMON_RC=$?
  DAEMON_PID=""
}

# require_python_module NAME: skip the test (exit 77) when Debian's python3 lacks it.
require_python_module() {
  if ! $PY -c "import $1" 2>/dev/null; then
    echo "SKIP: $PY has no module '$1' (Debian package python3-$1; 'make deps' installs it)"
    exit 77
  fi
}

# wait_for_count STORE PLATFORM PARAM N: poll `vigie dump` (which reads while the daemon
# writes) until N values of PARAM are stored; 30 s at most. Prints the last count.
wait_for_count() {
  local n=0
  for _ in $(seq 1 300); do
    n=$("$VIGIE" dump -s "$1" --platform "$2" --param "$3" | tail -n +2 | wc -l)
    [ "$n" -ge "$4" ] && break
    sleep 0.1
  done
  echo "$n"
}
