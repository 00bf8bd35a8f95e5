/* adjusted.c: allocation of the delayed-mode adjustment columns (adjusted.h). */
#include "export/adjusted.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void vg_adjusted_init(vg_adjusted *a, size_t n)
{
    memset(a, 0, sizeof *a);
    a->n = n;
}

vg_err vg_adjusted_add(vg_adjusted *a, vg_param p, vg_errinfo *err)
{
    if ((unsigned)p >= VG_P__COUNT)
        return vg_fail(err, VG_ERR_INVAL, "parameter index %d out of range", (int)p);
    if (a->value[p])
        return VG_OK;
    size_t n = a->n ? a->n : 1;
    a->value[p] = malloc(n * sizeof *a->value[p]);
    a->error[p] = malloc(n * sizeof *a->error[p]);
    a->qc[p] = malloc(n);
    if (!a->value[p] || !a->error[p] || !a->qc[p]) {
        free(a->value[p]), free(a->error[p]), free(a->qc[p]);
        a->value[p] = a->error[p] = NULL;
        a->qc[p] = NULL;
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu adjusted rows", a->n);
    }
    for (size_t i = 0; i < a->n; i++) {
        a->value[p][i] = NAN;
        a->error[p][i] = NAN;
        a->qc[p][i] = VG_FLAG_MISSING;
    }
    return VG_OK;
}

vg_err vg_adjusted_add_raw(vg_adjusted *a, vg_param p, const double *raw, vg_errinfo *err)
{
    if ((unsigned)p >= VG_P__COUNT)
        return vg_fail(err, VG_ERR_INVAL, "parameter index %d out of range", (int)p);
    if (a->value[p])
        return VG_OK;
    size_t n = a->n ? a->n : 1;
    a->qc[p] = malloc(n);
    if (!a->qc[p])
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu adjusted rows", a->n);
    memset(a->qc[p], VG_FLAG_MISSING, n);
    a->value[p] = (double *)raw; /* borrowed: never written through, never freed here */
    a->borrowed[p] = 1;
    return VG_OK;
}

void vg_adjusted_free(vg_adjusted *a)
{
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!a->borrowed[p])
            free(a->value[p]);
        free(a->error[p]);
        free(a->qc[p]);
    }
    vg_adjusted_init(a, a->n);
}
