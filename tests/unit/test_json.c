/* test_json.c: unit tests of core/json: the tokenizer on tables of valid documents (token
 * sequences) and invalid ones (error code and byte offset), string escapes and UTF-8, the
 * decimal conversion against strtod, the excerpt quoter, the sample writer (exact strings,
 * NaN -> null, buffer limits) and a write -> "json" parser round trip. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/json.h"
#include "ingest/parser.h"

/* Tokenize doc[0..len) into a signature: one character per token ({ } [ ] k s n t f 0 E).
 * Returns the error of the first failing call (VG_OK when the document is valid) and its
 * offset. */
static vg_err sig_of(const char *doc, size_t len, char *sig, size_t cap, size_t *off)
{
    vg_json_reader r;
    vg_json_reader_init(&r, doc, len);
    size_t n = 0;
    vg_errinfo err;
    for (;;) {
        vg_json_token t;
        vg_err rc = vg_json_next(&r, &t, &err);
        if (rc != VG_OK) {
            *off = vg_json_error_offset(&r);
            sig[n] = 0;
            return rc;
        }
        static const char map[] = {
            [VG_JSON_END] = 'E',    [VG_JSON_OBJECT] = '{', [VG_JSON_OBJECT_END] = '}',
            [VG_JSON_ARRAY] = '[',  [VG_JSON_ARRAY_END] = ']', [VG_JSON_KEY] = 'k',
            [VG_JSON_STRING] = 's', [VG_JSON_NUMBER] = 'n', [VG_JSON_TRUE] = 't',
            [VG_JSON_FALSE] = 'f',  [VG_JSON_NULL] = '0',
        };
        if (n + 1 < cap)
            sig[n++] = map[t.type];
        if (t.type == VG_JSON_END) {
            sig[n] = 0;
            *off = 0;
            return VG_OK;
        }
    }
}

static void test_valid_docs(void)
{
    static const struct {
        const char *doc;
        const char *sig;
    } cases[] = {
        {"{}", "{}E"},
        {" \t\r\n{\"a\":1} \n", "{kn}E"},
        {"[1,2.5,-3e2,\"x\",true,false,null]", "[nnnstf0]E"},
        {"{\"a\":{\"b\":[{}]}}", "{k{k[{}]}}E"},
        {"\"str\"", "sE"},
        {"0", "nE"},
        {"-0.0e+0", "nE"},
        {"[[[[[[[[]]]]]]]]", "[[[[[[[[]]]]]]]]E"}, /* depth 8: the limit */
        {"{ \"a\" : 1 , \"b\" : [ ] , \"c\" : { } }", "{kn k[] k{}}E"},
        {"{\"\":\"\"}", "{ks}E"},
        {"[\"\\u00e9\\ud83d\\ude00\",\"\xc3\xa9\xf0\x9f\x98\x80\"]", "[ss]E"},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":21.8054,\"CNDC\":null}}", "{ksk{knk0}}E"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char sig[64];
        size_t off;
        vg_err rc = sig_of(cases[i].doc, strlen(cases[i].doc), sig, sizeof sig, &off);
        /* the table writes a space for readability: strip it from the expectation */
        char want[64];
        size_t w = 0;
        for (const char *p = cases[i].sig; *p; p++)
            if (*p != ' ')
                want[w++] = *p;
        want[w] = 0;
        CHECK_MSG(rc == VG_OK, "valid doc %zu '%s' failed at %zu", i, cases[i].doc, off);
        CHECK_MSG(strcmp(sig, want) == 0, "doc %zu: tokens '%s', expected '%s'", i, sig, want);
    }
}

static void test_invalid_docs(void)
{
    char longnum[100];
    memset(longnum, '1', 70);
    longnum[70] = 0;
    static const struct {
        const char *doc;
        int len; /* -1: strlen */
        vg_err code;
        size_t offset;
    } cases[] = {
        {"", -1, VG_ERR_TRUNCATED, 0},
        {"   ", -1, VG_ERR_TRUNCATED, 3},
        {"{", -1, VG_ERR_TRUNCATED, 1},
        {"{\"a\":1", -1, VG_ERR_TRUNCATED, 6},
        {"{\"a\":", -1, VG_ERR_TRUNCATED, 5},
        {"{\"a\"", -1, VG_ERR_TRUNCATED, 4},
        {"{\"a\":1}x", -1, VG_ERR_PARSE, 7},
        {"{\"a\":1}}", -1, VG_ERR_PARSE, 7},
        {"{\"a\":1} {}", -1, VG_ERR_PARSE, 8},
        {"{\"a\" 1}", -1, VG_ERR_PARSE, 5},
        {"{\"a\"}", -1, VG_ERR_PARSE, 4},
        {"{\"a\":}", -1, VG_ERR_PARSE, 5},
        {"{a:1}", -1, VG_ERR_PARSE, 1},
        {"{'a':1}", -1, VG_ERR_PARSE, 1},
        {"{\"a\":1,}", -1, VG_ERR_PARSE, 7},
        {"{,}", -1, VG_ERR_PARSE, 1},
        {"[1,]", -1, VG_ERR_PARSE, 3},
        {"[1 2]", -1, VG_ERR_PARSE, 3},
        {"[}", -1, VG_ERR_PARSE, 1},
        {"{]", -1, VG_ERR_PARSE, 1},
        {"{\"a\":[1}", -1, VG_ERR_PARSE, 7},
        {"{\"a\":01}", -1, VG_ERR_PARSE, 6},
        {"{\"a\":-}", -1, VG_ERR_PARSE, 6},
        {"{\"a\":1.}", -1, VG_ERR_PARSE, 7},
        {"{\"a\":1e}", -1, VG_ERR_PARSE, 7},
        {"{\"a\":.5}", -1, VG_ERR_PARSE, 5},
        {"{\"a\":+1}", -1, VG_ERR_PARSE, 5},
        {"{\"a\":NaN}", -1, VG_ERR_PARSE, 5},
        {"{\"a\":Infinity}", -1, VG_ERR_PARSE, 5},
        {"{\"a\":0x10}", -1, VG_ERR_PARSE, 6},
        {"{\"a\":tru}", -1, VG_ERR_PARSE, 8},
        {"{\"a\":True}", -1, VG_ERR_PARSE, 5},
        {"{\"a\":nul", -1, VG_ERR_TRUNCATED, 8},
        {"{\"a\":\"x", -1, VG_ERR_TRUNCATED, 7},
        {"{\"a\":\"x\\", -1, VG_ERR_TRUNCATED, 8},
        {"{\"a\":\"\\u12\"}", -1, VG_ERR_PARSE, 6},
        {"{\"a\":\"\\u12", -1, VG_ERR_TRUNCATED, 10},
        {"{\"a\":\"\\x\"}", -1, VG_ERR_PARSE, 7},
        {"{\"a\":\"\\U0041\"}", -1, VG_ERR_PARSE, 7},
        {"{\"a\":\"tab\there\"}", -1, VG_ERR_PARSE, 9},
        {"{\"a\":\"line\nbreak\"}", -1, VG_ERR_PARSE, 10},
        {"{\"a\":\"\\ud800\"}", -1, VG_ERR_PARSE, 6},
        {"{\"a\":\"\\udc00\"}", -1, VG_ERR_PARSE, 6},
        {"{\"a\":\"\\ud800\\u0041\"}", -1, VG_ERR_PARSE, 6},
        {"\"\xff\"", -1, VG_ERR_PARSE, 1},
        {"\"\xc3\"", -1, VG_ERR_PARSE, 1},          /* lead byte without continuation */
        {"\"\xc0\x80\"", -1, VG_ERR_PARSE, 1},      /* overlong NUL */
        {"\"\xed\xa0\x80\"", -1, VG_ERR_PARSE, 1},  /* encoded surrogate */
        {"\"\xf4\x90\x80\x80\"", -1, VG_ERR_PARSE, 1}, /* beyond U+10FFFF */
        {"\"\xe2\x82", -1, VG_ERR_TRUNCATED, 3},
        {"{\0}", 3, VG_ERR_PARSE, 1},
        {"\"a\0b\"", 5, VG_ERR_PARSE, 2},
        {"{\"a\":1}\0", 8, VG_ERR_PARSE, 7},
        {"{\"a\":1}\xff", -1, VG_ERR_PARSE, 7},
        {"\xef\xbb\xbf{}", -1, VG_ERR_PARSE, 0}, /* a BOM is not JSON text */
        {"[[[[[[[[[]]]]]]]]]", -1, VG_ERR_RANGE, 8},
        {"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{}}}}}}}}}", -1, VG_ERR_RANGE, 40},
        {"1e999", -1, VG_ERR_RANGE, 0},
        {"-1e309", -1, VG_ERR_RANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len < 0 ? strlen(cases[i].doc) : (size_t)cases[i].len;
        char sig[64];
        size_t off = 999;
        vg_err rc = sig_of(cases[i].doc, len, sig, sizeof sig, &off);
        CHECK_MSG(rc == cases[i].code && off == cases[i].offset,
                  "invalid doc %zu: got %s at %zu, expected %s at %zu", i, vg_err_name(rc), off,
                  vg_err_name(cases[i].code), cases[i].offset);
    }
    /* a 70-digit number: valid JSON, beyond VG_JSON_NUMBER_MAX */
    char sig[8];
    size_t off = 99;
    CHECK(sig_of(longnum, strlen(longnum), sig, sizeof sig, &off) == VG_ERR_RANGE && off == 0);

    /* error text names the offset; errors are sticky */
    vg_json_reader r;
    vg_json_reader_init(&r, "[1,,2]", 6);
    vg_json_token t;
    vg_errinfo err;
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_ARRAY);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_NUMBER);
    CHECK(vg_json_next(&r, &t, &err) == VG_ERR_PARSE);
    CHECK_MSG(strncmp(err.text, "offset 3: ", 10) == 0, "%s", err.text);
    CHECK(vg_json_next(&r, &t, &err) == VG_ERR_PARSE);
    CHECK(vg_json_error_offset(&r) == 3);
    CHECK(vg_json_next(&r, &t, NULL) == VG_ERR_PARSE); /* err may be NULL */
}

static void test_tokens_and_skip(void)
{
    const char *doc = "{\"a\":{\"b\":[1,{\"c\":2}],\"x\":null},\"d\":-3.25e1,\"e\":\"v\"}";
    vg_json_reader r;
    vg_json_reader_init(&r, doc, strlen(doc));
    vg_json_token t;
    vg_errinfo err;
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_OBJECT && t.depth == 1);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_KEY &&
          vg_json_string_is(&t, "a") && t.offset == 1);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_OBJECT && t.depth == 2);
    CHECK(vg_json_skip(&r, &t, &err) == VG_OK);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_KEY &&
          vg_json_string_is(&t, "d"));
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_NUMBER && t.number == -32.5 &&
          t.text_len == 7 && memcmp(t.text, "-3.25e1", 7) == 0);
    CHECK(vg_json_skip(&r, &t, &err) == VG_OK); /* scalar: no-op */
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && vg_json_string_is(&t, "e"));
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_STRING &&
          vg_json_string_is(&t, "v") && !vg_json_string_is(&t, "vv"));
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_OBJECT_END && t.depth == 0);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_END);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_END); /* stays at END */
    CHECK(vg_json_skip(&r, &t, &err) == VG_ERR_INVAL);

    /* skip reports an error inside the skipped value */
    const char *bad = "{\"a\":[1,{\"b\":x}]}";
    vg_json_reader_init(&r, bad, strlen(bad));
    vg_json_next(&r, &t, &err);
    vg_json_next(&r, &t, &err);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_ARRAY);
    CHECK(vg_json_skip(&r, &t, &err) == VG_ERR_PARSE && vg_json_error_offset(&r) == 13);
}

static void test_escapes(void)
{
    const char *doc = "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83d\\ude00\\u0000z\"";
    const char want[] = "a\"b\\c/d\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z";
    vg_json_reader r;
    vg_json_reader_init(&r, doc, strlen(doc));
    vg_json_token t;
    vg_errinfo err;
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_STRING && t.escaped);
    char buf[64];
    size_t n = 0;
    const char *d = vg_json_string(&t, buf, sizeof buf, &n);
    CHECK(d == buf);
    CHECK_MSG(n == sizeof want - 1 && memcmp(d, want, n) == 0, "decoded %zu bytes", n);
    CHECK(vg_json_string(&t, buf, 10, &n) == NULL); /* too small */
    CHECK(vg_json_string(&t, buf, t.text_len, &n) == buf); /* text_len always suffices */

    /* no escape: the input itself, buf untouched */
    vg_json_reader_init(&r, "\"plain\"", 7);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && !t.escaped);
    buf[0] = 'X';
    d = vg_json_string(&t, buf, 1, &n);
    CHECK(d == t.text && n == 5 && buf[0] == 'X');

    /* escaped key compared by its decoded value */
    vg_json_reader_init(&r, "{\"pl\\u0061tform\":1}", 19);
    vg_json_next(&r, &t, &err);
    CHECK(vg_json_next(&r, &t, &err) == VG_OK && t.type == VG_JSON_KEY &&
          vg_json_string_is(&t, "platform") && !vg_json_string_is(&t, "platforms"));

    /* the escaper */
    char out[128];
    int len = vg_json_escape("a\"b\\\n\x01\x7f\xc3\xa9\xff", 10, out, sizeof out);
    CHECK_STR(out, "\"a\\\"b\\\\\\n\\u0001\x7f\xc3\xa9\\ufffd\"");
    CHECK(len == (int)strlen(out));
    CHECK(vg_json_escape("abc", 3, out, 5) == -1);
    CHECK(vg_json_escape("abc", 3, out, 6) == 5 && strcmp(out, "\"abc\"") == 0);
    CHECK(vg_json_escape("", 0, out, 3) == 2 && strcmp(out, "\"\"") == 0);
    CHECK(vg_json_escape("", 0, NULL, 0) == -1);

    /* the excerpt quoter */
    CHECK_STR(vg_json_excerpt("a\0\xff'\\\r", 6, 10, out, sizeof out), "a\\0\\xFF\\'\\\\\\r");
    CHECK_STR(vg_json_excerpt("abcdef", 6, 3, out, sizeof out), "abc...");
    CHECK_STR(vg_json_excerpt("abcdef", 6, 100, out, 6), "ab...");
    CHECK_STR(vg_json_excerpt("\x01\x02\x03", 3, 100, out, 9), "\\x01...");
}

static void test_decimal(void)
{
    static const struct {
        const char *s;
        vg_err code;
        double v;
    } cases[] = {
        {"21.8054", VG_OK, 21.8054},   {"-0", VG_OK, -0.0},          {"+5", VG_OK, 5},
        {"5.", VG_OK, 5},              {".5", VG_OK, 0.5},           {"1e22", VG_OK, 1e22},
        {"1E-5", VG_OK, 1e-5},         {"0.1", VG_OK, 0.1},          {"1e-400", VG_OK, 0},
        {"123456789012345678901", VG_OK, 123456789012345678901.0},
        {"", VG_ERR_PARSE, 0},         {".", VG_ERR_PARSE, 0},       {"1e", VG_ERR_PARSE, 0},
        {"abc", VG_ERR_PARSE, 0},      {"0x10", VG_ERR_PARSE, 0},    {"inf", VG_ERR_PARSE, 0},
        {"nan", VG_ERR_PARSE, 0},      {" 1", VG_ERR_PARSE, 0},      {"1 ", VG_ERR_PARSE, 0},
        {"--1", VG_ERR_PARSE, 0},      {"1e400", VG_ERR_RANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = -1;
        vg_err rc = vg_json_decimal(cases[i].s, strlen(cases[i].s), &v);
        CHECK_MSG(rc == cases[i].code, "decimal '%s': %s", cases[i].s, vg_err_name(rc));
        if (rc == VG_OK && cases[i].code == VG_OK)
            CHECK_MSG(v == cases[i].v && signbit(v) == signbit(cases[i].v), "decimal '%s' = %.17g",
                      cases[i].s, v);
    }
    /* the fast path agrees bit for bit with strtod */
    uint64_t x = 88172645463325252u;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        char s[40];
        int digits = (int)(x % 17) + 1;
        double mag = ldexp((double)(x >> 11), -(int)(x % 80)) * ((x & 1) ? -1 : 1);
        int n = (x >> 5) % 3 == 0 ? snprintf(s, sizeof s, "%.*e", digits - 1, mag)
                                  : snprintf(s, sizeof s, "%.*f", (int)(x % 9), mag / 1e6);
        double a = 0, b = strtod(s, NULL);
        if (vg_json_decimal(s, (size_t)n, &a) != VG_OK || memcmp(&a, &b, sizeof a) != 0) {
            if (bad++ < 5)
                fprintf(stderr, "decimal '%s': %.17g vs strtod %.17g\n", s, a, b);
        }
    }
    CHECK(bad == 0);
}

/* The sample of the writer's specification. */
static void spec_sample(vg_sample *s)
{
    vg_sample_init(s);
    CHECK(vg_sample_set_platform(s, "NBP", 3));
    vg_errinfo err;
    CHECK(vg_time_parse_iso8601("2014-08-01T00:00:01.873Z", 24, &s->time, NULL, &err) == VG_OK);
    s->lat_deg = -22.00186;
    s->lon_deg = -17.93934;
    vg_sample_set(s, VG_P_SSJT, 21.8054);
    vg_sample_set(s, VG_P_CNDC, 5.17647);
    s->qc[VG_P_SSJT].agg = 1;
    s->qc[VG_P_CNDC].agg = 1;
    s->qc[VG_P_SSJT].test[0] = 1;
    s->qc[VG_P_SSJT].test[1] = 1;
    s->qc[VG_P_CNDC].test[5] = 4;  /* its name is NULL: not listed */
    s->qc[VG_P_TEMP].test[0] = 4;  /* TEMP not present: not listed */
    s->pos_qc.agg = 1;
    s->time_qc.agg = 1;
    s->pos_qc.test[0] = 3;         /* position tests are not detailed */
}

static void test_writer(void)
{
    const char *names[VG_QC_MAX_TESTS] = {[0] = "global_range", [1] = "spike"};
    vg_sample s;
    spec_sample(&s);
    char buf[2048];
    const char *want =
        "{\"platform\":\"NBP\",\"time\":\"2014-08-01T00:00:01.873Z\",\"lat\":-22.00186,"
        "\"lon\":-17.93934,\"values\":{\"CNDC\":5.17647,\"SSJT\":21.8054},\"flags\":{\"CNDC\":1,"
        "\"SSJT\":1},\"pos_flag\":1,\"time_flag\":1,\"tests\":{\"SSJT\":{\"global_range\":1,"
        "\"spike\":1}}}";
    int n = vg_json_write_sample(&s, names, buf, sizeof buf);
    CHECK_STR(buf, want);
    CHECK(n == (int)strlen(want));

    /* every capacity below length + 1 fails, length + 1 succeeds */
    int fails = 0;
    for (size_t cap = 0; cap <= (size_t)n; cap++)
        if (vg_json_write_sample(&s, names, cap ? buf : NULL, cap) != -1)
            fails++;
    CHECK(fails == 0);
    CHECK(vg_json_write_sample(&s, names, buf, (size_t)n + 1) == n && strcmp(buf, want) == 0);

    /* without names: no "tests"; NaN and missing values -> null; no time -> null */
    vg_sample_set(&s, VG_P_SSPS, NAN);
    s.lat_deg = NAN;
    s.lon_deg = INFINITY;
    s.time = VG_TIME_NONE;
    s.qc[VG_P_SSPS].agg = 9;
    n = vg_json_write_sample(&s, NULL, buf, sizeof buf);
    CHECK_STR(buf, "{\"platform\":\"NBP\",\"time\":null,\"lat\":null,\"lon\":null,\"values\":"
                   "{\"CNDC\":5.17647,\"SSJT\":21.8054,\"SSPS\":null},\"flags\":{\"CNDC\":1,"
                   "\"SSJT\":1,\"SSPS\":9},\"pos_flag\":1,\"time_flag\":1}");
    CHECK(n == (int)strlen(buf));

    /* an empty sample, names given but no test flag: "tests":{} */
    vg_sample e;
    vg_sample_init(&e);
    vg_sample_set_platform(&e, "X", 1);
    e.time = 1500000000 * VG_US_PER_S + 123456;
    vg_sample_set(&e, VG_P_SLEV, 1.0 / 3.0);
    vg_sample_set(&e, VG_P_ATMS, 1e-7);
    n = vg_json_write_sample(&e, names, buf, sizeof buf);
    CHECK_STR(buf, "{\"platform\":\"X\",\"time\":\"2017-07-14T02:40:00.123456Z\",\"lat\":null,"
                   "\"lon\":null,\"values\":{\"SLEV\":0.3333333333,\"ATMS\":1e-07},\"flags\":"
                   "{\"SLEV\":0,\"ATMS\":0},\"pos_flag\":0,\"time_flag\":0,\"tests\":{}}");

    /* the output is valid JSON for the strict reader */
    char sig[64];
    size_t off;
    CHECK(sig_of(buf, (size_t)n, sig, sizeof sig, &off) == VG_OK);
}

/* The writer's numbers and times agree with printf("%.10g") and vg_time_format_iso8601. */
static void test_writer_formats(void)
{
    uint64_t x = 0x9E3779B97F4A7C15u;
    int bad = 0;
    char buf[512], want[128];
    vg_sample s;
    vg_sample_init(&s);
    vg_sample_set_platform(&s, "P", 1);
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        switch (i % 4) {
        case 0: v = (double)(int64_t)(x % 20000000) / 1e4 - 1000; break;       /* 4 decimals */
        case 1: v = ldexp((double)(x >> 11), -53) * pow(10, (int)(x % 20) - 8); break;
        case 2: v = (double)(int64_t)(x % 2000001) / pow(10, (int)(x % 12)); break;
        default: memcpy(&v, &x, sizeof v); break;                               /* any bits */
        }
        if (x & 1)
            v = -v;
        s.lat_deg = v;
        s.time = (vg_time_us)(x % (UINT64_C(6000000000000000))) - INT64_C(2000000000000000);
        if (i % 3 == 0)
            s.time -= s.time % 1000;
        if (i % 5 == 0)
            s.time -= s.time % 1000000;
        int n = vg_json_write_sample(&s, NULL, buf, sizeof buf);
        char t[VG_TIME_ISO_LEN];
        vg_time_format_iso8601(s.time, t);
        if (isfinite(v))
            snprintf(want, sizeof want, "\"time\":\"%s\",\"lat\":%.10g,", t, v);
        else
            snprintf(want, sizeof want, "\"time\":\"%s\",\"lat\":null,", t);
        if (n < 0 || !strstr(buf, want)) {
            if (bad++ < 5)
                fprintf(stderr, "writer: '%s' lacks '%s'\n", buf, want);
        }
    }
    CHECK(bad == 0);
    /* boundaries of the fixed notation and of rounding */
    static const double edge[] = {0,      -0.0,       1e-4,         9.99999999995e-5, 1e-5,
                                  1e10,   9999999999.4, 9999999999.5, 0.5,            1,
                                  -22.00186, 5.17647, 1528.105,    0.1,              123456789.05};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        s.lat_deg = edge[i];
        s.time = 0;
        vg_json_write_sample(&s, NULL, buf, sizeof buf);
        snprintf(want, sizeof want, "\"lat\":%.10g,", edge[i]);
        CHECK_MSG(strstr(buf, want) != NULL, "'%s' lacks '%s'", buf, want);
    }
}

/* Write samples and read them back with the "json" parser. */
static void test_round_trip(void)
{
    const vg_parser_ops *ops = vg_parser_find("json");
    CHECK(ops != NULL);
    if (!ops)
        return;
    void *st = NULL;
    vg_errinfo err;
    CHECK(ops->create(NULL, &st, &err) == VG_OK);
    const char *names[VG_QC_MAX_TESTS] = {[0] = "global_range", [1] = "spike", [7] = "stuck"};

    uint64_t x = 12345;
    int mismatches = 0;
    for (int i = 0; i < 2000; i++) {
        vg_sample s;
        spec_sample(&s);
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        s.time += (vg_time_us)(x % 100000000000u);
        s.lat_deg = (i % 7 == 0) ? NAN : -90.0 + (double)(x % 1800000001u) / 1e7;
        s.lon_deg = (i % 11 == 0) ? NAN : -180.0 + (double)(x % 3600000001u) / 1e7;
        for (int p = 0; p < VG_P__COUNT; p++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (x % 3 == 0)
                vg_sample_set(&s, (vg_param)p, (x % 5 == 0) ? NAN : (double)(int64_t)(x % 2000000) / 1e4 - 50);
            s.qc[p].test[7] = (vg_flag)(x % 5);
        }
        char buf[4096];
        int n = vg_json_write_sample(&s, names, buf, sizeof buf);
        CHECK(n > 0);
        vg_sample b;
        bool produced = false;
        vg_err rc = ops->parse_line(st, buf, (size_t)n, 42, &b, &produced, &err);
        if (rc != VG_OK || !produced) {
            if (mismatches++ < 3)
                fprintf(stderr, "round trip: %s: %s\n  %s\n", vg_err_name(rc), err.text, buf);
            continue;
        }
        bool same = strcmp(b.platform, s.platform) == 0 && b.time == s.time &&
                    b.present == s.present && b.received == 42 && b.raw == buf &&
                    b.raw_len == (size_t)n;
        same = same && (isnan(s.lat_deg) ? isnan(b.lat_deg) : fabs(b.lat_deg - s.lat_deg) < 1e-8);
        same = same && (isnan(s.lon_deg) ? isnan(b.lon_deg) : fabs(b.lon_deg - s.lon_deg) < 1e-8);
        for (int p = 0; p < VG_P__COUNT; p++)
            if (vg_sample_has(&s, (vg_param)p))
                same = same && (isnan(s.value[p]) ? isnan(b.value[p])
                                                  : fabs(b.value[p] - s.value[p]) <=
                                                        1e-9 * fmax(1, fabs(s.value[p])));
        if (!same && mismatches++ < 3)
            fprintf(stderr, "round trip mismatch:\n  %s\n", buf);
    }
    CHECK(mismatches == 0);
    ops->destroy(st);
}

int main(void)
{
    test_valid_docs();
    test_invalid_docs();
    test_tokens_and_skip();
    test_escapes();
    test_decimal();
    test_writer();
    test_writer_formats();
    test_round_trip();
    return check_summary();
}
