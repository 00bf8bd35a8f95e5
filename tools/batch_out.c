/* batch_out.c: ordered output with reservations patched later (batch_out.h). The buffer
 * holds output bytes [base, base + len); bytes before base are in the file. A reservation
 * is an offset in the output: inside the buffer it is patched with memcpy, before it with
 * pwrite (regular files only; elsewhere the buffer never drains past an open one). */
#include "tools/batch_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOUT__DRAIN (256 * 1024) /* write out when this many bytes are buffered */

typedef struct bout_reservation {
    uint64_t off; /* output offset of the reserved bytes */
    size_t n;
    bool open;
} bout_reservation;

struct vg_batch_out {
    int fd;
    bool own_fd;
    bool seekable;     /* a regular file not in append mode: pwrite works */
    off_t origin;      /* file offset of output byte 0 */
    char name[256];    /* for messages */
    char *buf;
    size_t cap, len;
    uint64_t base;     /* output offset of buf[0] */
    bout_reservation *res;
    size_t max_res;
};

vg_err vg_batch_out_open(const char *path, size_t max_reserved, vg_batch_out **out,
                         vg_errinfo *err)
{
    vg_batch_out *o = calloc(1, sizeof *o);
    if (!o)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the output");
    o->fd = -1;
    snprintf(o->name, sizeof o->name, "%s", strcmp(path, "-") ? path : "stdout");
    o->max_res = max_reserved ? max_reserved : 1;
    o->cap = 2 * BOUT__DRAIN;
    o->res = calloc(o->max_res, sizeof *o->res);
    o->buf = malloc(o->cap);
    if (!o->res || !o->buf) {
        vg_batch_out_close(o, NULL);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the output");
    }
    if (strcmp(path, "-") == 0) {
        o->fd = STDOUT_FILENO;
    } else {
        o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (o->fd < 0) {
            vg_err rc = vg_fail(err, VG_ERR_IO, "cannot create %s: %s", path, strerror(errno));
            vg_batch_out_close(o, NULL);
            return rc;
        }
        o->own_fd = true;
    }
    struct stat st;
    int fl = fcntl(o->fd, F_GETFL);
    o->origin = lseek(o->fd, 0, SEEK_CUR);
    o->seekable = fstat(o->fd, &st) == 0 && S_ISREG(st.st_mode) && fl >= 0 &&
                  !(fl & O_APPEND) && o->origin >= 0;
    *out = o;
    return VG_OK;
}

static vg_err bout__write_all(vg_batch_out *o, const char *s, size_t n, vg_errinfo *err)
{
    while (n) {
        ssize_t w = write(o->fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return vg_fail(err, VG_ERR_IO, "writing %s: %s", o->name, strerror(errno));
        }
        s += w;
        n -= (size_t)w;
    }
    return VG_OK;
}

/* Write out the buffer: all of it when `all` or the file is seekable, else up to the
 * oldest open reservation. */
static vg_err bout__drain(vg_batch_out *o, bool all, vg_errinfo *err)
{
    size_t limit = o->len;
    if (!all && !o->seekable)
        for (size_t i = 0; i < o->max_res; i++)
            if (o->res[i].open && o->res[i].off - o->base < limit)
                limit = (size_t)(o->res[i].off - o->base);
    if (!limit)
        return VG_OK;
    vg_err rc = bout__write_all(o, o->buf, limit, err);
    if (rc != VG_OK)
        return rc;
    memmove(o->buf, o->buf + limit, o->len - limit);
    o->len -= limit;
    o->base += limit;
    return VG_OK;
}

vg_err vg_batch_out_write(vg_batch_out *o, const char *s, size_t n, vg_errinfo *err)
{
    if (o->len + n > o->cap) {
        size_t c = o->cap;
        while (c < o->len + n)
            c *= 2;
        char *p = realloc(o->buf, c);
        if (!p)
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu bytes of output", c);
        o->buf = p;
        o->cap = c;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    return o->len >= BOUT__DRAIN ? bout__drain(o, false, err) : VG_OK;
}

vg_err vg_batch_out_reserve(vg_batch_out *o, const char *placeholder, size_t n, size_t *slot,
                            vg_errinfo *err)
{
    size_t i = 0;
    while (i < o->max_res && o->res[i].open)
        i++;
    if (i == o->max_res)
        return vg_fail(err, VG_ERR_FULL, "more than %zu rows wait for their flags", o->max_res);
    o->res[i].off = o->base + o->len;
    o->res[i].n = n;
    o->res[i].open = true;
    *slot = i;
    return vg_batch_out_write(o, placeholder, n, err);
}

vg_err vg_batch_out_fill(vg_batch_out *o, size_t slot, const char *s, size_t n,
                         vg_errinfo *err)
{
    if (slot >= o->max_res || !o->res[slot].open || o->res[slot].n != n)
        return vg_fail(err, VG_ERR_INVAL, "no reservation %zu of %zu bytes", slot, n);
    uint64_t off = o->res[slot].off;
    o->res[slot].open = false;
    if (off >= o->base) {
        memcpy(o->buf + (off - o->base), s, n);
        return VG_OK;
    }
    /* Already written: only a seekable file drains past an open reservation. */
    while (n) {
        ssize_t w = pwrite(o->fd, s, n, o->origin + (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return vg_fail(err, VG_ERR_IO, "writing %s: %s", o->name, strerror(errno));
        }
        s += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return VG_OK;
}

vg_err vg_batch_out_close(vg_batch_out *o, vg_errinfo *err)
{
    if (!o)
        return VG_OK;
    vg_err rc = VG_OK;
    if (o->buf && o->fd >= 0)
        rc = bout__drain(o, true, err);
    if (o->own_fd && close(o->fd) != 0 && rc == VG_OK)
        rc = vg_fail(err, VG_ERR_IO, "closing %s: %s", o->name, strerror(errno));
    free(o->buf);
    free(o->res);
    free(o);
    return rc;
}
