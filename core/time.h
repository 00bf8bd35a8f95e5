/* time.h: the engine's time, UTC microseconds since 1970-01-01T00:00:00Z (POSIX time, no
 * leap seconds), and its parsing from ISO 8601 and NMEA 0183 fields. Epoch offsets of file
 * formats (days since 1950, ...) are converted at the format boundary, never here. */
#ifndef VIGIE_CORE_TIME_H
#define VIGIE_CORE_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef int64_t vg_time_us; /* UTC microseconds since 1970-01-01T00:00:00Z */

#define VG_TIME_NONE INT64_MIN /* "no time" */
#define VG_US_PER_S INT64_C(1000000)

/* Years accepted by every parser: 1900..2199. A year beyond is VG_ERR_RANGE. */
#define VG_TIME_YEAR_MIN 1900
#define VG_TIME_YEAR_MAX 2199

/* Current wall-clock time (CLOCK_REALTIME). */
vg_time_us vg_time_now(void);

/* Monotonic clock in microseconds, for time-outs and benchmarks (not a date). */
int64_t vg_time_mono_us(void);

/* Build a time from broken-down UTC fields. Checks every field (month 1-12, day valid in
 * that month including leap years, hour 0-23, minute 0-59, second 0-60 where 60 is folded
 * onto the next minute's 0, usec 0-999999, year in [VG_TIME_YEAR_MIN, VG_TIME_YEAR_MAX]).
 * Returns VG_ERR_RANGE naming the field when one is invalid. */
vg_err vg_time_from_fields(int year, int month, int day, int hour, int minute, int second,
                           int usec, vg_time_us *out, vg_errinfo *err);

/* Parse an ISO 8601 date-time at the start of s[0..len): extended "YYYY-MM-DDThh:mm:ss" or
 * basic "YYYYMMDDThhmmss", 'T' or one space as separator, optional fraction of a second
 * ('.' or ',', up to 9 digits, rounded down to microseconds), and an optional zone "Z",
 * "+hh:mm", "+hhmm" or "+hh" (converted to UTC). Without a zone the time is taken as UTC.
 * A date alone ("YYYY-MM-DD") is midnight UTC. *consumed (may be NULL) gets the number of
 * bytes used. Errors: VG_ERR_PARSE (syntax) or VG_ERR_RANGE (a field out of range). */
vg_err vg_time_parse_iso8601(const char *s, size_t len, vg_time_us *out, size_t *consumed,
                             vg_errinfo *err);

/* Format t as "YYYY-MM-DDThh:mm:ss[.fff|.ffffff]Z" into buf (at least VG_TIME_ISO_LEN bytes):
 * no fraction when t is a whole second, milliseconds when it is a whole millisecond,
 * microseconds otherwise. Returns buf. VG_TIME_NONE formats as "none". */
#define VG_TIME_ISO_LEN 32
char *vg_time_format_iso8601(vg_time_us t, char *buf);

/* NMEA 0183 time fields: hhmmss[.sss] and date ddmmyy (years 00-79 -> 20xx, 80-99 -> 19xx,
 * as in gpsd). Either field may be empty only if the caller handles it: both are required
 * here. */
vg_err vg_time_from_nmea(const char *hhmmss, size_t tlen, const char *ddmmyy, size_t dlen,
                         vg_time_us *out, vg_errinfo *err);

/* Seconds of day (0 <= s < 86400) parsed from an NMEA hhmmss[.sss] field, in microseconds. */
vg_err vg_time_nmea_time_of_day(const char *hhmmss, size_t len, int64_t *us_of_day,
                                vg_errinfo *err);

/* Split t into civil UTC fields (any field pointer may be NULL). */
void vg_time_to_fields(vg_time_us t, int *year, int *month, int *day, int *hour, int *minute,
                       int *second, int *usec);

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian). */
int64_t vg_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
