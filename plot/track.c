/* track.c: a ship's track coloured by flag (plot.h, vg_plot_track): longitude and
 * latitude axes with equal distances (x scaled by cos of the mean latitude). */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "plot/axes.h"

#define M_LEFT 75.0
#define M_RIGHT 150.0
#define M_TOP 35.0
#define M_BOTTOM 50.0

vg_err vg_plot_track(const vg_series *s, int p, const vg_plot_options *o, const char *path,
                     vg_errinfo *err)
{
    if (o->width < 200 || o->width > 10000 || o->height < 150 || o->height > 10000 ||
        (o->format != VG_PLOT_SVG && o->format != VG_PLOT_PNG))
        return vg_fail(err, VG_ERR_INVAL, "plot size %d x %d outside 200..10000 x 150..10000",
                       o->width, o->height);
    if (p >= 0 && ((unsigned)p >= VG_P__COUNT || !s->value[p]))
        return vg_fail(err, VG_ERR_INVAL, "%s: no column %s", s->platform,
                       (unsigned)p < VG_P__COUNT ? vg_param_get((vg_param)p)->code : "?");
    vg_frame f = {.x0 = M_LEFT, .y0 = M_TOP, .w = o->width - M_LEFT - M_RIGHT,
                  .h = o->height - M_TOP - M_BOTTOM};
    f.xmin = f.ymin = INFINITY;
    f.xmax = f.ymax = -INFINITY;
    size_t n = 0;
    bool used[10] = {false};
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(s->lat_deg[i]) || isnan(s->lon_deg[i]))
            continue;
        n++;
        f.xmin = fmin(f.xmin, s->lon_deg[i]), f.xmax = fmax(f.xmax, s->lon_deg[i]);
        f.ymin = fmin(f.ymin, s->lat_deg[i]), f.ymax = fmax(f.ymax, s->lat_deg[i]);
        vg_flag fl = p >= 0 ? s->qc[p][i] : s->pos_qc[i];
        used[fl <= 9 ? fl : 0] = true;
    }
    if (!n)
        return vg_fail(err, VG_ERR_INVAL, "%s: no position to draw a track", s->platform);
    vg_axes_pad(&f.xmin, &f.xmax);
    vg_axes_pad(&f.ymin, &f.ymax);
    /* Equal distances: widen the narrower axis. */
    double k = cos((f.ymin + f.ymax) / 2 * M_PI / 180);
    double dx = (f.xmax - f.xmin) * k, dy = f.ymax - f.ymin;
    if (dx / f.w < dy / f.h) {
        double want = dy / f.h * f.w / k, c = (f.xmin + f.xmax) / 2;
        f.xmin = c - want / 2, f.xmax = c + want / 2;
    } else {
        double want = dx / f.w * f.h, c = (f.ymin + f.ymax) / 2;
        f.ymin = c - want / 2, f.ymax = c + want / 2;
    }

    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    cairo_surface_t *sf = vg_axes_surface(o, tmp);
    cairo_t *cr = cairo_create(sf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_save(cr);
    cairo_rectangle(cr, f.x0, f.y0, f.w, f.h);
    cairo_clip(cr);
    /* The track as a thin line, then one dot per pixel (the worst flag drawn last). */
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    cairo_set_line_width(cr, 0.8);
    bool pen = false;
    size_t step = n > 20000 ? n / 10000 : 1;
    for (size_t i = 0; i < s->n; i += step) {
        if (isnan(s->lat_deg[i]) || isnan(s->lon_deg[i])) {
            pen = false;
            continue;
        }
        double x = vg_frame_x(&f, s->lon_deg[i]), y = vg_frame_y(&f, s->lat_deg[i]);
        if (pen)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        pen = true;
    }
    cairo_stroke(cr);
    static const vg_flag order[] = {0, 1, 2, 8, 7, 5, 6, 3, 4};
    for (size_t j = 0; j < sizeof order; j++) {
        if (!used[order[j]])
            continue;
        vg_axes_flag_colour(cr, order[j]);
        double lx = -1, ly = -1;
        for (size_t i = 0; i < s->n; i++) {
            vg_flag fl = p >= 0 ? s->qc[p][i] : s->pos_qc[i];
            if (fl != order[j] || isnan(s->lat_deg[i]) || isnan(s->lon_deg[i]))
                continue;
            double x = vg_frame_x(&f, s->lon_deg[i]), y = vg_frame_y(&f, s->lat_deg[i]);
            if (fabs(x - lx) < 1 && fabs(y - ly) < 1)
                continue; /* same pixel as the last dot */
            cairo_rectangle(cr, x - 1.5, y - 1.5, 3, 3);
            lx = x, ly = y;
        }
        cairo_fill(cr);
    }
    cairo_restore(cr);
    char title[128];
    snprintf(title, sizeof title, "%s track, %s flags", s->platform,
             p >= 0 ? vg_param_get((vg_param)p)->code : "position");
    vg_axes_draw(cr, &f, false, o->title ? o->title : title, "latitude (degrees north)",
                 "longitude (degrees east)");
    vg_axes_legend(cr, &f, used, NULL, NULL, 0);
    return vg_axes_finish(cr, sf, o, tmp, path, err);
}
