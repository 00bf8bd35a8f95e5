/* config.c: loading and validation of vigie's YAML configuration (see config.h).
 * The whole file is loaded as a libyaml node tree (kept in cfg->doc for qc/plan.c). Scalar
 * options are described once, in the typed table `options` below, which gives their
 * defaults, bounds, reloadability and documentation; the `ingest:` and `platforms:` lists
 * have their own parsers; `qc:` is only located. Every error reads "FILE:LINE: reason". */
#include "core/config.h"

#include "core/seawater.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the option table ---------------------------------------------------------------- */

typedef enum config__type {
    CONFIG__INT,    /* int, bounds min..max */
    CONFIG__DOUBLE, /* double, finite, bounds min..max */
    CONFIG__BOOL,   /* bool: true/false (yes/no, on/off accepted) */
    CONFIG__STRING, /* char *, owned, non-empty; NULL when absent */
    CONFIG__LEVEL   /* vg_log_level by name */
} config__type;

typedef struct config__option {
    const char *name;  /* dotted "section.key" */
    config__type type;
    size_t offset;     /* of the field in vg_config */
    double min, max;   /* bounds of INT and DOUBLE */
    double def;        /* default of INT, DOUBLE, BOOL (0/1) and LEVEL; strings default NULL */
    bool (*check)(const char *s); /* STRING only: extra validation, or NULL */
    const char *check_what;       /* what `check` accepts, for messages */
    const char *doc;              /* one-line description */
    bool required;                /* STRING only: must be present */
    bool reloadable;              /* a SIGHUP reload may change it */
} config__option;

/* offsetof(vg_config, field), and a compile error (distinct pointer types) when the field
 * is not of type ctype. */
#define CONFIG__FIELD(field, ctype)                                                         \
    (offsetof(vg_config, field) + 0 * sizeof(&((vg_config *)0)->field == (ctype *)0))

static bool config__endpoint_ok(const char *s);
static bool config__email_ok(const char *s);

#define CONFIG__ENDPOINT_WHAT "a ZeroMQ endpoint (tcp://..., ipc://... or inproc://...)"
#define CONFIG__EMAIL_WHAT "an e-mail address (local@domain, no spaces)"

static const config__option options[] = {
    {.name = "daemon.log_level", .type = CONFIG__LEVEL,
     .offset = CONFIG__FIELD(log_level, vg_log_level), .def = VG_LOG_INFO, .reloadable = true,
     .doc = "log messages up to this level: error, warn, notice, info or debug"},
    {.name = "daemon.future_tolerance_s", .type = CONFIG__DOUBLE,
     .offset = CONFIG__FIELD(future_tolerance_s, double), .min = 0, .max = 86400, .def = 300,
     .reloadable = true,
     .doc = "samples time-stamped later than now + this are quarantined"},
    {.name = "daemon.publish", .type = CONFIG__STRING,
     .offset = CONFIG__FIELD(publish_endpoint, char *), .check = config__endpoint_ok,
     .check_what = CONFIG__ENDPOINT_WHAT,
     .doc = "ZeroMQ PUB endpoint on which flagged samples are published (none if absent)"},

    {.name = "storage.path", .type = CONFIG__STRING, .offset = CONFIG__FIELD(storage_path, char *),
     .required = true, .doc = "Berkeley DB environment directory"},
    {.name = "storage.commit_interval_ms", .type = CONFIG__INT,
     .offset = CONFIG__FIELD(commit_interval_ms, int), .min = 1, .max = 60000, .def = 50,
     .doc = "longest wait of a received sample before its transaction commits"},
    {.name = "storage.commit_max_samples", .type = CONFIG__INT,
     .offset = CONFIG__FIELD(commit_max_samples, int), .min = 1, .max = 1000000, .def = 10000,
     .doc = "most samples written by one transaction"},
    {.name = "storage.cache_mb", .type = CONFIG__INT, .offset = CONFIG__FIELD(cache_mb, int),
     .min = 1, .max = 4096, .def = 32, .doc = "Berkeley DB cache size in MiB"},
    {.name = "storage.log_keep_mb", .type = CONFIG__INT,
     .offset = CONFIG__FIELD(log_keep_mb, int), .min = -1, .max = 1048576, .def = -1,
     .doc = "MiB of write-ahead log files no longer needed by recovery that are kept "
            "(-1: keep them all)"},

    {.name = "alerts.enabled", .type = CONFIG__BOOL,
     .offset = CONFIG__FIELD(alerts_enabled, bool), .def = 0, .reloadable = true,
     .doc = "send e-mail alerts to the platforms' PIs"},
    {.name = "alerts.smtp_host", .type = CONFIG__STRING,
     .offset = CONFIG__FIELD(smtp_host, char *), .reloadable = true,
     .doc = "SMTP relay host name"},
    {.name = "alerts.smtp_port", .type = CONFIG__INT, .offset = CONFIG__FIELD(smtp_port, int),
     .min = 1, .max = 65535, .def = 25, .reloadable = true, .doc = "SMTP relay port"},
    {.name = "alerts.from", .type = CONFIG__STRING, .offset = CONFIG__FIELD(mail_from, char *),
     .check = config__email_ok, .check_what = CONFIG__EMAIL_WHAT, .reloadable = true,
     .doc = "sender address of alert e-mails"},

    {.name = "export.dir", .type = CONFIG__STRING, .offset = CONFIG__FIELD(export_dir, char *),
     .reloadable = true, .doc = "directory where export files are written"},
    {.name = "export.harbour_flag_as", .type = CONFIG__INT,
     .offset = CONFIG__FIELD(harbour_flag_as, int), .min = 3, .max = 4, .def = 4,
     .reloadable = true,
     .doc = "flag written in place of 6 (in harbour) in INSTAC/OceanSITES exports"},
    {.name = "export.every_s", .type = CONFIG__INT, .offset = CONFIG__FIELD(export_every_s, int),
     .min = 0, .max = 604800, .def = 0,
     .doc = "the daemon writes each platform's real-time file of the month this often (0: never)"},
    {.name = "export.upload_to", .type = CONFIG__STRING,
     .offset = CONFIG__FIELD(export_upload_to, char *),
     .doc = "the upload destination (upload.destinations[].name) of the scheduled exports"},
};

#define CONFIG__N_OPTIONS (sizeof options / sizeof options[0])

static const vg_param default_fields[] = {VG_P_SSJT, VG_P_CNDC, VG_P_SSPS, VG_P_SVEL};

static const char *const kind_names[VG_KIND__COUNT] = {
    [VG_KIND_TSG] = "tsg",
    [VG_KIND_TIDE_GAUGE] = "tide_gauge",
    [VG_KIND_MOORING] = "mooring",
    [VG_KIND_FERRYBOX] = "ferrybox",
};

const char *vg_kind_name(vg_platform_kind k)
{
    return (unsigned)k < VG_KIND__COUNT ? kind_names[k] : NULL;
}

int vg_kind_lookup(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < VG_KIND__COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0)
            return i;
    return -1;
}

/* ---- public helpers -------------------------------------------------------------------- */

int vg_yaml_line(const yaml_node_t *node)
{
    return node ? (int)node->start_mark.line + 1 : 0;
}

const char *vg_yaml_scalar(const yaml_node_t *node)
{
    if (!node || node->type != YAML_SCALAR_NODE)
        return NULL;
    return (const char *)node->data.scalar.value;
}

yaml_node_t *vg_yaml_map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!doc || !map || !key || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = vg_yaml_scalar(yaml_document_get_node(doc, p->key));
        if (k && strcmp(k, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

/* The key node of `key` in map (for its line), or NULL. */
static yaml_node_t *config__map_key(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        const char *ks = vg_yaml_scalar(k);
        if (ks && strcmp(ks, key) == 0)
            return k;
    }
    return NULL;
}

bool vg_parse_double(const char *s, double *out)
{
    if (!s || !*s || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' ||
        *s == '\v')
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool vg_parse_long(const char *s, long *out)
{
    if (!s || !*s || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' ||
        *s == '\v')
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return false;
    *out = v;
    return true;
}

const vg_platform_cfg *vg_config_platform(const vg_config *cfg, const char *id)
{
    if (!cfg || !id)
        return NULL;
    for (size_t i = 0; i < cfg->n_platforms; i++)
        if (strcmp(cfg->platforms[i].id, id) == 0)
            return &cfg->platforms[i];
    return NULL;
}

/* ---- validators ------------------------------------------------------------------------- */

static bool config__endpoint_ok(const char *s)
{
    static const char *const schemes[] = {"tcp://", "ipc://", "inproc://"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if (strncmp(s, schemes[i], n) == 0 && s[n] != '\0')
            return true;
    }
    return false;
}

static bool config__email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || at[1] == '\0' || strchr(at + 1, '@'))
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f || c == ',' || c == ';' || c == '<' || c == '>')
            return false;
    }
    const char *dom = at + 1;
    size_t n = strlen(dom);
    return dom[0] != '.' && dom[n - 1] != '.' && !strstr(dom, "..");
}

/* ---- loading context and error reporting ------------------------------------------------ */

typedef struct config__ctx {
    const char *file;     /* name used in messages */
    vg_config *cfg;       /* being filled */
    yaml_document_t *doc; /* &cfg->doc */
    vg_errinfo *err;
} config__ctx;

/* Fail with "FILE:LINE: reason" at node (line 1 when node is NULL). */
static vg_err config__fail(config__ctx *c, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static vg_err config__fail(config__ctx *c, const yaml_node_t *node, const char *fmt, ...)
{
    char reason[VG_ERRINFO_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s", c->file, node ? vg_yaml_line(node) : 1,
                   reason);
}

static vg_err config__nomem(config__ctx *c)
{
    return vg_fail(c->err, VG_ERR_NOMEM, "%s: out of memory", c->file);
}

static yaml_node_t *config__node(config__ctx *c, int index)
{
    return yaml_document_get_node(c->doc, index);
}

/* "a mapping", "a list", "a scalar": for type errors. */
static const char *config__what(const yaml_node_t *node)
{
    switch (node ? node->type : YAML_NO_NODE) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_SCALAR_NODE: return "a scalar";
    default: return "nothing";
    }
}

/* An empty value (`key:`), `~` or `null`, unquoted. */
static bool config__is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = (const char *)node->data.scalar.value;
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

static void config__join(char *buf, size_t size, const char *prefix, const char *key)
{
    if (*prefix)
        snprintf(buf, size, "%s.%s", prefix, key);
    else
        snprintf(buf, size, "%s", key);
}

/* Check that every key of map is a scalar and that no key is repeated. prefix ("storage",
 * "platforms[]", "" at the top) names keys in messages. */
static vg_err config__check_keys(config__ctx *c, yaml_node_t *map, const char *prefix)
{
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *key = config__node(c, p->key);
        const char *k = vg_yaml_scalar(key);
        if (!k)
            return config__fail(c, key, "a key of %s is %s, not a name",
                                *prefix ? prefix : "the file", config__what(key));
        for (yaml_node_pair_t *q = start; q < p; q++) {
            yaml_node_t *other = config__node(c, q->key);
            const char *o = vg_yaml_scalar(other);
            if (o && strcmp(o, k) == 0) {
                char name[256];
                config__join(name, sizeof name, prefix, k);
                return config__fail(c, key, "duplicate key '%s' (first at line %d)", name,
                                    vg_yaml_line(other));
            }
        }
    }
    return VG_OK;
}

/* ---- typed scalar readers, shared by the table and the lists ------------------------------ */

/* The text of a scalar value; fails when node is not a scalar, is empty/null (unless
 * allow_empty) or holds a NUL byte. */
static vg_err config__text(config__ctx *c, yaml_node_t *node, const char *name,
                           const char *expected, bool allow_empty, const char **out)
{
    if (node->type != YAML_SCALAR_NODE)
        return config__fail(c, node, "%s must be %s, not %s", name, expected, config__what(node));
    const char *s = (const char *)node->data.scalar.value;
    if (strlen(s) != node->data.scalar.length)
        return config__fail(c, node, "%s contains a NUL character", name);
    if (!allow_empty && (config__is_null(node) || !*s))
        return config__fail(c, node, "%s has no value (expected %s)", name, expected);
    *out = s;
    return VG_OK;
}

static vg_err config__long(config__ctx *c, yaml_node_t *node, const char *name, double min,
                           double max, long *out)
{
    const char *s = NULL;
    vg_err rc = config__text(c, node, name, "an integer", false, &s);
    if (rc)
        return rc;
    long v = 0;
    if (!vg_parse_long(s, &v))
        return config__fail(c, node, "%s = '%s' is not an integer", name, s);
    if ((double)v < min || (double)v > max)
        return config__fail(c, node, "%s = %s is outside %.15g..%.15g", name, s, min, max);
    *out = v;
    return VG_OK;
}

static vg_err config__double(config__ctx *c, yaml_node_t *node, const char *name, double min,
                             double max, double *out)
{
    const char *s = NULL;
    vg_err rc = config__text(c, node, name, "a number", false, &s);
    if (rc)
        return rc;
    double v = 0;
    if (!vg_parse_double(s, &v))
        return config__fail(c, node, "%s = '%s' is not a number", name, s);
    if (v < min || v > max)
        return config__fail(c, node, "%s = %s is outside %.15g..%.15g", name, s, min, max);
    *out = v;
    return VG_OK;
}

static vg_err config__bool(config__ctx *c, yaml_node_t *node, const char *name, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
    const char *s = NULL;
    vg_err rc = config__text(c, node, name, "true or false", false, &s);
    if (rc)
        return rc;
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return VG_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return VG_OK;
        }
    }
    return config__fail(c, node, "%s = '%s' is not true or false", name, s);
}

/* A new copy of a non-empty string value. */
static vg_err config__strdup(config__ctx *c, yaml_node_t *node, const char *name, char **out)
{
    const char *s = NULL;
    vg_err rc = config__text(c, node, name, "a string", false, &s);
    if (rc)
        return rc;
    char *copy = strdup(s);
    if (!copy)
        return config__nomem(c);
    free(*out);
    *out = copy;
    return VG_OK;
}

static vg_err config__platform_id(config__ctx *c, yaml_node_t *node, const char *name,
                                  char out[VG_PLATFORM_MAX])
{
    const char *s = NULL;
    vg_err rc = config__text(c, node, name, "a platform id", false, &s);
    if (rc)
        return rc;
    size_t n = strlen(s);
    if (!vg_platform_id_valid(s, n))
        return config__fail(c, node,
                            "%s = '%s' is not a valid platform id (1-%d characters of "
                            "A-Z a-z 0-9 _ . -)",
                            name, s, VG_PLATFORM_MAX - 1);
    memcpy(out, s, n + 1);
    return VG_OK;
}

/* A non-empty list of distinct parameter codes: into out[] (at most max, when out is not
 * NULL) and as a bit set. */
static vg_err config__params(config__ctx *c, yaml_node_t *node, const char *name, vg_param *out,
                             size_t max, size_t *n_out, uint32_t *bits_out)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return config__fail(c, node, "%s must be a list of parameter codes, not %s", name,
                            config__what(node));
    yaml_node_item_t *start = node->data.sequence.items.start;
    size_t n = (size_t)(node->data.sequence.items.top - start);
    if (n == 0)
        return config__fail(c, node, "%s is an empty list", name);
    if (out && n > max)
        return config__fail(c, node, "%s lists %zu parameters, at most %zu are allowed", name, n,
                            max);
    uint32_t bits = 0;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = config__node(c, start[i]);
        const char *s = NULL;
        vg_err rc = config__text(c, item, name, "a parameter code", false, &s);
        if (rc)
            return rc;
        int p = vg_param_lookup(s, strlen(s));
        if (p < 0)
            return config__fail(c, item, "%s: unknown parameter code '%s'", name, s);
        if (bits & VG_PARAM_BIT(p))
            return config__fail(c, item, "%s: parameter '%s' is listed twice", name, s);
        bits |= VG_PARAM_BIT(p);
        if (out)
            out[i] = (vg_param)p;
    }
    if (n_out)
        *n_out = n;
    if (bits_out)
        *bits_out = bits;
    return VG_OK;
}

/* ---- table-driven sections ------------------------------------------------------------------- */

static const config__option *config__option_find(const char *name)
{
    for (size_t i = 0; i < CONFIG__N_OPTIONS; i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

/* True when some option is named "key.<...>": key is a table section. */
static bool config__is_section(const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < CONFIG__N_OPTIONS; i++)
        if (strncmp(options[i].name, key, n) == 0 && options[i].name[n] == '.')
            return true;
    return false;
}

static void config__set_defaults(vg_config *cfg)
{
    for (size_t i = 0; i < CONFIG__N_OPTIONS; i++) {
        const config__option *o = &options[i];
        void *field = (char *)cfg + o->offset;
        switch (o->type) {
        case CONFIG__INT: *(int *)field = (int)o->def; break;
        case CONFIG__DOUBLE: *(double *)field = o->def; break;
        case CONFIG__BOOL: *(bool *)field = o->def != 0; break;
        case CONFIG__LEVEL: *(vg_log_level *)field = (vg_log_level)o->def; break;
        case CONFIG__STRING: *(char **)field = NULL; break;
        }
    }
}

static vg_err config__set_option(config__ctx *c, const config__option *o, yaml_node_t *node)
{
    void *field = (char *)c->cfg + o->offset;
    vg_err rc = VG_OK;
    switch (o->type) {
    case CONFIG__INT: {
        long v = 0;
        rc = config__long(c, node, o->name, o->min, o->max, &v);
        if (!rc)
            *(int *)field = (int)v;
        break;
    }
    case CONFIG__DOUBLE: rc = config__double(c, node, o->name, o->min, o->max, field); break;
    case CONFIG__BOOL: rc = config__bool(c, node, o->name, field); break;
    case CONFIG__LEVEL: {
        const char *s = NULL;
        rc = config__text(c, node, o->name, "a log level", false, &s);
        if (!rc && vg_log_level_parse(s, field) != 0)
            rc = config__fail(c, node,
                              "%s = '%s' is not one of error, warn, notice, info, debug",
                              o->name, s);
        break;
    }
    case CONFIG__STRING:
        if (config__is_null(node)) /* `key:` with no value: absent */
            break;
        rc = config__strdup(c, node, o->name, field);
        if (!rc && o->check && !o->check(*(char **)field))
            rc = config__fail(c, node, "%s = '%s' is not %s", o->name, *(char **)field,
                              o->check_what);
        break;
    }
    return rc;
}

static vg_err config__section(config__ctx *c, const char *section, yaml_node_t *map)
{
    if (config__is_null(map))
        return VG_OK;
    if (map->type != YAML_MAPPING_NODE)
        return config__fail(c, map, "'%s' must be a mapping of options, not %s", section,
                            config__what(map));
    vg_err rc = config__check_keys(c, map, section);
    if (rc)
        return rc;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *key = config__node(c, p->key);
        char name[256];
        config__join(name, sizeof name, section, vg_yaml_scalar(key));
        const config__option *o = config__option_find(name);
        if (!o && strcmp(section, "alerts") == 0)
            continue; /* rules, smtp, ...: compiled (and checked) by alerts/rules.c */
        if (!o && strcmp(name, "storage.replication") == 0) {
            yaml_node_t *v = config__node(c, p->value);
            if (v->type == YAML_MAPPING_NODE)
                c->cfg->replication_node = p->value; /* storage/repl_config.c compiles it */
            else if (!config__is_null(v))
                return config__fail(c, v, "storage.replication must be a mapping, not %s",
                                    config__what(v));
            continue;
        }
        if (!o)
            return config__fail(c, key, "unknown key '%s'", name);
        rc = config__set_option(c, o, config__node(c, p->value));
        if (rc)
            return rc;
    }
    return VG_OK;
}

/* ---- platforms: ------------------------------------------------------------------------------ */

static vg_err config__platform_pi(config__ctx *c, vg_platform_cfg *pl, yaml_node_t *node)
{
    if (config__is_null(node))
        return VG_OK;
    if (node->type != YAML_SEQUENCE_NODE)
        return config__fail(c, node, "platforms[].pi must be a list of e-mail addresses, not %s",
                            config__what(node));
    yaml_node_item_t *start = node->data.sequence.items.start;
    size_t n = (size_t)(node->data.sequence.items.top - start);
    if (n == 0)
        return VG_OK;
    pl->pi = calloc(n, sizeof *pl->pi);
    if (!pl->pi)
        return config__nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = config__node(c, start[i]);
        vg_err rc = config__strdup(c, item, "platforms[].pi", &pl->pi[i]);
        if (rc)
            return rc;
        pl->n_pi++;
        if (!config__email_ok(pl->pi[i]))
            return config__fail(c, item, "platforms[].pi = '%s' is not %s", pl->pi[i],
                                CONFIG__EMAIL_WHAT);
    }
    return VG_OK;
}

static vg_err config__platform_position(config__ctx *c, vg_platform_cfg *pl, yaml_node_t *node)
{
    if (config__is_null(node))
        return VG_OK;
    if (node->type != YAML_SEQUENCE_NODE ||
        node->data.sequence.items.top - node->data.sequence.items.start != 2)
        return config__fail(c, node, "platforms[].position must be a list [lat, lon] of two "
                                     "numbers in degrees");
    yaml_node_item_t *it = node->data.sequence.items.start;
    vg_err rc = config__double(c, config__node(c, it[0]), "platforms[].position latitude", -90,
                               90, &pl->lat_deg);
    if (!rc)
        rc = config__double(c, config__node(c, it[1]), "platforms[].position longitude", -180,
                            180, &pl->lon_deg);
    return rc;
}

static vg_err config__platform(config__ctx *c, vg_platform_cfg *pl, yaml_node_t *map)
{
    if (map->type != YAML_MAPPING_NODE)
        return config__fail(c, map, "each platforms[] entry must be a mapping (id:, kind:, ...), "
                                    "not %s",
                            config__what(map));
    vg_err rc = config__check_keys(c, map, "platforms[]");
    if (rc)
        return rc;
    bool have_kind = false, have_interval = false, have_params = false, have_gravity = false,
         have_silence = false;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         !rc && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *key = config__node(c, p->key), *val = config__node(c, p->value);
        const char *k = vg_yaml_scalar(key);
        if (strcmp(k, "id") == 0) {
            rc = config__platform_id(c, val, "platforms[].id", pl->id);
        } else if (strcmp(k, "kind") == 0) {
            const char *s = NULL;
            rc = config__text(c, val, "platforms[].kind", "a platform kind", false, &s);
            int kind = rc ? -1 : vg_kind_lookup(s);
            if (!rc && kind < 0)
                rc = config__fail(c, val, "platforms[].kind = '%s' is not one of tsg, "
                                          "tide_gauge, mooring, ferrybox",
                                  s);
            if (kind >= 0)
                pl->kind = (vg_platform_kind)kind;
            have_kind = true;
        } else if (strcmp(k, "name") == 0) {
            const char *s = NULL;
            rc = config__text(c, val, "platforms[].name", "a string", true, &s);
            if (!rc && !config__is_null(val) && !(pl->name = strdup(s)))
                rc = config__nomem(c);
        } else if (strcmp(k, "pi") == 0) {
            rc = config__platform_pi(c, pl, val);
        } else if (strcmp(k, "interval_s") == 0) {
            rc = config__double(c, val, "platforms[].interval_s", 0.01, 86400, &pl->interval_s);
            have_interval = true;
        } else if (strcmp(k, "parameters") == 0) {
            rc = config__params(c, val, "platforms[].parameters", NULL, 0, NULL, &pl->params);
            have_params = true;
        } else if (strcmp(k, "position") == 0) {
            rc = config__platform_position(c, pl, val);
        } else if (strcmp(k, "constituents") == 0) {
            rc = config__strdup(c, val, "platforms[].constituents", &pl->constituents);
            pl->constituents_line = vg_yaml_line(val);
        } else if (strcmp(k, "water_density_kg_m3") == 0) {
            rc = config__double(c, val, "platforms[].water_density_kg_m3", 900, 1100,
                                &pl->water_density_kg_m3);
        } else if (strcmp(k, "gravity_m_s2") == 0) {
            rc = config__double(c, val, "platforms[].gravity_m_s2", 9.7, 9.9, &pl->gravity_m_s2);
            have_gravity = true;
        } else if (strcmp(k, "neighbour") == 0) {
            rc = config__platform_id(c, val, "platforms[].neighbour", pl->neighbour);
        } else if (strcmp(k, "silence_after_s") == 0) {
            rc = config__double(c, val, "platforms[].silence_after_s", 0, 2592000,
                                &pl->silence_after_s);
            have_silence = true;
        } else if (strcmp(k, "sensor_level_m") == 0) {
            rc = config__double(c, val, "platforms[].sensor_level_m", -12000, 12000,
                                &pl->sensor_level_m);
        } else {
            rc = config__fail(c, key, "unknown key 'platforms[].%s'", k);
        }
    }
    if (rc)
        return rc;
    if (!pl->id[0])
        return config__fail(c, map, "platforms[].id is required");
    if (!have_kind)
        return config__fail(c, map, "platforms[].kind is required (platform '%s')", pl->id);
    if (!have_interval)
        return config__fail(c, map, "platforms[].interval_s is required (platform '%s')", pl->id);
    if (!have_params)
        return config__fail(c, map, "platforms[].parameters is required (platform '%s')", pl->id);
    if (!have_gravity)
        pl->gravity_m_s2 = vg_sw_gravity_wgs84(pl->lat_deg); /* NaN without a position */
    if (!have_silence) /* 3 missed samples, at least a minute (transmission jitter) */
        pl->silence_after_s = 3 * pl->interval_s < 60 ? 60 : 3 * pl->interval_s;
    const uint32_t pgauge =
        VG_PARAM_BIT(VG_P_SLEV) | VG_PARAM_BIT(VG_P_BPRS) | VG_PARAM_BIT(VG_P_ATMS);
    if ((pl->params & pgauge) == pgauge && isnan(pl->gravity_m_s2))
        return config__fail(c, map, "platform '%s' computes SLEV from BPRS and ATMS: it needs "
                                    "platforms[].position (gravity from the latitude) or "
                                    "platforms[].gravity_m_s2",
                            pl->id);
    if (!pl->name && !(pl->name = strdup("")))
        return config__nomem(c);
    return VG_OK;
}

static vg_err config__platforms(config__ctx *c, yaml_node_t *seq)
{
    if (!seq || config__is_null(seq))
        return VG_OK;
    if (seq->type != YAML_SEQUENCE_NODE)
        return config__fail(c, seq, "'platforms' must be a list, not %s", config__what(seq));
    yaml_node_item_t *start = seq->data.sequence.items.start;
    size_t n = (size_t)(seq->data.sequence.items.top - start);
    if (n == 0)
        return VG_OK;
    vg_config *cfg = c->cfg;
    if (!(cfg->platforms = calloc(n, sizeof *cfg->platforms)))
        return config__nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = config__node(c, start[i]);
        vg_platform_cfg *pl = &cfg->platforms[i];
        pl->lat_deg = pl->lon_deg = NAN;
        pl->water_density_kg_m3 = 1025.0;
        pl->line = vg_yaml_line(item);
        cfg->n_platforms = i + 1; /* so that vg_config_free frees a partial entry */
        vg_err rc = config__platform(c, pl, item);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->platforms[j].id, pl->id) == 0)
                return config__fail(c, item, "duplicate platform id '%s' (lines %d and %d)",
                                    pl->id, cfg->platforms[j].line, pl->line);
    }
    /* A nearby gauge (the wl_neighbour test): another configured platform, both with SLEV. */
    for (size_t i = 0; i < n; i++) {
        vg_platform_cfg *pl = &cfg->platforms[i];
        pl->neighbour_index = -1;
        if (!pl->neighbour[0])
            continue;
        yaml_node_t *at = vg_yaml_map_get(c->doc, config__node(c, start[i]), "neighbour");
        const vg_platform_cfg *nb = vg_config_platform(cfg, pl->neighbour);
        if (!nb)
            return config__fail(c, at, "platforms[].neighbour '%s' of '%s' is not a configured "
                                       "platform", pl->neighbour, pl->id);
        if (nb == pl)
            return config__fail(c, at, "platforms[].neighbour of '%s' is itself", pl->id);
        const uint32_t slev = VG_PARAM_BIT(VG_P_SLEV);
        if (!(pl->params & slev) || !(nb->params & slev))
            return config__fail(c, at, "platforms[].neighbour: '%s' and '%s' must both have "
                                       "SLEV in their parameters", pl->id, nb->id);
        pl->neighbour_index = (int)(nb - cfg->platforms);
    }
    return VG_OK;
}

/* ---- ingest: --------------------------------------------------------------------------------- */

/* ingest[].clients: one path or a list of paths (public key files, or directories of
 * *.pub files; daemon/ingest_auth.c reads them). */
static vg_err config__ingest_clients(config__ctx *c, vg_ingest_cfg *in, yaml_node_t *val)
{
    in->clients_line = vg_yaml_line(val);
    yaml_node_item_t *start = NULL;
    size_t n = 1;
    if (val->type == YAML_SEQUENCE_NODE) {
        start = val->data.sequence.items.start;
        n = (size_t)(val->data.sequence.items.top - start);
        if (n == 0)
            return config__fail(c, val, "ingest[].clients is an empty list");
    }
    if (in->clients)
        return config__fail(c, val, "ingest[].clients given twice");
    if (!(in->clients = calloc(n, sizeof *in->clients)))
        return config__nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = start ? config__node(c, start[i]) : val;
        vg_err rc = config__strdup(c, item, "ingest[].clients", &in->clients[i]);
        if (rc)
            return rc;
        in->n_clients = i + 1;
    }
    return VG_OK;
}

/* The security of an ingest entry once all its keys are read: curve unless the file says
 * none, or it is a pull endpoint without keys; curve needs both key settings. security: the
 * `security:` value node, NULL if absent. */
static vg_err config__ingest_security(config__ctx *c, vg_ingest_cfg *in, yaml_node_t *map,
                                      yaml_node_t *security)
{
    bool keys = in->secret_key || in->n_clients;
    if (!security)
        in->security = in->kind == VG_INGEST_FEED || keys ? VG_SECURITY_CURVE : VG_SECURITY_NONE;
    if (in->security == VG_SECURITY_NONE) {
        if (keys)
            return config__fail(c, security, "ingest[] '%s': security is none but secret_key or "
                                "clients is given: remove them, or say security: curve",
                                in->endpoint);
        return VG_OK;
    }
    if (strncmp(in->endpoint, "inproc://", 9) == 0)
        return config__fail(c, security ? security : map, "ingest[] '%s': CurveZMQ does not "
                            "apply in-process (inproc:// has no handshake): say security: none",
                            in->endpoint);
    if (!in->secret_key || !in->n_clients)
        return config__fail(c, security ? security : map,
                            "ingest[] '%s'%s needs secret_key (the engine's secret key file, "
                            "vigie keygen) and clients (the accepted public keys) for CurveZMQ, "
                            "or 'security: none' to accept plain, unauthenticated connections",
                            in->endpoint, in->kind == VG_INGEST_FEED ? " (kind feed)" : "");
    return VG_OK;
}

static vg_err config__ingest_entry(config__ctx *c, vg_ingest_cfg *in, yaml_node_t *map)
{
    yaml_node_t *security = NULL;
    if (map->type != YAML_MAPPING_NODE)
        return config__fail(c, map, "each ingest[] entry must be a mapping (bind:, format:, ...), "
                                    "not %s",
                            config__what(map));
    vg_err rc = config__check_keys(c, map, "ingest[]");
    if (rc)
        return rc;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         !rc && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *key = config__node(c, p->key), *val = config__node(c, p->value);
        const char *k = vg_yaml_scalar(key);
        if (strcmp(k, "bind") == 0) {
            rc = config__strdup(c, val, "ingest[].bind", &in->endpoint);
            if (!rc && !config__endpoint_ok(in->endpoint))
                rc = config__fail(c, val, "ingest[].bind = '%s' is not %s", in->endpoint,
                                  CONFIG__ENDPOINT_WHAT);
        } else if (strcmp(k, "kind") == 0) {
            const char *v = vg_yaml_scalar(val);
            if (v && strcmp(v, "pull") == 0)
                in->kind = VG_INGEST_PULL;
            else if (v && strcmp(v, "feed") == 0)
                in->kind = VG_INGEST_FEED;
            else
                rc = config__fail(c, val, "ingest[].kind must be 'pull' or 'feed', not '%s'",
                                  v ? v : config__what(val));
        } else if (strcmp(k, "format") == 0) {
            rc = config__strdup(c, val, "ingest[].format", &in->format);
        } else if (strcmp(k, "platform") == 0) {
            if (config__is_null(val))
                continue;
            rc = config__platform_id(c, val, "ingest[].platform", in->platform);
            if (!rc && !vg_config_platform(c->cfg, in->platform))
                rc = config__fail(c, val, "ingest[].platform '%s' is not a configured platform "
                                          "(see platforms:)",
                                  in->platform);
        } else if (strcmp(k, "fields") == 0) {
            size_t max = sizeof in->fields / sizeof in->fields[0];
            rc = config__params(c, val, "ingest[].fields", in->fields, max, &in->n_fields, NULL);
        } else if (strcmp(k, "fix_max_age_s") == 0) {
            rc = config__double(c, val, "ingest[].fix_max_age_s", 0.1, 3600, &in->fix_max_age_s);
        } else if (strcmp(k, "security") == 0) {
            const char *v = vg_yaml_scalar(val);
            security = val;
            if (v && strcmp(v, "curve") == 0)
                in->security = VG_SECURITY_CURVE;
            else if (v && strcmp(v, "none") == 0)
                in->security = VG_SECURITY_NONE;
            else
                rc = config__fail(c, val, "ingest[].security must be 'curve' or 'none', not '%s'",
                                  v ? v : config__what(val));
        } else if (strcmp(k, "secret_key") == 0) {
            rc = config__strdup(c, val, "ingest[].secret_key", &in->secret_key);
            in->secret_key_line = vg_yaml_line(val);
        } else if (strcmp(k, "clients") == 0) {
            rc = config__ingest_clients(c, in, val);
        } else {
            rc = config__fail(c, key, "unknown key 'ingest[].%s'", k);
        }
    }
    if (rc)
        return rc;
    if (!in->endpoint)
        return config__fail(c, map, "ingest[].bind is required");
    if (!in->format)
        return config__fail(c, map, "ingest[].format is required (endpoint '%s')", in->endpoint);
    return config__ingest_security(c, in, map, security);
}

static vg_err config__ingest(config__ctx *c, yaml_node_t *seq)
{
    if (!seq || config__is_null(seq))
        return VG_OK;
    if (seq->type != YAML_SEQUENCE_NODE)
        return config__fail(c, seq, "'ingest' must be a list, not %s", config__what(seq));
    yaml_node_item_t *start = seq->data.sequence.items.start;
    size_t n = (size_t)(seq->data.sequence.items.top - start);
    if (n == 0)
        return VG_OK;
    vg_config *cfg = c->cfg;
    if (!(cfg->ingest = calloc(n, sizeof *cfg->ingest)))
        return config__nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = config__node(c, start[i]);
        vg_ingest_cfg *in = &cfg->ingest[i];
        memcpy(in->fields, default_fields, sizeof default_fields);
        in->n_fields = sizeof default_fields / sizeof default_fields[0];
        in->fix_max_age_s = 10;
        in->line = vg_yaml_line(item);
        cfg->n_ingest = i + 1;
        vg_err rc = config__ingest_entry(c, in, item);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->ingest[j].endpoint, in->endpoint) == 0)
                return config__fail(c, item, "endpoint '%s' is bound twice (lines %d and %d)",
                                    in->endpoint, cfg->ingest[j].line, in->line);
    }
    return VG_OK;
}

/* ---- the whole document -------------------------------------------------------------------- */

static vg_err config__build(config__ctx *c)
{
    vg_config *cfg = c->cfg;
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (root && config__is_null(root))
        root = NULL; /* an empty file */
    if (root && root->type != YAML_MAPPING_NODE)
        return config__fail(c, root, "the configuration must be a mapping of sections "
                                     "(storage:, daemon:, ...), not %s",
                            config__what(root));
    yaml_node_t *platforms = NULL, *ingest = NULL;
    if (root) {
        vg_err rc = config__check_keys(c, root, "");
        if (rc)
            return rc;
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *key = config__node(c, p->key), *val = config__node(c, p->value);
            const char *k = vg_yaml_scalar(key);
            if (config__is_section(k)) {
                rc = config__section(c, k, val);
                if (!rc && strcmp(k, "alerts") == 0 && val->type == YAML_MAPPING_NODE)
                    cfg->alerts_node = p->value;
            } else if (strcmp(k, "platforms") == 0) {
                platforms = val;
            } else if (strcmp(k, "ingest") == 0) {
                ingest = val;
            } else if (strcmp(k, "qc") == 0 || strcmp(k, "upload") == 0) {
                if (val->type == YAML_MAPPING_NODE)
                    *(k[0] == 'q' ? &cfg->qc_node : &cfg->upload_node) = p->value;
                else if (!config__is_null(val))
                    rc = config__fail(c, val, "'%s' must be a mapping, not %s", k, config__what(val));
            } else {
                rc = config__fail(c, key, "unknown key '%s'", k);
            }
            if (rc)
                return rc;
        }
    }

    for (size_t i = 0; i < CONFIG__N_OPTIONS; i++) {
        const config__option *o = &options[i];
        if (o->required && !*(char **)((char *)cfg + o->offset)) {
            char section[64];
            snprintf(section, sizeof section, "%.*s", (int)strcspn(o->name, "."), o->name);
            yaml_node_t *where = config__map_key(c->doc, root, section);
            return config__fail(c, where ? where : root, "%s is required", o->name);
        }
    }

    /* platforms first: ingest entries refer to them */
    vg_err rc = config__platforms(c, platforms);
    if (!rc)
        rc = config__ingest(c, ingest);
    if (rc)
        return rc;

    if (cfg->publish_endpoint)
        for (size_t i = 0; i < cfg->n_ingest; i++)
            if (strcmp(cfg->ingest[i].endpoint, cfg->publish_endpoint) == 0) {
                yaml_node_t *d = vg_yaml_map_get(c->doc, root, "daemon");
                return config__fail(c, config__map_key(c->doc, d, "publish"),
                                    "daemon.publish '%s' is also bound by ingest[] at line %d",
                                    cfg->publish_endpoint, cfg->ingest[i].line);
            }
    return VG_OK;
}

/* 1-based line of byte offset `off` of text. */
static int config__offset_line(const char *text, size_t len, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && i < len; i++)
        line += text[i] == '\n';
    return line;
}

static vg_err config__yaml_error(const yaml_parser_t *parser, const char *name, const char *text,
                                 size_t len, vg_errinfo *err)
{
    if (parser->error == YAML_MEMORY_ERROR)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", name);
    const char *problem = parser->problem ? parser->problem : "invalid YAML";
    if (parser->error == YAML_READER_ERROR)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: YAML error: %s", name,
                       config__offset_line(text, len, parser->problem_offset), problem);
    int line = (int)parser->problem_mark.line + 1;
    if (parser->context)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: YAML error: %s (%s at line %d)", name, line,
                       problem, parser->context, (int)parser->context_mark.line + 1);
    return vg_fail(err, VG_ERR_CONFIG, "%s:%d: YAML error: %s", name, line, problem);
}

/* Parse text into cfg->doc; a second document in the stream is an error. */
static vg_err config__parse(vg_config *cfg, const char *text, size_t len, const char *name,
                            vg_errinfo *err)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    vg_err rc = VG_OK;
    if (!yaml_parser_load(&parser, &cfg->doc)) {
        memset(&cfg->doc, 0, sizeof cfg->doc);
        rc = config__yaml_error(&parser, name, text, len, err);
    } else {
        yaml_document_t next;
        if (!yaml_parser_load(&parser, &next)) {
            rc = config__yaml_error(&parser, name, text, len, err);
        } else {
            yaml_node_t *extra = yaml_document_get_root_node(&next);
            if (extra)
                rc = vg_fail(err, VG_ERR_CONFIG,
                             "%s:%d: a second YAML document ('---') is not allowed", name,
                             (int)next.start_mark.line + 1);
            yaml_document_delete(&next);
        }
    }
    yaml_parser_delete(&parser);
    return rc;
}

vg_err vg_config_load_string(const char *text, size_t len, const char *name, vg_config **out,
                             vg_errinfo *err)
{
    if (!out)
        return vg_fail(err, VG_ERR_INVAL, "vg_config_load_string: out is NULL");
    *out = NULL;
    if (!text && len)
        return vg_fail(err, VG_ERR_INVAL, "vg_config_load_string: text is NULL");
    if (!text)
        text = "";
    if (!name)
        name = "<string>";
    vg_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg || !(cfg->path = strdup(name))) {
        free(cfg);
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", name);
    }
    config__set_defaults(cfg);
    vg_err rc = config__parse(cfg, text, len, name, err);
    if (!rc) {
        config__ctx c = {.file = name, .cfg = cfg, .doc = &cfg->doc, .err = err};
        rc = config__build(&c);
    }
    if (rc) {
        vg_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return VG_OK;
}

vg_err vg_config_load_file(const char *path, vg_config **out, vg_errinfo *err)
{
    if (!out || !path)
        return vg_fail(err, VG_ERR_INVAL, "vg_config_load_file: NULL argument");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_fail(err, VG_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                free(buf);
                fclose(f);
                return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
            }
            buf = nbuf;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        int e = errno;
        free(buf);
        fclose(f);
        return vg_fail(err, VG_ERR_IO, "%s: cannot read: %s", path, strerror(e));
    }
    fclose(f);
    vg_err rc = vg_config_load_string(buf, len, path, out, err);
    free(buf);
    return rc;
}

void vg_config_free(vg_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < CONFIG__N_OPTIONS; i++)
        if (options[i].type == CONFIG__STRING)
            free(*(char **)((char *)cfg + options[i].offset));
    for (size_t i = 0; i < cfg->n_ingest; i++) {
        free(cfg->ingest[i].endpoint);
        free(cfg->ingest[i].format);
        free(cfg->ingest[i].secret_key);
        for (size_t j = 0; j < cfg->ingest[i].n_clients; j++)
            free(cfg->ingest[i].clients[j]);
        free(cfg->ingest[i].clients);
    }
    free(cfg->ingest);
    for (size_t i = 0; i < cfg->n_platforms; i++) {
        vg_platform_cfg *pl = &cfg->platforms[i];
        free(pl->name);
        free(pl->constituents);
        for (size_t j = 0; j < pl->n_pi; j++)
            free(pl->pi[j]);
        free(pl->pi);
    }
    free(cfg->platforms);
    yaml_document_delete(&cfg->doc);
    free(cfg->path);
    free(cfg);
}

/* ---- reload -------------------------------------------------------------------------------- */

static bool config__same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Line of option o in cfg's file: its key, else its section, else 1. */
static int config__option_line(const vg_config *cfg, const config__option *o)
{
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    char section[64];
    size_t n = strcspn(o->name, ".");
    snprintf(section, sizeof section, "%.*s", (int)n, o->name);
    yaml_node_t *key = config__map_key(doc, vg_yaml_map_get(doc, root, section), o->name + n + 1);
    if (!key)
        key = config__map_key(doc, root, section);
    return key ? vg_yaml_line(key) : 1;
}

/* The value of o in cfg as text, for messages. */
static const char *config__option_text(const vg_config *cfg, const config__option *o, char *buf,
                                       size_t size)
{
    const void *field = (const char *)cfg + o->offset;
    switch (o->type) {
    case CONFIG__INT: snprintf(buf, size, "%d", *(const int *)field); break;
    case CONFIG__DOUBLE: snprintf(buf, size, "%.15g", *(const double *)field); break;
    case CONFIG__BOOL: snprintf(buf, size, "%s", *(const bool *)field ? "true" : "false"); break;
    case CONFIG__LEVEL: snprintf(buf, size, "%d", (int)*(const vg_log_level *)field); break;
    case CONFIG__STRING: {
        const char *s = *(char *const *)field;
        snprintf(buf, size, "%s%s%s", s ? "'" : "", s ? s : "(none)", s ? "'" : "");
        break;
    }
    }
    return buf;
}

static bool config__option_equal(const vg_config *a, const vg_config *b, const config__option *o)
{
    const void *fa = (const char *)a + o->offset, *fb = (const char *)b + o->offset;
    switch (o->type) {
    case CONFIG__INT: return *(const int *)fa == *(const int *)fb;
    case CONFIG__DOUBLE: return *(const double *)fa == *(const double *)fb;
    case CONFIG__BOOL: return *(const bool *)fa == *(const bool *)fb;
    case CONFIG__LEVEL: return *(const vg_log_level *)fa == *(const vg_log_level *)fb;
    case CONFIG__STRING: return config__same_str(*(char *const *)fa, *(char *const *)fb);
    }
    return false;
}

bool vg_config_reloadable(const vg_config *cur, const vg_config *next, vg_errinfo *err)
{
    if (!cur || !next) {
        vg_fail(err, VG_ERR_INVAL, "vg_config_reloadable: NULL configuration");
        return false;
    }
    for (size_t i = 0; i < CONFIG__N_OPTIONS; i++) {
        const config__option *o = &options[i];
        if (o->reloadable || config__option_equal(cur, next, o))
            continue;
        char was[128], now[128];
        vg_fail(err, VG_ERR_CONFIG,
                "%s:%d: %s cannot change on reload (restart vigie): was %s, now %s", next->path,
                config__option_line(next, o), o->name, config__option_text(cur, o, was, sizeof was),
                config__option_text(next, o, now, sizeof now));
        return false;
    }
    if (cur->n_ingest != next->n_ingest) {
        yaml_document_t *doc = (yaml_document_t *)&next->doc;
        int line = vg_yaml_line(config__map_key(doc, yaml_document_get_root_node(doc), "ingest"));
        vg_fail(err, VG_ERR_CONFIG,
                "%s:%d: the ingest list cannot change on reload (restart vigie): was %zu "
                "endpoints, now %zu",
                next->path, line ? line : 1, cur->n_ingest, next->n_ingest);
        return false;
    }
    for (size_t i = 0; i < cur->n_ingest; i++) {
        const vg_ingest_cfg *a = &cur->ingest[i], *b = &next->ingest[i];
        const char *what = NULL, *va = NULL, *vb = NULL;
        if (strcmp(a->endpoint, b->endpoint) != 0)
            what = "bind", va = a->endpoint, vb = b->endpoint;
        else if (strcmp(a->format, b->format) != 0)
            what = "format", va = a->format, vb = b->format;
        else if (strcmp(a->platform, b->platform) != 0)
            what = "platform", va = a->platform, vb = b->platform;
        else if (a->kind != b->kind)
            what = "kind", va = a->kind == VG_INGEST_FEED ? "feed" : "pull",
            vb = b->kind == VG_INGEST_FEED ? "feed" : "pull";
        else if (a->security != b->security)
            what = "security", va = a->security == VG_SECURITY_CURVE ? "curve" : "none",
            vb = b->security == VG_SECURITY_CURVE ? "curve" : "none";
        else if ((a->secret_key || b->secret_key) &&
                 (!a->secret_key || !b->secret_key || strcmp(a->secret_key, b->secret_key) != 0))
            what = "secret_key", va = a->secret_key ? a->secret_key : "",
            vb = b->secret_key ? b->secret_key : "";
        if (what) {
            vg_fail(err, VG_ERR_CONFIG,
                    "%s:%d: ingest[].%s cannot change on reload (restart vigie): was '%s', now "
                    "'%s'",
                    next->path, b->line, what, va, vb);
            return false;
        }
    }
    return true;
}
