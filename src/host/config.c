/* config.c: YAML (libyaml events) -> node tree with positions -> struct sco__config. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "config.h"
#include "sco-tables.h"
#include "log.h"
#include "util.h"

/* ---- diagnostics --------------------------------------------------------------------- */
void sco__diag(struct sco__diags *d, int code, const char *file, const struct sco__node *at,
               const char *fmt, ...)
{
    if (!d)
        return;
    struct sco__buf b = { 0 };
    if (at)
        sco__buf_printf(&b, "%s:%d:%d: ", file, at->line, at->col);
    else
        sco__buf_printf(&b, "%s: ", file);
    va_list ap;
    va_start(ap, fmt);
    char *m = NULL;
    if (vasprintf(&m, fmt, ap) >= 0) {
        sco__buf_puts(&b, m);
        free(m);
    }
    va_end(ap);
    d->msg = sco__xrealloc(d->msg, (d->n + 1) * sizeof *d->msg);
    d->code = sco__xrealloc(d->code, (d->n + 1) * sizeof *d->code);
    d->line = sco__xrealloc(d->line, (d->n + 1) * sizeof *d->line);
    d->col = sco__xrealloc(d->col, (d->n + 1) * sizeof *d->col);
    d->msg[d->n] = sco__buf_take(&b);
    d->code[d->n] = code;
    d->line[d->n] = at ? at->line : 0;
    d->col[d->n] = at ? at->col : 0;
    d->n++;
}

void sco__diags_sort(struct sco__diags *d, size_t from)
{
    for (size_t i = from + 1; i < d->n; i++) {
        for (size_t j = i; j > from; j--) {
            bool later = d->line[j - 1] > d->line[j] ||
                         (d->line[j - 1] == d->line[j] && d->col[j - 1] > d->col[j]);
            if (!later)
                break;
            char *m = d->msg[j];
            d->msg[j] = d->msg[j - 1];
            d->msg[j - 1] = m;
            int t = d->code[j];
            d->code[j] = d->code[j - 1];
            d->code[j - 1] = t;
            t = d->line[j];
            d->line[j] = d->line[j - 1];
            d->line[j - 1] = t;
            t = d->col[j];
            d->col[j] = d->col[j - 1];
            d->col[j - 1] = t;
        }
    }
}

void sco__diags_fini(struct sco__diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->msg[i]);
    free(d->msg);
    free(d->code);
    free(d->line);
    free(d->col);
    d->msg = NULL;
    d->code = NULL;
    d->line = d->col = NULL;
    d->n = 0;
}

/* ---- node tree ----------------------------------------------------------------------- */
void sco__node_free(struct sco__node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys)
            sco__node_free(n->keys[i]);
        sco__node_free(n->vals[i]);
    }
    free(n->keys);
    free(n->vals);
    free(n->str);
    free(n);
}

static struct sco__node *node_new(enum sco__node_kind kind, yaml_mark_t m)
{
    struct sco__node *n = sco__xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = (int)m.line + 1; /* libyaml marks are 0-based */
    n->col = (int)m.column + 1;
    return n;
}

static void node_push(struct sco__node *parent, struct sco__node *key, struct sco__node *val)
{
    parent->vals = sco__xrealloc(parent->vals, (parent->n + 1) * sizeof *parent->vals);
    if (parent->kind == SCO__N_MAP) {
        parent->keys = sco__xrealloc(parent->keys, (parent->n + 1) * sizeof *parent->keys);
        parent->keys[parent->n] = key;
    }
    parent->vals[parent->n++] = val;
}

struct sco__node *sco__map_get(const struct sco__node *map, const char *key)
{
    if (!map || map->kind != SCO__N_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->str, key) == 0)
            return map->vals[i];
    return NULL;
}

/* ${NAME} substitution; returns 0 or fills err at node n. */
static int subst_env(struct sco__node *n, const char *file, struct sco_err *err)
{
    if (!strchr(n->str, '$'))
        return 0;
    struct sco__buf b = { 0 };
    const char *p = n->str;
    bool any = false;
    while (*p) {
        if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
            sco__buf_puts(&b, "${");
            p += 3;
            continue;
        }
        if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            size_t len = end ? (size_t)(end - p - 2) : 0;
            bool ok = end && len > 0;
            for (size_t i = 0; ok && i < len; i++) {
                char c = p[2 + i];
                ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                     (i > 0 && c >= '0' && c <= '9');
            }
            if (!ok) {
                sco__buf_fini(&b);
                return sco_err_set(err, SCO_ERR_CONFIG,
                                   "%s:%d:%d: malformed ${...} reference; write ${NAME} with "
                                   "NAME made of letters, digits and '_', or $${ for a "
                                   "literal ${",
                                   file, n->line, n->col);
            }
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)len, p + 2);
            const char *v = getenv(name);
            if (!v) {
                sco__buf_fini(&b);
                return sco_err_set(err, SCO_ERR_CONFIG,
                                   "%s:%d:%d: environment variable '%s' is not set; export it "
                                   "before running sco",
                                   file, n->line, n->col, name);
            }
            sco__secret_add(v);
            sco__buf_puts(&b, v);
            any = true;
            p = end + 1;
            continue;
        }
        sco__buf_putc(&b, *p++);
    }
    free(n->str);
    n->str = sco__buf_take(&b);
    n->secret = n->secret || any;
    return 0;
}

int sco__yaml_parse(const char *text, size_t len, const char *file, bool subst,
                    struct sco__node **out, struct sco_err *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct sco__node *stack[64];
    struct sco__node *pending_key[64]; /* per mapping level: key awaiting its value */
    int depth = 0, rc = 0;
    struct sco__node *root = NULL;
    bool done = false;

    *out = NULL;
    if (!yaml_parser_initialize(&p))
        return sco_err_set(err, SCO_ERR_NOMEM, "cannot initialise the yaml parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);

    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            yaml_mark_t m = p.problem_mark;
            rc = sco_err_set(err, SCO_ERR_CONFIG, "%s:%zu:%zu: invalid yaml: %s%s%s", file,
                             m.line + 1, m.column + 1, p.problem ? p.problem : "syntax error",
                             p.context ? " " : "", p.context ? p.context : "");
            goto fail;
        }
        struct sco__node *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT:
            if (root) {
                rc = sco_err_set(err, SCO_ERR_CONFIG,
                                 "%s:%zu:%zu: more than one yaml document; keep one per file",
                                 file, ev.start_mark.line + 1, ev.start_mark.column + 1);
                yaml_event_delete(&ev);
                goto fail;
            }
            break;
        case YAML_ALIAS_EVENT:
            rc = sco_err_set(err, SCO_ERR_CONFIG,
                             "%s:%zu:%zu: yaml aliases (*name) are not supported; repeat the "
                             "value",
                             file, ev.start_mark.line + 1, ev.start_mark.column + 1);
            yaml_event_delete(&ev);
            goto fail;
        case YAML_SCALAR_EVENT: {
            n = node_new(SCO__N_SCALAR, ev.start_mark);
            n->str = sco__xmalloc(ev.data.scalar.length + 1);
            memcpy(n->str, ev.data.scalar.value, ev.data.scalar.length);
            n->str[ev.data.scalar.length] = '\0';
            n->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
            n->null = !n->quoted && (n->str[0] == '\0' || strcmp(n->str, "~") == 0 ||
                                     strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
                                     strcmp(n->str, "NULL") == 0);
            if (subst && (rc = subst_env(n, file, err)) != 0) {
                sco__node_free(n);
                yaml_event_delete(&ev);
                goto fail;
            }
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            n = node_new(ev.type == YAML_SEQUENCE_START_EVENT ? SCO__N_SEQ : SCO__N_MAP,
                         ev.start_mark);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        default: break;
        }
        yaml_event_delete(&ev);
        if (!n)
            continue;

        /* attach n to its parent */
        if (depth == 0) {
            root = n;
        } else {
            struct sco__node *parent = stack[depth - 1];
            if (parent->kind == SCO__N_SEQ) {
                node_push(parent, NULL, n);
            } else if (!pending_key[depth - 1]) {
                if (n->kind != SCO__N_SCALAR) {
                    rc = sco_err_set(err, SCO_ERR_CONFIG,
                                     "%s:%d:%d: mapping keys must be plain text", file, n->line,
                                     n->col);
                    sco__node_free(n);
                    goto fail;
                }
                for (size_t i = 0; i < parent->n; i++) {
                    if (strcmp(parent->keys[i]->str, n->str) == 0) {
                        rc = sco_err_set(err, SCO_ERR_CONFIG,
                                         "%s:%d:%d: duplicate key '%s' (first at line %d); "
                                         "keep one",
                                         file, n->line, n->col, n->str, parent->keys[i]->line);
                        sco__node_free(n);
                        goto fail;
                    }
                }
                pending_key[depth - 1] = n;
            } else {
                node_push(parent, pending_key[depth - 1], n);
                pending_key[depth - 1] = NULL;
            }
        }
        if (n->kind != SCO__N_SCALAR) {
            if (depth >= 63) {
                rc = sco_err_set(err, SCO_ERR_CONFIG, "%s:%d:%d: yaml nested too deeply", file,
                                 n->line, n->col);
                goto fail;
            }
            pending_key[depth] = NULL;
            stack[depth++] = n;
        }
    }
    yaml_parser_delete(&p);
    *out = root;
    return 0;
fail:
    /* pending keys are not yet attached to the tree */
    for (int i = 0; i < depth; i++)
        if (stack[i]->kind == SCO__N_MAP)
            sco__node_free(pending_key[i]);
    sco__node_free(root);
    yaml_parser_delete(&p);
    return rc;
}

bool sco__node_i64(const struct sco__node *n, int64_t *out)
{
    if (!n || n->kind != SCO__N_SCALAR || !n->str[0])
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(n->str, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool sco__node_f64(const struct sco__node *n, double *out)
{
    if (!n || n->kind != SCO__N_SCALAR || !n->str[0])
        return false;
    const char *s = n->str;
    if (strcmp(s, ".inf") == 0 || strcmp(s, "+.inf") == 0) {
        *out = INFINITY;
        return true;
    }
    if (strcmp(s, "-.inf") == 0) {
        *out = -INFINITY;
        return true;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno == ERANGE || *end || isnan(v) || isinf(v))
        return false;
    *out = v;
    return true;
}

bool sco__node_bool(const struct sco__node *n, bool *out)
{
    if (!n || n->kind != SCO__N_SCALAR)
        return false;
    static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no",
                                                                               "off" };
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(n->str, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(n->str, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

char *sco__node_describe(const struct sco__node *n)
{
    if (!n)
        return sco__xstrdup("nothing");
    if (n->kind == SCO__N_MAP)
        return sco__xstrdup("a mapping");
    if (n->kind == SCO__N_SEQ)
        return sco__xstrdup("a sequence");
    if (n->secret)
        return sco__xstrdup("a value from ${...}");
    if (n->null)
        return sco__xstrdup("an empty value");
    return sco__xasprintf("'%s'", n->str);
}

/* ---- schema -------------------------------------------------------------------------- */
bool sco__col_type_parse(const char *s, enum sco_col_type *out)
{
    static const struct {
        const char *name;
        enum sco_col_type t;
    } names[] = {
        { "i64", SCO_COL_I64 },  { "int", SCO_COL_I64 },     { "integer", SCO_COL_I64 },
        { "f64", SCO_COL_F64 },  { "float", SCO_COL_F64 },   { "number", SCO_COL_F64 },
        { "str", SCO_COL_STR },  { "string", SCO_COL_STR },  { "date", SCO_COL_DATE },
    };
    for (size_t i = 0; i < SCO_COUNT(names); i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].t;
            return true;
        }
    }
    return false;
}

const char *sco__cfg_type_phrase(enum sco_cfg_type t)
{
    switch (t) {
    case SCO_CFG_INT: return "an integer";
    case SCO_CFG_BOOL: return "true or false";
    case SCO_CFG_LIST_F64: return "a list of numbers";
    case SCO_CFG_LIST_STR: return "a list of strings";
    case SCO_CFG_F64: return "a number";
    case SCO_CFG_PATH: return "a path";
    default: return "a string";
    }
}

const char *sco__cfg_type_name(enum sco_cfg_type t)
{
    switch (t) {
    case SCO_CFG_STR: return "string";
    case SCO_CFG_INT: return "integer";
    case SCO_CFG_F64: return "number";
    case SCO_CFG_BOOL: return "boolean";
    case SCO_CFG_PATH: return "path";
    case SCO_CFG_LIST_F64: return "list of numbers";
    case SCO_CFG_LIST_STR: return "list of strings";
    }
    return "?";
}

struct ctx {
    struct sco__config *c;
    struct sco__diags *d;
    struct sco__diags local;
};

#define DIAG(cx, code, at, ...) sco__diag((cx)->d, code, (cx)->c->path, at, __VA_ARGS__)

/* Every key of `map` must be one of `allowed`; reports the others with a suggestion. */
static void check_keys(struct ctx *cx, const struct sco__node *map, const char *where,
                       const char *const *allowed, size_t n)
{
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->keys[i]->str;
        bool ok = false;
        for (size_t j = 0; j < n && !ok; j++)
            ok = strcmp(k, allowed[j]) == 0;
        if (ok)
            continue;
        struct sco__buf b = { 0 };
        sco__buf_printf(&b, "unknown key '%s' in %s", k, where);
        sco__buf_suggest(&b, k, allowed, n);
        if (!sco__suggest(k, allowed, n)) {
            sco__buf_puts(&b, "; expected one of");
            for (size_t j = 0; j < n; j++)
                sco__buf_printf(&b, "%s %s", j ? "," : "", allowed[j]);
        }
        DIAG(cx, SCO_ERR_CONFIG, map->keys[i], "%s", b.s);
        sco__buf_fini(&b);
    }
}

static bool want_kind(struct ctx *cx, const struct sco__node *n, enum sco__node_kind k,
                      const char *what)
{
    if (n->kind == k)
        return true;
    char *got = sco__node_describe(n);
    DIAG(cx, SCO_ERR_CONFIG, n, "%s must be %s, got %s", what,
         k == SCO__N_MAP ? "a mapping" : k == SCO__N_SEQ ? "a sequence" : "a single value",
         got);
    free(got);
    return false;
}

static const char *scalar(struct ctx *cx, const struct sco__node *n, const char *what)
{
    if (!n || !want_kind(cx, n, SCO__N_SCALAR, what))
        return NULL;
    return n->str;
}

static bool read_duration(struct ctx *cx, const struct sco__node *n, const char *what,
                          double *out)
{
    if (n->kind == SCO__N_SCALAR && sco__duration_parse(n->str, out))
        return true;
    char *got = sco__node_describe(n);
    DIAG(cx, SCO_ERR_CONFIG, n,
         "%s expects a duration such as 90s, 20m or 1h30m (or none), got %s", what, got);
    free(got);
    return false;
}

static void read_run(struct ctx *cx, struct sco__node *run)
{
    static const char *const keys[] = { "date",       "output",      "device", "threads",
                                        "seed",       "log_format",  "tf32",   "plugin_path",
                                        "stage_timeout" };
    struct sco__config *c = cx->c;
    if (!want_kind(cx, run, SCO__N_MAP, "'run'"))
        return;
    check_keys(cx, run, "'run'", keys, SCO_COUNT(keys));
    struct sco__node *n;
    if ((n = sco__map_get(run, "date")) && !n->null) {
        const char *s = scalar(cx, n, "run.date");
        if (s && sco_date_parse(s, strlen(s), &c->date) != 0)
            DIAG(cx, SCO_ERR_CONFIG, n, "run.date '%s' is not a date; write YYYY-MM-DD", s);
        else if (s)
            c->has_date = true;
    }
    if ((n = sco__map_get(run, "output"))) {
        const char *s = scalar(cx, n, "run.output");
        if (s && !*s)
            DIAG(cx, SCO_ERR_CONFIG, n, "run.output is empty; give a folder such as out/{date}");
        else if (s) {
            free(c->output);
            c->output = sco__xstrdup(s);
            c->output_node = n;
        }
    }
    if ((n = sco__map_get(run, "device"))) {
        static const char *const devs[] = { "auto", "cpu", "cuda" };
        const char *s = scalar(cx, n, "run.device");
        if (s && strcmp(s, "auto") && strcmp(s, "cpu") && strcmp(s, "cuda")) {
            struct sco__buf b = { 0 };
            sco__buf_printf(&b, "run.device '%s' is not auto, cpu or cuda", s);
            sco__buf_suggest(&b, s, devs, 3);
            DIAG(cx, SCO_ERR_CONFIG, n, "%s", b.s);
            sco__buf_fini(&b);
        } else if (s) {
            free(c->device);
            c->device = sco__xstrdup(s);
            c->device_node = n;
        }
    }
    if ((n = sco__map_get(run, "threads"))) {
        int64_t v;
        if (!sco__node_i64(n, &v) || v < 0 || v > 4096) {
            char *got = sco__node_describe(n);
            DIAG(cx, SCO_ERR_CONFIG, n,
                 "run.threads expects an integer from 0 (all cores) to 4096, got %s", got);
            free(got);
        } else {
            c->threads = (int)v;
        }
    }
    if ((n = sco__map_get(run, "seed"))) {
        int64_t v;
        if (!sco__node_i64(n, &v) || v < 0) {
            char *got = sco__node_describe(n);
            DIAG(cx, SCO_ERR_CONFIG, n, "run.seed expects a non-negative integer, got %s", got);
            free(got);
        } else {
            c->seed = (uint64_t)v;
        }
    }
    if ((n = sco__map_get(run, "log_format"))) {
        const char *s = scalar(cx, n, "run.log_format");
        if (s && strcmp(s, "text") && strcmp(s, "json"))
            DIAG(cx, SCO_ERR_CONFIG, n, "run.log_format '%s' is not text or json", s);
        else if (s) {
            c->log_json = strcmp(s, "json") == 0;
            c->has_log_format = true;
        }
    }
    if ((n = sco__map_get(run, "tf32"))) {
        if (!sco__node_bool(n, &c->tf32)) {
            char *got = sco__node_describe(n);
            DIAG(cx, SCO_ERR_CONFIG, n, "run.tf32 expects true or false, got %s", got);
            free(got);
        }
    }
    if ((n = sco__map_get(run, "stage_timeout")) && !n->null) {
        if (!read_duration(cx, n, "run.stage_timeout", &c->stage_timeout))
            c->stage_timeout = 0;
        else
            c->stage_timeout_node = n;
    }
    if ((n = sco__map_get(run, "plugin_path")) && !n->null) {
        struct sco__node one = *n, *items[1] = { n };
        struct sco__node *list = n;
        if (n->kind == SCO__N_SCALAR) { /* a single folder is fine too */
            one.kind = SCO__N_SEQ;
            one.n = 1;
            one.vals = items;
            list = &one;
        }
        if (want_kind(cx, list, SCO__N_SEQ, "run.plugin_path")) {
            for (size_t i = 0; i < list->n; i++) {
                const char *s = scalar(cx, list->vals[i], "run.plugin_path entry");
                if (!s)
                    continue;
                c->plugin_path =
                    sco__xrealloc(c->plugin_path, (c->n_plugin_path + 1) * sizeof(char *));
                c->plugin_path[c->n_plugin_path++] = sco__path_join(c->dir, s);
            }
        }
    }
}

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return false;
    return true;
}

static void read_sources(struct ctx *cx, struct sco__node *srcs)
{
    static const char *const keys[] = { "kind", "path", "columns" };
    struct sco__config *c = cx->c;
    if (!want_kind(cx, srcs, SCO__N_MAP, "'sources'"))
        return;
    c->sources = sco__xcalloc(srcs->n, sizeof *c->sources);
    for (size_t i = 0; i < srcs->n; i++) {
        struct sco__node *k = srcs->keys[i], *v = srcs->vals[i];
        if (!valid_name(k->str)) {
            DIAG(cx, SCO_ERR_CONFIG, k,
                 "source name '%s' may use only letters, digits, '_' and '-'", k->str);
            continue;
        }
        char where[300];
        snprintf(where, sizeof where, "source '%s'", k->str);
        if (!want_kind(cx, v, SCO__N_MAP, where))
            continue;
        check_keys(cx, v, where, keys, SCO_COUNT(keys));
        struct sco__source *s = &c->sources[c->n_sources++];
        s->name = sco__xstrdup(k->str);
        s->node = k;
        struct sco__node *n = sco__map_get(v, "kind");
        const char *kind = n ? scalar(cx, n, "kind") : "csv";
        s->kind = sco__xstrdup(kind ? kind : "csv");
        if (kind && strcmp(kind, "csv") != 0) {
            static const char *const kinds[] = { "csv" };
            struct sco__buf b = { 0 };
            sco__buf_printf(&b, "source '%s' has kind '%s', which this sco cannot read", s->name,
                            kind);
            sco__buf_suggest(&b, kind, kinds, 1);
            sco__buf_puts(&b, "; use kind: csv");
            DIAG(cx, SCO_ERR_CONFIG, n, "%s", b.s);
            sco__buf_fini(&b);
        }
        n = sco__map_get(v, "path");
        if (!n) {
            DIAG(cx, SCO_ERR_CONFIG, k, "source '%s' has no 'path'; add path: FILE.csv",
                 s->name);
        } else {
            const char *p = scalar(cx, n, "path");
            if (p) {
                s->path = sco__path_join(c->dir, p);
                s->path_node = n;
            }
        }
        n = sco__map_get(v, "columns");
        if (n && !n->null && want_kind(cx, n, SCO__N_MAP, "columns")) {
            s->col_names = sco__xcalloc(n->n, sizeof *s->col_names);
            s->col_types = sco__xcalloc(n->n, sizeof *s->col_types);
            s->col_nodes = sco__xcalloc(n->n, sizeof *s->col_nodes);
            for (size_t j = 0; j < n->n; j++) {
                static const char *const types[] = { "i64", "f64", "str", "date", "int",
                                                     "float", "string" };
                const char *t = scalar(cx, n->vals[j], "column type");
                enum sco_col_type ct;
                if (!t)
                    continue;
                if (!sco__col_type_parse(t, &ct)) {
                    struct sco__buf b = { 0 };
                    sco__buf_printf(&b, "column '%s' has unknown type '%s'", n->keys[j]->str, t);
                    sco__buf_suggest(&b, t, types, SCO_COUNT(types));
                    sco__buf_puts(&b, "; use i64, f64, str or date");
                    DIAG(cx, SCO_ERR_CONFIG, n->vals[j], "%s", b.s);
                    sco__buf_fini(&b);
                    continue;
                }
                s->col_names[s->n_cols] = sco__xstrdup(n->keys[j]->str);
                s->col_types[s->n_cols] = ct;
                s->col_nodes[s->n_cols] = n->vals[j];
                s->n_cols++;
            }
        }
    }
}

static void read_ports(struct ctx *cx, struct sco__node *n, const char *what,
                       struct sco__port_map **out, size_t *n_out)
{
    if (!n || n->null || !want_kind(cx, n, SCO__N_MAP, what))
        return;
    *out = sco__xcalloc(n->n, sizeof **out);
    for (size_t i = 0; i < n->n; i++) {
        const char *t = scalar(cx, n->vals[i], "table name");
        if (!t)
            continue;
        if (!valid_name(t)) {
            DIAG(cx, SCO_ERR_CONFIG, n->vals[i],
                 "table name '%s' may use only letters, digits, '_' and '-'", t);
            continue;
        }
        struct sco__port_map *pm = &(*out)[(*n_out)++];
        pm->port = sco__xstrdup(n->keys[i]->str);
        pm->table = sco__xstrdup(t);
        pm->node = n->vals[i];
    }
}

static void read_stages(struct ctx *cx, struct sco__node *stages)
{
    static const char *const keys[] = { "plugin", "inputs", "outputs", "config", "write",
                                        "timeout" };
    struct sco__config *c = cx->c;
    if (!want_kind(cx, stages, SCO__N_MAP, "'stages'"))
        return;
    c->stages = sco__xcalloc(stages->n, sizeof *c->stages);
    for (size_t i = 0; i < stages->n; i++) {
        struct sco__node *k = stages->keys[i], *v = stages->vals[i];
        if (!valid_name(k->str)) {
            DIAG(cx, SCO_ERR_CONFIG, k,
                 "stage name '%s' may use only letters, digits, '_' and '-'", k->str);
            continue;
        }
        struct sco__stage_cfg *s = &c->stages[c->n_stages++];
        s->name = sco__xstrdup(k->str);
        s->node = k;
        s->write_all = true;
        char where[300];
        snprintf(where, sizeof where, "stage '%s'", k->str);
        if (v->null) { /* "forecast:" alone: plugin of the same name, defaults */
            s->plugin = sco__xstrdup(s->name);
            continue;
        }
        if (!want_kind(cx, v, SCO__N_MAP, where)) {
            s->plugin = sco__xstrdup(s->name);
            continue;
        }
        check_keys(cx, v, where, keys, SCO_COUNT(keys));
        struct sco__node *n = sco__map_get(v, "plugin");
        const char *p = n ? scalar(cx, n, "plugin") : NULL;
        s->plugin = sco__xstrdup(p ? p : s->name);
        s->plugin_node = n;
        if (p && !valid_name(p))
            DIAG(cx, SCO_ERR_CONFIG, n,
                 "plugin name '%s' may use only letters, digits, '_' and '-'", p);
        read_ports(cx, sco__map_get(v, "inputs"), "inputs", &s->inputs, &s->n_inputs);
        read_ports(cx, sco__map_get(v, "outputs"), "outputs", &s->outputs, &s->n_outputs);
        n = sco__map_get(v, "config");
        if (n && !n->null && want_kind(cx, n, SCO__N_MAP, "config"))
            s->config = n;
        n = sco__map_get(v, "timeout");
        if (n && !n->null) {
            char what[300];
            snprintf(what, sizeof what, "stages.%s.timeout", s->name);
            if (read_duration(cx, n, what, &s->timeout)) {
                s->has_timeout = true;
                s->timeout_node = n;
            }
        }
        n = sco__map_get(v, "write");
        if (n) {
            s->write_node = n;
            bool b;
            if (n->kind == SCO__N_SCALAR && sco__node_bool(n, &b)) {
                s->write_all = b;
            } else if (n->kind == SCO__N_SEQ) {
                s->write_all = false;
                s->write = sco__xcalloc(n->n, sizeof *s->write);
                for (size_t j = 0; j < n->n; j++) {
                    const char *t = scalar(cx, n->vals[j], "write entry");
                    if (t)
                        s->write[s->n_write++] = sco__xstrdup(t);
                }
            } else {
                char *got = sco__node_describe(n);
                DIAG(cx, SCO_ERR_CONFIG, n,
                     "write expects true, false or a list of table names, got %s", got);
                free(got);
            }
        }
    }
}

bool sco__duration_parse(const char *s, double *out)
{
    if (strcmp(s, "none") == 0) {
        *out = 0;
        return true;
    }
    double total = 0;
    const char *p = s;
    if (!*p)
        return false;
    while (*p) {
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return false;
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !(v >= 0))
            return false;
        p = end;
        double unit;
        if (strncmp(p, "ms", 2) == 0) {
            unit = 0.001;
            p += 2;
        } else if (*p == 's' || *p == 'm' || *p == 'h') {
            unit = *p == 's' ? 1 : *p == 'm' ? 60 : 3600;
            p++;
        } else {
            return false; /* a bare number: the unit is not obvious */
        }
        total += v * unit;
    }
    if (!(total > 0) || total > 366.0 * 86400)
        return false;
    *out = total;
    return true;
}

void sco__duration_format(double sec, char buf[32])
{
    long long ms = (long long)(sec * 1000 + 0.5);
    if (ms % 1000) {
        if (ms < 1000)
            snprintf(buf, 32, "%lldms", ms);
        else
            snprintf(buf, 32, "%gs", (double)ms / 1000);
        return;
    }
    long long s = ms / 1000, h = s / 3600, m = s % 3600 / 60, r = s % 60;
    int n = 0;
    buf[0] = '\0';
    if (h)
        n += snprintf(buf + n, (size_t)(32 - n), "%lldh", h);
    if (m)
        n += snprintf(buf + n, (size_t)(32 - n), "%lldm", m);
    if (r || !s)
        snprintf(buf + n, (size_t)(32 - n), "%llds", r);
}

double sco__stage_timeout(const struct sco__config *c, const struct sco__stage_cfg *s,
                          char **key)
{
    if (key)
        *key = s->has_timeout ? sco__xasprintf("stages.%s.timeout", s->name)
                              : sco__xstrdup("run.stage_timeout");
    return s->has_timeout ? s->timeout : c->stage_timeout;
}

int sco__config_load(const char *path, struct sco__config **out, struct sco__diags *d,
                     struct sco_err *err)
{
    struct sco__config *c = sco__xcalloc(1, sizeof *c);
    struct ctx cx = { .c = c, .d = d ? d : NULL };
    size_t first = d ? d->n : 0;
    if (!d)
        cx.d = &cx.local;
    *out = c;
    c->path = sco__xstrdup(path);
    c->dir = sco__path_dir(path);
    c->output = sco__xstrdup("out/{date}");
    c->device = sco__xstrdup("auto");
    c->seed = 42;

    int rc = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        rc = sco_err_set(err, e == ENOENT ? SCO_ERR_NOINPUT : SCO_ERR_CONFIG,
                         "cannot read config '%s': %s", path, strerror(e));
        goto hard;
    }
    struct sco__buf text = { 0 };
    char chunk[8192];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        sco__buf_putn(&text, chunk, r);
    fclose(f);
    /* the hash covers the file as written (before ${ENV}), so secrets never reach it */
    uint8_t dig[32];
    sco__sha256(text.s ? text.s : "", text.len, dig);
    for (int i = 0; i < 32; i++)
        snprintf(c->sha256 + 2 * i, 3, "%02x", dig[i]);

    rc = sco__yaml_parse(text.s ? text.s : "", text.len, path, true, &c->root, err);
    sco__buf_fini(&text);
    if (rc)
        goto hard;
    if (!c->root || c->root->null) {
        rc = sco_err_set(err, SCO_ERR_CONFIG,
                         "%s:1:1: configuration is empty; it needs at least 'stages'", path);
        goto hard;
    }
    if (!want_kind(&cx, c->root, SCO__N_MAP, "the configuration"))
        goto done;
    static const char *const top[] = { "run", "sources", "stages" };
    check_keys(&cx, c->root, "the configuration", top, SCO_COUNT(top));
    struct sco__node *n;
    if ((n = sco__map_get(c->root, "run")) && !n->null)
        read_run(&cx, n);
    if ((n = sco__map_get(c->root, "sources")) && !n->null)
        read_sources(&cx, n);
    /* no stages is valid: check-config then checks the sources alone */
    if ((n = sco__map_get(c->root, "stages")) && !n->null)
        read_stages(&cx, n);
done:
    sco__diags_sort(cx.d, first);
    if (cx.d->n > first) {
        rc = cx.d->code[first];
        /* err carries the first message; the diags list carries all of them */
        snprintf(err->msg, sizeof err->msg, "%s", cx.d->msg[first]);
        err->code = rc;
    }
    sco__diags_fini(&cx.local);
    return rc;
hard:
    /* a message that already names its position goes to the list as it is */
    if (d) {
        sco__diag(d, rc, "", NULL, "%s", "");
        free(d->msg[d->n - 1]);
        d->msg[d->n - 1] = sco__xstrdup(err->msg);
    }
    sco__diags_fini(&cx.local);
    return rc;
}

void sco__config_free(struct sco__config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_sources; i++) {
        struct sco__source *s = &c->sources[i];
        free(s->name);
        free(s->kind);
        free(s->path);
        for (size_t j = 0; j < s->n_cols; j++)
            free(s->col_names[j]);
        free(s->col_names);
        free(s->col_types);
        free(s->col_nodes);
    }
    free(c->sources);
    for (size_t i = 0; i < c->n_stages; i++) {
        struct sco__stage_cfg *s = &c->stages[i];
        free(s->name);
        free(s->plugin);
        for (size_t j = 0; j < s->n_inputs; j++) {
            free(s->inputs[j].port);
            free(s->inputs[j].table);
        }
        for (size_t j = 0; j < s->n_outputs; j++) {
            free(s->outputs[j].port);
            free(s->outputs[j].table);
        }
        free(s->inputs);
        free(s->outputs);
        for (size_t j = 0; j < s->n_write; j++)
            free(s->write[j]);
        free(s->write);
    }
    free(c->stages);
    for (size_t i = 0; i < c->n_plugin_path; i++)
        free(c->plugin_path[i]);
    free(c->plugin_path);
    sco__node_free(c->root);
    free(c->path);
    free(c->dir);
    free(c->output);
    free(c->device);
    free(c);
}

struct sco__source *sco__config_source(const struct sco__config *c, const char *name)
{
    for (size_t i = 0; i < c->n_sources; i++)
        if (strcmp(c->sources[i].name, name) == 0)
            return &c->sources[i];
    return NULL;
}

struct sco__stage_cfg *sco__config_stage(const struct sco__config *c, const char *name)
{
    for (size_t i = 0; i < c->n_stages; i++)
        if (strcmp(c->stages[i].name, name) == 0)
            return &c->stages[i];
    return NULL;
}

bool sco__stage_writes(const struct sco__stage_cfg *s, const char *table)
{
    if (s->write_all)
        return true;
    for (size_t i = 0; i < s->n_write; i++)
        if (strcmp(s->write[i], table) == 0)
            return true;
    return false;
}
