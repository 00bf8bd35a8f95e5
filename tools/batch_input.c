/* batch_input.c: the line reader of `vigie qc` (batch_input.h): one buffer of twice the
 * longest line, refilled with read(2) and compacted when a line straddles its end, so that
 * a line is returned without copying and memory stays constant whatever the file size. */
#include "tools/batch_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BIN__CAP (2 * (size_t)VG_BATCH_LINE_MAX + 2)

vg_err vg_batch_input_open(vg_batch_input *in, const char *path, vg_errinfo *err)
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    if (strcmp(path, "-") == 0) {
        in->fd = STDIN_FILENO;
        in->name = "stdin";
    } else {
        in->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0)
            return vg_fail(err, VG_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        in->own_fd = true;
        in->name = path;
    }
    in->cap = BIN__CAP;
    in->buf = malloc(in->cap);
    if (!in->buf) {
        vg_batch_input_close(in);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for reading %s", path);
    }
    return VG_OK;
}

void vg_batch_input_close(vg_batch_input *in)
{
    if (in->own_fd && in->fd >= 0)
        close(in->fd);
    free(in->buf);
    in->buf = NULL;
    in->fd = -1;
}

/* Move the unread bytes to the front and read more after them. VG_OK also at the end of
 * the input (in->eof is then set). */
static vg_err bin__fill(vg_batch_input *in, vg_errinfo *err)
{
    if (in->eof)
        return VG_OK;
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    for (;;) {
        ssize_t n = read(in->fd, in->buf + in->end, in->cap - in->end);
        if (n > 0) {
            in->end += (size_t)n;
            return VG_OK;
        }
        if (n == 0) {
            in->eof = true;
            return VG_OK;
        }
        if (errno != EINTR)
            return vg_fail(err, VG_ERR_IO, "reading %s: %s", in->name, strerror(errno));
    }
}

vg_err vg_batch_input_peek(vg_batch_input *in, size_t n, const char **bytes, size_t *avail,
                           vg_errinfo *err)
{
    while (in->end - in->start < n && !in->eof) {
        vg_err rc = bin__fill(in, err);
        if (rc != VG_OK)
            return rc;
    }
    *bytes = in->buf + in->start;
    *avail = in->end - in->start < n ? in->end - in->start : n;
    return VG_OK;
}

/* Return the line buf[from..from+len) without a final '\r', or VG_ERR_TRUNCATED when it is
 * longer than VG_BATCH_LINE_MAX. */
static vg_err bin__line(vg_batch_input *in, size_t from, size_t len, const char **line,
                        size_t *out_len, vg_errinfo *err)
{
    if (len && in->buf[from + len - 1] == '\r')
        len--;
    in->no++;
    if (len > VG_BATCH_LINE_MAX)
        return vg_fail(err, VG_ERR_TRUNCATED, "line of %zu bytes is longer than the %d-byte limit",
                       len, VG_BATCH_LINE_MAX);
    *line = in->buf + from;
    *out_len = len;
    return VG_OK;
}

/* Skip the rest of a line too long for the buffer, of which `have` bytes were seen. */
static vg_err bin__skip_long(vg_batch_input *in, size_t have, vg_errinfo *err)
{
    size_t total = have;
    in->start = in->end;
    for (;;) {
        vg_err rc = bin__fill(in, err);
        if (rc != VG_OK)
            return rc;
        const char *e = memchr(in->buf + in->start, '\n', in->end - in->start);
        if (e) {
            total += (size_t)(e - (in->buf + in->start));
            in->start = (size_t)(e - in->buf) + 1;
            break;
        }
        total += in->end - in->start;
        in->start = in->end;
        if (in->eof)
            break;
    }
    in->no++;
    return vg_fail(err, VG_ERR_TRUNCATED, "line of %zu bytes is longer than the %d-byte limit",
                   total, VG_BATCH_LINE_MAX);
}

vg_err vg_batch_input_next(vg_batch_input *in, const char **line, size_t *len, vg_errinfo *err)
{
    vg_err rc;
    if (!in->bom_checked) {
        const char *b;
        size_t n;
        if ((rc = vg_batch_input_peek(in, 3, &b, &n, err)) != VG_OK)
            return rc;
        if (n == 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
            in->start += 3;
        in->bom_checked = true;
    }
    for (;;) {
        size_t from = in->start, have = in->end - from;
        const char *nl = memchr(in->buf + from, '\n', have);
        if (nl) {
            size_t n = (size_t)(nl - (in->buf + from));
            in->start = from + n + 1;
            return bin__line(in, from, n, line, len, err);
        }
        if (in->eof) {
            if (!have)
                return VG_ERR_NOTFOUND;
            in->start = in->end;
            return bin__line(in, from, have, line, len, err);
        }
        if (have > VG_BATCH_LINE_MAX + 1)
            return bin__skip_long(in, have, err);
        if ((rc = bin__fill(in, err)) != VG_OK)
            return rc;
    }
}
