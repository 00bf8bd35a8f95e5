/* parser.h: frame parsers, one method table per input format, all listed in one
 * NULL-terminated array (vg_parsers in ingest/registry.c), like gpsd's drivers.
 * A parser turns one line (a frame, no trailing newline) into at most one sample. It keeps
 * per-stream state (e.g. the last GPS fix to merge into TSG lines) that travels with its own
 * free function. Parsers never log: they explain failures in a vg_errinfo, and the caller
 * quarantines the frame verbatim. */
#ifndef VIGIE_INGEST_PARSER_H
#define VIGIE_INGEST_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/error.h"
#include "core/sample.h"

typedef struct vg_parser_ops {
    const char *name;    /* format name used in ingest[].format: "json", "sbe45_nmea" */
    const char *summary; /* one line for --help and docs */

    /* Create the per-stream state for one ingest endpoint. cfg is borrowed and stays valid
     * for the life of the state. *state is owned by the caller and freed with destroy. */
    vg_err (*create)(const vg_ingest_cfg *cfg, void **state, vg_errinfo *err);

    /* Free what create made. state may be NULL. */
    void (*destroy)(void *state);

    /* Parse one frame line[0..len) (no newline; may contain any byte, including NUL).
     * received: when the frame arrived (UTC), used as the observation time when the frame
     * carries none. On success sets *produced to true and fills *out (out->raw points into
     * line, borrowed) when the line is an observation, or to false when it only updated the
     * state (an NMEA position) or was a comment. On failure returns the error (VG_ERR_PARSE,
     * VG_ERR_CHECKSUM, VG_ERR_TRUNCATED, VG_ERR_RANGE) and err->text says what and where in
     * the frame; *out is then unspecified. */
    vg_err (*parse_line)(void *state, const char *line, size_t len, vg_time_us received,
                         vg_sample *out, bool *produced, vg_errinfo *err);
} vg_parser_ops;

/* The parsers (ingest/json_line.c, ingest/sbe_nmea.c). */
extern const vg_parser_ops vg_parser_json, vg_parser_sbe45_nmea;

/* NULL-terminated list of all parsers. */
extern const vg_parser_ops *const vg_parsers[];

/* The parser named `name`, or NULL. */
const vg_parser_ops *vg_parser_find(const char *name);

#endif
