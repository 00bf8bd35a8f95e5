/* cmd_correct.c: `vigie correct`: the delayed-mode correction of a TSG parameter against
 * water samples and/or manufacturer calibration (dm/correct.h, docs/delayed-mode.md),
 * written as a delayed-mode GOSUD file with the _ADJUSTED, _ADJUSTED_ERROR, _ADJUSTED_QC
 * and _ADJUSTED_HIST variables. The series comes from the store (read-only, safe while
 * the daemon runs) or from a GOSUD / Copernicus NetCDF file. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "daemon/setup.h"
#include "dm/correct.h"
#include "dm/samples.h"
#include "export/export.h"
#include "storage/store.h"
#include "tools/cli.h"
#include "tools/command.h"

static void correct_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie correct (-s DIR | -c FILE) --platform ID [--from T] [--to T]\n"
            "                     --samples CSV -o FILE|DIR [OPTIONS]\n"
            "       vigie correct --input FILE.nc --samples CSV -o FILE|DIR [OPTIONS]\n\n"
            "Correct a TSG parameter against water samples and write a delayed-mode GOSUD (or\n"
            "Copernicus in-situ) file "
            "(docs/delayed-mode.md).\n\n"
            "  -s, --storage DIR      Berkeley DB environment directory (read only)\n"
            "  -c, --config FILE      take the store from storage.path and the platform's name\n"
            "  -p, --platform ID      the platform (with -s or -c)\n"
            "      --from, --to       inclusive UTC time range, ISO 8601 (default: everything)\n"
            "  -i, --input FILE       a GOSUD v3 or Copernicus in-situ NetCDF file instead\n"
            "  -w, --samples CSV      water samples: time,lat,lon,salinity,qc\n"
            "  -o, --output P         the file, or an existing directory (conventional name)\n"
            "      --format F         gosud (default: P_ADJUSTED*, samples in P_EXT*) or instac\n"
            "                         (Copernicus in-situ: adjusted value in P, P_DM D)\n"
            "      --param CODE       the corrected parameter (default SSPS)\n"
            "      --method M         median (default), drift, or none (calibration only;\n"
            "                         --samples then not needed)\n"
            "      --window-days D    sliding median window, days (default 10)\n"
            "      --match-s S        sample to TSG matching window, seconds (default 300)\n"
            "      --smooth-s S       TSG smoothing window, seconds (default 3600)\n"
            "      --sd-max X         largest TSG standard deviation in that window (0.1)\n"
            "      --min-samples N    fewest usable samples for a correction (default 3)\n"
            "      --calib-slope A    manufacturer calibration x' = A x + B (default 1)\n"
            "      --calib-offset B   (default 0)\n"
            "      --matches          print one line per water sample (how it was used)\n\n"
            "Prints a summary of the correction and the path of the file written.\n");
}

static const char *const status_names[] = {"used", "bad-sample", "no-tsg", "unstable"};

static bool correct__dbl(const char *arg, double lo, double hi, double *out)
{
    return vg_parse_double(arg, out) && *out >= lo && *out <= hi;
}

static int correct_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'},  {"config", required_argument, NULL, 'c'},
        {"platform", required_argument, NULL, 'p'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},       {"input", required_argument, NULL, 'i'},
        {"samples", required_argument, NULL, 'w'},  {"output", required_argument, NULL, 'o'},
        {"param", required_argument, NULL, 'P'},    {"method", required_argument, NULL, 'M'},
        {"window-days", required_argument, NULL, 'W'},
        {"match-s", required_argument, NULL, 'm'},  {"smooth-s", required_argument, NULL, 'S'},
        {"sd-max", required_argument, NULL, 'D'},   {"min-samples", required_argument, NULL, 'n'},
        {"calib-slope", required_argument, NULL, 'A'},
        {"calib-offset", required_argument, NULL, 'B'},
        {"matches", no_argument, NULL, 'L'},        {"help", no_argument, NULL, 'h'},
        {"format", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0},
    };
    const char *storage = NULL, *config = NULL, *platform = NULL, *input = NULL,
               *samples = NULL, *output = NULL;
    vg_time_us from = VG_TIME_NONE, to = VG_TIME_NONE;
    vg_dm_options o;
    vg_dm_options_default(&o);
    bool list = false;
    int c, k, format = VG_EXPORT_GOSUD;
    double d;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:c:p:i:w:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': storage = optarg; break;
        case 'c': config = optarg; break;
        case 'p': platform = optarg; break;
        case 'i': input = optarg; break;
        case 'w': samples = optarg; break;
        case 'o': output = optarg; break;
        case 'L': list = true; break;
        case 'F':
            if ((format = vg_export_format_lookup(optarg)) < 0) {
                fprintf(stderr, "vigie correct: --format '%s': gosud or instac\n", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'f':
        case 't':
            if (!vg_cli_time(optarg, c == 'f' ? &from : &to)) {
                fprintf(stderr, "vigie correct: --%s '%s': not an ISO 8601 time\n",
                        c == 'f' ? "from" : "to", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'P':
            if ((k = vg_param_lookup(optarg, strlen(optarg))) < 0) {
                fprintf(stderr, "vigie correct: --param '%s': unknown parameter code\n", optarg);
                return VG_EXIT_USAGE;
            }
            o.param = (vg_param)k;
            break;
        case 'M':
            if ((k = vg_dm_method_lookup(optarg)) < 0) {
                fprintf(stderr, "vigie correct: --method '%s': median, drift or none\n", optarg);
                return VG_EXIT_USAGE;
            }
            o.method = (vg_dm_method)k;
            break;
        case 'W':
        case 'm':
        case 'S':
            if (!correct__dbl(optarg, c == 'W' ? 1e-3 : 0, c == 'W' ? 3660 : 86400, &d)) {
                fprintf(stderr, "vigie correct: --%s '%s': out of range\n",
                        c == 'W' ? "window-days" : c == 'm' ? "match-s" : "smooth-s", optarg);
                return VG_EXIT_USAGE;
            }
            *(c == 'W' ? &o.window_us : c == 'm' ? &o.match_us : &o.smooth_us) =
                (int64_t)llround(d * (c == 'W' ? 86400e6 : 1e6));
            break;
        case 'D':
            if (!correct__dbl(optarg, 0, 1e9, &o.smooth_sd_max)) {
                fprintf(stderr, "vigie correct: --sd-max takes a number >= 0\n");
                return VG_EXIT_USAGE;
            }
            break;
        case 'n':
            if (!correct__dbl(optarg, 1, 1e6, &d) || d != floor(d)) {
                fprintf(stderr, "vigie correct: --min-samples takes a whole number >= 1\n");
                return VG_EXIT_USAGE;
            }
            o.min_samples = (size_t)d;
            break;
        case 'A':
        case 'B':
            if (!correct__dbl(optarg, -1e6, 1e6, c == 'A' ? &o.calib_slope : &o.calib_offset)) {
                fprintf(stderr, "vigie correct: --calib-%s takes a number\n",
                        c == 'A' ? "slope" : "offset");
                return VG_EXIT_USAGE;
            }
            break;
        case 'h': correct_usage(stdout); return VG_EXIT_OK;
        default: correct_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    bool from_store = storage || config;
    if (optind != argc || (storage && config) || from_store == !!input ||
        (from_store && !platform) || !output || (!samples && o.method != VG_DM_CALIBRATION_ONLY)) {
        fprintf(stderr, "vigie correct: give --storage DIR or --config FILE with --platform ID, "
                        "or --input FILE; --samples CSV (unless --method none) and --output\n");
        return VG_EXIT_USAGE;
    }

    int status = VG_EXIT_FAIL;
    vg_errinfo err;
    vg_setup setup = {0};
    vg_store *st = NULL;
    vg_series s;
    vg_series_init(&s, platform);
    vg_dm_samples w;
    vg_dm_samples_init(&w);
    vg_adjusted a;
    vg_adjusted_init(&a, 0);
    vg_dm_result r = {0};
    char *path = NULL;
    vg_export_options eo;
    vg_export_options_default(&eo);
    eo.data_mode = 'D';
    eo.format = (vg_export_format)format;
    if (config) {
        if (vg_setup_load(config, &setup, &err) != VG_OK) {
            fprintf(stderr, "vigie correct: %s\n", err.text);
            return VG_EXIT_FAIL;
        }
        storage = setup.cfg->storage_path;
        eo.platform = vg_config_platform(setup.cfg, platform);
        eo.harbour_flag_as = setup.cfg->harbour_flag_as;
    }
    if (from_store) {
        vg_store_options so = {.cache_mb = 16, .read_only = true};
        if (vg_store_open(storage, &so, &st, &err) != VG_OK ||
            vg_series_from_store(st, platform, from, to, &s, &err) != VG_OK) {
            fprintf(stderr, "vigie correct: %s\n", err.text);
            goto out;
        }
    } else if (vg_export_read(input, &s, NULL, &err) != VG_OK) {
        fprintf(stderr, "vigie correct: %s\n", err.text);
        goto out;
    }
    if (!s.n) {
        fprintf(stderr, "vigie correct: %s: no samples in this time range\n", s.platform);
        goto out;
    }
    if (samples && vg_dm_samples_read_csv(samples, &w, &err) != VG_OK) {
        fprintf(stderr, "vigie correct: %s\n", err.text);
        goto out;
    }
    if (vg_dm_correct(&s, &w, &o, &a, &r, &err) != VG_OK) {
        fprintf(stderr, "vigie correct: %s: %s\n", s.platform, err.text);
        goto out;
    }
    const char *code = vg_param_get(o.param)->code;
    char t0[VG_TIME_ISO_LEN], t1[VG_TIME_ISO_LEN];
    printf("platform %s, %s, %zu rows from %s to %s\n", s.platform, code, s.n,
           vg_time_format_iso8601(s.time[0], t0), vg_time_format_iso8601(s.time[s.n - 1], t1));
    printf("method %s: %s\n", vg_dm_method_name(o.method), a.hist[o.param]);
    if (o.method != VG_DM_CALIBRATION_ONLY)
        printf("water samples: %zu given, %zu used, %zu bad sample, %zu no TSG, %zu unstable\n",
               r.n_samples, r.n_status[VG_DM_USED], r.n_status[VG_DM_BAD_SAMPLE],
               r.n_status[VG_DM_NO_TSG], r.n_status[VG_DM_UNSTABLE]);
    if (o.method == VG_DM_DRIFT)
        printf("drift: %.6g +- %.2g at %s, %.6g +- %.2g per day\n", r.drift_offset,
               r.drift_offset_se, vg_time_format_iso8601(r.drift_t0, t0), r.drift_slope_per_day,
               r.drift_slope_se);
    printf("adjusted rows: %zu of %zu", r.n_adjusted, r.n_rows);
    if (!isnan(r.corr_min))
        printf(", correction %.6g .. %.6g, error %.3g .. %.3g", r.corr_min, r.corr_max,
               r.err_min, r.err_max);
    printf("\n");
    for (size_t i = 0; list && i < r.n_samples; i++) {
        const vg_dm_match *m = &r.match[i];
        printf("sample %s %.4f tsg %.4f sd %.4f n %zu diff %.4f %s\n",
               vg_time_format_iso8601(m->time, t0), m->sample, m->tsg, m->tsg_sd, m->tsg_n,
               m->diff, status_names[m->status]);
    }
    eo.adjusted = &a;
    /* The water samples of the series' time span go into the file too (DAYD_EXT, P_EXT*),
     * as TSGQC keeps them, for the next operator to see what the correction rests on. */
    size_t lo = 0, hi = w.n;
    while (lo < w.n && w.time[lo] < s.time[0])
        lo++;
    while (hi > lo && w.time[hi - 1] > s.time[s.n - 1])
        hi--;
    vg_external ext = {.param = o.param, .n = hi - lo, .time = w.time + lo,
                       .lat_deg = w.lat_deg + lo, .lon_deg = w.lon_deg + lo,
                       .value = w.value + lo, .qc = w.qc + lo, .type = "WS"};
    if (ext.n && eo.format == VG_EXPORT_GOSUD &&
        (o.param == VG_P_SSPS || o.param == VG_P_SSJT || o.param == VG_P_SSTP)) {
        eo.external = &ext;
        printf("water samples written in the file: %zu (%s_EXT)\n", ext.n, code);
    }
    if (!(path = vg_cli_output_path(output, &s, &eo, &err))) {
        fprintf(stderr, "vigie correct: %s\n", err.text);
        goto out;
    }
    if (vg_export_write(&s, &eo, path, &err) != VG_OK) {
        fprintf(stderr, "vigie correct: %s\n", err.text);
        goto out;
    }
    printf("%s\n", path);
    status = VG_EXIT_OK;
out:
    free(path);
    vg_dm_result_free(&r);
    vg_adjusted_free(&a);
    vg_dm_samples_free(&w);
    vg_series_free(&s);
    if (st && vg_store_close(st, &err) != VG_OK) {
        fprintf(stderr, "vigie correct: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    vg_setup_free(&setup);
    return status;
}

const vg_command vg_cmd_correct = {
    .name = "correct",
    .summary = "correct a TSG parameter against water samples (delayed-mode GOSUD file)",
    .main = correct_main,
    .usage = correct_usage,
};
