/* reprocess.c: a series through the stream engine again (reprocess.h): rows become
 * samples, judged samples come back in time order and are matched to their rows, the
 * manual flags of the store are laid over the new flags, and the changes are counted. */
#include "dm/reprocess.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "qc/stream.h"
#include "qc/test.h"
#include "storage/audit.h"

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

typedef struct rp_ctx {
    const vg_series *s;
    vg_adjusted *a;
    vg_dm_counts *c;
    size_t next; /* the row the next emitted sample belongs to, or after */
    int param[VG_P__COUNT], n_param;       /* the columns, so the hot path skips the rest */
    uint8_t test[VG_QC_MAX_TESTS]; int n_test; /* ids of the chain's parameter tests */
} rp_ctx;

static void rp__no_event(void *ctx, const vg_event *ev)
{
    (void)ctx;
    (void)ev;
}

static void rp__emit(void *ctx, const vg_sample *smp)
{
    rp_ctx *x = ctx;
    const vg_series *s = x->s;
    while (x->next < s->n && s->time[x->next] < smp->time)
        x->next++;
    if (x->next >= s->n || s->time[x->next] != smp->time)
        return; /* cannot happen: every emitted sample was pushed from a row */
    size_t i = x->next++;
    for (int k = 0; k < x->n_param; k++) {
        int p = x->param[k];
        if (isnan(s->value[p][i]))
            continue;
        const vg_qc_flags *f = &smp->qc[p];
        x->a->qc[p][i] = f->agg;
        x->c->values[p]++;
        for (int j = 0; j < x->n_test; j++) {
            vg_flag v = f->test[x->test[j]];
            if (v && v <= 9)
                x->c->test[p][x->test[j]][v]++;
        }
    }
}

typedef struct rp_manual {
    const vg_series *s;
    vg_adjusted *a;
    vg_dm_counts *c;
} rp_manual;

static int rp__manual(void *ctx, const vg_manual_flag *m)
{
    rp_manual *x = ctx;
    const vg_series *s = x->s;
    if (!x->a->qc[m->param])
        return 0;
    size_t lo;
    if (vg_series_row_at(s, m->time, &lo) && !isnan(s->value[m->param][lo])) {
        x->a->qc[m->param][lo] = m->flag;
        x->c->manual[m->param]++;
    }
    return 0;
}

vg_err vg_dm_reprocess_prepare(const vg_series *s, vg_adjusted *a, vg_errinfo *err)
{
    vg_adjusted_init(a, s->n);
    vg_err rc = VG_OK;
    for (int p = 0; p < VG_P__COUNT && rc == VG_OK; p++) /* the flags are judged, not the values */
        if (s->value[p])
            rc = vg_adjusted_add_raw(a, p, s->value[p], err);
    if (rc != VG_OK)
        vg_adjusted_free(a);
    else
        snprintf(a->processing_states, sizeof a->processing_states, "2A");
    return rc;
}

vg_err vg_dm_reprocess(const vg_series *s, const vg_qc_plan *plan, const vg_platform_cfg *pf,
                       vg_store *store, vg_adjusted *a, vg_dm_counts *c,
                       vg_dm_progress progress, void *progress_ctx, vg_errinfo *err)
{
    vg_err rc = vg_dm_reprocess_prepare(s, a, err);
    if (rc == VG_OK && (rc = vg_dm_reprocess_judge(s, plan, pf, store, a, c, progress,
                                                   progress_ctx, err)) != VG_OK)
        vg_adjusted_free(a);
    return rc;
}

vg_err vg_dm_reprocess_judge(const vg_series *s, const vg_qc_plan *plan,
                             const vg_platform_cfg *pf, vg_store *store, vg_adjusted *a,
                             vg_dm_counts *c, vg_dm_progress progress, void *progress_ctx,
                             vg_errinfo *err)
{
    memset(c, 0, sizeof *c);
    vg_qc_stream *st = NULL;
    vg_err rc = vg_qc_stream_new(plan, pf, &st, err);
    if (rc != VG_OK)
        return rc;
    rp_ctx x = {.s = s, .a = a, .c = c};
    for (int p = 0; p < VG_P__COUNT; p++)
        if (a->value[p])
            x.param[x.n_param++] = p;
    const vg_qc_chain *ch = &plan->chains[pf->kind];
    for (size_t k = 0; k < ch->n_steps; k++) {
        uint8_t id = ch->steps[k].test->id;
        bool seen = ch->steps[k].test->target != VG_QC_ON_PARAM;
        for (int j = 0; j < x.n_test; j++)
            seen |= x.test[j] == id;
        if (!seen && id < VG_QC_MAX_TESTS)
            x.test[x.n_test++] = id;
    }
    vg_sample smp;
    vg_sample_init(&smp);
    snprintf(smp.platform, sizeof smp.platform, "%s", pf->id);
    for (size_t i = 0; i < s->n; i++) {
        smp.time = smp.received = s->time[i];
        smp.lat_deg = s->lat_deg[i];
        smp.lon_deg = s->lon_deg[i];
        smp.present = 0;
        for (int p = 0; p < VG_P__COUNT; p++) {
            smp.value[p] = NAN;
            if (s->value[p] && !isnan(s->value[p][i])) {
                smp.value[p] = s->value[p][i];
                smp.present |= VG_PARAM_BIT(p);
            }
        }
        vg_errinfo why;
        if (vg_qc_stream_push(st, &smp, 0, rp__emit, &x, &why) != VG_OK)
            c->refused++;
        /* A tide gauge's daily sea-level watch at the same point as in the daemon, so that
         * datum_shift and clock_offset judge as they did live; its events were reported
         * live and are not reported again. */
        if (vg_qc_stream_events_due(st) &&
            vg_qc_stream_run_events(st, rp__no_event, NULL, &why) != VG_OK) {
            vg_qc_stream_free(st);
            vg_adjusted_free(a);
            *err = why;
            return why.code;
        }
        c->rows++;
        if (progress && (i & 0xffff) == 0xffff)
            progress(progress_ctx, i + 1, s->n);
    }
    vg_qc_stream_flush(st, rp__emit, &x);
    vg_qc_stream_free(st);

    if (store) {
        rp_manual m = {.s = s, .a = a, .c = c};
        if (s->n && (rc = vg_manual_walk(store, s->platform, s->time[0], s->time[s->n - 1],
                                         rp__manual, &m, err)) != VG_OK)
            return rc;
    }
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!a->value[p])
            continue;
        for (size_t i = 0; i < s->n; i++) {
            vg_flag o = s->qc[p][i], n = a->qc[p][i];
            if (!isnan(s->value[p][i]) && o != n && o <= 9 && n <= 9)
                c->change[p][o][n]++;
        }
        dm__hist(a->hist[p],
                 "flags of the delayed-mode reprocessing by vigie's QC chain of %s%s; "
                 "_QC keeps the real-time flags",
                 pf->id, c->manual[p] ? ", with the operators' manual flags" : "");
    }
    if (progress)
        progress(progress_ctx, s->n, s->n);
    return VG_OK;
}
