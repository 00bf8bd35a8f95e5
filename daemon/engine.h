/* engine.h: the pipeline of the daemon without its sockets: frames in, parsed by the
 * endpoint's parser, checked (platform known, time not in the future), quality-controlled
 * by the platform's stream, stored in batches, and handed to a listener (the PUB socket).
 * Input that cannot be ingested is quarantined verbatim with its reason and counted; the
 * engine never stops on input. The daemon, the benchmarks and the tests drive the same
 * engine, so what they measure and check is what runs. Single-threaded. */
#ifndef VIGIE_DAEMON_ENGINE_H
#define VIGIE_DAEMON_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/error.h"
#include "core/event.h"
#include "qc/plan.h"
#include "storage/store.h"

#define VG_FRAME_MAX (64 * 1024) /* longest accepted line, bytes; longer ones are quarantined */

typedef struct vg_engine vg_engine;

/* The pause of feed batches after a storage failure (vg_engine_feed_batch), microseconds. */
#define VG_ENGINE_STORE_PAUSE_MIN_US 250000
#define VG_ENGINE_STORE_PAUSE_MAX_US 2000000

typedef struct vg_engine_stats {
    uint64_t messages;                        /* ZeroMQ messages (or feed calls) */
    uint64_t frames;                          /* non-empty lines */
    uint64_t samples;                         /* samples judged and stored */
    uint64_t quarantined;                     /* frames quarantined */
    uint64_t quarantined_by[VG_ERR__COUNT];   /* ... by reason */
    uint64_t commits;                         /* storage transactions committed */
    uint64_t store_errors;                    /* failed puts or commits */
    uint64_t events;                          /* QC events raised (datum shifts, clock...) */
    uint64_t feed_batches;                    /* batches of acknowledged feeds */
    uint64_t feed_duplicates;                 /* frames of resent batches already stored */
    uint64_t feed_rollbacks;                  /* failed batches: feeds must resend */
    uint64_t feed_gaps;                       /* batches refused: frames before them missing */
    uint64_t feed_deferred;                   /* batches left unacknowledged without a try
                                               * while storage pauses after a failure */
} vg_engine_stats;

/* Called with every stored sample (for publishing). s is valid during the call only. */
typedef void (*vg_engine_listener)(void *ctx, const vg_sample *s);

/* New engine over cfg, plan and store (all borrowed; they must outlive the engine or be
 * replaced with vg_engine_reconfigure). Creates one parser per cfg->ingest entry; fails
 * with VG_ERR_CONFIG naming the entry when a format is unknown. */
vg_err vg_engine_new(const vg_config *cfg, const vg_qc_plan *plan, vg_store *store,
                     vg_engine **out, vg_errinfo *err);

/* Flushes nothing: call vg_engine_flush first. e may be NULL. */
void vg_engine_free(vg_engine *e);

void vg_engine_set_listener(vg_engine *e, vg_engine_listener fn, void *ctx);

/* Called with every QC event (core/event.h) after it is logged (notice) and stored in
 * events.db (storage/events.h). ev is valid during the call only. */
typedef void (*vg_engine_event_listener)(void *ctx, const vg_event *ev);

void vg_engine_set_event_listener(vg_engine *e, vg_engine_event_listener fn, void *ctx);

/* Acknowledgement of an acknowledged feed (ingest kind `feed`): every frame of feed `feed`
 * (spool `epoch`) with a sequence <= seq is committed in the store. Called after a commit
 * (from vg_engine_feed_batch, vg_engine_tick or vg_engine_flush) for each feed that sent a
 * batch since its last acknowledgement; never for a batch that was rolled back. With
 * resend true it is a request instead: a batch came after a gap (frames after seq never
 * arrived), it was not ingested, and the feed must send again every frame after seq.
 * feed is valid during the call. */
typedef void (*vg_engine_ack_fn)(void *ctx, const char *feed, uint64_t epoch, uint64_t seq,
                                 bool resend);

void vg_engine_set_ack(vg_engine *e, vg_engine_ack_fn fn, void *ctx);

/* Deferred acknowledgements, for a log flush off the engine's thread (the daemon's flusher,
 * daemon/flusher.h). With on, the engine commits without waiting for the disk
 * (vg_store_commit_nosync) and keeps each acknowledgement until vg_engine_durable says that
 * its commit reached the disk; resend requests still leave at once. Off (the default: tests,
 * benchmarks, tools): each commit is durable when it returns and its acknowledgements leave
 * at once. Set it before the first batch. */
void vg_engine_set_deferred_acks(vg_engine *e, bool on);

/* With on (storage.replication.ack_required, on a master with deferred acks), an
 * acknowledgement also waits until a replica acknowledged its commit (no
 * DB_EVENT_REP_PERM_FAILED during it or a later commit): while no replica answers, feeds
 * keep their frames. While acknowledgements wait so, vg_engine_tick commits a feed's
 * unchanged mark once a second to learn when a replica is back. Set it before the first
 * batch. */
void vg_engine_set_replica_acks(vg_engine *e, bool on);

/* Number of successful commits so far (1, 2, ...; 0 before the first): what to ask the
 * flusher to make durable. */
uint64_t vg_engine_commits(const vg_engine *e);

/* Every commit numbered <= commit is durable (a vg_store_flush_log that started after it
 * returned VG_OK): send the acknowledgements waiting for them (the newest point of each
 * feed); later acknowledgements of those commits leave at once. */
void vg_engine_durable(vg_engine *e, uint64_t commit);

/* Feed one batch of an acknowledged feed received on ingest endpoint `source` (an index
 * into cfg->ingest; its format and platform say how to parse). feed: the feed's id
 * (1-31 of [A-Za-z0-9_.-]); epoch: its spool's id; frames: n frames, each followed by one
 * "\n" (a frame holds no "\n"), with sequence numbers first_seq.., first_seq >= 1, received
 * at received[i] (UTC). Frames already committed (a resent batch) are skipped and counted
 * in feed_duplicates; the others go through the pipeline as vg_engine_feed's lines do, each
 * feed with its own parser state. Returns VG_ERR_PARSE when the frames do not match n or
 * the id is invalid (nothing ingested), VG_ERR_DB when storage failed (then the open batch
 * was rolled back, QC streams restarted, and the feeds will resend: nothing is lost).
 * After a storage failure the engine pauses: for VG_ENGINE_STORE_PAUSE_MIN_US, doubling at
 * each failure in a row up to VG_ENGINE_STORE_PAUSE_MAX_US, batches are left unacknowledged
 * without a try (VG_OK; counted in feed_deferred; their feeds resend after their
 * acknowledgement time-out), so that a store that fails every put (disk full, a master
 * demoted by another master) costs one try per pause instead of a loop of resends and
 * errors; the first commit that succeeds ends the pauses, asks the feeds whose batches were
 * deferred to resend (the ack callback with resend true) and logs how many were deferred.
 * The pause starts at the failure, on the clock of the newest now_mono_us given to
 * vg_engine_feed, vg_engine_feed_batch or vg_engine_tick. */
vg_err vg_engine_feed_batch(vg_engine *e, size_t source, const char *feed, uint64_t epoch,
                            uint64_t first_seq, size_t n, const vg_time_us *received,
                            const char *frames, size_t len, int64_t now_mono_us,
                            vg_errinfo *err);

/* Feed one message received on ingest endpoint `source` (index into cfg->ingest): one or
 * more lines separated by "\n" ("\r\n" accepted). received: wall-clock UTC of arrival;
 * now_mono_us: monotonic clock. Returns VG_OK unless storage failed (then VG_ERR_DB and
 * err says why); bad input is quarantined, never returned as an error. */
vg_err vg_engine_feed(vg_engine *e, size_t source, const char *msg, size_t len,
                      vg_time_us received, int64_t now_mono_us, vg_errinfo *err);

/* Periodic work: releases samples held longer than qc.hold_timeout_s, runs the daily
 * sea-level analysis of each tide gauge whose data passed a UTC day (vg_qc_stream_run_events:
 * its events are logged, stored and handed to the event listener), commits the batch
 * when storage.commit_interval_ms has passed since it began, and at most once a second
 * commits the batch and runs vg_store_maintain (frees what dead readers held). */
vg_err vg_engine_tick(vg_engine *e, int64_t now_mono_us, vg_errinfo *err);

/* Judge every held sample as the edge of its stream and commit. */
vg_err vg_engine_flush(vg_engine *e, vg_errinfo *err);

/* Switch to a new configuration and plan (SIGHUP): flushes the streams, which restart
 * under the new chains; recreates the parsers. The caller checked vg_config_reloadable. */
vg_err vg_engine_reconfigure(vg_engine *e, const vg_config *cfg, const vg_qc_plan *plan,
                             vg_errinfo *err);

const vg_engine_stats *vg_engine_get_stats(const vg_engine *e);

/* The silence watch (qc/silence.h), about once a second: each platform heard from since
 * the start that sent nothing for its platforms[].silence_after_s raises one `silence`
 * event (logged, stored in events.db, handed to the event listener); its next sample raises
 * the second one, with the end. now: wall clock, UTC us. */
void vg_engine_check_silences(vg_engine *e, vg_time_us now);

/* True when the open batch holds frames of acknowledged feeds that wait for their
 * acknowledgement (a daemon loop with nothing else to do commits it at once: vg_engine_commit). */
bool vg_engine_feed_frames_open(const vg_engine *e);

/* Commit the open batch now, with the feeds' marks, and acknowledge (or, with deferred
 * acknowledgements, queue them for vg_engine_durable). VG_OK when nothing is open. Errors as
 * vg_engine_tick's commit (the batch rolled back, the feeds resend). */
vg_err vg_engine_commit(vg_engine *e, vg_errinfo *err);

/* True when the open batch is older than storage.commit_interval_ms: vg_engine_tick would
 * commit it. O(1), for a loop that drains many messages between its ticks. */
bool vg_engine_commit_due(const vg_engine *e, int64_t now_mono_us);

/* Milliseconds until the next tick has work (for a poll time-out); -1 if none pending. */
long vg_engine_next_tick_ms(const vg_engine *e, int64_t now_mono_us);

#endif
