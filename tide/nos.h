/* nos.h: NOAA's constituents in vigie's (Foreman's) system. NOAA CO-OPS publishes harmonic
 * constants computed in Schureman's (NOS) system: four names differ (RHO, LAM2, M1, 2MK3),
 * three constituents have other arguments (SA, S1, R2: Wallner's conversion), and MM and MF
 * get node factors that Foreman's table does not give them. A constituents file with
 * `convention: nos` (tide/constfile.h) is read with these and predicted with them
 * (tide/predict.h), so that a table copied from NOAA's page predicts NOAA's tide
 * (docs/tide.md, "NOAA tables"). */
#ifndef VIGIE_TIDE_NOS_H
#define VIGIE_TIDE_NOS_H

#include <stdbool.h>

/* Foreman's index of NOAA's name for a constituent that Foreman's table names otherwise
 * (RHO -> RHO1, LAM2 -> LDA2, M1 -> NO1, 2MK3 -> MO3), or -1 for any other name. */
int vg_tide_nos_alias(const char *name);

/* Amplitude and Greenwich phase (degrees) of constituent k as published by NOS, converted
 * in place to Foreman's system: SA phase + 77.1; S1 phase - 154.3, amplitude / 0.699; R2
 * phase + 5.1, amplitude / 1.233 (Wallner's recipe, inverted, as quoted in XTide's
 * congen_input.txt); any other constituent unchanged. */
void vg_tide_nos_to_foreman(int k, double *amp, double *phase_deg);

/* NOS's node factor f and nodal angle u (degrees) of constituent k with the Moon's node at
 * longitude n_rad (radians, N, not Foreman's N' = -N): MM f = 1 - 0.130 cos N, u = 0; MF
 * f = 1.043 + 0.414 cos N, u = -23.7 sin N + 2.7 sin 2N - 0.4 sin 3N (Pugh 1987, Tides,
 * Surges and Mean Sea-Level, table 4.3, after Schureman). false (f, u untouched) for any
 * other constituent, whose f and u are Foreman's. */
bool vg_tide_nos_nodal(int k, double n_rad, double *f, double *u_deg);

#endif
