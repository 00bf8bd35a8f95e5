# common.sh: what the two drivers of tests-gosud (run.sh, regress.sh) share; sourced, not run.
# Defines PY (Debian's python3), TMP (a temporary folder removed at exit, with the daemon
# of `pid` killed if one is left), free_port, and skips the test (exit 77) without python3-zmq.
PY=/usr/bin/python3
if ! $PY -c 'import zmq' 2>/dev/null; then
  echo "SKIP: $PY has no module zmq (Debian package python3-zmq; 'make deps' installs it)"; exit 77
fi
TMP=$(mktemp -d "/tmp/vigie-${1:-gosud}.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill -KILL $pid 2>/dev/null; rm -rf "$TMP"' EXIT
# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
