/* bench_qc.c: throughput of the QC engine alone (no parsing, no storage) on one core, for
 * one platform stream of 1 Hz samples: the whole GOSUD chain of the embedded configuration
 * (position_on_land and climatology on the ferret-datasets grids) on a TSG stream, then each
 * QARTOD test alone through the stream engine and as a bare `run` call. Prints samples/s,
 * ns/sample, the per-stream state bytes and the ratios to the targets; asserts nothing.
 * usage: bench_qc [SAMPLES] [gosud|qartod|digest] [TEST]   (default 31536000, a year at 1 Hz;
 * gosud or qartod: that part only; digest: both, with a hash of every flag of the GOSUD
 * chain and of each QARTOD one-test chain, to check that an optimisation left the results
 * unchanged: compare them before and after; TEST: only the QARTOD test of that name, e.g.
 * qartod_flat_line under callgrind) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/setup.h"
#include "qc/stream.h"

/* Samples come from a ring of RING pre-built samples whose time stamps are patched in as
 * the bench goes (one store per sample). The ring is a closed loop: the ship sails a circle
 * of RING seconds at 10 kn and the values are periodic over RING, so the stream has no jump
 * when the ring wraps. The cost of the patching loop alone is measured and subtracted. */
#define RING 4096u
#define T0 (INT64_C(1735689600) * VG_US_PER_S) /* 2025-01-01T00:00:00Z */
#define TARGET_CHAIN 5e6                       /* samples/s, whole GOSUD chain */
#define TARGET_TEST 50e6                       /* samples/s, each simple QARTOD test */

static vg_sample *ring;

/* The bench thread's CPU time, microseconds: on a machine shared with other jobs the wall
 * clock also counts the time the scheduler gave to them (figures varied by 2x under load),
 * the thread's CPU time only the bench's own. On an idle machine both are the same. */
static int64_t cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what, const vg_errinfo *err)
{
    fprintf(stderr, "bench_qc: %s: %s\n", what, err ? err->text : "");
    exit(1);
}

/* Small deterministic noise in [-1, 1). */
static double noise(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return (double)(*x >> 8) / (double)(1u << 23) - 1.0;
}

/* TSG ring: SSJT, CNDC, SSPS, SPDC, FLOW, PRES and a position moving on a circle in the
 * Bay of Biscay (deep water, inside the climatology grids). Mooring ring: TEMP only, at a
 * fixed position inside the qartod_location box of the one-test chains. */
static void ring_fill(int tsg)
{
    uint32_t x = 12345;
    const double speed_ms = 10 * 1852.0 / 3600.0, r_m = speed_ms * RING / (2 * M_PI);
    for (unsigned i = 0; i < RING; i++) {
        vg_sample *s = &ring[i];
        double th = 2 * M_PI * i / RING;
        vg_sample_init(s);
        if (tsg) {
            vg_sample_set_platform(s, "SIMTSG", 6);
            vg_sample_set(s, VG_P_SSJT, 14.0 + 0.5 * sin(th) + 0.01 * noise(&x));
            vg_sample_set(s, VG_P_CNDC, 4.30 + 0.05 * sin(th) + 0.001 * noise(&x));
            vg_sample_set(s, VG_P_SSPS, 35.6 + 0.05 * cos(th) + 0.002 * noise(&x));
            vg_sample_set(s, VG_P_SPDC, 10.0 + 0.1 * noise(&x));
            vg_sample_set(s, VG_P_FLOW, 3.0 + 0.1 * noise(&x));
            vg_sample_set(s, VG_P_PRES, 1.5 + 0.05 * noise(&x));
            if (i % 512 == 100) /* a spike in both, so that failing paths run too */
                s->value[VG_P_SSJT] += 8, s->value[VG_P_SSPS] -= 3;
            if (i % 1024 == 700) /* a missing value */
                s->value[VG_P_CNDC] = NAN;
            if (i % 2048 >= 1000 && i % 2048 < 1010) /* a pump stop */
                s->value[VG_P_FLOW] = 0;
            s->lat_deg = 45.0 + r_m / 111195.0 * sin(th);
            s->lon_deg = -12.0 + r_m / (111195.0 * cos(45.0 * M_PI / 180)) * cos(th);
        } else {
            vg_sample_set_platform(s, "MOOR", 4);
            vg_sample_set(s, VG_P_TEMP, 10.0 + 0.3 * sin(th) + 0.02 * noise(&x) +
                                            (i % 512 == 100 ? 5 : 0));
            s->lat_deg = 45.0;
            s->lon_deg = 5.0;
        }
    }
}

/* ns per sample of the generation alone: patch the time of the ring slot, nothing else. */
static double gen_ns(long n)
{
    int64_t t0 = cpu_us();
    for (long i = 0; i < n; i++) {
        vg_sample *s = &ring[(unsigned long)i & (RING - 1)];
        s->time = s->received = T0 + i * VG_US_PER_S;
        __asm__ volatile("" : : "r"(s) : "memory");
    }
    return (double)(cpu_us() - t0) * 1e3 / (double)n;
}

typedef struct sink {
    uint64_t n;
    uint64_t agg[10]; /* histogram of the aggregate flags of every present value */
    uint64_t digest;  /* FNV-1a of every flag (digest mode only) */
    int full;
} sink;

static void fnv(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * UINT64_C(1099511628211);
}

static void count(void *ctx, const vg_sample *s) { ((sink *)ctx)->n++; }

static void tally(void *ctx, const vg_sample *s)
{
    sink *k = ctx;
    k->n++;
    uint32_t m = s->present;
    while (m) {
        int p = __builtin_ctz(m);
        m &= m - 1;
        k->agg[s->qc[p].agg <= 9 ? s->qc[p].agg : 0]++;
    }
    if (k->full) {
        fnv(&k->digest, &s->time, sizeof s->time);
        fnv(&k->digest, s->qc, sizeof s->qc);
        fnv(&k->digest, &s->time_qc, sizeof s->time_qc);
        fnv(&k->digest, &s->pos_qc, sizeof s->pos_qc);
    }
}

/* Push n samples of the ring through st; returns seconds. */
static double run_stream(vg_qc_stream *st, long n, vg_qc_emit emit, sink *k)
{
    vg_errinfo err;
    int64_t t0 = cpu_us();
    for (long i = 0; i < n; i++) {
        vg_sample *s = &ring[(unsigned long)i & (RING - 1)];
        s->time = s->received = T0 + i * VG_US_PER_S;
        if (vg_qc_stream_push(st, s, 0, emit, k, &err) != VG_OK)
            die("push", &err);
    }
    vg_qc_stream_flush(st, emit, k);
    return (double)(cpu_us() - t0) / 1e6;
}

/* Call t->run directly on the ring, with the engine's window (prev, cur, next). */
static double run_bare(const vg_qc_step *step, long n, uint64_t *sum)
{
    const vg_qc_test *t = step->test;
    int p = t->target == VG_QC_ON_PARAM ? VG_P_TEMP : -1;
    const double *o = step->opts[p < 0 ? 0 : p];
    char why[200];
    size_t bytes = t->sized_state ? t->sized_state(o, 1, NULL, why, sizeof why) : t->state_size;
    void *state = bytes ? calloc(1, bytes) : NULL;
    if (state && t->sized_state)
        t->sized_state(o, 1, state, why, sizeof why); /* the bench's 1 Hz */
    vg_qc_refs refs = {0};
    uint64_t acc = 0;
    ring[0].time = T0;
    int64_t t0 = cpu_us();
    for (long i = 0; i < n; i++) {
        unsigned long c = (unsigned long)i & (RING - 1);
        vg_sample *next = &ring[(c + 1) & (RING - 1)];
        next->time = T0 + (i + 1) * VG_US_PER_S;
        vg_qc_window w = {.prev = i ? &ring[(c - 1) & (RING - 1)] : NULL,
                          .cur = &ring[c],
                          .next = next,
                          .refs = &refs};
        acc += t->run(step->opts[p < 0 ? 0 : p], state, &w, p);
    }
    double s = (double)(cpu_us() - t0) / 1e6;
    free(state);
    *sum = acc;
    return s;
}

static const struct {
    const char *name, *yaml; /* the step of the one-test chain */
} qartod[] = {
    {"qartod_gross_range", "      - test: qartod_gross_range\n        parameters: {TEMP: "
                           "{fail_min: -2.5, fail_max: 40, suspect_min: 0, suspect_max: 30}}\n"},
    {"qartod_spike", "      - test: qartod_spike\n        parameters: {TEMP: "
                     "{suspect_threshold: 0.5, fail_threshold: 1}}\n"},
    {"qartod_rate_of_change",
     "      - test: qartod_rate_of_change\n        parameters: {TEMP: {threshold: 0.01}}\n"},
    {"qartod_flat_line", "      - test: qartod_flat_line\n        parameters: {TEMP: "
                         "{suspect_threshold_s: 180, fail_threshold_s: 300, tolerance: 0.01}}\n"},
    {"qartod_attenuated_signal",
     "      - test: qartod_attenuated_signal\n        parameters: {TEMP: "
     "{suspect_threshold: 0.05, fail_threshold: 0.001, period_s: 600}}\n"},
    {"qartod_time_gap", "      - test: qartod_time_gap\n        options: {max_gap_s: 120}\n"},
    {"qartod_location", "      - test: qartod_location\n        options: "
                        "{lon_min: 0, lat_min: 40, lon_max: 10, lat_max: 50}\n"},
    {"(empty chain)", NULL},
};

static void one_test(size_t i, long n, double g, int digest)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "storage: {path: /tmp/unused}\n"
             "platforms:\n  - {id: MOOR, kind: mooring, interval_s: 1, parameters: [TEMP]}\n"
             "qc:\n  chains:\n    mooring:%s",
             qartod[i].yaml ? "\n" : " []\n");
    if (qartod[i].yaml)
        strncat(yaml, qartod[i].yaml, sizeof yaml - strlen(yaml) - 1);
    vg_config *cfg;
    vg_qc_plan *plan;
    vg_errinfo err;
    if (vg_config_load_string(yaml, strlen(yaml), "bench.yaml", &cfg, &err) != VG_OK)
        die(qartod[i].name, &err);
    if (vg_qc_plan_build(cfg, &plan, &err) != VG_OK)
        die(qartod[i].name, &err);
    vg_qc_stream *st;
    if (vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) != VG_OK)
        die("stream", &err);
    sink k = {.full = digest, .digest = UINT64_C(14695981039346656037)};
    double ts = run_stream(st, n, digest ? tally : count, &k) - g * (double)n / 1e9;
    double ns = ts * 1e9 / (double)n;
    size_t bytes = vg_qc_stream_state_bytes(st);
    vg_qc_stream_free(st);
    const vg_qc_chain *ch = &plan->chains[VG_KIND_MOORING];
    if (ch->n_steps) {
        uint64_t sum;
        double tb = run_bare(&ch->steps[0], n, &sum) - g * (double)n / 1e9;
        printf("  %-25s %7.1f M/s %7.1f ns  x%5.2f  | run alone %6.1f ns (%7.1f M/s)  %5zu B\n",
               qartod[i].name, (double)n / ts / 1e6, ns, (double)n / ts / TARGET_TEST,
               tb * 1e9 / (double)n, (double)n / tb / 1e6, bytes);
    } else {
        printf("  %-25s %7.1f M/s %7.1f ns  (engine alone, one TEMP value)       %5zu B\n",
               qartod[i].name, (double)n / ts / 1e6, ns, bytes);
    }
    if (digest)
        printf("  %-25s digest of every flag: %016llx (the time above includes hashing it)\n",
               qartod[i].name, (unsigned long long)k.digest);
    if (k.n != (uint64_t)n)
        printf("  !! %s: %llu samples out of %ld\n", qartod[i].name, (unsigned long long)k.n, n);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* The embedded tsg chain on the TSG ring. */
static void bench_gosud(const vg_setup *setup, long n, int digest)
{
    vg_errinfo err;
    const vg_platform_cfg *sim = vg_config_platform(setup->cfg, "SIMTSG");
    if (!sim)
        die("no SIMTSG platform in the embedded configuration", NULL);
    /* SIMTSG at 1 Hz, with the parameters of the bench stream (SVEL and HCRS not sent) */
    vg_platform_cfg pf = *sim;
    pf.interval_s = 1;
    pf.params |= VG_PARAM_BIT(VG_P_FLOW) | VG_PARAM_BIT(VG_P_PRES);
    const vg_qc_chain *ch = &setup->plan->chains[pf.kind];

    ring_fill(1);
    double g = gen_ns(n);
    printf("bench_qc: %ld samples at 1 Hz (%.2f days), QC only: ring of %u pre-built samples, "
           "time patched in\n  (generation %.2f ns/sample, measured alone and subtracted; "
           "times are the thread's CPU time)\n",
           n, (double)n / 86400, RING, g);
    vg_qc_stream *st;
    if (vg_qc_stream_new(setup->plan, &pf, &st, &err) != VG_OK)
        die("stream", &err);
    sink k = {.full = digest, .digest = UINT64_C(14695981039346656037)};
    double ts = run_stream(st, n, tally, &k) - g * (double)n / 1e9;
    size_t bytes = vg_qc_stream_state_bytes(st);
    vg_qc_stream_free(st);
    printf("GOSUD chain (embedded tsg chain, %zu tests; SSJT CNDC SSPS SPDC FLOW PRES, moving)\n",
           ch->n_steps);
    printf("  %.2f M samples/s, %.1f ns/sample (%.2f s)  target >= %.0f M/s: x%.2f %s\n",
           (double)n / ts / 1e6, ts * 1e9 / (double)n, ts, TARGET_CHAIN / 1e6,
           (double)n / ts / TARGET_CHAIN, (double)n / ts >= TARGET_CHAIN ? "met" : "NOT met");
    printf("  state per stream: %zu bytes, the same after any number of samples\n", bytes);
    printf("  aggregate flags of the values: 0:%llu 1:%llu 2:%llu 3:%llu 4:%llu 6:%llu 9:%llu\n",
           (unsigned long long)k.agg[0], (unsigned long long)k.agg[1],
           (unsigned long long)k.agg[2], (unsigned long long)k.agg[3],
           (unsigned long long)k.agg[4], (unsigned long long)k.agg[6],
           (unsigned long long)k.agg[9]);
    if (digest)
        printf("  digest of every flag: %016llx (the time above includes hashing it)\n",
               (unsigned long long)k.digest);
    if (k.n != (uint64_t)n)
        printf("  !! %llu samples out of %ld\n", (unsigned long long)k.n, n);
}

/* Each QARTOD test alone on the mooring ring (only `only` if not NULL). */
static void bench_qartod(long n, const char *only, int digest)
{
    ring_fill(0);
    double g = gen_ns(n);
    printf("QARTOD tests alone (mooring, TEMP, one-test chain from YAML; target >= %.0f M/s; "
           "CPU time)\n"
           "  %-25s %11s %10s  %6s  | %-27s %s\n",
           TARGET_TEST / 1e6, "test", "engine", "", "ratio", "bare run call", "state");
    for (size_t i = 0; i < sizeof qartod / sizeof qartod[0]; i++)
        if (!only || strcmp(only, qartod[i].name) == 0)
            one_test(i, n, g, digest);
    printf("  (attenuated_signal: O(1) amortised, its window of period_s 600 at 1 Hz holds 600 "
           "samples in a ring of 639)\n");
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 31536000;
    const char *mode = argc > 2 ? argv[2] : "";
    const char *only = argc > 3 ? argv[3] : NULL;
    if (n < 10)
        n = 31536000;
    ring = calloc(RING, sizeof *ring);
    if (!ring)
        die("out of memory", NULL);
    vg_setup setup;
    vg_errinfo err;
    if (vg_setup_load(NULL, &setup, &err) != VG_OK)
        die("embedded configuration", &err);
    const int digest = strcmp(mode, "digest") == 0;
    if (strcmp(mode, "qartod") != 0 && !only)
        bench_gosud(&setup, n, digest);
    if (strcmp(mode, "gosud") != 0)
        bench_qartod(n, only, digest);
    vg_setup_free(&setup);
    free(ring);
    return 0;
}
