/* qartod_attenuated_signal.c: QARTOD attenuated signal test with ioos_qc's semantics
 * (ioos_qc.qartod.attenuated_signal_test with test_period): over the trailing window
 * (t - period_s, t], the sample standard deviation (method 0, ddof 1 as pandas) or the range
 * (method 1) below fail_threshold -> 4, below suspect_threshold -> 3, else 1; a std of fewer
 * than 2 values, or a window of fewer than min_obs values (pandas' min_periods) -> 0.
 * State: a ring of the last QARTOD_ATT_CAP samples (docs/qc.md). */
#include <math.h>

#include "qc/test.h"

#define QARTOD_ATT_CAP 128 /* samples kept per (stream, parameter): 2 KiB of state */

typedef struct att_state {
    vg_time_us t[QARTOD_ATT_CAP];
    double v[QARTOD_ATT_CAP];
    uint32_t head, n; /* index of the oldest sample, samples held */
} att_state;

static const vg_qc_opt_spec att_opts[] = {
    {"suspect_threshold", 0, 1e9, "std or range below which the signal is suspect, units"},
    {"fail_threshold", 0, 1e9, "std or range below which the signal fails, units"},
    {"period_s", 1, 31 * 86400.0, "trailing window, seconds (at most 128 samples are kept)"},
    {"method", 0, 1, "0 = standard deviation (ioos_qc 'std'), 1 = range ('range')"},
    {"min_obs", 0, QARTOD_ATT_CAP, "fewest values in the window to judge it; 0: no minimum"},
};

static bool att_defaults(int p, double *o)
{
    o[0] = o[1] = o[2] = NAN; /* required */
    o[3] = 0;
    o[4] = 0;
    return true;
}

/* Drop samples at or before `from`, then append (t, v), dropping the oldest when full. */
static void qartod__window_push(att_state *st, vg_time_us from, vg_time_us t, double v)
{
    while (st->n && st->t[st->head] <= from) {
        st->head = (st->head + 1) % QARTOD_ATT_CAP;
        st->n--;
    }
    if (st->n == QARTOD_ATT_CAP) {
        st->head = (st->head + 1) % QARTOD_ATT_CAP;
        st->n--;
    }
    uint32_t k = (st->head + st->n) % QARTOD_ATT_CAP;
    st->t[k] = t;
    st->v[k] = v;
    st->n++;
}

/* Standard deviation (ddof 1, two passes) or range of the window; NaN if undefined. */
static double qartod__window_stat(const att_state *st, int range)
{
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    for (uint32_t i = 0, k = st->head; i < st->n; i++, k = (k + 1) % QARTOD_ATT_CAP) {
        double x = st->v[k];
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        sum += x;
    }
    if (range)
        return hi - lo;
    if (st->n < 2)
        return NAN;
    double mean = sum / st->n, ss = 0;
    for (uint32_t i = 0, k = st->head; i < st->n; i++, k = (k + 1) % QARTOD_ATT_CAP)
        ss += (st->v[k] - mean) * (st->v[k] - mean);
    return sqrt(ss / (st->n - 1));
}

static vg_flag att_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    if (isnan(o[0]) || isnan(o[1]) || isnan(o[2]))
        return VG_FLAG_NO_QC;
    att_state *st = state;
    vg_time_us t = w->cur->time;
    qartod__window_push(st, t - (vg_time_us)llround(o[2] * 1e6), t, w->cur->value[p]);
    if (st->n < o[4])
        return VG_FLAG_NO_QC; /* pandas: fewer than min_periods values give NaN */
    double x = qartod__window_stat(st, o[3] >= 0.5);
    if (isnan(x))
        return VG_FLAG_NO_QC;
    uint8_t q = x < o[1] ? VG_QARTOD_FAIL : x < o[0] ? VG_QARTOD_SUSPECT : VG_QARTOD_PASS;
    return vg_flag_from_qartod(q);
}

const vg_qc_test vg_qc_qartod_attenuated_signal = {
    .id = 20,
    .name = "qartod_attenuated_signal",
    .summary = "std (or range) over the trailing period_s below suspect_threshold -> 3, fail -> 4",
    .source = "IOOS QARTOD attenuated signal; ioos_qc qartod.attenuated_signal_test",
    .target = VG_QC_ON_PARAM,
    .opts = att_opts,
    .n_opts = 5,
    .defaults = att_defaults,
    .state_size = sizeof(att_state),
    .run = att_run,
};
