/* rng.c: the simulator's pseudo-random numbers: xoshiro256** (Blackman & Vigna 2018)
 * seeded through splitmix64, uniform and normal (Box-Muller) variates, and the AR(1)
 * step of the red-noise processes. Self-contained so that a seed gives the same stream on
 * every machine and libc. */
#include <math.h>

#include "sim/sim_internal.h"

static uint64_t sim__splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t sim__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void vg_sim__rng_seed(sim_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * UINT64_C(0xD1B54A32D192ED03));
    for (int i = 0; i < 4; i++)
        r->s[i] = sim__splitmix64(&x);
    r->has_spare = false;
    r->spare = 0;
}

uint64_t vg_sim__rng_u64(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = sim__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sim__rotl(s[3], 45);
    return result;
}

double vg_sim__rng_uniform(sim_rng *r)
{
    return (double)(vg_sim__rng_u64(r) >> 11) * 0x1.0p-53;
}

double vg_sim__rng_range(sim_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * vg_sim__rng_uniform(r);
}

uint64_t vg_sim__rng_below(sim_rng *r, uint64_t n)
{
    /* Reject the lowest 2^64 mod n values so that x % n is exactly uniform. */
    uint64_t limit = (UINT64_MAX - n + 1) % n; /* 2^64 mod n */
    for (;;) {
        uint64_t x = vg_sim__rng_u64(r);
        if (x >= limit)
            return x % n;
    }
}

double vg_sim__rng_normal(sim_rng *r)
{
    if (r->has_spare) {
        r->has_spare = false;
        return r->spare;
    }
    double u1, u2;
    do
        u1 = vg_sim__rng_uniform(r);
    while (u1 <= 0.0);
    u2 = vg_sim__rng_uniform(r);
    double rad = sqrt(-2.0 * log(u1));
    r->spare = rad * sin(2.0 * SIM_PI * u2);
    r->has_spare = true;
    return rad * cos(2.0 * SIM_PI * u2);
}

double vg_sim__ou_step(sim_rng *r, double x, double dt_s, double tau_s)
{
    double z = vg_sim__rng_normal(r);
    if (dt_s <= 0.0 || tau_s <= 0.0)
        return x;
    double a = exp(-dt_s / tau_s);
    return a * x + sqrt(1.0 - a * a) * z;
}

void vg_sim__smooth_init(sim_smooth *s, sim_rng *r)
{
    /* stationary cascade of equal time scales: var x = 1, var y = 1/2, cov(x, y) = 1/2 */
    s->x = vg_sim__rng_normal(r);
    s->y = 0.5 * s->x + 0.5 * vg_sim__rng_normal(r);
}

void vg_sim__smooth_step(sim_smooth *s, sim_rng *r, double dt_s, double tau_s)
{
    double x0 = s->x;
    s->x = vg_sim__ou_step(r, s->x, dt_s, tau_s);
    if (dt_s > 0 && tau_s > 0) {
        double a = exp(-dt_s / tau_s);
        s->y = a * s->y + (1.0 - a) * 0.5 * (x0 + s->x); /* trapezoid on the driving state */
    }
}

double vg_sim__smooth_value(const sim_smooth *s) { return s->y * 1.4142135623730951; }
