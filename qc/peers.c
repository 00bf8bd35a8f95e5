/* peers.c: the recent sea level of every platform (peers.h): one small ring each. */
#include "qc/peers.h"

#include <stdlib.h>

typedef struct peers_ring {
    unsigned head, count;
    vg_time_us t[VG_QC_PEERS_RING];
    double v[VG_QC_PEERS_RING];
} peers_ring;

struct vg_qc_peers {
    size_t n;
    peers_ring ring[];
};

vg_err vg_qc_peers_new(size_t n_platforms, vg_qc_peers **out, vg_errinfo *err)
{
    vg_qc_peers *p = calloc(1, sizeof *p + n_platforms * sizeof p->ring[0]);
    if (!p)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the neighbours' sea level");
    p->n = n_platforms;
    *out = p;
    return VG_OK;
}

void vg_qc_peers_free(vg_qc_peers *p) { free(p); }

void vg_qc_peers_put(vg_qc_peers *p, size_t platform, vg_time_us t, double slev_m)
{
    if (!p || platform >= p->n)
        return;
    peers_ring *r = &p->ring[platform];
    r->t[r->head] = t;
    r->v[r->head] = slev_m;
    r->head = (r->head + 1) % VG_QC_PEERS_RING;
    if (r->count < VG_QC_PEERS_RING)
        r->count++;
}

bool vg_qc_peers_near(const vg_qc_peers *p, size_t platform, vg_time_us t, vg_time_us tol_us,
                      double *slev_m, vg_time_us *at)
{
    if (!p || platform >= p->n)
        return false;
    const peers_ring *r = &p->ring[platform];
    vg_time_us best = -1;
    bool found = false;
    /* newest first: times decrease, so stop once below t - tol */
    for (unsigned k = 0; k < r->count; k++) {
        unsigned i = (r->head + VG_QC_PEERS_RING - 1 - k) % VG_QC_PEERS_RING;
        vg_time_us d = r->t[i] > t ? r->t[i] - t : t - r->t[i];
        if (d <= tol_us && (!found || d < best)) {
            found = true;
            best = d;
            *slev_m = r->v[i];
            *at = r->t[i];
        }
        if (r->t[i] < t - tol_us)
            break;
    }
    return found;
}
