/* cmd_db.c: `vigie db`, the operator's commands on a store (storage/admin.h, store.h):
 * stats, verify, backup, restore. docs/storage.md, "Operator commands". */
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/log.h"
#include "storage/admin.h"
#include "storage/feed_mark.h"
#include "storage/replication.h"
#include "storage/store.h"
#include "storage/walk.h"
#include "tools/command.h"
#include "tools/db_lines.h"

static void db_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie db stats (-s DIR | -c FILE)\n"
            "       vigie db verify (-s DIR | -c FILE)\n"
            "       vigie db backup (-s DIR | -c FILE) TARGET\n"
            "       vigie db restore BACKUP (-s DIR | -c FILE)\n"
            "       vigie db export (-s DIR | -c FILE) > FILE.jsonl\n"
            "       vigie db import (-s DIR | -c FILE) FILE.jsonl\n\n"
            "Operate on the Berkeley DB store (docs/storage.md, \"Operator commands\").\n\n"
            "  stats     records, platforms with a database of their own, acknowledged\n"
            "            feeds and what each has committed, files;\n"
            "            on a replicated store: role, sites, log positions\n"
            "  verify    check every database file (offline: stop the daemon first);\n"
            "            exit status 1 when a file is damaged\n"
            "  backup    hot backup into TARGET (a new directory), also while the daemon\n"
            "            writes: databases and logs, restorable with `vigie db restore`\n"
            "  restore   make the store DIR (new or empty) from a backup; the daemon\n"
            "            then opens it as usual\n"
            "  export    every sample, whole (values, every flag, raw frame), as JSON lines\n"
            "  import    store the samples of an export (stop the daemon first); a sample\n"
            "            with the same platform and time is replaced\n\n"
            "  -s, --storage DIR   the store directory\n"
            "  -c, --config FILE   take it from storage.path of FILE\n");
}

static int db__feed_row(void *ctx, const vg_feed_mark_row *r)
{
    printf("feed %-20s spool %016" PRIx64 "  ingested up to %" PRIu64
           ", %zu held by QC, acknowledged up to %" PRIu64 "\n",
           r->source, r->mark->epoch, r->mark->high, r->mark->n_pending,
           vg_feed_mark_safe(r->mark));
    return 0;
}

static int db__stats(const char *dir)
{
    vg_store *s;
    vg_errinfo err;
    /* Replication first: a replica that has not synced yet has no databases to count. */
    vg_repl_status rs;
    if (vg_repl_status_read(dir, &rs, &err) == VG_OK && rs.replicated)
        vg_repl_status_print(&rs, stdout);
    vg_store_options so = {.cache_mb = 8, .read_only = true};
    if (vg_store_open(dir, &so, &s, &err) != VG_OK) {
        fprintf(stderr, "vigie db stats: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    vg_store_counts c;
    int status = VG_EXIT_OK;
    if (vg_store_count(s, &c, &err) != VG_OK ||
        (printf("samples %" PRIu64 "\nquarantined %" PRIu64 "\n"
                "platforms with a database of their own %" PRIu64 ", samples of the others "
                "(#shared) %" PRIu64 "\n", c.samples, c.quarantine, c.own, c.shared),
         vg_store_feed_mark_walk(s, db__feed_row, NULL, &err)) != VG_OK) {
        fprintf(stderr, "vigie db stats: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    vg_store_close(s, NULL);
    DIR *d = opendir(dir);
    uint64_t log_bytes = 0;
    int logs = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (strncmp(de->d_name, "log.", 4) == 0) {
            logs++;
            log_bytes += (uint64_t)st.st_blocks * 512;
        } else if (strstr(de->d_name, ".db") && strncmp(de->d_name, "__db", 4) != 0) {
            printf("file %-14s %" PRIu64 " bytes\n", de->d_name, (uint64_t)st.st_size);
        }
    }
    if (d)
        closedir(d);
    printf("log files %d, %" PRIu64 " bytes on disk\n", logs, log_bytes);
    return status;
}

static int db__export_one(void *ctx, const vg_sample *smp)
{
    return vg_db_line_write(stdout, smp) != 0;
}

static int db__import(const char *dir, const char *file)
{
    FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!in) {
        fprintf(stderr, "vigie db import: %s: cannot open\n", file);
        return VG_EXIT_FAIL;
    }
    vg_store *s;
    vg_errinfo err;
    vg_store_options so = {.cache_mb = 32};
    if (vg_store_open(dir, &so, &s, &err) != VG_OK) {
        fprintf(stderr, "vigie db import: %s\n", err.text);
        if (in != stdin)
            fclose(in);
        return VG_EXIT_FAIL;
    }
    static char raw[1 << 20];
    char *line = NULL;
    size_t cap = 0, n = 0, in_batch = 0;
    ssize_t len;
    long lineno = 0;
    int status = VG_EXIT_OK;
    while ((len = getline(&line, &cap, in)) > 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (!len)
            continue;
        vg_sample smp;
        if (vg_db_line_read(line, (size_t)len, &smp, raw, sizeof raw, &err) != VG_OK ||
            (!vg_store_in_batch(s) && vg_store_begin(s, &err) != VG_OK) ||
            vg_store_put_sample(s, &smp, &err) != VG_OK) {
            fprintf(stderr, "vigie db import: %s:%ld: %s\n", file, lineno, err.text);
            vg_store_abort(s);
            status = VG_EXIT_FAIL;
            break;
        }
        n++;
        if (++in_batch == 5000) {
            if (vg_store_commit(s, &err) != VG_OK) {
                fprintf(stderr, "vigie db import: %s\n", err.text);
                status = VG_EXIT_FAIL;
                break;
            }
            in_batch = 0;
        }
    }
    if (status == VG_EXIT_OK && vg_store_in_batch(s) && vg_store_commit(s, &err) != VG_OK) {
        fprintf(stderr, "vigie db import: %s\n", err.text);
        status = VG_EXIT_FAIL;
    }
    if (status == VG_EXIT_OK)
        printf("%s: %zu samples imported from %s\n", dir, n, file);
    else
        fprintf(stderr, "vigie db import: stopped at line %ld; the batches before it are "
                        "stored (5000 lines each); importing again replaces, never doubles\n",
                lineno);
    free(line);
    vg_store_close(s, NULL);
    if (in != stdin)
        fclose(in);
    return status;
}

static int db_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"storage", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2) {
        db_usage(stderr);
        return VG_EXIT_USAGE;
    }
    const char *sub = argv[1];
    const char *dir = NULL, *cfg_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "s:c:", longopts, NULL)) != -1) {
        switch (c) {
        case 's': dir = optarg; break;
        case 'c': cfg_path = optarg; break;
        default: db_usage(stderr); return VG_EXIT_USAGE;
        }
    }
    int nargs = argc - 1 - optind;
    char **args = argv + 1 + optind;
    vg_config *cfg = NULL;
    vg_errinfo err;
    if (cfg_path && !dir) {
        if (vg_config_load_file(cfg_path, &cfg, &err) != VG_OK) {
            fprintf(stderr, "vigie db: %s\n", err.text);
            return VG_EXIT_FAIL;
        }
        dir = cfg->storage_path;
    }
    int want = strcmp(sub, "backup") == 0 || strcmp(sub, "restore") == 0 ||
                       strcmp(sub, "import") == 0
                   ? 1
                   : 0;
    if (!dir || nargs != want) {
        fprintf(stderr, "vigie db %s: %s\n", sub,
                !dir ? "give the store with -s DIR or -c FILE" : "wrong number of arguments");
        db_usage(stderr);
        vg_config_free(cfg);
        return VG_EXIT_USAGE;
    }
    vg_log_set_level(VG_LOG_WARN);
    int status = VG_EXIT_OK;
    vg_err rc = VG_OK;
    if (strcmp(sub, "stats") == 0) {
        status = db__stats(dir);
    } else if (strcmp(sub, "verify") == 0) {
        rc = vg_store_verify(dir, stdout, &err);
        if (rc == VG_OK)
            printf("%s: every database file is sound\n", dir);
    } else if (strcmp(sub, "backup") == 0) {
        rc = vg_store_backup(dir, args[0], &err);
        if (rc == VG_OK)
            printf("%s: hot backup of %s written; restore with: vigie db restore %s -s NEWDIR\n",
                   args[0], dir, args[0]);
    } else if (strcmp(sub, "restore") == 0) {
        rc = vg_store_restore(args[0], dir, &err);
        if (rc == VG_OK)
            printf("%s: restored from %s (recovered); start the daemon on it\n", dir, args[0]);
    } else if (strcmp(sub, "export") == 0) {
        vg_store *st;
        vg_store_options so = {.cache_mb = 8, .read_only = true};
        rc = vg_store_open(dir, &so, &st, &err);
        if (rc == VG_OK) {
            rc = vg_store_walk_samples(st, db__export_one, NULL, &err);
            if (rc == VG_OK && (fflush(stdout) != 0 || ferror(stdout)))
                rc = vg_fail(&err, VG_ERR_IO, "writing to standard output failed");
            vg_store_close(st, NULL);
        }
    } else if (strcmp(sub, "import") == 0) {
        status = db__import(dir, args[0]);
    } else {
        fprintf(stderr, "vigie db: unknown subcommand '%s'\n", sub);
        db_usage(stderr);
        status = VG_EXIT_USAGE;
    }
    if (rc != VG_OK) {
        fprintf(stderr, "vigie db %s: %s\n", sub, err.text);
        status = VG_EXIT_FAIL;
    }
    vg_config_free(cfg);
    return status;
}

const vg_command vg_cmd_db = {
    .name = "db",
    .summary = "operate on the store: stats, verify, backup, restore, export, import",
    .main = db_main,
    .usage = db_usage,
};
