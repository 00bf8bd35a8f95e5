/* store_int.h: the inside of a vg_store, shared by store.c (open, batches, puts) and
 * query.c (reads), with the few helpers both use. Internal to the storage layer: not part
 * of the public interface (storage/store.h). */
#ifndef VIGIE_STORAGE_STORE_INT_H
#define VIGIE_STORAGE_STORE_INT_H

#include <db.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "storage/env.h"
#include "storage/store.h"

/* The databases of a store, indexes of vg_store.db and vg_store.where. db[VG_STORE_SAMPLES]
 * is the master database of samples.db (read-only: the list of its databases); the samples
 * are in one subdatabase per platform, and in "#shared" for the platforms beyond
 * VG_STORE_OWN_MAX (platform_db.c). */
enum { VG_STORE_SAMPLES, VG_STORE_QUARANTINE, VG_STORE_META, VG_STORE_NDB };

#define VG_STORE_SAMPLES_FILE "samples.db"
/* The subdatabase of samples.db for the platforms without one of their own, keyed by
 * "platform '\0' time"; created with the store (and with it the file). */
#define VG_STORE_SAMPLES_SHARED "#shared"
/* Platforms with a database of their own in a store, at most (docs/storage.md, "Files"). */
#define VG_STORE_OWN_MAX 1000u

/* An open platform database of samples.db (platform_db.c). */
typedef struct vg_pdb {
    char name[VG_PLATFORM_MAX]; /* the platform id */
    DB *db;                     /* NULL: empty slot; vg_store.shared when shared */
    bool shared;                /* in "#shared" (writer only: readers do not remember it) */
    bool created;               /* created by the batch opened_in */
    uint64_t used;              /* vg_store.pdb_clock at its last use */
    DB_TXN *opened_in;          /* the batch it was opened (or created) in, until it ends */
} vg_pdb;

/* A walk outside a batch that gets DB_LOCK_DEADLOCK retries where it stopped, this often
 * (snapshot reads take no page locks: a safety net, not an expected path). */
#define VG_STORE_DEADLOCK_RETRIES 1000

struct vg_store {
    char *path;                 /* directory as given, owned */
    char *where[VG_STORE_NDB];  /* "path/samples.db"..., for error texts, owned */
    vg_senv *senv;              /* shared environment reference */
    DB_ENV *env;                /* owned by senv */
    DB *db[VG_STORE_NDB];
    bool read_only;
    int cache_mb;               /* as opened (an in-place recovery reopens with it) */
    const vg_repl_config *repl; /* as opened, borrowed (NULL: not replicated) */
    bool replica;               /* a reader of a replica's store: no multiversion, no
                                 * snapshots (DB_READ_COMMITTED reads instead) */
    DB_TXN *txn;                /* open batch, or NULL: reads use it when set */
    uint64_t qseq;              /* next quarantine sequence number */
    unsigned char *buf;         /* reusable value buffer of the puts */
    size_t cap;                 /* bytes of buf */
    pthread_mutex_t flush_mu;   /* vg_store_flush_log (another thread) vs. an in-place
                                 * recovery, which replaces env */
    uint64_t generation;        /* in-place recoveries so far (vg_store_generation) */
    DB *shared;                 /* samples.db's "#shared" database */
    vg_pdb *pdb;                /* open platform databases: hash table, owned */
    size_t pdb_cap, pdb_n;      /* slots (0 or a power of two), entries */
    uint64_t pdb_clock;         /* use counter of the handles */
    size_t pdb_own;             /* platforms with an own database (writer: counted at open) */
    size_t pdb_batch_opened;    /* entries opened in the open batch (pdb_end_batch) */
};

/* True if platform is a valid platform id (NULL is not). */
bool vg_store__platform_ok(const char *platform);

/* VG_OK if s has its databases; VG_ERR_DB if an in-place recovery failed and left it
 * without (every call then fails until the store is closed). */
vg_err vg_store__usable(const vg_store *s, vg_errinfo *err);

/* Fill err with VG_ERR_DB: a record of database `which` could not be decoded. */
vg_err vg_store__corrupt(vg_errinfo *err, const vg_store *s, int which, const char *what);

/* Start the transaction of one bounded read (a chunk of a walk, a get, a count): inside a
 * batch, the batch's own transaction (it sees its puts); outside, a new snapshot
 * transaction (DB_TXN_SNAPSHOT over DB_MULTIVERSION databases): it sees the data committed
 * when it began and takes no read lock, so it never waits for the writer and nothing it
 * holds can block the writer, even if its process is killed. Returns a Berkeley DB error
 * number (0 = ok). */
int vg_store__read_begin(vg_store *s, DB_TXN **txn);

/* End a read started by vg_store__read_begin: release a snapshot transaction (commit if
 * the read succeeded, else abort), leave the batch's alone. Returns the commit's error
 * number (0 = ok, and always 0 when !ok). */
int vg_store__read_end(vg_store *s, DB_TXN *txn, bool ok);

/* Where platform's samples are: *db, the handle of its own database of samples.db (keys:
 * the time, *plen = 0), or of "#shared" (keys: "platform '\0' time", *plen = the length of
 * the prefix, strlen(platform) + 1). Opened if needed, in the open batch or else in a short
 * read transaction; owned by s (valid until the batch ends or the store is closed; do not
 * close it). create (inside a batch only): a platform without a database gets one of its own
 * while fewer than VG_STORE_OWN_MAX exist, else goes to "#shared"; a handle opened in a batch
 * that aborts is closed with it. Returns 0 or a Berkeley DB error. */
int vg_store__pdb(vg_store *s, const char *platform, bool create, DB **db, size_t *plen);

/* After a batch ends (commit, or abort when !committed): forget the creations it made
 * (closing their handles if it aborted), and close the least recently used handles when
 * more than a bound are open. Call with no transaction open. */
void vg_store__pdb_end_batch(vg_store *s, bool committed);

/* Close every platform database handle (DB->close flags; not "#shared"); returns the first
 * error. */
int vg_store__pdb_close_all(vg_store *s, u_int32_t flags);

/* Give the cache pages of a samples.db handle the lowest priority (DB_PRIORITY_VERY_LOW):
 * samples are appended and seldom read again, and the cache then finds a page to evict at
 * once instead of searching its buckets (docs/storage.md, "Long runs"): 166,000 -> 248,000
 * samples/s on an 8,000,000-sample feed run. The pages in use (each platform's last leaf,
 * the internal pages) are touched at every put and stay. */
void vg_store__samples_priority(DB *db);

/* The number of platforms with an own database, into *n (a walk of the master database). */
int vg_store__count_own(vg_store *s, size_t *n);

/* The first platform with a database in samples.db whose id sorts after `after` (memcmp
 * order, shorter first; NULL: the first platform), into out. Returns 0, DB_NOTFOUND at
 * the end, or a Berkeley DB error. A short read of its own (snapshot outside a batch). */
int vg_store__next_platform(vg_store *s, const char *after, char out[VG_PLATFORM_MAX]);

/* Convert a version-2 store (one btree samples.db keyed by platform and time) to the
 * current schema, resuming a conversion that was interrupted: rename samples.db to
 * samples-v2.db, copy every record into the platform databases in committed chunks,
 * then remove samples-v2.db and write the schema version in one transaction (migrate.c,
 * docs/storage.md "Schema version 3"). Writer only, no batch open; opens samples.db's
 * master database as store__open_samples does. */
vg_err vg_store__migrate_v2(vg_store *s, vg_errinfo *err);

/* Records copied per transaction by vg_store__migrate_v2 (20000; tests make it small to
 * cross chunk boundaries). */
extern size_t vg_store__migrate_chunk;
/* Records the last vg_store__migrate_v2 copied (for the tests: a resumed conversion copies
 * only what the interrupted one had not). */
extern uint64_t vg_store__migrate_copied;
/* When not 0, the conversion fails after that many committed chunks, as a kill would stop
 * it (for the tests; 0 in the daemon). */
extern size_t vg_store__migrate_stop_after;

/* Open "#shared" (the writer creates it, and samples.db, if absent) and the master
 * database of samples.db, and count the own databases (writer) (store.c). */
vg_err vg_store__open_samples(vg_store *s, vg_errinfo *err);

#endif
