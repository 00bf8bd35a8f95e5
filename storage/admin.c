/* admin.c: offline verification, hot backup and restore of a store (admin.h), with the
 * Berkeley DB 5.3 calls made for them: DB->verify, DB_ENV->backup, DB_RECOVER_FATAL. */
#include "storage/admin.h"

#include <db.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/env.h"

static const char *const admin_files[] = {"samples.db", "quarantine.db", "meta.db"};
#define ADMIN_NFILES (sizeof admin_files / sizeof admin_files[0])

/* DB->verify prints what it finds through the error callback: collected per file. */
static char admin_verify_text[2048];
static void admin__errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
    size_t n = strlen(admin_verify_text);
    if (n + 4 < sizeof admin_verify_text)
        snprintf(admin_verify_text + n, sizeof admin_verify_text - n, "%s%s", n ? "; " : "",
                 msg);
}

vg_err vg_store_verify(const char *path, FILE *out, vg_errinfo *err)
{
    char file[4096];
    snprintf(file, sizeof file, "%s/meta.db", path);
    if (access(file, F_OK) != 0)
        return vg_fail(err, VG_ERR_NOTFOUND, "no vigie store at %s", path);
    vg_err rc = VG_OK;
    for (size_t i = 0; i < ADMIN_NFILES; i++) {
        snprintf(file, sizeof file, "%s/%s", path, admin_files[i]);
        DB *db;
        int ret = db_create(&db, NULL, 0);
        if (ret != 0)
            return vg_senv_fail(err, ret, file, "db_create");
        admin_verify_text[0] = 0;
        db->set_errcall(db, admin__errcall);
        /* DB->verify always destroys the handle, whatever it returns. */
        ret = db->verify(db, file, NULL, NULL, 0);
        if (ret == 0) {
            fprintf(out, "%s: ok\n", admin_files[i]);
        } else {
            fprintf(out, "%s: DAMAGED: %s%s%s\n", admin_files[i], db_strerror(ret),
                    admin_verify_text[0] ? ": " : "", admin_verify_text);
            if (rc == VG_OK)
                rc = vg_fail(err, VG_ERR_DB, "%s: damaged: %s%s", file, db_strerror(ret),
                             admin_verify_text[0] ? " (details above)" : "");
        }
    }
    return rc;
}

vg_err vg_store_backup(const char *path, const char *target, vg_errinfo *err)
{
    vg_senv *senv;
    vg_err rc = vg_senv_acquire(path, 1, false, NULL, &senv, err);
    if (rc != VG_OK)
        return rc;
    vg_senv_clear_text();
    DB_ENV *env = vg_senv_dbenv(senv);
    /* DB_CREATE: make the target; DB_EXCL: refuse one that holds files already. */
    int ret = env->backup(env, target, DB_CREATE | DB_EXCL);
    if (ret != 0)
        rc = vg_senv_fail(err, ret, target, "DB_ENV->backup");
    vg_errinfo e2;
    if (vg_senv_release(senv, &e2) != VG_OK && rc == VG_OK) {
        *err = e2;
        rc = VG_ERR_DB;
    }
    return rc;
}

/* Copy file src to dst (created, mode 0640, must not exist), synced. */
static vg_err admin__copy(const char *src, const char *dst, vg_errinfo *err)
{
    int in = open(src, O_RDONLY), outfd = -1;
    if (in < 0)
        return vg_fail(err, VG_ERR_IO, "%s: %s", src, strerror(errno));
    outfd = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0640);
    if (outfd < 0) {
        close(in);
        return vg_fail(err, VG_ERR_IO, "%s: %s", dst, strerror(errno));
    }
    char buf[1 << 16];
    ssize_t r;
    vg_err rc = VG_OK;
    while ((r = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(outfd, buf + off, (size_t)(r - off));
            if (w < 0) {
                rc = vg_fail(err, VG_ERR_IO, "%s: %s", dst, strerror(errno));
                break;
            }
            off += w;
        }
        if (rc != VG_OK)
            break;
    }
    if (r < 0 && rc == VG_OK)
        rc = vg_fail(err, VG_ERR_IO, "%s: %s", src, strerror(errno));
    if (rc == VG_OK && fsync(outfd) != 0)
        rc = vg_fail(err, VG_ERR_IO, "%s: %s", dst, strerror(errno));
    close(in);
    close(outfd);
    return rc;
}

vg_err vg_store_restore(const char *backup, const char *path, vg_errinfo *err)
{
    char file[4096], dst[4096];
    snprintf(file, sizeof file, "%s/meta.db", backup);
    if (access(file, F_OK) != 0)
        return vg_fail(err, VG_ERR_NOTFOUND, "%s: not a vigie backup (no meta.db)", backup);
    if (mkdir(path, 0750) != 0 && errno != EEXIST)
        return vg_fail(err, VG_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    DIR *d = opendir(path);
    if (!d)
        return vg_fail(err, VG_ERR_IO, "%s: %s", path, strerror(errno));
    struct dirent *de;
    bool empty = true;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            empty = false;
    closedir(d);
    if (!empty)
        return vg_fail(err, VG_ERR_INVAL, "%s: not empty: restore into a new directory (and "
                       "point storage.path at it), never over a store", path);
    /* The databases and the log files; not the regions (__db.*), which recovery makes. */
    if (!(d = opendir(backup)))
        return vg_fail(err, VG_ERR_IO, "%s: %s", backup, strerror(errno));
    vg_err rc = VG_OK;
    while (rc == VG_OK && (de = readdir(d))) {
        const char *n = de->d_name;
        size_t len = strlen(n);
        bool wanted = strncmp(n, "log.", 4) == 0 || (len > 3 && strcmp(n + len - 3, ".db") == 0);
        if (!wanted)
            continue;
        snprintf(file, sizeof file, "%s/%s", backup, n);
        snprintf(dst, sizeof dst, "%s/%s", path, n);
        rc = admin__copy(file, dst, err);
    }
    closedir(d);
    if (rc != VG_OK)
        return rc;
    /* Catastrophic recovery: replay every log file over the copied databases, which were
     * copied page by page while the daemon wrote. */
    DB_ENV *env;
    int ret = db_env_create(&env, 0);
    if (ret != 0)
        return vg_senv_fail(err, ret, path, "db_env_create");
    vg_senv_clear_text();
    ret = env->open(env, path, DB_CREATE | DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG |
                    DB_INIT_TXN | DB_RECOVER_FATAL, 0);
    if (ret != 0) {
        rc = vg_senv_fail(err, ret, path, "DB_ENV->open(DB_RECOVER_FATAL)");
        env->close(env, 0);
        return rc;
    }
    ret = env->txn_checkpoint(env, 0, 0, DB_FORCE);
    int cret = env->close(env, 0);
    if (ret == 0)
        ret = cret;
    if (ret != 0)
        return vg_senv_fail(err, ret, path, "DB_ENV->close");
    /* The regions of this recovery are not the daemon's: it recreates them at start. */
    if ((d = opendir(path))) {
        while ((de = readdir(d)))
            if (strncmp(de->d_name, "__db.", 5) == 0) {
                snprintf(file, sizeof file, "%s/%s", path, de->d_name);
                unlink(file);
            }
        closedir(d);
    }
    return VG_OK;
}
