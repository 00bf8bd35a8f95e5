/* astro.h: the astronomical variables of tidal analysis (Doodson's tau, s, h, p, N', p') and
 * their rates at a UTC time, from the polynomials of the Explanatory Supplement to the
 * Astronomical Ephemeris (1961) as Foreman's package, t_tide (t_astron) and UTide
 * (ut_astron) use them. UTC is used for ephemeris time, as they do (the difference, about
 * one minute, moves the Moon by less than 0.01 degree). */
#ifndef VIGIE_TIDE_ASTRO_H
#define VIGIE_TIDE_ASTRO_H

#include "core/time.h"

typedef struct vg_tide_astro {
    /* tau (mean lunar time), s (Moon's mean longitude), h (Sun's), p (lunar perigee),
     * N' (negative of the longitude of the Moon's ascending node), p' (perihelion):
     * fractions of a cycle in (-1, 1) */
    double arg[6];
    double rate[6]; /* their time derivatives, cycles per day */
} vg_tide_astro;

/* Fill *out for the UTC time t (any time of the years 1900..2199 is meaningful). */
void vg_tide_astro_at(vg_time_us t, vg_tide_astro *out);

#endif
