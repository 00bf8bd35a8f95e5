/* stream.c: the per-platform QC engine (stream.h). Holds at most two samples: `prev`, the
 * last judged one (the V1 of three-point tests), and `held`, waiting for its successor.
 * Each sample is judged exactly once, when it leaves `held`, in time order, so stateful
 * tests see the stream in order whatever the timing of arrivals. */
#include "qc/stream.h"

#include "core/seawater.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct stream_slot {
    vg_sample s;
    char *raw;      /* owned copy of the raw frame */
    size_t raw_cap;
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
    size_t state_off[VG_QC_MAX_TESTS];  /* offset of each step's states in `state` */
    size_t state_slot[VG_QC_MAX_TESTS]; /* bytes of one state of the step (aligned), 0 = none */
    uint8_t ids[VG_QC_MAX_TESTS]; /* ids of the chain's tests, ascending: the only flag slots
                                     a judged sample can have set (push clears them all) */
    size_t n_ids;
};

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

    for (unsigned id = 1; id < VG_QC_MAX_TESTS; id++)
        for (size_t i = 0; i < st->chain->n_steps; i++)
            if (st->chain->steps[i].test->id == id) {
                st->ids[st->n_ids++] = (uint8_t)id;
                break;
            }
    /* Each step gets one state per variable it judges (every parameter, or the position or
     * time), each rounded up to the alignment of max_align_t: a chain pays only for the
     * state its own tests keep (docs/qc.md states the figures). */
    size_t total = 0;
    for (size_t i = 0; i < st->chain->n_steps; i++) {
        const vg_qc_test *t = st->chain->steps[i].test;
        size_t a = _Alignof(max_align_t);
        st->state_slot[i] = (t->state_size + a - 1) / a * a;
        st->state_off[i] = total;
        total += st->state_slot[i] * (t->target == VG_QC_ON_PARAM ? VG_P__COUNT : 1);
    }
    if (total) {
        st->state = calloc(1, total);
        if (!st->state) {
            free(st);
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for the QC state of %s", pf->id);
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
    free(st);
}

static void *stream__state(vg_qc_stream *st, size_t step, int var)
{
    if (!st->state_slot[step])
        return NULL;
    return st->state + st->state_off[step] + (size_t)(var < 0 ? 0 : var) * st->state_slot[step];
}

/* Salinity computed from conductivity when the instrument does not send it: PSS-78 with
 * the reported pressure (0 dbar when none), for platforms configured with the salinity
 * parameter. SSPS from CNDC and SSJT (a TSG: the cell temperature, which the conductivity
 * was measured at), PSAL from CNDC and TEMP (moorings, ferryboxes). */
static const struct {
    vg_param salinity, temperature;
} derived[] = {{VG_P_SSPS, VG_P_SSJT}, {VG_P_PSAL, VG_P_TEMP}};

static void stream__derive(const vg_qc_stream *st, vg_sample *s)
{
    for (size_t k = 0; k < sizeof derived / sizeof derived[0]; k++) {
        vg_param sal = derived[k].salinity, t = derived[k].temperature;
        if (!(st->pf->params & VG_PARAM_BIT(sal)) || vg_sample_has(s, sal) ||
            !vg_sample_has(s, VG_P_CNDC) || !vg_sample_has(s, t))
            continue;
        double p = vg_sample_has(s, VG_P_PRES) && !isnan(s->value[VG_P_PRES])
                       ? s->value[VG_P_PRES]
                       : 0.0;
        vg_sample_set(s, sal, vg_sw_sp_from_c(s->value[VG_P_CNDC], s->value[t], p));
    }
}

/* Salinity inherits a 3 or 4 of the temperature it was computed with (EuroGOOS sec. 3). */
static const struct {
    vg_param salinity, temperature;
} inherits[] = {{VG_P_SSPS, VG_P_SSJT}, {VG_P_PSAL, VG_P_TEMP}};

/* The per-test flags folded in id order. Only the chain's slots are read (the others are
 * 0): reading all 32 cost about 75 ns per sample of 7 parameters (test_qc_gosud). */
static vg_flag stream__fold(const vg_qc_stream *st, const vg_qc_flags *q)
{
    vg_flag agg = VG_FLAG_NO_QC;
    for (size_t i = 0; i < st->n_ids; i++) {
        vg_flag f = q->test[st->ids[i]];
        if (f)
            agg = vg_flag_combine(agg, f);
    }
    return agg;
}

/* Run the chain on slot `h` with the given neighbours and fill its flags. */
static void stream__judge(vg_qc_stream *st, vg_sample *cur, const vg_sample *prev,
                          const vg_sample *next)
{
    if (prev && cur->time - prev->time > st->max_gap_us)
        prev = NULL;
    if (next && next->time - cur->time > st->max_gap_us)
        next = NULL;
    const vg_qc_window w = {.prev = prev, .cur = cur, .next = next, .refs = &st->plan->refs};
    const uint32_t configured = st->pf->params;
    for (size_t i = 0; i < st->chain->n_steps; i++) {
        const vg_qc_step *step = &st->chain->steps[i];
        const vg_qc_test *t = step->test;
        switch (t->target) {
        case VG_QC_ON_TIME:
            cur->time_qc.test[t->id] = t->run(step->opts[0], stream__state(st, i, -1), &w, -1);
            break;
        case VG_QC_ON_POSITION:
            cur->pos_qc.test[t->id] = t->run(step->opts[0], stream__state(st, i, -1), &w, -1);
            break;
        case VG_QC_ON_PARAM: {
            uint32_t todo = step->params & cur->present & configured;
            while (todo) {
                int p = __builtin_ctz(todo);
                todo &= todo - 1;
                if (isnan(cur->value[p]))
                    continue;
                cur->qc[p].test[t->id] = t->run(step->opts[p], stream__state(st, i, p), &w, p);
            }
            break;
        }
        }
    }
    for (int p = 0; p < VG_P__COUNT; p++) {
        if (!vg_sample_has(cur, p))
            continue;
        cur->qc[p].agg = isnan(cur->value[p]) ? VG_FLAG_MISSING : stream__fold(st, &cur->qc[p]);
    }
    for (size_t k = 0; k < sizeof inherits / sizeof inherits[0]; k++) {
        vg_param s = inherits[k].salinity, t = inherits[k].temperature;
        if (vg_sample_has(cur, s) && vg_sample_has(cur, t) && !isnan(cur->value[s]) &&
            (cur->qc[t].agg == VG_FLAG_PROBABLY_BAD || cur->qc[t].agg == VG_FLAG_BAD))
            cur->qc[s].agg = vg_flag_combine(cur->qc[s].agg, cur->qc[t].agg);
    }
    cur->time_qc.agg = stream__fold(st, &cur->time_qc);
    cur->pos_qc.agg = isnan(cur->lat_deg) || isnan(cur->lon_deg) ? VG_FLAG_MISSING
                                                                   : stream__fold(st, &cur->pos_qc);
}

/* Judge the held sample against `next` (NULL = edge), emit it, make it prev. */
static void stream__release(vg_qc_stream *st, const vg_sample *next, vg_qc_emit emit, void *ctx)
{
    if (st->held < 0)
        return;
    stream_slot *h = &st->slot[st->held];
    const vg_sample *prev = st->prev >= 0 ? &st->slot[st->prev].s : NULL;
    stream__judge(st, &h->s, prev, next);
    vg_sample out = h->s;
    emit(ctx, &out);
    st->prev = st->held;
    st->held = -1;
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
    slot->s = *in;
    if (in->raw_len)
        memcpy(slot->raw, in->raw, in->raw_len);
    slot->s.raw = slot->raw;
    stream__derive(st, &slot->s);
    /* Flags are the engine's to set: whatever the input carried is cleared. */
    memset(slot->s.qc, 0, sizeof slot->s.qc);
    memset(&slot->s.time_qc, 0, sizeof slot->s.time_qc);
    memset(&slot->s.pos_qc, 0, sizeof slot->s.pos_qc);
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
