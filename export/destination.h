/* destination.h: the `upload:` section of the configuration compiled (core/config.c keeps
 * it as a YAML node, as for `qc:`): the named upload destinations and the retry schedule of
 * the upload queue. Every error names FILE:LINE. Keys: docs/configuration.md, "upload:". */
#ifndef VIGIE_EXPORT_DESTINATION_H
#define VIGIE_EXPORT_DESTINATION_H

#include <stddef.h>

#include "core/config.h"
#include "export/upload.h"
#include "storage/outbox.h"

typedef struct vg_upload_target {
    char *name;          /* destinations[].name: 1-31 of [a-z0-9_-], unique; owned */
    char *url;           /* destinations[].url, owned */
    char *credentials;   /* destinations[].credentials: path, owned, NULL if absent */
    char *ca_file;       /* destinations[].ca_file: path, owned, NULL if absent */
    vg_upload_dest dest; /* the above, ready for vg_upload_file (borrows url, credentials) */
    int line;
} vg_upload_target;

typedef struct vg_upload_config {
    vg_upload_target *targets; /* owned, n_targets entries */
    size_t n_targets;
    vg_outbox_backoff backoff; /* retry_base_s (60) .. retry_max_s (21600) */
} vg_upload_config;

/* Compile cfg's `upload:` section (none: no destinations, default schedule) into *out,
 * owned by the caller (vg_upload_config_free). VG_ERR_CONFIG "FILE:LINE: reason". */
vg_err vg_upload_config_build(const vg_config *cfg, vg_upload_config **out, vg_errinfo *err);

void vg_upload_config_free(vg_upload_config *u);

/* The destination named name, or NULL. */
const vg_upload_target *vg_upload_config_find(const vg_upload_config *u, const char *name);

#endif
