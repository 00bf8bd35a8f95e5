/* store.h: the Berkeley DB store of samples (with their raw frames) and the quarantine.
 * One transactional environment (write-ahead log) in a directory; schema version 2
 * (docs/storage.md):
 *   samples.db    btree  key = platform '\0' time(8 bytes, big-endian, sign bit flipped)
 *                        ->  one record per sample: received time, position, position and
 *                        time flags, each present parameter (by its 4-character code) with
 *                        value and flags, the raw frame verbatim. One put per sample; a
 *                        time-range scan of a platform is one cursor walk.
 *   quarantine.db btree  key = received time, sequence  ->  source, reason, frame verbatim
 *   meta.db       btree  "schema_version" -> 2
 * Writes are grouped: vg_store_begin / vg_store_commit bracket a batch of puts (the daemon
 * commits every storage.commit_interval_ms or commit_max_samples, whichever comes first).
 * One process writes (the daemon: it opens read-write, recovers at open, and calls
 * vg_store_maintain about once a second); any number of processes read (read_only). One
 * vg_store is used by one thread at a time, except vg_store_flush_log and
 * vg_store_checkpoint_due, which one other thread may call meanwhile (the daemon's log
 * flusher). */
#ifndef VIGIE_STORAGE_STORE_H
#define VIGIE_STORAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sample.h"

typedef struct vg_store vg_store;

struct vg_repl_config;

typedef struct vg_store_options {
    int cache_mb;   /* Berkeley DB cache size in MiB, 1..4096 */
    bool read_only; /* open existing databases only, no writes (vigie dump) */
    /* Writer only: replicate the store as this master (storage/repl_config.h, role
     * master; borrowed: it must outlive the store), NULL for none. Every commit then also
     * waits for the replicas' acknowledgements per the policy (docs/storage.md,
     * "Replication"). Readers join a replicated store without it. */
    const struct vg_repl_config *repl;
} vg_store_options;

/* Open the store in directory `path`. *out is owned by the caller; close with
 * vg_store_close.
 * Writer (read_only = false; one process at a time, the daemon): creates the directory
 * (mode 0750, parents too) and the databases if missing, and always runs recovery, which
 * brings back every committed batch, drops the batch a dead writer left open, and
 * invalidates the handles of readers still attached (they get VG_ERR_DB "close and reopen
 * the store").
 * Reader (read_only = true): joins the writer's environment, never recovers, never
 * creates. Fails with VG_ERR_NOTFOUND "no vigie store at PATH" when there is no store, and
 * VG_ERR_DB "the store needs recovery: start the daemon, which recovers it" when a writer
 * died and nobody recovered since.
 * Both fail with VG_ERR_DB when meta.db holds another schema version than 2. */
vg_err vg_store_open(const char *path, const vg_store_options *opt, vg_store **out,
                     vg_errinfo *err);

/* Abort a batch still open (an interrupted batch must not land: commit first to keep it),
 * checkpoint (writer), and close everything. s may be NULL. */
vg_err vg_store_close(vg_store *s, vg_errinfo *err);

/* Start a write transaction (a batch). Puts outside a batch fail with VG_ERR_INVAL. */
vg_err vg_store_begin(vg_store *s, vg_errinfo *err);
/* Commit the batch: after return every put in it is durable (log flushed to disk). */
vg_err vg_store_commit(vg_store *s, vg_errinfo *err);
/* Commit the batch without waiting for the disk (DB_TXN_NOSYNC): its puts are visible and
 * its log records wait in Berkeley DB's log buffer; the batch is durable once a
 * vg_store_flush_log that started after this return has returned VG_OK. Until then a crash
 * of the process loses it (recovery at the next open drops it whole), and so may an
 * in-place recovery (vg_store_generation). Errors as vg_store_commit. */
vg_err vg_store_commit_nosync(vg_store *s, vg_errinfo *err);
/* Write and sync the log to disk (DB_ENV->log_flush): every batch committed before the call
 * is durable at its return. Thread-safe: with vg_store_checkpoint_due, the one function
 * that another thread may call while the owner of s uses it (the daemon's flusher thread,
 * daemon/flusher.h), until vg_store_close. Writer only (VG_ERR_INVAL); VG_ERR_DB when the log cannot be written (a
 * full disk): the batches committed without sync since the last flush are then not durable. */
vg_err vg_store_flush_log(vg_store *s, vg_errinfo *err);
/* Take a checkpoint (DB_ENV->txn_checkpoint: write the cache's dirty pages, so that
 * recovery replays less) if one is due: ~64 MiB of log or 5 minutes since the last.
 * vg_store_commit does it itself; after vg_store_commit_nosync it is the flushing thread's
 * job (daemon/flusher.c), so that the page writes stay off the committing thread. Cheap
 * when none is due. Thread-safe as vg_store_flush_log. Writer only (VG_ERR_INVAL);
 * VG_ERR_DB when the pages cannot be written (nothing committed is lost: recovery replays
 * from the previous checkpoint). */
vg_err vg_store_checkpoint_due(vg_store *s, vg_errinfo *err);
/* Number of in-place recoveries (vg_store_maintain) so far: when it changes, batches
 * committed with vg_store_commit_nosync and not flushed before may be lost, so whoever keeps
 * state about them (the engine's feed marks) reads it back from the store. */
uint64_t vg_store_generation(const vg_store *s);
/* Abort the batch: none of its puts remain. */
void vg_store_abort(vg_store *s);
/* True while a batch is open. */
bool vg_store_in_batch(const vg_store *s);

/* Store a QC'd sample as one record: received time, position, position and time flags,
 * every present parameter (value, NaN allowed, and flags) and the raw frame (raw_len
 * bytes, any bytes; none when 0). The sample is borrowed. A sample with the same platform
 * and time replaces the earlier one whole. Fails with VG_ERR_INVAL outside a batch, for an
 * invalid platform id or a time of VG_TIME_NONE. After any failed put, the caller must
 * vg_store_abort the batch (part of it may be in the batch). */
vg_err vg_store_put_sample(vg_store *s, const vg_sample *smp, vg_errinfo *err);

/* Keep a frame that could not be ingested: `source` names where it came from (endpoint,
 * file:line), `reason` is the error name (vg_err_name) and `detail` the explanation.
 * frame[0..len) is stored verbatim (any bytes). Inside a batch like the puts; after a
 * failure, vg_store_abort the batch. */
vg_err vg_store_put_quarantine(vg_store *s, vg_time_us received, const char *source,
                               vg_err reason, const char *detail, const char *frame,
                               size_t len, vg_errinfo *err);

/* Writer maintenance: call about once a second from the owner of the store (the daemon's
 * tick): releases what dead readers held (their locks and thread slots, via
 * DB_ENV->failchk); cheap (it scans the small thread and lock tables). Returns VG_ERR_DB
 * with "the store needs recovery" when Berkeley DB cannot clean up after a dead process
 * (one that died inside a Berkeley DB call, or a writer): restart the daemon, whose open
 * recovers the store. VG_ERR_INVAL on a read-only store. */
vg_err vg_store_maintain(vg_store *s, vg_errinfo *err);

/* Log retention (storage.log_keep_mb): remove, oldest first, the write-ahead log files that
 * recovery no longer needs (older than the last checkpoint, which vg_store_commit takes
 * every 64 MiB of log or 5 minutes), keeping the newest of them up to keep_mb MiB
 * (0..1048576; 0 removes every one). Log files still needed are never removed, so a
 * recovery or a `vigie db backup` (DB_ENV->backup copies what it needs) is not affected;
 * only a roll-forward from an older backup needs the removed ones (docs/storage.md).
 * *removed (may be NULL) gets the number of files removed. Writer only, outside a batch or
 * inside one. VG_ERR_DB, VG_ERR_IO as the failure says; VG_ERR_INVAL on a read-only store. */
vg_err vg_store_log_retain(vg_store *s, int keep_mb, size_t *removed, vg_errinfo *err);

/* ---- queries ------------------------------------------------------------------- */

typedef struct vg_obs {
    char platform[VG_PLATFORM_MAX];
    vg_param param;
    vg_time_us time;
    double value;    /* NaN = missing */
    vg_qc_flags qc;  /* aggregate and per-test flags */
    double lat_deg, lon_deg; /* position of the sample; NaN if unknown */
    vg_flag pos_flag, time_flag; /* aggregate flags of the sample's position and time */
} vg_obs;

typedef struct vg_query {
    const char *platform; /* required */
    int param;            /* a vg_param, or -1 for every parameter of the platform */
    vg_time_us from, to;  /* inclusive range; VG_TIME_NONE = open */
    int min_flag;         /* only records whose aggregate flag >= min_flag (0 = all) */
} vg_query;

/* Call fn for every parameter value matching q, in (time, param) order: times ascending,
 * and the parameters of one sample in vg_param order (with q->param >= 0: time order).
 * One cursor walk over the platform's samples in [from, to]. fn returns 0 to go on,
 * non-zero to stop (the walk then returns VG_OK). The vg_obs is valid during the call;
 * no lock is held while fn runs. fn may call vg_store_get_raw, not another query. */
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

/* The raw frame of the sample (platform, time), copied into a malloc'd buffer owned by the
 * caller (free it). VG_ERR_NOTFOUND if there is no such sample or it has no frame. */
vg_err vg_store_get_raw(vg_store *s, const char *platform, vg_time_us t, char **frame,
                        size_t *len, vg_errinfo *err);

typedef struct vg_store_counts {
    uint64_t samples;    /* records of samples.db: one per stored (platform, time) */
    uint64_t quarantine; /* records of quarantine.db */
    uint64_t own;        /* platforms with a database of their own in samples.db */
    uint64_t shared;     /* samples in its "#shared" database (the platforms beyond the
                          * first 1000: docs/storage.md, "Files") */
} vg_store_counts;

/* Count the records exactly (a full statistics walk: O(pages), for tests and tools). */
vg_err vg_store_count(vg_store *s, vg_store_counts *out, vg_errinfo *err);

#endif
