/* grid.c: CF NetCDF grids in memory (grid.h). Loading finds the axes, reads the field in
 * blocks of rows, unpacks it to float with rows and columns ascending; lookups locate a
 * coordinate in O(1) (arithmetic on a uniform axis, a bin table on an irregular one).
 * Interpolation is plain bilinear rather than GSL's gsl_interp2d: gsl_interp2d needs a
 * double copy of the field (twice the memory), a mutable gsl_interp_accel per caller (not
 * shareable between threads), calls the GSL error handler outside the axis range, and has
 * neither a periodic axis (dateline wrap) nor a rule for missing corners. The unit test
 * checks this code against gsl_interp2d_bilinear inside the grid. */
#include "qc/grid.h"

#include <math.h>
#include <netcdf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GRID__EARTH_KM 6371.0088 /* IUGG mean Earth radius */
#define GRID__MAX_DIMS 8
#define GRID__MAX_MISSING 8
#define GRID__BLOCK (1u << 18) /* values read per nc_get_vara call */
#define GRID__DEG (M_PI / 180.0)

typedef struct grid__axis {
    double *r;       /* coordinates minus the first, ascending: r[0] = 0, n values, owned */
    size_t n;        /* >= 2 */
    double v0;       /* first coordinate, degrees */
    double span;     /* r[n-1] */
    double inv_step; /* (n - 1) / span */
    bool uniform;    /* r[i] = i / inv_step within 1e-3 step: index by arithmetic */
    uint32_t *bin;   /* irregular axis: bin[k] = last i <= n-2 with r[i] <= k / bin_inv */
    size_t nbin;
    double bin_inv;
} grid__axis;

struct vg_grid {
    char *path, *var; /* owned copies */
    char units[64];
    grid__axis x, y;
    bool global;          /* x covers the circle: wrap between column n-1 and column 0 */
    bool pole_s, pole_n;  /* first / last row within 1.5 spacings of the pole: clamp */
    size_t nt;            /* 1 or 12 fields */
    vg_grid_nan_rule nan_rule;
    float *data;          /* nt * ny * nx values, [t][y][x], y and x ascending, owned */
};

/* ---- axes -------------------------------------------------------------------------- */
static void grid__axis_free(grid__axis *a)
{
    free(a->r);
    free(a->bin);
    memset(a, 0, sizeof *a);
}

/* Build axis a from n ascending coordinates c (copied). */
static vg_err grid__axis_init(grid__axis *a, const double *c, size_t n)
{
    memset(a, 0, sizeof *a);
    if (n < 2)
        return VG_ERR_INVAL;
    a->r = malloc(n * sizeof *a->r);
    if (!a->r)
        return VG_ERR_NOMEM;
    a->n = n;
    a->v0 = c[0];
    a->span = c[n - 1] - c[0];
    for (size_t i = 0; i < n; i++)
        a->r[i] = c[i] - c[0];
    a->inv_step = (double)(n - 1) / a->span;
    double step = a->span / (double)(n - 1);
    a->uniform = true;
    for (size_t i = 0; i < n && a->uniform; i++)
        if (fabs(a->r[i] - (double)i * step) > 1e-3 * step)
            a->uniform = false;
    if (a->uniform)
        return VG_OK;
    a->nbin = 4 * n;
    a->bin_inv = (double)a->nbin / a->span;
    a->bin = malloc(a->nbin * sizeof *a->bin);
    if (!a->bin)
        return VG_ERR_NOMEM;
    size_t i = 0;
    for (size_t k = 0; k < a->nbin; k++) {
        double u = (double)k / a->bin_inv;
        while (i < n - 2 && a->r[i + 1] <= u)
            i++;
        a->bin[k] = (uint32_t)i;
    }
    return VG_OK;
}

/* The cell of u (0 <= u <= span): i in [0, n-2] with r[i] <= u <= r[i+1]. O(1). */
static size_t grid__locate(const grid__axis *a, double u)
{
    size_t last = a->n - 2, i;
    if (a->uniform) {
        double f = u * a->inv_step;
        i = f <= 0 ? 0 : f >= (double)last ? last : (size_t)f;
        if (i > 0 && a->r[i] > u)
            i--;
        else if (i < last && a->r[i + 1] <= u)
            i++;
        return i;
    }
    size_t k = (size_t)(u * a->bin_inv);
    i = a->bin[k < a->nbin ? k : a->nbin - 1];
    while (i < last && a->r[i + 1] <= u)
        i++;
    return i;
}

/* First index i with r[i] >= u, or n if none (u <= span assumed for a result < n). */
static size_t grid__first_at_or_after(const grid__axis *a, double u)
{
    if (u <= 0)
        return 0;
    if (u > a->span)
        return a->n;
    size_t i = grid__locate(a, u);
    return a->r[i] < u ? i + 1 : i;
}

/* ---- interpolation ----------------------------------------------------------------- */
typedef struct grid__stencil {
    size_t off[4]; /* offsets of the corners in one field */
    double w[4];   /* bilinear weights, sum 1 */
} grid__stencil;

static bool grid__stencil_at(const vg_grid *g, double lat, double lon, grid__stencil *s)
{
    if (!(lat >= -90.0 && lat <= 90.0) || !isfinite(lon))
        return false;
    const grid__axis *x = &g->x, *y = &g->y;
    size_t i0, i1, j0, j1;
    double tx, ty;
    /* u = (lon - v0) mod 360 in [0, 360): one add or subtract for the usual longitudes
     * (fmod costs tens of cycles on the per-sample path), fmod for the others. */
    double u = lon - x->v0;
    if (u < 0)
        u += 360.0;
    else if (u >= 360.0)
        u -= 360.0;
    if (!(u >= 0 && u < 360.0)) {
        u = fmod(lon - x->v0, 360.0);
        if (u < 0)
            u += 360.0;
    }
    if (u <= x->span) {
        i0 = grid__locate(x, u);
        i1 = i0 + 1;
        tx = (u - x->r[i0]) / (x->r[i1] - x->r[i0]);
    } else if (g->global) { /* the seam: last column, then the first one again */
        i0 = x->n - 1;
        i1 = 0;
        tx = (u - x->span) / (360.0 - x->span);
    } else {
        return false;
    }
    double v = lat - y->v0;
    if (v < 0) {
        if (!g->pole_s)
            return false;
        j0 = 0, j1 = 1, ty = 0;
    } else if (v > y->span) {
        if (!g->pole_n)
            return false;
        j0 = y->n - 2, j1 = y->n - 1, ty = 1;
    } else {
        j0 = grid__locate(y, v);
        j1 = j0 + 1;
        ty = (v - y->r[j0]) / (y->r[j1] - y->r[j0]);
    }
    size_t nx = x->n;
    s->off[0] = j0 * nx + i0, s->w[0] = (1 - tx) * (1 - ty);
    s->off[1] = j0 * nx + i1, s->w[1] = tx * (1 - ty);
    s->off[2] = j1 * nx + i0, s->w[2] = (1 - tx) * ty;
    s->off[3] = j1 * nx + i1, s->w[3] = tx * ty;
    return true;
}

/* Bilinear value of field f; corners of zero weight are ignored (so a query on a node
 * returns the node), missing ones follow the NaN rule. */
static double grid__eval(const vg_grid *g, const float *f, const grid__stencil *s)
{
    double sum = 0, wsum = 0;
    bool missing = false;
    for (int k = 0; k < 4; k++) {
        if (s->w[k] == 0)
            continue;
        double v = f[s->off[k]];
        if (isnan(v)) {
            missing = true;
            continue;
        }
        sum += s->w[k] * v;
        wsum += s->w[k];
    }
    if (!missing)
        return sum;
    if (g->nan_rule == VG_GRID_NAN_STRICT || wsum <= 0)
        return NAN;
    return sum / wsum;
}

static const float *grid__field(const vg_grid *g, int month)
{
    size_t t;
    if (g->nt == 1 && month == 0)
        t = 0;
    else if (g->nt == 12 && month >= 1 && month <= 12)
        t = (size_t)month - 1;
    else
        return NULL;
    return g->data + t * g->y.n * g->x.n;
}

double vg_grid_at_month(const vg_grid *g, int month, double lat_deg, double lon_deg)
{
    grid__stencil s;
    const float *f = g ? grid__field(g, month) : NULL;
    if (!f || !grid__stencil_at(g, lat_deg, lon_deg, &s))
        return NAN;
    return grid__eval(g, f, &s);
}

/* UTC microseconds of the middle of month m (1..12) of year y. */
static vg_time_us grid__mid_month(int y, int m)
{
    int64_t d0 = vg_days_from_civil(y, (unsigned)m, 1);
    int64_t d1 = m == 12 ? vg_days_from_civil((int64_t)y + 1, 1, 1)
                         : vg_days_from_civil(y, (unsigned)m + 1, 1);
    return (d0 + d1) * 43200 * VG_US_PER_S;
}

void vg_grid_month_weights(vg_time_us t, int *m0, int *m1, double *a)
{
    /* The mid-months cut time into intervals [ta, tb), each giving its own m0, m1; a stream
     * asks for times of the same interval for weeks, so the last interval is kept and only
     * a is computed for a time inside it (same result: the interval holding t is unique).
     * Per thread: the grids, hence their callers, are shared. Empty at start (ta > tb). */
    static _Thread_local struct {
        vg_time_us ta, tb;
        int m0, m1;
    } last = {1, 0, 0, 0};
    if (!(t >= last.ta && t < last.tb)) {
        int y, m;
        vg_time_to_fields(t, &y, &m, NULL, NULL, NULL, NULL, NULL);
        int ya = y, ma = m, yb = y, mb = m;
        if (t >= grid__mid_month(y, m)) {
            if (++mb > 12)
                mb = 1, yb++;
        } else {
            if (--ma < 1)
                ma = 12, ya--;
        }
        last.ta = grid__mid_month(ya, ma);
        last.tb = grid__mid_month(yb, mb);
        last.m0 = ma - 1;
        last.m1 = mb - 1;
    }
    *m0 = last.m0;
    *m1 = last.m1;
    *a = (double)(t - last.ta) / (double)(last.tb - last.ta);
}

double vg_grid_at(const vg_grid *g, double lat_deg, double lon_deg, vg_time_us t)
{
    grid__stencil s;
    if (!g || !grid__stencil_at(g, lat_deg, lon_deg, &s))
        return NAN;
    size_t field = g->y.n * g->x.n;
    if (g->nt == 1)
        return grid__eval(g, g->data, &s);
    if (t == VG_TIME_NONE)
        return NAN;
    int m0, m1;
    double a;
    vg_grid_month_weights(t, &m0, &m1, &a);
    double v0 = grid__eval(g, g->data + (size_t)m0 * field, &s);
    if (a == 0)
        return v0;
    double v1 = grid__eval(g, g->data + (size_t)m1 * field, &s);
    if (!isnan(v0) && !isnan(v1))
        return (1 - a) * v0 + a * v1;
    if (g->nan_rule == VG_GRID_NAN_STRICT)
        return NAN;
    return isnan(v0) ? v1 : v0;
}

/* True if a node of row j of f between columns at relative longitudes [lo, hi] (within
 * [0, 360)) has a value <= thr. */
static bool grid__row_any(const vg_grid *g, const float *row, double lo, double hi, double thr)
{
    for (size_t i = grid__first_at_or_after(&g->x, lo); i < g->x.n && g->x.r[i] <= hi; i++)
        if (row[i] <= thr)
            return true;
    return false;
}

bool vg_grid_any_within(const vg_grid *g, int month, double lat_deg, double lon_deg,
                        double radius_km, double threshold)
{
    const float *f = g ? grid__field(g, month) : NULL;
    if (!f || !(lat_deg >= -90.0 && lat_deg <= 90.0) || !isfinite(lon_deg) ||
        !(radius_km >= 0) || isnan(threshold))
        return false;
    const grid__axis *x = &g->x, *y = &g->y;
    double delta = radius_km / GRID__EARTH_KM; /* angular radius, radians */
    double delta_deg = delta / GRID__DEG;
    double sin0 = sin(lat_deg * GRID__DEG), cos0 = cos(lat_deg * GRID__DEG);
    double cosd = cos(delta);
    /* rows whose latitude is within delta of lat_deg */
    double vlo = lat_deg - delta_deg - y->v0, vhi = lat_deg + delta_deg - y->v0;
    if (vhi < 0 || vlo > y->span)
        return false;
    size_t jlo = grid__first_at_or_after(y, vlo);
    size_t jhi = vhi >= y->span ? y->n - 1 : grid__locate(y, vhi);
    if (jhi == y->n - 2 && y->r[y->n - 1] <= vhi)
        jhi = y->n - 1;
    for (size_t j = jlo; j <= jhi && j < y->n; j++) {
        const float *row = f + j * x->n;
        double phi = (y->v0 + y->r[j]) * GRID__DEG;
        /* cos(distance) = sin0 sin(phi) + cos0 cos(phi) cos(dlon) >= cos(delta) */
        double num = cosd - sin0 * sin(phi), den = cos0 * cos(phi);
        double dlon; /* half-width in longitude, degrees */
        if (den <= 1e-12) { /* a pole: the distance does not depend on longitude */
            if (num > 1e-12)
                continue;
            dlon = 180;
        } else {
            double c = num / den;
            if (c > 1)
                continue;
            dlon = c <= -1 ? 180 : acos(c) / GRID__DEG;
        }
        if (dlon >= 180) {
            if (grid__row_any(g, row, 0, 360, threshold))
                return true;
            continue;
        }
        double lo = fmod(lon_deg - dlon - x->v0, 360.0);
        if (lo < 0)
            lo += 360.0;
        double hi = lo + 2 * dlon;
        if (grid__row_any(g, row, lo, hi < 360 ? hi : 360, threshold))
            return true;
        if (hi >= 360 && grid__row_any(g, row, 0, hi - 360, threshold))
            return true;
    }
    return false;
}

/* ---- accessors --------------------------------------------------------------------- */
size_t vg_grid_months(const vg_grid *g) { return g->nt; }
const char *vg_grid_units(const vg_grid *g) { return g->units; }
const char *vg_grid_path(const vg_grid *g) { return g->path; }
const char *vg_grid_var(const vg_grid *g) { return g->var; }
bool vg_grid_is_global(const vg_grid *g) { return g->global; }

void vg_grid_shape(const vg_grid *g, size_t *nlat, size_t *nlon)
{
    if (nlat)
        *nlat = g->y.n;
    if (nlon)
        *nlon = g->x.n;
}

void vg_grid_affine(vg_grid *g, double scale, double offset)
{
    size_t n = g->nt * g->y.n * g->x.n;
    for (size_t i = 0; i < n; i++)
        g->data[i] = (float)(g->data[i] * scale + offset);
}

void vg_grid_free(vg_grid *g)
{
    if (!g)
        return;
    grid__axis_free(&g->x);
    grid__axis_free(&g->y);
    free(g->data);
    free(g->path);
    free(g->var);
    free(g);
}

/* ---- loading ----------------------------------------------------------------------- */
enum { GRID__OTHER, GRID__X, GRID__Y, GRID__T };

typedef struct grid__file {
    const char *path, *var;
    int ncid, varid;
    nc_type type;
    int ndims;
    size_t len[GRID__MAX_DIMS];
    int kind[GRID__MAX_DIMS];
    int xd, yd, td, zd;        /* positions in the variable's dimensions; -1 if absent */
    double *xc, *yc;           /* coordinates as in the file, owned */
    double scale, offset;
    bool has_fill;
    double fill;
    double missing[GRID__MAX_MISSING];
    size_t n_missing;
    double vmin, vmax;         /* valid range in packed units; +-inf if absent */
    char units[64];
} grid__file;

/* Text attribute `name` of varid into buf (trailing blanks and NULs removed). */
static bool grid__att_text(int ncid, int varid, const char *name, char *buf, size_t size)
{
    nc_type t;
    size_t len;
    buf[0] = 0;
    if (nc_inq_att(ncid, varid, name, &t, &len) != NC_NOERR || t != NC_CHAR || len >= size)
        return false;
    if (nc_get_att_text(ncid, varid, name, buf) != NC_NOERR)
        return false;
    buf[len] = 0;
    while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == 0))
        buf[--len] = 0;
    return true;
}

/* Numeric attribute `name`: up to max values into v; returns how many (0 if absent). */
static size_t grid__att_num(int ncid, int varid, const char *name, double *v, size_t max)
{
    nc_type t;
    size_t len;
    if (nc_inq_att(ncid, varid, name, &t, &len) != NC_NOERR || t == NC_CHAR ||
        t == NC_STRING || len == 0 || len > max)
        return 0;
    return nc_get_att_double(ncid, varid, name, v) == NC_NOERR ? len : 0;
}

static bool grid__in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(s, *list) == 0)
            return true;
    return false;
}

static const char *const grid__x_units[] = {"degrees_east", "degree_east", "degrees_e",
                                            "degree_e",     "degreese",    "degreee", NULL};
static const char *const grid__y_units[] = {"degrees_north", "degree_north", "degrees_n",
                                            "degree_n",      "degreesn",     "degreen", NULL};
static const char *const grid__x_names[] = {"lon", "long", "longitude", "x", "nav_lon", NULL};
static const char *const grid__y_names[] = {"lat", "latitude", "y", "nav_lat", NULL};
static const char *const grid__t_names[] = {"time", "t", "month", "months", NULL};

/* Kind of a dimension from its name and its coordinate variable cv (-1 if none): the
 * strongest CF evidence wins: units, then standard_name, then axis, then the name. */
static int grid__dim_kind(int ncid, int cv, const char *dimname)
{
    char units[128] = "", sname[64] = "", axis[8] = "";
    if (cv >= 0) {
        grid__att_text(ncid, cv, "units", units, sizeof units);
        grid__att_text(ncid, cv, "standard_name", sname, sizeof sname);
        grid__att_text(ncid, cv, "axis", axis, sizeof axis);
    }
    if (grid__in_list(units, grid__x_units))
        return GRID__X;
    if (grid__in_list(units, grid__y_units))
        return GRID__Y;
    for (char *p = units; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    if (strstr(units, " since "))
        return GRID__T;
    if (!strcasecmp(sname, "longitude") || !strcasecmp(sname, "grid_longitude"))
        return GRID__X;
    if (!strcasecmp(sname, "latitude") || !strcasecmp(sname, "grid_latitude"))
        return GRID__Y;
    if (!strcasecmp(sname, "time"))
        return GRID__T;
    if (!strcasecmp(axis, "X"))
        return GRID__X;
    if (!strcasecmp(axis, "Y"))
        return GRID__Y;
    if (!strcasecmp(axis, "T"))
        return GRID__T;
    if (!strcasecmp(axis, "Z"))
        return GRID__OTHER;
    if (grid__in_list(dimname, grid__x_names))
        return GRID__X;
    if (grid__in_list(dimname, grid__y_names))
        return GRID__Y;
    if (grid__in_list(dimname, grid__t_names))
        return GRID__T;
    return GRID__OTHER;
}

static vg_err grid__nc_fail(vg_errinfo *err, vg_err code, const grid__file *f, const char *what,
                            int status)
{
    return vg_fail(err, code, "%s: variable '%s': %s: %s", f->path, f->var, what,
                   nc_strerror(status));
}

/* Read the 1-D coordinate variable cv (n values) into a new array; checks strict
 * monotonicity. */
static vg_err grid__coords(grid__file *f, int cv, size_t n, const char *dimname, double **out,
                           vg_errinfo *err)
{
    double *c = malloc(n * sizeof *c);
    if (!c)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", f->path);
    int st = nc_get_var_double(f->ncid, cv, c);
    if (st != NC_NOERR) {
        free(c);
        return grid__nc_fail(err, VG_ERR_IO, f, "reading its coordinate", st);
    }
    bool up = n >= 2 && c[1] > c[0];
    for (size_t i = 1; i < n; i++)
        if (!isfinite(c[i]) || !isfinite(c[i - 1]) || (up ? c[i] <= c[i - 1] : c[i] >= c[i - 1])) {
            free(c);
            return vg_fail(err, VG_ERR_PARSE,
                           "%s: variable '%s': coordinate '%s' is not strictly monotonic at "
                           "index %zu",
                           f->path, f->var, dimname, i);
        }
    *out = c;
    return VG_OK;
}

static bool grid__degrees_or_none(int ncid, int cv, const char *const *units_ok)
{
    char units[128];
    if (!grid__att_text(ncid, cv, "units", units, sizeof units) || !units[0])
        return true;
    return grid__in_list(units, units_ok) || !strcasecmp(units, "degrees") ||
           !strcasecmp(units, "degree");
}

/* Open f->path and describe f->var: axes, coordinates, packing and missing values. */
static vg_err grid__describe(grid__file *f, const vg_grid_opts *o, vg_errinfo *err)
{
    int st = nc_open(f->path, NC_NOWRITE, &f->ncid);
    if (st != NC_NOERR) {
        f->ncid = -1;
        return vg_fail(err, VG_ERR_IO, "%s: cannot open (variable '%s'): %s", f->path, f->var,
                       nc_strerror(st));
    }
    if ((st = nc_inq_varid(f->ncid, f->var, &f->varid)) != NC_NOERR)
        return grid__nc_fail(err, VG_ERR_NOTFOUND, f, "not in the file", st);
    int dimids[NC_MAX_VAR_DIMS];
    if ((st = nc_inq_var(f->ncid, f->varid, NULL, &f->type, &f->ndims, NULL, NULL)) !=
        NC_NOERR)
        return grid__nc_fail(err, VG_ERR_IO, f, "inquiry", st);
    if (f->type == NC_CHAR || f->type == NC_STRING || f->type >= NC_VLEN)
        return vg_fail(err, VG_ERR_PARSE, "%s: variable '%s' is not numeric", f->path, f->var);
    if (f->ndims < 2 || f->ndims > GRID__MAX_DIMS)
        return vg_fail(err, VG_ERR_PARSE, "%s: variable '%s' has %d dimensions (2..%d expected)",
                       f->path, f->var, f->ndims, GRID__MAX_DIMS);
    nc_inq_vardimid(f->ncid, f->varid, dimids);
    f->xd = f->yd = f->td = f->zd = -1;
    int cvs[GRID__MAX_DIMS];
    char names[GRID__MAX_DIMS][NC_MAX_NAME + 1];
    for (int d = 0; d < f->ndims; d++) {
        nc_inq_dim(f->ncid, dimids[d], names[d], &f->len[d]);
        int cv, nd, cdim;
        cvs[d] = -1;
        if (nc_inq_varid(f->ncid, names[d], &cv) == NC_NOERR &&
            nc_inq_varndims(f->ncid, cv, &nd) == NC_NOERR && nd == 1 &&
            nc_inq_vardimid(f->ncid, cv, &cdim) == NC_NOERR && cdim == dimids[d])
            cvs[d] = cv;
        f->kind[d] = grid__dim_kind(f->ncid, cvs[d], names[d]);
        int *slot = f->kind[d] == GRID__X ? &f->xd
                  : f->kind[d] == GRID__Y ? &f->yd
                  : f->kind[d] == GRID__T ? &f->td
                                          : NULL;
        if (slot && *slot >= 0)
            return vg_fail(err, VG_ERR_PARSE,
                           "%s: variable '%s': dimensions '%s' and '%s' are both %s axes",
                           f->path, f->var, names[*slot], names[d],
                           f->kind[d] == GRID__X ? "longitude"
                           : f->kind[d] == GRID__Y ? "latitude"
                                                   : "time");
        if (slot)
            *slot = d;
    }
    if (f->xd < 0 || f->yd < 0)
        return vg_fail(err, VG_ERR_NOTFOUND,
                       "%s: variable '%s': no %s dimension (CF units degrees_%s, standard_name, "
                       "axis or a common name)",
                       f->path, f->var, f->xd < 0 ? "longitude" : "latitude",
                       f->xd < 0 ? "east" : "north");
    for (int k = 0; k < 2; k++) {
        int d = k ? f->yd : f->xd;
        if (cvs[d] < 0)
            return vg_fail(err, VG_ERR_PARSE,
                           "%s: variable '%s': dimension '%s' has no 1-D coordinate variable "
                           "(curvilinear grids are not supported)",
                           f->path, f->var, names[d]);
        if (f->len[d] < 2)
            return vg_fail(err, VG_ERR_PARSE, "%s: variable '%s': axis '%s' has %zu point(s)",
                           f->path, f->var, names[d], f->len[d]);
        if (!grid__degrees_or_none(f->ncid, cvs[d], k ? grid__y_units : grid__x_units))
            return vg_fail(err, VG_ERR_PARSE,
                           "%s: variable '%s': axis '%s' is not in degrees (projected grids "
                           "are not supported)",
                           f->path, f->var, names[d]);
        vg_err e = grid__coords(f, cvs[d], f->len[d], names[d], k ? &f->yc : &f->xc, err);
        if (e)
            return e;
    }
    size_t ny = f->len[f->yd], nx = f->len[f->xd];
    if (fmin(f->yc[0], f->yc[ny - 1]) < -90.001 || fmax(f->yc[0], f->yc[ny - 1]) > 90.001)
        return vg_fail(err, VG_ERR_PARSE, "%s: variable '%s': latitudes outside [-90, 90]",
                       f->path, f->var);
    if (fabs(f->xc[nx - 1] - f->xc[0]) > 360.0 + 1e-6)
        return vg_fail(err, VG_ERR_PARSE,
                       "%s: variable '%s': longitudes span more than 360 degrees", f->path,
                       f->var);
    if (f->td >= 0 && f->len[f->td] != 12 && f->len[f->td] != 1)
        return vg_fail(err, VG_ERR_PARSE,
                       "%s: variable '%s': time dimension '%s' has %zu steps (12 monthly fields "
                       "or 1 expected)",
                       f->path, f->var, names[f->td], f->len[f->td]);
    for (int d = 0; d < f->ndims; d++) {
        if (f->kind[d] != GRID__OTHER || f->len[d] == 1)
            continue;
        if (f->zd >= 0)
            return vg_fail(err, VG_ERR_PARSE,
                           "%s: variable '%s': two extra dimensions ('%s', '%s'); one "
                           "(vertical) at most",
                           f->path, f->var, names[f->zd], names[d]);
        f->zd = d;
    }
    size_t level = o ? o->level : 0;
    if (f->zd >= 0 ? level >= f->len[f->zd] : level > 0)
        return vg_fail(err, VG_ERR_RANGE,
                       "%s: variable '%s': level %zu does not exist (%zu level(s)%s%s)", f->path,
                       f->var, level, f->zd >= 0 ? f->len[f->zd] : 1,
                       f->zd >= 0 ? " along " : "", f->zd >= 0 ? names[f->zd] : "");
    /* packing and missing values (CF: _FillValue, missing_value, valid_* are packed) */
    f->scale = 1, f->offset = 0;
    grid__att_num(f->ncid, f->varid, "scale_factor", &f->scale, 1);
    grid__att_num(f->ncid, f->varid, "add_offset", &f->offset, 1);
    f->has_fill = grid__att_num(f->ncid, f->varid, "_FillValue", &f->fill, 1) == 1;
    if (!f->has_fill) { /* the netCDF default fill applies, except to bytes */
        f->has_fill = true;
        switch (f->type) {
        case NC_SHORT: f->fill = NC_FILL_SHORT; break;
        case NC_USHORT: f->fill = NC_FILL_USHORT; break;
        case NC_INT: f->fill = NC_FILL_INT; break;
        case NC_UINT: f->fill = NC_FILL_UINT; break;
        case NC_INT64: f->fill = (double)NC_FILL_INT64; break;
        case NC_UINT64: f->fill = (double)NC_FILL_UINT64; break;
        case NC_FLOAT: f->fill = NC_FILL_FLOAT; break;
        case NC_DOUBLE: f->fill = NC_FILL_DOUBLE; break;
        default: f->has_fill = false; break;
        }
    }
    f->n_missing = grid__att_num(f->ncid, f->varid, "missing_value", f->missing,
                                 GRID__MAX_MISSING);
    double range[2];
    f->vmin = -INFINITY, f->vmax = INFINITY;
    if (grid__att_num(f->ncid, f->varid, "valid_range", range, 2) == 2) {
        f->vmin = range[0], f->vmax = range[1];
    } else {
        grid__att_num(f->ncid, f->varid, "valid_min", &f->vmin, 1);
        grid__att_num(f->ncid, f->varid, "valid_max", &f->vmax, 1);
    }
    grid__att_text(f->ncid, f->varid, "units", f->units, sizeof f->units);
    return VG_OK;
}

static bool grid__same(const grid__file *f, double raw, double ref)
{
    return f->type == NC_FLOAT ? (float)raw == (float)ref : raw == ref;
}

/* A raw (packed) value to its unpacked float, NaN when missing. */
static float grid__unpack(const grid__file *f, double raw)
{
    if (!isfinite(raw) || (f->has_fill && grid__same(f, raw, f->fill)) || raw < f->vmin ||
        raw > f->vmax)
        return NAN;
    for (size_t k = 0; k < f->n_missing; k++)
        if (grid__same(f, raw, f->missing[k]))
            return NAN;
    return (float)(raw * f->scale + f->offset);
}

/* Read time step ti of f into dst (ny * nx floats, rows and columns ascending), in blocks
 * along the outer of the two horizontal dimensions. */
static vg_err grid__read_field(const grid__file *f, size_t ti, size_t level, float *dst,
                               vg_errinfo *err)
{
    size_t start[GRID__MAX_DIMS], count[GRID__MAX_DIMS];
    size_t nx = f->len[f->xd], ny = f->len[f->yd];
    bool xdesc = f->xc[nx - 1] < f->xc[0], ydesc = f->yc[ny - 1] < f->yc[0];
    int outer = f->xd < f->yd ? f->xd : f->yd;
    int inner = outer == f->xd ? f->yd : f->xd;
    size_t nin = f->len[inner], nout = f->len[outer];
    size_t block = GRID__BLOCK / nin ? GRID__BLOCK / nin : 1;
    double *buf = malloc(block * nin * sizeof *buf);
    if (!buf)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", f->path);
    for (int d = 0; d < f->ndims; d++)
        start[d] = 0, count[d] = 1;
    if (f->td >= 0)
        start[f->td] = ti;
    if (f->zd >= 0)
        start[f->zd] = level;
    count[inner] = nin;
    for (size_t a0 = 0; a0 < nout; a0 += block) {
        size_t na = nout - a0 < block ? nout - a0 : block;
        start[outer] = a0;
        count[outer] = na;
        int st = nc_get_vara_double(f->ncid, f->varid, start, count, buf);
        if (st != NC_NOERR) {
            free(buf);
            return grid__nc_fail(err, VG_ERR_IO, f, "reading values", st);
        }
        for (size_t a = 0; a < na; a++)
            for (size_t b = 0; b < nin; b++) {
                size_t xi = outer == f->xd ? a0 + a : b, yi = outer == f->xd ? b : a0 + a;
                size_t jj = ydesc ? ny - 1 - yi : yi, ii = xdesc ? nx - 1 - xi : xi;
                dst[jj * nx + ii] = grid__unpack(f, buf[a * nin + b]);
            }
    }
    free(buf);
    return VG_OK;
}

static void grid__file_close(grid__file *f)
{
    if (f->ncid >= 0)
        nc_close(f->ncid);
    free(f->xc);
    free(f->yc);
}

/* The ascending copy of n coordinates c (reversed if descending), into tmp. */
static const double *grid__ascending(const double *c, size_t n, double *tmp)
{
    if (c[n - 1] > c[0])
        return c;
    for (size_t i = 0; i < n; i++)
        tmp[i] = c[n - 1 - i];
    return tmp;
}

/* Set up g's axes from file f (the first file of a grid). */
static vg_err grid__setup(vg_grid *g, const grid__file *f, const vg_grid_opts *o, size_t nt,
                          vg_errinfo *err)
{
    size_t nx = f->len[f->xd], ny = f->len[f->yd];
    double *tmp = malloc((nx > ny ? nx : ny) * sizeof *tmp);
    if (!tmp)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", f->path);
    vg_err e = grid__axis_init(&g->x, grid__ascending(f->xc, nx, tmp), nx);
    if (!e)
        e = grid__axis_init(&g->y, grid__ascending(f->yc, ny, tmp), ny);
    free(tmp);
    if (e)
        return vg_fail(err, e, "%s: out of memory", f->path);
    double xstep = g->x.span / (double)(nx - 1);
    g->global = g->x.span + 1.5 * xstep >= 360.0;
    g->pole_s = g->y.v0 + 90.0 <= 1.5 * (g->y.r[1] - g->y.r[0]);
    g->pole_n = 90.0 - (g->y.v0 + g->y.span) <= 1.5 * (g->y.r[ny - 1] - g->y.r[ny - 2]);
    g->nt = nt;
    g->nan_rule = o ? o->nan_rule : VG_GRID_NAN_STRICT;
    snprintf(g->units, sizeof g->units, "%s", f->units);
    g->data = malloc(nt * nx * ny * sizeof *g->data);
    if (!g->data)
        return vg_fail(err, VG_ERR_NOMEM, "%s: variable '%s': out of memory (%zu values)",
                       f->path, f->var, nt * nx * ny);
    return VG_OK;
}

/* Same horizontal grid as g? */
static bool grid__same_axes(const vg_grid *g, const grid__file *f)
{
    size_t nx = f->len[f->xd], ny = f->len[f->yd];
    if (nx != g->x.n || ny != g->y.n)
        return false;
    for (size_t i = 0; i < nx; i++) {
        double c = f->xc[f->xc[nx - 1] > f->xc[0] ? i : nx - 1 - i];
        if (fabs(c - g->x.v0 - g->x.r[i]) > 1e-6)
            return false;
    }
    for (size_t j = 0; j < ny; j++) {
        double c = f->yc[f->yc[ny - 1] > f->yc[0] ? j : ny - 1 - j];
        if (fabs(c - g->y.v0 - g->y.r[j]) > 1e-6)
            return false;
    }
    return true;
}

/* Load from n_files files (1: the file's own time steps; 12: one month per file). */
static vg_err grid__load(const char *const *paths, size_t n_files, const char *var,
                         const vg_grid_opts *o, vg_grid **out, vg_errinfo *err)
{
    if (!out || !paths || !paths[0] || !var || !var[0])
        return vg_fail(err, VG_ERR_INVAL, "grid: path and variable name required");
    *out = NULL;
    vg_grid *g = calloc(1, sizeof *g);
    if (!g || !(g->path = strdup(paths[0])) || !(g->var = strdup(var))) {
        vg_grid_free(g);
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", paths[0]);
    }
    vg_err e = VG_OK;
    size_t level = o ? o->level : 0;
    for (size_t k = 0; k < n_files && !e; k++) {
        grid__file f;
        memset(&f, 0, sizeof f);
        f.ncid = -1;
        f.xd = f.yd = f.td = f.zd = -1;
        f.path = paths[k];
        f.var = var;
        e = grid__describe(&f, o, err);
        size_t nt = f.td >= 0 ? f.len[f.td] : 1;
        if (!e && n_files > 1 && nt != 1)
            e = vg_fail(err, VG_ERR_PARSE,
                        "%s: variable '%s': %zu time steps in a one-month file", f.path, var, nt);
        if (!e && k == 0)
            e = grid__setup(g, &f, o, n_files > 1 ? n_files : nt, err);
        else if (!e && !grid__same_axes(g, &f))
            e = vg_fail(err, VG_ERR_PARSE,
                        "%s: variable '%s': grid differs from that of %s", f.path, var, paths[0]);
        size_t field = g->x.n * g->y.n;
        for (size_t ti = 0; ti < nt && !e; ti++)
            e = grid__read_field(&f, ti, level, g->data + (k + ti) * field, err);
        grid__file_close(&f);
    }
    if (e) {
        vg_grid_free(g);
        return e;
    }
    *out = g;
    return VG_OK;
}

vg_err vg_grid_load(const char *path, const char *var, const vg_grid_opts *opts, vg_grid **out,
                    vg_errinfo *err)
{
    return grid__load(&path, 1, var, opts, out, err);
}

vg_err vg_grid_load_monthly(const char *const paths[12], const char *var,
                            const vg_grid_opts *opts, vg_grid **out, vg_errinfo *err)
{
    for (int m = 0; paths && m < 12; m++)
        if (!paths[m])
            return vg_fail(err, VG_ERR_INVAL, "grid: monthly file %d missing", m + 1);
    return grid__load(paths, 12, var, opts, out, err);
}
