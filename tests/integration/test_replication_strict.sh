#!/usr/bin/env bash
# test_replication_strict.sh: storage.replication.ack_required (docs/storage.md,
# "Replication"): with it, a master acknowledges a feed's frames only once a replica has
# acknowledged their commit. Two real vigie processes on loopback replicate one store; the
# feed streams before the replica ever joined: nothing is acknowledged until it has joined.
# Then the replica is stopped while the feed streams: the master stores the new samples
# but the feed keeps them in its spool (not acknowledged), also across a restart of the
# feed; when the replica returns they are acknowledged. The replica goes away again, the
# master is killed, the replica (never given the last samples) is promoted, and the feed's
# spool delivers every sample to it, once.
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/repl_sites.sh"

LINES=800
A="$TMP/site-a"
B="$TMP/site-b"

ACKS="ack_policy: one
ack_timeout_ms: 500
ack_required: true"
site_config "$TMP/a-master.yaml" "$A" master "$P_MASTER" "$P_REPLICA" "$ACKS"
site_config "$TMP/b-replica.yaml" "$B" replica "$P_REPLICA" "$P_MASTER" "$ACKS"
# Promoted while the other site is lost: with ack_required it would acknowledge nothing
# until a replica joins, so the operator turns it off (docs/storage.md, "Replication").
site_config "$TMP/b-master.yaml" "$B" master "$P_REPLICA" "$P_MASTER" "$ACKS"
sed -i 's/ack_required: true/ack_required: false/' "$TMP/b-master.yaml"
check "config check accepts ack_required" "$VIGIE" config check "$TMP/a-master.yaml"
sed 's/ack_policy: one/ack_policy: all/' "$TMP/a-master.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1) && rc=0 || rc=$?
check_eq "ack_required with ack_policy all is refused (exit status)" 1 "$rc"
check "with the line and the reason" grep -q "bad.yaml:[0-9]*: .*ack_required: true needs ack_policy: one" <<<"$out"

# stop_feed: SIGTERM the feed and wait for it (in this shell: a subshell cannot wait for
# it); ACKED = the point it says is acknowledged in the line it logs as it stops ("none"
# if it logged none).
stop_feed() {
  local before
  before=$(grep -c "stopping: " "$TMP/feed.log" || true)
  kill -TERM "$FEED_PID"; wait "$FEED_PID" || true; FEED_PID=""
  ACKED=none
  if [ "$(grep -c "stopping: " "$TMP/feed.log" || true)" -gt "$before" ]; then
    ACKED=$(sed -n 's/.*stopping: .* acknowledged up to \([0-9]*\),.*/\1/p' "$TMP/feed.log" | tail -n 1)
  fi
}


"$VIGIE" simulate --kind tide_gauge --format json --duration $((LINES / 24 + 1))d > "$TMP/sim.jsonl"
head -n "$LINES" "$TMP/sim.jsonl" > "$TMP/all.jsonl"
check_eq "the instrument's output" "$LINES" "$(wc -l < "$TMP/all.jsonl")"
head -n 300 "$TMP/all.jsonl" > "$TMP/instrument.txt"

# ---- 1. before the replica ever joined: stored, not acknowledged; then acknowledged -------
: > "$TMP/feed.log"
run_site a-master "$TMP/a-master.yaml" || { fail "master start"; finish; exit; }
start_feed
check_eq "the master alone stores the first 300 samples" 300 "$(wait_count "$A" 300)"
sleep 2
check "but acknowledges none of them before a replica joined" bash -c "! grep -q 'spool drained' '$TMP/feed.log'"
run_site b-replica "$TMP/b-replica.yaml" || { fail "replica start"; finish; exit; }
for _ in $(seq 1 300); do grep -q "replica in sync" "$TMP/b-replica.log" && break; sleep 0.2; done
check "the replica synced with the master" grep -q "replica in sync with the master" "$TMP/b-replica.log"
check_eq "once it has joined, the master acknowledges all 300 frames" yes "$(wait_drained 300)"
check_eq "and the replica holds them" 300 "$(wait_count "$B" 300)"

# ---- 2. the replica is away: stored on the master, not acknowledged ------------------------
stop_site b-replica
sed -n '301,600p' "$TMP/all.jsonl" >> "$TMP/instrument.txt"
check_eq "without its replica the master stores the next 300 samples" 600 "$(wait_count "$A" 600)"
sleep 3 # several probe commits and feed time-outs
stop_feed; acked=$ACKED
check_eq "but the feed was acknowledged only up to what the replica has" 300 "$acked"
check "the master logged the commits its replica did not acknowledge" grep -q "replication: [0-9]* commits\? not acknowledged by the replicas in time" "$TMP/a-master.log"
start_feed # its spool resends 301..600: the master has them, and still does not acknowledge
sleep 3
stop_feed; acked=$ACKED
echo "the restarted feed was acknowledged up to ${acked:-?} in its run"
check "a restarted feed's resent frames are not acknowledged beyond 300 either" test "$acked" != none -a "${acked:-999}" -le 300
check "nor did its spool drain" bash -c "! grep -q 'spool drained: every frame up to 600' '$TMP/feed.log'"

# ---- 3. the replica returns: it catches up, and the acknowledgements leave -----------------
run_site b-replica "$TMP/b-replica.yaml" || { fail "replica restart"; finish; exit; }
start_feed
check_eq "once the replica is back, all 600 frames are acknowledged" yes "$(wait_drained 600)"
check_eq "and the replica holds them" 600 "$(wait_count "$B" 600)"

# ---- 4. away again, and the master's site is lost: the spool has what only it had --------
stop_site b-replica
sed -n '601,800p' "$TMP/all.jsonl" >> "$TMP/instrument.txt"
check_eq "the master stores the last 200 samples" 800 "$(wait_count "$A" 800)"
sleep 2
stop_site a-master KILL
stop_feed; acked=$ACKED
check_eq "the feed was acknowledged only up to what the replica has" 600 "$acked"
run_site b-master "$TMP/b-master.yaml" || { fail "promoted replica start"; finish; exit; }
check_eq "the promoted replica had only the acknowledged samples" 600 "$(count "$B")"
start_feed
check_eq "the feed's spool delivers the last 200 to it" yes "$(wait_drained 800)"
"$VIGIE" dump -s "$B" --platform SIMTIDE --param SLEV > "$TMP/b-final.csv"
check_eq "its store is the instrument's output, each sample once" same "$($PY - "$TMP/all.jsonl" "$TMP/b-final.csv" <<'PYEOF'
import csv, json, sys
want = {}
for line in open(sys.argv[1]):
    o = json.loads(line); want[o["time"]] = o["values"]["SLEV"]
rows = list(csv.DictReader(open(sys.argv[2])))
got = {r["time"]: float(r["value"]) for r in rows}
bad = [t for t in want if t not in got or abs(got[t] - want[t]) > 1e-9]
print("same" if not bad and len(rows) == len(want) else "differ: %d missing or wrong (e.g. %s), %d rows" % (len(bad), bad[:3], len(rows)))
PYEOF
)"
stop_feed
stop_site b-master
check "clean stops" true
finish
