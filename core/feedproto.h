/* feedproto.h: the acknowledged feed protocol between `vigie feed` (ZeroMQ DEALER) and the
 * daemon's ingest endpoints of kind `feed` (ROUTER); docs/storage.md, "Feeds".
 * A batch is one multipart message of VG_FEEDPROTO_BATCH_PARTS frames:
 *   "vigie-feed/1", feed id, spool id (16 hex digits), first sequence (decimal, >= 1),
 *   reception times (n x 8 bytes: vg_time_us, little-endian), frames (n lines, each
 *   followed by "\n").
 * The daemon answers after the commit that made them durable, with one message of
 * VG_FEEDPROTO_ACK_PARTS frames:
 *   "vigie-ack/1", feed id, spool id (16 hex digits), sequence (decimal): every frame of
 *   that feed and spool up to this sequence is committed.
 * When a batch starts after a gap (frames the engine never received, e.g. sent to a daemon
 * that was then killed), the engine ingests none of it and asks, once until the feed
 * complies, with the same four frames headed "vigie-resend/1": send again every frame after
 * this sequence. */
#ifndef VIGIE_CORE_FEEDPROTO_H
#define VIGIE_CORE_FEEDPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/time.h"

#define VG_FEEDPROTO_BATCH "vigie-feed/1"
#define VG_FEEDPROTO_ACK "vigie-ack/1"
#define VG_FEEDPROTO_RESEND "vigie-resend/1"
#define VG_FEEDPROTO_BATCH_PARTS 6
#define VG_FEEDPROTO_ACK_PARTS 4
#define VG_FEEDPROTO_EPOCH_LEN 16 /* hex digits of a spool id */

/* Parse s[0..len) (not NUL-terminated) as an unsigned number in base 10 or 16, all of it,
 * at most 20 digits; false if it is not one or overflows. */
bool vg_feedproto_parse_u64(const char *s, size_t len, int base, uint64_t *out);

/* Reception time i of a batch: 8 bytes little-endian at p. */
void vg_feedproto_put_time(unsigned char *p, vg_time_us t);
vg_time_us vg_feedproto_get_time(const unsigned char *p);

#endif
