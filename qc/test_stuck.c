/* test_stuck.c: GOSUD test 9, constant (stuck) value: a value that has not changed by more
 * than `tolerance` for `window_s` seconds or more is flagged, from the first sample at
 * which the run reaches window_s on (a real-time test cannot go back; delayed mode can).
 * Defaults: TSG 6 h (domain.md section 3), tolerance 0 (exactly repeated values). */
#include <math.h>

#include "qc/test.h"

typedef struct stuck_state {
    double ref;           /* value at the start of the current run */
    vg_time_us since;     /* time of the first sample of the run */
    int have;             /* ref and since are set */
} stuck_state;

static const vg_qc_opt_spec stuck_opts[] = {
    {"window_s", 1, 31 * 86400.0, "duration of an unchanged run that fails, seconds"},
    {"tolerance", 0, 1e6, "largest change that still counts as unchanged, parameter units"},
};

static bool stuck_defaults(int p, double *o)
{
    o[0] = 6 * 3600.0;
    o[1] = 0.0;
    return true;
}

static vg_flag stuck_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    stuck_state *st = state;
    double v = w->cur->value[p];
    /* A gap restarts the run: the sensor cannot be shown stuck across missing data. */
    if (!st->have || !w->prev || fabs(v - st->ref) > o[1]) {
        st->ref = v;
        st->since = w->cur->time;
        st->have = 1;
        return VG_FLAG_GOOD;
    }
    double run_s = (double)(w->cur->time - st->since) / 1e6;
    return run_s >= o[0] ? VG_FLAG_BAD : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_stuck_value = {
    .id = 9,
    .name = "stuck_value",
    .summary = "value unchanged (within tolerance) for window_s seconds or more",
    .source = "EuroGOOS RTQC 2010 test 9; GOSUD (TSG: 6 h)",
    .target = VG_QC_ON_PARAM,
    .opts = stuck_opts,
    .n_opts = 2,
    .defaults = stuck_defaults,
    .state_size = sizeof(stuck_state),
    .run = stuck_run,
};
