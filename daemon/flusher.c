/* flusher.c: the log flusher thread (flusher.h): a mutex and a condition variable between
 * the event loop (requests) and the thread (flushes), an eventfd back to the loop. */
#include "daemon/flusher.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

#define FLUSHER_RETRY_MS 200

struct vg_flusher {
    vg_store *store;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int efd;
    bool stop;            /* under mu */
    uint64_t requested;   /* under mu: highest commit asked for */
    uint64_t durable;     /* under mu: highest commit flushed */
    bool failed;          /* under mu: the last flush failed (err says why) */
    vg_errinfo err;       /* under mu */
    uint64_t flushes;     /* under mu */
    _Atomic uint64_t ends; /* flushes ended (vg_flusher_ready: no syscall, no lock) */
    uint64_t ends_taken;  /* the loop's thread only: ends seen by vg_flusher_take */
};

static void flusher__signal(vg_flusher *f)
{
    uint64_t one = 1;
    while (write(f->efd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

static void *flusher__main(void *arg)
{
    vg_flusher *f = arg;
    pthread_mutex_lock(&f->mu);
    while (!f->stop) {
        if (f->requested <= f->durable) {
            pthread_cond_wait(&f->cv, &f->mu);
            continue;
        }
        /* Every commit up to `target` returned before this point: the flush covers them. */
        uint64_t target = f->requested;
        pthread_mutex_unlock(&f->mu);
        vg_errinfo err;
        vg_err rc = vg_store_flush_log(f->store, &err);
        pthread_mutex_lock(&f->mu);
        f->flushes++;
        if (rc == VG_OK) {
            f->durable = target;
            f->failed = false;
        } else {
            f->failed = true;
            f->err = err;
        }
        atomic_fetch_add_explicit(&f->ends, 1, memory_order_release);
        flusher__signal(f);
        if (rc == VG_OK) {
            /* After the acknowledgements are on their way: a due checkpoint writes pages
             * for a while, and the engine's thread goes on meanwhile. */
            pthread_mutex_unlock(&f->mu);
            vg_errinfo cerr;
            if (vg_store_checkpoint_due(f->store, &cerr) != VG_OK)
                vg_warn("%s", cerr.text);
            pthread_mutex_lock(&f->mu);
        }
        if (rc != VG_OK && !f->stop) { /* a full disk: try again a little later */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += FLUSHER_RETRY_MS * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&f->cv, &f->mu, &until);
        }
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

vg_err vg_flusher_start(vg_store *store, vg_flusher **out, vg_errinfo *err)
{
    vg_flusher *f = calloc(1, sizeof *f);
    if (!f)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the log flusher");
    f->store = store;
    if ((f->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
        int e = errno;
        free(f);
        return vg_fail(err, VG_ERR_IO, "log flusher: eventfd: %s", strerror(e));
    }
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    int e = pthread_create(&f->thread, NULL, flusher__main, f);
    if (e != 0) {
        close(f->efd);
        pthread_mutex_destroy(&f->mu);
        pthread_cond_destroy(&f->cv);
        free(f);
        return vg_fail(err, VG_ERR_IO, "log flusher: cannot start its thread: %s", strerror(e));
    }
    *out = f;
    return VG_OK;
}

void vg_flusher_request(vg_flusher *f, uint64_t commit)
{
    pthread_mutex_lock(&f->mu);
    if (commit > f->requested) {
        f->requested = commit;
        pthread_cond_signal(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
}

int vg_flusher_fd(const vg_flusher *f) { return f->efd; }

bool vg_flusher_ready(vg_flusher *f)
{
    return atomic_load_explicit(&f->ends, memory_order_acquire) != f->ends_taken;
}

uint64_t vg_flusher_take(vg_flusher *f, bool *failed, vg_errinfo *err)
{
    uint64_t n;
    f->ends_taken = atomic_load_explicit(&f->ends, memory_order_acquire);
    while (read(f->efd, &n, sizeof n) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&f->mu);
    uint64_t durable = f->durable;
    *failed = f->failed;
    if (f->failed && err)
        *err = f->err;
    pthread_mutex_unlock(&f->mu);
    return durable;
}

uint64_t vg_flusher_flushes(vg_flusher *f)
{
    pthread_mutex_lock(&f->mu);
    uint64_t n = f->flushes;
    pthread_mutex_unlock(&f->mu);
    return n;
}

void vg_flusher_stop(vg_flusher *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    f->stop = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    close(f->efd);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
}
