/* test_export.c: the NetCDF exports (export/): a real store in a temporary directory is
 * filled with a ship's and a tide gauge's samples (missing values, absent parameters,
 * unknown positions, flags 0-9 with 6 = harbour), read back by the reader join, written as
 * GOSUD v3 and Copernicus in-situ files (NetCDF-4 and classic), and read again: same
 * times, positions, values (to float precision) and flags, with the documented remaps only
 * (INSTAC: 6 -> harbour_flag_as, time flag 0 -> 1, a missing value flagged 9). Also file
 * names, atomic writes (no temporary left, failures leave nothing), compression and the
 * reader's errors. A long series (three write blocks and a part, missing values at the
 * block edges) with delayed-mode adjusted columns comes back value for value. */
#include <dirent.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "rm_rf.h"
#include "export/export.h"
#include "export/ncfile.h"
#include "storage/store.h"

static char tmp_root[64]; /* short: paths under it fit in 256 bytes */

static const char *tmp_path(const char *name)
{
    static char bufs[8][256];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%.63s/%.180s", tmp_root, name);
    return b;
}

/* Files in dir whose name contains ".tmp.". */
static int count_temporaries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

static vg_time_us t0_us(void)
{
    vg_time_us t;
    vg_time_from_fields(2026, 3, 2, 0, 0, 0, 0, &t, NULL);
    return t;
}

#define N_SHIP 3000

/* Sample i of the ship SHIP1: one minute apart, moving east, with every kind of case. */
static void ship_sample(vg_sample *s, int i)
{
    vg_sample_init(s);
    vg_sample_set_platform(s, "SHIP1", 5);
    s->time = t0_us() + (vg_time_us)i * 60 * VG_US_PER_S + (i % 7) * 1000; /* ms offsets */
    s->received = s->time;
    s->lat_deg = 43.1 + i * 1e-4;
    s->lon_deg = 5.9 + i * 2e-4;
    s->pos_qc.agg = 1;
    s->time_qc.agg = i % 2 ? 1 : 0;
    if (i % 97 == 5) { /* position unknown */
        s->lat_deg = s->lon_deg = NAN;
        s->pos_qc.agg = 9;
    }
    vg_sample_set(s, VG_P_SSJT, 15.0 + sin(i * 0.01));
    vg_sample_set(s, VG_P_SSPS, 37.5 + cos(i * 0.01));
    vg_sample_set(s, VG_P_CNDC, 4.5 + 1e-3 * i);
    vg_sample_set(s, VG_P_FLOW, 1.2);
    vg_sample_set(s, VG_P_SPDC, 10.0 + (i % 5));
    vg_sample_set(s, VG_P_SVEL, 1500.0 + i * 1e-3); /* not a GOSUD variable */
    for (int p = 0; p < VG_P__COUNT; p++)
        s->qc[p].agg = 1;
    if (i % 3 == 0) /* the intake thermometer reports every third sample */
        vg_sample_set(s, VG_P_SSTP, 14.9);
    if (i < 100) /* in harbour */
        s->qc[VG_P_SSPS].agg = s->qc[VG_P_SSJT].agg = 6;
    if (i % 50 == 7)
        s->qc[VG_P_SSPS].agg = 3;
    if (i % 50 == 8)
        s->qc[VG_P_SSJT].agg = 4;
    if (i % 61 == 3) { /* reported but missing */
        s->value[VG_P_SSPS] = NAN;
        s->qc[VG_P_SSPS].agg = 9;
    }
    if (i % 83 == 4) /* missing, flagged by a test before the value was lost */
        s->value[VG_P_CNDC] = NAN, s->qc[VG_P_CNDC].agg = 4;
}

#define N_TIDE 500

static void tide_sample(vg_sample *s, int i)
{
    vg_sample_init(s);
    vg_sample_set_platform(s, "TIDE1", 5);
    s->time = t0_us() + (vg_time_us)i * 600 * VG_US_PER_S;
    s->received = s->time;
    s->lat_deg = -21.2;
    s->lon_deg = 55.3;
    s->pos_qc.agg = 1;
    s->time_qc.agg = 1;
    vg_sample_set(s, VG_P_SLEV, 1.2 * sin(i * 2 * M_PI / 74.5));
    s->qc[VG_P_SLEV].agg = i % 40 == 3 ? 4 : 1;
    if (i % 45 == 1)
        s->value[VG_P_SLEV] = NAN, s->qc[VG_P_SLEV].agg = 9;
}

static void fill_store(const char *dir)
{
    vg_store_options rw = {.cache_mb = 16, .read_only = false};
    vg_store *st = NULL;
    vg_errinfo err;
    CHECK(vg_store_open(dir, &rw, &st, &err) == VG_OK);
    if (!st)
        return;
    CHECK(vg_store_begin(st, &err) == VG_OK);
    vg_sample s;
    for (int i = 0; i < N_SHIP; i++) {
        ship_sample(&s, i);
        CHECK(vg_store_put_sample(st, &s, &err) == VG_OK);
    }
    for (int i = 0; i < N_TIDE; i++) {
        tide_sample(&s, i);
        CHECK(vg_store_put_sample(st, &s, &err) == VG_OK);
    }
    CHECK(vg_store_commit(st, &err) == VG_OK);
    CHECK(vg_store_close(st, &err) == VG_OK);
}

static bool same_value(double a, double b)
{
    return (isnan(a) && isnan(b)) || (float)a == (float)b;
}

/* The reader join gives back exactly the samples put. */
static void test_join(vg_store *st, vg_series *ship, vg_series *tide)
{
    vg_errinfo err;
    CHECK(vg_series_from_store(st, "SHIP1", VG_TIME_NONE, VG_TIME_NONE, ship, &err) == VG_OK);
    CHECK(ship->n == N_SHIP);
    CHECK(ship->present == (VG_PARAM_BIT(VG_P_SSJT) | VG_PARAM_BIT(VG_P_SSPS) | VG_PARAM_BIT(VG_P_CNDC) |
                            VG_PARAM_BIT(VG_P_FLOW) | VG_PARAM_BIT(VG_P_SPDC) | VG_PARAM_BIT(VG_P_SVEL) |
                            VG_PARAM_BIT(VG_P_SSTP)));
    int bad = 0;
    vg_sample s;
    for (int i = 0; i < N_SHIP && (size_t)i < ship->n; i++) {
        ship_sample(&s, i);
        bad += ship->time[i] != s.time || ship->time_qc[i] != s.time_qc.agg ||
               ship->pos_qc[i] != s.pos_qc.agg || !same_value(ship->lat_deg[i], s.lat_deg);
        for (int p = 0; p < VG_P__COUNT; p++) {
            if (!ship->value[p])
                continue;
            if (vg_sample_has(&s, (vg_param)p))
                bad += !same_value(ship->value[p][i], s.value[p]) || ship->qc[p][i] != s.qc[p].agg;
            else /* absent from the sample: missing, 9 */
                bad += !isnan(ship->value[p][i]) || ship->qc[p][i] != 9;
        }
    }
    CHECK_MSG(bad == 0, "%d differences after the join", bad);
    /* a time range: inclusive bounds */
    vg_series part;
    CHECK(vg_series_from_store(st, "SHIP1", t0_us() + 60 * VG_US_PER_S,
                               t0_us() + 120 * VG_US_PER_S + 2000, &part, &err) == VG_OK);
    CHECK(part.n == 2);
    vg_series_free(&part);
    CHECK(vg_series_from_store(st, "TIDE1", VG_TIME_NONE, VG_TIME_NONE, tide, &err) == VG_OK);
    CHECK(tide->n == N_TIDE && tide->present == VG_PARAM_BIT(VG_P_SLEV));
}

/* Compare a read-back series with the original, with the INSTAC remaps when instac. */
static void compare(const vg_series *a, const vg_series *b, bool instac, int harbour, const char *what)
{
    CHECK_MSG(a->n == b->n, "%s: %zu rows vs %zu", what, a->n, b->n);
    CHECK_STR(a->platform, b->platform);
    int bad_t = 0, bad_pos = 0, bad_v = 0, bad_f = 0;
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        bad_t += a->time[i] != b->time[i];
        vg_flag tq = a->time_qc[i];
        if (instac && tq == 0)
            tq = 1;
        bad_t += tq != b->time_qc[i];
        bad_pos += !same_value(a->lat_deg[i], b->lat_deg[i]) || !same_value(a->lon_deg[i], b->lon_deg[i]);
        bad_pos += a->pos_qc[i] != b->pos_qc[i];
        for (int p = 0; p < VG_P__COUNT; p++) {
            if (!a->value[p] || !b->value[p])
                continue;
            bad_v += !same_value(a->value[p][i], b->value[p][i]);
            vg_flag f = a->qc[p][i];
            if (instac && f == 6)
                f = (vg_flag)harbour;
            if (instac && isnan(a->value[p][i]))
                f = 9;
            bad_f += f != b->qc[p][i];
        }
    }
    CHECK_MSG(bad_t + bad_pos + bad_v + bad_f == 0, "%s: differences: time %d position %d values %d flags %d",
              what, bad_t, bad_pos, bad_v, bad_f);
}

static void test_gosud(const vg_series *ship)
{
    vg_errinfo err;
    vg_export_options o;
    vg_export_options_default(&o);
    char name[256];
    CHECK(vg_export_file_name(ship, &o, name, sizeof name, &err) == VG_OK);
    CHECK_STR(name, "SHIP1_2026_03_a_RT_Gosud_V3.nc");
    o.data_mode = 'D';
    CHECK(vg_export_file_name(ship, &o, name, sizeof name, &err) == VG_OK);
    CHECK_STR(name, "SHIP1_20260302_20260304_DM_Gosud_V3.nc");
    CHECK(vg_export_file_name(ship, &o, name, 10, &err) == VG_ERR_FULL);
    for (int classic = 0; classic < 2; classic++) {
        o.classic = classic;
        o.data_mode = classic ? 'D' : 'R';
        const char *path = tmp_path(classic ? "gosud_classic.nc" : "gosud.nc");
        CHECK_MSG(vg_export_write(ship, &o, path, &err) == VG_OK, "%s", err.text);
        CHECK(count_temporaries(tmp_root) == 0);
        vg_series back;
        vg_export_format fmt = VG_EXPORT__COUNT;
        CHECK_MSG(vg_export_read(path, &back, &fmt, &err) == VG_OK, "%s", err.text);
        CHECK(fmt == VG_EXPORT_GOSUD);
        compare(ship, &back, false, 0, path);
        CHECK(!back.value[VG_P_SVEL]); /* not a GOSUD variable */
        CHECK(back.value[VG_P_SSTP] && vg_series_count(&back, VG_P_SSTP) == N_SHIP / 3);
        vg_series_free(&back);
        /* format, compression, attributes */
        int ncid, fmtno, var, shuffle, deflate, level;
        char mode[8] = "";
        if (nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR) {
            nc_inq_format(ncid, &fmtno);
            CHECK(fmtno == (classic ? NC_FORMAT_64BIT_OFFSET : NC_FORMAT_NETCDF4_CLASSIC));
            CHECK(nc_inq_varid(ncid, "SSPS_ADJUSTED_HIST", &var) == NC_NOERR);
            CHECK(nc_inq_varid(ncid, "SSJT_ADJUSTED_ERROR", &var) == NC_NOERR);
            CHECK(nc_inq_varid(ncid, "SSPS", &var) == NC_NOERR);
            if (!classic) {
                CHECK(nc_inq_var_deflate(ncid, var, &shuffle, &deflate, &level) == NC_NOERR);
                CHECK(deflate == 1 && level == 1);
            }
            CHECK(nc_get_att_text(ncid, NC_GLOBAL, "DATA_MODE", mode) == NC_NOERR);
            CHECK(mode[0] == (classic ? 'D' : 'R'));
            /* delayed mode without a correction: adjusted = raw, with its flags */
            float adj[N_SHIP];
            signed char aq[N_SHIP];
            nc_inq_varid(ncid, "SSPS_ADJUSTED", &var);
            nc_get_var_float(ncid, var, adj);
            nc_inq_varid(ncid, "SSPS_ADJUSTED_QC", &var);
            nc_get_var_schar(ncid, var, aq);
            CHECK(classic ? adj[200] == (float)ship->value[VG_P_SSPS][200] : adj[200] == 99999.0f);
            CHECK(classic ? aq[10] == 6 : aq[10] == 0);
            nc_close(ncid);
        } else {
            CHECK(!"nc_open of the written file");
        }
    }
}

static void test_instac(const vg_series *ship, const vg_series *tide)
{
    vg_errinfo err;
    vg_export_options o;
    vg_export_options_default(&o);
    o.format = VG_EXPORT_INSTAC;
    char name[256];
    vg_platform_cfg tg = {.id = "TIDE1", .kind = VG_KIND_TIDE_GAUGE, .name = "Port tide gauge",
                          .lat_deg = NAN, .lon_deg = NAN};
    o.platform = &tg;
    CHECK(vg_export_file_name(tide, &o, name, sizeof name, &err) == VG_OK);
    CHECK_STR(name, "GL_TS_TG_TIDE1_202603.nc");
    const char *tpath = tmp_path(name);
    CHECK_MSG(vg_export_write(tide, &o, tpath, &err) == VG_OK, "%s", err.text);
    vg_series back;
    vg_export_format fmt = VG_EXPORT__COUNT;
    CHECK_MSG(vg_export_read(tpath, &back, &fmt, &err) == VG_OK, "%s", err.text);
    CHECK(fmt == VG_EXPORT_INSTAC);
    compare(tide, &back, true, 4, tpath);
    vg_series_free(&back);
    int ncid, dim;
    size_t len = 0;
    char att[64] = "";
    if (nc_open(tpath, NC_NOWRITE, &ncid) == NC_NOERR) {
        nc_inq_dimid(ncid, "LATITUDE", &dim);
        nc_inq_dimlen(ncid, dim, &len);
        CHECK(len == 1); /* a fixed station */
        CHECK(nc_get_att_text(ncid, NC_GLOBAL, "cdm_data_type", att) == NC_NOERR);
        CHECK(!strncmp(att, "timeSeries", 10));
        memset(att, 0, sizeof att);
        CHECK(nc_get_att_text(ncid, NC_GLOBAL, "id", att) == NC_NOERR);
        CHECK_STR(att, "GL_TS_TG_TIDE1_202603");
        memset(att, 0, sizeof att);
        CHECK(nc_get_att_text(ncid, NC_GLOBAL, "time_coverage_end", att) == NC_NOERR);
        CHECK_STR(att, "2026-03-05T11:10:00Z"); /* 499 x 10 min after 2026-03-02T00:00 */
        nc_close(ncid);
    }
    /* the ship as a trajectory, harbour written as 3 */
    o.platform = NULL;
    o.harbour_flag_as = 3;
    CHECK(vg_export_file_name(ship, &o, name, sizeof name, &err) == VG_OK);
    CHECK_STR(name, "GL_TS_TS_SHIP1_202603.nc");
    for (int classic = 0; classic < 2; classic++) {
        o.classic = classic;
        const char *path = tmp_path(classic ? "GL_TS_TS_SHIP1_classic.nc" : name);
        CHECK_MSG(vg_export_write(ship, &o, path, &err) == VG_OK, "%s", err.text);
        CHECK_MSG(vg_export_read(path, &back, NULL, &err) == VG_OK, "%s", err.text);
        compare(ship, &back, true, 3, path);
        CHECK(back.value[VG_P_SVEL] != NULL); /* every parameter present goes to INSTAC */
        vg_series_free(&back);
    }
    CHECK(count_temporaries(tmp_root) == 0);
}

static void test_errors(const vg_series *ship)
{
    vg_errinfo err;
    vg_export_options o;
    vg_export_options_default(&o);
    /* a directory that does not exist: error naming it, nothing written */
    CHECK(vg_export_write(ship, &o, tmp_path("nodir/x.nc"), &err) == VG_ERR_IO);
    CHECK(strstr(err.text, "nodir") != NULL);
    /* an empty series */
    vg_series empty;
    vg_series_init(&empty, "SHIP1");
    CHECK(vg_export_write(&empty, &o, tmp_path("empty.nc"), &err) == VG_ERR_INVAL);
    CHECK(access(tmp_path("empty.nc"), F_OK) != 0);
    o.harbour_flag_as = 5;
    CHECK(vg_export_write(ship, &o, tmp_path("h.nc"), &err) == VG_ERR_INVAL);
    o.harbour_flag_as = 4;
    o.data_mode = 'A'; /* no adjusted mode in GOSUD */
    CHECK(vg_export_write(ship, &o, tmp_path("a.nc"), &err) == VG_ERR_INVAL);
    CHECK(count_temporaries(tmp_root) == 0);
    /* replacing a file: the old one stays until the new one is complete */
    o.data_mode = 'R';
    CHECK(vg_export_write(ship, &o, tmp_path("gosud.nc"), &err) == VG_OK);
    /* reader errors */
    vg_series s;
    FILE *f = fopen(tmp_path("text.nc"), "w");
    if (f) {
        fputs("not a netcdf file\n", f);
        fclose(f);
    }
    CHECK(vg_export_read(tmp_path("text.nc"), &s, NULL, &err) == VG_ERR_IO);
    CHECK(strstr(err.text, "text.nc") != NULL);
    CHECK(vg_export_read(tmp_path("missing.nc"), &s, NULL, &err) == VG_ERR_IO);
    const char *shared = check_shared_data();
    if (shared) {
        char p[512];
        snprintf(p, sizeof p, "%s/cf_dsg/dsg_timeseries_example.nc", shared);
        CHECK(vg_export_read(p, &s, NULL, &err) == VG_ERR_PARSE);
        CHECK(strstr(err.text, "neither DAYD") != NULL);
    }
}

static void test_time(void)
{
    static const char *const iso[] = {"1950-01-01T00:00:00Z", "1969-12-31T23:59:59.999999Z",
                                      "1970-01-01T00:00:00Z", "2026-03-02T12:34:56.789Z",
                                      "2128-12-31T23:59:59.000001Z"};
    for (size_t i = 0; i < sizeof iso / sizeof iso[0]; i++) {
        vg_time_us t;
        CHECK(vg_time_parse_iso8601(iso[i], strlen(iso[i]), &t, NULL, NULL) == VG_OK);
        CHECK_MSG(vg_nc_from_days1950(vg_nc_days1950(t)) == t, "%s", iso[i]);
    }
    /* beyond 2129 (2^16 days after 1950) a double of days holds 1.3 us steps */
    vg_time_us late;
    CHECK(vg_time_from_fields(2199, 12, 31, 23, 59, 59, 1, &late, NULL) == VG_OK);
    CHECK(llabs(vg_nc_from_days1950(vg_nc_days1950(late)) - late) <= 1);
    CHECK(vg_nc_days1950(0) == 7305.0);
    CHECK(vg_nc_days1950(-VG_NC_EPOCH_1950_US) == 0.0);
}

/* The GOSUD writer goes by blocks of 65536 rows: a series of 3 blocks and 17 rows, with
 * missing values and changing flags on both sides of every block edge, and adjusted
 * columns, must come back exactly (values to float precision, flags, _ADJUSTED*). */
static void test_blocks(void)
{
    const size_t block = (size_t)1 << 16, n = 3 * block + 17;
    vg_errinfo err;
    vg_series s;
    vg_series_init(&s, "LONG1");
    CHECK(vg_series_reserve(&s, n, &err) == VG_OK && s.cap == n);
    CHECK(vg_series_add_param(&s, VG_P_SSPS, &err) == VG_OK);
    vg_adjusted a;
    vg_adjusted_init(&a, n);
    CHECK(vg_adjusted_add(&a, VG_P_SSPS, &err) == VG_OK);
    for (size_t i = 0; i < n; i++) {
        size_t r;
        CHECK(vg_series_append(&s, t0_us() + (vg_time_us)i * VG_US_PER_S, &r, &err) == VG_OK);
        bool edge = i % block == 0 || i % block == block - 1;
        s.lat_deg[r] = edge ? NAN : 45.0 + (double)i * 1e-6;
        s.lon_deg[r] = -10.0 - (double)i * 1e-6;
        s.pos_qc[r] = edge ? 9 : 1;
        s.time_qc[r] = (vg_flag)(i % 3);
        s.value[VG_P_SSPS][r] = edge ? NAN : 35.0 + (double)(i % 1000) * 1e-3;
        s.qc[VG_P_SSPS][r] = edge ? 9 : (vg_flag)(1 + i % 4);
        a.value[VG_P_SSPS][r] = edge || i % 1000 == 500 ? NAN : s.value[VG_P_SSPS][r] - 0.01;
        a.error[VG_P_SSPS][r] = i % 2 ? NAN : 0.005;
        a.qc[VG_P_SSPS][r] = (vg_flag)((i + 1) % 5);
    }
    CHECK(s.cap == n); /* reserved once: no growth */
    vg_export_options o;
    vg_export_options_default(&o);
    o.data_mode = 'D';
    o.adjusted = &a;
    const char *path = tmp_path("long.nc");
    CHECK_MSG(vg_export_write(&s, &o, path, &err) == VG_OK, "%s", err.text);
    vg_series back;
    CHECK_MSG(vg_export_read(path, &back, NULL, &err) == VG_OK, "%s", err.text);
    compare(&s, &back, false, 4, "three blocks and a part");
    CHECK(back.cap == n);
    int ncid, var;
    float *fv = malloc(n * sizeof *fv), *fe = malloc(n * sizeof *fe);
    signed char *q = malloc(n);
    if (fv && fe && q && nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR) {
        CHECK(nc_inq_varid(ncid, "SSPS_ADJUSTED", &var) == NC_NOERR && nc_get_var_float(ncid, var, fv) == NC_NOERR);
        CHECK(nc_inq_varid(ncid, "SSPS_ADJUSTED_ERROR", &var) == NC_NOERR && nc_get_var_float(ncid, var, fe) == NC_NOERR);
        CHECK(nc_inq_varid(ncid, "SSPS_ADJUSTED_QC", &var) == NC_NOERR && nc_get_var_schar(ncid, var, q) == NC_NOERR);
        nc_close(ncid);
        size_t bad = 0;
        for (size_t i = 0; i < n; i++) {
            double v = a.value[VG_P_SSPS][i], e = a.error[VG_P_SSPS][i];
            bad += fv[i] != (isnan(v) ? 99999.0f : (float)v);
            bad += fe[i] != (isnan(e) ? 99999.0f : (float)e);
            bad += q[i] != (signed char)a.qc[VG_P_SSPS][i];
        }
        CHECK_MSG(bad == 0, "%zu adjusted values differ", bad);
    } else {
        CHECK(!"reading the adjusted columns");
    }
    free(fv), free(fe), free(q);
    vg_series_free(&back);

    /* The same adjustment in a Copernicus file: the adjusted value and flag with mode D where
     * there is one; elsewhere the raw value and flag with mode R. */
    o.format = VG_EXPORT_INSTAC;
    path = tmp_path("long_instac.nc");
    CHECK_MSG(vg_export_write(&s, &o, path, &err) == VG_OK, "%s", err.text);
    CHECK_MSG(vg_export_read(path, &back, NULL, &err) == VG_OK, "%s", err.text);
    char *dm = malloc(n);
    if (back.n == n && dm && nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR) {
        CHECK(nc_inq_varid(ncid, "SSPS_DM", &var) == NC_NOERR && nc_get_var_text(ncid, var, dm) == NC_NOERR);
        nc_close(ncid);
        size_t bad = 0, n_r = 0;
        for (size_t i = 0; i < n; i++) {
            double av = a.value[VG_P_SSPS][i], raw = s.value[VG_P_SSPS][i];
            bool use = !isnan(av);
            double want = use ? av : raw;
            vg_flag wq = isnan(want) ? 9 : use ? a.qc[VG_P_SSPS][i] : s.qc[VG_P_SSPS][i];
            char wdm = isnan(want) ? ' ' : use ? 'D' : 'R';
            bad += !same_value(want, back.value[VG_P_SSPS][i]) || back.qc[VG_P_SSPS][i] != wq ||
                   dm[i] != wdm;
            n_r += dm[i] == 'R';
        }
        CHECK_MSG(bad == 0, "%zu Copernicus rows differ from the adjustment", bad);
        CHECK_MSG(n_r == n / 1000 + 1, "%zu rows of mode R", n_r); /* i % 1000 == 500 */
    } else {
        CHECK(!"reading the Copernicus file back");
    }
    free(dm);
    vg_series_free(&back);
    vg_series_free(&s);
    vg_adjusted_free(&a);
}

int main(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/vigie_export_XXXXXX");
    if (!mkdtemp(tmp_root)) {
        perror("mkdtemp");
        return 1;
    }
    test_time();
    test_blocks();
    const char *dir = tmp_path("store");
    fill_store(dir);
    vg_store_options ro = {.cache_mb = 16, .read_only = true};
    vg_store *st = NULL;
    vg_errinfo err;
    vg_series ship, tide;
    vg_series_init(&ship, NULL);
    vg_series_init(&tide, NULL);
    CHECK(vg_store_open(dir, &ro, &st, &err) == VG_OK);
    if (st) {
        test_join(st, &ship, &tide);
        vg_store_close(st, &err);
    }
    if (ship.n && tide.n) {
        test_gosud(&ship);
        test_instac(&ship, &tide);
        test_errors(&ship);
    }
    vg_series_free(&ship);
    vg_series_free(&tide);
    test_rm_rf(tmp_root);
    return check_summary();
}
