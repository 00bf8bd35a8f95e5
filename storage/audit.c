/* audit.c: manual flags and their audit history (audit.h): the two databases, their key
 * and value encodings (docs/storage.md, "Manual flags and audit"), the edit that lays a
 * manual flag over a range of stored values, and the walks that read them back. */
#include "storage/audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "storage/keys.h"
#include "storage/records.h"
#include "storage/store_int.h"

#define AUDIT_REC_VERSION 1
#define AUDIT_CHUNK 10000 /* values per committed batch of an edit */
#define MANUAL_KEY_MAX (VG_PLATFORM_MAX + VG_SKEY_TIME_LEN + VG_SREC_CODE_LEN)
#define MANUAL_VAL_LEN (1 + 1 + 8) /* version, flag, audit sequence (u64 LE) */

static const char *const audit_files[2] = {"manual.db", "audit.db"};
enum { AUDIT_MANUAL, AUDIT_LOG };

typedef struct audit_dbs {
    vg_store *s;
    DB *db[2];             /* NULL: the file does not exist (readers) */
    char where[2][4096];   /* "DIR/manual.db", for messages */
} audit_dbs;

static void put_u64le(unsigned char *p, uint64_t u)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

static uint64_t get_u64le(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)p[i] << (8 * i);
    return u;
}

static vg_err audit__open(vg_store *s, audit_dbs *a, vg_errinfo *err)
{
    memset(a, 0, sizeof *a);
    a->s = s;
    vg_err rc = vg_store__usable(s, err);
    if (rc != VG_OK)
        return rc;
    for (int i = 0; i < 2; i++) {
        snprintf(a->where[i], sizeof a->where[i], "%s/%s", s->path, audit_files[i]);
        DB *db;
        int ret = db_create(&db, s->env, 0);
        if (ret != 0)
            return vg_senv_fail(err, ret, a->where[i], "db_create");
        u_int32_t flags =
            (s->read_only ? DB_RDONLY : DB_CREATE) | DB_AUTO_COMMIT | DB_MULTIVERSION;
        if (s->replica) /* as the store's files (store.c): a replica has no multiversion */
            flags &= ~(u_int32_t)DB_MULTIVERSION;
        ret = db->open(db, NULL, audit_files[i], NULL, DB_BTREE, flags, 0640);
        if (ret != 0) {
            db->close(db, 0);
            if (ret == ENOENT && s->read_only)
                continue; /* no manual flag was ever set */
            return vg_senv_fail(err, ret, a->where[i], "DB->open");
        }
        a->db[i] = db;
    }
    return VG_OK;
}

static void audit__close(audit_dbs *a)
{
    for (int i = 0; i < 2; i++)
        if (a->db[i])
            a->db[i]->close(a->db[i], 0);
}

/* manual.db key of (platform, time, param); returns its length. */
static size_t manual__key(unsigned char *buf, const char *platform, vg_time_us t, vg_param p)
{
    size_t n = vg_skey_sample(buf, platform, t);
    const char *code = vg_param_get(p)->code;
    memset(buf + n, 0, VG_SREC_CODE_LEN);
    memcpy(buf + n, code, strnlen(code, VG_SREC_CODE_LEN));
    return n + VG_SREC_CODE_LEN;
}

/* ---- the edit ------------------------------------------------------------------------ */

typedef struct manual__target {
    vg_time_us *time;
    vg_flag *agg;
    size_t n, cap;
    vg_err rc;
} manual__target;

static int manual__collect(void *ctx, const vg_obs *o)
{
    manual__target *t = ctx;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 4096;
        vg_time_us *nt = realloc(t->time, cap * sizeof *nt);
        if (nt)
            t->time = nt;
        vg_flag *na = nt ? realloc(t->agg, cap) : NULL;
        if (!nt || !na) {
            t->rc = VG_ERR_NOMEM;
            return 1;
        }
        t->agg = na;
        t->cap = cap;
    }
    t->time[t->n] = o->time;
    t->agg[t->n] = o->qc.agg;
    t->n++;
    return 0;
}

static bool audit__text_ok(const char *s)
{
    return s && *s && strlen(s) <= VG_AUDIT_TEXT_MAX;
}

/* The next audit sequence: the last key + 1, or 0. */
static vg_err audit__next_seq(audit_dbs *a, uint64_t *seq, vg_errinfo *err)
{
    DBC *c;
    int ret = a->db[AUDIT_LOG]->cursor(a->db[AUDIT_LOG], NULL, &c, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, a->where[AUDIT_LOG], "DB->cursor");
    DBT k = {0}, v = {0};
    v.flags = DB_DBT_PARTIAL;
    ret = c->get(c, &k, &v, DB_LAST);
    *seq = ret == 0 && k.size == 8 ? vg_skey_get_u64(k.data) + 1 : 0;
    c->close(c);
    if (ret != 0 && ret != DB_NOTFOUND)
        return vg_senv_fail(err, ret, a->where[AUDIT_LOG], "DBC->get");
    return VG_OK;
}

/* Put one audit record (seq -> ...) in the open batch. */
static int audit__put(audit_dbs *a, uint64_t seq, const vg_manual_edit *e, vg_time_us when,
                      vg_time_us t, vg_flag old)
{
    size_t lp = strlen(e->platform), lw = strlen(e->who), ly = strlen(e->why);
    size_t n = 1 + 8 + 8 + VG_SREC_CODE_LEN + 1 + 1 + 4 + lp + 4 + lw + 4 + ly;
    unsigned char kb[8], *b = malloc(n), *p = b;
    if (!b)
        return ENOMEM;
    *p++ = AUDIT_REC_VERSION;
    put_u64le(p, (uint64_t)when), p += 8;
    put_u64le(p, (uint64_t)t), p += 8;
    const char *code = vg_param_get(e->param)->code;
    memset(p, 0, VG_SREC_CODE_LEN);
    memcpy(p, code, strnlen(code, VG_SREC_CODE_LEN)), p += VG_SREC_CODE_LEN;
    *p++ = old;
    *p++ = e->flag;
    const char *str[3] = {e->platform, e->who, e->why};
    size_t len[3] = {lp, lw, ly};
    for (int i = 0; i < 3; i++) {
        vg_srec_put_u32(p, (uint32_t)len[i]), p += 4;
        memcpy(p, str[i], len[i]), p += len[i];
    }
    vg_skey_put_u64(kb, seq);
    DBT k = {.data = kb, .size = 8}, v = {.data = b, .size = (u_int32_t)n};
    int ret = a->db[AUDIT_LOG]->put(a->db[AUDIT_LOG], a->s->txn, &k, &v, DB_NOOVERWRITE);
    free(b);
    return ret;
}

vg_err vg_manual_set(vg_store *s, const vg_manual_edit *e, vg_manual_result *r,
                     vg_errinfo *err)
{
    memset(r, 0, sizeof *r);
    if (!s || !e || !vg_store__platform_ok(e->platform) || (unsigned)e->param >= VG_P__COUNT ||
        !vg_flag_valid(e->flag) || !audit__text_ok(e->who) || !audit__text_ok(e->why))
        return vg_fail(err, VG_ERR_INVAL,
                       "manual flag: platform, parameter, flag 0-9, operator and reason "
                       "(1..%d bytes) are required", VG_AUDIT_TEXT_MAX);
    if (s->read_only)
        return vg_fail(err, VG_ERR_INVAL, "%s: opened read-only: manual flags need the writer",
                       s->path);
    if (s->txn)
        return vg_fail(err, VG_ERR_INVAL, "%s: manual flags are set outside a batch", s->path);
    vg_time_us when = e->when ? e->when : vg_time_now();

    manual__target t = {0};
    vg_query q = {.platform = e->platform, .param = (int)e->param, .from = e->from, .to = e->to};
    vg_err rc = vg_store_query(s, &q, manual__collect, &t, err);
    if (rc == VG_OK && t.rc != VG_OK)
        rc = vg_fail(err, t.rc, "out of memory for %zu values of %s", t.n, e->platform);
    audit_dbs a = {0};
    uint64_t seq = 0;
    if (rc == VG_OK && (rc = audit__open(s, &a, err)) == VG_OK)
        rc = audit__next_seq(&a, &seq, err);
    r->values = t.n;
    for (size_t i0 = 0; rc == VG_OK && i0 < t.n; i0 += AUDIT_CHUNK) {
        size_t i1 = t.n - i0 > AUDIT_CHUNK ? i0 + AUDIT_CHUNK : t.n;
        vg_manual_result part = {0};
        uint64_t seq0 = seq;
        if ((rc = vg_store_begin(s, err)) != VG_OK)
            break;
        int ret = 0;
        const char *op = "";
        int which = AUDIT_MANUAL;
        for (size_t i = i0; i < i1 && ret == 0; i++) {
            unsigned char kb[MANUAL_KEY_MAX], vb[MANUAL_VAL_LEN];
            DBT k = {.data = kb, .size = (u_int32_t)manual__key(kb, e->platform, t.time[i], e->param)};
            DBT v = {.data = vb, .ulen = sizeof vb, .flags = DB_DBT_USERMEM};
            vg_flag old = t.agg[i];
            ret = a.db[AUDIT_MANUAL]->get(a.db[AUDIT_MANUAL], s->txn, &k, &v, DB_RMW);
            if (ret == 0 && v.size == MANUAL_VAL_LEN && vb[0] == AUDIT_REC_VERSION) {
                old = vb[1];
                if (old == e->flag) {
                    part.unchanged++;
                    continue;
                }
            } else if (ret == 0) {
                rc = vg_fail(err, VG_ERR_DB, "%s: malformed record", a.where[AUDIT_MANUAL]);
                break;
            } else if (ret != DB_NOTFOUND) {
                op = "DB->get";
                break;
            }
            ret = 0;
            if (old == e->flag)
                part.confirmed++;
            else
                part.changed++;
            vb[0] = AUDIT_REC_VERSION;
            vb[1] = e->flag;
            put_u64le(vb + 2, seq);
            v = (DBT){.data = vb, .size = MANUAL_VAL_LEN};
            if ((ret = a.db[AUDIT_MANUAL]->put(a.db[AUDIT_MANUAL], s->txn, &k, &v, 0)) != 0) {
                op = "DB->put";
                break;
            }
            if ((ret = audit__put(&a, seq, e, when, t.time[i], old)) != 0) {
                op = "DB->put", which = AUDIT_LOG;
                break;
            }
            seq++;
        }
        if (rc == VG_OK && ret != 0)
            rc = vg_senv_fail(err, ret, a.where[which], op);
        if (rc != VG_OK) {
            vg_store_abort(s);
            seq = seq0;
            break;
        }
        if ((rc = vg_store_commit(s, err)) != VG_OK)
            break;
        r->changed += part.changed, r->confirmed += part.confirmed, r->unchanged += part.unchanged;
    }
    audit__close(&a);
    free(t.time), free(t.agg);
    return rc;
}

/* ---- the walks ----------------------------------------------------------------------- */

vg_err vg_manual_walk(vg_store *s, const char *platform, vg_time_us from, vg_time_us to,
                      int (*fn)(void *ctx, const vg_manual_flag *m), void *ctx,
                      vg_errinfo *err)
{
    if (!s || !vg_store__platform_ok(platform) || !fn)
        return vg_fail(err, VG_ERR_INVAL, "manual flags: a valid platform id is required");
    audit_dbs a;
    vg_err rc = audit__open(s, &a, err);
    if (rc != VG_OK || !a.db[AUDIT_MANUAL]) {
        audit__close(&a);
        return rc;
    }
    DB_TXN *txn;
    int ret = vg_store__read_begin(s, &txn);
    DBC *c = NULL;
    if (ret == 0)
        ret = a.db[AUDIT_MANUAL]->cursor(a.db[AUDIT_MANUAL], txn, &c, 0);
    unsigned char kb[MANUAL_KEY_MAX];
    size_t plen = vg_skey_platform(kb, platform);
    size_t klen = vg_skey_sample(kb, platform, from == VG_TIME_NONE ? INT64_MIN : from);
    DBT k = {.data = kb, .size = (u_int32_t)klen, .ulen = sizeof kb, .flags = DB_DBT_USERMEM};
    unsigned char vb[MANUAL_VAL_LEN];
    DBT v = {.data = vb, .ulen = sizeof vb, .flags = DB_DBT_USERMEM};
    for (u_int32_t op = DB_SET_RANGE; ret == 0 && rc == VG_OK; op = DB_NEXT) {
        ret = c->get(c, &k, &v, op);
        if (ret != 0)
            break;
        if (k.size != plen + VG_SKEY_TIME_LEN + VG_SREC_CODE_LEN || memcmp(kb, platform, plen - 1) ||
            kb[plen - 1] != 0)
            break; /* another platform */
        vg_time_us t = vg_skey_get_time(kb + plen);
        if (to != VG_TIME_NONE && t > to)
            break;
        const unsigned char *code = kb + plen + VG_SKEY_TIME_LEN;
        int p = vg_param_lookup((const char *)code, strnlen((const char *)code, VG_SREC_CODE_LEN));
        if (v.size != MANUAL_VAL_LEN || vb[0] != AUDIT_REC_VERSION || !vg_flag_valid(vb[1])) {
            rc = vg_fail(err, VG_ERR_DB, "%s: malformed record", a.where[AUDIT_MANUAL]);
            break;
        }
        if (p < 0)
            continue; /* a parameter of a newer vigie */
        vg_manual_flag m = {.platform = platform, .param = (vg_param)p, .time = t,
                            .flag = vb[1], .audit_seq = get_u64le(vb + 2)};
        if (fn(ctx, &m))
            break;
    }
    if (rc == VG_OK && ret != 0 && ret != DB_NOTFOUND)
        rc = vg_senv_fail(err, ret, a.where[AUDIT_MANUAL], "DBC->get");
    if (c)
        c->close(c);
    if (txn)
        vg_store__read_end(s, txn, rc == VG_OK);
    audit__close(&a);
    return rc;
}

/* Decode an audit record; false if malformed. */
static bool audit__decode(const unsigned char *p, size_t n, vg_audit_entry *e, char **strs)
{
    size_t fixed = 1 + 8 + 8 + VG_SREC_CODE_LEN + 2;
    if (n < fixed + 12 || p[0] != AUDIT_REC_VERSION)
        return false;
    e->when = (vg_time_us)get_u64le(p + 1);
    e->time = (vg_time_us)get_u64le(p + 9);
    const char *code = (const char *)p + 17;
    int prm = vg_param_lookup(code, strnlen(code, VG_SREC_CODE_LEN));
    e->param = prm < 0 ? VG_P__COUNT : (vg_param)prm;
    e->old_flag = p[fixed - 2];
    e->new_flag = p[fixed - 1];
    size_t off = fixed;
    for (int i = 0; i < 3; i++) {
        if (n - off < 4)
            return false;
        uint32_t len = vg_srec_get_u32(p + off);
        off += 4;
        if (n - off < len)
            return false;
        char *s = malloc((size_t)len + 1);
        if (!s)
            return false;
        memcpy(s, p + off, len);
        s[len] = '\0';
        strs[i] = s;
        off += len;
    }
    e->platform = strs[0], e->who = strs[1], e->why = strs[2];
    return off == n && vg_flag_valid(e->old_flag) && vg_flag_valid(e->new_flag);
}

vg_err vg_audit_walk(vg_store *s, const char *platform,
                     int (*fn)(void *ctx, const vg_audit_entry *a), void *ctx,
                     vg_errinfo *err)
{
    if (!s || !fn)
        return vg_fail(err, VG_ERR_INVAL, "audit walk: store and callback are required");
    audit_dbs a;
    vg_err rc = audit__open(s, &a, err);
    if (rc != VG_OK || !a.db[AUDIT_LOG]) {
        audit__close(&a);
        return rc;
    }
    DB_TXN *txn;
    int ret = vg_store__read_begin(s, &txn);
    DBC *c = NULL;
    if (ret == 0)
        ret = a.db[AUDIT_LOG]->cursor(a.db[AUDIT_LOG], txn, &c, 0);
    DBT k = {0}, v = {0};
    while (ret == 0 && rc == VG_OK) {
        ret = c->get(c, &k, &v, DB_NEXT);
        if (ret != 0)
            break;
        vg_audit_entry e = {0};
        char *strs[3] = {NULL, NULL, NULL};
        if (k.size != 8 || !audit__decode(v.data, v.size, &e, strs)) {
            rc = vg_fail(err, VG_ERR_DB, "%s: malformed record", a.where[AUDIT_LOG]);
        } else {
            e.seq = vg_skey_get_u64(k.data);
            if ((!platform || strcmp(platform, e.platform) == 0) && fn(ctx, &e))
                ret = DB_NOTFOUND; /* stop */
        }
        free(strs[0]), free(strs[1]), free(strs[2]);
    }
    if (rc == VG_OK && ret != 0 && ret != DB_NOTFOUND)
        rc = vg_senv_fail(err, ret, a.where[AUDIT_LOG], "DBC->get");
    if (c)
        c->close(c);
    if (txn)
        vg_store__read_end(s, txn, rc == VG_OK);
    audit__close(&a);
    return rc;
}
