/* stagecfg.c: validation of stage config against the plugin's declared keys. */
#include <stdlib.h>
#include <string.h>

#include "stagecfg.h"
#include "util.h"

static bool scalar_ok(const struct sco__node *n, enum sco_cfg_type t)
{
    int64_t i;
    double f;
    bool b;
    if (!n || n->kind != SCO__N_SCALAR)
        return false;
    switch (t) {
    case SCO_CFG_STR: return true;
    case SCO_CFG_PATH: return n->str[0] != '\0';
    case SCO_CFG_INT: return sco__node_i64(n, &i);
    case SCO_CFG_F64: return sco__node_f64(n, &f);
    case SCO_CFG_BOOL: return sco__node_bool(n, &b);
    default: return false;
    }
}

bool sco__cfg_value_ok(const struct sco__node *n, enum sco_cfg_type t)
{
    if (!n)
        return false;
    if (t == SCO_CFG_LIST_F64 || t == SCO_CFG_LIST_STR) {
        enum sco_cfg_type item = t == SCO_CFG_LIST_F64 ? SCO_CFG_F64 : SCO_CFG_STR;
        if (n->kind == SCO__N_SCALAR)
            return scalar_ok(n, item);
        if (n->kind != SCO__N_SEQ)
            return false;
        for (size_t i = 0; i < n->n; i++)
            if (!scalar_ok(n->vals[i], item))
                return false;
        return true;
    }
    if (t == SCO_CFG_STR && n->kind == SCO__N_SCALAR && n->null)
        return true;
    return scalar_ok(n, t);
}

size_t sco__stage_validate(const struct sco__config *c, const struct sco__stage_cfg *s,
                           const struct sco__plugin *p, struct sco__diags *d)
{
    const struct sco_plugin_desc *desc = p->desc;
    size_t problems = 0;
    const char **names = sco__xcalloc(desc->n_config + 1, sizeof *names);
    for (size_t i = 0; i < desc->n_config; i++)
        names[i] = desc->config[i].key;

    if (s->config) {
        for (size_t i = 0; i < s->config->n; i++) {
            struct sco__node *k = s->config->keys[i], *v = s->config->vals[i];
            const struct sco_config_key *decl = sco__plugin_key(p, k->str, NULL);
            if (!decl) {
                struct sco__buf b = { 0 };
                sco__buf_printf(&b, "unknown key '%s' for plugin '%s'", k->str, desc->name);
                sco__buf_suggest(&b, k->str, names, desc->n_config);
                if (!sco__suggest(k->str, names, desc->n_config)) {
                    if (desc->n_config == 0) {
                        sco__buf_puts(&b, "; it takes no config keys");
                    } else {
                        sco__buf_puts(&b, "; it takes");
                        for (size_t j = 0; j < desc->n_config; j++)
                            sco__buf_printf(&b, "%s %s", j ? "," : "", names[j]);
                    }
                }
                sco__diag(d, SCO_ERR_CONFIG, c->path, k, "%s", b.s);
                sco__buf_fini(&b);
                problems++;
                continue;
            }
            if (!sco__cfg_value_ok(v, decl->type)) {
                char *got = sco__node_describe(v);
                sco__diag(d, SCO_ERR_CONFIG, c->path, v, "%s.%s: expected %s, got %s",
                          s->name, k->str, sco__cfg_type_phrase(decl->type), got);
                free(got);
                problems++;
            }
        }
    }
    for (size_t i = 0; i < desc->n_config; i++) {
        const struct sco_config_key *k = &desc->config[i];
        if (k->required && !sco__map_get(s->config, k->key)) {
            sco__diag(d, SCO_ERR_CONFIG, c->path, s->config ? s->config : s->node,
                      "stage '%s' needs config key '%s' (%s%s%s); add it under config:",
                      s->name, k->key, sco__cfg_type_name(k->type), k->doc ? ": " : "",
                      k->doc ? k->doc : "");
            problems++;
        }
    }
    free(names);
    return problems;
}

const struct sco__node *sco__stage_value(const struct sco__stage_cfg *s,
                                         const struct sco__plugin *p, const char *key,
                                         const struct sco_config_key **decl, bool *from_yaml)
{
    size_t idx = 0;
    const struct sco_config_key *k = sco__plugin_key(p, key, &idx);
    if (decl)
        *decl = k;
    if (from_yaml)
        *from_yaml = false;
    const struct sco__node *n = sco__map_get(s->config, key);
    if (n && !(n->kind == SCO__N_SCALAR && n->null && k && k->type != SCO_CFG_STR)) {
        if (from_yaml)
            *from_yaml = true;
        return n;
    }
    return k ? p->dflt[idx] : NULL;
}
