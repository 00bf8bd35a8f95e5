/* event.h: a structured QC event, a problem found over a stretch of a platform's record
 * rather than on one sample (a datum shift, a clock offset, a spike on the residual, a
 * silent gauge): what, where, when, how much. The QC engine raises them (qc/sealevel_monitor.h),
 * the daemon logs and publishes them, storage/events.h keeps them, the alerts mail them.
 * Defined in core so that every layer can carry one; docs/qc.md ("Events") documents them. */
#ifndef VIGIE_CORE_EVENT_H
#define VIGIE_CORE_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/params.h"
#include "core/sample.h"
#include "core/time.h"

typedef enum vg_event_kind {
    VG_EVENT_DATUM_SHIFT = 1,  /* the level stepped: the daily mean residual left the range
                                  of the previous lunar month; magnitude: the step */
    VG_EVENT_CLOCK_OFFSET = 2, /* the observed tide lags (> 0) or leads the prediction;
                                  magnitude: the offset in minutes (> 0: the clock is fast) */
    VG_EVENT_SPIKE = 3,        /* values off the local residual curve; magnitude: deviation */
    VG_EVENT_SILENCE = 4,      /* no sample after the one at `first`: raised twice, when
                                  found (last == first; magnitude: seconds without a sample,
                                  wall clock) and when samples come again (last: the first
                                  one back; magnitude: last - first, s) */
    VG_EVENT__COUNT
} vg_event_kind;

#define VG_EVENT_TEXT_MAX 200 /* bytes of text, NUL included */
#define VG_EVENT_UNITS_MAX 16 /* bytes of units, NUL included */

typedef struct vg_event {
    char platform[VG_PLATFORM_MAX]; /* platform id */
    vg_param param;                 /* the parameter concerned (SLEV for the tide gauges) */
    vg_event_kind kind;
    vg_time_us first, last;         /* the samples concerned, UTC us, first <= last */
    vg_time_us detected;            /* data time when it was found (the end of the record
                                       analysed), UTC us */
    double magnitude;               /* in `units` (see the kinds) */
    double score;                   /* confidence, per kind: datum shift |step| / the
                                       reference's q90 - q10; clock offset: standard error in
                                       minutes; spike: |deviation| / sigma; NaN if none */
    char units[VG_EVENT_UNITS_MAX]; /* UDUNITS: "m", "min", "s" */
    char text[VG_EVENT_TEXT_MAX];   /* one sentence for people (log, mail) */
} vg_event;

/* True for the second event of a silence: the platform sends again (see VG_EVENT_SILENCE). */
static inline bool vg_event_silence_ended(const vg_event *ev)
{
    return ev->kind == VG_EVENT_SILENCE && ev->last > ev->first;
}

/* "datum_shift", "clock_offset", "spike", "silence"; NULL if out of range. */
const char *vg_event_kind_name(vg_event_kind k);
/* The kind named s, or -1. */
int vg_event_kind_lookup(const char *s);

/* Format ev as one JSON object without a newline into buf[0..cap):
 *   {"platform":"PPT","parameter":"SLEV","kind":"datum_shift","first":"2026-01-20T00:00:00Z",
 *    "last":"2026-01-22T23:00:00Z","detected":"2026-01-22T23:00:00Z","magnitude":0.05,
 *    "units":"m","score":4.2,"text":"..."}
 * numbers with %.6g, null when NaN. Returns the length (NUL follows), -1 if cap is too small. */
int vg_event_json(const vg_event *ev, char *buf, size_t cap);

#endif
