/* chunkpool.h: the chunks of a NetCDF-4 (HDF5) variable filled, shuffled and deflated on
 * worker threads, in the exact byte format of HDF5's shuffle and deflate filters, so that a
 * writer can store them as they are (h5chunk.h, H5Dwrite_chunk) while the next ones are
 * being compressed; and the way back for a reader (H5Dread_chunk): inflated, unshuffled
 * and converted on the workers. netCDF-C runs those filters serially on the one thread
 * that may call it; here zlib (compress2 / uncompress, as HDF5's deflate filter calls it)
 * runs on N threads and only the hand-over of chunks stays on the caller's thread.
 * Encoded chunks reach the caller's sink in the order they were submitted. */
#ifndef VIGIE_EXPORT_CHUNKPOOL_H
#define VIGIE_EXPORT_CHUNKPOOL_H

#include <stddef.h>

#include "core/error.h"

/* One chunk to encode. fill runs on a worker thread: it writes the chunk's nelem elements
 * of elem_size bytes each (raw, in the file's byte order) into raw, reading only data that
 * stays unchanged until the sink has had the chunk. The other fields are the caller's
 * (what fill reads, where the sink stores the chunk); the pool copies the task. */
#define VG_CHUNK_SHUFFLED 1u
#define VG_CHUNK_DEFLATED 2u

typedef struct vg_chunk_task {
    void (*fill)(const struct vg_chunk_task *t, void *raw);
    /* Decoding (vg_chunkpool_submit_decode): runs on a worker thread with the chunk's nelem
     * raw elements (inflated, unshuffled); writes rows first..first+rows of dst, rows
     * that no other task writes. */
    void (*store)(const struct vg_chunk_task *t, const void *raw);
    void *dst;              /* for store: the destination column */
    unsigned filters;       /* decoding: VG_CHUNK_SHUFFLED | VG_CHUNK_DEFLATED, the filters
                             * applied to this chunk (to undo) */
    const void *src, *aux;  /* for fill: the source column(s) */
    size_t first, rows;     /* for fill: the rows of the chunk (rows <= nelem) */
    double pad;             /* for fill: the value of the rows past `rows` (edge chunk) */
    size_t elem_size;       /* bytes of one element, 1..16 */
    size_t nelem;           /* elements of the chunk (the variable's chunk size) */
    int var;                /* for the sink: which variable */
    int var2;               /* for the sink: another variable that takes the same bytes
                             * (the same data twice in a file), or -1 */
    size_t index;           /* for the sink: which chunk of it */
} vg_chunk_task;

/* Called on the caller's thread (inside submit or drain) with each encoded chunk, in
 * submission order: bytes of data (valid during the call only). A failure stops the pool:
 * submit and drain return it. Not called for decoded chunks. */
typedef vg_err (*vg_chunk_sink)(void *ctx, const vg_chunk_task *t, const void *data,
                                size_t bytes, vg_errinfo *err);

typedef struct vg_chunkpool vg_chunkpool;

/* A pool of `threads` (1..16) workers encoding chunks of at most max_chunk_bytes raw
 * bytes: shuffle (HDF5's byte transposition) then deflate at `level` (1..9); or decoding
 * them (then sink may be NULL). A few chunks per worker are in flight (about 3 times
 * max_chunk_bytes of buffers each). Free with vg_chunkpool_free. VG_ERR_INVAL,
 * VG_ERR_NOMEM, or VG_ERR_IO when a thread cannot start. */
vg_err vg_chunkpool_new(int threads, int level, size_t max_chunk_bytes, vg_chunk_sink sink,
                        void *sink_ctx, vg_chunkpool **out, vg_errinfo *err);

/* Queue t (copied). When every slot is busy, first waits for the oldest chunk and hands it
 * to the sink. Returns the first failure of a fill, a compression or the sink. */
vg_err vg_chunkpool_submit(vg_chunkpool *p, const vg_chunk_task *t, vg_errinfo *err);

/* Queue the decoding of t: `bytes` bytes of packed (copied; at most
 * vg_chunkpool_max_packed) with the filters t->filters applied, to become t->nelem
 * elements given to t->store on a worker. A chunk that does not inflate to exactly
 * nelem * elem_size bytes fails (VG_ERR_PARSE, returned by a later submit or drain). */
vg_err vg_chunkpool_submit_decode(vg_chunkpool *p, const vg_chunk_task *t, const void *packed,
                                  size_t bytes, vg_errinfo *err);

/* The largest packed chunk submit_decode takes (bytes). */
size_t vg_chunkpool_max_packed(const vg_chunkpool *p);

/* Wait for every queued chunk and hand each encoded one to the sink. */
vg_err vg_chunkpool_drain(vg_chunkpool *p, vg_errinfo *err);

/* Stop the workers (chunks still queued are dropped, never handed over) and free. NULL ok. */
void vg_chunkpool_free(vg_chunkpool *p);

/* The inverse of vg_chunk_shuffle: out[i * elem_size + j] = in[j * n + i]. */
void vg_chunk_unshuffle(const void *in, void *out, size_t elem_size, size_t n);

/* HDF5's shuffle filter on n elements of elem_size bytes: out[j * n + i] = in[i * elem_size
 * + j] (all first bytes, then all second bytes...). in and out do not overlap. */
void vg_chunk_shuffle(const void *in, void *out, size_t elem_size, size_t n);

#endif
