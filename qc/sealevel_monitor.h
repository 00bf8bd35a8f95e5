/* sealevel_monitor.h: the continuous datum-shift and clock-offset watch of one tide gauge in
 * the stream engine. It keeps the last 33 days of the station's judged sea level in a ring
 * of bounded size, and once per UTC day of data (when a sample of a new day arrives) runs
 * the record checks of qc/sealevel.h on it: datum shifts over the whole ring (each day
 * against the previous lunar month), spikes on one day of residual (the day ending 6 h
 * before the newest complete day, so each has its 12-hour window), the clock offset over
 * the last VG_SLM_CLOCK_DAYS days.
 * Each new problem becomes a vg_event (core/event.h) handed to a sink; its status is what
 * the datum_shift and clock_offset tests flag the following samples with. docs/qc.md,
 * "Events". */
#ifndef VIGIE_QC_SEALEVEL_MONITOR_H
#define VIGIE_QC_SEALEVEL_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/event.h"
#include "core/time.h"
#include "tide/model.h"

#define VG_SLM_DAYS 33            /* days kept: a lunar month of reference and the days tested */
#define VG_SLM_MAX_SAMPLES 100000 /* ring size bound: faster gauges are decimated to 28.5 s */
#define VG_SLM_CLOCK_DAYS 3       /* days of the clock-offset fit (3 x 24 x 60 min / 12.42 h) */
#define VG_SLM_CLOCK_MIN 2.0      /* smallest clock offset reported, minutes (GLOSS: 1) */

/* What the last analysis found (read by the datum_shift and clock_offset tests). */
typedef struct vg_slm_status {
    bool analysed;        /* the datum check could judge a day (20 days of reference at
                             least): datum_shift means something */
    bool datum_shift;     /* a datum shift runs up to the last complete day analysed */
    double shift_m;       /* its step, m (NaN if none) */
    bool clock_checked;   /* the clock-offset fit ran on the last analysis */
    bool clock_offset;    /* its offset is reportable (>= VG_SLM_CLOCK_MIN and > 3 se) */
    double clock_min;     /* the last fitted offset, minutes (NaN if none) */
} vg_slm_status;

typedef struct vg_sl_monitor vg_sl_monitor;

/* Sink of the events (ev valid during the call). */
typedef void (*vg_event_sink)(void *ctx, const vg_event *ev);

/* New monitor for platform `platform` (copied) with the tide `m` (metres; copied) and the
 * expected sampling interval interval_s (> 0). offset_s (0..43200, see
 * vg_sl_monitor_offset_s): the daily analysis of day D runs at the first sample at or after
 * D+1 00:00 UTC + offset_s (data time) rather than at midnight, so that stations do not all
 * hold the engine at once; it still judges day D (the part of D+1 before it is too short to
 * count as a day: the datum check needs 75 % of a day's samples). Holds at most
 * VG_SLM_MAX_SAMPLES samples (vg_sl_monitor_bytes). VG_ERR_INVAL for a bad model or
 * offset, VG_ERR_NOMEM. */
vg_err vg_sl_monitor_new(const char *platform, const vg_tide_model *m, double interval_s,
                         double offset_s, vg_sl_monitor **out, vg_errinfo *err);

/* The analysis offset of a station, seconds in [0, spread_s) (whole seconds; 0 when
 * spread_s < 1): a hash of its id, so that it does not change with the order of the
 * configuration and stations spread evenly over the first spread_s seconds of each UTC day
 * (qc.sea_level_spread_s). */
double vg_sl_monitor_offset_s(const char *platform, double spread_s);

void vg_sl_monitor_free(vg_sl_monitor *mo);

/* Add a judged sea level (m; NaN values and non-increasing times are ignored). Marks the
 * monitor due when t passes the next analysis time (a UTC midnight + offset_s) after at
 * least one earlier day. */
void vg_sl_monitor_add(vg_sl_monitor *mo, vg_time_us t, double slev_m);

/* True when a day ended since the last vg_sl_monitor_run. */
bool vg_sl_monitor_due(const vg_sl_monitor *mo);

/* Analyse the ring now (about 60 ms for 33 days of 6-minute data, bench_tide): calls sink
 * for each spike of the day analysed, for each datum shift not reported before (a run that overlaps or follows the last one
 * reported, on the same side, is the same shift) and for a clock offset reportable on two
 * analyses in a row that agree within 1 minute (a window half before and half after a clock
 * change gives a value in between), once, then again if it moves by 1 minute or more. Clears due.
 * Returns VG_ERR_NOMEM only: a record too short for a check skips it. */
vg_err vg_sl_monitor_run(vg_sl_monitor *mo, vg_event_sink sink, void *ctx, vg_errinfo *err);

/* The status of the last analysis (owned by mo). */
const vg_slm_status *vg_sl_monitor_status(const vg_sl_monitor *mo);

/* Bytes mo holds (fixed at creation). */
size_t vg_sl_monitor_bytes(const vg_sl_monitor *mo);

#endif
