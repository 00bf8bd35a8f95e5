/* seawater.c: the sea-water formulas the simulated SBE45 needs at zero sea pressure:
 * practical salinity from conductivity and back (PSS-78, UNESCO technical paper 44, 1983;
 * the inverse by Newton iteration) and the speed of sound (Chen & Millero 1977, UNESCO
 * 1983). Both take ITS-90 temperatures and convert to IPTS-68 (t68 = 1.00024 t90). */
#include <math.h>

#include "sim/simulate.h"

#define SIM_C3515 4.2914 /* conductivity of standard sea water S=35, 15 degC, p=0, in S/m */

static const double sim__a[6] = {0.0080, -0.1692, 25.3851, 14.0941, -7.0261, 2.7081};
static const double sim__b[6] = {0.0005, -0.0056, -0.0066, -0.0375, 0.0636, -0.0144};
static const double sim__c[5] = {0.6766097, 2.00564e-2, 1.104259e-4, -6.9698e-7, 1.0031e-9};
#define SIM_K 0.0162

/* Practical salinity from x = sqrt(Rt) at t68, and its derivative d S / d x. */
static double sim__sp_of_x(double x, double t68, double *dsdx)
{
    double f = (t68 - 15.0) / (1.0 + SIM_K * (t68 - 15.0));
    double s = 0, d = 0, xp = 1;
    for (int i = 0; i < 6; i++) {
        s += (sim__a[i] + f * sim__b[i]) * xp;
        if (i < 5)
            d += (i + 1) * (sim__a[i + 1] + f * sim__b[i + 1]) * xp;
        xp *= x;
    }
    if (dsdx)
        *dsdx = d;
    return s;
}

/* rt(t): conductivity ratio of standard sea water at t68 to that at 15 degC. */
static double sim__rt(double t68)
{
    double r = 0, tp = 1;
    for (int i = 0; i < 5; i++) {
        r += sim__c[i] * tp;
        tp *= t68;
    }
    return r;
}

double vg_sim_sp_from_cndc(double cndc_S_m, double t90_degC)
{
    if (isnan(cndc_S_m) || isnan(t90_degC) || cndc_S_m <= 0)
        return NAN;
    double t68 = t90_degC * 1.00024;
    double rt_ratio = cndc_S_m / SIM_C3515 / sim__rt(t68);
    return sim__sp_of_x(sqrt(rt_ratio), t68, NULL);
}

double vg_sim_cndc_from_sp(double sp, double t90_degC)
{
    if (isnan(sp) || isnan(t90_degC) || sp <= 0)
        return NAN;
    double t68 = t90_degC * 1.00024;
    double x = sqrt(sp / 35.0);
    for (int it = 0; it < 20; it++) {
        double d;
        double s = sim__sp_of_x(x, t68, &d);
        double step = (s - sp) / d;
        x -= step;
        if (x <= 0)
            x = 1e-3;
        if (fabs(step) < 1e-14)
            break;
    }
    return x * x * sim__rt(t68) * SIM_C3515;
}

double vg_sim_sound_speed(double sp, double t90_degC)
{
    if (isnan(sp) || isnan(t90_degC) || sp < 0)
        return NAN;
    double t = t90_degC * 1.00024;
    double cw = 1402.388 + t * (5.03711 + t * (-5.80852e-2 + t * (3.3420e-4 +
                                                 t * (-1.47800e-6 + t * 3.1464e-9))));
    double a = 1.389 + t * (-1.262e-2 + t * (7.164e-5 + t * (2.006e-6 + t * -3.21e-8)));
    double b = -1.922e-2 - 4.42e-5 * t;
    double d = 1.727e-3;
    return cw + a * sp + b * sp * sqrt(sp) + d * sp * sp;
}
