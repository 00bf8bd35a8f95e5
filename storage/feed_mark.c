/* feed_mark.c: the per-feed marks of acknowledged ingest (feed_mark.h), stored in meta.db
 * under the key "feed:" + source id. Value: version 01, epoch u64 LE, high u64 LE, count
 * u32 LE, count x u64 LE pending sequences (docs/storage.md). */
#include "storage/feed_mark.h"

#include <db.h>
#include <stdlib.h>
#include <string.h>

#include "storage/env.h"
#include "storage/records.h"
#include "storage/store_int.h"

#define MARK_PREFIX "feed:"
#define MARK_PREFIX_LEN 5
#define MARK_FIXED (1 + 8 + 8 + 4)
/* More pending frames than this means a broken record (one per platform at most). */
#define MARK_PENDING_MAX (1u << 20)

static void mark__put_u64(unsigned char *p, uint64_t u)
{
    vg_srec_put_u32(p, (uint32_t)u);
    vg_srec_put_u32(p + 4, (uint32_t)(u >> 32));
}

static uint64_t mark__get_u64(const unsigned char *p)
{
    return (uint64_t)vg_srec_get_u32(p) | (uint64_t)vg_srec_get_u32(p + 4) << 32;
}

uint64_t vg_feed_mark_safe(const vg_feed_mark *m)
{
    return m->n_pending ? m->pending[0] - 1 : m->high;
}

void vg_feed_mark_clear(vg_feed_mark *m)
{
    free(m->pending);
    memset(m, 0, sizeof *m);
}

static vg_err mark__key(const char *source, char *key, size_t *klen, vg_errinfo *err)
{
    if (!vg_store__platform_ok(source))
        return vg_fail(err, VG_ERR_INVAL, "feed id '%s' is not 1-31 characters of "
                       "[A-Za-z0-9_.-]", source ? source : "(null)");
    size_t n = strlen(source);
    memcpy(key, MARK_PREFIX, MARK_PREFIX_LEN);
    memcpy(key + MARK_PREFIX_LEN, source, n);
    *klen = MARK_PREFIX_LEN + n;
    return VG_OK;
}

/* Decode p[0..len) into out (pending malloc'd); false if malformed or out of memory. */
static bool mark__decode(const unsigned char *p, size_t len, vg_feed_mark *out)
{
    memset(out, 0, sizeof *out);
    if (len < MARK_FIXED || p[0] != VG_SREC_VERSION)
        return false;
    uint32_t n = vg_srec_get_u32(p + 17);
    if (n > MARK_PENDING_MAX || len != MARK_FIXED + 8 * (size_t)n)
        return false;
    out->epoch = mark__get_u64(p + 1);
    out->high = mark__get_u64(p + 9);
    if (n && !(out->pending = malloc(n * sizeof *out->pending)))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        out->pending[i] = mark__get_u64(p + MARK_FIXED + 8 * (size_t)i);
        if (out->pending[i] > out->high || out->pending[i] == 0 ||
            (i && out->pending[i] <= out->pending[i - 1])) {
            vg_feed_mark_clear(out);
            return false;
        }
    }
    out->n_pending = n;
    return true;
}

vg_err vg_store_feed_mark_get(vg_store *s, const char *source, vg_feed_mark *out,
                              vg_errinfo *err)
{
    memset(out, 0, sizeof *out);
    char key[MARK_PREFIX_LEN + VG_FEED_ID_MAX];
    size_t klen;
    vg_err rc = mark__key(source, key, &klen, err);
    if (rc != VG_OK || (rc = vg_store__usable(s, err)) != VG_OK)
        return rc;
    vg_senv_clear_text();
    DB *db = s->db[VG_STORE_META];
    DB_TXN *txn;
    int ret = vg_store__read_begin(s, &txn);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
    DBT k = {.data = key, .size = (u_int32_t)klen};
    DBT v = {.flags = DB_DBT_MALLOC};
    ret = db->get(db, txn, &k, &v, 0);
    int tret = vg_store__read_end(s, txn, ret == 0 || ret == DB_NOTFOUND);
    if (ret == DB_NOTFOUND)
        return vg_fail(err, VG_ERR_NOTFOUND, "%s: no mark for feed '%s'",
                       s->where[VG_STORE_META], source);
    if (ret == 0 && tret != 0)
        ret = tret;
    if (ret != 0) {
        free(v.data);
        return vg_senv_fail(err, ret, s->where[VG_STORE_META], "DB->get");
    }
    bool ok = mark__decode(v.data, v.size, out);
    free(v.data);
    if (!ok)
        return vg_store__corrupt(err, s, VG_STORE_META, "feed mark");
    return VG_OK;
}

vg_err vg_store_feed_mark_put(vg_store *s, const char *source, const vg_feed_mark *m,
                              vg_errinfo *err)
{
    char key[MARK_PREFIX_LEN + VG_FEED_ID_MAX];
    size_t klen;
    vg_err rc = mark__key(source, key, &klen, err);
    if (rc != VG_OK)
        return rc;
    if (!s->txn)
        return vg_fail(err, VG_ERR_INVAL, "%s: a feed mark is written inside a batch only",
                       s->path);
    if (m->n_pending > MARK_PENDING_MAX)
        return vg_fail(err, VG_ERR_RANGE, "feed '%s': %zu pending frames (at most %u)", source,
                       m->n_pending, MARK_PENDING_MAX);
    size_t n = MARK_FIXED + 8 * m->n_pending;
    unsigned char small[MARK_FIXED + 8 * 64];
    unsigned char *buf = n <= sizeof small ? small : malloc(n);
    if (!buf)
        return vg_fail(err, VG_ERR_NOMEM, "feed '%s': out of memory", source);
    buf[0] = VG_SREC_VERSION;
    mark__put_u64(buf + 1, m->epoch);
    mark__put_u64(buf + 9, m->high);
    vg_srec_put_u32(buf + 17, (uint32_t)m->n_pending);
    for (size_t i = 0; i < m->n_pending; i++)
        mark__put_u64(buf + MARK_FIXED + 8 * i, m->pending[i]);
    vg_senv_clear_text();
    DB *db = s->db[VG_STORE_META];
    DBT k = {.data = key, .size = (u_int32_t)klen};
    DBT v = {.data = buf, .size = (u_int32_t)n};
    int ret = db->put(db, s->txn, &k, &v, 0);
    if (buf != small)
        free(buf);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->where[VG_STORE_META], "DB->put");
    return VG_OK;
}

vg_err vg_store_feed_mark_walk(vg_store *s, int (*fn)(void *ctx, const vg_feed_mark_row *r),
                               void *ctx, vg_errinfo *err)
{
    vg_err rc = vg_store__usable(s, err);
    if (rc != VG_OK)
        return rc;
    vg_senv_clear_text();
    /* meta.db is small (one record per feed): one snapshot, marks copied out before the
     * callbacks run so that nothing is held while they do. */
    DB *db = s->db[VG_STORE_META];
    DB_TXN *txn;
    int ret = vg_store__read_begin(s, &txn);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
    DBC *c = NULL;
    char (*ids)[VG_FEED_ID_MAX] = NULL;
    vg_feed_mark *marks = NULL;
    size_t n = 0, cap = 0;
    bool bad = false;
    if ((ret = db->cursor(db, txn, &c, 0)) == 0) {
        char pfx[] = MARK_PREFIX;
        DBT k = {.data = pfx, .size = MARK_PREFIX_LEN}, v = {0};
        for (ret = c->get(c, &k, &v, DB_SET_RANGE); ret == 0; ret = c->get(c, &k, &v, DB_NEXT)) {
            if (k.size <= MARK_PREFIX_LEN || memcmp(k.data, MARK_PREFIX, MARK_PREFIX_LEN) != 0)
                break;
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 16;
                void *a = realloc(ids, nc * sizeof *ids);
                if (a)
                    ids = a;
                void *b = a ? realloc(marks, nc * sizeof *marks) : NULL;
                if (!a || !b) {
                    rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", s->path);
                    break;
                }
                marks = b;
                cap = nc;
            }
            size_t idl = k.size - MARK_PREFIX_LEN;
            if (idl >= VG_FEED_ID_MAX || !mark__decode(v.data, v.size, &marks[n])) {
                bad = true;
                break;
            }
            memcpy(ids[n], (const char *)k.data + MARK_PREFIX_LEN, idl);
            ids[n][idl] = 0;
            n++;
        }
        if (ret == DB_NOTFOUND)
            ret = 0;
        int cret = c->close(c);
        if (ret == 0)
            ret = cret;
    }
    int tret = vg_store__read_end(s, txn, ret == 0);
    if (ret == 0)
        ret = tret;
    if (ret != 0 && rc == VG_OK)
        rc = vg_senv_fail(err, ret, s->where[VG_STORE_META], "DBC->get");
    if (bad && rc == VG_OK)
        rc = vg_store__corrupt(err, s, VG_STORE_META, "feed mark");
    /* The callbacks run after the snapshot ended: nothing is held while they do. */
    for (size_t i = 0; rc == VG_OK && i < n; i++) {
        vg_feed_mark_row r = {.source = ids[i], .mark = &marks[i]};
        if (fn(ctx, &r) != 0)
            break;
    }
    for (size_t i = 0; i < n; i++)
        vg_feed_mark_clear(&marks[i]);
    free(ids);
    free(marks);
    return rc;
}
