/* flusher.h: the daemon's log flusher thread. The engine commits its batches without
 * waiting for the disk (vg_engine_set_deferred_acks); this thread calls vg_store_flush_log
 * (DB_ENV->log_flush) again and again while commits wait, and tells the event loop, through
 * an eventfd, up to which commit the log is on disk, so that the loop sends the
 * acknowledgements of those commits (vg_engine_durable). Parsing, QC and page writes of the
 * next batches thus overlap the fsync of the previous ones; nothing is acknowledged before
 * it is on disk (docs/storage.md, "What is durable when"). The store must outlive the
 * flusher (vg_flusher_stop before vg_store_close). */
#ifndef VIGIE_DAEMON_FLUSHER_H
#define VIGIE_DAEMON_FLUSHER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "storage/store.h"

typedef struct vg_flusher vg_flusher;

/* Start the thread over `store` (borrowed). VG_ERR_IO (no eventfd, no thread), VG_ERR_NOMEM. */
vg_err vg_flusher_start(vg_store *store, vg_flusher **out, vg_errinfo *err);

/* Ask for every commit up to number `commit` (vg_engine_commits) to reach the disk. Returns
 * at once; a smaller number than asked before is ignored. */
void vg_flusher_request(vg_flusher *f, uint64_t commit);

/* A file descriptor that becomes readable (poll POLLIN) when a flush ended. */
int vg_flusher_fd(const vg_flusher *f);

/* True when a flush ended since the last vg_flusher_take (an atomic load: cheap enough to
 * ask between two messages). The loop's thread only. */
bool vg_flusher_ready(vg_flusher *f);

/* Clear the fd's readiness and return the highest commit number known durable. When the
 * last flush failed, *failed is set and err says why (the thread tries again every 200 ms;
 * nothing after the last durable commit is acknowledged meanwhile). */
uint64_t vg_flusher_take(vg_flusher *f, bool *failed, vg_errinfo *err);

/* Stop the thread and free f (may be NULL). What was asked and not flushed yet is not
 * flushed: the caller flushes synchronously after it (vg_store_flush_log) if it needs to. */
void vg_flusher_stop(vg_flusher *f);

/* Flushes so far (for the stop summary). */
uint64_t vg_flusher_flushes(vg_flusher *f);

#endif
