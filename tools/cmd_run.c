/* cmd_run.c: `vigie run`, the daemon in the foreground (daemon/daemon.h). */
#include <getopt.h>
#include <stdlib.h>

#include "core/config.h"
#include "daemon/daemon.h"
#include "tools/command.h"

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie run (-c FILE | --default) [--storage DIR] [--max-runtime SECONDS]\n\n"
            "Run the QC daemon in the foreground: bind the ingest endpoints of the\n"
            "configuration (ZeroMQ PULL, or ROUTER for kind feed), quality-control every\n"
            "sample, store it in the Berkeley DB environment and publish it as JSON\n"
            "(ZeroMQ PUB). Logs go to stderr.\n"
            "With storage.replication, role master: commits also wait for the replicas;\n"
            "role replica: bind nothing, ingest nothing, and keep storage.path as a live\n"
            "read-only copy of the master's store (docs/storage.md, \"Replication\").\n\n"
            "  -c, --config FILE      configuration file (YAML; see docs/configuration.md)\n"
            "      --default          use the embedded default configuration\n"
            "  -s, --storage DIR      Berkeley DB environment directory (overrides storage.path)\n"
            "      --max-runtime S    stop by itself after S seconds (demos, tests)\n\n"
            "Signals: SIGTERM/SIGINT flush and stop; SIGHUP reloads the configuration\n"
            "(kept unchanged if the new file is invalid).\n"
            "Exit status: 0 after a clean stop, 1 when start-up failed, 2 on bad usage.\n");
}

static int run_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},  {"default", no_argument, NULL, 'd'},
        {"storage", required_argument, NULL, 's'}, {"max-runtime", required_argument, NULL, 'm'},
        {NULL, 0, NULL, 0},
    };
    vg_daemon_options opt = {0};
    int use_default = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:s:", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': opt.config_path = optarg; break;
        case 'd': use_default = 1; break;
        case 's': opt.storage_path = optarg; break;
        case 'm':
            if (!vg_parse_double(optarg, &opt.max_runtime_s) || opt.max_runtime_s <= 0) {
                fprintf(stderr, "vigie run: --max-runtime needs a positive number of seconds\n");
                return VG_EXIT_USAGE;
            }
            break;
        default: run_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    if (optind != argc || (!opt.config_path && !use_default) || (opt.config_path && use_default)) {
        fprintf(stderr, "vigie run: give exactly one of --config FILE or --default\n");
        run_usage(stderr);
        return VG_EXIT_USAGE;
    }
    return vg_daemon_run(&opt);
}

const vg_command vg_cmd_run = {
    .name = "run",
    .summary = "run the QC daemon in the foreground",
    .main = run_main,
    .usage = run_usage,
};
