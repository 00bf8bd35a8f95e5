/* test_seawater.c: unit tests of core/seawater.h: PSS-78 against the TEOS-10 check values
 * (GSW's gsw_check_data.nc, read with netCDF-C, each value within its published tolerance),
 * the UNESCO 1983 check values, GSW values below SP 2 (Hill et al. extension), 10,000 real
 * SBE45 lines of NBP1406 (salinity and sound speed as the instrument computed them), round
 * trips C -> SP -> C and SP -> C -> SP over the whole range, and NaN / out-of-range inputs;
 * WGS84 normal gravity and the water column of a pressure tide gauge by hand.
 * The real-data checks print SKIP when ../shared/data is absent. */
#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "core/seawater.h"

#define T68 1.00024 /* UNESCO tables are in IPTS-68: t90 = t68 / 1.00024 */

/* ---- UNESCO 1983 check values (Fofonoff & Millard, p. 9 and 11; sound speed p. 48) ---- */

static void test_unesco(void)
{
    static const struct {
        double r, t68, p, sp, tol; /* tol: half a unit of the last published digit */
    } cases[] = {
        {1.0, 15, 0, 35.000000, 5e-7},
        {1.2, 20, 2000, 37.245628, 5e-7},
        {0.65, 5, 1500, 27.995347, 5e-7},
        /* SAL78's check value, t beyond the 35 degC of the range: the formula computes */
        {1.8880911555787682, 40, 10000, 40.00000, 5e-6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double c = cases[i].r * VG_SW_C3515_S_M, t = cases[i].t68 / T68, p = cases[i].p;
        CHECK_NEAR(vg_sw_sp_from_c(c, t, p), cases[i].sp, cases[i].tol);
        CHECK_NEAR(vg_sw_sp_from_c_pss78(c, t, p), cases[i].sp, cases[i].tol);
        /* back: R from the rounded SP, to the rounding divided by dSP/dR (about 30) */
        CHECK_NEAR(vg_sw_c_from_sp(cases[i].sp, t, p) / VG_SW_C3515_S_M, cases[i].r, 1e-7);
        CHECK_NEAR(vg_sw_c_from_sp_pss78(cases[i].sp, t, p) / VG_SW_C3515_S_M, cases[i].r,
                   1e-7);
    }
    /* Chen & Millero: SVEL = 1731.995 m/s at S 40, t68 40, 10000 dbar; and at the surface */
    CHECK_NEAR(vg_sw_sound_speed(40, 40 / T68, 10000), 1731.995, 5e-4);
    CHECK_NEAR(vg_sw_sound_speed(0, 0, 0), 1402.388, 1e-12);
}

/* ---- TEOS-10 check values ------------------------------------------------------------ */

#define NC_CAST 3
#define NC_LEN 45

static int nc_read(int nc, const char *name, double *out, size_t n_want)
{
    int id, ndims, dims[NC_MAX_VAR_DIMS];
    size_t n = 1;
    if (nc_inq_varid(nc, name, &id) != NC_NOERR || nc_inq_varndims(nc, id, &ndims) != NC_NOERR ||
        nc_inq_vardimid(nc, id, dims) != NC_NOERR) {
        fprintf(stderr, "gsw_check_data.nc: no variable %s\n", name);
        return -1;
    }
    for (int i = 0; i < ndims; i++) {
        size_t len;
        nc_inq_dimlen(nc, dims[i], &len);
        n *= len;
    }
    if (n != n_want) {
        fprintf(stderr, "gsw_check_data.nc: %s has %zu values, expected %zu\n", name, n, n_want);
        return -1;
    }
    return nc_get_var_double(nc, id, out) == NC_NOERR ? 0 : -1;
}

/* GSW's check: C_from_SP = gsw_c_from_sp(SP_chck_cast, t_chck_cast, p_chck_cast) and
 * SP_from_C = gsw_sp_from_c(C_from_SP, t, p), conductivity in mS/cm; each value must be
 * within the tolerance *_ca of the file. Cast 3 is shorter: its tail is NaN, and NaN in
 * must give NaN out. */
static void test_teos10(void)
{
    const char *dir = check_shared_data();
    if (!dir)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/teos10/gsw_check_data.nc", dir);
    int nc;
    if (nc_open(path, NC_NOWRITE, &nc) != NC_NOERR) {
        CHECK_MSG(0, "cannot open %s", path);
        return;
    }
    enum { N = NC_CAST * NC_LEN };
    static double sp[N], t[N], p[N], c_ref[N], sp_ref[N];
    double c_tol, sp_tol;
    int rc = nc_read(nc, "SP_chck_cast", sp, N) | nc_read(nc, "t_chck_cast", t, N) |
             nc_read(nc, "p_chck_cast", p, N) | nc_read(nc, "C_from_SP", c_ref, N) |
             nc_read(nc, "SP_from_C", sp_ref, N) | nc_read(nc, "C_from_SP_ca", &c_tol, 1) |
             nc_read(nc, "SP_from_C_ca", &sp_tol, 1);
    nc_close(nc);
    CHECK(rc == 0);
    if (rc != 0)
        return;

    double max_dc = 0, max_dsp = 0, max_dsp78 = 0;
    int n = 0, n_nan = 0;
    for (int i = 0; i < N; i++) {
        double c = vg_sw_c_from_sp(sp[i], t[i], p[i]) * 10;         /* S/m -> mS/cm */
        double s = vg_sw_sp_from_c(c_ref[i] / 10, t[i], p[i]);      /* mS/cm -> S/m */
        double s78 = vg_sw_sp_from_c_pss78(c_ref[i] / 10, t[i], p[i]);
        if (isnan(sp[i]) || isnan(t[i]) || isnan(p[i])) {
            CHECK(isnan(c) && isnan(s) && isnan(s78) && isnan(c_ref[i]));
            n_nan++;
            continue;
        }
        n++;
        CHECK_MSG(fabs(c - c_ref[i]) <= c_tol, "C_from_SP[%d]: %.15g vs %.15g", i, c, c_ref[i]);
        CHECK_MSG(fabs(s - sp_ref[i]) <= sp_tol, "SP_from_C[%d]: %.15g vs %.15g", i, s,
                  sp_ref[i]);
        max_dc = fmax(max_dc, fabs(c - c_ref[i]));
        max_dsp = fmax(max_dsp, fabs(s - sp_ref[i]));
        max_dsp78 = fmax(max_dsp78, fabs(s78 - sp_ref[i])); /* all SP > 2: same formula */
    }
    CHECK(n == 98 && n_nan == 37);
    CHECK(max_dsp78 <= sp_tol);
    printf("TEOS-10 check casts (%d values): C_from_SP max |diff| %.3g mS/cm (tolerance %.3g), "
           "SP_from_C max |diff| %.3g (tolerance %.3g)\n",
           n, max_dc, c_tol, max_dsp, sp_tol);
}

/* ---- below SP 2: the Hill et al. (1986) extension, against GSW ------------------------- */

static void test_hill(void)
{
    /* computed with GSW-Python 3.6.16 (Debian python3-gsw, GSW-C's gsw_sp_from_c and
     * gsw_c_from_sp); conductivity in mS/cm */
    static const struct {
        double c_mS_cm, t, p, sp;
    } fwd[] = {
        {0.5, 10.0, 0.0, 0.3436862083347589},
        {2.0, 25.0, 100.0, 1.0155769190260935},
        {1.5, 1.0, 1000.0, 1.3826833498646827},
        {0.05, 20.0, 0.0, 0.02490288968582115},
        {0.01, 5.0, 0.0, 0.0061858481596472155},
    };
    static const struct {
        double sp, t, p, c_mS_cm;
    } inv[] = {
        {0.1, 10.0, 0.0, 0.15010124531727775},
        {1.0, 25.0, 500.0, 1.9782339547454764},
        {1.9, -1.0, 3000.0, 1.9771131720207056},
        {0.01, 30.0, 0.0, 0.02713993522514593},
    };
    for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++) {
        CHECK_NEAR(vg_sw_sp_from_c(fwd[i].c_mS_cm / 10, fwd[i].t, fwd[i].p), fwd[i].sp, 1e-13);
        /* PSS-78 alone differs there: that is what the extension is for */
        CHECK(fabs(vg_sw_sp_from_c_pss78(fwd[i].c_mS_cm / 10, fwd[i].t, fwd[i].p) -
                   fwd[i].sp) > 1e-4);
    }
    for (size_t i = 0; i < sizeof inv / sizeof inv[0]; i++)
        CHECK_NEAR(vg_sw_c_from_sp(inv[i].sp, inv[i].t, inv[i].p) * 10, inv[i].c_mS_cm, 1e-13);

    /* the two meet at SP 2, at every temperature and pressure */
    for (double t = -2; t <= 35; t += 7.4)
        for (double p = 0; p <= 10000; p += 2500) {
            double c2 = vg_sw_c_from_sp_pss78(2.0, t, p);
            CHECK_NEAR(vg_sw_c_from_sp(2.0, t, p), c2, 1e-15);
            CHECK_NEAR(vg_sw_sp_from_c(c2 * (1 - 1e-12), t, p), 2.0, 1e-10);
            CHECK_NEAR(vg_sw_sp_from_c(c2 * (1 + 1e-12), t, p), 2.0, 1e-10);
        }

    /* fresh water: 0 at C = 0; just above, a dip below 0 (at most 2.6e-4 over -2..35 degC)
     * that is returned as computed, where GSW returns its invalid value */
    CHECK_NEAR(vg_sw_sp_from_c(0, 15, 0), 0, 1e-15);
    double dip = vg_sw_sp_from_c(3.5e-5, 16.5, 0);
    CHECK(dip < 0 && dip > -3e-4);
    /* the inverse takes the increasing branch: GSW's C_from_SP(0, 15, 0) = 1.3460e-3 mS/cm */
    CHECK_NEAR(vg_sw_c_from_sp(0, 15, 0) * 10, 0.0013459718190490257, 1e-12);
    double c = vg_sw_c_from_sp(-1e-4, 15, 0);
    CHECK(c > 0 && fabs(vg_sw_sp_from_c(c, 15, 0) + 1e-4) < 1e-15);
    CHECK(isnan(vg_sw_c_from_sp(-1e-3, 15, 0))); /* below the dip: no conductivity */
    /* PSS-78 alone: rises to a0 + f b0 at C = 0 (0.008 at 15 degC), NaN below its minimum */
    CHECK_NEAR(vg_sw_sp_from_c_pss78(0, 15 / T68, 0), 0.008, 1e-15);
    CHECK(isnan(vg_sw_c_from_sp_pss78(0.001, 20, 0)));
    CHECK(isfinite(vg_sw_c_from_sp_pss78(0.02, 20, 0)));
}

/* ---- round trips over the whole range ------------------------------------------------- */

static void test_round_trips(void)
{
    double max_sp = 0, max_c = 0;
    int bad = 0;
    for (double t = -2; t <= 35; t += 1.23)
        for (double p = 0; p <= 10000; p += 625)
            for (int i = 0; i <= 240; i++) {
                /* SP 0.01..2 logarithmically, then 2..42 */
                double sp = i < 40 ? 0.01 * pow(200, i / 40.0) : 2 + (i - 40) * 0.2;
                double c = vg_sw_c_from_sp(sp, t, p);
                double back = vg_sw_sp_from_c(c, t, p);
                double c2 = vg_sw_c_from_sp(back, t, p);
                max_sp = fmax(max_sp, fabs(back - sp));
                max_c = fmax(max_c, fabs(c2 - c) / c);
                if (!(fabs(back - sp) < 1e-13 && fabs(c2 - c) <= 1e-14 * c))
                    bad++;
                if (sp >= 2) { /* PSS-78 alone: the same numbers */
                    double c78 = vg_sw_c_from_sp_pss78(sp, t, p);
                    if (!(fabs(c78 - c) <= 2e-15 * c &&
                          fabs(vg_sw_sp_from_c_pss78(c78, t, p) - sp) < 1e-13))
                        bad++;
                }
            }
    CHECK_MSG(bad == 0, "%d round trips off (max |dSP| %.3g, max rel dC %.3g)", bad, max_sp,
              max_c);
    printf("round trips SP -> C -> SP: max |diff| %.3g; C -> SP -> C: max relative %.3g\n",
           max_sp, max_c);
}

/* ---- real SBE45 lines ------------------------------------------------------------------- */

/* NBP1406 tsg1 and tsg2: "ISO8601Z t, c, s, sv", t 4 decimals, c 5 (S/m), s 4, sv 3. The
 * instrument computed s (PSS-78, p = 0) and sv from its unrounded t and c: the rounding of
 * the four fields allows 1.3e-4 on SP and 7.5e-4 m/s on sv. */
static void test_sbe45(void)
{
    const char *dir = check_shared_data();
    if (!dir)
        return;
    static const char *files[] = {"NBP1406_tsg1-2014-08-01", "NBP1406_tsg2-2014-08-01"};
    for (size_t f = 0; f < 2; f++) {
        char path[1024], line[256];
        snprintf(path, sizeof path, "%s/tsg_nbp1406/%s", dir, files[f]);
        FILE *fp = fopen(path, "r");
        CHECK_MSG(fp != NULL, "cannot open %s", path);
        if (!fp)
            continue;
        int n = 0;
        double max_sp = 0, max_sv = 0;
        while (fgets(line, sizeof line, fp)) {
            double t, c, s, sv;
            if (sscanf(line, "%*s %lf, %lf, %lf, %lf", &t, &c, &s, &sv) != 4)
                continue;
            n++;
            max_sp = fmax(max_sp, fabs(vg_sw_sp_from_c_pss78(c, t, 0) - s));
            max_sp = fmax(max_sp, fabs(vg_sw_sp_from_c(c, t, 0) - s));
            max_sv = fmax(max_sv, fabs(vg_sw_sound_speed(s, t, 0) - sv));
        }
        fclose(fp);
        CHECK(n == 5000);
        CHECK_MSG(max_sp <= 2e-4, "%s: max |dSP| %g", files[f], max_sp);
        CHECK_MSG(max_sv <= 1e-3, "%s: max |dsv| %g", files[f], max_sv);
        printf("%s: %d lines, SP max |diff| %.3g, sound speed max |diff| %.3g m/s\n", files[f], n,
               max_sp, max_sv);
    }
}

/* ---- NaN and impossible inputs ------------------------------------------------------- */

static void test_nan(void)
{
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < 3; i++) {
        double x = bad[i];
        CHECK(isnan(vg_sw_sp_from_c(x, 10, 0)) && isnan(vg_sw_sp_from_c(4, x, 0)) &&
              isnan(vg_sw_sp_from_c(4, 10, x)));
        CHECK(isnan(vg_sw_sp_from_c_pss78(x, 10, 0)) && isnan(vg_sw_sp_from_c_pss78(4, x, 0)) &&
              isnan(vg_sw_sp_from_c_pss78(4, 10, x)));
        CHECK(isnan(vg_sw_c_from_sp(x, 10, 0)) && isnan(vg_sw_c_from_sp(35, x, 0)) &&
              isnan(vg_sw_c_from_sp(35, 10, x)));
        CHECK(isnan(vg_sw_c_from_sp_pss78(x, 10, 0)) && isnan(vg_sw_c_from_sp_pss78(35, x, 0)) &&
              isnan(vg_sw_c_from_sp_pss78(35, 10, x)));
        CHECK(isnan(vg_sw_sound_speed(x, 10, 0)) && isnan(vg_sw_sound_speed(35, x, 0)) &&
              isnan(vg_sw_sound_speed(35, 10, x)));
    }
    CHECK(isnan(vg_sw_sp_from_c(-0.1, 10, 0)) && isnan(vg_sw_sp_from_c_pss78(-1e-9, 10, 0)));
    CHECK(isnan(vg_sw_c_from_sp_pss78(-1, 10, 0)));
    CHECK(isnan(vg_sw_sound_speed(-0.5, 10, 0)));
    /* outside the valid ranges the formulas compute, they do not clamp */
    CHECK(vg_sw_sp_from_c(9.0, 30, 0) > 42);
    CHECK(isfinite(vg_sw_sp_from_c(4.0, -5, 0)) && isfinite(vg_sw_sp_from_c(4.0, 45, 0)));
    CHECK(isfinite(vg_sw_sp_from_c(4.0, 10, 12000)) && isfinite(vg_sw_sp_from_c(4.0, 10, -5)));
    CHECK_NEAR(vg_sw_sp_from_c(vg_sw_c_from_sp(50, 20, 0), 20, 0), 50, 1e-12);
}

/* ---- pressure tide gauges ------------------------------------------------------------ */

static void test_tide_gauge(void)
{
    /* NIMA TR8350.2 table 3.4: normal gravity at the equator and at the poles */
    CHECK_NEAR(vg_sw_gravity_wgs84(0), 9.7803253359, 1e-10);
    CHECK_NEAR(vg_sw_gravity_wgs84(90), 9.8321849378, 1e-9);
    CHECK_NEAR(vg_sw_gravity_wgs84(-90), 9.8321849378, 1e-9);
    /* 45 degrees: 9.80620 m/s^2 in the usual tables (5 decimals) */
    CHECK_NEAR(vg_sw_gravity_wgs84(45), 9.80620, 5e-6);
    CHECK(vg_sw_gravity_wgs84(-17.53) == vg_sw_gravity_wgs84(17.53));
    CHECK(isnan(vg_sw_gravity_wgs84(NAN)));
    CHECK(isnan(vg_sw_gravity_wgs84(91)));
    /* 20.1325 dbar under 1013.25 hPa: 201325 - 101325 = 100000 Pa of water;
     * 100000 / (1025 x 9.80665) = 9.948450858 m */
    CHECK_NEAR(vg_sw_water_column_m(20.1325, 1013.25, 1025, 9.80665), 9.948450858, 1e-9);
    /* the barometer effect: +1 hPa is -1 cm of water, 100 / (1025 x 9.80665) = 0.009948 m */
    CHECK_NEAR(vg_sw_water_column_m(20.1325, 1013.25, 1025, 9.80665) -
                   vg_sw_water_column_m(20.1325, 1014.25, 1025, 9.80665),
               0.0099484509, 1e-9);
    CHECK_NEAR(vg_sw_water_column_m(10.1325, 1013.25, 1025, 9.8), 0.0, 1e-12);
    CHECK(isnan(vg_sw_water_column_m(NAN, 1013.25, 1025, 9.8)));
    CHECK(isnan(vg_sw_water_column_m(20, NAN, 1025, 9.8)));
    CHECK(isnan(vg_sw_water_column_m(20, 1013, 0, 9.8)));
    CHECK(isnan(vg_sw_water_column_m(20, 1013, 1025, NAN)));
}

int main(void)
{
    test_unesco();
    test_teos10();
    test_hill();
    test_round_trips();
    test_sbe45();
    test_nan();
    test_tide_gauge();
    return check_summary();
}
