/* upload.h: sending a file to a data centre with libcurl (docs/upload.md): FTP, FTPS
 * (explicit or implicit TLS), SFTP, or HTTP(S) PUT / POST. On FTP, FTPS and SFTP the file goes to a
 * temporary name (.NAME.part) in the destination directory, resumed where a previous
 * interrupted attempt stopped (restarted when that part is larger than the file), and is
 * renamed to NAME only once complete; then its SHA-256 manifest NAME.sha256 follows the
 * same way. Over HTTP(S) the file and its manifest are sent whole to URL/NAME and
 * URL/NAME.sha256 (the server must store them atomically). ftp:// with `tls` is FTPS with
 * explicit TLS (AUTH TLS), ftps:// implicit TLS; certificates are always verified, against
 * ca_file when given. Credentials come from a file
 * that others cannot read. One call = one attempt; retries and back-off belong to the
 * caller (the outbox, storage/outbox.h). */
#ifndef VIGIE_EXPORT_UPLOAD_H
#define VIGIE_EXPORT_UPLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

typedef enum vg_upload_method {
    VG_UPLOAD_PUT = 0, /* HTTP(S): PUT the bytes to URL/NAME */
    VG_UPLOAD_POST,    /* HTTP(S): POST a multipart form, field "file", to URL */
} vg_upload_method;

typedef struct vg_upload_dest {
    const char *url;         /* directory URL: ftp://host[:port]/dir/, ftps://..., sftp://...,
                              * https://host/path/ (a trailing '/' is added when missing) */
    const char *credentials; /* file holding "user:password" on its first line, or NULL */
    vg_upload_method method; /* HTTP(S) only */
    long connect_timeout_s;  /* 1..3600: giving up on a connection */
    long stall_timeout_s;    /* 1..3600: a transfer slower than 1 byte/s for this long fails */
    bool tls;                /* ftp://: require explicit TLS (AUTH TLS) on control and data */
    const char *ca_file;     /* PEM file of the CA certificates to trust, NULL: the system's */
    const atomic_bool *cancel; /* when not NULL and set, the transfer stops (resumable) */
} vg_upload_dest;

/* Read "user:password" from path into buf (cap bytes, NUL-terminated, no end of line).
 * Refuses (VG_ERR_INVAL, naming the file and its mode) a file that group or others may
 * read or write, or that is not a regular file: a password must not be world-readable. */
vg_err vg_upload_credentials(const char *path, char *buf, size_t cap, vg_errinfo *err);

typedef struct vg_upload_result {
    uint64_t bytes_sent;   /* bytes of the file sent by this attempt */
    uint64_t resumed_from; /* bytes already on the server that this attempt kept */
    char sha256[65];       /* the digest sent in the manifest */
} vg_upload_result;

/* One attempt to upload the local file `path` (its base name is the remote NAME) and its
 * manifest to d. res may be NULL. On failure err names the destination, the step (size,
 * transfer, rename, manifest) and libcurl's reason; a later call resumes. */
vg_err vg_upload_file(const vg_upload_dest *d, const char *path, vg_upload_result *res,
                      vg_errinfo *err);

/* libcurl's global set-up, once per process before any thread uses it (the daemon and
 * `vigie upload` call it at start). */
vg_err vg_upload_global_init(vg_errinfo *err);

#endif
