/* spool.h: the on-disk spool of `vigie feed`: every frame read from the instrument is
 * appended with its reception time and a sequence number before it is sent, and removed
 * only once the engine acknowledged it, so that a crash of the feed, of the network or of
 * the engine loses nothing (docs/feed.md).
 * A spool is a directory: `spool.id` (16 hex digits, the spool's id: the engine keys its
 * bookkeeping by it) and segment files `seg-<first sequence, 20 digits>.spool`. A segment
 * starts with a header (magic, its first sequence, the input position when it was created)
 * and holds records: length u32, CRC-32 (zlib) u32 of what follows, sequence u64,
 * reception time i64 (UTC us), input inode u64 and offset u64 just after the frame, and the
 * frame's bytes; integers little-endian. At open, records are checked: a torn or damaged
 * tail is cut off (and logged), so a crash in the middle of a write never yields a bad
 * frame. The newest segment is never removed, so sequence numbers never go back. */
#ifndef VIGIE_FEED_SPOOL_H
#define VIGIE_FEED_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/time.h"

typedef enum vg_spool_sync {
    VG_SPOOL_SYNC_ALWAYS,   /* fdatasync at every vg_spool_flush: the feed flushes after
                             * each read of its input, before any of its frames is sent */
    VG_SPOOL_SYNC_INTERVAL, /* fdatasync at most every sync_interval_ms */
    VG_SPOOL_SYNC_NEVER,    /* write only: survives a crash of the feed, not of the system */
} vg_spool_sync;

typedef struct vg_spool_options {
    vg_spool_sync sync;
    int sync_interval_ms;   /* VG_SPOOL_SYNC_INTERVAL: 1..60000 */
    size_t segment_bytes;   /* a segment is closed past this size: 4 KiB..1 GiB */
} vg_spool_options;

/* Where the input was after a frame (file sources: to resume after a restart). */
typedef struct vg_spool_pos {
    uint64_t inode;  /* 0: not a file */
    uint64_t offset; /* bytes of the file consumed */
} vg_spool_pos;

typedef struct vg_spool vg_spool;

/* Open (creating it, mode 0750, if needed) the spool in dir, check every record, cut a
 * torn tail. A spool without segments gets a new id. *out owned by the caller
 * (vg_spool_close). Errors: VG_ERR_IO naming the file and the reason. */
vg_err vg_spool_open(const char *dir, const vg_spool_options *opt, vg_spool **out,
                     vg_errinfo *err);

/* Flush (and sync unless NEVER) what was appended, close. sp may be NULL. */
void vg_spool_close(vg_spool *sp);

/* The spool's id (sent with each batch). */
uint64_t vg_spool_id(const vg_spool *sp);

/* Append one frame (len <= 16 MiB bytes, no newline needed) received at t; pos is the input
 * position after it. Buffered: vg_spool_flush writes it. Returns its sequence number in
 * *seq. VG_ERR_IO if a write (of a full buffer or a new segment) failed: the frame is not
 * spooled. */
vg_err vg_spool_append(vg_spool *sp, vg_time_us t, const char *frame, size_t len,
                       vg_spool_pos pos, uint64_t *seq, vg_errinfo *err);

/* Write what was appended to the segment file, and sync per the policy (now_mono_us: the
 * monotonic clock, for the interval). Frames are readable (vg_spool_read) after this. */
vg_err vg_spool_flush(vg_spool *sp, int64_t now_mono_us, vg_errinfo *err);

/* Milliseconds until an interval sync is due, -1 if none is pending. */
long vg_spool_next_sync_ms(const vg_spool *sp, int64_t now_mono_us);

/* Sequence of the last frame flushed (0 when the spool never held one) and of the last one
 * acknowledged (vg_spool_ack). */
uint64_t vg_spool_last(const vg_spool *sp);
uint64_t vg_spool_acked(const vg_spool *sp);

/* The input position after the last frame appended (or the one recorded when the newest
 * segment was created): where a file source resumes. */
vg_spool_pos vg_spool_resume_pos(const vg_spool *sp);

/* One frame read back; data points into the spool's read buffer, valid until the next
 * vg_spool_read. */
typedef struct vg_spool_frame {
    uint64_t seq;
    vg_time_us time;
    const char *data;
    size_t len;
} vg_spool_frame;

/* Read flushed frames with sequence >= from (and > acked), in order, at most max frames and
 * about max_bytes bytes, into out[]; returns how many in *n (0: nothing to read). The data
 * pointers stay valid until the next call. VG_ERR_IO on a read failure. */
vg_err vg_spool_read(vg_spool *sp, uint64_t from, vg_spool_frame *out, size_t max,
                     size_t max_bytes, size_t *n, vg_errinfo *err);

/* Every frame <= seq is acknowledged: delete the segments made only of such frames (never
 * the newest). seq above vg_spool_last is refused with VG_ERR_RANGE. */
vg_err vg_spool_ack(vg_spool *sp, uint64_t seq, vg_errinfo *err);

/* Frames spooled but not acknowledged, and segment files on disk. */
uint64_t vg_spool_unacked(const vg_spool *sp);
size_t vg_spool_segments(const vg_spool *sp);

#endif
