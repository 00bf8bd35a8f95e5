/* report.c: the processing report (report.h): one walk of the store with the manual flags
 * merged in (time, parameter) order, or a file read back with its _ADJUSTED variables. */
#include "dm/report.h"

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "storage/audit.h"
#include "storage/dmflags.h"

static void report__init(vg_dm_report *r, const char *platform)
{
    memset(r, 0, sizeof *r);
    snprintf(r->platform, sizeof r->platform, "%s", platform ? platform : "");
    r->first = r->last = VG_TIME_NONE;
    for (int p = 0; p < VG_P__COUNT; p++)
        r->corr_min[p] = r->corr_max[p] = r->err_min[p] = r->err_max[p] = NAN;
}

/* ---- store --------------------------------------------------------------------------- */

typedef struct rep_manual {
    vg_time_us time;
    vg_param param;
    vg_flag flag;
} rep_manual;

typedef struct rep_ctx {
    vg_dm_report *r;
    rep_manual *m;
    size_t n, cap, next;
    vg_time_us last_time;
    bool nomem;
} rep_ctx;

static int rep__collect(void *ctx, const vg_manual_flag *m)
{
    rep_ctx *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        rep_manual *nm = realloc(c->m, cap * sizeof *nm);
        if (!nm) {
            c->nomem = true;
            return 1;
        }
        c->m = nm, c->cap = cap;
    }
    c->m[c->n++] = (rep_manual){m->time, m->param, m->flag};
    return 0;
}

static int rep__cmp(const void *a, const void *b)
{
    const rep_manual *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (int)x->param - (int)y->param;
}

static int rep__obs(void *ctx, const vg_obs *o)
{
    rep_ctx *c = ctx;
    vg_dm_report *r = c->r;
    if (o->time != c->last_time) {
        r->records++;
        if (r->first == VG_TIME_NONE)
            r->first = o->time;
        r->last = c->last_time = o->time;
    }
    if (isnan(o->value))
        return 0;
    vg_param p = o->param;
    vg_flag f = o->qc.agg;
    while (c->next < c->n && rep__cmp(&c->m[c->next], &(rep_manual){o->time, p, 0}) < 0)
        c->next++;
    if (c->next < c->n && c->m[c->next].time == o->time && c->m[c->next].param == p) {
        f = c->m[c->next].flag;
        r->manual[p]++;
    }
    r->params |= VG_PARAM_BIT(p);
    r->values[p]++;
    if (f <= 9)
        r->flags[p][f]++;
    for (int t = 1; t < VG_QC_MAX_TESTS; t++)
        if (o->qc.test[t] && o->qc.test[t] <= 9)
            r->test[p][t][o->qc.test[t]]++;
    return 0;
}

static int rep__audit(void *ctx, const vg_audit_entry *a)
{
    (void)a;
    ((vg_dm_report *)ctx)->audit_entries++;
    return 0;
}

static int rep__dm(void *ctx, const vg_dmflags_row *row)
{
    vg_dm_report *r = ctx;
    for (int p = 0; p < VG_P__COUNT; p++)
        if (row->present & VG_PARAM_BIT(p)) {
            r->dm_values[p]++;
            r->dm_flags[p][row->flag[p]]++;
        }
    return 0;
}

static int rep__dm_run(void *ctx, const vg_dmflags_run *run)
{
    vg_dm_report *r = ctx;
    r->dm_runs++;
    r->dm_last_run = run->seq;
    r->dm_last_when = run->when;
    return 0;
}

vg_err vg_dm_report_store(vg_store *st, const char *platform, vg_time_us from, vg_time_us to,
                          vg_dm_report *r, vg_errinfo *err)
{
    report__init(r, platform);
    rep_ctx c = {.r = r, .last_time = VG_TIME_NONE};
    vg_err rc = vg_manual_walk(st, platform, from, to, rep__collect, &c, err);
    if (rc == VG_OK && c.nomem)
        rc = vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu manual flags", c.n);
    if (rc == VG_OK) {
        qsort(c.m, c.n, sizeof *c.m, rep__cmp);
        vg_query q = {.platform = platform, .param = -1, .from = from, .to = to};
        rc = vg_store_query(st, &q, rep__obs, &c, err);
    }
    if (rc == VG_OK)
        rc = vg_audit_walk(st, platform, rep__audit, r, err);
    if (rc == VG_OK)
        rc = vg_dmflags_walk(st, platform, from, to, rep__dm, r, err);
    if (rc == VG_OK)
        rc = vg_dmflags_runs(st, platform, rep__dm_run, r, err);
    free(c.m);
    return rc;
}

/* ---- file ---------------------------------------------------------------------------- */

/* Variable `name` of n rows as doubles (fill -> NaN) into out; false when absent. */
static bool report__var(int ncid, const char *name, size_t n, double *out)
{
    int var, nd, dims[NC_MAX_VAR_DIMS];
    size_t len = 0;
    if (nc_inq_varid(ncid, name, &var) != NC_NOERR || nc_inq_varndims(ncid, var, &nd) ||
        nd != 1 || nc_inq_vardimid(ncid, var, dims) || nc_inq_dimlen(ncid, dims[0], &len) ||
        len != n || nc_get_var_double(ncid, var, out) != NC_NOERR)
        return false;
    double fill = NAN;
    nc_get_att_double(ncid, var, "_FillValue", &fill);
    for (size_t i = 0; i < n; i++)
        if (out[i] == fill || fabs(out[i]) >= 99999.0)
            out[i] = NAN;
    return true;
}

static void report__text_att(int ncid, int var, const char *name, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    if (nc_inq_attlen(ncid, var, name, &len) != NC_NOERR || len >= cap)
        return;
    if (nc_get_att_text(ncid, var, name, buf) == NC_NOERR)
        buf[len] = '\0';
}

vg_err vg_dm_report_file(const char *path, vg_dm_report *r, vg_errinfo *err)
{
    vg_series s;
    vg_export_format fmt;
    vg_err rc = vg_export_read(path, &s, &fmt, err);
    if (rc != VG_OK)
        return rc;
    report__init(r, s.platform);
    r->from_file = true;
    r->records = s.n;
    if (s.n)
        r->first = s.time[0], r->last = s.time[s.n - 1];
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!s.value[p])
            continue;
        for (size_t i = 0; i < s.n; i++) {
            if (isnan(s.value[p][i]))
                continue;
            r->values[p]++;
            if (s.qc[p][i] <= 9)
                r->flags[p][s.qc[p][i]]++;
        }
        if (r->values[p])
            r->params |= VG_PARAM_BIT(p);
    }
    int ncid;
    if (nc_open(path, NC_NOWRITE, &ncid) != NC_NOERR) {
        vg_series_free(&s);
        return vg_fail(err, VG_ERR_IO, "%s: cannot open", path);
    }
    char mode[8];
    report__text_att(ncid, NC_GLOBAL, fmt == VG_EXPORT_GOSUD ? "DATA_MODE" : "data_mode", mode,
                     sizeof mode);
    r->data_mode = mode[0];
    report__text_att(ncid, NC_GLOBAL, "PROCESSING_STATES", r->processing_states,
                     sizeof r->processing_states);
    double *adj = malloc((s.n ? s.n : 1) * sizeof *adj);
    double *aerr = malloc((s.n ? s.n : 1) * sizeof *aerr);
    double *aqc = malloc((s.n ? s.n : 1) * sizeof *aqc);
    if (!adj || !aerr || !aqc)
        rc = vg_fail(err, VG_ERR_NOMEM, "%s: out of memory for %zu rows", path, s.n);
    for (int p = 0; p < VG_P__COUNT && rc == VG_OK && fmt == VG_EXPORT_GOSUD; p++) {
        if (!s.value[p])
            continue;
        const char *code = vg_param_get(p)->code;
        char name[64];
        snprintf(name, sizeof name, "%s_ADJUSTED", code);
        if (!report__var(ncid, name, s.n, adj))
            continue;
        snprintf(name, sizeof name, "%s_ADJUSTED_ERROR", code);
        bool has_err = report__var(ncid, name, s.n, aerr);
        snprintf(name, sizeof name, "%s_ADJUSTED_QC", code);
        bool has_qc = report__var(ncid, name, s.n, aqc);
        for (size_t i = 0; i < s.n; i++) {
            if (isnan(adj[i]))
                continue;
            r->adjusted[p]++;
            if (has_qc && !isnan(aqc[i]) && aqc[i] >= 0 && aqc[i] <= 9)
                r->adj_flags[p][(int)aqc[i]]++;
            double c = s.value[p][i] - adj[i];
            if (!isnan(c)) {
                r->corr_min[p] = isnan(r->corr_min[p]) ? c : fmin(r->corr_min[p], c);
                r->corr_max[p] = isnan(r->corr_max[p]) ? c : fmax(r->corr_max[p], c);
            }
            if (has_err && !isnan(aerr[i])) {
                r->err_min[p] = isnan(r->err_min[p]) ? aerr[i] : fmin(r->err_min[p], aerr[i]);
                r->err_max[p] = isnan(r->err_max[p]) ? aerr[i] : fmax(r->err_max[p], aerr[i]);
            }
        }
        r->has_adjusted[p] = r->adjusted[p] > 0;
        int var;
        snprintf(name, sizeof name, "%s_ADJUSTED_HIST", code);
        size_t len = 0;
        int dims[NC_MAX_VAR_DIMS], nd = 0;
        char text[1024];
        if (nc_inq_varid(ncid, name, &var) == NC_NOERR && nc_inq_varndims(ncid, var, &nd) == NC_NOERR &&
            nd == 1 && nc_inq_vardimid(ncid, var, dims) == NC_NOERR &&
            nc_inq_dimlen(ncid, dims[0], &len) == NC_NOERR && len < sizeof text &&
            nc_get_var_text(ncid, var, text) == NC_NOERR) {
            text[len] = '\0';
            for (size_t k = len; k > 0 && (text[k - 1] == ' ' || text[k - 1] == '\0'); k--)
                text[k - 1] = '\0';
            snprintf(r->hist[p], sizeof r->hist[p], "%.*s", VG_ADJ_HIST_MAX - 1, text);
        }
    }
    free(adj), free(aerr), free(aqc);
    nc_close(ncid);
    vg_series_free(&s);
    return rc;
}
