/* qartod_location.c: QARTOD location test with ioos_qc's semantics
 * (ioos_qc.qartod.location_test): longitude outside [lon_min, lon_max] or latitude outside
 * [lat_min, lat_max] fails (4), bounds inclusive; both coordinates missing -> 9, only one
 * missing -> 4 (as ioos_qc); else, with range_max > 0, a great-circle distance from the
 * previous sample's position above range_max metres is suspect (3); else 1. docs/qc.md. */
#include <math.h>

#include "qc/geo.h"
#include "qc/test.h"

static const vg_qc_opt_spec loc_opts[] = {
    {"lon_min", -360, 360, "western bound of the box, degrees east"},
    {"lat_min", -90, 90, "southern bound of the box, degrees north"},
    {"lon_max", -360, 360, "eastern bound of the box, degrees east"},
    {"lat_max", -90, 90, "northern bound of the box, degrees north"},
    {"range_max", 0, 4.1e7, "largest distance from the previous position, metres; 0: not used"},
};

static bool loc_defaults(int p, double *o)
{
    o[0] = -180, o[1] = -90, o[2] = 180, o[3] = 90; /* ioos_qc's default bbox */
    o[4] = 0;                                       /* ioos_qc's range_max = None */
    return true;
}

static vg_flag loc_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    double lat = w->cur->lat_deg, lon = w->cur->lon_deg;
    if (isnan(lat) && isnan(lon))
        return vg_flag_from_qartod(VG_QARTOD_MISSING);
    if (isnan(lat) || isnan(lon))
        return vg_flag_from_qartod(VG_QARTOD_FAIL);
    if (lon < o[0] || lat < o[1] || lon > o[2] || lat > o[3])
        return vg_flag_from_qartod(VG_QARTOD_FAIL);
    /* ioos_qc measures from the previous record, whatever the gap; vigie's previous sample
     * is the previous one within qc.max_gap_factor intervals (none after a longer gap). */
    if (o[4] > 0 && w->prev && !isnan(w->prev->lat_deg) && !isnan(w->prev->lon_deg) &&
        vg_geo_distance_nm(w->prev->lat_deg, w->prev->lon_deg, lat, lon) * 1852.0 > o[4])
        return vg_flag_from_qartod(VG_QARTOD_SUSPECT);
    return vg_flag_from_qartod(VG_QARTOD_PASS);
}

const vg_qc_test vg_qc_qartod_location = {
    .id = 22,
    .name = "qartod_location",
    .summary = "position outside the box [lon_min, lon_max] x [lat_min, lat_max] -> 4; "
               "further than range_max from the previous position -> 3",
    .source = "IOOS QARTOD location; ioos_qc qartod.location_test",
    .target = VG_QC_ON_POSITION,
    .opts = loc_opts,
    .n_opts = 5,
    .defaults = loc_defaults,
    .run = loc_run,
};
