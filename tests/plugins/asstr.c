/* asstr.c: reads 'numbers' with x declared str and publishes 'x_text' (x, its length). */
#include <string.h>

#include <sco/sco-plugin.h>

static const struct sco_host_api *host;
static const struct sco_column_spec in_cols[] = { { "x", SCO_COL_STR, false, NULL } };
static const struct sco_column_spec out_cols[] = {
    { "x", SCO_COL_STR, false, NULL },
    { "len", SCO_COL_I64, false, NULL },
};
static const struct sco_port inputs[] = { { "numbers", NULL, false, in_cols, 1 } };
static const struct sco_port outputs[] = { { "x_text", NULL, false, out_cols, 2 } };

static int run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)state;
    const struct sco_table_api *T = host->tables;
    const struct sco_table *in = host->input(ctx, "numbers");
    const char *const *x = T->str(in, T->col(in, "x"));
    if (!x)
        return sco_err_set(err, SCO_ERR_INTERNAL, "x is not str");
    size_t n = T->n_rows(in);
    struct sco_table *out = T->create(ctx, "x_text", out_cols, 2);
    int rc = T->add_rows(out, n, err);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = T->set_str(out, 0, i, x[i], err);
        T->i64_mut(out, 1)[i] = (int64_t)strlen(x[i]);
    }
    return rc ? rc : host->output(ctx, "x_text", out, err);
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION, .size = sizeof desc, .name = "asstr",
        .version = "1.0.0", .summary = "reads x as text (test plugin)",
        .inputs = inputs, .n_inputs = 1, .outputs = outputs, .n_outputs = 1, .run = run,
    };
    host = h;
    return &desc;
}
