/* qartod_climatology.c: QARTOD climatology test with ioos_qc's semantics
 * (ioos_qc.qartod.climatology_test, ioos_qc 2.x ClimatologyConfig): a table of windows
 * (time span in dates or in a calendar period, optional depth span) gives, where it
 * applies, the span of values that pass (vspan; outside -> 3) and optionally the span
 * outside which values fail (fspan -> 4); where no window applies the test gives QARTOD's
 * 2, "not evaluated", which is vigie's 0. The depth of a sample is its
 * pressure PRES in dbar taken as metres when it has one; windows without zspan apply only
 * to samples without a depth, as in ioos_qc. The windows are read by qc/qclim.c.
 * docs/qc.md, "Climatology (id 23)". */
#include <math.h>

#include "qc/qclim.h"
#include "qc/test.h"

static const vg_qc_opt_spec clim_opts[] = {
    {"windows", 0, 0, "list of {tspan, vspan, fspan, zspan, period} windows (ioos_qc's config)"},
};

static bool clim_defaults(int p, double *o)
{
    o[0] = NAN; /* no default table: the configuration gives one per parameter */
    return false;
}

static vg_flag clim_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    const vg_qclim_set *set = w->refs->qclim;
    if (isnan(o[0]) || !set || o[0] < 0 || (size_t)o[0] >= set->n)
        return VG_FLAG_NO_QC;
    const vg_sample *s = w->cur;
    double z = vg_sample_has(s, VG_P_PRES) ? s->value[VG_P_PRES] : NAN;
    return vg_flag_from_qartod(vg_qclim_judge(set->t[(size_t)o[0]], s->time, z, s->value[p]));
}

const vg_qc_test vg_qc_qartod_climatology = {
    .id = 23,
    .name = "qartod_climatology",
    .summary = "outside the window's fspan -> 4, else outside its vspan -> 3; no window -> 0",
    .source = "IOOS QARTOD climatology; ioos_qc qartod.climatology_test (ClimatologyConfig)",
    .target = VG_QC_ON_PARAM,
    .opts = clim_opts,
    .n_opts = 1,
    .windows = true,
    .defaults = clim_defaults,
    .run = clim_run,
};
