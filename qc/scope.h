/* scope.h: where and when a chain step applies: a time window [from, to) and a region
 * (polygons in longitude-latitude), the "context" of an ioos_qc configuration (its
 * `window: {starting, ending}` and GeoJSON `region:`). A step without a scope applies to
 * every sample. Scopes are read with the configuration, owned by the QC plan and never
 * change afterwards; judging one is O(1) for the window and O(vertices) for the region.
 * docs/qc.md, "Using an ioos_qc configuration". */
#ifndef VIGIE_QC_SCOPE_H
#define VIGIE_QC_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "core/error.h"
#include "core/sample.h"
#include "qc/geo.h"

typedef struct vg_qc_scope {
    vg_time_us from; /* first time inside (UTC), VG_TIME_NONE: no start */
    vg_time_us to;   /* first time after the window, VG_TIME_NONE: no end */
    /* Region: the rings of its polygons (outer rings and holes), vertices {lat, lon};
     * a position is inside when an odd number of rings hold it (so a hole removes what its
     * polygon holds). n_rings 0: no region (anywhere, with or without a position). */
    vg_geo_polygon *rings; /* owned, and each ring's vertex array too */
    size_t n_rings;
    int line;              /* line of the context in its file */
} vg_qc_scope;

/* The scopes of a plan (each step points to one of them, or to none). */
typedef struct vg_qc_scopes {
    vg_qc_scope **s; /* owned */
    size_t n;
} vg_qc_scopes;

/* Read an ioos_qc context's `window` (a mapping with optional `starting` and `ending`, ISO
 * 8601 times or null; starting inclusive, ending exclusive, as ioos_qc's streams subset)
 * and `region` (GeoJSON: a Feature or a FeatureCollection, or a bare geometry, of Polygon
 * or MultiPolygon geometries; coordinates [lon, lat]) of document doc; either may be NULL
 * or null. *out is NULL when the context restricts nothing; else a scope appended to set,
 * which owns it. Errors: VG_ERR_CONFIG "PATH:LINE: reason". */
vg_err vg_qc_scope_parse(yaml_document_t *doc, yaml_node_t *window, yaml_node_t *region,
                         const char *path, int line, vg_qc_scopes *set,
                         const vg_qc_scope **out, vg_errinfo *err);

/* True when sample s is in the scope: its time in [from, to) and, if the scope has a
 * region, its position (known) inside the region. sc may be NULL (always true). */
bool vg_qc_scope_holds(const vg_qc_scope *sc, const vg_sample *s);

/* Free every scope of set and its array; set itself is the caller's. */
void vg_qc_scopes_free(vg_qc_scopes *set);

#endif
