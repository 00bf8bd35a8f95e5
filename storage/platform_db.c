/* platform_db.c: the per-platform databases of samples.db (schema 3, docs/storage.md,
 * "Files"): one btree subdatabase per platform, named by the platform id and keyed by the
 * sample time alone, so that each platform appends at the right edge of its own tree
 * (full pages, half the split log of one shared tree). This file keeps the table of open
 * handles of a vg_store (created on demand, closed with the batch that created them if it
 * aborts, least recently used ones closed between batches above a bound) and lists the
 * platforms through the master database of the file. Internal to the storage layer. */
#include <db.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "storage/env.h"
#include "storage/store_int.h"

/* Handles kept open by one store at most; above it, the least recently used are closed
 * after a batch ends (each holds a lock and a slot of the log region). */
#define PDB_MAX_OPEN 16384u
#define PDB_PAGE_SIZE 16384u

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

int vg_store__pdb(vg_store *s, const char *platform, bool create, DB **out)
{
    *out = NULL;
    if (s->pdb_cap == 0 && !pdb__rehash(s, 64))
        return ENOMEM;
    vg_pdb *p = pdb__slot(s, platform);
    if (p->db) {
        p->used = ++s->pdb_clock;
        *out = p->db;
        return 0;
    }
    if (create && !s->txn)
        return EINVAL;
    if (2 * (s->pdb_n + 1) > s->pdb_cap) {
        if (!pdb__rehash(s, 2 * s->pdb_cap))
            return ENOMEM;
        p = pdb__slot(s, platform);
    }
    DB *db;
    int ret = db_create(&db, s->env, 0);
    if (ret != 0)
        return ret;
    /* Open inside the batch when there is one (a creation then lands or vanishes with
     * it), else in a short read transaction: a snapshot, which never waits for a batch
     * that is creating another platform's database. */
    DB_TXN *txn = s->txn;
    if (!txn && (ret = vg_store__read_begin(s, &txn)) != 0) {
        db->close(db, 0);
        return ret;
    }
    u_int32_t flags = s->read_only ? DB_RDONLY : 0;
    if (create)
        flags |= DB_CREATE;
    if (!s->replica)
        flags |= DB_MULTIVERSION;
    ret = db->set_pagesize(db, PDB_PAGE_SIZE); /* used only when the database is created */
    if (ret == 0)
        ret = db->open(db, txn, VG_STORE_SAMPLES_FILE, platform, DB_BTREE, flags, 0);
    int tret = vg_store__read_end(s, txn, ret == 0);
    if (ret == 0)
        ret = tret;
    if (ret != 0) {
        db->close(db, 0);
        /* No such platform database (yet): a read finds nothing. */
        return ret == ENOENT ? DB_NOTFOUND : ret;
    }
    memcpy(p->name, platform, strlen(platform) + 1);
    p->db = db;
    p->used = ++s->pdb_clock;
    p->created = s->txn; /* a handle opened in a batch that aborts is no longer valid */
    s->pdb_n++;
    *out = db;
    return 0;
}

/* Close the handle of slot p and empty it (the table must be rebuilt after). */
static void pdb__close(vg_store *s, vg_pdb *p, u_int32_t flags)
{
    p->db->close(p->db, flags);
    p->db = NULL;
    s->pdb_n--;
}

static int pdb__by_age(const void *a, const void *b)
{
    uint64_t x = **(const uint64_t *const *)a, y = **(const uint64_t *const *)b;
    return x < y ? -1 : x > y;
}

void vg_store__pdb_end_batch(vg_store *s, bool committed)
{
    bool changed = false;
    for (size_t i = 0; i < s->pdb_cap; i++) {
        vg_pdb *p = &s->pdb[i];
        if (!p->db || !p->created)
            continue;
        p->created = NULL;
        if (!committed) { /* opened (or created) in a rolled-back batch: no longer valid */
            pdb__close(s, p, DB_NOSYNC);
            changed = true;
        }
    }
    if (s->pdb_n > PDB_MAX_OPEN) {
        /* Close the least recently used quarter, between batches (no transaction uses
         * them). Sorting pointers to the use stamps keeps it simple; it is rare. */
        const uint64_t **age = malloc(s->pdb_n * sizeof *age);
        if (age) {
            size_t n = 0;
            for (size_t i = 0; i < s->pdb_cap; i++)
                if (s->pdb[i].db)
                    age[n++] = &s->pdb[i].used;
            qsort(age, n, sizeof *age, pdb__by_age);
            uint64_t limit = *age[n / 4];
            free(age);
            for (size_t i = 0; i < s->pdb_cap; i++)
                if (s->pdb[i].db && s->pdb[i].used < limit)
                    pdb__close(s, &s->pdb[i], s->read_only ? DB_NOSYNC : 0);
            changed = true;
        }
    }
    if (changed)
        pdb__rehash(s, s->pdb_cap); /* on failure the emptied slots stay: lookups still end */
}

int vg_store__pdb_close_all(vg_store *s, u_int32_t flags)
{
    int first = 0;
    for (size_t i = 0; i < s->pdb_cap; i++) {
        if (!s->pdb[i].db)
            continue;
        int ret = s->pdb[i].db->close(s->pdb[i].db, flags);
        if (ret != 0 && first == 0)
            first = ret;
    }
    free(s->pdb);
    s->pdb = NULL;
    s->pdb_cap = s->pdb_n = 0;
    return first;
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
    /* Skip the name given and anything not a platform (the "#samples" marker). */
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
