/* replication.c: a replica process's hold on its store directory, and the replication
 * status of a store read from Berkeley DB's statistics (replication.h). Starting repmgr
 * and its events are in repl_env.c. */
#include "storage/replication.h"

#include <db.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/env.h"

struct vg_replica {
    vg_senv *senv;
};

vg_err vg_replica_open(const char *path, int cache_mb, const vg_repl_config *repl,
                       vg_replica **out, vg_errinfo *err)
{
    *out = NULL;
    if (!repl || repl->role != VG_REPL_REPLICA)
        return vg_fail(err, VG_ERR_INVAL, "%s: vg_replica_open needs storage.replication "
                       "with role replica", path);
    if (cache_mb < 1 || cache_mb > 4096)
        return vg_fail(err, VG_ERR_INVAL, "%s: cache_mb %d outside 1..4096", path, cache_mb);
    if (mkdir(path, 0750) != 0 && errno != EEXIST)
        return vg_fail(err, VG_ERR_IO, "%s: cannot create directory: %s", path,
                       strerror(errno));
    vg_replica *r = calloc(1, sizeof *r);
    if (!r)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
    /* The writer's role: the lock (one process holds the directory) and recovery; the
     * only writes are the master's, applied by repmgr. */
    vg_err rc = vg_senv_acquire(path, cache_mb, true, repl, &r->senv, err);
    if (rc != VG_OK) {
        free(r);
        return rc;
    }
    char mark[4096];
    snprintf(mark, sizeof mark, "%s/" VG_REPLICA_MARK, path);
    FILE *f = fopen(mark, "w");
    bool ok = f && fputs("a replica's store: written by the master's replication only "
                         "(docs/storage.md, \"Replication\")\n", f) >= 0;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        rc = vg_fail(err, VG_ERR_IO, "%s: %s", mark, strerror(errno));
        vg_replica_close(r, NULL);
        return rc;
    }
    *out = r;
    return VG_OK;
}

vg_err vg_replica_close(vg_replica *r, vg_errinfo *err)
{
    if (!r)
        return VG_OK;
    vg_err rc = vg_senv_release(r->senv, err);
    free(r);
    return rc;
}

vg_err vg_replica_flush_log(vg_replica *r, vg_errinfo *err)
{
    int ret = vg_senv_dbenv(r->senv)->log_flush(vg_senv_dbenv(r->senv), NULL);
    return ret ? vg_senv_fail(err, ret, vg_senv_home(r->senv), "DB_ENV->log_flush") : VG_OK;
}

vg_err vg_replica_maintain(vg_replica *r, vg_errinfo *err)
{
    bool needs_recovery;
    return vg_senv_failchk(r->senv, &needs_recovery, err);
}

/* "HOST:PORT" of a DB_SITE handle (closed here), or "" on failure. */
static void status__site_addr(DB_SITE *site, char *buf, size_t size)
{
    const char *host = NULL;
    u_int port = 0;
    buf[0] = 0;
    if (site->get_address(site, &host, &port) == 0 && host)
        snprintf(buf, size, "%s:%u", host, port);
    site->close(site);
}

static vg_err status__fill(DB_ENV *env, const char *where, bool live, vg_repl_status *st,
                          vg_errinfo *err)
{
    memset(st, 0, sizeof *st);
    st->sites_live = live;
    u_int32_t flags = 0;
    if (env->get_open_flags(env, &flags) != 0 || !(flags & DB_INIT_REP))
        return VG_OK;
    vg_senv_clear_text();
    DB_REP_STAT *rs = NULL;
    int ret = env->rep_stat(env, &rs, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, where, "DB_ENV->rep_stat");
    st->replicated = true;
    st->role = rs->st_status == DB_REP_MASTER   ? "master"
               : rs->st_status == DB_REP_CLIENT ? "replica"
                                                : "starting";
    st->in_sync = rs->st_startup_complete != 0;
    st->lsn_file = rs->st_next_lsn.file;
    st->lsn_offset = rs->st_next_lsn.offset;
    if (rs->st_status == DB_REP_MASTER) {
        st->ready_file = st->lsn_file;
        st->ready_offset = st->lsn_offset;
    } else {
        st->ready_file = rs->st_max_perm_lsn.file;
        st->ready_offset = rs->st_max_perm_lsn.offset;
    }
    st->log_queued = (uint64_t)rs->st_log_queued;
    st->generation = rs->st_gen;
    int master_eid = (int)rs->st_master;
    free(rs);

    DB_REPMGR_STAT *ms = NULL;
    if (env->repmgr_stat(env, &ms, 0) == 0) {
        st->perm_failed = (uint64_t)ms->st_perm_failed;
        free(ms);
    }
    DB_SITE *site = NULL;
    if (env->repmgr_local_site(env, &site) == 0)
        status__site_addr(site, st->local, sizeof st->local);
    u_int n = 0;
    DB_REPMGR_SITE *list = NULL;
    vg_senv_clear_text();
    if (env->repmgr_site_list(env, &n, &list) == 0) {
        for (u_int i = 0; i < n; i++) {
            char addr[VG_REPL_HOST_MAX + 8];
            snprintf(addr, sizeof addr, "%s:%u", list[i].host, list[i].port);
            if (list[i].eid == master_eid)
                snprintf(st->master, sizeof st->master, "%s", addr);
            if (st->n_sites < VG_REPL_MAX_SITES) {
                snprintf(st->sites[st->n_sites].addr, sizeof st->sites[0].addr, "%s", addr);
                st->sites[st->n_sites].connected = list[i].status == DB_REPMGR_CONNECTED;
                st->n_sites++;
            }
        }
        free(list);
    }
    if (strcmp(st->role, "master") == 0)
        snprintf(st->master, sizeof st->master, "%s", st->local);
    vg_senv_clear_text();
    return VG_OK;
}

vg_err vg_replica_status(vg_replica *r, vg_repl_status *out, vg_errinfo *err)
{
    return status__fill(vg_senv_dbenv(r->senv), vg_senv_home(r->senv), true, out, err);
}

vg_err vg_repl_status_read(const char *path, vg_repl_status *out, vg_errinfo *err)
{
    memset(out, 0, sizeof *out);
    vg_senv *senv;
    vg_err rc = vg_senv_acquire(path, 1, false, NULL, &senv, err);
    if (rc != VG_OK)
        return rc;
    rc = status__fill(vg_senv_dbenv(senv), path, false, out, err);
    vg_errinfo e2;
    vg_senv_release(senv, &e2);
    return rc;
}

void vg_repl_status_print(const vg_repl_status *st, FILE *out)
{
    if (!st->replicated) {
        fprintf(out, "replication none\n");
        return;
    }
    fprintf(out, "replication %s%s, site %s, master %s, generation %u\n", st->role,
            strcmp(st->role, "replica") == 0 ? (st->in_sync ? " (in sync)" : " (syncing)") : "",
            st->local[0] ? st->local : "?", st->master[0] ? st->master : "none known",
            (unsigned)st->generation);
    fprintf(out, "replication lsn %u/%u%s", (unsigned)st->lsn_file, (unsigned)st->lsn_offset,
            strcmp(st->role, "master") == 0 ? " (next record written)" : " (next record expected)");
    if (strcmp(st->role, "replica") == 0)
        fprintf(out, ", applied up to %u/%u, %llu records waiting", (unsigned)st->ready_file,
                (unsigned)st->ready_offset, (unsigned long long)st->log_queued);
    else
        fprintf(out, ", %llu commits not acknowledged in time",
                (unsigned long long)st->perm_failed);
    fputc('\n', out);
    for (size_t i = 0; i < st->n_sites; i++)
        fprintf(out, "replication site %s%s\n", st->sites[i].addr,
                !st->sites_live ? "" : st->sites[i].connected ? " connected" : " disconnected");
}
