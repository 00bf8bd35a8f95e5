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

static vg_flag flat_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    if (isnan(o[0]) || isnan(o[1]) || isnan(o[2]))
        return VG_FLAG_NO_QC;
    flat_state *st = state;
    const double tol = o[2], v = w->cur->value[p];
    /* The run goes on when its range with v stays below tol. Otherwise it restarts at
     * w->cur, or at w->prev when that pair alone is within tolerance (a slow drift keeps
     * most of its trailing flat stretch). A gap (prev NULL) or the first sample restarts it
     * at w->cur: a sensor is not shown flat across missing data. No NaN reaches here (the
     * engine never runs a test on a missing value; prev's value is checked). Every step is
     * a select, not a branch: on noisy data whether the run goes on, and how long it is,
     * are coin tosses that a branch predictor loses (bench_qc). */
    const bool have_prev = st->have && w->prev;
    const double u = have_prev ? w->prev->value[p] : v;
    const double lo = v < st->lo ? v : st->lo, hi = v > st->hi ? v : st->hi;
    const bool go_on = have_prev && hi - lo < tol;
    const bool pair = have_prev && !isnan(u) && fabs(v - u) < tol;
    const double plo = pair ? (u < v ? u : v) : v, phi = pair ? (u < v ? v : u) : v;
    const vg_time_us psince = pair ? w->prev->time : w->cur->time;
    st->lo = go_on ? lo : plo;
    st->hi = go_on ? hi : phi;
    st->since = go_on ? st->since : psince;
    st->have = 1;
    /* a lone sample with tolerance 0 is no run; QARTOD 1/3/4 are vigie's 1/3/4 */
    const double run_s = (double)(w->cur->time - st->since) / 1e6;
    const bool flat = st->hi - st->lo < tol;
    const int q = !flat ? VG_QARTOD_PASS
                  : run_s >= o[1] ? VG_QARTOD_FAIL
                  : run_s >= o[0] ? VG_QARTOD_SUSPECT
                                  : VG_QARTOD_PASS;
    return vg_flag_from_qartod((uint8_t)q);
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
