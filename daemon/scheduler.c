/* scheduler.c: the scheduled export thread (scheduler.h): one child `vigie export` per
 * platform and month, its printed path queued for upload. */
#include "daemon/scheduler.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

extern char **environ;

typedef struct sched_platform {
    char id[VG_PLATFORM_MAX];
    vg_platform_kind kind;
} sched_platform;

struct vg_scheduler {
    char exe[PATH_MAX];   /* the running binary, resolved at start (also under valgrind) */
    char *config_path, *storage, *dir, *upload_to;
    sched_platform *pl;
    size_t n_pl;
    int every_s;
    vg_outbox *ob;
    vg_uploader *up;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_bool stop;
};

/* Read fd to its end into buf (cap bytes, NUL-terminated; the rest is dropped). */
static void sched__drain(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char tmp[512];
        ssize_t k = read(fd, tmp, sizeof tmp);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        size_t take = (size_t)k < cap - 1 - n ? (size_t)k : cap - 1 - n;
        memcpy(buf + n, tmp, take);
        n += take;
    }
    buf[n] = '\0';
}

/* Export platform p from `from` (a month's first instant) to `to`, queue the file. */
static void sched__export(vg_scheduler *s, const sched_platform *p, vg_time_us from, vg_time_us to)
{
    char f[VG_TIME_ISO_LEN], t[VG_TIME_ISO_LEN];
    vg_time_format_iso8601(from, f);
    vg_time_format_iso8601(to, t);
    const char *fmt = p->kind == VG_KIND_TSG ? "gosud" : "instac";
    const char *argv[24];
    int a = 0;
    argv[a++] = "vigie";
    argv[a++] = "export";
    if (s->config_path) {
        argv[a++] = "-c";
        argv[a++] = s->config_path;
    } else {
        argv[a++] = "--kind";
        argv[a++] = vg_kind_name(p->kind);
    }
    argv[a++] = "-s";
    argv[a++] = s->storage;
    argv[a++] = "--platform";
    argv[a++] = p->id;
    argv[a++] = "--format";
    argv[a++] = fmt;
    argv[a++] = "--data-mode"; /* the real-time file, even of reprocessed data */
    argv[a++] = "R";
    argv[a++] = "--from";
    argv[a++] = f;
    argv[a++] = "--to";
    argv[a++] = t;
    argv[a++] = "-o";
    argv[a++] = s->dir;
    argv[a] = NULL;
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) {
        vg_error("scheduled export of %s: pipe: %s", p->id, strerror(errno));
        return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, err[0]);
    /* The child gets default signal handling: this thread blocks every signal and the
     * daemon ignores SIGPIPE, and both would be inherited. */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none, pipe_only;
    sigemptyset(&none);
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &pipe_only);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int e = posix_spawn(&pid, s->exe, &fa, &at, (char *const *)argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(err[1]);
    char path[4096], why[1024];
    if (e == 0) {
        sched__drain(out[0], path, sizeof path);
        sched__drain(err[0], why, sizeof why);
    }
    close(out[0]);
    close(err[0]);
    if (e != 0) {
        vg_error("scheduled export of %s: cannot run vigie export: %s", p->id, strerror(e));
        return;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    path[strcspn(path, "\n")] = '\0';
    why[strcspn(why, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !path[0]) {
        if (strstr(why, "no samples")) /* a quiet platform: nothing to write */
            vg_debug("scheduled export of %s from %s: %s", p->id, f, why);
        else
            vg_warn("scheduled export of %s from %s failed: %s", p->id, f, why);
        return;
    }
    vg_info("scheduled export of %s: %s", p->id, path);
    if (!s->upload_to)
        return;
    size_t len = strlen(s->upload_to) + 1 + strlen(path);
    char *payload = malloc(len + 1);
    vg_errinfo ve;
    uint64_t id;
    if (!payload)
        return;
    snprintf(payload, len + 1, "%s\n%s", s->upload_to, path);
    if (vg_outbox_put(s->ob, NULL, VG_UPLOAD_QUEUE, payload, len, vg_time_now(), &id, &ve) != VG_OK)
        vg_error("scheduled export of %s: queueing %s: %s", p->id, path, ve.text);
    else
        vg_info("upload %llu queued: %s to %s", (unsigned long long)id, path, s->upload_to);
    free(payload);
    vg_uploader_wake(s->up);
}

/* First instant of the month holding t. */
static vg_time_us sched__month_start(vg_time_us t)
{
    int y, m;
    vg_time_to_fields(t, &y, &m, NULL, NULL, NULL, NULL, NULL);
    return vg_days_from_civil(y, (unsigned)m, 1) * 86400 * VG_US_PER_S;
}

static void sched__run(vg_scheduler *s)
{
    vg_time_us now = vg_time_now(), month = sched__month_start(now);
    vg_time_us since = now - (vg_time_us)s->every_s * VG_US_PER_S;
    for (size_t i = 0; i < s->n_pl && !atomic_load(&s->stop); i++) {
        if (since < month) /* the previous month's last hours */
            sched__export(s, &s->pl[i], sched__month_start(month - 1), month - 1);
        sched__export(s, &s->pl[i], month, now);
    }
}

static void *sched__main(void *arg)
{
    vg_scheduler *s = arg;
    sigset_t all; /* signals are the event loop's business */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    while (!atomic_load(&s->stop)) {
        sched__run(s);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += s->every_s;
        pthread_mutex_lock(&s->mu);
        while (!atomic_load(&s->stop))
            if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) != 0)
                break;
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

static void sched__free(vg_scheduler *s)
{
    free(s->config_path);
    free(s->storage);
    free(s->dir);
    free(s->upload_to);
    free(s->pl);
    free(s);
}

vg_err vg_scheduler_start(const vg_config *cfg, const char *config_path, const char *storage,
                          vg_outbox *ob, vg_uploader *up, vg_scheduler **out, vg_errinfo *err)
{
    vg_scheduler *s = calloc(1, sizeof *s);
    if (!s)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    ssize_t n = readlink("/proc/self/exe", s->exe, sizeof s->exe - 1);
    if (n <= 0) {
        free(s);
        return vg_fail(err, VG_ERR_IO, "scheduled export: cannot find the running binary "
                       "(/proc/self/exe): %s", strerror(errno));
    }
    s->exe[n] = '\0';
    s->every_s = cfg->export_every_s;
    s->ob = ob;
    s->up = up;
    s->config_path = config_path ? strdup(config_path) : NULL;
    s->storage = strdup(storage);
    s->dir = cfg->export_dir ? strdup(cfg->export_dir) : NULL;
    s->upload_to = cfg->export_upload_to ? strdup(cfg->export_upload_to) : NULL;
    s->n_pl = cfg->n_platforms;
    s->pl = calloc(s->n_pl ? s->n_pl : 1, sizeof *s->pl);
    if ((config_path && !s->config_path) || !s->storage || !s->dir || !s->pl ||
        (cfg->export_upload_to && !s->upload_to)) {
        sched__free(s);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory (or export.dir missing)");
    }
    for (size_t i = 0; i < s->n_pl; i++) {
        memcpy(s->pl[i].id, cfg->platforms[i].id, sizeof s->pl[i].id);
        s->pl[i].kind = cfg->platforms[i].kind;
    }
    atomic_init(&s->stop, false);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    int e = pthread_create(&s->thread, NULL, sched__main, s);
    if (e != 0) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        sched__free(s);
        return vg_fail(err, VG_ERR_IO, "cannot start the export thread: %s", strerror(e));
    }
    *out = s;
    return VG_OK;
}

void vg_scheduler_stop(vg_scheduler *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    atomic_store(&s->stop, true);
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    sched__free(s);
}
