/* constfile.h: the constituents file, YAML a person can also write from published tables
 * (docs/tide.md): station, latitude, units, phase: greenwich, optional z0, and constituents,
 * a list of {name: M2, amplitude: 0.171, phase: 59.4} (optional amplitude_ci, phase_ci).
 * Read with line-numbered errors; written by `vigie tide analyse` with libyaml's emitter. */
#ifndef VIGIE_TIDE_CONSTFILE_H
#define VIGIE_TIDE_CONSTFILE_H

#include <stdio.h>

#include "core/error.h"
#include "tide/model.h"

/* Read the constituents file at path into *out (freed by the caller with
 * vg_tide_model_free; empty on failure). Errors are "PATH:LINE: reason": VG_ERR_IO (cannot
 * open), VG_ERR_PARSE (not YAML, wrong shape, unknown key, unknown constituent name, a
 * value that is not a number), VG_ERR_RANGE (latitude beyond -90..90, negative amplitude,
 * a constituent twice), VG_ERR_NOMEM. */
vg_err vg_tide_model_read(const char *path, vg_tide_model *out, vg_errinfo *err);

/* Write m to f as a constituents file. header (may be NULL) is written first as '#'
 * comment lines (one per '\n'-separated line). name names f in errors. VG_ERR_IO on a
 * write error. */
vg_err vg_tide_model_write(const vg_tide_model *m, FILE *f, const char *name,
                           const char *header, vg_errinfo *err);

#endif
