/* plan.h: the QC plan compiled from the `qc:` section of the configuration: for each
 * platform kind, the chain of tests to apply in order, with the options of every test for
 * every parameter. A kind without a chain in the configuration gets the default chain
 * (docs/qc.md). The plan is immutable once built and shared by all streams of a config. */
#ifndef VIGIE_QC_PLAN_H
#define VIGIE_QC_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "qc/qclim.h"
#include "qc/scope.h"
#include "qc/test.h"

typedef struct vg_qc_step {
    const vg_qc_test *test;
    uint32_t params;                          /* VG_QC_ON_PARAM: VG_PARAM_BIT set it runs on */
    double opts[VG_P__COUNT][VG_QC_MAX_OPTS]; /* options per parameter (row 0 for position/time) */
    int line;                                 /* line in the config file, 0 for defaults */
    const vg_qc_scope *scope;                 /* where and when it applies (an ioos_qc
                                                 context); NULL: always; owned by the plan */
} vg_qc_step;

typedef struct vg_qc_chain {
    vg_qc_step steps[VG_QC_MAX_TESTS];
    size_t n_steps;
} vg_qc_chain;

typedef struct vg_qc_plan {
    vg_qc_chain chains[VG_KIND__COUNT];
    double hold_timeout_s; /* qc.hold_timeout_s: 0 or 0.1..604800 (0): longest wait of a
                              sample for its successor before three-point tests judge it as
                              an edge; 0 = automatic, 2 x the platform's interval_s but at
                              least 5 s (vg_qc_hold_timeout_s) */
    double max_gap_factor; /* qc.max_gap_factor: 1..1000 (5): neighbours further apart than
                              this x the platform's interval_s are not neighbours */
    double sea_level_spread_s; /* qc.sea_level_spread_s: 0..43200 (21600): the daily
                              sea-level analyses of the tide gauges run at their own time in
                              the first this many seconds of each UTC day of data
                              (vg_sl_monitor_offset_s); 0: all at midnight */
    vg_qc_refs refs;       /* reference grids (qc.reference), loaded only when a chain has a
                              test that reads them; owned by the plan */
    vg_qclim_set qclim;    /* the window tables of qartod_climatology steps (refs.qclim
                              points here); owned by the plan */
    vg_qc_scopes scopes;   /* the scopes of the steps (ioos_qc contexts); owned */
} vg_qc_plan;

/* The hold time-out of platform pf under plan, seconds (see hold_timeout_s). */
double vg_qc_hold_timeout_s(const vg_qc_plan *plan, const vg_platform_cfg *pf);

/* Compile cfg's `qc:` section (cfg->doc, cfg->qc_node) and load the reference grids its
 * chains need (qc.reference, or the ferret-datasets defaults: docs/qc.md). *out is owned
 * by the caller and freed with vg_qc_plan_free. Errors are VG_ERR_CONFIG with
 * "FILE:LINE: reason" (a grid that cannot be read names its file). Loading a grid takes up
 * to a second: call at start-up or reload, never per sample. */
vg_err vg_qc_plan_build(const vg_config *cfg, vg_qc_plan **out, vg_errinfo *err);

/* Free the plan and the grids it loaded. plan may be NULL. */
void vg_qc_plan_free(vg_qc_plan *plan);

/* The default chain's test names for a kind, NULL-terminated (for docs and --help). */
const char *const *vg_qc_default_chain(vg_platform_kind kind);

#endif
