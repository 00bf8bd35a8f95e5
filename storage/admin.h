/* admin.h: what an operator does to a store besides running the daemon: verify its files
 * offline (DB->verify), take a hot backup while the daemon writes (DB_ENV->backup: the
 * databases and the log files needed to make them consistent), restore a backup into a
 * new store directory (catastrophic recovery over the copied files), and list its log
 * files. docs/storage.md, "Operator commands". Part of the storage layer's public
 * interface, next to store.h. */
#ifndef VIGIE_STORAGE_ADMIN_H
#define VIGIE_STORAGE_ADMIN_H

#include <stdio.h>

#include "core/error.h"

/* Check every database file of the store in `path` with Berkeley DB's DB->verify (page
 * structure, btree order, free lists). Offline: the daemon must be stopped (the files may
 * be in flux otherwise). Writes one line per file to `out` ("samples.db: ok" or the
 * problems found). Returns VG_OK when every file is sound, VG_ERR_DB naming the first
 * damaged file, VG_ERR_NOTFOUND when there is no store at path. */
vg_err vg_store_verify(const char *path, FILE *out, vg_errinfo *err);

/* Hot backup of the store in `path` into directory `target` (created; it must not hold a
 * backup already): the database files and the log files, copied page by page while the
 * daemon may write. Joins the store as a reader (the daemon must have created it). */
vg_err vg_store_backup(const char *path, const char *target, vg_errinfo *err);

/* Make a store in `path` (which must not exist, or be empty) from the backup in `backup`:
 * copies the files and runs catastrophic recovery over them, so that the result holds
 * every transaction committed when the backup ended. The daemon can then open `path`. */
vg_err vg_store_restore(const char *backup, const char *path, vg_errinfo *err);

#endif
