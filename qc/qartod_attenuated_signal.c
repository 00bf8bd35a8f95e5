/* qartod_attenuated_signal.c: QARTOD attenuated signal test with ioos_qc's semantics
 * (ioos_qc.qartod.attenuated_signal_test with test_period, pandas rolling over a time
 * window): over the trailing window (t - period_s, t], the sample standard deviation
 * (method 0, ddof 1 as pandas) or the range (method 1) below fail_threshold -> 4, below
 * suspect_threshold -> 3, else 1; a std of fewer than 2 values, or a window of fewer than
 * min_obs values (pandas' min_periods) -> 0.
 * State: a ring sized from period_s and the platform's interval_s (every sample of the
 * period at the nominal rate, docs/qc.md "Window and memory"), updated in O(1) amortised:
 * the range from two monotone deques (exact), the std from running shifted sums that only
 * decide a flag when they are clear of both thresholds by more than their error bound;
 * otherwise an exact two-pass over the window decides (and resets the sums). */
#include <math.h>
#include <stdio.h>

#include "qc/test.h"

#define ATT_MIN_CAP 128          /* the ring never holds fewer (the former fixed ring) */
#define ATT_MAX_PERIOD (1u << 17) /* samples of period_s at the nominal interval, at most */

/* The ring of the window: t[cap], v[cap], then for the range two deques of ring indices
 * lo[cap], hi[cap] (values increasing from the front of lo, decreasing in hi), all in
 * data[] after this header. Laid out once by att_sized_state; never moved. */
typedef struct att_state {
    uint32_t cap;          /* ring capacity, samples; 0: not laid out (options missing) */
    uint32_t head, n;      /* index of the oldest sample, samples held */
    uint32_t lo_head, lo_n, hi_head, hi_n; /* the deques (range only) */
    uint32_t range;        /* 1: the state keeps the deques (method 1) */
    vg_time_us period_us;  /* period_s, us (the options of a job never change) */
    /* std: with d = x - k for each x in the window, s1 = sum d, s2 = sum d^2; m1 and m2
     * sum |d| and d^2 over every add and remove since the last reset (ops of them): the
     * rounding error bound of s2 - s1^2/n. Reset by each exact two-pass. */
    double k, s1, s2, m1, m2;
    double ops;
    _Alignas(8) unsigned char data[];
} att_state;

static const vg_qc_opt_spec att_opts[] = {
    {"suspect_threshold", 0, 1e9, "std or range below which the signal is suspect, units"},
    {"fail_threshold", 0, 1e9, "std or range below which the signal fails, units"},
    {"period_s", 1, 31 * 86400.0,
     "trailing window, seconds (at most 131072 x the platform's interval_s)"},
    {"method", 0, 1, "0 = standard deviation (ioos_qc 'std'), 1 = range ('range')"},
    {"min_obs", 0, ATT_MAX_PERIOD, "fewest values in the window to judge it; 0: no minimum"},
};

static bool att_defaults(int p, double *o)
{
    o[0] = o[1] = o[2] = NAN; /* required */
    o[3] = 0;
    o[4] = 0;
    if (p == VG_P_SLEV) { /* QARTOD water level v2.1: range over 12 h */
        o[0] = 0.5;       /* < 0.5 m -> suspect */
        o[1] = 0.1;       /* < 0.1 m -> fail */
        o[2] = 43200;
        o[3] = 1;
    }
    return true;
}

static inline vg_time_us *att_t(att_state *st) { return (vg_time_us *)(void *)st->data; }
static inline double *att_v(att_state *st) { return (double *)(void *)st->data + st->cap; }
static inline uint32_t *att_lo(att_state *st)
{
    return (uint32_t *)(void *)((double *)(void *)st->data + 2 * (size_t)st->cap);
}
static inline uint32_t *att_hi(att_state *st) { return att_lo(st) + st->cap; }

/* Ring capacity for period_s at interval_s: every sample of (t - period_s, t] at the
 * nominal rate, plus 1/16 and 2 for clock jitter, at least ATT_MIN_CAP; 0 beyond
 * ATT_MAX_PERIOD samples per period. */
static uint32_t att_capacity(double period_s, double interval_s)
{
    double need = ceil(period_s / interval_s);
    if (!(need <= ATT_MAX_PERIOD))
        return 0;
    uint32_t n = (uint32_t)need;
    n += n / 16 + 2;
    return n < ATT_MIN_CAP ? ATT_MIN_CAP : n;
}

static size_t att_sized_state(const double *o, double interval_s, void *state, char *why,
                              size_t why_len)
{
    if (isnan(o[2]) || !(interval_s > 0)) /* not evaluated: no window */
        return sizeof(att_state);
    uint32_t cap = att_capacity(o[2], interval_s);
    if (!cap) {
        snprintf(why, why_len,
                 "period_s %g at interval_s %g holds %.0f samples, more than the %u the test "
                 "keeps: shorten period_s or sample less often",
                 o[2], interval_s, ceil(o[2] / interval_s), ATT_MAX_PERIOD);
        return 0;
    }
    if (o[4] > cap) { /* the window could never hold that many: the test would give 0 */
        snprintf(why, why_len,
                 "min_obs %g is more than the %u samples its window keeps (period_s %g at "
                 "interval_s %g): lower min_obs or lengthen period_s",
                 o[4], cap, o[2], interval_s);
        return 0;
    }
    uint32_t range = o[3] >= 0.5;
    size_t bytes = sizeof(att_state) + (size_t)cap * (2 * sizeof(double)) +
                   (range ? (size_t)cap * 2 * sizeof(uint32_t) : 0);
    if (state) {
        att_state *st = state;
        st->cap = cap;
        st->range = range;
        st->period_us = (vg_time_us)llround(o[2] * 1e6);
    }
    return bytes;
}

/* Forget the oldest sample. */
static void att_drop(att_state *st)
{
    uint32_t h = st->head;
    if (st->range) {
        if (st->lo_n && att_lo(st)[st->lo_head] == h) {
            st->lo_head = st->lo_head + 1 == st->cap ? 0 : st->lo_head + 1;
            st->lo_n--;
        }
        if (st->hi_n && att_hi(st)[st->hi_head] == h) {
            st->hi_head = st->hi_head + 1 == st->cap ? 0 : st->hi_head + 1;
            st->hi_n--;
        }
    } else {
        double d = att_v(st)[h] - st->k;
        st->s1 -= d;
        st->s2 -= d * d;
        st->m1 += fabs(d);
        st->m2 += d * d;
        st->ops++;
    }
    st->head = h + 1 == st->cap ? 0 : h + 1;
    st->n--;
}

/* Index of the deque's element i places from its front. */
static inline uint32_t att_at(const att_state *st, uint32_t front, uint32_t i)
{
    uint32_t k = front + i;
    return k >= st->cap ? k - st->cap : k;
}

/* Drop samples at or before `from` (and the oldest when the ring is full: samples faster
 * than the nominal interval), then append (t, v). */
static void att_push(att_state *st, vg_time_us from, vg_time_us t, double v)
{
    const vg_time_us *ts = att_t(st);
    while (st->n && ts[st->head] <= from)
        att_drop(st);
    if (st->n == st->cap)
        att_drop(st);
    uint32_t j = att_at(st, st->head, st->n);
    att_t(st)[j] = t;
    att_v(st)[j] = v;
    st->n++;
    if (st->range) {
        const double *vs = att_v(st);
        uint32_t *lo = att_lo(st), *hi = att_hi(st);
        while (st->lo_n && vs[lo[att_at(st, st->lo_head, st->lo_n - 1)]] >= v)
            st->lo_n--;
        lo[att_at(st, st->lo_head, st->lo_n++)] = j;
        while (st->hi_n && vs[hi[att_at(st, st->hi_head, st->hi_n - 1)]] <= v)
            st->hi_n--;
        hi[att_at(st, st->hi_head, st->hi_n++)] = j;
        return;
    }
    if (st->n == 1) { /* a new window: shift by its first value */
        st->k = v;
        st->s1 = st->s2 = st->m1 = st->m2 = st->ops = 0;
    }
    double d = v - st->k;
    st->s1 += d;
    st->s2 += d * d;
    st->m1 += fabs(d);
    st->m2 += d * d;
    st->ops++;
}

/* The exact standard deviation (ddof 1, two passes from the oldest sample, as the
 * reference of tests/unit/test_qartod.c); resets the running sums from it. n >= 2. */
static double att_std_exact(att_state *st)
{
    const double *vs = att_v(st);
    double sum = 0;
    for (uint32_t i = 0, k = st->head; i < st->n; i++, k = k + 1 == st->cap ? 0 : k + 1)
        sum += vs[k];
    double mean = sum / st->n, ss = 0, s1 = 0, m1 = 0;
    for (uint32_t i = 0, k = st->head; i < st->n; i++, k = k + 1 == st->cap ? 0 : k + 1) {
        double d = vs[k] - mean;
        ss += d * d;
        s1 += d;
        m1 += fabs(d);
    }
    st->k = mean;
    st->s1 = s1;
    st->s2 = ss;
    st->m1 = m1;
    st->m2 = ss;
    st->ops = st->n;
    return sqrt(ss / (st->n - 1));
}

/* Is the std below thr? 1 yes, 0 no, -1 too close to call from the running sums. The
 * running S = s2 - s1^2/n is within err of the true sum of squared deviations (a sum of
 * ops terms is within eps * ops * the sum of their magnitudes: m2 for s2, m1 for s1; the
 * caller doubles it); a margin of 1e-9 relative covers the two-pass's own rounding. */
static int att_below(double S, double err, double n, double thr)
{
    if (thr <= 0)
        return 0; /* a std is never below 0 */
    double T = thr * thr * (n - 1);
    double margin = err + 1e-9 * (T + fabs(S));
    if (S < T - margin)
        return 1;
    if (S > T + margin)
        return 0;
    return -1;
}

static vg_flag att_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    att_state *st = state;
    if (isnan(o[0]) || isnan(o[1]) || isnan(o[2]) || !st->cap)
        return VG_FLAG_NO_QC;
    vg_time_us t = w->cur->time;
    att_push(st, t - st->period_us, t, w->cur->value[p]);
    if (st->n < o[4])
        return VG_FLAG_NO_QC; /* pandas: fewer than min_periods values give NaN */
    uint8_t q;
    if (st->range) {
        const double *vs = att_v(st);
        double x = vs[att_hi(st)[st->hi_head]] - vs[att_lo(st)[st->lo_head]];
        q = x < o[1] ? VG_QARTOD_FAIL : x < o[0] ? VG_QARTOD_SUSPECT : VG_QARTOD_PASS;
        return vg_flag_from_qartod(q);
    }
    if (st->n < 2)
        return VG_FLAG_NO_QC;
    if (st->ops > 8.0 * st->cap) /* keep the error bound small: O(1) amortised */
        att_std_exact(st);
    const double eps = 0x1p-52, n = st->n;
    double S = st->s2 - st->s1 * st->s1 / n;
    /* s2 is within eps * ops * m2 of its true value, s1 within eps * ops * m1 */
    double err = 2 * eps * st->ops * (st->m2 + 2 * fabs(st->s1) * st->m1 / n) + 1e-300;
    int fail = att_below(S, err, n, o[1]);
    int suspect = fail == 1 ? 1 : att_below(S, err, n, o[0]);
    if (fail < 0 || suspect < 0) {
        double x = att_std_exact(st);
        fail = x < o[1];
        suspect = x < o[0];
    }
    q = fail ? VG_QARTOD_FAIL : suspect ? VG_QARTOD_SUSPECT : VG_QARTOD_PASS;
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
    .state_size = 0,
    .sized_state = att_sized_state,
    .run = att_run,
};
