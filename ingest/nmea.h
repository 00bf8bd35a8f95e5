/* nmea.h: NMEA 0183 sentences for the ingest parsers: splitting a sentence into fields
 * without allocation (fields point into the caller's line), checksum verification, and the
 * two position sentences vigie uses, RMC and GGA, as gpsd reads them. Other sentences (ZDA,
 * VTG, HDT, proprietary $P...) are only split and checked. A strict decimal-field reader is
 * shared with the instrument-line parsers. */
#ifndef VIGIE_INGEST_NMEA_H
#define VIGIE_INGEST_NMEA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/time.h"

/* Most fields per sentence, the address field included; more is VG_ERR_PARSE. */
#define VG_NMEA_MAX_FIELDS 40

/* One field: s[0..len) points into the sentence (borrowed); an empty field has len 0. */
typedef struct vg_nmea_field {
    const char *s;
    size_t len;
} vg_nmea_field;

typedef struct vg_nmea_sentence {
    char talker[3];    /* two upper-case letters ("GP", "GN", "IN"); "" when proprietary */
    char type[12];     /* "RMC", "GGA"...; for a proprietary sentence its whole address ("PSXN") */
    bool proprietary;  /* the address starts with 'P' */
    bool has_checksum; /* a "*HH" was present (and matched) */
    size_t n;          /* fields, f[0] being the address ("GPRMC"); data fields are f[1..n) */
    vg_nmea_field f[VG_NMEA_MAX_FIELDS];
} vg_nmea_sentence;

/* Split the sentence s[0..len) (starting with '$', no CR/LF) into *out.
 * The checksum "*HH" (two hex digits, either case: XOR of the bytes between '$' and '*') is
 * verified when present; a sentence without one is accepted, as many instruments omit it.
 * Errors, err->text naming the field index (0 = address) and quoting the bytes:
 * VG_ERR_PARSE (no leading '$', a byte outside printable ASCII or a second '$', bad address,
 * non-hex checksum, bytes after the checksum, more than VG_NMEA_MAX_FIELDS fields),
 * VG_ERR_TRUNCATED (the sentence ends inside the address or the checksum),
 * VG_ERR_CHECKSUM ("*HH" differs from the computed XOR: both are given). */
vg_err vg_nmea_split(const char *s, size_t len, vg_nmea_sentence *out, vg_errinfo *err);

/* Read a strict decimal field f[0..len): [+-]digits[.digits] (digits on at least one side of
 * the '.'), no space, exponent, hex, "inf" or "nan". Returns VG_OK, VG_ERR_PARSE (not such a
 * number, or empty) or VG_ERR_RANGE (longer than 64 bytes). No error text: the caller names
 * the field. */
vg_err vg_nmea_decimal(const char *f, size_t len, double *out);

/* Latitude or longitude from fields f[i] (ddmm.mmmm / dddmm.mmmm, any number of fraction
 * digits) and f[i + 1] (N/S, or E/W when is_lon), to signed decimal degrees (south and west
 * negative). Errors: VG_ERR_PARSE (empty, not a number, minutes >= 60, hemisphere not N/S or
 * E/W), VG_ERR_RANGE (more than 90 / 180 degrees); err->text names field i. The caller
 * checks that both fields exist. */
vg_err vg_nmea_latlon(const vg_nmea_sentence *s, size_t i, bool is_lon, double *deg,
                      vg_errinfo *err);

/* A position fix from RMC or GGA. */
typedef struct vg_nmea_fix {
    bool valid;        /* RMC status A (and mode indicator not N); GGA quality 1-6 */
    int64_t tod_us;    /* UTC time of day of the fix, microseconds (valid fixes only) */
    vg_time_us time;   /* RMC: date + time of day; VG_TIME_NONE for GGA or an empty date */
    double lat_deg;    /* degrees north, -90..90 (valid fixes only, else NaN) */
    double lon_deg;    /* degrees east, -180..180 (valid fixes only, else NaN) */
    double speed_kn;   /* RMC speed over ground, knots; NaN when empty or GGA */
    double course_deg; /* RMC course over ground, degrees true; NaN when empty or GGA */
    int quality;       /* GGA fix quality 0-8; RMC: 1 when valid, 0 otherwise */
} vg_nmea_fix;

/* RMC: time, status, lat, N/S, lon, E/W, speed (kn), course (deg), date (ddmmyy), magnetic
 * variation, E/W[, mode[, navigational status]]: at least 11 data fields, else
 * VG_ERR_TRUNCATED. Status V (or mode N) gives valid = false and nothing else is read.
 * With status A the time and position are required (VG_ERR_PARSE / VG_ERR_RANGE naming the
 * field); speed, course and date may be empty. s must be an RMC (type "RMC"). */
vg_err vg_nmea_parse_rmc(const vg_nmea_sentence *s, vg_nmea_fix *out, vg_errinfo *err);

/* GGA: time, lat, N/S, lon, E/W, quality, satellites, HDOP, altitude, M, geoid separation,
 * M, DGPS age, DGPS station: at least 14 data fields, else VG_ERR_TRUNCATED. Quality 0
 * (invalid), 7 (manual input), 8 (simulation) or empty give valid = false and nothing else
 * is read; 1-6 (GPS, DGPS, PPS, RTK, float RTK, dead reckoning) require time and position.
 * Fields after the quality are not read. s must be a GGA. */
vg_err vg_nmea_parse_gga(const vg_nmea_sentence *s, vg_nmea_fix *out, vg_errinfo *err);

#endif
