/* curvekey.h: the files of CurveZMQ keys (`vigie keygen`): one Z85-encoded 32-byte key (40
 * characters) and a newline per file; BASENAME.pub holds a public key (mode 0644), and
 * BASENAME.key the secret key (mode 0600: a secret file readable by others is refused when
 * read). The keys themselves are made and used by libzmq (zmq_curve_keypair,
 * zmq_curve_public); this file only keeps them on disk. docs/feed.md, "Keys". */
#ifndef VIGIE_CORE_CURVEKEY_H
#define VIGIE_CORE_CURVEKEY_H

#include <stdbool.h>

#include "core/error.h"

#define VG_CURVE_KEY_LEN 40 /* Z85 characters of a 32-byte key */

/* Read the key in `path` into out (VG_CURVE_KEY_LEN characters and a NUL). The file holds
 * the key, optionally one newline, nothing else. secret: the file must be a regular file
 * with no permission for group or others (VG_ERR_CONFIG otherwise, the text naming the path,
 * its mode and the fix). Errors: VG_ERR_IO (cannot open or read), VG_ERR_PARSE (not one
 * key), VG_ERR_CONFIG. */
vg_err vg_curve_key_read(const char *path, bool secret, char out[VG_CURVE_KEY_LEN + 1],
                         vg_errinfo *err);

/* Write `key` (VG_CURVE_KEY_LEN Z85 characters) and a newline to a new file `path`, mode 0600
 * if secret else 0644 (whatever the umask), synced. An existing file is never overwritten
 * (VG_ERR_IO, "exists"). Errors: VG_ERR_INVAL (not a key), VG_ERR_IO. */
vg_err vg_curve_key_write(const char *path, const char *key, bool secret, vg_errinfo *err);

#endif
