/* error.c: texts of the error enum and the vg_fail helper that fills an error record. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *name;
    const char *text;
} error_table[VG_ERR__COUNT] = {
    [VG_OK] = {"ok", "success"},
    [VG_ERR_NOMEM] = {"nomem", "out of memory"},
    [VG_ERR_INVAL] = {"inval", "invalid argument"},
    [VG_ERR_PARSE] = {"parse", "malformed input"},
    [VG_ERR_CHECKSUM] = {"checksum", "checksum mismatch"},
    [VG_ERR_TRUNCATED] = {"truncated", "truncated input"},
    [VG_ERR_RANGE] = {"range", "value out of range"},
    [VG_ERR_UNKNOWN_PLATFORM] = {"unknown_platform", "unknown platform"},
    [VG_ERR_FUTURE] = {"future", "time stamp in the future"},
    [VG_ERR_ORDER] = {"order", "time stamp not increasing"},
    [VG_ERR_CONFIG] = {"config", "invalid configuration"},
    [VG_ERR_IO] = {"io", "input/output error"},
    [VG_ERR_DB] = {"db", "database error"},
    [VG_ERR_ZMQ] = {"zmq", "messaging error"},
    [VG_ERR_NOTFOUND] = {"notfound", "not found"},
    [VG_ERR_FULL] = {"full", "buffer full"},
};

const char *vg_strerror(vg_err code)
{
    if ((unsigned)code >= VG_ERR__COUNT)
        return "unknown error";
    return error_table[code].text;
}

const char *vg_err_name(vg_err code)
{
    if ((unsigned)code >= VG_ERR__COUNT)
        return "unknown";
    return error_table[code].name;
}

vg_err vg_fail(vg_errinfo *info, vg_err code, const char *fmt, ...)
{
    if (info) {
        va_list ap;
        va_start(ap, fmt);
        info->code = code;
        vsnprintf(info->text, sizeof info->text, fmt, ap);
        va_end(ap);
    }
    return code;
}
