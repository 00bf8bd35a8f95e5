/* migrate.c: the conversion of a version-2 store (samples.db one btree keyed by
 * "platform '\0' time") to version 3 (samples.db one subdatabase per platform, keyed by
 * time), run by the writer's open (docs/storage.md, "Schema version 3"). Every step is a
 * committed transaction, each chunk with the mark of the last key it copied, so a
 * conversion interrupted at any point (kill -9, full disk) resumes after that key at the
 * next open. */
#include <db.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/time.h"
#include "storage/env.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/store_int.h"

#define MIGRATE_OLD_FILE "samples-v2.db"
/* meta.db: the last key of samples-v2.db copied, written with each chunk, removed with the
 * old file: where an interrupted conversion resumes. */
#define MIGRATE_MARK_KEY "migrate_v2_last"

static DBT migrate__mark_key(void)
{
    static char key[] = MIGRATE_MARK_KEY;
    return (DBT){.data = key, .size = (u_int32_t)strlen(key)};
}

static bool migrate__exists(const vg_store *s, const char *file)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", s->path, file);
    return access(p, F_OK) == 0;
}

/* Begin a transaction of the conversion, as the store's batch (so that platform databases
 * are created in it). Returns a Berkeley DB error number. */
static int migrate__begin(vg_store *s)
{
    int ret = s->env->txn_begin(s->env, NULL, &s->txn, 0);
    if (ret != 0) {
        s->txn = NULL;
        return ret;
    }
    s->txn->set_name(s->txn, VG_SENV_WRITER_TXN); /* a hint for readers: errors ignored */
    return 0;
}

/* End it: commit when ret is 0, else abort. Returns ret, or the commit's error. */
static int migrate__end(vg_store *s, int ret)
{
    DB_TXN *txn = s->txn;
    s->txn = NULL;
    if (ret == 0)
        ret = txn->commit(txn, 0);
    else
        txn->abort(txn);
    vg_store__pdb_end_batch(s, ret == 0);
    return ret;
}

size_t vg_store__migrate_chunk = 20000;
uint64_t vg_store__migrate_copied;
size_t vg_store__migrate_stop_after;

/* Copy one chunk of old's records, starting after last[0..*last_len) (from the first
 * record when *last_len is 0), into the platform databases; last becomes the last key
 * copied, also written to meta.db (MIGRATE_MARK_KEY) in the chunk's transaction. *done when
 * the end was reached; *copied counts. Returns 0, a Berkeley DB error, or -1 for a
 * malformed key (err filled). */
static int migrate__chunk(vg_store *s, DB *old, unsigned char *last, u_int32_t *last_len,
                          bool *done, uint64_t *copied, vg_errinfo *err)
{
    DBC *c;
    int ret = old->cursor(old, s->txn, &c, 0);
    if (ret != 0)
        return ret;
    unsigned char kb[VG_SKEY_MAX];
    memcpy(kb, last, *last_len);
    DBT k = {.data = kb, .size = *last_len, .ulen = sizeof kb, .flags = DB_DBT_USERMEM};
    DBT v = {0};
    ret = *last_len ? c->get(c, &k, &v, DB_SET_RANGE) : c->get(c, &k, &v, DB_FIRST);
    if (ret == 0 && *last_len && k.size == *last_len && memcmp(kb, last, *last_len) == 0)
        ret = c->get(c, &k, &v, DB_NEXT); /* copied by the previous chunk */
    for (size_t n = 0; ret == 0 && n < vg_store__migrate_chunk; n++) {
        const unsigned char *nul = memchr(kb, 0, k.size);
        if (!nul || kb + k.size - (nul + 1) != VG_SKEY_TIME_LEN ||
            !vg_platform_id_valid((const char *)kb, (size_t)(nul - kb))) {
            c->close(c);
            vg_fail(err, VG_ERR_DB, "%s/" MIGRATE_OLD_FILE ": a key that is not "
                    "\"platform '\\0' time\": not a version-2 samples database; the store is "
                    "left as it is", s->path);
            return -1;
        }
        DB *db;
        size_t plen;
        if ((ret = vg_store__pdb(s, (const char *)kb, true, &db, &plen)) != 0)
            break;
        /* The time alone in an own database; the whole key in "#shared". */
        DBT nk = {.data = (void *)(nul + 1 - plen), .size = (u_int32_t)(plen + VG_SKEY_TIME_LEN)};
        if ((ret = db->put(db, s->txn, &nk, &v, 0)) != 0)
            break;
        memcpy(last, kb, k.size);
        *last_len = k.size;
        (*copied)++;
        ret = c->get(c, &k, &v, DB_NEXT);
    }
    if (ret == DB_NOTFOUND) {
        *done = true;
        ret = 0;
    }
    int cret = c->close(c);
    if (ret == 0 && cret == 0 && *last_len) {
        DBT mk = migrate__mark_key();
        DBT mv = {.data = last, .size = *last_len};
        DB *meta = s->db[VG_STORE_META];
        ret = meta->put(meta, s->txn, &mk, &mv, 0);
    }
    return ret ? ret : cret;
}

vg_err vg_store__migrate_v2(vg_store *s, vg_errinfo *err)
{
    const char *where = s->where[VG_STORE_SAMPLES];
    int ret = 0;
    if (!migrate__exists(s, MIGRATE_OLD_FILE)) {
        if (!migrate__exists(s, VG_STORE_SAMPLES_FILE))
            return vg_fail(err, VG_ERR_DB, "%s: missing: a schema-2 store without its samples",
                           where);
        vg_notice("%s: converting the store from schema version 2 to %d (one database per "
                  "platform); samples.db becomes " MIGRATE_OLD_FILE " until the copy is done",
                  s->path, VG_STORE_SCHEMA_VERSION);
        if ((ret = migrate__begin(s)) == 0)
            ret = migrate__end(s, s->env->dbrename(s->env, s->txn, VG_STORE_SAMPLES_FILE, NULL,
                                                   MIGRATE_OLD_FILE, 0));
        if (ret != 0)
            return vg_senv_fail(err, ret, where, "DB_ENV->dbrename");
    } else {
        vg_notice("%s: resuming the conversion from schema version 2 to %d", s->path,
                  VG_STORE_SCHEMA_VERSION);
    }
    vg_err rc = vg_store__open_samples(s, err);
    if (rc != VG_OK)
        return rc;

    DB *old;
    if ((ret = db_create(&old, s->env, 0)) != 0)
        return vg_senv_fail(err, ret, where, "db_create");
    if ((ret = old->open(old, NULL, MIGRATE_OLD_FILE, NULL, DB_BTREE, DB_AUTO_COMMIT, 0)) != 0) {
        old->close(old, 0);
        return vg_senv_fail(err, ret, MIGRATE_OLD_FILE, "DB->open");
    }
    /* Where an interrupted conversion stopped: after the mark's key (none: from the first). */
    unsigned char last[VG_SKEY_MAX];
    u_int32_t last_len = 0;
    DB *meta = s->db[VG_STORE_META];
    DBT mk = migrate__mark_key();
    DBT mv = {.data = last, .ulen = sizeof last, .flags = DB_DBT_USERMEM};
    ret = meta->get(meta, NULL, &mk, &mv, 0);
    if (ret == 0) {
        last_len = mv.size;
        const unsigned char *nul = memchr(last, 0, last_len);
        char when[VG_TIME_ISO_LEN] = "?";
        if (nul && last + last_len - (nul + 1) == VG_SKEY_TIME_LEN)
            vg_time_format_iso8601(vg_skey_get_time(nul + 1), when);
        vg_notice("%s: the copy goes on after platform %.*s, %s", s->path,
                  nul ? (int)(nul - last) : 0, (const char *)last, when);
    } else if (ret != DB_NOTFOUND) {
        old->close(old, 0);
        return vg_senv_fail(err, ret, s->where[VG_STORE_META], "DB->get(" MIGRATE_MARK_KEY ")");
    }
    ret = 0;
    bool done = false;
    uint64_t copied = 0, reported = 0;
    for (size_t chunks = 1; !done; chunks++) {
        if ((ret = migrate__begin(s)) != 0)
            break;
        ret = migrate__end(s, migrate__chunk(s, old, last, &last_len, &done, &copied, err));
        if (ret != 0)
            break;
        if (chunks == vg_store__migrate_stop_after && !done) {
            old->close(old, 0);
            vg_store__migrate_copied = copied;
            return vg_fail(err, VG_ERR_DB, "%s: conversion stopped after %zu chunks (a test's "
                           "vg_store__migrate_stop_after)", s->path, chunks);
        }
        if (copied - reported >= 1000000) {
            vg_notice("%s: %llu samples converted so far", s->path, (unsigned long long)copied);
            reported = copied;
        }
    }
    int cret = old->close(old, 0);
    vg_store__migrate_copied = copied;
    if (ret == -1)
        return VG_ERR_DB;
    if (ret != 0 || cret != 0)
        return vg_senv_fail(err, ret ? ret : cret, MIGRATE_OLD_FILE, "copy");

    /* The old file goes and the version changes together. */
    unsigned char vbuf[4];
    vg_srec_put_u32(vbuf, VG_STORE_SCHEMA_VERSION);
    char kbuf[] = VG_SREC_META_SCHEMA_KEY;
    DBT k = {.data = kbuf, .size = (u_int32_t)strlen(kbuf)};
    DBT v = {.data = vbuf, .size = sizeof vbuf};
    if ((ret = migrate__begin(s)) == 0) {
        ret = s->env->dbremove(s->env, s->txn, MIGRATE_OLD_FILE, NULL, 0);
        if (ret == 0)
            ret = meta->put(meta, s->txn, &k, &v, 0);
        if (ret == 0 && (ret = meta->del(meta, s->txn, &mk, 0)) == DB_NOTFOUND)
            ret = 0;
        ret = migrate__end(s, ret);
    }
    if (ret != 0)
        return vg_senv_fail(err, ret, s->path, "schema version 3");
    if ((ret = s->env->txn_checkpoint(s->env, 0, 0, 0)) != 0)
        return vg_senv_fail(err, ret, s->path, "DB_ENV->txn_checkpoint");
    vg_notice("%s: converted to schema version %d (%llu samples copied by this run)", s->path,
              VG_STORE_SCHEMA_VERSION, (unsigned long long)copied);
    return VG_OK;
}
