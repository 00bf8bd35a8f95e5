/* store.c: the Berkeley DB store of samples and the quarantine (store.h), write side:
 * opening the three databases and checking the schema version, write batches (one DB_TXN
 * each), the puts (one per sample) and the writer's periodic maintenance. Reads are in
 * query.c; keys in keys.c, values in records.c, the environment in env.c. Schema and
 * guarantees: docs/storage.md. */
#include "storage/store.h"

#include <db.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "storage/env.h"
#include "storage/logkeep.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/replication.h"
#include "storage/store_int.h"

static const char *const store_files[VG_STORE_NDB] = {
    [VG_STORE_SAMPLES] = "samples.db",
    [VG_STORE_QUARANTINE] = "quarantine.db",
    [VG_STORE_META] = "meta.db",
};

/* A checkpoint is taken after a commit once this much log was written, or this many
 * minutes passed, since the previous one (it bounds the log that recovery replays). */
#define STORE_CKP_KBYTES (64u * 1024u)
#define STORE_CKP_MINUTES 5u

/* Page size of the databases created by this store. Samples arrive in time order within
 * each platform but interleaved between platforms, so splits happen mid-tree (half-full
 * pages) except for the last platform; measured (docs/storage.md, "Performance"): 16 KiB
 * writes ~15% faster than 4 KiB and up to ~40% faster than 64 KiB. */
#define STORE_PAGE_SIZE 16384u

/* ---- helpers ------------------------------------------------------------------------- */

static char *store__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Make s->buf at least n bytes; false on allocation failure. */
static bool store__reserve(vg_store *s, size_t n)
{
    if (n <= s->cap)
        return true;
    size_t cap = s->cap ? s->cap : 4096;
    while (cap < n)
        cap = cap > SIZE_MAX / 2 ? n : cap * 2;
    unsigned char *b = realloc(s->buf, cap);
    if (!b)
        return false;
    s->buf = b;
    s->cap = cap;
    return true;
}

/* mkdir -p path with mode 0750 for each created component. */
static vg_err store__mkdirs(const char *path, vg_errinfo *err)
{
    char *p = store__strdup(path);
    if (!p)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
    for (char *q = p + 1;; q++) {
        if (*q == '/' || *q == 0) {
            char c = *q;
            *q = 0;
            if (mkdir(p, 0750) != 0 && errno != EEXIST) {
                vg_err rc = vg_fail(err, VG_ERR_IO, "%s: cannot create directory: %s", p,
                                    strerror(errno));
                free(p);
                return rc;
            }
            *q = c;
            if (c == 0)
                break;
        }
    }
    free(p);
    struct stat st;
    if (stat(path, &st) != 0)
        return vg_fail(err, VG_ERR_IO, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return vg_fail(err, VG_ERR_IO, "%s: not a directory", path);
    return VG_OK;
}

bool vg_store__platform_ok(const char *platform)
{
    return platform && vg_platform_id_valid(platform, strnlen(platform, VG_PLATFORM_MAX));
}

vg_err vg_store__usable(const vg_store *s, vg_errinfo *err)
{
    if (s->env)
        return VG_OK;
    return vg_fail(err, VG_ERR_DB, "%s: the store could not be recovered in place: close it "
                   "and open it again (restart the daemon)", s->path);
}

vg_err vg_store__corrupt(vg_errinfo *err, const vg_store *s, int which, const char *what)
{
    return vg_fail(err, VG_ERR_DB, "%s: malformed record (%s): record version or length "
                   "not understood by this vigie", s->where[which], what);
}

int vg_store__read_begin(vg_store *s, DB_TXN **txn)
{
    if (s->txn) {
        *txn = s->txn;
        return 0;
    }
    /* A replica has no multiversion databases and refuses snapshot transactions: its
     * readers read committed data with short page locks. */
    int ret = s->env->txn_begin(s->env, NULL, txn, s->replica ? DB_READ_COMMITTED
                                                              : DB_TXN_SNAPSHOT);
    if (ret != 0)
        *txn = NULL;
    return ret;
}

int vg_store__read_end(vg_store *s, DB_TXN *txn, bool ok)
{
    if (!txn || txn == s->txn)
        return 0;
    /* A snapshot transaction wrote nothing: commit and abort only release it. */
    if (!ok) {
        txn->abort(txn);
        return 0;
    }
    return txn->commit(txn, 0);
}

/* ---- open and close ------------------------------------------------------------------ */

/* Check (and on a new store write) meta.db's schema version: the current one, or 2 (which
 * the writer converts, migrate.c), into *version. */
static vg_err store__check_schema(vg_store *s, uint32_t *version, vg_errinfo *err)
{
    DB *meta = s->db[VG_STORE_META];
    DB_TXN *txn = NULL;
    int ret;
    const char *op = "DB_ENV->txn_begin";
    if (!s->read_only && (ret = s->env->txn_begin(s->env, NULL, &txn, 0)) != 0)
        return vg_senv_fail(err, ret, s->path, op);
    if (txn)
        txn->set_name(txn, VG_SENV_WRITER_TXN); /* only a hint for readers: errors ignored */
    char kbuf[] = VG_SREC_META_SCHEMA_KEY;
    unsigned char vbuf[8];
    DBT k = {.data = kbuf, .size = (u_int32_t)strlen(kbuf)};
    DBT v = {.data = vbuf, .ulen = sizeof vbuf, .flags = DB_DBT_USERMEM};
    op = "DB->get";
    ret = meta->get(meta, txn, &k, &v, 0);
    vg_err rc = VG_OK;
    *version = VG_STORE_SCHEMA_VERSION;
    if (ret == DB_NOTFOUND && !s->read_only) {
        vg_srec_put_u32(vbuf, VG_STORE_SCHEMA_VERSION);
        v.size = 4;
        op = "DB->put";
        ret = meta->put(meta, txn, &k, &v, 0);
    } else if (ret == DB_NOTFOUND) {
        rc = vg_fail(err, VG_ERR_DB, "%s: no schema_version record: not a vigie store",
                     s->where[VG_STORE_META]);
        ret = 0;
    } else if (ret == 0 && v.size != 4) {
        rc = vg_fail(err, VG_ERR_DB, "%s: schema_version record is %u bytes, expected 4",
                     s->where[VG_STORE_META], (unsigned)v.size);
    } else if (ret == 0 && vg_srec_get_u32(vbuf) == VG_STORE_SCHEMA_V2 && s->read_only) {
        rc = vg_fail(err, VG_ERR_DB,
                     "%s: schema version 2, which this vigie converts to version %d when the "
                     "daemon (or another writer) opens the store: start the daemon once "
                     "(docs/storage.md, \"Schema version 3\")",
                     s->where[VG_STORE_META], VG_STORE_SCHEMA_VERSION);
    } else if (ret == 0 && vg_srec_get_u32(vbuf) != VG_STORE_SCHEMA_VERSION &&
               vg_srec_get_u32(vbuf) != VG_STORE_SCHEMA_V2) {
        rc = vg_fail(err, VG_ERR_DB,
                     "%s: schema version %lu, but this vigie reads schema versions 2 and %d "
                     "only: use the vigie release that wrote this store, or a new store "
                     "directory", s->where[VG_STORE_META], (unsigned long)vg_srec_get_u32(vbuf),
                     VG_STORE_SCHEMA_VERSION);
    } else if (ret == 0) {
        *version = vg_srec_get_u32(vbuf);
    } else if (ret == DB_BUFFER_SMALL) {
        rc = vg_fail(err, VG_ERR_DB, "%s: schema_version record is %u bytes, expected 4",
                     s->where[VG_STORE_META], (unsigned)v.size);
        ret = 0;
    }
    if (ret != 0 && rc == VG_OK)
        rc = vg_senv_fail(err, ret, s->where[VG_STORE_META], op);
    if (txn) {
        if (rc != VG_OK) {
            txn->abort(txn);
        } else if ((ret = txn->commit(txn, 0)) != 0) {
            rc = vg_senv_fail(err, ret, s->path, "DB_TXN->commit");
        }
    }
    return rc;
}

/* Next quarantine sequence: the last key's sequence + 1, or 0 for an empty database. */
static vg_err store__load_qseq(vg_store *s, vg_errinfo *err)
{
    DB *db = s->db[VG_STORE_QUARANTINE];
    DBC *c;
    int ret = db->cursor(db, NULL, &c, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_QUARANTINE], "DB->cursor");
    DBT k = {0}, v = {0};
    v.flags = DB_DBT_PARTIAL; /* the key is enough */
    ret = c->get(c, &k, &v, DB_LAST);
    s->qseq = 0;
    if (ret == 0 && k.size == VG_SKEY_QUARANTINE_LEN)
        s->qseq = vg_skey_get_u64((const unsigned char *)k.data + VG_SKEY_TIME_LEN) + 1;
    int cret = c->close(c);
    if (ret != 0 && ret != DB_NOTFOUND)
        return vg_senv_fail(err, ret, s->where[VG_STORE_QUARANTINE], "DBC->get");
    if (cret != 0)
        return vg_senv_fail(err, cret, s->where[VG_STORE_QUARANTINE], "DBC->close");
    return VG_OK;
}

/* Open quarantine.db and meta.db (samples.db: store__open_samples, after the schema
 * check). */
static vg_err store__open_dbs(vg_store *s, vg_errinfo *err)
{
    for (int i = 0; i < VG_STORE_NDB; i++) {
        if (i == VG_STORE_SAMPLES)
            continue;
        DB *db;
        int ret = db_create(&db, s->env, 0);
        if (ret != 0)
            return vg_senv_fail(err, ret, s->where[i], "db_create");
        /* DB_MULTIVERSION (copy-on-write pages) lets reads outside a batch be snapshot
         * transactions that take no read lock; it needs a transactional open. */
        u_int32_t flags =
            (s->read_only ? DB_RDONLY : DB_CREATE) | DB_AUTO_COMMIT | DB_MULTIVERSION;
        /* On a replica, repmgr's threads (in the replica process) already opened the
         * files without it, and Berkeley DB wants every handle of a file alike: readers of
         * a replica read with page locks instead of snapshots (docs/storage.md,
         * "Replication"). */
        if (s->replica)
            flags &= ~(u_int32_t)DB_MULTIVERSION;
        /* Used only when the file is created; an existing file keeps its page size. */
        if (i != VG_STORE_META && (ret = db->set_pagesize(db, STORE_PAGE_SIZE)) != 0) {
            vg_senv_fail(err, ret, s->where[i], "DB->set_pagesize");
            db->close(db, 0);
            return VG_ERR_DB;
        }
        ret = db->open(db, NULL, store_files[i], NULL, DB_BTREE, flags, 0);
        if (ret != 0) {
            vg_senv_fail(err, ret, s->where[i], "DB->open");
            db->close(db, 0);
            return VG_ERR_DB;
        }
        s->db[i] = db;
    }
    return VG_OK;
}

/* Open samples.db: its "#shared" database (the writer creates it, and the file, if absent)
 * and its master database, read-only (the list of its databases); the writer counts the
 * platforms with an own database. */
vg_err vg_store__open_samples(vg_store *s, vg_errinfo *err)
{
    const char *where = s->where[VG_STORE_SAMPLES];
    u_int32_t mv = s->replica ? 0 : DB_MULTIVERSION;
    DB *db;
    int ret;
    for (int i = 0; i < 2; i++) {
        if ((ret = db_create(&db, s->env, 0)) != 0)
            return vg_senv_fail(err, ret, where, "db_create");
        /* The file's page size is set by its first database: every subdatabase has it. */
        if (i == 0 && !s->read_only && (ret = db->set_pagesize(db, STORE_PAGE_SIZE)) != 0) {
            db->close(db, 0);
            return vg_senv_fail(err, ret, where, "DB->set_pagesize");
        }
        u_int32_t flags = DB_AUTO_COMMIT | mv | (i == 0 && !s->read_only ? DB_CREATE : DB_RDONLY);
        ret = db->open(db, NULL, VG_STORE_SAMPLES_FILE, i == 0 ? VG_STORE_SAMPLES_SHARED : NULL,
                       DB_BTREE, flags, 0);
        if (ret != 0) {
            vg_senv_fail(err, ret, where, "DB->open");
            db->close(db, 0);
            return VG_ERR_DB;
        }
        vg_store__samples_priority(db);
        if (i == 0)
            s->shared = db;
        else
            s->db[VG_STORE_SAMPLES] = db;
    }
    if (!s->read_only && (ret = vg_store__count_own(s, &s->pdb_own)) != 0)
        return vg_senv_fail(err, ret, where, "the list of platform databases");
    return VG_OK;
}

/* Everything an open (or an in-place recovery) does once the environment is there: the
 * databases, the schema (converting a version-2 store when writing), the quarantine
 * sequence. */
static vg_err store__open_all(vg_store *s, vg_errinfo *err)
{
    uint32_t version = VG_STORE_SCHEMA_VERSION;
    vg_err rc = store__open_dbs(s, err);
    if (rc == VG_OK)
        rc = store__check_schema(s, &version, err);
    if (rc == VG_OK && version == VG_STORE_SCHEMA_V2)
        rc = vg_store__migrate_v2(s, err); /* opens samples.db itself */
    else if (rc == VG_OK)
        rc = vg_store__open_samples(s, err);
    if (rc == VG_OK && !s->read_only)
        rc = store__load_qseq(s, err);
    return rc;
}

vg_err vg_store_open(const char *path, const vg_store_options *opt, vg_store **out,
                     vg_errinfo *err)
{
    if (out)
        *out = NULL;
    if (!path || !*path || !opt || !out)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_open: path, options and out are required");
    if (opt->cache_mb < 1 || opt->cache_mb > 4096)
        return vg_fail(err, VG_ERR_INVAL, "%s: cache_mb %d outside 1..4096", path,
                       opt->cache_mb);
    if (!opt->read_only && opt->repl && opt->repl->role != VG_REPL_MASTER)
        return vg_fail(err, VG_ERR_INVAL, "%s: a replica's store is not written: it is held "
                       "by vg_replica_open (storage/replication.h)", path);
    if (!opt->read_only) {
        /* A replica's directory is written by the master's replication only: a tool's
         * writes there would diverge from the master's log. The daemon promoted to
         * master takes the mark away, once it holds the writer's role (below). */
        char mark[4096];
        snprintf(mark, sizeof mark, "%s/" VG_REPLICA_MARK, path);
        if (!opt->repl && access(mark, F_OK) == 0)
            return vg_fail(err, VG_ERR_INVAL, "%s is a replica's store (%s): only the master's "
                           "replication writes it; write on the master, or promote this site "
                           "first (docs/storage.md, \"Replication\")", path, VG_REPLICA_MARK);
    }
    vg_senv_clear_text();
    vg_err rc;
    if (opt->read_only) {
        struct stat st;
        size_t n = strlen(path) + sizeof "/meta.db";
        char *meta = malloc(n);
        if (!meta)
            return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
        snprintf(meta, n, "%s/meta.db", path);
        int r = stat(meta, &st);
        int e = errno;
        free(meta);
        if (r != 0 && (e == ENOENT || e == ENOTDIR))
            return vg_fail(err, VG_ERR_NOTFOUND, "no vigie store at %s", path);
        if (r != 0)
            return vg_fail(err, VG_ERR_IO, "%s/meta.db: %s", path, strerror(e));
    } else if ((rc = store__mkdirs(path, err)) != VG_OK) {
        return rc;
    }

    vg_store *s = calloc(1, sizeof *s);
    if (!s)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
    s->read_only = opt->read_only;
    s->cache_mb = opt->cache_mb;
    s->repl = opt->read_only ? NULL : opt->repl;
    pthread_mutex_init(&s->flush_mu, NULL);
    s->path = store__strdup(path);
    rc = s->path ? VG_OK : VG_ERR_NOMEM;
    for (int i = 0; i < VG_STORE_NDB && rc == VG_OK; i++) {
        size_t n = strlen(path) + 1 + strlen(store_files[i]) + 1;
        if (!(s->where[i] = malloc(n)))
            rc = VG_ERR_NOMEM;
        else
            snprintf(s->where[i], n, "%s/%s", path, store_files[i]);
    }
    if (rc != VG_OK) {
        vg_fail(err, rc, "%s: out of memory", path);
        vg_store_close(s, NULL);
        return rc;
    }
    if ((rc = vg_senv_acquire(path, opt->cache_mb, !opt->read_only,
                               opt->read_only ? NULL : opt->repl, &s->senv, err)) != VG_OK) {
        vg_store_close(s, NULL);
        return rc;
    }
    if (!opt->read_only && opt->repl) {
        /* Promoted (or always the master): the writer's role is ours, the mark goes. */
        char mark[4096];
        snprintf(mark, sizeof mark, "%s/" VG_REPLICA_MARK, path);
        if (unlink(mark) != 0 && errno != ENOENT) {
            rc = vg_fail(err, VG_ERR_IO, "%s: %s", mark, strerror(errno));
            vg_store_close(s, NULL);
            return rc;
        }
    }
    s->env = vg_senv_dbenv(s->senv);
    s->replica = s->read_only && vg_senv_replica(s->senv);
    if ((rc = store__open_all(s, err)) != VG_OK) {
        vg_store_close(s, NULL);
        return rc;
    }
    *out = s;
    return VG_OK;
}

vg_err vg_store_close(vg_store *s, vg_errinfo *err)
{
    if (!s)
        return VG_OK;
    vg_err rc = VG_OK;
    vg_senv_clear_text();
    vg_store_abort(s); /* a batch still open was interrupted: it must not land */
    if (s->env && !s->read_only && s->db[VG_STORE_META]) {
        int ret = s->env->txn_checkpoint(s->env, 0, 0, 0);
        if (ret != 0 && rc == VG_OK)
            rc = vg_senv_fail(err, ret, s->path, "DB_ENV->txn_checkpoint");
    }
    /* After the checkpoint (which wrote every page): the closes have nothing to write. */
    int pret = vg_store__pdb_close_all(s, DB_NOSYNC);
    if (s->shared) {
        int ret = s->shared->close(s->shared, DB_NOSYNC);
        if (pret == 0)
            pret = ret;
        s->shared = NULL;
    }
    if (pret != 0 && rc == VG_OK)
        rc = vg_senv_fail(err, pret, s->where[VG_STORE_SAMPLES], "DB->close");
    for (int i = 0; i < VG_STORE_NDB; i++) {
        if (s->db[i]) {
            /* A reader must not flush the pages a writer of the same environment dirtied. */
            int ret = s->db[i]->close(s->db[i], s->read_only ? DB_NOSYNC : 0);
            if (ret != 0 && rc == VG_OK)
                rc = vg_senv_fail(err, ret, s->where[i], "DB->close");
        }
        free(s->where[i]);
    }
    vg_err erc = vg_senv_release(s->senv, rc == VG_OK ? err : NULL);
    if (rc == VG_OK)
        rc = erc;
    free(s->path);
    free(s->buf);
    pthread_mutex_destroy(&s->flush_mu);
    free(s);
    return rc;
}

/* ---- batches ------------------------------------------------------------------------- */

vg_err vg_store_begin(vg_store *s, vg_errinfo *err)
{
    if (!s)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_begin: no store");
    if (s->read_only)
        return vg_fail(err, VG_ERR_INVAL, "%s: store opened read-only", s->path);
    if (s->txn)
        return vg_fail(err, VG_ERR_INVAL, "%s: a batch is already open", s->path);
    vg_err rc = vg_store__usable(s, err);
    if (rc != VG_OK)
        return rc;
    vg_senv_clear_text();
    int ret = s->env->txn_begin(s->env, NULL, &s->txn, 0);
    if (ret != 0) {
        s->txn = NULL;
        return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
    }
    /* Readers that find this transaction open with its process dead report that the store
     * needs recovery (env.c); a failed set_name only loses that hint. */
    s->txn->set_name(s->txn, VG_SENV_WRITER_TXN);
    return VG_OK;
}

/* Commit with DB_TXN->commit flags: 0 (the log is written and flushed to disk before
 * commit returns) or DB_TXN_NOSYNC (left in the log buffer for vg_store_flush_log). */
static vg_err store__commit(vg_store *s, u_int32_t flags, vg_errinfo *err)
{
    if (!s || !s->txn)
        return vg_fail(err, VG_ERR_INVAL, "%s: no batch to commit", s ? s->path : "store");
    vg_senv_clear_text();
    int ret = s->txn->commit(s->txn, flags);
    s->txn = NULL;
    /* A failed commit aborted the batch: its creations are gone with it. */
    vg_store__pdb_end_batch(s, ret == 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "DB_TXN->commit");
    /* After a commit without sync, the thread that flushes the log checkpoints
     * (vg_store_checkpoint_due), so that the page writes stay off the committing thread. */
    if (flags == 0) {
        vg_errinfo e;
        if (vg_store_checkpoint_due(s, &e) != VG_OK)
            vg_warn("%s", e.text); /* the batch is committed: only the bound on recovery
                                     * time is not renewed */
    }
    return VG_OK;
}

vg_err vg_store_commit(vg_store *s, vg_errinfo *err)
{
    return store__commit(s, 0, err);
}

vg_err vg_store_commit_nosync(vg_store *s, vg_errinfo *err)
{
    return store__commit(s, DB_TXN_NOSYNC, err);
}

vg_err vg_store_flush_log(vg_store *s, vg_errinfo *err)
{
    if (!s || s->read_only)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_flush_log: not a writer's store");
    pthread_mutex_lock(&s->flush_mu);
    vg_err rc = vg_store__usable(s, err);
    if (rc == VG_OK) {
        vg_senv_clear_text();
        int ret = s->env->log_flush(s->env, NULL);
        if (ret != 0)
            rc = vg_senv_fail(err, ret, s->path, "DB_ENV->log_flush");
    }
    pthread_mutex_unlock(&s->flush_mu);
    return rc;
}

vg_err vg_store_checkpoint_due(vg_store *s, vg_errinfo *err)
{
    if (!s || s->read_only)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_checkpoint_due: not a writer's store");
    pthread_mutex_lock(&s->flush_mu);
    vg_err rc = vg_store__usable(s, err);
    if (rc == VG_OK) {
        int ret = s->env->txn_checkpoint(s->env, STORE_CKP_KBYTES, STORE_CKP_MINUTES, 0);
        if (ret != 0)
            rc = vg_senv_fail(err, ret, s->path, "DB_ENV->txn_checkpoint");
    }
    pthread_mutex_unlock(&s->flush_mu);
    return rc;
}

uint64_t vg_store_generation(const vg_store *s)
{
    return s ? s->generation : 0;
}

void vg_store_abort(vg_store *s)
{
    if (!s || !s->txn)
        return;
    vg_senv_clear_text();
    int ret = s->txn->abort(s->txn);
    s->txn = NULL;
    vg_store__pdb_end_batch(s, false);
    if (ret != 0) {
        vg_errinfo e;
        vg_senv_fail(&e, ret, s->path, "DB_TXN->abort");
        vg_error("%s", e.text);
    }
}

bool vg_store_in_batch(const vg_store *s)
{
    return s && s->txn;
}

/* ---- maintenance --------------------------------------------------------------------- */

/* Close every database handle and drop the environment reference (errors ignored: the
 * environment may be panicked). */
static void store__drop_handles(vg_store *s)
{
    vg_store__pdb_close_all(s, DB_NOSYNC);
    if (s->shared)
        s->shared->close(s->shared, DB_NOSYNC);
    s->shared = NULL;
    for (int i = 0; i < VG_STORE_NDB; i++) {
        if (s->db[i])
            s->db[i]->close(s->db[i], DB_NOSYNC);
        s->db[i] = NULL;
    }
    vg_senv_release(s->senv, NULL);
    s->senv = NULL;
    s->env = NULL;
    vg_senv_clear_text();
}

/* Recover in place, as the daemon's start would: panic the environment (so that nothing
 * waits for a mutex a dead process holds; attached readers get "close and reopen the
 * store"), drop every handle (Berkeley DB cannot free all of a panicked environment: ~25
 * KB stay allocated), open the environment again as the writer (DB_RECOVER: committed
 * batches are kept) and the databases. */
static vg_err store__recover_in_place(vg_store *s, vg_errinfo *err)
{
    /* Panic first: the flusher thread may be inside a checkpoint that waits for a mutex
     * the dead process holds, with flush_mu held; the panic makes it return. */
    vg_senv_panic(s->senv);
    pthread_mutex_lock(&s->flush_mu); /* no log flush of another thread meanwhile */
    s->generation++;                   /* batches not flushed yet may be gone */
    store__drop_handles(s);
    vg_err rc = vg_senv_acquire(s->path, s->cache_mb, true, s->repl, &s->senv, err);
    if (rc == VG_OK) {
        s->env = vg_senv_dbenv(s->senv);
        rc = store__open_all(s, err);
    }
    if (rc != VG_OK)
        store__drop_handles(s);
    pthread_mutex_unlock(&s->flush_mu);
    if (rc != VG_OK)
        return rc;
    vg_notice("%s: store recovered in place; the daemon goes on", s->path);
    return VG_OK;
}

vg_err vg_store_maintain(vg_store *s, vg_errinfo *err)
{
    if (!s)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_maintain: no store");
    if (s->read_only)
        return vg_fail(err, VG_ERR_INVAL, "%s: vg_store_maintain is for the writer", s->path);
    vg_err rc = vg_store__usable(s, err);
    if (rc != VG_OK)
        return rc;
    bool needs_recovery;
    vg_errinfo why;
    if ((rc = vg_senv_failchk(s->senv, &needs_recovery, &why)) == VG_OK)
        return VG_OK;
    if (!needs_recovery || s->txn || vg_senv_shared(s->senv)) {
        if (err)
            *err = why;
        if (needs_recovery && err) {
            size_t n = strlen(err->text);
            snprintf(err->text + n, sizeof err->text - n, "; %s",
                     s->txn ? "it is recovered at the next call without a batch open"
                            : "close every store of this process and open it again");
        }
        return rc;
    }
    vg_warn("%s; recovering the store in place", why.text);
    return store__recover_in_place(s, err);
}

vg_err vg_store_log_retain(vg_store *s, int keep_mb, size_t *removed, vg_errinfo *err)
{
    if (removed)
        *removed = 0;
    if (!s)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_log_retain: no store");
    if (s->read_only)
        return vg_fail(err, VG_ERR_INVAL, "%s: vg_store_log_retain is for the writer", s->path);
    if (keep_mb < 0 || keep_mb > 1048576)
        return vg_fail(err, VG_ERR_INVAL, "%s: log_keep_mb %d outside 0..1048576", s->path,
                       keep_mb);
    vg_err rc = vg_store__usable(s, err);
    if (rc != VG_OK)
        return rc;
    return vg_senv_log_retain(s->env, s->path, (uint64_t)keep_mb * 1024u * 1024u, removed, err);
}

/* ---- puts ---------------------------------------------------------------------------- */

static vg_err store__need_batch(const vg_store *s, vg_errinfo *err)
{
    if (!s->txn)
        return vg_fail(err, VG_ERR_INVAL, "%s: put outside a batch (call vg_store_begin)",
                       s->path);
    return VG_OK;
}

vg_err vg_store_put_sample(vg_store *s, const vg_sample *smp, vg_errinfo *err)
{
    if (!s || !smp)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_put_sample: no store or sample");
    vg_err rc = store__need_batch(s, err);
    if (rc != VG_OK)
        return rc;
    if (!vg_store__platform_ok(smp->platform))
        return vg_fail(err, VG_ERR_INVAL, "%s: invalid platform id", s->path);
    if (smp->time == VG_TIME_NONE)
        return vg_fail(err, VG_ERR_INVAL, "%s: sample of %s has no time", s->path,
                       smp->platform);
    if (smp->raw_len > 0 && !smp->raw)
        return vg_fail(err, VG_ERR_INVAL, "%s: raw_len without raw", s->path);
    size_t bound = vg_srec_sample_bound(smp->raw_len);
    if (bound == 0 || !store__reserve(s, bound))
        return vg_fail(err, bound == 0 ? VG_ERR_RANGE : VG_ERR_NOMEM,
                       "%s: sample of %s with a %zu-byte frame: too large or out of memory",
                       s->where[VG_STORE_SAMPLES], smp->platform, smp->raw_len);
    size_t n = vg_srec_sample_encode(s->buf, smp);
    if (n == 0)
        return vg_fail(err, VG_ERR_INVAL, "%s: a parameter code is longer than %d bytes",
                       s->where[VG_STORE_SAMPLES], VG_SREC_CODE_LEN);
    vg_senv_clear_text();
    DB *db;
    size_t plen;
    int ret = vg_store__pdb(s, smp->platform, true, &db, &plen);
    if (ret != 0) {
        char op[VG_PLATFORM_MAX + 32];
        snprintf(op, sizeof op, "DB->open(platform %s)", smp->platform);
        return vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], op);
    }
    unsigned char key[VG_SKEY_MAX];
    memcpy(key, smp->platform, plen); /* with its NUL, in "#shared" */
    vg_skey_put_time(key + plen, smp->time);
    DBT k = {.data = key, .size = (u_int32_t)(plen + VG_SKEY_TIME_LEN)};
    DBT v = {.data = s->buf, .size = (u_int32_t)n};
    /* One put: a sample already stored at (platform, time) is replaced whole. */
    ret = db->put(db, s->txn, &k, &v, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "DB->put");
    return VG_OK;
}

vg_err vg_store_put_quarantine(vg_store *s, vg_time_us received, const char *source,
                               vg_err reason, const char *detail, const char *frame,
                               size_t len, vg_errinfo *err)
{
    if (!s)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_put_quarantine: no store");
    vg_err rc = store__need_batch(s, err);
    if (rc != VG_OK)
        return rc;
    if (len > 0 && !frame)
        return vg_fail(err, VG_ERR_INVAL, "%s: quarantine frame length without frame",
                       s->path);
    vg_srec_quarantine q = {
        .source = source ? source : "",
        .reason = vg_err_name(reason),
        .detail = detail ? detail : "",
        .frame = frame,
        .frame_len = len,
    };
    q.source_len = strlen(q.source);
    q.reason_len = strlen(q.reason);
    q.detail_len = strlen(q.detail);
    size_t n = vg_srec_quarantine_size(&q);
    if (n == 0 || n > UINT32_MAX || !store__reserve(s, n))
        return vg_fail(err, n == 0 || n > UINT32_MAX ? VG_ERR_RANGE : VG_ERR_NOMEM,
                       "%s: quarantine record of %zu-byte frame too large or out of memory",
                       s->where[VG_STORE_QUARANTINE], len);
    vg_srec_quarantine_encode(s->buf, &q);
    vg_senv_clear_text();

    unsigned char key[VG_SKEY_QUARANTINE_LEN];
    DBT k = {.data = key, .size = sizeof key};
    DBT v = {.data = s->buf, .size = (u_int32_t)n};
    DB *db = s->db[VG_STORE_QUARANTINE];
    int ret;
    /* The sequence is unique in practice; DB_NOOVERWRITE makes it certain (a clock that went
     * back could meet an old (time, sequence) pair). */
    for (int tries = 0;; tries++) {
        vg_skey_quarantine(key, received, s->qseq++);
        ret = db->put(db, s->txn, &k, &v, DB_NOOVERWRITE);
        if (ret != DB_KEYEXIST || tries > 1000)
            break;
    }
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_QUARANTINE], "DB->put");
    return VG_OK;
}
