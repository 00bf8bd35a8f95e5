/* sample.c: initialisation and platform-id checks of the sample model (see sample.h). */
#include "core/sample.h"

#include <math.h>
#include <string.h>

void vg_sample_init(vg_sample *s)
{
    memset(s, 0, sizeof *s);
    s->time = VG_TIME_NONE;
    s->received = VG_TIME_NONE;
    s->lat_deg = NAN;
    s->lon_deg = NAN;
    for (int p = 0; p < VG_P__COUNT; p++)
        s->value[p] = NAN;
}

bool vg_platform_id_valid(const char *id, size_t len)
{
    if (len == 0 || len >= VG_PLATFORM_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

bool vg_sample_set_platform(vg_sample *s, const char *id, size_t len)
{
    s->platform[0] = 0;
    if (!vg_platform_id_valid(id, len))
        return false;
    memcpy(s->platform, id, len);
    s->platform[len] = 0;
    return true;
}
