/* test_range.c: GOSUD tests 2, 3 and 6, which judge one sample alone: impossible date,
 * impossible location, and global range (EuroGOOS RTQC, EG10.19, 2010; Argo QC manual). */
#include <math.h>

#include "core/time.h"
#include "qc/test.h"

/* ---- impossible date ---------------------------------------------------------------- */
/* Times later than now + daemon.future_tolerance_s never reach QC (they are quarantined),
 * and every parser checks month, day, hour and minute; what is left is the year. */
static const vg_qc_opt_spec date_opts[] = {
    {"min_year", 1900, 2199, "earliest valid year (Argo/GOSUD: after 1950)"},
};

static bool date_defaults(int p, double *o)
{
    (void)p;
    o[0] = 1950;
    return true;
}

static vg_flag date_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    /* year < min_year <=> the time is before 1 January of min_year, 00:00 UTC (cheaper
     * than breaking the time into fields: this runs on every sample) */
    vg_time_us start = vg_days_from_civil((int64_t)o[0], 1, 1) * 86400 * VG_US_PER_S;
    return w->cur->time < start ? VG_FLAG_BAD : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_impossible_date = {
    .id = 2,
    .name = "impossible_date",
    .summary = "year before min_year (month, day and time of day are checked at parsing)",
    .source = "EuroGOOS RTQC 2010 test 2; Argo QC manual test 2",
    .target = VG_QC_ON_TIME,
    .opts = date_opts,
    .n_opts = 1,
    .defaults = date_defaults,
    .run = date_run,
};

/* ---- impossible location ------------------------------------------------------------ */
static bool loc_defaults(int p, double *o) { return true; }

static vg_flag loc_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    double lat = w->cur->lat_deg, lon = w->cur->lon_deg;
    if (isnan(lat) || isnan(lon))
        return VG_FLAG_MISSING;
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180)
        return VG_FLAG_BAD;
    return VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_impossible_location = {
    .id = 3,
    .name = "impossible_location",
    .summary = "latitude outside [-90, 90] or longitude outside [-180, 180]",
    .source = "EuroGOOS RTQC 2010 test 3; Argo QC manual test 3",
    .target = VG_QC_ON_POSITION,
    .defaults = loc_defaults,
    .run = loc_run,
};

/* ---- global range -------------------------------------------------------------------- */
static const vg_qc_opt_spec range_opts[] = {
    {"min", -1e9, 1e9, "lowest valid value, inclusive, in the parameter's units"},
    {"max", -1e9, 1e9, "highest valid value, inclusive, in the parameter's units"},
};

static bool range_defaults(int p, double *o)
{
    switch (vg_param_get((vg_param)p)->family) {
    case VG_FAM_TEMPERATURE: o[0] = -2.5, o[1] = 40.0; return true;
    case VG_FAM_SALINITY: o[0] = 2.0, o[1] = 41.0; return true;
    default: return false;
    }
}

static vg_flag range_run(const double *o, void *st, const vg_qc_window *w, int p)
{
    double v = w->cur->value[p];
    return v < o[0] || v > o[1] ? VG_FLAG_BAD : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_global_range = {
    .id = 6,
    .name = "global_range",
    .summary = "value outside [min, max]",
    .source = "EuroGOOS RTQC 2010 test 6 (T -2.5..40 degC, S 2..41)",
    .target = VG_QC_ON_PARAM,
    .opts = range_opts,
    .n_opts = 2,
    .defaults = range_defaults,
    .run = range_run,
};
