/* bench_alerts.c: what alerting costs the engine. The same simulated TSG stream (1 Hz, with
 * stuck-sensor windows and spikes) goes through the whole engine (parse, QC, store) twice:
 * alone, and with the daemon's alerting object as its listener (rule monitor, mails
 * composed and put into the outbox inside the engine's batches, the sender thread running
 * against an SMTP server that refuses connections, so that it also updates the outbox).
 * Prints samples/s, the ratio and the alerts raised; asserts nothing.
 * usage: bench_alerts [SAMPLES]   (default 200000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "daemon/engine.h"
#include "daemon/setup.h"
#include "sim/simulate.h"

static void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static void to_alerts(void *ctx, const vg_sample *s)
{
    vg_alerts_sample(ctx, s);
}

/* Run the engine over text[0..len) (lines) into a new store under dir; with alerts when
 * `alerts` is set. Returns the seconds taken; *stored receives the samples stored. */
static double run(vg_setup *setup, const char *dir, const char *text, size_t len, bool alerts,
                  uint64_t *stored, vg_alerts_stats *ast)
{
    vg_errinfo err;
    vg_store *store;
    vg_store_options sto = {.cache_mb = setup->cfg->cache_mb};
    free(setup->cfg->storage_path);
    setup->cfg->storage_path = strdup(dir);
    if (vg_store_open(dir, &sto, &store, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        exit(1);
    }
    vg_engine *eng;
    if (vg_engine_new(setup->cfg, setup->plan, store, &eng, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        exit(1);
    }
    vg_alerts *a = NULL;
    if (alerts) {
        if (vg_alerts_start(setup->cfg, setup->alerts, store, vg_time_now(), &a, &err) !=
            VG_OK) {
            fprintf(stderr, "%s\n", err.text);
            exit(1);
        }
        vg_engine_set_listener(eng, to_alerts, a);
    }
    int64_t t0 = vg_time_mono_us();
    vg_time_us received = vg_time_now();
    int64_t last_tick = 0;
    /* messages of about 100 lines, as a feed sends them */
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        for (int k = 0; k < 100 && end < len; k++) {
            const char *nl = memchr(text + end, '\n', len - end);
            end = nl ? (size_t)(nl - text) + 1 : len;
        }
        int64_t now = vg_time_mono_us();
        vg_engine_feed(eng, 1, text + pos, end - pos, received, now, &err);
        vg_engine_tick(eng, now, &err);
        if (a && now - last_tick >= VG_US_PER_S / 4) {
            vg_alerts_tick(a, vg_time_now());
            last_tick = now;
        }
        pos = end;
    }
    vg_engine_flush(eng, &err);
    double t = (double)(vg_time_mono_us() - t0) / 1e6;
    *stored = vg_engine_get_stats(eng)->samples;
    if (a) {
        *ast = vg_alerts_get_stats(a);
        vg_alerts_stop(a);
    }
    vg_engine_free(eng);
    vg_store_close(store, &err);
    return t;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    if (n <= 0)
        n = 200000;
    vg_sim_opts so;
    vg_sim_opts_init(&so, VG_SIM_TSG);
    so.format = VG_SIM_FMT_RAW;
    so.interval_s = 1;
    so.duration_s = (double)n;
    so.n_spikes = 100;
    so.n_stuck = 4;
    for (int i = 0; i < so.n_stuck; i++) /* 4 windows of 10 min, spread over the record */
        so.stuck[i] = (vg_sim_window){.start_min = (i + 0.5) * n / 60.0 / so.n_stuck,
                                      .duration_min = 10};
    vg_sim *sim;
    vg_errinfo err;
    if (vg_sim_create(&so, &sim, &err) != VG_OK) {
        fprintf(stderr, "simulate: %s\n", err.text);
        return 1;
    }
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap), line[VG_SIM_LINE_MAX];
    vg_sim_line info;
    while (text && vg_sim_next(sim, line, sizeof line, &info) == VG_OK) {
        if (len + info.len + 1 > cap && !(text = realloc(text, cap *= 2)))
            break;
        memcpy(text + len, line, info.len);
        len += info.len;
        text[len++] = '\n';
    }
    vg_sim_free(sim);
    if (!text)
        return 1;

    vg_setup setup;
    if (vg_setup_load(NULL, &setup, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        return 1;
    }
    /* the default rules (stuck, silent), the first one on the spike test so that each of
     * the 100 spikes starts and ends a problem (200 mails); an SMTP server that refuses
     * connections (port 1 of 127.0.0.1) */
    setup.alerts->enabled = true;
    for (int i = 0; i < VG_QC_MAX_TESTS; i++)
        if (vg_setup_alert_tests()->name[i] && !strcmp(vg_setup_alert_tests()->name[i], "spike"))
            setup.alerts->rules[0].test = i;
    snprintf(setup.alerts->smtp.server, sizeof setup.alerts->smtp.server, "127.0.0.1:1");
    setup.alerts->smtp.retry_base_s = 3600;
    setup.alerts->smtp.retry_max_s = 3600;
    vg_log_set_level(VG_LOG_ERROR);

    char d1[] = "/tmp/vigie-bench-XXXXXX", d2[] = "/tmp/vigie-bench-XXXXXX";
    if (!mkdtemp(d1) || !mkdtemp(d2)) {
        perror("mkdtemp");
        return 1;
    }
    uint64_t s1 = 0, s2 = 0;
    vg_alerts_stats ast = {0};
    run(&setup, d1, text, len, false, &s1, &ast); /* warm-up: caches, page faults */
    rm_rf(d1);
    if (!mkdtemp(strcpy(d1, "/tmp/vigie-bench-XXXXXX"))) {
        perror("mkdtemp");
        return 1;
    }
    double t1 = run(&setup, d1, text, len, false, &s1, &ast);
    double t2 = run(&setup, d2, text, len, true, &s2, &ast);
    printf("bench_alerts: %ld samples of a 1 Hz TSG stream with 4 stuck windows, 100 spikes; rules: spike (1 value), silent\n",
           n);
    printf("  engine alone       : %10.0f samples/s  (%.3f s, %llu stored)\n", s1 / t1, t1,
           (unsigned long long)s1);
    printf("  engine + alerts    : %10.0f samples/s  (%.3f s, %llu stored; %llu events, "
           "%llu mails queued, %llu failed attempts on the refusing server)\n",
           s2 / t2, t2, (unsigned long long)s2, (unsigned long long)ast.events,
           (unsigned long long)ast.queued, (unsigned long long)ast.failed);
    printf("  ratio: alerting makes the engine %.3fx as long\n", t2 / t1);
    vg_setup_free(&setup);
    free(text);
    rm_rf(d1);
    rm_rf(d2);
    return 0;
}
