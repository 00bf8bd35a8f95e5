/* qc_cases.h: a helper shared by the QC unit tests: compile a configuration made of a fixed
 * head and one case's `qc:` text, and check that the plan builds, or fails with
 * VG_ERR_CONFIG and an error text containing `want`; and build the samples of a case.
 * Include after check.h. */
#ifndef VIGIE_TESTS_QC_CASES_H
#define VIGIE_TESTS_QC_CASES_H

#include <math.h>

#include "core/config.h"
#include "core/sample.h"
#include "qc/plan.h"

/* A sample of platform MOOR at t0 + t_s seconds, at (lat, lon), with TEMP = v. */
static inline vg_sample qc_case_sample(vg_time_us t0, double t_s, double lat, double lon,
                                       double v)
{
    vg_sample s;
    vg_sample_init(&s);
    vg_sample_set_platform(&s, "MOOR", 4);
    s.time = t0 + (vg_time_us)llround(t_s * 1e6);
    s.lat_deg = lat, s.lon_deg = lon;
    vg_sample_set(&s, VG_P_TEMP, v);
    return s;
}

/* Case number i: load head + qc as "t.yaml" and build its plan. want NULL: must succeed. */
static inline void check_plan_case(size_t i, const char *head, const char *qc, const char *want)
{
    char text[1024];
    snprintf(text, sizeof text, "%s%s", head, qc);
    vg_config *cfg = NULL;
    vg_qc_plan *plan = NULL;
    vg_errinfo err = {0};
    if (vg_config_load_string(text, strlen(text), "t.yaml", &cfg, &err) != VG_OK) {
        CHECK_MSG(0, "case %zu: config: %s", i, err.text);
        return;
    }
    vg_err rc = vg_qc_plan_build(cfg, &plan, &err);
    if (want)
        CHECK_MSG(rc == VG_ERR_CONFIG && strstr(err.text, want), "case %zu: got '%s'", i,
                  rc == VG_OK ? "ok" : err.text);
    else
        CHECK_MSG(rc == VG_OK, "case %zu: %s", i, err.text);
    vg_qc_plan_free(plan);
    vg_config_free(cfg);
}

#endif
