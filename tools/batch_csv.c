/* batch_csv.c: CSV records (RFC 4180) over the line reader of `vigie qc` (batch_csv.h). A
 * record on one line (the usual case) is split in place; only a quoted field with a line
 * break makes the record be copied, line after line, into a buffer of its own. */
#include "tools/batch_csv.h"

#include <stdlib.h>
#include <string.h>

/* Internal result of csv__split: a quoted field is still open at the end of the text. */
#define CSV__OPEN VG_ERR__COUNT

void vg_csv_init(vg_csv_reader *r, vg_batch_input *in)
{
    memset(r, 0, sizeof *r);
    r->in = in;
}

void vg_csv_free(vg_csv_reader *r)
{
    free(r->fields);
    free(r->joined);
    free(r->decoded);
    memset(r, 0, sizeof *r);
}

/* Grow *buf to at least n bytes. */
static int csv__reserve(char **buf, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < n)
        c *= 2;
    char *p = realloc(*buf, c);
    if (!p)
        return -1;
    *buf = p;
    *cap = c;
    return 0;
}

static int csv__add_field(vg_csv_reader *r, const char *s, size_t n)
{
    if (r->n_fields == r->fields_cap) {
        size_t c = r->fields_cap ? 2 * r->fields_cap : 16;
        vg_csv_field *f = realloc(r->fields, c * sizeof *f);
        if (!f)
            return -1;
        r->fields = f;
        r->fields_cap = c;
    }
    r->fields[r->n_fields].s = s;
    r->fields[r->n_fields].n = n;
    r->n_fields++;
    return 0;
}

/* Split r->text into r->fields. VG_OK, VG_ERR_PARSE, VG_ERR_NOMEM or CSV__OPEN. */
static int csv__split(vg_csv_reader *r, vg_errinfo *err)
{
    const char *t = r->text;
    size_t len = r->text_len, i = 0;
    if (csv__reserve(&r->decoded, &r->decoded_cap, len + 1))
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for a record of %zu bytes", len);
    char *d = r->decoded;
    r->n_fields = 0;
    for (;;) {
        size_t field = r->n_fields + 1;
        const char *s;
        size_t n;
        if (i < len && t[i] == '"') {
            char *start = d;
            for (i++;; i++) {
                if (i >= len)
                    return CSV__OPEN;
                if (t[i] == '"') {
                    if (i + 1 < len && t[i + 1] == '"') {
                        *d++ = '"';
                        i++;
                        continue;
                    }
                    i++;
                    break;
                }
                *d++ = t[i];
            }
            s = start;
            n = (size_t)(d - start);
            if (i < len && t[i] != ',')
                return vg_fail(err, VG_ERR_PARSE,
                               "field %zu: text after the closing quote (RFC 4180: a quoted "
                               "field ends at its closing quote)",
                               field);
        } else {
            size_t b = i;
            while (i < len && t[i] != ',') {
                if (t[i] == '"')
                    return vg_fail(err, VG_ERR_PARSE,
                                   "field %zu: a quote inside an unquoted field (RFC 4180: "
                                   "quote the whole field and double the quote)",
                                   field);
                i++;
            }
            s = t + b;
            n = i - b;
        }
        if (csv__add_field(r, s, n))
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu fields", field);
        if (i >= len)
            return VG_OK;
        i++; /* the ',' */
    }
}

static int csv__blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return 0;
    return 1;
}

vg_err vg_csv_next(vg_csv_reader *r, vg_errinfo *err)
{
    const char *line;
    size_t n;
    vg_err rc;
    do {
        rc = vg_batch_input_next(r->in, &line, &n, err);
        r->first_line = r->last_line = r->in->no;
        if (rc != VG_OK)
            return rc;
    } while (csv__blank(line, n));
    r->text = line;
    r->text_len = n;
    int sr = csv__split(r, err);
    while (sr == CSV__OPEN) {
        /* A line break inside quotes: the record goes on on the next line. */
        size_t open_field = r->n_fields + 1;
        if (r->text != r->joined) {
            if (csv__reserve(&r->joined, &r->joined_cap, n + 1))
                return vg_fail(err, VG_ERR_NOMEM, "out of memory for a record");
            memcpy(r->joined, line, n);
            r->text = r->joined;
        }
        rc = vg_batch_input_next(r->in, &line, &n, err);
        if (rc == VG_ERR_NOTFOUND)
            return vg_fail(err, VG_ERR_PARSE,
                           "field %zu: the quoted field is not closed at the end of the input",
                           open_field);
        r->last_line = r->in->no;
        if (rc != VG_OK)
            return rc;
        if (r->text_len + 1 + n > VG_BATCH_LINE_MAX)
            return vg_fail(err, VG_ERR_PARSE,
                           "field %zu: the quoted field is still open after %d bytes (a "
                           "missing closing quote?)",
                           open_field, VG_BATCH_LINE_MAX);
        if (csv__reserve(&r->joined, &r->joined_cap, r->text_len + 1 + n + 1))
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for a record");
        r->joined[r->text_len] = '\n';
        memcpy(r->joined + r->text_len + 1, line, n);
        r->text = r->joined;
        r->text_len += 1 + n;
        sr = csv__split(r, err);
    }
    return (vg_err)sr;
}
