/* sender.c: the delivery thread of alert mails (sender.h). One loop: take up to
 * SENDER_BATCH due mails from the outbox, send them in one SMTP session, mark each sent or
 * failed, then sleep
 * until the next one is due, a wake-up, or SENDER_POLL_US (mails committed by the engine's
 * batch after the last wake-up are found then). A session failure (server down, time-out,
 * TLS or AUTH refused) counts as an attempt of every mail of the round, so that a dead
 * server costs one connection per round, not one per mail. Then the digests whose period is
 * over, one mail per recipient. */
#include "alerts/sender.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alerts/message.h"
#include "alerts/smtp.h"
#include "core/log.h"

#define SENDER_BATCH 16
#define SENDER_DIGEST_MAX 1000 /* digest entries read per round */
#define SENDER_POLL_US 1000000 /* longest sleep: the outbox is read at least once a second */

struct vg_alert_sender {
    vg_smtp_cfg cfg;   /* guarded by lock; the thread works on a copy */
    vg_outbox *outbox;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop, woken;
    vg_alert_sender_stats stats;
};

/* Mark item failed; logs what happens next. */
static void sender__failed(vg_alert_sender *s, const vg_smtp_cfg *cfg,
                           const vg_outbox_item *it, const char *why)
{
    vg_outbox_backoff b = {.base_s = cfg->retry_base_s, .cap_s = cfg->retry_max_s};
    vg_time_us next = VG_TIME_NONE;
    vg_errinfo e;
    const char *what = strcmp(it->queue, VG_DIGEST_QUEUE) ? "alert mail" : "digest entry";
    if (vg_outbox_mark_failed(s->outbox, it->queue, it->id, vg_time_now(), &b, why, &next,
                              &e) != VG_OK) {
        vg_error("%s %llu: %s; and it could not be marked failed: %s", what,
                 (unsigned long long)it->id, why, e.text);
        return;
    }
    char t[VG_TIME_ISO_LEN];
    vg_time_format_iso8601(next, t);
    vg_warn("%s %llu not sent (attempt %u; next at %s; it stays in the outbox): %s", what,
            (unsigned long long)it->id, it->attempts + 1, t, why);
    pthread_mutex_lock(&s->lock);
    s->stats.failed++;
    pthread_mutex_unlock(&s->lock);
}

static void sender__sent(vg_alert_sender *s, const vg_outbox_item *it,
                         const vg_mail_envelope *env, const char *warning)
{
    vg_errinfo e;
    vg_err rc;
    /* The server has it: removing it must not fail for a passing lock; try for a while. */
    for (int tries = 0; (rc = vg_outbox_mark_sent(s->outbox, VG_ALERT_QUEUE, it->id, &e)) ==
                            VG_ERR_DB && tries < 10; tries++)
        ;
    if (rc != VG_OK && rc != VG_ERR_NOTFOUND)
        vg_error("alert mail %llu was accepted but stays in the outbox (it will be sent "
                 "again): %s", (unsigned long long)it->id, e.text);
    char subject[200];
    vg_mail_header(env->message, "Subject", subject, sizeof subject);
    vg_notice("alert mail %llu sent to %zu recipient(s): %s", (unsigned long long)it->id,
              env->n_rcpt, subject);
    if (warning && *warning)
        vg_warn("alert mail %llu: %s", (unsigned long long)it->id, warning);
    pthread_mutex_lock(&s->lock);
    s->stats.sent++;
    pthread_mutex_unlock(&s->lock);
}

static bool sender__stopping(vg_alert_sender *s)
{
    pthread_mutex_lock(&s->lock);
    bool stop = s->stop;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

/* Digests: group the waiting entries by recipient; send the group of a recipient whose
 * oldest entry's period is over, as one mail; mark its entries sent or failed together.
 * Returns the end of the earliest period still open (VG_TIME_NONE: none). */
static vg_time_us sender__digests(vg_alert_sender *s, const vg_smtp_cfg *cfg)
{
    vg_outbox_item *items = NULL;
    size_t n = 0;
    vg_errinfo e;
    vg_time_us now = vg_time_now(), next = VG_TIME_NONE;
    if (vg_outbox_take_due(s->outbox, VG_DIGEST_QUEUE, now, SENDER_DIGEST_MAX, &items, &n,
                           NULL, &e) != VG_OK) {
        vg_error("alerts: reading the digest entries: %s", e.text);
        return VG_TIME_NONE;
    }
    vg_mail_entry *ent = calloc(n ? n : 1, sizeof *ent);
    bool *done = calloc(n ? n : 1, sizeof *done);
    vg_mail_entry *group = calloc(n ? n : 1, sizeof *group);
    size_t *gi = calloc(n ? n : 1, sizeof *gi);
    bool down = false;
    for (size_t i = 0; ent && done && group && gi && i < n; i++) {
        if (vg_mail_parse_entry((const char *)items[i].payload, items[i].len, &ent[i], &e) !=
            VG_OK) {
            sender__failed(s, cfg, &items[i], e.text);
            done[i] = true;
        }
    }
    for (size_t i = 0; ent && done && group && gi && i < n && !down; i++) {
        if (done[i])
            continue;
        size_t k = 0;
        for (size_t j = i; j < n; j++)
            if (!done[j] && !strcasecmp(ent[j].rcpt, ent[i].rcpt)) {
                group[k] = ent[j];
                gi[k++] = j;
                done[j] = true;
            }
        vg_time_us p_us = (vg_time_us)ent[i].period_s * VG_US_PER_S;
        vg_time_us end = (items[i].created / p_us + 1) * p_us;
        if (now < end) {
            if (next == VG_TIME_NONE || end < next)
                next = end;
            continue;
        }
        char *payload = NULL;
        size_t len = 0;
        vg_mail_envelope *env = malloc(sizeof *env);
        char warning[512];
        bool session_failed = false;
        vg_err rc = env ? VG_OK : VG_ERR_NOMEM;
        if (rc == VG_OK)
            rc = vg_mail_compose_digest(cfg, ent[i].rcpt, group, k, end, items[i].id, now,
                                        &payload, &len, &e);
        if (rc == VG_OK)
            rc = vg_mail_parse(payload, len, env, &e);
        if (rc == VG_OK)
            rc = vg_smtp_send(cfg, env, warning, &session_failed, &e);
        for (size_t g = 0; g < k; g++) {
            if (rc != VG_OK) {
                sender__failed(s, cfg, &items[gi[g]], e.text);
                continue;
            }
            if (vg_outbox_mark_sent(s->outbox, VG_DIGEST_QUEUE, items[gi[g]].id, &e) != VG_OK)
                vg_error("digest entry %llu was sent but stays in the outbox: %s",
                         (unsigned long long)items[gi[g]].id, e.text);
        }
        if (rc == VG_OK) {
            vg_notice("digest of %zu alert(s) sent to %s", k, ent[i].rcpt);
            pthread_mutex_lock(&s->lock);
            s->stats.sent++;
            pthread_mutex_unlock(&s->lock);
        }
        down = rc != VG_OK && session_failed;
        free(env);
        free(payload);
    }
    free(ent);
    free(done);
    free(group);
    free(gi);
    vg_outbox_items_free(items, n);
    return next;
}

/* One round; returns the earliest next attempt of what is left (VG_TIME_NONE: none), or
 * the current time when a full batch was sent (more may be due). */
static vg_time_us sender__round(vg_alert_sender *s)
{
    vg_outbox_item *items = NULL;
    size_t n = 0;
    vg_time_us next = VG_TIME_NONE;
    vg_errinfo e;
    vg_time_us now = vg_time_now();
    if (vg_outbox_take_due(s->outbox, VG_ALERT_QUEUE, now, SENDER_BATCH, &items, &n, &next,
                           &e) != VG_OK) {
        vg_error("alerts: reading the outbox: %s", e.text);
        return now + SENDER_POLL_US;
    }
    pthread_mutex_lock(&s->lock);
    vg_smtp_cfg cfg = s->cfg;
    pthread_mutex_unlock(&s->lock);
    bool session_down = false;
    /* the mails of the round that parse go in one session */
    vg_mail_envelope **envs = calloc(n ? n : 1, sizeof *envs);
    vg_outbox_item **sent_items = calloc(n ? n : 1, sizeof *sent_items);
    vg_smtp_result *res = calloc(n ? n : 1, sizeof *res);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        vg_outbox_item *it = &items[i];
        vg_mail_envelope *env = envs && sent_items && res ? malloc(sizeof *env) : NULL;
        if (!env) {
            sender__failed(s, &cfg, it, "out of memory");
            continue;
        }
        if (vg_mail_parse((const char *)it->payload, it->len, env, &e) != VG_OK) {
            sender__failed(s, &cfg, it, e.text);
            free(env);
            continue;
        }
        envs[m] = env;
        sent_items[m++] = it;
    }
    if (m && !sender__stopping(s)) {
        vg_smtp_send_many(&cfg, (const vg_mail_envelope *const *)envs, m, res);
        for (size_t i = 0; i < m; i++) {
            if (res[i].rc == VG_OK) {
                sender__sent(s, sent_items[i], envs[i], res[i].warning);
            } else {
                sender__failed(s, &cfg, sent_items[i], res[i].err.text);
                session_down |= res[i].session_failed;
            }
        }
    }
    for (size_t i = 0; i < m; i++)
        free(envs[i]);
    free(envs);
    free(sent_items);
    free(res);
    vg_outbox_items_free(items, n);
    if (!session_down && !sender__stopping(s)) {
        vg_time_us dnext = sender__digests(s, &cfg);
        if (dnext != VG_TIME_NONE && (next == VG_TIME_NONE || dnext < next))
            next = dnext;
    }
    if (n == SENDER_BATCH && !session_down)
        return vg_time_now();
    return next;
}

static void *sender__main(void *arg)
{
    vg_alert_sender *s = arg;
    for (;;) {
        if (sender__stopping(s))
            break;
        vg_time_us next = sender__round(s);
        vg_time_us now = vg_time_now();
        vg_time_us until = now + SENDER_POLL_US;
        if (next != VG_TIME_NONE && next < until)
            until = next;
        if (until <= now)
            continue;
        /* sleep until `until` (wall clock: next attempts are wall-clock times) */
        struct timespec ts = {.tv_sec = (time_t)(until / VG_US_PER_S),
                              .tv_nsec = (long)(until % VG_US_PER_S) * 1000};
        pthread_mutex_lock(&s->lock);
        while (!s->stop && !s->woken)
            if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) == ETIMEDOUT)
                break;
        s->woken = false;
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

vg_err vg_alert_sender_start(const vg_smtp_cfg *cfg, vg_outbox *o, vg_alert_sender **out,
                             vg_errinfo *err)
{
    *out = NULL;
    vg_alert_sender *s = calloc(1, sizeof *s);
    if (!s)
        return vg_fail(err, VG_ERR_NOMEM, "alerts: out of memory");
    s->cfg = *cfg;
    s->outbox = o;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL); /* CLOCK_REALTIME, as the deadlines */
    /* The thread blocks every signal (it inherits the mask): SIGTERM and SIGHUP go to the
     * daemon's loop, whose zmq_poll they interrupt; SIGPIPE of a closed SMTP connection
     * becomes EPIPE in libesmtp. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&s->thread, NULL, sender__main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return vg_fail(err, VG_ERR_IO, "alerts: cannot start the sender thread: %s",
                       strerror(e));
    }
    *out = s;
    return VG_OK;
}

void vg_alert_sender_configure(vg_alert_sender *s, const vg_smtp_cfg *cfg)
{
    pthread_mutex_lock(&s->lock);
    s->cfg = *cfg;
    pthread_mutex_unlock(&s->lock);
}

void vg_alert_sender_wake(vg_alert_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->woken = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

vg_alert_sender_stats vg_alert_sender_get_stats(vg_alert_sender *s)
{
    pthread_mutex_lock(&s->lock);
    vg_alert_sender_stats st = s->stats;
    pthread_mutex_unlock(&s->lock);
    return st;
}

void vg_alert_sender_stop(vg_alert_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
