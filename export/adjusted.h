/* adjusted.h: the delayed-mode adjustment of a series, as the GOSUD writer wants it: for
 * each corrected parameter the _ADJUSTED value, its _ADJUSTED_ERROR and _ADJUSTED_QC (one
 * row per series row) and the text of _ADJUSTED_HIST; plus the file's PROCESSING_STATES.
 * Computed by the delayed-mode layer (dm/), handed to vg_export_write through
 * vg_export_options.adjusted. Inside, missing is NaN like everywhere in the engine. */
#ifndef VIGIE_EXPORT_ADJUSTED_H
#define VIGIE_EXPORT_ADJUSTED_H

#include <stddef.h>

#include "core/error.h"
#include "core/flags.h"
#include "core/params.h"

#define VG_ADJ_HIST_MAX 256   /* the GOSUD STRING256 dimension, with its NUL */
#define VG_ADJ_STATES_MAX 8

typedef struct vg_adjusted {
    size_t n;                          /* rows: the n of the series it adjusts */
    double *value[VG_P__COUNT];        /* adjusted value of column p, or NULL (not adjusted) */
    double *error[VG_P__COUNT];        /* its error, same units; NaN = unknown; NULL (with
                                        * value set): unknown in every row */
    vg_flag *qc[VG_P__COUNT];          /* its flag */
    char hist[VG_P__COUNT][VG_ADJ_HIST_MAX]; /* what was done to p, one line */
    char processing_states[VG_ADJ_STATES_MAX]; /* e.g. "2C+"; "" = the writer's default */
    unsigned char borrowed[VG_P__COUNT]; /* 1: value[p] is borrowed (vg_adjusted_add_raw) */
} vg_adjusted;

/* An empty adjustment of n rows (no column). Free with vg_adjusted_free. */
void vg_adjusted_init(vg_adjusted *a, size_t n);

/* Make column p exist: value and error NaN, flag 9 in every row. VG_ERR_NOMEM. */
vg_err vg_adjusted_add(vg_adjusted *a, vg_param p, vg_errinfo *err);

/* Make column p exist with the values of raw as they are (a reprocessing judges the flags,
 * it does not correct): value[p] BORROWS raw (a->n values, NaN = missing), which must
 * outlive a and is not freed by vg_adjusted_free; no error column (NULL: unknown, written
 * as fill); flag 9 in every row. No effect when the column exists. Only the flags are
 * allocated (1 byte a row instead of 17 for vg_adjusted_add). VG_ERR_NOMEM. */
vg_err vg_adjusted_add_raw(vg_adjusted *a, vg_param p, const double *raw, vg_errinfo *err);

/* Free every column; a is empty (n kept) afterwards. */
void vg_adjusted_free(vg_adjusted *a);

#endif
