/* rm_rf.h: remove a file or a directory tree (the unit tests' temporary stores), like
 * `rm -rf`: symbolic links are removed, not followed; errors are ignored. Include after
 * the system headers; tests only. */
#ifndef VIGIE_TESTS_RM_RF_H
#define VIGIE_TESTS_RM_RF_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void test_rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[4096];
            int n = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            if (n > 0 && (size_t)n < sizeof sub)
                test_rm_rf(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

#endif
