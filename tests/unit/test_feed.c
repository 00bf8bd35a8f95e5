/* test_feed.c: the acknowledged feed, below the sockets. The spool (feed/spool.h): frames
 * read back in order across segments, segments reclaimed once acknowledged, sequence
 * numbers that survive a reopen, and a table of damaged tails (cut mid-header, mid-frame,
 * a flipped byte, garbage) each cut at the last intact frame. The engine's side
 * (vg_engine_feed_batch on a real store): a resent batch stores nothing twice, the
 * acknowledgement never covers a sample still held by QC, the marks survive a reopen of
 * the store (a crash between commit and acknowledgement), and a new spool id restarts the
 * sequence. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "rm_rf.h"
#include "core/log.h"
#include "daemon/engine.h"
#include "daemon/setup.h"
#include "feed/spool.h"
#include "storage/feed_mark.h"
#include "storage/store.h"

static const vg_spool_options small = {.sync = VG_SPOOL_SYNC_ALWAYS, .segment_bytes = 4096};

/* Append n frames "frame-<k>" (k from first), flush. */
static void append(vg_spool *sp, int first, int n)
{
    vg_errinfo err;
    for (int k = first; k < first + n; k++) {
        char buf[64];
        int len = snprintf(buf, sizeof buf, "frame-%d with some padding to fill segments", k);
        uint64_t seq;
        CHECK(vg_spool_append(sp, (vg_time_us)k * 1000, buf, (size_t)len,
                              (vg_spool_pos){7, (uint64_t)k}, &seq, &err) == VG_OK);
        CHECK(seq == (uint64_t)k);
    }
    CHECK(vg_spool_flush(sp, vg_time_mono_us(), &err) == VG_OK);
}

/* Read everything from `from` and check that frames from..to come back in order. */
static void read_back(vg_spool *sp, uint64_t from, uint64_t to)
{
    vg_spool_frame fr[64];
    uint64_t want = from;
    vg_errinfo err;
    for (;;) {
        size_t n = 0;
        CHECK(vg_spool_read(sp, want, fr, 64, 1 << 20, &n, &err) == VG_OK);
        if (!n)
            break;
        for (size_t i = 0; i < n; i++, want++) {
            char buf[64];
            int len = snprintf(buf, sizeof buf, "frame-%llu with some padding to fill segments",
                               (unsigned long long)want);
            CHECK_MSG(fr[i].seq == want, "%llu vs %llu", (unsigned long long)fr[i].seq,
                      (unsigned long long)want);
            CHECK(fr[i].len == (size_t)len && memcmp(fr[i].data, buf, fr[i].len) == 0);
            CHECK(fr[i].time == (vg_time_us)want * 1000);
        }
    }
    CHECK_MSG(want == to + 1, "read up to %llu, expected %llu", (unsigned long long)want - 1,
              (unsigned long long)to);
}

static void test_spool_basics(const char *dir)
{
    vg_spool *sp = NULL;
    vg_errinfo err;
    CHECK(vg_spool_open(dir, &small, &sp, &err) == VG_OK);
    if (!sp)
        return;
    uint64_t id = vg_spool_id(sp);
    CHECK(id != 0);
    append(sp, 1, 200); /* ~90 bytes a record: several 4 KiB segments */
    CHECK(vg_spool_segments(sp) > 3);
    read_back(sp, 1, 200);
    read_back(sp, 150, 200); /* a resend from the middle */
    size_t before = vg_spool_segments(sp);
    CHECK(vg_spool_ack(sp, 120, &err) == VG_OK);
    CHECK(vg_spool_segments(sp) < before);
    CHECK(vg_spool_unacked(sp) == 80);
    read_back(sp, 121, 200); /* from before the acknowledgement: starts after it */
    CHECK(vg_spool_ack(sp, 201, &err) == VG_ERR_RANGE);
    vg_spool_close(sp);

    /* reopen: same id, sequence goes on, resume position kept */
    CHECK(vg_spool_open(dir, &small, &sp, &err) == VG_OK);
    if (!sp)
        return;
    CHECK(vg_spool_id(sp) == id);
    CHECK(vg_spool_last(sp) == 200);
    CHECK(vg_spool_resume_pos(sp).inode == 7 && vg_spool_resume_pos(sp).offset == 200);
    append(sp, 201, 5);
    CHECK(vg_spool_ack(sp, 205, &err) == VG_OK);
    CHECK(vg_spool_segments(sp) == 1); /* the newest is kept: the sequence never goes back */
    vg_spool_close(sp);
    CHECK(vg_spool_open(dir, &small, &sp, &err) == VG_OK);
    if (!sp)
        return;
    CHECK(vg_spool_last(sp) == 205 && vg_spool_id(sp) == id);
    vg_spool_close(sp);
}

/* The newest segment file of dir (the largest name). */
static void newest_segment(const char *dir, char *out, size_t cap)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%s'/seg-*.spool | tail -n 1", dir);
    FILE *p = popen(cmd, "r");
    out[0] = 0;
    if (p && fgets(out, (int)cap, p))
        out[strcspn(out, "\n")] = 0;
    if (p)
        pclose(p);
}

typedef struct damage {
    const char *what;
    int cut;          /* bytes cut from the end (0: none) */
    int flip_from_end; /* flip the byte this far from the end (0: none) */
    const char *garbage;
    uint64_t intact;  /* last frame expected after reopening */
} damage;

static void test_spool_torn(const char *base)
{
    /* One segment of 10 frames of 92 bytes (40 header + 52) each. */
    static const damage table[] = {
        {"intact", 0, 0, NULL, 10},
        {"cut in the last frame's bytes", 10, 0, NULL, 9},
        {"cut in the last frame's header", 60, 0, NULL, 9},
        {"cut two frames", 100, 0, NULL, 8},
        {"a flipped byte in the last frame", 0, 3, NULL, 9},
        {"garbage after the last frame", 0, 0, "\x01\x02garbage that is not a record", 10},
        {"zeros after the last frame", 0, 0, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                                             "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 10},
    };
    vg_spool_options big = {.sync = VG_SPOOL_SYNC_NEVER, .segment_bytes = 1 << 20};
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        char dir[300];
        snprintf(dir, sizeof dir, "%s/torn%zu", base, t);
        vg_spool *sp = NULL;
        vg_errinfo err;
        CHECK(vg_spool_open(dir, &big, &sp, &err) == VG_OK);
        if (!sp)
            continue;
        append(sp, 1, 10);
        vg_spool_close(sp);
        char seg[400];
        newest_segment(dir, seg, sizeof seg);
        struct stat st;
        CHECK(stat(seg, &st) == 0);
        if (table[t].cut)
            CHECK(truncate(seg, st.st_size - table[t].cut) == 0);
        if (table[t].flip_from_end || table[t].garbage) {
            int fd = open(seg, O_RDWR);
            CHECK(fd >= 0);
            if (table[t].flip_from_end) {
                unsigned char c;
                off_t at = st.st_size - table[t].flip_from_end;
                CHECK(pread(fd, &c, 1, at) == 1);
                c ^= 0x20;
                CHECK(pwrite(fd, &c, 1, at) == 1);
            } else {
                size_t gl = table[t].garbage[0] ? strlen(table[t].garbage) : 48;
                CHECK(pwrite(fd, table[t].garbage, gl, st.st_size) == (ssize_t)gl);
            }
            close(fd);
        }
        sp = NULL;
        CHECK_MSG(vg_spool_open(dir, &big, &sp, &err) == VG_OK, "%s: %s", table[t].what, err.text);
        if (!sp)
            continue;
        CHECK_MSG(vg_spool_last(sp) == table[t].intact, "%s: last %llu", table[t].what,
                  (unsigned long long)vg_spool_last(sp));
        read_back(sp, 1, table[t].intact);
        /* appending after the cut goes on with the next sequence, readable */
        append(sp, (int)table[t].intact + 1, 2);
        read_back(sp, 1, table[t].intact + 2);
        vg_spool_close(sp);
    }
}

/* ---- the engine's side --------------------------------------------------------------- */

static const char *yaml =
    "storage: {path: /unused, commit_max_samples: 1000}\n"
    "ingest:\n"
    "  - {bind: 'tcp://127.0.0.1:1', format: json, kind: feed, security: none}\n"
    "platforms:\n"
    "  - {id: TG1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV]}\n";

#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

typedef struct acks {
    int n, resends;
    uint64_t seq, epoch, resend_from;
} acks;

static void on_ack(void *ctx, const char *feed, uint64_t epoch, uint64_t seq, bool resend)
{
    acks *a = ctx;
    CHECK_STR(feed, "F1");
    if (resend) {
        a->resends++;
        a->resend_from = seq + 1;
        return;
    }
    a->n++;
    a->seq = seq;
    a->epoch = epoch;
}

/* A batch of frames first..last: hourly TG1 samples, frame k at hour k; frame k % 7 == 0
 * is garbage (quarantined). */
static int hour_offset; /* frame k is at hour k + hour_offset */

static vg_err batch_at(vg_engine *e, uint64_t epoch, uint64_t first, uint64_t last,
                       int64_t now_mono_us)
{
    static char text[1 << 16];
    static vg_time_us times[512];
    size_t len = 0, n = 0;
    for (uint64_t k = first; k <= last; k++, n++) {
        if (k % 7 == 0) {
            len += (size_t)snprintf(text + len, sizeof text - len, "garbage %llu\n",
                                    (unsigned long long)k);
        } else {
            char iso[VG_TIME_ISO_LEN];
            vg_time_format_iso8601(T0 + (vg_time_us)(k + (uint64_t)hour_offset) * 3600 * 1000000, iso);
            len += (size_t)snprintf(text + len, sizeof text - len,
                                    "{\"platform\":\"TG1\",\"time\":\"%s\",\"values\":{\"SLEV\":%g}}\n",
                                    iso, (double)k / 100);
        }
        times[n] = T0 + INT64_C(400) * 24 * 3600 * 1000000;
    }
    vg_errinfo err;
    vg_err rc = vg_engine_feed_batch(e, 0, "F1", epoch, first, n, times, text, len,
                                     now_mono_us, &err);
    if (rc != VG_OK && !strstr(err.text, "read-only"))
        fprintf(stderr, "batch: %s\n", err.text);
    return rc;
}

static vg_err batch(vg_engine *e, uint64_t epoch, uint64_t first, uint64_t last)
{
    return batch_at(e, epoch, first, last, vg_time_mono_us());
}

static void counts(vg_store *s, uint64_t *samples, uint64_t *quarantine)
{
    vg_store_counts c = {0};
    vg_errinfo err;
    CHECK(vg_store_count(s, &c, &err) == VG_OK);
    *samples = c.samples;
    *quarantine = c.quarantine;
}

/* The configuration `yaml` and its QC plan (the caller frees both); false (counted as a
 * failed check) when either fails. */
static bool load_setup(vg_config **cfg, vg_qc_plan **plan)
{
    vg_errinfo err;
    if (vg_config_load_string(yaml, strlen(yaml), "feed.yaml", cfg, &err) != VG_OK ||
        vg_qc_plan_build(*cfg, plan, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        check_failed++;
        vg_config_free(*cfg);
        *cfg = NULL;
        return false;
    }
    return true;
}

static void test_engine(const char *dir)
{
    vg_errinfo err;
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    if (!load_setup(&cfg, &plan))
        return;
    CHECK(cfg->ingest[0].kind == VG_INGEST_FEED);
    vg_store_options so = {.cache_mb = 8};
    vg_store *store = NULL;
    vg_engine *e = NULL;
    acks a = {0};
    CHECK(vg_store_open(dir, &so, &store, &err) == VG_OK);
    CHECK(vg_engine_new(cfg, plan, store, &e, &err) == VG_OK);
    if (!store || !e)
        return;
    vg_engine_set_ack(e, on_ack, &a);
    uint64_t ns, nq;

    CHECK(batch(e, 0xabc, 1, 20) == VG_OK);
    CHECK(a.n == 0); /* nothing before the commit */
    CHECK(vg_engine_tick(e, vg_time_mono_us() + 1000000, &err) == VG_OK);
    CHECK(a.n == 1);
    /* frame 20 (a sample) is held by QC until its successor: not acknowledged */
    CHECK_MSG(a.seq == 19 && a.epoch == 0xabc, "ack %llu", (unsigned long long)a.seq);
    counts(store, &ns, &nq);
    CHECK(ns == 17 && nq == 2); /* 1..19 without 7 and 14 stored; 20 held */

    /* the same batch again, and one overlapping: nothing stored twice */
    CHECK(batch(e, 0xabc, 1, 20) == VG_OK);
    CHECK(batch(e, 0xabc, 15, 30) == VG_OK);
    CHECK(vg_engine_tick(e, vg_time_mono_us() + 1000000, &err) == VG_OK);
    CHECK(a.seq == 29);
    counts(store, &ns, &nq);
    CHECK_MSG(ns == 25 && nq == 4, "%llu samples, %llu quarantined", (unsigned long long)ns,
              (unsigned long long)nq);
    CHECK(vg_engine_get_stats(e)->feed_duplicates == 20 + 6);

    /* A crash: the engine goes without flushing (frame 30 held), the store reopens. */
    vg_engine_free(e);
    CHECK(vg_store_close(store, &err) == VG_OK);
    store = NULL;
    e = NULL;
    CHECK(vg_store_open(dir, &so, &store, &err) == VG_OK);
    CHECK(vg_engine_new(cfg, plan, store, &e, &err) == VG_OK);
    if (!store || !e)
        return;
    vg_feed_mark m;
    CHECK(vg_store_feed_mark_get(store, "F1", &m, &err) == VG_OK);
    CHECK(m.epoch == 0xabc && m.high == 30 && m.n_pending == 1 && m.pending && m.pending[0] == 30);
    CHECK(vg_feed_mark_safe(&m) == 29);
    vg_feed_mark_clear(&m);
    vg_engine_set_ack(e, on_ack, &a);
    /* a batch that skips the pending frame 30 is refused: 30 would come after 31 */
    CHECK(batch(e, 0xabc, 31, 33) == VG_OK);
    CHECK(a.resends == 1 && a.resend_from == 30);
    a.resends = 0;
    /* the feed resends from 30: 30 is stored (it was pending), nothing else twice */
    CHECK(batch(e, 0xabc, 25, 33) == VG_OK);
    CHECK(vg_engine_flush(e, &err) == VG_OK);
    CHECK(a.seq == 33);
    counts(store, &ns, &nq);
    CHECK_MSG(ns == 29 && nq == 4, "%llu samples, %llu quarantined", (unsigned long long)ns,
              (unsigned long long)nq);

    /* a new spool id: the sequence starts again, and its frames are taken, not skipped */
    hour_offset = 40;
    CHECK(batch(e, 0xdef, 1, 3) == VG_OK); /* hours 41-43 */
    CHECK(vg_engine_flush(e, &err) == VG_OK);
    CHECK(a.epoch == 0xdef && a.seq == 3);
    counts(store, &ns, &nq);
    CHECK_MSG(ns == 32 && nq == 4, "%llu samples, %llu quarantined", (unsigned long long)ns,
              (unsigned long long)nq);

    /* a batch after a gap is refused, and the feed asked (once) to resend */
    CHECK(batch(e, 0xdef, 10, 12) == VG_OK);
    CHECK(batch(e, 0xdef, 13, 15) == VG_OK);
    CHECK(a.resends == 1 && a.resend_from == 4);
    CHECK(vg_engine_get_stats(e)->feed_gaps == 3); /* with the one after the crash */
    CHECK(batch(e, 0xdef, 4, 5) == VG_OK);
    CHECK(batch(e, 0xdef, 10, 12) == VG_OK); /* a new gap: asked again */
    CHECK(a.resends == 2 && a.resend_from == 6);
    CHECK(vg_engine_flush(e, &err) == VG_OK);
    counts(store, &ns, &nq);
    CHECK_MSG(ns == 34 && nq == 4, "%llu samples, %llu quarantined", (unsigned long long)ns,
              (unsigned long long)nq);

    /* malformed batches are refused whole */
    vg_time_us t1[1] = {T0};
    CHECK(vg_engine_feed_batch(e, 0, "F1", 1, 1, 2, t1, "a\n", 2, 0, &err) == VG_ERR_PARSE);
    CHECK(vg_engine_feed_batch(e, 0, "F1", 1, 1, 1, t1, "a", 1, 0, &err) == VG_ERR_PARSE);
    CHECK(vg_engine_feed_batch(e, 0, "bad id!", 1, 1, 1, t1, "a\n", 2, 0, &err) == VG_ERR_PARSE);
    CHECK(vg_engine_feed_batch(e, 0, "F1", 1, 0, 1, t1, "a\n", 2, 0, &err) == VG_ERR_PARSE);
    vg_engine_free(e);
    CHECK(vg_store_close(store, &err) == VG_OK);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* The pause after a storage failure (engine.h, vg_engine_feed_batch): over a read-only
 * store every put fails. A failed batch starts a pause of 250 ms during which batches are
 * deferred (VG_OK, counted, neither acknowledged nor asked to resend); the next try after it
 * fails again and doubles the pause, up to 2 s. Clock: the now_mono_us given. */
static void test_pause(const char *dir)
{
    vg_errinfo err;
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    if (!load_setup(&cfg, &plan))
        return;
    vg_store_options ro = {.cache_mb = 8, .read_only = true};
    vg_store *store = NULL;
    vg_engine *e = NULL;
    acks a = {0};
    CHECK(vg_store_open(dir, &ro, &store, &err) == VG_OK);
    CHECK(vg_engine_new(cfg, plan, store, &e, &err) == VG_OK);
    if (!store || !e)
        return;
    vg_engine_set_ack(e, on_ack, &a);
    const vg_engine_stats *st = vg_engine_get_stats(e);
    hour_offset = 100; /* samples the store does not hold */
    const int64_t t = INT64_C(1000000000);
    CHECK(batch_at(e, 0x77, 1, 5, t) != VG_OK); /* tried: the store refuses */
    CHECK(st->store_errors + st->feed_rollbacks >= 1 && st->feed_deferred == 0);
    CHECK(batch_at(e, 0x77, 6, 10, t + 1000) == VG_OK); /* paused: deferred, no gap request */
    CHECK(batch_at(e, 0x77, 1, 10, t + 249999) == VG_OK);
    CHECK(st->feed_deferred == 2 && a.resends == 0 && a.n == 0);
    CHECK(batch_at(e, 0x77, 1, 10, t + 250000) != VG_OK); /* the pause is over: tried */
    CHECK(batch_at(e, 0x77, 1, 10, t + 250000 + 499999) == VG_OK); /* doubled: 500 ms */
    CHECK(st->feed_deferred == 3);
    CHECK(batch_at(e, 0x77, 1, 10, t + 250000 + 500000) != VG_OK);
    int64_t at = t + 750000;
    for (int k = 0; k < 6; k++) { /* 1 s, then 2 s at most */
        int64_t pause = k == 0 ? 1000000 : 2000000;
        CHECK_MSG(batch_at(e, 0x77, 1, 10, at + pause - 1) == VG_OK, "pause %d", k);
        CHECK_MSG(batch_at(e, 0x77, 1, 10, at + pause) != VG_OK, "pause %d", k);
        at += pause;
    }
    CHECK(st->feed_deferred == 9 && a.resends == 0 && a.n == 0);
    vg_engine_free(e);
    CHECK(vg_store_close(store, &err) == VG_OK);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

int main(void)
{
    vg_log_set_level(VG_LOG_ERROR);
    char dir[] = "/tmp/vigie-test-feed-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char sub[300];
    snprintf(sub, sizeof sub, "%s/spool", dir);
    test_spool_basics(sub);
    test_spool_torn(dir);
    snprintf(sub, sizeof sub, "%s/store", dir);
    test_engine(sub);
    test_pause(sub);
    test_rm_rf(dir);
    return check_summary();
}
