/* test_silence.c: the silence watch (qc/silence.h) on a hand-driven clock: nothing before
 * the first sample, nothing until silence_after_s has passed (on the bound: nothing), one
 * start event then nothing more while silent, the end event at the next sample with the
 * gap, 0 = never, the state kept across a reload (vg_silence_adopt); and the default of
 * platforms[].silence_after_s (3 x interval_s, at least 60 s). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "core/config.h"
#include "qc/silence.h"

#define T0 (INT64_C(1767225600) * VG_US_PER_S) /* 2026-01-01T00:00:00Z */
#define S(x) ((vg_time_us)((x) * 1e6))

typedef struct sink {
    int n;
    vg_event ev[8];
} sink;

static void collect(void *ctx, const vg_event *ev)
{
    sink *k = ctx;
    if (k->n < 8)
        k->ev[k->n] = *ev;
    k->n++;
}

int main(void)
{
    const char *yaml = "storage: {path: /tmp/unused}\n"
                       "platforms:\n"
                       "  - {id: TG1, kind: tide_gauge, interval_s: 360, parameters: [SLEV]}\n"
                       "  - {id: SHIP, kind: tsg, interval_s: 10, parameters: [SSJT, SSPS]}\n"
                       "  - {id: OFF, kind: mooring, interval_s: 60, parameters: [TEMP],\n"
                       "     silence_after_s: 0}\n";
    vg_config *cfg = NULL;
    vg_errinfo err;
    CHECK_MSG(vg_config_load_string(yaml, strlen(yaml), "t.yaml", &cfg, &err) == VG_OK, "%s",
              err.text);
    if (!cfg)
        return check_summary();
    CHECK(cfg->platforms[0].silence_after_s == 1080); /* 3 x 360 s */
    CHECK(cfg->platforms[1].silence_after_s == 60);   /* 3 x 10 s, raised to a minute */
    CHECK(cfg->platforms[2].silence_after_s == 0);

    static sink k;
    vg_silence w;
    vg_silence_init(&w, &cfg->platforms[0]);
    vg_silence_check(&w, T0 + S(100000), collect, &k);
    CHECK(k.n == 0); /* never heard from: nothing */
    vg_silence_sample(&w, T0, T0 + S(5), collect, &k);
    vg_silence_check(&w, T0 + S(5 + 1080), collect, &k); /* on the bound */
    CHECK(k.n == 0);
    vg_silence_check(&w, T0 + S(5 + 1081), collect, &k);
    CHECK(k.n == 1);
    if (k.n == 1) {
        const vg_event *e = &k.ev[0];
        CHECK_STR(e->platform, "TG1");
        CHECK(e->kind == VG_EVENT_SILENCE && e->param == VG_P_SLEV);
        CHECK(e->first == T0 && e->last == T0 && !vg_event_silence_ended(e));
        CHECK(e->detected == T0 + S(5 + 1081));
        CHECK_NEAR(e->magnitude, 1081, 1e-9);
        CHECK_STR(e->units, "s");
        CHECK(isnan(e->score));
        CHECK_MSG(strstr(e->text, "TG1: no sample for 1081 s after the one of "
                                  "2026-01-01T00:00:00Z") != NULL, "%s", e->text);
    }
    vg_silence_check(&w, T0 + S(50000), collect, &k);
    CHECK(k.n == 1); /* once per silence */

    /* a reload: the new watch takes over (still silent) */
    vg_silence w2;
    vg_silence_init(&w2, &cfg->platforms[0]);
    vg_silence_adopt(&w2, &w);
    vg_silence_sample(&w2, T0 + S(7200), T0 + S(7210), collect, &k);
    CHECK(k.n == 2);
    if (k.n == 2) {
        const vg_event *e = &k.ev[1];
        CHECK(e->first == T0 && e->last == T0 + S(7200) && vg_event_silence_ended(e));
        CHECK(e->detected == T0 + S(7210));
        CHECK_NEAR(e->magnitude, 7200, 1e-9);
        CHECK_MSG(strstr(e->text, "samples again from 2026-01-01T02:00:00Z, after a silence of "
                                  "7200 s") != NULL, "%s", e->text);
    }
    vg_silence_sample(&w2, T0 + S(7560), T0 + S(7565), collect, &k);
    CHECK(k.n == 2); /* not silent any more */

    /* the event's parameter of a platform without SLEV: its first one */
    vg_silence_init(&w, &cfg->platforms[1]);
    vg_silence_sample(&w, T0, T0, collect, &k);
    vg_silence_check(&w, T0 + S(61), collect, &k);
    CHECK(k.n == 3 && k.ev[2].param == VG_P_SSJT);
    /* silence_after_s 0: never */
    vg_silence_init(&w, &cfg->platforms[2]);
    vg_silence_sample(&w, T0, T0, collect, &k);
    vg_silence_check(&w, T0 + S(1e7), collect, &k);
    CHECK(k.n == 3);
    vg_config_free(cfg);
    return check_summary();
}
