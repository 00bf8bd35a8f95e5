/* nmea.c: NMEA 0183 sentence splitting, checksum and the RMC / GGA readers of nmea.h.
 * Everything works on (pointer, length) fields of the caller's line: no copy, no allocation,
 * no strlen. Error texts name the field index (0 = address) and quote the offending bytes
 * with non-printable ones escaped. */
#include "ingest/nmea.h"

#include <math.h>
#include <string.h>

#include "core/json.h"

#define NMEA__QUOTE 48 /* bytes of a field quoted in an error message */

/* Quote field f for a message into q[0..cap). */
static const char *nmea__quote(const vg_nmea_field *f, char *q, size_t cap)
{
    return vg_json_excerpt(f->s, f->len, NMEA__QUOTE, q, cap);
}

static bool nmea__upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool nmea__digit(char c) { return c >= '0' && c <= '9'; }

static int nmea__hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Check the address field f[0] and fill talker / type / proprietary. `ended` is true when
 * the sentence stops right after the address (no ',' and no checksum): a short address is
 * then a truncation rather than a syntax error. */
static vg_err nmea__address(vg_nmea_sentence *out, bool ended, vg_errinfo *err)
{
    const vg_nmea_field *a = &out->f[0];
    char q[4 * NMEA__QUOTE];
    if (a->len == 0)
        return ended ? vg_fail(err, VG_ERR_TRUNCATED, "NMEA sentence ends after '$'")
                     : vg_fail(err, VG_ERR_PARSE, "NMEA field 0 (address) is empty");
    for (size_t k = 0; k < a->len; k++)
        if (!nmea__upper(a->s[k]) && !nmea__digit(a->s[k]))
            return vg_fail(err, VG_ERR_PARSE,
                           "NMEA field 0 (address) '%s': expected upper-case letters and digits",
                           nmea__quote(a, q, sizeof q));
    if (a->s[0] == 'P') {
        if (a->len < 2 || a->len >= sizeof out->type)
            return vg_fail(err, VG_ERR_PARSE,
                           "NMEA field 0 (address) '%s': proprietary address of %zu characters",
                           nmea__quote(a, q, sizeof q), a->len);
        out->proprietary = true;
        out->talker[0] = 0;
        memcpy(out->type, a->s, a->len);
        out->type[a->len] = 0;
        return VG_OK;
    }
    if (a->len < 5 && ended)
        return vg_fail(err, VG_ERR_TRUNCATED, "NMEA field 0 (address) '%s': sentence ends inside it",
                       nmea__quote(a, q, sizeof q));
    if (a->len != 5 || !nmea__upper(a->s[0]) || !nmea__upper(a->s[1]))
        return vg_fail(err, VG_ERR_PARSE,
                       "NMEA field 0 (address) '%s': expected a 2-letter talker and a "
                       "3-character sentence type",
                       nmea__quote(a, q, sizeof q));
    out->proprietary = false;
    out->talker[0] = a->s[0];
    out->talker[1] = a->s[1];
    out->talker[2] = 0;
    memcpy(out->type, a->s + 2, 3);
    out->type[3] = 0;
    return VG_OK;
}

vg_err vg_nmea_split(const char *s, size_t len, vg_nmea_sentence *out, vg_errinfo *err)
{
    char q[4 * NMEA__QUOTE];
    out->n = 0;
    out->has_checksum = false;
    out->proprietary = false;
    out->talker[0] = out->type[0] = 0;
    if (len == 0 || s[0] != '$')
        return vg_fail(err, VG_ERR_PARSE, "NMEA sentence must start with '$', found '%s'",
                       vg_json_excerpt(s, len ? 1 : 0, 1, q, sizeof q));
    unsigned char x = 0;
    size_t fstart = 1, i = 1, star = len;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '*') {
            star = i;
            break;
        }
        if (c < 0x20 || c > 0x7E || c == '$')
            return vg_fail(err, VG_ERR_PARSE, "NMEA field %zu, byte %zu: %s '%s'", out->n, i,
                           c == '$' ? "'$' inside a sentence (two sentences run together?)"
                                    : "byte outside printable ASCII",
                           vg_json_excerpt(s + i, 1, 1, q, sizeof q));
        x ^= c;
        if (c == ',') {
            if (out->n + 1 >= VG_NMEA_MAX_FIELDS)
                return vg_fail(err, VG_ERR_PARSE, "NMEA sentence has more than %d fields",
                               VG_NMEA_MAX_FIELDS);
            out->f[out->n].s = s + fstart;
            out->f[out->n].len = i - fstart;
            out->n++;
            fstart = i + 1;
        }
    }
    out->f[out->n].s = s + fstart;
    out->f[out->n].len = star - fstart;
    out->n++;
    if (star < len) {
        size_t rem = len - star - 1;
        const char *h = s + star + 1;
        int h1 = rem >= 1 ? nmea__hex(h[0]) : -1, h2 = rem >= 2 ? nmea__hex(h[1]) : -1;
        if ((rem >= 1 && h1 < 0) || (rem >= 2 && h2 < 0))
            return vg_fail(err, VG_ERR_PARSE, "NMEA checksum '%s': expected 2 hex digits",
                           vg_json_excerpt(h, rem, 2, q, sizeof q));
        if (rem < 2)
            return vg_fail(err, VG_ERR_TRUNCATED,
                           "NMEA checksum '*%s': sentence ends before its 2 hex digits",
                           vg_json_excerpt(h, rem, 2, q, sizeof q));
        if (rem > 2)
            return vg_fail(err, VG_ERR_PARSE, "NMEA sentence: bytes after the checksum: '%s'",
                           vg_json_excerpt(h + 2, rem - 2, NMEA__QUOTE, q, sizeof q));
        unsigned given = (unsigned)(h1 * 16 + h2);
        if (given != x)
            return vg_fail(err, VG_ERR_CHECKSUM,
                           "NMEA checksum mismatch: sentence says *%02X, computed *%02X", given,
                           (unsigned)x);
        out->has_checksum = true;
    }
    return nmea__address(out, out->n == 1 && star == len, err);
}

vg_err vg_nmea_decimal(const char *f, size_t len, double *out)
{
    size_t i = 0, digits = 0;
    if (i < len && (f[i] == '+' || f[i] == '-'))
        i++;
    for (; i < len && nmea__digit(f[i]); i++)
        digits++;
    if (i < len && f[i] == '.')
        for (i++; i < len && nmea__digit(f[i]); i++)
            digits++;
    if (digits == 0 || i != len)
        return VG_ERR_PARSE;
    return vg_json_decimal(f, len, out);
}

vg_err vg_nmea_latlon(const vg_nmea_sentence *s, size_t i, bool is_lon, double *deg,
                      vg_errinfo *err)
{
    const vg_nmea_field *f = &s->f[i], *h = &s->f[i + 1];
    const char *what = is_lon ? "longitude" : "latitude";
    char q[4 * NMEA__QUOTE];
    if (f->len == 0)
        return vg_fail(err, VG_ERR_PARSE, "NMEA field %zu (%s) is empty", i, what);
    /* degrees = the integer part without its last two digits */
    long ip = 0;
    size_t k = 0;
    for (; k < f->len && nmea__digit(f->s[k]); k++)
        if (ip < 100000000)
            ip = ip * 10 + (f->s[k] - '0');
    double v;
    if (k == 0 || vg_nmea_decimal(f->s, f->len, &v) != VG_OK)
        return vg_fail(err, VG_ERR_PARSE, "NMEA field %zu (%s) '%s': expected %s", i, what,
                       nmea__quote(f, q, sizeof q), is_lon ? "dddmm.mmmm" : "ddmm.mmmm");
    long d = ip / 100;
    double minutes = v - (double)d * 100.0;
    if (minutes >= 60.0)
        return vg_fail(err, VG_ERR_PARSE, "NMEA field %zu (%s) '%s': minutes >= 60", i, what,
                       nmea__quote(f, q, sizeof q));
    double r = (double)d + minutes / 60.0;
    if (r > (is_lon ? 180.0 : 90.0))
        return vg_fail(err, VG_ERR_RANGE, "NMEA field %zu (%s) '%s': beyond %d degrees", i,
                       what, nmea__quote(f, q, sizeof q), is_lon ? 180 : 90);
    char pos = is_lon ? 'E' : 'N', neg = is_lon ? 'W' : 'S';
    if (h->len != 1 || (h->s[0] != pos && h->s[0] != neg))
        return vg_fail(err, VG_ERR_PARSE, "NMEA field %zu (hemisphere) '%s': expected %c or %c",
                       i + 1, nmea__quote(h, q, sizeof q), pos, neg);
    *deg = h->s[0] == neg ? -r : r;
    return VG_OK;
}

static void nmea__fix_init(vg_nmea_fix *out)
{
    out->valid = false;
    out->tod_us = 0;
    out->time = VG_TIME_NONE;
    out->lat_deg = out->lon_deg = out->speed_kn = out->course_deg = NAN;
    out->quality = 0;
}

/* Time of day from field i, required. */
static vg_err nmea__tod(const vg_nmea_sentence *s, size_t i, int64_t *tod, vg_errinfo *err)
{
    const vg_nmea_field *f = &s->f[i];
    char q[4 * NMEA__QUOTE];
    if (f->len == 0)
        return vg_fail(err, VG_ERR_PARSE, "NMEA field %zu (time) is empty in a valid fix", i);
    vg_errinfo e;
    vg_err rc = vg_time_nmea_time_of_day(f->s, f->len, tod, &e);
    if (rc != VG_OK)
        return vg_fail(err, rc, "NMEA field %zu (time) '%s': %s", i, nmea__quote(f, q, sizeof q),
                       e.text);
    return VG_OK;
}

/* Optional decimal field i (empty -> NaN). */
static vg_err nmea__optional(const vg_nmea_sentence *s, size_t i, const char *what, double *v,
                             vg_errinfo *err)
{
    const vg_nmea_field *f = &s->f[i];
    char q[4 * NMEA__QUOTE];
    if (f->len == 0) {
        *v = NAN;
        return VG_OK;
    }
    vg_err rc = vg_nmea_decimal(f->s, f->len, v);
    if (rc != VG_OK)
        return vg_fail(err, rc, "NMEA field %zu (%s) '%s': not a number", i, what,
                       nmea__quote(f, q, sizeof q));
    return VG_OK;
}

vg_err vg_nmea_parse_rmc(const vg_nmea_sentence *s, vg_nmea_fix *out, vg_errinfo *err)
{
    char q[4 * NMEA__QUOTE];
    nmea__fix_init(out);
    if (s->n < 12)
        return vg_fail(err, VG_ERR_TRUNCATED, "NMEA %s%s has %zu data fields, needs at least 11",
                       s->talker, s->type, s->n - 1);
    const vg_nmea_field *st = &s->f[2];
    if (st->len != 1 || (st->s[0] != 'A' && st->s[0] != 'V'))
        return vg_fail(err, VG_ERR_PARSE, "NMEA field 2 (status) '%s': expected A or V",
                       nmea__quote(st, q, sizeof q));
    if (st->s[0] == 'V' || (s->n > 12 && s->f[12].len == 1 && s->f[12].s[0] == 'N'))
        return VG_OK;
    vg_err rc;
    if ((rc = nmea__tod(s, 1, &out->tod_us, err)) != VG_OK ||
        (rc = vg_nmea_latlon(s, 3, false, &out->lat_deg, err)) != VG_OK ||
        (rc = vg_nmea_latlon(s, 5, true, &out->lon_deg, err)) != VG_OK ||
        (rc = nmea__optional(s, 7, "speed", &out->speed_kn, err)) != VG_OK ||
        (rc = nmea__optional(s, 8, "course", &out->course_deg, err)) != VG_OK)
        return rc;
    const vg_nmea_field *d = &s->f[9];
    if (d->len) {
        vg_errinfo e;
        rc = vg_time_from_nmea(s->f[1].s, s->f[1].len, d->s, d->len, &out->time, &e);
        if (rc != VG_OK)
            return vg_fail(err, rc, "NMEA field 9 (date) '%s': %s", nmea__quote(d, q, sizeof q),
                           e.text);
    }
    out->valid = true;
    out->quality = 1;
    return VG_OK;
}

vg_err vg_nmea_parse_gga(const vg_nmea_sentence *s, vg_nmea_fix *out, vg_errinfo *err)
{
    char q[4 * NMEA__QUOTE];
    nmea__fix_init(out);
    if (s->n < 15)
        return vg_fail(err, VG_ERR_TRUNCATED, "NMEA %s%s has %zu data fields, needs at least 14",
                       s->talker, s->type, s->n - 1);
    const vg_nmea_field *qf = &s->f[6];
    if (qf->len == 0)
        return VG_OK;
    if (qf->len != 1 || qf->s[0] < '0' || qf->s[0] > '8')
        return vg_fail(err, VG_ERR_PARSE, "NMEA field 6 (fix quality) '%s': expected 0-8",
                       nmea__quote(qf, q, sizeof q));
    out->quality = qf->s[0] - '0';
    if (out->quality == 0 || out->quality > 6)
        return VG_OK;
    vg_err rc;
    if ((rc = nmea__tod(s, 1, &out->tod_us, err)) != VG_OK ||
        (rc = vg_nmea_latlon(s, 2, false, &out->lat_deg, err)) != VG_OK ||
        (rc = vg_nmea_latlon(s, 4, true, &out->lon_deg, err)) != VG_OK)
        return rc;
    out->valid = true;
    return VG_OK;
}
