/* bench_tide.c: speed of the tide/ layer on one core: harmonic analysis of a year of hourly
 * sea level (8760 heights, 2 % gaps) with the automatic Rayleigh selection (59
 * constituents, 119 unknowns), best and median of several runs against the 50 ms
 * target; prediction throughput, points/s, for hourly and 1-minute steps; and the residual
 * QC of qc/sealevel.h (spikes, datum shifts, clock offset) in samples/s on a year of
 * 6-minute data. The records are synthetic (a predictor of 59 constituents plus noise) so
 * the bench needs no shared data.
 * Prints figures and ratios; asserts nothing.
 * usage: bench_tide [RUNS]   (default 15) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
