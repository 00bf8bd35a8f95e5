/* plot.h: the plots delayed-mode operators look at, drawn with cairo (docs/delayed-mode.md
 * "Plots", why cairo): a parameter's time series with every value coloured by its flag,
 * optionally with a band (the climatology), a line (the tide prediction of a sea level)
 * and the water samples; and a ship's track coloured by flag. SVG or PNG of a given size.
 * Large series are drawn per pixel column (the range of each flag's values in it), so a
 * year at 1 Hz gives a file of the same size as a day. */
#ifndef VIGIE_PLOT_PLOT_H
#define VIGIE_PLOT_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/params.h"
#include "dm/samples.h"
#include "export/series.h"

typedef enum vg_plot_format { VG_PLOT_SVG = 0, VG_PLOT_PNG } vg_plot_format;

/* The format named by path's extension (.svg, .png, any case), or -1. */
int vg_plot_format_of(const char *path);

typedef struct vg_plot_options {
    vg_plot_format format;
    int width, height;      /* pixels (PNG) or points (SVG), 200..10000 x 150..10000 */
    const char *title;      /* NULL: "PLATFORM PARAM" */
} vg_plot_options;

/* Defaults: SVG, 1000 x 500, no title. */
void vg_plot_options_default(vg_plot_options *o);

/* What may be drawn over a time series (every member optional, arrays of s->n rows). */
typedef struct vg_plot_overlay {
    const double *band_lo, *band_hi; /* e.g. climatology mean -/+ width; NaN = none there */
    const char *band_label;
    const double *line;              /* e.g. the tide prediction; NaN = none there */
    const char *line_label;
    const vg_dm_samples *samples;    /* water samples: drawn as diamonds */
} vg_plot_overlay;

/* The time series of column p of s (it must exist and hold a value) into the file path,
 * written whole or not at all (temporary name, then rename). Flags 0-8 each have a colour
 * (legend on the plot); missing values (NaN) are not drawn. VG_ERR_INVAL (no such column,
 * bad options), VG_ERR_IO naming the file. ov may be NULL. */
vg_err vg_plot_series(const vg_series *s, vg_param p, const vg_plot_overlay *ov,
                      const vg_plot_options *o, const char *path, vg_errinfo *err);

/* The same plot as a PNG image in memory (o->format is ignored): *png (malloc'd, owned by
 * the caller: free it) gets the *len bytes of the file. For the alert mails, which attach
 * it (docs/alerts.md); nothing touches the disk. Errors as vg_plot_series, VG_ERR_NOMEM. */
vg_err vg_plot_series_png(const vg_series *s, vg_param p, const vg_plot_overlay *ov,
                          const vg_plot_options *o, unsigned char **png, size_t *len,
                          vg_errinfo *err);

/* The track (longitude, latitude) of s, each position coloured by the flag of column p
 * (or by the position flag when p < 0), equal-angle axes scaled by cos(mean latitude).
 * VG_ERR_INVAL when no row has a position. */
vg_err vg_plot_track(const vg_series *s, int p, const vg_plot_options *o, const char *path,
                     vg_errinfo *err);

/* Release cairo's and fontconfig's process-wide caches (fonts loaded for the labels).
 * Call once, after the last plot, before exit: nothing is lost without it, but leak
 * checkers (the ASan build) would report the caches. */
void vg_plot_cleanup(void);

#endif
