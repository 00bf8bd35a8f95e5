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

#define VG_SREC_VERSION 1       /* version byte written in every record */
#define VG_STORE_SCHEMA_VERSION 1 /* meta.db "schema_version" */
#define VG_SREC_META_SCHEMA_KEY "schema_version"

/* obs: version, value f64, aggregate u8, count u8, count x (test id u8, flag u8). */
#define VG_SREC_OBS_MAX (11 + 2 * VG_QC_MAX_TESTS)
/* nav: version, lat f64, lon f64, pos agg u8, time agg u8, npos u8, npos pairs,
 * ntime u8, ntime pairs. */
#define VG_SREC_NAV_MAX (21 + 4 * VG_QC_MAX_TESTS)
/* raw: version, received i64, frame bytes. */
#define VG_SREC_RAW_HEADER 9

/* Encode an obs record into buf (VG_SREC_OBS_MAX bytes); returns its length. Only the
 * non-zero per-test flags are written, in increasing test id. */
size_t vg_srec_obs_encode(unsigned char *buf, double value, const vg_qc_flags *qc);

/* Decode an obs record; false if p[0..len) is not a well-formed version-1 record. qc is
 * fully overwritten (tests not listed are 0). */
bool vg_srec_obs_decode(const unsigned char *p, size_t len, double *value, vg_qc_flags *qc);

/* Encode a nav record into buf (VG_SREC_NAV_MAX bytes); returns its length. */
size_t vg_srec_nav_encode(unsigned char *buf, double lat, double lon, const vg_qc_flags *pos,
                          const vg_qc_flags *tim);

/* Decode a nav record; false if malformed. */
bool vg_srec_nav_decode(const unsigned char *p, size_t len, double *lat, double *lon,
                        vg_qc_flags *pos, vg_qc_flags *tim);

/* Write the raw record header (version, received) at buf[0..VG_SREC_RAW_HEADER); the frame
 * bytes follow it verbatim. */
void vg_srec_raw_header(unsigned char *buf, vg_time_us received);

/* Decode a raw record: *frame points into p; false if malformed. */
bool vg_srec_raw_decode(const unsigned char *p, size_t len, vg_time_us *received,
                        const unsigned char **frame, size_t *frame_len);

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
