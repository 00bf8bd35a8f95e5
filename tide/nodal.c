/* nodal.c: f, u, V and frequencies of every constituent (tide/nodal.h). Main constituents:
 * V = Doodson numbers . astronomical variables + semi; f exp(2 pi i u) = 1 + sum over the
 * satellites of r exp(2 pi i (deldood . (p, N', p') + phcorr)), with r the amplitude ratio
 * times the latitude factor (1: 0.36309 (1 - 5 sin^2 lat) / sin lat, 2: 2.59808 sin lat).
 * Shallow-water compounds: V and u are the sums of their parts times the coefficients, f the
 * product of the parts' f to the power |coefficient| (Foreman 1977, section 2.1). */
#include <math.h>

#include "tide/astro.h"
#include "tide/nodal.h"

#define NODAL_TWO_PI 6.283185307179586476925

static void nodal__freqs(const vg_tide_astro *a, double *freq)
{
    for (int k = 0; k < VG_TIDE_NCONST; k++) {
        const vg_tide_const_info *c = &vg_tide_const[k];
        if (c->shal0 >= 0)
            continue;
        double f = 0;
        for (int i = 0; i < 6; i++)
            f += c->doodson[i] * a->rate[i];
        freq[k] = f / 24.0;
    }
    for (int k = 0; k < VG_TIDE_NCONST; k++) {
        const vg_tide_const_info *c = &vg_tide_const[k];
        if (c->shal0 < 0)
            continue;
        double f = 0;
        for (int j = c->shal0; j < c->shal0 + c->nshal; j++)
            f += vg_tide_shallow[j].coef * freq[vg_tide_shallow[j].iname];
        freq[k] = f;
    }
}

void vg_tide_freqs_at(vg_time_us t, double *freq_cph)
{
    vg_tide_astro a;
    vg_tide_astro_at(t, &a);
    nodal__freqs(&a, freq_cph);
}

static double nodal__frac(double x)
{
    x = fmod(x, 1.0);
    return x < 0 ? x + 1.0 : x;
}

void vg_tide_nodal_at(vg_time_us t, double lat_deg, vg_tide_nodal *out)
{
    vg_tide_astro a;
    vg_tide_astro_at(t, &a);
    out->t = t;
    nodal__freqs(&a, out->freq);

    double lat = lat_deg;
    if (fabs(lat) < 5.0)
        lat = lat < 0 ? -5.0 : 5.0;
    double slat = sin(lat * NODAL_TWO_PI / 360.0);
    double u[VG_TIDE_NCONST], v[VG_TIDE_NCONST];

    for (int k = 0; k < VG_TIDE_NCONST; k++) {
        const vg_tide_const_info *c = &vg_tide_const[k];
        if (c->shal0 >= 0)
            continue;
        double vk = c->semi;
        for (int i = 0; i < 6; i++)
            vk += c->doodson[i] * a.arg[i];
        v[k] = fmod(vk, 1.0);
        double re = 1.0, im = 0.0;
        for (int s = c->sat0; s >= 0 && s < c->sat0 + c->nsat; s++) {
            const vg_tide_sat_info *st = &vg_tide_sat[s];
            double r = st->amprat;
            if (st->ilatfac == 1)
                r *= 0.36309 * (1.0 - 5.0 * slat * slat) / slat;
            else if (st->ilatfac == 2)
                r *= 2.59808 * slat;
            double uu = st->phcorr + st->deldood[0] * a.arg[3] + st->deldood[1] * a.arg[4] +
                        st->deldood[2] * a.arg[5];
            uu = fmod(uu, 1.0) * NODAL_TWO_PI;
            re += r * cos(uu);
            im += r * sin(uu);
        }
        out->f[k] = hypot(re, im);
        u[k] = atan2(im, re) / NODAL_TWO_PI;
    }
    for (int k = 0; k < VG_TIDE_NCONST; k++) {
        const vg_tide_const_info *c = &vg_tide_const[k];
        if (c->shal0 < 0)
            continue;
        double fk = 1.0, uk = 0.0, vk = 0.0;
        for (int j = c->shal0; j < c->shal0 + c->nshal; j++) {
            const vg_tide_shallow_info *sh = &vg_tide_shallow[j];
            fk *= pow(out->f[sh->iname], fabs(sh->coef));
            uk += sh->coef * u[sh->iname];
            vk += sh->coef * v[sh->iname];
        }
        out->f[k] = fk;
        u[k] = uk;
        v[k] = vk;
    }
    for (int k = 0; k < VG_TIDE_NCONST; k++) {
        out->uv[k] = nodal__frac(u[k] + v[k]);
        out->v[k] = nodal__frac(v[k]);
    }
}
