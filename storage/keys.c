/* keys.c: encoding of the store's btree keys (see keys.h and docs/storage.md, "Keys").
 * Pure byte manipulation, no Berkeley DB calls: shared by the writer, the queries and the
 * unit tests, which check that memcmp order of encoded keys is time order. */
#include "storage/keys.h"

#include <string.h>

void vg_skey_put_u64(unsigned char *p, uint64_t u)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(u & 0xFFu);
        u >>= 8;
    }
}

uint64_t vg_skey_get_u64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = (u << 8) | p[i];
    return u;
}

void vg_skey_put_time(unsigned char *p, vg_time_us t)
{
    vg_skey_put_u64(p, (uint64_t)t ^ UINT64_C(0x8000000000000000));
}

vg_time_us vg_skey_get_time(const unsigned char *p)
{
    uint64_t u = vg_skey_get_u64(p) ^ UINT64_C(0x8000000000000000);
    int64_t t;
    memcpy(&t, &u, sizeof t); /* two's complement reinterpretation, no implementation-defined conversion */
    return t;
}

size_t vg_skey_platform(unsigned char *buf, const char *platform)
{
    size_t n = strnlen(platform, VG_PLATFORM_MAX - 1);
    memcpy(buf, platform, n);
    buf[n] = 0;
    return n + 1;
}

size_t vg_skey_sample(unsigned char *buf, const char *platform, vg_time_us t)
{
    size_t n = vg_skey_platform(buf, platform);
    vg_skey_put_time(buf + n, t);
    return n + VG_SKEY_TIME_LEN;
}

void vg_skey_quarantine(unsigned char *buf, vg_time_us received, uint64_t seq)
{
    vg_skey_put_time(buf, received);
    vg_skey_put_u64(buf + VG_SKEY_TIME_LEN, seq);
}

int vg_skey_quarantine_next(unsigned char *buf)
{
    for (int i = VG_SKEY_QUARANTINE_LEN - 1; i >= 0; i--) {
        if (buf[i] != 0xFF) {
            buf[i]++;
            return 0;
        }
        buf[i] = 0;
    }
    return -1;
}
