/* cmd_dump.c: `vigie dump`: read the store (also while the daemon runs) by platform,
 * parameter, time range and minimum flag, as CSV or JSON lines, with the delayed-mode
 * flags of `vigie reprocess` and the operators' manual flags beside the real-time ones on
 * demand; list the quarantine or the QC events
 * (datum shifts, clock offsets: storage/events.h); or print a QC summary (samples per flag
 * per test). SIGINT, SIGTERM and SIGPIPE (`vigie dump
 * | head`) stop the walk at the next row and close the store cleanly. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/flags.h"
#include "core/json.h"
#include "daemon/setup.h"
#include "qc/test.h"
#include "core/event.h"
#include "storage/audit.h"
#include "storage/dmflags.h"
#include "storage/events.h"
#include "storage/store.h"
#include "tools/cli.h"
#include "tools/command.h"

static void dump_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie dump (-s DIR | -c FILE) [--platform ID] [--param CODE]\n"
            "                  [--from ISO8601] [--to ISO8601] [--min-flag N]\n"
            "                  [--format csv|json] [--dm] [--manual] [--raw]\n"
            "                  [--summary | --quarantine | --events]\n\n"
            "Read what the daemon stored (safe while it runs).\n\n"
            "  -s, --storage DIR    Berkeley DB environment directory\n"
            "  -c, --config FILE    take the directory from storage.path of FILE\n"
            "  -p, --platform ID    platform to read (required unless --summary or --quarantine)\n"
            "      --param CODE     one parameter (SSJT, SSPS, SLEV, ...); default all\n"
            "      --from, --to     inclusive UTC time range, ISO 8601\n"
            "      --min-flag N     only values whose aggregate flag is >= N (0-9)\n"
            "      --format F       csv (default; a header line first) or json (one object per line)\n"
            "      --summary        counts of values per parameter, test and flag, and of\n"
            "                       quarantined frames per reason (all configured platforms\n"
            "                       with -c, or --platform)\n"
            "      --quarantine     list quarantined frames: time, source, reason, detail, frame\n"
            "      --events         list the QC events (datum shifts, clock offsets), of\n"
            "                       --platform or all; CSV columns platform,parameter,kind,\n"
            "                       first,last,detected,magnitude,units,score,text\n"
            "      --dm             add the delayed-mode flag of each value (vigie reprocess),\n"
            "                       empty when it has none; flag stays the real-time one\n"
            "      --manual         add the operators' manual flag of each value (vigie flag),\n"
            "                       empty when it has none; flag stays the automatic one\n"
            "      --raw            add the frame each value came from, as received\n\n"
            "CSV columns: platform,time,param,value,flag,lat,lon,pos_flag,time_flag,tests\n"
            "[,dm][,manual][,raw] where tests is 'name=flag;...' for every test that judged the\n"
            "value, and raw the frame with '\\', '\"', ',' and non-printable bytes written as\n"
            "\\xHH.\n");
}

/* The signal that asked dump to stop (SIGINT, SIGTERM, SIGPIPE), or 0. */
static volatile sig_atomic_t dump_signal;

static void dump__on_signal(int sig)
{
    if (dump_signal && sig != SIGPIPE) {
        /* A second ^C: the first one was not heard (a read waiting for the writer). */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    dump_signal = sig;
}

/* Catch SIGINT, SIGTERM and SIGPIPE, without SA_RESTART so that a write blocked on a full
 * pipe returns at once. With SIGPIPE caught, a write to a closed pipe fails with EPIPE. */
static void dump__signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = dump__on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
}

/* Non-zero when the walk must stop: a signal came or writing to out failed (EPIPE). */
static int dump__stop(FILE *out)
{
    return dump_signal != 0 || ferror(out);
}

/* A list of flags of one platform, in (time, param) order. */
typedef struct dump_flags {
    struct dump_flag { vg_time_us time; vg_param param; vg_flag flag; } *v;
    size_t n, cap, next;
    bool nomem;
} dump_flags;

typedef struct dump_ctx {
    FILE *out;
    int json;
    const char *const *names;
    vg_store *store;   /* set when --raw: frames are read back per sample */
    char *raw;
    size_t raw_len;
    char raw_platform[VG_PLATFORM_MAX]; /* sample whose frame raw holds ("" = none) */
    vg_time_us raw_time;
    /* summary: counts[param][test id][flag], agg[param][flag] */
    uint64_t (*counts)[VG_QC_MAX_TESTS][10];
    uint64_t (*agg)[10];
    uint64_t rows;
    uint64_t samples, pos_agg[10], time_agg[10]; /* summary: per sample, not per value */
    vg_time_us last_time;
    /* --dm, --manual: the delayed-mode and the manual flags of the platform in (time,
     * param) order, the rows' order */
    bool manual, dm;
    dump_flags man, dmf;
} dump_ctx;

/* Append a flag to l; false when out of memory (l->nomem set). */
static bool dump__flags_add(dump_flags *l, vg_time_us t, vg_param p, vg_flag f)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        void *q = realloc(l->v, cap * sizeof *l->v);
        if (!q) {
            l->nomem = true;
            return false;
        }
        l->v = q;
        l->cap = cap;
    }
    l->v[l->n++] = (struct dump_flag){t, p, f};
    return true;
}

static int dump__collect_manual(void *ctx, const vg_manual_flag *m)
{
    dump_ctx *d = ctx;
    return !dump__flags_add(&d->man, m->time, m->param, m->flag);
}

static int dump__collect_dm(void *ctx, const vg_dmflags_row *r)
{
    dump_ctx *d = ctx;
    for (int p = 0; p < VG_P__COUNT; p++)
        if ((r->present & VG_PARAM_BIT(p)) && !dump__flags_add(&d->dmf, r->time, p, r->flag[p]))
            return 1;
    return 0;
}

/* The flag of row o in l (0-9), or -1: a cursor walks the sorted list with the rows. */
static int dump__flag_of(dump_flags *l, const vg_obs *o)
{
    while (l->next < l->n && (l->v[l->next].time < o->time ||
                              (l->v[l->next].time == o->time && l->v[l->next].param < o->param)))
        l->next++;
    if (l->next < l->n && l->v[l->next].time == o->time && l->v[l->next].param == o->param)
        return l->v[l->next].flag;
    return -1;
}

/* A number as CSV (empty when missing) or JSON (null when missing). */
static void dump__number(FILE *out, double v, int json)
{
    if (v == v)
        fprintf(out, "%.10g", v);
    else if (json)
        fputs("null", out);
}

/* Write bytes with '\\', '"', ',' and non-printable ones as \\xHH: safe in CSV and JSON. */
static void dump__escaped(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"' && ch != ',')
            fputc(ch, out);
        else
            fprintf(out, "\\x%02x", ch);
    }
}

/* Fetch the raw frame of o into d->raw (empty when none is stored); the rows of one sample
 * are consecutive, so the frame is read once per sample. */
static void dump__fetch_raw(dump_ctx *d, const vg_obs *o)
{
    vg_errinfo err;
    if (d->raw_platform[0] && d->raw_time == o->time && !strcmp(d->raw_platform, o->platform))
        return;
    memcpy(d->raw_platform, o->platform, sizeof d->raw_platform);
    d->raw_time = o->time;
    free(d->raw);
    d->raw = NULL;
    d->raw_len = 0;
    if (vg_store_get_raw(d->store, o->platform, o->time, &d->raw, &d->raw_len, &err) != VG_OK) {
        d->raw = NULL;
        d->raw_len = 0;
    }
}

static int dump__row(void *ctx, const vg_obs *o)
{
    dump_ctx *d = ctx;
    if (dump__stop(d->out))
        return 1;
    if (d->store)
        dump__fetch_raw(d, o);
    char t[VG_TIME_ISO_LEN];
    vg_time_format_iso8601(o->time, t);
    const char *code = vg_param_get(o->param)->code;
    d->rows++;
    if (d->json) {
        fprintf(d->out, "{\"platform\":\"%s\",\"time\":\"%s\",\"param\":\"%s\",\"value\":",
                o->platform, t, code);
        dump__number(d->out, o->value, 1);
        fprintf(d->out, ",\"flag\":%d,\"lat\":", o->qc.agg);
        dump__number(d->out, o->lat_deg, 1);
        fputs(",\"lon\":", d->out);
        dump__number(d->out, o->lon_deg, 1);
        fprintf(d->out, ",\"pos_flag\":%d,\"time_flag\":%d,\"tests\":{", o->pos_flag,
                o->time_flag);
        int first = 1;
        for (int i = 0; i < VG_QC_MAX_TESTS; i++) {
            if (!o->qc.test[i] || !d->names[i])
                continue;
            fprintf(d->out, "%s\"%s\":%d", first ? "" : ",", d->names[i], o->qc.test[i]);
            first = 0;
        }
        fputc('}', d->out);
        for (int k = 0; k < 2; k++) {
            if (!(k ? d->manual : d->dm))
                continue;
            int m = dump__flag_of(k ? &d->man : &d->dmf, o);
            if (m >= 0)
                fprintf(d->out, ",\"%s\":%d", k ? "manual" : "dm", m);
            else
                fprintf(d->out, ",\"%s\":null", k ? "manual" : "dm");
        }
        if (d->store) {
            size_t cap = d->raw_len * 6 + 3;
            char *q = malloc(cap);
            int n = q ? vg_json_escape(d->raw ? d->raw : "", d->raw_len, q, cap) : -1;
            fprintf(d->out, ",\"raw\":%s", n >= 0 ? q : "null");
            free(q);
        }
        fputs("}\n", d->out);
        return dump__stop(d->out);
    }
    fprintf(d->out, "%s,%s,%s,", o->platform, t, code);
    dump__number(d->out, o->value, 0);
    fprintf(d->out, ",%d,", o->qc.agg);
    dump__number(d->out, o->lat_deg, 0);
    fputc(',', d->out);
    dump__number(d->out, o->lon_deg, 0);
    fprintf(d->out, ",%d,%d,", o->pos_flag, o->time_flag);
    int first = 1;
    for (int i = 0; i < VG_QC_MAX_TESTS; i++) {
        if (!o->qc.test[i] || !d->names[i])
            continue;
        fprintf(d->out, "%s%s=%d", first ? "" : ";", d->names[i], o->qc.test[i]);
        first = 0;
    }
    for (int k = 0; k < 2; k++) {
        if (!(k ? d->manual : d->dm))
            continue;
        int m = dump__flag_of(k ? &d->man : &d->dmf, o);
        fputc(',', d->out);
        if (m >= 0)
            fprintf(d->out, "%d", m);
    }
    if (d->store) {
        fputc(',', d->out);
        dump__escaped(d->out, d->raw, d->raw_len);
    }
    fputc('\n', d->out);
    return dump__stop(d->out);
}

static int dump__count(void *ctx, const vg_obs *o)
{
    dump_ctx *d = ctx;
    d->rows++;
    if (d->samples == 0 || o->time != d->last_time) { /* rows come in (time, param) order */
        d->samples++;
        d->last_time = o->time;
        d->pos_agg[o->pos_flag <= 9 ? o->pos_flag : 0]++;
        d->time_agg[o->time_flag <= 9 ? o->time_flag : 0]++;
    }
    d->agg[o->param][o->qc.agg <= 9 ? o->qc.agg : 0]++;
    for (int i = 0; i < VG_QC_MAX_TESTS; i++)
        if (o->qc.test[i] && o->qc.test[i] <= 9)
            d->counts[o->param][i][o->qc.test[i]]++;
    return dump__stop(d->out);
}

static void dump__print_summary(FILE *out, const char *platform, dump_ctx *d)
{
    fprintf(out, "platform %s: %llu samples, %llu values\n", platform,
            (unsigned long long)d->samples, (unsigned long long)d->rows);
    fprintf(out, "  %-6s %-20s %9s %9s %9s %9s %9s %9s\n", "param", "test", "0 no QC", "1 good",
            "3 p.bad", "4 bad", "6 harb.", "9 miss.");
    const uint64_t *pa = d->pos_agg, *ta = d->time_agg;
    fprintf(out, "  %-6s %-20s %9llu %9llu %9llu %9llu %9llu %9llu\n", "POS", "(aggregate)",
            (unsigned long long)pa[0], (unsigned long long)pa[1], (unsigned long long)pa[3],
            (unsigned long long)pa[4], (unsigned long long)pa[6], (unsigned long long)pa[9]);
    fprintf(out, "  %-6s %-20s %9llu %9llu %9llu %9llu %9llu %9llu\n", "TIME", "(aggregate)",
            (unsigned long long)ta[0], (unsigned long long)ta[1], (unsigned long long)ta[3],
            (unsigned long long)ta[4], (unsigned long long)ta[6], (unsigned long long)ta[9]);
    for (int p = 0; p < VG_P__COUNT; p++) {
        uint64_t total = 0;
        for (int f = 0; f < 10; f++)
            total += d->agg[p][f];
        if (!total)
            continue;
        const char *code = vg_param_get((vg_param)p)->code;
        for (int i = 0; i < VG_QC_MAX_TESTS; i++) {
            const uint64_t *c = d->counts[p][i];
            uint64_t judged = 0;
            for (int f = 1; f < 10; f++)
                judged += c[f];
            if (!d->names[i] || !judged)
                continue;
            /* 0: values the test did not judge (edges, gaps, missing values) */
            fprintf(out, "  %-6s %-20s %9llu %9llu %9llu %9llu %9llu %9llu\n", code, d->names[i],
                    (unsigned long long)(total - judged), (unsigned long long)c[1],
                    (unsigned long long)c[3], (unsigned long long)c[4], (unsigned long long)c[6],
                    (unsigned long long)c[9]);
        }
        const uint64_t *a = d->agg[p];
        fprintf(out, "  %-6s %-20s %9llu %9llu %9llu %9llu %9llu %9llu\n", code, "(aggregate)",
                (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[3],
                (unsigned long long)a[4], (unsigned long long)a[6], (unsigned long long)a[9]);
    }
}

typedef struct quarantine_ctx {
    FILE *out;
    int list;
    uint64_t n;
    uint64_t by_reason[VG_ERR__COUNT];
} quarantine_ctx;

static int dump__quarantined(void *ctx, const vg_quarantined *q)
{
    quarantine_ctx *c = ctx;
    if (dump__stop(c->out))
        return 1;
    c->n++;
    for (int r = 0; r < VG_ERR__COUNT; r++) {
        if (strcmp(vg_err_name((vg_err)r), q->reason) == 0) {
            c->by_reason[r]++;
            break;
        }
    }
    if (!c->list)
        return dump__stop(c->out);
    char t[VG_TIME_ISO_LEN];
    fprintf(c->out, "%s\t%s\t%s\t%s\t", vg_time_format_iso8601(q->received, t), q->source,
            q->reason, q->detail);
    for (size_t i = 0; i < q->frame_len; i++) {
        unsigned char ch = (unsigned char)q->frame[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\')
            fputc(ch, c->out);
        else
            fprintf(c->out, "\\x%02x", ch);
    }
    fputc('\n', c->out);
    return dump__stop(c->out);
}

typedef struct events_ctx {
    FILE *out;
    bool json;
    uint64_t n;
} events_ctx;

static int dump__event(void *ctx, const vg_event *ev)
{
    events_ctx *c = ctx;
    char buf[4096];
    c->n++;
    if (c->json) {
        if (vg_event_json(ev, buf, sizeof buf) >= 0)
            fprintf(c->out, "%s\n", buf);
        return dump__stop(c->out);
    }
    char first[VG_TIME_ISO_LEN], last[VG_TIME_ISO_LEN], det[VG_TIME_ISO_LEN];
    fprintf(c->out, "%s,%s,%s,%s,%s,%s,", ev->platform, vg_param_get(ev->param)->code,
            vg_event_kind_name(ev->kind), vg_time_format_iso8601(ev->first, first),
            vg_time_format_iso8601(ev->last, last), vg_time_format_iso8601(ev->detected, det));
    dump__number(c->out, ev->magnitude, 0);
    fprintf(c->out, ",%s,", ev->units);
    dump__number(c->out, ev->score, 0);
    fputc(',', c->out);
    dump__escaped(c->out, ev->text, strlen(ev->text));
    fputc('\n', c->out);
    return dump__stop(c->out);
}

static int dump_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'}, {"config", required_argument, NULL, 'c'},
        {"platform", required_argument, NULL, 'p'}, {"param", required_argument, NULL, 'P'},
        {"from", required_argument, NULL, 'f'},    {"to", required_argument, NULL, 't'},
        {"min-flag", required_argument, NULL, 'm'}, {"format", required_argument, NULL, 'F'},
        {"summary", no_argument, NULL, 'S'},       {"quarantine", no_argument, NULL, 'Q'},
        {"raw", no_argument, NULL, 'R'},          {"events", no_argument, NULL, 'E'},
        {"manual", no_argument, NULL, 'M'},      {"dm", no_argument, NULL, 'D'},
        {NULL, 0, NULL, 0},
    };
    const char *storage = NULL, *config = NULL, *platform = NULL, *format = "csv";
    vg_query q = {.param = -1, .from = VG_TIME_NONE, .to = VG_TIME_NONE, .min_flag = 0};
    int summary = 0, quarantine = 0, events = 0, with_raw = 0, with_manual = 0, with_dm = 0, c;
    vg_errinfo err;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:c:p:", longopts, NULL)) != -1) {
        switch (c) {
        case 's': storage = optarg; break;
        case 'c': config = optarg; break;
        case 'p': platform = optarg; break;
        case 'P':
            q.param = vg_param_lookup(optarg, strlen(optarg));
            if (q.param < 0) {
                fprintf(stderr, "vigie dump: unknown parameter code '%s'\n", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'f':
        case 't':
            if (!vg_cli_time(optarg, c == 'f' ? &q.from : &q.to)) {
                fprintf(stderr, "vigie dump: --%s '%s': not an ISO 8601 time\n",
                        c == 'f' ? "from" : "to", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'm': {
            long f;
            if (!vg_parse_long(optarg, &f) || f < 0 || f > 9) {
                fprintf(stderr, "vigie dump: --min-flag takes 0-9\n");
                return VG_EXIT_USAGE;
            }
            q.min_flag = (int)f;
            break;
        }
        case 'F': format = optarg; break;
        case 'S': summary = 1; break;
        case 'Q': quarantine = 1; break;
        case 'R': with_raw = 1; break;
        case 'E': events = 1; break;
        case 'M': with_manual = 1; break;
        case 'D': with_dm = 1; break;
        default: dump_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    if (optind != argc || (!storage == !config) || (strcmp(format, "csv") && strcmp(format, "json"))) {
        fprintf(stderr, "vigie dump: give one of --storage DIR or --config FILE, and --format csv|json\n");
        return VG_EXIT_USAGE;
    }
    if (events + quarantine + summary > 1) {
        fprintf(stderr, "vigie dump: give at most one of --summary, --quarantine, --events\n");
        return VG_EXIT_USAGE;
    }
    if (!platform && !summary && !quarantine && !events) {
        fprintf(stderr, "vigie dump: --platform ID is required\n");
        return VG_EXIT_USAGE;
    }
    vg_setup setup = {0};
    if (config) {
        if (vg_setup_load(config, &setup, &err) != VG_OK) {
            fprintf(stderr, "vigie dump: %s\n", err.text);
            return VG_EXIT_FAIL;
        }
        storage = setup.cfg->storage_path;
    }
    vg_store *st = NULL;
    vg_store_options so = {.cache_mb = 16, .read_only = true};
    int status = VG_EXIT_OK;
    dump__signals();
    if (vg_store_open(storage, &so, &st, &err) != VG_OK) {
        fprintf(stderr, "vigie dump: %s\n", err.text);
        vg_setup_free(&setup);
        return VG_EXIT_FAIL;
    }
    dump_ctx d = {.out = stdout, .json = strcmp(format, "json") == 0, .names = vg_qc_test_names()};
    if (events) {
        events_ctx ec = {.out = stdout, .json = d.json};
        if (!d.json)
            printf("platform,parameter,kind,first,last,detected,magnitude,units,score,text\n");
        if (vg_store_events_walk(st, platform, dump__event, &ec, &err) != VG_OK) {
            fprintf(stderr, "vigie dump: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
    } else if (quarantine || summary) {
        quarantine_ctx qc = {.out = stdout, .list = quarantine};
        if (vg_store_quarantine_walk(st, dump__quarantined, &qc, &err) != VG_OK) {
            fprintf(stderr, "vigie dump: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
        if (summary) {
            printf("quarantine: %llu frames", (unsigned long long)qc.n);
            for (int r = 0; r < VG_ERR__COUNT; r++)
                if (qc.by_reason[r])
                    printf(" %s=%llu", vg_err_name((vg_err)r), (unsigned long long)qc.by_reason[r]);
            printf("\n");
        }
    }
    if (summary) {
        d.counts = calloc(VG_P__COUNT, sizeof *d.counts);
        d.agg = calloc(VG_P__COUNT, sizeof *d.agg);
        size_t n = platform ? 1 : (setup.cfg ? setup.cfg->n_platforms : 0);
        if (!platform && !setup.cfg)
            fprintf(stderr, "vigie dump: --summary without --config needs --platform ID\n");
        for (size_t i = 0; i < n && d.counts && d.agg && status == VG_EXIT_OK && !dump_signal;
             i++) {
            q.platform = platform ? platform : setup.cfg->platforms[i].id;
            memset(d.counts, 0, VG_P__COUNT * sizeof *d.counts);
            memset(d.agg, 0, VG_P__COUNT * sizeof *d.agg);
            d.rows = d.samples = 0;
            memset(d.pos_agg, 0, sizeof d.pos_agg);
            memset(d.time_agg, 0, sizeof d.time_agg);
            if (vg_store_query(st, &q, dump__count, &d, &err) != VG_OK) {
                fprintf(stderr, "vigie dump: %s\n", err.text);
                status = VG_EXIT_FAIL;
            } else {
                dump__print_summary(stdout, q.platform, &d);
            }
        }
        free(d.counts);
        free(d.agg);
    } else if (!quarantine && !events) {
        q.platform = platform;
        if (with_raw)
            d.store = st;
        d.manual = with_manual;
        d.dm = with_dm;
        if ((with_manual && vg_manual_walk(st, platform, q.from, q.to, dump__collect_manual, &d,
                                           &err) != VG_OK) ||
            (with_dm && vg_dmflags_walk(st, platform, q.from, q.to, dump__collect_dm, &d,
                                        &err) != VG_OK)) {
            fprintf(stderr, "vigie dump: %s\n", err.text);
            status = VG_EXIT_FAIL;
        } else if (d.man.nomem || d.dmf.nomem) {
            fprintf(stderr, "vigie dump: out of memory for the flags of %s\n", platform);
            status = VG_EXIT_FAIL;
        }
        if (!d.json && status == VG_EXIT_OK)
            printf("platform,time,param,value,flag,lat,lon,pos_flag,time_flag,tests%s%s%s\n",
                   with_dm ? ",dm" : "", with_manual ? ",manual" : "", with_raw ? ",raw" : "");
        if (status == VG_EXIT_OK && vg_store_query(st, &q, dump__row, &d, &err) != VG_OK) {
            fprintf(stderr, "vigie dump: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
    }
    free(d.raw);
    free(d.man.v);
    free(d.dmf.v);
    fflush(stdout);
    int write_failed = ferror(stdout), write_errno = errno;
    if (vg_store_close(st, &err) != VG_OK) {
        fprintf(stderr, "vigie dump: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    vg_setup_free(&setup);
    if (dump_signal == SIGINT || dump_signal == SIGTERM) {
        fprintf(stderr, "vigie dump: interrupted by signal %d, store closed\n", (int)dump_signal);
        return 128 + (int)dump_signal;
    }
    if (dump_signal == SIGPIPE) /* the reader of the pipe has all it wanted (| head) */
        return status;
    if (write_failed) {
        fprintf(stderr, "vigie dump: writing the output: %s\n", strerror(write_errno));
        return VG_EXIT_FAIL;
    }
    return status;
}

const vg_command vg_cmd_dump = {
    .name = "dump",
    .summary = "read stored samples, the quarantine, or a QC summary",
    .main = dump_main,
    .usage = dump_usage,
};
