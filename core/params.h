/* params.h: the parameters vigie knows, by their GOSUD / Copernicus in-situ codes, with
 * units and CF standard names. A parameter is an index into fixed arrays of a sample, so
 * the per-sample hot path never looks a name up. The codes are stable: they are stored in
 * the database keys. */
#ifndef VIGIE_CORE_PARAMS_H
#define VIGIE_CORE_PARAMS_H

#include <stddef.h>

typedef enum vg_param {
    VG_P_TEMP = 0, /* sea temperature, degC (moorings, ferryboxes) */
    VG_P_PSAL,     /* practical salinity, PSS-78 (moorings, ferryboxes) */
    VG_P_CNDC,     /* electrical conductivity, S/m */
    VG_P_PRES,     /* sea pressure, dbar (TSG cell pressure, mooring depth) */
    VG_P_SSJT,     /* TSG-cell (jacket) temperature, degC */
    VG_P_SSTP,     /* intake (true sea surface) temperature, degC */
    VG_P_SSPS,     /* TSG practical salinity, PSS-78 */
    VG_P_FLOW,     /* TSG water flow, l/min */
    VG_P_SPDC,     /* ship speed over ground, knots */
    VG_P_SLEV,     /* sea level above the station datum, m */
    VG_P_BPRS,     /* bottom pressure, dbar */
    VG_P_ATMS,     /* atmospheric pressure at sea level, hPa */
    VG_P_SVEL,     /* sound velocity, m/s */
    VG_P_HCRS,     /* ship course over ground, degrees true */
    VG_P__COUNT
} vg_param;

typedef enum vg_param_family {
    VG_FAM_TEMPERATURE,
    VG_FAM_SALINITY,
    VG_FAM_CONDUCTIVITY,
    VG_FAM_PRESSURE,
    VG_FAM_SEA_LEVEL,
    VG_FAM_OTHER,
} vg_param_family;

typedef struct vg_param_info {
    const char *code;          /* "SSJT" */
    const char *units;         /* "degree_Celsius" (UDUNITS) */
    const char *standard_name; /* CF standard name, or NULL */
    const char *long_name;
    vg_param_family family;
} vg_param_info;

/* Static description of p; NULL when p is out of range. */
const vg_param_info *vg_param_get(vg_param p);

/* Index of the parameter whose code is s[0..len) (case-sensitive); -1 if unknown. */
int vg_param_lookup(const char *s, size_t len);

/* Bit of p in a parameter set (uint32_t). */
#define VG_PARAM_BIT(p) (1u << (unsigned)(p))

#endif
