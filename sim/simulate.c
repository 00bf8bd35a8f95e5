/* simulate.c: the generator of simulate.h. It merges three event streams in time order
 * (garbage lines, GPS fixes, samples), advances the ship or the tide gauge to each event,
 * applies the faults of the plan, reports them to the truth callback, and formats the
 * lines: SBE45 + NMEA with a receive-time prefix (raw) or one JSON object (json). Lines of
 * one event wait in a small queue inside the generator. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/seawater.h"
#include "sim/sim_internal.h"

#define SIM_SENSOR_TEMP 0.0005 /* SBE45 white noise, degC (1 sigma) */
#define SIM_SENSOR_SAL 0.0005  /* PSU */
#define SIM_SENSOR_SLEV 0.003  /* tide gauge, m */
#define SIM_SENSOR_ATMS 0.05   /* barometer, hPa */
#define SIM_COG_NOISE 0.3      /* course over ground noise under way, degrees */
#define SIM_COG_NOISE_STOP 30  /* when stopped */

#define SIM_PENDING 3 /* GGA + RMC + SBE45 at most per event */

typedef struct sim_pending {
    char text[VG_SIM_LINE_MAX];
    vg_sim_line info;
} sim_pending;

struct vg_sim {
    vg_sim_opts o;             /* resolved copy */
    int64_t interval_us, duration_us, gps_us;
    int64_t n, n_gps;          /* samples, GPS fixes */
    int64_t k, j;              /* next sample, next GPS fix */
    int g, sp;                 /* next garbage line, next spike of the plan */
    bool raw_gps;              /* raw TSG: NMEA lines are written */
    sim_rng rng;               /* the signal (ship, water, tide, sensor noise) */
    sim_rng garbage_rng;       /* the bytes of garbage lines */
    sim_track track;
    sim_tide tide;
    sim_plan plan;
    double last[VG_P__COUNT];  /* values of the previous sample, as written (stuck ones too) */
    bool have_last;
    int stuck_window;          /* index of the stuck window we are in, -1 if none */
    double frozen[VG_P__COUNT];
    sim_pending pend[SIM_PENDING];
    int n_pend, i_pend;
};

/* Parameters a stuck sensor freezes: the whole SBE45 line, or the tide gauge's level. */
static const vg_param sim__tsg_stuck[] = {VG_P_SSJT, VG_P_CNDC, VG_P_SSPS, VG_P_SVEL};
static const vg_param sim__tide_stuck[] = {VG_P_SLEV};

const char *vg_sim_fault_name(vg_sim_fault_kind k)
{
    static const char *const names[VG_SIM_FAULT__COUNT] = {
        [VG_SIM_FAULT_SPIKE] = "spike", [VG_SIM_FAULT_STUCK] = "stuck",
        [VG_SIM_FAULT_DRIFT] = "drift", [VG_SIM_FAULT_GAP] = "gap",
        [VG_SIM_FAULT_HARBOUR] = "harbour", [VG_SIM_FAULT_GARBAGE] = "garbage",
    };
    return (unsigned)k < VG_SIM_FAULT__COUNT ? names[k] : NULL;
}

void vg_sim_opts_init(vg_sim_opts *o, vg_sim_kind kind)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->seed = 1;
    vg_time_from_fields(2026, 1, 15, 0, 0, 0, 0, &o->start, NULL);
    o->gps_interval_s = 0;
    o->mean_level_m = 1.5;
    o->atms = false;
    o->heading_deg = 215.0;
    o->speed_kn = 10.0;
    if (kind == VG_SIM_TIDE_GAUGE) {
        o->format = VG_SIM_FMT_JSON;
        o->duration_s = 30 * 86400.0;
        o->interval_s = 3600.0;
        o->lat_deg = 21.3067;
        o->lon_deg = -157.8670;
    } else {
        o->format = VG_SIM_FMT_RAW;
        o->duration_s = 6 * 3600.0;
        o->interval_s = 10.0;
        o->lat_deg = -22.0;
        o->lon_deg = -17.9;
    }
}

void vg_sim_opts_all_faults(vg_sim_opts *o)
{
    double d_min = o->duration_s / 60.0, hours = o->duration_s / 3600.0;
    double n = o->interval_s > 0 ? ceil(o->duration_s / o->interval_s) : 0;
    if (o->n_spikes == 0) {
        double s = fmin(20.0, fmax(3.0, floor(hours / 1.5)));
        o->n_spikes = (int)fmin(s, floor(n / 20.0));
    }
    if (o->n_stuck == 0) {
        o->stuck[0] = (vg_sim_window){0.20 * d_min, 0.10 * d_min};
        o->n_stuck = 1;
    }
    if (o->n_gap == 0) {
        o->gap[0] = (vg_sim_window){0.40 * d_min, 0.05 * d_min};
        o->n_gap = 1;
    }
    if (o->n_harbour == 0 && o->kind == VG_SIM_TSG) {
        o->harbour[0] = (vg_sim_window){0.60 * d_min, 0.10 * d_min};
        o->n_harbour = 1;
    }
    if (o->drift_per_day == 0)
        o->drift_per_day = o->kind == VG_SIM_TSG ? 0.1 : 0.01;
    if (o->n_garbage == 0 && n >= 2) {
        double g = fmin(50.0, fmax(3.0, floor(n / 200.0)));
        o->n_garbage = (int)fmin(g, fmax(1.0, floor(n / 10.0)));
    }
}

/* ---- validation ------------------------------------------------------------------- */

static vg_err sim__check_windows(const vg_sim_window *w, int n, const char *opt,
                                 double duration_s, vg_errinfo *err)
{
    if (n < 0 || n > VG_SIM_MAX_WINDOWS)
        return vg_fail(err, VG_ERR_RANGE, "%s: at most %d windows, got %d", opt,
                       VG_SIM_MAX_WINDOWS, n);
    for (int i = 0; i < n; i++) {
        if (!isfinite(w[i].start_min) || w[i].start_min < 0)
            return vg_fail(err, VG_ERR_RANGE, "%s: start %g min must be >= 0", opt,
                           w[i].start_min);
        if (!isfinite(w[i].duration_min) || w[i].duration_min <= 0)
            return vg_fail(err, VG_ERR_RANGE, "%s: duration %g min must be > 0", opt,
                           w[i].duration_min);
        if (w[i].start_min * 60.0 >= duration_s)
            return vg_fail(err, VG_ERR_RANGE,
                           "%s: starts at %g min, after the end of the record (%g min)", opt,
                           w[i].start_min, duration_s / 60.0);
    }
    return VG_OK;
}

static bool sim__in(double v, double lo, double hi) { return isfinite(v) && v >= lo && v <= hi; }

static vg_err sim__check(vg_sim_opts *o, vg_errinfo *err)
{
    if (o->kind != VG_SIM_TSG && o->kind != VG_SIM_TIDE_GAUGE)
        return vg_fail(err, VG_ERR_INVAL, "kind %d unknown", (int)o->kind);
    if (o->format != VG_SIM_FMT_RAW && o->format != VG_SIM_FMT_JSON)
        return vg_fail(err, VG_ERR_INVAL, "format %d unknown", (int)o->format);
    if (o->kind == VG_SIM_TIDE_GAUGE && o->format == VG_SIM_FMT_RAW)
        return vg_fail(err, VG_ERR_INVAL,
                       "--format raw is the SBE45/NMEA format of --kind tsg; a tide gauge "
                       "writes json");
    if (o->platform[0] == 0)
        snprintf(o->platform, sizeof o->platform, "%s",
                 o->kind == VG_SIM_TSG ? "SIMTSG" : "SIMTIDE");
    if (!vg_platform_id_valid(o->platform, strnlen(o->platform, sizeof o->platform)))
        return vg_fail(err, VG_ERR_INVAL,
                       "--platform '%.*s': 1-%d characters among A-Z a-z 0-9 _ . -",
                       VG_PLATFORM_MAX, o->platform, VG_PLATFORM_MAX - 1);
    if (!sim__in(o->interval_s, 0.01, 86400))
        return vg_fail(err, VG_ERR_RANGE, "--interval %g s outside 0.01..86400", o->interval_s);
    if (!sim__in(o->duration_s, 1e-6, 3660 * 86400.0))
        return vg_fail(err, VG_ERR_RANGE, "--duration %g s outside (0, 3660 days]",
                       o->duration_s);
    int y0, y1;
    vg_time_to_fields(o->start, &y0, NULL, NULL, NULL, NULL, NULL, NULL);
    vg_time_to_fields(o->start + llround(o->duration_s * 1e6), &y1, NULL, NULL, NULL, NULL,
                      NULL, NULL);
    if (o->start == VG_TIME_NONE || y0 < VG_TIME_YEAR_MIN || y1 > VG_TIME_YEAR_MAX)
        return vg_fail(err, VG_ERR_RANGE, "--start/--duration: the record must lie in %d-%d",
                       VG_TIME_YEAR_MIN, VG_TIME_YEAR_MAX);
    if (!sim__in(o->lat_deg, -90, 90) || !sim__in(o->lon_deg, -180, 180))
        return vg_fail(err, VG_ERR_RANGE, "--position %g,%g outside -90..90, -180..180",
                       o->lat_deg, o->lon_deg);
    if (!sim__in(o->heading_deg, 0, 360) || o->heading_deg >= 360)
        return vg_fail(err, VG_ERR_RANGE, "--heading %g outside [0, 360)", o->heading_deg);
    if (!sim__in(o->speed_kn, 0, 30))
        return vg_fail(err, VG_ERR_RANGE, "--speed %g kn outside 0..30", o->speed_kn);
    if (!sim__in(o->gps_interval_s, 0, 3600) || (o->gps_interval_s > 0 && o->gps_interval_s < 0.01))
        return vg_fail(err, VG_ERR_RANGE, "--gps-interval %g s: 0 or 0.01..3600",
                       o->gps_interval_s);
    if (!sim__in(o->mean_level_m, -100, 100))
        return vg_fail(err, VG_ERR_RANGE, "--mean-level %g m outside -100..100", o->mean_level_m);
    if (o->n_spikes < 0 || o->n_spikes > VG_SIM_MAX_EVENTS)
        return vg_fail(err, VG_ERR_RANGE, "--spike %d outside 0..%d", o->n_spikes,
                       VG_SIM_MAX_EVENTS);
    if (o->n_garbage < 0 || o->n_garbage > VG_SIM_MAX_EVENTS)
        return vg_fail(err, VG_ERR_RANGE, "--garbage %d outside 0..%d", o->n_garbage,
                       VG_SIM_MAX_EVENTS);
    vg_err rc = sim__check_windows(o->stuck, o->n_stuck, "--stuck", o->duration_s, err);
    if (rc == VG_OK)
        rc = sim__check_windows(o->gap, o->n_gap, "--gap", o->duration_s, err);
    if (rc == VG_OK)
        rc = sim__check_windows(o->harbour, o->n_harbour, "--harbour", o->duration_s, err);
    if (rc != VG_OK)
        return rc;
    if (o->n_harbour > 0 && o->kind != VG_SIM_TSG)
        return vg_fail(err, VG_ERR_INVAL, "--harbour stops a ship: only for --kind tsg");
    if (!sim__in(o->drift_per_day, -100, 100))
        return vg_fail(err, VG_ERR_RANGE, "--drift %g per day outside -100..100",
                       o->drift_per_day);
    if (!sim__in(o->drift_start_min, 0, 3660 * 1440.0))
        return vg_fail(err, VG_ERR_RANGE, "--drift start %g min must be >= 0",
                       o->drift_start_min);
    return VG_OK;
}

vg_err vg_sim_create(const vg_sim_opts *opts, vg_sim **out, vg_errinfo *err)
{
    *out = NULL;
    vg_sim *s = calloc(1, sizeof *s);
    if (!s)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the simulator");
    s->o = *opts;
    vg_err rc = sim__check(&s->o, err);
    if (rc != VG_OK) {
        free(s);
        return rc;
    }
    const vg_sim_opts *o = &s->o;
    s->interval_us = llround(o->interval_s * 1e6);
    s->duration_us = llround(o->duration_s * 1e6);
    s->n = (s->duration_us + s->interval_us - 1) / s->interval_us;
    s->raw_gps = o->kind == VG_SIM_TSG && o->format == VG_SIM_FMT_RAW;
    s->gps_us = o->gps_interval_s > 0 ? llround(o->gps_interval_s * 1e6) : s->interval_us;
    s->n_gps = s->raw_gps ? (s->duration_us + s->gps_us - 1) / s->gps_us : 0;
    s->stuck_window = -1;
    rc = vg_sim__plan_make(&s->plan, o, s->n, s->interval_us, err);
    if (rc != VG_OK) {
        free(s);
        return rc;
    }
    vg_sim__rng_seed(&s->rng, o->seed, SIM_STREAM_SIGNAL);
    vg_sim__rng_seed(&s->garbage_rng, o->seed, SIM_STREAM_GARBAGE_TEXT);
    if (o->kind == VG_SIM_TSG)
        vg_sim__track_init(&s->track, &s->rng, o->seed, o->start, o->lat_deg, o->lon_deg,
                           o->heading_deg, o->speed_kn);
    else
        vg_sim__tide_init(&s->tide, &s->rng, o->start, o->mean_level_m, o->lon_deg);
    *out = s;
    return VG_OK;
}

void vg_sim_free(vg_sim *sim)
{
    if (!sim)
        return;
    vg_sim__plan_free(&sim->plan);
    free(sim);
}

int64_t vg_sim_sample_count(const vg_sim *sim) { return sim->n; }

const vg_sim_opts *vg_sim_options(const vg_sim *sim) { return &sim->o; }

/* ---- formatting --------------------------------------------------------------------- */

/* "ISO8601Z " receive-time prefix; returns its length. */
static size_t sim__prefix(char *buf, vg_time_us t)
{
    vg_time_format_iso8601(t, buf);
    size_t n = strlen(buf);
    buf[n++] = ' ';
    buf[n] = 0;
    return n;
}

static size_t sim__sbe45(char *buf, size_t cap, vg_time_us t, const double *v)
{
    size_t n = sim__prefix(buf, t);
    int m = snprintf(buf + n, cap - n, "%7.4f, %8.5f, %8.4f, %8.3f", v[VG_P_SSJT], v[VG_P_CNDC],
                     v[VG_P_SSPS], v[VG_P_SVEL]);
    return m < 0 || (size_t)m >= cap - n ? 0 : n + (size_t)m;
}

/* A JSON number with `decimals` decimals, or null when v is NaN or infinite. */
static void sim__json_number(char *buf, size_t cap, double v, int decimals)
{
    if (isfinite(v))
        snprintf(buf, cap, "%.*f", decimals, v);
    else
        snprintf(buf, cap, "null");
}

/* Append ,"CODE":value (or null) to buf at *n. */
static void sim__json_value(char *buf, size_t cap, size_t *n, bool *first, vg_param p,
                            double v, int decimals)
{
    if (*n >= cap)
        return;
    char num[48];
    sim__json_number(num, sizeof num, v, decimals);
    int m = snprintf(buf + *n, cap - *n, "%s\"%s\":%s", *first ? "" : ",",
                     vg_param_get(p)->code, num);
    *first = false;
    if (m > 0)
        *n += (size_t)m;
}

static size_t sim__json(const vg_sim *s, char *buf, size_t cap, vg_time_us t, double lat,
                        double lon, const double *v)
{
    char iso[VG_TIME_ISO_LEN], la[32], lo[32];
    vg_time_format_iso8601(t, iso);
    sim__json_number(la, sizeof la, lat, 6);
    sim__json_number(lo, sizeof lo, lon, 6);
    int m = snprintf(buf, cap, "{\"platform\":\"%s\",\"time\":\"%s\",\"lat\":%s,\"lon\":%s,"
                               "\"values\":{",
                     s->o.platform, iso, la, lo);
    if (m < 0 || (size_t)m >= cap)
        return 0;
    size_t n = (size_t)m;
    bool first = true;
    if (s->o.kind == VG_SIM_TSG) {
        sim__json_value(buf, cap, &n, &first, VG_P_SSJT, v[VG_P_SSJT], 4);
        sim__json_value(buf, cap, &n, &first, VG_P_CNDC, v[VG_P_CNDC], 5);
        sim__json_value(buf, cap, &n, &first, VG_P_SSPS, v[VG_P_SSPS], 4);
        sim__json_value(buf, cap, &n, &first, VG_P_SVEL, v[VG_P_SVEL], 3);
        sim__json_value(buf, cap, &n, &first, VG_P_SPDC, v[VG_P_SPDC], 2);
    } else {
        sim__json_value(buf, cap, &n, &first, VG_P_SLEV, v[VG_P_SLEV], 3);
        if (s->o.atms)
            sim__json_value(buf, cap, &n, &first, VG_P_ATMS, v[VG_P_ATMS], 1);
    }
    if (n + 3 > cap)
        return 0;
    buf[n++] = '}';
    buf[n++] = '}';
    buf[n] = 0;
    return n;
}

/* ---- events ---------------------------------------------------------------------- */

static sim_pending *sim__push(vg_sim *s, vg_sim_line_kind kind, vg_time_us t)
{
    sim_pending *p = &s->pend[s->n_pend++];
    p->info.len = 0;
    p->info.kind = kind;
    p->info.time = t;
    p->info.sample = -1;
    p->info.lat_deg = p->info.lon_deg = NAN;
    for (int i = 0; i < VG_P__COUNT; i++)
        p->info.value[i] = NAN;
    p->info.faults = 0;
    return p;
}

static void sim__truth(const vg_sim *s, vg_time_us t, int param, vg_sim_fault_kind fault,
                       double value, const char *detail)
{
    if (!s->o.truth)
        return;
    vg_sim_truth row = {.time = t, .param = param, .fault = fault, .value = value,
                        .detail = detail};
    s->o.truth(s->o.truth_ctx, &row);
}

static int sim__window(const vg_sim *s, const vg_sim_window *w, int n, vg_time_us t)
{
    return vg_sim__window_find(w, n, t - s->o.start);
}

static void sim__gps_event(vg_sim *s, vg_time_us t)
{
    bool harbour = sim__window(s, s->o.harbour, s->o.n_harbour, t) >= 0;
    vg_sim__track_advance(&s->track, &s->rng, t, harbour);
    double z = vg_sim__rng_normal(&s->rng);
    double cog = s->track.course_deg + z * (harbour ? SIM_COG_NOISE_STOP : SIM_COG_NOISE);
    if (sim__window(s, s->o.gap, s->o.n_gap, t) >= 0)
        return;
    const sim_track *tr = &s->track;
    sim_pending *p = sim__push(s, VG_SIM_LINE_GGA, t);
    size_t n = sim__prefix(p->text, t);
    p->info.len = n + vg_sim__nmea_gga(p->text + n, sizeof p->text - n, t, tr->lat_deg,
                                       tr->lon_deg);
    p->info.lat_deg = tr->lat_deg;
    p->info.lon_deg = tr->lon_deg;
    p = sim__push(s, VG_SIM_LINE_RMC, t);
    n = sim__prefix(p->text, t);
    p->info.len = n + vg_sim__nmea_rmc(p->text + n, sizeof p->text - n, t, tr->lat_deg,
                                       tr->lon_deg, tr->speed_kn, cog);
    p->info.lat_deg = tr->lat_deg;
    p->info.lon_deg = tr->lon_deg;
    p->info.value[VG_P_SPDC] = tr->speed_kn;
    p->info.value[VG_P_HCRS] = cog;
    if (harbour)
        p->info.faults |= 1u << VG_SIM_FAULT_HARBOUR;
}

static void sim__sample_event(vg_sim *s, int64_t k, vg_time_us t)
{
    const vg_sim_opts *o = &s->o;
    int64_t off = t - o->start;
    double v[VG_P__COUNT];
    for (int i = 0; i < VG_P__COUNT; i++)
        v[i] = NAN;
    bool harbour = sim__window(s, o->harbour, o->n_harbour, t) >= 0;
    bool gap = sim__window(s, o->gap, o->n_gap, t) >= 0;
    int stuck_w = sim__window(s, o->stuck, o->n_stuck, t);
    double lat, lon;

    /* the true values and the sensor noise: always drawn, faults or not */
    double primary;
    vg_param pp;
    if (o->kind == VG_SIM_TSG) {
        vg_sim__track_advance(&s->track, &s->rng, t, harbour);
        double temp, sal;
        vg_sim__track_water(&s->track, &temp, &sal);
        temp += SIM_SENSOR_TEMP * vg_sim__rng_normal(&s->rng);
        sal += SIM_SENSOR_SAL * vg_sim__rng_normal(&s->rng);
        v[VG_P_SSJT] = temp;
        v[VG_P_SSPS] = sal;
        v[VG_P_SPDC] = s->track.speed_kn;
        lat = s->track.lat_deg;
        lon = s->track.lon_deg;
        pp = VG_P_SSPS;
    } else {
        double slev, atms;
        vg_sim__tide_advance(&s->tide, &s->rng, t, &slev, &atms);
        v[VG_P_SLEV] = slev + SIM_SENSOR_SLEV * vg_sim__rng_normal(&s->rng);
        double a = atms + SIM_SENSOR_ATMS * vg_sim__rng_normal(&s->rng);
        if (o->atms)
            v[VG_P_ATMS] = a;
        lat = o->lat_deg;
        lon = o->lon_deg;
        pp = VG_P_SLEV;
    }
    primary = v[pp];

    /* faults on the values: drift, then spike */
    double drift = 0;
    int64_t drift0 = llround(o->drift_start_min * 60e6);
    if (o->drift_per_day != 0 && off > drift0)
        drift = o->drift_per_day * (double)(off - drift0) / 86400e6;
    v[pp] = primary + drift;
    const sim_spike *spike = NULL;
    if (s->sp < s->plan.n_spikes && s->plan.spikes[s->sp].k == k) {
        spike = &s->plan.spikes[s->sp++];
        v[spike->param] += spike->offset;
    }
    if (o->kind == VG_SIM_TSG) { /* the SBE45 derives these from what its sensors saw */
        /* PSS-78 alone, as the instrument computes it, in its cell at zero sea pressure; a
         * salinity driven to or below 0, or below the PSS-78 minimum (up to 0.015, by a
         * drift fault) has no conductivity to report: NaN */
        v[VG_P_CNDC] = v[VG_P_SSPS] > 0 ? vg_sw_c_from_sp_pss78(v[VG_P_SSPS], v[VG_P_SSJT], 0)
                                        : NAN;
        v[VG_P_SVEL] = vg_sw_sound_speed(v[VG_P_SSPS], v[VG_P_SSJT], 0);
    }

    /* a stuck sensor repeats the previous sample's values */
    const vg_param *frozen = o->kind == VG_SIM_TSG ? sim__tsg_stuck : sim__tide_stuck;
    size_t n_frozen = o->kind == VG_SIM_TSG ? 4 : 1;
    bool stuck = stuck_w >= 0;
    if (stuck) {
        if (s->stuck_window != stuck_w) {
            for (size_t i = 0; i < n_frozen; i++)
                s->frozen[frozen[i]] = s->have_last ? s->last[frozen[i]] : v[frozen[i]];
            s->stuck_window = stuck_w;
        }
        for (size_t i = 0; i < n_frozen; i++)
            v[frozen[i]] = s->frozen[frozen[i]];
    } else {
        s->stuck_window = -1;
    }
    for (size_t i = 0; i < n_frozen; i++)
        s->last[frozen[i]] = v[frozen[i]];
    s->have_last = true;

    /* the truth, then the line */
    if (gap) {
        sim__truth(s, t, -1, VG_SIM_FAULT_GAP, NAN, NULL);
        return;
    }
    uint32_t faults = 0;
    if (harbour) {
        sim__truth(s, t, -1, VG_SIM_FAULT_HARBOUR, v[VG_P_SPDC], NULL);
        faults |= 1u << VG_SIM_FAULT_HARBOUR;
    }
    if (spike) {
        sim__truth(s, t, spike->param, VG_SIM_FAULT_SPIKE, spike->offset, NULL);
        faults |= 1u << VG_SIM_FAULT_SPIKE;
    }
    if (stuck) {
        for (size_t i = 0; i < n_frozen; i++)
            sim__truth(s, t, (int)frozen[i], VG_SIM_FAULT_STUCK, v[frozen[i]], NULL);
        faults |= 1u << VG_SIM_FAULT_STUCK;
    } else if (drift != 0) {
        sim__truth(s, t, (int)pp, VG_SIM_FAULT_DRIFT, drift, NULL);
        faults |= 1u << VG_SIM_FAULT_DRIFT;
    }
    sim_pending *p;
    if (o->format == VG_SIM_FMT_RAW) {
        p = sim__push(s, VG_SIM_LINE_SBE45, t);
        p->info.len = sim__sbe45(p->text, sizeof p->text, t, v);
    } else {
        p = sim__push(s, VG_SIM_LINE_JSON, t);
        p->info.len = sim__json(s, p->text, sizeof p->text, t, lat, lon, v);
    }
    p->info.sample = k;
    p->info.lat_deg = lat;
    p->info.lon_deg = lon;
    memcpy(p->info.value, v, sizeof v);
    if (o->format == VG_SIM_FMT_RAW)
        p->info.value[VG_P_SPDC] = NAN; /* on the $GPRMC line, not in the SBE45 one */
    p->info.faults = faults;
}

/* Corrupt a valid JSON line so that no JSON parser accepts it. */
static size_t sim__json_break(vg_sim *s, char *buf, size_t n, size_t cap)
{
    switch (vg_sim__rng_below(&s->garbage_rng, 3)) {
    case 0: { /* unquoted platform id: {"platform":SIMTSG,... */
        char *q = strstr(buf, "\"platform\":\"");
        if (q) {
            q += 11;
            char *e = strchr(q + 1, '"');
            if (e) {
                memmove(e, e + 1, n - (size_t)(e - buf));
                n--;
                memmove(q, q + 1, n - (size_t)(q - buf));
                n--;
            }
        }
        return n;
    }
    case 1: /* trailing comma: ...},} */
        if (n + 3 <= cap && n > 0) {
            buf[n - 1] = ',';
            buf[n++] = '}';
            buf[n] = 0;
        }
        return n;
    default: /* single quotes around the first key */
        if (n > 10) {
            buf[1] = '\'';
            buf[10] = '\'';
        }
        return n;
    }
}

static void sim__garbage_event(vg_sim *s, const sim_garbage *gb, vg_time_us t)
{
    static const char *const raw_names[3] = {"random_bytes", "truncated", "bad_checksum"};
    static const char *const json_names[3] = {"random_bytes", "truncated", "invalid_json"};
    bool raw = s->o.format == VG_SIM_FMT_RAW;
    const char *detail = (raw ? raw_names : json_names)[gb->type];
    sim__truth(s, t, -1, VG_SIM_FAULT_GARBAGE, NAN, detail);

    sim_pending *p = sim__push(s, VG_SIM_LINE_GARBAGE, t);
    p->info.faults = 1u << VG_SIM_FAULT_GARBAGE;
    char *buf = p->text;
    size_t cap = sizeof p->text, n = 0;
    sim_rng *r = &s->garbage_rng;
    /* a plausible sample to damage: the previous one */
    double v[VG_P__COUNT];
    memcpy(v, s->last, sizeof v);
    v[VG_P_SPDC] = s->o.kind == VG_SIM_TSG ? s->track.speed_kn : NAN;
    v[VG_P_ATMS] = 1013.0;
    double lat = s->o.kind == VG_SIM_TSG ? s->track.lat_deg : s->o.lat_deg;
    double lon = s->o.kind == VG_SIM_TSG ? s->track.lon_deg : s->o.lon_deg;

    switch (gb->type) {
    case SIM_GARBAGE_RANDOM: { /* line noise: a byte with the high bit set, then any bytes
                                * but the newline (so never a blank line) */
        n = 8 + (size_t)vg_sim__rng_below(r, 120);
        buf[0] = (char)(0x80 + vg_sim__rng_below(r, 0x80));
        for (size_t i = 1; i < n; i++) {
            unsigned b = (unsigned)vg_sim__rng_below(r, 255);
            buf[i] = (char)(b >= '\n' ? b + 1 : b);
        }
        buf[n] = 0;
        break;
    }
    case SIM_GARBAGE_TRUNCATED:
        if (raw) { /* cut in the time prefix or in the first number: never a complete
                    * field list, nor "time number, " that a line counter could take for
                    * an SBE45 line */
            size_t pre = sim__prefix(buf, t);
            n = sim__sbe45(buf, cap, t, v);
            const char *comma = memchr(buf + pre, ',', n - pre);
            size_t first = comma ? (size_t)(comma - buf) : n;
            if (vg_sim__rng_below(r, 2) == 0)
                n = 4 + (size_t)vg_sim__rng_below(r, pre - 5); /* "2026" .. before the 'Z' */
            else
                n = pre + 1 + (size_t)vg_sim__rng_below(r, first - pre - 1);
        } else { /* any proper prefix of an object is invalid JSON */
            n = sim__json(s, buf, cap, t, lat, lon, v);
            n = 1 + (size_t)vg_sim__rng_below(r, n - 2);
        }
        buf[n] = 0;
        break;
    case SIM_GARBAGE_BAD:
        if (raw) {
            size_t pre = sim__prefix(buf, t);
            n = pre + vg_sim__nmea_gga(buf + pre, cap - pre, t, lat, lon);
            char *star = strrchr(buf, '*');
            if (star) {
                unsigned cs = (unsigned)strtoul(star + 1, NULL, 16);
                cs ^= 1u + (unsigned)vg_sim__rng_below(r, 255);
                snprintf(star + 1, 3, "%02X", cs & 0xFFu);
            }
        } else {
            n = sim__json(s, buf, cap, t, lat, lon, v);
            n = sim__json_break(s, buf, n, cap);
        }
        break;
    }
    p->info.len = n;
}

vg_err vg_sim_next(vg_sim *s, char *buf, size_t cap, vg_sim_line *line)
{
    if (!s || !buf || cap < VG_SIM_LINE_MAX)
        return VG_ERR_INVAL;
    for (;;) {
        if (s->i_pend < s->n_pend) {
            const sim_pending *p = &s->pend[s->i_pend++];
            memcpy(buf, p->text, p->info.len);
            buf[p->info.len] = 0;
            if (line)
                *line = p->info;
            return VG_OK;
        }
        s->n_pend = s->i_pend = 0;
        const vg_time_us none = INT64_MAX;
        vg_time_us ts = s->k < s->n ? s->o.start + s->k * s->interval_us : none;
        vg_time_us tg = s->j < s->n_gps ? s->o.start + s->j * s->gps_us : none;
        vg_time_us tb = s->g < s->plan.n_garbage
                            ? s->o.start + s->plan.garbage[s->g].k * s->interval_us -
                                  s->interval_us / 2
                            : none;
        if (ts == none && tg == none && tb == none)
            return VG_ERR_NOTFOUND;
        if (tb <= tg && tb <= ts) {
            sim__garbage_event(s, &s->plan.garbage[s->g++], tb);
        } else if (tg <= ts) {
            s->j++;
            sim__gps_event(s, tg);
        } else {
            sim__sample_event(s, s->k++, ts);
        }
    }
}
