#!/usr/bin/env bash
# test_plot.sh: `vigie plot` end to end: a TSG file of another producer (dm_files.py) with
# water samples and the climatology band, as SVG and PNG, and its track; a tide gauge's
# sea level with the tide prediction of a constituents file. Each output is checked to be
# a well-formed SVG (python3's XML parser: root <svg>, width and height as asked) or a PNG
# (signature, IHDR size as asked, every chunk's CRC); and the errors.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module netCDF4
require_python_module numpy

IN="$TMP/in.nc"; W="$TMP/samples.csv"
$PY "$here/dm_files.py" make "$IN" "$W"

valid() { # valid FILE WIDTH HEIGHT
  $PY - "$@" <<'PY'
import struct, sys, zlib
import xml.etree.ElementTree as ET
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
if path.endswith(".svg"):
    root = ET.fromstring(data)
    ok = root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("width") == "%dpt" % w \
         and root.get("height") == "%dpt" % h and len(root.iter().__next__()) > 0
    n = sum(1 for _ in root.iter())
    print("svg", root.get("width"), root.get("height"), n, "elements")
    sys.exit(0 if ok and n > 50 else 1)
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG signature")
pos, chunks = 8, []
while pos < len(data):
    (ln,) = struct.unpack(">I", data[pos:pos + 4]); typ = data[pos + 4:pos + 8]
    body = data[pos + 8:pos + 8 + ln]; (crc,) = struct.unpack(">I", data[pos + 8 + ln:pos + 12 + ln])
    if zlib.crc32(typ + body) != crc:
        sys.exit("bad CRC in chunk %r" % typ)
    chunks.append((typ, body)); pos += 12 + ln
pw, ph = struct.unpack(">II", chunks[0][1][:8])
print("png", pw, ph, [c[0].decode() for c in chunks])
sys.exit(0 if chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND" and (pw, ph) == (w, h) else 1)
PY
}

check "time series, samples and climatology as SVG" \
  "$VIGIE" plot --input "$IN" --param SSPS --samples "$W" --climatology -o "$TMP/ts.svg"
check "the SVG is well formed, 1000 x 500" valid "$TMP/ts.svg" 1000 500
check "the SVG shows the legend" grep -q "water samples\|glyph" "$TMP/ts.svg"
check "the same as PNG, 640 x 360" \
  "$VIGIE" plot --input "$IN" --param SSPS --samples "$W" --climatology -o "$TMP/ts.png" --width 640 --height 360
check "the PNG is valid, 640 x 360" valid "$TMP/ts.png" 640 360
check "track as PNG" "$VIGIE" plot --input "$IN" --track --param SSPS -o "$TMP/track.png" --width 600 --height 600
check "the track PNG is valid, 600 x 600" valid "$TMP/track.png" 600 600
check "track as SVG" "$VIGIE" plot --input "$IN" --track -o "$TMP/track.svg"
check "the track SVG is well formed" valid "$TMP/track.svg" 1000 500

# a year at 1 Hz would be the same size: per pixel column; here 20 days of minutes
size=$(stat -c %s "$TMP/ts.svg")
check "the SVG stays small (per-column drawing: $size bytes)" [ "$size" -lt 400000 ]

# sea level with the tide prediction
cat > "$TMP/tide.yaml" <<'YAML'
station: Test
latitude: 21.3
units: m
phase: greenwich
z0: 1.4
constituents:
  - {name: M2, amplitude: 0.171, phase: 59.4}
  - {name: K1, amplitude: 0.150, phase: 225.9}
YAML
"$VIGIE" simulate --kind tide_gauge --duration 10d --seed 2 --format json -o "$TMP/tide.jsonl"
$PY - "$TMP/tide.jsonl" "$TMP/tide.nc" <<'PY'
import json, sys, datetime, netCDF4, numpy as np
rows = [json.loads(l) for l in open(sys.argv[1])]
t = [(datetime.datetime.fromisoformat(r["time"].replace("Z", "+00:00")).timestamp()) / 86400 + 7305 for r in rows]
with netCDF4.Dataset(sys.argv[2], "w", format="NETCDF4_CLASSIC") as nc:
    nc.createDimension("TIME", len(t))
    nc.createVariable("TIME", "f8", ("TIME",))[:] = t
    nc.createVariable("TIME_QC", "i1", ("TIME",))[:] = 1
    nc.createDimension("LATITUDE", 1); nc.createDimension("LONGITUDE", 1); nc.createDimension("POSITION", 1)
    nc.createVariable("LATITUDE", "f8", ("LATITUDE",))[:] = 21.3
    nc.createVariable("LONGITUDE", "f8", ("LONGITUDE",))[:] = -157.9
    nc.createVariable("POSITION_QC", "i1", ("POSITION",))[:] = 1
    nc.createVariable("SLEV", "f4", ("TIME",), fill_value=99999.0)[:] = [r["values"].get("SLEV", np.nan) for r in rows]
    nc.createVariable("SLEV_QC", "i1", ("TIME",))[:] = 1
    nc.platform_code = "TIDE1"
PY
check "sea level with the tide prediction" \
  "$VIGIE" plot --input "$TMP/tide.nc" --param SLEV --tide "$TMP/tide.yaml" -o "$TMP/slev.png"
check "the sea-level PNG is valid" valid "$TMP/slev.png" 1000 500

rc=0; "$VIGIE" plot --input "$IN" --param SSPS -o "$TMP/x.pdf" 2>"$TMP/err" || rc=$?
check_eq "unknown output type: usage error" 2 "$rc"
rc=0; "$VIGIE" plot --input "$IN" --param SSJT -o "$TMP/x.svg" 2>"$TMP/err" || rc=$?
check_eq "a parameter the file lacks: exit 1" 1 "$rc"
check "named in the message" grep -q "no value of SSJT" "$TMP/err"
check "nothing left behind" sh -c "! ls '$TMP' | grep -q -e 'x.svg' -e '.tmp.'"
finish
