/* dmflags.c: the delayed-mode flags database (dmflags.h): its key and value encodings
 * (docs/storage.md, "Delayed-mode flags"), the chunked write of one run, and the walks
 * that read records and runs back. */
#include "storage/dmflags.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "storage/keys.h"
#include "storage/records.h"
#include "storage/store_int.h"

#define DMF_VERSION 1
#define DMF_FILE "dmflags.db"
#define DMF_PAGE_SIZE 16384u
#define DMF_RUN_PREFIX "\0run"
#define DMF_RUN_PREFIX_LEN 4
#define DMF_RUN_KEY_LEN (DMF_RUN_PREFIX_LEN + 8)
/* a sample record: version, run (u64 LE), count, count x (code, flag) */
#define DMF_REC_MAX (1 + 8 + 1 + VG_P__COUNT * (VG_SREC_CODE_LEN + 1))
/* a run record before its three strings */
#define DMF_RUN_FIXED (1 + 1 + 8 + 8 + 8 + 8 + 8)

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

/* Open dmflags.db: *db NULL (and VG_OK) when a reader finds no file. */
static vg_err dmf__open(vg_store *s, DB **out, char *where, size_t cap, vg_errinfo *err)
{
    *out = NULL;
    vg_err rc = vg_store__usable(s, err);
    if (rc != VG_OK)
        return rc;
    snprintf(where, cap, "%s/%s", s->path, DMF_FILE);
    DB *db;
    int ret = db_create(&db, s->env, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, where, "db_create");
    if (!s->read_only && (ret = db->set_pagesize(db, DMF_PAGE_SIZE)) != 0) {
        db->close(db, 0);
        return vg_senv_fail(err, ret, where, "DB->set_pagesize");
    }
    u_int32_t flags = (s->read_only ? DB_RDONLY : DB_CREATE) | DB_AUTO_COMMIT | DB_MULTIVERSION;
    if (s->replica) /* as the store's files (store.c): a replica has no multiversion */
        flags &= ~(u_int32_t)DB_MULTIVERSION;
    ret = db->open(db, NULL, DMF_FILE, NULL, DB_BTREE, flags, 0640);
    if (ret != 0) {
        db->close(db, 0);
        if (ret == ENOENT && s->read_only)
            return VG_OK; /* no run was ever stored */
        return vg_senv_fail(err, ret, where, "DB->open");
    }
    *out = db;
    return VG_OK;
}

static void dmf__run_key(unsigned char *k, uint64_t seq)
{
    memcpy(k, DMF_RUN_PREFIX, DMF_RUN_PREFIX_LEN);
    vg_skey_put_u64(k + DMF_RUN_PREFIX_LEN, seq);
}

static bool dmf__text_ok(const char *t)
{
    return t && *t && strlen(t) <= VG_DMFLAGS_TEXT_MAX;
}

/* Put the run record of r (complete or not) in the open batch. */
static int dmf__put_run(DB *db, DB_TXN *txn, const vg_dmflags_run *r, bool complete)
{
    const char *str[3] = {r->platform, r->who, r->what};
    size_t len[3], n = DMF_RUN_FIXED;
    for (int i = 0; i < 3; i++)
        n += 4 + (len[i] = strlen(str[i]));
    unsigned char kb[DMF_RUN_KEY_LEN], *b = malloc(n), *p = b;
    if (!b)
        return ENOMEM;
    *p++ = DMF_VERSION;
    *p++ = complete;
    put_u64le(p, (uint64_t)r->when), p += 8;
    put_u64le(p, (uint64_t)r->from), p += 8;
    put_u64le(p, (uint64_t)r->to), p += 8;
    put_u64le(p, r->samples), p += 8;
    put_u64le(p, r->values), p += 8;
    for (int i = 0; i < 3; i++) {
        vg_srec_put_u32(p, (uint32_t)len[i]), p += 4;
        memcpy(p, str[i], len[i]), p += len[i];
    }
    dmf__run_key(kb, r->seq);
    DBT k = {.data = kb, .size = DMF_RUN_KEY_LEN}, v = {.data = b, .size = (u_int32_t)n};
    int ret = db->put(db, txn, &k, &v, 0);
    free(b);
    return ret;
}

/* The next run number: the last run key + 1, or 0. Run keys ('\0' "run" seq) sort before
 * every sample key (a platform id never starts with '\0'). */
static int dmf__next_seq(DB *db, uint64_t *seq)
{
    DBC *c;
    int ret = db->cursor(db, NULL, &c, 0);
    if (ret != 0)
        return ret;
    unsigned char kb[VG_SKEY_MAX];
    dmf__run_key(kb, UINT64_MAX);
    DBT k = {.data = kb, .size = DMF_RUN_KEY_LEN, .ulen = sizeof kb, .flags = DB_DBT_USERMEM};
    DBT v = {.flags = DB_DBT_PARTIAL};
    *seq = 0;
    /* the first key after every run key, then one step back */
    ret = c->get(c, &k, &v, DB_SET_RANGE);
    if (ret == 0 || ret == DB_NOTFOUND)
        ret = c->get(c, &k, &v, ret == 0 ? DB_PREV : DB_LAST);
    if (ret == 0 && k.size == DMF_RUN_KEY_LEN && !memcmp(kb, DMF_RUN_PREFIX, DMF_RUN_PREFIX_LEN))
        *seq = vg_skey_get_u64(kb + DMF_RUN_PREFIX_LEN) + 1;
    if (ret == DB_NOTFOUND)
        ret = 0; /* empty, or nothing before the first sample key: no run yet */
    c->close(c);
    return ret;
}

vg_err vg_dmflags_write(vg_store *s, vg_dmflags_run *run, size_t n, const vg_time_us *time,
                        const vg_flag *const flag[VG_P__COUNT],
                        const double *const value[VG_P__COUNT], vg_errinfo *err)
{
    if (!s || !run || !vg_store__platform_ok(run->platform) || !dmf__text_ok(run->who) ||
        !dmf__text_ok(run->what) || (n && !time))
        return vg_fail(err, VG_ERR_INVAL,
                       "delayed-mode flags: platform, operator and description (1..%d bytes) "
                       "are required", VG_DMFLAGS_TEXT_MAX);
    if (s->read_only)
        return vg_fail(err, VG_ERR_INVAL,
                       "%s: opened read-only: delayed-mode flags need the writer", s->path);
    if (s->txn)
        return vg_fail(err, VG_ERR_INVAL, "%s: delayed-mode flags are written outside a batch",
                       s->path);
    for (int p = 0; p < VG_P__COUNT; p++)
        for (size_t i = 0; flag[p] && i < n; i++)
            if (!vg_flag_valid(flag[p][i]) && (!value[p] || value[p][i] == value[p][i]))
                return vg_fail(err, VG_ERR_INVAL, "delayed-mode flag %u of %s row %zu: not 0-9",
                               flag[p][i], vg_param_get(p)->code, i);
    if (!run->when)
        run->when = vg_time_now();
    run->from = n ? time[0] : VG_TIME_NONE;
    run->to = n ? time[n - 1] : VG_TIME_NONE;
    run->samples = run->values = 0;
    char where[4096];
    DB *db;
    vg_err rc = dmf__open(s, &db, where, sizeof where, err);
    if (rc != VG_OK)
        return rc;
    int ret = dmf__next_seq(db, &run->seq);
    const char *op = "DBC->get";
    for (size_t i0 = 0; ret == 0 && rc == VG_OK && (i0 < n || i0 == 0); i0 += VG_DMFLAGS_CHUNK) {
        size_t i1 = n - i0 > VG_DMFLAGS_CHUNK ? i0 + VG_DMFLAGS_CHUNK : n;
        if ((rc = vg_store_begin(s, err)) != VG_OK)
            break;
        uint64_t samples = run->samples, values = run->values;
        if (i0 == 0 && (ret = dmf__put_run(db, s->txn, run, false)) != 0)
            op = "DB->put";
        for (size_t i = i0; i < i1 && ret == 0; i++) {
            unsigned char kb[VG_SKEY_MAX], vb[DMF_REC_MAX];
            size_t m = 0;
            unsigned char *q = vb + 10;
            for (int p = 0; p < VG_P__COUNT; p++) {
                if (!flag[p] || (value[p] && value[p][i] != value[p][i]))
                    continue;
                const char *code = vg_param_get(p)->code;
                memset(q, 0, VG_SREC_CODE_LEN);
                memcpy(q, code, strnlen(code, VG_SREC_CODE_LEN));
                q[VG_SREC_CODE_LEN] = flag[p][i];
                q += VG_SREC_CODE_LEN + 1;
                m++;
            }
            if (!m)
                continue;
            vb[0] = DMF_VERSION;
            put_u64le(vb + 1, run->seq);
            vb[9] = (unsigned char)m;
            DBT k = {.data = kb, .size = (u_int32_t)vg_skey_sample(kb, run->platform, time[i])};
            DBT v = {.data = vb, .size = (u_int32_t)(q - vb)};
            if ((ret = db->put(db, s->txn, &k, &v, 0)) != 0)
                op = "DB->put";
            samples++, values += m;
        }
        bool last = i1 >= n;
        if (ret == 0 && last) {
            run->samples = samples, run->values = values;
            if ((ret = dmf__put_run(db, s->txn, run, true)) != 0)
                op = "DB->put";
        }
        if (ret != 0) {
            vg_store_abort(s);
            break;
        }
        if ((rc = vg_store_commit(s, err)) != VG_OK)
            break;
        run->samples = samples, run->values = values;
        if (last)
            break;
    }
    if (rc == VG_OK && ret != 0)
        rc = vg_senv_fail(err, ret, where, op);
    db->close(db, 0);
    return rc;
}

/* Decode a sample record into r (its time set by the caller); false if malformed. */
static bool dmf__decode_row(const unsigned char *p, size_t n, vg_dmflags_row *r)
{
    if (n < 10 || p[0] != DMF_VERSION || n != 10 + (size_t)p[9] * (VG_SREC_CODE_LEN + 1))
        return false;
    r->run = get_u64le(p + 1);
    r->present = 0;
    for (size_t j = 0; j < p[9]; j++) {
        const unsigned char *e = p + 10 + j * (VG_SREC_CODE_LEN + 1);
        if (!vg_flag_valid(e[VG_SREC_CODE_LEN]))
            return false;
        int prm = vg_param_lookup((const char *)e, strnlen((const char *)e, VG_SREC_CODE_LEN));
        if (prm < 0)
            continue; /* a parameter of a newer vigie */
        r->present |= VG_PARAM_BIT(prm);
        r->flag[prm] = e[VG_SREC_CODE_LEN];
    }
    return true;
}

vg_err vg_dmflags_walk(vg_store *s, const char *platform, vg_time_us from, vg_time_us to,
                       int (*fn)(void *ctx, const vg_dmflags_row *r), void *ctx,
                       vg_errinfo *err)
{
    if (!s || !vg_store__platform_ok(platform) || !fn)
        return vg_fail(err, VG_ERR_INVAL, "delayed-mode flags: a valid platform id is required");
    char where[4096];
    DB *db;
    vg_err rc = dmf__open(s, &db, where, sizeof where, err);
    if (rc != VG_OK || !db)
        return rc;
    DB_TXN *txn = NULL;
    int ret = vg_store__read_begin(s, &txn);
    DBC *c = NULL;
    if (ret == 0)
        ret = db->cursor(db, txn, &c, 0);
    unsigned char kb[VG_SKEY_MAX];
    size_t plen = vg_skey_platform(kb, platform);
    size_t klen = vg_skey_sample(kb, platform, from == VG_TIME_NONE ? INT64_MIN : from);
    DBT k = {.data = kb, .size = (u_int32_t)klen, .ulen = sizeof kb, .flags = DB_DBT_USERMEM};
    DBT v = {0};
    for (u_int32_t op = DB_SET_RANGE; ret == 0 && rc == VG_OK; op = DB_NEXT) {
        ret = c->get(c, &k, &v, op);
        if (ret == DB_BUFFER_SMALL)
            break; /* a longer key: another platform's (ids are at most 31 bytes) */
        if (ret != 0)
            break;
        if (k.size != plen + VG_SKEY_TIME_LEN || memcmp(kb, platform, plen - 1) ||
            kb[plen - 1] != 0)
            break; /* another platform */
        vg_dmflags_row r = {.time = vg_skey_get_time(kb + plen)};
        if (to != VG_TIME_NONE && r.time > to)
            break;
        if (!dmf__decode_row(v.data, v.size, &r)) {
            rc = vg_fail(err, VG_ERR_DB, "%s: malformed record", where);
            break;
        }
        if (fn(ctx, &r))
            break;
    }
    if (rc == VG_OK && ret != 0 && ret != DB_NOTFOUND && ret != DB_BUFFER_SMALL)
        rc = vg_senv_fail(err, ret, where, "DBC->get");
    if (c)
        c->close(c);
    if (txn)
        vg_store__read_end(s, txn, rc == VG_OK);
    db->close(db, 0);
    return rc;
}

/* Decode a run record; strs[] get the three strings (malloc'd); false if malformed. */
static bool dmf__decode_run(const unsigned char *p, size_t n, vg_dmflags_run *r, char **strs)
{
    if (n < DMF_RUN_FIXED || p[0] != DMF_VERSION || p[1] > 1)
        return false;
    r->complete = p[1];
    r->when = (vg_time_us)get_u64le(p + 2);
    r->from = (vg_time_us)get_u64le(p + 10);
    r->to = (vg_time_us)get_u64le(p + 18);
    r->samples = get_u64le(p + 26);
    r->values = get_u64le(p + 34);
    size_t off = DMF_RUN_FIXED;
    for (int i = 0; i < 3; i++) {
        if (n - off < 4)
            return false;
        uint32_t len = vg_srec_get_u32(p + off);
        off += 4;
        if (n - off < len || !(strs[i] = malloc((size_t)len + 1)))
            return false;
        memcpy(strs[i], p + off, len);
        strs[i][len] = '\0';
        off += len;
    }
    r->platform = strs[0], r->who = strs[1], r->what = strs[2];
    return off == n;
}

vg_err vg_dmflags_runs(vg_store *s, const char *platform,
                       int (*fn)(void *ctx, const vg_dmflags_run *r), void *ctx,
                       vg_errinfo *err)
{
    if (!s || !fn)
        return vg_fail(err, VG_ERR_INVAL, "delayed-mode runs: store and callback are required");
    char where[4096];
    DB *db;
    vg_err rc = dmf__open(s, &db, where, sizeof where, err);
    if (rc != VG_OK || !db)
        return rc;
    DB_TXN *txn = NULL;
    int ret = vg_store__read_begin(s, &txn);
    DBC *c = NULL;
    if (ret == 0)
        ret = db->cursor(db, txn, &c, 0);
    unsigned char kb[DMF_RUN_KEY_LEN];
    dmf__run_key(kb, 0);
    DBT k = {.data = kb, .size = DMF_RUN_KEY_LEN, .ulen = sizeof kb, .flags = DB_DBT_USERMEM};
    DBT v = {0};
    for (u_int32_t op = DB_SET_RANGE; ret == 0 && rc == VG_OK; op = DB_NEXT) {
        ret = c->get(c, &k, &v, op);
        if (ret != 0 || k.size != DMF_RUN_KEY_LEN || memcmp(kb, DMF_RUN_PREFIX, DMF_RUN_PREFIX_LEN))
            break; /* past the runs: the sample records (a longer key: DB_BUFFER_SMALL) */
        vg_dmflags_run r = {.seq = vg_skey_get_u64(kb + DMF_RUN_PREFIX_LEN)};
        char *strs[3] = {NULL, NULL, NULL};
        if (!dmf__decode_run(v.data, v.size, &r, strs))
            rc = vg_fail(err, VG_ERR_DB, "%s: malformed run record", where);
        else if ((!platform || !strcmp(platform, r.platform)) && fn(ctx, &r))
            ret = DB_NOTFOUND; /* stop */
        free(strs[0]), free(strs[1]), free(strs[2]);
    }
    if (rc == VG_OK && ret != 0 && ret != DB_NOTFOUND && ret != DB_BUFFER_SMALL)
        rc = vg_senv_fail(err, ret, where, "DBC->get");
    if (c)
        c->close(c);
    if (txn)
        vg_store__read_end(s, txn, rc == VG_OK);
    db->close(db, 0);
    return rc;
}
