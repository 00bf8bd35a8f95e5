/* test_neighbours.c: GOSUD tests 5, 8 and 10, which compare a sample with its neighbours:
 * impossible speed (from the previous position), spike and gradient (three-point tests on
 * the previous and next values). EuroGOOS RTQC (EG10.19, 2010); TSGQC; CoTeDe. */
#include <math.h>

#include "core/time.h"
#include "qc/geo.h"
#include "qc/test.h"

/* ---- impossible speed ---------------------------------------------------------------- */
static const vg_qc_opt_spec speed_opts[] = {
    {"max_speed_kn", 0.1, 1000, "highest plausible speed between two fixes, knots"},
};

static bool speed_defaults(int p, double *o)
{
    o[0] = 50.0; /* TSGQC drops ship speeds above 50 kn */
    return true;
}

static vg_flag speed_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    const vg_sample *a = w->prev, *b = w->cur;
    if (isnan(b->lat_deg) || isnan(b->lon_deg))
        return VG_FLAG_MISSING;
    if (!a || isnan(a->lat_deg) || isnan(a->lon_deg) || b->time <= a->time)
        return VG_FLAG_NO_QC;
    /* A position already judged impossible says nothing about the speed. */
    if (fabs(a->lat_deg) > 90 || fabs(b->lat_deg) > 90 || fabs(a->lon_deg) > 180 ||
        fabs(b->lon_deg) > 180)
        return VG_FLAG_NO_QC;
    double hours = (double)(b->time - a->time) / 3600e6;
    /* Bounds on the distance decide most samples without the haversine; near the limit
     * the speed is computed as documented (so that exactly max_speed_kn passes). */
    int bound = vg_geo_bound_nm(a->lat_deg, a->lon_deg, b->lat_deg, b->lon_deg, o[0] * hours);
    if (bound)
        return bound > 0 ? VG_FLAG_BAD : VG_FLAG_GOOD;
    double kn = vg_geo_distance_nm(a->lat_deg, a->lon_deg, b->lat_deg, b->lon_deg) / hours;
    return kn > o[0] ? VG_FLAG_BAD : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_impossible_speed = {
    .id = 5,
    .name = "impossible_speed",
    .summary = "speed from the previous position above max_speed_kn",
    .source = "EuroGOOS RTQC 2010 test 5; TSGQC (50 kn)",
    .target = VG_QC_ON_POSITION,
    .opts = speed_opts,
    .n_opts = 1,
    .defaults = speed_defaults,
    .run = speed_run,
};

/* ---- spike and gradient ------------------------------------------------------------- */
static const vg_qc_opt_spec threshold_opts[] = {
    {"threshold", 0, 1e6, "test value above which V2 fails, in the parameter's units"},
};

static bool spike_defaults(int p, double *o)
{
    switch (vg_param_get((vg_param)p)->family) {
    case VG_FAM_TEMPERATURE: o[0] = 6.0; return true;
    case VG_FAM_SALINITY: o[0] = 0.9; return true;
    default: return false;
    }
}

static bool gradient_defaults(int p, double *o)
{
    switch (vg_param_get((vg_param)p)->family) {
    case VG_FAM_TEMPERATURE: o[0] = 9.0; return true;
    case VG_FAM_SALINITY: o[0] = 1.5; return true;
    default: return false;
    }
}

/* V1, V2, V3 of a three-point test; false when a neighbour is absent or missing. */
static bool neighbours__triplet(const vg_qc_window *w, int p, double *v1, double *v2, double *v3)
{
    if (!w->prev || !w->next)
        return false;
    *v1 = w->prev->value[p], *v2 = w->cur->value[p], *v3 = w->next->value[p];
    return !isnan(*v1) && !isnan(*v3);
}

static vg_flag spike_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    double v1, v2, v3;
    if (!neighbours__triplet(w, p, &v1, &v2, &v3))
        return VG_FLAG_NO_QC;
    double t = fabs(v2 - (v3 + v1) / 2) - fabs((v3 - v1) / 2);
    return t > o[0] ? VG_FLAG_BAD : VG_FLAG_GOOD;
}

static vg_flag gradient_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    double v1, v2, v3;
    if (!neighbours__triplet(w, p, &v1, &v2, &v3))
        return VG_FLAG_NO_QC;
    return fabs(v2 - (v3 + v1) / 2) > o[0] ? VG_FLAG_BAD : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_spike = {
    .id = 8,
    .name = "spike",
    .summary = "|V2 - (V3+V1)/2| - |(V3-V1)/2| above threshold",
    .source = "EuroGOOS RTQC 2010 test 8 (T 6.0 degC, S 0.9)",
    .target = VG_QC_ON_PARAM,
    .needs_next = true,
    .opts = threshold_opts,
    .n_opts = 1,
    .defaults = spike_defaults,
    .run = spike_run,
};

const vg_qc_test vg_qc_gradient = {
    .id = 10,
    .name = "gradient",
    .summary = "|V2 - (V3+V1)/2| above threshold",
    .source = "EuroGOOS RTQC 2010 test 10 (T 9.0 degC, S 1.5)",
    .target = VG_QC_ON_PARAM,
    .needs_next = true,
    .opts = threshold_opts,
    .n_opts = 1,
    .defaults = gradient_defaults,
    .run = gradient_run,
};
