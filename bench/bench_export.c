/* bench_export.c: how long the NetCDF exports take for a year of 1-minute data with ten
 * parameters (525,600 samples, 5.3 million values), the target being under one
 * second: the Copernicus in-situ writer (all ten parameters) and the GOSUD writer (its
 * seven), NetCDF-4 classic model with deflate 1 (the default), without compression, and
 * the classic format; then the reader join from a real Berkeley DB store of that year
 * (store -> series), and vigie's reader of the file written. Prints seconds, values/s, file
 * sizes and the ratio to the target; asserts nothing.
 * usage: bench_export [SAMPLES] [--no-store]   (default 525600; --no-store skips the store
 * part, which spends most of its time filling the store) */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/export.h"
#include "storage/store.h"
#include "storage/walk.h"

#define T0 (INT64_C(1735689600) * VG_US_PER_S) /* 2025-01-01T00:00:00Z */
#define TARGET_S 1.0

static const vg_param ten[10] = {VG_P_TEMP, VG_P_PSAL, VG_P_CNDC, VG_P_PRES, VG_P_SSJT,
                                 VG_P_SSTP, VG_P_SSPS, VG_P_FLOW, VG_P_SPDC, VG_P_SLEV};

static void die(const char *what, const vg_errinfo *err)
{
    fprintf(stderr, "bench_export: %s: %s\n", what, err ? err->text : "");
    exit(1);
}

/* Sample i: one minute apart, a ship sailing slowly, smooth values with a little noise,
 * mostly good flags with some 3, 4, 6 and missing values. */
static void mk_sample(vg_sample *s, long i)
{
    uint32_t x = (uint32_t)i * 2654435761u;
    vg_sample_init(s);
    vg_sample_set_platform(s, "BENCH1", 6);
    s->time = T0 + (vg_time_us)i * 60 * VG_US_PER_S;
    s->received = s->time;
    s->lat_deg = 45.0 + 5 * sin(i * 1e-4);
    s->lon_deg = -10.0 + 5 * cos(i * 1e-4);
    s->pos_qc.agg = s->time_qc.agg = 1;
    for (int k = 0; k < 10; k++) {
        vg_param p = ten[k];
        vg_sample_set(s, p, 10.0 + k + sin(i * 1e-3 * (k + 1)) + (double)(x >> (k + 8) & 255) * 1e-4);
        s->qc[p].agg = (x >> k) % 97 == 0 ? 3 : (x >> k) % 89 == 0 ? 4 : 1;
    }
    if (i % 1440 < 30) /* half an hour in harbour every day */
        s->qc[VG_P_SSPS].agg = 6;
    if (i % 1001 == 0)
        s->value[VG_P_PSAL] = NAN, s->qc[VG_P_PSAL].agg = 9;
}

static int noop_sample(void *ctx, const vg_sample *smp)
{
    (void)ctx;
    (void)smp;
    return 0;
}

static int noop_row(void *ctx, const vg_obs *o)
{
    (void)ctx;
    (void)o;
    return 0;
}

static double now_s(void)
{
    return (double)vg_time_mono_us() / 1e6;
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static void run_write(const vg_series *s, vg_export_format f, bool classic, int deflate,
                      const char *path, const char *label, size_t values)
{
    vg_export_options o;
    vg_export_options_default(&o);
    o.format = f;
    o.classic = classic;
    o.deflate = deflate;
    vg_errinfo err;
    double t = now_s();
    if (vg_export_write(s, &o, path, &err) != VG_OK)
        die(label, &err);
    t = now_s() - t;
    printf("  %-38s %6.3f s  %6.1f M values/s  %7.1f MB  target < %.0f s: x%.1f %s\n", label, t,
           values / t / 1e6, file_size(path) / 1e6, TARGET_S, TARGET_S / t,
           t < TARGET_S ? "(met)" : "(NOT met)");
}

static void rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        rm_tree(p);
    }
    closedir(d);
    rmdir(path);
}

int main(int argc, char **argv)
{
    long n = argc > 1 && argv[1][0] != '-' ? atol(argv[1]) : 525600;
    bool with_store = !(argc > 1 && !strcmp(argv[argc - 1], "--no-store"));
    if (n < 2)
        n = 2;
    char dir[] = "/tmp/vigie_bench_export_XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp", NULL);
    char path[256];
    vg_errinfo err;
    vg_series s;
    vg_series_init(&s, "BENCH1");
    vg_sample smp;
    double t = now_s();
    for (long i = 0; i < n; i++) {
        mk_sample(&smp, i);
        if (vg_series_append_sample(&s, &smp, &err) != VG_OK)
            die("append", &err);
    }
    t = now_s() - t;
    size_t values = (size_t)n * 10;
    printf("bench_export: %ld samples at 1 min (%.1f days), 10 parameters, %zu values "
           "(series built in %.3f s)\n", n, n / 1440.0, values, t);
    snprintf(path, sizeof path, "%s/instac.nc", dir);
    run_write(&s, VG_EXPORT_INSTAC, false, 1, path, "instac, NetCDF-4, deflate 1", values);
    run_write(&s, VG_EXPORT_INSTAC, false, 0, path, "instac, NetCDF-4, no deflate", values);
    snprintf(path, sizeof path, "%s/instac_classic.nc", dir);
    run_write(&s, VG_EXPORT_INSTAC, true, 0, path, "instac, classic 64-bit offset", values);
    snprintf(path, sizeof path, "%s/gosud.nc", dir);
    run_write(&s, VG_EXPORT_GOSUD, false, 1, path, "gosud (7 params), NetCDF-4, deflate 1",
              (size_t)n * 7);
    snprintf(path, sizeof path, "%s/instac.nc", dir);
    vg_export_options o;
    vg_export_options_default(&o);
    o.format = VG_EXPORT_INSTAC;
    if (vg_export_write(&s, &o, path, &err) != VG_OK)
        die("write", &err);
    vg_series back;
    t = now_s();
    if (vg_export_read(path, &back, NULL, &err) != VG_OK)
        die("read", &err);
    t = now_s() - t;
    printf("  %-38s %6.3f s  %6.1f M values/s  (%zu rows)\n", "read back (instac, deflate 1)", t,
           values / t / 1e6, back.n);
    vg_series_free(&back);

    if (with_store) {
        char db[300];
        snprintf(db, sizeof db, "%s/store", dir);
        vg_store_options rw = {.cache_mb = 64, .read_only = false};
        vg_store *st = NULL;
        if (vg_store_open(db, &rw, &st, &err) != VG_OK)
            die("store", &err);
        t = now_s();
        for (long i = 0; i < n; i += 5000) {
            if (vg_store_begin(st, &err) != VG_OK)
                die("begin", &err);
            for (long j = i; j < n && j < i + 5000; j++) {
                mk_sample(&smp, j);
                if (vg_store_put_sample(st, &smp, &err) != VG_OK)
                    die("put", &err);
            }
            if (vg_store_commit(st, &err) != VG_OK)
                die("commit", &err);
        }
        double fill = now_s() - t;
        vg_query q = {.platform = "BENCH1", .param = -1, .from = VG_TIME_NONE, .to = VG_TIME_NONE};
        t = now_s();
        if (vg_store_query(st, &q, noop_row, NULL, &err) != VG_OK)
            die("walk", &err);
        double walk = now_s() - t;
        t = now_s();
        if (vg_store_walk_platform(st, "BENCH1", VG_TIME_NONE, VG_TIME_NONE, noop_sample, NULL,
                                   &err) != VG_OK)
            die("walk", &err);
        double swalk = now_s() - t;
        vg_series joined;
        t = now_s();
        if (vg_series_from_store(st, "BENCH1", VG_TIME_NONE, VG_TIME_NONE, &joined, &err) != VG_OK)
            die("join", &err);
        double join = now_s() - t;
        t = now_s();
        snprintf(path, sizeof path, "%s/from_store.nc", dir);
        o.format = VG_EXPORT_INSTAC;
        if (vg_export_write(&joined, &o, path, &err) != VG_OK)
            die("write", &err);
        double w = now_s() - t;
        printf("  store -> file (what vigie export does): join %.3f s + write %.3f s = %.3f s "
               "(%zu rows; filling the store took %.1f s)\n", join, w, join + w, joined.n, fill);
        printf("    the store's walks alone, empty callbacks: per sample (vg_store_walk_platform, "
               "what the join uses) %.3f s; per value (vg_store_query) %.3f s: x%.2f\n",
               swalk, walk, walk / swalk);
        vg_series_free(&joined);
        vg_store_close(st, &err);
    }
    vg_series_free(&s);
    rm_tree(dir);
    return 0;
}
