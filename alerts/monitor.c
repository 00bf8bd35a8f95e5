/* monitor.c: the per-(rule, platform, parameter) state machines of the alert rules
 * (monitor.h). States are allocated when a rule first sees a value of a parameter; each
 * keeps the last VG_ALERT_ROWS values for the mail. Exact semantics: docs/alerts.md. */
#include "alerts/monitor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct mon_state {
    bool active;
    vg_time_us since;      /* observation time of the first bad value of the problem */
    vg_time_us first_bad, last_bad;
    vg_time_us last_mail;  /* wall clock of the last event (reminders) */
    unsigned run, good_run; /* consecutive: bad values in a row, good values in a row */
    vg_time_us *win;       /* fraction: the last `window` values: the time of a bad one,
                            * VG_TIME_NONE for a good one (ring) */
    unsigned win_pos, win_n, win_bad;
    vg_alert_row rows[VG_ALERT_ROWS]; /* ring of the last values */
    unsigned row_pos, n_rows;
    uint64_t record;       /* id of the problem's durable record (vg_alert_event.record) */
} mon_state;

typedef struct mon_silent {
    bool active;
    vg_time_us last_received; /* wall clock of the last sample (or the start) */
    vg_time_us last_time;     /* observation time of that sample (VG_TIME_NONE: none yet) */
    vg_time_us since, last_mail;
    uint64_t record;
} mon_silent;

struct vg_alert_monitor {
    const vg_config *cfg;
    const vg_alert_rules *rules;
    /* [platform][rule][param], NULL until used */
    mon_state **state;
    mon_silent *silent; /* [platform][rule] */
    size_t n_rules;
    vg_alert_row scratch[VG_ALERT_ROWS];
};

static size_t mon__index(const vg_alert_monitor *m, size_t pl, size_t rule, int p)
{
    return (pl * m->n_rules + rule) * VG_P__COUNT + (size_t)p;
}

vg_err vg_alert_monitor_new(const vg_config *cfg, const vg_alert_rules *rules, vg_time_us now,
                            vg_alert_monitor **out, vg_errinfo *err)
{
    *out = NULL;
    vg_alert_monitor *m = calloc(1, sizeof *m);
    size_t n = cfg->n_platforms * rules->n_rules;
    if (!m || (n && (!(m->state = calloc(n * VG_P__COUNT, sizeof *m->state)) ||
                     !(m->silent = calloc(n, sizeof *m->silent))))) {
        vg_alert_monitor_free(m);
        return vg_fail(err, VG_ERR_NOMEM, "alerts: out of memory");
    }
    m->cfg = cfg;
    m->rules = rules;
    m->n_rules = rules->n_rules;
    for (size_t i = 0; i < n; i++) {
        m->silent[i].last_received = now;
        m->silent[i].last_time = VG_TIME_NONE;
    }
    *out = m;
    return VG_OK;
}

void vg_alert_monitor_free(vg_alert_monitor *m)
{
    if (!m)
        return;
    size_t n = m->cfg ? m->cfg->n_platforms * m->n_rules * VG_P__COUNT : 0;
    for (size_t i = 0; m->state && i < n; i++) {
        if (m->state[i])
            free(m->state[i]->win);
        free(m->state[i]);
    }
    free(m->state);
    free(m->silent);
    free(m);
}

size_t vg_alert_monitor_active(const vg_alert_monitor *m)
{
    size_t a = 0, n = m->cfg->n_platforms * m->n_rules;
    for (size_t i = 0; i < n * VG_P__COUNT; i++)
        a += m->state[i] && m->state[i]->active;
    for (size_t i = 0; i < n; i++)
        a += m->silent[i].active;
    return a;
}

/* The rows of st, oldest first, copied to m->scratch. */
static size_t mon__rows(vg_alert_monitor *m, const mon_state *st)
{
    unsigned start = (st->row_pos + VG_ALERT_ROWS - st->n_rows) % VG_ALERT_ROWS;
    for (unsigned i = 0; i < st->n_rows; i++)
        m->scratch[i] = st->rows[(start + i) % VG_ALERT_ROWS];
    return st->n_rows;
}

static void mon__emit(vg_alert_monitor *m, const vg_alert_rule *rule,
                      const vg_platform_cfg *pl, int p, mon_state *st, vg_alert_state what,
                      vg_time_us now, vg_alert_sink sink, void *ctx)
{
    vg_alert_event ev = {
        .rule = rule, .platform = pl, .param = p, .state = what, .since = st->since,
        .first = st->first_bad, .last = st->last_bad, .now = now,
        .bad = rule->type == VG_ALERT_FRACTION ? st->win_bad : st->run,
        .seen = rule->type == VG_ALERT_FRACTION ? st->win_n : st->run,
    };
    if (what == VG_ALERT_RESOLVED && st->n_rows)
        ev.last = st->rows[(st->row_pos + VG_ALERT_ROWS - 1) % VG_ALERT_ROWS].time;
    if (rule->type == VG_ALERT_CONSECUTIVE && what == VG_ALERT_RESOLVED) {
        ev.bad = 0;
        ev.seen = st->good_run;
    }
    ev.n_rows = mon__rows(m, st);
    ev.rows = m->scratch;
    ev.record = &st->record;
    st->last_mail = now;
    sink(ctx, &ev);
}

/* One value of parameter p of sample s for rule r. */
static void mon__value(vg_alert_monitor *m, const vg_alert_rule *r, const vg_platform_cfg *pl,
                       mon_state *st, const vg_sample *s, int p, vg_alert_sink sink, void *ctx)
{
    const vg_qc_flags *q = &s->qc[p];
    vg_flag f = r->test >= 0 ? q->test[r->test] : q->agg;
    vg_alert_row *row = &st->rows[st->row_pos];
    *row = (vg_alert_row){.time = s->time, .value = s->value[p], .agg = q->agg,
                          .test = r->test >= 0 ? q->test[r->test] : 0,
                          .lat_deg = s->lat_deg, .lon_deg = s->lon_deg};
    st->row_pos = (st->row_pos + 1) % VG_ALERT_ROWS;
    if (st->n_rows < VG_ALERT_ROWS)
        st->n_rows++;
    /* 0 (not evaluated) and 9 (missing) neither count nor break a run: a test that could
     * not judge says nothing about the sensor. */
    if (f != VG_FLAG_GOOD && f != VG_FLAG_PROBABLY_GOOD && f != VG_FLAG_PROBABLY_BAD &&
        f != VG_FLAG_BAD && f != VG_FLAG_CHANGED && f != VG_FLAG_HARBOUR &&
        f != VG_FLAG_INTERPOLATED)
        return;
    bool bad = f == VG_FLAG_PROBABLY_BAD || f == VG_FLAG_BAD;
    vg_time_us now = s->received != VG_TIME_NONE ? s->received : s->time;
    if (bad) {
        if (!st->active && r->type == VG_ALERT_CONSECUTIVE && st->run == 0)
            st->first_bad = s->time;
        st->last_bad = s->time;
    }
    if (r->type == VG_ALERT_CONSECUTIVE) {
        if (bad) {
            st->run++;
            st->good_run = 0;
            if (!st->active && st->run >= r->count) {
                st->active = true;
                st->since = st->first_bad;
                mon__emit(m, r, pl, p, st, VG_ALERT_STARTED, now, sink, ctx);
            }
        } else {
            st->good_run++;
            if (!st->active)
                st->run = 0;
            else if (st->good_run >= r->clear_count) {
                st->active = false;
                mon__emit(m, r, pl, p, st, VG_ALERT_RESOLVED, now, sink, ctx);
                st->run = 0;
            }
        }
        return;
    }
    /* fraction over the last `window` values */
    if (st->win_n == r->window) {
        st->win_bad -= st->win[st->win_pos] != VG_TIME_NONE;
        st->win_n--;
    }
    st->win[st->win_pos] = bad ? s->time : VG_TIME_NONE;
    st->win_pos = (st->win_pos + 1) % r->window;
    st->win_n++;
    st->win_bad += bad;
    if (st->win_n < r->window)
        return; /* judged on a full window only */
    double frac = (double)st->win_bad / st->win_n;
    if (!st->active && frac >= r->fraction) {
        /* the problem starts at the oldest bad value of the window */
        for (unsigned i = 0; i < r->window; i++) {
            vg_time_us t = st->win[(st->win_pos + i) % r->window];
            if (t != VG_TIME_NONE) {
                st->first_bad = t;
                break;
            }
        }
        st->active = true;
        st->since = st->first_bad;
        mon__emit(m, r, pl, p, st, VG_ALERT_STARTED, now, sink, ctx);
    } else if (st->active && frac < r->clear_fraction) {
        st->active = false;
        mon__emit(m, r, pl, p, st, VG_ALERT_RESOLVED, now, sink, ctx);
    }
}

static void mon__silent_emit(const vg_alert_rule *r, const vg_platform_cfg *pl, mon_silent *si,
                             vg_alert_state what, vg_time_us now, vg_time_us last,
                             vg_alert_sink sink, void *ctx)
{
    vg_alert_event ev = {.rule = r, .platform = pl, .param = -1, .state = what,
                         .since = si->since, .first = si->since, .last = last, .now = now,
                         .record = &si->record};
    si->last_mail = now;
    sink(ctx, &ev);
}

/* The state of (platform pl, rule ri, parameter p), created on first use; NULL when out of
 * memory. */
static mon_state *mon__state(vg_alert_monitor *m, size_t pl, size_t ri, int p)
{
    mon_state **slot = &m->state[mon__index(m, pl, ri, p)];
    if (!*slot) {
        const vg_alert_rule *r = &m->rules->rules[ri];
        mon_state *st = calloc(1, sizeof *st);
        if (!st || (r->type == VG_ALERT_FRACTION &&
                    !(st->win = calloc(r->window, sizeof *st->win)))) {
            free(st);
            return NULL;
        }
        st->first_bad = VG_TIME_NONE;
        *slot = st;
    }
    return *slot;
}

vg_err vg_alert_monitor_restore(vg_alert_monitor *m, const char *rule, vg_alert_type type,
                                const char *platform, int param, vg_time_us since,
                                vg_time_us first, vg_time_us last, vg_time_us now,
                                uint64_t record)
{
    size_t pl = 0, ri = 0;
    while (pl < m->cfg->n_platforms && strcmp(m->cfg->platforms[pl].id, platform) != 0)
        pl++;
    while (ri < m->n_rules && strcmp(m->rules->rules[ri].name, rule) != 0)
        ri++;
    if (pl == m->cfg->n_platforms || ri == m->n_rules || m->rules->rules[ri].type != type ||
        !vg_alert_rule_matches(&m->rules->rules[ri], &m->cfg->platforms[pl]) ||
        (type == VG_ALERT_SILENT) != (param < 0) || param >= VG_P__COUNT)
        return vg_fail(NULL, VG_ERR_NOTFOUND, "no such rule, platform or parameter");
    if (type == VG_ALERT_SILENT) {
        mon_silent *si = &m->silent[pl * m->n_rules + ri];
        *si = (mon_silent){.active = true, .last_received = now, .last_time = last,
                           .since = since, .last_mail = now, .record = record};
        return VG_OK;
    }
    mon_state *st = mon__state(m, pl, ri, param);
    if (!st)
        return vg_fail(NULL, VG_ERR_NOMEM, "out of memory");
    const vg_alert_rule *r = &m->rules->rules[ri];
    st->active = true;
    st->since = since;
    st->first_bad = first;
    st->last_bad = last;
    st->last_mail = now;
    st->run = r->count; /* bad so far; good values count towards the end */
    st->good_run = 0;
    st->record = record;
    return VG_OK;
}

void vg_alert_monitor_sample(vg_alert_monitor *m, const vg_sample *s, vg_alert_sink sink,
                             void *ctx)
{
    const vg_config *cfg = m->cfg;
    size_t pl = 0;
    while (pl < cfg->n_platforms && strcmp(cfg->platforms[pl].id, s->platform) != 0)
        pl++;
    if (pl == cfg->n_platforms)
        return;
    const vg_platform_cfg *pc = &cfg->platforms[pl];
    vg_time_us now = s->received != VG_TIME_NONE ? s->received : s->time;
    for (size_t ri = 0; ri < m->n_rules; ri++) {
        const vg_alert_rule *r = &m->rules->rules[ri];
        if (r->type == VG_ALERT_EVENT || !vg_alert_rule_matches(r, pc))
            continue; /* event rules: vg_alerts_event, not the monitor */
        if (r->type == VG_ALERT_SILENT) {
            mon_silent *si = &m->silent[pl * m->n_rules + ri];
            if (si->active) {
                si->active = false;
                mon__silent_emit(r, pc, si, VG_ALERT_RESOLVED, now, s->time, sink, ctx);
            }
            si->last_received = now;
            si->last_time = s->time;
            continue;
        }
        for (int p = 0; p < VG_P__COUNT; p++) {
            if (!vg_sample_has(s, (vg_param)p) || (r->params && !(r->params & VG_PARAM_BIT(p))))
                continue;
            mon_state *st = mon__state(m, pl, ri, p);
            if (st) /* else out of memory: this value is not watched */
                mon__value(m, r, pc, st, s, p, sink, ctx);
        }
    }
}

void vg_alert_monitor_tick(vg_alert_monitor *m, vg_time_us now, vg_alert_sink sink, void *ctx)
{
    const vg_config *cfg = m->cfg;
    vg_time_us remind = (vg_time_us)llround(m->rules->reminder_h * 3600e6);
    for (size_t pl = 0; pl < cfg->n_platforms; pl++) {
        const vg_platform_cfg *pc = &cfg->platforms[pl];
        for (size_t ri = 0; ri < m->n_rules; ri++) {
            const vg_alert_rule *r = &m->rules->rules[ri];
            if (r->type == VG_ALERT_EVENT || !vg_alert_rule_matches(r, pc))
                continue;
            if (r->type == VG_ALERT_SILENT) {
                mon_silent *si = &m->silent[pl * m->n_rules + ri];
                vg_time_us limit = (vg_time_us)llround(pc->interval_s * r->factor * 1e6);
                if (!si->active && now - si->last_received > limit) {
                    si->active = true;
                    si->since = si->last_time != VG_TIME_NONE ? si->last_time
                                                              : si->last_received;
                    mon__silent_emit(r, pc, si, VG_ALERT_STARTED, now, si->last_time, sink,
                                     ctx);
                } else if (si->active && remind > 0 && now - si->last_mail >= remind) {
                    mon__silent_emit(r, pc, si, VG_ALERT_REMINDER, now, si->last_time, sink,
                                     ctx);
                }
                continue;
            }
            if (remind <= 0)
                continue;
            for (int p = 0; p < VG_P__COUNT; p++) {
                mon_state *st = m->state[mon__index(m, pl, ri, p)];
                if (st && st->active && now - st->last_mail >= remind)
                    mon__emit(m, r, pc, p, st, VG_ALERT_REMINDER, now, sink, ctx);
            }
        }
    }
}

void vg_alert_monitor_adopt(vg_alert_monitor *m, vg_alert_monitor *old)
{
    if (!old)
        return;
    for (size_t pl = 0; pl < m->cfg->n_platforms; pl++) {
        size_t opl = 0;
        while (opl < old->cfg->n_platforms &&
               strcmp(old->cfg->platforms[opl].id, m->cfg->platforms[pl].id) != 0)
            opl++;
        if (opl == old->cfg->n_platforms)
            continue;
        for (size_t ri = 0; ri < m->n_rules; ri++) {
            const vg_alert_rule *r = &m->rules->rules[ri];
            size_t ori = 0;
            while (ori < old->n_rules && strcmp(old->rules->rules[ori].name, r->name) != 0)
                ori++;
            if (ori == old->n_rules)
                continue;
            const vg_alert_rule *o = &old->rules->rules[ori];
            if (o->type != r->type || (r->type == VG_ALERT_FRACTION && o->window != r->window))
                continue;
            m->silent[pl * m->n_rules + ri] = old->silent[opl * old->n_rules + ori];
            for (int p = 0; p < VG_P__COUNT; p++) {
                mon_state **from = &old->state[mon__index(old, opl, ori, p)];
                mon_state **to = &m->state[mon__index(m, pl, ri, p)];
                if (*from && !*to) {
                    *to = *from;
                    *from = NULL;
                }
            }
        }
    }
    vg_alert_monitor_free(old);
}
