/* series.h: one platform's observations over a time range as columns (one array per
 * variable), the shape in which the NetCDF writers want them and the readers give them
 * back. Built from the store by a reader join (one cursor walk, rows in (time, param)
 * order) or appended sample by sample. Inside a series missing is NaN and time is
 * vg_time_us; fill values and epochs belong to the writers (gosud.c, instac.c). */
#ifndef VIGIE_EXPORT_SERIES_H
#define VIGIE_EXPORT_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/flags.h"
#include "core/params.h"
#include "core/sample.h"
#include "core/time.h"
#include "storage/store.h"

typedef struct vg_series {
    char platform[VG_PLATFORM_MAX];
    size_t n, cap;                 /* rows used / allocated */
    vg_time_us *time;              /* ascending, strictly: one row per sample */
    vg_flag *time_qc;              /* aggregate flag of each time stamp */
    double *lat_deg, *lon_deg;     /* position of each sample; NaN = unknown */
    vg_flag *pos_qc;               /* aggregate flag of each position */
    uint32_t present;              /* VG_PARAM_BIT(p) when column p exists */
    double *value[VG_P__COUNT];    /* column p (n rows) or NULL; NaN = missing */
    vg_flag *qc[VG_P__COUNT];      /* aggregate flag of each value; 9 where the sample did
                                    * not report p */
} vg_series;

/* An empty series of platform id (copied, may be NULL for ""). Free with vg_series_free. */
void vg_series_init(vg_series *s, const char *platform);

/* Free the columns; s is empty afterwards and may be reused. */
void vg_series_free(vg_series *s);

/* Append a row at time t (must be later than the last row: VG_ERR_ORDER otherwise) with
 * an unknown position (NaN, flag 9), a time flag of 0, and every existing column NaN with
 * flag 9. Returns the row index in *row. */
vg_err vg_series_append(vg_series *s, vg_time_us t, size_t *row, vg_errinfo *err);

/* Room for `rows` rows in every column, allocated once (a reader that knows its row count
 * calls it first: appending then neither copies nor over-allocates). No effect when there
 * is room already; VG_ERR_NOMEM names the rows. */
vg_err vg_series_reserve(vg_series *s, size_t rows, vg_errinfo *err);

/* Make column p exist (NaN, flag 9 in every row so far). */
vg_err vg_series_add_param(vg_series *s, vg_param p, vg_errinfo *err);

/* Append one whole sample (time, position, flags, every present parameter). */
vg_err vg_series_append_sample(vg_series *s, const vg_sample *smp, vg_errinfo *err);

/* Load platform `platform` from the store between from and to (inclusive, VG_TIME_NONE =
 * open) into s (initialised here; free with vg_series_free): one vg_store_query walk,
 * the rows of one sample joined into one series row; then the operators' manual flags
 * (storage/audit.h) replace the automatic ones (vg_series_apply_manual). */
vg_err vg_series_from_store(vg_store *st, const char *platform, vg_time_us from,
                            vg_time_us to, vg_series *s, vg_errinfo *err);

/* Lay the manual flags of s's platform over s's flags (rows between its first and last
 * time): a value with a manual flag gets it in qc[p]. *applied (may be NULL) counts them. */
vg_err vg_series_apply_manual(vg_store *st, vg_series *s, size_t *applied, vg_errinfo *err);

/* The row of s whose time is exactly t (times ascending): true and *row, or false. O(log n). */
bool vg_series_row_at(const vg_series *s, vg_time_us t, size_t *row);

/* Number of values of column p that are not NaN (0 when the column does not exist). */
size_t vg_series_count(const vg_series *s, vg_param p);

#endif
