/* monitor.h: the state machines of the alert rules. Fed with every stored sample and a
 * periodic tick, it decides when a problem starts (one "started" event), lasts (at most
 * one "reminder" every alerts.reminder_h) and ends (one "resolved" event): hysteresis per
 * (rule, platform, parameter). Pure and single-threaded: no I/O, no clock of its own, so
 * that unit tests drive it with made-up samples and times. Semantics: docs/alerts.md. */
#ifndef VIGIE_ALERTS_MONITOR_H
#define VIGIE_ALERTS_MONITOR_H

#include <stddef.h>

#include "alerts/rules.h"
#include "core/config.h"
#include "core/sample.h"

#define VG_ALERT_ROWS 32 /* last values kept per (rule, platform, parameter) for the mail */

typedef enum vg_alert_state {
    VG_ALERT_STARTED,
    VG_ALERT_RESOLVED,
    VG_ALERT_REMINDER,
} vg_alert_state;

/* One value as shown in the mail and its CSV attachment. */
typedef struct vg_alert_row {
    vg_time_us time;       /* observation time, UTC */
    double value;          /* NaN = missing */
    vg_flag agg, test;     /* aggregate flag, flag of the rule's test (0: not run / any) */
    double lat_deg, lon_deg; /* NaN if unknown */
} vg_alert_row;

typedef struct vg_alert_event {
    const vg_alert_rule *rule;      /* borrowed from the rules */
    const vg_platform_cfg *platform; /* borrowed from the configuration */
    int param;                      /* a vg_param, or -1 (silent rules) */
    vg_alert_state state;
    vg_time_us since;   /* observation time of the first bad value (silent: of the last
                         * sample before the silence, or the start of the daemon): with rule,
                         * platform and param it names the problem (Message-ID, threads) */
    vg_time_us first, last; /* first and last observation time the event is about */
    vg_time_us now;     /* wall clock of the decision */
    unsigned bad, seen; /* values flagged 3/4, and values counted (fraction: the window) */
    const vg_alert_row *rows; /* the last values, oldest first (none for silent rules) */
    size_t n_rows;
    uint64_t *record;   /* the problem's slot for the id of a durable record of it: the sink
                         * sets it at "started" and reads it at "resolved" (0: none) */
} vg_alert_event;

/* Receives each event; ev is valid during the call only. */
typedef void (*vg_alert_sink)(void *ctx, const vg_alert_event *ev);

typedef struct vg_alert_monitor vg_alert_monitor;

/* New monitor for cfg's platforms and the rules (both borrowed, must outlive it). now: wall
 * clock (silent rules count the silence of a platform never heard from this time). */
vg_err vg_alert_monitor_new(const vg_config *cfg, const vg_alert_rules *rules, vg_time_us now,
                            vg_alert_monitor **out, vg_errinfo *err);
void vg_alert_monitor_free(vg_alert_monitor *m);

/* A sample was stored (s borrowed). Unknown platforms are ignored. Calls sink for each
 * event the sample causes, in rule order. */
void vg_alert_monitor_sample(vg_alert_monitor *m, const vg_sample *s, vg_alert_sink sink,
                             void *ctx);

/* Periodic check at wall-clock time now (about once a second): silent platforms, and
 * reminders of the problems still active. */
void vg_alert_monitor_tick(vg_alert_monitor *m, vg_time_us now, vg_alert_sink sink, void *ctx);

/* After a configuration reload: take over from old (then freed) the state of every
 * (rule, platform, parameter) that exists in both (same rule name and type, same platform
 * id; fraction rules also the same window), so that a problem that started before the
 * reload ends with one resolved mail; the others start afresh. */
void vg_alert_monitor_adopt(vg_alert_monitor *m, vg_alert_monitor *old);

/* Mark a problem active again after a restart (from its durable record `record`): the rule
 * named `rule` on platform (and parameter param, -1 for silent rules) started at `since`
 * (first and last bad observation times as they were). The next mail about it is its
 * "resolved" (or a reminder reminder_h after `now`), not a second "started".
 * VG_ERR_NOTFOUND when the rule, its type or the platform is gone (drop the record). */
vg_err vg_alert_monitor_restore(vg_alert_monitor *m, const char *rule, vg_alert_type type,
                                const char *platform, int param, vg_time_us since,
                                vg_time_us first, vg_time_us last, vg_time_us now,
                                uint64_t record);

/* Number of problems active now. */
size_t vg_alert_monitor_active(const vg_alert_monitor *m);

#endif
