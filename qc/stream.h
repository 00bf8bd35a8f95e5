/* stream.h: the QC engine of one platform's stream. Samples go in in time order; each
 * comes out once every test of the platform kind's chain has judged it, with its
 * per-test and aggregate flags. A sample is held until its successor arrives (three-point
 * tests need it), or until qc.hold_timeout_s of wall-clock time passed (vg_qc_stream_expire),
 * or the stream is flushed; without a successor it is judged as the edge of the stream
 * (three-point tests: 0, not evaluated). Batch processing is the same engine fed from a
 * file and flushed at the end, so stream and batch give the same flags (docs/qc.md). */
#ifndef VIGIE_QC_STREAM_H
#define VIGIE_QC_STREAM_H

#include <stddef.h>

#include "core/config.h"
#include "core/error.h"
#include "core/sample.h"
#include "qc/plan.h"
#include "qc/sealevel_monitor.h"

typedef struct vg_qc_stream vg_qc_stream;

/* Called for each judged sample, in time order. s is valid only during the call: it is the
 * stream's own slot (no copy), and its raw frame points into a buffer the stream owns. The
 * callee must not modify it (copy it to keep or change it). */
typedef void (*vg_qc_emit)(void *ctx, const vg_sample *s);

/* New stream for platform pf with plan's chain for pf->kind. plan and pf are borrowed and
 * must outlive the stream. Free with vg_qc_stream_free. */
vg_err vg_qc_stream_new(const vg_qc_plan *plan, const vg_platform_cfg *pf, vg_qc_stream **out,
                        vg_errinfo *err);

/* Share the recent sea level of the configuration's platforms (qc/peers.h, borrowed; it
 * must outlive the stream): the stream puts its SLEV in as samples arrive, under `index`
 * (its platform's index in the configuration), and its tests read the others' (the
 * wl_neighbour test's nearby gauge). Without it such a test is not evaluated. */
struct vg_qc_peers;
void vg_qc_stream_set_peers(vg_qc_stream *st, struct vg_qc_peers *peers, size_t index);

/* Frees the stream; samples still held are dropped: flush first. st may be NULL. */
void vg_qc_stream_free(vg_qc_stream *st);

/* Push a sample of this platform (copied, with its raw frame; a salinity the platform is
 * configured for but the sample lacks is computed from CNDC and the temperature, PSS-78,
 * and a missing SLEV of a platform configured with SLEV, BPRS and ATMS from the pressures,
 * with the platform's density, gravity and sensor level: docs/qc.md). now_mono_us: monotonic clock
 * for the hold time-out. Any earlier held sample is judged and emitted before return.
 * VG_ERR_ORDER when in->time is not after the last pushed time (the caller quarantines it). */
vg_err vg_qc_stream_push(vg_qc_stream *st, const vg_sample *in, int64_t now_mono_us,
                         vg_qc_emit emit, void *ctx, vg_errinfo *err);

/* Judge and emit the held sample if it has waited hold_timeout_s or more. */
void vg_qc_stream_expire(vg_qc_stream *st, int64_t now_mono_us, vg_qc_emit emit, void *ctx);

/* Judge and emit the held sample now (end of a batch, shutdown, reload). */
void vg_qc_stream_flush(vg_qc_stream *st, vg_qc_emit emit, void *ctx);

/* Number of samples waiting (0 or 1). */
size_t vg_qc_stream_pending(const vg_qc_stream *st);

/* Time of the last pushed sample, VG_TIME_NONE if none. */
vg_time_us vg_qc_stream_last_time(const vg_qc_stream *st);

/* Bytes the stream holds: its struct (the two sample slots included), the test states of
 * its chain, the two raw-frame buffers (as large as the longest frame seen, at least
 * 256 bytes once a frame came) and the sea-level monitor of a tide gauge (its 33-day ring). Fixed at creation but for the raw buffers: it does not
 * grow with the number of samples pushed. */
size_t vg_qc_stream_state_bytes(const vg_qc_stream *st);

/* Tide gauges with constituents and SLEV (platforms[].constituents) have a sea-level
 * monitor (qc/sealevel_monitor.h): each judged SLEV not flagged 4 goes into it.
 * True when the platform has one. */
bool vg_qc_stream_watches_sea_level(const vg_qc_stream *st);

/* Seed the monitor with an earlier judged sea level (m; the store's, at start-up or after a
 * reload, in time order, before the first push), so that the watch goes on where it was
 * instead of waiting 20 days for a reference. Values of agg flag 4 or 9 are the caller's to
 * skip. No-op without a monitor. Call vg_qc_stream_seed_done after the last one. */
void vg_qc_stream_seed_sea_level(vg_qc_stream *st, vg_time_us t, double slev_m);

/* End of the seeding: analyse the seeded record once without reporting (what it holds was
 * reported before, or happened while nobody watched and is marked as reported), so that the
 * status that flags the next samples is known and the next analysis reports only what is
 * new. No-op without a monitor. VG_ERR_NOMEM only. */
vg_err vg_qc_stream_seed_done(vg_qc_stream *st, vg_errinfo *err);

/* True when a UTC day of data ended since the monitor's last analysis (false without one). */
bool vg_qc_stream_events_due(const vg_qc_stream *st);

/* Run the monitor's daily analysis now (about 60 ms for 6-minute data, bench_tide): each new
 * datum shift or clock offset goes to sink; its status flags the next samples (tests
 * datum_shift, clock_offset). No-op without a monitor. VG_ERR_NOMEM only. */
vg_err vg_qc_stream_run_events(vg_qc_stream *st, vg_event_sink sink, void *ctx, vg_errinfo *err);

#endif
