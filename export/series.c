/* series.c: the columnar series of one platform (series.h): growth by doubling, the reader
 * join from the store, and sample appends. */
#include "export/series.h"

#include "storage/walk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vg_series_init(vg_series *s, const char *platform)
{
    memset(s, 0, sizeof *s);
    if (platform)
        snprintf(s->platform, sizeof s->platform, "%s", platform);
}

void vg_series_free(vg_series *s)
{
    free(s->time);
    free(s->time_qc);
    free(s->lat_deg);
    free(s->lon_deg);
    free(s->pos_qc);
    for (int p = 0; p < VG_P__COUNT; p++) {
        free(s->value[p]);
        free(s->qc[p]);
    }
    char platform[VG_PLATFORM_MAX];
    memcpy(platform, s->platform, sizeof platform);
    vg_series_init(s, platform);
}

/* realloc *p to n elements of size sz; false on failure (*p unchanged). */
static bool series__grow(void **p, size_t n, size_t sz)
{
    void *q = realloc(*p, n * sz);
    if (!q)
        return false;
    *p = q;
    return true;
}

/* Grow every column to exactly cap rows (cap > s->cap). */
static vg_err series__resize(vg_series *s, size_t cap, vg_errinfo *err)
{
    bool ok = series__grow((void **)&s->time, cap, sizeof *s->time) &&
              series__grow((void **)&s->time_qc, cap, sizeof *s->time_qc) &&
              series__grow((void **)&s->lat_deg, cap, sizeof *s->lat_deg) &&
              series__grow((void **)&s->lon_deg, cap, sizeof *s->lon_deg) &&
              series__grow((void **)&s->pos_qc, cap, sizeof *s->pos_qc);
    for (int p = 0; ok && p < VG_P__COUNT; p++)
        if (s->value[p])
            ok = series__grow((void **)&s->value[p], cap, sizeof *s->value[p]) &&
                 series__grow((void **)&s->qc[p], cap, sizeof *s->qc[p]);
    if (!ok)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu rows of %s", cap, s->platform);
    s->cap = cap;
    return VG_OK;
}

static vg_err series__reserve(vg_series *s, size_t want, vg_errinfo *err)
{
    if (want <= s->cap)
        return VG_OK;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < want)
        cap *= 2;
    return series__resize(s, cap, err);
}

vg_err vg_series_reserve(vg_series *s, size_t rows, vg_errinfo *err)
{
    return rows <= s->cap ? VG_OK : series__resize(s, rows, err);
}

vg_err vg_series_add_param(vg_series *s, vg_param p, vg_errinfo *err)
{
    if ((unsigned)p >= VG_P__COUNT)
        return vg_fail(err, VG_ERR_INVAL, "parameter index %d out of range", (int)p);
    if (s->value[p])
        return VG_OK;
    size_t cap = s->cap ? s->cap : 1;
    s->value[p] = malloc(cap * sizeof *s->value[p]);
    s->qc[p] = malloc(cap * sizeof *s->qc[p]);
    if (!s->value[p] || !s->qc[p]) {
        free(s->value[p]);
        free(s->qc[p]);
        s->value[p] = NULL;
        s->qc[p] = NULL;
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for column %s", vg_param_get(p)->code);
    }
    for (size_t i = 0; i < s->n; i++) {
        s->value[p][i] = NAN;
        s->qc[p][i] = VG_FLAG_MISSING;
    }
    s->present |= VG_PARAM_BIT(p);
    return VG_OK;
}

vg_err vg_series_append(vg_series *s, vg_time_us t, size_t *row, vg_errinfo *err)
{
    if (t == VG_TIME_NONE)
        return vg_fail(err, VG_ERR_INVAL, "%s: a row needs a time", s->platform);
    if (s->n && t <= s->time[s->n - 1]) {
        char a[VG_TIME_ISO_LEN], b[VG_TIME_ISO_LEN];
        return vg_fail(err, VG_ERR_ORDER, "%s: time %s is not after %s", s->platform,
                       vg_time_format_iso8601(t, a), vg_time_format_iso8601(s->time[s->n - 1], b));
    }
    vg_err rc = series__reserve(s, s->n + 1, err);
    if (rc != VG_OK)
        return rc;
    size_t i = s->n++;
    s->time[i] = t;
    s->time_qc[i] = VG_FLAG_NO_QC;
    s->lat_deg[i] = NAN;
    s->lon_deg[i] = NAN;
    s->pos_qc[i] = VG_FLAG_MISSING;
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (s->value[p]) {
            s->value[p][i] = NAN;
            s->qc[p][i] = VG_FLAG_MISSING;
        }
    }
    if (row)
        *row = i;
    return VG_OK;
}

vg_err vg_series_append_sample(vg_series *s, const vg_sample *smp, vg_errinfo *err)
{
    size_t i;
    vg_err rc = vg_series_append(s, smp->time, &i, err);
    if (rc != VG_OK)
        return rc;
    s->time_qc[i] = smp->time_qc.agg;
    s->lat_deg[i] = smp->lat_deg;
    s->lon_deg[i] = smp->lon_deg;
    s->pos_qc[i] = smp->pos_qc.agg;
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!vg_sample_has(smp, (vg_param)p))
            continue;
        if ((rc = vg_series_add_param(s, (vg_param)p, err)) != VG_OK)
            return rc;
        s->value[p][i] = smp->value[p];
        s->qc[p][i] = smp->qc[p].agg;
    }
    return VG_OK;
}

typedef struct series__join {
    vg_series *s;
    vg_err rc;
    vg_errinfo *err;
} series__join;

/* One stored sample: one row of the series. */
static int series__sample(void *ctx, const vg_sample *smp)
{
    series__join *j = ctx;
    j->rc = vg_series_append_sample(j->s, smp, j->err);
    return j->rc != VG_OK;
}

vg_err vg_series_from_store(vg_store *st, const char *platform, vg_time_us from,
                            vg_time_us to, vg_series *s, vg_errinfo *err)
{
    vg_series_init(s, platform);
    series__join j = {.s = s, .rc = VG_OK, .err = err};
    /* one decode per sample (a per-value query costs about twice as much: bench_export) */
    vg_err rc = vg_store_walk_platform(st, platform, from, to, series__sample, &j, err);
    if (rc == VG_OK)
        rc = j.rc;
    if (rc == VG_OK)
        rc = vg_series_apply_manual(st, s, NULL, err);
    if (rc != VG_OK)
        vg_series_free(s);
    return rc;
}

size_t vg_series_count(const vg_series *s, vg_param p)
{
    size_t n = 0;
    if ((unsigned)p >= VG_P__COUNT || !s->value[p])
        return 0;
    for (size_t i = 0; i < s->n; i++)
        n += !isnan(s->value[p][i]);
    return n;
}

bool vg_series_row_at(const vg_series *s, vg_time_us t, size_t *row)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->time[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= s->n || s->time[lo] != t)
        return false;
    *row = lo;
    return true;
}
