/* bench_engine.c: throughput of the ingest -> QC -> storage path on one core, for one
 * platform stream, measured in three stages on the same in-memory lines so that the
 * ratios show where the time goes: parse only; parse + QC; the whole engine (parse, QC,
 * Berkeley DB store with batched, durable commits). Prints figures; asserts nothing.
 * usage: bench_engine [SAMPLES] [raw|json]   (default 200000 raw) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/engine.h"
#include "daemon/setup.h"
#include "ingest/parser.h"
#include "qc/stream.h"
#include "sim/simulate.h"

typedef struct lines {
    char *buf;      /* all lines, each ending in '\n' */
    size_t len, cap;
    size_t *starts; /* offset of each line */
    size_t n, ncap;
} lines;

static void push_line(lines *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        l->cap = (l->cap + n + 1) * 2;
        l->buf = realloc(l->buf, l->cap);
    }
    if (l->n == l->ncap) {
        l->ncap = l->ncap ? l->ncap * 2 : 1024;
        l->starts = realloc(l->starts, l->ncap * sizeof *l->starts);
    }
    if (!l->buf || !l->starts) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    l->starts[l->n++] = l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len++] = '\n';
}

static void count_sample(void *ctx, const vg_sample *s) { (*(uint64_t *)ctx)++; }

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
    long n_samples = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    int json = argc > 2 && strcmp(argv[2], "json") == 0;
    if (n_samples <= 0)
        n_samples = 200000;

    /* 1. the stream, generated once, in memory */
    vg_sim_opts so;
    vg_sim_opts_init(&so, VG_SIM_TSG);
    so.format = json ? VG_SIM_FMT_JSON : VG_SIM_FMT_RAW;
    so.interval_s = 1;
    so.duration_s = (double)n_samples;
    so.n_spikes = 100;
    vg_sim *sim;
    vg_errinfo err;
    if (vg_sim_create(&so, &sim, &err) != VG_OK) {
        fprintf(stderr, "simulate: %s\n", err.text);
        return 1;
    }
    lines L = {0};
    char buf[VG_SIM_LINE_MAX];
    vg_sim_line info;
    while (vg_sim_next(sim, buf, sizeof buf, &info) == VG_OK)
        push_line(&L, buf, info.len);
    vg_sim_free(sim);

    /* 2. configuration: the embedded default, a temporary store */
    char dir[] = "/tmp/vigie-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    vg_setup setup;
    if (vg_setup_load(NULL, &setup, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    size_t source = json ? 0 : 1; /* default config: 0 = json, 1 = sbe45_nmea SIMTSG */
    const vg_ingest_cfg *ic = &setup.cfg->ingest[source];
    const vg_parser_ops *ops = vg_parser_find(ic->format);
    const vg_platform_cfg *pf = vg_config_platform(setup.cfg, "SIMTSG");

    printf("bench_engine: %ld samples of a TSG stream, %zu lines (%s), %.1f MB\n", n_samples,
           L.n, json ? "JSON" : "SBE45 + NMEA GGA/RMC", (double)L.len / 1e6);

    /* stage A: parse only */
    void *pstate;
    ops->create(ic, &pstate, &err);
    uint64_t produced_n = 0, errors = 0;
    int64_t t0 = vg_time_mono_us();
    for (size_t i = 0; i < L.n; i++) {
        size_t end = i + 1 < L.n ? L.starts[i + 1] - 1 : L.len - 1;
        vg_sample s;
        bool produced;
        vg_sample_init(&s);
        if (ops->parse_line(pstate, L.buf + L.starts[i], end - L.starts[i], 0, &s, &produced,
                            &err) != VG_OK)
            errors++;
        produced_n += produced;
    }
    double ta = (double)(vg_time_mono_us() - t0) / 1e6;
    ops->destroy(pstate);

    /* stage B: parse + QC */
    ops->create(ic, &pstate, &err);
    vg_qc_stream *st;
    vg_qc_stream_new(setup.plan, pf, &st, &err);
    uint64_t judged = 0;
    t0 = vg_time_mono_us();
    for (size_t i = 0; i < L.n; i++) {
        size_t end = i + 1 < L.n ? L.starts[i + 1] - 1 : L.len - 1;
        vg_sample s;
        bool produced;
        vg_sample_init(&s);
        if (ops->parse_line(pstate, L.buf + L.starts[i], end - L.starts[i], 0, &s, &produced,
                            &err) == VG_OK &&
            produced) {
            s.raw = L.buf + L.starts[i];
            s.raw_len = end - L.starts[i];
            vg_qc_stream_push(st, &s, 0, count_sample, &judged, &err);
        }
    }
    vg_qc_stream_flush(st, count_sample, &judged);
    double tb = (double)(vg_time_mono_us() - t0) / 1e6;
    vg_qc_stream_free(st);
    ops->destroy(pstate);

    /* stage C: the whole engine, fed in messages of 100 lines like a feed would send */
    vg_store *store;
    vg_store_options sto = {.cache_mb = setup.cfg->cache_mb};
    if (vg_store_open(dir, &sto, &store, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    vg_engine *eng;
    if (vg_engine_new(setup.cfg, setup.plan, store, &eng, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    vg_time_us received = so.start + (vg_time_us)so.duration_s * VG_US_PER_S;
    t0 = vg_time_mono_us();
    for (size_t i = 0; i < L.n; i += 100) {
        size_t j = i + 100 < L.n ? i + 100 : L.n;
        size_t end = j < L.n ? L.starts[j] : L.len;
        int64_t now = vg_time_mono_us();
        vg_engine_feed(eng, source, L.buf + L.starts[i], end - L.starts[i], received, now, &err);
        vg_engine_tick(eng, now, &err);
    }
    vg_engine_flush(eng, &err);
    double tc = (double)(vg_time_mono_us() - t0) / 1e6;
    const vg_engine_stats *es = vg_engine_get_stats(eng);
    uint64_t stored = es->samples, commits = es->commits, quarantined = es->quarantined;
    vg_engine_free(eng);
    vg_store_close(store, &err);

    printf("  parse only         : %10.0f samples/s  (%.3f s, %llu samples, %llu errors)\n",
           produced_n / ta, ta, (unsigned long long)produced_n, (unsigned long long)errors);
    printf("  parse + QC         : %10.0f samples/s  (%.3f s, %llu judged)\n", judged / tb, tb,
           (unsigned long long)judged);
    printf("  parse + QC + store : %10.0f samples/s  (%.3f s, %llu stored, %llu commits, "
           "%llu quarantined)\n",
           stored / tc, tc, (unsigned long long)stored, (unsigned long long)commits,
           (unsigned long long)quarantined);
    printf("  ratios: QC costs %.2fx parsing; storage makes the whole %.2fx parse + QC\n",
           (tb - ta) / ta, tc / tb);
    printf("  target (issue 2): >= 100000 samples/s end to end: %s\n",
           stored / tc >= 100000 ? "met" : "NOT met");
    vg_setup_free(&setup);
    free(L.buf);
    free(L.starts);
    rm_rf(dir);
    return 0;
}
