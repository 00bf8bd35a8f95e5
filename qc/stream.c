/* stream.c: the per-platform QC engine (stream.h). Holds at most two samples: `prev`, the
 * last judged one (the V1 of three-point tests), and `held`, waiting for its successor.
 * Each sample is judged exactly once, when it leaves `held`, in time order, so stateful
 * tests see the stream in order whatever the timing of arrivals. */
#include "qc/stream.h"

#include "core/seawater.h"
#include "qc/peers.h"
#include "qc/sealevel_monitor.h"
#include "qc/tides.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* vg_qc_stream_push copies a sample's members before `qc` and never the flags (the engine's
 * own): the flags must be the only members from `qc` to `raw`, and raw, raw_len the last. */
_Static_assert(offsetof(vg_sample, qc) > offsetof(vg_sample, present) &&
                   offsetof(vg_sample, qc) > offsetof(vg_sample, value) &&
                   offsetof(vg_sample, time_qc) > offsetof(vg_sample, qc) &&
                   offsetof(vg_sample, pos_qc) > offsetof(vg_sample, time_qc) &&
                   offsetof(vg_sample, raw) > offsetof(vg_sample, pos_qc) &&
                   offsetof(vg_sample, raw_len) > offsetof(vg_sample, raw) &&
                   sizeof(vg_sample) == offsetof(vg_sample, raw_len) + sizeof(size_t),
               "vg_sample layout assumed by vg_qc_stream_push");

enum { STREAM_TIME = VG_P__COUNT, STREAM_POS = VG_P__COUNT + 1 }; /* fold_mask indices */
_Static_assert(VG_P__COUNT < 32, "parameter bit sets are uint32_t");

/* One call of the chain for one variable, compiled at stream creation so that judging a
 * sample is a walk down a flat array (no switch on the target, no lookups of states and
 * options): the steps in chain order, and within a parameter step the parameters in
 * vg_param order, as the chain defines. */
typedef struct stream_job {
    vg_flag (*run)(const double *opts, void *state, const vg_qc_window *w, int p);
    const double *opts; /* the step's options for var (borrowed from the plan) */
    void *state;        /* the test's state for (stream, var); NULL if none */
    uint32_t flag_off;  /* byte offset in vg_sample of the flag this job sets */
    int16_t var;        /* parameter, or -1 for the position or the time */
    uint16_t fold;      /* the variable's index in fold_mask (p, STREAM_TIME, STREAM_POS) */
    const vg_qc_scope *scope; /* the step's scope (plan.h), NULL: every sample */
} stream_job;

typedef struct stream_slot {
    vg_sample s;
    char *raw;      /* owned copy of the raw frame */
    size_t raw_cap;
    uint32_t aggs;  /* variables whose aggregate stream__judge set (bits p, STREAM_TIME,
                       STREAM_POS): with the jobs' flags, the only non-zero flags */
    uint32_t derived; /* parameters stream__derive computed for this sample (VG_PARAM_BIT) */
} stream_slot;

struct vg_qc_stream {
    const vg_qc_plan *plan;
    const vg_platform_cfg *pf;
    const vg_qc_chain *chain;
    vg_time_us max_gap_us;     /* neighbours further apart are not neighbours */
    int64_t hold_us;           /* wall-clock hold time-out */
    stream_slot slot[2];       /* prev and held swap roles */
    int prev, held;            /* index into slot, -1 when empty */
    int64_t held_since_mono;   /* when held arrived */
    vg_time_us last_time;
    unsigned char *state;      /* per (step, variable) test states */
    /* For each variable (parameter p, then time, then position), bit `id` set for each test
     * of the chain that can judge it: the only flag slots a judged sample can have set there
     * (push clears them and the aggregates). Folded in ascending id order. */
    uint32_t fold_mask[VG_P__COUNT + 2];
    size_t state_total;        /* bytes of `state` */
    stream_job *jobs;          /* owned, n_jobs */
    size_t n_jobs;
    /* The daily datum-shift and clock-offset watch of a tide gauge with constituents and
     * SLEV (owned; NULL otherwise): fed with each judged SLEV not flagged 4. */
    vg_sl_monitor *monitor;
    /* True when two jobs set the same flag (one test in several ioos_qc contexts): the
     * last one that runs wins the slot, so the aggregate must be folded from the slots. */
    bool shared_flags;
    /* Parameters the engine may compute or whose flags it may pass on (salinity from
     * conductivity, sea level from pressures): the platform's SSPS, PSAL and SLEV. A sample
     * that has them all already, or a platform without them, skips those steps. */
    uint32_t derivable;
    /* The configuration's recent sea level (borrowed, NULL: none) and this platform's
     * index in it (vg_qc_stream_set_peers). */
    vg_qc_peers *peers;
    size_t peer_index;
};

void vg_qc_stream_set_peers(vg_qc_stream *st, vg_qc_peers *peers, size_t index)
{
    st->peers = peers;
    st->peer_index = index;
}

/* Bytes of one state of test t with options opts on platform pf: its state_size (or, for a
 * test whose state grows with its options, sized_state's figure) rounded up to the
 * alignment of max_align_t; 0 when it keeps none. SIZE_MAX when the options need more than
 * the test can hold (the plan rejected such a configuration already: vg_qc_plan_build). */
static size_t stream__state_slot(const vg_qc_test *t, const double *opts,
                                 const vg_platform_cfg *pf)
{
    const size_t a = _Alignof(max_align_t);
    size_t bytes = t->state_size;
    if (t->sized_state) {
        char why[2];
        bytes = t->sized_state(opts, pf->interval_s, NULL, why, sizeof why);
        if (!bytes)
            return SIZE_MAX;
    }
    return (bytes + a - 1) / a * a;
}

/* Lay out a state whose size depends on the options (zeroed by calloc), once. */
static void stream__state_init(const vg_qc_test *t, const double *opts,
                               const vg_platform_cfg *pf, unsigned char *state)
{
    char why[2];
    if (t->sized_state)
        t->sized_state(opts, pf->interval_s, state, why, sizeof why);
}

vg_err vg_qc_stream_new(const vg_qc_plan *plan, const vg_platform_cfg *pf, vg_qc_stream **out,
                        vg_errinfo *err)
{
    vg_qc_stream *st = calloc(1, sizeof *st);
    if (!st)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the QC stream of %s", pf->id);
    st->plan = plan;
    st->pf = pf;
    st->chain = &plan->chains[pf->kind];
    st->max_gap_us = (vg_time_us)(plan->max_gap_factor * pf->interval_s * 1e6);
    st->hold_us = (int64_t)(vg_qc_hold_timeout_s(plan, pf) * 1e6);
    st->prev = st->held = -1;
    st->last_time = VG_TIME_NONE;

    for (size_t i = 0; i < st->chain->n_steps; i++) {
        const vg_qc_step *step = &st->chain->steps[i];
        uint32_t bit = UINT32_C(1) << step->test->id;
        switch (step->test->target) {
        case VG_QC_ON_TIME: st->fold_mask[STREAM_TIME] |= bit; break;
        case VG_QC_ON_POSITION: st->fold_mask[STREAM_POS] |= bit; break;
        case VG_QC_ON_PARAM:
            for (int p = 0; p < VG_P__COUNT; p++)
                if (step->params & pf->params & VG_PARAM_BIT(p))
                    st->fold_mask[p] |= bit;
            break;
        }
    }
    /* Each step gets one state per variable it judges on this platform (each of the
     * platform's parameters it runs on, or the position or time), each rounded up to the
     * alignment of max_align_t: a stream pays only for the state its own jobs keep, not for
     * every parameter the engine knows (that cost ~230 KB per tide gauge; docs/qc.md). */
    size_t total = 0;
    for (size_t i = 0; i < st->chain->n_steps; i++) {
        const vg_qc_step *step = &st->chain->steps[i];
        const vg_qc_test *t = step->test;
        uint32_t m = t->target == VG_QC_ON_PARAM ? step->params & pf->params : 1;
        for (; m; m &= m - 1) {
            int p = t->target == VG_QC_ON_PARAM ? __builtin_ctz(m) : 0;
            size_t slot = stream__state_slot(t, step->opts[p], pf);
            if (slot == SIZE_MAX) {
                free(st);
                return vg_fail(err, VG_ERR_CONFIG, "platform %s: %s: window too long for "
                               "its interval_s (docs/qc.md)", pf->id, t->name);
            }
            total += slot;
        }
    }
    st->state_total = total;
    if (total) {
        st->state = calloc(1, total);
        if (!st->state) {
            free(st);
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for the QC state of %s", pf->id);
        }
    }
    size_t n_jobs = 0;
    for (size_t i = 0; i < st->chain->n_steps; i++) {
        const vg_qc_step *step = &st->chain->steps[i];
        n_jobs += step->test->target == VG_QC_ON_PARAM
                      ? (size_t)__builtin_popcount(step->params & pf->params)
                      : 1;
    }
    st->jobs = n_jobs ? calloc(n_jobs, sizeof *st->jobs) : NULL;
    if (n_jobs && !st->jobs) {
        free(st->state);
        free(st);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the QC chain of %s", pf->id);
    }
    /* The jobs take their states in the order they were counted above: step by step, and
     * within a step the parameters in bit order. */
    unsigned char *state = st->state;
    for (size_t i = 0; i < st->chain->n_steps; i++) {
        const vg_qc_step *step = &st->chain->steps[i];
        const vg_qc_test *t = step->test;
        if (t->target != VG_QC_ON_PARAM) {
            const size_t slot = stream__state_slot(t, step->opts[0], pf);
            stream__state_init(t, step->opts[0], pf, state);
            size_t off = t->target == VG_QC_ON_TIME ? offsetof(vg_sample, time_qc)
                                                    : offsetof(vg_sample, pos_qc);
            st->jobs[st->n_jobs++] = (stream_job){
                .run = t->run, .opts = step->opts[0], .state = slot ? state : NULL,
                .flag_off = (uint32_t)(off + offsetof(vg_qc_flags, test) + t->id), .var = -1,
                .fold = t->target == VG_QC_ON_TIME ? STREAM_TIME : STREAM_POS,
                .scope = step->scope};
            state += slot;
            continue;
        }
        for (uint32_t m = step->params & pf->params; m; m &= m - 1) {
            int p = __builtin_ctz(m);
            const size_t slot = stream__state_slot(t, step->opts[p], pf);
            stream__state_init(t, step->opts[p], pf, state);
            st->jobs[st->n_jobs++] = (stream_job){
                .run = t->run, .opts = step->opts[p], .state = slot ? state : NULL,
                .flag_off = (uint32_t)(offsetof(vg_sample, qc) + (size_t)p * sizeof(vg_qc_flags) +
                                       offsetof(vg_qc_flags, test) + t->id),
                .var = (int16_t)p, .fold = (uint16_t)p, .scope = step->scope};
            state += slot;
        }
    }
    st->derivable = pf->params & (VG_PARAM_BIT(VG_P_SSPS) | VG_PARAM_BIT(VG_P_PSAL) |
                                  VG_PARAM_BIT(VG_P_SLEV));
    for (size_t a = 0; a < st->n_jobs; a++)
        for (size_t b = a + 1; b < st->n_jobs; b++)
            if (st->jobs[a].flag_off == st->jobs[b].flag_off)
                st->shared_flags = true;
    const vg_tide_model *tide = vg_qc_tides_find(plan->refs.tides, pf->id);
    if (tide && (pf->params & VG_PARAM_BIT(VG_P_SLEV))) {
        vg_err rc = vg_sl_monitor_new(pf->id, tide, pf->interval_s,
                                      vg_sl_monitor_offset_s(pf->id, plan->sea_level_spread_s),
                                      &st->monitor, err);
        if (rc != VG_OK) {
            vg_qc_stream_free(st);
            return rc;
        }
    }
    *out = st;
    return VG_OK;
}

void vg_qc_stream_free(vg_qc_stream *st)
{
    if (!st)
        return;
    free(st->slot[0].raw);
    free(st->slot[1].raw);
    free(st->state);
    free(st->jobs);
    vg_sl_monitor_free(st->monitor);
    free(st);
}

/* Salinity computed from conductivity when the instrument does not send it: PSS-78 with
 * the reported pressure (0 dbar when none), for platforms configured with the salinity
 * parameter. SSPS from CNDC and SSJT (a TSG: the cell temperature, which the conductivity
 * was measured at), PSAL from CNDC and TEMP (moorings, ferryboxes). */
static const struct {
    vg_param salinity, temperature;
} derived[] = {{VG_P_SSPS, VG_P_SSJT}, {VG_P_PSAL, VG_P_TEMP}};

static uint32_t stream__derive(const vg_qc_stream *st, vg_sample *s)
{
    uint32_t done = 0;
    if (!(st->derivable & ~s->present))
        return 0;
    for (size_t k = 0; k < sizeof derived / sizeof derived[0]; k++) {
        vg_param sal = derived[k].salinity, t = derived[k].temperature;
        if (!(st->pf->params & VG_PARAM_BIT(sal)) || vg_sample_has(s, sal) ||
            !vg_sample_has(s, VG_P_CNDC) || !vg_sample_has(s, t))
            continue;
        double p = vg_sample_has(s, VG_P_PRES) && !isnan(s->value[VG_P_PRES])
                       ? s->value[VG_P_PRES]
                       : 0.0;
        vg_sample_set(s, sal, vg_sw_sp_from_c(s->value[VG_P_CNDC], s->value[t], p));
        done |= VG_PARAM_BIT(sal);
    }
    /* Sea level of a pressure gauge (platform configured with SLEV, BPRS and ATMS, the
     * sample without SLEV): the water column above the sensor, hydrostatic with the
     * platform's density and gravity, plus the sensor's level on the station datum. A NaN
     * pressure gives a NaN (missing, flag 9) sea level, as for salinity. */
    if ((st->pf->params & VG_PARAM_BIT(VG_P_SLEV)) && !vg_sample_has(s, VG_P_SLEV) &&
        vg_sample_has(s, VG_P_BPRS) && vg_sample_has(s, VG_P_ATMS)) {
        const vg_platform_cfg *pf = st->pf;
        vg_sample_set(s, VG_P_SLEV,
                      vg_sw_water_column_m(s->value[VG_P_BPRS], s->value[VG_P_ATMS],
                                           pf->water_density_kg_m3, pf->gravity_m_s2) +
                          pf->sensor_level_m);
        done |= VG_PARAM_BIT(VG_P_SLEV);
    }
    return done;
}

/* Salinity inherits a 3 or 4 of the temperature it was computed with (EuroGOOS sec. 3). */
static const struct {
    vg_param salinity, temperature;
} inherits[] = {{VG_P_SSPS, VG_P_SSJT}, {VG_P_PSAL, VG_P_TEMP}};

/* The per-test flags of variable `var` folded in id order. Only the slots of the tests that
 * can judge the variable are read (the others are 0): reading all 32 cost about 75 ns per
 * sample of 7 parameters (test_qc_gosud), reading every test of the chain for every
 * variable about a third of the engine's own time (bench_qc). */
static vg_flag stream__fold(const vg_qc_stream *st, const vg_qc_flags *q, int var)
{
    vg_flag agg = VG_FLAG_NO_QC;
    for (uint32_t m = st->fold_mask[var]; m; m &= m - 1) {
        vg_flag f = q->test[__builtin_ctz(m)];
        if (f)
            agg = vg_flag_combine(agg, f);
    }
    return agg;
}

/* The aggregate of a variable whose tests gave the flags in `seen` (bit f for flag f):
 * when they are all 0, 1, 3 or 4, the precedence of vg_flag_combine is their order, so
 * the fold is the largest (the usual case, without reading the flags back); otherwise the
 * fold in id order (2, 5, 6, 7, 8 and 9 do not all overwrite each other). */
static inline vg_flag stream__aggregate(const vg_qc_stream *st, const vg_qc_flags *q, int var,
                                 uint32_t seen)
{
    if ((seen & ~UINT32_C(0x1b)) || st->shared_flags)
        return stream__fold(st, q, var);
    seen &= ~UINT32_C(1);
    return seen ? (vg_flag)(31 - __builtin_clz(seen)) : VG_FLAG_NO_QC;
}

/* A sea level computed from pressures inherits a 3 or 4 of either pressure: a bad
 * barometer or a bad pressure sensor makes a bad sea level. */
static const vg_param slev_sources[] = {VG_P_BPRS, VG_P_ATMS};

/* Run the chain on `cur` with the given neighbours and fill its flags; `computed`: the
 * parameters stream__derive computed for it. */
static void stream__judge(vg_qc_stream *st, vg_sample *cur, const vg_sample *prev,
                          const vg_sample *next, uint32_t computed)
{
    if (prev && cur->time - prev->time > st->max_gap_us)
        prev = NULL;
    if (next && next->time - cur->time > st->max_gap_us)
        next = NULL;
    const vg_qc_window w = {.prev = prev, .cur = cur, .next = next, .refs = &st->plan->refs,
                            .sealevel = st->monitor ? vg_sl_monitor_status(st->monitor) : NULL,
                            .pf = st->pf, .derived = computed, .peers = st->peers};
    /* A parameter job runs when the sample has a value (not NaN: the fold flags it 9). */
    uint32_t runs = 0;
    for (uint32_t m = cur->present & st->pf->params; m; m &= m - 1) {
        int p = __builtin_ctz(m);
        if (!isnan(cur->value[p]))
            runs |= VG_PARAM_BIT(p);
    }
    unsigned char *base = (unsigned char *)cur;
    uint32_t seen[VG_P__COUNT + 2] = {0};
    for (const stream_job *j = st->jobs, *end = j + st->n_jobs; j < end; j++) {
        if ((j->var >= 0 && !(runs >> j->var & 1u)) ||
            (j->scope && !vg_qc_scope_holds(j->scope, cur)))
            continue;
        vg_flag f = j->run(j->opts, j->state, &w, j->var);
        base[j->flag_off] = (unsigned char)f;
        seen[j->fold] |= UINT32_C(1) << (f & 31);
    }
    for (uint32_t m = cur->present & ((UINT32_C(1) << VG_P__COUNT) - 1); m; m &= m - 1) {
        int p = __builtin_ctz(m);
        cur->qc[p].agg =
            isnan(cur->value[p]) ? VG_FLAG_MISSING : stream__aggregate(st, &cur->qc[p], p, seen[p]);
    }
    const uint32_t salinities = VG_PARAM_BIT(VG_P_SSPS) | VG_PARAM_BIT(VG_P_PSAL);
    for (size_t k = 0; (cur->present & salinities) && k < sizeof inherits / sizeof inherits[0];
         k++) {
        vg_param s = inherits[k].salinity, t = inherits[k].temperature;
        if (vg_sample_has(cur, s) && vg_sample_has(cur, t) && !isnan(cur->value[s]) &&
            (cur->qc[t].agg == VG_FLAG_PROBABLY_BAD || cur->qc[t].agg == VG_FLAG_BAD))
            cur->qc[s].agg = vg_flag_combine(cur->qc[s].agg, cur->qc[t].agg);
    }
    if ((computed & VG_PARAM_BIT(VG_P_SLEV)) && !isnan(cur->value[VG_P_SLEV]))
        for (size_t k = 0; k < sizeof slev_sources / sizeof slev_sources[0]; k++) {
            vg_flag f = cur->qc[slev_sources[k]].agg;
            if (f == VG_FLAG_PROBABLY_BAD || f == VG_FLAG_BAD)
                cur->qc[VG_P_SLEV].agg = vg_flag_combine(cur->qc[VG_P_SLEV].agg, f);
        }
    cur->time_qc.agg = stream__aggregate(st, &cur->time_qc, STREAM_TIME, seen[STREAM_TIME]);
    cur->pos_qc.agg = isnan(cur->lat_deg) || isnan(cur->lon_deg)
                          ? VG_FLAG_MISSING
                          : stream__aggregate(st, &cur->pos_qc, STREAM_POS, seen[STREAM_POS]);
}

/* Judge the held sample against `next` (NULL = edge), emit it, make it prev. Inlined into
 * its callers, stream__judge then being the call (GCC chose the opposite): 316 -> 292
 * instructions per sample of an empty chain (callgrind), about 1 ns of the 14 (bench_qc). */
static inline __attribute__((always_inline)) void
stream__release(vg_qc_stream *st, const vg_sample *next, vg_qc_emit emit, void *ctx)
{
    if (st->held < 0)
        return;
    stream_slot *h = &st->slot[st->held];
    const vg_sample *prev = st->prev >= 0 ? &st->slot[st->prev].s : NULL;
    stream__judge(st, &h->s, prev, next, h->derived);
    h->aggs = (h->s.present & ((UINT32_C(1) << VG_P__COUNT) - 1)) |
              UINT32_C(1) << STREAM_TIME | UINT32_C(1) << STREAM_POS;
    if (st->monitor && vg_sample_has(&h->s, VG_P_SLEV) && h->s.qc[VG_P_SLEV].agg != VG_FLAG_BAD)
        vg_sl_monitor_add(st->monitor, h->s.time, h->s.value[VG_P_SLEV]);
    emit(ctx, &h->s); /* the slot itself: the callee gets it const (stream.h) */
    st->prev = st->held;
    st->held = -1;
}

/* Zero every flag of the slot's sample, judged by stream__judge or never used (calloc):
 * only the jobs' flags and the aggregates in slot->aggs can be non-zero. */
static void stream__clear_flags(const vg_qc_stream *st, stream_slot *slot)
{
    unsigned char *base = (unsigned char *)&slot->s;
    for (const stream_job *j = st->jobs, *end = j + st->n_jobs; j < end; j++)
        base[j->flag_off] = 0;
    /* the parameters' aggregates it set; those of the time and position are always set */
    for (uint32_t m = slot->aggs & ((UINT32_C(1) << VG_P__COUNT) - 1); m; m &= m - 1)
        slot->s.qc[__builtin_ctz(m)].agg = 0;
    slot->s.time_qc.agg = 0;
    slot->s.pos_qc.agg = 0;
    slot->aggs = 0;
}

vg_err vg_qc_stream_push(vg_qc_stream *st, const vg_sample *in, int64_t now_mono_us,
                         vg_qc_emit emit, void *ctx, vg_errinfo *err)
{
    if (st->last_time != VG_TIME_NONE && in->time <= st->last_time) {
        char a[VG_TIME_ISO_LEN], b[VG_TIME_ISO_LEN];
        return vg_fail(err, VG_ERR_ORDER, "%s: time %s is not after the previous sample's %s",
                       st->pf->id, vg_time_format_iso8601(in->time, a),
                       vg_time_format_iso8601(st->last_time, b));
    }
    stream__release(st, in, emit, ctx);
    /* The slot that is not prev receives the new sample. */
    int k = st->prev == 0 ? 1 : 0;
    stream_slot *slot = &st->slot[k];
    if (in->raw_len > slot->raw_cap) {
        size_t cap = in->raw_len < 256 ? 256 : in->raw_len;
        char *p = realloc(slot->raw, cap);
        if (!p)
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for a raw frame of %zu bytes",
                           in->raw_len);
        slot->raw = p;
        slot->raw_cap = cap;
    }
    /* Flags are the engine's to set: whatever the input carried is dropped, so only the
     * members before them are copied (the flags are most of a sample's bytes). The slot's
     * own flags are those stream__judge set on its previous sample, or zeros (calloc):
     * only the aggregates and the slots of fold_mask can be non-zero, and are cleared. */
    memcpy(&slot->s, in, offsetof(vg_sample, qc));
    stream__clear_flags(st, slot);
    if (in->raw_len)
        memcpy(slot->raw, in->raw, in->raw_len);
    slot->s.raw = slot->raw;
    slot->s.raw_len = in->raw_len;
    slot->derived = stream__derive(st, &slot->s);
    if (st->peers && vg_sample_has(&slot->s, VG_P_SLEV) && isfinite(slot->s.value[VG_P_SLEV]))
        vg_qc_peers_put(st->peers, st->peer_index, slot->s.time, slot->s.value[VG_P_SLEV]);
    st->held = k;
    st->held_since_mono = now_mono_us;
    st->last_time = in->time;
    return VG_OK;
}

void vg_qc_stream_expire(vg_qc_stream *st, int64_t now_mono_us, vg_qc_emit emit, void *ctx)
{
    if (st->held >= 0 && now_mono_us - st->held_since_mono >= st->hold_us)
        stream__release(st, NULL, emit, ctx);
}

void vg_qc_stream_flush(vg_qc_stream *st, vg_qc_emit emit, void *ctx)
{
    stream__release(st, NULL, emit, ctx);
}

size_t vg_qc_stream_pending(const vg_qc_stream *st) { return st->held >= 0 ? 1 : 0; }

vg_time_us vg_qc_stream_last_time(const vg_qc_stream *st) { return st->last_time; }

size_t vg_qc_stream_state_bytes(const vg_qc_stream *st)
{
    return sizeof *st + st->state_total + st->n_jobs * sizeof *st->jobs + st->slot[0].raw_cap +
           st->slot[1].raw_cap + (st->monitor ? vg_sl_monitor_bytes(st->monitor) : 0);
}

bool vg_qc_stream_events_due(const vg_qc_stream *st)
{
    return st->monitor && vg_sl_monitor_due(st->monitor);
}

vg_err vg_qc_stream_run_events(vg_qc_stream *st, vg_event_sink sink, void *ctx, vg_errinfo *err)
{
    return st->monitor ? vg_sl_monitor_run(st->monitor, sink, ctx, err) : VG_OK;
}

bool vg_qc_stream_watches_sea_level(const vg_qc_stream *st) { return st->monitor != NULL; }

void vg_qc_stream_seed_sea_level(vg_qc_stream *st, vg_time_us t, double slev_m)
{
    if (st->monitor)
        vg_sl_monitor_add(st->monitor, t, slev_m);
}

static void stream__drop_event(void *ctx, const vg_event *ev)
{
    (void)ctx;
    (void)ev;
}

vg_err vg_qc_stream_seed_done(vg_qc_stream *st, vg_errinfo *err)
{
    return st->monitor ? vg_sl_monitor_run(st->monitor, stream__drop_event, NULL, err) : VG_OK;
}
