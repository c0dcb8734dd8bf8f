/* config.h: the YAML configuration: a node tree that keeps line:column, and the run,
 * sources and stages read from it. */
#ifndef SCO_HOST_CONFIG_H
#define SCO_HOST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sco/sco-plugin.h>

enum sco__node_kind { SCO__N_SCALAR, SCO__N_SEQ, SCO__N_MAP };

struct sco__node {
    enum sco__node_kind kind;
    int line, col;  /* 1-based position of the node in its file */
    char *str;      /* scalar text after ${ENV} substitution */
    bool quoted;    /* scalar was quoted (not plain style) */
    bool secret;    /* scalar contains a value substituted from ${ENV}: never log it */
    bool null;      /* plain empty, "~" or "null" */
    size_t n;
    struct sco__node **keys; /* mapping keys (scalars), NULL for sequences */
    struct sco__node **vals; /* sequence items or mapping values */
};

/* Diagnostics: every message is "<file>:<line>:<col>: <text>". */
struct sco__diags {
    char **msg;
    int *code;
    int *line, *col; /* 0 when the message has no position */
    size_t n;
};

/* Sorts entries [from, n) by position, keeping the order of equal ones. */
void sco__diags_sort(struct sco__diags *d, size_t from);

void sco__diag(struct sco__diags *d, int code, const char *file, const struct sco__node *at,
               const char *fmt, ...) SCO_PRINTF(5, 6);
void sco__diags_fini(struct sco__diags *d);

/* Parses YAML text into a node tree. `file` names the origin in messages. With subst_env,
 * ${NAME} in scalars is replaced by the environment variable (a missing one is an error at
 * the scalar's position) and "$${" stands for a literal "${". An empty document gives *out
 * NULL. Returns 0 or SCO_ERR_CONFIG with err filled. */
int sco__yaml_parse(const char *text, size_t len, const char *file, bool subst_env,
                    struct sco__node **out, struct sco_err *err);
void sco__node_free(struct sco__node *n);
/* Value for `key` in a mapping node, or NULL (also when `map` is not a mapping). */
struct sco__node *sco__map_get(const struct sco__node *map, const char *key);
/* Typed readings of a scalar; false when the node is not a scalar of that type. */
bool sco__node_i64(const struct sco__node *n, int64_t *out);
bool sco__node_f64(const struct sco__node *n, double *out);
bool sco__node_bool(const struct sco__node *n, bool *out);
/* The scalar as it may be quoted in a message: "'text'", or "a value from ${ENV}" for
 * secrets, or "a mapping"/"a sequence". The caller frees it. */
char *sco__node_describe(const struct sco__node *n);

struct sco__port_map {
    char *port, *table;
    struct sco__node *node; /* the value node (the table name) */
};

struct sco__source {
    char *name;  /* the table name */
    char *kind;  /* "csv" */
    char *path;  /* resolved against the config's folder */
    struct sco__node *node, *path_node;
    char **col_names; /* optional type hints */
    enum sco_col_type *col_types;
    struct sco__node **col_nodes;
    size_t n_cols;
};

struct sco__stage_cfg {
    char *name;
    char *plugin; /* default: the stage name */
    struct sco__node *node, *plugin_node;
    struct sco__node *config; /* mapping or NULL */
    struct sco__port_map *inputs, *outputs;
    size_t n_inputs, n_outputs;
    bool write_all;   /* write: true (default) */
    char **write;     /* write: [tables] */
    size_t n_write;
    struct sco__node *write_node;
    bool has_timeout;  /* timeout: given (it overrides run.stage_timeout) */
    double timeout;    /* seconds; 0: no limit */
    struct sco__node *timeout_node;
};

struct sco__config {
    char *path;     /* as given */
    char *dir;      /* its folder */
    char sha256[65];
    struct sco__node *root;

    bool has_date;
    int64_t date;
    char *output; /* pattern with {date}, relative to dir unless absolute */
    struct sco__node *output_node;
    char *device; /* auto | cpu | cuda */
    struct sco__node *device_node;
    int threads;  /* 0: all cores */
    uint64_t seed;
    bool log_json, has_log_format;
    bool tf32;
    double stage_timeout; /* run.stage_timeout in seconds; 0: no limit */
    struct sco__node *stage_timeout_node;
    char **plugin_path; /* resolved */
    size_t n_plugin_path;

    struct sco__source *sources;
    size_t n_sources;
    struct sco__stage_cfg *stages;
    size_t n_stages;
};

/* Reads and checks the file. Every problem found is added to `d` (when not NULL); returns 0,
 * or the first problem's code with err holding its message. On error *out may still hold a
 * partial config (free it). */
int sco__config_load(const char *path, struct sco__config **out, struct sco__diags *d,
                     struct sco_err *err);
void sco__config_free(struct sco__config *c);

struct sco__source *sco__config_source(const struct sco__config *c, const char *name);
struct sco__stage_cfg *sco__config_stage(const struct sco__config *c, const char *name);
/* True when stage s writes table `table` as CSV. */
bool sco__stage_writes(const struct sco__stage_cfg *s, const char *table);
/* Stage s's time limit in seconds (0: none): its own timeout, else run.stage_timeout.
 * *key, when not NULL, gets the config key that set it ("stages.X.timeout" or
 * "run.stage_timeout"; the caller frees it). */
double sco__stage_timeout(const struct sco__config *c, const struct sco__stage_cfg *s,
                          char **key);
/* Parses a duration such as "90s", "20m", "1h30m", "500ms" or "1.5h" into seconds (> 0), or
 * "none" into 0. Returns false when s is not one. */
bool sco__duration_parse(const char *s, double *out);
/* Formats seconds as the shortest of "1h30m", "20m", "90s", "1.5s", "500ms". */
void sco__duration_format(double sec, char buf[32]);
/* Parses a column type name ("i64", "int", "f64", "float", "str", "string", "date"). */
bool sco__col_type_parse(const char *s, enum sco_col_type *out);
const char *sco__cfg_type_name(enum sco_cfg_type t);
/* With an article, for messages: "an integer", "a list of numbers". */
const char *sco__cfg_type_phrase(enum sco_cfg_type t);

#endif
