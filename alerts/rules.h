/* rules.h: the compiled `alerts:` section: delivery settings (SMTP server, STARTTLS,
 * credentials file, time-outs, retry schedule), reminder, templates and the alert rules
 * (which samples of which platforms raise an alert, and when it ends). core/config.c keeps
 * the section as a YAML node (like `qc:`); vg_alert_rules_compile turns it into this
 * table with "FILE:LINE: reason" errors. Exact semantics: docs/alerts.md. */
#ifndef VIGIE_ALERTS_RULES_H
#define VIGIE_ALERTS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/error.h"
#include "core/sample.h"

#define VG_ALERT_NAME_MAX 32 /* rule name with its NUL: 1..31 of [A-Za-z0-9_-] */

typedef enum vg_alert_type {
    VG_ALERT_CONSECUTIVE, /* N consecutive values flagged 3/4 by one test */
    VG_ALERT_FRACTION,    /* a fraction of values flagged 3/4 over the last W values */
    VG_ALERT_SILENT,      /* no sample for longer than interval_s x factor (timer) */
    VG_ALERT_EVENT,       /* a QC event (core/event.h) newly found: one mail per event */
} vg_alert_type;

typedef enum vg_starttls {
    VG_STARTTLS_OFF,           /* never, even if offered */
    VG_STARTTLS_OPPORTUNISTIC, /* when the server offers it */
    VG_STARTTLS_REQUIRED,      /* refuse to send when the server does not offer it */
} vg_starttls;

/* What the test ids of the QC registry are called and what they check (the daemon fills
 * it from qc/, which alerts/ does not link). Indexed by test id; NULL where no test. */
typedef struct vg_alert_tests {
    const char *name[VG_QC_MAX_TESTS];
    const char *summary[VG_QC_MAX_TESTS];
} vg_alert_tests;

typedef struct vg_alert_rule {
    char name[VG_ALERT_NAME_MAX]; /* rules[].name, unique; in subjects and Message-IDs */
    vg_alert_type type;           /* rules[].type */
    int kind;                     /* rules[].kind: a vg_platform_kind, -1 = every kind */
    char platform[VG_PLATFORM_MAX]; /* rules[].platform: "" = every platform */
    uint32_t params;              /* rules[].parameters as VG_PARAM_BIT set; 0 = every one */
    int test;                     /* rules[].test: a test id; -1 = any (the aggregate flag) */
    unsigned count;               /* consecutive: values to start, 1..100000 */
    unsigned clear_count;         /* consecutive: good values to end, 1..100000 (= count) */
    unsigned window;              /* fraction: values in the window, 2..10000 */
    double fraction;              /* fraction: start at >= this, 0 < f <= 1 */
    double clear_fraction;        /* fraction: end below this, 0 <= f < fraction (f/2) */
    double factor;                /* silent: x the platform's interval_s, 1..10000 (3) */
    uint32_t events;              /* event: rules[].events, set of 1u << vg_event_kind
                                     (required, not empty) */
    bool to_pi;                   /* rules[].pi: mail the platforms' pi lists (true) */
    char **recipients;            /* rules[].recipients: extra addresses, owned */
    size_t n_recipients;
    int line;                     /* 1-based line of the rule in the file */
} vg_alert_rule;

/* A recipient who gets one digest mail per period instead of immediate mails. */
typedef struct vg_alert_digest {
    char rcpt[256];   /* digests[].recipient */
    int period_s;     /* digests[].period: hourly (3600), daily (86400) or seconds 1..86400;
                       * periods are aligned on 1970-01-01T00:00Z (days end at 00:00 UTC) */
} vg_alert_digest;

/* SMTP delivery settings: fixed-size, so that the sender thread keeps its own copy. */
typedef struct vg_smtp_cfg {
    char server[320];             /* "host:port" from alerts.smtp_host and smtp_port */
    char from[256];               /* alerts.from ("vigie@localhost" if absent) */
    vg_starttls starttls;         /* alerts.smtp.starttls (opportunistic) */
    char credentials[1024];       /* alerts.smtp.credentials: file path; "" = no AUTH */
    char ca_file[1024];           /* alerts.smtp.ca_file: PEM file of the CAs trusted for the
                                     server's certificate, besides the system's; "" = none */
    double timeout_s;             /* alerts.smtp.timeout_s: each SMTP step, 1..600 (30) */
    double retry_base_s;          /* alerts.smtp.retry_base_s: first back-off, 0.1..86400 (30) */
    double retry_max_s;           /* alerts.smtp.retry_max_s: longest back-off (3600) */
} vg_smtp_cfg;

typedef struct vg_alert_rules {
    bool enabled;                 /* alerts.enabled */
    vg_smtp_cfg smtp;
    double reminder_h;            /* alerts.reminder_h: 0 = no reminder (0), else up to 8760 */
    char *subject;                /* alerts.templates.subject, owned (see docs/alerts.md) */
    char *intro;                  /* alerts.templates.intro: first paragraph, owned ("") */
    bool html;                    /* alerts.templates.html: add a text/html alternative of
                                     the text to alert and event mails (false) */
    bool attach_plot;             /* alerts.attach_plot: alert mails about a parameter get a
                                     PNG plot of it, drawn by the daemon (false) */
    double attach_plot_hours;     /* alerts.attach_plot_hours: hours it shows, 1..720 (24) */
    vg_alert_rule *rules;         /* owned array */
    size_t n_rules;
    vg_alert_digest *digests;     /* alerts.digests, owned array */
    size_t n_digests;
    char *config_path;            /* the configuration file, owned (for the dump command) */
    vg_alert_tests tests;         /* names and summaries, borrowed strings */
} vg_alert_rules;

/* Compile cfg's `alerts:` section (cfg->alerts_node and the scalar alerts.* options).
 * tests names the QC tests (borrowed: must outlive *out). Every rule must name a known
 * test, parameter, kind and platform; unknown keys are errors. On success *out is owned by
 * the caller (vg_alert_rules_free); on failure VG_ERR_CONFIG with "FILE:LINE: reason".
 * Without an `alerts:` section: no rules, alerts disabled. */
vg_err vg_alert_rules_compile(const vg_config *cfg, const vg_alert_tests *tests,
                              vg_alert_rules **out, vg_errinfo *err);

void vg_alert_rules_free(vg_alert_rules *r);

/* The digest period (s) of recipient addr (compared without case), or 0: immediate mails. */
int vg_alert_digest_period(const vg_alert_rules *r, const char *addr);

/* "consecutive", "fraction", "silent", "event". */
const char *vg_alert_type_name(vg_alert_type t);

/* True if rule r applies to platform pl. */
bool vg_alert_rule_matches(const vg_alert_rule *r, const vg_platform_cfg *pl);

#endif
