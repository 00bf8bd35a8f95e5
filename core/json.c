/* json.c: the strict pull tokenizer and the sample writer of json.h.
 * One pass over the input, no allocation: the grammar state is a small enum plus a stack of
 * VG_JSON_MAX_DEPTH container bytes; strings are validated (escapes, UTF-8, control
 * characters) while scanning and only decoded when the caller asks (vg_json_string). */
#include "core/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the grammar allows at r->pos. */
enum {
    JSON__VALUE = 0,          /* a value: top level, after ':' or after ',' in an array */
    JSON__VALUE_OR_CLOSE,     /* after '[' */
    JSON__KEY,                /* after ',' in an object */
    JSON__KEY_OR_CLOSE,       /* after '{' */
    JSON__COMMA_OR_CLOSE,     /* after a value inside a container */
    JSON__EOF,                /* the top-level value is complete: only white space may follow */
    JSON__DONE,               /* VG_JSON_END returned */
};

void vg_json_reader_init(vg_json_reader *r, const char *text, size_t len)
{
    r->text = text;
    r->len = len;
    r->pos = 0;
    r->depth = 0;
    r->expect = JSON__VALUE;
    r->error = VG_OK;
    r->error_offset = 0;
}

size_t vg_json_error_offset(const vg_json_reader *r) { return r->error_offset; }

/* Record the reader's sticky error at offset `at` and fill err. */
static vg_err json__fail(vg_json_reader *r, vg_errinfo *err, vg_err code, size_t at,
                         const char *what)
{
    r->error = code;
    r->error_offset = at;
    return vg_fail(err, code, "offset %zu: %s", at, what);
}

/* The same, quoting the offending byte at `at` (or saying the input ended there). */
static vg_err json__fail_byte(vg_json_reader *r, vg_errinfo *err, size_t at, const char *what)
{
    if (at >= r->len)
        return json__fail(r, err, VG_ERR_TRUNCATED, at, what);
    char q[16];
    vg_json_excerpt(r->text + at, 1, 1, q, sizeof q);
    r->error = VG_ERR_PARSE;
    r->error_offset = at;
    return vg_fail(err, VG_ERR_PARSE, "offset %zu: %s, found '%s'", at, what, q);
}

static bool json__is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int json__hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s[0..4) (caller checked the length); -1 if one is not hex. */
static long json__hex4(const char *s)
{
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = json__hex(s[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at s[0..len) whose lead byte is >= 0x80: 2-4, 0 when
 * invalid (overlong, surrogate, > U+10FFFF, bad continuation), -1 when cut by the end. */
static int json__utf8_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    int n;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    for (int k = 1; k < n; k++) {
        if ((size_t)k >= len)
            return -1;
        unsigned char b = s[k];
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
    }
    return n;
}

/* Scan the string whose '"' is at r->pos; on success tok gets its raw span and r->pos is
 * past the closing quote. */
static vg_err json__scan_string(vg_json_reader *r, vg_json_token *tok, vg_json_type type,
                                vg_errinfo *err)
{
    const unsigned char *s = (const unsigned char *)r->text;
    size_t start = r->pos + 1, i = start, len = r->len;
    bool escaped = false;
    for (;;) {
        while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
            i++;
        if (i >= len)
            return json__fail(r, err, VG_ERR_TRUNCATED, i, "unterminated string");
        unsigned char c = s[i];
        if (c == '"')
            break;
        if (c < 0x20)
            return json__fail_byte(r, err, i, "control character in a string (escape it)");
        if (c == '\\') {
            escaped = true;
            if (i + 1 >= len)
                return json__fail(r, err, VG_ERR_TRUNCATED, i + 1, "unterminated escape");
            char e = (char)s[i + 1];
            if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                e == 'r' || e == 't') {
                i += 2;
                continue;
            }
            if (e != 'u')
                return json__fail_byte(r, err, i + 1, "invalid escape");
            if (i + 6 > len)
                return json__fail(r, err, VG_ERR_TRUNCATED, len, "\\u escape cut short");
            long cp = json__hex4(r->text + i + 2);
            if (cp < 0)
                return json__fail(r, err, VG_ERR_PARSE, i, "\\u needs 4 hex digits");
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return json__fail(r, err, VG_ERR_PARSE, i, "unpaired low surrogate");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* the low half must follow: "\\uDC00".."\\uDFFF" */
                if ((i + 6 < len && s[i + 6] != '\\') || (i + 7 < len && s[i + 7] != 'u'))
                    return json__fail(r, err, VG_ERR_PARSE, i, "unpaired high surrogate");
                if (i + 12 > len)
                    return json__fail(r, err, VG_ERR_TRUNCATED, len,
                                      "high surrogate without its low half");
                long lo = json__hex4(r->text + i + 8);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return json__fail(r, err, VG_ERR_PARSE, i, "unpaired high surrogate");
                i += 12;
            } else {
                i += 6;
            }
            continue;
        }
        /* c >= 0x80 */
        int n = json__utf8_len(s + i, len - i);
        if (n < 0)
            return json__fail(r, err, VG_ERR_TRUNCATED, len, "UTF-8 sequence cut short");
        if (n == 0)
            return json__fail_byte(r, err, i, "invalid UTF-8 in a string");
        i += (size_t)n;
    }
    tok->type = type;
    tok->offset = r->pos;
    tok->text = r->text + start;
    tok->text_len = i - start;
    tok->escaped = escaped;
    r->pos = i + 1;
    return VG_OK;
}

static bool json__digit(char c) { return c >= '0' && c <= '9'; }

/* Scan the number at r->pos (a '-' or a digit). */
static vg_err json__scan_number(vg_json_reader *r, vg_json_token *tok, vg_errinfo *err)
{
    const char *s = r->text;
    size_t start = r->pos, i = start, len = r->len;
    if (s[i] == '-')
        i++;
    if (i >= len || !json__digit(s[i]))
        return json__fail_byte(r, err, i, "expected a digit");
    if (s[i] == '0') {
        i++;
        if (i < len && json__digit(s[i]))
            return json__fail(r, err, VG_ERR_PARSE, i, "leading zeros are not allowed");
    } else {
        while (i < len && json__digit(s[i]))
            i++;
    }
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || !json__digit(s[i]))
            return json__fail_byte(r, err, i, "expected a digit after '.'");
        while (i < len && json__digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || !json__digit(s[i]))
            return json__fail_byte(r, err, i, "expected a digit in the exponent");
        while (i < len && json__digit(s[i]))
            i++;
    }
    double v;
    if (vg_json_decimal(s + start, i - start, &v) != VG_OK)
        return json__fail(r, err, VG_ERR_RANGE, start,
                          i - start > VG_JSON_NUMBER_MAX ? "number longer than 64 bytes"
                                                         : "number out of the double range");
    tok->type = VG_JSON_NUMBER;
    tok->offset = start;
    tok->text = s + start;
    tok->text_len = i - start;
    tok->escaped = false;
    tok->number = v;
    r->pos = i;
    return VG_OK;
}

/* Scan the literal `lit` (true, false, null) at r->pos. */
static vg_err json__scan_literal(vg_json_reader *r, vg_json_token *tok, const char *lit,
                                 size_t n, vg_json_type type, vg_errinfo *err)
{
    size_t start = r->pos;
    for (size_t k = 0; k < n; k++) {
        if (start + k >= r->len)
            return json__fail(r, err, VG_ERR_TRUNCATED, r->len, "literal cut short");
        if (r->text[start + k] != lit[k])
            return json__fail_byte(r, err, start + k, "invalid literal");
    }
    tok->type = type;
    tok->offset = start;
    tok->text = r->text + start;
    tok->text_len = n;
    tok->escaped = false;
    r->pos = start + n;
    return VG_OK;
}

/* State after a complete value (scalar or closed container). */
static void json__after_value(vg_json_reader *r)
{
    r->expect = r->depth == 0 ? JSON__EOF : JSON__COMMA_OR_CLOSE;
}

static void json__skip_ws(vg_json_reader *r)
{
    while (r->pos < r->len && json__is_ws(r->text[r->pos]))
        r->pos++;
}

/* Close the innermost container with the byte at r->pos ('}' or ']'). */
static vg_err json__close(vg_json_reader *r, vg_json_token *tok, vg_errinfo *err)
{
    char c = r->text[r->pos];
    char want = r->stack[r->depth - 1] == '{' ? '}' : ']';
    if (c != want)
        return json__fail_byte(r, err, r->pos,
                               want == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    tok->type = c == '}' ? VG_JSON_OBJECT_END : VG_JSON_ARRAY_END;
    tok->offset = r->pos;
    tok->text = r->text + r->pos;
    tok->text_len = 1;
    tok->escaped = false;
    r->pos++;
    r->depth--;
    json__after_value(r);
    return VG_OK;
}

/* Read a value at r->pos (white space skipped, input not exhausted). */
static vg_err json__value(vg_json_reader *r, vg_json_token *tok, vg_errinfo *err)
{
    char c = r->text[r->pos];
    vg_err rc;
    switch (c) {
    case '{':
    case '[':
        if (r->depth >= VG_JSON_MAX_DEPTH)
            return json__fail(r, err, VG_ERR_RANGE, r->pos, "nesting deeper than 8 levels");
        r->stack[r->depth++] = (unsigned char)c;
        tok->type = c == '{' ? VG_JSON_OBJECT : VG_JSON_ARRAY;
        tok->offset = r->pos;
        tok->text = r->text + r->pos;
        tok->text_len = 1;
        tok->escaped = false;
        r->pos++;
        r->expect = c == '{' ? JSON__KEY_OR_CLOSE : JSON__VALUE_OR_CLOSE;
        return VG_OK;
    case '"':
        rc = json__scan_string(r, tok, VG_JSON_STRING, err);
        break;
    case 't':
        rc = json__scan_literal(r, tok, "true", 4, VG_JSON_TRUE, err);
        break;
    case 'f':
        rc = json__scan_literal(r, tok, "false", 5, VG_JSON_FALSE, err);
        break;
    case 'n':
        rc = json__scan_literal(r, tok, "null", 4, VG_JSON_NULL, err);
        break;
    default:
        if (c == '-' || json__digit(c)) {
            rc = json__scan_number(r, tok, err);
            break;
        }
        return json__fail_byte(r, err, r->pos, "expected a value");
    }
    if (rc == VG_OK)
        json__after_value(r);
    return rc;
}

vg_err vg_json_next(vg_json_reader *r, vg_json_token *tok, vg_errinfo *err)
{
    if (r->error != VG_OK)
        return vg_fail(err, r->error, "offset %zu: reader already failed", r->error_offset);
    vg_err rc;
    for (;;) {
        json__skip_ws(r);
        if (r->expect == JSON__EOF || r->expect == JSON__DONE) {
            if (r->pos < r->len)
                return json__fail_byte(r, err, r->pos, "trailing garbage after the document");
            r->expect = JSON__DONE;
            tok->type = VG_JSON_END;
            tok->offset = r->pos;
            tok->text = r->text + r->pos;
            tok->text_len = 0;
            tok->escaped = false;
            tok->depth = 0;
            return VG_OK;
        }
        if (r->pos >= r->len)
            return json__fail(r, err, VG_ERR_TRUNCATED, r->pos,
                              r->len == r->pos && r->depth == 0 && r->expect == JSON__VALUE
                                  ? "empty document"
                                  : "unexpected end of input");
        char c = r->text[r->pos];
        switch (r->expect) {
        case JSON__COMMA_OR_CLOSE:
            if (c == ',') {
                r->pos++;
                r->expect = r->stack[r->depth - 1] == '{' ? JSON__KEY : JSON__VALUE;
                continue;
            }
            rc = json__close(r, tok, err);
            break;
        case JSON__VALUE_OR_CLOSE:
            rc = c == ']' ? json__close(r, tok, err) : json__value(r, tok, err);
            break;
        case JSON__KEY_OR_CLOSE:
            if (c == '}') {
                rc = json__close(r, tok, err);
                break;
            }
            /* fall through */
        case JSON__KEY:
            if (c != '"')
                return json__fail_byte(r, err, r->pos, "expected a string key");
            rc = json__scan_string(r, tok, VG_JSON_KEY, err);
            if (rc != VG_OK)
                return rc;
            json__skip_ws(r);
            if (r->pos >= r->len || r->text[r->pos] != ':')
                return json__fail_byte(r, err, r->pos, "expected ':' after the key");
            r->pos++;
            r->expect = JSON__VALUE;
            break;
        default: /* JSON__VALUE */
            rc = json__value(r, tok, err);
            break;
        }
        if (rc == VG_OK)
            tok->depth = r->depth;
        return rc;
    }
}

vg_err vg_json_skip(vg_json_reader *r, const vg_json_token *first, vg_errinfo *err)
{
    switch (first->type) {
    case VG_JSON_STRING:
    case VG_JSON_NUMBER:
    case VG_JSON_TRUE:
    case VG_JSON_FALSE:
    case VG_JSON_NULL:
        return VG_OK;
    case VG_JSON_OBJECT:
    case VG_JSON_ARRAY:
        break;
    default:
        return vg_fail(err, VG_ERR_INVAL, "vg_json_skip: token is not the start of a value");
    }
    int outer = first->depth - 1;
    vg_json_token t;
    do {
        vg_err rc = vg_json_next(r, &t, err);
        if (rc != VG_OK)
            return rc;
    } while (t.depth > outer);
    return VG_OK;
}

/* Append code point cp as UTF-8 to out[*n..cap); false if it does not fit. */
static bool json__put_utf8(char *out, size_t cap, size_t *n, unsigned long cp)
{
    unsigned char b[4];
    size_t k;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    if (*n + k > cap)
        return false;
    memcpy(out + *n, b, k);
    *n += k;
    return true;
}

const char *vg_json_string(const vg_json_token *tok, char *buf, size_t cap, size_t *len)
{
    if (tok->type != VG_JSON_KEY && tok->type != VG_JSON_STRING)
        return NULL;
    if (!tok->escaped) {
        *len = tok->text_len;
        return tok->text;
    }
    const char *s = tok->text;
    size_t i = 0, n = 0, sl = tok->text_len;
    while (i < sl) {
        char c = s[i];
        if (c != '\\') {
            if (n >= cap)
                return NULL;
            buf[n++] = c;
            i++;
            continue;
        }
        char e = s[i + 1]; /* validated by the scanner: escapes are complete */
        unsigned long cp;
        switch (e) {
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            cp = (unsigned long)json__hex4(s + i + 2);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned long lo = (unsigned long)json__hex4(s + i + 8);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            i += 4;
            break;
        default: cp = (unsigned char)e; break; /* '"' '\\' '/' */
        }
        i += 2;
        if (!json__put_utf8(buf, cap, &n, cp))
            return NULL;
    }
    *len = n;
    if (n < cap)
        buf[n] = 0;
    return buf;
}

bool vg_json_string_is(const vg_json_token *tok, const char *lit)
{
    if (tok->type != VG_JSON_KEY && tok->type != VG_JSON_STRING)
        return false;
    size_t ll = strlen(lit);
    if (!tok->escaped)
        return tok->text_len == ll && memcmp(tok->text, lit, ll) == 0;
    if (tok->text_len < ll) /* an escaped text is never shorter than its decoding */
        return false;
    char buf[256];
    size_t n;
    const char *d = vg_json_string(tok, buf, sizeof buf, &n);
    return d && n == ll && memcmp(d, lit, ll) == 0;
}

/* Exact powers of ten representable in a double. */
static const double json__pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

vg_err vg_json_decimal(const char *s, size_t len, double *out)
{
    if (len == 0)
        return VG_ERR_PARSE;
    if (len > VG_JSON_NUMBER_MAX)
        return VG_ERR_RANGE;
    /* Check the grammar and gather the mantissa of up to 15 significant digits. Fast path
     * (Clinger): a mantissa below 2^53 times an exact power of ten is one IEEE
     * multiplication or division, hence correctly rounded. */
    size_t i = 0;
    bool neg = false;
    if (s[i] == '+' || s[i] == '-')
        neg = s[i++] == '-';
    uint64_t m = 0;
    int sig = 0, exp10 = 0, ndig = 0;
    for (; i < len && json__digit(s[i]); i++, ndig++) {
        if (m || s[i] != '0')
            sig++;
        if (sig <= 15)
            m = m * 10 + (uint64_t)(s[i] - '0');
        else
            exp10++;
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && json__digit(s[i]); i++, ndig++) {
            if (m || s[i] != '0')
                sig++;
            if (sig <= 15) {
                m = m * 10 + (uint64_t)(s[i] - '0');
                exp10--;
            }
        }
    }
    if (ndig == 0)
        return VG_ERR_PARSE;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= len || !json__digit(s[i]))
            return VG_ERR_PARSE;
        int e = 0;
        for (; i < len && json__digit(s[i]); i++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        exp10 += eneg ? -e : e;
    }
    if (i != len)
        return VG_ERR_PARSE;
    if (sig <= 15 && exp10 >= -22 && exp10 <= 22) {
        double v = (double)m;
        v = exp10 >= 0 ? v * json__pow10[exp10] : v / json__pow10[-exp10];
        *out = neg ? -v : v;
        return VG_OK;
    }
    char copy[VG_JSON_NUMBER_MAX + 1];
    memcpy(copy, s, len);
    copy[len] = 0;
    char *end;
    double v = strtod(copy, &end);
    if (end != copy + len || !isfinite(v))
        return VG_ERR_RANGE;
    *out = v; /* an underflow (ERANGE with a finite result) keeps 0 or the subnormal */
    return VG_OK;
}

/* ---- writer ------------------------------------------------------------------------- */

/* Output cursor over a caller buffer; `over` is set once something did not fit. */
typedef struct json__out {
    char *buf;
    size_t cap;
    size_t n;
    bool over;
} json__out;

static void json__put(json__out *o, const char *s, size_t len)
{
    if (o->over || o->cap - o->n <= len) { /* keep one byte for the NUL */
        o->over = true;
        return;
    }
    memcpy(o->buf + o->n, s, len);
    o->n += len;
}

static void json__puts(json__out *o, const char *s) { json__put(o, s, strlen(s)); }

static void json__put_string(json__out *o, const char *s, size_t len)
{
    static const char hexd[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    json__put(o, "\"", 1);
    size_t run = 0; /* start of the pending run of bytes copied as they are */
    for (size_t i = 0; i < len && !o->over;) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c >= 0x80) {
            int n = json__utf8_len(u + i, len - i);
            if (n > 0) {
                i += (size_t)n;
                continue;
            }
        }
        json__put(o, s + run, i - run);
        char esc[8] = {'\\', 0};
        size_t el = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            if (c >= 0x80) { /* invalid UTF-8 byte */
                memcpy(esc, "\\ufffd", 6);
            } else {
                memcpy(esc, "\\u00", 4);
                esc[4] = hexd[c >> 4];
                esc[5] = hexd[c & 15];
            }
            el = 6;
        }
        json__put(o, esc, el);
        i++;
        run = i;
    }
    json__put(o, s + run, len - run);
    json__put(o, "\"", 1);
}

/* Decimal digits of u (< 10^19) into d[], most significant first; returns their count. */
static int json__utoa(uint64_t u, char *d)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    for (int k = 0; k < n; k++)
        d[k] = tmp[n - 1 - k];
    return n;
}

/* Exact powers of ten as integers. */
static const uint64_t json__pow10u[11] = {1,      10,      100,      1000,      10000,     100000,
                                          1000000, 10000000, 100000000, 1000000000, 10000000000};

/* printf("%.10g", v) for finite v, into out (at least 32 bytes); returns the length.
 * Fast path for 1e-4 <= |v| < 1e10 (fixed notation): the 10 significant digits come from
 * one multiplication by an exact power of ten; when the product lies too close to a
 * rounding tie for a double to decide it, or the exponent guess is off, snprintf decides.
 * tests/unit/test_json.c checks the two against each other on random values. */
static int json__fmt_g10(double v, char *out)
{
    double a = fabs(v);
    if (a >= 1e-4 && a < 1e10) {
        static const double p10[15] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3,
                                       1e4,  1e5,  1e6,  1e7,  1e8, 1e9, 1e10};
        int e = -4; /* floor(log10(a)), a guess checked below through m's digit count */
        while (e < 9 && a >= p10[e + 5])
            e++;
        int d = 9 - e; /* 0..13 */
        double r = a * json__pow10[d];
        double fl = floor(r), frac = r - fl;
        if (fabs(frac - 0.5) > 1e-4) {
            uint64_t m = (uint64_t)fl + (frac > 0.5);
            if (m >= json__pow10u[9] && m < json__pow10u[10]) {
                char dig[20];
                json__utoa(m, dig); /* exactly 10 digits */
                int n = 0, last = 9;
                while (last > 0 && dig[last] == '0' && last > e) /* strip fraction zeros */
                    last--;
                if (v < 0)
                    out[n++] = '-';
                if (e >= 0) {
                    for (int k = 0; k <= e; k++)
                        out[n++] = dig[k];
                    if (last > e) {
                        out[n++] = '.';
                        for (int k = e + 1; k <= last; k++)
                            out[n++] = dig[k];
                    }
                } else {
                    out[n++] = '0';
                    out[n++] = '.';
                    for (int k = 0; k < -e - 1; k++)
                        out[n++] = '0';
                    for (int k = 0; k <= last; k++)
                        out[n++] = dig[k];
                }
                out[n] = 0;
                return n;
            }
        }
    }
    return snprintf(out, 32, "%.10g", v);
}

static void json__put_number(json__out *o, double v)
{
    if (!isfinite(v)) {
        json__put(o, "null", 4);
        return;
    }
    char tmp[32];
    int n = json__fmt_g10(v, tmp);
    json__put(o, tmp, (size_t)n);
}

static void json__put_int(json__out *o, int v)
{
    char tmp[24];
    int n = 0;
    if (v < 0) {
        tmp[n++] = '-';
        n += json__utoa((uint64_t)(-(int64_t)v), tmp + n);
    } else {
        n += json__utoa((uint64_t)v, tmp + n);
    }
    json__put(o, tmp, (size_t)n);
}

/* Two digits of v (0-99) at p. */
static void json__2d(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* The time as vg_time_format_iso8601 writes it, with its quotes; by hand for years
 * 1000-9999 (snprintf costs more than the rest of the sample). */
static void json__put_time(json__out *o, vg_time_us t)
{
    int y, mo, d, h, mi, se, us;
    vg_time_to_fields(t, &y, &mo, &d, &h, &mi, &se, &us);
    char b[VG_TIME_ISO_LEN + 2];
    size_t n;
    if (y < 1000 || y > 9999) {
        b[0] = '"';
        vg_time_format_iso8601(t, b + 1);
        n = strlen(b);
    } else {
        b[0] = '"';
        json__2d(b + 1, y / 100);
        json__2d(b + 3, y % 100);
        b[5] = '-';
        json__2d(b + 6, mo);
        b[8] = '-';
        json__2d(b + 9, d);
        b[11] = 'T';
        json__2d(b + 12, h);
        b[14] = ':';
        json__2d(b + 15, mi);
        b[17] = ':';
        json__2d(b + 18, se);
        n = 20;
        if (us % 1000 == 0 && us) {
            b[n++] = '.';
            b[n++] = (char)('0' + us / 100000);
            json__2d(b + n, us / 1000 % 100);
            n += 2;
        } else if (us) {
            b[n++] = '.';
            json__2d(b + n, us / 10000);
            json__2d(b + n + 2, us / 100 % 100);
            json__2d(b + n + 4, us % 100);
            n += 6;
        }
        b[n++] = 'Z';
    }
    b[n++] = '"';
    json__put(o, b, n);
}

/* Finish: NUL-terminate and return the length, or -1 when something did not fit. */
static int json__finish(json__out *o)
{
    if (o->over || o->n >= o->cap || o->n > (size_t)INT32_MAX) {
        if (o->cap)
            o->buf[o->cap - 1] = 0;
        return -1;
    }
    o->buf[o->n] = 0;
    return (int)o->n;
}

int vg_json_escape(const char *s, size_t len, char *buf, size_t cap)
{
    json__out o = {buf, cap, 0, cap == 0};
    json__put_string(&o, s, len);
    return json__finish(&o);
}

char *vg_json_excerpt(const char *s, size_t len, size_t max, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    size_t n = 0;
    bool cut = len > max;
    size_t lim = cut ? max : len;
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[5];
        size_t el;
        if (c == '\\' || c == '\'') {
            e[0] = '\\', e[1] = (char)c, el = 2;
        } else if (c >= 0x20 && c < 0x7F) {
            e[0] = (char)c, el = 1;
        } else if (c == '\n' || c == '\r' || c == '\t' || c == 0) {
            e[0] = '\\', e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : '0';
            el = 2;
        } else {
            static const char hexd[] = "0123456789ABCDEF";
            e[0] = '\\', e[1] = 'x', e[2] = hexd[c >> 4], e[3] = hexd[c & 15], el = 4;
        }
        if (n + el + 4 > cap) { /* room for "..." and the NUL */
            cut = true;
            break;
        }
        memcpy(buf + n, e, el);
        n += el;
    }
    if (cut && n + 4 <= cap) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n < cap ? n : cap - 1] = 0;
    return buf;
}

int vg_json_write_sample(const vg_sample *s, const char *const *test_names, char *buf,
                         size_t cap)
{
    json__out o = {buf, cap, 0, cap == 0};
    json__puts(&o, "{\"platform\":");
    json__put_string(&o, s->platform, strnlen(s->platform, sizeof s->platform));
    json__puts(&o, ",\"time\":");
    if (s->time == VG_TIME_NONE) {
        json__puts(&o, "null");
    } else {
        json__put_time(&o, s->time);
    }
    json__puts(&o, ",\"lat\":");
    json__put_number(&o, s->lat_deg);
    json__puts(&o, ",\"lon\":");
    json__put_number(&o, s->lon_deg);

    json__puts(&o, ",\"values\":{");
    const char *sep = "";
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!vg_sample_has(s, (vg_param)p))
            continue;
        json__puts(&o, sep);
        json__put(&o, "\"", 1);
        json__puts(&o, vg_param_get((vg_param)p)->code);
        json__put(&o, "\":", 2);
        json__put_number(&o, s->value[p]);
        sep = ",";
    }
    json__puts(&o, "},\"flags\":{");
    sep = "";
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!vg_sample_has(s, (vg_param)p))
            continue;
        json__puts(&o, sep);
        json__put(&o, "\"", 1);
        json__puts(&o, vg_param_get((vg_param)p)->code);
        json__put(&o, "\":", 2);
        json__put_int(&o, s->qc[p].agg);
        sep = ",";
    }
    json__puts(&o, "},\"pos_flag\":");
    json__put_int(&o, s->pos_qc.agg);
    json__puts(&o, ",\"time_flag\":");
    json__put_int(&o, s->time_qc.agg);

    if (test_names) {
        json__puts(&o, ",\"tests\":{");
        sep = "";
        for (int p = 0; p < VG_P__COUNT; p++) {
            if (!vg_sample_has(s, (vg_param)p))
                continue;
            const char *inner = NULL; /* NULL until the parameter's object is opened */
            for (int t = 0; t < VG_QC_MAX_TESTS; t++) {
                if (!s->qc[p].test[t] || !test_names[t])
                    continue;
                if (!inner) {
                    json__puts(&o, sep);
                    json__put(&o, "\"", 1);
                    json__puts(&o, vg_param_get((vg_param)p)->code);
                    json__put(&o, "\":{", 3);
                    sep = ",";
                    inner = "";
                }
                json__puts(&o, inner);
                json__put_string(&o, test_names[t], strlen(test_names[t]));
                json__put(&o, ":", 1);
                json__put_int(&o, s->qc[p].test[t]);
                inner = ",";
            }
            if (inner)
                json__put(&o, "}", 1);
        }
        json__put(&o, "}", 1);
    }
    json__put(&o, "}", 1);
    return json__finish(&o);
}
