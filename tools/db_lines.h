/* db_lines.h: the JSON-lines format of `vigie db export` and `vigie db import`: one sample
 * per line, whole and exact (docs/storage.md, "Export and import"):
 *   {"platform":"P","time":T,"received":R,"lat":LAT,"lon":LON,"pos_qc":[AGG,ID,FLAG,...],
 *    "time_qc":[...],"values":{"SLEV":[VALUE,AGG,ID,FLAG,...],...},"raw":"HEX"}
 * T and R are vg_time_us integers (R null when unknown); LAT, LON and VALUE are %.17g
 * (exact round trip) or null for NaN; each flag list is the aggregate, then (test id, flag)
 * pairs for every test whose flag is not 0; raw is the frame in hexadecimal. */
#ifndef VIGIE_TOOLS_DB_LINES_H
#define VIGIE_TOOLS_DB_LINES_H

#include <stdio.h>

#include "core/error.h"
#include "core/sample.h"

/* Write smp as one line (with its newline) to out; -1 on a write error. */
int vg_db_line_write(FILE *out, const vg_sample *smp);

/* Parse one line (no newline) into *smp; its raw frame is decoded into raw[0..raw_cap)
 * and smp->raw points there. VG_ERR_PARSE with err naming the field on a malformed line. */
vg_err vg_db_line_read(const char *line, size_t len, vg_sample *smp, char *raw, size_t raw_cap,
                       vg_errinfo *err);

#endif
