/* qartod_spike.c: QARTOD spike test with ioos_qc's semantics (ioos_qc.qartod.spike_test), a
 * three-point test on V1 (prev), V2 (cur), V3 (next). method 0 (ioos_qc 'average'):
 * |V2 - (V1+V3)/2|; method 1 ('differential'): min(|V2-V1|, |V3-V2|) when V2 is an extremum
 * (the two steps have opposite signs), else 0. Above suspect_threshold -> 3, above
 * fail_threshold -> 4 (strict). First and last points (no neighbour) -> 0. docs/qc.md. */
#include <math.h>

#include "qc/test.h"

static const vg_qc_opt_spec spike_opts[] = {
    {"suspect_threshold", 0, 1e9, "spike size above which V2 is suspect, parameter units"},
    {"fail_threshold", 0, 1e9, "spike size above which V2 fails, parameter units"},
    {"method", 0, 1, "0 = average (ioos_qc default), 1 = differential"},
};

static bool spike_defaults(int p, double *o)
{
    o[0] = o[1] = NAN; /* required */
    o[2] = 0;
    if (p == VG_P_SLEV) { /* QARTOD water level v2.1: |WL(n-1) - mean of its neighbours| */
        o[0] = 0.1;       /* > 0.1 m -> suspect */
        o[1] = 0.2;       /* > 0.2 m -> fail */
    }
    return true;
}

/* The spike size of V2 by ioos_qc's method m. */
static double qartod__spike_size(double v1, double v2, double v3, double m)
{
    if (m < 0.5)
        return fabs(v2 - (v1 + v3) / 2);
    double d1 = v2 - v1, d2 = v3 - v2;
    return d1 * d2 < 0 ? fmin(fabs(d1), fabs(d2)) : 0.0;
}

static vg_flag spike_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    if (isnan(o[0]) || isnan(o[1]) || !w->prev || !w->next)
        return VG_FLAG_NO_QC;
    double v1 = w->prev->value[p], v3 = w->next->value[p];
    /* A missing neighbour: ioos_qc gives 9 to V2; vigie keeps 9 for missing values. */
    if (isnan(v1) || isnan(v3))
        return VG_FLAG_NO_QC;
    double d = qartod__spike_size(v1, w->cur->value[p], v3, o[2]);
    uint8_t q = d > o[1] ? VG_QARTOD_FAIL : d > o[0] ? VG_QARTOD_SUSPECT : VG_QARTOD_PASS;
    return vg_flag_from_qartod(q);
}

const vg_qc_test vg_qc_qartod_spike = {
    .id = 17,
    .name = "qartod_spike",
    .summary = "spike size (average or differential) above suspect_threshold -> 3, fail_threshold -> 4",
    .source = "IOOS QARTOD spike; ioos_qc qartod.spike_test",
    .target = VG_QC_ON_PARAM,
    .needs_next = true,
    .opts = spike_opts,
    .n_opts = 3,
    .defaults = spike_defaults,
    .run = spike_run,
};
