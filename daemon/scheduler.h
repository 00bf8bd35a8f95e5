/* scheduler.h: the daemon's scheduled export. Every export.every_s (and once at start)
 * a thread writes, for every configured platform, the real-time file of the current
 * calendar month into export.dir (GOSUD v3 for a tsg, Copernicus in-situ otherwise;
 * docs/export.md), replacing the previous version atomically, and queues it for upload to
 * export.upload_to. Near the start of a month the previous month is written too, so that
 * its last hours are not lost. Each file is written by a child process `vigie export`
 * (the running binary), which reads the store as any reader does: the engine's thread and
 * its store handle are never touched, and an export's memory leaves with the child. */
#ifndef VIGIE_DAEMON_SCHEDULER_H
#define VIGIE_DAEMON_SCHEDULER_H

#include "core/config.h"
#include "core/error.h"
#include "daemon/uploader.h"
#include "storage/outbox.h"

typedef struct vg_scheduler vg_scheduler;

/* Start the thread. cfg is copied as needed (a reload does not change the schedule:
 * restart the daemon); config_path is the file `vigie run` read (NULL: the embedded
 * default), storage the store directory. ob and up (may be NULL) are borrowed: the
 * scheduler must be stopped before they are. *out owned by the caller. */
vg_err vg_scheduler_start(const vg_config *cfg, const char *config_path, const char *storage,
                          vg_outbox *ob, vg_uploader *up, vg_scheduler **out, vg_errinfo *err);

/* Stop the thread (an export in progress is waited for), free s. s may be NULL. */
void vg_scheduler_stop(vg_scheduler *s);

#endif
