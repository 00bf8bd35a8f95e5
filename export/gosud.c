/* gosud.c: the GOSUD v3 writer (export.h, docs/export.md "GOSUD v3"). One record dimension
 * DAYD; time as days since 1950-01-01 (REFERENCE_DATE_TIME 19500101000000); LATX, LONX,
 * POSITION_QC; for every GOSUD parameter present (SPDC, PRES, FLOW, CNDC, SSJT, SSPS,
 * SSTP) the value, _QC, _ADJUSTED, _ADJUSTED_ERROR, _ADJUSTED_QC and _ADJUSTED_HIST. Flags
 * are written as stored: 6 stays "harbour". Fill value 99999 for every float. With
 * external samples (external.h): dimension DAYD_EXT and DAYD_EXT, LATX_EXT, LONX_EXT,
 * P_EXT, P_EXT_QC, P_EXT_TYPE. */
#include "export/chunkpool.h"
#include "export/export.h"
#include "export/h5chunk.h"
#include "export/ncfile.h"

#include <math.h>
#include <netcdf.h>
#include <stdbool.h>
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

/* The external samples: a few hundred at most, written whole. */
static int gosud__put_external(int ncid, const gosud_ids *id, const vg_external *x)
{
    size_t n = x->n;
    double *d = calloc(n ? n : 1, sizeof *d); /* zeroed: gcc cannot see that n > 0 */
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

/* The data of the DAYD variables, one entry per variable in the order they are written:
 * what it is converted from. Both write paths (netCDF-C's, and the chunk pool's direct
 * writes) convert through gosud__convert, so they write the same values. */
typedef enum gosud_kind {
    GOSUD_DAYS,    /* src: vg_time_us times -> days since 1950 (double) */
    GOSUD_DOUBLES, /* src: double column, NaN -> fill */
    GOSUD_FLOATS,  /* src: double column or NULL (all fill) -> float, NaN -> fill */
    GOSUD_FLAGS,   /* src: flags, or NULL: 9 where aux (the value column) is NaN, else 0 */
    GOSUD_HIST     /* src: the text of a P_ADJUSTED_HIST (STRING256, blank-padded) */
} gosud_kind;

#define GOSUD_MAX_COLS (5 + 6 * GOSUD_NPARAMS)

typedef struct gosud_col {
    char name[NC_MAX_NAME + 1];
    int varid;
    gosud_kind kind;
    const void *src, *aux;
    bool late; /* depends on the adjustment's flags or history (await_adjusted) */
    int twin;  /* direct writes: the index of an earlier column with the same data (its
                * chunks are compressed once and stored in both), or -1 */
} gosud_col;

typedef struct gosud_cols {
    gosud_col c[GOSUD_MAX_COLS];
    int n;
} gosud_cols;

static void gosud__col(gosud_cols *cs, const char *name, int varid, gosud_kind kind,
                       const void *src, const void *aux, bool late)
{
    gosud_col *c = &cs->c[cs->n++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->varid = varid;
    c->kind = kind;
    c->src = src;
    c->aux = aux;
    c->late = late;
    c->twin = -1;
    /* e.g. P_ADJUSTED = P when nothing is corrected; pairs only (a column has one twin) */
    for (int i = 0; i < cs->n - 1 && c->twin < 0; i++) {
        bool paired = cs->c[i].twin >= 0;
        for (int k = i + 1; k < cs->n - 1; k++)
            paired |= cs->c[k].twin == i;
        if (!paired && kind != GOSUD_HIST && cs->c[i].kind == kind && cs->c[i].src == src &&
            cs->c[i].aux == aux && cs->c[i].late == late)
            c->twin = i;
    }
}

/* Every DAYD variable of the file with its source, in the writing order. */
static void gosud__columns(const vg_series *s, const vg_export_options *o, const gosud_ids *id,
                           gosud_cols *cs)
{
    cs->n = 0;
    gosud__col(cs, "DAYD", id->dayd, GOSUD_DAYS, s->time, NULL, false);
    gosud__col(cs, "DAYD_QC", id->dayd_qc, GOSUD_FLAGS, s->time_qc, NULL, false);
    gosud__col(cs, "LATX", id->latx, GOSUD_DOUBLES, s->lat_deg, NULL, false);
    gosud__col(cs, "LONX", id->lonx, GOSUD_DOUBLES, s->lon_deg, NULL, false);
    gosud__col(cs, "POSITION_QC", id->pos_qc, GOSUD_FLAGS, s->pos_qc, NULL, false);
    bool dm = o->data_mode == 'D';
    const vg_adjusted *a = o->adjusted;
    for (size_t k = 0; k < GOSUD_NPARAMS; k++) {
        vg_param p = gosud_params[k];
        if (id->v[k] < 0)
            continue;
        /* Real time: nothing adjusted (fill, QC 0; 9 where the value is missing). Delayed
         * mode asserted by the operator without a correction: adjusted = raw, same flags. */
        bool adjusted = a && a->n == s->n && a->value[p];
        const char *code = vg_param_get(p)->code;
        char name[NC_MAX_NAME + 1];
        gosud__col(cs, code, id->v[k], GOSUD_FLOATS, s->value[p], NULL, false);
        snprintf(name, sizeof name, "%s_QC", code);
        gosud__col(cs, name, id->qc[k], GOSUD_FLAGS, s->qc[p], NULL, false);
        snprintf(name, sizeof name, "%s_ADJUSTED", code);
        gosud__col(cs, name, id->adj[k], GOSUD_FLOATS,
                   adjusted ? a->value[p] : dm ? s->value[p] : NULL, NULL, false);
        snprintf(name, sizeof name, "%s_ADJUSTED_ERROR", code);
        gosud__col(cs, name, id->adj_err[k], GOSUD_FLOATS, adjusted ? a->error[p] : NULL, NULL,
                   false);
        snprintf(name, sizeof name, "%s_ADJUSTED_QC", code);
        gosud__col(cs, name, id->adj_qc[k], GOSUD_FLAGS,
                   adjusted ? a->qc[p] : dm ? s->qc[p] : NULL, s->value[p], true);
        snprintf(name, sizeof name, "%s_ADJUSTED_HIST", code);
        gosud__col(cs, name, id->adj_hist[k], GOSUD_HIST,
                   adjusted ? a->hist[p] : dm ? "no correction: values validated as they are" : "",
                   NULL, true);
    }
}

/* Bytes of one element of a column in the file. */
static size_t gosud__elem_size(gosud_kind kind)
{
    return kind == GOSUD_FLAGS ? 1 : kind == GOSUD_FLOATS ? 4 : kind == GOSUD_HIST ? 1 : 8;
}

/* Rows first..first+rows of a column (not GOSUD_HIST), converted into dst. */
static void gosud__convert(gosud_kind kind, const void *src, const void *aux, size_t first,
                           size_t rows, void *dst)
{
    switch (kind) {
    case GOSUD_DAYS: {
        const vg_time_us *t = (const vg_time_us *)src + first;
        double *d = dst;
        for (size_t i = 0; i < rows; i++)
            d[i] = vg_nc_days1950(t[i]);
        break;
    }
    case GOSUD_DOUBLES: {
        const double *c = (const double *)src + first;
        double *d = dst;
        for (size_t i = 0; i < rows; i++)
            d[i] = isnan(c[i]) ? GOSUD_FILL : c[i];
        break;
    }
    case GOSUD_FLOATS: {
        const double *c = src ? (const double *)src + first : NULL;
        float *d = dst;
        for (size_t i = 0; i < rows; i++)
            d[i] = c && !isnan(c[i]) ? (float)c[i] : (float)GOSUD_FILL;
        break;
    }
    case GOSUD_FLAGS: {
        const vg_flag *q = src ? (const vg_flag *)src + first : NULL;
        const double *v = aux ? (const double *)aux + first : NULL;
        signed char *d = dst;
        for (size_t i = 0; i < rows; i++)
            d[i] = (signed char)(q ? q[i] : isnan(v[i]) ? VG_FLAG_MISSING : VG_FLAG_NO_QC);
        break;
    }
    case GOSUD_HIST:
        break;
    }
}

/* The STRING256 text of a history: blank-padded, not NUL-terminated. */
static void gosud__hist_text(const char *h, char out[GOSUD_HIST_LEN])
{
    memset(out, ' ', GOSUD_HIST_LEN);
    memcpy(out, h, strnlen(h, GOSUD_HIST_LEN));
}

/* ---- netCDF-C writes (compress_threads 0): by blocks of GOSUD_CHUNK rows, the chunks of
 * the variables, so each chunk is filled, compressed and written once and the conversion
 * buffer stays one block long. */

static int gosud__put_col(int ncid, const gosud_col *c, size_t n, double *buf)
{
    if (c->kind == GOSUD_HIST) {
        char text[GOSUD_HIST_LEN];
        gosud__hist_text(c->src, text);
        return nc_put_var_text(ncid, c->varid, text);
    }
    int st = NC_NOERR;
    for (size_t b = 0; b < n && st == NC_NOERR; b += GOSUD_CHUNK) {
        size_t m = n - b < GOSUD_CHUNK ? n - b : GOSUD_CHUNK;
        gosud__convert(c->kind, c->src, c->aux, b, m, buf);
        if (c->kind == GOSUD_FLOATS)
            st = nc_put_vara_float(ncid, c->varid, &b, &m, (float *)buf);
        else if (c->kind == GOSUD_FLAGS)
            st = nc_put_vara_schar(ncid, c->varid, &b, &m, (signed char *)buf);
        else
            st = nc_put_vara_double(ncid, c->varid, &b, &m, buf);
    }
    return st;
}

static vg_err gosud__write_nc(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                              const gosud_ids *id, const gosud_cols *cs, vg_errinfo *err)
{
    double *buf = malloc(GOSUD_CHUNK * sizeof *buf);
    if (!buf)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the write buffer");
    int st = nc_put_var_text(f->ncid, id->ref, "19500101000000");
    bool later = o->await_adjusted != NULL;
    /* phase 0: everything in order; with await_adjusted, phase 1 writes what does not
     * depend on the adjustment's flags, then phase 2 the flags and histories. */
    for (int phase = later ? 1 : 0; phase <= (later ? 2 : 0) && st == NC_NOERR; phase++) {
        if (phase == 2) {
            vg_err arc = o->await_adjusted(o->await_ctx, err);
            if (arc != VG_OK) {
                free(buf);
                return arc;
            }
        }
        for (int i = 0; i < cs->n && st == NC_NOERR; i++)
            if (phase == 0 || cs->c[i].late == (phase == 2))
                st = gosud__put_col(f->ncid, &cs->c[i], s->n, buf);
    }
    free(buf);
    if (st == NC_NOERR && id->ext_dayd >= 0)
        st = gosud__put_external(f->ncid, id, o->external);
    return vg_nc_check(st, "writing the GOSUD variables", err);
}

/* ---- direct chunk writes (compress_threads > 0): the netCDF file is defined and closed,
 * the chunks are converted, shuffled and deflated by the pool's workers and stored by this
 * thread with HDF5. */

static void gosud__task_fill(const vg_chunk_task *t, void *raw, gosud_kind kind)
{
    gosud__convert(kind, t->src, t->aux, t->first, t->rows, raw);
    for (size_t i = t->rows; i < t->nelem; i++) /* the edge chunk: the variable's fill value */
        switch (kind) {
        case GOSUD_FLOATS: ((float *)raw)[i] = (float)t->pad; break;
        case GOSUD_FLAGS: ((signed char *)raw)[i] = (signed char)t->pad; break;
        default: ((double *)raw)[i] = t->pad; break;
        }
}

static void gosud__fill_days(const vg_chunk_task *t, void *raw)
{
    gosud__task_fill(t, raw, GOSUD_DAYS);
}

static void gosud__fill_doubles(const vg_chunk_task *t, void *raw)
{
    gosud__task_fill(t, raw, GOSUD_DOUBLES);
}

static void gosud__fill_floats(const vg_chunk_task *t, void *raw)
{
    gosud__task_fill(t, raw, GOSUD_FLOATS);
}

static void gosud__fill_flags(const vg_chunk_task *t, void *raw)
{
    gosud__task_fill(t, raw, GOSUD_FLAGS);
}

static vg_err gosud__sink(void *ctx, const vg_chunk_task *t, const void *data, size_t bytes,
                          vg_errinfo *err)
{
    vg_err rc = vg_h5_write_chunk(ctx, t->var, t->index, data, bytes, err);
    if (rc == VG_OK && t->var2 >= 0)
        rc = vg_h5_write_chunk(ctx, t->var2, t->index, data, bytes, err);
    return rc;
}

/* Queue every chunk of column c (its HDF5 handle h, chunks of chunk_rows; h2 the handle of
 * a twin column that takes the same chunks, or -1). */
static vg_err gosud__submit_col(vg_chunkpool *pool, const gosud_col *c, int h, int h2,
                                size_t chunk_rows, size_t n, vg_errinfo *err)
{
    vg_chunk_task t = {.src = c->src, .aux = c->aux, .elem_size = gosud__elem_size(c->kind),
                       .nelem = chunk_rows, .var = h, .var2 = h2};
    switch (c->kind) {
    case GOSUD_DAYS: t.fill = gosud__fill_days; t.pad = NC_FILL_DOUBLE; break;
    case GOSUD_DOUBLES: t.fill = gosud__fill_doubles; t.pad = GOSUD_FILL; break;
    case GOSUD_FLOATS: t.fill = gosud__fill_floats; t.pad = GOSUD_FILL; break;
    case GOSUD_FLAGS: t.fill = gosud__fill_flags; t.pad = NC_FILL_BYTE; break;
    case GOSUD_HIST: return vg_fail(err, VG_ERR_INVAL, "%s: not written by chunks", c->name);
    }
    vg_err rc = VG_OK;
    for (size_t b = 0, k = 0; b < n && rc == VG_OK; b += chunk_rows, k++) {
        t.first = b;
        t.rows = n - b < chunk_rows ? n - b : chunk_rows;
        t.index = k;
        rc = vg_chunkpool_submit(pool, &t, err);
    }
    return rc;
}

static vg_err gosud__write_direct(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                                  const gosud_ids *id, const gosud_cols *cs, vg_errinfo *err)
{
    /* the small variables that need no waiting, through netCDF-C, then close it */
    int st = nc_put_var_text(f->ncid, id->ref, "19500101000000");
    if (st == NC_NOERR && id->ext_dayd >= 0)
        st = gosud__put_external(f->ncid, id, o->external);
    vg_err rc = vg_nc_check(st, "writing the GOSUD variables", err);
    if (rc != VG_OK || (rc = vg_ncfile_close_nc(f, err)) != VG_OK)
        return rc;
    vg_h5file *h5 = NULL;
    vg_chunkpool *pool = NULL;
    int handle[GOSUD_MAX_COLS];
    size_t chunk_rows[GOSUD_MAX_COLS];
    if ((rc = vg_h5_open(f->tmp_path, &h5, err)) != VG_OK)
        return rc;
    for (int i = 0; i < cs->n && rc == VG_OK; i++)
        if (cs->c[i].kind != GOSUD_HIST)
            rc = vg_h5_var(h5, cs->c[i].name, gosud__elem_size(cs->c[i].kind), f->deflate,
                           &handle[i], &chunk_rows[i], err);
    if (rc == VG_OK)
        rc = vg_chunkpool_new(o->compress_threads, f->deflate, GOSUD_CHUNK * sizeof(double),
                              gosud__sink, h5, &pool, err);
    bool later = o->await_adjusted != NULL;
    for (int phase = later ? 1 : 0; phase <= (later ? 2 : 0) && rc == VG_OK; phase++) {
        /* before waiting for the engine, hand over what is compressed (the workers would
         * otherwise stop when the ring is full) */
        if (phase == 2 && (rc = vg_chunkpool_drain(pool, err)) == VG_OK)
            rc = o->await_adjusted(o->await_ctx, err);
        for (int i = 0; i < cs->n && rc == VG_OK; i++) {
            const gosud_col *c = &cs->c[i];
            if (phase != 0 && c->late != (phase == 2))
                continue;
            if (c->kind == GOSUD_HIST) {
                char text[GOSUD_HIST_LEN];
                gosud__hist_text(c->src, text);
                rc = vg_h5_write_whole(h5, c->name, text, err);
            } else if (c->twin < 0 || chunk_rows[c->twin] != chunk_rows[i]) {
                int h2 = -1; /* a twin's chunks go with its first column's */
                for (int j = i + 1; j < cs->n; j++)
                    if (cs->c[j].twin == i && chunk_rows[j] == chunk_rows[i])
                        h2 = handle[j];
                rc = gosud__submit_col(pool, c, handle[i], h2, chunk_rows[i], s->n, err);
            }
        }
    }
    if (rc == VG_OK)
        rc = vg_chunkpool_drain(pool, err);
    vg_chunkpool_free(pool);
    vg_err crc = vg_h5_close(h5, rc == VG_OK ? err : NULL);
    return rc != VG_OK ? rc : crc;
}

vg_err vg_export_gosud(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                       vg_errinfo *err)
{
    gosud_ids id;
    vg_err rc = gosud__define(s, o, f, &id, err);
    if (rc != VG_OK)
        return rc;
    gosud_cols *cs = malloc(sizeof *cs);
    if (!cs)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    gosud__columns(s, o, &id, cs);
    bool direct = o->compress_threads > 0 && !f->classic && f->deflate > 0;
    rc = direct ? gosud__write_direct(s, o, f, &id, cs, err)
                : gosud__write_nc(s, o, f, &id, cs, err);
    free(cs);
    return rc;
}
