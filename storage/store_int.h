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

/* The databases of a store, indexes of vg_store.db and vg_store.where. */
enum { VG_STORE_SAMPLES, VG_STORE_QUARANTINE, VG_STORE_META, VG_STORE_NDB };

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

#endif
