/* astro.c: Doodson's astronomical variables at a UTC time (tide/astro.h). Polynomials in d,
 * days since 1899-12-31T12:00 (the epoch of the Explanatory Supplement, 1961, pages 98 and
 * 107), with D = d / 10000; coefficients in degrees, as tabulated in t_tide's t_astron.m. */
#include <math.h>

#include "tide/astro.h"

#define ASTRO_US_PER_DAY (86400.0 * 1e6)
#define ASTRO_EPOCH_DAYS 25567.5 /* days from 1899-12-31T12:00Z to 1970-01-01T00:00Z */

/* degrees: constant, per day, per D^2, per D^3 (Explanatory Supplement; p' as corrected in
 * t_tide: 281.220844 rather than Foreman's 281.220833) */
static const double astro__coef[5][4] = {
    {270.434164, 13.1763965268, -0.0000850, 0.000000039},   /* s  */
    {279.696678, 0.9856473354, 0.00002267, 0.000000000},    /* h  */
    {334.329556, 0.1114040803, -0.0007739, -0.00000026},    /* p  */
    {-259.183275, 0.0529539222, -0.0001557, -0.000000050},  /* N' */
    {281.220844, 0.0000470684, 0.0000339, 0.000000070},     /* p' */
};

void vg_tide_astro_at(vg_time_us t, vg_tide_astro *out)
{
    const int64_t us_day = INT64_C(86400000000);
    int64_t days = t / us_day, rem = t % us_day;
    if (rem < 0) {
        rem += us_day;
        days -= 1;
    }
    double frac_day = (double)rem / ASTRO_US_PER_DAY;
    double d = (double)days + frac_day + ASTRO_EPOCH_DAYS;
    double D = d / 10000.0;
    for (int i = 0; i < 5; i++) {
        const double *c = astro__coef[i];
        double deg = c[0] + c[1] * d + c[2] * D * D + c[3] * D * D * D;
        out->arg[i + 1] = fmod(deg / 360.0, 1.0);
        out->rate[i + 1] = (c[1] + c[2] * 2e-4 * D + c[3] * 3e-4 * D * D) / 360.0;
    }
    /* mean lunar time: solar time of day plus the Sun's longitude minus the Moon's */
    out->arg[0] = frac_day + out->arg[2] - out->arg[1];
    out->rate[0] = 1.0 + out->rate[2] - out->rate[1];
}
