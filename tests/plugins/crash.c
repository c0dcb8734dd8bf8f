/* crash.c: dies in run(): SIGSEGV (how: segv), SIGABRT (how: abort) or exit(3) (how: exit). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <sco/sco-plugin.h>

static const struct sco_port inputs[] = {
    { "numbers", "read, then crash", true, NULL, 0 },
};
static const struct sco_port outputs[] = { { "wreck", "never published", false, NULL, 0 } };
static const struct sco_config_key keys[] = {
    { "how", SCO_CFG_STR, "segv", "segv, abort or exit", false },
};
static const struct sco_host_api *host;

static int run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)state;
    const char *how = "segv";
    host->cfg_str(ctx, "how", &how, err);
    host->log_msg(ctx, SCO_LOG_INFO, "about to crash with %s", how);
    if (strcmp(how, "abort") == 0)
        abort();
    if (strcmp(how, "exit") == 0)
        exit(3);
    raise(SIGSEGV);
    return 0;
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION, .size = sizeof desc, .name = "crash",
        .version = "1.0.0", .summary = "crashes (test plugin)",
        .inputs = inputs, .n_inputs = SCO_COUNT(inputs),
        .outputs = outputs, .n_outputs = SCO_COUNT(outputs),
        .config = keys, .n_config = SCO_COUNT(keys), .run = run,
    };
    host = h;
    return &desc;
}
