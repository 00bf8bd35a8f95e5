/* alerts.h: the alerting path of the daemon, in one object: the rule monitor (monitor.h)
 * fed by the engine's thread, each event composed as a mail (message.h) and put into the
 * durable outbox inside the store's write batch (so an alert commits with the samples that
 * raised it), and the sender thread (sender.h) that delivers the outbox. The engine never
 * waits for SMTP. Each active problem has a durable record, so that a restart neither
 * repeats its "started" mail nor loses its "resolved" one. docs/alerts.md gives the rules'
 * semantics and the delivery guarantees. */
#ifndef VIGIE_ALERTS_ALERTS_H
#define VIGIE_ALERTS_ALERTS_H

#include <stdint.h>

#include "alerts/monitor.h"
#include "alerts/rules.h"
#include "core/config.h"
#include "core/event.h"
#include "core/sample.h"
#include "storage/store.h"

typedef struct vg_alerts vg_alerts;

typedef struct vg_alerts_stats {
    uint64_t events;   /* started, resolved and reminder events */
    uint64_t queued;   /* mails put into the outbox */
    uint64_t errors;   /* events that could not be queued (logged) */
    uint64_t sent;     /* mails the SMTP server accepted */
    uint64_t failed;   /* failed delivery attempts (retried) */
} vg_alerts_stats;

/* Start alerting for cfg with rules r over store (all borrowed; they must outlive the
 * object; store is the daemon's writer store, whose batches carry the alerts): opens the
 * outbox in cfg->storage_path, checks the credentials file (a clear error when it is
 * readable by others), makes the problems recorded as active before a restart active again,
 * starts the sender thread. now: wall clock. */
vg_err vg_alerts_start(const vg_config *cfg, const vg_alert_rules *r, vg_store *store,
                       vg_time_us now, vg_alerts **out, vg_errinfo *err);

/* A sample was stored (engine listener; engine thread, a batch is open). */
void vg_alerts_sample(vg_alerts *a, const vg_sample *s);

/* A QC event was found (engine event listener; engine thread, after it was stored in
 * events.db). Each event rule it matches (kind, platform, parameter, event kind) mails it
 * to the rule's recipients once: the first detection of (rule, platform, kind, first time)
 * queues the mail and a durable record of it in one transaction (the engine's batch when
 * one is open, else one of its own); a detection again (an updated estimate, or the same
 * data analysed again after a restart) finds the record and mails nothing. now: wall
 * clock. Errors are logged (the event stays in events.db). */
void vg_alerts_event(vg_alerts *a, const vg_event *ev, vg_time_us now);

/* About once a second from the daemon's loop, after the engine's tick: silent platforms,
 * reminders (their mails committed together: in a batch of their own when the engine has
 * none open), and a wake-up of the sender for what was committed. now: wall clock. */
void vg_alerts_tick(vg_alerts *a, vg_time_us now);

/* SIGHUP: use cfg and r (borrowed, replacing the previous ones, which may be freed after
 * return). Problems active under both keep their state (vg_alert_monitor_adopt). */
vg_err vg_alerts_reconfigure(vg_alerts *a, const vg_config *cfg, const vg_alert_rules *r,
                             vg_time_us now, vg_errinfo *err);

vg_alerts_stats vg_alerts_get_stats(vg_alerts *a);

/* A file for an alert mail, filled by a vg_alerts_attach_fn. */
typedef struct vg_alerts_file {
    char content_type[32]; /* "image/png" */
    char filename[96];     /* "SHIP1_SSJT.png": letters, digits, ._-+ */
    unsigned char *data;   /* malloc'd by the function, freed by the alerts */
    size_t len;            /* 1..VG_MAIL_ATTACHMENT_MAX (message.h) */
} vg_alerts_file;

/* Draws the attachment of the mail of ev (an event about a parameter: ev->param >= 0): the
 * last `hours` (alerts.attach_plot_hours) of observations up to the event's, on
 * the engine's thread, while the store's batch is open (reads see its samples). The alerts
 * layer links no plotting library: the daemon draws the plot (alerts.attach_plot). On
 * failure the error is logged and the mail goes without it. */
typedef vg_err (*vg_alerts_attach_fn)(void *ctx, const vg_alert_event *ev, double hours,
                                      vg_alerts_file *out, vg_errinfo *err);

/* Use fn (ctx borrowed) for the mails of parameter alerts while alerts.attach_plot is on
 * (the rules in force decide at each mail; fn NULL: never). Engine thread. */
void vg_alerts_set_attach(vg_alerts *a, vg_alerts_attach_fn fn, void *ctx);

/* Stop the sender (the mail being sent is finished), close the outbox, free a (may be
 * NULL). Mails not sent stay in the outbox for the next start. */
void vg_alerts_stop(vg_alerts *a);

#endif
