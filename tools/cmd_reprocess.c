/* cmd_reprocess.c: `vigie reprocess`: QC run again, in delayed mode, on stored data (a
 * platform and time range) or on a GOSUD / Copernicus NetCDF file, with a new
 * configuration, through the daemon's stream engine (dm/reprocess.h). Stored data: the
 * delayed-mode flags go into the store beside the real-time ones (storage/dmflags.h; the
 * writer role: the daemon stopped), unless --no-store (read only, safe while the daemon
 * runs). With -o: a delayed-mode GOSUD file whose _QC variables keep the flags the data
 * came with and whose _ADJUSTED_QC variables hold the new flags (the operators' manual
 * flags winning). Prints what changed, per parameter, test and flag. */
#include <getopt.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "daemon/setup.h"
#include "dm/reprocess.h"
#include "dm/reprocess_write.h"
#include "export/export.h"
#include "qc/test.h"
#include "storage/dmflags.h"
#include "storage/store.h"
#include "tools/cli.h"
#include "tools/command.h"
#include "tools/progress.h"

static void reprocess_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie reprocess (-c FILE | --default) [-s DIR] --platform ID [--from T]\n"
            "                       [--to T] [-o FILE|DIR] [--no-store] [--operator NAME]\n"
            "                       [--json] [-q]\n"
            "       vigie reprocess (-c FILE | --default) --input FILE.nc [--as ID]\n"
            "                       -o FILE|DIR [--json] [-q]\n\n"
            "Run the QC again with the configuration FILE. Stored data: the new (delayed-mode)\n"
            "flags are stored beside the real-time ones (stop the daemon first: the store has\n"
            "one writer), unless --no-store. With -o, a delayed-mode GOSUD file: P_QC keeps the\n"
            "flags the data came with, P_ADJUSTED_QC gets the new ones (manual flags of the\n"
            "store win). Prints the changes per parameter, test and flag.\n\n"
            "  -c, --config FILE  the configuration: QC chains, platforms, storage.path\n"
            "      --default      the embedded default configuration\n"
            "  -s, --storage DIR  the store (default storage.path of -c)\n"
            "  -p, --platform ID  the stored platform\n"
            "      --from, --to   inclusive UTC time range, ISO 8601 (default: everything)\n"
            "  -i, --input FILE   a GOSUD v3 or Copernicus in-situ NetCDF file instead\n"
            "      --as ID        the configured platform whose chain judges the file\n"
            "                     (default: the file's platform id)\n"
            "  -o, --output P     the GOSUD file, or an existing directory (required with\n"
            "                     --input or --no-store)\n"
            "      --no-store     stored data: do not store the flags (read only: safe while\n"
            "                     the daemon runs)\n"
            "      --operator N   who ran it, kept with the stored run (default $USER)\n"
            "      --json         the report as one JSON object instead of text\n"
            "  -q, --quiet        no progress bar (it is drawn only on a terminal anyway)\n");
}

static void rp__report_text(const vg_series *s, const vg_dm_counts *c)
{
    char t0[VG_TIME_ISO_LEN], t1[VG_TIME_ISO_LEN];
    const char *const *names = vg_qc_test_names();
    printf("platform %s: %zu rows from %s to %s, %zu refused\n", s->platform, c->rows,
           vg_time_format_iso8601(s->time[0], t0), vg_time_format_iso8601(s->time[s->n - 1], t1),
           c->refused);
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!s->value[p] || !c->values[p])
            continue;
        const char *code = vg_param_get(p)->code;
        size_t changed = 0;
        for (int o = 0; o < 10; o++)
            for (int n = 0; n < 10; n++)
                changed += c->change[p][o][n];
        printf("%s: %zu values, %zu flags changed, %zu manual flags kept\n", code,
               c->values[p], changed, c->manual[p]);
        for (int o = 0; o < 10; o++)
            for (int n = 0; n < 10; n++)
                if (c->change[p][o][n])
                    printf("  changed %d -> %d: %zu\n", o, n, c->change[p][o][n]);
        for (int t = 1; t < VG_QC_MAX_TESTS; t++) {
            bool any = false;
            for (int f = 1; f < 10; f++)
                any |= c->test[p][t][f] != 0;
            if (!any)
                continue;
            printf("  test %-22s", names[t]);
            for (int f = 1; f < 10; f++)
                if (c->test[p][t][f])
                    printf(" %d:%zu", f, c->test[p][t][f]);
            printf("\n");
        }
    }
}

/* The report as one JSON object; run: the stored run, or NULL. */
static void rp__report_json(const vg_series *s, const vg_dm_counts *c, const char *path,
                            const vg_dmflags_run *run)
{
    char t0[VG_TIME_ISO_LEN], t1[VG_TIME_ISO_LEN];
    const char *const *names = vg_qc_test_names();
    printf("{\"platform\":\"%s\",\"rows\":%zu,\"refused\":%zu,\"from\":\"%s\",\"to\":\"%s\","
           "\"output\":\"%s\",",
           s->platform, c->rows, c->refused, vg_time_format_iso8601(s->time[0], t0),
           vg_time_format_iso8601(s->time[s->n - 1], t1), path);
    if (run)
        printf("\"stored\":{\"run\":%llu,\"samples\":%llu,\"values\":%llu},",
               (unsigned long long)run->seq, (unsigned long long)run->samples,
               (unsigned long long)run->values);
    printf("\"parameters\":{");
    bool first = true;
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!s->value[p] || !c->values[p])
            continue;
        printf("%s\"%s\":{\"values\":%zu,\"manual\":%zu,\"changed\":{", first ? "" : ",",
               vg_param_get(p)->code, c->values[p], c->manual[p]);
        first = false;
        bool f1 = true;
        for (int o = 0; o < 10; o++)
            for (int n = 0; n < 10; n++)
                if (c->change[p][o][n]) {
                    printf("%s\"%d>%d\":%zu", f1 ? "" : ",", o, n, c->change[p][o][n]);
                    f1 = false;
                }
        printf("},\"tests\":{");
        bool f2 = true;
        for (int t = 1; t < VG_QC_MAX_TESTS; t++) {
            bool any = false;
            for (int f = 1; f < 10; f++)
                any |= c->test[p][t][f] != 0;
            if (!any)
                continue;
            printf("%s\"%s\":{", f2 ? "" : ",", names[t]);
            f2 = false;
            bool f3 = true;
            for (int f = 1; f < 10; f++)
                if (c->test[p][t][f]) {
                    printf("%s\"%d\":%zu", f3 ? "" : ",", f, c->test[p][t][f]);
                    f3 = false;
                }
            printf("}");
        }
        printf("}}");
    }
    printf("}}\n");
}

static int reprocess_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},   {"default", no_argument, NULL, 'D'},
        {"storage", required_argument, NULL, 's'},  {"platform", required_argument, NULL, 'p'},
        {"from", required_argument, NULL, 'f'},     {"to", required_argument, NULL, 't'},
        {"input", required_argument, NULL, 'i'},    {"as", required_argument, NULL, 'a'},
        {"output", required_argument, NULL, 'o'},   {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {"no-store", no_argument, NULL, 'N'},       {"operator", required_argument, NULL, 'O'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *storage = NULL, *platform = NULL, *input = NULL, *as = NULL,
               *output = NULL, *operator = NULL;
    bool use_default = false, json = false, quiet = false, no_store = false;
    vg_time_us from = VG_TIME_NONE, to = VG_TIME_NONE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:p:i:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'D': use_default = true; break;
        case 's': storage = optarg; break;
        case 'p': platform = optarg; break;
        case 'i': input = optarg; break;
        case 'a': as = optarg; break;
        case 'o': output = optarg; break;
        case 'j': json = true; break;
        case 'q': quiet = true; break;
        case 'N': no_store = true; break;
        case 'O': operator = optarg; break;
        case 'f':
        case 't':
            if (!vg_cli_time(optarg, c == 'f' ? &from : &to)) {
                fprintf(stderr, "vigie reprocess: --%s '%s': not an ISO 8601 time\n",
                        c == 'f' ? "from" : "to", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'h': reprocess_usage(stdout); return VG_EXIT_OK;
        default: reprocess_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    bool store_flags = platform && !no_store;
    if (optind != argc || !config == !use_default || (!output && !store_flags) ||
        !platform == !input ||
        (input && (storage || from != VG_TIME_NONE || to != VG_TIME_NONE || no_store))) {
        fprintf(stderr, "vigie reprocess: give -c FILE or --default, and --platform ID (stored "
                        "data) or --input FILE -o FILE\n");
        return VG_EXIT_USAGE;
    }
    if (store_flags && !operator && !(operator = getenv("USER"))) {
        fprintf(stderr, "vigie reprocess: no operator: give --operator NAME (USER is not set)\n");
        return VG_EXIT_USAGE;
    }
    vg_errinfo err;
    vg_setup setup = {0};
    if (vg_setup_load(config, &setup, &err) != VG_OK) {
        fprintf(stderr, "vigie reprocess: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    int status = VG_EXIT_FAIL;
    vg_store *st = NULL;
    vg_series s;
    vg_series_init(&s, platform);
    vg_adjusted a;
    vg_adjusted_init(&a, 0);
    vg_dm_counts *counts = calloc(1, sizeof *counts);
    char *path = NULL;
    vg_progress bar;
    if (!counts) {
        fprintf(stderr, "vigie reprocess: out of memory\n");
        goto out;
    }
    if (platform) {
        /* storing the flags needs the writer role: the daemon must be stopped */
        vg_store_options so = {.cache_mb = 64, .read_only = !store_flags};
        if (!storage)
            storage = setup.cfg->storage_path;
        char meta[4096];
        struct stat sb;
        snprintf(meta, sizeof meta, "%s/meta.db", storage);
        if (store_flags && stat(meta, &sb) != 0) { /* the writer's open would create one */
            fprintf(stderr, "vigie reprocess: no vigie store at %s\n", storage);
            goto out;
        }
        if (vg_store_open(storage, &so, &st, &err) != VG_OK ||
            vg_series_from_store(st, platform, from, to, &s, &err) != VG_OK) {
            fprintf(stderr, "vigie reprocess: %s\n", err.text);
            goto out;
        }
    } else if (vg_export_read(input, &s, NULL, &err) != VG_OK) {
        fprintf(stderr, "vigie reprocess: %s\n", err.text);
        goto out;
    }
    if (!s.n) {
        fprintf(stderr, "vigie reprocess: %s: no samples\n", s.platform);
        goto out;
    }
    const char *id = as ? as : s.platform;
    const vg_platform_cfg *pf = vg_config_platform(setup.cfg, id);
    if (!pf) {
        fprintf(stderr, "vigie reprocess: platform '%s' is not in the configuration%s\n", id,
                as ? "" : " (use --as ID to judge it with another platform's chain)");
        goto out;
    }
    vg_export_options eo;
    vg_export_options_default(&eo);
    eo.data_mode = 'D';
    eo.platform = pf;
    eo.harbour_flag_as = setup.cfg->harbour_flag_as;
    if (output && !(path = vg_cli_output_path(output, &s, &eo, &err))) {
        fprintf(stderr, "vigie reprocess: %s\n", err.text);
        goto out;
    }
    /* With a file, the engine judges on a second thread while most of it is written. */
    vg_progress_start(&bar, "reprocess", quiet);
    vg_err rc = path ? vg_dm_reprocess_write(&s, setup.plan, pf, st, &eo, path, &a, counts,
                                             vg_progress_update, &bar, &err)
                     : vg_dm_reprocess(&s, setup.plan, pf, st, &a, counts, vg_progress_update,
                                       &bar, &err);
    vg_progress_end(&bar);
    if (rc != VG_OK) {
        fprintf(stderr, "vigie reprocess: %s\n", err.text);
        goto out;
    }
    vg_dmflags_run run = {.platform = s.platform, .who = operator};
    if (store_flags) {
        char what[VG_DMFLAGS_TEXT_MAX];
        snprintf(what, sizeof what, "vigie reprocess %s%s (QC chain of %s)",
                 config ? "-c " : "--default", config ? config : "", pf->id);
        run.what = what;
        const double *value[VG_P__COUNT];
        const vg_flag *flag[VG_P__COUNT];
        for (int p = 0; p < VG_P__COUNT; p++) {
            value[p] = a.value[p];
            flag[p] = a.qc[p];
        }
        if (vg_dmflags_write(st, &run, s.n, s.time, flag, value, &err) != VG_OK) {
            fprintf(stderr, "vigie reprocess: storing the delayed-mode flags: %s\n", err.text);
            goto out;
        }
    }
    if (json) {
        rp__report_json(&s, counts, path ? path : "", store_flags ? &run : NULL);
    } else {
        rp__report_text(&s, counts);
        if (store_flags)
            printf("stored: run %llu, delayed-mode flags of %llu values of %llu samples in %s\n",
                   (unsigned long long)run.seq, (unsigned long long)run.values,
                   (unsigned long long)run.samples, storage);
        if (path)
            printf("%s\n", path);
    }
    status = VG_EXIT_OK;
out:
    free(path);
    free(counts);
    vg_adjusted_free(&a);
    vg_series_free(&s);
    if (st && vg_store_close(st, &err) != VG_OK) {
        fprintf(stderr, "vigie reprocess: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    vg_setup_free(&setup);
    return status;
}

const vg_command vg_cmd_reprocess = {
    .name = "reprocess",
    .summary = "run the QC again on stored data or a NetCDF file (delayed-mode flags)",
    .main = reprocess_main,
    .usage = reprocess_usage,
};
