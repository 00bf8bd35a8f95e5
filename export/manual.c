/* manual.c: the operators' manual flags laid over a series loaded from the store
 * (series.h, vg_series_apply_manual): the manual flag of a value replaces its automatic
 * aggregate, so exports carry the validated flags (storage/audit.h). */
#include "export/series.h"
#include "storage/audit.h"

typedef struct manual__ctx {
    vg_series *s;
    size_t applied;
} manual__ctx;

static int manual__apply(void *ctx, const vg_manual_flag *m)
{
    manual__ctx *c = ctx;
    vg_series *s = c->s;
    if (!s->qc[m->param])
        return 0;
    size_t lo;
    if (vg_series_row_at(s, m->time, &lo)) {
        s->qc[m->param][lo] = m->flag;
        c->applied++;
    }
    return 0;
}

vg_err vg_series_apply_manual(vg_store *st, vg_series *s, size_t *applied, vg_errinfo *err)
{
    manual__ctx c = {.s = s};
    vg_err rc = VG_OK;
    if (s->n)
        rc = vg_manual_walk(st, s->platform, s->time[0], s->time[s->n - 1], manual__apply, &c,
                            err);
    if (applied)
        *applied = c.applied;
    return rc;
}
