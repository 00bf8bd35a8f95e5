/* reprocess_write.h: a delayed-mode reprocessing and the writing of its GOSUD file at once:
 * the engine judges the rows on a second thread while the writer converts and compresses
 * the variables that do not depend on the new flags (time, position, values, flags the
 * data came with, _ADJUSTED, _ADJUSTED_ERROR: most of the file), then writes the new flags.
 * The same file, content for content, as vg_dm_reprocess then vg_export_write (the
 * variables are written in another order, so the HDF5 layout differs). */
#ifndef VIGIE_DM_REPROCESS_WRITE_H
#define VIGIE_DM_REPROCESS_WRITE_H

#include "dm/reprocess.h"
#include "export/export.h"

/* vg_dm_reprocess (same arguments, same results in a and c) and vg_export_write of s with
 * the options eo (its adjusted and await fields are set here) to path. Only this function's
 * thread and the engine's thread run: netCDF is called from this thread only, the engine
 * (and progress, and the store's manual flags) from the other. On failure nothing is
 * written, a is freed, and err says which side failed. */
vg_err vg_dm_reprocess_write(const vg_series *s, const vg_qc_plan *plan,
                             const vg_platform_cfg *pf, vg_store *store,
                             const vg_export_options *eo, const char *path, vg_adjusted *a,
                             vg_dm_counts *c, vg_dm_progress progress, void *progress_ctx,
                             vg_errinfo *err);

#endif
