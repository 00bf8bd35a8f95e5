/* export.c: the entry points of export/ (export.h): options, the conventional file names,
 * and vg_export_write, which creates the file atomically and hands it to the writer of the
 * format. */
#include "export/export.h"
#include "export/ncfile.h"

#include <stdio.h>
#include <string.h>

static const char *const format_names[VG_EXPORT__COUNT] = {
    [VG_EXPORT_GOSUD] = "gosud",
    [VG_EXPORT_INSTAC] = "instac",
};

const char *vg_export_format_name(vg_export_format f)
{
    return (unsigned)f < VG_EXPORT__COUNT ? format_names[f] : NULL;
}

int vg_export_format_lookup(const char *s)
{
    for (int i = 0; i < VG_EXPORT__COUNT; i++)
        if (strcmp(format_names[i], s) == 0)
            return i;
    return -1;
}

void vg_export_options_default(vg_export_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = VG_EXPORT_GOSUD;
    o->deflate = 1;
    o->data_mode = 'R';
    o->harbour_flag_as = 4;
    o->depth_m = 0.0;
}

vg_err vg_export_file_name(const vg_series *s, const vg_export_options *o, char *buf,
                           size_t cap, vg_errinfo *err)
{
    if (!s->n)
        return vg_fail(err, VG_ERR_INVAL, "%s: nothing to export in this time range", s->platform);
    int y0, m0, d0, y1, m1, d1;
    vg_time_to_fields(s->time[0], &y0, &m0, &d0, NULL, NULL, NULL, NULL);
    vg_time_to_fields(s->time[s->n - 1], &y1, &m1, &d1, NULL, NULL, NULL, NULL);
    bool one_month = y0 == y1 && m0 == m1;
    int n;
    if (o->format == VG_EXPORT_GOSUD) {
        bool rt = o->data_mode != 'D';
        if (one_month && rt)
            n = snprintf(buf, cap, "%s_%04d_%02d_a_RT_Gosud_V3.nc", s->platform, y0, m0);
        else
            n = snprintf(buf, cap, "%s_%04d%02d%02d_%04d%02d%02d_%s_Gosud_V3.nc", s->platform, y0,
                         m0, d0, y1, m1, d1, rt ? "RT" : "DM");
    } else {
        const char *tt = vg_export_instac_data_type(o, s);
        if (one_month)
            n = snprintf(buf, cap, "GL_TS_%s_%s_%04d%02d.nc", tt, s->platform, y0, m0);
        else
            n = snprintf(buf, cap, "GL_TS_%s_%s.nc", tt, s->platform);
    }
    if (n < 0 || (size_t)n >= cap)
        return vg_fail(err, VG_ERR_FULL, "file name of %s longer than %zu bytes", s->platform, cap);
    return VG_OK;
}

vg_err vg_export_write(const vg_series *s, const vg_export_options *opt, const char *path,
                       vg_errinfo *err)
{
    if (!s->n)
        return vg_fail(err, VG_ERR_INVAL, "%s: nothing to export in this time range", s->platform);
    if ((unsigned)opt->format >= VG_EXPORT__COUNT)
        return vg_fail(err, VG_ERR_INVAL, "unknown export format %d", (int)opt->format);
    if (!strchr(opt->format == VG_EXPORT_GOSUD ? "RD" : "RAD", opt->data_mode) || !opt->data_mode)
        return vg_fail(err, VG_ERR_INVAL, "data mode '%c' is not one of %s", opt->data_mode,
                       opt->format == VG_EXPORT_GOSUD ? "R, D" : "R, A, D");
    if (opt->harbour_flag_as != 3 && opt->harbour_flag_as != 4)
        return vg_fail(err, VG_ERR_INVAL, "harbour_flag_as must be 3 or 4, not %d",
                       opt->harbour_flag_as);
    vg_export_options o = *opt;
    if (!o.now)
        o.now = vg_time_now();
    vg_ncfile f;
    vg_err rc = vg_ncfile_create(&f, path, o.classic, o.deflate, err);
    if (rc != VG_OK)
        return rc;
    rc = o.format == VG_EXPORT_GOSUD ? vg_export_gosud(s, &o, &f, err)
                                     : vg_export_instac(s, &o, &f, err);
    if (rc != VG_OK) {
        char what[VG_ERRINFO_TEXT];
        snprintf(what, sizeof what, "%s", err ? err->text : "");
        vg_ncfile_abort(&f);
        return vg_fail(err, rc, "%s: %s", path, what);
    }
    return vg_ncfile_commit(&f, err);
}
