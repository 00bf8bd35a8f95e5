/* test_alerts.c: unit tests of the alerts layer without a network: the compilation of the
 * `alerts:` section (good configurations and a table of errors with their FILE:LINE text),
 * the rule state machines driven by tables of flags (consecutive, fraction, silent with a
 * made-up clock, reminders, hand-over across a reload), the mail (recipients, subject
 * template, headers, Message-IDs, CSV attachment, payload round trip), the credentials file
 * permissions; last a throughput figure of the monitor (printed, never asserted). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts/message.h"
#include "alerts/monitor.h"
#include "alerts/rules.h"
#include "alerts/smtp.h"
#include "check.h"
#include "core/config.h"
#include "core/params.h"
#include "daemon/setup.h"

#define T0 ((vg_time_us)1768435200000000LL) /* 2026-01-15T00:00:00Z */
#define S_US 1000000LL

static const char base_yaml[] =
    "storage: {path: /tmp/x}\n"                                                   /* 1 */
    "platforms:\n"                                                                /* 2 */
    "  - {id: SHIP1, kind: tsg, interval_s: 10, parameters: [SSJT, SSPS],\n"      /* 3 */
    "     pi: [a@example.org, b@example.org]}\n"                                  /* 4 */
    "  - {id: TIDE1, kind: tide_gauge, interval_s: 10, parameters: [SLEV]}\n"     /* 5 */
    "alerts:\n"                                                                   /* 6 */
    "  enabled: true\n"                                                           /* 7 */
    "  from: vigie@example.org\n";                                                /* 8 */

/* Load base_yaml + extra and compile its alerts; NULL on failure (err filled). */
static vg_alert_rules *compile(const char *extra, vg_config **cfg, vg_errinfo *err)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base_yaml, extra);
    *cfg = NULL;
    if (vg_config_load_string(text, strlen(text), "t.yaml", cfg, err) != VG_OK)
        return NULL;
    vg_alert_rules *r = NULL;
    if (vg_alert_rules_compile(*cfg, vg_setup_alert_tests(), &r, err) != VG_OK) {
        vg_config_free(*cfg);
        *cfg = NULL;
        return NULL;
    }
    return r;
}

/* ---- configuration ------------------------------------------------------------------- */

static void test_compile(void)
{
    vg_config *cfg;
    vg_errinfo err = {0};
    vg_alert_rules *r = compile(
        "  smtp_host: mail.example.org\n"
        "  smtp_port: 587\n"
        "  smtp: {starttls: required, credentials: /etc/vigie/smtp.cred, timeout_s: 10,\n"
        "         ca_file: /etc/vigie/ca.pem,\n"
        "         retry_base_s: 5, retry_max_s: 600}\n"
        "  reminder_h: 12\n"
        "  templates: {subject: '{platform}: {state}', intro: Hello}\n"
        "  rules:\n"
        "    - {name: stuck, type: consecutive, test: stuck_value, count: 10, kind: tsg}\n"
        "    - {name: bad, type: fraction, parameters: [SSPS], window: 60, fraction: 0.5,\n"
        "       recipients: [ops@example.org], pi: false}\n"
        "    - {name: quiet, type: silent, platform: TIDE1}\n",
        &cfg, &err);
    CHECK_MSG(r != NULL, "%s", err.text);
    if (!r)
        return;
    CHECK(r->enabled);
    CHECK_STR(r->smtp.server, "mail.example.org:587");
    CHECK_STR(r->smtp.from, "vigie@example.org");
    CHECK(r->smtp.starttls == VG_STARTTLS_REQUIRED);
    CHECK_STR(r->smtp.ca_file, "/etc/vigie/ca.pem");
    CHECK_STR(r->smtp.credentials, "/etc/vigie/smtp.cred");
    CHECK(r->smtp.timeout_s == 10 && r->smtp.retry_base_s == 5 && r->smtp.retry_max_s == 600);
    CHECK(r->reminder_h == 12);
    CHECK_STR(r->subject, "{platform}: {state}");
    CHECK_STR(r->intro, "Hello");
    CHECK(r->n_rules == 3);
    if (r->n_rules == 3) {
        CHECK(r->rules[0].type == VG_ALERT_CONSECUTIVE && r->rules[0].count == 10 &&
              r->rules[0].clear_count == 10 && r->rules[0].kind == VG_KIND_TSG &&
              r->rules[0].params == 0 && r->rules[0].to_pi);
        CHECK_STR(vg_setup_alert_tests()->name[r->rules[0].test], "stuck_value");
        CHECK(r->rules[1].type == VG_ALERT_FRACTION && r->rules[1].window == 60 &&
              r->rules[1].fraction == 0.5 && r->rules[1].clear_fraction == 0.25 &&
              r->rules[1].test == -1 && !r->rules[1].to_pi && r->rules[1].n_recipients == 1 &&
              r->rules[1].params == VG_PARAM_BIT(VG_P_SSPS));
        CHECK(r->rules[2].type == VG_ALERT_SILENT && r->rules[2].factor == 3 &&
              !strcmp(r->rules[2].platform, "TIDE1"));
        CHECK(vg_alert_rule_matches(&r->rules[0], &cfg->platforms[0]));
        CHECK(!vg_alert_rule_matches(&r->rules[0], &cfg->platforms[1]));
        CHECK(!vg_alert_rule_matches(&r->rules[2], &cfg->platforms[0]));
    }
    vg_alert_rules_free(r);
    vg_config_free(cfg);

    /* no rules, no section: defaults */
    r = compile("", &cfg, &err);
    CHECK(r && r->n_rules == 0 && r->smtp.starttls == VG_STARTTLS_OPPORTUNISTIC &&
          !strcmp(r->smtp.server, "localhost:25") && r->smtp.credentials[0] == 0);
    vg_alert_rules_free(r);
    vg_config_free(cfg);
}

static void test_compile_errors(void)
{
    static const struct { const char *yaml, *error; } cases[] = {
        {"  colour: blue\n", "t.yaml:9: unknown key 'alerts.colour'"},
        {"  smtp: {starttls: maybe}\n",
         "t.yaml:9: alerts.smtp.starttls = 'maybe' is not required, opportunistic or off"},
        {"  smtp: {timeout_s: 0}\n", "t.yaml:9: alerts.smtp.timeout_s = 0 is outside 1..600"},
        {"  smtp: {retry_base_s: 60, retry_max_s: 30}\n",
         "t.yaml:9: alerts.smtp.retry_max_s (30) is less than retry_base_s (60)"},
        {"  smtp: [1]\n", "t.yaml:9: alerts.smtp must be a mapping"},
        {"  templates: {body: x}\n", "t.yaml:9: unknown key 'alerts.templates.body'"},
        {"  templates: {subject: \"caf\u00e9 {state}\"}\n",
         "t.yaml:9: alerts.templates.subject must be one line of printable ASCII"},
        {"  templates: {subject: \"a\\nb\"}\n",
         "t.yaml:9: alerts.templates.subject must be one line of printable ASCII"},
        {"  rules: {a: 1}\n", "t.yaml:9: alerts.rules must be a list of rules"},
        {"  rules:\n    - {name: x, count: 3}\n",
         "t.yaml:10: rules[].type is required (consecutive, fraction, silent, event)"},
        {"  rules:\n    - {name: x, type: often}\n",
         "t.yaml:10: rules[].type = 'often' is not consecutive, fraction, silent or event"},
        {"  rules:\n    - {name: x, type: event}\n",
         "t.yaml:10: rule x: events is required (a list of datum_shift, clock_offset, spike, "
         "silence)"},
        {"  rules:\n    - {name: x, type: event, events: [datum_shift, tsunami]}\n",
         "t.yaml:10: rules[].events: unknown event kind 'tsunami'"},
        {"  rules:\n    - {name: x, type: event, events: datum_shift}\n",
         "t.yaml:10: rules[].events must be a list of event kinds"},
        {"  rules:\n    - {name: x, type: event, events: [spike], count: 3}\n",
         "t.yaml:10: rules[].count applies to consecutive rules only, not event"},
        {"  rules:\n    - {name: x, type: silent, events: [spike]}\n",
         "t.yaml:10: rules[].events applies to event rules only, not silent"},
        {"  rules:\n    - {type: silent}\n", "t.yaml:10: rules[].name is required"},
        {"  rules:\n    - {name: 'a b', type: silent}\n",
         "t.yaml:10: rules[].name = 'a b': 1..31 of A-Z a-z 0-9 _ -"},
        {"  rules:\n    - {name: x, type: consecutive, count: 3}\n",
         "t.yaml:10: rule x: test is required (a QC test name, or 'any')"},
        {"  rules:\n    - {name: x, type: consecutive, test: any}\n",
         "t.yaml:10: rule x: count is required"},
        {"  rules:\n    - {name: x, type: consecutive, test: nope, count: 3}\n",
         "t.yaml:10: rules[].test: unknown QC test 'nope'"},
        {"  rules:\n    - {name: x, type: consecutive, test: any, count: 0}\n",
         "t.yaml:10: rules[].count = 0 is outside 1..100000"},
        {"  rules:\n    - {name: x, type: consecutive, test: any, count: 2, window: 5}\n",
         "t.yaml:10: rules[].window applies to fraction rules only, not consecutive"},
        {"  rules:\n    - {name: x, type: silent, factor: 3, test: spike}\n",
         "t.yaml:10: rules[].test applies to consecutive and fraction rules only, not silent"},
        {"  rules:\n    - {name: x, type: fraction, window: 10}\n",
         "t.yaml:10: rule x: window and fraction (> 0) are required"},
        {"  rules:\n    - {name: x, type: fraction, window: 10, fraction: 0.2,"
         " clear_fraction: 0.3}\n",
         "t.yaml:10: rule x: clear_fraction (0.3) must be less than fraction (0.2)"},
        {"  rules:\n    - {name: x, type: silent, kind: boat}\n",
         "t.yaml:10: rules[].kind = 'boat' is not a platform kind"},
        {"  rules:\n    - {name: x, type: silent, platform: NOPE}\n",
         "t.yaml:10: rules[].platform 'NOPE' is not a configured platform"},
        {"  rules:\n    - {name: x, type: fraction, window: 9, fraction: 0.5, "
         "parameters: [XXXX]}\n",
         "t.yaml:10: rules[].parameters: unknown parameter 'XXXX'"},
        {"  rules:\n    - {name: x, type: silent, recipients: [not-an-address]}\n",
         "t.yaml:10: rules[].recipients: 'not-an-address' is not an e-mail address"},
        {"  rules:\n    - {name: x, type: silent, pi: false}\n",
         "t.yaml:10: rule x: pi: false and no recipients: nobody would be told"},
        {"  rules:\n    - {name: x, type: silent}\n    - {name: x, type: silent}\n",
         "t.yaml:11: rule name 'x' is used twice (lines 10 and 11)"},
        {"  rules:\n    - {name: x, type: silent, name: y}\n",
         "t.yaml:10: duplicate key 'rules[].name'"},
        {"  digests: [{recipient: a@example.org, period: weekly}]\n",
         "t.yaml:9: digests[].period = 'weekly' is not hourly, daily or a number of seconds"},
        {"  digests: [{recipient: nobody, period: daily}]\n",
         "t.yaml:9: digests[].recipient: 'nobody' is not an e-mail address"},
        {"  digests: [{recipient: a@example.org}]\n",
         "t.yaml:9: digests[] needs recipient and period"},
        {"  digests:\n    - {recipient: a@example.org, period: daily}\n"
         "    - {recipient: A@example.org, period: hourly}\n",
         "t.yaml:11: digests[]: A@example.org is listed twice"},
        {"  digests: [{recipient: a@example.org, period: daily, when: now}]\n",
         "t.yaml:9: unknown key 'digests[].when'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_config *cfg;
        vg_errinfo err = {0};
        vg_alert_rules *r = compile(cases[i].yaml, &cfg, &err);
        CHECK_MSG(!r && strstr(err.text, cases[i].error) != NULL, "case %zu: got '%s'", i,
                  err.text);
        vg_alert_rules_free(r);
        vg_config_free(cfg);
    }
}

/* ---- state machines ------------------------------------------------------------------ */

typedef struct got {
    int n;
    vg_alert_state state[16];
    vg_time_us since[16], first[16], last[16], now[16];
    unsigned bad[16], seen[16];
    size_t rows[16];
    int param[16];
    char mail[16][8192];
    const vg_alert_rules *rules;
} got;

/* The same mail with an attachment (alerts.attach_plot): the message without it, byte for
 * byte, up to its closing boundary, then one base64 part of lines of 76 characters. */
static void check_attachment(const vg_alert_rules *r, const vg_alert_event *ev,
                             const char **rcpt, size_t n, const char *plain, size_t plain_len)
{
    unsigned char data[120];
    for (int k = 0; k < 120; k++)
        data[k] = (unsigned char)k;
    vg_mail_attachment att = {"image/png", "SHIP1_SSJT.png", data, sizeof data};
    char *p = NULL;
    size_t len = 0;
    vg_errinfo e;
    CHECK_MSG(vg_mail_compose_with(r, ev, rcpt, n, &att, 1, &p, &len, &e) == VG_OK, "%s", e.text);
    if (!p)
        return;
    const char *close = strstr(plain, "\r\n--=_vigie_");
    while (close && strstr(close + 1, "\r\n--=_vigie_"))
        close = strstr(close + 1, "\r\n--=_vigie_"); /* the closing boundary line */
    size_t keep = close ? (size_t)(close - plain) : 0;
    CHECK(close && keep < plain_len && len > plain_len && memcmp(p, plain, keep) == 0);
    CHECK(close && !strcmp(plain + plain_len - 4, "--\r\n") && !strcmp(p + len - 4, "--\r\n"));
    const char *part = strstr(p, "Content-Type: image/png; name=\"SHIP1_SSJT.png\"\r\n"
                                 "Content-Disposition: attachment; filename=\"SHIP1_SSJT.png\"\r\n"
                                 "Content-Transfer-Encoding: base64\r\n\r\n");
    CHECK_MSG(part != NULL, "%s", p);
    if (part) {
        const char *b64 = strstr(part, "\r\n\r\n") + 4;
        CHECK(!strncmp(b64, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
                            "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3Bx\r\n"
                            "cnN0dXZ3\r\n\r\n--=_vigie_", 178));
    }
    free(p);
    att.filename = "a b.png"; /* a space would break the header */
    CHECK(vg_mail_compose_with(r, ev, rcpt, n, &att, 1, &p, &len, &e) == VG_ERR_INVAL);
    att.filename = "x.png", att.len = 0;
    CHECK(vg_mail_compose_with(r, ev, rcpt, n, &att, 1, &p, &len, &e) == VG_ERR_INVAL);
}

static void sink(void *ctx, const vg_alert_event *ev)
{
    got *g = ctx;
    if (g->n >= 16)
        return;
    int i = g->n++;
    g->state[i] = ev->state;
    g->since[i] = ev->since;
    g->first[i] = ev->first;
    g->last[i] = ev->last;
    g->now[i] = ev->now;
    g->bad[i] = ev->bad;
    g->seen[i] = ev->seen;
    g->rows[i] = ev->n_rows;
    g->param[i] = ev->param;
    g->mail[i][0] = 0;
    if (g->rules) {
        const char *rcpt[VG_MAIL_RCPT_MAX];
        size_t n = vg_mail_recipients(g->rules, ev, rcpt);
        char *p = NULL;
        size_t len = 0;
        if (vg_mail_compose(g->rules, ev, rcpt, n, &p, &len, NULL) == VG_OK)
            snprintf(g->mail[i], sizeof g->mail[i], "%s", p);
        if (p && ev->param >= 0)
            check_attachment(g->rules, ev, rcpt, n, p, len);
        free(p);
    }
}

/* A SHIP1 sample at T0 + k x 10 s whose SSJT has flag f for test `test` (and as aggregate),
 * received at the same time. */
static void mk(vg_sample *s, int k, int test, vg_flag f)
{
    vg_sample_init(s);
    vg_sample_set_platform(s, "SHIP1", 5);
    s->time = T0 + k * 10 * S_US;
    s->received = s->time;
    s->lat_deg = -22.5;
    s->lon_deg = -17.25;
    vg_sample_set(s, VG_P_SSJT, f == 9 ? NAN : 20.0 + k * 0.01);
    s->qc[VG_P_SSJT].agg = f;
    if (test >= 0)
        s->qc[VG_P_SSJT].test[test] = f;
}

static int test_id(const char *name)
{
    for (int i = 0; i < VG_QC_MAX_TESTS; i++)
        if (vg_setup_alert_tests()->name[i] && !strcmp(vg_setup_alert_tests()->name[i], name))
            return i;
    return -1;
}

static void test_consecutive(void)
{
    vg_config *cfg;
    vg_errinfo err = {0};
    vg_alert_rules *r = compile("  rules:\n    - {name: stuck, type: consecutive, test: "
                                "stuck_value, count: 3, clear_count: 2, parameters: [SSJT]}\n",
                                &cfg, &err);
    CHECK_MSG(r != NULL, "%s", err.text);
    if (!r)
        return;
    vg_alert_monitor *m;
    CHECK(vg_alert_monitor_new(cfg, r, T0, &m, &err) == VG_OK);
    int t = test_id("stuck_value");
    /* 0 (not evaluated) and 9 (missing) neither count nor break a run */
    static const vg_flag flags[] = {1, 4, 4, 1, 4, 3, 0, 4, 9, 4, 1, 1, 1, 4, 4};
    got g = {.rules = r};
    int at[16];
    for (int k = 0; k < (int)(sizeof flags); k++) {
        vg_sample s;
        mk(&s, k, t, flags[k]);
        int before = g.n;
        vg_alert_monitor_sample(m, &s, sink, &g);
        for (int i = before; i < g.n; i++)
            at[i] = k;
    }
    CHECK_MSG(g.n == 2, "%d events", g.n);
    if (g.n == 2) {
        CHECK(g.state[0] == VG_ALERT_STARTED && at[0] == 7);
        CHECK(g.since[0] == T0 + 40 * S_US && g.first[0] == T0 + 40 * S_US &&
              g.last[0] == T0 + 70 * S_US && g.bad[0] == 3 && g.param[0] == VG_P_SSJT);
        CHECK(g.rows[0] == 8);
        CHECK(g.state[1] == VG_ALERT_RESOLVED && at[1] == 11 && g.since[1] == g.since[0]);
        CHECK(g.seen[1] == 2 && g.last[1] == T0 + 110 * S_US);
    }
    CHECK(vg_alert_monitor_active(m) == 0);
    /* a value flagged by another test only does not count */
    vg_sample s;
    mk(&s, 20, -1, 4);
    for (int k = 0; k < 5; k++)
        vg_alert_monitor_sample(m, &s, sink, &g);
    CHECK(g.n == 2);

    /* the mails of the two events */
    if (g.n == 2) {
        const char *a = g.mail[0], *b = g.mail[1];
        vg_mail_envelope *env = malloc(sizeof *env);
        CHECK(env && vg_mail_parse(a, strlen(a), env, &err) == VG_OK);
        CHECK(env->n_rcpt == 2 && !strcmp(env->rcpt[0], "a@example.org") &&
              !strcmp(env->from, "vigie@example.org"));
        char h[300];
        vg_mail_header(env->message, "Subject", h, sizeof h);
        CHECK_STR(h, "[vigie] SHIP1 SSJT stuck: started");
        vg_mail_header(env->message, "To", h, sizeof h);
        CHECK_STR(h, "a@example.org, b@example.org"); /* folded, unfolded back */
        vg_mail_header(env->message, "Message-ID", h, sizeof h);
        char want[200];
        snprintf(want, sizeof want, "<vigie.stuck.SHIP1.SSJT.%lld.started@example.org>",
                 (long long)(T0 + 40 * S_US));
        CHECK_STR(h, want);
        vg_mail_header(env->message, "Date", h, sizeof h);
        CHECK_STR(h, "Thu, 15 Jan 2026 00:01:10 +0000");
        CHECK(strstr(a, "First time: 2026-01-15T00:00:40Z\r\n") != NULL);
        CHECK(strstr(a, "Position:   -22.50000 N, -17.25000 E") != NULL);
        CHECK(strstr(a, "vigie dump -c t.yaml --platform SHIP1 --param SSJT "
                        "--from 2026-01-15T00:00:40Z") != NULL);
        CHECK(strstr(a, "filename=\"SHIP1_SSJT_2026-01-15T00-00-40Z.csv\"") != NULL);
        CHECK(strstr(a, "\r\nSHIP1,SSJT,2026-01-15T00:01:10Z,20.07,4,4,-22.5,-17.25\r\n") !=
              NULL);
        CHECK(strstr(a, "\r\nSHIP1,SSJT,2026-01-15T00:01:00Z,nan,0,0,") == NULL);
        CHECK(strstr(a, "SHIP1,SSJT,2026-01-15T00:01:00Z,20.06,0,0,-22.5,-17.25") != NULL);
        /* no bare LF in the message: SMTP needs CRLF */
        const char *msg = env->message;
        bool bare = false;
        for (const char *p = msg; *p; p++)
            bare |= *p == '\n' && (p == msg || p[-1] != '\r');
        CHECK(!bare);
        CHECK(vg_mail_parse(b, strlen(b), env, &err) == VG_OK);
        vg_mail_header(env->message, "In-Reply-To", h, sizeof h);
        CHECK_STR(h, want);
        vg_mail_header(env->message, "Subject", h, sizeof h);
        CHECK_STR(h, "[vigie] SHIP1 SSJT stuck: resolved");
        free(env);
    }
    vg_alert_monitor_free(m);
    vg_alert_rules_free(r);
    vg_config_free(cfg);
}

static void test_fraction(void)
{
    vg_config *cfg;
    vg_errinfo err = {0};
    vg_alert_rules *r = compile("  rules:\n    - {name: bad, type: fraction, window: 4, "
                                "fraction: 0.5}\n",
                                &cfg, &err);
    CHECK_MSG(r != NULL, "%s", err.text);
    if (!r)
        return;
    vg_alert_monitor *m;
    CHECK(vg_alert_monitor_new(cfg, r, T0, &m, &err) == VG_OK);
    static const vg_flag flags[] = {4, 1, 1, 1, 4, 4, 1, 1, 1, 1, 3, 3};
    got g = {0};
    int at[16];
    for (int k = 0; k < (int)(sizeof flags); k++) {
        vg_sample s;
        mk(&s, k, -1, flags[k]);
        int before = g.n;
        vg_alert_monitor_sample(m, &s, sink, &g);
        for (int i = before; i < g.n; i++)
            at[i] = k;
    }
    CHECK_MSG(g.n == 3, "%d events", g.n);
    if (g.n == 3) {
        CHECK(g.state[0] == VG_ALERT_STARTED && at[0] == 5 && g.bad[0] == 2 && g.seen[0] == 4);
        CHECK(g.since[0] == T0 + 40 * S_US);
        CHECK(g.state[1] == VG_ALERT_RESOLVED && at[1] == 9 && g.bad[1] == 0);
        CHECK(g.state[2] == VG_ALERT_STARTED && at[2] == 11 && g.since[2] == T0 + 100 * S_US);
    }
    vg_alert_monitor_free(m);
    vg_alert_rules_free(r);
    vg_config_free(cfg);
}

static void test_silent_and_reminders(void)
{
    vg_config *cfg;
    vg_errinfo err = {0};
    vg_alert_rules *r = compile("  reminder_h: 0.01\n" /* 36 s */
                                "  rules:\n"
                                "    - {name: quiet, type: silent, platform: TIDE1}\n"
                                "    - {name: stuck, type: consecutive, test: any, count: 1,"
                                " platform: SHIP1}\n",
                                &cfg, &err);
    CHECK_MSG(r != NULL, "%s", err.text);
    if (!r)
        return;
    vg_alert_monitor *m;
    CHECK(vg_alert_monitor_new(cfg, r, T0, &m, &err) == VG_OK);
    got g = {.rules = r};
    /* limit: 3 x 10 s */
    vg_alert_monitor_tick(m, T0 + 30 * S_US, sink, &g);
    CHECK(g.n == 0);
    vg_alert_monitor_tick(m, T0 + 31 * S_US, sink, &g);
    CHECK(g.n == 1 && g.state[0] == VG_ALERT_STARTED && g.since[0] == T0 && g.param[0] == -1);
    if (g.n == 1)
        CHECK_MSG(strstr(g.mail[0], "Subject: [vigie] TIDE1 station quiet: started\r\n") != NULL,
                  "%s", g.mail[0]);
    vg_alert_monitor_tick(m, T0 + 60 * S_US, sink, &g);
    CHECK(g.n == 1); /* no repeat */
    vg_alert_monitor_tick(m, T0 + 67 * S_US, sink, &g);
    CHECK(g.n == 2 && g.state[1] == VG_ALERT_REMINDER && g.since[1] == T0);
    if (g.n == 2)
        CHECK(strstr(g.mail[1], "reminder") != NULL);
    /* a sample of TIDE1 ends it */
    vg_sample s;
    vg_sample_init(&s);
    vg_sample_set_platform(&s, "TIDE1", 5);
    s.time = T0 + 70 * S_US;
    s.received = T0 + 80 * S_US;
    vg_sample_set(&s, VG_P_SLEV, 1.5);
    s.qc[VG_P_SLEV].agg = 1;
    vg_alert_monitor_sample(m, &s, sink, &g);
    CHECK(g.n == 3 && g.state[2] == VG_ALERT_RESOLVED && g.last[2] == T0 + 70 * S_US);
    vg_alert_monitor_tick(m, T0 + 105 * S_US, sink, &g);
    CHECK(g.n == 3);
    /* then silent again, "since" its last sample */
    vg_alert_monitor_tick(m, T0 + 111 * S_US, sink, &g);
    CHECK(g.n == 4 && g.state[3] == VG_ALERT_STARTED && g.since[3] == T0 + 70 * S_US);

    /* reminder of a consecutive rule, and its state kept across a reload */
    g.n = 0;
    mk(&s, 0, -1, 4);
    s.received = T0 + 200 * S_US;
    vg_alert_monitor_sample(m, &s, sink, &g);
    CHECK(g.n == 1 && g.state[0] == VG_ALERT_STARTED);
    vg_alert_monitor_tick(m, T0 + 236 * S_US, sink, &g);
    /* the silence of TIDE1 (since 111 s) gets its reminder too: platform order, then rules */
    CHECK_MSG(g.n == 3 && g.state[1] == VG_ALERT_REMINDER && g.param[1] == VG_P_SSJT,
              "%d events", g.n);
    CHECK(g.state[2] == VG_ALERT_REMINDER && g.param[2] == -1);
    vg_alert_monitor *m2;
    CHECK(vg_alert_monitor_new(cfg, r, T0 + 240 * S_US, &m2, &err) == VG_OK);
    vg_alert_monitor_adopt(m2, m);
    CHECK(vg_alert_monitor_active(m2) == 2); /* stuck on SHIP1, silence of TIDE1 */
    mk(&s, 1, -1, 1);
    vg_alert_monitor_sample(m2, &s, sink, &g);
    CHECK(g.n == 4 && g.state[3] == VG_ALERT_RESOLVED && g.param[3] == VG_P_SSJT);
    vg_alert_monitor_free(m2);

    /* restore after a restart: active again, the next mail is the resolved one */
    vg_alert_monitor *m3;
    CHECK(vg_alert_monitor_new(cfg, r, T0 + 300 * S_US, &m3, &err) == VG_OK);
    CHECK(vg_alert_monitor_restore(m3, "stuck", VG_ALERT_CONSECUTIVE, "SHIP1", VG_P_SSJT, T0,
                                   T0, T0 + 10 * S_US, T0 + 300 * S_US, 42) == VG_OK);
    CHECK(vg_alert_monitor_restore(m3, "quiet", VG_ALERT_SILENT, "TIDE1", -1, T0 + 5 * S_US,
                                   T0 + 5 * S_US, T0 + 5 * S_US, T0 + 300 * S_US, 43) == VG_OK);
    CHECK(vg_alert_monitor_restore(m3, "gone", VG_ALERT_SILENT, "TIDE1", -1, 0, 0, 0, 0, 1) ==
          VG_ERR_NOTFOUND);
    CHECK(vg_alert_monitor_restore(m3, "quiet", VG_ALERT_FRACTION, "TIDE1", -1, 0, 0, 0, 0,
                                   1) == VG_ERR_NOTFOUND);
    CHECK(vg_alert_monitor_restore(m3, "quiet", VG_ALERT_SILENT, "SHIP1", -1, 0, 0, 0, 0, 1) ==
          VG_ERR_NOTFOUND); /* the rule is for TIDE1 only */
    CHECK(vg_alert_monitor_active(m3) == 2);
    g.n = 0;
    mk(&s, 2, -1, 4); /* still bad: no second "started" */
    vg_alert_monitor_sample(m3, &s, sink, &g);
    CHECK(g.n == 0);
    mk(&s, 3, -1, 1);
    s.received = T0 + 310 * S_US;
    vg_alert_monitor_sample(m3, &s, sink, &g);
    CHECK(g.n == 1 && g.state[0] == VG_ALERT_RESOLVED && g.since[0] == T0);
    vg_alert_monitor_tick(m3, T0 + 320 * S_US, sink, &g); /* no repeat of the silence */
    CHECK(g.n == 1);
    vg_alert_monitor_free(m3);
    vg_alert_rules_free(r);
    vg_config_free(cfg);
}

static void test_templates_and_recipients(void)
{
    vg_config *cfg;
    vg_errinfo err = {0};
    vg_alert_rules *r = compile(
        "  templates: {subject: '{state} {platform}/{parameter} ({test}, {type}) {other}',"
        " intro: 'Dear PI,'}\n"
        "  rules:\n"
        "    - {name: s, type: consecutive, test: spike, count: 1,\n"
        "       recipients: [ops@example.org, B@EXAMPLE.ORG]}\n",
        &cfg, &err);
    CHECK_MSG(r != NULL, "%s", err.text);
    if (!r)
        return;
    vg_alert_monitor *m;
    CHECK(vg_alert_monitor_new(cfg, r, T0, &m, &err) == VG_OK);
    got g = {.rules = r};
    vg_sample s;
    mk(&s, 0, test_id("spike"), 4);
    vg_alert_monitor_sample(m, &s, sink, &g);
    CHECK(g.n == 1);
    if (g.n == 1) {
        CHECK(strstr(g.mail[0], "\nrcpt a@example.org\nrcpt b@example.org\n"
                                "rcpt ops@example.org\n\n") != NULL);
        CHECK(strstr(g.mail[0], "Subject: started SHIP1/SSJT (spike, consecutive) {other}\r\n"));
        CHECK(strstr(g.mail[0], "\r\n\r\nDear PI,\r\n\r\nA problem started on SHIP1.\r\n"));
    }
    vg_alert_monitor_free(m);
    vg_alert_rules_free(r);
    vg_config_free(cfg);

    /* digests: an entry per event for a digest recipient, one mail per period */
    r = compile("  digests: [{recipient: B@example.org, period: hourly}]\n"
                "  rules:\n    - {name: s, type: consecutive, test: spike, count: 1}\n",
                &cfg, &err);
    CHECK_MSG(r != NULL, "%s", err.text);
    if (!r)
        return;
    CHECK(vg_alert_digest_period(r, "b@EXAMPLE.org") == 3600);
    CHECK(vg_alert_digest_period(r, "a@example.org") == 0);
    CHECK(vg_alert_monitor_new(cfg, r, T0, &m, &err) == VG_OK);
    /* compose an entry straight from an event */
    vg_alert_event ev = {.rule = &r->rules[0], .platform = &cfg->platforms[0],
                         .param = VG_P_SSJT, .state = VG_ALERT_STARTED, .since = T0,
                         .first = T0, .last = T0, .now = T0 + 5 * S_US, .bad = 1, .seen = 1};
    char *entry = NULL, *digest = NULL;
    size_t elen = 0, dlen = 0;
    CHECK(vg_mail_compose_entry(r, &ev, "b@example.org", 3600, &entry, &elen, &err) == VG_OK);
    vg_mail_entry e[2];
    CHECK(entry && vg_mail_parse_entry(entry, elen, &e[0], &err) == VG_OK);
    CHECK_STR(e[0].rcpt, "b@example.org");
    CHECK(e[0].period_s == 3600);
    CHECK(!strncmp(e[0].text, "Subject: [vigie] SHIP1 SSJT s: started\r\n\r\n", 42));
    e[1] = e[0];
    CHECK(vg_mail_compose_digest(&r->smtp, "b@example.org", e, 2, T0 + 3600 * S_US, 7,
                                 T0 + 3601 * S_US, &digest, &dlen, &err) == VG_OK);
    vg_mail_envelope *denv = malloc(sizeof *denv);
    CHECK(denv && digest && vg_mail_parse(digest, dlen, denv, &err) == VG_OK);
    if (denv && digest) {
        char h[200];
        vg_mail_header(denv->message, "Subject", h, sizeof h);
        CHECK_STR(h, "[vigie] hourly digest to 2026-01-15T01:00:00Z: 2 alerts");
        vg_mail_header(denv->message, "Message-ID", h, sizeof h);
        CHECK_STR(h, "<vigie.digest.1768438800000000.7@example.org>");
        CHECK(strstr(denv->message, "\r\n  1. [vigie] SHIP1 SSJT s: started\r\n  2. ") != NULL);
        CHECK(strstr(denv->message, "\r\n======== 2 ========\r\nA problem started on SHIP1") !=
              NULL);
    }
    free(denv);
    free(entry);
    free(digest);
    static const char *const bad_entries[] = {
        "vigie-digest 1\nrcpt a@b\nperiod 0\n\nx", "vigie-digest 1\nrcpt a@b\n\nx",
        "vigie-digest 1\nrcpt a@b\nperiod 60\nx", "vigie-mail 1\nfrom a@b\n\n"};
    for (size_t i = 0; i < sizeof bad_entries / sizeof bad_entries[0]; i++)
        CHECK_MSG(vg_mail_parse_entry(bad_entries[i], strlen(bad_entries[i]), &e[0], &err) ==
                      VG_ERR_PARSE, "entry case %zu", i);

    /* payload parse errors */
    vg_mail_envelope *env = malloc(sizeof *env);
    static const char *const bad[] = {"", "vigie-mail 2\n", "vigie-mail 1\nfrom a@b\n\nx",
                                      "vigie-mail 1\nrcpt a@b\n\nx", "vigie-mail 1\nfoo\n\nx",
                                      "vigie-mail 1\nfrom a@b\nrcpt c@d\n"};
    for (size_t i = 0; env && i < sizeof bad / sizeof bad[0]; i++)
        CHECK_MSG(vg_mail_parse(bad[i], strlen(bad[i]), env, &err) == VG_ERR_PARSE, "case %zu",
                  i);
    free(env);
    vg_alert_monitor_free(m);
    vg_alert_rules_free(r);
    vg_config_free(cfg);
}

static void test_credentials(void)
{
    char path[] = "/tmp/vigie-cred-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    CHECK(write(fd, "user\npass word\n", 15) == 15);
    close(fd);
    char u[64], p[64];
    vg_errinfo err = {0};
    static const struct { mode_t mode; vg_err rc; } cases[] = {
        {0600, VG_OK}, {0640, VG_OK}, {0400, VG_OK}, {0644, VG_ERR_CONFIG},
        {0602, VG_ERR_CONFIG}, {0601, VG_ERR_CONFIG},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chmod(path, cases[i].mode);
        CHECK_MSG(vg_smtp_credentials(path, u, p, sizeof u, &err) == cases[i].rc,
                  "mode %o: %s", (unsigned)cases[i].mode, err.text);
    }
    chmod(path, 0600);
    CHECK(vg_smtp_credentials(path, u, p, sizeof u, &err) == VG_OK);
    CHECK_STR(u, "user");
    CHECK_STR(p, "pass word");
    chmod(path, 0644);
    vg_smtp_credentials(path, u, p, sizeof u, &err);
    CHECK(strstr(err.text, "(mode 0644): refusing to use it; run 'chmod o-rwx") != NULL);
    unlink(path);
    CHECK(vg_smtp_credentials(path, u, p, sizeof u, &err) == VG_ERR_CONFIG);
}

/* Throughput of the monitor: samples of 2 parameters through 3 rules, no event. */
static void bench_monitor(void)
{
    vg_config *cfg;
    vg_errinfo err = {0};
    vg_alert_rules *r = compile("  rules:\n"
                                "    - {name: a, type: consecutive, test: stuck_value, count: 5}\n"
                                "    - {name: b, type: fraction, window: 360, fraction: 0.5}\n"
                                "    - {name: c, type: silent}\n",
                                &cfg, &err);
    if (!r)
        return;
    vg_alert_monitor *m;
    if (vg_alert_monitor_new(cfg, r, T0, &m, &err) != VG_OK)
        return;
    got g = {0};
    const int n = 1000000;
    vg_sample s;
    mk(&s, 0, -1, 1);
    vg_sample_set(&s, VG_P_SSPS, 35.0);
    s.qc[VG_P_SSPS].agg = 1;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int k = 0; k < n; k++) {
        s.time += 10 * S_US;
        vg_alert_monitor_sample(m, &s, sink, &g);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double dt = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("bench: alert monitor: %.0f samples/s (2 parameters, 3 rules; %d events)\n", n / dt,
           g.n);
    CHECK(g.n == 0);
    vg_alert_monitor_free(m);
    vg_alert_rules_free(r);
    vg_config_free(cfg);
}

/* ---- event rules ------------------------------------------------------------------- */

static void test_event_rules(void)
{
    vg_config *cfg;
    vg_errinfo err = {0};
    vg_alert_rules *r = compile(
        "  templates: {intro: 'Dear PI,'}\n"
        "  rules:\n"
        "    - {name: sl, type: event, events: [datum_shift, clock_offset], kind: tide_gauge,\n"
        "       parameters: [SLEV], recipients: [ops@example.org]}\n"
        "    - {name: st, type: consecutive, test: any, count: 1}\n",
        &cfg, &err);
    CHECK_MSG(r != NULL, "%s", err.text);
    if (!r)
        return;
    CHECK(r->n_rules == 2 && r->rules[0].type == VG_ALERT_EVENT);
    CHECK(r->rules[0].events == (1u << VG_EVENT_DATUM_SHIFT | 1u << VG_EVENT_CLOCK_OFFSET));
    CHECK(r->rules[0].params == VG_PARAM_BIT(VG_P_SLEV));
    CHECK_STR(vg_alert_type_name(VG_ALERT_EVENT), "event");
    const vg_platform_cfg *tide = vg_config_platform(cfg, "TIDE1");
    CHECK(vg_alert_rule_matches(&r->rules[0], tide));
    CHECK(!vg_alert_rule_matches(&r->rules[0], vg_config_platform(cfg, "SHIP1")));

    /* the monitor leaves event rules alone: a bad SLEV value starts only rule st */
    vg_alert_monitor *m;
    CHECK(vg_alert_monitor_new(cfg, r, T0, &m, &err) == VG_OK);
    got g = {.rules = r};
    vg_sample s;
    vg_sample_init(&s);
    vg_sample_set_platform(&s, "TIDE1", 5);
    s.time = T0;
    s.received = T0;
    vg_sample_set(&s, VG_P_SLEV, 1.0);
    s.qc[VG_P_SLEV].agg = 4;
    vg_alert_monitor_sample(m, &s, sink, &g);
    vg_alert_monitor_tick(m, T0 + 3600 * S_US, sink, &g);
    CHECK_MSG(g.n == 1, "%d events", g.n);
    vg_alert_monitor_free(m);

    vg_event ev = {.param = VG_P_SLEV, .kind = VG_EVENT_DATUM_SHIFT, .first = T0,
                   .last = T0 + 86400 * S_US, .detected = T0 + 2 * 86400 * S_US,
                   .magnitude = 0.081, .score = 4.5};
    snprintf(ev.platform, sizeof ev.platform, "TIDE1");
    snprintf(ev.units, sizeof ev.units, "m");
    snprintf(ev.text, sizeof ev.text, "TIDE1: datum shift of SLEV by +0.081 m");
    vg_alert_event ae = {.rule = &r->rules[0], .platform = tide, .param = VG_P_SLEV};
    const char *rcpt[VG_MAIL_RCPT_MAX];
    size_t n = vg_mail_recipients(r, &ae, rcpt);
    CHECK(n == 1 && !strcmp(rcpt[0], "ops@example.org")); /* TIDE1 has no pi */
    char *payload = NULL;
    size_t len = 0;
    CHECK(vg_mail_compose_event(r, &r->rules[0], tide, &ev, T0 + 3 * 86400 * S_US, rcpt, n,
                                &payload, &len, &err) == VG_OK);
    if (payload) {
        CHECK(strstr(payload, "Subject: [vigie] TIDE1 SLEV sl: datum_shift\r\n"));
        CHECK(strstr(payload, "Message-ID: <vigie.sl.TIDE1.SLEV.1768435200000000.datum_shift"
                              "@example.org>\r\n"));
        CHECK(strstr(payload, "X-Vigie-Event: datum_shift\r\n"));
        CHECK(strstr(payload, "\r\n\r\nDear PI,\r\n\r\nA datum_shift was found on TIDE1."));
        CHECK(strstr(payload, "The mean level stepped by +0.081 m from 2026-01-15T00:00:00Z on"));
        CHECK(strstr(payload, "Magnitude:  0.081 m\r\nScore:      4.5\r\n"));
        CHECK(strstr(payload, "Found:      on the data up to 2026-01-17T00:00:00Z"));
        CHECK(strstr(payload, "  vigie dump -c t.yaml --events --platform TIDE1\r\n"));
        CHECK(strstr(payload, "  vigie dump -c t.yaml --platform TIDE1 --param SLEV --from "
                              "2026-01-15T00:00:00Z\r\n"));
        vg_mail_envelope *env = malloc(sizeof *env);
        CHECK(env && vg_mail_parse(payload, len, env, &err) == VG_OK && env->n_rcpt == 1);
        free(env);
    }
    free(payload);

    /* templates.html: a multipart/alternative of the text and its HTML form */
    r->html = true;
    free(r->intro);
    r->intro = strdup("Dear <PI> & co,");
    CHECK(vg_mail_compose_event(r, &r->rules[0], tide, &ev, T0, rcpt, n, &payload, &len,
                                &err) == VG_OK);
    if (payload) {
        CHECK(strstr(payload, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; "
                              "boundary=\"=_vigie_alt\"\r\n\r\n--=_vigie_alt\r\n"
                              "Content-Type: text/plain; charset=utf-8\r\n"));
        CHECK(strstr(payload, "\r\n\r\nDear <PI> & co,\r\n"));
        CHECK(strstr(payload, "--=_vigie_alt\r\nContent-Type: text/html; charset=utf-8\r\n"));
        CHECK(strstr(payload, "<h3>[vigie] TIDE1 SLEV sl: datum_shift</h3>\r\n<pre>Dear &lt;PI&gt; "
                              "&amp; co,\r\n"));
        CHECK(strstr(payload, "</pre>\r\n</body></html>\r\n\r\n--=_vigie_alt--\r\n"));
    }
    free(payload);
    r->html = false;
    ev.kind = VG_EVENT_CLOCK_OFFSET;
    ev.magnitude = -3.0;
    snprintf(ev.units, sizeof ev.units, "min");
    CHECK(vg_mail_compose_event_entry(r, &r->rules[0], tide, &ev, T0, "d@example.org", 3600,
                                      &payload, &len, &err) == VG_OK);
    if (payload) {
        vg_mail_entry e;
        CHECK(vg_mail_parse_entry(payload, len, &e, &err) == VG_OK && e.period_s == 3600);
        CHECK(strstr(payload, "Subject: [vigie] TIDE1 SLEV sl: clock_offset\r\n"));
        CHECK(strstr(payload, "The observed tide is 3.0 min early on the prediction"));
        CHECK(strstr(payload, "probably slow by that much"));
    }
    free(payload);
    vg_alert_rules_free(r);
    vg_config_free(cfg);
}

int main(void)
{
    test_compile();
    test_compile_errors();
    test_consecutive();
    test_fraction();
    test_silent_and_reminders();
    test_templates_and_recipients();
    test_credentials();
    test_event_rules();
    bench_monitor();
    return check_summary();
}
