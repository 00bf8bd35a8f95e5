/* tide_input.h: the sea-level records that `vigie tide analyse` and `check` read: CSV
 * `time,sea_level` (ISO 8601 times, an optional header line whose first column is "time",
 * '#' comments and blank lines skipped; an empty, "NaN" or "nan" height is a gap), or the
 * SLEV of a Copernicus in-situ (or GOSUD) NetCDF file, read with export/'s reader. */
#ifndef VIGIE_TOOLS_TIDE_INPUT_H
#define VIGIE_TOOLS_TIDE_INPUT_H

#include <stddef.h>

#include "core/error.h"
#include "core/time.h"

typedef struct vg_tide_record {
    size_t n;       /* rows */
    vg_time_us *t;  /* n times, owned */
    double *h;      /* n heights, NaN for a gap, owned */
    double lat_deg; /* NetCDF: the first known latitude of the file, degrees; NaN for CSV */
    char platform[32]; /* NetCDF: the file's platform code; "" for CSV */
} vg_tide_record;

/* Read path ("-" = standard input) into *rec (freed with vg_tide_record_free, also after a
 * failure). Errors are "PATH:LINE: reason" (VG_ERR_PARSE: a bad time or height or a line
 * without exactly two columns), VG_ERR_IO, VG_ERR_NOMEM. */
vg_err vg_tide_record_read_csv(const char *path, vg_tide_record *rec, vg_errinfo *err);

/* Read a NetCDF file (Copernicus in-situ, OceanSITES-like TIME; or GOSUD) with
 * vg_export_read: its SLEV column in metres; values whose QC flag is 3 or 4 (probably bad,
 * bad) become gaps, and so do fill values. Errors: the reader's ("PATH: VARIABLE: ..."),
 * VG_ERR_NOTFOUND "PATH: no SLEV variable", VG_ERR_NOMEM. */
vg_err vg_tide_record_read_nc(const char *path, vg_tide_record *rec, vg_errinfo *err);

/* A NetCDF file (by its first bytes: "CDF\1", "CDF\2", "CDF\5" or HDF5's signature) goes
 * to vg_tide_record_read_nc, anything else (and "-") to vg_tide_record_read_csv. */
vg_err vg_tide_record_read(const char *path, vg_tide_record *rec, vg_errinfo *err);

void vg_tide_record_free(vg_tide_record *rec);

#endif
