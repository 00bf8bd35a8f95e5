/* flags.c: flag scale conversions (see flags.h, docs/qc.md); the overwrite precedence
 * (vg_flag_combine) is inline in flags.h. */
#include "core/flags.h"

bool vg_flag_valid(int f) { return f >= 0 && f <= 9; }

/* vg_flag_combine: inline in flags.h. */

uint8_t vg_flag_to_qartod(vg_flag f, uint8_t harbour_as)
{
    switch (f) {
    case 1: return VG_QARTOD_PASS;
    case 2: return VG_QARTOD_PASS;  /* probably good: not suspect in QARTOD terms */
    case 3: return VG_QARTOD_SUSPECT;
    case 4: return VG_QARTOD_FAIL;
    case 5: return VG_QARTOD_PASS;  /* value changed (corrected) */
    case 6: return harbour_as ? harbour_as : VG_QARTOD_SUSPECT;
    case 8: return VG_QARTOD_SUSPECT; /* interpolated */
    case 9: return VG_QARTOD_MISSING;
    default: return VG_QARTOD_NOT_EVALUATED; /* 0, 7 */
    }
}

uint8_t vg_qartod_aggregate(const uint8_t *flags, int n)
{
    static const int rank[10] = {[4] = 5, [3] = 4, [1] = 3, [2] = 2, [9] = 1};
    uint8_t best = VG_QARTOD_NOT_EVALUATED;
    int best_rank = 0;
    for (int i = 0; i < n; i++) {
        uint8_t f = flags[i];
        int r = f <= 9 ? rank[f] : 0;
        if (r > best_rank) {
            best_rank = r;
            best = f;
        }
    }
    return best;
}

const char *vg_flag_meaning(vg_flag f)
{
    static const char *const m[10] = {"no_qc",   "good",    "probably_good", "probably_bad",
                                      "bad",     "changed", "harbour",       "not_used",
                                      "interpolated", "missing"};
    return f <= 9 ? m[f] : "invalid";
}
