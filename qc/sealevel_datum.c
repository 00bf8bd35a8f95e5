/* sealevel_datum.c: datum shifts on the tidal residual (qc/sealevel.h), after IOC's sea-level
 * station monitoring service: each UTC day's mean residual against the daily means of the
 * previous lunar month (29 days). A storm surge also moves a daily mean, so a shift must
 * exceed the month's 10-90 % range by min_shift and persist persist_days days. Daily
 * statistics with GSL (sort, quantiles, median). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "qc/sealevel.h"

#define DATUM_REF_DAYS 29
#define DATUM_MIN_REF 20
#define DATUM_US_PER_DAY INT64_C(86400000000)

static const vg_sl_datum_opts datum__defaults = {
    .min_shift = 0.03, .persist_days = 2, .min_coverage = 0.75, .interval_s = 0};

static int64_t datum__day(vg_time_us t)
{
    return t / DATUM_US_PER_DAY - (t % DATUM_US_PER_DAY < 0);
}

static int datum__cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

vg_err vg_sl_datum_shifts(vg_tide_predictor *p, const vg_time_us *t, const double *h,
                          size_t n, const vg_sl_datum_opts *opts, vg_flag *flags,
                          vg_sl_event *events, size_t cap, size_t *n_events, vg_errinfo *err)
{
    const vg_sl_datum_opts *o = opts ? opts : &datum__defaults;
    *n_events = 0;
    if (!(o->min_shift >= 0) || o->persist_days < 1 || o->persist_days > 10 ||
        !(o->min_coverage >= 0.1 && o->min_coverage <= 1) || !(o->interval_s >= 0))
        return vg_fail(err, VG_ERR_INVAL, "datum shift options out of range (min_shift >= 0, "
                       "persist_days 1..10, min_coverage 0.1..1, interval_s >= 0)");
    for (size_t i = 0; i < n; i++)
        flags[i] = VG_FLAG_NO_QC;
    if (n < 2)
        return VG_OK;
    double interval = o->interval_s;
    if (!(interval > 0)) { /* the median step */
        double *steps = malloc((n - 1) * sizeof *steps);
        if (!steps)
            return vg_fail(err, VG_ERR_NOMEM, "datum shifts: no memory");
        for (size_t i = 1; i < n; i++)
            steps[i - 1] = (double)(t[i] - t[i - 1]) / 1e6;
        qsort(steps, n - 1, sizeof *steps, datum__cmp);
        interval = steps[(n - 1) / 2];
        free(steps);
        if (!(interval > 0))
            return vg_fail(err, VG_ERR_RANGE, "datum shifts: times do not increase");
    }
    int64_t d0 = datum__day(t[0]), nd = datum__day(t[n - 1]) - d0 + 1;
    double *sum = calloc((size_t)nd, sizeof *sum), *mean = malloc((size_t)nd * sizeof *mean);
    size_t *cnt = calloc((size_t)nd, sizeof *cnt);
    int *out = calloc((size_t)nd, sizeof *out); /* -1 below, +1 above, 0 in, 2 not judged */
    double *ref = malloc(DATUM_REF_DAYS * sizeof *ref), *med_ref = malloc((size_t)nd * sizeof *med_ref);
    double *spread = malloc((size_t)nd * sizeof *spread);
    if (!sum || !mean || !cnt || !out || !ref || !med_ref || !spread) {
        free(sum), free(mean), free(cnt), free(out), free(ref), free(med_ref), free(spread);
        return vg_fail(err, VG_ERR_NOMEM, "datum shifts: no memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(h[i]))
            continue;
        int64_t d = datum__day(t[i]) - d0;
        sum[d] += h[i] - vg_tide_predict_at(p, t[i]);
        cnt[d]++;
    }
    double need = o->min_coverage * 86400.0 / interval;
    for (int64_t d = 0; d < nd; d++)
        mean[d] = cnt[d] > 0 && (double)cnt[d] >= need ? sum[d] / (double)cnt[d] : NAN;
    for (int64_t d = 0; d < nd; d++) {
        out[d] = 2;
        if (isnan(mean[d]))
            continue;
        size_t m = 0;
        for (int64_t k = d - DATUM_REF_DAYS; k < d; k++)
            if (k >= 0 && !isnan(mean[k]))
                ref[m++] = mean[k];
        if (m < DATUM_MIN_REF)
            continue;
        gsl_sort(ref, 1, m);
        double q10 = gsl_stats_quantile_from_sorted_data(ref, 1, m, 0.1);
        double q90 = gsl_stats_quantile_from_sorted_data(ref, 1, m, 0.9);
        med_ref[d] = gsl_stats_median_from_sorted_data(ref, 1, m);
        spread[d] = q90 - q10;
        out[d] = mean[d] < q10 - o->min_shift ? -1 : mean[d] > q90 + o->min_shift ? 1 : 0;
    }
    /* runs of persist_days or more days out of range on the same side */
    vg_err rc = VG_OK;
    for (int64_t d = 0; d < nd;) {
        if (out[d] != 1 && out[d] != -1) {
            d++;
            continue;
        }
        int64_t e = d;
        while (e + 1 < nd && out[e + 1] == out[d])
            e++;
        int64_t len = e - d + 1;
        if (len >= o->persist_days) {
            double *run = malloc((size_t)len * sizeof *run);
            if (!run) {
                rc = vg_fail(err, VG_ERR_NOMEM, "datum shifts: no memory");
                break;
            }
            for (int64_t k = d; k <= e; k++)
                run[k - d] = mean[k];
            gsl_sort(run, 1, (size_t)len);
            double step = gsl_stats_median_from_sorted_data(run, 1, (size_t)len) - med_ref[d];
            free(run);
            if (*n_events < cap)
                events[*n_events] = (vg_sl_event){
                    .kind = VG_SL_DATUM_SHIFT, .t_start = (d0 + d) * DATUM_US_PER_DAY,
                    .t_end = (d0 + e + 1) * DATUM_US_PER_DAY - 1, .magnitude = step,
                    .score = spread[d] > 0 ? fabs(step) / spread[d] : INFINITY};
            (*n_events)++;
        } else {
            for (int64_t k = d; k <= e; k++)
                out[k] = 0; /* too short: a surge, not a shift */
        }
        d = e + 1;
    }
    for (size_t i = 0; i < n && rc == VG_OK; i++) {
        int64_t d = datum__day(t[i]) - d0;
        if (!isfinite(h[i]) || out[d] == 2)
            continue;
        flags[i] = out[d] != 0 ? VG_FLAG_PROBABLY_BAD : VG_FLAG_GOOD;
    }
    free(sum), free(mean), free(cnt), free(out), free(ref), free(med_ref), free(spread);
    return rc;
}
