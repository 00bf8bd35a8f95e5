/* test_dmflags.c: the delayed-mode flags of the store (storage/dmflags.h) and their use by
 * exports (export/dmflags.h), on a real Berkeley DB store in a temporary directory: a run
 * longer than one transaction chunk is written and read back flag for flag, a missing
 * value gets no flag, runs are numbered and listed, a second run over part of the range
 * replaces only its records; samples.db and manual.db are left alone; the export's
 * adjustment takes the delayed-mode flag where there is one, the real-time one elsewhere,
 * and the manual flag over both; readers see the flags but cannot write them, and a store
 * without dmflags.db has none; bad flags are refused before anything is written. A run
 * killed half-way (SIGKILL of the writing process) leaves whole chunks, its run marked
 * incomplete, and the export's history says so; the next run completes normally. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "rm_rf.h"
#include "export/dmflags.h"
#include "export/series.h"
#include "storage/audit.h"
#include "storage/dmflags.h"
#include "storage/store.h"

#define T0 INT64_C(1780272000000000) /* 2026-06-01T00:00:00Z */
#define STEP VG_US_PER_S
#define N (VG_DMFLAGS_CHUNK * 2 + 1234) /* three chunks */

static char dir[64] = "/tmp/vigie_test_dmflags.XXXXXX";

typedef struct got {
    size_t n, bad;
    uint64_t run_of_first, run_of_last;
    const vg_flag *want_ssps, *want_ssjt;
    const double *ssjt;
    size_t offset; /* row index of the first record walked */
} got;

static int on_row(void *ctx, const vg_dmflags_row *r)
{
    got *g = ctx;
    size_t i = (size_t)((r->time - T0) / STEP);
    if (g->n == 0)
        g->run_of_first = r->run;
    g->run_of_last = r->run;
    bool ssjt_missing = isnan(g->ssjt[i]);
    if (!(r->present & VG_PARAM_BIT(VG_P_SSPS)) || r->flag[VG_P_SSPS] != g->want_ssps[i] ||
        ((r->present & VG_PARAM_BIT(VG_P_SSJT)) != 0) == ssjt_missing ||
        (!ssjt_missing && r->flag[VG_P_SSJT] != g->want_ssjt[i]) ||
        (r->present & ~(VG_PARAM_BIT(VG_P_SSPS) | VG_PARAM_BIT(VG_P_SSJT))))
        g->bad++;
    g->n++;
    return 0;
}

typedef struct runs {
    size_t n;
    vg_dmflags_run r[4];
    char what[4][64];
} runs;

static int on_run(void *ctx, const vg_dmflags_run *r)
{
    runs *x = ctx;
    if (x->n < 4) {
        x->r[x->n] = *r;
        snprintf(x->what[x->n], sizeof x->what[0], "%s", r->what);
        x->r[x->n].what = x->r[x->n].who = x->r[x->n].platform = NULL;
    }
    x->n++;
    return 0;
}

static void put_samples(vg_store *st, size_t n)
{
    vg_errinfo e;
    CHECK(vg_store_begin(st, &e) == VG_OK);
    for (size_t k = 0; k < n; k++) {
        vg_sample smp;
        vg_sample_init(&smp);
        vg_sample_set_platform(&smp, "SHIP", 4);
        smp.time = T0 + (vg_time_us)k * STEP;
        vg_sample_set(&smp, VG_P_SSPS, 35.0);
        smp.qc[VG_P_SSPS].agg = VG_FLAG_GOOD;
        vg_sample_set(&smp, VG_P_SSJT, 20.0);
        smp.qc[VG_P_SSJT].agg = VG_FLAG_GOOD;
        CHECK(vg_store_put_sample(st, &smp, &e) == VG_OK);
    }
    CHECK(vg_store_commit(st, &e) == VG_OK);
}

static char dir_kill[64] = "/tmp/vigie_test_dmflags_kill.XXXXXX";
#define NK (VG_DMFLAGS_CHUNK * 60) /* long enough to be caught half-way */

static int on_run_incomplete(void *ctx, const vg_dmflags_run *r)
{
    *(int *)ctx = r->complete ? 1 : 2;
    return 0;
}

static int count_rows(void *ctx, const vg_dmflags_row *r)
{
    size_t *n = ctx;
    n[0]++;
    if (!(r->present & VG_PARAM_BIT(VG_P_SSPS)) || r->flag[VG_P_SSPS] != 1 + (size_t)((r->time - T0) / STEP) % 4)
        n[1]++;
    return 0;
}

/* A process writing a run is killed once its first chunks are committed. */
static void killed_run(void)
{
    if (!mkdtemp(dir_kill)) {
        perror("mkdtemp");
        check_failed++;
        return;
    }
    vg_store *st;
    vg_errinfo e;
    vg_store_options wo = {.cache_mb = 32}, ro = {.cache_mb = 32, .read_only = true};
    CHECK_MSG(vg_store_open(dir_kill, &wo, &st, &e) == VG_OK, "%s", e.text);
    CHECK(vg_store_begin(st, &e) == VG_OK);
    for (int k = 0; k < 10; k++) {
        vg_sample smp;
        vg_sample_init(&smp);
        vg_sample_set_platform(&smp, "SHIP", 4);
        smp.time = T0 + k * STEP;
        vg_sample_set(&smp, VG_P_SSPS, 35.0);
        smp.qc[VG_P_SSPS].agg = VG_FLAG_GOOD;
        CHECK(vg_store_put_sample(st, &smp, &e) == VG_OK);
    }
    CHECK(vg_store_commit(st, &e) == VG_OK);
    CHECK(vg_store_close(st, &e) == VG_OK);
    vg_time_us *time = malloc(NK * sizeof *time);
    vg_flag *ssps = malloc(NK);
    for (size_t i = 0; i < NK; i++) {
        time[i] = T0 + (vg_time_us)i * STEP;
        ssps[i] = (vg_flag)(1 + i % 4);
    }
    const vg_flag *flag[VG_P__COUNT] = {0};
    const double *value[VG_P__COUNT] = {0};
    flag[VG_P_SSPS] = ssps;
    fflush(NULL);
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        vg_store *cs;
        vg_dmflags_run run = {.platform = "SHIP", .who = "carol", .what = "killed run"};
        close(ready[0]);
        bool opened = vg_store_open(dir_kill, &wo, &cs, &e) == VG_OK;
        if (write(ready[1], opened ? "o" : "x", 1) != 1 || !opened) /* recovery is done */
            _exit(2);
        close(ready[1]);
        if (vg_dmflags_write(cs, &run, NK, time, flag, value, &e) != VG_OK)
            _exit(2);
        _exit(0); /* finished before it was caught: the parent says so */
    }
    /* Readers join only once the child's writer open (its recovery, which invalidates
     * readers attached during it) is over; then poll until the run is in, incomplete. */
    close(ready[1]);
    char c = 0;
    CHECK(read(ready[0], &c, 1) == 1 && c == 'o');
    close(ready[0]);
    int state = 0, status = 0;
    for (int tries = 0; tries < 6000 && state != 2; tries++) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            pid = 0;
            break;
        }
        vg_store *rd;
        if (vg_store_open(dir_kill, &ro, &rd, &e) == VG_OK) {
            vg_dmflags_runs(rd, NULL, on_run_incomplete, &state, &e);
            vg_store_close(rd, &e);
        }
        if (state != 2)
            usleep(5000);
    }
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    if (state != 2) {
        printf("skip: the run finished before it could be caught half-way (status %d)\n", status);
    } else {
        /* the writer's open recovers: whole chunks, the run incomplete */
        CHECK_MSG(vg_store_open(dir_kill, &wo, &st, &e) == VG_OK, "%s", e.text);
        size_t n[2] = {0, 0};
        CHECK(vg_dmflags_walk(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, count_rows, n, &e) == VG_OK);
        CHECK_MSG(n[0] > 0 && n[0] < NK && n[0] % VG_DMFLAGS_CHUNK == 0 && n[1] == 0,
                  "%zu records after the kill, %zu wrong", n[0], n[1]);
        int st_run = 0;
        CHECK(vg_dmflags_runs(st, NULL, on_run_incomplete, &st_run, &e) == VG_OK && st_run == 2);
        vg_series s;
        vg_adjusted a;
        size_t flagged = 0;
        CHECK(vg_series_from_store(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, &s, &e) == VG_OK);
        CHECK(vg_adjusted_from_dmflags(st, &s, &a, &flagged, &e) == VG_OK && flagged == 10);
        CHECK_MSG(strstr(a.hist[VG_P_SSPS], "(interrupted)") != NULL, "%s", a.hist[VG_P_SSPS]);
        vg_adjusted_free(&a);
        /* run again over the stored samples: complete, their records of the new run */
        vg_dmflags_run run = {.platform = "SHIP", .who = "carol", .what = "run again"};
        CHECK_MSG(vg_dmflags_write(st, &run, 10, time, flag, value, &e) == VG_OK, "%s", e.text);
        CHECK(run.seq == 1 && run.samples == 10);
        CHECK(vg_adjusted_from_dmflags(st, &s, &a, &flagged, &e) == VG_OK && flagged == 10);
        CHECK(strstr(a.hist[VG_P_SSPS], "run 1 (latest") && !strstr(a.hist[VG_P_SSPS], "interrupted"));
        vg_adjusted_free(&a);
        vg_series_free(&s);
        CHECK(vg_store_close(st, &e) == VG_OK);
    }
    free(time), free(ssps);
    test_rm_rf(dir_kill);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    vg_store *st;
    vg_errinfo e;
    vg_store_options wo = {.cache_mb = 16}, ro = {.cache_mb = 16, .read_only = true};
    CHECK_MSG(vg_store_open(dir, &wo, &st, &e) == VG_OK, "%s", e.text);
    put_samples(st, 100);

    /* A reader of a store that never had a run: nothing, no error. */
    vg_store *rd;
    CHECK_MSG(vg_store_open(dir, &ro, &rd, &e) == VG_OK, "%s", e.text);
    got g0 = {0};
    CHECK(vg_dmflags_walk(rd, "SHIP", VG_TIME_NONE, VG_TIME_NONE, on_row, &g0, &e) == VG_OK);
    CHECK(g0.n == 0);
    runs r0 = {0};
    CHECK(vg_dmflags_runs(rd, NULL, on_run, &r0, &e) == VG_OK && r0.n == 0);
    CHECK(vg_store_close(rd, &e) == VG_OK);

    /* Run 0: N rows, SSPS flag cycles 1..4, SSJT missing every 7th row. */
    vg_time_us *time = malloc(N * sizeof *time);
    vg_flag *ssps = malloc(N), *ssjt = malloc(N), *ssps2 = malloc(N);
    double *ssjt_v = malloc(N * sizeof *ssjt_v), *ssps_v = malloc(N * sizeof *ssps_v);
    for (size_t i = 0; i < N; i++) {
        time[i] = T0 + (vg_time_us)i * STEP;
        ssps[i] = (vg_flag)(1 + i % 4);
        ssps2[i] = (vg_flag)(i % 2 ? 3 : 1);
        ssjt[i] = (vg_flag)(i % 3 ? 1 : 4);
        ssjt_v[i] = i % 7 ? 20.0 : NAN;
        ssps_v[i] = 35.0;
    }
    const vg_flag *flag[VG_P__COUNT] = {0};
    const double *value[VG_P__COUNT] = {0};
    flag[VG_P_SSPS] = ssps, value[VG_P_SSPS] = ssps_v;
    flag[VG_P_SSJT] = ssjt, value[VG_P_SSJT] = ssjt_v;
    vg_dmflags_run run = {.platform = "SHIP", .who = "carol", .what = "test run 0",
                          .when = T0 + INT64_C(86400000000) * 30};
    CHECK_MSG(vg_dmflags_write(st, &run, N, time, flag, value, &e) == VG_OK, "%s", e.text);
    size_t ssjt_present = N - (N + 6) / 7;
    CHECK(run.seq == 0 && run.samples == N && run.values == N + ssjt_present);
    CHECK(run.from == time[0] && run.to == time[N - 1]);

    got g = {.want_ssps = ssps, .want_ssjt = ssjt, .ssjt = ssjt_v};
    CHECK_MSG(vg_dmflags_walk(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, on_row, &g, &e) == VG_OK, "%s", e.text);
    CHECK_MSG(g.n == N && g.bad == 0, "%zu rows, %zu bad", g.n, g.bad);
    CHECK(g.run_of_first == 0 && g.run_of_last == 0);
    /* a range, and a platform whose id is a prefix of another's */
    got gr = {.want_ssps = ssps, .want_ssjt = ssjt, .ssjt = ssjt_v};
    CHECK(vg_dmflags_walk(st, "SHIP", time[10], time[19], on_row, &gr, &e) == VG_OK);
    CHECK(gr.n == 10 && gr.bad == 0);
    got go = {0};
    CHECK(vg_dmflags_walk(st, "SHI", VG_TIME_NONE, VG_TIME_NONE, on_row, &go, &e) == VG_OK && go.n == 0);

    /* Run 1 over rows [1000, 2000) with other SSPS flags and no SSJT: only those records
     * change (replaced whole: no SSJT flag left there). */
    const vg_flag *flag1[VG_P__COUNT] = {0};
    const double *value1[VG_P__COUNT] = {0};
    flag1[VG_P_SSPS] = ssps2 + 1000;
    vg_dmflags_run run1 = {.platform = "SHIP", .who = "dave", .what = "test run 1"};
    CHECK_MSG(vg_dmflags_write(st, &run1, 1000, time + 1000, flag1, value1, &e) == VG_OK, "%s", e.text);
    CHECK(run1.seq == 1 && run1.samples == 1000 && run1.values == 1000 && run1.when > 0);
    vg_flag *mix = malloc(N);
    memcpy(mix, ssps, N);
    memcpy(mix + 1000, ssps2 + 1000, 1000);
    double *ssjt_v1 = malloc(N * sizeof *ssjt_v1);
    memcpy(ssjt_v1, ssjt_v, N * sizeof *ssjt_v1);
    for (size_t i = 1000; i < 2000; i++)
        ssjt_v1[i] = NAN;
    got g1 = {.want_ssps = mix, .want_ssjt = ssjt, .ssjt = ssjt_v1};
    CHECK(vg_dmflags_walk(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, on_row, &g1, &e) == VG_OK);
    CHECK_MSG(g1.n == N && g1.bad == 0, "%zu rows, %zu bad", g1.n, g1.bad);

    runs rs = {0};
    CHECK(vg_dmflags_runs(st, NULL, on_run, &rs, &e) == VG_OK);
    CHECK(rs.n == 2 && rs.r[0].seq == 0 && rs.r[1].seq == 1);
    CHECK(rs.r[0].complete && rs.r[1].complete && rs.r[0].samples == N);
    CHECK(rs.r[0].when == run.when && rs.r[1].from == time[1000] && rs.r[1].to == time[1999]);
    CHECK_STR(rs.what[0], "test run 0");
    CHECK_STR(rs.what[1], "test run 1");
    memset(&rs, 0, sizeof rs);
    CHECK(vg_dmflags_runs(st, "OTHER", on_run, &rs, &e) == VG_OK && rs.n == 0);

    /* Refused before anything is written: a flag above 9 of a present value, bad
     * arguments, an open batch. */
    ssps[5] = 12;
    vg_dmflags_run bad = {.platform = "SHIP", .who = "carol", .what = "bad"};
    CHECK(vg_dmflags_write(st, &bad, N, time, flag, value, &e) == VG_ERR_INVAL);
    CHECK(strstr(e.text, "not 0-9") != NULL);
    ssps[5] = 2;
    bad.who = "";
    CHECK(vg_dmflags_write(st, &bad, N, time, flag, value, &e) == VG_ERR_INVAL);
    bad.who = "carol";
    CHECK(vg_store_begin(st, &e) == VG_OK);
    CHECK(vg_dmflags_write(st, &bad, N, time, flag, value, &e) == VG_ERR_INVAL);
    vg_store_abort(st);
    memset(&rs, 0, sizeof rs);
    CHECK(vg_dmflags_runs(st, NULL, on_run, &rs, &e) == VG_OK && rs.n == 2);

    /* The export's adjustment over the 100 stored samples: a manual flag on row 3 wins;
     * the samples' real-time flags stay in the series. */
    vg_manual_edit ed = {.platform = "SHIP", .param = VG_P_SSPS, .from = time[3], .to = time[3],
                         .flag = VG_FLAG_PROBABLY_GOOD, .who = "alice", .why = "by eye"};
    vg_manual_result mr;
    CHECK_MSG(vg_manual_set(st, &ed, &mr, &e) == VG_OK, "%s", e.text);
    vg_series s;
    CHECK_MSG(vg_series_from_store(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, &s, &e) == VG_OK, "%s", e.text);
    CHECK(s.n == 100 && s.qc[VG_P_SSPS][4] == VG_FLAG_GOOD && s.qc[VG_P_SSPS][3] == 2);
    vg_adjusted a;
    size_t flagged = 0;
    CHECK_MSG(vg_adjusted_from_dmflags(st, &s, &a, &flagged, &e) == VG_OK, "%s", e.text);
    size_t want = 100 + (100 - (100 + 6) / 7);
    CHECK_MSG(flagged == want, "%zu flagged, %zu expected", flagged, want);
    CHECK(a.n == 100 && a.value[VG_P_SSPS] == s.value[VG_P_SSPS]);
    int wrong = 0;
    for (size_t i = 0; i < 100; i++) {
        vg_flag w = i == 3 ? 2 : ssps[i];
        wrong += a.qc[VG_P_SSPS][i] != w;
        wrong += a.qc[VG_P_SSJT][i] != (i % 7 ? ssjt[i] : VG_FLAG_GOOD); /* no DM: real time */
    }
    CHECK_MSG(wrong == 0, "%d flags wrong", wrong);
    CHECK_STR(a.processing_states, "2A");
    CHECK(strstr(a.hist[VG_P_SSPS], "vigie reprocess run 0") != NULL);
    CHECK(strstr(a.hist[VG_P_SSPS], "by carol") != NULL);
    vg_adjusted_free(&a);
    vg_series_free(&s);
    CHECK(vg_store_close(st, &e) == VG_OK);

    /* Readers see the flags, cannot write them. */
    CHECK_MSG(vg_store_open(dir, &ro, &rd, &e) == VG_OK, "%s", e.text);
    got g2 = {.want_ssps = mix, .want_ssjt = ssjt, .ssjt = ssjt_v1};
    CHECK(vg_dmflags_walk(rd, "SHIP", VG_TIME_NONE, VG_TIME_NONE, on_row, &g2, &e) == VG_OK);
    CHECK(g2.n == N && g2.bad == 0);
    CHECK(vg_dmflags_write(rd, &bad, N, time, flag, value, &e) == VG_ERR_INVAL);
    CHECK(strstr(e.text, "read-only") != NULL);
    CHECK(vg_store_close(rd, &e) == VG_OK);

    /* A series without any delayed-mode flag: no adjustment. */
    vg_store_options wo2 = {.cache_mb = 4};
    CHECK_MSG(vg_store_open(dir, &wo2, &st, &e) == VG_OK, "%s", e.text);
    vg_series_init(&s, "SHIP");
    CHECK(vg_series_append(&s, T0 - 10 * STEP, NULL, &e) == VG_OK);
    CHECK(vg_series_add_param(&s, VG_P_SSPS, &e) == VG_OK);
    s.value[VG_P_SSPS][0] = 35.0;
    CHECK(vg_adjusted_from_dmflags(st, &s, &a, &flagged, &e) == VG_OK);
    CHECK(flagged == 0 && a.value[VG_P_SSPS] == NULL);
    vg_adjusted_free(&a);
    vg_series_free(&s);
    CHECK(vg_store_close(st, &e) == VG_OK);

    free(time), free(ssps), free(ssjt), free(ssps2), free(ssjt_v), free(ssps_v), free(mix);
    free(ssjt_v1);
    test_rm_rf(dir);
    killed_run();
    return check_summary();
}
