/* batch_out.h: the output of `vigie qc`, rows in input order although their flags come
 * later: a row is written at once with placeholders where its flags go (a reservation),
 * and the placeholders are overwritten when the stream engine judges the sample (same
 * length: flags are one digit each). Memory is a write buffer plus one reservation per
 * held sample: the buffer is written out as it fills and a reservation already written is
 * patched in the file with pwrite(2). On a pipe (no pwrite) the buffer keeps the bytes from
 * the oldest open reservation on, which is one row when the input has one platform. */
#ifndef VIGIE_TOOLS_BATCH_OUT_H
#define VIGIE_TOOLS_BATCH_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct vg_batch_out vg_batch_out;

/* Create (truncate) path, or standard output for "-". max_reserved: how many reservations
 * may be open at once. err names the path and the system error. */
vg_err vg_batch_out_open(const char *path, size_t max_reserved, vg_batch_out **out,
                         vg_errinfo *err);

/* Append s[0..n). */
vg_err vg_batch_out_write(vg_batch_out *o, const char *s, size_t n, vg_errinfo *err);

/* Append placeholder[0..n) and return in *slot a reservation for those bytes. VG_ERR_FULL
 * when max_reserved reservations are open. */
vg_err vg_batch_out_reserve(vg_batch_out *o, const char *placeholder, size_t n, size_t *slot,
                            vg_errinfo *err);

/* Overwrite the bytes of reservation `slot` with s[0..n) (n: the reserved length) and close
 * the reservation. */
vg_err vg_batch_out_fill(vg_batch_out *o, size_t slot, const char *s, size_t n,
                         vg_errinfo *err);

/* Write what is buffered and close (not standard output, which is only flushed). Open
 * reservations keep their placeholders. Frees o (also on failure); o may be NULL. */
vg_err vg_batch_out_close(vg_batch_out *o, vg_errinfo *err);

#endif
