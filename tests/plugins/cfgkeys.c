/* cfgkeys.c: declares a key of every type (one required) and publishes what the host gave it
 * as table 'cfg' (key, value), so tests can check config access end to end. */
#include <stdio.h>

#include <sco/sco-plugin.h>

static const struct sco_column_spec cols[] = {
    { "key", SCO_COL_STR, false, NULL },
    { "value", SCO_COL_STR, false, NULL },
};
static const struct sco_port outputs[] = { { "cfg", "keys and values", false, cols, 2 } };
static const struct sco_config_key keys[] = {
    { "name", SCO_CFG_STR, "anon", "a string", false },
    { "count", SCO_CFG_INT, "3", "an integer", false },
    { "ratio", SCO_CFG_F64, "0.25", "a number", false },
    { "enabled", SCO_CFG_BOOL, "true", "a boolean", false },
    { "file", SCO_CFG_PATH, NULL, "a path", false },
    { "levels", SCO_CFG_LIST_F64, "[0.5, 0.9]", "numbers", false },
    { "tags", SCO_CFG_LIST_STR, "[a, b]", "strings", false },
    { "horizon_days", SCO_CFG_INT, NULL, "required integer", true },
};
static const struct sco_host_api *host;

static int put(struct sco_table *t, size_t *row, const char *k, const char *v,
               struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    int rc = T->add_rows(t, 1, err);
    if (!rc)
        rc = T->set_str(t, 0, *row, k, err);
    if (!rc)
        rc = T->set_str(t, 1, *row, v, err);
    (*row)++;
    return rc;
}

static int run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)state;
    struct sco_table *t = host->tables->create(ctx, "cfg", cols, 2);
    size_t row = 0;
    char buf[256];
    const char *s;
    int64_t i;
    double f;
    bool b;
    const double *fl;
    const char *const *sl;
    size_t n;
    int rc;
    if ((rc = host->cfg_str(ctx, "name", &s, err)) || (rc = put(t, &row, "name", s, err)))
        return rc;
    if ((rc = host->cfg_i64(ctx, "count", &i, err)))
        return rc;
    snprintf(buf, sizeof buf, "%lld", (long long)i);
    if ((rc = put(t, &row, "count", buf, err)))
        return rc;
    if ((rc = host->cfg_f64(ctx, "ratio", &f, err)))
        return rc;
    snprintf(buf, sizeof buf, "%g", f);
    if ((rc = put(t, &row, "ratio", buf, err)))
        return rc;
    if ((rc = host->cfg_bool(ctx, "enabled", &b, err)) ||
        (rc = put(t, &row, "enabled", b ? "true" : "false", err)))
        return rc;
    rc = host->cfg_str(ctx, "file", &s, err);
    if (rc && rc != SCO_ERR_NOINPUT)
        return rc;
    if ((rc = put(t, &row, "file", rc ? "(none)" : s, err)))
        return rc;
    if ((rc = host->cfg_f64_list(ctx, "levels", &fl, &n, err)))
        return rc;
    int len = 0;
    for (size_t k = 0; k < n; k++)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%g", k ? " " : "", fl[k]);
    if ((rc = put(t, &row, "levels", buf, err)))
        return rc;
    if ((rc = host->cfg_str_list(ctx, "tags", &sl, &n, err)))
        return rc;
    len = 0;
    for (size_t k = 0; k < n; k++)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%s", k ? " " : "", sl[k]);
    if ((rc = put(t, &row, "tags", buf, err)))
        return rc;
    if ((rc = host->cfg_i64(ctx, "horizon_days", &i, err)))
        return rc;
    if (i > 365)
        return host->cfg_error(ctx, "horizon_days", err, "at most 365 days, got %lld",
                               (long long)i);
    snprintf(buf, sizeof buf, "%lld", (long long)i);
    if ((rc = put(t, &row, "horizon_days", buf, err)))
        return rc;
    return host->output(ctx, "cfg", t, err);
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION, .size = sizeof desc, .name = "cfgkeys",
        .version = "1.0.0", .summary = "echoes its config (test plugin)",
        .outputs = outputs, .n_outputs = SCO_COUNT(outputs),
        .config = keys, .n_config = SCO_COUNT(keys), .run = run,
    };
    host = h;
    return &desc;
}
