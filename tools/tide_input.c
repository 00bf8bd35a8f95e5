/* tide_input.c: reading a `time,sea_level` CSV for the tide analysis (tide_input.h), line
 * by line with the batch reader (tools/batch_input.h). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
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

vg_err vg_tide_record_read_csv(const char *path, vg_tide_record *rec, vg_errinfo *err)
{
    memset(rec, 0, sizeof *rec);
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
