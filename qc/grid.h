/* grid.h: a gridded reference field (relief, climatology) read once from a CF NetCDF file
 * into memory, then sampled at (lat, lon[, time]) with bilinear interpolation in space and
 * linear interpolation in time between the mid-month instants of a 12-month field. Used by
 * the position-on-land (qc/bathymetry.h) and climatology (qc/climatology.h) tests: a lookup
 * allocates nothing, does no I/O and costs O(1). A loaded grid is immutable, so any number
 * of threads may read it at once. */
#ifndef VIGIE_QC_GRID_H
#define VIGIE_QC_GRID_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/time.h"

typedef struct vg_grid vg_grid; /* opaque; owned by whoever loaded it */

/* What to do when a corner (or a month) of an interpolation is missing (NaN): */
typedef enum vg_grid_nan_rule {
    VG_GRID_NAN_STRICT = 0, /* the result is NaN if any corner with a non-zero weight is NaN */
    VG_GRID_NAN_RENORM,     /* bilinear weights renormalised over the valid corners: NaN only
                               when every corner of non-zero weight is NaN (so coastal points
                               of a climatology keep a value) */
} vg_grid_nan_rule;

typedef struct vg_grid_opts {
    size_t level;              /* index along the one extra (vertical) dimension, if any:
                                  0 = the first level (the surface in WOA/Levitus files) */
    vg_grid_nan_rule nan_rule; /* default VG_GRID_NAN_STRICT */
} vg_grid_opts;

/* Load variable `var` of the NetCDF file `path`. The variable has a longitude and a latitude
 * dimension, each with a 1-D coordinate variable recognised by CF: units degrees_east /
 * degrees_north (or degree_east, degree_E, ...), else standard_name longitude / latitude,
 * else axis X / Y, else a common name (lon, longitude, x / lat, latitude, y). Both axes must
 * be strictly monotonic (ascending or descending) with at least 2 points; longitudes may be
 * in any 360-degree range (-180..180, 0..360, 20..380). Optional dimensions: a time
 * dimension (axis T, standard_name time, units "... since ...", or named time/month/t) of
 * length 12 = a monthly climatology, January first, or of length 1 = a static field; one
 * other dimension of length > 1 (depth), of which opts->level is taken; dimensions of
 * length 1 are dropped. Values equal to _FillValue (else the netCDF default fill of the
 * type), to missing_value, or outside valid_min/valid_max/valid_range, and non-finite
 * values become NaN; scale_factor and add_offset are applied. Values are kept as float.
 * opts may be NULL (level 0, strict NaN rule). On success *out is a new grid owned by the
 * caller (vg_grid_free). Errors: VG_ERR_IO (file cannot be opened or read), VG_ERR_NOTFOUND
 * (no such variable, no longitude/latitude axis), VG_ERR_PARSE (unsupported layout: axis
 * not monotonic or not in degrees, curvilinear grid, time not 12 or 1 steps, two extra
 * dimensions), VG_ERR_RANGE (opts->level does not exist), VG_ERR_INVAL (NULL path or
 * variable), VG_ERR_NOMEM; err->text names the file and the variable. Reads the whole
 * field at once: call it at start-up or configuration time, never on the per-sample path. */
vg_err vg_grid_load(const char *path, const char *var, const vg_grid_opts *opts, vg_grid **out,
                    vg_errinfo *err);

/* The same from 12 files of one month each (World Ocean Atlas ships monthly fields as
 * woa.._t01_01.nc .. woa.._t12_01.nc): paths[0] is January. Each file must hold `var` on the
 * same horizontal grid, with no time dimension or one of length 1. */
vg_err vg_grid_load_monthly(const char *const paths[12], const char *var,
                            const vg_grid_opts *opts, vg_grid **out, vg_errinfo *err);

/* Free g and everything it owns; NULL is a no-op. */
void vg_grid_free(vg_grid *g);

/* Replace every value v by v * scale + offset (unit conversions at load time: Kelvin to
 * degC, depth positive down to relief positive up). Not thread-safe: before sharing g. */
void vg_grid_affine(vg_grid *g, double scale, double offset);

/* Number of time fields: 1 (static) or 12 (monthly). */
size_t vg_grid_months(const vg_grid *g);
/* The `units` attribute of the variable ("" if absent), the file and the variable name:
 * strings owned by g. */
const char *vg_grid_units(const vg_grid *g);
const char *vg_grid_path(const vg_grid *g);
const char *vg_grid_var(const vg_grid *g);
/* Grid size: nlat rows, nlon columns. */
void vg_grid_shape(const vg_grid *g, size_t *nlat, size_t *nlon);
/* True if the longitude axis covers the whole circle (then lookups wrap at the seam between
 * the last and the first column, e.g. across the dateline). */
bool vg_grid_is_global(const vg_grid *g);

/* Value at (lat_deg, lon_deg) of field `month` (0 for a static grid; 1..12 for a monthly one,
 * without time interpolation), in the variable's units after scale/offset. lat_deg in
 * [-90, 90]; lon_deg any finite value (taken modulo 360). Bilinear in the grid's index
 * space between the four surrounding nodes; across the longitude seam of a global grid the
 * last and first columns are neighbours. A latitude between the outermost row and the pole
 * takes that row's values (interpolated in longitude only) if that row lies within 1.5 row
 * spacings of the pole; otherwise, and outside the longitude range of a regional grid, NaN.
 * Missing corners follow the grid's nan_rule. NaN for a NaN or out-of-range argument. */
double vg_grid_at_month(const vg_grid *g, int month, double lat_deg, double lon_deg);

/* Value at (lat_deg, lon_deg) and time t. Static grid: as vg_grid_at_month(g, 0, ...).
 * Monthly grid: linear in time between the two mid-month instants around t, where the
 * mid-month instant of month m of year y is (start of m + start of m+1) / 2 in UTC, so that
 * it follows the real month lengths of t's year (mid-February is 15 Feb 00:00 in a common
 * year, 15 Feb 12:00 in a leap year); December and January interpolate across the new
 * year. Missing months follow nan_rule (renormalised: the valid month alone). */
double vg_grid_at(const vg_grid *g, double lat_deg, double lon_deg, vg_time_us t);

/* True if some grid node of field `month` (0 for a static grid) within radius_km of
 * (lat_deg, lon_deg) along a great circle (sphere of radius 6371.0088 km) has a value
 * <= threshold (NaN nodes never qualify). Correct at the poles and across the longitude
 * seam. Cost: the nodes in the radius (about (2 radius / cell size)^2; near a pole, whole
 * rows); no allocation. radius_km >= 0; false for NaN arguments. */
bool vg_grid_any_within(const vg_grid *g, int month, double lat_deg, double lon_deg,
                        double radius_km, double threshold);

/* Mid-month interpolation of time t: fields m0 and m1 (0..11, January = 0) and the weight
 * a in [0, 1) of m1, so that the value is (1 - a) f[m0] + a f[m1]. Exposed for tests. */
void vg_grid_month_weights(vg_time_us t, int *m0, int *m1, double *a);

#endif
