/* repl_env.c: configure and start Berkeley DB's replication manager on an environment,
 * and log its events (repl_env.h). The event callback runs in repmgr's own threads (and
 * in the committing thread for DB_EVENT_REP_PERM_FAILED): it only logs and counts, never
 * calls back into Berkeley DB. */
#include "storage/repl_env.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "core/log.h"
#include "storage/env.h"

static atomic_uint_fast64_t perm_failed;       /* DB_EVENT_REP_PERM_FAILED, this process */
static atomic_uint_fast64_t perm_failed_logged; /* value at the last warning */
static atomic_llong perm_failed_last_s;         /* CLOCK_MONOTONIC seconds of that warning */

uint64_t vg_repl_env_perm_failed(void)
{
    return atomic_load(&perm_failed);
}

/* A commit whose acknowledgements did not come: durable here, not (yet) on the replicas.
 * Logged at once the first time, then at most every 10 s with the count since. */
static void repl__perm_failed(void)
{
    uint64_t n = atomic_fetch_add(&perm_failed, 1) + 1;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long now = (long long)ts.tv_sec, last = atomic_load(&perm_failed_last_s);
    uint64_t logged = atomic_load(&perm_failed_logged);
    if (logged != 0 && now - last < 10)
        return;
    if (!atomic_compare_exchange_strong(&perm_failed_last_s, &last, now))
        return; /* another thread logs */
    atomic_store(&perm_failed_logged, n);
    vg_warn("replication: %llu commit%s not acknowledged by the replicas in time (%llu in "
            "all): durable on this master only until a replica catches up",
            (unsigned long long)(n - logged), n - logged == 1 ? "" : "s",
            (unsigned long long)n);
}

static int repl__eid(const void *info)
{
    return info ? *(const int *)info : -1;
}

static void repl__event(DB_ENV *env, u_int32_t event, void *info)
{
    (void)env;
    switch (event) {
    case DB_EVENT_REP_PERM_FAILED:
        repl__perm_failed();
        break;
    case DB_EVENT_REP_CONNECT_ESTD:
        vg_notice("replication: connected to site %d", repl__eid(info));
        break;
    case DB_EVENT_REP_CONNECT_BROKEN: {
        const DB_REPMGR_CONN_ERR *c = info;
        vg_warn("replication: connection to site %d lost (%s); retried every second",
                c ? c->eid : -1, c ? db_strerror(c->error) : "?");
        break;
    }
    case DB_EVENT_REP_CONNECT_TRY_FAILED: {
        const DB_REPMGR_CONN_ERR *c = info;
        vg_debug("replication: cannot connect to site %d (%s)", c ? c->eid : -1,
                 c ? db_strerror(c->error) : "?");
        break;
    }
    case DB_EVENT_REP_MASTER:
        vg_notice("replication: this site is the master");
        break;
    case DB_EVENT_REP_CLIENT:
        vg_notice("replication: this site is a replica (client)");
        break;
    case DB_EVENT_REP_NEWMASTER:
        vg_notice("replication: the master is site %d", repl__eid(info));
        break;
    case DB_EVENT_REP_STARTUPDONE:
        vg_notice("replication: replica in sync with the master (start-up done)");
        break;
    case DB_EVENT_REP_INIT_DONE:
        vg_notice("replication: internal initialisation done (the whole store was copied "
                  "from the master)");
        break;
    case DB_EVENT_REP_SITE_ADDED:
        vg_notice("replication: site %d joined the group", repl__eid(info));
        break;
    case DB_EVENT_REP_SITE_REMOVED:
        vg_notice("replication: site %d left the group", repl__eid(info));
        break;
    case DB_EVENT_REP_MASTER_FAILURE:
        vg_warn("replication: the master is gone; this replica keeps its copy and waits for "
                "a master (promotion: docs/storage.md, \"Replication\")");
        break;
    case DB_EVENT_REP_DUPMASTER:
        vg_error("replication: another site is master too (two masters): Berkeley DB made "
                 "this site a replica, and it stores nothing (the feeds keep their frames); "
                 "restart the site that must follow with role replica, then this one with "
                 "its role (docs/storage.md, \"Replication\")");
        break;
    case DB_EVENT_REP_JOIN_FAILURE:
        vg_error("replication: could not join the group (is the master reachable, and "
                 "is this site's address unique?)");
        break;
    case DB_EVENT_REP_LOCAL_SITE_REMOVED:
        vg_error("replication: this site was removed from the group");
        break;
    case DB_EVENT_REP_WOULD_ROLLBACK:
        vg_warn("replication: this site holds transactions the master does not have; "
                "syncing with the master rolls them back");
        break;
    case DB_EVENT_PANIC:
        vg_error("Berkeley DB: the environment panicked (replication)");
        break;
    case DB_EVENT_WRITE_FAILED:
        vg_error("Berkeley DB: a write failed on this replica");
        break;
    default:
        vg_debug("replication: Berkeley DB event %u", (unsigned)event);
        break;
    }
}

int vg_repl_env_prepare(DB_ENV *env)
{
    return env->set_event_notify(env, repl__event);
}

/* Add one site: local (DB_LOCAL_SITE) or remote (DB_BOOTSTRAP_HELPER: a way in). */
static int repl__site(DB_ENV *env, const vg_repl_site *s, bool local)
{
    DB_SITE *site = NULL;
    int ret = env->repmgr_site(env, s->host, s->port, &site, 0);
    if (ret != 0)
        return ret;
    ret = site->set_config(site, local ? DB_LOCAL_SITE : DB_BOOTSTRAP_HELPER, 1);
    int cret = site->close(site);
    return ret ? ret : cret;
}

vg_err vg_repl_env_start(DB_ENV *env, const char *home, const vg_repl_config *r,
                         vg_errinfo *err)
{
    static const u_int32_t policy[] = {
        [VG_REPL_ACKS_ALL] = DB_REPMGR_ACKS_ALL,
        [VG_REPL_ACKS_ONE] = DB_REPMGR_ACKS_ONE,
        [VG_REPL_ACKS_QUORUM] = DB_REPMGR_ACKS_QUORUM,
        [VG_REPL_ACKS_NONE] = DB_REPMGR_ACKS_NONE,
    };
    vg_senv_clear_text();
    const char *op = "DB_ENV->repmgr_site(local)";
    int ret = repl__site(env, &r->local, true);
    for (size_t i = 0; ret == 0 && i < r->n_remote; i++) {
        op = "DB_ENV->repmgr_site(remote)";
        ret = repl__site(env, &r->remote[i], false);
    }
    if (ret == 0) {
        /* The operator chooses the master (role): no site elects itself. */
        op = "DB_ENV->rep_set_config(DB_REPMGR_CONF_ELECTIONS)";
        ret = env->rep_set_config(env, DB_REPMGR_CONF_ELECTIONS, 0);
    }
    if (ret == 0) {
        /* An election in a group of two needs both sites (elections are off: kept for the
         * day they are on). With it, ack_policy quorum in a group of two asks for no
         * acknowledgement at all: the configuration refuses quorum (repl_config.c). */
        op = "DB_ENV->rep_set_config(DB_REPMGR_CONF_2SITE_STRICT)";
        ret = env->rep_set_config(env, DB_REPMGR_CONF_2SITE_STRICT, 1);
    }
    if (ret == 0) {
        op = "DB_ENV->repmgr_set_ack_policy";
        ret = env->repmgr_set_ack_policy(env, policy[r->acks]);
    }
    if (ret == 0) {
        op = "DB_ENV->rep_set_timeout(DB_REP_ACK_TIMEOUT)";
        ret = env->rep_set_timeout(env, DB_REP_ACK_TIMEOUT, (db_timeout_t)r->ack_timeout_ms * 1000u);
    }
    if (ret == 0) {
        /* A site that comes back is reconnected within a second (default: 30 s). */
        op = "DB_ENV->rep_set_timeout(DB_REP_CONNECTION_RETRY)";
        ret = env->rep_set_timeout(env, DB_REP_CONNECTION_RETRY, 1000000u);
    }
    if (ret == 0) {
        /* The master sends a heartbeat every second: an idle replica still learns the
         * master's last LSN and asks for what it misses. */
        op = "DB_ENV->rep_set_timeout(DB_REP_HEARTBEAT_SEND)";
        ret = env->rep_set_timeout(env, DB_REP_HEARTBEAT_SEND, 1000000u);
    }
    if (ret == 0) {
        /* A master sleeps this long inside every checkpoint (default 30 s) so that the
         * replicas can flush their caches first; the writer checkpoints in its commit
         * path (every 64 MiB of log), so the default stalled ingest for 30 s each time:
         * measured 5,300 samples/s end to end with it, see docs/storage.md. The
         * replicas' caches are flushed by their own checkpoints. */
        op = "DB_ENV->rep_set_timeout(DB_REP_CHECKPOINT_DELAY)";
        ret = env->rep_set_timeout(env, DB_REP_CHECKPOINT_DELAY, 0);
    }
    if (ret == 0) {
        op = "DB_ENV->rep_set_priority";
        ret = env->rep_set_priority(env, (u_int32_t)r->priority);
    }
    if (ret == 0) {
        op = r->role == VG_REPL_MASTER ? "DB_ENV->repmgr_start(DB_REP_MASTER)"
                                       : "DB_ENV->repmgr_start(DB_REP_CLIENT)";
        ret = env->repmgr_start(env, 3, r->role == VG_REPL_MASTER ? DB_REP_MASTER : DB_REP_CLIENT);
    }
    if (ret != 0)
        return vg_senv_fail(err, ret, home, op);
    vg_info("replication: %s on %s:%u, %zu remote site%s, acks %s within %d ms",
            vg_repl_role_name(r->role), r->local.host, r->local.port, r->n_remote,
            r->n_remote == 1 ? "" : "s", vg_repl_acks_name(r->acks), r->ack_timeout_ms);
    return VG_OK;
}
