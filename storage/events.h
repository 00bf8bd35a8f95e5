/* events.h: the durable list of QC events (core/event.h: datum shifts, clock offsets...) in
 * events.db, a Berkeley DB btree of its own in the store's environment, next to samples.db:
 *   key   = platform '\0' first(8 bytes, the samples' time encoding) kind(1 byte)
 *   value = version 1, then the event's fields (docs/storage.md, "events.db")
 * so that the same problem found again (same platform, kind and first time) replaces its
 * record with the latest estimate instead of adding one. Events are rare (a few a day at
 * most): each put is its own transaction, independent of the sample batches, and the
 * database is opened for the call only, so it is created on the first event and a
 * store without events has no events.db. The alerts read it with vg_store_events_walk. */
#ifndef VIGIE_STORAGE_EVENTS_H
#define VIGIE_STORAGE_EVENTS_H

#include "core/error.h"
#include "core/event.h"
#include "storage/store.h"

/* Store ev (copied) durably. The writer's store only (VG_ERR_INVAL read-only); VG_ERR_DB
 * with the Berkeley DB reason on failure. */
vg_err vg_store_put_event(vg_store *s, const vg_event *ev, vg_errinfo *err);

/* Call fn for each stored event of `platform` (NULL: every platform), in key order
 * (platform, then first time, then kind), on a snapshot; fn returns non-zero to stop.
 * A store without events.db has no events (VG_OK, fn never called). VG_ERR_DB on a
 * malformed record or a database failure. */
vg_err vg_store_events_walk(vg_store *s, const char *platform,
                            int (*fn)(void *ctx, const vg_event *ev), void *ctx,
                            vg_errinfo *err);

#endif
