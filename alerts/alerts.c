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

/* "RULE PLATFORM KIND FIRST": a QC event as mailed by one rule */
#define ALERTS_EVENT_KEY (VG_ALERT_NAME_MAX + VG_PLATFORM_MAX + 16 + 24)

struct vg_alerts {
    const vg_config *cfg;
    const vg_alert_rules *rules;
    vg_store *store;
    vg_outbox *outbox;
    vg_alert_monitor *monitor;
    vg_alert_sender *sender;
    vg_alerts_stats stats; /* events, queued, errors: engine thread only */
    char (*mailed)[ALERTS_EVENT_KEY]; /* the QC events mailed (VG_EVENT_SEEN_QUEUE), keys */
    bool in_tick;   /* inside vg_alerts_tick: the first event opens a batch (tick_batch) */
    bool tick_batch; /* that batch is open: committed at the end of the tick */
    size_t n_mailed, cap_mailed;
    vg_alerts_attach_fn attach; /* alerts.attach_plot: draws the mail's plot (the daemon) */
    void *attach_ctx;
};

void vg_alerts_set_attach(vg_alerts *a, vg_alerts_attach_fn fn, void *ctx)
{
    a->attach = fn;
    a->attach_ctx = ctx;
}

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
    vg_errinfo te;
    if (a->in_tick && !a->tick_batch && !vg_store_in_batch(a->store)) {
        /* the alerts of one tick (silences, reminders) land together, in one commit */
        if (vg_store_begin(a->store, &te) == VG_OK)
            a->tick_batch = true;
        else
            vg_warn("alerts: no batch for this tick's alerts (each is committed alone): %s",
                    te.text);
    }
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
    /* alerts.attach_plot: the daemon's plot of the parameter; without it, the mail as ever */
    vg_alerts_file f = {.data = NULL};
    vg_mail_attachment att = {0};
    size_t n_att = 0;
    if (a->attach && a->rules->attach_plot && ev->param >= 0) {
        if (a->attach(a->attach_ctx, ev, a->rules->attach_plot_hours, &f, &e) == VG_OK) {
            att = (vg_mail_attachment){f.content_type, f.filename, f.data, f.len};
            n_att = 1;
        } else {
            vg_warn("alert of rule %s on %s: sent without its plot: %s", ev->rule->name,
                    ev->platform->id, e.text);
        }
    }
    vg_err crc = vg_mail_compose_with(a->rules, ev, now_rcpt, n_now, &att, n_att, &payload,
                                      &len, &e);
    if (crc != VG_OK && n_att) { /* a plot the mail refuses must not cost the alert */
        vg_warn("alert of rule %s on %s: sent without its plot: %s", ev->rule->name,
                ev->platform->id, e.text);
        crc = vg_mail_compose_with(a->rules, ev, now_rcpt, n_now, NULL, 0, &payload, &len, &e);
    }
    free(f.data);
    if (crc != VG_OK ||
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

/* ---- QC events (event rules) -------------------------------------------------------------- */

/* The end of a silence is a second mail: its key says "end". */
static void alerts__event_key(char *key, const char *rule, const char *platform,
                              const vg_event *ev)
{
    snprintf(key, ALERTS_EVENT_KEY, "%s %s %s %lld%s", rule, platform,
             vg_event_kind_name(ev->kind), (long long)ev->first,
             vg_event_silence_ended(ev) ? " end" : "");
}

static bool alerts__mailed(const vg_alerts *a, const char *key)
{
    for (size_t i = a->n_mailed; i-- > 0;)
        if (!strcmp(a->mailed[i], key))
            return true;
    return false;
}

static bool alerts__remember(vg_alerts *a, const char *key)
{
    if (a->n_mailed == a->cap_mailed) {
        size_t cap = a->cap_mailed ? 2 * a->cap_mailed : 64;
        void *p = realloc(a->mailed, cap * sizeof *a->mailed);
        if (!p)
            return false;
        a->mailed = p;
        a->cap_mailed = cap;
    }
    snprintf(a->mailed[a->n_mailed++], ALERTS_EVENT_KEY, "%s", key);
    return true;
}

/* Walk callback over VG_EVENT_SEEN_QUEUE at start: "vigie-event-mailed 1 KEY\n". */
static int alerts__load_mailed(void *ctx, const vg_outbox_item *it)
{
    static const char head[] = "vigie-event-mailed 1 ";
    const char *p = (const char *)it->payload;
    if (it->len > sizeof head && !strncmp(p, head, sizeof head - 1)) {
        char key[ALERTS_EVENT_KEY];
        snprintf(key, sizeof key, "%.*s", (int)strcspn(p + sizeof head - 1, "\n"),
                 p + sizeof head - 1);
        if (!alerts__remember(ctx, key))
            return 1;
    }
    return 0;
}

/* Queue ev's mail (and digest entries) for rule r on platform pl, with the record that it
 * was mailed, into the store's open batch. Returns false (logged) on failure. */
static bool alerts__event_mail(vg_alerts *a, const vg_alert_rule *r, const vg_platform_cfg *pl,
                               const vg_event *ev, const char *key, vg_time_us now)
{
    vg_alert_event ae = {.rule = r, .platform = pl, .param = (int)ev->param};
    const char *rcpt[VG_MAIL_RCPT_MAX], *now_rcpt[VG_MAIL_RCPT_MAX];
    size_t n = vg_mail_recipients(a->rules, &ae, rcpt), n_now = 0;
    char rec[16 + ALERTS_EVENT_KEY + 8];
    int rn = snprintf(rec, sizeof rec, "vigie-event-mailed 1 %s\n", key);
    vg_errinfo e;
    if (vg_outbox_put(a->outbox, a->store, VG_EVENT_SEEN_QUEUE, rec, (size_t)rn, now, NULL,
                      &e) != VG_OK)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        int period = vg_alert_digest_period(a->rules, rcpt[i]);
        if (!period) {
            now_rcpt[n_now++] = rcpt[i];
            continue;
        }
        char *entry = NULL;
        size_t elen = 0;
        vg_err rc = vg_mail_compose_event_entry(a->rules, r, pl, ev, now, rcpt[i], period,
                                                &entry, &elen, &e);
        if (rc == VG_OK)
            rc = vg_outbox_put(a->outbox, a->store, VG_DIGEST_QUEUE, entry, elen, now, NULL,
                               &e);
        free(entry);
        if (rc != VG_OK)
            goto fail;
    }
    if (n_now) {
        char *payload = NULL;
        size_t len = 0;
        uint64_t id = 0;
        vg_err rc = vg_mail_compose_event(a->rules, r, pl, ev, now, now_rcpt, n_now, &payload,
                                          &len, &e);
        if (rc == VG_OK)
            rc = vg_outbox_put(a->outbox, a->store, VG_ALERT_QUEUE, payload, len, now, &id,
                               &e);
        free(payload);
        if (rc != VG_OK)
            goto fail;
        a->stats.queued++;
        vg_info("event mail %llu queued for %zu recipient(s)", (unsigned long long)id, n_now);
    }
    return true;
fail:
    a->stats.errors++;
    vg_error("event %s on %s (rule %s) could not be queued: %s", vg_event_kind_name(ev->kind),
             pl->id, r->name, e.text);
    return false;
}

void vg_alerts_event(vg_alerts *a, const vg_event *ev, vg_time_us now)
{
    if (!a)
        return;
    const vg_platform_cfg *pl = vg_config_platform(a->cfg, ev->platform);
    if (!pl || (unsigned)ev->kind >= 32)
        return;
    for (size_t ri = 0; ri < a->rules->n_rules; ri++) {
        const vg_alert_rule *r = &a->rules->rules[ri];
        if (r->type != VG_ALERT_EVENT || !(r->events & (1u << ev->kind)) ||
            (r->params && !(r->params & VG_PARAM_BIT(ev->param))) ||
            !vg_alert_rule_matches(r, pl))
            continue;
        char key[ALERTS_EVENT_KEY];
        alerts__event_key(key, r->name, pl->id, ev);
        if (alerts__mailed(a, key)) {
            vg_info("event %s on %s (rule %s): found again, mailed already",
                    vg_event_kind_name(ev->kind), pl->id, r->name);
            continue;
        }
        a->stats.events++;
        vg_notice("alert event: rule %s, platform %s, %s", r->name, pl->id,
                  vg_event_kind_name(ev->kind));
        /* In the engine's batch when one is open (it commits with the samples), else in a
         * batch of its own: the mail and its record land together or not at all. */
        bool own = !vg_store_in_batch(a->store);
        vg_errinfo e;
        if (own && vg_store_begin(a->store, &e) != VG_OK) {
            a->stats.errors++;
            vg_error("event %s on %s (rule %s) could not be queued: %s",
                     vg_event_kind_name(ev->kind), pl->id, r->name, e.text);
            continue;
        }
        bool ok = alerts__event_mail(a, r, pl, ev, key, now);
        if (own && !ok) {
            vg_store_abort(a->store);
        } else if (own && vg_store_commit(a->store, &e) != VG_OK) {
            ok = false;
            a->stats.errors++;
            vg_error("event %s on %s (rule %s): committing its mail: %s",
                     vg_event_kind_name(ev->kind), pl->id, r->name, e.text);
        }
        if (ok && !alerts__remember(a, key))
            vg_warn("alerts: out of memory: event %s on %s may be mailed again before the "
                    "next restart", vg_event_kind_name(ev->kind), pl->id);
    }
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
    if ((rc = vg_outbox_walk(a->outbox, VG_EVENT_SEEN_QUEUE, alerts__load_mailed, a, err)) !=
            VG_OK) {
        vg_alerts_stop(a);
        return rc;
    }
    if (a->n_mailed)
        vg_info("alerts: %zu QC event(s) mailed before", a->n_mailed);
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
    a->in_tick = true;
    vg_alert_monitor_tick(a->monitor, now, alerts__event, a);
    a->in_tick = false;
    vg_errinfo e;
    if (a->tick_batch && vg_store_commit(a->store, &e) != VG_OK) {
        a->stats.errors++;
        vg_error("alerts: committing this tick's alerts (they are lost; a silence is "
                 "reported again at the next start): %s", e.text);
    }
    a->tick_batch = false;
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
    free(a->mailed);
    free(a);
}
