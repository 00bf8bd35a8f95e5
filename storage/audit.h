/* audit.h: manual flags set by delayed-mode operators, and the audit history of every
 * change, in two Berkeley DB databases of the store's environment (docs/storage.md,
 * "Manual flags and audit"):
 *   manual.db btree  key = platform '\0' time(8) code(4)  ->  the operator's flag of that
 *                    value, and the audit entry that set it
 *   audit.db  btree  key = sequence (u64 big-endian)      ->  when, who, why, platform,
 *                    parameter, time of the value, old flag, new flag
 * A manual flag is never overwritten by an automatic run: QC runs write samples.db only;
 * readers that want the validated flags (export, `vigie flag list`) lay manual.db over the
 * automatic ones, and the manual flag wins. Writing needs the store's writer role (one
 * process: the daemon), so the flag commands refuse while the daemon runs. */
#ifndef VIGIE_STORAGE_AUDIT_H
#define VIGIE_STORAGE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/flags.h"
#include "core/params.h"
#include "core/time.h"
#include "storage/store.h"

#define VG_AUDIT_TEXT_MAX 1024 /* longest who / why, bytes */

/* One manual flag change requested by an operator. */
typedef struct vg_manual_edit {
    const char *platform;     /* a valid platform id */
    vg_param param;
    vg_time_us from, to;      /* inclusive; VG_TIME_NONE = open */
    vg_flag flag;             /* 0-9 */
    const char *who;          /* operator, 1..VG_AUDIT_TEXT_MAX bytes */
    const char *why;          /* reason, 1..VG_AUDIT_TEXT_MAX bytes */
    vg_time_us when;          /* time of the change (the clock when 0) */
} vg_manual_edit;

typedef struct vg_manual_result {
    size_t values;   /* stored values of param in the range */
    size_t changed;  /* whose effective flag changed (audited) */
    size_t confirmed;/* whose flag was already e->flag and became manual (audited) */
    size_t unchanged;/* already manual with that flag: nothing written */
} vg_manual_result;

/* Apply e on store s (opened read-write; no batch open): for every stored value of
 * e->param of e->platform in [from, to], the effective flag (the manual one if there is
 * one, else the automatic aggregate) becomes a manual e->flag, with one audit entry per
 * value (old = the effective flag before). Committed in batches of 10,000 values, each
 * atomic (values and their audit entries together). VG_ERR_INVAL for bad arguments or a
 * read-only store, VG_ERR_DB. */
vg_err vg_manual_set(vg_store *s, const vg_manual_edit *e, vg_manual_result *r,
                     vg_errinfo *err);

/* A manual flag as read back. */
typedef struct vg_manual_flag {
    const char *platform;
    vg_param param;
    vg_time_us time;
    vg_flag flag;
    uint64_t audit_seq;  /* the audit entry that set it */
} vg_manual_flag;

/* Call fn for every manual flag of platform in [from, to] (VG_TIME_NONE = open) in
 * (time, param) order; fn returns non-zero to stop. A store without manual.db has none.
 * Readers and the writer. */
vg_err vg_manual_walk(vg_store *s, const char *platform, vg_time_us from, vg_time_us to,
                      int (*fn)(void *ctx, const vg_manual_flag *m), void *ctx,
                      vg_errinfo *err);

/* One audit entry; strings valid during the callback. */
typedef struct vg_audit_entry {
    uint64_t seq;
    vg_time_us when;
    const char *who, *why, *platform;
    vg_param param;
    vg_time_us time;
    vg_flag old_flag, new_flag;
} vg_audit_entry;

/* Call fn for every audit entry (of platform, or all when NULL) in the order they were
 * written; fn returns non-zero to stop. */
vg_err vg_audit_walk(vg_store *s, const char *platform,
                     int (*fn)(void *ctx, const vg_audit_entry *a), void *ctx,
                     vg_errinfo *err);

#endif
