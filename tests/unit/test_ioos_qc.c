/* test_ioos_qc.c: vigie reading ioos_qc configuration files unchanged (qc/ioos_qc.c): the
 * layouts of ioos_qc's documentation (variable-keyed, one context with streams:, a contexts:
 * list, a bare qartod: stream) written to a temp dir, the resulting steps and options checked
 * exactly, the flags of a short series equal to the same chain written natively, and the
 * errors ("FILE:LINE: reason") of what vigie refuses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "qc_cases.h"
#include "core/config.h"
#include "core/flags.h"
#include "core/log.h"
#include "qc/plan.h"
#include "qc/qclim.h"
#include "qc/stream.h"
#include "qc/test.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];
static const vg_time_us t0 = 1768435200 * VG_US_PER_S; /* 2026-01-15T00:00:00Z */

static const char *head =
    "storage: {path: /tmp/unused}\n"
    "platforms:\n  - {id: MOOR, kind: mooring, interval_s: 60, parameters: [TEMP, PSAL]}\n"
    "qc:\n  chains:\n    mooring:";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        exit(1);
    fputs(text, f);
    fclose(f);
}

/* Build the plan of head + chain, the config named DIR/vigie.yaml. Returns the error code;
 * on success *cfg and *plan are set (free them). */
static vg_err build(const char *chain, vg_config **cfg, vg_qc_plan **plan, vg_errinfo *err)
{
    char text[4096], name[128];
    snprintf(text, sizeof text, "%s%s", head, chain);
    snprintf(name, sizeof name, "%s/vigie.yaml", dir);
    *cfg = NULL;
    *plan = NULL;
    vg_err rc = vg_config_load_string(text, strlen(text), name, cfg, err);
    if (rc == VG_OK)
        rc = vg_qc_plan_build(*cfg, plan, err);
    if (rc != VG_OK) {
        vg_config_free(*cfg);
        *cfg = NULL;
    }
    return rc;
}

static const vg_qc_chain *build_ok(const char *chain, vg_config **cfg, vg_qc_plan **plan)
{
    vg_errinfo err;
    if (build(chain, cfg, plan, &err) != VG_OK) {
        CHECK_MSG(0, "%s", err.text);
        return NULL;
    }
    return &(*plan)->chains[VG_KIND_MOORING];
}

static void release(vg_config *cfg, vg_qc_plan *plan)
{
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

/* The step of test `name` in ch, or NULL. */
static const vg_qc_step *step(const vg_qc_chain *ch, const char *name)
{
    for (size_t i = 0; ch && i < ch->n_steps; i++)
        if (!strcmp(ch->steps[i].test->name, name))
            return &ch->steps[i];
    return NULL;
}

static int same_opts(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(a[i] == b[i]))
            return 0;
    return 1;
}

/* ---- layouts --------------------------------------------------------------------------- */

/* Variable-keyed, names by CF standard name and by code, every mapped test and option. */
static void test_variable_keyed(void)
{
    write_file("vk.yaml",
               "sea_water_temperature:\n"
               "  qartod:\n"
               "    aggregate:\n"
               "    gross_range_test:\n"
               "      suspect_span: [1, 11]\n"
               "      fail_span: [0, 12]\n"
               "    spike_test: {suspect_threshold: 0.5, fail_threshold: 1.0, method: differential}\n"
               "    rate_of_change_test: {threshold: 0.01}\n"
               "    flat_line_test: {tolerance: 0.001, suspect_threshold: 10800, fail_threshold: 21600}\n"
               "    attenuated_signal_test:\n"
               "      suspect_threshold: 0.05\n"
               "      fail_threshold: 0.01\n"
               "      test_period: 43200\n"
               "      check_type: range\n"
               "      min_obs: 5\n"
               "    location_test: {bbox: [-80, 40, -70, 60], range_max: null}\n"
               "PSAL:\n"
               "  qartod:\n"
               "    gross_range_test: {fail_span: [2, 42]}\n"
               "    location_test:\n"
               "      bbox: [-80, 40, -70, 60]\n");
    vg_config *cfg;
    vg_qc_plan *plan;
    const vg_qc_chain *ch = build_ok(" {ioos_qc: vk.yaml}\n", &cfg, &plan);
    if (!ch)
        return;
    CHECK(ch->n_steps == 6);
    static const char *const order[] = {"qartod_gross_range", "qartod_spike",
                                        "qartod_rate_of_change", "qartod_flat_line",
                                        "qartod_attenuated_signal", "qartod_location"};
    for (size_t i = 0; i < N_(order) && i < ch->n_steps; i++) {
        CHECK_STR(ch->steps[i].test->name, order[i]);
        CHECK(ch->steps[i].line == 6); /* the line of {ioos_qc: ...} in vigie.yaml */
    }
    const uint32_t temps = VG_PARAM_BIT(VG_P_TEMP) | VG_PARAM_BIT(VG_P_SSJT);
    const vg_qc_step *s = step(ch, "qartod_gross_range");
    CHECK(s && s->params == (temps | VG_PARAM_BIT(VG_P_PSAL)));
    CHECK(s && same_opts(s->opts[VG_P_TEMP], (double[]){0, 12, 1, 11}, 4));
    CHECK(s && same_opts(s->opts[VG_P_SSJT], (double[]){0, 12, 1, 11}, 4));
    CHECK(s && same_opts(s->opts[VG_P_PSAL], (double[]){2, 42, -1e9, 1e9}, 4));
    s = step(ch, "qartod_spike");
    CHECK(s && s->params == temps && same_opts(s->opts[VG_P_TEMP], (double[]){0.5, 1, 1}, 3));
    s = step(ch, "qartod_rate_of_change");
    CHECK(s && s->params == temps && s->opts[VG_P_TEMP][0] == 0.01);
    s = step(ch, "qartod_flat_line");
    CHECK(s && same_opts(s->opts[VG_P_TEMP], (double[]){10800, 21600, 0.001}, 3));
    s = step(ch, "qartod_attenuated_signal");
    CHECK(s && same_opts(s->opts[VG_P_TEMP], (double[]){0.05, 0.01, 43200, 1, 5}, 5));
    s = step(ch, "qartod_location");
    CHECK(s && s->params == 0 &&
          same_opts(s->opts[0], (double[]){-80, 40, -70, 60, 0}, 5)); /* range_max: null */
    release(cfg, plan);
}

/* One context (ioos_qc's ContextConfig) with region: null and an open window; a `contexts:`
 * list of global contexts; `variables:` naming; a bare `qartod:` stream (QcConfig). */
static void test_contexts(void)
{
    write_file("ctx.yaml",
               "region: null\n"
               "window:\n"
               "    starting: null\n"
               "    ending: null\n"
               "streams:\n"
               "    variable1:\n"
               "        qartod:\n"
               "            location_test:\n"
               "                bbox: [-80, 40, -70, 60]\n"
               "    variable2:\n"
               "        qartod:\n"
               "            gross_range_test:\n"
               "                suspect_span: [1, 11]\n"
               "                fail_span: [0, 12]\n");
    write_file("ctxs.yaml",
               "contexts:\n"
               "    -   region: null\n"
               "        streams:\n"
               "            variable1:\n"
               "                qartod:\n"
               "                    gross_range_test: {suspect_span: [3, 4], fail_span: [2, 5]}\n"
               "    -   window: {}\n"
               "        streams:\n"
               "            variable2:\n"
               "                qartod:\n"
               "                    aggregate:\n"
               "                    gross_range_test: {suspect_span: [23, 24], fail_span: [22, 25]}\n");
    write_file("qc.yaml",
               "qartod:\n"
               "    gross_range_test: {suspect_span: [1, 11], fail_span: [0, 12]}\n"
               "    spike_test: {suspect_threshold: 0.8, fail_threshold: 3}\n");
    vg_config *cfg;
    vg_qc_plan *plan;
    const vg_qc_chain *ch =
        build_ok("\n      ioos_qc: ctx.yaml\n      variables: {variable1: TEMP, variable2: PSAL}\n",
                 &cfg, &plan);
    if (ch) {
        CHECK(ch->n_steps == 2 && ch->steps[0].test->id == 22 && ch->steps[1].test->id == 16);
        CHECK(same_opts(ch->steps[0].opts[0], (double[]){-80, 40, -70, 60}, 4));
        CHECK(ch->steps[1].params == VG_PARAM_BIT(VG_P_PSAL));
        CHECK(same_opts(ch->steps[1].opts[VG_P_PSAL], (double[]){0, 12, 1, 11}, 4));
        release(cfg, plan);
    }
    ch = build_ok("\n      ioos_qc: ctxs.yaml\n      variables: {variable1: TEMP, variable2: PSAL}\n",
                  &cfg, &plan);
    if (ch) {
        CHECK(ch->n_steps == 1 && ch->steps[0].test->id == 16);
        CHECK(ch->steps[0].params == (VG_PARAM_BIT(VG_P_TEMP) | VG_PARAM_BIT(VG_P_PSAL)));
        CHECK(same_opts(ch->steps[0].opts[VG_P_TEMP], (double[]){2, 5, 3, 4}, 4));
        CHECK(same_opts(ch->steps[0].opts[VG_P_PSAL], (double[]){22, 25, 23, 24}, 4));
        release(cfg, plan);
    }
    ch = build_ok(" {ioos_qc: qc.yaml, variables: {_stream: TEMP}}\n", &cfg, &plan);
    if (ch) {
        CHECK(ch->n_steps == 2 && ch->steps[1].test->id == 17);
        CHECK(ch->steps[1].params == VG_PARAM_BIT(VG_P_TEMP));
        CHECK(same_opts(ch->steps[1].opts[VG_P_TEMP], (double[]){0.8, 3, 0}, 3));
        release(cfg, plan);
    }
    /* an absolute path */
    char chain[256];
    snprintf(chain, sizeof chain, " {ioos_qc: %s/qc.yaml, variables: {_stream: PSAL}}\n", dir);
    ch = build_ok(chain, &cfg, &plan);
    if (ch) {
        CHECK(ch->n_steps == 2 && ch->steps[0].params == VG_PARAM_BIT(VG_P_PSAL));
        release(cfg, plan);
    }
}

/* `- ioos_qc: FILE` inside a native list: the file's steps are inserted there. */
static void test_mixed(void)
{
    write_file("mix.yaml", "TEMP:\n  qartod:\n    spike_test: {suspect_threshold: 0.5, fail_threshold: 1}\n"
                           "    rate_of_change_test: {threshold: 0.01}\n");
    vg_config *cfg;
    vg_qc_plan *plan;
    const vg_qc_chain *ch = build_ok("\n"
                                     "      - test: impossible_date\n"
                                     "      - ioos_qc: mix.yaml\n"
                                     "      - test: qartod_time_gap\n"
                                     "        options: {max_gap_s: 120}\n",
                                     &cfg, &plan);
    if (ch) {
        CHECK(ch->n_steps == 4);
        CHECK(ch->n_steps == 4 && !strcmp(ch->steps[0].test->name, "impossible_date") &&
              ch->steps[1].test->id == 17 && ch->steps[2].test->id == 18 &&
              ch->steps[3].test->id == 21);
        CHECK(ch->steps[1].line == 8 && ch->steps[2].line == 8 && ch->steps[3].line == 9);
        release(cfg, plan);
    }
}

/* ---- same flags as the native chain ---------------------------------------------------- */

typedef struct sink {
    vg_sample out[32];
    int n;
} sink;

static void collect(void *ctx, const vg_sample *s)
{
    sink *k = ctx;
    if (k->n < 32)
        k->out[k->n++] = *s;
}

static int run(const char *chain, sink *k)
{
    vg_config *cfg;
    vg_qc_plan *plan;
    vg_errinfo err;
    if (!build_ok(chain, &cfg, &plan))
        return 0;
    vg_qc_stream *st;
    if (vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) != VG_OK) {
        CHECK_MSG(0, "%s", err.text);
        release(cfg, plan);
        return 0;
    }
    const double ts[] = {0, 60, 120, 180, 240, 300, 360, 420, 480, 680, 1680, 1740, 1800};
    const double xs[] = {10, 10.2, 13, 10.2, 10.25, 10.3, NAN, 10.3, 10.3, 31, 10, 10, 10};
    k->n = 0;
    for (size_t i = 0; i < N_(ts); i++) {
        vg_sample s;
        vg_sample_init(&s);
        vg_sample_set_platform(&s, "MOOR", 4);
        s.time = t0 + (vg_time_us)llround(ts[i] * 1e6);
        s.lat_deg = 43.0, s.lon_deg = i == 12 ? -1 : 5.0;
        vg_sample_set(&s, VG_P_TEMP, xs[i]);
        vg_sample_set(&s, VG_P_PSAL, 38.0 + (i == 4 ? 3 : 0));
        CHECK(vg_qc_stream_push(st, &s, 0, collect, k, &err) == VG_OK);
    }
    vg_qc_stream_flush(st, collect, k);
    vg_qc_stream_free(st);
    release(cfg, plan);
    return k->n == (int)N_(ts);
}

static void test_same_flags(void)
{
    write_file("flags.yaml",
               "contexts:\n"
               "  - streams:\n"
               "      sea_water_temperature:\n"
               "        qartod:\n"
               "          gross_range_test: {fail_span: [-2.5, 40], suspect_span: [0, 30]}\n"
               "          spike_test: {suspect_threshold: 0.5, fail_threshold: 1}\n"
               "          rate_of_change_test: {threshold: 0.01}\n"
               "          flat_line_test: {tolerance: 0.01, suspect_threshold: 180, fail_threshold: 300}\n"
               "          attenuated_signal_test: {suspect_threshold: 0.05, fail_threshold: 0.001, test_period: 600}\n"
               "          location_test: {bbox: [0, 40, 10, 50]}\n"
               "      sea_water_practical_salinity:\n"
               "        qartod:\n"
               "          gross_range_test: {fail_span: [2, 42], suspect_span: [30, 40]}\n");
    static const char *native =
        "\n"
        "      - test: qartod_gross_range\n"
        "        parameters:\n"
        "          TEMP: {fail_min: -2.5, fail_max: 40, suspect_min: 0, suspect_max: 30}\n"
        "          PSAL: {fail_min: 2, fail_max: 42, suspect_min: 30, suspect_max: 40}\n"
        "      - test: qartod_spike\n        parameters: {TEMP: {suspect_threshold: 0.5, fail_threshold: 1}}\n"
        "      - test: qartod_rate_of_change\n        parameters: {TEMP: {threshold: 0.01}}\n"
        "      - test: qartod_flat_line\n"
        "        parameters: {TEMP: {suspect_threshold_s: 180, fail_threshold_s: 300, tolerance: 0.01}}\n"
        "      - test: qartod_attenuated_signal\n"
        "        parameters: {TEMP: {suspect_threshold: 0.05, fail_threshold: 0.001, period_s: 600}}\n"
        "      - test: qartod_location\n        options: {lon_min: 0, lat_min: 40, lon_max: 10, lat_max: 50}\n";
    static sink a, b;
    if (!run(" {ioos_qc: flags.yaml}\n", &a) || !run(native, &b))
        return;
    int diffs = 0, nonpass = 0;
    for (int i = 0; i < a.n; i++) {
        for (int p = 0; p < VG_P__COUNT; p++) {
            diffs += memcmp(&a.out[i].qc[p], &b.out[i].qc[p], sizeof a.out[i].qc[p]) != 0;
            nonpass += a.out[i].qc[p].agg == 3 || a.out[i].qc[p].agg == 4;
        }
        diffs += memcmp(&a.out[i].pos_qc, &b.out[i].pos_qc, sizeof a.out[i].pos_qc) != 0;
        diffs += memcmp(&a.out[i].time_qc, &b.out[i].time_qc, sizeof a.out[i].time_qc) != 0;
    }
    CHECK_MSG(diffs == 0, "%d flag sets differ", diffs);
    CHECK(nonpass > 3); /* the series does fail some tests */
    CHECK(a.out[2].qc[VG_P_TEMP].test[17] == 4 && a.out[9].qc[VG_P_TEMP].test[16] == 3);
    CHECK(a.out[4].qc[VG_P_PSAL].test[16] == 3 && a.out[12].pos_qc.test[22] == 4);
}

/* ---- errors ---------------------------------------------------------------------------- */

static void test_errors(void)
{
    write_file("restricted.yaml",
               "contexts:\n"
               "    -   region: null\n"
               "        window:\n"
               "            starting: 2020-04-01T00:00:00Z\n"
               "            ending: 2020-01-01T00:00:00Z\n"
               "        streams:\n"
               "            TEMP: {qartod: {gross_range_test: {fail_span: [0, 1]}}}\n");
    write_file("twoglobal.yaml", "PSAL:\n  qartod:\n    gross_range_test: {fail_span: [0, 1]}\n");
    write_file("badtime.yaml",
               "window:\n  starting: soon\n"
               "streams:\n  TEMP: {qartod: {gross_range_test: {fail_span: [0, 1]}}}\n");
    write_file("ring.yaml",
               "region:\n  geometry: {type: Polygon, coordinates: [[[0, 0], [1, 1]]]}\n"
               "streams:\n  TEMP: {qartod: {gross_range_test: {fail_span: [0, 1]}}}\n");
    write_file("region.yaml",
               "region: {type: Feature, geometry: {type: Point, coordinates: [0, 0]}}\n"
               "streams:\n  TEMP: {qartod: {gross_range_test: {fail_span: [0, 1]}}}\n");
    write_file("clim.yaml",
               "TEMP:\n  qartod:\n    gross_range_test: {fail_span: [0, 1]}\n"
               "    climatology_test:\n      config: []\n");
    write_file("density.yaml",
               "TEMP:\n  qartod:\n    gross_range_test: {fail_span: [0, 1]}\n"
               "    density_inversion_test: {suspect_threshold: -0.01}\n");
    write_file("period.yaml",
               "TEMP:\n  qartod:\n    climatology_test:\n      config:\n"
               "        - {tspan: [1, 3], vspan: [0, 1], period: fortnight}\n");
    write_file("dates.yaml",
               "TEMP:\n  qartod:\n    climatology_test:\n      config:\n"
               "        - {tspan: [0, 3], vspan: [0, 1]}\n");
    write_file("argo.yaml",
               "TEMP:\n  argo:\n    pressure_increasing_test: {}\n"
               "  qartod:\n    gross_range_test: {fail_span: [0, 1]}\n");
    write_file("var.yaml", "TEMP:\n  qartod:\n    gross_range_test: {fail_span: [0, 1]}\n"
                           "oxygen:\n  qartod:\n    gross_range_test: {fail_span: [0, 1]}\n");
    write_file("syntax.yaml", "TEMP:\n  qartod:\n    gross_range_test: {fail_span: [0, 1]\n"
                              "    spike_test: x\n");
    write_file("spike.yaml", "TEMP:\n  qartod:\n    spike_test:\n      suspect_threshold: 1\n");
    write_file("method.yaml", "TEMP:\n  qartod:\n    spike_test:\n      suspect_threshold: 1\n"
                              "      fail_threshold: 2\n      method: median\n");
    write_file("rmax.yaml", "TEMP:\n  qartod:\n    location_test: {bbox: [0, 0, 1, 1], range_max: -3}\n");
    write_file("bbox.yaml", "TEMP:\n  qartod:\n    location_test: {bbox: [0, 0, 1, 1]}\n"
                            "PSAL:\n  qartod:\n    location_test: {bbox: [0, 0, 2, 2]}\n");
    write_file("span.yaml", "TEMP:\n  qartod:\n    gross_range_test: {fail_span: [0, 1, 2]}\n");
    write_file("kw.yaml", "TEMP:\n  qartod:\n    rate_of_change_test: {threshold: 1, tresh: 2}\n");
    write_file("range.yaml", "TEMP:\n  qartod:\n    flat_line_test: {tolerance: 0.1, suspect_threshold: 0, fail_threshold: 10}\n");
    write_file("att.yaml", "TEMP:\n  qartod:\n    attenuated_signal_test: {suspect_threshold: 1, fail_threshold: 0.5}\n");
    write_file("twice.yaml", "TEMP:\n  qartod:\n    gross_range_test: {fail_span: [0, 1]}\n"
                             "sea_water_temperature:\n  qartod:\n    gross_range_test: {fail_span: [0, 2]}\n");
    write_file("none.yaml", "TEMP:\n  qartod:\n    aggregate:\n");
    write_file("stream.yaml", "qartod:\n  gross_range_test: {fail_span: [0, 1]}\n");
    write_file("dup.yaml", "TEMP:\n  qartod:\n    spike_test: {suspect_threshold: 1, fail_threshold: 2}\n");
    static const struct { const char *chain; vg_err rc; const char *want; } cases[] = {
        {" {ioos_qc: restricted.yaml}\n", VG_ERR_CONFIG,
         "/restricted.yaml:4: window.ending must be after window.starting"},
        {" {ioos_qc: region.yaml}\n", VG_ERR_CONFIG,
         "/region.yaml:1: a region geometry must be a GeoJSON Polygon or MultiPolygon with "
         "coordinates (found Point)"},
        {" {ioos_qc: badtime.yaml}\n", VG_ERR_CONFIG,
         "/badtime.yaml:2: window.starting must be an ISO 8601 time or null, not 'soon'"},
        {" {ioos_qc: ring.yaml}\n", VG_ERR_CONFIG,
         "/ring.yaml:2: a region ring must be a list of at least 3 [lon, lat] positions"},
        {"\n      - test: qartod_gross_range\n        parameters: {TEMP: {fail_min: 0, fail_max: 1}}\n"
         "      - ioos_qc: twoglobal.yaml\n", VG_ERR_CONFIG,
         "vigie.yaml:9: test qartod_gross_range already in this chain (line 7)"},
        {" {ioos_qc: clim.yaml}\n", VG_ERR_CONFIG,
         "/clim.yaml:5: the climatology windows must be a non-empty list"},
        {" {ioos_qc: density.yaml}\n", VG_ERR_CONFIG,
         "/density.yaml:4: ioos_qc test qartod 'density_inversion_test' is not in vigie"},
        {" {ioos_qc: period.yaml}\n", VG_ERR_CONFIG,
         "/period.yaml:5: period 'fortnight' is not one vigie knows"},
        {" {ioos_qc: dates.yaml}\n", VG_ERR_CONFIG,
         "/dates.yaml:5: tspan without 'period:' takes two ISO 8601 dates, not '0'"},
        {" {ioos_qc: argo.yaml}\n", VG_ERR_CONFIG,
         "/argo.yaml:2: ioos_qc module 'argo' is not in vigie"},
        {" {ioos_qc: var.yaml}\n", VG_ERR_CONFIG,
         "/var.yaml:4: variable 'oxygen' is neither a vigie parameter code nor a CF standard "
         "name vigie knows: map it with 'variables: {oxygen: CODE}'"},
        {" {ioos_qc: syntax.yaml}\n", VG_ERR_CONFIG, "/syntax.yaml:4: "},
        {" {ioos_qc: spike.yaml}\n", VG_ERR_CONFIG,
         "/spike.yaml:4: spike_test needs 'fail_threshold' in vigie"},
        {" {ioos_qc: method.yaml}\n", VG_ERR_CONFIG,
         "/method.yaml:6: spike_test.method must be 'average' or 'differential'"},
        {" {ioos_qc: rmax.yaml}\n", VG_ERR_CONFIG,
         "/rmax.yaml:3: location_test.range_max = -3 is outside 0..4.1e+07"},
        {" {ioos_qc: bbox.yaml}\n", VG_ERR_CONFIG,
         "/bbox.yaml:6: location_test of 'PSAL' differs from an earlier one"},
        {" {ioos_qc: span.yaml}\n", VG_ERR_CONFIG,
         "/span.yaml:3: gross_range_test.fail_span must be a list of 2 numbers"},
        {" {ioos_qc: kw.yaml}\n", VG_ERR_CONFIG,
         "/kw.yaml:3: rate_of_change_test has no argument 'tresh' that vigie knows"},
        {" {ioos_qc: range.yaml}\n", VG_ERR_CONFIG,
         "/range.yaml:3: flat_line_test.suspect_threshold = 0 is outside 1..2.6784e+06"},
        {" {ioos_qc: att.yaml}\n", VG_ERR_CONFIG,
         "/att.yaml:3: attenuated_signal_test needs 'test_period' in vigie"},
        {" {ioos_qc: twice.yaml}\n", VG_ERR_CONFIG,
         "/twice.yaml:6: gross_range_test for TEMP (variable 'sea_water_temperature') is given twice"},
        {" {ioos_qc: none.yaml}\n", VG_ERR_CONFIG,
         "/none.yaml:1: no test of this ioos_qc configuration runs in vigie"},
        {" {ioos_qc: stream.yaml}\n", VG_ERR_CONFIG,
         "/stream.yaml:1: variable '_stream' is neither"},
        {" {ioos_qc: absent.yaml}\n", VG_ERR_IO,
         "/vigie.yaml:6: cannot read the ioos_qc configuration "},
        {" {ioos_qc: dup.yaml, variables: {TEMP: XXXX}}\n", VG_ERR_CONFIG,
         "/vigie.yaml:6: variables: 'XXXX' is not a vigie parameter code"},
        {" {ioos_qc: dup.yaml, skip: true}\n", VG_ERR_CONFIG,
         "/vigie.yaml:6: unknown key 'skip' with ioos_qc (ioos_qc, variables, skip_unknown)"},
        {" {ioos_qc: dup.yaml, skip_unknown: maybe}\n", VG_ERR_CONFIG,
         "/vigie.yaml:6: skip_unknown must be true or false"},
        {" {variables: {}}\n", VG_ERR_CONFIG,
         "/vigie.yaml:6: a chain must be a list of steps or {ioos_qc: FILE}"},
        {"\n      - test: qartod_spike\n        parameters: {TEMP: {suspect_threshold: 1, fail_threshold: 2}}\n"
         "      - ioos_qc: dup.yaml\n", VG_ERR_CONFIG,
         "/vigie.yaml:9: test qartod_spike already in this chain (line 7)"},
    };
    for (size_t i = 0; i < N_(cases); i++) {
        vg_config *cfg;
        vg_qc_plan *plan;
        vg_errinfo err;
        vg_err rc = build(cases[i].chain, &cfg, &plan, &err);
        CHECK_MSG(rc == cases[i].rc, "case %zu: rc %d", i, rc);
        if (rc == VG_OK) {
            release(cfg, plan);
            continue;
        }
        CHECK_MSG(strstr(err.text, cases[i].want) != NULL, "case %zu: '%s', want '%s'", i,
                  err.text, cases[i].want);
        CHECK_MSG(strncmp(err.text, dir, strlen(dir)) == 0, "case %zu: '%s' names no file", i,
                  err.text);
    }
    /* skip_unknown: the unknown test and module are skipped, the rest is read */
    vg_log_set_level(VG_LOG_ERROR); /* the warnings would clutter the test's output */
    vg_config *cfg;
    vg_qc_plan *plan;
    const vg_qc_chain *ch = build_ok(" {ioos_qc: density.yaml, skip_unknown: true}\n", &cfg, &plan);
    if (ch) {
        CHECK(ch->n_steps == 1 && ch->steps[0].test->id == 16);
        release(cfg, plan);
    }
    ch = build_ok(" {ioos_qc: argo.yaml, skip_unknown: yes}\n", &cfg, &plan);
    if (ch) {
        CHECK(ch->n_steps == 1 && ch->steps[0].params == VG_PARAM_BIT(VG_P_TEMP));
        release(cfg, plan);
    }
    vg_log_set_level(VG_LOG_INFO);
}

/* climatology_test: the windows of ioos_qc's documentation (a month period, a dates span,
 * a depth span, an fspan), read into the plan's tables, and the flags they give through
 * the stream engine; location_test's range_max. */
static vg_sample mk_sample(double t_s, double v)
{
    return qc_case_sample(t0, t_s, 45.0, 5.0, v);
}

static void test_climatology(void)
{
    write_file("climatology.yaml",
               "TEMP:\n"
               "  qartod:\n"
               "    climatology_test:\n"
               "      config:\n"
               "        - vspan: [10, 20]\n"
               "          tspan: [0, 1]\n"
               "          period: month\n"
               "        - {vspan: [12, 18], fspan: [5, 25], tspan: [2, 12], period: month}\n"
               "        - {vspan: [1, 2], tspan: [1, 12], period: month, zspan: [0, 50]}\n"
               "        - {vspan: [0, 100], tspan: ['2026-03-01', '2026-03-31T23:59:59Z']}\n"
               "    location_test: {bbox: [-10, 40, 10, 50], range_max: 100000}\n");
    vg_config *cfg;
    vg_qc_plan *plan;
    const vg_qc_chain *ch = build_ok(" {ioos_qc: climatology.yaml}\n", &cfg, &plan);
    if (!ch)
        return;
    const vg_qc_step *s = step(ch, "qartod_climatology");
    CHECK(s && s->params == VG_PARAM_BIT(VG_P_TEMP) && s->opts[VG_P_TEMP][0] == 0);
    CHECK(plan->qclim.n == 1 && plan->qclim.t[0]->n == 4);
    if (plan->qclim.n == 1 && plan->qclim.t[0]->n == 4) {
        const vg_qclim_window *w = plan->qclim.t[0]->w;
        CHECK(w[0].period == VG_QCLIM_MONTH && w[0].t_lo == 0 && w[0].t_hi == 1 &&
              w[0].v_lo == 10 && w[0].v_hi == 20 && isnan(w[0].f_lo) && isnan(w[0].z_lo));
        CHECK(w[1].f_lo == 5 && w[1].f_hi == 25);
        CHECK(w[2].z_lo == 0 && w[2].z_hi == 50);
        CHECK(w[3].period == VG_QCLIM_DATES && w[3].d_lo == 1772323200 * VG_US_PER_S &&
              w[3].d_hi == 1775001599 * VG_US_PER_S);
    }
    s = step(ch, "qartod_location");
    CHECK(s && s->opts[0][4] == 100000);
    vg_qc_stream *st;
    vg_errinfo err;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) == VG_OK);
    /* t0 is 2026-01-15: month 1 (window 0); +60 days is 2026-03-16 (windows 1 and 3, the
     * dates window last: it wins); +150 days is 2026-06-14 (windows 1 and 2). */
    static const struct { double t_s, v, pres, lat; int clim, loc; } cases[] = {
        {0, 15, NAN, 45, 1, 1},      /* January, inside vspan */
        {60, 21, NAN, 45, 3, 1},     /* outside [10, 20] */
        {120, 9.99, NAN, 45.5, 3, 1},  /* 55.6 km from the previous position */
        {180, 15, 10, 46.5, 3, 3},   /* 111 km; has a depth: only window 2 (zspan), [1, 2] */
        {60 * 86400., 50, NAN, 46.5, 1, 1}, /* March: window 1 fails it, window 3 passes it */
        {150 * 86400., 30, NAN, 46.5, 4, 1},      /* June: outside fspan */
        {150 * 86400. + 60, 20, NAN, 46.5, 3, 1},  /* outside vspan, inside fspan */
        {150 * 86400. + 120, 17, NAN, 46.5, 1, 1},
        {150 * 86400. + 180, 17, 10, 46.5, 3, 1},  /* depth 10 m: window 2, [1, 2] */
        {150 * 86400. + 240, 1.5, 60, 46.5, 0, 1}, /* depth 60 m: no window, QARTOD 2 = 0 */
    };
    static sink k;
    k.n = 0;
    for (size_t i = 0; i < N_(cases); i++) {
        vg_sample x = mk_sample(cases[i].t_s, cases[i].v);
        x.lat_deg = cases[i].lat;
        if (!isnan(cases[i].pres))
            vg_sample_set(&x, VG_P_PRES, cases[i].pres);
        CHECK(vg_qc_stream_push(st, &x, 0, collect, &k, &err) == VG_OK);
    }
    vg_qc_stream_flush(st, collect, &k);
    CHECK(k.n == (int)N_(cases));
    for (int i = 0; i < k.n; i++) {
        CHECK_MSG(k.out[i].qc[VG_P_TEMP].test[23] == cases[i].clim, "climatology case %d: %d",
                  i, k.out[i].qc[VG_P_TEMP].test[23]);
        CHECK_MSG(k.out[i].pos_qc.test[22] == cases[i].loc, "location case %d: %d", i,
                  k.out[i].pos_qc.test[22]);
    }
    vg_qc_stream_free(st);
    release(cfg, plan);
}

/* Contexts with time windows and a region (ioos_qc's ContextConfig): seasonal gross ranges,
 * each judging the samples of its window (starting inclusive, ending exclusive); a global
 * context beside them; a region with a hole; one test in several contexts. */
static void test_scoped_contexts(void)
{
    write_file("seasons.yaml",
               "contexts:\n"
               "  - window: {starting: 2026-01-01T00:00:00Z, ending: 2026-04-01T00:00:00Z}\n"
               "    streams:\n"
               "      TEMP: {qartod: {gross_range_test: {fail_span: [0, 15]}}}\n"
               "  - window: {starting: 2026-04-01T00:00:00Z, ending: null}\n"
               "    streams:\n"
               "      TEMP: {qartod: {gross_range_test: {fail_span: [10, 30]}}}\n"
               "  - streams:\n"
               "      TEMP: {qartod: {rate_of_change_test: {threshold: 0.01}}}\n"
               "  - region:\n"
               "      type: FeatureCollection\n"
               "      features:\n"
               "        - type: Feature\n"
               "          geometry:\n"
               "            type: Polygon\n"
               "            coordinates: [[[0, 40], [10, 40], [10, 50], [0, 50], [0, 40]],\n"
               "                          [[4, 44], [6, 44], [6, 46], [4, 46], [4, 44]]]\n"
               "    streams:\n"
               "      TEMP: {qartod: {spike_test: {suspect_threshold: 100, fail_threshold: 200}}}\n");
    vg_config *cfg;
    vg_qc_plan *plan;
    const vg_qc_chain *ch = build_ok(" {ioos_qc: seasons.yaml}\n", &cfg, &plan);
    if (!ch)
        return;
    CHECK(ch->n_steps == 4 && plan->scopes.n == 3);
    if (ch->n_steps == 4) {
        CHECK(ch->steps[0].test->id == 16 && ch->steps[1].test->id == 16);
        CHECK(ch->steps[0].scope && ch->steps[1].scope && !ch->steps[2].scope &&
              ch->steps[3].scope && ch->steps[3].scope->n_rings == 2);
        CHECK(ch->steps[0].scope->from == 1767225600 * VG_US_PER_S &&
              ch->steps[0].scope->to == 1775001600 * VG_US_PER_S);
        CHECK(ch->steps[1].scope->to == VG_TIME_NONE);
    }
    vg_qc_stream *st;
    vg_errinfo err;
    CHECK(vg_qc_stream_new(plan, &cfg->platforms[0], &st, &err) == VG_OK);
    /* t0 is 2026-01-15; 2026-04-01T00:00:00Z is t0 + 76 days exactly */
    const double d76 = 76 * 86400.;
    static const struct { double t_s, v, lat, lon; int gr, roc, sp; } cases[] = {
        {0, 14, 45, 1, 1, 0, 0},          /* winter: [0, 15] passes 14; first: no roc */
        {60, 16, 45, 1, 4, 3, 1},         /* winter: 16 fails; 2 in 60 s > 0.01/s; in the region */
        {120, 16.5, 45, 1, 4, 1, 1},      /* in the region, outside the hole: spike runs */
        {180, 16.5, 45, 5, 4, 1, 0},      /* inside the hole: no spike */
        {240, 16.5, NAN, NAN, 4, 1, 0},   /* no position: outside any region */
        {d76 - 1, 16.5, 45, 11, 4, 0, 0}, /* last second of winter; east of the region; a gap */
        {d76, 16.5, 45, 11, 1, 1, 0},     /* the spring window starts (inclusive) */
        {d76 + 60, 9, 45, 11, 4, 3, 0},   /* spring: [10, 30] fails 9 */
    };
    static sink k;
    k.n = 0;
    for (size_t i = 0; i < N_(cases); i++) {
        vg_sample x = mk_sample(cases[i].t_s, cases[i].v);
        x.lat_deg = cases[i].lat, x.lon_deg = cases[i].lon;
        CHECK(vg_qc_stream_push(st, &x, 0, collect, &k, &err) == VG_OK);
    }
    vg_qc_stream_flush(st, collect, &k);
    CHECK(k.n == (int)N_(cases));
    for (int i = 0; i < k.n; i++) {
        const vg_qc_flags *q = &k.out[i].qc[VG_P_TEMP];
        CHECK_MSG(q->test[16] == cases[i].gr && q->test[18] == cases[i].roc &&
                      q->test[17] == cases[i].sp,
                  "case %d: gross %d roc %d spike %d", i, q->test[16], q->test[18], q->test[17]);
        int want = cases[i].gr > cases[i].roc ? cases[i].gr : cases[i].roc;
        CHECK_MSG(q->agg == want, "case %d: aggregate %d, want %d", i, q->agg, want);
    }
    vg_qc_stream_free(st);
    release(cfg, plan);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/vigie-ioos-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_variable_keyed();
    test_contexts();
    test_mixed();
    test_same_flags();
    test_errors();
    test_climatology();
    test_scoped_contexts();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
