/* report.h: the processing report of a store range or of a NetCDF file (TSGQC's report):
 * records and time span; per parameter the values and their flags (aggregate), per test
 * the flags each test gave (store only: files hold aggregates), the manual flags in force,
 * the audit entries and the delayed-mode flags of `vigie reprocess` (store), and the corrections applied (files: DATA_MODE,
 * PROCESSING_STATES, and per parameter the _ADJUSTED values, their flags, the range of the
 * correction P - P_ADJUSTED and of _ADJUSTED_ERROR, and _ADJUSTED_HIST). */
#ifndef VIGIE_DM_REPORT_H
#define VIGIE_DM_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/sample.h"
#include "export/adjusted.h"
#include "storage/store.h"

typedef struct vg_dm_report {
    char platform[VG_PLATFORM_MAX];
    bool from_file;
    size_t records;                 /* samples (rows) */
    vg_time_us first, last;         /* VG_TIME_NONE when no record */
    uint32_t params;                /* VG_PARAM_BIT of each parameter with values */
    size_t values[VG_P__COUNT];     /* values that are not missing */
    size_t flags[VG_P__COUNT][10];  /* aggregate flag of every value (store: the manual
                                     * flag where there is one) */
    size_t test[VG_P__COUNT][VG_QC_MAX_TESTS][10]; /* store: flags given by each test */
    size_t manual[VG_P__COUNT];     /* store: manual flags in force in the range */
    size_t audit_entries;           /* store: audit entries of the platform (all times) */
    size_t dm_values[VG_P__COUNT];  /* store: values with a delayed-mode flag (dmflags.h) */
    size_t dm_flags[VG_P__COUNT][10]; /* store: those flags */
    size_t dm_runs;                 /* store: delayed-mode runs of the platform (all times) */
    uint64_t dm_last_run;           /* store: the number of the latest (valid when dm_runs) */
    vg_time_us dm_last_when;        /* store: when it ran */
    /* files */
    char data_mode;                 /* 'R', 'D', 'A' or 0 when absent */
    char processing_states[16];
    bool has_adjusted[VG_P__COUNT]; /* P_ADJUSTED exists and holds values */
    size_t adjusted[VG_P__COUNT];   /* values of P_ADJUSTED */
    size_t adj_flags[VG_P__COUNT][10];
    double corr_min[VG_P__COUNT], corr_max[VG_P__COUNT]; /* P - P_ADJUSTED, NaN: none */
    double err_min[VG_P__COUNT], err_max[VG_P__COUNT];   /* P_ADJUSTED_ERROR, NaN: none */
    char hist[VG_P__COUNT][VG_ADJ_HIST_MAX];
} vg_dm_report;

/* The report of platform's stored samples in [from, to] (VG_TIME_NONE = open), into *r
 * (zeroed here; about 46 KB: allocate it). Readers and the writer. */
vg_err vg_dm_report_store(vg_store *st, const char *platform, vg_time_us from, vg_time_us to,
                          vg_dm_report *r, vg_errinfo *err);

/* The report of a GOSUD v3 or Copernicus in-situ file. Errors name the file. */
vg_err vg_dm_report_file(const char *path, vg_dm_report *r, vg_errinfo *err);

#endif
