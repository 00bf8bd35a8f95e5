/* test_dm.c: the delayed-mode correction (dm/): a simulated 30-day TSG salinity series
 * (1-minute rows, a slowly varying true salinity) is given a known offset and linear drift
 * plus sensor noise; water samples of the true salinity (with lab noise) every 12 hours.
 * Both methods must recover the injected correction within the error they state at every
 * row, the drift fit its offset and slope within three standard errors; samples that must
 * not be used (bad flag, gap, unstable TSG) are not; the manufacturer calibration is
 * applied; the sample CSV reader rejects bad lines naming FILE:LINE; and the adjustment is
 * written into a GOSUD file (SSPS_ADJUSTED*, PROCESSING_STATES) and read back. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dm/correct.h"
#include "dm/samples.h"
#include "export/export.h"

#define T0 INT64_C(1780272000000000) /* 2026-06-01T00:00:00Z */
#define MIN_US (60 * VG_US_PER_S)
#define DAY_US (86400 * VG_US_PER_S)
#define N_DAYS 30
#define OFFSET 0.05          /* PSS-78: the TSG reads this much too high at T0 */
#define DRIFT_PER_DAY 0.002  /* and drifts up by this per day */
#define TSG_NOISE 0.005
#define LAB_NOISE 0.003

static double true_sal(vg_time_us t)
{
    double d = (double)(t - T0) / (double)DAY_US;
    return 35.0 + 0.3 * sin(2 * M_PI * d / 5.0);
}

static double true_corr(vg_time_us t)
{
    return OFFSET + DRIFT_PER_DAY * (double)(t - T0) / (double)DAY_US;
}

/* The simulated series (SSPS flagged 1) and its samples; gap: a 2-hour hole around the
 * sample of day 20, 06:01:30. */
static void simulate(vg_series *s, vg_dm_samples *w, gsl_rng *rng)
{
    vg_series_init(s, "FNSIM");
    CHECK(vg_series_add_param(s, VG_P_SSPS, NULL) == VG_OK);
    for (vg_time_us t = T0; t < T0 + N_DAYS * DAY_US; t += MIN_US) {
        if (t >= T0 + 20 * DAY_US + 5 * 3600 * VG_US_PER_S &&
            t < T0 + 20 * DAY_US + 7 * 3600 * VG_US_PER_S)
            continue;
        size_t row;
        CHECK(vg_series_append(s, t, &row, NULL) == VG_OK);
        s->value[VG_P_SSPS][row] = true_sal(t) + true_corr(t) + gsl_ran_gaussian(rng, TSG_NOISE);
        s->qc[VG_P_SSPS][row] = VG_FLAG_GOOD;
    }
    vg_dm_samples_init(w);
    for (vg_time_us t = T0 + 6 * 3600 * VG_US_PER_S; t < T0 + N_DAYS * DAY_US; t += DAY_US / 2)
        CHECK(vg_dm_samples_add(w, t + 90 * VG_US_PER_S, 45.0, -10.0,
                                true_sal(t + 90 * VG_US_PER_S) + gsl_ran_gaussian(rng, LAB_NOISE),
                                VG_FLAG_GOOD, NULL) == VG_OK);
}

/* Every adjusted row: |applied correction - injected correction| <= k x stated error for
 * a fraction `frac` of the rows, and <= 2 k x error for all. The stated error is a
 * one-standard-deviation figure, so a median's may be off by a little more at a few rows:
 * over 12 noise draws the worst row was 1.43 errors, 0.8 % of rows above 1. */
static void check_recovered(const vg_series *s, const vg_adjusted *a, const char *what,
                            double frac)
{
    size_t over1 = 0, over2 = 0, n = 0;
    double worst = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(a->value[VG_P_SSPS][i]))
            continue;
        n++;
        double c = s->value[VG_P_SSPS][i] - a->value[VG_P_SSPS][i];
        double e = a->error[VG_P_SSPS][i];
        double dev = fabs(c - true_corr(s->time[i]));
        worst = fmax(worst, dev / e);
        over1 += !(dev <= e) || !(e > 0) || !(e < 0.05);
        over2 += !(dev <= 2 * e);
        CHECK(a->qc[VG_P_SSPS][i] == VG_FLAG_GOOD);
    }
    CHECK_MSG(n > 0 && (double)(n - over1) >= frac * (double)n && over2 == 0,
              "%s: %zu of %zu rows outside their error, %zu outside twice (worst %.2f errors)",
              what, over1, n, over2, worst);
    printf("%s: %zu rows adjusted, %zu outside the stated error, worst |correction - truth| = "
           "%.2f x stated error\n", what, n, over1, worst);
}

static void test_median(const vg_series *s, const vg_dm_samples *w)
{
    vg_dm_options o;
    vg_dm_options_default(&o);
    vg_adjusted a;
    vg_dm_result r;
    vg_errinfo e;
    CHECK_MSG(vg_dm_correct(s, w, &o, &a, &r, &e) == VG_OK, "%s", e.text);
    CHECK(r.n_samples == w->n);
    CHECK(r.n_status[VG_DM_USED] == w->n - 1); /* the sample in the gap */
    CHECK(r.n_status[VG_DM_NO_TSG] == 1);
    CHECK(r.n_adjusted == s->n); /* samples every 12 h: every row has >= 3 within 5 days */
    CHECK_STR(a.processing_states, "2C+");
    CHECK(strstr(a.hist[VG_P_SSPS], "median") != NULL);
    check_recovered(s, &a, "median", 0.95);
    vg_adjusted_free(&a);
    vg_dm_result_free(&r);
}

static void test_drift(const vg_series *s, const vg_dm_samples *w)
{
    vg_dm_options o;
    vg_dm_options_default(&o);
    o.method = VG_DM_DRIFT;
    vg_adjusted a;
    vg_dm_result r;
    vg_errinfo e;
    CHECK_MSG(vg_dm_correct(s, w, &o, &a, &r, &e) == VG_OK, "%s", e.text);
    double d0 = (double)(r.drift_t0 - T0) / (double)DAY_US;
    CHECK_NEAR(r.drift_offset, OFFSET + DRIFT_PER_DAY * d0, 3 * r.drift_offset_se);
    CHECK_NEAR(r.drift_slope_per_day, DRIFT_PER_DAY, 3 * r.drift_slope_se);
    CHECK(r.drift_slope_se < 0.0002);
    printf("drift: offset %.5f +- %.5f, slope %.6f +- %.6f /day\n", r.drift_offset,
           r.drift_offset_se, r.drift_slope_per_day, r.drift_slope_se);
    check_recovered(s, &a, "drift", 1.0);
    vg_adjusted_free(&a);
    vg_dm_result_free(&r);
}

/* Samples that must not be used, and the calibration alone. */
static void test_rejects(void)
{
    vg_series s;
    vg_series_init(&s, "FNREJ");
    CHECK(vg_series_add_param(&s, VG_P_SSPS, NULL) == VG_OK);
    /* 4 hours at 1-minute steps: 35.0, then a front at 2 h (jump of 1.0). */
    for (int k = 0; k < 240; k++) {
        size_t row;
        vg_time_us t = T0 + k * MIN_US;
        CHECK(vg_series_append(&s, t, &row, NULL) == VG_OK);
        s.value[VG_P_SSPS][row] = k < 120 ? 35.0 : 36.0;
        s.qc[VG_P_SSPS][row] = k >= 200 && k < 215 ? VG_FLAG_BAD : VG_FLAG_GOOD;
    }
    vg_dm_samples w;
    vg_dm_samples_init(&w);
    vg_dm_samples_add(&w, T0 + 30 * MIN_US, NAN, NAN, 34.9, VG_FLAG_GOOD, NULL);     /* used */
    vg_dm_samples_add(&w, T0 + 60 * MIN_US, NAN, NAN, 34.9, VG_FLAG_BAD, NULL);      /* bad flag */
    vg_dm_samples_add(&w, T0 + 120 * MIN_US, NAN, NAN, 35.4, VG_FLAG_GOOD, NULL);    /* front */
    vg_dm_samples_add(&w, T0 + 207 * MIN_US, NAN, NAN, 35.9, VG_FLAG_GOOD, NULL);    /* TSG flagged 4 */
    vg_dm_samples_add(&w, T0 + 300 * MIN_US, NAN, NAN, 35.9, VG_FLAG_GOOD, NULL);    /* after the end */
    vg_dm_options o;
    vg_dm_options_default(&o);
    vg_adjusted a;
    vg_dm_result r;
    vg_errinfo e;
    CHECK(vg_dm_correct(&s, &w, &o, &a, &r, &e) == VG_ERR_NOTFOUND);
    CHECK_MSG(strstr(e.text, "1 of 5 water samples usable") != NULL, "%s", e.text);
    CHECK_MSG(strstr(e.text, "1 with a bad flag") && strstr(e.text, "2 without a good TSG") &&
                  strstr(e.text, "1 where the TSG standard deviation"), "%s", e.text);
    o.min_samples = 1;
    CHECK_MSG(vg_dm_correct(&s, &w, &o, &a, &r, &e) == VG_OK, "%s", e.text);
    CHECK(r.match[0].status == VG_DM_USED && r.match[0].tsg_n == 61);
    CHECK_NEAR(r.match[0].diff, 0.1, 1e-9);
    CHECK(r.match[1].status == VG_DM_BAD_SAMPLE);
    CHECK(r.match[2].status == VG_DM_UNSTABLE && r.match[2].tsg_sd > 0.1);
    CHECK(r.match[3].status == VG_DM_NO_TSG);
    CHECK(r.match[4].status == VG_DM_NO_TSG);
    /* One sample: rows within 5 days are all adjusted by 0.1, error 0 (one difference). */
    CHECK(r.n_adjusted == 240);
    CHECK_NEAR(a.value[VG_P_SSPS][0], 34.9, 1e-9);
    CHECK(a.qc[VG_P_SSPS][205] == VG_FLAG_BAD);
    vg_adjusted_free(&a);
    vg_dm_result_free(&r);

    /* Calibration alone: x' = 1.001 x - 0.03. */
    o.method = VG_DM_CALIBRATION_ONLY;
    o.calib_slope = 1.001;
    o.calib_offset = -0.03;
    CHECK_MSG(vg_dm_correct(&s, NULL, &o, &a, &r, &e) == VG_OK, "%s", e.text);
    CHECK_NEAR(a.value[VG_P_SSPS][0], 35.0 * 1.001 - 0.03, 1e-9);
    CHECK(isnan(a.error[VG_P_SSPS][0]));
    CHECK_STR(a.processing_states, "2B");
    CHECK(strstr(a.hist[VG_P_SSPS], "calibration") != NULL);
    vg_adjusted_free(&a);
    vg_dm_result_free(&r);

    /* Bad options and a missing column. */
    o.method = VG_DM_MEDIAN;
    o.calib_slope = 0;
    CHECK(vg_dm_correct(&s, &w, &o, &a, &r, &e) == VG_ERR_INVAL);
    vg_dm_options_default(&o);
    o.param = VG_P_SSJT;
    CHECK(vg_dm_correct(&s, &w, &o, &a, &r, &e) == VG_ERR_INVAL);
    CHECK(strstr(e.text, "no column SSJT") != NULL);
    vg_dm_samples_free(&w);
    vg_series_free(&s);
}

static const char *write_tmp(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/vigie_test_dm_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid(), name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_csv(void)
{
    vg_dm_samples w;
    vg_errinfo e;
    const char *p = write_tmp("ok.csv", "# bottles of cruise X\n"
                                        "time,lat,lon,salinity,qc\n"
                                        "2026-06-02T12:00:00Z,45.5,-10.25,35.012,1\n"
                                        "\n"
                                        "2026-06-01T12:00:00Z,,,35.100,2\r\n"
                                        "2026-06-03T00:00:00Z,45,-10,nan,4\n");
    CHECK_MSG(vg_dm_samples_read_csv(p, &w, &e) == VG_OK, "%s", e.text);
    CHECK(w.n == 3);
    CHECK(w.time[0] == T0 + DAY_US / 2 && isnan(w.lat_deg[0]) && w.value[0] == 35.1 && w.qc[0] == 2);
    CHECK(w.lat_deg[1] == 45.5 && w.lon_deg[1] == -10.25);
    CHECK(isnan(w.value[2]) && w.qc[2] == 4);
    vg_dm_samples_free(&w);
    unlink(p);

    static const struct {
        const char *text, *expect;
    } bad[] = {
        {"2026-06-01T00:00:00Z,45,-10,35.0\n", ":1: 4 fields where 5"},
        {"time,lat,lon,salinity,qc\n2026-06-01T00:00:00Z,45,-10,35.0,1,7\n", ":2: more than 5 fields"},
        {"2026-13-01T00:00:00Z,45,-10,35.0,1\n", ":1: time:"},
        {"2026-06-01T00:00:00Zx,45,-10,35.0,1\n", ":1: time: trailing"},
        {"2026-06-01T00:00:00Z,95,-10,35.0,1\n", ":1: lat '95'"},
        {"2026-06-01T00:00:00Z,45,abc,35.0,1\n", ":1: lon 'abc'"},
        {"2026-06-01T00:00:00Z,45,-10,-3,1\n", ":1: salinity '-3'"},
        {"2026-06-01T00:00:00Z,45,-10,35,12\n", ":1: qc '12'"},
        {"2026-06-01T00:00:00Z,45,-10,35,1.5\n", ":1: qc '1.5'"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        p = write_tmp("bad.csv", bad[k].text);
        CHECK(vg_dm_samples_read_csv(p, &w, &e) == VG_ERR_PARSE);
        CHECK_MSG(strstr(e.text, p) && strstr(e.text, bad[k].expect), "%s", e.text);
        CHECK(w.n == 0 && w.time == NULL);
        unlink(p);
    }
    CHECK(vg_dm_samples_read_csv("/nonexistent/x.csv", &w, &e) == VG_ERR_IO);
}

/* The adjustment written into a GOSUD file and read back with netCDF-C. */
static void test_gosud(const vg_series *s, const vg_dm_samples *w)
{
    vg_dm_options o;
    vg_dm_options_default(&o);
    vg_adjusted a;
    vg_dm_result r;
    CHECK(vg_dm_correct(s, w, &o, &a, &r, NULL) == VG_OK);
    vg_export_options eo;
    vg_export_options_default(&eo);
    eo.data_mode = 'D';
    eo.adjusted = &a;
    eo.now = T0;
    char path[256];
    snprintf(path, sizeof path, "/tmp/vigie_test_dm_%d.nc", (int)getpid());
    vg_errinfo e;
    CHECK_MSG(vg_export_write(s, &eo, path, &e) == VG_OK, "%s", e.text);
    int ncid, var;
    CHECK(nc_open(path, NC_NOWRITE, &ncid) == NC_NOERR);
    char states[16] = "";
    CHECK(nc_get_att_text(ncid, NC_GLOBAL, "PROCESSING_STATES", states) == NC_NOERR);
    CHECK_STR(states, "2C+");
    float *adj = malloc(s->n * sizeof *adj), *aerr = malloc(s->n * sizeof *aerr);
    signed char *aqc = malloc(s->n);
    CHECK(nc_inq_varid(ncid, "SSPS_ADJUSTED", &var) == NC_NOERR &&
          nc_get_var_float(ncid, var, adj) == NC_NOERR);
    CHECK(nc_inq_varid(ncid, "SSPS_ADJUSTED_ERROR", &var) == NC_NOERR &&
          nc_get_var_float(ncid, var, aerr) == NC_NOERR);
    CHECK(nc_inq_varid(ncid, "SSPS_ADJUSTED_QC", &var) == NC_NOERR &&
          nc_get_var_schar(ncid, var, aqc) == NC_NOERR);
    size_t off = 0;
    for (size_t i = 0; i < s->n; i++)
        off += fabsf(adj[i] - (float)a.value[VG_P_SSPS][i]) > 1e-4f ||
               fabsf(aerr[i] - (float)a.error[VG_P_SSPS][i]) > 1e-6f || aqc[i] != 1;
    CHECK_MSG(off == 0, "%zu rows differ", off);
    char hist[257] = "";
    CHECK(nc_inq_varid(ncid, "SSPS_ADJUSTED_HIST", &var) == NC_NOERR &&
          nc_get_var_text(ncid, var, hist) == NC_NOERR);
    CHECK(strncmp(hist, "corrected with 59 water samples", 31) == 0);
    nc_close(ncid);
    unlink(path);
    free(adj), free(aerr), free(aqc);
    vg_adjusted_free(&a);
    vg_dm_result_free(&r);
}

int main(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const char *seed = getenv("VIGIE_TEST_SEED"); /* to try other noise draws by hand */
    gsl_rng_set(rng, seed ? strtoul(seed, NULL, 10) : 20260601);
    vg_series s;
    vg_dm_samples w;
    simulate(&s, &w, rng);
    test_median(&s, &w);
    test_drift(&s, &w);
    test_rejects();
    test_csv();
    test_gosud(&s, &w);
    vg_series_free(&s);
    vg_dm_samples_free(&w);
    gsl_rng_free(rng);
    return check_summary();
}
