/* constituents.h: the tidal constituent table of Foreman's IOS package (tide3.dat, as
 * distributed with t_tide and UTide): 146 constituents with their Doodson numbers and phase
 * offsets, their satellites (nodal modulation, some latitude-dependent) and the shallow-water
 * compounds built from the main ones. Constituents are referred to by their index in the
 * table (0..VG_TIDE_NCONST-1), found by name with vg_tide_const_find(). */
#ifndef VIGIE_TIDE_CONSTITUENTS_H
#define VIGIE_TIDE_CONSTITUENTS_H

#include <stddef.h>

#define VG_TIDE_NCONST 146

/* Index of the constituent called name (standard names, case-sensitive: "M2", "2MS6",
 * "LDA2"...), or -1 when no constituent has that name. "Z0" (the mean) is index 0 and is
 * never a fitted constituent. */
int vg_tide_const_find(const char *name);

/* Name of constituent k (a static string; "?" when k is out of range). */
const char *vg_tide_const_name(int k);

/* Index of constituent k's Rayleigh comparison constituent (Foreman's "kmpr"), or -1 when k
 * is not in the standard set that the automatic selection draws from (Z0 and the
 * shallow-water constituents without a comparison partner). */
int vg_tide_const_compare(int k);

/* Read-only description of constituent k, for the astronomical arguments and nodal
 * corrections (tide/nodal.c). Fields are those of tide3.dat. */
typedef struct vg_tide_const_info {
    const char *name;
    signed char doodson[6]; /* multiples of tau, s, h, p, N', p' (main constituents) */
    double semi;            /* phase offset, cycles */
    short kmpr;             /* comparison constituent, -1: none */
    short sat0, nsat;       /* satellites vg_tide_sat[sat0 .. sat0+nsat), sat0 -1: none */
    short shal0, nshal;     /* compound: vg_tide_shallow[shal0 .. shal0+nshal), -1: main */
} vg_tide_const_info;

typedef struct vg_tide_sat_info {
    signed char deldood[3]; /* multiples of p, N', p' added to the main constituent's */
    double phcorr;          /* phase correction, cycles */
    double amprat;          /* amplitude ratio to the main constituent */
    int ilatfac;            /* 0: none, 1: diurnal latitude factor, 2: semidiurnal */
} vg_tide_sat_info;

typedef struct vg_tide_shallow_info {
    double coef; /* multiple of the main constituent (may be negative or 3.5 for M7) */
    int iname;   /* index of that main constituent */
} vg_tide_shallow_info;

extern const vg_tide_const_info vg_tide_const[VG_TIDE_NCONST];
extern const vg_tide_sat_info vg_tide_sat[];
extern const vg_tide_shallow_info vg_tide_shallow[];

#endif
