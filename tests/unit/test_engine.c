/* test_engine.c: the daemon's pipeline without sockets (daemon/engine.h) on a real Berkeley
 * DB store in a temporary folder: a table of bad inputs (garbage bytes, truncated lines,
 * invalid JSON, NMEA with a bad checksum, unknown platforms, future times, times going
 * backwards, oversized lines), each of which must be quarantined verbatim with its reason
 * and counted while the good samples around it are stored with their flags; multi-line
 * messages with CRLF; commit by size; reconfiguration. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/log.h"
#include "daemon/engine.h"
#include "daemon/setup.h"
#include "qc/test.h"
#include "storage/store.h"

static const char *yaml =
    "storage: {path: /unused, commit_max_samples: 3}\n"
    "daemon: {future_tolerance_s: 60}\n"
    "ingest:\n"
    "  - {bind: 'tcp://127.0.0.1:1', format: json}\n"
    "  - {bind: 'tcp://127.0.0.1:2', format: sbe45_nmea, platform: NBP}\n"
    "platforms:\n"
    "  - {id: NBP, kind: tsg, interval_s: 2, parameters: [SSJT, CNDC, SSPS, SVEL, SPDC, HCRS]}\n"
    "  - {id: TG1, kind: tide_gauge, interval_s: 3600, parameters: [SLEV]}\n";

/* received = 2014-08-01T00:10:00Z: the NBP1406 lines below are 10 minutes older */
#define RECEIVED INT64_C(1406851800000000)
#define LATER (RECEIVED + INT64_C(3) * 3600 * 1000000) /* for the hourly tide gauge */

typedef struct bad {
    size_t source;
    const char *frame;
    size_t len; /* 0: strlen */
    const char *reason;
} bad;

typedef struct walk {
    int n;
    char reason[16][24];
    char frame[16][128];
    size_t frame_len[16];
    char source[16][64];
} walk;

static int on_quarantined(void *ctx, const vg_quarantined *q)
{
    walk *w = ctx;
    if (w->n < 16) {
        snprintf(w->reason[w->n], sizeof w->reason[0], "%s", q->reason);
        snprintf(w->source[w->n], sizeof w->source[0], "%s", q->source);
        size_t n = q->frame_len < sizeof w->frame[0] ? q->frame_len : sizeof w->frame[0];
        memcpy(w->frame[w->n], q->frame, n);
        w->frame_len[w->n] = q->frame_len;
    }
    w->n++;
    return 0;
}

typedef struct rows {
    int n;
    double v[32];
    vg_flag f[32];
    vg_time_us t[32];
} rows;

static int on_row(void *ctx, const vg_obs *o)
{
    rows *r = ctx;
    if (r->n < 32) {
        r->v[r->n] = o->value;
        r->f[r->n] = o->qc.agg;
        r->t[r->n] = o->time;
    }
    r->n++;
    return 0;
}

int main(void)
{
    vg_log_set_level(VG_LOG_ERROR); /* the quarantine warnings are expected here */
    char dir[] = "/tmp/vigie-test-engine-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    vg_errinfo err;
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    if (vg_config_load_string(yaml, strlen(yaml), "engine.yaml", &cfg, &err) != VG_OK ||
        vg_qc_plan_build(cfg, &plan, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    vg_store *store = NULL;
    vg_store_options so = {.cache_mb = 8};
    CHECK(vg_store_open(dir, &so, &store, &err) == VG_OK);
    vg_engine *e = NULL;
    CHECK(vg_engine_new(cfg, plan, store, &e, &err) == VG_OK);
    if (!e || !store)
        return check_summary();

    /* good lines, interleaved with bad ones, over both sources */
    const char *good_raw =
        "2014-08-01T00:00:00.285000Z $INGGA,000000.16,2200.110899,S,01756.359432,W,1,12,0.7,-2.76,M,4.67,M,,*6C\r\n"
        "2014-08-01T00:00:01.873000Z 21.8054,  5.17647,  36.5878, 1528.105\r\n"
        "2014-08-01T00:00:03.873000Z 21.8052,  5.17649,  36.5881, 1528.105\n";
    CHECK(vg_engine_feed(e, 1, good_raw, strlen(good_raw), RECEIVED, 0, &err) == VG_OK);

    static char oversized[VG_FRAME_MAX + 10];
    memset(oversized, 'x', sizeof oversized);
    const bad bads[] = {
        {1, "\x00\xff\xfe\x01 binary", 11, "parse"},
        {1, "2014-08-01T00:00:05.873000Z 21.8050,  5.17652", 0, "truncated"},
        {1, "2014-08-01T00:00:00.285000Z $INGGA,000000.16,2200.110899,S,01756.359432,W,1,12,0.7,-2.76,M,4.67,M,,*6D", 0, "checksum"},
        {0, "{\"platform\":\"TG1\",\"time\":\"2014-08-01T00:00:00Z\",\"values\":{\"SLEV\":1.2", 0, "truncated"},
        {0, "{\"platform\":\"TG1\" \"time\":1}", 0, "parse"},
        {0, "{\"platform\":\"ZZZ\",\"time\":\"2014-08-01T00:00:00Z\",\"values\":{\"SLEV\":1.2}}", 0, "unknown_platform"},
        {0, "{\"platform\":\"TG1\",\"time\":\"2014-08-01T00:11:01Z\",\"values\":{\"SLEV\":1.2}}", 0, "future"},
        {1, "2014-08-01T00:00:02.000000Z 21.8050,  5.17652,  36.5887, 1528.105", 0, "order"},
        {0, "{\"platform\":\"TG1\",\"time\":\"2014-08-01T00:00:00Z\",\"values\":{\"XXXX\":1.2}}", 0, "parse"},
        {0, oversized, sizeof oversized, "truncated"},
    };
    const size_t n_bad = sizeof bads / sizeof bads[0];
    for (size_t i = 0; i < n_bad; i++) {
        size_t len = bads[i].len ? bads[i].len : strlen(bads[i].frame);
        CHECK_MSG(vg_engine_feed(e, bads[i].source, bads[i].frame, len, RECEIVED, 0, &err) == VG_OK,
                  "bad #%zu: %s", i, err.text);
    }
    /* good after bad: the stream goes on */
    const char *good_json =
        "{\"platform\":\"TG1\",\"time\":\"2014-08-01T00:00:00Z\",\"values\":{\"SLEV\":1.2}}\n"
        "\n"
        "{\"platform\":\"TG1\",\"time\":\"2014-08-01T01:00:00Z\",\"values\":{\"SLEV\":null}}\n";
    CHECK(vg_engine_feed(e, 0, good_json, strlen(good_json), LATER, 0, &err) == VG_OK);
    const char *more_raw = "2014-08-01T00:00:05.873000Z 21.8050,  5.17652,  36.5887, 1528.105";
    CHECK(vg_engine_feed(e, 1, more_raw, strlen(more_raw), RECEIVED, 0, &err) == VG_OK);
    CHECK(vg_engine_feed(e, 7, "x", 1, RECEIVED, 0, &err) == VG_ERR_INVAL);

    const vg_engine_stats *st = vg_engine_get_stats(e);
    CHECK(st->quarantined == n_bad);
    CHECK(st->quarantined_by[VG_ERR_UNKNOWN_PLATFORM] == 1);
    CHECK(st->quarantined_by[VG_ERR_FUTURE] == 1);
    CHECK(st->quarantined_by[VG_ERR_ORDER] == 1);
    CHECK(st->quarantined_by[VG_ERR_CHECKSUM] == 1);
    /* held: the newest NBP and TG1 samples wait for their successors */
    CHECK(st->samples == 3);
    CHECK(st->commits >= 1); /* commit_max_samples: 3 */
    CHECK(vg_engine_next_tick_ms(e, 0) >= 0);
    CHECK(vg_engine_flush(e, &err) == VG_OK);
    CHECK(st->samples == 5);
    CHECK(st->store_errors == 0);
    CHECK(st->frames == 3 + n_bad + 2 + 1);

    walk w = {0};
    CHECK(vg_store_quarantine_walk(store, on_quarantined, &w, &err) == VG_OK);
    CHECK(w.n == (int)n_bad);
    for (size_t i = 0; i < n_bad && i < 16; i++) {
        CHECK_MSG(strcmp(w.reason[i], bads[i].reason) == 0, "bad #%zu: reason %s, expected %s", i,
                  w.reason[i], bads[i].reason);
        size_t len = bads[i].len ? bads[i].len : strlen(bads[i].frame);
        size_t cmp = len < sizeof w.frame[0] ? len : sizeof w.frame[0];
        CHECK_MSG(w.frame_len[i] == len && memcmp(w.frame[i], bads[i].frame, cmp) == 0,
                  "bad #%zu: frame not kept verbatim", i);
        CHECK_STR(w.source[i], bads[i].source ? "tcp://127.0.0.1:2" : "tcp://127.0.0.1:1");
    }

    rows r = {0};
    vg_query q = {.platform = "NBP", .param = VG_P_SSJT, .from = VG_TIME_NONE, .to = VG_TIME_NONE};
    CHECK(vg_store_query(store, &q, on_row, &r, &err) == VG_OK);
    CHECK(r.n == 3);
    CHECK(r.v[0] == 21.8054 && r.v[2] == 21.8050);
    CHECK(r.f[0] == 1 && r.f[1] == 1 && r.f[2] == 1);
    CHECK(r.t[0] == INT64_C(1406851201873000));
    char *raw = NULL;
    size_t raw_len = 0;
    CHECK(vg_store_get_raw(store, "NBP", INT64_C(1406851201873000), &raw, &raw_len, &err) == VG_OK);
    const char *want = "2014-08-01T00:00:01.873000Z 21.8054,  5.17647,  36.5878, 1528.105";
    CHECK(raw && raw_len == strlen(want) && memcmp(raw, want, raw_len) == 0); /* CR removed */
    free(raw);
    rows r2 = {0};
    q.platform = "TG1", q.param = VG_P_SLEV;
    CHECK(vg_store_query(store, &q, on_row, &r2, &err) == VG_OK);
    CHECK(r2.n == 2 && r2.v[0] == 1.2 && r2.v[1] != r2.v[1] && r2.f[1] == VG_FLAG_MISSING);

    /* reconfigure: same endpoints, new chains; ingest continues */
    vg_setup next;
    char path[256];
    snprintf(path, sizeof path, "%s/next.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs(yaml, f);
    fputs("qc: {chains: {tide_gauge: [{test: global_range, parameters: {SLEV: {min: 0, max: 1}}}]}}\n", f);
    fclose(f);
    CHECK(vg_setup_load(path, &next, &err) == VG_OK);
    CHECK(vg_engine_reconfigure(e, next.cfg, next.plan, &err) == VG_OK);
    const char *tg = "{\"platform\":\"TG1\",\"time\":\"2014-08-01T02:00:00Z\",\"values\":{\"SLEV\":1.2}}";
    CHECK(vg_engine_feed(e, 0, tg, strlen(tg), LATER, 0, &err) == VG_OK);
    CHECK(vg_engine_flush(e, &err) == VG_OK);
    rows r3 = {0};
    q.from = INT64_C(1406858400000000);
    CHECK(vg_store_query(store, &q, on_row, &r3, &err) == VG_OK);
    CHECK(r3.n == 1 && r3.f[0] == 4); /* 1.2 > max 1 under the new chain */

    vg_engine_free(e);
    CHECK(vg_store_close(store, &err) == VG_OK);
    vg_setup_free(&next);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return check_summary();
}
