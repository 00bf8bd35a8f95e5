/* qartod_flat_line.c: QARTOD flat line test after ioos_qc (ioos_qc.qartod.flat_line_test)
 * with bounded state: the current run is the trailing stretch of samples whose range
 * (max - min) stays below `tolerance` (strict, as ioos_qc); a sample whose run has lasted
 * fail_threshold_s or more fails (4), suspect_threshold_s or more is suspect (3), else 1.
 * State: the run's extremes and start time (32 bytes). Where it differs: docs/qc.md. */
#include <math.h>

#include "qc/test.h"

typedef struct flat_state {
    double lo, hi;    /* extremes of the current run */
    vg_time_us since; /* time of the run's first sample */
    int have;
} flat_state;

static const vg_qc_opt_spec flat_opts[] = {
    {"suspect_threshold_s", 1, 31 * 86400.0, "duration of a flat run that is suspect, seconds"},
    {"fail_threshold_s", 1, 31 * 86400.0, "duration of a flat run that fails, seconds"},
    {"tolerance", 0, 1e9, "a run is flat while max - min < tolerance (0: never flat)"},
};

static bool flat_defaults(int p, double *o)
{
    o[0] = o[1] = o[2] = NAN; /* required */
    if (p == VG_P_SLEV) { /* QARTOD water level v2.1 for 6-minute data: 3 values within 1 mm
                           * (a run of 2 intervals) -> suspect, 5 (4 intervals) -> fail */
        o[0] = 720;
        o[1] = 1440;
        o[2] = 0.001;
    }
    return true;
}

/* Start a run at w->cur, or at w->prev when the pair alone is within tolerance (a slow
 * drift keeps most of its trailing flat stretch). */
static void qartod__restart(flat_state *st, const vg_qc_window *w, int p, double tol)
{
    double v = w->cur->value[p];
    st->lo = st->hi = v;
    st->since = w->cur->time;
    st->have = 1;
    if (w->prev && !isnan(w->prev->value[p]) && fabs(v - w->prev->value[p]) < tol) {
        double u = w->prev->value[p];
        st->lo = u < v ? u : v;
        st->hi = u < v ? v : u;
        st->since = w->prev->time;
    }
}

static vg_flag flat_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    if (isnan(o[0]) || isnan(o[1]) || isnan(o[2]))
        return VG_FLAG_NO_QC;
    flat_state *st = state;
    double v = w->cur->value[p];
    /* A gap (prev NULL) restarts the run: a sensor is not shown flat across missing data. */
    if (!st->have || !w->prev) {
        qartod__restart(st, w, p, -1.0);
    } else {
        /* no NaN here (the engine never runs a test on a missing value): plain compares
         * instead of fmin/fmax, which may be library calls */
        double lo = v < st->lo ? v : st->lo, hi = v > st->hi ? v : st->hi;
        if (hi - lo < o[2])
            st->lo = lo, st->hi = hi;
        else
            qartod__restart(st, w, p, o[2]);
    }
    if (!(st->hi - st->lo < o[2])) /* a lone sample with tolerance 0 is no run */
        return vg_flag_from_qartod(VG_QARTOD_PASS);
    double run_s = (double)(w->cur->time - st->since) / 1e6;
    uint8_t q = run_s >= o[1]   ? VG_QARTOD_FAIL
                : run_s >= o[0] ? VG_QARTOD_SUSPECT
                                : VG_QARTOD_PASS;
    return vg_flag_from_qartod(q);
}

const vg_qc_test vg_qc_qartod_flat_line = {
    .id = 19,
    .name = "qartod_flat_line",
    .summary = "range below tolerance for suspect_threshold_s -> 3, fail_threshold_s -> 4",
    .source = "IOOS QARTOD flat line; ioos_qc qartod.flat_line_test (durations in seconds)",
    .target = VG_QC_ON_PARAM,
    .opts = flat_opts,
    .n_opts = 3,
    .defaults = flat_defaults,
    .state_size = sizeof(flat_state),
    .run = flat_run,
};
