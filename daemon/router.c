/* router.c: receive feed batches on ROUTER sockets and route acknowledgements back
 * (router.h). */
#include "daemon/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "core/feedproto.h"
#include "core/log.h"
#include "storage/feed_mark.h"

#define ROUTER_ID_MAX 256 /* ZeroMQ routing ids are at most 255 bytes */

typedef struct router_route {
    char feed[VG_FEED_ID_MAX];
    void *sock;
    unsigned char peer[ROUTER_ID_MAX];
    size_t peer_len;
} router_route;

struct vg_router {
    router_route *routes;
    size_t n, cap;
    zmq_msg_t parts[1 + VG_FEEDPROTO_BATCH_PARTS];
    vg_time_us *times;
    size_t times_cap;
    uint64_t malformed, acks_sent, acks_dropped;
};

vg_router *vg_router_new(void)
{
    vg_router *r = calloc(1, sizeof *r);
    if (r)
        for (size_t i = 0; i < 1 + VG_FEEDPROTO_BATCH_PARTS; i++)
            zmq_msg_init(&r->parts[i]);
    return r;
}

void vg_router_free(vg_router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < 1 + VG_FEEDPROTO_BATCH_PARTS; i++)
        zmq_msg_close(&r->parts[i]);
    free(r->routes);
    free(r->times);
    free(r);
}

static void router__malformed(vg_router *r, const char *why)
{
    r->malformed++;
    if (r->malformed <= 20 || r->malformed % 1000 == 0)
        vg_warn("feed endpoint: dropped a malformed message (#%llu): %s",
                (unsigned long long)r->malformed, why);
}

/* Remember that `peer` on `sock` speaks for feed. */
static void router__route(vg_router *r, const char *feed, void *sock, const zmq_msg_t *peer)
{
    router_route *rt = NULL;
    for (size_t i = 0; i < r->n && !rt; i++)
        if (strcmp(r->routes[i].feed, feed) == 0)
            rt = &r->routes[i];
    if (!rt) {
        if (r->n == r->cap) {
            size_t nc = r->cap ? 2 * r->cap : 8;
            router_route *nr = realloc(r->routes, nc * sizeof *nr);
            if (!nr)
                return; /* no acknowledgement: the feed resends */
            r->routes = nr;
            r->cap = nc;
        }
        rt = &r->routes[r->n++];
        snprintf(rt->feed, sizeof rt->feed, "%s", feed);
    }
    rt->sock = sock;
    rt->peer_len = zmq_msg_size(peer) < ROUTER_ID_MAX ? zmq_msg_size(peer) : ROUTER_ID_MAX;
    memcpy(rt->peer, zmq_msg_data((zmq_msg_t *)peer), rt->peer_len);
}

int vg_router_recv(vg_router *r, void *sock, size_t source, vg_engine *e, vg_errinfo *err)
{
    size_t n = 0;
    int more = 1;
    while (more) {
        zmq_msg_t *m = &r->parts[n < 1 + VG_FEEDPROTO_BATCH_PARTS ? n : VG_FEEDPROTO_BATCH_PARTS];
        if (zmq_msg_recv(m, sock, n ? 0 : ZMQ_DONTWAIT) < 0)
            return n ? 1 : 0; /* only at the first part (a message arrives whole) */
        n++;
        more = zmq_msg_more(m);
    }
    if (n != 1 + VG_FEEDPROTO_BATCH_PARTS) {
        router__malformed(r, "wrong number of parts (is the sender a vigie feed?)");
        return 1;
    }
    zmq_msg_t *p = r->parts + 1;
    const char *hdr = zmq_msg_data(&p[0]);
    if (zmq_msg_size(&p[0]) != strlen(VG_FEEDPROTO_BATCH) ||
        memcmp(hdr, VG_FEEDPROTO_BATCH, zmq_msg_size(&p[0])) != 0) {
        router__malformed(r, "not a " VG_FEEDPROTO_BATCH " batch");
        return 1;
    }
    char feed[VG_FEED_ID_MAX];
    size_t fl = zmq_msg_size(&p[1]);
    uint64_t epoch, first;
    if (fl == 0 || fl >= sizeof feed) {
        router__malformed(r, "feed id of a wrong length");
        return 1;
    }
    memcpy(feed, zmq_msg_data(&p[1]), fl);
    feed[fl] = 0;
    if (zmq_msg_size(&p[2]) != VG_FEEDPROTO_EPOCH_LEN ||
        !vg_feedproto_parse_u64(zmq_msg_data(&p[2]), VG_FEEDPROTO_EPOCH_LEN, 16, &epoch) ||
        !vg_feedproto_parse_u64(zmq_msg_data(&p[3]), zmq_msg_size(&p[3]), 10, &first)) {
        router__malformed(r, "spool id or first sequence is not a number");
        return 1;
    }
    size_t tl = zmq_msg_size(&p[4]);
    if (tl % 8) {
        router__malformed(r, "reception times are not a multiple of 8 bytes");
        return 1;
    }
    size_t count = tl / 8;
    if (count > r->times_cap) {
        vg_time_us *t = realloc(r->times, count * sizeof *t);
        if (!t) {
            router__malformed(r, "out of memory for the reception times");
            return 1;
        }
        r->times = t;
        r->times_cap = count;
    }
    const unsigned char *tb = zmq_msg_data(&p[4]);
    for (size_t i = 0; i < count; i++)
        r->times[i] = vg_feedproto_get_time(tb + 8 * i);
    router__route(r, feed, sock, &r->parts[0]); /* before: the engine may answer at once */
    vg_errinfo why;
    vg_err rc = vg_engine_feed_batch(e, source, feed, epoch, first, count, r->times,
                                     zmq_msg_data(&p[5]), zmq_msg_size(&p[5]),
                                     vg_time_mono_us(), &why);
    if (rc == VG_ERR_PARSE || rc == VG_ERR_INVAL) {
        router__malformed(r, why.text);
        return 1;
    }
    if (rc != VG_OK) {
        if (err)
            *err = why;
        return -1;
    }
    return 1;
}

void vg_router_ack(void *ctx, const char *feed, uint64_t epoch, uint64_t seq, bool resend)
{
    vg_router *r = ctx;
    for (size_t i = 0; i < r->n; i++) {
        router_route *rt = &r->routes[i];
        if (strcmp(rt->feed, feed) != 0)
            continue;
        char ep[VG_FEEDPROTO_EPOCH_LEN + 1], sq[24];
        snprintf(ep, sizeof ep, "%016llx", (unsigned long long)epoch);
        int sl = snprintf(sq, sizeof sq, "%llu", (unsigned long long)seq);
        if (zmq_send(rt->sock, rt->peer, rt->peer_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
            zmq_send(rt->sock, resend ? VG_FEEDPROTO_RESEND : VG_FEEDPROTO_ACK,
                     strlen(resend ? VG_FEEDPROTO_RESEND : VG_FEEDPROTO_ACK),
                     ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
            zmq_send(rt->sock, feed, strlen(feed), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
            zmq_send(rt->sock, ep, VG_FEEDPROTO_EPOCH_LEN, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
            zmq_send(rt->sock, sq, (size_t)sl, ZMQ_DONTWAIT) < 0)
            r->acks_dropped++;
        else
            r->acks_sent++;
        return;
    }
}
