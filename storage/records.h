/* records.h: the byte encoding of the values stored in the store's databases
 * (docs/storage.md, "Values"). Every record starts with a one-byte record version
 * (VG_SREC_VERSION); multi-byte numbers are little-endian, written byte by byte (never a
 * struct dump), doubles as their IEEE 754 binary64 bit pattern (NaN payloads kept).
 * Internal to the storage layer: not part of the public interface (storage/store.h). */
#ifndef VIGIE_STORAGE_RECORDS_H
#define VIGIE_STORAGE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sample.h"

#define VG_SREC_VERSION 1         /* version byte written in every record */
#define VG_STORE_SCHEMA_VERSION 3 /* meta.db "schema_version" */
#define VG_STORE_SCHEMA_V2 2      /* converted to 3 by the writer's open (migrate.c) */
#define VG_SREC_META_SCHEMA_KEY "schema_version"
#define VG_SREC_CODE_LEN 4 /* bytes of a parameter code in a sample record, NUL-padded */

/* A flag list: count u8, then count x (test id u8, flag u8). */
#define VG_SREC_FLAGS_MAX (1 + 2 * VG_QC_MAX_TESTS)
/* A sample record without its frame, at most: version, received, lat, lon, position and
 * time (aggregate + flag list each), parameter count, every parameter (code, value,
 * aggregate, flag list), frame length. */
#define VG_SREC_SAMPLE_FIXED_MAX                                                              \
    (1 + 8 + 8 + 8 + 2 * (1 + VG_SREC_FLAGS_MAX) + 1 +                                       \
     VG_P__COUNT * (VG_SREC_CODE_LEN + 8 + 1 + VG_SREC_FLAGS_MAX) + 4)

/* Bytes that always suffice to encode a sample whose frame is raw_len bytes; 0 if that
 * does not fit in 32 bits (Berkeley DB's limit for one value). */
size_t vg_srec_sample_bound(size_t raw_len);

/* Encode the stored part of smp (received, position, flags, present parameters, frame)
 * into buf (vg_srec_sample_bound(smp->raw_len) bytes); returns the length, or 0 if a
 * parameter code is longer than VG_SREC_CODE_LEN bytes. Parameters are written in
 * increasing vg_param order, with only the non-zero per-test flags. */
size_t vg_srec_sample_encode(unsigned char *buf, const vg_sample *smp);

/* A decoded sample record. Pointers point into the decoded bytes. */
typedef struct vg_srec_sample {
    vg_time_us received;
    double lat, lon;
    vg_qc_flags pos, tim;        /* position and time flags */
    uint32_t present;            /* VG_PARAM_BIT(p) of each parameter found */
    double value[VG_P__COUNT];   /* valid where present */
    vg_qc_flags qc[VG_P__COUNT]; /* valid where present */
    uint32_t unknown;            /* parameters skipped: code unknown to this vigie */
    const unsigned char *raw;    /* the frame, verbatim; NULL when raw_len is 0 */
    size_t raw_len;
} vg_srec_sample;

/* Decode a sample record; false if p[0..len) is not a well-formed version-1 record
 * (unknown version, truncated, trailing bytes, bad flag list, a parameter twice). A
 * parameter whose code this vigie does not know (written by a newer one) is skipped and
 * counted in out->unknown. */
bool vg_srec_sample_decode(const unsigned char *p, size_t len, vg_srec_sample *out);

/* The four byte strings of a quarantine record, borrowed (not NUL-terminated). */
typedef struct vg_srec_quarantine {
    const char *source, *reason, *detail, *frame;
    size_t source_len, reason_len, detail_len, frame_len;
} vg_srec_quarantine;

/* Bytes needed to encode q (version + 4 x (u32 length + bytes)); 0 if a length does not
 * fit in 32 bits or the total overflows size_t. */
size_t vg_srec_quarantine_size(const vg_srec_quarantine *q);

/* Encode q into buf (vg_srec_quarantine_size(q) bytes); returns the length. */
size_t vg_srec_quarantine_encode(unsigned char *buf, const vg_srec_quarantine *q);

/* Decode a quarantine record: the pointers of *q point into p; false if malformed. */
bool vg_srec_quarantine_decode(const unsigned char *p, size_t len, vg_srec_quarantine *q);

/* meta.db values: a u32 little-endian (4 bytes). */
void vg_srec_put_u32(unsigned char *p, uint32_t u);
uint32_t vg_srec_get_u32(const unsigned char *p);

#endif
