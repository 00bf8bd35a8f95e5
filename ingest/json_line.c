/* json_line.c: parser "json", one JSON object per line:
 *   {"platform":"ID","time":"ISO8601","lat":x,"lon":y,"values":{"CODE":number|null,...}}
 * read with the strict tokenizer of core/json.h. The keys the writer adds ("flags", "tests",
 * "pos_flag", "time_flag") are accepted and ignored, so that the daemon's own output can be
 * fed back in. Every other deviation is an error naming the byte offset; see
 * docs/formats-input.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "ingest/parser.h"

#define JL__QUOTE 48 /* bytes of a key or value quoted in an error message */

/* Top-level keys, as bits of the set of keys seen. */
enum {
    JL__PLATFORM = 1u << 0,
    JL__TIME = 1u << 1,
    JL__LAT = 1u << 2,
    JL__LON = 1u << 3,
    JL__VALUES = 1u << 4,
    JL__IGNORED = 1u << 5, /* first of the ignored keys, one bit each */
};

static const char *const jl__keys[] = {"platform", "time",  "lat",      "lon",
                                       "values",   "flags", "tests",    "pos_flag",
                                       "time_flag"};
#define JL__NKEYS (sizeof jl__keys / sizeof jl__keys[0])

typedef struct jl__state {
    const vg_ingest_cfg *cfg; /* borrowed, may be NULL */
} jl__state;

static vg_err jl__create(const vg_ingest_cfg *cfg, void **state, vg_errinfo *err)
{
    jl__state *st = calloc(1, sizeof *st);
    if (!st) {
        *state = NULL;
        return vg_fail(err, VG_ERR_NOMEM, "json: out of memory");
    }
    st->cfg = cfg;
    *state = st;
    return VG_OK;
}

static void jl__destroy(void *state) { free(state); }

/* Quote the decoded string of tok (or its raw text if it does not decode into 256 bytes). */
static const char *jl__quote(const vg_json_token *tok, char *q, size_t cap)
{
    char buf[256];
    size_t n;
    const char *d = vg_json_string(tok, buf, sizeof buf, &n);
    if (!d) {
        d = tok->text;
        n = tok->text_len;
    }
    return vg_json_excerpt(d, n, JL__QUOTE, q, cap);
}

static const char *jl__type_name(vg_json_type t)
{
    switch (t) {
    case VG_JSON_OBJECT: return "an object";
    case VG_JSON_ARRAY: return "an array";
    case VG_JSON_STRING: return "a string";
    case VG_JSON_NUMBER: return "a number";
    case VG_JSON_TRUE:
    case VG_JSON_FALSE: return "a boolean";
    case VG_JSON_NULL: return "null";
    default: return "not a value";
    }
}

/* Read the value of "lat" or "lon": a number, or null (NaN). */
static vg_err jl__coord(vg_json_reader *r, const char *key, double *out, vg_errinfo *err)
{
    vg_json_token t;
    vg_err rc = vg_json_next(r, &t, err);
    if (rc != VG_OK)
        return rc;
    if (t.type == VG_JSON_NUMBER)
        *out = t.number;
    else if (t.type == VG_JSON_NULL)
        *out = NAN;
    else
        return vg_fail(err, VG_ERR_PARSE, "offset %zu: \"%s\" must be a number or null, not %s",
                       t.offset, key, jl__type_name(t.type));
    return VG_OK;
}

/* Read the "values" object into out. */
static vg_err jl__values(vg_json_reader *r, vg_sample *out, vg_errinfo *err)
{
    char q[4 * JL__QUOTE];
    vg_json_token t;
    vg_err rc = vg_json_next(r, &t, err);
    if (rc != VG_OK)
        return rc;
    if (t.type != VG_JSON_OBJECT)
        return vg_fail(err, VG_ERR_PARSE, "offset %zu: \"values\" must be an object, not %s",
                       t.offset, jl__type_name(t.type));
    for (;;) {
        if ((rc = vg_json_next(r, &t, err)) != VG_OK)
            return rc;
        if (t.type == VG_JSON_OBJECT_END)
            return VG_OK;
        /* t is a KEY: parameter codes are plain ASCII, an escaped key is unknown anyway */
        int p = t.escaped ? -1 : vg_param_lookup(t.text, t.text_len);
        if (p < 0)
            return vg_fail(err, VG_ERR_PARSE, "offset %zu: unknown parameter code \"%s\"",
                           t.offset, jl__quote(&t, q, sizeof q));
        if (vg_sample_has(out, (vg_param)p))
            return vg_fail(err, VG_ERR_PARSE, "offset %zu: parameter \"%s\" given twice",
                           t.offset, vg_param_get((vg_param)p)->code);
        size_t key_off = t.offset;
        if ((rc = vg_json_next(r, &t, err)) != VG_OK)
            return rc;
        if (t.type == VG_JSON_NUMBER)
            vg_sample_set(out, (vg_param)p, t.number);
        else if (t.type == VG_JSON_NULL)
            vg_sample_set(out, (vg_param)p, NAN);
        else
            return vg_fail(err, VG_ERR_PARSE,
                           "offset %zu: value of \"%s\" (key at %zu) must be a number or null, "
                           "not %s",
                           t.offset, vg_param_get((vg_param)p)->code, key_off,
                           jl__type_name(t.type));
    }
}

/* Read the "platform" string into out->platform. */
static vg_err jl__platform(vg_json_reader *r, vg_sample *out, vg_errinfo *err)
{
    char q[4 * JL__QUOTE];
    vg_json_token t;
    vg_err rc = vg_json_next(r, &t, err);
    if (rc != VG_OK)
        return rc;
    if (t.type != VG_JSON_STRING)
        return vg_fail(err, VG_ERR_PARSE, "offset %zu: \"platform\" must be a string, not %s",
                       t.offset, jl__type_name(t.type));
    char buf[VG_PLATFORM_MAX];
    size_t n;
    const char *id = vg_json_string(&t, buf, sizeof buf, &n);
    if (!id || !vg_sample_set_platform(out, id, n))
        return vg_fail(err, VG_ERR_PARSE,
                       "offset %zu: invalid platform id \"%s\" (1-%d characters of "
                       "A-Z a-z 0-9 _ . -)",
                       t.offset, jl__quote(&t, q, sizeof q), VG_PLATFORM_MAX - 1);
    return VG_OK;
}

/* Read the "time" string (or null: keep VG_TIME_NONE) into out->time. */
static vg_err jl__time(vg_json_reader *r, vg_sample *out, vg_errinfo *err)
{
    char q[4 * JL__QUOTE];
    vg_json_token t;
    vg_err rc = vg_json_next(r, &t, err);
    if (rc != VG_OK)
        return rc;
    if (t.type == VG_JSON_NULL)
        return VG_OK;
    if (t.type != VG_JSON_STRING)
        return vg_fail(err, VG_ERR_PARSE, "offset %zu: \"time\" must be a string, not %s",
                       t.offset, jl__type_name(t.type));
    char buf[64];
    size_t n, used = 0;
    const char *s = vg_json_string(&t, buf, sizeof buf, &n);
    vg_errinfo e;
    if (!s)
        return vg_fail(err, VG_ERR_PARSE, "offset %zu: \"time\" \"%s\" is not ISO 8601",
                       t.offset, jl__quote(&t, q, sizeof q));
    rc = vg_time_parse_iso8601(s, n, &out->time, &used, &e);
    if (rc == VG_OK && used != n)
        rc = vg_fail(&e, VG_ERR_PARSE, "trailing characters after the time");
    if (rc != VG_OK) {
        out->time = VG_TIME_NONE;
        return vg_fail(err, rc, "offset %zu: \"time\" \"%s\": %s", t.offset,
                       jl__quote(&t, q, sizeof q), e.text);
    }
    return VG_OK;
}

static vg_err jl__parse_line(void *state, const char *line, size_t len, vg_time_us received,
                             vg_sample *out, bool *produced, vg_errinfo *err)
{
    (void)state;
    *produced = false;
    vg_sample_init(out);
    vg_json_reader r;
    vg_json_reader_init(&r, line, len);
    vg_json_token t;
    char q[4 * JL__QUOTE];
    vg_err rc = vg_json_next(&r, &t, err);
    if (rc != VG_OK)
        return rc;
    if (t.type != VG_JSON_OBJECT)
        return vg_fail(err, VG_ERR_PARSE, "offset %zu: expected a JSON object, found %s",
                       t.offset, jl__type_name(t.type));
    unsigned seen = 0;
    for (;;) {
        if ((rc = vg_json_next(&r, &t, err)) != VG_OK)
            return rc;
        if (t.type == VG_JSON_OBJECT_END)
            break;
        size_t k = 0;
        while (k < JL__NKEYS && !vg_json_string_is(&t, jl__keys[k]))
            k++;
        if (k == JL__NKEYS)
            return vg_fail(err, VG_ERR_PARSE,
                           "offset %zu: unknown key \"%s\" (expected platform, time, lat, lon, "
                           "values)",
                           t.offset, jl__quote(&t, q, sizeof q));
        if (seen & (1u << k))
            return vg_fail(err, VG_ERR_PARSE, "offset %zu: key \"%s\" given twice", t.offset,
                           jl__keys[k]);
        seen |= 1u << k;
        switch (1u << k) {
        case JL__PLATFORM: rc = jl__platform(&r, out, err); break;
        case JL__TIME: rc = jl__time(&r, out, err); break;
        case JL__LAT: rc = jl__coord(&r, "lat", &out->lat_deg, err); break;
        case JL__LON: rc = jl__coord(&r, "lon", &out->lon_deg, err); break;
        case JL__VALUES: rc = jl__values(&r, out, err); break;
        default: /* written by vg_json_write_sample: validated, then ignored */
            if ((rc = vg_json_next(&r, &t, err)) == VG_OK)
                rc = vg_json_skip(&r, &t, err);
        }
        if (rc != VG_OK)
            return rc;
    }
    if ((rc = vg_json_next(&r, &t, err)) != VG_OK) /* only white space may follow */
        return rc;
    if (!(seen & JL__PLATFORM))
        return vg_fail(err, VG_ERR_PARSE, "missing key \"platform\"");
    if (!(seen & JL__VALUES))
        return vg_fail(err, VG_ERR_PARSE, "missing key \"values\"");
    if (out->time == VG_TIME_NONE)
        out->time = received;
    out->received = received;
    out->raw = line;
    out->raw_len = len;
    *produced = true;
    return VG_OK;
}

/* The method table: one slot per vg_parser_ops member (ingest/parser.h). */
const vg_parser_ops vg_parser_json = {
    /* format name of ingest[].format */
    .name = "json",
    /* one line for --help and docs */
    .summary = "one JSON object per line: platform, time, lat, lon, values {CODE: number}",
    /* no per-stream state beyond the configuration */
    .create = jl__create,
    /* frees the state */
    .destroy = jl__destroy,
    /* one line -> one sample, or an error naming the byte offset */
    .parse_line = jl__parse_line,
};
