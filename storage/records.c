/* records.c: encoding and decoding of the store's record values (see records.h and
 * docs/storage.md, "Values"). Explicit little-endian byte order so that the files are the
 * same on every host; every decoder checks the version byte and the exact length, so a
 * damaged or foreign record is reported instead of being misread. */
#include "storage/records.h"

#include <string.h>

/* ---- little-endian primitives -------------------------------------------------------- */

static void store__put_u64le(unsigned char *p, uint64_t u)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (unsigned char)(u & 0xFFu);
        u >>= 8;
    }
}

static uint64_t store__get_u64le(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = (u << 8) | p[i];
    return u;
}

static void store__put_f64(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    store__put_u64le(p, u);
}

static double store__get_f64(const unsigned char *p)
{
    uint64_t u = store__get_u64le(p);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

void vg_srec_put_u32(unsigned char *p, uint32_t u)
{
    p[0] = (unsigned char)(u & 0xFFu);
    p[1] = (unsigned char)((u >> 8) & 0xFFu);
    p[2] = (unsigned char)((u >> 16) & 0xFFu);
    p[3] = (unsigned char)((u >> 24) & 0xFFu);
}

uint32_t vg_srec_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- per-test flag lists ------------------------------------------------------------- */

/* Write "count, (id, flag)..." for the non-zero test flags of qc; returns bytes written. */
static size_t store__put_tests(unsigned char *p, const vg_qc_flags *qc)
{
    size_t n = 1;
    unsigned char count = 0;
    for (int t = 0; t < VG_QC_MAX_TESTS; t++) {
        if (qc->test[t]) {
            p[n++] = (unsigned char)t;
            p[n++] = qc->test[t];
            count++;
        }
    }
    p[0] = count;
    return n;
}

/* Read a list written by store__put_tests from p[0..len) into qc->test; returns the bytes
 * used, or 0 if malformed (truncated, test id out of range or not increasing). */
static size_t store__get_tests(const unsigned char *p, size_t len, vg_qc_flags *qc)
{
    memset(qc->test, 0, sizeof qc->test);
    if (len < 1)
        return 0;
    size_t count = p[0];
    if (count > VG_QC_MAX_TESTS || len < 1 + 2 * count)
        return 0;
    int prev = -1;
    for (size_t i = 0; i < count; i++) {
        int id = p[1 + 2 * i];
        if (id >= VG_QC_MAX_TESTS || id <= prev)
            return 0;
        qc->test[id] = p[2 + 2 * i];
        prev = id;
    }
    return 1 + 2 * count;
}

/* ---- obs ----------------------------------------------------------------------------- */

size_t vg_srec_obs_encode(unsigned char *buf, double value, const vg_qc_flags *qc)
{
    buf[0] = VG_SREC_VERSION;
    store__put_f64(buf + 1, value);
    buf[9] = qc->agg;
    return 10 + store__put_tests(buf + 10, qc);
}

bool vg_srec_obs_decode(const unsigned char *p, size_t len, double *value, vg_qc_flags *qc)
{
    if (len < 11 || p[0] != VG_SREC_VERSION)
        return false;
    *value = store__get_f64(p + 1);
    qc->agg = p[9];
    size_t used = store__get_tests(p + 10, len - 10, qc);
    return used != 0 && 10 + used == len;
}

/* ---- nav ----------------------------------------------------------------------------- */

size_t vg_srec_nav_encode(unsigned char *buf, double lat, double lon, const vg_qc_flags *pos,
                          const vg_qc_flags *tim)
{
    buf[0] = VG_SREC_VERSION;
    store__put_f64(buf + 1, lat);
    store__put_f64(buf + 9, lon);
    buf[17] = pos->agg;
    buf[18] = tim->agg;
    size_t n = 19;
    n += store__put_tests(buf + n, pos);
    n += store__put_tests(buf + n, tim);
    return n;
}

bool vg_srec_nav_decode(const unsigned char *p, size_t len, double *lat, double *lon,
                        vg_qc_flags *pos, vg_qc_flags *tim)
{
    if (len < 21 || p[0] != VG_SREC_VERSION)
        return false;
    *lat = store__get_f64(p + 1);
    *lon = store__get_f64(p + 9);
    pos->agg = p[17];
    tim->agg = p[18];
    size_t n = 19;
    size_t used = store__get_tests(p + n, len - n, pos);
    if (!used)
        return false;
    n += used;
    used = store__get_tests(p + n, len - n, tim);
    return used != 0 && n + used == len;
}

/* ---- raw ----------------------------------------------------------------------------- */

void vg_srec_raw_header(unsigned char *buf, vg_time_us received)
{
    buf[0] = VG_SREC_VERSION;
    store__put_u64le(buf + 1, (uint64_t)received);
}

bool vg_srec_raw_decode(const unsigned char *p, size_t len, vg_time_us *received,
                        const unsigned char **frame, size_t *frame_len)
{
    if (len < VG_SREC_RAW_HEADER || p[0] != VG_SREC_VERSION)
        return false;
    uint64_t u = store__get_u64le(p + 1);
    memcpy(received, &u, sizeof *received);
    *frame = p + VG_SREC_RAW_HEADER;
    *frame_len = len - VG_SREC_RAW_HEADER;
    return true;
}

/* ---- quarantine ---------------------------------------------------------------------- */

size_t vg_srec_quarantine_size(const vg_srec_quarantine *q)
{
    const size_t lens[4] = {q->source_len, q->reason_len, q->detail_len, q->frame_len};
    size_t total = 1;
    for (int i = 0; i < 4; i++) {
        if (lens[i] > UINT32_MAX || total > SIZE_MAX - 4 - lens[i])
            return 0;
        total += 4 + lens[i];
    }
    return total;
}

size_t vg_srec_quarantine_encode(unsigned char *buf, const vg_srec_quarantine *q)
{
    const char *ptrs[4] = {q->source, q->reason, q->detail, q->frame};
    const size_t lens[4] = {q->source_len, q->reason_len, q->detail_len, q->frame_len};
    size_t n = 0;
    buf[n++] = VG_SREC_VERSION;
    for (int i = 0; i < 4; i++) {
        vg_srec_put_u32(buf + n, (uint32_t)lens[i]);
        n += 4;
        if (lens[i])
            memcpy(buf + n, ptrs[i], lens[i]);
        n += lens[i];
    }
    return n;
}

bool vg_srec_quarantine_decode(const unsigned char *p, size_t len, vg_srec_quarantine *q)
{
    const char **ptrs[4] = {&q->source, &q->reason, &q->detail, &q->frame};
    size_t *lens[4] = {&q->source_len, &q->reason_len, &q->detail_len, &q->frame_len};
    if (len < 1 || p[0] != VG_SREC_VERSION)
        return false;
    size_t n = 1;
    for (int i = 0; i < 4; i++) {
        if (len - n < 4)
            return false;
        size_t l = vg_srec_get_u32(p + n);
        n += 4;
        if (len - n < l)
            return false;
        *ptrs[i] = (const char *)(p + n);
        *lens[i] = l;
        n += l;
    }
    return n == len;
}
