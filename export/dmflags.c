/* dmflags.c (export): the store's delayed-mode flags laid over a series as its adjustment
 * (export/dmflags.h): one walk of dmflags.db merged with the series' rows, the manual
 * flags laid over again so that they win, and the history line naming the runs. */
#include "export/dmflags.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/audit.h"
#include "storage/dmflags.h"

#define DMX_RUNS_MAX 8 /* runs named in a history line; more are counted */

typedef struct dmx_ctx {
    const vg_series *s;
    vg_adjusted *a;
    size_t next;                   /* merge cursor over s->time */
    size_t flagged;
    size_t per_param[VG_P__COUNT];
    uint64_t run[DMX_RUNS_MAX];    /* the runs seen, ascending */
    size_t n_run, more_runs;
} dmx_ctx;

static void dmx__note_run(dmx_ctx *x, uint64_t run)
{
    for (size_t i = 0; i < x->n_run; i++)
        if (x->run[i] == run)
            return;
    if (x->n_run == DMX_RUNS_MAX) {
        x->more_runs++;
        return;
    }
    size_t i = x->n_run++;
    while (i > 0 && x->run[i - 1] > run) {
        x->run[i] = x->run[i - 1];
        i--;
    }
    x->run[i] = run;
}

static int dmx__row(void *ctx, const vg_dmflags_row *r)
{
    dmx_ctx *x = ctx;
    const vg_series *s = x->s;
    while (x->next < s->n && s->time[x->next] < r->time)
        x->next++;
    if (x->next >= s->n)
        return 1;
    if (s->time[x->next] != r->time)
        return 0; /* a record of a sample that is not in the series */
    size_t i = x->next;
    bool used = false;
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!(r->present & VG_PARAM_BIT(p)) || !x->a->qc[p] || isnan(s->value[p][i]))
            continue;
        x->a->qc[p][i] = r->flag[p];
        x->per_param[p]++;
        x->flagged++;
        used = true;
    }
    if (used)
        dmx__note_run(x, r->run);
    return 0;
}

static int dmx__manual(void *ctx, const vg_manual_flag *m)
{
    dmx_ctx *x = ctx;
    const vg_series *s = x->s;
    if (!x->a->qc[m->param])
        return 0;
    size_t lo;
    if (vg_series_row_at(s, m->time, &lo))
        x->a->qc[m->param][lo] = m->flag;
    return 0;
}

typedef struct dmx_last {
    const uint64_t *want;
    size_t n;
    char text[160];
} dmx_last;

/* The latest of the runs wanted: "2026-03-05T10:00:00Z by alice: vigie reprocess ..." */
static int dmx__run(void *ctx, const vg_dmflags_run *r)
{
    dmx_last *l = ctx;
    for (size_t i = 0; i < l->n; i++)
        if (l->want[i] == r->seq) {
            char t[VG_TIME_ISO_LEN];
            snprintf(l->text, sizeof l->text, "%s by %s%s: %s", vg_time_format_iso8601(r->when, t),
                     r->who, r->complete ? "" : " (interrupted)", r->what);
        }
    return 0;
}

vg_err vg_adjusted_from_dmflags(vg_store *st, const vg_series *s, vg_adjusted *a,
                                size_t *flagged, vg_errinfo *err)
{
    vg_adjusted_init(a, s->n);
    *flagged = 0;
    if (!s->n)
        return VG_OK;
    vg_err rc = VG_OK;
    for (int p = 0; p < VG_P__COUNT && rc == VG_OK; p++)
        if (s->value[p] && (rc = vg_adjusted_add_raw(a, (vg_param)p, s->value[p], err)) == VG_OK)
            memcpy(a->qc[p], s->qc[p], s->n);
    dmx_ctx x = {.s = s, .a = a};
    if (rc == VG_OK)
        rc = vg_dmflags_walk(st, s->platform, s->time[0], s->time[s->n - 1], dmx__row, &x, err);
    if (rc == VG_OK && x.flagged)
        rc = vg_manual_walk(st, s->platform, s->time[0], s->time[s->n - 1], dmx__manual, &x, err);
    dmx_last last = {.want = x.run, .n = x.n_run};
    if (rc == VG_OK && x.flagged)
        rc = vg_dmflags_runs(st, s->platform, dmx__run, &last, err);
    if (rc != VG_OK || !x.flagged) {
        vg_adjusted_free(a);
        return rc;
    }
    char runs[96] = "";
    size_t k = 0;
    for (size_t i = 0; i < x.n_run && k < sizeof runs; i++)
        k += (size_t)snprintf(runs + k, sizeof runs - k, "%s%llu", i ? ", " : "",
                              (unsigned long long)x.run[i]);
    if (x.more_runs && k < sizeof runs)
        snprintf(runs + k, sizeof runs - k, " and %zu more", x.more_runs);
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!a->value[p])
            continue;
        if (!x.per_param[p]) {
            snprintf(a->hist[p], VG_ADJ_HIST_MAX,
                     "no delayed-mode flags: values validated with their real-time flags");
            continue;
        }
        /* cut at the format's 256 characters on purpose */
        int w = snprintf(a->hist[p], VG_ADJ_HIST_MAX,
                         "delayed-mode flags of %zu of %zu values from vigie reprocess run%s %s "
                         "(latest %s); manual flags win; _QC keeps the real-time flags",
                         x.per_param[p], vg_series_count(s, (vg_param)p), x.n_run > 1 ? "s" : "",
                         runs, last.text);
        (void)w;
    }
    snprintf(a->processing_states, sizeof a->processing_states, "2A");
    *flagged = x.flagged;
    return VG_OK;
}
