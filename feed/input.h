/* input.h: where `vigie feed` reads its instrument from, and how bytes become frames.
 * Sources: a file being appended to (tail -F: follows rotation and truncation, resumes at
 * the position the spool recorded), stdin, a UDP port (each datagram holds whole lines), a
 * TCP server the feed connects to (reconnecting when it closes), and a serial port (termios
 * raw, 8N1, the given baud rate; reopened every second after a read error). Lines end with
 * "\n" ("\r\n" accepted); empty lines are skipped; a line longer than VG_INPUT_LINE_MAX
 * is cut into frames of that size, which the engine quarantines as too long (nothing is
 * silently dropped). */
#ifndef VIGIE_FEED_INPUT_H
#define VIGIE_FEED_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/time.h"
#include "feed/spool.h"

#define VG_INPUT_LINE_MAX (64 * 1024 + 1) /* one more than the engine's VG_FRAME_MAX */

typedef enum vg_input_kind {
    VG_INPUT_FILE,
    VG_INPUT_STDIN,
    VG_INPUT_UDP,
    VG_INPUT_TCP,
    VG_INPUT_SERIAL,
} vg_input_kind;

typedef struct vg_input_options {
    vg_input_kind kind;
    const char *path;  /* FILE: the file; SERIAL: the device */
    const char *host;  /* TCP: host to connect to; UDP: address to bind (NULL: 0.0.0.0) */
    int port;          /* UDP, TCP: 1..65535 */
    long baud;         /* SERIAL: a standard rate (1200..921600) */
} vg_input_options;

typedef struct vg_input vg_input;

/* One frame: received at `time`; `pos` is the input position after it (files). */
typedef void (*vg_input_frame_fn)(void *ctx, vg_time_us time, const char *frame, size_t len,
                                  vg_spool_pos pos);

/* Open the source. For FILE, resume is where the previous run stopped (vg_spool_resume_pos):
 * reading resumes there when the file is still the same (inode) and not shorter, else at
 * the start. A file that does not exist yet is waited for. *out owned by the caller. */
vg_err vg_input_open(const vg_input_options *opt, vg_spool_pos resume, vg_input **out,
                     vg_errinfo *err);

void vg_input_close(vg_input *in);

/* The descriptor to poll for input, -1 when the source is polled on a timer (files, a TCP
 * source waiting to reconnect). */
int vg_input_fd(const vg_input *in);

/* Read what is available without blocking and call fn for each complete frame. Returns
 * VG_OK, or VG_ERR_IO for a failure worth logging (the source recovers by itself: reopens,
 * reconnects). *eof is set when the source ended for good (stdin). */
vg_err vg_input_read(vg_input *in, vg_input_frame_fn fn, void *ctx, bool *eof,
                     vg_errinfo *err);

#endif
