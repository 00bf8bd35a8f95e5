/* query.c: the read side of the store (store.h): time-range queries of samples.db, the
 * quarantine walk, raw frames and record counts. Outside a batch every read is a short
 * snapshot transaction over a bounded chunk: it takes no read lock, and nothing (no
 * cursor, no transaction) stays open while a caller's callback runs, so a slow or killed
 * `vigie dump` never stalls the writer. Schema: docs/storage.md. */
#include "storage/store.h"

#include <db.h>
#include <stdlib.h>
#include <string.h>

#include "storage/env.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/store_int.h"

/* Reads are done in chunks: at most about this many rows are collected (or records
 * scanned) with a cursor open, then the cursor is closed before the caller's callback is
 * run. A sample is never split between chunks: a chunk holds up to VG_P__COUNT - 1 rows
 * more than STORE_CHUNK_RECORDS. */
#define STORE_CHUNK_RECORDS 512
#define STORE_CHUNK_SCAN 4096
#define STORE_CHUNK_BYTES (1024u * 1024u)
#define STORE_CHUNK_SLOTS (STORE_CHUNK_RECORDS + VG_P__COUNT)

/* One chunk of a sample walk: rows of the samples of one platform (its database of
 * samples.db) with from <= time <= to. */
typedef struct store_chunk {
    vg_obs *obs;          /* STORE_CHUNK_SLOTS slots */
    size_t n;             /* filled */
    bool done;            /* the walk is over */
    vg_time_us next_from; /* where the next chunk starts when !done */
} store_chunk;

/* Append to ch the rows of one decoded sample that q asks for, in vg_param order. */
static void store__rows(const vg_query *q, vg_time_us t, const vg_srec_sample *d,
                        store_chunk *ch)
{
    uint32_t want = d->present;
    if (q->param >= 0)
        want &= VG_PARAM_BIT(q->param);
    for (int p = 0; want && p < VG_P__COUNT; p++) {
        if (!(want & VG_PARAM_BIT(p)))
            continue;
        want &= ~VG_PARAM_BIT(p);
        if ((int)d->qc[p].agg < q->min_flag)
            continue;
        vg_obs *o = &ch->obs[ch->n++];
        memcpy(o->platform, q->platform, strlen(q->platform) + 1);
        o->param = (vg_param)p;
        o->time = t;
        o->value = d->value[p];
        o->qc = d->qc[p];
        o->lat_deg = d->lat;
        o->lon_deg = d->lon;
        o->pos_flag = d->pos.agg;
        o->time_flag = d->tim.agg;
    }
}

/* Begin a chunk of a walk over db (NULL: database `which`): a short read transaction and a
 * cursor. Returns 0, or a vg_err with err filled. */
static int store__chunk_begin(vg_store *s, int which, DB *db, DB_TXN **txn, DBC **c,
                              vg_errinfo *err)
{
    if (!db)
        db = s->db[which];
    int ret = vg_store__read_begin(s, txn);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
    if ((ret = db->cursor(db, *txn, c, 0)) != 0) {
        vg_store__read_end(s, *txn, false);
        return vg_senv_fail(err, ret, s->where[which], "DB->cursor");
    }
    return 0;
}

/* End a chunk: close the cursor and the transaction, and turn the walk's outcome into the
 * result. rc: a vg_err the walk set itself; ret: the last cursor result (DB_NOTFOUND already
 * folded into 0 by the caller). DB_LOCK_DEADLOCK outside a batch is returned as is: the rows
 * read so far stay, the walk goes on from where it stopped. */
static int store__chunk_end(vg_store *s, int which, DB_TXN *txn, DBC *c, int rc, int ret,
                            vg_errinfo *err)
{
    int cret = c->close(c);
    int tret = vg_store__read_end(s, txn, rc == VG_OK && ret == 0 && cret == 0);
    if (rc != VG_OK)
        return rc;
    if (ret == DB_LOCK_DEADLOCK && !s->txn)
        return ret;
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[which], "DBC->get");
    if (cret != 0)
        return vg_senv_fail(err, cret, s->where[which], "DBC->close");
    if (tret != 0)
        return vg_senv_fail(err, tret, s->path, "DB_TXN->commit");
    return VG_OK;
}

/* Returns VG_OK, a vg_err (err filled), or DB_LOCK_DEADLOCK when a reader outside a batch
 * lost a deadlock: the rows read so far are in ch, the walk goes on from next_from. */
static int store__sample_chunk(vg_store *s, const vg_query *q, vg_time_us from,
                               vg_time_us to, store_chunk *ch, vg_errinfo *err)
{
    ch->n = 0;
    ch->done = false;
    ch->next_from = from;
    DB *db;
    size_t plen;
    int ret = vg_store__pdb(s, q->platform, false, &db, &plen);
    if (ret == DB_LOCK_DEADLOCK && !s->txn)
        return ret;
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "DB->open");
    /* Keys: the time, after "platform '\0'" in "#shared" (plen > 0). */
    unsigned char kbuf[VG_SKEY_MAX];
    memcpy(kbuf, q->platform, plen);
    vg_skey_put_time(kbuf + plen, from);
    DBT k = {.data = kbuf, .size = (u_int32_t)(plen + VG_SKEY_TIME_LEN)};
    DBT v = {0};
    DB_TXN *txn;
    DBC *c;
    ret = store__chunk_begin(s, VG_STORE_SAMPLES, db, &txn, &c, err);
    if (ret != 0)
        return ret;
    int rc = VG_OK;
    size_t scanned = 0;
    vg_srec_sample d;
    for (ret = c->get(c, &k, &v, DB_SET_RANGE); ret == 0; ret = c->get(c, &k, &v, DB_NEXT)) {
        const unsigned char *kd = k.data;
        if (plen && (k.size < plen || memcmp(kd, q->platform, plen) != 0)) {
            ch->done = true; /* past the platform's samples in "#shared" */
            break;
        }
        if (k.size != plen + VG_SKEY_TIME_LEN) {
            rc = vg_store__corrupt(err, s, VG_STORE_SAMPLES, "key length");
            break;
        }
        vg_time_us t = vg_skey_get_time(kd + plen);
        if (t > to) {
            ch->done = true;
            break;
        }
        if (!vg_srec_sample_decode(v.data, v.size, &d)) {
            rc = vg_store__corrupt(err, s, VG_STORE_SAMPLES, "sample value");
            break;
        }
        store__rows(q, t, &d, ch);
        scanned++;
        if (t == INT64_MAX) {
            ch->done = true;
            break;
        }
        ch->next_from = t + 1;
        if (ch->n >= STORE_CHUNK_RECORDS || scanned == STORE_CHUNK_SCAN)
            break;
    }
    if (ret == DB_NOTFOUND) {
        ch->done = true;
        ret = 0;
    }
    return store__chunk_end(s, VG_STORE_SAMPLES, txn, c, rc, ret, err);
}

vg_err vg_store_query(vg_store *s, const vg_query *q, int (*fn)(void *ctx, const vg_obs *o),
                      void *ctx, vg_errinfo *err)
{
    if (!s || !q || !fn)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_query: store, query and callback required");
    if (!vg_store__platform_ok(q->platform))
        return vg_fail(err, VG_ERR_INVAL, "%s: query: invalid or missing platform id", s->path);
    if (q->param < -1 || q->param >= VG_P__COUNT)
        return vg_fail(err, VG_ERR_INVAL, "%s: query: parameter %d unknown", s->path, q->param);
    vg_time_us from = q->from == VG_TIME_NONE ? INT64_MIN : q->from;
    vg_time_us to = q->to == VG_TIME_NONE ? INT64_MAX : q->to;
    if (from > to)
        return VG_OK;
    if (vg_store__usable(s, err) != VG_OK)
        return VG_ERR_DB;
    store_chunk ch = {.obs = malloc(STORE_CHUNK_SLOTS * sizeof(vg_obs))};
    if (!ch.obs)
        return vg_fail(err, VG_ERR_NOMEM, "%s: query: out of memory", s->path);
    vg_senv_clear_text();
    vg_err rc = VG_OK;
    vg_time_us next = from;
    int tries = 0;
    for (;;) {
        int r = store__sample_chunk(s, q, next, to, &ch, err);
        if (r == DB_LOCK_DEADLOCK) {
            if (++tries >= VG_STORE_DEADLOCK_RETRIES) {
                rc = vg_senv_fail(err, r, s->where[VG_STORE_SAMPLES], "DBC->get");
                break;
            }
        } else if (r == VG_OK) {
            tries = 0;
        } else {
            rc = (vg_err)r;
            break;
        }
        for (size_t i = 0; i < ch.n; i++) {
            if (fn(ctx, &ch.obs[i]) != 0) {
                free(ch.obs);
                return VG_OK;
            }
        }
        if (ch.done && r == VG_OK)
            break;
        next = ch.next_from;
    }
    free(ch.obs);
    return rc;
}

/* A chunk of copied quarantine records: entries are (key 16 bytes, u32 length, value). */
typedef struct store_qchunk {
    unsigned char *b;
    size_t len, cap;
    size_t n;
    bool done;
} store_qchunk;

static bool store__qappend(store_qchunk *qc, const DBT *k, const DBT *v)
{
    size_t need = VG_SKEY_QUARANTINE_LEN + 4 + (size_t)v->size;
    if (qc->len + need > qc->cap) {
        size_t cap = qc->cap ? qc->cap : 64 * 1024;
        while (cap < qc->len + need)
            cap *= 2;
        unsigned char *b = realloc(qc->b, cap);
        if (!b)
            return false;
        qc->b = b;
        qc->cap = cap;
    }
    memcpy(qc->b + qc->len, k->data, VG_SKEY_QUARANTINE_LEN);
    vg_srec_put_u32(qc->b + qc->len + VG_SKEY_QUARANTINE_LEN, v->size);
    memcpy(qc->b + qc->len + VG_SKEY_QUARANTINE_LEN + 4, v->data, v->size);
    qc->len += need;
    qc->n++;
    return true;
}

/* Copy the quarantine records from key `start` on into qc (bounded), then close the
 * cursor; `start` becomes the successor of the last key copied. */
static int store__quarantine_chunk(vg_store *s, unsigned char *start, store_qchunk *qc,
                                   vg_errinfo *err)
{
    qc->len = qc->n = 0;
    qc->done = false;
    DB_TXN *txn;
    DBC *c;
    int ret = store__chunk_begin(s, VG_STORE_QUARANTINE, NULL, &txn, &c, err);
    if (ret != 0)
        return ret;
    unsigned char kbuf[VG_SKEY_QUARANTINE_LEN];
    memcpy(kbuf, start, sizeof kbuf);
    DBT k = {.data = kbuf, .size = sizeof kbuf}, v = {0};
    int rc = VG_OK;
    for (ret = c->get(c, &k, &v, DB_SET_RANGE); ret == 0; ret = c->get(c, &k, &v, DB_NEXT)) {
        if (k.size != VG_SKEY_QUARANTINE_LEN) {
            rc = vg_store__corrupt(err, s, VG_STORE_QUARANTINE, "key length");
            break;
        }
        if (!store__qappend(qc, &k, &v)) {
            rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", s->where[VG_STORE_QUARANTINE]);
            break;
        }
        memcpy(start, k.data, VG_SKEY_QUARANTINE_LEN);
        if (vg_skey_quarantine_next(start) != 0) {
            qc->done = true;
            break;
        }
        if (qc->n == STORE_CHUNK_RECORDS || qc->len >= STORE_CHUNK_BYTES)
            break;
    }
    if (ret == DB_NOTFOUND) {
        qc->done = true;
        ret = 0;
    }
    return store__chunk_end(s, VG_STORE_QUARANTINE, txn, c, rc, ret, err);
}

vg_err vg_store_quarantine_walk(vg_store *s, int (*fn)(void *ctx, const vg_quarantined *q),
                                void *ctx, vg_errinfo *err)
{
    if (!s || !fn)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_quarantine_walk: store and callback required");
    if (vg_store__usable(s, err) != VG_OK)
        return VG_ERR_DB;
    vg_senv_clear_text();
    store_qchunk qc = {0};
    char *text = NULL; /* NUL-terminated copies of source, reason, detail */
    size_t text_cap = 0;
    unsigned char start[VG_SKEY_QUARANTINE_LEN] = {0};
    vg_err rc = VG_OK;
    int tries = 0;
    bool stop = false;
    while (!stop && rc == VG_OK) {
        int r = store__quarantine_chunk(s, start, &qc, err);
        if (r == DB_LOCK_DEADLOCK) {
            if (++tries >= VG_STORE_DEADLOCK_RETRIES)
                rc = vg_senv_fail(err, r, s->where[VG_STORE_QUARANTINE], "DBC->get");
        } else if (r != VG_OK) {
            rc = (vg_err)r;
        }
        size_t off = 0;
        for (size_t i = 0; i < qc.n && rc == VG_OK && !stop; i++) {
            const unsigned char *e = qc.b + off;
            size_t vlen = vg_srec_get_u32(e + VG_SKEY_QUARANTINE_LEN);
            const unsigned char *val = e + VG_SKEY_QUARANTINE_LEN + 4;
            off += VG_SKEY_QUARANTINE_LEN + 4 + vlen;
            vg_srec_quarantine d;
            if (!vg_srec_quarantine_decode(val, vlen, &d)) {
                rc = vg_store__corrupt(err, s, VG_STORE_QUARANTINE, "quarantine value");
                break;
            }
            size_t need = d.source_len + d.reason_len + d.detail_len + 3;
            if (need > text_cap) {
                char *t = realloc(text, need);
                if (!t) {
                    rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory",
                                 s->where[VG_STORE_QUARANTINE]);
                    break;
                }
                text = t;
                text_cap = need;
            }
            char *src = text, *rsn = src + d.source_len + 1, *det = rsn + d.reason_len + 1;
            memcpy(src, d.source, d.source_len);
            src[d.source_len] = 0;
            memcpy(rsn, d.reason, d.reason_len);
            rsn[d.reason_len] = 0;
            memcpy(det, d.detail, d.detail_len);
            det[d.detail_len] = 0;
            vg_quarantined out = {
                .received = vg_skey_get_time(e),
                .seq = vg_skey_get_u64(e + VG_SKEY_TIME_LEN),
                .source = src,
                .reason = rsn,
                .detail = det,
                .frame = d.frame,
                .frame_len = d.frame_len,
            };
            if (fn(ctx, &out) != 0)
                stop = true;
        }
        if (r == VG_OK && qc.done)
            break;
    }
    free(qc.b);
    free(text);
    return rc;
}

vg_err vg_store_get_raw(vg_store *s, const char *platform, vg_time_us t, char **frame,
                        size_t *len, vg_errinfo *err)
{
    if (frame)
        *frame = NULL;
    if (len)
        *len = 0;
    if (!s || !frame || !len)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_get_raw: store, frame and len required");
    if (!vg_store__platform_ok(platform))
        return vg_fail(err, VG_ERR_INVAL, "%s: get_raw: invalid platform id", s->path);
    if (vg_store__usable(s, err) != VG_OK)
        return VG_ERR_DB;
    vg_senv_clear_text();
    DB *db;
    size_t plen;
    int ret = vg_store__pdb(s, platform, false, &db, &plen);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "DB->open");
    unsigned char kbuf[VG_SKEY_MAX];
    memcpy(kbuf, platform, plen);
    vg_skey_put_time(kbuf + plen, t);
    DBT k = {.data = kbuf, .size = (u_int32_t)(plen + VG_SKEY_TIME_LEN)};
    DBT v = {.flags = DB_DBT_MALLOC};
    DB_TXN *txn;
    if ((ret = vg_store__read_begin(s, &txn)) != 0)
        return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
    ret = db->get(db, txn, &k, &v, 0);
    int tret = vg_store__read_end(s, txn, ret == 0 || ret == DB_NOTFOUND);
    if (ret == 0 && tret != 0) {
        free(v.data);
        return vg_senv_fail(err, tret, s->path, "DB_TXN->commit");
    }
    char ts[VG_TIME_ISO_LEN];
    if (ret == DB_NOTFOUND)
        return vg_fail(err, VG_ERR_NOTFOUND, "%s: no sample of %s at %s",
                       s->where[VG_STORE_SAMPLES], platform, vg_time_format_iso8601(t, ts));
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "DB->get");
    vg_srec_sample d;
    if (!vg_srec_sample_decode(v.data, v.size, &d)) {
        free(v.data);
        return vg_store__corrupt(err, s, VG_STORE_SAMPLES, "sample value");
    }
    if (d.raw_len == 0) {
        free(v.data);
        return vg_fail(err, VG_ERR_NOTFOUND, "%s: the sample of %s at %s has no raw frame",
                       s->where[VG_STORE_SAMPLES], platform, vg_time_format_iso8601(t, ts));
    }
    size_t flen = d.raw_len;
    memmove(v.data, d.raw, flen); /* the malloc'd buffer becomes the caller's */
    *frame = v.data;
    *len = flen;
    return VG_OK;
}

/* The exact number of keys of db into *n (a full statistics walk, not DB_FAST_STAT:
 * exact, O(pages)). */
static vg_err store__nkeys(vg_store *s, DB *db, const char *where, uint64_t *n, vg_errinfo *err)
{
    DB_BTREE_STAT *st = NULL;
    DB_TXN *txn;
    int ret = vg_store__read_begin(s, &txn);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
    ret = db->stat(db, txn, &st, 0);
    int tret = vg_store__read_end(s, txn, ret == 0);
    if (ret == 0 && tret != 0) {
        free(st);
        ret = tret;
    }
    if (ret != 0)
        return vg_senv_fail(err, ret, where, "DB->stat");
    *n = st->bt_nkeys;
    free(st);
    return VG_OK;
}

vg_err vg_store_count(vg_store *s, vg_store_counts *out, vg_errinfo *err)
{
    if (!s || !out)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_count: store and out required");
    if (vg_store__usable(s, err) != VG_OK)
        return VG_ERR_DB;
    vg_senv_clear_text();
    vg_err rc = store__nkeys(s, s->db[VG_STORE_QUARANTINE], s->where[VG_STORE_QUARANTINE],
                             &out->quarantine, err);
    char id[VG_PLATFORM_MAX];
    int ret = 0;
    out->own = out->shared = 0;
    if (rc == VG_OK)
        rc = store__nkeys(s, s->shared, s->where[VG_STORE_SAMPLES], &out->shared, err);
    out->samples = rc == VG_OK ? out->shared : 0;
    for (const char *after = NULL; rc == VG_OK; after = id) {
        if ((ret = vg_store__next_platform(s, after, id)) != 0)
            break;
        DB *db;
        size_t plen;
        if ((ret = vg_store__pdb(s, id, false, &db, &plen)) != 0)
            break;
        uint64_t n = 0;
        if (plen == 0) { /* listed: its own database (counted above when in "#shared") */
            rc = store__nkeys(s, db, s->where[VG_STORE_SAMPLES], &n, err);
            out->own++;
        }
        out->samples += n;
    }
    if (rc == VG_OK && ret != 0 && ret != DB_NOTFOUND)
        rc = vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "platform databases");
    return rc;
}
