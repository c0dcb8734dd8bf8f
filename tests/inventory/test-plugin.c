/* The real inventory.so, loaded with dlopen and driven through the plugin ABI by a minimal
 * in-test host (tables in memory, config defaults, files in a temp folder). The sco host lives
 * on another branch; once it is on main, the e2e suite runs the plugin through it. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sco/sco-plugin.h>

struct col {
    char name[48];
    enum sco_col_type type;
    int64_t *i;
    double *f;
    char **s;
};

struct sco_table {
    char name[48];
    size_t n, nc;
    struct col c[24];
    char origin[96];
};

/* ---- table API ------------------------------------------------------------------------------ */
static size_t t_rows(const struct sco_table *t) { return t->n; }
static size_t t_cols(const struct sco_table *t) { return t->nc; }
static const char *t_name(const struct sco_table *t) { return t->name; }
static int t_col(const struct sco_table *t, const char *nm)
{
    for (size_t i = 0; i < t->nc; i++)
        if (!strcmp(t->c[i].name, nm))
            return (int)i;
    return -1;
}
static const char *t_col_name(const struct sco_table *t, int c) { return t->c[c].name; }
static enum sco_col_type t_col_type(const struct sco_table *t, int c) { return t->c[c].type; }
static const int64_t *t_i64(const struct sco_table *t, int c) { return t->c[c].i; }
static const double *t_f64(const struct sco_table *t, int c) { return t->c[c].f; }
static const char *const *t_str(const struct sco_table *t, int c)
{
    return (const char *const *)t->c[c].s;
}
static const char *t_origin(const struct sco_table *t, size_t row)
{
    snprintf(((struct sco_table *)t)->origin, sizeof t->origin, "%s.csv:%zu", t->name, row + 2);
    return t->origin;
}
static struct sco_table *t_create(struct sco_ctx *ctx, const char *name,
                                  const struct sco_column_spec *cols, size_t nc)
{
    (void)ctx;
    struct sco_table *t = calloc(1, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->nc = nc;
    for (size_t i = 0; i < nc; i++) {
        snprintf(t->c[i].name, sizeof t->c[i].name, "%s", cols[i].name);
        t->c[i].type = cols[i].type;
    }
    return t;
}
static int t_add_rows(struct sco_table *t, size_t n, struct sco_err *err)
{
    (void)err;
    size_t m = t->n + n;
    for (size_t i = 0; i < t->nc; i++) {
        struct col *c = &t->c[i];
        if (c->type == SCO_COL_F64) {
            c->f = realloc(c->f, sizeof(double) * (m + 1));
            for (size_t r = t->n; r < m; r++)
                c->f[r] = NAN;
        } else if (c->type == SCO_COL_STR) {
            c->s = realloc(c->s, sizeof(char *) * (m + 1));
            for (size_t r = t->n; r < m; r++)
                c->s[r] = strdup("");
        } else {
            c->i = realloc(c->i, sizeof(int64_t) * (m + 1));
            for (size_t r = t->n; r < m; r++)
                c->i[r] = SCO_NULL_I64;
        }
    }
    t->n = m;
    return 0;
}
static int64_t *t_i64_mut(struct sco_table *t, int c) { return t->c[c].i; }
static double *t_f64_mut(struct sco_table *t, int c) { return t->c[c].f; }
static int t_set_str(struct sco_table *t, int c, size_t row, const char *s, struct sco_err *err)
{
    (void)err;
    free(t->c[c].s[row]);
    t->c[c].s[row] = strdup(s);
    return 0;
}

static const struct sco_table_api tapi = {
    sizeof tapi, t_rows, t_cols, t_name, t_col, t_col_name, t_col_type, t_i64, t_f64, t_str,
    t_origin, t_create, t_add_rows, t_i64_mut, t_f64_mut, t_set_str,
};

/* ---- host ----------------------------------------------------------------------------------- */
static const struct sco_plugin_desc *desc;
static struct sco_table *inputs[8];
static struct sco_table *outputs[8];
static char outdir[256];
static const char *override_key, *override_val;
static const char *override2_key[2], *override2_val[2]; /* more keys, NULL-terminated */
static struct sco_run_info info;

static const struct sco_config_key *key_of(const char *k)
{
    for (size_t i = 0; i < desc->n_config; i++)
        if (!strcmp(desc->config[i].key, k))
            return &desc->config[i];
    return NULL;
}
static const char *cfg_text(const char *k)
{
    if (override_key && !strcmp(k, override_key))
        return override_val;
    for (int i = 0; i < 2 && override2_key[i]; i++)
        if (!strcmp(k, override2_key[i]))
            return override2_val[i];
    const struct sco_config_key *c = key_of(k);
    return c ? c->dflt : NULL;
}
static void h_log(struct sco_ctx *ctx, enum sco_log_level l, const char *fmt, ...)
{
    (void)ctx, (void)l, (void)fmt;
}
static const struct sco_run_info *h_info(struct sco_ctx *ctx)
{
    (void)ctx;
    return &info;
}
static int h_str(struct sco_ctx *ctx, const char *k, const char **o, struct sco_err *e)
{
    (void)ctx;
    *o = cfg_text(k);
    return *o ? 0 : sco_err_set(e, SCO_ERR_NOINPUT, "no key '%s'", k);
}
static int h_i64(struct sco_ctx *ctx, const char *k, int64_t *o, struct sco_err *e)
{
    const char *s;
    int rc = h_str(ctx, k, &s, e);
    if (!rc)
        *o = strtoll(s, NULL, 10);
    return rc;
}
static int h_f64(struct sco_ctx *ctx, const char *k, double *o, struct sco_err *e)
{
    const char *s;
    int rc = h_str(ctx, k, &s, e);
    if (!rc)
        *o = strtod(s, NULL);
    return rc;
}
static int h_bool(struct sco_ctx *ctx, const char *k, bool *o, struct sco_err *e)
{
    const char *s;
    int rc = h_str(ctx, k, &s, e);
    if (!rc)
        *o = !strcmp(s, "true");
    return rc;
}
static int h_cfg_error(struct sco_ctx *ctx, const char *k, struct sco_err *e, const char *fmt, ...)
{
    (void)ctx;
    char m[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return sco_err_set(e, SCO_ERR_CONFIG, "config.yaml:1:1: inventory.%s: %s", k, m);
}
static const struct sco_table *h_input(struct sco_ctx *ctx, const char *port)
{
    (void)ctx;
    for (int i = 0; i < 8; i++)
        if (inputs[i] && !strcmp(inputs[i]->name, port))
            return inputs[i];
    return NULL;
}
static int h_output(struct sco_ctx *ctx, const char *port, struct sco_table *t,
                    struct sco_err *e)
{
    (void)ctx, (void)e;
    for (int i = 0; i < 8; i++)
        if (!outputs[i]) {
            snprintf(t->name, sizeof t->name, "%s", port);
            outputs[i] = t;
            return 0;
        }
    return SCO_ERR_INTERNAL;
}
static FILE *h_file_create(struct sco_ctx *ctx, const char *rel, struct sco_err *e)
{
    (void)ctx;
    char p[512];
    snprintf(p, sizeof p, "%s/po", outdir);
    mkdir(p, 0755); /* may exist */
    snprintf(p, sizeof p, "%s/%s", outdir, rel);
    FILE *f = fopen(p, "w");
    if (!f)
        sco_err_set(e, SCO_ERR_IO, "cannot create '%s'", p);
    return f;
}
static int h_file_commit(struct sco_ctx *ctx, FILE *f, struct sco_err *e)
{
    (void)ctx, (void)e;
    return fclose(f) ? SCO_ERR_IO : 0;
}
static void *h_arena(struct sco_ctx *ctx, size_t n, size_t al)
{
    (void)ctx, (void)al;
    return calloc(1, n); /* the test process ends after one run */
}
static void h_progress(struct sco_ctx *c, double d, double t, const char *n)
{
    (void)c, (void)d, (void)t, (void)n;
}
static bool h_cancelled(struct sco_ctx *c)
{
    (void)c;
    return false;
}

static const struct sco_host_api hapi = {
    .abi_version = SCO_ABI_VERSION, .size = sizeof hapi, .log_msg = h_log, .run_info = h_info,
    .cfg_str = h_str, .cfg_i64 = h_i64, .cfg_f64 = h_f64, .cfg_bool = h_bool,
    .cfg_error = h_cfg_error, .input = h_input, .output = h_output, .tables = &tapi,
    .file_create = h_file_create, .file_commit = h_file_commit, .arena_alloc = h_arena,
    .progress = h_progress, .cancelled = h_cancelled,
};

/* ---- fixtures --------------------------------------------------------------------------------- */
static struct sco_table *mk(const char *name)
{
    struct sco_table *t = calloc(1, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    return t;
}
static struct col *addc(struct sco_table *t, const char *name, enum sco_col_type ty, size_t n)
{
    struct col *c = &t->c[t->nc++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->type = ty;
    t->n = n;
    if (ty == SCO_COL_F64)
        c->f = calloc(n + 1, sizeof(double));
    else if (ty == SCO_COL_STR)
        c->s = calloc(n + 1, sizeof(char *));
    else
        c->i = calloc(n + 1, sizeof(int64_t));
    return c;
}

static void business(double stock_a)
{
    memset(inputs, 0, sizeof inputs);
    memset(outputs, 0, sizeof outputs);
    struct sco_table *it = mk("items");
    struct col *sku = addc(it, "sku", SCO_COL_STR, 2), *cost = addc(it, "unit_cost", SCO_COL_F64, 2),
               *cp = addc(it, "case_pack", SCO_COL_I64, 2), *sup = addc(it, "supplier", SCO_COL_STR, 2),
               *moq = addc(it, "moq_units", SCO_COL_I64, 2), *pr = addc(it, "unit_price", SCO_COL_F64, 2);
    sku->s[0] = "A", sku->s[1] = "B", cost->f[0] = 2, cost->f[1] = 5, cp->i[0] = 6, cp->i[1] = 12;
    sup->s[0] = "S1", sup->s[1] = "S2", moq->i[0] = 12, moq->i[1] = 0, pr->f[0] = 4, pr->f[1] = 9;
    struct sco_table *su = mk("suppliers");
    struct col *sid = addc(su, "supplier", SCO_COL_STR, 2), *lt = addc(su, "lead_time_days", SCO_COL_F64, 2);
    sid->s[0] = "S1", sid->s[1] = "S2", lt->f[0] = 3, lt->f[1] = 5;
    struct sco_table *wh = mk("warehouses");
    struct col *wid = addc(wh, "warehouse", SCO_COL_STR, 2);
    wid->s[0] = "W1", wid->s[1] = "W2";
    struct sco_table *st = mk("stock");
    struct col *ss = addc(st, "sku", SCO_COL_STR, 3), *sw = addc(st, "warehouse", SCO_COL_STR, 3),
               *oh = addc(st, "on_hand", SCO_COL_F64, 3);
    ss->s[0] = "A", sw->s[0] = "W1", oh->f[0] = stock_a;
    ss->s[1] = "A", sw->s[1] = "W2", oh->f[1] = 200;
    ss->s[2] = "B", sw->s[2] = "W1", oh->f[2] = 3;
    struct sco_table *fc = mk("forecast_cumulative");
    size_t n = 3 * 40;
    struct col *fs = addc(fc, "sku", SCO_COL_STR, n), *fw = addc(fc, "warehouse", SCO_COL_STR, n),
               *fd = addc(fc, "days", SCO_COL_I64, n), *q10 = addc(fc, "q10", SCO_COL_F64, n),
               *q50 = addc(fc, "q50", SCO_COL_F64, n), *q90 = addc(fc, "q90", SCO_COL_F64, n),
               *q97 = addc(fc, "q97_5", SCO_COL_F64, n);
    static const char *ks[3][2] = { { "A", "W1" }, { "A", "W2" }, { "B", "W1" } };
    static const double mu[3] = { 5, 1, 2 };
    for (int s = 0; s < 3; s++)
        for (int k = 1; k <= 40; k++) {
            size_t r = (size_t)s * 40 + k - 1;
            double m = mu[s] * k, sd = sqrt(2 * m);
            fs->s[r] = (char *)ks[s][0], fw->s[r] = (char *)ks[s][1], fd->i[r] = k;
            q10->f[r] = fmax(0, m - 1.2816 * sd), q50->f[r] = m, q90->f[r] = m + 1.2816 * sd;
            q97->f[r] = m + 1.96 * sd;
        }
    inputs[0] = it, inputs[1] = su, inputs[2] = wh, inputs[3] = st, inputs[4] = fc;
}

static void load(void)
{
    void *so = dlopen(INVENTORY_SO, RTLD_NOW | RTLD_LOCAL);
    cr_assert(so, "dlopen: %s", dlerror());
    sco_plugin_entry_fn *entry;
    void *sym = dlsym(so, SCO_PLUGIN_ENTRY);
    memcpy(&entry, &sym, sizeof entry); /* object -> function pointer without a cast */
    cr_assert(entry);
    desc = entry(&hapi);
    cr_assert_eq(desc->abi_version, SCO_ABI_VERSION);
    snprintf(outdir, sizeof outdir, "/tmp/sco-inv-test-%d", (int)getpid());
    mkdir(outdir, 0755);
    info = (struct sco_run_info){ "test", 20000, outdir, ".", 42, 1, "cpu", "inventory" };
}

static struct sco_table *out(const char *name)
{
    for (int i = 0; i < 8; i++)
        if (outputs[i] && !strcmp(outputs[i]->name, name))
            return outputs[i];
    return NULL;
}

Test(inventory, plugin_end_to_end_in_test_host)
{
    load();
    business(0);
    char st[64] = { 0 };
    struct sco_err err = { 0 };
    cr_assert_eq(desc->init(NULL, st, &err), 0);
    int rc = desc->run(NULL, st, &err);
    desc->fini(NULL, st);
    cr_assert_eq(rc, 0, "%s", err.msg);
    struct sco_table *pol = out("inventory_policy"), *po = out("purchase_orders"),
                     *tr = out("transfers"), *ex = out("inventory_exceptions"),
                     *sum = out("inventory_plan");
    cr_assert(pol && po && tr && ex && sum);
    cr_expect_eq(pol->n, 3);
    cr_expect_gt(po->n, 0);
    /* A@W1 is empty, A@W2 holds 200 against 1/day: one transfer W2 -> W1 in cases of 6 */
    cr_assert_geq(tr->n, 1);
    cr_expect_str_eq(tr->c[t_col(tr, "from_warehouse")].s[0], "W2");
    cr_expect_str_eq(tr->c[t_col(tr, "to_warehouse")].s[0], "W1");
    cr_expect_eq(tr->c[t_col(tr, "units")].i[0] % 6, 0);
    /* every line: whole cases, MOQ, value = units x cost, a reason */
    int firm = 0;
    for (size_t r = 0; r < po->n; r++) {
        int64_t cases = po->c[t_col(po, "cases")].i[r], units = po->c[t_col(po, "units")].i[r];
        const char *sku = po->c[t_col(po, "sku")].s[r];
        cr_expect_gt(cases, 0);
        cr_expect_eq(units % (!strcmp(sku, "A") ? 6 : 12), 0);
        if (!strcmp(sku, "A"))
            cr_expect_geq(units, 12);
        cr_expect_float_eq(po->c[t_col(po, "value")].f[r],
                           units * po->c[t_col(po, "unit_cost")].f[r], 1e-6);
        cr_expect_gt(strlen(po->c[t_col(po, "why")].s[r]), 10);
        firm += !strcmp(po->c[t_col(po, "status")].s[r], "firm");
    }
    cr_expect_gt(firm, 0);
    /* the plan summary carries the bound and the gap */
    int has_gap = 0;
    for (size_t r = 0; r < sum->n; r++)
        if (!strcmp(sum->c[t_col(sum, "metric")].s[r], "gap_pct")) {
            has_gap = 1;
            cr_expect_geq(sum->c[t_col(sum, "value")].f[r], 0);
        }
    cr_expect(has_gap);
    /* the PO files: one CSV and one HTML per supplier x warehouse with firm lines */
    char p[512];
    snprintf(p, sizeof p, "%s/po/S2_W1.csv", outdir);
    FILE *f = fopen(p, "r");
    cr_assert(f, "missing %s", p);
    char line[1024];
    cr_expect(fgets(line, sizeof line, f) && !strncmp(line, "po_id,supplier", 14));
    cr_expect(fgets(line, sizeof line, f) && strstr(line, ",B,"));
    fclose(f);
    snprintf(p, sizeof p, "%s/po/S2_W1.html", outdir);
    f = fopen(p, "r");
    cr_assert(f, "missing %s", p);
    fclose(f);
}

Test(inventory, plugin_bad_rows_and_config)
{
    load();
    business(-4);
    char st[64] = { 0 };
    struct sco_err err = { 0 };
    cr_expect_eq(desc->run(NULL, st, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "stock.csv:2: on_hand -4 of sku 'A' at 'W1' is negative; correct "
                              "the stock count");
    business(0);
    override_key = "rounding", override_val = "sideways";
    cr_expect_eq(desc->run(NULL, st, &err), SCO_ERR_CONFIG);
    cr_expect(strstr(err.msg, "inventory.rounding: unknown rounding 'sideways'"), "%s", err.msg);
    override_key = NULL;
}

Test(inventory, plugin_milp_solver_matches)
{
    load();
    business(0);
    char st[64] = { 0 };
    struct sco_err err = { 0 };
    double val[2];
    for (int k = 0; k < 2; k++) {
        memset(outputs, 0, sizeof outputs);
        override_key = "solver", override_val = k ? "milp" : "decomposition";
        override2_key[0] = "shortage", override2_val[0] = "backorder";
        override2_key[1] = "terminal_value", override2_val[1] = "false";
        cr_assert_eq(desc->run(NULL, st, &err), 0, "%s", err.msg);
        struct sco_table *sum = out("inventory_plan");
        cr_assert(sum);
        for (size_t r = 0; r < sum->n; r++)
            if (!strcmp(sum->c[t_col(sum, "metric")].s[r], "plan_cost"))
                val[k] = sum->c[t_col(sum, "value")].f[r];
    }
    override_key = NULL;
    override2_key[0] = override2_key[1] = NULL;
    /* no coupling rows here: the decomposition is exact, both give the optimum (the milp
     * solves the convex model: backorder shortage term, no terminal value) */
    cr_expect_float_eq(val[0], val[1], 1e-6 * (1 + val[1]), "%.6f vs %.6f", val[0], val[1]);
}

Test(inventory, plugin_default_model_differs_from_convex_model)
{
    load();
    business(0);
    char st[64] = { 0 };
    struct sco_err err = { 0 };
    double val[2] = { 0, 0 };
    for (int k = 0; k < 2; k++) {
        memset(outputs, 0, sizeof outputs);
        if (k)
            override2_key[0] = "shortage", override2_val[0] = "backorder",
            override2_key[1] = "terminal_value", override2_val[1] = "false";
        cr_assert_eq(desc->run(NULL, st, &err), 0, "%s", err.msg);
        struct sco_table *sum = out("inventory_plan");
        cr_assert(sum);
        for (size_t r = 0; r < sum->n; r++)
            if (!strcmp(sum->c[t_col(sum, "metric")].s[r], "plan_cost"))
                val[k] = sum->c[t_col(sum, "value")].f[r];
    }
    override2_key[0] = override2_key[1] = NULL;
    /* the terminal value charges the continuation past the horizon: a different cost */
    cr_expect(fabs(val[0] - val[1]) > 1e-6, "%.6f vs %.6f", val[0], val[1]);
    override2_key[0] = "shortage", override2_val[0] = "sideways";
    cr_expect_eq(desc->run(NULL, st, &err), SCO_ERR_CONFIG);
    cr_expect(strstr(err.msg, "unknown shortage 'sideways'"), "%s", err.msg);
    override2_key[0] = NULL;
}
