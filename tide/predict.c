/* predict.c: tide prediction from a constituent set (tide/predict.h). */
#include <math.h>
#include <stdbool.h>

#include "tide/astro.h"
#include "tide/nos.h"
#include "tide/predict.h"

#define PREDICT_DEG2RAD 0.017453292519943295

vg_err vg_tide_predictor_init(vg_tide_predictor *p, const vg_tide_model *m, vg_errinfo *err)
{
    if (!(m->latitude_deg >= -90 && m->latitude_deg <= 90))
        return vg_fail(err, VG_ERR_INVAL, "latitude %g is not in -90..90", m->latitude_deg);
    bool seen[VG_TIDE_NCONST] = {0};
    p->n = 0;
    p->n_nos = 0;
    p->z0 = isfinite(m->z0) ? m->z0 : 0.0;
    for (size_t i = 0; i < m->n; i++) {
        const vg_tide_coef *c = &m->coef[i];
        if (c->k <= 0 || c->k >= VG_TIDE_NCONST)
            return vg_fail(err, VG_ERR_INVAL, "constituent index %d is not a constituent", c->k);
        if (seen[c->k])
            return vg_fail(err, VG_ERR_INVAL, "constituent %s is given twice",
                           vg_tide_const_name(c->k));
        if (!isfinite(c->amp) || !isfinite(c->phase_deg))
            return vg_fail(err, VG_ERR_INVAL, "constituent %s: amplitude and phase must be "
                           "finite", vg_tide_const_name(c->k));
        seen[c->k] = true;
        double amp = c->amp, phase = c->phase_deg, f, u;
        if (m->convention == VG_TIDE_NOS) {
            vg_tide_nos_to_foreman(c->k, &amp, &phase);
            if (vg_tide_nos_nodal(c->k, 0.0, &f, &u) && p->n_nos < 2)
                p->nos_j[p->n_nos++] = p->n;
        }
        p->idx[p->n] = c->k;
        p->a[p->n] = amp * cos(phase * PREDICT_DEG2RAD);
        p->b[p->n] = amp * sin(phase * PREDICT_DEG2RAD);
        p->n++;
    }
    vg_tide_basis_init(&p->basis, m->latitude_deg);
    p->nos_day = INT64_MIN;
    return VG_OK;
}

/* NOS's f and u for MM and MF of the basis's day (its noon, as Foreman's), as a rotation
 * and scaling of Foreman's cos/sin pair. */
static void predict__nos_day(vg_tide_predictor *p)
{
    vg_tide_astro a;
    vg_tide_astro_at(p->basis.nodal.t, &a);
    double n_rad = -a.arg[4] * 2.0 * M_PI; /* astro gives N' = -N, in cycles */
    for (size_t i = 0; i < p->n_nos; i++) {
        int k = p->idx[p->nos_j[i]];
        double f = 1.0, u = 0.0, ff = p->basis.nodal.f[k];
        vg_tide_nos_nodal(k, n_rad, &f, &u);
        double u_fore = p->basis.nodal.uv[k] - p->basis.nodal.v[k]; /* cycles */
        double rot = u * PREDICT_DEG2RAD - u_fore * 2.0 * M_PI;
        p->nos_c[i] = f / ff * cos(rot);
        p->nos_s[i] = f / ff * sin(rot);
    }
    p->nos_day = p->basis.day;
}

double vg_tide_predict_at(vg_tide_predictor *p, vg_time_us t)
{
    vg_tide_basis_eval(&p->basis, t, p->idx, p->n, p->fc, p->fs);
    if (p->n_nos) {
        if (p->nos_day != p->basis.day)
            predict__nos_day(p);
        for (size_t i = 0; i < p->n_nos; i++) {
            size_t j = p->nos_j[i];
            double c = p->fc[j], s = p->fs[j];
            p->fc[j] = c * p->nos_c[i] - s * p->nos_s[i];
            p->fs[j] = s * p->nos_c[i] + c * p->nos_s[i];
        }
    }
    double h = p->z0;
    for (size_t j = 0; j < p->n; j++)
        h += p->a[j] * p->fc[j] + p->b[j] * p->fs[j];
    return h;
}
