/* external.h: the external samples of a GOSUD file: reference measurements taken beside
 * the thermosalinograph (water samples analysed in a laboratory), written in their own
 * dimension DAYD_EXT with the _EXT variables, as TSGQC writes them (docs/export.md
 * "External samples"). Handed to vg_export_write through vg_export_options.external by
 * the delayed-mode layer, which reads the sample files (dm/samples.h). */
#ifndef VIGIE_EXPORT_EXTERNAL_H
#define VIGIE_EXPORT_EXTERNAL_H

#include <stddef.h>

#include "core/flags.h"
#include "core/params.h"
#include "core/time.h"

typedef struct vg_external {
    vg_param param;             /* what the samples measure: SSPS, SSJT or SSTP */
    size_t n;                   /* samples; 0: nothing written */
    const vg_time_us *time;     /* n times, ascending (borrowed, like every array here) */
    const double *lat_deg;      /* n latitudes, degrees north; NaN = not given */
    const double *lon_deg;      /* n longitudes, degrees east; NaN = not given */
    const double *value;        /* n values in the parameter's units; NaN = none */
    const vg_flag *qc;          /* n flags of the samples, 0-9 */
    const char *type;           /* P_EXT_TYPE of every sample, up to 4 characters: "WS"
                                 * water sample (TSGQC's code) */
} vg_external;

#endif
