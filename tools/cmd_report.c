/* cmd_report.c: `vigie report`: the processing report of a stored range (read only, safe
 * while the daemon runs) or of a GOSUD / Copernicus file, as text or one JSON object
 * (dm/report.h, docs/delayed-mode.md "Reports"). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "daemon/setup.h"
#include "dm/report.h"
#include "qc/test.h"
#include "tools/command.h"

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie report (-s DIR | -c FILE) --platform ID [--from T] [--to T] [--json]\n"
            "       vigie report FILE.nc [--json]\n\n"
            "The processing report of stored data or of a GOSUD / Copernicus file: records,\n"
            "time span, values per flag per parameter, per test (store), manual flags, audit\n"
            "entries and delayed-mode flags of vigie reprocess (store), corrections applied\n"
            "(files) (docs/delayed-mode.md).\n\n"
            "  -s, --storage DIR   Berkeley DB environment directory (read only)\n"
            "  -c, --config FILE   take the store from storage.path\n"
            "  -p, --platform ID   the platform\n"
            "      --from, --to    inclusive UTC time range, ISO 8601 (default: everything)\n"
            "      --json          one JSON object instead of text\n");
}

static void rep__flags_text(const size_t *f)
{
    for (int k = 0; k < 10; k++)
        if (f[k])
            printf(" %d:%zu", k, f[k]);
}

static void rep__flags_json(const size_t *f)
{
    printf("{");
    bool first = true;
    for (int k = 0; k < 10; k++)
        if (f[k]) {
            printf("%s\"%d\":%zu", first ? "" : ",", k, f[k]);
            first = false;
        }
    printf("}");
}

/* JSON string with the escapes JSON needs (histories are free text). */
static void rep__json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void rep__num(double v)
{
    if (isnan(v))
        printf("null");
    else
        printf("%.6g", v);
}

static void rep__text(const vg_dm_report *r)
{
    char t0[VG_TIME_ISO_LEN], t1[VG_TIME_ISO_LEN];
    const char *const *names = vg_qc_test_names();
    printf("platform %s: %zu records from %s to %s\n", r->platform, r->records,
           vg_time_format_iso8601(r->first, t0), vg_time_format_iso8601(r->last, t1));
    if (r->from_file)
        printf("data mode %c, processing states %s\n", r->data_mode ? r->data_mode : '?',
               *r->processing_states ? r->processing_states : "(none)");
    else
        printf("audit entries: %zu\n", r->audit_entries);
    if (!r->from_file && r->dm_runs)
        printf("delayed-mode runs: %zu, latest run %llu at %s\n", r->dm_runs,
               (unsigned long long)r->dm_last_run, vg_time_format_iso8601(r->dm_last_when, t0));
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!(r->params & VG_PARAM_BIT(p)))
            continue;
        printf("%s: %zu values, flags", vg_param_get(p)->code, r->values[p]);
        rep__flags_text(r->flags[p]);
        if (!r->from_file)
            printf(", %zu manual", r->manual[p]);
        printf("\n");
        for (int t = 1; t < VG_QC_MAX_TESTS; t++) {
            bool any = false;
            for (int k = 1; k < 10; k++)
                any |= r->test[p][t][k] != 0;
            if (!any)
                continue;
            printf("  test %-22s", names[t]);
            rep__flags_text(r->test[p][t]);
            printf("\n");
        }
        if (r->dm_values[p]) {
            printf("  delayed mode: %zu values, flags", r->dm_values[p]);
            rep__flags_text(r->dm_flags[p]);
            printf("\n");
        }
        if (r->has_adjusted[p]) {
            printf("  adjusted: %zu values, flags", r->adjusted[p]);
            rep__flags_text(r->adj_flags[p]);
            printf("\n  correction %.6g .. %.6g, error ", r->corr_min[p], r->corr_max[p]);
            if (isnan(r->err_min[p]))
                printf("none");
            else
                printf("%.3g .. %.3g", r->err_min[p], r->err_max[p]);
            printf("\n  history: %s\n", *r->hist[p] ? r->hist[p] : "(none)");
        }
    }
}

static void rep__json(const vg_dm_report *r)
{
    char t0[VG_TIME_ISO_LEN], t1[VG_TIME_ISO_LEN];
    const char *const *names = vg_qc_test_names();
    printf("{\"platform\":");
    rep__json_str(r->platform);
    printf(",\"source\":\"%s\",\"records\":%zu,\"from\":\"%s\",\"to\":\"%s\"",
           r->from_file ? "file" : "store", r->records, vg_time_format_iso8601(r->first, t0),
           vg_time_format_iso8601(r->last, t1));
    if (r->from_file) {
        printf(",\"data_mode\":\"%c\",\"processing_states\":", r->data_mode ? r->data_mode : '?');
        rep__json_str(r->processing_states);
    } else {
        printf(",\"audit_entries\":%zu,\"dm_runs\":%zu", r->audit_entries, r->dm_runs);
        if (r->dm_runs)
            printf(",\"dm_last_run\":%llu,\"dm_last_when\":\"%s\"",
                   (unsigned long long)r->dm_last_run,
                   vg_time_format_iso8601(r->dm_last_when, t0));
    }
    printf(",\"parameters\":{");
    bool first = true;
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!(r->params & VG_PARAM_BIT(p)))
            continue;
        printf("%s\"%s\":{\"values\":%zu,\"flags\":", first ? "" : ",", vg_param_get(p)->code,
               r->values[p]);
        first = false;
        rep__flags_json(r->flags[p]);
        if (!r->from_file) {
            printf(",\"manual\":%zu,\"tests\":{", r->manual[p]);
            bool ft = true;
            for (int t = 1; t < VG_QC_MAX_TESTS; t++) {
                bool any = false;
                for (int k = 1; k < 10; k++)
                    any |= r->test[p][t][k] != 0;
                if (!any)
                    continue;
                printf("%s\"%s\":", ft ? "" : ",", names[t]);
                ft = false;
                rep__flags_json(r->test[p][t]);
            }
            printf("},\"delayed_mode\":{\"values\":%zu,\"flags\":", r->dm_values[p]);
            rep__flags_json(r->dm_flags[p]);
            printf("}");
        }
        if (r->has_adjusted[p]) {
            printf(",\"adjusted\":{\"values\":%zu,\"flags\":", r->adjusted[p]);
            rep__flags_json(r->adj_flags[p]);
            printf(",\"correction_min\":");
            rep__num(r->corr_min[p]);
            printf(",\"correction_max\":");
            rep__num(r->corr_max[p]);
            printf(",\"error_min\":");
            rep__num(r->err_min[p]);
            printf(",\"error_max\":");
            rep__num(r->err_max[p]);
            printf(",\"history\":");
            rep__json_str(r->hist[p]);
            printf("}");
        }
        printf("}");
    }
    printf("}}\n");
}

static int report_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'}, {"config", required_argument, NULL, 'c'},
        {"platform", required_argument, NULL, 'p'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},      {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *storage = NULL, *config = NULL, *platform = NULL, *file = NULL;
    vg_time_us from = VG_TIME_NONE, to = VG_TIME_NONE;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:c:p:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': storage = optarg; break;
        case 'c': config = optarg; break;
        case 'p': platform = optarg; break;
        case 'j': json = true; break;
        case 'f':
        case 't': {
            size_t used;
            vg_time_us *t = c == 'f' ? &from : &to;
            if (vg_time_parse_iso8601(optarg, strlen(optarg), t, &used, NULL) != VG_OK ||
                used != strlen(optarg)) {
                fprintf(stderr, "vigie report: --%s '%s': not an ISO 8601 time\n",
                        c == 'f' ? "from" : "to", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        }
        case 'h': report_usage(stdout); return VG_EXIT_OK;
        default: report_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    if (optind + 1 == argc)
        file = argv[optind++];
    bool store = storage || config;
    if (optind != argc || (storage && config) || store == !!file || (store && !platform) ||
        (file && (platform || from != VG_TIME_NONE || to != VG_TIME_NONE))) {
        fprintf(stderr, "vigie report: give -s DIR or -c FILE with --platform ID, or a NetCDF file\n");
        return VG_EXIT_USAGE;
    }
    vg_dm_report *r = malloc(sizeof *r);
    if (!r) {
        fprintf(stderr, "vigie report: out of memory\n");
        return VG_EXIT_FAIL;
    }
    vg_errinfo err;
    vg_setup setup = {0};
    vg_store *st = NULL;
    int status = VG_EXIT_FAIL;
    vg_err rc;
    if (file) {
        rc = vg_dm_report_file(file, r, &err);
    } else {
        rc = VG_OK;
        if (config && (rc = vg_setup_load(config, &setup, &err)) == VG_OK)
            storage = setup.cfg->storage_path;
        vg_store_options so = {.cache_mb = 16, .read_only = true};
        if (rc == VG_OK)
            rc = vg_store_open(storage, &so, &st, &err);
        if (rc == VG_OK)
            rc = vg_dm_report_store(st, platform, from, to, r, &err);
    }
    if (rc != VG_OK) {
        fprintf(stderr, "vigie report: %s\n", err.text);
    } else if (!r->records) {
        fprintf(stderr, "vigie report: %s: no records%s\n", r->platform, file ? "" : " in this range");
    } else {
        if (json)
            rep__json(r);
        else
            rep__text(r);
        status = VG_EXIT_OK;
    }
    if (st && vg_store_close(st, &err) != VG_OK) {
        fprintf(stderr, "vigie report: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    vg_setup_free(&setup);
    free(r);
    return status;
}

const vg_command vg_cmd_report = {
    .name = "report",
    .summary = "processing report of stored data or a NetCDF file (text or JSON)",
    .main = report_main,
    .usage = report_usage,
};
