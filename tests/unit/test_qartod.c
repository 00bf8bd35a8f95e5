/* test_qartod.c: the QARTOD tests with ioos_qc semantics (qc/qartod_*.c, ids 16-22): each
 * at its thresholds (just inside, on, just outside), edges, short series whose expected
 * flags are worked out by hand from ioos_qc's code (qartod.py), missing values and gaps
 * through the stream engine, plan errors of the options, and the cost per call at the
 * build's optimisation level. Expected flags are vigie's (QARTOD 1->1, 2->0, 3->3, 4->4). */
#include <math.h>
#include <stdalign.h>
#include <stddef.h>
#include <time.h>

#include "check.h"
#include "qc_cases.h"
#include "core/config.h"
#include "core/flags.h"
#include "qc/plan.h"
#include "qc/qclim.h"
#include "qc/stream.h"
#include "qc/test.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))

static const vg_qc_refs no_refs;
static const vg_time_us t0 = 1768435200 * VG_US_PER_S; /* 2026-01-15T00:00:00Z */

/* State of one (stream, variable), large enough for any test, zeroed per series. */
static alignas(max_align_t) unsigned char state_buf[1 << 22]; /* up to 2^17-sample windows */

static const vg_qc_test *find(const char *name)
{
    const vg_qc_test *t = vg_qc_test_find(name);
    if (!t) {
        fprintf(stderr, "test %s is not registered\n", name);
        exit(1);
    }
    return t;
}

static vg_sample mk(double t_s, double v)
{
    return qc_case_sample(t0, t_s, 43.0, 5.0, v);
}

/* Zero state_buf and lay it out for t with options o on a platform sampling every
 * interval_s seconds, as the engine does (tests whose state grows with their options). */
static void prep_state(const vg_qc_test *t, const double *o, double interval_s)
{
    memset(state_buf, 0, sizeof state_buf);
    if (t->sized_state) {
        char why[200] = "";
        size_t need = t->sized_state(o, interval_s, NULL, why, sizeof why);
        CHECK_MSG(need && need <= sizeof state_buf, "%s: state of %zu bytes: %s", t->name,
                  need, why);
        if (need && need <= sizeof state_buf)
            t->sized_state(o, interval_s, state_buf, why, sizeof why);
    } else {
        CHECK(t->state_size <= sizeof state_buf);
    }
}

/* Run t on TEMP over a series as the engine does: in time order, fresh state, prev and
 * next the neighbours (NULL at the edges), NaN values not run (flag 9). */
static void run_series(const vg_qc_test *t, const double *opts, const double *t_s,
                       const double *v, size_t n, vg_flag *out)
{
    vg_sample s[64];
    CHECK(n <= N_(s));
    prep_state(t, opts, 1);
    for (size_t i = 0; i < n; i++)
        s[i] = mk(t_s[i], v[i]);
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) {
            out[i] = VG_FLAG_MISSING;
            continue;
        }
        vg_qc_window w = {.prev = i ? &s[i - 1] : NULL, .cur = &s[i],
                          .next = i + 1 < n ? &s[i + 1] : NULL, .refs = &no_refs};
        out[i] = t->run(opts, state_buf, &w, VG_P_TEMP);
    }
}

static void check_series(const char *what, const vg_qc_test *t, const double *opts,
                         const double *t_s, const double *v, const vg_flag *want, size_t n)
{
    vg_flag got[64];
    run_series(t, opts, t_s, v, n, got);
    for (size_t i = 0; i < n; i++)
        CHECK_MSG(got[i] == want[i], "%s: sample %zu (value %g): flag %d, want %d", what, i,
                  v[i], got[i], want[i]);
}

/* One value judged alone (no neighbours, fresh state). */
static vg_flag run1(const vg_qc_test *t, const double *opts, double v)
{
    vg_flag f;
    double ts = 0;
    run_series(t, opts, &ts, &v, 1, &f);
    return f;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- registration ---------------------------------------------------------------------- */
static void test_registry(void)
{
    static const struct { const char *name; unsigned id; vg_qc_target target; bool next; } want[] = {
        {"qartod_gross_range", 16, VG_QC_ON_PARAM, false},
        {"qartod_spike", 17, VG_QC_ON_PARAM, true},
        {"qartod_rate_of_change", 18, VG_QC_ON_PARAM, false},
        {"qartod_flat_line", 19, VG_QC_ON_PARAM, false},
        {"qartod_attenuated_signal", 20, VG_QC_ON_PARAM, false},
        {"qartod_time_gap", 21, VG_QC_ON_TIME, false},
        {"qartod_location", 22, VG_QC_ON_POSITION, false},
        {"qartod_climatology", 23, VG_QC_ON_PARAM, false},
    };
    const char *const *names = vg_qc_test_names();
    for (size_t i = 0; i < N_(want); i++) {
        const vg_qc_test *t = find(want[i].name);
        CHECK_MSG(t->id == want[i].id && t->target == want[i].target &&
                      t->needs_next == want[i].next && vg_qc_test_by_id(want[i].id) == t,
                  "%s", want[i].name);
        CHECK(names[want[i].id] && strcmp(names[want[i].id], want[i].name) == 0);
        CHECK(t->n_opts <= VG_QC_MAX_OPTS && t->summary && t->source);
        /* in no default chain but the tide gauges', which has the three with SLEV
         * defaults from QARTOD's water-level manual */
        bool in_tide = strcmp(want[i].name, "qartod_time_gap") == 0 ||
                       strcmp(want[i].name, "qartod_spike") == 0 ||
                       strcmp(want[i].name, "qartod_flat_line") == 0;
        for (int k = 0; k < VG_KIND__COUNT; k++) {
            bool found = false;
            for (const char *const *c = vg_qc_default_chain((vg_platform_kind)k); *c; c++)
                found = found || strcmp(*c, want[i].name) == 0;
            CHECK_MSG(found == (k == VG_KIND_TIDE_GAUGE && in_tide), "%s in kind %d",
                      want[i].name, k);
        }
    }
    CHECK(find("qartod_flat_line")->state_size <= 32);
    /* the attenuated signal's window grows with period_s / interval_s (test_attenuated_*) */
    CHECK(find("qartod_attenuated_signal")->sized_state &&
          !find("qartod_attenuated_signal")->state_size);
}

/* ---- gross range ----------------------------------------------------------------------- */
static void test_gross_range(void)
{
    const vg_qc_test *t = find("qartod_gross_range");
    double d[VG_QC_MAX_OPTS];
    CHECK(t->defaults(VG_P_TEMP, d) && isnan(d[0]) && isnan(d[1]) && d[2] == -1e9 && d[3] == 1e9);
    const double o[] = {-2.5, 40, 0, 30}; /* fail span, suspect span */
    const double lo = -2.5, hi = 40;
    static const struct { double v; int want; } cases[] = {
        {15, 1},
        {0, 1}, {30, 1},                               /* on the suspect bounds: inclusive */
        {-1e-9, 3}, {30.000001, 3},                    /* just outside the suspect span */
        {-2.5, 3}, {40, 3},                            /* on the fail bounds: inclusive */
        {-2.5000001, 4}, {40.000001, 4}, {-1e6, 4}, {INFINITY, 4}, {-INFINITY, 4},
    };
    for (size_t i = 0; i < N_(cases); i++)
        CHECK_MSG(run1(t, o, cases[i].v) == cases[i].want, "value %.9g: %d", cases[i].v,
                  run1(t, o, cases[i].v));
    CHECK(run1(t, o, nextafter(lo, -100)) == 4 && run1(t, o, nextafter(hi, 100)) == 4);
    /* suspect span not given: the defaults are never reached inside the fail span */
    const double only_fail[] = {-2.5, 40, -1e9, 1e9};
    CHECK(run1(t, only_fail, -2.5) == 1 && run1(t, only_fail, 40) == 1);
    CHECK(run1(t, only_fail, 40.1) == 4);
    /* reversed spans are sorted, as ioos_qc does */
    const double rev[] = {40, -2.5, 30, 0};
    CHECK(run1(t, rev, 31) == 3 && run1(t, rev, 41) == 4 && run1(t, rev, 10) == 1);
    /* a step without `parameters:` keeps NaN fail bounds: not evaluated */
    CHECK(run1(t, d, 15) == 0);
}

/* ---- spike ----------------------------------------------------------------------------- */
static void test_spike(void)
{
    const vg_qc_test *t = find("qartod_spike");
    /* thresholds: ref = (V1+V3)/2 = 10; |V2 - 10| vs suspect 0.5 and fail 1.0, strict > */
    const double o[] = {0.5, 1.0, 0};
    static const struct { double v2; int want; } cases[] = {
        {10, 1}, {10.5, 1}, {9.5, 1},          /* on the suspect threshold: passes */
        {10.5000001, 3}, {11, 3}, {9, 3},      /* on the fail threshold: suspect */
        {11.0000001, 4}, {8.9999999, 4}, {1e6, 4},
    };
    const double ts[] = {0, 60, 120};
    for (size_t i = 0; i < N_(cases); i++) {
        double v[] = {9, cases[i].v2, 11};
        vg_flag f[3];
        run_series(t, o, ts, v, 3, f);
        CHECK_MSG(f[0] == 0 && f[2] == 0 && f[1] == cases[i].want, "V2 %.9g: %d", cases[i].v2,
                  f[1]);
    }
    /* ioos_qc average, suspect 0.5, fail 1.0: diff = |x[n] - (x[n-1]+x[n+1])/2| =
     * -, 1, 2, 1, 0.35, 0.7, 0.35, - -> QARTOD 2 3 4 3 1 3 1 2 (first and last: 2) */
    const double t8[] = {0, 60, 120, 180, 240, 300, 360, 420};
    const double x8[] = {0, 0, 2, 0, 0, 0.7, 0, 0};
    const vg_flag avg[] = {0, 3, 4, 3, 1, 3, 1, 0};
    check_series("spike average", t, o, t8, x8, avg, 8);
    /* differential: min(|x[n]-x[n-1]|, |x[n+1]-x[n]|) where the two steps have opposite
     * signs, else 0: -, 0, 2, 0, 0, 0.7, 0, - -> 2 1 4 1 1 3 1 2 */
    const double od[] = {0.5, 1.0, 1};
    const vg_flag dif[] = {0, 1, 4, 1, 1, 3, 1, 0};
    check_series("spike differential", t, od, t8, x8, dif, 8);
    /* a missing neighbour: V2 not evaluated (ioos_qc: 9, see docs); the NaN itself 9 */
    const double xm[] = {0, 0, 2, NAN, 0, 0};
    const vg_flag wm[] = {0, 3, 0, 9, 0, 0};
    check_series("spike missing", t, o, t8, xm, wm, 6);
    /* required thresholds absent (step without parameters): not evaluated */
    double d[VG_QC_MAX_OPTS];
    CHECK(t->defaults(VG_P_TEMP, d) && d[2] == 0);
    const double x3[] = {0, 5, 0};
    vg_flag f[3];
    run_series(t, d, t8, x3, 3, f);
    CHECK(f[1] == 0);
}

/* ---- rate of change -------------------------------------------------------------------- */
static void test_rate_of_change(void)
{
    const vg_qc_test *t = find("qartod_rate_of_change");
    const double o[] = {0.5}; /* units per second */
    /* dt 2 s: a change of 1.0 is exactly 0.5/s (passes, strict >) */
    static const struct { double dv; int want; } cases[] = {
        {0, 1}, {0.999999, 1}, {1.0, 1}, {-1.0, 1}, {1.000001, 3}, {-1.000001, 3}, {1e6, 3},
    };
    const double ts[] = {0, 2};
    for (size_t i = 0; i < N_(cases); i++) {
        double v[] = {10, 10 + cases[i].dv};
        vg_flag f[2];
        run_series(t, o, ts, v, 2, f);
        CHECK_MSG(f[0] == 0 && f[1] == cases[i].want, "dv %.9g: %d", cases[i].dv, f[1]);
    }
    /* ioos_qc, threshold 0.01/s, 10 s apart: roc = |diff| / 10 s =
     * (0), 0.005, 0.025, 0, 0.03, 0.009 -> 1 1 3 1 3 1; vigie gives 0 to the first sample
     * (ioos_qc 1: its roc[0] is set to 0) */
    const double t6[] = {0, 10, 20, 30, 40, 50};
    const double x6[] = {10, 10.05, 10.3, 10.3, 10.0, 10.09};
    const double o6[] = {0.01};
    const vg_flag w6[] = {0, 1, 3, 1, 3, 1};
    check_series("rate_of_change", t, o6, t6, x6, w6, 6);
    /* irregular times: the rate uses the real interval (0.3 in 60 s passes, in 20 s fails) */
    const double ti[] = {0, 60, 80};
    const double xi[] = {10, 10.3, 10.6};
    const vg_flag wi[] = {0, 1, 3};
    check_series("rate_of_change irregular", t, o6, ti, xi, wi, 3);
    /* after a missing value: not evaluated (ioos_qc: 1) */
    const double xm[] = {10, NAN, 20, 20};
    const vg_flag wm[] = {0, 9, 0, 1};
    check_series("rate_of_change missing", t, o6, t6, xm, wm, 4);
}

/* ---- flat line ------------------------------------------------------------------------- */
static void test_flat_line(void)
{
    const vg_qc_test *t = find("qartod_flat_line");
    /* suspect 180 s, fail 300 s, tolerance 0.01, one sample a minute */
    const double o[] = {180, 300, 0.01};
    const double t12[] = {0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 660};
    /* ioos_qc: median interval 60 s, counts 180/60 = 3 and 300/60 = 5; sample i is flagged
     * when the range of x[i-count..i] (count+1 values) is < tolerance:
     * suspect at 4,5,6,7 and 11; fail at 6,7 -> 1 1 1 1 3 3 4 4 1 1 1 3. vigie: the run of
     * 2.0 starts at t=60 and lasts 180 s at t=240 (3), 300 s at t=360 (4); the run of 3.0
     * starts at t=480 and lasts 180 s at t=660 -- the same flags. */
    const double x12[] = {1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3};
    const vg_flag w12[] = {1, 1, 1, 1, 3, 3, 4, 4, 1, 1, 1, 3};
    check_series("flat_line ioos_qc series", t, o, t12, x12, w12, 12);
    /* within tolerance: changes of 0.009 keep the run (range 0.009 < 0.01); a range of
     * exactly the tolerance breaks it (ioos_qc: range < tolerance, strict) */
    const double xt[] = {5, 5.009, 5, 5.009, 5, 5.009, 5.019};
    const vg_flag wt[] = {1, 1, 1, 3, 3, 4, 1};
    check_series("flat_line tolerance", t, o, t12, xt, wt, 7);
    const double oe[] = {180, 300, 0.25}; /* 5.25 - 5 is exactly 0.25 in binary */
    const double xe[] = {5, 5.25, 5, 5.25, 5};
    const vg_flag we[] = {1, 1, 1, 1, 1};
    check_series("flat_line on tolerance", t, oe, t12, xe, we, 5);
    /* tolerance 0 (ioos_qc's default): a range is never < 0, nothing is flagged */
    const double o0[] = {180, 300, 0};
    const double xc[] = {7, 7, 7, 7, 7, 7, 7};
    const vg_flag wc[] = {1, 1, 1, 1, 1, 1, 1};
    check_series("flat_line tolerance 0", t, o0, t12, xc, wc, 7);
    /* Where vigie differs: a slow drift. Tolerance 0.25, values 0, .2, .2, .2, .2, .4:
     * ioos_qc's window x[2..5] = .2 .2 .2 .4 (range .2) flags sample 5 suspect; vigie's run
     * {0 .. .2} breaks at .4 and restarts at the pair {.2, .4} (60 s): 1. vigie's run is
     * always a trailing stretch within tolerance, so it never flags where ioos_qc does not
     * (regular sampling, thresholds multiple of the interval). */
    const double od[] = {180, 3600, 0.25};
    const double xd[] = {0, 0.2, 0.2, 0.2, 0.2, 0.4};
    const vg_flag wd[] = {1, 1, 1, 3, 3, 1}; /* ioos_qc: 1 1 1 3 3 3 */
    check_series("flat_line drift", t, od, t12, xd, wd, 6);
    /* a missing value does not break the run; a gap (prev NULL) does: see test_stream */
    const double xm[] = {2, 2, NAN, 2, 2, 2};
    const vg_flag wm[] = {1, 1, 9, 3, 3, 4};
    check_series("flat_line missing", t, o, t12, xm, wm, 6);
}

/* The run update written plainly, with branches (qc/qartod_flat_line.c before it was made
 * branch-free for speed): the optimised test must give the same flag on every sample. */
typedef struct ref_flat_state {
    double lo, hi;
    vg_time_us since;
    int have;
} ref_flat_state;

static vg_flag ref_flat_run(const double *o, ref_flat_state *st, const vg_qc_window *w, int p)
{
    if (isnan(o[0]) || isnan(o[1]) || isnan(o[2]))
        return VG_FLAG_NO_QC;
    const double tol = o[2], v = w->cur->value[p];
    const bool have_prev = st->have && w->prev;
    const double u = have_prev ? w->prev->value[p] : v;
    const double lo = v < st->lo ? v : st->lo, hi = v > st->hi ? v : st->hi;
    if (have_prev && hi - lo < tol) { /* the run goes on */
        st->lo = lo;
        st->hi = hi;
    } else if (have_prev && !isnan(u) && fabs(v - u) < tol) { /* restart at the pair */
        st->lo = u < v ? u : v;
        st->hi = u < v ? v : u;
        st->since = w->prev->time;
    } else { /* restart at v */
        st->lo = st->hi = v;
        st->since = w->cur->time;
    }
    st->have = 1;
    const double run_s = (double)(w->cur->time - st->since) / 1e6;
    if (!(st->hi - st->lo < tol))
        return VG_FLAG_GOOD;
    return run_s >= o[1] ? VG_FLAG_BAD : run_s >= o[0] ? VG_FLAG_PROBABLY_BAD : VG_FLAG_GOOD;
}

/* Long pseudo-random series against ref_flat_run: values on a grid of the tolerance (ties on
 * the bound), noise, steps, missing values, infinities, signed zeros, gaps (prev NULL),
 * several tolerances (0 included), thresholds in either order and of 0 s (outside the
 * range the plan accepts, but the test must still give the same flags). */
static void test_flat_line_reference(void)
{
    const vg_qc_test *t = find("qartod_flat_line");
    static const double opts[][3] = {
        {5, 10, 0.25}, {3, 3, 0.5}, {10, 4, 0.25}, {2, 6, 0}, {1, 2, 1e-3}, {4, 9, 1}, {0, 3, 0.5},
    };
    uint32_t x = 2463534242u;
    unsigned n_diff = 0, seen[10] = {0};
    for (size_t k = 0; k < N_(opts); k++) {
        const double *o = opts[k];
        ref_flat_state ref = {0};
        memset(state_buf, 0, sizeof state_buf);
        vg_sample prev_s = {0}, cur_s;
        bool have_prev_s = false;
        double level = 0;
        vg_time_us now = t0;
        for (int i = 0; i < 200000; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            const unsigned r = x % 1000;
            double v;
            if (r < 30) /* a step */
                level = (double)(int)(x >> 16 & 15) * 0.25;
            if (r < 400) /* on the grid: exact ties with tolerances 0.25, 0.5, 1 */
                v = level + (double)(int)(x >> 10 & 3) * 0.125;
            else if (r < 900) /* noise near the level */
                v = level + ((double)(x >> 8 & 1023) - 512) * 1e-5;
            else if (r < 960)
                v = level;
            else if (r < 975)
                v = NAN;
            else if (r < 980)
                v = (x & 1) ? INFINITY : -INFINITY;
            else
                v = (x & 1) ? 0.0 : -0.0;
            if (i == 0 && k % 2) /* a state never updated, then a previous sample */
                v = NAN;
            /* 1 s apart, or 0.5 s; now and then a gap, where the engine passes no previous
             * sample */
            const bool gap = r % 97 == 0;
            now += gap ? 100 * VG_US_PER_S : (x >> 20 & 1) ? VG_US_PER_S / 2 : VG_US_PER_S;
            cur_s = mk(0, v);
            cur_s.time = now;
            if (!isnan(v)) {
                vg_qc_window w = {.prev = have_prev_s && !gap ? &prev_s : NULL, .cur = &cur_s,
                                  .refs = &no_refs};
                vg_flag want = ref_flat_run(o, &ref, &w, VG_P_TEMP);
                vg_flag got = t->run(o, state_buf, &w, VG_P_TEMP);
                seen[got < 10 ? got : 0]++;
                if (got != want && n_diff++ < 5)
                    CHECK_MSG(got == want, "options %g %g %g, sample %d (value %g): flag %d, want %d",
                              o[0], o[1], o[2], i, v, got, want);
            }
            prev_s = cur_s;
            have_prev_s = true;
        }
    }
    CHECK_MSG(n_diff == 0, "%u flags differ from the plain run update", n_diff);
    printf("flat_line against the plain run update: %u x 1, %u x 3, %u x 4, %u differ\n",
           seen[VG_FLAG_GOOD], seen[VG_FLAG_PROBABLY_BAD], seen[VG_FLAG_BAD], n_diff);
    /* the series reach every outcome, or the comparison proves little */
    CHECK(seen[VG_FLAG_GOOD] > 1000 && seen[VG_FLAG_PROBABLY_BAD] > 1000 && seen[VG_FLAG_BAD] > 1000);
}

/* ---- attenuated signal ----------------------------------------------------------------- */
static void test_attenuated(void)
{
    const vg_qc_test *t = find("qartod_attenuated_signal");
    const double t8[] = {0, 60, 120, 180, 240, 300, 360, 420};
    const double x8[] = {0, 1, 1, 1, 1, 1, 1.2, 1.2};
    /* range (method 1), period 300 s, suspect 0.5, fail 0.1: pandas rolling('300s') holds
     * (t-300, t]: ranges 0, 1, 1, 1, 1, 0 (t=0 left), 0.2, 0.2 -> 4 1 1 1 1 4 3 3 */
    const double orng[] = {0.5, 0.1, 300, 1, 0};
    const vg_flag wr[] = {4, 1, 1, 1, 1, 4, 3, 3};
    check_series("attenuated range", t, orng, t8, x8, wr, 8);
    /* std (method 0, ddof 1 as pandas): NaN (one value), .707, .577, .5 (on the suspect
     * threshold: passes), .447, 0, .089, .110 -> 2 1 1 1 3 4 4 3 */
    const double ostd[] = {0.5, 0.1, 300, 0, 0};
    const vg_flag ws[] = {0, 1, 1, 1, 3, 4, 4, 3};
    check_series("attenuated std", t, ostd, t8, x8, ws, 8);
    /* on the fail threshold: a range of exactly 0.1 is suspect, not fail (< is strict) */
    const double xf[] = {1, 1.125, 1.125}; /* 0.125: exact in binary */
    const double of[] = {0.5, 0.125, 300, 1, 0};
    const vg_flag wf[] = {4, 3, 3};
    check_series("attenuated on fail", t, of, t8, xf, wf, 3);
    /* missing values are skipped by the window, as pandas rolling skips NaN */
    const double xm[] = {0, NAN, 1, 1, 1, 1, 1};
    const vg_flag wm[] = {4, 9, 1, 1, 1, 4, 4};
    check_series("attenuated missing", t, orng, t8, xm, wm, 7);
    /* min_obs (pandas' min_periods): fewer values in the window -> not evaluated (0) */
    const double omin[] = {0.5, 0.1, 300, 1, 3};
    const vg_flag wmin[] = {0, 0, 1, 1, 1, 4, 3, 3};
    check_series("attenuated min_obs", t, omin, t8, x8, wmin, 8);
    const double xmin[] = {0, NAN, 1, 1, 1, 1, 1}; /* a missing value does not count */
    const vg_flag wmin2[] = {0, 9, 0, 1, 1, 4, 4};
    check_series("attenuated min_obs missing", t, omin, t8, xmin, wmin2, 7);
}

/* The reference: ioos_qc's rolling window, straightforwardly. Flag of sample i from the
 * values of (t[i] - period, t[i]] that are not NaN: two-pass std (ddof 1) or range. */
static vg_flag ref_attenuated(const double *o, const vg_time_us *ts, const double *v, size_t i)
{
    vg_time_us from = ts[i] - (vg_time_us)llround(o[2] * 1e6);
    size_t j = i;
    while (j > 0 && ts[j - 1] > from)
        j--;
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    size_t n = 0;
    for (size_t k = j; k <= i; k++) {
        if (isnan(v[k]))
            continue;
        lo = fmin(lo, v[k]);
        hi = fmax(hi, v[k]);
        sum += v[k];
        n++;
    }
    if (n < o[4])
        return VG_FLAG_NO_QC;
    double x;
    if (o[3] >= 0.5) {
        x = hi - lo;
    } else {
        if (n < 2)
            return VG_FLAG_NO_QC;
        double mean = sum / (double)n, ss = 0;
        for (size_t k = j; k <= i; k++)
            if (!isnan(v[k]))
                ss += (v[k] - mean) * (v[k] - mean);
        x = sqrt(ss / (double)(n - 1));
    }
    return vg_flag_from_qartod(x < o[1] ? VG_QARTOD_FAIL
                               : x < o[0] ? VG_QARTOD_SUSPECT
                                          : VG_QARTOD_PASS);
}

/* The O(1) window (deques, running sums with exact two-pass near a threshold) against the
 * reference on long random series: runs of grid values that tie the thresholds exactly
 * (range 0.25, 0.5; std of two grid values 0.5 apart: sqrt(0.125)), noise, a large
 * offset, spikes of 1e6 that leave the window (cancellation in running sums), NaN, gaps
 * shorter and longer than the period; both methods, with and without min_obs. */
static void test_attenuated_reference(void)
{
    const vg_qc_test *t = find("qartod_attenuated_signal");
    const double tie = sqrt(0.125); /* the two-pass std of {a, a + 0.5}, a on the grid */
    static const double opts[][5] = {
        {0.5, 0.25, 10, 1, 0},     {0.5, 0.25, 10, 1, 4},      {0.5, 0.25, 300, 1, 0},
        {tie, 0.125, 3, 0, 0},     {0.5, tie, 2, 0, 0},        {0.3, 0.01, 10, 0, 0},
        {0.3, 0.01, 300, 0, 50},   {1e-3, 0, 60, 0, 0},        {tie, 0.125, 7, 0, 3},
    };
    enum { N = 60000 };
    static vg_time_us ts[N];
    static double v[N];
    uint32_t x = 88172645u;
    for (size_t k = 0; k < N_(opts); k++) {
        const double *o = opts[k];
        double level = 10, dt = 1; /* the nominal interval */
        vg_time_us now = t0;
        for (size_t i = 0; i < N; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            unsigned r = x % 1000, regime = (unsigned)(i / 2000) % 4;
            if (r < 3) /* a gap, shorter or longer than the period */
                now += (vg_time_us)((double)(x >> 12 & 511) * 1e6);
            now += (vg_time_us)((r % 7 == 0 ? 2 : 1) * dt * 1e6);
            ts[i] = now;
            if (r < 10)
                level = (double)(int)(x >> 16 & 15) * 0.25;
            if (r >= 990)
                v[i] = NAN;
            else if (r >= 985)
                v[i] = level + 1e6; /* a spike */
            else if (regime == 0) /* on the grid: exact ties */
                v[i] = level + (double)(int)(x >> 10 & 1) * 0.5;
            else if (regime == 1) /* mostly flat, sometimes a grid step */
                v[i] = level + (r < 200 ? 0.25 : 0);
            else if (regime == 2) /* noise near the thresholds */
                v[i] = level + ((double)(x >> 8 & 1023) - 512) * 6e-4;
            else /* a large offset and small noise */
                v[i] = 12345.678 + ((double)(x >> 8 & 1023) - 512) * 1e-5;
        }
        prep_state(t, o, dt);
        unsigned n_diff = 0, seen[10] = {0};
        for (size_t i = 0; i < N; i++) {
            if (isnan(v[i]))
                continue; /* the engine flags it 9 and never calls run */
            vg_sample s = mk(0, v[i]);
            s.time = ts[i];
            vg_qc_window w = {.cur = &s, .refs = &no_refs};
            vg_flag got = t->run(o, state_buf, &w, VG_P_TEMP), want = ref_attenuated(o, ts, v, i);
            seen[got]++;
            if (got != want && n_diff++ < 5)
                CHECK_MSG(false, "attenuated options %zu, sample %zu (value %.17g): flag %d, "
                          "reference %d", k, i, v[i], got, want);
        }
        CHECK_MSG(n_diff == 0, "attenuated options %zu: %u flags differ from the reference", k,
                  n_diff);
        printf("attenuated vs reference, options %zu: %u samples, flags 0:%u 1:%u 3:%u 4:%u\n", k,
               N, seen[0], seen[1], seen[3], seen[4]);
        /* each series reaches pass, suspect and fail, or the comparison proves little */
        CHECK_MSG(seen[1] > 50 && seen[3] > 50 && (seen[4] > 100 || o[1] == 0),
                  "attenuated options %zu: outcomes 1:%u 3:%u 4:%u", k, seen[1], seen[3],
                  seen[4]);
    }
}

/* 1-minute data and a 12 h window (the water-level default period): the window holds all
 * 720 samples of the period; the former fixed ring of 128 judged only the last 128 (2 h
 * 8 min) and flagged 4 by the range from sample 228 on, where ioos_qc passes. */
static void test_attenuated_12h(void)
{
    const vg_qc_test *t = find("qartod_attenuated_signal");
    enum { N = 1000 };
    static vg_time_us ts[N];
    static double v[N];
    for (int i = 0; i < N; i++) {
        ts[i] = t0 + (vg_time_us)i * 60 * VG_US_PER_S;
        v[i] = i < 100 ? (i % 2) : 1.0; /* varying, then flat */
    }
    for (int method = 0; method < 2; method++) {
        const double o12[] = {0.5, 0.1, 43200, method, 0};
        prep_state(t, o12, 60);
        vg_flag f[N];
        for (int i = 0; i < N; i++) {
            vg_sample s = mk(60.0 * i, v[i]);
            vg_qc_window w = {.cur = &s, .refs = &no_refs};
            f[i] = t->run(o12, state_buf, &w, VG_P_TEMP);
            CHECK_MSG(f[i] == ref_attenuated(o12, ts, v, (size_t)i),
                      "12 h window, method %d, sample %d: flag %d, reference %d", method, i,
                      f[i], ref_attenuated(o12, ts, v, (size_t)i));
        }
        if (method == 1) {
            /* the last 0 is sample 98 (t = 98 min); it leaves (t - 720 min, t] at sample
             * 818: the range is 1 up to 817, 0 from 818 on */
            for (int i = 1; i < N; i++)
                CHECK_MSG(f[i] == (i < 818 ? 1 : 4), "12 h range, sample %d: flag %d", i, f[i]);
        }
    }
}

/* A window longer than 2^17 samples at the platform's interval is refused, with a reason
 * naming the options; 12 h of 1 Hz data fit. */
static void test_attenuated_capacity(void)
{
    const vg_qc_test *t = find("qartod_attenuated_signal");
    char why[200] = "";
    const double o12[] = {0.5, 0.1, 43200, 0, 0}, orng[] = {0.5, 0.1, 43200, 1, 0};
    size_t std_b = t->sized_state(o12, 1, NULL, why, sizeof why);
    size_t rng_b = t->sized_state(orng, 1, NULL, why, sizeof why);
    printf("attenuated state, 12 h at 1 Hz: std %zu B, range %zu B\n", std_b, rng_b);
    CHECK(std_b > 43200 * 16 && std_b < 48000 * 16);
    CHECK(rng_b > 43200 * 24 && rng_b < 48000 * 24);
    const double o3d[] = {0.5, 0.1, 3 * 86400, 0, 0};
    CHECK(t->sized_state(o3d, 1, NULL, why, sizeof why) == 0);
    CHECK_MSG(strstr(why, "period_s 259200") && strstr(why, "131072"), "why: %s", why);
    CHECK(t->sized_state(o3d, 2, NULL, why, sizeof why) > 0); /* 129600 samples */
    /* a min_obs the window can never hold would make every flag 0: refused */
    const double omin[] = {0.5, 0.1, 3600, 0, 200}, omin_ok[] = {0.5, 0.1, 3600, 0, 60};
    why[0] = '\0';
    CHECK(t->sized_state(omin, 60, NULL, why, sizeof why) == 0);
    CHECK_MSG(strstr(why, "min_obs 200 is more than the"), "why: %s", why);
    CHECK(t->sized_state(omin_ok, 60, NULL, why, sizeof why) > 0);
}

/* ---- time gap and location ------------------------------------------------------------- */
static void test_time_gap(void)
{
    const vg_qc_test *t = find("qartod_time_gap");
    double o[VG_QC_MAX_OPTS];
    CHECK(t->defaults(-1, o) && o[0] == 3600);
    o[0] = 120;
    const double ts[] = {0, 60, 180, 300.000001, 400, 100000};
    const int want[] = {0, 1, 1, 4, 1, 4}; /* 120 s exactly passes, just above fails */
    memset(state_buf, 0, sizeof state_buf);
    for (size_t i = 0; i < N_(ts); i++) {
        vg_sample s = mk(ts[i], 1);
        vg_qc_window w = {.cur = &s, .refs = &no_refs}; /* prev not needed: state */
        int f = t->run(o, state_buf, &w, -1);
        CHECK_MSG(f == want[i], "t %g: %d", ts[i], f);
    }
}

static void test_location(void)
{
    const vg_qc_test *t = find("qartod_location");
    double o[VG_QC_MAX_OPTS];
    CHECK(t->defaults(-1, o) && o[0] == -180 && o[1] == -90 && o[2] == 180 && o[3] == 90);
    const double box[] = {-10, 40, 10, 50, 0}; /* lon_min, lat_min, lon_max, lat_max, range_max */
    static const struct { double lat, lon; int want; } cases[] = {
        {45, 0, 1}, {40, -10, 1}, {50, 10, 1}, {40, 10, 1}, /* corners: inclusive */
        {39.999999, 0, 4}, {50.000001, 0, 4}, {45, -10.000001, 4}, {45, 10.000001, 4},
        {NAN, NAN, 9}, {NAN, 0, 4}, {45, NAN, 4}, /* ioos_qc: one coordinate missing fails */
        {NAN, 20, 4},
    };
    for (size_t i = 0; i < N_(cases); i++) {
        vg_sample s = mk(0, 1);
        s.lat_deg = cases[i].lat, s.lon_deg = cases[i].lon;
        vg_qc_window w = {.cur = &s, .refs = &no_refs};
        int f = t->run(box, NULL, &w, -1);
        CHECK_MSG(f == cases[i].want, "case %zu: %d", i, f);
    }
    vg_sample s = mk(0, 1);
    s.lat_deg = 90, s.lon_deg = -180;
    vg_qc_window w = {.cur = &s, .refs = &no_refs};
    CHECK(o[4] == 0 && t->run(o, NULL, &w, -1) == 1);
    s.lon_deg = 180.5;
    CHECK(t->run(o, NULL, &w, -1) == 4);
    /* range_max: great-circle distance from the previous position, metres; 1 degree of
     * latitude is 111,195 m on vigie's sphere */
    const double rm[] = {-180, -90, 180, 90, 111000};
    vg_sample a = mk(0, 1), b = mk(60, 1);
    a.lat_deg = 10, a.lon_deg = 0, b.lat_deg = 11, b.lon_deg = 0;
    vg_qc_window wr = {.prev = &a, .cur = &b, .refs = &no_refs};
    CHECK(t->run(rm, NULL, &wr, -1) == 3);
    b.lat_deg = 10.998;
    CHECK(t->run(rm, NULL, &wr, -1) == 1); /* 110,973 m */
    b.lat_deg = 11, b.lon_deg = 181;    /* outside the box: 4 wins over 3 */
    CHECK(t->run(rm, NULL, &wr, -1) == 4);
    b.lon_deg = 0, a.lat_deg = NAN;     /* no previous position: not judged on distance */
    CHECK(t->run(rm, NULL, &wr, -1) == 1);
    wr.prev = NULL;
    a.lat_deg = 10;
    CHECK(t->run(rm, NULL, &wr, -1) == 1);
}

/* ---- climatology: the calendar periods and the windows (qc/qclim.c) ---------------------- */
static vg_time_us iso(const char *s)
{
    vg_time_us t = VG_TIME_NONE;
    vg_errinfo err;
    CHECK_MSG(vg_time_parse_iso8601(s, strlen(s), &t, NULL, &err) == VG_OK, "%s", s);
    return t;
}

static void test_climatology(void)
{
    /* One window [x, x] of a period: the time is in it iff its attribute is x (pandas). */
    static const struct { const char *time; vg_qclim_period period; double x; } cases[] = {
        {"2021-01-03T12:00:00Z", VG_QCLIM_WEEK, 53}, /* a Sunday: ISO week 53 of 2020 */
        {"2021-01-04T00:00:00Z", VG_QCLIM_WEEK, 1},
        {"2020-12-31T00:00:00Z", VG_QCLIM_WEEK, 53},
        {"2024-12-30T00:00:00Z", VG_QCLIM_WEEK, 1},  /* ISO week 1 of 2025 */
        {"2026-01-01T00:00:00Z", VG_QCLIM_WEEK, 1},  /* a Thursday */
        {"2027-01-01T00:00:00Z", VG_QCLIM_WEEK, 53}, /* a Friday: 2026 has 53 weeks */
        {"2022-01-01T00:00:00Z", VG_QCLIM_WEEK, 52}, /* a Saturday: 2021 has 52 */
        {"2026-11-29T23:59:59Z", VG_QCLIM_DAYOFWEEK, 6}, /* a Sunday; Monday is 0 */
        {"2026-11-30T00:00:00Z", VG_QCLIM_DAYOFWEEK, 0},
        {"1969-12-31T00:00:00Z", VG_QCLIM_DAYOFWEEK, 2}, /* a Wednesday, before 1970 */
        {"2024-12-31T00:00:00Z", VG_QCLIM_DAYOFYEAR, 366},
        {"2025-03-01T00:00:00Z", VG_QCLIM_DAYOFYEAR, 60},
        {"2025-03-31T00:00:00Z", VG_QCLIM_QUARTER, 1},
        {"2025-04-01T00:00:00Z", VG_QCLIM_QUARTER, 2},
        {"2025-04-01T00:00:00Z", VG_QCLIM_MONTH, 4},
        {"2025-04-01T00:00:00Z", VG_QCLIM_DAY, 1},
        {"2025-04-01T17:42:00Z", VG_QCLIM_HOUR, 17},
        {"2025-04-01T17:42:00Z", VG_QCLIM_MINUTE, 42},
        {"2025-04-01T17:42:00Z", VG_QCLIM_YEAR, 2025},
    };
    for (size_t i = 0; i < N_(cases); i++) {
        vg_qclim_window win[1] = {{.period = cases[i].period, .t_lo = cases[i].x,
                                   .t_hi = cases[i].x, .v_lo = 0, .v_hi = 1, .f_lo = NAN,
                                   .f_hi = NAN, .z_lo = NAN, .z_hi = NAN}};
        vg_qclim_table tb = {win, 1};
        vg_time_us t = iso(cases[i].time);
        CHECK_MSG(vg_qclim_judge(&tb, t, NAN, 0.5) == 1, "case %zu: %s not in %g", i,
                  cases[i].time, cases[i].x);
        win[0].t_lo = win[0].t_hi = cases[i].x + 1;
        CHECK_MSG(vg_qclim_judge(&tb, t, NAN, 0.5) == 2, "case %zu: %s in %g", i,
                  cases[i].time, cases[i].x + 1);
    }
    /* bounds are inclusive; the last window that applies decides */
    vg_qclim_window win[2] = {
        {.period = VG_QCLIM_DATES, .d_lo = iso("2025-01-01"), .d_hi = iso("2025-02-01"),
         .v_lo = 10, .v_hi = 20, .f_lo = 0, .f_hi = 30, .z_lo = NAN, .z_hi = NAN},
        {.period = VG_QCLIM_MONTH, .t_lo = 2, .t_hi = 2, .v_lo = 0, .v_hi = 1, .f_lo = NAN,
         .f_hi = NAN, .z_lo = NAN, .z_hi = NAN},
    };
    vg_qclim_table tb = {win, 2};
    CHECK(vg_qclim_judge(&tb, iso("2025-01-01"), NAN, 10) == 1);
    CHECK(vg_qclim_judge(&tb, iso("2025-01-01"), NAN, 20) == 1);
    CHECK(vg_qclim_judge(&tb, iso("2025-01-01"), NAN, 20.001) == 3);
    CHECK(vg_qclim_judge(&tb, iso("2025-01-01"), NAN, 30) == 3);
    CHECK(vg_qclim_judge(&tb, iso("2025-01-01"), NAN, 30.001) == 4);
    CHECK(vg_qclim_judge(&tb, iso("2024-12-31T23:59:59.999999Z"), NAN, 15) == 2);
    CHECK(vg_qclim_judge(&tb, iso("2025-02-01"), NAN, 15) == 3); /* both; month 2 wins */
    CHECK(vg_qclim_judge(&tb, iso("2025-02-01T00:00:01Z"), NAN, 0.5) == 1);
    CHECK(vg_qclim_judge(&tb, iso("2025-01-15"), 5, 15) == 2); /* a depth: no zspan window */
    win[0].z_lo = 0, win[0].z_hi = 10;
    CHECK(vg_qclim_judge(&tb, iso("2025-01-15"), 10, 25) == 3);
    CHECK(vg_qclim_judge(&tb, iso("2025-01-15"), 10.5, 25) == 2);
    CHECK(vg_qclim_judge(&tb, iso("2025-01-15"), NAN, 25) == 2);
}

/* ---- through the engine: missing values, gaps, configuration ---------------------------- */
typedef struct sink {
    vg_sample out[64];
    int n;
} sink;

static void collect(void *ctx, const vg_sample *s)
{
    sink *k = ctx;
    if (k->n < 64)
        k->out[k->n++] = *s;
}

static const char *stream_yaml =
    "storage: {path: /tmp/unused}\n"
    "platforms:\n  - {id: MOOR, kind: mooring, interval_s: 60, parameters: [TEMP, PSAL]}\n"
    "qc:\n  max_gap_factor: 5\n  chains:\n    mooring:\n"
    "      - test: qartod_gross_range\n"
    "        parameters: {TEMP: {fail_min: -2.5, fail_max: 40, suspect_min: 0, suspect_max: 30}}\n"
    "      - test: qartod_spike\n        parameters: {TEMP: {suspect_threshold: 0.5, fail_threshold: 1}}\n"
    "      - test: qartod_rate_of_change\n        parameters: {TEMP: {threshold: 0.01}}\n"
    "      - test: qartod_flat_line\n"
    "        parameters: {TEMP: {suspect_threshold_s: 180, fail_threshold_s: 300, tolerance: 0.01}}\n"
    "      - test: qartod_attenuated_signal\n"
    "        parameters: {TEMP: {suspect_threshold: 0.05, fail_threshold: 0.001, period_s: 600}}\n"
    "      - test: qartod_time_gap\n        options: {max_gap_s: 120}\n"
    "      - test: qartod_location\n        options: {lon_min: 0, lat_min: 40, lon_max: 10, lat_max: 50}\n";

static void test_stream(void)
{
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    if (vg_config_load_string(stream_yaml, strlen(stream_yaml), "q.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK) {
        CHECK_MSG(0, "%s", err.text);
        vg_config_free(cfg);
        return;
    }
    const vg_qc_chain *ch = &plan->chains[VG_KIND_MOORING];
    CHECK(ch->n_steps == 7);
    CHECK(ch->steps[0].params == VG_PARAM_BIT(VG_P_TEMP) && ch->steps[0].opts[VG_P_TEMP][3] == 30);
    CHECK(ch->steps[1].opts[VG_P_TEMP][2] == 0); /* method defaults to average */
    CHECK(ch->steps[4].opts[VG_P_TEMP][3] == 0);
    vg_qc_stream *st;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) == VG_OK);
    static sink k;
    k.n = 0;
    /* 0..5 regular, 6 missing TEMP, 7..8, then a 200 s gap (< 5 x 60: still neighbours),
     * then a 1000 s gap (not neighbours), then a sample outside the box */
    const double ts[] = {0, 60, 120, 180, 240, 300, 360, 420, 480, 680, 1680, 1740, 1800};
    const double xs[] = {10, 10.2, 13, 10.2, 10.25, 10.3, NAN, 10.3, 10.3, 31, 10, 10, 10};
    for (size_t i = 0; i < N_(ts); i++) {
        vg_sample s = mk(ts[i], xs[i]);
        vg_sample_set(&s, VG_P_PSAL, 38.0);
        if (i == 12)
            s.lon_deg = -1;
        CHECK(vg_qc_stream_push(st, &s, 0, collect, &k, &err) == VG_OK);
    }
    vg_qc_stream_flush(st, collect, &k);
    CHECK(k.n == (int)N_(ts));
    const int gr = 16, sp = 17, roc = 18, fl = 19, att = 20, gap = 21, loc = 22;
    const vg_qc_flags *q6 = &k.out[6].qc[VG_P_TEMP];
    CHECK(q6->agg == 9);
    for (int id = gr; id <= att; id++)
        CHECK_MSG(q6->test[id] == 0, "test %d ran on a missing value", id);
    CHECK(k.out[6].time_qc.test[gap] == 1 && k.out[6].pos_qc.test[loc] == 1);
    /* PSAL is configured but no QARTOD test lists it */
    for (int id = gr; id <= att; id++)
        CHECK(k.out[3].qc[VG_P_PSAL].test[id] == 0);
    CHECK(k.out[0].qc[VG_P_PSAL].agg == 0);
    CHECK(k.out[3].qc[VG_P_PSAL].agg == 4); /* inherits TEMP's 4 (spike 1.425 > 1) */
    /* spike at 13 (average of neighbours 10.1: 2.9 > 1): 4; its neighbours 1.4 -> 4 */
    CHECK(k.out[2].qc[VG_P_TEMP].test[sp] == 4 && k.out[2].qc[VG_P_TEMP].agg == 4);
    CHECK(k.out[0].qc[VG_P_TEMP].test[sp] == 0);           /* first */
    CHECK(k.out[5].qc[VG_P_TEMP].test[sp] == 0);           /* next is missing */
    CHECK(k.out[7].qc[VG_P_TEMP].test[sp] == 0);           /* prev is missing */
    CHECK(k.out[12].qc[VG_P_TEMP].test[sp] == 0);          /* last */
    /* rate of change: 0.2 in 60 s = 0.0033/s passes; 2.8 in 60 s fails (3) */
    CHECK(k.out[1].qc[VG_P_TEMP].test[roc] == 1 && k.out[2].qc[VG_P_TEMP].test[roc] == 3);
    CHECK(k.out[0].qc[VG_P_TEMP].test[roc] == 0 && k.out[7].qc[VG_P_TEMP].test[roc] == 0);
    CHECK(k.out[9].qc[VG_P_TEMP].test[roc] == 3);  /* 20.7 in 200 s */
    CHECK(k.out[10].qc[VG_P_TEMP].test[roc] == 0); /* after a gap: no prev */
    /* gross range: 31 is suspect */
    CHECK(k.out[9].qc[VG_P_TEMP].test[gr] == 3 && k.out[4].qc[VG_P_TEMP].test[gr] == 1);
    /* flat line: 10.3 from t=300 across the missing value: 180 s at t=480 -> 3 */
    CHECK(k.out[8].qc[VG_P_TEMP].test[fl] == 3);
    CHECK(k.out[12].qc[VG_P_TEMP].test[fl] == 1); /* the gap restarted the run at t=1680 */
    /* time gap: 200 s and 1000 s > 120 s */
    CHECK(k.out[9].time_qc.test[gap] == 4 && k.out[9].time_qc.agg == 4);
    CHECK(k.out[10].time_qc.test[gap] == 4 && k.out[11].time_qc.test[gap] == 1);
    CHECK(k.out[0].time_qc.test[gap] == 0);
    /* attenuated: the first value alone has std NaN: 0 */
    CHECK(k.out[0].qc[VG_P_TEMP].test[att] == 0 && k.out[3].qc[VG_P_TEMP].test[att] == 1);
    /* location */
    CHECK(k.out[12].pos_qc.test[loc] == 4 && k.out[12].pos_qc.agg == 4);
    CHECK(k.out[11].pos_qc.test[loc] == 1);
    vg_qc_stream_free(st);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

static void test_plan_errors(void)
{
    static const struct { const char *qc; const char *want; } cases[] = {
        {"      - test: qartod_gross_range\n        parameters: {TEMP: {}}\n",
         "qartod_gross_range for TEMP needs 'fail_min' (no default)"},
        {"      - test: qartod_gross_range\n        parameters:\n          TEMP:\n",
         "qartod_gross_range has no default for TEMP: give fail_min"},
        {"      - test: qartod_gross_range\n        parameters: {TEMP: {fail_min: 0}}\n",
         "needs 'fail_max'"},
        {"      - test: qartod_gross_range\n        parameters: {TEMP: {fail_min: 0, fail_max: 1, suspect_min: 0.5}}\n",
         NULL},
        {"      - test: qartod_spike\n        parameters: {TEMP: {suspect_threshold: 1, fail_threshold: 2, method: 2}}\n",
         "qartod_spike.method = 2 for TEMP is outside 0..1"},
        {"      - test: qartod_spike\n        parameters: {TEMP: {suspect_threshold: 1}}\n",
         "needs 'fail_threshold'"},
        {"      - test: qartod_flat_line\n        parameters: {TEMP: {suspect_threshold_s: 0, fail_threshold_s: 1, tolerance: 0}}\n",
         "outside 1..2.6784e+06"},
        {"      - test: qartod_attenuated_signal\n        parameters: {TEMP: {suspect_threshold: 1, fail_threshold: 0.1}}\n",
         "needs 'period_s'"},
        {"      - test: qartod_time_gap\n        parameters: {TEMP: {}}\n", "judges the time"},
        {"      - test: qartod_location\n        options: {lat_max: 91}\n", "outside -90..90"},
        {"      - test: qartod_climatology\n        parameters:\n          TEMP:\n"
         "            windows: [{tspan: [1, 3], period: month, vspan: [10, 20]}]\n", NULL},
        {"      - test: qartod_climatology\n        parameters: {TEMP: {windows: 3}}\n",
         "t.yaml:8: the climatology windows must be a non-empty list"},
        {"      - test: qartod_climatology\n        parameters: {TEMP: {windows: [{tspan: [1, 3], period: month}]}}\n",
         "t.yaml:8: a climatology window needs tspan and vspan"},
        {"      - test: qartod_climatology\n        parameters: {TEMP: {windows: [{tspan: [1, 3], vspan: [1], period: month}]}}\n",
         "t.yaml:8: vspan must be a list of two numbers"},
        {"      - test: qartod_climatology\n        parameters: {TEMP: {windows: [{tspan: [1, 3], vspan: [1, 2], period: month, depth: 3}]}}\n",
         "t.yaml:8: unknown key 'depth' in a climatology window"},
        {"      - test: qartod_climatology\n", "qartod_climatology has no default options"},
        {"      - test: qartod_climatology\n        parameters: {TEMP: {}}\n", "needs 'windows'"},
        /* no parameters and no defaults: refused rather than a step that judges nothing */
        {"      - test: qartod_rate_of_change\n", "t.yaml:7: qartod_rate_of_change has no default options"},
    };
    const char *head = "storage: {path: /tmp/unused}\n"
                       "platforms:\n  - {id: MOOR, kind: mooring, interval_s: 60, parameters: [TEMP]}\n"
                       "qc:\n  chains:\n    mooring:\n";
    for (size_t i = 0; i < N_(cases); i++) {
        check_plan_case(i, head, cases[i].qc, cases[i].want);
    }
    /* the attenuated signal's window at the platform's interval: 3 days at 1 Hz is more
     * than the 2^17 samples it keeps, 12 h is not */
    const char *head1 = "storage: {path: /tmp/unused}\n"
                        "platforms:\n  - {id: MOOR, kind: mooring, interval_s: 1, parameters: [TEMP]}\n"
                        "qc:\n  chains:\n    mooring:\n";
    check_plan_case(100, head1,
                    "      - test: qartod_attenuated_signal\n        parameters: {TEMP: "
                    "{suspect_threshold: 1, fail_threshold: 0.1, period_s: 259200}}\n",
                    "t.yaml:7: qartod_attenuated_signal of TEMP on platform MOOR: period_s "
                    "259200 at interval_s 1 holds 259200 samples, more than the 131072");
    check_plan_case(101, head1,
                    "      - test: qartod_attenuated_signal\n        parameters: {TEMP: "
                    "{suspect_threshold: 1, fail_threshold: 0.1, period_s: 43200}}\n",
                    NULL);
}

/* ---- cost ------------------------------------------------------------------------------ */
static volatile unsigned sink_flags;

/* ns per call of t->run on TEMP (or the position/time), best of 5 rounds of m calls over a
 * window of three samples whose values change each call. */
static double cost(const char *label, const char *name, const double *o)
{
    const vg_qc_test *t = find(name);
    vg_sample s[3] = {mk(0, 10), mk(60, 10.2), mk(120, 10.1)};
    vg_qc_window w = {.prev = &s[0], .cur = &s[1], .next = &s[2], .refs = &no_refs};
    int p = t->target == VG_QC_ON_PARAM ? VG_P_TEMP : -1;
    prep_state(t, o, 60);
    const int m = 2000000, rounds = 5;
    double best = 1e9;
    unsigned acc = 0;
    for (int r = 0; r < rounds; r++) {
        double a = now_s();
        for (int i = 0; i < m; i++) {
            s[1].value[VG_P_TEMP] = 10 + 0.001 * (i & 1023);
            s[1].lat_deg = 43 + 0.0001 * (i & 511);
            s[1].time += 60 * VG_US_PER_S;
            s[2].time += 60 * VG_US_PER_S;
            acc += t->run(o, state_buf, &w, p);
        }
        best = fmin(best, now_s() - a);
    }
    sink_flags = acc;
    double ns = best / m * 1e9;
    printf("%-34s %6.1f ns per call (%.0f million samples/s, this build)\n", label, ns, 1e3 / ns);
    return ns;
}

static void test_cost(void)
{
    const double gr[] = {-2.5, 40, 0, 30}, sp[] = {0.5, 1, 0}, roc[] = {0.01},
                 fl[] = {180, 300, 0.01}, att[] = {0.05, 0.001, 600, 0, 0}, gap[] = {120},
                 loc[] = {-10, 40, 10, 50, 0};
    const double att_full[] = {0.05, 0.001, 86400, 0, 0}, rng_full[] = {0.05, 0.001, 86400, 1, 0};
    cost("qartod_gross_range", "qartod_gross_range", gr);
    cost("qartod_spike", "qartod_spike", sp);
    cost("qartod_rate_of_change", "qartod_rate_of_change", roc);
    cost("qartod_flat_line", "qartod_flat_line", fl);
    cost("qartod_attenuated_signal (10 samples)", "qartod_attenuated_signal", att);
    cost("qartod_attenuated_signal (1 day, std)", "qartod_attenuated_signal", att_full);
    cost("qartod_attenuated_signal (1 day, range)", "qartod_attenuated_signal", rng_full);
    cost("qartod_time_gap", "qartod_time_gap", gap);
    cost("qartod_location", "qartod_location", loc);
}

int main(void)
{
    test_registry();
    test_gross_range();
    test_spike();
    test_rate_of_change();
    test_flat_line();
    test_flat_line_reference();
    test_attenuated();
    test_attenuated_reference();
    test_attenuated_capacity();
    test_attenuated_12h();
    test_time_gap();
    test_location();
    test_climatology();
    test_stream();
    test_plan_errors();
    test_cost();
    return check_summary();
}
