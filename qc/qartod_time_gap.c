/* qartod_time_gap.c: QARTOD timing/gap test (QARTOD manuals, test 1; ioos_qc has no
 * per-sample equivalent): a sample that comes more than max_gap_s after the previous sample
 * of the stream fails (4); else 1; the first sample is not evaluated (0). The previous time
 * is kept in the state, so gaps longer than qc.max_gap_factor x interval are seen. */
#include "qc/test.h"

typedef struct gap_state {
    vg_time_us last; /* time of the previous sample */
    int have;
} gap_state;

static const vg_qc_opt_spec gap_opts[] = {
    {"max_gap_s", 0.001, 366 * 86400.0, "longest interval to the previous sample that passes, s"},
};

static bool gap_defaults(int p, double *o)
{
    o[0] = 3600; /* QARTOD water level: no data for TIM_INC, e.g. 1 h */
    return true;
}

static vg_flag gap_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    gap_state *st = state;
    vg_time_us t = w->cur->time;
    int had = st->have;
    double gap_s = (double)(t - st->last) / 1e6;
    st->last = t;
    st->have = 1;
    if (!had)
        return VG_FLAG_NO_QC;
    return vg_flag_from_qartod(gap_s > o[0] ? VG_QARTOD_FAIL : VG_QARTOD_PASS);
}

const vg_qc_test vg_qc_qartod_time_gap = {
    .id = 21,
    .name = "qartod_time_gap",
    .summary = "more than max_gap_s since the previous sample -> 4",
    .source = "IOOS QARTOD timing/gap test (water level manual 2021: TIM_INC)",
    .target = VG_QC_ON_TIME,
    .opts = gap_opts,
    .n_opts = 1,
    .defaults = gap_defaults,
    .state_size = sizeof(gap_state),
    .run = gap_run,
};
