/* Tests of the input layer: bad rows give errors naming the row, netting of open orders,
 * transfers between warehouses, and the whole build -> plan path on a tiny business. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "inv-input.h"

static char obuf[128];
static const char *origin(void *ctx, size_t row)
{
    snprintf(obuf, sizeof obuf, "%s.csv:%zu", (const char *)ctx, row + 2); /* header = line 1 */
    return obuf;
}

#define TAB(name, n) ((struct sco_inv_tab){ (n), origin, (void *)(name) })

static const char *i_sku[] = { "A", "B" }, *i_sup[] = { "S1", "S1" };
static double i_cost[] = { 2, 5 }, i_price[] = { 4, 9 }, i_vol[] = { 1, 2 };
static int64_t i_case[] = { 6, 12 }, i_moq[] = { 12, 0 };
static const char *s_id[] = { "S1" };
static double s_lead[] = { 3 }, s_sd[] = { 0 };
static const char *w_id[] = { "W1", "W2" };
static double w_sto[] = { 5000, NAN }, w_rec[] = { 2000, NAN };
static const char *st_sku[] = { "A", "A", "B" }, *st_wh[] = { "W1", "W2", "W1" };
static double st_oh[] = { 0, 100, 4 };
static const char *o_kind[] = { "purchase", "transfer" }, *o_sku[] = { "B", "B" },
                  *o_wh[] = { "W1", "W1" }, *o_from[] = { "", "W2" };
static double o_qty[] = { 24, 5 };
static int64_t o_date[2];

#define NFC (3 * 21)
static const char *f_sku[NFC], *f_wh[NFC];
static int64_t f_days[NFC];
static double f_q[3][NFC];

static void make(struct sco_inv_input *in)
{
    memset(in, 0, sizeof *in);
    in->plan_date = 20000;
    o_date[0] = 20002, o_date[1] = 19990; /* one due in 2 days, one past due */
    in->cfg = (struct sco_inv_config){ .review_days = 7, .horizon_days = 14, .transfer_days = 1,
                                       .max_iter = 50, .holding_rate = 0.25,
                                       .penalty_factor = 1, .fixed_cost = 5, .budget = 0,
                                       .service_level = 0.95, .target_gap = 1e-4,
                                       .min_history_days = 28, .kind = SCO_INV_FILL,
                                       .rounding = SCO_INV_ROUND_UP };
    in->items = TAB("items", 2);
    in->i_sku = i_sku, in->i_supplier = i_sup, in->i_cost = i_cost, in->i_price = i_price;
    in->i_volume = i_vol, in->i_case = i_case, in->i_moq = i_moq;
    in->sup = TAB("suppliers", 1);
    in->s_id = s_id, in->s_lead = s_lead, in->s_lead_sd = s_sd;
    in->wh = TAB("warehouses", 2);
    in->w_id = w_id, in->w_storage = w_sto, in->w_recv = w_rec;
    in->stock = TAB("stock", 3);
    in->st_sku = st_sku, in->st_wh = st_wh, in->st_on_hand = st_oh;
    in->open = TAB("open_orders", 2);
    in->o_kind = o_kind, in->o_sku = o_sku, in->o_wh = o_wh, in->o_from = o_from;
    in->o_qty = o_qty, in->o_date = o_date;
    /* A@W1 sells 6/day, A@W2 1/day, B@W1 3/day */
    static const char *keys[3][2] = { { "A", "W1" }, { "A", "W2" }, { "B", "W1" } };
    static const double mu[3] = { 6, 1, 3 };
    static const double z[3] = { -1.2816, 0, 1.2816 };
    for (int s = 0; s < 3; s++)
        for (int k = 1; k <= 21; k++) {
            int r = s * 21 + k - 1;
            f_sku[r] = keys[s][0], f_wh[r] = keys[s][1], f_days[r] = k;
            for (int l = 0; l < 3; l++) {
                double v = mu[s] * k + z[l] * sqrt(mu[s] * k * 2);
                f_q[l][r] = v > 0 ? v : 0;
            }
        }
    in->fc = TAB("forecast_cumulative", NFC);
    in->f_sku = f_sku, in->f_wh = f_wh, in->f_days = f_days;
    in->n_levels = 3;
    in->levels[0] = 0.1, in->levels[1] = 0.5, in->levels[2] = 0.9;
    for (int l = 0; l < 3; l++)
        in->f_q[l] = f_q[l];
}

static int32_t find(const struct sco_inv_built *b, const struct sco_inv_input *in,
                    const char *sku, const char *wh)
{
    for (int32_t i = 0; i < b->pb.n_items; i++)
        if (!strcmp(in->i_sku[b->item_row[i]], sku) && !strcmp(in->w_id[b->items[i].wh], wh))
            return i;
    return -1;
}

Test(inventory, input_netting_and_transfers)
{
    struct sco_inv_input in;
    make(&in);
    struct sco_inv_built b;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_input_build(&in, &b, &err), 0, "%s", err.msg);
    cr_assert_eq(b.pb.n_items, 3);
    int32_t bw1 = find(&b, &in, "B", "W1"), aw1 = find(&b, &in, "A", "W1"),
            aw2 = find(&b, &in, "A", "W2");
    cr_assert(bw1 >= 0 && aw1 >= 0 && aw2 >= 0);
    /* B@W1: 4 on hand, transfer of 5 past due (counts today), purchase of 24 in 2 days */
    const struct sco_inv_item *it = &b.items[bw1];
    cr_expect_float_eq(sco__inv_position(it->on_hand, it->open, it->n_open, 0), 9, 1e-9);
    cr_expect_float_eq(sco__inv_position(it->on_hand, it->open, it->n_open, 1), 9, 1e-9);
    cr_expect_float_eq(sco__inv_position(it->on_hand, it->open, it->n_open, 2), 33, 1e-9);
    /* A@W1 is empty with a 3-day lead time, A@W2 holds 100 against 1/day: a transfer */
    cr_assert_geq(b.n_xfer, 1);
    cr_expect_eq(b.xfer[0].from_item, aw2);
    cr_expect_eq(b.xfer[0].to_item, aw1);
    cr_expect_eq(b.xfer[0].units % 6, 0);
    cr_expect_gt(b.xfer[0].units, 0);
    cr_expect_lt(b.xfer[0].units, 100);
    /* the transfer is netted on both sides */
    it = &b.items[aw1];
    cr_expect_float_eq(sco__inv_position(it->on_hand, it->open, it->n_open, 1),
                       (double)b.xfer[0].units, 1e-9);
    it = &b.items[aw2];
    cr_expect_float_eq(sco__inv_position(it->on_hand, it->open, it->n_open, 0),
                       100 - (double)b.xfer[0].units, 1e-9);
    /* and the plan on top: MOQ and cases respected */
    struct sco_inv_plan plan;
    cr_assert_eq(sco__inv_solve(&b.pb, &plan, &err), 0, "%s", err.msg);
    for (int32_t i = 0; i < plan.n_items; i++)
        for (int m = 0; m < plan.n_stages; m++) {
            int64_t c = plan.cases[i * plan.n_stages + m];
            if (c > 0)
                cr_expect_geq(c * b.items[i].case_pack, b.items[i].moq);
        }
    cr_expect_gt(plan.cases[bw1 * plan.n_stages + 0] + plan.cases[aw1 * plan.n_stages + 0], 0);
    sco__inv_plan_fini(&plan);
    sco__inv_built_fini(&b);
}

Test(inventory, input_order_weekdays)
{
    struct sco_inv_input in;
    make(&in);
    /* day 20000 is a Friday (1970-01-01 + 20000 d = 2024-10-04) */
    const char *days[] = { "Mon,Thu" };
    in.s_days = days;
    struct sco_inv_built b;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_input_build(&in, &b, &err), 0, "%s", err.msg);
    for (int32_t i = 0; i < b.pb.n_items; i++)
        cr_expect_eq(b.items[i].order_offset, 3, "Friday -> Monday");
    struct sco_inv_plan plan;
    cr_assert_eq(sco__inv_solve(&b.pb, &plan, &err), 0, "%s", err.msg);
    cr_expect_gt(plan.n_valid[0], 0);
    sco__inv_plan_fini(&plan);
    sco__inv_built_fini(&b);
    days[0] = "fri";
    cr_assert_eq(sco__inv_input_build(&in, &b, &err), 0, "%s", err.msg);
    cr_expect_eq(b.items[0].order_offset, 0);
    sco__inv_built_fini(&b);
}

static void expect_error(struct sco_inv_input *in, const char *a, const char *b)
{
    struct sco_inv_built bt;
    struct sco_err err = { 0 };
    int rc = sco__inv_input_build(in, &bt, &err);
    cr_expect_lt(rc, 0, "expected an error with '%s'", a);
    cr_expect(strstr(err.msg, a) != NULL, "message '%s' lacks '%s'", err.msg, a);
    if (b)
        cr_expect(strstr(err.msg, b) != NULL, "message '%s' lacks '%s'", err.msg, b);
    if (rc == 0)
        sco__inv_built_fini(&bt);
}

Test(inventory, bad_inputs_name_the_row)
{
    struct sco_inv_input in;
    make(&in);
    double neg[] = { 0, -3, 4 };
    in.st_on_hand = neg;
    expect_error(&in, "stock.csv:3: on_hand -3 of sku 'A' at 'W2' is negative", NULL);

    make(&in);
    int64_t zero[] = { 6, 0 };
    in.i_case = zero;
    expect_error(&in, "items.csv:3: case_pack 0 of sku 'B' must be >= 1", NULL);

    make(&in);
    const char *sup[] = { "S1", "S9" };
    in.i_supplier = sup;
    expect_error(&in, "items.csv:3: supplier 'S9' of sku 'B' is not in suppliers", NULL);

    make(&in);
    double lead[] = { 30 };
    in.s_lead = lead;
    expect_error(&in, "suppliers.csv:2: lead time 30 days", "21-day forecast");

    make(&in);
    const char *kind[] = { "purchase", "gift" };
    in.o_kind = kind;
    expect_error(&in, "open_orders.csv:3: kind 'gift'", NULL);

    make(&in);
    const char *days[] = { "someday" };
    in.s_days = days;
    expect_error(&in, "suppliers.csv:2: order_weekdays 'someday' of supplier 'S1' names no "
                      "weekday", NULL);

    make(&in);
    in.cfg.service_level = 1.5;
    expect_error(&in, "service_level", NULL);
}
