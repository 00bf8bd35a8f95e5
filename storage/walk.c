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
    unsigned char last[VG_SKEY_MAX], pfx[VG_PLATFORM_MAX];
    u_int32_t last_len = 0;
    size_t pfx_len = 0;
    bool done = false, stop = false, first_chunk = true;
    if (platform) {
        /* start at (platform, from): the first chunk positions there, inclusive */
        pfx_len = vg_skey_platform(pfx, platform);
        last_len = (u_int32_t)vg_skey_sample(last, platform, from);
    }
    DB *db = s->db[VG_STORE_SAMPLES];
    while (rc == VG_OK && !done && !stop) {
        b.n = b.len = 0;
        vg_senv_clear_text();
        DB_TXN *txn;
        int ret = vg_store__read_begin(s, &txn);
        if (ret != 0)
            return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_begin");
        DBC *c = NULL;
        if ((ret = db->cursor(db, txn, &c, 0)) == 0) {
            DBT k = {.data = last, .size = last_len, .ulen = sizeof last, .flags = DB_DBT_USERMEM};
            DBT v = {0};
            ret = last_len ? c->get(c, &k, &v, DB_SET_RANGE) : c->get(c, &k, &v, DB_FIRST);
            if (ret == 0 && last_len && !(platform && first_chunk) && k.size == last_len &&
                memcmp(k.data, last, last_len) == 0)
                ret = c->get(c, &k, &v, DB_NEXT); /* the last key of the previous chunk */
            first_chunk = false;
            while (ret == 0 && b.n < WALK_CHUNK) {
                /* past the platform, or past `to` (the time is the key's last 8 bytes) */
                if (platform &&
                    (k.size != pfx_len + VG_SKEY_TIME_LEN || memcmp(k.data, pfx, pfx_len) != 0 ||
                     (to != VG_TIME_NONE &&
                      vg_skey_get_time((const unsigned char *)k.data + pfx_len) > to))) {
                    ret = DB_NOTFOUND;
                    break;
                }
                if (!walk__add(&b, &k, &v)) {
                    rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", s->path);
                    break;
                }
                memcpy(last, k.data, k.size);
                last_len = k.size;
                if (b.n < WALK_CHUNK)
                    ret = c->get(c, &k, &v, DB_NEXT);
            }
            if (ret == DB_NOTFOUND) {
                done = true;
                ret = 0;
            }
            int cret = c->close(c);
            if (ret == 0)
                ret = cret;
        }
        int tret = vg_store__read_end(s, txn, ret == 0);
        if (ret == 0)
            ret = tret;
        if (ret != 0 && rc == VG_OK)
            rc = vg_senv_fail(err, ret, s->where[VG_STORE_SAMPLES], "DBC->get");
        for (size_t i = 0; rc == VG_OK && !stop && i < b.n; i++) {
            const unsigned char *key = b.p + b.off[2 * i];
            u_int32_t klen = b.size[2 * i];
            const unsigned char *nul = memchr(key, 0, klen);
            vg_srec_sample d;
            vg_sample smp;
            vg_sample_init(&smp);
            if (!nul || key + klen - (nul + 1) != VG_SKEY_TIME_LEN ||
                !vg_sample_set_platform(&smp, (const char *)key, (size_t)(nul - key)) ||
                !vg_srec_sample_decode(b.p + b.off[2 * i + 1], b.size[2 * i + 1], &d)) {
                rc = vg_store__corrupt(err, s, VG_STORE_SAMPLES, "sample");
                break;
            }
            smp.time = vg_skey_get_time(nul + 1);
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
            stop = fn(ctx, &smp) != 0;
        }
    }
    free(b.p);
    return rc;
}
