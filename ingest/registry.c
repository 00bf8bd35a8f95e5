/* registry.c: the list of frame parsers (vg_parsers) and lookup by format name, as gpsd
 * lists its drivers. Each parser defines its method table (vg_parser_ops, designated
 * initialisers, one comment per slot) in its own file: json_line.c, sbe_nmea.c. To add a
 * format: write its file, declare its table below and append it to vg_parsers. */
#include <string.h>

#include "ingest/parser.h"

/* parser.h does not declare the tables: they are only reachable through vg_parsers. */

const vg_parser_ops *const vg_parsers[] = {
    &vg_parser_json,
    &vg_parser_sbe45_nmea,
    NULL,
};

const vg_parser_ops *vg_parser_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; vg_parsers[i]; i++)
        if (strcmp(vg_parsers[i]->name, name) == 0)
            return vg_parsers[i];
    return NULL;
}
