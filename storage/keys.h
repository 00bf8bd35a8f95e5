/* keys.h: the byte encoding of the Berkeley DB keys of the store (docs/storage.md,
 * "Keys"). Keys are compared by the default btree comparison (memcmp, shorter first), so
 * every encoding here is chosen so that memcmp order is the wanted order: a time is 8 bytes
 * big-endian with the sign bit flipped, a sequence number 8 bytes big-endian.
 * Internal to the storage layer: not part of the public interface (storage/store.h). */
#ifndef VIGIE_STORAGE_KEYS_H
#define VIGIE_STORAGE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "core/sample.h"
#include "core/time.h"

#define VG_SKEY_TIME_LEN 8 /* bytes of an encoded time */
/* Longest key of samples.db: platform (<= 31 bytes) '\0' time (8). */
#define VG_SKEY_MAX (VG_PLATFORM_MAX + VG_SKEY_TIME_LEN)
#define VG_SKEY_QUARANTINE_LEN 16 /* received time (8) + sequence (8) */

/* Write t at p[0..8): big-endian two's complement with the sign bit flipped, so that
 * INT64_MIN is 00..00, -1 is 7F FF..FF, 0 is 80 00..00 and INT64_MAX is FF..FF. */
void vg_skey_put_time(unsigned char *p, vg_time_us t);

/* Inverse of vg_skey_put_time: the time stored at p[0..8). */
vg_time_us vg_skey_get_time(const unsigned char *p);

/* Write u at p[0..8), big-endian. */
void vg_skey_put_u64(unsigned char *p, uint64_t u);

/* The u64 stored big-endian at p[0..8). */
uint64_t vg_skey_get_u64(const unsigned char *p);

/* Write "platform '\0'" at buf; returns its length (platform bytes + 1). platform must be
 * a valid id (vg_platform_id_valid), so buf needs at most VG_PLATFORM_MAX bytes. */
size_t vg_skey_platform(unsigned char *buf, const char *platform);

/* Write the key of samples.db: "platform '\0' time"; returns its length. platform must be
 * a valid id; buf needs VG_SKEY_MAX bytes. */
size_t vg_skey_sample(unsigned char *buf, const char *platform, vg_time_us t);

/* Write the quarantine.db key (received time, sequence) at buf[0..16). */
void vg_skey_quarantine(unsigned char *buf, vg_time_us received, uint64_t seq);

/* Replace the 16-byte quarantine key at buf by its successor in memcmp order (the key plus
 * one as a 128-bit big-endian number); returns 0, or -1 if buf was the largest key. */
int vg_skey_quarantine_next(unsigned char *buf);

#endif
