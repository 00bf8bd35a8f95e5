/* replication.h: a remote replica of a store through Berkeley DB's replication manager
 * (docs/storage.md, "Replication"). The master is the daemon's writer store, opened with
 * vg_store_options.repl (role master). A replica is a process that holds a store directory
 * as a repmgr client (vg_replica_open): it ingests nothing and applies the master's log,
 * so that the directory is a live, read-only copy that readers (vigie dump, vigie db
 * stats) open as usual. vg_repl_status_read tells an operator where either side stands.
 * Part of the storage layer's public interface, next to store.h. */
#ifndef VIGIE_STORAGE_REPLICATION_H
#define VIGIE_STORAGE_REPLICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "storage/repl_config.h"

typedef struct vg_replica vg_replica;

/* The file vg_replica_open leaves in a replica's directory: while it is there, writers
 * other than the master's daemon (vigie flag set, vigie db import) refuse the directory;
 * a daemon that opens it with role master (promotion) removes it. */
#define VG_REPLICA_MARK "replica.mark"

/* Hold the store directory `path` (created, mode 0750, if missing; its parent must exist)
 * as a replica of repl (role replica): take the writer's lock (one process per directory),
 * recover, open the environment with DB_INIT_REP and start repmgr as a client, which
 * joins the group through repl->remote and syncs with the master (the whole store on first
 * contact: "internal initialisation"), in repmgr's own threads. Returns at once; progress is
 * logged. Leaves VG_REPLICA_MARK in the directory. cache_mb 1..4096. *out owned by the
 * caller: vg_replica_close. */
vg_err vg_replica_open(const char *path, int cache_mb, const vg_repl_config *repl,
                       vg_replica **out, vg_errinfo *err);

/* Stop replicating and close the environment (a clean close: the next open recovers
 * quickly). r may be NULL. */
vg_err vg_replica_close(vg_replica *r, vg_errinfo *err);

#define VG_REPL_MAX_SITES 16

typedef struct vg_repl_status {
    bool replicated;  /* the environment runs replication; nothing below is set otherwise */
    const char *role; /* "master", "replica" or "starting" (neither yet) */
    bool in_sync;     /* replica: start-up sync with the master done */
    uint32_t lsn_file, lsn_offset; /* master: the next log record it writes; replica: the
                                    * next one it expects (equal on both = in step) */
    uint32_t ready_file, ready_offset; /* replica: log applied and durable up to here (the
                                        * last permanent record received); master: as lsn */
    uint64_t log_queued;   /* replica: records received out of order, waiting for a gap */
    uint64_t perm_failed;  /* master: commits not acknowledged in time, since the start */
    uint32_t generation;   /* the replication group's generation (bumped by a new master) */
    char local[VG_REPL_HOST_MAX + 8]; /* this site's HOST:PORT */
    char master[VG_REPL_HOST_MAX + 8]; /* HOST:PORT of the master, "" when none is known */
    bool sites_live;       /* read in the process that runs repmgr (the daemon, the
                            * replica): `connected` is known; other processes (vigie db
                            * stats) do not see repmgr's connections */
    size_t n_sites;        /* the other sites of the group */
    struct {
        char addr[VG_REPL_HOST_MAX + 8]; /* HOST:PORT */
        bool connected;                 /* to the replication process of this site */
    } sites[VG_REPL_MAX_SITES];
} vg_repl_status;

/* Where the store in `path` stands in replication, read from the running environment
 * (joins it as a reader, like vigie dump: safe while the daemon or the replica runs).
 * out->replicated is false when the environment does not replicate. VG_ERR_NOTFOUND when
 * there is no environment. */
vg_err vg_repl_status_read(const char *path, vg_repl_status *out, vg_errinfo *err);

/* The same for a replica this process holds (with the connections: sites_live). */
vg_err vg_replica_status(vg_replica *r, vg_repl_status *out, vg_errinfo *err);

/* The replica process's maintenance, about once a second: release what readers that died
 * held (DB_ENV->failchk: readers of a replica take page locks, which repmgr's threads
 * would wait for). VG_ERR_DB when Berkeley DB cannot clean up: restart the replica. */
vg_err vg_replica_maintain(vg_replica *r, vg_errinfo *err);

/* Write the replica's log buffer to disk (DB_ENV->log_flush). A replica acknowledges the
 * master's commits made without sync (the daemon's) once they are in its log buffer; the
 * replica process flushes every 200 ms, so that they are on its disk soon after. */
vg_err vg_replica_flush_log(vg_replica *r, vg_errinfo *err);

/* Print st as "replication ..." lines (vigie db stats). */
void vg_repl_status_print(const vg_repl_status *st, FILE *out);

#endif
