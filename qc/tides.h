/* tides.h: the tide of each tide-gauge station, for the residual tests (tide_residual): the
 * constituents file of every platform that names one (platforms[].constituents), read when
 * the plan is built (tide/constfile.h), owned by the plan, looked up by platform id. */
#ifndef VIGIE_QC_TIDES_H
#define VIGIE_QC_TIDES_H

#include <stddef.h>

#include "core/config.h"
#include "qc/test.h"
#include "tide/model.h"

/* The test that reads these models (qc/test_tide_residual.c). */
extern const vg_qc_test vg_qc_tide_residual;

typedef struct vg_qc_tide_station {
    char id[VG_PLATFORM_MAX]; /* platform id */
    vg_tide_model model;      /* its constituents, in metres */
} vg_qc_tide_station;

typedef struct vg_qc_tides {
    size_t n;
    vg_qc_tide_station *st; /* n stations, owned */
} vg_qc_tides;

/* Read the constituents file of every platform of cfg that names one. Errors are
 * VG_ERR_CONFIG "CONFIG:LINE: platforms[].constituents of 'ID': FILE:LINE: reason", also
 * when the file's units are not metres (SLEV is in m; units "" is taken as m). *out is
 * freed with vg_qc_tides_free. */
vg_err vg_qc_tides_load(const vg_config *cfg, vg_qc_tides **out, vg_errinfo *err);

void vg_qc_tides_free(vg_qc_tides *t);

/* The model of platform id, or NULL when it has none (t may be NULL). */
const vg_tide_model *vg_qc_tides_find(const vg_qc_tides *t, const char *id);

#endif
