/* silence.h: the silence watch of one platform: a platform that sends no sample for
 * platforms[].silence_after_s (wall clock, from the reception of its last sample) raises
 * a `silence` event (core/event.h), and a second one, with the end, when a sample arrives
 * again. The daemon's engine checks it about once a second (a timer: no sample is needed
 * to find a silence) and stores, publishes and mails the events as the sea-level ones
 * (docs/qc.md, "Events"). Plain state, no allocation; one per platform. */
#ifndef VIGIE_QC_SILENCE_H
#define VIGIE_QC_SILENCE_H

#include <stdbool.h>

#include "core/config.h"
#include "core/event.h"
#include "qc/sealevel_monitor.h"

typedef struct vg_silence {
    const vg_platform_cfg *pf;  /* borrowed: the platform watched */
    char platform[VG_PLATFORM_MAX]; /* its id (a copy: survives the configuration) */
    vg_time_us last_time;       /* data time of the last sample, VG_TIME_NONE before one */
    vg_time_us last_received;   /* its reception by the daemon (its clock), UTC */
    bool silent;                /* the start event was raised, the end not yet */
} vg_silence;

/* Start watching pf (borrowed; it must outlive w). Nothing is watched until the first
 * sample: a platform not heard since the start has no "last sample" to be silent after. */
void vg_silence_init(vg_silence *w, const vg_platform_cfg *pf);

/* After a reload: w (initialised for the new configuration) takes over the state of old,
 * the watch of the same platform id under the previous one (which may be freed). */
void vg_silence_adopt(vg_silence *w, const vg_silence *old);

/* A sample of the platform was accepted (data time t, received at `received`, both UTC
 * us; t after every earlier one; `received` on the same clock as vg_silence_check's `now`:
 * the daemon's, not a remote feed's stamp). When the platform was silent, raises the end event
 * through sink: first = the last sample before the silence, last = t, magnitude = t - first
 * in seconds (data time). */
void vg_silence_sample(vg_silence *w, vg_time_us t, vg_time_us received, vg_event_sink sink,
                       void *ctx);

/* The wall clock is `now` (UTC us): when the platform has been heard from and nothing came
 * for more than silence_after_s (not 0), raises the start event once: first = last = the
 * last sample's data time, detected = now, magnitude = seconds since its reception. */
void vg_silence_check(vg_silence *w, vg_time_us now, vg_event_sink sink, void *ctx);

#endif
