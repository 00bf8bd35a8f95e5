/* sealevel_clock.c: clock-offset estimation of a tide gauge against the predicted tide
 * (qc/sealevel.h). A clock error of tau minutes shows as a phase lag of every constituent
 * (M2: 0.483 degree per minute); fitting h(t) = z + P(t - tau) over days of data gives tau
 * to a fraction of a minute. Coarse search, then Gauss-Newton with GSL's multifit. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include "qc/sealevel.h"

#define CLOCK_MIN_N 25
#define CLOCK_STEP_MIN 10.0
#define CLOCK_MAX_ITER 30
#define CLOCK_TOL_MIN 1e-4
#define CLOCK_US_PER_MIN 60e6

static vg_time_us clock__shift(vg_time_us t, double tau_min)
{
    return t - llround(tau_min * CLOCK_US_PER_MIN);
}

/* sum of squares of h - P(t - tau) about its mean */
static double clock__cost(vg_tide_predictor *p, const vg_time_us *t, const double *h, size_t n,
                          double tau)
{
    double s = 0, s2 = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(h[i]))
            continue;
        double r = h[i] - vg_tide_predict_at(p, clock__shift(t[i], tau));
        s += r;
        s2 += r * r;
        m++;
    }
    return s2 - s * s / (double)m;
}

vg_err vg_sl_clock_offset(vg_tide_predictor *p, const vg_time_us *t, const double *h, size_t n,
                          double max_min, vg_sl_event *ev, vg_errinfo *err)
{
    if (!(max_min >= 1 && max_min <= 360))
        return vg_fail(err, VG_ERR_INVAL, "clock offset: the search range %g min is not in "
                       "1..360", max_min);
    size_t m = 0;
    vg_time_us first = VG_TIME_NONE, last = VG_TIME_NONE;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(h[i]))
            continue;
        if (m++ == 0)
            first = t[i];
        last = t[i];
    }
    if (m < CLOCK_MIN_N)
        return vg_fail(err, VG_ERR_RANGE, "clock offset: %zu finite heights, at least %d "
                       "needed", m, CLOCK_MIN_N);

    double best = 0, best_cost = INFINITY;
    for (double tau = -max_min; tau <= max_min + 1e-9; tau += CLOCK_STEP_MIN) {
        double c = clock__cost(p, t, h, n, tau);
        if (c < best_cost) {
            best_cost = c;
            best = tau;
        }
    }

    gsl_matrix *X = gsl_matrix_alloc(m, 2), *cov = gsl_matrix_alloc(2, 2);
    gsl_vector *y = gsl_vector_alloc(m), *c = gsl_vector_alloc(2);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(m, 2);
    vg_err rc = VG_OK;
    if (!X || !cov || !y || !c || !w) {
        rc = vg_fail(err, VG_ERR_NOMEM, "clock offset: no memory");
        goto done;
    }
    double tau = best, se = NAN;
    bool converged = false;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    for (int it = 0; it < CLOCK_MAX_ITER && !converged; it++) {
        size_t r = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(h[i]))
                continue;
            vg_time_us ts = clock__shift(t[i], tau);
            double pm = vg_tide_predict_at(p, ts);
            /* dP/dt per minute, centred over one minute */
            double d = vg_tide_predict_at(p, ts + 30 * VG_US_PER_S) -
                       vg_tide_predict_at(p, ts - 30 * VG_US_PER_S);
            gsl_matrix_set(X, r, 0, 1.0);
            gsl_matrix_set(X, r, 1, -d);
            gsl_vector_set(y, r, h[i] - pm);
            r++;
        }
        double chisq;
        if (gsl_multifit_linear(X, y, c, cov, &chisq, w) != GSL_SUCCESS)
            break;
        double delta = gsl_vector_get(c, 1);
        if (!isfinite(delta))
            break;
        tau += delta;
        se = sqrt(gsl_matrix_get(cov, 1, 1));
        if (fabs(delta) < CLOCK_TOL_MIN)
            converged = true;
        if (fabs(tau) > 2 * max_min)
            break;
    }
    gsl_set_error_handler(old);
    if (!converged) {
        rc = vg_fail(err, VG_ERR_RANGE, "clock offset: no convergence (is there a tide in the "
                     "record, and is it the station's?)");
        goto done;
    }
    *ev = (vg_sl_event){.kind = VG_SL_CLOCK_OFFSET, .t_start = first, .t_end = last,
                        .magnitude = tau, .score = se};
done:
    gsl_multifit_linear_free(w);
    gsl_vector_free(c);
    gsl_vector_free(y);
    gsl_matrix_free(cov);
    gsl_matrix_free(X);
    return rc;
}
