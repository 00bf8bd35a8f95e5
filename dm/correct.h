/* correct.h: the delayed-mode correction of a thermosalinograph parameter (TSGQC's method,
 * docs/delayed-mode.md): manufacturer calibration (Sea-Bird slope and offset), then a
 * correction against water samples, either the median of the TSG-minus-sample differences
 * over a sliding window or a linear drift (offset + slope x time) fitted to them. The
 * result is the _ADJUSTED, _ADJUSTED_ERROR and _ADJUSTED_QC columns of the parameter. */
#ifndef VIGIE_DM_CORRECT_H
#define VIGIE_DM_CORRECT_H

#include <stddef.h>

#include "core/error.h"
#include "core/params.h"
#include "core/time.h"
#include "dm/samples.h"
#include "export/adjusted.h"
#include "export/series.h"

typedef enum vg_dm_method {
    VG_DM_MEDIAN = 0, /* median of the differences in a sliding window (TSGQC's default) */
    VG_DM_DRIFT,      /* least-squares line through the differences: offset + slope x time */
    VG_DM_CALIBRATION_ONLY, /* no water samples: the calibration alone */
} vg_dm_method;

/* "median", "drift", "none"; vg_dm_method_lookup gives -1 for an unknown name. */
const char *vg_dm_method_name(vg_dm_method m);
int vg_dm_method_lookup(const char *s);

typedef struct vg_dm_options {
    vg_param param;         /* the corrected parameter (default SSPS) */
    vg_dm_method method;    /* default VG_DM_MEDIAN */
    int64_t match_us;       /* a sample matches a TSG value at most this far in time (5 min) */
    int64_t smooth_us;      /* full width of the smoothing window around it (1 h) */
    double smooth_sd_max;   /* largest standard deviation of the TSG values in that window
                             * (parameter units; 0.1): above, the sample is not used */
    int64_t window_us;      /* full width of the sliding median window (10 days); also how
                             * far beyond the first and last sample a drift is applied (half) */
    size_t min_samples;     /* fewest matched samples for a correction (3, >= 1; the drift
                             * needs >= 3) */
    double calib_slope;     /* manufacturer calibration x' = slope x + offset (1, 0) */
    double calib_offset;
} vg_dm_options;

/* The defaults above. */
void vg_dm_options_default(vg_dm_options *o);

typedef enum vg_dm_match_status {
    VG_DM_USED = 0,    /* compared and used */
    VG_DM_BAD_SAMPLE,  /* sample flag not 0, 1 or 2, or no value */
    VG_DM_NO_TSG,      /* no good TSG value within match_us */
    VG_DM_UNSTABLE,    /* TSG standard deviation over the smoothing window > smooth_sd_max */
} vg_dm_match_status;

/* One water sample compared with the series. */
typedef struct vg_dm_match {
    vg_time_us time;
    double sample;       /* the sample's value */
    double tsg;          /* mean of the good calibrated TSG values in the smoothing window */
    double tsg_sd;       /* their standard deviation (0 for one value) */
    size_t tsg_n;        /* how many */
    double diff;         /* tsg - sample (NaN unless used) */
    vg_dm_match_status status;
} vg_dm_match;

typedef struct vg_dm_result {
    size_t n_samples;                 /* samples given */
    size_t n_status[4];               /* per vg_dm_match_status */
    vg_dm_match *match;               /* n_samples entries (owned; vg_dm_result_free) */
    size_t n_rows, n_adjusted;        /* series rows; rows given an adjusted value */
    double corr_min, corr_max;        /* range of the correction applied (NaN: none) */
    double err_min, err_max;          /* range of its error */
    /* VG_DM_DRIFT: correction(t) = drift_offset + drift_slope_per_day * (t - drift_t0) days,
     * with the standard errors of the two coefficients (from the fit's covariance). */
    vg_time_us drift_t0;
    double drift_offset, drift_slope_per_day, drift_offset_se, drift_slope_se;
} vg_dm_result;

void vg_dm_result_free(vg_dm_result *r);

/* Correct column o->param of series s against water samples w (sorted by time; may be
 * NULL or empty only with VG_DM_CALIBRATION_ONLY) into a (initialised here with s->n rows;
 * free with vg_adjusted_free), and describe what was done in r (initialised here).
 *
 * For each row i with a value: v = slope x + offset; where a correction c and its error e
 * exist, ADJUSTED = v - c, ADJUSTED_ERROR = e, ADJUSTED_QC = the row's flag; elsewhere the
 * value is NaN and its flag 9 (and with the calibration only: ADJUSTED = v, error NaN).
 *   median: c = median of the differences of the used samples within window_us / 2 of the
 *           row, when at least min_samples; e = their normalised median absolute deviation
 *           1.4826 median|d - c| (a robust standard deviation of the differences) plus the
 *           lag |b (t - t_med)|: b the least-squares slope of those differences over time
 *           (0 with fewer than 3), t_med the median time of those samples; the lag term is
 *           the bias of a median taken off-centre (ends of the samples, gaps) under a drift;
 *   drift:  c = a + b t from gsl_fit_linear over all used samples, e = the residual
 *           standard deviation sqrt(sum r^2 / (n - 2)), for rows within window_us / 2 of
 *           the first and last used sample.
 * Sets a->hist[param] and a->processing_states ("2B" calibration only, "2C+" corrected
 * with water samples). Errors: VG_ERR_INVAL (column absent, bad options), VG_ERR_NOTFOUND
 * (fewer than min_samples usable samples: the message says why they were not used),
 * VG_ERR_NOMEM. */
vg_err vg_dm_correct(const vg_series *s, const vg_dm_samples *w, const vg_dm_options *o,
                     vg_adjusted *a, vg_dm_result *r, vg_errinfo *err);

#endif
