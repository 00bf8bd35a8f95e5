/* test_chunkwrite.c: GOSUD files whose chunks are compressed on worker threads and stored
 * with HDF5's direct chunk write (export/chunkpool.h, export/h5chunk.h) hold the same
 * variables, values and attributes as those netCDF-C compresses itself: a series of three
 * chunks and a part (missing values at the chunk edges, adjusted columns, water samples),
 * a one-chunk series shorter than a chunk, and the reprocessing overlapped with the write;
 * with 1, 2 and 3 threads. netCDF-C reads them back value for value. Also: HDF5's shuffle
 * layout, a sink failure stops the pool (no hang, nothing leaked: the ASan build), a
 * variable whose filters differ is refused by name, and a failed write leaves no file. */
#include <dirent.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nc_same.h"
#include "rm_rf.h"
#include "daemon/setup.h"
#include "dm/reprocess_write.h"
#include "export/chunkpool.h"
#include "export/export.h"
#include "export/h5chunk.h"

#define T0 (INT64_C(1735689600) * VG_US_PER_S) /* 2025-01-01T00:00:00Z */
#define CHUNK ((size_t)1 << 16)                /* the GOSUD writer's chunk rows */

static char dir[] = "/tmp/vigie_chunkw_XXXXXX";

static const char *path(const char *name)
{
    static char bufs[4][128];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

static void make_series(vg_series *s, size_t n)
{
    vg_errinfo err;
    vg_series_init(s, "SIMTSG");
    const vg_param ps[3] = {VG_P_SSJT, VG_P_SSPS, VG_P_CNDC};
    for (int k = 0; k < 3; k++)
        CHECK(vg_series_add_param(s, ps[k], &err) == VG_OK);
    CHECK(vg_series_reserve(s, n, &err) == VG_OK);
    for (size_t i = 0; i < n; i++) {
        size_t r;
        CHECK(vg_series_append(s, T0 + (vg_time_us)i * VG_US_PER_S, &r, &err) == VG_OK);
        double a = 2 * M_PI * (double)i / 86400.0;
        bool edge = i % CHUNK == 0 || i % CHUNK == CHUNK - 1; /* missing at the chunk edges */
        s->lat_deg[r] = i % 1000 == 7 ? NAN : -22.0 + sin(a);
        s->lon_deg[r] = i % 1000 == 7 ? NAN : -17.9 + cos(a);
        s->pos_qc[r] = i % 1000 == 7 ? 9 : 1;
        s->time_qc[r] = 1;
        s->value[VG_P_SSJT][r] = edge ? NAN : 22.0 + 0.3 * sin(a) + 1e-3 * (double)(i % 97);
        s->value[VG_P_SSPS][r] = i % 5000 == 17 ? 45.0 : 36.2 + 0.1 * sin(a);
        s->value[VG_P_CNDC][r] = i % 3000 == 5 ? NAN : 5.4;
        for (int k = 0; k < 3; k++)
            s->qc[ps[k]][r] = isnan(s->value[ps[k]][r]) ? 9 : (vg_flag)(1 + i % 4);
    }
}

/* A correction-like adjustment: SSPS adjusted with an error, flags from the value. */
static void make_adjusted(const vg_series *s, vg_adjusted *a)
{
    vg_errinfo err;
    vg_adjusted_init(a, s->n);
    CHECK(vg_adjusted_add(a, VG_P_SSPS, &err) == VG_OK);
    for (size_t i = 0; a->value[VG_P_SSPS] && i < s->n; i++) {
        double v = s->value[VG_P_SSPS][i];
        a->value[VG_P_SSPS][i] = isnan(v) ? NAN : v - 0.01;
        a->error[VG_P_SSPS][i] = i % 2 ? 0.003 : NAN;
        a->qc[VG_P_SSPS][i] = isnan(v) ? 9 : v > 40 ? 4 : 1;
    }
    snprintf(a->hist[VG_P_SSPS], VG_ADJ_HIST_MAX, "offset of the test");
    snprintf(a->processing_states, sizeof a->processing_states, "2C+");
}

static void test_shuffle(void)
{
    /* HDF5's shuffle: all first bytes, then all second bytes, ... */
    const unsigned char in[12] = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23};
    const unsigned char want[12] = {0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23};
    unsigned char out[12];
    vg_chunk_shuffle(in, out, 4, 3);
    CHECK(memcmp(out, want, sizeof want) == 0);
    vg_chunk_shuffle(in, out, 1, 12);
    CHECK(memcmp(out, in, sizeof in) == 0);
}

/* A pool whose sink fails at the 5th chunk. */
static int fills;
static void fill_ones(const vg_chunk_task *t, void *raw)
{
    memset(raw, 1, t->nelem * t->elem_size);
    __atomic_add_fetch(&fills, 1, __ATOMIC_RELAXED);
}

static vg_err failing_sink(void *ctx, const vg_chunk_task *t, const void *data, size_t bytes,
                           vg_errinfo *err)
{
    size_t *seen = ctx;
    CHECK(t->index == *seen); /* in submission order */
    CHECK(bytes > 0 && bytes < t->nelem * t->elem_size && data != NULL); /* ones deflate */
    (*seen)++;
    return t->index == 4 ? vg_fail(err, VG_ERR_IO, "disk full at chunk %zu", t->index) : VG_OK;
}

static void test_pool_failure(void)
{
    vg_errinfo err;
    vg_chunkpool *p = NULL;
    size_t seen = 0;
    CHECK(vg_chunkpool_new(0, 1, 1024, failing_sink, &seen, &p, &err) == VG_ERR_INVAL);
    CHECK(vg_chunkpool_new(2, 1, 1024, failing_sink, &seen, &p, &err) == VG_OK);
    vg_chunk_task t = {.fill = fill_ones, .elem_size = 4, .nelem = 256, .rows = 256};
    vg_err rc = VG_OK;
    for (size_t k = 0; k < 40 && rc == VG_OK; k++) {
        t.index = k;
        rc = vg_chunkpool_submit(p, &t, &err);
    }
    if (rc == VG_OK)
        rc = vg_chunkpool_drain(p, &err);
    CHECK(rc == VG_ERR_IO);
    CHECK_MSG(strstr(err.text, "chunk 4") != NULL, "%s", err.text);
    CHECK(seen == 5);
    CHECK(vg_chunkpool_submit(p, &t, &err) == VG_ERR_IO); /* stays failed */
    t.nelem = 1000;                                       /* 4000 bytes > 1024 */
    vg_chunkpool_free(p);
    CHECK(vg_chunkpool_new(1, 1, 1024, failing_sink, &seen, &p, &err) == VG_OK);
    CHECK(vg_chunkpool_submit(p, &t, &err) == VG_ERR_INVAL);
    vg_chunkpool_free(p);
}

/* Write s with netCDF-C's compression and with `threads` workers; same content. */
static void compare_writes(const vg_series *s, const vg_adjusted *a, const vg_external *x,
                           int threads, const char *tag)
{
    vg_errinfo err;
    vg_export_options eo;
    vg_export_options_default(&eo);
    eo.now = T0;
    eo.data_mode = a ? 'D' : 'R';
    eo.adjusted = a;
    eo.external = x;
    char ref[64], par[64];
    snprintf(ref, sizeof ref, "%s_ref.nc", tag);
    snprintf(par, sizeof par, "%s_par%d.nc", tag, threads);
    CHECK_MSG(vg_export_write(s, &eo, path(ref), &err) == VG_OK, "%s", err.text);
    eo.compress_threads = threads;
    CHECK_MSG(vg_export_write(s, &eo, path(par), &err) == VG_OK, "%s: %s", tag, err.text);
    nc_same_files(path(ref), path(par));
    /* and read back by vigie's reader (netCDF-C) */
    vg_series r;
    CHECK_MSG(vg_export_read(path(par), &r, NULL, &err) == VG_OK, "%s", err.text);
    CHECK(r.n == s->n);
    size_t bad = 0;
    for (size_t i = 0; i < r.n && r.n == s->n; i++) {
        double v = s->value[VG_P_SSJT][i], w = r.value[VG_P_SSJT][i];
        bad += r.time[i] != s->time[i] || (isnan(v) != isnan(w)) ||
               (!isnan(v) && (float)v != (float)w) || r.qc[VG_P_SSPS][i] != s->qc[VG_P_SSPS][i] ||
               (isnan(s->lat_deg[i]) ? !isnan(r.lat_deg[i]) : r.lat_deg[i] != s->lat_deg[i]);
    }
    CHECK_MSG(bad == 0, "%s: %zu rows differ", tag, bad);
    vg_series_free(&r);
}

static void test_files(void)
{
    vg_series s;
    make_series(&s, 3 * CHUNK + 17);
    vg_adjusted a;
    make_adjusted(&s, &a);
    vg_time_us xt[3] = {T0 + 3600 * VG_US_PER_S, T0 + 7200 * VG_US_PER_S, T0 + 9000 * VG_US_PER_S};
    double xlat[3] = {-21.5, NAN, -21.7}, xlon[3] = {-17.0, NAN, -17.2}, xv[3] = {36.1, NAN, 36.3};
    vg_flag xq[3] = {1, 9, 4};
    vg_external x = {.n = 3, .param = VG_P_SSPS, .time = xt, .lat_deg = xlat, .lon_deg = xlon,
                     .value = xv, .qc = xq, .type = "WS"};
    for (int threads = 1; threads <= 3; threads++)
        compare_writes(&s, &a, &x, threads, "long");
    compare_writes(&s, NULL, NULL, 2, "rt");
    vg_adjusted_free(&a);
    vg_series_free(&s);
    make_series(&s, 1000); /* one chunk shorter than GOSUD's: the chunk is the file */
    compare_writes(&s, NULL, NULL, 2, "short");
    vg_series_free(&s);
}

/* The reprocessing overlapped with a direct write: the same file as one after the other
 * with netCDF-C's compression. */
static void test_reprocess(void)
{
    vg_errinfo err;
    vg_setup setup = {0};
    CHECK_MSG(vg_setup_load(NULL, &setup, &err) == VG_OK, "%s", err.text);
    const vg_platform_cfg *pf = setup.cfg ? vg_config_platform(setup.cfg, "SIMTSG") : NULL;
    CHECK(pf != NULL);
    vg_series s;
    make_series(&s, 2 * CHUNK + 5);
    vg_dm_counts *c1 = calloc(1, sizeof *c1), *c2 = calloc(1, sizeof *c2);
    vg_adjusted a1, a2;
    if (pf && c1 && c2) {
        vg_export_options eo;
        vg_export_options_default(&eo);
        eo.data_mode = 'D';
        eo.platform = pf;
        eo.now = T0;
        CHECK_MSG(vg_dm_reprocess(&s, setup.plan, pf, NULL, &a1, c1, NULL, NULL, &err) == VG_OK, "%s", err.text);
        eo.adjusted = &a1;
        CHECK_MSG(vg_export_write(&s, &eo, path("rp_seq.nc"), &err) == VG_OK, "%s", err.text);
        eo.adjusted = NULL;
        eo.compress_threads = 2;
        CHECK_MSG(vg_dm_reprocess_write(&s, setup.plan, pf, NULL, &eo, path("rp_par.nc"), &a2, c2,
                                        NULL, NULL, &err) == VG_OK, "%s", err.text);
        CHECK(memcmp(c1, c2, sizeof *c1) == 0);
        nc_same_files(path("rp_seq.nc"), path("rp_par.nc"));
        vg_adjusted_free(&a1);
        vg_adjusted_free(&a2);
    }
    free(c1);
    free(c2);
    vg_series_free(&s);
    vg_setup_free(&setup);
}

/* A variable deflated without shuffle is refused by name; a failed await leaves nothing. */
static vg_err await_fails(void *ctx, vg_errinfo *err)
{
    (void)ctx;
    return vg_fail(err, VG_ERR_NOMEM, "the engine ran out of memory");
}

static void test_refusals(void)
{
    int ncid, dim, var;
    const char *p = path("noshuffle.nc");
    CHECK(nc_create(p, NC_NETCDF4 | NC_CLOBBER, &ncid) == NC_NOERR);
    CHECK(nc_def_dim(ncid, "N", 100, &dim) == NC_NOERR);
    CHECK(nc_def_var(ncid, "X", NC_FLOAT, 1, &dim, &var) == NC_NOERR);
    CHECK(nc_def_var_deflate(ncid, var, 0, 1, 1) == NC_NOERR);
    CHECK(nc_close(ncid) == NC_NOERR);
    vg_errinfo err;
    vg_h5file *h = NULL;
    CHECK_MSG(vg_h5_open(p, &h, &err) == VG_OK, "%s", err.text);
    int handle;
    size_t rows;
    if (h) {
        CHECK(vg_h5_var(h, "X", 4, 1, &handle, &rows, &err) == VG_ERR_INVAL);
        CHECK_MSG(strstr(err.text, "variable X") && strstr(err.text, "shuffle"), "%s", err.text);
        CHECK(vg_h5_var(h, "Y", 4, 1, &handle, &rows, &err) == VG_ERR_IO);
        CHECK(vg_h5_close(h, &err) == VG_OK);
    }
    CHECK(vg_h5_open(path("absent.nc"), &h, &err) == VG_ERR_IO);

    vg_series s;
    make_series(&s, CHUNK + 3);
    vg_adjusted a;
    make_adjusted(&s, &a);
    vg_export_options eo;
    vg_export_options_default(&eo);
    eo.data_mode = 'D';
    eo.adjusted = &a;
    eo.compress_threads = 2;
    eo.await_adjusted = await_fails;
    CHECK(vg_export_write(&s, &eo, path("failed.nc"), &err) == VG_ERR_NOMEM);
    CHECK_MSG(strstr(err.text, "failed.nc") && strstr(err.text, "out of memory"), "%s", err.text);
    CHECK(access(path("failed.nc"), F_OK) != 0);
    int left = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        left += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    CHECK_MSG(left == 0, "%d temporary files left", left);
    vg_adjusted_free(&a);
    vg_series_free(&s);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_shuffle();
    test_pool_failure();
    test_files();
    test_reprocess();
    test_refusals();
    test_rm_rf(dir);
    return check_summary();
}
