/* climatology.c: climatological mean and standard deviation per parameter family
 * (climatology.h): loading from one file, or from 12 monthly files ("{MM}" in the path),
 * unit normalisation, and the lookups of qc/test_climatology.c. */
#include "qc/climatology.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct vg_climatology {
    vg_grid *mean; /* owned */
    vg_grid *std;  /* owned, NULL = none */
    char describe[512];
};


static const vg_climatology_spec clim_defaults[VG_CLIM__COUNT] = {
    [VG_CLIM_TEMPERATURE] = {VG_FERRET_DATA_DIR "/ocean_atlas_subset.nc", "TEMP", NULL, NULL, 0},
    [VG_CLIM_SALINITY] = {VG_FERRET_DATA_DIR "/levitus_climatology.cdf", "SALT", NULL, NULL, 0},
};

int vg_clim_family_of(vg_param p)
{
    const vg_param_info *pi = vg_param_get(p);
    if (!pi)
        return -1;
    switch (pi->family) {
    case VG_FAM_TEMPERATURE: return VG_CLIM_TEMPERATURE;
    case VG_FAM_SALINITY: return VG_CLIM_SALINITY;
    default: return -1;
    }
}

const char *vg_clim_family_name(vg_clim_family f)
{
    return f == VG_CLIM_TEMPERATURE ? "temperature" : f == VG_CLIM_SALINITY ? "salinity" : NULL;
}

const vg_climatology_spec *vg_climatology_default_spec(vg_clim_family f)
{
    return f >= 0 && f < VG_CLIM__COUNT ? &clim_defaults[f] : NULL;
}

/* Load one grid: `path` as is, or 12 files when it contains "{MM}". */
static vg_err clim__grid(const char *path, const char *var, size_t level, vg_grid **out,
                         vg_errinfo *err)
{
    vg_grid_opts o = {.level = level, .nan_rule = VG_GRID_NAN_RENORM};
    const char *mm = strstr(path, "{MM}");
    if (!mm)
        return vg_grid_load(path, var, &o, out, err);
    size_t len = strlen(path);
    char *buf = malloc(12 * (len + 1));
    if (!buf)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
    const char *paths[12];
    for (int m = 0; m < 12; m++) {
        char *p = buf + (size_t)m * (len + 1);
        snprintf(p, len + 1, "%.*s%02d%s", (int)(mm - path), path, m + 1, mm + 4);
        paths[m] = p;
    }
    vg_err e = vg_grid_load_monthly(paths, var, &o, out, err);
    free(buf);
    return e;
}

static bool clim__kelvin(const char *u)
{
    return !strcmp(u, "K") || !strcasecmp(u, "kelvin") || !strcasecmp(u, "degK") ||
           !strcasecmp(u, "deg_K") || !strcasecmp(u, "degrees_K");
}

vg_err vg_climatology_load(const vg_climatology_spec *spec, vg_climatology **out,
                           vg_errinfo *err)
{
    if (!out || !spec || !spec->path || !spec->mean_var)
        return vg_fail(err, VG_ERR_INVAL, "vg_climatology_load: path and mean_var required");
    *out = NULL;
    vg_climatology *c = calloc(1, sizeof *c);
    if (!c)
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", spec->path);
    vg_err e = clim__grid(spec->path, spec->mean_var, spec->level, &c->mean, err);
    const char *spath = spec->std_path ? spec->std_path : spec->path;
    if (!e && spec->std_var)
        e = clim__grid(spath, spec->std_var, spec->level, &c->std, err);
    if (e) {
        vg_climatology_free(c);
        return e;
    }
    if (clim__kelvin(vg_grid_units(c->mean)))
        vg_grid_affine(c->mean, 1, -273.15);
    char lvl[32] = "";
    if (spec->level)
        snprintf(lvl, sizeof lvl, ", level %zu", spec->level);
    snprintf(c->describe, sizeof c->describe, "%s:%s (%s%s), std %s%s%s", spec->path,
             spec->mean_var, vg_grid_months(c->mean) == 12 ? "monthly" : "annual", lvl,
             spec->std_var ? spath : "none", spec->std_var ? ":" : "",
             spec->std_var ? spec->std_var : "");
    *out = c;
    return VG_OK;
}

void vg_climatology_free(vg_climatology *c)
{
    if (!c)
        return;
    vg_grid_free(c->mean);
    vg_grid_free(c->std);
    free(c);
}

bool vg_climatology_has_std(const vg_climatology *c) { return c && c->std; }
const char *vg_climatology_describe(const vg_climatology *c) { return c->describe; }
const vg_grid *vg_climatology_mean_grid(const vg_climatology *c) { return c->mean; }

bool vg_climatology_at(const vg_climatology *c, double lat_deg, double lon_deg, vg_time_us t,
                       double *mean, double *std)
{
    *mean = c ? vg_grid_at(c->mean, lat_deg, lon_deg, t) : NAN;
    *std = c && c->std && !isnan(*mean) ? vg_grid_at(c->std, lat_deg, lon_deg, t) : NAN;
    return !isnan(*mean);
}

