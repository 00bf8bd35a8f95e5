/* test_logkeep.c: unit tests of the log retention policy (storage/logkeep.c, and
 * vg_store_log_retain). A real transactional Berkeley DB environment in a temporary
 * directory with small (256 KiB) log files: several rounds of writes and checkpoints; the
 * log files no longer needed are removed down to the retained size, the number of log
 * files stays bounded across rounds, and after a reopen with recovery every committed
 * record is there. Last, the store's entry point on a real store (argument checks). */
#include <db.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rm_rf.h"
#include "core/error.h"
#include "storage/logkeep.h"
#include "storage/store.h"

#define LOG_MAX (256u * 1024u)
#define PER_ROUND 4000 /* records of 200 bytes: ~2.8 MiB of log, ~11 log files */

/* Number of log.* files in dir. */
static int count_logs(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strncmp(e->d_name, "log.", 4) == 0;
    if (d)
        closedir(d);
    return n;
}

/* Total size of the log files Berkeley DB says recovery no longer needs. */
static uint64_t removable_bytes(DB_ENV *env, int *n)
{
    char **list = NULL;
    uint64_t sum = 0;
    *n = 0;
    if (env->log_archive(env, &list, DB_ARCH_ABS) != 0 || !list)
        return 0;
    for (char **p = list; *p; p++) {
        struct stat st;
        if (stat(*p, &st) == 0)
            sum += (uint64_t)st.st_size;
        (*n)++;
    }
    free(list);
    return sum;
}

static DB_ENV *open_env(const char *dir)
{
    DB_ENV *env = NULL;
    if (db_env_create(&env, 0) != 0)
        return NULL;
    env->set_lg_max(env, LOG_MAX);
    env->set_cachesize(env, 0, 4u * 1024u * 1024u, 1);
    if (env->open(env, dir,
                  DB_CREATE | DB_RECOVER | DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG |
                      DB_INIT_TXN,
                  0) != 0) {
        env->close(env, 0);
        return NULL;
    }
    return env;
}

static DB *open_db(DB_ENV *env)
{
    DB *db = NULL;
    if (db_create(&db, env, 0) != 0)
        return NULL;
    if (db->open(db, NULL, "t.db", NULL, DB_BTREE, DB_CREATE | DB_AUTO_COMMIT, 0640) != 0) {
        db->close(db, 0);
        return NULL;
    }
    return db;
}

/* Write PER_ROUND records (keys from `first`), committed 100 by 100, then checkpoint. */
static int write_round(DB_ENV *env, DB *db, unsigned first)
{
    char val[200];
    memset(val, 'v', sizeof val);
    for (unsigned i = 0; i < PER_ROUND; i += 100) {
        DB_TXN *txn = NULL;
        if (env->txn_begin(env, NULL, &txn, 0) != 0)
            return -1;
        for (unsigned k = i; k < i + 100; k++) {
            unsigned key = first + k;
            DBT dk = {.data = &key, .size = sizeof key}, dv = {.data = val, .size = sizeof val};
            if (db->put(db, txn, &dk, &dv, 0) != 0) {
                txn->abort(txn);
                return -1;
            }
        }
        if (txn->commit(txn, 0) != 0)
            return -1;
    }
    return env->txn_checkpoint(env, 0, 0, DB_FORCE) == 0 ? 0 : -1;
}

static void test_retention(const char *root)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/env", root);
    CHECK(mkdir(dir, 0750) == 0);
    DB_ENV *env = open_env(dir);
    CHECK(env != NULL);
    if (!env)
        return;
    DB *db = open_db(env);
    CHECK(db != NULL);
    if (!db) {
        env->close(env, 0);
        return;
    }
    vg_errinfo err;
    size_t removed = 0;
    unsigned written = 0;

    /* Two rounds kept whole, then keep 300 KiB of the old logs. */
    CHECK(write_round(env, db, written) == 0);
    written += PER_ROUND;
    CHECK(write_round(env, db, written) == 0);
    written += PER_ROUND;
    int before = count_logs(dir), nrem = 0;
    uint64_t rem = removable_bytes(env, &nrem);
    printf("after 2 rounds: %d log files, %d (%llu bytes) no longer needed\n", before, nrem,
           (unsigned long long)rem);
    CHECK_MSG(nrem >= 3, "%d removable log files", nrem);
    CHECK(vg_senv_log_retain(env, dir, 300u * 1024u, &removed, &err) == VG_OK);
    rem = removable_bytes(env, &nrem);
    CHECK_MSG(removed > 0 && count_logs(dir) == before - (int)removed, "%zu removed, %d -> %d",
              removed, before, count_logs(dir));
    CHECK_MSG(rem <= 300u * 1024u && nrem >= 1, "%llu bytes in %d files kept",
              (unsigned long long)rem, nrem);

    /* keep 0, round after round: the number of log files stays bounded. */
    int most = 0, grown = 0;
    for (int round = 0; round < 6; round++) {
        CHECK(write_round(env, db, written) == 0);
        written += PER_ROUND;
        if (count_logs(dir) > grown)
            grown = count_logs(dir);
        CHECK(vg_senv_log_retain(env, dir, 0, &removed, &err) == VG_OK);
        removable_bytes(env, &nrem);
        CHECK_MSG(nrem == 0, "round %d: %d removable log files left", round, nrem);
        int n = count_logs(dir);
        if (n > most)
            most = n;
    }
    printf("keep 0 over 6 rounds: up to %d log files of %u KiB after a round's writes, at "
           "most %d after retention\n", grown, LOG_MAX / 1024, most);
    CHECK_MSG(most >= 1 && most <= 3, "up to %d log files", most);

    /* Nothing committed is lost: reopen with recovery and count. */
    CHECK(db->close(db, 0) == 0);
    CHECK(env->close(env, 0) == 0);
    env = open_env(dir);
    CHECK(env != NULL);
    db = env ? open_db(env) : NULL;
    CHECK(db != NULL);
    if (db) {
        DB_BTREE_STAT *st = NULL;
        CHECK(db->stat(db, NULL, &st, 0) == 0);
        CHECK_MSG(st && st->bt_nkeys == written, "%u keys after recovery, %u written",
                  st ? st->bt_nkeys : 0, written);
        free(st);
        db->close(db, 0);
    }
    if (env)
        env->close(env, 0);
}

static void test_store_entry(const char *root)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/store", root);
    vg_store *s = NULL;
    vg_errinfo err;
    vg_store_options o = {.cache_mb = 4};
    CHECK(vg_store_open(dir, &o, &s, &err) == VG_OK);
    if (!s)
        return;
    size_t removed = 99;
    CHECK(vg_store_log_retain(s, 0, &removed, &err) == VG_OK);
    CHECK(removed == 0); /* one log file, still needed */
    CHECK(vg_store_log_retain(s, -1, NULL, &err) == VG_ERR_INVAL);
    CHECK(strstr(err.text, "log_keep_mb") != NULL);
    vg_store_close(s, NULL);
    vg_store *r = NULL;
    o.read_only = true;
    CHECK(vg_store_open(dir, &o, &r, &err) == VG_OK);
    if (r) {
        CHECK(vg_store_log_retain(r, 0, NULL, &err) == VG_ERR_INVAL);
        vg_store_close(r, NULL);
    }
}

int main(void)
{
    char root[] = "/tmp/vigie-test-logkeep.XXXXXX";
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    test_retention(root);
    test_store_entry(root);
    test_rm_rf(root);
    return check_summary();
}
