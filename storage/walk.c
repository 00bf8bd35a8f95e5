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

/* Walk the samples of one platform with from <= time <= to (VG_TIME_NONE: open), in
 * chunks; *stop when fn asked to stop. */
static vg_err walk__platform(vg_store *s, walk_buf *b, const char *platform, vg_time_us from,
                             vg_time_us to, int (*fn)(void *ctx, const vg_sample *smp),
                             void *ctx, bool *stop, vg_errinfo *err)
{
    vg_time_us next = from == VG_TIME_NONE ? INT64_MIN : from;
    vg_time_us last = to == VG_TIME_NONE ? INT64_MAX : to;
    bool done = next > last;
    vg_err rc = VG_OK;
    while (rc == VG_OK && !done && !*stop) {
        b->n = b->len = 0;
        vg_senv_clear_text();
        DB *db;
        int ret = vg_store__pdb(s, platform, false, &db);
        if (ret == DB_NOTFOUND)
            return VG_OK; /* no sample of this platform (yet) */
        if (ret != 0)
            return vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "DB->open");
        DB_TXN *txn;
        if ((ret = vg_store__read_begin(s, &txn)) != 0)
            return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
        DBC *c = NULL;
        if ((ret = db->cursor(db, txn, &c, 0)) == 0) {
            unsigned char kb[VG_SKEY_TIME_LEN];
            vg_skey_put_time(kb, next);
            DBT k = {.data = kb, .size = sizeof kb, .ulen = sizeof kb, .flags = DB_DBT_USERMEM};
            DBT v = {0};
            ret = c->get(c, &k, &v, DB_SET_RANGE);
            while (ret == 0 && b->n < WALK_CHUNK) {
                if (k.size != VG_SKEY_TIME_LEN) {
                    rc = vg_store__corrupt(err, s, VG_STORE_SAMPLES, "key length");
                    break;
                }
                vg_time_us t = vg_skey_get_time(kb);
                if (t > last) {
                    ret = DB_NOTFOUND;
                    break;
                }
                if (!walk__add(b, &k, &v)) {
                    rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", s->path);
                    break;
                }
                if (t == INT64_MAX) {
                    ret = DB_NOTFOUND;
                    break;
                }
                next = t + 1;
                if (b->n < WALK_CHUNK)
                    ret = c->get(c, &k, &v, DB_NEXT);
            }
            if (ret == DB_BUFFER_SMALL)
                rc = vg_store__corrupt(err, s, VG_STORE_SAMPLES, "key length");
            if (ret == DB_NOTFOUND) {
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
        for (size_t i = 0; rc == VG_OK && !*stop && i < b->n; i++) {
            vg_srec_sample d;
            vg_sample smp;
            vg_sample_init(&smp);
            if (!vg_sample_set_platform(&smp, platform, strlen(platform)) ||
                !vg_srec_sample_decode(b->p + b->off[2 * i + 1], b->size[2 * i + 1], &d)) {
                rc = vg_store__corrupt(err, s, VG_STORE_SAMPLES, "sample");
                break;
            }
            smp.time = vg_skey_get_time(b->p + b->off[2 * i]);
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
        rc = walk__platform(s, &b, platform, from, to, fn, ctx, &stop, err);
    } else {
        /* Every platform in id order, each over its whole time range. */
        char id[VG_PLATFORM_MAX];
        for (const char *after = NULL; rc == VG_OK && !stop; after = id) {
            int ret = vg_store__next_platform(s, after, id);
            if (ret == DB_NOTFOUND)
                break;
            if (ret != 0)
                rc = vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "platform databases");
            else
                rc = walk__platform(s, &b, id, VG_TIME_NONE, VG_TIME_NONE, fn, ctx, &stop, err);
        }
    }
    free(b.p);
    return rc;
}
