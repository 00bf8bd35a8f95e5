/* nc_same.h: do two NetCDF files hold the same content? Every variable (name, type,
 * values byte for byte) and every attribute (global and per variable) of a is in b with
 * the same value, and both have as many; the storage (HDF5 layout, compressed bytes) may
 * differ. Failures are CHECKs naming the variable or attribute. Include after check.h;
 * tests only. */
#ifndef VIGIE_TESTS_NC_SAME_H
#define VIGIE_TESTS_NC_SAME_H

#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every variable's values and every attribute of a and b are the same. */
static inline void nc_same_files(const char *pa, const char *pb)
{
    int a, b, nva, nvb, nga, ngb;
    if (nc_open(pa, NC_NOWRITE, &a) != NC_NOERR || nc_open(pb, NC_NOWRITE, &b) != NC_NOERR) {
        CHECK(!"opening the two files");
        return;
    }
    CHECK(nc_inq(a, NULL, &nva, &nga, NULL) == NC_NOERR && nc_inq(b, NULL, &nvb, &ngb, NULL) == NC_NOERR);
    CHECK_MSG(nva == nvb && nga == ngb, "%d/%d variables, %d/%d attributes", nva, nvb, nga, ngb);
    int bad = 0;
    for (int v = -1; v < nva && nva == nvb; v++) { /* -1: NC_GLOBAL */
        char name[NC_MAX_NAME + 1];
        int vb = NC_GLOBAL, natts = nga;
        if (v >= 0) {
            nc_type ta, tb;
            int nd, dims[NC_MAX_VAR_DIMS];
            nc_inq_var(a, v, name, &ta, &nd, dims, &natts);
            if (nc_inq_varid(b, name, &vb) != NC_NOERR || nc_inq_vartype(b, vb, &tb) != NC_NOERR || ta != tb) {
                bad++;
                continue;
            }
            size_t len = 1, sz;
            for (int d = 0; d < nd; d++) {
                size_t l;
                nc_inq_dimlen(a, dims[d], &l);
                len *= l;
            }
            nc_inq_type(a, ta, NULL, &sz);
            char *xa = malloc(len * sz + 1), *xb = malloc(len * sz + 1);
            if (!xa || !xb || nc_get_var(a, v, xa) != NC_NOERR || nc_get_var(b, vb, xb) != NC_NOERR ||
                memcmp(xa, xb, len * sz)) {
                fprintf(stderr, "variable %s differs\n", name);
                bad++;
            }
            free(xa), free(xb);
        }
        for (int k = 0; k < natts; k++) {
            char an[NC_MAX_NAME + 1], va[4096] = "", vbuf[4096] = "";
            size_t la, lb;
            nc_inq_attname(a, v, k, an);
            if (nc_inq_attlen(a, v, an, &la) != NC_NOERR || nc_inq_attlen(b, vb, an, &lb) != NC_NOERR ||
                la != lb || la > 512 || nc_get_att(a, v, an, va) != NC_NOERR ||
                nc_get_att(b, vb, an, vbuf) != NC_NOERR || memcmp(va, vbuf, sizeof va)) {
                fprintf(stderr, "attribute %s of variable %d differs\n", an, v);
                bad++;
            }
        }
    }
    CHECK_MSG(bad == 0, "%d differences", bad);
    nc_close(a);
    nc_close(b);
}

#endif
