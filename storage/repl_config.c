/* repl_config.c: compile the `storage.replication:` section (repl_config.h) from the YAML
 * node core/config.c keeps; every error names the file and the line. */
#include "storage/repl_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vg_err repl__fail(const vg_config *cfg, const yaml_node_t *n, vg_errinfo *err,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static vg_err repl__fail(const vg_config *cfg, const yaml_node_t *n, vg_errinfo *err,
                         const char *fmt, ...)
{
    char text[VG_ERRINFO_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return vg_fail(err, VG_ERR_CONFIG, "%s:%d: storage.replication: %s", cfg->path,
                   n ? vg_yaml_line(n) : 0, text);
}

static const char *const role_names[] = {[VG_REPL_MASTER] = "master",
                                         [VG_REPL_REPLICA] = "replica"};
static const char *const acks_names[] = {[VG_REPL_ACKS_ALL] = "all", [VG_REPL_ACKS_ONE] = "one",
                                         [VG_REPL_ACKS_QUORUM] = "quorum",
                                         [VG_REPL_ACKS_NONE] = "none"};

const char *vg_repl_role_name(vg_repl_role r)
{
    return (unsigned)r < 2 ? role_names[r] : "?";
}

const char *vg_repl_acks_name(vg_repl_acks a)
{
    return (unsigned)a < 4 ? acks_names[a] : "?";
}

/* "HOST:PORT" (the last ':' separates: no IPv6 literal). */
static vg_err repl__site(const vg_config *cfg, const yaml_node_t *n, const char *what,
                         vg_repl_site *out, vg_errinfo *err)
{
    const char *s = n->type == YAML_SCALAR_NODE ? vg_yaml_scalar(n) : NULL;
    const char *colon = s ? strrchr(s, ':') : NULL;
    long port = 0;
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    if (!colon || hlen == 0 || hlen >= VG_REPL_HOST_MAX || strpbrk(s, " \t/[]") ||
        memchr(s, ':', hlen) || !vg_parse_long(colon + 1, &port) || port < 1 || port > 65535)
        return repl__fail(cfg, n, err, "%s must be HOST:PORT (a host name or IPv4 address, "
                          "a port in 1..65535), not '%s'", what, s ? s : "a list or mapping");
    memcpy(out->host, s, hlen);
    out->host[hlen] = 0;
    out->port = (unsigned)port;
    out->line = vg_yaml_line(n);
    return VG_OK;
}

/* An integer in lo..hi at key of map; absent: *out unchanged. */
static vg_err repl__int(const vg_config *cfg, yaml_document_t *doc, yaml_node_t *map,
                        const char *key, long lo, long hi, int *out, vg_errinfo *err)
{
    yaml_node_t *n = vg_yaml_map_get(doc, map, key);
    if (!n)
        return VG_OK;
    const char *s = n->type == YAML_SCALAR_NODE ? vg_yaml_scalar(n) : NULL;
    long v;
    if (!s || !vg_parse_long(s, &v) || v < lo || v > hi)
        return repl__fail(cfg, n, err, "%s must be an integer in %ld..%ld, not '%s'", key, lo,
                          hi, s ? s : "a list or mapping");
    *out = (int)v;
    return VG_OK;
}

/* The scalar at key, which must be one of names[0..n); absent: *out unchanged. */
static vg_err repl__enum(const vg_config *cfg, yaml_document_t *doc, yaml_node_t *map,
                         const char *key, const char *const *names, int n, const char *expected,
                         int *out, vg_errinfo *err)
{
    yaml_node_t *node = vg_yaml_map_get(doc, map, key);
    if (!node)
        return VG_OK;
    const char *s = node->type == YAML_SCALAR_NODE ? vg_yaml_scalar(node) : NULL;
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return VG_OK;
        }
    if (s && strcmp(key, "role") == 0 && strcmp(s, "election") == 0)
        return repl__fail(cfg, node, err, "role 'election' is not supported: vigie has one "
                          "writer, chosen by the operator (master or replica; failover: "
                          "docs/storage.md, \"Replication\")");
    return repl__fail(cfg, node, err, "%s must be %s, not '%s'", key, expected,
                      s ? s : "a list or mapping");
}

static bool repl__same(const vg_repl_site *a, const vg_repl_site *b)
{
    return a->port == b->port && strcmp(a->host, b->host) == 0;
}

static vg_err repl__build(const vg_config *cfg, yaml_document_t *doc, yaml_node_t *map,
                          vg_repl_config *r, vg_errinfo *err)
{
    static const char *const keys[] = {"role", "local", "remote", "ack_policy",
                                       "ack_timeout_ms", "ack_required", "priority", NULL};
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        const char *ks = vg_yaml_scalar(k);
        bool ok = false;
        for (size_t i = 0; ks && keys[i]; i++)
            ok |= strcmp(ks, keys[i]) == 0;
        if (!ok)
            return repl__fail(cfg, k, err, "unknown key '%s' (known: role, local, remote, "
                              "ack_policy, ack_timeout_ms, ack_required, priority)",
                              ks ? ks : "?");
    }
    yaml_node_t *role = vg_yaml_map_get(doc, map, "role");
    if (!role)
        return repl__fail(cfg, map, err, "role is required (master or replica)");
    int v = 0;
    vg_err rc = repl__enum(cfg, doc, map, "role", role_names, 2, "master or replica", &v, err);
    if (rc)
        return rc;
    r->role = (vg_repl_role)v;
    r->priority = r->role == VG_REPL_MASTER ? 100 : 0;
    r->ack_timeout_ms = 2000;
    r->acks = VG_REPL_ACKS_ALL;
    v = (int)r->acks;
    if ((rc = repl__enum(cfg, doc, map, "ack_policy", acks_names, 4, "all, one or none",
                         &v, err)))
        return rc;
    r->acks = (vg_repl_acks)v;
    if ((rc = repl__int(cfg, doc, map, "ack_timeout_ms", 1, 600000, &r->ack_timeout_ms, err)) ||
        (rc = repl__int(cfg, doc, map, "priority", 0, 1000, &r->priority, err)))
        return rc;
    static const char *const bool_names[] = {"false", "true"};
    v = 0;
    if ((rc = repl__enum(cfg, doc, map, "ack_required", bool_names, 2, "true or false", &v, err)))
        return rc;
    r->ack_required = v == 1;
    /* Only `one` always waits for a replica: `all` asks for the acknowledgements of the
     * group's members, none while the master is alone in it (before a replica ever joined);
     * `quorum` is refused below. */
    if (r->ack_required && r->acks != VG_REPL_ACKS_ONE)
        return repl__fail(cfg, vg_yaml_map_get(doc, map, "ack_required"), err,
                          "ack_required: true needs ack_policy: one (a commit is acknowledged "
                          "when a replica has it), not %s", acks_names[r->acks]);
    if (r->ack_required && r->role == VG_REPL_MASTER && !vg_yaml_map_get(doc, map, "remote"))
        return repl__fail(cfg, vg_yaml_map_get(doc, map, "ack_required"), err,
                          "ack_required: true needs a remote site (a replica)");
    yaml_node_t *local = vg_yaml_map_get(doc, map, "local");
    if (!local)
        return repl__fail(cfg, map, err, "local is required (this site's HOST:PORT)");
    if ((rc = repl__site(cfg, local, "local", &r->local, err)))
        return rc;
    yaml_node_t *remote = vg_yaml_map_get(doc, map, "remote");
    if (remote && remote->type == YAML_SCALAR_NODE && !vg_yaml_scalar(remote)[0])
        remote = NULL;
    if (remote && remote->type != YAML_SEQUENCE_NODE)
        return repl__fail(cfg, remote, err, "remote must be a list of HOST:PORT");
    size_t n = remote ? (size_t)(remote->data.sequence.items.top -
                                 remote->data.sequence.items.start)
                      : 0;
    if (n == 0 && r->role == VG_REPL_REPLICA)
        return repl__fail(cfg, remote ? remote : map, err, "a replica needs at least one "
                          "remote site (the master's HOST:PORT) to join the group");
    if (n && !(r->remote = calloc(n, sizeof *r->remote)))
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = yaml_document_get_node(doc, remote->data.sequence.items.start[i]);
        if ((rc = repl__site(cfg, item, "remote[]", &r->remote[i], err)))
            return rc;
        r->n_remote = i + 1;
        if (repl__same(&r->remote[i], &r->local))
            return repl__fail(cfg, item, err, "remote %s:%u is this site's local address",
                              r->local.host, r->local.port);
        for (size_t j = 0; j < i; j++)
            if (repl__same(&r->remote[i], &r->remote[j]))
                return repl__fail(cfg, item, err, "remote %s:%u is listed twice (line %d)",
                                  r->remote[j].host, r->remote[j].port, r->remote[j].line);
    }
    /* Berkeley DB 5.3's quorum (__repmgr_send) is durability across an election, which vigie
     * does not hold: in a group of two, with DB_REPMGR_CONF_2SITE_STRICT, it asks for no
     * acknowledgement (seen: with the replica frozen, no commit waited or failed); in a
     * larger group it counts only replicas of priority above 0, and vigie's have 0. */
    if (r->acks == VG_REPL_ACKS_QUORUM)
        return repl__fail(cfg, vg_yaml_map_get(doc, map, "ack_policy"), err,
                          "ack_policy: quorum is not supported: it is Berkeley DB's policy for "
                          "groups that elect their master (vigie's do not); in a group of two "
                          "it waits for no replica. Use one or all (or none: commits do not "
                          "wait)");
    return VG_OK;
}

vg_err vg_repl_config_compile(const vg_config *cfg, vg_repl_config **out, vg_errinfo *err)
{
    *out = NULL;
    if (!cfg->replication_node)
        return VG_OK;
    yaml_document_t *doc = (yaml_document_t *)&cfg->doc;
    yaml_node_t *map = yaml_document_get_node(doc, cfg->replication_node);
    vg_repl_config *r = calloc(1, sizeof *r);
    if (!r)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    vg_err rc = repl__build(cfg, doc, map, r, err);
    if (rc) {
        vg_repl_config_free(r);
        return rc;
    }
    *out = r;
    return VG_OK;
}

bool vg_repl_config_equal(const vg_repl_config *a, const vg_repl_config *b)
{
    if (!a || !b)
        return !a && !b;
    if (a->role != b->role || !repl__same(&a->local, &b->local) || a->n_remote != b->n_remote ||
        a->acks != b->acks || a->ack_timeout_ms != b->ack_timeout_ms ||
        a->ack_required != b->ack_required || a->priority != b->priority)
        return false;
    for (size_t i = 0; i < a->n_remote; i++)
        if (!repl__same(&a->remote[i], &b->remote[i]))
            return false;
    return true;
}

void vg_repl_config_free(vg_repl_config *r)
{
    if (!r)
        return;
    free(r->remote);
    free(r);
}
