/* test_wl_rate.c: QARTOD water-level rate of change (QARTOD water level manual v2.1, 2021):
 * |WL(n) - WL(n-1)| above n_sd standard deviations of the water level over the previous
 * window_s seconds (25 h) flags WL(n) suspect (3), else 1; 0 without a predecessor within
 * the engine's gap limit or with fewer than min_count earlier values in the window. The
 * standard deviation comes from per-UTC-hour sums (count, sum, sum of squares), so the
 * window is whole hours: the window_s / 3600 hours (rounded up) before the current one
 * plus the current hour so far. Unlike ioos_qc's fixed-threshold rate of change
 * (qartod_rate_of_change), the threshold follows the station's tidal range. */
#include <math.h>

#include "qc/test.h"

#define WLR_BLOCKS 170 /* hours: window_s up to 7 days, plus the current hour */

typedef struct wlr_block {
    int64_t hour; /* UTC hours since 1970 of this block; 0 with n 0: unused */
    double n, sum, sum2;
} wlr_block;

typedef struct wlr_state {
    wlr_block b[WLR_BLOCKS];
} wlr_state;

static const vg_qc_opt_spec wlr_opts[] = {
    {"n_sd", 0.1, 100, "standard deviations of the water level a step may not exceed"},
    {"window_s", 3600, 604800, "window of the standard deviation, s (whole hours)"},
    {"min_count", 2, 100000, "earlier values needed in the window"},
};

static bool wlr_defaults(int p, double *o)
{
    if (p != VG_P_SLEV)
        return false;
    o[0] = 3;     /* QARTOD water level: 3 SD ... */
    o[1] = 90000; /* ... of the previous 25 h */
    o[2] = 10;
    return true;
}

static int64_t wlr_hour(vg_time_us t)
{
    const int64_t us_h = INT64_C(3600000000);
    return t / us_h - (t % us_h < 0);
}

static vg_flag wlr_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    wlr_state *st = state;
    double v = w->cur->value[p];
    int64_t hour = wlr_hour(w->cur->time);
    int64_t span = (int64_t)ceil(o[1] / 3600.0);
    vg_flag f = VG_FLAG_NO_QC;
    if (w->prev && isfinite(w->prev->value[p])) {
        double n = 0, s = 0, s2 = 0;
        for (int64_t h = hour - span; h <= hour; h++) {
            const wlr_block *b = &st->b[((h % WLR_BLOCKS) + WLR_BLOCKS) % WLR_BLOCKS];
            if (b->hour == h && b->n > 0) {
                n += b->n;
                s += b->sum;
                s2 += b->sum2;
            }
        }
        if (n >= o[2]) {
            double var = (s2 - s * s / n) / (n - 1);
            double sd = sqrt(var > 0 ? var : 0);
            f = fabs(v - w->prev->value[p]) > o[0] * sd ? VG_FLAG_PROBABLY_BAD : VG_FLAG_GOOD;
        }
    }
    wlr_block *b = &st->b[((hour % WLR_BLOCKS) + WLR_BLOCKS) % WLR_BLOCKS];
    if (b->hour != hour || b->n == 0)
        *b = (wlr_block){.hour = hour};
    b->n += 1;
    b->sum += v;
    b->sum2 += v * v;
    return f;
}

const vg_qc_test vg_qc_wl_rate_of_change = {
    .id = 25,
    .name = "wl_rate_of_change",
    .summary = "|step from the previous water level| above n_sd SD of the last 25 h -> 3",
    .source = "QARTOD Manual for Real-Time QC of Water Level Data v2.1 (2021), rate of change",
    .target = VG_QC_ON_PARAM,
    .needs_next = false,
    .opts = wlr_opts,
    .n_opts = 3,
    .defaults = wlr_defaults,
    .state_size = sizeof(wlr_state),
    .run = wlr_run,
};
