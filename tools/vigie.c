/* vigie.c: the `vigie` command: finds the subcommand in the table below and runs it.
 * `vigie --help` lists the subcommands; `vigie CMD --help` gives a subcommand's usage. */
#include <stdio.h>
#include <string.h>

#include "tools/command.h"

static const vg_command *const commands[] = {
    &vg_cmd_run,
    &vg_cmd_config,
    &vg_cmd_dump,
    &vg_cmd_simulate,
    &vg_cmd_qc,
    &vg_cmd_feed,
    &vg_cmd_db,
    &vg_cmd_keygen,
    &vg_cmd_tide,
    &vg_cmd_export,
    &vg_cmd_alerts,
    &vg_cmd_upload,
    &vg_cmd_correct,
    &vg_cmd_flag,
    &vg_cmd_reprocess,
    &vg_cmd_report,
    &vg_cmd_plot,
    NULL,
};

static void usage(FILE *out)
{
    fprintf(out, "usage: vigie COMMAND [ARGS...]\n\n"
                 "Real-time quality control of in-situ ocean sensor streams.\n\n"
                 "Commands:\n");
    for (int i = 0; commands[i]; i++)
        fprintf(out, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n'vigie COMMAND --help' shows the usage of a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return VG_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return VG_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("vigie %s\n", VIGIE_VERSION);
        return VG_EXIT_OK;
    }
    for (int i = 0; commands[i]; i++) {
        if (strcmp(argv[1], commands[i]->name) == 0) {
            for (int k = 2; k < argc; k++) {
                if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
                    commands[i]->usage(stdout);
                    return VG_EXIT_OK;
                }
            }
            return commands[i]->main(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "vigie: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return VG_EXIT_USAGE;
}
