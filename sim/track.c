/* track.c: the simulated ship and the water it sails through. The ship follows the great
 * circle of its initial course at a speed with red-noise fluctuations (nearly stopped in a
 * harbour window); the TSG-cell water is a large-scale meridional gradient, a diurnal
 * cycle, fronts (tanh steps, their own random stream) met along the track, and smooth
 * small-scale red noise. Sensor white noise is added by the caller, per sample. */
#include <math.h>

#include "sim/sim_internal.h"

#define SIM_EARTH_R_M 6371008.8
#define SIM_KN_M_S (1852.0 / 3600.0)

/* Water-mass constants (see docs/simulate.md). */
#define SIM_TEMP0 21.8           /* degC at the start */
#define SIM_SAL0 36.5            /* PSU at the start */
#define SIM_TEMP_PER_DEGLAT 0.40 /* degC per degree of latitude (warmer to the north) */
#define SIM_SAL_PER_DEGLAT 0.08  /* PSU per degree of latitude */
#define SIM_DIURNAL_DEGC 0.15    /* amplitude of the diurnal warming, maximum at 15 h solar */
#define SIM_TEMP_RED 0.03        /* small-scale variability, degC (1 sigma) */
#define SIM_SAL_RED 0.006        /* PSU (1 sigma) */
#define SIM_WATER_TAU_S 1200.0   /* their time scale */
#define SIM_SPEED_RED_KN 0.25    /* speed fluctuation at sea, kn (1 sigma) */
#define SIM_SPEED_TAU_S 600.0
#define SIM_FRONT_MEAN_KM 40.0   /* mean distance between fronts */

static double sim__front_shape(const sim_front *f, double x_km)
{
    return 0.5 * (1.0 + tanh((x_km - f->x_km) / f->w_km));
}

/* Draw the front after `prev_x_km`, pulling the accumulated steps back towards zero so that
 * the water stays near its mean on long records. */
static sim_front sim__front_new(sim_track *tr, double prev_x_km, double cum_sal,
                                double cum_temp)
{
    sim_rng *r = &tr->front_rng;
    sim_front f;
    double u = vg_sim__rng_uniform(r);
    f.x_km = prev_x_km + 2.0 - (SIM_FRONT_MEAN_KM - 2.0) * log(1.0 - u);
    f.w_km = vg_sim__rng_range(r, 0.5, 3.0);
    f.d_sal = -0.3 * cum_sal + 0.12 * vg_sim__rng_normal(r);
    f.d_temp = 2.0 * f.d_sal - 0.3 * (cum_temp - 2.0 * cum_sal) + 0.08 * vg_sim__rng_normal(r);
    return f;
}

static void sim__fronts_fill(sim_track *tr, int from)
{
    double cum_sal = tr->done_sal, cum_temp = tr->done_temp;
    for (int i = 0; i < from; i++) {
        cum_sal += tr->fronts[i].d_sal;
        cum_temp += tr->fronts[i].d_temp;
    }
    for (int i = from; i < SIM_FRONTS; i++) {
        double prev = i > 0 ? tr->fronts[i - 1].x_km : tr->dist_m / 1000.0;
        tr->fronts[i] = sim__front_new(tr, prev, cum_sal, cum_temp);
        cum_sal += tr->fronts[i].d_sal;
        cum_temp += tr->fronts[i].d_temp;
    }
}

/* Retire the fronts well behind the ship and draw new ones ahead. */
static void sim__fronts_update(sim_track *tr)
{
    double x = tr->dist_m / 1000.0;
    while (x > tr->fronts[0].x_km + 8.0 * tr->fronts[0].w_km) {
        tr->done_sal += tr->fronts[0].d_sal;
        tr->done_temp += tr->fronts[0].d_temp;
        for (int i = 1; i < SIM_FRONTS; i++)
            tr->fronts[i - 1] = tr->fronts[i];
        sim__fronts_fill(tr, SIM_FRONTS - 1);
    }
}

/* Position and course over ground after dist_m along the great circle. */
static void sim__position(sim_track *tr)
{
    double p0 = tr->lat0_rad, l0 = tr->lon0_rad, b0 = tr->brg0_rad;
    double d = tr->dist_m / SIM_EARTH_R_M;
    /* unit vectors at the start: position, north, east */
    double P[3] = {cos(p0) * cos(l0), cos(p0) * sin(l0), sin(p0)};
    double N[3] = {-sin(p0) * cos(l0), -sin(p0) * sin(l0), cos(p0)};
    double E[3] = {-sin(l0), cos(l0), 0.0};
    double T0[3], p[3], t[3];
    for (int i = 0; i < 3; i++)
        T0[i] = cos(b0) * N[i] + sin(b0) * E[i];
    for (int i = 0; i < 3; i++) {
        p[i] = P[i] * cos(d) + T0[i] * sin(d);
        t[i] = -P[i] * sin(d) + T0[i] * cos(d);
    }
    double lat = asin(fmax(-1.0, fmin(1.0, p[2])));
    double lon = atan2(p[1], p[0]);
    double n2[3] = {-sin(lat) * cos(lon), -sin(lat) * sin(lon), cos(lat)};
    double e2[3] = {-sin(lon), cos(lon), 0.0};
    double tn = t[0] * n2[0] + t[1] * n2[1] + t[2] * n2[2];
    double te = t[0] * e2[0] + t[1] * e2[1] + t[2] * e2[2];
    double course = atan2(te, tn) / SIM_DEG;
    if (course < 0)
        course += 360.0;
    tr->lat_deg = lat / SIM_DEG;
    tr->lon_deg = lon / SIM_DEG;
    tr->course_deg = course;
}

static double sim__speed(const sim_track *tr, bool in_harbour)
{
    if (in_harbour)
        return fmin(0.8, fmax(0.0, 0.3 + 0.15 * tr->speed_ou));
    return fmax(0.0, tr->cruise_kn + SIM_SPEED_RED_KN * tr->speed_ou);
}

void vg_sim__track_init(sim_track *tr, sim_rng *rng, uint64_t seed, vg_time_us start,
                        double lat_deg, double lon_deg, double heading_deg, double speed_kn)
{
    tr->lat0_rad = lat_deg * SIM_DEG;
    tr->lon0_rad = lon_deg * SIM_DEG;
    tr->brg0_rad = heading_deg * SIM_DEG;
    tr->dist_m = 0;
    tr->cruise_kn = speed_kn;
    tr->speed_ou = vg_sim__rng_normal(rng);
    vg_sim__smooth_init(&tr->temp_red, rng);
    vg_sim__smooth_init(&tr->sal_red, rng);
    tr->speed_kn = sim__speed(tr, false);
    tr->t = start;
    tr->temp0_degC = SIM_TEMP0;
    tr->sal0 = SIM_SAL0;
    tr->done_sal = tr->done_temp = 0;
    vg_sim__rng_seed(&tr->front_rng, seed, SIM_STREAM_FRONTS);
    sim__fronts_fill(tr, 0);
    sim__position(tr);
}

void vg_sim__track_advance(sim_track *tr, sim_rng *rng, vg_time_us t, bool in_harbour)
{
    double dt = t > tr->t ? (double)(t - tr->t) / 1e6 : 0.0;
    tr->speed_ou = vg_sim__ou_step(rng, tr->speed_ou, dt, SIM_SPEED_TAU_S);
    vg_sim__smooth_step(&tr->temp_red, rng, dt, SIM_WATER_TAU_S);
    vg_sim__smooth_step(&tr->sal_red, rng, dt, SIM_WATER_TAU_S);
    tr->speed_kn = sim__speed(tr, in_harbour);
    tr->dist_m += tr->speed_kn * SIM_KN_M_S * dt;
    if (t > tr->t)
        tr->t = t;
    sim__position(tr);
    sim__fronts_update(tr);
}

void vg_sim__track_water(const sim_track *tr, double *temp_degC, double *sal)
{
    double x = tr->dist_m / 1000.0;
    double fs = tr->done_sal, ft = tr->done_temp;
    for (int i = 0; i < SIM_FRONTS; i++) {
        double w = sim__front_shape(&tr->fronts[i], x);
        fs += w * tr->fronts[i].d_sal;
        ft += w * tr->fronts[i].d_temp;
    }
    double dlat = tr->lat_deg - tr->lat0_rad / SIM_DEG;
    int h, m, s, us;
    vg_time_to_fields(tr->t, NULL, NULL, NULL, &h, &m, &s, &us);
    double solar_h = fmod(h + m / 60.0 + (s + us / 1e6) / 3600.0 + tr->lon_deg / 15.0 + 48.0,
                          24.0);
    double diurnal = SIM_DIURNAL_DEGC * cos(2.0 * SIM_PI * (solar_h - 15.0) / 24.0);
    *temp_degC = tr->temp0_degC + SIM_TEMP_PER_DEGLAT * dlat + ft + diurnal +
                 SIM_TEMP_RED * vg_sim__smooth_value(&tr->temp_red);
    *sal = tr->sal0 + SIM_SAL_PER_DEGLAT * dlat + fs +
           SIM_SAL_RED * vg_sim__smooth_value(&tr->sal_red);
}
