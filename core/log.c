/* log.c: stderr logger with journald priority prefixes (see log.h). */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Read by every thread (the alerts' sender, the uploader), set by the main thread on
 * SIGHUP: atomic, relaxed (a level change may reach another thread a little later). */
static _Atomic int current_level = VG_LOG_INFO;

static const char *const level_names[8] = {
    [VG_LOG_ERROR] = "error", [VG_LOG_WARN] = "warn",   [VG_LOG_NOTICE] = "notice",
    [VG_LOG_INFO] = "info",   [VG_LOG_DEBUG] = "debug",
};

void vg_log_set_level(vg_log_level level)
{
    atomic_store_explicit(&current_level, (int)level, memory_order_relaxed);
}

vg_log_level vg_log_get_level(void)
{
    return (vg_log_level)atomic_load_explicit(&current_level, memory_order_relaxed);
}

int vg_log_level_parse(const char *name, vg_log_level *out)
{
    for (int i = VG_LOG_ERROR; i <= VG_LOG_DEBUG; i++) {
        if (level_names[i] && strcmp(name, level_names[i]) == 0) {
            *out = (vg_log_level)i;
            return 0;
        }
    }
    return -1;
}

void vg_log(vg_log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load_explicit(&current_level, memory_order_relaxed))
        return;
    if (level < VG_LOG_ERROR)
        level = VG_LOG_ERROR;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (getenv("JOURNAL_STREAM")) {
        fprintf(stderr, "<%d>%s\n", (int)level, msg);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ vigie %s: %s\n", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
            level_names[level], msg);
}
