/* uploader.h: the daemon's upload thread. It takes the due items of the durable upload
 * queue (the "upload" queue of the store's outbox: payload "DESTINATION\nPATH", put by
 * `vigie upload queue` or by the daemon itself), uploads each with export/upload.h, and
 * marks it sent or failed (retried later with upload.retry_base_s..retry_max_s back-off).
 * It runs beside the engine's event loop and never blocks it: the outbox's updates never
 * wait for the engine's batch, and a transfer runs only in this thread. */
#ifndef VIGIE_DAEMON_UPLOADER_H
#define VIGIE_DAEMON_UPLOADER_H

#include "core/config.h"
#include "core/error.h"
#include "storage/outbox.h"

#define VG_UPLOAD_QUEUE "upload"

typedef struct vg_uploader vg_uploader;

/* Start the thread on the outbox ob (borrowed: it must outlive the uploader), with the
 * destinations of cfg's `upload:` section compiled now (a later reload does not change
 * them: restart the daemon). *out owned by the caller: stop with vg_uploader_stop. */
vg_err vg_uploader_start(vg_outbox *ob, const vg_config *cfg, vg_uploader **out,
                         vg_errinfo *err);

/* Wake the thread: something was queued, or `vigie upload retry` may have made items due
 * (it also looks every few seconds by itself). */
void vg_uploader_wake(vg_uploader *u);

/* Ask the thread to stop (a transfer in progress is aborted and stays resumable), join it
 * and free u. u may be NULL. */
void vg_uploader_stop(vg_uploader *u);

#endif
