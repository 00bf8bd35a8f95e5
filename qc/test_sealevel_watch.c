/* test_sealevel_watch.c: the two tide-gauge tests that flag SLEV from the daily analysis of
 * the station's sea-level monitor (qc/sealevel_monitor.h): datum_shift (id 26) while the
 * last analysis finds a datum shift running up to its last complete day, clock_offset (id
 * 27) while the last clock-offset fit is reportable (>= 2 minutes and > 3 standard errors).
 * Both give `flag` (3 by default) then, 1 after an analysis that found nothing, and 0 (not
 * evaluated) before the first analysis or for a station without constituents. The events
 * themselves come from the monitor. docs/qc.md, "Events". */
#include "qc/sealevel_monitor.h"
#include "qc/test.h"

static const vg_qc_opt_spec watch_opts[] = {
    {"flag", 3, 4, "flag of SLEV while the problem is found"},
};

static bool watch_defaults(int p, double *o)
{
    if (p != VG_P_SLEV)
        return false;
    o[0] = 3;
    return true;
}

static vg_flag datum_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    (void)state;
    (void)p;
    const vg_slm_status *s = w->sealevel;
    if (!s || !s->analysed)
        return VG_FLAG_NO_QC;
    return s->datum_shift ? (vg_flag)o[0] : VG_FLAG_GOOD;
}

static vg_flag clock_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    (void)state;
    (void)p;
    const vg_slm_status *s = w->sealevel;
    if (!s || !s->clock_checked)
        return VG_FLAG_NO_QC;
    return s->clock_offset ? (vg_flag)o[0] : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_datum_shift = {
    .id = 26,
    .name = "datum_shift",
    .summary = "the daily mean residual of the last days left the previous lunar month's "
               "10-90 % range by 3 cm for 2 days -> flag (3)",
    .source = "IOC sea level station monitoring facility (daily mean vs the previous lunar "
              "month), on the station's harmonic tide (qc/sealevel.h)",
    .target = VG_QC_ON_PARAM,
    .opts = watch_opts,
    .n_opts = 1,
    .defaults = watch_defaults,
    .run = datum_run,
};

const vg_qc_test vg_qc_clock_offset = {
    .id = 27,
    .name = "clock_offset",
    .summary = "the tide of the last 3 days lags or leads the prediction by 2 minutes or "
               "more (and 3 standard errors) -> flag (3)",
    .source = "GLOSS timing requirement (1 minute); lag fitted against the station's "
              "harmonic tide (qc/sealevel.h)",
    .target = VG_QC_ON_PARAM,
    .opts = watch_opts,
    .n_opts = 1,
    .defaults = watch_defaults,
    .run = clock_run,
};
