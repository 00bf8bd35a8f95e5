/* analysis.h: harmonic analysis of a sea-level record: the constituents resolvable by the
 * Rayleigh criterion (or a given set), a least-squares fit of the mean and one cos/sin pair
 * per constituent with the nodal corrections and astronomical arguments of each time
 * (tide/basis.h), giving amplitude, Greenwich phase and their 95 % confidence intervals from
 * the residual (linearised white-noise estimate, docs/tide.md). */
#ifndef VIGIE_TIDE_ANALYSIS_H
#define VIGIE_TIDE_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/time.h"
#include "tide/model.h"

/* Automatic selection (as t_tide and UTide "auto"): the constituents of the standard set
 * whose frequency differs from their comparison constituent's by at least
 * rayleigh / span_h cycles per hour (span_h: record length in hours, > 0; rayleigh > 0,
 * 1 the classical criterion). Writes at most cap indices, in table (frequency) order, to
 * out, and their number to *n. Frequencies are those at time t_mid. */
void vg_tide_select(double span_h, double rayleigh, vg_time_us t_mid, int *out, size_t cap,
                    size_t *n);

typedef struct vg_tide_analysis_opts {
    double latitude_deg;     /* station latitude, -90..90 (nodal satellites) */
    double rayleigh;         /* Rayleigh factor of the automatic selection, > 0 (default 1) */
    const int *constituents; /* the set to fit, or NULL for the automatic selection */
    size_t n_constituents;
    bool no_nodal;           /* true: no nodal/satellite corrections (f = 1, u = 0), as
                              * t_tide without a latitude; for comparisons only: the model
                              * then predicts correctly only near the analysed record */
} vg_tide_analysis_opts;

/* Fit the heights h[0..n) at the UTC times t[0..n) (any order, NaN heights skipped: gaps
 * need no special care). The units of the heights are the model's. Fills *out (which the
 * caller frees with vg_tide_model_free) with the constituents in frequency order, z0, the
 * residual RMS and the record span. Errors: VG_ERR_INVAL (bad latitude or Rayleigh factor,
 * a constituent index out of range, Z0 or a duplicate in the set), VG_ERR_RANGE (too few
 * finite heights for the number of unknowns, or a singular system: constituents that the
 * record cannot separate), VG_ERR_NOMEM. */
vg_err vg_tide_analyse(const vg_time_us *t, const double *h, size_t n,
                       const vg_tide_analysis_opts *opts, vg_tide_model *out, vg_errinfo *err);

#endif
