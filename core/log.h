/* log.h: logging to stderr, one line per event, for a foreground daemon under systemd.
 * Lines are "LEVEL: message"; under journald (JOURNAL_STREAM set) a "<N>" syslog priority
 * prefix replaces the level word so that journalctl -p works; on a terminal or a pipe a UTC
 * time stamp is prepended. Thread-safe: each line is written with one fprintf. */
#ifndef VIGIE_CORE_LOG_H
#define VIGIE_CORE_LOG_H

typedef enum vg_log_level {
    VG_LOG_ERROR = 3, /* syslog priorities */
    VG_LOG_WARN = 4,
    VG_LOG_NOTICE = 5,
    VG_LOG_INFO = 6,
    VG_LOG_DEBUG = 7
} vg_log_level;

/* Messages above `level` are dropped. Default VG_LOG_INFO. */
void vg_log_set_level(vg_log_level level);
vg_log_level vg_log_get_level(void);

/* Parse "error", "warn", "notice", "info", "debug"; returns 0 on success, -1 otherwise. */
int vg_log_level_parse(const char *name, vg_log_level *out);

void vg_log(vg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define vg_error(...) vg_log(VG_LOG_ERROR, __VA_ARGS__)
#define vg_warn(...) vg_log(VG_LOG_WARN, __VA_ARGS__)
#define vg_notice(...) vg_log(VG_LOG_NOTICE, __VA_ARGS__)
#define vg_info(...) vg_log(VG_LOG_INFO, __VA_ARGS__)
#define vg_debug(...) vg_log(VG_LOG_DEBUG, __VA_ARGS__)

#endif
