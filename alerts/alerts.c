/* alerts.c: the daemon's alerting object (alerts.h): monitor events become mails in the
 * outbox (inside the store's batch when one is open), and the sender thread delivers them. */
#include "alerts/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/message.h"
#include "alerts/monitor.h"
#include "alerts/sender.h"
#include "alerts/smtp.h"
#include "core/log.h"
#include "core/params.h"
#include "storage/outbox.h"

struct vg_alerts {
    const vg_config *cfg;
    const vg_alert_rules *rules;
    vg_store *store;
    vg_outbox *outbox;
    vg_alert_monitor *monitor;
    vg_alert_sender *sender;
    vg_alerts_stats stats; /* events, queued, errors: engine thread only */
};

/* The durable record of an active problem (queue VG_STATE_QUEUE), so that a restart
 * neither repeats its "started" mail nor forgets its "resolved" one:
 * "vigie-state 1 TYPE RULE PLATFORM PARAM SINCE FIRST LAST\n" (PARAM a code or "-", times
 * in UTC microseconds). */
static void alerts__record(vg_alerts *a, const vg_alert_event *ev)
{
    vg_errinfo e;
    if (ev->state == VG_ALERT_STARTED) {
        char rec[256];
        const vg_param_info *pi = ev->param >= 0 ? vg_param_get((vg_param)ev->param) : NULL;
        int n = snprintf(rec, sizeof rec, "vigie-state 1 %s %s %s %s %lld %lld %lld\n",
                         vg_alert_type_name(ev->rule->type), ev->rule->name, ev->platform->id,
                         pi ? pi->code : "-", (long long)ev->since, (long long)ev->first,
                         (long long)ev->last);
        if (vg_outbox_put(a->outbox, a->store, VG_STATE_QUEUE, rec, (size_t)n, ev->now,
                          ev->record, &e) != VG_OK)
            vg_error("alert of rule %s on %s: its state could not be recorded (a restart "
                     "would report it again): %s", ev->rule->name, ev->platform->id, e.text);
    } else if (ev->state == VG_ALERT_RESOLVED && *ev->record) {
        if (vg_outbox_remove(a->outbox, a->store, VG_STATE_QUEUE, *ev->record, &e) != VG_OK)
            vg_error("alert of rule %s on %s: its state record %llu could not be removed: %s",
                     ev->rule->name, ev->platform->id, (unsigned long long)*ev->record, e.text);
        *ev->record = 0;
    }
}

struct alerts_restore {
    vg_alerts *a;
    vg_time_us now;
    size_t restored;
    uint64_t stale[64];
    size_t n_stale;
};

/* Walk callback over VG_STATE_QUEUE at start: make each recorded problem active again. */
static int alerts__restore_one(void *ctx, const vg_outbox_item *it)
{
    struct alerts_restore *rs = ctx;
    char type[16], rule[VG_ALERT_NAME_MAX], platform[VG_PLATFORM_MAX], param[16];
    long long since, first, last;
    int t = -1, p = -1;
    if (sscanf((const char *)it->payload, "vigie-state 1 %15s %31s %31s %15s %lld %lld %lld",
               type, rule, platform, param, &since, &first, &last) == 7) {
        for (int k = 0; k < 3; k++)
            if (!strcmp(type, vg_alert_type_name((vg_alert_type)k)))
                t = k;
        p = strcmp(param, "-") ? vg_param_lookup(param, strlen(param)) : -1;
    }
    if (t >= 0 && (p >= 0 || !strcmp(param, "-")) &&
        vg_alert_monitor_restore(rs->a->monitor, rule, (vg_alert_type)t, platform, p, since,
                                 first, last, rs->now, it->id) == VG_OK) {
        rs->restored++;
    } else if (rs->n_stale < sizeof rs->stale / sizeof rs->stale[0]) {
        rs->stale[rs->n_stale++] = it->id; /* its rule or platform is gone */
    }
    return 0;
}

/* Monitor sink: compose the mail and put it in the outbox. */
static void alerts__event(void *ctx, const vg_alert_event *ev)
{
    vg_alerts *a = ctx;
    a->stats.events++;
    alerts__record(a, ev);
    const char *rcpt[VG_MAIL_RCPT_MAX];
    size_t n = vg_mail_recipients(a->rules, ev, rcpt);
    static const char *const what[] = {"started", "resolved", "reminder"};
    const vg_param_info *pi = ev->param >= 0 ? vg_param_get((vg_param)ev->param) : NULL;
    vg_notice("alert %s: rule %s, platform %s%s%s", what[ev->state], ev->rule->name,
              ev->platform->id, pi ? ", parameter " : "", pi ? pi->code : "");
    if (n == 0) {
        vg_warn("alert of rule %s on %s: nobody to tell (no pi for the platform and no "
                "recipients in the rule, line %d)", ev->rule->name, ev->platform->id,
                ev->rule->line);
        return;
    }
    /* digest recipients get an entry of their next digest; the others the mail now */
    const char *now_rcpt[VG_MAIL_RCPT_MAX];
    size_t n_now = 0;
    vg_errinfo e;
    for (size_t i = 0; i < n; i++) {
        int period = vg_alert_digest_period(a->rules, rcpt[i]);
        if (!period) {
            now_rcpt[n_now++] = rcpt[i];
            continue;
        }
        char *entry = NULL;
        size_t elen = 0;
        if (vg_mail_compose_entry(a->rules, ev, rcpt[i], period, &entry, &elen, &e) != VG_OK ||
            vg_outbox_put(a->outbox, a->store, VG_DIGEST_QUEUE, entry, elen, ev->now, NULL,
                          &e) != VG_OK) {
            a->stats.errors++;
            vg_error("alert of rule %s on %s could not be queued for the digest of %s: %s",
                     ev->rule->name, ev->platform->id, rcpt[i], e.text);
        }
        free(entry);
    }
    if (n_now == 0)
        return;
    char *payload = NULL;
    size_t len = 0;
    uint64_t id = 0;
    if (vg_mail_compose(a->rules, ev, now_rcpt, n_now, &payload, &len, &e) != VG_OK ||
        vg_outbox_put(a->outbox, a->store, VG_ALERT_QUEUE, payload, len, ev->now, &id, &e) !=
            VG_OK) {
        a->stats.errors++;
        vg_error("alert of rule %s on %s could not be queued: %s", ev->rule->name,
                 ev->platform->id, e.text);
    } else {
        a->stats.queued++;
        vg_info("alert mail %llu queued for %zu recipient(s)", (unsigned long long)id, n_now);
    }
    free(payload);
}

vg_err vg_alerts_start(const vg_config *cfg, const vg_alert_rules *r, vg_store *store,
                       vg_time_us now, vg_alerts **out, vg_errinfo *err)
{
    *out = NULL;
    vg_err rc = vg_smtp_check(&r->smtp, err);
    if (rc != VG_OK)
        return rc;
    vg_alerts *a = calloc(1, sizeof *a);
    if (!a)
        return vg_fail(err, VG_ERR_NOMEM, "alerts: out of memory");
    a->cfg = cfg;
    a->rules = r;
    a->store = store;
    if ((rc = vg_outbox_open(cfg->storage_path, cfg->cache_mb, VG_OUTBOX_DAEMON, &a->outbox,
                             err)) != VG_OK ||
        (rc = vg_alert_monitor_new(cfg, r, now, &a->monitor, err)) != VG_OK ||
        (rc = vg_alert_sender_start(&r->smtp, a->outbox, &a->sender, err)) != VG_OK) {
        vg_alerts_stop(a);
        return rc;
    }
    struct alerts_restore rs = {.a = a, .now = now};
    if ((rc = vg_outbox_walk(a->outbox, VG_STATE_QUEUE, alerts__restore_one, &rs, err)) !=
        VG_OK) {
        vg_alerts_stop(a);
        return rc;
    }
    vg_errinfo e;
    for (size_t i = 0; i < rs.n_stale; i++)
        if (vg_outbox_remove(a->outbox, NULL, VG_STATE_QUEUE, rs.stale[i], &e) != VG_OK)
            vg_warn("alerts: a stale state record stays: %s", e.text);
    if (rs.restored || rs.n_stale)
        vg_notice("alerts: %zu problem(s) still active from before the restart%s", rs.restored,
                  rs.n_stale ? " (records of removed rules or platforms dropped)" : "");
    size_t pending = 0;
    if (vg_outbox_count(a->outbox, VG_ALERT_QUEUE, &pending, &e) == VG_OK && pending)
        vg_notice("alerts: %zu mail(s) waiting in the outbox from before", pending);
    *out = a;
    return VG_OK;
}

void vg_alerts_sample(vg_alerts *a, const vg_sample *s)
{
    if (a)
        vg_alert_monitor_sample(a->monitor, s, alerts__event, a);
}

void vg_alerts_tick(vg_alerts *a, vg_time_us now)
{
    if (!a)
        return;
    vg_alert_monitor_tick(a->monitor, now, alerts__event, a);
    vg_alert_sender_wake(a->sender);
}

vg_err vg_alerts_reconfigure(vg_alerts *a, const vg_config *cfg, const vg_alert_rules *r,
                             vg_time_us now, vg_errinfo *err)
{
    vg_err rc = vg_smtp_check(&r->smtp, err);
    vg_alert_monitor *m = NULL;
    if (rc == VG_OK)
        rc = vg_alert_monitor_new(cfg, r, now, &m, err);
    if (rc != VG_OK)
        return rc;
    vg_alert_monitor_adopt(m, a->monitor);
    a->monitor = m;
    a->cfg = cfg;
    a->rules = r;
    vg_alert_sender_configure(a->sender, &r->smtp);
    return VG_OK;
}

vg_alerts_stats vg_alerts_get_stats(vg_alerts *a)
{
    vg_alerts_stats st = a->stats;
    vg_alert_sender_stats ss = vg_alert_sender_get_stats(a->sender);
    st.sent = ss.sent;
    st.failed = ss.failed;
    return st;
}

void vg_alerts_stop(vg_alerts *a)
{
    if (!a)
        return;
    vg_alert_sender_stop(a->sender);
    vg_alert_monitor_free(a->monitor);
    vg_errinfo e;
    if (vg_outbox_close(a->outbox, &e) != VG_OK)
        vg_error("alerts: closing the outbox: %s", e.text);
    free(a);
}
