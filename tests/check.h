/* check.h: the minimal harness of vigie's unit tests. CHECK records a failure and goes on;
 * each test file's main ends with `return check_summary();`, which prints
 * "unit: N passed, N failed" and returns non-zero on any failure.
 * Tests that need ../shared/data call check_shared_data(), which returns NULL (and the test
 * prints a SKIP line) when the folder is absent. */
#ifndef VIGIE_TESTS_CHECK_H
#define VIGIE_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (cond) {                                                                        \
            check_passed++;                                                                \
        } else {                                                                           \
            check_failed++;                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);       \
        }                                                                                  \
    } while (0)

#define CHECK_MSG(cond, ...)                                                               \
    do {                                                                                   \
        if (cond) {                                                                        \
            check_passed++;                                                                \
        } else {                                                                           \
            check_failed++;                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);       \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fputc('\n', stderr);                                                           \
        }                                                                                  \
    } while (0)

#define CHECK_NEAR(a, b, tol) CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol), "%.9g vs %.9g", (double)(a), (double)(b))
#define CHECK_STR(a, b) CHECK_MSG(strcmp((a), (b)) == 0, "'%s' vs '%s'", (a), (b))

static inline int check_summary(void)
{
    printf("unit: %d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

/* Path of ../shared/data (from VIGIE_SHARED_DATA), or NULL when absent. */
static inline const char *check_shared_data(void)
{
    const char *p = getenv("VIGIE_SHARED_DATA");
    struct stat st;
    if (!p || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIP: ../shared/data is absent (set VIGIE_SHARED_DATA); real-data checks skipped\n");
        return NULL;
    }
    return p;
}

#endif
