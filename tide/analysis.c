/* analysis.c: the least-squares harmonic analysis (tide/analysis.h). The design matrix has
 * one column for the mean and, per constituent, f cos(u + V) and f sin(u + V); the model
 * h = z0 + sum f A cos(u + V - g) gives the coefficients A cos g and A sin g. Solved with
 * GSL's blocked QR (gsl_linalg_QR_decomp_r); the covariance (R^T R)^-1 s^2, s^2 the residual
 * variance, maps linearly to amplitude and phase (95 %: 1.96 standard deviations). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "tide/analysis.h"
#include "tide/basis.h"
#include "tide/constituents.h"

#define ANALYSIS_Z95 1.959963984540054
#define ANALYSIS_RAD2DEG 57.29577951308232

void vg_tide_select(double span_h, double rayleigh, vg_time_us t_mid, int *out, size_t cap,
                    size_t *n)
{
    double freq[VG_TIDE_NCONST];
    vg_tide_freqs_at(t_mid, freq);
    double minres = span_h > 0 ? rayleigh / span_h : INFINITY;
    size_t m = 0;
    for (int k = 0; k < VG_TIDE_NCONST; k++) {
        int c = vg_tide_const_compare(k);
        if (c < 0)
            continue;
        if (fabs(freq[k] - freq[c]) >= minres && m < cap)
            out[m++] = k;
    }
    *n = m;
}

static int analysis__by_freq(const void *a, const void *b)
{
    const vg_tide_coef *x = a, *y = b;
    return (x->freq_cph > y->freq_cph) - (x->freq_cph < y->freq_cph);
}

vg_err vg_tide_analyse(const vg_time_us *t, const double *h, size_t n,
                       const vg_tide_analysis_opts *opts, vg_tide_model *out, vg_errinfo *err)
{
    vg_tide_model_init(out);
    if (!(opts->latitude_deg >= -90 && opts->latitude_deg <= 90))
        return vg_fail(err, VG_ERR_INVAL, "latitude %g is not in -90..90", opts->latitude_deg);
    double rayleigh = opts->rayleigh > 0 ? opts->rayleigh : 1.0;
    if (!isfinite(rayleigh))
        return vg_fail(err, VG_ERR_INVAL, "the Rayleigh factor must be a positive number");

    /* the finite heights and the record span */
    size_t used = 0;
    vg_time_us tmin = VG_TIME_NONE, tmax = VG_TIME_NONE;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(h[i]))
            continue;
        if (used == 0 || t[i] < tmin)
            tmin = t[i];
        if (used == 0 || t[i] > tmax)
            tmax = t[i];
        sum += h[i];
        used++;
    }
    if (used < 2)
        return vg_fail(err, VG_ERR_RANGE, "%zu finite heights: too few to analyse", used);
    vg_time_us tmid = tmin + (tmax - tmin) / 2;

    int idx[VG_TIDE_NCONST];
    size_t nc = 0;
    if (opts->constituents) {
        bool seen[VG_TIDE_NCONST] = {0};
        for (size_t j = 0; j < opts->n_constituents; j++) {
            int k = opts->constituents[j];
            if (k <= 0 || k >= VG_TIDE_NCONST)
                return vg_fail(err, VG_ERR_INVAL, "constituent index %d is not a constituent", k);
            if (seen[k])
                return vg_fail(err, VG_ERR_INVAL, "constituent %s is given twice",
                               vg_tide_const_name(k));
            seen[k] = true;
            idx[nc++] = k;
        }
    } else {
        double span_h = (double)(tmax - tmin) / 3600e6;
        vg_tide_select(span_h, rayleigh, tmid, idx, VG_TIDE_NCONST, &nc);
    }
    size_t p = 1 + 2 * nc;
    if (used <= p)
        return vg_fail(err, VG_ERR_RANGE,
                       "%zu finite heights for %zu unknowns (mean and %zu constituents): "
                       "the record is too short", used, p, nc);

    gsl_matrix *X = gsl_matrix_alloc(used, p);
    gsl_matrix *T = gsl_matrix_alloc(p, p);
    gsl_vector *y = gsl_vector_alloc(used);
    gsl_vector *beta = gsl_vector_alloc(used); /* GSL: length M, solution in the first p */
    gsl_vector *work = gsl_vector_alloc(p);
    gsl_matrix *cov = gsl_matrix_alloc(p, p);
    double *fc = malloc(sizeof(double) * (nc ? nc : 1) * 2);
    vg_err rc = VG_OK;
    if (!X || !T || !y || !beta || !work || !cov || !fc) {
        rc = vg_fail(err, VG_ERR_NOMEM, "no memory for a %zu x %zu least-squares system",
                     used, p);
        goto done;
    }
    double *fs = fc + nc;
    double mean = sum / (double)used; /* subtracted for conditioning, added back to z0 */

    vg_tide_basis basis;
    vg_tide_basis_init(&basis, opts->latitude_deg);
    basis.apply_nodal = !opts->no_nodal;
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(h[i]))
            continue;
        double *row = gsl_matrix_ptr(X, r, 0);
        vg_tide_basis_eval(&basis, t[i], idx, nc, fc, fs);
        row[0] = 1.0;
        for (size_t j = 0; j < nc; j++) {
            row[1 + 2 * j] = fc[j];
            row[2 + 2 * j] = fs[j];
        }
        gsl_vector_set(y, r, h[i] - mean);
        r++;
    }

    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int gs = gsl_linalg_QR_decomp_r(X, T);
    if (gs == GSL_SUCCESS)
        gs = gsl_linalg_QR_lssolve_r(X, T, y, beta, work);
    /* a (numerically) singular R: constituents the record cannot separate */
    double dmax = 0, dmin = INFINITY;
    for (size_t j = 0; j < p && gs == GSL_SUCCESS; j++) {
        double d = fabs(gsl_matrix_get(X, j, j));
        dmax = d > dmax ? d : dmax;
        dmin = d < dmin ? d : dmin;
    }
    if (gs == GSL_SUCCESS && !(dmin > 1e-10 * dmax))
        gs = GSL_ESING;
    if (gs == GSL_SUCCESS) {
        /* (R^T R)^-1 from R: R^T is a Cholesky factor of X^T X up to column signs */
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                gsl_matrix_set(cov, i, j, j <= i ? gsl_matrix_get(X, j, i) : 0.0);
        gs = gsl_linalg_cholesky_invert(cov);
    }
    gsl_set_error_handler(old);
    if (gs != GSL_SUCCESS) {
        rc = vg_fail(err, VG_ERR_RANGE,
                     "the least-squares system is singular (%s): the record cannot separate "
                     "the constituents asked for; give fewer or a longer record",
                     gsl_strerror(gs));
        goto done;
    }

    /* residual sum of squares: QR_lssolve_r leaves Q^T y in beta[p..used), whose norm is
     * that of the residual */
    double rss = 0;
    for (size_t i = p; i < used; i++)
        rss += gsl_vector_get(beta, i) * gsl_vector_get(beta, i);
    double s2 = rss / (double)(used - p);

    out->z0 = mean + gsl_vector_get(beta, 0);
    out->latitude_deg = opts->latitude_deg;
    out->n_used = used;
    out->residual_rms = sqrt(rss / (double)used);
    out->rayleigh = opts->constituents ? NAN : rayleigh;
    out->t_first = tmin;
    out->t_last = tmax;
    double freq[VG_TIDE_NCONST];
    vg_tide_freqs_at(tmid, freq);
    for (size_t j = 0; j < nc; j++) {
        size_t ia = 1 + 2 * j, ib = ia + 1;
        double a = gsl_vector_get(beta, ia), b = gsl_vector_get(beta, ib);
        double va = s2 * gsl_matrix_get(cov, ia, ia), vb = s2 * gsl_matrix_get(cov, ib, ib);
        double cab = s2 * gsl_matrix_get(cov, ia, ib);
        double A = hypot(a, b);
        double g = atan2(b, a) * ANALYSIS_RAD2DEG;
        if (g < 0)
            g += 360.0;
        vg_tide_coef c = {.k = idx[j], .freq_cph = freq[idx[j]], .amp = A, .phase_deg = g,
                          .amp_ci = NAN, .phase_ci_deg = NAN};
        if (A > 0) {
            double varA = (a * a * va + b * b * vb + 2 * a * b * cab) / (A * A);
            double varg = (b * b * va + a * a * vb - 2 * a * b * cab) / (A * A * A * A);
            c.amp_ci = ANALYSIS_Z95 * sqrt(fmax(varA, 0));
            c.phase_ci_deg = fmin(ANALYSIS_Z95 * sqrt(fmax(varg, 0)) * ANALYSIS_RAD2DEG, 180.0);
        }
        if (vg_tide_model_add(out, &c) != VG_OK) {
            rc = vg_fail(err, VG_ERR_NOMEM, "no memory for the constituents");
            goto done;
        }
    }
    if (out->n > 1)
        qsort(out->coef, out->n, sizeof *out->coef, analysis__by_freq);

done:
    if (rc != VG_OK)
        vg_tide_model_free(out);
    free(fc);
    gsl_matrix_free(cov);
    gsl_vector_free(work);
    gsl_vector_free(beta);
    gsl_vector_free(y);
    gsl_matrix_free(T);
    gsl_matrix_free(X);
    return rc;
}
