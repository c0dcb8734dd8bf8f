/* abi-too-new.c: claims ABI 2; the host must refuse it. */
#include <sco/sco-plugin.h>

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
        .abi_version = SCO_ABI_VERSION + 1, .size = sizeof desc, .name = "abi-too-new",
        .version = "2.0.0", .summary = "from the future", .run = run,
    };
    (void)h;
    return &desc;
}
