/* worker.c: the host API given to plugins, and the worker that runs stages in order,
 * passing tables in memory and writing outputs into the staging folder. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef SCO_HAVE_RUNTIME
#include "runtime/runtime-host.h"
#endif
#include "exitcode.h"
#include "hostapi.h"
#include "log.h"
#include "sco-tables.h"
#include "stagecfg.h"
#include "util.h"

volatile sig_atomic_t sco__cancel_flag;
volatile sig_atomic_t sco__timeout_stage = -1;

const char *sco__status_name(enum sco__status s)
{
    switch (s) {
    case SCO__ST_PENDING: return "not_run";
    case SCO__ST_OK: return "ok";
    case SCO__ST_FAILED: return "failed";
    case SCO__ST_CRASHED: return "crashed";
    case SCO__ST_SKIPPED: return "skipped";
    case SCO__ST_CANCELLED: return "cancelled";
    case SCO__ST_NOT_SELECTED: return "not_selected";
    case SCO__ST_TIMED_OUT: return "timed_out";
    }
    return "?";
}

/* A table known to the worker by name: a source, or a stage's published output. */
struct named_table {
    char *name;
    struct sco_table *t;
};

struct worker {
    struct sco__run *run;
    int event_fd;
    struct named_table *tables;
    size_t n_tables;
    struct sco_arena *strings; /* run-long: resolved paths, lists handed to plugins */
    struct sco_runtime *rt;
};

struct open_file {
    struct sco_outfile *of;
    FILE *f;
    char *rel; /* as the plugin named it, relative to the output folder */
};

struct sco_ctx {
    struct worker *w;
    size_t stage;
    struct sco_run_info info;
    struct sco_arena *arena;
    const struct sco_table **in; /* per input port */
    struct sco_table **out;      /* per output port, published */
    struct sco_table **created;
    size_t n_created;
    struct open_file *files;
    size_t n_files;
    struct sco__buf committed; /* files committed, SCO__FILE_SEP-separated */
};

static struct sco__stage *ctx_stage(struct sco_ctx *ctx)
{
    return &ctx->w->run->pipe->stages[ctx->stage];
}

static const char *ctx_name(struct sco_ctx *ctx)
{
    return ctx ? ctx_stage(ctx)->cfg->name : NULL;
}

/* ---- host API: logging, info ------------------------------------------------------------ */
static void api_log(struct sco_ctx *ctx, enum sco_log_level lvl, const char *fmt, ...)
    SCO_PRINTF(3, 4);
static void api_log(struct sco_ctx *ctx, enum sco_log_level lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sco__host_logv(ctx_name(ctx), lvl, fmt ? fmt : "", ap);
    va_end(ap);
}

static const struct sco_run_info *api_run_info(struct sco_ctx *ctx)
{
    return &ctx->info;
}

/* ---- host API: config ------------------------------------------------------------------- */
static int cfg_lookup(struct sco_ctx *ctx, const char *key, const struct sco__node **n,
                      const struct sco_config_key **decl, bool *from_yaml, struct sco_err *err)
{
    struct sco__stage *st = ctx_stage(ctx);
    *n = sco__stage_value(st->cfg, st->plugin, key, decl, from_yaml);
    if (!*decl)
        return sco_err_set(err, SCO_ERR_INTERNAL,
                           "plugin '%s' asked for config key '%s', which it does not declare; "
                           "fix the plugin",
                           st->plugin->desc->name, key);
    if (!*n)
        return sco_err_set(err, SCO_ERR_NOINPUT, "stage '%s' has no value for config key '%s'",
                           st->cfg->name, key);
    return 0;
}

static int type_error(struct sco_ctx *ctx, const char *key, const struct sco__node *n,
                      bool from_yaml, const char *want, struct sco_err *err)
{
    struct sco__stage *st = ctx_stage(ctx);
    char *got = sco__node_describe(n);
    int rc;
    if (from_yaml)
        rc = sco_err_set(err, SCO_ERR_CONFIG, "%s:%d:%d: %s.%s: expected %s, got %s",
                         ctx->w->run->cfg->path, n->line, n->col, st->cfg->name, key, want, got);
    else
        rc = sco_err_set(err, SCO_ERR_CONFIG, "plugin '%s' default of '%s' is not %s",
                         st->plugin->desc->name, key, want);
    free(got);
    return rc;
}

static int api_cfg_str(struct sco_ctx *ctx, const char *key, const char **out,
                       struct sco_err *err)
{
    const struct sco__node *n;
    const struct sco_config_key *decl;
    bool y;
    int rc = cfg_lookup(ctx, key, &n, &decl, &y, err);
    if (rc)
        return rc;
    if (n->kind != SCO__N_SCALAR)
        return type_error(ctx, key, n, y, "a string", err);
    if (decl->type == SCO_CFG_PATH) { /* defaults too: relative to the config's folder */
        char *p = sco__path_join(ctx->w->run->cfg->dir, n->str);
        *out = sco__arena_strdup(ctx->w->strings, p);
        free(p);
        if (!*out)
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    } else {
        *out = n->null && decl->type == SCO_CFG_STR ? "" : n->str;
    }
    return 0;
}

static int api_cfg_i64(struct sco_ctx *ctx, const char *key, int64_t *out, struct sco_err *err)
{
    const struct sco__node *n;
    const struct sco_config_key *decl;
    bool y;
    int rc = cfg_lookup(ctx, key, &n, &decl, &y, err);
    if (rc)
        return rc;
    if (!sco__node_i64(n, out))
        return type_error(ctx, key, n, y, "an integer", err);
    return 0;
}

static int api_cfg_f64(struct sco_ctx *ctx, const char *key, double *out, struct sco_err *err)
{
    const struct sco__node *n;
    const struct sco_config_key *decl;
    bool y;
    int rc = cfg_lookup(ctx, key, &n, &decl, &y, err);
    if (rc)
        return rc;
    if (!sco__node_f64(n, out))
        return type_error(ctx, key, n, y, "a number", err);
    return 0;
}

static int api_cfg_bool(struct sco_ctx *ctx, const char *key, bool *out, struct sco_err *err)
{
    const struct sco__node *n;
    const struct sco_config_key *decl;
    bool y;
    int rc = cfg_lookup(ctx, key, &n, &decl, &y, err);
    if (rc)
        return rc;
    if (!sco__node_bool(n, out))
        return type_error(ctx, key, n, y, "true or false", err);
    return 0;
}

/* items of a list value; a single scalar is a one-item list */
static size_t list_items(const struct sco__node *n, const struct sco__node *const **items)
{
    static __thread const struct sco__node *one;
    if (n->kind == SCO__N_SEQ) {
        *items = (const struct sco__node *const *)n->vals;
        return n->n;
    }
    one = n;
    *items = &one;
    return 1;
}

static int api_cfg_f64_list(struct sco_ctx *ctx, const char *key, const double **vals,
                            size_t *count, struct sco_err *err)
{
    const struct sco__node *n;
    const struct sco_config_key *decl;
    bool y;
    int rc = cfg_lookup(ctx, key, &n, &decl, &y, err);
    if (rc)
        return rc;
    if (n->kind == SCO__N_MAP)
        return type_error(ctx, key, n, y, "a list of numbers", err);
    const struct sco__node *const *items;
    size_t m = list_items(n, &items);
    double *v = sco__arena_alloc(ctx->w->strings, (m ? m : 1) * sizeof *v, 0);
    if (!v)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m; i++)
        if (!sco__node_f64(items[i], &v[i]))
            return type_error(ctx, key, items[i], y, "a number", err);
    *vals = v;
    *count = m;
    return 0;
}

static int api_cfg_str_list(struct sco_ctx *ctx, const char *key, const char *const **vals,
                            size_t *count, struct sco_err *err)
{
    const struct sco__node *n;
    const struct sco_config_key *decl;
    bool y;
    int rc = cfg_lookup(ctx, key, &n, &decl, &y, err);
    if (rc)
        return rc;
    if (n->kind == SCO__N_MAP)
        return type_error(ctx, key, n, y, "a list of strings", err);
    const struct sco__node *const *items;
    size_t m = list_items(n, &items);
    const char **v = sco__arena_alloc(ctx->w->strings, (m + 1) * sizeof *v, 0);
    if (!v)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m; i++) {
        if (items[i]->kind != SCO__N_SCALAR)
            return type_error(ctx, key, items[i], y, "a string", err);
        v[i] = items[i]->str;
    }
    *vals = v;
    *count = m;
    return 0;
}

static int api_cfg_error(struct sco_ctx *ctx, const char *key, struct sco_err *err,
                         const char *fmt, ...) SCO_PRINTF(4, 5);
static int api_cfg_error(struct sco_ctx *ctx, const char *key, struct sco_err *err,
                         const char *fmt, ...)
{
    struct sco__stage *st = ctx_stage(ctx);
    const struct sco__node *at = key ? sco__map_get(st->cfg->config, key) : NULL;
    if (!at)
        at = st->cfg->config ? st->cfg->config : st->cfg->node;
    char msg[SCO_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt ? fmt : "", ap);
    va_end(ap);
    return sco_err_set(err, SCO_ERR_CONFIG, "%s:%d:%d: %s.%s: %s", ctx->w->run->cfg->path,
                       at->line, at->col, st->cfg->name, key ? key : "config", msg);
}

/* ---- host API: tables ------------------------------------------------------------------- */
static int port_index(const struct sco_port *ports, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (name && strcmp(ports[i].name, name) == 0)
            return (int)i;
    return -1;
}

static const struct sco_table *api_input(struct sco_ctx *ctx, const char *port)
{
    const struct sco_plugin_desc *d = ctx_stage(ctx)->plugin->desc;
    int i = port_index(d->inputs, d->n_inputs, port);
    if (i < 0) {
        sco__host_log(ctx_name(ctx), SCO_LOG_WARN, "plugin '%s' asked for undeclared input '%s'",
                 d->name, port ? port : "(null)");
        return NULL;
    }
    return ctx->in[i];
}

static struct sco_table *api_create(struct sco_ctx *ctx, const char *name,
                                    const struct sco_column_spec *cols, size_t n_cols)
{
    struct sco_err e = { 0 };
    struct sco_table *t = sco__table_new(name ? name : "table", cols, n_cols, &e);
    if (!t) {
        sco__host_log(ctx_name(ctx), SCO_LOG_ERROR, "cannot create table '%s': %s",
                 name ? name : "", e.msg);
        return NULL;
    }
    char label[256];
    snprintf(label, sizeof label, "stage %s", ctx_name(ctx));
    sco__table_set_origin(t, label, NULL);
    ctx->created = sco__xrealloc(ctx->created, (ctx->n_created + 1) * sizeof *ctx->created);
    ctx->created[ctx->n_created++] = t;
    return t;
}

static int api_output(struct sco_ctx *ctx, const char *port, struct sco_table *t,
                      struct sco_err *err)
{
    struct sco__stage *st = ctx_stage(ctx);
    const struct sco_plugin_desc *d = st->plugin->desc;
    int i = port_index(d->outputs, d->n_outputs, port);
    if (i < 0)
        return sco_err_set(err, SCO_ERR_INTERNAL,
                           "plugin '%s' published undeclared output '%s'; declare it", d->name,
                           port ? port : "(null)");
    bool ours = false;
    for (size_t k = 0; k < ctx->n_created && !ours; k++)
        ours = ctx->created[k] == t;
    if (!t || !ours)
        return sco_err_set(err, SCO_ERR_INTERNAL,
                           "stage '%s' output '%s': the table was not made with tables->create "
                           "in this stage",
                           st->cfg->name, port);
    if (ctx->out[i])
        return sco_err_set(err, SCO_ERR_INTERNAL, "stage '%s' published output '%s' twice",
                           st->cfg->name, port);
    char who[300];
    snprintf(who, sizeof who, "stage '%s' output '%s'", st->cfg->name, port);
    int rc = sco__table_check_columns(t, d->outputs[i].columns, d->outputs[i].n_columns, who,
                                      err);
    if (rc)
        return rc;
    if ((rc = sco__table_set_name(t, st->out[i], err)))
        return rc;
    ctx->out[i] = t;
    return 0;
}

/* ---- host API: files, arena, progress, cancel, runtime ---------------------------------- */
static FILE *api_file_create(struct sco_ctx *ctx, const char *relpath, struct sco_err *err)
{
    if (!relpath || !*relpath || relpath[0] == '/') {
        sco_err_set(err, SCO_ERR_INVALID, "file_create: '%s' must be a relative path",
                    relpath ? relpath : "(null)");
        return NULL;
    }
    for (const char *p = relpath; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            sco_err_set(err, SCO_ERR_INVALID,
                        "file_create: '%s' may not contain control characters", relpath);
            return NULL;
        }
    for (const char *p = relpath; *p;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if ((len == 2 && p[0] == '.' && p[1] == '.') || len == 0) {
            sco_err_set(err, SCO_ERR_INVALID, "file_create: '%s' may not contain '..' or '//'",
                        relpath);
            return NULL;
        }
        p += len + (slash ? 1 : 0);
    }
    char *final = sco__path_join(ctx->w->run->staging, relpath);
    struct sco_outfile *of = NULL;
    int rc = sco__outfile_open(final, &of, err);
    free(final);
    if (rc)
        return NULL;
    ctx->files = sco__xrealloc(ctx->files, (ctx->n_files + 1) * sizeof *ctx->files);
    ctx->files[ctx->n_files].of = of;
    ctx->files[ctx->n_files].f = sco__outfile_stream(of);
    ctx->files[ctx->n_files].rel = sco__xstrdup(relpath);
    return ctx->files[ctx->n_files++].f;
}

static int api_file_commit(struct sco_ctx *ctx, FILE *f, struct sco_err *err)
{
    for (size_t i = 0; i < ctx->n_files; i++) {
        if (ctx->files[i].f != f)
            continue;
        struct sco_outfile *of = ctx->files[i].of;
        char *rel = ctx->files[i].rel;
        ctx->files[i] = ctx->files[--ctx->n_files];
        int rc = sco__outfile_commit(of, err);
        if (rc == 0)
            sco__buf_printf(&ctx->committed, "%s%s", ctx->committed.len ? SCO__FILE_SEP_S : "",
                            rel);
        free(rel);
        return rc;
    }
    return sco_err_set(err, SCO_ERR_INVALID, "file_commit: not a stream from file_create");
}

static void *api_arena_alloc(struct sco_ctx *ctx, size_t n, size_t align)
{
    return sco__arena_alloc(ctx->arena, n, align);
}

static void api_progress(struct sco_ctx *ctx, double done, double total, const char *note)
{
    sco__progress(ctx_name(ctx), done, total, note);
}

static bool api_cancelled(struct sco_ctx *ctx)
{
    return sco__cancel_flag != 0 || sco__timeout_stage == (sig_atomic_t)ctx->stage;
}

static struct sco_runtime *api_runtime(struct sco_ctx *ctx)
{
    return ctx ? ctx->w->rt : NULL;
}

static struct sco_table_api table_api;
static struct sco_host_api host_api;

const struct sco_host_api *sco__host_api(void)
{
    if (!host_api.size) {
        table_api = *sco__table_api();
        table_api.create = api_create;
        host_api = (struct sco_host_api){
            .abi_version = SCO_ABI_VERSION,
            .size = sizeof(struct sco_host_api),
            .log_msg = api_log,
            .run_info = api_run_info,
            .cfg_str = api_cfg_str,
            .cfg_i64 = api_cfg_i64,
            .cfg_f64 = api_cfg_f64,
            .cfg_bool = api_cfg_bool,
            .cfg_f64_list = api_cfg_f64_list,
            .cfg_str_list = api_cfg_str_list,
            .cfg_error = api_cfg_error,
            .input = api_input,
            .output = api_output,
            .tables = &table_api,
            .file_create = api_file_create,
            .file_commit = api_file_commit,
            .arena_alloc = api_arena_alloc,
            .progress = api_progress,
            .cancelled = api_cancelled,
#ifdef SCO_HAVE_RUNTIME
            .rt = sco_runtime_api_table(),
#else
            .rt = NULL,
#endif
            .runtime = api_runtime,
        };
    }
    return &host_api;
}

/* ---- events to the parent --------------------------------------------------------------- */
static void clean_field(struct sco__buf *b, const char *s)
{
    for (; s && *s; s++)
        sco__buf_putc(b, (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
}

static void emit(struct worker *w, const char *fmt, ...) SCO_PRINTF(2, 3);
static void emit(struct worker *w, const char *fmt, ...)
{
    if (w->event_fd < 0)
        return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    /* one write of at most PIPE_BUF bytes is atomic */
    const char *p = line;
    while (n > 0) {
        ssize_t r = write(w->event_fd, p, (size_t)n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        p += r;
        n -= (int)r;
    }
}

static void emit_end(struct worker *w, size_t idx)
{
    struct sco__stage_state *s = &w->run->st[idx];
    struct sco__buf b = { 0 };
    clean_field(&b, s->error);
    emit(w, "END\t%zu\t%d\t%d\t%d\t%.6f\t%.6f\t%lld\t%lld\t%s\t%s", idx, (int)s->status,
         s->code, (int)s->write_failed, s->started, s->duration, (long long)s->rows_in,
         (long long)s->rows_out,
         s->outputs ? s->outputs : "", b.s ? b.s : "");
    sco__buf_fini(&b);
}

/* ---- the worker ------------------------------------------------------------------------- */
static struct sco_table *find_table(struct worker *w, const char *name)
{
    for (size_t i = 0; i < w->n_tables; i++)
        if (strcmp(w->tables[i].name, name) == 0)
            return w->tables[i].t;
    return NULL;
}

static void add_table(struct worker *w, const char *name, struct sco_table *t)
{
    w->tables = sco__xrealloc(w->tables, (w->n_tables + 1) * sizeof *w->tables);
    w->tables[w->n_tables].name = sco__xstrdup(name);
    w->tables[w->n_tables++].t = t;
}

static int load_source(struct worker *w, const struct sco__source *src, struct sco_err *err)
{
    if (find_table(w, src->name))
        return 0;
    struct sco_table *t = NULL;
    char *path = sco__expand_date(src->path, w->run->date); /* data/{date}/orders.csv */
    int rc = sco__csv_read(path, src->name, &t, err);
    if (rc) {
        if (rc == SCO_ERR_NOINPUT || rc == SCO_ERR_IO) {
            /* name the YAML line that asked for the file */
            char msg[SCO_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            const struct sco__node *at = src->path_node ? src->path_node : src->node;
            sco_err_set(err, rc, "%s:%d:%d: source '%s': %s", w->run->cfg->path, at->line,
                        at->col, src->name, msg);
        }
        free(path);
        return rc;
    }
    for (size_t c = 0; c < src->n_cols; c++) {
        int ci = sco__table_col(t, src->col_names[c]);
        if (ci < 0) {
            const struct sco__node *at = src->col_nodes[c];
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s:%d:%d: source '%s' (%s) has no column '%s' declared under "
                             "columns:",
                             w->run->cfg->path, at->line, at->col, src->name, path,
                             src->col_names[c]);
            sco__table_free(t);
            free(path);
            return rc;
        }
        if ((rc = sco__table_coerce(t, ci, src->col_types[c], err))) {
            sco__table_free(t);
            free(path);
            return rc;
        }
    }
    sco__host_log(NULL, SCO_LOG_DEBUG, "read source '%s': %zu rows from %s", src->name, t->n_rows,
             path);
    free(path);
    add_table(w, src->name, t);
    return 0;
}

/* A table made by a stage that does not run in this worker: read back from the staging
 * folder (outputs of earlier workers, or of the previous run linked in for --only/--skip). */
static int reload_table(struct worker *w, const char *table, size_t producer,
                        struct sco_err *err)
{
    if (find_table(w, table))
        return 0;
    char *paths[2] = { sco__xasprintf("%s/%s.csv", w->run->staging, table),
                       sco__xasprintf("%s/.spill/%s.csv", w->run->staging, table) };
    int rc = SCO_ERR_NOINPUT;
    for (int i = 0; i < 2 && rc == SCO_ERR_NOINPUT; i++) {
        struct sco_table *t = NULL;
        if (access(paths[i], R_OK) != 0)
            continue;
        rc = sco__csv_read(paths[i], table, &t, err);
        if (rc == 0) {
            add_table(w, table, t);
            sco__host_log(NULL, SCO_LOG_DEBUG, "reloaded table '%s' from %s", table, paths[i]);
        }
    }
    if (rc == SCO_ERR_NOINPUT) {
        const char *pname = w->run->pipe->stages[producer].cfg->name;
        rc = sco_err_set(err, SCO_ERR_NOINPUT,
                         "table '%s' from stage '%s' is not available: that stage does not run "
                         "in this run and %s/%s.csv has no earlier copy; run stage '%s' too",
                         table, pname, w->run->out_final, table, pname);
    }
    free(paths[0]);
    free(paths[1]);
    return rc;
}

static void ctx_cleanup(struct sco_ctx *ctx)
{
    for (size_t i = 0; i < ctx->n_files; i++) {
        sco__host_log(ctx_name(ctx), SCO_LOG_WARN, "file '%s' was not committed; removed",
                 sco__outfile_path(ctx->files[i].of));
        sco__outfile_abort(ctx->files[i].of);
        free(ctx->files[i].rel);
    }
    free(ctx->files);
    sco__buf_fini(&ctx->committed);
    /* created tables not published are freed; published ones moved to the worker already */
    for (size_t i = 0; i < ctx->n_created; i++)
        sco__table_free(ctx->created[i]);
    free(ctx->created);
    free(ctx->in);
    free(ctx->out);
    sco__arena_free(ctx->arena);
}

static bool needed_later(struct worker *w, size_t producer, const char *table)
{
    struct sco__pipeline *p = w->run->pipe;
    for (size_t i = 0; i < p->n; i++) {
        if (!p->stages[i].selected || w->run->st[i].status != SCO__ST_PENDING)
            continue;
        for (size_t k = 0; k < p->stages[i].plugin->desc->n_inputs; k++)
            if (p->stages[i].in[k].stage == (int)producer &&
                strcmp(p->stages[i].in[k].table, table) == 0)
                return true;
    }
    return false;
}

/* The value of cell (c, row) of a typed column as text, for a STR view of it. */
static const char *cell_text(const struct sco_col *col, size_t row, char buf[64])
{
    switch (col->type) {
    case SCO_COL_I64:
        if (col->i64[row] == SCO_NULL_I64)
            return "";
        snprintf(buf, 64, "%lld", (long long)col->i64[row]);
        return buf;
    case SCO_COL_DATE: return sco_date_format(col->i64[row], buf);
    case SCO_COL_F64: return sco__f64_format(col->f64[row], buf);
    default: return col->str[row];
    }
}

/* A private copy of t in which the columns of `cols` that another consumer already typed
 * differently are converted to the type this stage declares: I64 <-> F64 (F64 only when it
 * holds whole numbers), any type -> STR (formatted as in CSV). Other columns are copied. */
static int typed_copy(struct sco_ctx *ctx, const struct sco_table *t,
                      const struct sco_column_spec *cols, size_t n, const char *who,
                      struct sco_table **out, struct sco_err *err)
{
    struct sco_column_spec *specs = sco__xcalloc(t->n_cols + 1, sizeof *specs);
    for (size_t c = 0; c < t->n_cols; c++) {
        specs[c].name = t->cols[c].name;
        specs[c].type = t->cols[c].type;
        for (size_t k = 0; k < n; k++)
            if (strcmp(cols[k].name, t->cols[c].name) == 0 &&
                !(t->cols[c].type == SCO_COL_DATE && cols[k].type == SCO_COL_I64))
                specs[c].type = cols[k].type;
    }
    struct sco_table *cp = sco__table_new(t->name, specs, t->n_cols, err);
    int rc = cp ? sco__table_add_rows(cp, t->n_rows, err) : err->code;
    if (cp && !rc)
        rc = sco__table_set_origin(cp, sco__table_origin(t), err);
    for (size_t c = 0; c < t->n_cols && !rc; c++) {
        const struct sco_col *from = &t->cols[c];
        struct sco_col *to = &cp->cols[c];
        char buf[64];
        for (size_t r = 0; r < t->n_rows && !rc; r++) {
            if (to->type == SCO_COL_STR) {
                rc = sco__table_set_str(cp, (int)c, r, cell_text(from, r, buf), err);
            } else if (to->type == from->type || (to->type == SCO_COL_I64 &&
                                                   from->type == SCO_COL_DATE)) {
                if (to->type == SCO_COL_F64)
                    to->f64[r] = from->f64[r];
                else
                    to->i64[r] = from->i64[r];
            } else if (to->type == SCO_COL_F64 && from->type == SCO_COL_I64) {
                to->f64[r] = from->i64[r] == SCO_NULL_I64 ? NAN : (double)from->i64[r];
            } else if (to->type == SCO_COL_I64 && from->type == SCO_COL_F64) {
                double v = from->f64[r];
                if (isnan(v))
                    to->i64[r] = SCO_NULL_I64;
                else if (v == floor(v) && fabs(v) < 9.0e18)
                    to->i64[r] = (int64_t)v;
                else
                    rc = sco_err_set(err, SCO_ERR_DATA,
                                     "%s: %s: column '%s': expected an integer, got %s", who,
                                     sco__table_row_origin(t, r), from->name,
                                     sco__f64_format(v, buf));
            } else {
                rc = sco_err_set(err, SCO_ERR_DATA,
                                 "%s: column '%s' is %s, expected %s; the table's producer or "
                                 "another stage declares it so",
                                 who, from->name, sco__col_type_name(from->type),
                                 sco__col_type_name(to->type));
            }
        }
    }
    free(specs);
    if (rc) {
        sco__table_free(cp);
        return rc;
    }
    /* freed with the stage's other tables */
    ctx->created = sco__xrealloc(ctx->created, (ctx->n_created + 1) * sizeof *ctx->created);
    ctx->created[ctx->n_created++] = cp;
    *out = cp;
    return 0;
}

/* Checks and types the input table *t for this stage. Text columns are typed in place (the
 * first reader parses, with file:line:column in errors, and the parsed values are shared);
 * a column some earlier reader typed differently is converted in a private copy, so no
 * stage changes the types another stage relies on. */
static int type_input(struct sco_ctx *ctx, struct sco_table **t, const struct sco_port *port,
                      const char *who, struct sco_err *err)
{
    bool copy = false;
    for (size_t k = 0; k < port->n_columns; k++) {
        int c = sco__table_col(*t, port->columns[k].name);
        if (c < 0)
            continue;
        enum sco_col_type have = (*t)->cols[c].type, want = port->columns[k].type;
        if (have == SCO_COL_STR && want != SCO_COL_STR) {
            int rc = sco__table_coerce(*t, c, want, err);
            if (rc) {
                /* name the consumer, keep the cell's position */
                char msg[SCO_ERR_MSG_MAX];
                snprintf(msg, sizeof msg, "%s", err->msg);
                return sco_err_set(err, rc, "%s (%s)", msg, who);
            }
        } else if (have != want && !(have == SCO_COL_DATE && want == SCO_COL_I64)) {
            copy = true;
        }
    }
    if (copy) {
        struct sco_table *cp = NULL;
        int rc = typed_copy(ctx, *t, port->columns, port->n_columns, who, &cp, err);
        if (rc)
            return rc;
        *t = cp;
    }
    return sco__table_check_columns(*t, port->columns, port->n_columns, who, err);
}

/* Runs stage idx; fills its state. Returns the stage's status. */
static void run_stage(struct worker *w, size_t idx)
{
    struct sco__run *run = w->run;
    struct sco__stage *st = &run->pipe->stages[idx];
    struct sco__stage_state *ss = &run->st[idx];
    const struct sco_plugin_desc *d = st->plugin->desc;
    struct sco_err err = { 0 };
    int rc = 0;
    bool output_phase = false;

    struct sco_ctx ctx = { .w = w, .stage = idx };
    ctx.info = (struct sco_run_info){
        .run_id = run->run_id,
        .run_date = run->date,
        .out_dir = run->staging,
        .config_dir = run->cfg->dir,
        .seed = run->cfg->seed,
        .threads = run->threads,
        .device = run->device[0] ? run->device : "cpu",
        .stage = st->cfg->name,
    };
    ctx.arena = sco__arena_new(0);
    ctx.in = sco__xcalloc(d->n_inputs + 1, sizeof *ctx.in);
    ctx.out = sco__xcalloc(d->n_outputs + 1, sizeof *ctx.out);
    ss->started = sco__now();
    double t0 = sco__mono();
    emit(w, "START\t%zu\t%.6f", idx, ss->started);
    sco__host_log(st->cfg->name, SCO_LOG_INFO, "started (plugin %s %s)", d->name, d->version);

    /* inputs: present, declared columns typed */
    for (size_t k = 0; k < d->n_inputs && !rc; k++) {
        const struct sco__binding *b = &st->in[k];
        struct sco_table *t = NULL;
        if (b->source >= 0) {
            t = find_table(w, b->table);
        } else if (b->stage >= 0) {
            t = find_table(w, b->table);
            if (!t && (rc = reload_table(w, b->table, (size_t)b->stage, &err)) == 0)
                t = find_table(w, b->table);
        }
        if (rc)
            break;
        if (!t) {
            if (!d->inputs[k].optional)
                rc = sco_err_set(&err, SCO_ERR_NOINPUT, "input '%s' (table '%s') is missing",
                                 d->inputs[k].name, b->table);
            continue;
        }
        char who[300];
        snprintf(who, sizeof who, "stage '%s' input '%s'", st->cfg->name, d->inputs[k].name);
        rc = type_input(&ctx, &t, &d->inputs[k], who, &err);
        ctx.in[k] = t;
        ss->rows_in += (int64_t)t->n_rows;
    }

    /* the plugin */
    void *state = NULL;
    bool inited = false;
    if (!rc) {
        state = calloc(1, d->state_size ? d->state_size : 1);
        if (!state)
            rc = sco_err_set(&err, SCO_ERR_NOMEM, "cannot allocate %zu bytes of plugin state",
                             d->state_size);
    }
    if (!rc && d->init) {
        inited = true;
        rc = d->init(&ctx, state, &err);
        if (rc && !err.msg[0])
            sco_err_set(&err, rc, "init failed");
    }
    if (!rc) {
        rc = d->run(&ctx, state, &err);
        if (rc && !err.msg[0])
            sco_err_set(&err, rc, "run failed");
        if (rc > 0)
            rc = sco_err_set(&err, SCO_ERR_INTERNAL, "run returned %d, not 0 or SCO_ERR_*: %s",
                             rc, err.msg);
    }
    if (inited && d->fini)
        d->fini(&ctx, state);
    free(state);
    sco__progress_clear();

    /* outputs: required ones published; written as CSV; kept for later stages */
    for (size_t k = 0; k < d->n_outputs && !rc; k++)
        if (!ctx.out[k] && !d->outputs[k].optional)
            rc = sco_err_set(&err, SCO_ERR_INTERNAL,
                             "plugin '%s' did not publish required output '%s'", d->name,
                             d->outputs[k].name);
    struct sco__buf written = { 0 };
    output_phase = true;
    for (size_t k = 0; k < d->n_outputs && !rc; k++) {
        struct sco_table *t = ctx.out[k];
        if (!t)
            continue;
        ss->rows_out += (int64_t)t->n_rows;
        bool write = sco__stage_writes(st->cfg, st->out[k]);
        char *path = NULL;
        if (write)
            path = sco__xasprintf("%s/%s.csv", run->staging, st->out[k]);
        else if (needed_later(w, idx, st->out[k]))
            /* kept on disk too, in case a later worker must reload it after a crash */
            path = sco__xasprintf("%s/.spill/%s.csv", run->staging, st->out[k]);
        if (path)
            rc = sco__csv_write(t, path, &err);
        free(path);
        if (!rc && write)
            sco__buf_printf(&written, "%s%s.csv", written.len ? SCO__FILE_SEP_S : "",
                            st->out[k]);
    }
    if (!rc) {
        /* hand the published tables over to the worker */
        for (size_t k = 0; k < d->n_outputs; k++) {
            if (!ctx.out[k])
                continue;
            for (size_t i = 0; i < ctx.n_created; i++)
                if (ctx.created[i] == ctx.out[k])
                    ctx.created[i] = NULL;
            add_table(w, st->out[k], ctx.out[k]);
        }
    }
    if (ctx.committed.len)
        sco__buf_printf(&written, "%s%s", written.len ? SCO__FILE_SEP_S : "", ctx.committed.s);
    ctx_cleanup(&ctx);

    ss->duration = sco__mono() - t0;
    free(ss->outputs);
    ss->outputs = sco__buf_take(&written);
    if (rc) {
        ss->status = rc == SCO_ERR_CANCELLED ? SCO__ST_CANCELLED : SCO__ST_FAILED;
        ss->code = rc;
        free(ss->error);
        ss->error = sco__xstrdup(err.msg);
        ss->write_failed = output_phase && rc == SCO_ERR_IO; /* exit 73, not 70 */
        sco__host_log(st->cfg->name, SCO_LOG_ERROR, "%s after %.2f s: %s",
                 rc == SCO_ERR_CANCELLED ? "cancelled" : "failed", ss->duration, err.msg);
    } else {
        ss->status = SCO__ST_OK;
        sco__host_log(st->cfg->name, SCO_LOG_INFO, "done in %.2f s: %lld rows in, %lld rows out",
                 ss->duration, (long long)ss->rows_in, (long long)ss->rows_out);
    }
    emit_end(w, idx);
}

static void on_signal(int sig)
{
    (void)sig;
    sco__cancel_flag = 1;
}

static void on_timeout(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    if (si->si_code == SI_QUEUE)
        sco__timeout_stage = (sig_atomic_t)si->si_value.sival_int;
}

#ifdef SCO_HAVE_RUNTIME
static void runtime_log(void *log_ctx, enum sco_log_level lvl, const char *msg)
{
    (void)log_ctx;
    sco__host_log(NULL, lvl, "%s", msg);
}
#endif

static void fatal(struct worker *w, int code, enum sco__phase phase, const char *msg)
{
    struct sco__buf b = { 0 };
    clean_field(&b, msg);
    emit(w, "FATAL\t%d\t%d\t%s", code, (int)phase, b.s ? b.s : "");
    sco__buf_fini(&b);
}

static void worker_fini(struct worker *w)
{
    for (size_t i = 0; i < w->n_tables; i++) {
        sco__table_free(w->tables[i].t);
        free(w->tables[i].name);
    }
    free(w->tables);
    sco__arena_free(w->strings);
#ifdef SCO_HAVE_RUNTIME
    sco_runtime_destroy(w->rt);
#endif
}

int sco__worker_main(struct sco__run *run, int event_fd)
{
    struct worker w = { .run = run, .event_fd = event_fd };
    struct sco__pipeline *p = run->pipe;
    struct sco_err err = { 0 };
    int rc = 0;
    w.strings = sco__arena_new(0);

    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct sigaction st = { 0 };
    st.sa_sigaction = on_timeout;
    st.sa_flags = SA_SIGINFO;
    sigemptyset(&st.sa_mask);
    sigaction(SCO__TIMEOUT_SIGNAL, &st, NULL);

    /* the runtime is created here, after the fork: CUDA does not survive fork() */
#ifdef SCO_HAVE_RUNTIME
    struct sco_runtime_opts ro = {
        .device = run->cfg->device,
        .threads = run->threads,
        .seed = run->cfg->seed,
        .allow_tf32 = run->cfg->tf32,
        .backend_dir = NULL,
        .log = runtime_log,
    };
    if ((rc = sco_runtime_create(&ro, &w.rt, &err))) {
        fatal(&w, rc, SCO__PHASE_STAGE, err.msg);
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
        worker_fini(&w);
        return sco__exit_code(rc, SCO__PHASE_STAGE);
    }
    snprintf(run->device, sizeof run->device, "%s", sco_runtime_device(w.rt));
#else
    if (strcmp(run->cfg->device, "cuda") == 0) {
        rc = sco_err_set(&err, SCO_ERR_UNSUPPORTED,
                         "%s:%d:%d: run.device is cuda, but this sco was built without the "
                         "tensor runtime; set run.device: auto or cpu",
                         run->cfg->path, run->cfg->device_node->line,
                         run->cfg->device_node->col);
        fatal(&w, rc, SCO__PHASE_STAGE, err.msg);
        sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
        worker_fini(&w);
        return sco__exit_code(rc, SCO__PHASE_STAGE);
    }
    snprintf(run->device, sizeof run->device, "cpu");
#endif
    emit(&w, "DEVICE\t%s", run->device);

    /* sources the stages of this worker read */
    for (size_t i = 0; i < p->n; i++) {
        if (!p->stages[i].selected || run->st[i].status != SCO__ST_PENDING)
            continue;
        for (size_t k = 0; k < p->stages[i].plugin->desc->n_inputs; k++) {
            int s = p->stages[i].in[k].source;
            if (s < 0)
                continue;
            if ((rc = load_source(&w, &run->cfg->sources[s], &err))) {
                fatal(&w, rc, SCO__PHASE_INPUT, err.msg);
                sco__host_log(NULL, SCO_LOG_ERROR, "%s", err.msg);
                worker_fini(&w);
                return sco__exit_code(rc, SCO__PHASE_INPUT);
            }
        }
    }

    for (size_t o = 0; o < p->n; o++) {
        size_t idx = p->order[o];
        struct sco__stage *st = &p->stages[idx];
        struct sco__stage_state *ss = &run->st[idx];
        if (!st->selected || ss->status != SCO__ST_PENDING)
            continue;
        const char *why = NULL, *what = NULL;
        for (size_t k = 0; k < st->plugin->desc->n_inputs && !why; k++) {
            int prod = st->in[k].stage;
            if (prod < 0 || !p->stages[prod].selected || run->st[prod].status == SCO__ST_OK)
                continue;
            why = p->stages[prod].cfg->name;
            what = st->in[k].table;
        }
        if (why || sco__cancel_flag) {
            ss->status = why ? SCO__ST_SKIPPED : SCO__ST_CANCELLED;
            free(ss->error);
            ss->error = why ? sco__xasprintf("not run: stage '%s' did not succeed, so table "
                                             "'%s' is missing",
                                             why, what)
                            : sco__xstrdup("not run: the run was cancelled");
            ss->code = why ? SCO_ERR_NOINPUT : SCO_ERR_CANCELLED;
            sco__host_log(st->cfg->name, SCO_LOG_WARN, "%s", ss->error);
            emit_end(&w, idx);
            continue;
        }
        run_stage(&w, idx);
    }
    worker_fini(&w);
    return 0;
}
