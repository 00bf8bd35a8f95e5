/* qartod_rate_of_change.c: QARTOD rate of change test with ioos_qc's semantics
 * (ioos_qc.qartod.rate_of_change_test): |V(n) - V(n-1)| / (t(n) - t(n-1)) in units per
 * second above `threshold` flags the later sample of the pair suspect (3); ioos_qc never
 * fails it (4). The first sample, the first after a gap and a sample whose predecessor's
 * value is missing are not evaluated (0). docs/qc.md. */
#include <math.h>

#include "qc/test.h"

static const vg_qc_opt_spec roc_opts[] = {
    {"threshold", 0, 1e9, "highest rate of change that passes, parameter units per second"},
};

static bool roc_defaults(int p, double *o)
{
    o[0] = NAN; /* required */
    return true;
}

static vg_flag roc_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    if (isnan(o[0]) || !w->prev || isnan(w->prev->value[p]) || w->cur->time <= w->prev->time)
        return VG_FLAG_NO_QC;
    double dt_s = (double)(w->cur->time - w->prev->time) / 1e6;
    double rate = fabs(w->cur->value[p] - w->prev->value[p]) / dt_s;
    return vg_flag_from_qartod(rate > o[0] ? VG_QARTOD_SUSPECT : VG_QARTOD_PASS);
}

const vg_qc_test vg_qc_qartod_rate_of_change = {
    .id = 18,
    .name = "qartod_rate_of_change",
    .summary = "|change from the previous sample| / seconds above threshold -> 3",
    .source = "IOOS QARTOD rate of change; ioos_qc qartod.rate_of_change_test",
    .target = VG_QC_ON_PARAM,
    .opts = roc_opts,
    .n_opts = 1,
    .defaults = roc_defaults,
    .run = roc_run,
};
