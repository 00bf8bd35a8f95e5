/* correct.c: calibration and correction against water samples (correct.h): matching each
 * sample to the smoothed series, then the sliding median (GSL sort, median and MAD) or the
 * least-squares drift (gsl_fit_linear) of the differences, applied row by row. */
#include "dm/correct.h"

#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DM_US_PER_DAY (86400.0 * 1e6)

/* Write a history line into dst (VG_ADJ_HIST_MAX bytes): the format's limit, so a longer
 * text is cut there (on purpose: through vsnprintf, which the compiler does not check
 * for truncation). */
static void dm__hist(char *dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dm__hist(char *dst, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, VG_ADJ_HIST_MAX, fmt, ap);
    va_end(ap);
}

static const char *const dm_method_names[] = {"median", "drift", "none"};

const char *vg_dm_method_name(vg_dm_method m)
{
    return (unsigned)m < 3 ? dm_method_names[m] : "?";
}

int vg_dm_method_lookup(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, dm_method_names[i]) == 0)
            return i;
    return -1;
}

void vg_dm_options_default(vg_dm_options *o)
{
    memset(o, 0, sizeof *o);
    o->param = VG_P_SSPS;
    o->method = VG_DM_MEDIAN;
    o->match_us = 5 * 60 * VG_US_PER_S;
    o->smooth_us = 3600 * VG_US_PER_S;
    o->smooth_sd_max = 0.1;
    o->window_us = 10 * 86400 * VG_US_PER_S;
    o->min_samples = 3;
    o->calib_slope = 1.0;
    o->calib_offset = 0.0;
}

void vg_dm_result_free(vg_dm_result *r)
{
    free(r->match);
    memset(r, 0, sizeof *r);
}

/* A TSG value the comparison may use: flag 0 (not checked), 1 or 2. */
static bool dm__good(vg_flag f)
{
    return f <= VG_FLAG_PROBABLY_GOOD;
}

/* First row with time >= t. */
static size_t dm__lower(const vg_time_us *time, size_t n, vg_time_us t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (time[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Compare sample (t, ref) with the calibrated column v (flags q) of s. */
static void dm__match(const vg_series *s, const double *v, const vg_flag *q, vg_time_us t,
                      double ref, vg_flag ref_qc, const vg_dm_options *o, vg_dm_match *m)
{
    memset(m, 0, sizeof *m);
    m->time = t;
    m->sample = ref;
    m->tsg = m->tsg_sd = m->diff = NAN;
    if (isnan(ref) || !dm__good(ref_qc)) {
        m->status = VG_DM_BAD_SAMPLE;
        return;
    }
    /* The good TSG value nearest in time, at most match_us away. */
    size_t n = s->n, k = dm__lower(s->time, n, t), best = n;
    int64_t best_dt = INT64_MAX;
    for (size_t i = k; i < n && s->time[i] - t <= o->match_us; i++)
        if (!isnan(v[i]) && dm__good(q[i])) {
            best = i, best_dt = s->time[i] - t;
            break;
        }
    for (size_t i = k; i-- > 0 && t - s->time[i] <= o->match_us;)
        if (!isnan(v[i]) && dm__good(q[i])) {
            if (t - s->time[i] < best_dt)
                best = i;
            break;
        }
    if (best == n) {
        m->status = VG_DM_NO_TSG;
        return;
    }
    /* Mean and standard deviation over the smoothing window centred on that value
     * (Welford's update: one pass, no cancellation). */
    vg_time_us c = s->time[best], half = o->smooth_us / 2;
    double mean = 0, m2 = 0;
    size_t cnt = 0;
    for (size_t i = dm__lower(s->time, n, c - half); i < n && s->time[i] <= c + half; i++) {
        if (isnan(v[i]) || !dm__good(q[i]))
            continue;
        cnt++;
        double d = v[i] - mean;
        mean += d / (double)cnt;
        m2 += d * (v[i] - mean);
    }
    m->tsg = mean;
    m->tsg_n = cnt;
    m->tsg_sd = cnt > 1 ? sqrt(m2 / (double)(cnt - 1)) : 0.0;
    if (m->tsg_sd > o->smooth_sd_max) {
        m->status = VG_DM_UNSTABLE;
        return;
    }
    m->diff = mean - ref;
    m->status = VG_DM_USED;
}

static vg_err dm__check(const vg_series *s, const vg_dm_samples *w, const vg_dm_options *o,
                        vg_errinfo *err)
{
    if ((unsigned)o->param >= VG_P__COUNT || !s->value[o->param])
        return vg_fail(err, VG_ERR_INVAL, "%s: no column %s to correct", s->platform,
                       (unsigned)o->param < VG_P__COUNT ? vg_param_get(o->param)->code : "?");
    if ((unsigned)o->method > VG_DM_CALIBRATION_ONLY)
        return vg_fail(err, VG_ERR_INVAL, "unknown correction method %d", (int)o->method);
    if (o->match_us < 0 || o->smooth_us < 0 || o->window_us <= 0 || !(o->smooth_sd_max >= 0) ||
        o->min_samples < 1 || (o->method == VG_DM_DRIFT && o->min_samples < 3))
        return vg_fail(err, VG_ERR_INVAL,
                       "correction options out of range (windows >= 0, sd limit >= 0, "
                       "min_samples >= 1, >= 3 for a drift)");
    if (!isfinite(o->calib_slope) || o->calib_slope == 0 || !isfinite(o->calib_offset))
        return vg_fail(err, VG_ERR_INVAL, "calibration slope must be finite and not 0, offset finite");
    if (o->method != VG_DM_CALIBRATION_ONLY && (!w || w->n == 0))
        return vg_fail(err, VG_ERR_NOTFOUND, "no water samples to correct %s against",
                       vg_param_get(o->param)->code);
    return VG_OK;
}

/* Sliding median: rows sorted by time, used differences (t_u, d_u) sorted by time. */
static void dm__median(const vg_series *s, const double *v, const vg_time_us *tu,
                       const double *du, size_t nu, const vg_dm_options *o, double *work,
                       double *work2, vg_adjusted *a, vg_dm_result *r)
{
    vg_param p = o->param;
    int64_t half = o->window_us / 2;
    size_t lo = 0, hi = 0, cur_lo = SIZE_MAX, cur_hi = SIZE_MAX;
    double c = NAN, e = NAN, w_tmed = 0, w_b = 0;
    vg_time_us w_t0 = 0;
    for (size_t i = 0; i < s->n; i++) {
        vg_time_us t = s->time[i];
        while (lo < nu && tu[lo] < t - half)
            lo++;
        while (hi < nu && tu[hi] <= t + half)
            hi++;
        if (lo != cur_lo || hi != cur_hi) {
            cur_lo = lo, cur_hi = hi;
            size_t k = hi > lo ? hi - lo : 0;
            if (k >= o->min_samples) {
                /* The lag term: the median stands for the median time of the window's
                 * samples; off it (the ends of the samples, a gap) a trend b of the
                 * differences moves the truth by b (t - t_med). b: least-squares slope of
                 * the window's differences (0 with fewer than 3). */
                for (size_t j = 0; j < k; j++)
                    work[j] = (double)(tu[lo + j] - tu[lo]) / DM_US_PER_DAY;
                double t_med = gsl_stats_median_from_sorted_data(work, 1, k), b = 0;
                if (k >= 3) {
                    double c0, cov00, cov01, cov11, sumsq;
                    gsl_fit_linear(work, 1, du + lo, 1, k, &c0, &b, &cov00, &cov01, &cov11, &sumsq);
                }
                memcpy(work, du + lo, k * sizeof *work);
                gsl_sort(work, 1, k);
                c = gsl_stats_median_from_sorted_data(work, 1, k);
                e = gsl_stats_mad(work, 1, k, work2);
                w_t0 = tu[lo], w_tmed = t_med, w_b = b;
            } else {
                c = e = NAN;
            }
        }
        if (isnan(v[i]) || isnan(c))
            continue;
        double lag = fabs(w_b * ((double)(t - w_t0) / DM_US_PER_DAY - w_tmed));
        a->value[p][i] = v[i] - c;
        a->error[p][i] = e + lag;
        a->qc[p][i] = s->qc[p][i];
        r->n_adjusted++;
        r->corr_min = fmin(r->corr_min, c), r->corr_max = fmax(r->corr_max, c);
        r->err_min = fmin(r->err_min, e + lag), r->err_max = fmax(r->err_max, e + lag);
    }
}

static void dm__drift(const vg_series *s, const double *v, const vg_time_us *tu,
                      const double *du, size_t nu, const vg_dm_options *o, double *work,
                      vg_adjusted *a, vg_dm_result *r)
{
    vg_param p = o->param;
    r->drift_t0 = tu[0];
    for (size_t k = 0; k < nu; k++)
        work[k] = (double)(tu[k] - tu[0]) / DM_US_PER_DAY;
    double c0, c1, cov00, cov01, cov11, sumsq;
    gsl_fit_linear(work, 1, du, 1, nu, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    r->drift_offset = c0, r->drift_slope_per_day = c1;
    r->drift_offset_se = sqrt(cov00), r->drift_slope_se = sqrt(cov11);
    double e = sqrt(sumsq / (double)(nu - 2));
    int64_t half = o->window_us / 2;
    for (size_t i = 0; i < s->n; i++) {
        vg_time_us t = s->time[i];
        if (isnan(v[i]) || t < tu[0] - half || t > tu[nu - 1] + half)
            continue;
        double c = c0 + c1 * (double)(t - tu[0]) / DM_US_PER_DAY;
        a->value[p][i] = v[i] - c;
        a->error[p][i] = e;
        a->qc[p][i] = s->qc[p][i];
        r->n_adjusted++;
        r->corr_min = fmin(r->corr_min, c), r->corr_max = fmax(r->corr_max, c);
        r->err_min = r->err_max = e;
    }
}

vg_err vg_dm_correct(const vg_series *s, const vg_dm_samples *w, const vg_dm_options *o,
                     vg_adjusted *a, vg_dm_result *r, vg_errinfo *err)
{
    vg_adjusted_init(a, s->n);
    memset(r, 0, sizeof *r);
    r->corr_min = r->err_min = INFINITY;
    r->corr_max = r->err_max = -INFINITY;
    r->n_rows = s->n;
    vg_err rc = dm__check(s, w, o, err);
    if (rc != VG_OK)
        return rc;
    vg_param p = o->param;
    const char *code = vg_param_get(p)->code;
    if ((rc = vg_adjusted_add(a, p, err)))
        return rc;
    size_t nw = o->method == VG_DM_CALIBRATION_ONLY || !w ? 0 : w->n;
    double *v = malloc((s->n ? s->n : 1) * sizeof *v);
    r->match = calloc(nw ? nw : 1, sizeof *r->match);
    vg_time_us *tu = malloc((nw ? nw : 1) * sizeof *tu);
    double *du = malloc((nw ? nw : 1) * sizeof *du);
    double *work = malloc((nw ? nw : 1) * sizeof *work);
    double *work2 = malloc((nw ? nw : 1) * sizeof *work2);
    if (!v || !r->match || !tu || !du || !work || !work2) {
        rc = vg_fail(err, VG_ERR_NOMEM, "out of memory correcting %zu rows", s->n);
        goto out;
    }
    /* 1. Manufacturer calibration (Sea-Bird application note 31 form). */
    for (size_t i = 0; i < s->n; i++)
        v[i] = o->calib_slope * s->value[p][i] + o->calib_offset;

    char cal[96] = "";
    if (o->calib_slope != 1.0 || o->calib_offset != 0.0)
        snprintf(cal, sizeof cal, "calibration x' = %.6g x %+.6g; ", o->calib_slope,
                 o->calib_offset);
    if (o->method == VG_DM_CALIBRATION_ONLY) {
        for (size_t i = 0; i < s->n; i++) {
            if (isnan(v[i]))
                continue;
            a->value[p][i] = v[i];
            a->qc[p][i] = s->qc[p][i];
            r->n_adjusted++;
        }
        dm__hist(a->hist[p], "%sno water-sample correction", cal);
        snprintf(a->processing_states, sizeof a->processing_states, "2B");
        goto out;
    }

    /* 2. Compare every sample with the smoothed series. */
    r->n_samples = nw;
    size_t nu = 0;
    for (size_t k = 0; k < nw; k++) {
        if (k > 0 && w->time[k] < w->time[k - 1]) {
            rc = vg_fail(err, VG_ERR_ORDER, "water samples are not sorted by time");
            goto out;
        }
        vg_dm_match *m = &r->match[k];
        dm__match(s, v, s->qc[p], w->time[k], w->value[k], w->qc[k], o, m);
        r->n_status[m->status]++;
        if (m->status == VG_DM_USED)
            tu[nu] = m->time, du[nu] = m->diff, nu++;
    }
    if (nu < o->min_samples) {
        rc = vg_fail(err, VG_ERR_NOTFOUND,
                     "%zu of %zu water samples usable to correct %s, %zu needed (%zu with a bad "
                     "flag or no value, %zu without a good TSG value within %g s, %zu where the "
                     "TSG standard deviation over %g s exceeds %g)",
                     nu, nw, code, o->min_samples, r->n_status[VG_DM_BAD_SAMPLE],
                     r->n_status[VG_DM_NO_TSG], o->match_us / 1e6, r->n_status[VG_DM_UNSTABLE],
                     o->smooth_us / 1e6, o->smooth_sd_max);
        goto out;
    }

    /* 3. The correction, row by row. */
    if (o->method == VG_DM_MEDIAN) {
        dm__median(s, v, tu, du, nu, o, work, work2, a, r);
        dm__hist(a->hist[p],
                 "%scorrected with %zu water samples: median of TSG-sample differences over "
                 "%g days, error 1.4826 MAD + trend lag; TSG smoothed %g s, sd <= %g, match %g s",
                 cal, nu, o->window_us / DM_US_PER_DAY, o->smooth_us / 1e6, o->smooth_sd_max,
                 o->match_us / 1e6);
    } else {
        dm__drift(s, v, tu, du, nu, o, work, a, r);
        dm__hist(a->hist[p],
                 "%scorrected with %zu water samples: drift %.6g %+.6g/day from %.10s, "
                 "error residual sd; TSG smoothed %g s, sd <= %g, match %g s",
                 cal, nu, r->drift_offset, r->drift_slope_per_day,
                 vg_time_format_iso8601(r->drift_t0, (char[VG_TIME_ISO_LEN]){0}),
                 o->smooth_us / 1e6, o->smooth_sd_max, o->match_us / 1e6);
    }
    snprintf(a->processing_states, sizeof a->processing_states, "2C+");
out:
    if (r->n_adjusted == 0 || o->method == VG_DM_CALIBRATION_ONLY)
        r->corr_min = r->corr_max = r->err_min = r->err_max = NAN;
    free(v), free(tu), free(du), free(work), free(work2);
    if (rc != VG_OK) {
        vg_adjusted_free(a);
        vg_dm_result_free(r);
    }
    return rc;
}
