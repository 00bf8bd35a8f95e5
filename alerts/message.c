/* message.c: composing alert mails (message.h): recipients, subject template, the plain
 * text, the CSV attachment, the attachments handed in (base64, OpenSSL's encoder), the MIME
 * structure and the outbox payload; and parsing a payload back for the sender and `vigie
 * alerts list`. */
#include "alerts/message.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/flags.h"
#include "core/params.h"

/* A growing text buffer; on allocation failure `failed` is set and appends do nothing. */
typedef struct mail_buf {
    char *p;
    size_t len, cap;
    bool failed;
} mail_buf;

static void mb_printf(mail_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mb_printf(mail_buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap <= b->len + (size_t)n)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->failed = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
}

static const char *const state_names[] = {"started", "resolved", "reminder"};

size_t vg_mail_recipients(const vg_alert_rules *r, const vg_alert_event *ev, const char **out)
{
    (void)r;
    size_t n = 0;
    const vg_alert_rule *rule = ev->rule;
    const char *const *lists[2] = {rule->to_pi ? (const char *const *)ev->platform->pi : NULL,
                                   (const char *const *)rule->recipients};
    size_t counts[2] = {rule->to_pi ? ev->platform->n_pi : 0, rule->n_recipients};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < counts[l] && n < VG_MAIL_RCPT_MAX; i++) {
            bool dup = false;
            for (size_t j = 0; j < n && !dup; j++)
                dup = strcasecmp(out[j], lists[l][i]) == 0;
            if (!dup)
                out[n++] = lists[l][i];
        }
    return n;
}

static const char *mail__param(int p)
{
    const vg_param_info *pi = p >= 0 ? vg_param_get((vg_param)p) : NULL;
    return pi ? pi->code : "station";
}

static const char *mail__test(const vg_alert_rules *r, const vg_alert_rule *rule)
{
    if (rule->type == VG_ALERT_SILENT)
        return "silence";
    if (rule->test < 0)
        return "any";
    return r->tests.name[rule->test] ? r->tests.name[rule->test] : "?";
}

/* The domain of the From address, for Message-IDs. */
static const char *mail__domain(const char *from)
{
    const char *at = strchr(from, '@');
    return at && at[1] ? at + 1 : "localhost";
}

/* Expand the subject template: {platform} {parameter} {rule} {test} {state} {type}.
 * state and test: NULL for those of ev; an event mail gives the event's kind for both. */
static void mail__subject_as(mail_buf *b, const vg_alert_rules *r, const vg_alert_event *ev,
                             const char *state, const char *test)
{
    const char *t = r->subject;
    while (*t) {
        const char *open = strchr(t, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            mb_printf(b, "%s", t);
            break;
        }
        mb_printf(b, "%.*s", (int)(open - t), t);
        size_t n = (size_t)(close - open - 1);
        const char *v = NULL;
        if (n == 8 && !strncmp(open + 1, "platform", n))
            v = ev->platform->id;
        else if (n == 9 && !strncmp(open + 1, "parameter", n))
            v = mail__param(ev->param);
        else if (n == 4 && !strncmp(open + 1, "rule", n))
            v = ev->rule->name;
        else if (n == 4 && !strncmp(open + 1, "test", n))
            v = test ? test : mail__test(r, ev->rule);
        else if (n == 5 && !strncmp(open + 1, "state", n))
            v = state ? state : state_names[ev->state];
        else if (n == 4 && !strncmp(open + 1, "type", n))
            v = vg_alert_type_name(ev->rule->type);
        if (v)
            mb_printf(b, "%s", v);
        else
            mb_printf(b, "%.*s", (int)(close - open + 1), open);
        t = close + 1;
    }
}

static void mail__subject(mail_buf *b, const vg_alert_rules *r, const vg_alert_event *ev)
{
    mail__subject_as(b, r, ev, NULL, NULL);
}

/* RFC 5322 date of t (UTC). */
static void mail__date(vg_time_us t, char *buf, size_t size)
{
    time_t s = (time_t)(t / VG_US_PER_S);
    struct tm tm;
    gmtime_r(&s, &tm);
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
             tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

static void mail__iso(vg_time_us t, char *buf)
{
    if (t == VG_TIME_NONE)
        strcpy(buf, "-");
    else
        vg_time_format_iso8601(t, buf);
}

/* Message-ID of the problem in state st: the same (rule, platform, parameter, since) always
 * gives the same id, so a resent mail keeps it and the resolved mail refers to it. */
static void mail__msgid(const vg_alert_rules *r, const vg_alert_event *ev, vg_alert_state st,
                        vg_time_us when, char *buf, size_t size)
{
    if (st == VG_ALERT_REMINDER)
        snprintf(buf, size, "<vigie.%s.%s.%s.%lld.reminder.%lld@%s>", ev->rule->name,
                 ev->platform->id, mail__param(ev->param), (long long)ev->since,
                 (long long)when, mail__domain(r->smtp.from));
    else
        snprintf(buf, size, "<vigie.%s.%s.%s.%lld.%s@%s>", ev->rule->name, ev->platform->id,
                 mail__param(ev->param), (long long)ev->since, state_names[st],
                 mail__domain(r->smtp.from));
}

static void mail__value(mail_buf *b, double v)
{
    if (isnan(v))
        mb_printf(b, "nan");
    else
        mb_printf(b, "%.6g", v);
}

/* What the rule watches, in one sentence. */
static void mail__rule_text(mail_buf *b, const vg_alert_rules *r, const vg_alert_rule *rule,
                            const vg_platform_cfg *pl)
{
    const char *test = mail__test(r, rule);
    switch (rule->type) {
    case VG_ALERT_CONSECUTIVE:
        mb_printf(b, "%u consecutive values flagged 3 (probably bad) or 4 (bad) by %s%s; "
                  "it ends after %u values in a row that the test passes",
                  rule->count, rule->test < 0 ? "any QC test" : "the test ",
                  rule->test < 0 ? "" : test, rule->clear_count);
        break;
    case VG_ALERT_FRACTION:
        mb_printf(b, "at least %.0f%% of the last %u values flagged 3 or 4 by %s%s; it ends "
                  "below %.0f%%", rule->fraction * 100, rule->window,
                  rule->test < 0 ? "any QC test" : "the test ", rule->test < 0 ? "" : test,
                  rule->clear_fraction * 100);
        break;
    case VG_ALERT_SILENT:
        mb_printf(b, "no sample for more than %g x the expected interval of %g s (%g s); it "
                  "ends with the next sample", rule->factor, pl->interval_s,
                  rule->factor * pl->interval_s);
        break;
    case VG_ALERT_EVENT:
        mb_printf(b, "one mail for each new QC event of the kinds");
        for (int k = 1; k < VG_EVENT__COUNT; k++)
            if (rule->events & (1u << k))
                mb_printf(b, " %s", vg_event_kind_name((vg_event_kind)k));
        break;
    }
}

static void mail__body(mail_buf *b, const vg_alert_rules *r, const vg_alert_event *ev)
{
    const vg_alert_rule *rule = ev->rule;
    const vg_platform_cfg *pl = ev->platform;
    char t1[VG_TIME_ISO_LEN], t2[VG_TIME_ISO_LEN], tn[VG_TIME_ISO_LEN];
    mail__iso(ev->first, t1);
    mail__iso(ev->last, t2);
    mail__iso(ev->now, tn);
    if (r->intro && *r->intro)
        mb_printf(b, "%s\r\n\r\n", r->intro);
    static const char *const what[] = {"A problem started", "The problem is resolved",
                                       "The problem is still going on"};
    mb_printf(b, "%s on %s%s%s%s.\r\n\r\n", what[ev->state], pl->id, pl->name[0] ? " (" : "",
              pl->name, pl->name[0] ? ")" : "");
    mb_printf(b, "Platform:   %s (%s)\r\n", pl->id, vg_kind_name(pl->kind));
    if (ev->param >= 0) {
        const vg_param_info *pi = vg_param_get((vg_param)ev->param);
        mb_printf(b, "Parameter:  %s (%s, %s)\r\n", pi->code, pi->long_name, pi->units);
    }
    mb_printf(b, "Rule:       %s (%s): ", rule->name, vg_alert_type_name(rule->type));
    mail__rule_text(b, r, rule, pl);
    mb_printf(b, "\r\n");
    if (rule->type != VG_ALERT_SILENT) {
        mb_printf(b, "Test:       %s", mail__test(r, rule));
        if (rule->test >= 0 && r->tests.summary[rule->test])
            mb_printf(b, ": %s", r->tests.summary[rule->test]);
        mb_printf(b, "\r\n");
    }
    mb_printf(b, "State:      %s at %s\r\n", state_names[ev->state], tn);
    if (rule->type == VG_ALERT_SILENT) {
        mb_printf(b, "Last sample: %s\r\n", t2);
    } else {
        mb_printf(b, "First time: %s\r\n", t1);
        mb_printf(b, "Last time:  %s\r\n", t2);
        if (rule->type == VG_ALERT_FRACTION)
            mb_printf(b, "Bad values: %u of the last %u\r\n", ev->bad, ev->seen);
        else if (ev->state == VG_ALERT_RESOLVED)
            mb_printf(b, "Good values in a row: %u\r\n", ev->seen);
        else
            mb_printf(b, "Bad values in a row: %u\r\n", ev->bad);
    }
    if (ev->n_rows) {
        const vg_alert_row *lastrow = &ev->rows[ev->n_rows - 1];
        if (!isnan(lastrow->lat_deg))
            mb_printf(b, "Position:   %.5f N, %.5f E (last value)\r\n", lastrow->lat_deg,
                      lastrow->lon_deg);
    } else if (!isnan(pl->lat_deg)) {
        mb_printf(b, "Position:   %.5f N, %.5f E (station)\r\n", pl->lat_deg, pl->lon_deg);
    }
    if (ev->n_rows) {
        mb_printf(b, "\r\nLast %zu values (flags: aggregate / test; 1 good, 3 probably bad, "
                  "4 bad, 9 missing):\r\n", ev->n_rows);
        for (size_t i = 0; i < ev->n_rows; i++) {
            char t[VG_TIME_ISO_LEN];
            mail__iso(ev->rows[i].time, t);
            mb_printf(b, "  %s  ", t);
            mail__value(b, ev->rows[i].value);
            mb_printf(b, "  %d / %d\r\n", ev->rows[i].agg, ev->rows[i].test);
        }
    }
    mb_printf(b, "\r\nTo look at the data:\r\n  vigie dump -c %s --platform %s", r->config_path,
              pl->id);
    if (ev->param >= 0)
        mb_printf(b, " --param %s", mail__param(ev->param));
    if (ev->first != VG_TIME_NONE && rule->type != VG_ALERT_SILENT)
        mb_printf(b, " --from %s", t1);
    mb_printf(b, "\r\n\r\n-- \r\nvigie, real-time quality control. Rules: %s (alerts:).\r\n",
              r->config_path);
}

static void mail__csv(mail_buf *b, const vg_alert_event *ev)
{
    mb_printf(b, "platform,param,time,value,flag,test_flag,lat,lon\r\n");
    for (size_t i = 0; i < ev->n_rows; i++) {
        const vg_alert_row *row = &ev->rows[i];
        char t[VG_TIME_ISO_LEN];
        mail__iso(row->time, t);
        mb_printf(b, "%s,%s,%s,", ev->platform->id, mail__param(ev->param), t);
        mail__value(b, row->value);
        mb_printf(b, ",%d,%d,", row->agg, row->test);
        mail__value(b, row->lat_deg);
        mb_printf(b, ",");
        mail__value(b, row->lon_deg);
        mb_printf(b, "\r\n");
    }
}

static void mail__html_escape(mail_buf *b, const char *s)
{
    for (; *s && !b->failed; s++) {
        switch (*s) {
        case '<': mb_printf(b, "&lt;"); break;
        case '>': mb_printf(b, "&gt;"); break;
        case '&': mb_printf(b, "&amp;"); break;
        case '"': mb_printf(b, "&quot;"); break;
        default: mb_printf(b, "%c", *s); break;
        }
    }
}

/* The text part of a mail, its headers included: text/plain, or with
 * alerts.templates.html a multipart/alternative of the text and the same text as HTML
 * (escaped, preformatted, under the subject as a heading), for the mail readers that show
 * only HTML. The inner boundary "=_vigie_alt" is no prefix of the outer ones
 * ("=_vigie_SINCE_RULE") nor found in the text. Sets b->failed when text failed. */
static void mail__text_part(mail_buf *b, const vg_alert_rules *r, const mail_buf *text,
                            const char *subject)
{
    if (text->failed || !text->p) {
        b->failed = true;
        return;
    }
    if (!r->html) {
        mb_printf(b, "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: 8bit\r\n\r\n%s", text->p);
        return;
    }
    mb_printf(b, "Content-Type: multipart/alternative; boundary=\"=_vigie_alt\"\r\n\r\n"
              "--=_vigie_alt\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n--=_vigie_alt\r\n"
              "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
              "\r\n<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"><title>", text->p);
    mail__html_escape(b, subject);
    mb_printf(b, "</title></head>\r\n<body>\r\n<h3>");
    mail__html_escape(b, subject);
    mb_printf(b, "</h3>\r\n<pre>");
    mail__html_escape(b, text->p);
    mb_printf(b, "</pre>\r\n</body></html>\r\n\r\n--=_vigie_alt--\r\n");
}

static void mail__envelope(mail_buf *b, const char *from, const char **rcpt, size_t n)
{
    mb_printf(b, "vigie-mail 1\nfrom %s\n", from);
    for (size_t i = 0; i < n; i++)
        mb_printf(b, "rcpt %s\n", rcpt[i]);
    mb_printf(b, "\n");
}

static void mail__to(mail_buf *b, const char **rcpt, size_t n)
{
    mb_printf(b, "To: ");
    for (size_t i = 0; i < n; i++)
        mb_printf(b, "%s%s", i ? ",\r\n " : "", rcpt[i]);
    mb_printf(b, "\r\n");
}

static vg_err mail__finish(mail_buf *b, char **payload, size_t *len, vg_errinfo *err)
{
    if (b->failed) {
        free(b->p);
        return vg_fail(err, VG_ERR_NOMEM, "alerts: out of memory composing a mail");
    }
    *payload = b->p;
    *len = b->len;
    return VG_OK;
}

/* One attachment as a base64 MIME part (RFC 2045: lines of 76 characters). Base64 has no
 * '_', so the boundaries ("=_vigie_...") cannot occur in it. */
static void mail__attachment(mail_buf *b, const char *boundary, const vg_mail_attachment *a)
{
    mb_printf(b, "\r\n--%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; "
              "filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", boundary,
              a->content_type, a->filename, a->filename);
    unsigned char line[80];
    for (size_t off = 0; off < a->len && !b->failed; off += 57) {
        size_t n = a->len - off < 57 ? a->len - off : 57;
        EVP_EncodeBlock(line, a->data + off, (int)n);
        mb_printf(b, "%s\r\n", (const char *)line);
    }
}

/* A MIME token for a content type or file name: letters, digits, . _ - + / only. */
static bool mail__token_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 200)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("._-+/", *s)))
            return false;
    return true;
}

vg_err vg_mail_compose(const vg_alert_rules *r, const vg_alert_event *ev, const char **rcpt,
                       size_t n_rcpt, char **payload, size_t *len, vg_errinfo *err)
{
    return vg_mail_compose_with(r, ev, rcpt, n_rcpt, NULL, 0, payload, len, err);
}

vg_err vg_mail_compose_with(const vg_alert_rules *r, const vg_alert_event *ev,
                            const char **rcpt, size_t n_rcpt, const vg_mail_attachment *att,
                            size_t n_att, char **payload, size_t *len, vg_errinfo *err)
{
    for (size_t i = 0; i < n_att; i++)
        if (!mail__token_ok(att[i].content_type) || !mail__token_ok(att[i].filename) ||
            !att[i].data || !att[i].len || att[i].len > VG_MAIL_ATTACHMENT_MAX)
            return vg_fail(err, VG_ERR_INVAL, "alerts: attachment %zu: a type and a file name "
                           "of letters, digits and ._-+/, and 1..%d bytes", i,
                           VG_MAIL_ATTACHMENT_MAX);
    mail_buf b = {0};
    mail__envelope(&b, r->smtp.from, rcpt, n_rcpt);
    char date[64], id[300], ref[300];
    mail__date(ev->now, date, sizeof date);
    mail__msgid(r, ev, ev->state, ev->now, id, sizeof id);
    mb_printf(&b, "From: vigie <%s>\r\n", r->smtp.from);
    mail__to(&b, rcpt, n_rcpt);
    mb_printf(&b, "Subject: ");
    mail__subject(&b, r, ev);
    mb_printf(&b, "\r\nDate: %s\r\nMessage-ID: %s\r\n", date, id);
    if (ev->state != VG_ALERT_STARTED) {
        mail__msgid(r, ev, VG_ALERT_STARTED, 0, ref, sizeof ref);
        mb_printf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", ref, ref);
    }
    mb_printf(&b, "X-Vigie-Rule: %s\r\nX-Vigie-Platform: %s\r\nX-Vigie-Parameter: %s\r\n"
              "X-Vigie-State: %s\r\n",
              ev->rule->name, ev->platform->id, mail__param(ev->param),
              state_names[ev->state]);
    /* The boundary cannot occur in the parts: they hold no "=_" sequence of this form. */
    char boundary[80];
    snprintf(boundary, sizeof boundary, "=_vigie_%lld_%s", (long long)ev->since,
             ev->rule->name);
    mb_printf(&b, "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"%s\"\r\n"
              "\r\nThis is a MIME message.\r\n\r\n--%s\r\n", boundary, boundary);
    mail_buf text = {0}, subject = {0};
    mail__body(&text, r, ev);
    mail__subject(&subject, r, ev);
    mail__text_part(&b, r, &text, subject.p ? subject.p : "");
    free(text.p);
    free(subject.p);
    if (ev->n_rows) {
        char t[VG_TIME_ISO_LEN];
        mail__iso(ev->since, t);
        for (char *c = t; *c; c++)
            if (*c == ':')
                *c = '-';
        mb_printf(&b, "\r\n--%s\r\nContent-Type: text/csv; charset=us-ascii; "
                  "name=\"%s_%s_%s.csv\"\r\nContent-Disposition: attachment; "
                  "filename=\"%s_%s_%s.csv\"\r\n\r\n", boundary, ev->platform->id,
                  mail__param(ev->param), t, ev->platform->id, mail__param(ev->param), t);
        mail__csv(&b, ev);
    }
    for (size_t i = 0; i < n_att; i++)
        mail__attachment(&b, boundary, &att[i]);
    mb_printf(&b, "\r\n--%s--\r\n", boundary);
    return mail__finish(&b, payload, len, err);
}

vg_err vg_mail_compose_entry(const vg_alert_rules *r, const vg_alert_event *ev,
                             const char *rcpt, int period_s, char **payload, size_t *len,
                             vg_errinfo *err)
{
    mail_buf b = {0};
    mb_printf(&b, "vigie-digest 1\nrcpt %s\nperiod %d\n\nSubject: ", rcpt, period_s);
    mail__subject(&b, r, ev);
    mb_printf(&b, "\r\n\r\n");
    mail__body(&b, r, ev);
    return mail__finish(&b, payload, len, err);
}

vg_err vg_mail_parse_entry(const char *payload, size_t len, vg_mail_entry *e, vg_errinfo *err)
{
    memset(e, 0, sizeof *e);
    static const char head[] = "vigie-digest 1\nrcpt ";
    if (len < sizeof head || strncmp(payload, head, sizeof head - 1) != 0)
        return vg_fail(err, VG_ERR_PARSE, "outbox digest entry: no 'vigie-digest 1' header");
    const char *p = payload + sizeof head - 1;
    const char *nl = strchr(p, '\n');
    char *end = NULL;
    long period = 0;
    if (nl && !strncmp(nl + 1, "period ", 7))
        period = strtol(nl + 8, &end, 10);
    if (!nl || (size_t)(nl - p) >= sizeof e->rcpt || !end || end[0] != '\n' ||
        end[1] != '\n' || period < 1 || period > 86400)
        return vg_fail(err, VG_ERR_PARSE, "outbox digest entry: bad rcpt or period line");
    memcpy(e->rcpt, p, (size_t)(nl - p));
    e->period_s = (int)period;
    e->text = end + 2;
    return VG_OK;
}

vg_err vg_mail_compose_digest(const vg_smtp_cfg *smtp, const char *rcpt,
                              const vg_mail_entry *entries, size_t n, vg_time_us period_end,
                              uint64_t first_id, vg_time_us now, char **payload, size_t *len,
                              vg_errinfo *err)
{
    mail_buf b = {0};
    const char *list[1] = {rcpt};
    mail__envelope(&b, smtp->from, list, 1);
    char date[64], end[VG_TIME_ISO_LEN];
    mail__date(now, date, sizeof date);
    vg_time_format_iso8601(period_end, end);
    int ps = n ? entries[0].period_s : 3600;
    char pbuf[32];
    snprintf(pbuf, sizeof pbuf, "%d-second", ps);
    const char *period = ps == 86400 ? "daily" : ps == 3600 ? "hourly" : pbuf;
    mb_printf(&b, "From: vigie <%s>\r\n", smtp->from);
    mail__to(&b, list, 1);
    mb_printf(&b, "Subject: [vigie] %s digest to %s: %zu alert%s\r\nDate: %s\r\n"
              "Message-ID: <vigie.digest.%lld.%llu@%s>\r\nX-Vigie-State: digest\r\n"
              "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
              "Content-Transfer-Encoding: 8bit\r\n\r\n",
              period, end, n, n == 1 ? "" : "s", date, (long long)period_end,
              (unsigned long long)first_id, mail__domain(smtp->from));
    mb_printf(&b, "The alerts of the %s period ending %s, oldest first:\r\n\r\n", period, end);
    for (size_t i = 0; i < n; i++) {
        const char *t = entries[i].text, *eol = strstr(t, "\r\n");
        if (!strncmp(t, "Subject: ", 9) && eol)
            mb_printf(&b, "  %zu. %.*s\r\n", i + 1, (int)(eol - t - 9), t + 9);
    }
    for (size_t i = 0; i < n; i++) {
        const char *t = entries[i].text, *body = strstr(t, "\r\n\r\n");
        mb_printf(&b, "\r\n======== %zu ========\r\n%s", i + 1, body ? body + 4 : t);
    }
    return mail__finish(&b, payload, len, err);
}

vg_err vg_mail_compose_test(const vg_alert_rules *r, const char *rcpt, vg_time_us now,
                            char **payload, size_t *len, vg_errinfo *err)
{
    mail_buf b = {0};
    const char *list[1] = {rcpt};
    mail__envelope(&b, r->smtp.from, list, 1);
    char date[64], tn[VG_TIME_ISO_LEN];
    mail__date(now, date, sizeof date);
    vg_time_format_iso8601(now, tn);
    mb_printf(&b, "From: vigie <%s>\r\n", r->smtp.from);
    mail__to(&b, list, 1);
    mb_printf(&b, "Subject: [vigie] test mail\r\nDate: %s\r\n"
              "Message-ID: <vigie.test.%lld@%s>\r\nX-Vigie-State: test\r\nMIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
              "\r\nThis is a test mail of vigie, sent at %s through %s with `vigie alerts "
              "test`.\r\nIf you read it, alert mails reach you.\r\n", date, (long long)now,
              mail__domain(r->smtp.from), tn, r->smtp.server);
    return mail__finish(&b, payload, len, err);
}

vg_err vg_mail_parse(const char *payload, size_t len, vg_mail_envelope *env, vg_errinfo *err)
{
    memset(env, 0, sizeof *env);
    if (len < 13 || strncmp(payload, "vigie-mail 1\n", 13) != 0)
        return vg_fail(err, VG_ERR_PARSE, "outbox mail payload: no 'vigie-mail 1' header");
    const char *p = payload + 13, *end = payload + len;
    size_t used = 0;
    while (p < end && *p != '\n') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return vg_fail(err, VG_ERR_PARSE, "outbox mail payload: envelope not ended");
        size_t n = (size_t)(nl - p);
        bool from = n > 5 && !strncmp(p, "from ", 5);
        bool rcpt = n > 5 && !strncmp(p, "rcpt ", 5);
        if (!from && !rcpt)
            return vg_fail(err, VG_ERR_PARSE, "outbox mail payload: bad envelope line '%.*s'",
                           (int)(n < 60 ? n : 60), p);
        if (used + n - 5 + 1 > sizeof env->buf || (rcpt && env->n_rcpt == VG_MAIL_RCPT_MAX))
            return vg_fail(err, VG_ERR_PARSE, "outbox mail payload: envelope too large");
        char *dst = env->buf + used;
        memcpy(dst, p + 5, n - 5);
        dst[n - 5] = 0;
        used += n - 5 + 1;
        if (from)
            env->from = dst;
        else
            env->rcpt[env->n_rcpt++] = dst;
        p = nl + 1;
    }
    if (p >= end || !env->from || env->n_rcpt == 0)
        return vg_fail(err, VG_ERR_PARSE, "outbox mail payload: no sender, recipient or "
                       "message");
    env->message = p + 1;
    return VG_OK;
}

void vg_mail_header(const char *message, const char *name, char *buf, size_t size)
{
    size_t nl = strlen(name), o = 0;
    buf[0] = 0;
    for (const char *p = message; *p && !(p[0] == '\r' && p[1] == '\n');) {
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            break;
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            for (;;) {
                while (v < eol && (*v == ' ' || *v == '\t'))
                    v++;
                while (v < eol && o + 1 < size)
                    buf[o++] = *v++;
                if (eol[2] != ' ' && eol[2] != '\t')
                    break;
                v = eol + 2; /* folded continuation */
                eol = strstr(v, "\r\n");
                if (!eol)
                    break;
                if (o + 1 < size)
                    buf[o++] = ' ';
            }
            buf[o] = 0;
            return;
        }
        p = eol + 2;
    }
}

/* ---- event mails ------------------------------------------------------------------------ */

/* What the event means for the PI and what to do, one paragraph. */
static void mail__event_meaning(mail_buf *b, const vg_event *ev)
{
    char t1[VG_TIME_ISO_LEN], t2[VG_TIME_ISO_LEN];
    mail__iso(ev->first, t1);
    mail__iso(ev->last, t2);
    switch (ev->kind) {
    case VG_EVENT_DATUM_SHIFT:
        mb_printf(b, "The mean level stepped by %+.3f %s from %s on, compared with the lunar "
                  "month before.\r\nA step like this usually means the gauge or its zero moved "
                  "(a sensor replaced or re-mounted,\r\na new levelling, a settling structure). "
                  "Until it is explained, the values after %s\r\nare not comparable with those "
                  "before: the datum_shift test flags them. Please check the\r\nstation log "
                  "and, if needed, level the gauge against its benchmark.\r\n",
                  ev->magnitude, ev->units, t1, t1);
        break;
    case VG_EVENT_CLOCK_OFFSET:
        mb_printf(b, "The observed tide is %.1f %s %s the prediction from %s on: the logger's "
                  "clock is\r\nprobably %s by that much, so every time stamp after %s is off "
                  "by it. Please check\r\nthe logger's clock (NTP or GPS) and reset it; the "
                  "clock_offset test flags the values\r\nmeanwhile.\r\n",
                  fabs(ev->magnitude), ev->units, ev->magnitude > 0 ? "late on" : "early on",
                  t1, ev->magnitude > 0 ? "fast" : "slow", t1);
        break;
    case VG_EVENT_SPIKE:
        mb_printf(b, "Values at %s lie %+.3f %s off the local residual curve (the data minus "
                  "the tide):\r\na spike, from a wave, a boat, a fouled intake or a sensor "
                  "glitch. The values are\r\nflagged; a series of spikes calls for a look at "
                  "the sensor.\r\n", t1, ev->magnitude, ev->units);
        break;
    case VG_EVENT_SILENCE:
        if (vg_event_silence_ended(ev))
            mb_printf(b, "The platform sends again: no sample came between %s and %s (%g "
                      "%s of data\r\ntime). The data of that interval are missing unless "
                      "the logger kept them\r\nand they are sent later.\r\n", t1, t2,
                      ev->magnitude, ev->units);
        else
            mb_printf(b, "No sample has come for %g %s after the one of %s. Please check "
                      "the station:\r\npower, logger, telemetry. A second mail says when "
                      "samples come again.\r\n", ev->magnitude, ev->units, t1);
        break;
    default:
        break;
    }
}

static void mail__event_msgid(const vg_alert_rules *r, const vg_alert_rule *rule,
                              const vg_event *ev, char *buf, size_t size)
{
    snprintf(buf, size, "<vigie.%s.%s.%s.%lld.%s%s@%s>", rule->name, ev->platform,
             mail__param((int)ev->param), (long long)ev->first, vg_event_kind_name(ev->kind),
             vg_event_silence_ended(ev) ? ".end" : "", mail__domain(r->smtp.from));
}

static void mail__event_subject(mail_buf *b, const vg_alert_rules *r,
                                const vg_alert_rule *rule, const vg_platform_cfg *pl,
                                const vg_event *ev)
{
    vg_alert_event ae = {.rule = rule, .platform = pl, .param = (int)ev->param};
    const char *kind = vg_event_kind_name(ev->kind);
    mail__subject_as(b, r, &ae, vg_event_silence_ended(ev) ? "silence ended" : kind, kind);
}

static void mail__event_body(mail_buf *b, const vg_alert_rules *r, const vg_alert_rule *rule,
                             const vg_platform_cfg *pl, const vg_event *ev, vg_time_us now)
{
    char t1[VG_TIME_ISO_LEN], t2[VG_TIME_ISO_LEN], td[VG_TIME_ISO_LEN], tn[VG_TIME_ISO_LEN];
    mail__iso(ev->first, t1);
    mail__iso(ev->last, t2);
    mail__iso(ev->detected, td);
    mail__iso(now, tn);
    const char *kind = vg_event_kind_name(ev->kind);
    if (r->intro && *r->intro)
        mb_printf(b, "%s\r\n\r\n", r->intro);
    mb_printf(b, "A %s was found on %s%s%s%s.\r\n\r\n", kind, pl->id, pl->name[0] ? " (" : "",
              pl->name, pl->name[0] ? ")" : "");
    mail__event_meaning(b, ev);
    mb_printf(b, "\r\nPlatform:   %s (%s)\r\n", pl->id, vg_kind_name(pl->kind));
    const vg_param_info *pi = vg_param_get(ev->param);
    if (pi)
        mb_printf(b, "Parameter:  %s (%s, %s)\r\n", pi->code, pi->long_name, pi->units);
    mb_printf(b, "Event:      %s: %s\r\n", kind, ev->text);
    mb_printf(b, "Magnitude:  ");
    mail__value(b, ev->magnitude);
    mb_printf(b, " %s\r\nScore:      ", ev->units);
    mail__value(b, ev->score);
    mb_printf(b, "\r\nFirst time: %s\r\nLast time:  %s\r\n", t1, t2);
    mb_printf(b, "Found:      on the data up to %s, mailed at %s\r\n", td, tn);
    if (!isnan(pl->lat_deg))
        mb_printf(b, "Position:   %.5f N, %.5f E (station)\r\n", pl->lat_deg, pl->lon_deg);
    mb_printf(b, "Rule:       %s (event): ", rule->name);
    mail__rule_text(b, r, rule, pl);
    if (ev->kind != VG_EVENT_SILENCE)
        mb_printf(b, "\r\n\r\nThis is the first detection: the daily analysis may refine "
                  "the estimate on the\r\nfollowing days without a new mail; the events list "
                  "shows the latest one.\r\n");
    else
        mb_printf(b, "\r\n");
    mb_printf(b, "\r\nTo look at the events and the data:\r\n"
              "  vigie dump -c %s --events --platform %s\r\n"
              "  vigie dump -c %s --platform %s%s%s --from %s\r\n",
              r->config_path, pl->id, r->config_path, pl->id, pi ? " --param " : "",
              pi ? pi->code : "", t1);
    mb_printf(b, "\r\n-- \r\nvigie, real-time quality control. Rules: %s (alerts:).\r\n",
              r->config_path);
}

vg_err vg_mail_compose_event(const vg_alert_rules *r, const vg_alert_rule *rule,
                             const vg_platform_cfg *pl, const vg_event *ev, vg_time_us now,
                             const char **rcpt, size_t n_rcpt, char **payload, size_t *len,
                             vg_errinfo *err)
{
    mail_buf b = {0};
    mail__envelope(&b, r->smtp.from, rcpt, n_rcpt);
    char date[64], id[300];
    mail__date(now, date, sizeof date);
    mail__event_msgid(r, rule, ev, id, sizeof id);
    mb_printf(&b, "From: vigie <%s>\r\n", r->smtp.from);
    mail__to(&b, rcpt, n_rcpt);
    mb_printf(&b, "Subject: ");
    mail__event_subject(&b, r, rule, pl, ev);
    mb_printf(&b, "\r\nDate: %s\r\nMessage-ID: %s\r\n", date, id);
    mb_printf(&b, "X-Vigie-Rule: %s\r\nX-Vigie-Platform: %s\r\nX-Vigie-Parameter: %s\r\n"
              "X-Vigie-State: event\r\nX-Vigie-Event: %s\r\n", rule->name, pl->id,
              mail__param((int)ev->param), vg_event_kind_name(ev->kind));
    mb_printf(&b, "MIME-Version: 1.0\r\n");
    mail_buf text = {0}, subject = {0};
    mail__event_body(&text, r, rule, pl, ev, now);
    mail__event_subject(&subject, r, rule, pl, ev);
    mail__text_part(&b, r, &text, subject.p ? subject.p : "");
    free(text.p);
    free(subject.p);
    return mail__finish(&b, payload, len, err);
}

vg_err vg_mail_compose_event_entry(const vg_alert_rules *r, const vg_alert_rule *rule,
                                   const vg_platform_cfg *pl, const vg_event *ev,
                                   vg_time_us now, const char *rcpt, int period_s,
                                   char **payload, size_t *len, vg_errinfo *err)
{
    mail_buf b = {0};
    mb_printf(&b, "vigie-digest 1\nrcpt %s\nperiod %d\n\nSubject: ", rcpt, period_s);
    mail__event_subject(&b, r, rule, pl, ev);
    mb_printf(&b, "\r\n\r\n");
    mail__event_body(&b, r, rule, pl, ev, now);
    return mail__finish(&b, payload, len, err);
}
