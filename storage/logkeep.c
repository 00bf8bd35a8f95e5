/* logkeep.c: remove the write-ahead log files recovery no longer needs, beyond a retained
 * size (logkeep.h). */
#include "storage/logkeep.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/env.h"

vg_err vg_senv_log_retain(DB_ENV *env, const char *home, uint64_t keep_bytes, size_t *removed,
                          vg_errinfo *err)
{
    if (removed)
        *removed = 0;
    char **list = NULL;
    vg_senv_clear_text();
    int ret = env->log_archive(env, &list, DB_ARCH_ABS);
    if (ret != 0)
        return vg_senv_fail(err, ret, home, "DB_ENV->log_archive");
    if (!list)
        return VG_OK; /* nothing removable */
    /* The list is in log order, oldest first: keep the newest ones that fit. */
    size_t n = 0;
    while (list[n])
        n++;
    vg_err rc = VG_OK;
    uint64_t kept = 0;
    size_t first_kept = n;
    while (first_kept > 0) {
        struct stat st;
        if (stat(list[first_kept - 1], &st) != 0) {
            rc = vg_fail(err, VG_ERR_IO, "%s: cannot stat %s: %s", home, list[first_kept - 1],
                         strerror(errno));
            break;
        }
        if (kept + (uint64_t)st.st_size > keep_bytes)
            break;
        kept += (uint64_t)st.st_size;
        first_kept--;
    }
    for (size_t i = 0; rc == VG_OK && i < first_kept; i++) {
        if (unlink(list[i]) != 0 && errno != ENOENT)
            rc = vg_fail(err, VG_ERR_IO, "%s: cannot remove the old log file %s: %s", home,
                         list[i], strerror(errno));
        else if (removed)
            (*removed)++;
    }
    free(list); /* one allocation, strings included (Berkeley DB's convention) */
    return rc;
}
