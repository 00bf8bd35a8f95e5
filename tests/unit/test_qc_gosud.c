/* test_qc_gosud.c: the GOSUD tests that need no reference data beyond the first chain:
 * regional range (7) and the underway checks pump_flow (12), harbour (13), pump_history (14)
 * and frozen_navigation (15), each on tables of cases; the shared geometry (qc/geo.h); the
 * default tsg chain through the stream engine with its aggregates checked against
 * vg_flag_combine; plan errors of the new options; and the cost per call and per sample. */
#include <math.h>
#include <time.h>

#include "check.h"
#include "qc_cases.h"
#include "core/config.h"
#include "core/flags.h"
#include "qc/geo.h"
#include "qc/plan.h"
#include "qc/stream.h"
#include "qc/test.h"

static const vg_qc_refs no_refs;
static const vg_time_us t0 = 1768435200 * VG_US_PER_S; /* 2026-01-15T00:00:00Z */

static vg_sample mk(double t_s, double lat, double lon)
{
    vg_sample s;
    vg_sample_init(&s);
    vg_sample_set_platform(&s, "SHIP", 4);
    s.time = t0 + (vg_time_us)llround(t_s * 1e6);
    s.lat_deg = lat, s.lon_deg = lon;
    vg_sample_set(&s, VG_P_SSJT, 15.0);
    vg_sample_set(&s, VG_P_SSPS, 35.0);
    return s;
}

static const vg_qc_test *find(const char *name)
{
    const vg_qc_test *t = vg_qc_test_find(name);
    if (!t) {
        fprintf(stderr, "test %s is not registered\n", name);
        exit(1);
    }
    return t;
}

/* Run test t once on (prev, cur) for parameter p; opts NULL: the defaults of p. */
static vg_flag run1(const vg_qc_test *t, int p, const double *opts, void *state,
                    const vg_sample *prev, const vg_sample *cur)
{
    double o[VG_QC_MAX_OPTS] = {0};
    if (opts)
        memcpy(o, opts, sizeof o);
    else
        t->defaults(p, o);
    vg_qc_window w = {.prev = prev, .cur = cur, .refs = &no_refs};
    return t->run(o, state, &w, p);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- geometry ---------------------------------------------------------------------- */
static void test_geo(void)
{
    /* one degree of a great circle on the 3440.065 NM sphere */
    CHECK_NEAR(vg_geo_distance_nm(0, 0, 1, 0), 60.0405, 1e-4);
    CHECK_NEAR(vg_geo_distance_nm(0, 179.5, 0, -179.5), 60.0405, 1e-4);
    CHECK_NEAR(vg_geo_distance_nm(60, 0, 60, 2), 60.0382, 1e-4); /* < the parallel's 60.0405 */
    /* closer_than gives the haversine's answer, bounds or not: random pairs, many of them
     * near the threshold, across the dateline and near the poles */
    unsigned seed = 12345, disagree = 0, n = 200000;
    for (unsigned i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        double u1 = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        double u2 = (seed >> 8) / 16777216.0;
        seed = seed * 1103515245u + 12345u;
        double u3 = (seed >> 8) / 16777216.0;
        double lat1 = -89.9 + 179.8 * u1, lon1 = -180 + 360 * u2;
        double scale = i % 3 == 0 ? 1e-4 : i % 3 == 1 ? 1e-2 : 1.0;
        double lat2 = fmax(-90, fmin(90, lat1 + scale * (u3 - 0.5)));
        double lon2 = lon1 + scale * (u2 - 0.5) * 3;
        if (lon2 > 180)
            lon2 -= 360;
        if (lon2 < -180)
            lon2 += 360;
        double d = vg_geo_distance_nm(lat1, lon1, lat2, lon2);
        double thr = i % 2 ? d * (1 + 1e-6) : d * (1 + (u1 - 0.5) * 0.5);
        disagree += vg_geo_closer_than_nm(lat1, lon1, lat2, lon2, thr) != (d < thr);
    }
    CHECK_MSG(disagree == 0, "%u of %u pairs disagree with the haversine", disagree, n);
    CHECK(vg_geo_closer_than_nm(10, 20, 10, 20, 0.001));
    CHECK(!vg_geo_closer_than_nm(10, 20, 10, 20, 0));
    CHECK(vg_geo_closer_than_nm(0, 179.9999, 0, -179.9999, 0.02)); /* 0.0002 deg = 0.012 NM */
    /* even-odd rule on a unit square and a concave polygon */
    static const double sq[][2] = {{0, 0}, {0, 1}, {1, 1}, {1, 0}};
    /* an arrowhead pointing north: apex 2N 1E, base corners 0N 0E and 0N 2E, notched from
     * the south up to 1N 1E */
    static const double arrow[][2] = {{0, 0}, {2, 1}, {0, 2}, {1, 1}};
    const vg_geo_polygon psq = {sq, 4}, parrow = {arrow, 4};
    CHECK(vg_geo_in_polygon(&psq, 0.5, 0.5));
    CHECK(!vg_geo_in_polygon(&psq, 1.5, 0.5));
    CHECK(!vg_geo_in_polygon(&psq, 0.5, -0.001));
    CHECK(vg_geo_in_polygon(&parrow, 1.5, 1.0));
    CHECK(vg_geo_in_polygon(&parrow, 0.5, 0.3));
    CHECK(!vg_geo_in_polygon(&parrow, 0.5, 1.0)); /* in the notch */
    CHECK(!vg_geo_in_polygon(&parrow, 2.1, 1.0));
}

/* ---- regional range ------------------------------------------------------------------ */
static void test_regional(void)
{
    const vg_qc_test *t = find("regional_range");
    CHECK(t->id == 7 && t->target == VG_QC_ON_PARAM && t->n_opts == 0 && !t->state_size);
    double o[VG_QC_MAX_OPTS];
    CHECK(t->defaults(VG_P_SSJT, o) && t->defaults(VG_P_SSTP, o) && t->defaults(VG_P_TEMP, o));
    CHECK(t->defaults(VG_P_SSPS, o) && t->defaults(VG_P_PSAL, o));
    CHECK(!t->defaults(VG_P_CNDC, o) && !t->defaults(VG_P_SLEV, o) && !t->defaults(VG_P_FLOW, o));
    const double above60 = nextafter(60.0, 90.0);
    static struct { double lat, lon; int p; double v; int want; const char *why; } cases[] = {
        /* Red Sea triangle 10N 40E, 20N 50E, 30N 30E: T 21.7..40, S 2..41 */
        {20, 38, VG_P_SSJT, 21.7, 1, "Red Sea T min"},
        {20, 38, VG_P_SSJT, 21.69, 4, "Red Sea below T min"},
        {20, 38, VG_P_SSJT, 40.0, 1, "Red Sea T max"},
        {20, 38, VG_P_SSTP, 40.01, 4, "Red Sea above T max (intake)"},
        {25, 36, VG_P_SSPS, 41.0, 1, "Red Sea north, S max"},
        {25, 36, VG_P_SSPS, 41.01, 4, "Red Sea above S max"},
        {27.9, 34.3, VG_P_SSPS, 45.0, 0, "27.9N 34.3E: east of the 20N 50E - 30N 30E edge"},
        {15, 41, VG_P_PSAL, 1.99, 4, "Red Sea below S min"},
        {12, 45, VG_P_SSJT, 15.0, 0, "Gulf of Aden: outside the triangle"},
        {25, 52, VG_P_SSJT, 15.0, 0, "Persian Gulf: outside"},
        /* Mediterranean polygon: T 10..40, S 2..40 */
        {35, 18, VG_P_SSJT, 9.99, 4, "Ionian Sea below T min"},
        {35, 18, VG_P_SSJT, 10.0, 1, "Ionian Sea T min"},
        {35, 18, VG_P_SSPS, 40.01, 4, "Ionian Sea above S max"},
        {35, 18, VG_P_SSPS, 38.5, 1, "Ionian Sea"},
        {45.6, 13.7, VG_P_TEMP, 9.0, 4, "Trieste (inside the polygon)"},
        {33, -1, VG_P_SSJT, 5.0, 4, "33N 1W, in both: Mediterranean before SW shelves"},
        {36, -3, VG_P_SSJT, 5.0, 1, "Alboran Sea: west of the 30N 6W - 40N 5E edge, SW shelves"},
        {36, -3, VG_P_SSPS, 38.2, 4, "Alboran Sea: SW shelves S max 38"},
        {39.5, 2.5, VG_P_SSJT, 5.0, 0, "Balearic Sea: west of that edge, east of 0: no region"},
        {30, 10, VG_P_SSJT, 5.0, 4, "30N: on the southern edge, inside"},
        {43.3, 5.36, VG_P_SSJT, 5.0, 0, "Marseille: north of the 40N 5E - 50N 15E edge"},
        {44.4, 8.9, VG_P_SSJT, 5.0, 0, "Genoa: north of that edge too"},
        /* North-west shelves 50-60N, 20W-10E: T -2..24, S 0..37 */
        {55, 0, VG_P_SSJT, 24.0, 1, "North Sea T max"},
        {55, 0, VG_P_SSJT, 24.1, 4, "North Sea above T max"},
        {55, 0, VG_P_SSPS, 0.0, 1, "North Sea S 0 (river plume)"},
        {55, 0, VG_P_SSPS, 37.01, 4, "North Sea above S max"},
        {50, -10, VG_P_SSPS, 37.5, 4, "50N 10W: NW shelves before SW shelves (S max 37)"},
        {60, 0, VG_P_SSJT, 24.5, 4, "60N 0E: NW shelves, not Arctic (T max 24)"},
        {55, 10.5, VG_P_SSJT, 30.0, 0, "Baltic entrance east of 10E: no region"},
        /* South-west shelves 25-50N, 30W-0: T -2..30, S 0..38 */
        {45, -10, VG_P_SSJT, 5.0, 1, "Bay of Biscay"},
        {45, -10, VG_P_SSJT, 30.01, 4, "Bay of Biscay above T max"},
        {25, -30, VG_P_SSPS, 38.0, 1, "25N 30W: corner, inclusive"},
        {25, -30.01, VG_P_SSPS, 38.5, 0, "west of 30W: no region"},
        {45, -10, VG_P_PSAL, 38.01, 4, "Bay of Biscay above S max"},
        /* Arctic, north of 60N: T -1.92..25, S 2..40 */
        {75, 0, VG_P_SSJT, -1.92, 1, "Fram Strait T min"},
        {75, 0, VG_P_SSJT, -1.93, 4, "Fram Strait below T min"},
        {75, -170, VG_P_SSPS, 1.99, 4, "Chukchi Sea below S min"},
        {0, 30, VG_P_SSJT, 25.0, 1, "placeholder: replaced below (just above 60N, 30E)"},
        {60, 30, VG_P_SSJT, 30.0, 0, "60N 30E: not Arctic (> 60N), no region"},
        /* outside every region, missing or impossible position: not evaluated */
        {0, -30, VG_P_SSJT, 100.0, 0, "equatorial Atlantic"},
        {NAN, 0, VG_P_SSJT, 100.0, 0, "missing latitude"},
        {55, NAN, VG_P_SSJT, 100.0, 0, "missing longitude"},
        {91, 0, VG_P_SSJT, 100.0, 0, "impossible latitude"},
        {55, 181, VG_P_SSJT, 100.0, 0, "impossible longitude"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].lat == 0 && cases[i].lon == 30) /* the case that needs nextafter */
            cases[i].lat = above60, cases[i].v = 25.01, cases[i].want = 4;
        vg_sample s = mk(0, cases[i].lat, cases[i].lon);
        vg_sample_set(&s, (vg_param)cases[i].p, cases[i].v);
        vg_flag f = run1(t, cases[i].p, NULL, NULL, NULL, &s);
        CHECK_MSG(f == cases[i].want, "%s (%g, %g) %s=%g: got %d, want %d", cases[i].why,
                  cases[i].lat, cases[i].lon, vg_param_get((vg_param)cases[i].p)->code,
                  cases[i].v, f, cases[i].want);
    }
    /* configured on a parameter without a range (CNDC): not evaluated */
    vg_sample s = mk(0, 35, 18);
    vg_sample_set(&s, VG_P_CNDC, 99);
    CHECK(run1(t, VG_P_CNDC, o, NULL, NULL, &s) == 0);
}

/* ---- pump_flow ----------------------------------------------------------------------- */
static void test_pump_flow(void)
{
    const vg_qc_test *t = find("pump_flow");
    double o[VG_QC_MAX_OPTS];
    CHECK(t->id == 12 && t->target == VG_QC_ON_PARAM && !t->state_size);
    CHECK(t->defaults(VG_P_SSJT, o) && o[0] == 1 && o[1] == 1 && o[2] == 4);
    CHECK(t->defaults(VG_P_SSTP, o) && t->defaults(VG_P_SSPS, o) && t->defaults(VG_P_CNDC, o));
    CHECK(t->defaults(VG_P_TEMP, o) && t->defaults(VG_P_PSAL, o));
    CHECK(!t->defaults(VG_P_FLOW, o) && !t->defaults(VG_P_PRES, o) && !t->defaults(VG_P_SPDC, o));
    const double X = -999; /* not reported */
    static const struct { double flow, pres, min_flow, min_pres, flag; int want; } cases[] = {
        {X, X, 1, 1, 4, 0},     /* neither reported: not evaluated */
        {1.0, X, 1, 1, 4, 1},   /* flow >= 1 passes */
        {0.99, X, 1, 1, 4, 4},
        {0.0, X, 1, 1, 3, 3},   /* flag 3 configured */
        {X, 1.0, 1, 1, 4, 1},   /* pressure alone */
        {X, 0.5, 1, 1, 4, 4},
        {2.5, 0.2, 1, 1, 4, 4}, /* flow fine, cell not pressurised */
        {0.1, 2.0, 1, 1, 4, 4}, /* pressure fine, no flow */
        {2.5, 2.0, 1, 1, 4, 1},
        {NAN, 2.0, 1, 1, 4, 1}, /* FLOW reported missing: judged on PRES */
        {NAN, NAN, 1, 1, 4, 0},
        {0.1, 2.0, 0, 1, 4, 1}, /* min_flow_l_min 0: FLOW not checked */
        {0.1, X, 0, 1, 4, 0},
        {5.0, 0.1, 1, 0, 4, 1}, /* min_pres_dbar 0: PRES not checked */
        {3.9, X, 4, 1, 4, 4},   /* a ferrybox needing 4 l/min */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_sample s = mk(0, 45, -10);
        if (cases[i].flow != X)
            vg_sample_set(&s, VG_P_FLOW, cases[i].flow);
        if (cases[i].pres != X)
            vg_sample_set(&s, VG_P_PRES, cases[i].pres);
        double opt[VG_QC_MAX_OPTS] = {cases[i].min_flow, cases[i].min_pres, cases[i].flag};
        vg_flag f = run1(t, VG_P_SSPS, opt, NULL, NULL, &s);
        CHECK_MSG(f == cases[i].want, "pump_flow case %zu: got %d, want %d", i, f, cases[i].want);
    }
}

/* ---- sequences for the stateful tests ------------------------------------------------ */
/* One sample of a sequence: seconds since t0; FLOW, SPDC (NAN = not reported); position;
 * `skip`: the judged parameter is missing, so the engine does not run the test on this
 * sample (it is still the next one's predecessor); `gap`: no predecessor (a gap). */
typedef struct step {
    double t_s, flow, spdc, lat, lon;
    int skip, gap, want;
} step;

/* Run test t with options o (NULL: defaults of p) on the sequence; one state throughout. */
static void run_sequence(const char *what, const vg_qc_test *t, int p, const double *o,
                         const step *seq, size_t n)
{
    unsigned char state[64] = {0};
    CHECK(t->state_size <= sizeof state);
    vg_sample prev;
    for (size_t i = 0; i < n; i++) {
        vg_sample s = mk(seq[i].t_s, seq[i].lat, seq[i].lon);
        if (!isnan(seq[i].flow))
            vg_sample_set(&s, VG_P_FLOW, seq[i].flow);
        if (!isnan(seq[i].spdc))
            vg_sample_set(&s, VG_P_SPDC, seq[i].spdc);
        if (!seq[i].skip) {
            vg_flag f = run1(t, p, o, state, i > 0 && !seq[i].gap ? &prev : NULL, &s);
            CHECK_MSG(f == seq[i].want, "%s, step %zu (t = %g s): got %d, want %d", what, i,
                      seq[i].t_s, f, seq[i].want);
        }
        prev = s;
    }
}

#define N_(a) (sizeof(a) / sizeof((a)[0]))

static void test_pump_history(void)
{
    const vg_qc_test *t = find("pump_history");
    double o[VG_QC_MAX_OPTS];
    CHECK(t->id == 14 && t->state_size > 0 && t->state_size <= 32);
    CHECK(t->defaults(VG_P_SSJT, o) && o[0] == 1 && o[1] == 600 && o[2] == 0 && o[3] == 3);
    CHECK(!t->defaults(VG_P_FLOW, o));
    static step restart[] = {
        {0, 3.0, NAN, 45, -10, 0, 0, 1},     /* history unknown, pump on: running before */
        {60, 3.0, NAN, 45, -10, 0, 0, 1},
        {120, 0.2, NAN, 45, -10, 0, 0, 0},   /* off: pump_flow's concern */
        {180, 0.0, NAN, 45, -10, 0, 0, 0},
        {240, 1.0, NAN, 45, -10, 0, 0, 3},   /* restart (>= 1 l/min) */
        {300, NAN, NAN, 45, -10, 0, 0, 0},   /* FLOW not reported: not evaluated */
        {600, 3.0, NAN, 45, -10, 0, 0, 3},
        {839.9, 3.0, NAN, 45, -10, 0, 0, 3}, /* 599.9 s after the restart */
        {840, 3.0, NAN, 45, -10, 0, 0, 1},   /* 600 s: settled */
        {900, 0.5, NAN, 45, -10, 0, 0, 0},
        {960, 2.0, NAN, 45, -10, 0, 0, 3},   /* second restart */
        {1020, 2.0, NAN, 45, -10, 0, 1, 3},  /* a gap does not end the settling */
        {1560, 2.0, NAN, 45, -10, 0, 0, 1},
    };
    run_sequence("pump_history restart", t, VG_P_SSJT, NULL, restart, N_(restart));
    /* The restart falls on a sample where the parameter is missing: the predecessor shows it. */
    static step hidden[] = {
        {0, 3.0, NAN, 45, -10, 0, 0, 1},
        {60, 0.0, NAN, 45, -10, 0, 0, 0},
        {120, 3.0, NAN, 45, -10, 1, 0, 0}, /* restart, value missing: test not run */
        {180, 3.0, NAN, 45, -10, 0, 0, 3}, /* restart seen on the predecessor (120 s) */
        {719.9, 3.0, NAN, 45, -10, 0, 0, 3},
        {720, 3.0, NAN, 45, -10, 0, 0, 1},
    };
    run_sequence("pump_history hidden restart", t, VG_P_SSPS, NULL, hidden, N_(hidden));
    /* The documented limit: the stop and the restart both on samples where the value is
     * missing, and the restart more than one sample back: not seen. */
    static step unseen[] = {
        {0, 3.0, NAN, 45, -10, 0, 0, 1},
        {60, 0.0, NAN, 45, -10, 1, 0, 0},
        {120, 3.0, NAN, 45, -10, 1, 0, 0},
        {180, 3.0, NAN, 45, -10, 0, 0, 1},
    };
    run_sequence("pump_history unseen restart", t, VG_P_SSPS, NULL, unseen, N_(unseen));
    /* gap_restart_s: an interrupted FLOW record counts as a restart */
    double og[VG_QC_MAX_OPTS] = {1, 600, 1800, 4};
    static step gap[] = {
        {0, 3.0, NAN, 45, -10, 0, 0, 1},
        {1800, 3.0, NAN, 45, -10, 0, 1, 1}, /* 1800 s: not more than gap_restart_s */
        {5000, 3.0, NAN, 45, -10, 0, 1, 4}, /* 3200 s without FLOW: restart, flag 4 */
        {5599, 3.0, NAN, 45, -10, 0, 0, 4},
        {5600, 3.0, NAN, 45, -10, 0, 0, 1},
    };
    run_sequence("pump_history gap_restart_s", t, VG_P_SSJT, og, gap, N_(gap));
    /* settle_s 0: never flagged */
    double o0[VG_QC_MAX_OPTS] = {1, 0, 0, 3};
    static step zero[] = {{0, 0.0, NAN, 45, -10, 0, 0, 0}, {10, 5.0, NAN, 45, -10, 0, 0, 1}};
    run_sequence("pump_history settle_s 0", t, VG_P_SSJT, o0, zero, N_(zero));
}

static void test_harbour(void)
{
    const vg_qc_test *t = find("harbour");
    double o[VG_QC_MAX_OPTS];
    CHECK(t->id == 13 && t->state_size > 0 && t->state_size <= 32);
    CHECK(t->defaults(VG_P_CNDC, o) && o[0] == 1 && o[1] == 600);
    CHECK(t->defaults(VG_P_SSTP, o) && !t->defaults(VG_P_SPDC, o) && !t->defaults(VG_P_SLEV, o));
    /* SPDC reported: 1 kn, 600 s */
    static step spdc[] = {
        {0, NAN, 10.0, 45, -10, 0, 0, 1},
        {60, NAN, 0.5, 45, -10, 0, 0, 1},   /* slow run starts */
        {600, NAN, 0.0, 45, -10, 0, 0, 1},  /* 540 s */
        {659.9, NAN, 0.9, 45, -10, 0, 0, 1},
        {660, NAN, 0.99, 45, -10, 0, 0, 6}, /* 600 s below 1 kn: harbour */
        {700, NAN, NAN, NAN, NAN, 0, 0, 0}, /* speed unknown: not evaluated, run goes on */
        {720, NAN, 0.2, 45, -10, 0, 0, 6},
        {780, NAN, 1.0, 45, -10, 0, 0, 1},  /* 1 kn is not below 1 kn: run ends */
        {840, NAN, 0.2, 45, -10, 0, 0, 1},
        {1440, NAN, 0.2, 45, -10, 0, 0, 6},
        {1500, NAN, 0.2, 45, -10, 0, 1, 1}, /* gap: the run restarts */
        {2100, NAN, 0.2, 45, -10, 0, 0, 6},
        {2110, NAN, 5.0, 45, -10, 1, 0, 0}, /* moving while the value is missing: unseen */
        {2120, NAN, 0.2, 45, -10, 0, 0, 6},
    };
    run_sequence("harbour SPDC", t, VG_P_SSJT, NULL, spdc, N_(spdc));
    /* No SPDC: speed from the previous position. 1 kn for 60 s = 1/60 NM = 0.000277 deg of
     * latitude; 0.0002 deg in 60 s = 0.72 kn, 0.0003 deg = 1.08 kn. */
    static step pos[] = {
        {0, NAN, NAN, 45.0, -10, 0, 0, 0},     /* no predecessor: speed unknown */
        {60, NAN, NAN, 45.0002, -10, 0, 0, 1}, /* 0.72 kn: run starts */
        {120, NAN, NAN, 45.0004, -10, 0, 0, 1},
        {660, NAN, NAN, 45.0004, -10, 0, 0, 6}, /* 600 s from the run start */
        {720, NAN, NAN, 45.0007, -10, 0, 0, 1}, /* 1.08 kn */
        {780, NAN, NAN, 45.0007, -10.0001, 0, 0, 1},
        {840, NAN, NAN, NAN, -10.0001, 0, 0, 0}, /* position missing */
        {900, NAN, NAN, 45.0007, -10.0001, 0, 0, 0}, /* predecessor's position missing */
        {1500, NAN, NAN, 45.0007, -10.0001, 0, 0, 6}, /* run from 780 s: unknown speeds do not end it */
        {1560, NAN, NAN, 45.0007, 179.99999, 0, 0, 1}, /* jump: fast */
        {1620, NAN, NAN, 45.0007, -179.99999, 0, 0, 1}, /* across the dateline, 0.00002 deg: slow */
        {2220, NAN, NAN, 45.0007, -179.99999, 0, 0, 6},
        {2280, NAN, NAN, 91, -179.99999, 0, 0, 0}, /* impossible position: no speed */
    };
    run_sequence("harbour positions", t, VG_P_SSPS, NULL, pos, N_(pos));
    /* min_duration_s 0: at once; max_speed_kn 3 */
    double oz[VG_QC_MAX_OPTS] = {3, 0};
    static step now[] = {{0, NAN, 2.9, 45, -10, 0, 0, 6}, {10, NAN, 3.0, 45, -10, 0, 0, 1}};
    run_sequence("harbour min_duration_s 0", t, VG_P_SSJT, oz, now, N_(now));
}

static void test_frozen(void)
{
    const vg_qc_test *t = find("frozen_navigation");
    double o[VG_QC_MAX_OPTS];
    CHECK(t->id == 15 && t->target == VG_QC_ON_POSITION && t->state_size <= 32);
    CHECK(t->defaults(-1, o) && o[0] == 300 && o[1] == 1 && o[2] == 3);
    static step seq[] = {
        {0, NAN, NAN, 45, -10, 0, 0, 1},
        {100, NAN, NAN, 45, -10, 0, 0, 1},
        {299.9, NAN, NAN, 45, -10, 0, 0, 1},
        {300, NAN, NAN, 45, -10, 0, 0, 3},      /* 300 s unchanged, no SPDC: 3 */
        {310, NAN, 0.5, 45, -10, 0, 0, 3},      /* SPDC below 1 kn: at rest? 3 */
        {320, NAN, 8.0, 45, -10, 0, 0, 4},      /* moving at 8 kn, fix unchanged: 4 */
        {330, NAN, 8.0, 45.0000001, -10, 0, 0, 1}, /* any change restarts the run */
        {630, NAN, 8.0, 45.0000001, -10, 0, 0, 4},
        {640, NAN, 8.0, NAN, NAN, 0, 0, 9},     /* missing: 9, and the run ends */
        {650, NAN, 8.0, 45.0000001, -10, 0, 0, 1},
        {950, NAN, 8.0, 45.0000001, -10, 0, 0, 4},
        {2000, NAN, 8.0, 45.0000001, -10, 0, 1, 1}, /* after a gap the run restarts */
        {2290, NAN, 8.0, 45.0000001, -10, 0, 0, 1},
        {2300, NAN, 8.0, 45.0000001, -10, 0, 0, 4},
        {2310, NAN, 8.0, 45.0000001, -10.0000001, 0, 0, 1},
    };
    run_sequence("frozen_navigation", t, -1, NULL, seq, N_(seq));
    double o4[VG_QC_MAX_OPTS] = {60, 1, 4};
    static step seq4[] = {{0, NAN, NAN, 10, 20, 0, 0, 1}, {60, NAN, NAN, 10, 20, 0, 0, 4}};
    run_sequence("frozen_navigation flag 4", t, -1, o4, seq4, N_(seq4));
}

/* ---- the default tsg chain through the stream engine ------------------------------- */
typedef struct sink {
    vg_sample out[400];
    int n;
} sink;

static void collect(void *ctx, const vg_sample *s)
{
    sink *k = ctx;
    if (k->n < 400)
        k->out[k->n++] = *s;
}

static const char *chain_yaml =
    "storage: {path: /tmp/unused}\n"
    "platforms:\n"
    "  - {id: SHIP, kind: tsg, interval_s: 10,\n"
    "     parameters: [SSJT, SSTP, SSPS, CNDC, FLOW, PRES, SPDC]}\n"
    "  - {id: BOX, kind: ferrybox, interval_s: 10, parameters: [TEMP, PSAL, FLOW]}\n"
    "  - {id: MOOR, kind: mooring, interval_s: 600, parameters: [TEMP, PSAL, PRES]}\n";

/* The aggregate the engine must give: per-test flags folded with vg_flag_combine. */
static vg_flag fold(const vg_qc_flags *q)
{
    vg_flag a = 0;
    for (int i = 0; i < VG_QC_MAX_TESTS; i++)
        if (q->test[i])
            a = vg_flag_combine(a, q->test[i]);
    return a;
}

/* Scenario, one sample every 10 s in the Bay of Biscay (SW shelves box): 0-49 steaming at
 * 10 kn; 50-199 alongside (SPDC 0, position jittering by 1e-6 deg); pump off at 120-129,
 * on again at 130; 200-219 steaming out; the GPS freezes at 210-219 while steaming. */
static vg_sample scenario(int i)
{
    double lon = -10 + (i < 50 ? i : i < 200 ? 50 : i - 150) * 0.0006; /* ~0.025 NM per 10 s */
    if (i >= 50 && i < 200)
        lon += (i % 2) * 1e-6;
    if (i >= 210 && i < 220)
        lon = -10 + (209 - 150) * 0.0006;
    vg_sample s = mk(10.0 * i, 45, lon);
    bool moving = i < 50 || i >= 200;
    vg_sample_set(&s, VG_P_SPDC, moving ? 10.0 : 0.0);
    bool pump = !(i >= 120 && i < 130);
    vg_sample_set(&s, VG_P_FLOW, pump ? 3.0 : 0.0);
    vg_sample_set(&s, VG_P_PRES, pump ? 1.8 : 0.1);
    vg_sample_set(&s, VG_P_SSJT, 15.0 + 0.001 * i);
    vg_sample_set(&s, VG_P_SSTP, 14.9 + 0.001 * i);
    vg_sample_set(&s, VG_P_SSPS, 35.5 + 0.0001 * i);
    vg_sample_set(&s, VG_P_CNDC, 4.2 + 0.0001 * i);
    if (i == 160)
        s.value[VG_P_SSJT] = 31.0; /* regional range of the SW shelves: T max 30 */
    return s;
}

static void test_chain(void)
{
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    if (vg_config_load_string(chain_yaml, strlen(chain_yaml), "chain.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK) {
        CHECK_MSG(0, "%s", err.text);
        vg_config_free(cfg);
        return;
    }
    /* the default chains: tsg and ferrybox have the new tests, in this order; stations not */
    static const char *const want_tsg[] = {
        "impossible_date", "impossible_location", "impossible_speed", "frozen_navigation",
        "global_range",    "regional_range",      "spike",            "stuck_value",
        "gradient",        "harbour",             "pump_flow",        "pump_history"};
    for (int k = 0; k < VG_KIND__COUNT; k++) {
        const vg_qc_chain *ch = &plan->chains[k];
        const char *const *names = vg_qc_default_chain((vg_platform_kind)k);
        size_t n = 0;
        while (names[n])
            n++;
        CHECK(ch->n_steps == n);
        if (k == VG_KIND_TSG || k == VG_KIND_FERRYBOX) {
            CHECK(n == N_(want_tsg));
            for (size_t i = 0; i < n && i < N_(want_tsg); i++)
                CHECK_MSG(strcmp(names[i], want_tsg[i]) == 0 && ch->steps[i].test == find(want_tsg[i]),
                          "kind %d step %zu: %s", k, i, names[i]);
        } else if (k == VG_KIND_TIDE_GAUGE) {
            static const char *const want_tide[] = {
                "impossible_date", "impossible_location", "qartod_time_gap", "global_range",
                "qartod_spike",    "wl_rate_of_change",   "qartod_flat_line", "tide_residual",
                "datum_shift",     "clock_offset"};
            CHECK(n == N_(want_tide));
            for (size_t i = 0; i < n && i < N_(want_tide); i++)
                CHECK_MSG(strcmp(names[i], want_tide[i]) == 0 &&
                              ch->steps[i].test == find(want_tide[i]),
                          "tide gauge step %zu: %s", i, names[i]);
        } else {
            for (size_t i = 0; i < n; i++)
                CHECK_MSG(ch->steps[i].test->id < 12 && ch->steps[i].test->id != 7,
                          "station chain has %s", names[i]);
        }
    }
    /* run the scenario through the tsg chain */
    vg_qc_stream *st;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) == VG_OK);
    static sink k;
    k.n = 0;
    for (int i = 0; i < 220; i++) {
        vg_sample s = scenario(i);
        CHECK(vg_qc_stream_push(st, &s, 0, collect, &k, &err) == VG_OK);
    }
    vg_qc_stream_flush(st, collect, &k);
    CHECK(k.n == 220);
    const int harb = find("harbour")->id, flow = find("pump_flow")->id,
              hist = find("pump_history")->id, reg = find("regional_range")->id,
              froz = find("frozen_navigation")->id;
    /* every aggregate is the vg_flag_combine fold of the per-test flags (plus inheritance) */
    int folded = 1;
    for (int i = 0; i < k.n; i++) {
        const vg_sample *s = &k.out[i];
        static const vg_param ps[] = {VG_P_SSJT, VG_P_SSTP, VG_P_CNDC};
        for (size_t j = 0; j < N_(ps); j++)
            folded &= s->qc[ps[j]].agg == fold(&s->qc[ps[j]]);
        vg_flag sal = fold(&s->qc[VG_P_SSPS]), t = s->qc[VG_P_SSJT].agg;
        if (t == 3 || t == 4)
            sal = vg_flag_combine(sal, t);
        folded &= s->qc[VG_P_SSPS].agg == sal;
        folded &= s->pos_qc.agg == fold(&s->pos_qc);
        if (!folded) {
            CHECK_MSG(0, "sample %d: aggregate is not the fold of its tests", i);
            break;
        }
    }
    CHECK(folded);
    static const struct { int i; vg_param p; int harbour, flow, hist, reg, agg; } want[] = {
        {10, VG_P_SSJT, 1, 1, 1, 1, 1},    /* steaming */
        {50, VG_P_SSJT, 1, 1, 1, 1, 1},    /* alongside: run starts */
        {109, VG_P_SSJT, 1, 1, 1, 1, 1},   /* 590 s */
        {110, VG_P_SSJT, 6, 1, 1, 1, 6},   /* 600 s: harbour; 6 replaces 1 */
        {110, VG_P_SSPS, 6, 1, 1, 1, 6},
        {110, VG_P_CNDC, 6, 1, 1, 0, 6},   /* no regional range for conductivity */
        {120, VG_P_SSJT, 6, 4, 0, 1, 4},   /* pump off: 4 replaces 6 */
        {120, VG_P_SSPS, 6, 4, 0, 1, 4},
        {130, VG_P_SSJT, 6, 1, 3, 1, 3},   /* restart: 3 replaces 6 */
        {130, VG_P_SSTP, 6, 1, 3, 1, 3},
        {189, VG_P_SSJT, 6, 1, 3, 1, 3},   /* 590 s after the restart */
        {190, VG_P_SSJT, 6, 1, 1, 1, 6},   /* settled: back to harbour */
        {160, VG_P_SSJT, 6, 1, 3, 4, 4},   /* regional range fails: 4 */
        {160, VG_P_SSPS, 6, 1, 3, 1, 4},   /* inherits the temperature's 4 */
        {200, VG_P_SSJT, 1, 1, 1, 1, 1},   /* steaming out */
    };
    for (size_t j = 0; j < N_(want); j++) {
        const vg_qc_flags *q = &k.out[want[j].i].qc[want[j].p];
        CHECK_MSG(q->test[harb] == want[j].harbour && q->test[flow] == want[j].flow &&
                      q->test[hist] == want[j].hist && q->test[reg] == want[j].reg &&
                      q->agg == want[j].agg,
                  "sample %d %s: harbour %d flow %d history %d regional %d agg %d", want[j].i,
                  vg_param_get(want[j].p)->code, q->test[harb], q->test[flow], q->test[hist],
                  q->test[reg], q->agg);
    }
    /* FLOW, PRES and SPDC themselves are not judged by the underway checks */
    CHECK(k.out[120].qc[VG_P_FLOW].test[flow] == 0 && k.out[120].qc[VG_P_FLOW].test[harb] == 0);
    CHECK(k.out[120].qc[VG_P_SPDC].test[hist] == 0 && k.out[120].qc[VG_P_PRES].test[flow] == 0);
    /* position: jittering alongside is not frozen; the fix repeated from 209 to 219 lasts
     * 100 s, less than the default 300 s (test_chain_configured flags a shorter window) */
    CHECK(k.out[150].pos_qc.test[froz] == 1 && k.out[150].pos_qc.agg == 1);
    CHECK(k.out[219].pos_qc.test[froz] == 1);
    vg_qc_stream_free(st);

    /* ferrybox (TEMP, PSAL, FLOW) gets the underway checks too; a mooring does not */
    vg_qc_stream *fb;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[1], &fb, &err) == VG_OK);
    k.n = 0;
    for (int i = 0; i < 3; i++) {
        vg_sample s = mk(10.0 * i, 54.0, 8.0 + 0.001 * i); /* German Bight, NW shelves */
        s.present = 0;
        vg_sample_set(&s, VG_P_TEMP, 18.0);
        vg_sample_set(&s, VG_P_PSAL, i == 2 ? 37.2 : 31.0);
        vg_sample_set(&s, VG_P_FLOW, i == 1 ? 0.0 : 10.0);
        vg_qc_stream_push(fb, &s, 0, collect, &k, &err);
    }
    vg_qc_stream_flush(fb, collect, &k);
    CHECK(k.n == 3);
    CHECK(k.out[1].qc[VG_P_TEMP].test[flow] == 4 && k.out[1].qc[VG_P_TEMP].agg == 4);
    CHECK(k.out[2].qc[VG_P_PSAL].test[reg] == 4); /* NW shelves S max 37 */
    CHECK(k.out[2].qc[VG_P_PSAL].test[hist] == 3); /* restart at sample 2 */
    CHECK(k.out[0].qc[VG_P_TEMP].test[harb] == 0); /* no SPDC, no predecessor: speed unknown */
    CHECK(k.out[1].qc[VG_P_TEMP].test[harb] == 1); /* 0.001 deg of longitude in 10 s: 12.7 kn */
    vg_qc_stream_free(fb);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* Frozen navigation and harbour through a configured chain with short windows. */
static void test_chain_configured(void)
{
    const char *text =
        "storage: {path: /tmp/unused}\n"
        "platforms:\n  - {id: SHIP, kind: tsg, interval_s: 10, parameters: [SSJT, SSPS, SPDC, FLOW]}\n"
        "qc:\n  chains:\n    tsg:\n"
        "      - test: frozen_navigation\n        options: {window_s: 60, moving_speed_kn: 2, flag: 3}\n"
        "      - test: harbour\n        parameters: {SSJT: {max_speed_kn: 0.5, min_duration_s: 30}}\n"
        "      - test: pump_history\n        parameters: {SSJT: {settle_s: 20}}\n"
        "      - test: regional_range\n        parameters: {SSPS: {}}\n";
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    if (vg_config_load_string(text, strlen(text), "c.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK) {
        CHECK_MSG(0, "%s", err.text);
        vg_config_free(cfg);
        return;
    }
    const vg_qc_chain *ch = &plan->chains[VG_KIND_TSG];
    CHECK(ch->n_steps == 4);
    CHECK(ch->steps[0].opts[0][0] == 60 && ch->steps[0].opts[0][1] == 2);
    CHECK(ch->steps[1].params == VG_PARAM_BIT(VG_P_SSJT) && ch->steps[1].opts[VG_P_SSJT][0] == 0.5);
    CHECK(ch->steps[2].opts[VG_P_SSJT][0] == 1 && ch->steps[2].opts[VG_P_SSJT][1] == 20);
    CHECK(ch->steps[3].params == VG_PARAM_BIT(VG_P_SSPS));
    vg_qc_stream *st;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) == VG_OK);
    static sink k;
    k.n = 0;
    for (int i = 0; i < 12; i++) {
        vg_sample s = mk(10.0 * i, 45, -10); /* frozen fix */
        vg_sample_set(&s, VG_P_SPDC, i < 8 ? 0.3 : 6.0);
        vg_sample_set(&s, VG_P_FLOW, i == 2 ? 0.0 : 2.0);
        vg_qc_stream_push(st, &s, 0, collect, &k, &err);
    }
    vg_qc_stream_flush(st, collect, &k);
    const int harb = find("harbour")->id, froz = find("frozen_navigation")->id,
              hist = find("pump_history")->id;
    CHECK(k.n == 12);
    CHECK(k.out[5].pos_qc.test[froz] == 1 && k.out[6].pos_qc.test[froz] == 3);
    CHECK(k.out[8].pos_qc.test[froz] == 4 && k.out[8].pos_qc.agg == 4);
    CHECK(k.out[2].qc[VG_P_SSJT].test[hist] == 0 && k.out[3].qc[VG_P_SSJT].test[hist] == 3);
    CHECK(k.out[4].qc[VG_P_SSJT].test[hist] == 3 && k.out[5].qc[VG_P_SSJT].test[hist] == 1);
    CHECK(k.out[2].qc[VG_P_SSJT].test[harb] == 1 && k.out[3].qc[VG_P_SSJT].test[harb] == 6);
    CHECK(k.out[3].qc[VG_P_SSJT].agg == 3); /* settling (3) replaces harbour (6) */
    CHECK(k.out[5].qc[VG_P_SSJT].agg == 6);
    CHECK(k.out[8].qc[VG_P_SSJT].test[harb] == 1 && k.out[8].qc[VG_P_SSJT].agg == 1);
    CHECK(k.out[5].qc[VG_P_SSPS].test[harb] == 0); /* harbour configured for SSJT only */
    vg_qc_stream_free(st);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* ---- plan errors of the new options -------------------------------------------------- */
static void test_plan_errors(void)
{
    static const struct { const char *qc; const char *want; } cases[] = {
        {"      - test: harbour\n        parameters: {SSJT: {max_speed: 1}}\n",
         "harbour has no option 'max_speed' (max_speed_kn)"},
        {"      - test: harbour\n        parameters: {SSJT: {min_duration_s: -1}}\n",
         "harbour.min_duration_s = -1 for SSJT is outside 0..604800"},
        {"      - test: pump_flow\n        parameters: {SSJT: {flag: 5}}\n",
         "pump_flow.flag = 5 for SSJT is outside 3..4"},
        {"      - test: pump_flow\n        options: {min_flow_l_min: 1}\n", "judges parameters"},
        {"      - test: pump_history\n        parameters: {SSJT: {min_flow_l_min: 0}}\n",
         "pump_history.min_flow_l_min = 0 for SSJT is outside 0.001..1000"},
        {"      - test: regional_range\n        parameters: {SSJT: {min: 0}}\n",
         "regional_range has no option 'min' (it takes none)"},
        {"      - test: frozen_navigation\n        parameters: {SSJT: {}}\n", "judges the position"},
        {"      - test: frozen_navigation\n        options: {window_s: 0}\n",
         "frozen_navigation.window_s = 0 for the sample is outside 1..604800"},
        {"      - test: frozen_navigation\n        options: {window_s: 120, flag: 4}\n", NULL},
        {"      - test: pump_flow\n        parameters: {SSJT: {min_flow_l_min: 0, min_pres_dbar: 0.5}}\n", NULL},
        {"      - test: regional_range\n      - test: harbour\n      - test: pump_history\n", NULL},
    };
    const char *head = "storage: {path: /tmp/unused}\n"
                       "platforms:\n  - {id: SHIP, kind: tsg, interval_s: 10, parameters: [SSJT]}\n"
                       "qc:\n  chains:\n    tsg:\n";
    for (size_t i = 0; i < N_(cases); i++) {
        check_plan_case(i, head, cases[i].qc, cases[i].want);
    }
}

/* ---- cost ------------------------------------------------------------------------------ */
static volatile unsigned sink_flags;

static void count(void *ctx, const vg_sample *s) { (*(uint64_t *)ctx)++; }

static void chain_cost(const char *what, const char *yaml);

static void test_cost(void)
{
    /* ns per run() call of each new test, on a moving ship alternating two samples */
    static const struct { const char *name; int p, spdc; } tests[] = {
        {"regional_range", VG_P_SSJT, 0}, {"pump_flow", VG_P_SSJT, 0},
        {"harbour", VG_P_SSJT, 1},        {"harbour", VG_P_SSJT, 0},
        {"pump_history", VG_P_SSJT, 0},   {"frozen_navigation", -1, 0},
    };
    /* Mediterranean (the polygon is tested); steaming east at 10.8 kn, so that harbour
     * needs the haversine (its bounds decide nothing): the worst case */
    vg_sample s[2] = {mk(0, 36, 15), mk(10, 36, 15.000625)};
    for (int j = 0; j < 2; j++) {
        vg_sample_set(&s[j], VG_P_FLOW, 3.0);
        vg_sample_set(&s[j], VG_P_PRES, 1.5);
    }
    const long n = 400000; /* per round; the best of 5 rounds */
    printf("cost per call (this build):");
    for (size_t i = 0; i < N_(tests); i++) {
        const vg_qc_test *t = find(tests[i].name);
        double o[VG_QC_MAX_OPTS];
        t->defaults(tests[i].p, o);
        unsigned char state[64] = {0};
        unsigned acc = 0;
        for (int j = 0; j < 2; j++) {
            s[j].present &= ~VG_PARAM_BIT(VG_P_SPDC);
            if (tests[i].spdc)
                vg_sample_set(&s[j], VG_P_SPDC, 10.8);
        }
        double ns = 1e9;
        for (int round = 0; round < 5; round++) {
            double a = now_s();
            for (long r = 0; r < n; r++) {
                vg_sample *cur = &s[r & 1], *prev = &s[(r & 1) ^ 1];
                cur->time += 20 * VG_US_PER_S;
                vg_qc_window w = {.prev = prev, .cur = cur, .refs = &no_refs};
                acc += t->run(o, state, &w, tests[i].p);
            }
            ns = fmin(ns, (now_s() - a) / n * 1e9);
        }
        sink_flags += acc;
        printf(" %s%s %.1f ns;", tests[i].name,
               tests[i].spdc ? " (SPDC)" : strcmp(tests[i].name, "harbour") ? "" : " (positions)", ns);
    }
    printf("\n");

    /* whole default tsg chain through the stream engine, 4 measurements + FLOW, PRES, SPDC;
     * then the first chain alone (the 7 tests before this file's), and no test at all (the
     * engine itself: copies, folds), to show what the new tests add */
    chain_cost("default tsg chain", chain_yaml);
    chain_cost("first chain (7 tests)",
               "storage: {path: /tmp/unused}\n"
               "platforms:\n  - {id: SHIP, kind: tsg, interval_s: 10,\n"
               "     parameters: [SSJT, SSTP, SSPS, CNDC, FLOW, PRES, SPDC]}\n"
               "qc:\n  chains:\n    tsg:\n      - test: impossible_date\n"
               "      - test: impossible_location\n      - test: impossible_speed\n"
               "      - test: global_range\n      - test: spike\n      - test: stuck_value\n"
               "      - test: gradient\n");
    chain_cost("engine alone (no test)",
               "storage: {path: /tmp/unused}\n"
               "platforms:\n  - {id: SHIP, kind: tsg, interval_s: 10,\n"
               "     parameters: [SSJT, SSTP, SSPS, CNDC, FLOW, PRES, SPDC]}\n"
               "qc:\n  chains:\n    tsg: []\n");
}

/* Push samples of a steaming ship through the tsg chain of config `yaml`; print the time
 * per sample. */
static void chain_cost(const char *what, const char *yaml)
{
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err;
    if (vg_config_load_string(yaml, strlen(yaml), "c.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK) {
        CHECK_MSG(0, "%s", err.text);
        vg_config_free(cfg);
        return;
    }
    vg_qc_stream *st;
    if (vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) != VG_OK) {
        CHECK(0);
        return;
    }
    /* best of 5 rounds of 100000 samples: the machine may be busy with other work */
    uint64_t emitted = 0;
    const int m = 100000, rounds = 5;
    vg_sample in = scenario(0);
    double dt = 1e9;
    for (int r = 0; r < rounds; r++) {
        double a = now_s();
        for (int i = r * m; i < (r + 1) * m; i++) {
            in.time = t0 + (vg_time_us)i * 10 * VG_US_PER_S;
            in.lon_deg = -10 + (i % 1000) * 0.0006;
            in.value[VG_P_SSJT] = 15 + 0.001 * (i % 97);
            vg_qc_stream_push(st, &in, 0, count, &emitted, &err);
        }
        dt = fmin(dt, now_s() - a);
    }
    vg_qc_stream_flush(st, count, &emitted);
    CHECK(emitted == (uint64_t)m * rounds);
    printf("%s (%zu steps), 7 parameters: %.0f ns per sample, %.2f million samples/s on one "
           "core (this build)\n",
           what, plan->chains[VG_KIND_TSG].n_steps, dt / m * 1e9, m / dt / 1e6);
    vg_qc_stream_free(st);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

int main(void)
{
    test_geo();
    test_regional();
    test_pump_flow();
    test_pump_history();
    test_harbour();
    test_frozen();
    test_chain();
    test_chain_configured();
    test_plan_errors();
    test_cost();
    return check_summary();
}
