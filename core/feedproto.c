/* feedproto.c: the small encoders and decoders of the feed protocol (feedproto.h). */
#include "core/feedproto.h"

bool vg_feedproto_parse_u64(const char *s, size_t len, int base, uint64_t *out)
{
    if (len == 0 || len > 20 || (base != 10 && base != 16))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + d;
    }
    *out = v;
    return true;
}

void vg_feedproto_put_time(unsigned char *p, vg_time_us t)
{
    uint64_t u = (uint64_t)t;
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

vg_time_us vg_feedproto_get_time(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)p[i] << (8 * i);
    return (vg_time_us)u;
}
