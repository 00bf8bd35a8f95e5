/* test_config.c: unit tests of core/config.c. A full valid file is checked field by field;
 * then a table of {YAML text, expected error text with its line} covers every validation
 * rule; then file loading (missing file, directory), reload compatibility, the qc: node
 * and the number / YAML helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/config.h"

static const char full_yaml[] =
    "# a complete configuration\n"             /* 1 */
    "daemon:\n"                                /* 2 */
    "  log_level: debug\n"                     /* 3 */
    "  future_tolerance_s: 60.5\n"             /* 4 */
    "  publish: tcp://*:5560\n"                /* 5 */
    "storage:\n"                               /* 6 */
    "  path: /var/lib/vigie\n"                 /* 7 */
    "  commit_interval_ms: 100\n"              /* 8 */
    "  commit_max_samples: 2000\n"             /* 9 */
    "  cache_mb: 64\n"                         /* 10 */
    "alerts:\n"                                /* 11 */
    "  enabled: true\n"                        /* 12 */
    "  smtp_host: smtp.example.org\n"          /* 13 */
    "  smtp_port: 587\n"                       /* 14 */
    "  from: vigie@example.org\n"              /* 15 */
    "export:\n"                                /* 16 */
    "  dir: /srv/vigie/export\n"               /* 17 */
    "  harbour_flag_as: 3\n"                   /* 18 */
    "ingest:\n"                                /* 19 */
    "  - bind: tcp://*:5555\n"                 /* 20 */
    "    format: json\n"                       /* 21 */
    "  - bind: ipc:///run/vigie/tsg\n"         /* 22 */
    "    format: sbe45_nmea\n"                 /* 23 */
    "    platform: FHZI\n"                     /* 24 */
    "    fields: [SSJT, CNDC, SSPS]\n"         /* 25 */
    "    fix_max_age_s: 5\n"                   /* 26 */
    "platforms:\n"                             /* 27 */
    "  - id: FHZI\n"                           /* 28 */
    "    kind: tsg\n"                          /* 29 */
    "    name: Thalassa\n"                     /* 30 */
    "    pi: [a.b@ifremer.fr, c@ird.fr]\n"     /* 31 */
    "    interval_s: 10\n"                     /* 32 */
    "    parameters: [SSJT, CNDC, SSPS, SSTP]\n" /* 33 */
    "  - id: BREST\n"                          /* 34 */
    "    kind: tide_gauge\n"                   /* 35 */
    "    interval_s: 60\n"                     /* 36 */
    "    parameters: [SLEV]\n"                 /* 37 */
    "    position: [48.383, -4.495]\n"         /* 38 */
    "qc:\n"                                    /* 39 */
    "  gross_range:\n"                         /* 40 */
    "    SSJT: [-2.5, 40]\n";                  /* 41 */

#define MIN "storage:\n  path: /x\n"

static vg_config *load(const char *text, vg_errinfo *err)
{
    vg_config *cfg = NULL;
    err->code = VG_OK;
    err->text[0] = 0;
    vg_err rc = vg_config_load_string(text, strlen(text), "t.yaml", &cfg, err);
    CHECK_MSG(rc == VG_OK || cfg == NULL, "cfg set on failure");
    return rc == VG_OK ? cfg : NULL;
}

static void test_full(void)
{
    vg_errinfo err;
    vg_config *cfg = load(full_yaml, &err);
    CHECK_MSG(cfg != NULL, "%s", err.text);
    if (!cfg)
        return;
    CHECK_STR(cfg->path, "t.yaml");
    CHECK(cfg->log_level == VG_LOG_DEBUG);
    CHECK_NEAR(cfg->future_tolerance_s, 60.5, 0);
    CHECK_STR(cfg->publish_endpoint, "tcp://*:5560");
    CHECK_STR(cfg->storage_path, "/var/lib/vigie");
    CHECK(cfg->commit_interval_ms == 100);
    CHECK(cfg->commit_max_samples == 2000);
    CHECK(cfg->cache_mb == 64);
    CHECK(cfg->alerts_enabled);
    CHECK_STR(cfg->smtp_host, "smtp.example.org");
    CHECK(cfg->smtp_port == 587);
    CHECK_STR(cfg->mail_from, "vigie@example.org");
    CHECK_STR(cfg->export_dir, "/srv/vigie/export");
    CHECK(cfg->harbour_flag_as == 3);

    CHECK(cfg->n_ingest == 2);
    if (cfg->n_ingest == 2) {
        const vg_ingest_cfg *a = &cfg->ingest[0], *b = &cfg->ingest[1];
        CHECK_STR(a->endpoint, "tcp://*:5555");
        CHECK_STR(a->format, "json");
        CHECK_STR(a->platform, "");
        CHECK(a->n_fields == 4); /* default SSJT, CNDC, SSPS, SVEL */
        CHECK(a->fields[0] == VG_P_SSJT && a->fields[1] == VG_P_CNDC &&
              a->fields[2] == VG_P_SSPS && a->fields[3] == VG_P_SVEL);
        CHECK_NEAR(a->fix_max_age_s, 10, 0);
        CHECK(a->line == 20);
        CHECK_STR(b->endpoint, "ipc:///run/vigie/tsg");
        CHECK_STR(b->format, "sbe45_nmea");
        CHECK_STR(b->platform, "FHZI");
        CHECK(b->n_fields == 3);
        CHECK(b->fields[0] == VG_P_SSJT && b->fields[1] == VG_P_CNDC &&
              b->fields[2] == VG_P_SSPS);
        CHECK_NEAR(b->fix_max_age_s, 5, 0);
        CHECK(b->line == 22);
    }

    CHECK(cfg->n_platforms == 2);
    if (cfg->n_platforms == 2) {
        const vg_platform_cfg *s = &cfg->platforms[0], *t = &cfg->platforms[1];
        CHECK_STR(s->id, "FHZI");
        CHECK(s->kind == VG_KIND_TSG);
        CHECK_STR(s->name, "Thalassa");
        CHECK(s->n_pi == 2);
        if (s->n_pi == 2) {
            CHECK_STR(s->pi[0], "a.b@ifremer.fr");
            CHECK_STR(s->pi[1], "c@ird.fr");
        }
        CHECK_NEAR(s->interval_s, 10, 0);
        CHECK(s->params == (VG_PARAM_BIT(VG_P_SSJT) | VG_PARAM_BIT(VG_P_CNDC) |
                            VG_PARAM_BIT(VG_P_SSPS) | VG_PARAM_BIT(VG_P_SSTP)));
        CHECK(isnan(s->lat_deg) && isnan(s->lon_deg));
        CHECK(s->line == 28);
        CHECK_STR(t->id, "BREST");
        CHECK(t->kind == VG_KIND_TIDE_GAUGE);
        CHECK_STR(t->name, "");
        CHECK(t->n_pi == 0 && t->pi == NULL);
        CHECK_NEAR(t->interval_s, 60, 0);
        CHECK(t->params == VG_PARAM_BIT(VG_P_SLEV));
        CHECK_NEAR(t->lat_deg, 48.383, 1e-12);
        CHECK_NEAR(t->lon_deg, -4.495, 1e-12);
        CHECK(t->line == 34);
        CHECK(vg_config_platform(cfg, "BREST") == t);
        CHECK(vg_config_platform(cfg, "FHZI") == s);
    }
    CHECK(vg_config_platform(cfg, "NOPE") == NULL);

    /* qc: kept as a node of the document */
    CHECK(cfg->qc_node != 0);
    yaml_node_t *qc = yaml_document_get_node(&cfg->doc, cfg->qc_node);
    CHECK(qc && qc->type == YAML_MAPPING_NODE);
    CHECK(vg_yaml_line(qc) == 40); /* a block mapping starts at its first key */
    yaml_node_t *gr = vg_yaml_map_get(&cfg->doc, qc, "gross_range");
    CHECK(gr && gr->type == YAML_MAPPING_NODE);
    yaml_node_t *ssjt = vg_yaml_map_get(&cfg->doc, gr, "SSJT");
    CHECK(ssjt && ssjt->type == YAML_SEQUENCE_NODE && vg_yaml_line(ssjt) == 41);
    CHECK(vg_yaml_map_get(&cfg->doc, qc, "absent") == NULL);
    CHECK(vg_yaml_map_get(&cfg->doc, ssjt, "x") == NULL); /* not a mapping */
    CHECK(vg_yaml_scalar(ssjt) == NULL);
    if (ssjt && ssjt->type == YAML_SEQUENCE_NODE) {
        yaml_node_t *lo = yaml_document_get_node(&cfg->doc, ssjt->data.sequence.items.start[0]);
        CHECK(vg_yaml_scalar(lo) && strcmp(vg_yaml_scalar(lo), "-2.5") == 0);
    }
    vg_config_free(cfg);
}

static void test_defaults(void)
{
    vg_errinfo err;
    vg_config *cfg = load(MIN, &err);
    CHECK_MSG(cfg != NULL, "%s", err.text);
    if (!cfg)
        return;
    CHECK(cfg->log_level == VG_LOG_INFO);
    CHECK_NEAR(cfg->future_tolerance_s, 300, 0);
    CHECK(cfg->publish_endpoint == NULL);
    CHECK_STR(cfg->storage_path, "/x");
    CHECK(cfg->commit_interval_ms == 50);
    CHECK(cfg->commit_max_samples == 10000);
    CHECK(cfg->cache_mb == 32);
    CHECK(!cfg->alerts_enabled);
    CHECK(cfg->smtp_host == NULL);
    CHECK(cfg->smtp_port == 25);
    CHECK(cfg->mail_from == NULL);
    CHECK(cfg->export_dir == NULL);
    CHECK(cfg->harbour_flag_as == 4);
    CHECK(cfg->n_ingest == 0 && cfg->ingest == NULL);
    CHECK(cfg->n_platforms == 0 && cfg->platforms == NULL);
    CHECK(cfg->qc_node == 0); /* qc: absent */
    vg_config_free(cfg);
}

/* Each case: a YAML text and NULL (it loads) or a substring of the error text. */
static const struct {
    const char *yaml;
    const char *error;
} cases[] = {
    /* accepted variants */
    {MIN "daemon:\n  log_level: warn\n", NULL},
    {MIN "alerts:\n", NULL},                                       /* empty section */
    {MIN "alerts:\n  enabled: yes\n  smtp_port: \"2525\"\n", NULL}, /* quoted number */
    {MIN "daemon:\n  publish:\n", NULL},                           /* empty = none */
    {MIN "qc:\n", NULL},
    {MIN "ingest: []\nplatforms: []\n", NULL},
    {MIN "platforms:\n  - {id: A, kind: mooring, interval_s: 0.01, parameters: [TEMP]}\n"
         "ingest:\n  - {bind: inproc://a, format: x, platform: A, fix_max_age_s: 3600}\n",
     NULL},
    {MIN "ingest:\n  - bind: tcp://*:1\n    format: x\n    fields: [TEMP, PSAL, CNDC, PRES, "
         "SSJT, SSTP, SSPS, FLOW]\n",
     NULL}, /* 8 fields: the most */
    {"# comment only, then\nstorage: {path: /y}\n", NULL},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT], name: ''}\n",
     NULL},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT], name: [x]}\n",
     "t.yaml:4: platforms[].name must be a string, not a list"},

    /* storage.path */
    {"", "t.yaml:1: storage.path is required"},
    {"daemon:\n  log_level: info\n", "t.yaml:1: storage.path is required"},
    {"daemon:\n  log_level: info\nstorage:\n  cache_mb: 8\n",
     "t.yaml:3: storage.path is required"},
    {"storage:\n  path:\n", "t.yaml:1: storage.path is required"},
    {"storage:\n  path: \"\"\n", "t.yaml:2: storage.path has no value"},

    /* unknown and duplicate keys */
    {MIN "  comit_interval_ms: 5\n", "t.yaml:3: unknown key 'storage.comit_interval_ms'"},
    {MIN "storag:\n  path: /x\n", "t.yaml:3: unknown key 'storag'"},
    {MIN "daemon:\n  loglevel: info\n", "t.yaml:4: unknown key 'daemon.loglevel'"},
    {MIN "platforms:\n  - id: A\n    knd: tsg\n", "t.yaml:5: unknown key 'platforms[].knd'"},
    {MIN "ingest:\n  - bind: tcp://*:1\n    formt: json\n",
     "t.yaml:5: unknown key 'ingest[].formt'"},
    {MIN "  path: /z\n", "t.yaml:3: duplicate key 'storage.path' (first at line 2)"},
    {MIN "storage:\n  cache_mb: 3\n", "t.yaml:3: duplicate key 'storage' (first at line 1)"},
    {MIN "platforms:\n  - id: A\n    id: B\n", "t.yaml:5: duplicate key 'platforms[].id'"},
    {MIN "? [a, b]\n: 1\n", "t.yaml:3: a key of the file is a list"},

    /* wrong types */
    {MIN "  cache_mb: lots\n", "t.yaml:3: storage.cache_mb = 'lots' is not an integer"},
    {MIN "  cache_mb: 1.5\n", "t.yaml:3: storage.cache_mb = '1.5' is not an integer"},
    {MIN "  cache_mb: 99999999999999999999\n",
     "t.yaml:3: storage.cache_mb = '99999999999999999999' is not an integer"},
    {MIN "  cache_mb:\n", "t.yaml:3: storage.cache_mb has no value"},
    {"storage:\n  path: [a, b]\n", "t.yaml:2: storage.path must be a string, not a list"},
    {MIN "daemon: 3\n", "t.yaml:3: 'daemon' must be a mapping of options, not a scalar"},
    {MIN "daemon:\n  future_tolerance_s: soon\n",
     "t.yaml:4: daemon.future_tolerance_s = 'soon' is not a number"},
    {MIN "daemon:\n  future_tolerance_s: nan\n", "is not a number"},
    {MIN "daemon:\n  future_tolerance_s: .inf\n", "is not a number"},
    {MIN "alerts:\n  enabled: maybe\n", "t.yaml:4: alerts.enabled = 'maybe' is not true or false"},
    {MIN "daemon:\n  log_level: verbose\n",
     "t.yaml:4: daemon.log_level = 'verbose' is not one of error, warn, notice, info, debug"},
    {MIN "ingest:\n  bind: tcp://*:1\n", "t.yaml:4: 'ingest' must be a list, not a mapping"},
    {MIN "platforms: FHZI\n", "t.yaml:3: 'platforms' must be a list, not a scalar"},
    {MIN "qc: [a]\n", "t.yaml:3: 'qc' must be a mapping, not a list"},
    {"- storage\n", "t.yaml:1: the configuration must be a mapping"},

    /* out of range */
    {MIN "  commit_interval_ms: 0\n",
     "t.yaml:3: storage.commit_interval_ms = 0 is outside 1..60000"},
    {MIN "  commit_max_samples: 1000001\n",
     "t.yaml:3: storage.commit_max_samples = 1000001 is outside 1..1000000"},
    {MIN "  cache_mb: 4097\n", "t.yaml:3: storage.cache_mb = 4097 is outside 1..4096"},
    {MIN "alerts:\n  smtp_port: 65536\n", "t.yaml:4: alerts.smtp_port = 65536 is outside 1..65535"},
    {MIN "export:\n  harbour_flag_as: 6\n", "t.yaml:4: export.harbour_flag_as = 6 is outside 3..4"},
    {MIN "daemon:\n  future_tolerance_s: -1\n",
     "t.yaml:4: daemon.future_tolerance_s = -1 is outside 0..86400"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 0.001, parameters: [SSJT]}\n",
     "t.yaml:4: platforms[].interval_s = 0.001 is outside 0.01..86400"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT],\n"
         "     position: [91, 0]}\n",
     "t.yaml:5: platforms[].position latitude = 91 is outside -90..90"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT],\n"
         "     position: [45, -180.5]}\n",
     "t.yaml:5: platforms[].position longitude = -180.5 is outside -180..180"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT], position: [45]}\n",
     "t.yaml:4: platforms[].position must be a list [lat, lon]"},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: x, fix_max_age_s: 0.05}\n",
     "t.yaml:4: ingest[].fix_max_age_s = 0.05 is outside 0.1..3600"},

    /* platforms */
    {MIN "platforms:\n"
         "  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT]}\n"
         "  - {id: B, kind: tsg, interval_s: 1, parameters: [SSJT]}\n"
         "  - {id: A, kind: mooring, interval_s: 1, parameters: [TEMP]}\n",
     "t.yaml:6: duplicate platform id 'A' (lines 4 and 6)"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT, SST]}\n",
     "t.yaml:4: platforms[].parameters: unknown parameter code 'SST'"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT, SSJT]}\n",
     "t.yaml:4: platforms[].parameters: parameter 'SSJT' is listed twice"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: []}\n",
     "t.yaml:4: platforms[].parameters is an empty list"},
    {MIN "platforms:\n  - id: A\n    kind: buoy\n    interval_s: 1\n    parameters: [SSJT]\n",
     "t.yaml:5: platforms[].kind = 'buoy' is not one of tsg, tide_gauge, mooring, ferrybox"},
    {MIN "platforms:\n  - {id: 'a b', kind: tsg, interval_s: 1, parameters: [SSJT]}\n",
     "t.yaml:4: platforms[].id = 'a b' is not a valid platform id"},
    {MIN "platforms:\n  - {id: ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456, kind: tsg, interval_s: 1, "
         "parameters: [SSJT]}\n",
     "is not a valid platform id"},
    {MIN "platforms:\n  - {kind: tsg, interval_s: 1, parameters: [SSJT]}\n",
     "t.yaml:4: platforms[].id is required"},
    {MIN "platforms:\n  - {id: A, interval_s: 1, parameters: [SSJT]}\n",
     "t.yaml:4: platforms[].kind is required (platform 'A')"},
    {MIN "platforms:\n  - {id: A, kind: tsg, parameters: [SSJT]}\n",
     "t.yaml:4: platforms[].interval_s is required"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1}\n",
     "t.yaml:4: platforms[].parameters is required"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT],\n"
         "     pi: [ok@x.org, 'john doe@x.org']}\n",
     "t.yaml:5: platforms[].pi = 'john doe@x.org' is not an e-mail address"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT], pi: [nobody]}\n",
     "t.yaml:4: platforms[].pi = 'nobody' is not an e-mail address"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT], pi: [a@b@c]}\n",
     "is not an e-mail address"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT], pi: ['@x.org']}\n",
     "is not an e-mail address"},
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT], pi: a@x.org}\n",
     "t.yaml:4: platforms[].pi must be a list of e-mail addresses, not a scalar"},
    {MIN "platforms:\n  - A\n", "t.yaml:4: each platforms[] entry must be a mapping"},
    {MIN "alerts:\n  from: vigie at example.org\n",
     "t.yaml:4: alerts.from = 'vigie at example.org' is not an e-mail address"},

    /* ingest */
    {MIN "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT]}\n"
         "ingest:\n  - {bind: tcp://*:1, format: sbe45_nmea, platform: B}\n",
     "t.yaml:6: ingest[].platform 'B' is not a configured platform"},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: sbe45_nmea, platform: A}\n"
         "platforms:\n  - {id: A, kind: tsg, interval_s: 1, parameters: [SSJT]}\n",
     NULL}, /* platforms may come after ingest */
    {MIN "ingest:\n  - bind: tcp://*:5555\n    format: json\n"
         "  - bind: tcp://*:5556\n    format: json\n"
         "  - bind: tcp://*:5555\n    format: sbe45_nmea\n",
     "t.yaml:8: endpoint 'tcp://*:5555' is bound twice (lines 4 and 8)"},
    {MIN "ingest:\n  - {bind: 'localhost:5555', format: json}\n",
     "t.yaml:4: ingest[].bind = 'localhost:5555' is not a ZeroMQ endpoint"},
    {MIN "ingest:\n  - {bind: 'tcp://', format: json}\n", "is not a ZeroMQ endpoint"},
    {MIN "ingest:\n  - {format: json}\n", "t.yaml:4: ingest[].bind is required"},
    {MIN "ingest:\n  - {bind: tcp://*:1}\n", "t.yaml:4: ingest[].format is required"},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: x, fields: [SSJT, XXXX]}\n",
     "t.yaml:4: ingest[].fields: unknown parameter code 'XXXX'"},
    {MIN "ingest:\n  - bind: tcp://*:1\n    format: x\n    fields: [TEMP, PSAL, CNDC, PRES, "
         "SSJT, SSTP, SSPS, FLOW, SVEL]\n",
     "t.yaml:6: ingest[].fields lists 9 parameters, at most 8 are allowed"},
    {MIN "daemon:\n  publish: tcp://*:7\ningest:\n  - {bind: tcp://*:7, format: json}\n",
     "t.yaml:4: daemon.publish 'tcp://*:7' is also bound by ingest[] at line 6"},
    /* ingest[].security, secret_key, clients (CurveZMQ; docs/feed.md "Keys") */
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, kind: feed}\n",
     "t.yaml:4: ingest[] 'tcp://*:1' (kind feed) needs secret_key (the engine's secret key "
     "file, vigie keygen) and clients (the accepted public keys) for CurveZMQ, or 'security: "
     "none'"},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, kind: feed, security: none}\n", NULL},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, kind: feed, secret_key: /k/e.key,\n"
         "     clients: [/k/a.pub, /k/clients]}\n",
     NULL},
    {MIN "ingest:\n  - bind: tcp://*:1\n    format: json\n    kind: feed\n"
         "    secret_key: /k/e.key\n    clients: /k/clients\n",
     NULL},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, kind: feed, secret_key: /k/e.key}\n",
     "t.yaml:4: ingest[] 'tcp://*:1' (kind feed) needs secret_key"},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, kind: feed, clients: /k}\n",
     "needs secret_key"},
    {MIN "ingest:\n  - bind: tcp://*:1\n    format: json\n    security: curve\n",
     "t.yaml:6: ingest[] 'tcp://*:1' needs secret_key"}, /* pull, curve asked */
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json}\n", NULL}, /* pull: plain by default */
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, secret_key: /e.key}\n",
     "t.yaml:4: ingest[] 'tcp://*:1' needs secret_key"}, /* keys make it curve */
    {MIN "ingest:\n  - bind: tcp://*:1\n    format: json\n    security: none\n"
         "    secret_key: /k/e.key\n",
     "t.yaml:6: ingest[] 'tcp://*:1': security is none but secret_key or clients is given"},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, kind: feed, security: plain}\n",
     "t.yaml:4: ingest[].security must be 'curve' or 'none', not 'plain'"},
    {MIN "ingest:\n  - {bind: inproc://x, format: json, kind: feed, secret_key: /e, clients: "
         "/c}\n",
     "CurveZMQ does not apply in-process"},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, kind: feed, secret_key: /e, clients: []}"
         "\n",
     "t.yaml:4: ingest[].clients is an empty list"},
    {MIN "ingest:\n  - {bind: tcp://*:1, format: json, kind: feed, secret_key: /e, clients: "
         "[/a, {x: 1}]}\n",
     "t.yaml:4: ingest[].clients must be a string, not a mapping"},
    {MIN "daemon:\n  publish: 5560\n",
     "t.yaml:4: daemon.publish = '5560' is not a ZeroMQ endpoint"},

    /* YAML syntax */
    {MIN "daemon:\n  log_level: [info\n  x: 1\n",
     "t.yaml:5: YAML error: did not find expected ',' or ']' (while parsing a flow sequence at "
     "line 4)"},
    {MIN "  cache_mb: \xff\n", "t.yaml:3: YAML error: invalid leading UTF-8 octet"},
    {MIN "  cache_mb: \"12\n", "t.yaml:4: YAML error: found unexpected end of stream"},
    {MIN "daemon:\n  log_level: info\n   bad: 1\n",
     "t.yaml:5: YAML error: mapping values are not allowed"},
    {MIN "daemon: *nope\n", "t.yaml:3: YAML error: found undefined alias"},
    {MIN "daemon:\n\tlog_level: info\n", "t.yaml:4: YAML error:"},
    {MIN "---\nstorage: {path: /y}\n", "t.yaml:3: a second YAML document"},
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_errinfo err;
        vg_config *cfg = load(cases[i].yaml, &err);
        if (!cases[i].error) {
            CHECK_MSG(cfg != NULL, "case %zu: unexpected error: %s", i, err.text);
        } else {
            CHECK_MSG(cfg == NULL, "case %zu: loaded, expected '%s'", i, cases[i].error);
            CHECK_MSG(err.code == VG_ERR_CONFIG, "case %zu: code %d (%s)", i, (int)err.code,
                      err.text);
            CHECK_MSG(strstr(err.text, cases[i].error) != NULL,
                      "case %zu: error '%s', expected '%s'", i, err.text, cases[i].error);
        }
        vg_config_free(cfg);
    }
}

static void test_files(void)
{
    vg_errinfo err;
    vg_config *cfg = (vg_config *)&err; /* must be reset to NULL */
    vg_err rc = vg_config_load_file("/nonexistent/vigie.yaml", &cfg, &err);
    CHECK(rc == VG_ERR_IO && err.code == VG_ERR_IO && cfg == NULL);
    CHECK_MSG(strstr(err.text, "/nonexistent/vigie.yaml") &&
                  strstr(err.text, strerror(ENOENT)),
              "%s", err.text);

    rc = vg_config_load_file("/", &cfg, &err); /* a directory: open works, read fails */
    CHECK_MSG(rc == VG_ERR_IO && cfg == NULL, "%d %s", (int)rc, err.text);

    char path[] = "/tmp/test_config_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    fputs(full_yaml, f);
    fclose(f);
    rc = vg_config_load_file(path, &cfg, &err);
    CHECK_MSG(rc == VG_OK && cfg, "%s", err.text);
    if (cfg) {
        CHECK_STR(cfg->path, path);
        CHECK(cfg->n_platforms == 2 && cfg->n_ingest == 2 && cfg->qc_node != 0);
        vg_config_free(cfg);
    }

    f = fopen(path, "w");
    fputs(MIN "  cache_mb: 0\n", f);
    fclose(f);
    rc = vg_config_load_file(path, &cfg, &err);
    char want[256];
    snprintf(want, sizeof want, "%s:3: storage.cache_mb = 0 is outside 1..4096", path);
    CHECK(rc == VG_ERR_CONFIG && cfg == NULL);
    CHECK_STR(err.text, want);
    unlink(path);

    /* NULL error record is allowed */
    CHECK(vg_config_load_string("x: 1", 4, "n", &cfg, NULL) == VG_ERR_CONFIG && !cfg);
    /* a length shorter than the text: only len bytes are read */
    CHECK(vg_config_load_string(MIN "garbage: [", strlen(MIN), "n", &cfg, &err) == VG_OK);
    vg_config_free(cfg);
    vg_config_free(NULL);
}

/* Load full_yaml with `from` replaced by `to` and check reloadability against it. */
static void check_reload(const char *from, const char *to, bool expect, const char *msg)
{
    vg_errinfo err;
    vg_config *cur = load(full_yaml, &err);
    char text[sizeof full_yaml + 256];
    const char *at = strstr(full_yaml, from);
    CHECK_MSG(at != NULL, "'%s' not in full_yaml", from);
    if (!at || !cur) {
        vg_config_free(cur);
        return;
    }
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - full_yaml), full_yaml, to,
             at + strlen(from));
    vg_config *next = load(text, &err);
    CHECK_MSG(next != NULL, "%s", err.text);
    if (next) {
        err.text[0] = 0;
        bool ok = vg_config_reloadable(cur, next, &err);
        CHECK_MSG(ok == expect, "'%s' -> '%s': %s", from, to, err.text);
        if (msg)
            CHECK_MSG(strstr(err.text, msg) != NULL, "'%s' vs '%s'", err.text, msg);
        if (!ok)
            CHECK(err.code == VG_ERR_CONFIG);
    }
    vg_config_free(cur);
    vg_config_free(next);
}

static void test_reload(void)
{
    check_reload("# a complete", "# the same", true, NULL);
    check_reload("log_level: debug", "log_level: error", true, NULL);
    check_reload("future_tolerance_s: 60.5", "future_tolerance_s: 10", true, NULL);
    check_reload("name: Thalassa", "name: Atalante", true, NULL);
    check_reload("interval_s: 60", "interval_s: 30", true, NULL);
    check_reload("gross_range:", "spike:", true, NULL);
    check_reload("smtp_port: 587", "smtp_port: 25", true, NULL);
    check_reload("harbour_flag_as: 3", "harbour_flag_as: 4", true, NULL);
    check_reload("fields: [SSJT, CNDC, SSPS]", "fields: [SSJT, CNDC]", true, NULL);
    check_reload("fix_max_age_s: 5", "fix_max_age_s: 6", true, NULL);
    check_reload("  - id: BREST\n    kind: tide_gauge\n", "  - id: BREST2\n    kind: mooring\n",
                 true, NULL);

    check_reload("path: /var/lib/vigie", "path: /srv/vigie",
                 false, "t.yaml:7: storage.path cannot change on reload (restart vigie): "
                        "was '/var/lib/vigie', now '/srv/vigie'");
    check_reload("commit_interval_ms: 100", "commit_interval_ms: 200", false,
                 "t.yaml:8: storage.commit_interval_ms cannot change on reload");
    check_reload("  commit_max_samples: 2000\n", "", false,
                 "t.yaml:6: storage.commit_max_samples cannot change on reload (restart vigie): "
                 "was 2000, now 10000");
    check_reload("cache_mb: 64", "cache_mb: 65", false, "storage.cache_mb cannot change");
    check_reload("publish: tcp://*:5560", "publish: tcp://*:5561", false,
                 "t.yaml:5: daemon.publish cannot change on reload");
    check_reload("  publish: tcp://*:5560\n", "", false,
                 "daemon.publish cannot change on reload (restart vigie): was "
                 "'tcp://*:5560', now (none)");
    check_reload("bind: tcp://*:5555", "bind: tcp://*:5557", false,
                 "t.yaml:20: ingest[].bind cannot change on reload (restart vigie): was "
                 "'tcp://*:5555', now 'tcp://*:5557'");
    check_reload("format: sbe45_nmea", "format: sbe21", false,
                 "t.yaml:22: ingest[].format cannot change on reload");
    check_reload("    platform: FHZI\n", "", false,
                 "ingest[].platform cannot change on reload (restart vigie): was 'FHZI', now ''");
    check_reload("  - bind: tcp://*:5555\n    format: json\n",
                 "  - bind: tcp://*:5555\n    format: json\n    security: curve\n"
                 "    secret_key: /k/e.key\n    clients: /k/c\n", false,
                 "ingest[].security cannot change on reload (restart vigie): was 'none', now "
                 "'curve'");
    check_reload("  - bind: tcp://*:5555\n    format: json\n",
                 "  - bind: tcp://*:5555\n    format: json\n    security: none\n", true, NULL);
    check_reload("  - bind: tcp://*:5555\n    format: json\n", "", false,
                 "t.yaml:19: the ingest list cannot change on reload (restart vigie): was 2 "
                 "endpoints, now 1");
}

static void test_numbers(void)
{
    static const struct {
        const char *s;
        bool ok;
        double v;
    } dbl[] = {
        {"0", true, 0},        {"-4.495", true, -4.495}, {"1e3", true, 1000},
        {"+2.5", true, 2.5},   {".5", true, 0.5},        {"", false, 0},
        {" 1", false, 0},      {"1 ", false, 0},         {"1x", false, 0},
        {"nan", false, 0},     {"NaN", false, 0},        {"inf", false, 0},
        {"-infinity", false, 0}, {"1e999", false, 0},    {"abc", false, 0},
    };
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
        double v = -99;
        bool ok = vg_parse_double(dbl[i].s, &v);
        CHECK_MSG(ok == dbl[i].ok, "vg_parse_double('%s')", dbl[i].s);
        if (ok && dbl[i].ok)
            CHECK_NEAR(v, dbl[i].v, 1e-12);
        if (!ok)
            CHECK(v == -99); /* untouched on failure */
    }
    CHECK(!vg_parse_double(NULL, &(double){0}));

    static const struct {
        const char *s;
        bool ok;
        long v;
    } lng[] = {
        {"0", true, 0},          {"-12", true, -12},      {"+7", true, 7},
        {"60000", true, 60000},  {"", false, 0},          {" 1", false, 0},
        {"1.0", false, 0},       {"0x10", false, 0},      {"12a", false, 0},
        {"99999999999999999999", false, 0},                {"-99999999999999999999", false, 0},
    };
    for (size_t i = 0; i < sizeof lng / sizeof lng[0]; i++) {
        long v = -99;
        bool ok = vg_parse_long(lng[i].s, &v);
        CHECK_MSG(ok == lng[i].ok, "vg_parse_long('%s')", lng[i].s);
        if (ok && lng[i].ok)
            CHECK(v == lng[i].v);
        if (!ok)
            CHECK(v == -99);
    }
    CHECK(!vg_parse_long(NULL, &(long){0}));
}

static void test_kinds_and_helpers(void)
{
    for (int k = 0; k < VG_KIND__COUNT; k++) {
        const char *name = vg_kind_name((vg_platform_kind)k);
        CHECK(name != NULL);
        CHECK(name && vg_kind_lookup(name) == k);
    }
    CHECK_STR(vg_kind_name(VG_KIND_TIDE_GAUGE), "tide_gauge");
    CHECK(vg_kind_name(VG_KIND__COUNT) == NULL);
    CHECK(vg_kind_lookup("buoy") == -1);
    CHECK(vg_kind_lookup("TSG") == -1);
    CHECK(vg_kind_lookup(NULL) == -1);
    CHECK(vg_yaml_line(NULL) == 0);
    CHECK(vg_yaml_scalar(NULL) == NULL);
    CHECK(vg_yaml_map_get(NULL, NULL, "x") == NULL);
}

/* docs/configuration.md: its complete example loads, and it documents every key. */
static void test_docs(void)
{
    char path[1024];
    const char *src = getenv("VIGIE_SRC");
    if (src) {
        snprintf(path, sizeof path, "%s/docs/configuration.md", src);
    } else { /* __FILE__ is .../tests/unit/test_config.c */
        const char *cut = strstr(__FILE__, "tests/unit/test_config.c");
        snprintf(path, sizeof path, "%.*sdocs/configuration.md",
                 cut ? (int)(cut - __FILE__) : 0, __FILE__);
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("SKIP: %s not found; documentation checks skipped\n", path);
        return;
    }
    static char md[65536];
    size_t n = fread(md, 1, sizeof md - 1, f);
    md[n] = 0;
    fclose(f);

    static const char *const keys[] = {
        "`daemon:`", "`log_level`", "`future_tolerance_s`", "`publish`", "`storage:`",
        "`path`", "`commit_interval_ms`", "`commit_max_samples`", "`cache_mb`", "`ingest:`",
        "`bind`", "`format`", "`platform`", "`fields`", "`fix_max_age_s`", "`platforms:`",
        "`id`", "`kind`", "`name`", "`pi`", "`interval_s`", "`parameters`", "`position`",
        "`alerts:`", "`enabled`", "`smtp_host`", "`smtp_port`", "`from`", "`export:`", "`dir`",
        "`harbour_flag_as`", "`qc:`", "see docs/qc.md", "`security`", "`secret_key`", "`clients`",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK_MSG(strstr(md, keys[i]) != NULL, "%s does not mention %s", path, keys[i]);

    const char *start = strstr(md, "```yaml\n");
    const char *end = start ? strstr(start + 8, "```") : NULL;
    CHECK_MSG(start && end, "no ```yaml example in %s", path);
    if (!start || !end)
        return;
    vg_errinfo err;
    vg_config *cfg = NULL;
    vg_err rc = vg_config_load_string(start + 8, (size_t)(end - start - 8), "example", &cfg, &err);
    CHECK_MSG(rc == VG_OK, "the example of %s: %s", path, err.text);
    if (cfg) {
        CHECK(cfg->n_ingest == 3 && cfg->n_platforms == 2);
        CHECK(cfg->n_ingest == 3 && strcmp(cfg->ingest[0].format, "json") == 0 &&
              strcmp(cfg->ingest[1].format, "sbe45_nmea") == 0);
        CHECK(cfg->n_ingest == 3 && cfg->ingest[0].security == VG_SECURITY_NONE &&
              cfg->ingest[2].kind == VG_INGEST_FEED &&
              cfg->ingest[2].security == VG_SECURITY_CURVE && cfg->ingest[2].n_clients == 1);
        CHECK(cfg->n_platforms == 2 && cfg->platforms[0].kind == VG_KIND_TSG &&
              cfg->platforms[1].kind == VG_KIND_TIDE_GAUGE);
        CHECK(cfg->alerts_enabled && cfg->export_dir && cfg->publish_endpoint);
    }
    vg_config_free(cfg);
}

int main(void)
{
    test_full();
    test_defaults();
    test_cases();
    test_files();
    test_reload();
    test_numbers();
    test_kinds_and_helpers();
    test_docs();
    return check_summary();
}
