/* alert_plot.h: the small plot attached to an alert mail about a parameter
 * (alerts.attach_plot, docs/alerts.md "Plots in the mails"): the daemon reads the last
 * hours of the parameter from its store and draws them with the plot layer (cairo) as a
 * PNG, the points coloured by flag; the alerts layer, which links no plotting, gets the
 * bytes through its attachment callback (alerts.h, vg_alerts_set_attach). */
#ifndef VIGIE_DAEMON_ALERT_PLOT_H
#define VIGIE_DAEMON_ALERT_PLOT_H

#include "alerts/alerts.h"
#include "storage/store.h"

#define VG_ALERT_PLOT_WIDTH 640  /* pixels */
#define VG_ALERT_PLOT_HEIGHT 320

/* A vg_alerts_attach_fn; ctx is the daemon's writer store (vg_store *, borrowed), read in
 * the engine's open batch. The plot shows ev's parameter of ev's platform over the `hours`
 * (1..720) before the latest observation time of the event (its last time or last row),
 * real-time flags as stored: "PLATFORM_PARAM_YYYY-MM-DDTHH-MM-SSZ.png", 640 x 320.
 * VG_ERR_INVAL when there is no value to draw, VG_ERR_NOMEM, VG_ERR_DB. */
vg_err vg_alert_plot(void *ctx, const vg_alert_event *ev, double hours, vg_alerts_file *out,
                     vg_errinfo *err);

/* At exit, once the alerts are stopped: release cairo's and fontconfig's caches when a plot
 * was drawn (vg_plot_cleanup), so that leak checkers see none. */
void vg_alert_plot_cleanup(void);

#endif
