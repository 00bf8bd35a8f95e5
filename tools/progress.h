/* progress.h: a progress bar for long operations of the command-line tools, drawn on
 * standard error only when it is a terminal (quiet when piped or redirected, so logs and
 * scripts never see it), redrawn at most 10 times a second, erased at the end. */
#ifndef VIGIE_TOOLS_PROGRESS_H
#define VIGIE_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vg_progress {
    const char *label;  /* borrowed, e.g. "reprocess" */
    bool on;            /* stderr is a terminal and not disabled */
    int64_t last_us;    /* monotonic time of the last redraw */
} vg_progress;

/* Start a bar labelled `label`; quiet: never draw (--quiet). */
void vg_progress_start(vg_progress *p, const char *label, bool quiet);

/* Show done of total (units of the caller); matches vg_dm_progress. */
void vg_progress_update(void *p, size_t done, size_t total);

/* Erase the bar. */
void vg_progress_end(vg_progress *p);

#endif
