#!/usr/bin/env bash
# test_tide.sh: `vigie tide` end to end: predict from a hand-written constituents file, add
# gaps and noise, analyse the result back (the constituents recovered), the round trip
# analyse -> YAML -> predict, usage and file errors (exit statuses, FILE:LINE), and the real
# Honolulu 2010 year from ../shared/data (that part skipped when absent).
here=$(dirname "$0")
source "$here/lib.sh"

out=$("$VIGIE" tide --help); rc=$?
check_eq "vigie tide --help exits 0" 0 "$rc"
check "vigie tide --help prints its usage" grep -q "usage: vigie tide analyse" <<< "$out"
check "vigie --help lists tide" bash -c "'$VIGIE' --help | grep -q '^  tide'"

cat > "$TMP/truth.yaml" <<'YAML'
# hand-written, as from a published table
station: "Synthetic: Brest-like"
latitude: 48.38
units: m
phase: greenwich
z0: 4.2
constituents:
  - {name: M2, amplitude: 2.05, phase: 110.0}
  - {name: S2, amplitude: 0.75, phase: 150.0}
  - {name: N2, amplitude: 0.42, phase: 92.0}
  - {name: K2, amplitude: 0.21, phase: 147.0}
  - {name: K1, amplitude: 0.065, phase: 70.0}
  - {name: O1, amplitude: 0.068, phase: 325.0}
  - {name: M4, amplitude: 0.055, phase: 105.0}
YAML
check "predict from a hand-written file" "$VIGIE" tide predict "$TMP/truth.yaml" \
  --from 2024-01-01T00:00:00Z --to 2024-03-31T23:00:00Z --step 3600 -o "$TMP/pred.csv"
check_eq "predict writes one row per step and a header" 2185 "$(wc -l < "$TMP/pred.csv")"
check_eq "predict header" "time,prediction" "$(head -1 "$TMP/pred.csv")"
# gaps (a 3-day hole, every 13th value empty) and 1 cm of noise, in a fixed sequence
$PY - "$TMP/pred.csv" "$TMP/obs.csv" <<'PYEOF'
import random, sys
random.seed(7)
rows = open(sys.argv[1]).read().split('\n')[1:]
with open(sys.argv[2], 'w') as out:
    out.write('time,sea_level\n# a comment line\n')
    for i, r in enumerate(r for r in rows if r):
        t, h = r.split(',')
        if 500 <= i < 572 or i % 13 == 5:
            out.write('%s,\n' % t if i % 2 else '%s,NaN\n' % t)
        else:
            out.write('%s,%.4f\n' % (t, float(h) + random.gauss(0, 0.01)))
PYEOF
check "analyse the noisy record with the same set" "$VIGIE" tide analyse "$TMP/obs.csv" \
  --latitude 48.38 --constituents M2,S2,N2,K2,K1,O1,M4 --station Test -o "$TMP/fit.yaml"
# every amplitude within 3 mm, every phase within 1 degree of the truth
$PY - "$TMP/truth.yaml" "$TMP/fit.yaml" > "$TMP/cmp.txt" <<'PYEOF'
import re, sys
def load(p):
    d = {}
    for m in re.finditer(r'name: (\w+), amplitude: ([-\d.e]+), phase: ([-\d.e]+)', open(p).read()):
        d[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
bad = [k for k in a if k not in b or abs(a[k][0] - b[k][0]) > 0.003
       or abs((a[k][1] - b[k][1] + 180) % 360 - 180) > 1.0]
print(len(a), len(b), ' '.join(bad) or 'none')
PYEOF
check_eq "constituents recovered (count, count, wrong ones)" "7 7 none" "$(cat "$TMP/cmp.txt")"
check "the fitted file names its station and Greenwich phases" \
  grep -q "^phase: greenwich" "$TMP/fit.yaml"
check "the fitted file says how the intervals were made" grep -q "^# amplitude_ci" "$TMP/fit.yaml"
check "automatic selection on 90 days" "$VIGIE" tide analyse "$TMP/obs.csv" --latitude 48.38 \
  -o "$TMP/auto.yaml"
n_auto=$(grep -c "name:" "$TMP/auto.yaml")
check "about 30-40 constituents resolvable in 90 days ($n_auto)" test "$n_auto" -ge 30 -a "$n_auto" -le 45
# round trip: the fitted file predicts the noise-free truth within 1 cm everywhere
check "predict from the fitted file" "$VIGIE" tide predict "$TMP/fit.yaml" \
  --from 2024-01-01T00:00:00Z --to 2024-03-31T23:00:00Z --step 3600 -o "$TMP/back.csv"
worst=$(paste -d, "$TMP/pred.csv" "$TMP/back.csv" | $PY -c '
import sys
next(sys.stdin)
print(round(max(abs(float(l.split(",")[1]) - float(l.split(",")[3])) for l in sys.stdin), 4))')
check "round trip within 1 cm (worst $worst m)" $PY -c "import sys; sys.exit(0 if $worst < 0.01 else 1)"

# vigie tide check: spikes, a datum shift and a clock offset injected into 60 days of 6-min data
"$VIGIE" tide predict "$TMP/truth.yaml" --from 2024-01-01T00:00:00Z --to 2024-02-29T23:54:00Z \
  --step 360 -o "$TMP/p6.csv"
$PY - "$TMP/p6.csv" "$TMP/faulty.csv" "$TMP/late.csv" <<'PYEOF'
import datetime, math, random, sys
random.seed(3)
rows = [r.split(',') for r in open(sys.argv[1]).read().split('\n')[1:] if r]
surge, phi = 0.0, math.exp(-0.1 / 12)
spikes = {2000: 0.4, 6100: -0.35, 11000: 0.3}
with open(sys.argv[2], 'w') as out, open(sys.argv[3], 'w') as late:
    out.write('time,sea_level\n'); late.write('time,sea_level\n')
    for i, (t, h) in enumerate(rows):
        surge = phi * surge + 0.02 * math.sqrt(1 - phi * phi) * random.gauss(0, 1)
        v = float(h) + surge + random.gauss(0, 0.003)
        # the gauge's clock 3 minutes fast: stamps 3 minutes late
        tl = datetime.datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ') + datetime.timedelta(minutes=3)
        late.write('%sZ,%.4f\n' % (tl.isoformat(), v))
        v += spikes.get(i, 0.0) + (0.12 if i >= 40 * 240 else 0.0)
        out.write('%s,%.4f\n' % (t, v))
PYEOF
rc=0; "$VIGIE" tide check "$TMP/faulty.csv" "$TMP/truth.yaml" -o "$TMP/flags.csv" \
  > "$TMP/events.json" || rc=$?
check_eq "check a faulty record: exit 0" 0 "$rc"
check_eq "the 3 spikes are events" 3 "$(grep -c '"event":"spike"' "$TMP/events.json")"
check "the 40 cm spike at row 2000 is flagged 4" \
  bash -c "sed -n 2002p '$TMP/flags.csv' | grep -q ',4,[0-9]$'"
check_eq "one datum shift" 1 "$(grep -c '"event":"datum_shift"' "$TMP/events.json")"
check "the shift starts on day 40 (2024-02-10)" grep -q '"datum_shift","from":"2024-02-10' "$TMP/events.json"
check "the events are JSON" $PY -c "import json,sys; [json.loads(l) for l in open('$TMP/events.json')]"
rc=0; "$VIGIE" tide check "$TMP/late.csv" "$TMP/truth.yaml" > "$TMP/late.json" || rc=$?
check_eq "check a record whose clock is 3 minutes fast: exit 0" 0 "$rc"
off=$($PY -c "import json; print([e for e in map(json.loads, open('$TMP/late.json')) if e['event'] == 'clock_offset'][0]['offset_min'])")
check "clock offset found within 1 minute ($off min)" $PY -c "import sys; sys.exit(0 if abs($off - 3) < 1 else 1)"

# tide_residual in the stream engine (vigie qc, the daemon's engine on a file): the simulated
# tide gauge's own constituents from 60 days of it, then 10 days with spikes
"$VIGIE" simulate --kind tide_gauge --format json --duration 60d --seed 5 -o "$TMP/g60.jsonl"
$PY -c "
import json, sys
print('time,sea_level')
for l in open('$TMP/g60.jsonl'):
    d = json.loads(l); print('%s,%s' % (d['time'], d['values']['SLEV']))" > "$TMP/g60.csv"
check "analyse the simulated gauge" "$VIGIE" tide analyse "$TMP/g60.csv" --latitude 21.3067 \
  --station SIMTIDE -o "$TMP/simtide.yaml"
"$VIGIE" simulate --kind tide_gauge --format json --duration 10d --seed 6 --start 2026-03-20T00:00:00Z \
  --spike 6 --truth "$TMP/gtruth.csv" -o "$TMP/g10.jsonl"
cat > "$TMP/tg.yaml" <<YAML
storage: {path: $TMP/unused}
platforms:
  - {id: SIMTIDE, kind: tide_gauge, interval_s: 3600, parameters: [SLEV],
     constituents: $TMP/simtide.yaml}
qc:
  chains:
    tide_gauge:
      - test: tide_residual      # the simulator's surge: 4 cm in 6 h, wider than QARTOD's 3/5 cm
        parameters: {SLEV: {suspect_threshold: 0.12, fail_threshold: 0.25}}
YAML
rc=0; "$VIGIE" qc -c "$TMP/tg.yaml" "$TMP/g10.jsonl" -o "$TMP/g10_qc.csv" 2>"$TMP/err" || rc=$?
check_eq "vigie qc with tide_residual: exit 0" 0 "$rc"
check "every spike is flagged 4 by tide_residual, (almost) nothing else" \
  $PY - "$TMP/gtruth.csv" "$TMP/g10_qc.csv" <<'PYEOF'
import csv, sys
spikes = {r["time"] for r in csv.DictReader(open(sys.argv[1])) if r["fault"] == "spike"}
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(spikes) == 6, spikes
fl = {r["time"]: r["SLEV_qc_tide_residual"] for r in rows}
assert all(fl[t] == "4" for t in spikes), [(t, fl[t]) for t in spikes]
others = [t for t, f in fl.items() if f == "4" and t not in spikes]
assert len(others) <= 2, others
assert sum(f == "1" for f in fl.values()) > 0.9 * len(rows)
PYEOF
sed "/constituents:/d; s/parameters: \[SLEV\],/parameters: [SLEV]}/" "$TMP/tg.yaml" > "$TMP/tg_none.yaml"
rc=0; "$VIGIE" config check "$TMP/tg_none.yaml" >/dev/null 2>"$TMP/err" || rc=$?
check_eq "a gauge without constituents is still a valid configuration" 0 "$rc"
check "start-up says that tide_residual is not run" \
  grep -q "platform SIMTIDE: no constituents file (platforms\[\].constituents): tide_residual is not run" "$TMP/err"
sed "s|constituents: .*|constituents: $TMP/nothing.yaml}|" "$TMP/tg.yaml" > "$TMP/tg_bad.yaml"
rc=0; "$VIGIE" config check "$TMP/tg_bad.yaml" 2>"$TMP/err" || rc=$?
check_eq "a missing constituents file: exit 1" 1 "$rc"
check "the error names config line, platform and file" \
  grep -q "$TMP/tg_bad.yaml:4: platforms\[\].constituents of 'SIMTIDE': $TMP/nothing.yaml: cannot open" "$TMP/err"

# usage errors: exit 2 with the reason
rc=0; "$VIGIE" tide analyse "$TMP/obs.csv" 2>"$TMP/err" || rc=$?
check_eq "analyse without --latitude: exit 2" 2 "$rc"
rc=0; "$VIGIE" tide analyse "$TMP/obs.csv" --latitude 10 --constituents M2,XX7 2>"$TMP/err" || rc=$?
check_eq "an unknown constituent: exit 2" 2 "$rc"
check "the error names it" grep -q "unknown constituent 'XX7'" "$TMP/err"
rc=0; "$VIGIE" tide predict "$TMP/fit.yaml" --from 2024-01-02 --to 2024-01-01 --step 60 2>/dev/null || rc=$?
check_eq "--to before --from: exit 2" 2 "$rc"
# file errors: exit 1, FILE:LINE: reason
printf 'time,sea_level\n2024-01-01T00:00:00Z,1.0\n2024-01-01T01:00:00Z,abc\n' > "$TMP/bad.csv"
rc=0; "$VIGIE" tide analyse "$TMP/bad.csv" --latitude 10 2>"$TMP/err" || rc=$?
check_eq "a bad height: exit 1" 1 "$rc"
check "the error names file and line" grep -q "$TMP/bad.csv:3: bad height 'abc'" "$TMP/err"
sed 's/name: K1,/name: KK1,/' "$TMP/truth.yaml" > "$TMP/badc.yaml"
rc=0; "$VIGIE" tide predict "$TMP/badc.yaml" --from 2024-01-01 --to 2024-01-02 --step 60 2>"$TMP/err" || rc=$?
check_eq "an unknown name in the file: exit 1" 1 "$rc"
line=$(grep -n KK1 "$TMP/badc.yaml" | cut -d: -f1)
check "the error names file, line and name" grep -q "$TMP/badc.yaml:$line: unknown constituent name 'KK1'" "$TMP/err"

# A NOAA table copied as published (CO-OPS 1612340 Honolulu, metres, phase GMT; NOAA's
# names, `convention: nos`): `vigie tide predict` gives NOAA's own predictions of
# 2023-08-30 00:00-01:00 (0.712 0.721 0.731 0.739 0.747 0.754 0.760 0.765 0.770 0.774 0.776
# m above MLLW, tests/unit/test_tide_noaa.c quotes the source) within 3 mm each.
cat > "$TMP/noaa.yaml" <<'YAML'
station: Honolulu 1612340
latitude: 21.30333
units: m
phase: greenwich
convention: nos
z0: 0.251
constituents:
  - {name: M2, amplitude: 0.171, phase: 59.4}
  - {name: S2, amplitude: 0.056, phase: 54.7}
  - {name: N2, amplitude: 0.033, phase: 48.8}
  - {name: K1, amplitude: 0.149, phase: 226.8}
  - {name: M4, amplitude: 0.001, phase: 195.3}
  - {name: O1, amplitude: 0.081, phase: 215.9}
  - {name: M6, amplitude: 0.001, phase: 229.7}
  - {name: MK3, amplitude: 0.001, phase: 342.6}
  - {name: S4, amplitude: 0, phase: 0}
  - {name: MN4, amplitude: 0.001, phase: 92.9}
  - {name: NU2, amplitude: 0.007, phase: 56.0}
  - {name: S6, amplitude: 0, phase: 0}
  - {name: MU2, amplitude: 0.004, phase: 7.8}
  - {name: 2N2, amplitude: 0.004, phase: 39.9}
  - {name: OO1, amplitude: 0.005, phase: 251.7}
  - {name: LAM2, amplitude: 0.001, phase: 76.2}
  - {name: S1, amplitude: 0.002, phase: 210.0}
  - {name: M1, amplitude: 0.005, phase: 232.5}
  - {name: J1, amplitude: 0.010, phase: 238.3}
  - {name: MM, amplitude: 0.005, phase: 43.4}
  - {name: SSA, amplitude: 0, phase: 0}
  - {name: SA, amplitude: 0.048, phase: 177.7}
  - {name: MSF, amplitude: 0, phase: 0}
  - {name: MF, amplitude: 0.006, phase: 44.3}
  - {name: RHO, amplitude: 0.002, phase: 195.4}
  - {name: Q1, amplitude: 0.014, phase: 209.6}
  - {name: T2, amplitude: 0.004, phase: 43.6}
  - {name: R2, amplitude: 0.001, phase: 357.3}
  - {name: 2Q1, amplitude: 0.001, phase: 231.0}
  - {name: P1, amplitude: 0.045, phase: 224.9}
  - {name: 2SM2, amplitude: 0.001, phase: 199.8}
  - {name: M3, amplitude: 0.001, phase: 164.1}
  - {name: L2, amplitude: 0.004, phase: 49.3}
  - {name: 2MK3, amplitude: 0, phase: 0}
  - {name: K2, amplitude: 0.016, phase: 45.7}
  - {name: M8, amplitude: 0, phase: 0}
  - {name: MS4, amplitude: 0.001, phase: 104.0}
YAML
check "predict from NOAA's table (convention: nos)" "$VIGIE" tide predict "$TMP/noaa.yaml" \
  --from 2023-08-30T00:00:00Z --to 2023-08-30T01:00:00Z --step 360 -o "$TMP/noaa.csv"
worst=$($PY - "$TMP/noaa.csv" <<'PYEOF'
import sys
noaa = [0.712, 0.721, 0.731, 0.739, 0.747, 0.754, 0.760, 0.765, 0.770, 0.774, 0.776]
got = [float(l.split(',')[1]) for l in open(sys.argv[1]).read().split('\n')[1:] if l]
print("%.1f" % (1000 * max(abs(a - b) for a, b in zip(got, noaa))) if len(got) == 11 else "n=%d" % len(got))
PYEOF
)
check "... within 3 mm of NOAA's predictions (worst $worst mm)" \
  $PY -c "import sys; sys.exit(0 if float('$worst') <= 3 else 1)"
sed 's/convention: nos/convention: foreman/' "$TMP/noaa.yaml" > "$TMP/noaa_f.yaml"
rc=0; "$VIGIE" tide predict "$TMP/noaa_f.yaml" --from 2023-08-30 --to 2023-08-31 --step 360 \
  2>"$TMP/err" || rc=$?
check "NOAA's names in Foreman's convention: an error naming the line" \
  grep -q "$TMP/noaa_f.yaml:23: unknown constituent name 'LAM2'" "$TMP/err"

# the real Honolulu 2010 year (UTide's test record): hourly heights in mm
hnl=${VIGIE_SHARED_DATA:-}/tide_honolulu_2010/HNL2010.asc
if [ -f "$hnl" ]; then
  $PY - "$hnl" "$TMP/hnl.csv" <<'PYEOF'
import datetime, sys
base = datetime.datetime(1700, 1, 1)
with open(sys.argv[2], 'w') as out:
    out.write('time,sea_level\n')
    for line in open(sys.argv[1]):
        d, h = line.split()
        t = base + datetime.timedelta(seconds=round(float(d) * 86400))
        out.write('%sZ,%s\n' % (t.isoformat(), h))
PYEOF
  check "analyse Honolulu 2010" "$VIGIE" tide analyse "$TMP/hnl.csv" --latitude 21 --units mm \
    --station Honolulu -o "$TMP/hnl.yaml"
  check_eq "59 constituents resolvable in a year (R = 1)" 59 "$(grep -c 'name:' "$TMP/hnl.yaml")"
  m2=$(grep "name: M2," "$TMP/hnl.yaml" | sed 's/.*amplitude: \([0-9.]*\).*/\1/')
  check "M2 amplitude about 177 mm ($m2)" $PY -c "import sys; sys.exit(0 if 170 < $m2 < 185 else 1)"
else
  echo "SKIP: ../shared/data is absent: the Honolulu checks did not run"
fi
finish
