/* events.c: events.db, the QC events of a store (events.h). The record is versioned and
 * big-endian: version(1) kind(1) param code(4) first last detected(8 each, the keys'
 * time encoding) magnitude score(8 each, IEEE 754 bits) units(16, NUL-padded)
 * text length(2) text. */
#include "storage/events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "storage/keys.h"
#include "storage/store_int.h"

#define EVENTS_FILE "events.db"
#define EVENTS_VERSION 1
#define EVENTS_FIXED (1 + 1 + 4 + 3 * VG_SKEY_TIME_LEN + 2 * 8 + VG_EVENT_UNITS_MAX + 2)

static size_t events__key(unsigned char *buf, const char *platform, vg_time_us first,
                          vg_event_kind kind)
{
    size_t n = vg_skey_sample(buf, platform, first);
    buf[n++] = (unsigned char)kind;
    return n;
}

static void events__put_double(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    vg_skey_put_u64(p, u);
}

static double events__get_double(const unsigned char *p)
{
    uint64_t u = vg_skey_get_u64(p);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static size_t events__encode(const vg_event *ev, unsigned char *b)
{
    unsigned char *p = b;
    const vg_param_info *pi = vg_param_get(ev->param);
    *p++ = EVENTS_VERSION;
    *p++ = (unsigned char)ev->kind;
    memcpy(p, pi ? pi->code : "????", 4);
    p += 4;
    vg_skey_put_time(p, ev->first);
    vg_skey_put_time(p + 8, ev->last);
    vg_skey_put_time(p + 16, ev->detected);
    p += 3 * VG_SKEY_TIME_LEN;
    events__put_double(p, ev->magnitude);
    events__put_double(p + 8, ev->score);
    p += 16;
    memset(p, 0, VG_EVENT_UNITS_MAX);
    memcpy(p, ev->units, strnlen(ev->units, VG_EVENT_UNITS_MAX - 1));
    p += VG_EVENT_UNITS_MAX;
    size_t tl = strnlen(ev->text, VG_EVENT_TEXT_MAX - 1);
    *p++ = (unsigned char)(tl >> 8);
    *p++ = (unsigned char)tl;
    memcpy(p, ev->text, tl);
    return (size_t)(p - b) + tl;
}

static bool events__decode(const unsigned char *k, size_t klen, const unsigned char *b,
                           size_t len, vg_event *ev)
{
    memset(ev, 0, sizeof *ev);
    const unsigned char *nul = memchr(k, 0, klen);
    if (!nul || (size_t)(nul - k) >= VG_PLATFORM_MAX ||
        klen != (size_t)(nul - k) + 1 + VG_SKEY_TIME_LEN + 1)
        return false;
    memcpy(ev->platform, k, (size_t)(nul - k) + 1);
    if (len < EVENTS_FIXED || b[0] != EVENTS_VERSION || b[1] == 0 || b[1] >= VG_EVENT__COUNT)
        return false;
    ev->kind = (vg_event_kind)b[1];
    int p = vg_param_lookup((const char *)b + 2, 4);
    if (p < 0)
        return false;
    ev->param = (vg_param)p;
    const unsigned char *q = b + 6;
    ev->first = vg_skey_get_time(q);
    ev->last = vg_skey_get_time(q + 8);
    ev->detected = vg_skey_get_time(q + 16);
    q += 24;
    ev->magnitude = events__get_double(q);
    ev->score = events__get_double(q + 8);
    q += 16;
    memcpy(ev->units, q, VG_EVENT_UNITS_MAX);
    ev->units[VG_EVENT_UNITS_MAX - 1] = 0;
    q += VG_EVENT_UNITS_MAX;
    size_t tl = (size_t)q[0] << 8 | q[1];
    q += 2;
    if (tl >= VG_EVENT_TEXT_MAX || len != EVENTS_FIXED + tl)
        return false;
    memcpy(ev->text, q, tl);
    ev->text[tl] = 0;
    return true;
}

/* Open events.db for one call: created by the writer, DB_RDONLY for a reader. Returns the
 * Berkeley DB error number (ENOENT: a reader found none). */
static int events__open(vg_store *s, DB **out)
{
    DB *db;
    int ret = db_create(&db, s->env, 0);
    if (ret != 0)
        return ret;
    u_int32_t flags = (s->read_only ? DB_RDONLY : DB_CREATE) | DB_AUTO_COMMIT | DB_MULTIVERSION;
    if (s->replica) /* as the store's files (store.c): a replica has no multiversion */
        flags &= ~(u_int32_t)DB_MULTIVERSION;
    if ((ret = db->open(db, NULL, EVENTS_FILE, NULL, DB_BTREE, flags, 0)) != 0) {
        db->close(db, 0);
        return ret;
    }
    *out = db;
    return 0;
}

vg_err vg_store_put_event(vg_store *s, const vg_event *ev, vg_errinfo *err)
{
    if (!s || !ev)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_put_event: store and event required");
    if (s->read_only)
        return vg_fail(err, VG_ERR_INVAL, "%s: store opened read-only", s->path);
    if (!vg_store__platform_ok(ev->platform) || !vg_event_kind_name(ev->kind) ||
        !vg_param_get(ev->param))
        return vg_fail(err, VG_ERR_INVAL, "vg_store_put_event: invalid platform, kind or "
                       "parameter");
    if (vg_store__usable(s, err) != VG_OK)
        return VG_ERR_DB;
    vg_senv_clear_text();
    unsigned char kb[VG_SKEY_MAX + 1], vb[EVENTS_FIXED + VG_EVENT_TEXT_MAX];
    DBT k = {.data = kb, .size = (u_int32_t)events__key(kb, ev->platform, ev->first, ev->kind)};
    DBT v = {.data = vb, .size = (u_int32_t)events__encode(ev, vb)};
    DB *db;
    int ret = events__open(s, &db);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "DB->open(" EVENTS_FILE ")");
    ret = db->put(db, NULL, &k, &v, DB_AUTO_COMMIT);
    int cret = db->close(db, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "DB->put(" EVENTS_FILE ")");
    if (cret != 0)
        return vg_senv_fail(err, cret, s->path, "DB->close(" EVENTS_FILE ")");
    return VG_OK;
}

vg_err vg_store_events_walk(vg_store *s, const char *platform,
                            int (*fn)(void *ctx, const vg_event *ev), void *ctx,
                            vg_errinfo *err)
{
    if (!s || !fn)
        return vg_fail(err, VG_ERR_INVAL, "vg_store_events_walk: store and fn required");
    if (vg_store__usable(s, err) != VG_OK)
        return VG_ERR_DB;
    vg_senv_clear_text();
    DB *db;
    int ret = events__open(s, &db);
    if (ret == ENOENT)
        return VG_OK;
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "DB->open(" EVENTS_FILE ")");
    DB_TXN *txn = NULL;
    DBC *c = NULL;
    vg_err rc = VG_OK;
    if ((ret = vg_store__read_begin(s, &txn)) != 0 || (ret = db->cursor(db, txn, &c, 0)) != 0) {
        rc = vg_senv_fail(err, ret, s->path, "DB->cursor(" EVENTS_FILE ")");
        if (txn)
            vg_store__read_end(s, txn, false);
        db->close(db, 0);
        return rc;
    }
    unsigned char kb[VG_SKEY_MAX + 1];
    if (platform && !vg_store__platform_ok(platform)) {
        c->close(c);
        vg_store__read_end(s, txn, true);
        db->close(db, 0);
        return vg_fail(err, VG_ERR_INVAL, "'%s' is not a platform id", platform);
    }
    size_t plen = platform ? vg_skey_platform(kb, platform) : 0;
    DBT k = {.data = kb, .size = (u_int32_t)plen}, v = {0};
    ret = c->get(c, &k, &v, plen ? DB_SET_RANGE : DB_FIRST);
    while (ret == 0) {
        if (plen && (k.size < plen || memcmp(k.data, kb, plen) != 0))
            break;
        vg_event ev;
        if (!events__decode(k.data, k.size, v.data, v.size, &ev)) {
            rc = vg_fail(err, VG_ERR_DB, "%s/" EVENTS_FILE ": malformed record: record "
                         "version or length not understood by this vigie", s->path);
            break;
        }
        if (fn(ctx, &ev))
            break;
        ret = c->get(c, &k, &v, DB_NEXT);
    }
    if (rc == VG_OK && ret != 0 && ret != DB_NOTFOUND)
        rc = vg_senv_fail(err, ret, s->path, "DBC->get(" EVENTS_FILE ")");
    c->close(c);
    vg_store__read_end(s, txn, rc == VG_OK);
    db->close(db, 0);
    return rc;
}
