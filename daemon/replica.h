/* replica.h: `vigie run` on a configuration whose storage.replication.role is replica:
 * the process holds the store directory as a Berkeley DB replication client
 * (storage/replication.h) and ingests nothing; the directory is a live read-only copy of
 * the master's store. docs/storage.md, "Replication". */
#ifndef VIGIE_DAEMON_REPLICA_H
#define VIGIE_DAEMON_REPLICA_H

#include <signal.h>

#include "daemon/setup.h"

/* Replicate setup->cfg->storage_path until *stop becomes non-zero (set by a signal
 * handler) or max_runtime_s (> 0) passed. Logs the replication events, and every minute
 * where the replica stands. When *reload becomes non-zero (SIGHUP) it resets it and logs
 * that a replica reads its configuration at start only. Speaks systemd's notify protocol.
 * Returns the exit status: 0 after a clean stop, 1 when the replica could not start (the
 * reason is logged). */
int vg_replica_run(const vg_setup *setup, volatile sig_atomic_t *stop,
                   volatile sig_atomic_t *reload, double max_runtime_s);

#endif
