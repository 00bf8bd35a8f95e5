/* model.h: a station's tide as a set of constituents: amplitude and Greenwich phase lag of
 * each, the mean z0, the latitude (for the nodal corrections) and the units of the heights.
 * Produced by the analysis (tide/analysis.h) or read from a constituents file
 * (tide/constfile.h), used by the prediction (tide/predict.h). */
#ifndef VIGIE_TIDE_MODEL_H
#define VIGIE_TIDE_MODEL_H

#include <stddef.h>

#include "core/error.h"
#include "core/time.h"

typedef struct vg_tide_coef {
    int k;               /* constituent index (tide/constituents.h) */
    double freq_cph;     /* frequency, cycles per hour (informative) */
    double amp;          /* amplitude, in the model's units, >= 0 */
    double phase_deg;    /* Greenwich phase lag g, degrees in [0, 360) */
    double amp_ci;       /* 95 % confidence half-width of amp, NaN when unknown */
    double phase_ci_deg; /* 95 % confidence half-width of the phase, degrees, NaN unknown */
} vg_tide_coef;

#define VG_TIDE_STATION_LEN 64
#define VG_TIDE_UNITS_LEN 16

/* The system the constituents are given in: Foreman's (t_tide, UTide, vigie's own analysis)
 * or Schureman's (NOS: NOAA's published tables; tide/nos.h). */
typedef enum vg_tide_convention { VG_TIDE_FOREMAN = 0, VG_TIDE_NOS } vg_tide_convention;

typedef struct vg_tide_model {
    char station[VG_TIDE_STATION_LEN]; /* free text, may be empty */
    char units[VG_TIDE_UNITS_LEN];     /* units of amp and z0 ("m", "mm"...), may be empty */
    double latitude_deg;               /* -90..90 */
    double z0;                         /* mean level; 0 when the file gives none */
    vg_tide_convention convention;     /* of amp and phase: as given (a file's
                                          `convention:`), converted by the prediction */
    size_t n;                          /* number of constituents */
    vg_tide_coef *coef;                /* n entries, owned by the model */
    /* set by the analysis only (0 / NaN otherwise): */
    size_t n_used;                     /* heights used (finite ones) */
    double residual_rms;               /* RMS of observed minus fitted, model units */
    double rayleigh;                   /* Rayleigh factor of the selection, NaN: given set */
    vg_time_us t_first, t_last;        /* span of the record analysed */
} vg_tide_model;

/* An empty model (no constituent, z0 0, latitude NaN). */
void vg_tide_model_init(vg_tide_model *m);

/* Free the constituents and reset *m to empty. NULL is allowed. */
void vg_tide_model_free(vg_tide_model *m);

/* Append a constituent (the array grows); VG_ERR_NOMEM on allocation failure. */
vg_err vg_tide_model_add(vg_tide_model *m, const vg_tide_coef *c);

#endif
