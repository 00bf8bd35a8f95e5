/* cmd_config.c: `vigie config check FILE` validates a configuration exactly as the daemon
 * would load it; `vigie config default` prints the embedded default configuration. */
#include <string.h>

#include "daemon/setup.h"
#include "tools/command.h"

static void config_usage(FILE *out)
{
    fprintf(out, "usage: vigie config check FILE\n"
                 "       vigie config default\n\n"
                 "check    validate FILE as 'vigie run' would (syntax, keys, types, bounds,\n"
                 "         platforms, ingest formats, QC chains); prints 'FILE: ok' and exits 0,\n"
                 "         or prints 'FILE:LINE: reason' and exits 1\n"
                 "default  print the embedded default configuration (a starting point)\n");
}

static int config_main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "default") == 0) {
        fputs(vg_config_default_yaml, stdout);
        return VG_EXIT_OK;
    }
    if (argc != 3 || strcmp(argv[1], "check") != 0) {
        config_usage(stderr);
        return VG_EXIT_USAGE;
    }
    vg_setup s;
    vg_errinfo err;
    if (vg_setup_load(argv[2], &s, &err) != VG_OK) {
        fprintf(stderr, "%s\n", err.text);
        return VG_EXIT_FAIL;
    }
    printf("%s: ok (%zu platforms, %zu ingest endpoints)\n", argv[2], s.cfg->n_platforms,
           s.cfg->n_ingest);
    vg_setup_free(&s);
    return VG_EXIT_OK;
}

const vg_command vg_cmd_config = {
    .name = "config",
    .summary = "check a configuration file, or print the default one",
    .main = config_main,
    .usage = config_usage,
};
