/* bathymetry.h: the relief grid of the position-on-land test (GOSUD test 4, qc/test_land.c):
 * relief in metres, positive up (land > 0, sea <= 0), read once from a NetCDF file (default
 * ETOPO5 of Debian's ferret-datasets) when the configuration is loaded (qc/plan.c), owned by
 * the QC plan and handed to the test through vg_qc_window.refs. */
#ifndef VIGIE_QC_BATHYMETRY_H
#define VIGIE_QC_BATHYMETRY_H

#include <stdbool.h>

#include "core/error.h"
#include "qc/grid.h"
#include "qc/test.h"

/* ETOPO5 (5 arc-minute relief, NGDC 1993 via IRI/LDEO worldbath, Ferret's copy): variable
 * ROSE, "Relief Of the Surface of the Earth", metres, positive up, 4320 x 2161 nodes. */
#define VG_BATHYMETRY_DEFAULT_PATH "/usr/share/ferret-vis/data/etopo5.cdf"
#define VG_BATHYMETRY_DEFAULT_VAR "ROSE"

typedef struct vg_bathymetry vg_bathymetry; /* opaque; owned by whoever loaded it */

/* Load a relief grid: variable `var` of the NetCDF file `path` (grid.h describes the layouts
 * read). path NULL: VG_BATHYMETRY_DEFAULT_PATH. var NULL: the first of ROSE, elevation, z,
 * topo, bathymetry, Band1, elev present in the file (a depth variable must be named).
 * Units must be metres (m, meter, meters, metre, metres; absent = metres) or km
 * (converted). A variable with attribute positive = "down", or whose standard_name is
 * sea_floor_depth_below_geoid (or sea_floor_depth, depth), holds depths: its sign is
 * flipped so that the relief is positive up. On success *out is a new grid owned by the
 * caller (vg_bathymetry_free). Errors as vg_grid_load; err->text names the file and the
 * variable. Takes about 0.1-1 s and 37 MB for ETOPO5: call it at start-up or
 * configuration time only. */
vg_err vg_bathymetry_load(const char *path, const char *var, vg_bathymetry **out,
                          vg_errinfo *err);

/* Free b; NULL is a no-op. The plan that loaded b frees it with itself (vg_qc_plan_free). */
void vg_bathymetry_free(vg_bathymetry *b);

/* Relief at (lat_deg, lon_deg) in metres, positive up: bilinear between the four
 * surrounding nodes, wrapping across the dateline, clamped to the outermost row toward the
 * poles (vg_grid_at_month). NaN for an invalid position or a missing node. O(1), no
 * allocation, thread-safe. */
double vg_bathymetry_relief_m(const vg_bathymetry *b, double lat_deg, double lon_deg);

/* True if a sea node (relief <= 0 m) of the grid lies within radius_km (great circle) of
 * (lat_deg, lon_deg) (vg_grid_any_within). radius_km >= 0. */
bool vg_bathymetry_sea_within(const vg_bathymetry *b, double lat_deg, double lon_deg,
                              double radius_km);

/* The underlying grid (borrowed from b). */
const vg_grid *vg_bathymetry_grid(const vg_bathymetry *b);

/* GOSUD test 4, position on land (id 4, target VG_QC_ON_POSITION); docs/qc.md. */
extern const vg_qc_test vg_qc_position_on_land;

#endif
