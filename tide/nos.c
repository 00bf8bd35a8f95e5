/* nos.c: NOAA (Schureman/NOS) constituents in Foreman's system (tide/nos.h). */
#include <math.h>
#include <string.h>

#include "tide/constituents.h"
#include "tide/nos.h"

int vg_tide_nos_alias(const char *name)
{
    static const char *const alias[][2] = {
        {"RHO", "RHO1"}, {"LAM2", "LDA2"}, {"M1", "NO1"}, {"2MK3", "MO3"}};
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (strcmp(name, alias[i][0]) == 0)
            return vg_tide_const_find(alias[i][1]);
    return -1;
}

void vg_tide_nos_to_foreman(int k, double *amp, double *phase_deg)
{
    const char *name = vg_tide_const_name(k);
    if (!name)
        return;
    if (strcmp(name, "SA") == 0) {
        *phase_deg += 77.1; /* Foreman's SA argument is h - p', NOS's h: 77.1 = 360 - p' */
    } else if (strcmp(name, "S1") == 0) {
        *phase_deg -= 154.3; /* S1 and R2 carry satellites in Foreman's table, f about */
        *amp /= 0.699;       /* 0.70 and 1.23, none in NOS's */
    } else if (strcmp(name, "R2") == 0) {
        *phase_deg += 5.1;
        *amp /= 1.233;
    }
}

bool vg_tide_nos_nodal(int k, double n_rad, double *f, double *u_deg)
{
    const char *name = vg_tide_const_name(k);
    if (!name)
        return false;
    if (strcmp(name, "MM") == 0) {
        *f = 1.000 - 0.130 * cos(n_rad);
        *u_deg = 0.0;
        return true;
    }
    if (strcmp(name, "MF") == 0) {
        *f = 1.043 + 0.414 * cos(n_rad);
        *u_deg = -23.7 * sin(n_rad) + 2.7 * sin(2 * n_rad) - 0.4 * sin(3 * n_rad);
        return true;
    }
    return false;
}
