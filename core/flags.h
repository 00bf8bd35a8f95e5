/* flags.h: quality flag scales and their combination.
 * Internal scale: GOSUD/Argo 0-9 (0 no QC, 1 good, 2 probably good, 3 probably bad,
 * 4 bad, 5 changed, 6 harbour (GOSUD), 7 unused, 8 interpolated, 9 missing).
 * Export scale: QARTOD/IODE 1 pass, 2 not evaluated, 3 suspect, 4 fail, 9 missing.
 * Sources and the decisions taken where they are silent: docs/qc.md, section "Flags". */
#ifndef VIGIE_CORE_FLAGS_H
#define VIGIE_CORE_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

typedef uint8_t vg_flag; /* a GOSUD/Argo flag, 0-9 */

enum {
    VG_FLAG_NO_QC = 0,
    VG_FLAG_GOOD = 1,
    VG_FLAG_PROBABLY_GOOD = 2,
    VG_FLAG_PROBABLY_BAD = 3,
    VG_FLAG_BAD = 4,
    VG_FLAG_CHANGED = 5,
    VG_FLAG_HARBOUR = 6,
    VG_FLAG_UNUSED = 7,
    VG_FLAG_INTERPOLATED = 8,
    VG_FLAG_MISSING = 9,
};

enum {
    VG_QARTOD_PASS = 1,
    VG_QARTOD_NOT_EVALUATED = 2,
    VG_QARTOD_SUSPECT = 3,
    VG_QARTOD_FAIL = 4,
    VG_QARTOD_MISSING = 9,
};

/* True if f is 0-9. */
bool vg_flag_valid(int f);

/* Argo overwrite precedence (argortqcpy FLAG_PRECEDENCE), extended for 6 (harbour):
 * returns the flag that results when a test sets `incoming` on a value whose flag is
 * `current`. A test never lowers a flag set by an earlier one (EuroGOOS RTQC).
 * Inline: the QC engine folds every test flag of every value through it.
 * The table: bit c of overwrites[n] is set when n replaces a current flag c.
 * Argo: 1 over {0}; 2 over {0,1,5}; 3 over {0,1,2,5}; 4 over {0,1,2,3,5}; 5 over {0};
 * 8 over {0,1,2}; 9 over {0}. vigie adds: 6 (harbour) over {0,1,2,5}; 3 and 4 also over 6
 * (a bad value in harbour is bad); 7 over {0}. */
static inline vg_flag vg_flag_combine(vg_flag current, vg_flag incoming)
{
#define VG_FLAG_B_(x) (1u << (x))
    static const uint16_t overwrites[10] = {
        [0] = 0,
        [1] = VG_FLAG_B_(0),
        [2] = VG_FLAG_B_(0) | VG_FLAG_B_(1) | VG_FLAG_B_(5),
        [3] = VG_FLAG_B_(0) | VG_FLAG_B_(1) | VG_FLAG_B_(2) | VG_FLAG_B_(5) | VG_FLAG_B_(6),
        [4] = VG_FLAG_B_(0) | VG_FLAG_B_(1) | VG_FLAG_B_(2) | VG_FLAG_B_(3) | VG_FLAG_B_(5) |
              VG_FLAG_B_(6),
        [5] = VG_FLAG_B_(0),
        [6] = VG_FLAG_B_(0) | VG_FLAG_B_(1) | VG_FLAG_B_(2) | VG_FLAG_B_(5),
        [7] = VG_FLAG_B_(0),
        [8] = VG_FLAG_B_(0) | VG_FLAG_B_(1) | VG_FLAG_B_(2),
        [9] = VG_FLAG_B_(0),
    };
#undef VG_FLAG_B_
    if (incoming > 9 || current > 9)
        return current > 9 ? incoming : current;
    return (overwrites[incoming] >> current) & 1u ? incoming : current;
}

/* GOSUD -> QARTOD: 0 -> 2, 1 -> 1, 2 -> 1... see docs/qc.md; 6 maps to `harbour_as`
 * (3 or 4, configurable on export; pass 0 to use 3). */
uint8_t vg_flag_to_qartod(vg_flag f, uint8_t harbour_as);

/* QARTOD -> GOSUD: 1 -> 1, 2 -> 0, 3 -> 3, 4 -> 4, 9 -> 9; other codes -> 0. */
static inline vg_flag vg_flag_from_qartod(uint8_t q)
{
    /* inline: every QARTOD test calls it on every sample */
    switch (q) {
    case VG_QARTOD_PASS: return VG_FLAG_GOOD;
    case VG_QARTOD_SUSPECT: return VG_FLAG_PROBABLY_BAD;
    case VG_QARTOD_FAIL: return VG_FLAG_BAD;
    case VG_QARTOD_MISSING: return VG_FLAG_MISSING;
    default: return VG_FLAG_NO_QC;
    }
}

/* Aggregate of several QARTOD flags with ioos_qc's precedence 4 > 3 > 1 > 2 > 9. */
uint8_t vg_qartod_aggregate(const uint8_t *flags, int n);

/* Short English meaning of a GOSUD flag ("good", "harbour", ...). */
const char *vg_flag_meaning(vg_flag f);

#endif
