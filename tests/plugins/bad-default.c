/* bad-default.c: declares an integer key whose default is not an integer; the host must
 * refuse to load it. */
#include <sco/sco-plugin.h>

static const struct sco_config_key keys[] = {
    { "horizon_days", SCO_CFG_INT, "four weeks", "days", false },
};

static int run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)ctx;
    (void)state;
    (void)err;
    return 0;
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION, .size = sizeof desc, .name = "bad-default",
        .version = "1.0.0", .summary = "broken default (test plugin)",
        .config = keys, .n_config = SCO_COUNT(keys), .run = run,
    };
    (void)h;
    return &desc;
}
