/* hello.c: the smallest useful sco plugin. It reads an optional table of names and
 * publishes one greeting per name (or `count` anonymous ones), dated from the run's planning
 * date onward. Build it against the installed SDK; see README.md. */
#include <stdio.h>

#include <sco/sco-plugin.h>

static const struct sco_host_api *host;

/* Input: optional, with one required column. The host checks and types it before run(). */
static const struct sco_column_spec name_cols[] = {
    { "name", SCO_COL_STR, false, "who to greet" },
};
static const struct sco_port inputs[] = {
    { "names", "people to greet", true, name_cols, SCO_COUNT(name_cols) },
};

static const struct sco_column_spec greeting_cols[] = {
    { "n", SCO_COL_I64, false, "1, 2, ..." },
    { "date", SCO_COL_DATE, false, "planning date + n - 1" },
    { "text", SCO_COL_STR, false, "the greeting" },
};
static const struct sco_port outputs[] = {
    { "greetings", "one row per greeting", false, greeting_cols, SCO_COUNT(greeting_cols) },
};

static const struct sco_config_key keys[] = {
    { "greeting", SCO_CFG_STR, "hello", "the word to greet with", false },
    { "count", SCO_CFG_INT, "3", "greetings to make when there is no names table", false },
};

struct hello_state {
    const char *greeting;
    int64_t count;
};

static int hello_init(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    struct hello_state *s = state;
    int rc = host->cfg_str(ctx, "greeting", &s->greeting, err);
    if (rc == 0)
        rc = host->cfg_i64(ctx, "count", &s->count, err);
    if (rc == 0 && (s->count < 0 || s->count > 1000000))
        return host->cfg_error(ctx, "count", err, "must be between 0 and 1000000");
    return rc;
}

static int hello_run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    struct hello_state *s = state;
    const struct sco_table_api *T = host->tables;
    const struct sco_table *names = host->input(ctx, "names"); /* NULL: nobody configured */
    size_t n = names ? T->n_rows(names) : (size_t)s->count;
    const char *const *who = names ? T->str(names, T->col(names, "name")) : NULL;

    struct sco_table *out = T->create(ctx, "greetings", greeting_cols, SCO_COUNT(greeting_cols));
    if (!out)
        return sco_err_set(err, SCO_ERR_NOMEM, "cannot create table 'greetings'");
    int rc = T->add_rows(out, n, err);
    if (rc)
        return rc;
    int64_t *num = T->i64_mut(out, 0), *date = T->i64_mut(out, 1);
    int64_t day0 = host->run_info(ctx)->run_date;
    for (size_t i = 0; i < n; i++) {
        char text[256];
        snprintf(text, sizeof text, "%s, %s", s->greeting, who ? who[i] : "world");
        num[i] = (int64_t)i + 1;
        date[i] = day0 + (int64_t)i;
        if ((rc = T->set_str(out, 2, i, text, err)))
            return rc;
        host->progress(ctx, (double)(i + 1), (double)n, NULL);
    }
    host->log_msg(ctx, SCO_LOG_INFO, "made %zu greetings", n);
    return host->output(ctx, "greetings", out, err);
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION,
        .size = sizeof desc,
        .name = "hello",
        .version = "1.0.0",
        .summary = "greets names (example plugin)",
        .inputs = inputs,
        .n_inputs = SCO_COUNT(inputs),
        .outputs = outputs,
        .n_outputs = SCO_COUNT(outputs),
        .config = keys,
        .n_config = SCO_COUNT(keys),
        .state_size = sizeof(struct hello_state),
        .init = hello_init,
        .run = hello_run,
    };
    host = h;
    return &desc;
}
