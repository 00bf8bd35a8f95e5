/* env.c: opening (as the writer, which recovers, or as a reader, which joins), sharing and
 * closing the Berkeley DB environment of a store directory; the is-alive callback and
 * failchk that free what dead readers held; the capture of Berkeley DB's error messages
 * (see env.h). The table of open environments is process-wide and guarded by a mutex;
 * entries inherited through fork() belong to the parent and never serve the child. */
#include "storage/env.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/log.h"
#include "storage/repl_env.h"

struct vg_senv {
    DB_ENV *env;
    char *home;  /* realpath of the directory, owned */
    pid_t pid;   /* process that opened env */
    int refs;
    int wlock;   /* fd of DIR/writer.lock, flock'ed by this process's writer; -1: none */
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

/* Informational messages of Berkeley DB, per thread: failchk writes one for each lock,
 * transaction and mutex it frees; vg_senv_failchk sums them up in one log line. */
static _Thread_local unsigned senv_msgs;
static _Thread_local char senv_msg_first[160];

static void store__msgcall(const DB_ENV *env, const char *msg)
{
    (void)env;
    vg_debug("Berkeley DB: %s", msg);
    if (senv_msgs++ == 0)
        snprintf(senv_msg_first, sizeof senv_msg_first, "%s", msg);
}

/* True if process pid has exited or is a zombie (it will never run again). */
static bool store__pid_dead(pid_t pid)
{
    if (kill(pid, 0) != 0)
        return errno == ESRCH;
    /* A zombie still answers kill(): look at its state in /proc when there is one. */
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *paren = strrchr(buf, ')'); /* "pid (comm) S ...": comm may hold spaces */
    return paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

/* DB_ENV->set_isalive callback: Berkeley DB asks whether the thread (pid, tid) that holds
 * something in the environment still exists. Threads of this process are alive (a thread
 * that exited inside Berkeley DB would be a bug of this process); another process is alive
 * until it has exited. */
static int store__is_alive(DB_ENV *env, pid_t pid, db_threadid_t tid, u_int32_t flags)
{
    (void)env;
    (void)tid;
    (void)flags;
    return pid == getpid() || !store__pid_dead(pid);
}

void vg_senv_clear_text(void)
{
    senv_text_len = 0;
    senv_text[0] = 0;
}

vg_err vg_senv_fail(vg_errinfo *err, int ret, const char *where, const char *op)
{
    /* After DB_RUNRECOVERY (often: the writer started, or recovered in place, and so
     * rebuilt the environment under this process) every handle of this process is dead. */
    const char *hint = ret == DB_RUNRECOVERY ? "; close and reopen the store" : "";
    if (senv_text_len)
        vg_fail(err, VG_ERR_DB, "%s: %s: %s (%s)%s", where, op, db_strerror(ret), senv_text,
                hint);
    else
        vg_fail(err, VG_ERR_DB, "%s: %s: %s%s", where, op, db_strerror(ret), hint);
    vg_senv_clear_text();
    return VG_ERR_DB;
}

bool vg_senv_replica(vg_senv *e)
{
    u_int32_t flags = 0;
    if (e->env->get_open_flags(e->env, &flags) != 0 || !(flags & DB_INIT_REP))
        return false;
    DB_REP_STAT *st = NULL;
    if (e->env->rep_stat(e->env, &st, 0) != 0) {
        vg_senv_clear_text();
        return false;
    }
    bool client = st->st_status == DB_REP_CLIENT;
    free(st);
    return client;
}

bool vg_senv_shared(vg_senv *e)
{
    pthread_mutex_lock(&senv_lock);
    bool shared = e->refs > 1;
    pthread_mutex_unlock(&senv_lock);
    return shared;
}

void vg_senv_panic(vg_senv *e)
{
    vg_senv_clear_text();
    e->env->set_flags(e->env, DB_PANIC_ENVIRONMENT, 1);
    vg_senv_clear_text();
}

DB_ENV *vg_senv_dbenv(const vg_senv *e)
{
    return e->env;
}

const char *vg_senv_home(const vg_senv *e)
{
    return e->home;
}

/* A reader finds a joined environment usable unless a writer that died left a transaction
 * open (the daemon was killed during a batch and has not been restarted since): the store
 * needs recovery. Snapshot transactions of dead readers do not count (failchk of the writer
 * ends them). Checked without changing anything in the regions. */
static vg_err store__check_dead_writer(DB_ENV *env, const char *home, vg_errinfo *err)
{
    DB_TXN_STAT *st = NULL;
    int ret = env->txn_stat(env, &st, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, home, "DB_ENV->txn_stat");
    pid_t dead = 0;
    for (u_int32_t i = 0; i < st->st_nactive && !dead; i++)
        if (strcmp(st->st_txnarray[i].name, VG_SENV_WRITER_TXN) == 0 &&
            store__pid_dead(st->st_txnarray[i].pid))
            dead = st->st_txnarray[i].pid;
    free(st);
    if (dead)
        return vg_fail(err, VG_ERR_DB,
                       "%s: the store needs recovery (process %ld died during a write "
                       "transaction): start the daemon, which recovers it", home, (long)dead);
    return VG_OK;
}

/* Create and open a DB_ENV in home as the writer or a reader (env.h); *out is NULL on
 * failure. */
static vg_err store__env_open(const char *home, int cache_mb, bool writer,
                              const vg_repl_config *repl, DB_ENV **out, vg_errinfo *err)
{
    DB_ENV *env = NULL;
    *out = NULL;
    int ret = db_env_create(&env, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, home, "db_env_create");
    env->set_errcall(env, store__errcall);
    env->set_msgcall(env, store__msgcall);
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
        /* A batch holds one lock per page it changed: a 5000-sample batch changes ~100
         * pages of samples.db; the table leaves room for readers and large batches. */
        op = "set_lk_max_locks";
        ret = env->set_lk_max_locks(env, VG_SENV_MAX_LOCKS);
    }
    if (ret == 0) {
        op = "set_lk_max_objects";
        ret = env->set_lk_max_objects(env, VG_SENV_MAX_LOCKS);
    }
    if (ret == 0) {
        /* Every open database handle holds ~2 mutexes of the shared region: room for the
         * writer's platform databases and readers' (storage/platform_db.c), beyond what
         * Berkeley DB sizes from the cache and lock table. */
        op = "mutex_set_increment";
        ret = env->mutex_set_increment(env, VG_SENV_MUTEX_EXTRA);
    }
    if (ret == 0) {
        /* On a deadlock, the locker with the fewest write locks loses: a reader (vigie
         * dump), never the writer's batch. */
        op = "set_lk_detect";
        ret = env->set_lk_detect(env, DB_LOCK_MINWRITE);
    }
    if (ret == 0) {
        /* failchk needs a thread table (sized by the creator of the regions) and an
         * is-alive callback in every process. */
        op = "set_thread_count";
        ret = env->set_thread_count(env, VG_SENV_THREADS);
    }
    if (ret == 0) {
        op = "set_isalive";
        ret = env->set_isalive(env, store__is_alive);
    }
    if (ret == 0) {
        /* Touch every page of the shared regions when they are created or joined, so that
         * their files (mapped, in the store's directory) are backed by real blocks: a page
         * first touched later, on a full file system, ends in SIGBUS inside libdb (seen in
         * __txn_begin on a full tmpfs, test_feed_full_disk). */
        op = "set_flags(DB_REGION_INIT)";
        ret = env->set_flags(env, DB_REGION_INIT, 1);
    }
    if (ret == 0 && writer && repl) {
        op = "DB_ENV->set_event_notify";
        ret = vg_repl_env_prepare(env);
    }
    if (ret == 0) {
        op = "DB_ENV->open";
        /* A reader of a replicated environment joins its replication region without
         * asking (Berkeley DB adds DB_INIT_REP): it reads, the writer's repmgr replicates. */
        u_int32_t flags = DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN | DB_THREAD;
        if (writer)
            flags |= DB_CREATE | DB_RECOVER;
        if (writer && repl)
            flags |= DB_INIT_REP;
        ret = env->open(env, home, flags, 0);
    }
    vg_err rc = VG_OK;
    if (ret == 0 && writer) {
        /* Recovery just rebuilt the regions: nothing to find, but cheap, and the regions
         * may have been joined by a reader in between. */
        op = "DB_ENV->failchk";
        ret = env->failchk(env, 0);
        if (ret == 0 && repl)
            rc = vg_repl_env_start(env, home, repl, err);
    } else if (ret == 0) {
        rc = store__check_dead_writer(env, home, err);
    } else if (!writer && ret == ENOENT) {
        rc = vg_fail(err, VG_ERR_NOTFOUND,
                     "no vigie store at %s (no Berkeley DB environment: the daemon creates "
                     "it)", home);
    } else if (!writer && ret == DB_RUNRECOVERY) {
        rc = vg_fail(err, VG_ERR_DB,
                     "%s: the store needs recovery: start the daemon, which recovers it",
                     home);
    }
    if (ret != 0 && rc == VG_OK)
        rc = vg_senv_fail(err, ret, home, op);
    if (rc != VG_OK) {
        vg_senv_clear_text();
        env->close(env, 0);
        return rc;
    }
    *out = env;
    return VG_OK;
}

/* The one-writer rule, enforced: the writer holds an exclusive flock on DIR/writer.lock
 * for as long as its environment is open (the kernel drops it when the process dies, so a
 * crashed daemon never blocks its successor). Without it a second writer (a second daemon,
 * or a tool that writes, such as `vigie flag`) would run recovery under the first one. */
static vg_err senv__writer_lock(const char *home, int *fd, vg_errinfo *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/writer.lock", home);
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (f < 0)
        return vg_fail(err, VG_ERR_IO, "%s: %s", path, strerror(errno));
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(f);
        if (e == EWOULDBLOCK)
            return vg_fail(err, VG_ERR_DB,
                           "%s: another process (the daemon?) writes this store; it has one "
                           "writer: stop that process first (docs/storage.md)", home);
        return vg_fail(err, VG_ERR_IO, "%s: flock: %s", path, strerror(e));
    }
    *fd = f;
    return VG_OK;
}

vg_err vg_senv_acquire(const char *home, int cache_mb, bool writer, const vg_repl_config *repl,
                       vg_senv **out, vg_errinfo *err)
{
    *out = NULL;
    char *real = realpath(home, NULL);
    if (!real) {
        int e = errno;
        if (!writer && e == ENOENT)
            return vg_fail(err, VG_ERR_NOTFOUND, "no vigie store at %s", home);
        return vg_fail(err, VG_ERR_IO, "%s: %s", home, strerror(e));
    }
    pid_t self = getpid();
    vg_err rc = VG_OK;
    pthread_mutex_lock(&senv_lock);
    struct vg_senv *e;
    for (e = senv_list; e; e = e->next)
        if (e->pid == self && strcmp(e->home, real) == 0)
            break;
    if (e) {
        /* Joined by a reader of this process first: no recovery under it, but failchk. */
        free(real);
        bool needs_recovery;
        if (writer && e->wlock < 0 && (rc = senv__writer_lock(e->home, &e->wlock, err)) != VG_OK)
            e = NULL;
        else if (writer && (rc = vg_senv_failchk(e, &needs_recovery, err)) != VG_OK)
            e = NULL;
        else
            e->refs++;
    } else {
        e = calloc(1, sizeof *e);
        if (e)
            e->wlock = -1;
        if (!e) {
            free(real);
            rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", home);
        } else if ((writer && (rc = senv__writer_lock(real, &e->wlock, err)) != VG_OK) ||
                   (rc = store__env_open(home, cache_mb, writer, repl, &e->env, err)) != VG_OK) {
            if (e->wlock >= 0)
                close(e->wlock);
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

vg_err vg_senv_failchk(vg_senv *e, bool *needs_recovery, vg_errinfo *err)
{
    *needs_recovery = false;
    vg_senv_clear_text();
    senv_msgs = 0;
    int ret = e->env->failchk(e->env, 0);
    if (ret == 0 && senv_msgs)
        vg_notice("%s: released what dead readers held (%u Berkeley DB messages; the first: "
                  "%s)", e->home, senv_msgs, senv_msg_first);
    if (ret == 0)
        return VG_OK;
    if (ret == DB_RUNRECOVERY) {
        *needs_recovery = true;
        vg_err rc = vg_fail(err, VG_ERR_DB,
                            "%s: the store needs recovery (%s): a process died inside a "
                            "Berkeley DB call or holding write locks", e->home,
                            senv_text_len ? senv_text : "DB_RUNRECOVERY");
        vg_senv_clear_text();
        return rc;
    }
    return vg_senv_fail(err, ret, e->home, "DB_ENV->failchk");
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
        if (e->wlock >= 0)
            close(e->wlock); /* after the close: the next writer may recover at once */
        free(e->home);
        free(e);
    }
    pthread_mutex_unlock(&senv_lock);
    return rc;
}
