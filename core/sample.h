/* sample.h: one observation of one platform at one time: position, parameter values
 * (NaN = missing) and, for each value, the aggregate flag and the flag of every QC test.
 * A sample is a plain value (no heap pointers it owns) so that it can be copied with `=`;
 * the raw frame it came from is borrowed (see `raw`). */
#ifndef VIGIE_CORE_SAMPLE_H
#define VIGIE_CORE_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/flags.h"
#include "core/params.h"
#include "core/time.h"

#define VG_PLATFORM_MAX 32 /* platform id bytes, NUL included: ids are 1-31 chars */
#define VG_QC_MAX_TESTS 32 /* test ids are 0..31 (qc/registry.c) */

/* Flags of one variable: the aggregate and one slot per test id (0 = test not run). */
typedef struct vg_qc_flags {
    vg_flag agg;
    vg_flag test[VG_QC_MAX_TESTS];
} vg_qc_flags;

typedef struct vg_sample {
    char platform[VG_PLATFORM_MAX]; /* NUL-terminated id */
    vg_time_us time;                /* observation time, UTC */
    vg_time_us received;            /* when vigie received the frame, UTC */
    double lat_deg;                 /* latitude, degrees north, NaN = unknown */
    double lon_deg;                 /* longitude, degrees east, NaN = unknown */
    uint32_t present;               /* VG_PARAM_BIT(p) set when value[p] was reported */
    double value[VG_P__COUNT];      /* in the units of params.h; NaN = missing */
    vg_qc_flags qc[VG_P__COUNT];    /* flags of each parameter value */
    vg_qc_flags time_qc;            /* flags of the time stamp */
    vg_qc_flags pos_qc;             /* flags of the position */
    const char *raw;                /* borrowed: the frame as received, not NUL-terminated */
    size_t raw_len;                 /* bytes of raw */
} vg_sample;

/* Reset s to an empty sample: no platform, no time, position and values NaN, all flags 0,
 * no raw frame. */
void vg_sample_init(vg_sample *s);

/* Set parameter p to v (NaN allowed: reported as missing) and mark it present. */
static inline void vg_sample_set(vg_sample *s, vg_param p, double v)
{
    s->value[p] = v;
    s->present |= VG_PARAM_BIT(p);
}

static inline bool vg_sample_has(const vg_sample *s, vg_param p)
{
    return (s->present & VG_PARAM_BIT(p)) != 0;
}

/* Copy a platform id into s->platform; returns false (and leaves it empty) if id is empty,
 * longer than VG_PLATFORM_MAX-1 bytes, or holds characters other than [A-Za-z0-9_.-]. */
bool vg_sample_set_platform(vg_sample *s, const char *id, size_t len);

/* True if id[0..len) is a valid platform id (see vg_sample_set_platform). */
bool vg_platform_id_valid(const char *id, size_t len);

#endif
