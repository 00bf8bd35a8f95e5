/* cmd_qc.c: `vigie qc`, batch quality control. A CSV, JSON-lines or NetCDF (GOSUD,
 * Copernicus in-situ: export/export.h) file is read row by row and each row is pushed into
 * the per-platform stream engine of the daemon (qc/stream.h), flushed at the end; the output
 * is CSV, the rows in input order with the flags of every value (aggregate and per test).
 * One code path, so stream = batch (docs/qc.md). Bad rows are reported on stderr as
 * FILE:LINE: reason, left out of the output, counted, and make the exit status 1. Constant
 * memory whatever the size of a CSV or JSON file (a NetCDF file is read whole).
 * docs/batch.md has the details. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/event.h"
#include "core/flags.h"
#include "core/json.h"
#include "daemon/setup.h"
#include "export/export.h"
#include "export/qcfile.h"
#include "ingest/parser.h"
#include "qc/stream.h"
#include "qc/test.h"
#include "tools/batch_csv.h"
#include "tools/batch_input.h"
#include "tools/batch_out.h"
#include "tools/command.h"

#define QC_CMD_MAX_REPORTS 1000 /* bad rows printed by default (all are counted) */

enum { QC_FMT_AUTO, QC_FMT_CSV, QC_FMT_JSON, QC_FMT_NETCDF };

/* What a column of a CSV input holds. */
enum { QC_IN_PARAM, QC_IN_TIME, QC_IN_LAT, QC_IN_LON, QC_IN_DEPTH, QC_IN_PLATFORM };

static const char *const qc_cmd_in_names[] = {"", "time", "lat", "lon", "depth", "platform"};

typedef struct qc_incol {
    int kind;  /* QC_IN_* */
    int param; /* QC_IN_PARAM: the parameter */
} qc_incol;

/* Variable of a flag column besides parameters (>= 0). */
enum { QC_VAR_POSITION = -1, QC_VAR_TIME = -2 };

typedef struct qc_flagcol {
    int var;      /* parameter index, QC_VAR_POSITION or QC_VAR_TIME */
    unsigned test; /* test id; 0 = the aggregate flag */
} qc_flagcol;

typedef struct qc_platform {
    const vg_platform_cfg *pf;
    vg_qc_stream *stream; /* created with the platform's first row */
    size_t slot;          /* output reservation of the row whose sample the stream holds */
    bool waiting;         /* slot is open */
} qc_platform;

typedef struct qc_cmd {
    /* options */
    const char *config_path, *in_path, *out_path, *platform_opt;
    int format;
    bool qartod, quiet, use_default;
    long max_reports;
    /* configuration */
    vg_setup setup;
    uint8_t harbour_as;
    qc_platform *pl;
    size_t n_pl, last_pl;
    long fallback;      /* platform of the rows that name none, -1 if there is none */
    bool any_platform;  /* rows name their platform (platform column, JSON) */
    char platform_list[256];
    vg_time_us now;          /* start of the run: the "reception" time of every row */
    vg_time_us future_limit; /* later sample times are refused, as by the daemon */
    /* input */
    vg_batch_input in;
    const char *in_name;
    vg_csv_reader csv;
    qc_incol *incols;
    size_t n_incols;
    int vars[VG_P__COUNT]; /* the parameters of the output, in column order */
    size_t n_vars;
    uint32_t var_set;
    const vg_parser_ops *json;
    void *json_state;
    char *splice;          /* a JSON line with the fallback platform added */
    size_t splice_cap;
    /* output */
    vg_batch_out *out;     /* CSV output */
    bool nc_out;           /* OUTPUT is NetCDF (export/qcfile.h): one platform */
    vg_qcfile *ncfile;     /* created with the first row's platform */
    long nc_platform;
    uint8_t *nc_flags;     /* one flag per flag column */
    qc_flagcol *fc;
    size_t n_fc;
    char *flags;           /* ",d" per flag column */
    char *placeholder;     /* ",?" per flag column: a row waiting for its flags */
    size_t cur;            /* platform whose stream is being pushed or flushed */
    vg_err out_rc;         /* first output failure inside an emit */
    vg_errinfo out_err;
    /* counts */
    uint64_t rows, samples, bad;
} qc_cmd;

static void qc_usage(FILE *out)
{
    fprintf(out,
"usage: vigie qc (-c FILE | --default) [--scheme argo|qartod] [--platform ID]\n"
"                [--format csv|json|netcdf] [--max-reports N] [-q] INPUT -o OUTPUT\n"
"\n"
"Quality-control a file in one go. Every row goes through the stream engine of\n"
"'vigie run' (same chains, same flags: stream = batch); OUTPUT gets the rows in input\n"
"order with the flags of every value, aggregate and per test.\n"
"\n"
"  -c, --config FILE    configuration (YAML, as for 'vigie run'): platforms, QC chains\n"
"      --default        use the embedded default configuration\n"
"  -o, --output FILE    CSV file to write, '-' for standard output (required); a name\n"
"                       ending in .nc, .nc4, .cdf or .netcdf writes NetCDF: CF-1.8 with\n"
"                       every flag column as a CF flag variable, one platform per file\n"
"  -s, --scheme S       flag scale of OUTPUT: argo (default: GOSUD/Argo 0-9) or\n"
"                       qartod (1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing;\n"
"                       harbour, 6, becomes export.harbour_flag_as of the config)\n"
"  -p, --platform ID    platform of the rows that name none (no platform column or\n"
"                       field, or an empty cell); default: the configured platform if\n"
"                       the configuration has only one\n"
"  -f, --format F       format of INPUT: csv, json (JSON lines) or netcdf; default:\n"
"                       from the name (.csv; .json, .jsonl, .ndjson; .nc, .nc4, .cdf),\n"
"                       else from the first bytes\n"
"      --max-reports N  print at most N bad rows on stderr (default %d; 0: all);\n"
"                       every bad row is counted\n"
"  -q, --quiet          no summary line on stderr at the end\n"
"  -h, --help           this help\n"
"\n"
"INPUT ('-': standard input), read line by line in constant memory:\n"
"  CSV    a header line, then one row per sample. Columns: time (ISO 8601,\n"
"         required); parameter codes, one column each:\n"
"        ",
            QC_CMD_MAX_REPORTS);
    for (int p = 0; p < VG_P__COUNT; p++)
        fprintf(out, " %s", vg_param_get((vg_param)p)->code);
    fprintf(out,
";\n"
"         and optionally lat, lon (degrees), depth (accepted, not used yet), platform.\n"
"         Empty, NaN or nan: a missing value. Quoting per RFC 4180.\n"
"  JSON   one object per line, the daemon's 'json' format (docs/formats-input.md);\n"
"         \"time\" is required.\n"
"  NetCDF a GOSUD v3 or Copernicus in-situ / OceanSITES file (docs/export.md), e.g.\n"
"         one of 'vigie export': its values and positions are QC'd again (its flags\n"
"         are not read); its platform (SHIP_CALL_SIGN or platform_code) must be\n"
"         configured, or give --platform. Rows are the file's records (FILE:N).\n"
"         (NetCDF output: an OUTPUT named .nc, below.)\n"
"\n"
"OUTPUT (CSV): the input columns (JSON input: platform,time,lat,lon and the parameters\n"
"of the configured platforms), then for each parameter <CODE>_qc (aggregate flag) and\n"
"<CODE>_qc_<test> for each test of the chain that can judge it, then position_qc,\n"
"position_qc_<test>..., time_qc, time_qc_<test>... A test that did not judge a value\n"
"gives 0 (argo) or 2 (qartod): stream edges, gaps, other platforms' tests.\n"
"\n"
"Rows must be in increasing time per platform. A bad row (not parsable, a cell that is\n"
"not a number or a time, an unknown platform, a time not after the platform's previous\n"
"row or in the future) is reported on stderr as FILE:LINE: reason, left out of OUTPUT,\n"
"and counted.\n"
"Exit status: 0 every row was QC'd; 1 some rows were bad, or a failure (configuration,\n"
"header, input or output); 2 bad usage.\n");
}

/* ---- messages ------------------------------------------------------------------------- */

/* Report a bad row (lines first..last of the input) and count it. */
static void qc_cmd__bad(qc_cmd *q, long first, long last, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void qc_cmd__bad(qc_cmd *q, long first, long last, const char *fmt, ...)
{
    q->bad++;
    if (q->max_reports && q->bad > (uint64_t)q->max_reports)
        return;
    char text[VG_ERRINFO_TEXT + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (first == last)
        fprintf(stderr, "%s:%ld: %s\n", q->in_name, first, text);
    else
        fprintf(stderr, "%s:%ld-%ld: %s\n", q->in_name, first, last, text);
    if (q->max_reports && q->bad == (uint64_t)q->max_reports)
        fprintf(stderr, "vigie qc: %ld bad rows reported: further ones are only counted "
                        "(--max-reports)\n",
                q->max_reports);
}

/* Quote s[0..n) for a message. */
static const char *qc_cmd__quote(const char *s, size_t n, char *buf, size_t cap)
{
    return vg_json_excerpt(s, n, 40, buf, cap);
}

static void qc_cmd__trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* ---- platforms and columns ------------------------------------------------------------ */

/* Index of platform id in q->pl, or -1. */
static long qc_cmd__platform(qc_cmd *q, const char *id)
{
    if (q->last_pl < q->n_pl && strcmp(q->pl[q->last_pl].pf->id, id) == 0)
        return (long)q->last_pl;
    for (size_t i = 0; i < q->n_pl; i++) {
        if (strcmp(q->pl[i].pf->id, id) == 0) {
            q->last_pl = i;
            return (long)i;
        }
    }
    return -1;
}

/* True when platform i can appear in the input. */
static bool qc_cmd__candidate(const qc_cmd *q, size_t i)
{
    return q->any_platform || (long)i == q->fallback;
}

/* True when a candidate platform's chain has test t for variable var. */
static bool qc_cmd__judges(const qc_cmd *q, const vg_qc_test *t, int var)
{
    for (size_t i = 0; i < q->n_pl; i++) {
        const vg_platform_cfg *pf = q->pl[i].pf;
        if (!qc_cmd__candidate(q, i) || (var >= 0 && !(pf->params & VG_PARAM_BIT(var))))
            continue;
        const vg_qc_chain *ch = &q->setup.plan->chains[pf->kind];
        for (size_t k = 0; k < ch->n_steps; k++) {
            const vg_qc_step *st = &ch->steps[k];
            if (st->test != t)
                continue;
            if (var >= 0 && t->target == VG_QC_ON_PARAM && (st->params & VG_PARAM_BIT(var)))
                return true;
            if (var == QC_VAR_POSITION && t->target == VG_QC_ON_POSITION)
                return true;
            if (var == QC_VAR_TIME && t->target == VG_QC_ON_TIME)
                return true;
        }
    }
    return false;
}

/* Add the flag columns of one variable: its aggregate, then each test that judges it. */
/* Events of the daily sea-level watch (datum shifts, clock offsets): the batch has no
 * store, so they go to standard error as the daemon would publish them. */
static void qc_cmd__event(void *ctx, const vg_event *ev)
{
    (void)ctx;
    char buf[2048];
    if (vg_event_json(ev, buf, sizeof buf) >= 0)
        fprintf(stderr, "vigie qc: event %s\n", buf);
}

static vg_err qc_cmd__add_var(qc_cmd *q, int var, vg_errinfo *err)
{
    size_t need = q->n_fc + 1 + VG_QC_MAX_TESTS;
    qc_flagcol *fc = realloc(q->fc, need * sizeof *fc);
    if (!fc)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the output columns");
    q->fc = fc;
    q->fc[q->n_fc++] = (qc_flagcol){.var = var, .test = 0};
    for (unsigned id = 1; id < VG_QC_MAX_TESTS; id++) { /* in test-id order */
        const vg_qc_test *t = vg_qc_test_by_id(id);
        if (t && qc_cmd__judges(q, t, var))
            q->fc[q->n_fc++] = (qc_flagcol){.var = var, .test = id};
    }
    return VG_OK;
}

/* Build the flag columns, create the output and write its header: the input columns
 * `head`, then the flag columns. The output is created only once the input's header is
 * known to be good. */
static vg_err qc_cmd__columns(qc_cmd *q, const char *head, size_t head_len, vg_errinfo *err)
{
    vg_err rc = VG_OK;
    for (size_t v = 0; v < q->n_vars && rc == VG_OK; v++)
        rc = qc_cmd__add_var(q, q->vars[v], err);
    if (rc == VG_OK)
        rc = qc_cmd__add_var(q, QC_VAR_POSITION, err);
    if (rc == VG_OK)
        rc = qc_cmd__add_var(q, QC_VAR_TIME, err);
    if (rc != VG_OK)
        return rc;
    q->flags = malloc(2 * q->n_fc + 1);
    q->placeholder = malloc(2 * q->n_fc + 1);
    if (!q->flags || !q->placeholder)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the output columns");
    for (size_t i = 0; i < q->n_fc; i++) {
        q->placeholder[2 * i] = ',';
        q->placeholder[2 * i + 1] = '?'; /* never left in a complete output */
    }
    if (q->nc_out) /* the NetCDF file is created with the first row's platform */
        return (q->nc_flags = malloc(q->n_fc + 1)) ? VG_OK
                                                   : vg_fail(err, VG_ERR_NOMEM, "out of memory");
    if ((rc = vg_batch_out_open(q->out_path, q->n_pl, &q->out, err)) != VG_OK)
        return rc;
    if ((rc = vg_batch_out_write(q->out, head, head_len, err)) != VG_OK)
        return rc;
    const char *const *names = vg_qc_test_names();
    for (size_t i = 0; i < q->n_fc && rc == VG_OK; i++) {
        char name[96];
        const qc_flagcol *c = &q->fc[i];
        const char *var = c->var == QC_VAR_POSITION ? "position"
                          : c->var == QC_VAR_TIME   ? "time"
                                                    : vg_param_get((vg_param)c->var)->code;
        int n = c->test ? snprintf(name, sizeof name, ",%s_qc_%s", var, names[c->test])
                        : snprintf(name, sizeof name, ",%s_qc", var);
        rc = vg_batch_out_write(q->out, name, (size_t)n, err);
    }
    return rc == VG_OK ? vg_batch_out_write(q->out, "\n", 1, err) : rc;
}

/* ---- the stream engine ---------------------------------------------------------------- */

static vg_flag qc_cmd__flag(const qc_cmd *q, const vg_sample *s, const qc_flagcol *c)
{
    vg_flag f;
    if (c->var == QC_VAR_POSITION)
        f = c->test ? s->pos_qc.test[c->test] : s->pos_qc.agg;
    else if (c->var == QC_VAR_TIME)
        f = c->test ? s->time_qc.test[c->test] : s->time_qc.agg;
    else if (!vg_sample_has(s, (vg_param)c->var)) /* absent from a JSON line: missing */
        f = c->test ? VG_FLAG_NO_QC : VG_FLAG_MISSING;
    else
        f = c->test ? s->qc[c->var].test[c->test] : s->qc[c->var].agg;
    return q->qartod ? vg_flag_to_qartod(f, q->harbour_as) : f;
}

/* Emit callback of the streams: the sample of the row waiting on platform q->cur is judged;
 * write its flags over the row's placeholders. */
static void qc_cmd__emit(void *ctx, const vg_sample *s)
{
    qc_cmd *q = ctx;
    qc_platform *p = &q->pl[q->cur];
    if (!p->waiting)
        return;
    if (q->nc_out) {
        vg_errinfo nerr;
        for (size_t i = 0; i < q->n_fc; i++)
            q->nc_flags[i] = qc_cmd__flag(q, s, &q->fc[i]);
        vg_err rc = vg_qcfile_add(q->ncfile, s, q->nc_flags, &nerr);
        p->waiting = false;
        q->samples++;
        if (rc != VG_OK && q->out_rc == VG_OK) {
            q->out_rc = rc;
            q->out_err = nerr;
        }
        return;
    }
    for (size_t i = 0; i < q->n_fc; i++) {
        vg_flag f = qc_cmd__flag(q, s, &q->fc[i]);
        q->flags[2 * i] = ',';
        q->flags[2 * i + 1] = (char)(f <= 9 ? '0' + f : '?');
    }
    vg_errinfo err;
    vg_err rc = vg_batch_out_fill(q->out, p->slot, q->flags, 2 * q->n_fc, &err);
    p->waiting = false;
    q->samples++;
    if (rc != VG_OK && q->out_rc == VG_OK) {
        q->out_rc = rc;
        q->out_err = err;
    }
}

/* The NetCDF output of platform pi: its value columns are the output's parameters, its
 * flag columns those of the CSV output. */
static vg_err qc_cmd__nc_create(qc_cmd *q, size_t pi, vg_errinfo *err)
{
    vg_qcfile_col *cols = calloc(q->n_fc ? q->n_fc : 1, sizeof *cols);
    char (*names)[96] = calloc(q->n_fc ? q->n_fc : 1, sizeof *names);
    if (!cols || !names) {
        free(cols);
        free(names);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    }
    const char *const *tn = vg_qc_test_names();
    for (size_t i = 0; i < q->n_fc; i++) {
        const qc_flagcol *c = &q->fc[i];
        const char *var = c->var == QC_VAR_POSITION ? "position"
                          : c->var == QC_VAR_TIME   ? "time"
                                                    : vg_param_get((vg_param)c->var)->code;
        if (c->test)
            snprintf(names[i], sizeof names[i], "%s_qc_%s", var, tn[c->test]);
        else
            snprintf(names[i], sizeof names[i], "%s_qc", var);
        cols[i] = (vg_qcfile_col){.name = names[i],
                                  .var = c->var == QC_VAR_POSITION ? VG_QCFILE_POSITION
                                         : c->var == QC_VAR_TIME   ? VG_QCFILE_TIME
                                                                   : c->var,
                                  .test = c->test,
                                  .test_name = c->test ? tn[c->test] : NULL};
    }
    vg_err rc = vg_qcfile_new(q->pl[pi].pf->id, q->vars, q->n_vars, cols, q->n_fc, q->qartod,
                              &q->ncfile, err);
    q->nc_platform = (long)pi;
    free(cols);
    free(names);
    return rc;
}

/* Push sample s of platform pi, from input lines first..last; on success write the row
 * (its input columns row[0..n), then placeholders for the flags). Returns VG_OK, or the
 * output error that must stop the run; a bad row is reported and counted, not returned. */
static vg_err qc_cmd__push(qc_cmd *q, vg_sample *s, size_t pi, long first, long last,
                           const char *row, size_t n, vg_errinfo *err)
{
    qc_platform *p = &q->pl[pi];
    vg_errinfo why;
    char t[VG_TIME_ISO_LEN], l[VG_TIME_ISO_LEN];
    if (s->time == VG_TIME_NONE) {
        qc_cmd__bad(q, first, last, "no time: a file needs one per row");
        return VG_OK;
    }
    if (s->time > q->future_limit) {
        /* The daemon's check, with the start of the run as the time of reception. */
        qc_cmd__bad(q, first, last,
                    "%s: time %s is in the future (after now %s + future_tolerance_s %g s)",
                    s->platform, vg_time_format_iso8601(s->time, t),
                    vg_time_format_iso8601(q->now, l), q->setup.cfg->future_tolerance_s);
        return VG_OK;
    }
    if (q->nc_out && q->ncfile && (long)pi != q->nc_platform) {
        qc_cmd__bad(q, first, last, "NetCDF output holds one platform (%s): a row of %s is left "
                    "out", q->pl[q->nc_platform].pf->id, p->pf->id);
        return VG_OK;
    }
    if (q->nc_out && !q->ncfile) {
        vg_err nrc = qc_cmd__nc_create(q, pi, err);
        if (nrc != VG_OK)
            return nrc;
    }
    if (!p->stream && vg_qc_stream_new(q->setup.plan, p->pf, &p->stream, err) != VG_OK)
        return err->code;
    s->received = q->now;
    q->cur = pi;
    vg_err rc = vg_qc_stream_push(p->stream, s, 0, qc_cmd__emit, q, &why);
    /* The daily sea-level watch at the same point as in the daemon's engine, so that
     * datum_shift and clock_offset flag the same samples in both. */
    vg_errinfo eerr;
    if (vg_qc_stream_events_due(p->stream) &&
        vg_qc_stream_run_events(p->stream, qc_cmd__event, NULL, &eerr) != VG_OK) {
        *err = eerr;
        return eerr.code;
    }
    if (q->out_rc != VG_OK) {
        *err = q->out_err;
        return q->out_rc;
    }
    if (rc == VG_ERR_ORDER) {
        qc_cmd__bad(q, first, last, "%s (rows must be in increasing time per platform)",
                    why.text);
        return VG_OK;
    }
    if (rc != VG_OK) {
        *err = why;
        return rc;
    }
    if (q->nc_out) {
        p->waiting = true;
        return VG_OK;
    }
    if ((rc = vg_batch_out_write(q->out, row, n, err)) != VG_OK)
        return rc;
    if ((rc = vg_batch_out_reserve(q->out, q->placeholder, 2 * q->n_fc, &p->slot, err)) !=
        VG_OK)
        return rc;
    p->waiting = true;
    return vg_batch_out_write(q->out, "\n", 1, err);
}

/* Platform index of a row naming id[0..n) (n = 0: none), or -1 after reporting it. */
static long qc_cmd__row_platform(qc_cmd *q, const char *id, size_t n, long first, long last)
{
    char buf[128];
    if (!n) {
        if (q->fallback >= 0)
            return q->fallback;
        qc_cmd__bad(q, first, last, "no platform, and no --platform ID to take instead "
                                    "(the configuration has %zu platforms)",
                    q->n_pl);
        return -1;
    }
    vg_sample tmp;
    if (!vg_sample_set_platform(&tmp, id, n)) {
        qc_cmd__bad(q, first, last,
                    "invalid platform id '%s' (1-%d characters of A-Z a-z 0-9 _ . -)",
                    qc_cmd__quote(id, n, buf, sizeof buf), VG_PLATFORM_MAX - 1);
        return -1;
    }
    long pi = qc_cmd__platform(q, tmp.platform);
    if (pi < 0)
        qc_cmd__bad(q, first, last, "platform '%s' is not in %s (platforms: %s)", tmp.platform,
                    q->setup.cfg->path, q->platform_list);
    return pi;
}

/* ---- CSV ------------------------------------------------------------------------------ */

/* Read the header and set up the input columns. Errors name the file and line. */
static vg_err qc_cmd__csv_header(qc_cmd *q, vg_errinfo *err)
{
    vg_csv_reader *r = &q->csv;
    char b[128];
    vg_err rc = vg_csv_next(r, err);
    if (rc == VG_ERR_NOTFOUND)
        return vg_fail(err, VG_ERR_PARSE, "%s: empty: a CSV input starts with a header line",
                       q->in_name);
    if (rc != VG_OK) {
        char why[VG_ERRINFO_TEXT];
        snprintf(why, sizeof why, "%s", err->text);
        return vg_fail(err, rc, "%s:%ld: header: %s", q->in_name, r->first_line, why);
    }
    q->n_incols = r->n_fields;
    q->incols = calloc(q->n_incols, sizeof *q->incols);
    if (!q->incols)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for %zu columns", q->n_incols);
    unsigned seen = 0;
    for (size_t i = 0; i < r->n_fields; i++) {
        const char *s = r->fields[i].s;
        size_t n = r->fields[i].n;
        qc_cmd__trim(&s, &n);
        int kind = -1;
        for (int k = QC_IN_TIME; k <= QC_IN_PLATFORM; k++)
            if (n == strlen(qc_cmd_in_names[k]) && memcmp(s, qc_cmd_in_names[k], n) == 0)
                kind = k;
        int p = kind < 0 ? vg_param_lookup(s, n) : -1;
        if (!n)
            return vg_fail(err, VG_ERR_PARSE, "%s:%ld: column %zu has no name", q->in_name,
                           r->first_line, i + 1);
        if (kind < 0 && p < 0) {
            char codes[160] = "";
            for (int k = 0; k < VG_P__COUNT; k++) {
                strncat(codes, k ? " " : "", sizeof codes - strlen(codes) - 1);
                strncat(codes, vg_param_get((vg_param)k)->code, sizeof codes - strlen(codes) - 1);
            }
            return vg_fail(err, VG_ERR_PARSE,
                           "%s:%ld: column %zu '%s' is neither a parameter code (%s) nor time, "
                           "lat, lon, depth, platform",
                           q->in_name, r->first_line, i + 1, qc_cmd__quote(s, n, b, sizeof b),
                           codes);
        }
        if (kind < 0) {
            kind = QC_IN_PARAM;
            if (q->var_set & VG_PARAM_BIT(p))
                return vg_fail(err, VG_ERR_PARSE, "%s:%ld: column %zu '%s' given twice",
                               q->in_name, r->first_line, i + 1, vg_param_get((vg_param)p)->code);
            q->var_set |= VG_PARAM_BIT(p);
            q->vars[q->n_vars++] = p;
        } else {
            if (seen & (1u << kind))
                return vg_fail(err, VG_ERR_PARSE, "%s:%ld: column %zu '%s' given twice",
                               q->in_name, r->first_line, i + 1, qc_cmd_in_names[kind]);
            seen |= 1u << kind;
        }
        q->incols[i] = (qc_incol){.kind = kind, .param = p};
    }
    if (!(seen & (1u << QC_IN_TIME)))
        return vg_fail(err, VG_ERR_PARSE, "%s:%ld: no 'time' column (ISO 8601 times)",
                       q->in_name, r->first_line);
    if (!(seen & (1u << QC_IN_LAT)) != !(seen & (1u << QC_IN_LON)))
        return vg_fail(err, VG_ERR_PARSE, "%s:%ld: a '%s' column without a '%s' column",
                       q->in_name, r->first_line, seen & (1u << QC_IN_LAT) ? "lat" : "lon",
                       seen & (1u << QC_IN_LAT) ? "lon" : "lat");
    q->any_platform = (seen & (1u << QC_IN_PLATFORM)) != 0;
    if (!q->any_platform && q->fallback < 0)
        return vg_fail(err, VG_ERR_PARSE,
                       "%s:%ld: no 'platform' column, and the configuration has %zu "
                       "platforms (%s): give --platform ID",
                       q->in_name, r->first_line, q->n_pl, q->platform_list);
    /* A parameter no platform of the file has is not tested: say so once. */
    for (size_t v = 0; v < q->n_vars; v++) {
        bool configured = false;
        for (size_t i = 0; i < q->n_pl; i++)
            if (qc_cmd__candidate(q, i) && (q->pl[i].pf->params & VG_PARAM_BIT(q->vars[v])))
                configured = true;
        if (!configured)
            fprintf(stderr,
                    "vigie qc: %s:%ld: warning: column '%s' is not in the parameters of %s "
                    "in %s: its values get no test (aggregate flag 0, or 9 when missing)\n",
                    q->in_name, r->first_line, vg_param_get((vg_param)q->vars[v])->code,
                    q->any_platform ? "any platform" : q->pl[q->fallback].pf->id,
                    q->setup.cfg->path);
    }
    return qc_cmd__columns(q, r->text, r->text_len, err);
}

/* A number cell: empty, NaN or nan are missing (NaN). False when it is not a number. */
static bool qc_cmd__number(const char *s, size_t n, double *out)
{
    qc_cmd__trim(&s, &n);
    if (!n || (n == 3 && strncasecmp(s, "nan", 3) == 0)) {
        *out = NAN;
        return true;
    }
    return vg_json_decimal(s, n, out) == VG_OK;
}

/* One CSV record: the sample it describes, pushed. */
static vg_err qc_cmd__csv_row(qc_cmd *q, vg_errinfo *err)
{
    const vg_csv_reader *r = &q->csv;
    long a = r->first_line, z = r->last_line;
    char b[128];
    q->rows++;
    if (r->n_fields != q->n_incols) {
        qc_cmd__bad(q, a, z, "%zu fields, the header has %zu", r->n_fields, q->n_incols);
        return VG_OK;
    }
    vg_sample s;
    vg_sample_init(&s);
    const char *pid = NULL;
    size_t pid_len = 0;
    for (size_t i = 0; i < r->n_fields; i++) {
        const char *f = r->fields[i].s;
        size_t n = r->fields[i].n;
        switch (q->incols[i].kind) {
        case QC_IN_PARAM: {
            double v;
            int p = q->incols[i].param;
            if (!qc_cmd__number(f, n, &v)) {
                qc_cmd__bad(q, a, z, "column %zu '%s': '%s' is not a number", i + 1,
                            vg_param_get((vg_param)p)->code, qc_cmd__quote(f, n, b, sizeof b));
                return VG_OK;
            }
            vg_sample_set(&s, (vg_param)p, v);
            break;
        }
        case QC_IN_LAT:
        case QC_IN_LON:
            if (!qc_cmd__number(f, n, q->incols[i].kind == QC_IN_LAT ? &s.lat_deg : &s.lon_deg)) {
                qc_cmd__bad(q, a, z, "column %zu '%s': '%s' is not a number", i + 1,
                            qc_cmd_in_names[q->incols[i].kind], qc_cmd__quote(f, n, b, sizeof b));
                return VG_OK;
            }
            break;
        case QC_IN_TIME: {
            vg_errinfo why;
            size_t used = 0;
            qc_cmd__trim(&f, &n);
            vg_err rc = n ? vg_time_parse_iso8601(f, n, &s.time, &used, &why)
                          : vg_fail(&why, VG_ERR_PARSE, "empty");
            if (rc == VG_OK && used != n)
                rc = vg_fail(&why, VG_ERR_PARSE, "trailing characters after the time");
            if (rc != VG_OK) {
                qc_cmd__bad(q, a, z, "column %zu 'time': '%s' is not an ISO 8601 time: %s",
                            i + 1, qc_cmd__quote(f, n, b, sizeof b), why.text);
                return VG_OK;
            }
            break;
        }
        case QC_IN_PLATFORM:
            qc_cmd__trim(&f, &n);
            pid = f;
            pid_len = n;
            break;
        default: /* depth: kept in the output, not used by any test yet */
            break;
        }
    }
    long pi = qc_cmd__row_platform(q, pid, pid_len, a, z);
    if (pi < 0)
        return VG_OK;
    memcpy(s.platform, q->pl[pi].pf->id, sizeof s.platform);
    return qc_cmd__push(q, &s, (size_t)pi, a, z, r->text, r->text_len, err);
}

static vg_err qc_cmd__csv(qc_cmd *q, vg_errinfo *err)
{
    vg_csv_init(&q->csv, &q->in);
    vg_err rc = qc_cmd__csv_header(q, err);
    while (rc == VG_OK) {
        vg_errinfo why;
        vg_err r = vg_csv_next(&q->csv, &why);
        if (r == VG_ERR_NOTFOUND)
            break;
        if (r == VG_ERR_PARSE || r == VG_ERR_TRUNCATED) {
            q->rows++;
            qc_cmd__bad(q, q->csv.first_line, q->csv.last_line, "%s", why.text);
            continue;
        }
        if (r != VG_OK) {
            *err = why;
            return r;
        }
        rc = qc_cmd__csv_row(q, err);
    }
    return rc;
}

/* ---- JSON lines ----------------------------------------------------------------------- */

/* line[0..n) is a JSON object without "platform": copy it into q->splice with the fallback
 * platform added before its closing brace, so that byte offsets in errors stay right. */
static bool qc_cmd__splice(qc_cmd *q, const char **line, size_t *n)
{
    const char *s = *line;
    size_t end = *n;
    while (end && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    if (!end || s[end - 1] != '}')
        return false;
    size_t k = end - 1; /* is the object empty? */
    while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
        k--;
    bool empty = k && s[k - 1] == '{';
    const char *id = q->pl[q->fallback].pf->id;
    size_t need = *n + strlen(id) + 16;
    if (need > q->splice_cap) {
        char *p = realloc(q->splice, need);
        if (!p)
            return false;
        q->splice = p;
        q->splice_cap = need;
    }
    int m = snprintf(q->splice, need, "%.*s%s\"platform\":\"%s\"}", (int)(end - 1), s,
                     empty ? "" : ",", id);
    *line = q->splice;
    *n = (size_t)m;
    return true;
}

/* True when s[0..n) contains lit (memmem is a GNU extension). */
static bool qc_cmd__contains(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    for (const char *p = s; (size_t)(s + n - p) >= k; p++) {
        p = memchr(p, lit[0], (size_t)(s + n - p) - k + 1);
        if (!p)
            return false;
        if (memcmp(p, lit, k) == 0)
            return true;
    }
    return false;
}

/* Format the input columns of a JSON sample: platform,time,lat,lon,values. */
static size_t qc_cmd__json_columns(const qc_cmd *q, const vg_sample *s, char *buf, size_t cap)
{
    char t[VG_TIME_ISO_LEN];
    size_t n = (size_t)snprintf(buf, cap, "%s,%s,", s->platform,
                                vg_time_format_iso8601(s->time, t));
    if (!isnan(s->lat_deg))
        n += (size_t)snprintf(buf + n, cap - n, "%.10g", s->lat_deg);
    buf[n++] = ',';
    if (!isnan(s->lon_deg))
        n += (size_t)snprintf(buf + n, cap - n, "%.10g", s->lon_deg);
    for (size_t v = 0; v < q->n_vars; v++) {
        buf[n++] = ',';
        double x = s->value[q->vars[v]];
        if (vg_sample_has(s, (vg_param)q->vars[v]) && !isnan(x))
            n += (size_t)snprintf(buf + n, cap - n, "%.10g", x);
    }
    return n;
}

static vg_err qc_cmd__json_line(qc_cmd *q, const char *line, size_t n, vg_errinfo *err)
{
    long no = q->in.no;
    vg_sample s;
    bool produced = false;
    vg_errinfo why;
    q->rows++;
    if (q->fallback >= 0 && !qc_cmd__contains(line, n, "\"platform\""))
        qc_cmd__splice(q, &line, &n);
    vg_err rc = q->json->parse_line(q->json_state, line, n, VG_TIME_NONE, &s, &produced, &why);
    if (rc != VG_OK || !produced) {
        qc_cmd__bad(q, no, no, "%s", rc != VG_OK ? why.text : "not a sample");
        return VG_OK;
    }
    long pi = qc_cmd__row_platform(q, s.platform, strlen(s.platform), no, no);
    if (pi < 0)
        return VG_OK;
    uint32_t extra = s.present & ~q->var_set;
    if (extra) {
        int p = __builtin_ctz(extra);
        qc_cmd__bad(q, no, no,
                    "parameter %s: no platform of %s lists it, so the output has no column "
                    "for it",
                    vg_param_get((vg_param)p)->code, q->setup.cfg->path);
        return VG_OK;
    }
    char row[64 + VG_P__COUNT * 32 + 2 * 32];
    size_t len = qc_cmd__json_columns(q, &s, row, sizeof row);
    return qc_cmd__push(q, &s, (size_t)pi, no, no, row, len, err);
}

static vg_err qc_cmd__json_lines(qc_cmd *q, vg_errinfo *err)
{
    /* Columns: the parameters of every configured platform, in params.h order. */
    q->any_platform = true;
    for (size_t i = 0; i < q->n_pl; i++)
        q->var_set |= q->pl[i].pf->params;
    for (int p = 0; p < VG_P__COUNT; p++)
        if (q->var_set & VG_PARAM_BIT(p))
            q->vars[q->n_vars++] = p;
    char head[64 + VG_P__COUNT * 8];
    size_t hn = (size_t)snprintf(head, sizeof head, "platform,time,lat,lon");
    for (size_t v = 0; v < q->n_vars; v++)
        hn += (size_t)snprintf(head + hn, sizeof head - hn, ",%s",
                               vg_param_get((vg_param)q->vars[v])->code);
    vg_err rc = qc_cmd__columns(q, head, hn, err);
    if (rc == VG_OK)
        rc = q->json->create(NULL, &q->json_state, err);
    while (rc == VG_OK) {
        const char *line;
        size_t n;
        vg_errinfo why;
        vg_err r = vg_batch_input_next(&q->in, &line, &n, &why);
        if (r == VG_ERR_NOTFOUND)
            break;
        if (r == VG_ERR_TRUNCATED) {
            q->rows++;
            qc_cmd__bad(q, q->in.no, q->in.no, "%s", why.text);
            continue;
        }
        if (r != VG_OK) {
            *err = why;
            return r;
        }
        size_t k = 0;
        while (k < n && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (k == n) /* a blank line: no sample, as in the daemon */
            continue;
        rc = qc_cmd__json_line(q, line, n, err);
    }
    return rc;
}

/* ---- NetCDF --------------------------------------------------------------------------- */

/* A GOSUD or Copernicus in-situ file (export/export.h): every record becomes a sample of
 * the file's platform (or --platform) with its position and values; the file's flags are
 * not read, the values are QC'd again. The output's input columns are
 * time,lat,lon,<parameters of the file>; bad records are reported as FILE:N (1-based). */
static vg_err qc_cmd__netcdf(qc_cmd *q, vg_errinfo *err)
{
    vg_series s;
    vg_err rc = vg_export_read(q->in_path, &s, NULL, err);
    if (rc != VG_OK)
        return rc;
    long pi = q->platform_opt ? q->fallback : qc_cmd__platform(q, s.platform);
    if (pi < 0) {
        rc = vg_fail(err, VG_ERR_PARSE, "%s: platform '%s' of the file is not in %s (platforms: "
                     "%s): give --platform ID", q->in_name, s.platform, q->setup.cfg->path,
                     q->platform_list);
        vg_series_free(&s);
        return rc;
    }
    q->fallback = pi;
    q->any_platform = false;
    char head[256] = "time,lat,lon";
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!s.value[p])
            continue;
        q->vars[q->n_vars++] = p;
        q->var_set |= VG_PARAM_BIT(p);
        snprintf(head + strlen(head), sizeof head - strlen(head), ",%s", vg_param_get((vg_param)p)->code);
    }
    strcat(head, "\n");
    rc = qc_cmd__columns(q, head, strlen(head) - 1, err);
    char row[64 + VG_P__COUNT * 24];
    for (size_t i = 0; rc == VG_OK && i < s.n; i++) {
        vg_sample smp;
        vg_sample_init(&smp);
        memcpy(smp.platform, q->pl[pi].pf->id, sizeof smp.platform);
        smp.time = s.time[i];
        smp.lat_deg = s.lat_deg[i];
        smp.lon_deg = s.lon_deg[i];
        char t[VG_TIME_ISO_LEN];
        int n = snprintf(row, sizeof row, "%s,", vg_time_format_iso8601(smp.time, t));
        n += isnan(smp.lat_deg) ? snprintf(row + n, sizeof row - (size_t)n, ",")
                                : snprintf(row + n, sizeof row - (size_t)n, "%.9g,%.9g",
                                           smp.lat_deg, smp.lon_deg);
        for (size_t v = 0; v < q->n_vars; v++) {
            int p = q->vars[v];
            vg_sample_set(&smp, (vg_param)p, s.value[p][i]);
            n += isnan(s.value[p][i]) ? snprintf(row + n, sizeof row - (size_t)n, ",")
                                      : snprintf(row + n, sizeof row - (size_t)n, ",%.9g",
                                                 s.value[p][i]);
        }
        q->rows++;
        rc = qc_cmd__push(q, &smp, (size_t)pi, (long)i + 1, (long)i + 1, row, (size_t)n, err);
    }
    vg_series_free(&s);
    return rc;
}

/* ---- the command ---------------------------------------------------------------------- */

static bool qc_cmd__ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static bool qc_cmd__netcdf_name(const char *path)
{
    return qc_cmd__ends_with(path, ".nc") || qc_cmd__ends_with(path, ".nc4") ||
           qc_cmd__ends_with(path, ".cdf") || qc_cmd__ends_with(path, ".netcdf");
}

/* Decide the input format: --format, else the file name, else the first bytes. */
static vg_err qc_cmd__sniff(qc_cmd *q, vg_errinfo *err)
{
    const char *b;
    size_t n;
    vg_err rc = vg_batch_input_peek(&q->in, 64, &b, &n, err);
    if (rc != VG_OK)
        return rc;
    bool signature = n >= 4 && (memcmp(b, "CDF\x01", 4) == 0 || memcmp(b, "CDF\x02", 4) == 0 ||
                                memcmp(b, "CDF\x05", 4) == 0 || memcmp(b, "\x89HDF", 4) == 0);
    if (q->format == QC_FMT_NETCDF || (q->format == QC_FMT_AUTO && (signature ||
                                                                     qc_cmd__netcdf_name(q->in_path)))) {
        q->format = QC_FMT_NETCDF;
        if (strcmp(q->in_path, "-") == 0)
            return vg_fail(err, VG_ERR_PARSE, "NetCDF input cannot be standard input: give a file");
        return VG_OK;
    }
    if (signature)
        return vg_fail(err, VG_ERR_PARSE, "%s: a NetCDF file given as --format %s", q->in_name,
                       q->format == QC_FMT_CSV ? "csv" : "json");
    if (q->format != QC_FMT_AUTO)
        return VG_OK;
    if (qc_cmd__ends_with(q->in_path, ".csv")) {
        q->format = QC_FMT_CSV;
    } else if (qc_cmd__ends_with(q->in_path, ".json") ||
               qc_cmd__ends_with(q->in_path, ".jsonl") ||
               qc_cmd__ends_with(q->in_path, ".ndjson")) {
        q->format = QC_FMT_JSON;
    } else {
        size_t k = 0;
        if (n >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0)
            k = 3;
        while (k < n && (b[k] == ' ' || b[k] == '\t' || b[k] == '\r' || b[k] == '\n'))
            k++;
        q->format = k < n && b[k] == '{' ? QC_FMT_JSON : QC_FMT_CSV;
    }
    return VG_OK;
}

/* Load the configuration and set up the platforms. Exit status on failure, else -1. */
static int qc_cmd__setup(qc_cmd *q)
{
    vg_errinfo err;
    if (vg_setup_load(q->use_default ? NULL : q->config_path, &q->setup, &err) != VG_OK) {
        fprintf(stderr, "vigie qc: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    const vg_config *cfg = q->setup.cfg;
    q->n_pl = cfg->n_platforms;
    q->pl = calloc(q->n_pl ? q->n_pl : 1, sizeof *q->pl);
    if (!q->pl) {
        fprintf(stderr, "vigie qc: out of memory\n");
        return VG_EXIT_FAIL;
    }
    for (size_t i = 0; i < q->n_pl; i++) {
        q->pl[i].pf = &cfg->platforms[i];
        size_t used = strlen(q->platform_list);
        snprintf(q->platform_list + used, sizeof q->platform_list - used, "%s%s",
                 i ? ", " : "", cfg->platforms[i].id);
    }
    q->harbour_as = (uint8_t)cfg->harbour_flag_as;
    q->now = vg_time_now();
    q->future_limit = q->now + (vg_time_us)(cfg->future_tolerance_s * 1e6);
    q->fallback = -1;
    if (q->platform_opt) {
        q->fallback = qc_cmd__platform(q, q->platform_opt);
        if (q->fallback < 0) {
            fprintf(stderr, "vigie qc: --platform %s is not in %s (platforms: %s)\n",
                    q->platform_opt, cfg->path, q->platform_list);
            return VG_EXIT_USAGE;
        }
    } else if (q->n_pl == 1) {
        q->fallback = 0;
    }
    return -1;
}

static void qc_cmd__free(qc_cmd *q)
{
    for (size_t i = 0; q->pl && i < q->n_pl; i++)
        vg_qc_stream_free(q->pl[i].stream);
    free(q->pl);
    if (q->json && q->json_state)
        q->json->destroy(q->json_state);
    vg_csv_free(&q->csv);
    vg_batch_input_close(&q->in);
    free(q->incols);
    free(q->fc);
    free(q->flags);
    free(q->placeholder);
    free(q->splice);
    free(q->nc_flags);
    vg_qcfile_free(q->ncfile);
    vg_setup_free(&q->setup);
}

/* Parse the command line into q. Exit status on error or --help, else -1. */
static int qc_cmd__options(qc_cmd *q, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},  {"default", no_argument, NULL, 'D'},
        {"output", required_argument, NULL, 'o'},  {"scheme", required_argument, NULL, 's'},
        {"platform", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'f'},
        {"max-reports", required_argument, NULL, 'M'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    int c;
    long v;
    q->max_reports = QC_CMD_MAX_REPORTS;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:o:s:p:f:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': q->config_path = optarg; break;
        case 'D': q->use_default = true; break;
        case 'o': q->out_path = optarg; break;
        case 's':
            if (strcmp(optarg, "argo") && strcmp(optarg, "qartod")) {
                fprintf(stderr, "vigie qc: --scheme '%s': argo or qartod\n", optarg);
                return VG_EXIT_USAGE;
            }
            q->qartod = strcmp(optarg, "qartod") == 0;
            break;
        case 'p': q->platform_opt = optarg; break;
        case 'f':
            if (strcmp(optarg, "csv") && strcmp(optarg, "json") && strcmp(optarg, "netcdf")) {
                fprintf(stderr, "vigie qc: --format '%s': csv, json or netcdf\n", optarg);
                return VG_EXIT_USAGE;
            }
            q->format = strcmp(optarg, "csv") == 0    ? QC_FMT_CSV
                        : strcmp(optarg, "json") == 0 ? QC_FMT_JSON
                                                      : QC_FMT_NETCDF;
            break;
        case 'M':
            if (!vg_parse_long(optarg, &v) || v < 0) {
                fprintf(stderr, "vigie qc: --max-reports takes a number >= 0\n");
                return VG_EXIT_USAGE;
            }
            q->max_reports = v;
            break;
        case 'q': q->quiet = true; break;
        case 'h': qc_usage(stdout); return VG_EXIT_OK;
        default: qc_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "vigie qc: give one INPUT file ('-' for standard input)\n");
        return VG_EXIT_USAGE;
    }
    q->in_path = argv[optind];
    if (!q->config_path == !q->use_default) {
        fprintf(stderr, "vigie qc: give exactly one of --config FILE or --default\n");
        return VG_EXIT_USAGE;
    }
    if (!q->out_path) {
        fprintf(stderr, "vigie qc: -o OUTPUT is required ('-' for standard output)\n");
        return VG_EXIT_USAGE;
    }
    q->nc_out = qc_cmd__netcdf_name(q->out_path);
    struct stat si, so;
    if (strcmp(q->in_path, "-") && strcmp(q->out_path, "-") && stat(q->in_path, &si) == 0 &&
        stat(q->out_path, &so) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
        fprintf(stderr, "vigie qc: OUTPUT %s is the INPUT file\n", q->out_path);
        return VG_EXIT_USAGE;
    }
    return -1;
}

static int qc_main(int argc, char **argv)
{
    qc_cmd q = {0};
    vg_errinfo err;
    int status = qc_cmd__options(&q, argc, argv);
    if (status >= 0)
        return status;
    int64_t t0 = vg_time_mono_us();
    if ((status = qc_cmd__setup(&q)) >= 0) {
        qc_cmd__free(&q);
        return status;
    }
    q.json = &vg_parser_json;
    vg_err rc = vg_batch_input_open(&q.in, q.in_path, &err);
    if (rc == VG_OK) {
        q.in_name = q.in.name;
        rc = qc_cmd__sniff(&q, &err);
    }
    if (rc == VG_OK)
        rc = q.format == QC_FMT_JSON     ? qc_cmd__json_lines(&q, &err)
             : q.format == QC_FMT_NETCDF ? qc_cmd__netcdf(&q, &err)
                                         : qc_cmd__csv(&q, &err);
    /* The end of the batch: the sample each stream holds is judged as the edge. */
    for (size_t i = 0; rc == VG_OK && i < q.n_pl; i++) {
        if (!q.pl[i].stream)
            continue;
        q.cur = i;
        vg_qc_stream_flush(q.pl[i].stream, qc_cmd__emit, &q);
        if (q.out_rc != VG_OK) {
            rc = q.out_rc;
            err = q.out_err;
        }
    }
    vg_errinfo cerr;
    vg_err crc = vg_batch_out_close(q.out, &cerr);
    if (rc == VG_OK && q.nc_out) {
        if (q.ncfile)
            crc = vg_qcfile_write(q.ncfile, q.out_path, &cerr);
        else
            crc = vg_fail(&cerr, VG_ERR_INVAL, "%s: no row was QC'd: no NetCDF file written",
                          q.out_path);
    }
    if (rc == VG_OK && crc != VG_OK) {
        rc = crc;
        err = cerr;
    }
    if (rc != VG_OK) {
        fprintf(stderr, "vigie qc: %s\n", err.text);
        if (q.out && !q.nc_out)
            fprintf(stderr, "vigie qc: %s is incomplete\n",
                    strcmp(q.out_path, "-") ? q.out_path : "the output");
        qc_cmd__free(&q);
        return VG_EXIT_FAIL;
    }
    double s = (double)(vg_time_mono_us() - t0) / 1e6;
    if (!q.quiet)
        fprintf(stderr,
                "vigie qc: %s: %llu rows, %llu QC'd, %llu bad; %s written in %.2f s "
                "(%.0f rows/s)\n",
                q.in_name, (unsigned long long)q.rows, (unsigned long long)q.samples,
                (unsigned long long)q.bad, strcmp(q.out_path, "-") ? q.out_path : "stdout", s,
                s > 0 ? (double)q.rows / s : 0.0);
    status = q.bad ? VG_EXIT_FAIL : VG_EXIT_OK;
    qc_cmd__free(&q);
    return status;
}

const vg_command vg_cmd_qc = {
    .name = "qc",
    .summary = "quality-control a CSV, JSON-lines or NetCDF file (batch mode of the stream engine)",
    .main = qc_main,
    .usage = qc_usage,
};
