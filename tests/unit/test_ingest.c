/* test_ingest.c: unit tests of the ingest layer: the registry, tables of adversarial lines
 * for the "json" and "sbe45_nmea" parsers with the error each must give, valid lines with
 * exact values, the GPS-fix merge and its age limit, NMEA splitting, and (when
 * ../shared/data is present) the real NBP1406 tsg1 + s330 logs merged by receive time. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/json.h"
#include "ingest/nmea.h"
#include "ingest/parser.h"

#define LIT(s) s, (int)(sizeof(s) - 1) /* a literal that may hold NUL bytes, and its length */
#define T0 INT64_C(1406851201873000) /* 2014-08-01T00:00:01.873Z */

typedef struct tcase {
    const char *line;
    int len;       /* -1: strlen */
    vg_err code;   /* expected result */
    int produced;  /* on success: 1 if a sample must come out, 0 if not */
    const char *in_text; /* on failure: a substring the error text must contain, or NULL */
} tcase;

static vg_ingest_cfg sbe_cfg(void)
{
    vg_ingest_cfg c;
    memset(&c, 0, sizeof c);
    strcpy(c.platform, "NBP");
    c.fix_max_age_s = 10;
    c.line = 7;
    return c;
}

/* Run each case on a fresh state of parser `name`. */
static void run_table(const char *name, const vg_ingest_cfg *cfg, const tcase *cases, size_t n)
{
    const vg_parser_ops *ops = vg_parser_find(name);
    CHECK(ops != NULL);
    if (!ops)
        return;
    for (size_t i = 0; i < n; i++) {
        void *st = NULL;
        vg_errinfo err = {0};
        CHECK(ops->create(cfg, &st, &err) == VG_OK);
        size_t len = cases[i].len < 0 ? strlen(cases[i].line) : (size_t)cases[i].len;
        /* copy into an exact-size heap buffer so that ASan catches any over-read */
        char *line = malloc(len ? len : 1);
        memcpy(line, cases[i].line, len);
        vg_sample s;
        bool produced = false;
        err.text[0] = 0;
        vg_err rc = ops->parse_line(st, line, len, T0, &s, &produced, &err);
        char q[256];
        vg_json_excerpt(cases[i].line, len, 80, q, sizeof q);
        CHECK_MSG(rc == cases[i].code, "%s case %zu '%s': got %s (%s), expected %s", name, i, q,
                  vg_err_name(rc), err.text, vg_err_name(cases[i].code));
        if (rc == VG_OK && cases[i].code == VG_OK)
            CHECK_MSG(produced == (cases[i].produced != 0), "%s case %zu '%s': produced %d", name,
                      i, q, produced);
        if (rc != VG_OK) {
            CHECK_MSG(err.text[0] != 0 && strlen(err.text) < sizeof err.text,
                      "%s case %zu: no error text", name, i);
            if (cases[i].in_text)
                CHECK_MSG(strstr(err.text, cases[i].in_text) != NULL,
                          "%s case %zu: '%s' not in '%s'", name, i, cases[i].in_text, err.text);
        }
        free(line);
        ops->destroy(st);
    }
}

static void test_registry(void)
{
    CHECK(vg_parser_find("json") != NULL);
    CHECK(vg_parser_find("sbe45_nmea") != NULL);
    CHECK(vg_parser_find("nope") == NULL);
    CHECK(vg_parser_find(NULL) == NULL);
    size_t n = 0;
    for (; vg_parsers[n]; n++) {
        const vg_parser_ops *p = vg_parsers[n];
        CHECK(p->name && p->summary && p->create && p->destroy && p->parse_line);
        CHECK(vg_parser_find(p->name) == p);
        p->destroy(NULL); /* NULL state is allowed */
    }
    CHECK(n == 2);
}

static char *long_number_line(const char *prefix, const char *suffix)
{
    static char buf[512];
    size_t n = strlen(prefix);
    memcpy(buf, prefix, n);
    memset(buf + n, '7', 100);
    strcpy(buf + n + 100, suffix);
    return buf;
}

static void test_json_table(void)
{
    char deep[256] = "{\"platform\":\"NBP\",\"values\":{},\"tests\":";
    for (int k = 0; k < 9; k++)
        strcat(deep, "[");
    for (int k = 0; k < 9; k++)
        strcat(deep, "]");
    strcat(deep, "}");
    char longnum[512];
    strcpy(longnum, long_number_line("{\"platform\":\"NBP\",\"values\":{\"SSJT\":", "}}"));
    const tcase cases[] = {
        /* valid */
        {"{\"platform\":\"NBP\",\"values\":{}}", -1, VG_OK, 1, NULL},
        {"  {\"platform\":\"NBP\" , \"values\" : {\"SSJT\" : 21.8054}}  ", -1, VG_OK, 1, NULL},
        {"{\"platform\":\"NBP\",\"time\":null,\"lat\":null,\"lon\":null,\"values\":{\"SSJT\":null}}", -1, VG_OK, 1, NULL},
        {"{\"platform\":\"NBP\",\"lat\":95,\"lon\":200,\"values\":{}}", -1, VG_OK, 1, NULL},
        {"{\"platform\":\"NBP\",\"values\":{},\"flags\":{\"SSJT\":1},\"pos_flag\":1,\"time_flag\":3,"
         "\"tests\":{\"SSJT\":{\"spike\":4}}}", -1, VG_OK, 1, NULL},
        /* empty, garbage, truncated, invalid JSON */
        {"", -1, VG_ERR_TRUNCATED, 0, "empty document"},
        {" \t ", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"\0\0\0\0", 4, VG_ERR_PARSE, 0, "offset 0"},
        {"\xff\xfe{}", -1, VG_ERR_PARSE, 0, "\\xFF"},
        {LIT("{\"platform\":\"NBP\",\0\"values\":{}}"), VG_ERR_PARSE, 0, "offset 18"},
        {"{\"platform\":\"N\xffP\",\"values\":{}}", -1, VG_ERR_PARSE, 0, "UTF-8"},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":21.8", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":21.8}", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"{\"platform\":\"NBP\",\"values\":{}} x", -1, VG_ERR_PARSE, 0, "trailing garbage"},
        {"{\"platform\":\"NBP\",\"values\":{}}{\"platform\":\"NBP\",\"values\":{}}", -1,
         VG_ERR_PARSE, 0, "offset 30"},
        {"{\"platform\":\"NBP\",\"values\":{},}", -1, VG_ERR_PARSE, 0, NULL},
        {"{platform:\"NBP\",\"values\":{}}", -1, VG_ERR_PARSE, 0, NULL},
        {"[1,2]", -1, VG_ERR_PARSE, 0, "expected a JSON object"},
        {"\"NBP\"", -1, VG_ERR_PARSE, 0, NULL},
        {deep, -1, VG_ERR_RANGE, 0, "nesting"},
        /* structure */
        {"{}", -1, VG_ERR_PARSE, 0, "missing key \"platform\""},
        {"{\"values\":{}}", -1, VG_ERR_PARSE, 0, "platform"},
        {"{\"platform\":\"NBP\"}", -1, VG_ERR_PARSE, 0, "missing key \"values\""},
        {"{\"platform\":\"NBP\",\"values\":{},\"extra\":1}", -1, VG_ERR_PARSE, 0, "unknown key \"extra\""},
        {"{\"platform\":\"NBP\",\"values\":{},\"platform\":\"X\"}", -1, VG_ERR_PARSE, 0, "twice"},
        {"{\"platform\":\"NBP\",\"values\":[]}", -1, VG_ERR_PARSE, 0, "must be an object"},
        /* platform */
        {"{\"platform\":\"\",\"values\":{}}", -1, VG_ERR_PARSE, 0, "invalid platform"},
        {"{\"platform\":\"N B\",\"values\":{}}", -1, VG_ERR_PARSE, 0, "invalid platform"},
        {"{\"platform\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\",\"values\":{}}", -1, VG_ERR_PARSE, 0, "invalid platform"},
        {"{\"platform\":\"N\\u0000P\",\"values\":{}}", -1, VG_ERR_PARSE, 0, "N\\0P"},
        {"{\"platform\":42,\"values\":{}}", -1, VG_ERR_PARSE, 0, "must be a string"},
        {"{\"platform\":null,\"values\":{}}", -1, VG_ERR_PARSE, 0, NULL},
        /* values */
        {"{\"platform\":\"NBP\",\"values\":{\"XXXX\":1}}", -1, VG_ERR_PARSE, 0, "unknown parameter code \"XXXX\""},
        {"{\"platform\":\"NBP\",\"values\":{\"ssjt\":1}}", -1, VG_ERR_PARSE, 0, "\"ssjt\""},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":\"21.8\"}}", -1, VG_ERR_PARSE, 0, "number or null"},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":true}}", -1, VG_ERR_PARSE, 0, NULL},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":[1]}}", -1, VG_ERR_PARSE, 0, NULL},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":1,\"SSJT\":2}}", -1, VG_ERR_PARSE, 0, "twice"},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":NaN}}", -1, VG_ERR_PARSE, 0, NULL},
        {"{\"platform\":\"NBP\",\"values\":{\"SSJT\":1e999}}", -1, VG_ERR_RANGE, 0, NULL},
        {longnum, -1, VG_ERR_RANGE, 0, "longer than 64"},
        /* time, position */
        {"{\"platform\":\"NBP\",\"time\":\"2014-08-01T00:00:01Zjunk\",\"values\":{}}", -1, VG_ERR_PARSE, 0, "trailing"},
        {"{\"platform\":\"NBP\",\"time\":\"2014-02-30T00:00:00Z\",\"values\":{}}", -1, VG_ERR_RANGE, 0, "day 30"},
        {"{\"platform\":\"NBP\",\"time\":\"yesterday\",\"values\":{}}", -1, VG_ERR_PARSE, 0, NULL},
        {"{\"platform\":\"NBP\",\"time\":1406851201,\"values\":{}}", -1, VG_ERR_PARSE, 0, NULL},
        {"{\"platform\":\"NBP\",\"lat\":\"-22\",\"values\":{}}", -1, VG_ERR_PARSE, 0, "\"lat\""},
        {"{\"platform\":\"NBP\",\"lon\":true,\"values\":{}}", -1, VG_ERR_PARSE, 0, "\"lon\""},
    };
    run_table("json", NULL, cases, sizeof cases / sizeof cases[0]);
}

static void test_json_values(void)
{
    const vg_parser_ops *ops = vg_parser_find("json");
    void *st;
    vg_errinfo err;
    CHECK(ops->create(NULL, &st, &err) == VG_OK);
    vg_sample s;
    bool produced;
    const char *l1 = "{\"platform\":\"N\\u0042P\",\"time\":\"2014-08-01T00:00:01.873Z\","
                     "\"lat\":-22.00186,\"lon\":-17.93934,\"values\":{\"SSJT\":21.8054,"
                     "\"CNDC\":5.17647,\"SSPS\":null}}";
    CHECK(ops->parse_line(st, l1, strlen(l1), 77, &s, &produced, &err) == VG_OK && produced);
    CHECK_STR(s.platform, "NBP");
    CHECK(s.time == T0 && s.received == 77);
    CHECK(s.lat_deg == -22.00186 && s.lon_deg == -17.93934);
    CHECK(s.value[VG_P_SSJT] == 21.8054 && s.value[VG_P_CNDC] == 5.17647);
    CHECK(vg_sample_has(&s, VG_P_SSPS) && isnan(s.value[VG_P_SSPS]));
    CHECK(s.present == (VG_PARAM_BIT(VG_P_SSJT) | VG_PARAM_BIT(VG_P_CNDC) | VG_PARAM_BIT(VG_P_SSPS)));
    CHECK(s.raw == l1 && s.raw_len == strlen(l1));
    CHECK(s.qc[VG_P_SSJT].agg == 0);

    const char *l2 = "{\"values\":{\"SLEV\":1.25},\"platform\":\"HNL\",\"lat\":95,\"lon\":-200}";
    CHECK(ops->parse_line(st, l2, strlen(l2), T0, &s, &produced, &err) == VG_OK && produced);
    CHECK(s.time == T0); /* no time: received */
    CHECK(s.lat_deg == 95 && s.lon_deg == -200); /* stored as given: QC flags it */
    CHECK(s.present == VG_PARAM_BIT(VG_P_SLEV) && s.value[VG_P_SLEV] == 1.25);

    const char *l3 = "{\"platform\":\"X\",\"time\":\"2014-08-01T02:00:01.873+02:00\",\"values\":{}}";
    CHECK(ops->parse_line(st, l3, strlen(l3), 0, &s, &produced, &err) == VG_OK && produced);
    CHECK(s.time == T0 && isnan(s.lat_deg) && isnan(s.lon_deg) && s.present == 0);
    ops->destroy(st);
}

/* A valid s330 RMC and GGA of 2014-08-01T00:00:01.16Z. */
#define RMC1 "$INRMC,000001.16,A,2200.113054,S,01756.360985,W,9.5,213.80,010814,24.7,W,A*31"
#define GGA1 "$INGGA,000001.16,2200.113054,S,01756.360985,W,1,12,0.7,-3.05,M,4.67,M,,*69"
#define PFX "2014-08-01T00:00:01.873000Z "

static void test_sbe_table(void)
{
    vg_ingest_cfg cfg = sbe_cfg();
    char longnum[512];
    strcpy(longnum, long_number_line("21.8054, ", ", 36.5878, 1528.105"));
    const tcase cases[] = {
        /* valid TSG lines */
        {"21.8054,  5.17647,  36.5878, 1528.105", -1, VG_OK, 1, NULL},
        {PFX "21.8054,  5.17647,  36.5878, 1528.105", -1, VG_OK, 1, NULL},
        {"-1.5000,0.00000,0.0000,1400.000\r\n", -1, VG_OK, 1, NULL},
        {"t1= 21.8054, c1= 5.17647, s= 36.5878, t2= 21.7652", -1, VG_OK, 1, NULL},
        {PFX "t1=21.8054,c1=5.17647,s=36.5878,sv=1528.1", -1, VG_OK, 1, NULL},
        /* valid NMEA: state only */
        {RMC1, -1, VG_OK, 0, NULL},
        {PFX GGA1, -1, VG_OK, 0, NULL},
        {"$INGGA,000001.16,2200.113054,S,01756.360985,W,1,12,0.7,-3.05,M,4.67,M,,", -1, VG_OK, 0, NULL},
        {"$GNGGA,000001.16,2200.113054,S,01756.360985,W,1,12,0.7,-3.05,M,4.67,M,,*67", -1, VG_OK, 0, NULL},
        {"$INZDA,000000.17,01,08,2014,,*7E", -1, VG_OK, 0, NULL},
        {"$INVTG,215.11,T,239.79,M,9.1,N,16.9,K,A*05", -1, VG_OK, 0, NULL},
        {"$INHDT,218.26,T*1A", -1, VG_OK, 0, NULL},
        {"$PSXN,23,0.35,-1.74,218.26,0.58*13", -1, VG_OK, 0, NULL},
        {"$GPRMC,123519,V,,,,,,,230394,,,N", -1, VG_OK, 0, NULL},
        {"$GPGGA,,,,,,0,00,99.99,,,,,,*48", -1, VG_OK, 0, NULL},
        {"$GPGGA,000001.16,2200.113054,S,01756.360985,W,8,12,0.7,-3.05,M,4.67,M,,", -1, VG_OK, 0, NULL},
        /* empty, garbage */
        {"", -1, VG_ERR_TRUNCATED, 0, "empty"},
        {" \r", -1, VG_ERR_TRUNCATED, 0, "empty"},
        {"\0\0\0\0", 4, VG_ERR_PARSE, 0, "\\0\\0"},
        {"\xff\xfe\xfd", -1, VG_ERR_PARSE, 0, "\\xFF"},
        {LIT("21.80\0" "54, 5.17647, 36.5878, 1528.105"), VG_ERR_PARSE, 0, "field 1 (SSJT) '21.80\\054'"},
        {"21.8054, 5.17\xff, 36.5878, 1528.105", -1, VG_ERR_PARSE, 0, "field 2 (CNDC) '5.17\\xFF'"},
        {"SBE45 V 1.1 SERIAL NO. 1234", -1, VG_ERR_PARSE, 0, "field 1"},
        {"S>", -1, VG_ERR_PARSE, 0, NULL},
        {PFX "hello", -1, VG_ERR_PARSE, 0, NULL},
        /* field count, numbers */
        {"21.8054,  5.17647,  36.5878", -1, VG_ERR_TRUNCATED, 0, "3 comma-separated fields, expected 4"},
        {PFX "21.8054,  5.17647,", -1, VG_ERR_TRUNCATED, 0, "ends after field 2"},
        {"21.8054, 5.17647, 36.5878, 1528.105, 12", -1, VG_ERR_PARSE, 0, "5 comma-separated"},
        {"21.8054, , 36.5878, 1528.105", -1, VG_ERR_PARSE, 0, "field 2 (CNDC) is empty"},
        {"21.8054; 5.17647; 36.5878; 1528.105", -1, VG_ERR_PARSE, 0, "field 1"},
        {"21.8054, 5.17647, 36.5878, 1.5e3", -1, VG_ERR_PARSE, 0, "field 4 (SVEL) '1.5e3'"},
        {"21.8054, nan, 36.5878, 1528.105", -1, VG_ERR_PARSE, 0, "'nan'"},
        {"21.8054, 5.1 7, 36.5878, 1528.105", -1, VG_ERR_PARSE, 0, NULL},
        {longnum, -1, VG_ERR_RANGE, 0, "field 2 (CNDC)"},
        /* labelled lines */
        {"t1= 21.8054, c1= 5.17647, x= 3", -1, VG_ERR_PARSE, 0, "unknown label 'x'"},
        {"t1= 21.8054, t1= 21.8", -1, VG_ERR_PARSE, 0, "twice"},
        {"t1= 21.8054, c1=", -1, VG_ERR_PARSE, 0, "field 2 (c1) is empty"},
        {"t1= 21.8054, c1= 5.17647,", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"t1= 21.8054, 5.17647", -1, VG_ERR_PARSE, 0, "field 2"},
        /* receive-time prefix */
        {"2014-08-01T00:00:01.873000Z", -1, VG_ERR_TRUNCATED, 0, "nothing after"},
        {"2014-08-01T00:00:01.873000Z ", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"2014-08-01T00:00:01.873000Z21.8, 5.1, 36.5, 1528.1", -1, VG_ERR_PARSE, 0, "followed by a space"},
        {"2014-13-01T00:00:01Z 21.8, 5.1, 36.5, 1528.1", -1, VG_ERR_RANGE, 0, "month 13"},
        {"2014-08-01T25:00:01Z 21.8, 5.1, 36.5, 1528.1", -1, VG_ERR_RANGE, 0, "hour"},
        {"2014-08-0 21.8, 5.1, 36.5, 1528.1", -1, VG_ERR_PARSE, 0, "prefix"},
        /* NMEA */
        {"$GPRMC,1234", -1, VG_ERR_TRUNCATED, 0, "1 data fields"},
        {"$INGGA,000001.16,2200.113054,S,01756.360985,W,1", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"$", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"$GP", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"$INGGA,000001.16,2200.113054,S,01756.360985,W,1,12,0.7,-3.05,M,4.67,M,,*68", -1,
         VG_ERR_CHECKSUM, 0, "says *68, computed *69"},
        {PFX "$INZDA,000000.17,01,08,2014,,*7F", -1, VG_ERR_CHECKSUM, 0, NULL},
        {"$INZDA,000000.17,01,08,2014,,*7G", -1, VG_ERR_PARSE, 0, "hex"},
        {"$INZDA,000000.17,01,08,2014,,*7", -1, VG_ERR_TRUNCATED, 0, "2 hex digits"},
        {"$INZDA,000000.17,01,08,2014,,*", -1, VG_ERR_TRUNCATED, 0, NULL},
        {"$INZDA,000000.17,01,08,2014,,*7Exx", -1, VG_ERR_PARSE, 0, "after the checksum: 'xx'"},
        {"$INZDA,000000.17,01,08,2014,,*7E\xff", -1, VG_ERR_PARSE, 0, "\\xFF"},
        {LIT("$INZDA,000\0" "000.17,01,08,2014,,*7E"), VG_ERR_PARSE, 0, "field 1, byte 10"},
        {"$INZDA,000000.17\xff,01,08,2014,,", -1, VG_ERR_PARSE, 0, "\\xFF"},
        {"$INRMC,000001.16,A,2200.113054,S,01756.360985,W,9.5$INRMC,000001.16,A", -1, VG_ERR_PARSE, 0, "'$' inside"},
        {"$gprmc,123519,V,,,,,,,230394,,,N", -1, VG_ERR_PARSE, 0, "field 0 (address)"},
        {"$GPRMC123519,V,,,,,,,230394,,,N", -1, VG_ERR_PARSE, 0, "field 0"},
        {"$G1RMC,123519,V,,,,,,,230394,,,N", -1, VG_ERR_PARSE, 0, "talker"},
        {"GPRMC,123519,V,,,,,,,230394,,,N", -1, VG_ERR_PARSE, 0, NULL},
        {"$INRMC,000001.16,X,2200.113054,S,01756.360985,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_PARSE, 0, "field 2 (status) 'X'"},
        {"$INRMC,000001.16,A,2260.113054,S,01756.360985,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_PARSE, 0, "field 3 (latitude) '2260.113054': minutes"},
        {"$INRMC,000001.16,A,9100.000000,S,01756.360985,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_RANGE, 0, "field 3"},
        {"$INRMC,000001.16,A,2200.113054,S,18100.000000,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_RANGE, 0, "field 5 (longitude)"},
        {"$INRMC,000001.16,A,2200.113054,X,01756.360985,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_PARSE, 0, "field 4 (hemisphere)"},
        {"$INRMC,000001.16,A,,S,01756.360985,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_PARSE, 0, "field 3 (latitude) is empty"},
        {"$INRMC,000001.16,A,22OO.113054,S,01756.360985,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_PARSE, 0, "'22OO.113054'"},
        {"$INRMC,000001.16,A,2200.113054,S,01756.360985,W,9.x,213.80,010814,24.7,W,A", -1, VG_ERR_PARSE, 0, "field 7 (speed)"},
        {"$INRMC,000001.16,A,2200.113054,S,01756.360985,W,9.5,213.80,320814,24.7,W,A", -1, VG_ERR_RANGE, 0, "field 9 (date)"},
        {"$INRMC,000001.16,A,2200.113054,S,01756.360985,W,9.5,213.80,0108,24.7,W,A", -1, VG_ERR_PARSE, 0, "field 9 (date)"},
        {"$INRMC,250001.16,A,2200.113054,S,01756.360985,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_RANGE, 0, "field 1 (time)"},
        {"$INRMC,,A,2200.113054,S,01756.360985,W,9.5,213.80,010814,24.7,W,A", -1, VG_ERR_PARSE, 0, "field 1 (time) is empty"},
        {"$INGGA,000001.16,2200.113054,S,01756.360985,W,X,12,0.7,-3.05,M,4.67,M,,", -1, VG_ERR_PARSE, 0, "field 6 (fix quality)"},
        {"$INGGA,000001.16,2200.113054,S,01756.360985,E,1,12,0.7,-3.05,M,4.67,M,,", -1, VG_OK, 0, NULL},
        {"$INGGA,000001.16,2200.113054,S,01756.360985,N,1,12,0.7,-3.05,M,4.67,M,,", -1, VG_ERR_PARSE, 0, "expected E or W"},
    };
    run_table("sbe45_nmea", &cfg, cases, sizeof cases / sizeof cases[0]);
}

static void test_sbe_create(void)
{
    const vg_parser_ops *ops = vg_parser_find("sbe45_nmea");
    void *st = (void *)1;
    vg_errinfo err;
    CHECK(ops->create(NULL, &st, &err) == VG_ERR_INVAL && st == NULL);
    vg_ingest_cfg c = sbe_cfg();
    c.platform[0] = 0;
    CHECK(ops->create(&c, &st, &err) == VG_ERR_CONFIG && strstr(err.text, "line 7"));
    c = sbe_cfg();
    strcpy(c.platform, "a b");
    CHECK(ops->create(&c, &st, &err) == VG_ERR_CONFIG);
    c = sbe_cfg();
    c.fields[0] = VG_P_SSJT;
    c.fields[1] = VG_P_SSJT;
    c.n_fields = 2;
    CHECK(ops->create(&c, &st, &err) == VG_ERR_CONFIG && strstr(err.text, "SSJT"));
    c.fields[1] = (vg_param)99;
    CHECK(ops->create(&c, &st, &err) == VG_ERR_CONFIG);

    /* a custom field order */
    c.fields[0] = VG_P_SSPS;
    c.fields[1] = VG_P_FLOW;
    c.fields[2] = VG_P_SSJT;
    c.n_fields = 3;
    CHECK(ops->create(&c, &st, &err) == VG_OK);
    vg_sample s;
    bool produced;
    const char *l = "36.5, 1.25, 21.75";
    CHECK(ops->parse_line(st, l, strlen(l), T0, &s, &produced, &err) == VG_OK && produced);
    CHECK(s.present == (VG_PARAM_BIT(VG_P_SSPS) | VG_PARAM_BIT(VG_P_FLOW) | VG_PARAM_BIT(VG_P_SSJT)));
    CHECK(s.value[VG_P_SSPS] == 36.5 && s.value[VG_P_FLOW] == 1.25 && s.value[VG_P_SSJT] == 21.75);
    l = "21.8054,  5.17647,  36.5878, 1528.105";
    CHECK(ops->parse_line(st, l, strlen(l), T0, &s, &produced, &err) == VG_ERR_PARSE);
    ops->destroy(st);
}

/* Feed a NUL-terminated line; returns the result. */
static vg_err feed(const vg_parser_ops *ops, void *st, const char *line, vg_time_us received,
                   vg_sample *s, bool *produced, vg_errinfo *err)
{
    return ops->parse_line(st, line, strlen(line), received, s, produced, err);
}

static void test_sbe_values_and_fix(void)
{
    const vg_parser_ops *ops = vg_parser_find("sbe45_nmea");
    vg_ingest_cfg cfg = sbe_cfg();
    void *st;
    vg_errinfo err;
    CHECK(ops->create(&cfg, &st, &err) == VG_OK);
    vg_sample s;
    bool produced = true;
    const vg_time_us R = 1700000000 * VG_US_PER_S; /* reception time, far from the prefixes */

    /* no fix yet: a sample without position */
    const char *l = PFX "21.8054,  5.17647,  36.5878, 1528.105";
    CHECK(feed(ops, st, l, R, &s, &produced, &err) == VG_OK && produced);
    CHECK_STR(s.platform, "NBP");
    CHECK(s.time == T0 && s.received == R && s.raw == l && s.raw_len == strlen(l));
    CHECK(isnan(s.lat_deg) && isnan(s.lon_deg));
    CHECK(s.present == (VG_PARAM_BIT(VG_P_SSJT) | VG_PARAM_BIT(VG_P_CNDC) |
                        VG_PARAM_BIT(VG_P_SSPS) | VG_PARAM_BIT(VG_P_SVEL)));
    CHECK(s.value[VG_P_SSJT] == 21.8054 && s.value[VG_P_CNDC] == 5.17647 &&
          s.value[VG_P_SSPS] == 36.5878 && s.value[VG_P_SVEL] == 1528.105);

    /* RMC at 00:00:01.522 (prefix), then the TSG line of 00:00:01.873 */
    CHECK(feed(ops, st, "2014-08-01T00:00:01.522000Z " RMC1, R, &s, &produced, &err) == VG_OK &&
          !produced);
    CHECK(feed(ops, st, l, R, &s, &produced, &err) == VG_OK && produced);
    CHECK_NEAR(s.lat_deg, -(22 + 0.113054 / 60), 1e-12);
    CHECK_NEAR(s.lon_deg, -(17 + 56.360985 / 60), 1e-12);
    CHECK(vg_sample_has(&s, VG_P_SPDC) && s.value[VG_P_SPDC] == 9.5);
    CHECK(vg_sample_has(&s, VG_P_HCRS) && s.value[VG_P_HCRS] == 213.80);

    /* 10 s later: still merged (limit inclusive); 10.001 s later: not */
    CHECK(feed(ops, st, "2014-08-01T00:00:11.522000Z 21.8, 5.1, 36.5, 1528.1", R, &s, &produced,
               &err) == VG_OK);
    CHECK(!isnan(s.lat_deg) && vg_sample_has(&s, VG_P_SPDC));
    CHECK(feed(ops, st, "2014-08-01T00:00:11.523000Z 21.8, 5.1, 36.5, 1528.1", R, &s, &produced,
               &err) == VG_OK && produced);
    CHECK(isnan(s.lat_deg) && isnan(s.lon_deg) && !vg_sample_has(&s, VG_P_SPDC) &&
          !vg_sample_has(&s, VG_P_HCRS));

    /* a GGA moves the position but brings no speed: the RMC's is too old now */
    CHECK(feed(ops, st,
               "2014-08-01T00:00:20Z $GNGGA,000020.00,4530.5,N,00130.25,E,2,12,0.7,-3.05,M,4.67,M,,",
               R, &s, &produced, &err) == VG_OK && !produced);
    CHECK(feed(ops, st, "2014-08-01T00:00:21Z t1= 21.8054, c1= 5.17647, s= 36.5878, t2= 21.7652",
               R, &s, &produced, &err) == VG_OK && produced);
    CHECK_NEAR(s.lat_deg, 45.508333333333333, 1e-12);
    CHECK_NEAR(s.lon_deg, 1.5041666666666667, 1e-12);
    CHECK(!vg_sample_has(&s, VG_P_SPDC));
    CHECK(s.present == (VG_PARAM_BIT(VG_P_SSJT) | VG_PARAM_BIT(VG_P_CNDC) |
                        VG_PARAM_BIT(VG_P_SSPS) | VG_PARAM_BIT(VG_P_SSTP)));
    CHECK(s.value[VG_P_SSTP] == 21.7652 && s.value[VG_P_SSPS] == 36.5878);

    /* invalid fixes (RMC V, GGA quality 0) and errors do not update the fix */
    CHECK(feed(ops, st, "2014-08-01T00:00:25Z $GPRMC,000025,V,1000.0,N,01000.0,E,1,1,010814,,,N",
               R, &s, &produced, &err) == VG_OK && !produced);
    CHECK(feed(ops, st,
               "2014-08-01T00:00:25Z $GPGGA,000025,1000.0,N,01000.0,E,0,00,99.99,,,,,,",
               R, &s, &produced, &err) == VG_OK && !produced);
    CHECK(feed(ops, st, "2014-08-01T00:00:25Z " "$INGGA,000001.16,1000.0,N,01000.0,E,1,12,0.7,-3.05,M,4.67,M,,*00",
               R, &s, &produced, &err) == VG_ERR_CHECKSUM);
    CHECK(feed(ops, st, "2014-08-01T00:00:26Z 21.8, 5.1, 36.5, 1528.1", R, &s, &produced,
               &err) == VG_OK);
    CHECK_NEAR(s.lat_deg, 45.508333333333333, 1e-12);
    CHECK(feed(ops, st, "2014-08-01T00:00:31Z 21.8, 5.1, 36.5, 1528.1", R, &s, &produced,
               &err) == VG_OK);
    CHECK(isnan(s.lat_deg)); /* the GGA of :20 is 11 s old */

    /* without a prefix the reception time stamps both the fix and the sample */
    CHECK(feed(ops, st, GGA1, R, &s, &produced, &err) == VG_OK && !produced);
    CHECK(feed(ops, st, "21.8, 5.1, 36.5, 1528.1", R + 3 * VG_US_PER_S, &s, &produced, &err) ==
          VG_OK);
    CHECK(s.time == R + 3 * VG_US_PER_S && s.received == s.time);
    CHECK_NEAR(s.lat_deg, -(22 + 0.113054 / 60), 1e-12);
    ops->destroy(st);
}

static void test_nmea_split(void)
{
    vg_nmea_sentence ns;
    vg_errinfo err;
    const char *s = RMC1;
    CHECK(vg_nmea_split(s, strlen(s), &ns, &err) == VG_OK);
    CHECK(ns.has_checksum && !ns.proprietary && ns.n == 13);
    CHECK_STR(ns.talker, "IN");
    CHECK_STR(ns.type, "RMC");
    CHECK(ns.f[1].len == 9 && memcmp(ns.f[1].s, "000001.16", 9) == 0);
    CHECK(ns.f[12].len == 1 && ns.f[12].s[0] == 'A');
    vg_nmea_fix fix;
    CHECK(vg_nmea_parse_rmc(&ns, &fix, &err) == VG_OK && fix.valid);
    CHECK(fix.time == INT64_C(1406851201160000) && fix.tod_us == 1160000);
    CHECK(fix.speed_kn == 9.5 && fix.course_deg == 213.8);

    s = "$PSXN,20,1,0,0,0*3A";
    CHECK(vg_nmea_split(s, strlen(s), &ns, &err) == VG_OK && ns.proprietary && ns.n == 6);
    CHECK_STR(ns.type, "PSXN");
    s = "$GPHDT,,T"; /* empty fields, no checksum */
    CHECK(vg_nmea_split(s, strlen(s), &ns, &err) == VG_OK && !ns.has_checksum && ns.n == 3);
    CHECK(ns.f[1].len == 0);
    s = "$GPZDA,000000.17,01,08,2014,,*6e"; /* lower-case hex */
    CHECK(vg_nmea_split(s, strlen(s), &ns, &err) == VG_OK && ns.has_checksum);
    /* field limit */
    char many[200] = "$GPXXX";
    for (int k = 0; k < VG_NMEA_MAX_FIELDS; k++)
        strcat(many, ",1");
    CHECK(vg_nmea_split(many, strlen(many), &ns, &err) == VG_ERR_PARSE);
    many[strlen(many) - 2] = 0;
    CHECK(vg_nmea_split(many, strlen(many), &ns, &err) == VG_OK && ns.n == VG_NMEA_MAX_FIELDS);

    double v;
    CHECK(vg_nmea_decimal("-2.76", 5, &v) == VG_OK && v == -2.76);
    CHECK(vg_nmea_decimal("", 0, &v) == VG_ERR_PARSE);
    CHECK(vg_nmea_decimal("1e3", 3, &v) == VG_ERR_PARSE);
    CHECK(vg_nmea_decimal(" 1", 2, &v) == VG_ERR_PARSE);
}

/* ---- real data: NBP1406 tsg1 + s330 ------------------------------------------------- */

typedef struct dline {
    const char *s;
    size_t len;
    vg_time_us t;
    int is_tsg;
} dline;

/* Read a whole file, split it into lines stamped with their prefix time. */
static char *load_lines(const char *path, int is_tsg, dline **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    size_t cap = 1024;
    *out = malloc(cap * sizeof **out);
    *n = 0;
    for (char *p = buf, *end = buf + sz; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl ? nl : end;
        if (eol > p) {
            if (*n == cap)
                *out = realloc(*out, (cap *= 2) * sizeof **out);
            dline *d = &(*out)[(*n)++];
            d->s = p;
            d->len = (size_t)(eol - p);
            d->is_tsg = is_tsg;
            d->t = VG_TIME_NONE;
            vg_time_parse_iso8601(p, d->len, &d->t, NULL, NULL);
        }
        p = nl ? nl + 1 : end;
    }
    return buf;
}

static void test_real_data(void)
{
    const char *dir = check_shared_data();
    if (!dir)
        return;
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s/tsg_nbp1406/NBP1406_tsg1-2014-08-01", dir);
    snprintf(p2, sizeof p2, "%s/tsg_nbp1406/NBP1406_s330-2014-08-01", dir);
    dline *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    char *ba = load_lines(p1, 1, &a, &na), *bb = load_lines(p2, 0, &b, &nb);
    CHECK(ba && bb && na == 5000 && nb == 5000);
    if (!ba || !bb) {
        free(ba), free(bb), free(a), free(b);
        return;
    }
    /* merge by prefix time, NMEA first on a tie */
    dline *m = malloc((na + nb) * sizeof *m);
    size_t i = 0, j = 0, k = 0;
    while (i < na || j < nb)
        m[k++] = (j < nb && (i >= na || b[j].t <= a[i].t)) ? b[j++] : a[i++];

    const vg_parser_ops *ops = vg_parser_find("sbe45_nmea");
    vg_ingest_cfg cfg = sbe_cfg();
    void *st;
    vg_errinfo err;
    CHECK(ops->create(&cfg, &st, &err) == VG_OK);
    size_t samples = 0, errors = 0, with_pos = 0, tsg = 0;
    vg_time_us last_nmea = 0, first_without_pos_after = VG_TIME_NONE;
    bool positions_ok = true;
    const vg_time_us received = vg_time_now();
    for (k = 0; k < na + nb; k++) {
        vg_sample s;
        bool produced = false;
        vg_err rc = ops->parse_line(st, m[k].s, m[k].len, received, &s, &produced, &err);
        if (rc != VG_OK) {
            if (errors++ < 5)
                fprintf(stderr, "real data line %zu: %s: %s\n", k, vg_err_name(rc), err.text);
            continue;
        }
        tsg += (size_t)m[k].is_tsg;
        if (!m[k].is_tsg) {
            CHECK(!produced);
            last_nmea = m[k].t;
            continue;
        }
        if (!produced)
            continue;
        samples++;
        if (samples == 1) {
            CHECK(s.time == T0);
            CHECK_NEAR(s.lat_deg, -22.0018, 1e-4);
            CHECK_NEAR(s.lon_deg, -17.9393, 1e-4);
            CHECK_NEAR(s.lat_deg, -(22 + 0.113054 / 60), 1e-9); /* the fix of 00:00:01.16 */
            CHECK_NEAR(s.lon_deg, -(17 + 56.360985 / 60), 1e-9);
            CHECK(s.value[VG_P_SSJT] == 21.8054 && s.value[VG_P_CNDC] == 5.17647 &&
                  s.value[VG_P_SSPS] == 36.5878 && s.value[VG_P_SVEL] == 1528.105);
            CHECK(s.value[VG_P_SPDC] == 9.5 && s.value[VG_P_HCRS] == 213.80);
        }
        if (!isnan(s.lat_deg)) {
            with_pos++;
            positions_ok = positions_ok && s.lat_deg < -21.9 && s.lat_deg > -22.1 &&
                           s.lon_deg < -17.9 && s.lon_deg > -18.0;
        } else if (first_without_pos_after == VG_TIME_NONE) {
            first_without_pos_after = s.time - last_nmea;
        }
    }
    CHECK_MSG(errors == 0, "%zu errors", errors);
    CHECK_MSG(samples == na && tsg == na, "%zu samples of %zu TSG lines", samples, na);
    CHECK(positions_ok);
    /* s330 covers about the first 10 min 25 s: about 312 TSG lines at 2 s */
    CHECK_MSG(with_pos > 300 && with_pos < 320, "%zu samples with a position", with_pos);
    CHECK(first_without_pos_after > 10 * VG_US_PER_S);

    /* throughput of the parser alone, for information */
    int64_t t0 = vg_time_mono_us();
    size_t lines = 0;
    for (int rep = 0; rep < 20; rep++)
        for (k = 0; k < na + nb; k++, lines++) {
            vg_sample s;
            bool produced;
            ops->parse_line(st, m[k].s, m[k].len, received, &s, &produced, &err);
        }
    double dt = (double)(vg_time_mono_us() - t0) / 1e6;
    printf("sbe45_nmea: %zu lines in %.3f s (%.0f lines/s, this build)\n", lines, dt,
           (double)lines / dt);

    ops->destroy(st);
    free(m), free(a), free(b), free(ba), free(bb);
}

int main(void)
{
    test_registry();
    test_json_table();
    test_json_values();
    test_sbe_table();
    test_sbe_create();
    test_sbe_values_and_fix();
    test_nmea_split();
    test_real_data();
    return check_summary();
}
