/* test_navigation.c: underway check frozen_navigation (id 15): a GPS feed that stopped
 * updating repeats its last fix, so a position exactly unchanged (same latitude and
 * longitude) for window_s seconds or more while the samples keep coming is flagged: 4 if
 * the sample's SPDC says the ship is moving, else `flag` (3: a ship at rest with a coarse
 * fix resolution repeats its position too). Exact rules: docs/qc.md. */
#include <math.h>

#include "qc/test.h"

typedef struct frozen_state {
    double lat, lon;  /* the repeated fix */
    vg_time_us since; /* first sample with it */
    uint8_t have;     /* lat, lon and since are set */
} frozen_state;

static const vg_qc_opt_spec frozen_opts[] = {
    {"window_s", 1, 7 * 86400.0, "duration of an exactly repeated position that fails, s"},
    {"moving_speed_kn", 0.01, 50, "SPDC at or above which a repeated position is surely frozen (4), knots"},
    {"flag", 3, 4, "flag of a repeated position without SPDC or with SPDC below moving_speed_kn"},
};

static bool frozen_defaults(int p, double *o)
{
    o[0] = 300.0; /* 5 min: 30 fixes at 10 s, 5 at 1 min */
    o[1] = 1.0;   /* the harbour threshold (TSGQC ship speed minimum) */
    o[2] = 3;
    return true;
}

static vg_flag frozen_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    frozen_state *st = state;
    const vg_sample *c = w->cur;
    if (isnan(c->lat_deg) || isnan(c->lon_deg)) {
        st->have = 0; /* a frozen feed repeats its fix; a missing one ends the run */
        return VG_FLAG_MISSING;
    }
    /* A gap restarts the run: "frozen" needs samples that keep coming. */
    if (!st->have || !w->prev || c->lat_deg != st->lat || c->lon_deg != st->lon) {
        st->lat = c->lat_deg;
        st->lon = c->lon_deg;
        st->since = c->time;
        st->have = 1;
        return VG_FLAG_GOOD;
    }
    if ((double)(c->time - st->since) / 1e6 < o[0])
        return VG_FLAG_GOOD;
    if (vg_sample_has(c, VG_P_SPDC) && c->value[VG_P_SPDC] >= o[1])
        return VG_FLAG_BAD;
    return o[2] < 4 ? VG_FLAG_PROBABLY_BAD : VG_FLAG_BAD;
}

const vg_qc_test vg_qc_frozen_navigation = {
    .id = 15,
    .name = "frozen_navigation",
    .summary = "position exactly unchanged for window_s or more while samples keep coming "
               "(4 if SPDC >= moving_speed_kn, else flag)",
    .source = "underway practice (GPS not updating: TSGQC, EuroGOOS ferrybox tests)",
    .target = VG_QC_ON_POSITION,
    .opts = frozen_opts,
    .n_opts = 3,
    .defaults = frozen_defaults,
    .state_size = sizeof(frozen_state),
    .run = frozen_run,
};
