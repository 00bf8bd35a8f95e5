/* registry.c: the list of every QC test and lookups by name and id (see test.h). The ids
 * follow the GOSUD real-time test numbers (docs/qc.md); an id is never reused. */
#include <string.h>

#include "qc/test.h"

#include "qc/bathymetry.h"
#include "qc/climatology.h"
#include "qc/tides.h"

/* QARTOD water-level tests with the manual's own semantics (qc/test_wl_*.c). */
extern const vg_qc_test vg_qc_wl_rate_of_change;
/* Tide gauges: flags from the daily sea-level monitor (qc/test_sealevel_watch.c). */
extern const vg_qc_test vg_qc_datum_shift, vg_qc_clock_offset;
/* Tide gauges: QARTOD water-level neighbour test against a second sensor. */
extern const vg_qc_test vg_qc_wl_neighbour;

extern const vg_qc_test vg_qc_impossible_date, vg_qc_impossible_location,
    vg_qc_impossible_speed, vg_qc_global_range, vg_qc_spike, vg_qc_stuck_value,
    vg_qc_gradient;
extern const vg_qc_test vg_qc_regional_range, vg_qc_pump_flow, vg_qc_harbour,
    vg_qc_pump_history, vg_qc_frozen_navigation;
/* QARTOD tests with ioos_qc semantics (qc/qartod_*.c): in no default chain. */
extern const vg_qc_test vg_qc_qartod_gross_range, vg_qc_qartod_spike,
    vg_qc_qartod_rate_of_change, vg_qc_qartod_flat_line, vg_qc_qartod_attenuated_signal,
    vg_qc_qartod_time_gap, vg_qc_qartod_location, vg_qc_qartod_climatology;

const vg_qc_test *const vg_qc_tests[] = {
    &vg_qc_impossible_date,   /* GOSUD 2 */
    &vg_qc_impossible_location, /* GOSUD 3 */
    &vg_qc_position_on_land,  /* GOSUD 4 */
    &vg_qc_impossible_speed,  /* GOSUD 5 */
    &vg_qc_global_range,      /* GOSUD 6 */
    &vg_qc_regional_range,    /* GOSUD 7 */
    &vg_qc_spike,             /* GOSUD 8 */
    &vg_qc_stuck_value,       /* GOSUD 9 */
    &vg_qc_gradient,          /* GOSUD 10 */
    &vg_qc_climatology,       /* GOSUD 11 */
    &vg_qc_pump_flow,         /* 12: underway, pump flow and pressure */
    &vg_qc_harbour,           /* 13: underway, harbour (flag 6) */
    &vg_qc_pump_history,      /* 14: underway, settling after a pump restart */
    &vg_qc_frozen_navigation, /* 15: underway, GPS not updating */
    &vg_qc_qartod_gross_range,       /* 16: QARTOD (ioos_qc), as the ids below */
    &vg_qc_qartod_spike,             /* 17 */
    &vg_qc_qartod_rate_of_change,    /* 18 */
    &vg_qc_qartod_flat_line,         /* 19 */
    &vg_qc_qartod_attenuated_signal, /* 20 */
    &vg_qc_qartod_time_gap,          /* 21 */
    &vg_qc_qartod_location,          /* 22 */
    &vg_qc_qartod_climatology,       /* 23 */
    &vg_qc_tide_residual,            /* 24: tide gauges, on the residual (qc/tides.h) */
    &vg_qc_wl_rate_of_change,        /* 25: tide gauges, QARTOD water-level rate of change */
    &vg_qc_datum_shift,              /* 26: tide gauges, datum shift (sealevel_monitor.h) */
    &vg_qc_clock_offset,             /* 27: tide gauges, clock offset (sealevel_monitor.h) */
    &vg_qc_wl_neighbour,             /* 28: tide gauges, QARTOD neighbour: a second sensor */
    NULL,
};

static const char *names_by_id[VG_QC_MAX_TESTS];
static int names_ready;

static void registry__index(void)
{
    if (names_ready)
        return;
    for (int i = 0; vg_qc_tests[i]; i++)
        names_by_id[vg_qc_tests[i]->id] = vg_qc_tests[i]->name;
    names_ready = 1;
}

const char *const *vg_qc_test_names(void)
{
    registry__index();
    return names_by_id;
}

const vg_qc_test *vg_qc_test_find(const char *name)
{
    for (int i = 0; vg_qc_tests[i]; i++)
        if (strcmp(vg_qc_tests[i]->name, name) == 0)
            return vg_qc_tests[i];
    return NULL;
}

const vg_qc_test *vg_qc_test_by_id(unsigned id)
{
    for (int i = 0; vg_qc_tests[i]; i++)
        if (vg_qc_tests[i]->id == id)
            return vg_qc_tests[i];
    return NULL;
}
