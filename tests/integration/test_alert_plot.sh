#!/usr/bin/env bash
# test_alert_plot.sh: the small plot attached to alert mails (alerts.attach_plot), end to
# end with a real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd, smtp_sink.py) and the
# real daemon fed over ZeroMQ by `vigie simulate` with stuck-sensor faults. The same cruise
# goes through two daemons, with attach_plot on and off: with it, every mail about SSJT
# has one image/png part that is a valid PNG (signature, IHDR 640 x 320, every chunk's
# CRC, IEND) and carries the mail's problem in its file name; the text part, the CSV and the
# headers but the date are the same as without it; the silent-station mail (no parameter)
# gets no plot. Also the configuration errors of the two keys.
here=$(dirname "$0")
source "$here/lib.sh"
require_python_module zmq
require_python_module aiosmtpd

SINK_PID=""
stop_sink() {
  if [ -n "$SINK_PID" ]; then kill -TERM "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; fi
  SINK_PID=""
}
trap 'stop_sink; cleanup' EXIT

start_sink() { # start_sink PORT DIR: start the SMTP server, wait until it listens
  mkdir -p "$2"; rm -f "$2/ready"
  $PY "$here/smtp_sink.py" "$1" "$2" 2>>"$TMP/sink.log" &
  SINK_PID=$!
  for _ in $(seq 1 100); do [ -f "$2/ready" ] && return 0; sleep 0.1; done
  echo "SMTP server not ready"; return 1
}

wait_mails() { # wait_mails DIR N: wait (120 s at most) for N messages; print the count
  local n=0
  for _ in $(seq 1 1200); do
    n=$(find "$1" -name '*.eml' | wc -l)
    [ "$n" -ge "$2" ] && break
    sleep 0.1
  done
  echo "$n"
}

P_SMTP=$(free_port); P_RAW=$(free_port)
write_config() { # write_config FILE STORE ATTACH
  cat > "$1" <<YAML
daemon:
  log_level: info
storage:
  path: $2
  commit_interval_ms: 20
ingest:
  - {bind: "tcp://127.0.0.1:$P_RAW", format: sbe45_nmea, platform: SHIP1}
platforms:
  - {id: SHIP1, kind: tsg, name: "R/V Test", interval_s: 10, parameters: [SSJT, CNDC, SSPS, SVEL, SPDC, HCRS],
     pi: [pi.one@example.org]}
  - {id: TIDE1, kind: tide_gauge, interval_s: 1, parameters: [SLEV], position: [21.3, -157.9],
     pi: [tide.pi@example.org]}
qc:
  hold_timeout_s: 1
  chains:
    tsg:
      - test: global_range
      - test: stuck_value
        parameters: {SSJT: {window_s: 600}}
    tide_gauge:
      - test: global_range
alerts:
  enabled: true
  smtp_host: 127.0.0.1
  smtp_port: $P_SMTP
  from: vigie@example.org
  attach_plot: $3
  attach_plot_hours: 2
  smtp: {starttls: off, timeout_s: 5, retry_base_s: 0.5, retry_max_s: 1}
  rules:
    - {name: stuck, type: consecutive, test: stuck_value, count: 3, kind: tsg, parameters: [SSJT]}
    - {name: silent, type: silent, factor: 3, platform: TIDE1}
YAML
}

# ---- configuration -----------------------------------------------------------------------------
write_config "$TMP/on.yaml" "$TMP/db_on" true
write_config "$TMP/off.yaml" "$TMP/db_off" false
check "config check accepts attach_plot" "$VIGIE" config check "$TMP/on.yaml"
sed 's/attach_plot: true/attach_plot: sometimes/' "$TMP/on.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "attach_plot not a boolean: FILE:LINE ($out)" grep -q "bad.yaml:[0-9]*: alerts.attach_plot" <<<"$out"
sed 's/attach_plot_hours: 2/attach_plot_hours: 9000/' "$TMP/on.yaml" > "$TMP/bad.yaml"
out=$("$VIGIE" config check "$TMP/bad.yaml" 2>&1 || true)
check "attach_plot_hours out of range: FILE:LINE ($out)" grep -q "bad.yaml:[0-9]*: alerts.attach_plot_hours" <<<"$out"

# ---- the same cruise with and without plots ------------------------------------------------------
SIM=(--kind tsg --format raw --platform SHIP1 --start 2026-01-15T00:00:00Z --duration 4h
     --interval 10 --seed 11 --stuck 60:30 --stuck 150:20)
for mode in on off; do
  start_sink "$P_SMTP" "$TMP/mail_$mode" || { fail "SMTP server start"; finish; exit; }
  : > "$TMP/daemon.log"
  cp "$TMP/$mode.yaml" "$TMP/vigie.yaml" # one path: the mails name their configuration
  start_daemon "$TMP/vigie.yaml" || { fail "daemon start ($mode)"; finish; exit; }
  "$VIGIE" simulate "${SIM[@]}" --endpoint "tcp://127.0.0.1:$P_RAW" --batch 50
  # 2 stuck faults (started + resolved each) and the silent tide gauge: 5 mails
  check_eq "attach_plot $mode: 5 mails" 5 "$(wait_mails "$TMP/mail_$mode" 5)"
  stop_daemon
  check_eq "attach_plot $mode: daemon stopped cleanly" 0 "$DAEMON_RC"
  cp "$TMP/daemon.log" "$TMP/daemon_$mode.log"
  stop_sink
done
check "no 'sent without its plot' warning" sh -c "! grep -q 'without its plot' $TMP/daemon_on.log"

check "plots: a valid 640 x 320 PNG in each SSJT mail, none in the silent one; text unchanged" \
  $PY - "$TMP/mail_on" "$TMP/mail_off" <<'PY'
import email, email.policy, glob, struct, sys, zlib
def mails(d):
    out = {}
    for p in sorted(glob.glob(d + "/*.eml")):
        m = email.message_from_binary_file(open(p, "rb"), policy=email.policy.compat32)
        # the silent station's Message-ID and text hold wall-clock times: keyed by subject
        ship = m["X-Vigie-Platform"] == "SHIP1"
        out[(m["Subject"], m["Message-ID"] if ship else "")] = m
    return out
on, off = mails(sys.argv[1]), mails(sys.argv[2])
ok = True
def bad(msg):
    global ok; print(msg); ok = False
if sorted(on) != sorted(off) or len(on) != 5:
    bad("not the same mails: %s vs %s" % (sorted(on), sorted(off)))
def png_ok(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return "bad signature"
    off, chunks = 8, []
    while off < len(data):
        n, kind = struct.unpack(">I4s", data[off:off + 8])
        body = data[off + 8:off + 8 + n]
        crc, = struct.unpack(">I", data[off + 8 + n:off + 12 + n])
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            return "bad CRC in %r" % kind
        chunks.append((kind, body))
        off += 12 + n
    if chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        return "chunks %s" % [c[0] for c in chunks]
    w, h = struct.unpack(">II", chunks[0][1][:8])
    if (w, h) != (640, 320):
        return "size %d x %d" % (w, h)
    return None
for key in sorted(on):
    if key not in off:
        continue
    a, b = on[key], off[key]
    pa = [p for p in a.walk() if not p.is_multipart()]
    pb = [p for p in b.walk() if not p.is_multipart()]
    imgs = [p for p in pa if p.get_content_type() == "image/png"]
    rest = [p for p in pa if p.get_content_type() != "image/png"]
    ssjt = a["X-Vigie-Parameter"] == "SSJT"
    if len(imgs) != (1 if ssjt else 0):
        bad("%s: %d PNG parts" % (key[0], len(imgs))); continue
    if ssjt:
        err = png_ok(imgs[0].get_payload(decode=True))
        if err: bad("%s: %s" % (key[0], err))
        fn = imgs[0].get_filename() or ""
        if not fn.startswith("SHIP1_SSJT_2026-01-15T") or not fn.endswith(".png"):
            bad("%s: file name %r" % (key[0], fn))
        print("%s: PNG %d bytes, %s" % (key[0], len(imgs[0].get_payload(decode=True)), fn))
    if not ssjt:
        continue  # (wall-clock times in its text)
    if [p.get_content_type() for p in rest] != [p.get_content_type() for p in pb]:
        bad("%s: parts %s vs %s" % (key[0], [p.get_content_type() for p in rest], [p.get_content_type() for p in pb]))
        continue
    for x, y in zip(rest, pb):
        tx, ty = x.get_payload(decode=True), y.get_payload(decode=True)
        # the one wall-clock line: "State: started at NOW"
        strip = lambda t: b"\n".join(l for l in t.split(b"\n") if not l.startswith(b"State:"))
        if strip(tx) != strip(ty):
            import difflib
            bad("%s: %s part differs:\n%s" % (key[0], x.get_content_type(), "\n".join(difflib.unified_diff(
                strip(ty).decode(errors="replace").split("\n"), strip(tx).decode(errors="replace").split("\n"), lineterm="", n=0))))
    for h in ("From", "To", "Subject", "Message-ID", "In-Reply-To", "X-Vigie-Rule", "X-Vigie-State"):
        if a[h] != b[h]: bad("%s: header %s differs" % (key[0], h))
sys.exit(0 if ok else 1)
PY
finish
