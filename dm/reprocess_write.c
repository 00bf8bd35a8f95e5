/* reprocess_write.c: the engine on a C11 thread, the GOSUD writer on the caller's
 * (reprocess_write.h); they meet in await_adjusted, which joins the engine's thread. */
#include "dm/reprocess_write.h"

#include <threads.h>

typedef struct rpw_job {
    const vg_series *s;
    const vg_qc_plan *plan;
    const vg_platform_cfg *pf;
    vg_store *store;
    vg_adjusted *a;
    vg_dm_counts *c;
    vg_dm_progress progress;
    void *progress_ctx;
    thrd_t thread;
    bool running;
    vg_err rc;
    vg_errinfo err;
} rpw_job;

static int rpw__judge(void *arg)
{
    rpw_job *j = arg;
    j->rc = vg_dm_reprocess_judge(j->s, j->plan, j->pf, j->store, j->a, j->c, j->progress,
                                  j->progress_ctx, &j->err);
    return 0;
}

/* Wait for the engine; its error, if any. */
static vg_err rpw__join(rpw_job *j)
{
    if (j->running) {
        thrd_join(j->thread, NULL);
        j->running = false;
    }
    return j->rc;
}

static vg_err rpw__await(void *ctx, vg_errinfo *err)
{
    rpw_job *j = ctx;
    vg_err rc = rpw__join(j);
    if (rc != VG_OK)
        return vg_fail(err, rc, "reprocessing: %s", j->err.text);
    return VG_OK;
}

vg_err vg_dm_reprocess_write(const vg_series *s, const vg_qc_plan *plan,
                             const vg_platform_cfg *pf, vg_store *store,
                             const vg_export_options *eo, const char *path, vg_adjusted *a,
                             vg_dm_counts *c, vg_dm_progress progress, void *progress_ctx,
                             vg_errinfo *err)
{
    vg_err rc = vg_dm_reprocess_prepare(s, a, err);
    if (rc != VG_OK)
        return rc;
    rpw_job j = {.s = s, .plan = plan, .pf = pf, .store = store, .a = a, .c = c,
                 .progress = progress, .progress_ctx = progress_ctx, .rc = VG_OK};
    vg_export_options o = *eo;
    o.adjusted = a;
    if (thrd_create(&j.thread, rpw__judge, &j) == thrd_success) {
        j.running = true;
        o.await_adjusted = rpw__await;
        o.await_ctx = &j;
    } else { /* no second thread: one after the other */
        rpw__judge(&j);
        if (j.rc != VG_OK) {
            vg_adjusted_free(a);
            return vg_fail(err, j.rc, "%s", j.err.text);
        }
    }
    rc = vg_export_write(s, &o, path, err);
    vg_err jrc = rpw__join(&j); /* the writer failed before waiting: still wait */
    if (rc == VG_OK && jrc != VG_OK)
        rc = vg_fail(err, jrc, "reprocessing: %s", j.err.text);
    if (rc != VG_OK)
        vg_adjusted_free(a);
    return rc;
}
