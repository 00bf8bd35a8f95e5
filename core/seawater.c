/* seawater.c: PSS-78 practical salinity from conductivity and back, with the Hill et al.
 * (1986) extension below SP 2 as TEOS-10 applies it, and the Chen & Millero (1977) speed of
 * sound. Coefficients from UNESCO 1983 (Fofonoff & Millard, Unesco technical papers in
 * marine science 44), checked against TEOS-10 GSW-C (gsw_sp_from_c, gsw_c_from_sp,
 * gsw_hill_ratio_at_sp2; github.com/TEOS-10/GSW-C, BSD-style licence); the code is ours:
 * the inverse is Newton's method to full precision rather than GSW's fitted start values.
 * Also the hydrostatic water column of a pressure tide gauge and WGS84 normal gravity. */
#include "core/seawater.h"

#include <math.h>
#include <stdbool.h>

/* ---- PSS-78 coefficients (UNESCO 1983 p. 7-8; GSW_SP_COEFFICIENTS) --------------------
 * SP   = sum_i (a_i + f(t) b_i) Rt^(i/2),    f(t) = (t68 - 15) / (1 + k (t68 - 15))
 * rt   = sum_i c_i t68^i                      C(35, t, 0) / C(35, 15, 0)
 * Rp   = 1 + p (e1 + e2 p + e3 p^2) / (1 + d1 t68 + d2 t68^2 + (d3 + d4 t68) R)
 * Rt   = R / (Rp rt),  R = C / C(35, 15, 0) */
static const double seawater__a[6] = {0.0080, -0.1692, 25.3851, 14.0941, -7.0261, 2.7081};
static const double seawater__b[6] = {0.0005, -0.0056, -0.0066, -0.0375, 0.0636, -0.0144};
static const double seawater__c[5] = {0.6766097, 2.00564e-2, 1.104259e-4, -6.9698e-7,
                                      1.0031e-9};
#define SEAWATER_D1 3.426e-2
#define SEAWATER_D2 4.464e-4
#define SEAWATER_D3 4.215e-1
#define SEAWATER_D4 (-3.107e-3)
#define SEAWATER_E1 2.070e-5
#define SEAWATER_E2 (-6.370e-10)
#define SEAWATER_E3 3.989e-15
#define SEAWATER_K 0.0162
#define SEAWATER_T68 1.00024 /* t68 = 1.00024 t90 (Saunders 1990), as GSW and Sea-Bird */

/* Newton stops when the step on sqrt(Rt) is below this (about 10 ulp at Rt = 1): after such
 * a step the error is far below one ulp (quadratic convergence). */
#define SEAWATER_STEP_TOL 1e-14
#define SEAWATER_MAX_ITER 100

/* What depends on temperature only. */
typedef struct seawater__temp {
    double t68;    /* IPTS-68 temperature, degC */
    double ft;     /* f(t68) of the PSS-78 temperature correction */
    double rt;     /* rt(t68) */
    bool use_hill; /* the Hill et al. extension below SP 2 */
    double hill;   /* Hill ratio at SP 2 for this t; NaN until first needed */
} seawater__temp;

static double seawater__hill_ratio(double t68, double ft);

/* PSS-78 as a polynomial in x = sqrt(Rt), and its derivative d SP / d x. */
static double seawater__pss78(double x, double ft, double *dsdx)
{
    double s = 0, d = 0, xp = 1;
    for (int i = 0; i < 6; i++) {
        s += (seawater__a[i] + ft * seawater__b[i]) * xp;
        if (i < 5)
            d += (i + 1) * (seawater__a[i + 1] + ft * seawater__b[i + 1]) * xp;
        xp *= x;
    }
    *dsdx = d;
    return s;
}

/* rt(t68) = C(35, t68, 0) / C(35, 15, 0). */
static double seawater__rt(double t68)
{
    double r = 0, tp = 1;
    for (int i = 0; i < 5; i++) {
        r += seawater__c[i] * tp;
        tp *= t68;
    }
    return r;
}

/* The Hill et al. (1986) low-salinity formula before scaling, at x = sqrt(Rt), given the
 * PSS-78 value sp and derivative dsp there (Hill's X = 400 Rt, sqrt(Y) = 10 sqrt(Rt)):
 * SP_hill = SP_pss78 - a0 / (1 + 1.5 X + X^2) - b0 f / (1 + Y^1/2 + Y + Y^3/2)
 * (the denominators as in GSW), and its derivative. */
static double seawater__hill_raw(double x, double ft, double sp, double dsp, double *dsdx)
{
    double X = 400.0 * x * x, sy = 10.0 * x;
    double part1 = 1.0 + X * (1.5 + X);
    double part2 = 1.0 + sy * (1.0 + sy * (1.0 + sy));
    double dpart1 = 800.0 * x * (1.5 + 2.0 * X);
    double dpart2 = 10.0 + sy * (20.0 + 30.0 * sy);
    *dsdx = dsp + seawater__a[0] * dpart1 / (part1 * part1) +
            seawater__b[0] * ft * dpart2 / (part2 * part2);
    return sp - seawater__a[0] / part1 - seawater__b[0] * ft / part2;
}

/* SP at x = sqrt(Rt) and d SP / d x, with the Hill extension when tt->use_hill (its ratio
 * is computed on first use: most salinities never need it). */
static double seawater__sp_of_x(seawater__temp *tt, double x, double *dsdx)
{
    double sp = seawater__pss78(x, tt->ft, dsdx);
    if (tt->use_hill && sp < 2.0) {
        if (isnan(tt->hill))
            tt->hill = seawater__hill_ratio(tt->t68, tt->ft);
        double d;
        sp = tt->hill * seawater__hill_raw(x, tt->ft, sp, *dsdx, &d);
        *dsdx = tt->hill * d;
    }
    return sp;
}

/* x = sqrt(Rt) with SP(x) = sp on the increasing branch of SP, NaN when there is none.
 * Newton's method from sqrt(sp / 35), safeguarded by a bracket [lo, hi] that each
 * evaluation narrows: a step that leaves it (or a zero or negative slope) bisects instead.
 * In the valid range Newton never leaves the bracket and converges in 3-5 steps. */
static double seawater__solve_x(seawater__temp *tt, double sp)
{
    double x = sqrt(fmax(sp, 0.0) / 35.0), lo = 0, hi = INFINITY;
    for (int it = 0; it < SEAWATER_MAX_ITER; it++) {
        double d;
        double s = seawater__sp_of_x(tt, x, &d);
        double step = (s - sp) / d;
        double xn = x - step;
        if (d > 0 && fabs(step) < SEAWATER_STEP_TOL)
            return xn;
        if (d <= 0 || s < sp) /* left of the minimum, or left of the root */
            lo = fmax(lo, x);
        else
            hi = fmin(hi, x);
        if (!(d > 0 && xn > lo && xn < hi)) /* NaN steps land here too */
            xn = isinf(hi) ? fmax(2.0 * x, 0.01) : 0.5 * (lo + hi);
        if (isfinite(hi) && hi - lo <= 0x1p-52 * hi) /* collapsed on the minimum: no root */
            return NAN;
        x = xn;
    }
    return NAN;
}

/* The Hill ratio: 2 / SP_hill_raw at the Rt where PSS-78 gives exactly 2 at this
 * temperature, so that the scaled Hill formula meets PSS-78 at SP 2 (gsw_hill_ratio_at_sp2,
 * which gets that Rt from a fitted start and one modified Newton step; here Newton to full
 * precision). */
static double seawater__hill_ratio(double t68, double ft)
{
    seawater__temp pss = {t68, ft, 0, false, NAN};
    double x = seawater__solve_x(&pss, 2.0);
    double dsp, d;
    double sp = seawater__pss78(x, ft, &dsp);
    return 2.0 / seawater__hill_raw(x, ft, sp, dsp, &d);
}

static bool seawater__temp_init(double t90_degC, bool hill, seawater__temp *tt)
{
    if (!isfinite(t90_degC))
        return false;
    tt->t68 = t90_degC * SEAWATER_T68;
    tt->ft = (tt->t68 - 15.0) / (1.0 + SEAWATER_K * (tt->t68 - 15.0));
    tt->rt = seawater__rt(tt->t68);
    tt->use_hill = hill;
    tt->hill = NAN;
    return true;
}

/* Rp's numerator p (e1 + e2 p + e3 p^2) and the two parts of its denominator:
 * Rp = 1 + num / (den0 + den1 R). */
static void seawater__rp_terms(double t68, double p, double *num, double *den0, double *den1)
{
    *num = p * (SEAWATER_E1 + SEAWATER_E2 * p + SEAWATER_E3 * p * p);
    *den0 = 1.0 + SEAWATER_D1 * t68 + SEAWATER_D2 * t68 * t68;
    *den1 = SEAWATER_D3 + SEAWATER_D4 * t68;
}

static double seawater__sp_from_c(double c, double t90, double p, bool hill)
{
    seawater__temp tt;
    if (!isfinite(c) || !isfinite(p) || c < 0 || !seawater__temp_init(t90, hill, &tt))
        return NAN;
    double r = c / VG_SW_C3515_S_M;
    double num, den0, den1;
    seawater__rp_terms(tt.t68, p, &num, &den0, &den1);
    double rp = 1.0 + num / (den0 + den1 * r);
    double rt = r / (rp * tt.rt);
    if (!(rt >= 0)) /* only with p far outside the range, where Rp changes sign */
        return NAN;
    double d;
    return seawater__sp_of_x(&tt, sqrt(rt), &d);
}

/* R from Rt at pressure p: R = K Rp(R) with K = Rt rt(t), a quadratic in R because Rp's
 * denominator holds R. Written for delta = Rp - 1:
 *   den1 K delta^2 + (den0 + den1 K) delta - num = 0,
 * whose positive root is taken in the cancellation-free form 2 num / (b + sqrt(b^2 + 4ac));
 * delta is exactly 0 at p = 0. (GSW solves the same quadratic for R.) */
static double seawater__r_from_rt(double rt_ratio, const seawater__temp *tt, double p)
{
    double k = rt_ratio * tt->rt;
    double num, den0, den1;
    seawater__rp_terms(tt->t68, p, &num, &den0, &den1);
    double b = den0 + den1 * k;
    double delta = 2.0 * num / (b + sqrt(b * b + 4.0 * den1 * k * num));
    return k * (1.0 + delta);
}

static double seawater__c_from_sp(double sp, double t90, double p, bool hill)
{
    seawater__temp tt;
    if (!isfinite(sp) || !isfinite(p) || !seawater__temp_init(t90, hill, &tt))
        return NAN;
    double x = seawater__solve_x(&tt, sp);
    if (isnan(x))
        return NAN;
    return seawater__r_from_rt(x * x, &tt, p) * VG_SW_C3515_S_M;
}

double vg_sw_sp_from_c(double c_S_m, double t90_degC, double p_dbar)
{
    return seawater__sp_from_c(c_S_m, t90_degC, p_dbar, true);
}

double vg_sw_c_from_sp(double sp, double t90_degC, double p_dbar)
{
    return seawater__c_from_sp(sp, t90_degC, p_dbar, true);
}

double vg_sw_sp_from_c_pss78(double c_S_m, double t90_degC, double p_dbar)
{
    return seawater__sp_from_c(c_S_m, t90_degC, p_dbar, false);
}

double vg_sw_c_from_sp_pss78(double sp, double t90_degC, double p_dbar)
{
    return seawater__c_from_sp(sp, t90_degC, p_dbar, false);
}

/* ---- speed of sound: Chen & Millero (1977), UNESCO 1983 eqns 33-37 (p. 46-47) ----------
 * c = Cw(t, P) + A(t, P) SP + B(t, P) SP^1.5 + D(P) SP^2, t in IPTS-68, P in bar. Each
 * coefficient is a polynomial in t per power of P; the P = 0 parts are evaluated first and
 * the pressure terms added to them, so that at P = 0 the result is exactly the surface
 * formula the simulator has always used. */
double vg_sw_sound_speed(double sp, double t90_degC, double p_dbar)
{
    if (!isfinite(sp) || !isfinite(t90_degC) || !isfinite(p_dbar) || sp < 0)
        return NAN;
    double t = t90_degC * SEAWATER_T68;
    double P = p_dbar / 10.0;
    double cw0 = 1402.388 + t * (5.03711 + t * (-5.80852e-2 + t * (3.3420e-4 +
                                                  t * (-1.47800e-6 + t * 3.1464e-9))));
    double cw1 = 0.153563 + t * (6.8982e-4 + t * (-8.1788e-6 + t * (1.3621e-7 +
                                                  t * -6.1185e-10)));
    double cw2 = 3.1260e-5 + t * (-1.7107e-6 + t * (2.5974e-8 + t * (-2.5335e-10 +
                                                  t * 1.0405e-12)));
    double cw3 = -9.7729e-9 + t * (3.8504e-10 + t * -2.3643e-12);
    double a0 = 1.389 + t * (-1.262e-2 + t * (7.164e-5 + t * (2.006e-6 + t * -3.21e-8)));
    double a1 = 9.4742e-5 + t * (-1.2580e-5 + t * (-6.4885e-8 + t * (1.0507e-8 +
                                                  t * -2.0122e-10)));
    double a2 = -3.9064e-7 + t * (9.1041e-9 + t * (-1.6002e-10 + t * 7.988e-12));
    double a3 = 1.100e-10 + t * (6.649e-12 + t * -3.389e-13);
    double b0 = -1.922e-2 - 4.42e-5 * t;
    double b1 = 7.3637e-5 + 1.7945e-7 * t;
    double cw = cw0 + P * (cw1 + P * (cw2 + P * cw3));
    double a = a0 + P * (a1 + P * (a2 + P * a3));
    double b = b0 + P * b1;
    double d = 1.727e-3 + P * -7.9836e-6;
    return cw + a * sp + b * sp * sqrt(sp) + d * sp * sp;
}

/* ---- pressure tide gauges -------------------------------------------------------------- */

/* WGS84 (NIMA TR8350.2, 3rd ed., 2000, eq. 4-1 and table 3.4): gamma_e at the equator, k =
 * (b gamma_p) / (a gamma_e) - 1, and the first eccentricity squared e^2. */
#define SEAWATER_GAMMA_E 9.7803253359
#define SEAWATER_WGS84_K 0.00193185265241
#define SEAWATER_WGS84_E2 0.00669437999013

double vg_sw_gravity_wgs84(double lat_deg)
{
    if (!(lat_deg >= -90.0 && lat_deg <= 90.0))
        return NAN;
    double s = sin(lat_deg * (M_PI / 180.0));
    double s2 = s * s;
    return SEAWATER_GAMMA_E * (1.0 + SEAWATER_WGS84_K * s2) / sqrt(1.0 - SEAWATER_WGS84_E2 * s2);
}

double vg_sw_water_column_m(double bprs_dbar, double atms_hPa, double rho_kg_m3, double g_m_s2)
{
    if (!(rho_kg_m3 > 0.0) || !(g_m_s2 > 0.0))
        return NAN;
    /* NaN pressures propagate through the arithmetic. */
    return (bprs_dbar * 1e4 - atms_hPa * 100.0) / (rho_kg_m3 * g_m_s2);
}
