/* daemon.c: the event loop of `vigie run` (daemon.h). Signal handlers only set
 * volatile sig_atomic_t flags; the loop acts on them between messages. Ingest endpoints
 * are PULL sockets, or ROUTER sockets for acknowledged feeds (router.h). */
#include "daemon/daemon.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <zmq.h>

#include "alerts/alerts.h"
#include "daemon/alert_plot.h"
#include "core/json.h"
#include "core/log.h"
#include "daemon/engine.h"
#include "daemon/replica.h"
#include "daemon/flusher.h"
#include "daemon/handshakes.h"
#include "daemon/scheduler.h"
#include "daemon/router.h"
#include "daemon/setup.h"
#include "daemon/uploader.h"
#include "daemon/zap.h"
#include "qc/test.h"
#include "storage/outbox.h"
#include "storage/store.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void daemon__on_stop(int sig) { stop_requested = sig; }
static void daemon__on_hup(int sig) { reload_requested = 1; }

static void daemon__signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = daemon__on_stop; /* no SA_RESTART: zmq_poll returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = daemon__on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

typedef struct daemon_ctx {
    void *zctx;
    void **pull;       /* one socket per ingest endpoint: PULL, or ROUTER (kind feed) */
    bool *feed;        /* feed[i]: pull[i] is a ROUTER */
    size_t n_pull;
    vg_router *router; /* acknowledged feeds */
    vg_zap *zap;       /* the ZAP handler of curve endpoints; NULL when there is none */
    vg_handshakes *handshakes; /* failed handshakes of curve endpoints, logged */
    void *pub;         /* PUB socket or NULL */
    char *json;        /* publish buffer */
    size_t json_cap;
    uint64_t published, publish_dropped;
    vg_alerts *alerts; /* NULL unless alerts.enabled */
    vg_flusher *flusher;  /* the log flusher thread: acknowledgements wait for it */
    uint64_t flush_asked; /* highest commit handed to it */
    uint64_t flush_failures; /* failed flushes, for the log (rate-limited) */
} daemon_ctx;

/* Hand the engine's new commits to the flusher, and the flusher's durable point to the
 * engine (which then sends their acknowledgements). Cheap: called after every message. */
static void daemon__durability(daemon_ctx *d, vg_engine *engine, bool flushed)
{
    uint64_t c = vg_engine_commits(engine);
    if (c > d->flush_asked) {
        vg_flusher_request(d->flusher, c);
        d->flush_asked = c;
    }
    if (!flushed)
        return;
    bool failed = false;
    vg_errinfo err;
    uint64_t durable = vg_flusher_take(d->flusher, &failed, &err);
    if (failed) {
        d->flush_failures++;
        if (d->flush_failures <= 5 || d->flush_failures % 100 == 0)
            vg_error("storage failed: the log cannot be flushed (#%llu), acknowledgements "
                     "wait: %s", (unsigned long long)d->flush_failures, err.text);
    } else if (d->flush_failures) {
        vg_notice("the log is flushed again after %llu failed attempts",
                  (unsigned long long)d->flush_failures);
        d->flush_failures = 0;
    }
    vg_engine_durable(engine, durable);
}

/* Engine listener: publish [platform, json] on the PUB socket, never blocking; and feed
 * the alert rules (inside the engine's batch: an alert commits with its samples). */
static void daemon__publish(void *ctx, const vg_sample *s)
{
    daemon_ctx *d = ctx;
    vg_alerts_sample(d->alerts, s);
    if (!d->pub)
        return;
    int n = vg_json_write_sample(s, vg_qc_test_names(), d->json, d->json_cap);
    if (n < 0) {
        d->publish_dropped++;
        return;
    }
    if (zmq_send(d->pub, s->platform, strlen(s->platform), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(d->pub, d->json, (size_t)n, ZMQ_DONTWAIT) < 0)
        d->publish_dropped++;
    else
        d->published++;
}

/* Engine event listener: mail it (event rules of alerts:), and publish
 * ["!event:PLATFORM", json] (a topic no platform id can start with: ids have no '!'),
 * never blocking. */
static void daemon__publish_event(void *ctx, const vg_event *ev)
{
    daemon_ctx *d = ctx;
    vg_alerts_event(d->alerts, ev, vg_time_now()); /* event rules: one mail per new event */
    if (!d->pub)
        return;
    char topic[8 + VG_PLATFORM_MAX];
    int tn = snprintf(topic, sizeof topic, "!event:%s", ev->platform);
    int n = vg_event_json(ev, d->json, d->json_cap);
    if (n < 0 || tn < 0) {
        d->publish_dropped++;
        return;
    }
    if (zmq_send(d->pub, topic, (size_t)tn, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_send(d->pub, d->json, (size_t)n, ZMQ_DONTWAIT) < 0)
        d->publish_dropped++;
    else
        d->published++;
}

static int daemon__bind(void *sock, const char *endpoint, const char *what)
{
    if (zmq_bind(sock, endpoint) != 0) {
        vg_error("cannot bind %s endpoint %s: %s", what, endpoint, zmq_strerror(zmq_errno()));
        return -1;
    }
    vg_info("%s endpoint bound: %s", what, endpoint);
    return 0;
}

static void daemon__close(daemon_ctx *d)
{
    for (size_t i = 0; i < d->n_pull; i++)
        if (d->pull[i])
            zmq_close(d->pull[i]);
    free(d->pull);
    free(d->feed);
    vg_router_free(d->router);
    vg_zap_free(d->zap);
    vg_handshakes_free(d->handshakes);
    if (d->pub)
        zmq_close(d->pub);
    if (d->zctx)
        zmq_ctx_term(d->zctx);
    free(d->json);
}

/* Make socket `sock` of ingest endpoint i a CurveZMQ server with its secret key, whose
 * clients the ZAP handler checks (domain "vigie-ingest-i"). */
static int daemon__curve(void *sock, size_t i, const vg_ingest_auth *auth, const char *ep)
{
    int one = 1;
    char domain[32];
    int dl = snprintf(domain, sizeof domain, VG_ZAP_DOMAIN_PREFIX "%zu", i);
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, vg_ingest_auth_secret(auth, i),
                       VG_CURVE_KEY_LEN + 1) != 0 ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, (size_t)dl) != 0) {
        vg_error("ingest %s: cannot make it a CurveZMQ server: %s", ep,
                 zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

static int daemon__open_sockets(daemon_ctx *d, const vg_config *cfg, const vg_ingest_auth *auth)
{
    d->zctx = zmq_ctx_new();
    d->pull = calloc(cfg->n_ingest ? cfg->n_ingest : 1, sizeof *d->pull);
    d->feed = calloc(cfg->n_ingest ? cfg->n_ingest : 1, sizeof *d->feed);
    d->router = vg_router_new();
    d->json_cap = 16 * 1024;
    d->json = malloc(d->json_cap);
    if (!d->zctx || !d->pull || !d->feed || !d->router || !d->json) {
        vg_error("cannot create the ZeroMQ context: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    /* The ZAP handler first: a curve socket bound without one would accept every key. */
    for (size_t i = 0; i < cfg->n_ingest && !d->zap; i++) {
        vg_errinfo err;
        if (cfg->ingest[i].security == VG_SECURITY_CURVE &&
            vg_zap_start(d->zctx, &d->zap, &err) != VG_OK) {
            vg_error("%s", err.text);
            return -1;
        }
    }
    if (d->zap) {
        vg_zap_set_auth(d->zap, cfg, auth);
        if (!(d->handshakes = vg_handshakes_new(d->zctx)))
            return -1;
    }
    int linger = 0, hwm = 100000;
    for (size_t i = 0; i < cfg->n_ingest; i++) {
        d->feed[i] = cfg->ingest[i].kind == VG_INGEST_FEED;
        d->pull[i] = zmq_socket(d->zctx, d->feed[i] ? ZMQ_ROUTER : ZMQ_PULL);
        d->n_pull = i + 1;
        if (!d->pull[i])
            return -1;
        zmq_setsockopt(d->pull[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(d->pull[i], ZMQ_RCVHWM, &hwm, sizeof hwm);
        if (d->feed[i]) { /* the last acknowledgements get 1 s to leave at shutdown */
            int ack_linger = 1000;
            zmq_setsockopt(d->pull[i], ZMQ_SNDHWM, &hwm, sizeof hwm);
            zmq_setsockopt(d->pull[i], ZMQ_LINGER, &ack_linger, sizeof ack_linger);
        }
        bool curve = cfg->ingest[i].security == VG_SECURITY_CURVE;
        if (curve && daemon__curve(d->pull[i], i, auth, cfg->ingest[i].endpoint) != 0)
            return -1;
        vg_errinfo err;
        if (curve && vg_handshakes_watch(d->handshakes, d->pull[i], cfg->ingest[i].endpoint,
                                         &err) != VG_OK) {
            vg_error("%s", err.text);
            return -1;
        }
        if (daemon__bind(d->pull[i], cfg->ingest[i].endpoint,
                         d->feed[i] ? (curve ? "feed ingest (CurveZMQ)" : "feed ingest (plain)")
                                    : (curve ? "ingest (CurveZMQ)" : "ingest")) != 0)
            return -1;
        if (curve)
            vg_info("ingest %s: server public key %s, %zu client keys accepted",
                    cfg->ingest[i].endpoint, vg_ingest_auth_public(auth, i),
                    vg_ingest_auth_clients(auth, i));
    }
    if (cfg->publish_endpoint) {
        d->pub = zmq_socket(d->zctx, ZMQ_PUB);
        if (!d->pub)
            return -1;
        /* Displays may lag: queue up to 100000 samples per subscriber, and give what is
         * queued 1 s to leave at shutdown. A slower subscriber loses samples (PUB never
         * blocks the daemon); it can read them back with vigie dump. */
        int pub_linger = 1000;
        zmq_setsockopt(d->pub, ZMQ_LINGER, &pub_linger, sizeof pub_linger);
        zmq_setsockopt(d->pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
        if (daemon__bind(d->pub, cfg->publish_endpoint, "publish") != 0)
            return -1;
    }
    return 0;
}

static void daemon__log_stats(const vg_engine *e, const daemon_ctx *d, const char *when)
{
    const vg_engine_stats *st = vg_engine_get_stats(e);
    char by[512] = "";
    for (int r = 0; r < VG_ERR__COUNT; r++) {
        if (!st->quarantined_by[r])
            continue;
        size_t n = strlen(by);
        snprintf(by + n, sizeof by - n, "%s%s=%llu", n ? " " : "", vg_err_name((vg_err)r),
                 (unsigned long long)st->quarantined_by[r]);
    }
    vg_notice("%s: %llu messages, %llu frames, %llu samples stored, %llu quarantined%s%s%s, "
              "%llu commits, %llu storage errors, %llu published, %llu not published",
              when, (unsigned long long)st->messages, (unsigned long long)st->frames,
              (unsigned long long)st->samples, (unsigned long long)st->quarantined,
              by[0] ? " (" : "", by, by[0] ? ")" : "", (unsigned long long)st->commits,
              (unsigned long long)st->store_errors, (unsigned long long)d->published,
              (unsigned long long)d->publish_dropped);
    if (st->feed_batches)
        vg_notice("%s: feeds: %llu batches, %llu resent frames skipped, %llu batches after a "
                  "gap refused, %llu batches rolled back, %llu deferred after a storage "
                  "failure", when,
                  (unsigned long long)st->feed_batches, (unsigned long long)st->feed_duplicates,
                  (unsigned long long)st->feed_gaps, (unsigned long long)st->feed_rollbacks,
                  (unsigned long long)st->feed_deferred);
    if (d->zap) {
        vg_zap_stats zs = vg_zap_get_stats(d->zap);
        vg_notice("%s: CurveZMQ handshakes: %llu clients accepted, %llu refused by key, %llu "
                  "failed (plain client or wrong server key), %llu malformed ZAP requests", when,
                  (unsigned long long)zs.accepted, (unsigned long long)zs.refused,
                  (unsigned long long)vg_handshakes_failed(d->handshakes),
                  (unsigned long long)zs.malformed);
    }
}

/* SIGHUP: load the file again; keep everything as it is unless the new setup is valid and
 * changes only what can change without a restart. */
static void daemon__reload(const vg_daemon_options *opt, vg_setup *cur, vg_engine *engine,
                           vg_alerts *alerts, vg_zap *zap)
{
    sd_notify(0, "RELOADING=1");
    vg_setup next;
    vg_errinfo err;
    if (!opt->config_path) {
        vg_notice("SIGHUP: running on the embedded default configuration; nothing to reload");
    } else if (vg_setup_load(opt->config_path, &next, &err) != VG_OK) {
        vg_error("SIGHUP: new configuration rejected, keeping the current one: %s", err.text);
    } else {
        if (opt->storage_path) {
            free(next.cfg->storage_path);
            next.cfg->storage_path = strdup(opt->storage_path);
        }
        if (!next.cfg->storage_path || !vg_config_reloadable(cur->cfg, next.cfg, &err)) {
            vg_error("SIGHUP: new configuration rejected, keeping the current one: %s",
                     next.cfg->storage_path ? err.text : "out of memory");
            vg_setup_free(&next);
        } else if (vg_engine_reconfigure(engine, next.cfg, next.plan, &err) != VG_OK) {
            /* The engine failed to switch (out of memory, parser creation): it must not
             * keep pointers into the old setup, so it switches back. */
            vg_error("SIGHUP: cannot apply the new configuration: %s", err.text);
            if (vg_engine_reconfigure(engine, cur->cfg, cur->plan, &err) != VG_OK)
                vg_error("SIGHUP: cannot restore the previous configuration: %s", err.text);
            vg_setup_free(&next);
        } else if (alerts && vg_alerts_reconfigure(alerts, next.cfg, next.alerts, vg_time_now(),
                                                   &err) != VG_OK) {
            vg_error("SIGHUP: new alerts: section rejected, keeping the current "
                     "configuration: %s", err.text);
            /* Switch the engine back before freeing `next`: until then it points into it. */
            if (vg_engine_reconfigure(engine, cur->cfg, cur->plan, &err) != VG_OK)
                vg_error("SIGHUP: cannot restore the previous configuration: %s", err.text);
            vg_setup_free(&next);
        } else {
            if (!alerts != !next.alerts->enabled)
                vg_notice("SIGHUP: alerts.enabled changes at the next start of the daemon");
            /* The store holds the replication settings it was opened with: they stay (they
             * change at the next start). */
            if (!vg_repl_config_equal(cur->repl, next.repl))
                vg_notice("SIGHUP: storage.replication differs in %s; the running replication "
                          "settings stay until the next start of the daemon",
                          next.cfg->path);
            vg_repl_config *repl = cur->repl;
            cur->repl = NULL;
            if (zap)
                vg_zap_set_auth(zap, next.cfg, next.auth); /* the clients may change */
            vg_setup_free(cur);
            *cur = next;
            vg_repl_config_free(cur->repl);
            cur->repl = repl;
            vg_log_set_level(cur->cfg->log_level);
            vg_notice("SIGHUP: configuration reloaded from %s (%zu platforms)", cur->cfg->path,
                      cur->cfg->n_platforms);
        }
    }
    sd_notify(0, "READY=1");
}

/* Between two messages of a drain (up to 1000 per socket): pass durability both ways
 * without waiting, commit when the batch is older than commit_interval_ms, and answer the
 * ZAP requests waiting, so that a long drain neither holds acknowledgements, stretches the
 * durability window, nor keeps new clients' handshakes waiting. */
static void daemon__drain_step(daemon_ctx *d, vg_engine *engine)
{
    vg_errinfo err;
    if (d->zap)
        vg_zap_handle(d->zap);
    int64_t now = vg_time_mono_us();
    if (vg_engine_commit_due(engine, now) && vg_engine_tick(engine, now, &err) != VG_OK)
        vg_error("storage failed: %s", err.text);
    daemon__durability(d, engine, vg_flusher_ready(d->flusher));
}

int vg_daemon_run(const vg_daemon_options *opt)
{
    vg_setup setup = {0};
    vg_errinfo err;
    vg_store *store = NULL;
    vg_outbox *outbox = NULL;
    vg_uploader *uploader = NULL;
    vg_scheduler *scheduler = NULL;
    vg_engine *engine = NULL;
    daemon_ctx d = {0};
    int status = 1;

    daemon__signals();
    if (vg_setup_load(opt->config_path, &setup, &err) != VG_OK) {
        vg_error("%s", err.text);
        return 1;
    }
    if (opt->storage_path) {
        free(setup.cfg->storage_path);
        setup.cfg->storage_path = strdup(opt->storage_path);
        if (!setup.cfg->storage_path)
            goto out;
    }
    vg_log_set_level(setup.cfg->log_level);
    vg_info("configuration %s: %zu platforms, %zu ingest endpoints", setup.cfg->path,
            setup.cfg->n_platforms, setup.cfg->n_ingest);

    if (setup.repl && setup.repl->role == VG_REPL_REPLICA) {
        status = vg_replica_run(&setup, &stop_requested, &reload_requested, opt->max_runtime_s);
        goto out;
    }
    vg_store_options so = {.cache_mb = setup.cfg->cache_mb, .read_only = false,
                           .repl = setup.repl};
    if (vg_store_open(setup.cfg->storage_path, &so, &store, &err) != VG_OK) {
        vg_error("cannot open the store: %s", err.text);
        goto out;
    }
    vg_info("store open: %s", setup.cfg->storage_path);
    /* The durable outbox (the upload queue) and the upload thread, beside the event loop. */
    if (vg_outbox_open(setup.cfg->storage_path, setup.cfg->cache_mb, VG_OUTBOX_DAEMON, &outbox,
                       &err) != VG_OK) {
        vg_error("cannot open the outbox: %s", err.text);
        goto out;
    }
    if (setup.upload->n_targets) {
        if (vg_uploader_start(outbox, setup.cfg, &uploader, &err) != VG_OK) {
            vg_error("%s", err.text);
            goto out;
        }
        vg_info("upload thread started: %zu destinations", setup.upload->n_targets);
    }
    if (setup.cfg->export_every_s > 0) {
        if (vg_scheduler_start(setup.cfg, opt->config_path, setup.cfg->storage_path, outbox,
                               uploader, &scheduler, &err) != VG_OK) {
            vg_error("%s", err.text);
            goto out;
        }
        vg_info("scheduled export every %d s into %s%s%s", setup.cfg->export_every_s,
                setup.cfg->export_dir, setup.cfg->export_upload_to ? ", uploaded to " : "",
                setup.cfg->export_upload_to ? setup.cfg->export_upload_to : "");
    }
    if (vg_engine_new(setup.cfg, setup.plan, store, &engine, &err) != VG_OK) {
        vg_error("%s", err.text);
        goto out;
    }
    if (daemon__open_sockets(&d, setup.cfg, setup.auth) != 0)
        goto out;
    if (setup.alerts->enabled) {
        if (vg_alerts_start(setup.cfg, setup.alerts, store, vg_time_now(), &d.alerts, &err) !=
            VG_OK) {
            vg_error("cannot start the alerts: %s", err.text);
            goto out;
        }
        vg_info("alerts on: %zu rules, SMTP server %s", setup.alerts->n_rules,
                setup.alerts->smtp.server);
        vg_alerts_set_attach(d.alerts, vg_alert_plot, store); /* alerts.attach_plot */
    }
    vg_engine_set_listener(engine, daemon__publish, &d);
    vg_engine_set_event_listener(engine, daemon__publish_event, &d);
    vg_engine_set_ack(engine, vg_router_ack, d.router);
    /* Group commit off this thread: the engine commits without waiting for the disk, the
     * flusher syncs the log, and acknowledgements leave once their commit is on disk. */
    if (vg_flusher_start(store, &d.flusher, &err) != VG_OK) {
        vg_error("%s", err.text);
        goto out;
    }
    vg_engine_set_deferred_acks(engine, true);
    if (setup.repl && setup.repl->ack_required)
        vg_engine_set_replica_acks(engine, true);
    (void)vg_qc_test_names(); /* fill the name table before anything else runs */

    sd_notifyf(0, "READY=1\nSTATUS=ingesting on %zu endpoints\nMAINPID=%lu",
               setup.cfg->n_ingest, (unsigned long)getpid());
    vg_notice("vigie running (pid %ld)", (long)getpid());

    zmq_pollitem_t *items = calloc(d.n_pull + 2, sizeof *items);
    if (!items)
        goto out;
    for (size_t i = 0; i < d.n_pull; i++)
        items[i] = (zmq_pollitem_t){.socket = d.pull[i], .events = ZMQ_POLLIN};
    int n_items = (int)d.n_pull;
    const int flusher_item = n_items++;
    items[flusher_item] = (zmq_pollitem_t){.fd = vg_flusher_fd(d.flusher), .events = ZMQ_POLLIN};
    if (d.zap) /* handshakes of curve clients wait for its answers */
        items[n_items++] = (zmq_pollitem_t){.socket = vg_zap_socket(d.zap), .events = ZMQ_POLLIN};
    const int64_t started = vg_time_mono_us();
    int64_t last_status = started, last_ping = 0, last_alerts = 0;
    /* systemd watchdog (WatchdogSec=): ping at half the interval from the loop itself, so
     * that a loop blocked for good (e.g. on a lock a killed reader left in Berkeley DB, see
     * docs/storage.md) becomes a restart instead of a silent stall. */
    uint64_t watchdog_us = 0;
    if (sd_watchdog_enabled(0, &watchdog_us) <= 0)
        watchdog_us = 0;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    status = 0;
    while (!stop_requested) {
        int64_t now = vg_time_mono_us();
        if (opt->max_runtime_s > 0 && now - started >= (int64_t)(opt->max_runtime_s * 1e6)) {
            vg_notice("run time of %g s reached", opt->max_runtime_s);
            break;
        }
        if (reload_requested) {
            reload_requested = 0;
            daemon__reload(opt, &setup, engine, d.alerts, d.zap);
        }
        long timeout = vg_engine_next_tick_ms(engine, now);
        if (timeout < 0 || timeout > 1000)
            timeout = 1000;
        if (watchdog_us && timeout > (long)(watchdog_us / 2000))
            timeout = (long)(watchdog_us / 2000);
        /* Idle with feed frames in the open batch: commit now rather than at the timer, so
         * that a feed at a moderate rate is acknowledged a flush after its batch instead of
         * up to commit_interval_ms later. Under load the loop is never idle here, and
         * batches stay as large as the timer and commit_max_samples make them. */
        int rc = vg_engine_feed_frames_open(engine) ? zmq_poll(items, n_items, 0) : 0;
        if (rc == 0 && vg_engine_feed_frames_open(engine)) {
            if (vg_engine_commit(engine, &err) != VG_OK)
                vg_error("storage failed: %s", err.text);
            daemon__durability(&d, engine, false);
        }
        if (rc == 0)
            rc = zmq_poll(items, n_items, timeout);
        if (rc < 0 && zmq_errno() != EINTR) {
            vg_error("zmq_poll: %s", zmq_strerror(zmq_errno()));
            status = 1;
            break;
        }
        for (size_t i = 0; rc > 0 && i < d.n_pull; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            /* Drain a bounded number of messages per socket so that no source starves the
             * others or the commit timer. */
            for (int k = 0; k < 1000 && d.feed[i]; k++) {
                int got = vg_router_recv(d.router, d.pull[i], i, engine, &err);
                if (got == 0)
                    break;
                if (got < 0) /* not acknowledged: the feed resends; the log says why */
                    vg_error("storage failed, batch not acknowledged: %s", err.text);
                daemon__drain_step(&d, engine);
            }
            for (int k = 0; k < 1000 && !d.feed[i]; k++) {
                if (zmq_msg_recv(&msg, d.pull[i], ZMQ_DONTWAIT) < 0)
                    break;
                vg_err frc = vg_engine_feed(engine, i, zmq_msg_data(&msg), zmq_msg_size(&msg),
                                            vg_time_now(), vg_time_mono_us(), &err);
                if (frc != VG_OK)
                    vg_error("storage failed: %s", err.text);
                daemon__drain_step(&d, engine);
            }
        }
        if (d.zap) {
            vg_zap_handle(d.zap);
            vg_handshakes_check(d.handshakes);
        }
        now = vg_time_mono_us();
        if (vg_engine_tick(engine, now, &err) != VG_OK)
            vg_error("storage failed: %s", err.text);
        vg_engine_check_silences(engine, vg_time_now());
        daemon__durability(&d, engine, rc > 0 && (items[flusher_item].revents & ZMQ_POLLIN));
        if (d.alerts && now - last_alerts >= VG_US_PER_S / 4) {
            vg_alerts_tick(d.alerts, vg_time_now());
            last_alerts = now;
        }
        if (watchdog_us && now - last_ping >= (int64_t)(watchdog_us / 2)) {
            sd_notify(0, "WATCHDOG=1");
            last_ping = now;
        }
        if (now - last_status >= 60 * VG_US_PER_S) {
            const vg_engine_stats *st = vg_engine_get_stats(engine);
            sd_notifyf(0, "STATUS=%llu samples stored, %llu quarantined",
                       (unsigned long long)st->samples, (unsigned long long)st->quarantined);
            last_status = now;
        }
    }
    zmq_msg_close(&msg);
    free(items);
    sd_notify(0, "STOPPING=1");
    if (stop_requested)
        vg_notice("signal %d: stopping", (int)stop_requested);
    /* Take what is already queued on the sockets, then judge held samples and commit. */
    for (size_t i = 0; i < d.n_pull; i++) {
        while (d.feed[i] && vg_router_recv(d.router, d.pull[i], i, engine, &err) != 0)
            ;
        zmq_msg_t m;
        zmq_msg_init(&m);
        while (!d.feed[i] && zmq_msg_recv(&m, d.pull[i], ZMQ_DONTWAIT) >= 0)
            if (vg_engine_feed(engine, i, zmq_msg_data(&m), zmq_msg_size(&m), vg_time_now(),
                               vg_time_mono_us(), &err) != VG_OK)
                vg_error("storage failed: %s", err.text);
        zmq_msg_close(&m);
    }
    if (vg_engine_flush(engine, &err) != VG_OK) {
        vg_error("final commit failed: %s", err.text);
        status = 1;
    }
    /* The last commits: flushed here, then their acknowledgements leave (1 s of linger). */
    vg_flusher_stop(d.flusher);
    d.flusher = NULL;
    if (vg_store_flush_log(store, &err) != VG_OK) {
        vg_error("final log flush failed: %s", err.text);
        status = 1;
    } else {
        vg_engine_durable(engine, vg_engine_commits(engine));
    }
    daemon__log_stats(engine, &d, "stopped");
    if (d.alerts) {
        vg_alerts_stats as = vg_alerts_get_stats(d.alerts);
        vg_notice("alerts: %llu events, %llu mails queued, %llu sent, %llu failed attempts, "
                  "%llu not queued", (unsigned long long)as.events,
                  (unsigned long long)as.queued, (unsigned long long)as.sent,
                  (unsigned long long)as.failed, (unsigned long long)as.errors);
    }
out:
    vg_flusher_stop(d.flusher); /* before the store closes */
    vg_alerts_stop(d.alerts); /* after the final commit: what it queued is durable */
    vg_alert_plot_cleanup();
    vg_scheduler_stop(scheduler);
    vg_uploader_stop(uploader);
    if (outbox && vg_outbox_close(outbox, &err) != VG_OK)
        vg_error("closing the outbox: %s", err.text);
    vg_engine_free(engine);
    daemon__close(&d);
    if (store && vg_store_close(store, &err) != VG_OK) {
        vg_error("closing the store: %s", err.text);
        status = 1;
    }
    vg_setup_free(&setup);
    return status;
}
