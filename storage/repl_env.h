/* repl_env.h: Berkeley DB replication (the replication manager, repmgr) on the environment
 * of a store directory: configuring the sites, the acknowledgement policy and time-outs
 * from a vg_repl_config, starting repmgr as master or client, and logging its events
 * (connections, sync, commits not acknowledged in time). Used by env.c when a writer
 * opens a replicated environment. Internal to the storage layer; docs/storage.md,
 * "Replication". */
#ifndef VIGIE_STORAGE_REPL_ENV_H
#define VIGIE_STORAGE_REPL_ENV_H

#include <db.h>
#include <stdint.h>

#include "core/error.h"
#include "storage/repl_config.h"

/* Before DB_ENV->open (with DB_INIT_REP | DB_THREAD): register the event callback that
 * logs replication events. Returns a Berkeley DB error number (0 = ok). */
int vg_repl_env_prepare(DB_ENV *env);

/* After DB_ENV->open: local and remote sites (DB_LOCAL_SITE; remote ones are
 * DB_BOOTSTRAP_HELPER), ack policy and time-out, priority, no elections (the operator
 * chooses the master), then DB_ENV->repmgr_start as DB_REP_MASTER or DB_REP_CLIENT.
 * home names the store in error texts. */
vg_err vg_repl_env_start(DB_ENV *env, const char *home, const vg_repl_config *r,
                         vg_errinfo *err);

/* Commits of this process that the replicas did not acknowledge in time (or could not:
 * none connected), counted from DB_EVENT_REP_PERM_FAILED. Thread-safe. */
uint64_t vg_repl_env_perm_failed(void);

#endif
