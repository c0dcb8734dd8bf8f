/* stagecfg.h: a stage's `config:` mapping checked against its plugin's declared keys. */
#ifndef SCO_HOST_STAGECFG_H
#define SCO_HOST_STAGECFG_H

#include <stdbool.h>

#include "config.h"
#include "loader.h"

/* True when node n holds a value of type t (a single scalar counts as a one-item list). */
bool sco__cfg_value_ok(const struct sco__node *n, enum sco_cfg_type t);

/* Adds a message to d for every unknown key, wrongly typed value and missing required key of
 * stage s run by plugin p; returns the number of problems. */
size_t sco__stage_validate(const struct sco__config *c, const struct sco__stage_cfg *s,
                           const struct sco__plugin *p, struct sco__diags *d);

/* The node that gives key `key` of stage s its value: the YAML value, else the plugin's
 * default, else NULL. *decl is the declared key (NULL when undeclared); *from_yaml says
 * whether the value came from the config file. */
const struct sco__node *sco__stage_value(const struct sco__stage_cfg *s,
                                         const struct sco__plugin *p, const char *key,
                                         const struct sco_config_key **decl, bool *from_yaml);

#endif
