/* test_store.c: unit tests of the Berkeley DB store (storage/store.c, query.c, keys.c,
 * records.c, env.c). Key and record encodings first; then, each in a fresh directory under
 * one mkdtemp root: writes, queries and exact read-back, replacement, quarantine, abort
 * (also at close), reopen, readers beside the writer (same process and other processes),
 * reads during writes, a writer crash with recovery, readers killed with SIGKILL while the
 * writer runs (failchk), a writer restart under a reader, schema version mismatch and error
 * texts; last a write benchmark that prints samples/s (never asserts a time). */
#include <db.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "rm_rf.h"
#include "core/error.h"
#include "core/sample.h"
#include "core/time.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/store.h"
#include "storage/store_int.h" /* vg_store__migrate_chunk, VG_STORE_OWN_MAX */
#include "storage/walk.h"

/* ---- fixtures ------------------------------------------------------------------------ */

static char tmp_root[64];

/* A store path under the temporary root (the directory itself is not created); the
 * string stays valid for the next 15 calls. */
static const char *new_dir(const char *name)
{
    static char bufs[16][256];
    static int next;
    char *buf = bufs[next++ % 16];
    snprintf(buf, sizeof bufs[0], "%s/%s", tmp_root, name);
    return buf;
}

static const vg_store_options rw_opt = {.cache_mb = 16, .read_only = false};
static const vg_store_options ro_opt = {.cache_mb = 16, .read_only = true};

static const char raw_bytes[] = {'$', 'T', 0, 'X', (char)0xFF, (char)0x80, '\n', 0};

/* A sample with TEMP, PSAL (bad), SSJT (NaN, missing) and per-test flags. */
static void mk_sample(vg_sample *s, const char *plat, vg_time_us t, double base)
{
    vg_sample_init(s);
    vg_sample_set_platform(s, plat, strlen(plat));
    s->time = t;
    s->received = t + 1500;
    s->lat_deg = 47.5 + base;
    s->lon_deg = -5.25 - base;
    vg_sample_set(s, VG_P_TEMP, 12.5 + base);
    s->qc[VG_P_TEMP].agg = 1;
    s->qc[VG_P_TEMP].test[3] = 1;
    s->qc[VG_P_TEMP].test[17] = 2;
    vg_sample_set(s, VG_P_PSAL, 35.125 + base);
    s->qc[VG_P_PSAL].agg = 4;
    s->qc[VG_P_PSAL].test[0] = 4;
    s->qc[VG_P_PSAL].test[31] = 1;
    vg_sample_set(s, VG_P_SSJT, NAN);
    s->qc[VG_P_SSJT].agg = 9;
    s->pos_qc.agg = 1;
    s->pos_qc.test[5] = 1;
    s->time_qc.agg = 3;
    s->time_qc.test[30] = 3;
    s->raw = raw_bytes;
    s->raw_len = sizeof raw_bytes;
}

#define MAXOBS 4096
typedef struct collect {
    vg_obs o[MAXOBS];
    int n;
    int stop_after; /* 0 = never */
} collect;

static int collect_fn(void *ctx, const vg_obs *o)
{
    collect *c = ctx;
    if (c->n < MAXOBS)
        c->o[c->n++] = *o;
    return c->stop_after && c->n >= c->stop_after;
}

static collect *run_query(vg_store *s, const char *plat, int param, vg_time_us from,
                          vg_time_us to, int min_flag)
{
    static collect c;
    memset(&c, 0, sizeof c);
    vg_query q = {.platform = plat, .param = param, .from = from, .to = to, .min_flag = min_flag};
    vg_errinfo err = {0};
    vg_err rc = vg_store_query(s, &q, collect_fn, &c, &err);
    CHECK_MSG(rc == VG_OK, "query: %s", err.text);
    return &c;
}

static vg_store *open_ok(const char *dir, const vg_store_options *opt)
{
    vg_store *s = NULL;
    vg_errinfo err = {0};
    vg_err rc = vg_store_open(dir, opt, &s, &err);
    CHECK_MSG(rc == VG_OK && s, "open %s: %s", dir, err.text);
    return s;
}

static void close_ok(vg_store *s)
{
    vg_errinfo err = {0};
    vg_err rc = vg_store_close(s, &err);
    CHECK_MSG(rc == VG_OK, "close: %s", err.text);
}

static void put_ok(vg_store *s, const vg_sample *smp)
{
    vg_errinfo err = {0};
    vg_err rc = vg_store_put_sample(s, smp, &err);
    CHECK_MSG(rc == VG_OK, "put: %s", err.text);
}

static void begin_ok(vg_store *s)
{
    vg_errinfo err = {0};
    CHECK_MSG(vg_store_begin(s, &err) == VG_OK, "begin: %s", err.text);
}

static void commit_ok(vg_store *s)
{
    vg_errinfo err = {0};
    CHECK_MSG(vg_store_commit(s, &err) == VG_OK, "commit: %s", err.text);
}

static vg_store_counts counts(vg_store *s)
{
    vg_store_counts c = {0};
    vg_errinfo err = {0};
    CHECK_MSG(vg_store_count(s, &c, &err) == VG_OK, "count: %s", err.text);
    return c;
}

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* ---- keys and records ------------------------------------------------------------------ */

static void test_keys(void)
{
    const vg_time_us times[] = {
        INT64_MIN, INT64_C(-2208988800000000) /* 1900 */, -86400 * VG_US_PER_S, -1, 0, 1,
        INT64_C(1700000000000000), INT64_C(7258118400000000) /* 2200 */, INT64_MAX,
    };
    size_t n = sizeof times / sizeof times[0];
    unsigned char a[8], b[8];
    for (size_t i = 0; i < n; i++) {
        vg_skey_put_time(a, times[i]);
        CHECK(vg_skey_get_time(a) == times[i]);
        if (i + 1 < n) {
            vg_skey_put_time(b, times[i + 1]);
            CHECK_MSG(memcmp(a, b, 8) < 0, "time %lld vs %lld", (long long)times[i],
                      (long long)times[i + 1]);
        }
    }
    vg_skey_put_time(a, 0);
    CHECK(a[0] == 0x80 && a[7] == 0);
    vg_skey_put_time(a, -1);
    CHECK(a[0] == 0x7F && a[7] == 0xFF);
    vg_skey_put_time(a, INT64_MIN);
    CHECK(a[0] == 0 && a[7] == 0);

    unsigned char k[VG_SKEY_MAX], k2[VG_SKEY_MAX];
    size_t len = vg_skey_sample(k, "B", 0);
    CHECK(len == 10 && k[0] == 'B' && k[1] == 0 && k[2] == 0x80 && k[9] == 0);
    len = vg_skey_platform(k, "SHIP1");
    CHECK(len == 6 && memcmp(k, "SHIP1\0", 6) == 0);
    /* "SHIP" sorts before "SHIP1" whatever the times: the terminator keeps them apart */
    size_t l1 = vg_skey_sample(k, "SHIP", INT64_MAX), l2 = vg_skey_sample(k2, "SHIP1", INT64_MIN);
    CHECK(l1 == 13 && l2 == 14 && memcmp(k, k2, l1) < 0);
    char longest[VG_PLATFORM_MAX];
    memset(longest, 'x', sizeof longest - 1);
    longest[sizeof longest - 1] = 0;
    CHECK(vg_skey_sample(k, longest, 5) == VG_SKEY_MAX);

    unsigned char q[16];
    vg_skey_quarantine(q, 5, 0x01FF);
    CHECK(vg_skey_get_u64(q + 8) == 0x01FF);
    CHECK(vg_skey_quarantine_next(q) == 0 && vg_skey_get_u64(q + 8) == 0x0200);
    memset(q, 0xFF, sizeof q);
    CHECK(vg_skey_quarantine_next(q) == -1);
    vg_skey_put_u64(q, UINT64_MAX);
    memset(q + 8, 0xFF, 8);
    q[7] = 0xFE;
    CHECK(vg_skey_quarantine_next(q) == 0 && q[7] == 0xFF && q[8] == 0 && q[15] == 0);
}

static void test_records(void)
{
    /* every parameter code fits the 4 bytes of a sample record */
    for (int p = 0; p < VG_P__COUNT; p++)
        CHECK(strlen(vg_param_get((vg_param)p)->code) == VG_SREC_CODE_LEN);

    /* exact bytes of a small sample (docs/storage.md, "samples.db") */
    vg_sample s;
    vg_sample_init(&s);
    s.received = 1000;
    s.lat_deg = 1.5;
    s.lon_deg = -2.0;
    s.pos_qc.agg = 1;
    s.pos_qc.test[5] = 1;
    s.time_qc.agg = 3;
    vg_sample_set(&s, VG_P_TEMP, -1.5);
    s.qc[VG_P_TEMP].agg = 4;
    s.qc[VG_P_TEMP].test[0] = 1;
    s.qc[VG_P_TEMP].test[31] = 4;
    s.raw = "a";
    s.raw_len = 2; /* the frame's NUL too: any bytes */
    static unsigned char buf[VG_SREC_SAMPLE_FIXED_MAX + 64];
    CHECK(vg_srec_sample_bound(2) == VG_SREC_SAMPLE_FIXED_MAX + 2);
    size_t n = vg_srec_sample_encode(buf, &s);
    const unsigned char want[] = {
        1,                                    /* record version */
        0xE8, 3, 0, 0, 0, 0, 0, 0,            /* received 1000 */
        0, 0, 0, 0, 0, 0, 0xF8, 0x3F,         /* lat 1.5 */
        0, 0, 0, 0, 0, 0, 0, 0xC0,            /* lon -2 */
        1, 1, 5, 1,                           /* position: agg 1, one flag: test 5 = 1 */
        3, 0,                                 /* time: agg 3, no test flag */
        1,                                    /* one parameter */
        'T', 'E', 'M', 'P',                   /* its code */
        0, 0, 0, 0, 0, 0, 0xF8, 0xBF,         /* -1.5 */
        4, 2, 0, 1, 31, 4,                    /* agg 4; test 0 = 1, test 31 = 4 */
        2, 0, 0, 0, 'a', 0,                   /* frame of 2 bytes */
    };
    CHECK_MSG(n == sizeof want, "%zu bytes", n);
    CHECK(n == sizeof want && memcmp(buf, want, sizeof want) == 0);
    vg_srec_sample d;
    CHECK(vg_srec_sample_decode(buf, n, &d));
    CHECK(d.received == 1000 && d.lat == 1.5 && d.lon == -2.0 && d.unknown == 0);
    CHECK(memcmp(&d.pos, &s.pos_qc, sizeof d.pos) == 0);
    CHECK(memcmp(&d.tim, &s.time_qc, sizeof d.tim) == 0);
    CHECK(d.present == VG_PARAM_BIT(VG_P_TEMP) && d.value[VG_P_TEMP] == -1.5);
    CHECK(memcmp(&d.qc[VG_P_TEMP], &s.qc[VG_P_TEMP], sizeof d.qc[0]) == 0);
    CHECK(d.raw_len == 2 && d.raw && memcmp(d.raw, "a", 2) == 0);

    CHECK(!vg_srec_sample_decode(buf, n - 1, &d)); /* truncated */
    CHECK(!vg_srec_sample_decode(buf, n + 1, &d)); /* trailing byte */
    for (size_t cut = 0; cut < n; cut++)            /* any prefix is malformed */
        CHECK(!vg_srec_sample_decode(buf, cut, &d));
    buf[0] = 2;
    CHECK(!vg_srec_sample_decode(buf, n, &d)); /* unknown record version */
    buf[0] = 1;
    buf[30] = 33; /* time flag count beyond 32 tests */
    CHECK(!vg_srec_sample_decode(buf, n, &d));
    buf[30] = 0;
    buf[28] = 0; /* position flag list: test 5 listed with flag 0 is still well-formed */
    CHECK(vg_srec_sample_decode(buf, n, &d) && d.pos.test[5] == 0);
    buf[28] = 1;
    buf[27] = 32; /* test id out of range */
    CHECK(!vg_srec_sample_decode(buf, n, &d));
    buf[27] = 5;
    memcpy(buf + 32, "ZZZZ", 4); /* a code this vigie does not know: skipped */
    CHECK(vg_srec_sample_decode(buf, n, &d) && d.present == 0 && d.unknown == 1 &&
          d.raw_len == 2);
    memcpy(buf + 32, "TE\0P", 4); /* padding that is not all NULs is no code */
    CHECK(vg_srec_sample_decode(buf, n, &d) && d.present == 0 && d.unknown == 1);
    memcpy(buf + 32, "TEMP", 4);

    /* no frame, no parameter, NaN position with its payload kept, a parameter twice */
    vg_sample e;
    vg_sample_init(&e);
    uint64_t bits = UINT64_C(0x7FF8000000000123), back;
    memcpy(&e.lat_deg, &bits, sizeof bits);
    n = vg_srec_sample_encode(buf, &e);
    CHECK(n == 1 + 24 + 2 + 2 + 1 + 4);
    CHECK(vg_srec_sample_decode(buf, n, &d) && d.present == 0 && d.raw == NULL &&
          d.raw_len == 0 && isnan(d.lon) && d.received == VG_TIME_NONE);
    memcpy(&back, &d.lat, sizeof back);
    CHECK(back == bits);
    vg_sample_set(&e, VG_P_PSAL, 35);
    vg_sample_set(&e, VG_P_SSJT, 12);
    n = vg_srec_sample_encode(buf, &e);
    CHECK(vg_srec_sample_decode(buf, n, &d) &&
          d.present == (VG_PARAM_BIT(VG_P_PSAL) | VG_PARAM_BIT(VG_P_SSJT)));
    memcpy(buf + 30 + VG_SREC_CODE_LEN + 8 + 2, "PSAL", 4); /* SSJT's code -> PSAL twice */
    CHECK(!vg_srec_sample_decode(buf, n, &d));

    /* the largest sample: every parameter, every test flag set, fills the bound exactly */
    vg_sample f;
    vg_sample_init(&f);
    for (int p = 0; p < VG_P__COUNT; p++) {
        vg_sample_set(&f, (vg_param)p, p);
        for (int t = 0; t < VG_QC_MAX_TESTS; t++)
            f.qc[p].test[t] = 1 + (unsigned char)(t % 9);
    }
    for (int t = 0; t < VG_QC_MAX_TESTS; t++)
        f.pos_qc.test[t] = f.time_qc.test[t] = 2;
    n = vg_srec_sample_encode(buf, &f);
    CHECK(n == VG_SREC_SAMPLE_FIXED_MAX);
    CHECK(vg_srec_sample_decode(buf, n, &d) && d.present == (1u << VG_P__COUNT) - 1);
    CHECK(memcmp(&d.qc[VG_P__COUNT - 1], &f.qc[VG_P__COUNT - 1], sizeof d.qc[0]) == 0);
    CHECK(vg_srec_sample_bound((size_t)UINT32_MAX) == 0);

    vg_srec_quarantine q = {.source = "tcp://x:1", .reason = "parse", .detail = "",
                            .frame = raw_bytes};
    q.source_len = strlen(q.source);
    q.reason_len = strlen(q.reason);
    q.frame_len = sizeof raw_bytes;
    size_t qn = vg_srec_quarantine_size(&q);
    CHECK(qn == 1 + 16 + 9 + 5 + sizeof raw_bytes);
    unsigned char qb[64];
    CHECK(vg_srec_quarantine_encode(qb, &q) == qn);
    vg_srec_quarantine qd;
    CHECK(vg_srec_quarantine_decode(qb, qn, &qd));
    CHECK(qd.source_len == 9 && memcmp(qd.source, "tcp://x:1", 9) == 0);
    CHECK(qd.frame_len == sizeof raw_bytes &&
          memcmp(qd.frame, raw_bytes, sizeof raw_bytes) == 0);
    CHECK(!vg_srec_quarantine_decode(qb, qn - 1, &qd));
}

/* ---- store ----------------------------------------------------------------------------- */

static void check_obs(const vg_obs *o, const char *plat, vg_param p, vg_time_us t, double base)
{
    vg_sample s;
    mk_sample(&s, plat, t, base);
    CHECK_STR(o->platform, plat);
    CHECK(o->param == p);
    CHECK_MSG(o->time == t, "time %lld vs %lld", (long long)o->time, (long long)t);
    CHECK_MSG(same_double(o->value, s.value[p]), "value %g vs %g", o->value, s.value[p]);
    CHECK(memcmp(&o->qc, &s.qc[p], sizeof o->qc) == 0);
    CHECK(o->lat_deg == s.lat_deg && o->lon_deg == s.lon_deg);
    CHECK(o->pos_flag == 1 && o->time_flag == 3);
}

/* Times written in this order (not sorted) by test_write_query. */
static const vg_time_us wtimes[] = {
    INT64_C(1700000000000000), -1, INT64_C(-2208988800000000), 0, INT64_C(7258118400000000),
    1, -86400 * VG_US_PER_S,
};
static const vg_time_us sorted_times[] = {
    INT64_C(-2208988800000000), -86400 * VG_US_PER_S, -1, 0, 1, INT64_C(1700000000000000),
    INT64_C(7258118400000000),
};
#define NT ((int)(sizeof wtimes / sizeof wtimes[0]))

static double base_of(vg_time_us t)
{
    return (double)(t % 1000) / 8.0 + (t < 0 ? 100 : 0);
}

static void write_two_platforms(vg_store *s)
{
    begin_ok(s);
    /* "SHIP" is a prefix of "SHIP1": keys must keep them apart. */
    const char *plats[] = {"SHIP1", "SHIP", "buoy-2.a"};
    for (int pi = 0; pi < 3; pi++) {
        for (int i = 0; i < NT; i++) {
            vg_sample smp;
            mk_sample(&smp, plats[pi], wtimes[i], base_of(wtimes[i]) + pi);
            put_ok(s, &smp);
        }
    }
    commit_ok(s);
}

static void check_two_platforms(vg_store *s)
{
    collect *c = run_query(s, "SHIP1", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == NT);
    for (int i = 0; i < c->n && i < NT; i++)
        check_obs(&c->o[i], "SHIP1", VG_P_TEMP, sorted_times[i], base_of(sorted_times[i]));

    c = run_query(s, "SHIP", VG_P_SSJT, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == NT);
    for (int i = 0; i < c->n && i < NT; i++) {
        check_obs(&c->o[i], "SHIP", VG_P_SSJT, sorted_times[i], base_of(sorted_times[i]) + 1);
        CHECK(isnan(c->o[i].value) && c->o[i].qc.agg == 9);
    }

    /* every parameter: (time, param) order, the parameters of a sample in vg_param order */
    c = run_query(s, "buoy-2.a", -1, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == 3 * NT);
    const vg_param order[] = {VG_P_TEMP, VG_P_PSAL, VG_P_SSJT};
    for (int i = 0; i < c->n && i < 3 * NT; i++)
        check_obs(&c->o[i], "buoy-2.a", order[i % 3], sorted_times[i / 3],
                  base_of(sorted_times[i / 3]) + 2);

    /* inclusive time range around 1970 */
    c = run_query(s, "SHIP1", VG_P_PSAL, -1, 1, 0);
    CHECK(c->n == 3);
    if (c->n == 3)
        CHECK(c->o[0].time == -1 && c->o[1].time == 0 && c->o[2].time == 1);
    c = run_query(s, "SHIP1", VG_P_PSAL, 0, 0, 0);
    CHECK(c->n == 1 && c->o[0].time == 0);
    c = run_query(s, "SHIP1", VG_P_PSAL, 2, 3, 0);
    CHECK(c->n == 0);
    c = run_query(s, "SHIP1", VG_P_PSAL, 5, -5, 0);
    CHECK(c->n == 0);
    c = run_query(s, "SHIP1", VG_P_TEMP, INT64_C(-2208988800000000), -1, 0);
    CHECK(c->n == 3);
    c = run_query(s, "SHIP1", VG_P_TEMP, 1, VG_TIME_NONE, 0);
    CHECK(c->n == 3);
    c = run_query(s, "SHIP1", -1, 0, 1, 0);
    CHECK(c->n == 6);
    if (c->n == 6)
        CHECK(c->o[0].time == 0 && c->o[2].param == VG_P_SSJT && c->o[3].time == 1 &&
              c->o[3].param == VG_P_TEMP);

    /* min_flag (aggregate >= min_flag): TEMP is 1, PSAL is 4, SSJT is 9 */
    c = run_query(s, "SHIP1", -1, VG_TIME_NONE, VG_TIME_NONE, 4);
    CHECK(c->n == 2 * NT);
    if (c->n == 2 * NT)
        CHECK(c->o[0].param == VG_P_PSAL && c->o[1].param == VG_P_SSJT &&
              c->o[2].param == VG_P_PSAL && c->o[0].time == sorted_times[0]);
    c = run_query(s, "SHIP1", -1, VG_TIME_NONE, VG_TIME_NONE, 5);
    CHECK(c->n == NT);
    c = run_query(s, "SHIP1", -1, VG_TIME_NONE, VG_TIME_NONE, 1);
    CHECK(c->n == 3 * NT);
    c = run_query(s, "SHIP1", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 2);
    CHECK(c->n == 0);

    /* absent platform or parameter */
    c = run_query(s, "SHIP2", -1, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == 0);
    c = run_query(s, "SHIP1", VG_P_HCRS, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == 0);

    /* early stop */
    collect stop = {.stop_after = 2};
    vg_query q = {.platform = "SHIP1", .param = -1, .from = VG_TIME_NONE, .to = VG_TIME_NONE};
    CHECK(vg_store_query(s, &q, collect_fn, &stop, NULL) == VG_OK && stop.n == 2);

    /* raw frames, byte-exact */
    char *f = NULL;
    size_t fl = 0;
    vg_errinfo err = {0};
    CHECK_MSG(vg_store_get_raw(s, "SHIP", -1, &f, &fl, &err) == VG_OK, "%s", err.text);
    CHECK(f && fl == sizeof raw_bytes && memcmp(f, raw_bytes, fl) == 0);
    free(f);
    CHECK(vg_store_get_raw(s, "SHIP", 2, &f, &fl, &err) == VG_ERR_NOTFOUND && !f && fl == 0);
    CHECK_MSG(strstr(err.text, "samples.db: no sample of SHIP at") != NULL, "%s", err.text);

    vg_store_counts n = counts(s);
    CHECK(n.samples == 3u * NT && n.quarantine == 0);
}

static void test_write_query(void)
{
    const char *dir = new_dir("wq/nested/store"); /* parents are created */
    vg_store *s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    struct stat st;
    mode_t mask = umask(0);
    umask(mask);
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == (0750 & ~mask));
    write_two_platforms(s);
    check_two_platforms(s);

    /* a query inside an open batch sees the batch's own puts */
    begin_ok(s);
    vg_sample smp;
    mk_sample(&smp, "SHIP1", 42, 0);
    put_ok(s, &smp);
    collect *c = run_query(s, "SHIP1", VG_P_TEMP, 42, 42, 0);
    CHECK(c->n == 1);
    char *f = NULL;
    size_t fl = 0;
    CHECK(vg_store_get_raw(s, "SHIP1", 42, &f, &fl, NULL) == VG_OK && fl == sizeof raw_bytes);
    free(f);
    CHECK(counts(s).samples == 3u * NT + 1);
    vg_store_abort(s);
    CHECK(!vg_store_in_batch(s));
    c = run_query(s, "SHIP1", VG_P_TEMP, 42, 42, 0);
    CHECK(c->n == 0);
    close_ok(s);

    /* reopen: everything is still there */
    s = open_ok(dir, &rw_opt);
    if (s) {
        check_two_platforms(s);
        close_ok(s);
    }
    s = open_ok(dir, &ro_opt);
    if (s) {
        check_two_platforms(s);
        vg_errinfo err = {0};
        CHECK(vg_store_begin(s, &err) == VG_ERR_INVAL);
        CHECK(vg_store_maintain(s, &err) == VG_ERR_INVAL);
        close_ok(s);
    }
}

static void test_replace(void)
{
    const char *dir = new_dir("replace");
    vg_store *s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    vg_sample a, b;
    mk_sample(&a, "P1", 1000, 0);
    begin_ok(s);
    put_ok(s, &a);
    commit_ok(s);
    /* same platform and time: TEMP changes, PSAL and SSJT disappear, CNDC appears, no raw */
    vg_sample_init(&b);
    vg_sample_set_platform(&b, "P1", 2);
    b.time = 1000;
    b.lat_deg = 1;
    b.lon_deg = 2;
    vg_sample_set(&b, VG_P_TEMP, 20.0);
    vg_sample_set(&b, VG_P_CNDC, 4.5);
    b.qc[VG_P_CNDC].test[9] = 2;
    begin_ok(s);
    put_ok(s, &b);
    put_ok(s, &b); /* twice in one batch too */
    commit_ok(s);
    collect *c = run_query(s, "P1", -1, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == 2);
    if (c->n == 2) {
        CHECK(c->o[0].param == VG_P_TEMP && c->o[0].value == 20.0 && c->o[0].qc.test[3] == 0);
        CHECK(c->o[1].param == VG_P_CNDC && c->o[1].value == 4.5 && c->o[1].qc.test[9] == 2);
        CHECK(c->o[0].lat_deg == 1 && c->o[0].lon_deg == 2 && c->o[0].time_flag == 0);
    }
    vg_store_counts n = counts(s);
    CHECK(n.samples == 1);
    char *f = NULL;
    size_t fl;
    vg_errinfo err = {0};
    CHECK(vg_store_get_raw(s, "P1", 1000, &f, &fl, &err) == VG_ERR_NOTFOUND && !f);
    CHECK_MSG(strstr(err.text, "has no raw frame") != NULL, "%s", err.text);
    /* and back: the frame returns with the sample that has one */
    begin_ok(s);
    put_ok(s, &a);
    commit_ok(s);
    CHECK(vg_store_get_raw(s, "P1", 1000, &f, &fl, &err) == VG_OK && fl == sizeof raw_bytes);
    free(f);
    c = run_query(s, "P1", -1, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == 3);
    close_ok(s);
}

typedef struct qcollect {
    int n;
    vg_time_us received[8];
    uint64_t seq[8];
    char source[8][64], reason[8][32], detail[8][128];
    char frame[8][64];
    size_t frame_len[8];
} qcollect;

static int qcollect_fn(void *ctx, const vg_quarantined *q)
{
    qcollect *c = ctx;
    if (c->n < 8) {
        c->received[c->n] = q->received;
        c->seq[c->n] = q->seq;
        snprintf(c->source[c->n], sizeof c->source[0], "%s", q->source);
        snprintf(c->reason[c->n], sizeof c->reason[0], "%s", q->reason);
        snprintf(c->detail[c->n], sizeof c->detail[0], "%s", q->detail);
        c->frame_len[c->n] = q->frame_len;
        if (q->frame_len <= sizeof c->frame[0])
            memcpy(c->frame[c->n], q->frame, q->frame_len);
    }
    c->n++;
    return 0;
}

static void test_quarantine(void)
{
    const char *dir = new_dir("quarantine");
    vg_store *s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    vg_errinfo err = {0};
    CHECK(vg_store_put_quarantine(s, 5, "x", VG_ERR_PARSE, "d", "f", 1, &err) == VG_ERR_INVAL);
    begin_ok(s);
    CHECK_MSG(vg_store_put_quarantine(s, 2000, "tcp://*:5555", VG_ERR_CHECKSUM,
                                      "NMEA checksum 4A, computed 4B", raw_bytes,
                                      sizeof raw_bytes, &err) == VG_OK, "%s", err.text);
    /* earlier received time, same received time twice, empty frame */
    CHECK(vg_store_put_quarantine(s, -5, "file.txt:12", VG_ERR_PARSE, "bad", "abc", 3, &err) ==
          VG_OK);
    CHECK(vg_store_put_quarantine(s, 2000, NULL, VG_ERR_FUTURE, NULL, NULL, 0, &err) == VG_OK);
    commit_ok(s);
    qcollect c = {0};
    CHECK(vg_store_quarantine_walk(s, qcollect_fn, &c, &err) == VG_OK);
    CHECK(c.n == 3);
    if (c.n == 3) {
        CHECK(c.received[0] == -5 && c.seq[0] == 1);
        CHECK_STR(c.source[0], "file.txt:12");
        CHECK_STR(c.reason[0], "parse");
        CHECK(c.frame_len[0] == 3 && memcmp(c.frame[0], "abc", 3) == 0);
        CHECK(c.received[1] == 2000 && c.seq[1] == 0);
        CHECK_STR(c.source[1], "tcp://*:5555");
        CHECK_STR(c.reason[1], "checksum");
        CHECK_STR(c.detail[1], "NMEA checksum 4A, computed 4B");
        CHECK(c.frame_len[1] == sizeof raw_bytes &&
              memcmp(c.frame[1], raw_bytes, sizeof raw_bytes) == 0);
        CHECK(c.received[2] == 2000 && c.seq[2] == 2);
        CHECK_STR(c.reason[2], "future");
        CHECK(c.frame_len[2] == 0 && c.source[2][0] == 0 && c.detail[2][0] == 0);
    }
    close_ok(s);
    /* the sequence goes on after a reopen: nothing is overwritten */
    s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    begin_ok(s);
    CHECK(vg_store_put_quarantine(s, 2000, "again", VG_ERR_ORDER, "", "z", 1, &err) == VG_OK);
    commit_ok(s);
    memset(&c, 0, sizeof c);
    CHECK(vg_store_quarantine_walk(s, qcollect_fn, &c, &err) == VG_OK);
    CHECK(c.n == 4);
    if (c.n == 4)
        CHECK(c.seq[3] == 3 && !strcmp(c.source[3], "again"));
    CHECK(counts(s).quarantine == 4 && counts(s).samples == 0);
    close_ok(s);
}

static void test_abort_and_args(void)
{
    const char *dir = new_dir("abort");
    vg_store *s = NULL;
    vg_errinfo err = {0};
    vg_store_options bad = {.cache_mb = 0};
    CHECK(vg_store_open(dir, &bad, &s, &err) == VG_ERR_INVAL && !s);
    /* a reader of a store that does not exist gets the clear error */
    const char *nothing = new_dir("nothing");
    CHECK(vg_store_open(nothing, &ro_opt, &s, &err) == VG_ERR_NOTFOUND && !s);
    char want[300];
    snprintf(want, sizeof want, "no vigie store at %s", nothing);
    CHECK_MSG(strstr(err.text, want) != NULL, "%s", err.text);
    CHECK(vg_store_close(NULL, &err) == VG_OK);
    CHECK(vg_store_maintain(NULL, &err) == VG_ERR_INVAL);

    s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    CHECK_MSG(vg_store_maintain(s, &err) == VG_OK, "%s", err.text);
    vg_sample smp;
    mk_sample(&smp, "A1", 10, 0);
    CHECK(vg_store_put_sample(s, &smp, &err) == VG_ERR_INVAL); /* outside a batch */
    CHECK(vg_store_commit(s, &err) == VG_ERR_INVAL);
    begin_ok(s);
    CHECK(vg_store_in_batch(s));
    CHECK(vg_store_begin(s, &err) == VG_ERR_INVAL);
    for (int i = 0; i < 100; i++) {
        mk_sample(&smp, "A1", i, 0);
        put_ok(s, &smp);
    }
    CHECK(vg_store_put_quarantine(s, 1, "s", VG_ERR_PARSE, "d", "f", 1, &err) == VG_OK);
    vg_sample bad_smp = smp;
    bad_smp.time = VG_TIME_NONE;
    CHECK(vg_store_put_sample(s, &bad_smp, &err) == VG_ERR_INVAL);
    bad_smp = smp;
    strcpy(bad_smp.platform, "a b");
    CHECK(vg_store_put_sample(s, &bad_smp, &err) == VG_ERR_INVAL);
    bad_smp = smp;
    bad_smp.raw = NULL;
    CHECK(vg_store_put_sample(s, &bad_smp, &err) == VG_ERR_INVAL);
    CHECK(vg_store_maintain(s, &err) == VG_OK); /* inside a batch too */
    vg_store_abort(s);
    CHECK(!vg_store_in_batch(s));
    vg_store_counts n = counts(s);
    CHECK(n.samples == 0 && n.quarantine == 0);
    vg_query q = {.platform = "", .param = -1, .from = VG_TIME_NONE, .to = VG_TIME_NONE};
    collect c = {0};
    CHECK(vg_store_query(s, &q, collect_fn, &c, &err) == VG_ERR_INVAL);
    q.platform = "A1";
    q.param = VG_P__COUNT;
    CHECK(vg_store_query(s, &q, collect_fn, &c, &err) == VG_ERR_INVAL);
    close_ok(s);
    s = open_ok(dir, &rw_opt);
    if (s) {
        n = counts(s);
        CHECK(n.samples == 0 && n.quarantine == 0);
        begin_ok(s);
        mk_sample(&smp, "A1", 1, 0);
        put_ok(s, &smp);
        commit_ok(s);
        /* close aborts a batch still open: an interrupted batch must not land */
        begin_ok(s);
        mk_sample(&smp, "A1", 2, 0);
        put_ok(s, &smp);
        CHECK(vg_store_put_quarantine(s, 1, "s", VG_ERR_PARSE, "d", "f", 1, &err) == VG_OK);
        close_ok(s);
    }
    s = open_ok(dir, &ro_opt);
    if (s) {
        n = counts(s);
        CHECK_MSG(n.samples == 1 && n.quarantine == 0, "%llu samples",
                  (unsigned long long)n.samples);
        CHECK(run_query(s, "A1", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0)->n == 1);
        close_ok(s);
    }

    /* the environment's region files are gone (nothing has the store open): readers say
     * so, the writer recreates them */
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, "__db.", 5)) {
            char p[300];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            CHECK(unlink(p) == 0);
        }
    if (d)
        closedir(d);
    CHECK(vg_store_open(dir, &ro_opt, &s, &err) == VG_ERR_NOTFOUND && !s);
    CHECK_MSG(strstr(err.text, "no vigie store at") && strstr(err.text, "environment"), "%s",
              err.text);
    s = open_ok(dir, &rw_opt);
    close_ok(s);
    s = open_ok(dir, &ro_opt);
    if (s) {
        CHECK(counts(s).samples == 1);
        close_ok(s);
    }
}

/* Wait for a child and return its exit status (-1 if it did not exit normally). */
static int wait_child(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* In a child: open dir read-only, expect `nsamples` samples of platform R, exit 0 if so. */
static void child_reader(const char *dir, int nsamples)
{
    vg_store *s = NULL;
    vg_errinfo err = {0};
    int status = 1;
    if (vg_store_open(dir, &ro_opt, &s, &err) == VG_OK) {
        vg_store_counts n = {0};
        collect *c = NULL;
        if (vg_store_count(s, &n, &err) == VG_OK) {
            c = run_query(s, "R", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0);
            if ((int)n.samples == nsamples && c->n == nsamples)
                status = 0;
            else
                fprintf(stderr, "child reader: %d samples, %d TEMP, expected %d\n",
                        (int)n.samples, c->n, nsamples);
        }
        if (vg_store_close(s, &err) != VG_OK)
            status = 1;
    }
    if (status)
        fprintf(stderr, "child reader: %s\n", err.text);
    _exit(status);
}

static void test_concurrent(void)
{
    const char *dir = new_dir("concurrent");
    vg_store *w = open_ok(dir, &rw_opt);
    if (!w)
        return;
    vg_sample smp;
    begin_ok(w);
    for (int i = 0; i < 50; i++) {
        mk_sample(&smp, "R", i * VG_US_PER_S, 0);
        put_ok(w, &smp);
    }
    commit_ok(w);

    /* two handles in one process: they share the environment */
    vg_store *r = open_ok(dir, &ro_opt);
    if (r) {
        CHECK(counts(r).samples == 50);
        begin_ok(w);
        mk_sample(&smp, "R", 50 * VG_US_PER_S, 0);
        put_ok(w, &smp);
        /* the reader does not see the open batch, and does not wait for it */
        CHECK(run_query(r, "R", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0)->n == 50);
        CHECK(counts(r).samples == 50);
        commit_ok(w);
        collect *c = run_query(r, "R", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0);
        CHECK(c->n == 51);
        close_ok(r);
    }

    /* a reader in another process while this one holds the writer open, and a batch */
    begin_ok(w);
    mk_sample(&smp, "R", 60 * VG_US_PER_S, 0);
    put_ok(w, &smp);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        child_reader(dir, 51);
    CHECK(pid > 0 && wait_child(pid) == 0);
    vg_store_abort(w);
    /* the writer is unharmed by the reader's coming and going */
    CHECK(vg_store_maintain(w, NULL) == VG_OK);
    begin_ok(w);
    mk_sample(&smp, "R", 51 * VG_US_PER_S, 0);
    put_ok(w, &smp);
    commit_ok(w);
    close_ok(w);

    /* a reader in another process while nothing else has the environment open */
    fflush(NULL);
    pid = fork();
    if (pid == 0)
        child_reader(dir, 52);
    CHECK(pid > 0 && wait_child(pid) == 0);

    /* a reader opened first in this process, then the writer: they share the handle */
    r = open_ok(dir, &ro_opt);
    w = open_ok(dir, &rw_opt);
    if (r && w) {
        begin_ok(w);
        mk_sample(&smp, "R", 52 * VG_US_PER_S, 0);
        put_ok(w, &smp);
        commit_ok(w);
        CHECK(run_query(r, "R", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0)->n == 53);
    }
    close_ok(w);
    close_ok(r);
}

typedef struct order_check {
    int n;
    vg_time_us last;
    vg_param last_param;
    bool ordered;
} order_check;

/* (time, param) order: times ascending, parameters of one time ascending. */
static int order_fn(void *ctx, const vg_obs *o)
{
    order_check *c = ctx;
    if (c->n && (o->time < c->last || (o->time == c->last && o->param <= c->last_param)))
        c->ordered = false;
    c->last = o->time;
    c->last_param = o->param;
    c->n++;
    return 0;
}

/* A query callback may read raw frames of the same store. */
static int raw_in_callback(void *ctx, const vg_obs *o)
{
    vg_store *s = ctx;
    char *f = NULL;
    size_t fl = 0;
    vg_errinfo err = {0};
    CHECK_MSG(vg_store_get_raw(s, o->platform, o->time, &f, &fl, &err) == VG_OK, "%s", err.text);
    CHECK(fl == sizeof raw_bytes && f && memcmp(f, raw_bytes, fl) == 0);
    free(f);
    return 0;
}

/* A writer process commits batches while this process queries without pause: every query
 * succeeds, returns ordered records, and the last sees all. */
static void test_reader_during_writes(void)
{
    const char *dir = new_dir("stress");
    enum { BATCHES = 30, PER_BATCH = 700 }; /* > one read chunk */
    vg_store *s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    begin_ok(s);
    vg_sample smp;
    mk_sample(&smp, "S", -1, 0);
    put_ok(s, &smp);
    commit_ok(s);
    collect *cq = run_query(s, "S", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(cq->n == 1);
    vg_query rq = {.platform = "S", .param = -1, .from = VG_TIME_NONE, .to = VG_TIME_NONE};
    CHECK(vg_store_query(s, &rq, raw_in_callback, s, NULL) == VG_OK);
    close_ok(s);

    int ready[2];
    CHECK(pipe(ready) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        vg_store *w = NULL;
        vg_errinfo err = {0};
        int st = 0;
        if (vg_store_open(dir, &rw_opt, &w, &err) != VG_OK)
            st = 1;
        close(ready[0]);
        close(ready[1]); /* open (and recovered): readers may come */
        for (int b = 0; b < BATCHES && !st; b++) {
            if (vg_store_begin(w, &err) != VG_OK)
                st = 2;
            for (int i = 0; i < PER_BATCH && !st; i++) {
                vg_sample ws;
                mk_sample(&ws, "S", (vg_time_us)(b * PER_BATCH + i), 0);
                if (vg_store_put_sample(w, &ws, &err) != VG_OK)
                    st = 3;
            }
            if (!st && vg_store_commit(w, &err) != VG_OK)
                st = 4;
            if (!st && vg_store_maintain(w, &err) != VG_OK)
                st = 6;
        }
        if (vg_store_close(w, &err) != VG_OK)
            st = st ? st : 5;
        if (st)
            fprintf(stderr, "stress writer (%d): %s\n", st, err.text);
        _exit(st);
    }
    /* the writer recovers at its open, which would invalidate a reader open before it */
    char byte;
    close(ready[1]);
    CHECK(read(ready[0], &byte, 1) == 0);
    close(ready[0]);
    vg_store *r = open_ok(dir, &ro_opt);
    int queries = 0, failures = 0;
    bool ordered = true;
    int status = -1;
    while (r) {
        int st;
        pid_t done = waitpid(pid, &st, WNOHANG);
        order_check oc = {.ordered = true};
        vg_errinfo err = {0};
        if (vg_store_query(r, &rq, order_fn, &oc, &err) != VG_OK) {
            failures++;
            fprintf(stderr, "stress reader: %s\n", err.text);
            if (failures > 3)
                break;
        }
        ordered = ordered && oc.ordered;
        queries++;
        if (done == pid) {
            status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            CHECK(oc.n == 3 * (1 + BATCHES * PER_BATCH));
            break;
        }
    }
    printf("  %d queries during the writes\n", queries);
    if (status == -1 && failures)
        status = wait_child(pid) == 0 ? -2 : -1;
    CHECK(status == 0 && failures == 0 && ordered);
    close_ok(r);
}

/* Open dir read-only and return the error code, with its text in *err. */
static vg_err open_ro_code(const char *dir, vg_errinfo *err)
{
    vg_store *r = NULL;
    vg_err rc = vg_store_open(dir, &ro_opt, &r, err);
    if (rc == VG_OK)
        vg_store_close(r, NULL);
    return rc;
}

static void test_crash(void)
{
    const char *dir = new_dir("crash");
    enum { BATCHES = 6, PER_BATCH = 300 };
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        vg_store *s = NULL;
        vg_errinfo err = {0};
        if (vg_store_open(dir, &rw_opt, &s, &err) != VG_OK)
            _exit(1);
        vg_sample smp;
        for (int b = 0; b < BATCHES; b++) {
            if (vg_store_begin(s, &err) != VG_OK)
                _exit(2);
            for (int i = 0; i < PER_BATCH; i++) {
                mk_sample(&smp, "C", (vg_time_us)(b * PER_BATCH + i) * VG_US_PER_S, 0);
                if (vg_store_put_sample(s, &smp, &err) != VG_OK)
                    _exit(3);
            }
            if (vg_store_put_quarantine(s, b, "crash", VG_ERR_PARSE, "x", "y", 1, &err) != VG_OK)
                _exit(4);
            if (vg_store_commit(s, &err) != VG_OK)
                _exit(5);
        }
        /* an uncommitted batch, then death without closing anything */
        vg_store_begin(s, &err);
        for (int i = 0; i < PER_BATCH; i++) {
            mk_sample(&smp, "C", (vg_time_us)(BATCHES * PER_BATCH + i) * VG_US_PER_S, 0);
            vg_store_put_sample(s, &smp, &err);
        }
        _exit(0);
    }
    CHECK(pid > 0 && wait_child(pid) == 0);
    /* a reader does not recover: it says who should */
    vg_errinfo err = {0};
    CHECK(open_ro_code(dir, &err) == VG_ERR_DB);
    CHECK_MSG(strstr(err.text, "the store needs recovery") &&
                  strstr(err.text, "start the daemon, which recovers it"), "%s", err.text);
    printf("  reader after a writer crash: %s\n", err.text);
    /* the writer's open recovers */
    vg_store *s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    vg_store_counts n = counts(s);
    CHECK_MSG(n.samples == BATCHES * PER_BATCH, "samples %llu", (unsigned long long)n.samples);
    CHECK(n.quarantine == BATCHES);
    collect *c = run_query(s, "C", VG_P_PSAL, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == BATCHES * PER_BATCH);
    if (c->n == BATCHES * PER_BATCH)
        check_obs(&c->o[c->n - 1], "C", VG_P_PSAL,
                  (vg_time_us)(BATCHES * PER_BATCH - 1) * VG_US_PER_S, 0);
    /* the store is usable after recovery, by the writer and by readers */
    begin_ok(s);
    vg_sample smp;
    mk_sample(&smp, "C", -7, 0);
    put_ok(s, &smp);
    commit_ok(s);
    CHECK(open_ro_code(dir, &err) == VG_OK);
    close_ok(s);
}

/* ---- dead readers ---------------------------------------------------------------------- */

/* Run fn in a child process and return its exit status; a child still running after
 * `seconds` is killed and counts as hung (-2): a dead reader must never hang the writer. */
static int run_bounded(void (*fn)(void), int seconds)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        check_passed = check_failed = 0;
        fn();
        fflush(NULL);
        _exit(check_failed ? 1 : 0);
    }
    if (pid < 0)
        return -1;
    for (int i = 0; i < seconds * 20; i++) {
        int st;
        pid_t done = waitpid(pid, &st, WNOHANG);
        if (done == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        usleep(50 * 1000);
    }
    kill(pid, SIGKILL);
    wait_child(pid);
    return -2;
}

/* Locks and active transactions in the environment of dir, as Berkeley DB counts them
 * (through a handle of its own that joins the environment). */
static void env_counts(const char *dir, unsigned *locks, unsigned *txns)
{
    DB_ENV *env;
    *locks = *txns = 0;
    CHECK(db_env_create(&env, 0) == 0);
    int ret = env->open(env, dir, DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN, 0);
    CHECK_MSG(ret == 0, "join: %s", db_strerror(ret));
    DB_LOCK_STAT *ls = NULL;
    DB_TXN_STAT *ts = NULL;
    if (ret == 0 && env->lock_stat(env, &ls, 0) == 0 && env->txn_stat(env, &ts, 0) == 0) {
        *locks = ls->st_nlocks;
        *txns = ts->st_nactive;
    }
    free(ls);
    free(ts);
    env->close(env, 0);
}

static int dead_reader_fd = -1;

/* Callback of the reader that will be killed: tell the parent that the query runs, then
 * wait for SIGKILL (outside Berkeley DB, as a dump blocked writing to a pipe). */
static int dead_reader_cb(void *ctx, const vg_obs *o)
{
    (void)ctx;
    (void)o;
    char b = 'q';
    if (write(dead_reader_fd, &b, 1) != 1)
        _exit(7);
    for (;;)
        pause();
    return 0;
}

/* Write n samples of platform D from time t0 (seconds) in batches of 1000. */
static void write_d(vg_store *w, int t0, int n)
{
    vg_sample smp;
    for (int i = 0; i < n; i++) {
        if (i % 1000 == 0)
            begin_ok(w);
        mk_sample(&smp, "D", (vg_time_us)(t0 + i) * VG_US_PER_S, 0);
        put_ok(w, &smp);
        if (i % 1000 == 999 || i == n - 1)
            commit_ok(w);
    }
}

/* The brief's scenario: the writer is open; a reader process starts a query and is killed
 * with SIGKILL in the middle of it; the writer runs vg_store_maintain, which frees what the
 * reader held, and goes on writing and committing; a new reader reads everything. */
static void dead_reader(void)
{
    const char *dir = new_dir("dead_reader");
    vg_store *w = open_ok(dir, &rw_opt);
    if (!w)
        return;
    write_d(w, 0, 3000);
    unsigned locks0, txns0, locks1, txns1, locks2, txns2;
    env_counts(dir, &locks0, &txns0);
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dead_reader_fd = fds[1];
        vg_store *r = NULL;
        if (vg_store_open(dir, &ro_opt, &r, NULL) != VG_OK)
            _exit(1);
        vg_query q = {.platform = "D", .param = -1, .from = VG_TIME_NONE, .to = VG_TIME_NONE};
        vg_store_query(r, &q, dead_reader_cb, NULL, NULL);
        _exit(2); /* not reached: killed in the callback */
    }
    close(fds[1]);
    char b = 0;
    CHECK(read(fds[0], &b, 1) == 1 && b == 'q');
    close(fds[0]);
    env_counts(dir, &locks1, &txns1);
    CHECK_MSG(locks1 > locks0, "locks %u then %u", locks0, locks1); /* the reader's handles */
    CHECK(kill(pid, SIGKILL) == 0);
    CHECK(wait_child(pid) == -1);
    vg_errinfo err = {0};
    CHECK_MSG(vg_store_maintain(w, &err) == VG_OK, "%s", err.text);
    env_counts(dir, &locks2, &txns2);
    CHECK_MSG(locks2 == locks0 && txns2 == txns0, "locks %u -> %u -> %u, txns %u -> %u",
              locks0, locks1, locks2, txns0, txns2);
    /* the writer goes on */
    write_d(w, 3000, 2000);
    CHECK_MSG(vg_store_maintain(w, &err) == VG_OK, "%s", err.text);
    /* a new reader reads everything */
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        vg_store *r = NULL;
        int st = 1;
        if (vg_store_open(dir, &ro_opt, &r, NULL) == VG_OK) {
            collect *c = run_query(r, "D", VG_P_PSAL, VG_TIME_NONE, VG_TIME_NONE, 0);
            vg_store_counts n = counts(r);
            st = c->n == MAXOBS && n.samples == 5000 && !check_failed ? 0 : 3;
            order_check oc = {.ordered = true};
            vg_query q = {.platform = "D", .param = -1, .from = VG_TIME_NONE,
                          .to = VG_TIME_NONE};
            if (vg_store_query(r, &q, order_fn, &oc, NULL) != VG_OK || oc.n != 3 * 5000 ||
                !oc.ordered)
                st = 4;
            vg_store_close(r, NULL);
        }
        _exit(st);
    }
    CHECK(wait_child(pid) == 0);
    close_ok(w);
}

static void test_dead_reader(void)
{
    CHECK_MSG(run_bounded(dead_reader, 60) == 0, "the dead reader scenario failed or hung");
}

/* A reader killed while its cursor is open on the last page that the writer appends to,
 * between two cursor calls (the widest window of a walk). With read-locking cursors the
 * writer's next put would wait forever for that page's read lock; snapshot reads take
 * none. Done with the Berkeley DB API in the child, since vg_store never leaves a cursor
 * open outside a call. */
static void dead_cursor(void)
{
    const char *dir = new_dir("dead_cursor");
    vg_store *w = open_ok(dir, &rw_opt);
    if (!w)
        return;
    write_d(w, 0, 2000);
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        DB_ENV *env;
        DB *db;
        DB_TXN *txn;
        DBC *c;
        DBT k = {0}, v = {0};
        if (db_env_create(&env, 0) != 0 ||
            env->open(env, dir,
                      DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN | DB_THREAD,
                      0) != 0 ||
            db_create(&db, env, 0) != 0 ||
            db->open(db, NULL, "samples.db", "D", DB_BTREE,
                     DB_RDONLY | DB_MULTIVERSION | DB_AUTO_COMMIT, 0) != 0 ||
            env->txn_begin(env, NULL, &txn, DB_TXN_SNAPSHOT) != 0 ||
            db->cursor(db, txn, &c, 0) != 0 || c->get(c, &k, &v, DB_LAST) != 0 ||
            k.size != VG_SKEY_TIME_LEN) /* platform D's database: keyed by time */
            _exit(1);
        char b = 'c';
        if (write(fds[1], &b, 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    close(fds[1]);
    char b = 0;
    CHECK(read(fds[0], &b, 1) == 1 && b == 'c');
    close(fds[0]);
    CHECK(kill(pid, SIGKILL) == 0);
    CHECK(wait_child(pid) == -1);
    /* a dead reader's transaction is no reason to refuse readers */
    vg_errinfo err = {0};
    CHECK_MSG(open_ro_code(dir, &err) == VG_OK, "%s", err.text);
    write_d(w, 2000, 1000); /* appends to the page the dead cursor was on */
    CHECK_MSG(vg_store_maintain(w, &err) == VG_OK, "%s", err.text);
    unsigned locks, txns;
    env_counts(dir, &locks, &txns);
    CHECK_MSG(txns == 0, "%u transactions left", txns);
    write_d(w, 3000, 10);
    CHECK(counts(w).samples == 3010);
    close_ok(w);
}

static void test_dead_cursor(void)
{
    CHECK_MSG(run_bounded(dead_cursor, 60) == 0, "the dead cursor scenario failed or hung");
}

/* A reader killed inside a Berkeley DB call (here: in its btree comparison, during a get)
 * may have held a latch: Berkeley DB 5.3's failchk then says that the store needs
 * recovery. vg_store_maintain refuses while a batch is open (the batch still commits), then
 * recovers in place and the writer goes on with everything committed. */
static int killer_compare(DB *db, const DBT *a, const DBT *b)
{
    (void)db;
    (void)a;
    (void)b;
    kill(getpid(), SIGKILL);
    return 0;
}

static void dead_in_library(void)
{
    const char *dir = new_dir("dead_in_library");
    vg_store *w = open_ok(dir, &rw_opt);
    if (!w)
        return;
    write_d(w, 0, 2000);
    vg_errinfo err = {0};
    begin_ok(w);
    CHECK(vg_store_put_quarantine(w, 5, "src", VG_ERR_PARSE, "d", "x", 1, &err) == VG_OK);
    commit_ok(w);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        DB_ENV *env;
        DB *db;
        DB_TXN *txn;
        unsigned char kb[VG_SKEY_TIME_LEN];
        vg_skey_put_time(kb, 5 * VG_US_PER_S);
        DBT k = {.data = kb, .size = sizeof kb};
        DBT v = {.flags = DB_DBT_MALLOC};
        if (db_env_create(&env, 0) != 0 ||
            env->open(env, dir,
                      DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN, 0) != 0 ||
            db_create(&db, env, 0) != 0 || db->set_bt_compare(db, killer_compare) != 0 ||
            db->open(db, NULL, "samples.db", "D", DB_BTREE,
                     DB_RDONLY | DB_MULTIVERSION | DB_AUTO_COMMIT, 0) != 0 ||
            env->txn_begin(env, NULL, &txn, DB_TXN_SNAPSHOT) != 0)
            _exit(1);
        db->get(db, txn, &k, &v, 0);
        _exit(2); /* not reached */
    }
    CHECK(pid > 0 && wait_child(pid) == -1);
    begin_ok(w);
    vg_sample smp;
    mk_sample(&smp, "D", 9000 * VG_US_PER_S, 0);
    put_ok(w, &smp);
    CHECK(vg_store_maintain(w, &err) == VG_ERR_DB);
    CHECK_MSG(strstr(err.text, "the store needs recovery") &&
                  strstr(err.text, "Thread died in Berkeley DB library") &&
                  strstr(err.text, "at the next call without a batch open"), "%s", err.text);
    printf("  maintain with a batch open: %s\n", err.text);
    commit_ok(w); /* the environment still works: failchk only reported */
    /* A batch committed without sync and flushed (the daemon's way) survives the recovery;
     * the generation tells the engine that unflushed ones might not. */
    begin_ok(w);
    mk_sample(&smp, "D", 9001 * VG_US_PER_S, 0);
    put_ok(w, &smp);
    CHECK_MSG(vg_store_commit_nosync(w, &err) == VG_OK, "%s", err.text);
    CHECK_MSG(vg_store_flush_log(w, &err) == VG_OK, "%s", err.text);
    CHECK(vg_store_generation(w) == 0);
    CHECK_MSG(vg_store_maintain(w, &err) == VG_OK, "%s", err.text); /* recovered in place */
    CHECK(vg_store_generation(w) == 1);
    CHECK_MSG(vg_store_maintain(w, &err) == VG_OK, "%s", err.text);
    write_d(w, 3000, 500);
    begin_ok(w);
    CHECK(vg_store_put_quarantine(w, 5, "src", VG_ERR_PARSE, "d", "x", 1, &err) == VG_OK);
    commit_ok(w);
    vg_store_counts n = counts(w);
    CHECK_MSG(n.samples == 2502 && n.quarantine == 2, "%llu samples, %llu quarantined",
              (unsigned long long)n.samples, (unsigned long long)n.quarantine);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        vg_store *r = NULL;
        int st = 1;
        if (vg_store_open(dir, &ro_opt, &r, NULL) == VG_OK) {
            vg_store_counts rn = counts(r);
            qcollect qc = {0};
            st = rn.samples == 2502 && !check_failed ? 0 : 3;
            if (vg_store_quarantine_walk(r, qcollect_fn, &qc, NULL) != VG_OK || qc.n != 2 ||
                qc.seq[1] != 1)
                st = 4;
            vg_store_close(r, NULL);
        }
        _exit(st);
    }
    CHECK(wait_child(pid) == 0);
    close_ok(w);
}

static void test_dead_in_library(void)
{
    CHECK_MSG(run_bounded(dead_in_library, 60) == 0, "the reader dead in the library "
              "scenario failed or hung");
}

/* The writer recovers at every open, which invalidates the handles of readers still
 * attached: they get VG_ERR_DB with a hint, and a close and reopen brings them back. In a
 * child process: Berkeley DB cannot free the handles of a panicked environment (a one-off
 * leak of ~25 KB that the leak checker would report). */
static void writer_restart(void)
{
    const char *dir = new_dir("restart");
    vg_store *w = open_ok(dir, &rw_opt);
    if (!w)
        return;
    write_d(w, 0, 10);
    close_ok(w);
    vg_store *r = open_ok(dir, &ro_opt);
    if (!r)
        return;
    CHECK(run_query(r, "D", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0)->n == 10);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) { /* the daemon starts */
        vg_store *cw = NULL;
        if (vg_store_open(dir, &rw_opt, &cw, NULL) != VG_OK)
            _exit(1);
        write_d(cw, 10, 1);
        _exit(vg_store_close(cw, NULL) == VG_OK && !check_failed ? 0 : 2);
    }
    CHECK(pid > 0 && wait_child(pid) == 0);
    collect c = {0};
    vg_query q = {.platform = "D", .param = -1, .from = VG_TIME_NONE, .to = VG_TIME_NONE};
    vg_errinfo err = {0};
    vg_err rc = vg_store_query(r, &q, collect_fn, &c, &err);
    CHECK_MSG(rc == VG_ERR_DB && strstr(err.text, "close and reopen the store"), "%s", err.text);
    printf("  a reader after the writer's restart: %s\n", err.text);
    vg_store_close(r, NULL); /* fails (the environment is dead) but frees what it can */
    r = open_ok(dir, &ro_opt);
    if (r) {
        CHECK(run_query(r, "D", VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0)->n == 11);
        close_ok(r);
    }
}

static void test_writer_restart(void)
{
    CHECK(run_bounded(writer_restart, 60) == 0);
}

/* ---- schema and errors ----------------------------------------------------------------- */

/* Open the environment (as the writer does) and meta.db directly with Berkeley DB to
 * write schema_version. */
static void write_schema_by_hand(const char *dir, uint32_t version)
{
    DB_ENV *env;
    DB *db;
    CHECK(db_env_create(&env, 0) == 0);
    CHECK(env->set_thread_count(env, 64) == 0);
    int ret = env->open(env, dir,
                        DB_CREATE | DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN |
                            DB_RECOVER | DB_THREAD,
                        0);
    CHECK_MSG(ret == 0, "env open: %s", db_strerror(ret));
    CHECK(db_create(&db, env, 0) == 0);
    ret = db->open(db, NULL, "meta.db", NULL, DB_BTREE, DB_AUTO_COMMIT, 0);
    CHECK_MSG(ret == 0, "meta open: %s", db_strerror(ret));
    unsigned char v[4] = {(unsigned char)version, (unsigned char)(version >> 8),
                          (unsigned char)(version >> 16), (unsigned char)(version >> 24)};
    DBT k = {.data = "schema_version", .size = 14}, d = {.data = v, .size = 4};
    CHECK(db->put(db, NULL, &k, &d, DB_AUTO_COMMIT) == 0);
    db->close(db, 0);
    env->close(env, 0);
}

static void test_schema_and_errors(void)
{
    const char *dir = new_dir("schema");
    vg_store *s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    close_ok(s);
    /* a version-1 store (obs/nav/raw) is refused with a clear text, by writer and reader */
    write_schema_by_hand(dir, 1);
    vg_errinfo err = {0};
    s = NULL;
    CHECK(vg_store_open(dir, &rw_opt, &s, &err) == VG_ERR_DB && !s);
    CHECK_MSG(strstr(err.text, "meta.db: schema version 1") &&
                  strstr(err.text, "reads schema versions 2 and 3"), "%s", err.text);
    CHECK(vg_store_open(dir, &ro_opt, &s, &err) == VG_ERR_DB && !s);
    CHECK_MSG(strstr(err.text, "schema version 1") != NULL, "%s", err.text);
    write_schema_by_hand(dir, 4);
    CHECK(vg_store_open(dir, &rw_opt, &s, &err) == VG_ERR_DB && !s);
    CHECK_MSG(strstr(err.text, "meta.db: schema version 4"), "%s", err.text);
    write_schema_by_hand(dir, 3);
    s = open_ok(dir, &ro_opt);
    close_ok(s);

    /* a Berkeley DB error names the file and carries db_strerror's text */
    char path[300];
    snprintf(path, sizeof path, "%s/samples.db", dir);
    CHECK(unlink(path) == 0);
    CHECK(vg_store_open(dir, &ro_opt, &s, &err) == VG_ERR_DB && !s);
    CHECK_MSG(strstr(err.text, "/samples.db: DB->open: No such file or directory"), "%s",
              err.text);

    /* a BDB error with error-callback text: a database file that is not a btree */
    FILE *f = fopen(path, "wb");
    if (f) {
        for (int i = 0; i < 8192; i++)
            fputc(i & 0xFF, f);
        fclose(f);
    }
    CHECK(vg_store_open(dir, &rw_opt, &s, &err) == VG_ERR_DB && !s);
    CHECK_MSG(strstr(err.text, "/samples.db: DB->open: ") && strchr(err.text, '('), "%s",
              err.text);
    printf("  error text example: %s\n", err.text);

    /* the path exists as a file */
    snprintf(path, sizeof path, "%s/file", tmp_root);
    f = fopen(path, "w");
    if (f)
        fclose(f);
    CHECK(vg_store_open(path, &rw_opt, &s, &err) == VG_ERR_IO && !s);
    CHECK(vg_store_open(path, &ro_opt, &s, &err) == VG_ERR_NOTFOUND && !s);
}

/* Build by hand, with Berkeley DB, a store as vigie wrote it before schema 3: samples.db
 * one btree keyed by "platform '\0' time", quarantine.db, meta.db with schema_version 2;
 * n samples (mk_sample, one a minute) of each of three platforms. interrupted 1: as a
 * conversion killed half-way leaves it: the old btree already renamed samples-v2.db, and
 * samples.db holding the first 10 samples of A1 in its database; 2: the same, with the
 * mark of the last key copied (A1's 10th sample) in meta.db, as each chunk writes it. */
static const char *const v2_plats[] = {"A1", "B-2", "C.3"};

static void write_v2_by_hand(const char *dir, int n, int interrupted)
{
    CHECK(mkdir(dir, 0750) == 0);
    DB_ENV *env;
    CHECK(db_env_create(&env, 0) == 0);
    CHECK(env->set_thread_count(env, 64) == 0);
    int ret = env->open(env, dir,
                        DB_CREATE | DB_INIT_MPOOL | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_TXN |
                            DB_RECOVER | DB_THREAD,
                        0);
    CHECK_MSG(ret == 0, "env open: %s", db_strerror(ret));
    DB *db, *q, *m, *part = NULL;
    CHECK(db_create(&db, env, 0) == 0 && db_create(&q, env, 0) == 0 && db_create(&m, env, 0) == 0);
    CHECK(m->open(m, NULL, "meta.db", NULL, DB_BTREE, DB_CREATE | DB_AUTO_COMMIT, 0) == 0);
    m->close(m, 0); /* schema_version: below */
    CHECK(db->open(db, NULL, interrupted ? "samples-v2.db" : "samples.db", NULL, DB_BTREE,
                   DB_CREATE | DB_AUTO_COMMIT, 0) == 0);
    CHECK(q->open(q, NULL, "quarantine.db", NULL, DB_BTREE, DB_CREATE | DB_AUTO_COMMIT, 0) == 0);
    if (interrupted) {
        CHECK(db_create(&part, env, 0) == 0);
        CHECK(part->open(part, NULL, "samples.db", "A1", DB_BTREE, DB_CREATE | DB_AUTO_COMMIT,
                         0) == 0);
    }
    unsigned char buf[1024];
    vg_sample smp;
    for (size_t p = 0; p < 3; p++) {
        for (int i = 0; i < n; i++) {
            mk_sample(&smp, v2_plats[p], (vg_time_us)i * 60 * VG_US_PER_S, i * 0.001);
            unsigned char kb[VG_SKEY_MAX];
            DBT k = {.data = kb, .size = (u_int32_t)vg_skey_sample(kb, v2_plats[p], smp.time)};
            DBT v = {.data = buf, .size = (u_int32_t)vg_srec_sample_encode(buf, &smp)};
            CHECK(db->put(db, NULL, &k, &v, DB_AUTO_COMMIT) == 0);
            if (part && p == 0 && i < 10) {
                DBT tk = {.data = kb + 3, .size = VG_SKEY_TIME_LEN}; /* after "A1\0" */
                CHECK(part->put(part, NULL, &tk, &v, DB_AUTO_COMMIT) == 0);
            }
        }
    }
    if (interrupted == 2) {
        unsigned char kb[VG_SKEY_MAX];
        char mark[] = "migrate_v2_last";
        DBT k = {.data = mark, .size = (u_int32_t)strlen(mark)};
        DBT v = {.data = kb, .size = (u_int32_t)vg_skey_sample(kb, "A1", 9 * 60 * VG_US_PER_S)};
        CHECK(db_create(&m, env, 0) == 0);
        CHECK(m->open(m, NULL, "meta.db", NULL, DB_BTREE, DB_AUTO_COMMIT, 0) == 0);
        CHECK(m->put(m, NULL, &k, &v, DB_AUTO_COMMIT) == 0);
        m->close(m, 0);
    }
    if (part)
        part->close(part, 0);
    q->close(q, 0);
    db->close(db, 0);
    env->close(env, 0);
    write_schema_by_hand(dir, 2);
}

/* A schema-2 store is refused by readers with a clear text, converted by the writer's open
 * (also when a conversion was interrupted: after the mark of its last chunk, or from the
 * start without one), and then reads back every sample exactly. Case 3 is stopped by
 * vg_store__migrate_stop_after after 100 chunks of 7 records, then resumed. */
static void test_migrate_v2(void)
{
    static const char *const names[] = {"migrate", "migrate_restarted", "migrate_resumed",
                                        "migrate_stopped"};
    for (int interrupted = 0; interrupted < 4; interrupted++) {
        const char *dir = new_dir(names[interrupted]);
        const int n = 700;
        write_v2_by_hand(dir, n, interrupted == 3 ? 0 : interrupted);
        vg_store__migrate_chunk = 7; /* many chunks, whose ends fall on each platform */
        vg_errinfo err = {0};
        vg_store *s = NULL;
        CHECK(vg_store_open(dir, &ro_opt, &s, &err) == VG_ERR_DB && !s);
        CHECK_MSG(strstr(err.text, "schema version 2") && strstr(err.text, "start the daemon"),
                  "%s", err.text);
        if (interrupted == 3) {
            vg_store__migrate_stop_after = 100;
            CHECK(vg_store_open(dir, &rw_opt, &s, &err) == VG_ERR_DB && !s);
            vg_store__migrate_stop_after = 0;
            CHECK_MSG(strstr(err.text, "conversion stopped after 100 chunks"), "%s", err.text);
            CHECK(vg_store__migrate_copied == 700);
            CHECK(vg_store_open(dir, &ro_opt, &s, &err) == VG_ERR_DB && !s); /* still v2 */
        }
        s = open_ok(dir, &rw_opt); /* converts */
        vg_store__migrate_chunk = 20000;
        if (!s)
            continue;
        CHECK(counts(s).samples == 3u * n);
        /* Resumed after A1's 10th sample, or after the 700 copied before the stop: what was
         * copied is not copied again. */
        uint64_t want = interrupted == 2 ? 3u * n - 10 : interrupted == 3 ? 3u * n - 700 : 3u * n;
        CHECK_MSG(vg_store__migrate_copied == want, "%s: %llu copied, %llu expected",
                  names[interrupted], (unsigned long long)vg_store__migrate_copied,
                  (unsigned long long)want);
        for (size_t p = 0; p < 3; p++) {
            collect *c = run_query(s, v2_plats[p], VG_P_PSAL, VG_TIME_NONE, VG_TIME_NONE, 0);
            CHECK_MSG((size_t)c->n == (size_t)n, "%s: %zu rows", v2_plats[p], (size_t)c->n);
            for (size_t i = 0; i < (size_t)c->n && i < (size_t)n; i++) {
                CHECK(c->o[i].time == (vg_time_us)i * 60 * VG_US_PER_S);
                CHECK(c->o[i].value == 35.125 + (double)i * 0.001 && c->o[i].qc.agg == 4);
                CHECK(strcmp(c->o[i].platform, v2_plats[p]) == 0);
            }
        }
        char *frame = NULL;
        size_t len = 0;
        CHECK(vg_store_get_raw(s, "C.3", (vg_time_us)(n - 1) * 60 * VG_US_PER_S, &frame, &len,
                               &err) == VG_OK);
        CHECK(frame && len == sizeof raw_bytes && memcmp(frame, raw_bytes, len) == 0);
        free(frame);
        close_ok(s);
        char path[300];
        snprintf(path, sizeof path, "%s/samples-v2.db", dir);
        CHECK_MSG(access(path, F_OK) != 0, "%s left after the conversion", path);
        s = open_ok(dir, &ro_opt); /* schema 3 now: readers are welcome */
        if (s) {
            CHECK(counts(s).samples == 3u * n);
            char mark[] = "migrate_v2_last";
            DBT k = {.data = mark, .size = (u_int32_t)strlen(mark)};
            DBT v = {.flags = DB_DBT_MALLOC}; /* the handle is free-threaded */
            DB *meta = s->db[VG_STORE_META];
            int ret = meta->get(meta, NULL, &k, &v, 0);
            CHECK_MSG(ret == DB_NOTFOUND, "%s: the conversion's mark in meta.db: %s",
                      names[interrupted], db_strerror(ret));
            free(v.data);
            close_ok(s);
        }
    }
}

/* Platforms beyond VG_STORE_OWN_MAX share "#shared": every read finds their samples as
 * those of the platforms with an own database, across a restart of the writer; a batch
 * that created databases and aborted leaves nothing behind. */
static int count_walk(void *ctx, const vg_sample *smp)
{
    size_t *n = ctx;
    (void)smp;
    (*n)++;
    return 0;
}

static void test_shared_platforms(void)
{
    const char *dir = new_dir("shared");
    vg_store *w = open_ok(dir, &rw_opt);
    if (!w)
        return;
    const int np = (int)VG_STORE_OWN_MAX + 3;
    char id[16];
    vg_sample smp;
    vg_errinfo err = {0};
    /* an aborted batch that created a database */
    begin_ok(w);
    mk_sample(&smp, "GONE", 0, 0);
    put_ok(w, &smp);
    vg_store_abort(w);
    for (int b = 0; b < 2; b++) {
        begin_ok(w);
        for (int p = 0; p < np; p++) {
            snprintf(id, sizeof id, "P%04d", p);
            mk_sample(&smp, id, (vg_time_us)b * VG_US_PER_S, p);
            put_ok(w, &smp);
        }
        commit_ok(w);
    }
    CHECK(counts(w).samples == 2u * (unsigned)np);
    close_ok(w);
    w = open_ok(dir, &rw_opt); /* the own databases are counted again: P1002 stays shared */
    if (!w)
        return;
    begin_ok(w);
    for (int p = np - 2; p < np; p++) {
        snprintf(id, sizeof id, "P%04d", p);
        mk_sample(&smp, id, 2 * VG_US_PER_S, p);
        put_ok(w, &smp);
    }
    mk_sample(&smp, "P0000", 2 * VG_US_PER_S, 0);
    put_ok(w, &smp);
    commit_ok(w);
    vg_store *r = open_ok(dir, &ro_opt);
    if (!r) {
        close_ok(w);
        return;
    }
    vg_store_counts rc = counts(r);
    CHECK(rc.samples == 2u * (unsigned)np + 3);
    /* shared: P1000 (2 samples), P1001 and P1002 (3 each) */
    CHECK_MSG(rc.own == VG_STORE_OWN_MAX && rc.shared == 8,
              "own %llu, shared %llu", (unsigned long long)rc.own,
              (unsigned long long)rc.shared);
    const char *plats[] = {"P0000", "P1001", "P1002", "P0500"};
    const size_t want[] = {3, 3, 3, 2};
    for (size_t i = 0; i < 4; i++) {
        collect *c = run_query(r, plats[i], VG_P_TEMP, VG_TIME_NONE, VG_TIME_NONE, 0);
        CHECK_MSG((size_t)c->n == want[i], "%s: %zu rows", plats[i], (size_t)c->n);
        for (size_t j = 0; j < (size_t)c->n; j++)
            CHECK(c->o[j].time == (vg_time_us)j * VG_US_PER_S &&
                  strcmp(c->o[j].platform, plats[i]) == 0);
        char *frame = NULL;
        size_t len = 0;
        CHECK(vg_store_get_raw(r, plats[i], VG_US_PER_S, &frame, &len, &err) == VG_OK &&
              len == sizeof raw_bytes);
        free(frame);
    }
    collect *c = run_query(r, "GONE", -1, VG_TIME_NONE, VG_TIME_NONE, 0);
    CHECK(c->n == 0);
    size_t n = 0;
    CHECK(vg_store_walk_samples(r, count_walk, &n, &err) == VG_OK);
    CHECK_MSG(n == 2u * (unsigned)np + 3, "walk: %zu samples", n);
    n = 0;
    CHECK(vg_store_walk_platform(r, "P1002", VG_US_PER_S, VG_TIME_NONE, count_walk, &n, &err) ==
          VG_OK);
    CHECK_MSG(n == 2, "walk of P1002 from 1 s: %zu samples", n);
    close_ok(r);
    close_ok(w);
}

/* Not a test: prints the write throughput in the configuration of the daemon (batches of
 * 5000 samples, 5 parameters with flags, position and a ~50-byte raw frame: one put per
 * sample), then times a few queries. */
static void bench_writes(void)
{
    const char *dir = new_dir("bench");
    vg_store *s = open_ok(dir, &rw_opt);
    if (!s)
        return;
    /* VIGIE_STORE_BENCH_BATCHES and VIGIE_STORE_BENCH_BATCH change the run's size. */
    const char *e = getenv("VIGIE_STORE_BENCH_BATCHES");
    int batches = e && atoi(e) > 0 ? atoi(e) : 20;
    e = getenv("VIGIE_STORE_BENCH_BATCH");
    const int BATCH = e && atoi(e) > 0 ? atoi(e) : 5000;
    char frame[96];
    vg_sample smp;
    vg_sample_init(&smp);
    const char *plats[] = {"FHZI", "FNCM", "FQEW", "BUOY61", "BUOY62"};
    int64_t t0 = vg_time_mono_us();
    for (int b = 0; b < batches; b++) {
        begin_ok(s);
        for (int i = 0; i < BATCH; i++) {
            long k = (long)b * BATCH + i;
            vg_sample_set_platform(&smp, plats[k % 5], strlen(plats[k % 5]));
            smp.time = INT64_C(1700000000000000) + (k / 5) * VG_US_PER_S;
            smp.received = smp.time + 200000;
            smp.lat_deg = 47 + (double)k * 1e-5;
            smp.lon_deg = -5 - (double)k * 1e-5;
            smp.present = 0;
            for (int p = 0; p < 5; p++) {
                vg_sample_set(&smp, (vg_param)p, 10 + (double)(k % 100) * 0.01);
                smp.qc[p].agg = 1;
                smp.qc[p].test[p] = 1;
            }
            int n = snprintf(frame, sizeof frame, "$PTSG,%ld,12.345,35.678,4.2101,10.2,%s*4A",
                             k, plats[k % 5]);
            smp.raw = frame;
            smp.raw_len = (size_t)n;
            put_ok(s, &smp);
        }
        commit_ok(s);
    }
    double secs = (double)(vg_time_mono_us() - t0) / 1e6;
    long samples = (long)batches * BATCH;
    printf("  bench: %ld samples (one put each) in %.3f s: %.0f samples/s, 5 platforms\n",
           samples, secs, samples / secs);
    t0 = vg_time_mono_us();
    collect *c = run_query(s, "FHZI", -1, VG_TIME_NONE, VG_TIME_NONE, 0);
    secs = (double)(vg_time_mono_us() - t0) / 1e6;
    printf("  bench: query of %d records (capped) in %.3f s\n", c->n, secs);
    /* chunked walks over many records: a range across chunks, a filter that skips all */
    long per_plat = samples / 5;
    vg_time_us base = INT64_C(1700000000000000);
    if (per_plat >= 1100) {
        c = run_query(s, "FHZI", VG_P_PSAL, base + 100 * VG_US_PER_S, base + 1099 * VG_US_PER_S, 0);
        CHECK(c->n == 1000);
        if (c->n == 1000)
            CHECK(c->o[0].time == base + 100 * VG_US_PER_S &&
                  c->o[999].time == base + 1099 * VG_US_PER_S);
    }
    t0 = vg_time_mono_us();
    c = run_query(s, "FHZI", -1, VG_TIME_NONE, VG_TIME_NONE, 2);
    secs = (double)(vg_time_mono_us() - t0) / 1e6;
    CHECK(c->n == 0);
    printf("  bench: walk of %ld samples (nothing matches) in %.3f s\n", per_plat, secs);
    collect *last = run_query(s, "FNCM", VG_P_CNDC, base + (per_plat - 2) * VG_US_PER_S,
                              VG_TIME_NONE, 0);
    CHECK(last->n == 2);
    close_ok(s);
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"keys", test_keys},
    {"records", test_records},
    {"write_query", test_write_query},
    {"replace", test_replace},
    {"quarantine", test_quarantine},
    {"abort_and_args", test_abort_and_args},
    {"concurrent", test_concurrent},
    {"reader_during_writes", test_reader_during_writes},
    {"crash", test_crash},
    {"dead_reader", test_dead_reader},
    {"dead_cursor", test_dead_cursor},
    {"dead_in_library", test_dead_in_library},
    {"writer_restart", test_writer_restart},
    {"schema_and_errors", test_schema_and_errors},
    {"migrate_v2", test_migrate_v2},
    {"shared_platforms", test_shared_platforms},
    {"bench", bench_writes},
};

/* VIGIE_STORE_ONLY=name runs one test; VIGIE_STORE_KEEP=1 keeps the stores for db5.3_dump. */
int main(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/vigie-store-XXXXXX");
    if (!mkdtemp(tmp_root)) {
        perror("mkdtemp");
        return 1;
    }
    const char *only = getenv("VIGIE_STORE_ONLY");
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (!only || !strcmp(only, tests[i].name))
            tests[i].fn();
    if (getenv("VIGIE_STORE_KEEP"))
        printf("  stores kept in %s\n", tmp_root);
    else
        test_rm_rf(tmp_root);
    return check_summary();
}
