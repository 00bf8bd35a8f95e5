/* zap.c: the ZAP handler of the ingest endpoints (zap.h). */
#include "daemon/zap.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "core/feedproto.h"
#include "core/log.h"

#define ZAP_PARTS_MAX 8       /* a CURVE request has 7 parts */
#define ZAP_SEEN 32           /* (key, address) pairs whose refusals are rate-limited */
#define ZAP_LOG_EVERY_US (60 * VG_US_PER_S)

typedef struct zap_seen {
    unsigned char key[VG_CURVE_KEY_BYTES];
    char addr[64];
    int64_t logged_mono;  /* last refusal logged */
    uint64_t quiet;       /* refusals since, not logged */
} zap_seen;

struct vg_zap {
    void *sock;
    const vg_config *cfg;
    const vg_ingest_auth *auth;
    zap_seen seen[ZAP_SEEN];
    size_t n_seen;
    vg_zap_stats stats;
};

vg_err vg_zap_start(void *zctx, vg_zap **out, vg_errinfo *err)
{
    vg_zap *z = calloc(1, sizeof *z);
    if (!z)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the ZAP handler");
    int linger = 0;
    if (!(z->sock = zmq_socket(zctx, ZMQ_REP)) ||
        zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(z->sock, "inproc://zeromq.zap.01") != 0) {
        vg_fail(err, VG_ERR_IO, "cannot bind the ZAP handler (inproc://zeromq.zap.01): %s",
                zmq_strerror(zmq_errno()));
        vg_zap_free(z);
        return VG_ERR_IO;
    }
    *out = z;
    return VG_OK;
}

void vg_zap_set_auth(vg_zap *z, const vg_config *cfg, const vg_ingest_auth *auth)
{
    z->cfg = cfg;
    z->auth = auth;
}

void *vg_zap_socket(vg_zap *z) { return z->sock; }

vg_zap_stats vg_zap_get_stats(const vg_zap *z) { return z->stats; }

void vg_zap_free(vg_zap *z)
{
    if (!z)
        return;
    if (z->sock)
        zmq_close(z->sock);
    free(z);
}

/* Log a refusal of key from addr on endpoint `ep`, unless the same pair was logged less
 * than a minute ago (then it is counted, and the next message says how many). */
static void zap__log_refusal(vg_zap *z, const unsigned char *key, const char *addr,
                             const char *ep, const char *why)
{
    int64_t now = vg_time_mono_us();
    zap_seen *s = NULL, *oldest = NULL;
    for (size_t i = 0; i < z->n_seen && !s; i++) {
        if (memcmp(z->seen[i].key, key, VG_CURVE_KEY_BYTES) == 0 &&
            strcmp(z->seen[i].addr, addr) == 0)
            s = &z->seen[i];
        else if (!oldest || z->seen[i].logged_mono < oldest->logged_mono)
            oldest = &z->seen[i];
    }
    if (s && now - s->logged_mono < ZAP_LOG_EVERY_US) {
        s->quiet++;
        return;
    }
    uint64_t quiet = s ? s->quiet : 0;
    if (!s) {
        s = z->n_seen < ZAP_SEEN ? &z->seen[z->n_seen++] : oldest;
        memcpy(s->key, key, VG_CURVE_KEY_BYTES);
        snprintf(s->addr, sizeof s->addr, "%s", addr);
    }
    s->logged_mono = now;
    s->quiet = 0;
    char z85[VG_CURVE_KEY_LEN + 1];
    if (!zmq_z85_encode(z85, key, VG_CURVE_KEY_BYTES))
        snprintf(z85, sizeof z85, "?");
    if (quiet)
        vg_warn("ingest %s: refused client key %s from %s (%s; %" PRIu64 " more refusals of "
                "it since the last message)", ep, z85, addr, why, quiet);
    else
        vg_warn("ingest %s: refused client key %s from %s (%s)", ep, z85, addr, why);
}

/* The verdict on one well-formed request: "200" or "400", and why. */
static const char *zap__judge(vg_zap *z, zmq_msg_t *p, size_t n, const char **text)
{
    char domain[64] = "", addr[64] = "", mech[16] = "";
    size_t dl = zmq_msg_size(&p[2]), al = zmq_msg_size(&p[3]), ml = zmq_msg_size(&p[5]);
    if (dl < sizeof domain)
        memcpy(domain, zmq_msg_data(&p[2]), dl), domain[dl] = 0;
    if (al < sizeof addr)
        memcpy(addr, zmq_msg_data(&p[3]), al), addr[al] = 0;
    if (ml < sizeof mech)
        memcpy(mech, zmq_msg_data(&p[5]), ml), mech[ml] = 0;
    size_t plen = strlen(VG_ZAP_DOMAIN_PREFIX);
    uint64_t idx;
    if (strncmp(domain, VG_ZAP_DOMAIN_PREFIX, plen) != 0 || !z->cfg ||
        !vg_feedproto_parse_u64(domain + plen, strlen(domain + plen), 10, &idx) ||
        idx >= z->cfg->n_ingest) {
        *text = "unknown ZAP domain";
        z->stats.malformed++;
        return "400";
    }
    const char *ep = z->cfg->ingest[idx].endpoint;
    if (strcmp(mech, "CURVE") != 0 || n != 7 || zmq_msg_size(&p[6]) != VG_CURVE_KEY_BYTES) {
        *text = "only CURVE is accepted";
        z->stats.refused++;
        vg_warn("ingest %s: refused a %s client from %s (CurveZMQ required)", ep,
                mech[0] ? mech : "?", addr);
        return "400";
    }
    const unsigned char *key = zmq_msg_data(&p[6]);
    if (!vg_ingest_auth_allows(z->auth, (size_t)idx, key)) {
        *text = "key not accepted";
        z->stats.refused++;
        zap__log_refusal(z, key, addr, ep, "not in ingest[].clients");
        return "400";
    }
    z->stats.accepted++;
    char z85[VG_CURVE_KEY_LEN + 1];
    if (zmq_z85_encode(z85, key, VG_CURVE_KEY_BYTES))
        vg_info("ingest %s: accepted client key %s from %s", ep, z85, addr);
    *text = "OK";
    return "200";
}

void vg_zap_handle(vg_zap *z)
{
    for (;;) {
        zmq_msg_t p[ZAP_PARTS_MAX];
        size_t n = 0;
        int more = 1;
        bool extra = false; /* more parts than a request has: dropped, answered 400 */
        while (more) {
            zmq_msg_t scratch, *m = n < ZAP_PARTS_MAX ? &p[n] : &scratch;
            zmq_msg_init(m);
            if (zmq_msg_recv(m, z->sock, n || extra ? 0 : ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(m);
                if (!n)
                    return;
                break;
            }
            more = zmq_msg_more(m);
            if (m == &scratch) {
                zmq_msg_close(m);
                extra = true;
            } else {
                n++;
            }
        }
        const char *status = "400", *text = "malformed ZAP request";
        bool ok = !extra && n >= 6 && zmq_msg_size(&p[0]) == 3 && memcmp(zmq_msg_data(&p[0]), "1.0", 3) == 0;
        if (ok)
            status = zap__judge(z, p, n, &text);
        else
            z->stats.malformed++;
        /* Reply: version, request id, status code, status text, user id, metadata. */
        zmq_send(z->sock, "1.0", 3, ZMQ_SNDMORE);
        if (n >= 2)
            zmq_send(z->sock, zmq_msg_data(&p[1]), zmq_msg_size(&p[1]), ZMQ_SNDMORE);
        else
            zmq_send(z->sock, "", 0, ZMQ_SNDMORE);
        zmq_send(z->sock, status, 3, ZMQ_SNDMORE);
        zmq_send(z->sock, text, strlen(text), ZMQ_SNDMORE);
        zmq_send(z->sock, "", 0, ZMQ_SNDMORE);
        zmq_send(z->sock, "", 0, 0);
        for (size_t i = 0; i < n; i++)
            zmq_msg_close(&p[i]);
    }
}
