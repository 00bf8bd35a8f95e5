/* feed_mark.h: what the store has committed of each acknowledged feed (`vigie feed`), kept
 * in meta.db beside the schema version and written in the same transaction as the samples
 * it describes, so that a resent batch is recognised after any crash and nothing is stored
 * twice (docs/storage.md, "Feeds: what is acknowledged when"). Part of the storage layer's
 * public interface, next to store.h. */
#ifndef VIGIE_STORAGE_FEED_MARK_H
#define VIGIE_STORAGE_FEED_MARK_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "storage/store.h"

/* The mark of one feed source. Sequence numbers are the feed's (1, 2, ...: one per frame).
 * Every frame with a sequence <= high has been ingested (stored, quarantined, or it only
 * updated the parser, like an NMEA fix) except those listed in pending: frames whose sample
 * was still held by its QC stream (waiting for its successor) when the batch committed.
 * The feed may forget every frame <= safe (vg_feed_mark_safe). */
typedef struct vg_feed_mark {
    uint64_t epoch;     /* id of the feed's spool; another id means a new spool: the mark
                         * restarts from 0 */
    uint64_t high;      /* highest sequence ingested; 0 = none */
    uint64_t *pending;  /* sequences <= high not stored yet, ascending; malloc'd, owned by
                         * whoever filled the struct (free with vg_feed_mark_clear) */
    size_t n_pending;
} vg_feed_mark;

/* Longest feed source id, bytes (same syntax as a platform id: [A-Za-z0-9_.-], 1..31). */
#define VG_FEED_ID_MAX VG_PLATFORM_MAX

/* The highest sequence s such that every frame <= s is committed: pending[0] - 1, or high
 * when nothing is pending. */
uint64_t vg_feed_mark_safe(const vg_feed_mark *m);

/* Free m->pending and zero the struct. */
void vg_feed_mark_clear(vg_feed_mark *m);

/* Read the committed mark of feed `source` (inside a batch: as the batch sees it).
 * out->pending is malloc'd (or NULL when empty): vg_feed_mark_clear it. VG_ERR_NOTFOUND
 * (and *out zeroed) when the store has no mark for it; VG_ERR_INVAL for an invalid id;
 * VG_ERR_DB for a Berkeley DB failure or a malformed record. */
vg_err vg_store_feed_mark_get(vg_store *s, const char *source, vg_feed_mark *out,
                              vg_errinfo *err);

/* Write the mark of feed `source` into the open batch (replacing the previous one): it
 * becomes durable with the batch's samples at vg_store_commit. m is borrowed; pending must
 * be ascending and <= high. Outside a batch: VG_ERR_INVAL. After a failure, abort the
 * batch. */
vg_err vg_store_feed_mark_put(vg_store *s, const char *source, const vg_feed_mark *m,
                              vg_errinfo *err);

typedef struct vg_feed_mark_row {
    const char *source;      /* NUL-terminated, valid during the call */
    const vg_feed_mark *mark;
} vg_feed_mark_row;

/* Call fn for every feed mark in source order (for `vigie db stats`). fn returns non-zero
 * to stop. */
vg_err vg_store_feed_mark_walk(vg_store *s, int (*fn)(void *ctx, const vg_feed_mark_row *r),
                               void *ctx, vg_errinfo *err);

#endif
