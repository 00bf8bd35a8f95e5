/* ncread.c: read a GOSUD v3 or Copernicus in-situ / OceanSITES file back into a series
 * (export.h, vg_export_read): the inverse of gosud.c and instac.c, also for files written
 * by others as long as they hold one depth level. Fill values (the _FillValue attribute of
 * each variable) become NaN; the epoch "days since 1950-01-01" becomes vg_time_us. With
 * threads, the chunks of NetCDF-4 variables are read with HDF5 (h5chunk.h, beside
 * netCDF-C's handle) and inflated on worker threads (chunkpool.h); netCDF-C reads any
 * variable that cannot be read that way. */
#include "export/chunkpool.h"
#include "export/export.h"
#include "export/h5chunk.h"
#include "export/ncfile.h"

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Direct chunk reads (vg_export_read_threads): chunks of at most this many raw bytes are
 * inflated on the workers; larger ones go through netCDF-C. */
#define NCREAD_MAX_CHUNK_BYTES ((size_t)1 << 20)

typedef struct ncread {
    const char *path;
    int ncid;
    size_t n;
    vg_h5file *h5;        /* NULL: netCDF-C reads everything */
    vg_chunkpool *pool;
    unsigned char *packed, *rows; /* a chunk as stored; rows read through HDF5 */
    size_t packed_cap;
} ncread;

typedef enum { NCREAD_DOUBLES, NCREAD_FLOATS, NCREAD_FLAGS } ncread_kind;

/* The workers' conversions (chunkpool.h store): rows first..first+rows of dst from the
 * chunk's elements; the fill value (pad) becomes NaN, a flag out of 0-9 becomes 9, as
 * ncread__doubles and ncread__flags do with netCDF-C's values. */
static void ncread__store_doubles(const vg_chunk_task *t, const void *raw)
{
    const double *v = raw;
    double *out = (double *)t->dst + t->first;
    for (size_t i = 0; i < t->rows; i++)
        out[i] = v[i] == t->pad ? NAN : v[i];
}

static void ncread__store_floats(const vg_chunk_task *t, const void *raw)
{
    const float *v = raw;
    double *out = (double *)t->dst + t->first;
    for (size_t i = 0; i < t->rows; i++) {
        double x = (double)v[i];
        out[i] = x == t->pad ? NAN : x;
    }
}

static void ncread__store_flags(const vg_chunk_task *t, const void *raw)
{
    const signed char *v = raw;
    vg_flag *out = (vg_flag *)t->dst + t->first;
    for (size_t i = 0; i < t->rows; i++)
        out[i] = v[i] >= 0 && v[i] <= 9 ? (vg_flag)v[i] : VG_FLAG_MISSING;
}

/* Read variable `name` (n rows) by chunks: stored chunks are read here and inflated,
 * unshuffled and converted on the workers; chunks never written (fill values) or too
 * large go through HDF5's usual read. VG_ERR_INVAL, with nothing written to out, when the
 * variable cannot be read that way (the caller asks netCDF-C); other errors are final. */
static vg_err ncread__direct(const ncread *r, const char *name, ncread_kind kind, size_t n,
                             void *out, double fill, vg_errinfo *err)
{
    size_t elem = kind == NCREAD_FLAGS ? 1 : kind == NCREAD_FLOATS ? 4 : 8, chunk_rows;
    int h;
    unsigned filters;
    vg_errinfo why;
    if (vg_h5_var_read(r->h5, name, elem, n, &h, &chunk_rows, &filters, &why) != VG_OK ||
        chunk_rows * elem > NCREAD_MAX_CHUNK_BYTES)
        return VG_ERR_INVAL;
    vg_chunk_task t = {.store = kind == NCREAD_FLAGS    ? ncread__store_flags
                                : kind == NCREAD_FLOATS ? ncread__store_floats
                                                        : ncread__store_doubles,
                       .dst = out, .pad = fill, .elem_size = elem, .nelem = chunk_rows, .var = h};
    vg_err rc = VG_OK;
    for (size_t b = 0, k = 0; b < n && rc == VG_OK; b += chunk_rows, k++) {
        t.first = b;
        t.rows = n - b < chunk_rows ? n - b : chunk_rows;
        t.index = k;
        size_t bytes;
        bool absent;
        rc = vg_h5_read_chunk(r->h5, h, k, r->packed, r->packed_cap, &bytes, &t.filters, &absent,
                              &why);
        if (rc == VG_ERR_FULL || (rc == VG_OK && absent)) {
            if ((rc = vg_h5_read_rows(r->h5, h, b, t.rows, r->rows, &why)) == VG_OK)
                t.store(&t, r->rows);
        } else if (rc == VG_OK) {
            rc = vg_chunkpool_submit_decode(r->pool, &t, r->packed, bytes, &why);
        }
    }
    vg_err drc = vg_chunkpool_drain(r->pool, rc == VG_OK ? &why : NULL);
    if (rc == VG_OK)
        rc = drc;
    if (rc != VG_OK)
        return vg_fail(err, rc == VG_ERR_INVAL ? VG_ERR_IO : rc, "%s: reading %s: %s", r->path,
                       name, why.text);
    return VG_OK;
}

static bool ncread__has(const ncread *r, const char *name, int *varid)
{
    return nc_inq_varid(r->ncid, name, varid) == NC_NOERR;
}

/* Length of variable var's values, checking that it is n rows of `per_row` values. */
static vg_err ncread__shape(const ncread *r, int var, const char *name, size_t n, size_t *per_row,
                            vg_errinfo *err)
{
    int nd, dims[NC_MAX_VAR_DIMS];
    size_t total = 1;
    nc_inq_varndims(r->ncid, var, &nd);
    nc_inq_vardimid(r->ncid, var, dims);
    for (int i = 0; i < nd; i++) {
        size_t len;
        nc_inq_dimlen(r->ncid, dims[i], &len);
        total *= len;
    }
    if (nd < 1 || total != n * (per_row ? *per_row : 1))
        return vg_fail(err, VG_ERR_PARSE, "%s: %s has %zu values where %zu rows were expected%s",
                       r->path, name, total, n,
                       per_row ? " (one depth level only: files with several are not read)" : "");
    return VG_OK;
}

/* Read variable `name` (n rows) as doubles into out, fill -> NaN. */
static vg_err ncread__doubles(const ncread *r, const char *name, size_t n, double *out,
                              bool as_float, vg_errinfo *err)
{
    int var;
    if (!ncread__has(r, name, &var))
        return vg_fail(err, VG_ERR_PARSE, "%s: no variable %s", r->path, name);
    size_t one = 1;
    vg_err rc = ncread__shape(r, var, name, n, &one, err);
    if (rc != VG_OK)
        return rc;
    double fill = NAN;
    if (nc_get_att_double(r->ncid, var, "_FillValue", &fill) != NC_NOERR)
        fill = NAN;
    if (as_float) /* a float variable's fill compared as the float it is */
        fill = (double)(float)fill;
    nc_type type;
    if (r->h5 && nc_inq_vartype(r->ncid, var, &type) == NC_NOERR &&
        (type == NC_DOUBLE || type == NC_FLOAT) &&
        (rc = ncread__direct(r, name, type == NC_FLOAT ? NCREAD_FLOATS : NCREAD_DOUBLES, n, out,
                             fill, err)) != VG_ERR_INVAL)
        return rc;
    char what[256];
    snprintf(what, sizeof what, "%s: reading %s", r->path, name);
    if ((rc = vg_nc_check(nc_get_var_double(r->ncid, var, out), what, err)))
        return rc;
    for (size_t i = 0; i < n; i++)
        if (out[i] == fill)
            out[i] = NAN;
    return VG_OK;
}

/* Read flag variable `name` (n rows) into out; absent -> 0; fill (or out of 0-9) -> 9. */
static vg_err ncread__flags(const ncread *r, const char *name, size_t n, vg_flag *out,
                            vg_errinfo *err)
{
    int var;
    if (!ncread__has(r, name, &var)) {
        memset(out, VG_FLAG_NO_QC, n);
        return VG_OK;
    }
    size_t one = 1;
    vg_err rc = ncread__shape(r, var, name, n, &one, err);
    if (rc != VG_OK)
        return rc;
    nc_type type;
    if (r->h5 && nc_inq_vartype(r->ncid, var, &type) == NC_NOERR && type == NC_BYTE &&
        (rc = ncread__direct(r, name, NCREAD_FLAGS, n, out, 0, err)) != VG_ERR_INVAL)
        return rc;
    signed char *b = malloc(n ? n : 1);
    if (!b)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    char what[256];
    snprintf(what, sizeof what, "%s: reading %s", r->path, name);
    rc = vg_nc_check(nc_get_var_schar(r->ncid, var, b), what, err);
    for (size_t i = 0; rc == VG_OK && i < n; i++)
        out[i] = b[i] >= 0 && b[i] <= 9 ? (vg_flag)b[i] : VG_FLAG_MISSING;
    free(b);
    return rc;
}

static vg_err ncread__platform(const ncread *r, bool gosud, vg_series *s, vg_errinfo *err)
{
    const char *att = gosud ? "SHIP_CALL_SIGN" : "platform_code";
    size_t len = 0;
    char id[VG_PLATFORM_MAX];
    if (nc_inq_attlen(r->ncid, NC_GLOBAL, att, &len) != NC_NOERR || len == 0 ||
        len >= sizeof id || nc_get_att_text(r->ncid, NC_GLOBAL, att, id) != NC_NOERR)
        return vg_fail(err, VG_ERR_PARSE, "%s: no usable global attribute %s (1-%d characters)",
                       r->path, att, VG_PLATFORM_MAX - 1);
    id[len] = '\0';
    while (len && id[len - 1] == ' ')
        id[--len] = '\0';
    if (!vg_platform_id_valid(id, len))
        return vg_fail(err, VG_ERR_PARSE, "%s: %s '%s' is not a valid platform id", r->path, att, id);
    snprintf(s->platform, sizeof s->platform, "%s", id);
    return VG_OK;
}

static vg_err ncread__all(ncread *r, vg_series *s, vg_export_format *format, vg_errinfo *err)
{
    int var;
    bool gosud = ncread__has(r, "DAYD", &var);
    if (!gosud && !ncread__has(r, "TIME", &var))
        return vg_fail(err, VG_ERR_PARSE,
                       "%s: neither DAYD (GOSUD) nor TIME (Copernicus in-situ): not a file vigie reads",
                       r->path);
    if (format)
        *format = gosud ? VG_EXPORT_GOSUD : VG_EXPORT_INSTAC;
    vg_err rc = ncread__platform(r, gosud, s, err);
    if (rc != VG_OK)
        return rc;
    const char *tname = gosud ? "DAYD" : "TIME";
    int nd, dim;
    nc_inq_varndims(r->ncid, var, &nd);
    if (nd != 1)
        return vg_fail(err, VG_ERR_PARSE, "%s: %s must have one dimension", r->path, tname);
    nc_inq_vardimid(r->ncid, var, &dim);
    nc_inq_dimlen(r->ncid, dim, &r->n);
    size_t n = r->n;
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (!t) {
        rc = vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu rows", n);
        goto out;
    }
    if ((rc = ncread__doubles(r, tname, n, t, false, err)) ||
        (rc = vg_series_reserve(s, n, err)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (isnan(t[i])) {
            rc = vg_fail(err, VG_ERR_PARSE, "%s: %s[%zu] is a fill value: a row needs a time",
                         r->path, tname, i);
            goto out;
        }
        vg_errinfo e2;
        if ((rc = vg_series_append(s, vg_nc_from_days1950(t[i]), NULL, &e2))) {
            rc = vg_fail(err, rc, "%s: %s[%zu]: %s", r->path, tname, i, e2.text);
            goto out;
        }
    }
    free(t); /* the times are in the series now: no second copy while the columns are read */
    t = NULL;
    char qcname[NC_MAX_NAME + 1];
    snprintf(qcname, sizeof qcname, "%s_QC", tname);
    if ((rc = ncread__flags(r, qcname, n, s->time_qc, err)))
        goto out;
    /* Position: per row, or one for the whole file (fixed station). */
    const char *latn = gosud ? "LATX" : "LATITUDE", *lonn = gosud ? "LONX" : "LONGITUDE";
    size_t npos = n;
    if (!gosud && ncread__has(r, latn, &var)) {
        nc_inq_varndims(r->ncid, var, &nd);
        nc_inq_vardimid(r->ncid, var, &dim);
        nc_inq_dimlen(r->ncid, dim, &npos);
        if (npos != 1 && npos != n) {
            rc = vg_fail(err, VG_ERR_PARSE, "%s: LATITUDE has %zu values, neither 1 nor TIME's %zu",
                         r->path, npos, n);
            goto out;
        }
    }
    if ((rc = ncread__doubles(r, latn, npos, s->lat_deg, false, err)) ||
        (rc = ncread__doubles(r, lonn, npos, s->lon_deg, false, err)) ||
        (rc = ncread__flags(r, "POSITION_QC", npos, s->pos_qc, err)))
        goto out;
    for (size_t i = 1; npos == 1 && i < n; i++) {
        s->lat_deg[i] = s->lat_deg[0];
        s->lon_deg[i] = s->lon_deg[0];
        s->pos_qc[i] = s->pos_qc[0];
    }
    for (int p = 0; p < VG_P__COUNT; p++) {
        const char *code = vg_param_get((vg_param)p)->code;
        if (!ncread__has(r, code, &var))
            continue;
        if ((rc = vg_series_add_param(s, (vg_param)p, err)))
            goto out;
        nc_type type;
        nc_inq_vartype(r->ncid, var, &type);
        if ((rc = ncread__doubles(r, code, n, s->value[p], type == NC_FLOAT, err)))
            goto out;
        snprintf(qcname, sizeof qcname, "%s_QC", code);
        if ((rc = ncread__flags(r, qcname, n, s->qc[p], err)))
            goto out;
    }
out:
    free(t);
    return rc;
}

/* Set up the direct chunk reads of a NetCDF-4 file; false (netCDF-C reads everything)
 * when the file is not one, or on any failure. */
static bool ncread__direct_open(ncread *r, int threads)
{
    int fmt;
    if (threads <= 0 || nc_inq_format(r->ncid, &fmt) != NC_NOERR ||
        (fmt != NC_FORMAT_NETCDF4 && fmt != NC_FORMAT_NETCDF4_CLASSIC))
        return false;
    if (vg_h5_open_read(r->path, &r->h5, NULL) != VG_OK)
        return false;
    if (vg_chunkpool_new(threads, 1, NCREAD_MAX_CHUNK_BYTES, NULL, NULL, &r->pool, NULL) == VG_OK) {
        r->packed_cap = vg_chunkpool_max_packed(r->pool);
        r->packed = malloc(r->packed_cap);
        r->rows = malloc(NCREAD_MAX_CHUNK_BYTES);
        if (r->packed && r->rows)
            return true;
    }
    vg_chunkpool_free(r->pool);
    vg_h5_close(r->h5, NULL);
    free(r->packed);
    free(r->rows);
    r->pool = NULL;
    r->h5 = NULL;
    r->packed = r->rows = NULL;
    return false;
}

vg_err vg_export_read_threads(const char *path, int threads, vg_series *s,
                              vg_export_format *format, vg_errinfo *err)
{
    vg_series_init(s, NULL);
    ncread r = {.path = path, .ncid = -1};
    int st = nc_open(path, NC_NOWRITE, &r.ncid);
    if (st != NC_NOERR)
        return vg_fail(err, VG_ERR_IO, "cannot open %s: %s", path, nc_strerror(st));
    ncread__direct_open(&r, threads);
    vg_err rc = ncread__all(&r, s, format, err);
    if (r.h5) {
        vg_chunkpool_free(r.pool);
        vg_h5_close(r.h5, NULL);
        free(r.packed);
        free(r.rows);
    }
    nc_close(r.ncid);
    if (rc != VG_OK)
        vg_series_free(s);
    return rc;
}

vg_err vg_export_read(const char *path, vg_series *s, vg_export_format *format, vg_errinfo *err)
{
    return vg_export_read_threads(path, 0, s, format, err);
}
