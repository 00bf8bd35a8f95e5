/* basis.c: per-day cache of f, u, V and the cos/sin basis of each constituent (basis.h). */
#include <math.h>

#include "tide/basis.h"

#define BASIS_US_PER_DAY INT64_C(86400000000)
#define BASIS_TWO_PI 6.283185307179586476925

void vg_tide_basis_init(vg_tide_basis *b, double lat_deg)
{
    b->lat_deg = lat_deg;
    b->apply_nodal = true;
    b->day = INT64_MIN;
}

void vg_tide_basis_eval(vg_tide_basis *b, vg_time_us t, const int *idx, size_t n, double *fc,
                        double *fs)
{
    int64_t day = t / BASIS_US_PER_DAY - (t % BASIS_US_PER_DAY < 0);
    if (day != b->day) {
        vg_tide_nodal_at(day * BASIS_US_PER_DAY + BASIS_US_PER_DAY / 2, b->lat_deg, &b->nodal);
        b->day = day;
    }
    double dt_h = (double)(t - b->nodal.t) / 3600e6;
    for (size_t j = 0; j < n; j++) {
        int k = idx[j];
        double phase0 = b->apply_nodal ? b->nodal.uv[k] : b->nodal.v[k];
        double f = b->apply_nodal ? b->nodal.f[k] : 1.0;
        double ang = (phase0 + fmod(b->nodal.freq[k] * dt_h, 1.0)) * BASIS_TWO_PI;
        fc[j] = f * cos(ang);
        fs[j] = f * sin(ang);
    }
}
