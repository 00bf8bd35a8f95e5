/* sealevel.h: sea-level QC on the residual (observed minus predicted tide), over a record:
 * clock-offset estimation (the lag of the observed tide against the prediction), spikes
 * robust to the tide (local quadratic on the residual, MAD scaling) and datum shifts (each
 * day's mean residual against the previous lunar month). Each problem found is a flag on
 * the samples and a structured event (what, when, how much) for the alerts. Inputs are
 * arrays of UTC times (increasing) and heights (NaN = missing) in the units of the
 * predictor's model; the predictor comes from a constituents file (tide/predict.h).
 * docs/qc.md, "Sea level on the residual", gives the methods, defaults and sources. */
#ifndef VIGIE_QC_SEALEVEL_H
#define VIGIE_QC_SEALEVEL_H

#include <stddef.h>

#include "core/error.h"
#include "core/flags.h"
#include "core/time.h"
#include "tide/predict.h"

typedef enum vg_sl_event_kind {
    VG_SL_SPIKE = 1,        /* one sample off the local residual curve */
    VG_SL_DATUM_SHIFT = 2,  /* the daily mean residual leaves the previous lunar month's range */
    VG_SL_CLOCK_OFFSET = 3, /* the observed tide lags or leads the prediction */
} vg_sl_event_kind;

typedef struct vg_sl_event {
    vg_sl_event_kind kind;
    vg_time_us t_start, t_end; /* the samples concerned (a spike: t_start == t_end) */
    double magnitude;          /* spike: residual minus local fit; shift: the step; both in
                                * model units. Clock: the offset, minutes (see below) */
    double score;              /* spike: |deviation| / sigma; shift: |step| / reference
                                * spread (q90 - q10); clock: standard error, minutes */
} vg_sl_event;

/* Clock offset: the lag tau (minutes) that best fits h(t) = z + P(t - tau) + noise over the
 * record, by a coarse search over +-max_min minutes (10-minute steps) then Gauss-Newton
 * (GSL multifit on [1, dP/dt]). tau > 0: the time stamps are ahead of the true time by tau
 * (the gauge's clock is fast); correct by subtracting tau. max_min: 1..360. Needs at least
 * 25 finite heights. Fills *ev (kind VG_SL_CLOCK_OFFSET, the whole span, score = standard
 * error of tau in minutes, white-noise estimate: a lower bound when the surge has energy in
 * the tidal bands; the synthetic tests with a 3 cm, 6 h red surge over 30 days show errors
 * up to 0.8 minute). Errors: VG_ERR_RANGE (too few heights, or no convergence),
 * VG_ERR_NOMEM. */
vg_err vg_sl_clock_offset(vg_tide_predictor *p, const vg_time_us *t, const double *h, size_t n,
                          double max_min, vg_sl_event *ev, vg_errinfo *err);

typedef struct vg_sl_spike_opts {
    double window_s;  /* full width of the local fit, centred, 3600..172800 (default 43200) */
    double threshold; /* flag when |deviation| > threshold x 1.4826 MAD, 2..20 (default 6) */
    double min_sigma; /* floor of the scale, model units (default 0.005: 5 mm in metres) */
    vg_flag flag;     /* 3 or 4 (default 4) */
} vg_sl_spike_opts;

/* Spikes: for each finite height, the residual r = h - P(t) is compared with a quadratic
 * fitted (least squares, GSL) to the residuals of the other samples within +-window_s / 2;
 * the scale is 1.4826 x the median absolute deviation of those samples from the fit (at
 * least min_sigma). flags[0..n) gets opts->flag where the deviation exceeds threshold x
 * scale, 1 where it does not, 0 where fewer than 6 neighbours exist or h is NaN (callers
 * flag NaN 9). Up to cap events go to events (*n_events counts all). opts NULL: defaults. */
vg_err vg_sl_spikes(vg_tide_predictor *p, const vg_time_us *t, const double *h, size_t n,
                    const vg_sl_spike_opts *opts, vg_flag *flags, vg_sl_event *events,
                    size_t cap, size_t *n_events, vg_errinfo *err);

typedef struct vg_sl_datum_opts {
    double min_shift;      /* smallest step reported, model units (default 0.03) */
    int persist_days;      /* consecutive days outside the range, 1..10 (default 2) */
    double min_coverage;   /* fraction of a day's expected samples for a daily mean,
                            * 0.1..1 (default 0.75) */
    double interval_s;     /* sampling interval, s, for the coverage (default: median step) */
} vg_sl_datum_opts;

/* Datum shifts: daily (UTC) means of the residual; a day is out of range when its mean is
 * below q10 - min_shift or above q90 + min_shift of the daily means of the previous 29
 * days (a lunar month; at least 20 valid). persist_days consecutive days out of range on
 * the same side make one event from the first of them to the end of the run, magnitude =
 * median of those days' means - median of the reference. Their samples are flagged 3 in
 * flags[0..n) (others 1; 0 where not evaluated: no reference yet or the day too sparse).
 * opts NULL: defaults. */
vg_err vg_sl_datum_shifts(vg_tide_predictor *p, const vg_time_us *t, const double *h,
                          size_t n, const vg_sl_datum_opts *opts, vg_flag *flags,
                          vg_sl_event *events, size_t cap, size_t *n_events, vg_errinfo *err);

#endif
