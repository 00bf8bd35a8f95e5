/* event.c: names and the JSON form of QC events (event.h). */
#include "core/event.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"

static const char *const event_names[VG_EVENT__COUNT] = {
    [VG_EVENT_DATUM_SHIFT] = "datum_shift",
    [VG_EVENT_CLOCK_OFFSET] = "clock_offset",
    [VG_EVENT_SPIKE] = "spike",
    [VG_EVENT_SILENCE] = "silence",
};

const char *vg_event_kind_name(vg_event_kind k)
{
    return (unsigned)k < VG_EVENT__COUNT ? event_names[k] : NULL;
}

int vg_event_kind_lookup(const char *s)
{
    for (int k = 1; k < VG_EVENT__COUNT; k++)
        if (strcmp(s, event_names[k]) == 0)
            return k;
    return -1;
}

/* A number with %.6g, or null when not finite. */
static int event__num(char *out, size_t cap, double v)
{
    return isfinite(v) ? snprintf(out, cap, "%.6g", v) : snprintf(out, cap, "null");
}

int vg_event_json(const vg_event *ev, char *buf, size_t cap)
{
    char first[VG_TIME_ISO_LEN], last[VG_TIME_ISO_LEN], det[VG_TIME_ISO_LEN];
    char plat[2 * VG_PLATFORM_MAX + 8], units[2 * VG_EVENT_UNITS_MAX + 8];
    char text[6 * VG_EVENT_TEXT_MAX + 8], mag[32], score[32];
    const vg_param_info *pi = vg_param_get(ev->param);
    const char *kind = vg_event_kind_name(ev->kind);
    if (vg_json_escape(ev->platform, strnlen(ev->platform, VG_PLATFORM_MAX), plat,
                       sizeof plat) < 0 ||
        vg_json_escape(ev->units, strnlen(ev->units, VG_EVENT_UNITS_MAX), units,
                       sizeof units) < 0 ||
        vg_json_escape(ev->text, strnlen(ev->text, VG_EVENT_TEXT_MAX), text, sizeof text) < 0)
        return -1;
    event__num(mag, sizeof mag, ev->magnitude);
    event__num(score, sizeof score, ev->score);
    int n = snprintf(buf, cap,
                     "{\"platform\":%s,\"parameter\":\"%s\",\"kind\":\"%s\",\"first\":\"%s\","
                     "\"last\":\"%s\",\"detected\":\"%s\",\"magnitude\":%s,\"units\":%s,"
                     "\"score\":%s,\"text\":%s}",
                     plat, pi ? pi->code : "?", kind ? kind : "?",
                     vg_time_format_iso8601(ev->first, first),
                     vg_time_format_iso8601(ev->last, last),
                     vg_time_format_iso8601(ev->detected, det), mag, units, score, text);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}
