/* cmd_feed.c: `vigie feed`, the acknowledged feed agent (feed/feed.h, docs/feed.md). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/sample.h"
#include "feed/feed.h"
#include "tools/command.h"

static void feed_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie feed --id ID --endpoint ENDPOINT --spool DIR SOURCE [OPTIONS]\n\n"
            "Read an instrument, keep every frame in an on-disk spool, send the frames to\n"
            "the vigie daemon (an ingest endpoint of kind feed) and forget them only once\n"
            "the daemon has committed them. See docs/feed.md.\n\n"
            "  -i, --id ID              the feed's id (1-31 of A-Z a-z 0-9 _ . -)\n"
            "  -e, --endpoint EP        the daemon's feed endpoint, e.g. tcp://host:5560\n"
            "  -s, --spool DIR          the spool directory (created if missing)\n"
            "SOURCE, exactly one of:\n"
            "      --file PATH          a file being appended to (follows rotation)\n"
            "      --stdin              standard input (exits once it ended and all is\n"
            "                           acknowledged)\n"
            "      --udp [ADDR:]PORT    UDP datagrams of whole lines\n"
            "      --tcp HOST:PORT      a TCP server to connect to (reconnects)\n"
            "      --serial DEVICE      a serial port, raw 8N1, with --baud (9600)\n"
            "OPTIONS:\n"
            "      --baud N             serial speed: 1200..921600 (9600)\n"
            "      --fsync POLICY       always | never | N (ms between syncs) (always)\n"
            "      --segment-kb N       spool segment size, 4..1048576 KiB (4096)\n"
            "      --batch N            frames per batch, 1..4096 (500)\n"
            "      --window N           frames in flight at most (20000)\n"
            "      --ack-timeout-ms N   resend when no acknowledgement came for N ms (5000)\n"
            "      --key FILE           CurveZMQ: this feed's secret key (vigie keygen, mode\n"
            "                           0600); with --server-key. Without them the feed\n"
            "                           speaks plain TCP (the endpoint must say security: none)\n"
            "      --server-key FILE    the daemon endpoint's public key file\n\n"
            "Signals: SIGTERM/SIGINT close the spool cleanly and stop.\n"
            "Exit status: 0 after a clean stop, 1 on failure, 2 on bad usage.\n");
}

static bool feed__num(const char *s, long lo, long hi, long *out)
{
    return vg_parse_long(s, out) && *out >= lo && *out <= hi;
}

/* "[HOST:]PORT" -> host (NULL if absent, in a static copy) and port. */
static bool feed__hostport(char *s, bool need_host, const char **host, int *port)
{
    char *colon = strrchr(s, ':');
    long p;
    if (colon) {
        *colon = 0;
        *host = s;
        s = colon + 1;
    } else if (need_host) {
        return false;
    }
    if (!feed__num(s, 1, 65535, &p))
        return false;
    *port = (int)p;
    return true;
}

static int feed_main(int argc, char **argv)
{
    enum { O_FILE = 256, O_STDIN, O_UDP, O_TCP, O_SERIAL, O_BAUD, O_FSYNC, O_SEG, O_BATCH,
           O_WINDOW, O_ACKTO, O_KEY, O_SERVER_KEY };
    static const struct option longopts[] = {
        {"id", required_argument, NULL, 'i'},       {"endpoint", required_argument, NULL, 'e'},
        {"spool", required_argument, NULL, 's'},    {"file", required_argument, NULL, O_FILE},
        {"stdin", no_argument, NULL, O_STDIN},      {"udp", required_argument, NULL, O_UDP},
        {"tcp", required_argument, NULL, O_TCP},    {"serial", required_argument, NULL, O_SERIAL},
        {"baud", required_argument, NULL, O_BAUD},  {"fsync", required_argument, NULL, O_FSYNC},
        {"segment-kb", required_argument, NULL, O_SEG},
        {"batch", required_argument, NULL, O_BATCH},
        {"window", required_argument, NULL, O_WINDOW},
        {"ack-timeout-ms", required_argument, NULL, O_ACKTO},
        {"key", required_argument, NULL, O_KEY},
        {"server-key", required_argument, NULL, O_SERVER_KEY},
        {NULL, 0, NULL, 0},
    };
    vg_feed_options o = {
        .spool = {.sync = VG_SPOOL_SYNC_ALWAYS, .sync_interval_ms = 50,
                  .segment_bytes = 4096u * 1024u},
        .input = {.baud = 9600},
        .batch_frames = 500,
        .window_frames = 20000,
        .ack_timeout_ms = 5000,
    };
    int sources = 0, c;
    long v;
    const char *bad = NULL;
    optind = 1;
    while (!bad && (c = getopt_long(argc, argv, "i:e:s:", longopts, NULL)) != -1) {
        switch (c) {
        case 'i': o.id = optarg; break;
        case 'e': o.endpoint = optarg; break;
        case 's': o.spool_dir = optarg; break;
        case O_FILE: o.input.kind = VG_INPUT_FILE; o.input.path = optarg; sources++; break;
        case O_STDIN: o.input.kind = VG_INPUT_STDIN; o.exit_when_drained = true; sources++; break;
        case O_UDP:
            o.input.kind = VG_INPUT_UDP;
            sources++;
            if (!feed__hostport(optarg, false, &o.input.host, &o.input.port))
                bad = "--udp needs [ADDR:]PORT";
            break;
        case O_TCP:
            o.input.kind = VG_INPUT_TCP;
            sources++;
            if (!feed__hostport(optarg, true, &o.input.host, &o.input.port))
                bad = "--tcp needs HOST:PORT";
            break;
        case O_SERIAL: o.input.kind = VG_INPUT_SERIAL; o.input.path = optarg; sources++; break;
        case O_BAUD:
            if (!feed__num(optarg, 1200, 921600, &o.input.baud))
                bad = "--baud needs a rate of 1200..921600";
            break;
        case O_FSYNC:
            if (strcmp(optarg, "always") == 0) {
                o.spool.sync = VG_SPOOL_SYNC_ALWAYS;
            } else if (strcmp(optarg, "never") == 0) {
                o.spool.sync = VG_SPOOL_SYNC_NEVER;
            } else if (feed__num(optarg, 1, 60000, &v)) {
                o.spool.sync = VG_SPOOL_SYNC_INTERVAL;
                o.spool.sync_interval_ms = (int)v;
            } else {
                bad = "--fsync needs always, never or 1..60000 (ms)";
            }
            break;
        case O_SEG:
            if (!feed__num(optarg, 4, 1048576, &v))
                bad = "--segment-kb needs 4..1048576";
            o.spool.segment_bytes = (size_t)v * 1024u;
            break;
        case O_BATCH:
            if (!feed__num(optarg, 1, 4096, &v))
                bad = "--batch needs 1..4096";
            o.batch_frames = (size_t)v;
            break;
        case O_WINDOW:
            if (!feed__num(optarg, 1, 10000000, &v))
                bad = "--window needs 1..10000000";
            o.window_frames = (size_t)v;
            break;
        case O_ACKTO:
            if (!feed__num(optarg, 100, 600000, &v))
                bad = "--ack-timeout-ms needs 100..600000";
            o.ack_timeout_ms = (int)v;
            break;
        case O_KEY: o.key_path = optarg; break;
        case O_SERVER_KEY: o.server_key_path = optarg; break;
        default: feed_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    if (!bad && optind != argc)
        bad = "unexpected argument";
    if (!bad && (!o.id || !vg_platform_id_valid(o.id, strlen(o.id))))
        bad = "--id is required: 1-31 characters of A-Z a-z 0-9 _ . -";
    if (!bad && (!o.endpoint || !o.spool_dir))
        bad = "--endpoint and --spool are required";
    if (!bad && sources != 1)
        bad = "give exactly one source: --file, --stdin, --udp, --tcp or --serial";
    if (!bad && !o.key_path != !o.server_key_path)
        bad = "--key and --server-key go together (CurveZMQ), or neither (plain TCP)";
    if (!bad && o.window_frames < o.batch_frames)
        o.window_frames = o.batch_frames;
    if (bad) {
        fprintf(stderr, "vigie feed: %s\n", bad);
        feed_usage(stderr);
        return VG_EXIT_USAGE;
    }
    return vg_feed_run(&o);
}

const vg_command vg_cmd_feed = {
    .name = "feed",
    .summary = "send an instrument's frames to the daemon, spooled and acknowledged",
    .main = feed_main,
    .usage = feed_usage,
};
