/* ncfile.h: what the NetCDF writers and readers of export/ share: creating a file under a
 * temporary name in its final directory and renaming it only once it is complete (so a
 * reader or an upload never sees half a file), the format choice (NetCDF-4 classic model
 * with deflate, or the classic 64-bit-offset format), netCDF-C error reporting, attribute
 * shorthands and the epoch conversion "days since 1950-01-01T00:00:00Z". */
#ifndef VIGIE_EXPORT_NCFILE_H
#define VIGIE_EXPORT_NCFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/time.h"

/* Microseconds from 1950-01-01T00:00:00Z to the POSIX epoch. */
#define VG_NC_EPOCH_1950_US (INT64_C(7305) * 86400 * VG_US_PER_S)

/* vg_time_us <-> days since 1950-01-01T00:00:00Z (double). The way back rounds to the
 * nearest microsecond: a time written and read again is the same up to 2129 (2^16 days
 * after 1950; later, a double of days holds 1.3 us steps). */
double vg_nc_days1950(vg_time_us t);
vg_time_us vg_nc_from_days1950(double days);

/* A NetCDF file being written: nc id, and the temporary and final paths (owned). */
typedef struct vg_ncfile {
    int ncid;
    bool classic;     /* classic 64-bit-offset format: no compression, no chunking */
    int deflate;      /* 0..9: deflate level of every variable (NetCDF-4 only) */
    char *tmp_path;   /* DIR/.NAME.tmp.PID */
    char *final_path; /* DIR/NAME */
} vg_ncfile;

/* Create final_path's temporary sibling, in define mode. classic: the 64-bit-offset
 * format; else NetCDF-4 classic model with `deflate` (0..9, with the shuffle filter). */
vg_err vg_ncfile_create(vg_ncfile *f, const char *final_path, bool classic, int deflate,
                        vg_errinfo *err);

/* Define a variable of type `type` over dims[0..ndims) with chunking along the first
 * dimension (chunk_rows rows, NetCDF-4 only) and the file's deflate. */
vg_err vg_ncfile_def_var(vg_ncfile *f, const char *name, int type, int ndims, const int *dims,
                         size_t chunk_rows, int *varid, vg_errinfo *err);

/* Close the netCDF handle of f and keep the temporary file, for a writer that stores the
 * variables' data with HDF5 itself (h5chunk.h) on f->tmp_path before vg_ncfile_commit.
 * VG_ERR_IO (the file is removed, as vg_ncfile_abort). */
vg_err vg_ncfile_close_nc(vg_ncfile *f, vg_errinfo *err);

/* Close (unless vg_ncfile_close_nc did), fsync and rename the temporary file onto
 * final_path (replacing an older file),
 * then fsync the directory. Frees the paths. On failure the temporary file is removed. */
vg_err vg_ncfile_commit(vg_ncfile *f, vg_errinfo *err);

/* Close and remove the temporary file; frees the paths. Safe after a failed create. */
void vg_ncfile_abort(vg_ncfile *f);

/* Fail with VG_ERR_IO "what: netCDF message" when status is not NC_NOERR. */
vg_err vg_nc_check(int status, const char *what, vg_errinfo *err);

/* Attribute shorthands (varid may be NC_GLOBAL); they return a netCDF status. */
int vg_nc_text(int ncid, int varid, const char *name, const char *text);
int vg_nc_textf(int ncid, int varid, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int vg_nc_double(int ncid, int varid, const char *name, double v);
int vg_nc_float(int ncid, int varid, const char *name, float v);
int vg_nc_byte(int ncid, int varid, const char *name, signed char v);

/* Flag attributes of a 0-9 QC variable: flag_values (bytes 0..9), flag_meanings (the
 * reference table 2 words shared by GOSUD, Argo and Copernicus), valid_min 0, valid_max 9;
 * harbour: the meaning of 6 ("harbour" in GOSUD, "value_below_detection" elsewhere). */
int vg_nc_flag_attrs(int ncid, int varid, const char *meaning6);

/* Format t as "YYYY-MM-DDThh:mm:ssZ" (whole seconds, rounded down) into buf (>= 21 bytes),
 * or "yyyymmddHHMMSS" (compact, >= 15 bytes). */
char *vg_nc_iso_seconds(vg_time_us t, char *buf);
char *vg_nc_compact(vg_time_us t, char *buf);

#endif
