/* cmd_upload.c: `vigie upload`: send files to a data centre (export/upload.h,
 * docs/upload.md). `send` uploads now, retrying with the configured back-off until every
 * file arrived or the attempts are spent; `queue`, `list`, `retry` and `now` work on the
 * durable upload queue (the "upload" queue of the store's outbox, storage/outbox.h), which
 * survives restarts: `now` runs every due item once. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "daemon/setup.h"
#include "export/destination.h"
#include "export/upload.h"
#include "storage/outbox.h"
#include "tools/command.h"

#define UPLOAD_QUEUE "upload"

static void upload_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie upload send (-c FILE --dest NAME | --to URL [--credentials F]\n"
            "                         [--method put|post] [--tls] [--ca-file F])\n"
            "                         [--attempts N] FILE...\n"
            "       vigie upload queue -c FILE --dest NAME FILE...\n"
            "       vigie upload list (-c FILE | -s DIR)\n"
            "       vigie upload retry (-c FILE | -s DIR) ID...\n"
            "       vigie upload now -c FILE\n\n"
            "Send files (NetCDF exports) to a data centre over FTP, FTPS, SFTP or HTTP(S)\n"
            "(docs/upload.md). Each file goes to a temporary name, resumed after an\n"
            "interruption, then renamed; its SHA-256 manifest NAME.sha256 follows.\n\n"
            "  send           upload now; a failed attempt is retried after the back-off of\n"
            "                 upload.retry_base_s .. retry_max_s (1 s .. 60 s with --to)\n"
            "  queue          add the files to the durable upload queue of the store\n"
            "  list           the queued uploads: id, destination, file, attempts, next\n"
            "                 attempt, last error\n"
            "  retry ID...    make queued uploads due now\n"
            "  now            one attempt for every due queued upload; a success leaves\n"
            "                 the queue, a failure is retried later with back-off\n\n"
            "  -c, --config FILE      the configuration: upload.destinations, storage.path\n"
            "  -s, --storage DIR      the store (list, retry)\n"
            "  -d, --dest NAME        a destination of upload.destinations\n"
            "      --to URL           a destination given here (ftp://, ftps://, sftp://,\n"
            "                         http://, https://; a directory)\n"
            "      --credentials F    a file holding user:password (mode 600)\n"
            "      --method M         HTTP(S): put (default) or post\n"
            "      --tls              ftp://: require explicit TLS (FTPS with AUTH TLS)\n"
            "      --ca-file F        trust the CA certificates of this PEM file (TLS)\n"
            "      --attempts N       send: attempts per file, 1..1000 (default 10)\n");
}

/* Payload of a queued upload: "DEST\nPATH". */
static int upload__split(const vg_outbox_item *it, char *dest, size_t dcap, const char **path)
{
    const char *nl = memchr(it->payload, '\n', it->len);
    if (!nl || (size_t)(nl - (const char *)it->payload) >= dcap)
        return -1;
    size_t n = (size_t)(nl - (const char *)it->payload);
    memcpy(dest, it->payload, n);
    dest[n] = '\0';
    *path = nl + 1;
    return 0;
}

static void upload__sleep(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int upload__send(const vg_upload_dest *d, const vg_outbox_backoff *b, long attempts,
                        char **files, int n)
{
    int status = VG_EXIT_OK;
    for (int i = 0; i < n; i++) {
        vg_errinfo err;
        vg_upload_result r;
        bool ok = false;
        for (long a = 1; a <= attempts && !ok; a++) {
            if (vg_upload_file(d, files[i], &r, &err) == VG_OK) {
                ok = true;
                printf("%s: sent to %s (%llu bytes this attempt, %llu kept from an earlier "
                       "one), sha256 %s\n", files[i], d->url, (unsigned long long)r.bytes_sent,
                       (unsigned long long)r.resumed_from, r.sha256);
                break;
            }
            if (err.code == VG_ERR_INVAL || err.code == VG_ERR_PARSE) { /* retrying cannot help */
                fprintf(stderr, "vigie upload: %s\n", err.text);
                break;
            }
            double wait = vg_outbox_backoff_s(b, (uint32_t)a);
            fprintf(stderr, "vigie upload: attempt %ld of %ld failed: %s%s\n", a, attempts,
                    err.text, a < attempts ? "" : " (giving up)");
            if (a < attempts) {
                fprintf(stderr, "vigie upload: next attempt in %.3g s\n", wait);
                fflush(stderr);
                upload__sleep(wait);
            }
        }
        if (!ok)
            status = VG_EXIT_FAIL;
    }
    fflush(stdout);
    return status;
}

typedef struct upload_list_ctx {
    FILE *out;
    size_t n;
} upload_list_ctx;

static int upload__row(void *ctx, const vg_outbox_item *it)
{
    upload_list_ctx *c = ctx;
    char dest[64], t1[VG_TIME_ISO_LEN], t2[VG_TIME_ISO_LEN];
    const char *path = "?";
    if (upload__split(it, dest, sizeof dest, &path) != 0)
        snprintf(dest, sizeof dest, "?");
    fprintf(c->out, "%llu\t%s\t%s\t%s\t%u\t%s\t%s\n", (unsigned long long)it->id, dest, path,
            vg_time_format_iso8601(it->created, t1), it->attempts,
            vg_time_format_iso8601(it->next_attempt, t2), it->last_error);
    c->n++;
    return 0;
}

/* One attempt for every due item of the queue. */
static int upload__now(vg_outbox *ob, const vg_upload_config *u)
{
    vg_errinfo err;
    vg_outbox_item *items = NULL;
    size_t n = 0;
    vg_time_us next = VG_TIME_NONE;
    if (vg_outbox_take_due(ob, UPLOAD_QUEUE, vg_time_now(), 1000, &items, &n, &next, &err) != VG_OK) {
        fprintf(stderr, "vigie upload: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    int status = VG_EXIT_OK;
    size_t sent = 0;
    for (size_t i = 0; i < n; i++) {
        char dest[64];
        const char *path = "?";
        const vg_upload_target *t = NULL;
        vg_err rc;
        vg_upload_result r;
        if (upload__split(&items[i], dest, sizeof dest, &path) != 0)
            rc = vg_fail(&err, VG_ERR_PARSE, "queued item %llu is not DEST\\nPATH",
                         (unsigned long long)items[i].id);
        else if (!(t = vg_upload_config_find(u, dest)))
            rc = vg_fail(&err, VG_ERR_CONFIG, "destination '%s' is not in upload.destinations", dest);
        else
            rc = vg_upload_file(&t->dest, path, &r, &err);
        vg_errinfo e2;
        if (rc == VG_OK) {
            sent++;
            printf("%llu: %s sent to %s, sha256 %s\n", (unsigned long long)items[i].id, path,
                   t->url, r.sha256);
            if (vg_outbox_mark_sent(ob, UPLOAD_QUEUE, items[i].id, &e2) != VG_OK)
                fprintf(stderr, "vigie upload: %s\n", e2.text);
        } else {
            vg_time_us at;
            char ts[VG_TIME_ISO_LEN];
            status = VG_EXIT_FAIL;
            if (vg_outbox_mark_failed(ob, UPLOAD_QUEUE, items[i].id, vg_time_now(), &u->backoff,
                                      err.text, &at, &e2) != VG_OK)
                fprintf(stderr, "vigie upload: %s\n", e2.text);
            else
                fprintf(stderr, "vigie upload: %llu: %s; next attempt at %s\n",
                        (unsigned long long)items[i].id, err.text, vg_time_format_iso8601(at, ts));
        }
    }
    fprintf(stderr, "vigie upload: %zu due, %zu sent\n", n, sent);
    vg_outbox_items_free(items, n);
    return status;
}

static int upload_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"storage", required_argument, NULL, 's'},
        {"dest", required_argument, NULL, 'd'},   {"to", required_argument, NULL, 'T'},
        {"credentials", required_argument, NULL, 'C'}, {"method", required_argument, NULL, 'm'},
        {"attempts", required_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'},
        {"tls", no_argument, NULL, 'S'},            {"ca-file", required_argument, NULL, 'A'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *storage = NULL, *dest_name = NULL;
    vg_upload_dest to = {.connect_timeout_s = 30, .stall_timeout_s = 60};
    long attempts = 10, l;
    int c;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        upload_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
    }
    const char *sub = argv[1];
    /* A server that drops the connection must fail the attempt, not kill the process (TLS
     * writes may raise SIGPIPE; libcurl does not catch it with CURLOPT_NOSIGNAL). */
    signal(SIGPIPE, SIG_IGN);
    optind = 2;
    while ((c = getopt_long(argc, argv, "c:s:d:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': storage = optarg; break;
        case 'd': dest_name = optarg; break;
        case 'T': to.url = optarg; break;
        case 'C': to.credentials = optarg; break;
        case 'S': to.tls = true; break;
        case 'A': to.ca_file = optarg; break;
        case 'm':
            if (strcmp(optarg, "put") && strcmp(optarg, "post")) {
                fprintf(stderr, "vigie upload: --method put or post\n");
                return VG_EXIT_USAGE;
            }
            to.method = strcmp(optarg, "post") == 0 ? VG_UPLOAD_POST : VG_UPLOAD_PUT;
            break;
        case 'a':
            if (!vg_parse_long(optarg, &l) || l < 1 || l > 1000) {
                fprintf(stderr, "vigie upload: --attempts takes 1..1000\n");
                return VG_EXIT_USAGE;
            }
            attempts = l;
            break;
        case 'h': upload_usage(stdout); return VG_EXIT_OK;
        default: upload_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    bool send = !strcmp(sub, "send"), queue = !strcmp(sub, "queue"), list = !strcmp(sub, "list"),
         retry = !strcmp(sub, "retry"), now = !strcmp(sub, "now");
    if (!send && !queue && !list && !retry && !now) {
        fprintf(stderr, "vigie upload: unknown subcommand '%s' (send, queue, list, retry, now)\n", sub);
        return VG_EXIT_USAGE;
    }
    int nargs = argc - optind;
    if (((send || queue || retry) && nargs < 1) || ((list || now) && nargs)) {
        fprintf(stderr, "vigie upload %s: %s\n", sub,
                send || queue ? "give the files" : retry ? "give the ids" : "takes no arguments");
        return VG_EXIT_USAGE;
    }
    if (send && !to.url == !(config && dest_name)) {
        fprintf(stderr, "vigie upload send: give --to URL, or -c FILE --dest NAME\n");
        return VG_EXIT_USAGE;
    }
    if ((queue && !(config && dest_name)) || (now && !config) ||
        ((list || retry) && !config == !storage)) {
        fprintf(stderr, "vigie upload %s: give %s\n", sub,
                queue ? "-c FILE --dest NAME" : now ? "-c FILE" : "one of -c FILE or -s DIR");
        return VG_EXIT_USAGE;
    }
    vg_errinfo err;
    vg_setup setup = {0};
    if (config && vg_setup_load(config, &setup, &err) != VG_OK) {
        fprintf(stderr, "vigie upload: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    int status = VG_EXIT_FAIL;
    const vg_upload_target *t = NULL;
    if (dest_name && !(t = vg_upload_config_find(setup.upload, dest_name))) {
        fprintf(stderr, "vigie upload: destination '%s' is not in upload.destinations of %s\n",
                dest_name, config);
        goto out;
    }
    if ((send || now) && vg_upload_global_init(&err) != VG_OK) {
        fprintf(stderr, "vigie upload: %s\n", err.text);
        goto out;
    }
    if (send) {
        vg_outbox_backoff quick = {.base_s = 1, .cap_s = 60};
        status = upload__send(t ? &t->dest : &to, t ? &setup.upload->backoff : &quick, attempts,
                              argv + optind, nargs);
        goto out;
    }
    vg_outbox *ob = NULL;
    if (!storage)
        storage = setup.cfg->storage_path;
    if (vg_outbox_open(storage, 16, list ? VG_OUTBOX_READER : VG_OUTBOX_TOOL, &ob, &err) != VG_OK) {
        fprintf(stderr, "vigie upload: %s\n", err.text);
        goto out;
    }
    status = VG_EXIT_OK;
    if (queue) {
        for (int i = optind; i < argc; i++) {
            char *abs = realpath(argv[i], NULL);
            if (!abs) {
                fprintf(stderr, "vigie upload: %s: %s\n", argv[i], strerror(errno));
                status = VG_EXIT_FAIL;
                continue;
            }
            size_t len = strlen(dest_name) + 1 + strlen(abs);
            char *payload = malloc(len + 1);
            uint64_t id = 0;
            if (payload) {
                snprintf(payload, len + 1, "%s\n%s", dest_name, abs);
                if (vg_outbox_put(ob, NULL, UPLOAD_QUEUE, payload, len, vg_time_now(), &id, &err) != VG_OK) {
                    fprintf(stderr, "vigie upload: %s\n", err.text);
                    status = VG_EXIT_FAIL;
                } else {
                    printf("%llu\t%s\t%s\n", (unsigned long long)id, dest_name, abs);
                }
            }
            free(payload);
            free(abs);
        }
    } else if (list) {
        upload_list_ctx lc = {.out = stdout};
        printf("id\tdestination\tfile\tqueued\tattempts\tnext_attempt\tlast_error\n");
        if (vg_outbox_walk(ob, UPLOAD_QUEUE, upload__row, &lc, &err) != VG_OK) {
            fprintf(stderr, "vigie upload: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
    } else if (retry) {
        for (int i = optind; i < argc; i++) {
            if (!vg_parse_long(argv[i], &l) || l < 1) {
                fprintf(stderr, "vigie upload: '%s' is not an id\n", argv[i]);
                status = VG_EXIT_FAIL;
            } else if (vg_outbox_retry_now(ob, UPLOAD_QUEUE, (uint64_t)l, vg_time_now(), &err) != VG_OK) {
                fprintf(stderr, "vigie upload: %s\n", err.text);
                status = VG_EXIT_FAIL;
            }
        }
    } else {
        status = upload__now(ob, setup.upload);
    }
    if (vg_outbox_close(ob, &err) != VG_OK) {
        fprintf(stderr, "vigie upload: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
out:
    vg_setup_free(&setup);
    return status;
}

const vg_command vg_cmd_upload = {
    .name = "upload",
    .summary = "send files to a data centre (FTP, FTPS, SFTP, HTTPS), now or through the queue",
    .main = upload_main,
    .usage = upload_usage,
};
