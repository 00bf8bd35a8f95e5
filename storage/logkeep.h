/* logkeep.h: the retention policy of the write-ahead log files: remove, oldest first, the
 * log files that recovery no longer needs once more than a given size of them is kept.
 * Internal to the storage layer (the public entry point is vg_store_log_retain, store.h). */
#ifndef VIGIE_STORAGE_LOGKEEP_H
#define VIGIE_STORAGE_LOGKEEP_H

#include <db.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Ask env (a transactional environment opened by this process as its writer) for the log
 * files no longer needed by recovery (DB_ENV->log_archive, DB_ARCH_ABS: those older than
 * the last checkpoint and not used by an open transaction), and remove the oldest of them
 * until at most keep_bytes of them remain (0: remove them all). The files recovery needs
 * are never touched. *removed (may be NULL) gets the number of files removed. home names
 * the environment in error texts. Errors: VG_ERR_DB (log_archive), VG_ERR_IO (stat or
 * unlink; files removed before the failure stay removed). */
vg_err vg_senv_log_retain(DB_ENV *env, const char *home, uint64_t keep_bytes, size_t *removed,
                          vg_errinfo *err);

#endif
