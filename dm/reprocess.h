/* reprocess.h: delayed-mode reprocessing: a stored or read-back series run again through
 * the stream engine of the daemon (qc/stream.h) with a (new) configuration. The flags the
 * series came with (real time, with any manual flags laid over them) are kept; the new
 * automatic flags, with the operators' manual flags winning, become the delayed-mode flags
 * (_ADJUSTED_QC of a GOSUD file); what changed is counted per parameter, test and flag. */
#ifndef VIGIE_DM_REPROCESS_H
#define VIGIE_DM_REPROCESS_H

#include <stddef.h>

#include "core/config.h"
#include "core/error.h"
#include "core/sample.h"
#include "export/adjusted.h"
#include "export/series.h"
#include "qc/plan.h"
#include "storage/store.h"

typedef struct vg_dm_counts {
    size_t rows;                                    /* series rows pushed */
    size_t refused;                                 /* rows the engine refused (time order) */
    size_t values[VG_P__COUNT];                     /* values (not NaN) judged, per parameter */
    size_t test[VG_P__COUNT][VG_QC_MAX_TESTS][10];  /* new per-test flags (flag 0 = not run
                                                     * is not counted) */
    size_t change[VG_P__COUNT][10][10];             /* aggregate: [old][new], old != new */
    size_t manual[VG_P__COUNT];                     /* values whose manual flag won */
} vg_dm_counts;

/* Called every 65,536 rows and at the end, for a progress display. */
typedef void (*vg_dm_progress)(void *ctx, size_t done, size_t total);

/* Run s (rows in time order) through a new stream of platform pf with plan; the result
 * goes into a (initialised here with s->n rows, free with vg_adjusted_free): for every
 * parameter column of s, value = the raw value (a->value[p] borrows s->value[p]: s must
 * outlive a), error unknown (NULL), qc = the new aggregate flag, or
 * the manual flag when store is not NULL and holds one for that value (storage/audit.h);
 * 9 where the value is missing. Sets a->hist[p] and processing_states "2A". c (zeroed
 * here) gets the counts; the "old" flag of a value is s->qc[p]. progress may be NULL. */
vg_err vg_dm_reprocess(const vg_series *s, const vg_qc_plan *plan, const vg_platform_cfg *pf,
                       vg_store *store, vg_adjusted *a, vg_dm_counts *c,
                       vg_dm_progress progress, void *progress_ctx, vg_errinfo *err);

/* vg_dm_reprocess in two steps, for a caller that overlaps the engine with the write
 * (reprocess_write.h). prepare: a initialised with s->n rows, the value columns borrowed
 * from s, flags 9, processing_states "2A" (what a writer needs to define the file); on
 * failure a is freed. judge: the rest (flags, manual flags, counts, hist), into a
 * prepared a; on failure a is left for the caller to free. */
vg_err vg_dm_reprocess_prepare(const vg_series *s, vg_adjusted *a, vg_errinfo *err);
vg_err vg_dm_reprocess_judge(const vg_series *s, const vg_qc_plan *plan,
                             const vg_platform_cfg *pf, vg_store *store, vg_adjusted *a,
                             vg_dm_counts *c, vg_dm_progress progress, void *progress_ctx,
                             vg_errinfo *err);

#endif
