/* inv-input.h: turns the plugin's input tables (as typed column arrays) into a planning
 * problem, validating every row (errors name the row), netting stock, open purchase orders and
 * transfers, and proposing transfers between warehouses. The plugin fills struct
 * sco_inv_input from the host's tables; the tests fill it from arrays. */
#ifndef SCO_INV_INPUT_H
#define SCO_INV_INPUT_H

#include "inv.h"

/* "stock.csv:12" for row `row` of a table; borrowed, valid until the next call */
typedef const char *sco_inv_origin_fn(void *ctx, size_t row);

struct sco_inv_tab {
    size_t n;
    sco_inv_origin_fn *origin;
    void *octx;
};

struct sco_inv_config {
    int review_days;       /* 7 */
    int horizon_days;      /* 56 */
    int transfer_days;     /* 2 */
    int max_iter;          /* 150 */
    double holding_rate;   /* per year, fraction of unit cost: 0.25 */
    double penalty_factor; /* lost-sale penalty per unit = factor * unit price: 1.0 */
    double fixed_cost;     /* per order line: 10 */
    double budget;         /* per order day, 0 = none */
    double service_level;  /* 0.95 */
    double target_gap;     /* 0.001 */
    double min_history_days; /* 28: fewer days since the first sale is an exception */
    enum sco_inv_service kind;
    enum sco_inv_round rounding;
    bool lost_sales;       /* shortage: lost_sales (true, the default) or backorder */
    bool terminal_value;   /* value of stock left at the horizon's end: true */
    bool recourse;         /* later stages see only the uncertainty after their order day */
};

struct sco_inv_input {
    int64_t plan_date;
    struct sco_inv_config cfg;
    /* items: sku, supplier, unit_cost, case_pack required; unit_price, moq_units, volume_l
     * optional (NULL) */
    struct sco_inv_tab items;
    const char *const *i_sku, *const *i_supplier;
    const double *i_cost, *i_price, *i_volume;
    const int64_t *i_case, *i_moq;
    /* suppliers: supplier, lead_time_days; lead_time_sd_days optional */
    struct sco_inv_tab sup;
    const char *const *s_id;
    const double *s_lead, *s_lead_sd;
    const char *const *s_days; /* optional order_weekdays, e.g. "Mon,Thu" (empty: any day) */
    /* warehouses: warehouse; storage_volume_l, receiving_volume_l_per_day optional */
    struct sco_inv_tab wh;
    const char *const *w_id;
    const double *w_storage, *w_recv;
    /* stock: sku, warehouse, on_hand */
    struct sco_inv_tab stock;
    const char *const *st_sku, *const *st_wh;
    const double *st_on_hand;
    /* open_orders (optional, n = 0): kind, sku, warehouse, from_warehouse, qty, expected_date */
    struct sco_inv_tab open;
    const char *const *o_kind, *const *o_sku, *const *o_wh, *const *o_from;
    const double *o_qty;
    const int64_t *o_date;
    /* forecast_cumulative: sku, warehouse, days, q columns at levels */
    struct sco_inv_tab fc;
    const char *const *f_sku, *const *f_wh;
    const int64_t *f_days;
    int n_levels;
    double levels[SCO_INV_MAX_LEVELS];
    const double *f_q[SCO_INV_MAX_LEVELS];
    /* sales (optional, n = 0): sku, warehouse, date: for the history check */
    struct sco_inv_tab sales;
    const char *const *sa_sku, *const *sa_wh;
    const int64_t *sa_date;
};

enum { SCO_INV_EXC_MAX_DETAIL = 240 };
struct sco_inv_exc {
    int32_t item; /* -1 when not a planned SKU-location */
    char sku[64], wh[64];
    char kind[32];
    char detail[SCO_INV_EXC_MAX_DETAIL];
};

struct sco_inv_xfer {
    int32_t from_item, to_item;
    int64_t units;
    char why[200];
};

struct sco_inv_built {
    struct sco_inv_problem pb;
    struct sco_inv_item *items;
    int32_t *item_row;  /* row in items */
    int32_t *sup_row;   /* row in suppliers */
    double *price;
    double *cumq;
    struct sco_inv_open *open;
    int32_t *open_cap;
    double *storage, *recv;
    struct sco_inv_exc *exc;
    size_t n_exc, cap_exc;
    struct sco_inv_xfer *xfer;
    size_t n_xfer;
};

int sco__inv_input_build(const struct sco_inv_input *in, struct sco_inv_built *b,
                         struct sco_err *err);
void sco__inv_built_fini(struct sco_inv_built *b);
/* Appends an exception (copies the strings). */
int sco__inv_exc_add(struct sco_inv_built *b, int32_t item, const char *sku, const char *wh,
                     const char *kind, const char *fmt, ...) SCO_PRINTF(6, 7);

/* Distribution of demand over the first k days for built item i (k >= 1), mixed over the
 * item's lead-time points shifted by `extra` days: the protection interval is lead + extra. */
int sco__inv_item_dist(const struct sco_inv_built *b, int32_t i, int k, struct sco_inv_dist *d,
                       struct sco_err *err);

#endif
