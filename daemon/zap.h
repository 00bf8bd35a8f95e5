/* zap.h: the daemon's ZAP handler (ZeroMQ RFC 27, the libzmq way to authenticate): a REP
 * socket bound to inproc://zeromq.zap.01 in the daemon's ZeroMQ context, which libzmq asks
 * during every CurveZMQ handshake on an ingest endpoint whether the client's public key may
 * connect. Each curve socket carries the ZAP domain "vigie-ingest-N" (N: its index in
 * cfg->ingest), so that each endpoint is checked against its own ingest[].clients
 * (ingest_auth.h). Refusals are logged with the key (Z85) and the peer address, at most
 * once a minute per key and address. Polled by the daemon's single-threaded loop: it must
 * be started before any curve socket binds (without a handler libzmq would let every key
 * in). */
#ifndef VIGIE_DAEMON_ZAP_H
#define VIGIE_DAEMON_ZAP_H

#include <stdint.h>

#include "core/config.h"
#include "core/error.h"
#include "daemon/ingest_auth.h"

#define VG_ZAP_DOMAIN_PREFIX "vigie-ingest-"

typedef struct vg_zap vg_zap;

typedef struct vg_zap_stats {
    uint64_t accepted, refused, malformed;
} vg_zap_stats;

/* Bind the handler in ZeroMQ context zctx. *out is owned by the caller (vg_zap_free, before
 * the context is terminated). VG_ERR_IO when the socket cannot be made or bound (another
 * handler already bound in this context), VG_ERR_NOMEM. */
vg_err vg_zap_start(void *zctx, vg_zap **out, vg_errinfo *err);

/* The configuration and keys the answers follow (borrowed; call again after a reload,
 * before the old ones are freed). */
void vg_zap_set_auth(vg_zap *z, const vg_config *cfg, const vg_ingest_auth *auth);

/* The REP socket, for zmq_poll (ZMQ_POLLIN: requests wait). */
void *vg_zap_socket(vg_zap *z);

/* Answer every request waiting, without blocking. A malformed request is answered 400 when
 * it can be (libzmq only sends well-formed ones). */
void vg_zap_handle(vg_zap *z);

vg_zap_stats vg_zap_get_stats(const vg_zap *z);

void vg_zap_free(vg_zap *z); /* z may be NULL */

#endif
