/* ingest_auth.c: read the CurveZMQ keys of the ingest endpoints and answer "is this client
 * key accepted here?" (ingest_auth.h). Keys are decoded with libzmq (zmq_z85_decode,
 * zmq_curve_public); the files are read by core/curvekey.c. */
#include "daemon/ingest_auth.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "core/log.h"

typedef struct auth_endpoint {
    bool curve;
    char secret[VG_CURVE_KEY_LEN + 1];
    char public_key[VG_CURVE_KEY_LEN + 1];
    unsigned char (*keys)[VG_CURVE_KEY_BYTES]; /* sorted, distinct */
    size_t n_keys, cap_keys;
} auth_endpoint;

struct vg_ingest_auth {
    auth_endpoint *ep; /* one per cfg->ingest entry */
    size_t n;
};

void vg_ingest_auth_free(vg_ingest_auth *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        memset(a->ep[i].secret, 0, sizeof a->ep[i].secret);
        free(a->ep[i].keys);
    }
    free(a->ep);
    free(a);
}

static int auth__cmp(const void *x, const void *y)
{
    return memcmp(x, y, VG_CURVE_KEY_BYTES);
}

/* Read the public key file `path` into ep; err says "CONFIG:LINE: ingest[].clients: ...". */
static vg_err auth__add_file(auth_endpoint *ep, const vg_config *cfg, const vg_ingest_cfg *ic,
                             const char *path, vg_errinfo *err)
{
    char z85[VG_CURVE_KEY_LEN + 1];
    vg_errinfo why;
    if (vg_curve_key_read(path, false, z85, &why) != VG_OK)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest[].clients: %s", cfg->path,
                       ic->clients_line, why.text);
    if (ep->n_keys == ep->cap_keys) {
        size_t nc = ep->cap_keys ? 2 * ep->cap_keys : 16;
        void *nk = realloc(ep->keys, nc * sizeof *ep->keys);
        if (!nk)
            return vg_fail(err, VG_ERR_NOMEM, "out of memory for the client keys");
        ep->keys = nk;
        ep->cap_keys = nc;
    }
    if (!zmq_z85_decode(ep->keys[ep->n_keys], z85))
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest[].clients: %s: not a CurveZMQ key",
                       cfg->path, ic->clients_line, path);
    ep->n_keys++;
    return VG_OK;
}

static int auth__is_pub(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".pub") == 0;
}

/* One ingest[].clients entry: a key file, or a directory of *.pub files (not recursive). */
static vg_err auth__add_path(auth_endpoint *ep, const vg_config *cfg, const vg_ingest_cfg *ic,
                             const char *path, vg_errinfo *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest[].clients: %s: %s", cfg->path,
                       ic->clients_line, path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return auth__add_file(ep, cfg, ic, path, err);
    struct dirent **names = NULL;
    int n = scandir(path, &names, auth__is_pub, alphasort);
    if (n < 0)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest[].clients: %s: %s", cfg->path,
                       ic->clients_line, path, strerror(errno));
    vg_err rc = VG_OK;
    for (int k = 0; k < n; k++) {
        char file[4096];
        if (rc == VG_OK) {
            if (snprintf(file, sizeof file, "%s/%s", path, names[k]->d_name) >= (int)sizeof file)
                rc = vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest[].clients: %s: name too long",
                             cfg->path, ic->clients_line, path);
            else
                rc = auth__add_file(ep, cfg, ic, file, err);
        }
        free(names[k]);
    }
    free(names);
    return rc;
}

static vg_err auth__endpoint(auth_endpoint *ep, const vg_config *cfg, const vg_ingest_cfg *ic,
                             vg_errinfo *err)
{
    vg_errinfo why;
    if (vg_curve_key_read(ic->secret_key, true, ep->secret, &why) != VG_OK)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest[].secret_key: %s", cfg->path,
                       ic->secret_key_line, why.text);
    if (zmq_curve_public(ep->public_key, ep->secret) != 0)
        return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest[].secret_key: %s: not a CurveZMQ "
                       "secret key (%s)", cfg->path, ic->secret_key_line, ic->secret_key,
                       zmq_strerror(zmq_errno()));
    ep->curve = true;
    for (size_t k = 0; k < ic->n_clients; k++) {
        vg_err rc = auth__add_path(ep, cfg, ic, ic->clients[k], err);
        if (rc != VG_OK)
            return rc;
    }
    if (ep->n_keys)
        qsort(ep->keys, ep->n_keys, sizeof *ep->keys, auth__cmp);
    size_t u = 0;
    for (size_t k = 0; k < ep->n_keys; k++)
        if (!u || memcmp(ep->keys[k], ep->keys[u - 1], VG_CURVE_KEY_BYTES) != 0)
            memmove(ep->keys[u++], ep->keys[k], VG_CURVE_KEY_BYTES);
    ep->n_keys = u;
    if (!u)
        vg_warn("%s:%d: ingest '%s': no client public key found in ingest[].clients: the "
                "endpoint accepts nobody (add KEY.pub files and reload)", cfg->path,
                ic->clients_line, ic->endpoint);
    return VG_OK;
}

vg_err vg_ingest_auth_load(const vg_config *cfg, vg_ingest_auth **out, vg_errinfo *err)
{
    vg_ingest_auth *a = calloc(1, sizeof *a);
    if (!a || !(a->ep = calloc(cfg->n_ingest ? cfg->n_ingest : 1, sizeof *a->ep))) {
        free(a);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory for the ingest keys");
    }
    a->n = cfg->n_ingest;
    if (cfg->n_ingest && !zmq_has("curve")) {
        for (size_t i = 0; i < cfg->n_ingest; i++)
            if (cfg->ingest[i].security == VG_SECURITY_CURVE) {
                vg_ingest_auth_free(a);
                return vg_fail(err, VG_ERR_CONFIG, "%s:%d: ingest '%s': this libzmq has no "
                               "CURVE security (built without libsodium)", cfg->path,
                               cfg->ingest[i].line, cfg->ingest[i].endpoint);
            }
    }
    for (size_t i = 0; i < cfg->n_ingest; i++) {
        if (cfg->ingest[i].security != VG_SECURITY_CURVE)
            continue;
        vg_err rc = auth__endpoint(&a->ep[i], cfg, &cfg->ingest[i], err);
        if (rc != VG_OK) {
            vg_ingest_auth_free(a);
            return rc;
        }
    }
    *out = a;
    return VG_OK;
}

const char *vg_ingest_auth_secret(const vg_ingest_auth *a, size_t i)
{
    return a && i < a->n && a->ep[i].curve ? a->ep[i].secret : NULL;
}

const char *vg_ingest_auth_public(const vg_ingest_auth *a, size_t i)
{
    return a && i < a->n && a->ep[i].curve ? a->ep[i].public_key : NULL;
}

size_t vg_ingest_auth_clients(const vg_ingest_auth *a, size_t i)
{
    return a && i < a->n ? a->ep[i].n_keys : 0;
}

bool vg_ingest_auth_allows(const vg_ingest_auth *a, size_t i,
                           const unsigned char key[VG_CURVE_KEY_BYTES])
{
    if (!a || i >= a->n || !a->ep[i].curve || !a->ep[i].n_keys)
        return false;
    return bsearch(key, a->ep[i].keys, a->ep[i].n_keys, sizeof *a->ep[i].keys, auth__cmp) != NULL;
}
