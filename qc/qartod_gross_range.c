/* qartod_gross_range.c: QARTOD gross range test with ioos_qc's semantics
 * (ioos_qc.qartod.gross_range_test): a value outside [fail_min, fail_max] fails (4), else
 * outside [suspect_min, suspect_max] is suspect (3), else passes (1); bounds inclusive.
 * fail_min/fail_max have no default: give them per parameter. The suspect bounds default
 * to -1e9/1e9, i.e. not used (every fail bound lies inside them). docs/qc.md. */
#include <math.h>

#include "qc/test.h"

static const vg_qc_opt_spec gross_opts[] = {
    {"fail_min", -1e9, 1e9, "lowest value that does not fail (sensor span), parameter units"},
    {"fail_max", -1e9, 1e9, "highest value that does not fail (sensor span), parameter units"},
    {"suspect_min", -1e9, 1e9, "lowest value that is not suspect (user span); -1e9: not used"},
    {"suspect_max", -1e9, 1e9, "highest value that is not suspect (user span); 1e9: not used"},
};

/* Suspect bounds only: the fail bounds stay NaN, so that the plan requires them. */
static bool gross_defaults(int p, double *o)
{
    o[0] = o[1] = NAN;
    o[2] = -1e9;
    o[3] = 1e9;
    return true;
}

static vg_flag gross_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    /* NaN fail bounds: a step without `parameters:`, nothing to judge against. */
    if (isnan(o[0]) || isnan(o[1]))
        return VG_FLAG_NO_QC;
    double v = w->cur->value[p];
    /* ioos_qc sorts each span: (max, min) is accepted as (min, max). */
    double flo = o[0] < o[1] ? o[0] : o[1], fhi = o[0] < o[1] ? o[1] : o[0];
    double slo = o[2] < o[3] ? o[2] : o[3], shi = o[2] < o[3] ? o[3] : o[2];
    uint8_t q = VG_QARTOD_PASS;
    if (v < flo || v > fhi)
        q = VG_QARTOD_FAIL;
    else if (v < slo || v > shi)
        q = VG_QARTOD_SUSPECT;
    return vg_flag_from_qartod(q);
}

const vg_qc_test vg_qc_qartod_gross_range = {
    .id = 16,
    .name = "qartod_gross_range",
    .summary = "outside [fail_min, fail_max] -> 4, else outside [suspect_min, suspect_max] -> 3",
    .source = "IOOS QARTOD gross range; ioos_qc qartod.gross_range_test",
    .target = VG_QC_ON_PARAM,
    .opts = gross_opts,
    .n_opts = 4,
    .defaults = gross_defaults,
    .run = gross_run,
};
