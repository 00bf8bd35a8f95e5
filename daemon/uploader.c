/* uploader.c: the daemon's upload thread (uploader.h): take due items, upload, mark; sleep
 * on a condition variable until the next item is due, a wake-up, or a stop. */
#include "daemon/uploader.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "export/destination.h"
#include "export/upload.h"

#define UPLOADER_LOOK_US (5 * VG_US_PER_S) /* look at the queue at least this often */

struct vg_uploader {
    vg_outbox *ob;
    vg_upload_config *cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_bool stop;
    bool woken;
};

/* One attempt for item it. */
static void uploader__one(vg_uploader *u, const vg_outbox_item *it)
{
    vg_errinfo err, e2;
    const char *nl = memchr(it->payload, '\n', it->len);
    char dest[VG_OUTBOX_QUEUE_MAX + 32] = "";
    const vg_upload_target *t = NULL;
    vg_err rc;
    vg_upload_result r;
    if (nl && (size_t)(nl - (const char *)it->payload) < sizeof dest)
        memcpy(dest, it->payload, (size_t)(nl - (const char *)it->payload));
    if (!nl)
        rc = vg_fail(&err, VG_ERR_PARSE, "item is not DESTINATION\\nPATH");
    else if (!(t = vg_upload_config_find(u->cfg, dest)))
        rc = vg_fail(&err, VG_ERR_CONFIG, "destination '%s' is not in upload.destinations", dest);
    else {
        vg_upload_dest d = t->dest;
        d.cancel = &u->stop;
        rc = vg_upload_file(&d, nl + 1, &r, &err);
    }
    if (rc == VG_OK) {
        vg_info("upload %llu: %s sent to %s (%llu bytes, %llu resumed), sha256 %s",
                (unsigned long long)it->id, nl + 1, t->url, (unsigned long long)r.bytes_sent,
                (unsigned long long)r.resumed_from, r.sha256);
        if (vg_outbox_mark_sent(u->ob, VG_UPLOAD_QUEUE, it->id, &e2) != VG_OK)
            vg_error("upload %llu: %s", (unsigned long long)it->id, e2.text);
        return;
    }
    vg_time_us next;
    char ts[VG_TIME_ISO_LEN];
    if (vg_outbox_mark_failed(u->ob, VG_UPLOAD_QUEUE, it->id, vg_time_now(), &u->cfg->backoff,
                              err.text, &next, &e2) != VG_OK)
        vg_error("upload %llu: %s", (unsigned long long)it->id, e2.text);
    else
        vg_warn("upload %llu (attempt %u) failed: %s; next attempt at %s",
                (unsigned long long)it->id, it->attempts + 1, err.text,
                vg_time_format_iso8601(next, ts));
}

static void *uploader__main(void *arg)
{
    vg_uploader *u = arg;
    sigset_t all; /* signals are the event loop's business */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    while (!atomic_load(&u->stop)) {
        vg_outbox_item *items = NULL;
        size_t n = 0;
        vg_time_us next_due = VG_TIME_NONE;
        vg_errinfo err;
        if (vg_outbox_take_due(u->ob, VG_UPLOAD_QUEUE, vg_time_now(), 16, &items, &n,
                               &next_due, &err) != VG_OK)
            vg_error("upload queue: %s", err.text);
        for (size_t i = 0; i < n && !atomic_load(&u->stop); i++)
            uploader__one(u, &items[i]);
        vg_outbox_items_free(items, n);
        if (n) /* some may be due again at once (more than 16): look again */
            continue;
        vg_time_us now = vg_time_now(), until = now + UPLOADER_LOOK_US;
        if (next_due != VG_TIME_NONE && next_due < until)
            until = next_due;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t wait_us = until - now > 0 ? until - now : 0;
        ts.tv_sec += (time_t)(wait_us / VG_US_PER_S);
        ts.tv_nsec += (long)(wait_us % VG_US_PER_S) * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&u->mu);
        while (!u->woken && !atomic_load(&u->stop))
            if (pthread_cond_timedwait(&u->cv, &u->mu, &ts) != 0)
                break;
        u->woken = false;
        pthread_mutex_unlock(&u->mu);
    }
    return NULL;
}

vg_err vg_uploader_start(vg_outbox *ob, const vg_config *cfg, vg_uploader **out,
                         vg_errinfo *err)
{
    vg_uploader *u = calloc(1, sizeof *u);
    if (!u)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    vg_err rc = vg_upload_config_build(cfg, &u->cfg, err);
    if (rc == VG_OK)
        rc = vg_upload_global_init(err);
    if (rc != VG_OK) {
        vg_upload_config_free(u->cfg);
        free(u);
        return rc;
    }
    u->ob = ob;
    atomic_init(&u->stop, false);
    pthread_mutex_init(&u->mu, NULL);
    pthread_cond_init(&u->cv, NULL);
    int e = pthread_create(&u->thread, NULL, uploader__main, u);
    if (e != 0) {
        pthread_mutex_destroy(&u->mu);
        pthread_cond_destroy(&u->cv);
        vg_upload_config_free(u->cfg);
        free(u);
        return vg_fail(err, VG_ERR_IO, "cannot start the upload thread: %s", strerror(e));
    }
    *out = u;
    return VG_OK;
}

void vg_uploader_wake(vg_uploader *u)
{
    if (!u)
        return;
    pthread_mutex_lock(&u->mu);
    u->woken = true;
    pthread_cond_signal(&u->cv);
    pthread_mutex_unlock(&u->mu);
}

void vg_uploader_stop(vg_uploader *u)
{
    if (!u)
        return;
    pthread_mutex_lock(&u->mu);
    atomic_store(&u->stop, true);
    pthread_cond_signal(&u->cv);
    pthread_mutex_unlock(&u->mu);
    pthread_join(u->thread, NULL);
    pthread_mutex_destroy(&u->mu);
    pthread_cond_destroy(&u->cv);
    vg_upload_config_free(u->cfg);
    free(u);
}
