/* curvekey.c: read and write the files of CurveZMQ keys (curvekey.h). */
#include "core/curvekey.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The Z85 alphabet (ZeroMQ RFC 32). */
static const char curvekey_z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   ".-:+=^!/*?&<>()[]{}@%$#";

static bool curvekey__valid(const char *s, size_t n)
{
    if (n != VG_CURVE_KEY_LEN)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(curvekey_z85, s[i]))
            return false;
    return true;
}

vg_err vg_curve_key_read(const char *path, bool secret, char out[VG_CURVE_KEY_LEN + 1],
                         vg_errinfo *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, "%s: cannot open the %s key: %s", path,
                       secret ? "secret" : "public", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return vg_fail(err, VG_ERR_IO, "%s: stat: %s", path, strerror(e));
    }
    if (secret && (!S_ISREG(st.st_mode) || (st.st_mode & 077))) {
        close(fd);
        return vg_fail(err, VG_ERR_CONFIG,
                       "%s: a secret key must be a regular file readable by its owner only "
                       "(mode %04o; chmod 600 it)",
                       path, (unsigned)(st.st_mode & 07777));
    }
    char buf[VG_CURVE_KEY_LEN + 3];
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, sizeof buf - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return vg_fail(err, VG_ERR_IO, "%s: read: %s", path, strerror(e));
        }
        if (r == 0 || (n += (size_t)r) == sizeof buf)
            break;
    }
    close(fd);
    if (n && buf[n - 1] == '\n')
        n--;
    if (!curvekey__valid(buf, n))
        return vg_fail(err, VG_ERR_PARSE,
                       "%s: not a CurveZMQ key (one line of %d Z85 characters, as written by "
                       "vigie keygen)",
                       path, VG_CURVE_KEY_LEN);
    memcpy(out, buf, VG_CURVE_KEY_LEN);
    out[VG_CURVE_KEY_LEN] = 0;
    return VG_OK;
}

vg_err vg_curve_key_write(const char *path, const char *key, bool secret, vg_errinfo *err)
{
    if (!key || !curvekey__valid(key, strnlen(key, VG_CURVE_KEY_LEN + 1)))
        return vg_fail(err, VG_ERR_INVAL, "%s: not a Z85 key of %d characters", path,
                       VG_CURVE_KEY_LEN);
    mode_t mode = secret ? 0600 : 0644;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, "%s: cannot create the %s key: %s", path,
                       secret ? "secret" : "public",
                       errno == EEXIST ? "it exists (never overwritten)" : strerror(errno));
    char line[VG_CURVE_KEY_LEN + 1];
    memcpy(line, key, VG_CURVE_KEY_LEN);
    line[VG_CURVE_KEY_LEN] = '\n';
    int e = 0;
    if (fchmod(fd, mode) != 0 || write(fd, line, sizeof line) != (ssize_t)sizeof line ||
        fsync(fd) != 0)
        e = errno ? errno : EIO;
    if (close(fd) != 0 && !e)
        e = errno;
    if (e) {
        unlink(path);
        return vg_fail(err, VG_ERR_IO, "%s: cannot write the key: %s", path, strerror(e));
    }
    return VG_OK;
}
