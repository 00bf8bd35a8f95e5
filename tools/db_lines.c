/* db_lines.c: the export/import line format (db_lines.h). */
#include "tools/db_lines.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/json.h"
#include "core/params.h"

static void lines__num(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.17g", v);
    else
        fputs("null", out);
}

/* The aggregate, then (test id, flag) for every test whose flag is not 0. */
static void lines__flag_items(FILE *out, const vg_qc_flags *f)
{
    fprintf(out, "%d", (int)f->agg);
    for (int t = 0; t < VG_QC_MAX_TESTS; t++)
        if (f->test[t])
            fprintf(out, ",%d,%d", t, (int)f->test[t]);
}

static void lines__flags(FILE *out, const vg_qc_flags *f)
{
    fputc('[', out);
    lines__flag_items(out, f);
    fputc(']', out);
}

int vg_db_line_write(FILE *out, const vg_sample *s)
{
    fprintf(out, "{\"platform\":\"%s\",\"time\":%" PRId64 ",\"received\":", s->platform,
            (int64_t)s->time);
    if (s->received == VG_TIME_NONE)
        fputs("null", out);
    else
        fprintf(out, "%" PRId64, (int64_t)s->received);
    fputs(",\"lat\":", out);
    lines__num(out, s->lat_deg);
    fputs(",\"lon\":", out);
    lines__num(out, s->lon_deg);
    fputs(",\"pos_qc\":", out);
    lines__flags(out, &s->pos_qc);
    fputs(",\"time_qc\":", out);
    lines__flags(out, &s->time_qc);
    fputs(",\"values\":{", out);
    bool first = true;
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!vg_sample_has(s, (vg_param)p))
            continue;
        fprintf(out, "%s\"%s\":[", first ? "" : ",", vg_param_get((vg_param)p)->code);
        first = false;
        lines__num(out, s->value[p]);
        fputc(',', out);
        lines__flag_items(out, &s->qc[p]);
        fputc(']', out);
    }
    fputs("},\"raw\":\"", out);
    for (size_t i = 0; i < s->raw_len; i++)
        fprintf(out, "%02x", (unsigned char)s->raw[i]);
    fputs("\"}\n", out);
    return ferror(out) ? -1 : 0;
}

/* A number or null (NaN); false on another token. */
static bool lines__numtok(const vg_json_token *t, double *v)
{
    if (t->type == VG_JSON_NULL) {
        *v = NAN;
        return true;
    }
    if (t->type != VG_JSON_NUMBER)
        return false;
    *v = t->number;
    return true;
}

/* After an ARRAY token: [v?, agg, id, flag, ...]; with_value reads a value first. */
static vg_err lines__flag_array(vg_json_reader *r, bool with_value, double *value,
                                vg_qc_flags *f, const char *what, vg_errinfo *err)
{
    vg_json_token t;
    memset(f, 0, sizeof *f);
    int i = 0;
    double pending_id = -1;
    vg_err rc;
    while ((rc = vg_json_next(r, &t, err)) == VG_OK && t.type != VG_JSON_ARRAY_END) {
        double v;
        if (!lines__numtok(&t, &v) || (i > 0 && t.type != VG_JSON_NUMBER))
            return vg_fail(err, VG_ERR_PARSE, "%s: a number expected", what);
        int k = with_value ? i - 1 : i;
        if (with_value && i == 0) {
            *value = v;
        } else if (k == 0) {
            if (v < 0 || v > 9 || v != floor(v))
                return vg_fail(err, VG_ERR_PARSE, "%s: aggregate flag %g not 0-9", what, v);
            f->agg = (vg_flag)v;
        } else if (k % 2 == 1) {
            if (v < 0 || v >= VG_QC_MAX_TESTS || v != floor(v))
                return vg_fail(err, VG_ERR_PARSE, "%s: test id %g not 0-31", what, v);
            pending_id = v;
        } else {
            if (v < 0 || v > 9 || v != floor(v))
                return vg_fail(err, VG_ERR_PARSE, "%s: flag %g not 0-9", what, v);
            f->test[(int)pending_id] = (vg_flag)v;
            pending_id = -1;
        }
        i++;
    }
    if (rc != VG_OK)
        return rc;
    if (pending_id >= 0 || i < (with_value ? 2 : 1))
        return vg_fail(err, VG_ERR_PARSE, "%s: incomplete flag list", what);
    return VG_OK;
}

static int lines__hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

vg_err vg_db_line_read(const char *line, size_t len, vg_sample *s, char *raw, size_t raw_cap,
                       vg_errinfo *err)
{
    vg_json_reader r;
    vg_json_token t;
    vg_sample_init(s);
    vg_json_reader_init(&r, line, len);
    vg_err rc = vg_json_next(&r, &t, err);
    if (rc != VG_OK || t.type != VG_JSON_OBJECT)
        return rc != VG_OK ? rc : vg_fail(err, VG_ERR_PARSE, "not a JSON object");
    bool have_time = false;
    while ((rc = vg_json_next(&r, &t, err)) == VG_OK && t.type == VG_JSON_KEY) {
        vg_json_token k = t;
        if ((rc = vg_json_next(&r, &t, err)) != VG_OK)
            return rc;
        double v;
        if (vg_json_string_is(&k, "platform")) {
            if (t.type != VG_JSON_STRING || !vg_sample_set_platform(s, t.text, t.text_len))
                return vg_fail(err, VG_ERR_PARSE, "platform: not a valid id");
        } else if (vg_json_string_is(&k, "time") || vg_json_string_is(&k, "received")) {
            bool is_time = vg_json_string_is(&k, "time");
            if (t.type == VG_JSON_NULL && !is_time) {
                s->received = VG_TIME_NONE;
                continue;
            }
            if (t.type != VG_JSON_NUMBER || t.number != floor(t.number) ||
                fabs(t.number) > 9007199254740992.0)
                return vg_fail(err, VG_ERR_PARSE, "%s: not an integer of microseconds",
                               is_time ? "time" : "received");
            *(is_time ? &s->time : &s->received) = (vg_time_us)t.number;
            have_time |= is_time;
        } else if (vg_json_string_is(&k, "lat") || vg_json_string_is(&k, "lon")) {
            if (!lines__numtok(&t, &v))
                return vg_fail(err, VG_ERR_PARSE, "lat/lon: a number or null expected");
            *(vg_json_string_is(&k, "lat") ? &s->lat_deg : &s->lon_deg) = v;
        } else if (vg_json_string_is(&k, "pos_qc") || vg_json_string_is(&k, "time_qc")) {
            bool pos = vg_json_string_is(&k, "pos_qc");
            if (t.type != VG_JSON_ARRAY)
                return vg_fail(err, VG_ERR_PARSE, "pos_qc/time_qc: a list expected");
            if ((rc = lines__flag_array(&r, false, NULL, pos ? &s->pos_qc : &s->time_qc,
                                        pos ? "pos_qc" : "time_qc", err)) != VG_OK)
                return rc;
        } else if (vg_json_string_is(&k, "values")) {
            if (t.type != VG_JSON_OBJECT)
                return vg_fail(err, VG_ERR_PARSE, "values: an object expected");
            while ((rc = vg_json_next(&r, &t, err)) == VG_OK && t.type == VG_JSON_KEY) {
                int p = vg_param_lookup(t.text, t.text_len);
                if (p < 0)
                    return vg_fail(err, VG_ERR_PARSE, "values: unknown parameter code");
                if ((rc = vg_json_next(&r, &t, err)) != VG_OK)
                    return rc;
                double val = NAN;
                if (t.type != VG_JSON_ARRAY ||
                    (rc = lines__flag_array(&r, true, &val, &s->qc[p], "values", err)) != VG_OK)
                    return rc != VG_OK ? rc : vg_fail(err, VG_ERR_PARSE, "values: a list expected");
                vg_sample_set(s, (vg_param)p, val);
            }
            if (rc != VG_OK)
                return rc;
        } else if (vg_json_string_is(&k, "raw")) {
            if (t.type != VG_JSON_STRING || t.text_len % 2 || t.text_len / 2 > raw_cap)
                return vg_fail(err, VG_ERR_PARSE, "raw: hexadecimal of at most %zu bytes "
                               "expected", raw_cap);
            for (size_t i = 0; i < t.text_len / 2; i++) {
                int hi = lines__hex(t.text[2 * i]), lo = lines__hex(t.text[2 * i + 1]);
                if (hi < 0 || lo < 0)
                    return vg_fail(err, VG_ERR_PARSE, "raw: not lower-case hexadecimal");
                raw[i] = (char)(hi << 4 | lo);
            }
            s->raw = raw;
            s->raw_len = t.text_len / 2;
        } else {
            return vg_fail(err, VG_ERR_PARSE, "unknown key");
        }
    }
    if (rc != VG_OK)
        return rc;
    if (!s->platform[0] || !have_time)
        return vg_fail(err, VG_ERR_PARSE, "platform and time are required");
    return VG_OK;
}
