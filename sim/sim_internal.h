/* sim_internal.h: the pieces of the generator shared between the files of sim/ and nowhere
 * else: the PRNG (rng.c), NMEA sentences (nmea.c), the ship track and its water masses
 * (track.c), the tide and weather of a gauge (tide.c) and the fault plan (faults.c).
 * Not a public interface: names are vg_sim__verb, types sim_*. */
#ifndef VIGIE_SIM_INTERNAL_H
#define VIGIE_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/simulate.h"

#define SIM_PI 3.14159265358979323846
#define SIM_DEG (SIM_PI / 180.0)

/* ---- rng.c: xoshiro256** seeded by splitmix64, normals by Box-Muller ------------------ */

typedef struct sim_rng {
    uint64_t s[4];
    double spare;   /* second normal of the last Box-Muller pair */
    bool has_spare;
} sim_rng;

/* Seed one independent stream: (seed, stream) pairs give unrelated sequences. */
void vg_sim__rng_seed(sim_rng *r, uint64_t seed, uint64_t stream);
uint64_t vg_sim__rng_u64(sim_rng *r);
/* Uniform in [0, 1), 53 random bits. */
double vg_sim__rng_uniform(sim_rng *r);
/* Uniform in [lo, hi). */
double vg_sim__rng_range(sim_rng *r, double lo, double hi);
/* Uniform integer in [0, n); n > 0 (no modulo bias). */
uint64_t vg_sim__rng_below(sim_rng *r, uint64_t n);
/* Standard normal N(0, 1). */
double vg_sim__rng_normal(sim_rng *r);

/* One step of a stationary AR(1) (Ornstein-Uhlenbeck) process of unit variance and time
 * scale tau_s over dt_s >= 0: exact discretisation. Draws one normal even when dt_s is 0,
 * so that the number of draws depends only on the number of calls. */
double vg_sim__ou_step(sim_rng *r, double x, double dt_s, double tau_s);

/* Smoothed red noise: y follows the AR(1) state x with the same time scale (a cascade of two
 * first-order filters), so y has continuous slopes like real ocean and weather signals.
 * init gives a stationary (x, y) pair from one normal; step advances y after x has been
 * stepped; value scales y to unit variance. */
typedef struct sim_smooth {
    double x, y;
} sim_smooth;

void vg_sim__smooth_init(sim_smooth *s, sim_rng *r);
void vg_sim__smooth_step(sim_smooth *s, sim_rng *r, double dt_s, double tau_s);
double vg_sim__smooth_value(const sim_smooth *s);

/* ---- nmea.c ----------------------------------------------------------------------- */

/* XOR of the bytes of s[0..len) (the text between '$' and '*'). */
unsigned vg_sim__nmea_checksum(const char *s, size_t len);

/* Write "$GPGGA,...*hh" / "$GPRMC,...*hh" for a fix at time t (UTC, hundredths of a second)
 * at lat/lon (degrees), with speed over ground (knots) and course (degrees true) for RMC.
 * Positions in ddmm.mmmm / dddmm.mmmm. Returns the length written (< cap), 0 if cap is
 * too small. */
size_t vg_sim__nmea_gga(char *buf, size_t cap, vg_time_us t, double lat_deg, double lon_deg);
size_t vg_sim__nmea_rmc(char *buf, size_t cap, vg_time_us t, double lat_deg, double lon_deg,
                        double sog_kn, double cog_deg);

/* ---- track.c: a ship on a great circle through fronts --------------------------------- */

#define SIM_FRONTS 8

typedef struct sim_front {
    double x_km;   /* along-track distance of the front's centre */
    double w_km;   /* half width (tanh scale) */
    double d_sal;  /* salinity step across it, PSU */
    double d_temp; /* temperature step across it, degC */
} sim_front;

typedef struct sim_track {
    double lat0_rad, lon0_rad, brg0_rad; /* start point and initial course of the great circle */
    double dist_m;                       /* distance run since the start */
    double lat_deg, lon_deg, course_deg; /* current position and course over ground */
    double cruise_kn;                    /* nominal speed */
    double speed_kn;                     /* current speed over ground */
    double speed_ou;                     /* unit AR(1) state of the speed fluctuation */
    sim_smooth temp_red, sal_red;        /* small-scale water variability (unit variance) */
    vg_time_us t;                        /* time of the state */
    double temp0_degC, sal0;             /* water at the start */
    sim_rng front_rng;                   /* fronts have their own stream: stopping does not
                                          * change the draws of the others */
    sim_front fronts[SIM_FRONTS];        /* the next fronts, ascending x_km */
    double done_sal, done_temp;          /* sum of the steps of the fronts behind */
} sim_track;

void vg_sim__track_init(sim_track *tr, sim_rng *rng, uint64_t seed, vg_time_us start,
                        double lat_deg, double lon_deg, double heading_deg, double speed_kn);
/* Move the ship to time t (>= tr->t); in_harbour makes it nearly stop (< 1 kn). Draws a
 * fixed number of normals per call from rng. */
void vg_sim__track_advance(sim_track *tr, sim_rng *rng, vg_time_us t, bool in_harbour);
/* True (noise-free) TSG-cell temperature (degC) and salinity (PSU) at the current state. */
void vg_sim__track_water(const sim_track *tr, double *temp_degC, double *sal);

/* ---- tide.c ------------------------------------------------------------------------ */

typedef struct sim_tide {
    double mean_level_m;
    double lon_deg;     /* for the local solar time of the atmospheric tide */
    sim_smooth surge;   /* non-tidal residual (unit variance) */
    sim_smooth atm;     /* synoptic pressure (unit variance) */
    vg_time_us t;
} sim_tide;

void vg_sim__tide_init(sim_tide *td, sim_rng *rng, vg_time_us start, double mean_level_m,
                       double lon_deg);
/* Advance to t (>= td->t) and give the true sea level (m above datum, with the inverse
 * barometer effect) and atmospheric pressure (hPa), without sensor noise. */
void vg_sim__tide_advance(sim_tide *td, sim_rng *rng, vg_time_us t, double *slev_m,
                          double *atms_hpa);

/* ---- faults.c: where the faults go ------------------------------------------------ */

typedef struct sim_spike {
    int64_t k;     /* sample index */
    int param;     /* vg_param */
    double offset; /* added to the value, in its units */
} sim_spike;

typedef enum sim_garbage_type {
    SIM_GARBAGE_RANDOM = 0, /* random bytes */
    SIM_GARBAGE_TRUNCATED,  /* a valid line cut short */
    SIM_GARBAGE_BAD,        /* raw: NMEA sentence with a wrong checksum; JSON: syntax error */
} sim_garbage_type;

typedef struct sim_garbage {
    int64_t k;             /* the line comes half an interval before sample k (k >= 1) */
    sim_garbage_type type;
} sim_garbage;

typedef struct sim_plan {
    sim_spike *spikes;     /* ascending k, owned */
    int n_spikes;
    sim_garbage *garbage;  /* ascending k, owned */
    int n_garbage;
} sim_plan;

/* Place the spikes and garbage lines of o over n samples of interval_us, away from stuck
 * and gap windows, from their own streams of o->seed. VG_ERR_RANGE when the record is too
 * short for them, VG_ERR_NOMEM. */
vg_err vg_sim__plan_make(sim_plan *p, const vg_sim_opts *o, int64_t n, int64_t interval_us,
                         vg_errinfo *err);
void vg_sim__plan_free(sim_plan *p);

/* Sample range [*k0, *k1) of a window for samples at k * interval_us after the start. */
void vg_sim__window_samples(const vg_sim_window *w, int64_t interval_us, int64_t n,
                            int64_t *k0, int64_t *k1);

/* Index of the window of ws[0..n) holding offset_us (microseconds after the start), -1 if
 * none. */
int vg_sim__window_find(const vg_sim_window *ws, int n, int64_t offset_us);

/* Stream numbers of vg_sim__rng_seed, one per concern. */
enum {
    SIM_STREAM_SIGNAL = 1,
    SIM_STREAM_FRONTS,
    SIM_STREAM_SPIKES,
    SIM_STREAM_GARBAGE_PLAN,
    SIM_STREAM_GARBAGE_TEXT,
};

#endif
