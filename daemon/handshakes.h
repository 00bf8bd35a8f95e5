/* handshakes.h: a watch on the handshakes of the daemon's CurveZMQ ingest sockets (one
 * libzmq socket monitor each), to log the failures the ZAP handler (zap.h) never sees: a
 * plain client at a curve endpoint, or a client with the wrong server key. libzmq's events
 * carry no peer address, so the message names the endpoint; at most one message a minute
 * per endpoint, with the count of failures since. Single-threaded: checked from the
 * daemon's loop, which runs at least once a second. */
#ifndef VIGIE_DAEMON_HANDSHAKES_H
#define VIGIE_DAEMON_HANDSHAKES_H

#include <stdint.h>

#include "core/error.h"

typedef struct vg_handshakes vg_handshakes;

/* An empty watch in ZeroMQ context zctx; NULL when out of memory. Free with
 * vg_handshakes_free before the context is terminated (h may be NULL). */
vg_handshakes *vg_handshakes_new(void *zctx);
void vg_handshakes_free(vg_handshakes *h);

/* Watch socket `sock`, bound to `endpoint` (copied), before it binds. VG_ERR_IO when
 * libzmq cannot monitor it, VG_ERR_NOMEM. */
vg_err vg_handshakes_watch(vg_handshakes *h, void *sock, const char *endpoint, vg_errinfo *err);

/* Take the events waiting, without blocking, and log the failures. */
void vg_handshakes_check(vg_handshakes *h);

/* Failed handshakes seen so far. */
uint64_t vg_handshakes_failed(const vg_handshakes *h);

#endif
