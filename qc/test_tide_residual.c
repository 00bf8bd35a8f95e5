/* test_tide_residual.c: the tide-gauge test on the residual (observed minus the tide
 * predicted from the station's constituents, platforms[].constituents): the QARTOD water
 * level "forecast" test with the astronomical tide plus the recent surge as the forecast.
 * The residual r of SLEV is compared with the median of the residuals of the previous
 * window_s seconds (at most 64 samples): |r - median| above suspect_threshold -> 3, above
 * fail_threshold -> 4 (QARTOD: 3 and 5 cm), 1 otherwise; 0 while fewer than min_count
 * earlier residuals exist, and for a station without constituents (the start-up log says
 * so). Causal: it needs no successor. docs/qc.md, "Tide residual". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qc/test.h"
#include "qc/tides.h"
#include "tide/predict.h"

#define TR_RING 64

typedef struct tr_state {
    int status;            /* 0: not looked up yet, 1: predicting, -1: no constituents */
    unsigned head, count;  /* ring of the last residuals */
    vg_time_us t[TR_RING];
    double r[TR_RING];
    vg_tide_predictor pred; /* the station's tide, with its per-day cache */
} tr_state;

static const vg_qc_opt_spec tr_opts[] = {
    {"suspect_threshold", 0, 10, "residual departure above which SLEV is suspect, m"},
    {"fail_threshold", 0, 10, "residual departure above which SLEV fails, m"},
    {"window_s", 600, 86400, "trailing window of the reference residual, s"},
    {"min_count", 1, 64, "earlier residuals needed in the window"},
};

static bool tr_defaults(int p, double *o)
{
    if (p != VG_P_SLEV)
        return false;
    o[0] = 0.03; /* QARTOD water level, neighbour/forecast test */
    o[1] = 0.05;
    o[2] = 10800;
    o[3] = 3;
    return true;
}

static int tr_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static vg_flag tr_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    tr_state *st = state;
    if (st->status == 0) {
        const vg_tide_model *m = vg_qc_tides_find(w->refs->tides, w->cur->platform);
        st->status = m && vg_tide_predictor_init(&st->pred, m, NULL) == VG_OK ? 1 : -1;
    }
    if (st->status < 0)
        return VG_FLAG_NO_QC;
    vg_time_us now = w->cur->time;
    double r = w->cur->value[p] - vg_tide_predict_at(&st->pred, now);
    double ref[TR_RING];
    size_t m = 0;
    vg_time_us from = now - llround(o[2] * 1e6);
    for (unsigned k = 0; k < st->count; k++) {
        unsigned i = (st->head + TR_RING - 1 - k) % TR_RING;
        if (st->t[i] < from)
            break;
        if (st->t[i] < now)
            ref[m++] = st->r[i];
    }
    st->t[st->head] = now;
    st->r[st->head] = r;
    st->head = (st->head + 1) % TR_RING;
    if (st->count < TR_RING)
        st->count++;
    if ((double)m < o[3])
        return VG_FLAG_NO_QC;
    qsort(ref, m, sizeof ref[0], tr_cmp);
    double med = m % 2 ? ref[m / 2] : (ref[m / 2 - 1] + ref[m / 2]) / 2;
    double d = fabs(r - med);
    return d > o[1] ? VG_FLAG_BAD : d > o[0] ? VG_FLAG_PROBABLY_BAD : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_tide_residual = {
    .id = 24,
    .name = "tide_residual",
    .summary = "SLEV minus the predicted tide departs from the last hours' residual by more "
               "than suspect_threshold -> 3, fail_threshold -> 4",
    .source = "QARTOD water level (2021) forecast test, with the station's harmonic tide "
              "(platforms[].constituents) plus the recent surge as the forecast",
    .target = VG_QC_ON_PARAM,
    .needs_next = false,
    .opts = tr_opts,
    .n_opts = 4,
    .defaults = tr_defaults,
    .state_size = sizeof(tr_state),
    .run = tr_run,
};
