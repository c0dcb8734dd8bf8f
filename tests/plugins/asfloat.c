/* asfloat.c: reads 'numbers' with x declared f64 and publishes 'x_sum' (one row: sum of x),
 * so tests can check that tables shared by stages keep the types each stage declares. */
#include <math.h>

#include <sco/sco-plugin.h>

static const struct sco_host_api *host;
static const struct sco_column_spec in_cols[] = { { "x", SCO_COL_F64, false, NULL } };
static const struct sco_column_spec out_cols[] = { { "sum", SCO_COL_F64, false, NULL } };
static const struct sco_port inputs[] = { { "numbers", NULL, false, in_cols, 1 } };
static const struct sco_port outputs[] = { { "x_sum", NULL, false, out_cols, 1 } };

static int run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)state;
    const struct sco_table_api *T = host->tables;
    const struct sco_table *in = host->input(ctx, "numbers");
    const double *x = T->f64(in, T->col(in, "x"));
    if (!x)
        return sco_err_set(err, SCO_ERR_INTERNAL, "x is not f64");
    double sum = 0;
    for (size_t i = 0; i < T->n_rows(in); i++)
        if (!isnan(x[i]))
            sum += x[i];
    struct sco_table *out = T->create(ctx, "x_sum", out_cols, 1);
    int rc = T->add_rows(out, 1, err);
    if (rc)
        return rc;
    T->f64_mut(out, 0)[0] = sum;
    return host->output(ctx, "x_sum", out, err);
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION, .size = sizeof desc, .name = "asfloat",
        .version = "1.0.0", .summary = "sums x as f64 (test plugin)",
        .inputs = inputs, .n_inputs = 1, .outputs = outputs, .n_outputs = 1, .run = run,
    };
    host = h;
    return &desc;
}
