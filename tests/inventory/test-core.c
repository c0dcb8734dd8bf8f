/* Tests of the inventory core: distributions, policies, rounding, netting, the plan (DP +
 * Lagrangian vs the exact GLPK MILP), the simulator's accounting and the hindsight bound. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inv.h"

static const double uni_lv[] = { 0, 0.5, 1 };
static const double uni_q[] = { 0, 50, 100 };

Test(inventory, uniform_distribution_exact)
{
    struct sco_inv_dist d;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_dist_init(&d, uni_lv, uni_q, 3, &err), 0, "%s", err.msg);
    cr_expect_float_eq(d.mean, 50, 1e-9);
    for (double y = 0; y <= 100; y += 12.5) {
        cr_expect_float_eq(sco__inv_dist_cdf(&d, y), y / 100, 1e-12);
        /* uniform(0,100): E[(D-y)^+] = (100-y)^2 / 200 */
        cr_expect_float_eq(sco__inv_dist_loss(&d, y), (100 - y) * (100 - y) / 200, 1e-9);
    }
    cr_expect_float_eq(sco__inv_dist_quantile(&d, 0.37), 37, 1e-9);
}

Test(inventory, tails_extrapolated)
{
    /* quantiles of an exponential(mean 10): q_p = -10 ln(1-p) */
    double lv[] = { 0.5, 0.9, 0.99 }, q[3];
    for (int i = 0; i < 3; i++)
        q[i] = -10 * log(1 - lv[i]);
    struct sco_inv_dist d;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_dist_init(&d, lv, q, 3, &err), 0);
    /* the exponential upper tail is fitted exactly: q_0.999 = 69.08 */
    cr_expect_float_eq(sco__inv_dist_quantile(&d, 0.999), -10 * log(0.001), 1e-6);
    cr_expect_float_eq(sco__inv_dist_loss(&d, 60), 10 * exp(-6.0), 1e-9);
    /* intermittent: q10 = q50 = 0 puts at least half the mass at zero */
    double lv2[] = { 0.1, 0.5, 0.9 }, q2[] = { 0, 0, 4 };
    cr_assert_eq(sco__inv_dist_init(&d, lv2, q2, 3, &err), 0);
    cr_expect_geq(sco__inv_dist_cdf(&d, 0), 0.5 - 1e-12);
    cr_expect_float_eq(sco__inv_dist_quantile(&d, 0.7), 2, 1e-9);
    /* crossing quantiles are made monotone, negatives clipped */
    double q3[] = { -1, 5, 3 };
    cr_assert_eq(sco__inv_dist_init(&d, lv2, q3, 3, &err), 0);
    cr_expect_float_eq(sco__inv_dist_quantile(&d, 0.9), 5, 1e-9);
    cr_expect_geq(sco__inv_dist_quantile(&d, 0.01), 0);
    double bad[] = { 1.5 };
    cr_expect_eq(sco__inv_dist_init(&d, bad, q, 1, &err), SCO_ERR_INVALID);
    cr_expect(strstr(err.msg, "1.5") != NULL, "%s", err.msg);
}

static double norm_ppf(double p)
{
    /* bisection on erfc for a reference value */
    double lo = -10, hi = 10;
    for (int i = 0; i < 200; i++) {
        double m = 0.5 * (lo + hi);
        if (0.5 * erfc(-m / sqrt(2)) < p)
            lo = m;
        else
            hi = m;
    }
    return 0.5 * (lo + hi);
}

Test(inventory, newsvendor_closed_form)
{
    struct sco_inv_dist d;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_dist_init(&d, uni_lv, uni_q, 3, &err), 0);
    struct sco_inv_mix m = { 1, { &d }, { 1 } };
    /* uniform(0,100), cu = 3, co = 1: critical ratio 0.75 -> 75 */
    cr_expect_float_eq(sco__inv_newsvendor(&m, 3, 1), 75, 1e-6);
    /* normal(100, 20) given by 99 quantiles: q_0.9 = 100 + 20 z_0.9 */
    double lv[99], q[99];
    for (int i = 0; i < 99; i++) {
        lv[i] = (i + 1) / 100.0;
        q[i] = 100 + 20 * norm_ppf(lv[i]);
    }
    struct sco_inv_dist dn;
    cr_assert_eq(sco__inv_dist_init(&dn, lv, q, 39, &err), 0); /* first 39 levels only */
    cr_assert_eq(sco__inv_dist_init(&dn, lv + 60, q + 60, 39, &err), 0); /* 0.61 .. 0.99 */
    struct sco_inv_mix mn = { 1, { &dn }, { 1 } };
    cr_expect_float_eq(sco__inv_newsvendor(&mn, 9, 1), 100 + 20 * 1.2815516, 1e-3);
}

Test(inventory, order_up_to_closed_form)
{
    struct sco_inv_dist d;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_dist_init(&d, uni_lv, uni_q, 3, &err), 0);
    struct sco_inv_mix m = { 1, { &d }, { 1 } };
    /* cycle service level 0.95: the 0.95 quantile */
    cr_expect_float_eq(sco__inv_out_csl(&m, 0.95), 95, 1e-6);
    /* fill rate 0.95 with review demand 50, no lead part: (100-S)^2/200 = 0.05*50 */
    double s = sco__inv_out_fill(&m, NULL, 50, 0.95);
    cr_expect_float_eq(s, 100 - sqrt(500), 1e-6);
    cr_expect_float_eq(sco__inv_fill_at(&m, NULL, 50, s), 0.95, 1e-9);
    /* lead-time mixture: two equally likely protection intervals */
    double q2[] = { 0, 100, 200 };
    struct sco_inv_dist d2;
    cr_assert_eq(sco__inv_dist_init(&d2, uni_lv, q2, 3, &err), 0);
    struct sco_inv_mix mm = { 2, { &d, &d2 }, { 0.5, 0.5 } };
    double x = sco__inv_out_csl(&mm, 0.75); /* 0.5*x/100 + 0.5*x/200 = 0.75 -> x = 100 */
    cr_expect_float_eq(x, 100, 1e-6);
    int days[3];
    double w[3];
    int n = sco__inv_lead_points(5, 1, days, w);
    cr_expect_eq(n, 3);
    cr_expect_eq(days[0], 3);
    cr_expect_eq(days[2], 7);
    cr_expect_float_eq(w[0] + w[1] + w[2], 1, 1e-12);
    cr_expect_eq(sco__inv_lead_points(5, 0, days, w), 1);
}

Test(inventory, case_pack_rounding_each_direction)
{
    cr_expect_eq(sco__inv_round(25, 12, 0, SCO_INV_ROUND_UP), 36);
    cr_expect_eq(sco__inv_round(25, 12, 0, SCO_INV_ROUND_DOWN), 24);
    cr_expect_eq(sco__inv_round(25, 12, 0, SCO_INV_ROUND_NEAREST), 24);
    cr_expect_eq(sco__inv_round(31, 12, 0, SCO_INV_ROUND_NEAREST), 36);
    cr_expect_eq(sco__inv_round(24, 12, 0, SCO_INV_ROUND_UP), 24);
    cr_expect_eq(sco__inv_round(5, 12, 0, SCO_INV_ROUND_NEAREST), 0);
    /* MOQ 40 -> 48 in cases of 12 */
    cr_expect_eq(sco__inv_round(30, 12, 40, SCO_INV_ROUND_UP), 48);
    cr_expect_eq(sco__inv_round(30, 12, 40, SCO_INV_ROUND_DOWN), 0);
    cr_expect_eq(sco__inv_round(30, 12, 40, SCO_INV_ROUND_NEAREST), 48);
    cr_expect_eq(sco__inv_round(20, 12, 40, SCO_INV_ROUND_NEAREST), 0);
    cr_expect_eq(sco__inv_round(0, 12, 40, SCO_INV_ROUND_UP), 0);
    enum sco_inv_round r;
    cr_expect_eq(sco__inv_round_parse("nearest", &r), 0);
    cr_expect_eq(r, SCO_INV_ROUND_NEAREST);
    cr_expect_eq(sco__inv_round_parse("sideways", &r), -1);
}

Test(inventory, netting_of_open_orders)
{
    struct sco_inv_open open[] = { { 2, 5 }, { 10, 7 }, { 4, -3 } };
    cr_expect_float_eq(sco__inv_position(10, open, 3, 0), 7, 1e-12);
    cr_expect_float_eq(sco__inv_position(10, open, 3, 2), 12, 1e-12);
    cr_expect_float_eq(sco__inv_position(10, open, 3, 9), 12, 1e-12);
    cr_expect_float_eq(sco__inv_position(10, open, 3, 10), 19, 1e-12);
}

/* ---- plan fixtures ------------------------------------------------------------------------ */

static const double lv5[] = { 0.1, 0.25, 0.5, 0.75, 0.9 };

/* Cumulative quantiles for Poisson-like demand of rate mu per day (normal approximation). */
static double *cumq(double mu, int days)
{
    static const double z[] = { -1.2816, -0.6745, 0, 0.6745, 1.2816 };
    double *q = malloc(sizeof(double) * 5 * (size_t)days);
    for (int k = 1; k <= days; k++)
        for (int l = 0; l < 5; l++) {
            double v = mu * k + z[l] * sqrt(mu * k * 1.5);
            q[(k - 1) * 5 + l] = v > 0 ? v : 0;
        }
    return q;
}

struct fixture {
    struct sco_inv_item items[64];
    double *q[64];
    double storage[4], recv[4];
    struct sco_inv_problem pb;
};

static void fixture_make(struct fixture *f, int n, int n_wh, unsigned seed, double budget,
                         int max_mu)
{
    memset(f, 0, sizeof *f);
    srand(seed);
    for (int i = 0; i < n; i++) {
        struct sco_inv_item *it = &f->items[i];
        double mu = 1 + rand() % max_mu;
        it->wh = i % n_wh;
        it->unit_cost = 2 + rand() % 10;
        it->volume_l = 0.5 + (rand() % 4) * 0.5;
        it->hold = it->unit_cost * 0.3 / 365 * 10;
        it->penalty = it->unit_cost * 1.5;
        it->fixed = 5 + rand() % 20;
        it->case_pack = 2 + rand() % 11;
        it->moq = (rand() % 3) * it->case_pack * 2;
        it->lead_mean = 2 + rand() % 5;
        it->lead_sd = (rand() % 2) ? 1 : 0;
        it->on_hand = rand() % (int)(mu * 6 + 1);
        it->n_days = 40;
        f->q[i] = cumq(mu, 40);
        it->cum_q = f->q[i];
    }
    for (int w = 0; w < n_wh; w++) {
        f->storage[w] = 60.0 * n / n_wh;
        f->recv[w] = 80.0 * n / n_wh;
    }
    f->pb = (struct sco_inv_problem){ .n_items = n, .items = f->items, .n_levels = 5,
                                      .levels = lv5, .n_wh = n_wh, .storage_l = f->storage,
                                      .receiving_l = f->recv, .budget = budget,
                                      .review_days = 7, .horizon_days = 21, .max_iter = 300,
                                      .target_gap = 1e-4, .seed = 1 };
}

static void fixture_free(struct fixture *f)
{
    for (int i = 0; i < 64; i++)
        free(f->q[i]);
}

Test(inventory, plan_single_stage_is_newsvendor)
{
    /* one stage, lead 0, review 1: stage cost h E[(y-D)^+] + p E[(D-y)^+], D ~ U(0,100) */
    double q[] = { 0, 50, 100 };
    struct sco_inv_item it = { .wh = 0, .unit_cost = 1, .hold = 1, .penalty = 3, .case_pack = 1,
                               .n_days = 1, .cum_q = q };
    struct sco_inv_problem pb = { .n_items = 1, .items = &it, .n_levels = 3, .levels = uni_lv,
                                  .n_wh = 1, .review_days = 1, .horizon_days = 1 };
    struct sco_inv_plan plan;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_solve(&pb, &plan, &err), 0, "%s", err.msg);
    cr_expect_eq(plan.cases[0], 75);
    cr_expect_float_eq(plan.gap, 0, 1e-12);
    sco__inv_plan_fini(&plan);
}

Test(inventory, terminal_value_gives_the_economic_lot)
{
    /* demand exactly 1 a day, lead 1, one weekly stage: the order covers days 1..8. Without a
     * terminal value nothing after the horizon counts: y = 8. With it, cost 0.01 (7 y - 35) +
     * (sqrt(h / 2 mu) (y - 8) - sqrt(K))^2 is least at y - 8 = (2 sqrt(h K / 2 mu) - 7 h) /
     * (h / mu) = 93, close to the EOQ sqrt(2 K mu / h) = 100 less the week's holding. */
    double q[8 * 3];
    for (int k = 1; k <= 8; k++)
        q[(k - 1) * 3] = q[(k - 1) * 3 + 1] = q[(k - 1) * 3 + 2] = k;
    struct sco_inv_item it = { .wh = 0, .unit_cost = 1, .hold = 0.01, .penalty = 10,
                               .fixed = 50, .case_pack = 1, .lead_mean = 1, .n_days = 8,
                               .cum_q = q };
    struct sco_inv_problem pb = { .n_items = 1, .items = &it, .n_levels = 3, .levels = uni_lv,
                                  .n_wh = 1, .review_days = 7, .horizon_days = 7 };
    struct sco_inv_plan plan;
    struct sco_err err = { 0 };
    for (int tv = 0; tv < 2; tv++) {
        pb.terminal_value = tv;
        cr_assert_eq(sco__inv_solve(&pb, &plan, &err), 0, "%s", err.msg);
        cr_expect_eq(plan.cases[0], tv ? 101 : 8, "terminal value %d: %d cases", tv,
                     plan.cases[0]);
        sco__inv_plan_fini(&plan);
    }
    double bound;
    cr_expect_eq(sco__inv_solve_milp(&pb, 10, &plan, &bound, &err), SCO_ERR_UNSUPPORTED);
    cr_expect(strstr(err.msg, "terminal_value"), "%s", err.msg);
}

Test(inventory, recourse_protects_later_stages_only_after_their_order_day)
{
    /* cumulative demand over k days uniform on [k / 2, 3 k / 2]: the open-loop spread grows
     * with k. Two weekly stages, lead 1, no fixed cost, high penalty: each stage raises the
     * position to a high quantile of the demand up to its next arrival. Open loop, stage 2
     * covers days up to 15 with D_15 on [7.5, 22.5]; with recourse it sees only the demand
     * after its order day 7: (mean_15 - mean_8) + D_8 = 7 + [4, 12] = [11, 19]. Stage 1 is the
     * same in both; the second order is smaller with recourse. */
    double q[16 * 3];
    for (int k = 1; k <= 16; k++) {
        q[(k - 1) * 3] = 0.5 * k;
        q[(k - 1) * 3 + 1] = k;
        q[(k - 1) * 3 + 2] = 1.5 * k;
    }
    struct sco_inv_item it = { .wh = 0, .unit_cost = 1, .hold = 0.01, .penalty = 10,
                               .fixed = 0, .case_pack = 1, .lead_mean = 1, .n_days = 16,
                               .cum_q = q };
    struct sco_inv_problem pb = { .n_items = 1, .items = &it, .n_levels = 3, .levels = uni_lv,
                                  .n_wh = 1, .review_days = 7, .horizon_days = 14,
                                  .lost_sales = true, .max_iter = 10 };
    struct sco_inv_plan plan;
    struct sco_err err = { 0 };
    int32_t c[2][2];
    for (int r = 0; r < 2; r++) {
        pb.recourse = r;
        cr_assert_eq(sco__inv_solve(&pb, &plan, &err), 0, "%s", err.msg);
        cr_assert_eq(plan.n_stages, 2);
        c[r][0] = plan.cases[0];
        c[r][1] = plan.cases[1];
        sco__inv_plan_fini(&plan);
    }
    cr_expect_eq(c[0][0], c[1][0], "stage 1: open loop %d, recourse %d", c[0][0], c[1][0]);
    /* open loop: position up to ~ the 99.9% point of [7.5, 22.5]; recourse: of [11, 19] */
    cr_expect_geq(c[0][0] + c[0][1], 21, "open loop position %d", c[0][0] + c[0][1]);
    cr_expect_leq(c[1][0] + c[1][1], 19, "recourse position %d", c[1][0] + c[1][1]);
    cr_expect_lt(c[1][1], c[0][1], "stage 2: open loop %d, recourse %d", c[0][1], c[1][1]);
}

Test(inventory, moq_case_and_budget_respected)
{
    struct fixture f;
    fixture_make(&f, 30, 2, 7, 400, 20);
    struct sco_inv_plan plan;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_solve(&f.pb, &plan, &err), 0, "%s", err.msg);
    for (int m = 0; m < plan.n_stages; m++)
        cr_expect_leq(plan.budget_used[m], 400 + 1e-6, "stage %d uses %g", m,
                      plan.budget_used[m]);
    int lines = 0, cut = 0;
    for (int i = 0; i < 30; i++) {
        for (int m = 0; m < plan.n_stages; m++) {
            int64_t c = plan.cases[i * plan.n_stages + m];
            cr_expect_geq(c, 0);
            if (c > 0) {
                lines++;
                cr_expect_geq(c * f.items[i].case_pack, f.items[i].moq, "item %d below moq", i);
            }
        }
        cut += (plan.cut[i] & SCO_INV_CUT_BUDGET) != 0 || (plan.binding[i] & 1) != 0;
    }
    cr_expect_gt(lines, 0);
    cr_expect_gt(cut, 0, "the budget should bind in this fixture");
    cr_expect_leq(plan.lb, plan.ub + 1e-9);
    sco__inv_plan_fini(&plan);
    fixture_free(&f);
}

Test(inventory, milp_and_decomposition_agree)
{
    for (unsigned seed = 1; seed <= 3; seed++) {
        struct fixture f;
        fixture_make(&f, 8, 2, seed, 150, 6);
        f.storage[0] *= 0.6;
        struct sco_inv_plan dec, ex;
        struct sco_err err = { 0 };
        double bound = 0;
        cr_assert_eq(sco__inv_solve(&f.pb, &dec, &err), 0, "%s", err.msg);
        int rc = sco__inv_solve_milp(&f.pb, 20, &ex, &bound, &err);
        cr_assert_geq(rc, 0, "%s", err.msg);
        cr_expect_eq(rc, 0, "milp not proven optimal for seed %u", seed);
        double opt = ex.ub;
        double tol = 1e-6 * (1 + fabs(opt));
        cr_expect_leq(dec.lb, opt + tol, "seed %u: bound %.6f above optimum %.6f", seed, dec.lb,
                      opt);
        cr_expect_geq(dec.ub, opt - tol, "seed %u: plan %.6f below optimum %.6f", seed, dec.ub,
                      opt);
        cr_expect_leq((dec.ub - opt) / dec.ub, dec.gap + 1e-9, "seed %u: gap", seed);
        cr_expect_leq(dec.gap, 0.05, "seed %u: gap %.4f", seed, dec.gap);
        for (int m = 0; m < ex.n_stages; m++)
            cr_expect_leq(ex.budget_used[m], 150 + 1e-6);
        sco__inv_plan_fini(&dec);
        sco__inv_plan_fini(&ex);
        fixture_free(&f);
    }
}

Test(inventory, lead_time_longer_than_forecast)
{
    struct fixture f;
    fixture_make(&f, 3, 1, 3, 0, 20);
    f.items[1].lead_mean = 45;
    struct sco_inv_plan plan;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_solve(&f.pb, &plan, &err), 0, "%s", err.msg);
    cr_expect_eq(plan.n_valid[1], 0);
    cr_expect_gt(plan.n_valid[0], 0);
    sco__inv_plan_fini(&plan);
    f.items[2].case_pack = 0;
    cr_expect_eq(sco__inv_solve(&f.pb, &plan, &err), SCO_ERR_INVALID);
    cr_expect(strstr(err.msg, "item 2") && strstr(err.msg, "case pack"), "%s", err.msg);
    fixture_free(&f);
}

/* ---- simulator ------------------------------------------------------------------------------ */

struct out_ctx {
    const struct sco_inv_sim_item *it;
    int n_days;
    double target;
};

static int order_up_to(void *ctx, const struct sco_inv_sim_state *st, int64_t *out,
                       struct sco_err *err)
{
    (void)err;
    struct out_ctx *c = ctx;
    double ip = st->on_hand[0];
    for (int d = st->day + 1; d < c->n_days; d++)
        ip += st->pipeline[d];
    out[0] = ip < c->target ? (int64_t)ceil((c->target - ip) / c->it->case_pack) : 0;
    return 0;
}

Test(inventory, simulator_accounting_by_hand)
{
    double dem[] = { 3, 0, 10, 2, 5, 1 };
    int32_t lead[] = { 1, 1, 1, 1, 1, 1 };
    struct sco_inv_sim_item it = { .hold = 1, .penalty = 5, .fixed = 10, .unit_cost = 1,
                                   .case_pack = 2, .moq = 4, .on_hand0 = 5, .demand = dem,
                                   .lead = lead };
    struct out_ctx c = { &it, 6, 8 };
    struct sco_inv_sim_result r, tot;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__inv_simulate(&it, 1, 6, 0, 3, 0, order_up_to, &c, &r, &tot, &err), 0, "%s",
                 err.msg);
    /* day0: 5-3=2, order 3 cases; day1: +6=8; day2: serve 8 lose 2 -> 0; day3: lose 2,
     * order 4 cases; day4: +8, serve 5 -> 3; day5: serve 1 -> 2 */
    cr_expect_float_eq(tot.holding, 2 + 8 + 0 + 0 + 3 + 2, 1e-12);
    cr_expect_float_eq(tot.lost, 4, 1e-12);
    cr_expect_float_eq(tot.lost_cost, 20, 1e-12);
    cr_expect_float_eq(tot.fixed_cost, 20, 1e-12);
    cr_expect_float_eq(tot.total, 55, 1e-12);
    cr_expect_float_eq(tot.served, 17, 1e-12);
    cr_expect_float_eq(tot.cycles, 2, 1e-12);
    cr_expect_float_eq(tot.cycles_ok, 1, 1e-12);
    /* an order that would arrive after the window is not placed */
    int32_t lead3[] = { 1, 1, 1, 3, 1, 1 };
    it.lead = lead3;
    cr_assert_eq(sco__inv_simulate(&it, 1, 6, 0, 3, 0, order_up_to, &c, &r, &tot, &err), 0);
    cr_expect_float_eq(tot.lines, 1, 1e-12);
    /* the hindsight optimum cannot be beaten */
    it.lead = lead;
    double hc, hb;
    cr_assert_eq(sco__inv_hindsight(&it, 6, 0, 3, 10, &hc, &hb, &err), 0, "%s", err.msg);
    cr_expect_leq(hc, 55 + 1e-9);
    cr_expect_leq(hb, hc + 1e-9);
    /* by hand: 10 units on day 0 and 6 on day 3 lose nothing; end-of-day stock
     * 2, 12, 2, 0, 1, 0 = 17 holding + 2 lines x 10 = 37 (every other plan costs more) */
    cr_expect_float_eq(hc, 37, 1e-6);
    cr_expect_float_eq(hb, 37, 1e-6);
}
