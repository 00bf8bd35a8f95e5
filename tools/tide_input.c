/* tide_input.c: reading a sea-level record for the tide analysis (tide_input.h): a
 * `time,sea_level` CSV line by line with the batch reader (tools/batch_input.h), or a
 * NetCDF file through export/'s reader (export/export.h). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "export/export.h"
#include "export/series.h"
#include "tools/batch_input.h"
#include "tools/tide_input.h"

void vg_tide_record_free(vg_tide_record *rec)
{
    free(rec->t);
    free(rec->h);
    memset(rec, 0, sizeof *rec);
}

static vg_err tide_input__push(vg_tide_record *rec, size_t *cap, vg_time_us t, double h)
{
    if (rec->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4096;
        vg_time_us *nt = realloc(rec->t, nc * sizeof *nt);
        if (nt)
            rec->t = nt;
        double *nh = realloc(rec->h, nc * sizeof *nh);
        if (nh)
            rec->h = nh;
        if (!nt || !nh)
            return VG_ERR_NOMEM;
        *cap = nc;
    }
    rec->t[rec->n] = t;
    rec->h[rec->n] = h;
    rec->n++;
    return VG_OK;
}

static const char *tide_input__trim(const char *s, size_t *len)
{
    while (*len && (*s == ' ' || *s == '\t')) {
        s++;
        (*len)--;
    }
    while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
        (*len)--;
    return s;
}

vg_err vg_tide_record_read_nc(const char *path, vg_tide_record *rec, vg_errinfo *err)
{
    memset(rec, 0, sizeof *rec);
    rec->lat_deg = NAN;
    vg_series s;
    vg_err rc = vg_export_read(path, &s, NULL, err);
    if (rc != VG_OK)
        return rc;
    if (!(s.present & VG_PARAM_BIT(VG_P_SLEV))) {
        vg_series_free(&s);
        return vg_fail(err, VG_ERR_NOTFOUND, "%s: no SLEV variable (sea level)", path);
    }
    rec->t = malloc((s.n ? s.n : 1) * sizeof *rec->t);
    rec->h = malloc((s.n ? s.n : 1) * sizeof *rec->h);
    if (!rec->t || !rec->h) {
        vg_series_free(&s);
        return vg_fail(err, VG_ERR_NOMEM, "%s: no memory for %zu rows", path, s.n);
    }
    for (size_t i = 0; i < s.n; i++) {
        vg_flag f = s.qc[VG_P_SLEV][i];
        rec->t[i] = s.time[i];
        rec->h[i] = f == VG_FLAG_PROBABLY_BAD || f == VG_FLAG_BAD ? NAN : s.value[VG_P_SLEV][i];
        if (isnan(rec->lat_deg) && !isnan(s.lat_deg[i]))
            rec->lat_deg = s.lat_deg[i];
    }
    rec->n = s.n;
    snprintf(rec->platform, sizeof rec->platform, "%s", s.platform);
    vg_series_free(&s);
    return VG_OK;
}

vg_err vg_tide_record_read(const char *path, vg_tide_record *rec, vg_errinfo *err)
{
    unsigned char head[8] = {0};
    size_t got = 0;
    if (strcmp(path, "-") != 0) {
        FILE *f = fopen(path, "rb");
        if (f) {
            got = fread(head, 1, sizeof head, f);
            fclose(f);
        }
    }
    static const unsigned char hdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    bool nc = (got >= 4 && memcmp(head, "CDF", 3) == 0 &&
               (head[3] == 1 || head[3] == 2 || head[3] == 5)) ||
              (got == 8 && memcmp(head, hdf5, 8) == 0);
    return nc ? vg_tide_record_read_nc(path, rec, err) : vg_tide_record_read_csv(path, rec, err);
}

vg_err vg_tide_record_read_csv(const char *path, vg_tide_record *rec, vg_errinfo *err)
{
    memset(rec, 0, sizeof *rec);
    rec->lat_deg = NAN;
    vg_batch_input in;
    vg_err rc = vg_batch_input_open(&in, path, err);
    if (rc != VG_OK)
        return rc;
    size_t cap = 0;
    bool first = true;
    const char *line;
    size_t len;
    while ((rc = vg_batch_input_next(&in, &line, &len, err)) == VG_OK) {
        size_t l0 = len;
        const char *s = tide_input__trim(line, &l0);
        if (l0 == 0 || s[0] == '#')
            continue;
        const char *comma = memchr(s, ',', l0);
        if (!comma || memchr(comma + 1, ',', l0 - (size_t)(comma + 1 - s))) {
            rc = vg_fail(err, VG_ERR_PARSE, "%s:%ld: expected two columns 'time,sea_level'",
                         in.name, in.no);
            break;
        }
        size_t tl = (size_t)(comma - s), hl = l0 - tl - 1;
        const char *ts = tide_input__trim(s, &tl), *hs = tide_input__trim(comma + 1, &hl);
        if (first && tl == 4 && strncmp(ts, "time", 4) == 0) {
            first = false; /* header */
            continue;
        }
        first = false;
        vg_time_us t;
        size_t used;
        vg_errinfo terr;
        if (vg_time_parse_iso8601(ts, tl, &t, &used, &terr) != VG_OK || used != tl) {
            rc = vg_fail(err, VG_ERR_PARSE, "%s:%ld: bad time '%.*s' (ISO 8601 expected)",
                         in.name, in.no, (int)(tl > 40 ? 40 : tl), ts);
            break;
        }
        double h = NAN;
        char num[64];
        if (hl > 0 && !(hl == 3 && (strncmp(hs, "NaN", 3) == 0 || strncmp(hs, "nan", 3) == 0))) {
            if (hl >= sizeof num) {
                rc = vg_fail(err, VG_ERR_PARSE, "%s:%ld: height too long", in.name, in.no);
                break;
            }
            memcpy(num, hs, hl);
            num[hl] = '\0';
            if (!vg_parse_double(num, &h)) {
                rc = vg_fail(err, VG_ERR_PARSE, "%s:%ld: bad height '%s' (a number, or empty "
                             "or NaN for a gap)", in.name, in.no, num);
                break;
            }
        }
        if (tide_input__push(rec, &cap, t, h) != VG_OK) {
            rc = vg_fail(err, VG_ERR_NOMEM, "%s:%ld: no memory", in.name, in.no);
            break;
        }
    }
    if (rc == VG_ERR_TRUNCATED)
        rc = vg_fail(err, VG_ERR_PARSE, "%s:%ld: line too long", in.name, in.no);
    if (rc == VG_ERR_NOTFOUND)
        rc = VG_OK;
    vg_batch_input_close(&in);
    if (rc != VG_OK)
        vg_tide_record_free(rec);
    return rc;
}
