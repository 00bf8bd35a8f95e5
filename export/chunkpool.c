/* chunkpool.c: worker threads (C11 threads) encoding chunks for direct writes
 * (chunkpool.h). A ring of slots: the caller fills the tail, the workers take the queued
 * slots in ring order, the caller hands the head to the sink once it is done. */
#include "export/chunkpool.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <zlib.h>

#define POOL_MAX_THREADS 16
#define POOL_SLOTS_PER_THREAD 3

typedef enum { SLOT_FREE, SLOT_QUEUED, SLOT_BUSY, SLOT_DONE } slot_state;

typedef struct pool_slot {
    vg_chunk_task task;
    slot_state state;
    unsigned char *raw, *shuf, *out; /* raw and shuffled chunk; deflated output */
    size_t out_len;                  /* encoding: deflated bytes; decoding: packed bytes in out */
    bool decode;
    int zrc;                         /* zlib's status; Z_DATA_ERROR also for a wrong size */
} pool_slot;

struct vg_chunkpool {
    mtx_t lock;
    cnd_t work, done;      /* work: a slot was queued (or stop); done: a slot finished */
    pool_slot *slots;
    size_t n_slots;
    size_t head, count;    /* oldest slot not yet handed over; slots in use */
    size_t next_work;      /* the next slot a worker takes (when queued) */
    size_t max_raw, max_out;
    int level;
    bool stop;
    vg_chunk_sink sink;
    void *sink_ctx;
    thrd_t threads[POOL_MAX_THREADS];
    int n_threads;
    vg_err failed;         /* sticky: the first failure */
};

void vg_chunk_shuffle(const void *in, void *out, size_t elem_size, size_t n)
{
    const unsigned char *s = in;
    unsigned char *d = out;
    if (elem_size <= 1 || n <= 1) {
        memcpy(d, s, elem_size * n);
        return;
    }
    for (size_t j = 0; j < elem_size; j++) {
        unsigned char *dj = d + j * n;
        const unsigned char *sj = s + j;
        for (size_t i = 0; i < n; i++)
            dj[i] = sj[i * elem_size];
    }
}

/* Fill, shuffle and deflate one slot (no lock held: the slot is this worker's). */
static void pool__encode(const vg_chunkpool *p, pool_slot *sl)
{
    const vg_chunk_task *t = &sl->task;
    size_t bytes = t->elem_size * t->nelem;
    t->fill(t, sl->raw);
    const unsigned char *in = sl->raw;
    if (t->elem_size > 1 && t->nelem > 1) {
        vg_chunk_shuffle(sl->raw, sl->shuf, t->elem_size, t->nelem);
        in = sl->shuf;
    }
    uLongf len = (uLongf)p->max_out;
    sl->zrc = compress2(sl->out, &len, in, (uLong)bytes, p->level);
    sl->out_len = (size_t)len;
}

void vg_chunk_unshuffle(const void *in, void *out, size_t elem_size, size_t n)
{
    const unsigned char *s = in;
    unsigned char *d = out;
    if (elem_size <= 1 || n <= 1) {
        memcpy(d, s, elem_size * n);
        return;
    }
    for (size_t j = 0; j < elem_size; j++) {
        const unsigned char *sj = s + j * n;
        unsigned char *dj = d + j;
        for (size_t i = 0; i < n; i++)
            dj[i * elem_size] = sj[i];
    }
}

/* Inflate, unshuffle and store one slot (no lock held). */
static void pool__decode(pool_slot *sl)
{
    const vg_chunk_task *t = &sl->task;
    size_t bytes = t->elem_size * t->nelem;
    unsigned char *cur = sl->out;
    sl->zrc = Z_OK;
    if (t->filters & VG_CHUNK_DEFLATED) {
        uLongf len = (uLongf)bytes;
        sl->zrc = uncompress(sl->raw, &len, sl->out, (uLong)sl->out_len);
        if (sl->zrc == Z_OK && len != bytes)
            sl->zrc = Z_DATA_ERROR;
        cur = sl->raw;
    } else if (sl->out_len != bytes) {
        sl->zrc = Z_DATA_ERROR;
    }
    if (sl->zrc != Z_OK)
        return;
    if ((t->filters & VG_CHUNK_SHUFFLED) && t->elem_size > 1 && t->nelem > 1) {
        unsigned char *to = cur == sl->raw ? sl->shuf : sl->raw;
        vg_chunk_unshuffle(cur, to, t->elem_size, t->nelem);
        cur = to;
    }
    t->store(t, cur);
}

static int pool__worker(void *arg)
{
    vg_chunkpool *p = arg;
    mtx_lock(&p->lock);
    for (;;) {
        while (!p->stop && p->slots[p->next_work].state != SLOT_QUEUED)
            cnd_wait(&p->work, &p->lock);
        if (p->stop)
            break;
        pool_slot *sl = &p->slots[p->next_work];
        p->next_work = (p->next_work + 1) % p->n_slots;
        sl->state = SLOT_BUSY;
        mtx_unlock(&p->lock);
        if (sl->decode)
            pool__decode(sl);
        else
            pool__encode(p, sl);
        mtx_lock(&p->lock);
        sl->state = SLOT_DONE;
        cnd_broadcast(&p->done);
    }
    mtx_unlock(&p->lock);
    return 0;
}

vg_err vg_chunkpool_new(int threads, int level, size_t max_chunk_bytes, vg_chunk_sink sink,
                        void *sink_ctx, vg_chunkpool **out, vg_errinfo *err)
{
    *out = NULL;
    if (threads < 1 || threads > POOL_MAX_THREADS || level < 1 || level > 9 ||
        !max_chunk_bytes)
        return vg_fail(err, VG_ERR_INVAL, "chunk pool: %d threads (1-%d), deflate level %d (1-9)",
                       threads, POOL_MAX_THREADS, level);
    vg_chunkpool *p = calloc(1, sizeof *p);
    if (!p)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the chunk pool");
    if (mtx_init(&p->lock, mtx_plain) != thrd_success) {
        free(p);
        return vg_fail(err, VG_ERR_IO, "chunk pool: cannot create a mutex");
    }
    bool work_ok = cnd_init(&p->work) == thrd_success;
    if (!work_ok || cnd_init(&p->done) != thrd_success) {
        if (work_ok)
            cnd_destroy(&p->work);
        mtx_destroy(&p->lock);
        free(p);
        return vg_fail(err, VG_ERR_IO, "chunk pool: cannot create a condition variable");
    }
    p->n_slots = (size_t)threads * POOL_SLOTS_PER_THREAD;
    p->max_raw = max_chunk_bytes;
    p->max_out = compressBound((uLong)max_chunk_bytes);
    p->level = level;
    p->sink = sink;
    p->sink_ctx = sink_ctx;
    p->slots = calloc(p->n_slots, sizeof *p->slots);
    bool ok = p->slots != NULL;
    for (size_t i = 0; ok && i < p->n_slots; i++) {
        pool_slot *sl = &p->slots[i];
        ok = (sl->raw = malloc(p->max_raw)) && (sl->shuf = malloc(p->max_raw)) &&
             (sl->out = malloc(p->max_out));
    }
    if (!ok) {
        vg_chunkpool_free(p);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu chunk buffers of %zu bytes",
                       threads * (size_t)POOL_SLOTS_PER_THREAD, max_chunk_bytes);
    }
    for (int i = 0; i < threads; i++) {
        if (thrd_create(&p->threads[i], pool__worker, p) != thrd_success) {
            vg_chunkpool_free(p);
            return vg_fail(err, VG_ERR_IO, "chunk pool: cannot start thread %d of %d", i + 1,
                           threads);
        }
        p->n_threads++;
    }
    *out = p;
    return VG_OK;
}

/* Wait for the head slot, hand it to the sink, free it. Called with the lock held; the
 * sink runs without it (workers go on meanwhile). */
static vg_err pool__retire(vg_chunkpool *p, vg_errinfo *err)
{
    pool_slot *sl = &p->slots[p->head];
    while (sl->state != SLOT_DONE)
        cnd_wait(&p->done, &p->lock);
    mtx_unlock(&p->lock);
    vg_err rc = VG_OK;
    if (sl->zrc != Z_OK && sl->decode)
        rc = vg_fail(err, VG_ERR_PARSE, "chunk %zu does not inflate to %zu bytes (zlib "
                     "status %d): a damaged file", sl->task.index,
                     sl->task.nelem * sl->task.elem_size, sl->zrc);
    else if (sl->zrc != Z_OK)
        rc = vg_fail(err, VG_ERR_IO, "deflating chunk %zu of variable %d: zlib error %d",
                     sl->task.index, sl->task.var, sl->zrc);
    else if (!sl->decode && p->sink)
        rc = p->sink(p->sink_ctx, &sl->task, sl->out, sl->out_len, err);
    mtx_lock(&p->lock);
    sl->state = SLOT_FREE;
    p->head = (p->head + 1) % p->n_slots;
    p->count--;
    return rc;
}

/* Queue t (encode, or decode `bytes` of packed). */
static vg_err pool__submit(vg_chunkpool *p, const vg_chunk_task *t, bool decode,
                           const void *packed, size_t bytes, vg_errinfo *err)
{
    if (p->failed)
        return vg_fail(err, p->failed, "chunk pool: an earlier chunk failed");
    if (!(decode ? t->store != NULL : t->fill != NULL) || !t->elem_size || t->elem_size > 16 ||
        !t->nelem || t->elem_size * t->nelem > p->max_raw || t->rows > t->nelem ||
        (decode && bytes > p->max_out))
        return vg_fail(err, VG_ERR_INVAL, "chunk %zu of variable %d: %zu elements of %zu bytes "
                       "(at most %zu bytes) for %zu rows, %zu packed bytes (at most %zu)",
                       t->index, t->var, t->nelem, t->elem_size, p->max_raw, t->rows, bytes,
                       p->max_out);
    vg_err rc = VG_OK;
    mtx_lock(&p->lock);
    if (p->count == p->n_slots && (rc = pool__retire(p, err)) != VG_OK) {
        p->failed = rc;
        mtx_unlock(&p->lock);
        return rc;
    }
    pool_slot *sl = &p->slots[(p->head + p->count) % p->n_slots];
    sl->task = *t;
    sl->decode = decode;
    if (decode) { /* the slot is free: no worker reads it */
        memcpy(sl->out, packed, bytes);
        sl->out_len = bytes;
    }
    sl->state = SLOT_QUEUED;
    p->count++;
    cnd_signal(&p->work);
    mtx_unlock(&p->lock);
    return VG_OK;
}

vg_err vg_chunkpool_submit(vg_chunkpool *p, const vg_chunk_task *t, vg_errinfo *err)
{
    return pool__submit(p, t, false, NULL, 0, err);
}

vg_err vg_chunkpool_submit_decode(vg_chunkpool *p, const vg_chunk_task *t, const void *packed,
                                  size_t bytes, vg_errinfo *err)
{
    return pool__submit(p, t, true, packed, bytes, err);
}

size_t vg_chunkpool_max_packed(const vg_chunkpool *p)
{
    return p->max_out;
}

vg_err vg_chunkpool_drain(vg_chunkpool *p, vg_errinfo *err)
{
    if (p->failed)
        return vg_fail(err, p->failed, "chunk pool: an earlier chunk failed");
    vg_err rc = VG_OK;
    mtx_lock(&p->lock);
    while (p->count && rc == VG_OK)
        rc = pool__retire(p, err);
    if (rc != VG_OK)
        p->failed = rc;
    mtx_unlock(&p->lock);
    return rc;
}

void vg_chunkpool_free(vg_chunkpool *p)
{
    if (!p)
        return;
    if (p->n_threads) {
        mtx_lock(&p->lock);
        p->stop = true;
        cnd_broadcast(&p->work);
        mtx_unlock(&p->lock);
        for (int i = 0; i < p->n_threads; i++)
            thrd_join(p->threads[i], NULL);
    }
    mtx_destroy(&p->lock);
    cnd_destroy(&p->work);
    cnd_destroy(&p->done);
    if (p->slots) {
        for (size_t i = 0; i < p->n_slots; i++) {
            free(p->slots[i].raw);
            free(p->slots[i].shuf);
            free(p->slots[i].out);
        }
        free(p->slots);
    }
    free(p);
}
