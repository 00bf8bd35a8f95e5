/* climatology.h: reference fields of the climatology test (GOSUD test 11,
 * qc/test_climatology.c): a mean and, when the source has one, a standard deviation, per
 * parameter family (temperature, salinity), static or monthly, read once from NetCDF
 * (defaults from Debian's ferret-datasets; any World-Ocean-Atlas-style file with the
 * variables named) when the configuration is loaded (qc/plan.c), owned by the QC plan and
 * handed to the test through vg_qc_window.refs. */
#ifndef VIGIE_QC_CLIMATOLOGY_H
#define VIGIE_QC_CLIMATOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/params.h"
#include "core/time.h"
#include "qc/grid.h"
#include "qc/test.h"

#define VG_FERRET_DATA_DIR "/usr/share/ferret-vis/data"

typedef enum vg_clim_family {
    VG_CLIM_TEMPERATURE = 0, /* TEMP, SSJT, SSTP: degC */
    VG_CLIM_SALINITY,        /* PSAL, SSPS: PSS-78 */
    VG_CLIM__COUNT
} vg_clim_family;

/* The climatology family of parameter p, or -1 (the test does not judge p). */
int vg_clim_family_of(vg_param p);
/* "temperature", "salinity"; NULL if out of range. */
const char *vg_clim_family_name(vg_clim_family f);

/* Where a climatology comes from: the configuration keys the lead will add map one to one. */
typedef struct vg_climatology_spec {
    const char *path;     /* NetCDF file of the mean. If it contains "{MM}", 12 files, one per
                             month, "{MM}" = 01..12 (WOA: woa18_decav_t{MM}_01.nc) */
    const char *mean_var; /* variable of the mean: "SST", "t_an", ... */
    const char *std_path; /* file of the standard deviation ("{MM}" as above); NULL = path */
    const char *std_var;  /* variable of the standard deviation ("t_sd"); NULL = none: the
                             test then bounds |value - mean| by max_abs_deviation */
    size_t level;         /* index along the vertical dimension: 0 = the first (surface) */
} vg_climatology_spec;

/* vigie's default for family f, from ferret-datasets (docs/qc.md explains the choice):
 *   temperature: VG_FERRET_DATA_DIR/ocean_atlas_subset.nc, TEMP at level 0 (0 m): monthly
 *                ocean-atlas temperature, 2 degrees, no std (COADS SST, the other monthly
 *                field, lacks values over 4% of the deep ocean in January);
 *   salinity:    VG_FERRET_DATA_DIR/levitus_climatology.cdf, SALT at level 0 (0 m): annual
 *                Levitus climatology, 1 degree, no std.
 * Neither has a standard deviation: with them the test bounds |value - mean| by
 * max_abs_deviation. Static storage; NULL if f is out of range. */
const vg_climatology_spec *vg_climatology_default_spec(vg_clim_family f);

typedef struct vg_climatology vg_climatology; /* opaque; owned by whoever loaded it */

/* Load the mean (and std) named by spec with vg_grid_load / vg_grid_load_monthly, with
 * renormalised interpolation at missing nodes (coastal points keep a value, grid.h).
 * Temperatures in kelvin (units K, kelvin, degK) are converted to degC. The std, if any,
 * may be on another grid than the mean: each is interpolated on its own. On success *out
 * is owned by the caller (vg_climatology_free). Errors as vg_grid_load, naming the file and
 * the variable. Start-up/configuration time only. */
vg_err vg_climatology_load(const vg_climatology_spec *spec, vg_climatology **out,
                           vg_errinfo *err);

/* Free c; NULL is a no-op. The plan that loaded c frees it with itself (vg_qc_plan_free). */
void vg_climatology_free(vg_climatology *c);

/* True if c has a standard deviation field. */
bool vg_climatology_has_std(const vg_climatology *c);
/* "FILE:VAR (monthly|annual[, level N]), std FILE:VAR|none", owned by c. */
const char *vg_climatology_describe(const vg_climatology *c);
/* The mean grid (borrowed). */
const vg_grid *vg_climatology_mean_grid(const vg_climatology *c);

/* Climatological mean (*mean, units of the file, degC for temperatures) and standard
 * deviation (*std, NaN when c has none or it is missing there) at (lat_deg, lon_deg) and
 * time t (used by monthly fields only: mid-month linear interpolation, grid.h). Returns
 * false (and *mean NaN) when there is no mean there (land, outside the grid, invalid
 * position). O(1), no allocation, thread-safe. */
bool vg_climatology_at(const vg_climatology *c, double lat_deg, double lon_deg, vg_time_us t,
                       double *mean, double *std);


/* GOSUD test 11, climatology (id 11, target VG_QC_ON_PARAM); docs/qc.md. */
extern const vg_qc_test vg_qc_climatology;

#endif
