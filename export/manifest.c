/* manifest.c: SHA-256 of a file with libcrypto's EVP interface, and the sha256sum-format
 * manifest line (manifest.h). */
#include "export/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

vg_err vg_sha256_file(const char *path, char hex[VG_SHA256_HEX], vg_errinfo *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    vg_err rc = vg_sha256_fd(fd, path, hex, err);
    close(fd);
    return rc;
}

vg_err vg_sha256_fd(int fd, const char *path, char hex[VG_SHA256_HEX], vg_errinfo *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return vg_fail(err, VG_ERR_NOMEM, "SHA-256 of %s: cannot set up the digest", path);
    }
    unsigned char buf[1 << 16];
    vg_err rc = VG_OK;
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf, off);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = vg_fail(err, VG_ERR_IO, "reading %s: %s", path, strerror(errno));
            break;
        }
        off += n;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (rc == VG_OK && EVP_DigestFinal_ex(ctx, md, &len) == 1 && len == 32) {
        for (unsigned i = 0; i < len; i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
    } else if (rc == VG_OK) {
        rc = vg_fail(err, VG_ERR_IO, "SHA-256 of %s failed", path);
    }
    EVP_MD_CTX_free(ctx);
    return rc;
}

size_t vg_manifest_line(const char *name, const char hex[VG_SHA256_HEX], char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s  %s\n", hex, name);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
