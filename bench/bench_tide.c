/* bench_tide.c: speed of the tide/ layer on one core: harmonic analysis of a year of hourly
 * sea level (8760 heights, 2 % gaps) with the automatic Rayleigh selection (59
 * constituents, 119 unknowns), best and median of several runs against the 50 ms
 * target; prediction throughput, points/s, for hourly and 1-minute steps; and the residual
 * QC of qc/sealevel.h (spikes, datum shifts, clock offset) in samples/s on a year of
 * 6-minute data; and the stream engine's default tide_gauge chain on that year (QARTOD
 * water-level tests, tide_residual, the daily datum-shift and clock-offset watch), samples/s,
 * against the same chain for a gauge without constituents; and the engine's time per
 * 6-minute round of 100 live gauges around midnight, with their daily analyses all at 00:00
 * (qc.sea_level_spread_s 0) and spread over 00:00-06:00 (the default). The records are synthetic (a predictor of 59 constituents plus noise) so
 * the bench needs no shared data.
 * Prints figures and ratios; asserts nothing.
 * usage: bench_tide [RUNS]   (default 15) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "qc/plan.h"
#include "qc/stream.h"
#include "tide/constfile.h"

#include "qc/sealevel.h"
#include "tide/analysis.h"
#include "tide/constituents.h"
#include "tide/predict.h"

#define T0 (INT64_C(1262304000) * VG_US_PER_S) /* 2010-01-01T00:00:00Z */
#define HOUR (INT64_C(3600) * VG_US_PER_S)
#define TARGET_ANALYSIS_MS 50.0

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, const vg_errinfo *err)
{
    fprintf(stderr, "bench_tide: %s: %s\n", what, err->text);
    exit(1);
}

static void count_sample(void *ctx, const vg_sample *s)
{
    (void)s;
    (*(size_t *)ctx)++;
}

static void count_event(void *ctx, const vg_event *ev)
{
    (void)ev;
    (*(size_t *)ctx)++;
}

/* The default tide_gauge chain in the stream engine on n 6-minute samples of platform
 * `pf` (index into cfg); returns samples/s of the whole, counts the events raised and the
 * daily analyses, and gives their share of the time (s). */
static double bench_stream(const vg_config *cfg, const vg_qc_plan *plan, size_t pf,
                           const vg_time_us *t, const double *h, size_t n, size_t *events,
                           size_t *analyses, double *analysis_s)
{
    vg_errinfo err;
    vg_qc_stream *st;
    if (vg_qc_stream_new(plan, &cfg->platforms[pf], &st, &err) != VG_OK)
        die("stream", &err);
    vg_sample s;
    vg_sample_init(&s);
    vg_sample_set_platform(&s, cfg->platforms[pf].id, strlen(cfg->platforms[pf].id));
    s.lat_deg = 21.3;
    s.lon_deg = -157.9;
    size_t out = 0;
    *events = *analyses = 0;
    int64_t in_analysis = 0;
    int64_t a = vg_time_mono_us();
    for (size_t i = 0; i < n; i++) {
        s.time = t[i];
        vg_sample_set(&s, VG_P_SLEV, h[i]);
        if (vg_qc_stream_push(st, &s, 0, count_sample, &out, &err) != VG_OK)
            die("push", &err);
        if (vg_qc_stream_events_due(st)) {
            int64_t b0 = vg_time_mono_us();
            if (vg_qc_stream_run_events(st, count_event, events, &err) != VG_OK)
                die("events", &err);
            in_analysis += vg_time_mono_us() - b0;
            (*analyses)++;
        }
    }
    *analysis_s = (double)in_analysis / 1e6;
    vg_qc_stream_flush(st, count_sample, &out);
    double sec = (double)(vg_time_mono_us() - a) / 1e6;
    vg_qc_stream_free(st);
    return (double)out / sec;
}

/* 100 live 6-minute tide gauges with constituents, each seeded with its 33 days (as after a
 * start), then fed from 23:00 to 07:00 UTC one 6-minute round at a time (a sample of every
 * gauge, as they arrive together in a live daemon): the engine's time per round is what a
 * sample arriving then waits. qc.sea_level_spread_s 0 runs the 100 daily analyses in the
 * 00:00 round; 21600 spreads them over 00:00-06:00. Prints the worst and median round. */
#define SPREAD_GAUGES 100
static void bench_spread(const char *cpath, const vg_tide_model *truth, double spread_s)
{
    static char yaml[64 * 1024];
    size_t len = (size_t)snprintf(yaml, sizeof yaml,
                                  "storage: {path: /tmp/unused}\nqc: {sea_level_spread_s: %g}\n"
                                  "platforms:\n", spread_s);
    for (int g = 0; g < SPREAD_GAUGES; g++)
        len += (size_t)snprintf(yaml + len, sizeof yaml - len,
                                "  - {id: TG%03d, kind: tide_gauge, interval_s: 360, parameters: "
                                "[SLEV], position: [21.3, -157.9], constituents: %s}\n",
                                g, cpath);
    vg_config *cfg;
    vg_qc_plan *plan;
    vg_errinfo err;
    if (vg_config_load_string(yaml, len, "spread.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK)
        die("configuration", &err);
    vg_tide_predictor *p = malloc(sizeof *p);
    if (vg_tide_predictor_init(p, truth, &err) != VG_OK)
        die("predictor", &err);
    const vg_time_us step = 360 * VG_US_PER_S, day = 86400 * VG_US_PER_S;
    const vg_time_us midnight = T0 + 40 * day;
    vg_qc_stream *st[SPREAD_GAUGES];
    int64_t a = vg_time_mono_us();
    for (int g = 0; g < SPREAD_GAUGES; g++) {
        if (vg_qc_stream_new(plan, &cfg->platforms[g], &st[g], &err) != VG_OK)
            die("stream", &err);
        for (vg_time_us t = midnight - 33 * day; t < midnight - 3600 * VG_US_PER_S; t += step)
            vg_qc_stream_seed_sea_level(st[g], t, vg_tide_predict_at(p, t));
        if (vg_qc_stream_seed_done(st[g], &err) != VG_OK)
            die("seed", &err);
    }
    double seed_s = (double)(vg_time_mono_us() - a) / 1e6;
    enum { ROUNDS = 80 }; /* 23:00 .. 06:54 */
    double round_ms[ROUNDS], sorted[ROUNDS];
    size_t out = 0, events = 0, analyses = 0;
    int worst = 0;
    vg_sample s;
    vg_sample_init(&s);
    s.lat_deg = 21.3;
    s.lon_deg = -157.9;
    for (int r = 0; r < ROUNDS; r++) {
        vg_time_us t = midnight - 3600 * VG_US_PER_S + r * step;
        double v = vg_tide_predict_at(p, t);
        int64_t b = vg_time_mono_us();
        for (int g = 0; g < SPREAD_GAUGES; g++) {
            vg_sample_set_platform(&s, cfg->platforms[g].id, strlen(cfg->platforms[g].id));
            s.time = t;
            vg_sample_set(&s, VG_P_SLEV, v);
            if (vg_qc_stream_push(st[g], &s, 0, count_sample, &out, &err) != VG_OK)
                die("push", &err);
            if (vg_qc_stream_events_due(st[g])) {
                analyses++;
                if (vg_qc_stream_run_events(st[g], count_event, &events, &err) != VG_OK)
                    die("events", &err);
            }
        }
        round_ms[r] = sorted[r] = (double)(vg_time_mono_us() - b) / 1e3;
        if (round_ms[r] > round_ms[worst])
            worst = r;
    }
    qsort(sorted, ROUNDS, sizeof sorted[0], cmp_double);
    char when[VG_TIME_ISO_LEN];
    printf("daily analyses of %d 6-minute gauges, qc.sea_level_spread_s %g: %zu analyses "
           "between 23:00 and 07:00; worst 6-minute round (a sample of every gauge) %.0f ms "
           "at %s, median %.1f ms (seeding 33 days each: %.1f s)\n",
           SPREAD_GAUGES, spread_s, analyses, round_ms[worst],
           vg_time_format_iso8601(midnight - 3600 * VG_US_PER_S + worst * step, when),
           sorted[ROUNDS / 2], seed_s);
    for (int g = 0; g < SPREAD_GAUGES; g++)
        vg_qc_stream_free(st[g]);
    free(p);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 15;
    if (runs < 1)
        runs = 1;
    /* a model of every constituent a year resolves, amplitudes falling with the index */
    int idx[VG_TIDE_NCONST];
    size_t nc;
    vg_tide_select(8759.0, 1.0, T0 + 4380 * HOUR, idx, VG_TIDE_NCONST, &nc);
    vg_tide_model truth;
    vg_tide_model_init(&truth);
    truth.latitude_deg = 21.3;
    truth.z0 = 1.4;
    for (size_t j = 0; j < nc; j++) {
        vg_tide_coef c = {.k = idx[j], .amp = 0.2 / (1.0 + (double)(j % 17)),
                          .phase_deg = fmod(37.0 * (double)j, 360.0)};
        vg_tide_model_add(&truth, &c);
    }
    vg_tide_predictor *p = malloc(sizeof *p);
    vg_errinfo err;
    if (vg_tide_predictor_init(p, &truth, &err) != VG_OK)
        die("predictor", &err);

    size_t n = 8760;
    vg_time_us *t = malloc(n * sizeof *t);
    double *h = malloc(n * sizeof *h);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        t[i] = T0 + (vg_time_us)i * HOUR;
        x = x * 1664525u + 1013904223u;
        h[i] = (i % 50 == 7) ? NAN : vg_tide_predict_at(p, t[i]) + 0.03 * ((double)(x >> 8) / 8388608.0 - 1.0);
    }

    double *ms = malloc((size_t)runs * sizeof *ms);
    vg_tide_analysis_opts o = {.latitude_deg = 21.3, .rayleigh = 1.0};
    size_t fitted = 0;
    for (int r = 0; r < runs; r++) {
        vg_tide_model m;
        int64_t a = vg_time_mono_us();
        if (vg_tide_analyse(t, h, n, &o, &m, &err) != VG_OK)
            die("analysis", &err);
        ms[r] = (double)(vg_time_mono_us() - a) / 1e3;
        fitted = m.n;
        vg_tide_model_free(&m);
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
    printf("tide analysis: %zu hourly heights, %zu constituents (%zu unknowns): best %.1f ms, "
           "median %.1f ms over %d runs (target < %.0f ms: best %.2fx the target)\n",
           n, fitted, 1 + 2 * fitted, ms[0], ms[runs / 2], runs, TARGET_ANALYSIS_MS,
           ms[0] / TARGET_ANALYSIS_MS);

    static const struct { const char *what; int64_t step_s; size_t points; } pr[] = {
        {"hourly", 3600, 8760 * 10}, {"1-minute", 60, 525600 * 2},
    };
    for (size_t k = 0; k < sizeof pr / sizeof pr[0]; k++) {
        vg_tide_predictor_init(p, &truth, &err);
        double sum = 0;
        int64_t a = vg_time_mono_us();
        for (size_t i = 0; i < pr[k].points; i++)
            sum += vg_tide_predict_at(p, T0 + (vg_time_us)i * pr[k].step_s * VG_US_PER_S);
        double s = (double)(vg_time_mono_us() - a) / 1e6;
        printf("tide prediction, %zu constituents, %s steps: %.3g points/s (%.0f ns/point; "
               "checksum %.6g)\n", nc, pr[k].what, (double)pr[k].points / s,
               s * 1e9 / (double)pr[k].points, sum);
    }
    /* residual QC on a year of 6-minute data (87600 samples) */
    size_t n6 = 87600;
    vg_time_us *t6 = malloc(n6 * sizeof *t6);
    double *h6 = malloc(n6 * sizeof *h6);
    vg_flag *fl = malloc(n6);
    vg_sl_event *ev = malloc(1000 * sizeof *ev);
    vg_tide_predictor_init(p, &truth, &err);
    for (size_t i = 0; i < n6; i++) {
        t6[i] = T0 + (vg_time_us)i * 360 * VG_US_PER_S;
        x = x * 1664525u + 1013904223u;
        h6[i] = vg_tide_predict_at(p, t6[i]) + 0.01 * ((double)(x >> 8) / 8388608.0 - 1.0);
    }
    size_t ne;
    vg_sl_event clk;
    int64_t a = vg_time_mono_us();
    vg_sl_spikes(p, t6, h6, n6, NULL, fl, ev, 1000, &ne, &err);
    double s_sp = (double)(vg_time_mono_us() - a) / 1e6;
    a = vg_time_mono_us();
    vg_sl_datum_shifts(p, t6, h6, n6, NULL, fl, ev, 1000, &ne, &err);
    double s_dt = (double)(vg_time_mono_us() - a) / 1e6;
    a = vg_time_mono_us();
    vg_sl_clock_offset(p, t6, h6, 30 * 240, 120, &clk, &err); /* a month */
    double s_ck = (double)(vg_time_mono_us() - a) / 1e6;
    printf("residual QC, 59 constituents, 6-minute data: spikes %.3g samples/s (12 h window), "
           "datum shifts %.3g samples/s, clock offset of a month (7200 samples) %.0f ms\n",
           (double)n6 / s_sp, (double)n6 / s_dt, s_ck * 1e3);

    /* the stream: the default tide_gauge chain, with and without the station's tide */
    char cpath[] = "/tmp/bench_tide_XXXXXX";
    int fd = mkstemp(cpath);
    FILE *cf = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!cf || vg_tide_model_write(&truth, cf, cpath, NULL, &err) != VG_OK || fclose(cf) != 0)
        die("constituents file", &err);
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "storage: {path: /tmp/unused}\n"
             "platforms:\n"
             "  - {id: TIDE, kind: tide_gauge, interval_s: 360, parameters: [SLEV],\n"
             "     position: [21.3, -157.9], constituents: %s}\n"
             "  - {id: BARE, kind: tide_gauge, interval_s: 360, parameters: [SLEV],\n"
             "     position: [21.3, -157.9]}\n",
             cpath);
    vg_config *cfg;
    vg_qc_plan *plan;
    if (vg_config_load_string(yaml, strlen(yaml), "bench.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK)
        die("configuration", &err);
    unlink(cpath);
    size_t ev_tide, ev_bare, an_tide, an_bare;
    double s_an_tide, s_an_bare;
    double r_tide = bench_stream(cfg, plan, 0, t6, h6, n6, &ev_tide, &an_tide, &s_an_tide);
    double r_bare = bench_stream(cfg, plan, 1, t6, h6, n6, &ev_bare, &an_bare, &s_an_bare);
    double s_tide = (double)n6 / r_tide, per_sample = s_tide - s_an_tide;
    printf("stream, default tide_gauge chain, a year of 6-minute data (87600 samples): with "
           "the tide %.3g samples/s overall; per sample (chain, tide_residual, monitor ring) "
           "%.3g samples/s; %zu daily analyses (datum shifts over 33 days, 7920 samples; "
           "spikes on a day; clock +-120 min over the last 3 days) %.1f ms each; %zu events "
           "on clean data\n",
           r_tide, (double)n6 / per_sample, an_tide, s_an_tide * 1e3 / (double)an_tide,
           ev_tide);
    printf("stream, the same chain without constituents (no residual, no watch): %.3g "
           "samples/s (%zu analyses)\n",
           r_bare, an_bare);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
    /* 100 gauges at midnight: all analyses at once, then spread over six hours */
    memcpy(cpath + sizeof cpath - 7, "XXXXXX", 6);
    fd = mkstemp(cpath);
    cf = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!cf || vg_tide_model_write(&truth, cf, cpath, NULL, &err) != VG_OK || fclose(cf) != 0)
        die("constituents file", &err);
    bench_spread(cpath, &truth, 0);
    bench_spread(cpath, &truth, 21600);
    unlink(cpath);
    free(t6);
    free(h6);
    free(fl);
    free(ev);
    free(ms);
    free(t);
    free(h);
    free(p);
    vg_tide_model_free(&truth);
    return 0;
}
