#!/usr/bin/env bash
# test_feed_drain.sh: an engine that is away loses nothing. A `vigie feed` reads a
# thermosalinograph's raw SBE45 + NMEA stream (2 days) on stdin while no daemon runs: every frame goes
# to its spool (several segments); the daemon starts, is stopped cleanly in the middle of the
# drain and started again; the feed exits by itself once every frame is acknowledged, its
# spool is reclaimed, and the store holds every sample of the stream.
here=$(dirname "$0")
source "$here/lib.sh"

P_FEED=$(free_port)
DB="$TMP/db"
cat > "$TMP/vigie.yaml" <<YAML
storage: {path: $DB, commit_interval_ms: 200}
ingest:
  - {bind: "tcp://127.0.0.1:$P_FEED", format: sbe45_nmea, platform: SIMTSG, kind: feed, security: none}
platforms:
  - {id: SIMTSG, kind: tsg, interval_s: 10, parameters: [SSJT, CNDC, SSPS, SVEL, SPDC]}
qc:
  hold_timeout_s: 1
YAML
check "config check accepts kind: feed" "$VIGIE" config check "$TMP/vigie.yaml"

"$VIGIE" simulate --kind tsg --format raw --duration 2d > "$TMP/tsg.raw"
samples=$(grep -cvE '\$GP' "$TMP/tsg.raw")
echo "input: $(wc -l < "$TMP/tsg.raw") lines, $samples SBE45 samples"

# A small window makes the drain slow (one flush per 100 frames), so that the daemon can be
# stopped half-way: an idle daemon commits at once, so commit_interval_ms does not slow it.
"$VIGIE" feed --id TSG-1 --endpoint "tcp://127.0.0.1:$P_FEED" --spool "$TMP/spool" --stdin \
  --segment-kb 64 --batch 50 --window 100 --fsync 20 --ack-timeout-ms 1000 < "$TMP/tsg.raw" 2>"$TMP/feed.log" &
FEED=$!
for _ in $(seq 1 300); do grep -q "end of input" "$TMP/feed.log" && break; sleep 0.1; done
sleep 1
check "the feed waits while no daemon runs" kill -0 "$FEED"
segs=$(ls "$TMP/spool"/seg-*.spool | wc -l)
check "the whole stream waits in the spool ($segs segments)" test "$segs" -gt 3

start_daemon "$TMP/vigie.yaml" || { fail "daemon start"; finish; exit; }
n=$(wait_for_count "$DB" SIMTSG SSJT $((samples / 5)))
echo "stopping the daemon with $n of $samples samples stored"
stop_daemon
check_eq "clean stop in the middle of the drain" 0 "$DAEMON_RC"
check "the feed still waits for the rest" kill -0 "$FEED"
sleep 1
start_daemon "$TMP/vigie.yaml" || { fail "daemon restart"; finish; exit; }
rc=timeout
for _ in $(seq 1 600); do
  if ! kill -0 "$FEED" 2>/dev/null; then rc=0; wait "$FEED" || rc=$?; break; fi
  sleep 0.1
done
check_eq "the feed exits by itself once all is acknowledged" 0 "$rc"
check "its log says the spool drained" grep -q "0 waiting in the spool" "$TMP/feed.log"
check_eq "acknowledged segments reclaimed (the newest one stays)" 1 "$(ls "$TMP/spool"/seg-*.spool | wc -l)"
stop_daemon
check_eq "every SBE45 sample stored" "$samples" "$("$VIGIE" dump -s "$DB" --platform SIMTSG --param SSJT | tail -n +2 | wc -l)"
check_eq "nothing quarantined" 0 "$("$VIGIE" dump -s "$DB" --quarantine | wc -l)"
check "the daemon logged the feed's first batch" grep -q "feed TSG-1: first batch" "$TMP/daemon.log"
finish
