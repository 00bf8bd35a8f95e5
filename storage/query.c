/* query.c: the read side of the store (store.h): time-range queries of obs.db joined with
 * nav.db, the quarantine walk, raw frames and record counts. Readers walk in bounded chunks
 * and hold no lock (no open cursor) while a caller's callback runs, so a slow `vigie dump`
 * never stalls the writer for long; a reader outside a batch that loses a deadlock to the
 * writer retries where it stopped. Schema: docs/storage.md. */
#include "storage/store.h"

#include <db.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "storage/env.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/store_int.h"

/* Reads are done in chunks: at most this many records are collected (or scanned) with a
 * cursor open, then the cursor is closed before the caller's callback is run. */
#define STORE_CHUNK_RECORDS 512
#define STORE_CHUNK_SCAN 4096
#define STORE_CHUNK_BYTES (1024u * 1024u)

/* One chunk of an obs walk: records of prefix[0..plen) with from <= time <= to. */
typedef struct store_chunk {
    vg_obs *obs;          /* STORE_CHUNK_RECORDS slots */
    size_t n;             /* filled */
    bool done;            /* the walk of this prefix is over */
    vg_time_us next_from; /* where the next chunk starts when !done */
} store_chunk;

/* Returns VG_OK, a vg_err (err filled), or DB_LOCK_DEADLOCK when a reader outside a batch
 * lost a deadlock: the records read so far are in ch, the walk goes on from next_from. */
static int store__obs_chunk(vg_store *s, const vg_query *q, vg_param p,
                            const unsigned char *prefix, size_t plen, vg_time_us from,
                            vg_time_us to, store_chunk *ch, vg_errinfo *err)
{
    DB *db = s->db[VG_STORE_OBS];
    ch->n = 0;
    ch->done = false;
    ch->next_from = from;
    unsigned char kbuf[VG_SKEY_MAX];
    memcpy(kbuf, prefix, plen);
    vg_skey_put_time(kbuf + plen, from);
    DBT k = {.data = kbuf, .size = (u_int32_t)(plen + VG_SKEY_TIME_LEN)};
    DBT v = {0};
    DBC *c;
    int ret = db->cursor(db, s->txn, &c, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_OBS], "DB->cursor");
    int rc = VG_OK;
    size_t scanned = 0;
    for (ret = c->get(c, &k, &v, DB_SET_RANGE); ret == 0; ret = c->get(c, &k, &v, DB_NEXT)) {
        const unsigned char *kd = k.data;
        if (k.size < plen || memcmp(kd, prefix, plen) != 0) {
            ch->done = true;
            break;
        }
        if (k.size != plen + VG_SKEY_TIME_LEN) {
            rc = vg_store__corrupt(err, s, VG_STORE_OBS, "key length");
            break;
        }
        vg_time_us t = vg_skey_get_time(kd + plen);
        if (t > to) {
            ch->done = true;
            break;
        }
        vg_obs *o = &ch->obs[ch->n];
        if (!vg_srec_obs_decode(v.data, v.size, &o->value, &o->qc)) {
            rc = vg_store__corrupt(err, s, VG_STORE_OBS, "obs value");
            break;
        }
        if ((int)o->qc.agg >= q->min_flag) {
            memcpy(o->platform, q->platform, strlen(q->platform) + 1);
            o->param = p;
            o->time = t;
            ch->n++;
        }
        scanned++;
        if (t == INT64_MAX) {
            ch->done = true;
            break;
        }
        ch->next_from = t + 1;
        if (ch->n == STORE_CHUNK_RECORDS || scanned == STORE_CHUNK_SCAN)
            break;
    }
    if (ret == DB_NOTFOUND) {
        ch->done = true;
        ret = 0;
    }
    int cret = c->close(c);
    if (rc != VG_OK)
        return rc;
    if (ret == DB_LOCK_DEADLOCK && !s->txn) /* keep what was read, go on from next_from */
        return ret;
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_OBS], "DBC->get");
    if (cret != 0)
        return vg_senv_fail(err, cret, s->where[VG_STORE_OBS], "DBC->close");
    return VG_OK;
}

/* Fill the position and time/position flags of o from nav.db. */
static vg_err store__join_nav(vg_store *s, vg_obs *o, vg_errinfo *err)
{
    DB *db = s->db[VG_STORE_NAV];
    unsigned char kbuf[VG_SKEY_MAX];
    unsigned char vbuf[VG_SREC_NAV_MAX];
    DBT k = {.data = kbuf, .size = (u_int32_t)vg_skey_nav(kbuf, o->platform, o->time)};
    DBT v = {.data = vbuf, .ulen = sizeof vbuf, .flags = DB_DBT_USERMEM};
    int ret, tries = 0;
    do
        ret = db->get(db, s->txn, &k, &v, 0);
    while (vg_store__retry(s, ret, &tries));
    o->lat_deg = o->lon_deg = NAN;
    o->pos_flag = o->time_flag = 0;
    if (ret == DB_NOTFOUND)
        return VG_OK;
    if (ret == DB_BUFFER_SMALL)
        return vg_store__corrupt(err, s, VG_STORE_NAV, "nav value length");
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_NAV], "DB->get");
    vg_qc_flags pos, tim;
    if (!vg_srec_nav_decode(v.data, v.size, &o->lat_deg, &o->lon_deg, &pos, &tim))
        return vg_store__corrupt(err, s, VG_STORE_NAV, "nav value");
    o->pos_flag = pos.agg;
    o->time_flag = tim.agg;
    return VG_OK;
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
    store_chunk ch = {.obs = malloc(STORE_CHUNK_RECORDS * sizeof(vg_obs))};
    if (!ch.obs)
        return vg_fail(err, VG_ERR_NOMEM, "%s: query: out of memory", s->path);
    vg_senv_clear_text();
    vg_err rc = VG_OK;
    int p0 = q->param < 0 ? 0 : q->param, p1 = q->param < 0 ? VG_P__COUNT - 1 : q->param;
    for (int p = p0; p <= p1 && rc == VG_OK; p++) {
        unsigned char prefix[VG_SKEY_MAX];
        size_t plen = vg_skey_obs_prefix(prefix, q->platform, (vg_param)p);
        vg_time_us next = from;
        int tries = 0;
        for (;;) {
            int r = store__obs_chunk(s, q, (vg_param)p, prefix, plen, next, to, &ch, err);
            if (r == DB_LOCK_DEADLOCK) {
                if (++tries >= VG_STORE_DEADLOCK_RETRIES) {
                    rc = vg_senv_fail(err, r, s->where[VG_STORE_OBS], "DBC->get");
                    break;
                }
            } else if (r == VG_OK) {
                tries = 0;
            } else {
                rc = (vg_err)r;
                break;
            }
            for (size_t i = 0; i < ch.n && rc == VG_OK; i++)
                rc = store__join_nav(s, &ch.obs[i], err);
            for (size_t i = 0; i < ch.n && rc == VG_OK; i++) {
                if (fn(ctx, &ch.obs[i]) != 0) {
                    free(ch.obs);
                    return VG_OK;
                }
            }
            if (rc != VG_OK || (ch.done && r == VG_OK))
                break;
            next = ch.next_from;
        }
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
    DB *db = s->db[VG_STORE_QUARANTINE];
    qc->len = qc->n = 0;
    qc->done = false;
    DBC *c;
    int ret = db->cursor(db, s->txn, &c, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_QUARANTINE], "DB->cursor");
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
    int cret = c->close(c);
    if (rc != VG_OK)
        return rc;
    if (ret == DB_LOCK_DEADLOCK && !s->txn)
        return ret;
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_QUARANTINE], "DBC->get");
    if (cret != 0)
        return vg_senv_fail(err, cret, s->where[VG_STORE_QUARANTINE], "DBC->close");
    return VG_OK;
}

vg_err vg_store_quarantine_walk(vg_store *s, int (*fn)(void *ctx, const vg_quarantined *q),
                                void *ctx, vg_errinfo *err)
{
    if (!s || !fn)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_quarantine_walk: store and callback required");
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
    vg_senv_clear_text();
    DB *db = s->db[VG_STORE_RAW];
    unsigned char kbuf[VG_SKEY_MAX];
    DBT k = {.data = kbuf, .size = (u_int32_t)vg_skey_nav(kbuf, platform, t)};
    DBT v = {.flags = DB_DBT_MALLOC};
    int ret, tries = 0;
    do
        ret = db->get(db, s->txn, &k, &v, 0);
    while (vg_store__retry(s, ret, &tries));
    if (ret == DB_NOTFOUND) {
        char ts[VG_TIME_ISO_LEN];
        return vg_fail(err, VG_ERR_NOTFOUND, "%s: no raw frame of %s at %s", s->where[VG_STORE_RAW],
                       platform, vg_time_format_iso8601(t, ts));
    }
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_RAW], "DB->get");
    vg_time_us received;
    const unsigned char *f;
    size_t flen;
    if (!vg_srec_raw_decode(v.data, v.size, &received, &f, &flen)) {
        free(v.data);
        return vg_store__corrupt(err, s, VG_STORE_RAW, "raw value");
    }
    memmove(v.data, f, flen); /* the malloc'd buffer becomes the caller's */
    *frame = v.data;
    *len = flen;
    return VG_OK;
}

vg_err vg_store_count(vg_store *s, vg_store_counts *out, vg_errinfo *err)
{
    if (!s || !out)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_count: store and out required");
    vg_senv_clear_text();
    uint64_t *dst[] = {&out->obs, &out->nav, &out->raw, &out->quarantine};
    const int which[] = {VG_STORE_OBS, VG_STORE_NAV, VG_STORE_RAW, VG_STORE_QUARANTINE};
    for (int i = 0; i < 4; i++) {
        DB *db = s->db[which[i]];
        DB_BTREE_STAT *st = NULL;
        int ret, tries = 0;
        /* A full (not DB_FAST_STAT) statistics walk: exact, O(pages). */
        do
            ret = db->stat(db, s->txn, &st, 0);
        while (vg_store__retry(s, ret, &tries));
        if (ret != 0)
            return vg_senv_fail(err, ret, s->where[which[i]], "DB->stat");
        *dst[i] = st->bt_nkeys;
        free(st);
    }
    return VG_OK;
}
