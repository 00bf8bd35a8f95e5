/* test_grid.c: gridded reference data (qc/grid.h) and the two tests that use it, position
 * on land (qc/bathymetry.h) and climatology (qc/climatology.h). Synthetic NetCDF files
 * written here with netCDF-C check every layout rule with exact expected values (axes found
 * by units / standard_name / axis / name, descending latitude, dateline and 0..360 seams,
 * poles, packing, fill values, months, levels, errors), and GSL's bilinear interpolation
 * is the oracle on an irregular grid. With /usr/share/ferret-vis/data, real points too, and
 * the cost of a lookup in ns. */
#include <gsl/gsl_interp2d.h>
#include <math.h>
#include <netcdf.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/sample.h"
#include "core/time.h"
#include "qc/bathymetry.h"
#include "qc/climatology.h"
#include "qc/grid.h"
#include "qc/test.h"

/* The reference data the tests see through vg_qc_window.refs (in the engine, the plan's). */
static vg_qc_refs test_refs;

static const vg_climatology *set_clim(vg_clim_family f, const vg_climatology *c)
{
    const vg_climatology *old = test_refs.climatology[f];
    test_refs.climatology[f] = c;
    return old;
}

static const vg_climatology *get_clim(vg_clim_family f) { return test_refs.climatology[f]; }

static const vg_bathymetry *set_bathy(const vg_bathymetry *b)
{
    const vg_bathymetry *old = test_refs.bathymetry;
    test_refs.bathymetry = b;
    return old;
}

static char tmpdir[64];
static char files[64][128];
static int n_files;

/* ---- writing NetCDF files ---------------------------------------------------------- */
typedef struct dimdef {
    const char *name;
    size_t len;
    const double *coord; /* NULL: no coordinate variable */
    const char *units, *sname, *axis;
} dimdef;

typedef struct vardef {
    const char *name;
    nc_type type;
    double scale, offset; /* scale 0: no packing attributes */
    bool has_fill;
    double fill;
    bool has_missing;
    double missing;
    const char *units;
    const char *positive;
} vardef;

static void put_text(int nc, int v, const char *name, const char *text)
{
    if (text)
        nc_put_att_text(nc, v, name, strlen(text), text);
}

/* Write file `name` in tmpdir with the given dimensions and variables (values in file
 * order, one array per variable); returns its path (static storage). */
static const char *write_nc(const char *name, const dimdef *dims, int ndims, const vardef *vars,
                            const double *const *values, int nvars)
{
    char *path = files[n_files++];
    snprintf(path, sizeof files[0], "%s/%s", tmpdir, name);
    int nc, dimids[8], st = nc_create(path, NC_CLOBBER | NC_NETCDF4, &nc);
    CHECK_MSG(st == NC_NOERR, "nc_create %s: %s", path, nc_strerror(st));
    int cvar[8];
    for (int d = 0; d < ndims; d++) {
        nc_def_dim(nc, dims[d].name, dims[d].len, &dimids[d]);
        cvar[d] = -1;
        if (dims[d].coord) {
            nc_def_var(nc, dims[d].name, NC_DOUBLE, 1, &dimids[d], &cvar[d]);
            put_text(nc, cvar[d], "units", dims[d].units);
            put_text(nc, cvar[d], "standard_name", dims[d].sname);
            put_text(nc, cvar[d], "axis", dims[d].axis);
        }
    }
    int vid[4];
    for (int k = 0; k < nvars; k++) {
        const vardef *v = &vars[k];
        nc_def_var(nc, v->name, v->type, ndims, dimids, &vid[k]);
        if (v->scale != 0) {
            nc_put_att_double(nc, vid[k], "scale_factor", NC_DOUBLE, 1, &v->scale);
            nc_put_att_double(nc, vid[k], "add_offset", NC_DOUBLE, 1, &v->offset);
        }
        if (v->has_fill)
            nc_put_att_double(nc, vid[k], "_FillValue", v->type, 1, &v->fill);
        if (v->has_missing)
            nc_put_att_double(nc, vid[k], "missing_value", v->type, 1, &v->missing);
        put_text(nc, vid[k], "units", v->units);
        put_text(nc, vid[k], "positive", v->positive);
    }
    st = nc_enddef(nc);
    CHECK_MSG(st == NC_NOERR, "nc_enddef: %s", nc_strerror(st));
    for (int d = 0; d < ndims; d++)
        if (cvar[d] >= 0)
            nc_put_var_double(nc, cvar[d], dims[d].coord);
    for (int k = 0; k < nvars; k++) {
        st = nc_put_var_double(nc, vid[k], values[k]);
        CHECK_MSG(st == NC_NOERR, "nc_put_var %s: %s", vars[k].name, nc_strerror(st));
    }
    nc_close(nc);
    return path;
}

static vg_time_us at(int y, int mo, int d, int h, int mi, int s)
{
    vg_time_us t = 0;
    vg_time_from_fields(y, mo, d, h, mi, s, 0, &t, NULL);
    return t;
}

static vg_sample mk_pos(double lat, double lon, vg_time_us t)
{
    vg_sample s;
    vg_sample_init(&s);
    vg_sample_set_platform(&s, "SHIP", 4);
    s.time = t;
    s.lat_deg = lat, s.lon_deg = lon;
    return s;
}

static vg_flag run_test(const vg_qc_test *t, const double *opts, const vg_sample *s, int p)
{
    double o[VG_QC_MAX_OPTS];
    if (opts)
        memcpy(o, opts, sizeof o);
    else
        CHECK(t->defaults(p, o));
    vg_qc_window w = {.cur = s, .refs = &test_refs};
    return t->run(o, NULL, &w, p);
}

#define CHECK_NAN(x) CHECK_MSG(isnan(x), "%.9g is not NaN", (double)(x))

/* ---- descending latitude, 0..360 longitudes, packing, fill values, poles ------------- */
/* File rows r = 0..4 at lat 80, 40, 0, -40, -80; columns c = 0..11 at lon 0, 30, .., 330;
 * value 10 + 10 r + 0.1 c, packed as short with scale 0.01 and offset 10. Node (r 2, c 5) is
 * _FillValue, node (r 3, c 7) is missing_value. */
static const char *write_desc(void)
{
    static double lat[5], lon[12], v[60];
    for (int r = 0; r < 5; r++)
        lat[r] = 80 - 40 * r;
    for (int c = 0; c < 12; c++)
        lon[c] = 30 * c;
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 12; c++)
            v[r * 12 + c] = 1000 * r + 10 * c; /* (10 r + 0.1 c) / 0.01 */
    v[2 * 12 + 5] = -999;
    v[3 * 12 + 7] = -998;
    dimdef d[] = {{"rows", 5, lat, "degrees_north", NULL, NULL},
                  {"cols", 12, lon, "degree_E", NULL, NULL}};
    vardef var = {"rel", NC_SHORT, 0.01, 10, true, -999, true, -998, "m", NULL};
    const double *vals[] = {v};
    return write_nc("desc.nc", d, 2, &var, vals, 1);
}

static void test_desc(void)
{
    const char *path = write_desc();
    vg_grid *g = NULL;
    vg_errinfo err;
    CHECK_MSG(vg_grid_load(path, "rel", NULL, &g, &err) == VG_OK, "%s", err.text);
    if (!g)
        return;
    size_t ny, nx;
    vg_grid_shape(g, &ny, &nx);
    CHECK(ny == 5 && nx == 12);
    CHECK(vg_grid_is_global(g));
    CHECK(vg_grid_months(g) == 1);
    CHECK_STR(vg_grid_units(g), "m");
    CHECK_NEAR(vg_grid_at_month(g, 0, 80, 0), 10.0, 1e-5);        /* file row 0 */
    CHECK_NEAR(vg_grid_at_month(g, 0, -80, 330), 50 + 1.1, 1e-5); /* last row, last column */
    CHECK_NEAR(vg_grid_at_month(g, 0, 60, 15), 15.05, 1e-5);      /* cell centre */
    CHECK_NEAR(vg_grid_at_month(g, 0, 40, 45), 20.15, 1e-5);      /* between nodes */
    CHECK_NEAR(vg_grid_at_month(g, 0, 50, 40), 17.5 + 0.1 * 4.0 / 3.0, 1e-5);
    /* the seam between lon 330 and 360 = 0: a global grid wraps */
    CHECK_NEAR(vg_grid_at_month(g, 0, 40, 345), 20.55, 1e-5);
    CHECK_NEAR(vg_grid_at_month(g, 0, 40, -15), 20.55, 1e-5);
    CHECK_NEAR(vg_grid_at_month(g, 0, 40, 354), 20 + 0.1 * 11 * 0.2, 1e-5);
    CHECK_NEAR(vg_grid_at_month(g, 0, 40, 360), 20.0, 1e-5);
    CHECK_NEAR(vg_grid_at_month(g, 0, 40, -360), 20.0, 1e-5);
    CHECK_NEAR(vg_grid_at_month(g, 0, 40, 735), 20.05, 1e-5); /* 735 = 15 mod 360 */
    /* poles: beyond the outermost row (within 1.5 spacings of the pole) clamp to it */
    CHECK_NEAR(vg_grid_at_month(g, 0, 85, 0), 10.0, 1e-5);
    CHECK_NEAR(vg_grid_at_month(g, 0, 90, 15), 10.05, 1e-5);
    CHECK_NEAR(vg_grid_at_month(g, 0, -90, 0), 50.0, 1e-5);
    CHECK_NEAR(vg_grid_at_month(g, 0, -89.99, 345), 50.55, 1e-5);
    /* fill and missing values, strict rule */
    CHECK_NAN(vg_grid_at_month(g, 0, 20, 135));   /* one corner is _FillValue */
    CHECK_NAN(vg_grid_at_month(g, 0, 0, 150));    /* on the _FillValue node */
    CHECK_NAN(vg_grid_at_month(g, 0, -40, 210));  /* on the missing_value node */
    CHECK_NAN(vg_grid_at_month(g, 0, -40, 195));  /* on an edge next to it */
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, 120), 30.4, 1e-5); /* node next to the fill: exact */
    /* bad arguments */
    CHECK_NAN(vg_grid_at_month(g, 0, 90.5, 0));
    CHECK_NAN(vg_grid_at_month(g, 0, NAN, 0));
    CHECK_NAN(vg_grid_at_month(g, 0, 0, NAN));
    CHECK_NAN(vg_grid_at_month(g, 0, 0, INFINITY));
    CHECK_NAN(vg_grid_at_month(g, 1, 0, 0)); /* no month 1 in a static grid */
    CHECK_NEAR(vg_grid_at(g, 60, 15, VG_TIME_NONE), 15.05, 1e-5); /* static: time unused */
    vg_grid_free(g);

    /* renormalised rule: the valid corners' bilinear weights, renormalised */
    vg_grid_opts o = {.level = 0, .nan_rule = VG_GRID_NAN_RENORM};
    CHECK(vg_grid_load(path, "rel", &o, &g, &err) == VG_OK);
    CHECK_NEAR(vg_grid_at_month(g, 0, 20, 135), (20.4 + 20.5 + 30.4) / 3, 1e-5);
    /* weights 0.125 (20.4), 0.125 (20.5), 0.375 (30.4), 0.375 (NaN) */
    CHECK_NEAR(vg_grid_at_month(g, 0, 10, 135),
               (0.125 * 20.4 + 0.125 * 20.5 + 0.375 * 30.4) / 0.625, 1e-5);
    CHECK_NAN(vg_grid_at_month(g, 0, 0, 150)); /* on the missing node: nothing to weigh */
    CHECK_NEAR(vg_grid_at_month(g, 0, -40, 195), 40.6, 1e-5); /* edge: the valid end */
    /* affine: relief from depth */
    vg_grid_affine(g, -1, 0);
    CHECK_NEAR(vg_grid_at_month(g, 0, 80, 0), -10.0, 1e-5);
    vg_grid_free(g);
}

/* ---- -180..179 longitudes (dateline seam), dimensions (lon, lat), default fill ------ */
static const char *write_dateline(void)
{
    static double lat[3] = {-60, 0, 60}, lon[360], v[360 * 3];
    for (int c = 0; c < 360; c++)
        lon[c] = -180 + c;
    for (int c = 0; c < 360; c++)
        for (int r = 0; r < 3; r++)
            v[c * 3 + r] = c + 1000 * r; /* dimensions (lon, lat): lon is outer */
    v[100 * 3 + 1] = NC_FILL_DOUBLE;     /* no _FillValue attribute: the default applies */
    dimdef d[] = {{"lon", 360, lon, NULL, NULL, "X"}, {"lat", 3, lat, NULL, "latitude", NULL}};
    vardef var = {"f", NC_DOUBLE, 0, 0, false, 0, false, 0, NULL, NULL};
    const double *vals[] = {v};
    return write_nc("dateline.nc", d, 2, &var, vals, 1);
}

static void test_dateline(void)
{
    const char *path = write_dateline();
    vg_grid *g = NULL;
    vg_errinfo err;
    CHECK_MSG(vg_grid_load(path, "f", NULL, &g, &err) == VG_OK, "%s", err.text);
    if (!g)
        return;
    CHECK(vg_grid_is_global(g));
    /* 179.9 lies between the last column (179) and the first (-180 = 180) */
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, 179.9), 1000 + 0.1 * 359, 1e-9);
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, 179.5), 1000 + 0.5 * 359, 1e-9);
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, 180), 1000, 1e-9);
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, -180), 1000, 1e-9);
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, -179.9), 1000.1, 1e-9);
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, 539.9), 1000 + 0.1 * 359, 1e-9); /* 179.9 + 360 */
    CHECK_NEAR(vg_grid_at_month(g, 0, 30, 179.5), 1500 + 0.5 * 359, 1e-9);
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, 0), 1180, 1e-9);
    CHECK_NAN(vg_grid_at_month(g, 0, 0, -80));      /* default fill node */
    CHECK_NEAR(vg_grid_at_month(g, 0, 60, -80), 2100, 1e-9);
    CHECK_NEAR(vg_grid_at_month(g, 0, 75, 10), 2190, 1e-9); /* 90 - 60 <= 1.5 x 60: clamp */
    vg_grid_free(g);
}

/* ---- a regional grid on irregular axes: GSL's bilinear interpolation as the oracle ---- */
static void test_gsl_oracle(void)
{
    static const double lon[] = {10, 11, 13, 16, 20, 25, 31, 38, 46, 50};
    static const double lat[] = {-30, -25, -15, 0, 5, 20, 40};
    enum { NX = 10, NY = 7 };
    double v[NX * NY];
    unsigned seed = 12345;
    for (int k = 0; k < NX * NY; k++) {
        seed = seed * 1103515245u + 12345u;
        v[k] = (float)((seed >> 8) % 100000 / 1000.0 - 50); /* exactly a float */
    }
    dimdef d[] = {{"latitude", NY, lat, NULL, NULL, NULL},
                  {"longitude", NX, lon, NULL, NULL, NULL}};
    vardef var = {"sst", NC_FLOAT, 0, 0, false, 0, false, 0, "degC", NULL};
    const double *vals[] = {v};
    const char *path = write_nc("irregular.nc", d, 2, &var, vals, 1);
    vg_grid *g = NULL;
    vg_errinfo err;
    CHECK_MSG(vg_grid_load(path, "sst", NULL, &g, &err) == VG_OK, "%s", err.text);
    if (!g)
        return;
    CHECK(!vg_grid_is_global(g));
    gsl_interp2d *ip = gsl_interp2d_alloc(gsl_interp2d_bilinear, NX, NY);
    gsl_interp_accel *xa = gsl_interp_accel_alloc(), *ya = gsl_interp_accel_alloc();
    gsl_interp2d_init(ip, lon, lat, v, NX, NY); /* za[j * NX + i]: our file order */
    double worst = 0;
    for (int k = 0; k < 20000; k++) {
        seed = seed * 1103515245u + 12345u;
        double x = 10 + 40.0 * ((seed >> 8) & 0xffff) / 65535.0;
        seed = seed * 1103515245u + 12345u;
        double y = -30 + 70.0 * ((seed >> 8) & 0xffff) / 65535.0;
        double want = gsl_interp2d_eval(ip, lon, lat, v, x, y, xa, ya);
        double got = vg_grid_at_month(g, 0, y, x);
        if (!(fabs(got - want) <= worst))
            worst = fabs(got - want);
    }
    CHECK_MSG(worst < 1e-9, "worst |vigie - gsl| = %g", worst);
    printf("gsl oracle: 20000 points on an irregular grid, worst difference %.3g\n", worst);
    /* every node exactly */
    for (int j = 0; j < NY; j++)
        for (int i = 0; i < NX; i++)
            CHECK_NEAR(vg_grid_at_month(g, 0, lat[j], lon[i]), v[j * NX + i], 0);
    /* outside a regional grid: NaN (no pole clamp: 40N is far from 90N) */
    CHECK_NAN(vg_grid_at_month(g, 0, 0, 9.9));
    CHECK_NAN(vg_grid_at_month(g, 0, 0, 50.1));
    CHECK_NAN(vg_grid_at_month(g, 0, 41, 20));
    CHECK_NAN(vg_grid_at_month(g, 0, -31, 20));
    CHECK_NEAR(vg_grid_at_month(g, 0, 0, 370), v[3 * NX + 0], 0); /* 370 = 10 mod 360 */
    gsl_interp_accel_free(xa);
    gsl_interp_accel_free(ya);
    gsl_interp2d_free(ip);
    vg_grid_free(g);
}

/* ---- monthly fields with a vertical dimension; mid-month interpolation ------------- */
static const char *write_monthly(void)
{
    static double time[12], depth[3] = {0, 10, 20}, lat[3] = {-10, 0, 10},
                            lon[4] = {0, 90, 180, 270}, v[12 * 3 * 3 * 4];
    for (int m = 0; m < 12; m++)
        time[m] = 366 + 730.485 * m; /* Ferret's "hour since 0000-01-01" */
    for (int m = 0; m < 12; m++)
        for (int z = 0; z < 3; z++)
            for (int j = 0; j < 3; j++)
                for (int i = 0; i < 4; i++)
                    v[((m * 3 + z) * 3 + j) * 4 + i] = 100 * (m + 1) + 10 * z + j;
    dimdef d[] = {{"TIME", 12, time, "hour since 0000-01-01 00:00:00", NULL, NULL},
                  {"depth", 3, depth, "m", NULL, "Z"},
                  {"lat", 3, lat, NULL, NULL, NULL},
                  {"longitude", 4, lon, NULL, NULL, NULL}};
    vardef var = {"TEMP", NC_FLOAT, 0, 0, true, -1e34, false, 0, NULL, NULL};
    const double *vals[] = {v};
    return write_nc("monthly.nc", d, 4, &var, vals, 1);
}

static void test_monthly(void)
{
    const char *path = write_monthly();
    vg_grid *g = NULL;
    vg_errinfo err;
    vg_grid_opts o = {.level = 1, .nan_rule = VG_GRID_NAN_STRICT};
    CHECK_MSG(vg_grid_load(path, "TEMP", &o, &g, &err) == VG_OK, "%s", err.text);
    if (!g)
        return;
    CHECK(vg_grid_months(g) == 12);
    double a;
    int m0, m1;
    /* mid-January 2023 = (Jan 1 + Feb 1) / 2 = Jan 16 12:00: January alone */
    CHECK_NEAR(vg_grid_at(g, 0, 45, at(2023, 1, 16, 12, 0, 0)), 111, 1e-9);
    vg_grid_month_weights(at(2023, 1, 16, 12, 0, 0), &m0, &m1, &a);
    CHECK(m0 == 0 && m1 == 1 && a == 0);
    /* Jan 1 00:00 is half-way between mid-December (Dec 16 12:00) and mid-January */
    vg_grid_month_weights(at(2023, 1, 1, 0, 0, 0), &m0, &m1, &a);
    CHECK(m0 == 11 && m1 == 0 && a == 0.5);
    CHECK_NEAR(vg_grid_at(g, 0, 45, at(2023, 1, 1, 0, 0, 0)), 0.5 * 1211 + 0.5 * 111, 1e-9);
    /* Feb 1 00:00 2023: 15.5 days after mid-January, mid-February is Feb 15 00:00 */
    CHECK_NEAR(vg_grid_at(g, 0, 45, at(2023, 2, 1, 0, 0, 0)), 111 + 100 * 15.5 / 29.5, 1e-9);
    CHECK_NEAR(vg_grid_at(g, 0, 45, at(2023, 2, 15, 0, 0, 0)), 211, 1e-9);
    /* leap year: mid-February is Feb 15 12:00 */
    CHECK_NEAR(vg_grid_at(g, 0, 45, at(2024, 2, 15, 12, 0, 0)), 211, 1e-9);
    CHECK_NEAR(vg_grid_at(g, 0, 45, at(2024, 2, 1, 0, 0, 0)), 111 + 100 * 15.5 / 30.0, 1e-9);
    /* the last second of the year interpolates December -> January of the next year */
    CHECK_NEAR(vg_grid_at(g, 0, 45, at(2023, 12, 31, 23, 59, 59)),
               1211 + (111 - 1211) * (15.5 * 86400 - 1) / (31 * 86400.0), 1e-9);
    CHECK_NEAR(vg_grid_at(g, 10, 45, at(2023, 7, 16, 12, 0, 0)), 712, 1e-9); /* July 31 d */
    CHECK_NEAR(vg_grid_at(g, 5, 300, at(2023, 6, 16, 0, 0, 0)), 611.5, 1e-9); /* June 30 d */
    CHECK_NEAR(vg_grid_at_month(g, 3, 0, 0), 311, 1e-9);
    CHECK_NAN(vg_grid_at_month(g, 0, 0, 0)); /* a monthly grid has no field 0 */
    CHECK_NAN(vg_grid_at(g, 0, 0, VG_TIME_NONE));
    vg_grid_free(g);
    /* level 2 and a level that does not exist */
    o.level = 2;
    CHECK(vg_grid_load(path, "TEMP", &o, &g, &err) == VG_OK);
    CHECK_NEAR(vg_grid_at_month(g, 1, 0, 0), 121, 1e-9);
    vg_grid_free(g);
    o.level = 3;
    g = NULL;
    CHECK(vg_grid_load(path, "TEMP", &o, &g, &err) == VG_ERR_RANGE && !g);
    CHECK_MSG(strstr(err.text, "monthly.nc") && strstr(err.text, "TEMP") &&
                  strstr(err.text, "level 3"),
              "%s", err.text);
}

/* ---- World-Ocean-Atlas-style monthly files with a std: the climatology test ---------- */
static void write_woa(void)
{
    static double time[1] = {0.5}, depth[2] = {0, 5}, lat[5] = {-2, -1, 0, 1, 2},
                  lon[5] = {0, 1, 2, 3, 4};
    for (int m = 1; m <= 12; m++) {
        static double an[2 * 25], sd[2 * 25];
        for (int z = 0; z < 2; z++)
            for (int k = 0; k < 25; k++) {
                an[z * 25 + k] = 20 + m + 0.5 * z; /* January 21, July 27 */
                sd[z * 25 + k] = 0.5;
            }
        sd[2 * 5 + 2] = 9.96921e36f; /* std missing at (0, 2) */
        dimdef d[] = {{"time", 1, time, "months since 1955-01-01 00:00:00", "time", "T"},
                      {"depth", 2, depth, "meters", "depth", "Z"},
                      {"lat", 5, lat, "degrees_north", "latitude", "Y"},
                      {"lon", 5, lon, "degrees_east", "longitude", "X"}};
        vardef vars[] = {
            {"t_an", NC_FLOAT, 0, 0, true, 9.96921e36f, false, 0, "degrees_celsius", NULL},
            {"t_sd", NC_FLOAT, 0, 0, true, 9.96921e36f, false, 0, "degrees_celsius", NULL}};
        const double *vals[] = {an, sd};
        char name[32];
        snprintf(name, sizeof name, "woa_t%02d_01.nc", m);
        write_nc(name, d, 4, vars, vals, 2);
    }
}

static void test_woa_climatology(void)
{
    write_woa();
    char path[160];
    snprintf(path, sizeof path, "%s/woa_t{MM}_01.nc", tmpdir);
    vg_climatology_spec spec = {path, "t_an", NULL, "t_sd", 0};
    vg_climatology *c = NULL;
    vg_errinfo err;
    CHECK_MSG(vg_climatology_load(&spec, &c, &err) == VG_OK, "%s", err.text);
    if (!c)
        return;
    CHECK(vg_climatology_has_std(c));
    CHECK(vg_grid_months(vg_climatology_mean_grid(c)) == 12);
    printf("woa-style climatology: %s\n", vg_climatology_describe(c));
    double mean, sd;
    vg_time_us jan = at(2023, 1, 16, 12, 0, 0), jul = at(2023, 7, 16, 12, 0, 0);
    CHECK(vg_climatology_at(c, 1, 1, jan, &mean, &sd));
    CHECK_NEAR(mean, 21, 1e-6);
    CHECK_NEAR(sd, 0.5, 1e-6);
    CHECK(vg_climatology_at(c, 1.5, 3.5, jul, &mean, &sd));
    CHECK_NEAR(mean, 27, 1e-6);
    CHECK(!vg_climatology_at(c, 1, 10, jan, &mean, &sd)); /* outside the regional grid */
    CHECK(vg_climatology_at(c, 0, 2, jan, &mean, &sd) && isnan(sd));
    /* the test, through the seam */
    const vg_qc_test *t = &vg_qc_climatology;
    CHECK(t->id == 11 && t->target == VG_QC_ON_PARAM);
    vg_sample s = mk_pos(1, 1, jan);
    vg_sample_set(&s, VG_P_SSJT, 25);
    CHECK(run_test(t, NULL, &s, VG_P_SSJT) == VG_FLAG_NO_QC); /* nothing set yet */
    CHECK(set_clim(VG_CLIM_TEMPERATURE, c) == NULL);
    CHECK(get_clim(VG_CLIM_TEMPERATURE) == c);
    CHECK(get_clim(VG_CLIM_SALINITY) == NULL);
    CHECK(run_test(t, NULL, &s, VG_P_SSJT) == VG_FLAG_GOOD); /* 4 / 0.5 = 8 sigma <= 10 */
    s.value[VG_P_SSJT] = 26.0;                                 /* exactly 10 sigma */
    CHECK(run_test(t, NULL, &s, VG_P_SSJT) == VG_FLAG_GOOD);
    s.value[VG_P_SSJT] = 26.01;
    CHECK(run_test(t, NULL, &s, VG_P_SSJT) == VG_FLAG_PROBABLY_BAD);
    s.value[VG_P_SSJT] = 15.9;
    CHECK(run_test(t, NULL, &s, VG_P_SSJT) == VG_FLAG_PROBABLY_BAD);
    double o4[VG_QC_MAX_OPTS] = {3, 10, 4};
    s.value[VG_P_SSJT] = 22.6; /* 3.2 sigma */
    CHECK(run_test(t, o4, &s, VG_P_SSJT) == VG_FLAG_BAD);
    /* where the std is missing: the absolute bound (10 degC by default) */
    vg_sample s2 = mk_pos(0, 2, jan);
    vg_sample_set(&s2, VG_P_SSTP, 30.9);
    CHECK(run_test(t, NULL, &s2, VG_P_SSTP) == VG_FLAG_GOOD);
    s2.value[VG_P_SSTP] = 31.1;
    CHECK(run_test(t, NULL, &s2, VG_P_SSTP) == VG_FLAG_PROBABLY_BAD);
    /* no salinity climatology set; no position; outside; not a T/S parameter */
    vg_sample s3 = mk_pos(1, 1, jan);
    vg_sample_set(&s3, VG_P_SSPS, 35);
    CHECK(run_test(t, (double[VG_QC_MAX_OPTS]){10, 5, 3}, &s3, VG_P_SSPS) == VG_FLAG_NO_QC);
    s.lat_deg = NAN;
    CHECK(run_test(t, NULL, &s, VG_P_SSJT) == VG_FLAG_NO_QC);
    s.lat_deg = 1, s.lon_deg = 20;
    CHECK(run_test(t, NULL, &s, VG_P_SSJT) == VG_FLAG_NO_QC);
    double dflt[VG_QC_MAX_OPTS];
    CHECK(!t->defaults(VG_P_CNDC, dflt));
    CHECK(t->defaults(VG_P_PSAL, dflt) && dflt[0] == 10 && dflt[1] == 5 && dflt[2] == 3);
    CHECK(set_clim(VG_CLIM_TEMPERATURE, NULL) == c);
    vg_climatology_free(c);

    /* mean and std from different files; a missing monthly file */
    vg_climatology_spec spec2 = {path, "t_an", files[n_files - 1], "t_sd", 1};
    CHECK_MSG(vg_climatology_load(&spec2, &c, &err) == VG_OK, "%s", err.text);
    if (c) {
        CHECK(vg_climatology_at(c, 0, 0, jan, &mean, &sd));
        CHECK_NEAR(mean, 21.5, 1e-6); /* level 1 */
        CHECK_NEAR(sd, 0.5, 1e-6);
        CHECK(vg_grid_months(vg_climatology_mean_grid(c)) == 12);
        vg_climatology_free(c);
    }
    snprintf(path, sizeof path, "%s/nowhere_t{MM}.nc", tmpdir);
    vg_climatology_spec spec3 = {path, "t_an", NULL, NULL, 0};
    c = NULL;
    CHECK(vg_climatology_load(&spec3, &c, &err) == VG_ERR_IO && !c);
    CHECK_MSG(strstr(err.text, "nowhere_t01.nc") != NULL, "%s", err.text);
}

/* ---- errors name the file and the variable ----------------------------------------- */
static void test_errors(void)
{
    vg_grid *g = NULL;
    vg_errinfo err;
    char path[160];
    snprintf(path, sizeof path, "%s/absent.nc", tmpdir);
    CHECK(vg_grid_load(path, "z", NULL, &g, &err) == VG_ERR_IO && !g);
    CHECK_MSG(strstr(err.text, "absent.nc") && strstr(err.text, "'z'"), "%s", err.text);
    const char *desc = files[0];
    CHECK(vg_grid_load(desc, "nope", NULL, &g, &err) == VG_ERR_NOTFOUND);
    CHECK_MSG(strstr(err.text, "desc.nc") && strstr(err.text, "nope"), "%s", err.text);
    /* a time dimension of 5 steps; a variable without longitude */
    double t5[5] = {0, 1, 2, 3, 4}, la[2] = {0, 1}, lo[2] = {0, 1}, v[20] = {0};
    dimdef d[] = {{"time", 5, t5, "days since 2000-01-01", NULL, NULL},
                  {"lat", 2, la, "degrees_north", NULL, NULL},
                  {"lon", 2, lo, "degrees_east", NULL, NULL}};
    vardef var = {"x", NC_FLOAT, 0, 0, false, 0, false, 0, NULL, NULL};
    const double *vals[] = {v};
    const char *p5 = write_nc("time5.nc", d, 3, &var, vals, 1);
    CHECK(vg_grid_load(p5, "x", NULL, &g, &err) == VG_ERR_PARSE);
    CHECK_MSG(strstr(err.text, "time5.nc") && strstr(err.text, "'x'") &&
                  strstr(err.text, "5 steps"),
              "%s", err.text);
    dimdef d2[] = {{"lat", 2, la, "degrees_north", NULL, NULL},
                   {"depth", 2, lo, "m", NULL, NULL}};
    const char *pn = write_nc("nolon.nc", d2, 2, &var, vals, 1);
    CHECK(vg_grid_load(pn, "x", NULL, &g, &err) == VG_ERR_NOTFOUND);
    CHECK_MSG(strstr(err.text, "nolon.nc") && strstr(err.text, "longitude"), "%s", err.text);
    double bad[2] = {0, 0};
    dimdef d3[] = {{"lat", 2, la, "degrees_north", NULL, NULL},
                   {"lon", 2, bad, "degrees_east", NULL, NULL}};
    const char *pb = write_nc("flatlon.nc", d3, 2, &var, vals, 1);
    CHECK(vg_grid_load(pb, "x", NULL, &g, &err) == VG_ERR_PARSE);
    CHECK_MSG(strstr(err.text, "monotonic"), "%s", err.text);
    CHECK(vg_grid_load(NULL, "x", NULL, &g, &err) == VG_ERR_INVAL);
    vg_bathymetry *b = NULL;
    CHECK(vg_bathymetry_load(path, NULL, &b, &err) == VG_ERR_IO && !b);
    CHECK(vg_bathymetry_load(p5, "nope", &b, &err) == VG_ERR_NOTFOUND && !b);
    CHECK_MSG(strstr(err.text, "time5.nc") && strstr(err.text, "nope"), "%s", err.text);
}

/* ---- coast tolerance on a synthetic 1-degree globe: dateline and poles ------------- */
static void test_land_synthetic(void)
{
    static double lat[181], lon[360], v[181 * 360];
    for (int j = 0; j < 181; j++)
        lat[j] = -90 + j;
    for (int i = 0; i < 360; i++)
        lon[i] = -180 + i;
    for (int k = 0; k < 181 * 360; k++)
        v[k] = 100; /* land everywhere ... */
    v[90 * 360 + 0] = -50;    /* ... but a sea node at (0, -180) */
    v[179 * 360 + 180] = -10; /* ... and one at (89N, 0) */
    v[45 * 360 + 200] = 0;    /* ... and one at (45S, 20E), relief 0 = sea */
    dimdef d[] = {{"y", 181, lat, "degrees_north", NULL, NULL},
                  {"x", 360, lon, "degrees_east", NULL, NULL}};
    vardef var = {"depth", NC_SHORT, 0, 0, true, -32768, false, 0, "m", "down"};
    for (int k = 0; k < 181 * 360; k++)
        v[k] = -v[k]; /* stored as depths, positive down */
    const double *vals[] = {v};
    const char *path = write_nc("globe.nc", d, 2, &var, vals, 1);
    vg_bathymetry *b = NULL;
    vg_errinfo err;
    CHECK_MSG(vg_bathymetry_load(path, "depth", &b, &err) == VG_OK, "%s", err.text);
    if (!b)
        return;
    const double deg_km = 6371.0088 * M_PI / 180; /* 111.195 km */
    CHECK_NEAR(vg_bathymetry_relief_m(b, 10, 10), 100, 1e-9); /* positive down flipped */
    CHECK_NEAR(vg_bathymetry_relief_m(b, 0, 180), -50, 1e-9);
    CHECK_NEAR(vg_bathymetry_relief_m(b, 0, 179.5), 25, 1e-9);
    /* across the dateline: (0, 179.4) is 0.6 degree from the sea node at 180 */
    CHECK(vg_bathymetry_sea_within(b, 0, 179.4, 0.6 * deg_km + 0.01));
    CHECK(!vg_bathymetry_sea_within(b, 0, 179.4, 0.6 * deg_km - 0.01));
    CHECK(vg_bathymetry_sea_within(b, 0, -179.3, 0.7 * deg_km + 0.01));
    CHECK(!vg_bathymetry_sea_within(b, 0, -179.3, 0.7 * deg_km - 0.01));
    CHECK(vg_bathymetry_sea_within(b, 0.5, 179.5, 0.71 * deg_km)); /* diagonal 0.7071 deg */
    CHECK(!vg_bathymetry_sea_within(b, 0.5, 179.5, 0.70 * deg_km));
    /* across the pole: (89.5N, 180) is 1.5 degrees from (89N, 0) over the pole */
    CHECK(vg_bathymetry_sea_within(b, 89.5, 180, 1.5 * deg_km + 0.01));
    CHECK(!vg_bathymetry_sea_within(b, 89.5, 180, 1.5 * deg_km - 0.01));
    CHECK(vg_bathymetry_sea_within(b, 90, 123, 1.0 * deg_km + 0.01)); /* the pole itself */
    CHECK(!vg_bathymetry_sea_within(b, 90, 123, 1.0 * deg_km - 0.01));
    /* high latitude, east-west: at 89N a degree of longitude is cos(89) degrees of arc */
    double ang = acos(sin(89 * M_PI / 180) * sin(89 * M_PI / 180) +
                      cos(89 * M_PI / 180) * cos(89 * M_PI / 180) * cos(10 * M_PI / 180)) /
                 (M_PI / 180);
    CHECK(vg_bathymetry_sea_within(b, 89, 10, ang * deg_km + 0.01));
    CHECK(!vg_bathymetry_sea_within(b, 89, 10, ang * deg_km - 0.01));
    CHECK(vg_bathymetry_sea_within(b, -45, 20.5, 0.5 * cos(45 * M_PI / 180) * deg_km + 0.01));
    CHECK(!vg_bathymetry_sea_within(b, 10, 10, 500));
    CHECK(vg_bathymetry_sea_within(b, 10, 10, 20000)); /* half the circumference: all */

    /* the test method table, through the seam */
    const vg_qc_test *t = &vg_qc_position_on_land;
    CHECK(t->id == 4 && t->target == VG_QC_ON_POSITION && t->n_opts == 2);
    vg_sample s = mk_pos(10, 10, at(2024, 3, 1, 0, 0, 0));
    CHECK(test_refs.bathymetry == NULL);
    CHECK(run_test(t, NULL, &s, -1) == VG_FLAG_NO_QC); /* no grid: not evaluated */
    CHECK(set_bathy(b) == NULL);
    CHECK(run_test(t, NULL, &s, -1) == VG_FLAG_BAD);
    double o3[VG_QC_MAX_OPTS] = {0, 3};
    CHECK(run_test(t, o3, &s, -1) == VG_FLAG_PROBABLY_BAD);
    vg_sample sea = mk_pos(0, -180, s.time);
    CHECK(run_test(t, NULL, &sea, -1) == VG_FLAG_GOOD);
    vg_sample coast = mk_pos(0, 179.4, s.time); /* relief 40 m, 66.7 km from the sea node */
    CHECK(run_test(t, NULL, &coast, -1) == VG_FLAG_BAD);
    CHECK(run_test(t, (double[VG_QC_MAX_OPTS]){70, 4}, &coast, -1) == VG_FLAG_GOOD);
    CHECK(run_test(t, (double[VG_QC_MAX_OPTS]){60, 4}, &coast, -1) == VG_FLAG_BAD);
    vg_sample nopos = mk_pos(NAN, 10, s.time), wild = mk_pos(10, 200, s.time);
    CHECK(run_test(t, NULL, &nopos, -1) == VG_FLAG_NO_QC);
    CHECK(run_test(t, NULL, &wild, -1) == VG_FLAG_NO_QC);
    CHECK(set_bathy(NULL) == b);
    vg_bathymetry_free(b);
}

/* ---- real reference data (ferret-datasets) ---------------------------------------- */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void test_real(void)
{
    struct stat st;
    if (stat(VG_FERRET_DATA_DIR, &st) != 0) {
        printf("SKIP: %s is absent (Debian package ferret-datasets); real-grid checks "
               "skipped\n",
               VG_FERRET_DATA_DIR);
        return;
    }
    vg_errinfo err;
    vg_bathymetry *b = NULL;
    double t0 = now_ns();
    CHECK_MSG(vg_bathymetry_load(NULL, NULL, &b, &err) == VG_OK, "%s", err.text);
    if (!b)
        return;
    printf("etopo5: loaded in %.0f ms\n", (now_ns() - t0) / 1e6);
    const vg_grid *g = vg_bathymetry_grid(b);
    CHECK_STR(vg_grid_var(g), "ROSE");
    CHECK(vg_grid_is_global(g));
    static const struct {
        const char *name;
        double lat, lon, zmin, zmax;
    } pts[] = {
        {"0N 30W (mid-Atlantic)", 0, -30, -6000, -2000},
        {"20S 15W (South Atlantic)", -20, -15, -6000, -2000},
        {"Paris", 48.85, 2.35, 0.01, 300},
        {"central Australia", -25, 134, 100, 1500},
        {"0N 180E (dateline)", 0, 180, -6500, -3000},
        {"0N 180W (dateline)", 0, -180, -6500, -3000},
        {"0N 0E (0..360 seam)", 0, 0, -6000, -2000},
        {"0N 0.04W (0..360 seam)", 0, -0.04, -6000, -2000},
        {"90N (Arctic Ocean)", 90, 0, -5000, -3000},
        {"89S (Antarctic ice)", -89, 0, 2000, 4000},
        {"Marseille harbour", 43.30, 5.36, 0.01, 200},
    };
    double relief[sizeof pts / sizeof pts[0]];
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        relief[i] = vg_bathymetry_relief_m(b, pts[i].lat, pts[i].lon);
        printf("etopo5: %-26s %7.2f %8.2f  relief %8.1f m\n", pts[i].name, pts[i].lat,
               pts[i].lon, relief[i]);
        CHECK_MSG(relief[i] >= pts[i].zmin && relief[i] <= pts[i].zmax, "%s: %g", pts[i].name,
                  relief[i]);
    }
    CHECK_NEAR(relief[4], relief[5], 1e-9);
    /* the 0..360 seam is continuous: the wrap cell (359.92, 360) joins both sides */
    double zw = vg_bathymetry_relief_m(b, 0, 359.96), zl = vg_bathymetry_relief_m(b, 0, 359.92),
           z0 = vg_bathymetry_relief_m(b, 0, 0);
    CHECK_MSG(zw >= fmin(zl, z0) && zw <= fmax(zl, z0), "%g %g %g", zl, zw, z0);
    CHECK_NEAR(vg_bathymetry_relief_m(b, 0, 359.96), vg_bathymetry_relief_m(b, 0, -0.04), 1e-9);

    /* the test on samples */
    const vg_qc_test *t = &vg_qc_position_on_land;
    set_bathy(b);
    vg_time_us when = at(2024, 1, 15, 0, 0, 0);
    static const int want[] = {1, 1, 4, 4, 1, 1, 1, 1, 1, 4, 4};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        vg_sample s = mk_pos(pts[i].lat, pts[i].lon, when);
        CHECK_MSG(run_test(t, NULL, &s, -1) == want[i], "%s", pts[i].name);
    }
    /* coast tolerance: Marseille's harbour is land on a 5' grid, the sea is within 10 km;
     * Paris is some 150 km from the sea */
    vg_sample mrs = mk_pos(43.30, 5.36, when), paris = mk_pos(48.85, 2.35, when);
    double tol10[VG_QC_MAX_OPTS] = {10, 4}, tol50[VG_QC_MAX_OPTS] = {50, 4};
    CHECK(run_test(t, tol10, &mrs, -1) == VG_FLAG_GOOD);
    CHECK(run_test(t, tol50, &paris, -1) == VG_FLAG_BAD);
    CHECK(run_test(t, (double[VG_QC_MAX_OPTS]){0, 3}, &paris, -1) == VG_FLAG_PROBABLY_BAD);
    for (double km = 1; km <= 100; km += 1)
        if (vg_bathymetry_sea_within(b, 43.30, 5.36, km)) {
            printf("etopo5: Marseille harbour: nearest sea node within %.0f km\n", km);
            break;
        }
    CHECK(vg_bathymetry_sea_within(b, -89, 0, 0) == false);

    /* cost of a lookup: random open-ocean positions */
    enum { N = 1000000 };
    static double plat[1024], plon[1024];
    unsigned seed = 7;
    for (int k = 0; k < 1024; k++) {
        seed = seed * 1103515245u + 12345u;
        plat[k] = -60 + 120.0 * ((seed >> 8) & 0xffff) / 65535.0;
        seed = seed * 1103515245u + 12345u;
        plon[k] = -180 + 360.0 * ((seed >> 8) & 0xffff) / 65535.0;
    }
    volatile double sink = 0;
    t0 = now_ns();
    for (int k = 0; k < N; k++)
        sink += vg_bathymetry_relief_m(b, plat[k & 1023], plon[k & 1023]);
    double ns_relief = (now_ns() - t0) / N;
    vg_sample ss = mk_pos(0, 0, when);
    double o0[VG_QC_MAX_OPTS] = {0, 4};
    vg_qc_window w = {.cur = &ss, .refs = &test_refs};
    int flagged = 0;
    t0 = now_ns();
    for (int k = 0; k < N; k++) {
        ss.lat_deg = plat[k & 1023], ss.lon_deg = plon[k & 1023];
        flagged += t->run(o0, NULL, &w, -1) == VG_FLAG_BAD;
    }
    double ns_land = (now_ns() - t0) / N;
    double o10[VG_QC_MAX_OPTS] = {10, 4};
    t0 = now_ns();
    for (int k = 0; k < N / 10; k++) {
        ss.lat_deg = plat[k & 1023], ss.lon_deg = plon[k & 1023];
        flagged += t->run(o10, NULL, &w, -1) == VG_FLAG_BAD;
    }
    double ns_land10 = (now_ns() - t0) / (N / 10);
    ss.lat_deg = 48.85, ss.lon_deg = 2.35; /* on land: the whole 10 km disc is searched */
    t0 = now_ns();
    for (int k = 0; k < N / 10; k++)
        flagged += t->run(o10, NULL, &w, -1) == VG_FLAG_BAD;
    double ns_inland10 = (now_ns() - t0) / (N / 10);
    printf("perf: relief lookup %.1f ns; position_on_land run %.1f ns (tolerance 0), %.1f ns "
           "(10 km, mixed), %.1f ns (10 km, inland: disc searched) [%d flagged]\n",
           ns_relief, ns_land, ns_land10, ns_inland10, flagged);
    set_bathy(NULL);

    /* climatologies: the defaults, and COADS SST */
    vg_climatology *ct = NULL, *cs = NULL, *coads = NULL;
    t0 = now_ns();
    CHECK_MSG(vg_climatology_load(vg_climatology_default_spec(VG_CLIM_TEMPERATURE), &ct, &err) ==
                  VG_OK,
              "%s", err.text);
    CHECK_MSG(vg_climatology_load(vg_climatology_default_spec(VG_CLIM_SALINITY), &cs, &err) ==
                  VG_OK,
              "%s", err.text);
    vg_climatology_spec sc = {VG_FERRET_DATA_DIR "/coads_climatology.cdf", "SST", NULL, NULL, 0};
    CHECK_MSG(vg_climatology_load(&sc, &coads, &err) == VG_OK, "%s", err.text);
    printf("climatologies: loaded in %.0f ms\n", (now_ns() - t0) / 1e6);
    if (!ct || !cs || !coads) {
        vg_climatology_free(ct), vg_climatology_free(cs), vg_climatology_free(coads);
        vg_bathymetry_free(b);
        return;
    }
    CHECK(!vg_climatology_has_std(ct) && !vg_climatology_has_std(cs));
    CHECK(vg_grid_months(vg_climatology_mean_grid(ct)) == 12);
    CHECK(vg_grid_months(vg_climatology_mean_grid(cs)) == 1);
    vg_time_us jan = at(2024, 1, 15, 0, 0, 0), jul = at(2024, 7, 15, 0, 0, 0);
    static const struct {
        const char *name;
        double lat, lon;
    } cp[] = {{"0N 30W", 0, -30},          {"0N 140W", 0, -140}, {"20S 15W", -20, -15},
              {"25N 40W", 25, -40},        {"40N 65W", 40, -65}, {"0N 180", 0, 180},
              {"0N 20E (seam, land)", 0, 20}, {"10S 20E (seam, land)", -10, 20},
              {"40S 20E (seam, sea)", -40, 20}, {"central Australia", -25, 134}};
    double mt[10][2], msal[10], mc[10][2], sd;
    for (size_t i = 0; i < 10; i++) {
        vg_climatology_at(ct, cp[i].lat, cp[i].lon, jan, &mt[i][0], &sd);
        vg_climatology_at(ct, cp[i].lat, cp[i].lon, jul, &mt[i][1], &sd);
        vg_climatology_at(coads, cp[i].lat, cp[i].lon, jan, &mc[i][0], &sd);
        vg_climatology_at(coads, cp[i].lat, cp[i].lon, jul, &mc[i][1], &sd);
        vg_climatology_at(cs, cp[i].lat, cp[i].lon, jan, &msal[i], &sd);
        printf("climatology: %-22s T(atlas) Jan %6.2f Jul %6.2f  SST(COADS) Jan %6.2f Jul "
               "%6.2f  S(Levitus) %6.3f\n",
               cp[i].name, mt[i][0], mt[i][1], mc[i][0], mc[i][1], msal[i]);
    }
    for (int k = 0; k < 2; k++) { /* tropical Atlantic, January and July: 26-29 degC */
        CHECK_MSG(mt[0][k] >= 26 && mt[0][k] <= 29, "%g", mt[0][k]);
        CHECK_MSG(mc[0][k] >= 26 && mc[0][k] <= 29, "%g", mc[0][k]);
        CHECK_MSG(mt[5][k] >= 26 && mt[5][k] <= 30, "%g", mt[5][k]);
    }
    CHECK(mt[4][1] - mt[4][0] > 5); /* 40N 65W: summer much warmer than winter */
    CHECK(mt[2][0] > mt[2][1]);     /* 20S: January (austral summer) warmer */
    CHECK_MSG(msal[2] >= 35 && msal[2] <= 37, "%g", msal[2]);   /* subtropical S Atlantic */
    CHECK_MSG(msal[3] >= 36.5 && msal[3] <= 37.6, "%g", msal[3]); /* subtropical N Atlantic */
    for (int i = 6; i <= 9; i += i == 7 ? 2 : 1) /* inland Africa, Australia: no ocean node */
        CHECK_MSG(isnan(mt[i][0]) && isnan(mc[i][0]) && isnan(msal[i]), "%s", cp[i].name);
    CHECK(!isnan(mt[8][0]) && !isnan(mt[8][1]) && !isnan(msal[8])); /* seam cells: valid */

    /* the test on samples, default options (no std: 10 degC, 5 PSS-78, flag 3) */
    const vg_qc_test *tc = &vg_qc_climatology;
    set_clim(VG_CLIM_TEMPERATURE, ct);
    set_clim(VG_CLIM_SALINITY, cs);
    vg_sample s = mk_pos(0, -30, jan);
    vg_sample_set(&s, VG_P_SSJT, 27.0);
    vg_sample_set(&s, VG_P_SSPS, 36.0);
    CHECK(run_test(tc, NULL, &s, VG_P_SSJT) == VG_FLAG_GOOD);
    CHECK(run_test(tc, NULL, &s, VG_P_SSPS) == VG_FLAG_GOOD);
    s.value[VG_P_SSJT] = 15.0;
    s.value[VG_P_SSPS] = 30.0;
    CHECK(run_test(tc, NULL, &s, VG_P_SSJT) == VG_FLAG_PROBABLY_BAD);
    CHECK(run_test(tc, NULL, &s, VG_P_SSPS) == VG_FLAG_PROBABLY_BAD);
    s.time = jul;
    s.value[VG_P_SSJT] = 26.5;
    CHECK(run_test(tc, NULL, &s, VG_P_SSJT) == VG_FLAG_GOOD);
    vg_sample land = mk_pos(-25, 134, jan);
    vg_sample_set(&land, VG_P_SSJT, 27.0);
    CHECK(run_test(tc, NULL, &land, VG_P_SSJT) == VG_FLAG_NO_QC);

    /* cost of a climatology lookup (monthly: two fields and the mid-month weights) */
    vg_time_us tt = jan;
    double mean;
    t0 = now_ns();
    for (int k = 0; k < N; k++) {
        vg_climatology_at(ct, plat[k & 1023], plon[k & 1023], tt + (vg_time_us)k * 2000000000,
                          &mean, &sd);
        sink += mean;
    }
    double ns_clim = (now_ns() - t0) / N;
    vg_qc_window wc = {.cur = &s, .refs = &test_refs};
    double oc[VG_QC_MAX_OPTS];
    tc->defaults(VG_P_SSJT, oc);
    int bad = 0;
    t0 = now_ns();
    for (int k = 0; k < N; k++) {
        s.lat_deg = plat[k & 1023], s.lon_deg = plon[k & 1023];
        s.time = tt + (vg_time_us)k * 2000000000;
        bad += tc->run(oc, NULL, &wc, VG_P_SSJT) == VG_FLAG_PROBABLY_BAD;
    }
    double ns_ctest = (now_ns() - t0) / N;
    printf("perf: climatology lookup (monthly) %.1f ns; climatology run %.1f ns [%d flagged]\n",
           ns_clim, ns_ctest, bad);
    (void)sink;
    set_clim(VG_CLIM_TEMPERATURE, NULL);
    set_clim(VG_CLIM_SALINITY, NULL);
    vg_climatology_free(ct);
    vg_climatology_free(cs);
    vg_climatology_free(coads);
    vg_bathymetry_free(b);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/vigie-grid-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_desc();
    test_dateline();
    test_gsl_oracle();
    test_monthly();
    test_woa_climatology();
    test_errors();
    test_land_synthetic();
    test_real();
    for (int k = 0; k < n_files; k++)
        unlink(files[k]);
    if (rmdir(tmpdir) != 0)
        perror(tmpdir);
    return check_summary();
}
