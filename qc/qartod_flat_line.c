/* qartod_flat_line.c: QARTOD flat line test after ioos_qc (ioos_qc.qartod.flat_line_test)
 * with bounded state: the current run is the trailing stretch of samples whose range
 * (max - min) stays below `tolerance` (strict, as ioos_qc); a sample whose run has lasted
 * fail_threshold_s or more fails (4), suspect_threshold_s or more is suspect (3), else 1.
 * State: the run's extremes and start time (32 bytes). Where it differs: docs/qc.md. */
#include <math.h>
#include <stdint.h>

#include "qc/test.h"

/* QARTOD's 1/3/4 are vigie's 1/3/4, which flat_run computes as 1 + 2 (suspect) + 1 (fail) */
_Static_assert(VG_FLAG_GOOD == 1 && VG_FLAG_PROBABLY_BAD == 3 && VG_FLAG_BAD == 4,
               "flat_run computes the flag as 1 + 2 (suspect) + 1 (fail)");

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

/* mask ? a : b (mask all ones or all zeros) on the addresses' bits. A plain `c ? &x : &y`
 * whose result is then read is compiled into a branch (GCC 12), and the choice it is used
 * for is a coin toss (flat_run). */
static inline const void *flat__choose(uintptr_t mask, const void *a, const void *b)
{
    return (const void *)((uintptr_t)b ^ (((uintptr_t)a ^ (uintptr_t)b) & mask));
}

static vg_flag flat_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    const double suspect_s = o[0], fail_s = o[1], tol = o[2];
    if (isnan(suspect_s) || isnan(fail_s) || isnan(tol))
        return VG_FLAG_NO_QC;
    flat_state *st = state;
    const vg_sample *cur = w->cur;
    const double v = cur->value[p];
    /* The run goes on when its range with v stays below tol. Otherwise it restarts at
     * w->cur, or at w->prev when that pair alone is within tolerance (a slow drift keeps
     * most of its trailing flat stretch). A gap (prev NULL) or the first sample restarts it
     * at w->cur: a sensor is not shown flat across missing data. v is never NaN (the
     * engine does not run a test on a missing value); a NaN u fails the pair test. With
     * no usable previous sample, u is v itself and the "pair" is w->cur alone.
     *
     * On noisy data whether the run goes on and whether the pair is within tolerance are
     * coin tosses, which a branch predictor loses; in the engine each miss also throws
     * away the rest of the sample's work in flight (bench_qc: the test cost 9 ns per
     * sample in the engine, 4.7 ns called alone). So no branch depends on the values: the
     * restart is a conditional move between two samples, and the new run's extremes are
     * read through addresses chosen by mask (the run's, or the restart sample's value). */
    const bool have_prev = st->have && w->prev;
    const vg_sample *src = have_prev ? w->prev : cur;
    const double u = src->value[p];
    const double lo = v < st->lo ? v : st->lo, hi = v > st->hi ? v : st->hi;
    const bool go_on = have_prev & (hi - lo < tol);
    const vg_sample *start = fabs(v - u) < tol ? src : cur; /* where a restart starts */
    const uintptr_t keep = (uintptr_t)0 - (uintptr_t)go_on;
    const double *from_lo = flat__choose(keep, &st->lo, &start->value[p]);
    const double *from_hi = flat__choose(keep, &st->hi, &start->value[p]);
    const vg_time_us since0 = st->since, restart_t = start->time;
    const vg_time_us since = go_on ? since0 : restart_t; /* both loaded: a cmov */
    const double nlo = v < *from_lo ? v : *from_lo, nhi = v > *from_hi ? v : *from_hi;
    st->lo = nlo;
    st->hi = nhi;
    st->since = since;
    st->have = 1;
    /* A lone sample with tolerance 0 is no run. The flag is arithmetic too: 1, 3 from
     * suspect_threshold_s, 4 from fail_threshold_s, whichever order the two are in. */
    const double run_s = (double)(cur->time - since) / 1e6;
    const int flat = nhi - nlo < tol;
    const int fail = run_s >= fail_s, suspect = (run_s >= suspect_s) | fail;
    return (vg_flag)(VG_FLAG_GOOD + flat * (2 * suspect + fail));
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
