/* smtp.c: one mail to the SMTP server with libesmtp (smtp.h): session set-up (server,
 * time-outs, STARTTLS, AUTH from the credentials file), the transfer, and an error text
 * that says which step failed and what the server answered (captured with the monitor
 * callback). */
#include "alerts/smtp.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
/* after <openssl/ssl.h>: libesmtp.h declares smtp_starttls_set_ctx only then */
#include <auth-client.h>
#include <errno.h>
#include <libesmtp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SMTP_CRED_MAX 256

typedef struct smtp_ctx {
    char user[SMTP_CRED_MAX], pass[SMTP_CRED_MAX];
    char last_reply[256];  /* the last 4xx/5xx line the server sent */
    char auth_reply[256];  /* the server's answer to AUTH, when it refused */
    bool starttls_missing; /* STARTTLS required but not offered */
    bool replied;          /* the server sent at least one line */
    bool in_auth;
    const char *ca_file;   /* alerts.smtp.ca_file, or NULL */
    char tls_error[256];   /* why the server's certificate was refused */
} smtp_ctx;

static pthread_once_t smtp_once = PTHREAD_ONCE_INIT;

static void smtp__init(void)
{
    auth_client_init();
}

vg_err vg_smtp_credentials(const char *path, char *user, char *pass, size_t size,
                           vg_errinfo *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_fail(err, VG_ERR_CONFIG, "%s: cannot read the SMTP credentials: %s", path,
                       strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return vg_fail(err, VG_ERR_CONFIG, "%s: the SMTP credentials must be a regular file",
                       path);
    }
    if (st.st_mode & 0007) {
        fclose(f);
        return vg_fail(err, VG_ERR_CONFIG, "%s: the SMTP credentials file is accessible to "
                       "every user (mode %04o): refusing to use it; run 'chmod o-rwx %s'",
                       path, (unsigned)(st.st_mode & 07777), path);
    }
    char line[2][SMTP_CRED_MAX + 2];
    int n = 0;
    while (n < 2 && fgets(line[n], sizeof line[n], f)) {
        line[n][strcspn(line[n], "\r\n")] = 0;
        n++;
    }
    fclose(f);
    if (n < 2 || !line[0][0])
        return vg_fail(err, VG_ERR_CONFIG, "%s: expected the user on the first line and the "
                       "password on the second", path);
    snprintf(user, size, "%s", line[0]);
    snprintf(pass, size, "%s", line[1]);
    return VG_OK;
}

/* The TLS settings of a session (libesmtp's own would read ~/.authenticate): the system's
 * CAs plus alerts.smtp.ca_file, and TLS 1.2 at most: libesmtp 1.1.0 (Debian 12) loses the
 * session now and then when a TLS 1.3 server sends its session tickets after the handshake
 * ("SMTP server dropped connection"; tests/integration/test_alerts_tls.sh). *out is owned by
 * the caller (SSL_CTX_free). */
static vg_err smtp__tls_ctx(const vg_smtp_cfg *r, SSL_CTX **out, vg_errinfo *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    *out = NULL;
    if (!ctx)
        return vg_fail(err, VG_ERR_NOMEM, "SMTP: cannot create a TLS context");
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_default_verify_paths(ctx) != 1) {
        SSL_CTX_free(ctx);
        return vg_fail(err, VG_ERR_IO, "SMTP: cannot set up TLS (OpenSSL)");
    }
    if (r->ca_file[0] && SSL_CTX_load_verify_locations(ctx, r->ca_file, NULL) != 1) {
        SSL_CTX_free(ctx);
        ERR_clear_error();
        return vg_fail(err, VG_ERR_CONFIG, "%s: cannot load the CA certificates of "
                       "alerts.smtp.ca_file (a readable PEM file of certificates expected)",
                       r->ca_file);
    }
    *out = ctx;
    return VG_OK;
}

vg_err vg_smtp_check(const vg_smtp_cfg *r, vg_errinfo *err)
{
    if (r->ca_file[0]) {
        SSL_CTX *ctx = NULL;
        vg_err rc = smtp__tls_ctx(r, &ctx, err);
        SSL_CTX_free(ctx);
        if (rc != VG_OK)
            return rc;
    }
    if (!r->credentials[0])
        return VG_OK;
    char user[SMTP_CRED_MAX], pass[SMTP_CRED_MAX];
    vg_err rc = vg_smtp_credentials(r->credentials, user, pass, sizeof user, err);
    memset(pass, 0, sizeof pass);
    return rc;
}

/* libesmtp asks for the user and the password (or the realm: none). */
static int smtp__interact(auth_client_request_t request, char **result, int fields, void *arg)
{
    smtp_ctx *c = arg;
    for (int i = 0; i < fields; i++) {
        if (request[i].flags & AUTH_USER)
            result[i] = c->user;
        else if (request[i].flags & AUTH_PASS)
            result[i] = c->pass;
        else
            result[i] = (char *)"";
    }
    return 1;
}

/* Protocol monitor: keep the server's last error reply, and its answer to AUTH. */
static void smtp__monitor(const char *buf, int len, int writing, void *arg)
{
    smtp_ctx *c = arg;
    if (!writing)
        c->replied = true;
    if (writing) {
        c->in_auth = len >= 5 && !strncasecmp(buf, "AUTH ", 5);
        return;
    }
    if (len >= 3 && (buf[0] == '4' || buf[0] == '5')) {
        int n = len;
        while (n > 0 && (buf[n - 1] == '\r' || buf[n - 1] == '\n'))
            n--;
        snprintf(c->last_reply, sizeof c->last_reply, "%.*s", n, buf);
        if (c->in_auth)
            snprintf(c->auth_reply, sizeof c->auth_reply, "%.*s", n, buf);
    }
}

static void smtp__event(smtp_session_t session, int event, void *arg, ...)
{
    (void)session;
    smtp_ctx *c = arg;
    va_list ap;
    va_start(ap, arg);
    switch (event) {
    case SMTP_EV_EXTNA_STARTTLS:
        c->starttls_missing = true;
        break;
    case SMTP_EV_WEAK_CIPHER: {
        (void)va_arg(ap, long);
        int *ok = va_arg(ap, int *);
        *ok = 0;
        break;
    }
    case SMTP_EV_INVALID_PEER_CERTIFICATE: {
        /* trusted neither by the system's CAs nor by alerts.smtp.ca_file (smtp__tls_ctx):
         * a relay must have a valid certificate */
        long res = va_arg(ap, long);
        int *ok = va_arg(ap, int *);
        *ok = 0;
        snprintf(c->tls_error, sizeof c->tls_error, "the server's certificate is not "
                     "trusted: %s (%s; alerts.smtp.ca_file names the CAs to trust)",
                     X509_verify_cert_error_string(res),
                     c->ca_file ? "not by the system's CAs nor by alerts.smtp.ca_file"
                                : "not by the system's CAs");
        break;
    }
    case SMTP_EV_NO_PEER_CERTIFICATE: {
        int *ok = va_arg(ap, int *);
        *ok = 0;
        snprintf(c->tls_error, sizeof c->tls_error, "the server sent no certificate");
        break;
    }
    case SMTP_EV_WRONG_PEER_CERTIFICATE: {
        int *ok = va_arg(ap, int *);
        const char *name = va_arg(ap, const char *);
        *ok = 0;
        snprintf(c->tls_error, sizeof c->tls_error, "the server's certificate is for '%.100s', "
                 "not for the host of alerts.smtp_host", name ? name : "");
        break;
    }
    case SMTP_EV_NO_CLIENT_CERTIFICATE: {
        int *ok = va_arg(ap, int *);
        *ok = 1; /* a client certificate is not needed */
        break;
    }
    default:
        break;
    }
    va_end(ap);
}

typedef struct smtp_rcpt_ctx {
    char *warning;
    size_t accepted, refused;
} smtp_rcpt_ctx;

static void smtp__rcpt(smtp_recipient_t rcpt, const char *mailbox, void *arg)
{
    smtp_rcpt_ctx *rc = arg;
    const smtp_status_t *st = smtp_recipient_status(rcpt);
    if (st && st->code >= 200 && st->code < 300) {
        rc->accepted++;
        return;
    }
    rc->refused++;
    if (rc->warning) {
        size_t n = strlen(rc->warning);
        snprintf(rc->warning + n, 512 - n, "%s%s refused (%d %s)", n ? "; " : "", mailbox,
                 st ? st->code : 0, st && st->text ? st->text : "");
        rc->warning[strcspn(rc->warning, "\r\n")] = 0;
    }
}

static vg_err smtp__fail(vg_errinfo *err, const vg_smtp_cfg *r, const char *what,
                         const char *reply)
{
    if (reply && *reply)
        return vg_fail(err, VG_ERR_IO, "SMTP %s: %s (server said: %s)", r->server, what,
                       reply);
    return vg_fail(err, VG_ERR_IO, "SMTP %s: %s", r->server, what);
}

/* The outcome of message msg of a session that ran (smtp_start_session succeeded). */
static void smtp__outcome(const vg_smtp_cfg *r, const smtp_ctx *c, smtp_message_t msg,
                          vg_smtp_result *res)
{
    char ebuf[128];
    vg_errinfo *err = &res->err;
    const smtp_status_t *st = smtp_message_transfer_status(msg);
    smtp_rcpt_ctx rr = {.warning = res->warning};
    smtp_enumerate_recipients(msg, smtp__rcpt, &rr);
    res->session_failed = true;
    if (c->starttls_missing) {
        res->rc = smtp__fail(err, r, "STARTTLS is required (alerts.smtp.starttls) but the "
                             "server does not offer it", NULL);
    } else if (c->tls_error[0]) {
        char what[400];
        snprintf(what, sizeof what, "STARTTLS failed: %s", c->tls_error);
        res->rc = smtp__fail(err, r, what, NULL);
    } else if (st && st->code >= 200 && st->code < 300 && rr.accepted > 0) {
        res->rc = VG_OK;
        res->session_failed = false;
    } else if (c->auth_reply[0]) {
        char what[400];
        snprintf(what, sizeof what,
                 "authentication as '%.100s' refused (credentials from %.200s)", c->user,
                 r->credentials);
        res->rc = smtp__fail(err, r, what, c->auth_reply);
    } else if (!c->replied || !st || st->code == 0) {
        /* libesmtp ended the session before this envelope: a time-out, or the
         * connection closed (its return value does not always say so) */
        int e = smtp_errno();
        const char *why = e ? smtp_strerror(e, ebuf, sizeof ebuf) : NULL;
        char what[300];
        if (!c->replied)
            snprintf(what, sizeof what, "session failed: no answer from the server within "
                     "%g s (alerts.smtp.timeout_s; libesmtp: %s)", r->timeout_s,
                     why ? why : "no error");
        else
            snprintf(what, sizeof what, "session failed: %s",
                     why ? why : "the server ended the session");
        res->rc = smtp__fail(err, r, what, c->last_reply);
    } else {
        const smtp_status_t *mf = smtp_reverse_path_status(msg);
        char reply[300];
        if (mf && mf->code >= 400)
            snprintf(reply, sizeof reply, "MAIL FROM: %d %s", mf->code,
                     mf->text ? mf->text : "");
        else if (st && st->code)
            snprintf(reply, sizeof reply, "%d %s", st->code, st->text ? st->text : "");
        else
            snprintf(reply, sizeof reply, "%s", c->last_reply);
        reply[strcspn(reply, "\r\n")] = 0;
        res->rc = smtp__fail(err, r, rr.accepted == 0 && rr.refused ? "every recipient refused"
                                                                    : "mail not accepted",
                             reply);
        if (!(mf && mf->code >= 400))
            res->session_failed = false; /* the server talked: this mail's problem */
    }
}

/* Every result gets the session's failure err. */
static void smtp__fail_all(vg_smtp_result *res, size_t n, const vg_errinfo *err)
{
    for (size_t i = 0; i < n; i++) {
        res[i].rc = err->code ? err->code : VG_ERR_IO;
        res[i].session_failed = true;
        res[i].err = *err;
    }
}

void vg_smtp_send_many(const vg_smtp_cfg *r, const vg_mail_envelope *const *envs, size_t n,
                       vg_smtp_result *res)
{
    for (size_t i = 0; i < n; i++) {
        memset(&res[i], 0, sizeof res[i]);
        res[i].session_failed = true;
    }
    if (n == 0)
        return;
    pthread_once(&smtp_once, smtp__init);
    vg_errinfo err = {0};
    smtp_ctx *c = calloc(1, sizeof *c);
    smtp_message_t msgs[VG_SMTP_BATCH_MAX];
    if (!c || n > VG_SMTP_BATCH_MAX) {
        vg_fail(&err, c ? VG_ERR_INVAL : VG_ERR_NOMEM, "SMTP: %s",
                c ? "too many mails for one session" : "out of memory");
        smtp__fail_all(res, n, &err);
        free(c);
        return;
    }
    auth_context_t auth = NULL;
    if (r->credentials[0] &&
        vg_smtp_credentials(r->credentials, c->user, c->pass, sizeof c->user, &err) != VG_OK) {
        smtp__fail_all(res, n, &err);
        free(c);
        return;
    }
    c->ca_file = r->ca_file[0] ? r->ca_file : NULL;
    SSL_CTX *tctx = NULL;
    if (r->starttls != VG_STARTTLS_OFF && smtp__tls_ctx(r, &tctx, &err) != VG_OK) {
        smtp__fail_all(res, n, &err);
        memset(c, 0, sizeof *c);
        free(c);
        return;
    }
    smtp_session_t session = smtp_create_session();
    int ok = session != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = (msgs[i] = smtp_add_message(session)) != NULL;
    if (!ok) {
        if (session)
            smtp_destroy_session(session);
        SSL_CTX_free(tctx);
        memset(c, 0, sizeof *c);
        free(c);
        vg_fail(&err, VG_ERR_NOMEM, "SMTP: cannot create a libesmtp session");
        smtp__fail_all(res, n, &err);
        return;
    }
    long ms = (long)(r->timeout_s * 1000);
    static const int steps[] = {Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA,
                                Timeout_TRANSFER, Timeout_DATA2};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        smtp_set_timeout(session, steps[i] | Timeout_OVERRIDE_RFC2822_MINIMUM, ms);
    static const enum starttls_option tls[] = {
        [VG_STARTTLS_OFF] = Starttls_DISABLED,
        [VG_STARTTLS_OPPORTUNISTIC] = Starttls_ENABLED,
        [VG_STARTTLS_REQUIRED] = Starttls_REQUIRED,
    };
    ok = smtp_set_server(session, r->server) &&
         smtp_starttls_enable(session, tls[r->starttls]) &&
         (!tctx || smtp_starttls_set_ctx(session, tctx)) &&
         smtp_set_eventcb(session, smtp__event, c) &&
         smtp_set_monitorcb(session, smtp__monitor, c, 0);
    for (size_t m = 0; ok && m < n; m++) {
        ok = smtp_set_reverse_path(msgs[m], envs[m]->from) &&
             smtp_set_messagecb(msgs[m], _smtp_message_str_cb, (void *)envs[m]->message);
        for (size_t i = 0; ok && i < envs[m]->n_rcpt; i++)
            ok = smtp_add_recipient(msgs[m], envs[m]->rcpt[i]) != NULL;
    }
    if (ok && r->credentials[0]) {
        auth = auth_create_context();
        ok = auth && auth_set_mechanism_flags(auth, AUTH_PLUGIN_PLAIN, 0) &&
             auth_set_interact_cb(auth, smtp__interact, c) &&
             smtp_auth_set_context(session, auth);
    }
    char ebuf[128];
    if (!ok) {
        vg_fail(&err, VG_ERR_IO, "SMTP %s: cannot set up the session: %s", r->server,
                smtp_strerror(smtp_errno(), ebuf, sizeof ebuf));
        smtp__fail_all(res, n, &err);
    } else if (!smtp_start_session(session)) {
        /* no SMTP conversation, or it broke: the server, the network or TLS */
        const char *why = smtp_strerror(smtp_errno(), ebuf, sizeof ebuf);
        char what[300];
        if (c->starttls_missing)
            snprintf(what, sizeof what, "STARTTLS is required (alerts.smtp.starttls) but the "
                     "server does not offer it");
        else if (c->tls_error[0])
            snprintf(what, sizeof what, "STARTTLS failed: %s", c->tls_error);
        else
            snprintf(what, sizeof what, "session failed: %s", why ? why : "unknown error");
        smtp__fail(&err, r, what, c->last_reply);
        smtp__fail_all(res, n, &err);
    } else {
        for (size_t m = 0; m < n; m++)
            smtp__outcome(r, c, msgs[m], &res[m]);
    }
    smtp_destroy_session(session);
    SSL_CTX_free(tctx);
    if (auth)
        auth_destroy_context(auth);
    memset(c, 0, sizeof *c);
    free(c);
}

vg_err vg_smtp_send(const vg_smtp_cfg *r, const vg_mail_envelope *env, char *warning,
                    bool *session_failed, vg_errinfo *err)
{
    vg_smtp_result *res = malloc(sizeof *res);
    if (!res)
        return vg_fail(err, VG_ERR_NOMEM, "SMTP: out of memory");
    vg_smtp_send_many(r, &env, 1, res);
    vg_err rc = res->rc;
    if (warning)
        snprintf(warning, 512, "%s", res->warning);
    if (session_failed)
        *session_failed = rc != VG_OK && res->session_failed;
    if (rc != VG_OK && err)
        *err = res->err;
    free(res);
    return rc;
}
