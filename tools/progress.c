/* progress.c: the terminal progress bar (progress.h). */
#include "tools/progress.h"

#include <stdio.h>
#include <unistd.h>

#include "core/time.h"

#define PROGRESS_WIDTH 40

void vg_progress_start(vg_progress *p, const char *label, bool quiet)
{
    p->label = label;
    p->on = !quiet && isatty(STDERR_FILENO);
    p->last_us = 0;
}

void vg_progress_update(void *ctx, size_t done, size_t total)
{
    vg_progress *p = ctx;
    if (!p->on || !total)
        return;
    int64_t now = vg_time_mono_us();
    if (done < total && now - p->last_us < 100000)
        return;
    p->last_us = now;
    int fill = (int)((double)done / (double)total * PROGRESS_WIDTH);
    char bar[PROGRESS_WIDTH + 1];
    for (int i = 0; i < PROGRESS_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[PROGRESS_WIDTH] = '\0';
    fprintf(stderr, "\r%s [%s] %3d%% %zu/%zu", p->label, bar,
            (int)(100.0 * (double)done / (double)total), done, total);
    fflush(stderr);
}

void vg_progress_end(vg_progress *p)
{
    if (p->on) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
}
