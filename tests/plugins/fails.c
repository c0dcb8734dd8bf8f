/* fails.c: run() returns an error; reads nothing, publishes 'never'. */
#include <sco/sco-plugin.h>

static const struct sco_port outputs[] = { { "never", "not published", false, NULL, 0 } };
static const struct sco_config_key keys[] = {
    { "code", SCO_CFG_STR, "infeasible", "infeasible | data | noinput | config | undeclared", false },
};
static const struct sco_host_api *host;

static int run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)state;
    const char *code = "infeasible";
    host->cfg_str(ctx, "code", &code, err);
    if (code[0] == 'd')
        return sco_err_set(err, SCO_ERR_DATA, "bad data on purpose");
    if (code[0] == 'n')
        return sco_err_set(err, SCO_ERR_NOINPUT, "missing input on purpose");
    if (code[0] == 'u') /* a key the plugin never declared */
        return host->cfg_str(ctx, "undeclared", &code, err);
    if (code[0] == 'c')
        return host->cfg_error(ctx, "code", err, "rejected on purpose");
    return sco_err_set(err, SCO_ERR_INFEASIBLE, "no feasible plan: demand exceeds capacity");
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION, .size = sizeof desc, .name = "fails",
        .version = "1.0.0", .summary = "always fails (test plugin)",
        .outputs = outputs, .n_outputs = SCO_COUNT(outputs),
        .config = keys, .n_config = SCO_COUNT(keys), .run = run,
    };
    host = h;
    return &desc;
}
