/* platform_db.c: where a platform's samples are in samples.db (schema 3, docs/storage.md,
 * "Files"). The first VG_STORE_OWN_MAX platforms of a store each get a btree subdatabase of
 * their own, named by the platform id and keyed by the sample time alone, so that each
 * appends at the right edge of its own tree (full pages, half the split log of one shared
 * tree). Later platforms share the subdatabase "#shared", keyed by "platform '\0' time" (as
 * schema 2 was): Berkeley DB 5.3 scans every open handle of the environment when it opens
 * one, and each handle holds mutexes of the shared region, so the number of handles the
 * writer holds must stay bounded. This file keeps the table of open handles of a vg_store
 * and lists the platforms. Internal to the storage layer. */
#include <db.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "storage/env.h"
#include "storage/store_int.h"

/* Handles a reader keeps open at most: above it, the least recently used quarter is closed
 * before the next open (a reader has no transaction that uses them). */
#define PDB_READER_OPEN_MAX 64u

/* FNV-1a of a NUL-terminated id. */
static uint64_t pdb__hash(const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ull;
    return h;
}

/* The slot of id in s->pdb (an empty slot if absent); s->pdb_cap > 0. */
static vg_pdb *pdb__slot(vg_store *s, const char *id)
{
    size_t mask = s->pdb_cap - 1;
    for (size_t i = (size_t)pdb__hash(id) & mask;; i = (i + 1) & mask) {
        vg_pdb *p = &s->pdb[i];
        if (!p->db || strcmp(p->name, id) == 0)
            return p;
    }
}

/* Rebuild the table with cap slots (a power of two above twice the entries), keeping the
 * entries with a handle. false on allocation failure (the table is unchanged). */
static bool pdb__rehash(vg_store *s, size_t cap)
{
    vg_pdb *old = s->pdb;
    size_t ocap = s->pdb_cap;
    vg_pdb *n = calloc(cap, sizeof *n);
    if (!n)
        return false;
    s->pdb = n;
    s->pdb_cap = cap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].db)
            *pdb__slot(s, old[i].name) = old[i];
    free(old);
    return true;
}

static int pdb__by_age(const void *a, const void *b)
{
    uint64_t x = **(const uint64_t *const *)a, y = **(const uint64_t *const *)b;
    return x < y ? -1 : x > y;
}

/* Close the least recently used quarter of the own handles (no transaction open: none is
 * in use). Nothing is closed if the table cannot be rebuilt. */
static void pdb__evict(vg_store *s)
{
    vg_pdb *keep = calloc(s->pdb_cap, sizeof *keep);
    const uint64_t **age = malloc(s->pdb_n * sizeof *age);
    size_t n = 0;
    for (size_t i = 0; age && i < s->pdb_cap; i++)
        if (s->pdb[i].db && !s->pdb[i].shared)
            age[n++] = &s->pdb[i].used;
    if (keep && age && n > 0) {
        qsort(age, n, sizeof *age, pdb__by_age);
        uint64_t limit = *age[n / 4];
        vg_pdb *old = s->pdb;
        s->pdb = keep;
        for (size_t i = 0; i < s->pdb_cap; i++) {
            if (!old[i].db)
                continue;
            if (!old[i].shared && old[i].used <= limit) {
                old[i].db->close(old[i].db, DB_NOSYNC); /* read-only: nothing to write */
                s->pdb_n--;
            } else {
                *pdb__slot(s, old[i].name) = old[i];
            }
        }
        free(old);
        keep = NULL;
    }
    free(keep);
    free(age);
}

/* Open platform's own database in txn (creating it if create); *db = NULL and 0 if it
 * does not exist and !create. */
static int pdb__open_own(vg_store *s, DB_TXN *txn, const char *platform, bool create, DB **db)
{
    *db = NULL;
    DB *h;
    int ret = db_create(&h, s->env, 0);
    if (ret != 0)
        return ret;
    u_int32_t flags = (s->read_only ? DB_RDONLY : 0) | (create ? DB_CREATE : 0) |
                      (s->replica ? 0 : DB_MULTIVERSION);
    ret = h->open(h, txn, VG_STORE_SAMPLES_FILE, platform, DB_BTREE, flags, 0);
    if (ret != 0) {
        h->close(h, 0);
        return ret == ENOENT ? 0 : ret;
    }
    vg_store__samples_priority(h);
    *db = h;
    return 0;
}

int vg_store__pdb(vg_store *s, const char *platform, bool create, DB **out, size_t *plen)
{
    *out = NULL;
    *plen = 0;
    if (create && !s->txn)
        return EINVAL;
    if (s->pdb_cap == 0 && !pdb__rehash(s, 64))
        return ENOMEM;
    vg_pdb *p = pdb__slot(s, platform);
    if (p->db) {
        p->used = ++s->pdb_clock;
        *out = p->db;
        *plen = p->shared ? strlen(platform) + 1 : 0;
        return 0;
    }
    if (!s->txn && s->read_only && s->pdb_n >= PDB_READER_OPEN_MAX) {
        pdb__evict(s);
        p = pdb__slot(s, platform);
    }
    if (2 * (s->pdb_n + 1) > s->pdb_cap) {
        if (!pdb__rehash(s, 2 * s->pdb_cap))
            return ENOMEM;
        p = pdb__slot(s, platform);
    }
    /* Open inside the batch when there is one (a creation then lands or vanishes with it),
     * else in a short read transaction: a snapshot, which never waits for a batch that is
     * creating another platform's database. */
    DB_TXN *txn = s->txn;
    int ret = 0;
    if (!txn && (ret = vg_store__read_begin(s, &txn)) != 0)
        return ret;
    DB *db;
    ret = pdb__open_own(s, txn, platform, false, &db);
    bool created = false;
    if (ret == 0 && !db && create && s->pdb_own < VG_STORE_OWN_MAX) {
        ret = pdb__open_own(s, txn, platform, true, &db);
        created = ret == 0 && db;
    }
    int tret = vg_store__read_end(s, txn, ret == 0);
    if (ret == 0 && tret != 0) {
        if (db)
            db->close(db, 0);
        ret = tret;
    }
    if (ret != 0)
        return ret;
    if (!db) {
        /* In the shared database. A reader does not remember it: the platform may have no
         * sample yet, and its first one may create an own database. The writer decides
         * once (the number of own databases never goes down), so it remembers. */
        *out = s->shared;
        *plen = strlen(platform) + 1;
        if (!create)
            return 0;
        db = s->shared;
    }
    memcpy(p->name, platform, strlen(platform) + 1);
    p->db = db;
    p->shared = db == s->shared;
    p->used = ++s->pdb_clock;
    p->opened_in = p->shared ? NULL : s->txn; /* invalid if that batch aborts */
    p->created = created;
    if (p->opened_in)
        s->pdb_batch_opened++;
    if (created)
        s->pdb_own++;
    s->pdb_n++;
    *out = db;
    *plen = p->shared ? strlen(platform) + 1 : 0;
    return 0;
}

void vg_store__pdb_end_batch(vg_store *s, bool committed)
{
    size_t opened = s->pdb_batch_opened;
    s->pdb_batch_opened = 0;
    if (committed && opened == 0)
        return; /* the usual commit: no handle opened in it, nothing to forget */
    bool changed = false;
    for (size_t i = 0; i < s->pdb_cap; i++) {
        vg_pdb *p = &s->pdb[i];
        if (!p->db || !p->opened_in)
            continue;
        p->opened_in = NULL;
        if (!committed) { /* opened (or created) in a rolled-back batch: no longer valid */
            if (p->created)
                s->pdb_own--;
            p->db->close(p->db, DB_NOSYNC);
            p->db = NULL;
            s->pdb_n--;
            changed = true;
        }
        p->created = false;
    }
    if (!committed) {
        /* Shared entries of the batch are forgotten too: the platform's own database may
         * have been among the creations rolled back, so the choice is made again. */
        for (size_t i = 0; i < s->pdb_cap; i++) {
            if (s->pdb[i].db && s->pdb[i].shared) {
                s->pdb[i].db = NULL;
                s->pdb_n--;
                changed = true;
            }
        }
    }
    if (changed && !pdb__rehash(s, s->pdb_cap))
        vg_store__pdb_close_all(s, DB_NOSYNC); /* emptied slots would break probe chains */
}

int vg_store__pdb_close_all(vg_store *s, u_int32_t flags)
{
    int first = 0;
    for (size_t i = 0; i < s->pdb_cap; i++) {
        if (!s->pdb[i].db || s->pdb[i].shared)
            continue;
        int ret = s->pdb[i].db->close(s->pdb[i].db, flags);
        if (ret != 0 && first == 0)
            first = ret;
    }
    free(s->pdb);
    s->pdb = NULL;
    s->pdb_cap = s->pdb_n = s->pdb_batch_opened = 0;
    return first;
}

void vg_store__samples_priority(DB *db)
{
    DB_MPOOLFILE *mpf = db->get_mpf(db);
    if (mpf)
        mpf->set_priority(mpf, DB_PRIORITY_VERY_LOW); /* a hint: a failure changes no data */
}

int vg_store__count_own(vg_store *s, size_t *n)
{
    *n = 0;
    char id[VG_PLATFORM_MAX];
    int ret;
    for (const char *after = NULL; (ret = vg_store__next_platform(s, after, id)) == 0; after = id)
        (*n)++;
    return ret == DB_NOTFOUND ? 0 : ret;
}

int vg_store__next_platform(vg_store *s, const char *after, char out[VG_PLATFORM_MAX])
{
    DB *master = s->db[VG_STORE_SAMPLES];
    DB_TXN *txn;
    int ret = vg_store__read_begin(s, &txn);
    if (ret != 0)
        return ret;
    DBC *c;
    if ((ret = master->cursor(master, txn, &c, 0)) != 0) {
        vg_store__read_end(s, txn, false);
        return ret;
    }
    char kb[VG_PLATFORM_MAX];
    size_t alen = after ? strlen(after) : 0;
    memcpy(kb, after ? after : "", alen);
    DBT k = {.data = kb, .size = (u_int32_t)alen, .ulen = sizeof kb, .flags = DB_DBT_USERMEM};
    DBT v = {.flags = DB_DBT_PARTIAL}; /* the names are enough */
    ret = alen ? c->get(c, &k, &v, DB_SET_RANGE) : c->get(c, &k, &v, DB_FIRST);
    /* Skip the name given and anything not a platform ("#shared"). */
    while (ret == 0 && ((alen && k.size == alen && memcmp(kb, after, alen) == 0) ||
                        !vg_platform_id_valid(kb, k.size)))
        ret = c->get(c, &k, &v, DB_NEXT);
    if (ret == DB_BUFFER_SMALL) /* a name longer than any platform id: not vigie's */
        ret = EINVAL;
    if (ret == 0) {
        memcpy(out, kb, k.size);
        out[k.size] = 0;
    }
    int cret = c->close(c);
    int tret = vg_store__read_end(s, txn, ret == 0 || ret == DB_NOTFOUND);
    if (ret == 0)
        ret = cret ? cret : tret;
    return ret;
}
