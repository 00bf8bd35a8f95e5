/* samples.h: water samples (bottle salinities measured in a laboratory) that the
 * delayed-mode correction compares with a thermosalinograph series. Read from a CSV file
 * `time,lat,lon,salinity,qc` (docs/delayed-mode.md "Water sample files"): time ISO 8601
 * UTC, position in degrees (may be empty), salinity PSS-78, qc the sample's 0-9 flag. */
#ifndef VIGIE_DM_SAMPLES_H
#define VIGIE_DM_SAMPLES_H

#include <stddef.h>

#include "core/error.h"
#include "core/flags.h"
#include "core/time.h"

typedef struct vg_dm_samples {
    size_t n, cap;
    vg_time_us *time;   /* ascending (sorted on read) */
    double *lat_deg, *lon_deg; /* NaN = not given */
    double *value;      /* the reference value (salinity, PSS-78) */
    vg_flag *qc;        /* the sample's flag, 0-9 */
} vg_dm_samples;

/* An empty set. Free with vg_dm_samples_free. */
void vg_dm_samples_init(vg_dm_samples *s);
void vg_dm_samples_free(vg_dm_samples *s);

/* Append one sample (any order; vg_dm_samples_sort puts them in time order). */
vg_err vg_dm_samples_add(vg_dm_samples *s, vg_time_us t, double lat_deg, double lon_deg,
                         double value, vg_flag qc, vg_errinfo *err);

/* Sort by time (stable for equal times). */
void vg_dm_samples_sort(vg_dm_samples *s);

/* Read the CSV file `path` into s (initialised here). Blank lines and lines starting with
 * '#' are skipped; a first line starting with "time" is the header. Every other line must
 * have 5 fields: a bad line is VG_ERR_PARSE "PATH:LINE: reason" and nothing is returned.
 * A missing salinity ("", "nan") is kept as NaN (it will match nothing). */
vg_err vg_dm_samples_read_csv(const char *path, vg_dm_samples *s, vg_errinfo *err);

#endif
