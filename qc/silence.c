/* silence.c: the silence watch of a platform (silence.h): two events per silence, one when
 * it is found (on the wall clock), one when the platform sends again. */
#include "qc/silence.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void vg_silence_init(vg_silence *w, const vg_platform_cfg *pf)
{
    *w = (vg_silence){.pf = pf, .last_time = VG_TIME_NONE, .last_received = VG_TIME_NONE};
    snprintf(w->platform, sizeof w->platform, "%s", pf->id);
}

void vg_silence_adopt(vg_silence *w, const vg_silence *old)
{
    w->last_time = old->last_time;
    w->last_received = old->last_received;
    w->silent = old->silent;
}

/* The event's parameter: SLEV for a tide gauge, else the platform's first parameter. */
static vg_param silence__param(const vg_platform_cfg *pf)
{
    if (pf->params & VG_PARAM_BIT(VG_P_SLEV))
        return VG_P_SLEV;
    return (vg_param)__builtin_ctz(pf->params); /* params is never 0 (config.h) */
}

static void silence__event(const vg_silence *w, vg_event *ev, vg_time_us last,
                           vg_time_us detected, double seconds)
{
    memset(ev, 0, sizeof *ev);
    snprintf(ev->platform, sizeof ev->platform, "%s", w->pf->id);
    ev->param = silence__param(w->pf);
    ev->kind = VG_EVENT_SILENCE;
    ev->first = w->last_time;
    ev->last = last;
    ev->detected = detected;
    ev->magnitude = seconds;
    ev->score = NAN;
    snprintf(ev->units, sizeof ev->units, "s");
}

void vg_silence_sample(vg_silence *w, vg_time_us t, vg_time_us received, vg_event_sink sink,
                       void *ctx)
{
    if (w->silent) {
        vg_event ev;
        double gap_s = (double)(t - w->last_time) / 1e6;
        silence__event(w, &ev, t, received, gap_s);
        char a[VG_TIME_ISO_LEN], b[VG_TIME_ISO_LEN];
        snprintf(ev.text, sizeof ev.text,
                 "%s: samples again from %s, after a silence of %.0f s (data time) since %s",
                 w->pf->id, vg_time_format_iso8601(t, b), gap_s,
                 vg_time_format_iso8601(w->last_time, a));
        sink(ctx, &ev);
        w->silent = false;
    }
    w->last_time = t;
    w->last_received = received;
}

void vg_silence_check(vg_silence *w, vg_time_us now, vg_event_sink sink, void *ctx)
{
    double after_s = w->pf->silence_after_s;
    if (w->silent || w->last_time == VG_TIME_NONE || !(after_s > 0))
        return;
    double quiet_s = (double)(now - w->last_received) / 1e6;
    if (quiet_s <= after_s)
        return;
    vg_event ev;
    silence__event(w, &ev, w->last_time, now, quiet_s);
    char a[VG_TIME_ISO_LEN];
    snprintf(ev.text, sizeof ev.text,
             "%s: no sample for %.0f s after the one of %s (silence_after_s %g, a sample "
             "expected every %g s)",
             w->pf->id, quiet_s, vg_time_format_iso8601(w->last_time, a), after_s,
             w->pf->interval_s);
    sink(ctx, &ev);
    w->silent = true;
}
