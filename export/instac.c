/* instac.c: the Copernicus Marine in-situ TAC / OceanSITES time-series writer (export.h,
 * docs/export.md "Copernicus in-situ"). Dimensions TIME, DEPTH (1: one nominal sensor
 * depth), LATITUDE = LONGITUDE = POSITION (1 for a fixed station, else TIME); every
 * parameter P present as P(TIME, DEPTH) with P_QC (byte, _FillValue -128) and P_DM (R, A
 * or D); flag 6 (harbour) written as harbour_flag_as since 6 means "below detection" in
 * this scale; ACDD global attributes computed from the data with the masks of the official
 * checker (CopernicusMarineInsitu/file-content-checker). With a delayed-mode adjustment
 * (adjusted.h): the adjusted value, its flag and data mode D in P, P_QC and P_DM, as the
 * in-situ TAC carries the best value in the variable itself (docs/export.md). */
#include "export/export.h"
#include "export/ncfile.h"

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INSTAC_FILL 99999.0
#define INSTAC_TIME_FILL 999999.0
#define INSTAC_QC_FILL (-128)
#define INSTAC_CHUNK ((size_t)1 << 16)

#define INSTAC_TRY(call)                                                                    \
    do {                                                                                    \
        if (st == NC_NOERR)                                                                 \
            st = (call);                                                                    \
    } while (0)

/* Coordinate QC the checker accepts as valid (valid_coordinate_variables_QC). */
static bool instac__valid_qc(int f)
{
    return f == 1 || f == 2 || f == 5 || f == 7 || f == 8;
}

/* A flag of the store in the Copernicus scale: 6 (harbour) -> harbour_as. */
static signed char instac__flag(vg_flag f, int harbour_as)
{
    return (signed char)(f == VG_FLAG_HARBOUR ? harbour_as : f);
}

typedef struct instac_layout {
    bool fixed;        /* one position for the whole file */
    double lat, lon;   /* the fixed position */
    vg_flag pos_qc;    /* its flag */
    size_t npos;       /* 1 or n */
} instac_layout;

static void instac__layout(const vg_series *s, const vg_export_options *o, instac_layout *l)
{
    memset(l, 0, sizeof *l);
    bool same = !isnan(s->lat_deg[0]) && !isnan(s->lon_deg[0]), none = true;
    for (size_t i = 0; i < s->n; i++) {
        if (!isnan(s->lat_deg[i]) || !isnan(s->lon_deg[i]))
            none = false;
        if (s->lat_deg[i] != s->lat_deg[0] || s->lon_deg[i] != s->lon_deg[0] ||
            s->pos_qc[i] != s->pos_qc[0])
            same = false;
    }
    const vg_platform_cfg *pc = o->platform;
    if (same) {
        l->fixed = true;
        l->lat = s->lat_deg[0];
        l->lon = s->lon_deg[0];
        l->pos_qc = s->pos_qc[0];
    } else if (none && pc && !isnan(pc->lat_deg) && !isnan(pc->lon_deg)) {
        /* A station that sends no position: its surveyed position from the configuration. */
        l->fixed = true;
        l->lat = pc->lat_deg;
        l->lon = pc->lon_deg;
        l->pos_qc = VG_FLAG_GOOD;
    }
    l->npos = l->fixed ? 1 : s->n;
}

/* The time flag written: 0 becomes 1, because the engine refused impossible (future) and
 * non-increasing times before storing; the checker refuses an uncontrolled TIME_QC. */
static vg_flag instac__time_flag(vg_flag f)
{
    return f == VG_FLAG_NO_QC ? VG_FLAG_GOOD : f;
}

static const char *instac__data_type(const vg_export_options *o, bool fixed)
{
    if (!o->platform)
        return fixed ? "MO" : "TS";
    switch (o->platform->kind) {
    case VG_KIND_TIDE_GAUGE: return "TG";
    case VG_KIND_MOORING: return "MO";
    case VG_KIND_FERRYBOX: return "FB";
    default: return "TS";
    }
}

const char *vg_export_instac_data_type(const vg_export_options *o, const vg_series *s)
{
    instac_layout l;
    instac__layout(s, o, &l);
    return instac__data_type(o, l.fixed);
}

static const char *instac__source(const vg_export_options *o, bool fixed)
{
    if (!o->platform)
        return fixed ? "mooring" : "ship";
    switch (o->platform->kind) {
    case VG_KIND_TIDE_GAUGE: return "coastal structure";
    case VG_KIND_MOORING: return "mooring";
    case VG_KIND_FERRYBOX: return "ferrybox";
    default: return "research vessel";
    }
}

static int instac__qc_attrs(int ncid, int var, const char *long_name)
{
    int st = vg_nc_text(ncid, var, "long_name", long_name);
    INSTAC_TRY(vg_nc_text(ncid, var, "conventions", "Copernicus Marine In Situ reference table 2"));
    INSTAC_TRY(vg_nc_byte(ncid, var, "_FillValue", INSTAC_QC_FILL));
    INSTAC_TRY(vg_nc_flag_attrs(ncid, var, "value_below_detection"));
    return st;
}

static int instac__dm_attrs(int ncid, int var)
{
    int st = vg_nc_text(ncid, var, "long_name", "delayed mode or real time data");
    INSTAC_TRY(vg_nc_text(ncid, var, "conventions", "R : real time; A : adjusted mode; D : delayed mode"));
    INSTAC_TRY(vg_nc_text(ncid, var, "flag_values", "R, A, D"));
    INSTAC_TRY(nc_put_att_text(ncid, var, "_FillValue", 1, " "));
    return st;
}

/* Longitude bounds as the checker computes them: across the antimeridian the west bound is
 * the smallest positive longitude and the east bound the largest negative one. */
static void instac__lon_bounds(const double *lon, const bool *ok, size_t n, double *w, double *e)
{
    double mn = INFINITY, mx = -INFINITY, minpos = INFINITY, maxneg = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!ok[i])
            continue;
        mn = fmin(mn, lon[i]);
        mx = fmax(mx, lon[i]);
        if (lon[i] >= 0)
            minpos = fmin(minpos, lon[i]);
        else
            maxneg = fmax(maxneg, lon[i]);
    }
    if (mx - mn > 180 && isfinite(minpos) && isfinite(maxneg)) {
        *w = minpos;
        *e = maxneg;
    } else {
        *w = mn;
        *e = mx;
    }
}

typedef struct instac_ids {
    int time, time_qc, lat, lon, pos_qc, deph, deph_qc, deph_dm;
    int v[VG_P__COUNT], qc[VG_P__COUNT], dm[VG_P__COUNT];
} instac_ids;

static vg_err instac__globals(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                              const instac_layout *l, vg_errinfo *err)
{
    int ncid = f->ncid, st = NC_NOERR;
    size_t n = s->n;
    bool *pos_ok = malloc(l->npos * sizeof *pos_ok);
    if (!pos_ok)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    const double *lat = l->fixed ? &l->lat : s->lat_deg, *lon = l->fixed ? &l->lon : s->lon_deg;
    double s_lat = INFINITY, n_lat = -INFINITY, w_lon = NAN, e_lon = NAN;
    size_t npos_ok = 0;
    for (size_t i = 0; i < l->npos; i++) {
        int q = instac__flag(l->fixed ? l->pos_qc : s->pos_qc[i], o->harbour_flag_as);
        pos_ok[i] = instac__valid_qc(q) && !isnan(lat[i]) && !isnan(lon[i]);
        if (!pos_ok[i])
            continue;
        npos_ok++;
        s_lat = fmin(s_lat, lat[i]);
        n_lat = fmax(n_lat, lat[i]);
    }
    instac__lon_bounds(lon, pos_ok, l->npos, &w_lon, &e_lon);
    /* time coverage: valid TIME_QC; last observation: valid time and valid position */
    size_t first_t = n, last_t = n, last_obs = n;
    for (size_t i = 0; i < n; i++) {
        if (!instac__valid_qc(instac__flag(instac__time_flag(s->time_qc[i]), o->harbour_flag_as)))
            continue;
        if (first_t == n)
            first_t = i;
        last_t = i;
        if (pos_ok[l->fixed ? 0 : i])
            last_obs = i;
    }
    const vg_platform_cfg *pc = o->platform;
    const char *name = pc && *pc->name ? pc->name : s->platform;
    const char *base = strrchr(f->final_path, '/');
    base = base ? base + 1 : f->final_path;
    size_t idlen = strlen(base);
    if (idlen > 3 && !strcmp(base + idlen - 3, ".nc"))
        idlen -= 3;
    char now[21], t0[21], t1[21], tl[21];
    vg_nc_iso_seconds(o->now, now);
    INSTAC_TRY(vg_nc_textf(ncid, NC_GLOBAL, "data_type", "OceanSITES %s data",
                           l->fixed ? "time-series" : "trajectory"));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "format_version", "1.4"));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "Conventions",
                          "CF-1.6 OceanSITES-Manual-1.2 Copernicus-InSituTAC-SRD-1.4 "
                          "Copernicus-InSituTAC-ParametersList-3.1.0"));
    INSTAC_TRY(vg_nc_textf(ncid, NC_GLOBAL, "id", "%.*s", (int)idlen, base));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "platform_code", s->platform));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "platform_name", name));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "site_code", ""));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "wmo_platform_code", ""));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "source", instac__source(o, l->fixed)));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "source_platform_category_code",
                          instac__data_type(o, l->fixed)));
    INSTAC_TRY(vg_nc_textf(ncid, NC_GLOBAL, "title", "%s in-situ observations of %s",
                           l->fixed ? "Time series of" : "Trajectory of", name));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "summary",
                          "Observations quality-controlled in real time by vigie "
                          "(GOSUD / EuroGOOS / QARTOD tests)"));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "naming_authority", "Copernicus Marine In Situ"));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "cdm_data_type", l->fixed ? "timeSeries" : "trajectory"));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "featureType", l->fixed ? "timeSeries" : "trajectory"));
    INSTAC_TRY(vg_nc_textf(ncid, NC_GLOBAL, "data_mode", "%c", o->data_mode));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "area", "Global Ocean"));
    if (npos_ok) {
        INSTAC_TRY(vg_nc_double(ncid, NC_GLOBAL, "geospatial_lat_min", s_lat));
        INSTAC_TRY(vg_nc_double(ncid, NC_GLOBAL, "geospatial_lat_max", n_lat));
        INSTAC_TRY(vg_nc_double(ncid, NC_GLOBAL, "geospatial_lon_min", w_lon));
        INSTAC_TRY(vg_nc_double(ncid, NC_GLOBAL, "geospatial_lon_max", e_lon));
    } else {
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "geospatial_lat_min", " "));
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "geospatial_lat_max", " "));
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "geospatial_lon_min", " "));
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "geospatial_lon_max", " "));
    }
    INSTAC_TRY(vg_nc_double(ncid, NC_GLOBAL, "geospatial_vertical_min", (double)(float)o->depth_m));
    INSTAC_TRY(vg_nc_double(ncid, NC_GLOBAL, "geospatial_vertical_max", (double)(float)o->depth_m));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "geospatial_vertical_positive", "down"));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "geospatial_vertical_units", "m"));
    if (first_t < n) {
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "time_coverage_start", vg_nc_iso_seconds(s->time[first_t], t0)));
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "time_coverage_end", vg_nc_iso_seconds(s->time[last_t], t1)));
    } else {
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "time_coverage_start", " "));
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "time_coverage_end", " "));
    }
    if (last_obs < n) {
        size_t k = l->fixed ? 0 : last_obs;
        INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "last_date_observation", vg_nc_iso_seconds(s->time[last_obs], tl)));
        INSTAC_TRY(vg_nc_double(ncid, NC_GLOBAL, "last_latitude_observation", lat[k]));
        INSTAC_TRY(vg_nc_double(ncid, NC_GLOBAL, "last_longitude_observation", lon[k]));
    }
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "date_created", now));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "date_update", now));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "update_interval", "void"));
    INSTAC_TRY(vg_nc_text(ncid, NC_GLOBAL, "qc_manual",
                          "Recommendations for in-situ data Near Real Time Quality Control "
                          "(EuroGOOS DATA-MEQ), GOSUD real-time QC"));
    INSTAC_TRY(vg_nc_textf(ncid, NC_GLOBAL, "history", "%s written by vigie export", now));
    INSTAC_TRY(vg_nc_textf(ncid, NC_GLOBAL, "comment",
                           "flag 6 (in harbour) of the source written as %d", o->harbour_flag_as));
    free(pos_ok);
    return vg_nc_check(st, "global attributes", err);
}

static vg_err instac__define(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                             const instac_layout *l, instac_ids *id, vg_errinfo *err)
{
    int ncid = f->ncid, d_time, d_depth, d_lat, d_lon, d_pos;
    vg_err rc;
    int st = nc_def_dim(ncid, "TIME", s->n, &d_time);
    INSTAC_TRY(nc_def_dim(ncid, "DEPTH", 1, &d_depth));
    INSTAC_TRY(nc_def_dim(ncid, "LATITUDE", l->npos, &d_lat));
    INSTAC_TRY(nc_def_dim(ncid, "LONGITUDE", l->npos, &d_lon));
    INSTAC_TRY(nc_def_dim(ncid, "POSITION", l->npos, &d_pos));
    if ((rc = vg_nc_check(st, "defining the dimensions", err)))
        return rc;
    int td[2] = {d_time, d_depth};
    if ((rc = vg_ncfile_def_var(f, "TIME", NC_DOUBLE, 1, &d_time, INSTAC_CHUNK, &id->time, err)) ||
        (rc = vg_ncfile_def_var(f, "TIME_QC", NC_BYTE, 1, &d_time, INSTAC_CHUNK, &id->time_qc, err)) ||
        (rc = vg_ncfile_def_var(f, "LATITUDE", NC_DOUBLE, 1, &d_lat, INSTAC_CHUNK, &id->lat, err)) ||
        (rc = vg_ncfile_def_var(f, "LONGITUDE", NC_DOUBLE, 1, &d_lon, INSTAC_CHUNK, &id->lon, err)) ||
        (rc = vg_ncfile_def_var(f, "POSITION_QC", NC_BYTE, 1, &d_pos, INSTAC_CHUNK, &id->pos_qc, err)) ||
        (rc = vg_ncfile_def_var(f, "DEPH", NC_FLOAT, 2, td, INSTAC_CHUNK, &id->deph, err)) ||
        (rc = vg_ncfile_def_var(f, "DEPH_QC", NC_BYTE, 2, td, INSTAC_CHUNK, &id->deph_qc, err)) ||
        (rc = vg_ncfile_def_var(f, "DEPH_DM", NC_CHAR, 2, td, INSTAC_CHUNK, &id->deph_dm, err)))
        return rc;
    st = vg_nc_text(ncid, id->time, "long_name", "Time");
    INSTAC_TRY(vg_nc_text(ncid, id->time, "standard_name", "time"));
    INSTAC_TRY(vg_nc_text(ncid, id->time, "units", "days since 1950-01-01T00:00:00Z"));
    INSTAC_TRY(vg_nc_text(ncid, id->time, "calendar", "standard"));
    INSTAC_TRY(vg_nc_text(ncid, id->time, "axis", "T"));
    INSTAC_TRY(vg_nc_double(ncid, id->time, "valid_min", -90000.0));
    INSTAC_TRY(vg_nc_double(ncid, id->time, "valid_max", 90000.0));
    INSTAC_TRY(vg_nc_double(ncid, id->time, "_FillValue", INSTAC_TIME_FILL));
    INSTAC_TRY(instac__qc_attrs(ncid, id->time_qc, "Time quality flag"));
    INSTAC_TRY(vg_nc_text(ncid, id->lat, "long_name", "Latitude of each location"));
    INSTAC_TRY(vg_nc_text(ncid, id->lat, "standard_name", "latitude"));
    INSTAC_TRY(vg_nc_text(ncid, id->lat, "units", "degree_north"));
    INSTAC_TRY(vg_nc_text(ncid, id->lat, "axis", "Y"));
    INSTAC_TRY(vg_nc_double(ncid, id->lat, "valid_min", -90.0));
    INSTAC_TRY(vg_nc_double(ncid, id->lat, "valid_max", 90.0));
    INSTAC_TRY(vg_nc_double(ncid, id->lat, "_FillValue", INSTAC_FILL));
    INSTAC_TRY(vg_nc_text(ncid, id->lon, "long_name", "Longitude of each location"));
    INSTAC_TRY(vg_nc_text(ncid, id->lon, "standard_name", "longitude"));
    INSTAC_TRY(vg_nc_text(ncid, id->lon, "units", "degree_east"));
    INSTAC_TRY(vg_nc_text(ncid, id->lon, "axis", "X"));
    INSTAC_TRY(vg_nc_double(ncid, id->lon, "valid_min", -180.0));
    INSTAC_TRY(vg_nc_double(ncid, id->lon, "valid_max", 180.0));
    INSTAC_TRY(vg_nc_double(ncid, id->lon, "_FillValue", INSTAC_FILL));
    INSTAC_TRY(instac__qc_attrs(ncid, id->pos_qc, "Position quality flag"));
    INSTAC_TRY(vg_nc_text(ncid, id->deph, "long_name", "Depth"));
    INSTAC_TRY(vg_nc_text(ncid, id->deph, "standard_name", "depth"));
    INSTAC_TRY(vg_nc_text(ncid, id->deph, "units", "m"));
    INSTAC_TRY(vg_nc_text(ncid, id->deph, "axis", "Z"));
    INSTAC_TRY(vg_nc_text(ncid, id->deph, "positive", "down"));
    INSTAC_TRY(vg_nc_float(ncid, id->deph, "valid_min", -12000.0f));
    INSTAC_TRY(vg_nc_float(ncid, id->deph, "valid_max", 12000.0f));
    INSTAC_TRY(vg_nc_float(ncid, id->deph, "_FillValue", (float)INSTAC_FILL));
    INSTAC_TRY(vg_nc_text(ncid, id->deph, "comment", "nominal depth of the sensors (export.depth_m)"));
    INSTAC_TRY(vg_nc_textf(ncid, id->deph, "data_mode", "%c", o->data_mode));
    INSTAC_TRY(instac__qc_attrs(ncid, id->deph_qc, "Depth quality flag"));
    INSTAC_TRY(instac__dm_attrs(ncid, id->deph_dm));
    if ((rc = vg_nc_check(st, "attributes of the coordinates", err)))
        return rc;
    for (int p = 0; p < VG_P__COUNT; p++) {
        id->v[p] = -1;
        if (!s->value[p])
            continue;
        const vg_param_info *pi = vg_param_get((vg_param)p);
        char name[NC_MAX_NAME + 1];
        if ((rc = vg_ncfile_def_var(f, pi->code, NC_FLOAT, 2, td, INSTAC_CHUNK, &id->v[p], err)))
            return rc;
        snprintf(name, sizeof name, "%s_QC", pi->code);
        if ((rc = vg_ncfile_def_var(f, name, NC_BYTE, 2, td, INSTAC_CHUNK, &id->qc[p], err)))
            return rc;
        snprintf(name, sizeof name, "%s_DM", pi->code);
        if ((rc = vg_ncfile_def_var(f, name, NC_CHAR, 2, td, INSTAC_CHUNK, &id->dm[p], err)))
            return rc;
        st = vg_nc_text(ncid, id->v[p], "long_name", pi->long_name);
        if (pi->standard_name)
            INSTAC_TRY(vg_nc_text(ncid, id->v[p], "standard_name", pi->standard_name));
        INSTAC_TRY(vg_nc_text(ncid, id->v[p], "units", pi->units));
        INSTAC_TRY(vg_nc_float(ncid, id->v[p], "_FillValue", (float)INSTAC_FILL));
        INSTAC_TRY(vg_nc_text(ncid, id->v[p], "coordinates", "TIME DEPH LATITUDE LONGITUDE"));
        INSTAC_TRY(vg_nc_textf(ncid, id->v[p], "ancillary_variables", "%s_QC %s_DM", pi->code, pi->code));
        INSTAC_TRY(vg_nc_textf(ncid, id->v[p], "data_mode", "%c", o->data_mode));
        if (o->adjusted && o->adjusted->n == s->n && o->adjusted->value[p] && *o->adjusted->hist[p])
            INSTAC_TRY(vg_nc_text(ncid, id->v[p], "comment", o->adjusted->hist[p]));
        snprintf(name, sizeof name, "%s quality flag", pi->long_name);
        INSTAC_TRY(instac__qc_attrs(ncid, id->qc[p], name));
        INSTAC_TRY(instac__dm_attrs(ncid, id->dm[p]));
        if ((rc = vg_nc_check(st, pi->code, err)))
            return rc;
    }
    if ((rc = instac__globals(s, o, f, l, err)))
        return rc;
    return vg_nc_check(nc_enddef(ncid), "leaving define mode", err);
}

vg_err vg_export_instac(const vg_series *s, const vg_export_options *o, vg_ncfile *f,
                        vg_errinfo *err)
{
    instac_layout l;
    instac_ids id;
    instac__layout(s, o, &l);
    vg_err rc = instac__define(s, o, f, &l, &id, err);
    if (rc != VG_OK)
        return rc;
    int ncid = f->ncid, hb = o->harbour_flag_as;
    size_t n = s->n;
    double *d = malloc(n * sizeof *d);
    float *fb = malloc(n * sizeof *fb);
    signed char *bb = malloc(n);
    char *cb = malloc(n);
    if (!d || !fb || !bb || !cb) {
        free(d), free(fb), free(bb), free(cb);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu rows", n);
    }
    int st = NC_NOERR;
    for (size_t i = 0; i < n; i++)
        d[i] = vg_nc_days1950(s->time[i]);
    INSTAC_TRY(nc_put_var_double(ncid, id.time, d));
    for (size_t i = 0; i < n; i++)
        bb[i] = instac__flag(instac__time_flag(s->time_qc[i]), hb);
    INSTAC_TRY(nc_put_var_schar(ncid, id.time_qc, bb));
    if (l.fixed) {
        signed char q = instac__flag(l.pos_qc, hb);
        double la = isnan(l.lat) ? INSTAC_FILL : l.lat, lo = isnan(l.lon) ? INSTAC_FILL : l.lon;
        INSTAC_TRY(nc_put_var_double(ncid, id.lat, &la));
        INSTAC_TRY(nc_put_var_double(ncid, id.lon, &lo));
        INSTAC_TRY(nc_put_var_schar(ncid, id.pos_qc, &q));
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = isnan(s->lat_deg[i]) ? INSTAC_FILL : s->lat_deg[i];
        INSTAC_TRY(nc_put_var_double(ncid, id.lat, d));
        for (size_t i = 0; i < n; i++)
            d[i] = isnan(s->lon_deg[i]) ? INSTAC_FILL : s->lon_deg[i];
        INSTAC_TRY(nc_put_var_double(ncid, id.lon, d));
        for (size_t i = 0; i < n; i++)
            bb[i] = isnan(s->lat_deg[i]) || isnan(s->lon_deg[i]) ? VG_FLAG_MISSING
                                                                 : instac__flag(s->pos_qc[i], hb);
        INSTAC_TRY(nc_put_var_schar(ncid, id.pos_qc, bb));
    }
    for (size_t i = 0; i < n; i++)
        fb[i] = (float)o->depth_m;
    INSTAC_TRY(nc_put_var_float(ncid, id.deph, fb));
    memset(bb, VG_FLAG_UNUSED, n); /* 7: nominal value */
    INSTAC_TRY(nc_put_var_schar(ncid, id.deph_qc, bb));
    memset(cb, o->data_mode, n);
    INSTAC_TRY(nc_put_var_text(ncid, id.deph_dm, cb));
    for (int p = 0; p < VG_P__COUNT && st == NC_NOERR; p++) {
        if (id.v[p] < 0)
            continue;
        const double *v = s->value[p];
        /* Adjusted rows: the adjusted value and flag, data mode o->data_mode; the rows of an
         * adjusted parameter left without adjustment keep their value and flag, mode R. */
        const vg_adjusted *a = o->adjusted;
        const double *av = a && a->n == n && a->value[p] ? a->value[p] : NULL;
        for (size_t i = 0; i < n; i++) {
            bool use = av && !isnan(av[i]);
            double x = use ? av[i] : v[i];
            bool miss = isnan(x);
            fb[i] = miss ? (float)INSTAC_FILL : (float)x;
            /* a missing value is flagged 9 and has no data mode (the checker's fill rules) */
            bb[i] = miss ? VG_FLAG_MISSING : instac__flag(use ? a->qc[p][i] : s->qc[p][i], hb);
            cb[i] = miss ? ' ' : av && !use ? 'R' : o->data_mode;
        }
        INSTAC_TRY(nc_put_var_float(ncid, id.v[p], fb));
        INSTAC_TRY(nc_put_var_schar(ncid, id.qc[p], bb));
        INSTAC_TRY(nc_put_var_text(ncid, id.dm[p], cb));
    }
    free(d), free(fb), free(bb), free(cb);
    return vg_nc_check(st, "writing the Copernicus in-situ variables", err);
}
