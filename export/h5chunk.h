/* h5chunk.h: storing chunks that were compressed elsewhere (chunkpool.h) into the
 * variables of a NetCDF-4 file, through HDF5's direct chunk write (H5Dwrite_chunk, HDF5
 * 1.10.3+). netCDF-C defines the file (dimensions, variables, attributes, chunking, the
 * shuffle and deflate filters) and closes it; this reopens it with HDF5 and writes the
 * variables' data, which netCDF-C readers then read as any other file. Each variable is
 * checked first: one dimension, chunked, the filters exactly shuffle + deflate at the
 * level the chunks were compressed with, little-endian like this machine. One thread only
 * (Debian's HDF5 is not thread-safe), and no netCDF-C handle open on the file meanwhile.
 * Also the way back: raw chunks read with H5Dread_chunk for a reader that inflates them
 * on worker threads (chunkpool.h). */
#ifndef VIGIE_EXPORT_H5CHUNK_H
#define VIGIE_EXPORT_H5CHUNK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef struct vg_h5file vg_h5file;

/* Open path (a closed NetCDF-4 file) for writing. VG_ERR_IO names the file. */
vg_err vg_h5_open(const char *path, vg_h5file **out, vg_errinfo *err);

/* Open the variable `name` for direct chunk writes: *handle for vg_h5_write_chunk and
 * *chunk_rows its chunk length (elements). elem_size: bytes of one element in the file;
 * deflate: the level the chunks are compressed with (1..9). VG_ERR_INVAL (naming the
 * variable and what differs) when the variable is not 1-D chunked little-endian with
 * elements of elem_size bytes and exactly the filters shuffle then deflate(deflate). */
vg_err vg_h5_var(vg_h5file *f, const char *name, size_t elem_size, int deflate, int *handle,
                 size_t *chunk_rows, vg_errinfo *err);

/* Store chunk `index` (rows index * chunk_rows ...) of variable handle: `bytes` bytes of
 * data, shuffled and deflated (all filters applied). VG_ERR_IO. */
vg_err vg_h5_write_chunk(vg_h5file *f, int handle, size_t index, const void *data, size_t bytes,
                         vg_errinfo *err);

/* Write the whole of variable `name` through HDF5's usual path (its own filters), data in
 * the file's element type (e.g. the characters of a NC_CHAR variable). For small
 * variables. VG_ERR_IO. */
vg_err vg_h5_write_whole(vg_h5file *f, const char *name, const void *data, vg_errinfo *err);

/* Reading (the way back, for vg_export_read): open path read-only. A netCDF-C handle may
 * stay open on the file meanwhile (HDF5 shares it). VG_ERR_IO. */
vg_err vg_h5_open_read(const char *path, vg_h5file **out, vg_errinfo *err);

/* Open the variable `name` for direct chunk reads: *handle, *chunk_rows, and *filters
 * (VG_CHUNK_SHUFFLED, VG_CHUNK_DEFLATED of chunkpool.h) its filters. VG_ERR_INVAL (the
 * reason) when it is not 1-D, chunked, little-endian with elements of elem_size bytes and
 * filters among shuffle then deflate, or when its extent is not `rows` (a variable shorter
 * than its unlimited dimension, whose missing rows netCDF-C reads as fill values): the
 * caller reads it another way. */
vg_err vg_h5_var_read(vg_h5file *f, const char *name, size_t elem_size, size_t rows,
                      int *handle, size_t *chunk_rows, unsigned *filters, vg_errinfo *err);

/* Read chunk `index` of variable handle as stored into buf (cap bytes): *bytes, and
 * *filters the filters applied to it (a filter may have been skipped for one chunk).
 * *absent (then nothing read) when the chunk was never written: its values are the fill
 * value, read with vg_h5_read_rows. VG_ERR_FULL when cap is too small, VG_ERR_IO. */
vg_err vg_h5_read_chunk(vg_h5file *f, int handle, size_t index, void *buf, size_t cap,
                        size_t *bytes, unsigned *filters, bool *absent, vg_errinfo *err);

/* Read rows first..first+rows of variable handle through HDF5's usual path into raw, in
 * the file's element type (fill values where nothing was written). VG_ERR_IO. */
vg_err vg_h5_read_rows(vg_h5file *f, int handle, size_t first, size_t rows, void *raw,
                       vg_errinfo *err);

/* Close the variables and the file; the file's own failure is returned (VG_ERR_IO). Frees
 * f (NULL ok). */
vg_err vg_h5_close(vg_h5file *f, vg_errinfo *err);

#endif
