#!/usr/bin/env bash
# test_qc_batch.sh: `vigie qc`, the batch mode of the stream engine, with the real binary.
# A simulated TSG cruise (spikes, a stuck sensor, a gap) is QC'd from JSON lines and from
# CSV (same flags); the same data streamed to the real daemon over ZeroMQ and read back
# with `vigie dump` has the same flags, aggregate and per test (stream = batch); bad rows
# are named by file and line and make the exit status 1; --scheme qartod converts; and a
# 1-million-row CSV gives a throughput figure (printed, never asserted) in constant memory.
here=$(dirname "$0")
source "$here/lib.sh"

P_JSON=$(free_port)
DB="$TMP/db"
cat > "$TMP/vigie.yaml" <<YAML
daemon:
  log_level: info
storage:
  path: $DB
  commit_interval_ms: 20
ingest:
  - {bind: "tcp://127.0.0.1:$P_JSON", format: json}
platforms:
  - {id: SHIP1, kind: tsg, interval_s: 10, parameters: [SSJT, CNDC, SSPS, SVEL, SPDC]}
  - {id: TIDE1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV], position: [21.3, -157.9]}
qc:
  hold_timeout_s: 3600   # no sample waits that long while the test streams: stream = batch
  chains:
    tsg:
      - test: impossible_date
      - test: impossible_location
      - test: impossible_speed
      - test: global_range
      - test: spike
      - test: stuck_value
        parameters:
          SSJT: {window_s: 3600}
      - test: gradient
      - test: harbour
    tide_gauge:
      - test: impossible_date
      - test: global_range
        parameters: {SLEV: {min: -5, max: 5}}
      - test: spike
        parameters: {SLEV: {threshold: 0.3}}
YAML
CFG="$TMP/vigie.yaml"
check "config check accepts the test configuration" "$VIGIE" config check "$CFG"
check "vigie --help lists qc" bash -c "'$VIGIE' --help | grep -q '^  qc '"
check "vigie qc --help prints its usage" bash -c "'$VIGIE' qc --help | grep -q 'usage: vigie qc'"
check "vigie qc --help describes NetCDF output" \
  bash -c "'$VIGIE' qc --help | grep -q 'every flag column as a CF flag variable'"

# JSON lines -> CSV, keeping the number texts: time,lat,lon,CODES... (time quoted with -q).
cat > "$TMP/j2c.py" <<'PYEOF'
import json, sys
path, cols = sys.argv[1], sys.argv[2].split(",")
quote = len(sys.argv) > 3 and sys.argv[3] == "-q"
out = sys.stdout
out.write("time,lat,lon," + ",".join(cols) + "\n")
cell = lambda x: "" if x is None else x
for line in open(path):
    d = json.loads(line, parse_float=str, parse_int=str)
    t = '"%s"' % d["time"] if quote else d["time"]
    v = d["values"]
    out.write(",".join([t, cell(d.get("lat")), cell(d.get("lon"))] +
                       [cell(v.get(c)) for c in cols]) + "\n")
PYEOF

# Flags of a batch output: {(time, column): flag} for every *_qc* column.
cat > "$TMP/flags.py" <<'PYEOF'
import csv
def flags(path, platform=None):
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if platform and row.get("platform", platform) != platform:
                continue
            for c, v in row.items():
                if "_qc" in c:
                    out[(row["time"], c)] = v
    return out
PYEOF

# ---- (a) JSON lines: spikes and the stuck sensor are flagged ------------------------------
SIM=(--kind tsg --format json --platform SHIP1 --duration 6h --interval 10 --seed 7
     --spike 6 --stuck 120:90 --harbour 240:30 --gap 300:20)
"$VIGIE" simulate "${SIM[@]}" -o "$TMP/ship.jsonl" --truth "$TMP/truth.csv"
n_ship=$(wc -l < "$TMP/ship.jsonl")
rc=0; "$VIGIE" qc -c "$CFG" "$TMP/ship.jsonl" -o "$TMP/ship_qc.csv" 2> "$TMP/err" || rc=$?
check_eq "vigie qc on a clean JSON file: exit 0" 0 "$rc"
check "the summary line counts the rows" grep -q "ship.jsonl: $n_ship rows, $n_ship QC'd, 0 bad" "$TMP/err"
check_eq "one output row per input row, and the header" "$((n_ship + 1))" "$(wc -l < "$TMP/ship_qc.csv")"
check "the header lists aggregate and per-test columns" \
  grep -q '^platform,time,lat,lon,CNDC,SSJT,SSPS,SPDC,SLEV,SVEL,CNDC_qc,CNDC_qc_harbour,SSJT_qc,SSJT_qc_global_range,SSJT_qc_spike,SSJT_qc_stuck_value,SSJT_qc_gradient,SSJT_qc_harbour,.*,position_qc,position_qc_impossible_location,position_qc_impossible_speed,time_qc,time_qc_impossible_date$' \
  "$TMP/ship_qc.csv"
check "every flag is written (no placeholder left)" bash -c "! grep -q '?' '$TMP/ship_qc.csv'"
check "spikes flagged 4 by spike, the stuck window by stuck_value, the harbour stop 6" \
  $PY - "$TMP/truth.csv" "$TMP/ship_qc.csv" <<'PYEOF'
import csv, sys
truth = list(csv.DictReader(open(sys.argv[1])))
rows = {r["time"]: r for r in csv.DictReader(open(sys.argv[2]))}
spikes = [(t["time"], t["parameter"]) for t in truth if t["fault"] == "spike"]
assert len(spikes) == 6, spikes
for t, p in spikes:
    r = rows[t]
    assert r[p + "_qc_spike"] == "4" and r[p + "_qc"] == "4", (t, p, r)
stuck = sorted(t["time"] for t in truth if t["fault"] == "stuck" and t["parameter"] == "SSJT")
flagged = sorted(t for t, r in rows.items() if r["SSJT_qc_stuck_value"] == "4")
assert len(flagged) >= 150, len(flagged)                   # 90 min stuck, 60 min window
assert all(stuck[0] <= t <= stuck[-1] for t in flagged), (flagged[0], flagged[-1])
assert flagged[-1] == stuck[-1], (flagged[-1], stuck[-1])  # flagged to the window's end
assert rows[min(rows)]["SSJT_qc_spike"] == "0"              # the first sample is an edge
harbour = sorted(t["time"] for t in truth if t["fault"] == "harbour")
in_harbour = sorted(t for t, r in rows.items() if r["SSJT_qc_harbour"] == "6")
assert len(in_harbour) >= 100 and harbour[0] < in_harbour[0] and in_harbour[-1] <= harbour[-1]
PYEOF

# ---- (b) the same data as CSV gives the same flags ---------------------------------------
$PY "$TMP/j2c.py" "$TMP/ship.jsonl" SSJT,CNDC,SSPS,SVEL,SPDC -q > "$TMP/ship.csv"
rc=0; "$VIGIE" qc -q -c "$CFG" --platform SHIP1 "$TMP/ship.csv" -o "$TMP/ship_csv_qc.csv" 2> "$TMP/err" || rc=$?
check_eq "vigie qc on the CSV (no platform column, --platform, quoted times): exit 0" 0 "$rc"
check "the CSV output keeps the input columns, quotes included" \
  bash -c "sed -n 2p '$TMP/ship_csv_qc.csv' | grep -q '^\"2026-01-15T00:00:00Z\",-22.000000,-17.900000,'"
check "CSV and JSON inputs give the same flags, column by column" \
  $PY - "$TMP" <<'PYEOF'
import sys; sys.path.insert(0, sys.argv[1])
from flags import flags
a, b = flags(sys.argv[1] + "/ship_qc.csv"), flags(sys.argv[1] + "/ship_csv_qc.csv")
cols = {c for _, c in b}
a = {k: v for k, v in a.items() if k[1] in cols}  # JSON output also has TIDE1's SLEV
assert len(a) > 10000 and a == b, (len(a), len(b), [k for k in a if a[k] != b.get(k)][:5])
PYEOF

# ---- (c) stream = batch: the daemon stores exactly the batch flags ------------------------
# A tide gauge interleaved with the ship in the batch file: two streams, rows in time order.
"$VIGIE" simulate --kind tide_gauge --platform TIDE1 --duration 10d --seed 3 --spike 2 \
  -o "$TMP/tide.jsonl"
$PY - "$TMP/ship.jsonl" "$TMP/tide.jsonl" > "$TMP/both.jsonl" <<'PYEOF'
import json, sys
rows = [(json.loads(l)["time"], i, l) for i, p in enumerate(sys.argv[1:]) for l in open(p)]
sys.stdout.writelines(l for _, _, l in sorted(rows))
PYEOF
rc=0; "$VIGIE" qc -q -c "$CFG" "$TMP/both.jsonl" -o "$TMP/both_qc.csv" || rc=$?
check_eq "vigie qc on two interleaved platforms: exit 0" 0 "$rc"
check "each platform's flags do not depend on the other's rows" \
  $PY - "$TMP" <<'PYEOF'
import sys; sys.path.insert(0, sys.argv[1])
from flags import flags
both, ship = flags(sys.argv[1] + "/both_qc.csv", "SHIP1"), flags(sys.argv[1] + "/ship_qc.csv")
assert both == ship
PYEOF
"$VIGIE" qc -q -c "$CFG" "$TMP/both.jsonl" -o - | cat > "$TMP/both_pipe.csv"
check "output to a pipe (no pwrite) is byte-identical to output to a file" \
  cmp "$TMP/both_qc.csv" "$TMP/both_pipe.csv"
cat "$TMP/ship.jsonl" "$TMP/tide.jsonl" > "$TMP/concat.jsonl"
"$VIGIE" qc -q -c "$CFG" "$TMP/concat.jsonl" -o - | cat > "$TMP/concat_qc.csv"
check "a file of one platform after the other: same rows, in input order" \
  bash -c "cmp <(head -1 '$TMP/both_qc.csv'; grep ^SHIP1 '$TMP/both_qc.csv'; grep ^TIDE1 '$TMP/both_qc.csv') '$TMP/concat_qc.csv'"

if start_daemon "$CFG"; then
  pass "daemon started on 127.0.0.1:$P_JSON"
  "$VIGIE" simulate "${SIM[@]}" --endpoint "tcp://127.0.0.1:$P_JSON" --batch 20
  "$VIGIE" simulate --kind tide_gauge --platform TIDE1 --duration 10d --seed 3 --spike 2 \
    --endpoint "tcp://127.0.0.1:$P_JSON"
  # Each stream holds its newest sample until its successor or the stop: wait for the rest.
  n_tide=$(wc -l < "$TMP/tide.jsonl")
  wait_for_count "$DB" SHIP1 SSJT "$((n_ship - 1))" > /dev/null
  wait_for_count "$DB" TIDE1 SLEV "$((n_tide - 1))" > /dev/null
  stop_daemon
  check_eq "daemon: clean stop" 0 "$DAEMON_RC"
  "$VIGIE" dump -s "$DB" --platform SHIP1 --format csv > "$TMP/dump.csv"
  "$VIGIE" dump -s "$DB" --platform TIDE1 --format csv | tail -n +2 >> "$TMP/dump.csv"
  check "stream = batch: every stored value has the batch flags (aggregate, per test, position, time)" \
    $PY - "$TMP/dump.csv" "$TMP/both_qc.csv" <<'PYEOF'
import csv, sys
rows = {(r["platform"], r["time"]): r for r in csv.DictReader(open(sys.argv[2]))}
n = bad = 0
seen = set()
for d in csv.DictReader(open(sys.argv[1])):
    b, p = rows[(d["platform"], d["time"])], d["param"]
    stream = (d["flag"], dict(kv.split("=") for kv in d["tests"].split(";") if kv),
              d["pos_flag"], d["time_flag"])
    tests = {c[len(p) + 4:]: v for c, v in b.items() if c.startswith(p + "_qc_") and v != "0"}
    batch = (b[p + "_qc"], tests, b["position_qc"], b["time_qc"])
    n += 1
    seen.add((d["platform"], d["time"], p))
    if stream != batch:
        bad += 1
        print("differ:", d["platform"], d["time"], p, "stream", stream, "batch", batch)
expected = {(r["platform"], r["time"], c[:-3]) for r in rows.values() for c in r
            if c.endswith("_qc") and c != "time_qc" and r.get(c[:-3])}
missing = expected - seen
print("stream = batch: %d stored values compared, %d differ, %d batch values not stored"
      % (n, bad, len(missing)))
assert n > 10000 and bad == 0 and not missing
PYEOF
else
  fail "daemon start (stream = batch not checked)"
fi

# ---- (d) bad rows: named by file and line, counted, exit 1; good rows still flagged -----
printf 'time,platform,FOO,SSJT\n2026-01-15T00:00:00Z,SHIP1,1,21.5\n' > "$TMP/header.csv"
rc=0; "$VIGIE" qc -c "$CFG" "$TMP/header.csv" -o "$TMP/header_qc.csv" 2> "$TMP/err" || rc=$?
check_eq "an unknown column: exit 1" 1 "$rc"
check "the error names file, line, column and name" \
  grep -q "header.csv:1: column 3 'FOO' is neither a parameter code" "$TMP/err"
check "no output is created when the header is bad" test ! -e "$TMP/header_qc.csv"
printf 'time,SSJT\n2026-01-15T00:00:00Z,21.5\n' > "$TMP/noplatform.csv"
rc=0; "$VIGIE" qc -c "$CFG" "$TMP/noplatform.csv" -o "$TMP/np.csv" 2> "$TMP/err" || rc=$?
check_eq "no platform column, two platforms, no --platform: exit 1" 1 "$rc"
check "... and the error says to give --platform" grep -q "give --platform ID" "$TMP/err"

cat > "$TMP/bad.csv" <<'CSV'
time,platform,lat,lon,SSJT,SSPS,depth
2026-01-15T00:00:00Z,SHIP1,-22.0,-17.9,21.5,36.5,5
2026-01-15T00:00:10Z,SHIP1,-22.0004,-17.9003,21.5,36.5,5
2026-01-15T00:00:20Z,NOPE,-22.0008,-17.9006,21.5,36.5,5
2026-01-15T00:00:30Z,SHIP1,-22.0012,-17.9009,abc,36.5,5
2026-01-15T00:00:05Z,SHIP1,-22.0012,-17.9009,21.5,36.5,5
2026-01-15 25:00:40Z,SHIP1,-22.0016,-17.9012,21.5,36.5,5
2026-01-15T00:00:50Z,SHIP1,-22.0020,-17.9015,21.5,NaN,5
2026-01-15T00:01:00Z,SHIP1,-22.0024,-17.9018,21.5
2026-01-15T00:01:10Z,SHIP1,-22.0028,-17.9021,"21.5",,"a ""quoted""
depth"
2026-01-15T00:01:20Z,SHIP1,-22.0032,-17.9024,21.5,36.5,
2026-01-15T00:00:00Z,TIDE1,,,,,
CSV
rc=0; "$VIGIE" qc -c "$CFG" "$TMP/bad.csv" -o "$TMP/bad_qc.csv" 2> "$TMP/err" || rc=$?
check_eq "bad rows: exit 1" 1 "$rc"
check "unknown platform: file:line and reason" grep -q "bad.csv:4: platform 'NOPE' is not in .*vigie.yaml (platforms: SHIP1, TIDE1)" "$TMP/err"
check "not a number: file:line, column and value" grep -q "bad.csv:5: column 5 'SSJT': 'abc' is not a number" "$TMP/err"
check "time going backwards: file:line and reason" grep -q "bad.csv:6: SHIP1: time 2026-01-15T00:00:05Z is not after the previous sample's 2026-01-15T00:00:10Z" "$TMP/err"
check "bad time: file:line and reason" grep -q "bad.csv:7: column 1 'time': '2026-01-15 25:00:40Z' is not an ISO 8601 time" "$TMP/err"
check "wrong number of fields: file:line" grep -q "bad.csv:9: 5 fields, the header has 7" "$TMP/err"
check "the bad rows are counted in the summary" grep -q "bad.csv: 11 rows, 6 QC'd, 5 bad" "$TMP/err"
check "the good rows are flagged, in input order, bad rows left out" \
  $PY - "$TMP/bad_qc.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["time"][-9:-1] for r in rows] == ["00:00:00", "00:00:10", "00:00:50", "00:01:10",
                                            "00:01:20", "00:00:00"], rows
assert rows[3]["depth"] == 'a "quoted"\ndepth'        # RFC 4180 field copied as it was
assert [r["SSPS_qc"] for r in rows] == ["1", "1", "9", "9", "1", "9"], rows  # NaN, empty
assert rows[5]["platform"] == "TIDE1" and rows[5]["position_qc"] == "9"
for r in rows:
    assert all(v.isdigit() for c, v in r.items() if "_qc" in c), r
PYEOF
cat > "$TMP/bad.jsonl" <<'JSON'
{"platform":"SHIP1","time":"2026-01-15T00:00:00Z","lat":-22.0,"lon":-17.9,"values":{"SSJT":21.5}}
{"platform":"GHOST","time":"2026-01-15T00:00:10Z","values":{"SSJT":21.5}}
{"platform":"SHIP1","time":"2026-01-15T00:00:20Z","values":{"SSJT":21.5,}}
{"platform":"SHIP1","values":{"SSJT":21.5}}
{"platform":"SHIP1","time":"2026-01-15T00:00:30Z","lat":-22.0,"lon":-17.9,"values":{"SSJT":21.5}}
JSON
rc=0; "$VIGIE" qc -c "$CFG" "$TMP/bad.jsonl" -o "$TMP/bad_json_qc.csv" 2> "$TMP/err" || rc=$?
check_eq "bad JSON lines: exit 1" 1 "$rc"
check "JSON: unknown platform named with file:line" grep -q "bad.jsonl:2: platform 'GHOST' is not in" "$TMP/err"
check "JSON: syntax error named with file:line and offset" grep -q "bad.jsonl:3: offset [0-9]*: " "$TMP/err"
check "JSON: a line without time is refused" grep -q "bad.jsonl:4: no time" "$TMP/err"
check_eq "JSON: the good lines are written" 3 "$(wc -l < "$TMP/bad_json_qc.csv")"

printf 'CDF\001\000\000\000\000' > "$TMP/cruise.nc"
rc=0; "$VIGIE" qc -c "$CFG" "$TMP/cruise.nc" -o "$TMP/nc.csv" 2> "$TMP/err" || rc=$?
check_eq "NetCDF input: exit 1" 1 "$rc"
check "NetCDF input without GOSUD or Copernicus variables: named" grep -q "cruise.nc: neither DAYD (GOSUD) nor TIME" "$TMP/err"
cp "$TMP/cruise.nc" "$TMP/cruise.dat"
rc=0; "$VIGIE" qc -c "$CFG" "$TMP/cruise.dat" -o "$TMP/nc.csv" 2> "$TMP/err" || rc=$?
check "NetCDF recognised by its content too" grep -q "cruise.dat: neither DAYD (GOSUD) nor TIME" "$TMP/err"
rc=0; "$VIGIE" qc -c "$CFG" --format csv "$TMP/cruise.dat" -o "$TMP/nc.csv" 2> "$TMP/err" || rc=$?
check "a NetCDF file given as --format csv is refused" grep -q "a NetCDF file given as --format csv" "$TMP/err"
# NetCDF output: CF flag variables holding exactly the flags of the CSV output
rc=0; "$VIGIE" qc -c "$CFG" -q "$TMP/ship.jsonl" -o "$TMP/ship_qc.nc" 2> "$TMP/err" || rc=$?
check_eq "NetCDF output: exit 0" 0 "$rc"
if $PY -c "import netCDF4, xarray" 2>/dev/null; then
  check "NetCDF output: CF flag variables, the CSV's flags, values and times" \
    $PY - "$TMP/ship_qc.csv" "$TMP/ship_qc.nc" <<'PYEOF'
import csv, sys, numpy as np, xarray as xr
rows = list(csv.DictReader(open(sys.argv[1])))
ds = xr.open_dataset(sys.argv[2])
assert ds.sizes["obs"] == len(rows), (ds.sizes, len(rows))
assert ds.attrs["Conventions"] == "CF-1.8"
flagcols = [k for k in rows[0] if "_qc" in k]
assert flagcols and all(k in ds for k in flagcols), [k for k in flagcols if k not in ds]
for k in flagcols:
    a = np.array([int(r[k]) for r in rows])
    assert np.array_equal(a, ds[k].values.astype(int)), k
    assert list(ds[k].attrs["flag_values"]) == list(range(10)) and "flag_meanings" in ds[k].attrs, k
    assert ds[k].attrs["standard_name"] in ("quality_flag", "aggregate_quality_flag"), k
for p in ("SSJT", "SSPS"):
    want = np.array([float(r[p]) if r[p] else np.nan for r in rows], dtype=np.float32)
    assert np.array_equal(want, ds[p].values.astype(np.float32), equal_nan=True), p
    assert p + "_qc" in ds[p].attrs["ancillary_variables"].split()
t = np.array([np.datetime64(r["time"].rstrip("Z"), "ms") for r in rows])
assert np.array_equal(t, ds["time"].values.astype("datetime64[ms]"))
PYEOF
else
  echo "SKIP: NetCDF output content (python3-netcdf4 / python3-xarray absent)"
fi
rc=0; "$VIGIE" qc -c "$CFG" -q "$TMP/both.jsonl" -o "$TMP/both.nc" 2> "$TMP/err" || rc=$?
check_eq "NetCDF output of two platforms: the other platform's rows are bad rows" 1 "$rc"
check "NetCDF output of two platforms: said" grep -q "NetCDF output holds one platform" "$TMP/err"
rc=0; "$VIGIE" qc -c "$CFG" --scheme gosud "$TMP/ship.jsonl" -o "$TMP/x.csv" 2> /dev/null || rc=$?
check_eq "an unknown --scheme: exit 2" 2 "$rc"

# ---- (e) --scheme qartod ---------------------------------------------------------------
"$VIGIE" qc -q -c "$CFG" --scheme qartod "$TMP/ship.jsonl" -o "$TMP/ship_qartod.csv"
"$VIGIE" qc -q -c "$CFG" --scheme qartod "$TMP/bad.csv" -o "$TMP/bad_qartod.csv" 2> /dev/null || true
printf 'export:\n  harbour_flag_as: 3\n' | cat "$CFG" - > "$TMP/harbour3.yaml"
"$VIGIE" qc -q -c "$TMP/harbour3.yaml" --scheme qartod "$TMP/ship.jsonl" -o "$TMP/ship_qartod3.csv"
check "qartod: every flag converted (0 -> 2, 1 -> 1, 4 -> 4, 9 -> 9, 6 -> harbour_flag_as)" \
  $PY - "$TMP" <<'PYEOF'
import sys; sys.path.insert(0, sys.argv[1])
from flags import flags
to_q = {"0": "2", "1": "1", "2": "1", "3": "3", "4": "4", "5": "1", "7": "2", "8": "3", "9": "9"}
seen = set()
for argo, qartod, harbour in (("ship_qc.csv", "ship_qartod.csv", "4"),
                              ("bad_qc.csv", "bad_qartod.csv", "4"),
                              ("ship_qc.csv", "ship_qartod3.csv", "3")):
    a, q = flags(sys.argv[1] + "/" + argo), flags(sys.argv[1] + "/" + qartod)
    assert a.keys() == q.keys()
    for k in a:
        assert q[k] == (harbour if a[k] == "6" else to_q[a[k]]), (k, a[k], q[k])
        seen.add(a[k])
assert {"0", "1", "4", "6", "9"} <= seen, seen
PYEOF

# ---- throughput and memory on a 1-million-row CSV (figures printed, not asserted) ------
N=${VIGIE_QC_BENCH_ROWS:-1000000}
"$VIGIE" simulate --kind tsg --format json --platform SHIP1 --interval 1 --duration "$N" \
  --spike 50 -o "$TMP/big.jsonl"
$PY "$TMP/j2c.py" "$TMP/big.jsonl" SSJT,CNDC,SSPS,SVEL,SPDC > "$TMP/big.csv"
rm -f "$TMP/big.jsonl"
head -n 10001 "$TMP/big.csv" > "$TMP/small.csv"
check "bench: $N rows QC'd, constant memory" $PY - "$VIGIE" "$CFG" "$TMP" "$N" <<'PYEOF'
import resource, subprocess, sys, time
vigie, cfg, tmp, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def run(name):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    subprocess.run([vigie, "qc", "-q", "-c", cfg, "--platform", "SHIP1", tmp + "/" + name,
                    "-o", tmp + "/big_qc.csv"], check=True)
    dt = time.monotonic() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over children
    return dt, rss
dt_small, rss_small = run("small.csv")
dt, rss = run("big.csv")
rows = sum(1 for _ in open(tmp + "/big_qc.csv")) - 1
print("bench: vigie qc: %d CSV rows in %.2f s: %.0f rows/s; max RSS %.1f MiB (10000 rows: %.1f MiB)"
      % (rows, dt, rows / dt, rss / 1024, rss_small / 1024))
assert rows == n
assert rss < rss_small + 16 * 1024, "memory grows with the file"
PYEOF
finish
