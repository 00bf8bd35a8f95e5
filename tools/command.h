/* command.h: the subcommands of the `vigie` command, one method table each, all listed in
 * one NULL-terminated array in tools/vigie.c. A subcommand's main receives argv with
 * argv[0] = its own name ("run", "dump", ...) and returns the process exit status
 * (0 ok, 1 failure, 2 usage error). Every subcommand answers --help with its usage. */
#ifndef VIGIE_TOOLS_COMMAND_H
#define VIGIE_TOOLS_COMMAND_H

#include <stdio.h>

typedef struct vg_command {
    const char *name;                 /* "run" */
    const char *summary;              /* one line for `vigie --help` */
    int (*main)(int argc, char **argv);
    void (*usage)(FILE *out);         /* full usage text for --help */
} vg_command;

extern const vg_command vg_cmd_run, vg_cmd_config, vg_cmd_dump, vg_cmd_simulate, vg_cmd_qc,
    vg_cmd_tide, vg_cmd_export, vg_cmd_alerts, vg_cmd_upload, vg_cmd_feed, vg_cmd_db,
    vg_cmd_keygen;
/* Delayed-mode tools (docs/delayed-mode.md). */
extern const vg_command vg_cmd_correct, vg_cmd_flag, vg_cmd_reprocess, vg_cmd_report,
    vg_cmd_plot;

/* Exit statuses shared by all subcommands. */
enum { VG_EXIT_OK = 0, VG_EXIT_FAIL = 1, VG_EXIT_USAGE = 2 };

#endif
