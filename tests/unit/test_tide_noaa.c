/* test_tide_noaa.c: predictions from a publisher's constituents against the publisher's own
 * predictions (issue 4, "Accuracy"): NOAA CO-OPS harmonic constituents of Honolulu (station
 * 1612340) through vigie's prediction, compared with NOAA's 6-minute predictions of
 * 2023-08-30/31. NOAA computes its constituents and predictions in Schureman's (NOS) system,
 * vigie in Foreman's: four names differ and three constituents have other arguments; the
 * conversion (Wallner's recipe, cited below) is part of what is tested. Needs no shared data:
 * the published numbers are quoted here with their sources. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/time.h"
#include "tide/astro.h"
#include "tide/constfile.h"
#include "tide/constituents.h"
#include "tide/model.h"
#include "tide/predict.h"

/* NOAA CO-OPS harmonic constituents, Honolulu 1612340, metres, phase GMT in degrees
 * (https://tidesandcurrents.noaa.gov/harcon.html?id=1612340, as mirrored in
 * openwatersio/tide-database data/noaa/1612340.json, commit 605955280f3c). The six
 * published with amplitude 0 (S4, S6, SSA, MSF, 2MK3, M8) are left out. `foreman` is the name
 * of the same constituent in Foreman's table (NOAA RHO, LAM2, M1: RHO1, LDA2, NO1). */
static const struct { const char *noaa, *foreman; double amp_m, phase_deg; } noaa_hc[] = {
    {"M2", "M2", 0.171, 59.4},    {"S2", "S2", 0.056, 54.7},     {"N2", "N2", 0.033, 48.8},
    {"K1", "K1", 0.149, 226.8},   {"M4", "M4", 0.001, 195.3},    {"O1", "O1", 0.081, 215.9},
    {"M6", "M6", 0.001, 229.7},   {"MK3", "MK3", 0.001, 342.6},  {"MN4", "MN4", 0.001, 92.9},
    {"NU2", "NU2", 0.007, 56.0},  {"MU2", "MU2", 0.004, 7.8},    {"2N2", "2N2", 0.004, 39.9},
    {"OO1", "OO1", 0.005, 251.7}, {"LAM2", "LDA2", 0.001, 76.2}, {"S1", "S1", 0.002, 210.0},
    {"M1", "NO1", 0.005, 232.5},  {"J1", "J1", 0.010, 238.3},    {"MM", "MM", 0.005, 43.4},
    {"SA", "SA", 0.048, 177.7},   {"MF", "MF", 0.006, 44.3},     {"RHO", "RHO1", 0.002, 195.4},
    {"Q1", "Q1", 0.014, 209.6},   {"T2", "T2", 0.004, 43.6},     {"R2", "R2", 0.001, 357.3},
    {"2Q1", "2Q1", 0.001, 231.0}, {"P1", "P1", 0.045, 224.9},    {"2SM2", "2SM2", 0.001, 199.8},
    {"M3", "M3", 0.001, 164.1},   {"L2", "L2", 0.004, 49.3},     {"K2", "K2", 0.016, 45.7},
    {"MS4", "MS4", 0.001, 104.0},
};
/* the station's datums, same source: MSL 1.412 m and MLLW 1.161 m above station datum; the
 * predictions below are relative to MLLW, so the mean level is MSL - MLLW */
#define NOAA_Z0_M (1.412 - 1.161)
#define NOAA_LAT 21.30333 /* 21 deg 18.2' N */

/* NOAA CO-OPS predictions for 1612340, 2023-08-30T00:00 to 2023-08-31T23:54 UTC every 6
 * minutes, metres above MLLW printed to 1 mm (here in mm), as downloaded from
 * tidesandcurrents.noaa.gov and stored in dankelley/oce-issues 21xx/2142/CO-OPS_1612340_met.csv
 * (commit 409b69667092, column "Predicted (m)"). */
static const short noaa_pred_mm[480] = {
    712, 721, 731, 739, 747, 754, 760, 765, 770, 774,
    776, 778, 780, 780, 779, 778, 776, 773, 769, 764,
    758, 752, 744, 736, 728, 718, 708, 697, 686, 674,
    661, 648, 634, 620, 606, 591, 575, 560, 544, 528,
    511, 495, 478, 461, 444, 427, 410, 394, 377, 360,
    344, 327, 311, 295, 279, 264, 249, 234, 220, 206,
    192, 179, 166, 154, 143, 132, 121, 111, 102, 93,
    85, 78, 71, 65, 60, 55, 51, 47, 45, 42,
    41, 40, 40, 41, 42, 44, 46, 49, 53, 57,
    62, 67, 72, 78, 85, 92, 99, 106, 114, 122,
    131, 139, 148, 157, 166, 175, 185, 194, 203, 213,
    222, 231, 240, 249, 258, 267, 275, 283, 291, 299,
    306, 313, 320, 326, 332, 337, 342, 346, 350, 354,
    357, 359, 361, 362, 362, 362, 362, 361, 359, 357,
    354, 350, 346, 342, 336, 331, 325, 318, 311, 303,
    295, 287, 278, 269, 260, 251, 241, 231, 221, 210,
    200, 190, 179, 169, 158, 148, 137, 127, 117, 107,
    98, 88, 79, 70, 62, 54, 46, 39, 32, 25,
    19, 13, 8, 4, 0, -4, -6, -9, -10, -11,
    -12, -11, -10, -9, -6, -3, 0, 5, 10, 16,
    22, 29, 37, 46, 55, 64, 75, 86, 98, 110,
    123, 136, 150, 164, 178, 194, 209, 225, 241, 257,
    274, 291, 308, 325, 343, 360, 378, 395, 412, 430,
    447, 464, 481, 498, 514, 531, 546, 562, 577, 592,
    606, 620, 634, 646, 659, 670, 681, 692, 701, 710,
    718, 726, 733, 739, 744, 748, 751, 754, 756, 757,
    757, 756, 754, 751, 748, 743, 738, 732, 725, 718,
    709, 700, 690, 680, 669, 657, 644, 631, 618, 604,
    589, 574, 559, 543, 527, 511, 494, 478, 461, 444,
    427, 410, 393, 376, 359, 342, 325, 309, 292, 276,
    261, 245, 230, 215, 201, 187, 173, 160, 148, 135,
    124, 113, 103, 93, 84, 75, 67, 60, 54, 48,
    43, 38, 35, 32, 29, 28, 27, 27, 27, 29,
    31, 33, 36, 40, 45, 50, 55, 62, 68, 76,
    83, 91, 100, 109, 118, 127, 137, 147, 157, 168,
    179, 189, 200, 211, 222, 233, 244, 254, 265, 276,
    286, 296, 307, 316, 326, 335, 344, 352, 361, 368,
    376, 383, 389, 395, 400, 405, 409, 413, 416, 419,
    421, 422, 422, 422, 422, 421, 419, 416, 413, 409,
    405, 400, 395, 389, 382, 375, 367, 359, 351, 342,
    333, 323, 313, 303, 293, 282, 271, 260, 249, 238,
    227, 216, 205, 194, 183, 172, 161, 150, 140, 130,
    120, 111, 102, 93, 84, 76, 69, 62, 55, 49,
    43, 38, 33, 29, 26, 23, 21, 19, 18, 18,
    18, 19, 21, 23, 26, 30, 35, 40, 45, 52,
    59, 67, 75, 84, 94, 104, 115, 126, 138, 151,
    163, 177, 191, 205, 219, 234, 249, 264, 280, 296,
    312, 328, 344, 360, 376, 392, 408, 424, 440, 456,
};

enum { CONV_NONE, CONV_WALLNER, CONV_NODAL_LP };

/* Foreman's amplitude and phase for a NOS constituent: Wallner's recipe for converting
 * Canadian (Foreman) constants to NOS ones, inverted (quoted in XTide's congen_input.txt,
 * "Constituent collisions", http://harmonics.unh.edu/xtide/congen_input.txt): NOS SA = Canadian
 * phase - 77.1 degrees; NOS S1 = Canadian phase + 154.3, amplitude x 0.699; NOS R2 = phase -
 * 5.1, amplitude x 1.233. (Foreman's SA argument is h - p', NOS's h: 77.1 is 360 - p'. S1 and
 * R2 carry satellites in Foreman's table, f about 0.70 and 1.23, none in NOS's.) How:
 * CONV_NONE uses the NOS values as they are (to show that the conversion matters),
 * CONV_WALLNER converts, CONV_NODAL_LP also gives MM and MF NOS's node factors. */
static vg_tide_coef foreman_coef(size_t i, int how)
{
    bool convert = how >= CONV_WALLNER;
    vg_tide_coef c = {.k = vg_tide_const_find(noaa_hc[i].foreman), .amp = noaa_hc[i].amp_m,
                      .phase_deg = noaa_hc[i].phase_deg, .amp_ci = NAN, .phase_ci_deg = NAN};
    if (convert && !strcmp(noaa_hc[i].noaa, "SA")) {
        c.phase_deg += 77.1;
    } else if (convert && !strcmp(noaa_hc[i].noaa, "S1")) {
        c.phase_deg -= 154.3;
        c.amp /= 0.699;
    } else if (convert && !strcmp(noaa_hc[i].noaa, "R2")) {
        c.phase_deg += 5.1;
        c.amp /= 1.233;
    }
    bool long_period = !strcmp(noaa_hc[i].noaa, "MM") || !strcmp(noaa_hc[i].noaa, "MF");
    if (how == CONV_NODAL_LP && long_period) {
        /* Foreman's table (as transcribed from t_tide's) gives MM and MF no satellites:
         * f = 1, u = 0. NOS applies Schureman's node factors, here as the series of Pugh
         * (1987), Tides, Surges and Mean Sea-Level, table 4.3, with N the longitude of the
         * Moon's node at the middle of the two days (it moves 0.1 degree in them). */
        vg_time_us tm;
        vg_time_from_fields(2023, 8, 31, 0, 0, 0, 0, &tm, NULL);
        vg_tide_astro a;
        vg_tide_astro_at(tm, &a);
        double n = -a.arg[4] * 2.0 * M_PI; /* N' = -N */
        if (!strcmp(noaa_hc[i].noaa, "MM")) {
            c.amp *= 1.000 - 0.130 * cos(n);
        } else {
            c.amp *= 1.043 + 0.414 * cos(n);
            c.phase_deg -= -23.7 * sin(n) + 2.7 * sin(2 * n) - 0.4 * sin(3 * n);
        }
    }
    c.phase_deg = fmod(fmod(c.phase_deg, 360.0) + 360.0, 360.0);
    return c;
}

/* mean and RMS (about zero and about the mean) of vigie minus NOAA, mm */
static void compare(int how, double *mean, double *rms, double *rms_centred)
{
    vg_tide_model m;
    vg_tide_model_init(&m);
    m.latitude_deg = NOAA_LAT;
    m.z0 = NOAA_Z0_M;
    for (size_t i = 0; i < sizeof noaa_hc / sizeof noaa_hc[0]; i++) {
        vg_tide_coef c = foreman_coef(i, how);
        CHECK_MSG(c.k >= 0, "%s", noaa_hc[i].foreman);
        CHECK(vg_tide_model_add(&m, &c) == VG_OK);
    }
    static vg_tide_predictor p;
    vg_errinfo err = {0};
    CHECK(vg_tide_predictor_init(&p, &m, &err) == VG_OK);
    vg_time_us t0;
    CHECK(vg_time_from_fields(2023, 8, 30, 0, 0, 0, 0, &t0, &err) == VG_OK);
    double s = 0, ss = 0;
    for (int i = 0; i < 480; i++) {
        double d = 1000.0 * vg_tide_predict_at(&p, t0 + (vg_time_us)i * 360 * 1000000) -
                   noaa_pred_mm[i];
        s += d;
        ss += d * d;
    }
    *mean = s / 480;
    *rms = sqrt(ss / 480);
    *rms_centred = sqrt(ss / 480 - *mean * *mean);
    vg_tide_model_free(&m);
}

static void test_noaa_honolulu(void)
{
    double mean, rms, rmsc;
    compare(CONV_WALLNER, &mean, &rms, &rmsc);
    printf("NOAA Honolulu 2023-08-30/31, 480 points: vigie - NOAA mean %+.2f mm, RMS %.2f mm, "
           "RMS about the mean %.2f mm\n", mean, rms, rmsc);
    /* The published constants are rounded to 1 mm and 0.1 degree: that rounding alone gives
     * 1.2 mm RMS (median of random roundings; 0.8 to 1.7 mm for 80 % of them,
     * docs/tide.md), so 1 mm cannot be asserted here; 1.5 mm is. The mean (+2 mm) is
     * mostly MF: its NOS node factor is 1.41 in 2023, Foreman's 1 (below). */
    CHECK_MSG(rmsc < 1.5, "RMS about the mean %.2f mm", rmsc);
    CHECK_MSG(fabs(mean) < 5.0, "mean %.2f mm", mean);
    CHECK_MSG(rms < 3.0, "RMS %.2f mm", rms);

    /* with NOS's node factors for MM and MF as well: within 1 mm RMS, no offset fitted */
    double mean_lp, rms_lp, rmsc_lp;
    compare(CONV_NODAL_LP, &mean_lp, &rms_lp, &rmsc_lp);
    printf("  with NOS node factors for MM and MF: mean %+.2f mm, RMS %.2f mm, "
           "centred %.2f mm\n", mean_lp, rms_lp, rmsc_lp);
    CHECK_MSG(rms_lp < 1.2 && fabs(mean_lp) < 1.0, "RMS %.2f mm, mean %.2f mm", rms_lp,
              mean_lp);

    /* without Wallner's conversion (SA, S1, R2 in NOS convention used as Foreman's) the
     * agreement is visibly worse: the test can tell */
    double mean_raw, rms_raw, rmsc_raw;
    compare(CONV_NONE, &mean_raw, &rms_raw, &rmsc_raw);
    printf("  same without converting SA, S1, R2: mean %+.2f mm, RMS %.2f mm, "
           "centred %.2f mm\n", mean_raw, rms_raw, rmsc_raw);
    CHECK(rms_raw > 10.0 && rmsc_raw > 2.0);
}

/* mean and RMS of vigie minus NOAA, mm, for a model already built */
static void compare_model(const vg_tide_model *m, double *mean, double *rms)
{
    static vg_tide_predictor p;
    vg_errinfo err = {0};
    CHECK(vg_tide_predictor_init(&p, m, &err) == VG_OK);
    vg_time_us t0;
    CHECK(vg_time_from_fields(2023, 8, 30, 0, 0, 0, 0, &t0, &err) == VG_OK);
    double s = 0, ss = 0;
    for (int i = 0; i < 480; i++) {
        double d = 1000.0 * vg_tide_predict_at(&p, t0 + (vg_time_us)i * 360 * 1000000) -
                   noaa_pred_mm[i];
        s += d;
        ss += d * d;
    }
    *mean = s / 480;
    *rms = sqrt(ss / 480);
}

/* `convention: nos`: NOAA's table copied as published (its names, its numbers, the six
 * zero constituents too) into a constituents file; reading and predicting apply the
 * conversion and NOS's node factors (tide/nos.h): the result of CONV_NODAL_LP above. */
static void test_nos_file(void)
{
    char path[] = "/tmp/vigie-noaa-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "# NOAA CO-OPS 1612340 Honolulu, harmonic constituents, metres, phase GMT\n"
               "station: Honolulu\nlatitude: %.5f\nunits: m\nphase: greenwich\n"
               "convention: nos\nz0: %.3f\nconstituents:\n", NOAA_LAT, NOAA_Z0_M);
    for (size_t i = 0; i < sizeof noaa_hc / sizeof noaa_hc[0]; i++)
        fprintf(f, "  - {name: %s, amplitude: %.3f, phase: %.1f}\n", noaa_hc[i].noaa,
                noaa_hc[i].amp_m, noaa_hc[i].phase_deg);
    const char *zeros[] = {"S4", "S6", "SSA", "MSF", "2MK3", "M8"};
    for (size_t i = 0; i < 6; i++)
        fprintf(f, "  - {name: %s, amplitude: 0, phase: 0}\n", zeros[i]);
    fclose(f);
    vg_tide_model m;
    vg_errinfo err = {0};
    CHECK_MSG(vg_tide_model_read(path, &m, &err) == VG_OK, "%s", err.text);
    CHECK(m.convention == VG_TIDE_NOS && m.n == 37);
    double mean, rms, mean_lp, rms_lp, rmsc_lp;
    compare_model(&m, &mean, &rms);
    compare(CONV_NODAL_LP, &mean_lp, &rms_lp, &rmsc_lp);
    printf("  from a file with convention: nos: mean %+.2f mm, RMS %.2f mm\n", mean, rms);
    CHECK_MSG(rms < 1.2 && fabs(mean) < 1.0, "RMS %.2f mm, mean %.2f mm", rms, mean);
    CHECK_MSG(fabs(rms - rms_lp) < 0.02, "%.3f vs %.3f mm", rms, rms_lp);
    /* written back and read again: the same tide (the file says convention: nos) */
    FILE *w = fopen(path, "w");
    CHECK(w && vg_tide_model_write(&m, w, path, NULL, &err) == VG_OK);
    if (w)
        fclose(w);
    vg_tide_model m2;
    CHECK_MSG(vg_tide_model_read(path, &m2, &err) == VG_OK, "%s", err.text);
    double mean2, rms2;
    compare_model(&m2, &mean2, &rms2);
    CHECK(m2.convention == VG_TIDE_NOS && fabs(rms2 - rms) < 1e-6);
    vg_tide_model_free(&m2);
    vg_tide_model_free(&m);
    /* the same file read as Foreman's: NOAA's names are unknown there */
    f = fopen(path, "w");
    fprintf(f, "latitude: 21.3\nphase: greenwich\nconstituents:\n"
               "  - {name: M2, amplitude: 0.171, phase: 59.4}\n"
               "  - {name: RHO, amplitude: 0.002, phase: 195.4}\n");
    fclose(f);
    CHECK(vg_tide_model_read(path, &m, &err) == VG_ERR_PARSE);
    CHECK_MSG(strstr(err.text, ":5: unknown constituent name 'RHO'") != NULL, "%s", err.text);
    f = fopen(path, "w");
    fprintf(f, "latitude: 21.3\nphase: greenwich\nconvention: schureman\nconstituents: []\n");
    fclose(f);
    CHECK(vg_tide_model_read(path, &m, &err) == VG_ERR_PARSE);
    CHECK_MSG(strstr(err.text, ":3: convention must be 'foreman'") != NULL, "%s", err.text);
    unlink(path);
}

int main(void)
{
    test_noaa_honolulu();
    test_nos_file();
    return check_summary();
}
