/* loader.h: finding plugins on the search path, checking and loading them with dlopen. */
#ifndef SCO_HOST_LOADER_H
#define SCO_HOST_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include <sco/sco-plugin.h>

#include "config.h"

struct sco__plugin {
    char *path; /* the file loaded */
    char *stem; /* file name without ".so" */
    void *dl;
    const struct sco_plugin_desc *desc;
    struct sco__node **dflt; /* desc->n_config parsed defaults (NULL entries: none) */
};

/* Where plugins are looked for, in order. */
struct sco__search {
    char **dirs;
    size_t n;
    char *build_plugins; /* <build root>/plugins when sco runs from its build tree, or NULL */
};

/* SCO_PLUGIN_PATH (colon-separated), the config's run.plugin_path (c may be NULL), the
 * installed plugin folder, and the build tree's plugins/<name>/ folders when the running
 * executable lies inside the build tree. */
void sco__search_init(struct sco__search *s, const struct sco__config *c);
void sco__search_fini(struct sco__search *s);
/* Path of NAME.so on the search path (the caller frees it), or NULL with err filled
 * (SCO_ERR_CONFIG, naming the folders searched). */
char *sco__plugin_find(const struct sco__search *s, const char *name, struct sco_err *err);
/* Every *.so on the search path, first one of each file name only; the caller frees the
 * array and the strings. */
char **sco__plugin_list(const struct sco__search *s, size_t *n);

/* Refuses a file, or the folder it is in, that others could change: writable by group or
 * others, or owned by someone other than the user or root. 0 or SCO_ERR_CONFIG. */
int sco__plugin_check_perms(const char *path, struct sco_err *err);

/* Checks permissions, dlopens (RTLD_NOW | RTLD_LOCAL), finds sco_plugin_entry, calls it with
 * the host's API table and checks ABI version, descriptor size and contents, in that order
 * (messages as in STYLE.md section 3). SCO_ERR_ABI for ABI and size mismatches,
 * SCO_ERR_CONFIG otherwise. */
int sco__plugin_load(const char *path, struct sco__plugin **out, struct sco_err *err);
/* Closes the library too. NULL does nothing. */
void sco__plugin_free(struct sco__plugin *p);

/* The declared key `key` of p, or NULL. */
const struct sco_config_key *sco__plugin_key(const struct sco__plugin *p, const char *key,
                                             size_t *index);

#endif
