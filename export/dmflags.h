/* dmflags.h (export): the delayed-mode flags kept in the store (storage/dmflags.h) as the
 * adjustment of an export of stored data (adjusted.h), so that `vigie export` of reprocessed
 * data writes them where the GOSUD and Copernicus delayed-mode conventions put them:
 * GOSUD P_ADJUSTED_QC (DATA_MODE D, PROCESSING_STATES 2A, P_ADJUSTED_HIST naming the runs),
 * Copernicus P_QC with P_DM D (docs/export.md "Delayed-mode flags of the store"). */
#ifndef VIGIE_EXPORT_DMFLAGS_H
#define VIGIE_EXPORT_DMFLAGS_H

#include <stddef.h>

#include "core/error.h"
#include "export/adjusted.h"
#include "export/series.h"
#include "storage/store.h"

/* Build a (initialised here with s->n rows; free with vg_adjusted_free) from the store's
 * delayed-mode flags of s's platform over s's time span: for every parameter column of s,
 * value = the raw value (BORROWED from s: s must outlive a), no error, qc = the
 * delayed-mode flag where the store holds one, else s->qc (the real-time flag), and the
 * operators' manual flags laid over both (the manual flag wins); hist[p] names the runs;
 * processing_states "2A". *flagged gets the number of values with a delayed-mode flag;
 * when it is 0, a has no column (nothing to adjust). Reads only: safe on a reader. */
vg_err vg_adjusted_from_dmflags(vg_store *st, const vg_series *s, vg_adjusted *a,
                                size_t *flagged, vg_errinfo *err);

#endif
