/* test_chunkwrite.c: GOSUD files whose chunks are compressed on worker threads and stored
 * with HDF5's direct chunk write (export/chunkpool.h, export/h5chunk.h) hold the same
 * variables, values and attributes as those netCDF-C compresses itself: a series of three
 * chunks and a part (missing values at the chunk edges, adjusted columns, water samples),
 * a one-chunk series shorter than a chunk, and the reprocessing overlapped with the write;
 * with 1, 2 and 3 threads. netCDF-C reads them back value for value. Also: HDF5's shuffle
 * layout, a sink failure stops the pool (no hang, nothing leaked: the ASan build), a
 * variable whose filters differ is refused by name, and a failed write leaves no file.
 * The threaded reader (chunks inflated on workers) gives the series netCDF-C gives, for
 * these files and for one by others (chunks never written, deflate without shuffle, no
 * filters, a contiguous variable, flags out of range) and a classic file; a damaged chunk
 * is an error naming the file and the variable. */
#include <dirent.h>
#include <hdf5.h>
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
    unsigned char back[12];
    vg_chunk_unshuffle(want, back, 4, 3);
    CHECK(memcmp(back, in, sizeof in) == 0);
    vg_chunk_shuffle(in, out, 8, 1); /* one element: unchanged */
    CHECK(memcmp(out, in, 8) == 0);
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
        CHECK_MSG(vg_dm_reprocess(&s, setup.plan, pf, NULL, &a1, c1, NULL, NULL, &err) == VG_OK,
                  "%s", err.text);
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

/* a and b are the same series: times, positions, values (NaN where NaN), flags. */
static void same_series(const vg_series *a, const vg_series *b, const char *tag)
{
    size_t bad = 0;
    CHECK_MSG(a->n == b->n && a->present == b->present, "%s: %zu/%zu rows", tag, a->n, b->n);
    if (a->n != b->n)
        return;
#define SAME_D(x, y) ((isnan(x) && isnan(y)) || (x) == (y))
    for (size_t i = 0; i < a->n; i++) {
        bad += a->time[i] != b->time[i] || a->time_qc[i] != b->time_qc[i] ||
               a->pos_qc[i] != b->pos_qc[i] || !SAME_D(a->lat_deg[i], b->lat_deg[i]) ||
               !SAME_D(a->lon_deg[i], b->lon_deg[i]);
        for (int p = 0; p < VG_P__COUNT; p++)
            if (a->value[p] && b->value[p])
                bad += !SAME_D(a->value[p][i], b->value[p][i]) || a->qc[p][i] != b->qc[p][i];
            else
                bad += a->value[p] != b->value[p];
    }
#undef SAME_D
    CHECK_MSG(bad == 0, "%s: %zu differences", tag, bad);
}

/* vg_export_read_threads gives the series vg_export_read gives. */
static void compare_reads(const char *file, int threads)
{
    vg_errinfo err;
    vg_series a, b;
    vg_export_format fa, fb;
    CHECK_MSG(vg_export_read(file, &a, &fa, &err) == VG_OK, "%s", err.text);
    CHECK_MSG(vg_export_read_threads(file, threads, &b, &fb, &err) == VG_OK, "%s", err.text);
    CHECK(fa == fb);
    same_series(&a, &b, file);
    vg_series_free(&a);
    vg_series_free(&b);
}

static void test_reads(void)
{
    const char *files[] = {"long_ref.nc", "long_par2.nc", "rt_par2.nc", "short_par2.nc", "rp_par.nc"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++)
        for (int threads = 1; threads <= 2; threads++)
            compare_reads(path(files[k]), threads);

    /* A file by others: SSPS chunks of 1000 written for 1500 of 5000 rows only (chunks
     * never written: fill values), SSJT deflated without shuffle, CNDC chunked without
     * filters, SPDC contiguous (netCDF-C reads it), flags as bytes. */
    int ncid, dim, t, v[4], q;
    const char *p = path("others.nc");
    size_t n = 5000, ch = 1000;
    CHECK(nc_create(p, NC_NETCDF4 | NC_CLOBBER, &ncid) == NC_NOERR);
    CHECK(nc_def_dim(ncid, "DAYD", n, &dim) == NC_NOERR);
    CHECK(nc_put_att_text(ncid, NC_GLOBAL, "SHIP_CALL_SIGN", 6, "OTHER1") == NC_NOERR);
    CHECK(nc_def_var(ncid, "DAYD", NC_DOUBLE, 1, &dim, &t) == NC_NOERR);
    int lat, lon;
    CHECK(nc_def_var(ncid, "LATX", NC_DOUBLE, 1, &dim, &lat) == NC_NOERR);
    CHECK(nc_def_var_deflate(ncid, lat, 1, 1, 1) == NC_NOERR);
    CHECK(nc_def_var(ncid, "LONX", NC_DOUBLE, 1, &dim, &lon) == NC_NOERR);
    CHECK(nc_def_var_chunking(ncid, lon, NC_CONTIGUOUS, NULL) == NC_NOERR);
    const char *names[4] = {"SSPS", "SSJT", "CNDC", "SPDC"};
    float fill = 99999.0f;
    for (int k = 0; k < 4; k++) {
        CHECK(nc_def_var(ncid, names[k], NC_FLOAT, 1, &dim, &v[k]) == NC_NOERR);
        CHECK(nc_put_att_float(ncid, v[k], "_FillValue", NC_FLOAT, 1, &fill) == NC_NOERR);
        if (k < 3)
            CHECK(nc_def_var_chunking(ncid, v[k], NC_CHUNKED, &ch) == NC_NOERR);
        else
            CHECK(nc_def_var_chunking(ncid, v[k], NC_CONTIGUOUS, NULL) == NC_NOERR);
    }
    CHECK(nc_def_var_deflate(ncid, v[0], 1, 1, 4) == NC_NOERR);
    CHECK(nc_def_var_deflate(ncid, v[1], 0, 1, 1) == NC_NOERR);
    CHECK(nc_def_var(ncid, "SSPS_QC", NC_BYTE, 1, &dim, &q) == NC_NOERR);
    CHECK(nc_def_var_chunking(ncid, q, NC_CHUNKED, &ch) == NC_NOERR);
    CHECK(nc_def_var_deflate(ncid, q, 1, 1, 1) == NC_NOERR);
    CHECK(nc_enddef(ncid) == NC_NOERR);
    double *d = malloc(n * sizeof *d);
    float *x = malloc(n * sizeof *x);
    signed char *b = malloc(n);
    for (size_t i = 0; d && x && b && i < n; i++) {
        d[i] = 27394.0 + (double)i / 86400.0;
        x[i] = i % 77 == 0 ? fill : 36.0f + (float)(i % 13) * 0.01f;
        b[i] = (signed char)(i % 11 == 0 ? 12 : i % 5); /* 12: out of 0-9 */
    }
    size_t zero = 0, part = 1500;
    if (d && x && b) {
        CHECK(nc_put_var_double(ncid, t, d) == NC_NOERR);
        CHECK(nc_put_var_double(ncid, lat, d) == NC_NOERR);
        CHECK(nc_put_var_double(ncid, lon, d) == NC_NOERR);
        CHECK(nc_put_vara_float(ncid, v[0], &zero, &part, x) == NC_NOERR);
        for (int k = 1; k < 4; k++)
            CHECK(nc_put_var_float(ncid, v[k], x) == NC_NOERR);
        CHECK(nc_put_var_schar(ncid, q, b) == NC_NOERR);
    }
    CHECK(nc_close(ncid) == NC_NOERR);
    compare_reads(p, 2);
    vg_errinfo err;
    vg_series r;
    CHECK_MSG(vg_export_read_threads(p, 2, &r, NULL, &err) == VG_OK, "%s", err.text);
    if (r.n == n && r.value[VG_P_SSPS]) {
        CHECK(isnan(r.value[VG_P_SSPS][0]) && isnan(r.value[VG_P_SSPS][77]));
        CHECK_NEAR(r.value[VG_P_SSPS][1], 36.01, 1e-5);
        CHECK(!isnan(r.value[VG_P_SSPS][1499]) && isnan(r.value[VG_P_SSPS][1500]) &&
              isnan(r.value[VG_P_SSPS][4999]));
        CHECK(r.qc[VG_P_SSPS][0] == 9 && r.qc[VG_P_SSPS][1] == 1 && r.qc[VG_P_SSPS][4] == 4);
        CHECK_NEAR(r.value[VG_P_SPDC][4998], x[4998], 1e-9);
    }
    vg_series_free(&r);

    /* a classic file: netCDF-C reads it all */
    CHECK(nc_create(path("classic.nc"), NC_CLOBBER | NC_64BIT_OFFSET, &ncid) == NC_NOERR);
    CHECK(nc_def_dim(ncid, "DAYD", n, &dim) == NC_NOERR);
    CHECK(nc_put_att_text(ncid, NC_GLOBAL, "SHIP_CALL_SIGN", 6, "OTHER1") == NC_NOERR);
    CHECK(nc_def_var(ncid, "DAYD", NC_DOUBLE, 1, &dim, &t) == NC_NOERR);
    CHECK(nc_def_var(ncid, "LATX", NC_DOUBLE, 1, &dim, &lat) == NC_NOERR);
    CHECK(nc_def_var(ncid, "LONX", NC_DOUBLE, 1, &dim, &lon) == NC_NOERR);
    CHECK(nc_def_var(ncid, "SSJT", NC_FLOAT, 1, &dim, &v[0]) == NC_NOERR);
    CHECK(nc_enddef(ncid) == NC_NOERR);
    if (d && x) {
        CHECK(nc_put_var_double(ncid, t, d) == NC_NOERR);
        CHECK(nc_put_var_double(ncid, lat, d) == NC_NOERR);
        CHECK(nc_put_var_double(ncid, lon, d) == NC_NOERR);
        CHECK(nc_put_var_float(ncid, v[0], x) == NC_NOERR);
    }
    CHECK(nc_close(ncid) == NC_NOERR);
    compare_reads(path("classic.nc"), 2);
    free(d), free(x), free(b);
}

/* A damaged chunk: the threaded read fails naming the file and the variable. */
static void test_damaged(void)
{
    const char *p = path("long_par2.nc");
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = f >= 0 ? H5Dopen2(f, "SSJT", H5P_DEFAULT) : -1;
    hid_t space = d >= 0 ? H5Dget_space(d) : -1;
    hsize_t off[1];
    unsigned mask;
    haddr_t addr = 0;
    hsize_t size = 0;
    CHECK(space >= 0 && H5Dget_chunk_info(d, space, 1, off, &mask, &addr, &size) >= 0);
    if (space >= 0)
        H5Sclose(space);
    if (d >= 0)
        H5Dclose(d);
    if (f >= 0)
        H5Fclose(f);
    CHECK(size > 64);
    FILE *fp = fopen(p, "r+b");
    if (fp && size > 64) { /* garbage in the middle of the deflate stream of chunk 1 */
        static const unsigned char junk[32] = {0xde, 0xad, 0xbe, 0xef, 0xff, 0x00, 0x13, 0x37};
        fseek(fp, (long)(addr + size / 2), SEEK_SET);
        fwrite(junk, 1, sizeof junk, fp);
    }
    if (fp)
        fclose(fp);
    vg_errinfo err;
    vg_series r;
    CHECK(vg_export_read_threads(p, 2, &r, NULL, &err) != VG_OK);
    CHECK_MSG(strstr(err.text, "long_par2.nc") && strstr(err.text, "SSJT"), "%s", err.text);
    printf("damaged chunk: %s\n", err.text);
    CHECK(r.n == 0 && r.time == NULL);
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
    test_reads();
    test_damaged();
    test_refusals();
    test_rm_rf(dir);
    return check_summary();
}
