/* outbox.h: a durable outbox of messages waiting to leave the daemon (alert mails, file
 * uploads), in its own Berkeley DB database outbox.db of the store's environment. Items
 * live in named queues ("mail", "upload"); each has a monotonic u64 id, opaque payload
 * bytes, its creation time, the number of failed attempts, the time of the next attempt and
 * the last error. A producer puts items (inside the store's write batch, so that an alert
 * commits with the samples that raised it, or alone); one sender thread takes the due
 * ones, and marks each sent (deleted) or failed (retried later with a deterministic
 * exponential back-off). Schema and guarantees: docs/storage.md, "Outbox". */
#ifndef VIGIE_STORAGE_OUTBOX_H
#define VIGIE_STORAGE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/time.h"
#include "storage/store.h"

#define VG_OUTBOX_QUEUE_MAX 32   /* bytes of a queue name with its NUL: 1..31 of [a-z0-9_-] */
#define VG_OUTBOX_ERROR_MAX 512  /* bytes kept of the last error text (with NUL) */
#define VG_OUTBOX_PAYLOAD_MAX (16u * 1024u * 1024u) /* largest payload, bytes */

typedef struct vg_outbox vg_outbox;

typedef enum vg_outbox_mode {
    VG_OUTBOX_DAEMON, /* the store's writer process: joins or opens the environment as the
                       * writer (recovery, like vg_store_open), creates outbox.db */
    VG_OUTBOX_TOOL,   /* another process (vigie alerts resend): joins the environment as a
                       * reader, never recovers or creates, but may force a retry */
    VG_OUTBOX_READER, /* read only (vigie alerts list) */
} vg_outbox_mode;

/* Open the outbox of the store in directory `path`. cache_mb (1..4096) sizes the cache when
 * this call creates the environment (the daemon opens the store first: then it is shared).
 * Fails like vg_store_open: VG_ERR_NOTFOUND "no vigie store at PATH" for a tool or reader
 * when there is no store or no outbox.db yet (the daemon creates it), VG_ERR_DB when the
 * store needs recovery. *out is owned by the caller: close with vg_outbox_close. One
 * vg_outbox may be used by several threads at once (DB_THREAD handles, one transaction per
 * call); the usual pattern is the engine thread putting and one sender thread taking. */
vg_err vg_outbox_open(const char *path, int cache_mb, vg_outbox_mode mode, vg_outbox **out,
                      vg_errinfo *err);

/* Close the handles. o may be NULL. No call of o may be running in another thread. */
vg_err vg_outbox_close(vg_outbox *o, vg_errinfo *err);

/* True if name is a valid queue name (1..31 bytes of [a-z0-9_-]). */
bool vg_outbox_queue_ok(const char *name);

/* Add an item to queue: a copy of payload[0..len) (len <= VG_OUTBOX_PAYLOAD_MAX), created
 * at `now` and due at once (attempts 0). Its id, greater than every id this outbox ever
 * gave (kept in outbox.db, so also across restarts and after deletions), goes to *id
 * (may be NULL).
 * With `batch` a store of the same directory that has a batch open (vg_store_in_batch),
 * the item is written in that batch: it becomes durable with vg_store_commit and vanishes
 * with vg_store_abort (after a failure, abort the batch as for the store's puts). Then only
 * the thread that owns the store may call this. Otherwise (batch NULL or without a batch
 * open) it is written and committed (durable) in a transaction of its own.
 * VG_ERR_INVAL for a bad queue, payload or a store of another environment, VG_ERR_DB on a
 * read-only outbox or a Berkeley DB failure. */
vg_err vg_outbox_put(vg_outbox *o, vg_store *batch, const char *queue, const void *payload,
                     size_t len, vg_time_us now, uint64_t *id, vg_errinfo *err);

/* An item as read from the outbox. The strings and the payload are owned by the item
 * (free with vg_outbox_item_clear or vg_outbox_items_free). */
typedef struct vg_outbox_item {
    uint64_t id;
    char queue[VG_OUTBOX_QUEUE_MAX];
    unsigned char *payload;    /* len bytes (NUL-terminated for convenience, not counted) */
    size_t len;
    vg_time_us created;        /* when it was put (UTC us) */
    vg_time_us next_attempt;   /* not sent before this time (UTC us) */
    uint32_t attempts;         /* failed attempts so far */
    char last_error[VG_OUTBOX_ERROR_MAX]; /* "" before the first failure */
} vg_outbox_item;

void vg_outbox_item_clear(vg_outbox_item *it);
void vg_outbox_items_free(vg_outbox_item *items, size_t n);

/* Call fn for every item of queue (every queue when queue is NULL) in (queue, id) order.
 * The item is valid during the call; fn returns non-zero to stop (the walk returns VG_OK).
 * Reads committed data in snapshot transactions (no lock: never waits for the writer's
 * batch nor blocks it); works on every mode, while the daemon runs. */
vg_err vg_outbox_walk(vg_outbox *o, const char *queue,
                      int (*fn)(void *ctx, const vg_outbox_item *it), void *ctx,
                      vg_errinfo *err);

/* The items of queue due at `now` (next_attempt <= now), at most max, oldest id first,
 * copied into a malloc'd array *items (free with vg_outbox_items_free; NULL when *n is 0).
 * *next_due (may be NULL) receives the earliest next_attempt of the items not returned
 * (those not yet due, and those beyond max), or VG_TIME_NONE when there is none. Takes
 * nothing away: an item stays until marked sent. */
vg_err vg_outbox_take_due(vg_outbox *o, const char *queue, vg_time_us now, size_t max,
                          vg_outbox_item **items, size_t *n, vg_time_us *next_due,
                          vg_errinfo *err);

/* Retry schedule after a failure: the k-th consecutive failure (k = attempts >= 1) waits
 * min(base_s * 2^(k-1), cap_s) seconds. No jitter: the schedule is deterministic (one
 * sender, so no thundering herd to spread). */
typedef struct vg_outbox_backoff {
    double base_s; /* 0.001..86400 */
    double cap_s;  /* base_s..7 * 86400 */
} vg_outbox_backoff;

/* Seconds to wait after the attempts-th failure (attempts >= 1; 0 gives 0). */
double vg_outbox_backoff_s(const vg_outbox_backoff *b, uint32_t attempts);

/* The server accepted the item: delete it for good. VG_ERR_NOTFOUND if it is not there
 * (already marked sent). Commits (durable) before returning. Never waits for the writer's
 * batch longer than about 5 s (VG_ERR_DB "busy" then: call again later). */
vg_err vg_outbox_mark_sent(vg_outbox *o, const char *queue, uint64_t id, vg_errinfo *err);

/* An attempt failed at `now`: attempts + 1, next_attempt = now + vg_outbox_backoff_s(b,
 * attempts), last_error = error (cut to VG_OUTBOX_ERROR_MAX - 1 bytes). *next (may be NULL)
 * receives the new next_attempt. VG_ERR_NOTFOUND if the item is gone. Durable on return;
 * same waiting rule as vg_outbox_mark_sent. */
vg_err vg_outbox_mark_failed(vg_outbox *o, const char *queue, uint64_t id, vg_time_us now,
                             const vg_outbox_backoff *b, const char *error, vg_time_us *next,
                             vg_errinfo *err);

/* Make the item due at `now` (vigie alerts resend, "retry now"), keeping its attempts and
 * last error. VG_ERR_NOTFOUND if it is not in the outbox (sent already, or never existed).
 * Allowed in VG_OUTBOX_DAEMON and VG_OUTBOX_TOOL modes. */
vg_err vg_outbox_retry_now(vg_outbox *o, const char *queue, uint64_t id, vg_time_us now,
                           vg_errinfo *err);

/* Number of items of queue (every queue when NULL), counted in one snapshot walk. */
vg_err vg_outbox_count(vg_outbox *o, const char *queue, size_t *n, vg_errinfo *err);

#endif
