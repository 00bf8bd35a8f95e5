/* setup.c: configuration, QC plan, upload destinations and replication loading, and
 * cross-layer validation (setup.h). */
#include "daemon/setup.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "ingest/parser.h"
#include "qc/tides.h"
#include "qc/test.h"

/* A tide gauge whose chain has tide_residual but which names no constituents file runs the
 * other tests only: say so once, at start-up (issue 4). One with constituents and SLEV is
 * watched for datum shifts and clock offsets (qc/sealevel_monitor.h): say that too. */
static void setup__tide_notice(const vg_setup *s)
{
    for (size_t i = 0; i < s->cfg->n_platforms; i++) {
        const vg_platform_cfg *pl = &s->cfg->platforms[i];
        if (pl->constituents && (pl->params & VG_PARAM_BIT(VG_P_SLEV)))
            vg_log(VG_LOG_NOTICE, "platform %s: daily datum-shift and clock-offset watch on "
                   "SLEV against the tide of %s", pl->id, pl->constituents);
        const vg_qc_chain *ch = &s->plan->chains[pl->kind];
        for (size_t k = 0; k < ch->n_steps; k++) {
            if (ch->steps[k].test == &vg_qc_tide_residual && !pl->constituents &&
                (ch->steps[k].params & pl->params)) {
                vg_log(VG_LOG_NOTICE, "platform %s: no constituents file "
                       "(platforms[].constituents): tide_residual is not run, the other "
                       "tests are", pl->id);
                break;
            }
        }
    }
}

const vg_alert_tests *vg_setup_alert_tests(void)
{
    static vg_alert_tests t;
    static int filled;
    if (!filled) {
        for (int i = 0; vg_qc_tests[i]; i++) {
            t.name[vg_qc_tests[i]->id] = vg_qc_tests[i]->name;
            t.summary[vg_qc_tests[i]->id] = vg_qc_tests[i]->summary;
        }
        filled = 1;
    }
    return &t;
}

vg_err vg_setup_load(const char *path, vg_setup *out, vg_errinfo *err)
{
    vg_setup s = {0};
    vg_err rc = path ? vg_config_load_file(path, &s.cfg, err)
                     : vg_config_load_string(vg_config_default_yaml,
                                             strlen(vg_config_default_yaml),
                                             "<embedded default>", &s.cfg, err);
    if (rc != VG_OK)
        return rc;
    for (size_t i = 0; i < s.cfg->n_ingest; i++) {
        const vg_ingest_cfg *ic = &s.cfg->ingest[i];
        if (!vg_parser_find(ic->format)) {
            char known[256] = "";
            for (int k = 0; vg_parsers[k]; k++) {
                strncat(known, k ? ", " : "", sizeof known - strlen(known) - 1);
                strncat(known, vg_parsers[k]->name, sizeof known - strlen(known) - 1);
            }
            rc = vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest format '%s' unknown (known: %s)",
                         s.cfg->path, ic->line, ic->format, known);
            vg_setup_free(&s);
            return rc;
        }
        if (strcmp(ic->format, "json") != 0 && !ic->platform[0]) {
            rc = vg_fail(err, VG_ERR_CONFIG,
                         "%s:%d: ingest format '%s' carries no platform id: give 'platform:'",
                         s.cfg->path, ic->line, ic->format);
            vg_setup_free(&s);
            return rc;
        }
    }
    rc = vg_qc_plan_build(s.cfg, &s.plan, err);
    if (rc == VG_OK)
        rc = vg_alert_rules_compile(s.cfg, vg_setup_alert_tests(), &s.alerts, err);
    if (rc == VG_OK)
        rc = vg_upload_config_build(s.cfg, &s.upload, err);
    if (rc == VG_OK)
        rc = vg_repl_config_compile(s.cfg, &s.repl, err);
    if (rc == VG_OK)
        rc = vg_ingest_auth_load(s.cfg, &s.auth, err);
    if (rc == VG_OK && s.cfg->export_upload_to &&
        !vg_upload_config_find(s.upload, s.cfg->export_upload_to))
        rc = vg_fail(err, VG_ERR_CONFIG, "%s: export.upload_to '%s' is not a name of "
                     "upload.destinations", s.cfg->path, s.cfg->export_upload_to);
    if (rc == VG_OK && s.cfg->export_every_s && !s.cfg->export_dir)
        rc = vg_fail(err, VG_ERR_CONFIG, "%s: export.every_s needs export.dir", s.cfg->path);
    if (rc != VG_OK) {
        vg_setup_free(&s);
        return rc;
    }
    setup__tide_notice(&s);
    *out = s;
    return VG_OK;
}

void vg_setup_free(vg_setup *s)
{
    vg_config_free(s->cfg);
    vg_qc_plan_free(s->plan);
    vg_alert_rules_free(s->alerts);
    vg_upload_config_free(s->upload);
    vg_repl_config_free(s->repl);
    s->repl = NULL;
    vg_ingest_auth_free(s->auth);
    s->auth = NULL;
    s->cfg = NULL;
    s->plan = NULL;
    s->alerts = NULL;
    s->upload = NULL;
}
