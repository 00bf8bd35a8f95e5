/* timeseries.c: a parameter's time series coloured by flag, with optional band, line and
 * water samples (plot.h): into a file (vg_plot_series) or a PNG in memory
 * (vg_plot_series_png, for the alert mails). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot/axes.h"

#define M_LEFT 75.0
#define M_RIGHT 150.0
#define M_TOP 35.0
#define M_BOTTOM 50.0

/* Draw order: the worst flags last, on top. */
static const vg_flag draw_order[] = {0, 1, 2, 8, 7, 5, 6, 3, 4};

static vg_err ts__check(const vg_series *s, int p, const vg_plot_options *o, vg_errinfo *err)
{
    if (o->width < 200 || o->width > 10000 || o->height < 150 || o->height > 10000 ||
        (o->format != VG_PLOT_SVG && o->format != VG_PLOT_PNG))
        return vg_fail(err, VG_ERR_INVAL, "plot size %d x %d outside 200..10000 x 150..10000",
                       o->width, o->height);
    if (p >= 0 && ((unsigned)p >= VG_P__COUNT || !s->value[p] || !vg_series_count(s, (vg_param)p)))
        return vg_fail(err, VG_ERR_INVAL, "%s: no value of %s to plot", s->platform,
                       (unsigned)p < VG_P__COUNT ? vg_param_get((vg_param)p)->code : "?");
    return VG_OK;
}

/* A polyline of v (n rows, times t) every `step` rows, broken at NaN. */
static void ts__polyline(cairo_t *cr, const vg_frame *f, const vg_series *s, const double *v,
                         size_t step)
{
    bool pen = false;
    for (size_t i = 0; i < s->n; i += step) {
        if (isnan(v[i])) {
            pen = false;
            continue;
        }
        double x = vg_frame_x(f, (double)s->time[i] / 1e6), y = vg_frame_y(f, v[i]);
        if (pen)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        pen = true;
    }
    cairo_stroke(cr);
}

/* The band between lo and hi, as filled runs. */
static void ts__band(cairo_t *cr, const vg_frame *f, const vg_series *s, const double *lo,
                     const double *hi, size_t step)
{
    size_t i = 0;
    while (i < s->n) {
        while (i < s->n && (isnan(lo[i]) || isnan(hi[i])))
            i += step;
        size_t a = i;
        while (i < s->n && !isnan(lo[i]) && !isnan(hi[i]))
            i += step;
        if (i == a)
            continue;
        for (size_t k = a; k < i; k += step)
            cairo_line_to(cr, vg_frame_x(f, (double)s->time[k] / 1e6), vg_frame_y(f, hi[k]));
        for (size_t k = i - step + 1; k-- > a;)
            if ((k - a) % step == 0)
                cairo_line_to(cr, vg_frame_x(f, (double)s->time[k] / 1e6), vg_frame_y(f, lo[k]));
        cairo_close_path(cr);
        cairo_fill(cr);
    }
}

/* Draw the plot on cr (a surface of o->width x o->height); VG_ERR_NOMEM. */
static vg_err ts__draw(cairo_t *cr, const vg_series *s, vg_param p, const vg_plot_overlay *ov_in,
                       const vg_plot_options *o, vg_errinfo *err)
{
    vg_plot_overlay ov = {0};
    if (ov_in)
        ov = *ov_in;
    const double *v = s->value[p];
    const vg_flag *q = s->qc[p];
    vg_frame f = {.x0 = M_LEFT, .y0 = M_TOP, .w = o->width - M_LEFT - M_RIGHT,
                  .h = o->height - M_TOP - M_BOTTOM};
    f.xmin = (double)s->time[0] / 1e6;
    f.xmax = (double)s->time[s->n - 1] / 1e6;
    f.ymin = INFINITY, f.ymax = -INFINITY;
    bool used[10] = {false};
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(v[i]))
            continue;
        f.ymin = fmin(f.ymin, v[i]), f.ymax = fmax(f.ymax, v[i]);
        used[q[i] <= 9 ? q[i] : 0] = true;
    }
    for (size_t i = 0; ov.line && i < s->n; i++)
        if (!isnan(ov.line[i]))
            f.ymin = fmin(f.ymin, ov.line[i]), f.ymax = fmax(f.ymax, ov.line[i]);
    for (size_t k = 0; ov.samples && k < ov.samples->n; k++) {
        double t = (double)ov.samples->time[k] / 1e6, sv = ov.samples->value[k];
        if (!isnan(sv) && t >= f.xmin && t <= f.xmax)
            f.ymin = fmin(f.ymin, sv), f.ymax = fmax(f.ymax, sv);
    }
    vg_axes_pad(&f.xmin, &f.xmax);
    vg_axes_pad(&f.ymin, &f.ymax);

    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    size_t cols = (size_t)f.w, step = s->n > 4 * cols ? s->n / (2 * cols) : 1;
    cairo_save(cr);
    cairo_rectangle(cr, f.x0, f.y0, f.w, f.h);
    cairo_clip(cr);
    if (ov.band_lo && ov.band_hi) {
        cairo_set_source_rgba(cr, 0.5, 0.7, 0.5, 0.3);
        ts__band(cr, &f, s, ov.band_lo, ov.band_hi, step);
    }
    if (s->n <= 2 * cols) {
        /* Few points: each one a dot. */
        for (size_t k = 0; k < sizeof draw_order; k++) {
            vg_flag fl = draw_order[k];
            if (!used[fl])
                continue;
            vg_axes_flag_colour(cr, fl);
            for (size_t i = 0; i < s->n; i++) {
                if (isnan(v[i]) || q[i] != fl)
                    continue;
                cairo_arc(cr, vg_frame_x(&f, (double)s->time[i] / 1e6), vg_frame_y(&f, v[i]), 1.8,
                          0, 2 * M_PI);
                cairo_fill(cr);
            }
        }
    } else {
        /* Many points: per pixel column, the range of each flag's values. */
        size_t nc = cols + 1;
        double *lo = malloc(nc * 10 * sizeof *lo), *hi = malloc(nc * 10 * sizeof *hi);
        if (!lo || !hi) {
            free(lo), free(hi);
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for a plot of %zu columns", nc);
        }
        for (size_t k = 0; k < nc * 10; k++)
            lo[k] = INFINITY, hi[k] = -INFINITY;
        for (size_t i = 0; i < s->n; i++) {
            if (isnan(v[i]))
                continue;
            double x = vg_frame_x(&f, (double)s->time[i] / 1e6) - f.x0;
            size_t c = x < 0 ? 0 : x >= (double)nc ? nc - 1 : (size_t)x;
            size_t k = c * 10 + (q[i] <= 9 ? q[i] : 0);
            lo[k] = fmin(lo[k], v[i]), hi[k] = fmax(hi[k], v[i]);
        }
        cairo_set_line_width(cr, 1.0);
        for (size_t j = 0; j < sizeof draw_order; j++) {
            vg_flag fl = draw_order[j];
            if (!used[fl])
                continue;
            vg_axes_flag_colour(cr, fl);
            for (size_t c = 0; c < nc; c++) {
                size_t k = c * 10 + fl;
                if (lo[k] > hi[k])
                    continue;
                double y0 = vg_frame_y(&f, lo[k]), y1 = vg_frame_y(&f, hi[k]);
                cairo_rectangle(cr, f.x0 + (double)c, fmin(y0, y1) - 1, 1.0, fabs(y1 - y0) + 2);
            }
            cairo_fill(cr);
        }
        free(lo), free(hi);
    }
    if (ov.line) {
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_set_line_width(cr, 1.0);
        ts__polyline(cr, &f, s, ov.line, step);
    }
    if (ov.samples) {
        cairo_set_line_width(cr, 1.2);
        for (size_t k = 0; k < ov.samples->n; k++) {
            if (isnan(ov.samples->value[k]))
                continue;
            double x = vg_frame_x(&f, (double)ov.samples->time[k] / 1e6);
            double y = vg_frame_y(&f, ov.samples->value[k]);
            cairo_move_to(cr, x, y - 5);
            cairo_line_to(cr, x + 5, y);
            cairo_line_to(cr, x, y + 5);
            cairo_line_to(cr, x - 5, y);
            cairo_close_path(cr);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_stroke(cr);
        }
    }
    cairo_restore(cr);
    const vg_param_info *pi = vg_param_get(p);
    char title[128], ylabel[128];
    snprintf(title, sizeof title, "%s %s", s->platform, pi->code);
    snprintf(ylabel, sizeof ylabel, "%s (%s)", pi->code, pi->units);
    vg_axes_draw(cr, &f, true, o->title ? o->title : title, ylabel, "time (UTC)");
    const char *extra[3];
    double rgb[3][3];
    int ne = 0;
    if (ov.band_lo && ov.band_hi) {
        extra[ne] = ov.band_label ? ov.band_label : "band";
        memcpy(rgb[ne++], (double[3]){0.5, 0.7, 0.5}, sizeof rgb[0]);
    }
    if (ov.line) {
        extra[ne] = ov.line_label ? ov.line_label : "line";
        memcpy(rgb[ne++], (double[3]){0.2, 0.2, 0.2}, sizeof rgb[0]);
    }
    if (ov.samples) {
        extra[ne] = "water samples";
        memcpy(rgb[ne++], (double[3]){0, 0, 0}, sizeof rgb[0]);
    }
    vg_axes_legend(cr, &f, used, extra, (const double(*)[3])rgb, ne);
    return VG_OK;
}

vg_err vg_plot_series(const vg_series *s, vg_param p, const vg_plot_overlay *ov,
                      const vg_plot_options *o, const char *path, vg_errinfo *err)
{
    vg_err rc = ts__check(s, (int)p, o, err);
    if (rc != VG_OK)
        return rc;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    cairo_surface_t *sf = vg_axes_surface(o, tmp);
    cairo_t *cr = cairo_create(sf);
    if ((rc = ts__draw(cr, s, p, ov, o, err)) != VG_OK) {
        cairo_destroy(cr);
        cairo_surface_destroy(sf);
        unlink(tmp);
        return rc;
    }
    return vg_axes_finish(cr, sf, o, tmp, path, err);
}

typedef struct ts_png {
    unsigned char *p;
    size_t len, cap;
} ts_png;

static cairo_status_t ts__png_write(void *closure, const unsigned char *data, unsigned int n)
{
    ts_png *b = closure;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q)
            return CAIRO_STATUS_NO_MEMORY;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return CAIRO_STATUS_SUCCESS;
}

vg_err vg_plot_series_png(const vg_series *s, vg_param p, const vg_plot_overlay *ov,
                          const vg_plot_options *o_in, unsigned char **png, size_t *len,
                          vg_errinfo *err)
{
    *png = NULL;
    *len = 0;
    vg_plot_options o = *o_in;
    o.format = VG_PLOT_PNG;
    vg_err rc = ts__check(s, (int)p, &o, err);
    if (rc != VG_OK)
        return rc;
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, o.width, o.height);
    cairo_t *cr = cairo_create(sf);
    rc = ts__draw(cr, s, p, ov, &o, err);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    ts_png b = {0};
    if (rc == VG_OK && st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(sf, ts__png_write, &b);
    cairo_surface_destroy(sf);
    if (rc == VG_OK && st != CAIRO_STATUS_SUCCESS)
        rc = vg_fail(err, st == CAIRO_STATUS_NO_MEMORY ? VG_ERR_NOMEM : VG_ERR_IO,
                     "plot of %s in memory: cairo: %s", s->platform, cairo_status_to_string(st));
    if (rc != VG_OK) {
        free(b.p);
        return rc;
    }
    *png = b.p;
    *len = b.len;
    return VG_OK;
}
