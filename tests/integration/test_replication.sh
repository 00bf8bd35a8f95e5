#!/usr/bin/env bash
# test_replication.sh: losing the master's site loses nothing acknowledged. Two real vigie
# processes on two loopback ports replicate one store through Berkeley DB's replication
# manager (docs/storage.md, "Replication"): a master daemon that a `vigie feed` streams a
# tide gauge's JSON lines to, and a replica (`vigie run` with role replica) that starts
# after the master already holds data (internal initialisation), is stopped while the
# master goes on, and catches up when it returns. Then the master is killed with SIGKILL
# in the middle of the stream: the replica holds every sample the master acknowledged to
# the feed, once. Failover: the replica is promoted (restarted with role master, binding
# the feed endpoint) and the feed's spool resends the rest: every sample arrives, once.
# Then the old master comes back as a replica of the new one and gets everything. Finally
# both running sites (master and replica) are backed up hot, and each backup restores into
# a plain store that holds every sample once. On the way, a SIGHUP with other replication
# settings keeps the running ones and says so. Last, the first site loses its disk: a backup
# taken early, restored, rejoins the group as a replica and catches up.
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/repl_sites.sh"

LINES=3000
A="$TMP/site-a"   # the first master
B="$TMP/site-b"   # its replica, promoted later

ACKS="ack_policy: all
ack_timeout_ms: 5000"
site_config "$TMP/a-master.yaml" "$A" master "$P_MASTER" "$P_REPLICA" "$ACKS"
site_config "$TMP/b-replica.yaml" "$B" replica "$P_REPLICA" "$P_MASTER" "$ACKS"
site_config "$TMP/b-master.yaml" "$B" master "$P_REPLICA" "$P_MASTER" "$ACKS"
site_config "$TMP/a-replica.yaml" "$A" replica "$P_MASTER" "$P_REPLICA" "$ACKS"
check "config check accepts storage.replication (master)" "$VIGIE" config check "$TMP/a-master.yaml"
check "config check accepts storage.replication (replica)" "$VIGIE" config check "$TMP/b-replica.yaml"


# append FROM TO: the instrument writes lines FROM..TO of its output, 30 lines every 20 ms.
append() {
  sed -n "$1,$2p" "$TMP/all.jsonl" | $PY -c '
import sys, time
lines = sys.stdin.buffer.read().splitlines(keepends=True)
with open(sys.argv[1], "ab", buffering=0) as out:
    for i in range(0, len(lines), 30):
        out.write(b"".join(lines[i:i + 30]))
        time.sleep(0.02)
' "$TMP/instrument.txt"
}
# lsn DIR: the replication LSN line of `vigie db stats`.
lsn() { "$VIGIE" db stats -s "$1" 2>/dev/null | sed -n 's/^replication lsn \([0-9/]*\).*/\1/p'; }

"$VIGIE" simulate --kind tide_gauge --format json --duration $((LINES / 24))d > "$TMP/all.jsonl"
check_eq "the instrument's output" "$LINES" "$(wc -l < "$TMP/all.jsonl")"
: > "$TMP/instrument.txt"

# ---- 1. the master runs alone, then a replica joins and copies the whole store --------
run_site a-master "$TMP/a-master.yaml" || { fail "master start"; finish; exit; }
start_feed
append 1 1000
check_eq "the master stores the first 1000 samples" 1000 "$(wait_count "$A" 1000)"
check "db stats on the master shows its role" grep -q "^replication master, site 127.0.0.1:$P_MASTER" <("$VIGIE" db stats -s "$A")
# The backup an operator took of this site early on: step 7 restores it after a disk loss.
out=$("$VIGIE" db backup -s "$A" "$TMP/backup-early" 2>&1) && rc=0 || rc=$?
check_eq "an early hot backup of the master (exit status; $out)" 0 "$rc"

run_site b-replica "$TMP/b-replica.yaml" || { fail "replica start"; finish; exit; }
for _ in $(seq 1 300); do grep -q "replica in sync" "$TMP/b-replica.log" && break; sleep 0.2; done
check "the replica synced with the master" grep -q "replica in sync with the master" "$TMP/b-replica.log"
check "by internal initialisation (the whole store copied)" grep -q "internal initialisation done" "$TMP/b-replica.log"
check_eq "the replica holds the master's 1000 samples" 1000 "$(wait_count "$B" 1000)"
stats=$("$VIGIE" db stats -s "$B")
check "db stats on the replica: role, in sync, master" grep -q "^replication replica (in sync), site 127.0.0.1:$P_REPLICA, master 127.0.0.1:$P_MASTER" <<<"$stats"
check "db stats on the replica: the feed's mark came with the samples" grep -q "^feed TIDE-A .*acknowledged up to 1000" <<<"$stats"
check "the replica's quarantine reads while it runs" "$VIGIE" dump -s "$B" --quarantine
check "and its events" "$VIGIE" dump -s "$B" --events
same=no
for _ in $(seq 1 100); do
  la=$(lsn "$A"); lb=$(lsn "$B")
  [ -n "$la" ] && [ "$la" = "$lb" ] && { same=yes; break; }
  sleep 0.2
done
check_eq "both sites at the same log position ($la)" yes "$same"

# A reload keeps the running replication settings, and the log says so; a replica reads
# its configuration at start only, and says so too.
cp "$TMP/a-master.yaml" "$TMP/a-master.yaml.orig"
sed -i 's/ack_timeout_ms: 5000/ack_timeout_ms: 4000/' "$TMP/a-master.yaml"
kill -HUP "${PIDS[a-master]}" "${PIDS[b-replica]}"
for _ in $(seq 1 300); do grep -q "configuration reloaded" "$TMP/a-master.log" && break; sleep 0.1; done
check "SIGHUP: the master says its replication settings stay" grep -q "storage.replication differs in $TMP/a-master.yaml; the running replication settings stay until the next start" "$TMP/a-master.log"
for _ in $(seq 1 300); do grep -q "SIGHUP" "$TMP/b-replica.log" && break; sleep 0.1; done
check "SIGHUP: the replica says it reads its configuration at start only" grep -q "SIGHUP: a replica reads its configuration at start only; restart it to apply $TMP/b-replica.yaml" "$TMP/b-replica.log"
mv "$TMP/a-master.yaml.orig" "$TMP/a-master.yaml"

# ---- 2. the replica is away: the master goes on, and catches it up when it returns -----
stop_site b-replica
append 1001 1500
check_eq "without its replica the master stores and acknowledges on" 1500 "$(wait_count "$A" 1500)"
acked=no
for _ in $(seq 1 150); do
  "$VIGIE" db stats -s "$A" | grep -q "^feed TIDE-A .*acknowledged up to 1500" && { acked=yes; break; }
  sleep 0.2
done
check_eq "the master acknowledged all 1500 frames meanwhile" yes "$acked"
check "the master logged the lost connection" grep -q "replication: connection to site .* lost" "$TMP/a-master.log"
check "and the commits its replica did not acknowledge" grep -q "replication: [0-9]* commits\? not acknowledged by the replicas in time" "$TMP/a-master.log"
run_site b-replica "$TMP/b-replica.yaml" || { fail "replica restart"; finish; exit; }
check_eq "the returning replica catches up" 1500 "$(wait_count "$B" 1500)"

# ---- 3. the master's site is lost in the middle of the stream ---------------------------
append 1501 "$LINES" &
APPENDER=$!
# Killed once the stream is under way (some new samples stored), at a random moment.
wait_count "$A" 1600 > /dev/null
sleep "0.$((RANDOM % 4))"
stop_site a-master KILL
wait "$APPENDER" || true
APPENDER=""
kill -TERM "$FEED_PID"; wait "$FEED_PID" || true; FEED_PID=""
acked=$(sed -n 's/.*stopping: .* acknowledged up to \([0-9]*\),.*/\1/p' "$TMP/feed.log" | tail -n 1)
echo "master killed; the feed had $acked of $LINES frames acknowledged"
check "the master acknowledged frames after its replica returned ($acked > 1500)" test "${acked:-0}" -gt 1500
"$VIGIE" dump -s "$B" --platform SIMTIDE --param SLEV > "$TMP/b-after-kill.csv"
check_eq "every acknowledged sample is on the replica, once" "all $acked, none twice" "$($PY - "$TMP/all.jsonl" "$TMP/b-after-kill.csv" "$acked" <<'PYEOF'
import csv, json, sys
lines = open(sys.argv[1]).read().splitlines()
acked = int(sys.argv[3])
want = {json.loads(l)["time"]: json.loads(l)["values"]["SLEV"] for l in lines[:acked]}
rows = list(csv.DictReader(open(sys.argv[2])))
times = [r["time"] for r in rows]
got = {r["time"]: float(r["value"]) for r in rows}
missing = [t for t in want if t not in got or abs(got[t] - want[t]) > 1e-9]
dup = len(times) - len(set(times))
print("all %d, none twice" % acked if not missing and not dup else "%d missing or wrong (e.g. %s), %d twice" % (len(missing), missing[:3], dup))
PYEOF
)"

# ---- 4. failover: the replica becomes the master; the feed's spool covers the rest ------
stop_site b-replica
out=$("$VIGIE" db import -s "$B" /dev/null 2>&1) && rc=0 || rc=$?
check_eq "a tool that writes refuses the replica's store (exit status)" 1 "$rc"
check "and says why" grep -q "is a replica's store" <<<"$out"
run_site b-master "$TMP/b-master.yaml" || { fail "promoted replica start"; finish; exit; }
check "promotion took the replica's mark away" test ! -e "$B/replica.mark"
check "db stats on the promoted site shows it is master" grep -q "^replication master, site 127.0.0.1:$P_REPLICA" <("$VIGIE" db stats -s "$B")
start_feed
check_eq "after failover every sample arrives" "$LINES" "$(wait_count "$B" "$LINES")"
check_eq "the feed's spool drained on the new master" yes "$(wait_drained "$LINES")"
"$VIGIE" dump -s "$B" --platform SIMTIDE --param SLEV > "$TMP/b-final.csv"
compare() {
  $PY - "$TMP/all.jsonl" "$1" <<'PYEOF'
import csv, json, sys
want = {}
for line in open(sys.argv[1]):
    o = json.loads(line); want[o["time"]] = o["values"]["SLEV"]
rows = list(csv.DictReader(open(sys.argv[2])))
got = {r["time"]: float(r["value"]) for r in rows}
bad = [t for t in want if t not in got or abs(got[t] - want[t]) > 1e-9]
print("same" if not bad and len(rows) == len(want) else "differ: %d missing or wrong (e.g. %s), %d rows" % (len(bad), bad[:3], len(rows)))
PYEOF
}
check_eq "the new master's store is the instrument's output, each sample once" same "$(compare "$TMP/b-final.csv")"

# ---- 5. the old master's site comes back as a replica of the new master -----------------
run_site a-replica "$TMP/a-replica.yaml" || { fail "old master as replica"; finish; exit; }
check_eq "the old master, now a replica, gets every sample" "$LINES" "$(wait_count "$A" "$LINES")"
"$VIGIE" dump -s "$A" --platform SIMTIDE --param SLEV > "$TMP/a-final.csv"
check_eq "its store is the same, each sample once" same "$(compare "$TMP/a-final.csv")"
check "db stats on it: replica of the new master" grep -q "^replication replica (in sync), site 127.0.0.1:$P_MASTER, master 127.0.0.1:$P_REPLICA" <("$VIGIE" db stats -s "$A")

# ---- 6. hot backups of both sites while they run, restored as a plain store -------------
for site in b-master:"$B" a-replica:"$A"; do
  name=${site%%:*}; dir=${site#*:}
  out=$("$VIGIE" db backup -s "$dir" "$TMP/backup-$name" 2>&1) && rc=0 || rc=$?
  check_eq "vigie db backup of the running $name (exit status; $out)" 0 "$rc"
  out=$("$VIGIE" db restore "$TMP/backup-$name" -s "$TMP/restored-$name" 2>&1) && rc=0 || rc=$?
  check_eq "vigie db restore of that backup (exit status; $out)" 0 "$rc"
  check "and verifies" "$VIGIE" db verify -s "$TMP/restored-$name"
  # A writer opens it first (the daemon would, without replication): it creates the regions.
  out=$("$VIGIE" db import -s "$TMP/restored-$name" /dev/null 2>&1) && rc=0 || rc=$?
  check_eq "a writer opens the restored store without replication (exit status; $out)" 0 "$rc"
  "$VIGIE" dump -s "$TMP/restored-$name" --platform SIMTIDE --param SLEV > "$TMP/restored-$name.csv"
  check_eq "the restored backup of $name holds every sample, once" same "$(compare "$TMP/restored-$name.csv")"
done

# ---- 7. a site loses its disk: its early backup, restored, rejoins as a replica ----------
# The site of the old master (a replica now) is stopped and its directory lost; the backup of
# step 1 (1000 samples, taken while it was master) is restored in its place and started as a
# replica of the new master at the same address: it gets every sample, once.
stop_site a-replica
mv "$A" "$TMP/site-a-lost"
out=$("$VIGIE" db restore "$TMP/backup-early" -s "$A" 2>&1) && rc=0 || rc=$?
check_eq "the early backup restores (exit status; $out)" 0 "$rc"
check "and verifies" "$VIGIE" db verify -s "$A"
mv "$TMP/a-replica.log" "$TMP/a-replica-before.log"
run_site a-replica "$TMP/a-replica.yaml" || { fail "restored site as replica"; finish; exit; }
check_eq "the restored site, a replica again, gets every sample" "$LINES" "$(wait_count "$A" "$LINES")"
"$VIGIE" dump -s "$A" --platform SIMTIDE --param SLEV > "$TMP/a-rejoined.csv"
check_eq "its store is the new master's, each sample once" same "$(compare "$TMP/a-rejoined.csv")"
for _ in $(seq 1 300); do grep -q "replica in sync" "$TMP/a-replica.log" && break; sleep 0.2; done
check "db stats on it: replica of the new master, in sync" grep -q "^replication replica (in sync), site 127.0.0.1:$P_MASTER, master 127.0.0.1:$P_REPLICA" <("$VIGIE" db stats -s "$A")

kill -TERM "$FEED_PID"; wait "$FEED_PID" || true; FEED_PID=""
stop_site a-replica
stop_site b-master
check "clean stops" true
finish
