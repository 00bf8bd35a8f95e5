/* basis.h: the harmonic basis of analysis and prediction: for constituent k at time t,
 * f_k cos(2 pi (u_k + V_k)) and f_k sin(...), with f, u and V evaluated once per UTC day (at
 * noon, tide/nodal.h, cached here) and V advanced linearly with the frequency within the
 * day. Over +-12 h the neglected curvature of V is below 1e-6 degree and the change of f
 * and u below 1e-4, so this is UTide's "exact times" treatment in practice. */
#ifndef VIGIE_TIDE_BASIS_H
#define VIGIE_TIDE_BASIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tide/nodal.h"

typedef struct vg_tide_basis {
    double lat_deg;     /* station latitude, degrees north */
    bool apply_nodal;   /* false: f = 1, u = 0 (raw Greenwich phases, for comparisons) */
    int64_t day;        /* UTC day (days since 1970) of the cached nodal, INT64_MIN: none */
    vg_tide_nodal nodal;
} vg_tide_basis;

/* A basis with nodal corrections (b->apply_nodal may be set false afterwards). */
void vg_tide_basis_init(vg_tide_basis *b, double lat_deg);

/* For the constituents idx[0..n) at time t: fc[j] = f cos(2 pi (u + V)) and
 * fs[j] = f sin(2 pi (u + V)) (unitless). Any order of times works; sorted times reuse the
 * cached day. */
void vg_tide_basis_eval(vg_tide_basis *b, vg_time_us t, const int *idx, size_t n, double *fc,
                        double *fs);

#endif
