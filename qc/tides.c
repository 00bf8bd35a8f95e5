/* tides.c: the per-station tide models of the residual tests (qc/tides.h). */
#include <stdlib.h>
#include <string.h>

#include "qc/tides.h"
#include "tide/constfile.h"

vg_err vg_qc_tides_load(const vg_config *cfg, vg_qc_tides **out, vg_errinfo *err)
{
    vg_qc_tides *t = calloc(1, sizeof *t);
    if (!t || !(t->st = calloc(cfg->n_platforms ? cfg->n_platforms : 1, sizeof *t->st))) {
        free(t);
        return vg_fail(err, VG_ERR_NOMEM, "no memory for the tide models");
    }
    for (size_t i = 0; i < cfg->n_platforms; i++) {
        const vg_platform_cfg *pl = &cfg->platforms[i];
        if (!pl->constituents)
            continue;
        vg_qc_tide_station *s = &t->st[t->n];
        vg_errinfo why;
        if (vg_tide_model_read(pl->constituents, &s->model, &why) != VG_OK) {
            vg_qc_tides_free(t);
            return vg_fail(err, VG_ERR_CONFIG, "%s:%d: platforms[].constituents of '%s': %s",
                           cfg->path, pl->constituents_line, pl->id, why.text);
        }
        t->n++;
        if (s->model.units[0] && strcmp(s->model.units, "m") != 0) {
            vg_fail(err, VG_ERR_CONFIG, "%s:%d: platforms[].constituents of '%s': %s is in "
                    "'%s': sea level (SLEV) is in metres, give 'units: m'", cfg->path,
                    pl->constituents_line, pl->id, pl->constituents, s->model.units);
            vg_qc_tides_free(t);
            return VG_ERR_CONFIG;
        }
        memcpy(s->id, pl->id, sizeof s->id);
    }
    *out = t;
    return VG_OK;
}

void vg_qc_tides_free(vg_qc_tides *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        vg_tide_model_free(&t->st[i].model);
    free(t->st);
    free(t);
}

const vg_tide_model *vg_qc_tides_find(const vg_qc_tides *t, const char *id)
{
    for (size_t i = 0; t && i < t->n; i++)
        if (strcmp(t->st[i].id, id) == 0)
            return &t->st[i].model;
    return NULL;
}
