/* router.h: the daemon's side of the acknowledged feed protocol (core/feedproto.h): reads
 * a batch from an ingest endpoint of kind `feed` (a ZeroMQ ROUTER socket), hands it to the
 * engine, remembers which peer speaks for which feed, and sends the engine's
 * acknowledgements back to it. A malformed message is logged (rate-limited) and dropped:
 * it is never acknowledged, so the feed resends it. Single-threaded, like the engine. */
#ifndef VIGIE_DAEMON_ROUTER_H
#define VIGIE_DAEMON_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "daemon/engine.h"

typedef struct vg_router vg_router;

/* New router; NULL when out of memory. Free with vg_router_free (r may be NULL). */
vg_router *vg_router_new(void);
void vg_router_free(vg_router *r);

/* Receive one message from ROUTER socket `sock`, bound for ingest endpoint `source`, and
 * feed it to e. Returns 0 when no message was waiting, 1 when one was taken (ingested or
 * dropped as malformed), -1 when the engine's storage failed (err says why; the batch was
 * rolled back and will be resent). */
int vg_router_recv(vg_router *r, void *sock, size_t source, vg_engine *e, vg_errinfo *err);

/* The engine's acknowledgement callback (vg_engine_set_ack with ctx = the router): sends
 * [peer, "vigie-ack/1" (or "vigie-resend/1"), feed, epoch, seq] to the peer that last sent a batch of that feed,
 * without blocking (an acknowledgement that cannot leave now is dropped: the feed resends,
 * and the resent batch is acknowledged at once). */
void vg_router_ack(void *ctx, const char *feed, uint64_t epoch, uint64_t seq, bool resend);

#endif
