/* time.c: UTC time arithmetic (Howard Hinnant's civil-date algorithms, no time zone or
 * locale involved) and the ISO 8601 and NMEA parsers of time.h. */
#include "core/time.h"

#include <stdio.h>
#include <time.h>

vg_time_us vg_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (vg_time_us)ts.tv_sec * VG_US_PER_S + ts.tv_nsec / 1000;
}

int64_t vg_time_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * VG_US_PER_S + ts.tv_nsec / 1000;
}

int64_t vg_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)((int64_t)yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

vg_err vg_time_from_fields(int year, int month, int day, int hour, int minute, int second,
                           int usec, vg_time_us *out, vg_errinfo *err)
{
    if (year < VG_TIME_YEAR_MIN || year > VG_TIME_YEAR_MAX)
        return vg_fail(err, VG_ERR_RANGE, "year %d outside %d-%d", year, VG_TIME_YEAR_MIN,
                       VG_TIME_YEAR_MAX);
    if (month < 1 || month > 12)
        return vg_fail(err, VG_ERR_RANGE, "month %d outside 1-12", month);
    if (day < 1 || day > days_in_month(year, month))
        return vg_fail(err, VG_ERR_RANGE, "day %d invalid in %04d-%02d", day, year, month);
    if (hour < 0 || hour > 23)
        return vg_fail(err, VG_ERR_RANGE, "hour %d outside 0-23", hour);
    if (minute < 0 || minute > 59)
        return vg_fail(err, VG_ERR_RANGE, "minute %d outside 0-59", minute);
    if (second < 0 || second > 60)
        return vg_fail(err, VG_ERR_RANGE, "second %d outside 0-60", second);
    if (usec < 0 || usec > 999999)
        return vg_fail(err, VG_ERR_RANGE, "microseconds %d outside 0-999999", usec);
    int64_t days = vg_days_from_civil(year, (unsigned)month, (unsigned)day);
    int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second;
    *out = secs * VG_US_PER_S + usec;
    return VG_OK;
}

void vg_time_to_fields(vg_time_us t, int *year, int *month, int *day, int *hour, int *minute,
                       int *second, int *usec)
{
    int64_t secs = t / VG_US_PER_S;
    int64_t us = t % VG_US_PER_S;
    if (us < 0) {
        us += VG_US_PER_S;
        secs -= 1;
    }
    int64_t days = secs / 86400;
    int64_t sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days -= 1;
    }
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (year) *year = y;
    if (month) *month = m;
    if (day) *day = d;
    if (hour) *hour = (int)(sod / 3600);
    if (minute) *minute = (int)(sod / 60 % 60);
    if (second) *second = (int)(sod % 60);
    if (usec) *usec = (int)us;
}

/* Read exactly n decimal digits at s[*i]; -1 if not all digits or input too short. */
static int digits(const char *s, size_t len, size_t *i, int n)
{
    int v = 0;
    if (*i + (size_t)n > len)
        return -1;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    return v;
}

/* Fraction after '.' or ',': up to 9 digits, truncated to microseconds. */
static int fraction_us(const char *s, size_t len, size_t *i)
{
    int us = 0, n = 0;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        if (n < 6)
            us = us * 10 + (s[*i] - '0');
        n++;
        (*i)++;
    }
    if (n == 0 || n > 9)
        return -1;
    for (; n < 6; n++)
        us *= 10;
    return us;
}

vg_err vg_time_parse_iso8601(const char *s, size_t len, vg_time_us *out, size_t *consumed,
                             vg_errinfo *err)
{
    size_t i = 0;
    int y = digits(s, len, &i, 4);
    if (y < 0)
        return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: expected a 4-digit year");
    int extended = i < len && s[i] == '-';
    if (extended)
        i++;
    int mo = digits(s, len, &i, 2);
    if (mo < 0 || (extended && (i >= len || s[i++] != '-')))
        return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: expected a 2-digit month");
    int d = digits(s, len, &i, 2);
    if (d < 0)
        return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: expected a 2-digit day");
    int h = 0, mi = 0, se = 0, us = 0;
    int64_t offset_s = 0;
    /* A space separates date and time only before "hh:" (extended form), so that a date
     * followed by a space and a number ("2014-08-01 21.8, ...") is not read as a time. */
    int space_time = extended && i + 3 < len && s[i] == ' ' && s[i + 1] >= '0' &&
                     s[i + 1] <= '9' && s[i + 2] >= '0' && s[i + 2] <= '9' && s[i + 3] == ':';
    if (i < len && (s[i] == 'T' || space_time)) {
        i++;
        h = digits(s, len, &i, 2);
        if (h < 0)
            return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: expected 2-digit hours");
        if (extended && (i >= len || s[i++] != ':'))
            return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: expected ':' after hours");
        mi = digits(s, len, &i, 2);
        if (mi < 0)
            return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: expected 2-digit minutes");
        if (i < len && (s[i] == ':' || (!extended && s[i] >= '0' && s[i] <= '9'))) {
            if (extended && s[i] == ':')
                i++;
            se = digits(s, len, &i, 2);
            if (se < 0)
                return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: expected 2-digit seconds");
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                i++;
                us = fraction_us(s, len, &i);
                if (us < 0)
                    return vg_fail(err, VG_ERR_PARSE,
                                   "ISO 8601 time: fraction of second needs 1-9 digits");
            }
        }
        if (i < len && s[i] == 'Z') {
            i++;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i] == '-' ? -1 : 1;
            i++;
            int oh = digits(s, len, &i, 2), om = 0;
            if (oh < 0)
                return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: bad zone offset");
            if (i < len && s[i] == ':') {
                i++;
                if (i >= len || s[i] < '0' || s[i] > '9')
                    return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: zone offset needs minutes after ':'");
            }
            if (i < len && s[i] >= '0' && s[i] <= '9') {
                om = digits(s, len, &i, 2);
                if (om < 0)
                    return vg_fail(err, VG_ERR_PARSE, "ISO 8601 time: bad zone offset");
            }
            if (oh > 23 || om > 59)
                return vg_fail(err, VG_ERR_RANGE, "ISO 8601 time: zone offset out of range");
            offset_s = sign * (oh * 3600 + om * 60);
        }
    }
    vg_err rc = vg_time_from_fields(y, mo, d, h, mi, se, us, out, err);
    if (rc != VG_OK)
        return rc;
    *out -= offset_s * VG_US_PER_S;
    if (consumed)
        *consumed = i;
    return VG_OK;
}

char *vg_time_format_iso8601(vg_time_us t, char *buf)
{
    if (t == VG_TIME_NONE) {
        buf[0] = 'n', buf[1] = 'o', buf[2] = 'n', buf[3] = 'e', buf[4] = 0;
        return buf;
    }
    int y, mo, d, h, mi, s, us;
    vg_time_to_fields(t, &y, &mo, &d, &h, &mi, &s, &us);
    int n = snprintf(buf, VG_TIME_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
    if (us % 1000000 == 0)
        snprintf(buf + n, (size_t)(VG_TIME_ISO_LEN - n), "Z");
    else if (us % 1000 == 0)
        snprintf(buf + n, (size_t)(VG_TIME_ISO_LEN - n), ".%03dZ", us / 1000);
    else
        snprintf(buf + n, (size_t)(VG_TIME_ISO_LEN - n), ".%06dZ", us);
    return buf;
}

vg_err vg_time_nmea_time_of_day(const char *f, size_t len, int64_t *us_of_day, vg_errinfo *err)
{
    size_t i = 0;
    int h = digits(f, len, &i, 2), m = digits(f, len, &i, 2), s = digits(f, len, &i, 2);
    int us = 0;
    if (h < 0 || m < 0 || s < 0)
        return vg_fail(err, VG_ERR_PARSE, "NMEA time '%.*s': expected hhmmss[.sss]",
                       (int)(len > 16 ? 16 : len), f);
    if (i < len && f[i] == '.') {
        i++;
        us = i < len ? fraction_us(f, len, &i) : 0;
        if (us < 0)
            return vg_fail(err, VG_ERR_PARSE, "NMEA time: bad fraction of second");
    }
    if (i != len)
        return vg_fail(err, VG_ERR_PARSE, "NMEA time: trailing characters");
    if (h > 23 || m > 59 || s > 60)
        return vg_fail(err, VG_ERR_RANGE, "NMEA time %02d:%02d:%02d out of range", h, m, s);
    *us_of_day = ((int64_t)h * 3600 + m * 60 + s) * VG_US_PER_S + us;
    return VG_OK;
}

vg_err vg_time_from_nmea(const char *hhmmss, size_t tlen, const char *ddmmyy, size_t dlen,
                         vg_time_us *out, vg_errinfo *err)
{
    int64_t tod;
    vg_err rc = vg_time_nmea_time_of_day(hhmmss, tlen, &tod, err);
    if (rc != VG_OK)
        return rc;
    size_t i = 0;
    int d = digits(ddmmyy, dlen, &i, 2), m = digits(ddmmyy, dlen, &i, 2),
        y = digits(ddmmyy, dlen, &i, 2);
    if (d < 0 || m < 0 || y < 0 || i != dlen)
        return vg_fail(err, VG_ERR_PARSE, "NMEA date: expected ddmmyy");
    y += y < 80 ? 2000 : 1900;
    vg_time_us day0;
    rc = vg_time_from_fields(y, m, d, 0, 0, 0, 0, &day0, err);
    if (rc != VG_OK)
        return rc;
    *out = day0 + tod;
    return VG_OK;
}
