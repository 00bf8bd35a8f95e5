/* test.h: the QC test interface. One method table per test (qc/test_*.c), all listed in
 * one NULL-terminated array (qc/registry.c), like gpsd's drivers. A test judges one
 * variable of one sample (a parameter value, the position or the time stamp) from a window
 * of the stream (previous, current, next sample) and its own per-(stream, variable) state,
 * and returns a GOSUD flag. The engine (qc/stream.c) combines the flags (core/flags.h).
 * docs/qc.md gives each test's exact semantics, defaults and sources. */
#ifndef VIGIE_QC_TEST_H
#define VIGIE_QC_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/flags.h"
#include "core/sample.h"

#define VG_QC_MAX_OPTS 6 /* options per test and variable */

typedef enum vg_qc_target {
    VG_QC_ON_PARAM,    /* judges each configured parameter value: flags qc[p] */
    VG_QC_ON_POSITION, /* judges the position: flags pos_qc */
    VG_QC_ON_TIME,     /* judges the time stamp: flags time_qc */
} vg_qc_target;

typedef struct vg_qc_opt_spec {
    const char *name; /* YAML key, unit in the name: "window_s", "threshold" */
    double min, max;  /* valid range, inclusive */
    const char *doc;  /* one line for docs and error messages */
} vg_qc_opt_spec;

struct vg_bathymetry;
struct vg_climatology;
struct vg_qclim_set;
struct vg_qc_tides;
struct vg_slm_status;
struct vg_platform_cfg;
struct vg_qc_peers;

/* Reference data that some tests read: loaded with the configuration (qc.reference, see
 * plan.h), owned by the plan, never loaded on the per-sample path. NULL members: the tests
 * that need them return 0 (not evaluated). */
typedef struct vg_qc_refs {
    const struct vg_bathymetry *bathymetry;     /* relief grid (position_on_land) */
    const struct vg_climatology *climatology[2]; /* by vg_clim_family: temperature, salinity */
    const struct vg_qclim_set *qclim;            /* window tables (qartod_climatology); never
                                                    NULL in a plan's refs */
    const struct vg_qc_tides *tides;             /* per-station tide (tide_residual), from
                                                    platforms[].constituents */
} vg_qc_refs;

/* What a test sees. prev and next are NULL at the edges of the stream and across a gap
 * longer than qc.max_gap_factor x the platform's interval (then a three-point test returns
 * 0, "not evaluated"). refs is never NULL. All are borrowed for the duration of the call. */
typedef struct vg_qc_window {
    const vg_sample *prev;
    const vg_sample *cur;
    const vg_sample *next;
    const vg_qc_refs *refs;
    /* The last daily analysis of the platform's sea-level monitor (qc/sealevel_monitor.h),
     * NULL when the platform has none (no constituents or no SLEV). */
    const struct vg_slm_status *sealevel;
    /* The platform's configuration (density, gravity of a pressure gauge...); NULL in
     * tests that build a window by hand. */
    const struct vg_platform_cfg *pf;
    /* Parameters of cur the engine computed rather than received (VG_PARAM_BIT: SLEV from
     * BPRS and ATMS, salinity from conductivity). */
    uint32_t derived;
    /* The recent sea level of the other platforms (qc/peers.h), NULL without one (batch
     * runs, tests): wl_neighbour's nearby gauge. */
    const struct vg_qc_peers *peers;
} vg_qc_window;

typedef struct vg_qc_test {
    uint8_t id;             /* 1..VG_QC_MAX_TESTS-1, stable: stored in the database, never reused */
    const char *name;       /* "global_range": the name in the configuration */
    const char *summary;    /* one line: what fails the test */
    const char *source;     /* where the definition comes from */
    vg_qc_target target;
    bool needs_next;        /* true for three-point tests: cur waits for its successor */
    const vg_qc_opt_spec *opts; /* n_opts option specs, in the order of the opts[] array */
    size_t n_opts;
    /* true: option 0 is not a number but a YAML list of climatology windows (qc/qclim.h);
     * the plan reads it into a table it owns and option 0 holds the table's index in
     * vg_qc_refs.qclim (qartod_climatology). */
    bool windows;
    /* Non-NULL: option 0 is not a number but one of these words (NULL-terminated, e.g.
     * {"pressure", NULL}); the plan stores its index (wl_neighbour's reference). */
    const char *const *words;
    /* Default options for parameter p (target VG_QC_ON_PARAM; p = -1 for position/time
     * tests): fills opts[0..n_opts) and returns true, or returns false when the test has no
     * default for p (it then runs on p only where the configuration gives every option). */
    bool (*defaults)(int p, double *opts);
    size_t state_size;      /* bytes of state per (stream, variable), zeroed at start; 0 = none */
    /* Non-NULL for a test whose state grows with its options (a window of samples): the
     * bytes of state for options opts (borrowed) on a platform sampling every interval_s
     * seconds (> 0), which replace state_size; 0 when they need more than the test can
     * hold (why: a NUL-terminated reason, at most why_len bytes, naming the options; the
     * plan makes it a FILE:LINE configuration error). With state non-NULL (that many bytes,
     * zeroed, owned by the engine) it also lays the state out, once, before the first run.
     * Such a test has state_size 0: callers that build states by hand use this. */
    size_t (*sized_state)(const double *opts, double interval_s, void *state, char *why,
                          size_t why_len);
    /* Judge variable p of w->cur (p = -1 for position/time). opts: n_opts values, borrowed.
     * state: state_size (or sized_state) bytes owned by the engine. Called once per sample, in time order.
     * Returns 1..9 (1 = passed, 3/4 = failed, 9 = missing) or 0 = not evaluated. The engine
     * never calls run on a missing (NaN) parameter value: it flags it 9 itself. */
    vg_flag (*run)(const double *opts, void *state, const vg_qc_window *w, int p);
} vg_qc_test;

/* NULL-terminated list of every test, in the order the default chains apply them. */
extern const vg_qc_test *const vg_qc_tests[];

/* The test named `name`, or NULL. */
const vg_qc_test *vg_qc_test_find(const char *name);
/* The test with this id, or NULL. */
const vg_qc_test *vg_qc_test_by_id(unsigned id);
/* Table of VG_QC_MAX_TESTS names indexed by test id (NULL where no test has the id), for
 * JSON output. Static storage; filled on first call (call it once from the main thread
 * before starting other threads). */
const char *const *vg_qc_test_names(void);

#endif
