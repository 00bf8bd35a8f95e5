/* feed.c: the event loop of `vigie feed` (feed.h): input -> spool -> batches over a ZeroMQ
 * DEALER; acknowledgements -> spool reclaimed. Single-threaded; signal handlers only set a
 * volatile sig_atomic_t flag. */
#include "feed/feed.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "core/curvekey.h"
#include "core/feedproto.h"
#include "core/log.h"

static volatile sig_atomic_t feed_stop;
static void feed__on_stop(int sig) { feed_stop = sig; }

/* Acknowledgement latency: send time of each batch in flight, and a histogram of the time
 * from a batch's send to the acknowledgement that covers it (0.1 ms buckets to 10 s). */
#define FEED_LAT_BUCKETS 100000
typedef struct feed_inflight {
    uint64_t last;   /* last sequence of the batch */
    int64_t sent_us; /* monotonic */
} feed_inflight;

typedef struct feed_ctx {
    const vg_feed_options *opt;
    vg_spool *spool;
    void *zctx, *sock;
    void *monitor;            /* PAIR socket receiving the DEALER's handshake events */
    int link;                 /* last handshake state logged: 0 none, 1 up, -1 refused */
    int64_t reconnect_mono;   /* after a failed handshake: connect again then (0: no) */
    int64_t reconnect_us;     /* its back-off: 1 s, doubling to 10 s, reset on success */
    uint64_t sent;            /* last sequence sent (in flight up to it) */
    int64_t progress_mono;    /* last acknowledgement progress, or first send */
    int64_t timeout_us;       /* the resend time-out now: doubles (to 60 s) while resends
                               * bring no progress (a sample held by the engine's QC until its
                               * successor comes), back to ack_timeout_ms on progress */
    uint64_t spooled, resends, spool_errors;
    vg_spool_frame *frames;
    unsigned char *times;
    char *text;
    size_t text_cap;
    feed_inflight *fl;        /* ring of batches in flight */
    size_t fl_cap, fl_head, fl_n;
    uint32_t *lat;            /* FEED_LAT_BUCKETS counts */
    uint64_t lat_n;
    int64_t start_mono;       /* the feed's start */
    uint64_t acked_start;     /* acknowledged point at start */
    feed_inflight *prog;      /* acknowledgement progress: (sequence, time), at most
                               * FEED_PROGRESS points (halved when full), for the stop */
    size_t n_prog;            /*   summary */
} feed_ctx;

#define FEED_PROGRESS 4096

/* A batch ending at `last` was sent now. */
static void feed__lat_sent(feed_ctx *f, uint64_t last)
{
    if (!f->fl || f->fl_n == f->fl_cap)
        return;
    f->fl[(f->fl_head + f->fl_n++) % f->fl_cap] = (feed_inflight){last, vg_time_mono_us()};
}

/* Everything up to seq is acknowledged now. */
static void feed__lat_acked(feed_ctx *f, uint64_t seq)
{
    int64_t now = vg_time_mono_us();
    while (f->fl_n && f->fl[f->fl_head].last <= seq) {
        int64_t us = now - f->fl[f->fl_head].sent_us;
        size_t b = us < 0 ? 0 : (size_t)(us / 100);
        f->lat[b < FEED_LAT_BUCKETS ? b : FEED_LAT_BUCKETS - 1]++;
        f->lat_n++;
        f->fl_head = (f->fl_head + 1) % f->fl_cap;
        f->fl_n--;
    }
}

/* Seconds from the feed's start to the first acknowledgement that covered the fraction q
 * (0..1] of the frames acknowledged in this run; -1 if none was. */
static double feed__progress_s(const feed_ctx *f, double q)
{
    if (!f->n_prog)
        return -1;
    uint64_t total = f->prog[f->n_prog - 1].last - f->acked_start;
    for (size_t i = 0; i < f->n_prog; i++)
        if ((double)(f->prog[i].last - f->acked_start) >= q * (double)total)
            return (double)(f->prog[i].sent_us - f->start_mono) / 1e6;
    return -1;
}

/* The q-quantile (0..1) of the acknowledgement latency, milliseconds. */
static double feed__lat_quantile(const feed_ctx *f, double q)
{
    uint64_t want = (uint64_t)(q * (double)f->lat_n), seen = 0;
    if (want >= f->lat_n)
        want = f->lat_n - 1;
    for (size_t b = 0; b < FEED_LAT_BUCKETS; b++) {
        seen += f->lat[b];
        if (seen > want)
            return (double)(b + 1) / 10.0;
    }
    return 10000.0;
}

static void feed__on_frame(void *ctx, vg_time_us t, const char *frame, size_t len,
                           vg_spool_pos pos)
{
    feed_ctx *f = ctx;
    uint64_t seq;
    vg_errinfo err;
    if (vg_spool_append(f->spool, t, frame, len, pos, &seq, &err) != VG_OK) {
        /* The frame is lost only if the disk of the feed is failing: say so loudly. */
        f->spool_errors++;
        vg_error("spool: frame not kept: %s", err.text);
        return;
    }
    f->spooled++;
}

/* Take the acknowledgements waiting on the socket. */
static void feed__acks(feed_ctx *f)
{
    for (;;) {
        zmq_msg_t part[VG_FEEDPROTO_ACK_PARTS + 1];
        size_t n = 0;
        int more = 1;
        bool got = false;
        while (more) {
            zmq_msg_t *m = &part[n < VG_FEEDPROTO_ACK_PARTS ? n : VG_FEEDPROTO_ACK_PARTS];
            zmq_msg_init(m);
            if (zmq_msg_recv(m, f->sock, n ? 0 : ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(m);
                break;
            }
            got = true;
            more = zmq_msg_more(m);
            if (n < VG_FEEDPROTO_ACK_PARTS)
                n++;
            else
                zmq_msg_close(m);
        }
        if (!got)
            return;
        uint64_t epoch = 0, seq = 0;
        bool resend = n && zmq_msg_size(&part[0]) == strlen(VG_FEEDPROTO_RESEND) &&
                      memcmp(zmq_msg_data(&part[0]), VG_FEEDPROTO_RESEND,
                             zmq_msg_size(&part[0])) == 0;
        bool ok = n == VG_FEEDPROTO_ACK_PARTS &&
                  (resend || (zmq_msg_size(&part[0]) == strlen(VG_FEEDPROTO_ACK) &&
                              memcmp(zmq_msg_data(&part[0]), VG_FEEDPROTO_ACK,
                                     zmq_msg_size(&part[0])) == 0)) &&
                  zmq_msg_size(&part[1]) == strlen(f->opt->id) &&
                  memcmp(zmq_msg_data(&part[1]), f->opt->id, zmq_msg_size(&part[1])) == 0 &&
                  vg_feedproto_parse_u64(zmq_msg_data(&part[2]), zmq_msg_size(&part[2]), 16,
                                         &epoch) &&
                  vg_feedproto_parse_u64(zmq_msg_data(&part[3]), zmq_msg_size(&part[3]), 10,
                                         &seq);
        for (size_t i = 0; i < n; i++)
            zmq_msg_close(&part[i]);
        if (!ok) {
            vg_warn("an acknowledgement that is not for feed %s: ignored", f->opt->id);
            continue;
        }
        if (epoch != vg_spool_id(f->spool))
            continue; /* for a spool of before: nothing to do with this one */
        if (resend) {
            /* The engine never got the frames after seq (they went to a daemon that died):
             * send again from there. */
            uint64_t from = seq > vg_spool_acked(f->spool) ? seq : vg_spool_acked(f->spool);
            if (from < f->sent) {
                vg_info("the engine asks for the frames after %" PRIu64 ": resending", seq);
                f->sent = from;
                f->fl_n = 0;
                f->resends++;
            }
            continue;
        }
        vg_errinfo err;
        uint64_t before = vg_spool_acked(f->spool);
        if (vg_spool_ack(f->spool, seq, &err) != VG_OK) {
            vg_error("%s", err.text);
            continue;
        }
        if (seq > before) {
            feed__lat_acked(f, seq);
            if (f->n_prog == FEED_PROGRESS) { /* a long run: keep every other point */
                for (size_t i = 0; i < FEED_PROGRESS / 2; i++)
                    f->prog[i] = f->prog[2 * i + 1];
                f->n_prog = FEED_PROGRESS / 2;
            }
            f->prog[f->n_prog++] = (feed_inflight){seq, vg_time_mono_us()};
            f->progress_mono = vg_time_mono_us();
            f->timeout_us = (int64_t)f->opt->ack_timeout_ms * 1000;
            if (vg_spool_unacked(f->spool) == 0)
                vg_info("spool drained: every frame up to %" PRIu64 " acknowledged", seq);
        }
        if (seq > f->sent)
            f->sent = seq; /* the engine already had them (a restart of the feed) */
    }
}

/* CurveZMQ client keys on sock: the feed's secret (and its public, derived) and the
 * server's public key. Returns false (logged) when a key cannot be read. */
static bool feed__curve(void *sock, const vg_feed_options *o)
{
    char sec[VG_CURVE_KEY_LEN + 1], pub[VG_CURVE_KEY_LEN + 1], srv[VG_CURVE_KEY_LEN + 1];
    vg_errinfo err;
    if (vg_curve_key_read(o->key_path, true, sec, &err) != VG_OK ||
        vg_curve_key_read(o->server_key_path, false, srv, &err) != VG_OK) {
        vg_error("%s", err.text);
        return false;
    }
    bool ok = zmq_curve_public(pub, sec) == 0 &&
              zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, srv, VG_CURVE_KEY_LEN + 1) == 0 &&
              zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, pub, VG_CURVE_KEY_LEN + 1) == 0 &&
              zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sec, VG_CURVE_KEY_LEN + 1) == 0;
    memset(sec, 0, sizeof sec);
    if (!ok)
        vg_error("%s: cannot use this CurveZMQ key: %s", o->key_path, zmq_strerror(zmq_errno()));
    else
        vg_info("CurveZMQ: this feed's public key %s, the daemon's %s", pub, srv);
    return ok;
}

/* Handshake events of the DEALER: log when the link comes up or is refused, once per
 * change (libzmq retries every few hundred ms; the spool keeps every frame meanwhile). */
static void feed__monitor(feed_ctx *f)
{
    for (;;) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        zmq_msg_init(&addr);
        if (zmq_msg_recv(&ev, f->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            zmq_msg_close(&addr);
            return;
        }
        if (zmq_msg_more(&ev))
            zmq_msg_recv(&addr, f->monitor, 0);
        uint16_t event = 0;
        uint32_t value = 0;
        if (zmq_msg_size(&ev) >= 6) {
            memcpy(&event, zmq_msg_data(&ev), 2);
            memcpy(&value, (char *)zmq_msg_data(&ev) + 2, 4);
        }
        int state = event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED ? 1
                    : event & (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) ? -1 : 0;
        if (state < 0 && !f->reconnect_mono) {
            /* libzmq gives up an endpoint after a failed handshake (a protocol error): try
             * again later, so that a key added on the daemon's side is taken up. */
            f->reconnect_us = f->reconnect_us ? f->reconnect_us * 2 : VG_US_PER_S;
            if (f->reconnect_us > 10 * VG_US_PER_S)
                f->reconnect_us = 10 * VG_US_PER_S;
            f->reconnect_mono = vg_time_mono_us() + f->reconnect_us;
        } else if (state > 0) {
            f->reconnect_us = 0;
        }
        if (state && state != f->link) {
            if (state > 0)
                vg_notice("connected to %s (%s)", f->opt->endpoint,
                          f->opt->key_path ? "CurveZMQ" : "plain, unauthenticated");
            else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
                vg_error("%s refused this feed's key (ZAP status %u): is its public key in the "
                         "endpoint's ingest[].clients? Frames stay in the spool; retrying",
                         f->opt->endpoint, (unsigned)value);
            else
                vg_error("handshake with %s failed (%s, libzmq error %#x): %s; frames stay in "
                         "the spool; retrying", f->opt->endpoint,
                         event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol" : "no detail",
                         (unsigned)value,
                         f->opt->key_path ? "is --server-key the endpoint's public key, and is "
                                            "the endpoint curve?"
                                          : "does the endpoint require CurveZMQ (--key, "
                                            "--server-key)?");
            f->link = state;
        }
        zmq_msg_close(&ev);
        zmq_msg_close(&addr);
    }
}

/* Send batches while the window allows. */
static void feed__send(feed_ctx *f)
{
    const vg_feed_options *o = f->opt;
    char epoch[VG_FEEDPROTO_EPOCH_LEN + 1];
    snprintf(epoch, sizeof epoch, "%016" PRIx64, vg_spool_id(f->spool));
    for (int k = 0; k < 64; k++) {
        uint64_t acked = vg_spool_acked(f->spool);
        if (f->sent < acked)
            f->sent = acked;
        if (f->sent - acked >= o->window_frames || f->sent >= vg_spool_last(f->spool))
            return;
        size_t n;
        vg_errinfo err;
        if (vg_spool_read(f->spool, f->sent + 1, f->frames, o->batch_frames, 1024 * 1024, &n,
                          &err) != VG_OK) {
            vg_error("spool: %s", err.text);
            return;
        }
        if (!n)
            return;
        size_t bytes = 0;
        for (size_t i = 0; i < n; i++)
            bytes += f->frames[i].len + 1;
        if (bytes > f->text_cap) {
            char *t = realloc(f->text, bytes);
            if (!t)
                return;
            f->text = t;
            f->text_cap = bytes;
        }
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            vg_feedproto_put_time(f->times + 8 * i, f->frames[i].time);
            if (f->frames[i].len)
                memcpy(f->text + at, f->frames[i].data, f->frames[i].len);
            at += f->frames[i].len;
            f->text[at++] = '\n';
        }
        char first[24];
        int fl = snprintf(first, sizeof first, "%" PRIu64, f->frames[0].seq);
        if (zmq_send(f->sock, VG_FEEDPROTO_BATCH, strlen(VG_FEEDPROTO_BATCH),
                     ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
            return; /* not connected, or the queue is full: later */
        zmq_send(f->sock, o->id, strlen(o->id), ZMQ_SNDMORE);
        zmq_send(f->sock, epoch, VG_FEEDPROTO_EPOCH_LEN, ZMQ_SNDMORE);
        zmq_send(f->sock, first, (size_t)fl, ZMQ_SNDMORE);
        zmq_send(f->sock, f->times, 8 * n, ZMQ_SNDMORE);
        zmq_send(f->sock, f->text, at, 0);
        if (f->sent == acked)
            f->progress_mono = vg_time_mono_us(); /* the time-out counts from the first send */
        f->sent = f->frames[n - 1].seq;
        feed__lat_sent(f, f->sent);
    }
}

int vg_feed_run(const vg_feed_options *opt)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = feed__on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);

    feed_ctx f = {.opt = opt};
    vg_input *in = NULL;
    vg_errinfo err;
    int status = 1;
    f.frames = calloc(opt->batch_frames, sizeof *f.frames);
    f.times = malloc(8 * opt->batch_frames);
    f.fl_cap = opt->window_frames / opt->batch_frames + 2;
    f.fl = calloc(f.fl_cap, sizeof *f.fl);
    f.lat = calloc(FEED_LAT_BUCKETS, sizeof *f.lat);
    f.prog = malloc(FEED_PROGRESS * sizeof *f.prog);
    f.start_mono = vg_time_mono_us();
    if (!f.frames || !f.times || !f.fl || !f.lat || !f.prog) {
        vg_error("out of memory");
        goto out;
    }
    if (vg_spool_open(opt->spool_dir, &opt->spool, &f.spool, &err) != VG_OK) {
        vg_error("spool: %s", err.text);
        goto out;
    }
    vg_info("spool %s: id %016" PRIx64 ", frames %" PRIu64 "..%" PRIu64 " not acknowledged, "
            "%zu segments", opt->spool_dir, vg_spool_id(f.spool), vg_spool_acked(f.spool) + 1,
            vg_spool_last(f.spool), vg_spool_segments(f.spool));
    if (vg_input_open(&opt->input, vg_spool_resume_pos(f.spool), &in, &err) != VG_OK) {
        vg_error("%s", err.text);
        goto out;
    }
    f.zctx = zmq_ctx_new();
    f.sock = f.zctx ? zmq_socket(f.zctx, ZMQ_DEALER) : NULL;
    if (!f.sock) {
        vg_error("ZeroMQ: %s", zmq_strerror(zmq_errno()));
        goto out;
    }
    int one = 1, zero = 0, hwm = 64;
    zmq_setsockopt(f.sock, ZMQ_IMMEDIATE, &one, sizeof one); /* queue only to a live peer */
    zmq_setsockopt(f.sock, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(f.sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (opt->key_path && !feed__curve(f.sock, opt))
        goto out;
    if (zmq_socket_monitor(f.sock, "inproc://vigie-feed-monitor",
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
        !(f.monitor = zmq_socket(f.zctx, ZMQ_PAIR)) ||
        zmq_setsockopt(f.monitor, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
        zmq_connect(f.monitor, "inproc://vigie-feed-monitor") != 0) {
        vg_error("ZeroMQ monitor: %s", zmq_strerror(zmq_errno()));
        goto out;
    }
    if (zmq_connect(f.sock, opt->endpoint) != 0) {
        vg_error("cannot connect to %s: %s", opt->endpoint, zmq_strerror(zmq_errno()));
        goto out;
    }
    f.sent = vg_spool_acked(f.spool);
    f.acked_start = f.sent;
    f.timeout_us = (int64_t)opt->ack_timeout_ms * 1000;
    vg_notice("vigie feed %s running: -> %s", opt->id, opt->endpoint);
    status = 0;
    bool eof = false;
    while (!feed_stop) {
        zmq_pollitem_t items[3] = {{.socket = f.sock, .events = ZMQ_POLLIN},
                                   {.socket = f.monitor, .events = ZMQ_POLLIN}};
        int ni = 2, ifd = eof ? -1 : vg_input_fd(in);
        if (ifd >= 0)
            items[ni++] = (zmq_pollitem_t){.fd = ifd, .events = ZMQ_POLLIN};
        long timeout = 100; /* files and reconnects are polled; sends retried */
        int64_t now = vg_time_mono_us();
        long sync = vg_spool_next_sync_ms(f.spool, now);
        if (sync >= 0 && sync < timeout)
            timeout = sync;
        if (zmq_poll(items, ni, timeout) < 0 && zmq_errno() != EINTR) {
            vg_error("zmq_poll: %s", zmq_strerror(zmq_errno()));
            status = 1;
            break;
        }
        if (!eof) {
            bool ended = false;
            if (vg_input_read(in, feed__on_frame, &f, &ended, &err) != VG_OK)
                vg_warn("%s", err.text);
            if (ended) {
                eof = true;
                vg_info("end of input: %" PRIu64 " frames spooled", f.spooled);
            }
        }
        now = vg_time_mono_us();
        if (vg_spool_flush(f.spool, now, &err) != VG_OK)
            vg_error("spool: %s", err.text);
        feed__monitor(&f);
        if (f.reconnect_mono && now >= f.reconnect_mono) {
            f.reconnect_mono = 0;
            zmq_disconnect(f.sock, opt->endpoint); /* fails when libzmq dropped it: fine */
            if (zmq_connect(f.sock, opt->endpoint) != 0)
                vg_error("cannot connect to %s: %s", opt->endpoint, zmq_strerror(zmq_errno()));
        }
        feed__acks(&f);
        uint64_t acked = vg_spool_acked(f.spool);
        if (f.sent > acked && now - f.progress_mono >= f.timeout_us) {
            f.resends++;
            vg_log(f.timeout_us == (int64_t)opt->ack_timeout_ms * 1000 ? VG_LOG_INFO : VG_LOG_DEBUG,
                   "no acknowledgement for %lld ms: resending from frame %" PRIu64,
                   (long long)(f.timeout_us / 1000), acked + 1);
            f.sent = acked;
            f.fl_n = 0; /* resent batches are timed again */
            f.progress_mono = now;
            if (f.timeout_us < 60 * 1000000LL)
                f.timeout_us *= 2;
        }
        feed__send(&f);
        if (eof && opt->exit_when_drained && vg_spool_last(f.spool) == vg_spool_acked(f.spool) &&
            vg_spool_unacked(f.spool) == 0)
            break;
    }
    vg_notice("vigie feed %s stopping: %" PRIu64 " frames spooled in this run, acknowledged up "
              "to %" PRIu64 ", %" PRIu64 " waiting in the spool, %" PRIu64 " resends",
              opt->id, f.spooled, vg_spool_acked(f.spool), vg_spool_unacked(f.spool), f.resends);
    if (f.lat_n)
        vg_notice("acknowledgement latency (send of a batch to the acknowledgement that "
                  "covers it): p50 %.1f ms, p99 %.1f ms, max %.1f ms, %" PRIu64 " batches",
                  feed__lat_quantile(&f, 0.5), feed__lat_quantile(&f, 0.99),
                  feed__lat_quantile(&f, 1.0), f.lat_n);
    if (f.n_prog)
        vg_notice("acknowledged in this run: %" PRIu64 " frames; half of them %.3f s after "
                  "the start, 99%% after %.3f s, all after %.3f s",
                  f.prog[f.n_prog - 1].last - f.acked_start, feed__progress_s(&f, 0.5),
                  feed__progress_s(&f, 0.99), feed__progress_s(&f, 1.0));
    if (f.spool_errors)
        status = 1;
out:
    vg_input_close(in);
    if (f.monitor)
        zmq_close(f.monitor);
    if (f.sock)
        zmq_close(f.sock);
    if (f.zctx)
        zmq_ctx_term(f.zctx);
    vg_spool_close(f.spool);
    free(f.frames);
    free(f.times);
    free(f.text);
    free(f.fl);
    free(f.lat);
    free(f.prog);
    return status;
}
