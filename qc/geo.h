/* geo.h: the small geometry that several QC tests share: great-circle distance on a sphere
 * (impossible_speed, harbour) and point-in-polygon in the longitude-latitude plane
 * (regional_range). Pure functions: no allocation, no state, O(1) or O(vertices).
 * Conventions: latitudes and longitudes in degrees (north, east); callers pass positions
 * that impossible_location accepts (|lat| <= 90, |lon| <= 180). docs/qc.md. */
#ifndef VIGIE_QC_GEO_H
#define VIGIE_QC_GEO_H

#include <stdbool.h>
#include <stddef.h>

#define VG_GEO_EARTH_NM 3440.065 /* mean Earth radius, nautical miles (6371.0 km) */

/* Great-circle distance between two positions, nautical miles (haversine on the sphere of
 * radius VG_GEO_EARTH_NM); correct across the dateline and near the poles. */
double vg_geo_distance_nm(double lat1, double lon1, double lat2, double lon2);

/* -1 if the distance between the positions is certainly below d_nm, +1 if certainly
 * above, 0 if only vg_geo_distance_nm can tell: bounds without trigonometry (the latitude
 * difference is a lower bound of the distance, the sum of the latitude and longitude
 * differences an upper one), deciding only with a relative margin of 1e-9. */
int vg_geo_bound_nm(double lat1, double lon1, double lat2, double lon2, double d_nm);

/* True if vg_geo_distance_nm(...) < d_nm, without trigonometry when the answer is clear
 * from bounds (the latitude difference is a lower bound of the distance, the sum of the
 * latitude and longitude differences an upper bound): the same answer as the haversine,
 * several times faster for a ship at rest or clearly moving. */
bool vg_geo_closer_than_nm(double lat1, double lon1, double lat2, double lon2, double d_nm);

/* A polygon in the longitude-latitude plane: n vertices {lat, lon}, degrees; the closing
 * edge from the last vertex back to the first is implied (a repeated first vertex is
 * harmless). Edges are straight lines in that plane, not great circles. */
typedef struct vg_geo_polygon {
    const double (*vertex)[2]; /* {lat, lon} */
    size_t n;
} vg_geo_polygon;

/* True if (lat, lon) is inside pg by the even-odd (crossing number) rule of W. R. Franklin's
 * pnpoly, in the longitude-latitude plane. A point exactly on an edge is inside or outside
 * depending on the edge (pnpoly's half-open convention: a point on an edge shared by two
 * polygons is in exactly one of them). The polygon must not cross the dateline. */
bool vg_geo_in_polygon(const vg_geo_polygon *pg, double lat, double lon);

#endif
