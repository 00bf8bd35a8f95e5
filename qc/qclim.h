/* qclim.h: the tables of the QARTOD climatology test (qc/qartod_climatology.c): lists of
 * windows, each a time span (absolute dates, or a span of a calendar period such as the
 * month or the day of the year), an optional depth span, the span of values that pass and
 * an optional span outside which values fail, with ioos_qc's semantics
 * (ioos_qc.qartod.ClimatologyConfig.check, ioos_qc 2.x). A table is read from a YAML list
 * (vigie's own `windows:` option or ioos_qc's `climatology_test: {config: [...]}`), owned
 * by the QC plan, and never changes afterwards. docs/qc.md, "Climatology (id 23)". */
#ifndef VIGIE_QC_QCLIM_H
#define VIGIE_QC_QCLIM_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "core/error.h"
#include "core/time.h"

/* The calendar attribute a window's tspan is in (pandas Timestamp attribute names). */
typedef enum vg_qclim_period {
    VG_QCLIM_DATES = 0, /* no period: tspan is two absolute dates */
    VG_QCLIM_YEAR,      /* 2024 */
    VG_QCLIM_QUARTER,   /* 1..4 */
    VG_QCLIM_MONTH,     /* 1..12 */
    VG_QCLIM_WEEK,      /* ISO 8601 week of the year, 1..53 ("week" or "weekofyear") */
    VG_QCLIM_DAYOFYEAR, /* 1..366 */
    VG_QCLIM_DAY,       /* day of the month, 1..31 */
    VG_QCLIM_DAYOFWEEK, /* Monday 0 .. Sunday 6 */
    VG_QCLIM_HOUR,      /* 0..23 */
    VG_QCLIM_MINUTE,    /* 0..59 */
    VG_QCLIM__COUNT
} vg_qclim_period;

typedef struct vg_qclim_window {
    vg_qclim_period period;
    double t_lo, t_hi;      /* period values, inclusive; unused for VG_QCLIM_DATES */
    vg_time_us d_lo, d_hi;  /* VG_QCLIM_DATES: UTC, inclusive */
    double v_lo, v_hi;      /* values outside -> suspect (3); parameter units */
    double f_lo, f_hi;      /* values outside -> fail (4); NaN: no fail span */
    double z_lo, z_hi;      /* depth span, metres positive down; NaN: the window applies
                               only to samples without a depth (as ioos_qc) */
} vg_qclim_window;

typedef struct vg_qclim_table {
    vg_qclim_window *w; /* owned, n entries, in the order given (later ones win) */
    size_t n;
} vg_qclim_table;

/* The tables of a plan: index i is what the test's `windows` option holds. */
typedef struct vg_qclim_set {
    vg_qclim_table **t; /* owned */
    size_t n;
} vg_qclim_set;

/* Read a table from `seq`, a YAML sequence of mappings of doc with the keys tspan (two
 * numbers with `period`, else two ISO 8601 dates), vspan (two numbers), and optionally
 * fspan, zspan (two numbers each) and period (a vg_qclim_period name: year, quarter, month,
 * week, weekofyear, dayofyear, day, dayofweek, hour, minute). Spans are sorted, as ioos_qc
 * does. `path` names the file in errors (VG_ERR_CONFIG "PATH:LINE: reason"). On success
 * the table is appended to set (which owns it from then on) and *index receives its index. */
vg_err vg_qclim_parse(yaml_document_t *doc, yaml_node_t *seq, const char *path,
                      vg_qclim_set *set, size_t *index, vg_errinfo *err);

/* The QARTOD flag (1 pass, 2 no window applies, 3 suspect, 4 fail) of value v (finite) at
 * time t with depth z (metres positive down, NaN = none) under table tb. Every window that
 * applies judges the value; the last one wins (ioos_qc applies its members in order). */
uint8_t vg_qclim_judge(const vg_qclim_table *tb, vg_time_us t, double z, double v);

/* Free every table of set and its array; set itself is the caller's. */
void vg_qclim_set_free(vg_qclim_set *set);

#endif
