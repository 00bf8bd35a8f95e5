#!/usr/bin/env bash
# test_correct.sh: `vigie correct` end to end on a file of another producer: a GOSUD-like
# NetCDF file and a water-sample CSV written by python3-netcdf4 (dm_files.py) with a known
# offset and drift injected; vigie reads it, corrects SSPS (median and drift) and writes a
# delayed-mode GOSUD file, which dm_files.py reads back and checks against the truth, with
# the water samples in its DAYD_EXT / SSPS_EXT variables. Also
# the command's errors: a bad sample line named FILE:LINE, too few samples, usage.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module netCDF4
require_python_module numpy

IN="$TMP/in.nc"; W="$TMP/samples.csv"
$PY "$here/dm_files.py" make "$IN" "$W"

"$VIGIE" correct --input "$IN" --samples "$W" -o "$TMP/median.nc" --matches > "$TMP/out" 2>"$TMP/err" \
  || { fail "correct (median): $(cat "$TMP/err")"; finish; exit; }
check "median: the adjusted file recovers the injected correction" \
  $PY "$here/dm_files.py" check "$TMP/median.nc" median
check "summary counts the samples" \
  grep -q "water samples: 41 given, 38 used, 1 bad sample, 2 no TSG, 0 unstable" "$TMP/out"
check "median: the water samples are in the file (DAYD_EXT, SSPS_EXT*)" \
  $PY "$here/dm_files.py" ext "$TMP/median.nc" "$W"
check "the samples written are counted" grep -qx "water samples written in the file: 41 (SSPS_EXT)" "$TMP/out"
check_eq "one line per sample" 41 "$(grep -c '^sample ' "$TMP/out")"
check_eq "the path is printed last" "$TMP/median.nc" "$(tail -n 1 "$TMP/out")"

"$VIGIE" correct --input "$IN" --samples "$W" --method drift -o "$TMP/" > "$TMP/out" 2>"$TMP/err" \
  || { fail "correct (drift): $(cat "$TMP/err")"; finish; exit; }
drift=$(tail -n 1 "$TMP/out")
check_eq "conventional delayed-mode name in a directory" "$TMP/FNTEST_20260601_20260620_DM_Gosud_V3.nc" "$drift"
check "drift: the adjusted file recovers the injected correction" \
  $PY "$here/dm_files.py" check "$drift" drift
check "drift: slope printed" grep -Eq "^drift: .* 0\.001[45][0-9]* \+- .* per day" "$TMP/out"

# the same correction in a Copernicus in-situ file: the adjusted value, its flag, mode D
"$VIGIE" correct --input "$IN" --samples "$W" --format instac -o "$TMP/median_instac.nc" > /dev/null 2>"$TMP/err" \
  || fail "correct --format instac: $(cat "$TMP/err")"
check "instac: SSPS holds SSPS_ADJUSTED of the GOSUD file, SSPS_DM D, the history in comment" $PY -c "
import sys, netCDF4, numpy as np
g = netCDF4.Dataset('$TMP/median.nc'); c = netCDF4.Dataset('$TMP/median_instac.nc')
adj = g['SSPS_ADJUSTED'][:].filled(np.nan); aq = g['SSPS_ADJUSTED_QC'][:]
v = c['SSPS'][:, 0].filled(np.nan); q = c['SSPS_QC'][:, 0]; dm = c['SSPS_DM'][:, 0]
dm = np.array([x.decode() if isinstance(x, bytes) else str(x) for x in dm.filled(b' ')])
ok = (np.array_equal(v, adj, equal_nan=True) and (q == aq).all() and (dm == 'D').all()
      and c['SSPS'].comment.startswith('corrected with 38 water samples') and c.data_mode == 'D')
print(v[:3], adj[:3], set(dm.tolist()), c['SSPS'].comment[:40])
sys.exit(0 if ok else 1)"

# a file with DAYD_EXT is read again (reprocess, report): the samples do not disturb it
"$VIGIE" correct --input "$TMP/median.nc" --samples "$W" -o "$TMP/again.nc" > /dev/null 2>"$TMP/err" \
  || fail "correcting a file that has DAYD_EXT: $(cat "$TMP/err")"

# the report of the corrected file: corrections applied, text and JSON
"$VIGIE" report "$TMP/median.nc" > "$TMP/rep" || fail "report of the corrected file"
check "report: data mode and processing states" grep -qx "data mode D, processing states 2C+" "$TMP/rep"
check "report: the history of the correction" grep -q "^  history: corrected with 38 water samples" "$TMP/rep"
"$VIGIE" report "$TMP/median.nc" --json > "$TMP/rep.json" || fail "JSON report"
check "JSON report: correction range brackets the injected 0.04 .. 0.07, error given" $PY -c "
import json,sys
r=json.load(open('$TMP/rep.json')); a=r['parameters']['SSPS']['adjusted']
print(a['correction_min'], a['correction_max'], a['error_min'], a['error_max'])
sys.exit(0 if r['records']==28657 and 0.02<a['correction_min']<0.05 and 0.06<a['correction_max']<0.08
         and 0<a['error_min']<=a['error_max']<0.03 and a['flags']=={'1':28657} else 1)"

# errors: nothing written, messages name what and where
printf 'time,lat,lon,salinity,qc\n2026-06-01T00:00:00Z,45,-10,35.0,1\n2026-06-02T00:00:00Z,45,-10,35.0\n' > "$TMP/bad.csv"
rc=0; "$VIGIE" correct --input "$IN" --samples "$TMP/bad.csv" -o "$TMP/x.nc" 2>"$TMP/err" || rc=$?
check_eq "bad sample file: exit 1" 1 "$rc"
check "bad sample file: FILE:LINE in the message" grep -q "$TMP/bad.csv:3: 4 fields" "$TMP/err"
head -n 3 "$W" > "$TMP/few.csv"
rc=0; "$VIGIE" correct --input "$IN" --samples "$TMP/few.csv" -o "$TMP/x.nc" 2>"$TMP/err" || rc=$?
check_eq "too few samples: exit 1" 1 "$rc"
check "too few samples: says why" grep -q "1 of 1 water samples usable to correct SSPS, 3 needed" "$TMP/err"
check "no file left behind on failure" [ ! -e "$TMP/x.nc" ]
rc=0; "$VIGIE" correct --input "$IN" -o "$TMP/x.nc" 2>/dev/null || rc=$?
check_eq "no --samples: usage error" 2 "$rc"
rc=0; "$VIGIE" correct --input "$IN" --samples "$W" --format csv -o "$TMP/x.nc" 2>/dev/null || rc=$?
check_eq "unknown format: usage error" 2 "$rc"
rc=0; "$VIGIE" correct --input "$IN" --samples "$W" --method mean -o "$TMP/x.nc" 2>/dev/null || rc=$?
check_eq "unknown method: usage error" 2 "$rc"
"$VIGIE" correct --input "$IN" --method none --calib-slope 1.001 --calib-offset -0.02 \
  -o "$TMP/cal.nc" > "$TMP/out" 2>"$TMP/err" || fail "calibration only: $(cat "$TMP/err")"
check "calibration only: PROCESSING_STATES 2B" \
  sh -c "ncdump -h '$TMP/cal.nc' | grep -q 'PROCESSING_STATES = \"2B\"'"
finish
