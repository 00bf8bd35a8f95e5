/* test_wl_neighbour.c: the QARTOD water-level neighbour test (wl_neighbour, id 28) in the
 * stream engine: a gauge with a radar (SLEV) and a pressure sensor (BPRS, ATMS) on another
 * datum. Faults of either sensor (4 cm -> 3, 8 cm -> 4) are found against the other after
 * the datum offset is removed; a lasting step becomes the offset after half the window; a
 * sample without the pressures, or whose SLEV the engine computed from them, is not
 * evaluated; the configuration names a bad reference with its line. And against a nearby
 * gauge (reference: neighbour, platforms[].neighbour) through the streams' shared store of
 * recent sea level (qc/peers.h): paired within tolerance_s, not evaluated without a
 * neighbour's sample close enough or without the store (a batch run). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "core/config.h"
#include "qc/peers.h"
#include "qc/plan.h"
#include "qc/stream.h"
#include "qc/test.h"

#define WLN_ID 28
#define T0 (INT64_C(1767225600) * VG_US_PER_S) /* 2026-01-01T00:00:00Z */
#define N 720                                   /* 3 days of 6-minute samples */
#define RHO 1025.0
#define G 9.81

#define YAML_HEAD                                                                          \
    "storage: {path: /tmp/unused}\n"                                                   \
    "platforms:\n"                                                                     \
    "  - {id: TG1, kind: tide_gauge, interval_s: 360, parameters: [SLEV, BPRS, ATMS],\n" \
    "     water_density_kg_m3: 1025, gravity_m_s2: 9.81}\n"                            \
    "qc:\n"                                                                            \
    "  chains:\n"                                                                      \
    "    tide_gauge:\n"                                                                \
    "      - test: wl_neighbour\n"

typedef struct sink {
    size_t n;
    vg_flag f[N];
    vg_flag agg[N];
} sink;

static void collect(void *ctx, const vg_sample *s)
{
    sink *k = ctx;
    if (k->n < N) {
        k->f[k->n] = s->qc[VG_P_SLEV].test[WLN_ID];
        k->agg[k->n++] = s->qc[VG_P_SLEV].agg;
    }
}

/* Bottom pressure, dbar, of a water column of wc_m under atms_hPa. */
static double bprs_of(double wc_m, double atms_hPa)
{
    return (wc_m * RHO * G + atms_hPa * 100.0) / 1e4;
}

static vg_err load(const char *extra, vg_config **cfg, vg_qc_plan **plan, vg_errinfo *err)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml, YAML_HEAD "%s", extra);
    *plan = NULL;
    *cfg = NULL;
    vg_err rc = vg_config_load_string(yaml, strlen(yaml), "t.yaml", cfg, err);
    return rc == VG_OK ? vg_qc_plan_build(*cfg, plan, err) : rc;
}

typedef struct two {
    size_t n;
    vg_flag f[N];
} two;

static void collect_a(void *ctx, const vg_sample *s)
{
    two *k = ctx;
    if (k->n < N)
        k->f[k->n++] = s->qc[VG_P_SLEV].test[WLN_ID];
}

static void ignore(void *ctx, const vg_sample *s)
{
    (void)ctx;
    (void)s;
}

/* Gauge A against its neighbour B (another datum, stamps 20 s later), tolerance 120 s. */
static void test_nearby(void)
{
    const char *yaml =
        "storage: {path: /tmp/unused}\n"
        "platforms:\n"
        "  - {id: A, kind: tide_gauge, interval_s: 360, parameters: [SLEV], neighbour: B}\n"
        "  - {id: B, kind: tide_gauge, interval_s: 360, parameters: [SLEV]}\n"
        "qc:\n  chains:\n    tide_gauge:\n"
        "      - test: wl_neighbour\n"
        "        parameters: {SLEV: {reference: neighbour, tolerance_s: 120}}\n";
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err = {0};
    CHECK_MSG(vg_config_load_string(yaml, strlen(yaml), "n.yaml", &cfg, &err) == VG_OK &&
                  vg_qc_plan_build(cfg, &plan, &err) == VG_OK, "%s", err.text);
    if (!plan)
        return;
    CHECK(cfg->platforms[0].neighbour_index == 1 && cfg->platforms[1].neighbour_index == -1);
    vg_qc_peers *peers;
    CHECK(vg_qc_peers_new(cfg->n_platforms, &peers, &err) == VG_OK);
    static two ka, kb, kbatch;
    vg_qc_stream *a, *b, *lone;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &a, &err) == VG_OK);
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[1], &b, &err) == VG_OK);
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &lone, &err) == VG_OK); /* no store */
    vg_qc_stream_set_peers(a, peers, 0);
    vg_qc_stream_set_peers(b, peers, 1);
    for (int i = 0; i < N; i++) {
        vg_time_us ta = T0 + (vg_time_us)i * 360 * VG_US_PER_S, tb = ta + 20 * VG_US_PER_S;
        double h = 1.2 * cos(2 * M_PI * i / 124.2) + 0.1 * sin(i / 90.0);
        double hb = 1.2 * cos(2 * M_PI * (i + 20.0 / 360) / 124.2) + 0.1 * sin(i / 90.0);
        double va = 3.2 + h + (i == 100 ? 0.04 : i == 150 ? 0.08 : 0);
        double vb = 1.7 + hb + (i == 200 ? 0.08 : 0);
        vg_sample s;
        vg_sample_init(&s);
        if (i != 300) { /* B's sample arrives first, as a live neighbour's may */
            vg_sample_set_platform(&s, "B", 1);
            s.time = tb;
            vg_sample_set(&s, VG_P_SLEV, vb);
            CHECK(vg_qc_stream_push(b, &s, 0, collect_a, &kb, &err) == VG_OK);
        }
        vg_sample_init(&s);
        vg_sample_set_platform(&s, "A", 1);
        s.time = ta;
        vg_sample_set(&s, VG_P_SLEV, va);
        CHECK(vg_qc_stream_push(a, &s, 0, collect_a, &ka, &err) == VG_OK);
        CHECK(vg_qc_stream_push(lone, &s, 0, collect_a, &kbatch, &err) == VG_OK);
    }
    vg_qc_stream_flush(a, collect_a, &ka);
    vg_qc_stream_flush(b, ignore, NULL);
    vg_qc_stream_flush(lone, collect_a, &kbatch);
    CHECK(ka.n == N);
    /* B has no neighbour; the stream without the store cannot pair */
    int b_judged = 0, lone_judged = 0, other = 0;
    for (size_t i = 0; i < kb.n; i++)
        b_judged += kb.f[i] != 0;
    for (size_t i = 0; i < kbatch.n; i++)
        lone_judged += kbatch.f[i] != 0;
    CHECK(b_judged == 0 && lone_judged == 0);
    CHECK(ka.f[0] == 0 && ka.f[2] == 0 && ka.f[3] == 1);
    CHECK_MSG(ka.f[100] == 3 && ka.f[150] == 4, "%d %d", ka.f[100], ka.f[150]);
    CHECK_MSG(ka.f[200] == 4, "the neighbour's fault flags A too: %d", ka.f[200]);
    CHECK_MSG(ka.f[300] == 0, "no B within 120 s: %d", ka.f[300]);
    for (int i = 3; i < N; i++)
        other += ka.f[i] != 1 && i != 100 && i != 150 && i != 200 && i != 300;
    CHECK_MSG(other == 0, "%d false alarms (a 20 s pairing offset on a 1.2 m tide moves the "
              "difference by up to 4 mm)", other);
    vg_qc_stream_free(a);
    vg_qc_stream_free(b);
    vg_qc_stream_free(lone);
    vg_qc_peers_free(peers);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);

    /* configuration errors, with their line */
    static const struct { const char *plats, *want; } bad[] = {
        {"  - {id: A, kind: tide_gauge, interval_s: 360, parameters: [SLEV], neighbour: C}\n",
         "n.yaml:3: platforms[].neighbour 'C' of 'A' is not a configured platform"},
        {"  - {id: A, kind: tide_gauge, interval_s: 360, parameters: [SLEV], neighbour: A}\n",
         "n.yaml:3: platforms[].neighbour of 'A' is itself"},
        {"  - {id: A, kind: tide_gauge, interval_s: 360, parameters: [SLEV], neighbour: T}\n"
         "  - {id: T, kind: mooring, interval_s: 360, parameters: [TEMP]}\n",
         "n.yaml:3: platforms[].neighbour: 'A' and 'T' must both have SLEV"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char y[512];
        snprintf(y, sizeof y, "storage: {path: /tmp/unused}\nplatforms:\n%s", bad[i].plats);
        cfg = NULL;
        CHECK(vg_config_load_string(y, strlen(y), "n.yaml", &cfg, &err) == VG_ERR_CONFIG);
        CHECK_MSG(strstr(err.text, bad[i].want) != NULL, "%s", err.text);
        vg_config_free(cfg);
    }
}

int main(void)
{
    const vg_qc_test *t = vg_qc_test_find("wl_neighbour");
    CHECK(t && t->id == WLN_ID && !t->needs_next && vg_qc_test_by_id(WLN_ID) == t);
    double o[VG_QC_MAX_OPTS];
    CHECK(t && t->defaults(VG_P_SLEV, o) && o[0] == 0 && o[1] == 0.03 && o[2] == 0.05 &&
          o[3] == 86400 && o[4] == 3 && o[5] == 0);
    CHECK(t && !t->defaults(VG_P_TEMP, o));

    vg_config *cfg;
    vg_qc_plan *plan;
    vg_errinfo err = {0};
    CHECK_MSG(load("", &cfg, &plan, &err) == VG_OK, "%s", err.text);
    if (!plan)
        return check_summary();
    CHECK(plan->chains[VG_KIND_TIDE_GAUGE].steps[0].params == VG_PARAM_BIT(VG_P_SLEV));

    static sink k;
    vg_qc_stream *st;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) == VG_OK);
    for (int i = 0; i < N; i++) {
        vg_sample s;
        vg_sample_init(&s);
        vg_sample_set_platform(&s, "TG1", 3);
        s.time = T0 + (vg_time_us)i * 360 * VG_US_PER_S;
        /* a 1.2 m semidiurnal tide and a surge both sensors see; 1 mm of independent,
         * deterministic noise each */
        double h = 1.2 * cos(2 * M_PI * i / 124.2) + 0.1 * sin(i / 90.0);
        double radar = 3.2 + h + 0.001 * sin(i * 1.7);
        double column = 5.0 + h + 0.001 * cos(i * 2.3);
        radar += i == 100 ? 0.04 : i == 150 ? 0.08 : i >= 400 ? 0.1 : 0; /* radar faults */
        column += i == 200 ? -0.04 : i == 250 ? -0.08 : 0;               /* pressure faults */
        double atms = 1013 + 5 * sin(i / 40.0);
        if (i != 300 && i != 301) /* 300-301: the radar is down, SLEV from the pressures */
            vg_sample_set(&s, VG_P_SLEV, radar);
        if (i != 350) /* 350: no pressure sensor reading */
            vg_sample_set(&s, VG_P_BPRS, bprs_of(column, atms));
        vg_sample_set(&s, VG_P_ATMS, atms);
        CHECK(vg_qc_stream_push(st, &s, 0, collect, &k, &err) == VG_OK);
    }
    vg_qc_stream_flush(st, collect, &k);
    vg_qc_stream_free(st);
    CHECK(k.n == N);

    /* min_count 3: the first three have too few earlier pairs */
    CHECK(k.f[0] == 0 && k.f[1] == 0 && k.f[2] == 0 && k.f[3] == 1);
    CHECK_MSG(k.f[100] == 3 && k.f[150] == 4, "%d %d", k.f[100], k.f[150]);
    CHECK_MSG(k.f[200] == 3 && k.f[250] == 4, "%d %d", k.f[200], k.f[250]);
    CHECK(k.agg[150] == 4 && k.agg[250] == 4);
    CHECK(k.f[300] == 0 && k.f[301] == 0 && k.f[350] == 0);
    /* a lasting radar step of 10 cm at 400: the day's window before sample j holds pairs
     * j-240..j-1 but 300, 301 and 350 (no second sensor): 237 pairs, whose median is the
     * step once 119 of them are after it, from j = 519 on */
    int n4 = 0, n1 = 0, other = 0;
    for (int i = 400; i < 519; i++)
        n4 += k.f[i] == 4;
    for (int i = 519; i < N; i++)
        n1 += k.f[i] == 1;
    for (int i = 3; i < 400; i++)
        other += k.f[i] != 1 && i != 100 && i != 150 && i != 200 && i != 250 && i != 300 &&
                 i != 301 && i != 350;
    CHECK_MSG(n4 == 119, "%d of 119 flagged 4 after the step", n4);
    CHECK_MSG(n1 == N - 519, "%d of %d passed after the offset caught up", n1, N - 519);
    CHECK_MSG(other == 0, "%d false alarms", other);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);

    /* the configuration: a reference vigie does not know, with its line */
    CHECK(load("        parameters: {SLEV: {reference: radar}}\n", &cfg, &plan, &err) ==
          VG_ERR_CONFIG);
    CHECK_MSG(strstr(err.text, "t.yaml:9: wl_neighbour.reference for SLEV must be one of: "
                               "pressure, neighbour") != NULL, "%s", err.text);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
    CHECK(load("        parameters: {SLEV: {reference: pressure, fail_threshold: 0.1}}\n",
               &cfg, &plan, &err) == VG_OK);
    if (plan)
        CHECK(plan->chains[VG_KIND_TIDE_GAUGE].steps[0].opts[VG_P_SLEV][2] == 0.1);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
    test_nearby();
    return check_summary();
}
