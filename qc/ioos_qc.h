/* ioos_qc.h: reads an ioos_qc configuration file (YAML, unchanged: the `qartod:` blocks per
 * variable, with or without `contexts:`/`streams:`) into vigie chain steps of the QARTOD
 * tests (qc/qartod_*.c). qc/plan.c calls it for a chain given as `{ioos_qc: FILE, ...}` or
 * for a chain item `- ioos_qc: FILE`. Mapping of names, layouts and what is refused:
 * docs/qc.md, "Using an ioos_qc configuration". */
#ifndef VIGIE_QC_IOOS_QC_H
#define VIGIE_QC_IOOS_QC_H

#include <stddef.h>

#include "core/config.h"
#include "qc/plan.h"

/* spec: the mapping node of cfg->doc that holds `ioos_qc: FILE` and optionally
 * `variables: {NAME: CODE}` and `skip_unknown: BOOL`. FILE, when relative, is resolved
 * against the directory of cfg->path. Writes at most max steps to steps[0..*n), one per
 * vigie test in the order of first appearance in the file, each with .line = the line of
 * `spec` in cfg->path. Errors are VG_ERR_CONFIG "FILE:LINE: reason" naming the ioos_qc file
 * for its content and cfg->path for the spec, or VG_ERR_IO when the file cannot be read.
 * The window tables of climatology_test and the scopes of the contexts (time window,
 * region) go into plan, which owns them, also when the call fails; a test that appears in
 * several contexts gives one step per context, each with its scope. */
vg_err vg_ioos_qc_steps(const vg_config *cfg, yaml_node_t *spec, vg_qc_step *steps, size_t max,
                        size_t *n, vg_qc_plan *plan, vg_errinfo *err);

#endif
