/* test_land.c: GOSUD test 4, position on land (EuroGOOS RTQC 2010 test 4; Argo QC manual
 * test 4): a position is on land when the relief there, interpolated bilinearly on the
 * current relief grid (qc/bathymetry.h, default ETOPO5), is above 0 m, unless a sea node
 * lies within coast_tolerance_km. Flags the position (4, or 3 as in CoTeDe). */
#include <math.h>

#include "qc/bathymetry.h"

static const vg_qc_opt_spec land_opts[] = {
    {"coast_tolerance_km", 0, 100,
     "a position on land within this distance (km) of a sea node of the grid is not flagged"},
    {"flag", 3, 4, "flag of a position on land: 4 (GOSUD, Argo) or 3 (CoTeDe); below 4 means 3"},
};

static bool land_defaults(int p, double *o)
{
    (void)p;
    o[0] = 0;
    o[1] = 4;
    return true;
}

static vg_flag land_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    const vg_bathymetry *b = w->refs->bathymetry;
    double lat = w->cur->lat_deg, lon = w->cur->lon_deg;
    /* no grid configured, or a position that impossible_location judges: not evaluated */
    if (!b || !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180))
        return VG_FLAG_NO_QC;
    double z = vg_bathymetry_relief_m(b, lat, lon);
    if (isnan(z))
        return VG_FLAG_NO_QC;
    if (z <= 0 || (o[0] > 0 && vg_bathymetry_sea_within(b, lat, lon, o[0])))
        return VG_FLAG_GOOD;
    return o[1] < 4 ? VG_FLAG_PROBABLY_BAD : VG_FLAG_BAD;
}

const vg_qc_test vg_qc_position_on_land = {
    .id = 4,
    .name = "position_on_land",
    .summary = "relief at the position > 0 m (bilinear on the relief grid, default ETOPO5) "
               "and no sea node within coast_tolerance_km",
    .source = "EuroGOOS RTQC 2010 test 4; Argo QC manual test 4 (CoTeDe flags 3)",
    .target = VG_QC_ON_POSITION,
    .opts = land_opts,
    .n_opts = 2,
    .defaults = land_defaults,
    .run = land_run,
};
