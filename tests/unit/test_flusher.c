/* test_flusher.c: group commit with the log flush off the engine's thread, on a real store.
 * The engine with deferred acknowledgements (vg_engine_set_deferred_acks) commits without
 * sync and sends nothing until vg_engine_durable covers the commit; several commits in
 * flight become one acknowledgement of the newest point; an acknowledgement of a commit
 * already durable leaves at once. The flusher thread (daemon/flusher.h) flushes what is
 * asked, wakes its eventfd, and reports the durable commit number. vg_engine_commit commits
 * the frames of feeds at once (the daemon's idle commit). (That a crash loses no
 * acknowledged frame is shown by the real daemon under SIGKILL:
 * tests/integration/test_feed_crash.sh.) */
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "rm_rf.h"
#include "core/log.h"
#include "daemon/engine.h"
#include "daemon/flusher.h"
#include "qc/plan.h"
#include "storage/store.h"

static const char *yaml =
    "storage: {path: /unused, commit_max_samples: 100000}\n"
    "ingest:\n"
    "  - {bind: 'tcp://127.0.0.1:1', format: json, kind: feed, security: none}\n"
    "platforms:\n"
    "  - {id: TG1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV]}\n";

#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

typedef struct acks {
    int n;
    uint64_t seq;
} acks;

static void on_ack(void *ctx, const char *feed, uint64_t epoch, uint64_t seq, bool resend)
{
    acks *a = ctx;
    CHECK_STR(feed, "F1");
    CHECK(epoch == 0x5eed && !resend);
    a->n++;
    a->seq = seq;
}

/* Frames first..last of feed F1: hourly TG1 samples, frame k at hour k. */
static vg_err batch(vg_engine *e, uint64_t first, uint64_t last)
{
    static char text[1 << 16];
    static vg_time_us times[512];
    size_t len = 0, n = 0;
    for (uint64_t k = first; k <= last; k++, n++) {
        char iso[VG_TIME_ISO_LEN];
        vg_time_format_iso8601(T0 + (vg_time_us)k * 3600 * 1000000, iso);
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "{\"platform\":\"TG1\",\"time\":\"%s\",\"values\":{\"SLEV\":%g}}\n",
                                iso, (double)k / 100);
        times[n] = T0 + INT64_C(400) * 24 * 3600 * 1000000;
    }
    vg_errinfo err;
    vg_err rc = vg_engine_feed_batch(e, 0, "F1", 0x5eed, first, n, times, text, len,
                                     vg_time_mono_us(), &err);
    if (rc != VG_OK)
        fprintf(stderr, "batch: %s\n", err.text);
    return rc;
}

/* Commit the open batch now (as the commit timer would). */
static void commit(vg_engine *e)
{
    vg_errinfo err;
    CHECK(vg_engine_tick(e, vg_time_mono_us() + 10 * 1000000, &err) == VG_OK);
}

/* Wait (10 s at most) for the flusher to report a durable commit >= want. */
static uint64_t wait_durable(vg_flusher *f, uint64_t want)
{
    uint64_t durable = 0;
    for (int i = 0; i < 100 && durable < want; i++) {
        struct pollfd p = {.fd = vg_flusher_fd(f), .events = POLLIN};
        if (poll(&p, 1, 100) > 0) {
            CHECK(vg_flusher_ready(f));
            bool failed = true;
            vg_errinfo err;
            durable = vg_flusher_take(f, &failed, &err);
            CHECK(!failed);
            CHECK(!vg_flusher_ready(f));
        }
    }
    return durable;
}

int main(void)
{
    vg_log_set_level(VG_LOG_ERROR);
    char dir[] = "/tmp/vigie-test-flusher-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    vg_errinfo err;
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_store *store = NULL;
    vg_engine *e = NULL;
    vg_flusher *f = NULL;
    vg_store_options so = {.cache_mb = 8};
    acks a = {0};
    CHECK(vg_config_load_string(yaml, strlen(yaml), "flusher.yaml", &cfg, &err) == VG_OK);
    CHECK(cfg && vg_qc_plan_build(cfg, &plan, &err) == VG_OK);
    CHECK(plan && vg_store_open(dir, &so, &store, &err) == VG_OK);
    CHECK(store && vg_engine_new(cfg, plan, store, &e, &err) == VG_OK);
    CHECK(e && vg_flusher_start(store, &f, &err) == VG_OK);
    if (!e || !f) {
        fprintf(stderr, "%s\n", err.text);
        return check_summary();
    }
    vg_engine_set_ack(e, on_ack, &a);
    vg_engine_set_deferred_acks(e, true);

    /* A commit: no acknowledgement until it is durable. */
    CHECK(batch(e, 1, 20) == VG_OK);
    commit(e);
    CHECK(vg_engine_commits(e) == 1);
    CHECK(a.n == 0);
    CHECK(!vg_flusher_ready(f));
    vg_flusher_request(f, vg_engine_commits(e));
    CHECK(wait_durable(f, 1) == 1);
    CHECK(a.n == 0); /* the flusher does not call the engine: the loop does */
    vg_engine_durable(e, 1);
    CHECK_MSG(a.n == 1 && a.seq == 19, "%d acks, seq %llu", a.n, (unsigned long long)a.seq);

    /* The idle commit of the daemon: frames of a feed in the open batch, committed now. */
    CHECK(!vg_engine_feed_frames_open(e));
    CHECK(batch(e, 21, 30) == VG_OK);
    CHECK(vg_engine_feed_frames_open(e));
    CHECK(vg_engine_commit(e, &err) == VG_OK);
    CHECK(!vg_engine_feed_frames_open(e));
    CHECK(vg_engine_commits(e) == 2 && a.n == 1);
    vg_engine_durable(e, 2);
    CHECK_MSG(a.n == 2 && a.seq == 29, "%d acks, seq %llu", a.n, (unsigned long long)a.seq);
    CHECK(vg_engine_commit(e, &err) == VG_OK); /* nothing open: nothing to do */
    CHECK(vg_engine_commits(e) == 2 && a.n == 2);

    /* Two commits in flight: the first durable acknowledges its own point only. */
    CHECK(batch(e, 31, 40) == VG_OK);
    commit(e);
    CHECK(batch(e, 41, 60) == VG_OK);
    commit(e);
    CHECK(vg_engine_commits(e) == 4);
    CHECK(a.n == 2);
    vg_engine_durable(e, 3);
    CHECK_MSG(a.n == 3 && a.seq == 39, "%d acks, seq %llu", a.n, (unsigned long long)a.seq);
    vg_engine_durable(e, 3); /* again: nothing new */
    CHECK(a.n == 3);
    vg_engine_durable(e, 4);
    CHECK(a.n == 4 && a.seq == 59);

    /* Many commits, one durable report: one acknowledgement, of the newest point. */
    for (uint64_t k = 61; k <= 161; k += 10) {
        CHECK(batch(e, k, k + 9) == VG_OK);
        commit(e);
    }
    CHECK(vg_engine_commits(e) == 15);
    CHECK(a.n == 4);
    vg_flusher_request(f, vg_engine_commits(e));
    vg_engine_durable(e, wait_durable(f, 15));
    CHECK_MSG(a.n == 5 && a.seq == 169, "%d acks, seq %llu", a.n, (unsigned long long)a.seq);

    /* A resent batch of frames already committed, durable: acknowledged at the next tick
     * without waiting (no new commit). */
    CHECK(batch(e, 150, 170) == VG_OK);
    commit(e);
    CHECK(vg_engine_commits(e) == 15);
    CHECK(a.n == 6 && a.seq == 169);
    CHECK(vg_flusher_flushes(f) >= 2);

    /* Every sample of the commits is in the store once reopened (the engine goes without
     * its final flush: frame 170 stays held by QC, unstored). */
    vg_flusher_stop(f);
    vg_engine_free(e);
    CHECK(vg_store_close(store, &err) == VG_OK);
    store = NULL;
    CHECK(vg_store_open(dir, &so, &store, &err) == VG_OK);
    vg_store_counts c = {0};
    CHECK(store && vg_store_count(store, &c, &err) == VG_OK);
    CHECK_MSG(c.samples == 169, "%llu samples", (unsigned long long)c.samples);
    CHECK(vg_store_flush_log(store, &err) == VG_OK);
    CHECK(vg_store_close(store, &err) == VG_OK);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
    test_rm_rf(dir);
    return check_summary();
}
