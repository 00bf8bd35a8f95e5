/* sbe_nmea.c: parser "sbe45_nmea", one stream interleaving SeaBird SBE45 / SBE21
 * thermosalinograph lines with NMEA 0183 GPS sentences, each line optionally prefixed by an
 * ISO 8601 receive time and a space (the logs of /work/shared/data/tsg_nbp1406). NMEA lines
 * update the stream's last fix; each TSG line becomes one sample of cfg->platform carrying
 * that fix when it is recent enough. Format and error cases: docs/formats-input.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "ingest/nmea.h"
#include "ingest/parser.h"

#define SBE__QUOTE 48              /* bytes of a field quoted in an error message */
#define SBE__MAX_FIELDS 8          /* = the size of vg_ingest_cfg.fields */
#define SBE__DEFAULT_MAX_AGE_S 10.0 /* fix_max_age_s when the configuration leaves it 0 */

typedef struct sbe__state {
    const vg_ingest_cfg *cfg;         /* borrowed */
    char platform[VG_PLATFORM_MAX];   /* cfg->platform, checked */
    vg_param fields[SBE__MAX_FIELDS]; /* order of the numbers of an unlabelled line */
    size_t n_fields;
    vg_time_us max_age_us;            /* oldest fix merged into a sample */
    /* Last valid position (RMC or GGA) and last motion (RMC), stamped with the time of the
     * line that brought them (its prefix, else its reception): VG_TIME_NONE = none yet. */
    vg_time_us pos_time;
    double lat_deg, lon_deg;
    vg_time_us motion_time;
    double speed_kn, course_deg;
} sbe__state;

static const vg_param sbe__default_fields[] = {VG_P_SSJT, VG_P_CNDC, VG_P_SSPS, VG_P_SVEL};

/* Labels of the SBE21 style "t1= 21.8054, c1= 5.17647, s= 36.5878, t2= 21.7652". */
static const struct {
    const char *label;
    vg_param param;
} sbe__labels[] = {
    {"t1", VG_P_SSJT}, {"c1", VG_P_CNDC}, {"s", VG_P_SSPS}, {"t2", VG_P_SSTP}, {"sv", VG_P_SVEL},
};

static vg_err sbe__create(const vg_ingest_cfg *cfg, void **state, vg_errinfo *err)
{
    *state = NULL;
    if (!cfg)
        return vg_fail(err, VG_ERR_INVAL, "sbe45_nmea: no ingest configuration");
    size_t plen = strnlen(cfg->platform, sizeof cfg->platform);
    if (!vg_platform_id_valid(cfg->platform, plen))
        return vg_fail(err, VG_ERR_CONFIG,
                       "ingest entry (line %d): format sbe45_nmea needs a valid platform id, "
                       "got '%.*s'",
                       cfg->line, (int)plen, cfg->platform);
    if (cfg->n_fields > SBE__MAX_FIELDS)
        return vg_fail(err, VG_ERR_CONFIG, "ingest entry (line %d): %zu fields, at most %d",
                       cfg->line, cfg->n_fields, SBE__MAX_FIELDS);
    uint32_t seen = 0;
    for (size_t i = 0; i < cfg->n_fields; i++) {
        const vg_param_info *pi = vg_param_get(cfg->fields[i]);
        if (!pi)
            return vg_fail(err, VG_ERR_CONFIG, "ingest entry (line %d): field %zu is not a parameter",
                           cfg->line, i + 1);
        if (seen & VG_PARAM_BIT(cfg->fields[i]))
            return vg_fail(err, VG_ERR_CONFIG, "ingest entry (line %d): field %s given twice",
                           cfg->line, pi->code);
        seen |= VG_PARAM_BIT(cfg->fields[i]);
    }
    sbe__state *st = calloc(1, sizeof *st);
    if (!st)
        return vg_fail(err, VG_ERR_NOMEM, "sbe45_nmea: out of memory");
    st->cfg = cfg;
    memcpy(st->platform, cfg->platform, plen);
    st->platform[plen] = 0;
    if (cfg->n_fields) {
        memcpy(st->fields, cfg->fields, cfg->n_fields * sizeof cfg->fields[0]);
        st->n_fields = cfg->n_fields;
    } else {
        memcpy(st->fields, sbe__default_fields, sizeof sbe__default_fields);
        st->n_fields = sizeof sbe__default_fields / sizeof sbe__default_fields[0];
    }
    double age = cfg->fix_max_age_s > 0 ? cfg->fix_max_age_s : SBE__DEFAULT_MAX_AGE_S;
    st->max_age_us = (vg_time_us)(age * 1e6);
    st->pos_time = st->motion_time = VG_TIME_NONE;
    st->lat_deg = st->lon_deg = st->speed_kn = st->course_deg = NAN;
    *state = st;
    return VG_OK;
}

static void sbe__destroy(void *state) { free(state); }

static bool sbe__digit(char c) { return c >= '0' && c <= '9'; }

static bool sbe__blank(char c) { return c == ' ' || c == '\t'; }

/* True when line[0..len) starts like an ISO 8601 time: "YYYY-" or "YYYYMMDDT". */
static bool sbe__has_prefix(const char *s, size_t len)
{
    if (len < 5 || !sbe__digit(s[0]) || !sbe__digit(s[1]) || !sbe__digit(s[2]) ||
        !sbe__digit(s[3]))
        return false;
    if (s[4] == '-')
        return true;
    for (size_t k = 4; k < 8; k++)
        if (k >= len || !sbe__digit(s[k]))
            return false;
    return len > 8 && s[8] == 'T';
}

/* Apply an NMEA sentence to the state. t: the line's time (prefix or reception). */
static vg_err sbe__nmea(sbe__state *st, const char *s, size_t len, vg_time_us t,
                        vg_errinfo *err)
{
    vg_nmea_sentence ns;
    vg_err rc = vg_nmea_split(s, len, &ns, err);
    if (rc != VG_OK || ns.proprietary)
        return rc;
    bool rmc = strcmp(ns.type, "RMC") == 0;
    if (!rmc && strcmp(ns.type, "GGA") != 0)
        return VG_OK; /* ZDA, VTG, HDT, GSA...: accepted, not used */
    vg_nmea_fix fix;
    rc = rmc ? vg_nmea_parse_rmc(&ns, &fix, err) : vg_nmea_parse_gga(&ns, &fix, err);
    if (rc != VG_OK || !fix.valid)
        return rc;
    if (t == VG_TIME_NONE)
        return VG_OK;
    st->pos_time = t;
    st->lat_deg = fix.lat_deg;
    st->lon_deg = fix.lon_deg;
    if (rmc) {
        st->motion_time = t;
        st->speed_kn = fix.speed_kn;
        st->course_deg = fix.course_deg;
    }
    return VG_OK;
}

/* Trim blanks around s[*b..*e). */
static void sbe__trim(const char *s, size_t *b, size_t *e)
{
    while (*b < *e && sbe__blank(s[*b]))
        (*b)++;
    while (*e > *b && sbe__blank(s[*e - 1]))
        (*e)--;
}

/* Read the number of field `idx` (1-based) s[b..e), named `name`, into out. */
static vg_err sbe__number(const char *s, size_t b, size_t e, size_t idx, const char *name,
                          vg_sample *out, vg_param p, vg_errinfo *err)
{
    char q[4 * SBE__QUOTE];
    if (b == e)
        return vg_fail(err, VG_ERR_PARSE, "TSG field %zu (%s) is empty", idx, name);
    double v;
    vg_err rc = vg_nmea_decimal(s + b, e - b, &v);
    if (rc != VG_OK)
        return vg_fail(err, rc, "TSG field %zu (%s) '%s': %s", idx, name,
                       vg_json_excerpt(s + b, e - b, SBE__QUOTE, q, sizeof q),
                       rc == VG_ERR_RANGE ? "number longer than 64 bytes" : "not a number");
    vg_sample_set(out, p, v);
    return VG_OK;
}

/* "t1, c1, s, sv": numbers in the order of st->fields. The fields present are read first,
 * so that a line cut short (all numbers, too few) is VG_ERR_TRUNCATED while a garbled one
 * is VG_ERR_PARSE naming its first bad field. */
static vg_err sbe__plain(const sbe__state *st, const char *s, size_t len, vg_sample *out,
                         vg_errinfo *err)
{
    size_t b = 0, count = 0;
    for (;;) {
        const char *c = memchr(s + b, ',', len - b);
        size_t e = c ? (size_t)(c - s) : len, next = e + 1;
        if (count < st->n_fields) {
            sbe__trim(s, &b, &e);
            if (b == e && !c && count + 1 < st->n_fields)
                return vg_fail(err, VG_ERR_TRUNCATED, "TSG line ends after field %zu of %zu",
                               count, st->n_fields);
            vg_err rc = sbe__number(s, b, e, count + 1, vg_param_get(st->fields[count])->code,
                                    out, st->fields[count], err);
            if (rc != VG_OK)
                return rc;
        }
        count++;
        if (!c)
            break;
        b = next;
    }
    if (count != st->n_fields) {
        char q[4 * SBE__QUOTE];
        return vg_fail(err, count < st->n_fields ? VG_ERR_TRUNCATED : VG_ERR_PARSE,
                       "TSG line '%s': %zu comma-separated fields, expected %zu",
                       vg_json_excerpt(s, len, SBE__QUOTE, q, sizeof q), count, st->n_fields);
    }
    return VG_OK;
}

/* "t1= 21.8054, c1= 5.17647, s= 36.5878, t2= 21.7652": labelled fields, any order. */
static vg_err sbe__labelled(const char *s, size_t len, vg_sample *out, vg_errinfo *err)
{
    char q[4 * SBE__QUOTE];
    size_t b = 0, idx = 0;
    while (b <= len) {
        const char *c = memchr(s + b, ',', len - b);
        size_t e = c ? (size_t)(c - s) : len, next = e + 1;
        idx++;
        const char *eq = memchr(s + b, '=', e - b);
        if (!eq) {
            sbe__trim(s, &b, &e);
            return vg_fail(err, b == e ? VG_ERR_TRUNCATED : VG_ERR_PARSE,
                           "TSG field %zu '%s': expected label= value", idx,
                           vg_json_excerpt(s + b, e - b, SBE__QUOTE, q, sizeof q));
        }
        size_t lb = b, le = (size_t)(eq - s);
        sbe__trim(s, &lb, &le);
        int found = -1;
        for (size_t k = 0; k < sizeof sbe__labels / sizeof sbe__labels[0]; k++)
            if (strlen(sbe__labels[k].label) == le - lb &&
                memcmp(sbe__labels[k].label, s + lb, le - lb) == 0)
                found = (int)k;
        if (found < 0)
            return vg_fail(err, VG_ERR_PARSE,
                           "TSG field %zu: unknown label '%s' (known: t1, c1, s, t2, sv)", idx,
                           vg_json_excerpt(s + lb, le - lb, SBE__QUOTE, q, sizeof q));
        vg_param p = sbe__labels[found].param;
        if (vg_sample_has(out, p))
            return vg_fail(err, VG_ERR_PARSE, "TSG field %zu: label '%s' given twice", idx,
                           sbe__labels[found].label);
        size_t vb = (size_t)(eq - s) + 1, ve = e;
        sbe__trim(s, &vb, &ve);
        vg_err rc = sbe__number(s, vb, ve, idx, sbe__labels[found].label, out, p, err);
        if (rc != VG_OK)
            return rc;
        if (!c)
            break;
        b = next;
    }
    return VG_OK;
}

/* Merge the last fix into sample out when its time is within the maximum age of t. */
static void sbe__merge_fix(const sbe__state *st, vg_time_us t, vg_sample *out)
{
    if (t == VG_TIME_NONE) /* a caller without a clock: no age, no merge */
        return;
    if (st->pos_time != VG_TIME_NONE && llabs(t - st->pos_time) <= st->max_age_us) {
        out->lat_deg = st->lat_deg;
        out->lon_deg = st->lon_deg;
    }
    if (st->motion_time != VG_TIME_NONE && llabs(t - st->motion_time) <= st->max_age_us) {
        if (!isnan(st->speed_kn))
            vg_sample_set(out, VG_P_SPDC, st->speed_kn);
        if (!isnan(st->course_deg))
            vg_sample_set(out, VG_P_HCRS, st->course_deg);
    }
}

static vg_err sbe__parse_line(void *state, const char *line, size_t len, vg_time_us received,
                              vg_sample *out, bool *produced, vg_errinfo *err)
{
    sbe__state *st = state;
    *produced = false;
    char q[4 * SBE__QUOTE];
    size_t n = len;
    while (n && (sbe__blank(line[n - 1]) || line[n - 1] == '\r' || line[n - 1] == '\n'))
        n--;
    if (n == 0)
        return vg_fail(err, VG_ERR_TRUNCATED, "empty line");
    vg_time_us t = received;
    size_t i = 0;
    if (sbe__has_prefix(line, n)) {
        vg_errinfo e;
        vg_err rc = vg_time_parse_iso8601(line, n, &t, &i, &e);
        if (rc != VG_OK)
            return vg_fail(err, rc, "receive-time prefix '%s': %s",
                           vg_json_excerpt(line, n, 32, q, sizeof q), e.text);
        if (i == n)
            return vg_fail(err, VG_ERR_TRUNCATED, "nothing after the receive-time prefix");
        if (line[i] != ' ')
            return vg_fail(err, VG_ERR_PARSE,
                           "byte %zu: the receive-time prefix must be followed by a space, "
                           "found '%s'",
                           i, vg_json_excerpt(line + i, 1, 1, q, sizeof q));
        while (i < n && sbe__blank(line[i]))
            i++;
    }
    const char *body = line + i;
    size_t blen = n - i;
    if (body[0] == '$')
        return sbe__nmea(st, body, blen, t, err);
    vg_sample_init(out);
    vg_err rc = memchr(body, '=', blen) ? sbe__labelled(body, blen, out, err)
                                        : sbe__plain(st, body, blen, out, err);
    if (rc != VG_OK)
        return rc;
    memcpy(out->platform, st->platform, sizeof out->platform);
    out->time = t;
    out->received = received;
    out->raw = line;
    out->raw_len = len;
    sbe__merge_fix(st, t, out);
    *produced = true;
    return VG_OK;
}

/* The method table: one slot per vg_parser_ops member (ingest/parser.h). */
const vg_parser_ops vg_parser_sbe45_nmea = {
    /* format name of ingest[].format */
    .name = "sbe45_nmea",
    /* one line for --help and docs */
    .summary = "SeaBird SBE45/SBE21 TSG lines interleaved with NMEA 0183 GPS sentences, "
               "optional ISO 8601 receive-time prefix",
    /* per-stream state: platform, field order, last GPS fix */
    .create = sbe__create,
    /* frees the state */
    .destroy = sbe__destroy,
    /* one line: a TSG line -> one sample; an NMEA sentence -> fix update, no sample */
    .parse_line = sbe__parse_line,
};
