/* store_int.h: the inside of a vg_store, shared by store.c (open, batches, puts) and
 * query.c (reads), with the few helpers both use. Internal to the storage layer: not part
 * of the public interface (storage/store.h). */
#ifndef VIGIE_STORAGE_STORE_INT_H
#define VIGIE_STORAGE_STORE_INT_H

#include <db.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "storage/env.h"
#include "storage/store.h"

/* The databases of a store, indexes of vg_store.db and vg_store.where. */
enum { VG_STORE_OBS, VG_STORE_NAV, VG_STORE_RAW, VG_STORE_QUARANTINE, VG_STORE_META,
       VG_STORE_NDB };

/* A reader outside a batch that loses a deadlock (DB_LOCK_DEADLOCK) retries this often. */
#define VG_STORE_DEADLOCK_RETRIES 1000

struct vg_store {
    char *path;                 /* directory as given, owned */
    char *where[VG_STORE_NDB];  /* "path/obs.db"..., for error texts, owned */
    vg_senv *senv;              /* shared environment reference */
    DB_ENV *env;                /* owned by senv */
    DB *db[VG_STORE_NDB];
    bool read_only;
    DB_TXN *txn;                /* open batch, or NULL: reads use it when set */
    uint64_t qseq;              /* next quarantine sequence number */
    unsigned char *buf;         /* reusable value buffer of raw and quarantine puts */
    size_t cap;                 /* bytes of buf */
};

/* True if platform is a valid platform id (NULL is not). */
bool vg_store__platform_ok(const char *platform);

/* Fill err with VG_ERR_DB: a record of database `which` could not be decoded. */
vg_err vg_store__corrupt(vg_errinfo *err, const vg_store *s, int which, const char *what);

/* True if `ret` is a lost deadlock of a read outside a batch that may be retried; counts
 * the attempts in *tries (at most VG_STORE_DEADLOCK_RETRIES). */
bool vg_store__retry(const vg_store *s, int ret, int *tries);

#endif
