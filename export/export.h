/* export.h: vigie's NetCDF exports and their read-back (docs/export.md).
 * Two formats: GOSUD v3 (thermosalinograph trajectories, the format of TSGQC and of the
 * Coriolis GOSUD centre; flag 6 "harbour" kept) and Copernicus Marine in-situ TAC /
 * OceanSITES time series (moorings, tide gauges, ferryboxes; flag 6 written as
 * export.harbour_flag_as). A series (series.h) goes in; one file comes out, written under
 * a temporary name in its directory and renamed when complete. */
#ifndef VIGIE_EXPORT_EXPORT_H
#define VIGIE_EXPORT_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/error.h"
#include "export/adjusted.h"
#include "export/external.h"
#include "export/series.h"

typedef enum vg_export_format {
    VG_EXPORT_GOSUD = 0, /* GOSUD v3 */
    VG_EXPORT_INSTAC,    /* Copernicus Marine in-situ TAC / OceanSITES time series */
    VG_EXPORT__COUNT
} vg_export_format;

/* "gosud", "instac"; NULL when out of range. */
const char *vg_export_format_name(vg_export_format f);
/* The format named s, or -1. */
int vg_export_format_lookup(const char *s);

typedef struct vg_export_options {
    vg_export_format format;
    bool classic;         /* classic 64-bit-offset format instead of NetCDF-4 classic model */
    int deflate;          /* 0..9, NetCDF-4 only (default 1: see docs/export.md) */
    char data_mode;       /* 'R' real time (default) or 'D' delayed mode, asserted by the operator;
                           * INSTAC also 'A' (adjusted) */
    int harbour_flag_as;  /* 3 or 4: flag 6 in INSTAC files (export.harbour_flag_as) */
    double depth_m;       /* INSTAC: nominal depth of the sensors (DEPH), metres, >= 0 */
    const vg_platform_cfg *platform; /* optional: name, kind, fixed position, PIs */
    vg_time_us now;       /* creation time written in the file (0: the clock) */
    const vg_adjusted *adjusted; /* optional (borrowed): the delayed-mode adjustment (dm/) of
                                  * the series' rows; NULL: none. GOSUD: P_ADJUSTED*;
                                  * INSTAC: the adjusted value in P, data mode in P_DM */
    const vg_external *external; /* GOSUD, optional (borrowed): water samples written as
                                  * DAYD_EXT and P_EXT*; NULL or n 0: none */
    /* GOSUD, optional: when set, the adjustment's flags and history (adjusted->qc,
     * adjusted->hist) may still be being computed (on another thread) when the write
     * starts; its n, value and error columns and processing_states must be final. The
     * writer then writes every other variable first, calls await_adjusted (which returns
     * once they are complete, or an error that fails the write), then _ADJUSTED_QC and
     * _ADJUSTED_HIST. NULL: everything is ready, the usual order. */
    vg_err (*await_adjusted)(void *ctx, vg_errinfo *err);
    void *await_ctx;
    /* GOSUD, NetCDF-4 with deflate > 0: 0 (default) netCDF-C compresses every chunk on the
     * calling thread; 1..16: that many worker threads fill, shuffle and deflate the chunks
     * of the DAYD variables (export/chunkpool.h) and the writer stores them as they are
     * (HDF5's direct chunk write, export/h5chunk.h). The same variables, values and
     * attributes either way; the compressed bytes may differ. Ignored otherwise. */
    int compress_threads;
} vg_export_options;

/* Defaults: GOSUD, NetCDF-4 classic model, deflate 1, 'R', harbour 4, depth 0. */
void vg_export_options_default(vg_export_options *o);

/* The conventional file name of s in format o->format, into buf (cap bytes):
 *   GOSUD, one calendar month, mode R: ID_YYYY_MM_a_RT_Gosud_V3.nc
 *   GOSUD otherwise:                   ID_YYYYMMDD_YYYYMMDD_{RT|DM}_Gosud_V3.nc
 *   INSTAC, one calendar month:        GL_TS_TT_ID_YYYYMM.nc
 *   INSTAC otherwise:                  GL_TS_TT_ID.nc
 * TT is the Copernicus data type of the platform kind (TG, MO, FB, TS). VG_ERR_INVAL for an
 * empty series, VG_ERR_FULL when cap is too small. */
vg_err vg_export_file_name(const vg_series *s, const vg_export_options *o, char *buf,
                           size_t cap, vg_errinfo *err);

/* The Copernicus data type of the file name and of source_platform_category_code: TG
 * (tide gauge), MO (mooring), FB (ferrybox), TS (thermosalinograph). Without a platform
 * configuration: MO when the series has one fixed position, else TS. */
const char *vg_export_instac_data_type(const vg_export_options *o, const vg_series *s);

/* Write s to path (a file path) in o->format, atomically. s must hold at least one row.
 * VG_ERR_IO names the file and the netCDF error; nothing is left behind on failure. */
vg_err vg_export_write(const vg_series *s, const vg_export_options *o, const char *path,
                       vg_errinfo *err);

/* The writers (gosud.c, instac.c), called by vg_export_write with a created file. */
typedef struct vg_ncfile vg_ncfile;
vg_err vg_export_gosud(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                       vg_errinfo *err);
vg_err vg_export_instac(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                        vg_errinfo *err);

/* Read a GOSUD v3 or Copernicus in-situ file written by vigie or by others back into a
 * series (initialised here; free with vg_series_free). The format is recognised from the
 * variables (DAYD: GOSUD; TIME: INSTAC), and *format (may be NULL) gets it. Fill values
 * become NaN, the epoch becomes vg_time_us; flags are copied as they are (an INSTAC file
 * cannot say which 3 or 4 was a 6). Errors name the file and the variable. */
vg_err vg_export_read(const char *path, vg_series *s, vg_export_format *format,
                      vg_errinfo *err);

/* vg_export_read with `threads` (0..16) worker threads inflating the chunks of a NetCDF-4
 * file's variables (1-D, chunked, shuffle and/or deflate; read with HDF5's H5Dread_chunk
 * on this thread); netCDF-C reads the others, and every variable of a classic file. 0:
 * netCDF-C reads everything, as vg_export_read. The same series either way. A chunk that
 * does not inflate is an error naming the file and the variable (VG_ERR_PARSE). */
vg_err vg_export_read_threads(const char *path, int threads, vg_series *s,
                              vg_export_format *format, vg_errinfo *err);

#endif
