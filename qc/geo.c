/* geo.c: great-circle distance and point-in-polygon shared by the QC tests (geo.h):
 * impossible_speed and harbour measure distances, regional_range tests its regions. Pure
 * functions on the per-sample path: no allocation, no state. */
#include "qc/geo.h"

#include <math.h>

#define GEO__D2R (M_PI / 180.0)

double vg_geo_distance_nm(double lat1, double lon1, double lat2, double lon2)
{
    double dlat = (lat2 - lat1) * GEO__D2R, dlon = (lon2 - lon1) * GEO__D2R;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * GEO__D2R) * cos(lat2 * GEO__D2R) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * VG_GEO_EARTH_NM * asin(fmin(1.0, sqrt(a)));
}

int vg_geo_bound_nm(double lat1, double lon1, double lat2, double lon2, double d_nm)
{
    /* On the sphere the central angle c between the points satisfies
     * |dlat| <= c <= |dlat| + |dlon| (dlon wrapped to <= 180 degrees): cos c is at most
     * cos(dlat), and the path along a parallel then a meridian is at most |dlon| + |dlat|.
     * The bounds decide only with a margin far above rounding. */
    const double nm_per_deg = VG_GEO_EARTH_NM * GEO__D2R;
    double dlat = fabs(lat2 - lat1), dlon = fabs(lon2 - lon1);
    if (dlon > 180)
        dlon = 360 - dlon;
    if (nm_per_deg * dlat > d_nm * (1 + 1e-9))
        return 1;
    if (nm_per_deg * (dlat + dlon) < d_nm * (1 - 1e-9))
        return -1;
    return 0;
}

bool vg_geo_closer_than_nm(double lat1, double lon1, double lat2, double lon2, double d_nm)
{
    int b = vg_geo_bound_nm(lat1, lon1, lat2, lon2, d_nm);
    return b ? b < 0 : vg_geo_distance_nm(lat1, lon1, lat2, lon2) < d_nm;
}

bool vg_geo_in_polygon(const vg_geo_polygon *pg, double lat, double lon)
{
    /* pnpoly: toggle at each edge that straddles the point's latitude and crosses that
     * parallel east of the point. */
    bool in = false;
    for (size_t i = 0, j = pg->n - 1; i < pg->n; j = i++) {
        double yi = pg->vertex[i][0], xi = pg->vertex[i][1];
        double yj = pg->vertex[j][0], xj = pg->vertex[j][1];
        if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
            in = !in;
    }
    return in;
}
