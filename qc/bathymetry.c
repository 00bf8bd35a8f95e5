/* bathymetry.c: the relief grid of the position-on-land test (bathymetry.h): picks the
 * relief variable, normalises units and sign (metres, positive up) and answers the
 * relief and coast-distance lookups of qc/test_land.c. */
#include "qc/bathymetry.h"

#include <math.h>
#include <netcdf.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct vg_bathymetry {
    vg_grid *grid; /* relief, metres, positive up; owned */
};


static const char *const bathy_names[] = {"ROSE", "elevation", "z",     "topo",
                                          "bathymetry", "Band1", "elev", NULL};

/* Text attribute `name` of variable varid, "" if absent or not text. */
static void bathy__att(int ncid, int varid, const char *name, char *buf, size_t size)
{
    nc_type t;
    size_t len;
    buf[0] = 0;
    if (nc_inq_att(ncid, varid, name, &t, &len) == NC_NOERR && t == NC_CHAR && len < size &&
        nc_get_att_text(ncid, varid, name, buf) == NC_NOERR)
        buf[len] = 0;
}

/* Choose the variable (when var is NULL) and find whether it holds depths (positive down).
 * The file is opened only for its metadata; vg_grid_load reads the values. */
static vg_err bathy__inspect(const char *path, const char **var, bool *down, vg_errinfo *err)
{
    int ncid, varid = -1, st = nc_open(path, NC_NOWRITE, &ncid);
    if (st != NC_NOERR)
        return vg_fail(err, VG_ERR_IO, "%s: cannot open the relief grid: %s", path,
                       nc_strerror(st));
    if (*var) {
        st = nc_inq_varid(ncid, *var, &varid);
    } else {
        for (int i = 0; bathy_names[i] && varid < 0; i++)
            if (nc_inq_varid(ncid, bathy_names[i], &varid) == NC_NOERR)
                *var = bathy_names[i];
            else
                varid = -1;
        st = varid >= 0 ? NC_NOERR : NC_ENOTVAR;
    }
    if (st != NC_NOERR) {
        nc_close(ncid);
        return vg_fail(err, VG_ERR_NOTFOUND, "%s: no relief variable '%s' (%s)", path,
                       *var ? *var : "ROSE, elevation, z, topo, bathymetry, Band1, elev",
                       nc_strerror(st));
    }
    char positive[16], sname[64];
    bathy__att(ncid, varid, "positive", positive, sizeof positive);
    bathy__att(ncid, varid, "standard_name", sname, sizeof sname);
    *down = !strcasecmp(positive, "down") || !strcmp(sname, "sea_floor_depth_below_geoid") ||
            !strcmp(sname, "sea_floor_depth") || !strcmp(sname, "depth");
    nc_close(ncid);
    return VG_OK;
}

vg_err vg_bathymetry_load(const char *path, const char *var, vg_bathymetry **out,
                          vg_errinfo *err)
{
    if (!out)
        return vg_fail(err, VG_ERR_INVAL, "vg_bathymetry_load: out is NULL");
    *out = NULL;
    if (!path)
        path = VG_BATHYMETRY_DEFAULT_PATH;
    bool down = false;
    vg_err e = bathy__inspect(path, &var, &down, err);
    if (e)
        return e;
    vg_bathymetry *b = calloc(1, sizeof *b);
    if (!b)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
    vg_grid_opts o = {.level = 0, .nan_rule = VG_GRID_NAN_STRICT};
    if ((e = vg_grid_load(path, var, &o, &b->grid, err))) {
        free(b);
        return e;
    }
    const char *u = vg_grid_units(b->grid);
    double scale;
    if (!u[0] || !strcasecmp(u, "m") || !strcasecmp(u, "meter") || !strcasecmp(u, "meters") ||
        !strcasecmp(u, "metre") || !strcasecmp(u, "metres"))
        scale = 1;
    else if (!strcasecmp(u, "km"))
        scale = 1000;
    else {
        e = vg_fail(err, VG_ERR_PARSE, "%s: variable '%s': units '%s', metres expected", path,
                    var, u);
        vg_bathymetry_free(b);
        return e;
    }
    if (down)
        scale = -scale;
    if (scale != 1)
        vg_grid_affine(b->grid, scale, 0);
    *out = b;
    return VG_OK;
}

void vg_bathymetry_free(vg_bathymetry *b)
{
    if (!b)
        return;
    vg_grid_free(b->grid);
    free(b);
}

double vg_bathymetry_relief_m(const vg_bathymetry *b, double lat_deg, double lon_deg)
{
    return b ? vg_grid_at_month(b->grid, 0, lat_deg, lon_deg) : NAN;
}

bool vg_bathymetry_sea_within(const vg_bathymetry *b, double lat_deg, double lon_deg,
                              double radius_km)
{
    return b && vg_grid_any_within(b->grid, 0, lat_deg, lon_deg, radius_km, 0.0);
}

const vg_grid *vg_bathymetry_grid(const vg_bathymetry *b) { return b ? b->grid : NULL; }

