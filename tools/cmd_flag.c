/* cmd_flag.c: `vigie flag`: manual flags of delayed-mode operators with an audit history
 * (storage/audit.h, docs/delayed-mode.md "Manual flags"). `set` and `apply` write (the
 * store's writer role: refused while the daemon runs); `history` and `list` read (safe
 * while it runs). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "daemon/setup.h"
#include "storage/audit.h"
#include "storage/store.h"
#include "tools/cli.h"
#include "tools/command.h"

static void flag_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie flag set (-s DIR | -c FILE) --platform ID --param CODE --from T --to T\n"
            "                      --flag N --reason TEXT [--operator NAME]\n"
            "       vigie flag apply (-s DIR | -c FILE) EDITS.csv [--operator NAME]\n"
            "       vigie flag history (-s DIR | -c FILE) [--platform ID]\n"
            "       vigie flag list (-s DIR | -c FILE) --platform ID [--from T] [--to T]\n\n"
            "Manual flags with an audit trail (docs/delayed-mode.md). A manual flag replaces\n"
            "the automatic one in exports and is never overwritten by an automatic run.\n\n"
            "  -s, --storage DIR   Berkeley DB environment directory\n"
            "  -c, --config FILE   take the store from storage.path\n"
            "  -p, --platform ID   the platform\n"
            "  -P, --param CODE    the parameter (SSPS, SSJT, TEMP, ...)\n"
            "      --from, --to    inclusive UTC time range, ISO 8601\n"
            "  -f, --flag N        the new flag, 0-9 (GOSUD/Argo scale)\n"
            "  -r, --reason TEXT   why (kept in the audit history)\n"
            "  -o, --operator NAME who (default $USER)\n\n"
            "EDITS.csv: a header 'platform,param,from,to,flag,reason', then one edit a line;\n"
            "the reason is the rest of the line (commas allowed). Every line is checked\n"
            "before any is applied; a bad one is reported as FILE:LINE: reason.\n"
            "set and apply open the store as its writer: they refuse while the daemon runs.\n"
            "history prints CSV: seq,when,operator,platform,param,time,old,new,reason.\n");
}

typedef struct flag_args {
    const char *storage, *config, *platform, *param, *reason, *op, *file;
    vg_time_us from, to;
    int flag;
} flag_args;

/* Open the store named by -s or -c; writer: the store must exist already. */
static int flag__open(const flag_args *a, bool writer, vg_setup *setup, vg_store **st)
{
    vg_errinfo err;
    const char *dir = a->storage;
    if (a->config) {
        if (vg_setup_load(a->config, setup, &err) != VG_OK) {
            fprintf(stderr, "vigie flag: %s\n", err.text);
            return VG_EXIT_FAIL;
        }
        dir = setup->cfg->storage_path;
    }
    if (writer) {
        char meta[4096];
        struct stat sb;
        snprintf(meta, sizeof meta, "%s/meta.db", dir);
        if (stat(meta, &sb) != 0) {
            fprintf(stderr, "vigie flag: no vigie store at %s\n", dir);
            return VG_EXIT_FAIL;
        }
    }
    vg_store_options so = {.cache_mb = 16, .read_only = !writer};
    if (vg_store_open(dir, &so, st, &err) != VG_OK) {
        fprintf(stderr, "vigie flag: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    return VG_EXIT_OK;
}

static int flag__close(vg_store *st, vg_setup *setup, int status)
{
    vg_errinfo err;
    if (st && vg_store_close(st, &err) != VG_OK) {
        fprintf(stderr, "vigie flag: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    vg_setup_free(setup);
    return status;
}

static int flag__apply_one(vg_store *st, const vg_manual_edit *e)
{
    vg_manual_result r;
    vg_errinfo err;
    if (vg_manual_set(st, e, &r, &err) != VG_OK) {
        fprintf(stderr, "vigie flag: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    char t0[VG_TIME_ISO_LEN], t1[VG_TIME_ISO_LEN];
    printf("%s %s %s..%s flag %d: %zu values, %zu changed, %zu confirmed, %zu already so\n",
           e->platform, vg_param_get(e->param)->code,
           e->from == VG_TIME_NONE ? "start" : vg_time_format_iso8601(e->from, t0),
           e->to == VG_TIME_NONE ? "end" : vg_time_format_iso8601(e->to, t1), e->flag,
           r.values, r.changed, r.confirmed, r.unchanged);
    return VG_EXIT_OK;
}

/* One parsed line of an edits file (strings point into the line). */
typedef struct flag_line {
    vg_manual_edit e;
    char *line;
} flag_line;

static bool flag__parse_line(const char *path, int ln, char *line, flag_line *out)
{
    char *f[6];
    int nf = 0;
    char *p = line;
    while (nf < 5) {
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        f[nf++] = p;
        p = c + 1;
    }
    f[nf++] = p;
    if (nf != 6) {
        fprintf(stderr, "vigie flag: %s:%d: %d fields where 6 are expected "
                        "(platform,param,from,to,flag,reason)\n", path, ln, nf);
        return false;
    }
    vg_manual_edit *e = &out->e;
    long fl;
    int prm = vg_param_lookup(f[1], strlen(f[1]));
    if (!vg_platform_id_valid(f[0], strlen(f[0]))) {
        fprintf(stderr, "vigie flag: %s:%d: platform '%s' is not a valid id\n", path, ln, f[0]);
        return false;
    }
    if (prm < 0) {
        fprintf(stderr, "vigie flag: %s:%d: param '%s' is not a parameter code\n", path, ln, f[1]);
        return false;
    }
    if (!vg_cli_time(f[2], &e->from) || !vg_cli_time(f[3], &e->to) || e->from > e->to) {
        fprintf(stderr, "vigie flag: %s:%d: from '%s' and to '%s' must be ISO 8601 times, "
                        "from <= to\n", path, ln, f[2], f[3]);
        return false;
    }
    if (!vg_parse_long(f[4], &fl) || fl < 0 || fl > 9) {
        fprintf(stderr, "vigie flag: %s:%d: flag '%s' is not 0-9\n", path, ln, f[4]);
        return false;
    }
    size_t rl = strlen(f[5]);
    while (rl && (f[5][rl - 1] == '\r' || f[5][rl - 1] == ' '))
        f[5][--rl] = '\0';
    if (!rl || rl > VG_AUDIT_TEXT_MAX) {
        fprintf(stderr, "vigie flag: %s:%d: a reason (1..%d bytes) is required\n", path, ln,
                VG_AUDIT_TEXT_MAX);
        return false;
    }
    e->platform = f[0];
    e->param = (vg_param)prm;
    e->flag = (vg_flag)fl;
    e->why = f[5];
    return true;
}

/* Read and check every line of an edits file; *lines owned by the caller (free each
 * line, then the array). */
static bool flag__read_edits(const char *path, flag_line **lines, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vigie flag: %s: cannot open: %m\n", path);
        return false;
    }
    *lines = NULL;
    *n = 0;
    size_t cap = 0, lcap = 0;
    char *buf = NULL;
    ssize_t len;
    int ln = 0;
    bool ok = true;
    while ((len = getline(&buf, &lcap, f)) >= 0) {
        ln++;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        if (!len || buf[0] == '#' || (ln == 1 && strncmp(buf, "platform,", 9) == 0))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            flag_line *nl = realloc(*lines, cap * sizeof *nl);
            if (!nl) {
                ok = false;
                break;
            }
            *lines = nl;
        }
        flag_line *l = &(*lines)[*n];
        memset(l, 0, sizeof *l);
        if (!(l->line = strdup(buf))) {
            ok = false;
            break;
        }
        (*n)++;
        if (!flag__parse_line(path, ln, l->line, l))
            ok = false;
    }
    free(buf);
    fclose(f);
    if (ok && *n == 0) {
        fprintf(stderr, "vigie flag: %s: no edit\n", path);
        ok = false;
    }
    return ok;
}

static int flag__history_row(void *ctx, const vg_audit_entry *a)
{
    (void)ctx;
    char w[VG_TIME_ISO_LEN], t[VG_TIME_ISO_LEN];
    printf("%llu,%s,%s,%s,%s,%s,%d,%d,%s\n", (unsigned long long)a->seq,
           vg_time_format_iso8601(a->when, w), a->who, a->platform,
           a->param < VG_P__COUNT ? vg_param_get(a->param)->code : "?",
           vg_time_format_iso8601(a->time, t), a->old_flag, a->new_flag, a->why);
    return 0;
}

static int flag__list_row(void *ctx, const vg_manual_flag *m)
{
    (void)ctx;
    char t[VG_TIME_ISO_LEN];
    printf("%s,%s,%s,%d,%llu\n", m->platform, vg_param_get(m->param)->code,
           vg_time_format_iso8601(m->time, t), m->flag, (unsigned long long)m->audit_seq);
    return 0;
}

static int flag_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'}, {"config", required_argument, NULL, 'c'},
        {"platform", required_argument, NULL, 'p'}, {"param", required_argument, NULL, 'P'},
        {"from", required_argument, NULL, 'F'},    {"to", required_argument, NULL, 'T'},
        {"flag", required_argument, NULL, 'f'},    {"reason", required_argument, NULL, 'r'},
        {"operator", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2) {
        flag_usage(stderr);
        return VG_EXIT_USAGE;
    }
    const char *sub = argv[1];
    flag_args a = {.from = VG_TIME_NONE, .to = VG_TIME_NONE, .flag = -1};
    int c;
    long l;
    optind = 2;
    while ((c = getopt_long(argc, argv, "s:c:p:P:f:r:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': a.storage = optarg; break;
        case 'c': a.config = optarg; break;
        case 'p': a.platform = optarg; break;
        case 'P': a.param = optarg; break;
        case 'r': a.reason = optarg; break;
        case 'o': a.op = optarg; break;
        case 'F':
        case 'T':
            if (!vg_cli_time(optarg, c == 'F' ? &a.from : &a.to)) {
                fprintf(stderr, "vigie flag: --%s '%s': not an ISO 8601 time\n",
                        c == 'F' ? "from" : "to", optarg);
                return VG_EXIT_USAGE;
            }
            break;
        case 'f':
            if (!vg_parse_long(optarg, &l) || l < 0 || l > 9) {
                fprintf(stderr, "vigie flag: --flag takes 0-9\n");
                return VG_EXIT_USAGE;
            }
            a.flag = (int)l;
            break;
        case 'h': flag_usage(stdout); return VG_EXIT_OK;
        default: flag_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    if (!a.storage == !a.config) {
        fprintf(stderr, "vigie flag: give one of --storage DIR or --config FILE\n");
        return VG_EXIT_USAGE;
    }
    if (!a.op)
        a.op = getenv("USER");
    bool set = strcmp(sub, "set") == 0, apply = strcmp(sub, "apply") == 0;
    if (apply && optind + 1 == argc)
        a.file = argv[optind++];
    if (optind != argc) {
        fprintf(stderr, "vigie flag: unexpected argument '%s'\n", argv[optind]);
        return VG_EXIT_USAGE;
    }
    int prm = a.param ? vg_param_lookup(a.param, strlen(a.param)) : -1;
    if (set && (!a.platform || prm < 0 || a.from == VG_TIME_NONE || a.to == VG_TIME_NONE ||
                a.from > a.to || a.flag < 0 || !a.reason || !*a.reason)) {
        fprintf(stderr, "vigie flag set: --platform, a known --param, --from <= --to, --flag "
                        "and --reason are required\n");
        return VG_EXIT_USAGE;
    }
    if (apply && !a.file) {
        fprintf(stderr, "vigie flag apply: give the EDITS.csv file\n");
        return VG_EXIT_USAGE;
    }
    if ((set || apply) && (!a.op || !*a.op)) {
        fprintf(stderr, "vigie flag: no operator: give --operator NAME (USER is not set)\n");
        return VG_EXIT_USAGE;
    }
    if (strcmp(sub, "list") == 0 && !a.platform) {
        fprintf(stderr, "vigie flag list: --platform is required\n");
        return VG_EXIT_USAGE;
    }
    if (!set && !apply && strcmp(sub, "history") != 0 && strcmp(sub, "list") != 0) {
        fprintf(stderr, "vigie flag: unknown subcommand '%s': set, apply, history or list\n", sub);
        return VG_EXIT_USAGE;
    }

    flag_line *lines = NULL;
    size_t nl = 0;
    if (apply && !flag__read_edits(a.file, &lines, &nl)) {
        for (size_t i = 0; i < nl; i++)
            free(lines[i].line);
        free(lines);
        return VG_EXIT_FAIL;
    }
    vg_setup setup = {0};
    vg_store *st = NULL;
    int status = flag__open(&a, set || apply, &setup, &st);
    vg_errinfo err;
    vg_time_us now = vg_time_now();
    if (status != VG_EXIT_OK) {
        st = NULL;
    } else if (set) {
        vg_manual_edit e = {.platform = a.platform, .param = (vg_param)prm, .from = a.from,
                            .to = a.to, .flag = (vg_flag)a.flag, .who = a.op, .why = a.reason,
                            .when = now};
        status = flag__apply_one(st, &e);
    } else if (apply) {
        for (size_t i = 0; i < nl && status == VG_EXIT_OK; i++) {
            lines[i].e.who = a.op;
            lines[i].e.when = now;
            status = flag__apply_one(st, &lines[i].e);
        }
    } else if (strcmp(sub, "history") == 0) {
        printf("seq,when,operator,platform,param,time,old,new,reason\n");
        if (vg_audit_walk(st, a.platform, flag__history_row, NULL, &err) != VG_OK) {
            fprintf(stderr, "vigie flag: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
    } else {
        printf("platform,param,time,flag,audit_seq\n");
        if (vg_manual_walk(st, a.platform, a.from, a.to, flag__list_row, NULL, &err) != VG_OK) {
            fprintf(stderr, "vigie flag: %s\n", err.text);
            status = VG_EXIT_FAIL;
        }
    }
    for (size_t i = 0; i < nl; i++)
        free(lines[i].line);
    free(lines);
    return flag__close(st, &setup, status);
}

const vg_command vg_cmd_flag = {
    .name = "flag",
    .summary = "set flags by hand with an audit trail; show the history",
    .main = flag_main,
    .usage = flag_usage,
};
