/* predict.c: tide prediction from a constituent set (tide/predict.h). */
#include <math.h>
#include <stdbool.h>

#include "tide/predict.h"

#define PREDICT_DEG2RAD 0.017453292519943295

vg_err vg_tide_predictor_init(vg_tide_predictor *p, const vg_tide_model *m, vg_errinfo *err)
{
    if (!(m->latitude_deg >= -90 && m->latitude_deg <= 90))
        return vg_fail(err, VG_ERR_INVAL, "latitude %g is not in -90..90", m->latitude_deg);
    bool seen[VG_TIDE_NCONST] = {0};
    p->n = 0;
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
        p->idx[p->n] = c->k;
        p->a[p->n] = c->amp * cos(c->phase_deg * PREDICT_DEG2RAD);
        p->b[p->n] = c->amp * sin(c->phase_deg * PREDICT_DEG2RAD);
        p->n++;
    }
    vg_tide_basis_init(&p->basis, m->latitude_deg);
    return VG_OK;
}

double vg_tide_predict_at(vg_tide_predictor *p, vg_time_us t)
{
    vg_tide_basis_eval(&p->basis, t, p->idx, p->n, p->fc, p->fs);
    double h = p->z0;
    for (size_t j = 0; j < p->n; j++)
        h += p->a[j] * p->fc[j] + p->b[j] * p->fs[j];
    return h;
}
