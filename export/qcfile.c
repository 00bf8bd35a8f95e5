/* qcfile.c: the NetCDF output of `vigie qc` (qcfile.h): rows kept as columns (the values in
 * a series, the flags in one byte array per column), written in one go. */
#include "export/qcfile.h"
#include "export/ncfile.h"
#include "export/series.h"

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QCFILE_FILL 99999.0

struct vg_qcfile {
    vg_series s;          /* time, position, the value columns */
    int params[VG_P__COUNT];
    size_t n_params;
    vg_qcfile_col *cols;  /* names and test names owned */
    size_t n_cols;
    uint8_t **flags;      /* n_cols arrays of s.cap bytes */
    size_t cap;
    bool qartod;
};

vg_err vg_qcfile_new(const char *platform, const int *params, size_t n_params,
                     const vg_qcfile_col *cols, size_t n_cols, bool qartod, vg_qcfile **out,
                     vg_errinfo *err)
{
    vg_qcfile *q = calloc(1, sizeof *q);
    if (!q)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    vg_series_init(&q->s, platform);
    q->qartod = qartod;
    q->n_params = n_params < VG_P__COUNT ? n_params : VG_P__COUNT;
    memcpy(q->params, params, q->n_params * sizeof *params);
    q->cols = calloc(n_cols ? n_cols : 1, sizeof *q->cols);
    q->flags = calloc(n_cols ? n_cols : 1, sizeof *q->flags);
    vg_err rc = q->cols && q->flags ? VG_OK : vg_fail(err, VG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == VG_OK && i < n_cols; i++) {
        q->cols[i] = cols[i];
        q->cols[i].name = strdup(cols[i].name);
        q->cols[i].test_name = cols[i].test_name ? strdup(cols[i].test_name) : NULL;
        q->n_cols = i + 1;
        if (!q->cols[i].name || (cols[i].test_name && !q->cols[i].test_name))
            rc = vg_fail(err, VG_ERR_NOMEM, "out of memory");
    }
    for (size_t k = 0; rc == VG_OK && k < q->n_params; k++)
        rc = vg_series_add_param(&q->s, (vg_param)q->params[k], err);
    if (rc != VG_OK) {
        vg_qcfile_free(q);
        return rc;
    }
    *out = q;
    return VG_OK;
}

vg_err vg_qcfile_add(vg_qcfile *q, const vg_sample *smp, const uint8_t *flags, vg_errinfo *err)
{
    size_t row;
    vg_err rc = vg_series_append(&q->s, smp->time, &row, err);
    if (rc != VG_OK)
        return rc;
    if (q->s.cap > q->cap) {
        for (size_t i = 0; i < q->n_cols; i++) {
            uint8_t *p = realloc(q->flags[i], q->s.cap);
            if (!p)
                return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu rows", q->s.cap);
            q->flags[i] = p;
        }
        q->cap = q->s.cap;
    }
    q->s.lat_deg[row] = smp->lat_deg;
    q->s.lon_deg[row] = smp->lon_deg;
    for (size_t k = 0; k < q->n_params; k++) {
        int p = q->params[k];
        q->s.value[p][row] = vg_sample_has(smp, (vg_param)p) ? smp->value[p] : NAN;
    }
    for (size_t i = 0; i < q->n_cols; i++)
        q->flags[i][row] = flags[i];
    return VG_OK;
}

size_t vg_qcfile_rows(const vg_qcfile *q)
{
    return q->s.n;
}

#define QCFILE_TRY(call)                                                                    \
    do {                                                                                    \
        if (st == NC_NOERR)                                                                 \
            st = (call);                                                                    \
    } while (0)

/* CF flag attributes of a flag variable on the file's scale. */
static int qcfile__flag_attrs(const vg_qcfile *q, int ncid, int var)
{
    int st;
    if (q->qartod) {
        static const signed char v[5] = {1, 2, 3, 4, 9};
        st = nc_put_att_schar(ncid, var, "flag_values", NC_BYTE, 5, v);
        QCFILE_TRY(vg_nc_text(ncid, var, "flag_meanings",
                              "PASS NOT_EVALUATED SUSPECT FAIL MISSING"));
        QCFILE_TRY(vg_nc_text(ncid, var, "references",
                              "https://ioos.noaa.gov/project/qartod/"));
    } else {
        st = vg_nc_flag_attrs(ncid, var, "harbour");
        QCFILE_TRY(vg_nc_text(ncid, var, "conventions", "GOSUD / Argo reference table 2"));
    }
    return st;
}

vg_err vg_qcfile_write(vg_qcfile *q, const char *path, vg_errinfo *err)
{
    const vg_series *s = &q->s;
    if (!s->n)
        return vg_fail(err, VG_ERR_INVAL, "%s: no row was QC'd: no NetCDF file written", path);
    bool fixed = true;
    for (size_t i = 1; i < s->n; i++)
        if (!(s->lat_deg[i] == s->lat_deg[0] && s->lon_deg[i] == s->lon_deg[0]) &&
            !(isnan(s->lat_deg[i]) && isnan(s->lat_deg[0])))
            fixed = false;
    vg_ncfile f;
    vg_err rc = vg_ncfile_create(&f, path, false, 1, err);
    if (rc != VG_OK)
        return rc;
    int ncid = f.ncid, d_obs, d_str, v_id, v_t, v_lat, v_lon;
    int *v_val = calloc(q->n_params ? q->n_params : 1, sizeof *v_val);
    int *v_fl = calloc(q->n_cols ? q->n_cols : 1, sizeof *v_fl);
    double *d = malloc(s->n * sizeof *d);
    float *fb = malloc(s->n * sizeof *fb);
    if (!v_val || !v_fl || !d || !fb) {
        rc = vg_fail(err, VG_ERR_NOMEM, "out of memory");
        goto fail;
    }
    int st = nc_def_dim(ncid, "obs", s->n, &d_obs);
    QCFILE_TRY(nc_def_dim(ncid, "name_strlen", VG_PLATFORM_MAX, &d_str));
    if ((rc = vg_nc_check(st, "dimensions", err)) ||
        (rc = vg_ncfile_def_var(&f, "platform", NC_CHAR, 1, &d_str, 0, &v_id, err)) ||
        (rc = vg_ncfile_def_var(&f, "time", NC_DOUBLE, 1, &d_obs, 1 << 16, &v_t, err)) ||
        (rc = vg_ncfile_def_var(&f, "lat", NC_DOUBLE, 1, &d_obs, 1 << 16, &v_lat, err)) ||
        (rc = vg_ncfile_def_var(&f, "lon", NC_DOUBLE, 1, &d_obs, 1 << 16, &v_lon, err)))
        goto fail;
    st = vg_nc_text(ncid, v_id, "cf_role", fixed ? "timeseries_id" : "trajectory_id");
    QCFILE_TRY(vg_nc_text(ncid, v_id, "long_name", "platform id"));
    QCFILE_TRY(vg_nc_text(ncid, v_t, "standard_name", "time"));
    QCFILE_TRY(vg_nc_text(ncid, v_t, "units", "days since 1950-01-01T00:00:00Z"));
    QCFILE_TRY(vg_nc_text(ncid, v_t, "calendar", "standard"));
    QCFILE_TRY(vg_nc_text(ncid, v_t, "axis", "T"));
    QCFILE_TRY(vg_nc_text(ncid, v_lat, "standard_name", "latitude"));
    QCFILE_TRY(vg_nc_text(ncid, v_lat, "units", "degrees_north"));
    QCFILE_TRY(vg_nc_double(ncid, v_lat, "_FillValue", QCFILE_FILL));
    QCFILE_TRY(vg_nc_text(ncid, v_lon, "standard_name", "longitude"));
    QCFILE_TRY(vg_nc_text(ncid, v_lon, "units", "degrees_east"));
    QCFILE_TRY(vg_nc_double(ncid, v_lon, "_FillValue", QCFILE_FILL));
    if ((rc = vg_nc_check(st, "coordinates", err)))
        goto fail;
    for (size_t i = 0; i < q->n_cols; i++) {
        if ((rc = vg_ncfile_def_var(&f, q->cols[i].name, NC_BYTE, 1, &d_obs, 1 << 16, &v_fl[i], err)))
            goto fail;
        const vg_qcfile_col *c = &q->cols[i];
        const char *of = c->var == VG_QCFILE_POSITION ? "position"
                         : c->var == VG_QCFILE_TIME   ? "time"
                                                      : vg_param_get((vg_param)c->var)->code;
        st = c->test ? vg_nc_textf(ncid, v_fl[i], "long_name", "%s flag of %s", c->test_name, of)
                     : vg_nc_textf(ncid, v_fl[i], "long_name", "aggregate quality flag of %s", of);
        QCFILE_TRY(vg_nc_text(ncid, v_fl[i], "standard_name",
                              c->test ? "quality_flag" : "aggregate_quality_flag"));
        QCFILE_TRY(qcfile__flag_attrs(q, ncid, v_fl[i]));
        if ((rc = vg_nc_check(st, c->name, err)))
            goto fail;
    }
    for (size_t k = 0; k < q->n_params; k++) {
        const vg_param_info *pi = vg_param_get((vg_param)q->params[k]);
        if ((rc = vg_ncfile_def_var(&f, pi->code, NC_FLOAT, 1, &d_obs, 1 << 16, &v_val[k], err)))
            goto fail;
        char anc[2048] = "";
        for (size_t i = 0; i < q->n_cols; i++)
            if (q->cols[i].var == q->params[k])
                snprintf(anc + strlen(anc), sizeof anc - strlen(anc), "%s%s", anc[0] ? " " : "",
                         q->cols[i].name);
        st = vg_nc_text(ncid, v_val[k], "long_name", pi->long_name);
        if (pi->standard_name)
            QCFILE_TRY(vg_nc_text(ncid, v_val[k], "standard_name", pi->standard_name));
        QCFILE_TRY(vg_nc_text(ncid, v_val[k], "units", pi->units));
        QCFILE_TRY(vg_nc_float(ncid, v_val[k], "_FillValue", (float)QCFILE_FILL));
        QCFILE_TRY(vg_nc_text(ncid, v_val[k], "coordinates", "time lat lon"));
        if (anc[0])
            QCFILE_TRY(vg_nc_text(ncid, v_val[k], "ancillary_variables", anc));
        if ((rc = vg_nc_check(st, pi->code, err)))
            goto fail;
    }
    char now[21];
    st = vg_nc_text(ncid, NC_GLOBAL, "Conventions", "CF-1.8");
    QCFILE_TRY(vg_nc_text(ncid, NC_GLOBAL, "featureType", fixed ? "timeSeries" : "trajectory"));
    QCFILE_TRY(vg_nc_textf(ncid, NC_GLOBAL, "title", "vigie qc of %s", s->platform));
    QCFILE_TRY(vg_nc_text(ncid, NC_GLOBAL, "flag_scale", q->qartod ? "QARTOD" : "GOSUD/Argo 0-9"));
    QCFILE_TRY(vg_nc_textf(ncid, NC_GLOBAL, "history", "%s vigie qc", vg_nc_iso_seconds(vg_time_now(), now)));
    if ((rc = vg_nc_check(st, "global attributes", err)) ||
        (rc = vg_nc_check(nc_enddef(ncid), "leaving define mode", err)))
        goto fail;
    char id[VG_PLATFORM_MAX] = {0};
    memcpy(id, s->platform, strlen(s->platform));
    st = nc_put_var_text(ncid, v_id, id);
    for (size_t i = 0; i < s->n; i++)
        d[i] = vg_nc_days1950(s->time[i]);
    QCFILE_TRY(nc_put_var_double(ncid, v_t, d));
    for (size_t i = 0; i < s->n; i++)
        d[i] = isnan(s->lat_deg[i]) ? QCFILE_FILL : s->lat_deg[i];
    QCFILE_TRY(nc_put_var_double(ncid, v_lat, d));
    for (size_t i = 0; i < s->n; i++)
        d[i] = isnan(s->lon_deg[i]) ? QCFILE_FILL : s->lon_deg[i];
    QCFILE_TRY(nc_put_var_double(ncid, v_lon, d));
    for (size_t k = 0; k < q->n_params; k++) {
        const double *v = s->value[q->params[k]];
        for (size_t i = 0; i < s->n; i++)
            fb[i] = isnan(v[i]) ? (float)QCFILE_FILL : (float)v[i];
        QCFILE_TRY(nc_put_var_float(ncid, v_val[k], fb));
    }
    for (size_t i = 0; i < q->n_cols; i++)
        QCFILE_TRY(nc_put_var_uchar(ncid, v_fl[i], q->flags[i]));
    if ((rc = vg_nc_check(st, "writing the variables", err)))
        goto fail;
    free(v_val), free(v_fl), free(d), free(fb);
    return vg_ncfile_commit(&f, err);
fail:
    free(v_val), free(v_fl), free(d), free(fb);
    {
        char what[VG_ERRINFO_TEXT];
        snprintf(what, sizeof what, "%s", err ? err->text : "");
        vg_ncfile_abort(&f);
        return vg_fail(err, rc, "%s: %s", path, what);
    }
}

void vg_qcfile_free(vg_qcfile *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n_cols; i++) {
        free((char *)q->cols[i].name);
        free((char *)q->cols[i].test_name);
        free(q->flags[i]);
    }
    free(q->cols);
    free(q->flags);
    vg_series_free(&q->s);
    free(q);
}
