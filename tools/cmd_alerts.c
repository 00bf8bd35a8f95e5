/* cmd_alerts.c: `vigie alerts list|test|resend`: list the alert mails waiting in the
 * outbox (also while the daemon runs), send a test mail through the configured SMTP server
 * now and say what happened, or make a waiting mail due at once (the running daemon's
 * sender picks it up within a second). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/message.h"
#include "alerts/sender.h"
#include "alerts/smtp.h"
#include "core/config.h"
#include "daemon/setup.h"
#include "storage/outbox.h"
#include "tools/command.h"

static void alerts_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie alerts list   (-c FILE | -s DIR)\n"
            "       vigie alerts test   -c FILE RECIPIENT\n"
            "       vigie alerts resend (-c FILE | -s DIR) ID\n\n"
            "E-mail alerts (docs/alerts.md).\n\n"
            "  list     the alert mails not yet accepted by the SMTP server: id, created,\n"
            "           attempts, next attempt, recipients, subject, last error; then the\n"
            "           entries waiting for a digest (subject '(digest) ...')\n"
            "  test     send a test mail to RECIPIENT now with the SMTP settings of FILE\n"
            "           (alerts:), and print the server's answer; exit status 1 on failure\n"
            "  resend   make mail ID due now (after a fix of the SMTP settings or server);\n"
            "           the daemon sends it within about a second\n\n"
            "  -c, --config FILE    the configuration (storage.path and alerts:)\n"
            "  -s, --storage DIR    the store directory\n");
}

static int alerts__print(void *ctx, const vg_outbox_item *it)
{
    (void)ctx;
    char created[VG_TIME_ISO_LEN], next[VG_TIME_ISO_LEN], subject[200] = "";
    vg_time_format_iso8601(it->created, created);
    vg_time_format_iso8601(it->next_attempt, next);
    vg_mail_envelope *env = malloc(sizeof *env);
    vg_errinfo e;
    printf("%llu\t%s\t%u\t%s\t", (unsigned long long)it->id, created, it->attempts, next);
    vg_mail_entry entry;
    if (!strcmp(it->queue, VG_DIGEST_QUEUE) &&
        vg_mail_parse_entry((const char *)it->payload, it->len, &entry, &e) == VG_OK) {
        const char *eol = strstr(entry.text, "\r\n");
        snprintf(subject, sizeof subject, "(digest) %.*s",
                 eol && !strncmp(entry.text, "Subject: ", 9) ? (int)(eol - entry.text - 9) : 0,
                 entry.text + 9);
        printf("%s", entry.rcpt);
    } else if (env && vg_mail_parse((const char *)it->payload, it->len, env, &e) == VG_OK) {
        vg_mail_header(env->message, "Subject", subject, sizeof subject);
        for (size_t i = 0; i < env->n_rcpt; i++)
            printf("%s%s", i ? "," : "", env->rcpt[i]);
    } else {
        printf("?");
    }
    free(env);
    printf("\t%s\t%s\n", subject, it->last_error);
    return 0;
}

static int alerts__test(const vg_setup *setup, const char *rcpt)
{
    vg_errinfo err;
    char *payload = NULL;
    size_t len = 0;
    vg_mail_envelope *env = malloc(sizeof *env);
    if (!env || vg_mail_compose_test(setup->alerts, rcpt, vg_time_now(), &payload, &len,
                                     &err) != VG_OK ||
        vg_mail_parse(payload, len, env, &err) != VG_OK) {
        fprintf(stderr, "vigie alerts test: %s\n", env ? err.text : "out of memory");
        free(env);
        free(payload);
        return VG_EXIT_FAIL;
    }
    char warning[512];
    int status = VG_EXIT_OK;
    if (vg_smtp_send(&setup->alerts->smtp, env, warning, NULL, &err) != VG_OK) {
        fprintf(stderr, "vigie alerts test: not sent: %s\n", err.text);
        status = VG_EXIT_FAIL;
    } else if (warning[0]) {
        fprintf(stderr, "vigie alerts test: not accepted for every recipient: %s\n", warning);
        status = VG_EXIT_FAIL;
    } else {
        printf("test mail to %s accepted by %s\n", rcpt, setup->alerts->smtp.server);
    }
    free(env);
    free(payload);
    return status;
}

static int alerts_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *storage = NULL, *config = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:c:", longopts, NULL)) != -1) {
        switch (c) {
        case 's': storage = optarg; break;
        case 'c': config = optarg; break;
        default: alerts_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    const char *verb = optind < argc ? argv[optind] : NULL;
    const char *arg = optind + 1 < argc ? argv[optind + 1] : NULL;
    int nargs = argc - optind;
    bool list = verb && !strcmp(verb, "list"), test = verb && !strcmp(verb, "test"),
         resend = verb && !strcmp(verb, "resend");
    if (!(list && nargs == 1) && !((test || resend) && nargs == 2)) {
        alerts_usage(stderr);
        return VG_EXIT_USAGE;
    }
    if ((test && !config) || (!test && !storage == !config)) {
        fprintf(stderr, "vigie alerts %s: give %s\n", verb,
                test ? "--config FILE" : "one of --storage DIR or --config FILE");
        return VG_EXIT_USAGE;
    }
    uint64_t id = 0;
    if (resend) {
        long v;
        if (!vg_parse_long(arg, &v) || v <= 0) {
            fprintf(stderr, "vigie alerts resend: '%s' is not a mail id (see vigie alerts "
                    "list)\n", arg);
            return VG_EXIT_USAGE;
        }
        id = (uint64_t)v;
    }
    vg_errinfo err;
    vg_setup setup = {0};
    if (config) {
        if (vg_setup_load(config, &setup, &err) != VG_OK) {
            fprintf(stderr, "vigie alerts: %s\n", err.text);
            return VG_EXIT_FAIL;
        }
        storage = setup.cfg->storage_path;
    }
    int status = VG_EXIT_OK;
    if (test) {
        signal(SIGPIPE, SIG_IGN); /* a server that closes: an error, not a silent death */
        status = alerts__test(&setup, arg);
        vg_setup_free(&setup);
        return status;
    }
    vg_outbox *o = NULL;
    if (vg_outbox_open(storage, 16, list ? VG_OUTBOX_READER : VG_OUTBOX_TOOL, &o, &err) !=
        VG_OK) {
        fprintf(stderr, "vigie alerts %s: %s\n", verb, err.text);
        vg_setup_free(&setup);
        return VG_EXIT_FAIL;
    }
    if (list) {
        printf("id\tcreated\tattempts\tnext_attempt\trecipients\tsubject\tlast_error\n");
        if (vg_outbox_walk(o, VG_ALERT_QUEUE, alerts__print, NULL, &err) != VG_OK ||
            vg_outbox_walk(o, VG_DIGEST_QUEUE, alerts__print, NULL, &err) != VG_OK) {
            fprintf(stderr, "vigie alerts list: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
    } else if (vg_outbox_retry_now(o, VG_ALERT_QUEUE, id, vg_time_now(), &err) != VG_OK &&
               (err.code != VG_ERR_NOTFOUND ||
                vg_outbox_retry_now(o, VG_DIGEST_QUEUE, id, vg_time_now(), &err) != VG_OK)) {
        if (err.code == VG_ERR_NOTFOUND)
            fprintf(stderr, "vigie alerts resend: no waiting mail or digest entry %llu in %s "
                    "(sent already, or never queued: see vigie alerts list)\n",
                    (unsigned long long)id, storage);
        else
            fprintf(stderr, "vigie alerts resend: %s\n", err.text);
        status = VG_EXIT_FAIL;
    } else {
        printf("mail %llu is due now: the daemon sends it within about a second\n",
               (unsigned long long)id);
    }
    if (vg_outbox_close(o, &err) != VG_OK) {
        fprintf(stderr, "vigie alerts %s: %s\n", verb, err.text);
        status = VG_EXIT_FAIL;
    }
    vg_setup_free(&setup);
    return status;
}

const vg_command vg_cmd_alerts = {
    .name = "alerts",
    .summary = "list, test and resend e-mail alerts",
    .main = alerts_main,
    .usage = alerts_usage,
};
