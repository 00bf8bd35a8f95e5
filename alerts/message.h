/* message.h: an alert event as the e-mail a PI reads, and the outbox payload that carries
 * it. The mail is RFC 5322 with CRLF line ends, MIME multipart/mixed: a plain-text part
 * (with alerts.templates.html, a multipart/alternative of it and its HTML form)
 * (platform, parameter, rule, test and what it checks, first and last time, position,
 * values and flags, the `vigie dump` command that shows the data), a CSV attachment of
 * the values, and the attachments handed in (the plot of alerts.attach_plot). Subject "[vigie] PLATFORM PARAM RULE: started|resolved|reminder" by default
 * (alerts.templates.subject); a stable Message-ID names the problem, so that the resolved
 * mail threads under the started one and a resent mail is recognisable.
 * The payload is "vigie-mail 1\n", "from ADDR\n", one "rcpt ADDR\n" per recipient, "\n",
 * then the message. Format details: docs/alerts.md, "Messages". */
#ifndef VIGIE_ALERTS_MESSAGE_H
#define VIGIE_ALERTS_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "alerts/monitor.h"
#include "alerts/rules.h"
#include "core/event.h"

#define VG_MAIL_RCPT_MAX 64 /* recipients of one mail */

/* The recipients of ev: the platform's pi list (when the rule's pi is true) then the rule's
 * recipients, without duplicates (case-insensitive), at most VG_MAIL_RCPT_MAX. Pointers
 * are borrowed from the configuration and the rules. Returns their number. */
size_t vg_mail_recipients(const vg_alert_rules *r, const vg_alert_event *ev, const char **out);

/* Build the payload of ev for rcpt[0..n_rcpt) into a malloc'd NUL-terminated *payload
 * (owned by the caller; *len excludes the NUL). VG_ERR_NOMEM on allocation failure. */
vg_err vg_mail_compose(const vg_alert_rules *r, const vg_alert_event *ev, const char **rcpt,
                       size_t n_rcpt, char **payload, size_t *len, vg_errinfo *err);

#define VG_MAIL_ATTACHMENT_MAX (4 * 1024 * 1024) /* bytes of one attachment */

/* A file attached to an alert mail (the plot the daemon draws: alerts.attach_plot), all
 * borrowed for the call. */
typedef struct vg_mail_attachment {
    const char *content_type;   /* e.g. "image/png": letters, digits, ._-+/ */
    const char *filename;       /* e.g. "SHIP1_SSJT.png": the same characters */
    const unsigned char *data;  /* 1..VG_MAIL_ATTACHMENT_MAX bytes */
    size_t len;
} vg_mail_attachment;

/* vg_mail_compose with att[0..n_att) as more parts of the multipart/mixed message, after the
 * text and the CSV, each base64-encoded; the rest of the message is the same byte for byte.
 * VG_ERR_INVAL for an attachment with bad names or size, VG_ERR_NOMEM. */
vg_err vg_mail_compose_with(const vg_alert_rules *r, const vg_alert_event *ev,
                            const char **rcpt, size_t n_rcpt, const vg_mail_attachment *att,
                            size_t n_att, char **payload, size_t *len, vg_errinfo *err);

/* A digest entry of ev for one digest recipient (period_s: 1..86400), as the payload of
 * the outbox queue "digest": "vigie-digest 1\n", "rcpt ADDR\n", "period SECONDS\n", "\n",
 * then "Subject: ...\r\n\r\n" and the text of the mail ev would have sent (no attachment).
 * Malloc'd, NUL-terminated, owned by the caller. */
vg_err vg_mail_compose_entry(const vg_alert_rules *r, const vg_alert_event *ev,
                             const char *rcpt, int period_s, char **payload, size_t *len,
                             vg_errinfo *err);

/* A parsed digest entry: pointers into the payload; rcpt is copied. */
typedef struct vg_mail_entry {
    char rcpt[256];
    int period_s;
    const char *text; /* "Subject: ...\r\n\r\n" + text, NUL-terminated */
} vg_mail_entry;

vg_err vg_mail_parse_entry(const char *payload, size_t len, vg_mail_entry *e, vg_errinfo *err);

/* The digest mail for rcpt of the period ending at period_end: one text part listing the n
 * entries (their subjects first, then each text), as a payload like vg_mail_compose's.
 * first_id names the digest in its Message-ID. */
vg_err vg_mail_compose_digest(const vg_smtp_cfg *smtp, const char *rcpt,
                              const vg_mail_entry *entries, size_t n, vg_time_us period_end,
                              uint64_t first_id, vg_time_us now, char **payload, size_t *len,
                              vg_errinfo *err);

/* The mail of QC event ev (core/event.h) under event rule `rule` on platform pl, for
 * rcpt[0..n_rcpt), composed at wall-clock time now, as a payload like vg_mail_compose's:
 * one text part saying what the event means for the PI and what to check, its figures and
 * the `vigie dump --events` command; subject from alerts.templates.subject with {state}
 * and {test} the event kind; Message-ID <vigie.RULE.PLATFORM.PARAM.FIRST.KIND@DOMAIN>,
 * the same for each detection of the event. Recipients: vg_mail_recipients with an
 * event of rule and pl. */
vg_err vg_mail_compose_event(const vg_alert_rules *r, const vg_alert_rule *rule,
                             const vg_platform_cfg *pl, const vg_event *ev, vg_time_us now,
                             const char **rcpt, size_t n_rcpt, char **payload, size_t *len,
                             vg_errinfo *err);

/* The digest entry of that mail for one digest recipient (see vg_mail_compose_entry). */
vg_err vg_mail_compose_event_entry(const vg_alert_rules *r, const vg_alert_rule *rule,
                                   const vg_platform_cfg *pl, const vg_event *ev,
                                   vg_time_us now, const char *rcpt, int period_s,
                                   char **payload, size_t *len, vg_errinfo *err);

/* A test mail (vigie alerts test) to rcpt, composed at now, as a payload like above. */
vg_err vg_mail_compose_test(const vg_alert_rules *r, const char *rcpt, vg_time_us now,
                            char **payload, size_t *len, vg_errinfo *err);

/* A parsed payload: pointers into the payload (which must stay alive). */
typedef struct vg_mail_envelope {
    const char *from;    /* NUL-terminated copy in `buf` */
    const char *rcpt[VG_MAIL_RCPT_MAX];
    size_t n_rcpt;
    const char *message; /* the RFC 5322 message, NUL-terminated (the payload's NUL) */
    char buf[VG_MAIL_RCPT_MAX * 2 * 256]; /* the addresses, NUL-terminated */
} vg_mail_envelope;

/* Parse a payload (NUL-terminated at payload[len]). VG_ERR_PARSE naming what is wrong. */
vg_err vg_mail_parse(const char *payload, size_t len, vg_mail_envelope *env, vg_errinfo *err);

/* Copy the value of header `name` of the message into buf (unfolded; "" if absent). */
void vg_mail_header(const char *message, const char *name, char *buf, size_t size);

#endif
