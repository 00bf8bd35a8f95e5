/* qcfile.h: the NetCDF output of `vigie qc`: one platform's judged samples as a CF-1.8
 * discrete-sampling-geometry file (timeSeries or trajectory) with, beside every value, its
 * aggregate flag and the flag of every test as CF flag variables (flag_values,
 * flag_meanings, standard_name aggregate_quality_flag / quality_flag). Rows are collected
 * in memory as they are judged, then written at once, atomically (ncfile.h). The flags come
 * already on the output scale (GOSUD/Argo 0-9 or QARTOD), chosen by the caller. */
#ifndef VIGIE_EXPORT_QCFILE_H
#define VIGIE_EXPORT_QCFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sample.h"

enum { VG_QCFILE_POSITION = -1, VG_QCFILE_TIME = -2 };

typedef struct vg_qcfile_col {
    const char *name; /* variable name: "SSJT_qc", "SSJT_qc_spike", "position_qc", ... (borrowed
                       * until vg_qcfile_new returns: it is copied) */
    int var;          /* the parameter it flags, or VG_QCFILE_POSITION / VG_QCFILE_TIME */
    unsigned test;    /* 0: the aggregate flag; else a test id */
    const char *test_name; /* the test's name for long_name (NULL for the aggregate) */
} vg_qcfile_col;

typedef struct vg_qcfile vg_qcfile;

/* A collector for platform's rows with the value columns params[0..n_params) and the flag
 * columns cols[0..n_cols). qartod: the flags are QARTOD (1, 2, 3, 4, 9), else GOSUD 0-9.
 * *out owned by the caller: vg_qcfile_free. */
vg_err vg_qcfile_new(const char *platform, const int *params, size_t n_params,
                     const vg_qcfile_col *cols, size_t n_cols, bool qartod, vg_qcfile **out,
                     vg_errinfo *err);

/* Append the judged sample s (time, position, the values of the value columns; a value s
 * did not report is missing) with flags[0..n_cols) in column order. Times must increase. */
vg_err vg_qcfile_add(vg_qcfile *q, const vg_sample *s, const uint8_t *flags, vg_errinfo *err);

/* Rows collected so far. */
size_t vg_qcfile_rows(const vg_qcfile *q);

/* Write the file at path (NetCDF-4 classic model, deflate 1), atomically. */
vg_err vg_qcfile_write(vg_qcfile *q, const char *path, vg_errinfo *err);

void vg_qcfile_free(vg_qcfile *q);

#endif
