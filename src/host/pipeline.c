/* pipeline.c: plugin binding, port -> table -> producer binding, topological order. */
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "stagecfg.h"
#include "util.h"

static const char *port_table(const struct sco__port_map *maps, size_t n, const char *port)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(maps[i].port, port) == 0)
            return maps[i].table;
    return port;
}

/* renames must name declared ports */
static void check_renames(struct sco__config *cfg, const struct sco__stage_cfg *s,
                          const struct sco_plugin_desc *desc, bool inputs, struct sco__diags *d)
{
    const struct sco__port_map *maps = inputs ? s->inputs : s->outputs;
    size_t n = inputs ? s->n_inputs : s->n_outputs;
    const struct sco_port *ports = inputs ? desc->inputs : desc->outputs;
    size_t np = inputs ? desc->n_inputs : desc->n_outputs;
    const char **names = sco__xcalloc(np + 1, sizeof *names);
    for (size_t i = 0; i < np; i++)
        names[i] = ports[i].name;
    for (size_t i = 0; i < n; i++) {
        bool ok = false;
        for (size_t j = 0; j < np && !ok; j++)
            ok = strcmp(maps[i].port, names[j]) == 0;
        if (ok)
            continue;
        struct sco__buf b = { 0 };
        sco__buf_printf(&b, "plugin '%s' has no %s port '%s'", desc->name,
                        inputs ? "input" : "output", maps[i].port);
        sco__buf_suggest(&b, maps[i].port, names, np);
        sco__buf_printf(&b, "; its %s ports are", inputs ? "input" : "output");
        for (size_t j = 0; j < np; j++)
            sco__buf_printf(&b, "%s %s", j ? "," : "", names[j]);
        if (!np)
            sco__buf_puts(&b, " none");
        /* the key of the mapping entry: its value node sits on the same line */
        sco__diag(d, SCO_ERR_CONFIG, cfg->path, maps[i].node, "%s", b.s);
        sco__buf_fini(&b);
    }
    free(names);
}

static void add_dep(struct sco__stage *st, size_t dep)
{
    for (size_t i = 0; i < st->n_deps; i++)
        if (st->deps[i] == dep)
            return;
    st->deps = sco__xrealloc(st->deps, (st->n_deps + 1) * sizeof *st->deps);
    st->deps[st->n_deps++] = dep;
}

static void order_stages(struct sco__pipeline *p, struct sco__diags *d)
{
    bool *placed = sco__xcalloc(p->n, sizeof *placed);
    size_t n_placed = 0;
    p->order = sco__xcalloc(p->n ? p->n : 1, sizeof *p->order);
    bool progress = true;
    while (n_placed < p->n && progress) {
        progress = false;
        for (size_t i = 0; i < p->n; i++) {
            if (placed[i])
                continue;
            bool ready = true;
            for (size_t k = 0; k < p->stages[i].n_deps && ready; k++)
                ready = placed[p->stages[i].deps[k]];
            if (ready) {
                placed[i] = true;
                p->order[n_placed++] = i;
                progress = true;
                break; /* restart: config order breaks ties */
            }
        }
    }
    if (n_placed < p->n) {
        /* walk "needs" edges among the unplaced stages until one repeats: that is a cycle */
        size_t *path = sco__xcalloc(p->n + 1, sizeof *path);
        size_t len = 0, cur = 0;
        while (placed[cur])
            cur++;
        for (;;) {
            size_t seen = len;
            for (size_t k = 0; k < len; k++)
                if (path[k] == cur)
                    seen = k;
            if (seen < len) {
                struct sco__buf b = { 0 };
                sco__buf_puts(&b, "stages form a cycle: ");
                for (size_t k = seen; k < len; k++)
                    sco__buf_printf(&b, "'%s' needs ", p->stages[path[k]].cfg->name);
                sco__buf_printf(&b, "'%s'; break it by renaming a table with inputs: or outputs:",
                                p->stages[cur].cfg->name);
                sco__diag(d, SCO_ERR_CONFIG, p->cfg->path, p->stages[path[seen]].cfg->node, "%s",
                          b.s);
                sco__buf_fini(&b);
                break;
            }
            path[len++] = cur;
            const struct sco__stage *st = &p->stages[cur];
            size_t next = cur;
            for (size_t k = 0; k < st->n_deps; k++)
                if (!placed[st->deps[k]]) {
                    next = st->deps[k];
                    break;
                }
            cur = next;
        }
        free(path);
    }
    free(placed);
}

int sco__pipeline_build(struct sco__config *cfg, const struct sco__search *search,
                        struct sco__pipeline **out, struct sco__diags *d, struct sco_err *err)
{
    struct sco__pipeline *p = sco__xcalloc(1, sizeof *p);
    size_t first = d->n;
    *out = p;
    p->cfg = cfg;
    p->stages = sco__xcalloc(cfg->n_stages ? cfg->n_stages : 1, sizeof *p->stages);

    /* 1. plugins, each loaded once */
    for (size_t i = 0; i < cfg->n_stages; i++) {
        struct sco__stage_cfg *sc = &cfg->stages[i];
        struct sco__plugin *pl = NULL;
        for (size_t k = 0; k < p->n_plugins && !pl; k++)
            if (strcmp(p->plugins[k]->stem, sc->plugin) == 0)
                pl = p->plugins[k];
        if (!pl) {
            struct sco_err e = { 0 };
            char *path = sco__plugin_find(search, sc->plugin, &e);
            int rc = path ? sco__plugin_load(path, &pl, &e) : e.code;
            free(path);
            if (rc) {
                sco__diag(d, rc, cfg->path, sc->plugin_node ? sc->plugin_node : sc->node,
                          "stage '%s': %s", sc->name, e.msg);
                continue;
            }
            p->plugins = sco__xrealloc(p->plugins, (p->n_plugins + 1) * sizeof *p->plugins);
            p->plugins[p->n_plugins++] = pl;
        }
        struct sco__stage *st = &p->stages[p->n++];
        st->cfg = sc;
        st->plugin = pl;
        st->selected = true;
    }
    if (p->n != cfg->n_stages)
        goto done; /* cannot bind ports of stages without a plugin */

    /* 2. config keys and port renames */
    for (size_t i = 0; i < p->n; i++) {
        struct sco__stage *st = &p->stages[i];
        sco__stage_validate(cfg, st->cfg, st->plugin, d);
        check_renames(cfg, st->cfg, st->plugin->desc, true, d);
        check_renames(cfg, st->cfg, st->plugin->desc, false, d);
    }

    /* 3. outputs: every table has one producer */
    for (size_t i = 0; i < p->n; i++) {
        struct sco__stage *st = &p->stages[i];
        const struct sco_plugin_desc *desc = st->plugin->desc;
        st->out = sco__xcalloc(desc->n_outputs + 1, sizeof *st->out);
        for (size_t k = 0; k < desc->n_outputs; k++) {
            const char *t = port_table(st->cfg->outputs, st->cfg->n_outputs,
                                       desc->outputs[k].name);
            st->out[k] = sco__xstrdup(t);
            const struct sco__source *src = sco__config_source(cfg, t);
            if (src)
                sco__diag(d, SCO_ERR_CONFIG, cfg->path, st->cfg->node,
                          "stage '%s' outputs table '%s', which is also a source (line %d); "
                          "rename one with outputs: { %s: NEW_NAME }",
                          st->cfg->name, t, src->node->line, desc->outputs[k].name);
            for (size_t j = 0; j < i; j++)
                for (size_t m = 0; m < p->stages[j].plugin->desc->n_outputs; m++)
                    if (strcmp(p->stages[j].out[m], t) == 0)
                        sco__diag(d, SCO_ERR_CONFIG, cfg->path, st->cfg->node,
                                  "stages '%s' and '%s' both output table '%s'; rename one "
                                  "with outputs: { %s: NEW_NAME }",
                                  p->stages[j].cfg->name, st->cfg->name, t,
                                  desc->outputs[k].name);
        }
        /* write: [tables] must name this stage's outputs */
        for (size_t w = 0; w < st->cfg->n_write; w++) {
            bool ok = false;
            for (size_t k = 0; k < desc->n_outputs && !ok; k++)
                ok = strcmp(st->out[k], st->cfg->write[w]) == 0;
            if (!ok) {
                struct sco__buf b = { 0 };
                sco__buf_printf(&b, "stage '%s' has no output table '%s' to write",
                                st->cfg->name, st->cfg->write[w]);
                sco__buf_suggest(&b, st->cfg->write[w], (const char *const *)st->out,
                                 desc->n_outputs);
                sco__diag(d, SCO_ERR_CONFIG, cfg->path, st->cfg->write_node->kind == SCO__N_SEQ
                                                           ? st->cfg->write_node->vals[w]
                                                           : st->cfg->write_node,
                          "%s", b.s);
                sco__buf_fini(&b);
            }
        }
    }

    /* 4. inputs: bound to a source or a stage output */
    size_t n_names = cfg->n_sources;
    for (size_t i = 0; i < p->n; i++)
        n_names += p->stages[i].plugin->desc->n_outputs;
    const char **names = sco__xcalloc(n_names + 1, sizeof *names);
    n_names = 0;
    for (size_t i = 0; i < cfg->n_sources; i++)
        names[n_names++] = cfg->sources[i].name;
    for (size_t i = 0; i < p->n; i++)
        for (size_t k = 0; k < p->stages[i].plugin->desc->n_outputs; k++)
            names[n_names++] = p->stages[i].out[k];
    for (size_t i = 0; i < p->n; i++) {
        struct sco__stage *st = &p->stages[i];
        const struct sco_plugin_desc *desc = st->plugin->desc;
        st->in = sco__xcalloc(desc->n_inputs + 1, sizeof *st->in);
        for (size_t k = 0; k < desc->n_inputs; k++) {
            struct sco__binding *b = &st->in[k];
            b->source = b->stage = -1;
            b->table = sco__xstrdup(
                port_table(st->cfg->inputs, st->cfg->n_inputs, desc->inputs[k].name));
            for (size_t s = 0; s < cfg->n_sources; s++)
                if (strcmp(cfg->sources[s].name, b->table) == 0)
                    b->source = (int)s;
            for (size_t j = 0; j < p->n && b->source < 0 && b->stage < 0; j++)
                for (size_t m = 0; m < p->stages[j].plugin->desc->n_outputs; m++)
                    if (strcmp(p->stages[j].out[m], b->table) == 0) {
                        b->stage = (int)j;
                        b->port = (int)m;
                        break;
                    }
            if (b->stage == (int)i) {
                sco__diag(d, SCO_ERR_CONFIG, cfg->path, st->cfg->node,
                          "stage '%s' reads its own output table '%s'; rename the input or "
                          "the output",
                          st->cfg->name, b->table);
                b->stage = -1;
                continue;
            }
            if (b->stage >= 0)
                add_dep(st, (size_t)b->stage);
            if (b->source < 0 && b->stage < 0 && !desc->inputs[k].optional) {
                const struct sco__node *at = st->cfg->node;
                for (size_t r = 0; r < st->cfg->n_inputs; r++)
                    if (strcmp(st->cfg->inputs[r].port, desc->inputs[k].name) == 0)
                        at = st->cfg->inputs[r].node;
                struct sco__buf m = { 0 };
                sco__buf_printf(&m, "stage '%s' input '%s' needs table '%s', which no source "
                                    "or stage produces",
                                st->cfg->name, desc->inputs[k].name, b->table);
                sco__buf_suggest(&m, b->table, names, n_names);
                sco__buf_printf(&m, "; add a source named '%s' or a stage that outputs it",
                                b->table);
                sco__diag(d, SCO_ERR_CONFIG, cfg->path, at, "%s", m.s);
                sco__buf_fini(&m);
            }
        }
    }
    free(names);

    /* 5. order */
    order_stages(p, d);
done:
    sco__diags_sort(d, first);
    if (d->n > first) {
        err->code = d->code[first];
        snprintf(err->msg, sizeof err->msg, "%s", d->msg[first]);
        return err->code;
    }
    return 0;
}

void sco__pipeline_free(struct sco__pipeline *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        struct sco__stage *st = &p->stages[i];
        for (size_t k = 0; st->in && k < st->plugin->desc->n_inputs; k++)
            free(st->in[k].table);
        for (size_t k = 0; st->out && k < st->plugin->desc->n_outputs; k++)
            free(st->out[k]);
        free(st->in);
        free(st->out);
        free(st->deps);
    }
    for (size_t i = 0; i < p->n_plugins; i++)
        sco__plugin_free(p->plugins[i]);
    free(p->plugins);
    free(p->stages);
    free(p->order);
    free(p);
}

int sco__pipeline_stage(const struct sco__pipeline *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->stages[i].cfg->name, name) == 0)
            return (int)i;
    return -1;
}

static int mark(struct sco__pipeline *p, const char *list, bool value, const char *opt,
                struct sco_err *err)
{
    const char **names = sco__xcalloc(p->n + 1, sizeof *names);
    for (size_t i = 0; i < p->n; i++)
        names[i] = p->stages[i].cfg->name;
    char *copy = sco__xstrdup(list), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        int idx = sco__pipeline_stage(p, tok);
        if (idx < 0) {
            struct sco__buf b = { 0 };
            sco__buf_printf(&b, "%s: no stage named '%s'", opt, tok);
            sco__buf_suggest(&b, tok, names, p->n);
            sco__buf_puts(&b, "; stages are");
            for (size_t i = 0; i < p->n; i++)
                sco__buf_printf(&b, "%s %s", i ? "," : "", names[i]);
            rc = sco_err_set(err, SCO_ERR_INVALID, "%s", b.s);
            sco__buf_fini(&b);
            break;
        }
        p->stages[idx].selected = value;
    }
    free(copy);
    free(names);
    return rc;
}

int sco__pipeline_select(struct sco__pipeline *p, const char *only, const char *skip,
                         struct sco_err *err)
{
    int rc;
    for (size_t i = 0; i < p->n; i++)
        p->stages[i].selected = only == NULL;
    if (only && (rc = mark(p, only, true, "--only", err)))
        return rc;
    if (skip && (rc = mark(p, skip, false, "--skip", err)))
        return rc;
    return 0;
}

static bool depends(const struct sco__pipeline *p, size_t a, size_t b, size_t depth)
{
    if (depth > p->n)
        return false; /* a cycle: reported elsewhere */
    const struct sco__stage *st = &p->stages[a];
    for (size_t k = 0; k < st->n_deps; k++)
        if (st->deps[k] == b || depends(p, st->deps[k], b, depth + 1))
            return true;
    return false;
}

bool sco__pipeline_depends(const struct sco__pipeline *p, size_t a, size_t b)
{
    return depends(p, a, b, 0);
}
