/* axes.h: the frame of a plot, shared by the time-series and track plots: the plot area
 * inside the margins, data-to-device mapping, "nice" tick steps for values and for times,
 * axis drawing with labels, the flag colours and their legend, and the cairo surface for
 * a file (SVG or PNG) with its atomic write. Internal to plot/. */
#ifndef VIGIE_PLOT_AXES_H
#define VIGIE_PLOT_AXES_H

#include <cairo.h>

#include "core/flags.h"
#include "core/time.h"
#include "plot/plot.h"

typedef struct vg_frame {
    double x0, y0, w, h;     /* plot area, device units */
    double xmin, xmax;       /* data range along x (seconds since epoch, or degrees) */
    double ymin, ymax;
} vg_frame;

/* Device coordinates of data (x, y). */
static inline double vg_frame_x(const vg_frame *f, double x)
{
    return f->x0 + (x - f->xmin) / (f->xmax - f->xmin) * f->w;
}
static inline double vg_frame_y(const vg_frame *f, double y)
{
    return f->y0 + f->h - (y - f->ymin) / (f->ymax - f->ymin) * f->h;
}

/* Widen [*lo, *hi] by 5 % (or by 1 around a single value) so points are not on the edge. */
void vg_axes_pad(double *lo, double *hi);

/* Set the colour of flag f (0-9). */
void vg_axes_flag_colour(cairo_t *cr, vg_flag f);

/* Draw the frame, grid, ticks and labels: y values with "nice" steps; x as UTC times
 * (time_axis) or as degrees of longitude. Then the title at the top and the y label. */
void vg_axes_draw(cairo_t *cr, const vg_frame *f, bool time_axis, const char *title,
                  const char *ylabel, const char *xlabel);

/* A legend in the top right corner of the plot area for flags with used[f] set, then
 * extra entries (label, r, g, b) for overlays. */
void vg_axes_legend(cairo_t *cr, const vg_frame *f, const bool used[10], const char *const *extra,
                    const double (*rgb)[3], int n_extra);

/* A surface for o (SVG writes straight to tmp_path; PNG is an image surface written by
 * vg_axes_finish). */
cairo_surface_t *vg_axes_surface(const vg_plot_options *o, const char *tmp_path);

/* Finish the drawing: PNG written to tmp_path; then tmp_path renamed onto path. Destroys
 * cr and surface. VG_ERR_IO naming path on any failure (the temporary file is removed). */
vg_err vg_axes_finish(cairo_t *cr, cairo_surface_t *sf, const vg_plot_options *o,
                      const char *tmp_path, const char *path, vg_errinfo *err);

#endif
