/* bench_dmflags.c: what storing the delayed-mode flags of `vigie reprocess` costs
 * (storage/dmflags.h): a run of N samples with four judged parameters (SSJT, CNDC, SSPS,
 * SPDC, as a TSG) written into a real Berkeley DB store in a temporary directory (durable
 * commits of 50,000 samples), written again (a second run replaces every record), then read
 * back by the export's walk. Prints seconds and samples/s, the size of dmflags.db and of the
 * write-ahead log of both runs; asserts nothing.
 * usage: bench_dmflags [SAMPLES]   (default 2,000,000: 23 days at 1 Hz) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storage/dmflags.h"
#include "storage/store.h"

#define T0 (INT64_C(1735689600) * VG_US_PER_S) /* 2025-01-01T00:00:00Z */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, const vg_errinfo *err)
{
    fprintf(stderr, "bench_dmflags: %s: %s\n", what, err->text);
    exit(1);
}

static int count_row(void *ctx, const vg_dmflags_row *r)
{
    (*(size_t *)ctx) += (size_t)__builtin_popcount(r->present);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
    if (!n)
        return 2;
    char dir[] = "/tmp/vigie_bench_dmflags.XXXXXX";
    if (!mkdtemp(dir))
        return perror("mkdtemp"), 1;
    vg_time_us *t = malloc(n * sizeof *t);
    const vg_param ps[4] = {VG_P_SSJT, VG_P_CNDC, VG_P_SSPS, VG_P_SPDC};
    vg_flag *f[4];
    const vg_flag *flag[VG_P__COUNT] = {0};
    const double *value[VG_P__COUNT] = {0};
    for (int k = 0; k < 4; k++) {
        f[k] = malloc(n);
        flag[ps[k]] = f[k];
    }
    for (size_t i = 0; i < n; i++) {
        t[i] = T0 + (vg_time_us)i * VG_US_PER_S;
        for (int k = 0; k < 4; k++)
            f[k][i] = (i * 2654435761u >> (8 + k)) % 50 ? 1 : 4;
    }
    vg_store *st;
    vg_errinfo err;
    vg_store_options o = {.cache_mb = 256};
    if (vg_store_open(dir, &o, &st, &err) != VG_OK)
        die("open", &err);
    printf("== bench_dmflags: %zu samples, 4 parameters, store in %s\n", n, dir);
    for (int pass = 0; pass < 2; pass++) {
        vg_dmflags_run run = {.platform = "BENCH1", .who = "bench", .what = "bench_dmflags"};
        double t0 = now_s();
        if (vg_dmflags_write(st, &run, n, t, flag, value, &err) != VG_OK)
            die("write", &err);
        double dt = now_s() - t0;
        printf("write run %llu (%s): %.2f s, %.0f samples/s, %.0f flags/s\n",
               (unsigned long long)run.seq, pass ? "replaces every record" : "new store", dt,
               n / dt, run.values / dt);
    }
    size_t got = 0;
    double t0 = now_s();
    if (vg_dmflags_walk(st, "BENCH1", VG_TIME_NONE, VG_TIME_NONE, count_row, &got, &err) != VG_OK)
        die("walk", &err);
    double dt = now_s() - t0;
    printf("walk (export, dump --dm): %.2f s, %.0f samples/s (%zu flags)\n", dt, n / dt, got);
    vg_store_close(st, &err);
    fflush(stdout);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "du -sh %s/dmflags.db; du -ch %s/log.* | tail -1; rm -rf %s", dir,
             dir, dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_dmflags: cleanup failed\n");
    for (int k = 0; k < 4; k++)
        free(f[k]);
    free(t);
    return 0;
}
