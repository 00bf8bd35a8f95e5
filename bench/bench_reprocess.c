/* bench_reprocess.c: delayed-mode reprocessing throughput for a year of 1 Hz TSG data
 * (31,536,000 samples of SSJT, CNDC, SSPS, SPDC with positions), the target being
 * >= 2 million samples/s including the NetCDF read and write: a GOSUD file is written
 * (not timed), then timed: vigie's reader (file -> series), vg_dm_reprocess through the
 * default configuration's TSG chain (the daemon's stream engine), and the delayed-mode
 * GOSUD writer with the _ADJUSTED columns (NetCDF-4, deflate 1). Also the water-sample
 * correction of the year (a sample every 12 h, sliding median). Then the same reprocess
 * and write overlapped (vg_dm_reprocess_write: the engine on a second thread while the
 * writer compresses what does not depend on the new flags). Prints seconds, samples/s
 * and the ratio to the target, and the peak memory of the generation of the input and of
 * read + reprocess + write on their own (Linux: the peak is reset between them through
 * /proc/self/clear_refs and read from VmHWM); asserts nothing. Then, in the same run, the
 * write and the overlapped reprocess + write with 2 compression threads and direct chunk
 * writes (export/chunkpool.h, export/h5chunk.h) against netCDF-C's own compression, with
 * the CPU seconds of every thread beside the wall time (the machine is shared: the
 * ratios within one run are what to compare); the read with 2 inflating threads; and last
 * `vigie reprocess` as it runs now on its own (threaded read, then the engine beside the
 * threaded write) with its peak memory.
 * usage: bench_reprocess [DAYS [netcdf|direct]]   (default 365)
 * With netcdf or direct: only the read and the overlapped reprocess + write with netCDF-C's
 * compression or with 2 compression threads, for instruction counts per thread:
 *   valgrind --tool=callgrind --separate-threads=yes --toggle-collect=vg_export_read_threads \
 *     --toggle-collect=vg_dm_reprocess_write --toggle-collect=rpw__judge \
 *     --toggle-collect=pool__worker bench_reprocess 7 direct
 * (direct: the read with 2 threads too, as vigie reprocess --input does). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/setup.h"
#include "dm/correct.h"
#include "dm/reprocess.h"
#include "dm/reprocess_write.h"
#include "export/export.h"

#define T0 (INT64_C(1735689600) * VG_US_PER_S) /* 2025-01-01T00:00:00Z */
#define TARGET 2e6                              /* samples/s, read + reprocess + write */

static void die(const char *what, const vg_errinfo *err)
{
    fprintf(stderr, "bench_reprocess: %s: %s\n", what, err ? err->text : "");
    exit(1);
}

/* Peak resident memory since the last reset_peak(), GB (VmHWM; NAN when unknown). */
static double peak_gb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = NAN;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = atof(line + 6);
    if (f)
        fclose(f);
    return kb / 1e6;
}

/* Reset the peak to the current resident memory (Linux 4.0+). */
static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static double now_s(void)
{
    return (double)vg_time_mono_us() / 1e6;
}

/* CPU seconds of the process, every thread (user + system). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Size of a file, MB. */
static double file_mb(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (double)st.st_size / 1e6 : NAN;
}

/* A ship on a 2-degree circle every 3 days (about 10 knots), smooth values with noise. */
static void make_series(vg_series *s, size_t n)
{
    vg_errinfo err;
    vg_series_init(s, "SIMTSG");
    const vg_param ps[4] = {VG_P_SSJT, VG_P_CNDC, VG_P_SSPS, VG_P_SPDC};
    for (int k = 0; k < 4; k++)
        if (vg_series_add_param(s, ps[k], &err) != VG_OK)
            die("series", &err);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        size_t row;
        if (vg_series_append(s, T0 + (vg_time_us)i * VG_US_PER_S, &row, &err) != VG_OK)
            die("series", &err);
        double a = 2 * M_PI * (double)i / (3 * 86400.0), d = (double)i / 86400.0;
        x = x * 1664525u + 1013904223u;
        double noise = ((double)(x >> 8) / 16777216.0 - 0.5) * 0.002;
        s->lat_deg[row] = -22.0 + 2 * sin(a);
        s->lon_deg[row] = -17.9 + 2 * cos(a);
        s->pos_qc[row] = s->time_qc[row] = 1;
        s->value[VG_P_SSJT][row] = 22.0 + 2 * sin(2 * M_PI * d / 365) + 0.3 * sin(2 * M_PI * d) + noise;
        s->value[VG_P_SSPS][row] = 36.2 + 0.2 * sin(2 * M_PI * d / 20) + noise;
        s->value[VG_P_CNDC][row] = 5.4 + 0.1 * sin(2 * M_PI * d / 20) + noise;
        s->value[VG_P_SPDC][row] = 10.0;
        for (int k = 0; k < 4; k++)
            s->qc[ps[k]][row] = 1;
    }
}

int main(int argc, char **argv)
{
    long days = argc > 1 ? atol(argv[1]) : 365;
    const char *only = argc > 2 ? argv[2] : NULL;
    if (days < 1 || days > 3660 || argc > 3 ||
        (only && strcmp(only, "netcdf") && strcmp(only, "direct"))) {
        fprintf(stderr, "usage: bench_reprocess [DAYS 1..3660 [netcdf|direct]]\n");
        return 2;
    }
    size_t n = (size_t)days * 86400;
    vg_errinfo err;
    char in[64], out[64];
    snprintf(in, sizeof in, "/tmp/bench_reprocess_%d_in.nc", (int)getpid());
    snprintf(out, sizeof out, "/tmp/bench_reprocess_%d_out.nc", (int)getpid());

    vg_series s;
    make_series(&s, n);
    vg_export_options eo;
    vg_export_options_default(&eo);
    eo.now = T0;
    if (vg_export_write(&s, &eo, in, &err) != VG_OK)
        die("writing the input", &err);
    vg_series_free(&s);
    vg_setup setup;
    if (vg_setup_load(NULL, &setup, &err) != VG_OK)
        die("default configuration", &err);
    const vg_platform_cfg *pf = vg_config_platform(setup.cfg, "SIMTSG");
    if (!pf)
        die("the default configuration has no SIMTSG", NULL);

    printf("bench_reprocess: %ld days of 1 Hz TSG data, %zu samples, 4 parameters + position\n",
           days, n);
    double gen_gb = peak_gb();
    reset_peak();
    double t0 = now_s(), c0 = cpu_s();
    vg_series r;
    /* (single-step mode direct: the read with 2 threads inflating, as vigie reprocess) */
    if (vg_export_read_threads(in, only && !strcmp(only, "direct") ? 2 : 0, &r, NULL, &err) != VG_OK)
        die("reading", &err);
    double t1 = now_s(), cpu1 = cpu_s();
    if (only) { /* one overlapped reprocess + write, for callgrind */
        vg_adjusted a1;
        vg_dm_counts *c1 = calloc(1, sizeof *c1);
        eo.data_mode = 'D';
        eo.compress_threads = strcmp(only, "direct") ? 0 : 2;
        if (!c1 || vg_dm_reprocess_write(&r, setup.plan, pf, NULL, &eo, out, &a1, c1, NULL, NULL,
                                         &err) != VG_OK)
            die("reprocessing and writing", &err);
        printf("  read (%s) %.2f s, reprocess + write overlapped: %.2f s\n", only, t1 - t0,
               now_s() - t1);
        vg_adjusted_free(&a1);
        free(c1);
        vg_series_free(&r);
        vg_setup_free(&setup);
        unlink(in);
        unlink(out);
        return 0;
    }
    vg_adjusted a;
    vg_dm_counts *c = calloc(1, sizeof *c);
    if (!c || vg_dm_reprocess(&r, setup.plan, pf, NULL, &a, c, NULL, NULL, &err) != VG_OK)
        die("reprocessing", &err);
    double t2 = now_s(), cpu2 = cpu_s();
    eo.data_mode = 'D';
    eo.adjusted = &a;
    if (vg_export_write(&r, &eo, out, &err) != VG_OK)
        die("writing the output", &err);
    double t3 = now_s(), c3 = cpu_s();
    double total = t3 - t0;
    double out_mb = file_mb(out);
    printf("  read GOSUD (NetCDF-4)   : %6.2f s (%5.2f s CPU) %10.0f samples/s\n", t1 - t0,
           cpu1 - c0, n / (t1 - t0));
    printf("  reprocess (TSG chain)   : %6.2f s (%5.2f s CPU) %10.0f samples/s  (%zu refused)\n",
           t2 - t1, cpu2 - cpu1, n / (t2 - t1), c->refused);
    printf("  write DM GOSUD + _ADJUSTED: %4.2f s (%5.2f s CPU) %10.0f samples/s (netCDF-C "
           "compresses; %.1f MB)\n", t3 - t2, c3 - cpu2, n / (t3 - t2), out_mb);
    printf("  read + reprocess + write: %6.2f s  %10.0f samples/s  target >= %.0f M/s: x%.2f %s\n",
           total, n / total, TARGET / 1e6, n / total / TARGET, n / total >= TARGET ? "met" : "NOT met");
    printf("  peak memory: read + reprocess + write %.2f GB (making the input: %.2f GB); "
           "CPU %.2f s\n", peak_gb(), gen_gb, c3 - c0);
    /* The read with 2 threads inflating the chunks: the same series. */
    vg_series r2;
    double p0 = now_s(), pc0 = cpu_s();
    if (vg_export_read_threads(in, 2, &r2, NULL, &err) != VG_OK)
        die("reading with 2 threads", &err);
    double p1 = now_s(), pc1 = cpu_s(), t_read2 = p1 - p0;
    bool same = r2.n == r.n && !memcmp(r2.time, r.time, r.n * sizeof *r.time) &&
                !memcmp(r2.qc[VG_P_SSPS], r.qc[VG_P_SSPS], r.n) &&
                !memcmp(r2.value[VG_P_SSPS], r.value[VG_P_SSPS], r.n * sizeof(double)) &&
                !memcmp(r2.lat_deg, r.lat_deg, r.n * sizeof(double));
    vg_series_free(&r2);
    printf("  read GOSUD, 2 threads inflate (after the peak): %5.2f s (%5.2f s CPU)  %10.0f "
           "samples/s: x%.2f faster%s\n",
           t_read2, pc1 - pc0, n / t_read2, (t1 - t0) / t_read2, same ? "" : "  SERIES DIFFER");
    /* The same, the engine overlapped with the write (the read is the one above): first
     * with netCDF-C compressing every chunk on the writer's thread (vigie reprocess before
     * the direct writes), then with 2 compression threads and direct chunk writes. */
    double seq_write = t3 - t2, ovl[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        vg_adjusted a2;
        vg_dm_counts *c2 = calloc(1, sizeof *c2);
        eo.adjusted = NULL;
        eo.compress_threads = k ? 2 : 0;
        double o0 = now_s(), cpu0 = cpu_s();
        if (!c2 || vg_dm_reprocess_write(&r, setup.plan, pf, NULL, &eo, out, &a2, c2, NULL, NULL,
                                         &err) != VG_OK)
            die("reprocessing and writing", &err);
        double o1 = now_s(), tot2 = (k ? t_read2 : t1 - t0) + (o1 - o0);
        ovl[k] = o1 - o0;
        printf("  reprocess + write overlapped, %s: %5.2f s (%5.2f s CPU): read + both %.2f s, "
               "%10.0f samples/s: x%.2f\n", k ? "2 compression threads" : "netCDF-C compresses  ",
               o1 - o0, cpu_s() - cpu0, tot2, n / tot2, n / tot2 / TARGET);
        vg_adjusted_free(&a2);
        free(c2);
    }
    /* The write alone with 2 compression threads and direct chunk writes. */
    eo.adjusted = &a;
    eo.compress_threads = 2;
    double d0 = now_s(), dcpu0 = cpu_s();
    if (vg_export_write(&r, &eo, out, &err) != VG_OK)
        die("writing the output", &err);
    double d1 = now_s(), totd = (t2 - t0) + (d1 - d0);
    printf("  write, 2 compression threads: %5.2f s (%5.2f s CPU; netCDF-C %.2f s): x%.2f faster, "
           "read + reprocess + write %10.0f samples/s: x%.2f; %.1f MB\n", d1 - d0, cpu_s() - dcpu0,
           seq_write, seq_write / (d1 - d0), n / totd, n / totd / TARGET, file_mb(out));
    printf("  vigie reprocess (overlapped), 2 compression threads vs netCDF-C: x%.2f faster\n",
           ovl[0] / ovl[1]);
    eo.compress_threads = 0;
    /* The same write without compression (NetCDF-4, deflate 0) and in the classic format. */
    for (int k = 0; k < 2; k++) {
        eo.deflate = 0;
        eo.classic = k == 1;
        double w0 = now_s();
        if (vg_export_write(&r, &eo, out, &err) != VG_OK)
            die("writing the output", &err);
        double w1 = now_s(), tot = (t2 - t0) + (w1 - w0);
        printf("  with the write %-15s: %6.2f s write, %10.0f samples/s in all: x%.2f\n",
               k ? "classic" : "deflate 0", w1 - w0, n / tot, n / tot / TARGET);
    }
    vg_adjusted_free(&a);

    /* The correction of the same year against a water sample every 12 hours. */
    vg_dm_samples w;
    vg_dm_samples_init(&w);
    for (vg_time_us t = T0 + 6 * 3600 * VG_US_PER_S; t < T0 + (vg_time_us)n * VG_US_PER_S;
         t += 43200 * VG_US_PER_S)
        vg_dm_samples_add(&w, t, NAN, NAN, 36.2, 1, NULL);
    vg_dm_options o;
    vg_dm_options_default(&o);
    vg_dm_result res;
    double t4 = now_s();
    if (vg_dm_correct(&r, &w, &o, &a, &res, &err) != VG_OK)
        die("correcting", &err);
    double t5 = now_s();
    printf("  correction (median, %zu samples): %.2f s  %10.0f rows/s\n", w.n, t5 - t4,
           n / (t5 - t4));
    vg_dm_result_free(&res);
    vg_adjusted_free(&a);
    vg_dm_samples_free(&w);
    free(c);
    vg_series_free(&r);

    /* vigie reprocess --input as it runs now, on its own: the read with 2 inflating
     * threads, then the engine overlapped with the write by 2 compression threads; its
     * peak memory. */
    reset_peak();
    double v0 = now_s(), vc0 = cpu_s();
    vg_series rv;
    if (vg_export_read_threads(in, 2, &rv, NULL, &err) != VG_OK)
        die("reading with 2 threads", &err);
    vg_adjusted av;
    vg_dm_counts *cv = calloc(1, sizeof *cv);
    eo.adjusted = NULL;
    eo.compress_threads = 2;
    eo.deflate = 1; /* as vigie reprocess: NetCDF-4, deflate 1 (the loop above changed them) */
    eo.classic = false;
    if (!cv || vg_dm_reprocess_write(&rv, setup.plan, pf, NULL, &eo, out, &av, cv, NULL, NULL,
                                     &err) != VG_OK)
        die("reprocessing and writing", &err);
    double v1 = now_s();
    printf("  vigie reprocess now (2 threads read, engine || 2 threads write): %.2f s (%.2f s "
           "CPU), %10.0f samples/s: x%.2f; peak memory %.2f GB\n", v1 - v0, cpu_s() - vc0,
           n / (v1 - v0), n / (v1 - v0) / TARGET, peak_gb());
    vg_adjusted_free(&av);
    free(cv);
    vg_series_free(&rv);
    vg_setup_free(&setup);
    unlink(in);
    unlink(out);
    return 0;
}
