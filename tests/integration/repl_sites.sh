# repl_sites.sh: helpers of the replication tests (sourced after lib.sh): their ports and
# site configurations, vigie processes ("sites") started and stopped by name, the samples a
# store holds, the feed's drain, and the clean-up at exit.

# Processes: NAME -> pid, each with its own log ($TMP/NAME.log).
declare -A PIDS=()
# run_site NAME CONFIG: start `vigie run` (under $VIGIE_DAEMON_WRAPPER when set, as
# start_daemon), wait until it is ready (60 s at most).
run_site() {
  ${VIGIE_DAEMON_WRAPPER:-} "$VIGIE" run --config "$2" 2>>"$TMP/$1.log" &
  PIDS[$1]=$!
  wait_running "${PIDS[$1]}" "$TMP/$1.log"
}
# stop_site NAME [SIGNAL]: send SIGTERM (or SIGNAL) and wait. Exit status 99 is the
# wrapper's (valgrind --error-exitcode=99, `make valgrind`): a failure.
stop_site() {
  local rc=0
  kill -"${2:-TERM}" "${PIDS[$1]}" 2>/dev/null || true
  wait "${PIDS[$1]}" 2>/dev/null || rc=$?
  if [ "$rc" -eq 99 ]; then
    fail "$1: the wrapper reported errors (exit status 99):"
    grep -m 60 '^==[0-9]*==' "$TMP/$1.log" || true
  fi
  unset "PIDS[$1]"
}
# count DIR: samples of SIMTIDE stored, read by `vigie dump` (a reader: works while the
# site runs).
count() { "$VIGIE" dump -s "$1" --platform SIMTIDE --param SLEV 2>/dev/null | tail -n +2 | wc -l; }
# wait_count DIR N: until DIR holds N samples (60 s at most); prints the last count.
wait_count() {
  local n=0
  for _ in $(seq 1 300); do n=$(count "$1"); [ "$n" -ge "$2" ] && break; sleep 0.2; done
  echo "$n"
}

# Three free loopback ports (free_port never gives one twice): the master's and the
# replica's replication ports, and the feed endpoint.
P_MASTER=$(free_port)
P_REPLICA=$(free_port)
P_FEED=$(free_port)

# site_config FILE DIR ROLE LOCAL_PORT REMOTE_PORT ACKS: a site's configuration; ACKS are the
# acknowledgement lines of storage.replication (ack_policy...), one per line.
site_config() {
  {
    cat <<YAML
daemon: {log_level: info}
storage:
  path: $2
  commit_interval_ms: 20
  replication:
    role: $3
    local: 127.0.0.1:$4
    remote: [127.0.0.1:$5]
YAML
    sed 's/^/    /' <<<"$6"
    cat <<YAML
ingest:
  - {bind: "tcp://127.0.0.1:$P_FEED", format: json, kind: feed, security: none}
platforms:
  - {id: SIMTIDE, kind: tide_gauge, interval_s: 3600, parameters: [SLEV], position: [21.3, -157.9]}
qc:
  hold_timeout_s: 1
YAML
  } > "$1"
}

# The feed and the instrument's appender a test starts (their pids, "" when not running).
FEED_PID=""
APPENDER=""
# start_feed: `vigie feed` of TIDE-A tails $TMP/instrument.txt to the feed endpoint, spool in
# $TMP/spool, log in $TMP/feed.log; its pid in FEED_PID.
start_feed() {
  "$VIGIE" feed --id TIDE-A --endpoint "tcp://127.0.0.1:$P_FEED" --spool "$TMP/spool" \
    --file "$TMP/instrument.txt" --batch 20 --fsync always --ack-timeout-ms 1000 \
    2>>"$TMP/feed.log" &
  FEED_PID=$!
}
# stop_all: at exit, kill what still runs (the feed, the appender, every site) and, after a
# failure, print the end of every log.
stop_all() {
  if [ -n "$FEED_PID" ]; then kill -KILL "$FEED_PID" 2>/dev/null || true; wait "$FEED_PID" 2>/dev/null || true; fi
  if [ -n "$APPENDER" ]; then kill "$APPENDER" 2>/dev/null || true; wait "$APPENDER" 2>/dev/null || true; fi
  for n in "${!PIDS[@]}"; do kill -KILL "${PIDS[$n]}" 2>/dev/null || true; wait "${PIDS[$n]}" 2>/dev/null || true; done
  if [ "$FAILED" -ne 0 ]; then
    for f in "$TMP"/*.log; do echo "---- $(basename "$f") (last 25 lines) ----"; tail -n 25 "$f"; done
  fi
}
trap 'stop_all; cleanup' EXIT

# wait_drained N: until the feed logs that every frame up to N is acknowledged (60 s); prints
# yes or no.
wait_drained() {
  for _ in $(seq 1 300); do
    grep -q "spool drained: every frame up to $1 acknowledged" "$TMP/feed.log" && { echo yes; return; }
    sleep 0.2
  done
  echo no
}
