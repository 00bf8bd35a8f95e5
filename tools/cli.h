/* cli.h: small helpers shared by the subcommands' argument handling (tools/cmd_*.c): a
 * whole ISO 8601 time argument, and the output path of a command that writes one NetCDF
 * file, given either as a file or as a directory that receives the conventional name. */
#ifndef VIGIE_TOOLS_CLI_H
#define VIGIE_TOOLS_CLI_H

#include <stdbool.h>

#include "core/error.h"
#include "core/time.h"
#include "export/export.h"

/* True when arg is exactly one ISO 8601 time (core/time.h), stored in *t; false for
 * anything else, trailing characters included. */
bool vg_cli_time(const char *arg, vg_time_us *t);

/* The file to write: output itself, or, when output is an existing directory, the file of
 * that directory named by the format's convention (vg_export_file_name of s and eo). The
 * path is malloc'd and owned by the caller; NULL with err set (VG_ERR_NOMEM or the naming
 * error). */
char *vg_cli_output_path(const char *output, const vg_series *s, const vg_export_options *eo,
                         vg_errinfo *err);

#endif
