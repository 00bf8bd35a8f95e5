/* test_regional.c: GOSUD test 7, regional range: a temperature or salinity outside the
 * range of the region the position is in fails (flag 4). Regions and ranges are the
 * EuroGOOS RTQC ones (EG10.19, 2010; Red Sea and Mediterranean from the Argo QC manual):
 * a static table, not options (docs/qc.md). A position in no region, missing or impossible:
 * not evaluated (0). */
#include <math.h>

#include "qc/geo.h"
#include "qc/test.h"

/* Polygons as the sources give them, {lat, lon}, degrees; closed by their last vertex. */
static const double red_sea[][2] = {{10, 40}, {20, 50}, {30, 30}, {10, 40}};
static const double mediterranean[][2] = {{30, -6}, {30, 40}, {40, 35}, {42, 20},
                                          {50, 15}, {40, 5},  {30, -6}};

typedef struct region {
    const char *name;
    double lat_min, lat_max, lon_min, lon_max; /* the box (polygons: their bounding box), inclusive */
    vg_geo_polygon poly;                       /* n = 0: the region is the box */
    double t_min, t_max, s_min, s_max;         /* degC; PSS-78; inclusive */
} region;

/* In this order: a position in several regions takes the first. */
static const region regions[] = {
    {"Red Sea", 10, 30, 30, 50, {red_sea, 4}, 21.7, 40.0, 2.0, 41.0},
    {"Mediterranean", 30, 50, -6, 40, {mediterranean, 7}, 10.0, 40.0, 2.0, 40.0},
    {"North-west shelves", 50, 60, -20, 10, {NULL, 0}, -2.0, 24.0, 0.0, 37.0},
    {"South-west shelves", 25, 50, -30, 0, {NULL, 0}, -2.0, 30.0, 0.0, 38.0},
    /* "> 60N": the smallest double above 60, so that 60N itself is not Arctic. */
    {"Arctic", 60.00000000000001, 90, -180, 180, {NULL, 0}, -1.92, 25.0, 2.0, 40.0},
};

/* The region of a position, or NULL. */
static const region *regional__find(double lat, double lon)
{
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++) {
        const region *r = &regions[i];
        if (lat < r->lat_min || lat > r->lat_max || lon < r->lon_min || lon > r->lon_max)
            continue;
        if (r->poly.n == 0 || vg_geo_in_polygon(&r->poly, lat, lon))
            return r;
    }
    return NULL;
}

static bool regional_defaults(int p, double *o)
{
    vg_param_family f = vg_param_get((vg_param)p)->family;
    return f == VG_FAM_TEMPERATURE || f == VG_FAM_SALINITY;
}

static vg_flag regional_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    double lat = w->cur->lat_deg, lon = w->cur->lon_deg;
    /* missing or impossible (NaN fails both comparisons): impossible_location judges it */
    if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180))
        return VG_FLAG_NO_QC;
    const region *r = regional__find(lat, lon);
    if (!r)
        return VG_FLAG_NO_QC;
    double v = w->cur->value[p], lo, hi;
    switch (vg_param_get((vg_param)p)->family) {
    case VG_FAM_TEMPERATURE: lo = r->t_min, hi = r->t_max; break;
    case VG_FAM_SALINITY: lo = r->s_min, hi = r->s_max; break;
    default: return VG_FLAG_NO_QC; /* configured on another parameter: no range known */
    }
    return v < lo || v > hi ? VG_FLAG_BAD : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_regional_range = {
    .id = 7,
    .name = "regional_range",
    .summary = "temperature or salinity outside the range of the EuroGOOS region of the "
               "position (Red Sea, Mediterranean, NW shelves, SW shelves, Arctic)",
    .source = "EuroGOOS RTQC 2010 test 7; Argo QC manual test 7 (Red Sea, Mediterranean)",
    .target = VG_QC_ON_PARAM,
    .defaults = regional_defaults,
    .run = regional_run,
};
