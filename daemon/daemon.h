/* daemon.h: `vigie run`: the foreground daemon. Binds the ZeroMQ ingest endpoints (PULL,
 * or ROUTER for acknowledged feeds: router.h) and the publish endpoint (PUB), feeds the
 * engine, commits on time, and handles signals:
 * SIGTERM/SIGINT flush and close the store cleanly; SIGHUP re-reads the configuration and
 * swaps only if the new one is valid (the old one stays otherwise). Speaks systemd's notify
 * protocol (READY, STATUS, RELOADING, STOPPING) when NOTIFY_SOCKET is set. Commits do not
 * wait for the disk: a log flusher thread (flusher.h) syncs the log, and the
 * acknowledgements of feeds leave once their commit is on disk. With
 * storage.replication role replica it runs the replica's loop instead (replica.h). */
#ifndef VIGIE_DAEMON_DAEMON_H
#define VIGIE_DAEMON_DAEMON_H

typedef struct vg_daemon_options {
    const char *config_path;  /* NULL: the embedded default configuration */
    const char *storage_path; /* overrides storage.path when not NULL */
    double max_runtime_s;     /* > 0: stop by itself after this long (demo, tests) */
} vg_daemon_options;

/* Run until a stop signal. Returns the process exit status: 0 after a clean stop, 1 when
 * start-up failed (configuration, store, sockets: the reason is logged). */
int vg_daemon_run(const vg_daemon_options *opt);

#endif
