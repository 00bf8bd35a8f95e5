/* walk.c: the whole-store walk of samples.db (walk.h), in chunks of WALK_CHUNK records. */
#include "storage/walk.h"

#include <db.h>
#include <stdlib.h>
#include <string.h>

#include "storage/env.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/store_int.h"

#define WALK_CHUNK 512

typedef struct walk_buf {
    unsigned char *p;
    size_t len, cap;
    size_t off[2 * WALK_CHUNK]; /* key and value offsets */
    u_int32_t size[2 * WALK_CHUNK];
    size_t n;                   /* records */
} walk_buf;

static bool walk__add(walk_buf *b, const DBT *k, const DBT *v)
{
    size_t need = b->len + k->size + v->size;
    if (need > b->cap) {
        size_t nc = b->cap ? b->cap : 1 << 20;
        while (nc < need)
            nc *= 2;
        unsigned char *np = realloc(b->p, nc);
        if (!np)
            return false;
        b->p = np;
        b->cap = nc;
    }
    const DBT *d[2] = {k, v};
    for (int i = 0; i < 2; i++) {
        memcpy(b->p + b->len, d[i]->data, d[i]->size);
        b->off[2 * b->n + i] = b->len;
        b->size[2 * b->n + i] = d[i]->size;
        b->len += d[i]->size;
    }
    b->n++;
    return true;
}

vg_err vg_store_walk_samples(vg_store *s, int (*fn)(void *ctx, const vg_sample *smp),
                             void *ctx, vg_errinfo *err)
{
    return vg_store_walk_platform(s, NULL, VG_TIME_NONE, VG_TIME_NONE, fn, ctx, err);
}

/* Call fn on the records collected in b: keys "platform '\0' time" when platform is NULL,
 * else time keys after a plen-byte prefix. */
static vg_err walk__emit(vg_store *s, const walk_buf *b, const char *platform, size_t plen,
                         int (*fn)(void *ctx, const vg_sample *smp), void *ctx, bool *stop,
                         vg_errinfo *err)
{
    for (size_t i = 0; !*stop && i < b->n; i++) {
        const unsigned char *key = b->p + b->off[2 * i];
        u_int32_t klen = b->size[2 * i];
        const char *id = platform;
        size_t idlen = platform ? strlen(platform) : 0;
        if (!platform) {
            const unsigned char *nul = memchr(key, 0, klen);
            if (!nul || key + klen - (nul + 1) != VG_SKEY_TIME_LEN)
                return vg_store__corrupt(err, s, VG_STORE_SAMPLES, "key");
            id = (const char *)key;
            idlen = (size_t)(nul - key);
        } else if (klen != plen + VG_SKEY_TIME_LEN) {
            return vg_store__corrupt(err, s, VG_STORE_SAMPLES, "key length");
        }
        vg_srec_sample d;
        vg_sample smp;
        vg_sample_init(&smp);
        if (!vg_sample_set_platform(&smp, id, idlen) ||
            !vg_srec_sample_decode(b->p + b->off[2 * i + 1], b->size[2 * i + 1], &d))
            return vg_store__corrupt(err, s, VG_STORE_SAMPLES, "sample");
        smp.time = vg_skey_get_time(key + klen - VG_SKEY_TIME_LEN);
        smp.received = d.received;
        smp.lat_deg = d.lat;
        smp.lon_deg = d.lon;
        smp.present = d.present;
        memcpy(smp.value, d.value, sizeof smp.value);
        memcpy(smp.qc, d.qc, sizeof smp.qc);
        smp.pos_qc = d.pos;
        smp.time_qc = d.tim;
        smp.raw = (const char *)d.raw;
        smp.raw_len = d.raw_len;
        *stop = fn(ctx, &smp) != 0;
    }
    return VG_OK;
}

/* Walk, in chunks, the samples of one platform with from <= time <= to (VG_TIME_NONE:
 * open), or (platform NULL) the whole "#shared" database; *stop when fn asked to stop.
 * A platform's database is looked up again at each chunk (a reader may close handles in
 * between); its walk goes on from the time after the last one returned, the walk of
 * "#shared" from the key after the last one. */
static vg_err walk__db(vg_store *s, walk_buf *b, const char *platform, vg_time_us from,
                       vg_time_us to, int (*fn)(void *ctx, const vg_sample *smp), void *ctx,
                       bool *stop, vg_errinfo *err)
{
    vg_time_us next = from == VG_TIME_NONE ? INT64_MIN : from;
    vg_time_us last = to == VG_TIME_NONE ? INT64_MAX : to;
    unsigned char lastkey[VG_SKEY_MAX];
    u_int32_t lastkey_len = 0;
    bool done = next > last;
    vg_err rc = VG_OK;
    while (rc == VG_OK && !done && !*stop) {
        b->n = b->len = 0;
        vg_senv_clear_text();
        DB *db = s->shared;
        size_t plen = 0;
        int ret = platform ? vg_store__pdb(s, platform, false, &db, &plen) : 0;
        if (ret != 0)
            return vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "DB->open");
        DB_TXN *txn;
        if ((ret = vg_store__read_begin(s, &txn)) != 0)
            return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
        DBC *c = NULL;
        if ((ret = db->cursor(db, txn, &c, 0)) == 0) {
            unsigned char kb[VG_SKEY_MAX];
            DBT k = {.data = kb, .ulen = sizeof kb, .flags = DB_DBT_USERMEM};
            DBT v = {0};
            if (platform) {
                memcpy(kb, platform, plen);
                vg_skey_put_time(kb + plen, next);
                k.size = (u_int32_t)(plen + VG_SKEY_TIME_LEN);
                ret = c->get(c, &k, &v, DB_SET_RANGE);
            } else if (lastkey_len) {
                memcpy(kb, lastkey, lastkey_len);
                k.size = lastkey_len;
                ret = c->get(c, &k, &v, DB_SET_RANGE);
                if (ret == 0 && k.size == lastkey_len && memcmp(kb, lastkey, lastkey_len) == 0)
                    ret = c->get(c, &k, &v, DB_NEXT); /* returned by the previous chunk */
            } else {
                ret = c->get(c, &k, &v, DB_FIRST);
            }
            while (ret == 0 && b->n < WALK_CHUNK) {
                if (platform) {
                    if (plen && (k.size < plen || memcmp(kb, platform, plen) != 0)) {
                        ret = DB_NOTFOUND; /* past the platform in "#shared" */
                        break;
                    }
                    if (k.size != plen + VG_SKEY_TIME_LEN) {
                        rc = vg_store__corrupt(err, s, VG_STORE_SAMPLES, "key length");
                        break;
                    }
                    vg_time_us t = vg_skey_get_time(kb + plen);
                    if (t > last) {
                        ret = DB_NOTFOUND;
                        break;
                    }
                    if (t == INT64_MAX)
                        done = true;
                    else
                        next = t + 1;
                } else {
                    memcpy(lastkey, kb, k.size);
                    lastkey_len = k.size;
                }
                if (!walk__add(b, &k, &v)) {
                    rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", s->path);
                    break;
                }
                if (done)
                    break;
                if (b->n < WALK_CHUNK)
                    ret = c->get(c, &k, &v, DB_NEXT);
            }
            if (ret == DB_BUFFER_SMALL && rc == VG_OK)
                rc = vg_store__corrupt(err, s, VG_STORE_SAMPLES, "key length");
            if (ret == DB_NOTFOUND || ret == DB_BUFFER_SMALL) {
                done = true;
                ret = 0;
            }
            int cret = c->close(c);
            if (ret == 0)
                ret = cret;
        }
        int tret = vg_store__read_end(s, txn, rc == VG_OK && ret == 0);
        if (ret == 0)
            ret = tret;
        if (ret != 0 && rc == VG_OK)
            rc = vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "DBC->get");
        if (rc == VG_OK)
            rc = walk__emit(s, b, platform, plen, fn, ctx, stop, err);
    }
    return rc;
}

vg_err vg_store_walk_platform(vg_store *s, const char *platform, vg_time_us from,
                              vg_time_us to, int (*fn)(void *ctx, const vg_sample *smp),
                              void *ctx, vg_errinfo *err)
{
    vg_err rc = vg_store__usable(s, err);
    if (rc != VG_OK)
        return rc;
    if (platform && !vg_platform_id_valid(platform, strlen(platform)))
        return vg_fail(err, VG_ERR_INVAL, "invalid platform id '%s'", platform);
    walk_buf b = {0};
    bool stop = false;
    if (platform) {
        rc = walk__db(s, &b, platform, from, to, fn, ctx, &stop, err);
    } else {
        /* The platforms with an own database in id order, then "#shared" in key order. */
        char id[VG_PLATFORM_MAX];
        for (const char *after = NULL; rc == VG_OK && !stop; after = id) {
            int ret = vg_store__next_platform(s, after, id);
            if (ret == DB_NOTFOUND)
                break;
            if (ret != 0)
                rc = vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "platform databases");
            else
                rc = walk__db(s, &b, id, VG_TIME_NONE, VG_TIME_NONE, fn, ctx, &stop, err);
        }
        if (rc == VG_OK && !stop)
            rc = walk__db(s, &b, NULL, VG_TIME_NONE, VG_TIME_NONE, fn, ctx, &stop, err);
    }
    free(b.p);
    return rc;
}
