/* plan.c: compiles the `qc:` section of the configuration into a vg_qc_plan (plan.h).
 *   qc:
 *     hold_timeout_s: 0               # 0: automatic, 2 x interval_s (at least 5 s)
 *     max_gap_factor: 5
 *     sea_level_spread_s: 21600       # the tide gauges' daily analyses: 00:00-06:00 of data
 *     chains:
 *       tsg:                          # one list per platform kind
 *         - test: global_range
 *           parameters:               # optional: restricts and overrides
 *             SSJT: {min: -2.5, max: 40}
 *         - test: impossible_speed
 *           options: {max_speed_kn: 30}   # position and time tests
 *         - ioos_qc: FILE             # an ioos_qc config's tests here (qc/ioos_qc.h)
 *       mooring: {ioos_qc: FILE, variables: {NAME: CODE}}   # or a whole chain from one
 *     reference:                      # grids for position_on_land and climatology
 *       bathymetry: {path: FILE, variable: NAME}
 *       climatology:
 *         temperature: {path: FILE, mean: VAR, std_path: FILE, std: VAR, level: 0}
 */
#include "qc/plan.h"

#include "core/params.h"

#include "qc/bathymetry.h"
#include "qc/climatology.h"
#include "qc/ioos_qc.h"
#include "qc/qclim.h"
#include "qc/tides.h"

#include <stdlib.h>
#include <string.h>

static const char *const chain_tsg[] = {
    "impossible_date", "impossible_location", "impossible_speed", "frozen_navigation",
    "global_range",    "regional_range",      "spike",            "stuck_value",
    "gradient",        "harbour",             "pump_flow",        "pump_history",
    NULL};
static const char *const chain_station[] = {"impossible_date", "impossible_location",
                                            "global_range",    "spike",
                                            "stuck_value",     "gradient",
                                            NULL};

/* Tide gauges: the QARTOD water-level tests with their SLEV defaults (docs/qc.md, "Water
 * level: the QARTOD tests"), the forecast test on the tide, and the daily watch's flags.
 * Not qartod_attenuated_signal: its 0.5 m over 12 h would flag every micro-tidal station. */
static const char *const chain_tide[] = {
    "impossible_date",   "impossible_location", "qartod_time_gap", "global_range",
    "qartod_spike",      "wl_rate_of_change",   "qartod_flat_line", "tide_residual",
    "datum_shift",       "clock_offset",        NULL};

const char *const *vg_qc_default_chain(vg_platform_kind kind)
{
    if (kind == VG_KIND_TIDE_GAUGE)
        return chain_tide;
    return kind == VG_KIND_TSG || kind == VG_KIND_FERRYBOX ? chain_tsg : chain_station;
}

/* A step with every parameter that has defaults. */
static void plan__default_step(vg_qc_step *st, const vg_qc_test *t)
{
    memset(st, 0, sizeof *st);
    st->test = t;
    if (t->target != VG_QC_ON_PARAM) {
        t->defaults(-1, st->opts[0]);
        return;
    }
    /* A parameter whose defaults leave an option unset (NaN) needs the configuration. */
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!t->defaults(p, st->opts[p]))
            continue;
        size_t i = 0;
        while (i < t->n_opts && st->opts[p][i] == st->opts[p][i])
            i++;
        if (i == t->n_opts)
            st->params |= VG_PARAM_BIT(p);
    }
}

/* Read the options of mapping `node` into opts (already holding defaults or NaN). */
static vg_err plan__options(const vg_config *cfg, yaml_node_t *node, const vg_qc_test *t,
                            const char *what, double *opts, vg_qclim_set *qclim,
                            vg_errinfo *err)
{
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    if (node->type != YAML_MAPPING_NODE)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s options of %s must be a mapping",
                       cfg->path, vg_yaml_line(node), what, t->name);
    for (yaml_node_pair_t *pr = node->data.mapping.pairs.start;
         pr < node->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(doc, pr->key);
        yaml_node_t *v = yaml_document_get_node(doc, pr->value);
        const char *key = vg_yaml_scalar(k), *val = vg_yaml_scalar(v);
        size_t i = 0;
        while (key && i < t->n_opts && strcmp(t->opts[i].name, key) != 0)
            i++;
        if (!key || i == t->n_opts)
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s has no option '%s' (%s)", cfg->path,
                           vg_yaml_line(k), t->name, key ? key : "?",
                           t->n_opts ? t->opts[0].name : "it takes none");
        if (t->windows && i == 0) {
            size_t index;
            vg_err rc = vg_qclim_parse(doc, v, cfg->path, qclim, &index, err);
            if (rc != VG_OK)
                return rc;
            opts[i] = (double)index;
            continue;
        }
        if (t->words && i == 0) {
            size_t w = 0;
            char list[128] = "";
            while (t->words[w] && (!val || strcmp(t->words[w], val) != 0)) {
                strncat(list, w ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, t->words[w], sizeof list - strlen(list) - 1);
                w++;
            }
            if (!t->words[w])
                return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s.%s for %s must be one of: %s",
                               cfg->path, vg_yaml_line(v), t->name, key, what, list);
            opts[i] = (double)w;
            continue;
        }
        double d;
        if (!val || !vg_parse_double(val, &d))
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s.%s for %s must be a number",
                           cfg->path, vg_yaml_line(v), t->name, key, what);
        if (d < t->opts[i].min || d > t->opts[i].max)
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s.%s = %g for %s is outside %g..%g",
                           cfg->path, vg_yaml_line(v), t->name, key, d, what, t->opts[i].min,
                           t->opts[i].max);
        opts[i] = d;
    }
    for (size_t i = 0; i < t->n_opts; i++)
        if (opts[i] != opts[i])
            return vg_fail(err, VG_ERR_CONFIG,
                           "%s:%d: %s for %s needs '%s' (no default): %s", cfg->path,
                           vg_yaml_line(node), t->name, what, t->opts[i].name, t->opts[i].doc);
    return VG_OK;
}

static vg_err plan__step(const vg_config *cfg, yaml_node_t *node, vg_qc_step *st,
                         vg_qclim_set *qclim, vg_errinfo *err)
{
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    int line = vg_yaml_line(node);
    if (node->type != YAML_MAPPING_NODE)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: a chain step must be a mapping with 'test:'",
                       cfg->path, line);
    for (yaml_node_pair_t *pr = node->data.mapping.pairs.start;
         pr < node->data.mapping.pairs.top; pr++) {
        const char *key = vg_yaml_scalar(yaml_document_get_node(doc, pr->key));
        if (!key || (strcmp(key, "test") && strcmp(key, "parameters") && strcmp(key, "options")))
            return vg_fail(err, VG_ERR_CONFIG,
                           "%s:%d: unknown key '%s' in a chain step (test, parameters, options)",
                           cfg->path, vg_yaml_line(yaml_document_get_node(doc, pr->key)),
                           key ? key : "?");
    }
    const char *name = vg_yaml_scalar(vg_yaml_map_get(doc, node, "test"));
    if (!name)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: chain step without 'test: NAME'", cfg->path,
                       line);
    const vg_qc_test *t = vg_qc_test_find(name);
    if (!t) {
        char known[512] = "";
        for (int i = 0; vg_qc_tests[i]; i++) {
            strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
            strncat(known, vg_qc_tests[i]->name, sizeof known - strlen(known) - 1);
        }
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: unknown QC test '%s' (known: %s)", cfg->path,
                       line, name, known);
    }
    plan__default_step(st, t);
    st->line = line;
    yaml_node_t *params = vg_yaml_map_get(doc, node, "parameters");
    yaml_node_t *options = vg_yaml_map_get(doc, node, "options");
    if (t->target != VG_QC_ON_PARAM) {
        if (params)
            return vg_fail(err, VG_ERR_CONFIG,
                           "%s:%d: %s judges the %s, not parameters: use 'options:'", cfg->path,
                           vg_yaml_line(params), t->name,
                           t->target == VG_QC_ON_TIME ? "time" : "position");
        return options ? plan__options(cfg, options, t, "the sample", st->opts[0], qclim, err) : VG_OK;
    }
    if (options)
        return vg_fail(err, VG_ERR_CONFIG,
                       "%s:%d: %s judges parameters: give options under 'parameters: {CODE: {...}}'",
                       cfg->path, vg_yaml_line(options), t->name);
    if (!params && !st->params)
        return vg_fail(err, VG_ERR_CONFIG,
                       "%s:%d: %s has no default options: list its parameters with their "
                       "options under 'parameters:'", cfg->path, line, t->name);
    if (!params)
        return VG_OK;
    if (params->type != YAML_MAPPING_NODE)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: 'parameters' must map codes to options",
                       cfg->path, vg_yaml_line(params));
    st->params = 0;
    for (yaml_node_pair_t *pr = params->data.mapping.pairs.start;
         pr < params->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(doc, pr->key);
        const char *code = vg_yaml_scalar(k);
        int p = code ? vg_param_lookup(code, strlen(code)) : -1;
        if (p < 0)
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: unknown parameter code '%s'", cfg->path,
                           vg_yaml_line(k), code ? code : "?");
        if (st->params & VG_PARAM_BIT(p))
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: parameter %s given twice", cfg->path,
                           vg_yaml_line(k), code);
        if (!t->defaults(p, st->opts[p]))
            for (size_t i = 0; i < VG_QC_MAX_OPTS; i++)
                st->opts[p][i] = 0.0 / 0.0;
        yaml_node_t *v = yaml_document_get_node(doc, pr->value);
        /* "SSJT: {}" or "SSJT:" (null) keeps the defaults. */
        if (!(v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0)) {
            vg_err rc = plan__options(cfg, v, t, code, st->opts[p], qclim, err);
            if (rc != VG_OK)
                return rc;
        } else {
            for (size_t i = 0; i < t->n_opts; i++)
                if (st->opts[p][i] != st->opts[p][i])
                    return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s has no default for %s: give %s",
                                   cfg->path, vg_yaml_line(k), t->name, code, t->opts[i].name);
        }
        st->params |= VG_PARAM_BIT(p);
    }
    return VG_OK;
}

static vg_err plan__chain(const vg_config *cfg, yaml_node_t *seq, vg_qc_chain *ch,
                          vg_qc_plan *plan, vg_errinfo *err)
{
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    /* `{ioos_qc: FILE, ...}` instead of a list: the chain is that file's tests (ioos_qc.h). */
    bool whole = seq->type == YAML_MAPPING_NODE && vg_yaml_map_get(doc, seq, "ioos_qc");
    if (seq->type != YAML_SEQUENCE_NODE && !whole)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: a chain must be a list of steps or "
                       "{ioos_qc: FILE}", cfg->path, vg_yaml_line(seq));
    ch->n_steps = 0;
    size_t n_items = whole ? 1 : (size_t)(seq->data.sequence.items.top -
                                          seq->data.sequence.items.start);
    for (size_t k = 0; k < n_items; k++) {
        yaml_node_t *node =
            whole ? seq : yaml_document_get_node(doc, seq->data.sequence.items.start[k]);
        if (ch->n_steps == VG_QC_MAX_TESTS)
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: more than %d steps in a chain", cfg->path,
                           vg_yaml_line(node), VG_QC_MAX_TESTS);
        size_t n = 1;
        vg_err rc;
        if (node->type == YAML_MAPPING_NODE && vg_yaml_map_get(doc, node, "ioos_qc"))
            rc = vg_ioos_qc_steps(cfg, node, &ch->steps[ch->n_steps],
                                  VG_QC_MAX_TESTS - ch->n_steps, &n, plan, err);
        else
            rc = plan__step(cfg, node, &ch->steps[ch->n_steps], &plan->qclim, err);
        if (rc != VG_OK)
            return rc;
        for (size_t j = ch->n_steps; j < ch->n_steps + n; j++) {
            const vg_qc_step *st = &ch->steps[j];
            /* The same test twice only in different contexts (ioos_qc's time windows and
             * regions): each step judges the samples of its own scope, a later one winning
             * where they overlap. One ioos_qc file never repeats a (test, context). */
            for (size_t i = 0; i < ch->n_steps; i++)
                if (ch->steps[i].test == st->test &&
                    (!st->scope || !ch->steps[i].scope || st->scope == ch->steps[i].scope))
                    return vg_fail(err, VG_ERR_CONFIG,
                                   "%s:%d: test %s already in this chain (line %d)", cfg->path,
                                   st->line, st->test->name, ch->steps[i].line);
        }
        ch->n_steps += n;
    }
    return VG_OK;
}

static vg_err plan__number(const vg_config *cfg, yaml_node_t *qc, const char *key, double min,
                           double max, double *out, vg_errinfo *err)
{
    yaml_node_t *n = vg_yaml_map_get((yaml_document_t *)&cfg->doc, qc, key);
    if (!n)
        return VG_OK;
    const char *s = vg_yaml_scalar(n);
    double d;
    if (!s || !vg_parse_double(s, &d))
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: qc.%s must be a number", cfg->path,
                       vg_yaml_line(n), key);
    if (d < min || d > max)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: qc.%s = %g is outside %g..%g", cfg->path,
                       vg_yaml_line(n), key, d, min, max);
    *out = d;
    return VG_OK;
}

/* True if some chain of the plan runs test t (on a parameter of family fam, if fam >= 0). */
static bool plan__uses(const vg_qc_plan *plan, const vg_qc_test *t, int fam)
{
    for (int k = 0; k < VG_KIND__COUNT; k++) {
        const vg_qc_chain *ch = &plan->chains[k];
        for (size_t i = 0; i < ch->n_steps; i++) {
            if (ch->steps[i].test != t)
                continue;
            if (fam < 0)
                return true;
            for (int p = 0; p < VG_P__COUNT; p++)
                if ((ch->steps[i].params & VG_PARAM_BIT(p)) && vg_clim_family_of((vg_param)p) == fam)
                    return true;
        }
    }
    return false;
}

/* A string member of a reference mapping, or NULL. */
static vg_err plan__ref_string(const vg_config *cfg, yaml_node_t *map, const char *key,
                               const char **out, vg_errinfo *err)
{
    yaml_node_t *n = vg_yaml_map_get((yaml_document_t *)&cfg->doc, map, key);
    *out = NULL;
    if (!n)
        return VG_OK;
    *out = vg_yaml_scalar(n);
    if (!*out || !**out)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: qc.reference: '%s' must be a non-empty string",
                       cfg->path, vg_yaml_line(n), key);
    return VG_OK;
}

static vg_err plan__ref_keys(const vg_config *cfg, yaml_node_t *map, const char *what,
                             const char *const *keys, vg_errinfo *err)
{
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    if (map->type != YAML_MAPPING_NODE)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: qc.reference.%s must be a mapping", cfg->path,
                       vg_yaml_line(map), what);
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = yaml_document_get_node(doc, pr->key);
        const char *key = vg_yaml_scalar(k);
        size_t i = 0;
        while (key && keys[i] && strcmp(keys[i], key) != 0)
            i++;
        if (!key || !keys[i])
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: unknown key 'qc.reference.%s.%s'", cfg->path,
                           vg_yaml_line(k), what, key ? key : "?");
    }
    return VG_OK;
}

/* Load the grids that the chains need: qc.reference when given, else the defaults. */
static vg_err plan__references(const vg_config *cfg, yaml_node_t *qc, vg_qc_plan *plan,
                               vg_errinfo *err)
{
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    yaml_node_t *ref = qc ? vg_yaml_map_get(doc, qc, "reference") : NULL;
    static const char *const top_keys[] = {"bathymetry", "climatology", NULL};
    static const char *const bathy_keys[] = {"path", "variable", NULL};
    static const char *const fam_keys[] = {"temperature", "salinity", NULL};
    static const char *const clim_keys[] = {"path", "mean", "std_path", "std", "level", NULL};
    vg_err rc;
    if (ref && (rc = plan__ref_keys(cfg, ref, "(top)", top_keys, err)) != VG_OK)
        return rc;
    yaml_node_t *bnode = ref ? vg_yaml_map_get(doc, ref, "bathymetry") : NULL;
    yaml_node_t *cnode = ref ? vg_yaml_map_get(doc, ref, "climatology") : NULL;
    if (bnode && (rc = plan__ref_keys(cfg, bnode, "bathymetry", bathy_keys, err)) != VG_OK)
        return rc;
    if (cnode && (rc = plan__ref_keys(cfg, cnode, "climatology", fam_keys, err)) != VG_OK)
        return rc;

    if (plan__uses(plan, &vg_qc_position_on_land, -1)) {
        const char *path = NULL, *var = NULL;
        if (bnode && ((rc = plan__ref_string(cfg, bnode, "path", &path, err)) != VG_OK ||
                      (rc = plan__ref_string(cfg, bnode, "variable", &var, err)) != VG_OK))
            return rc;
        vg_bathymetry *b = NULL;
        vg_errinfo why;
        if (vg_bathymetry_load(path, var, &b, &why) != VG_OK)
            return vg_fail(err, VG_ERR_CONFIG,
                           "%s:%d: position_on_land needs a relief grid: %s (install Debian's "
                           "ferret-datasets or set qc.reference.bathymetry)",
                           cfg->path, bnode ? vg_yaml_line(bnode) : qc ? vg_yaml_line(qc) : 0, why.text);
        plan->refs.bathymetry = b;
    }
    for (int f = 0; f < VG_CLIM__COUNT; f++) {
        if (!plan__uses(plan, &vg_qc_climatology, f))
            continue;
        const char *name = vg_clim_family_name((vg_clim_family)f);
        yaml_node_t *fnode = cnode ? vg_yaml_map_get(doc, cnode, name) : NULL;
        vg_climatology_spec spec = *vg_climatology_default_spec((vg_clim_family)f);
        if (fnode) {
            if ((rc = plan__ref_keys(cfg, fnode, name, clim_keys, err)) != VG_OK)
                return rc;
            const char *path, *mean, *std_path, *std;
            if ((rc = plan__ref_string(cfg, fnode, "path", &path, err)) != VG_OK ||
                (rc = plan__ref_string(cfg, fnode, "mean", &mean, err)) != VG_OK ||
                (rc = plan__ref_string(cfg, fnode, "std_path", &std_path, err)) != VG_OK ||
                (rc = plan__ref_string(cfg, fnode, "std", &std, err)) != VG_OK)
                return rc;
            if (!path || !mean)
                return vg_fail(err, VG_ERR_CONFIG, "%s:%d: qc.reference.climatology.%s needs "
                               "'path' and 'mean'", cfg->path, vg_yaml_line(fnode), name);
            spec = (vg_climatology_spec){.path = path, .mean_var = mean, .std_path = std_path,
                                         .std_var = std, .level = 0};
            yaml_node_t *lv = vg_yaml_map_get(doc, fnode, "level");
            long level;
            if (lv && (!vg_yaml_scalar(lv) || !vg_parse_long(vg_yaml_scalar(lv), &level) ||
                       level < 0 || level > 10000))
                return vg_fail(err, VG_ERR_CONFIG, "%s:%d: qc.reference.climatology.%s.level "
                               "must be an index 0..10000", cfg->path, vg_yaml_line(lv), name);
            if (lv)
                spec.level = (size_t)level;
        }
        vg_climatology *c = NULL;
        vg_errinfo why;
        if (vg_climatology_load(&spec, &c, &why) != VG_OK)
            return vg_fail(err, VG_ERR_CONFIG,
                           "%s:%d: the climatology test needs a %s climatology: %s (install "
                           "Debian's ferret-datasets or set qc.reference.climatology.%s)",
                           cfg->path, fnode ? vg_yaml_line(fnode) : qc ? vg_yaml_line(qc) : 0, name,
                           why.text, name);
        plan->refs.climatology[f] = c;
    }
    /* The tides serve tide_residual and every tide gauge's sea-level monitor (datum shifts,
     * clock offsets: qc/sealevel_monitor.h), so a named file is read whatever the chain. */
    bool named = false;
    for (size_t i = 0; i < cfg->n_platforms; i++)
        named = named || cfg->platforms[i].constituents;
    if (named || plan__uses(plan, &vg_qc_tide_residual, -1)) {
        vg_qc_tides *t = NULL;
        if ((rc = vg_qc_tides_load(cfg, &t, err)) != VG_OK)
            return rc;
        plan->refs.tides = t;
    }
    return VG_OK;
}

void vg_qc_plan_free(vg_qc_plan *plan)
{
    if (!plan)
        return;
    vg_bathymetry_free((vg_bathymetry *)plan->refs.bathymetry);
    vg_qc_tides_free((vg_qc_tides *)plan->refs.tides);
    vg_qclim_set_free(&plan->qclim);
    vg_qc_scopes_free(&plan->scopes);
    for (int f = 0; f < VG_CLIM__COUNT; f++)
        vg_climatology_free((vg_climatology *)plan->refs.climatology[f]);
    free(plan);
}

/* Tests whose state grows with their options (sized_state: the attenuated signal's
 * window) must fit on every platform they run on, at its interval_s: a FILE:LINE error at
 * the step (or the platform, for a default step) naming the platform otherwise. */
static vg_err plan__windows(const vg_config *cfg, const vg_qc_plan *plan, vg_errinfo *err)
{
    for (size_t i = 0; i < cfg->n_platforms; i++) {
        const vg_platform_cfg *pf = &cfg->platforms[i];
        const vg_qc_chain *chain = &plan->chains[pf->kind];
        for (size_t j = 0; j < chain->n_steps; j++) {
            const vg_qc_step *step = &chain->steps[j];
            const vg_qc_test *t = step->test;
            if (!t->sized_state)
                continue;
            uint32_t m = t->target == VG_QC_ON_PARAM ? step->params & pf->params : 1;
            for (; m; m &= m - 1) {
                int p = t->target == VG_QC_ON_PARAM ? __builtin_ctz(m) : 0;
                char why[200];
                if (t->sized_state(step->opts[p], pf->interval_s, NULL, why, sizeof why))
                    continue;
                return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s%s%s on platform %s: %s",
                               cfg->path, step->line ? step->line : pf->line, t->name,
                               t->target == VG_QC_ON_PARAM ? " of " : "",
                               t->target == VG_QC_ON_PARAM ? vg_param_get((vg_param)p)->code : "",
                               pf->id, why);
            }
        }
    }
    return VG_OK;
}

double vg_qc_hold_timeout_s(const vg_qc_plan *plan, const vg_platform_cfg *pf)
{
    if (plan->hold_timeout_s > 0)
        return plan->hold_timeout_s < 0.1 ? 0.1 : plan->hold_timeout_s;
    double auto_s = 2 * pf->interval_s;
    return auto_s < 5 ? 5 : auto_s;
}

vg_err vg_qc_plan_build(const vg_config *cfg, vg_qc_plan **out, vg_errinfo *err)
{
    vg_qc_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the QC plan");
    plan->refs.qclim = &plan->qclim; /* the plan is never moved: callers hold the pointer */
    plan->hold_timeout_s = 0;
    plan->max_gap_factor = 5;
    plan->sea_level_spread_s = 21600;
    for (int k = 0; k < VG_KIND__COUNT; k++) {
        const char *const *names = vg_qc_default_chain((vg_platform_kind)k);
        for (size_t i = 0; names[i]; i++)
            plan__default_step(&plan->chains[k].steps[i], vg_qc_test_find(names[i]));
        for (plan->chains[k].n_steps = 0; names[plan->chains[k].n_steps];)
            plan->chains[k].n_steps++;
    }
    vg_err rc = VG_OK;
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    yaml_node_t *qc = cfg->qc_node ? yaml_document_get_node(doc, cfg->qc_node) : NULL;
    if (qc) {
        if (qc->type != YAML_MAPPING_NODE) {
            rc = vg_fail(err, VG_ERR_CONFIG, "%s:%d: qc must be a mapping", cfg->path,
                         vg_yaml_line(qc));
            goto done;
        }
        for (yaml_node_pair_t *pr = qc->data.mapping.pairs.start;
             pr < qc->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(doc, pr->key);
            const char *key = vg_yaml_scalar(k);
            if (!key || (strcmp(key, "hold_timeout_s") && strcmp(key, "max_gap_factor") &&
                         strcmp(key, "sea_level_spread_s") && strcmp(key, "chains") &&
                         strcmp(key, "reference"))) {
                rc = vg_fail(err, VG_ERR_CONFIG,
                             "%s:%d: unknown key 'qc.%s' (hold_timeout_s, max_gap_factor, "
                             "sea_level_spread_s, chains, reference)",
                             cfg->path, vg_yaml_line(k), key ? key : "?");
                goto done;
            }
        }
        if ((rc = plan__number(cfg, qc, "hold_timeout_s", 0, 604800, &plan->hold_timeout_s,
                               err)) != VG_OK ||
            (rc = plan__number(cfg, qc, "max_gap_factor", 1, 1000, &plan->max_gap_factor,
                               err)) != VG_OK ||
            (rc = plan__number(cfg, qc, "sea_level_spread_s", 0, 43200,
                               &plan->sea_level_spread_s, err)) != VG_OK)
            goto done;
        yaml_node_t *chains = vg_yaml_map_get(doc, qc, "chains");
        if (chains && chains->type != YAML_MAPPING_NODE) {
            rc = vg_fail(err, VG_ERR_CONFIG, "%s:%d: qc.chains must map platform kinds to lists",
                         cfg->path, vg_yaml_line(chains));
            goto done;
        }
        for (yaml_node_pair_t *pr = chains ? chains->data.mapping.pairs.start : NULL;
             chains && pr < chains->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(doc, pr->key);
            const char *key = vg_yaml_scalar(k);
            int kind = key ? vg_kind_lookup(key) : -1;
            if (kind < 0) {
                rc = vg_fail(err, VG_ERR_CONFIG,
                             "%s:%d: qc.chains.%s: not a platform kind (tsg, tide_gauge, mooring, ferrybox)",
                             cfg->path, vg_yaml_line(k), key ? key : "?");
                goto done;
            }
            rc = plan__chain(cfg, yaml_document_get_node(doc, pr->value), &plan->chains[kind],
                             plan, err);
            if (rc != VG_OK)
                goto done;
        }
    }
    if ((rc = plan__windows(cfg, plan, err)) != VG_OK)
        goto done;
    rc = plan__references(cfg, qc, plan, err);
done:
    if (rc != VG_OK) {
        vg_qc_plan_free(plan);
        return rc;
    }
    *out = plan;
    return VG_OK;
}
