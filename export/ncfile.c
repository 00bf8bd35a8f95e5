/* ncfile.c: atomic NetCDF file creation and the small helpers shared by the writers and
 * readers of export/ (ncfile.h). */
#include "export/ncfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netcdf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double vg_nc_days1950(vg_time_us t)
{
    /* Split whole days and the rest so that the double keeps microseconds exact enough. */
    int64_t us = t + VG_NC_EPOCH_1950_US;
    int64_t day_us = INT64_C(86400) * VG_US_PER_S;
    int64_t d = us / day_us, r = us % day_us;
    return (double)d + (double)r / (double)day_us;
}

vg_time_us vg_nc_from_days1950(double days)
{
    double whole = floor(days);
    int64_t day_us = INT64_C(86400) * VG_US_PER_S;
    int64_t us = (int64_t)whole * day_us + (int64_t)llround((days - whole) * (double)day_us);
    return us - VG_NC_EPOCH_1950_US;
}

vg_err vg_nc_check(int status, const char *what, vg_errinfo *err)
{
    if (status == NC_NOERR)
        return VG_OK;
    return vg_fail(err, VG_ERR_IO, "%s: %s", what, nc_strerror(status));
}

vg_err vg_ncfile_create(vg_ncfile *f, const char *final_path, bool classic, int deflate,
                        vg_errinfo *err)
{
    memset(f, 0, sizeof *f);
    f->ncid = -1;
    f->classic = classic;
    f->deflate = deflate < 0 ? 0 : deflate > 9 ? 9 : deflate;
    const char *slash = strrchr(final_path, '/');
    size_t dirlen = slash ? (size_t)(slash - final_path) + 1 : 0;
    const char *base = final_path + dirlen;
    if (!*base)
        return vg_fail(err, VG_ERR_INVAL, "%s: not a file name", final_path);
    size_t n = strlen(final_path) + 32;
    f->final_path = strdup(final_path);
    f->tmp_path = malloc(n);
    if (!f->final_path || !f->tmp_path) {
        vg_ncfile_abort(f);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    }
    snprintf(f->tmp_path, n, "%.*s.%s.tmp.%ld", (int)dirlen, final_path, base, (long)getpid());
    int mode = classic ? (NC_CLOBBER | NC_64BIT_OFFSET) : (NC_CLOBBER | NC_NETCDF4 | NC_CLASSIC_MODEL);
    int st = nc_create(f->tmp_path, mode, &f->ncid);
    if (st != NC_NOERR) {
        f->ncid = -1;
        vg_err rc = vg_fail(err, VG_ERR_IO, "cannot create %s: %s", f->tmp_path, nc_strerror(st));
        vg_ncfile_abort(f);
        return rc;
    }
    if (classic) /* no pre-filling: every variable is written whole */
        nc_set_fill(f->ncid, NC_NOFILL, NULL);
    return VG_OK;
}

vg_err vg_ncfile_def_var(vg_ncfile *f, const char *name, int type, int ndims, const int *dims,
                         size_t chunk_rows, int *varid, vg_errinfo *err)
{
    char what[160];
    snprintf(what, sizeof what, "%s: defining %s", f->final_path, name);
    vg_err rc = vg_nc_check(nc_def_var(f->ncid, name, type, ndims, dims, varid), what, err);
    if (rc != VG_OK || f->classic || ndims == 0)
        return rc;
    size_t chunks[NC_MAX_VAR_DIMS];
    for (int i = 0; i < ndims; i++) {
        size_t len = 0;
        nc_inq_dimlen(f->ncid, dims[i], &len);
        chunks[i] = len ? len : 1;
    }
    if (chunk_rows && chunks[0] > chunk_rows)
        chunks[0] = chunk_rows;
    if ((rc = vg_nc_check(nc_def_var_chunking(f->ncid, *varid, NC_CHUNKED, chunks), what, err)))
        return rc;
    if (f->deflate > 0)
        rc = vg_nc_check(nc_def_var_deflate(f->ncid, *varid, 1, 1, f->deflate), what, err);
    return rc;
}

static void ncfile__free(vg_ncfile *f)
{
    free(f->tmp_path);
    free(f->final_path);
    f->tmp_path = f->final_path = NULL;
}

void vg_ncfile_abort(vg_ncfile *f)
{
    if (f->ncid >= 0)
        nc_close(f->ncid);
    f->ncid = -1;
    if (f->tmp_path)
        unlink(f->tmp_path);
    ncfile__free(f);
}

/* fsync path (a file or a directory), errno preserved in the returned error. */
static vg_err ncfile__fsync(const char *path, int flags, vg_errinfo *err)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    if (rc != 0 && e != EINVAL) /* EINVAL: a directory on a file system that cannot sync it */
        return vg_fail(err, VG_ERR_IO, "fsync %s: %s", path, strerror(e));
    return VG_OK;
}

vg_err vg_ncfile_close_nc(vg_ncfile *f, vg_errinfo *err)
{
    int st = f->ncid >= 0 ? nc_close(f->ncid) : NC_NOERR;
    f->ncid = -1;
    if (st == NC_NOERR)
        return VG_OK;
    vg_err rc = vg_fail(err, VG_ERR_IO, "writing %s: %s", f->tmp_path, nc_strerror(st));
    vg_ncfile_abort(f);
    return rc;
}

vg_err vg_ncfile_commit(vg_ncfile *f, vg_errinfo *err)
{
    int st = f->ncid >= 0 ? nc_close(f->ncid) : NC_NOERR;
    f->ncid = -1;
    vg_err rc;
    if (st != NC_NOERR) {
        rc = vg_fail(err, VG_ERR_IO, "writing %s: %s", f->tmp_path, nc_strerror(st));
        vg_ncfile_abort(f);
        return rc;
    }
    if ((rc = ncfile__fsync(f->tmp_path, O_RDONLY, err)) != VG_OK) {
        vg_ncfile_abort(f);
        return rc;
    }
    if (rename(f->tmp_path, f->final_path) != 0) {
        rc = vg_fail(err, VG_ERR_IO, "cannot rename %s to %s: %s", f->tmp_path, f->final_path,
                     strerror(errno));
        vg_ncfile_abort(f);
        return rc;
    }
    char *dir = strdup(f->final_path);
    if (dir) {
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
        rc = ncfile__fsync(slash ? dir : ".", O_RDONLY | O_DIRECTORY, err);
        free(dir);
    }
    ncfile__free(f);
    return rc;
}

int vg_nc_text(int ncid, int varid, const char *name, const char *text)
{
    return nc_put_att_text(ncid, varid, name, strlen(text), text);
}

int vg_nc_textf(int ncid, int varid, const char *name, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return vg_nc_text(ncid, varid, name, buf);
}

int vg_nc_double(int ncid, int varid, const char *name, double v)
{
    return nc_put_att_double(ncid, varid, name, NC_DOUBLE, 1, &v);
}

int vg_nc_float(int ncid, int varid, const char *name, float v)
{
    return nc_put_att_float(ncid, varid, name, NC_FLOAT, 1, &v);
}

int vg_nc_byte(int ncid, int varid, const char *name, signed char v)
{
    return nc_put_att_schar(ncid, varid, name, NC_BYTE, 1, &v);
}

int vg_nc_flag_attrs(int ncid, int varid, const char *meaning6)
{
    static const signed char values[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    int st = nc_put_att_schar(ncid, varid, "flag_values", NC_BYTE, 10, values);
    if (st == NC_NOERR)
        st = vg_nc_textf(ncid, varid, "flag_meanings",
                         "no_qc_performed good_data probably_good_data "
                         "bad_data_that_are_potentially_correctable bad_data value_changed %s "
                         "nominal_value interpolated_value missing_value",
                         meaning6);
    if (st == NC_NOERR)
        st = vg_nc_byte(ncid, varid, "valid_min", 0);
    if (st == NC_NOERR)
        st = vg_nc_byte(ncid, varid, "valid_max", 9);
    return st;
}

char *vg_nc_iso_seconds(vg_time_us t, char *buf)
{
    int y, mo, d, h, mi, s;
    vg_time_to_fields(t, &y, &mo, &d, &h, &mi, &s, NULL);
    snprintf(buf, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    return buf;
}

char *vg_nc_compact(vg_time_us t, char *buf)
{
    int y, mo, d, h, mi, s;
    vg_time_to_fields(t, &y, &mo, &d, &h, &mi, &s, NULL);
    snprintf(buf, 15, "%04d%02d%02d%02d%02d%02d", y, mo, d, h, mi, s);
    return buf;
}
