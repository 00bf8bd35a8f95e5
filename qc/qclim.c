/* qclim.c: reads and applies the window tables of the QARTOD climatology test (qclim.h),
 * with the semantics of ioos_qc 2.x ClimatologyConfig.check: a sample starts "not
 * evaluated" (2); each window whose time span (inclusive) holds the sample's time, in the
 * period's unit, and whose depth span (inclusive) holds its depth, or which has no depth
 * span when the sample has no depth, judges it: outside fspan 4, else outside vspan 3,
 * else 1; later windows overwrite earlier ones. */
#include "qc/qclim.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/flags.h"

static const char *const period_names[VG_QCLIM__COUNT] = {
    [VG_QCLIM_DATES] = NULL,         [VG_QCLIM_YEAR] = "year",
    [VG_QCLIM_QUARTER] = "quarter",  [VG_QCLIM_MONTH] = "month",
    [VG_QCLIM_WEEK] = "week",        [VG_QCLIM_DAYOFYEAR] = "dayofyear",
    [VG_QCLIM_DAY] = "day",          [VG_QCLIM_DAYOFWEEK] = "dayofweek",
    [VG_QCLIM_HOUR] = "hour",        [VG_QCLIM_MINUTE] = "minute",
};

static int qclim__period(const char *s)
{
    if (!strcmp(s, "weekofyear"))
        return VG_QCLIM_WEEK;
    for (int i = 1; i < VG_QCLIM__COUNT; i++)
        if (!strcmp(s, period_names[i]))
            return i;
    return -1;
}

/* A [lo, hi] pair of numbers, sorted. */
static vg_err qclim__span(yaml_document_t *doc, yaml_node_t *n, const char *path,
                          const char *key, double *lo, double *hi, vg_errinfo *err)
{
    double d[2];
    if (n->type != YAML_SEQUENCE_NODE ||
        n->data.sequence.items.top - n->data.sequence.items.start != 2)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s must be a list of two numbers [low, high]",
                       path, vg_yaml_line(n), key);
    for (int i = 0; i < 2; i++) {
        const char *s =
            vg_yaml_scalar(yaml_document_get_node(doc, n->data.sequence.items.start[i]));
        if (!s || !vg_parse_double(s, &d[i]))
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: %s must be a list of two numbers "
                           "[low, high]", path, vg_yaml_line(n), key);
    }
    *lo = d[0] < d[1] ? d[0] : d[1];
    *hi = d[0] < d[1] ? d[1] : d[0];
    return VG_OK;
}

/* tspan without a period: two ISO 8601 dates (a date alone is midnight UTC), sorted. */
static vg_err qclim__dates(yaml_document_t *doc, yaml_node_t *n, const char *path,
                           vg_qclim_window *w, vg_errinfo *err)
{
    vg_time_us d[2];
    if (n->type != YAML_SEQUENCE_NODE ||
        n->data.sequence.items.top - n->data.sequence.items.start != 2)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: tspan must be a list of two dates (or two "
                       "numbers with 'period:')", path, vg_yaml_line(n));
    for (int i = 0; i < 2; i++) {
        const char *s =
            vg_yaml_scalar(yaml_document_get_node(doc, n->data.sequence.items.start[i]));
        size_t used = 0;
        vg_errinfo e2 = {0};
        if (!s || vg_time_parse_iso8601(s, strlen(s), &d[i], &used, &e2) != VG_OK ||
            used != strlen(s))
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: tspan without 'period:' takes two ISO "
                           "8601 dates, not '%s'", path, vg_yaml_line(n), s ? s : "?");
    }
    w->d_lo = d[0] < d[1] ? d[0] : d[1];
    w->d_hi = d[0] < d[1] ? d[1] : d[0];
    return VG_OK;
}

static vg_err qclim__window(yaml_document_t *doc, yaml_node_t *m, const char *path,
                            vg_qclim_window *w, vg_errinfo *err)
{
    if (m->type != YAML_MAPPING_NODE)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: a climatology window must be a mapping "
                       "(tspan, vspan, fspan, zspan, period)", path, vg_yaml_line(m));
    *w = (vg_qclim_window){.f_lo = NAN, .f_hi = NAN, .z_lo = NAN, .z_hi = NAN};
    for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = yaml_document_get_node(doc, pr->key);
        const char *key = vg_yaml_scalar(k);
        if (!key || (strcmp(key, "tspan") && strcmp(key, "vspan") && strcmp(key, "fspan") &&
                     strcmp(key, "zspan") && strcmp(key, "period")))
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: unknown key '%s' in a climatology "
                           "window (tspan, vspan, fspan, zspan, period)", path,
                           vg_yaml_line(k), key ? key : "?");
    }
    yaml_node_t *tspan = vg_yaml_map_get(doc, m, "tspan");
    yaml_node_t *vspan = vg_yaml_map_get(doc, m, "vspan");
    yaml_node_t *fspan = vg_yaml_map_get(doc, m, "fspan");
    yaml_node_t *zspan = vg_yaml_map_get(doc, m, "zspan");
    yaml_node_t *period = vg_yaml_map_get(doc, m, "period");
    if (!tspan || !vspan)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: a climatology window needs tspan and vspan",
                       path, vg_yaml_line(m));
    const char *ps = period ? vg_yaml_scalar(period) : NULL;
    bool null_period = period && ps && (!*ps || !strcmp(ps, "null") || !strcmp(ps, "~"));
    vg_err rc;
    if (period && !null_period) {
        int pi = ps ? qclim__period(ps) : -1;
        if (pi < 0)
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: period '%s' is not one vigie knows "
                           "(year, quarter, month, week, weekofyear, dayofyear, day, "
                           "dayofweek, hour, minute)", path, vg_yaml_line(period),
                           ps ? ps : "?");
        w->period = (vg_qclim_period)pi;
        rc = qclim__span(doc, tspan, path, "tspan", &w->t_lo, &w->t_hi, err);
    } else {
        w->period = VG_QCLIM_DATES;
        rc = qclim__dates(doc, tspan, path, w, err);
    }
    if (rc == VG_OK)
        rc = qclim__span(doc, vspan, path, "vspan", &w->v_lo, &w->v_hi, err);
    if (rc == VG_OK && fspan)
        rc = qclim__span(doc, fspan, path, "fspan", &w->f_lo, &w->f_hi, err);
    if (rc == VG_OK && zspan)
        rc = qclim__span(doc, zspan, path, "zspan", &w->z_lo, &w->z_hi, err);
    return rc;
}

vg_err vg_qclim_parse(yaml_document_t *doc, yaml_node_t *seq, const char *path,
                      vg_qclim_set *set, size_t *index, vg_errinfo *err)
{
    if (seq->type != YAML_SEQUENCE_NODE ||
        seq->data.sequence.items.top == seq->data.sequence.items.start)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: the climatology windows must be a non-empty "
                       "list of {tspan, vspan, ...}", path, vg_yaml_line(seq));
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    vg_qclim_table *tb = calloc(1, sizeof *tb);
    vg_qclim_table **grown = realloc(set->t, (set->n + 1) * sizeof *set->t);
    if (grown)
        set->t = grown;
    if (!tb || !grown || !(tb->w = calloc(n, sizeof *tb->w))) {
        free(tb);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for a climatology table");
    }
    tb->n = n;
    for (size_t i = 0; i < n; i++) {
        vg_err rc = qclim__window(doc, yaml_document_get_node(doc, seq->data.sequence.items.start[i]),
                                  path, &tb->w[i], err);
        if (rc != VG_OK) {
            free(tb->w);
            free(tb);
            return rc;
        }
    }
    set->t[set->n] = tb;
    *index = set->n++;
    return VG_OK;
}

void vg_qclim_set_free(vg_qclim_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->t[i]->w);
        free(set->t[i]);
    }
    free(set->t);
    set->t = NULL;
    set->n = 0;
}

/* The calendar attributes of t (UTC), as pandas.Timestamp gives them. */
static void qclim__calendar(vg_time_us t, double out[VG_QCLIM__COUNT])
{
    int y, mo, d, h, mi, s, us;
    vg_time_to_fields(t, &y, &mo, &d, &h, &mi, &s, &us);
    int64_t days = vg_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int doy = (int)(days - vg_days_from_civil(y, 1, 1)) + 1;
    int dow = (int)(((days % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday (3) */
    /* ISO week: the week (Monday first) holding the year's first Thursday is week 1. */
    int week = (doy - (dow + 1) + 10) / 7;
    if (week < 1) {
        int py = y - 1;
        int p_doy = (int)(days - vg_days_from_civil(py, 1, 1)) + 1;
        week = (p_doy - (dow + 1) + 10) / 7;
    } else if (week == 53) {
        /* Week 53 exists only when the year ends on a Thursday, or a Friday in a leap year. */
        int64_t dec31 = vg_days_from_civil(y, 12, 31);
        int wd31 = (int)(((dec31 % 7) + 7 + 3) % 7);
        if (wd31 < 3)
            week = 1;
    }
    out[VG_QCLIM_YEAR] = y;
    out[VG_QCLIM_QUARTER] = (mo - 1) / 3 + 1;
    out[VG_QCLIM_MONTH] = mo;
    out[VG_QCLIM_WEEK] = week;
    out[VG_QCLIM_DAYOFYEAR] = doy;
    out[VG_QCLIM_DAY] = d;
    out[VG_QCLIM_DAYOFWEEK] = dow;
    out[VG_QCLIM_HOUR] = h;
    out[VG_QCLIM_MINUTE] = mi;
}

uint8_t vg_qclim_judge(const vg_qclim_table *tb, vg_time_us t, double z, double v)
{
    double cal[VG_QCLIM__COUNT];
    bool have_cal = false;
    uint8_t q = VG_QARTOD_NOT_EVALUATED;
    for (size_t i = 0; i < tb->n; i++) {
        const vg_qclim_window *w = &tb->w[i];
        if (w->period == VG_QCLIM_DATES) {
            if (t < w->d_lo || t > w->d_hi)
                continue;
        } else {
            if (!have_cal) {
                qclim__calendar(t, cal);
                have_cal = true;
            }
            if (cal[w->period] < w->t_lo || cal[w->period] > w->t_hi)
                continue;
        }
        if (isnan(w->z_lo) ? !isnan(z) : (isnan(z) || z < w->z_lo || z > w->z_hi))
            continue;
        if (!isnan(w->f_lo) && (v < w->f_lo || v > w->f_hi))
            q = VG_QARTOD_FAIL;
        else if (v < w->v_lo || v > w->v_hi)
            q = VG_QARTOD_SUSPECT;
        else
            q = VG_QARTOD_PASS;
    }
    return q;
}
