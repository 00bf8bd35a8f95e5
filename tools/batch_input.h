/* batch_input.h: the line reader of `vigie qc`: a file (or standard input) read in 64 KiB
 * blocks and cut into lines, with line numbers, in constant memory. Lines are returned in
 * place (no copy); "\r\n" and "\n" end a line, a UTF-8 byte-order mark before the first
 * line is dropped, and a line longer than VG_BATCH_LINE_MAX is skipped and reported, so that
 * a binary or newline-free input can never make the reader grow without bound. */
#ifndef VIGIE_TOOLS_BATCH_INPUT_H
#define VIGIE_TOOLS_BATCH_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* Longest line accepted, bytes without its end of line: the daemon's frame limit. */
#define VG_BATCH_LINE_MAX (64 * 1024)

typedef struct vg_batch_input {
    int fd;            /* owned unless it is standard input */
    bool own_fd;
    const char *name;  /* for messages: the path, or "stdin" (borrowed) */
    char *buf;         /* cap bytes; unread data in buf[start..end) */
    size_t cap, start, end;
    long no;           /* number of the last line returned, 1-based; 0 before the first */
    bool eof;
    bool bom_checked;
} vg_batch_input;

/* Open path ("-" = standard input). err names the path and the system error. */
vg_err vg_batch_input_open(vg_batch_input *in, const char *path, vg_errinfo *err);

void vg_batch_input_close(vg_batch_input *in);

/* The next line into *line (valid until the next call; not NUL-terminated) and *len,
 * without its "\n" or "\r\n". Returns VG_OK, VG_ERR_NOTFOUND at the end of the input,
 * VG_ERR_TRUNCATED for a line longer than VG_BATCH_LINE_MAX (skipped up to its end of line;
 * in->no is its number, err says its length), or VG_ERR_IO. */
vg_err vg_batch_input_next(vg_batch_input *in, const char **line, size_t *len, vg_errinfo *err);

/* The first bytes of what is still unread, at most n (n <= 64): *avail gets how many are
 * available (fewer only at the end of the input). For sniffing a format. */
vg_err vg_batch_input_peek(vg_batch_input *in, size_t n, const char **bytes, size_t *avail,
                           vg_errinfo *err);

#endif
