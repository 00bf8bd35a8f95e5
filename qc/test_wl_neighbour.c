/* test_wl_neighbour.c: QARTOD water level "neighbour" test of a gauge's SLEV against a
 * second sensor: `reference: pressure`, the sea level of the same gauge's pressure sensor,
 * (BPRS - ATMS) / (rho g) with the platform's density and gravity; or `reference:
 * neighbour`, the SLEV of the nearby gauge named by platforms[].neighbour, its sample
 * nearest in time within tolerance_s (qc/peers.h). The two stand on different datums, so
 * their difference d = SLEV - reference is compared with the median of the differences of
 * the previous window_s seconds (at most 256 pairs): |d - median| above suspect_threshold
 * -> 3, above fail_threshold -> 4 (QARTOD: 3 and 5 cm), else 1; 0 (not evaluated) while
 * fewer than min_count earlier pairs are in the window, and on a sample without its
 * reference (no pressures, or SLEV computed from them; no neighbour's sample close enough
 * in time, or no neighbours' store: batch runs). docs/qc.md, "Water-level neighbour". */
#include <gsl/gsl_statistics_double.h>
#include <math.h>

#include "core/config.h"
#include "core/seawater.h"
#include "qc/peers.h"
#include "qc/test.h"

#define WLN_RING 256

typedef struct wln_state {
    unsigned head, count; /* ring of the last differences, oldest overwritten */
    vg_time_us t[WLN_RING];
    double d[WLN_RING];
} wln_state;

/* Values of option 0, `reference`. */
static const char *const wln_refs[] = {"pressure", "neighbour", NULL};

static const vg_qc_opt_spec wln_opts[] = {
    {"reference", 0, 1, "the second sensor: pressure (BPRS and ATMS of the same sample) or "
                        "neighbour (platforms[].neighbour's SLEV)"},
    {"suspect_threshold", 0, 10, "departure of the difference above which SLEV is suspect, m"},
    {"fail_threshold", 0, 10, "departure of the difference above which SLEV fails, m"},
    {"window_s", 600, 604800, "trailing window of the reference difference (datum offset), s"},
    {"min_count", 1, WLN_RING, "earlier pairs needed in the window"},
    {"tolerance_s", 0, 3600, "neighbour: farthest time of its sample from the one judged, s; "
                             "0: half the platform's interval_s"},
};

static bool wln_defaults(int p, double *o)
{
    if (p != VG_P_SLEV)
        return false;
    o[0] = 0;     /* pressure */
    o[1] = 0.03;  /* QARTOD water level, neighbour test: > 3 cm suspect ... */
    o[2] = 0.05;  /* ... > 5 cm fail */
    o[3] = 86400; /* the offset of the last day */
    o[4] = 3;
    o[5] = 0;     /* half the interval */
    return true;
}

/* The sea level of the second sensor at w->cur, m on its own datum; NaN when it has none. */
static double wln_reference(const double *o, const vg_qc_window *w)
{
    const vg_sample *s = w->cur;
    const vg_platform_cfg *pf = w->pf;
    if (!pf)
        return NAN;
    if (o[0] == 1) { /* neighbour */
        if (!pf->neighbour[0] || pf->neighbour_index < 0)
            return NAN;
        double tol_s = o[5] > 0 ? o[5] : pf->interval_s / 2;
        double v;
        vg_time_us at;
        if (!vg_qc_peers_near(w->peers, (size_t)pf->neighbour_index, s->time,
                              llround(tol_s * 1e6), &v, &at))
            return NAN;
        return v;
    }
    if ((w->derived & VG_PARAM_BIT(VG_P_SLEV)) || !vg_sample_has(s, VG_P_BPRS) ||
        !vg_sample_has(s, VG_P_ATMS))
        return NAN;
    return vg_sw_water_column_m(s->value[VG_P_BPRS], s->value[VG_P_ATMS],
                                pf->water_density_kg_m3, pf->gravity_m_s2);
}

static vg_flag wln_run(const double *o, void *state, const vg_qc_window *w, int p)
{
    wln_state *st = state;
    double ref = wln_reference(o, w);
    if (isnan(ref))
        return VG_FLAG_NO_QC;
    vg_time_us now = w->cur->time;
    double d = w->cur->value[p] - ref;
    double prev[WLN_RING];
    size_t m = 0;
    vg_time_us from = now - llround(o[3] * 1e6);
    for (unsigned k = 0; k < st->count; k++) {
        unsigned i = (st->head + WLN_RING - 1 - k) % WLN_RING;
        if (st->t[i] < from)
            break;
        prev[m++] = st->d[i];
    }
    /* Every difference enters the window, flagged or not: the median ignores a spike, and a
     * lasting step (one sensor moved) becomes the offset after half a window. */
    st->t[st->head] = now;
    st->d[st->head] = d;
    st->head = (st->head + 1) % WLN_RING;
    if (st->count < WLN_RING)
        st->count++;
    if ((double)m < o[4])
        return VG_FLAG_NO_QC;
    double dev = fabs(d - gsl_stats_median(prev, 1, m));
    return dev > o[2] ? VG_FLAG_BAD : dev > o[1] ? VG_FLAG_PROBABLY_BAD : VG_FLAG_GOOD;
}

const vg_qc_test vg_qc_wl_neighbour = {
    .id = 28,
    .name = "wl_neighbour",
    .summary = "SLEV minus the second sensor's level departs from their recent median "
               "difference by more than suspect_threshold -> 3, fail_threshold -> 4",
    .source = "QARTOD water level (2021) neighbour test (3 and 5 cm), against the gauge's "
              "pressure sensor or a nearby gauge, with the datum offset removed",
    .target = VG_QC_ON_PARAM,
    .opts = wln_opts,
    .n_opts = 6,
    .words = wln_refs,
    .defaults = wln_defaults,
    .state_size = sizeof(wln_state),
    .run = wln_run,
};
