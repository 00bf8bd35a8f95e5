/* destination.c: compile the `upload:` section (destination.h) from the YAML node that
 * core/config.c keeps: unknown keys, wrong types and values out of bounds are errors that
 * name the file and line. */
#include "export/destination.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vg_err dest__fail(const vg_config *cfg, const yaml_node_t *n, vg_errinfo *err,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static vg_err dest__fail(const vg_config *cfg, const yaml_node_t *n, vg_errinfo *err,
                         const char *fmt, ...)
{
    char text[VG_ERRINFO_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s", cfg->path, n ? vg_yaml_line(n) : 0, text);
}

/* A number within [lo, hi] at key of map (absent: *out unchanged). */
static vg_err dest__number(const vg_config *cfg, yaml_document_t *doc, yaml_node_t *map,
                           const char *key, double lo, double hi, double *out, vg_errinfo *err)
{
    yaml_node_t *n = vg_yaml_map_get(doc, map, key);
    if (!n)
        return VG_OK;
    double v;
    const char *s = vg_yaml_scalar(n);
    if (!s || !vg_parse_double(s, &v) || v < lo || v > hi)
        return dest__fail(cfg, n, err, "upload: %s must be a number in %g..%g", key, lo, hi);
    *out = v;
    return VG_OK;
}

/* Check that every key of map is in allowed (NULL-terminated). */
static vg_err dest__keys(const vg_config *cfg, yaml_document_t *doc, yaml_node_t *map,
                         const char *const *allowed, const char *where, vg_errinfo *err)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        const char *ks = vg_yaml_scalar(k);
        bool ok = false;
        for (size_t i = 0; ks && allowed[i]; i++)
            ok |= strcmp(ks, allowed[i]) == 0;
        if (!ok)
            return dest__fail(cfg, k, err, "unknown key '%s' in %s", ks ? ks : "?", where);
    }
    return VG_OK;
}

static vg_err dest__string(const vg_config *cfg, yaml_document_t *doc, yaml_node_t *map,
                           const char *key, bool required, char **out, vg_errinfo *err)
{
    yaml_node_t *n = vg_yaml_map_get(doc, map, key);
    const char *s = n ? vg_yaml_scalar(n) : NULL;
    if (!n && !required)
        return VG_OK;
    if (!s || !*s)
        return dest__fail(cfg, n ? n : map, err, "upload.destinations[]: %s %s", key,
                          n ? "must be a non-empty string" : "is required");
    if (!(*out = strdup(s)))
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    return VG_OK;
}

static vg_err dest__target(const vg_config *cfg, yaml_document_t *doc, yaml_node_t *m,
                           vg_upload_target *t, vg_errinfo *err)
{
    static const char *const keys[] = {"name", "url", "credentials", "method", "tls", "ca_file",
                                       "connect_timeout_s", "stall_timeout_s", NULL};
    if (m->type != YAML_MAPPING_NODE)
        return dest__fail(cfg, m, err, "upload.destinations[] entries are mappings");
    t->line = vg_yaml_line(m);
    vg_err rc = dest__keys(cfg, doc, m, keys, "upload.destinations[]", err);
    if (!rc)
        rc = dest__string(cfg, doc, m, "name", true, &t->name, err);
    if (!rc)
        rc = dest__string(cfg, doc, m, "url", true, &t->url, err);
    if (!rc)
        rc = dest__string(cfg, doc, m, "credentials", false, &t->credentials, err);
    if (!rc)
        rc = dest__string(cfg, doc, m, "ca_file", false, &t->ca_file, err);
    if (rc)
        return rc;
    if (!vg_outbox_queue_ok(t->name))
        return dest__fail(cfg, vg_yaml_map_get(doc, m, "name"), err,
                          "upload.destinations[]: name '%s' must be 1-31 of a-z 0-9 _ -", t->name);
    static const char *const schemes[] = {"ftp://", "ftps://", "sftp://", "http://", "https://"};
    bool known = false;
    for (size_t i = 0; i < 5; i++)
        known |= strncmp(t->url, schemes[i], strlen(schemes[i])) == 0;
    if (!known)
        return dest__fail(cfg, vg_yaml_map_get(doc, m, "url"), err,
                          "upload.destinations[]: url '%s' must start with ftp://, ftps://, "
                          "sftp://, http:// or https://", t->url);
    t->dest.url = t->url;
    t->dest.credentials = t->credentials;
    t->dest.ca_file = t->ca_file;
    yaml_node_t *tn = vg_yaml_map_get(doc, m, "tls");
    const char *ts = tn ? vg_yaml_scalar(tn) : "false";
    if (!ts || (strcmp(ts, "true") && strcmp(ts, "false")))
        return dest__fail(cfg, tn, err, "upload.destinations[]: tls must be true or false");
    t->dest.tls = strcmp(ts, "true") == 0;
    if (t->dest.tls && strncmp(t->url, "ftp://", 6))
        return dest__fail(cfg, tn, err, "upload.destinations[]: tls applies to ftp:// URLs "
                          "(explicit TLS); ftps://, sftp:// and https:// are encrypted already");
    yaml_node_t *mn = vg_yaml_map_get(doc, m, "method");
    const char *ms = mn ? vg_yaml_scalar(mn) : "put";
    if (!ms || (strcmp(ms, "put") && strcmp(ms, "post")))
        return dest__fail(cfg, mn, err, "upload.destinations[]: method must be put or post");
    t->dest.method = strcmp(ms, "post") == 0 ? VG_UPLOAD_POST : VG_UPLOAD_PUT;
    double ct = 30, st = 60;
    if ((rc = dest__number(cfg, doc, m, "connect_timeout_s", 1, 3600, &ct, err)) ||
        (rc = dest__number(cfg, doc, m, "stall_timeout_s", 1, 3600, &st, err)))
        return rc;
    t->dest.connect_timeout_s = (long)ct;
    t->dest.stall_timeout_s = (long)st;
    return VG_OK;
}

vg_err vg_upload_config_build(const vg_config *cfg, vg_upload_config **out, vg_errinfo *err)
{
    vg_upload_config *u = calloc(1, sizeof *u);
    if (!u)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    u->backoff.base_s = 60;
    u->backoff.cap_s = 6 * 3600;
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    yaml_node_t *root = cfg->upload_node ? yaml_document_get_node(doc, cfg->upload_node) : NULL;
    vg_err rc = VG_OK;
    if (root) {
        static const char *const keys[] = {"retry_base_s", "retry_max_s", "destinations", NULL};
        rc = dest__keys(cfg, doc, root, keys, "upload", err);
        if (!rc)
            rc = dest__number(cfg, doc, root, "retry_base_s", 0.001, 86400, &u->backoff.base_s, err);
        if (!rc)
            rc = dest__number(cfg, doc, root, "retry_max_s", 0.001, 7 * 86400, &u->backoff.cap_s, err);
        if (!rc && u->backoff.cap_s < u->backoff.base_s)
            rc = dest__fail(cfg, vg_yaml_map_get(doc, root, "retry_max_s"), err,
                            "upload: retry_max_s (%g) is less than retry_base_s (%g)",
                            u->backoff.cap_s, u->backoff.base_s);
        yaml_node_t *list = rc ? NULL : vg_yaml_map_get(doc, root, "destinations");
        if (list && list->type != YAML_SEQUENCE_NODE)
            rc = dest__fail(cfg, list, err, "upload.destinations must be a list");
        if (list && !rc) {
            size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
            u->targets = calloc(n ? n : 1, sizeof *u->targets);
            if (!u->targets)
                rc = vg_fail(err, VG_ERR_NOMEM, "out of memory");
            for (size_t i = 0; !rc && i < n; i++) {
                yaml_node_t *m = yaml_document_get_node(doc, list->data.sequence.items.start[i]);
                rc = dest__target(cfg, doc, m, &u->targets[i], err);
                u->n_targets = i + 1;
                for (size_t j = 0; !rc && j < i; j++)
                    if (!strcmp(u->targets[j].name, u->targets[i].name))
                        rc = dest__fail(cfg, m, err, "upload.destinations[]: name '%s' also at line %d",
                                        u->targets[i].name, u->targets[j].line);
            }
        }
    }
    if (rc) {
        vg_upload_config_free(u);
        return rc;
    }
    *out = u;
    return VG_OK;
}

void vg_upload_config_free(vg_upload_config *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->n_targets; i++) {
        free(u->targets[i].name);
        free(u->targets[i].url);
        free(u->targets[i].credentials);
        free(u->targets[i].ca_file);
    }
    free(u->targets);
    free(u);
}

const vg_upload_target *vg_upload_config_find(const vg_upload_config *u, const char *name)
{
    for (size_t i = 0; u && i < u->n_targets; i++)
        if (!strcmp(u->targets[i].name, name))
            return &u->targets[i];
    return NULL;
}
