/* walk.h: every sample of a store, or of one platform over a time range, whole (position,
 * values, every flag, raw frame): each platform in time order, the platforms with a
 * database of their own in id order, then the others (in "#shared") in (id, time) order;
 * for `vigie db export` and the NetCDF export. Read in chunks, each in its own
 * snapshot, with nothing held while the caller's callback runs (like the queries of
 * store.h). Part of the storage layer's public interface, next to store.h. */
#ifndef VIGIE_STORAGE_WALK_H
#define VIGIE_STORAGE_WALK_H

#include "core/error.h"
#include "core/sample.h"
#include "storage/store.h"

/* Call fn for every stored sample; smp (and its raw frame) is valid during the call only.
 * fn returns non-zero to stop (the walk then returns VG_OK). VG_ERR_DB for a Berkeley DB
 * failure or a record this vigie cannot decode. */
vg_err vg_store_walk_samples(vg_store *s, int (*fn)(void *ctx, const vg_sample *smp),
                             void *ctx, vg_errinfo *err);

/* The same for the samples of one platform with from <= time <= to (VG_TIME_NONE: open),
 * in time order: one decode per sample (vg_store_query calls back once per parameter
 * value). VG_ERR_INVAL for an invalid platform id. */
vg_err vg_store_walk_platform(vg_store *s, const char *platform, vg_time_us from,
                              vg_time_us to, int (*fn)(void *ctx, const vg_sample *smp),
                              void *ctx, vg_errinfo *err);

#endif
