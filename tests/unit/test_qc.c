/* test_qc.c: the QC layer: flag scales and combination, each test of the first chain on
 * tables of cases, the stream engine (hold, edges, gaps, order, salinity inheritance), and
 * the compilation of the `qc:` configuration section with its error messages. */
#include <math.h>

#include "check.h"
#include "qc_cases.h"
#include <sys/stat.h>
#include "core/config.h"
#include "core/flags.h"
#include "qc/plan.h"
#include "qc/stream.h"
#include "qc/test.h"

/* ---- flags ------------------------------------------------------------------------- */
static void test_flags(void)
{
    /* Argo precedence: new flag vs current flag. */
    static const struct { int cur, inc, want; } cases[] = {
        {0, 1, 1}, {1, 2, 2}, {2, 1, 2}, {1, 4, 4}, {4, 1, 4}, {3, 4, 4}, {4, 3, 4},
        {2, 3, 3}, {3, 2, 3}, {5, 2, 2}, {5, 1, 5}, {0, 9, 9}, {1, 9, 1}, {2, 8, 8},
        {3, 8, 3}, {1, 6, 6}, {6, 1, 6}, {6, 4, 4}, {6, 3, 3}, {4, 6, 4}, {0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(vg_flag_combine((vg_flag)cases[i].cur, (vg_flag)cases[i].inc) == cases[i].want,
                  "combine(%d, %d)", cases[i].cur, cases[i].inc);
    CHECK(vg_flag_to_qartod(0, 0) == 2);
    CHECK(vg_flag_to_qartod(1, 0) == 1);
    CHECK(vg_flag_to_qartod(3, 0) == 3);
    CHECK(vg_flag_to_qartod(4, 0) == 4);
    CHECK(vg_flag_to_qartod(9, 0) == 9);
    CHECK(vg_flag_to_qartod(6, 4) == 4);
    CHECK(vg_flag_to_qartod(6, 0) == 3);
    CHECK(vg_flag_from_qartod(2) == 0);
    CHECK(vg_flag_from_qartod(3) == 3);
    uint8_t q1[] = {1, 2, 9}, q2[] = {1, 3, 4, 2}, q3[] = {9, 2}, q4[] = {2, 2};
    CHECK(vg_qartod_aggregate(q1, 3) == 1);
    CHECK(vg_qartod_aggregate(q2, 4) == 4);
    CHECK(vg_qartod_aggregate(q3, 2) == 2);
    CHECK(vg_qartod_aggregate(q4, 2) == 2);
    CHECK_STR(vg_flag_meaning(6), "harbour");
}

/* ---- single tests ------------------------------------------------------------------ */
static vg_sample mk(vg_time_us t, double v)
{
    vg_sample s;
    vg_sample_init(&s);
    vg_sample_set_platform(&s, "SHIP", 4);
    s.time = t;
    s.lat_deg = 10, s.lon_deg = -20;
    vg_sample_set(&s, VG_P_SSJT, v);
    return s;
}

static vg_flag run1(const char *name, int p, const double *opts, vg_sample *prev,
                    vg_sample *cur, vg_sample *next)
{
    const vg_qc_test *t = vg_qc_test_find(name);
    double o[VG_QC_MAX_OPTS];
    if (opts)
        memcpy(o, opts, sizeof o);
    else
        t->defaults(p, o);
    unsigned char state[256] = {0};
    static const vg_qc_refs no_refs;
    vg_qc_window w = {.prev = prev, .cur = cur, .next = next, .refs = &no_refs};
    return t->run(o, state, &w, p);
}

static void test_single_tests(void)
{
    vg_time_us t0 = 1768435200 * VG_US_PER_S; /* 2026-01-15 */
    vg_sample a = mk(t0, 20), b = mk(t0 + 10 * VG_US_PER_S, 20.1), c = mk(t0 + 20 * VG_US_PER_S, 20);
    /* global range, defaults T -2.5..40 inclusive */
    static const struct { double v; int want; } range[] = {
        {-2.5, 1}, {-2.51, 4}, {40, 1}, {40.01, 4}, {21.8, 1}, {-100, 4},
    };
    for (size_t i = 0; i < sizeof range / sizeof range[0]; i++) {
        b.value[VG_P_SSJT] = range[i].v;
        CHECK_MSG(run1("global_range", VG_P_SSJT, NULL, &a, &b, &c) == range[i].want, "range %g",
                  range[i].v);
    }
    /* spike: |V2-(V3+V1)/2| - |(V3-V1)/2| > 6 (T) */
    static const struct { double v1, v2, v3; int want; } spike[] = {
        {20, 20, 20, 1},   {20, 26, 20, 1},   {20, 26.01, 20, 4}, {20, 13.9, 20, 4},
        {20, 30, 40, 1} /* a steady ramp is no spike */,        {20, 35, 30, 1},
        {20, 37, 30, 4} /* 37-25-5 = 7 */,
    };
    for (size_t i = 0; i < sizeof spike / sizeof spike[0]; i++) {
        a.value[VG_P_SSJT] = spike[i].v1, b.value[VG_P_SSJT] = spike[i].v2,
        c.value[VG_P_SSJT] = spike[i].v3;
        CHECK_MSG(run1("spike", VG_P_SSJT, NULL, &a, &b, &c) == spike[i].want, "spike #%zu", i);
    }
    /* gradient: |V2-(V3+V1)/2| > 9 (T) */
    a.value[VG_P_SSJT] = 20, b.value[VG_P_SSJT] = 29, c.value[VG_P_SSJT] = 20;
    CHECK(run1("gradient", VG_P_SSJT, NULL, &a, &b, &c) == 1);
    b.value[VG_P_SSJT] = 29.5;
    CHECK(run1("gradient", VG_P_SSJT, NULL, &a, &b, &c) == 4);
    /* edges and missing neighbours: not evaluated */
    CHECK(run1("spike", VG_P_SSJT, NULL, NULL, &b, &c) == 0);
    CHECK(run1("spike", VG_P_SSJT, NULL, &a, &b, NULL) == 0);
    c.value[VG_P_SSJT] = NAN;
    CHECK(run1("gradient", VG_P_SSJT, NULL, &a, &b, &c) == 0);
    /* salinity defaults */
    vg_sample_set(&a, VG_P_SSPS, 36), vg_sample_set(&b, VG_P_SSPS, 37), vg_sample_set(&c, VG_P_SSPS, 36);
    CHECK(run1("spike", VG_P_SSPS, NULL, &a, &b, &c) == 4); /* 1.0 > 0.9 */
    b.value[VG_P_SSPS] = 36.8;
    CHECK(run1("spike", VG_P_SSPS, NULL, &a, &b, &c) == 1);
    /* no default for sea level: the test does not run on it unless configured */
    double o[VG_QC_MAX_OPTS];
    CHECK(!vg_qc_test_find("global_range")->defaults(VG_P_SLEV, o));
    CHECK(vg_qc_test_find("global_range")->defaults(VG_P_SSPS, o) && o[0] == 2 && o[1] == 41);
    /* location */
    b.lat_deg = 91;
    CHECK(run1("impossible_location", -1, NULL, &a, &b, &c) == 4);
    b.lat_deg = -90, b.lon_deg = 180;
    CHECK(run1("impossible_location", -1, NULL, &a, &b, &c) == 1);
    b.lon_deg = 180.5;
    CHECK(run1("impossible_location", -1, NULL, &a, &b, &c) == 4);
    b.lat_deg = NAN;
    CHECK(run1("impossible_location", -1, NULL, &a, &b, &c) == 9);
    /* speed: 1 degree of latitude (60 NM) in 10 s is impossible; 0.001 deg in 10 s = 21.6 kn */
    a.lat_deg = 10, a.lon_deg = -20, b.lat_deg = 11, b.lon_deg = -20;
    CHECK(run1("impossible_speed", -1, NULL, &a, &b, &c) == 4);
    b.lat_deg = 10.001;
    CHECK(run1("impossible_speed", -1, NULL, &a, &b, &c) == 1);
    CHECK(run1("impossible_speed", -1, NULL, NULL, &b, &c) == 0);
    /* dateline: 179.999E to 179.999W is 0.002 deg of longitude, not 360 */
    a.lat_deg = 0, a.lon_deg = 179.999, b.lat_deg = 0, b.lon_deg = -179.999;
    CHECK(run1("impossible_speed", -1, NULL, &a, &b, &c) == 1);
    /* date: before 1950 fails */
    vg_sample old = mk(-631152000LL * VG_US_PER_S, 1); /* 1950-01-01 */
    CHECK(run1("impossible_date", -1, NULL, NULL, &old, NULL) == 1);
    old.time -= VG_US_PER_S;
    CHECK(run1("impossible_date", -1, NULL, NULL, &old, NULL) == 4);
}

/* ---- the stream engine ------------------------------------------------------------ */
typedef struct sink {
    vg_sample out[64];
    char raw[64][32]; /* the raw frame is valid during the callback only: copy it */
    int n;
} sink;

static void collect(void *ctx, const vg_sample *s)
{
    sink *k = ctx;
    if (k->n < 64 && s->raw_len < sizeof k->raw[0]) {
        if (s->raw_len)
            memcpy(k->raw[k->n], s->raw, s->raw_len);
        k->raw[k->n][s->raw_len] = 0;
        k->out[k->n++] = *s;
    }
}

static const char *stream_yaml =
    "storage: {path: /tmp/unused}\n"
    "platforms:\n"
    "  - {id: SHIP, kind: tsg, interval_s: 10, parameters: [SSJT, SSPS]}\n"
    "qc:\n"
    "  hold_timeout_s: 5\n"
    "  max_gap_factor: 3\n"
    "  chains:\n"
    "    tsg:\n"
    "      - test: global_range\n"
    "      - test: spike\n"
    "      - test: stuck_value\n"
    "        parameters:\n"
    "          SSJT: {window_s: 30, tolerance: 0}\n";

static void test_stream(void)
{
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    CHECK(vg_config_load_string(stream_yaml, strlen(stream_yaml), "stream.yaml", &cfg, &err) == VG_OK);
    if (!cfg) {
        fprintf(stderr, "%s\n", err.text);
        return;
    }
    CHECK(vg_qc_plan_build(cfg, &plan, &err) == VG_OK);
    CHECK(plan->hold_timeout_s == 5 && plan->max_gap_factor == 3);
    CHECK(plan->chains[VG_KIND_TSG].n_steps == 3);
    vg_qc_stream *st;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) == VG_OK);
    sink k = {.n = 0};
    vg_time_us t0 = 1768435200 * VG_US_PER_S;
    /* T: 20, 20, 30 (spike), 20, 20, 20, 20, 20 ; S follows, with T bad at index 2 */
    double temps[] = {20.0, 20.1, 30.0, 20.2, 20.3, 20.3, 20.3, 20.3, 20.3};
    for (int i = 0; i < 9; i++) {
        vg_sample s = mk(t0 + i * 10 * VG_US_PER_S, temps[i]);
        vg_sample_set(&s, VG_P_SSPS, 36.0 + 0.01 * i);
        char raw[32];
        int n = snprintf(raw, sizeof raw, "frame %d", i);
        s.raw = raw, s.raw_len = (size_t)n;
        CHECK(vg_qc_stream_push(st, &s, 1000 * i, collect, &k, &err) == VG_OK);
        CHECK(vg_qc_stream_pending(st) == 1);
        CHECK(k.n == i); /* the newest waits for its successor */
    }
    /* order: an older or equal time is refused */
    vg_sample late = mk(t0 + 5 * VG_US_PER_S, 20);
    CHECK(vg_qc_stream_push(st, &late, 0, collect, &k, &err) == VG_ERR_ORDER);
    CHECK(strstr(err.text, "not after") != NULL);
    /* the hold time-out releases the last sample as an edge */
    vg_qc_stream_expire(st, 8000 + 4 * VG_US_PER_S, collect, &k);
    CHECK(k.n == 8);
    vg_qc_stream_expire(st, 8000 + 5 * VG_US_PER_S, collect, &k);
    CHECK(k.n == 9);
    const int spike = vg_qc_test_find("spike")->id, stuck = vg_qc_test_find("stuck_value")->id,
              range = vg_qc_test_find("global_range")->id;
    CHECK(k.out[0].qc[VG_P_SSJT].test[spike] == 0); /* first: no predecessor */
    CHECK(k.out[1].qc[VG_P_SSJT].test[spike] == 1);
    CHECK(k.out[2].qc[VG_P_SSJT].test[spike] == 4);
    CHECK(k.out[2].qc[VG_P_SSJT].agg == 4);
    CHECK(k.out[2].qc[VG_P_SSPS].agg == 4); /* inherits the bad temperature */
    CHECK(k.out[2].qc[VG_P_SSPS].test[spike] == 1);
    CHECK(k.out[8].qc[VG_P_SSJT].test[spike] == 0); /* last: released by the time-out */
    CHECK(k.out[8].qc[VG_P_SSJT].agg == 4);
    CHECK(k.out[6].qc[VG_P_SSJT].test[stuck] == 1);  /* unchanged since index 4: 20 s */
    CHECK(k.out[7].qc[VG_P_SSJT].test[stuck] == 4);  /* 30 s */
    CHECK(k.out[8].qc[VG_P_SSJT].test[stuck] == 4);
    CHECK(k.out[8].qc[VG_P_SSPS].test[stuck] == 0); /* stuck configured for SSJT only */
    CHECK(k.out[4].qc[VG_P_SSJT].agg == 1);
    CHECK(k.out[4].qc[VG_P_SSJT].test[range] == 1);
    for (int i = 0; i < 9; i++) {
        char want[32];
        int n = snprintf(want, sizeof want, "frame %d", i);
        CHECK(k.out[i].raw_len == (size_t)n && strcmp(k.raw[i], want) == 0);
        CHECK(k.out[i].time == t0 + i * 10 * VG_US_PER_S);
    }
    /* a gap longer than 3 x 10 s cuts the neighbours: the spike test is not evaluated */
    k.n = 0;
    vg_sample s1 = mk(t0 + 200 * VG_US_PER_S, 20), s2 = mk(t0 + 240 * VG_US_PER_S, 41),
              s3 = mk(t0 + 250 * VG_US_PER_S, 20);
    vg_sample_set(&s2, VG_P_SSPS, NAN);
    vg_qc_stream_push(st, &s1, 0, collect, &k, &err);
    vg_qc_stream_push(st, &s2, 0, collect, &k, &err);
    vg_qc_stream_push(st, &s3, 0, collect, &k, &err);
    vg_qc_stream_flush(st, collect, &k);
    CHECK(k.n == 3);
    CHECK(k.out[1].qc[VG_P_SSJT].test[spike] == 0);
    CHECK(k.out[1].qc[VG_P_SSJT].test[range] == 4);
    CHECK(k.out[1].qc[VG_P_SSPS].agg == 9);     /* missing value */
    CHECK(k.out[1].qc[VG_P_SSPS].test[range] == 0);
    CHECK(k.out[1].pos_qc.agg == 0);            /* no position test in this chain */
    vg_qc_stream_free(st);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* Stream = batch: the same samples pushed one by one with time-outs never reached, or all
 * at once then flushed, give identical flags. */
static void test_stream_equals_batch(void)
{
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    if (vg_config_load_string(stream_yaml, strlen(stream_yaml), "s.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK) {
        CHECK(0);
        return;
    }
    sink a = {.n = 0}, b = {.n = 0};
    vg_qc_stream *s1, *s2;
    vg_qc_stream_new(plan, &cfg->platforms[0], &s1, &err);
    vg_qc_stream_new(plan, &cfg->platforms[0], &s2, &err);
    vg_time_us t0 = 1768435200 * VG_US_PER_S;
    for (int i = 0; i < 40; i++) {
        double v = 20 + sin(i * 0.3) + (i == 17 ? 9 : 0) + (i > 30 ? 0 : 0.001 * i);
        vg_sample s = mk(t0 + i * 10 * VG_US_PER_S + (i >= 25 ? 100 * VG_US_PER_S : 0), v);
        vg_qc_stream_push(s1, &s, i, collect, &a, &err);
        vg_qc_stream_expire(s1, i + 1, collect, &a); /* well within the hold time */
        vg_qc_stream_push(s2, &s, 0, collect, &b, &err);
    }
    vg_qc_stream_flush(s1, collect, &a);
    vg_qc_stream_flush(s2, collect, &b);
    CHECK(a.n == 40 && b.n == 40);
    int same = 1;
    for (int i = 0; i < a.n && i < b.n; i++)
        same &= memcmp(a.out[i].qc, b.out[i].qc, sizeof a.out[i].qc) == 0;
    CHECK(same);
    CHECK(a.out[17].qc[VG_P_SSJT].agg == 4);
    vg_qc_stream_free(s1);
    vg_qc_stream_free(s2);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* ---- plan compilation errors -------------------------------------------------------- */
static void test_plan_errors(void)
{
    static const struct { const char *qc; const char *want; } cases[] = {
        {"qc:\n  chains:\n    tsg:\n      - test: nonsense\n", "t.yaml:7: unknown QC test 'nonsense'"},
        {"qc:\n  chains:\n    tsg:\n      - test: spike\n        parameters:\n          XXXX: {threshold: 1}\n",
         "t.yaml:9: unknown parameter code 'XXXX'"},
        {"qc:\n  chains:\n    tsg:\n      - test: spike\n        parameters:\n          SSJT: {treshold: 1}\n",
         "t.yaml:9: spike has no option 'treshold'"},
        {"qc:\n  chains:\n    tsg:\n      - test: global_range\n        parameters:\n          SLEV: {min: 1}\n",
         "global_range for SLEV needs 'max'"},
        {"qc:\n  chains:\n    tsg:\n      - test: spike\n        parameters:\n          SSJT: {threshold: -1}\n",
         "spike.threshold = -1 for SSJT is outside 0..1e+06"},
        {"qc:\n  chains:\n    boat:\n      - test: spike\n", "qc.chains.boat: not a platform kind"},
        {"qc:\n  hold_timeout_s: -1\n", "t.yaml:5: qc.hold_timeout_s = -1 is outside 0..604800"},
        {"qc:\n  holdtimeout: 1\n", "unknown key 'qc.holdtimeout'"},
        {"qc:\n  chains:\n    tsg:\n      - test: spike\n      - test: spike\n", "test spike already in this chain"},
        {"qc:\n  chains:\n    tsg:\n      - test: impossible_speed\n        parameters: {SSJT: {}}\n",
         "judges the position"},
        {"qc:\n  chains:\n    tsg:\n      - test: impossible_speed\n        options: {max_speed_kn: 30}\n", NULL},
        {"qc:\n  chains:\n    tide_gauge:\n      - test: global_range\n        parameters:\n          SLEV: {min: -5, max: 5}\n", NULL},
        {"qc:\n  reference:\n    bathymetry: {path: /nonexistent/etopo.nc}\n  chains:\n    tsg:\n      - test: position_on_land\n",
         "t.yaml:6: position_on_land needs a relief grid: "},
        {"qc:\n  reference:\n    bathymetry: {file: x}\n", "t.yaml:6: unknown key 'qc.reference.bathymetry.file'"},
        {"qc:\n  reference:\n    climatology:\n      oxygen: {path: x, mean: O}\n",
         "unknown key 'qc.reference.climatology.oxygen'"},
        {"qc:\n  reference:\n    climatology:\n      salinity: {path: /nonexistent.nc, mean: S}\n  chains:\n    tsg:\n      - test: climatology\n",
         "the climatology test needs a salinity climatology: "},
        /* a reference nobody uses is not loaded: no error for a missing file */
        {"qc:\n  reference:\n    bathymetry: {path: /nonexistent/etopo.nc}\n", NULL},
    };
    const char *head = "storage: {path: /tmp/unused}\n"
                       "platforms:\n  - {id: SHIP, kind: tsg, interval_s: 10, parameters: [SSJT]}\n";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_plan_case(i, head, cases[i].qc, cases[i].want);
    }
    /* the default chains compile, and a kind without a configured chain gets its default */
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    CHECK(vg_config_load_string(vg_config_default_yaml, strlen(vg_config_default_yaml), "default",
                                &cfg, &err) == VG_OK);
    CHECK(cfg && vg_qc_plan_build(cfg, &plan, &err) == VG_OK);
    if (plan) {
        CHECK(plan->hold_timeout_s == 0);
        CHECK(vg_qc_hold_timeout_s(plan, vg_config_platform(cfg, "SIMTIDE")) == 7200);
        CHECK(vg_qc_hold_timeout_s(plan, vg_config_platform(cfg, "SIMTSG")) == 20);
        CHECK(plan->chains[VG_KIND_MOORING].n_steps > 0);
        CHECK(plan->chains[VG_KIND_TSG].steps[0].test == vg_qc_test_find("impossible_date"));
    }
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* With Debian's ferret-datasets, the default grids load and the tests judge positions. */
static void test_plan_references(void)
{
    struct stat st;
    if (stat("/usr/share/ferret-vis/data/etopo5.cdf", &st) != 0) {
        printf("SKIP: ferret-datasets not installed: default reference grids not checked\n");
        return;
    }
    const char *text = "storage: {path: /tmp/unused}\n"
                       "platforms:\n  - {id: SHIP, kind: tsg, interval_s: 10, parameters: [SSJT, SSPS]}\n"
                       "qc:\n  chains:\n    tsg:\n      - test: position_on_land\n"
                       "      - test: climatology\n";
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    CHECK(vg_config_load_string(text, strlen(text), "ref.yaml", &cfg, &err) == VG_OK);
    CHECK_MSG(cfg && vg_qc_plan_build(cfg, &plan, &err) == VG_OK, "%s", err.text);
    if (!plan) {
        vg_config_free(cfg);
        return;
    }
    CHECK(plan->refs.bathymetry && plan->refs.climatology[0] && plan->refs.climatology[1]);
    vg_qc_stream *qs;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &qs, &err) == VG_OK);
    sink k = {.n = 0};
    vg_time_us t0 = 1768435200 * VG_US_PER_S; /* January */
    vg_sample s = mk(t0, 27.0);                 /* 10N 20W: Atlantic */
    vg_sample_set(&s, VG_P_SSPS, 36.0);
    vg_qc_stream_push(qs, &s, 0, collect, &k, &err);
    s = mk(t0 + 10 * VG_US_PER_S, 5.0);         /* 22 degC below the climatology */
    vg_sample_set(&s, VG_P_SSPS, 36.0);
    s.lat_deg = 48.85, s.lon_deg = 2.35;        /* Paris */
    vg_qc_stream_push(qs, &s, 0, collect, &k, &err);
    vg_qc_stream_flush(qs, collect, &k);
    const int land = vg_qc_test_find("position_on_land")->id, clim = vg_qc_test_find("climatology")->id;
    CHECK(k.n == 2);
    CHECK(k.out[0].pos_qc.test[land] == 1 && k.out[0].pos_qc.agg == 1);
    CHECK(k.out[1].pos_qc.test[land] == 4 && k.out[1].pos_qc.agg == 4);
    CHECK(k.out[0].qc[VG_P_SSJT].test[clim] == 1 && k.out[0].qc[VG_P_SSPS].test[clim] == 1);
    CHECK(k.out[1].qc[VG_P_SSJT].test[clim] == 0); /* no climatology on land */
    vg_qc_stream_free(qs);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* A TSG that sends conductivity and temperature but no salinity gets SSPS by PSS-78. */
static void test_derived_salinity(void)
{
    const char *text = "storage: {path: /tmp/unused}\n"
                       "platforms:\n  - {id: SHIP, kind: tsg, interval_s: 10, parameters: [SSJT, CNDC, SSPS]}\n"
                       "  - {id: BUOY, kind: mooring, interval_s: 600, parameters: [TEMP, CNDC]}\n";
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    if (vg_config_load_string(text, strlen(text), "d.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK) {
        CHECK_MSG(0, "%s", err.text);
        return;
    }
    vg_qc_stream *ship, *buoy;
    vg_qc_stream_new(plan, &cfg->platforms[0], &ship, &err);
    vg_qc_stream_new(plan, &cfg->platforms[1], &buoy, &err);
    sink k = {.n = 0};
    vg_time_us t0 = 1768435200 * VG_US_PER_S;
    /* C(35, 15 degC IPTS-68, 0 dbar) = 4.2914 S/m; ITS-90 temperature = T68 / 1.00024 */
    vg_sample s = mk(t0, 15.0 / 1.00024);
    vg_sample_set(&s, VG_P_CNDC, 4.2914);
    vg_qc_stream_push(ship, &s, 0, collect, &k, &err);
    vg_sample s2 = mk(t0 + 10 * VG_US_PER_S, 15.0);
    vg_sample_set(&s2, VG_P_CNDC, 4.2914);
    vg_sample_set(&s2, VG_P_SSPS, 34.0); /* sent by the instrument: kept as is */
    vg_qc_stream_push(ship, &s2, 0, collect, &k, &err);
    vg_qc_stream_flush(ship, collect, &k);
    vg_sample b;
    vg_sample_init(&b);
    b.time = t0;
    vg_sample_set(&b, VG_P_TEMP, 15.0);
    vg_sample_set(&b, VG_P_CNDC, 4.2914);
    vg_qc_stream_push(buoy, &b, 0, collect, &k, &err);
    vg_qc_stream_flush(buoy, collect, &k);
    CHECK(k.n == 3);
    CHECK(vg_sample_has(&k.out[0], VG_P_SSPS));
    CHECK_NEAR(k.out[0].value[VG_P_SSPS], 35.0, 1e-4);
    CHECK(k.out[0].qc[VG_P_SSPS].agg == 1); /* judged like a measured salinity */
    CHECK(k.out[1].value[VG_P_SSPS] == 34.0);
    CHECK(!vg_sample_has(&k.out[2], VG_P_PSAL)); /* PSAL not configured for the buoy */
    vg_qc_stream_free(ship);
    vg_qc_stream_free(buoy);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* A pressure tide gauge (SLEV, BPRS, ATMS configured, frames without SLEV) gets SLEV from
 * the hydrostatic water column, gravity from its latitude (WGS84) or its configuration; a
 * sea level it sends is kept; a bad barometer makes the computed sea level bad. */
static void test_derived_sea_level(void)
{
    const char *text =
        "storage: {path: /tmp/unused}\n"
        "platforms:\n"
        "  - {id: PG, kind: tide_gauge, interval_s: 360, parameters: [SLEV, BPRS, ATMS],\n"
        "     position: [-17.53, -149.57], sensor_level_m: -10}\n"
        "  - {id: PG2, kind: tide_gauge, interval_s: 360, parameters: [SLEV, BPRS, ATMS],\n"
        "     gravity_m_s2: 9.80665, water_density_kg_m3: 1000}\n"
        "qc:\n  chains:\n    tide_gauge:\n      - test: global_range\n"
        "        parameters:\n          SLEV: {min: -10, max: 10}\n"
        "          ATMS: {min: 850, max: 1090}\n";
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    if (vg_config_load_string(text, strlen(text), "p.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK) {
        CHECK_MSG(0, "%s", err.text);
        return;
    }
    /* defaults: 1025 kg/m3; gravity at 17.53 S, 9.7803253359 (1 + 0.00193185265241 s2) /
     * sqrt(1 - 0.00669437999013 s2), s2 = sin^2(17.53 deg) = 0.090734: 9.785011386 */
    CHECK_NEAR(cfg->platforms[0].water_density_kg_m3, 1025, 0);
    CHECK_NEAR(cfg->platforms[0].gravity_m_s2, 9.785011386, 1e-9);
    CHECK_NEAR(cfg->platforms[0].sensor_level_m, -10, 0);
    CHECK_NEAR(cfg->platforms[1].gravity_m_s2, 9.80665, 0);
    vg_qc_stream *pg, *pg2;
    vg_qc_stream_new(plan, &cfg->platforms[0], &pg, &err);
    vg_qc_stream_new(plan, &cfg->platforms[1], &pg2, &err);
    sink k = {.n = 0};
    vg_time_us t0 = 1768435200 * VG_US_PER_S;
    vg_sample s;
    vg_sample_init(&s);
    s.time = t0;
    vg_sample_set(&s, VG_P_BPRS, 20.1325); /* 100000 Pa of water under 1013.25 hPa */
    vg_sample_set(&s, VG_P_ATMS, 1013.25);
    vg_qc_stream_push(pg, &s, 0, collect, &k, &err);
    s.time += 360 * VG_US_PER_S;
    vg_sample_set(&s, VG_P_ATMS, 700.0); /* a broken barometer: ATMS 4, and so SLEV */
    vg_qc_stream_push(pg, &s, 0, collect, &k, &err);
    s.time += 360 * VG_US_PER_S;
    vg_sample_set(&s, VG_P_ATMS, 1013.25);
    vg_sample_set(&s, VG_P_SLEV, 1.5); /* sent by the gauge: kept as is */
    vg_qc_stream_push(pg, &s, 0, collect, &k, &err);
    vg_qc_stream_flush(pg, collect, &k);
    vg_sample_init(&s);
    s.time = t0;
    vg_sample_set(&s, VG_P_BPRS, 20.1325);
    vg_sample_set(&s, VG_P_ATMS, 1013.25);
    vg_qc_stream_push(pg2, &s, 0, collect, &k, &err);
    vg_sample_set(&s, VG_P_ATMS, NAN); /* barometer missing: SLEV missing, flag 9 */
    s.time += 360 * VG_US_PER_S;
    vg_qc_stream_push(pg2, &s, 0, collect, &k, &err);
    vg_qc_stream_flush(pg2, collect, &k);
    CHECK(k.n == 5);
    /* 100000 / (1025 x 9.785011386) - 10 = 9.970450903 - 10 */
    CHECK(vg_sample_has(&k.out[0], VG_P_SLEV));
    CHECK_NEAR(k.out[0].value[VG_P_SLEV], -0.029549097, 1e-8);
    CHECK(k.out[0].qc[VG_P_SLEV].agg == VG_FLAG_GOOD);
    CHECK(k.out[1].qc[VG_P_ATMS].agg == VG_FLAG_BAD);
    CHECK(k.out[1].qc[VG_P_SLEV].agg == VG_FLAG_BAD);
    CHECK(k.out[1].qc[VG_P_SLEV].test[vg_qc_test_find("global_range")->id] == VG_FLAG_GOOD);
    CHECK(k.out[2].value[VG_P_SLEV] == 1.5);
    /* 100000 / (1000 x 9.80665) = 10.197162130 m */
    CHECK_NEAR(k.out[3].value[VG_P_SLEV], 10.197162130, 1e-8);
    CHECK(vg_sample_has(&k.out[4], VG_P_SLEV) && isnan(k.out[4].value[VG_P_SLEV]));
    CHECK(k.out[4].qc[VG_P_SLEV].agg == VG_FLAG_MISSING);
    vg_qc_stream_free(pg);
    vg_qc_stream_free(pg2);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);

    /* without position nor gravity_m_s2 the platform cannot compute SLEV: an error */
    const char *bad = "storage: {path: /tmp/unused}\n"
                      "platforms:\n"
                      "  - {id: PG, kind: tide_gauge, interval_s: 360,\n"
                      "     parameters: [SLEV, BPRS, ATMS]}\n";
    CHECK(vg_config_load_string(bad, strlen(bad), "b.yaml", &cfg, &err) == VG_ERR_CONFIG);
    CHECK_STR(err.text, "b.yaml:3: platform 'PG' computes SLEV from BPRS and ATMS: it needs "
                        "platforms[].position (gravity from the latitude) or "
                        "platforms[].gravity_m_s2");
    const char *bad2 = "storage: {path: /tmp/unused}\n"
                       "platforms:\n"
                       "  - {id: PG, kind: tide_gauge, interval_s: 360, gravity_m_s2: 9.8,\n"
                       "     water_density_kg_m3: 10.25, parameters: [SLEV, BPRS, ATMS]}\n";
    CHECK(vg_config_load_string(bad2, strlen(bad2), "b.yaml", &cfg, &err) == VG_ERR_CONFIG);
    CHECK_STR(err.text, "b.yaml:4: platforms[].water_density_kg_m3 = 10.25 is outside 900..1100");
}

static void test_registry(void)
{
    const char *const *names = vg_qc_test_names();
    int n = 0;
    for (int i = 0; vg_qc_tests[i]; i++, n++) {
        const vg_qc_test *t = vg_qc_tests[i];
        CHECK(t->id > 0 && t->id < VG_QC_MAX_TESTS);
        CHECK(names[t->id] == t->name);
        CHECK(vg_qc_test_by_id(t->id) == t);
        CHECK(t->run && t->defaults && t->summary && t->source);
        CHECK(t->n_opts <= VG_QC_MAX_OPTS);
        for (int j = 0; j < i; j++)
            CHECK(vg_qc_tests[j]->id != t->id);
    }
    CHECK(n >= 7);
}

int main(void)
{
    test_flags();
    test_single_tests();
    test_stream();
    test_stream_equals_batch();
    test_plan_errors();
    test_plan_references();
    test_derived_salinity();
    test_derived_sea_level();
    test_registry();
    return check_summary();
}
