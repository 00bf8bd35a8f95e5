/* smtp.h: hand one mail to the SMTP server with libesmtp: STARTTLS off, opportunistic or
 * required, AUTH with a user and password read from a file that must not be readable by
 * others, a time-out on every protocol step. Blocking: call it from the sender thread or a
 * command, never from the engine. Thread-safe (one libesmtp session per call). */
#ifndef VIGIE_ALERTS_SMTP_H
#define VIGIE_ALERTS_SMTP_H

#include <stdbool.h>

#include "alerts/message.h"
#include "alerts/rules.h"

/* Read alerts.smtp.credentials: the file must be a regular file not readable, writable or
 * executable by others (mode & 0007 == 0), first line the user, second line the password.
 * VG_ERR_CONFIG naming the file and what to do otherwise ("chmod o-rwx FILE"). user and
 * pass receive NUL-terminated copies (at most size - 1 bytes each). */
vg_err vg_smtp_credentials(const char *path, char *user, char *pass, size_t size,
                           vg_errinfo *err);

/* Check what can be checked before sending (the credentials file). */
vg_err vg_smtp_check(const vg_smtp_cfg *cfg, vg_errinfo *err);

/* Send the mail env (vg_mail_parse) through cfg's server. VG_OK when the server accepted it
 * for at least one recipient (the refused ones are named in warning[0..512) when it is not
 * NULL; "" if none). Otherwise VG_ERR_IO with the step that failed and the server's
 * answer; *session_failed (may be NULL) is then true when the failure is the session's
 * (no connection, time-out, STARTTLS or AUTH refused), not this mail's: the next mails
 * would fail the same way. */
vg_err vg_smtp_send(const vg_smtp_cfg *r, const vg_mail_envelope *env, char *warning,
                    bool *session_failed, vg_errinfo *err);

#define VG_SMTP_BATCH_MAX 64 /* mails of one vg_smtp_send_many session */

/* The outcome of one mail of vg_smtp_send_many: like vg_smtp_send's. */
typedef struct vg_smtp_result {
    vg_err rc;            /* VG_OK: accepted for at least one recipient */
    bool session_failed;  /* rc != VG_OK because of the session, not of this mail */
    char warning[512];    /* the recipients refused, "" if none */
    vg_errinfo err;       /* why, when rc != VG_OK */
} vg_smtp_result;

/* Send envs[0..n) (n <= VG_SMTP_BATCH_MAX) in one SMTP session (one connection, one
 * STARTTLS and AUTH), res[i] receiving the outcome of envs[i]: a mail refused does not stop
 * the next; a session that fails (no connection, TLS, AUTH, a time-out, the connection lost
 * half-way) fails the mails not yet accepted with session_failed. */
void vg_smtp_send_many(const vg_smtp_cfg *r, const vg_mail_envelope *const *envs, size_t n,
                       vg_smtp_result *res);

#endif
