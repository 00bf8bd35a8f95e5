/* records.c: encoding and decoding of the store's record values (see records.h and
 * docs/storage.md, "Values"). Explicit little-endian byte order so that the files are the
 * same on every host; every decoder checks the version byte and the exact length, so a
 * damaged or foreign record is reported instead of being misread. */
#include "storage/records.h"

#include <string.h>

#include "core/params.h"

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

/* ---- samples ------------------------------------------------------------------------- */

size_t vg_srec_sample_bound(size_t raw_len)
{
    if (raw_len > UINT32_MAX - VG_SREC_SAMPLE_FIXED_MAX)
        return 0;
    return VG_SREC_SAMPLE_FIXED_MAX + raw_len;
}

size_t vg_srec_sample_encode(unsigned char *buf, const vg_sample *smp)
{
    size_t n = 0;
    buf[n++] = VG_SREC_VERSION;
    store__put_u64le(buf + n, (uint64_t)smp->received);
    n += 8;
    store__put_f64(buf + n, smp->lat_deg);
    n += 8;
    store__put_f64(buf + n, smp->lon_deg);
    n += 8;
    buf[n++] = smp->pos_qc.agg;
    n += store__put_tests(buf + n, &smp->pos_qc);
    buf[n++] = smp->time_qc.agg;
    n += store__put_tests(buf + n, &smp->time_qc);
    size_t count_at = n++;
    unsigned char count = 0;
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!vg_sample_has(smp, (vg_param)p))
            continue;
        const char *code = vg_param_get((vg_param)p)->code;
        size_t clen = strnlen(code, VG_SREC_CODE_LEN + 1);
        if (clen > VG_SREC_CODE_LEN)
            return 0;
        memset(buf + n, 0, VG_SREC_CODE_LEN);
        memcpy(buf + n, code, clen);
        n += VG_SREC_CODE_LEN;
        store__put_f64(buf + n, smp->value[p]);
        n += 8;
        buf[n++] = smp->qc[p].agg;
        n += store__put_tests(buf + n, &smp->qc[p]);
        count++;
    }
    buf[count_at] = count;
    size_t raw_len = smp->raw ? smp->raw_len : 0;
    vg_srec_put_u32(buf + n, (uint32_t)raw_len);
    n += 4;
    if (raw_len)
        memcpy(buf + n, smp->raw, raw_len);
    return n + raw_len;
}

/* The parameter whose NUL-padded code is c[0..VG_SREC_CODE_LEN), or -1. */
static int store__param_of_code(const unsigned char *c)
{
    size_t len = strnlen((const char *)c, VG_SREC_CODE_LEN);
    for (size_t i = len; i < VG_SREC_CODE_LEN; i++)
        if (c[i] != 0) /* padding must be NULs: "AB\0C" is no code */
            return -1;
    return vg_param_lookup((const char *)c, len);
}

bool vg_srec_sample_decode(const unsigned char *p, size_t len, vg_srec_sample *out)
{
    /* version, received, lat, lon, pos agg, pos count: the shortest record has 31 bytes
     * more (time agg, time count, parameter count, frame length). */
    if (len < 1 + 24 + 2 || p[0] != VG_SREC_VERSION)
        return false;
    uint64_t u = store__get_u64le(p + 1);
    memcpy(&out->received, &u, sizeof out->received);
    out->lat = store__get_f64(p + 9);
    out->lon = store__get_f64(p + 17);
    size_t n = 25;
    out->pos.agg = p[n++];
    size_t used = store__get_tests(p + n, len - n, &out->pos);
    if (!used)
        return false;
    n += used;
    if (len - n < 2)
        return false;
    out->tim.agg = p[n++];
    if (!(used = store__get_tests(p + n, len - n, &out->tim)))
        return false;
    n += used;
    if (len - n < 1)
        return false;
    size_t count = p[n++];
    out->present = 0;
    out->unknown = 0;
    for (size_t i = 0; i < count; i++) {
        if (len - n < VG_SREC_CODE_LEN + 8 + 1 + 1)
            return false;
        int param = store__param_of_code(p + n);
        n += VG_SREC_CODE_LEN;
        vg_qc_flags scratch, *qc = &scratch;
        if (param >= 0) {
            if (out->present & VG_PARAM_BIT(param))
                return false; /* a parameter twice */
            out->present |= VG_PARAM_BIT(param);
            out->value[param] = store__get_f64(p + n);
            qc = &out->qc[param];
        } else {
            out->unknown++;
        }
        n += 8;
        qc->agg = p[n++];
        if (!(used = store__get_tests(p + n, len - n, qc)))
            return false;
        n += used;
    }
    if (len - n < 4)
        return false;
    size_t raw_len = vg_srec_get_u32(p + n);
    n += 4;
    if (len - n != raw_len)
        return false;
    out->raw = raw_len ? p + n : NULL;
    out->raw_len = raw_len;
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
