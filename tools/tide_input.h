/* tide_input.h: the sea-level records that `vigie tide analyse` reads: CSV `time,sea_level`
 * (ISO 8601 times, an optional header line whose first column is "time", '#' comments and
 * blank lines skipped; an empty, "NaN" or "nan" height is a gap). */
#ifndef VIGIE_TOOLS_TIDE_INPUT_H
#define VIGIE_TOOLS_TIDE_INPUT_H

#include <stddef.h>

#include "core/error.h"
#include "core/time.h"

typedef struct vg_tide_record {
    size_t n;       /* rows */
    vg_time_us *t;  /* n times, owned */
    double *h;      /* n heights, NaN for a gap, owned */
} vg_tide_record;

/* Read path ("-" = standard input) into *rec (freed with vg_tide_record_free, also after a
 * failure). Errors are "PATH:LINE: reason" (VG_ERR_PARSE: a bad time or height or a line
 * without exactly two columns), VG_ERR_IO, VG_ERR_NOMEM. */
vg_err vg_tide_record_read_csv(const char *path, vg_tide_record *rec, vg_errinfo *err);

void vg_tide_record_free(vg_tide_record *rec);

#endif
