/* sealevel_spike.c: spikes on the tidal residual (qc/sealevel.h). On the raw record a spike
 * hides in a 2 m tide; on the residual it stands out. As in the Copernicus tide-gauge QC
 * software (SELENE: a polynomial on a 12-16 h window) and IOC's sea-level monitoring
 * service (a spline and 6 scaled MAD): a quadratic fitted to the neighbours' residuals (the
 * sample itself left out, one pass that drops neighbours beyond 3 scales), the scale
 * 1.4826 x the median absolute deviation of the neighbours from the fit. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>

#include "qc/sealevel.h"

#define SPIKE_MIN_NEIGHBOURS 6
#define SPIKE_MAD_SCALE 1.4826

static const vg_sl_spike_opts spike__defaults = {
    .window_s = 43200, .threshold = 6.0, .min_sigma = 0.005, .flag = VG_FLAG_BAD};

/* Fit a + b x + c x^2 to (x, y)[0..m) with GSL; a is the value at x = 0. false: singular. */
static bool spike__quad(const double *x, const double *y, size_t m, double *coef,
                        gsl_multifit_linear_workspace *w, double *xbuf)
{
    gsl_matrix_view X = gsl_matrix_view_array(xbuf, m, 3);
    gsl_vector_const_view Y = gsl_vector_const_view_array(y, m);
    for (size_t j = 0; j < m; j++) {
        gsl_matrix_set(&X.matrix, j, 0, 1.0);
        gsl_matrix_set(&X.matrix, j, 1, x[j]);
        gsl_matrix_set(&X.matrix, j, 2, x[j] * x[j]);
    }
    double cbuf[3], covbuf[9], chisq;
    gsl_vector_view C = gsl_vector_view_array(cbuf, 3);
    gsl_matrix_view COV = gsl_matrix_view_array(covbuf, 3, 3);
    if (gsl_multifit_linear(&X.matrix, &Y.vector, &C.vector, &COV.matrix, &chisq, w) !=
        GSL_SUCCESS)
        return false;
    memcpy(coef, cbuf, sizeof cbuf);
    return isfinite(cbuf[0]);
}

/* 1.4826 x the median absolute deviation of y from the quadratic coef at x */
static double spike__scale(const double *x, const double *y, size_t m, const double *coef,
                           double *tmp)
{
    for (size_t j = 0; j < m; j++)
        tmp[j] = fabs(y[j] - (coef[0] + coef[1] * x[j] + coef[2] * x[j] * x[j]));
    return SPIKE_MAD_SCALE * gsl_stats_median(tmp, 1, m);
}

vg_err vg_sl_spikes(vg_tide_predictor *p, const vg_time_us *t, const double *h, size_t n,
                    const vg_sl_spike_opts *opts, vg_flag *flags, vg_sl_event *events,
                    size_t cap, size_t *n_events, vg_errinfo *err)
{
    const vg_sl_spike_opts *o = opts ? opts : &spike__defaults;
    *n_events = 0;
    if (!(o->window_s >= 3600 && o->window_s <= 172800) ||
        !(o->threshold >= 2 && o->threshold <= 20) || !(o->min_sigma >= 0) ||
        (o->flag != VG_FLAG_PROBABLY_BAD && o->flag != VG_FLAG_BAD))
        return vg_fail(err, VG_ERR_INVAL, "spike options out of range (window_s 3600..172800, "
                       "threshold 2..20, min_sigma >= 0, flag 3 or 4)");
    double *r = malloc(n * sizeof *r);
    size_t maxw = 0;
    /* the widest window, for the buffers */
    vg_time_us half = llround(o->window_s / 2 * 1e6);
    for (size_t i = 0, lo = 0, hi = 0; i < n; i++) {
        while (lo < i && t[lo] < t[i] - half)
            lo++;
        if (hi < i)
            hi = i;
        while (hi + 1 < n && t[hi + 1] <= t[i] + half)
            hi++;
        if (hi - lo + 1 > maxw)
            maxw = hi - lo + 1;
    }
    double *x = malloc((maxw + 1) * sizeof *x), *y = malloc((maxw + 1) * sizeof *y);
    double *tmp = malloc((maxw + 1) * sizeof *tmp), *xbuf = malloc((maxw + 1) * 3 * sizeof *xbuf);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(maxw + 1, 3);
    if (!r || !x || !y || !tmp || !xbuf || !w) {
        free(r), free(x), free(y), free(tmp), free(xbuf);
        gsl_multifit_linear_free(w);
        return vg_fail(err, VG_ERR_NOMEM, "spikes: no memory");
    }
    for (size_t i = 0; i < n; i++)
        r[i] = isfinite(h[i]) ? h[i] - vg_tide_predict_at(p, t[i]) : NAN;

    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double hw_h = o->window_s / 7200.0; /* half window, hours: x in [-1, 1] */
    for (size_t i = 0, lo = 0, hi = 0; i < n; i++) {
        flags[i] = VG_FLAG_NO_QC;
        while (lo < i && t[lo] < t[i] - half)
            lo++;
        if (hi < i)
            hi = i;
        while (hi + 1 < n && t[hi + 1] <= t[i] + half)
            hi++;
        if (!isfinite(r[i]))
            continue;
        size_t m = 0;
        for (size_t j = lo; j <= hi; j++) {
            if (j == i || !isfinite(r[j]))
                continue;
            x[m] = (double)(t[j] - t[i]) / 3600e6 / hw_h;
            y[m++] = r[j];
        }
        if (m < SPIKE_MIN_NEIGHBOURS)
            continue;
        double coef[3];
        if (!spike__quad(x, y, m, coef, w, xbuf))
            continue;
        double s = spike__scale(x, y, m, coef, tmp);
        /* one robust pass: refit without the neighbours beyond 3 scales */
        size_t k = 0;
        double lim = 3 * fmax(s, o->min_sigma);
        for (size_t j = 0; j < m; j++) {
            if (fabs(y[j] - (coef[0] + coef[1] * x[j] + coef[2] * x[j] * x[j])) <= lim) {
                x[k] = x[j];
                y[k++] = y[j];
            }
        }
        if (k < m && k >= SPIKE_MIN_NEIGHBOURS && spike__quad(x, y, k, coef, w, xbuf))
            s = spike__scale(x, y, k, coef, tmp);
        double sigma = fmax(s, o->min_sigma);
        double dev = r[i] - coef[0];
        if (fabs(dev) > o->threshold * sigma) {
            flags[i] = o->flag;
            if (*n_events < cap)
                events[*n_events] = (vg_sl_event){.kind = VG_SL_SPIKE, .t_start = t[i],
                                                  .t_end = t[i], .magnitude = dev,
                                                  .score = fabs(dev) / sigma};
            (*n_events)++;
        } else {
            flags[i] = VG_FLAG_GOOD;
        }
    }
    gsl_set_error_handler(old);
    gsl_multifit_linear_free(w);
    free(r), free(x), free(y), free(tmp), free(xbuf);
    return VG_OK;
}
