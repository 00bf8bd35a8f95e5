/* engine.c: the daemon's pipeline, ingest -> QC -> storage -> listener (engine.h), and the
 * bookkeeping of acknowledged feeds: which frames each commit made durable, written in the
 * same transaction (storage/feed_mark.h), and the acknowledgements that follow commits. */
#include "daemon/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ingest/parser.h"
#include "qc/peers.h"
#include "qc/silence.h"
#include "qc/stream.h"
#include "storage/events.h"
#include "storage/feed_mark.h"
#include "storage/repl_env.h"

typedef struct engine_source {
    const vg_parser_ops *ops;
    void *state;
    const vg_ingest_cfg *cfg;
} engine_source;

/* An acknowledgement that waits for its commit to reach the disk (deferred acks). */
typedef struct engine_ack {
    uint64_t commit;             /* the commit number that made it true */
    uint64_t epoch, seq;
} engine_ack;
/* Acknowledgements waiting per feed: at most this many commits in flight (the flusher
 * flushes continuously, so one to three); when full the newest is replaced by a newer one,
 * which only delays it. */
#define ENGINE_ACK_WAIT 8

/* One acknowledged feed (vigie feed), known from its first batch on. */
typedef struct engine_feed {
    char id[VG_FEED_ID_MAX];
    size_t source;               /* ingest endpoint of its last batch */
    const vg_parser_ops *ops;    /* its own parser (per-feed state such as the last fix); */
    void *state;                 /*   NULL until its next batch after a reconfiguration */
    vg_feed_mark live;           /* high = last frame fed; pending = frames of before a
                                  * restart still to re-feed (not the ones held now) */
    vg_feed_mark committed;      /* as in the store after the last commit */
    bool ack_due;                /* sent something since its last acknowledgement */
    bool resend_asked;           /* asked to resend after a gap; not again until it did */
    bool deferred;               /* a batch of it was deferred by the storage pause */
    engine_ack waiting[ENGINE_ACK_WAIT]; /* deferred acknowledgements, oldest first, each */
    size_t n_waiting;            /*   sent once its commit is durable (vg_engine_durable) */
} engine_feed;

struct vg_engine {
    const vg_config *cfg;
    const vg_qc_plan *plan;
    vg_store *store;
    engine_source *sources;      /* one per cfg->ingest entry */
    size_t n_sources;
    vg_qc_stream **streams;      /* one per cfg->platforms entry, created on first sample */
    vg_qc_peers *peers;          /* the platforms' recent sea level (wl_neighbour) */
    vg_silence *silence;         /* one per cfg->platforms entry: the silence watch */
    size_t n_silence;
    size_t last_platform;        /* cache: index of the last platform looked up */
    vg_engine_listener listener;
    void *listener_ctx;
    vg_engine_event_listener event_listener;
    void *event_ctx;
    vg_engine_stats stats;
    int batch_samples;           /* samples in the open transaction */
    int64_t batch_start_mono;
    int64_t maintain_mono;       /* last vg_store_maintain (monotonic us) */
    vg_err store_rc;             /* first storage error inside the current emit cascade */
    vg_errinfo store_err;
    engine_feed *feeds;          /* acknowledged feeds, in order of first batch */
    size_t n_feeds, cap_feeds, last_feed;
    long *held_feed;             /* per platform: feed of the sample its stream holds, -1 */
    uint64_t *held_seq;          /*   and that frame's sequence */
    size_t acks_due;             /* feeds with ack_due set */
    vg_engine_ack_fn ack;
    void *ack_ctx;
    bool deferred;               /* commits without sync; acks wait for vg_engine_durable */
    uint64_t commit_no;          /* successful commits so far (vg_engine_commits) */
    uint64_t durable;            /* highest commit known durable (vg_engine_durable) */
    bool replica_acks;           /* acks also wait for the replicas (vg_engine_set_replica_acks) */
    uint64_t replicated;         /* highest commit a replica acknowledged (all before too) */
    int64_t probe_mono;          /* last replication probe commit (monotonic us) */
    int64_t store_pause;         /* current pause after storage failures (us; 0: none) */
    int64_t store_pause_until;   /* feed batches wait until then (monotonic us) */
    int64_t last_mono;           /* the newest now_mono_us a caller gave (feed, batch, tick) */
    uint64_t deferred_in_pause;  /* feed batches deferred since the last success */
    uint64_t generation;         /* vg_store_generation when the feed marks were read */
};

static void engine__free_sources(vg_engine *e)
{
    for (size_t i = 0; i < e->n_sources; i++)
        if (e->sources[i].ops)
            e->sources[i].ops->destroy(e->sources[i].state);
    free(e->sources);
    e->sources = NULL;
    e->n_sources = 0;
}

static void engine__free_streams(vg_engine *e, size_t n)
{
    for (size_t i = 0; e->streams && i < n; i++)
        vg_qc_stream_free(e->streams[i]);
    free(e->streams);
    e->streams = NULL;
    free(e->held_feed);
    free(e->held_seq);
    e->held_feed = NULL;
    e->held_seq = NULL;
}

static void engine__free_feed_parsers(vg_engine *e)
{
    for (size_t i = 0; i < e->n_feeds; i++) {
        if (e->feeds[i].ops)
            e->feeds[i].ops->destroy(e->feeds[i].state);
        e->feeds[i].ops = NULL;
        e->feeds[i].state = NULL;
    }
}

static vg_err engine__setup(vg_engine *e, const vg_config *cfg, const vg_qc_plan *plan,
                            vg_errinfo *err)
{
    /* The silence watch goes on across a reload for the platforms still configured
     * (matched by the id each watch keeps: the old configuration may be gone already). */
    vg_silence *old_silence = e->silence;
    size_t n_old = e->n_silence;
    size_t np = cfg->n_platforms ? cfg->n_platforms : 1;
    e->silence = calloc(np, sizeof *e->silence);
    if (!e->silence) {
        e->silence = old_silence;
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the engine");
    }
    for (size_t i = 0; i < cfg->n_platforms; i++) {
        vg_silence_init(&e->silence[i], &cfg->platforms[i]);
        for (size_t j = 0; j < n_old; j++)
            if (strcmp(old_silence[j].platform, cfg->platforms[i].id) == 0)
                vg_silence_adopt(&e->silence[i], &old_silence[j]);
    }
    free(old_silence);
    e->n_silence = cfg->n_platforms;
    vg_qc_peers_free(e->peers); /* indices are the configuration's: start again */
    e->peers = NULL;
    vg_err prc = vg_qc_peers_new(cfg->n_platforms, &e->peers, err);
    if (prc != VG_OK)
        return prc;
    e->cfg = cfg;
    e->plan = plan;
    e->last_platform = 0;
    e->streams = calloc(np, sizeof *e->streams);
    e->held_feed = malloc(np * sizeof *e->held_feed);
    e->held_seq = calloc(np, sizeof *e->held_seq);
    e->sources = calloc(cfg->n_ingest ? cfg->n_ingest : 1, sizeof *e->sources);
    if (!e->streams || !e->sources || !e->held_feed || !e->held_seq)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the engine");
    for (size_t i = 0; i < np; i++)
        e->held_feed[i] = -1;
    for (size_t i = 0; i < cfg->n_ingest; i++) {
        const vg_ingest_cfg *ic = &cfg->ingest[i];
        const vg_parser_ops *ops = vg_parser_find(ic->format);
        if (!ops) /* vg_setup_load checked it: only a caller that skipped it gets here */
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest format '%s' unknown", cfg->path,
                           ic->line, ic->format);
        vg_err rc = ops->create(ic, &e->sources[i].state, err);
        if (rc != VG_OK)
            return rc;
        e->sources[i].ops = ops;
        e->sources[i].cfg = ic;
        e->n_sources = i + 1;
    }
    return VG_OK;
}

vg_err vg_engine_new(const vg_config *cfg, const vg_qc_plan *plan, vg_store *store,
                     vg_engine **out, vg_errinfo *err)
{
    vg_engine *e = calloc(1, sizeof *e);
    if (!e)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the engine");
    e->store = store;
    e->generation = vg_store_generation(store);
    vg_err rc = engine__setup(e, cfg, plan, err);
    if (rc != VG_OK) {
        engine__free_sources(e);
        engine__free_streams(e, cfg->n_platforms);
        free(e);
        return rc;
    }
    *out = e;
    return VG_OK;
}

void vg_engine_free(vg_engine *e)
{
    if (!e)
        return;
    engine__free_sources(e);
    engine__free_streams(e, e->cfg->n_platforms);
    engine__free_feed_parsers(e);
    for (size_t i = 0; i < e->n_feeds; i++) {
        vg_feed_mark_clear(&e->feeds[i].live);
        vg_feed_mark_clear(&e->feeds[i].committed);
    }
    free(e->feeds);
    free(e->silence);
    vg_qc_peers_free(e->peers);
    free(e);
}

void vg_engine_set_listener(vg_engine *e, vg_engine_listener fn, void *ctx)
{
    e->listener = fn;
    e->listener_ctx = ctx;
}

void vg_engine_set_event_listener(vg_engine *e, vg_engine_event_listener fn, void *ctx)
{
    e->event_listener = fn;
    e->event_ctx = ctx;
}

const vg_engine_stats *vg_engine_get_stats(const vg_engine *e) { return &e->stats; }

static vg_err engine__ensure_batch(vg_engine *e, vg_errinfo *err)
{
    if (vg_store_in_batch(e->store))
        return VG_OK;
    e->batch_start_mono = vg_time_mono_us();
    e->batch_samples = 0;
    return vg_store_begin(e->store, err);
}

static void engine__clear_tags(vg_engine *e)
{
    for (size_t i = 0; i < e->cfg->n_platforms; i++)
        e->held_feed[i] = -1;
}

/* Copy a mark (pending duplicated); false when out of memory (dst then cleared). */
static bool engine__mark_copy(vg_feed_mark *dst, const vg_feed_mark *src)
{
    vg_feed_mark_clear(dst);
    *dst = *src;
    dst->pending = NULL;
    if (!src->n_pending)
        return true;
    if (!(dst->pending = malloc(src->n_pending * sizeof *dst->pending))) {
        vg_feed_mark_clear(dst);
        return false;
    }
    memcpy(dst->pending, src->pending, src->n_pending * sizeof *dst->pending);
    return true;
}

static bool engine__mark_equal(const vg_feed_mark *a, const vg_feed_mark *b)
{
    return a->epoch == b->epoch && a->high == b->high && a->n_pending == b->n_pending &&
           (!a->n_pending ||
            memcmp(a->pending, b->pending, a->n_pending * sizeof *a->pending) == 0);
}

static int engine__cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The mark of feed f as it stands now: its high, and as pending the frames of before a
 * restart not re-fed yet plus the samples its frames left held in QC streams. */
static bool engine__mark_now(const vg_engine *e, size_t f, vg_feed_mark *out)
{
    const engine_feed *fd = &e->feeds[f];
    size_t n = fd->live.n_pending;
    for (size_t p = 0; p < e->cfg->n_platforms; p++)
        n += e->held_feed[p] == (long)f;
    memset(out, 0, sizeof *out);
    out->epoch = fd->live.epoch;
    out->high = fd->live.high;
    if (!n)
        return true;
    if (!(out->pending = malloc(n * sizeof *out->pending)))
        return false;
    if (fd->live.n_pending)
        memcpy(out->pending, fd->live.pending, fd->live.n_pending * sizeof *out->pending);
    size_t k = fd->live.n_pending;
    for (size_t p = 0; p < e->cfg->n_platforms; p++)
        if (e->held_feed[p] == (long)f)
            out->pending[k++] = e->held_seq[p];
    qsort(out->pending, n, sizeof *out->pending, engine__cmp_u64);
    size_t u = 0; /* unique */
    for (size_t i = 0; i < n; i++)
        if (!u || out->pending[i] != out->pending[u - 1])
            out->pending[u++] = out->pending[i];
    out->n_pending = u;
    return true;
}

/* A batch failed: abort it, and bring the feeds back to what is committed. Their frames of
 * the aborted batch will be resent; the QC streams restart so that the resent samples are
 * not refused as going back in time (what the streams held is then lost for PULL
 * endpoints, whose senders do not resend; acknowledged feeds resend it). */
static void engine__rollback(vg_engine *e)
{
    vg_store_abort(e->store);
    e->batch_samples = 0;
    /* Pause the feeds' batches (vg_engine_feed_batch): longer at each failure in a row. */
    e->store_pause = e->store_pause ? e->store_pause * 2 : VG_ENGINE_STORE_PAUSE_MIN_US;
    if (e->store_pause > VG_ENGINE_STORE_PAUSE_MAX_US)
        e->store_pause = VG_ENGINE_STORE_PAUSE_MAX_US;
    e->store_pause_until = e->last_mono + e->store_pause; /* on the callers' clock */
    if (!e->n_feeds)
        return;
    e->stats.feed_rollbacks++;
    for (size_t f = 0; f < e->n_feeds; f++)
        if (!engine__mark_copy(&e->feeds[f].live, &e->feeds[f].committed))
            vg_error("feed %s: out of memory restoring its mark", e->feeds[f].id);
    for (size_t i = 0; i < e->cfg->n_platforms; i++) {
        vg_qc_stream_free(e->streams[i]);
        e->streams[i] = NULL;
        e->held_feed[i] = -1; /* its stream, and the sample it held, are gone */
    }
    engine__clear_tags(e);
}

/* The highest commit whose acknowledgements may leave: flushed to disk and, when they wait
 * for the replicas, acknowledged by them. */
static uint64_t engine__safe(const vg_engine *e)
{
    return e->replica_acks && e->replicated < e->durable ? e->replicated : e->durable;
}

/* Send the acknowledgements that waited for commits <= commit (the newest point of each
 * feed). */
static void engine__release(vg_engine *e, uint64_t commit)
{
    for (size_t f = 0; f < e->n_feeds; f++) {
        engine_feed *fd = &e->feeds[f];
        size_t k = 0;
        while (k < fd->n_waiting && fd->waiting[k].commit <= commit)
            k++;
        if (!k)
            continue;
        engine_ack a = fd->waiting[k - 1];
        memmove(fd->waiting, fd->waiting + k, (fd->n_waiting - k) * sizeof *fd->waiting);
        fd->n_waiting -= k;
        if (e->ack)
            e->ack(e->ack_ctx, fd->id, a.epoch, a.seq, false);
    }
}

/* Send the acknowledgements due: the committed safe point of each feed that sent. With
 * deferred acks they wait for the durability of the last commit instead. */
static void engine__send_acks(vg_engine *e)
{
    for (size_t f = 0; e->acks_due && f < e->n_feeds; f++) {
        engine_feed *fd = &e->feeds[f];
        if (!fd->ack_due)
            continue;
        fd->ack_due = false;
        e->acks_due--;
        engine_ack a = {e->commit_no, fd->committed.epoch, vg_feed_mark_safe(&fd->committed)};
        if (e->deferred && a.commit > engine__safe(e)) {
            if (fd->n_waiting && fd->waiting[fd->n_waiting - 1].commit == a.commit)
                fd->waiting[fd->n_waiting - 1] = a; /* the same commit: the newer point */
            else if (fd->n_waiting == ENGINE_ACK_WAIT)
                fd->waiting[ENGINE_ACK_WAIT - 1] = a;
            else
                fd->waiting[fd->n_waiting++] = a;
        } else if (e->ack) {
            e->ack(e->ack_ctx, fd->id, a.epoch, a.seq, false);
        }
    }
    e->acks_due = 0;
}

void vg_engine_set_deferred_acks(vg_engine *e, bool on)
{
    e->deferred = on;
}

uint64_t vg_engine_commits(const vg_engine *e)
{
    return e->commit_no;
}

void vg_engine_durable(vg_engine *e, uint64_t commit)
{
    if (commit > e->durable)
        e->durable = commit;
    engine__release(e, engine__safe(e));
}

void vg_engine_set_replica_acks(vg_engine *e, bool on)
{
    e->replica_acks = on;
}

/* True if an acknowledgement waits for a commit (deferred acks). */
static bool engine__acks_waiting(const vg_engine *e)
{
    for (size_t f = 0; f < e->n_feeds; f++)
        if (e->feeds[f].n_waiting)
            return true;
    return false;
}

/* After a successful commit made while repl_failed_before was the count of replication
 * acknowledgements that failed: if none failed during it, a replica acknowledged it, and
 * with it every commit before (a replica acknowledges in log order). */
static void engine__replicated(vg_engine *e, uint64_t repl_failed_before)
{
    if (!e->replica_acks || vg_repl_env_perm_failed() != repl_failed_before)
        return;
    e->replicated = e->commit_no;
    engine__release(e, engine__safe(e));
}

/* The store was recovered in place (vg_store_generation moved): batches committed without
 * sync and not flushed may be gone. Read every feed's mark back from the store, drop the
 * acknowledgements that waited, and restart the QC streams, as after a failed batch: the
 * feeds resend what is missing, and what is there is recognised. */
static void engine__reread_marks(vg_engine *e)
{
    vg_warn("the store was recovered in place: reading the feeds' committed points again");
    for (size_t f = 0; f < e->n_feeds; f++) {
        engine_feed *fd = &e->feeds[f];
        vg_feed_mark m;
        vg_errinfo err;
        fd->n_waiting = 0;
        fd->resend_asked = false; /* frames lost in the recovery need a new resend request */
        vg_err rc = vg_store_feed_mark_get(e->store, fd->id, &m, &err);
        if (rc == VG_ERR_NOTFOUND) {
            memset(&m, 0, sizeof m);
            rc = VG_OK;
        }
        if (rc != VG_OK) {
            vg_error("feed %s: %s", fd->id, err.text);
            continue;
        }
        vg_feed_mark_clear(&fd->committed);
        fd->committed = m;
        if (!engine__mark_copy(&fd->live, &fd->committed))
            vg_error("feed %s: out of memory restoring its mark", fd->id);
    }
    for (size_t i = 0; i < e->cfg->n_platforms; i++) {
        vg_qc_stream_free(e->streams[i]);
        e->streams[i] = NULL;
        e->held_feed[i] = -1; /* its stream, and the sample it held, are gone */
    }
    engine__clear_tags(e);
}

/* Commit the store's open batch (without sync when acks are deferred) and count it; learn
 * whether a replica acknowledged it. The caller rolls back on failure. */
static vg_err engine__store_commit(vg_engine *e, vg_errinfo *err)
{
    uint64_t repl_failed = vg_repl_env_perm_failed();
    vg_err rc = e->deferred ? vg_store_commit_nosync(e->store, err) : vg_store_commit(e->store, err);
    e->batch_samples = 0;
    if (rc == VG_OK) {
        e->stats.commits++;
        e->commit_no++;
        engine__replicated(e, repl_failed);
        if (e->store_pause) {
            /* The feeds whose batches were deferred resend now rather than after their own
             * time-out (which grows while nothing is acknowledged). */
            for (size_t f = 0; f < e->n_feeds; f++) {
                engine_feed *fd = &e->feeds[f];
                if (!fd->deferred)
                    continue;
                fd->deferred = false;
                uint64_t need = fd->live.n_pending ? fd->live.pending[0] : fd->live.high + 1;
                if (e->ack)
                    e->ack(e->ack_ctx, fd->id, fd->live.epoch, need - 1, true);
            }
            if (e->deferred_in_pause)
                vg_notice("storage works again: feed batches are taken (%llu deferred while "
                          "it failed; their feeds were asked to resend them)",
                          (unsigned long long)e->deferred_in_pause);
            else
                vg_info("storage works again");
            e->store_pause = 0;
            e->store_pause_until = 0;
            e->deferred_in_pause = 0;
        }
    }
    return rc;
}

/* Commit the open batch with the marks of the feeds that changed, then acknowledge. */
static vg_err engine__commit(vg_engine *e, vg_errinfo *err)
{
    vg_feed_mark *next = NULL;
    vg_err rc = VG_OK;
    if (e->n_feeds && !(next = calloc(e->n_feeds, sizeof *next)))
        rc = vg_fail(err, VG_ERR_NOMEM, "out of memory for the feed marks");
    for (size_t f = 0; rc == VG_OK && f < e->n_feeds; f++) {
        if (!engine__mark_now(e, f, &next[f])) {
            rc = vg_fail(err, VG_ERR_NOMEM, "out of memory for the feed marks");
        } else if (!engine__mark_equal(&next[f], &e->feeds[f].committed)) {
            rc = engine__ensure_batch(e, err);
            if (rc == VG_OK)
                rc = vg_store_feed_mark_put(e->store, e->feeds[f].id, &next[f], err);
        }
    }
    if (rc == VG_OK && vg_store_in_batch(e->store))
        rc = engine__store_commit(e, err);
    if (rc != VG_OK) {
        e->stats.store_errors++;
        engine__rollback(e);
    } else {
        for (size_t f = 0; f < e->n_feeds; f++) {
            engine_feed *fd = &e->feeds[f];
            /* A held sample stored since (QC time-out, flush) moves the safe point: say so
             * even to a feed that sent nothing since its last acknowledgement. */
            if (!fd->ack_due && vg_feed_mark_safe(&next[f]) != vg_feed_mark_safe(&fd->committed)) {
                fd->ack_due = true;
                e->acks_due++;
            }
            vg_feed_mark_clear(&fd->committed);
            fd->committed = next[f];
            memset(&next[f], 0, sizeof next[f]);
        }
        engine__send_acks(e);
    }
    for (size_t f = 0; next && f < e->n_feeds; f++)
        vg_feed_mark_clear(&next[f]);
    free(next);
    return rc;
}

/* Emit callback of the QC streams: store, then tell the listener. */
static void engine__emit(void *ctx, const vg_sample *s)
{
    vg_engine *e = ctx;
    vg_errinfo err;
    vg_err rc = engine__ensure_batch(e, &err);
    if (rc == VG_OK)
        rc = vg_store_put_sample(e->store, s, &err);
    if (rc != VG_OK) {
        e->stats.store_errors++;
        if (e->store_rc == VG_OK) {
            e->store_rc = rc;
            e->store_err = err;
        }
        return;
    }
    e->stats.samples++;
    e->batch_samples++;
    if (e->listener)
        e->listener(e->listener_ctx, s);
}

/* Event sink of the streams: log, store (its own transaction), tell the listener. */
static void engine__event(void *ctx, const vg_event *ev)
{
    vg_engine *e = ctx;
    char first[VG_TIME_ISO_LEN], last[VG_TIME_ISO_LEN];
    e->stats.events++;
    vg_notice("event %s %s %s..%s: %s", vg_event_kind_name(ev->kind), ev->platform,
              vg_time_format_iso8601(ev->first, first), vg_time_format_iso8601(ev->last, last),
              ev->text);
    vg_errinfo err;
    if (vg_store_put_event(e->store, ev, &err) != VG_OK) {
        e->stats.store_errors++;
        vg_error("could not store the event: %s", err.text);
    }
    if (e->event_listener)
        e->event_listener(e->event_ctx, ev);
}

/* Run the daily sea-level analysis of platform i if its data passed a UTC day: right
 * after the push that passed it, so that a replay of old data analyses each day as a
 * live stream does. */
static void engine__run_events_of(vg_engine *e, size_t i)
{
    if (!e->streams[i] || !vg_qc_stream_events_due(e->streams[i]))
        return;
    vg_errinfo err;
    if (vg_qc_stream_run_events(e->streams[i], engine__event, e, &err) != VG_OK)
        vg_error("%s: sea-level analysis: %s", e->cfg->platforms[i].id, err.text);
}

static void engine__run_events(vg_engine *e)
{
    for (size_t i = 0; i < e->cfg->n_platforms; i++)
        engine__run_events_of(e, i);
}

static void engine__quarantine(vg_engine *e, const char *source, vg_time_us received,
                               const vg_errinfo *why, const char *frame, size_t len)
{
    e->stats.quarantined++;
    if ((unsigned)why->code < VG_ERR__COUNT)
        e->stats.quarantined_by[why->code]++;
    /* Rate-limit the log: the first 20 of each reason, then every 1000th. */
    uint64_t n = e->stats.quarantined_by[why->code];
    if (n <= 20 || n % 1000 == 0)
        vg_warn("quarantined a frame from %s (%s, #%llu of this reason): %s", source,
                vg_err_name(why->code), (unsigned long long)n, why->text);
    vg_errinfo err;
    vg_err rc = engine__ensure_batch(e, &err);
    if (rc == VG_OK)
        rc = vg_store_put_quarantine(e->store, received, source, why->code, why->text, frame,
                                     len, &err);
    if (rc != VG_OK) {
        e->stats.store_errors++;
        if (e->store_rc == VG_OK) {
            e->store_rc = rc;
            e->store_err = err;
        }
    }
}

static int engine__seed_one(void *ctx, const vg_obs *o)
{
    if (o->qc.agg != VG_FLAG_BAD && o->qc.agg != VG_FLAG_MISSING)
        vg_qc_stream_seed_sea_level(ctx, o->time, o->value);
    return 0;
}

/* A new stream of a watched tide gauge (start-up, reload) gets the stored sea level of the
 * VG_SLM_DAYS days before its first sample t, so that its datum-shift and clock-offset
 * watch goes on instead of starting from nothing. A store error is logged, not fatal. */
static void engine__seed(vg_engine *e, vg_qc_stream *st, const char *platform, vg_time_us t)
{
    if (!vg_qc_stream_watches_sea_level(st))
        return;
    vg_query q = {.platform = platform, .param = VG_P_SLEV,
                  .from = t - (vg_time_us)VG_SLM_DAYS * 86400 * VG_US_PER_S, .to = t - 1};
    vg_errinfo err;
    if (vg_store_query(e->store, &q, engine__seed_one, st, &err) != VG_OK)
        vg_error("%s: reading the stored sea level for the datum and clock watch: %s",
                 platform, err.text);
    if (vg_qc_stream_seed_done(st, &err) != VG_OK)
        vg_error("%s: sea-level analysis: %s", platform, err.text);
}

/* Index of platform `id` in cfg->platforms, or -1. */
static long engine__platform(vg_engine *e, const char *id)
{
    const vg_config *cfg = e->cfg;
    if (e->last_platform < cfg->n_platforms &&
        strcmp(cfg->platforms[e->last_platform].id, id) == 0)
        return (long)e->last_platform;
    for (size_t i = 0; i < cfg->n_platforms; i++) {
        if (strcmp(cfg->platforms[i].id, id) == 0) {
            e->last_platform = i;
            return (long)i;
        }
    }
    return -1;
}

/* One frame: parse with ops/state, check, push into its platform's stream. A frame of
 * an acknowledged feed carries (feed, seq), feed = -1 otherwise: when its sample stays
 * held in the stream, the stream is tagged with it (engine__mark_now). */
static void engine__line(vg_engine *e, const vg_parser_ops *ops, void *state,
                         const char *name, const char *line, size_t len,
                         vg_time_us received, int64_t now_mono, long feed, uint64_t seq)
{
    vg_errinfo why;
    e->stats.frames++;
    if (len > VG_FRAME_MAX) {
        vg_fail(&why, VG_ERR_TRUNCATED, "line of %zu bytes is longer than the %d-byte limit",
                len, VG_FRAME_MAX);
        engine__quarantine(e, name, received, &why, line, len);
        return;
    }
    vg_sample s;
    bool produced = false;
    vg_sample_init(&s);
    vg_err rc = ops->parse_line(state, line, len, received, &s, &produced, &why);
    if (rc != VG_OK) {
        why.code = rc;
        engine__quarantine(e, name, received, &why, line, len);
        return;
    }
    if (!produced)
        return;
    s.received = received;
    s.raw = line;
    s.raw_len = len;
    long pi = engine__platform(e, s.platform);
    if (pi < 0) {
        vg_fail(&why, VG_ERR_UNKNOWN_PLATFORM, "platform '%s' is not in %s", s.platform,
                e->cfg->path);
        engine__quarantine(e, name, received, &why, line, len);
        return;
    }
    vg_time_us limit = received + (vg_time_us)(e->cfg->future_tolerance_s * 1e6);
    if (s.time > limit) {
        char t[VG_TIME_ISO_LEN], r[VG_TIME_ISO_LEN];
        vg_fail(&why, VG_ERR_FUTURE, "%s: time %s is after reception %s + %g s", s.platform,
                vg_time_format_iso8601(s.time, t), vg_time_format_iso8601(received, r),
                e->cfg->future_tolerance_s);
        engine__quarantine(e, name, received, &why, line, len);
        return;
    }
    vg_qc_stream **st = &e->streams[pi];
    if (!*st) {
        if (vg_qc_stream_new(e->plan, &e->cfg->platforms[pi], st, &why) != VG_OK) {
            engine__quarantine(e, name, received, &why, line, len);
            return;
        }
        vg_qc_stream_set_peers(*st, e->peers, (size_t)pi);
        engine__seed(e, *st, s.platform, s.time);
    }
    rc = vg_qc_stream_push(*st, &s, now_mono, engine__emit, e, &why);
    if (rc != VG_OK) {
        why.code = rc;
        engine__quarantine(e, name, received, &why, line, len);
        return;
    }
    e->held_feed[pi] = vg_qc_stream_pending(*st) ? feed : -1;
    e->held_seq[pi] = seq;
    /* The daemon's own clock, not `received`: a feed's frames carry the time the feed read
     * them, and a backlog replayed after a link outage would end and restart the silence
     * every second until it drained. */
    vg_silence_sample(&e->silence[pi], s.time, vg_time_now(), engine__event, e);
    engine__run_events_of(e, (size_t)pi);
}

static vg_err engine__take_store_error(vg_engine *e, vg_errinfo *err)
{
    vg_err rc = e->store_rc;
    if (rc != VG_OK) {
        if (err)
            *err = e->store_err;
        e->store_rc = VG_OK;
        engine__rollback(e);
    }
    return rc;
}

vg_err vg_engine_feed(vg_engine *e, size_t source, const char *msg, size_t len,
                      vg_time_us received, int64_t now_mono_us, vg_errinfo *err)
{
    if (source >= e->n_sources)
        return vg_fail(err, VG_ERR_INVAL, "no ingest source %zu", source);
    e->last_mono = now_mono_us;
    engine_source *src = &e->sources[source];
    e->stats.messages++;
    const char *p = msg, *end = msg + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        size_t n = (size_t)(eol - p);
        if (n && p[n - 1] == '\r')
            n--;
        if (n)
            engine__line(e, src->ops, src->state, src->cfg->endpoint, p, n, received,
                         now_mono_us, -1, 0);
        p = nl ? nl + 1 : end;
    }
    vg_err rc = engine__take_store_error(e, err);
    if (rc != VG_OK)
        return rc;
    if (e->batch_samples >= e->cfg->commit_max_samples)
        return engine__commit(e, err);
    return VG_OK;
}

vg_err vg_engine_tick(vg_engine *e, int64_t now_mono_us, vg_errinfo *err)
{
    e->last_mono = now_mono_us;
    for (size_t i = 0; i < e->cfg->n_platforms; i++) {
        if (e->streams[i]) {
            vg_qc_stream_expire(e->streams[i], now_mono_us, engine__emit, e);
            if (!vg_qc_stream_pending(e->streams[i]))
                e->held_feed[i] = -1;
        }
    }
    engine__run_events(e);
    vg_err rc = engine__take_store_error(e, err);
    if (rc != VG_OK)
        return rc;
    /* Acknowledgements wait for a replica that did not acknowledge the last commits: once a
     * second while nothing else commits, commit a feed's unchanged mark again, whose
     * acknowledgement by a replica (back, or caught up) releases them. */
    if (e->replica_acks && e->replicated < e->commit_no && engine__acks_waiting(e) &&
        !vg_store_in_batch(e->store) && now_mono_us - e->probe_mono >= VG_US_PER_S) {
        e->probe_mono = now_mono_us;
        if ((rc = engine__ensure_batch(e, err)) == VG_OK &&
            (rc = vg_store_feed_mark_put(e->store, e->feeds[0].id, &e->feeds[0].committed,
                                         err)) == VG_OK)
            rc = engine__store_commit(e, err);
        if (rc != VG_OK) { /* the probe held nothing else: no rollback of the streams */
            e->stats.store_errors++;
            vg_store_abort(e->store);
            return rc;
        }
    }
    if (vg_store_in_batch(e->store)
            ? now_mono_us - e->batch_start_mono >= (int64_t)e->cfg->commit_interval_ms * 1000
            : e->acks_due > 0)
        rc = engine__commit(e, err);
    /* Once a second: release what dead readers (vigie dump) held in the store. The batch
     * is committed first: a store that needs recovery is recovered without one open. */
    if (rc == VG_OK && now_mono_us - e->maintain_mono >= VG_US_PER_S) {
        e->maintain_mono = now_mono_us;
        rc = engine__commit(e, err);
        if (rc == VG_OK && (rc = vg_store_maintain(e->store, err)) != VG_OK)
            e->stats.store_errors++;
        if (vg_store_generation(e->store) != e->generation) {
            e->generation = vg_store_generation(e->store);
            engine__reread_marks(e);
        }
        /* Log retention: a failure is logged, not an ingest failure (the logs only grow). */
        size_t removed = 0;
        vg_errinfo lerr;
        if (rc == VG_OK && e->cfg->log_keep_mb >= 0) {
            if (vg_store_log_retain(e->store, e->cfg->log_keep_mb, &removed, &lerr) != VG_OK)
                vg_warn("log retention: %s", lerr.text);
            else if (removed)
                vg_info("log retention: removed %zu old log file(s) (log_keep_mb %d)", removed,
                        e->cfg->log_keep_mb);
        }
    }
    return rc;
}

void vg_engine_check_silences(vg_engine *e, vg_time_us now)
{
    for (size_t i = 0; i < e->n_silence; i++)
        vg_silence_check(&e->silence[i], now, engine__event, e);
}

bool vg_engine_feed_frames_open(const vg_engine *e)
{
    return e->acks_due > 0 && vg_store_in_batch(e->store);
}

vg_err vg_engine_commit(vg_engine *e, vg_errinfo *err)
{
    vg_err rc = engine__take_store_error(e, err);
    if (rc != VG_OK)
        return rc;
    return engine__commit(e, err);
}

bool vg_engine_commit_due(const vg_engine *e, int64_t now_mono_us)
{
    return vg_store_in_batch(e->store) &&
           now_mono_us - e->batch_start_mono >= (int64_t)e->cfg->commit_interval_ms * 1000;
}

long vg_engine_next_tick_ms(const vg_engine *e, int64_t now_mono_us)
{
    long next = -1;
    if (vg_store_in_batch(e->store)) {
        int64_t due = e->batch_start_mono + (int64_t)e->cfg->commit_interval_ms * 1000;
        next = due <= now_mono_us ? 0 : (long)((due - now_mono_us + 999) / 1000);
    } else if (e->acks_due) {
        next = 0; /* a resent batch held nothing new: acknowledge it at once */
    }
    for (size_t i = 0; i < e->cfg->n_platforms; i++) {
        if (e->streams[i] && vg_qc_stream_pending(e->streams[i])) {
            /* The hold time-out is checked at least once a second. */
            if (next < 0 || next > 1000)
                next = 1000;
        }
    }
    return next;
}

vg_err vg_engine_flush(vg_engine *e, vg_errinfo *err)
{
    for (size_t i = 0; i < e->cfg->n_platforms; i++)
        if (e->streams[i])
            vg_qc_stream_flush(e->streams[i], engine__emit, e);
    engine__run_events(e);
    engine__clear_tags(e);
    vg_err rc = engine__take_store_error(e, err);
    if (rc != VG_OK)
        return rc;
    return engine__commit(e, err);
}

vg_err vg_engine_reconfigure(vg_engine *e, const vg_config *cfg, const vg_qc_plan *plan,
                             vg_errinfo *err)
{
    vg_err rc = vg_engine_flush(e, err);
    if (rc != VG_OK)
        return rc;
    engine__free_sources(e);
    engine__free_streams(e, e->cfg->n_platforms);
    engine__free_feed_parsers(e); /* recreated from the new configuration at their next batch */
    return engine__setup(e, cfg, plan, err);
}

void vg_engine_set_ack(vg_engine *e, vg_engine_ack_fn fn, void *ctx)
{
    e->ack = fn;
    e->ack_ctx = ctx;
}

/* The feed named id, found or added (its committed mark read from the store); NULL and
 * err set on failure. */
static engine_feed *engine__feed(vg_engine *e, const char *id, vg_errinfo *err)
{
    if (e->last_feed < e->n_feeds && strcmp(e->feeds[e->last_feed].id, id) == 0)
        return &e->feeds[e->last_feed];
    for (size_t i = 0; i < e->n_feeds; i++)
        if (strcmp(e->feeds[i].id, id) == 0)
            return &e->feeds[e->last_feed = i];
    if (e->n_feeds == e->cap_feeds) {
        size_t nc = e->cap_feeds ? 2 * e->cap_feeds : 8;
        engine_feed *nf = realloc(e->feeds, nc * sizeof *nf);
        if (!nf) {
            vg_fail(err, VG_ERR_NOMEM, "out of memory for feed %s", id);
            return NULL;
        }
        e->feeds = nf;
        e->cap_feeds = nc;
    }
    engine_feed *fd = &e->feeds[e->n_feeds];
    memset(fd, 0, sizeof *fd);
    snprintf(fd->id, sizeof fd->id, "%s", id);
    vg_err rc = vg_store_feed_mark_get(e->store, id, &fd->committed, err);
    if (rc == VG_ERR_NOTFOUND)
        rc = VG_OK;
    if (rc != VG_OK || !engine__mark_copy(&fd->live, &fd->committed)) {
        if (rc == VG_OK)
            vg_fail(err, VG_ERR_NOMEM, "out of memory for feed %s", id);
        vg_feed_mark_clear(&fd->committed);
        return NULL;
    }
    vg_info("feed %s: first batch since start; committed up to %llu (%zu pending)", id,
            (unsigned long long)fd->committed.high, fd->committed.n_pending);
    e->last_feed = e->n_feeds++;
    return fd;
}

/* Remove seq from the ascending array m->pending; true if it was there. */
static bool engine__take_pending(vg_feed_mark *m, uint64_t seq)
{
    size_t lo = 0, hi = m->n_pending;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->pending[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == m->n_pending || m->pending[lo] != seq)
        return false;
    memmove(m->pending + lo, m->pending + lo + 1, (m->n_pending - lo - 1) * sizeof *m->pending);
    m->n_pending--;
    return true;
}

vg_err vg_engine_feed_batch(vg_engine *e, size_t source, const char *feed, uint64_t epoch,
                            uint64_t first_seq, size_t n, const vg_time_us *received,
                            const char *frames, size_t len, int64_t now_mono_us,
                            vg_errinfo *err)
{
    e->last_mono = now_mono_us;
    if (source >= e->n_sources)
        return vg_fail(err, VG_ERR_INVAL, "no ingest source %zu", source);
    if (!feed || !vg_platform_id_valid(feed, strnlen(feed, VG_FEED_ID_MAX)))
        return vg_fail(err, VG_ERR_PARSE, "feed id is not 1-31 characters of [A-Za-z0-9_.-]");
    if (first_seq == 0 || first_seq > UINT64_MAX - n)
        return vg_fail(err, VG_ERR_PARSE, "feed %s: first sequence %llu out of range", feed,
                       (unsigned long long)first_seq);
    size_t count = 0;
    for (const char *p = frames, *end = frames + len; p < end; count++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return vg_fail(err, VG_ERR_PARSE, "feed %s: last frame without its newline", feed);
        p = nl + 1;
    }
    if (count != n)
        return vg_fail(err, VG_ERR_PARSE, "feed %s: %zu frames for %zu reception times", feed,
                       count, n);
    engine_feed *fd = engine__feed(e, feed, err);
    if (!fd)
        return VG_ERR_DB;
    long fi = (long)(fd - e->feeds);
    const vg_ingest_cfg *ic = e->sources[source].cfg;
    if (!fd->ops || fd->source != source) {
        if (fd->ops)
            fd->ops->destroy(fd->state);
        fd->ops = NULL;
        vg_err rc = e->sources[source].ops->create(ic, &fd->state, err);
        if (rc != VG_OK)
            return rc;
        fd->ops = e->sources[source].ops;
        fd->source = source;
    }
    if (epoch != fd->live.epoch) {
        if (fd->live.high || fd->live.epoch)
            vg_notice("feed %s: new spool (id %016llx, was %016llx): its sequence numbers "
                      "start again", feed, (unsigned long long)epoch,
                      (unsigned long long)fd->live.epoch);
        vg_feed_mark_clear(&fd->live);
        fd->live.epoch = epoch;
        for (size_t p = 0; p < e->cfg->n_platforms; p++)
            if (e->held_feed[p] == fi)
                e->held_feed[p] = -1;
    }
    e->stats.messages++;
    e->stats.feed_batches++;
    if (now_mono_us < e->store_pause_until) {
        /* Storage failed a moment ago: no try, no request to resend (the feed resends after
         * its acknowledgement time-out). */
        e->stats.feed_deferred++;
        e->deferred_in_pause++;
        fd->deferred = true;
        fd->resend_asked = false; /* a gap after the pause may ask again */
        return VG_OK;
    }
    /* The next frame the engine needs: the first one of before a restart that is still to
     * be stored (its sample was held by QC at the last commit), else high + 1. */
    uint64_t need = fd->live.n_pending ? fd->live.pending[0] : fd->live.high + 1;
    if (first_seq > need) {
        /* Frames need..first_seq-1 never arrived (sent to a daemon that died, or lost in a
         * reconnect): taking this batch would make them look like duplicates later, or
         * (a pending one) come after newer samples of its stream. */
        e->stats.feed_gaps++;
        if (!fd->resend_asked) {
            fd->resend_asked = true;
            vg_info("feed %s: batch from frame %llu but frames %llu.. never arrived: asked "
                    "to resend", feed, (unsigned long long)first_seq, (unsigned long long)need);
            if (e->ack)
                e->ack(e->ack_ctx, fd->id, fd->live.epoch, need - 1, true);
        }
        return VG_OK;
    }
    fd->resend_asked = false;
    if (!fd->ack_due) {
        fd->ack_due = true;
        e->acks_due++;
    }
    const char *p = frames;
    for (size_t i = 0; i < n; i++) {
        const char *nl = memchr(p, '\n', (size_t)(frames + len - p));
        size_t fl = (size_t)(nl - p);
        uint64_t seq = first_seq + i;
        bool take = seq > fd->live.high || engine__take_pending(&fd->live, seq);
        if (!take) {
            e->stats.feed_duplicates++;
        } else {
            if (seq > fd->live.high)
                fd->live.high = seq; /* no gap: the batch started at `need` at most */
            if (fl)
                engine__line(e, fd->ops, fd->state, fd->id, p, fl, received[i], now_mono_us,
                             fi, seq);
        }
        p = nl + 1;
    }
    vg_err rc = engine__take_store_error(e, err);
    if (rc != VG_OK)
        return rc;
    if (e->batch_samples >= e->cfg->commit_max_samples)
        return engine__commit(e, err);
    return VG_OK;
}
