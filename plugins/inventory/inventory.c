/* inventory.c: the sco plugin. Reads the forecast's cumulative quantiles, stock, open orders,
 * items, suppliers and warehouses; plans replenishment with the core (inv-*.c); publishes the
 * policy, purchase orders, transfers, exceptions and a plan summary, and writes one purchase
 * order per supplier x warehouse as CSV and printable HTML. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sco/sco-plugin.h>

#include "inv-input.h"

static const struct sco_host_api *host;

/* ---- ports -------------------------------------------------------------------------------- */
static const struct sco_column_spec fc_cum_cols[] = {
    { "sku", SCO_COL_STR, false, "item" },
    { "warehouse", SCO_COL_STR, false, "warehouse" },
    { "days", SCO_COL_I64, false, "k: demand summed over the first k days from the plan date" },
    { "mean", SCO_COL_F64, true, "mean of the k-day demand" },
};
static const struct sco_column_spec fc_cols[] = {
    { "sku", SCO_COL_STR, false, "item" },
    { "warehouse", SCO_COL_STR, false, "warehouse" },
    { "date", SCO_COL_DATE, false, "day" },
    { "mean", SCO_COL_F64, false, "mean daily demand" },
};
static const struct sco_column_spec item_cols[] = {
    { "sku", SCO_COL_STR, false, NULL },
    { "unit_cost", SCO_COL_F64, false, NULL },
    { "unit_price", SCO_COL_F64, true, "for the lost-sale penalty (default 1.5 x cost)" },
    { "case_pack", SCO_COL_I64, false, "units per case, >= 1" },
    { "moq_units", SCO_COL_I64, true, "minimum order quantity in units" },
    { "supplier", SCO_COL_STR, false, NULL },
    { "volume_l", SCO_COL_F64, true, "litres per unit (storage and receiving rows)" },
};
static const struct sco_column_spec sup_cols[] = {
    { "supplier", SCO_COL_STR, false, NULL },
    { "lead_time_days", SCO_COL_F64, false, NULL },
    { "lead_time_sd_days", SCO_COL_F64, true, "lead-time variability (0 when absent)" },
    { "order_weekdays", SCO_COL_STR, true, "e.g. Mon,Thu: orders go out on the first of them" },
};
static const struct sco_column_spec wh_cols[] = {
    { "warehouse", SCO_COL_STR, false, NULL },
    { "storage_volume_l", SCO_COL_F64, true, "empty: unbounded" },
    { "receiving_volume_l_per_day", SCO_COL_F64, true, "empty: unbounded" },
};
static const struct sco_column_spec stock_cols[] = {
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
    { "on_hand", SCO_COL_F64, false, "units, >= 0" },
};
static const struct sco_column_spec open_cols[] = {
    { "order_ref", SCO_COL_STR, true, NULL },
    { "kind", SCO_COL_STR, false, "purchase or transfer" },
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, "receiving warehouse" },
    { "from_warehouse", SCO_COL_STR, true, "sending warehouse of a transfer" },
    { "qty", SCO_COL_F64, false, NULL },
    { "expected_date", SCO_COL_DATE, false, NULL },
};
static const struct sco_column_spec sales_cols[] = {
    { "date", SCO_COL_DATE, false, NULL },
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
};

static const struct sco_port inputs[] = {
    { "forecast_cumulative", "quantiles of cumulative demand (q10, q50, ... columns)", true,
      fc_cum_cols, SCO_COUNT(fc_cum_cols) },
    { "forecast", "daily quantiles; used only without forecast_cumulative", true, fc_cols,
      SCO_COUNT(fc_cols) },
    { "items", NULL, false, item_cols, SCO_COUNT(item_cols) },
    { "suppliers", NULL, false, sup_cols, SCO_COUNT(sup_cols) },
    { "warehouses", NULL, false, wh_cols, SCO_COUNT(wh_cols) },
    { "stock", NULL, false, stock_cols, SCO_COUNT(stock_cols) },
    { "open_orders", "open purchase orders and transfers", true, open_cols,
      SCO_COUNT(open_cols) },
    { "sales", "history, to flag SKU-locations with too little of it", true, sales_cols,
      SCO_COUNT(sales_cols) },
};

static const struct sco_column_spec pol_cols[] = {
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
    { "review_days", SCO_COL_I64, false, NULL },
    { "protection_days", SCO_COL_F64, false, "mean lead time + review period" },
    { "reorder_point", SCO_COL_F64, false, "order at a review when the position is below" },
    { "order_up_to", SCO_COL_F64, false, "position after today's order (or the base level)" },
    { "safety_stock", SCO_COL_F64, false, "reorder point - mean protection demand" },
    { "service_target", SCO_COL_F64, false, NULL },
    { "service_kind", SCO_COL_STR, false, "fill_rate (units) or cycle_service_level" },
    { "expected_fill_rate", SCO_COL_F64, false, "unit fill rate at order_up_to" },
    { "inventory_position", SCO_COL_F64, false, "on hand + open orders, today" },
    { "days_of_cover", SCO_COL_F64, false, "inventory position / mean daily demand" },
    { "mean_daily_demand", SCO_COL_F64, false, NULL },
};
static const struct sco_column_spec po_cols[] = {
    { "po_id", SCO_COL_STR, false, NULL },
    { "supplier", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
    { "sku", SCO_COL_STR, false, NULL },
    { "cases", SCO_COL_I64, false, NULL },
    { "units", SCO_COL_I64, false, NULL },
    { "unit_cost", SCO_COL_F64, false, NULL },
    { "value", SCO_COL_F64, false, NULL },
    { "order_date", SCO_COL_DATE, false, NULL },
    { "expected_date", SCO_COL_DATE, false, NULL },
    { "status", SCO_COL_STR, false, "firm (order today) or planned (a later review)" },
    { "why", SCO_COL_STR, false, NULL },
};
static const struct sco_column_spec xfer_cols[] = {
    { "transfer_id", SCO_COL_STR, false, NULL },
    { "from_warehouse", SCO_COL_STR, false, NULL },
    { "to_warehouse", SCO_COL_STR, false, NULL },
    { "sku", SCO_COL_STR, false, NULL },
    { "units", SCO_COL_I64, false, NULL },
    { "ship_date", SCO_COL_DATE, false, NULL },
    { "expected_date", SCO_COL_DATE, false, NULL },
    { "why", SCO_COL_STR, false, NULL },
};
static const struct sco_column_spec exc_cols[] = {
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
    { "kind", SCO_COL_STR, false, NULL },
    { "detail", SCO_COL_STR, false, NULL },
};
static const struct sco_column_spec sum_cols[] = {
    { "metric", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, "empty for the whole plan" },
    { "date", SCO_COL_DATE, false, "order or arrival day where it applies" },
    { "value", SCO_COL_F64, false, NULL },
};
static const struct sco_port outputs[] = {
    { "inventory_policy", "policy per SKU x warehouse", false, pol_cols, SCO_COUNT(pol_cols) },
    { "purchase_orders", "order lines (firm today, planned later)", false, po_cols,
      SCO_COUNT(po_cols) },
    { "transfers", "moves between warehouses", false, xfer_cols, SCO_COUNT(xfer_cols) },
    { "inventory_exceptions", "what the planner should look at", false, exc_cols,
      SCO_COUNT(exc_cols) },
    { "inventory_plan", "plan summary: value, budget, capacity, bound and gap", false, sum_cols,
      SCO_COUNT(sum_cols) },
};

static const struct sco_config_key keys[] = {
    { "review_days", SCO_CFG_INT, "7", "days between reviews (order days)", false },
    { "horizon_days", SCO_CFG_INT, "56", "planning horizon: order days in it are planned", false },
    { "transfer_days", SCO_CFG_INT, "2", "days a transfer between warehouses takes", false },
    { "holding_rate", SCO_CFG_F64, "0.25", "holding cost per year as a fraction of unit cost",
      false },
    { "penalty_factor", SCO_CFG_F64, "1.0", "lost-sale penalty per unit = factor x unit price",
      false },
    { "fixed_cost_per_line", SCO_CFG_F64, "10", "fixed cost of one order line", false },
    { "budget_per_order_day", SCO_CFG_F64, "0", "value that may be ordered per order day; 0: none",
      false },
    { "service_level", SCO_CFG_F64, "0.95", "service target (floor on the shortage penalty)",
      false },
    { "service_kind", SCO_CFG_STR, "fill_rate", "fill_rate or cycle_service_level", false },
    { "rounding", SCO_CFG_STR, "up", "case-pack rounding of policy quantities: up, down, nearest",
      false },
    { "max_iterations", SCO_CFG_INT, "150", "Lagrangian iterations", false },
    { "target_gap", SCO_CFG_F64, "0.001", "stop once the plan is this close to the bound", false },
    { "min_history_days", SCO_CFG_F64, "28", "less history than this is an exception", false },
    { "po_files", SCO_CFG_BOOL, "true", "write po/<supplier>_<warehouse>.csv and .html", false },
    { "solver", SCO_CFG_STR, "decomposition",
      "decomposition (DP + Lagrangian, any size) or milp (one exact GLPK MILP, small instances)",
      false },
    { "milp_time_limit_s", SCO_CFG_F64, "60", "time limit of the exact milp", false },
    { "shortage", SCO_CFG_STR, "lost_sales",
      "lost_sales (a stage pays only the shortfall arising in it) or backorder (the cumulative "
      "shortfall at its end); the milp solver always uses backorder", false },
    { "terminal_value", SCO_CFG_BOOL, "true",
      "charge the last stage the cost of continuing past the horizon with its leftover stock "
      "(EOQ relative value); off in the milp solver", false },
    { "recourse", SCO_CFG_BOOL, "true",
      "a later order day's costs see only the demand uncertainty after that day (the plan is "
      "re-made at every review) instead of all of it from today (open loop)", false },
};

struct state {
    int unused;
};

/* ---- column access ------------------------------------------------------------------------- */

struct tabctx {
    const struct sco_table *t;
};

static const char *origin_cb(void *ctx, size_t row)
{
    struct tabctx *c = ctx;
    return host->tables->row_origin(c->t, row);
}

static const struct sco_table_api *T(void)
{
    return host->tables;
}

static const char *const *col_str(const struct sco_table *t, const char *name)
{
    int c = T()->col(t, name);
    return c < 0 ? NULL : T()->str(t, c);
}

/* F64 view of a column of any numeric or text type (arena copy when converted); NULL absent */
static const double *col_f64(struct sco_ctx *ctx, const struct sco_table *t, const char *name)
{
    int c = T()->col(t, name);
    if (c < 0)
        return NULL;
    enum sco_col_type ty = T()->col_type(t, c);
    if (ty == SCO_COL_F64)
        return T()->f64(t, c);
    size_t n = T()->n_rows(t);
    double *v = host->arena_alloc(ctx, sizeof(double) * (n + 1), sizeof(double));
    if (!v)
        return NULL;
    if (ty == SCO_COL_I64 || ty == SCO_COL_DATE) {
        const int64_t *x = T()->i64(t, c);
        for (size_t i = 0; i < n; i++)
            v[i] = x[i] == SCO_NULL_I64 ? NAN : (double)x[i];
    } else {
        const char *const *x = T()->str(t, c);
        for (size_t i = 0; i < n; i++) {
            char *end;
            v[i] = x[i] && x[i][0] ? strtod(x[i], &end) : NAN;
            if (x[i] && x[i][0] && *end)
                v[i] = NAN;
        }
    }
    return v;
}

static const int64_t *col_i64(struct sco_ctx *ctx, const struct sco_table *t, const char *name)
{
    int c = T()->col(t, name);
    if (c < 0)
        return NULL;
    enum sco_col_type ty = T()->col_type(t, c);
    if (ty == SCO_COL_I64 || ty == SCO_COL_DATE)
        return T()->i64(t, c);
    const double *f = col_f64(ctx, t, name);
    size_t n = T()->n_rows(t);
    int64_t *v = host->arena_alloc(ctx, sizeof(int64_t) * (n + 1), sizeof(int64_t));
    if (!v || !f)
        return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = isfinite(f[i]) && f[i] == floor(f[i]) ? (int64_t)f[i] : SCO_NULL_I64;
    return v;
}

/* "q97_5" -> 0.975; -1 when the name is not a quantile column */
static double q_level(const char *name)
{
    if (name[0] != 'q' || !name[1])
        return -1;
    char buf[32];
    size_t k = 0;
    for (const char *p = name + 1; *p; p++) {
        if (k + 1 >= sizeof buf)
            return -1;
        if (*p >= '0' && *p <= '9')
            buf[k++] = *p;
        else if (*p == '_' && k > 0)
            buf[k++] = '.';
        else
            return -1;
    }
    buf[k] = 0;
    double v = atof(buf) / 100;
    return v >= 0 && v <= 1 ? v : -1;
}

static int find_levels(struct sco_ctx *ctx, const struct sco_table *t, struct sco_inv_input *in,
                       struct sco_err *err)
{
    in->n_levels = 0;
    for (int c = 0; c < (int)T()->n_cols(t); c++) {
        const char *nm = T()->col_name(t, c);
        double l = q_level(nm);
        if (l < 0)
            continue;
        if (in->n_levels == SCO_INV_MAX_LEVELS)
            return sco_err_set(err, SCO_ERR_INVALID, "table '%s' has more than %d quantile "
                               "columns", T()->name(t), SCO_INV_MAX_LEVELS);
        in->levels[in->n_levels] = l;
        in->f_q[in->n_levels] = col_f64(ctx, t, nm);
        if (!in->f_q[in->n_levels])
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        in->n_levels++;
    }
    if (in->n_levels == 0)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "table '%s' has no quantile columns (q10, q50, q90, ...); configure "
                           "the forecast stage's quantiles", T()->name(t));
    return 0;
}

/* Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
static double norm_q(double p)
{
    static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00 };
    static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01 };
    static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00, 2.938163982698783e+00 };
    static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00 };
    if (p <= 0)
        return -INFINITY;
    if (p >= 1)
        return INFINITY;
    if (p < 0.02425) {
        double q = sqrt(-2 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425)
        return -norm_q(1 - p);
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/* Daily forecast -> cumulative quantiles, days independent, normal with the summed mean and
 * variance (sd of a day from its quantile spread), clipped at 0. */
static int from_daily(struct sco_ctx *ctx, const struct sco_table *t, struct sco_inv_input *in,
                      struct sco_err *err)
{
    int rc = find_levels(ctx, t, in, err);
    if (rc)
        return rc;
    size_t n = T()->n_rows(t);
    const char *const *sku = col_str(t, "sku"), *const *wh = col_str(t, "warehouse");
    const int64_t *date = col_i64(ctx, t, "date");
    const double *mean = col_f64(ctx, t, "mean");
    if (!sku || !wh || !date || !mean)
        return sco_err_set(err, SCO_ERR_INVALID, "table 'forecast' needs sku, warehouse, date, "
                           "mean");
    /* rows are expected grouped by key and sorted by date (as the forecast stage writes them) */
    const char **os = host->arena_alloc(ctx, sizeof(char *) * (n + 1), sizeof(char *));
    const char **ow = host->arena_alloc(ctx, sizeof(char *) * (n + 1), sizeof(char *));
    int64_t *od = host->arena_alloc(ctx, sizeof(int64_t) * (n + 1), sizeof(int64_t));
    double *oq = host->arena_alloc(ctx, sizeof(double) * (n + 1) * in->n_levels, sizeof(double));
    if (!os || !ow || !od || !oq)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    size_t m = 0;
    double cm = 0, cv = 0;
    int64_t k = 0;
    for (size_t r = 0; r < n; r++) {
        if (date[r] == SCO_NULL_I64 || date[r] < in->plan_date)
            continue;
        if (m == 0 || strcmp(sku[r], os[m - 1]) || strcmp(wh[r], ow[m - 1]))
            cm = 0, cv = 0, k = 0;
        double mu = isfinite(mean[r]) && mean[r] > 0 ? mean[r] : 0;
        /* sd of the day: the widest quantile's distance from the mean over its normal z */
        double sd = 0;
        for (int l = 0; l < in->n_levels; l++) {
            double p = in->levels[l];
            if (p <= 0.01 || p >= 0.99 || fabs(p - 0.5) < 0.05)
                continue;
            double z = norm_q(p);
            double s = (in->f_q[l][r] - mu) / z;
            if (isfinite(s) && s > sd)
                sd = s;
        }
        cm += mu, cv += sd * sd, k++;
        os[m] = sku[r], ow[m] = wh[r], od[m] = k;
        for (int l = 0; l < in->n_levels; l++) {
            double p = in->levels[l];
            double z = p <= 0 ? -1e9 : p >= 1 ? 1e9 : norm_q(p);
            double v = cm + z * sqrt(cv);
            oq[m * in->n_levels + l] = v > 0 ? (isfinite(v) ? v : cm * 10 + 10) : 0;
        }
        m++;
    }
    in->fc.n = m;
    in->f_sku = os, in->f_wh = ow, in->f_days = od;
    for (int l = 0; l < in->n_levels; l++) {
        double *c = host->arena_alloc(ctx, sizeof(double) * (m + 1), sizeof(double));
        if (!c)
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        for (size_t r = 0; r < m; r++)
            c[r] = oq[r * in->n_levels + l];
        in->f_q[l] = c;
    }
    host->log_msg(ctx, SCO_LOG_INFO, "cumulative quantiles built from the daily forecast "
                                     "(independent days, normal); publish forecast_cumulative for "
                                     "better tails");
    return 0;
}

/* ---- config ---------------------------------------------------------------------------- */

static int read_config(struct sco_ctx *ctx, struct sco_inv_config *c, bool *po_files,
                       struct sco_err *err)
{
    int64_t v;
    int rc;
#define GETI(key, dst)                                                                     \
    do {                                                                                   \
        if ((rc = host->cfg_i64(ctx, key, &v, err)))                                       \
            return rc;                                                                     \
        if (v < 0 || v > 100000)                                                           \
            return host->cfg_error(ctx, key, err, "%lld is out of range 0..100000",        \
                                   (long long)v);                                          \
        dst = (int)v;                                                                      \
    } while (0)
#define GETF(key, dst)                                                                     \
    do {                                                                                   \
        if ((rc = host->cfg_f64(ctx, key, &dst, err)))                                     \
            return rc;                                                                     \
        if (!(dst >= 0) || !isfinite(dst))                                                 \
            return host->cfg_error(ctx, key, err, "must be a number >= 0");                \
    } while (0)
    GETI("review_days", c->review_days);
    GETI("horizon_days", c->horizon_days);
    GETI("transfer_days", c->transfer_days);
    GETI("max_iterations", c->max_iter);
    GETF("holding_rate", c->holding_rate);
    GETF("penalty_factor", c->penalty_factor);
    GETF("fixed_cost_per_line", c->fixed_cost);
    GETF("budget_per_order_day", c->budget);
    GETF("service_level", c->service_level);
    GETF("target_gap", c->target_gap);
    GETF("min_history_days", c->min_history_days);
#undef GETI
#undef GETF
    if (c->review_days < 1)
        return host->cfg_error(ctx, "review_days", err, "must be at least 1");
    if (c->horizon_days < c->review_days)
        return host->cfg_error(ctx, "horizon_days", err, "must be at least review_days (%d)",
                               c->review_days);
    if (!(c->service_level > 0 && c->service_level < 1))
        return host->cfg_error(ctx, "service_level", err, "must be between 0 and 1, e.g. 0.95");
    const char *s;
    if ((rc = host->cfg_str(ctx, "service_kind", &s, err)))
        return rc;
    if (!strcasecmp(s, "fill_rate") || !strcasecmp(s, "fill"))
        c->kind = SCO_INV_FILL;
    else if (!strcasecmp(s, "cycle_service_level") || !strcasecmp(s, "csl"))
        c->kind = SCO_INV_CSL;
    else
        return host->cfg_error(ctx, "service_kind", err,
                               "unknown service kind '%s'; use fill_rate or cycle_service_level",
                               s);
    if ((rc = host->cfg_str(ctx, "rounding", &s, err)))
        return rc;
    if (sco__inv_round_parse(s, &c->rounding))
        return host->cfg_error(ctx, "rounding", err,
                               "unknown rounding '%s'; use up, down or nearest", s);
    if ((rc = host->cfg_bool(ctx, "po_files", po_files, err)))
        return rc;
    if ((rc = host->cfg_str(ctx, "shortage", &s, err)))
        return rc;
    if (!strcasecmp(s, "lost_sales") || !strcasecmp(s, "lost"))
        c->lost_sales = true;
    else if (!strcasecmp(s, "backorder") || !strcasecmp(s, "backorders"))
        c->lost_sales = false;
    else
        return host->cfg_error(ctx, "shortage", err,
                               "unknown shortage '%s'; use lost_sales or backorder", s);
    if ((rc = host->cfg_bool(ctx, "terminal_value", &c->terminal_value, err)))
        return rc;
    if ((rc = host->cfg_bool(ctx, "recourse", &c->recourse, err)))
        return rc;
    return 0;
}

/* ---- inputs ------------------------------------------------------------------------------ */

static int need(const struct sco_table *t, const void *col, const char *name,
                struct sco_err *err)
{
    if (col)
        return 0;
    return sco_err_set(err, SCO_ERR_INVALID, "table '%s' has no column '%s'", T()->name(t),
                       name);
}

static int read_inputs(struct sco_ctx *ctx, struct sco_inv_input *in, struct tabctx *tc,
                       struct sco_err *err)
{
    int rc = 0;
    const struct sco_table *items = host->input(ctx, "items");
    const struct sco_table *sup = host->input(ctx, "suppliers");
    const struct sco_table *wh = host->input(ctx, "warehouses");
    const struct sco_table *st = host->input(ctx, "stock");
    const struct sco_table *op = host->input(ctx, "open_orders");
    const struct sco_table *fcc = host->input(ctx, "forecast_cumulative");
    const struct sco_table *fcd = host->input(ctx, "forecast");
    const struct sco_table *sa = host->input(ctx, "sales");
    if (!items || !sup || !wh || !st)
        return sco_err_set(err, SCO_ERR_NOINPUT, "inputs items, suppliers, warehouses and stock "
                           "are required");
    if (!fcc && !fcd)
        return sco_err_set(err, SCO_ERR_NOINPUT, "no forecast: feed forecast_cumulative (or "
                           "forecast) from the forecast stage or a source");
    const struct sco_table *tabs[] = { items, sup, wh, st, op, fcc ? fcc : fcd, sa };
    struct sco_inv_tab *dst[] = { &in->items, &in->sup, &in->wh, &in->stock, &in->open, &in->fc,
                                  &in->sales };
    for (int i = 0; i < 7; i++) {
        tc[i].t = tabs[i];
        dst[i]->n = tabs[i] ? T()->n_rows(tabs[i]) : 0;
        dst[i]->origin = origin_cb;
        dst[i]->octx = &tc[i];
    }
    in->i_sku = col_str(items, "sku");
    in->i_supplier = col_str(items, "supplier");
    in->i_cost = col_f64(ctx, items, "unit_cost");
    in->i_price = col_f64(ctx, items, "unit_price");
    in->i_volume = col_f64(ctx, items, "volume_l");
    in->i_case = col_i64(ctx, items, "case_pack");
    in->i_moq = col_i64(ctx, items, "moq_units");
    if ((rc = need(items, in->i_sku, "sku", err)) ||
        (rc = need(items, in->i_supplier, "supplier", err)) ||
        (rc = need(items, in->i_cost, "unit_cost", err)) ||
        (rc = need(items, in->i_case, "case_pack", err)))
        return rc;
    in->s_id = col_str(sup, "supplier");
    in->s_lead = col_f64(ctx, sup, "lead_time_days");
    in->s_lead_sd = col_f64(ctx, sup, "lead_time_sd_days");
    in->s_days = col_str(sup, "order_weekdays");
    if ((rc = need(sup, in->s_id, "supplier", err)) ||
        (rc = need(sup, in->s_lead, "lead_time_days", err)))
        return rc;
    in->w_id = col_str(wh, "warehouse");
    in->w_storage = col_f64(ctx, wh, "storage_volume_l");
    in->w_recv = col_f64(ctx, wh, "receiving_volume_l_per_day");
    if ((rc = need(wh, in->w_id, "warehouse", err)))
        return rc;
    in->st_sku = col_str(st, "sku");
    in->st_wh = col_str(st, "warehouse");
    in->st_on_hand = col_f64(ctx, st, "on_hand");
    if ((rc = need(st, in->st_sku, "sku", err)) || (rc = need(st, in->st_wh, "warehouse", err)) ||
        (rc = need(st, in->st_on_hand, "on_hand", err)))
        return rc;
    if (op) {
        in->o_kind = col_str(op, "kind");
        in->o_sku = col_str(op, "sku");
        in->o_wh = col_str(op, "warehouse");
        in->o_from = col_str(op, "from_warehouse");
        in->o_qty = col_f64(ctx, op, "qty");
        in->o_date = col_i64(ctx, op, "expected_date");
        if ((rc = need(op, in->o_kind, "kind", err)) || (rc = need(op, in->o_sku, "sku", err)) ||
            (rc = need(op, in->o_wh, "warehouse", err)) ||
            (rc = need(op, in->o_qty, "qty", err)) ||
            (rc = need(op, in->o_date, "expected_date", err)))
            return rc;
    }
    if (sa) {
        in->sa_sku = col_str(sa, "sku");
        in->sa_wh = col_str(sa, "warehouse");
        in->sa_date = col_i64(ctx, sa, "date");
        if (!in->sa_sku || !in->sa_wh || !in->sa_date)
            in->sales.n = 0;
    }
    if (fcc) {
        in->f_sku = col_str(fcc, "sku");
        in->f_wh = col_str(fcc, "warehouse");
        in->f_days = col_i64(ctx, fcc, "days");
        if ((rc = need(fcc, in->f_sku, "sku", err)) ||
            (rc = need(fcc, in->f_wh, "warehouse", err)) ||
            (rc = need(fcc, in->f_days, "days", err)))
            return rc;
        return find_levels(ctx, fcc, in, err);
    }
    in->fc.origin = NULL; /* rows are rebuilt: name them "forecast_cumulative row N" */
    return from_daily(ctx, fcd, in, err);
}

/* ---- outputs ------------------------------------------------------------------------------ */

struct tb {
    struct sco_table *t;
    const struct sco_column_spec *cols;
    size_t nc;
};

static int tb_new(struct sco_ctx *ctx, struct tb *b, const char *name,
                  const struct sco_column_spec *cols, size_t nc, size_t rows,
                  struct sco_err *err)
{
    b->t = T()->create(ctx, name, cols, nc);
    b->cols = cols, b->nc = nc;
    if (!b->t)
        return sco_err_set(err, SCO_ERR_NOMEM, "cannot create table '%s'", name);
    return rows ? T()->add_rows(b->t, rows, err) : 0;
}

static int tb_col(const struct tb *b, const char *name)
{
    for (size_t i = 0; i < b->nc; i++)
        if (!strcmp(b->cols[i].name, name))
            return (int)i;
    return -1;
}

static int tb_s(struct tb *b, const char *col, size_t row, const char *v, struct sco_err *err)
{
    return T()->set_str(b->t, tb_col(b, col), row, v ? v : "", err);
}
static void tb_f(struct tb *b, const char *col, size_t row, double v)
{
    T()->f64_mut(b->t, tb_col(b, col))[row] = v;
}
static void tb_i(struct tb *b, const char *col, size_t row, int64_t v)
{
    T()->i64_mut(b->t, tb_col(b, col))[row] = v;
}

/* per-item policy figures */
struct pol {
    double ip, rop, out, ss, fill, mean_day, prot_days, y0;
};

static int item_policy(const struct sco_inv_input *in, const struct sco_inv_built *b,
                       const struct sco_inv_plan *plan, int32_t i, struct pol *p,
                       struct sco_err *err)
{
    const struct sco_inv_item *it = &b->items[i];
    int R = in->cfg.review_days;
    int L[SCO_INV_MAX_LEADS];
    double w[SCO_INV_MAX_LEADS];
    int nl = sco__inv_lead_points(it->lead_mean, it->lead_sd, L, w);
    struct sco_inv_dist dp[SCO_INV_MAX_LEADS], dl[SCO_INV_MAX_LEADS], dr;
    struct sco_inv_mix prot = { nl, { 0 }, { 0 } }, lead = { nl, { 0 }, { 0 } };
    int rc;
    for (int j = 0; j < nl; j++) {
        if ((rc = sco__inv_item_dist(b, i, L[j] + R, &dp[j], err)) ||
            (rc = sco__inv_item_dist(b, i, L[j], &dl[j], err)))
            return rc;
        prot.d[j] = &dp[j], lead.d[j] = &dl[j];
        prot.w[j] = lead.w[j] = w[j];
    }
    if ((rc = sco__inv_item_dist(b, i, R, &dr, err)))
        return rc;
    double beta = in->cfg.service_level;
    p->rop = in->cfg.kind == SCO_INV_CSL ? sco__inv_out_csl(&prot, beta)
                                         : sco__inv_out_fill(&prot, &lead, dr.mean, beta);
    p->ss = p->rop - sco__inv_mix_mean(&prot);
    p->ip = sco__inv_position(it->on_hand, it->open, it->n_open, 1 << 30);
    int64_t q0 = plan->n_valid[i] > 0 ? plan->cases[(size_t)i * plan->n_stages] : 0;
    p->y0 = p->ip + (double)(q0 * it->case_pack);
    p->out = q0 > 0 ? p->y0 : p->rop;
    p->fill = sco__inv_fill_at(&prot, &lead, dr.mean, p->y0);
    struct sco_inv_dist dh;
    if ((rc = sco__inv_item_dist(b, i, it->n_days, &dh, err)))
        return rc;
    p->mean_day = it->n_days > 0 ? dh.mean / it->n_days : 0;
    p->prot_days = it->lead_mean + R;
    return 0;
}

static const char *cut_name(unsigned f)
{
    if (f & SCO_INV_CUT_BUDGET)
        return "budget";
    if (f & SCO_INV_CUT_RECEIVING)
        return "receiving capacity";
    if (f & SCO_INV_CUT_STORAGE)
        return "storage capacity";
    return NULL;
}

static void html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else
            fputc(*s, f);
    }
}

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

struct poline {
    int32_t item, stage;
    int64_t cases;
};

static const struct sco_inv_input *g_in;
static const struct sco_inv_built *g_b;
static int cmp_line(const void *x, const void *y)
{
    const struct poline *a = x, *c = y;
    if (a->stage != c->stage)
        return a->stage - c->stage;
    int s = strcmp(g_in->s_id[g_b->sup_row[a->item]], g_in->s_id[g_b->sup_row[c->item]]);
    if (s)
        return s;
    s = g_b->items[a->item].wh - g_b->items[c->item].wh;
    if (s)
        return s;
    return strcmp(g_in->i_sku[g_b->item_row[a->item]], g_in->i_sku[g_b->item_row[c->item]]);
}

static int write_po_files(struct sco_ctx *ctx, const struct sco_inv_input *in,
                          const struct sco_inv_built *b, const struct poline *ln, size_t n,
                          const char *const *why, struct sco_err *err)
{
    char date[32], arr[32];
    for (size_t a = 0; a < n;) {
        if (ln[a].stage != 0) {
            a++;
            continue;
        }
        size_t e = a;
        int32_t s0 = b->sup_row[ln[a].item], w0 = b->items[ln[a].item].wh;
        while (e < n && ln[e].stage == 0 && b->sup_row[ln[e].item] == s0 &&
               b->items[ln[e].item].wh == w0)
            e++;
        /* the supplier's next order day (today, or its next order weekday) */
        sco_date_format(in->plan_date + b->items[ln[a].item].order_offset, date);
        const char *sup = in->s_id[s0], *wh = in->w_id[w0];
        char rel[512];
        for (int kind = 0; kind < 2; kind++) {
            snprintf(rel, sizeof rel, "po/%s_%s.%s", sup, wh, kind ? "html" : "csv");
            for (char *p = rel + 3; *p; p++)
                if (*p == '/' || *p == '\\' || *p == ' ')
                    *p = '_';
            FILE *f = host->file_create(ctx, rel, err);
            if (!f)
                return err->code ? err->code : SCO_ERR_IO;
            double total = 0;
            if (kind == 0)
                fputs("po_id,supplier,warehouse,sku,cases,units,unit_cost,value,order_date,"
                      "expected_date,why\n", f);
            else {
                fprintf(f, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Purchase "
                           "order ");
                html_escape(f, sup);
                fputs(" / ", f);
                html_escape(f, wh);
                fputs("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-"
                      "collapse:collapse;width:100%}td,th{border:1px solid #999;padding:4px 6px;"
                      "font-size:11pt}td.n{text-align:right}small{color:#555}@media print{"
                      "body{margin:0}}</style></head><body>\n<h1>Purchase order</h1>\n<p>"
                      "Supplier: <b>", f);
                html_escape(f, sup);
                fputs("</b><br>Deliver to: <b>", f);
                html_escape(f, wh);
                fprintf(f, "</b><br>Order date: %s<br>PO: PO-%s-", date, date);
                html_escape(f, sup);
                fputc('-', f);
                html_escape(f, wh);
                fputs("</p>\n<table><tr><th>SKU</th><th>Cases</th><th>Units</th><th>Unit cost"
                      "</th><th>Value</th><th>Expected</th><th>Why</th></tr>\n", f);
            }
            for (size_t k = a; k < e; k++) {
                const struct sco_inv_item *it = &b->items[ln[k].item];
                const char *sku = in->i_sku[b->item_row[ln[k].item]];
                int64_t units = ln[k].cases * it->case_pack;
                double value = (double)units * it->unit_cost;
                total += value;
                sco_date_format(in->plan_date + it->order_offset +
                                    (int64_t)lround(it->lead_mean),
                                arr);
                if (kind == 0) {
                    fprintf(f, "PO-%s-", date);
                    csv_field(f, sup);
                    fputc('-', f);
                    csv_field(f, wh);
                    fputc(',', f);
                    csv_field(f, sup);
                    fputc(',', f);
                    csv_field(f, wh);
                    fputc(',', f);
                    csv_field(f, sku);
                    fprintf(f, ",%lld,%lld,%.4f,%.2f,%s,%s,", (long long)ln[k].cases,
                            (long long)units, it->unit_cost, value, date, arr);
                    csv_field(f, why[k]);
                    fputc('\n', f);
                } else {
                    fputs("<tr><td>", f);
                    html_escape(f, sku);
                    fprintf(f, "</td><td class=n>%lld</td><td class=n>%lld</td><td class=n>%.2f"
                               "</td><td class=n>%.2f</td><td>%s</td><td><small>",
                            (long long)ln[k].cases, (long long)units, it->unit_cost, value, arr);
                    html_escape(f, why[k]);
                    fputs("</small></td></tr>\n", f);
                }
            }
            if (kind == 1)
                fprintf(f, "<tr><th colspan=4>Total</th><th class=n>%.2f</th><th colspan=2>"
                           "</th></tr></table>\n<p><small>Generated by sco inventory.</small>"
                           "</p></body></html>\n", total);
            int rc = host->file_commit(ctx, f, err);
            if (rc)
                return rc;
        }
        a = e;
    }
    return 0;
}

static int inv_run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)state;
    struct sco_inv_input in;
    memset(&in, 0, sizeof in);
    struct tabctx tc[7];
    bool po_files = true;
    int rc = read_config(ctx, &in.cfg, &po_files, err);
    if (rc)
        return rc;
    const struct sco_run_info *ri = host->run_info(ctx);
    in.plan_date = ri->run_date;
    if ((rc = read_inputs(ctx, &in, tc, err)))
        return rc;
    struct sco_inv_built b;
    if ((rc = sco__inv_input_build(&in, &b, err)))
        return rc;
    b.pb.seed = ri->seed;
    struct sco_inv_plan plan;
    memset(&plan, 0, sizeof plan);
    host->progress(ctx, 0, 3, "planning");
    const char *solver;
    double tlim;
    if ((rc = host->cfg_str(ctx, "solver", &solver, err)) ||
        (rc = host->cfg_f64(ctx, "milp_time_limit_s", &tlim, err)))
        goto out_b;
    if (!strcasecmp(solver, "milp")) {
        double bound;
        if (b.pb.lost_sales || b.pb.terminal_value)
            host->log_msg(ctx, SCO_LOG_INFO, "milp solves the convex model: backorder shortage "
                          "term, no terminal value");
        b.pb.lost_sales = false; /* the exact milp needs convex stage costs */
        b.pb.terminal_value = false;
        rc = sco__inv_solve_milp(&b.pb, tlim, &plan, &bound, err);
        if (rc == 1)
            host->log_msg(ctx, SCO_LOG_WARN, "milp stopped at the time limit (%.0f s): gap %.3f%%",
                          tlim, 100 * plan.gap);
        if (rc < 0)
            goto out_b;
        rc = 0;
    } else if (!strcasecmp(solver, "decomposition")) {
        if ((rc = sco__inv_solve(&b.pb, &plan, err)))
            goto out_b;
    } else {
        rc = host->cfg_error(ctx, "solver", err, "unknown solver '%s'; use decomposition or milp",
                             solver);
        goto out_b;
    }
    host->log_msg(ctx, SCO_LOG_INFO,
                  "plan for %d SKU-locations: cost %.2f, lower bound %.2f, gap %.3f%% after %d "
                  "iterations", plan.n_items, plan.ub, plan.lb, 100 * plan.gap, plan.iters);
    host->progress(ctx, 2, 3, "writing");
    int32_t n = b.pb.n_items, NS = plan.n_stages, R = in.cfg.review_days;
    struct pol *pol = calloc((size_t)n + 1, sizeof *pol);
    size_t nlines = 0;
    for (int32_t i = 0; i < n; i++)
        for (int m = 0; m < NS; m++)
            nlines += plan.cases[(size_t)i * NS + m] > 0;
    struct poline *ln = calloc(nlines + 1, sizeof *ln);
    char **why = calloc(nlines + 1, sizeof *why);
    if (!pol || !ln || !why) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int32_t i = 0; i < n; i++)
        if ((rc = item_policy(&in, &b, &plan, i, &pol[i], err)))
            goto out;
    /* policy */
    struct tb t;
    if ((rc = tb_new(ctx, &t, "inventory_policy", pol_cols, SCO_COUNT(pol_cols), (size_t)n, err)))
        goto out;
    for (int32_t i = 0; i < n; i++) {
        const struct pol *p = &pol[i];
        if ((rc = tb_s(&t, "sku", i, in.i_sku[b.item_row[i]], err)) ||
            (rc = tb_s(&t, "warehouse", i, in.w_id[b.items[i].wh], err)) ||
            (rc = tb_s(&t, "service_kind", i,
                       in.cfg.kind == SCO_INV_CSL ? "cycle_service_level" : "fill_rate", err)))
            goto out;
        tb_i(&t, "review_days", i, R);
        tb_f(&t, "protection_days", i, p->prot_days);
        tb_f(&t, "reorder_point", i, round(p->rop * 100) / 100);
        tb_f(&t, "order_up_to", i, round(p->out * 100) / 100);
        tb_f(&t, "safety_stock", i, round(p->ss * 100) / 100);
        tb_f(&t, "service_target", i, in.cfg.service_level);
        tb_f(&t, "expected_fill_rate", i, round(p->fill * 10000) / 10000);
        tb_f(&t, "inventory_position", i, p->ip);
        tb_f(&t, "days_of_cover", i, p->mean_day > 0 ? round(p->ip / p->mean_day * 10) / 10 : NAN);
        tb_f(&t, "mean_daily_demand", i, round(p->mean_day * 1000) / 1000);
    }
    if ((rc = host->output(ctx, "inventory_policy", t.t, err)))
        goto out;
    /* purchase order lines, sorted by stage, supplier, warehouse, sku */
    size_t k = 0;
    for (int32_t i = 0; i < n; i++)
        for (int m = 0; m < NS; m++)
            if (plan.cases[(size_t)i * NS + m] > 0)
                ln[k++] = (struct poline){ i, m, plan.cases[(size_t)i * NS + m] };
    g_in = &in, g_b = &b;
    qsort(ln, nlines, sizeof *ln, cmp_line);
    if ((rc = tb_new(ctx, &t, "purchase_orders", po_cols, SCO_COUNT(po_cols), nlines, err)))
        goto out;
    char d1[32], buf[512], id[256];
    for (size_t r = 0; r < nlines; r++) {
        int32_t i = ln[r].item;
        const struct sco_inv_item *it = &b.items[i];
        const struct pol *p = &pol[i];
        const char *sup = in.s_id[b.sup_row[i]], *wh = in.w_id[it->wh];
        int64_t units = ln[r].cases * it->case_pack;
        int64_t od = in.plan_date + (int64_t)ln[r].stage * R + it->order_offset;
        bool firm = ln[r].stage == 0 && it->order_offset == 0;
        sco_date_format(od, d1);
        snprintf(id, sizeof id, "PO-%s-%s-%s", d1, sup, wh);
        const char *cut = cut_name(plan.cut[i]), *bind = cut_name(plan.binding[i]);
        int64_t moq_c = (it->moq + it->case_pack - 1) / it->case_pack;
        if (ln[r].stage == 0 && !firm)
            snprintf(buf, sizeof buf,
                     "next order day of supplier '%s' is in %d days: position %.0f raised to %.0f "
                     "(expected fill %.1f%%)%s%s", sup, it->order_offset, p->ip, p->y0,
                     100 * p->fill, cut ? "; cut by " : "", cut ? cut : "");
        else if (ln[r].stage == 0)
            snprintf(buf, sizeof buf,
                     "position %.0f below reorder point %.0f: raised to %.0f (expected fill "
                     "%.1f%% over %.0f d, target %s %.1f%%); case %lld%s%s%s",
                     p->ip, p->rop, p->y0, 100 * p->fill, p->prot_days,
                     in.cfg.kind == SCO_INV_CSL ? "cycle service" : "fill", 100 *
                     in.cfg.service_level, (long long)it->case_pack,
                     ln[r].cases == moq_c && it->moq > it->case_pack ? ", moq sets the size" : "",
                     cut ? "; cut by " : (bind ? "; binding: " : ""),
                     cut ? cut : (bind ? bind : ""));
        else
            snprintf(buf, sizeof buf,
                     "planned for the review in %d days: covers days %d-%d after arrival%s%s",
                     ln[r].stage * R + it->order_offset,
                     ln[r].stage * R + it->order_offset + (int)lround(it->lead_mean),
                     (ln[r].stage + 1) * R + it->order_offset + (int)lround(it->lead_mean) - 1,
                     cut ? "; cut by " : "", cut ? cut : "");
        why[r] = strdup(buf);
        if (!why[r]) {
            rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
            goto out;
        }
        if ((rc = tb_s(&t, "po_id", r, id, err)) || (rc = tb_s(&t, "supplier", r, sup, err)) ||
            (rc = tb_s(&t, "warehouse", r, wh, err)) ||
            (rc = tb_s(&t, "sku", r, in.i_sku[b.item_row[i]], err)) ||
            (rc = tb_s(&t, "status", r, firm ? "firm" : "planned", err)) ||
            (rc = tb_s(&t, "why", r, buf, err)))
            goto out;
        tb_i(&t, "cases", r, ln[r].cases);
        tb_i(&t, "units", r, units);
        tb_f(&t, "unit_cost", r, it->unit_cost);
        tb_f(&t, "value", r, round((double)units * it->unit_cost * 100) / 100);
        tb_i(&t, "order_date", r, od);
        tb_i(&t, "expected_date", r, od + (int64_t)lround(it->lead_mean));
    }
    if ((rc = host->output(ctx, "purchase_orders", t.t, err)))
        goto out;
    if (po_files && (rc = write_po_files(ctx, &in, &b, ln, nlines, (const char *const *)why, err)))
        goto out;
    /* transfers */
    if ((rc = tb_new(ctx, &t, "transfers", xfer_cols, SCO_COUNT(xfer_cols), b.n_xfer, err)))
        goto out;
    sco_date_format(in.plan_date, d1);
    for (size_t r = 0; r < b.n_xfer; r++) {
        const struct sco_inv_xfer *x = &b.xfer[r];
        snprintf(id, sizeof id, "TR-%s-%zu", d1, r + 1);
        if ((rc = tb_s(&t, "transfer_id", r, id, err)) ||
            (rc = tb_s(&t, "from_warehouse", r, in.w_id[b.items[x->from_item].wh], err)) ||
            (rc = tb_s(&t, "to_warehouse", r, in.w_id[b.items[x->to_item].wh], err)) ||
            (rc = tb_s(&t, "sku", r, in.i_sku[b.item_row[x->to_item]], err)) ||
            (rc = tb_s(&t, "why", r, x->why, err)))
            goto out;
        tb_i(&t, "units", r, x->units);
        tb_i(&t, "ship_date", r, in.plan_date);
        tb_i(&t, "expected_date", r, in.plan_date + in.cfg.transfer_days);
    }
    if ((rc = host->output(ctx, "transfers", t.t, err)))
        goto out;
    /* exceptions: stock-out before an order can arrive, excess, cuts */
    for (int32_t i = 0; i < n; i++) {
        const struct sco_inv_item *it = &b.items[i];
        const char *sku = in.i_sku[b.item_row[i]], *wh = in.w_id[it->wh];
        int L = (int)lround(it->lead_mean);
        struct sco_inv_dist d;
        if ((rc = sco__inv_item_dist(&b, i, L, &d, err)))
            goto out;
        double pos = sco__inv_position(it->on_hand, it->open, it->n_open, L);
        double shortfall = sco__inv_dist_loss(&d, pos);
        if (L > 0 && sco__inv_dist_cdf(&d, pos) < in.cfg.service_level && shortfall >= 0.5)
            sco__inv_exc_add(&b, i, sku, wh, "stockout_risk",
                             "position %.0f covers demand until day %d with probability %.0f%%; "
                             "expected %.1f units short before an order can arrive", pos, L,
                             100 * sco__inv_dist_cdf(&d, pos), shortfall);
        if ((rc = sco__inv_item_dist(&b, i, it->n_days, &d, err)))
            goto out;
        double q99 = sco__inv_dist_quantile(&d, 0.99);
        if (it->on_hand > q99 + it->case_pack && it->on_hand > 0)
            sco__inv_exc_add(&b, i, sku, wh, "excess",
                             "%.0f on hand, above the 99%% quantile %.0f of demand over the "
                             "%d-day forecast", it->on_hand, q99, it->n_days);
        const char *cut = cut_name(plan.cut[i]);
        if (cut)
            sco__inv_exc_add(&b, i, sku, wh, "cut", "orders cut by the %s", cut);
    }
    if ((rc = tb_new(ctx, &t, "inventory_exceptions", exc_cols, SCO_COUNT(exc_cols), b.n_exc,
                     err)))
        goto out;
    for (size_t r = 0; r < b.n_exc; r++)
        if ((rc = tb_s(&t, "sku", r, b.exc[r].sku, err)) ||
            (rc = tb_s(&t, "warehouse", r, b.exc[r].wh, err)) ||
            (rc = tb_s(&t, "kind", r, b.exc[r].kind, err)) ||
            (rc = tb_s(&t, "detail", r, b.exc[r].detail, err)))
            goto out;
    if ((rc = host->output(ctx, "inventory_exceptions", t.t, err)))
        goto out;
    /* summary, long format */
    size_t ns = 8 + (size_t)NS + 2 * (size_t)plan.n_wh;
    if ((rc = tb_new(ctx, &t, "inventory_plan", sum_cols, SCO_COUNT(sum_cols), ns, err)))
        goto out;
    double firm = 0, all = 0;
    for (size_t r = 0; r < nlines; r++) {
        double v = (double)(ln[r].cases * b.items[ln[r].item].case_pack) *
                   b.items[ln[r].item].unit_cost;
        all += v;
        if (ln[r].stage == 0 && b.items[ln[r].item].order_offset == 0)
            firm += v;
    }
    size_t r = 0;
#define SUM(name, whs, date, val)                                                      \
    do {                                                                               \
        if ((rc = tb_s(&t, "metric", r, name, err)) || (rc = tb_s(&t, "warehouse", r, whs, err))) \
            goto out;                                                                  \
        tb_i(&t, "date", r, date);                                                     \
        tb_f(&t, "value", r, val);                                                     \
        r++;                                                                           \
    } while (0)
    SUM("value_ordered_today", "", in.plan_date, round(firm * 100) / 100);
    SUM("value_planned_horizon", "", in.plan_date, round(all * 100) / 100);
    SUM("lines_today", "", in.plan_date, 0);
    SUM("plan_cost", "", in.plan_date, plan.ub);
    SUM("lower_bound", "", in.plan_date, plan.lb);
    SUM("gap_pct", "", in.plan_date, 100 * plan.gap);
    SUM("iterations", "", in.plan_date, plan.iters);
    SUM("budget_per_order_day", "", in.plan_date, in.cfg.budget > 0 ? in.cfg.budget : NAN);
    {
        double lt = 0;
        for (size_t q = 0; q < nlines; q++)
            lt += ln[q].stage == 0 && b.items[ln[q].item].order_offset == 0;
        T()->f64_mut(t.t, tb_col(&t, "value"))[2] = lt;
    }
    for (int m = 0; m < NS; m++)
        SUM("budget_used", "", in.plan_date + (int64_t)m * R, plan.budget_used[m]);
    for (int w = 0; w < plan.n_wh; w++) {
        double peak_s = 0, peak_r = 0;
        for (int m = 0; m < NS; m++)
            if (plan.storage_used[w * NS + m] > peak_s)
                peak_s = plan.storage_used[w * NS + m];
        for (int d = 0; d < plan.n_days; d++)
            if (plan.recv_used[w * plan.n_days + d] > peak_r)
                peak_r = plan.recv_used[w * plan.n_days + d];
        double cs = b.storage[w], cr = b.recv[w];
        SUM("storage_used_pct_peak", in.w_id[w], in.plan_date,
            isfinite(cs) ? 100 * peak_s / cs : NAN);
        SUM("receiving_used_pct_peak", in.w_id[w], in.plan_date,
            isfinite(cr) ? 100 * peak_r / cr : NAN);
    }
#undef SUM
    rc = host->output(ctx, "inventory_plan", t.t, err);
out:
    if (why)
        for (size_t q = 0; q < nlines; q++)
            free(why[q]);
    free(why);
    free(ln);
    free(pol);
    sco__inv_plan_fini(&plan);
out_b:
    sco__inv_built_fini(&b);
    return rc;
}

static int inv_init(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)ctx, (void)state, (void)err;
    return 0;
}

static void inv_fini(struct sco_ctx *ctx, void *state)
{
    (void)ctx, (void)state;
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION,
        .size = sizeof desc,
        .name = "inventory",
        .version = "0.1.0",
        .summary = "replenishment orders from forecast quantiles (DP + Lagrangian, GLPK)",
        .inputs = inputs,
        .n_inputs = SCO_COUNT(inputs),
        .outputs = outputs,
        .n_outputs = SCO_COUNT(outputs),
        .config = keys,
        .n_config = SCO_COUNT(keys),
        .state_size = sizeof(struct state),
        .init = inv_init,
        .run = inv_run,
        .fini = inv_fini,
    };
    host = h;
    return &desc;
}
