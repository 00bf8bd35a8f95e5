/* env.h: the transactional Berkeley DB environment of a store directory, and the
 * translation of Berkeley DB errors into vg_errinfo texts. One DB_ENV handle is shared by
 * every vg_store of a process that opens the same directory, because DB_REGISTER allows a
 * single environment handle per process (a second one fails with EINVAL).
 * Internal to the storage layer: not part of the public interface (storage/store.h). */
#ifndef VIGIE_STORAGE_ENV_H
#define VIGIE_STORAGE_ENV_H

#include <db.h>

#include "core/error.h"

/* Tuning of every environment this process creates (docs/storage.md, "Environment"). */
#define VG_SENV_LOG_FILE_BYTES (64u * 1024u * 1024u) /* one log.NNNNNNNNNN file */
#define VG_SENV_LOG_BUF_BYTES (8u * 1024u * 1024u)   /* in-memory log buffer */
#define VG_SENV_MAX_LOCKS 100000u /* lock table: locks and locked objects, each */

typedef struct vg_senv vg_senv;

/* Open the environment in directory `home` (which must exist), or take one more reference
 * on the one this process already has open there. Flags: DB_CREATE | DB_INIT_MPOOL |
 * DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN | DB_REGISTER | DB_RECOVER | DB_THREAD (recovery
 * runs only when a process died holding the environment, or on first use). cache_mb
 * (1..4096) applies only when the regions are created. *out is released with
 * vg_senv_release. Thread-safe. */
vg_err vg_senv_acquire(const char *home, int cache_mb, vg_senv **out, vg_errinfo *err);

/* Drop one reference; the last one closes the DB_ENV. e may be NULL. Returns VG_ERR_DB if
 * closing failed (the handle is gone anyway). Thread-safe. */
vg_err vg_senv_release(vg_senv *e, vg_errinfo *err);

/* The DB_ENV of e (owned by e). */
DB_ENV *vg_senv_dbenv(const vg_senv *e);

/* The canonical directory of e (realpath), owned by e. */
const char *vg_senv_home(const vg_senv *e);

/* Forget the Berkeley DB error messages captured so far in this thread. Call before an
 * operation whose failure will be reported with vg_senv_fail. */
void vg_senv_clear_text(void);

/* Fill err with VG_ERR_DB and "<where>: <op>: <db_strerror(ret)> (<messages>)", where
 * <messages> is what Berkeley DB passed to its error callback in this thread since the last
 * vg_senv_clear_text (the parentheses are omitted when there is none). Returns VG_ERR_DB. */
vg_err vg_senv_fail(vg_errinfo *err, int ret, const char *where, const char *op);

#endif
