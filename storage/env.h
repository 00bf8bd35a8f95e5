/* env.h: the transactional Berkeley DB environment of a store directory, its reader and
 * writer roles (who recovers, who runs failchk), and the translation of Berkeley DB errors
 * into vg_errinfo texts. One DB_ENV handle is shared by every vg_store of a process that
 * opens the same directory, so that a writer opened after a reader in the same process
 * does not run recovery under it (docs/storage.md, "Readers and the writer").
 * Internal to the storage layer: not part of the public interface (storage/store.h). */
#ifndef VIGIE_STORAGE_ENV_H
#define VIGIE_STORAGE_ENV_H

#include <db.h>
#include <stdbool.h>

#include "core/error.h"
#include "storage/repl_config.h"

/* Tuning of every environment this process creates (docs/storage.md, "Environment"). */
#define VG_SENV_LOG_FILE_BYTES (64u * 1024u * 1024u) /* one log.NNNNNNNNNN file */
#define VG_SENV_LOG_BUF_BYTES (8u * 1024u * 1024u)   /* in-memory log buffer */
#define VG_SENV_MAX_LOCKS 100000u /* lock table: locks and locked objects, each */
#define VG_SENV_MUTEX_EXTRA 8192u  /* mutexes beyond Berkeley DB's own sizing (handles) */
#define VG_SENV_THREADS 64u       /* threads of control tracked for failchk (a hint) */
/* Name of the writer's transactions (DB_TXN->set_name): a reader that finds one whose
 * process died knows that the store needs recovery. */
#define VG_SENV_WRITER_TXN "vigie writer"

typedef struct vg_senv vg_senv;

/* Open the environment in directory `home` (which must exist), or take one more reference
 * on the one this process already has open there.
 * writer: DB_CREATE | DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN |
 *   DB_RECOVER | DB_THREAD (recovery runs at every writer open: there is one writer, the
 *   daemon), then DB_ENV->failchk. cache_mb (1..4096) sizes the cache it creates.
 * reader: the same without DB_CREATE and DB_RECOVER: it joins the existing regions. Fails
 *   with VG_ERR_NOTFOUND if there is no environment, and VG_ERR_DB ("needs recovery") if
 *   the environment is panicked or a writer that died left a transaction (named
 *   VG_SENV_WRITER_TXN) open.
 * repl (writer only; NULL: no replication, as for readers and tools): open with
 *   DB_INIT_REP and start Berkeley DB's replication manager as repl->role says
 *   (repl_env.h), after recovery. Only the first acquire of a directory in a process
 *   opens the environment: later ones share it whatever they pass.
 * Both register an is-alive callback (kill(pid, 0)) and a thread table, so that failchk
 * can release what a dead reader held. *out is released with vg_senv_release.
 * Thread-safe. */
vg_err vg_senv_acquire(const char *home, int cache_mb, bool writer, const vg_repl_config *repl,
                       vg_senv **out, vg_errinfo *err);

/* Drop one reference; the last one closes the DB_ENV. e may be NULL. Returns VG_ERR_DB if
 * closing failed (the handle is gone anyway). Thread-safe. */
vg_err vg_senv_release(vg_senv *e, vg_errinfo *err);

/* Run DB_ENV->failchk: release the locks of readers that died, abort transactions of dead
 * processes. Returns VG_ERR_DB, with *needs_recovery set and a text saying that the store
 * needs recovery, when Berkeley DB cannot clean up (a process died inside the library or
 * holding write locks); VG_ERR_DB without it for another failure. Call from the writer. */
vg_err vg_senv_failchk(vg_senv *e, bool *needs_recovery, vg_errinfo *err);

/* True if e's environment is a replication client (a replica: storage/replication.h),
 * as Berkeley DB's replication statistics say now. */
bool vg_senv_replica(vg_senv *e);

/* True if more than one vg_store of this process holds e. Thread-safe. */
bool vg_senv_shared(vg_senv *e);

/* Set the panic state of e's environment (DB_PANIC_ENVIRONMENT): from then on every call
 * of every attached process fails at once with DB_RUNRECOVERY instead of waiting for a
 * mutex that a dead process may hold. The first step of recovering in place. */
void vg_senv_panic(vg_senv *e);

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
