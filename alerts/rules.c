/* rules.c: compiles the `alerts:` section of the configuration (rules.h):
 *   alerts:
 *     enabled: true                 # these four are core/config.c's typed options
 *     smtp_host: smtp.example.org
 *     smtp_port: 587
 *     from: vigie@example.org
 *     smtp: {starttls: required, credentials: /etc/vigie/smtp.cred, ca_file: ca.pem,
 *            timeout_s: 30,
 *            retry_base_s: 30, retry_max_s: 3600}
 *     reminder_h: 24
 *     attach_plot: false            # a PNG of the last attach_plot_hours (the daemon draws it)
 *     attach_plot_hours: 24
 *     templates: {subject: "...", intro: "...", html: false}
 *     digests: [{recipient: pi@example.org, period: daily}]
 *     rules:
 *       - {name: stuck, type: consecutive, test: stuck_value, count: 10, kind: tsg}
 *       - {name: bad_psal, type: fraction, parameters: [SSPS], window: 60, fraction: 0.5}
 *       - {name: silent, type: silent, factor: 3, recipients: [ops@example.org]}
 *       - {name: datum, type: event, events: [datum_shift, clock_offset], kind: tide_gauge}
 * Every error reads "FILE:LINE: reason". Semantics: docs/alerts.md. */
#include "alerts/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/event.h"
#include "core/params.h"

#define RULES_DEFAULT_SUBJECT "[vigie] {platform} {parameter} {rule}: {state}"

typedef struct rules__ctx {
    const vg_config *cfg;
    yaml_document_t *doc;
    vg_alert_rules *r;
    vg_errinfo *err;
} rules__ctx;

static vg_err rules__fail(rules__ctx *c, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static vg_err rules__fail(rules__ctx *c, const yaml_node_t *node, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vg_fail(c->err, VG_ERR_CONFIG, "%s:%d: %s", c->cfg->path, vg_yaml_line(node), msg);
}

static char *rules__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static vg_err rules__nomem(rules__ctx *c)
{
    return vg_fail(c->err, VG_ERR_NOMEM, "%s: out of memory", c->cfg->path);
}

static const char *rules__text(rules__ctx *c, yaml_node_t *v, const char *name, vg_err *rc)
{
    const char *s = vg_yaml_scalar(v);
    if (!s || !*s)
        *rc = rules__fail(c, v, "%s must be a non-empty text", name);
    return s;
}

static vg_err rules__number(rules__ctx *c, yaml_node_t *v, const char *name, double min,
                            double max, double *out)
{
    const char *s = vg_yaml_scalar(v);
    double d;
    if (!s || !vg_parse_double(s, &d))
        return rules__fail(c, v, "%s must be a number", name);
    if (d < min || d > max)
        return rules__fail(c, v, "%s = %g is outside %g..%g", name, d, min, max);
    *out = d;
    return VG_OK;
}

static vg_err rules__count(rules__ctx *c, yaml_node_t *v, const char *name, long min, long max,
                           unsigned *out)
{
    const char *s = vg_yaml_scalar(v);
    long n;
    if (!s || !vg_parse_long(s, &n))
        return rules__fail(c, v, "%s must be an integer", name);
    if (n < min || n > max)
        return rules__fail(c, v, "%s = %ld is outside %ld..%ld", name, n, min, max);
    *out = (unsigned)n;
    return VG_OK;
}

static vg_err rules__bool(rules__ctx *c, yaml_node_t *v, const char *name, bool *out)
{
    const char *s = vg_yaml_scalar(v);
    if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
        *out = true;
    else if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")))
        *out = false;
    else
        return rules__fail(c, v, "%s = '%s' is not true or false", name, s ? s : "");
    return VG_OK;
}

static bool rules__email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at != s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " \t\r\n<>,;\"");
}

/* Check a mapping: every key a scalar, no duplicates. */
static vg_err rules__mapping(rules__ctx *c, yaml_node_t *map, const char *name)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return rules__fail(c, map, "%s must be a mapping", name);
    yaml_node_pair_t *start = map->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = start; p < map->data.mapping.pairs.top; p++) {
        const char *k = vg_yaml_scalar(yaml_document_get_node(c->doc, p->key));
        if (!k)
            return rules__fail(c, yaml_document_get_node(c->doc, p->key),
                               "a key of %s is not a name", name);
        for (yaml_node_pair_t *q = start; q < p; q++) {
            const char *o = vg_yaml_scalar(yaml_document_get_node(c->doc, q->key));
            if (o && !strcmp(o, k))
                return rules__fail(c, yaml_document_get_node(c->doc, p->key),
                                   "duplicate key '%s.%s'", name, k);
        }
    }
    return VG_OK;
}

/* ---- alerts.smtp and alerts.templates ---------------------------------------------------- */

static vg_err rules__smtp(rules__ctx *c, yaml_node_t *map)
{
    vg_err rc = rules__mapping(c, map, "alerts.smtp");
    vg_alert_rules *r = c->r;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         !rc && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *k = vg_yaml_scalar(key);
        if (!strcmp(k, "starttls")) {
            const char *s = vg_yaml_scalar(v);
            if (s && !strcmp(s, "required"))
                r->smtp.starttls = VG_STARTTLS_REQUIRED;
            else if (s && !strcmp(s, "opportunistic"))
                r->smtp.starttls = VG_STARTTLS_OPPORTUNISTIC;
            else if (s && (!strcmp(s, "off") || !strcmp(s, "false")))
                r->smtp.starttls = VG_STARTTLS_OFF;
            else
                rc = rules__fail(c, v, "alerts.smtp.starttls = '%s' is not required, "
                                 "opportunistic or off", s ? s : "");
        } else if (!strcmp(k, "credentials")) {
            const char *s = rules__text(c, v, "alerts.smtp.credentials", &rc);
            if (!rc && strlen(s) >= sizeof r->smtp.credentials)
                rc = rules__fail(c, v, "alerts.smtp.credentials: path too long");
            else if (!rc)
                snprintf(r->smtp.credentials, sizeof r->smtp.credentials, "%s", s);
        } else if (!strcmp(k, "ca_file")) {
            const char *s = rules__text(c, v, "alerts.smtp.ca_file", &rc);
            if (!rc && strlen(s) >= sizeof r->smtp.ca_file)
                rc = rules__fail(c, v, "alerts.smtp.ca_file: path too long");
            else if (!rc)
                snprintf(r->smtp.ca_file, sizeof r->smtp.ca_file, "%s", s);
        } else if (!strcmp(k, "timeout_s")) {
            rc = rules__number(c, v, "alerts.smtp.timeout_s", 1, 600, &r->smtp.timeout_s);
        } else if (!strcmp(k, "retry_base_s")) {
            rc = rules__number(c, v, "alerts.smtp.retry_base_s", 0.1, 86400, &r->smtp.retry_base_s);
        } else if (!strcmp(k, "retry_max_s")) {
            rc = rules__number(c, v, "alerts.smtp.retry_max_s", 0.1, 7 * 86400.0,
                               &r->smtp.retry_max_s);
        } else {
            rc = rules__fail(c, key, "unknown key 'alerts.smtp.%s'", k);
        }
    }
    if (!rc && r->smtp.retry_max_s < r->smtp.retry_base_s)
        rc = rules__fail(c, map, "alerts.smtp.retry_max_s (%g) is less than retry_base_s (%g)",
                         r->smtp.retry_max_s, r->smtp.retry_base_s);
    return rc;
}

static vg_err rules__templates(rules__ctx *c, yaml_node_t *map)
{
    vg_err rc = rules__mapping(c, map, "alerts.templates");
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         !rc && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *k = vg_yaml_scalar(key);
        if (!strcmp(k, "html")) {
            rc = rules__bool(c, v, "alerts.templates.html", &c->r->html);
            continue;
        }
        char **dst = !strcmp(k, "subject") ? &c->r->subject
                     : !strcmp(k, "intro") ? &c->r->intro : NULL;
        if (!dst)
            return rules__fail(c, key, "unknown key 'alerts.templates.%s' (subject, intro, "
                               "html)", k);
        const char *s = vg_yaml_scalar(v);
        if (!s)
            return rules__fail(c, v, "alerts.templates.%s must be a text", k);
        if (!strcmp(k, "subject")) {
            /* a header holds ASCII only (RFC 5322; encoded words are not written) */
            for (const unsigned char *q = (const unsigned char *)s; *q; q++)
                if (*q < 0x20 || *q > 0x7e)
                    return rules__fail(c, v, "alerts.templates.subject must be one line of "
                                       "printable ASCII");
        }
        free(*dst);
        if (!(*dst = rules__strdup(s)))
            rc = rules__nomem(c);
    }
    return rc;
}

/* ---- alerts.rules ------------------------------------------------------------------------ */

static vg_err rules__addresses(rules__ctx *c, yaml_node_t *v, vg_alert_rule *rule)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return rules__fail(c, v, "rules[].recipients must be a list of e-mail addresses");
    yaml_node_item_t *start = v->data.sequence.items.start;
    size_t n = (size_t)(v->data.sequence.items.top - start);
    if (n && !(rule->recipients = calloc(n, sizeof *rule->recipients)))
        return rules__nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, start[i]);
        const char *s = vg_yaml_scalar(item);
        if (!s || !rules__email_ok(s))
            return rules__fail(c, item, "rules[].recipients: '%s' is not an e-mail address "
                               "(local@domain, no spaces)", s ? s : "");
        if (!(rule->recipients[i] = rules__strdup(s)))
            return rules__nomem(c);
        rule->n_recipients = i + 1;
    }
    return VG_OK;
}

static vg_err rules__params(rules__ctx *c, yaml_node_t *v, vg_alert_rule *rule)
{
    if (v->type == YAML_SCALAR_NODE) {
        const char *s = vg_yaml_scalar(v);
        int p = vg_param_lookup(s, strlen(s));
        if (p < 0)
            return rules__fail(c, v, "rules[].parameters: unknown parameter '%s'", s);
        rule->params = VG_PARAM_BIT(p);
        return VG_OK;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return rules__fail(c, v, "rules[].parameters must be a list of parameter codes");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, *it);
        const char *s = vg_yaml_scalar(item);
        int p = s ? vg_param_lookup(s, strlen(s)) : -1;
        if (p < 0)
            return rules__fail(c, item, "rules[].parameters: unknown parameter '%s'",
                               s ? s : "");
        rule->params |= VG_PARAM_BIT(p);
    }
    return VG_OK;
}

static vg_err rules__test(rules__ctx *c, yaml_node_t *v, const vg_alert_tests *tests,
                          vg_alert_rule *rule)
{
    const char *s = vg_yaml_scalar(v);
    if (s && !strcmp(s, "any")) {
        rule->test = -1;
        return VG_OK;
    }
    for (int i = 0; s && i < VG_QC_MAX_TESTS; i++)
        if (tests->name[i] && !strcmp(tests->name[i], s)) {
            rule->test = i;
            return VG_OK;
        }
    return rules__fail(c, v, "rules[].test: unknown QC test '%s' (a name of docs/qc.md, or "
                       "'any')", s ? s : "");
}

static vg_err rules__events(rules__ctx *c, yaml_node_t *v, vg_alert_rule *rule)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return rules__fail(c, v, "rules[].events must be a list of event kinds (datum_shift, "
                           "clock_offset, spike, silence)");
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *item = yaml_document_get_node(c->doc, *it);
        const char *s = vg_yaml_scalar(item);
        int k = s ? vg_event_kind_lookup(s) : -1;
        if (k < 0)
            return rules__fail(c, item, "rules[].events: unknown event kind '%s' (datum_shift, "
                               "clock_offset, spike, silence)", s ? s : "");
        rule->events |= 1u << k;
    }
    return VG_OK;
}

static bool rules__name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= VG_ALERT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static vg_err rules__rule(rules__ctx *c, yaml_node_t *map, const vg_alert_tests *tests,
                          vg_alert_rule *rule)
{
    vg_err rc = rules__mapping(c, map, "rules[]");
    if (rc)
        return rc;
    rule->line = vg_yaml_line(map);
    rule->kind = -1;
    rule->test = -2; /* not given */
    rule->to_pi = true;
    rule->factor = 3;
    rule->fraction = -1;
    rule->clear_fraction = -1;
    yaml_node_t *type_node = vg_yaml_map_get(c->doc, map, "type");
    const char *type = vg_yaml_scalar(type_node);
    if (!type)
        return rules__fail(c, map, "rules[].type is required (consecutive, fraction, silent, "
                           "event)");
    if (!strcmp(type, "consecutive"))
        rule->type = VG_ALERT_CONSECUTIVE;
    else if (!strcmp(type, "fraction"))
        rule->type = VG_ALERT_FRACTION;
    else if (!strcmp(type, "silent"))
        rule->type = VG_ALERT_SILENT;
    else if (!strcmp(type, "event"))
        rule->type = VG_ALERT_EVENT;
    else
        return rules__fail(c, type_node, "rules[].type = '%s' is not consecutive, fraction, "
                           "silent or event", type);
    bool is_silent = rule->type == VG_ALERT_SILENT;
    bool is_event = rule->type == VG_ALERT_EVENT;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         !rc && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *k = vg_yaml_scalar(key);
        /* keys that belong to another type are errors, not silently ignored */
        const char *only = NULL;
        if (!strcmp(k, "type")) {
            continue;
        } else if (!strcmp(k, "name")) {
            const char *s = vg_yaml_scalar(v);
            if (!s || !rules__name_ok(s))
                rc = rules__fail(c, v, "rules[].name = '%s': 1..%d of A-Z a-z 0-9 _ -",
                                 s ? s : "", VG_ALERT_NAME_MAX - 1);
            else
                snprintf(rule->name, sizeof rule->name, "%s", s);
        } else if (!strcmp(k, "kind")) {
            const char *s = vg_yaml_scalar(v);
            if ((rule->kind = vg_kind_lookup(s)) < 0)
                rc = rules__fail(c, v, "rules[].kind = '%s' is not a platform kind (tsg, "
                                 "tide_gauge, mooring, ferrybox)", s ? s : "");
        } else if (!strcmp(k, "platform")) {
            const char *s = vg_yaml_scalar(v);
            if (!s || !vg_config_platform(c->cfg, s))
                rc = rules__fail(c, v, "rules[].platform '%s' is not a configured platform",
                                 s ? s : "");
            else
                snprintf(rule->platform, sizeof rule->platform, "%s", s);
        } else if (!strcmp(k, "parameters")) {
            rc = is_silent ? VG_OK : rules__params(c, v, rule);
            only = is_silent ? "consecutive, fraction and event" : NULL;
        } else if (!strcmp(k, "test")) {
            rc = is_silent || is_event ? VG_OK : rules__test(c, v, tests, rule);
            only = is_silent || is_event ? "consecutive and fraction" : NULL;
        } else if (!strcmp(k, "events")) {
            only = !is_event ? "event" : NULL;
            if (!only)
                rc = rules__events(c, v, rule);
        } else if (!strcmp(k, "count") || !strcmp(k, "clear_count")) {
            only = rule->type != VG_ALERT_CONSECUTIVE ? "consecutive" : NULL;
            if (!only)
                rc = rules__count(c, v, !strcmp(k, "count") ? "rules[].count"
                                                            : "rules[].clear_count",
                                  1, 100000,
                                  !strcmp(k, "count") ? &rule->count : &rule->clear_count);
        } else if (!strcmp(k, "window")) {
            only = rule->type != VG_ALERT_FRACTION ? "fraction" : NULL;
            if (!only)
                rc = rules__count(c, v, "rules[].window", 2, 10000, &rule->window);
        } else if (!strcmp(k, "fraction") || !strcmp(k, "clear_fraction")) {
            only = rule->type != VG_ALERT_FRACTION ? "fraction" : NULL;
            if (!only)
                rc = rules__number(c, v, !strcmp(k, "fraction") ? "rules[].fraction"
                                                                : "rules[].clear_fraction",
                                   0, 1, !strcmp(k, "fraction") ? &rule->fraction
                                                                : &rule->clear_fraction);
        } else if (!strcmp(k, "factor")) {
            only = !is_silent ? "silent" : NULL;
            if (!only)
                rc = rules__number(c, v, "rules[].factor", 1, 10000, &rule->factor);
        } else if (!strcmp(k, "pi")) {
            rc = rules__bool(c, v, "rules[].pi", &rule->to_pi);
        } else if (!strcmp(k, "recipients")) {
            rc = rules__addresses(c, v, rule);
        } else {
            rc = rules__fail(c, key, "unknown key 'rules[].%s'", k);
        }
        if (!rc && only)
            rc = rules__fail(c, key, "rules[].%s applies to %s rules only, not %s", k, only,
                             type);
    }
    if (rc)
        return rc;
    if (!rule->name[0])
        return rules__fail(c, map, "rules[].name is required");
    if (rule->type == VG_ALERT_CONSECUTIVE) {
        if (rule->test == -2)
            return rules__fail(c, map, "rule %s: test is required (a QC test name, or 'any')",
                               rule->name);
        if (rule->count == 0)
            return rules__fail(c, map, "rule %s: count is required", rule->name);
        if (rule->clear_count == 0)
            rule->clear_count = rule->count;
    } else if (rule->type == VG_ALERT_FRACTION) {
        if (rule->test == -2)
            rule->test = -1;
        if (rule->window == 0 || rule->fraction <= 0)
            return rules__fail(c, map, "rule %s: window and fraction (> 0) are required",
                               rule->name);
        if (rule->clear_fraction < 0)
            rule->clear_fraction = rule->fraction / 2;
        if (rule->clear_fraction >= rule->fraction)
            return rules__fail(c, map, "rule %s: clear_fraction (%g) must be less than "
                               "fraction (%g)", rule->name, rule->clear_fraction,
                               rule->fraction);
    } else {
        rule->test = -1;
        if (is_event && !rule->events)
            return rules__fail(c, map, "rule %s: events is required (a list of datum_shift, "
                               "clock_offset, spike, silence)", rule->name);
    }
    if (!rule->to_pi && rule->n_recipients == 0)
        return rules__fail(c, map, "rule %s: pi: false and no recipients: nobody would be "
                           "told", rule->name);
    return VG_OK;
}

static vg_err rules__rules(rules__ctx *c, yaml_node_t *seq, const vg_alert_tests *tests)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return rules__fail(c, seq, "alerts.rules must be a list of rules");
    yaml_node_item_t *start = seq->data.sequence.items.start;
    size_t n = (size_t)(seq->data.sequence.items.top - start);
    if (n && !(c->r->rules = calloc(n, sizeof *c->r->rules)))
        return rules__nomem(c);
    for (size_t i = 0; i < n; i++) {
        c->r->n_rules = i + 1;
        vg_alert_rule *rule = &c->r->rules[i];
        vg_err rc = rules__rule(c, yaml_document_get_node(c->doc, start[i]), tests, rule);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c->r->rules[j].name, rule->name))
                return rules__fail(c, yaml_document_get_node(c->doc, start[i]),
                                   "rule name '%s' is used twice (lines %d and %d)",
                                   rule->name, c->r->rules[j].line, rule->line);
    }
    return VG_OK;
}

/* ---- alerts.digests ------------------------------------------------------------------------ */

static vg_err rules__digests(rules__ctx *c, yaml_node_t *seq)
{
    if (seq->type != YAML_SEQUENCE_NODE)
        return rules__fail(c, seq, "alerts.digests must be a list of {recipient, period}");
    yaml_node_item_t *start = seq->data.sequence.items.start;
    size_t n = (size_t)(seq->data.sequence.items.top - start);
    vg_alert_rules *r = c->r;
    if (n && !(r->digests = calloc(n, sizeof *r->digests)))
        return rules__nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *map = yaml_document_get_node(c->doc, start[i]);
        vg_err rc = rules__mapping(c, map, "digests[]");
        if (rc)
            return rc;
        vg_alert_digest *d = &r->digests[i];
        r->n_digests = i + 1;
        for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
             p < map->data.mapping.pairs.top; p++) {
            yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
            yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
            const char *k = vg_yaml_scalar(key), *s = vg_yaml_scalar(v);
            if (!strcmp(k, "recipient")) {
                if (!s || !rules__email_ok(s) || strlen(s) >= sizeof d->rcpt)
                    return rules__fail(c, v, "digests[].recipient: '%s' is not an e-mail "
                                       "address", s ? s : "");
                snprintf(d->rcpt, sizeof d->rcpt, "%s", s);
            } else if (!strcmp(k, "period")) {
                long secs;
                if (s && !strcmp(s, "hourly"))
                    d->period_s = 3600;
                else if (s && !strcmp(s, "daily"))
                    d->period_s = 86400;
                else if (s && vg_parse_long(s, &secs) && secs >= 1 && secs <= 86400)
                    d->period_s = (int)secs;
                else
                    return rules__fail(c, v, "digests[].period = '%s' is not hourly, daily or "
                                       "a number of seconds 1..86400", s ? s : "");
            } else {
                return rules__fail(c, key, "unknown key 'digests[].%s'", k);
            }
        }
        if (!d->rcpt[0] || !d->period_s)
            return rules__fail(c, map, "digests[] needs recipient and period");
        for (size_t j = 0; j < i; j++)
            if (!strcasecmp(r->digests[j].rcpt, d->rcpt))
                return rules__fail(c, map, "digests[]: %s is listed twice", d->rcpt);
    }
    return VG_OK;
}

int vg_alert_digest_period(const vg_alert_rules *r, const char *addr)
{
    for (size_t i = 0; i < r->n_digests; i++)
        if (!strcasecmp(r->digests[i].rcpt, addr))
            return r->digests[i].period_s;
    return 0;
}

/* ---- the section --------------------------------------------------------------------------- */

vg_err vg_alert_rules_compile(const vg_config *cfg, const vg_alert_tests *tests,
                              vg_alert_rules **out, vg_errinfo *err)
{
    *out = NULL;
    vg_alert_rules *r = calloc(1, sizeof *r);
    if (!r)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    rules__ctx c = {.cfg = cfg, .doc = (yaml_document_t *)&cfg->doc, .r = r, .err = err};
    r->enabled = cfg->alerts_enabled;
    r->smtp.starttls = VG_STARTTLS_OPPORTUNISTIC;
    r->smtp.timeout_s = 30;
    r->smtp.retry_base_s = 30;
    r->smtp.retry_max_s = 3600;
    r->tests = *tests;
    r->attach_plot_hours = 24;
    snprintf(r->smtp.server, sizeof r->smtp.server, "%.300s:%d",
             cfg->smtp_host ? cfg->smtp_host : "localhost", cfg->smtp_port);
    snprintf(r->smtp.from, sizeof r->smtp.from, "%s",
             cfg->mail_from ? cfg->mail_from : "vigie@localhost");
    vg_err rc = VG_OK;
    if (cfg->mail_from && strlen(cfg->mail_from) >= sizeof r->smtp.from)
        rc = vg_fail(err, VG_ERR_CONFIG, "%s: alerts.from is too long", cfg->path);
    else if (!(r->subject = rules__strdup(RULES_DEFAULT_SUBJECT)) ||
             !(r->intro = rules__strdup("")) || !(r->config_path = rules__strdup(cfg->path)))
        rc = rules__nomem(&c);
    yaml_node_t *map = cfg->alerts_node ? yaml_document_get_node(c.doc, cfg->alerts_node) : NULL;
    for (yaml_node_pair_t *p = map ? map->data.mapping.pairs.start : NULL;
         !rc && map && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *key = yaml_document_get_node(c.doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c.doc, p->value);
        const char *k = vg_yaml_scalar(key);
        if (!strcmp(k, "enabled") || !strcmp(k, "smtp_host") || !strcmp(k, "smtp_port") ||
            !strcmp(k, "from"))
            continue; /* core/config.c's table */
        if (!strcmp(k, "smtp"))
            rc = rules__smtp(&c, v);
        else if (!strcmp(k, "templates"))
            rc = rules__templates(&c, v);
        else if (!strcmp(k, "rules"))
            rc = rules__rules(&c, v, tests);
        else if (!strcmp(k, "digests"))
            rc = rules__digests(&c, v);
        else if (!strcmp(k, "reminder_h")) {
            rc = rules__number(&c, v, "alerts.reminder_h", 0, 8760, &r->reminder_h);
        } else if (!strcmp(k, "attach_plot")) {
            rc = rules__bool(&c, v, "alerts.attach_plot", &r->attach_plot);
        } else if (!strcmp(k, "attach_plot_hours")) {
            rc = rules__number(&c, v, "alerts.attach_plot_hours", 1, 720, &r->attach_plot_hours);
        } else
            rc = rules__fail(&c, key, "unknown key 'alerts.%s'", k);
    }
    if (rc) {
        vg_alert_rules_free(r);
        return rc;
    }
    *out = r;
    return VG_OK;
}

void vg_alert_rules_free(vg_alert_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_rules; i++) {
        for (size_t j = 0; j < r->rules[i].n_recipients; j++)
            free(r->rules[i].recipients[j]);
        free(r->rules[i].recipients);
    }
    free(r->rules);
    free(r->digests);
    free(r->subject);
    free(r->intro);
    free(r->config_path);
    free(r);
}

const char *vg_alert_type_name(vg_alert_type t)
{
    static const char *const names[] = {"consecutive", "fraction", "silent", "event"};
    return (unsigned)t < 4 ? names[t] : "?";
}

bool vg_alert_rule_matches(const vg_alert_rule *r, const vg_platform_cfg *pl)
{
    if (r->kind >= 0 && (int)pl->kind != r->kind)
        return false;
    return !r->platform[0] || !strcmp(r->platform, pl->id);
}
