/* constfile.c: reading and writing the constituents file (tide/constfile.h) with libyaml:
 * the document API for reading (every node keeps its line for the error messages), the
 * emitter for writing (so that any station name is quoted correctly). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "core/config.h"
#include "tide/constfile.h"
#include "tide/constituents.h"
#include "tide/nos.h"

/* ---- reading ------------------------------------------------------------------------ */

typedef struct cf__ctx {
    const char *path;
    yaml_document_t *doc;
    vg_errinfo *err;
} cf__ctx;

static vg_err cf__number(cf__ctx *c, yaml_node_t *node, const char *what, double *out)
{
    const char *s = vg_yaml_scalar(node);
    if (!s || !vg_parse_double(s, out))
        return vg_fail(c->err, VG_ERR_PARSE, "%s:%d: %s must be a number", c->path,
                       vg_yaml_line(node), what);
    return VG_OK;
}

static vg_err cf__string(cf__ctx *c, yaml_node_t *node, const char *what, char *out,
                         size_t cap)
{
    const char *s = vg_yaml_scalar(node);
    if (!s)
        return vg_fail(c->err, VG_ERR_PARSE, "%s:%d: %s must be a string", c->path,
                       vg_yaml_line(node), what);
    if (strlen(s) >= cap)
        return vg_fail(c->err, VG_ERR_RANGE, "%s:%d: %s is longer than %zu characters",
                       c->path, vg_yaml_line(node), what, cap - 1);
    memcpy(out, s, strlen(s) + 1);
    return VG_OK;
}

static vg_err cf__constituent(cf__ctx *c, yaml_node_t *item, vg_tide_model *m, bool *seen)
{
    if (item->type != YAML_MAPPING_NODE)
        return vg_fail(c->err, VG_ERR_PARSE,
                       "%s:%d: a constituent must be a mapping {name: M2, amplitude: A, "
                       "phase: G}", c->path, vg_yaml_line(item));
    vg_tide_coef k = {.k = -1, .amp = NAN, .phase_deg = NAN, .amp_ci = NAN,
                      .phase_ci_deg = NAN};
    vg_err rc = VG_OK;
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
         p < item->data.mapping.pairs.top && rc == VG_OK; p++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
        const char *key = vg_yaml_scalar(kn);
        if (!key)
            return vg_fail(c->err, VG_ERR_PARSE, "%s:%d: keys must be strings", c->path,
                           vg_yaml_line(kn));
        if (strcmp(key, "name") == 0) {
            const char *name = vg_yaml_scalar(vn);
            k.k = name ? vg_tide_const_find(name) : -1;
            if (k.k <= 0 && name && m->convention == VG_TIDE_NOS)
                k.k = vg_tide_nos_alias(name); /* NOAA's RHO, LAM2, M1, 2MK3 */
            if (k.k <= 0)
                return vg_fail(c->err, VG_ERR_PARSE,
                               "%s:%d: unknown constituent name '%s' (standard names as in "
                               "Foreman's table: M2, S2, K1, O1, MSF, 2MS6...%s)", c->path,
                               vg_yaml_line(vn), name ? name : "",
                               m->convention == VG_TIDE_NOS ? "; NOAA's RHO, LAM2, M1, 2MK3"
                                                            : "");
        } else if (strcmp(key, "amplitude") == 0) {
            rc = cf__number(c, vn, "amplitude", &k.amp);
            if (rc == VG_OK && k.amp < 0)
                return vg_fail(c->err, VG_ERR_RANGE, "%s:%d: amplitude must be >= 0",
                               c->path, vg_yaml_line(vn));
        } else if (strcmp(key, "phase") == 0) {
            rc = cf__number(c, vn, "phase", &k.phase_deg);
        } else if (strcmp(key, "amplitude_ci") == 0) {
            rc = cf__number(c, vn, "amplitude_ci", &k.amp_ci);
        } else if (strcmp(key, "phase_ci") == 0) {
            rc = cf__number(c, vn, "phase_ci", &k.phase_ci_deg);
        } else {
            return vg_fail(c->err, VG_ERR_PARSE,
                           "%s:%d: unknown key '%s' in a constituent (known: name, "
                           "amplitude, phase, amplitude_ci, phase_ci)", c->path,
                           vg_yaml_line(kn), key);
        }
    }
    if (rc != VG_OK)
        return rc;
    const char *missing = k.k < 0 ? "name" : isnan(k.amp) ? "amplitude"
                          : isnan(k.phase_deg) ? "phase" : NULL;
    if (missing)
        return vg_fail(c->err, VG_ERR_PARSE, "%s:%d: constituent without %s", c->path,
                       vg_yaml_line(item), missing);
    if (seen[k.k])
        return vg_fail(c->err, VG_ERR_RANGE, "%s:%d: constituent %s is given twice", c->path,
                       vg_yaml_line(item), vg_tide_const_name(k.k));
    seen[k.k] = true;
    k.phase_deg = fmod(k.phase_deg, 360.0);
    if (k.phase_deg < 0)
        k.phase_deg += 360.0;
    k.freq_cph = NAN;
    if (vg_tide_model_add(m, &k) != VG_OK)
        return vg_fail(c->err, VG_ERR_NOMEM, "%s: no memory", c->path);
    return VG_OK;
}

static vg_err cf__root(cf__ctx *c, yaml_node_t *root, vg_tide_model *m)
{
    if (!root || root->type != YAML_MAPPING_NODE)
        return vg_fail(c->err, VG_ERR_PARSE, "%s:%d: a constituents file is a mapping "
                       "(station, latitude, units, phase, z0, constituents)", c->path,
                       root ? vg_yaml_line(root) : 1);
    bool have_lat = false, have_phase = false, have_list = false;
    bool seen[VG_TIDE_NCONST] = {0};
    vg_err rc = VG_OK;
    /* The convention first: it decides which constituent names are known. */
    yaml_node_t *conv = vg_yaml_map_get(c->doc, root, "convention");
    if (conv) {
        const char *s = vg_yaml_scalar(conv);
        if (s && strcmp(s, "nos") == 0)
            m->convention = VG_TIDE_NOS;
        else if (!s || strcmp(s, "foreman") != 0)
            return vg_fail(c->err, VG_ERR_PARSE,
                           "%s:%d: convention must be 'foreman' (the default: t_tide, UTide, "
                           "vigie tide analyse) or 'nos' (NOAA's published constants)",
                           c->path, vg_yaml_line(conv));
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top && rc == VG_OK; p++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
        const char *key = vg_yaml_scalar(kn);
        if (!key)
            return vg_fail(c->err, VG_ERR_PARSE, "%s:%d: keys must be strings", c->path,
                           vg_yaml_line(kn));
        if (strcmp(key, "station") == 0) {
            rc = cf__string(c, vn, "station", m->station, sizeof m->station);
        } else if (strcmp(key, "units") == 0) {
            rc = cf__string(c, vn, "units", m->units, sizeof m->units);
        } else if (strcmp(key, "latitude") == 0) {
            rc = cf__number(c, vn, "latitude", &m->latitude_deg);
            if (rc == VG_OK && !(m->latitude_deg >= -90 && m->latitude_deg <= 90))
                return vg_fail(c->err, VG_ERR_RANGE, "%s:%d: latitude %g is not in -90..90",
                               c->path, vg_yaml_line(vn), m->latitude_deg);
            have_lat = true;
        } else if (strcmp(key, "z0") == 0) {
            rc = cf__number(c, vn, "z0", &m->z0);
        } else if (strcmp(key, "convention") == 0) {
            /* read above */
        } else if (strcmp(key, "phase") == 0) {
            const char *s = vg_yaml_scalar(vn);
            if (!s || strcmp(s, "greenwich") != 0)
                return vg_fail(c->err, VG_ERR_PARSE,
                               "%s:%d: phase must be 'greenwich' (Greenwich phase lags, UTC); "
                               "local phases (kappa) must be converted first", c->path,
                               vg_yaml_line(vn));
            have_phase = true;
        } else if (strcmp(key, "constituents") == 0) {
            if (vn->type != YAML_SEQUENCE_NODE)
                return vg_fail(c->err, VG_ERR_PARSE, "%s:%d: constituents must be a list",
                               c->path, vg_yaml_line(vn));
            for (yaml_node_item_t *it = vn->data.sequence.items.start;
                 it < vn->data.sequence.items.top && rc == VG_OK; it++)
                rc = cf__constituent(c, yaml_document_get_node(c->doc, *it), m, seen);
            have_list = true;
        } else {
            return vg_fail(c->err, VG_ERR_PARSE,
                           "%s:%d: unknown key '%s' (known: station, latitude, units, phase, "
                           "z0, convention, constituents)", c->path, vg_yaml_line(kn), key);
        }
    }
    if (rc != VG_OK)
        return rc;
    const char *missing = !have_lat ? "latitude" : !have_phase ? "phase: greenwich"
                          : !have_list ? "constituents" : NULL;
    if (missing)
        return vg_fail(c->err, VG_ERR_PARSE, "%s:%d: missing key '%s'", c->path,
                       vg_yaml_line(root), missing);
    return VG_OK;
}

vg_err vg_tide_model_read(const char *path, vg_tide_model *out, vg_errinfo *err)
{
    vg_tide_model_init(out);
    out->z0 = 0.0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_fail(err, VG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return vg_fail(err, VG_ERR_NOMEM, "%s: no memory for the YAML parser", path);
    }
    yaml_parser_set_input_file(&parser, f);
    vg_err rc = VG_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = vg_fail(err, VG_ERR_PARSE, "%s:%zu: %s", path, parser.problem_mark.line + 1,
                     parser.problem ? parser.problem : "YAML syntax error");
    } else {
        cf__ctx c = {.path = path, .doc = &doc, .err = err};
        rc = cf__root(&c, yaml_document_get_root_node(&doc), out);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc != VG_OK)
        vg_tide_model_free(out);
    return rc;
}

/* ---- writing ------------------------------------------------------------------------ */

typedef struct cf__out {
    yaml_emitter_t em;
    bool ok;
} cf__out;

static void cf__emit(cf__out *o, yaml_event_t *ev, int ok)
{
    if (o->ok && (!ok || !yaml_emitter_emit(&o->em, ev)))
        o->ok = false;
}

static void cf__scalar(cf__out *o, const char *s, bool plain)
{
    yaml_event_t ev;
    int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
                                          1, 1, plain ? YAML_PLAIN_SCALAR_STYLE
                                                      : YAML_ANY_SCALAR_STYLE);
    cf__emit(o, &ev, ok);
}

static void cf__num(cf__out *o, const char *key, double v, int digits)
{
    char buf[64];
    cf__scalar(o, key, true);
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    cf__scalar(o, buf, true);
}

static void cf__map(cf__out *o, bool start, bool flow)
{
    yaml_event_t ev;
    int ok = start ? yaml_mapping_start_event_initialize(
                         &ev, NULL, NULL, 1, flow ? YAML_FLOW_MAPPING_STYLE
                                                  : YAML_BLOCK_MAPPING_STYLE)
                   : yaml_mapping_end_event_initialize(&ev);
    cf__emit(o, &ev, ok);
}

vg_err vg_tide_model_write(const vg_tide_model *m, FILE *f, const char *name,
                           const char *header, vg_errinfo *err)
{
    for (const char *s = header; s && *s;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        fprintf(f, "# %.*s\n", (int)len, s);
        s = e ? e + 1 : s + len;
    }
    fflush(f);
    cf__out o = {.ok = true};
    if (!yaml_emitter_initialize(&o.em))
        return vg_fail(err, VG_ERR_NOMEM, "%s: no memory for the YAML emitter", name);
    yaml_emitter_set_output_file(&o.em, f);
    yaml_emitter_set_width(&o.em, 200);
    yaml_emitter_set_unicode(&o.em, 1);
    yaml_event_t ev;
    cf__emit(&o, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    cf__emit(&o, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    cf__map(&o, true, false);
    cf__scalar(&o, "station", true);
    cf__scalar(&o, m->station, false);
    cf__num(&o, "latitude", m->latitude_deg, 10);
    cf__scalar(&o, "units", true);
    cf__scalar(&o, m->units, false);
    cf__scalar(&o, "phase", true);
    cf__scalar(&o, "greenwich", true);
    cf__num(&o, "z0", isfinite(m->z0) ? m->z0 : 0.0, 10);
    if (m->convention == VG_TIDE_NOS) { /* the values are as given: say in which system */
        cf__scalar(&o, "convention", true);
        cf__scalar(&o, "nos", true);
    }
    cf__scalar(&o, "constituents", true);
    cf__emit(&o, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                            YAML_BLOCK_SEQUENCE_STYLE));
    for (size_t i = 0; i < m->n; i++) {
        const vg_tide_coef *c = &m->coef[i];
        cf__map(&o, true, true);
        cf__scalar(&o, "name", true);
        cf__scalar(&o, vg_tide_const_name(c->k), false);
        cf__num(&o, "amplitude", c->amp, 8);
        cf__num(&o, "phase", c->phase_deg, 8);
        if (isfinite(c->amp_ci))
            cf__num(&o, "amplitude_ci", c->amp_ci, 3);
        if (isfinite(c->phase_ci_deg))
            cf__num(&o, "phase_ci", c->phase_ci_deg, 3);
        cf__map(&o, false, true);
    }
    cf__emit(&o, &ev, yaml_sequence_end_event_initialize(&ev));
    cf__map(&o, false, false);
    cf__emit(&o, &ev, yaml_document_end_event_initialize(&ev, 1));
    cf__emit(&o, &ev, yaml_stream_end_event_initialize(&ev));
    bool ok = o.ok && yaml_emitter_flush(&o.em);
    yaml_emitter_delete(&o.em);
    if (!ok || fflush(f) != 0 || ferror(f))
        return vg_fail(err, VG_ERR_IO, "%s: cannot write the constituents: %s", name,
                       errno ? strerror(errno) : "YAML emitter error");
    return VG_OK;
}
