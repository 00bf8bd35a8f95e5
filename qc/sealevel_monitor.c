/* sealevel_monitor.c: the daily datum-shift and clock-offset watch of one tide gauge
 * (sealevel_monitor.h) over a ring of its last 33 days, with the record checks of
 * qc/sealevel.h. */
#include "qc/sealevel_monitor.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sample.h"
#include "qc/sealevel.h"
#include "tide/predict.h"

#define SLM_US_PER_DAY INT64_C(86400000000)
#define SLM_SPIKE_LAG_US (INT64_C(6) * 3600 * 1000000) /* half the spike fit's 12 h window */
#define SLM_MAX_SPIKES 64 /* spikes found per analysis: the events of one day at most */

struct vg_sl_monitor {
    char platform[VG_PLATFORM_MAX];
    vg_tide_predictor pred;
    vg_time_us keep_step;  /* smallest spacing kept (decimation of fast gauges), us */
    size_t cap, head, n;   /* ring: oldest at (head - n) mod cap */
    vg_time_us *t;
    double *h;
    /* scratch of one analysis, cap each: the ring in time order and the flags */
    vg_time_us *lt;
    double *lh;
    vg_flag *fl;
    vg_time_us last_t;
    vg_time_us offset;     /* analysis offset after midnight, us (vg_sl_monitor_new) */
    int64_t last_day;      /* UTC day of (the last sample added - offset) */
    bool due;
    vg_slm_status status;
    /* The last datum shift reported: a run found again (overlapping or following it on the
     * same side, as the ring moves on) is the same shift, not a new event. */
    vg_time_us shift_last;  /* its last time (extended as it is found again); NONE if none */
    double shift_step;      /* its step, m */
    double clock_prev;      /* reportable offset of the previous analysis, minutes, or NaN */
    double clock_reported;  /* offset last reported, minutes; NaN if none */
};

static int64_t slm__day(vg_time_us t)
{
    return t / SLM_US_PER_DAY - (t % SLM_US_PER_DAY < 0);
}

double vg_sl_monitor_offset_s(const char *platform, double spread_s)
{
    if (!(spread_s >= 1))
        return 0;
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a, 64 bits */
    for (const unsigned char *c = (const unsigned char *)platform; *c; c++)
        h = (h ^ *c) * UINT64_C(1099511628211);
    return (double)(h % (uint64_t)spread_s);
}

vg_err vg_sl_monitor_new(const char *platform, const vg_tide_model *m, double interval_s,
                         double offset_s, vg_sl_monitor **out, vg_errinfo *err)
{
    if (!(interval_s > 0))
        return vg_fail(err, VG_ERR_INVAL, "%s: sea-level monitor: interval %g s", platform,
                       interval_s);
    if (!(offset_s >= 0 && offset_s <= 43200))
        return vg_fail(err, VG_ERR_INVAL, "%s: sea-level monitor: offset %g s", platform,
                       offset_s);
    vg_sl_monitor *mo = calloc(1, sizeof *mo);
    if (!mo)
        return vg_fail(err, VG_ERR_NOMEM, "%s: no memory for the sea-level monitor", platform);
    snprintf(mo->platform, sizeof mo->platform, "%s", platform);
    vg_err rc = vg_tide_predictor_init(&mo->pred, m, err);
    if (rc != VG_OK) {
        free(mo);
        return rc;
    }
    double span_s = VG_SLM_DAYS * 86400.0;
    double step_s = fmax(interval_s, span_s / VG_SLM_MAX_SAMPLES);
    /* a gauge a little early must not lose every other sample: keep from 90 % of the step */
    mo->keep_step = step_s > interval_s ? (vg_time_us)(step_s * 1e6) : (vg_time_us)(0.9 * interval_s * 1e6);
    mo->cap = (size_t)ceil(span_s / step_s) + 2;
    if (mo->cap > VG_SLM_MAX_SAMPLES + 2)
        mo->cap = VG_SLM_MAX_SAMPLES + 2;
    mo->t = malloc(mo->cap * sizeof *mo->t);
    mo->h = malloc(mo->cap * sizeof *mo->h);
    mo->lt = malloc(mo->cap * sizeof *mo->lt);
    mo->lh = malloc(mo->cap * sizeof *mo->lh);
    mo->fl = malloc(mo->cap * sizeof *mo->fl);
    if (!mo->t || !mo->h || !mo->lt || !mo->lh || !mo->fl) {
        vg_sl_monitor_free(mo);
        return vg_fail(err, VG_ERR_NOMEM, "%s: no memory for the sea-level monitor", platform);
    }
    mo->last_t = VG_TIME_NONE;
    mo->offset = (vg_time_us)llround(offset_s * 1e6);
    mo->last_day = INT64_MIN;
    mo->status.shift_m = mo->status.clock_min = NAN;
    mo->clock_reported = mo->clock_prev = NAN;
    mo->shift_last = VG_TIME_NONE;
    *out = mo;
    return VG_OK;
}

void vg_sl_monitor_free(vg_sl_monitor *mo)
{
    if (!mo)
        return;
    free(mo->t);
    free(mo->h);
    free(mo->lt);
    free(mo->lh);
    free(mo->fl);
    free(mo);
}

void vg_sl_monitor_add(vg_sl_monitor *mo, vg_time_us t, double slev_m)
{
    if (!isfinite(slev_m) || (mo->last_t != VG_TIME_NONE && t - mo->last_t < mo->keep_step))
        return;
    int64_t day = slm__day(t - mo->offset);
    if (mo->last_day != INT64_MIN && day > mo->last_day)
        mo->due = true;
    mo->last_day = day;
    mo->last_t = t;
    mo->t[mo->head] = t;
    mo->h[mo->head] = slev_m;
    mo->head = (mo->head + 1) % mo->cap;
    if (mo->n < mo->cap)
        mo->n++;
}

bool vg_sl_monitor_due(const vg_sl_monitor *mo) { return mo->due; }

const vg_slm_status *vg_sl_monitor_status(const vg_sl_monitor *mo) { return &mo->status; }

size_t vg_sl_monitor_bytes(const vg_sl_monitor *mo)
{
    return sizeof *mo + mo->cap * (2 * sizeof *mo->t + 2 * sizeof *mo->h + sizeof *mo->fl);
}

/* True if the run [first, last] with this step continues the last reported shift; extends
 * it. */
static bool slm__reported(vg_sl_monitor *mo, vg_time_us first, vg_time_us last, double step)
{
    if (mo->shift_last == VG_TIME_NONE || first > mo->shift_last + SLM_US_PER_DAY ||
        (step > 0) != (mo->shift_step > 0))
        return false;
    if (last > mo->shift_last)
        mo->shift_last = last;
    return true;
}

static void slm__event(const vg_sl_monitor *mo, vg_event_kind kind, vg_time_us first,
                       vg_time_us last, vg_time_us detected, vg_event *ev)
{
    memset(ev, 0, sizeof *ev);
    snprintf(ev->platform, sizeof ev->platform, "%s", mo->platform);
    ev->param = VG_P_SLEV;
    ev->kind = kind;
    ev->first = first;
    ev->last = last;
    ev->detected = detected;
}

vg_err vg_sl_monitor_run(vg_sl_monitor *mo, vg_event_sink sink, void *ctx, vg_errinfo *err)
{
    mo->due = false;
    size_t n = mo->n;
    for (size_t k = 0; k < n; k++) {
        size_t i = (mo->head + mo->cap - n + k) % mo->cap;
        mo->lt[k] = mo->t[i];
        mo->lh[k] = mo->h[i];
    }
    vg_slm_status st = {.analysed = false, .shift_m = NAN, .clock_min = NAN};
    if (n == 0) {
        mo->status = st;
        return VG_OK;
    }
    vg_time_us end = mo->lt[n - 1];
    /* The last complete day: the one before the newest sample's (offset_s after its
     * midnight: the day being judged is still the one before). */
    int64_t last_full_day = slm__day(end - mo->offset) - 1;

    vg_sl_event sev[8];
    size_t nsev = 0;
    vg_err rc = vg_sl_datum_shifts(&mo->pred, mo->lt, mo->lh, n, NULL, mo->fl, sev,
                                   sizeof sev / sizeof sev[0], &nsev, err);
    if (rc == VG_ERR_NOMEM)
        return rc;
    if (rc == VG_OK) {
        /* judged: at least one day had its lunar month of reference */
        for (size_t k = 0; k < n && !st.analysed; k++)
            st.analysed = mo->fl[k] != VG_FLAG_NO_QC;
        if (nsev > sizeof sev / sizeof sev[0])
            nsev = sizeof sev / sizeof sev[0];
        for (size_t k = 0; k < nsev; k++) {
            if (slm__day(sev[k].t_end) >= last_full_day) {
                st.datum_shift = true;
                st.shift_m = sev[k].magnitude;
            }
            if (slm__reported(mo, sev[k].t_start, sev[k].t_end, sev[k].magnitude))
                continue;
            mo->shift_last = sev[k].t_end;
            mo->shift_step = sev[k].magnitude;
            vg_event ev;
            slm__event(mo, VG_EVENT_DATUM_SHIFT, sev[k].t_start, sev[k].t_end, end, &ev);
            ev.magnitude = sev[k].magnitude;
            ev.score = sev[k].score;
            snprintf(ev.units, sizeof ev.units, "m");
            snprintf(ev.text, sizeof ev.text,
                     "%s: datum shift of SLEV by %+.3f m: the daily mean residual left the "
                     "previous lunar month's range",
                     mo->platform, sev[k].magnitude);
            sink(ctx, &ev);
        }
    }

    /* Spikes on the residual of the day that ends 6 h before the newest complete day ends:
     * [D 00:00 - 6 h, D 24:00 - 6 h), D the last complete day, so that each has its whole
     * 12-hour window around it (the data run to D+1 00:00); the fit sees 12 h on each side
     * of that stretch. Each spike is one event (at most SLM_MAX_SPIKES a day). */
    vg_time_us sp_from = last_full_day * SLM_US_PER_DAY - SLM_SPIKE_LAG_US;
    vg_time_us sp_to = sp_from + SLM_US_PER_DAY;
    size_t s0 = n;
    while (s0 > 0 && mo->lt[s0 - 1] >= sp_from - 2 * SLM_SPIKE_LAG_US)
        s0--;
    vg_sl_event spk[SLM_MAX_SPIKES];
    size_t nspk = 0;
    vg_errinfo serr;
    rc = vg_sl_spikes(&mo->pred, mo->lt + s0, mo->lh + s0, n - s0, NULL, mo->fl + s0, spk,
                      SLM_MAX_SPIKES, &nspk, &serr);
    if (rc == VG_ERR_NOMEM)
        return vg_fail(err, rc, "%s", serr.text);
    if (rc == VG_OK) {
        if (nspk > SLM_MAX_SPIKES)
            nspk = SLM_MAX_SPIKES;
        for (size_t k = 0; k < nspk; k++) {
            if (spk[k].t_start < sp_from || spk[k].t_start >= sp_to)
                continue;
            vg_event ev;
            slm__event(mo, VG_EVENT_SPIKE, spk[k].t_start, spk[k].t_end, end, &ev);
            ev.magnitude = spk[k].magnitude;
            ev.score = spk[k].score;
            snprintf(ev.units, sizeof ev.units, "m");
            snprintf(ev.text, sizeof ev.text,
                     "%s: spike of SLEV, %+.3f m off the local residual curve (%.1f scaled "
                     "MAD)",
                     mo->platform, spk[k].magnitude, spk[k].score);
            sink(ctx, &ev);
        }
    }

    /* Clock offset over the last VG_SLM_CLOCK_DAYS days. */
    vg_time_us from = end - VG_SLM_CLOCK_DAYS * SLM_US_PER_DAY;
    size_t k0 = n;
    while (k0 > 0 && mo->lt[k0 - 1] > from)
        k0--;
    vg_sl_event clk;
    vg_errinfo cerr;
    rc = vg_sl_clock_offset(&mo->pred, mo->lt + k0, mo->lh + k0, n - k0, 120, &clk, &cerr);
    if (rc == VG_ERR_NOMEM)
        return vg_fail(err, rc, "%s", cerr.text);
    if (rc == VG_OK) {
        st.clock_checked = true;
        st.clock_min = clk.magnitude;
        st.clock_offset = fabs(clk.magnitude) >= VG_SLM_CLOCK_MIN &&
                          fabs(clk.magnitude) > 3 * clk.score;
        /* Reported when two analyses in a row agree within 1 minute (a window that holds
         * the change of the clock half-way gives a value in between), and again when it
         * moved by 1 minute or more since reported. */
        bool stable = st.clock_offset && !isnan(mo->clock_prev) &&
                      fabs(clk.magnitude - mo->clock_prev) < 1.0;
        mo->clock_prev = st.clock_offset ? clk.magnitude : NAN;
        if (stable &&
            (isnan(mo->clock_reported) || fabs(clk.magnitude - mo->clock_reported) >= 1.0)) {
            mo->clock_reported = clk.magnitude;
            vg_event ev;
            slm__event(mo, VG_EVENT_CLOCK_OFFSET, clk.t_start, clk.t_end, end, &ev);
            ev.magnitude = clk.magnitude;
            ev.score = clk.score;
            snprintf(ev.units, sizeof ev.units, "min");
            snprintf(ev.text, sizeof ev.text,
                     "%s: the clock is %s by %.1f minutes (+-%.1f): the observed tide %s the "
                     "prediction",
                     mo->platform, clk.magnitude > 0 ? "fast" : "slow", fabs(clk.magnitude),
                     clk.score, clk.magnitude > 0 ? "lags" : "leads");
            sink(ctx, &ev);
        } else if (!st.clock_offset) {
            mo->clock_reported = NAN;
        }
    } else {
        mo->clock_prev = NAN;
    }
    mo->status = st;
    return VG_OK;
}
