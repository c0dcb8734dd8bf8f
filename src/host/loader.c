/* loader.c: plugin search path, permission checks, dlopen and descriptor checks. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostapi.h"
#include "loader.h"
#include "stagecfg.h"
#include "util.h"

#ifndef SCO_PLUGINDIR
#define SCO_PLUGINDIR "/usr/local/lib/sco-1/plugins"
#endif

static void add_dir(struct sco__search *s, const char *d)
{
    if (!d || !*d)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->dirs[i], d) == 0)
            return;
    s->dirs = sco__xrealloc(s->dirs, (s->n + 1) * sizeof *s->dirs);
    s->dirs[s->n++] = sco__xstrdup(d);
}

void sco__search_init(struct sco__search *s, const struct sco__config *c)
{
    memset(s, 0, sizeof *s);
    const char *env = getenv("SCO_PLUGIN_PATH");
    if (env) {
        char *copy = sco__xstrdup(env), *save = NULL;
        for (char *tok = strtok_r(copy, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
            add_dir(s, tok);
        free(copy);
    }
    if (c)
        for (size_t i = 0; i < c->n_plugin_path; i++)
            add_dir(s, c->plugin_path[i]);
    add_dir(s, SCO_PLUGINDIR);
#ifdef SCO_BUILD_ROOT
    /* run from the build tree: its freshly built plugins, so `build/src/host/sco` just works */
    char exe[PATH_MAX], root[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0 && realpath(SCO_BUILD_ROOT, root)) {
        exe[n] = '\0';
        size_t rl = strlen(root);
        if (strncmp(exe, root, rl) == 0 && exe[rl] == '/')
            s->build_plugins = sco__xasprintf("%s/plugins", root);
    }
#endif
}

void sco__search_fini(struct sco__search *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->dirs[i]);
    free(s->dirs);
    free(s->build_plugins);
    memset(s, 0, sizeof *s);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *sco__plugin_find(const struct sco__search *s, const char *name, struct sco_err *err)
{
    for (size_t i = 0; i < s->n; i++) {
        char *p = sco__xasprintf("%s/%s.so", s->dirs[i], name);
        if (is_file(p))
            return p;
        free(p);
    }
    if (s->build_plugins) {
        char *p = sco__xasprintf("%s/%s/%s.so", s->build_plugins, name, name);
        if (is_file(p))
            return p;
        free(p);
    }
    struct sco__buf b = { 0 };
    sco__buf_printf(&b, "plugin '%s' not found (no %s.so in", name, name);
    for (size_t i = 0; i < s->n; i++)
        sco__buf_printf(&b, "%s %s", i ? "," : "", s->dirs[i]);
    if (s->build_plugins)
        sco__buf_printf(&b, ", %s/*", s->build_plugins);
    sco__buf_puts(&b, "); build or install it, or add its folder to SCO_PLUGIN_PATH or "
                      "run.plugin_path");
    sco_err_set(err, SCO_ERR_CONFIG, "%s", b.s);
    sco__buf_fini(&b);
    return NULL;
}

static void list_dir(const char *dir, char ***out, size_t *n, bool one_level_down)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char **names = NULL;
    size_t nn = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            names = sco__xrealloc(names, (nn + 1) * sizeof *names);
            names[nn++] = sco__xstrdup(e->d_name);
        }
    closedir(d);
    /* sorted, so the listing is stable */
    for (size_t i = 1; i < nn; i++)
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (size_t i = 0; i < nn; i++) {
        char *p = NULL;
        if (one_level_down) {
            p = sco__xasprintf("%s/%s/%s.so", dir, names[i], names[i]);
        } else {
            size_t l = strlen(names[i]);
            if (l > 3 && strcmp(names[i] + l - 3, ".so") == 0)
                p = sco__xasprintf("%s/%s", dir, names[i]);
        }
        bool dup = false;
        for (size_t k = 0; p && k < *n && !dup; k++)
            dup = strcmp(sco__path_base((*out)[k]), sco__path_base(p)) == 0;
        if (p && is_file(p) && !dup) {
            *out = sco__xrealloc(*out, (*n + 1) * sizeof **out);
            (*out)[(*n)++] = p;
        } else {
            free(p);
        }
        free(names[i]);
    }
    free(names);
}

char **sco__plugin_list(const struct sco__search *s, size_t *n)
{
    char **out = NULL;
    *n = 0;
    for (size_t i = 0; i < s->n; i++)
        list_dir(s->dirs[i], &out, n, false);
    if (s->build_plugins)
        list_dir(s->build_plugins, &out, n, true);
    return out;
}

static int check_one(const char *shown, const char *what, const char *path, struct sco_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return sco_err_set(err, SCO_ERR_CONFIG, "cannot load plugin '%s': %s: %s", shown, path,
                           strerror(errno));
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return sco_err_set(err, SCO_ERR_CONFIG,
                           "refusing to load plugin '%s': %s '%s' is writable by %s, so "
                           "another user could change the code sco runs; fix with chmod go-w "
                           "'%s'",
                           shown, what, path,
                           (st.st_mode & S_IWOTH) ? "everyone" : "its group", path);
    if (st.st_uid != 0 && st.st_uid != geteuid())
        return sco_err_set(err, SCO_ERR_CONFIG,
                           "refusing to load plugin '%s': %s '%s' belongs to uid %u, neither "
                           "you nor root, so that user could change the code sco runs; fix "
                           "with chown",
                           shown, what, path, (unsigned)st.st_uid);
    return 0;
}

int sco__plugin_check_perms(const char *path, struct sco_err *err)
{
    char real[PATH_MAX];
    const char *shown = sco__path_base(path);
    if (!realpath(path, real))
        return sco_err_set(err, SCO_ERR_CONFIG, "cannot load plugin '%s': %s: %s", shown, path,
                           strerror(errno));
    int rc = check_one(shown, "file", real, err);
    if (rc)
        return rc;
    char *dir = sco__path_dir(real);
    rc = check_one(shown, "its folder", dir, err);
    free(dir);
    return rc;
}

void sco__plugin_free(struct sco__plugin *p)
{
    if (!p)
        return;
    if (p->dflt) {
        for (size_t i = 0; i < p->desc->n_config; i++)
            sco__node_free(p->dflt[i]);
        free(p->dflt);
    }
    /* Plugins are not dlclose()d: a plugin's atexit handlers or thread-local destructors
     * (OpenMP, BLAS) may still point into it until the process ends. */
    free(p->path);
    free(p->stem);
    free(p);
}

static bool valid_plugin_name(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

static int check_ports(const char *name, const char *dir, const struct sco_port *ports, size_t n,
                       struct sco_err *err)
{
    if (n && !ports)
        return sco_err_set(err, SCO_ERR_CONFIG,
                           "plugin '%s' declares %zu %s ports but no array; fix the plugin",
                           name, n, dir);
    for (size_t i = 0; i < n; i++) {
        if (!ports[i].name || !*ports[i].name)
            return sco_err_set(err, SCO_ERR_CONFIG,
                               "plugin '%s' %s port %zu has no name; fix the plugin", name, dir,
                               i + 1);
        if (ports[i].n_columns && !ports[i].columns)
            return sco_err_set(err, SCO_ERR_CONFIG,
                               "plugin '%s' %s port '%s' declares columns but no array; fix "
                               "the plugin",
                               name, dir, ports[i].name);
        for (size_t c = 0; c < ports[i].n_columns; c++)
            if (!ports[i].columns[c].name || (unsigned)ports[i].columns[c].type > SCO_COL_DATE)
                return sco_err_set(err, SCO_ERR_CONFIG,
                                   "plugin '%s' %s port '%s' column %zu is malformed; fix the "
                                   "plugin",
                                   name, dir, ports[i].name, c + 1);
        for (size_t j = 0; j < i; j++)
            if (strcmp(ports[i].name, ports[j].name) == 0)
                return sco_err_set(err, SCO_ERR_CONFIG,
                                   "plugin '%s' declares %s port '%s' twice; fix the plugin",
                                   name, dir, ports[i].name);
    }
    return 0;
}

int sco__plugin_load(const char *path, struct sco__plugin **out, struct sco_err *err)
{
    *out = NULL;
    const char *base = sco__path_base(path);
    int rc = sco__plugin_check_perms(path, err);
    if (rc)
        return rc;

    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl)
        return sco_err_set(err, SCO_ERR_CONFIG,
                           "cannot load plugin '%s': %s; check its dependencies with ldd", base,
                           dlerror());
    sco_plugin_entry_fn *entry;
    *(void **)&entry = dlsym(dl, SCO_PLUGIN_ENTRY);
    if (!entry) {
        dlclose(dl);
        return sco_err_set(err, SCO_ERR_CONFIG, "plugin '%s' does not export %s", base,
                           SCO_PLUGIN_ENTRY);
    }
    struct sco__plugin *p = sco__xcalloc(1, sizeof *p);
    p->path = sco__xstrdup(path);
    p->stem = sco__xstrdup(base);
    size_t bl = strlen(base);
    if (bl > 3 && strcmp(base + bl - 3, ".so") == 0)
        p->stem[bl - 3] = '\0';
    p->dl = dl;

    const struct sco_plugin_desc *d = entry(sco__host_api());
    /* The ABI and size checks name the file's stem: a descriptor of another ABI or too small
     * may not have a readable name field. */
    if (!d) {
        rc = sco_err_set(err, SCO_ERR_CONFIG, "plugin '%s' returned no descriptor", p->stem);
        goto fail;
    }
    if (d->abi_version != SCO_ABI_VERSION) {
        rc = sco_err_set(err, SCO_ERR_ABI,
                         "plugin '%s' uses ABI %u, this sco supports ABI %d; rebuild it "
                         "against sco %d.x",
                         p->stem, (unsigned)d->abi_version, SCO_ABI_VERSION, SCO_ABI_VERSION);
        goto fail;
    }
    if (d->size < sizeof(struct sco_plugin_desc)) {
        rc = sco_err_set(err, SCO_ERR_ABI, "plugin '%s' descriptor is %u bytes, expected at "
                                           "least %zu",
                         p->stem, (unsigned)d->size, sizeof(struct sco_plugin_desc));
        goto fail;
    }
    if (!valid_plugin_name(d->name)) {
        rc = sco_err_set(err, SCO_ERR_CONFIG,
                         "plugin '%s' has a bad name in its descriptor; use lowercase "
                         "letters, digits, '_' and '-'",
                         p->stem);
        goto fail;
    }
    if (!d->version || !d->run) {
        rc = sco_err_set(err, SCO_ERR_CONFIG, "plugin '%s' descriptor has no %s; fix the plugin",
                         d->name, !d->version ? "version" : "run function");
        goto fail;
    }
    if ((rc = check_ports(d->name, "input", d->inputs, d->n_inputs, err)) ||
        (rc = check_ports(d->name, "output", d->outputs, d->n_outputs, err)))
        goto fail;
    if (d->n_config && !d->config) {
        rc = sco_err_set(err, SCO_ERR_CONFIG, "plugin '%s' declares config keys but no array",
                         d->name);
        goto fail;
    }
    p->desc = d;
    p->dflt = sco__xcalloc(d->n_config ? d->n_config : 1, sizeof *p->dflt);
    for (size_t i = 0; i < d->n_config; i++) {
        const struct sco_config_key *k = &d->config[i];
        if (!k->key || (unsigned)k->type > SCO_CFG_LIST_STR) {
            rc = sco_err_set(err, SCO_ERR_CONFIG, "plugin '%s' config key %zu is malformed",
                             d->name, i + 1);
            goto fail;
        }
        if (!k->dflt)
            continue;
        struct sco_err e2 = { 0 };
        char origin[128];
        snprintf(origin, sizeof origin, "plugin '%s' default of '%s'", d->name, k->key);
        if (sco__yaml_parse(k->dflt, strlen(k->dflt), origin, false, &p->dflt[i], &e2) != 0 ||
            !p->dflt[i] || !sco__cfg_value_ok(p->dflt[i], k->type)) {
            rc = sco_err_set(err, SCO_ERR_CONFIG,
                             "plugin '%s' key '%s' has default '%s', which is not %s; fix "
                             "the plugin",
                             d->name, k->key, k->dflt, sco__cfg_type_phrase(k->type));
            goto fail;
        }
    }
    *out = p;
    return 0;
fail:
    p->desc = NULL;
    if (p->dflt) {
        for (size_t i = 0; d && i < d->n_config; i++)
            sco__node_free(p->dflt[i]);
        free(p->dflt);
        p->dflt = NULL;
    }
    sco__plugin_free(p);
    dlclose(dl);
    return rc;
}

const struct sco_config_key *sco__plugin_key(const struct sco__plugin *p, const char *key,
                                             size_t *index)
{
    for (size_t i = 0; i < p->desc->n_config; i++)
        if (strcmp(p->desc->config[i].key, key) == 0) {
            if (index)
                *index = i;
            return &p->desc->config[i];
        }
    return NULL;
}
