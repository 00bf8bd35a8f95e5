/* h5chunk.c: direct chunk writes into a NetCDF-4 file with HDF5's own API (h5chunk.h).
 * HDF5's automatic error printing stays off (netCDF-C turns it off too): failures are
 * reported through vg_errinfo with the file and the variable. */
#include "export/h5chunk.h"

#include "export/chunkpool.h"

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
    unsigned filters[H5C_MAX_VARS];       /* reading: VG_CHUNK_* of the variable */
    H5Z_filter_t pipe[H5C_MAX_VARS][2];   /* reading: its filters in pipeline order */
    int npipe[H5C_MAX_VARS];
    int n;
};

static vg_err h5c__open(const char *path, bool writable, vg_h5file **out, vg_errinfo *err)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    vg_h5file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    }
    f->file = H5Fopen(path, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f->file < 0) {
        free(f->path);
        free(f);
        return vg_fail(err, VG_ERR_IO, "%s: HDF5 cannot open the file%s", path,
                       writable ? " for writing" : "");
    }
    *out = f;
    return VG_OK;
}

vg_err vg_h5_open(const char *path, vg_h5file **out, vg_errinfo *err)
{
    return h5c__open(path, true, out, err);
}

vg_err vg_h5_open_read(const char *path, vg_h5file **out, vg_errinfo *err)
{
    return h5c__open(path, false, out, err);
}

/* What the direct chunk paths need of any dataset, both ways: one dimension, elements of
 * elem_size bytes, little-endian (here too), chunked (*chunk rows); NULL when it is so. */
static const char *h5c__check_shape(hid_t space, hid_t type, hid_t dcpl, size_t elem_size,
                                    hsize_t *chunk)
{
    if (H5Sget_simple_extent_ndims(space) != 1)
        return "not one dimension";
    if (H5Tget_size(type) != elem_size)
        return "another element size";
    if (elem_size > 1 && H5Tget_order(type) != H5T_ORDER_LE)
        return "not little-endian";
    if (H5Tget_order(H5T_NATIVE_INT) != H5T_ORDER_LE)
        return "this machine is not little-endian";
    if (H5Pget_layout(dcpl) != H5D_CHUNKED || H5Pget_chunk(dcpl, 1, chunk) != 1)
        return "not chunked";
    return NULL;
}

/* What is wrong with dataset d for direct writes of elem_size-byte elements deflated at
 * `level`, or NULL. */
static const char *h5c__check(hid_t d, size_t elem_size, int level, hsize_t *chunk)
{
    const char *why = NULL;
    hid_t space = H5Dget_space(d), type = H5Dget_type(d), dcpl = H5Dget_create_plist(d);
    if (space < 0 || type < 0 || dcpl < 0)
        why = "cannot inquire";
    else
        why = h5c__check_shape(space, type, dcpl, elem_size, chunk);
    if (!why && H5Pget_nfilters(dcpl) != 2)
        why = "not exactly two filters (shuffle, deflate)";
    else if (!why) {
        unsigned flags, cd[4];
        size_t ncd = 4;
        if (H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL) != H5Z_FILTER_SHUFFLE)
            why = "the first filter is not shuffle";
        ncd = 4;
        if (!why &&
            (H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL) != H5Z_FILTER_DEFLATE ||
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

/* What is wrong with dataset d for direct reads of elem_size-byte elements, or NULL; its
 * chunk length, filters and pipeline. */
static const char *h5c__check_read(hid_t d, size_t elem_size, hsize_t *chunk, unsigned *filters,
                                   H5Z_filter_t pipe[2], int *npipe)
{
    const char *why = NULL;
    hid_t space = H5Dget_space(d), type = H5Dget_type(d), dcpl = H5Dget_create_plist(d);
    int nf = dcpl >= 0 ? H5Pget_nfilters(dcpl) : -1;
    *filters = 0;
    *npipe = 0;
    if (space < 0 || type < 0 || dcpl < 0 || nf < 0)
        why = "cannot inquire";
    else
        why = h5c__check_shape(space, type, dcpl, elem_size, chunk);
    if (!why && nf > 2)
        why = "more than shuffle and deflate";
    for (int i = 0; !why && i < nf; i++) {
        unsigned flags, cd[8];
        size_t ncd = 8;
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
        if (id == H5Z_FILTER_SHUFFLE && i == 0)
            *filters |= VG_CHUNK_SHUFFLED;
        else if (id == H5Z_FILTER_DEFLATE && !(*filters & VG_CHUNK_DEFLATED))
            *filters |= VG_CHUNK_DEFLATED;
        else
            why = "a filter other than shuffle then deflate";
        pipe[(*npipe)++] = id;
    }
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    return why;
}

vg_err vg_h5_var_read(vg_h5file *f, const char *name, size_t elem_size, size_t rows,
                      int *handle, size_t *chunk_rows, unsigned *filters, vg_errinfo *err)
{
    if (f->n >= H5C_MAX_VARS)
        return vg_fail(err, VG_ERR_INVAL, "%s: more than %d variables read directly", f->path,
                       H5C_MAX_VARS);
    hid_t d = H5Dopen2(f->file, name, H5P_DEFAULT);
    if (d < 0)
        return vg_fail(err, VG_ERR_INVAL, "%s: HDF5 cannot open variable %s", f->path, name);
    hsize_t chunk = 0;
    int k = f->n;
    const char *why = h5c__check_read(d, elem_size, &chunk, &f->filters[k], f->pipe[k],
                                      &f->npipe[k]);
    if (!why) {
        hid_t sp = H5Dget_space(d);
        hsize_t dims[1] = {0};
        if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1 ||
            H5Sget_simple_extent_dims(sp, dims, NULL) != 1 || dims[0] != (hsize_t)rows)
            why = "its extent is not the dimension's length";
        if (sp >= 0)
            H5Sclose(sp);
    }
    char *copy = why ? NULL : strdup(name);
    if (why || !copy || chunk == 0) {
        H5Dclose(d);
        free(copy);
        return vg_fail(err, VG_ERR_INVAL, "%s: variable %s cannot be read by chunks: %s",
                       f->path, name, why ? why : "out of memory");
    }
    f->dset[k] = d;
    f->name[k] = copy;
    f->chunk[k] = chunk;
    *filters = f->filters[k];
    *handle = f->n++;
    *chunk_rows = (size_t)chunk;
    return VG_OK;
}

vg_err vg_h5_read_chunk(vg_h5file *f, int handle, size_t index, void *buf, size_t cap,
                        size_t *bytes, unsigned *filters, bool *absent, vg_errinfo *err)
{
    if (handle < 0 || handle >= f->n)
        return vg_fail(err, VG_ERR_INVAL, "%s: no variable handle %d", f->path, handle);
    hsize_t offset = (hsize_t)index * f->chunk[handle], size = 0;
    *absent = false;
    *bytes = 0;
    /* an unallocated chunk (never written) has no storage: HDF5 fails or says 0 */
    if (H5Dget_chunk_storage_size(f->dset[handle], &offset, &size) < 0 || size == 0) {
        *absent = true;
        return VG_OK;
    }
    if (size > cap)
        return vg_fail(err, VG_ERR_FULL, "%s: chunk %zu of %s has %llu bytes, more than %zu",
                       f->path, index, f->name[handle], (unsigned long long)size, cap);
    uint32_t mask = 0;
    if (H5Dread_chunk(f->dset[handle], H5P_DEFAULT, &offset, &mask, buf) < 0)
        return vg_fail(err, VG_ERR_IO, "%s: reading chunk %zu of %s failed", f->path, index,
                       f->name[handle]);
    unsigned applied = 0;
    for (int i = 0; i < f->npipe[handle]; i++)
        if (!(mask & (1u << i)))
            applied |= f->pipe[handle][i] == H5Z_FILTER_SHUFFLE ? VG_CHUNK_SHUFFLED
                                                                 : VG_CHUNK_DEFLATED;
    *filters = applied;
    *bytes = (size_t)size;
    return VG_OK;
}

vg_err vg_h5_read_rows(vg_h5file *f, int handle, size_t first, size_t rows, void *raw,
                       vg_errinfo *err)
{
    if (handle < 0 || handle >= f->n)
        return vg_fail(err, VG_ERR_INVAL, "%s: no variable handle %d", f->path, handle);
    hid_t d = f->dset[handle];
    hsize_t start = first, count = rows;
    hid_t type = H5Dget_type(d), fspace = H5Dget_space(d);
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    herr_t st = -1;
    if (type >= 0 && fspace >= 0 && mspace >= 0 &&
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &count, NULL) >= 0)
        st = H5Dread(d, type, mspace, fspace, H5P_DEFAULT, raw);
    if (type >= 0)
        H5Tclose(type);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (mspace >= 0)
        H5Sclose(mspace);
    if (st < 0)
        return vg_fail(err, VG_ERR_IO, "%s: reading rows %zu-%zu of %s failed", f->path, first,
                       first + rows, f->name[handle]);
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
