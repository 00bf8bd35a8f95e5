/* setup.h: loading a complete, validated setup (configuration, QC plan, upload
 * destinations), shared by `vigie run` (start and SIGHUP), `vigie config check` and the
 * tests, so that what `config check` accepts is exactly what the daemon accepts. */
#ifndef VIGIE_DAEMON_SETUP_H
#define VIGIE_DAEMON_SETUP_H

#include "alerts/rules.h"
#include "core/config.h"
#include "daemon/ingest_auth.h"
#include "export/destination.h"
#include "qc/plan.h"
#include "storage/repl_config.h"

typedef struct vg_setup {
    vg_config *cfg;          /* owned */
    vg_qc_plan *plan;        /* owned */
    vg_alert_rules *alerts;  /* owned: the compiled `alerts:` section */
    vg_upload_config *upload; /* owned: the `upload:` section */
    vg_repl_config *repl;    /* owned: `storage.replication:`, NULL when absent */
    vg_ingest_auth *auth;     /* owned: the CurveZMQ keys of the ingest endpoints */
} vg_setup;

/* Load path (NULL: the embedded default configuration), build the QC plan, the alert
 * rules (with the QC test names of qc/, vg_setup_alert_tests), the upload destinations
 * and the ingest endpoints' keys (ingest_auth.h), and check what
 * crosses layers (ingest formats known to ingest/). On success *out owns both; on failure
 * *out is untouched and err says "FILE:LINE: reason". */
vg_err vg_setup_load(const char *path, vg_setup *out, vg_errinfo *err);

/* The names and summaries of the QC tests, by id, for the alert rules (static storage). */
const vg_alert_tests *vg_setup_alert_tests(void);

/* Free every member (either may be NULL) and zero the struct. */
void vg_setup_free(vg_setup *s);

#endif
