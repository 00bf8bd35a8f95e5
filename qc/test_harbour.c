/* test_harbour.c: underway check harbour (id 13): the measurements of a ship that has been
 * slower than max_speed_kn (TSGQC: 1 kn) for at least min_duration_s get GOSUD flag 6,
 * "data acquired in harbour". Speed from SPDC when the sample reports it, else from the
 * previous position (great circle / time, as impossible_speed). The duration keeps a ship
 * that slows down for a moment at sea out of harbour. Exact rules: docs/qc.md. */
#include <math.h>

#include "qc/geo.h"
#include "qc/test.h"

typedef struct harbour_state {
    vg_time_us since; /* first sample of the current slow run (when in_run) */
    uint8_t in_run;
} harbour_state;

static const vg_qc_opt_spec harbour_opts[] = {
    {"max_speed_kn", 0.01, 50, "speed below which the ship may be in harbour, knots"},
    {"min_duration_s", 0, 7 * 86400.0,
     "how long the speed must have stayed below max_speed_kn before flag 6, s (0: at once)"},
};

static bool harbour_defaults(int p, double *o)
{
    o[0] = 1.0;   /* TSGQC ship_speed_min */
    o[1] = 600.0; /* 10 min: a ship stopping at sea for less is not in harbour */
    vg_param_family f = vg_param_get((vg_param)p)->family;
    return f == VG_FAM_TEMPERATURE || f == VG_FAM_SALINITY || f == VG_FAM_CONDUCTIVITY;
}

/* 1 if the ship is slower than max_kn at w->cur, 0 if not, -1 if its speed is unknown. */
static int harbour__slow(double max_kn, const vg_qc_window *w)
{
    const vg_sample *a = w->prev, *b = w->cur;
    if (vg_sample_has(b, VG_P_SPDC) && !isnan(b->value[VG_P_SPDC]))
        return b->value[VG_P_SPDC] < max_kn;
    if (!a || b->time <= a->time)
        return -1;
    /* NaN fails every comparison: missing and impossible positions give no speed */
    if (!(fabs(a->lat_deg) <= 90 && fabs(b->lat_deg) <= 90 && fabs(a->lon_deg) <= 180 &&
          fabs(b->lon_deg) <= 180))
        return -1;
    double hours = (double)(b->time - a->time) / 3600e6;
    return vg_geo_closer_than_nm(a->lat_deg, a->lon_deg, b->lat_deg, b->lon_deg, max_kn * hours);
}

static vg_flag harbour_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    harbour_state *st = state;
    if (!w->prev)
        st->in_run = 0; /* first sample or after a gap: the ship may have moved meanwhile */
    int slow = harbour__slow(o[0], w);
    if (slow < 0)
        return VG_FLAG_NO_QC; /* the run neither grows nor ends */
    if (!slow) {
        st->in_run = 0;
        return VG_FLAG_GOOD;
    }
    if (!st->in_run) {
        st->in_run = 1;
        st->since = w->cur->time;
    }
    return (double)(w->cur->time - st->since) / 1e6 >= o[1] ? VG_FLAG_HARBOUR : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_harbour = {
    .id = 13,
    .name = "harbour",
    .summary = "speed (SPDC, else from the previous position) below max_speed_kn for "
               "min_duration_s or more: flag 6 (harbour)",
    .source = "GOSUD flag 6 (data acquired in harbour); TSGQC ship speed minimum 1 kn",
    .target = VG_QC_ON_PARAM,
    .opts = harbour_opts,
    .n_opts = 2,
    .defaults = harbour_defaults,
    .state_size = sizeof(harbour_state),
    .run = harbour_run,
};
