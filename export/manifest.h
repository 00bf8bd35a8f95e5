/* manifest.h: the SHA-256 checksum manifest that travels beside each uploaded file: a file
 * NAME.sha256 holding one line "<64 hex digits>  NAME\n", the format of `sha256sum`, so
 * that the receiver checks a file with `sha256sum -c NAME.sha256`. The digest comes from
 * OpenSSL's libcrypto (EVP), never from code of ours. */
#ifndef VIGIE_EXPORT_MANIFEST_H
#define VIGIE_EXPORT_MANIFEST_H

#include <stddef.h>

#include "core/error.h"

#define VG_SHA256_HEX 65 /* 64 hex digits and the NUL */

/* SHA-256 of the file at path, as lowercase hex, into hex. VG_ERR_IO names the file. */
vg_err vg_sha256_file(const char *path, char hex[VG_SHA256_HEX], vg_errinfo *err);

/* The same for an open file descriptor, read with pread(2) from offset 0 (the file
 * position is not moved), so that the digest is of the very bytes sent even if the path is
 * replaced meanwhile; name is for messages. */
vg_err vg_sha256_fd(int fd, const char *name, char hex[VG_SHA256_HEX], vg_errinfo *err);

/* The manifest line of a file named `name` (a base name, no '/') with digest hex, into buf
 * (cap bytes). Returns its length, or 0 when buf is too small. */
size_t vg_manifest_line(const char *name, const char hex[VG_SHA256_HEX], char *buf, size_t cap);

#endif
