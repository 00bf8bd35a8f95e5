/* model.c: life cycle of a constituent set (tide/model.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tide/model.h"

void vg_tide_model_init(vg_tide_model *m)
{
    memset(m, 0, sizeof *m);
    m->latitude_deg = NAN;
    m->residual_rms = NAN;
    m->rayleigh = NAN;
    m->t_first = m->t_last = VG_TIME_NONE;
}

void vg_tide_model_free(vg_tide_model *m)
{
    if (!m)
        return;
    free(m->coef);
    vg_tide_model_init(m);
}

vg_err vg_tide_model_add(vg_tide_model *m, const vg_tide_coef *c)
{
    vg_tide_coef *p = realloc(m->coef, (m->n + 1) * sizeof *p);
    if (!p)
        return VG_ERR_NOMEM;
    m->coef = p;
    m->coef[m->n++] = *c;
    return VG_OK;
}
