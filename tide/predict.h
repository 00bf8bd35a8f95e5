/* predict.h: tide prediction from a constituent set: h(t) = z0 + sum f A cos(u + V - g),
 * with f, u, V of each UTC day (tide/basis.h). A predictor keeps the per-day cache, so a run
 * of increasing times costs one cos/sin pair per constituent and point. */
#ifndef VIGIE_TIDE_PREDICT_H
#define VIGIE_TIDE_PREDICT_H

#include <stddef.h>

#include "core/error.h"
#include "core/time.h"
#include "tide/basis.h"
#include "tide/model.h"

typedef struct vg_tide_predictor {
    vg_tide_basis basis;
    double z0;                   /* model units */
    size_t n;                    /* constituents */
    int idx[VG_TIDE_NCONST];     /* their indices */
    double a[VG_TIDE_NCONST];    /* A cos g */
    double b[VG_TIDE_NCONST];    /* A sin g */
    double fc[VG_TIDE_NCONST], fs[VG_TIDE_NCONST]; /* scratch */
    /* A NOS model (tide/nos.h): MM and MF get NOS's f and u instead of Foreman's. */
    size_t n_nos;                /* 0..2 */
    size_t nos_j[2];             /* their positions in idx */
    int64_t nos_day;             /* UTC day of the cached rotation, INT64_MIN: none */
    double nos_c[2], nos_s[2];   /* f_NOS / f_Foreman x cos u, sin u of that day */
} vg_tide_predictor;

/* Prepare a predictor from model m (copied: m may be freed afterwards). A model in NOS's
 * convention (m->convention) is converted to Foreman's here (SA, S1, R2) and predicted with
 * NOS's node factors for MM and MF (tide/nos.h). VG_ERR_INVAL when the latitude is not in
 * -90..90, a constituent index is invalid, Z0 or repeated. */
vg_err vg_tide_predictor_init(vg_tide_predictor *p, const vg_tide_model *m, vg_errinfo *err);

/* The predicted height at UTC time t, in the model's units. */
double vg_tide_predict_at(vg_tide_predictor *p, vg_time_us t);

#endif
