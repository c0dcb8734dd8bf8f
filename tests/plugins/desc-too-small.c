/* desc-too-small.c: a descriptor shorter than ABI 1's; the host must refuse it. */
#include <sco/sco-plugin.h>

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    /* only the frozen head is valid: abi_version, size */
    static const struct {
        uint32_t abi_version, size;
        const char *name;
    } head = { SCO_ABI_VERSION, sizeof head, "desc-too-small" };
    (void)h;
    return (const struct sco_plugin_desc *)(const void *)&head;
}
