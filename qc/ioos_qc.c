/* ioos_qc.c: reads an ioos_qc configuration file unchanged (ioos_qc.config.Config layouts:
 * `contexts:` list, one context with `streams:`, variable-keyed `VAR: {qartod: ...}`, or a
 * bare `qartod:` stream named `_stream`) and turns its qartod tests into vigie chain steps
 * (qc/qartod_*.c) with per-parameter options. One table maps each ioos_qc test and keyword
 * to the vigie test and option index. docs/qc.md, "Using an ioos_qc configuration". */
#include "qc/ioos_qc.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { IOOS_NUM, IOOS_SPAN, IOOS_BBOX, IOOS_ENUM, IOOS_WINDOWS, IOOS_UNSUP };

typedef struct ioos__key {
    const char *name;     /* ioos_qc keyword argument */
    int kind;             /* IOOS_*: a number, [lo, hi], [lon_min, lat_min, lon_max, lat_max],
                             one of two names (values 0, 1), a list of climatology windows
                             (qc/qclim.h), or not supported (null only) */
    int idx;              /* first vigie option it sets */
    const char *enums[2]; /* IOOS_ENUM: the names of 0 and 1 */
} ioos__key;

typedef struct ioos__map {
    const char *name; /* ioos_qc.qartod function */
    const char *test; /* vigie test */
    double ioos_def[VG_QC_MAX_OPTS]; /* ioos_qc's default where vigie has none; NaN: none */
    ioos__key keys[6];
} ioos__map;

static const ioos__map ioos__tests[] = {
    {"gross_range_test", "qartod_gross_range", {-1e9, 1e9, NAN, NAN, NAN},
     {{"fail_span", IOOS_SPAN, 0, {0}}, {"suspect_span", IOOS_SPAN, 2, {0}}}},
    {"spike_test", "qartod_spike", {NAN, NAN, NAN, NAN, NAN},
     {{"suspect_threshold", IOOS_NUM, 0, {0}}, {"fail_threshold", IOOS_NUM, 1, {0}},
      {"method", IOOS_ENUM, 2, {"average", "differential"}}}},
    {"rate_of_change_test", "qartod_rate_of_change", {NAN, NAN, NAN, NAN, NAN},
     {{"threshold", IOOS_NUM, 0, {0}}}},
    {"flat_line_test", "qartod_flat_line", {NAN, NAN, NAN, NAN, NAN},
     {{"suspect_threshold", IOOS_NUM, 0, {0}}, {"fail_threshold", IOOS_NUM, 1, {0}},
      {"tolerance", IOOS_NUM, 2, {0}}}},
    {"attenuated_signal_test", "qartod_attenuated_signal", {NAN, NAN, NAN, NAN, NAN},
     {{"suspect_threshold", IOOS_NUM, 0, {0}}, {"fail_threshold", IOOS_NUM, 1, {0}},
      {"test_period", IOOS_NUM, 2, {0}}, {"check_type", IOOS_ENUM, 3, {"std", "range"}},
      {"min_obs", IOOS_NUM, 4, {0}}, {"min_period", IOOS_UNSUP, 0, {0}}}},
    {"location_test", "qartod_location", {NAN, NAN, NAN, NAN, NAN},
     {{"bbox", IOOS_BBOX, 0, {0}}, {"range_max", IOOS_NUM, 4, {0}}}},
    {"climatology_test", "qartod_climatology", {NAN, NAN, NAN, NAN, NAN},
     {{"config", IOOS_WINDOWS, 0, {0}}}},
};

typedef struct ioos__ctx {
    const vg_config *cfg;
    yaml_document_t *cdoc; /* cfg->doc */
    yaml_node_t *vars;     /* `variables:` of the spec, or NULL */
    bool skip_unknown;
    int line;              /* line of the spec in cfg->path */
    char path[4096];       /* the ioos_qc file, resolved */
    yaml_document_t doc;   /* its document */
    vg_qc_step *steps;
    size_t max, n;
    vg_qc_plan *plan;      /* owner of the climatology tables and the scopes */
    const vg_qc_scope *scope; /* the context being read; NULL: global */
    vg_errinfo *err;
} ioos__ctx;

/* YAML null: an empty plain scalar, null, Null, NULL or ~. */
static bool ioos__is_null(const yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return n == NULL;
    const char *s = (const char *)n->data.scalar.value;
    return !*s || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL") ||
           !strcmp(s, "~");
}

static yaml_node_t *ioos__node(ioos__ctx *c, int id)
{
    return yaml_document_get_node(&c->doc, id);
}

/* Read the file into c->doc. */
static vg_err ioos__load(ioos__ctx *c)
{
    FILE *f = fopen(c->path, "rb");
    if (!f)
        return vg_fail(c->err, VG_ERR_IO, "%s:%d: cannot read the ioos_qc configuration %s: %s",
                       c->cfg->path, c->line, c->path, strerror(errno));
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fclose(f);
        return vg_fail(c->err, VG_ERR_NOMEM, "out of memory for the YAML parser");
    }
    yaml_parser_set_input_file(&p, f);
    vg_err rc = VG_OK;
    if (!yaml_parser_load(&p, &c->doc)) {
        rc = vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s%s%s", c->path,
                     (int)p.problem_mark.line + 1, p.problem ? p.problem : "invalid YAML",
                     p.context ? " " : "", p.context ? p.context : "");
        memset(&c->doc, 0, sizeof c->doc);
    }
    yaml_parser_delete(&p);
    fclose(f);
    return rc;
}

static vg_err ioos__unknown(ioos__ctx *c, yaml_node_t *at, const char *what, const char *name)
{
    if (c->skip_unknown) {
        vg_log(VG_LOG_WARN, "%s:%d: %s '%s' is not in vigie: skipped (skip_unknown)", c->path,
               vg_yaml_line(at), what, name);
        return VG_OK;
    }
    return vg_fail(c->err, VG_ERR_CONFIG,
                   "%s:%d: %s '%s' is not in vigie (it has gross_range_test, spike_test, "
                   "rate_of_change_test, flat_line_test, attenuated_signal_test, location_test, "
                   "climatology_test; "
                   "'skip_unknown: true' in %s:%d skips the others)",
                   c->path, vg_yaml_line(at), what, name, c->cfg->path, c->line);
}

/* The parameters that ioos_qc variable `name` stands for: `variables:`, a vigie code, or
 * every parameter with that CF standard name. */
static vg_err ioos__params(ioos__ctx *c, yaml_node_t *key, const char *name, uint32_t *bits)
{
    *bits = 0;
    yaml_node_t *m = c->vars ? vg_yaml_map_get(c->cdoc, c->vars, name) : NULL;
    if (m) {
        const char *code = vg_yaml_scalar(m);
        int p = code ? vg_param_lookup(code, strlen(code)) : -1;
        if (p < 0)
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: variables: '%s' is not a vigie "
                           "parameter code", c->cfg->path, vg_yaml_line(m), code ? code : "?");
        *bits = VG_PARAM_BIT(p);
        return VG_OK;
    }
    int p = vg_param_lookup(name, strlen(name));
    if (p >= 0) {
        *bits = VG_PARAM_BIT(p);
        return VG_OK;
    }
    for (int q = 0; q < VG_P__COUNT; q++) {
        const char *sn = vg_param_get((vg_param)q)->standard_name;
        if (sn && !strcmp(sn, name))
            *bits |= VG_PARAM_BIT(q);
    }
    if (*bits)
        return VG_OK;
    return vg_fail(c->err, VG_ERR_CONFIG,
                   "%s:%d: variable '%s' is neither a vigie parameter code nor a CF standard "
                   "name vigie knows: map it with 'variables: {%s: CODE}' (%s:%d)",
                   c->path, vg_yaml_line(key), name, name, c->cfg->path, c->line);
}

/* A number, range-checked against vigie's option idx of t. */
static vg_err ioos__number(ioos__ctx *c, const ioos__map *m, const vg_qc_test *t,
                           const char *kw, yaml_node_t *n, int idx, double *opts)
{
    const char *s = vg_yaml_scalar(n);
    double d;
    if (!s || !vg_parse_double(s, &d))
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s.%s must be a number", c->path,
                       vg_yaml_line(n), m->name, kw);
    if (d < t->opts[idx].min || d > t->opts[idx].max)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s.%s = %g is outside %g..%g (%s.%s)",
                       c->path, vg_yaml_line(n), m->name, kw, d, t->opts[idx].min,
                       t->opts[idx].max, t->name, t->opts[idx].name);
    opts[idx] = d;
    return VG_OK;
}

/* The options of one ioos_qc test (node: its kwargs mapping or null) into opts. */
static vg_err ioos__options(ioos__ctx *c, const ioos__map *m, const vg_qc_test *t,
                            yaml_node_t *node, int p, double *opts)
{
    for (size_t i = 0; i < VG_QC_MAX_OPTS; i++)
        opts[i] = NAN;
    t->defaults(p, opts);
    for (size_t i = 0; i < t->n_opts; i++)
        if (isnan(opts[i]))
            opts[i] = m->ioos_def[i];
    if (!ioos__is_null(node) && node->type != YAML_MAPPING_NODE)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s must map its arguments to values",
                       c->path, vg_yaml_line(node), m->name);
    for (yaml_node_pair_t *pr = node->type == YAML_MAPPING_NODE ? node->data.mapping.pairs.start
                                                                : NULL;
         pr && pr < node->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = ioos__node(c, pr->key), *v = ioos__node(c, pr->value);
        const char *kw = vg_yaml_scalar(k);
        const ioos__key *key = NULL;
        for (size_t i = 0; kw && i < sizeof m->keys / sizeof m->keys[0] && m->keys[i].name; i++)
            if (!strcmp(m->keys[i].name, kw))
                key = &m->keys[i];
        if (!key)
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s has no argument '%s' that vigie "
                           "knows (%s, ...)", c->path, vg_yaml_line(k), m->name,
                           kw ? kw : "?", m->keys[0].name);
        if (ioos__is_null(v))
            continue; /* kw: null is ioos_qc's default */
        vg_err rc = VG_OK;
        switch (key->kind) {
        case IOOS_NUM:
            rc = ioos__number(c, m, t, kw, v, key->idx, opts);
            break;
        case IOOS_SPAN:
        case IOOS_BBOX: {
            int want = key->kind == IOOS_SPAN ? 2 : 4;
            if (v->type != YAML_SEQUENCE_NODE ||
                v->data.sequence.items.top - v->data.sequence.items.start != want)
                return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s.%s must be a list of %d "
                               "numbers%s", c->path, vg_yaml_line(v), m->name, kw, want,
                               want == 2 ? " [low, high]"
                                         : " [lon_min, lat_min, lon_max, lat_max]");
            for (int i = 0; i < want && rc == VG_OK; i++)
                rc = ioos__number(c, m, t, kw, ioos__node(c, v->data.sequence.items.start[i]),
                                  key->idx + i, opts);
            break;
        }
        case IOOS_WINDOWS: {
            size_t index;
            rc = vg_qclim_parse(&c->doc, v, c->path, &c->plan->qclim, &index, c->err);
            opts[key->idx] = (double)index;
            break;
        }
        case IOOS_ENUM: {
            const char *s = vg_yaml_scalar(v);
            int e = !s ? -1 : !strcmp(s, key->enums[0]) ? 0 : !strcmp(s, key->enums[1]) ? 1 : -1;
            if (e < 0)
                return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s.%s must be '%s' or '%s'",
                               c->path, vg_yaml_line(v), m->name, kw, key->enums[0],
                               key->enums[1]);
            opts[key->idx] = e;
            break;
        }
        default:
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s.%s is not supported by vigie "
                           "(%s): remove it or set it to null", c->path, vg_yaml_line(k),
                           m->name, kw, t->name);
        }
        if (rc != VG_OK)
            return rc;
    }
    for (size_t i = 0; i < t->n_opts; i++) {
        if (!isnan(opts[i]))
            continue;
        const char *kw = "?";
        for (size_t j = 0; j < sizeof m->keys / sizeof m->keys[0] && m->keys[j].name; j++)
            if (m->keys[j].kind != IOOS_UNSUP && (int)i >= m->keys[j].idx &&
                (int)i < m->keys[j].idx + (m->keys[j].kind == IOOS_SPAN   ? 2
                                           : m->keys[j].kind == IOOS_BBOX ? 4
                                                                          : 1))
                kw = m->keys[j].name;
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s needs '%s' in vigie (%s)", c->path,
                       vg_yaml_line(node), m->name, kw, t->opts[i].doc);
    }
    return VG_OK;
}

/* The step of test t in the current context in c->steps, appended when new. */
static vg_err ioos__step(ioos__ctx *c, const vg_qc_test *t, yaml_node_t *at, vg_qc_step **out,
                         bool *fresh)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->steps[i].test == t && c->steps[i].scope == c->scope) {
            *out = &c->steps[i];
            *fresh = false;
            return VG_OK;
        }
    if (c->n == c->max)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: more than %d steps in the chain",
                       c->path, vg_yaml_line(at), VG_QC_MAX_TESTS);
    *out = &c->steps[c->n++];
    memset(*out, 0, sizeof **out);
    (*out)->test = t;
    (*out)->line = c->line;
    (*out)->scope = c->scope;
    *fresh = true;
    return VG_OK;
}

/* One ioos_qc test `name` (key node k, kwargs v) for variable var (parameters bits). */
static vg_err ioos__test(ioos__ctx *c, const char *var, uint32_t bits, yaml_node_t *k,
                         yaml_node_t *v)
{
    const char *name = vg_yaml_scalar(k);
    if (name && !strcmp(name, "aggregate"))
        return VG_OK; /* the aggregate flag: vigie's engine always combines the flags */
    const ioos__map *m = NULL;
    for (size_t i = 0; name && i < sizeof ioos__tests / sizeof ioos__tests[0]; i++)
        if (!strcmp(ioos__tests[i].name, name))
            m = &ioos__tests[i];
    if (!m)
        return ioos__unknown(c, k, "ioos_qc test qartod", name ? name : "?");
    const vg_qc_test *t = vg_qc_test_find(m->test);
    vg_qc_step *st = NULL;
    bool fresh = false;
    vg_err rc = ioos__step(c, t, k, &st, &fresh);
    if (rc != VG_OK)
        return rc;
    double o[VG_QC_MAX_OPTS];
    if (t->target != VG_QC_ON_PARAM) {
        if ((rc = ioos__options(c, m, t, v, -1, o)) != VG_OK)
            return rc;
        if (!fresh && memcmp(o, st->opts[0], sizeof o) != 0)
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s of '%s' differs from an earlier "
                           "one: vigie judges one position per sample, give the same %s",
                           c->path, vg_yaml_line(k), m->name, var, m->keys[0].name);
        memcpy(st->opts[0], o, sizeof o);
        return VG_OK;
    }
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!(bits & VG_PARAM_BIT(p)))
            continue;
        if (st->params & VG_PARAM_BIT(p))
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s for %s (variable '%s') is given "
                           "twice", c->path, vg_yaml_line(k), m->name,
                           vg_param_get((vg_param)p)->code, var);
        if ((rc = ioos__options(c, m, t, v, p, st->opts[p])) != VG_OK)
            return rc;
        st->params |= VG_PARAM_BIT(p);
    }
    return VG_OK;
}

/* The modules of one variable (v: {qartod: {TEST: {...}}, ...}), parameters bits. */
static vg_err ioos__modules(ioos__ctx *c, const char *var, uint32_t bits, yaml_node_t *v)
{
    vg_err rc = VG_OK;
    for (yaml_node_pair_t *mp = v->data.mapping.pairs.start;
         rc == VG_OK && mp < v->data.mapping.pairs.top; mp++) {
        yaml_node_t *mk = ioos__node(c, mp->key), *mv = ioos__node(c, mp->value);
        const char *mod = vg_yaml_scalar(mk);
        if (!mod || strcmp(mod, "qartod")) {
            rc = ioos__unknown(c, mk, "ioos_qc module", mod ? mod : "?");
            continue;
        }
        if (ioos__is_null(mv))
            continue;
        if (mv->type != YAML_MAPPING_NODE)
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: qartod must map test names to "
                           "their arguments", c->path, vg_yaml_line(mv));
        for (yaml_node_pair_t *tp = mv->data.mapping.pairs.start;
             rc == VG_OK && tp < mv->data.mapping.pairs.top; tp++)
            rc = ioos__test(c, var, bits, ioos__node(c, tp->key), ioos__node(c, tp->value));
    }
    return rc;
}

/* `streams:` or the variable-keyed top level: VAR -> {qartod: {TEST: {...}}}. */
static vg_err ioos__streams(ioos__ctx *c, yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: streams must map variables to "
                       "{qartod: ...}", c->path, vg_yaml_line(map));
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = ioos__node(c, pr->key), *v = ioos__node(c, pr->value);
        const char *var = vg_yaml_scalar(k);
        if (!var)
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: a variable name must be a string",
                           c->path, vg_yaml_line(k));
        if (ioos__is_null(v))
            continue;
        if (v->type != YAML_MAPPING_NODE)
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: variable '%s' must map modules "
                           "(qartod) to tests", c->path, vg_yaml_line(v), var);
        uint32_t bits;
        vg_err rc = ioos__params(c, k, var, &bits);
        if (rc != VG_OK)
            return rc;
        if ((rc = ioos__modules(c, var, bits, v)) != VG_OK)
            return rc;
    }
    return VG_OK;
}

/* One context: its window and region become the scope of its steps (none for a global
 * context), then its streams are read. */
static vg_err ioos__context(ioos__ctx *c, yaml_node_t *ctx)
{
    if (ctx->type != YAML_MAPPING_NODE)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: a context must be a mapping with "
                       "'streams:'", c->path, vg_yaml_line(ctx));
    yaml_node_t *streams = vg_yaml_map_get(&c->doc, ctx, "streams");
    if (!streams)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: a context needs 'streams:'", c->path,
                       vg_yaml_line(ctx));
    vg_err rc = vg_qc_scope_parse(&c->doc, vg_yaml_map_get(&c->doc, ctx, "window"),
                                  vg_yaml_map_get(&c->doc, ctx, "region"), c->path,
                                  vg_yaml_line(ctx), &c->plan->scopes, &c->scope, c->err);
    if (rc == VG_OK && !ioos__is_null(streams))
        rc = ioos__streams(c, streams);
    c->scope = NULL;
    return rc;
}

/* Dispatch on the layout, as ioos_qc.config.Config does. */
static vg_err ioos__walk(ioos__ctx *c)
{
    yaml_node_t *root = yaml_document_get_root_node(&c->doc);
    if (!root || ioos__is_null(root))
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:1: empty ioos_qc configuration", c->path);
    if (root->type != YAML_MAPPING_NODE)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: an ioos_qc configuration must be a "
                       "mapping", c->path, vg_yaml_line(root));
    yaml_node_t *contexts = vg_yaml_map_get(&c->doc, root, "contexts");
    vg_err rc = VG_OK;
    if (contexts) {
        if (contexts->type != YAML_SEQUENCE_NODE)
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: contexts must be a list", c->path,
                           vg_yaml_line(contexts));
        for (yaml_node_item_t *it = contexts->data.sequence.items.start;
             rc == VG_OK && it < contexts->data.sequence.items.top; it++)
            rc = ioos__context(c, ioos__node(c, *it));
    } else if (vg_yaml_map_get(&c->doc, root, "streams")) {
        rc = ioos__context(c, root);
    } else if (vg_yaml_map_get(&c->doc, root, "qartod")) {
        /* A single-stream config (ioos_qc's QcConfig): its stream is named "_stream". */
        uint32_t bits;
        if ((rc = ioos__params(c, root, "_stream", &bits)) != VG_OK)
            return rc;
        rc = ioos__modules(c, "_stream", bits, root);
    } else {
        rc = ioos__streams(c, root);
    }
    if (rc == VG_OK && c->n == 0)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: no test of this ioos_qc configuration "
                       "runs in vigie", c->path, vg_yaml_line(root));
    return rc;
}

/* Check the spec's keys and read variables/skip_unknown; resolve the file name. */
static vg_err ioos__spec(ioos__ctx *c, yaml_node_t *spec)
{
    const char *cpath = c->cfg->path;
    for (yaml_node_pair_t *pr = spec->data.mapping.pairs.start;
         pr < spec->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(c->cdoc, pr->key);
        const char *key = vg_yaml_scalar(k);
        if (!key || (strcmp(key, "ioos_qc") && strcmp(key, "variables") &&
                     strcmp(key, "skip_unknown")))
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: unknown key '%s' with ioos_qc "
                           "(ioos_qc, variables, skip_unknown)", cpath, vg_yaml_line(k),
                           key ? key : "?");
    }
    yaml_node_t *file = vg_yaml_map_get(c->cdoc, spec, "ioos_qc");
    const char *f = vg_yaml_scalar(file);
    if (!f || !*f)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: ioos_qc must name a file", cpath,
                       vg_yaml_line(file ? file : spec));
    const char *slash = f[0] == '/' ? NULL : strrchr(cpath, '/');
    int len = slash ? snprintf(c->path, sizeof c->path, "%.*s/%s", (int)(slash - cpath), cpath, f)
                    : snprintf(c->path, sizeof c->path, "%s", f);
    if (len < 0 || (size_t)len >= sizeof c->path)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: ioos_qc file name too long", cpath,
                       vg_yaml_line(file));
    c->vars = vg_yaml_map_get(c->cdoc, spec, "variables");
    if (c->vars && c->vars->type != YAML_MAPPING_NODE)
        return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: variables must map ioos_qc variable "
                       "names to vigie codes", cpath, vg_yaml_line(c->vars));
    for (yaml_node_pair_t *pr = c->vars ? c->vars->data.mapping.pairs.start : NULL;
         pr && pr < c->vars->data.mapping.pairs.top; pr++) {
        yaml_node_t *v = yaml_document_get_node(c->cdoc, pr->value);
        const char *code = vg_yaml_scalar(v);
        if (!code || vg_param_lookup(code, strlen(code)) < 0)
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: variables: '%s' is not a vigie "
                           "parameter code", cpath, vg_yaml_line(v), code ? code : "?");
    }
    yaml_node_t *skip = vg_yaml_map_get(c->cdoc, spec, "skip_unknown");
    if (skip) {
        const char *s = vg_yaml_scalar(skip);
        if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
            c->skip_unknown = true;
        else if (!s || (strcmp(s, "false") && strcmp(s, "no") && strcmp(s, "off")))
            return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: skip_unknown must be true or false",
                           cpath, vg_yaml_line(skip));
    }
    return VG_OK;
}

vg_err vg_ioos_qc_steps(const vg_config *cfg, yaml_node_t *spec, vg_qc_step *steps, size_t max,
                        size_t *n, vg_qc_plan *plan, vg_errinfo *err)
{
    ioos__ctx ctx = {0}, *c = &ctx;
    c->plan = plan;
    c->cfg = cfg;
    c->cdoc = (yaml_document_t *)&cfg->doc;
    c->line = vg_yaml_line(spec);
    c->steps = steps;
    c->max = max;
    c->err = err;
    *n = 0;
    if (spec->type != YAML_MAPPING_NODE)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ioos_qc: expected a mapping", cfg->path,
                       c->line);
    vg_err rc = ioos__spec(c, spec);
    if (rc == VG_OK)
        rc = ioos__load(c);
    if (rc != VG_OK)
        return rc;
    rc = ioos__walk(c);
    yaml_document_delete(&c->doc);
    if (rc == VG_OK)
        *n = c->n;
    return rc;
}
