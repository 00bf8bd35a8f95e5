/* engine.c: the daemon's pipeline, ingest -> QC -> storage -> listener (engine.h). */
#include "daemon/engine.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ingest/parser.h"
#include "qc/stream.h"
#include "storage/events.h"

typedef struct engine_source {
    const vg_parser_ops *ops;
    void *state;
    const vg_ingest_cfg *cfg;
} engine_source;

struct vg_engine {
    const vg_config *cfg;
    const vg_qc_plan *plan;
    vg_store *store;
    engine_source *sources;      /* one per cfg->ingest entry */
    size_t n_sources;
    vg_qc_stream **streams;      /* one per cfg->platforms entry, created on first sample */
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
}

static vg_err engine__setup(vg_engine *e, const vg_config *cfg, const vg_qc_plan *plan,
                            vg_errinfo *err)
{
    e->cfg = cfg;
    e->plan = plan;
    e->last_platform = 0;
    e->streams = calloc(cfg->n_platforms ? cfg->n_platforms : 1, sizeof *e->streams);
    e->sources = calloc(cfg->n_ingest ? cfg->n_ingest : 1, sizeof *e->sources);
    if (!e->streams || !e->sources)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the engine");
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

static vg_err engine__commit(vg_engine *e, vg_errinfo *err)
{
    if (!vg_store_in_batch(e->store))
        return VG_OK;
    vg_err rc = vg_store_commit(e->store, err);
    e->batch_samples = 0;
    if (rc != VG_OK) {
        e->stats.store_errors++;
        return rc;
    }
    e->stats.commits++;
    return VG_OK;
}

static vg_err engine__ensure_batch(vg_engine *e, vg_errinfo *err)
{
    if (vg_store_in_batch(e->store))
        return VG_OK;
    e->batch_start_mono = vg_time_mono_us();
    e->batch_samples = 0;
    return vg_store_begin(e->store, err);
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

static void engine__line(vg_engine *e, engine_source *src, const char *line, size_t len,
                         vg_time_us received, int64_t now_mono)
{
    vg_errinfo why;
    const char *name = src->cfg->endpoint;
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
    vg_err rc = src->ops->parse_line(src->state, line, len, received, &s, &produced, &why);
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
        engine__seed(e, *st, s.platform, s.time);
    }
    rc = vg_qc_stream_push(*st, &s, now_mono, engine__emit, e, &why);
    if (rc != VG_OK) {
        why.code = rc;
        engine__quarantine(e, name, received, &why, line, len);
    }
    engine__run_events_of(e, (size_t)pi);
}

static vg_err engine__take_store_error(vg_engine *e, vg_errinfo *err)
{
    vg_err rc = e->store_rc;
    if (rc != VG_OK) {
        if (err)
            *err = e->store_err;
        e->store_rc = VG_OK;
        vg_store_abort(e->store);
        e->batch_samples = 0;
    }
    return rc;
}

vg_err vg_engine_feed(vg_engine *e, size_t source, const char *msg, size_t len,
                      vg_time_us received, int64_t now_mono_us, vg_errinfo *err)
{
    if (source >= e->n_sources)
        return vg_fail(err, VG_ERR_INVAL, "no ingest source %zu", source);
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
            engine__line(e, src, p, n, received, now_mono_us);
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
    for (size_t i = 0; i < e->cfg->n_platforms; i++)
        if (e->streams[i])
            vg_qc_stream_expire(e->streams[i], now_mono_us, engine__emit, e);
    engine__run_events(e);
    vg_err rc = engine__take_store_error(e, err);
    if (rc != VG_OK)
        return rc;
    if (vg_store_in_batch(e->store) &&
        now_mono_us - e->batch_start_mono >= (int64_t)e->cfg->commit_interval_ms * 1000)
        rc = engine__commit(e, err);
    /* Once a second: release what dead readers (vigie dump) held in the store. The batch
     * is committed first: a store that needs recovery is recovered without one open. */
    if (rc == VG_OK && now_mono_us - e->maintain_mono >= VG_US_PER_S) {
        e->maintain_mono = now_mono_us;
        rc = engine__commit(e, err);
        if (rc == VG_OK && (rc = vg_store_maintain(e->store, err)) != VG_OK)
            e->stats.store_errors++;
    }
    return rc;
}

long vg_engine_next_tick_ms(const vg_engine *e, int64_t now_mono_us)
{
    long next = -1;
    if (vg_store_in_batch(e->store)) {
        int64_t due = e->batch_start_mono + (int64_t)e->cfg->commit_interval_ms * 1000;
        next = due <= now_mono_us ? 0 : (long)((due - now_mono_us + 999) / 1000);
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
    return engine__setup(e, cfg, plan, err);
}
