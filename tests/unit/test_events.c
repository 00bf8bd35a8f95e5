/* test_events.c: QC events end to end below the daemon: the JSON form (core/event.h), the
 * sea-level monitor (qc/sealevel_monitor.h) on a synthetic 40-day hourly gauge with two
 * spikes (one at a day's end), a datum shift of 8 cm and then a clock 5 minutes fast (each
 * found once, where and as large as injected, the clock within 1 minute; a clean gauge
 * raises nothing; its memory bounded),
 * and events.db (storage/events.h) in a real Berkeley DB store in a temporary directory:
 * put, replace by key, walk by platform, read back by a reader, no events.db at all. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/event.h"
#include "qc/sealevel_monitor.h"
#include "storage/events.h"
#include "tide/constituents.h"
#include "tide/predict.h"

#define HOUR_US (INT64_C(3600) * VG_US_PER_S)
#define T0 (INT64_C(1767225600) * VG_US_PER_S) /* 2026-01-01T00:00:00Z */

static void test_json(void)
{
    vg_event ev = {.platform = "PPT", .param = VG_P_SLEV, .kind = VG_EVENT_DATUM_SHIFT,
                   .first = T0, .last = T0 + 2 * 24 * HOUR_US, .detected = T0 + 49 * HOUR_US,
                   .magnitude = 0.08, .score = NAN, .units = "m", .text = "a \"quoted\" step"};
    char buf[1024];
    int n = vg_event_json(&ev, buf, sizeof buf);
    CHECK(n > 0 && (size_t)n == strlen(buf));
    CHECK_STR(buf, "{\"platform\":\"PPT\",\"parameter\":\"SLEV\",\"kind\":\"datum_shift\","
                   "\"first\":\"2026-01-01T00:00:00Z\",\"last\":\"2026-01-03T00:00:00Z\","
                   "\"detected\":\"2026-01-03T01:00:00Z\",\"magnitude\":0.08,\"units\":\"m\","
                   "\"score\":null,\"text\":\"a \\\"quoted\\\" step\"}");
    CHECK(vg_event_json(&ev, buf, 40) == -1);
    CHECK(vg_event_kind_lookup("clock_offset") == VG_EVENT_CLOCK_OFFSET);
    CHECK(vg_event_kind_lookup("nope") == -1);
    CHECK(vg_event_kind_name(VG_EVENT__COUNT) == NULL);
}

static vg_tide_model model;

static void make_model(void)
{
    static const struct { const char *n; double a, g; } c[] = {
        {"M2", 0.50, 100}, {"S2", 0.20, 130}, {"N2", 0.10, 80}, {"K1", 0.15, 210},
        {"O1", 0.10, 195},
    };
    vg_tide_model_init(&model);
    model.latitude_deg = -17.5;
    model.z0 = 1.5;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        vg_tide_coef k = {.k = vg_tide_const_find(c[i].n), .amp = c[i].a, .phase_deg = c[i].g};
        vg_tide_model_add(&model, &k);
    }
}

typedef struct got {
    vg_event ev[16];
    int n;
} got;

static void sink(void *ctx, const vg_event *ev)
{
    got *g = ctx;
    if (g->n < 16)
        g->ev[g->n++] = *ev;
}

/* 40 days of hourly sea level, 3 mm of noise; from day `shift_day` the level is 8 cm
 * higher; from day `clock_day` the clock is 5 minutes fast. Each day is analysed as the
 * daemon does, when the first sample of the next day arrives. */
static void run_gauge(int shift_day, int clock_day, bool spikes, double offset_s, got *g,
                      vg_sl_monitor **keep)
{
    vg_tide_predictor p;
    vg_errinfo err;
    CHECK(vg_tide_predictor_init(&p, &model, &err) == VG_OK);
    vg_sl_monitor *mo = NULL;
    CHECK(vg_sl_monitor_new("PPT", &model, 3600, offset_s, &mo, &err) == VG_OK);
    CHECK(vg_sl_monitor_status(mo)->analysed == false);
    unsigned seed = 5;
    for (int i = 0; i < 40 * 24; i++) {
        vg_time_us t = T0 + i * HOUR_US;
        int day = i / 24;
        vg_time_us tt = day >= clock_day ? t - 5 * 60 * VG_US_PER_S : t;
        double u1 = (rand_r(&seed) + 1.0) / (RAND_MAX + 2.0);
        double u2 = (rand_r(&seed) + 1.0) / (RAND_MAX + 2.0);
        double h = vg_tide_predict_at(&p, tt) + 0.003 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
        if (day >= shift_day)
            h += 0.08;
        if (spikes && (i == 10 * 24 + 12 || i == 12 * 24 + 23))
            h += i == 10 * 24 + 12 ? 0.15 : -0.12;
        vg_sl_monitor_add(mo, t, h);
        if (vg_sl_monitor_due(mo))
            CHECK(vg_sl_monitor_run(mo, sink, g, &err) == VG_OK);
        CHECK(!vg_sl_monitor_due(mo));
    }
    /* bounded: 33 days of hourly samples and its fixed part, whatever the record length */
    CHECK(vg_sl_monitor_bytes(mo) < 40000);
    *keep = mo;
}

static void test_monitor(void)
{
    make_model();
    got g = {.n = 0};
    vg_sl_monitor *mo;
    run_gauge(1000, 1000, false, 0, &g, &mo);
    CHECK_MSG(g.n == 0, "%d events on a clean gauge (first: %s)", g.n, g.n ? g.ev[0].text : "");
    const vg_slm_status *s = vg_sl_monitor_status(mo);
    CHECK(s->analysed && !s->datum_shift && s->clock_checked && !s->clock_offset);
    CHECK(fabs(s->clock_min) < 0.5);
    vg_sl_monitor_free(mo);

    /* a shift on day 25 (a lunar month of reference is 20 valid days at least), found two
     * days later; a clock 5 minutes fast from day 34, found within the 3-day window */
    g.n = 0;
    run_gauge(25, 34, true, 0, &g, &mo);
    int shifts = 0, clocks = 0, spikes = 0;
    for (int i = 0; i < g.n; i++) {
        const vg_event *ev = &g.ev[i];
        char f1[VG_TIME_ISO_LEN], f2[VG_TIME_ISO_LEN];
        printf("event: %s..%s %s\n", vg_time_format_iso8601(ev->first, f1),
               vg_time_format_iso8601(ev->last, f2), ev->text);
        CHECK_STR(ev->platform, "PPT");
        CHECK(ev->param == VG_P_SLEV);
        if (ev->kind == VG_EVENT_DATUM_SHIFT) {
            shifts++;
            CHECK(ev->first == T0 + 25 * 24 * HOUR_US);
            CHECK_NEAR(ev->magnitude, 0.08, 0.01);
            CHECK_STR(ev->units, "m");
        } else if (ev->kind == VG_EVENT_SPIKE) {
            spikes++;
            CHECK(ev->first == ev->last);
            if (ev->first == T0 + (10 * 24 + 12) * HOUR_US) {
                CHECK_NEAR(ev->magnitude, 0.15, 0.02);
                /* found at the start of day 11, whose analysis covers day 10 less its last
                 * 6 h plus the 6 h before it: [9 18:00, 10 18:00) */
                CHECK(ev->detected == T0 + 11 * 24 * HOUR_US);
            } else {
                CHECK(ev->first == T0 + (12 * 24 + 23) * HOUR_US);
                CHECK_NEAR(ev->magnitude, -0.12, 0.02);
                /* 23:00 is in the next day's stretch [12 18:00, 13 18:00): day 14 */
                CHECK(ev->detected == T0 + 14 * 24 * HOUR_US);
            }
        } else if (ev->kind == VG_EVENT_CLOCK_OFFSET) {
            clocks++;
            CHECK_NEAR(ev->magnitude, 5.0, 1.0);
            CHECK_STR(ev->units, "min");
            CHECK(ev->detected > T0 + 34 * 24 * HOUR_US);
        }
    }
    CHECK_MSG(shifts == 1, "%d datum-shift events", shifts);
    CHECK_MSG(clocks == 1, "%d clock-offset events", clocks);
    CHECK_MSG(spikes == 2, "%d spike events", spikes);
    s = vg_sl_monitor_status(mo);
    CHECK(s->clock_offset && fabs(s->clock_min - 5.0) < 1.0);
    vg_sl_monitor_free(mo);

    /* a 1-second gauge is decimated to the ring's bound */
    vg_errinfo err;
    CHECK(vg_sl_monitor_new("FAST", &model, 1, 0, &mo, &err) == VG_OK);
    CHECK(vg_sl_monitor_bytes(mo) < (size_t)VG_SLM_MAX_SAMPLES * 40 + 100000);
    vg_sl_monitor_free(mo);
    CHECK(vg_sl_monitor_new("BAD", &model, 0, 0, &mo, &err) == VG_ERR_INVAL);
    CHECK(vg_sl_monitor_new("BAD", &model, 3600, 43201, &mo, &err) == VG_ERR_INVAL);

    /* analysed 4 h 17 min after midnight (qc.sea_level_spread_s): the same problems, found
     * at the first hourly sample after 04:17 (05:00) of the day that the midnight analysis
     * found them on */
    g.n = 0;
    run_gauge(25, 34, true, 4 * 3600 + 17 * 60, &g, &mo);
    shifts = clocks = spikes = 0;
    for (int i = 0; i < g.n; i++) {
        const vg_event *ev = &g.ev[i];
        if (ev->kind == VG_EVENT_DATUM_SHIFT) {
            shifts++;
            CHECK(ev->first == T0 + 25 * 24 * HOUR_US);
            CHECK_NEAR(ev->magnitude, 0.08, 0.01);
        } else if (ev->kind == VG_EVENT_SPIKE) {
            spikes++;
            if (ev->first == T0 + (10 * 24 + 12) * HOUR_US)
                CHECK(ev->detected == T0 + (11 * 24 + 5) * HOUR_US);
            else
                CHECK(ev->first == T0 + (12 * 24 + 23) * HOUR_US &&
                      ev->detected == T0 + (14 * 24 + 5) * HOUR_US);
        } else if (ev->kind == VG_EVENT_CLOCK_OFFSET) {
            clocks++;
            CHECK_NEAR(ev->magnitude, 5.0, 1.0);
        }
    }
    CHECK_MSG(shifts == 1 && clocks == 1 && spikes == 2, "%d shifts, %d clocks, %d spikes",
              shifts, clocks, spikes);
    vg_sl_monitor_free(mo);

    /* the offsets: whole seconds in [0, spread), fixed by the id, 0 without a spread; 100
     * stations spread over 6 h, at most a few in any 6-minute slot */
    CHECK(vg_sl_monitor_offset_s("PPT", 0) == 0);
    CHECK(vg_sl_monitor_offset_s("PPT", 21600) == vg_sl_monitor_offset_s("PPT", 21600));
    int slot[60] = {0}, worst = 0;
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "TG%03d", i);
        double o = vg_sl_monitor_offset_s(id, 21600);
        CHECK(o >= 0 && o < 21600 && o == floor(o));
        int k = (int)(o / 360);
        if (++slot[k] > worst)
            worst = slot[k];
    }
    printf("100 stations over 6 h: at most %d analyses in one 6-minute slot\n", worst);
    CHECK(worst <= 6);
}

typedef struct walked {
    vg_event ev[8];
    int n;
} walked;

static int collect(void *ctx, const vg_event *ev)
{
    walked *w = ctx;
    if (w->n < 8)
        w->ev[w->n] = *ev;
    w->n++;
    return 0;
}

static void test_store(void)
{
    char dir[] = "/tmp/vigie_events_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/store", dir);
    vg_store *s = NULL, *r = NULL;
    vg_errinfo err;
    vg_store_options wo = {.cache_mb = 4}, ro = {.cache_mb = 4, .read_only = true};
    CHECK_MSG(vg_store_open(path, &wo, &s, &err) == VG_OK, "%s", err.text);
    if (!s)
        return;
    walked w = {.n = 0};
    /* no events.db yet: no events, for the writer and a reader */
    CHECK(vg_store_events_walk(s, NULL, collect, &w, &err) == VG_OK && w.n == 0);
    CHECK_MSG(vg_store_open(path, &ro, &r, &err) == VG_OK, "%s", err.text);
    CHECK(vg_store_events_walk(r, "PPT", collect, &w, &err) == VG_OK && w.n == 0);

    vg_event a = {.platform = "PPT", .param = VG_P_SLEV, .kind = VG_EVENT_DATUM_SHIFT,
                  .first = T0, .last = T0 + 48 * HOUR_US, .detected = T0 + 49 * HOUR_US,
                  .magnitude = 0.08, .score = 3.5, .units = "m", .text = "shift"};
    vg_event b = a;
    b.kind = VG_EVENT_CLOCK_OFFSET;
    b.magnitude = -4.2;
    b.score = NAN;
    snprintf(b.units, sizeof b.units, "min");
    snprintf(b.text, sizeof b.text, "clock");
    vg_event c = a;
    snprintf(c.platform, sizeof c.platform, "PPT2"); /* sorts after PPT */
    c.first = T0 - HOUR_US;
    CHECK(vg_store_put_event(s, &a, &err) == VG_OK);
    CHECK(vg_store_put_event(s, &b, &err) == VG_OK);
    CHECK(vg_store_put_event(s, &c, &err) == VG_OK);
    a.last += 24 * HOUR_US; /* found again the next day: the same record, updated */
    a.magnitude = 0.081;
    CHECK(vg_store_put_event(s, &a, &err) == VG_OK);
    vg_event bad = a;
    bad.kind = (vg_event_kind)0;
    CHECK(vg_store_put_event(s, &bad, &err) == VG_ERR_INVAL);

    w.n = 0;
    CHECK(vg_store_events_walk(s, NULL, collect, &w, &err) == VG_OK);
    CHECK(w.n == 3);
    CHECK(w.ev[0].kind == VG_EVENT_DATUM_SHIFT && w.ev[0].magnitude == 0.081 &&
          w.ev[0].last == a.last && w.ev[0].score == 3.5);
    CHECK(w.ev[1].kind == VG_EVENT_CLOCK_OFFSET && w.ev[1].magnitude == -4.2 &&
          isnan(w.ev[1].score));
    CHECK_STR(w.ev[1].units, "min");
    CHECK_STR(w.ev[1].text, "clock");
    CHECK_STR(w.ev[2].platform, "PPT2");
    /* a reader sees what was committed; the filter takes PPT only, not PPT2 */
    w.n = 0;
    CHECK_MSG(vg_store_events_walk(r, "PPT", collect, &w, &err) == VG_OK, "%s", err.text);
    CHECK(w.n == 2 && strcmp(w.ev[0].platform, "PPT") == 0 && w.ev[1].param == VG_P_SLEV);
    CHECK(vg_store_put_event(r, &a, &err) == VG_ERR_INVAL); /* read-only */
    CHECK(vg_store_events_walk(r, "bad id!", collect, &w, &err) == VG_ERR_INVAL);
    CHECK(vg_store_close(r, &err) == VG_OK);
    CHECK(vg_store_close(s, &err) == VG_OK);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    test_json();
    test_monitor();
    test_store();
    return check_summary();
}
