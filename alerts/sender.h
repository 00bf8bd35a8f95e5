/* sender.h: the thread that delivers the mails of the outbox's "mail" queue: it takes the
 * due ones, hands each to the SMTP server (smtp.h) and marks it sent only when the server
 * accepted it, or failed (retried later with the deterministic back-off of
 * alerts.smtp.retry_base_s / retry_max_s); and, once the period of a digest recipient is
 * over, the digest of its entries in the "digest" queue. It never runs on the engine's
 * thread and the engine never waits for it (docs/alerts.md, "Delivery"). */
#ifndef VIGIE_ALERTS_SENDER_H
#define VIGIE_ALERTS_SENDER_H

#include <stdint.h>

#include "alerts/rules.h"
#include "storage/outbox.h"

#define VG_ALERT_QUEUE "mail"    /* the outbox queue of alert mails */
#define VG_DIGEST_QUEUE "digest" /* the outbox queue of digest entries (message.h) */
#define VG_STATE_QUEUE "alert-state" /* records of the active problems (alerts.c) */
#define VG_EVENT_SEEN_QUEUE "event-mailed" /* the QC events already mailed (alerts.c) */

typedef struct vg_alert_sender vg_alert_sender;

typedef struct vg_alert_sender_stats {
    uint64_t sent;     /* mails the server accepted */
    uint64_t failed;   /* failed attempts (each is retried) */
} vg_alert_sender_stats;

/* Start the thread over outbox o (borrowed: it must outlive the sender) with a copy of the
 * SMTP settings cfg. *out is owned by the caller: vg_alert_sender_stop. */
vg_err vg_alert_sender_start(const vg_smtp_cfg *cfg, vg_outbox *o, vg_alert_sender **out,
                             vg_errinfo *err);

/* Use a copy of cfg from the next mail on (SIGHUP). */
void vg_alert_sender_configure(vg_alert_sender *s, const vg_smtp_cfg *cfg);

/* Tell the thread that new mails may be due (cheap; never blocks for long). */
void vg_alert_sender_wake(vg_alert_sender *s);

/* Counters so far (a consistent copy). */
vg_alert_sender_stats vg_alert_sender_get_stats(vg_alert_sender *s);

/* Stop: the mail being sent, if any, is finished (at most the SMTP time-outs), the others
 * stay in the outbox for the next start. Joins the thread and frees s (may be NULL). */
void vg_alert_sender_stop(vg_alert_sender *s);

#endif
