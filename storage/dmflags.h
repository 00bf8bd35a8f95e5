/* dmflags.h: the delayed-mode flags of `vigie reprocess` kept in the store beside the
 * real-time ones, in one more Berkeley DB database of the environment (docs/storage.md,
 * "Delayed-mode flags"):
 *   dmflags.db btree  key = platform '\0' time(8)  ->  the run that judged the sample, and
 *                     the delayed-mode flag of each parameter it judged
 *                     key = '\0' "run" seq(8)      ->  the run: when, who, range, what
 * Additive: the real-time flags (samples.db) and the manual flags (manual.db) are never
 * written here; readers lay the manual flags over these, and the manual flag wins. A later
 * run replaces a sample's record whole. Writing needs the store's writer role. */
#ifndef VIGIE_STORAGE_DMFLAGS_H
#define VIGIE_STORAGE_DMFLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/flags.h"
#include "core/params.h"
#include "core/time.h"
#include "storage/store.h"

#define VG_DMFLAGS_TEXT_MAX 1024 /* longest who / what, bytes */
#define VG_DMFLAGS_CHUNK 50000   /* samples per committed transaction of a write */

/* One delayed-mode run, as written and read back. */
typedef struct vg_dmflags_run {
    uint64_t seq;          /* read back / set by vg_dmflags_write: 0, 1, 2... */
    vg_time_us when;       /* time of the run (the clock when 0 at write) */
    const char *platform;  /* a valid platform id */
    vg_time_us from, to;   /* the range judged, inclusive: the first and last sample */
    const char *who;       /* operator, 1..VG_DMFLAGS_TEXT_MAX bytes */
    const char *what;      /* one line: the command and configuration, 1..TEXT_MAX bytes */
    uint64_t samples;      /* read back / set at write: samples given a record */
    uint64_t values;       /* read back / set at write: flags written */
    bool complete;         /* read back: false when the run was interrupted (only its
                            * first chunks are in the store) */
} vg_dmflags_run;

/* Store the delayed-mode flags of one run on store s (opened read-write, no batch open).
 * time[0..n) ascending; flag[p] is NULL (parameter p not judged) or n flags 0-9, and the
 * flag of row i is written where value[p] is NULL or value[p][i] is not NaN (a missing
 * value gets none). A row with no flag gets no record (an earlier run's record stays).
 * Every other row's record replaces the earlier one whole. Committed VG_DMFLAGS_CHUNK rows
 * at a time, each chunk atomic; the run record is written with the first chunk and marked
 * complete with the last, so an interrupted run shows as incomplete (run it again: the
 * result does not depend on what is stored already). run->seq, samples and values are set.
 * VG_ERR_INVAL (bad arguments, read-only store, open batch, a flag above 9), VG_ERR_DB. */
vg_err vg_dmflags_write(vg_store *s, vg_dmflags_run *run, size_t n, const vg_time_us *time,
                        const vg_flag *const flag[VG_P__COUNT],
                        const double *const value[VG_P__COUNT], vg_errinfo *err);

/* One sample's delayed-mode flags, as read back. */
typedef struct vg_dmflags_row {
    vg_time_us time;
    uint64_t run;               /* the run that wrote it */
    uint32_t present;           /* VG_PARAM_BIT(p) for each parameter with a flag */
    vg_flag flag[VG_P__COUNT];  /* valid where present */
} vg_dmflags_row;

/* Call fn for every record of platform in [from, to] (VG_TIME_NONE = open) in time order;
 * fn returns non-zero to stop. One snapshot transaction (it sees the committed records,
 * takes no lock; on a replica, which has no multiversion, read-committed page locks). A store without dmflags.db has none. Readers and the writer. */
vg_err vg_dmflags_walk(vg_store *s, const char *platform, vg_time_us from, vg_time_us to,
                       int (*fn)(void *ctx, const vg_dmflags_row *r), void *ctx,
                       vg_errinfo *err);

/* Call fn for every run (of platform, or all when NULL) in the order of their numbers;
 * the strings are valid during the call. */
vg_err vg_dmflags_runs(vg_store *s, const char *platform,
                       int (*fn)(void *ctx, const vg_dmflags_run *r), void *ctx,
                       vg_errinfo *err);

#endif
