/* alert_plot.c: the PNG of an alert mail (alert_plot.h): the parameter's last hours read
 * from the store into a series, drawn in memory by plot/ (vg_plot_series_png). */
#include "daemon/alert_plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "export/series.h"
#include "plot/plot.h"
#include "storage/walk.h"

static bool ap_drawn; /* a plot was drawn: caches to release at exit (engine thread) */

void vg_alert_plot_cleanup(void)
{
    if (ap_drawn)
        vg_plot_cleanup();
    ap_drawn = false;
}

typedef struct ap_join {
    vg_series *s;
    vg_param p;
    vg_err rc;
    vg_errinfo *err;
} ap_join;

/* One stored sample: a row with the parameter (the others are not needed). */
static int ap__sample(void *ctx, const vg_sample *smp)
{
    ap_join *j = ctx;
    if (!vg_sample_has(smp, j->p))
        return 0;
    size_t i;
    if ((j->rc = vg_series_append(j->s, smp->time, &i, j->err)) != VG_OK)
        return 1;
    j->s->value[j->p][i] = smp->value[j->p];
    j->s->qc[j->p][i] = smp->qc[j->p].agg;
    return 0;
}

vg_err vg_alert_plot(void *ctx, const vg_alert_event *ev, double hours, vg_alerts_file *out,
                     vg_errinfo *err)
{
    vg_store *st = ctx;
    memset(out, 0, sizeof *out);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (ev->param < 0 || ev->param >= VG_P__COUNT || !(hours >= 1 && hours <= 720))
        return vg_fail(err, VG_ERR_INVAL, "alert plot: a parameter and 1..720 hours are needed");
    vg_time_us to = ev->last;
    if (ev->n_rows && (to == VG_TIME_NONE || ev->rows[ev->n_rows - 1].time > to))
        to = ev->rows[ev->n_rows - 1].time;
    if (to == VG_TIME_NONE)
        to = ev->now;
    vg_time_us from = to - (vg_time_us)(hours * 3600.0 * VG_US_PER_S);
    vg_param p = (vg_param)ev->param;
    vg_series s;
    vg_series_init(&s, ev->platform->id);
    vg_err rc = vg_series_add_param(&s, p, err);
    ap_join j = {.s = &s, .p = p, .rc = VG_OK, .err = err};
    if (rc == VG_OK)
        rc = vg_store_walk_platform(st, ev->platform->id, from, to, ap__sample, &j, err);
    if (rc == VG_OK)
        rc = j.rc;
    vg_plot_options o;
    vg_plot_options_default(&o);
    o.format = VG_PLOT_PNG;
    o.width = VG_ALERT_PLOT_WIDTH;
    o.height = VG_ALERT_PLOT_HEIGHT;
    char title[96];
    const char *code = vg_param_get(p)->code;
    snprintf(title, sizeof title, "%s %s, last %g h", ev->platform->id, code, hours);
    o.title = title;
    if (rc == VG_OK && s.n)
        ap_drawn = true;
    if (rc == VG_OK)
        rc = vg_plot_series_png(&s, p, NULL, &o, &out->data, &out->len, err);
    size_t rows = s.n;
    vg_series_free(&s);
    if (rc != VG_OK)
        return rc;
    char t[VG_TIME_ISO_LEN];
    vg_time_format_iso8601(ev->since, t);
    for (char *c = t; *c; c++)
        if (*c == ':')
            *c = '-';
    snprintf(out->content_type, sizeof out->content_type, "image/png");
    snprintf(out->filename, sizeof out->filename, "%s_%s_%s.png", ev->platform->id, code, t);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    vg_info("alert plot of %s %s: %zu values, %zu bytes, %.0f ms (engine thread)",
            ev->platform->id, code, rows, out->len,
            (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    return VG_OK;
}
