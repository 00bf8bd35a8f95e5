/* scope.c: reads the time window and the GeoJSON region of an ioos_qc context into a
 * vg_qc_scope (scope.h) and tells whether a sample is in it. */
#include "qc/scope.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

static bool scope__null(const yaml_node_t *n)
{
    if (!n)
        return true;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)n->data.scalar.value;
    return !*s || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL") ||
           !strcmp(s, "~");
}

static void scope__free(vg_qc_scope *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n_rings; i++)
        free((void *)sc->rings[i].vertex);
    free(sc->rings);
    free(sc);
}

/* A time bound: null (none) or an ISO 8601 time. */
static vg_err scope__time(yaml_node_t *n, const char *path, const char *key, vg_time_us *out,
                          vg_errinfo *err)
{
    *out = VG_TIME_NONE;
    if (scope__null(n))
        return VG_OK;
    const char *s = vg_yaml_scalar(n);
    size_t used = 0;
    vg_errinfo e2 = {0};
    if (!s || vg_time_parse_iso8601(s, strlen(s), out, &used, &e2) != VG_OK || used != strlen(s))
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: window.%s must be an ISO 8601 time or null, "
                       "not '%s'", path, vg_yaml_line(n), key, s ? s : "?");
    return VG_OK;
}

static size_t scope__len(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE
               ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
               : 0;
}

static yaml_node_t *scope__item(yaml_document_t *doc, yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(doc, n->data.sequence.items.start[i]);
}

/* One linear ring [[lon, lat], ...] appended to sc. */
static vg_err scope__ring(yaml_document_t *doc, yaml_node_t *ring, const char *path,
                          vg_qc_scope *sc, vg_errinfo *err)
{
    size_t n = scope__len(ring);
    if (n < 3)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: a region ring must be a list of at least 3 "
                       "[lon, lat] positions", path, vg_yaml_line(ring));
    double(*v)[2] = calloc(n, sizeof *v);
    vg_geo_polygon *grown = realloc(sc->rings, (sc->n_rings + 1) * sizeof *sc->rings);
    if (grown)
        sc->rings = grown;
    if (!v || !grown) {
        free(v);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for a region");
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *pt = scope__item(doc, ring, i);
        double lon, lat;
        const char *a = scope__len(pt) >= 2 ? vg_yaml_scalar(scope__item(doc, pt, 0)) : NULL;
        const char *b = scope__len(pt) >= 2 ? vg_yaml_scalar(scope__item(doc, pt, 1)) : NULL;
        if (!a || !b || !vg_parse_double(a, &lon) || !vg_parse_double(b, &lat) ||
            fabs(lat) > 90 || fabs(lon) > 360) {
            free(v);
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: a region position must be [lon, lat] in "
                           "degrees", path, vg_yaml_line(pt));
        }
        v[i][0] = lat, v[i][1] = lon;
    }
    sc->rings[sc->n_rings++] = (vg_geo_polygon){.vertex = (const double(*)[2])v, .n = n};
    return VG_OK;
}

/* A GeoJSON geometry: Polygon (a list of rings) or MultiPolygon (a list of polygons). */
static vg_err scope__geometry(yaml_document_t *doc, yaml_node_t *g, const char *path,
                              vg_qc_scope *sc, vg_errinfo *err)
{
    const char *type = g && g->type == YAML_MAPPING_NODE
                           ? vg_yaml_scalar(vg_yaml_map_get(doc, g, "type"))
                           : NULL;
    yaml_node_t *coords = type ? vg_yaml_map_get(doc, g, "coordinates") : NULL;
    bool multi = type && !strcmp(type, "MultiPolygon");
    if (!type || (strcmp(type, "Polygon") && !multi) || !coords || !scope__len(coords))
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: a region geometry must be a GeoJSON Polygon "
                       "or MultiPolygon with coordinates (found %s)", path,
                       vg_yaml_line(g), type ? type : "no type");
    for (size_t p = 0; p < (multi ? scope__len(coords) : 1); p++) {
        yaml_node_t *poly = multi ? scope__item(doc, coords, p) : coords;
        if (!scope__len(poly))
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: a polygon must be a list of rings",
                           path, vg_yaml_line(poly));
        for (size_t r = 0; r < scope__len(poly); r++) {
            vg_err rc = scope__ring(doc, scope__item(doc, poly, r), path, sc, err);
            if (rc != VG_OK)
                return rc;
        }
    }
    return VG_OK;
}

/* GeoJSON region: FeatureCollection, Feature or a geometry. */
static vg_err scope__region(yaml_document_t *doc, yaml_node_t *region, const char *path,
                            vg_qc_scope *sc, vg_errinfo *err)
{
    if (region->type != YAML_MAPPING_NODE)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: region must be GeoJSON (a Feature, a "
                       "FeatureCollection or a geometry)", path, vg_yaml_line(region));
    yaml_node_t *features = vg_yaml_map_get(doc, region, "features");
    yaml_node_t *geometry = vg_yaml_map_get(doc, region, "geometry");
    if (features) {
        if (!scope__len(features))
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: region.features must be a non-empty "
                           "list", path, vg_yaml_line(features));
        for (size_t i = 0; i < scope__len(features); i++) {
            yaml_node_t *f = scope__item(doc, features, i);
            yaml_node_t *g = f->type == YAML_MAPPING_NODE ? vg_yaml_map_get(doc, f, "geometry")
                                                          : NULL;
            vg_err rc = scope__geometry(doc, g ? g : f, path, sc, err);
            if (rc != VG_OK)
                return rc;
        }
        return VG_OK;
    }
    return scope__geometry(doc, geometry ? geometry : region, path, sc, err);
}

vg_err vg_qc_scope_parse(yaml_document_t *doc, yaml_node_t *window, yaml_node_t *region,
                         const char *path, int line, vg_qc_scopes *set,
                         const vg_qc_scope **out, vg_errinfo *err)
{
    *out = NULL;
    vg_qc_scope *sc = calloc(1, sizeof *sc);
    if (!sc)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for a context");
    sc->line = line;
    sc->from = sc->to = VG_TIME_NONE;
    vg_err rc = VG_OK;
    if (!scope__null(window)) {
        if (window->type != YAML_MAPPING_NODE) {
            rc = vg_fail(err, VG_ERR_CONFIG, "%s:%d: window must be a mapping with starting "
                         "and ending", path, vg_yaml_line(window));
        } else {
            for (yaml_node_pair_t *pr = window->data.mapping.pairs.start;
                 rc == VG_OK && pr < window->data.mapping.pairs.top; pr++) {
                yaml_node_t *k = yaml_document_get_node(doc, pr->key);
                const char *key = vg_yaml_scalar(k);
                if (!key || (strcmp(key, "starting") && strcmp(key, "ending")))
                    rc = vg_fail(err, VG_ERR_CONFIG, "%s:%d: unknown key '%s' in window "
                                 "(starting, ending)", path, vg_yaml_line(k), key ? key : "?");
            }
            if (rc == VG_OK)
                rc = scope__time(vg_yaml_map_get(doc, window, "starting"), path, "starting",
                                 &sc->from, err);
            if (rc == VG_OK)
                rc = scope__time(vg_yaml_map_get(doc, window, "ending"), path, "ending",
                                 &sc->to, err);
            if (rc == VG_OK && sc->from != VG_TIME_NONE && sc->to != VG_TIME_NONE &&
                sc->to <= sc->from)
                rc = vg_fail(err, VG_ERR_CONFIG, "%s:%d: window.ending must be after "
                             "window.starting", path, vg_yaml_line(window));
        }
    }
    if (rc == VG_OK && !scope__null(region))
        rc = scope__region(doc, region, path, sc, err);
    if (rc != VG_OK || (sc->from == VG_TIME_NONE && sc->to == VG_TIME_NONE && !sc->n_rings)) {
        scope__free(sc);
        return rc;
    }
    vg_qc_scope **grown = realloc(set->s, (set->n + 1) * sizeof *set->s);
    if (!grown) {
        scope__free(sc);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for a context");
    }
    set->s = grown;
    set->s[set->n++] = sc;
    *out = sc;
    return VG_OK;
}

bool vg_qc_scope_holds(const vg_qc_scope *sc, const vg_sample *s)
{
    if (!sc)
        return true;
    if (sc->from != VG_TIME_NONE && s->time < sc->from)
        return false;
    if (sc->to != VG_TIME_NONE && s->time >= sc->to)
        return false;
    if (!sc->n_rings)
        return true;
    if (isnan(s->lat_deg) || isnan(s->lon_deg))
        return false;
    bool in = false;
    for (size_t i = 0; i < sc->n_rings; i++)
        if (vg_geo_in_polygon(&sc->rings[i], s->lat_deg, s->lon_deg))
            in = !in;
    return in;
}

void vg_qc_scopes_free(vg_qc_scopes *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        scope__free(set->s[i]);
    free(set->s);
    set->s = NULL;
    set->n = 0;
}
