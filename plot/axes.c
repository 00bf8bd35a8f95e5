/* axes.c: plot frames, ticks, legends and file surfaces (axes.h), with cairo. */
#include "plot/axes.h"

#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int vg_plot_format_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return -1;
    if (strcasecmp(dot, ".svg") == 0)
        return VG_PLOT_SVG;
    if (strcasecmp(dot, ".png") == 0)
        return VG_PLOT_PNG;
    return -1;
}

void vg_plot_cleanup(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

void vg_plot_options_default(vg_plot_options *o)
{
    o->format = VG_PLOT_SVG;
    o->width = 1000;
    o->height = 500;
    o->title = NULL;
}

void vg_axes_pad(double *lo, double *hi)
{
    if (!(*hi > *lo)) {
        *lo -= 1;
        *hi += 1;
        return;
    }
    double d = (*hi - *lo) * 0.05;
    *lo -= d;
    *hi += d;
}

/* Colour-blind-safe palette (Okabe and Ito) for the flags that matter most. */
static const double flag_rgb[10][3] = {
    {0.60, 0.60, 0.60}, /* 0 no QC: grey */
    {0.00, 0.45, 0.70}, /* 1 good: blue */
    {0.34, 0.71, 0.91}, /* 2 probably good: sky blue */
    {0.90, 0.62, 0.00}, /* 3 probably bad: orange */
    {0.84, 0.15, 0.00}, /* 4 bad: vermilion */
    {0.80, 0.47, 0.65}, /* 5 changed: reddish purple */
    {0.55, 0.35, 0.17}, /* 6 harbour: brown */
    {0.30, 0.30, 0.30}, /* 7 */
    {0.00, 0.62, 0.45}, /* 8 interpolated: bluish green */
    {0.80, 0.80, 0.80}, /* 9 missing */
};

void vg_axes_flag_colour(cairo_t *cr, vg_flag f)
{
    const double *c = flag_rgb[f <= 9 ? f : 0];
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

/* A "nice" step (1, 2 or 5 x 10^k) for about n ticks over span. */
static double axes__nice(double span, int n)
{
    double raw = span / n, mag = pow(10, floor(log10(raw))), m = raw / mag;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * mag;
}

/* A time step in seconds for about n ticks over span seconds. */
static double axes__time_step(double span, int n)
{
    static const double steps[] = {1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200,
                                   10800, 21600, 43200, 86400, 2 * 86400, 5 * 86400,
                                   10 * 86400, 15 * 86400, 30 * 86400, 61 * 86400,
                                   91 * 86400, 182 * 86400, 365 * 86400};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (span / steps[i] <= n)
            return steps[i];
    return axes__nice(span / 86400, n) * 86400;
}

static void axes__text(cairo_t *cr, double x, double y, const char *s, double ax, double ay)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - e.x_bearing - ax * e.width, y - e.y_bearing - ay * e.height);
    cairo_show_text(cr, s);
}

void vg_axes_draw(cairo_t *cr, const vg_frame *f, bool time_axis, const char *title,
                  const char *ylabel, const char *xlabel)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    cairo_set_line_width(cr, 0.5);
    /* y ticks and grid */
    double st = axes__nice(f->ymax - f->ymin, 8);
    char buf[64];
    for (double v = ceil(f->ymin / st) * st; v <= f->ymax; v += st) {
        double y = vg_frame_y(f, v);
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, f->x0, y);
        cairo_line_to(cr, f->x0 + f->w, y);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        snprintf(buf, sizeof buf, "%g", fabs(v) < st * 1e-6 ? 0.0 : v);
        axes__text(cr, f->x0 - 5, y, buf, 1, 0.5);
    }
    /* x ticks and grid */
    double sx = time_axis ? axes__time_step(f->xmax - f->xmin, 8) : axes__nice(f->xmax - f->xmin, 8);
    for (double v = ceil(f->xmin / sx) * sx; v <= f->xmax; v += sx) {
        double x = vg_frame_x(f, v);
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, x, f->y0);
        cairo_line_to(cr, x, f->y0 + f->h);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        if (time_axis) {
            int yy, mo, d, hh, mi, ss;
            vg_time_to_fields((vg_time_us)llround(v * 1e6), &yy, &mo, &d, &hh, &mi, &ss, NULL);
            if (sx >= 86400)
                snprintf(buf, sizeof buf, "%04d-%02d-%02d", yy, mo, d);
            else if (sx >= 60)
                snprintf(buf, sizeof buf, "%02d-%02d %02d:%02d", mo, d, hh, mi);
            else
                snprintf(buf, sizeof buf, "%02d:%02d:%02d", hh, mi, ss);
        } else {
            snprintf(buf, sizeof buf, "%g", fabs(v) < sx * 1e-6 ? 0.0 : v);
        }
        axes__text(cr, x, f->y0 + f->h + 5, buf, 0.5, 0);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, f->x0, f->y0, f->w, f->h);
    cairo_stroke(cr);
    if (xlabel)
        axes__text(cr, f->x0 + f->w / 2, f->y0 + f->h + 22, xlabel, 0.5, 0);
    if (ylabel) {
        cairo_save(cr);
        cairo_translate(cr, f->x0 - 55, f->y0 + f->h / 2);
        cairo_rotate(cr, -M_PI / 2);
        axes__text(cr, 0, 0, ylabel, 0.5, 0.5);
        cairo_restore(cr);
    }
    if (title) {
        cairo_set_font_size(cr, 14);
        axes__text(cr, f->x0 + f->w / 2, f->y0 - 12, title, 0.5, 1);
        cairo_set_font_size(cr, 11);
    }
}

void vg_axes_legend(cairo_t *cr, const vg_frame *f, const bool used[10], const char *const *extra,
                    const double (*rgb)[3], int n_extra)
{
    char buf[64];
    double x = f->x0 + f->w + 10, y = f->y0 + 4;
    cairo_set_font_size(cr, 10);
    for (int k = 0; k < 10; k++) {
        if (!used[k])
            continue;
        vg_axes_flag_colour(cr, (vg_flag)k);
        cairo_rectangle(cr, x, y, 9, 9);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        snprintf(buf, sizeof buf, "%d %s", k, vg_flag_meaning((vg_flag)k));
        axes__text(cr, x + 13, y + 4.5, buf, 0, 0.5);
        y += 15;
    }
    for (int k = 0; k < n_extra; k++) {
        cairo_set_source_rgb(cr, rgb[k][0], rgb[k][1], rgb[k][2]);
        cairo_rectangle(cr, x, y + 3, 9, 3);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        axes__text(cr, x + 13, y + 4.5, extra[k], 0, 0.5);
        y += 15;
    }
}

cairo_surface_t *vg_axes_surface(const vg_plot_options *o, const char *tmp_path)
{
    cairo_surface_t *sf = o->format == VG_PLOT_SVG
                              ? cairo_svg_surface_create(tmp_path, o->width, o->height)
                              : cairo_image_surface_create(CAIRO_FORMAT_RGB24, o->width, o->height);
    return sf;
}

vg_err vg_axes_finish(cairo_t *cr, cairo_surface_t *sf, const vg_plot_options *o,
                      const char *tmp_path, const char *path, vg_errinfo *err)
{
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS && o->format == VG_PLOT_PNG)
        st = cairo_surface_write_to_png(sf, tmp_path);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS) {
        unlink(tmp_path);
        return vg_fail(err, VG_ERR_IO, "%s: cairo: %s", path, cairo_status_to_string(st));
    }
    if (rename(tmp_path, path) != 0) {
        int e = errno;
        unlink(tmp_path);
        return vg_fail(err, VG_ERR_IO, "%s: %s", path, strerror(e));
    }
    return VG_OK;
}
