/* peers.h: the recent sea level of every platform of a configuration, for the tests that
 * compare a gauge with a nearby one (wl_neighbour with `reference: neighbour`): each stream
 * puts its platform's SLEV in when a sample arrives (before it is judged: a gauge's sample
 * waits for its successor, so its neighbour's samples of the same time are normally there
 * by then; not when the neighbour's data arrive later or in bursts longer than the ring:
 * the test then finds none and gives 0, docs/qc.md), and a test finds the neighbour's
 * value nearest in time. Owned by the engine (one per
 * configuration, shared by its streams, single-threaded); batch runs have none. */
#ifndef VIGIE_QC_PEERS_H
#define VIGIE_QC_PEERS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/time.h"

#define VG_QC_PEERS_RING 64 /* values kept per platform: pairing needs the last few */

typedef struct vg_qc_peers vg_qc_peers;

/* Rings for n_platforms platforms (indices into the configuration's platforms[]).
 * VG_ERR_NOMEM. Free with vg_qc_peers_free (NULL allowed). */
vg_err vg_qc_peers_new(size_t n_platforms, vg_qc_peers **out, vg_errinfo *err);
void vg_qc_peers_free(vg_qc_peers *p);

/* Platform `platform` reported SLEV slev_m (metres, finite) at t (UTC us, after its
 * previous one). Out-of-range platforms are ignored. */
void vg_qc_peers_put(vg_qc_peers *p, size_t platform, vg_time_us t, double slev_m);

/* The value of platform `platform` nearest in time to t, if one is within tol_us: true,
 * *slev_m and *at set; false otherwise (none yet, none close enough, p NULL). */
bool vg_qc_peers_near(const vg_qc_peers *p, size_t platform, vg_time_us t, vg_time_us tol_us,
                      double *slev_m, vg_time_us *at);

#endif
