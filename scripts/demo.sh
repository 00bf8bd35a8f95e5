#!/usr/bin/env bash
# demo.sh: `make demo`: start the daemon on the embedded default configuration with a
# fresh store in ./demo-data, feed it a simulated 12-hour TSG cruise with faults (raw SBE45
# + NMEA) and a month of a simulated tide gauge (JSON), stop it, and print a QC report.
set -euo pipefail
VIGIE=$(readlink -f "${1:-build/vigie}")
DATA=$(pwd)/demo-data
# A clean SBE45 line as vigie simulate writes it: time prefix, then exactly four numbers.
SBE45_LINE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z -?[0-9]+\.[0-9]+, +-?[0-9]+\.[0-9]+, +-?[0-9]+\.[0-9]+, +-?[0-9]+\.[0-9]+$'
rm -rf "$DATA"; mkdir -p "$DATA"

for port in 5555 5556 5560; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "demo: port $port on 127.0.0.1 is in use; the default configuration binds 5555, 5556, 5560" >&2
    exit 1
  fi
done

echo "== starting: vigie run --default --storage $DATA/db"
"$VIGIE" run --default --storage "$DATA/db" 2> "$DATA/daemon.log" &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "vigie running" "$DATA/daemon.log" && break
  kill -0 $pid 2>/dev/null || { cat "$DATA/daemon.log"; exit 1; }
  sleep 0.1
done

echo "== feeding: a 12 h TSG cruise (SBE45 + GPS, 10 s) with spikes, a stuck sensor, a gap,"
echo "   a harbour stop, salinity drift and garbage lines; 30 days of a tide gauge with spikes"
"$VIGIE" simulate --kind tsg --format raw --duration 12h --faults all \
  --truth "$DATA/tsg-truth.csv" --endpoint tcp://127.0.0.1:5556 --batch 50
"$VIGIE" simulate --kind tide_gauge --duration 30d --spike 4 --garbage 2 \
  --truth "$DATA/tide-truth.csv" --endpoint tcp://127.0.0.1:5555

# Wait until the daemon has stored every line it was sent but the newest, which waits for
# its successor (three-point tests) until the stop judges it (dump reads while it writes).
want=$("$VIGIE" simulate --kind tsg --format raw --duration 12h --faults all \
  | grep -cE "$SBE45_LINE" || true)
for _ in $(seq 1 200); do
  have=$("$VIGIE" dump -s "$DATA/db" --platform SIMTSG --param SSJT | tail -n +2 | wc -l)
  [ "$have" -ge $((want - 1)) ] && break
  sleep 0.1
done

echo "== stopping (SIGTERM)"
kill -TERM $pid
wait $pid
trap - EXIT
grep -E "stopped:" "$DATA/daemon.log" | sed 's/^.*stopped: /   daemon: /'

echo
echo "== what the simulator injected into the cruise (tsg-truth.csv)"
awk -F, 'NR > 1 { n[$4 " " $3]++ } END { for (k in n) printf "   %-16s %6d samples\n", k, n[k] }' \
  "$DATA/tsg-truth.csv" | sort
echo
echo "== QC report: values per parameter, test and flag (from the store)"
"$VIGIE" dump -s "$DATA/db" --summary --platform SIMTSG
"$VIGIE" dump -s "$DATA/db" --summary --platform SIMTIDE | grep -v '^quarantine'
echo
echo "== the data are in $DATA:"
echo "   db/              the Berkeley DB environment (docs/storage.md)"
echo "   daemon.log       what the daemon said"
echo "   tsg-truth.csv    the faults the simulator injected, to compare with the flags"
echo "   look at them with, for example:"
echo "     $VIGIE dump -s $DATA/db --platform SIMTSG --param SSPS --min-flag 3"
echo "     $VIGIE dump -s $DATA/db --quarantine"
