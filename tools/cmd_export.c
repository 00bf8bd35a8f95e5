/* cmd_export.c: `vigie export`: one platform's stored samples over a time range written as
 * a GOSUD v3 or a Copernicus in-situ / OceanSITES NetCDF file (export/export.h,
 * docs/export.md). Reads the store like `vigie dump` (safe while the daemon runs); the file
 * appears complete or not at all (temporary name, then rename). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "daemon/setup.h"
#include "export/dmflags.h"
#include "export/export.h"
#include "storage/store.h"
#include "tools/cli.h"
#include "tools/command.h"

static void export_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie export (-s DIR | -c FILE | both) --platform ID --format gosud|instac\n"
            "                    [--from ISO8601] [--to ISO8601] [-o FILE|DIR] [--classic]\n"
            "                    [--deflate N] [--data-mode R|A|D] [--depth M]\n"
            "                    [--harbour-as 3|4] [--kind KIND]\n\n"
            "Write one platform's stored samples as a NetCDF file (docs/export.md).\n\n"
            "  -s, --storage DIR    Berkeley DB environment directory\n"
            "  -c, --config FILE    take the store from storage.path (unless -s), the platform's\n"
            "                       name, kind, position and PIs, export.dir and\n"
            "                       export.harbour_flag_as\n"
            "  -p, --platform ID    the platform (required)\n"
            "  -F, --format F       gosud (GOSUD v3, ships' TSG) or instac (Copernicus in-situ /\n"
            "                       OceanSITES time series)\n"
            "      --from, --to     inclusive UTC time range, ISO 8601 (default: everything)\n"
            "  -o, --output P       a file, or an existing directory (the file gets the\n"
            "                       conventional name); default export.dir of -c, else '.'\n"
            "      --classic        classic 64-bit-offset format (default NetCDF-4 classic\n"
            "                       model with deflate)\n"
            "      --deflate N      compression level 0-9 of NetCDF-4 files (default 1)\n"
            "      --data-mode M    R real time, D delayed mode (validated by an operator), A\n"
            "                       adjusted (instac only); default D when the store holds\n"
            "                       delayed-mode flags in the range (vigie reprocess), else R.\n"
            "                       In D the delayed-mode flags are used where they exist\n"
            "      --depth M        instac: nominal depth of the sensors, metres (default 0)\n"
            "      --harbour-as N   instac: flag written for 6 (harbour), 3 or 4 (default\n"
            "                       export.harbour_flag_as, 4)\n"
            "      --kind KIND      tsg, tide_gauge, mooring or ferrybox, without -c\n\n"
            "Prints the path of the file written.\n");
}

static bool export__is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int export_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'},  {"config", required_argument, NULL, 'c'},
        {"platform", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'F'},
        {"from", required_argument, NULL, 'f'},     {"to", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},   {"classic", no_argument, NULL, 'C'},
        {"deflate", required_argument, NULL, 'z'},  {"data-mode", required_argument, NULL, 'm'},
        {"depth", required_argument, NULL, 'd'},    {"harbour-as", required_argument, NULL, 'H'},
        {"kind", required_argument, NULL, 'k'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *storage = NULL, *config = NULL, *platform = NULL, *output = NULL;
    vg_time_us from = VG_TIME_NONE, to = VG_TIME_NONE;
    vg_export_options o;
    vg_export_options_default(&o);
    int format = -1, harbour = 0, kind = -1, c;
    bool mode_given = false;
    long l;
    double dv;
    vg_errinfo err;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:c:p:F:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': storage = optarg; break;
        case 'c': config = optarg; break;
        case 'p': platform = optarg; break;
        case 'o': output = optarg; break;
        case 'C': o.classic = true; break;
        case 'F':
            if ((format = vg_export_format_lookup(optarg)) < 0) {
                fprintf(stderr, "vigie export: --format '%s': gosud or instac\n", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'f':
        case 't':
            if (!vg_cli_time(optarg, c == 'f' ? &from : &to)) {
                fprintf(stderr, "vigie export: --%s '%s': not an ISO 8601 time\n",
                        c == 'f' ? "from" : "to", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'z':
            if (!vg_parse_long(optarg, &l) || l < 0 || l > 9) {
                fprintf(stderr, "vigie export: --deflate takes 0-9\n");
                return VG_EXIT_USAGE;
            }
            o.deflate = (int)l;
            break;
        case 'm':
            if (strlen(optarg) != 1 || !strchr("RAD", optarg[0])) {
                fprintf(stderr, "vigie export: --data-mode takes R, A or D\n");
                return VG_EXIT_USAGE;
            }
            o.data_mode = optarg[0];
            mode_given = true;
            break;
        case 'd':
            if (!vg_parse_double(optarg, &dv) || dv < 0 || dv > 12000) {
                fprintf(stderr, "vigie export: --depth takes metres, 0-12000\n");
                return VG_EXIT_USAGE;
            }
            o.depth_m = dv;
            break;
        case 'H':
            if (!vg_parse_long(optarg, &l) || (l != 3 && l != 4)) {
                fprintf(stderr, "vigie export: --harbour-as takes 3 or 4\n");
                return VG_EXIT_USAGE;
            }
            harbour = (int)l;
            break;
        case 'k':
            if ((kind = vg_kind_lookup(optarg)) < 0) {
                fprintf(stderr, "vigie export: --kind '%s': tsg, tide_gauge, mooring or ferrybox\n",
                        optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'h': export_usage(stdout); return VG_EXIT_OK;
        default: export_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    if (optind != argc || (!storage && !config) || !platform || format < 0) {
        fprintf(stderr, "vigie export: give --storage DIR or --config FILE (or both: DIR "
                        "wins), --platform ID and --format gosud|instac\n");
        return VG_EXIT_USAGE;
    }
    o.format = (vg_export_format)format;
    if (o.format == VG_EXPORT_GOSUD && o.data_mode == 'A') {
        fprintf(stderr, "vigie export: GOSUD data modes are R and D\n");
        return VG_EXIT_USAGE;
    }
    vg_setup setup = {0};
    vg_platform_cfg bare = {.kind = VG_KIND_TSG, .name = "", .lat_deg = NAN, .lon_deg = NAN};
    if (config) {
        if (vg_setup_load(config, &setup, &err) != VG_OK) {
            fprintf(stderr, "vigie export: %s\n", err.text);
            return VG_EXIT_FAIL;
        }
        if (!storage)
            storage = setup.cfg->storage_path;
        o.harbour_flag_as = setup.cfg->harbour_flag_as;
        o.platform = vg_config_platform(setup.cfg, platform);
        if (!o.platform) {
            fprintf(stderr, "vigie export: platform '%s' is not in %s\n", platform, config);
            vg_setup_free(&setup);
            return VG_EXIT_FAIL;
        }
        if (!output && setup.cfg->export_dir)
            output = setup.cfg->export_dir;
    }
    if (kind >= 0) {
        if (o.platform) {
            bare = *o.platform;
        }
        bare.kind = (vg_platform_kind)kind;
        o.platform = &bare;
    }
    if (harbour)
        o.harbour_flag_as = harbour;
    if (!output)
        output = ".";

    int status = VG_EXIT_FAIL;
    vg_store *st = NULL;
    vg_store_options so = {.cache_mb = 16, .read_only = true};
    vg_series s;
    vg_series_init(&s, platform);
    char *path = NULL;
    vg_adjusted dm;
    vg_adjusted_init(&dm, 0);
    if (vg_store_open(storage, &so, &st, &err) != VG_OK ||
        vg_series_from_store(st, platform, from, to, &s, &err) != VG_OK) {
        fprintf(stderr, "vigie export: %s\n", err.text);
        goto out;
    }
    if (!s.n) {
        fprintf(stderr, "vigie export: %s: no samples in this time range\n", platform);
        goto out;
    }
    /* the delayed-mode flags of `vigie reprocess`, where the store holds them */
    size_t dm_flagged = 0;
    if (!mode_given || o.data_mode == 'D') {
        if (vg_adjusted_from_dmflags(st, &s, &dm, &dm_flagged, &err) != VG_OK) {
            fprintf(stderr, "vigie export: %s\n", err.text);
            goto out;
        }
        if (dm_flagged) {
            o.data_mode = 'D';
            o.adjusted = &dm;
            size_t values = 0;
            for (int p = 0; p < VG_P__COUNT; p++)
                values += vg_series_count(&s, (vg_param)p);
            fprintf(stderr, "vigie export: %s: delayed-mode flags of %zu values (data mode D)\n",
                    platform, dm_flagged);
            if (dm_flagged < values)
                fprintf(stderr, "vigie export: %s: %zu of %zu values were not reprocessed: they "
                        "go out with their real-time flags (vigie reprocess the whole range, "
                        "or --data-mode R)\n", platform, values - dm_flagged, values);
        }
    }
    if (export__is_dir(output)) {
        char name[256];
        if (vg_export_file_name(&s, &o, name, sizeof name, &err) != VG_OK) {
            fprintf(stderr, "vigie export: %s\n", err.text);
            goto out;
        }
        size_t n = strlen(output) + strlen(name) + 2;
        path = malloc(n);
        if (!path) {
            fprintf(stderr, "vigie export: out of memory\n");
            goto out;
        }
        snprintf(path, n, "%s%s%s", output, output[strlen(output) - 1] == '/' ? "" : "/", name);
    } else if (!(path = strdup(output))) {
        fprintf(stderr, "vigie export: out of memory\n");
        goto out;
    }
    if (vg_export_write(&s, &o, path, &err) != VG_OK) {
        fprintf(stderr, "vigie export: %s\n", err.text);
        goto out;
    }
    printf("%s\n", path);
    fprintf(stderr, "vigie export: %s: %zu samples written to %s\n", platform, s.n, path);
    status = VG_EXIT_OK;
out:
    free(path);
    vg_adjusted_free(&dm);
    vg_series_free(&s);
    if (st && vg_store_close(st, &err) != VG_OK) {
        fprintf(stderr, "vigie export: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    vg_setup_free(&setup);
    return status;
}

const vg_command vg_cmd_export = {
    .name = "export",
    .summary = "write stored samples as a GOSUD or Copernicus in-situ NetCDF file",
    .main = export_main,
    .usage = export_usage,
};
