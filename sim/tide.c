/* tide.c: the simulated tide gauge's sea: four tidal constituents (M2, S2, K1, O1) with
 * fixed amplitudes and phases, a red-noise surge, and the synoptic atmospheric pressure
 * with its inverse-barometer effect (-1 cm/hPa) and the semidiurnal atmospheric tide.
 * Phases are relative to 2000-01-01T00:00:00Z, not Greenwich phases: there is no
 * astronomical argument or nodal correction (see docs/simulate.md). */
#include <math.h>

#include "sim/sim_internal.h"

typedef struct sim_constituent {
    const char *name;
    double speed_deg_h; /* angular speed, degrees per hour */
    double amp_m;       /* amplitude */
    double phase_deg;   /* phase lag relative to the epoch */
} sim_constituent;

static const sim_constituent sim__constituents[] = {
    {"M2", 28.9841042, 0.50, 100.0},
    {"S2", 30.0000000, 0.18, 130.0},
    {"K1", 15.0410686, 0.12, 210.0},
    {"O1", 13.9430356, 0.08, 195.0},
};

#define SIM_TIDE_EPOCH_US INT64_C(946684800000000) /* 2000-01-01T00:00:00Z */
#define SIM_SURGE_M 0.04        /* non-tidal residual, m (1 sigma) */
#define SIM_SURGE_TAU_S 21600.0
#define SIM_ATM_MEAN_HPA 1013.0
#define SIM_ATM_SYN_HPA 6.0     /* synoptic pressure, hPa (1 sigma) */
#define SIM_ATM_TAU_S 86400.0
#define SIM_ATM_S2_HPA 1.0      /* semidiurnal atmospheric tide, maxima 10 h and 22 h solar */
#define SIM_IB_M_PER_HPA 0.01   /* inverse barometer */

double vg_sim_tide_astro_m(vg_time_us t)
{
    double hours = (double)(t - SIM_TIDE_EPOCH_US) / 3600e6;
    double h = 0;
    for (size_t i = 0; i < sizeof sim__constituents / sizeof sim__constituents[0]; i++) {
        const sim_constituent *c = &sim__constituents[i];
        /* reduce the argument in degrees before converting, to keep precision over decades */
        double arg = fmod(c->speed_deg_h * hours - c->phase_deg, 360.0);
        h += c->amp_m * cos(arg * SIM_DEG);
    }
    return h;
}

double vg_sim_tide_amplitude_sum_m(void)
{
    double s = 0;
    for (size_t i = 0; i < sizeof sim__constituents / sizeof sim__constituents[0]; i++)
        s += sim__constituents[i].amp_m;
    return s;
}

void vg_sim__tide_init(sim_tide *td, sim_rng *rng, vg_time_us start, double mean_level_m,
                       double lon_deg)
{
    td->mean_level_m = mean_level_m;
    td->lon_deg = lon_deg;
    vg_sim__smooth_init(&td->surge, rng);
    vg_sim__smooth_init(&td->atm, rng);
    td->t = start;
}

void vg_sim__tide_advance(sim_tide *td, sim_rng *rng, vg_time_us t, double *slev_m,
                          double *atms_hpa)
{
    double dt = t > td->t ? (double)(t - td->t) / 1e6 : 0.0;
    vg_sim__smooth_step(&td->surge, rng, dt, SIM_SURGE_TAU_S);
    vg_sim__smooth_step(&td->atm, rng, dt, SIM_ATM_TAU_S);
    if (t > td->t)
        td->t = t;
    int h, m, s;
    vg_time_to_fields(t, NULL, NULL, NULL, &h, &m, &s, NULL);
    double solar_h = fmod(h + m / 60.0 + s / 3600.0 + td->lon_deg / 15.0 + 48.0, 24.0);
    double syn_hpa = SIM_ATM_SYN_HPA * vg_sim__smooth_value(&td->atm);
    *atms_hpa = SIM_ATM_MEAN_HPA + syn_hpa +
                SIM_ATM_S2_HPA * cos(2.0 * 2.0 * SIM_PI * (solar_h - 10.0) / 24.0);
    double surge_m = SIM_SURGE_M * vg_sim__smooth_value(&td->surge);
    *slev_m = td->mean_level_m + vg_sim_tide_astro_m(t) + surge_m - SIM_IB_M_PER_HPA * syn_hpa;
}
