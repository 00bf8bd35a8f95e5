/* simulate.h: synthetic in-situ streams for demos and tests: a thermosalinograph on a ship
 * under way (SBE45 lines interleaved with NMEA $GPGGA/$GPRMC, or JSON) and a tide gauge
 * (JSON), with faults (spikes, stuck sensor, drift, gaps, harbour stops, garbage lines)
 * injected on request at reproducible times and reported row by row to a truth callback.
 * Iterator style: vg_sim_create, vg_sim_next per line, vg_sim_free. Deterministic for a
 * given seed and options; no global state (each generator owns all of its state). */
#ifndef VIGIE_SIM_SIMULATE_H
#define VIGIE_SIM_SIMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/params.h"
#include "core/sample.h"
#include "core/time.h"

/* Longest line vg_sim_next writes, NUL included: callers' buffers must hold this much. */
#define VG_SIM_LINE_MAX 512

/* Windows per fault kind (--stuck, --gap, --harbour may each be given this many times). */
#define VG_SIM_MAX_WINDOWS 8

/* Most spikes / garbage lines one record may hold. */
#define VG_SIM_MAX_EVENTS 100000

typedef enum vg_sim_kind {
    VG_SIM_TSG = 0,    /* ship thermosalinograph: SSJT, CNDC, SSPS, SVEL + GPS (SPDC) */
    VG_SIM_TIDE_GAUGE, /* fixed tide gauge: SLEV (+ ATMS) */
} vg_sim_kind;

typedef enum vg_sim_format {
    VG_SIM_FMT_RAW = 0, /* "ISO8601Z t, c, s, sv" SBE45 lines + "ISO8601Z $GP..." NMEA (TSG only) */
    VG_SIM_FMT_JSON,    /* one JSON object per line, no time prefix */
} vg_sim_format;

typedef enum vg_sim_fault_kind {
    VG_SIM_FAULT_SPIKE = 0, /* one sample offset by several degC / PSU / 0.5 m */
    VG_SIM_FAULT_STUCK,     /* the sensor repeats its last value exactly */
    VG_SIM_FAULT_DRIFT,     /* linear drift added to SSPS (TSG) or SLEV (tide gauge) */
    VG_SIM_FAULT_GAP,       /* the sample is not sent (no line at all) */
    VG_SIM_FAULT_HARBOUR,   /* the ship is stopped: speed over ground < 1 kn */
    VG_SIM_FAULT_GARBAGE,   /* a line that no parser should accept */
    VG_SIM_FAULT__COUNT
} vg_sim_fault_kind;

/* "spike", "stuck", "drift", "gap", "harbour", "garbage"; NULL when k is out of range. */
const char *vg_sim_fault_name(vg_sim_fault_kind k);

/* A time window relative to opts.start, in minutes (start >= 0, duration > 0). */
typedef struct vg_sim_window {
    double start_min;
    double duration_min;
} vg_sim_window;

/* One row of the truth: what was injected into one sample (or one garbage line). */
typedef struct vg_sim_truth {
    vg_time_us time;         /* the sample's time (gap: of the sample not sent; garbage:
                              * the line's) */
    int param;               /* a vg_param, or -1: the whole sample (gap, harbour) or a
                              * garbage line */
    vg_sim_fault_kind fault;
    double value;            /* spike: offset added; stuck: the repeated value; drift: offset at
                              * that time; harbour: speed over ground in knots; gap, garbage: NaN */
    const char *detail;      /* garbage: "random_bytes", "truncated", "bad_checksum" or
                              * "invalid_json" (static strings); NULL otherwise */
} vg_sim_truth;

/* Receives each truth row during vg_sim_next, in time order; row is valid during the call. */
typedef void (*vg_sim_truth_fn)(void *ctx, const vg_sim_truth *row);

typedef struct vg_sim_opts {
    vg_sim_kind kind;
    vg_sim_format format;           /* VG_SIM_FMT_JSON only for a tide gauge */
    char platform[VG_PLATFORM_MAX]; /* id per vg_platform_id_valid; "" = "SIMTSG" / "SIMTIDE" */
    vg_time_us start;               /* time of the first sample, UTC (default
                                     * 2026-01-15T00:00:00Z) */
    double duration_s;              /* record length, s, (0, 3660 days]: samples are at
                                     * start + k * interval < start + duration */
    double interval_s;              /* sampling interval, s, [0.01, 86400]; default 10 (TSG),
                                     * 3600 (tide gauge) */
    uint64_t seed;                  /* any value; default 1 */

    double lat_deg, lon_deg;        /* start (TSG) or station (tide gauge) position, degrees
                                     * north / east; defaults 22.0 S 17.9 W / 21.3067 N 157.867 W */
    double heading_deg;             /* TSG initial course, degrees true [0, 360); default 215 */
    double speed_kn;                /* TSG cruising speed over ground, knots [0, 30]; default 10 */
    double gps_interval_s;          /* TSG raw: period of the NMEA fixes, s, [0, 3600]; 0 (default)
                                     * = one $GPGGA + $GPRMC just before every SBE45 line */
    double mean_level_m;            /* tide gauge mean level above the datum, m; default 1.5 */
    bool atms;                      /* tide gauge: also report ATMS (hPa); default false */

    /* Faults (all off by default). */
    int n_spikes;                   /* spike samples, 0..VG_SIM_MAX_EVENTS */
    vg_sim_window stuck[VG_SIM_MAX_WINDOWS];
    int n_stuck;
    vg_sim_window gap[VG_SIM_MAX_WINDOWS];
    int n_gap;
    vg_sim_window harbour[VG_SIM_MAX_WINDOWS]; /* TSG only */
    int n_harbour;
    double drift_per_day;           /* PSU/day on SSPS (TSG) or m/day on SLEV; 0 = none */
    double drift_start_min;         /* when the drift begins, minutes after start (>= 0) */
    int n_garbage;                  /* garbage lines, 0..VG_SIM_MAX_EVENTS */

    vg_sim_truth_fn truth;          /* may be NULL */
    void *truth_ctx;                /* passed to truth, borrowed */
} vg_sim_opts;

/* Fill *o with the defaults of `kind` (documented field by field above), no fault. */
void vg_sim_opts_init(vg_sim_opts *o, vg_sim_kind kind);

/* "--faults all": add a sensible mix for o->kind and o->duration_s to every fault kind still
 * unset (n == 0, drift 0): spikes, one stuck window at 20% of the record, one gap at 40%,
 * one harbour stop at 60% (TSG), a drift and garbage lines. Call after setting duration. */
void vg_sim_opts_all_faults(vg_sim_opts *o);

typedef enum vg_sim_line_kind {
    VG_SIM_LINE_SBE45 = 0, /* "ISO8601Z t, c, s, sv" */
    VG_SIM_LINE_GGA,       /* "ISO8601Z $GPGGA,...*hh" */
    VG_SIM_LINE_RMC,       /* "ISO8601Z $GPRMC,...*hh" */
    VG_SIM_LINE_JSON,      /* one JSON sample */
    VG_SIM_LINE_GARBAGE,   /* an injected bad line */
} vg_sim_line_kind;

/* What vg_sim_next wrote, for tests and the command's pacing. */
typedef struct vg_sim_line {
    size_t len;                /* bytes written to buf, NUL and newline excluded */
    vg_sim_line_kind kind;
    vg_time_us time;           /* receive-time prefix (raw) or sample time (JSON) */
    int64_t sample;            /* sample index k (time = start + k * interval), -1 for GPS and
                                * garbage lines */
    double lat_deg, lon_deg;   /* position at `time` (NaN for garbage) */
    double value[VG_P__COUNT]; /* values as written before rounding; NaN when not in the line */
    uint32_t faults;           /* bit (1u << vg_sim_fault_kind) of each fault in this line */
} vg_sim_line;

typedef struct vg_sim vg_sim;

/* Check *o and make a generator. *o is copied (truth_ctx stays borrowed). On success *out is
 * owned by the caller, freed with vg_sim_free. Errors: VG_ERR_INVAL or VG_ERR_RANGE with the
 * option named in err (bad kind/format pair, value out of range, window past the end, more
 * spikes than the record can hold...), VG_ERR_NOMEM. */
vg_err vg_sim_create(const vg_sim_opts *o, vg_sim **out, vg_errinfo *err);

/* Write the next line into buf (cap >= VG_SIM_LINE_MAX bytes), NUL-terminated, without a
 * newline; fill *line (may be NULL). Garbage lines may hold any byte but '\n' (NUL
 * included: use line->len). Truth rows are passed to the callback before the line they
 * concern is returned (gap rows while the gap is skipped).
 * Returns VG_OK with a line, VG_ERR_NOTFOUND when the record is over (nothing written),
 * VG_ERR_INVAL when cap is too small. */
vg_err vg_sim_next(vg_sim *sim, char *buf, size_t cap, vg_sim_line *line);

/* Number of samples of the record (sent or lost in gaps): ceil(duration / interval). */
int64_t vg_sim_sample_count(const vg_sim *sim);

/* The options the generator runs with, defaults resolved (platform, interval, position). */
const vg_sim_opts *vg_sim_options(const vg_sim *sim);

/* Free what vg_sim_create made; sim may be NULL. */
void vg_sim_free(vg_sim *sim);

/* The simulated astronomical tide at t, m about the mean level: M2 0.50 m, S2 0.18 m,
 * K1 0.12 m, O1 0.08 m (phases relative to 2000-01-01T00:00:00Z, see docs/simulate.md).
 * A tide-gauge record is mean_level + this + surge + inverse barometer + noise. */
double vg_sim_tide_astro_m(vg_time_us t);

/* Sum of the constituents' amplitudes, m (0.88): |vg_sim_tide_astro_m| never exceeds it. */
double vg_sim_tide_amplitude_sum_m(void);

#endif
