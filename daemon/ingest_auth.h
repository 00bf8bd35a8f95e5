/* ingest_auth.h: the CurveZMQ keys of the daemon's ingest endpoints (docs/feed.md, "Keys"):
 * for each endpoint with `security: curve`, the engine's secret key (ingest[].secret_key)
 * and the set of client public keys it accepts (ingest[].clients: key files, or directories
 * whose *.pub files are read). Loaded with the rest of the setup (setup.h), so that
 * `vigie config check` reads the key files exactly as the daemon does, and again on SIGHUP
 * (the accepted keys may change on reload; the secret key may not). The ZAP handler
 * (zap.h) asks it whether a client key is accepted. */
#ifndef VIGIE_DAEMON_INGEST_AUTH_H
#define VIGIE_DAEMON_INGEST_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/curvekey.h"
#include "core/error.h"

#define VG_CURVE_KEY_BYTES 32 /* a decoded CurveZMQ key */

typedef struct vg_ingest_auth vg_ingest_auth;

/* Read the keys of every curve endpoint of cfg (borrowed only during the call). On success
 * *out is owned by the caller (vg_ingest_auth_free). Errors (VG_ERR_CONFIG, VG_ERR_NOMEM)
 * name the configuration line and the file: "CONFIG:LINE: ingest[].secret_key: FILE: reason"
 * (unreadable, not a key, a secret readable by others), the same for ingest[].clients (a
 * path that is neither a key file nor a directory, a *.pub file that is not a key). A
 * directory without *.pub files is not an error: the endpoint accepts nobody until keys
 * are added and the daemon reloaded, and a warning says so. */
vg_err vg_ingest_auth_load(const vg_config *cfg, vg_ingest_auth **out, vg_errinfo *err);

void vg_ingest_auth_free(vg_ingest_auth *a); /* a may be NULL */

/* Endpoint i's secret key, Z85 (VG_CURVE_KEY_LEN characters and a NUL, for
 * ZMQ_CURVE_SECRETKEY), or NULL when endpoint i is not curve (or i is out of range). Valid
 * while a lives. */
const char *vg_ingest_auth_secret(const vg_ingest_auth *a, size_t i);

/* Endpoint i's own public key, Z85 (the key its feeds pass as --server-key), or NULL. */
const char *vg_ingest_auth_public(const vg_ingest_auth *a, size_t i);

/* Number of distinct client keys endpoint i accepts (0 for a non-curve endpoint). */
size_t vg_ingest_auth_clients(const vg_ingest_auth *a, size_t i);

/* True when endpoint i accepts the client public key `key` (VG_CURVE_KEY_BYTES bytes, as
 * the ZAP request carries it). O(log n). */
bool vg_ingest_auth_allows(const vg_ingest_auth *a, size_t i,
                           const unsigned char key[VG_CURVE_KEY_BYTES]);

#endif
