/* repl_config.h: the `storage.replication:` section compiled from the YAML node that
 * core/config.c keeps (the `qc:` pattern): this site's role in Berkeley DB replication
 * (master or replica), its own address, the other sites, and how long a commit on the
 * master waits for the replicas' acknowledgements. docs/storage.md, "Replication";
 * docs/configuration.md. Part of the storage layer's public interface. */
#ifndef VIGIE_STORAGE_REPL_CONFIG_H
#define VIGIE_STORAGE_REPL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/error.h"

typedef enum vg_repl_role {
    VG_REPL_MASTER,  /* the daemon: writes, sends its log to the replicas */
    VG_REPL_REPLICA, /* a live read-only copy: ingests nothing, applies the master's log */
} vg_repl_role;

/* How many replicas must acknowledge a commit before it returns on the master
 * (DB_REPMGR_ACKS_*). */
typedef enum vg_repl_acks {
    VG_REPL_ACKS_ALL,    /* every other site of the group */
    VG_REPL_ACKS_ONE,    /* at least one */
    VG_REPL_ACKS_QUORUM, /* read, then refused by vg_repl_config_compile (a policy for groups
                          * that elect their master: docs/storage.md, "Replication") */
    VG_REPL_ACKS_NONE,   /* none: the commit does not wait */
} vg_repl_acks;

#define VG_REPL_HOST_MAX 256

typedef struct vg_repl_site {
    char host[VG_REPL_HOST_MAX]; /* name or address, as given */
    unsigned port;               /* 1..65535 */
    int line;                    /* of the configuration, for messages */
} vg_repl_site;

typedef struct vg_repl_config {
    vg_repl_role role;
    vg_repl_site local;   /* this site's listening address (`local: HOST:PORT`) */
    vg_repl_site *remote; /* the other sites (`remote: [HOST:PORT, ...]`), owned */
    size_t n_remote;      /* a replica needs at least one (its way into the group) */
    vg_repl_acks acks;    /* ack_policy (all) */
    int ack_timeout_ms;   /* ack_timeout_ms: 1..600000 (2000): longest wait of a commit */
    bool ack_required;    /* ack_required (false): a feed is acknowledged only for commits
                           * a replica acknowledged (the master's daemon; docs/storage.md,
                           * "Replication") */
    int priority;         /* priority: 0..1000 (100 master, 0 replica): DB_ENV->rep_set_priority */
} vg_repl_config;

/* Compile cfg's `storage.replication:` mapping. *out is NULL when the section is absent
 * (no replication), else a new config owned by the caller (vg_repl_config_free). Errors
 * (VG_ERR_CONFIG) read "FILE:LINE: reason": unknown keys, wrong types, a port outside
 * 1..65535, a replica without remote site, the local address among the remote ones. */
vg_err vg_repl_config_compile(const vg_config *cfg, vg_repl_config **out, vg_errinfo *err);

void vg_repl_config_free(vg_repl_config *r);

/* Whether a and b (either may be NULL: no replication) configure the same replication:
 * every setting, the remote sites in the same order; configuration lines are not compared. */
bool vg_repl_config_equal(const vg_repl_config *a, const vg_repl_config *b);

/* "master" / "replica"; "all", "one", "quorum", "none" (static strings). */
const char *vg_repl_role_name(vg_repl_role r);
const char *vg_repl_acks_name(vg_repl_acks a);

#endif
