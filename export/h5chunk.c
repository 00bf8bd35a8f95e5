/* h5chunk.c: direct chunk writes into a NetCDF-4 file with HDF5's own API (h5chunk.h).
 * HDF5's automatic error printing stays off (netCDF-C turns it off too): failures are
 * reported through vg_errinfo with the file and the variable. */
#include "export/h5chunk.h"

#include <hdf5.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define H5C_MAX_VARS 64

struct vg_h5file {
    char *path;
    hid_t file;
    hid_t dset[H5C_MAX_VARS];
    char *name[H5C_MAX_VARS];
    hsize_t chunk[H5C_MAX_VARS];
    int n;
};

vg_err vg_h5_open(const char *path, vg_h5file **out, vg_errinfo *err)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    vg_h5file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    }
    f->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f->file < 0) {
        free(f->path);
        free(f);
        return vg_fail(err, VG_ERR_IO, "%s: HDF5 cannot open the file for writing", path);
    }
    *out = f;
    return VG_OK;
}

/* What is wrong with dataset d for direct writes of elem_size-byte elements deflated at
 * `level`, or NULL. */
static const char *h5c__check(hid_t d, size_t elem_size, int level, hsize_t *chunk)
{
    const char *why = NULL;
    hid_t space = H5Dget_space(d), type = H5Dget_type(d), dcpl = H5Dget_create_plist(d);
    if (space < 0 || type < 0 || dcpl < 0)
        why = "cannot inquire";
    else if (H5Sget_simple_extent_ndims(space) != 1)
        why = "not one dimension";
    else if (H5Tget_size(type) != elem_size)
        why = "another element size";
    else if (elem_size > 1 && H5Tget_order(type) != H5T_ORDER_LE)
        why = "not little-endian";
    else if (H5Tget_order(H5T_NATIVE_INT) != H5T_ORDER_LE)
        why = "this machine is not little-endian";
    else if (H5Pget_layout(dcpl) != H5D_CHUNKED || H5Pget_chunk(dcpl, 1, chunk) != 1)
        why = "not chunked";
    else if (H5Pget_nfilters(dcpl) != 2)
        why = "not exactly two filters (shuffle, deflate)";
    else {
        unsigned flags, cd[4];
        size_t ncd = 4;
        if (H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL) != H5Z_FILTER_SHUFFLE)
            why = "the first filter is not shuffle";
        ncd = 4;
        if (!why && (H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL) != H5Z_FILTER_DEFLATE ||
                     ncd < 1 || cd[0] != (unsigned)level))
            why = "the second filter is not deflate at the level of the chunks";
    }
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    return why;
}

vg_err vg_h5_var(vg_h5file *f, const char *name, size_t elem_size, int deflate, int *handle,
                 size_t *chunk_rows, vg_errinfo *err)
{
    if (f->n >= H5C_MAX_VARS)
        return vg_fail(err, VG_ERR_FULL, "%s: more than %d variables written directly", f->path,
                       H5C_MAX_VARS);
    hid_t d = H5Dopen2(f->file, name, H5P_DEFAULT);
    if (d < 0)
        return vg_fail(err, VG_ERR_IO, "%s: HDF5 cannot open variable %s", f->path, name);
    hsize_t chunk = 0;
    const char *why = h5c__check(d, elem_size, deflate, &chunk);
    char *copy = why ? NULL : strdup(name);
    if (why || !copy || chunk == 0) {
        H5Dclose(d);
        free(copy);
        return why ? vg_fail(err, VG_ERR_INVAL, "%s: variable %s cannot take direct chunk "
                             "writes: %s", f->path, name, why)
                   : vg_fail(err, VG_ERR_NOMEM, "out of memory");
    }
    f->dset[f->n] = d;
    f->name[f->n] = copy;
    f->chunk[f->n] = chunk;
    *handle = f->n++;
    *chunk_rows = (size_t)chunk;
    return VG_OK;
}

vg_err vg_h5_write_chunk(vg_h5file *f, int handle, size_t index, const void *data, size_t bytes,
                         vg_errinfo *err)
{
    if (handle < 0 || handle >= f->n)
        return vg_fail(err, VG_ERR_INVAL, "%s: no variable handle %d", f->path, handle);
    hsize_t offset = (hsize_t)index * f->chunk[handle];
    if (H5Dwrite_chunk(f->dset[handle], H5P_DEFAULT, 0, &offset, bytes, data) < 0)
        return vg_fail(err, VG_ERR_IO, "%s: writing chunk %zu of %s (%zu bytes) failed", f->path,
                       index, f->name[handle], bytes);
    return VG_OK;
}

vg_err vg_h5_write_whole(vg_h5file *f, const char *name, const void *data, vg_errinfo *err)
{
    hid_t d = H5Dopen2(f->file, name, H5P_DEFAULT);
    if (d < 0)
        return vg_fail(err, VG_ERR_IO, "%s: HDF5 cannot open variable %s", f->path, name);
    hid_t type = H5Dget_type(d);
    herr_t st = type < 0 ? -1 : H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (type >= 0)
        H5Tclose(type);
    H5Dclose(d);
    if (st < 0)
        return vg_fail(err, VG_ERR_IO, "%s: writing %s failed", f->path, name);
    return VG_OK;
}

vg_err vg_h5_close(vg_h5file *f, vg_errinfo *err)
{
    if (!f)
        return VG_OK;
    bool ok = true;
    for (int i = 0; i < f->n; i++) {
        ok &= H5Dclose(f->dset[i]) >= 0;
        free(f->name[i]);
    }
    ok &= H5Fclose(f->file) >= 0;
    vg_err rc = ok ? VG_OK : vg_fail(err, VG_ERR_IO, "%s: HDF5 failed to close the file", f->path);
    free(f->path);
    free(f);
    return rc;
}
