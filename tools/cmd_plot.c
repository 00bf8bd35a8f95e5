/* cmd_plot.c: `vigie plot`: a parameter's time series coloured by flag (with the
 * climatology band, water samples, the tide prediction) or a ship's track, as SVG or PNG
 * (plot/plot.h, docs/delayed-mode.md "Plots"). Reads the store (read only, safe while the
 * daemon runs) or a GOSUD / Copernicus file. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "daemon/setup.h"
#include "dm/samples.h"
#include "export/dmflags.h"
#include "export/export.h"
#include "plot/plot.h"
#include "qc/climatology.h"
#include "storage/store.h"
#include "tide/constfile.h"
#include "tide/predict.h"
#include "tools/cli.h"
#include "tools/command.h"

static void plot_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie plot (-s DIR | -c FILE) --platform ID [--from T] [--to T] | --input FILE.nc\n"
            "                  (--param CODE | --track [--param CODE]) -o OUT.svg|OUT.png\n"
            "                  [--width W] [--height H] [--title TEXT] [--samples CSV]\n"
            "                  [--climatology] [--clim-width D] [--tide CONSTITUENTS.yaml]\n"
            "                  [--real-time]\n\n"
            "Draw a time series coloured by flag, or a track (docs/delayed-mode.md).\n\n"
            "  -s, --storage DIR   the store (read only); -c FILE: its storage.path\n"
            "  -p, --platform ID   the stored platform; --from, --to: inclusive UTC range\n"
            "  -i, --input FILE    a GOSUD v3 or Copernicus in-situ NetCDF file instead\n"
            "  -P, --param CODE    the parameter of the time series (track: colour by its flags)\n"
            "      --track         the track (longitude, latitude) instead of a time series\n"
            "  -o, --output FILE   .svg (vector) or .png (image)\n"
            "      --width, --height   size in pixels or points (default 1000 x 500)\n"
            "      --samples CSV   water samples (time,lat,lon,salinity,qc) as diamonds\n"
            "      --climatology   band of the climatology along the track: mean +- 3 standard\n"
            "                      deviations, or +- --clim-width D when it has none (1)\n"
            "      --tide FILE     the tide predicted from a constituents file (sea level)\n"
            "      --real-time     from the store: the real-time flags even where `vigie\n"
            "                      reprocess` stored delayed-mode ones (manual flags still win)\n");
}

/* Where the store holds delayed-mode flags (storage/dmflags.h) for s's range, draw them
 * instead of the real-time ones, as `vigie export` writes them: the flag of the latest run,
 * the operators' manual flags laid over (export/dmflags.h). s stays as it is otherwise. */
static vg_err plot__dm_flags(vg_store *st, vg_series *s, vg_errinfo *err)
{
    vg_adjusted dm;
    size_t flagged = 0;
    vg_err rc = vg_adjusted_from_dmflags(st, s, &dm, &flagged, err);
    if (rc != VG_OK)
        return rc;
    for (int p = 0; p < VG_P__COUNT && flagged; p++)
        if (dm.qc[p] && s->qc[p])
            memcpy(s->qc[p], dm.qc[p], s->n * sizeof *s->qc[p]);
    if (flagged)
        fprintf(stderr, "vigie plot: %s: %zu values drawn with their delayed-mode flags "
                        "(vigie reprocess; --real-time for the real-time ones)\n",
                s->platform, flagged);
    vg_adjusted_free(&dm);
    return VG_OK;
}

static int plot_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'},  {"config", required_argument, NULL, 'c'},
        {"platform", required_argument, NULL, 'p'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},       {"input", required_argument, NULL, 'i'},
        {"param", required_argument, NULL, 'P'},    {"track", no_argument, NULL, 'T'},
        {"output", required_argument, NULL, 'o'},   {"width", required_argument, NULL, 'W'},
        {"height", required_argument, NULL, 'H'},   {"title", required_argument, NULL, 'n'},
        {"samples", required_argument, NULL, 'w'},  {"climatology", no_argument, NULL, 'C'},
        {"clim-width", required_argument, NULL, 'D'}, {"tide", required_argument, NULL, 'd'},
        {"real-time", no_argument, NULL, 'R'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *storage = NULL, *config = NULL, *platform = NULL, *input = NULL, *output = NULL,
               *samples = NULL, *tide = NULL;
    vg_time_us from = VG_TIME_NONE, to = VG_TIME_NONE;
    int param = -1, c;
    bool track = false, clim = false, real_time = false;
    double clim_width = 1.0;
    long l;
    vg_plot_options po;
    vg_plot_options_default(&po);
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:c:p:i:P:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': storage = optarg; break;
        case 'c': config = optarg; break;
        case 'p': platform = optarg; break;
        case 'i': input = optarg; break;
        case 'o': output = optarg; break;
        case 'n': po.title = optarg; break;
        case 'w': samples = optarg; break;
        case 'T': track = true; break;
        case 'C': clim = true; break;
        case 'R': real_time = true; break;
        case 'd': tide = optarg; break;
        case 'P':
            if ((param = vg_param_lookup(optarg, strlen(optarg))) < 0) {
                fprintf(stderr, "vigie plot: --param '%s': unknown parameter code\n", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'f':
        case 't':
            if (!vg_cli_time(optarg, c == 'f' ? &from : &to)) {
                fprintf(stderr, "vigie plot: --%s '%s': not an ISO 8601 time\n",
                        c == 'f' ? "from" : "to", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'W':
        case 'H':
            if (!vg_parse_long(optarg, &l) || l < (c == 'W' ? 200 : 150) || l > 10000) {
                fprintf(stderr, "vigie plot: --%s takes %d..10000\n", c == 'W' ? "width" : "height",
                        c == 'W' ? 200 : 150);
                return VG_EXIT_USAGE;
            }
            *(c == 'W' ? &po.width : &po.height) = (int)l;
            break;
        case 'D':
            if (!vg_parse_double(optarg, &clim_width) || !(clim_width > 0)) {
                fprintf(stderr, "vigie plot: --clim-width takes a number > 0\n");
                return VG_EXIT_USAGE;
            }
            break;
        case 'h': plot_usage(stdout); return VG_EXIT_OK;
        default: plot_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    bool store = storage || config;
    if (optind != argc || (storage && config) || store == !!input || (store && !platform) ||
        !output || (!track && param < 0)) {
        fprintf(stderr, "vigie plot: give -s DIR or -c FILE with --platform ID, or --input FILE; "
                        "--param CODE or --track; and -o OUT.svg|OUT.png\n");
        return VG_EXIT_USAGE;
    }
    int fmt = vg_plot_format_of(output);
    if (fmt < 0) {
        fprintf(stderr, "vigie plot: -o '%s': the name must end in .svg or .png\n", output);
        return VG_EXIT_USAGE;
    }
    po.format = (vg_plot_format)fmt;
    if (real_time && !store) {
        fprintf(stderr, "vigie plot: --real-time goes with the store (-s or -c)\n");
        return VG_EXIT_USAGE;
    }
    if (track && (clim || tide || samples)) {
        fprintf(stderr, "vigie plot: --climatology, --tide and --samples go with a time series\n");
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
    vg_climatology *cl = NULL;
    vg_tide_model tm;
    vg_tide_model_init(&tm);
    double *lo = NULL, *hi = NULL, *line = NULL;
    if (config && vg_setup_load(config, &setup, &err) != VG_OK) {
        fprintf(stderr, "vigie plot: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    if (store) {
        vg_store_options so = {.cache_mb = 16, .read_only = true};
        if (vg_store_open(config ? setup.cfg->storage_path : storage, &so, &st, &err) != VG_OK ||
            vg_series_from_store(st, platform, from, to, &s, &err) != VG_OK) {
            fprintf(stderr, "vigie plot: %s\n", err.text);
            goto out;
        }
        if (!real_time && plot__dm_flags(st, &s, &err) != VG_OK) {
            fprintf(stderr, "vigie plot: %s\n", err.text);
            goto out;
        }
    } else if (vg_export_read(input, &s, NULL, &err) != VG_OK) {
        fprintf(stderr, "vigie plot: %s\n", err.text);
        goto out;
    }
    if (!s.n) {
        fprintf(stderr, "vigie plot: %s: no samples\n", s.platform);
        goto out;
    }
    if (track) {
        if (vg_plot_track(&s, param, &po, output, &err) != VG_OK) {
            fprintf(stderr, "vigie plot: %s\n", err.text);
            goto out;
        }
        printf("%s\n", output);
        status = VG_EXIT_OK;
        goto out;
    }
    vg_plot_overlay ov = {0};
    if (samples) {
        if (vg_dm_samples_read_csv(samples, &w, &err) != VG_OK) {
            fprintf(stderr, "vigie plot: %s\n", err.text);
            goto out;
        }
        ov.samples = &w;
    }
    if (clim) {
        int fam = vg_clim_family_of((vg_param)param);
        if (fam < 0) {
            fprintf(stderr, "vigie plot: no climatology for %s (temperatures and salinities only)\n",
                    vg_param_get((vg_param)param)->code);
            goto out;
        }
        if (vg_climatology_load(vg_climatology_default_spec((vg_clim_family)fam), &cl, &err) != VG_OK) {
            fprintf(stderr, "vigie plot: %s\n", err.text);
            goto out;
        }
        lo = malloc(s.n * sizeof *lo);
        hi = malloc(s.n * sizeof *hi);
        if (!lo || !hi) {
            fprintf(stderr, "vigie plot: out of memory\n");
            goto out;
        }
        for (size_t i = 0; i < s.n; i++) {
            double mean, sd;
            lo[i] = hi[i] = NAN;
            if (vg_climatology_at(cl, s.lat_deg[i], s.lon_deg[i], s.time[i], &mean, &sd)) {
                double d = isnan(sd) ? clim_width : 3 * sd;
                lo[i] = mean - d, hi[i] = mean + d;
            }
        }
        ov.band_lo = lo, ov.band_hi = hi;
        ov.band_label = "climatology";
    }
    if (tide) {
        vg_tide_predictor pr;
        if (vg_tide_model_read(tide, &tm, &err) != VG_OK ||
            vg_tide_predictor_init(&pr, &tm, &err) != VG_OK) {
            fprintf(stderr, "vigie plot: %s\n", err.text);
            goto out;
        }
        if (!(line = malloc(s.n * sizeof *line))) {
            fprintf(stderr, "vigie plot: out of memory\n");
            goto out;
        }
        for (size_t i = 0; i < s.n; i++)
            line[i] = vg_tide_predict_at(&pr, s.time[i]);
        ov.line = line;
        ov.line_label = "tide prediction";
    }
    if (vg_plot_series(&s, (vg_param)param, &ov, &po, output, &err) != VG_OK) {
        fprintf(stderr, "vigie plot: %s\n", err.text);
        goto out;
    }
    printf("%s\n", output);
    status = VG_EXIT_OK;
out:
    free(lo), free(hi), free(line);
    vg_tide_model_free(&tm);
    vg_climatology_free(cl);
    vg_dm_samples_free(&w);
    vg_series_free(&s);
    if (st && vg_store_close(st, &err) != VG_OK) {
        fprintf(stderr, "vigie plot: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    vg_setup_free(&setup);
    vg_plot_cleanup();
    return status;
}

const vg_command vg_cmd_plot = {
    .name = "plot",
    .summary = "draw a time series coloured by flag, or a track (SVG or PNG, cairo)",
    .main = plot_main,
    .usage = plot_usage,
};
