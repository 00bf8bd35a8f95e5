/* store.h: the Berkeley DB store of samples, raw frames and the quarantine.
 * One transactional environment (write-ahead log, recovery at open) in a directory; the
 * schema (docs/storage.md):
 *   obs.db        btree  key = platform '\0' param-code '\0' time(8 bytes, big-endian,
 *                        sign bit flipped)  ->  value, aggregate flag, per-test flags
 *                        (a time-range scan per platform and parameter is one cursor walk)
 *   nav.db        btree  key = platform '\0' time  ->  lat, lon, position and time flags
 *   raw.db        btree  key = platform '\0' time  ->  the frame as received, verbatim
 *   quarantine.db btree  key = received time, sequence  ->  source, reason, frame verbatim
 * Writes are grouped: vg_store_begin / vg_store_commit bracket a batch of puts (the daemon
 * commits every storage.commit_interval_ms or commit_max_samples, whichever comes first).
 * One vg_store is used by one thread at a time. */
#ifndef VIGIE_STORAGE_STORE_H
#define VIGIE_STORAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sample.h"

typedef struct vg_store vg_store;

typedef struct vg_store_options {
    int cache_mb;   /* Berkeley DB cache size in MiB, 1..4096 */
    bool read_only; /* open existing databases only, no writes (vigie dump) */
} vg_store_options;

/* Open (creating if needed, unless read_only) the environment in directory `path`, running
 * recovery if a previous process died (DB_REGISTER | DB_RECOVER). The directory is created
 * (mode 0750) if missing. *out is owned by the caller; close with vg_store_close. */
vg_err vg_store_open(const char *path, const vg_store_options *opt, vg_store **out,
                     vg_errinfo *err);

/* Commit any open transaction, checkpoint, and close everything. s may be NULL. */
vg_err vg_store_close(vg_store *s, vg_errinfo *err);

/* Start a write transaction (a batch). Puts outside a batch fail with VG_ERR_INVAL. */
vg_err vg_store_begin(vg_store *s, vg_errinfo *err);
/* Commit the batch: after return every put in it is durable (log flushed to disk). */
vg_err vg_store_commit(vg_store *s, vg_errinfo *err);
/* Abort the batch: none of its puts remain. */
void vg_store_abort(vg_store *s);
/* True while a batch is open. */
bool vg_store_in_batch(const vg_store *s);

/* Store a QC'd sample: one obs record per present parameter, one nav record, and the raw
 * frame (when raw_len > 0). The sample is borrowed. A sample with the same platform and
 * time replaces the earlier one. */
vg_err vg_store_put_sample(vg_store *s, const vg_sample *smp, vg_errinfo *err);

/* Keep a frame that could not be ingested: `source` names where it came from (endpoint,
 * file:line), `reason` is the error name (vg_err_name) and `detail` the explanation.
 * frame[0..len) is stored verbatim (any bytes). Inside a batch like the puts. */
vg_err vg_store_put_quarantine(vg_store *s, vg_time_us received, const char *source,
                               vg_err reason, const char *detail, const char *frame,
                               size_t len, vg_errinfo *err);

/* ---- queries ------------------------------------------------------------------- */

typedef struct vg_obs {
    char platform[VG_PLATFORM_MAX];
    vg_param param;
    vg_time_us time;
    double value;    /* NaN = missing */
    vg_qc_flags qc;  /* aggregate and per-test flags */
    double lat_deg, lon_deg; /* from nav.db at the same time; NaN if none */
    vg_flag pos_flag, time_flag;
} vg_obs;

typedef struct vg_query {
    const char *platform; /* required */
    int param;            /* a vg_param, or -1 for every parameter of the platform */
    vg_time_us from, to;  /* inclusive range; VG_TIME_NONE = open */
    int min_flag;         /* only records whose aggregate flag >= min_flag (0 = all) */
} vg_query;

/* Call fn for every record matching q, in (param, time) order; fn returns 0 to go on,
 * non-zero to stop (the walk then returns VG_OK). The vg_obs is valid during the call. */
vg_err vg_store_query(vg_store *s, const vg_query *q, int (*fn)(void *ctx, const vg_obs *o),
                      void *ctx, vg_errinfo *err);

typedef struct vg_quarantined {
    vg_time_us received;
    uint64_t seq;
    const char *source;  /* NUL-terminated, valid during the call */
    const char *reason;  /* error name */
    const char *detail;
    const char *frame;   /* verbatim bytes, not NUL-terminated */
    size_t frame_len;
} vg_quarantined;

/* Call fn for every quarantined frame in arrival order. */
vg_err vg_store_quarantine_walk(vg_store *s, int (*fn)(void *ctx, const vg_quarantined *q),
                                void *ctx, vg_errinfo *err);

/* The raw frame of (platform, time), copied into a malloc'd buffer owned by the caller. */
vg_err vg_store_get_raw(vg_store *s, const char *platform, vg_time_us t, char **frame,
                        size_t *len, vg_errinfo *err);

typedef struct vg_store_counts {
    uint64_t obs, nav, raw, quarantine; /* records in each database */
} vg_store_counts;

vg_err vg_store_count(vg_store *s, vg_store_counts *out, vg_errinfo *err);

#endif
