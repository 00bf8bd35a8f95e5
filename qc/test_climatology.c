/* test_climatology.c: GOSUD test 11, climatology (EuroGOOS RTQC 2010 test 11; CoTeDe
 * woa_normbias): the deviation of a temperature or salinity from the climatological mean
 * of its family at the sample's position and time (qc/climatology.h), in standard
 * deviations when the climatology has them, else in the parameter's units. */
#include <math.h>

#include "qc/climatology.h"

static const vg_qc_opt_spec clim_opts[] = {
    {"max_sigma", 0.1, 1000,
     "largest |value - mean| / std, with a climatology that has a standard deviation"},
    {"max_abs_deviation", 0.001, 1000,
     "largest |value - mean| in the parameter's units, with a climatology without std (or "
     "where its std is missing or 0)"},
    {"flag", 3, 4, "flag of a value beyond the bound: 3 (CoTeDe TSG) or 4; below 4 means 3"},
};

static bool clim_defaults(int p, double *o)
{
    o[0] = 10; /* CoTeDe TSG: 10 standard deviations, flag 3 */
    o[2] = 3;
    switch (vg_clim_family_of((vg_param)p)) {
    case VG_CLIM_TEMPERATURE: o[1] = 10; return true; /* degC */
    case VG_CLIM_SALINITY: o[1] = 5; return true;     /* PSS-78 */
    default: return false;
    }
}

static vg_flag clim_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    int fam = vg_clim_family_of((vg_param)p);
    const vg_climatology *c = fam < 0 ? NULL : w->refs->climatology[fam];
    const vg_sample *s = w->cur;
    double mean, sd;
    if (!c || !(s->lon_deg >= -180 && s->lon_deg <= 180) ||
        !vg_climatology_at(c, s->lat_deg, s->lon_deg, s->time, &mean, &sd))
        return VG_FLAG_NO_QC; /* no climatology, no position, or no mean here (land) */
    double dev = fabs(s->value[p] - mean);
    bool bad = sd > 0 ? dev > o[0] * sd : dev > o[1];
    if (!bad)
        return VG_FLAG_GOOD;
    return o[2] < 4 ? VG_FLAG_PROBABLY_BAD : VG_FLAG_BAD;
}

const vg_qc_test vg_qc_climatology = {
    .id = 11,
    .name = "climatology",
    .summary = "|value - climatological mean| > max_sigma x std (or > max_abs_deviation when "
               "the climatology has no std), mean and std at the sample's position and time",
    .source = "EuroGOOS RTQC 2010 test 11; CoTeDe woa_normbias (TSG: 10 sigma, flag 3)",
    .target = VG_QC_ON_PARAM,
    .opts = clim_opts,
    .n_opts = 3,
    .defaults = clim_defaults,
    .run = clim_run,
};
