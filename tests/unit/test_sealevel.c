/* test_sealevel.c: unit tests of the sea-level QC on the residual (qc/sealevel.h) on
 * synthetic records: a tide of five constituents, a red-noise surge (3 cm, 6 h) and 5 mm of
 * white noise, 6-minute samples, with injected spikes, a datum shift and clock offsets of a
 * few minutes. Every spike must be flagged 4, the shift found where it is with its size,
 * the clock offset within 1 minute; a clean record must raise nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "qc/sealevel.h"
#include "tide/constituents.h"

#define STEP_US (INT64_C(360) * VG_US_PER_S)
#define T0 (INT64_C(1767225600) * VG_US_PER_S) /* 2026-01-01T00:00:00Z */

static vg_tide_model model;

static void make_model(void)
{
    static const struct { const char *n; double a, g; } c[] = {
        {"M2", 0.50, 100}, {"S2", 0.20, 130}, {"N2", 0.10, 80}, {"K1", 0.15, 210},
        {"O1", 0.10, 195},
    };
    vg_tide_model_init(&model);
    model.latitude_deg = 21.3;
    model.z0 = 1.5;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        vg_tide_coef k = {.k = vg_tide_const_find(c[i].n), .amp = c[i].a, .phase_deg = c[i].g};
        vg_tide_model_add(&model, &k);
    }
}

static double gauss(unsigned *s)
{
    double u1 = (rand_r(s) + 1.0) / (RAND_MAX + 2.0), u2 = (rand_r(s) + 1.0) / (RAND_MAX + 2.0);
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* n samples from T0: tide at t - clock_min (a clock clock_min minutes fast) + surge + noise */
static void make_record(vg_tide_predictor *p, size_t n, double clock_min, unsigned seed,
                        vg_time_us *t, double *h)
{
    double phi = exp(-0.1 / 6.0), surge = 0;
    for (size_t i = 0; i < n; i++) {
        t[i] = T0 + (vg_time_us)i * STEP_US;
        surge = phi * surge + 0.03 * sqrt(1 - phi * phi) * gauss(&seed);
        h[i] = vg_tide_predict_at(p, t[i] - llround(clock_min * 60e6)) + surge +
               0.005 * gauss(&seed);
    }
}

static void test_clock(vg_tide_predictor *p)
{
    static const double offsets[] = {0.0, 4.0, -2.5, 1.0, 45.0};
    size_t n = 30 * 240; /* 30 days */
    vg_time_us *t = malloc(n * sizeof *t);
    double *h = malloc(n * sizeof *h);
    for (size_t k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
        make_record(p, n, offsets[k], 11 + (unsigned)k, t, h);
        for (size_t i = 100; i < n; i += 37)
            h[i] = NAN; /* gaps */
        vg_sl_event ev;
        vg_errinfo err = {0};
        CHECK_MSG(vg_sl_clock_offset(p, t, h, n, 120, &ev, &err) == VG_OK, "%s", err.text);
        printf("clock offset %+.1f min: estimated %+.3f +- %.3f min\n", offsets[k],
               ev.magnitude, ev.score);
        CHECK(ev.kind == VG_SL_CLOCK_OFFSET);
        CHECK_NEAR(ev.magnitude, offsets[k], 1.0); /* GLOSS: timing within 1 minute */
        CHECK(ev.score > 0 && ev.score < 0.2); /* white-noise s.e.: a lower bound */
        CHECK(ev.t_start == t[0] && ev.t_end == t[n - 1]);
    }
    vg_sl_event ev;
    vg_errinfo err = {0};
    CHECK(vg_sl_clock_offset(p, t, h, 10, 120, &ev, &err) == VG_ERR_RANGE);
    CHECK(vg_sl_clock_offset(p, t, h, n, 0, &ev, &err) == VG_ERR_INVAL);
    free(t);
    free(h);
}

static void test_spikes(vg_tide_predictor *p)
{
    size_t n = 30 * 240;
    vg_time_us *t = malloc(n * sizeof *t);
    double *h = malloc(n * sizeof *h);
    vg_flag *fl = malloc(n);
    vg_sl_event ev[64];
    size_t ne;
    vg_errinfo err = {0};
    make_record(p, n, 0, 5, t, h);
    /* a clean record: (almost) nothing */
    CHECK(vg_sl_spikes(p, t, h, n, NULL, fl, ev, 64, &ne, &err) == VG_OK);
    printf("spikes: %zu false alarms on %zu clean samples\n", ne, n);
    CHECK(ne <= 2);
    /* 12 spikes of 0.15..0.6 m, both signs, at high and low tide alike; one NaN beside */
    size_t at[12];
    unsigned s = 3;
    for (int k = 0; k < 12; k++) {
        at[k] = 300 + (size_t)k * 560 + (size_t)(rand_r(&s) % 100);
        h[at[k]] += (k % 2 ? -1 : 1) * (0.15 + 0.04 * k);
    }
    h[at[5] + 1] = NAN;
    CHECK(vg_sl_spikes(p, t, h, n, NULL, fl, ev, 64, &ne, &err) == VG_OK);
    size_t found = 0;
    for (int k = 0; k < 12; k++)
        found += fl[at[k]] == VG_FLAG_BAD;
    printf("spikes: %zu of 12 found, %zu events\n", found, ne);
    CHECK(found == 12);
    CHECK(ne >= 12 && ne <= 14);
    CHECK(fl[at[5] + 1] == VG_FLAG_NO_QC);
    for (size_t i = 0; i < ne && i < 64; i++)
        CHECK(ev[i].kind == VG_SL_SPIKE && ev[i].score > 6 && ev[i].t_start == ev[i].t_end);
    /* options out of range are refused */
    vg_sl_spike_opts bad = {.window_s = 10, .threshold = 6, .min_sigma = 0.005, .flag = 4};
    CHECK(vg_sl_spikes(p, t, h, n, &bad, fl, ev, 64, &ne, &err) == VG_ERR_INVAL);
    free(t);
    free(h);
    free(fl);
}

static void test_datum(vg_tide_predictor *p)
{
    size_t n = 90 * 240;
    vg_time_us *t = malloc(n * sizeof *t);
    double *h = malloc(n * sizeof *h);
    vg_flag *fl = malloc(n);
    vg_sl_event ev[8];
    size_t ne;
    vg_errinfo err = {0};
    make_record(p, n, 0, 9, t, h);
    CHECK(vg_sl_datum_shifts(p, t, h, n, NULL, fl, ev, 8, &ne, &err) == VG_OK);
    printf("datum: %zu events on a clean record\n", ne);
    CHECK(ne == 0);
    CHECK(fl[0] == VG_FLAG_NO_QC);         /* no lunar month of reference yet */
    CHECK(fl[40 * 240] == VG_FLAG_GOOD);
    for (size_t i = 50 * 240; i < n; i++)  /* +10 cm from day 50 on */
        h[i] += 0.10;
    for (size_t i = 20 * 240; i < 21 * 240; i++) /* and a sparse day before: not judged */
        if (i % 2)
            h[i] = NAN;
    CHECK(vg_sl_datum_shifts(p, t, h, n, NULL, fl, ev, 8, &ne, &err) == VG_OK);
    CHECK(ne == 1);
    if (ne >= 1) {
        double day = (double)(ev[0].t_start - T0) / 86400e6;
        printf("datum: shift of %.3f m found from day %.0f to %.0f (score %.1f)\n",
               ev[0].magnitude, day, (double)(ev[0].t_end - T0) / 86400e6, ev[0].score);
        CHECK(ev[0].kind == VG_SL_DATUM_SHIFT);
        CHECK(day >= 50 && day <= 52);
        CHECK_NEAR(ev[0].magnitude, 0.10, 0.025);
        CHECK(fl[(size_t)day * 240 + 10] == VG_FLAG_PROBABLY_BAD);
    }
    CHECK(fl[20 * 240 + 2] == VG_FLAG_NO_QC);
    free(t);
    free(h);
    free(fl);
}

int main(void)
{
    make_model();
    vg_tide_predictor *p = malloc(sizeof *p);
    vg_errinfo err;
    CHECK(vg_tide_predictor_init(p, &model, &err) == VG_OK);
    test_clock(p);
    test_spikes(p);
    test_datum(p);
    free(p);
    vg_tide_model_free(&model);
    return check_summary();
}
