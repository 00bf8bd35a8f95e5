/* test_reprocess_write.c: the reprocessing overlapped with the write
 * (dm/reprocess_write.h) gives the same file, variable for variable and attribute for
 * attribute, and the same counts as vg_dm_reprocess followed by vg_export_write, on a
 * series of three write blocks and a part with spikes and out-of-range values (so that
 * the new flags differ from the old ones); a write that fails (no such directory) fails
 * the whole, writes nothing and frees everything (the ASan build checks the frees). */
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nc_same.h"
#include "daemon/setup.h"
#include "dm/reprocess_write.h"
#include "export/export.h"

#define T0 (INT64_C(1735689600) * VG_US_PER_S) /* 2025-01-01T00:00:00Z */

static void make_series(vg_series *s, size_t n)
{
    vg_errinfo err;
    vg_series_init(s, "SIMTSG");
    const vg_param ps[3] = {VG_P_SSJT, VG_P_SSPS, VG_P_CNDC};
    for (int k = 0; k < 3; k++)
        CHECK(vg_series_add_param(s, ps[k], &err) == VG_OK);
    CHECK(vg_series_reserve(s, n, &err) == VG_OK);
    for (size_t i = 0; i < n; i++) {
        size_t r;
        CHECK(vg_series_append(s, T0 + (vg_time_us)i * VG_US_PER_S, &r, &err) == VG_OK);
        double a = 2 * M_PI * (double)i / 86400.0;
        s->lat_deg[r] = -22.0 + sin(a);
        s->lon_deg[r] = -17.9 + cos(a);
        s->pos_qc[r] = s->time_qc[r] = 1;
        s->value[VG_P_SSJT][r] = 22.0 + 0.3 * sin(a);
        s->value[VG_P_SSPS][r] = i % 5000 == 17 ? 45.0 : i % 7919 == 3 ? 36.2 + 2.0 : 36.2 + 0.1 * sin(a);
        s->value[VG_P_CNDC][r] = i % 3000 == 5 ? NAN : 5.4;
        for (int k = 0; k < 3; k++)
            s->qc[ps[k]][r] = isnan(s->value[ps[k]][r]) ? 9 : 1;
    }
}

int main(void)
{
    char dir[] = "/tmp/vigie_rpw_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char p1[64], p2[64], p3[80];
    snprintf(p1, sizeof p1, "%s/seq.nc", dir);
    snprintf(p2, sizeof p2, "%s/overlap.nc", dir);
    snprintf(p3, sizeof p3, "%s/no/such/dir.nc", dir);
    vg_errinfo err;
    vg_setup setup = {0};
    CHECK_MSG(vg_setup_load(NULL, &setup, &err) == VG_OK, "%s", err.text);
    const vg_platform_cfg *pf = setup.cfg ? vg_config_platform(setup.cfg, "SIMTSG") : NULL;
    CHECK(pf != NULL);
    vg_series s;
    size_t n = 3 * ((size_t)1 << 16) + 17;
    make_series(&s, n);
    vg_export_options eo;
    vg_export_options_default(&eo);
    eo.data_mode = 'D';
    eo.platform = pf;
    eo.now = T0;
    vg_dm_counts *c1 = calloc(1, sizeof *c1), *c2 = calloc(1, sizeof *c2);
    vg_adjusted a1, a2;
    if (pf && c1 && c2) {
        CHECK_MSG(vg_dm_reprocess(&s, setup.plan, pf, NULL, &a1, c1, NULL, NULL, &err) == VG_OK, "%s", err.text);
        eo.adjusted = &a1;
        CHECK_MSG(vg_export_write(&s, &eo, p1, &err) == VG_OK, "%s", err.text);
        eo.adjusted = NULL;
        CHECK_MSG(vg_dm_reprocess_write(&s, setup.plan, pf, NULL, &eo, p2, &a2, c2, NULL, NULL, &err) == VG_OK,
                  "%s", err.text);
        size_t changed = 0;
        for (int o = 0; o < 10; o++)
            for (int k = 0; k < 10; k++)
                changed += c1->change[VG_P_SSPS][o][k];
        CHECK_MSG(changed > 0, "the test series must change some flags (%zu)", changed);
        CHECK(memcmp(c1, c2, sizeof *c1) == 0);
        CHECK(a1.n == a2.n && memcmp(a1.qc[VG_P_SSPS], a2.qc[VG_P_SSPS], n) == 0);
        CHECK_STR(a1.hist[VG_P_SSPS], a2.hist[VG_P_SSPS]);
        nc_same_files(p1, p2);
        vg_adjusted_free(&a1);
        vg_adjusted_free(&a2);
        /* a write that cannot be done: an error naming the path, nothing written */
        CHECK(vg_dm_reprocess_write(&s, setup.plan, pf, NULL, &eo, p3, &a2, c2, NULL, NULL, &err) != VG_OK);
        CHECK_MSG(strstr(err.text, "no/such/") != NULL, "%s", err.text);
        CHECK(a2.value[VG_P_SSPS] == NULL && a2.qc[VG_P_SSPS] == NULL);
    }
    free(c1);
    free(c2);
    vg_series_free(&s);
    vg_setup_free(&setup);
    unlink(p1);
    unlink(p2);
    rmdir(dir);
    return check_summary();
}
