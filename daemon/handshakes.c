/* handshakes.c: log the failed handshakes of the CurveZMQ ingest sockets (handshakes.h). */
#include "daemon/handshakes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "core/log.h"
#include "core/time.h"

#define HANDSHAKES_LOG_EVERY_US (60 * VG_US_PER_S)

typedef struct handshakes_sock {
    void *monitor;       /* PAIR connected to the socket's monitor */
    char *endpoint;
    int64_t logged_mono; /* last failure logged, 0 never */
    uint64_t quiet;      /* failures since, not logged */
} handshakes_sock;

struct vg_handshakes {
    void *zctx;
    handshakes_sock *s;
    size_t n;
    uint64_t failed;
};

vg_handshakes *vg_handshakes_new(void *zctx)
{
    vg_handshakes *h = calloc(1, sizeof *h);
    if (h)
        h->zctx = zctx;
    return h;
}

void vg_handshakes_free(vg_handshakes *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++) {
        zmq_close(h->s[i].monitor);
        free(h->s[i].endpoint);
    }
    free(h->s);
    free(h);
}

vg_err vg_handshakes_watch(vg_handshakes *h, void *sock, const char *endpoint, vg_errinfo *err)
{
    handshakes_sock *ns = realloc(h->s, (h->n + 1) * sizeof *ns);
    if (!ns)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the handshake watch");
    h->s = ns;
    handshakes_sock *s = &h->s[h->n];
    memset(s, 0, sizeof *s);
    char addr[64];
    snprintf(addr, sizeof addr, "inproc://vigie-handshakes-%zu", h->n);
    int linger = 0;
    if (!(s->endpoint = strdup(endpoint)))
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the handshake watch");
    if (zmq_socket_monitor(sock, addr,
                           ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
        !(s->monitor = zmq_socket(h->zctx, ZMQ_PAIR)) ||
        zmq_setsockopt(s->monitor, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(s->monitor, addr) != 0) {
        vg_fail(err, VG_ERR_IO, "ingest %s: cannot watch its handshakes: %s", endpoint,
                zmq_strerror(zmq_errno()));
        if (s->monitor)
            zmq_close(s->monitor);
        free(s->endpoint);
        return VG_ERR_IO;
    }
    h->n++;
    return VG_OK;
}

void vg_handshakes_check(vg_handshakes *h)
{
    for (size_t i = 0; h && i < h->n; i++) {
        handshakes_sock *s = &h->s[i];
        for (;;) {
            zmq_msg_t ev;
            zmq_msg_init(&ev);
            if (zmq_msg_recv(&ev, s->monitor, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&ev);
                break;
            }
            uint16_t event = 0;
            uint32_t value = 0;
            if (zmq_msg_size(&ev) >= 6) {
                memcpy(&event, zmq_msg_data(&ev), 2);
                memcpy(&value, (char *)zmq_msg_data(&ev) + 2, 4);
            }
            while (zmq_msg_more(&ev)) { /* the endpoint part */
                zmq_msg_close(&ev);
                zmq_msg_init(&ev);
                if (zmq_msg_recv(&ev, s->monitor, 0) < 0)
                    break;
            }
            zmq_msg_close(&ev);
            h->failed++;
            int64_t now = vg_time_mono_us();
            if (s->logged_mono && now - s->logged_mono < HANDSHAKES_LOG_EVERY_US) {
                s->quiet++;
                continue;
            }
            vg_warn("ingest %s: a client failed the CurveZMQ handshake (%s %#x: a plain client, "
                    "or a wrong server key?)%s", s->endpoint,
                    event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol error" : "error",
                    (unsigned)value, s->quiet ? "; more failures since the last message" : "");
            s->logged_mono = now;
            s->quiet = 0;
        }
    }
}

uint64_t vg_handshakes_failed(const vg_handshakes *h) { return h ? h->failed : 0; }
