/* test_simulate.c: unit tests of the stream simulator (sim/simulate.h): the sea-water
 * formulas it uses (core/seawater.h) against a real SBE45 line, determinism per seed, NMEA
 * checksums and formats, line counts, each fault where the truth callback says it is
 * (compared with a clean run of the same seed), the tide's mean and range over 29 days,
 * option errors, and, when the ingest parsers are linked, that every clean line parses and
 * every garbage line is rejected. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/seawater.h"
#include "ingest/parser.h"
#include "sim/simulate.h"

/* ---- a whole run in memory -------------------------------------------------------- */

typedef struct run {
    char **text;         /* NUL-terminated copies (garbage may hold NULs: use info.len) */
    vg_sim_line *info;
    size_t n, cap;
    vg_sim_truth *truth;
    size_t n_truth, cap_truth;
    int64_t n_samples;
    vg_err rc;           /* of vg_sim_create */
    vg_errinfo err;
} run;

static void on_truth(void *ctx, const vg_sim_truth *row)
{
    run *r = ctx;
    if (r->n_truth == r->cap_truth) {
        r->cap_truth = r->cap_truth ? 2 * r->cap_truth : 64;
        r->truth = realloc(r->truth, r->cap_truth * sizeof *r->truth);
    }
    r->truth[r->n_truth++] = *row;
}

static run *run_sim(vg_sim_opts o)
{
    run *r = calloc(1, sizeof *r);
    o.truth = on_truth;
    o.truth_ctx = r;
    vg_sim *sim;
    r->rc = vg_sim_create(&o, &sim, &r->err);
    if (r->rc != VG_OK)
        return r;
    r->n_samples = vg_sim_sample_count(sim);
    char buf[VG_SIM_LINE_MAX];
    vg_sim_line info;
    while (vg_sim_next(sim, buf, sizeof buf, &info) == VG_OK) {
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 256;
            r->text = realloc(r->text, r->cap * sizeof *r->text);
            r->info = realloc(r->info, r->cap * sizeof *r->info);
        }
        r->text[r->n] = malloc(info.len + 1);
        memcpy(r->text[r->n], buf, info.len + 1);
        r->info[r->n] = info;
        r->n++;
    }
    vg_sim_free(sim);
    return r;
}

static void run_free(run *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->text[i]);
    free(r->text);
    free(r->info);
    free(r->truth);
    free(r);
}

static uint64_t run_hash(const run *r)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < r->n; i++) {
        for (size_t k = 0; k < r->info[i].len; k++)
            h = (h ^ (unsigned char)r->text[i][k]) * UINT64_C(1099511628211);
        h = (h ^ '\n') * UINT64_C(1099511628211);
    }
    return h;
}

static size_t count_kind(const run *r, vg_sim_line_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->info[i].kind == k;
    return n;
}

static size_t count_truth(const run *r, vg_sim_fault_kind f, int param)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_truth; i++)
        n += r->truth[i].fault == f && (param == -2 || r->truth[i].param == param);
    return n;
}

/* The sample line of sample index k, or NULL. */
static const vg_sim_line *sample_line(const run *r, int64_t k, const char **text)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->info[i].sample == k) {
            if (text)
                *text = r->text[i];
            return &r->info[i];
        }
    return NULL;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The text after the "ISO8601Z " prefix. */
static const char *body(const char *line)
{
    const char *sp = strchr(line, ' ');
    return sp ? sp + 1 : line;
}

static vg_sim_opts tsg_opts(double hours)
{
    vg_sim_opts o;
    vg_sim_opts_init(&o, VG_SIM_TSG);
    o.duration_s = hours * 3600;
    o.seed = 42;
    return o;
}

/* ---- sea water ------------------------------------------------------------------- */

static void test_seawater(void)
{
    /* definition of PSS-78: R = 1 at 15 degC is S = 35 */
    CHECK_NEAR(vg_sw_sp_from_c_pss78(4.2914, 15.0 / 1.00024, 0), 35.0, 1e-3);
    CHECK_NEAR(vg_sw_c_from_sp_pss78(35.0, 15.0 / 1.00024, 0), 4.2914, 1e-6);
    /* a real SBE45 line of NBP1406: "21.8054,  5.17647,  36.5878, 1528.105" */
    CHECK_NEAR(vg_sw_c_from_sp_pss78(36.5878, 21.8054, 0), 5.17647, 2e-5);
    CHECK_NEAR(vg_sw_sp_from_c_pss78(5.17647, 21.8054, 0), 36.5878, 2e-4);
    CHECK_NEAR(vg_sw_sound_speed(36.5878, 21.8054, 0), 1528.105, 2e-3);
    /* round trip over the TSG range */
    for (double t = -1.5; t <= 34; t += 2.5)
        for (double s = 5; s <= 41; s += 4) {
            double c = vg_sw_c_from_sp_pss78(s, t, 0);
            CHECK_MSG(fabs(vg_sw_sp_from_c_pss78(c, t, 0) - s) < 1e-9, "t %g s %g", t, s);
        }
    CHECK(isnan(vg_sw_c_from_sp_pss78(NAN, 20, 0)));
}

/* ---- determinism ------------------------------------------------------------------- */

static void test_determinism(void)
{
    vg_sim_opts o = tsg_opts(2);
    vg_sim_opts_all_faults(&o);
    run *a = run_sim(o), *b = run_sim(o);
    o.seed = 43;
    run *c = run_sim(o);
    CHECK(a->rc == VG_OK && a->n > 0);
    CHECK(a->n == b->n && run_hash(a) == run_hash(b));
    CHECK(run_hash(a) != run_hash(c));
    CHECK(a->n_truth == b->n_truth);
    run_free(a), run_free(b), run_free(c);

    vg_sim_opts t;
    vg_sim_opts_init(&t, VG_SIM_TIDE_GAUGE);
    t.atms = true;
    a = run_sim(t), b = run_sim(t);
    t.seed = 2;
    c = run_sim(t);
    CHECK(a->n == 720 && run_hash(a) == run_hash(b) && run_hash(a) != run_hash(c));
    run_free(a), run_free(b), run_free(c);

    /* the defaults are fixed: first line of the default TSG stream */
    vg_sim_opts_init(&o, VG_SIM_TSG);
    o.duration_s = 10;
    a = run_sim(o);
    CHECK(a->n == 3);
    if (a->n == 3) {
        CHECK(starts(a->text[0],
                     "2026-01-15T00:00:00Z $GPGGA,000000.00,2200.0000,S,01754.0000,W,"));
        CHECK(starts(a->text[1], "2026-01-15T00:00:00Z $GPRMC,000000.00,A,2200.0000,S,"));
        CHECK(starts(a->text[2], "2026-01-15T00:00:00Z "));
    }
    run_free(a);
}

/* ---- NMEA ---------------------------------------------------------------------------- */

/* True when s is "$BODY*hh" with the right XOR checksum. */
static bool nmea_ok(const char *s)
{
    if (s[0] != '$')
        return false;
    const char *star = strrchr(s, '*');
    if (!star || strlen(star) != 3 || !isxdigit((unsigned char)star[1]) ||
        !isxdigit((unsigned char)star[2]))
        return false;
    unsigned x = 0;
    for (const char *p = s + 1; p < star; p++)
        x ^= (unsigned char)*p;
    return x == (unsigned)strtoul(star + 1, NULL, 16);
}

/* Field i (0 = address) of an NMEA sentence into out. */
static void nmea_field(const char *s, int i, char *out, size_t cap)
{
    for (; i > 0 && s; i--) {
        s = strchr(s, ',');
        if (s)
            s++;
    }
    size_t n = 0;
    while (s && s[n] && s[n] != ',' && s[n] != '*' && n + 1 < cap) {
        out[n] = s[n];
        n++;
    }
    out[n] = 0;
}

static bool ddmm_ok(const char *f, int deg_digits)
{
    if (strlen(f) != (size_t)deg_digits + 7 || f[deg_digits + 2] != '.')
        return false;
    for (int i = 0; f[i]; i++)
        if (i != deg_digits + 2 && !isdigit((unsigned char)f[i]))
            return false;
    return atof(f + deg_digits) < 60.0;
}

static void test_nmea(void)
{
    vg_sim_opts o = tsg_opts(1);
    o.gps_interval_s = 1;
    o.n_garbage = 30;
    run *r = run_sim(o);
    size_t bad = 0, n_gga = 0, n_rmc = 0;
    for (size_t i = 0; i < r->n; i++) {
        const char *b = body(r->text[i]);
        if (r->info[i].kind == VG_SIM_LINE_GGA || r->info[i].kind == VG_SIM_LINE_RMC) {
            bool gga = r->info[i].kind == VG_SIM_LINE_GGA;
            n_gga += gga;
            n_rmc += !gga;
            bad += !nmea_ok(b);
            char lat[32], ns[4], lon[32], ew[4];
            nmea_field(b, gga ? 2 : 3, lat, sizeof lat);
            nmea_field(b, gga ? 3 : 4, ns, sizeof ns);
            nmea_field(b, gga ? 4 : 5, lon, sizeof lon);
            nmea_field(b, gga ? 5 : 6, ew, sizeof ew);
            bad += !ddmm_ok(lat, 2) || !ddmm_ok(lon, 3) || strcmp(ns, "S") || strcmp(ew, "W");
            CHECK(strncmp(b, gga ? "$GPGGA," : "$GPRMC,", 7) == 0);
        }
    }
    CHECK_MSG(bad == 0, "%zu bad NMEA lines", bad);
    CHECK(n_gga == 3600 && n_rmc == 3600);
    /* the garbage with a bad checksum is really bad */
    size_t bad_cs = 0;
    for (size_t i = 0, g = 0; i < r->n; i++) {
        if (r->info[i].kind != VG_SIM_LINE_GARBAGE)
            continue;
        const vg_sim_truth *t = NULL;
        for (size_t k = 0, seen = 0; k < r->n_truth; k++)
            if (r->truth[k].fault == VG_SIM_FAULT_GARBAGE && seen++ == g)
                t = &r->truth[k];
        g++;
        CHECK(t && t->time == r->info[i].time);
        CHECK(memchr(r->text[i], '\n', r->info[i].len) == NULL);
        if (t && strcmp(t->detail, "truncated") == 0) /* not "time number, ..." */
            CHECK(strstr(r->text[i], ", ") == NULL && strchr(r->text[i], '$') == NULL);
        if (t && strcmp(t->detail, "random_bytes") == 0)
            CHECK(r->info[i].len >= 8 && (unsigned char)r->text[i][0] >= 0x80);
        if (t && strcmp(t->detail, "bad_checksum") == 0) {
            bad_cs++;
            CHECK(starts(body(r->text[i]), "$GPGGA,") && !nmea_ok(body(r->text[i])));
        }
    }
    CHECK(bad_cs > 0);
    run_free(r);

    /* positions are right across the hemispheres and carry minutes, not 60.0000 */
    vg_sim_opts q = tsg_opts(0.5);
    q.lat_deg = 0.0005;
    q.lon_deg = 179.9999;
    q.heading_deg = 45;
    q.speed_kn = 30;
    r = run_sim(q);
    size_t e_to_w = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->info[i].kind == VG_SIM_LINE_GGA) {
            CHECK(nmea_ok(body(r->text[i])));
            char lon[32], ew[4];
            nmea_field(body(r->text[i]), 4, lon, sizeof lon);
            nmea_field(body(r->text[i]), 5, ew, sizeof ew);
            CHECK(ddmm_ok(lon, 3));
            e_to_w += strcmp(ew, "W") == 0;
        }
    CHECK(e_to_w > 0); /* crossed the antimeridian */
    run_free(r);
}

/* ---- counts ------------------------------------------------------------------------ */

static void test_counts(void)
{
    vg_sim_opts o = tsg_opts(1);
    run *r = run_sim(o);
    CHECK(r->n_samples == 360 && r->n == 3 * 360);
    CHECK(count_kind(r, VG_SIM_LINE_SBE45) == 360 && count_kind(r, VG_SIM_LINE_RMC) == 360);
    CHECK(r->n_truth == 0);
    /* SBE45 lines look like the real ones: "ISO8601Z tt.tttt,  c.ccccc,  ss.ssss, vvvv.vvv" */
    const char *b = body(r->text[2]);
    double tc, c, s, v;
    CHECK(sscanf(b, "%lf, %lf, %lf, %lf", &tc, &c, &s, &v) == 4);
    CHECK(tc > 20 && tc < 23.5 && s > 36 && s < 37 && c > 5 && c < 5.4 && v > 1525 && v < 1532);
    CHECK(strlen(b) == strlen("21.8054,  5.17647,  36.5878, 1528.105"));
    /* times: samples at start + k * 10 s */
    const vg_sim_line *last = sample_line(r, 359, NULL);
    CHECK(last && last->time == o.start + 3590 * VG_US_PER_S);
    run_free(r);

    o.duration_s = 65; /* not a multiple of the interval: ceil */
    r = run_sim(o);
    CHECK(r->n_samples == 7 && r->n == 21);
    run_free(r);

    o = tsg_opts(1);
    o.format = VG_SIM_FMT_JSON;
    o.interval_s = 2;
    r = run_sim(o);
    CHECK(r->n == 1800 && count_kind(r, VG_SIM_LINE_JSON) == 1800);
    CHECK(starts(r->text[0], "{\"platform\":\"SIMTSG\",\"time\":\"2026-01-15T00:00:00Z\","
                             "\"lat\":-22.000000,\"lon\":-17.900000,\"values\":{\"SSJT\":"));
    run_free(r);

    vg_sim_opts t;
    vg_sim_opts_init(&t, VG_SIM_TIDE_GAUGE);
    t.duration_s = 29 * 86400.0;
    r = run_sim(t);
    CHECK(r->n == 29 * 24 && r->n_samples == 29 * 24);
    CHECK(strstr(r->text[0], "\"ATMS\"") == NULL);
    run_free(r);
}

/* ---- faults ------------------------------------------------------------------------ */

/* Every sample line of `r` equals the clean run's, except those with a fault bit. */
static size_t differing_clean_samples(const run *r, const run *clean)
{
    size_t diff = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->info[i].sample < 0 || r->info[i].faults)
            continue;
        const char *ct = "";
        const vg_sim_line *c = sample_line(clean, r->info[i].sample, &ct);
        diff += !c || strcmp(ct, r->text[i]) != 0;
    }
    return diff;
}

static void test_spikes(void)
{
    vg_sim_opts o = tsg_opts(2);
    run *clean = run_sim(o);
    o.n_spikes = 12;
    run *r = run_sim(o);
    CHECK(r->rc == VG_OK && r->n == clean->n);
    CHECK(count_truth(r, VG_SIM_FAULT_SPIKE, -2) == 12);
    for (size_t i = 0; i < r->n_truth; i++) {
        const vg_sim_truth *t = &r->truth[i];
        int64_t k = (t->time - o.start) / (10 * VG_US_PER_S);
        const vg_sim_line *f = sample_line(r, k, NULL), *c = sample_line(clean, k, NULL);
        CHECK(f && c && (f->faults & (1u << VG_SIM_FAULT_SPIKE)));
        if (!f || !c)
            continue;
        CHECK_NEAR(f->value[t->param] - c->value[t->param], t->value, 1e-9);
        if (t->param == VG_P_SSJT)
            CHECK(fabs(t->value) >= 8 && fabs(t->value) <= 12);
        else
            CHECK(t->param == VG_P_SSPS && fabs(t->value) >= 2 && fabs(t->value) <= 4);
        /* neighbours are clean, so a three-point test sees it */
        const vg_sim_line *p = sample_line(r, k - 1, NULL), *n = sample_line(r, k + 1, NULL);
        CHECK(p && n && p->faults == 0 && n->faults == 0);
        /* the SBE45 derives conductivity from what it measured */
        double c_want = vg_sw_c_from_sp_pss78(f->value[VG_P_SSPS], f->value[VG_P_SSJT], 0);
        CHECK_NEAR(f->value[VG_P_CNDC], c_want, 1e-9);
    }
    CHECK(differing_clean_samples(r, clean) == 0);
    /* the spikes do not move when other faults are added */
    o.n_garbage = 7;
    o.drift_per_day = 0.5;
    run *r2 = run_sim(o);
    CHECK(count_truth(r2, VG_SIM_FAULT_SPIKE, -2) == 12);
    for (size_t i = 0, j = 0; i < r2->n_truth; i++)
        if (r2->truth[i].fault == VG_SIM_FAULT_SPIKE) {
            while (j < r->n_truth && r->truth[j].fault != VG_SIM_FAULT_SPIKE)
                j++;
            CHECK(j < r->n_truth && r->truth[j].time == r2->truth[i].time &&
                  r->truth[j].value == r2->truth[i].value);
            j++;
        }
    run_free(r2);
    run_free(r), run_free(clean);

    /* tide gauge spikes: SLEV, 0.5 to 1 m */
    vg_sim_opts t;
    vg_sim_opts_init(&t, VG_SIM_TIDE_GAUGE);
    t.n_spikes = 10;
    r = run_sim(t);
    CHECK(count_truth(r, VG_SIM_FAULT_SPIKE, VG_P_SLEV) == 10);
    for (size_t i = 0; i < r->n_truth; i++)
        CHECK(fabs(r->truth[i].value) >= 0.5 && fabs(r->truth[i].value) <= 1.0);
    run_free(r);
}

static void test_stuck_gap(void)
{
    vg_sim_opts o = tsg_opts(1);
    run *clean = run_sim(o);
    o.stuck[0] = (vg_sim_window){10, 5}; /* samples 60..89 */
    o.n_stuck = 1;
    o.gap[0] = (vg_sim_window){20, 5}; /* samples 120..149 */
    o.n_gap = 1;
    run *r = run_sim(o);
    CHECK(count_truth(r, VG_SIM_FAULT_STUCK, -2) == 30 * 4);
    CHECK(count_truth(r, VG_SIM_FAULT_STUCK, VG_P_SSJT) == 30);
    CHECK(count_truth(r, VG_SIM_FAULT_GAP, -1) == 30);
    /* stuck: every SBE45 line of the window repeats the one before it exactly */
    const char *before = "";
    CHECK(sample_line(r, 59, &before) != NULL);
    for (int64_t k = 60; k < 90; k++) {
        const char *txt = "";
        const vg_sim_line *l = sample_line(r, k, &txt);
        CHECK(l && (l->faults & (1u << VG_SIM_FAULT_STUCK)) &&
              strcmp(body(txt), body(before)) == 0);
    }
    const char *after = "", *clean_after = "-";
    CHECK(sample_line(r, 90, &after) && sample_line(clean, 90, &clean_after));
    CHECK(strcmp(after, clean_after) == 0);
    /* truth rows of the stuck window carry the repeated value */
    for (size_t i = 0; i < r->n_truth; i++)
        if (r->truth[i].fault == VG_SIM_FAULT_STUCK && r->truth[i].param == VG_P_SSJT)
            CHECK(r->truth[i].value == sample_line(r, 59, NULL)->value[VG_P_SSJT]);
    /* gap: no line at all in [20 min, 25 min), GPS included */
    vg_time_us g0 = o.start + 1200 * VG_US_PER_S, g1 = o.start + 1500 * VG_US_PER_S;
    size_t in_gap = 0;
    for (size_t i = 0; i < r->n; i++)
        in_gap += r->info[i].time >= g0 && r->info[i].time < g1;
    CHECK(in_gap == 0);
    for (size_t i = 0; i < r->n_truth; i++)
        if (r->truth[i].fault == VG_SIM_FAULT_GAP)
            CHECK(r->truth[i].time >= g0 && r->truth[i].time < g1);
    CHECK(r->n == clean->n - 30 * 3);
    CHECK(differing_clean_samples(r, clean) == 0);
    run_free(r), run_free(clean);

    /* a tide gauge stuck: SLEV only */
    vg_sim_opts t;
    vg_sim_opts_init(&t, VG_SIM_TIDE_GAUGE);
    t.atms = true;
    t.stuck[0] = (vg_sim_window){600, 360}; /* samples 10..15 */
    t.n_stuck = 1;
    r = run_sim(t);
    CHECK(count_truth(r, VG_SIM_FAULT_STUCK, VG_P_SLEV) == 6 && r->n_truth == 6);
    for (int64_t k = 10; k < 16; k++)
        CHECK(sample_line(r, k, NULL)->value[VG_P_SLEV] ==
              sample_line(r, 9, NULL)->value[VG_P_SLEV]);
    CHECK(sample_line(r, 12, NULL)->value[VG_P_ATMS] != sample_line(r, 11, NULL)->value[VG_P_ATMS]);
    run_free(r);
}

static void test_drift_harbour(void)
{
    vg_sim_opts o = tsg_opts(2);
    o.format = VG_SIM_FMT_JSON;
    run *clean = run_sim(o);
    o.drift_per_day = 0.24;
    o.drift_start_min = 30;
    run *r = run_sim(o);
    CHECK(r->n == clean->n);
    size_t bad = 0;
    for (size_t i = 0; i < r->n; i++) {
        double t_min = (double)(r->info[i].time - o.start) / 60e6;
        double want = t_min > 30 ? 0.24 * (t_min - 30) / 1440.0 : 0;
        bad += fabs(r->info[i].value[VG_P_SSPS] - clean->info[i].value[VG_P_SSPS] - want) > 1e-9;
        bad += r->info[i].value[VG_P_SSJT] != clean->info[i].value[VG_P_SSJT];
    }
    CHECK(bad == 0);
    CHECK(count_truth(r, VG_SIM_FAULT_DRIFT, VG_P_SSPS) == 720 - 180 - 1);
    run_free(r);

    o = tsg_opts(2);
    o.harbour[0] = (vg_sim_window){40, 30};
    o.n_harbour = 1;
    r = run_sim(o);
    size_t slow_in = 0, fast_out = 0, n_in = 0, n_out = 0;
    vg_time_us h0 = o.start + 2400 * VG_US_PER_S, h1 = o.start + 4200 * VG_US_PER_S;
    for (size_t i = 0; i < r->n; i++) {
        if (r->info[i].kind != VG_SIM_LINE_RMC)
            continue;
        char sog[16];
        nmea_field(body(r->text[i]), 7, sog, sizeof sog);
        bool in = r->info[i].time >= h0 && r->info[i].time < h1;
        n_in += in;
        n_out += !in;
        slow_in += in && atof(sog) < 1.0;
        fast_out += !in && atof(sog) > 8.0;
    }
    CHECK(n_in == 180 && slow_in == n_in && fast_out == n_out);
    CHECK(count_truth(r, VG_SIM_FAULT_HARBOUR, -1) == 180);
    /* the ship hardly moves in harbour */
    const vg_sim_line *a = sample_line(r, 241, NULL), *b = sample_line(r, 419, NULL);
    CHECK(a && b && fabs(a->lat_deg - b->lat_deg) < 0.01 && fabs(a->lon_deg - b->lon_deg) < 0.01);
    run_free(r), run_free(clean);
}

static void test_all_faults(void)
{
    vg_sim_opts o = tsg_opts(6);
    vg_sim_opts_all_faults(&o);
    run *r = run_sim(o);
    CHECK(r->rc == VG_OK);
    for (int f = 0; f < VG_SIM_FAULT__COUNT; f++)
        CHECK_MSG(count_truth(r, (vg_sim_fault_kind)f, -2) > 0, "no %s", vg_sim_fault_name(f));
    CHECK(count_kind(r, VG_SIM_LINE_GARBAGE) == (size_t)o.n_garbage);
    /* the truth is in time order */
    size_t unordered = 0;
    for (size_t i = 1; i < r->n_truth; i++)
        unordered += r->truth[i].time < r->truth[i - 1].time;
    CHECK(unordered == 0);
    /* so are the lines */
    unordered = 0;
    for (size_t i = 1; i < r->n; i++)
        unordered += r->info[i].time < r->info[i - 1].time;
    CHECK(unordered == 0);
    run_free(r);

    vg_sim_opts t;
    vg_sim_opts_init(&t, VG_SIM_TIDE_GAUGE);
    vg_sim_opts_all_faults(&t);
    CHECK(t.n_harbour == 0);
    r = run_sim(t);
    CHECK(r->rc == VG_OK && count_truth(r, VG_SIM_FAULT_GAP, -1) > 0 &&
          count_truth(r, VG_SIM_FAULT_SPIKE, VG_P_SLEV) > 0);
    run_free(r);
}

/* ---- tide ------------------------------------------------------------------------ */

static void test_tide(void)
{
    vg_sim_opts t;
    vg_sim_opts_init(&t, VG_SIM_TIDE_GAUGE);
    t.duration_s = 29 * 86400.0;
    t.atms = true;
    run *r = run_sim(t);
    double sum = 0, lo = INFINITY, hi = -INFINITY, res2 = 0, pmin = INFINITY, pmax = -INFINITY;
    for (size_t i = 0; i < r->n; i++) {
        double h = r->info[i].value[VG_P_SLEV];
        sum += h;
        lo = fmin(lo, h);
        hi = fmax(hi, h);
        double res = h - t.mean_level_m - vg_sim_tide_astro_m(r->info[i].time);
        res2 += res * res;
        pmin = fmin(pmin, r->info[i].value[VG_P_ATMS]);
        pmax = fmax(pmax, r->info[i].value[VG_P_ATMS]);
    }
    double mean = sum / (double)r->n, amp = vg_sim_tide_amplitude_sum_m();
    CHECK_NEAR(amp, 0.88, 1e-12);
    CHECK_NEAR(mean, 1.5, 0.05);
    /* range: at spring tides M2 + S2 add up (1.36 m peak to peak); never beyond all four
     * constituents plus the surge */
    CHECK_MSG(hi - lo > 2 * (0.50 + 0.18) * 0.9 && hi - lo < 2 * amp + 0.5, "range %g", hi - lo);
    CHECK_MSG(sqrt(res2 / (double)r->n) < 0.15, "residual rms %g", sqrt(res2 / (double)r->n));
    CHECK(pmin > 960 && pmax < 1060);
    run_free(r);

    /* the astronomical tide stays within the sum of the amplitudes */
    vg_time_us t0 = t.start;
    double max_abs = 0;
    for (int i = 0; i < 24 * 60; i++)
        max_abs = fmax(max_abs, fabs(vg_sim_tide_astro_m(t0 + i * 60 * VG_US_PER_S)));
    CHECK(max_abs <= 0.88 && max_abs > 0.4);
}

/* ---- errors ------------------------------------------------------------------------- */

static void test_errors(void)
{
    vg_sim_opts o;
    vg_sim *sim = NULL;
    vg_errinfo err;

    vg_sim_opts_init(&o, VG_SIM_TIDE_GAUGE);
    o.format = VG_SIM_FMT_RAW;
    CHECK(vg_sim_create(&o, &sim, &err) == VG_ERR_INVAL && sim == NULL);
    CHECK(strstr(err.text, "raw") != NULL);

    vg_sim_opts_init(&o, VG_SIM_TIDE_GAUGE);
    o.harbour[0] = (vg_sim_window){10, 10};
    o.n_harbour = 1;
    CHECK(vg_sim_create(&o, &sim, &err) == VG_ERR_INVAL);

    vg_sim_opts_init(&o, VG_SIM_TSG);
    o.gap[0] = (vg_sim_window){400, 10}; /* after the 6 h record */
    o.n_gap = 1;
    CHECK(vg_sim_create(&o, &sim, &err) == VG_ERR_RANGE && strstr(err.text, "--gap"));

    vg_sim_opts_init(&o, VG_SIM_TSG);
    o.duration_s = 100;
    o.n_spikes = 3; /* 10 samples cannot hold 3 isolated spikes */
    CHECK(vg_sim_create(&o, &sim, &err) == VG_ERR_RANGE && strstr(err.text, "--spike"));

    vg_sim_opts_init(&o, VG_SIM_TSG);
    o.interval_s = 0.001;
    CHECK(vg_sim_create(&o, &sim, &err) == VG_ERR_RANGE);
    vg_sim_opts_init(&o, VG_SIM_TSG);
    snprintf(o.platform, sizeof o.platform, "bad id");
    CHECK(vg_sim_create(&o, &sim, &err) == VG_ERR_INVAL);
    vg_sim_opts_init(&o, VG_SIM_TSG);
    o.lat_deg = 91;
    CHECK(vg_sim_create(&o, &sim, &err) == VG_ERR_RANGE);
    vg_sim_opts_init(&o, VG_SIM_TSG);
    o.gap[0] = (vg_sim_window){0, 360}; /* everything lost: no garbage can be placed */
    o.n_gap = 1;
    o.n_garbage = 1;
    CHECK(vg_sim_create(&o, &sim, &err) == VG_ERR_RANGE && strstr(err.text, "--garbage"));

    vg_sim_opts_init(&o, VG_SIM_TSG);
    o.duration_s = 20;
    CHECK(vg_sim_create(&o, &sim, &err) == VG_OK);
    char small[16], buf[VG_SIM_LINE_MAX];
    CHECK(vg_sim_next(sim, small, sizeof small, NULL) == VG_ERR_INVAL);
    int n = 0;
    while (vg_sim_next(sim, buf, sizeof buf, NULL) == VG_OK)
        n++;
    CHECK(n == 6);
    CHECK(vg_sim_next(sim, buf, sizeof buf, NULL) == VG_ERR_NOTFOUND);
    CHECK_STR(vg_sim_options(sim)->platform, "SIMTSG");
    vg_sim_free(sim);
    vg_sim_free(NULL);
    CHECK(vg_sim_fault_name(VG_SIM_FAULT__COUNT) == NULL);
    CHECK_STR(vg_sim_fault_name(VG_SIM_FAULT_HARBOUR), "harbour");
}

/* ---- through the real parsers ----------------------------------------------------------- */

static void parse_all(const run *r, const char *format, const char *platform)
{
    const vg_parser_ops *ops = vg_parser_find(format);
    if (!ops) {
        printf("SKIP: parser %s not linked\n", format);
        return;
    }
    vg_ingest_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.format = (char *)format;
    snprintf(cfg.platform, sizeof cfg.platform, "%s", platform);
    cfg.fix_max_age_s = 10;
    void *st = NULL;
    vg_errinfo err;
    CHECK(ops->create(&cfg, &st, &err) == VG_OK);
    size_t samples = 0, good_fail = 0, garbage_ok = 0, with_pos = 0;
    for (size_t i = 0; i < r->n; i++) {
        vg_sample s;
        bool produced = false;
        vg_err rc = ops->parse_line(st, r->text[i], r->info[i].len, r->info[i].time, &s,
                                    &produced, &err);
        if (r->info[i].kind == VG_SIM_LINE_GARBAGE) {
            garbage_ok += rc == VG_OK && produced;
            continue;
        }
        if (rc != VG_OK) {
            if (good_fail++ < 3)
                fprintf(stderr, "%s: '%s': %s\n", format, r->text[i], err.text);
            continue;
        }
        if (produced) {
            samples++;
            with_pos += !isnan(s.lat_deg);
            if (s.time != r->info[i].time || strcmp(s.platform, platform) != 0)
                good_fail++;
        }
    }
    CHECK_MSG(good_fail == 0, "%s: %zu good lines rejected", format, good_fail);
    CHECK_MSG(garbage_ok == 0, "%s: %zu garbage lines accepted", format, garbage_ok);
    CHECK(samples == count_kind(r, VG_SIM_LINE_SBE45) + count_kind(r, VG_SIM_LINE_JSON));
    CHECK(with_pos == samples);
    ops->destroy(st);
}

static void test_parsers(void)
{
    vg_sim_opts o = tsg_opts(3);
    vg_sim_opts_all_faults(&o);
    o.n_garbage = 60;
    run *r = run_sim(o);
    parse_all(r, "sbe45_nmea", "SIMTSG");
    run_free(r);
    o.format = VG_SIM_FMT_JSON;
    r = run_sim(o);
    parse_all(r, "json", "SIMTSG");
    run_free(r);
    vg_sim_opts t;
    vg_sim_opts_init(&t, VG_SIM_TIDE_GAUGE);
    vg_sim_opts_all_faults(&t);
    t.atms = true;
    r = run_sim(t);
    parse_all(r, "json", "SIMTIDE");
    run_free(r);
}

int main(void)
{
    test_seawater();
    test_determinism();
    test_nmea();
    test_counts();
    test_spikes();
    test_stuck_gap();
    test_drift_harbour();
    test_all_faults();
    test_tide();
    test_errors();
    test_parsers();
    return check_summary();
}
