/* feed.h: `vigie feed`, the agent beside the acquisition hardware: reads an instrument
 * (input.h), appends each frame to its spool (spool.h), sends batches to the daemon's
 * ingest endpoint of kind `feed` over ZeroMQ (DEALER -> ROUTER, core/feedproto.h), and
 * forgets frames only once acknowledged; resends what is not acknowledged after a
 * time-out (which also covers a reconnect). docs/feed.md. */
#ifndef VIGIE_FEED_FEED_H
#define VIGIE_FEED_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "feed/input.h"
#include "feed/spool.h"

typedef struct vg_feed_options {
    const char *id;            /* feed id: 1-31 of [A-Za-z0-9_.-] (the instrument's name) */
    const char *endpoint;      /* the daemon's feed endpoint, e.g. tcp://host:5560 */
    const char *spool_dir;     /* the spool directory */
    vg_spool_options spool;
    vg_input_options input;
    size_t batch_frames;       /* frames per batch at most: 1..4096 */
    size_t window_frames;      /* frames sent and not acknowledged at most: >= batch_frames */
    int ack_timeout_ms;        /* no acknowledgement for this long: resend, 100..600000 */
    bool exit_when_drained;    /* stdin: exit once input ended and all is acknowledged */
    const char *key_path;      /* CurveZMQ: the feed's secret key file (mode 0600, vigie
                                * keygen); NULL: plain TCP (the endpoint must say
                                * security: none) */
    const char *server_key_path; /* the daemon endpoint's public key file; given with
                                  * key_path, NULL otherwise */
} vg_feed_options;

/* Run until SIGTERM/SIGINT (or, with exit_when_drained, until stdin ended and every frame
 * was acknowledged). Returns the exit status: 0 after a clean stop, 1 if start-up failed
 * (spool, input, keys, socket: logged). A daemon that refuses the feed's key (or a plain
 * feed at a curve endpoint) is logged once per change of state; the feed keeps spooling and
 * keeps trying. */
int vg_feed_run(const vg_feed_options *opt);

#endif
