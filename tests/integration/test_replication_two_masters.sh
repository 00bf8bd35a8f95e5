#!/usr/bin/env bash
# test_replication_two_masters.sh: an operator's mistake, two masters at once. Site A is the
# master (a `vigie feed` streams to it), B its replica; B is restarted with role master while
# A runs. Berkeley DB reports two masters (DB_EVENT_REP_DUPMASTER) and makes A a replica:
# its store refuses every write. The daemon on A must neither crash nor spin: after a
# failure it pauses the feed's batches (docs/feed.md, "Back-pressure: the pause after a storage failure"), so the store is tried
# a few times a second at most, and it acknowledges nothing it did not commit. Then the
# operator repairs: B goes back to being a replica, A is restarted as master, and the feed's
# spool delivers every sample, once, to both sites.
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/repl_sites.sh"

A="$TMP/site-a"; B="$TMP/site-b"
ACKS="ack_policy: all
ack_timeout_ms: 2000"
site_config "$TMP/a.yaml" "$A" master "$P_MASTER" "$P_REPLICA" "$ACKS"
site_config "$TMP/b.yaml" "$B" replica "$P_REPLICA" "$P_MASTER" "$ACKS"
site_config "$TMP/b-master.yaml" "$B" master "$P_REPLICA" "$P_MASTER" "$ACKS"
# B as master binds its own feed endpoint (both sites run on this one host).
P_FEED_B=$(free_port)
sed -i "s/127.0.0.1:$P_FEED\"/127.0.0.1:$P_FEED_B\"/" "$TMP/b-master.yaml"


"$VIGIE" simulate --kind tide_gauge --format json --duration 20d > "$TMP/all.jsonl"
LINES=$(wc -l < "$TMP/all.jsonl")
: > "$TMP/instrument.txt"
run_site a "$TMP/a.yaml" || { fail "master start"; finish; exit; }
run_site b "$TMP/b.yaml" || { fail "replica start"; finish; exit; }
for _ in $(seq 1 300); do grep -q "replica in sync" "$TMP/b.log" && break; sleep 0.2; done
start_feed
head -n 100 "$TMP/all.jsonl" >> "$TMP/instrument.txt"
check_eq "the master stores the first 100 samples" 100 "$(wait_count "$A" 100)"
check_eq "and its replica has them" 100 "$(wait_count "$B" 100)"

# ---- B restarted as master while A runs -------------------------------------------------
stop_site b
# Its start may fail (Berkeley DB demotes it while it opens its databases) or succeed and be
# demoted later: either way A hears of another master.
run_site b-master "$TMP/b-master.yaml" || echo "B as master did not start (see b-master.log)"
dup=no
for _ in $(seq 1 300); do grep -q "another site is master too" "$TMP/a.log" && { dup=yes; break; }; sleep 0.1; done
check_eq "A logs the second master" yes "$dup"
# Berkeley DB logs the event before it makes A a replica: new frames only once it has.
demoted=no
for _ in $(seq 1 300); do grep -q "this site is a replica (client)" "$TMP/a.log" && { demoted=yes; break; }; sleep 0.1; done
check_eq "A says it is a replica now" yes "$demoted"
tail -n +101 "$TMP/all.jsonl" >> "$TMP/instrument.txt"
sleep 8
check "A's daemon is still running" kill -0 "${PIDS[a]}"
check "A refused the feed's batches: it cannot write" grep -q "batch not acknowledged: .*read-only database" "$TMP/a.log"
tries=$(grep -c "batch not acknowledged" "$TMP/a.log" || true)
echo "A tried and failed $tries batches in 8 s"
check "after a failure A pauses: a few tries, not a loop of resends ($tries <= 40)" test "$tries" -le 40
acked=$(sed -n 's/.*acknowledged up to \([0-9]*\).*/\1/p' <("$VIGIE" db stats -s "$A" | grep "^feed TIDE-A"))
check_eq "nothing beyond the first 100 frames is acknowledged" 100 "${acked:-none}"
check "the feed still holds the rest" bash -c "! grep -q 'spool drained: every frame up to $LINES' '$TMP/feed.log'"

# ---- the repair: B back to replica, A restarted as master --------------------------------
if [ -n "${PIDS[b-master]:-}" ]; then stop_site b-master; fi
stop_site a
run_site a "$TMP/a.yaml" || { fail "A restarted as master"; finish; exit; }
run_site b "$TMP/b.yaml" || { fail "B restarted as replica"; finish; exit; }
check_eq "after the repair the master gets every sample" "$LINES" "$(wait_count "$A" "$LINES")"
check_eq "and its replica too" "$LINES" "$(wait_count "$B" "$LINES")"
check_eq "the feed's spool drained" yes "$(wait_drained "$LINES")"
for site in "$A" "$B"; do
  "$VIGIE" dump -s "$site" --platform SIMTIDE --param SLEV > "$TMP/dump.csv"
  check_eq "$(basename "$site"): every sample, once" "$LINES $LINES" "$(tail -n +2 "$TMP/dump.csv" | wc -l) $(tail -n +2 "$TMP/dump.csv" | cut -d, -f2 | sort -u | wc -l)"
done

kill -TERM "$FEED_PID" 2>/dev/null || true; wait "$FEED_PID" || true; FEED_PID=""
stop_site b
stop_site a
finish
