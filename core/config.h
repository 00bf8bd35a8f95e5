/* config.h: vigie's configuration, one YAML file read with libyaml.
 * Scalar options are described by one typed table (name, type, bounds, default, whether a
 * SIGHUP reload may change it) in config.c; lists (ingest endpoints, platforms) have their
 * own parsers. The `qc:` section is kept as a YAML node and compiled by qc/plan.c, so that
 * core/ does not depend on the QC test registry; so are the structured keys of `alerts:`
 * (alerts/rules.c) and `upload:` (export/destination.c). Every error names file, line and
 * reason.
 * docs/configuration.md documents every key. */
#ifndef VIGIE_CORE_CONFIG_H
#define VIGIE_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "core/error.h"
#include "core/log.h"
#include "core/sample.h"

typedef enum vg_platform_kind {
    VG_KIND_TSG = 0,
    VG_KIND_TIDE_GAUGE,
    VG_KIND_MOORING,
    VG_KIND_FERRYBOX,
    VG_KIND__COUNT
} vg_platform_kind;

/* "tsg", "tide_gauge", "mooring", "ferrybox"; NULL if out of range. */
const char *vg_kind_name(vg_platform_kind k);
/* Kind named s; -1 if none. */
int vg_kind_lookup(const char *s);

typedef struct vg_platform_cfg {
    char id[VG_PLATFORM_MAX]; /* platforms[].id, valid per vg_platform_id_valid */
    vg_platform_kind kind;    /* platforms[].kind */
    char *name;               /* platforms[].name, owned; never NULL ("" if absent) */
    char **pi;                /* platforms[].pi: e-mail addresses, owned, n_pi entries */
    size_t n_pi;
    double interval_s;        /* platforms[].interval_s: expected sampling interval, 0.01..86400 */
    uint32_t params;          /* platforms[].parameters as VG_PARAM_BIT set; never 0 */
    double lat_deg, lon_deg;  /* platforms[].position [lat, lon] of a fixed station; NaN if absent */
    char *constituents;       /* platforms[].constituents: the station's tidal constituents file
                                 (docs/tide.md), owned; NULL if absent */
    int constituents_line;    /* its line, 0 if absent */
    /* Pressure gauges (SLEV computed from BPRS and ATMS, docs/qc.md): */
    double water_density_kg_m3; /* platforms[].water_density_kg_m3: 900..1100 (1025) */
    double gravity_m_s2;        /* platforms[].gravity_m_s2: 9.7..9.9; default WGS84 normal
                                   gravity at the position's latitude; NaN if neither */
    double sensor_level_m;      /* platforms[].sensor_level_m: level of the pressure sensor
                                   relative to the station datum, m, -12000..12000 (0) */
    char neighbour[VG_PLATFORM_MAX]; /* platforms[].neighbour: a nearby gauge's id (the
                                   wl_neighbour test's `reference: neighbour`), "" if none */
    int neighbour_index;        /* its index in platforms[], -1 if none; both have SLEV */
    double silence_after_s;     /* platforms[].silence_after_s: no sample for this long
                                   (wall clock) raises a `silence` event, s; 0 = never,
                                   else up to 2592000 (the watch looks about once a
                                   second); default 3 x interval_s, at least 60 */
    int line;                 /* 1-based line of the entry in the file */
} vg_platform_cfg;

/* How an ingest endpoint receives: fire-and-forget PULL, or the acknowledged feed protocol
 * (ROUTER; docs/storage.md, "Feeds"). */
typedef enum vg_ingest_kind { VG_INGEST_PULL = 0, VG_INGEST_FEED } vg_ingest_kind;

/* How an ingest endpoint authenticates its clients (docs/feed.md, "Keys"): CurveZMQ with
 * a list of accepted public keys (checked by the daemon's ZAP handler, daemon/zap.h), or
 * none (plain TCP, anyone who can connect). */
typedef enum vg_ingest_security { VG_SECURITY_NONE = 0, VG_SECURITY_CURVE } vg_ingest_security;

typedef struct vg_ingest_cfg {
    vg_ingest_kind kind;            /* ingest[].kind: pull (default) or feed */
    vg_ingest_security security;    /* ingest[].security: curve or none. Default: curve for
                                     * kind feed and for an entry with keys; none for a pull
                                     * entry without keys. A feed endpoint is plain only when
                                     * the file says `security: none`. */
    char *secret_key;               /* ingest[].secret_key: the engine's CurveZMQ secret key
                                     * file (vigie keygen), owned; NULL unless curve */
    char **clients;                 /* ingest[].clients: accepted public keys: files, or
                                     * directories whose *.pub files are read; owned, n_clients
                                     * entries (>= 1 when curve) */
    size_t n_clients;
    int secret_key_line, clients_line; /* lines of those keys, 0 if absent */
    char *endpoint;                 /* ingest[].bind: ZeroMQ endpoint to bind, owned */
    char *format;                   /* ingest[].format: a parser name (ingest/parser.h), owned */
    char platform[VG_PLATFORM_MAX]; /* ingest[].platform: platform of a raw stream; "" for json */
    vg_param fields[8];             /* ingest[].fields: order of the numeric fields of a raw */
    size_t n_fields;                /*   instrument line (default SSJT, CNDC, SSPS, SVEL) */
    double fix_max_age_s;           /* ingest[].fix_max_age_s: oldest GPS fix merged, 0.1..3600, default 10 */
    int line;
} vg_ingest_cfg;

typedef struct vg_config {
    char *path; /* file it came from, or "<embedded default>", owned */

    /* daemon: */
    vg_log_level log_level;     /* daemon.log_level: error|warn|notice|info|debug (info) */
    double future_tolerance_s;  /* daemon.future_tolerance_s: 0..86400 (300); later times are quarantined */
    char *publish_endpoint;     /* daemon.publish: ZeroMQ PUB endpoint to bind, owned, NULL = none */

    /* storage: */
    char *storage_path;         /* storage.path: Berkeley DB environment directory, owned (required) */
    int commit_interval_ms;     /* storage.commit_interval_ms: 1..60000 (50): longest wait before commit */
    int commit_max_samples;     /* storage.commit_max_samples: 1..1000000 (5000): samples per transaction at most */
    int cache_mb;               /* storage.cache_mb: 1..4096 (32): Berkeley DB cache */
    int log_keep_mb;            /* storage.log_keep_mb: -1..1048576 (-1 = keep every log file): old logs kept */
    int replication_node;       /* node index of the `storage.replication:` mapping in doc, 0 if
                                 * absent; compiled by storage/repl_config.c (read at start
                                 * only: a SIGHUP reload does not change it) */

    /* lists: */
    vg_ingest_cfg *ingest;      /* owned array */
    size_t n_ingest;
    vg_platform_cfg *platforms; /* owned array, ids unique */
    size_t n_platforms;

    /* alerts: (used by the alerting issue; validated now) */
    bool alerts_enabled;        /* alerts.enabled (false) */
    char *smtp_host;            /* alerts.smtp_host, owned, NULL if absent */
    int smtp_port;              /* alerts.smtp_port: 1..65535 (25) */
    char *mail_from;            /* alerts.from, owned, NULL if absent */
    int alerts_node;            /* node index of the `alerts:` mapping in doc, 0 if absent:
                                 * its other keys (smtp, rules, ...) are compiled by
                                 * alerts/rules.c, which rejects unknown ones */

    /* export: (vigie export, the daemon's scheduled export: docs/export.md) */
    char *export_dir;           /* export.dir, owned, NULL if absent */
    int harbour_flag_as;        /* export.harbour_flag_as: 3..4 (4): flag 6 on INSTAC/OceanSITES export */
    int export_every_s;         /* export.every_s: 0..604800 (0 = off): scheduled export period */
    char *export_upload_to;     /* export.upload_to: destination name of scheduled exports, owned, NULL */

    /* qc: kept as YAML for qc/plan.c */
    yaml_document_t doc;        /* the whole parsed document, owned */
    int qc_node;                /* node index of the `qc:` mapping in doc, 0 if absent */
    int upload_node;            /* node index of the `upload:` mapping, 0 if absent; compiled
                                 * by export/destination.c */
} vg_config;

/* Read and validate the YAML file at path. On success *out is a new configuration owned by
 * the caller (free with vg_config_free). On failure returns VG_ERR_CONFIG or VG_ERR_IO and
 * err->text reads "FILE:LINE: reason". */
vg_err vg_config_load_file(const char *path, vg_config **out, vg_errinfo *err);

/* The same from text in memory; `name` is used in messages and as cfg->path. */
vg_err vg_config_load_string(const char *text, size_t len, const char *name, vg_config **out,
                             vg_errinfo *err);

void vg_config_free(vg_config *cfg);

/* The platform with this id, or NULL. O(n_platforms). */
const vg_platform_cfg *vg_config_platform(const vg_config *cfg, const char *id);

/* The embedded default configuration (used by `make demo` and `vigie run --default`). */
extern const char vg_config_default_yaml[];

/* Options that a SIGHUP reload cannot change (storage.path, ingest endpoints, ...):
 * returns false and names the first differing one in err when `next` changes one of them. */
bool vg_config_reloadable(const vg_config *cur, const vg_config *next, vg_errinfo *err);

/* Helpers for code that reads the YAML node tree (qc/plan.c): the 1-based line of a node,
 * a scalar's text (NULL if the node is not a scalar), and a mapping lookup by key (NULL if
 * absent or if `map` is not a mapping). */
int vg_yaml_line(const yaml_node_t *node);
const char *vg_yaml_scalar(const yaml_node_t *node);
yaml_node_t *vg_yaml_map_get(yaml_document_t *doc, yaml_node_t *map, const char *key);

/* Parse a whole scalar as a finite double / an integer; false when not a number. */
bool vg_parse_double(const char *s, double *out);
bool vg_parse_long(const char *s, long *out);

#endif
