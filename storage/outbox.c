/* outbox.c: the durable outbox (outbox.h) in outbox.db, a btree of the store's shared
 * environment (env.h). Keys are "queue '\0' id(8 bytes big-endian)", so that one queue is
 * one key range in id order; the key "'\0' next_id" (sorting before every queue) keeps the
 * next id. Reads are chunked snapshot transactions (no lock); updates outside the store's
 * batch are short DB_TXN_NOWAIT transactions retried while the batch holds the page, so
 * that the sender never makes the engine wait and never takes part in a deadlock.
 * Layout and guarantees: docs/storage.md, "Outbox". */
#include "storage/outbox.h"

#include <db.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/env.h"
#include "storage/keys.h"
#include "storage/store_int.h"

#define OUTBOX_FILE "outbox.db"
#define OUTBOX_VERSION 1
/* version(1) created(8) next_attempt(8) attempts(4) error_len(4) */
#define OUTBOX_HEAD 25
#define OUTBOX_KEY_MAX (VG_OUTBOX_QUEUE_MAX + 8)
#define OUTBOX_CHUNK 32            /* items read per snapshot transaction */
/* Bytes of a record read when only its head matters (its times and error, not the payload):
 * vg_outbox_take_due and vg_outbox_count read no payload they do not return. */
#define OUTBOX_PARTIAL (OUTBOX_HEAD + VG_OUTBOX_ERROR_MAX)
#define OUTBOX_BUSY_US 5000000     /* longest wait for the writer's batch, microseconds */
#define OUTBOX_BUSY_SLEEP_US 2000  /* pause between two tries */

static const char outbox_next_key[] = "\0next_id"; /* 8 bytes, without the final NUL */
#define OUTBOX_NEXT_KEY_LEN 8

struct vg_outbox {
    vg_senv *senv;
    DB_ENV *env; /* owned by senv */
    DB *db;
    vg_outbox_mode mode;
    char *where; /* "path/outbox.db", for error texts, owned */
};

/* ---- encodings ------------------------------------------------------------------------ */

bool vg_outbox_queue_ok(const char *name)
{
    if (!name)
        return false;
    size_t n = strnlen(name, VG_OUTBOX_QUEUE_MAX);
    if (n == 0 || n >= VG_OUTBOX_QUEUE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static size_t outbox__key(unsigned char *buf, const char *queue, uint64_t id)
{
    size_t n = strlen(queue);
    memcpy(buf, queue, n);
    buf[n] = 0;
    vg_skey_put_u64(buf + n + 1, id);
    return n + 9;
}

static void outbox__put_u32(unsigned char *p, uint32_t u)
{
    p[0] = (unsigned char)(u >> 24);
    p[1] = (unsigned char)(u >> 16);
    p[2] = (unsigned char)(u >> 8);
    p[3] = (unsigned char)u;
}

static uint32_t outbox__get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Encode the value of an item; *out is malloc'd. */
static bool outbox__encode(const vg_outbox_item *it, unsigned char **out, size_t *len)
{
    size_t elen = strnlen(it->last_error, VG_OUTBOX_ERROR_MAX - 1);
    size_t n = OUTBOX_HEAD + elen + it->len;
    unsigned char *b = malloc(n ? n : 1);
    if (!b)
        return false;
    b[0] = OUTBOX_VERSION;
    vg_skey_put_time(b + 1, it->created);
    vg_skey_put_time(b + 9, it->next_attempt);
    outbox__put_u32(b + 17, it->attempts);
    outbox__put_u32(b + 21, (uint32_t)elen);
    memcpy(b + OUTBOX_HEAD, it->last_error, elen);
    if (it->len)
        memcpy(b + OUTBOX_HEAD + elen, it->payload, it->len);
    *out = b;
    *len = n;
    return true;
}

/* Decode key and value into *it (payload copied, owned by it). With head_only, v holds the
 * head of the record only (a DB_DBT_PARTIAL read of OUTBOX_PARTIAL bytes): no payload.
 * VG_ERR_DB if malformed. */
static vg_err outbox__decode(const vg_outbox *o, const DBT *k, const DBT *v, bool head_only,
                             vg_outbox_item *it, vg_errinfo *err)
{
    memset(it, 0, sizeof *it);
    const unsigned char *kp = k->data, *vp = v->data;
    if (k->size < 10 || k->size > OUTBOX_KEY_MAX || kp[k->size - 9] != 0 ||
        v->size < OUTBOX_HEAD || vp[0] != OUTBOX_VERSION)
        return vg_fail(err, VG_ERR_DB, "%s: malformed record: record version or length not "
                       "understood by this vigie", o->where);
    uint32_t elen = outbox__get_u32(vp + 21);
    if (elen >= VG_OUTBOX_ERROR_MAX || elen > v->size - OUTBOX_HEAD)
        return vg_fail(err, VG_ERR_DB, "%s: malformed record (error text length)", o->where);
    memcpy(it->queue, kp, k->size - 9);
    it->id = vg_skey_get_u64(kp + k->size - 8);
    it->created = vg_skey_get_time(vp + 1);
    it->next_attempt = vg_skey_get_time(vp + 9);
    it->attempts = outbox__get_u32(vp + 17);
    memcpy(it->last_error, vp + OUTBOX_HEAD, elen);
    if (head_only)
        return VG_OK;
    it->len = v->size - OUTBOX_HEAD - elen;
    if (!(it->payload = malloc(it->len + 1)))
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", o->where);
    memcpy(it->payload, vp + OUTBOX_HEAD + elen, it->len);
    it->payload[it->len] = 0;
    return VG_OK;
}

void vg_outbox_item_clear(vg_outbox_item *it)
{
    if (!it)
        return;
    free(it->payload);
    it->payload = NULL;
    it->len = 0;
}

void vg_outbox_items_free(vg_outbox_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++)
        vg_outbox_item_clear(&items[i]);
    free(items);
}

double vg_outbox_backoff_s(const vg_outbox_backoff *b, uint32_t attempts)
{
    if (!b || attempts == 0)
        return 0;
    double d = b->base_s;
    for (uint32_t k = 1; k < attempts && d < b->cap_s; k++)
        d *= 2;
    return d < b->cap_s ? d : b->cap_s;
}

/* ---- open and close -------------------------------------------------------------------- */

vg_err vg_outbox_open(const char *path, int cache_mb, vg_outbox_mode mode, vg_outbox **out,
                      vg_errinfo *err)
{
    if (out)
        *out = NULL;
    if (!path || !*path || !out)
        return vg_fail(err, VG_ERR_INVAL, "vg_outbox_open: path and out are required");
    if (cache_mb < 1 || cache_mb > 4096)
        return vg_fail(err, VG_ERR_INVAL, "%s: cache_mb %d outside 1..4096", path, cache_mb);
    vg_outbox *o = calloc(1, sizeof *o);
    size_t n = strlen(path) + sizeof "/" OUTBOX_FILE;
    if (!o || !(o->where = malloc(n))) {
        free(o);
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
    }
    snprintf(o->where, n, "%s/%s", path, OUTBOX_FILE);
    o->mode = mode;
    bool writer = mode == VG_OUTBOX_DAEMON;
    vg_senv_clear_text();
    vg_err rc = vg_senv_acquire(path, cache_mb, writer, NULL, &o->senv, err);
    if (rc != VG_OK) {
        vg_outbox_close(o, NULL);
        return rc;
    }
    o->env = vg_senv_dbenv(o->senv);
    int ret = db_create(&o->db, o->env, 0);
    if (ret != 0) {
        o->db = NULL;
        vg_senv_fail(err, ret, o->where, "db_create");
        vg_outbox_close(o, NULL);
        return VG_ERR_DB;
    }
    /* DB_MULTIVERSION: reads are snapshot transactions without locks (as the store's). */
    u_int32_t flags = DB_AUTO_COMMIT | DB_MULTIVERSION | DB_THREAD;
    if (mode == VG_OUTBOX_DAEMON)
        flags |= DB_CREATE;
    else if (mode == VG_OUTBOX_READER)
        flags |= DB_RDONLY;
    ret = o->db->open(o->db, NULL, OUTBOX_FILE, NULL, DB_BTREE, flags, 0);
    if (ret != 0) {
        if (ret == ENOENT && mode != VG_OUTBOX_DAEMON)
            rc = vg_fail(err, VG_ERR_NOTFOUND, "%s: no outbox yet (the daemon creates it)",
                         o->where);
        else
            rc = vg_senv_fail(err, ret, o->where, "DB->open");
        vg_outbox_close(o, NULL);
        return rc;
    }
    *out = o;
    return VG_OK;
}

vg_err vg_outbox_close(vg_outbox *o, vg_errinfo *err)
{
    if (!o)
        return VG_OK;
    vg_err rc = VG_OK;
    vg_senv_clear_text();
    if (o->db) {
        int ret = o->db->close(o->db, o->mode == VG_OUTBOX_READER ? DB_NOSYNC : 0);
        if (ret != 0)
            rc = vg_senv_fail(err, ret, o->where, "DB->close");
    }
    vg_err erc = vg_senv_release(o->senv, rc == VG_OK ? err : NULL);
    if (rc == VG_OK)
        rc = erc;
    free(o->where);
    free(o);
    return rc;
}

/* ---- writes ---------------------------------------------------------------------------- */

static void outbox__pause(void)
{
    struct timespec ts = {0, OUTBOX_BUSY_SLEEP_US * 1000L};
    nanosleep(&ts, NULL);
}

/* One change of the outbox inside txn; returns a Berkeley DB error number, or -1 with err
 * filled for an error of ours. */
typedef int (*outbox_op)(vg_outbox *o, DB_TXN *txn, void *arg, vg_errinfo *err);

/* Run op in a transaction of its own that never waits for a lock (DB_TXN_NOWAIT): while
 * another transaction (the writer's batch) holds the page, abort and try again, for about
 * OUTBOX_BUSY_US. So this thread never blocks the batch for longer than one short
 * transaction and is never part of a deadlock. Commits durably. */
static vg_err outbox__run(vg_outbox *o, outbox_op op, void *arg, const char *what,
                          bool durable, vg_errinfo *err)
{
    if (o->mode == VG_OUTBOX_READER)
        return vg_fail(err, VG_ERR_DB, "%s: outbox opened read-only", o->where);
    for (long waited = 0;; waited += OUTBOX_BUSY_SLEEP_US) {
        vg_senv_clear_text();
        DB_TXN *txn = NULL;
        int ret = o->env->txn_begin(o->env, NULL, &txn, DB_TXN_NOWAIT);
        if (ret != 0)
            return vg_senv_fail(err, ret, o->where, "DB_ENV->txn_begin");
        ret = op(o, txn, arg, err);
        if (ret == 0) {
            /* Not durable: written to the log file at once (so the locks go at once), flushed
             * to the disk with the next durable commit; only a crash of the machine in
             * between forgets it (outbox.h says which calls). */
            ret = txn->commit(txn, durable ? 0 : DB_TXN_WRITE_NOSYNC);
            if (ret != 0)
                return vg_senv_fail(err, ret, o->where, "DB_TXN->commit");
            return VG_OK;
        }
        txn->abort(txn);
        if (ret == -1)
            return err ? err->code : VG_ERR_DB;
        bool busy = ret == DB_LOCK_NOTGRANTED || ret == DB_LOCK_DEADLOCK;
        if (busy && waited >= OUTBOX_BUSY_US) {
            vg_senv_clear_text();
            return vg_fail(err, VG_ERR_DB, "%s: %s: busy: another transaction (the daemon's "
                           "write batch) held the outbox for %.0f s; try again", o->where,
                           what, OUTBOX_BUSY_US / 1e6);
        }
        if (!busy)
            return vg_senv_fail(err, ret, o->where, what);
        outbox__pause();
    }
}

struct outbox_put_arg {
    const char *queue;
    const void *payload;
    size_t len;
    vg_time_us now;
    uint64_t id; /* out */
};

static int outbox__op_put(vg_outbox *o, DB_TXN *txn, void *arg, vg_errinfo *err)
{
    struct outbox_put_arg *a = arg;
    unsigned char nbuf[8];
    DBT nk = {.data = (void *)outbox_next_key, .size = OUTBOX_NEXT_KEY_LEN};
    DBT nv = {.data = nbuf, .ulen = sizeof nbuf, .flags = DB_DBT_USERMEM};
    int ret = o->db->get(o->db, txn, &nk, &nv, DB_RMW);
    uint64_t id = 1;
    if (ret == 0 && nv.size == 8)
        id = vg_skey_get_u64(nbuf);
    else if (ret == 0 || ret == DB_BUFFER_SMALL) {
        vg_fail(err, VG_ERR_DB, "%s: malformed next_id record", o->where);
        return -1;
    } else if (ret != DB_NOTFOUND)
        return ret;
    vg_skey_put_u64(nbuf, id + 1);
    nv.size = 8;
    if ((ret = o->db->put(o->db, txn, &nk, &nv, 0)) != 0)
        return ret;
    vg_outbox_item it = {.id = id, .payload = (unsigned char *)a->payload, .len = a->len,
                         .created = a->now, .next_attempt = a->now};
    unsigned char *val;
    size_t vlen;
    if (!outbox__encode(&it, &val, &vlen)) {
        vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", o->where);
        return -1;
    }
    unsigned char key[OUTBOX_KEY_MAX];
    DBT k = {.data = key, .size = (u_int32_t)outbox__key(key, a->queue, id)};
    DBT v = {.data = val, .size = (u_int32_t)vlen};
    ret = o->db->put(o->db, txn, &k, &v, DB_NOOVERWRITE);
    free(val);
    a->id = id;
    return ret;
}

vg_err vg_outbox_put(vg_outbox *o, vg_store *batch, const char *queue, const void *payload,
                     size_t len, vg_time_us now, uint64_t *id, vg_errinfo *err)
{
    if (!o)
        return vg_fail(err, VG_ERR_INVAL, "vg_outbox_put: no outbox");
    if (!vg_outbox_queue_ok(queue))
        return vg_fail(err, VG_ERR_INVAL, "%s: invalid queue name (1..%d of a-z 0-9 _ -)",
                       o->where, VG_OUTBOX_QUEUE_MAX - 1);
    if ((len > 0 && !payload) || len > VG_OUTBOX_PAYLOAD_MAX)
        return vg_fail(err, VG_ERR_INVAL, "%s: payload of %zu bytes missing or larger than "
                       "%u", o->where, len, VG_OUTBOX_PAYLOAD_MAX);
    struct outbox_put_arg a = {.queue = queue, .payload = payload, .len = len, .now = now};
    if (batch && vg_store_in_batch(batch)) {
        if (batch->env != o->env)
            return vg_fail(err, VG_ERR_INVAL, "%s: the batch belongs to the store at %s, "
                           "another environment", o->where, batch->path);
        if (o->mode == VG_OUTBOX_READER)
            return vg_fail(err, VG_ERR_DB, "%s: outbox opened read-only", o->where);
        vg_senv_clear_text();
        int ret = outbox__op_put(o, batch->txn, &a, err);
        if (ret == -1)
            return err ? err->code : VG_ERR_DB;
        if (ret != 0)
            return vg_senv_fail(err, ret, o->where, "DB->put");
    } else {
        vg_err rc = outbox__run(o, outbox__op_put, &a, "DB->put", true, err);
        if (rc != VG_OK)
            return rc;
    }
    if (id)
        *id = a.id;
    return VG_OK;
}

enum outbox_change { OUTBOX_SENT, OUTBOX_FAILED, OUTBOX_RETRY };

struct outbox_update_arg {
    enum outbox_change change;
    const char *queue;
    uint64_t id;
    vg_time_us now;
    const vg_outbox_backoff *backoff;
    const char *error;
    vg_time_us next; /* out */
};

static int outbox__op_update(vg_outbox *o, DB_TXN *txn, void *arg, vg_errinfo *err)
{
    struct outbox_update_arg *a = arg;
    unsigned char key[OUTBOX_KEY_MAX];
    DBT k = {.data = key, .size = (u_int32_t)outbox__key(key, a->queue, a->id)};
    DBT v = {.flags = DB_DBT_MALLOC};
    int ret = o->db->get(o->db, txn, &k, &v, DB_RMW);
    if (ret == DB_NOTFOUND) {
        vg_fail(err, VG_ERR_NOTFOUND, "%s: no item %llu in queue %s (sent already, or never "
                "queued)", o->where, (unsigned long long)a->id, a->queue);
        return -1;
    }
    if (ret != 0)
        return ret;
    if (a->change == OUTBOX_SENT) {
        free(v.data);
        return o->db->del(o->db, txn, &k, 0);
    }
    vg_outbox_item it;
    vg_err rc = outbox__decode(o, &k, &v, false, &it, err);
    free(v.data);
    if (rc != VG_OK)
        return -1;
    if (a->change == OUTBOX_FAILED) {
        it.attempts++;
        double d_s = vg_outbox_backoff_s(a->backoff, it.attempts);
        it.next_attempt = a->now + (vg_time_us)llround(d_s * 1e6);
        snprintf(it.last_error, sizeof it.last_error, "%s", a->error ? a->error : "");
    } else {
        it.next_attempt = a->now;
    }
    a->next = it.next_attempt;
    unsigned char *val;
    size_t vlen;
    bool ok = outbox__encode(&it, &val, &vlen);
    vg_outbox_item_clear(&it);
    if (!ok) {
        vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", o->where);
        return -1;
    }
    DBT nv = {.data = val, .size = (u_int32_t)vlen};
    ret = o->db->put(o->db, txn, &k, &nv, 0);
    free(val);
    return ret;
}

static vg_err outbox__update(vg_outbox *o, struct outbox_update_arg *a, vg_errinfo *err)
{
    if (!o || !vg_outbox_queue_ok(a->queue))
        return vg_fail(err, VG_ERR_INVAL, "%s: no outbox or invalid queue name",
                       o ? o->where : "outbox");
    static const char *const what[] = {"DB->del", "DB->put", "DB->put"};
    /* A forgotten failure only makes the next attempt come sooner: not worth a disk flush
     * that the writer's batch would wait for (it holds the page lock). */
    return outbox__run(o, outbox__op_update, a, what[a->change], a->change == OUTBOX_SENT,
                       err);
}

vg_err vg_outbox_mark_sent(vg_outbox *o, const char *queue, uint64_t id, vg_errinfo *err)
{
    struct outbox_update_arg a = {.change = OUTBOX_SENT, .queue = queue, .id = id};
    return outbox__update(o, &a, err);
}

vg_err vg_outbox_remove(vg_outbox *o, vg_store *batch, const char *queue, uint64_t id,
                        vg_errinfo *err)
{
    struct outbox_update_arg a = {.change = OUTBOX_SENT, .queue = queue, .id = id};
    if (!batch || !vg_store_in_batch(batch))
        return outbox__update(o, &a, err);
    if (!o || !vg_outbox_queue_ok(queue))
        return vg_fail(err, VG_ERR_INVAL, "%s: no outbox or invalid queue name",
                       o ? o->where : "outbox");
    if (batch->env != o->env)
        return vg_fail(err, VG_ERR_INVAL, "%s: the batch belongs to the store at %s, another "
                       "environment", o->where, batch->path);
    if (o->mode == VG_OUTBOX_READER)
        return vg_fail(err, VG_ERR_DB, "%s: outbox opened read-only", o->where);
    vg_senv_clear_text();
    int ret = outbox__op_update(o, batch->txn, &a, err);
    if (ret == -1)
        return err ? err->code : VG_ERR_DB;
    if (ret != 0)
        return vg_senv_fail(err, ret, o->where, "DB->del");
    return VG_OK;
}

vg_err vg_outbox_mark_failed(vg_outbox *o, const char *queue, uint64_t id, vg_time_us now,
                             const vg_outbox_backoff *b, const char *error, vg_time_us *next,
                             vg_errinfo *err)
{
    if (!b || !(b->base_s > 0) || !(b->cap_s >= b->base_s))
        return vg_fail(err, VG_ERR_INVAL, "vg_outbox_mark_failed: back-off needs 0 < base_s "
                       "<= cap_s");
    struct outbox_update_arg a = {.change = OUTBOX_FAILED, .queue = queue, .id = id,
                                  .now = now, .backoff = b, .error = error};
    vg_err rc = outbox__update(o, &a, err);
    if (rc == VG_OK && next)
        *next = a.next;
    return rc;
}

vg_err vg_outbox_retry_now(vg_outbox *o, const char *queue, uint64_t id, vg_time_us now,
                           vg_errinfo *err)
{
    struct outbox_update_arg a = {.change = OUTBOX_RETRY, .queue = queue, .id = id,
                                  .now = now};
    return outbox__update(o, &a, err);
}

/* ---- reads ----------------------------------------------------------------------------- */

/* Walk the items of queue (every queue if NULL) in key order, in chunks of OUTBOX_CHUNK
 * items read in one snapshot transaction each; fn runs with no transaction open. With
 * head_only the items have no payload (NULL, len 0). */
static vg_err outbox__scan(vg_outbox *o, const char *queue, bool head_only,
                           int (*fn)(void *ctx, const vg_outbox_item *it), void *ctx,
                           vg_errinfo *err)
{
    if (!o)
        return vg_fail(err, VG_ERR_INVAL, "outbox walk: no outbox");
    if (queue && !vg_outbox_queue_ok(queue))
        return vg_fail(err, VG_ERR_INVAL, "%s: invalid queue name", o->where);
    unsigned char start[OUTBOX_KEY_MAX];
    size_t start_len;
    size_t qlen = queue ? strlen(queue) : 0;
    if (queue) {
        start_len = outbox__key(start, queue, 0);
    } else {
        start[0] = 1; /* after the '\0' next_id key, before every queue name */
        start_len = 1;
    }
    vg_outbox_item chunk[OUTBOX_CHUNK];
    for (bool done = false; !done;) {
        size_t n = 0;
        vg_senv_clear_text();
        DB_TXN *txn = NULL;
        DBC *c = NULL;
        const char *op = "DB_ENV->txn_begin";
        int ret = o->env->txn_begin(o->env, NULL, &txn, DB_TXN_SNAPSHOT);
        if (ret == 0) {
            op = "DB->cursor";
            ret = o->db->cursor(o->db, txn, &c, 0);
        }
        vg_err rc = VG_OK;
        if (ret == 0) {
            op = "DBC->get";
            DBT k = {.flags = DB_DBT_REALLOC}, v = {.flags = DB_DBT_REALLOC};
            if (head_only) {
                v.flags |= DB_DBT_PARTIAL;
                v.dlen = OUTBOX_PARTIAL;
            }
            unsigned char *kb = malloc(sizeof start);
            if (!kb) {
                rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", o->where);
            } else {
                memcpy(kb, start, start_len);
                k.data = kb;
                k.size = (u_int32_t)start_len;
                ret = c->get(c, &k, &v, DB_SET_RANGE);
            }
            while (rc == VG_OK && ret == 0 && n < OUTBOX_CHUNK) {
                const unsigned char *kp = k.data;
                if (queue && (k.size != qlen + 9 || memcmp(kp, queue, qlen) != 0 ||
                              kp[qlen] != 0)) {
                    done = true;
                    break;
                }
                if ((rc = outbox__decode(o, &k, &v, head_only, &chunk[n], err)) != VG_OK)
                    break;
                n++;
                ret = c->get(c, &k, &v, DB_NEXT);
            }
            if (ret == DB_NOTFOUND) {
                done = true;
                ret = 0;
            }
            /* resume strictly after the last key read */
            if (n > 0 && k.size <= OUTBOX_KEY_MAX && ret == 0 && !done) {
                memcpy(start, k.data, k.size);
                start_len = k.size;
            }
            free(k.data);
            free(v.data);
        }
        if (c)
            c->close(c);
        if (txn)
            txn->commit(txn, 0);
        if (rc == VG_OK && ret != 0)
            rc = vg_senv_fail(err, ret, o->where, op);
        if (rc != VG_OK) {
            for (size_t i = 0; i < n; i++)
                vg_outbox_item_clear(&chunk[i]);
            return rc;
        }
        int stop = 0;
        for (size_t i = 0; i < n; i++) {
            if (!stop)
                stop = fn(ctx, &chunk[i]);
            vg_outbox_item_clear(&chunk[i]);
        }
        if (stop || n == 0)
            break;
    }
    return VG_OK;
}

vg_err vg_outbox_walk(vg_outbox *o, const char *queue,
                      int (*fn)(void *ctx, const vg_outbox_item *it), void *ctx,
                      vg_errinfo *err)
{
    if (!fn)
        return vg_fail(err, VG_ERR_INVAL, "vg_outbox_walk: no callback");
    return outbox__scan(o, queue, false, fn, ctx, err);
}

struct outbox_due {
    vg_time_us now, next_due;
    size_t max, n, cap;
    vg_outbox_item *items;
    bool nomem;
};

static int outbox__collect_due(void *ctx, const vg_outbox_item *it)
{
    struct outbox_due *d = ctx;
    if (it->next_attempt > d->now || d->n >= d->max) {
        if (d->next_due == VG_TIME_NONE || it->next_attempt < d->next_due)
            d->next_due = it->next_attempt;
        return 0;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        vg_outbox_item *p = realloc(d->items, cap * sizeof *p);
        if (!p) {
            d->nomem = true;
            return 1;
        }
        d->items = p;
        d->cap = cap;
    }
    d->items[d->n++] = *it; /* head only: the payload is read afterwards */
    return 0;
}

/* Read the payloads of items[0..*n) (heads from a scan) in one snapshot transaction; an item
 * removed in between (sent by another thread) is dropped from the array. */
static vg_err outbox__load(vg_outbox *o, vg_outbox_item *items, size_t *n, vg_errinfo *err)
{
    vg_senv_clear_text();
    DB_TXN *txn = NULL;
    int ret = o->env->txn_begin(o->env, NULL, &txn, DB_TXN_SNAPSHOT);
    if (ret != 0)
        return vg_senv_fail(err, ret, o->where, "DB_ENV->txn_begin");
    size_t kept = 0;
    vg_err rc = VG_OK;
    for (size_t i = 0; i < *n && rc == VG_OK; i++) {
        unsigned char key[OUTBOX_KEY_MAX];
        DBT k = {.data = key, .size = (u_int32_t)outbox__key(key, items[i].queue, items[i].id)};
        DBT v = {.flags = DB_DBT_MALLOC};
        ret = o->db->get(o->db, txn, &k, &v, 0);
        if (ret == DB_NOTFOUND)
            continue;
        if (ret != 0) {
            rc = vg_senv_fail(err, ret, o->where, "DB->get");
            break;
        }
        rc = outbox__decode(o, &k, &v, false, &items[kept], err);
        free(v.data);
        if (rc == VG_OK)
            kept++;
    }
    txn->commit(txn, 0);
    if (rc != VG_OK) {
        for (size_t i = 0; i < kept; i++)
            vg_outbox_item_clear(&items[i]);
        kept = 0;
    }
    *n = kept;
    return rc;
}

vg_err vg_outbox_take_due(vg_outbox *o, const char *queue, vg_time_us now, size_t max,
                          vg_outbox_item **items, size_t *n, vg_time_us *next_due,
                          vg_errinfo *err)
{
    if (!items || !n || !queue)
        return vg_fail(err, VG_ERR_INVAL, "vg_outbox_take_due: queue, items and n required");
    *items = NULL;
    *n = 0;
    struct outbox_due d = {.now = now, .next_due = VG_TIME_NONE, .max = max};
    vg_err rc = outbox__scan(o, queue, true, outbox__collect_due, &d, err);
    if (rc == VG_OK && d.nomem)
        rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", o->where);
    if (rc == VG_OK && d.n)
        rc = outbox__load(o, d.items, &d.n, err);
    if (rc != VG_OK) {
        vg_outbox_items_free(d.items, d.n);
        return rc;
    }
    if (d.n == 0) {
        free(d.items);
        d.items = NULL;
    }
    *items = d.items;
    *n = d.n;
    if (next_due)
        *next_due = d.next_due;
    return VG_OK;
}

static int outbox__count_one(void *ctx, const vg_outbox_item *it)
{
    (void)it;
    (*(size_t *)ctx)++;
    return 0;
}

vg_err vg_outbox_count(vg_outbox *o, const char *queue, size_t *n, vg_errinfo *err)
{
    if (!n)
        return vg_fail(err, VG_ERR_INVAL, "vg_outbox_count: n required");
    *n = 0;
    return outbox__scan(o, queue, true, outbox__count_one, n, err);
}
