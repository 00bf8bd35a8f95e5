/* faults.c: where the injected faults go. Windows (stuck, gap, harbour) are given in minutes
 * and become sample ranges here; spikes are spread evenly (one per stratum, jittered) over
 * the samples whose neighbours are clean, so that a three-point test can see each of them;
 * garbage lines go half an interval before random samples, never inside a gap. Each has its
 * own random stream, so adding one kind of fault does not move the others. */
#include <math.h>
#include <stdlib.h>

#include "sim/sim_internal.h"

typedef struct sim_range {
    int64_t a, b; /* samples [a, b) */
} sim_range;

#define SIM_MAX_RANGES (2 * VG_SIM_MAX_WINDOWS + 1)

static int64_t sim__min_us(double minutes) { return llround(minutes * 60e6); }

static int64_t sim__ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

void vg_sim__window_samples(const vg_sim_window *w, int64_t interval_us, int64_t n,
                            int64_t *k0, int64_t *k1)
{
    int64_t s = sim__min_us(w->start_min);
    int64_t e = s + sim__min_us(w->duration_min);
    *k0 = sim__ceil_div(s, interval_us);
    *k1 = sim__ceil_div(e, interval_us);
    if (*k0 > n)
        *k0 = n;
    if (*k1 > n)
        *k1 = n;
}

int vg_sim__window_find(const vg_sim_window *ws, int n, int64_t offset_us)
{
    for (int i = 0; i < n; i++) {
        int64_t s = sim__min_us(ws[i].start_min);
        int64_t e = s + sim__min_us(ws[i].duration_min);
        if (offset_us >= s && offset_us < e)
            return i;
    }
    return -1;
}

static int sim__cmp_range(const void *a, const void *b)
{
    const sim_range *x = a, *y = b;
    return x->a < y->a ? -1 : x->a > y->a;
}

/* The samples of [lo, hi) outside every gap (and stuck, when asked) window grown by
 * grow_left / grow_right samples; returns the number of ranges written to out. */
static int sim__free_ranges(const vg_sim_opts *o, bool with_stuck, int64_t interval_us,
                            int64_t n, int64_t grow_left, int64_t grow_right, int64_t lo,
                            int64_t hi, sim_range *out)
{
    sim_range blocked[2 * VG_SIM_MAX_WINDOWS];
    int nb = 0;
    for (int i = 0; i < o->n_gap; i++) {
        vg_sim__window_samples(&o->gap[i], interval_us, n, &blocked[nb].a, &blocked[nb].b);
        nb++;
    }
    for (int i = 0; with_stuck && i < o->n_stuck; i++) {
        vg_sim__window_samples(&o->stuck[i], interval_us, n, &blocked[nb].a, &blocked[nb].b);
        nb++;
    }
    int m = 0;
    for (int i = 0; i < nb; i++) { /* drop empty windows, grow the others */
        if (blocked[i].b > blocked[i].a) {
            blocked[m].a = blocked[i].a - grow_left;
            blocked[m].b = blocked[i].b + grow_right;
            m++;
        }
    }
    qsort(blocked, (size_t)m, sizeof blocked[0], sim__cmp_range);
    int nr = 0;
    int64_t cur = lo;
    for (int i = 0; i < m && cur < hi; i++) {
        if (blocked[i].a > cur) {
            int64_t end = blocked[i].a < hi ? blocked[i].a : hi;
            out[nr++] = (sim_range){cur, end};
        }
        if (blocked[i].b > cur)
            cur = blocked[i].b;
    }
    if (cur < hi)
        out[nr++] = (sim_range){cur, hi};
    return nr;
}

static int64_t sim__ranges_total(const sim_range *r, int n)
{
    int64_t t = 0;
    for (int i = 0; i < n; i++)
        t += r[i].b - r[i].a;
    return t;
}

/* The v-th sample (0-based) of the union of the ranges. */
static int64_t sim__ranges_at(const sim_range *r, int n, int64_t v)
{
    for (int i = 0; i < n; i++) {
        if (v < r[i].b - r[i].a)
            return r[i].a + v;
        v -= r[i].b - r[i].a;
    }
    return r[n - 1].b - 1; /* not reached for v < total */
}

static int sim__cmp_garbage(const void *a, const void *b)
{
    const sim_garbage *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return (int)x->type - (int)y->type;
}

static vg_err sim__place_spikes(sim_plan *p, const vg_sim_opts *o, int64_t n,
                                int64_t interval_us, vg_errinfo *err)
{
    if (o->n_spikes <= 0)
        return VG_OK;
    sim_range r[SIM_MAX_RANGES];
    /* k-1, k, k+1 outside stuck and gap windows; 2 <= k <= n-3 */
    int nr = sim__free_ranges(o, true, interval_us, n, 1, 1, 2, n - 2, r);
    int64_t total = sim__ranges_total(r, nr);
    double width = (double)total / o->n_spikes;
    if (width < 4.0)
        return vg_fail(err, VG_ERR_RANGE,
                       "--spike %d: the record has %lld samples with clean neighbours, "
                       "at least 4 per spike are needed",
                       o->n_spikes, (long long)total);
    p->spikes = calloc((size_t)o->n_spikes, sizeof *p->spikes);
    if (!p->spikes)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for %d spikes", o->n_spikes);
    sim_rng rng;
    vg_sim__rng_seed(&rng, o->seed, SIM_STREAM_SPIKES);
    for (int i = 0; i < o->n_spikes; i++) {
        int64_t lo = (int64_t)floor(i * width), hi = (int64_t)floor((i + 1) * width);
        /* pick in [lo+1, hi-2]: picks of neighbouring strata are >= 3 samples apart */
        int64_t v = lo + 1 + (int64_t)vg_sim__rng_below(&rng, (uint64_t)(hi - lo - 2));
        sim_spike *s = &p->spikes[i];
        s->k = sim__ranges_at(r, nr, v);
        double sign = vg_sim__rng_uniform(&rng) < 0.5 ? -1.0 : 1.0;
        double u = vg_sim__rng_uniform(&rng);
        if (o->kind == VG_SIM_TIDE_GAUGE) {
            s->param = VG_P_SLEV;
            s->offset = sign * vg_sim__rng_range(&rng, 0.5, 1.0);
        } else if (u < 0.5) {
            s->param = VG_P_SSJT;
            s->offset = sign * vg_sim__rng_range(&rng, 8.0, 12.0);
        } else {
            s->param = VG_P_SSPS;
            s->offset = sign * vg_sim__rng_range(&rng, 2.0, 4.0);
        }
    }
    p->n_spikes = o->n_spikes;
    return VG_OK;
}

static vg_err sim__place_garbage(sim_plan *p, const vg_sim_opts *o, int64_t n,
                                 int64_t interval_us, vg_errinfo *err)
{
    if (o->n_garbage <= 0)
        return VG_OK;
    sim_range r[SIM_MAX_RANGES];
    /* samples k >= 1 such that neither k-1 nor k is in a gap */
    int nr = sim__free_ranges(o, false, interval_us, n, 0, 1, 1, n, r);
    int64_t total = sim__ranges_total(r, nr);
    if (total < 1)
        return vg_fail(err, VG_ERR_RANGE,
                       "--garbage %d: the record needs two consecutive samples outside gaps",
                       o->n_garbage);
    p->garbage = calloc((size_t)o->n_garbage, sizeof *p->garbage);
    if (!p->garbage)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for %d garbage lines", o->n_garbage);
    sim_rng rng;
    vg_sim__rng_seed(&rng, o->seed, SIM_STREAM_GARBAGE_PLAN);
    for (int i = 0; i < o->n_garbage; i++) {
        p->garbage[i].k = sim__ranges_at(r, nr, (int64_t)vg_sim__rng_below(&rng, (uint64_t)total));
        p->garbage[i].type = (sim_garbage_type)vg_sim__rng_below(&rng, 3);
    }
    qsort(p->garbage, (size_t)o->n_garbage, sizeof *p->garbage, sim__cmp_garbage);
    p->n_garbage = o->n_garbage;
    return VG_OK;
}

vg_err vg_sim__plan_make(sim_plan *p, const vg_sim_opts *o, int64_t n, int64_t interval_us,
                         vg_errinfo *err)
{
    *p = (sim_plan){0};
    vg_err rc = sim__place_spikes(p, o, n, interval_us, err);
    if (rc == VG_OK)
        rc = sim__place_garbage(p, o, n, interval_us, err);
    if (rc != VG_OK)
        vg_sim__plan_free(p);
    return rc;
}

void vg_sim__plan_free(sim_plan *p)
{
    free(p->spikes);
    free(p->garbage);
    *p = (sim_plan){0};
}
