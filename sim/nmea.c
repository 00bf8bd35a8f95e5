/* nmea.c: the simulated GPS: $GPGGA and $GPRMC sentences (NMEA 0183 v2.3) with valid
 * checksums, positions in ddmm.mmmm / dddmm.mmmm and times in hhmmss.ss, as a shipboard
 * GPS writes them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim_internal.h"

unsigned vg_sim__nmea_checksum(const char *s, size_t len)
{
    unsigned x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= (unsigned char)s[i];
    return x;
}

/* "ddmm.mmmm,H" (width 2 or 3 for the degrees) of an angle; rounds the minutes first so
 * that 59.99996' becomes the next degree, never "60.0000". */
static int sim__angle(char *buf, size_t cap, double deg, int deg_width, char pos, char neg)
{
    char hemi = deg < 0 ? neg : pos;
    long long tenk_min = llround(fabs(deg) * 60.0 * 10000.0); /* 1e-4 minutes */
    long long d = tenk_min / 600000, rem = tenk_min % 600000;
    return snprintf(buf, cap, "%0*lld%02lld.%04lld,%c", deg_width, d, rem / 10000, rem % 10000,
                    hemi);
}

static void sim__hhmmss(char *buf, size_t cap, vg_time_us t)
{
    int h, m, s, us;
    vg_time_to_fields(t, NULL, NULL, NULL, &h, &m, &s, &us);
    snprintf(buf, cap, "%02d%02d%02d.%02d", h, m, s, us / 10000);
}

/* Append "*hh" to the sentence in buf (starting with '$'); returns the final length or 0. */
static size_t sim__finish(char *buf, size_t cap, int n)
{
    if (n < 1 || (size_t)n + 4 >= cap)
        return 0;
    unsigned cs = vg_sim__nmea_checksum(buf + 1, (size_t)n - 1);
    int m = snprintf(buf + n, cap - (size_t)n, "*%02X", cs);
    return (size_t)n + (size_t)m;
}

size_t vg_sim__nmea_gga(char *buf, size_t cap, vg_time_us t, double lat_deg, double lon_deg)
{
    char tm[16], la[40], lo[40];
    sim__hhmmss(tm, sizeof tm, t);
    sim__angle(la, sizeof la, lat_deg, 2, 'N', 'S');
    sim__angle(lo, sizeof lo, lon_deg, 3, 'E', 'W');
    /* fix 1 (GPS), 10 satellites, HDOP 0.9, antenna 18.4 m above the geoid, geoid 17.0 m */
    int n = snprintf(buf, cap, "$GPGGA,%s,%s,%s,1,10,0.9,18.4,M,17.0,M,,", tm, la, lo);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return sim__finish(buf, cap, n);
}

size_t vg_sim__nmea_rmc(char *buf, size_t cap, vg_time_us t, double lat_deg, double lon_deg,
                        double sog_kn, double cog_deg)
{
    char tm[16], la[40], lo[40];
    int day, mon, year;
    sim__hhmmss(tm, sizeof tm, t);
    vg_time_to_fields(t, &year, &mon, &day, NULL, NULL, NULL, NULL);
    sim__angle(la, sizeof la, lat_deg, 2, 'N', 'S');
    sim__angle(lo, sizeof lo, lon_deg, 3, 'E', 'W');
    cog_deg = fmod(cog_deg, 360.0);
    if (cog_deg < 0)
        cog_deg += 360.0;
    if (cog_deg >= 359.95)
        cog_deg = 0.0;
    int n = snprintf(buf, cap, "$GPRMC,%s,A,%s,%s,%.1f,%.1f,%02d%02d%02d,,,A", tm, la, lo,
                     sog_kn < 0 ? 0.0 : sog_kn, cog_deg, day, mon, year % 100);
    if (n < 0 || (size_t)n >= cap)
        return 0;
    return sim__finish(buf, cap, n);
}
