/* cmd_tide.c: `vigie tide`: harmonic tide analysis of a sea-level record into a constituents
 * file (`vigie tide analyse`), and prediction from a constituents file (`vigie tide
 * predict`) with the tide/ layer, and the residual QC of a record (`vigie tide check`,
 * qc/sealevel.h). Argument errors exit 2, run-time failures 1.
 * docs/tide.md describes the method, the file format and the measured accuracy. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/time.h"
#include "qc/sealevel.h"
#include "tide/analysis.h"
#include "tide/constfile.h"
#include "tide/constituents.h"
#include "tide/predict.h"
#include "tools/command.h"
#include "tools/tide_input.h"

#define TIDE_CMD_MAX_POINTS 100000000 /* a prediction longer than this is refused */

static void tide__usage(FILE *out)
{
    fprintf(out,
"usage: vigie tide analyse INPUT --latitude DEG [OPTIONS] [-o FILE]\n"
"       vigie tide predict CONSTITUENTS --from TIME --to TIME --step SECONDS [-o FILE]\n"
"       vigie tide check INPUT CONSTITUENTS [--clock-range MIN] [-o FILE]\n"
"\n"
"Harmonic tide analysis and prediction (Foreman's constituents, nodal corrections\n"
"and astronomical arguments as in t_tide / UTide; docs/tide.md).\n"
"\n"
"analyse: fit the mean and the tidal constituents to a sea-level record.\n"
"  INPUT                 CSV 'time,sea_level' (ISO 8601 times; header, '#' comments\n"
"                        and blank lines skipped; an empty or NaN height is a gap),\n"
"                        '-' for standard input\n"
"  --latitude DEG        station latitude, -90..90 (nodal satellites)\n"
"  --constituents LIST   comma-separated names (M2,S2,K1,O1...) instead of the\n"
"                        automatic selection\n"
"  --rayleigh R          Rayleigh factor of the automatic selection, > 0 (default 1:\n"
"                        constituents at least 1/length apart in frequency)\n"
"  --station NAME        station name written in the file (default: none)\n"
"  --units UNITS         units of the heights written in the file (default m)\n"
"  -o, --output FILE     constituents file (YAML) to write, '-' = standard output\n"
"                        (default)\n"
"\n"
"predict: the tide from a constituents file (its own output or published\n"
"constituents written by hand).\n"
"  CONSTITUENTS          the constituents file (YAML)\n"
"  --from TIME, --to TIME  first and last time, ISO 8601 (UTC unless a zone is given)\n"
"  --step SECONDS        interval, 0.001..31622400 s\n"
"  -o, --output FILE     CSV 'time,prediction' to write, '-' = standard output\n"
"                        (default)\n"
"\n"
"check: QC of a sea-level record on its residual (observed minus predicted tide):\n"
"spikes, datum shifts and the clock offset (docs/qc.md). Prints one JSON line per\n"
"event on standard output; exit 0 whether or not problems are found.\n"
"  INPUT                 CSV 'time,sea_level' as for analyse, in the units of the\n"
"                        constituents file, times increasing\n"
"  CONSTITUENTS          the station's constituents file\n"
"  --clock-range MIN     clock offsets searched, +-1..360 minutes (default 120)\n"
"  -o, --output FILE     also write CSV 'time,sea_level,prediction,residual,\n"
"                        spike_flag,datum_flag' (flags 0-9)\n");
}

__attribute__((format(printf, 1, 2))) static int tide__bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "vigie tide: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see vigie tide --help)\n");
    va_end(ap);
    return VG_EXIT_USAGE;
}

static FILE *tide__open_out(const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "vigie tide: %s: cannot create: %s\n", path, strerror(errno));
    return f;
}

static int tide__close_out(FILE *f, const char *path, int status)
{
    int bad = f == stdout ? fflush(f) != 0 || ferror(f) : fclose(f) != 0;
    if (bad && status == VG_EXIT_OK) {
        fprintf(stderr, "vigie tide: %s: write failed: %s\n", path, strerror(errno));
        return VG_EXIT_FAIL;
    }
    return status;
}

/* "M2,S2,K1" -> indices; an unknown name is a usage error naming it */
static int tide__parse_list(const char *s, int *idx, size_t *n)
{
    char buf[2048];
    if (strlen(s) >= sizeof buf)
        return tide__bad("--constituents: list too long");
    strcpy(buf, s);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        int k = vg_tide_const_find(tok);
        if (k <= 0)
            return tide__bad("--constituents: unknown constituent '%s'", tok);
        if (*n >= VG_TIDE_NCONST)
            return tide__bad("--constituents: too many");
        idx[(*n)++] = k;
    }
    if (*n == 0)
        return tide__bad("--constituents: empty list");
    return -1;
}

static int tide__analyse(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"latitude", required_argument, NULL, 'l'}, {"constituents", required_argument, NULL, 'c'},
        {"rayleigh", required_argument, NULL, 'r'}, {"station", required_argument, NULL, 's'},
        {"units", required_argument, NULL, 'u'},    {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    double lat = NAN, rayleigh = 1.0;
    const char *out_path = "-", *station = "", *units = "m";
    int idx[VG_TIDE_NCONST];
    size_t nidx = 0;
    bool given = false;
    int c, st;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            if (!vg_parse_double(optarg, &lat) || lat < -90 || lat > 90)
                return tide__bad("--latitude '%s' must be a number in -90..90", optarg);
            break;
        case 'r':
            if (!vg_parse_double(optarg, &rayleigh) || !(rayleigh > 0) || rayleigh > 100)
                return tide__bad("--rayleigh '%s' must be a number in (0, 100]", optarg);
            break;
        case 'c':
            if ((st = tide__parse_list(optarg, idx, &nidx)) >= 0)
                return st;
            given = true;
            break;
        case 's':
            if (strlen(optarg) >= VG_TIDE_STATION_LEN)
                return tide__bad("--station '%s' is too long (63 bytes at most)", optarg);
            station = optarg;
            break;
        case 'u':
            if (strlen(optarg) >= VG_TIDE_UNITS_LEN)
                return tide__bad("--units '%s' is too long (15 bytes at most)", optarg);
            units = optarg;
            break;
        case 'o': out_path = optarg; break;
        default: return tide__bad("bad option");
        }
    }
    if (optind + 1 != argc)
        return tide__bad("analyse takes one INPUT file");
    if (isnan(lat))
        return tide__bad("analyse needs --latitude");
    const char *in_path = argv[optind];

    vg_errinfo err;
    vg_tide_record rec;
    if (vg_tide_record_read_csv(in_path, &rec, &err) != VG_OK) {
        fprintf(stderr, "vigie tide: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    vg_tide_analysis_opts o = {.latitude_deg = lat, .rayleigh = rayleigh,
                               .constituents = given ? idx : NULL, .n_constituents = nidx};
    vg_tide_model m;
    int64_t t0 = vg_time_mono_us();
    vg_err rc = vg_tide_analyse(rec.t, rec.h, rec.n, &o, &m, &err);
    double ms = (double)(vg_time_mono_us() - t0) / 1e3;
    size_t rows = rec.n;
    vg_tide_record_free(&rec);
    if (rc != VG_OK) {
        fprintf(stderr, "vigie tide: %s: %s\n", in_path, err.text);
        return VG_EXIT_FAIL;
    }
    snprintf(m.station, sizeof m.station, "%s", station);
    snprintf(m.units, sizeof m.units, "%s", units);

    char a[VG_TIME_ISO_LEN], b[VG_TIME_ISO_LEN], hdr[1024];
    char sel[64];
    if (given)
        snprintf(sel, sizeof sel, "given by --constituents");
    else
        snprintf(sel, sizeof sel, "Rayleigh criterion, R = %g", rayleigh);
    snprintf(hdr, sizeof hdr,
             "Written by vigie tide analyse from %s\n"
             "record: %s to %s, %zu rows, %zu heights used\n"
             "constituents: %zu (%s); residual RMS %.6g %s\n"
             "amplitude_ci, phase_ci: 95 %% intervals, linearised white-noise estimate "
             "(docs/tide.md)",
             in_path, vg_time_format_iso8601(m.t_first, a), vg_time_format_iso8601(m.t_last, b),
             rows, m.n_used, m.n, sel, m.residual_rms, units);
    FILE *f = tide__open_out(out_path);
    if (!f) {
        vg_tide_model_free(&m);
        return VG_EXIT_FAIL;
    }
    int status = VG_EXIT_OK;
    if (vg_tide_model_write(&m, f, out_path, hdr, &err) != VG_OK) {
        fprintf(stderr, "vigie tide: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    status = tide__close_out(f, out_path, status);
    if (status == VG_EXIT_OK)
        fprintf(stderr, "vigie tide: %zu heights, %zu constituents, residual RMS %.4g %s, "
                "%.1f ms\n", m.n_used, m.n, m.residual_rms, units, ms);
    vg_tide_model_free(&m);
    return status;
}

static int tide__time_arg(const char *opt, const char *s, vg_time_us *t)
{
    size_t used;
    if (vg_time_parse_iso8601(s, strlen(s), t, &used, NULL) != VG_OK || used != strlen(s)) {
        fprintf(stderr, "vigie tide: %s '%s' is not an ISO 8601 time (see vigie tide --help)\n",
                opt, s);
        return VG_EXIT_USAGE;
    }
    return -1;
}

static int tide__predict(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},
        {"step", required_argument, NULL, 's'}, {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    vg_time_us from = VG_TIME_NONE, to = VG_TIME_NONE;
    double step_s = NAN;
    const char *out_path = "-";
    int c, st;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': if ((st = tide__time_arg("--from", optarg, &from)) >= 0) return st; break;
        case 't': if ((st = tide__time_arg("--to", optarg, &to)) >= 0) return st; break;
        case 's':
            if (!vg_parse_double(optarg, &step_s) || step_s < 0.001 || step_s > 31622400)
                return tide__bad("--step '%s' must be a number of seconds in 0.001..31622400",
                                 optarg);
            break;
        case 'o': out_path = optarg; break;
        default: return tide__bad("bad option");
        }
    }
    if (optind + 1 != argc)
        return tide__bad("predict takes one CONSTITUENTS file");
    if (from == VG_TIME_NONE || to == VG_TIME_NONE || isnan(step_s))
        return tide__bad("predict needs --from, --to and --step");
    if (to < from)
        return tide__bad("--to is before --from");
    vg_time_us step = llround(step_s * 1e6);
    if ((to - from) / step + 1 > TIDE_CMD_MAX_POINTS)
        return tide__bad("more than 100,000,000 points: use a longer --step or a shorter "
                         "span");

    vg_errinfo err;
    vg_tide_model m;
    if (vg_tide_model_read(argv[optind], &m, &err) != VG_OK) {
        fprintf(stderr, "vigie tide: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    vg_tide_predictor *p = malloc(sizeof *p);
    if (!p || vg_tide_predictor_init(p, &m, &err) != VG_OK) {
        fprintf(stderr, "vigie tide: %s: %s\n", argv[optind], p ? err.text : "no memory");
        free(p);
        vg_tide_model_free(&m);
        return VG_EXIT_FAIL;
    }
    vg_tide_model_free(&m);
    FILE *f = tide__open_out(out_path);
    if (!f) {
        free(p);
        return VG_EXIT_FAIL;
    }
    fputs("time,prediction\n", f);
    char ts[VG_TIME_ISO_LEN];
    for (vg_time_us t = from; t <= to && !ferror(f); t += step)
        fprintf(f, "%s,%.9g\n", vg_time_format_iso8601(t, ts), vg_tide_predict_at(p, t));
    free(p);
    return tide__close_out(f, out_path, VG_EXIT_OK);
}

static void tide__event(const vg_sl_event *e)
{
    static const char *const kinds[] = {"", "spike", "datum_shift", "clock_offset"};
    char a[VG_TIME_ISO_LEN], b[VG_TIME_ISO_LEN];
    printf("{\"event\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"%s\":%.6g,\"%s\":%.4g}\n",
           kinds[e->kind], vg_time_format_iso8601(e->t_start, a),
           vg_time_format_iso8601(e->t_end, b),
           e->kind == VG_SL_CLOCK_OFFSET ? "offset_min" : "magnitude", e->magnitude,
           e->kind == VG_SL_CLOCK_OFFSET ? "stderr_min" : "score", e->score);
}

#define TIDE_CHECK_MAX_EVENTS 100000

static int tide__check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"clock-range", required_argument, NULL, 'c'}, {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    double range = 120;
    const char *out_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!vg_parse_double(optarg, &range) || range < 1 || range > 360)
                return tide__bad("--clock-range '%s' must be a number of minutes in 1..360",
                                 optarg);
            break;
        case 'o': out_path = optarg; break;
        default: return tide__bad("bad option");
        }
    }
    if (optind + 2 != argc)
        return tide__bad("check takes an INPUT file and a CONSTITUENTS file");
    const char *in_path = argv[optind], *cf = argv[optind + 1];
    vg_errinfo err;
    vg_tide_model m;
    if (vg_tide_model_read(cf, &m, &err) != VG_OK) {
        fprintf(stderr, "vigie tide: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    vg_tide_predictor *p = malloc(sizeof *p);
    vg_err rc = p ? vg_tide_predictor_init(p, &m, &err) : VG_ERR_NOMEM;
    vg_tide_model_free(&m);
    if (rc != VG_OK) {
        fprintf(stderr, "vigie tide: %s: %s\n", cf, p ? err.text : "no memory");
        free(p);
        return VG_EXIT_FAIL;
    }
    vg_tide_record rec;
    if (vg_tide_record_read_csv(in_path, &rec, &err) != VG_OK) {
        fprintf(stderr, "vigie tide: %s\n", err.text);
        free(p);
        return VG_EXIT_FAIL;
    }
    int status = VG_EXIT_OK;
    for (size_t i = 1; i < rec.n; i++) {
        if (rec.t[i] <= rec.t[i - 1]) {
            fprintf(stderr, "vigie tide: %s: the times must increase (row %zu of the data)\n",
                    in_path, i + 1);
            status = VG_EXIT_FAIL;
            break;
        }
    }
    vg_flag *fs = malloc(rec.n + 1), *fd = malloc(rec.n + 1);
    vg_sl_event *ev = malloc(TIDE_CHECK_MAX_EVENTS * sizeof *ev);
    size_t ns = 0, nd = 0;
    if (status == VG_EXIT_OK && (!fs || !fd || !ev)) {
        fprintf(stderr, "vigie tide: no memory\n");
        status = VG_EXIT_FAIL;
    }
    if (status == VG_EXIT_OK) {
        vg_sl_event clk;
        if (vg_sl_clock_offset(p, rec.t, rec.h, rec.n, range, &clk, &err) == VG_OK)
            tide__event(&clk);
        else
            fprintf(stderr, "vigie tide: %s: %s\n", in_path, err.text);
        if (vg_sl_spikes(p, rec.t, rec.h, rec.n, NULL, fs, ev, TIDE_CHECK_MAX_EVENTS, &ns,
                         &err) != VG_OK) {
            fprintf(stderr, "vigie tide: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
        for (size_t i = 0; status == VG_EXIT_OK && i < ns && i < TIDE_CHECK_MAX_EVENTS; i++)
            tide__event(&ev[i]);
        if (status == VG_EXIT_OK &&
            vg_sl_datum_shifts(p, rec.t, rec.h, rec.n, NULL, fd, ev, TIDE_CHECK_MAX_EVENTS, &nd,
                               &err) != VG_OK) {
            fprintf(stderr, "vigie tide: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
        for (size_t i = 0; status == VG_EXIT_OK && i < nd && i < TIDE_CHECK_MAX_EVENTS; i++)
            tide__event(&ev[i]);
    }
    if (status == VG_EXIT_OK && out_path) {
        FILE *f = tide__open_out(out_path);
        if (!f) {
            status = VG_EXIT_FAIL;
        } else {
            fputs("time,sea_level,prediction,residual,spike_flag,datum_flag\n", f);
            char ts[VG_TIME_ISO_LEN];
            for (size_t i = 0; i < rec.n && !ferror(f); i++) {
                double pr = vg_tide_predict_at(p, rec.t[i]);
                int f1 = isfinite(rec.h[i]) ? fs[i] : 9, f2 = isfinite(rec.h[i]) ? fd[i] : 9;
                fprintf(f, "%s,%.9g,%.9g,%.9g,%d,%d\n", vg_time_format_iso8601(rec.t[i], ts),
                        rec.h[i], pr, rec.h[i] - pr, f1, f2);
            }
            status = tide__close_out(f, out_path, status);
        }
    }
    if (status == VG_EXIT_OK)
        fprintf(stderr, "vigie tide: %zu rows: %zu spikes, %zu datum shifts\n", rec.n, ns, nd);
    free(ev);
    free(fs);
    free(fd);
    vg_tide_record_free(&rec);
    free(p);
    return status;
}

static int tide_main(int argc, char **argv)
{
    if (argc < 2)
        return tide__bad("missing subcommand: analyse, predict or check");
    if (strcmp(argv[1], "analyse") == 0 || strcmp(argv[1], "analyze") == 0)
        return tide__analyse(argc - 1, argv + 1);
    if (strcmp(argv[1], "predict") == 0)
        return tide__predict(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return tide__check(argc - 1, argv + 1);
    return tide__bad("unknown subcommand '%s' (analyse, predict or check)", argv[1]);
}

const vg_command vg_cmd_tide = {
    .name = "tide",
    .summary = "tide analysis into a constituents file, tide prediction, residual QC",
    .main = tide_main,
    .usage = tide__usage,
};
