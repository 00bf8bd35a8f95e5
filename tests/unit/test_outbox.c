/* test_outbox.c: unit tests of the durable outbox (storage/outbox.c) with a real Berkeley
 * DB environment under a mkdtemp directory: queue names and the back-off schedule (tables),
 * put / walk / take due / mark failed / retry now / mark sent, puts inside the store's batch
 * (abort drops them, commit keeps them), reopen after close (nothing lost, ids go on after
 * deletions), a reader and a tool in other processes beside the writer, and one thread
 * putting in batches while a sender thread marks items sent: each id sent exactly once;
 * last the put and send rates, printed (never asserted). */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "rm_rf.h"
#include "core/sample.h"
#include "core/time.h"
#include "storage/outbox.h"
#include "storage/store.h"

static char tmp_root[64];

static const char *new_dir(const char *name)
{
    static char bufs[8][256];
    static int next;
    char *buf = bufs[next++ % 8];
    snprintf(buf, sizeof bufs[0], "%s/%s", tmp_root, name);
    return buf;
}

static const vg_store_options rw_opt = {.cache_mb = 16, .read_only = false};
static const vg_outbox_backoff backoff = {.base_s = 30, .cap_s = 3600};
#define T0 ((vg_time_us)1780000000000000LL)
#define S_US 1000000LL

/* ---- tables -------------------------------------------------------------------------- */

static void test_queue_names(void)
{
    static const struct { const char *name; bool ok; } cases[] = {
        {"mail", true}, {"upload", true}, {"a-b_9", true}, {"", false}, {"Mail", false},
        {"with space", false}, {"0123456789012345678901234567890", true},
        {"01234567890123456789012345678901", false}, {"é", false}, {NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(vg_outbox_queue_ok(cases[i].name) == cases[i].ok, "case %zu", i);
}

static void test_backoff(void)
{
    static const struct { uint32_t attempts; double s; } cases[] = {
        {0, 0}, {1, 30}, {2, 60}, {3, 120}, {4, 240}, {5, 480}, {6, 960}, {7, 1920},
        {8, 3600}, {9, 3600}, {1000, 3600}, {UINT32_MAX, 3600},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_MSG(vg_outbox_backoff_s(&backoff, cases[i].attempts) == cases[i].s,
                  "attempts %u: %g s, expected %g", cases[i].attempts,
                  vg_outbox_backoff_s(&backoff, cases[i].attempts), cases[i].s);
}

/* ---- one process ------------------------------------------------------------------- */

static vg_outbox *open_daemon(const char *dir)
{
    vg_outbox *o = NULL;
    vg_errinfo e = {0};
    vg_err rc = vg_outbox_open(dir, 16, VG_OUTBOX_DAEMON, &o, &e);
    CHECK_MSG(rc == VG_OK, "%s", e.text);
    return o;
}

static void test_lifecycle(void)
{
    const char *dir = new_dir("life");
    vg_errinfo e = {0};
    vg_store *s = NULL;
    CHECK(vg_store_open(dir, &rw_opt, &s, &e) == VG_OK);
    vg_outbox *o = open_daemon(dir);
    if (!o || !s)
        return;

    uint64_t id[3];
    CHECK(vg_outbox_put(o, NULL, "mail", "one", 3, T0, &id[0], &e) == VG_OK);
    CHECK(vg_outbox_put(o, NULL, "upload", "file", 4, T0 + 1, &id[1], &e) == VG_OK);
    CHECK(vg_outbox_put(o, NULL, "mail", "two\0bytes", 9, T0 + 2, &id[2], &e) == VG_OK);
    CHECK(id[0] == 1 && id[1] == 2 && id[2] == 3);
    CHECK(vg_outbox_put(o, NULL, "Bad", "x", 1, T0, NULL, &e) == VG_ERR_INVAL);
    CHECK(vg_outbox_put(o, NULL, "mail", NULL, 1, T0, NULL, &e) == VG_ERR_INVAL);

    size_t n = 0;
    CHECK(vg_outbox_count(o, "mail", &n, &e) == VG_OK && n == 2);
    CHECK(vg_outbox_count(o, NULL, &n, &e) == VG_OK && n == 3);
    CHECK(vg_outbox_count(o, "none", &n, &e) == VG_OK && n == 0);

    vg_outbox_item *items = NULL;
    vg_time_us next = 0;
    CHECK(vg_outbox_take_due(o, "mail", T0 + 10, 10, &items, &n, &next, &e) == VG_OK);
    CHECK(n == 2 && next == VG_TIME_NONE);
    if (n == 2) {
        CHECK(items[0].id == 1 && items[1].id == 3);
        CHECK_STR(items[0].queue, "mail");
        CHECK(items[1].len == 9 && memcmp(items[1].payload, "two\0bytes", 9) == 0);
        CHECK(items[1].created == T0 + 2 && items[1].next_attempt == T0 + 2);
        CHECK(items[1].attempts == 0 && items[1].last_error[0] == 0);
    }
    vg_outbox_items_free(items, n);
    /* max bounds the answer; next_due then names the first one left */
    CHECK(vg_outbox_take_due(o, "mail", T0 + 10, 1, &items, &n, &next, &e) == VG_OK);
    CHECK(n == 1 && items[0].id == 1 && next == T0 + 2);
    vg_outbox_items_free(items, n);

    /* failure: back-off and error kept; not due before */
    vg_time_us when = 0;
    CHECK(vg_outbox_mark_failed(o, "mail", 1, T0 + 100, &backoff, "421 try later", &when,
                                &e) == VG_OK);
    CHECK(when == T0 + 100 + 30 * S_US);
    CHECK(vg_outbox_mark_failed(o, "mail", 1, T0 + 200, &backoff, "421 again", &when, &e) ==
          VG_OK);
    CHECK(when == T0 + 200 + 60 * S_US);
    CHECK(vg_outbox_take_due(o, "mail", T0 + 300, 10, &items, &n, &next, &e) == VG_OK);
    CHECK(n == 1 && items[0].id == 3 && next == T0 + 200 + 60 * S_US);
    vg_outbox_items_free(items, n);
    CHECK(vg_outbox_mark_failed(o, "mail", 99, T0, &backoff, "x", NULL, &e) ==
          VG_ERR_NOTFOUND);

    /* retry now: due at once, attempts and error kept */
    CHECK(vg_outbox_retry_now(o, "mail", 1, T0 + 400, &e) == VG_OK);
    CHECK(vg_outbox_take_due(o, "mail", T0 + 400, 10, &items, &n, &next, &e) == VG_OK);
    CHECK(n == 2 && items[0].id == 1 && items[0].attempts == 2);
    if (n >= 1)
        CHECK_STR(items[0].last_error, "421 again");
    vg_outbox_items_free(items, n);
    CHECK(vg_outbox_retry_now(o, "upload", 1, T0, &e) == VG_ERR_NOTFOUND);
    CHECK(strstr(e.text, "no item 1 in queue upload") != NULL);

    /* sent: gone for good */
    CHECK(vg_outbox_mark_sent(o, "mail", 1, &e) == VG_OK);
    CHECK(vg_outbox_mark_sent(o, "mail", 1, &e) == VG_ERR_NOTFOUND);
    CHECK(vg_outbox_count(o, "mail", &n, &e) == VG_OK && n == 1);

    /* inside the store's batch: abort drops it, commit keeps it */
    CHECK(vg_store_begin(s, &e) == VG_OK);
    uint64_t bid = 0;
    CHECK(vg_outbox_put(o, s, "mail", "batch", 5, T0, &bid, &e) == VG_OK && bid == 4);
    vg_store_abort(s);
    CHECK(vg_outbox_count(o, "mail", &n, &e) == VG_OK && n == 1);
    CHECK(vg_store_begin(s, &e) == VG_OK);
    CHECK(vg_outbox_put(o, s, "mail", "batch", 5, T0, &bid, &e) == VG_OK && bid == 4);
    /* not visible to readers before the commit */
    CHECK(vg_outbox_count(o, "mail", &n, &e) == VG_OK && n == 1);
    CHECK(vg_store_commit(s, &e) == VG_OK);
    CHECK(vg_outbox_count(o, "mail", &n, &e) == VG_OK && n == 2);

    /* remove inside the batch: lands with the commit, not before, never waits for itself */
    uint64_t rid = 0;
    CHECK(vg_outbox_put(o, NULL, "alert-state", "r", 1, T0, &rid, &e) == VG_OK);
    CHECK(vg_store_begin(s, &e) == VG_OK);
    CHECK(vg_outbox_put(o, s, "mail", "other", 5, T0, NULL, &e) == VG_OK); /* page locked */
    CHECK(vg_outbox_remove(o, s, "alert-state", rid, &e) == VG_OK);
    CHECK(vg_outbox_count(o, "alert-state", &n, &e) == VG_OK && n == 1); /* snapshot */
    vg_store_abort(s);
    CHECK(vg_outbox_count(o, "alert-state", &n, &e) == VG_OK && n == 1);
    CHECK(vg_store_begin(s, &e) == VG_OK);
    CHECK(vg_outbox_remove(o, s, "alert-state", rid, &e) == VG_OK);
    CHECK(vg_outbox_remove(o, s, "alert-state", rid, &e) == VG_ERR_NOTFOUND);
    CHECK(vg_store_commit(s, &e) == VG_OK);
    CHECK(vg_outbox_count(o, "alert-state", &n, &e) == VG_OK && n == 0);
    CHECK(vg_outbox_remove(o, NULL, "alert-state", rid, &e) == VG_ERR_NOTFOUND);

    /* empty everything, close, reopen: the ids go on */
    CHECK(vg_outbox_mark_sent(o, "mail", 3, &e) == VG_OK);
    CHECK(vg_outbox_mark_sent(o, "mail", 4, &e) == VG_OK);
    CHECK(vg_outbox_mark_failed(o, "upload", 2, T0, &backoff, "ftp down", NULL, &e) == VG_OK);
    CHECK(vg_outbox_close(o, &e) == VG_OK);
    CHECK(vg_store_close(s, &e) == VG_OK);

    s = NULL;
    CHECK(vg_store_open(dir, &rw_opt, &s, &e) == VG_OK);
    o = open_daemon(dir);
    if (!o)
        return;
    CHECK(vg_outbox_count(o, NULL, &n, &e) == VG_OK && n == 1);
    CHECK(vg_outbox_take_due(o, "upload", T0 + 31 * S_US, 10, &items, &n, &next, &e) ==
          VG_OK);
    CHECK(n == 1 && items[0].id == 2 && items[0].attempts == 1 && items[0].len == 4);
    if (n == 1)
        CHECK_STR(items[0].last_error, "ftp down");
    vg_outbox_items_free(items, n);
    CHECK(vg_outbox_put(o, NULL, "mail", "after", 5, T0, &bid, &e) == VG_OK && bid == 6);
    vg_outbox_close(o, NULL);
    vg_store_close(s, NULL);
}

/* Many items: the walk reads them in several chunks and returns each once, in (queue, id)
 * order. */
struct walk_state {
    char queue[VG_OUTBOX_QUEUE_MAX];
    uint64_t last, count;
};

static int walk_ids(void *ctx, const vg_outbox_item *it)
{
    struct walk_state *w = ctx;
    if (strcmp(w->queue, it->queue) != 0) {
        CHECK(strcmp(w->queue, it->queue) < 0);
        snprintf(w->queue, sizeof w->queue, "%s", it->queue);
        w->last = 0;
    }
    CHECK(it->id > w->last);
    char want[64];
    snprintf(want, sizeof want, "item %llu", (unsigned long long)it->id);
    CHECK(it->len == strlen(want) && memcmp(it->payload, want, it->len) == 0);
    w->last = it->id;
    w->count++;
    return 0;
}

static void test_many(void)
{
    const char *dir = new_dir("many");
    vg_errinfo e = {0};
    CHECK(mkdir(dir, 0750) == 0); /* the daemon's store creates it; here no store */
    vg_outbox *o = open_daemon(dir);
    if (!o)
        return;
    char buf[64];
    for (int i = 1; i <= 200; i++) {
        int len = snprintf(buf, sizeof buf, "item %d", i);
        CHECK(vg_outbox_put(o, NULL, i % 2 ? "mail" : "upload", buf, (size_t)len, T0 + i,
                            NULL, &e) == VG_OK);
    }
    struct walk_state w = {{0}, 0, 0};
    CHECK(vg_outbox_walk(o, NULL, walk_ids, &w, &e) == VG_OK && w.count == 200);
    memset(&w, 0, sizeof w);
    CHECK(vg_outbox_walk(o, "mail", walk_ids, &w, &e) == VG_OK && w.count == 100);
    CHECK_STR(w.queue, "mail");
    vg_outbox_item *items;
    size_t n;
    vg_time_us next;
    CHECK(vg_outbox_take_due(o, "upload", T0 + 100, 1000, &items, &n, &next, &e) == VG_OK);
    CHECK(n == 50 && next == T0 + 102);
    vg_outbox_items_free(items, n);
    vg_outbox_close(o, NULL);
}

/* ---- other processes --------------------------------------------------------------- */

/* A reader lists and a tool forces a retry while this process is the writer. */
static void test_processes(void)
{
    const char *dir = new_dir("procs");
    vg_errinfo e = {0};
    vg_store *s = NULL;
    CHECK(vg_store_open(dir, &rw_opt, &s, &e) == VG_OK);
    vg_outbox *o = open_daemon(dir);
    if (!o || !s)
        return;
    CHECK(vg_outbox_put(o, NULL, "mail", "m1", 2, T0, NULL, &e) == VG_OK);
    CHECK(vg_outbox_mark_failed(o, "mail", 1, T0, &backoff, "550 no", NULL, &e) == VG_OK);
    /* an open batch with an uncommitted item must not block the others */
    CHECK(vg_store_begin(s, &e) == VG_OK);
    CHECK(vg_outbox_put(o, s, "mail", "m2", 2, T0, NULL, &e) == VG_OK);
    fflush(NULL);
    int sync[2];
    CHECK(pipe(sync) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(sync[0]);
        int bad = 0;
        vg_outbox *r = NULL;
        vg_errinfo ce;
        size_t n = 0;
        if (vg_outbox_open(dir, 16, VG_OUTBOX_READER, &r, &ce) != VG_OK ||
            vg_outbox_count(r, "mail", &n, &ce) != VG_OK || n != 1)
            bad |= 1;
        if (r && vg_outbox_retry_now(r, "mail", 1, T0, &ce) != VG_ERR_DB)
            bad |= 2; /* read-only */
        vg_outbox_close(r, NULL);
        /* the batch still holds the page: the tool waits until the writer commits */
        if (write(sync[1], "r", 1) != 1)
            bad |= 8;
        vg_outbox *t = NULL;
        if (vg_outbox_open(dir, 16, VG_OUTBOX_TOOL, &t, &ce) != VG_OK ||
            vg_outbox_retry_now(t, "mail", 1, T0 + 5, &ce) != VG_OK)
            bad |= 4;
        vg_outbox_close(t, NULL);
        if (bad)
            fprintf(stderr, "child: %d: %s\n", bad, ce.text);
        _exit(bad);
    }
    close(sync[1]);
    char c;
    CHECK(read(sync[0], &c, 1) == 1);
    close(sync[0]);
    CHECK(vg_store_commit(s, &e) == VG_OK);
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    vg_outbox_item *items;
    size_t n;
    CHECK(vg_outbox_take_due(o, "mail", T0 + 5, 10, &items, &n, NULL, &e) == VG_OK);
    CHECK(n == 2 && items[0].id == 1 && items[0].next_attempt == T0 + 5);
    vg_outbox_items_free(items, n);
    CHECK(vg_store_maintain(s, &e) == VG_OK);
    vg_outbox_close(o, NULL);
    vg_store_close(s, NULL);

    /* no outbox yet: a clear error for tools */
    const char *empty = new_dir("nooutbox");
    CHECK(vg_store_open(empty, &rw_opt, &s, &e) == VG_OK);
    vg_outbox *r = NULL;
    CHECK(vg_outbox_open(empty, 16, VG_OUTBOX_READER, &r, &e) == VG_ERR_NOTFOUND);
    CHECK(strstr(e.text, "no outbox yet") != NULL);
    vg_store_close(s, NULL);
    CHECK(vg_outbox_open(new_dir("nostore"), 16, VG_OUTBOX_READER, &r, &e) ==
          VG_ERR_NOTFOUND);
}

/* ---- threads ------------------------------------------------------------------------ */

#define PRODUCE 300

struct sender {
    vg_outbox *o;
    volatile int stop;
    unsigned char sent[PRODUCE + 1];
    int dup, errors;
};

static void *sender_main(void *arg)
{
    struct sender *sd = arg;
    for (;;) {
        int stop = sd->stop;
        vg_outbox_item *items;
        size_t n;
        vg_errinfo e;
        if (vg_outbox_take_due(sd->o, "mail", T0 + 1000 * S_US, 16, &items, &n, NULL, &e) !=
            VG_OK) {
            sd->errors++;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            if (i % 3 == 2) { /* some fail first, and are retried at once */
                if (vg_outbox_mark_failed(sd->o, "mail", items[i].id,
                                          T0 - 4000 * S_US, &backoff, "x", NULL,
                                          &e) != VG_OK)
                    sd->errors++;
                continue;
            }
            vg_err rc = vg_outbox_mark_sent(sd->o, "mail", items[i].id, &e);
            if (rc != VG_OK) {
                fprintf(stderr, "sender: %s\n", e.text);
                sd->errors++;
            } else if (items[i].id <= PRODUCE && sd->sent[items[i].id]++) {
                sd->dup++;
            }
        }
        vg_outbox_items_free(items, n);
        if (stop && n == 0)
            break;
    }
    return NULL;
}

static void test_threads(void)
{
    const char *dir = new_dir("threads");
    vg_errinfo e = {0};
    vg_store *s = NULL;
    CHECK(vg_store_open(dir, &rw_opt, &s, &e) == VG_OK);
    vg_outbox *o = open_daemon(dir);
    if (!o || !s)
        return;
    struct sender sd = {.o = o};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, sender_main, &sd) == 0);
    int put_errors = 0;
    for (int b = 0; b < PRODUCE / 10; b++) {
        CHECK(vg_store_begin(s, &e) == VG_OK);
        for (int i = 0; i < 10; i++) {
            vg_sample smp;
            vg_sample_init(&smp);
            vg_sample_set_platform(&smp, "SHIP", 4);
            smp.time = T0 + (b * 10 + i) * S_US;
            vg_sample_set(&smp, VG_P_TEMP, 12.5);
            if (vg_store_put_sample(s, &smp, &e) != VG_OK ||
                vg_outbox_put(o, s, "mail", "x", 1, T0, NULL, &e) != VG_OK)
                put_errors++;
        }
        CHECK(vg_store_commit(s, &e) == VG_OK);
    }
    sd.stop = 1;
    pthread_join(th, NULL);
    CHECK_MSG(put_errors == 0, "%s", e.text);
    CHECK(sd.errors == 0 && sd.dup == 0);
    int missing = 0;
    for (int id = 1; id <= PRODUCE; id++)
        missing += !sd.sent[id];
    CHECK_MSG(missing == 0, "%d items never sent", missing);
    size_t n = 99;
    CHECK(vg_outbox_count(o, NULL, &n, &e) == VG_OK && n == 0);
    vg_outbox_close(o, NULL);
    vg_store_close(s, NULL);
}

/* Put rates, printed (never asserted): alone (one durable commit each) and in batches of
 * 100 with samples, as the engine does; and take + mark sent, as the sender does. */
static double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bench_outbox(void)
{
    const char *dir = new_dir("bench");
    vg_errinfo e = {0};
    vg_store *s = NULL;
    if (vg_store_open(dir, &rw_opt, &s, &e) != VG_OK)
        return;
    vg_outbox *o = open_daemon(dir);
    if (!o)
        return;
    static char payload[4096];
    memset(payload, 'x', sizeof payload);
    const int n = 500;
    double t0 = bench_now_s();
    for (int i = 0; i < n; i++)
        vg_outbox_put(o, NULL, "mail", payload, sizeof payload, T0, NULL, &e);
    double t1 = bench_now_s();
    for (int b = 0; b < n / 100; b++) {
        vg_store_begin(s, &e);
        for (int i = 0; i < 100; i++)
            vg_outbox_put(o, s, "mail", payload, sizeof payload, T0, NULL, &e);
        vg_store_commit(s, &e);
    }
    double t2 = bench_now_s();
    size_t sent = 0;
    for (;;) {
        vg_outbox_item *items;
        size_t k;
        if (vg_outbox_take_due(o, "mail", T0, 16, &items, &k, NULL, &e) != VG_OK || k == 0)
            break;
        for (size_t i = 0; i < k; i++) {
            /* the payload is read after the scan of the heads: check it whole */
            CHECK(items[i].len == sizeof payload && items[i].payload[0] == 'x' &&
                  items[i].payload[sizeof payload - 1] == 'x' &&
                  items[i].payload[sizeof payload] == 0);
            sent += vg_outbox_mark_sent(o, "mail", items[i].id, &e) == VG_OK;
        }
        vg_outbox_items_free(items, k);
    }
    double t3 = bench_now_s();
    printf("bench: outbox (4 KiB mails): put alone %.0f/s, put in batches of 100 %.0f/s, "
           "take + mark sent %.0f/s\n", n / (t1 - t0), n / (t2 - t1), sent / (t3 - t2));
    CHECK(sent == (size_t)(2 * n));
    vg_outbox_close(o, NULL);
    vg_store_close(s, NULL);
}

int main(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/vigie-outbox-XXXXXX");
    if (!mkdtemp(tmp_root)) {
        perror("mkdtemp");
        return 1;
    }
    test_queue_names();
    test_backoff();
    test_lifecycle();
    test_many();
    test_processes();
    test_threads();
    bench_outbox();
    int rc = check_summary();
    if (rc)
        printf("  outboxes kept in %s\n", tmp_root);
    else
        test_rm_rf(tmp_root);
    return rc;
}
