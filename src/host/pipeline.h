/* pipeline.h: stages bound to plugins, input/output tables bound to producers, and the
 * order they run in. */
#ifndef SCO_HOST_PIPELINE_H
#define SCO_HOST_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "loader.h"

struct sco__binding {
    char *table; /* the table this input port reads */
    int source;  /* index in cfg->sources, or -1 */
    int stage;   /* index of the producing stage, or -1 */
    int port;    /* output port index of the producing stage */
};

struct sco__stage {
    struct sco__stage_cfg *cfg;
    struct sco__plugin *plugin; /* borrowed from the pipeline's plugin list */
    struct sco__binding *in;    /* plugin->desc->n_inputs */
    char **out;                 /* plugin->desc->n_outputs table names */
    size_t *deps;               /* producing stages, no duplicates */
    size_t n_deps;
    bool selected; /* runs in this run (--only / --skip) */
};

struct sco__pipeline {
    struct sco__config *cfg; /* borrowed */
    struct sco__plugin **plugins;
    size_t n_plugins;
    struct sco__stage *stages; /* in config order */
    size_t n;
    size_t *order; /* stage indices in dependency order (complete only without errors) */
};

/* Loads every stage's plugin, checks stage config against declared keys, binds ports to
 * tables and producers, and orders the stages. Every problem goes to d (with its YAML
 * position); returns 0 or the first problem's code (err holds its message). *out is set
 * even on error when plugins were loaded, for listings; free it. */
int sco__pipeline_build(struct sco__config *cfg, const struct sco__search *search,
                        struct sco__pipeline **out, struct sco__diags *d, struct sco_err *err);
void sco__pipeline_free(struct sco__pipeline *p);

/* Marks the stages that run: `only` (NULL: all) minus `skip`; both comma-separated lists
 * of stage names. Unknown names: SCO_ERR_INVALID (a usage error) with a suggestion. */
int sco__pipeline_select(struct sco__pipeline *p, const char *only, const char *skip,
                         struct sco_err *err);

/* True when stage a needs (directly or through other stages) an output of stage b. */
bool sco__pipeline_depends(const struct sco__pipeline *p, size_t a, size_t b);
/* Index of a stage by name, or -1. */
int sco__pipeline_stage(const struct sco__pipeline *p, const char *name);

#endif
