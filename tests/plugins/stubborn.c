/* stubborn.c: sleeps sleep_ms in run() and never looks at cancelled(); then publishes
 * 'stalled' (x: 1). For the time limit tests: the host must kill it. */
#include <time.h>

#include <sco/sco-plugin.h>

static const struct sco_host_api *host;

static const struct sco_column_spec out_cols[] = { { "x", SCO_COL_I64, false, "always 1" } };
static const struct sco_port outputs[] = {
    { "stalled", "one row, once the sleep is over", false, out_cols, SCO_COUNT(out_cols) },
};
static const struct sco_config_key keys[] = {
    { "sleep_ms", SCO_CFG_INT, "20000", "sleep this long, ignoring cancellation", false },
};

static int run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)state;
    int64_t ms;
    int rc = host->cfg_i64(ctx, "sleep_ms", &ms, err);
    if (rc)
        return rc;
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) { /* interrupted by a signal: sleep on */
    }
    struct sco_table *out = host->tables->create(ctx, "stalled", out_cols, SCO_COUNT(out_cols));
    if (!out || (rc = host->tables->add_rows(out, 1, err)))
        return rc ? rc : sco_err_set(err, SCO_ERR_NOMEM, "cannot create table");
    host->tables->i64_mut(out, 0)[0] = 1;
    return host->output(ctx, "stalled", out, err);
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION, .size = sizeof desc, .name = "stubborn",
        .version = "1.0.0", .summary = "sleeps and ignores cancellation (test plugin)",
        .outputs = outputs, .n_outputs = SCO_COUNT(outputs),
        .config = keys, .n_config = SCO_COUNT(keys), .run = run,
    };
    host = h;
    return &desc;
}
