/* test_pump.c: underway checks of the sea-water pump of a TSG or ferrybox, which flag the
 * measurements (temperatures, salinities, conductivity) taken without a proper flow:
 * pump_flow (id 12): flow FLOW or cell pressure PRES below their minimum (TSGQC 1 l/min,
 * 1 dbar; EuroGOOS ferrybox flow check); pump_history (id 14): the first settle_s seconds
 * after the pump restarts (domain notes: "pump on for a minimal time after a restart, e.g.
 * 10 min"). Exact rules and the decisions where the sources are silent: docs/qc.md. */
#include <math.h>

#include "qc/test.h"

/* The measurements of the pumped circuit: the defaults run the tests on these. */
static bool pump__measurement(int p)
{
    vg_param_family f = vg_param_get((vg_param)p)->family;
    return f == VG_FAM_TEMPERATURE || f == VG_FAM_SALINITY || f == VG_FAM_CONDUCTIVITY;
}

/* Value of parameter q in s, NaN when not reported. */
static double pump__value(const vg_sample *s, vg_param q)
{
    return vg_sample_has(s, q) ? s->value[q] : NAN;
}

/* ---- pump_flow ----------------------------------------------------------------------- */
static const vg_qc_opt_spec flow_opts[] = {
    {"min_flow_l_min", 0, 1000, "lowest acceptable water flow FLOW, l/min (0: FLOW not checked)"},
    {"min_pres_dbar", 0, 100, "lowest acceptable TSG cell pressure PRES, dbar (0: PRES not checked)"},
    {"flag", 3, 4, "flag of a measurement taken without flow: 4 (bad) or 3 (probably bad)"},
};

static bool flow_defaults(int p, double *o)
{
    o[0] = 1.0; /* TSGQC flow_min */
    o[1] = 1.0; /* TSGQC press_min */
    o[2] = 4;
    return pump__measurement(p);
}

static vg_flag flow_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    double flow = pump__value(w->cur, VG_P_FLOW), pres = pump__value(w->cur, VG_P_PRES);
    bool judged = false, fail = false;
    if (o[0] > 0 && !isnan(flow)) {
        judged = true;
        fail |= flow < o[0];
    }
    if (o[1] > 0 && !isnan(pres)) {
        judged = true;
        fail |= pres < o[1];
    }
    if (!judged)
        return VG_FLAG_NO_QC;
    return !fail ? VG_FLAG_GOOD : o[2] < 4 ? VG_FLAG_PROBABLY_BAD : VG_FLAG_BAD;
}

const vg_qc_test vg_qc_pump_flow = {
    .id = 12,
    .name = "pump_flow",
    .summary = "FLOW below min_flow_l_min or PRES below min_pres_dbar in the sample "
               "(not evaluated when neither is reported)",
    .source = "TSGQC defaults (flow 1 l/min, pressure 1 dbar); EuroGOOS ferrybox flow check",
    .target = VG_QC_ON_PARAM,
    .opts = flow_opts,
    .n_opts = 3,
    .defaults = flow_defaults,
    .run = flow_run,
};

/* ---- pump_history -------------------------------------------------------------------- */
enum { PUMP_UNKNOWN = 0, PUMP_OFF, PUMP_ON };

typedef struct pump_state {
    vg_time_us last_t;   /* time of the last FLOW observed (when seen != PUMP_UNKNOWN) */
    vg_time_us on_since; /* time of the last restart (when settling) */
    uint8_t seen;        /* pump state at last_t */
    uint8_t settling;    /* a restart was observed: on_since is valid */
} pump_state;

static const vg_qc_opt_spec history_opts[] = {
    {"min_flow_l_min", 0.001, 1000, "water flow FLOW at or above which the pump is on, l/min"},
    {"settle_s", 0, 86400, "time after a restart during which the measurements are flagged, s"},
    {"gap_restart_s", 0, 31 * 86400.0,
     "a FLOW record interrupted longer than this counts as a restart, s (0: never)"},
    {"flag", 3, 4, "flag of a measurement taken while the circuit settles: 3 or 4"},
};

static bool history_defaults(int p, double *o)
{
    o[0] = 1.0;   /* as pump_flow */
    o[1] = 600.0; /* "e.g. 10 min" */
    o[2] = 0;
    o[3] = 3;
    return pump__measurement(p);
}

/* Update the pump history with FLOW `flow` observed at time t. */
static void pump__observe(pump_state *st, const double *o, vg_time_us t, double flow)
{
    if (flow < o[0]) {
        st->seen = PUMP_OFF;
        st->settling = 0;
    } else {
        bool gap = o[2] > 0 && st->seen != PUMP_UNKNOWN && (double)(t - st->last_t) / 1e6 > o[2];
        if (st->seen == PUMP_OFF || gap) {
            st->settling = 1;
            st->on_since = t;
        }
        st->seen = PUMP_ON;
    }
    st->last_t = t;
}

static vg_flag history_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    pump_state *st = state;
    const vg_sample *c = w->cur, *a = w->prev;
    double flow = pump__value(c, VG_P_FLOW);
    if (isnan(flow))
        return VG_FLAG_NO_QC;
    /* The predecessor is observed too, so that a restart on a sample where this parameter
     * was missing (and the test did not run) is still seen. */
    if (a && (st->seen == PUMP_UNKNOWN || a->time > st->last_t)) {
        double fa = pump__value(a, VG_P_FLOW);
        if (!isnan(fa))
            pump__observe(st, o, a->time, fa);
    }
    pump__observe(st, o, c->time, flow);
    if (st->seen != PUMP_ON)
        return VG_FLAG_NO_QC; /* pump off: pump_flow's concern */
    if (st->settling && (double)(c->time - st->on_since) / 1e6 < o[1])
        return o[3] < 4 ? VG_FLAG_PROBABLY_BAD : VG_FLAG_BAD;
    st->settling = 0;
    return VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_pump_history = {
    .id = 14,
    .name = "pump_history",
    .summary = "less than settle_s since the pump restarted (FLOW from below to at or above "
               "min_flow_l_min)",
    .source = "underway practice (TSGQC, EuroGOOS ferrybox): pump on for a minimal time "
              "after a restart, e.g. 10 min",
    .target = VG_QC_ON_PARAM,
    .opts = history_opts,
    .n_opts = 4,
    .defaults = history_defaults,
    .state_size = sizeof(pump_state),
    .run = history_run,
};
