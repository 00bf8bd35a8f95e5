/* gosud.c: the GOSUD v3 writer (export.h, docs/export.md "GOSUD v3"). One record dimension
 * DAYD; time as days since 1950-01-01 (REFERENCE_DATE_TIME 19500101000000); LATX, LONX,
 * POSITION_QC; for every GOSUD parameter present (SPDC, PRES, FLOW, CNDC, SSJT, SSPS,
 * SSTP) the value, _QC, _ADJUSTED, _ADJUSTED_ERROR, _ADJUSTED_QC and _ADJUSTED_HIST. Flags
 * are written as stored: 6 stays "harbour". Fill value 99999 for every float. With
 * external samples (external.h): dimension DAYD_EXT and DAYD_EXT, LATX_EXT, LONX_EXT,
 * P_EXT, P_EXT_QC, P_EXT_TYPE. */
#include "export/export.h"
#include "export/ncfile.h"

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GOSUD_FILL 99999.0
#define GOSUD_CHUNK ((size_t)1 << 16)
#define GOSUD_HIST_LEN 256

/* The parameters of a GOSUD v3 file, in the order TSGQC writes them. */
static const vg_param gosud_params[] = {VG_P_SPDC, VG_P_PRES, VG_P_FLOW, VG_P_CNDC,
                                        VG_P_SSJT, VG_P_SSPS, VG_P_SSTP};
#define GOSUD_NPARAMS (sizeof gosud_params / sizeof gosud_params[0])

typedef struct gosud_ids {
    int dayd, dayd_qc, latx, lonx, pos_qc, ref;
    int v[GOSUD_NPARAMS], qc[GOSUD_NPARAMS], adj[GOSUD_NPARAMS], adj_err[GOSUD_NPARAMS],
        adj_qc[GOSUD_NPARAMS], adj_hist[GOSUD_NPARAMS];
    int ext_dayd, ext_lat, ext_lon, ext_v, ext_qc, ext_type; /* ext_dayd -1: no samples */
} gosud_ids;

/* Stop at the first netCDF failure: `st` keeps it. */
#define GOSUD_TRY(call)                                                                     \
    do {                                                                                    \
        if (st == NC_NOERR)                                                                 \
            st = (call);                                                                    \
    } while (0)

static int gosud__coord_attrs(int ncid, int var, const char *long_name, const char *std,
                              const char *units, const char *axis)
{
    int st = vg_nc_text(ncid, var, "long_name", long_name);
    GOSUD_TRY(vg_nc_text(ncid, var, "standard_name", std));
    GOSUD_TRY(vg_nc_text(ncid, var, "units", units));
    GOSUD_TRY(vg_nc_text(ncid, var, "axis", axis));
    return st;
}

static int gosud__qc_attrs(int ncid, int var, const char *of)
{
    int st = vg_nc_textf(ncid, var, "long_name", "Quality flag of %s", of);
    GOSUD_TRY(vg_nc_text(ncid, var, "conventions", "GOSUD reference table 2"));
    GOSUD_TRY(vg_nc_flag_attrs(ncid, var, "harbour"));
    return st;
}

static int gosud__value_attrs(int ncid, int var, const vg_param_info *pi, const char *what)
{
    int st = vg_nc_textf(ncid, var, "long_name", "%s%s", pi->long_name, what);
    if (pi->standard_name && !*what)
        GOSUD_TRY(vg_nc_text(ncid, var, "standard_name", pi->standard_name));
    GOSUD_TRY(vg_nc_text(ncid, var, "units", pi->units));
    GOSUD_TRY(vg_nc_float(ncid, var, "_FillValue", (float)GOSUD_FILL));
    GOSUD_TRY(vg_nc_text(ncid, var, "coordinates", "DAYD LATX LONX"));
    return st;
}

/* Define every dimension, variable and attribute. */
static vg_err gosud__define(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                            gosud_ids *id, vg_errinfo *err)
{
    int ncid = f->ncid, d_dayd, d_s14, d_s256;
    vg_err rc;
    int st = nc_def_dim(ncid, "DAYD", s->n, &d_dayd);
    GOSUD_TRY(nc_def_dim(ncid, "STRING14", 14, &d_s14));
    GOSUD_TRY(nc_def_dim(ncid, "STRING256", GOSUD_HIST_LEN, &d_s256));
    if ((rc = vg_nc_check(st, "defining the dimensions", err)))
        return rc;
    if ((rc = vg_ncfile_def_var(f, "REFERENCE_DATE_TIME", NC_CHAR, 1, &d_s14, 0, &id->ref, err)) ||
        (rc = vg_ncfile_def_var(f, "DAYD", NC_DOUBLE, 1, &d_dayd, GOSUD_CHUNK, &id->dayd, err)) ||
        (rc = vg_ncfile_def_var(f, "DAYD_QC", NC_BYTE, 1, &d_dayd, GOSUD_CHUNK, &id->dayd_qc, err)) ||
        (rc = vg_ncfile_def_var(f, "LATX", NC_DOUBLE, 1, &d_dayd, GOSUD_CHUNK, &id->latx, err)) ||
        (rc = vg_ncfile_def_var(f, "LONX", NC_DOUBLE, 1, &d_dayd, GOSUD_CHUNK, &id->lonx, err)) ||
        (rc = vg_ncfile_def_var(f, "POSITION_QC", NC_BYTE, 1, &d_dayd, GOSUD_CHUNK, &id->pos_qc, err)))
        return rc;
    st = vg_nc_text(ncid, id->ref, "long_name", "Date of reference for julian days");
    GOSUD_TRY(vg_nc_text(ncid, id->ref, "conventions", "YYYYMMDDHHMISS"));
    GOSUD_TRY(gosud__coord_attrs(ncid, id->dayd, "Decimal julian day (UTC) of the measurement",
                                 "time", "days since 1950-01-01T00:00:00Z", "T"));
    GOSUD_TRY(vg_nc_text(ncid, id->dayd, "calendar", "standard"));
    GOSUD_TRY(gosud__qc_attrs(ncid, id->dayd_qc, "DAYD"));
    GOSUD_TRY(gosud__coord_attrs(ncid, id->latx, "Latitude of the measurement", "latitude",
                                 "degrees_north", "Y"));
    GOSUD_TRY(vg_nc_double(ncid, id->latx, "_FillValue", GOSUD_FILL));
    GOSUD_TRY(gosud__coord_attrs(ncid, id->lonx, "Longitude of the measurement", "longitude",
                                 "degrees_east", "X"));
    GOSUD_TRY(vg_nc_double(ncid, id->lonx, "_FillValue", GOSUD_FILL));
    GOSUD_TRY(gosud__qc_attrs(ncid, id->pos_qc, "LATX and LONX"));
    if ((rc = vg_nc_check(st, "attributes of the coordinates", err)))
        return rc;

    for (size_t k = 0; k < GOSUD_NPARAMS; k++) {
        vg_param p = gosud_params[k];
        id->v[k] = -1;
        if (!s->value[p])
            continue;
        const vg_param_info *pi = vg_param_get(p);
        char name[NC_MAX_NAME + 1];
        const char *suffix[] = {"", "_QC", "_ADJUSTED", "_ADJUSTED_ERROR", "_ADJUSTED_QC"};
        int *ids[] = {&id->v[k], &id->qc[k], &id->adj[k], &id->adj_err[k], &id->adj_qc[k]};
        for (int j = 0; j < 5; j++) {
            snprintf(name, sizeof name, "%s%s", pi->code, suffix[j]);
            int type = (j == 1 || j == 4) ? NC_BYTE : NC_FLOAT;
            if ((rc = vg_ncfile_def_var(f, name, type, 1, &d_dayd, GOSUD_CHUNK, ids[j], err)))
                return rc;
        }
        snprintf(name, sizeof name, "%s_ADJUSTED_HIST", pi->code);
        if ((rc = vg_ncfile_def_var(f, name, NC_CHAR, 1, &d_s256, 0, &id->adj_hist[k], err)))
            return rc;
        st = gosud__value_attrs(ncid, id->v[k], pi, "");
        GOSUD_TRY(gosud__qc_attrs(ncid, id->qc[k], pi->code));
        GOSUD_TRY(gosud__value_attrs(ncid, id->adj[k], pi, ", adjusted"));
        GOSUD_TRY(gosud__value_attrs(ncid, id->adj_err[k], pi, ", error of the adjustment"));
        snprintf(name, sizeof name, "%s_ADJUSTED", pi->code);
        GOSUD_TRY(gosud__qc_attrs(ncid, id->adj_qc[k], name));
        GOSUD_TRY(vg_nc_textf(ncid, id->adj_hist[k], "long_name",
                              "History of the adjustment of %s", pi->code));
        if ((rc = vg_nc_check(st, pi->code, err)))
            return rc;
    }

    id->ext_dayd = -1;
    const vg_external *x = o->external;
    if (x && x->n) {
        const vg_param_info *pi = vg_param_get(x->param);
        bool known = false;
        for (size_t k = 0; k < GOSUD_NPARAMS; k++)
            known |= gosud_params[k] == x->param;
        if (!pi || !known)
            return vg_fail(err, VG_ERR_INVAL, "external samples of parameter %d: not a GOSUD parameter",
                           (int)x->param);
        int d_ext, d_s4;
        char name[NC_MAX_NAME + 1];
        st = nc_def_dim(ncid, "DAYD_EXT", x->n, &d_ext);
        GOSUD_TRY(nc_def_dim(ncid, "STRING4", 4, &d_s4));
        if ((rc = vg_nc_check(st, "defining DAYD_EXT", err)))
            return rc;
        int dt[2] = {d_ext, d_s4};
        struct { const char *suffix; int type, nd; int *id; } v[] = {
            {"", NC_FLOAT, 1, &id->ext_v}, {"_QC", NC_BYTE, 1, &id->ext_qc},
            {"_TYPE", NC_CHAR, 2, &id->ext_type}};
        if ((rc = vg_ncfile_def_var(f, "DAYD_EXT", NC_DOUBLE, 1, &d_ext, 0, &id->ext_dayd, err)) ||
            (rc = vg_ncfile_def_var(f, "LATX_EXT", NC_DOUBLE, 1, &d_ext, 0, &id->ext_lat, err)) ||
            (rc = vg_ncfile_def_var(f, "LONX_EXT", NC_DOUBLE, 1, &d_ext, 0, &id->ext_lon, err)))
            return rc;
        for (int j = 0; j < 3; j++) {
            snprintf(name, sizeof name, "%s_EXT%s", pi->code, v[j].suffix);
            if ((rc = vg_ncfile_def_var(f, name, v[j].type, v[j].nd, dt, 0, v[j].id, err)))
                return rc;
        }
        st = gosud__coord_attrs(ncid, id->ext_dayd, "Decimal julian day (UTC) of the external samples",
                                "time", "days since 1950-01-01T00:00:00Z", "T");
        GOSUD_TRY(vg_nc_text(ncid, id->ext_dayd, "calendar", "standard"));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_lat, "long_name", "Latitude of the external samples"));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_lat, "standard_name", "latitude"));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_lat, "units", "degrees_north"));
        GOSUD_TRY(vg_nc_double(ncid, id->ext_lat, "_FillValue", GOSUD_FILL));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_lon, "long_name", "Longitude of the external samples"));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_lon, "standard_name", "longitude"));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_lon, "units", "degrees_east"));
        GOSUD_TRY(vg_nc_double(ncid, id->ext_lon, "_FillValue", GOSUD_FILL));
        GOSUD_TRY(vg_nc_textf(ncid, id->ext_v, "long_name", "%s of the external samples", pi->long_name));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_v, "units", pi->units));
        GOSUD_TRY(vg_nc_float(ncid, id->ext_v, "_FillValue", (float)GOSUD_FILL));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_v, "coordinates", "DAYD_EXT LATX_EXT LONX_EXT"));
        snprintf(name, sizeof name, "%s_EXT", pi->code);
        GOSUD_TRY(gosud__qc_attrs(ncid, id->ext_qc, name));
        GOSUD_TRY(vg_nc_textf(ncid, id->ext_type, "long_name", "Type of the external samples of %s",
                              pi->code));
        GOSUD_TRY(vg_nc_text(ncid, id->ext_type, "conventions", "WS = water sample"));
        if ((rc = vg_nc_check(st, "attributes of the external samples", err)))
            return rc;
    }

    /* Global attributes: position and time bounds over the known values. */
    double s_lat = INFINITY, n_lat = -INFINITY, w_lon = INFINITY, e_lon = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(s->lat_deg[i]) || isnan(s->lon_deg[i]))
            continue;
        s_lat = fmin(s_lat, s->lat_deg[i]);
        n_lat = fmax(n_lat, s->lat_deg[i]);
        w_lon = fmin(w_lon, s->lon_deg[i]);
        e_lon = fmax(e_lon, s->lon_deg[i]);
    }
    const vg_platform_cfg *pc = o->platform;
    char now[16], start[16], end[16], pis[512] = "";
    vg_nc_compact(o->now, now);
    vg_nc_compact(s->time[0], start);
    vg_nc_compact(s->time[s->n - 1], end);
    for (size_t i = 0; pc && i < pc->n_pi; i++)
        snprintf(pis + strlen(pis), sizeof pis - strlen(pis), "%s%s", i ? ", " : "", pc->pi[i]);
    bool dm = o->data_mode == 'D';
    st = vg_nc_textf(ncid, NC_GLOBAL, "title", "GOSUD thermosalinograph data of %s",
                     pc && *pc->name ? pc->name : s->platform);
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "PLATFORM_NAME", pc && *pc->name ? pc->name : s->platform));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "SHIP_CALL_SIGN", s->platform));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "SHIP_WMO_ID", ""));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "PI_NAME", pis));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "DATA_TYPE", "TRAJECTORY"));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "FORMAT_VERSION", "3.02"));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "CONVENTIONS", "CF1.4, GOSUD 3.0"));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "Conventions", "CF-1.4"));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "featureType", "trajectory"));
    GOSUD_TRY(vg_nc_textf(ncid, NC_GLOBAL, "DATA_MODE", "%c", dm ? 'D' : 'R'));
    const char *states = o->adjusted && *o->adjusted->processing_states
                             ? o->adjusted->processing_states : dm ? "2A" : "1A";
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "PROCESSING_STATES", states));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "DATE_CREATION", now));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "DATE_UPDATE", now));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "START_DATE", start));
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "END_DATE", end));
    if (s_lat <= n_lat) {
        GOSUD_TRY(vg_nc_double(ncid, NC_GLOBAL, "SOUTH_LATX", s_lat));
        GOSUD_TRY(vg_nc_double(ncid, NC_GLOBAL, "NORTH_LATX", n_lat));
        GOSUD_TRY(vg_nc_double(ncid, NC_GLOBAL, "WEST_LONX", w_lon));
        GOSUD_TRY(vg_nc_double(ncid, NC_GLOBAL, "EAST_LONX", e_lon));
    }
    GOSUD_TRY(vg_nc_text(ncid, NC_GLOBAL, "PROCESSING",
                         "vigie real-time QC (GOSUD tests); flags of the store, 6 = harbour"));
    GOSUD_TRY(vg_nc_textf(ncid, NC_GLOBAL, "history", "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ written by vigie export",
                          now, now + 4, now + 6, now + 8, now + 10, now + 12));
    if ((rc = vg_nc_check(st, "global attributes", err)))
        return rc;
    return vg_nc_check(nc_enddef(ncid), "leaving define mode", err);
}

/* The writes go by blocks of GOSUD_CHUNK rows, the chunks of the variables: each chunk is
 * filled, compressed and written once, and the conversion buffers stay a block long (they
 * do not grow with the file). */
typedef struct gosud_put {
    int ncid;
    size_t n;                    /* rows of the file */
    double d[GOSUD_CHUNK];       /* conversion buffers, one block */
    float fb[GOSUD_CHUNK];
    signed char bb[GOSUD_CHUNK];
} gosud_put;

/* Write column `col` (n doubles, NaN = missing) as floats with the fill value; col NULL:
 * all fill. */
static int gosud__put_floats(gosud_put *w, int var, const double *col)
{
    int st = NC_NOERR;
    for (size_t b = 0; b < w->n && st == NC_NOERR; b += GOSUD_CHUNK) {
        size_t m = w->n - b < GOSUD_CHUNK ? w->n - b : GOSUD_CHUNK;
        for (size_t i = 0; i < m; i++)
            w->fb[i] = col && !isnan(col[b + i]) ? (float)col[b + i] : (float)GOSUD_FILL;
        st = nc_put_vara_float(w->ncid, var, &b, &m, w->fb);
    }
    return st;
}

/* Write a double column (NaN -> fill), or with `days` the times as days since 1950. */
static int gosud__put_doubles(gosud_put *w, int var, const double *col, const vg_time_us *days)
{
    int st = NC_NOERR;
    for (size_t b = 0; b < w->n && st == NC_NOERR; b += GOSUD_CHUNK) {
        size_t m = w->n - b < GOSUD_CHUNK ? w->n - b : GOSUD_CHUNK;
        for (size_t i = 0; i < m; i++)
            w->d[i] = days ? vg_nc_days1950(days[b + i])
                           : isnan(col[b + i]) ? GOSUD_FILL : col[b + i];
        st = nc_put_vara_double(w->ncid, var, &b, &m, w->d);
    }
    return st;
}

/* Write flags; with `dm_of` (the value column) and qc NULL: the real-time adjusted flags,
 * 9 where the value is missing and 0 elsewhere. */
static int gosud__put_flags(gosud_put *w, int var, const vg_flag *qc, const double *dm_of)
{
    int st = NC_NOERR;
    for (size_t b = 0; b < w->n && st == NC_NOERR; b += GOSUD_CHUNK) {
        size_t m = w->n - b < GOSUD_CHUNK ? w->n - b : GOSUD_CHUNK;
        for (size_t i = 0; i < m; i++)
            w->bb[i] = (signed char)(qc ? qc[b + i]
                                        : isnan(dm_of[b + i]) ? VG_FLAG_MISSING : VG_FLAG_NO_QC);
        st = nc_put_vara_schar(w->ncid, var, &b, &m, w->bb);
    }
    return st;
}

/* The external samples: a few hundred at most, written whole. */
static int gosud__put_external(int ncid, const gosud_ids *id, const vg_external *x)
{
    size_t n = x->n;
    double *d = malloc(n * sizeof *d);
    float *fv = malloc(n * sizeof *fv);
    signed char *q = malloc(n);
    char *type = malloc(n * 4);
    if (!d || !fv || !q || !type) {
        free(d), free(fv), free(q), free(type);
        return NC_ENOMEM;
    }
    char t4[4] = {' ', ' ', ' ', ' '};
    memcpy(t4, x->type ? x->type : "WS", strnlen(x->type ? x->type : "WS", 4));
    for (size_t i = 0; i < n; i++) {
        d[i] = vg_nc_days1950(x->time[i]);
        fv[i] = isnan(x->value[i]) ? (float)GOSUD_FILL : (float)x->value[i];
        q[i] = (signed char)x->qc[i];
        memcpy(type + 4 * i, t4, 4);
    }
    int st = nc_put_var_double(ncid, id->ext_dayd, d);
    for (size_t i = 0; i < n; i++)
        d[i] = isnan(x->lat_deg[i]) ? GOSUD_FILL : x->lat_deg[i];
    GOSUD_TRY(nc_put_var_double(ncid, id->ext_lat, d));
    for (size_t i = 0; i < n; i++)
        d[i] = isnan(x->lon_deg[i]) ? GOSUD_FILL : x->lon_deg[i];
    GOSUD_TRY(nc_put_var_double(ncid, id->ext_lon, d));
    GOSUD_TRY(nc_put_var_float(ncid, id->ext_v, fv));
    GOSUD_TRY(nc_put_var_schar(ncid, id->ext_qc, q));
    GOSUD_TRY(nc_put_var_text(ncid, id->ext_type, type));
    free(d), free(fv), free(q), free(type);
    return st;
}

vg_err vg_export_gosud(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                       vg_errinfo *err)
{
    gosud_ids id;
    vg_err rc = gosud__define(s, o, f, &id, err);
    if (rc != VG_OK)
        return rc;
    size_t n = s->n;
    gosud_put *w = malloc(sizeof *w);
    if (!w)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the write buffers");
    w->ncid = f->ncid;
    w->n = n;
    int st = nc_put_var_text(w->ncid, id.ref, "19500101000000");
    GOSUD_TRY(gosud__put_doubles(w, id.dayd, NULL, s->time));
    GOSUD_TRY(gosud__put_flags(w, id.dayd_qc, s->time_qc, NULL));
    GOSUD_TRY(gosud__put_doubles(w, id.latx, s->lat_deg, NULL));
    GOSUD_TRY(gosud__put_doubles(w, id.lonx, s->lon_deg, NULL));
    GOSUD_TRY(gosud__put_flags(w, id.pos_qc, s->pos_qc, NULL));
    bool dm = o->data_mode == 'D', later = o->await_adjusted != NULL;
    const vg_adjusted *a = o->adjusted;
    /* pass 0: everything (the usual order); with await_adjusted, pass 1 writes what does
     * not depend on the adjustment's flags, then pass 2 the flags and history. */
    for (int pass = later ? 1 : 0; pass <= (later ? 2 : 0) && st == NC_NOERR; pass++) {
        if (pass == 2) {
            vg_err arc = o->await_adjusted(o->await_ctx, err);
            if (arc != VG_OK) {
                free(w);
                return arc;
            }
        }
        for (size_t k = 0; k < GOSUD_NPARAMS && st == NC_NOERR; k++) {
            vg_param p = gosud_params[k];
            if (id.v[k] < 0)
                continue;
            /* Real time: nothing adjusted (fill, QC 0; 9 where the value is missing).
             * Delayed mode asserted by the operator without a correction: adjusted = raw,
             * same flags. */
            bool adjusted = a && a->n == n && a->value[p];
            if (pass != 2) {
                GOSUD_TRY(gosud__put_floats(w, id.v[k], s->value[p]));
                GOSUD_TRY(gosud__put_flags(w, id.qc[k], s->qc[p], NULL));
                GOSUD_TRY(gosud__put_floats(w, id.adj[k],
                                            adjusted ? a->value[p] : dm ? s->value[p] : NULL));
                GOSUD_TRY(gosud__put_floats(w, id.adj_err[k], adjusted ? a->error[p] : NULL));
            }
            if (pass == 1)
                continue;
            GOSUD_TRY(gosud__put_flags(w, id.adj_qc[k],
                                       adjusted ? a->qc[p] : dm ? s->qc[p] : NULL, s->value[p]));
            char hist[GOSUD_HIST_LEN];
            memset(hist, ' ', sizeof hist);
            const char *h = adjusted ? a->hist[p]
                                     : dm ? "no correction: values validated as they are" : "";
            memcpy(hist, h, strnlen(h, sizeof hist));
            GOSUD_TRY(nc_put_var_text(w->ncid, id.adj_hist[k], hist));
        }
    }
    free(w);
    const vg_external *x = o->external;
    if (st == NC_NOERR && id.ext_dayd >= 0)
        st = gosud__put_external(f->ncid, &id, x);
    return vg_nc_check(st, "writing the GOSUD variables", err);
}
