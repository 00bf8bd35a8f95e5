/* env.c: opening, sharing and closing the Berkeley DB environment of a store directory,
 * and the capture of Berkeley DB's error messages (see env.h). The table of open
 * environments is process-wide and guarded by a mutex; entries inherited through fork()
 * belong to the parent and are never used or closed by the child. */
#include "storage/env.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vg_senv {
    DB_ENV *env;
    char *home;  /* realpath of the directory, owned */
    pid_t pid;   /* process that opened env */
    int refs;
    struct vg_senv *next;
};

static pthread_mutex_t senv_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vg_senv *senv_list;

/* Messages of Berkeley DB's error callback, per thread: BDB calls it in the thread whose
 * operation failed, and one DB_ENV may serve several stores used by different threads. */
#define SENV_TEXT_MAX 384
static _Thread_local char senv_text[SENV_TEXT_MAX];
static _Thread_local size_t senv_text_len;

static void store__errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
    (void)env;
    (void)pfx;
    if (!msg || senv_text_len >= SENV_TEXT_MAX - 1)
        return;
    /* BDB often repeats one message for each page or file it retries: keep one copy. */
    if (senv_text_len && strstr(senv_text, msg))
        return;
    size_t room = SENV_TEXT_MAX - 1 - senv_text_len;
    int n = snprintf(senv_text + senv_text_len, room + 1, "%s%s", senv_text_len ? "; " : "",
                     msg);
    if (n < 0)
        return;
    senv_text_len += (size_t)n < room ? (size_t)n : room;
}

void vg_senv_clear_text(void)
{
    senv_text_len = 0;
    senv_text[0] = 0;
}

vg_err vg_senv_fail(vg_errinfo *err, int ret, const char *where, const char *op)
{
    /* After DB_RUNRECOVERY (often: another process ran recovery because a process died
     * with the environment open) every handle of this process is dead. */
    const char *hint = ret == DB_RUNRECOVERY ? "; close and reopen the store" : "";
    if (senv_text_len)
        vg_fail(err, VG_ERR_DB, "%s: %s: %s (%s)%s", where, op, db_strerror(ret), senv_text,
                hint);
    else
        vg_fail(err, VG_ERR_DB, "%s: %s: %s%s", where, op, db_strerror(ret), hint);
    vg_senv_clear_text();
    return VG_ERR_DB;
}

DB_ENV *vg_senv_dbenv(const vg_senv *e)
{
    return e->env;
}

const char *vg_senv_home(const vg_senv *e)
{
    return e->home;
}

/* Create and open a DB_ENV in home; *out is NULL on failure. */
static vg_err store__env_open(const char *home, int cache_mb, DB_ENV **out, vg_errinfo *err)
{
    DB_ENV *env = NULL;
    *out = NULL;
    int ret = db_env_create(&env, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, home, "db_env_create");
    env->set_errcall(env, store__errcall);
    const char *op = "set_cachesize";
    ret = env->set_cachesize(env, (u_int32_t)(cache_mb / 1024),
                             (u_int32_t)(cache_mb % 1024) * 1024u * 1024u, 1);
    if (ret == 0) {
        op = "set_lg_bsize";
        ret = env->set_lg_bsize(env, VG_SENV_LOG_BUF_BYTES);
    }
    if (ret == 0) {
        op = "set_lg_max";
        ret = env->set_lg_max(env, VG_SENV_LOG_FILE_BYTES);
    }
    if (ret == 0) {
        /* Log files are kept: archiving with retention is done elsewhere. */
        op = "log_set_config";
        ret = env->log_set_config(env, DB_LOG_AUTO_REMOVE, 0);
    }
    if (ret == 0) {
        /* A batch holds one lock per page it changed: ~12,000 for 300,000 samples in 16 KiB
         * pages, so ~40,000 for the largest batch the configuration allows (1,000,000). */
        op = "set_lk_max_locks";
        ret = env->set_lk_max_locks(env, VG_SENV_MAX_LOCKS);
    }
    if (ret == 0) {
        op = "set_lk_max_objects";
        ret = env->set_lk_max_objects(env, VG_SENV_MAX_LOCKS);
    }
    if (ret == 0) {
        /* On a deadlock, the locker with the fewest write locks loses: a reader (vigie
         * dump), never the writer's batch. */
        op = "set_lk_detect";
        ret = env->set_lk_detect(env, DB_LOCK_MINWRITE);
    }
    if (ret == 0) {
        op = "DB_ENV->open";
        ret = env->open(env, home,
                        DB_CREATE | DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN |
                            DB_REGISTER | DB_RECOVER | DB_THREAD,
                        0);
    }
    if (ret != 0) {
        vg_senv_fail(err, ret, home, op);
        env->close(env, 0);
        return VG_ERR_DB;
    }
    *out = env;
    return VG_OK;
}

vg_err vg_senv_acquire(const char *home, int cache_mb, vg_senv **out, vg_errinfo *err)
{
    *out = NULL;
    char *real = realpath(home, NULL);
    if (!real)
        return vg_fail(err, VG_ERR_IO, "%s: %s", home, strerror(errno));
    pid_t self = getpid();
    vg_err rc = VG_OK;
    pthread_mutex_lock(&senv_lock);
    struct vg_senv *e;
    for (e = senv_list; e; e = e->next)
        if (e->pid == self && strcmp(e->home, real) == 0)
            break;
    if (e) {
        e->refs++;
        free(real);
    } else {
        e = calloc(1, sizeof *e);
        if (!e) {
            free(real);
            rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", home);
        } else if ((rc = store__env_open(home, cache_mb, &e->env, err)) != VG_OK) {
            free(real);
            free(e);
            e = NULL;
        } else {
            e->home = real;
            e->pid = self;
            e->refs = 1;
            e->next = senv_list;
            senv_list = e;
        }
    }
    pthread_mutex_unlock(&senv_lock);
    *out = e;
    return rc;
}

vg_err vg_senv_release(vg_senv *e, vg_errinfo *err)
{
    if (!e)
        return VG_OK;
    vg_err rc = VG_OK;
    pthread_mutex_lock(&senv_lock);
    if (--e->refs == 0) {
        for (struct vg_senv **pp = &senv_list; *pp; pp = &(*pp)->next) {
            if (*pp == e) {
                *pp = e->next;
                break;
            }
        }
        vg_senv_clear_text();
        int ret = e->env->close(e->env, 0);
        if (ret != 0)
            rc = vg_senv_fail(err, ret, e->home, "DB_ENV->close");
        free(e->home);
        free(e);
    }
    pthread_mutex_unlock(&senv_lock);
    return rc;
}
