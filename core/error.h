/* error.h: the one error enum of vigie, its strerror, and an error record that carries a
 * human-readable reason ("file:line: what and why") from where a failure is detected to
 * where it is logged or printed. Functions return vg_err; those that can explain a failure
 * also take a vg_errinfo * (may be NULL) that they fill on failure. */
#ifndef VIGIE_CORE_ERROR_H
#define VIGIE_CORE_ERROR_H

#include <stddef.h>

typedef enum vg_err {
    VG_OK = 0,
    VG_ERR_NOMEM,            /* allocation failed */
    VG_ERR_INVAL,            /* invalid argument from the caller (a programming error) */
    VG_ERR_PARSE,            /* input text or frame could not be parsed */
    VG_ERR_CHECKSUM,         /* NMEA or frame checksum mismatch */
    VG_ERR_TRUNCATED,        /* input ends before the record does */
    VG_ERR_RANGE,            /* a value is outside its valid range */
    VG_ERR_UNKNOWN_PLATFORM, /* platform id not in the configuration */
    VG_ERR_FUTURE,           /* time stamp later than now + tolerance */
    VG_ERR_ORDER,            /* time stamp not after the previous one of the stream */
    VG_ERR_CONFIG,           /* configuration file invalid */
    VG_ERR_IO,               /* operating-system I/O error (errno in the text) */
    VG_ERR_DB,               /* Berkeley DB error */
    VG_ERR_ZMQ,              /* ZeroMQ error */
    VG_ERR_NOTFOUND,         /* requested item does not exist */
    VG_ERR_FULL,             /* a bounded buffer or table is full */
    VG_ERR__COUNT
} vg_err;

/* Static English text for an error code; never NULL (unknown codes give "unknown error"). */
const char *vg_strerror(vg_err code);

/* Short stable identifier for an error code ("parse", "checksum", ...), used as the
 * reason key of quarantine records and counters. Never NULL. */
const char *vg_err_name(vg_err code);

#define VG_ERRINFO_TEXT 512

typedef struct vg_errinfo {
    vg_err code;
    char text[VG_ERRINFO_TEXT]; /* NUL-terminated reason, naming what and where */
} vg_errinfo;

/* Fill *info (if not NULL) with code and a printf-formatted reason; returns code so that
 * callers can write `return vg_fail(info, VG_ERR_PARSE, "line %d: ...", n);`. */
vg_err vg_fail(vg_errinfo *info, vg_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
