/* good.c: a well-behaved test plugin. Reads table 'numbers' (x: i64, label: str optional),
 * publishes 'doubled' (x * factor, y = x * scale, label). Optional: sleeps (for lock tests),
 * writes an extra report file, logs and reports progress. */
#include <string.h>
#include <time.h>

#include <sco/sco-plugin.h>

static const struct sco_host_api *host;

static const struct sco_column_spec in_cols[] = {
    { "x", SCO_COL_I64, false, "a number" },
    { "label", SCO_COL_STR, true, "optional label" },
};
static const struct sco_column_spec out_cols[] = {
    { "x", SCO_COL_I64, false, "x times factor" },
    { "y", SCO_COL_F64, false, "x times scale" },
    { "label", SCO_COL_STR, false, "label, or empty" },
};
static const struct sco_port inputs[] = {
    { "numbers", "numbers to double", false, in_cols, SCO_COUNT(in_cols) },
};
static const struct sco_port outputs[] = {
    { "doubled", "the numbers, doubled", false, out_cols, SCO_COUNT(out_cols) },
};
static const struct sco_config_key keys[] = {
    { "factor", SCO_CFG_INT, "2", "multiplier for x", false },
    { "scale", SCO_CFG_F64, "0.5", "multiplier for y", false },
    { "sleep_ms", SCO_CFG_INT, "0", "sleep this long in run (tests)", false },
    { "report", SCO_CFG_BOOL, "false", "write report.txt through file_create", false },
    { "note", SCO_CFG_STR, NULL, "logged when set", false },
};

struct state {
    int64_t factor;
};

static int good_init(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    struct state *s = state;
    int rc = host->cfg_i64(ctx, "factor", &s->factor, err);
    if (rc)
        return rc;
    if (s->factor == 0)
        return host->cfg_error(ctx, "factor", err, "must not be 0; use 1 to copy");
    return 0;
}

static int good_run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    struct state *s = state;
    const struct sco_table_api *T = host->tables;
    const struct sco_table *in = host->input(ctx, "numbers");
    double scale;
    int64_t sleep_ms;
    bool report;
    const char *note = NULL;
    int rc;
    if ((rc = host->cfg_f64(ctx, "scale", &scale, err)) ||
        (rc = host->cfg_i64(ctx, "sleep_ms", &sleep_ms, err)) ||
        (rc = host->cfg_bool(ctx, "report", &report, err)))
        return rc;
    if (host->cfg_str(ctx, "note", &note, err) == 0)
        host->log_msg(ctx, SCO_LOG_INFO, "note: %s", note);

    size_t n = T->n_rows(in);
    int cx = T->col(in, "x"), cl = T->col(in, "label");
    const int64_t *x = T->i64(in, cx);
    const char *const *label = cl >= 0 ? T->str(in, cl) : NULL;
    struct sco_table *out = T->create(ctx, "doubled", out_cols, SCO_COUNT(out_cols));
    if (!out || (rc = T->add_rows(out, n, err)))
        return rc ? rc : sco_err_set(err, SCO_ERR_NOMEM, "cannot create table");
    int64_t *ox = T->i64_mut(out, 0);
    double *oy = T->f64_mut(out, 1);
    for (size_t i = 0; i < n; i++) {
        ox[i] = x[i] == SCO_NULL_I64 ? SCO_NULL_I64 : x[i] * s->factor;
        oy[i] = x[i] == SCO_NULL_I64 ? 0.0 / 0.0 : (double)x[i] * scale;
        if (label && (rc = T->set_str(out, 2, i, label[i], err)))
            return rc;
    }
    double *scratch = host->arena_alloc(ctx, 1024, 64);
    if (!scratch || ((uintptr_t)scratch & 63))
        return sco_err_set(err, SCO_ERR_INTERNAL, "arena_alloc gave a bad pointer");
    for (int64_t ms = 0; ms < sleep_ms; ms += 10) {
        if (host->cancelled(ctx))
            return sco_err_set(err, SCO_ERR_CANCELLED, "cancelled after %lld ms",
                               (long long)ms);
        host->progress(ctx, (double)ms, (double)sleep_ms, "sleeping");
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    if (report) {
        FILE *f = host->file_create(ctx, "reports/good.txt", err);
        if (!f)
            return err->code;
        const struct sco_run_info *ri = host->run_info(ctx);
        fprintf(f, "stage %s run %s rows %zu seed %llu threads %d device %s\n", ri->stage,
                ri->run_id, n, (unsigned long long)ri->seed, ri->threads, ri->device);
        if ((rc = host->file_commit(ctx, f, err)))
            return rc;
        FILE *g = host->file_create(ctx, "reports/uncommitted.txt", err);
        if (g)
            fputs("never committed\n", g);
    }
    return host->output(ctx, "doubled", out, err);
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION,
        .size = sizeof desc,
        .name = "good",
        .version = "1.0.0",
        .summary = "doubles numbers (test plugin)",
        .inputs = inputs,
        .n_inputs = SCO_COUNT(inputs),
        .outputs = outputs,
        .n_outputs = SCO_COUNT(outputs),
        .config = keys,
        .n_config = SCO_COUNT(keys),
        .state_size = sizeof(struct state),
        .init = good_init,
        .run = good_run,
    };
    host = h;
    return &desc;
}
