/* replica.c: the loop of a replica process (replica.h). Berkeley DB's replication manager
 * does the work in its own threads; this loop only waits for a stop signal and reports. */
#include "daemon/replica.h"

#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/time.h"
#include "storage/replication.h"

static void replica__report(vg_replica *r, bool to_log)
{
    vg_repl_status st;
    vg_errinfo err;
    if (vg_replica_status(r, &st, &err) != VG_OK) {
        vg_warn("replica: %s", err.text);
        return;
    }
    sd_notifyf(0, "STATUS=replica %s, master %s, log %u/%u", st.in_sync ? "in sync" : "syncing",
               st.master[0] ? st.master : "none", (unsigned)st.lsn_file, (unsigned)st.lsn_offset);
    if (to_log)
        vg_info("replica %s: master %s, next log record expected %u/%u, applied up to %u/%u",
                st.in_sync ? "in sync" : "syncing", st.master[0] ? st.master : "none known",
                (unsigned)st.lsn_file, (unsigned)st.lsn_offset, (unsigned)st.ready_file,
                (unsigned)st.ready_offset);
}

int vg_replica_run(const vg_setup *setup, volatile sig_atomic_t *stop,
                   volatile sig_atomic_t *reload, double max_runtime_s)
{
    const vg_config *cfg = setup->cfg;
    const vg_repl_config *repl = setup->repl;
    vg_errinfo err;
    vg_replica *r = NULL;
    if (cfg->n_ingest)
        vg_notice("replica: the %zu ingest endpoints of the configuration are not bound (a "
                  "replica ingests nothing)", cfg->n_ingest);
    if (vg_replica_open(cfg->storage_path, cfg->cache_mb, repl, &r, &err) != VG_OK) {
        vg_error("cannot open the replica store: %s", err.text);
        return 1;
    }
    sd_notifyf(0, "READY=1\nSTATUS=replica of %s:%u\nMAINPID=%lu", repl->remote[0].host,
               repl->remote[0].port, (unsigned long)getpid());
    vg_notice("vigie running (pid %ld) as a replica: %s on %s:%u, joining through %s:%u",
              (long)getpid(), cfg->storage_path, repl->local.host, repl->local.port,
              repl->remote[0].host, repl->remote[0].port);
    const int64_t started = vg_time_mono_us();
    int64_t last_report = started, last_maintain = started;
    uint64_t watchdog_us = 0;
    if (sd_watchdog_enabled(0, &watchdog_us) <= 0)
        watchdog_us = 0;
    while (!*stop) {
        int64_t now = vg_time_mono_us();
        if (max_runtime_s > 0 && now - started >= (int64_t)(max_runtime_s * 1e6)) {
            vg_notice("run time of %g s reached", max_runtime_s);
            break;
        }
        if (*reload) {
            *reload = 0;
            sd_notify(0, "RELOADING=1");
            vg_notice("SIGHUP: a replica reads its configuration at start only; restart it to "
                      "apply %s", cfg->path ? cfg->path : "a new configuration");
            sd_notify(0, "READY=1");
        }
        if (vg_replica_flush_log(r, &err) != VG_OK)
            vg_error("replica: %s", err.text);
        if (now - last_maintain >= VG_US_PER_S) {
            if (vg_replica_maintain(r, &err) != VG_OK)
                vg_error("replica: %s; restart the replica (its start recovers)", err.text);
            last_maintain = now;
        }
        if (now - last_report >= 60 * VG_US_PER_S) {
            replica__report(r, true);
            last_report = now;
        }
        if (watchdog_us)
            sd_notify(0, "WATCHDOG=1");
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
        nanosleep(&ts, NULL); /* a signal ends it early */
    }
    sd_notify(0, "STOPPING=1");
    if (*stop)
        vg_notice("signal %d: stopping the replica", (int)*stop);
    replica__report(r, true);
    if (vg_replica_close(r, &err) != VG_OK) {
        vg_error("closing the replica store: %s", err.text);
        return 1;
    }
    return 0;
}
