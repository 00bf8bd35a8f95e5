/* test_audit.c: manual flags and their audit history (storage/audit.h) on a real Berkeley
 * DB store in a temporary directory: range edits count changed / confirmed / unchanged
 * values; every change has an audit entry (who, when, why, old, new) in order; the manual
 * flag wins over a later automatic put of the same sample (read through the export
 * series); readers see the flags, cannot set them, and a store without manual flags has
 * none; a second writer process is refused while the first holds the store. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "rm_rf.h"
#include "export/series.h"
#include "storage/audit.h"
#include "storage/store.h"

#define T0 INT64_C(1780272000000000) /* 2026-06-01T00:00:00Z */
#define STEP (10 * VG_US_PER_S)

static char dir[64] = "/tmp/vigie_test_audit.XXXXXX";

static void put(vg_store *st, int k, vg_flag ssps_flag)
{
    vg_sample smp;
    vg_sample_init(&smp);
    vg_sample_set_platform(&smp, "SHIP", 4);
    smp.time = T0 + k * STEP;
    vg_sample_set(&smp, VG_P_SSPS, 35.0 + k * 0.001);
    smp.qc[VG_P_SSPS].agg = ssps_flag;
    vg_sample_set(&smp, VG_P_SSJT, 20.0);
    smp.qc[VG_P_SSJT].agg = VG_FLAG_GOOD;
    vg_errinfo e;
    CHECK_MSG(vg_store_put_sample(st, &smp, &e) == VG_OK, "%s", e.text);
}

typedef struct walked {
    size_t n;
    vg_time_us time[64];
    vg_flag flag[64];
    vg_audit_entry a[64];
    char who[64][16], why[64][32];
} walked;

static int on_manual(void *ctx, const vg_manual_flag *m)
{
    walked *w = ctx;
    CHECK(m->param == VG_P_SSPS && strcmp(m->platform, "SHIP") == 0);
    if (w->n < 64)
        w->time[w->n] = m->time, w->flag[w->n] = m->flag;
    w->n++;
    return 0;
}

static int on_audit(void *ctx, const vg_audit_entry *a)
{
    walked *w = ctx;
    if (w->n < 64) {
        w->a[w->n] = *a;
        snprintf(w->who[w->n], sizeof w->who[0], "%s", a->who);
        snprintf(w->why[w->n], sizeof w->why[0], "%s", a->why);
    }
    w->n++;
    return 0;
}

static vg_manual_edit edit(int k0, int k1, vg_flag f, const char *why)
{
    return (vg_manual_edit){.platform = "SHIP", .param = VG_P_SSPS, .from = T0 + k0 * STEP,
                            .to = T0 + k1 * STEP, .flag = f, .who = "alice", .why = why,
                            .when = T0 + INT64_C(86400000000)};
}

/* A child process tries to open the store as a second writer: exit 0 when refused as
 * expected, 1 when it got in, 2 on another error. */
static int second_writer(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        vg_store *st;
        vg_errinfo e;
        vg_store_options o = {.cache_mb = 4};
        vg_err rc = vg_store_open(dir, &o, &st, &e);
        if (rc == VG_OK) {
            vg_store_close(st, NULL);
            _exit(1);
        }
        _exit(rc == VG_ERR_DB && strstr(e.text, "another process") ? 0 : 2);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    vg_store *st;
    vg_errinfo e;
    vg_store_options wo = {.cache_mb = 4}, ro = {.cache_mb = 4, .read_only = true};
    CHECK_MSG(vg_store_open(dir, &wo, &st, &e) == VG_OK, "%s", e.text);
    CHECK(vg_store_begin(st, &e) == VG_OK);
    for (int k = 0; k < 40; k++)
        put(st, k, k == 20 ? VG_FLAG_PROBABLY_BAD : VG_FLAG_GOOD);
    CHECK(vg_store_commit(st, &e) == VG_OK);

    /* No manual flag yet: the walks see nothing. */
    walked w = {0};
    CHECK(vg_manual_walk(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, on_manual, &w, &e) == VG_OK);
    CHECK(w.n == 0);

    vg_manual_result r;
    vg_manual_edit ed = edit(10, 19, VG_FLAG_BAD, "air bubbles in the cell");
    CHECK_MSG(vg_manual_set(st, &ed, &r, &e) == VG_OK, "%s", e.text);
    CHECK(r.values == 10 && r.changed == 10 && r.confirmed == 0 && r.unchanged == 0);
    ed = edit(15, 24, VG_FLAG_BAD, "pump stopped");
    CHECK_MSG(vg_manual_set(st, &ed, &r, &e) == VG_OK, "%s", e.text);
    CHECK(r.values == 10 && r.changed == 5 && r.unchanged == 5);
    ed = edit(0, 0, VG_FLAG_GOOD, "checked against the bottle");
    CHECK_MSG(vg_manual_set(st, &ed, &r, &e) == VG_OK, "%s", e.text);
    CHECK(r.values == 1 && r.confirmed == 1 && r.changed == 0);
    ed = edit(30, 29, VG_FLAG_BAD, "empty range");
    CHECK(vg_manual_set(st, &ed, &r, &e) == VG_OK && r.values == 0);
    /* Bad arguments */
    ed = edit(0, 1, 12, "x");
    CHECK(vg_manual_set(st, &ed, &r, &e) == VG_ERR_INVAL);
    ed = edit(0, 1, 4, "");
    CHECK(vg_manual_set(st, &ed, &r, &e) == VG_ERR_INVAL);

    memset(&w, 0, sizeof w);
    CHECK(vg_manual_walk(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, on_manual, &w, &e) == VG_OK);
    CHECK(w.n == 16);
    CHECK(w.time[0] == T0 && w.flag[0] == VG_FLAG_GOOD);
    CHECK(w.time[1] == T0 + 10 * STEP && w.flag[1] == VG_FLAG_BAD);
    CHECK(w.time[15] == T0 + 24 * STEP);
    memset(&w, 0, sizeof w);
    CHECK(vg_manual_walk(st, "SHIP", T0 + 12 * STEP, T0 + 13 * STEP, on_manual, &w, &e) == VG_OK);
    CHECK(w.n == 2);
    memset(&w, 0, sizeof w);
    CHECK(vg_manual_walk(st, "SHIP1", VG_TIME_NONE, VG_TIME_NONE, on_manual, &w, &e) == VG_OK);
    CHECK(w.n == 0);

    /* The audit history: 10 + 5 + 1 entries in order, old flags as they were. */
    memset(&w, 0, sizeof w);
    CHECK(vg_audit_walk(st, NULL, on_audit, &w, &e) == VG_OK);
    CHECK(w.n == 16);
    for (size_t i = 0; i < w.n && i < 64; i++) {
        CHECK(w.a[i].seq == i);
        CHECK(w.a[i].when == T0 + INT64_C(86400000000));
        CHECK_STR(w.who[i], "alice");
        CHECK(w.a[i].param == VG_P_SSPS);
    }
    CHECK(w.a[0].time == T0 + 10 * STEP && w.a[0].old_flag == 1 && w.a[0].new_flag == 4);
    CHECK_STR(w.why[0], "air bubbles in the cell");
    CHECK(w.a[10].time == T0 + 20 * STEP && w.a[10].old_flag == 3 && w.a[10].new_flag == 4);
    CHECK_STR(w.why[10], "pump stopped");
    CHECK(w.a[15].time == T0 && w.a[15].old_flag == 1 && w.a[15].new_flag == 1);
    memset(&w, 0, sizeof w);
    CHECK(vg_audit_walk(st, "OTHER", on_audit, &w, &e) == VG_OK && w.n == 0);

    /* A later automatic run re-puts samples 12 and 0 with its own flags: the manual ones
     * still win on read. */
    CHECK(vg_store_begin(st, &e) == VG_OK);
    put(st, 12, VG_FLAG_GOOD);
    put(st, 0, VG_FLAG_BAD);
    CHECK(vg_store_commit(st, &e) == VG_OK);
    vg_series s;
    CHECK_MSG(vg_series_from_store(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, &s, &e) == VG_OK, "%s", e.text);
    CHECK(s.n == 40);
    CHECK(s.qc[VG_P_SSPS][12] == VG_FLAG_BAD);
    CHECK(s.qc[VG_P_SSPS][0] == VG_FLAG_GOOD);
    CHECK(s.qc[VG_P_SSPS][25] == VG_FLAG_GOOD && s.qc[VG_P_SSPS][24] == VG_FLAG_BAD);
    CHECK(s.qc[VG_P_SSJT][12] == VG_FLAG_GOOD);
    vg_series_free(&s);

    /* One writer: a second process is refused while this one holds the store. */
    CHECK_MSG(second_writer() == 0, "a second writer was not refused");
    CHECK(vg_store_close(st, &e) == VG_OK);

    /* Readers: see the flags and the history, cannot set flags. */
    CHECK_MSG(vg_store_open(dir, &ro, &st, &e) == VG_OK, "%s", e.text);
    memset(&w, 0, sizeof w);
    CHECK(vg_manual_walk(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, on_manual, &w, &e) == VG_OK);
    CHECK(w.n == 16);
    memset(&w, 0, sizeof w);
    CHECK(vg_audit_walk(st, "SHIP", on_audit, &w, &e) == VG_OK && w.n == 16);
    ed = edit(0, 1, 4, "x");
    CHECK(vg_manual_set(st, &ed, &r, &e) == VG_ERR_INVAL);
    CHECK(strstr(e.text, "read-only") != NULL);
    CHECK(vg_store_close(st, &e) == VG_OK);
    /* ... and once the writer is gone, another writer gets in. */
    CHECK(second_writer() == 1);

    /* A store where no manual flag was ever set: readers see none, without error. */
    char dir2[80];
    snprintf(dir2, sizeof dir2, "%s/fresh", dir);
    CHECK(vg_store_open(dir2, &wo, &st, &e) == VG_OK && vg_store_close(st, &e) == VG_OK);
    CHECK_MSG(vg_store_open(dir2, &ro, &st, &e) == VG_OK, "%s", e.text);
    memset(&w, 0, sizeof w);
    CHECK_MSG(vg_manual_walk(st, "SHIP", VG_TIME_NONE, VG_TIME_NONE, on_manual, &w, &e) == VG_OK, "%s", e.text);
    CHECK(w.n == 0);
    CHECK(vg_audit_walk(st, NULL, on_audit, &w, &e) == VG_OK && w.n == 0);
    CHECK(vg_store_close(st, &e) == VG_OK);
    test_rm_rf(dir);
    return check_summary();
}
