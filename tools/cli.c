/* cli.c: the argument helpers shared by the subcommands (cli.h). */
#include "tools/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool vg_cli_time(const char *arg, vg_time_us *t)
{
    size_t used = 0;
    return vg_time_parse_iso8601(arg, strlen(arg), t, &used, NULL) == VG_OK &&
           used == strlen(arg);
}

char *vg_cli_output_path(const char *output, const vg_series *s, const vg_export_options *eo,
                         vg_errinfo *err)
{
    struct stat sb;
    char *path = NULL;
    if (stat(output, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        char name[256];
        if (vg_export_file_name(s, eo, name, sizeof name, err) != VG_OK)
            return NULL;
        size_t n = strlen(output) + strlen(name) + 2;
        if ((path = malloc(n)))
            snprintf(path, n, "%s%s%s", output, output[strlen(output) - 1] == '/' ? "" : "/",
                     name);
    } else {
        path = strdup(output);
    }
    if (!path)
        vg_fail(err, VG_ERR_NOMEM, "out of memory for the output path");
    return path;
}
