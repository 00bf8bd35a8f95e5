/* qartod_location.c: QARTOD location test with ioos_qc's semantics
 * (ioos_qc.qartod.location_test, bbox only): longitude outside [lon_min, lon_max] or
 * latitude outside [lat_min, lat_max] fails (4), bounds inclusive; both coordinates missing
 * -> 9, only one missing -> 4 (as ioos_qc); else 1. ioos_qc's range_max is not implemented
 * (vigie tests take at most 4 options; impossible_speed covers jumps). docs/qc.md. */
#include <math.h>

#include "qc/test.h"

static const vg_qc_opt_spec loc_opts[] = {
    {"lon_min", -360, 360, "western bound of the box, degrees east"},
    {"lat_min", -90, 90, "southern bound of the box, degrees north"},
    {"lon_max", -360, 360, "eastern bound of the box, degrees east"},
    {"lat_max", -90, 90, "northern bound of the box, degrees north"},
};

static bool loc_defaults(int p, double *o)
{
    o[0] = -180, o[1] = -90, o[2] = 180, o[3] = 90; /* ioos_qc's default bbox */
    return true;
}

static vg_flag loc_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    double lat = w->cur->lat_deg, lon = w->cur->lon_deg;
    if (isnan(lat) && isnan(lon))
        return vg_flag_from_qartod(VG_QARTOD_MISSING);
    if (isnan(lat) || isnan(lon))
        return vg_flag_from_qartod(VG_QARTOD_FAIL);
    int out = lon < o[0] || lat < o[1] || lon > o[2] || lat > o[3];
    return vg_flag_from_qartod(out ? VG_QARTOD_FAIL : VG_QARTOD_PASS);
}

const vg_qc_test vg_qc_qartod_location = {
    .id = 22,
    .name = "qartod_location",
    .summary = "position outside the box [lon_min, lon_max] x [lat_min, lat_max] -> 4",
    .source = "IOOS QARTOD location; ioos_qc qartod.location_test (bbox)",
    .target = VG_QC_ON_POSITION,
    .opts = loc_opts,
    .n_opts = 4,
    .defaults = loc_defaults,
    .run = loc_run,
};
