/* samples.c: water sample sets (samples.h): growth, time sort, and the CSV reader. */
#include "dm/samples.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void vg_dm_samples_init(vg_dm_samples *s)
{
    memset(s, 0, sizeof *s);
}

void vg_dm_samples_free(vg_dm_samples *s)
{
    free(s->time), free(s->lat_deg), free(s->lon_deg), free(s->value), free(s->qc);
    vg_dm_samples_init(s);
}

static bool samples__grow(void **p, size_t n, size_t sz)
{
    void *q = realloc(*p, n * sz);
    if (!q)
        return false;
    *p = q;
    return true;
}

vg_err vg_dm_samples_add(vg_dm_samples *s, vg_time_us t, double lat_deg, double lon_deg,
                         double value, vg_flag qc, vg_errinfo *err)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        if (!samples__grow((void **)&s->time, cap, sizeof *s->time) ||
            !samples__grow((void **)&s->lat_deg, cap, sizeof *s->lat_deg) ||
            !samples__grow((void **)&s->lon_deg, cap, sizeof *s->lon_deg) ||
            !samples__grow((void **)&s->value, cap, sizeof *s->value) ||
            !samples__grow((void **)&s->qc, cap, sizeof *s->qc))
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu water samples", cap);
        s->cap = cap;
    }
    s->time[s->n] = t;
    s->lat_deg[s->n] = lat_deg;
    s->lon_deg[s->n] = lon_deg;
    s->value[s->n] = value;
    s->qc[s->n] = qc;
    s->n++;
    return VG_OK;
}

void vg_dm_samples_sort(vg_dm_samples *s)
{
    /* Insertion sort: sample files hold hundreds of rows, nearly always in order. */
    for (size_t i = 1; i < s->n; i++) {
        vg_time_us t = s->time[i];
        double la = s->lat_deg[i], lo = s->lon_deg[i], v = s->value[i];
        vg_flag q = s->qc[i];
        size_t j = i;
        for (; j > 0 && s->time[j - 1] > t; j--) {
            s->time[j] = s->time[j - 1];
            s->lat_deg[j] = s->lat_deg[j - 1];
            s->lon_deg[j] = s->lon_deg[j - 1];
            s->value[j] = s->value[j - 1];
            s->qc[j] = s->qc[j - 1];
        }
        s->time[j] = t, s->lat_deg[j] = la, s->lon_deg[j] = lo, s->value[j] = v, s->qc[j] = q;
    }
}

/* A number field f (trimmed); empty or "nan" -> NaN. False when it is not a number. */
static bool samples__number(const char *f, double *out)
{
    while (*f == ' ' || *f == '\t')
        f++;
    if (!*f || strcasecmp(f, "nan") == 0) {
        *out = NAN;
        return true;
    }
    char *end;
    errno = 0;
    double v = strtod(f, &end);
    while (*end == ' ' || *end == '\t' || *end == '\r')
        end++;
    if (errno || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static vg_err samples__line(const char *path, int ln, char *line, vg_dm_samples *s,
                            vg_errinfo *err)
{
    char *field[5];
    int nf = 0;
    for (char *p = line;; ) {
        if (nf == 5)
            return vg_fail(err, VG_ERR_PARSE, "%s:%d: more than 5 fields (time,lat,lon,salinity,qc)",
                           path, ln);
        field[nf++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    if (nf != 5)
        return vg_fail(err, VG_ERR_PARSE, "%s:%d: %d fields where 5 are expected (time,lat,lon,salinity,qc)",
                       path, ln, nf);
    vg_time_us t;
    vg_errinfo te;
    const char *tf = field[0];
    while (*tf == ' ')
        tf++;
    size_t used;
    if (vg_time_parse_iso8601(tf, strlen(tf), &t, &used, &te) != VG_OK)
        return vg_fail(err, VG_ERR_PARSE, "%s:%d: time: %s", path, ln, te.text);
    while (tf[used] == ' ' || tf[used] == '\r')
        used++;
    if (tf[used])
        return vg_fail(err, VG_ERR_PARSE, "%s:%d: time: trailing text '%s'", path, ln, tf + used);
    double lat, lon, v, q;
    if (!samples__number(field[1], &lat) || (!isnan(lat) && fabs(lat) > 90))
        return vg_fail(err, VG_ERR_PARSE, "%s:%d: lat '%s' is not a latitude in degrees", path, ln, field[1]);
    if (!samples__number(field[2], &lon) || (!isnan(lon) && fabs(lon) > 360))
        return vg_fail(err, VG_ERR_PARSE, "%s:%d: lon '%s' is not a longitude in degrees", path, ln, field[2]);
    if (!samples__number(field[3], &v) || (!isnan(v) && (v < 0 || v > 50)))
        return vg_fail(err, VG_ERR_PARSE, "%s:%d: salinity '%s' is not a practical salinity (0-50)", path, ln,
                       field[3]);
    if (!samples__number(field[4], &q) || isnan(q) || q != floor(q) || !vg_flag_valid((int)q))
        return vg_fail(err, VG_ERR_PARSE, "%s:%d: qc '%s' is not a flag 0-9", path, ln, field[4]);
    return vg_dm_samples_add(s, t, lat, lon, v, (vg_flag)q, err);
}

vg_err vg_dm_samples_read_csv(const char *path, vg_dm_samples *s, vg_errinfo *err)
{
    vg_dm_samples_init(s);
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_fail(err, VG_ERR_IO, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int ln = 0;
    vg_err rc = VG_OK;
    while (rc == VG_OK && (len = getline(&line, &cap, f)) >= 0) {
        ln++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#' || (strncasecmp(p, "time", 4) == 0 && s->n == 0))
            continue;
        rc = samples__line(path, ln, line, s, err);
    }
    if (rc == VG_OK && ferror(f))
        rc = vg_fail(err, VG_ERR_IO, "%s: read error", path);
    free(line);
    fclose(f);
    if (rc != VG_OK) {
        vg_dm_samples_free(s);
        return rc;
    }
    vg_dm_samples_sort(s);
    return VG_OK;
}
