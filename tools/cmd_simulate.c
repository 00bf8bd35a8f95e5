/* cmd_simulate.c: `vigie simulate`: writes a synthetic TSG or tide-gauge stream (sim/
 * simulate.h) to a file, standard output or a vigie ingest endpoint (ZeroMQ PUSH), with
 * faults on request, a CSV of what was injected (--truth) and optional real-time pacing.
 * Argument errors exit 2, run-time failures 1. docs/simulate.md describes every option. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "sim/simulate.h"
#include "tools/command.h"

#define SIM_CMD_LINGER_MS 5000  /* how long closing waits for queued messages to leave */
#define SIM_CMD_SNDTIMEO_MS 10000 /* a send blocked longer than this is a failure */
#define SIM_CMD_MAX_BATCH 10000

static volatile sig_atomic_t simcmd__stop;

static void simcmd__on_signal(int sig)
{
    (void)sig;
    simcmd__stop = 1;
}

static void simcmd__usage(FILE *out)
{
    fprintf(out,
"usage: vigie simulate [OPTIONS]\n"
"\n"
"Write a realistic synthetic sensor stream, one line per record, with faults on\n"
"request. Deterministic: the same options and seed give the same bytes.\n"
"\n"
"Stream:\n"
"  --kind KIND           tsg: a ship's SBE45 thermosalinograph (SSJT, CNDC, SSPS,\n"
"                        SVEL) and GPS (SPDC); tide_gauge: sea level SLEV\n"
"                        (default tsg)\n"
"  --format FMT          raw: 'ISO8601Z t, c, s, sv' SBE45 lines and 'ISO8601Z\n"
"                        $GPGGA/$GPRMC' NMEA lines, for the parser sbe45_nmea\n"
"                        (tsg only); json: one JSON object per line, no prefix,\n"
"                        for the parser json (default raw for tsg, json for\n"
"                        tide_gauge)\n"
"  --platform ID         platform id, 1-31 of A-Z a-z 0-9 _ . - (default SIMTSG\n"
"                        for tsg, SIMTIDE for tide_gauge)\n"
"  --start TIME          time of the first sample, ISO 8601 (UTC unless a zone\n"
"                        is given) or 'now' (default 2026-01-15T00:00:00Z)\n"
"  --duration DUR        record length: a number with unit s, m, h or d, no unit\n"
"                        = seconds, at most 3660 d (default 6h for tsg, 30d for\n"
"                        tide_gauge)\n"
"  --interval SECONDS    sampling interval, 0.01..86400 s (default 10 for tsg,\n"
"                        3600 for tide_gauge)\n"
"  --seed N              random seed, 0..18446744073709551615 (default 1)\n"
"  --position LAT,LON    start (tsg) or station (tide_gauge) position, decimal\n"
"                        degrees, south and west negative (default -22.0,-17.9\n"
"                        for tsg, 21.3067,-157.867 for tide_gauge)\n"
"  --heading DEG         tsg: initial course, degrees true, 0..360; the ship\n"
"                        follows that great circle (default 215)\n"
"  --speed KN            tsg: cruising speed over ground, knots, 0..30\n"
"                        (default 10)\n"
"  --gps-interval SECONDS\n"
"                        tsg raw: period of the NMEA fixes, 0 or 0.01..3600 s;\n"
"                        0 = one $GPGGA and one $GPRMC just before every SBE45\n"
"                        line (default 0)\n"
"  --mean-level M        tide_gauge: mean sea level above the datum, m,\n"
"                        -100..100 (default 1.5)\n"
"  --atms                tide_gauge: also report atmospheric pressure ATMS, hPa\n"
"                        (default off)\n"
"\n"
"Faults (all off by default; START and DUR in minutes after --start; --stuck,\n"
"--gap and --harbour may each be given up to 8 times):\n"
"  --spike N             N spike samples spread over the record, 0..100000:\n"
"                        tsg SSJT +-8..12 degC or SSPS +-2..4 PSU, tide_gauge\n"
"                        SLEV +-0.5..1.0 m\n"
"  --stuck START:DUR     the sensor repeats its last value exactly (tsg: the\n"
"                        whole SBE45 line; tide_gauge: SLEV)\n"
"  --drift RATE[:START]  linear drift from START minutes (default 0), RATE per\n"
"                        day, -100..100: PSU on SSPS (tsg), m on SLEV\n"
"                        (tide_gauge)\n"
"  --gap START:DUR       no output at all (GPS included)\n"
"  --harbour START:DUR   tsg: the ship is stopped (speed < 1 kn)\n"
"  --garbage N           N garbage lines, 0..100000: random bytes, truncated\n"
"                        lines, NMEA with a bad checksum (raw) or invalid JSON\n"
"  --faults all|none     all: a sensible mix for each fault not given explicitly:\n"
"                        spikes, stuck at 20%% of the record for 10%%, gap at 40%%\n"
"                        for 5%%, harbour at 60%% for 10%% (tsg), drift 0.1 PSU/d\n"
"                        or 0.01 m/d, garbage lines (default none)\n"
"  --truth FILE          write what was injected as CSV, one row per sample and\n"
"                        parameter: time,platform,parameter,fault,value\n"
"                        (parameter '*' = the whole sample, '-' = a garbage\n"
"                        line; value = spike offset, repeated value, drift\n"
"                        offset, harbour speed in kn or garbage type)\n"
"\n"
"Output:\n"
"  -o, --output FILE     write the lines to FILE (default standard output)\n"
"  --endpoint URL        instead send them to a vigie ingest endpoint: a ZeroMQ\n"
"                        PUSH socket connecting to URL (tcp://127.0.0.1:5555);\n"
"                        at the end, queued messages get %d s to leave, else\n"
"                        the exit status is 1\n"
"  --batch N             lines per ZeroMQ message, newline-separated, 1..%d\n"
"                        (default 1)\n"
"  --realtime            pace the lines by their time stamps (1 s per second)\n"
"  --rate N              pace at N lines per second, 0.001..1e6 (default: as\n"
"                        fast as possible)\n"
"  -h, --help            this text\n"
"\n"
"Examples:\n"
"  vigie simulate --kind tsg --duration 6h --faults all | head\n"
"  vigie simulate --kind tide_gauge --duration 29d --atms --spike 5 \\\n"
"      --truth truth.csv\n"
"  vigie simulate --start now --realtime --endpoint tcp://127.0.0.1:5555\n"
"\n"
"Exit status: 0 done (also when stopped by SIGINT or SIGTERM), 1 output\n"
"failed, 2 bad arguments.\n",
            SIM_CMD_LINGER_MS / 1000, SIM_CMD_MAX_BATCH);
}

/* ---- argument parsing ---------------------------------------------------------------- */

static int simcmd__bad(const char *opt, const char *arg, const char *why)
{
    fprintf(stderr, "vigie simulate: %s '%s': %s\n", opt, arg, why);
    return VG_EXIT_USAGE;
}

/* A whole-string finite double. */
static bool simcmd__double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != 0 || errno == ERANGE || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool simcmd__int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != 0 || errno == ERANGE || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

/* "6h", "2d", "90m", "30s", "3600", "1.5h": seconds, > 0. */
static bool simcmd__duration(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v) || v <= 0)
        return false;
    double unit = 1;
    if (*end == 0 || strcmp(end, "s") == 0)
        unit = 1;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        unit = 60;
    else if (strcmp(end, "h") == 0)
        unit = 3600;
    else if (strcmp(end, "d") == 0)
        unit = 86400;
    else
        return false;
    *out = v * unit;
    return true;
}

/* "A:B" (second part optional when b_default is not NULL). */
static bool simcmd__pair(const char *s, char sep, double *a, double *b, const double *b_default)
{
    const char *c = strchr(s, sep);
    char first[64];
    if (!c) {
        if (!b_default)
            return false;
        *b = *b_default;
        return simcmd__double(s, a);
    }
    size_t n = (size_t)(c - s);
    if (n == 0 || n >= sizeof first)
        return false;
    memcpy(first, s, n);
    first[n] = 0;
    return simcmd__double(first, a) && simcmd__double(c + 1, b);
}

static int simcmd__window(const char *opt, const char *arg, vg_sim_window *w, int *n)
{
    double a, b;
    if (!simcmd__pair(arg, ':', &a, &b, NULL))
        return simcmd__bad(opt, arg, "expected START_MIN:DURATION_MIN, e.g. 60:30");
    if (a < 0 || b <= 0)
        return simcmd__bad(opt, arg, "START must be >= 0 and DURATION > 0 minutes");
    if (*n >= VG_SIM_MAX_WINDOWS)
        return simcmd__bad(opt, arg, "too many windows of this kind (at most 8)");
    w[*n].start_min = a;
    w[*n].duration_min = b;
    (*n)++;
    return VG_EXIT_OK;
}

typedef struct simcmd_args {
    vg_sim_opts o;
    const char *output, *endpoint, *truth_path;
    int batch;
    bool realtime;
    double rate;
    bool faults_all;
} simcmd_args;

enum {
    OPT_KIND = 256, OPT_FORMAT, OPT_PLATFORM, OPT_START, OPT_DURATION, OPT_INTERVAL, OPT_SEED,
    OPT_POSITION, OPT_HEADING, OPT_SPEED, OPT_GPS_INTERVAL, OPT_MEAN_LEVEL, OPT_ATMS,
    OPT_SPIKE, OPT_STUCK, OPT_DRIFT, OPT_GAP, OPT_HARBOUR, OPT_GARBAGE, OPT_FAULTS, OPT_TRUTH,
    OPT_ENDPOINT, OPT_BATCH, OPT_REALTIME, OPT_RATE,
};

static const struct option simcmd__options[] = {
    {"kind", required_argument, NULL, OPT_KIND},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"platform", required_argument, NULL, OPT_PLATFORM},
    {"start", required_argument, NULL, OPT_START},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"seed", required_argument, NULL, OPT_SEED},
    {"position", required_argument, NULL, OPT_POSITION},
    {"heading", required_argument, NULL, OPT_HEADING},
    {"speed", required_argument, NULL, OPT_SPEED},
    {"gps-interval", required_argument, NULL, OPT_GPS_INTERVAL},
    {"mean-level", required_argument, NULL, OPT_MEAN_LEVEL},
    {"atms", no_argument, NULL, OPT_ATMS},
    {"spike", required_argument, NULL, OPT_SPIKE},
    {"stuck", required_argument, NULL, OPT_STUCK},
    {"drift", required_argument, NULL, OPT_DRIFT},
    {"gap", required_argument, NULL, OPT_GAP},
    {"harbour", required_argument, NULL, OPT_HARBOUR},
    {"harbor", required_argument, NULL, OPT_HARBOUR},
    {"garbage", required_argument, NULL, OPT_GARBAGE},
    {"faults", required_argument, NULL, OPT_FAULTS},
    {"truth", required_argument, NULL, OPT_TRUTH},
    {"output", required_argument, NULL, 'o'},
    {"endpoint", required_argument, NULL, OPT_ENDPOINT},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"realtime", no_argument, NULL, OPT_REALTIME},
    {"rate", required_argument, NULL, OPT_RATE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The kind decides the defaults, so a first getopt pass reads it (the last --kind wins). */
static int simcmd__find_kind(int argc, char **argv, vg_sim_kind *kind)
{
    *kind = VG_SIM_TSG;
    optind = 0; /* glibc: full re-initialisation */
    opterr = 0; /* the second pass reports unknown options */
    int c, rc = VG_EXIT_OK;
    while ((c = getopt_long(argc, argv, "o:h", simcmd__options, NULL)) != -1) {
        if (c != OPT_KIND)
            continue;
        if (strcmp(optarg, "tsg") == 0)
            *kind = VG_SIM_TSG;
        else if (strcmp(optarg, "tide_gauge") == 0 || strcmp(optarg, "tide") == 0)
            *kind = VG_SIM_TIDE_GAUGE;
        else
            rc = simcmd__bad("--kind", optarg, "expected tsg or tide_gauge");
    }
    opterr = 1;
    optind = 0;
    return rc;
}

static int simcmd__parse(int argc, char **argv, simcmd_args *a)
{
    vg_sim_kind kind;
    int rc = simcmd__find_kind(argc, argv, &kind);
    if (rc != VG_EXIT_OK)
        return rc;
    memset(a, 0, sizeof *a);
    vg_sim_opts_init(&a->o, kind);
    a->batch = 1;
    vg_sim_opts *o = &a->o;
    int c;
    while ((c = getopt_long(argc, argv, "o:h", simcmd__options, NULL)) != -1) {
        const char *arg = optarg;
        double d, e;
        switch (c) {
        case OPT_KIND: /* done by simcmd__find_kind */
            break;
        case OPT_FORMAT:
            if (strcmp(arg, "raw") == 0)
                o->format = VG_SIM_FMT_RAW;
            else if (strcmp(arg, "json") == 0)
                o->format = VG_SIM_FMT_JSON;
            else
                return simcmd__bad("--format", arg, "expected raw or json");
            break;
        case OPT_PLATFORM:
            if (!vg_platform_id_valid(arg, strlen(arg)))
                return simcmd__bad("--platform", arg,
                                   "1-31 characters among A-Z a-z 0-9 _ . -");
            snprintf(o->platform, sizeof o->platform, "%s", arg);
            break;
        case OPT_START:
            if (strcmp(arg, "now") == 0) {
                o->start = vg_time_now() / VG_US_PER_S * VG_US_PER_S;
            } else {
                vg_errinfo e_info;
                size_t used = 0;
                if (vg_time_parse_iso8601(arg, strlen(arg), &o->start, &used, &e_info) !=
                    VG_OK)
                    return simcmd__bad("--start", arg, e_info.text);
                if (used != strlen(arg))
                    return simcmd__bad("--start", arg,
                                       "trailing characters after the ISO 8601 time");
            }
            break;
        case OPT_DURATION:
            if (!simcmd__duration(arg, &o->duration_s))
                return simcmd__bad("--duration", arg,
                                   "expected a positive number with unit s, m, h or d");
            break;
        case OPT_INTERVAL:
            if (!simcmd__double(arg, &d) || d < 0.01 || d > 86400)
                return simcmd__bad("--interval", arg, "expected 0.01..86400 seconds");
            o->interval_s = d;
            break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(arg, &end, 10);
            if (end == arg || *end != 0 || errno == ERANGE || arg[0] == '-')
                return simcmd__bad("--seed", arg, "expected an integer 0..2^64-1");
            o->seed = (uint64_t)v;
            break;
        }
        case OPT_POSITION:
            if (!simcmd__pair(arg, ',', &d, &e, NULL) || d < -90 || d > 90 || e < -180 ||
                e > 180)
                return simcmd__bad("--position", arg,
                                   "expected LAT,LON in decimal degrees, e.g. -22.0,-17.9");
            o->lat_deg = d;
            o->lon_deg = e;
            break;
        case OPT_HEADING:
            if (!simcmd__double(arg, &d) || d < 0 || d > 360)
                return simcmd__bad("--heading", arg, "expected 0..360 degrees");
            o->heading_deg = d >= 360 ? 0 : d;
            break;
        case OPT_SPEED:
            if (!simcmd__double(arg, &d) || d < 0 || d > 30)
                return simcmd__bad("--speed", arg, "expected 0..30 knots");
            o->speed_kn = d;
            break;
        case OPT_GPS_INTERVAL:
            if (!simcmd__double(arg, &d) || d < 0 || d > 3600 || (d > 0 && d < 0.01))
                return simcmd__bad("--gps-interval", arg, "expected 0 or 0.01..3600 seconds");
            o->gps_interval_s = d;
            break;
        case OPT_MEAN_LEVEL:
            if (!simcmd__double(arg, &d) || d < -100 || d > 100)
                return simcmd__bad("--mean-level", arg, "expected -100..100 m");
            o->mean_level_m = d;
            break;
        case OPT_ATMS:
            o->atms = true;
            break;
        case OPT_SPIKE:
            if (!simcmd__int(arg, 0, VG_SIM_MAX_EVENTS, &o->n_spikes))
                return simcmd__bad("--spike", arg, "expected a count 0..100000");
            break;
        case OPT_GARBAGE:
            if (!simcmd__int(arg, 0, VG_SIM_MAX_EVENTS, &o->n_garbage))
                return simcmd__bad("--garbage", arg, "expected a count 0..100000");
            break;
        case OPT_STUCK:
            rc = simcmd__window("--stuck", arg, o->stuck, &o->n_stuck);
            if (rc != VG_EXIT_OK)
                return rc;
            break;
        case OPT_GAP:
            rc = simcmd__window("--gap", arg, o->gap, &o->n_gap);
            if (rc != VG_EXIT_OK)
                return rc;
            break;
        case OPT_HARBOUR:
            rc = simcmd__window("--harbour", arg, o->harbour, &o->n_harbour);
            if (rc != VG_EXIT_OK)
                return rc;
            break;
        case OPT_DRIFT: {
            const double zero = 0;
            if (!simcmd__pair(arg, ':', &d, &e, &zero) || d < -100 || d > 100 || e < 0)
                return simcmd__bad("--drift", arg,
                                   "expected RATE[:START_MIN], RATE -100..100 per day, "
                                   "START >= 0 minutes");
            o->drift_per_day = d;
            o->drift_start_min = e;
            break;
        }
        case OPT_FAULTS:
            if (strcmp(arg, "all") == 0)
                a->faults_all = true;
            else if (strcmp(arg, "none") == 0)
                a->faults_all = false;
            else
                return simcmd__bad("--faults", arg, "expected all or none");
            break;
        case OPT_TRUTH:
            a->truth_path = arg;
            break;
        case 'o':
            a->output = arg;
            break;
        case OPT_ENDPOINT:
            a->endpoint = arg;
            break;
        case OPT_BATCH:
            if (!simcmd__int(arg, 1, SIM_CMD_MAX_BATCH, &a->batch))
                return simcmd__bad("--batch", arg, "expected 1..10000 lines");
            break;
        case OPT_REALTIME:
            a->realtime = true;
            break;
        case OPT_RATE:
            if (!simcmd__double(arg, &d) || d < 0.001 || d > 1e6)
                return simcmd__bad("--rate", arg, "expected 0.001..1e6 lines per second");
            a->rate = d;
            break;
        case 'h':
            simcmd__usage(stdout);
            return -1;
        default:
            fprintf(stderr, "Try 'vigie simulate --help'.\n");
            return VG_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vigie simulate: unexpected argument '%s'\nTry 'vigie simulate --help'.\n",
                argv[optind]);
        return VG_EXIT_USAGE;
    }
    if (a->output && a->endpoint) {
        fprintf(stderr, "vigie simulate: --output and --endpoint exclude each other\n");
        return VG_EXIT_USAGE;
    }
    if (a->realtime && a->rate > 0) {
        fprintf(stderr, "vigie simulate: --realtime and --rate exclude each other\n");
        return VG_EXIT_USAGE;
    }
    if (a->batch > 1 && !a->endpoint) {
        fprintf(stderr, "vigie simulate: --batch applies to --endpoint only\n");
        return VG_EXIT_USAGE;
    }
    if (a->faults_all)
        vg_sim_opts_all_faults(o);
    return VG_EXIT_OK;
}

/* ---- truth CSV --------------------------------------------------------------------- */

typedef struct simcmd_truth {
    FILE *f;
    const char *platform;
} simcmd_truth;

static void simcmd__truth_row(void *ctx, const vg_sim_truth *r)
{
    simcmd_truth *t = ctx;
    char iso[VG_TIME_ISO_LEN];
    const char *param = r->fault == VG_SIM_FAULT_GARBAGE ? "-"
                        : r->param < 0                   ? "*"
                                                         : vg_param_get((vg_param)r->param)->code;
    fprintf(t->f, "%s,%s,%s,%s,", vg_time_format_iso8601(r->time, iso), t->platform, param,
            vg_sim_fault_name(r->fault));
    if (r->detail)
        fputs(r->detail, t->f);
    else if (!isnan(r->value))
        fprintf(t->f, "%.6g", r->value);
    fputc('\n', t->f);
}

/* ---- output -------------------------------------------------------------------------- */

typedef struct simcmd_out {
    FILE *f;          /* file or stdout, when no endpoint */
    void *zctx, *zsock;
    char *batch;      /* lines of the message being built */
    size_t batch_len, batch_cap;
    int batch_lines, batch_max;
    bool flush_each;
} simcmd_out;

static int simcmd__zmq_send(simcmd_out *out)
{
    if (out->batch_lines == 0)
        return VG_EXIT_OK;
    for (;;) {
        if (zmq_send(out->zsock, out->batch, out->batch_len, 0) >= 0)
            break;
        if (errno == EINTR && !simcmd__stop)
            continue;
        if (errno == EAGAIN)
            fprintf(stderr, "vigie simulate: the endpoint accepted nothing for %d s: is vigie "
                            "listening?\n", SIM_CMD_SNDTIMEO_MS / 1000);
        else if (errno != EINTR)
            fprintf(stderr, "vigie simulate: zmq_send: %s\n", zmq_strerror(errno));
        return VG_EXIT_FAIL;
    }
    out->batch_len = 0;
    out->batch_lines = 0;
    return VG_EXIT_OK;
}

static int simcmd__emit(simcmd_out *out, const char *line, size_t len)
{
    if (!out->zsock) {
        if (fwrite(line, 1, len, out->f) != len || fputc('\n', out->f) == EOF ||
            (out->flush_each && fflush(out->f) != 0)) {
            fprintf(stderr, "vigie simulate: write: %s\n", strerror(errno));
            return VG_EXIT_FAIL;
        }
        return VG_EXIT_OK;
    }
    if (out->batch_lines > 0)
        out->batch[out->batch_len++] = '\n';
    memcpy(out->batch + out->batch_len, line, len);
    out->batch_len += len;
    if (++out->batch_lines >= out->batch_max)
        return simcmd__zmq_send(out);
    return VG_EXIT_OK;
}

static int simcmd__open_endpoint(simcmd_out *out, const char *url, int batch)
{
    out->batch_max = batch;
    out->batch_cap = (size_t)batch * VG_SIM_LINE_MAX;
    out->batch = malloc(out->batch_cap);
    out->zctx = zmq_ctx_new();
    if (!out->batch || !out->zctx) {
        fprintf(stderr, "vigie simulate: out of memory\n");
        return VG_EXIT_FAIL;
    }
    out->zsock = zmq_socket(out->zctx, ZMQ_PUSH);
    if (!out->zsock) {
        fprintf(stderr, "vigie simulate: zmq_socket: %s\n", zmq_strerror(errno));
        return VG_EXIT_FAIL;
    }
    int linger = SIM_CMD_LINGER_MS, sndtimeo = SIM_CMD_SNDTIMEO_MS;
    zmq_setsockopt(out->zsock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(out->zsock, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo);
    if (zmq_connect(out->zsock, url) != 0) {
        int e = errno;
        fprintf(stderr, "vigie simulate: --endpoint '%s': %s\n", url, zmq_strerror(e));
        return e == EINVAL || e == EPROTONOSUPPORT || e == ENOCOMPATPROTO ? VG_EXIT_USAGE
                                                                           : VG_EXIT_FAIL;
    }
    return VG_EXIT_OK;
}

/* Close the socket and the context, waiting up to the linger time for queued messages to
 * leave. Returns VG_EXIT_FAIL when the whole linger time was used: messages were then
 * probably dropped (no vigie listening, or too slow). */
static int simcmd__close_endpoint(simcmd_out *out)
{
    int rc = VG_EXIT_OK;
    if (out->zsock) {
        int64_t t0 = vg_time_mono_us();
        zmq_close(out->zsock);
        zmq_ctx_term(out->zctx);
        if (vg_time_mono_us() - t0 >= (SIM_CMD_LINGER_MS - 50) * INT64_C(1000)) {
            fprintf(stderr, "vigie simulate: queued lines did not leave within %d s and were "
                            "dropped: is vigie listening on the endpoint?\n",
                    SIM_CMD_LINGER_MS / 1000);
            rc = VG_EXIT_FAIL;
        }
    } else if (out->zctx) {
        zmq_ctx_term(out->zctx);
    }
    free(out->batch);
    out->zsock = out->zctx = NULL;
    out->batch = NULL;
    return rc;
}

/* Sleep until the monotonic time `when_us`; returns early on a stop signal. */
static void simcmd__sleep_until(int64_t when_us)
{
    struct timespec ts = {.tv_sec = when_us / VG_US_PER_S,
                          .tv_nsec = (long)(when_us % VG_US_PER_S) * 1000};
    while (!simcmd__stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static int simcmd__main(int argc, char **argv)
{
    simcmd_args a;
    int rc = simcmd__parse(argc, argv, &a);
    if (rc < 0)
        return VG_EXIT_OK; /* --help */
    if (rc != VG_EXIT_OK)
        return rc;

    simcmd_truth truth = {0};
    if (a.truth_path) {
        truth.f = fopen(a.truth_path, "w");
        if (!truth.f) {
            fprintf(stderr, "vigie simulate: --truth '%s': %s\n", a.truth_path, strerror(errno));
            return VG_EXIT_FAIL;
        }
        a.o.truth = simcmd__truth_row;
        a.o.truth_ctx = &truth;
    }
    vg_sim *sim = NULL;
    vg_errinfo err;
    if (vg_sim_create(&a.o, &sim, &err) != VG_OK) {
        fprintf(stderr, "vigie simulate: %s\n", err.text);
        if (truth.f)
            fclose(truth.f);
        return err.code == VG_ERR_NOMEM ? VG_EXIT_FAIL : VG_EXIT_USAGE;
    }
    truth.platform = vg_sim_options(sim)->platform;
    if (truth.f)
        fprintf(truth.f, "time,platform,parameter,fault,value\n");

    simcmd_out out = {0};
    out.flush_each = a.realtime || a.rate > 0;
    if (a.endpoint) {
        rc = simcmd__open_endpoint(&out, a.endpoint, a.batch);
    } else if (a.output) {
        out.f = fopen(a.output, "w");
        if (!out.f) {
            fprintf(stderr, "vigie simulate: --output '%s': %s\n", a.output, strerror(errno));
            rc = VG_EXIT_FAIL;
        }
    } else {
        out.f = stdout;
    }

    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = simcmd__on_signal; /* no SA_RESTART: sleeps and sends wake up */
    sigemptyset(&sa.sa_mask);
    simcmd__stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    char line[VG_SIM_LINE_MAX];
    vg_sim_line info;
    int64_t t0_mono = vg_time_mono_us(), n_lines = 0;
    vg_time_us t_first = VG_TIME_NONE;
    while (rc == VG_EXIT_OK && !simcmd__stop) {
        vg_err e = vg_sim_next(sim, line, sizeof line, &info);
        if (e == VG_ERR_NOTFOUND)
            break;
        if (e != VG_OK) {
            fprintf(stderr, "vigie simulate: %s\n", vg_strerror(e));
            rc = VG_EXIT_FAIL;
            break;
        }
        if (a.realtime) {
            if (t_first == VG_TIME_NONE)
                t_first = info.time;
            simcmd__sleep_until(t0_mono + (info.time - t_first));
        } else if (a.rate > 0) {
            simcmd__sleep_until(t0_mono + (int64_t)((double)n_lines * 1e6 / a.rate));
        }
        if (simcmd__stop)
            break;
        rc = simcmd__emit(&out, line, info.len);
        n_lines++;
    }
    if (rc == VG_EXIT_OK && out.zsock)
        rc = simcmd__zmq_send(&out); /* the last, partial batch */

    int close_rc = simcmd__close_endpoint(&out);
    if (rc == VG_EXIT_OK)
        rc = close_rc;
    if (out.f && out.f != stdout && fclose(out.f) != 0 && rc == VG_EXIT_OK) {
        fprintf(stderr, "vigie simulate: --output '%s': %s\n", a.output, strerror(errno));
        rc = VG_EXIT_FAIL;
    }
    if (out.f == stdout && fflush(stdout) != 0 && rc == VG_EXIT_OK) {
        fprintf(stderr, "vigie simulate: write: %s\n", strerror(errno));
        rc = VG_EXIT_FAIL;
    }
    if (truth.f && fclose(truth.f) != 0 && rc == VG_EXIT_OK) {
        fprintf(stderr, "vigie simulate: --truth '%s': %s\n", a.truth_path, strerror(errno));
        rc = VG_EXIT_FAIL;
    }
    vg_sim_free(sim);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

const vg_command vg_cmd_simulate = {
    .name = "simulate",                 /* vigie simulate */
    .summary = "write a synthetic TSG or tide-gauge stream, with faults on request",
    .main = simcmd__main,               /* argv[0] = "simulate" */
    .usage = simcmd__usage,             /* --help */
};
