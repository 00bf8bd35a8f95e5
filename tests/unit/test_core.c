/* test_core.c: the core model: time parsing and formatting (ISO 8601, NMEA) on tables of
 * valid and invalid inputs, civil-date arithmetic, the parameter table, platform ids, the
 * sample defaults and the error enum. */
#include <math.h>

#include "check.h"
#include "core/error.h"
#include "core/params.h"
#include "core/sample.h"
#include "core/time.h"

static void test_iso8601(void)
{
    static const struct {
        const char *in;
        int ok;
        long long want_s; /* POSIX seconds */
        int usec;
        size_t used;      /* 0: whole string */
    } cases[] = {
        {"1970-01-01T00:00:00Z", 1, 0, 0, 0},
        {"2014-08-01T00:00:01.873000Z", 1, 1406851201, 873000, 0},
        {"2014-08-01T00:00:01.873Z 21.8054, 5.1", 1, 1406851201, 873000, 24},
        {"2014-08-01 00:00:01", 1, 1406851201, 0, 0},
        {"20140801T000001Z", 1, 1406851201, 0, 0},
        {"2014-08-01T02:00:01+02:00", 1, 1406851201, 0, 0},
        {"2014-08-01T02:00:01+0200", 1, 1406851201, 0, 0},
        {"2014-07-31T22:00:01-02", 1, 1406851201, 0, 0},
        {"2014-08-01", 1, 1406851200, 0, 0},
        {"2014-08-01T00:00", 1, 1406851200, 0, 0},
        {"2000-02-29T12:00:00Z", 1, 951825600, 0, 0},
        {"2026-01-15T00:00:00.123456789Z", 1, 1768435200, 123456, 0},
        {"1950-01-01T00:00:00Z", 1, -631152000, 0, 0},
        {"2016-12-31T23:59:60Z", 1, 1483228800, 0, 0}, /* leap second folded */
        {"2014-08-01 21.8, 5.1", 1, 1406851200, 0, 10}, /* a date, then data */
        {"2014-02-29T00:00:00Z", 0, 0, 0, 0},
        {"2014-13-01T00:00:00Z", 0, 0, 0, 0},
        {"2014-00-01T00:00:00Z", 0, 0, 0, 0},
        {"2014-08-32T00:00:00Z", 0, 0, 0, 0},
        {"2014-08-01T24:00:00Z", 0, 0, 0, 0},
        {"2014-08-01T23:60:00Z", 0, 0, 0, 0},
        {"2014-08-01T23:00:61Z", 0, 0, 0, 0},
        {"2014-08-01T23:00:00.Z", 0, 0, 0, 0},
        {"2014-08-01T23:00:00+05:", 0, 0, 0, 0},
        {"2014-08-01T23:00:00+25:00", 0, 0, 0, 0},
        {"14-08-01T00:00:00Z", 0, 0, 0, 0},
        {"", 0, 0, 0, 0},
        {"garbage", 0, 0, 0, 0},
        {"1899-12-31T00:00:00Z", 0, 0, 0, 0},
        {"2200-01-01T00:00:00Z", 0, 0, 0, 0},
        {"2014-08-01T0", 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_time_us t = 0;
        size_t used = 0;
        vg_errinfo err = {0};
        size_t len = strlen(cases[i].in);
        vg_err rc = vg_time_parse_iso8601(cases[i].in, len, &t, &used, &err);
        if (cases[i].ok) {
            CHECK_MSG(rc == VG_OK, "'%s': %s", cases[i].in, err.text);
            CHECK_MSG(t == cases[i].want_s * VG_US_PER_S + cases[i].usec, "'%s': got %lld",
                      cases[i].in, (long long)t);
            CHECK_MSG(used == (cases[i].used ? cases[i].used : len), "'%s': used %zu", cases[i].in,
                      used);
        } else {
            CHECK_MSG(rc == VG_ERR_PARSE || rc == VG_ERR_RANGE, "'%s' accepted", cases[i].in);
            CHECK_MSG(err.text[0] != 0, "'%s': no reason given", cases[i].in);
        }
    }
}

static void test_format(void)
{
    char buf[VG_TIME_ISO_LEN];
    CHECK_STR(vg_time_format_iso8601(1406851201 * VG_US_PER_S, buf), "2014-08-01T00:00:01Z");
    CHECK_STR(vg_time_format_iso8601(1406851201 * VG_US_PER_S + 873000, buf),
              "2014-08-01T00:00:01.873Z");
    CHECK_STR(vg_time_format_iso8601(1406851201 * VG_US_PER_S + 873001, buf),
              "2014-08-01T00:00:01.873001Z");
    CHECK_STR(vg_time_format_iso8601(-1, buf), "1969-12-31T23:59:59.999999Z");
    CHECK_STR(vg_time_format_iso8601(VG_TIME_NONE, buf), "none");
    /* round trip over a range of times, including before 1970 */
    int ok = 1;
    for (vg_time_us t = -2208988800LL * VG_US_PER_S; t < 4102444800LL * VG_US_PER_S;
         t += 86399LL * 997 * VG_US_PER_S + 12345) {
        vg_time_us back;
        vg_time_format_iso8601(t, buf);
        ok &= vg_time_parse_iso8601(buf, strlen(buf), &back, NULL, NULL) == VG_OK && back == t;
    }
    CHECK(ok);
    int y, mo, d, h, mi, s, us;
    vg_time_to_fields(951825600 * VG_US_PER_S + 5, &y, &mo, &d, &h, &mi, &s, &us);
    CHECK(y == 2000 && mo == 2 && d == 29 && h == 12 && mi == 0 && s == 0 && us == 5);
    CHECK(vg_days_from_civil(1970, 1, 1) == 0);
    CHECK(vg_days_from_civil(1950, 1, 1) == -7305);
}

static void test_nmea_time(void)
{
    vg_time_us t;
    vg_errinfo err;
    CHECK(vg_time_from_nmea("000000.16", 9, "010814", 6, &t, &err) == VG_OK);
    CHECK(t == 1406851200 * VG_US_PER_S + 160000);
    CHECK(vg_time_from_nmea("235959", 6, "311299", 6, &t, &err) == VG_OK);
    CHECK(t == 946684799 * VG_US_PER_S); /* 99 -> 1999 */
    CHECK(vg_time_from_nmea("120000", 6, "290224", 6, &t, &err) == VG_OK); /* 2024 leap day */
    CHECK(vg_time_from_nmea("120000", 6, "290223", 6, &t, &err) == VG_ERR_RANGE);
    CHECK(vg_time_from_nmea("250000", 6, "010814", 6, &t, &err) == VG_ERR_RANGE);
    CHECK(vg_time_from_nmea("12000", 5, "010814", 6, &t, &err) == VG_ERR_PARSE);
    CHECK(vg_time_from_nmea("120000", 6, "0108", 4, &t, &err) == VG_ERR_PARSE);
    CHECK(vg_time_from_nmea("12a000", 6, "010814", 6, &t, &err) == VG_ERR_PARSE);
    int64_t tod;
    CHECK(vg_time_nmea_time_of_day("123456.5", 8, &tod, &err) == VG_OK &&
          tod == (12 * 3600 + 34 * 60 + 56) * VG_US_PER_S + 500000);
}

static void test_model(void)
{
    CHECK(vg_param_lookup("SSJT", 4) == VG_P_SSJT);
    CHECK(vg_param_lookup("SSJ", 3) == -1);
    CHECK(vg_param_lookup("ssjt", 4) == -1);
    CHECK(vg_param_lookup("SSJTX", 5) == -1);
    for (int p = 0; p < VG_P__COUNT; p++) {
        const vg_param_info *pi = vg_param_get((vg_param)p);
        CHECK(pi && pi->code && pi->units && pi->long_name);
        CHECK(strlen(pi->code) == 4); /* vg_param_lookup and the store's records rely on it */
        CHECK(vg_param_lookup(pi->code, strlen(pi->code)) == p);
    }
    CHECK(vg_param_get(VG_P__COUNT) == NULL);
    CHECK(VG_P__COUNT <= 32); /* parameter sets are uint32_t bit masks */
    vg_sample s;
    vg_sample_init(&s);
    CHECK(isnan(s.lat_deg) && isnan(s.lon_deg) && isnan(s.value[VG_P_SLEV]));
    CHECK(s.present == 0 && s.time == VG_TIME_NONE && s.qc[0].agg == 0);
    vg_sample_set(&s, VG_P_SLEV, 1.5);
    CHECK(vg_sample_has(&s, VG_P_SLEV) && !vg_sample_has(&s, VG_P_SSJT));
    static const struct { const char *id; int ok; } ids[] = {
        {"NBP", 1}, {"FNFP_2014.a-b", 1}, {"", 0}, {"has space", 0}, {"a/b", 0},
        {"0123456789012345678901234567890", 1}, {"01234567890123456789012345678901", 0},
        {"caf\xc3\xa9", 0},
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        CHECK_MSG(vg_sample_set_platform(&s, ids[i].id, strlen(ids[i].id)) == ids[i].ok, "'%s'",
                  ids[i].id);
        CHECK(ids[i].ok ? strcmp(s.platform, ids[i].id) == 0 : s.platform[0] == 0);
    }
    for (int e = 0; e < VG_ERR__COUNT; e++) {
        CHECK(vg_strerror((vg_err)e)[0] != 0);
        CHECK(strcmp(vg_err_name((vg_err)e), "unknown") != 0);
        for (int f = 0; f < e; f++)
            CHECK(strcmp(vg_err_name((vg_err)e), vg_err_name((vg_err)f)) != 0);
    }
    CHECK_STR(vg_strerror(VG_ERR__COUNT), "unknown error");
    vg_errinfo err;
    CHECK(vg_fail(&err, VG_ERR_PARSE, "line %d: %s", 3, "bad") == VG_ERR_PARSE);
    CHECK_STR(err.text, "line 3: bad");
    CHECK(vg_fail(NULL, VG_ERR_IO, "x") == VG_ERR_IO);
}

int main(void)
{
    test_iso8601();
    test_format();
    test_nmea_time();
    test_model();
    return check_summary();
}
