/* nodal.h: for every constituent at one UTC time and latitude: the nodal/satellite amplitude
 * factor f, the phase correction u plus the astronomical argument V (Greenwich), and the
 * frequency, following Foreman (1977) as t_tide (t_vuf) and UTide (ut_FUV) compute them.
 * Satellites with a latitude factor use the station latitude (clamped to |lat| >= 5 degrees
 * as t_tide and UTide do). Analysis and prediction evaluate this once per UTC day, at noon,
 * and advance the argument linearly with the frequency within the day (tide/basis.h). */
#ifndef VIGIE_TIDE_NODAL_H
#define VIGIE_TIDE_NODAL_H

#include "core/time.h"
#include "tide/constituents.h"

typedef struct vg_tide_nodal {
    vg_time_us t;                 /* time of evaluation */
    double f[VG_TIDE_NCONST];     /* amplitude factor, around 1 */
    double uv[VG_TIDE_NCONST];    /* u + V, cycles, reduced to [0, 1) */
    double v[VG_TIDE_NCONST];     /* V alone, cycles, reduced to [0, 1) */
    double freq[VG_TIDE_NCONST];  /* frequency, cycles per hour */
} vg_tide_nodal;

/* Fill *out for time t and latitude lat_deg (-90..90, degrees north). */
void vg_tide_nodal_at(vg_time_us t, double lat_deg, vg_tide_nodal *out);

/* Frequencies only (cycles per hour) of every constituent at time t, into freq_cph[146]. */
void vg_tide_freqs_at(vg_time_us t, double *freq_cph);

#endif
