/* Tests of the forecasting core: metrics, statistical methods, quantiles, method choice and
 * series preparation. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fc.h"

#define EPS 1e-9

/* ---- metrics against hand-computed values ---- */
/* train 0 0 1 3 2 4: first non-zero at index 2, lag-1 differences 2 1 2:
 * scale_mae = 5/3, scale_mse = 9/3 = 3 */
static const double train[] = { 0, 0, 1, 3, 2, 4 };
static const double act[] = { 2, 4 };
static const double fc[] = { 3, 3 };

Test(forecast, metric_scales)
{
    cr_expect_float_eq(sco__fc_scale_mae(train, 6), 5.0 / 3.0, EPS);
    cr_expect_float_eq(sco__fc_scale_mse(train, 6), 3.0, EPS);
    double flat[] = { 0, 0, 2, 2 };
    cr_expect(isnan(sco__fc_scale_mae(flat, 4)), "constant history has no scale");
    cr_expect(isnan(sco__fc_scale_mae(flat, 2)), "no sale has no scale");
}

Test(forecast, metric_values)
{
    /* errors f - a = 1, -1 */
    cr_expect_float_eq(sco__fc_mase(act, fc, 2, train, 6), 1.0 / (5.0 / 3.0), EPS);
    cr_expect_float_eq(sco__fc_rmsse(act, fc, 2, train, 6), sqrt(1.0 / 3.0), EPS);
    cr_expect_float_eq(sco__fc_bias(act, fc, 2, train, 6), 0.0, EPS);
    double over[] = { 4, 6 };
    cr_expect_float_eq(sco__fc_bias(act, over, 2, train, 6), 2.0 / (5.0 / 3.0), EPS);
    /* sMAPE: 200*1/5 = 40, 200*1/7 = 28.571...; 0/0 counts 0 */
    cr_expect_float_eq(sco__fc_smape(act, fc, 2), (40.0 + 200.0 / 7.0) / 2, EPS);
    double z[] = { 0, 0 };
    cr_expect_float_eq(sco__fc_smape(z, z, 2), 0.0, EPS);
    /* pinball 0.9 with quantile 3: a=2 -> 0.1 * 1, a=4 -> 0.9 * 1; mean 0.5 */
    cr_expect_float_eq(sco__fc_pinball(act, fc, 2, 0.9), 0.5, EPS);
    cr_expect_float_eq(sco__fc_spinball(act, fc, 2, 0.9, train, 6), 0.3, EPS);
    cr_expect_float_eq(sco__fc_coverage(act, fc, 2), 0.5, EPS);
    double hit[] = { 3, 4 };
    cr_expect_float_eq(sco__fc_coverage(hit, fc, 2), 0.5, EPS, "a tie is covered");
    /* PIT coverage: 4 paths of 1 day, values 0 0 1 2; actual 0: F(0-) = 0, F(0) = 0.5:
     * level 0.1 -> 0.1 / 0.5 = 0.2, level 0.5 -> 1, level 0.05 -> 0.1 */
    double paths[] = { 0, 0, 1, 2 }, zero[] = { 0 }, two[] = { 2 };
    cr_expect_float_eq(sco__fc_pit_coverage(zero, paths, 4, 1, 0.1), 0.2, EPS);
    cr_expect_float_eq(sco__fc_pit_coverage(zero, paths, 4, 1, 0.5), 1.0, EPS);
    cr_expect_float_eq(sco__fc_pit_coverage(zero, paths, 4, 1, 0.05), 0.1, EPS);
    /* actual 2: F(2-) = 0.75, F(2) = 1: level 0.9 -> 0.15 / 0.25 = 0.6 */
    cr_expect_float_eq(sco__fc_pit_coverage(two, paths, 4, 1, 0.9), 0.6, EPS);
    cr_expect_float_eq(sco__fc_owa(8, 2, 10, 4), 0.65, EPS);
}

/* ---- statistical methods against known results ---- */
static void run(enum sco__fc_method m, const double *y, int n, int h, int period, double *mean)
{
    struct sco__fc_opts o = { .h = h, .period = period, .n_paths = 0, .nonneg = true, .seed = 1 };
    struct sco__fc_out out = { mean, NULL };
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_stat(m, y, n, &o, &out, &err), 0, "%s: %s", sco__fc_method_name(m),
                 err.msg);
}

Test(forecast, naive_and_seasonal_naive)
{
    double y[] = { 1, 2, 3, 4, 5, 6 }, f[4];
    run(SCO__FC_NAIVE, y, 6, 2, 1, f);
    cr_expect_float_eq(f[0], 6, EPS);
    cr_expect_float_eq(f[1], 6, EPS);
    run(SCO__FC_SNAIVE, y, 6, 4, 3, f);
    cr_expect_float_eq(f[0], 4, EPS);
    cr_expect_float_eq(f[1], 5, EPS);
    cr_expect_float_eq(f[2], 6, EPS);
    cr_expect_float_eq(f[3], 4, EPS);
}

Test(forecast, ses_constant_and_step)
{
    double y[60], f[3];
    for (int t = 0; t < 60; t++)
        y[t] = 5;
    run(SCO__FC_SES, y, 60, 3, 1, f);
    cr_expect_float_eq(f[0], 5, 1e-6);
    cr_expect_float_eq(f[2], 5, 1e-6);
    /* a noiseless step 5 -> 9 is best fitted by alpha -> 1: forecast the new level */
    for (int t = 30; t < 60; t++)
        y[t] = 9;
    run(SCO__FC_SES, y, 60, 3, 1, f);
    cr_expect_float_eq(f[0], 9, 1e-2);
}

Test(forecast, holt_winters_recovers_pattern)
{
    static const double s[7] = { 3, -1, 0, 2, -2, -1, -1 };
    double y[140], f[14];
    for (int t = 0; t < 140; t++)
        y[t] = 10 + s[t % 7];
    run(SCO__FC_HW, y, 140, 14, 7, f);
    for (int k = 0; k < 14; k++)
        cr_expect_float_eq(f[k], 10 + s[(140 + k) % 7], 1e-3, "day %d: %g", k, f[k]);
}

Test(forecast, holt_follows_trend)
{
    double y[50], f[5];
    for (int t = 0; t < 50; t++)
        y[t] = 2.0 * t + 1;
    run(SCO__FC_HOLT, y, 50, 5, 1, f);
    /* damped trend (phi <= 0.98): the next step is within 0.1 of the line, later ones below */
    cr_expect_float_eq(f[0], 101, 0.1, "f[0] = %g", f[0]);
    cr_expect(f[4] > f[0] && f[4] <= 109 + 1e-9, "f[4] = %g", f[4]);
}

Test(forecast, croston_sba_and_tsb_levels)
{
    /* demand 4 every third day: size 4, interval 3. SBA: (1 - 0.1/2) * 4 / 3 */
    double y[300], f[2];
    for (int t = 0; t < 300; t++)
        y[t] = t % 3 == 2 ? 4 : 0;
    run(SCO__FC_CROSTON, y, 300, 2, 1, f);
    cr_expect_float_eq(f[0], 0.95 * 4.0 / 3.0, 1e-6, "sba %g", f[0]);
    run(SCO__FC_TSB, y, 300, 2, 1, f);
    cr_expect_float_eq(f[0], 4.0 / 3.0, 0.25, "tsb %g", f[0]);
    /* TSB decays towards zero after the item stops selling; Croston does not */
    for (int t = 200; t < 300; t++)
        y[t] = 0;
    run(SCO__FC_TSB, y, 300, 2, 1, f);
    cr_expect_lt(f[0], 0.2, "tsb after 100 zero days %g", f[0]);
}

Test(forecast, stalled_series_get_zero_combo)
{
    /* sells 2 units every other day (p = 0.5), then z days without a sale:
     * (1 - 0.5)^z < 0.01 from z = 7, and the rule needs z >= 14 */
    double y[300], f[7];
    for (int t = 0; t < 300; t++)
        y[t] = t % 2 ? 2 : 0;
    cr_expect_eq(sco__fc_stalled(y, 300), 0);
    for (int t = 300 - 14; t < 300; t++)
        y[t] = 0;
    cr_expect_eq(sco__fc_stalled(y, 300), 14);
    cr_expect_eq(sco__fc_stalled(y, 299), 0, "13 zero days are not enough");
    run(SCO__FC_COMBO, y, 300, 7, 7, f);
    for (int t = 0; t < 7; t++)
        cr_expect_float_eq(f[t], 0, EPS, "day %d: %g", t, f[t]);
    run(SCO__FC_TSB, y, 300, 7, 7, f);
    cr_expect_gt(f[0], 0.05, "tsb itself is not changed: %g", f[0]);
    /* a slow seller (one sale in 20 days, p = 0.05): 20 quiet days are usual, not a stall */
    for (int t = 0; t < 300; t++)
        y[t] = t % 20 == 0 ? 1 : 0;
    for (int t = 300 - 20; t < 300; t++)
        y[t] = 0;
    cr_expect_eq(sco__fc_stalled(y, 300), 0);
    run(SCO__FC_COMBO, y, 300, 7, 7, f);
    cr_expect_gt(f[0], 0.01, "slow seller keeps its forecast: %g", f[0]);
    /* all zeros: nothing to compare with, not stalled */
    memset(y, 0, sizeof y);
    cr_expect_eq(sco__fc_stalled(y, 300), 0);
}

Test(forecast, theta_linear)
{
    double y[40], f[2];
    for (int t = 0; t < 40; t++)
        y[t] = t;
    run(SCO__FC_THETA, y, 40, 2, 1, f);
    cr_expect(f[0] > 38.5 && f[0] < 41, "theta next %g", f[0]);
    cr_expect_gt(f[1], f[0]);
}

Test(forecast, no_history_forecasts_zero)
{
    double f[3];
    for (int m = 0; m < SCO__FC_MODEL; m++) {
        run((enum sco__fc_method)m, NULL, 0, 3, 7, f);
        cr_expect_float_eq(f[2], 0, EPS, "%s", sco__fc_method_name(m));
    }
}

/* ---- quantiles ---- */
Test(forecast, quantiles_monotone_in_level)
{
    double y[200];
    struct sco__fc_rng r;
    sco__fc_rng_seed(&r, 7);
    for (int t = 0; t < 200; t++)
        y[t] = sco__fc_rng_unif(&r) < 0.4 ? floor(1 + 5 * sco__fc_rng_unif(&r)) : 0;
    enum { H = 14, P = 300 };
    static const double lev[] = { 0.99, 0.1, 0.5, 0.9, 0.95 };
    double mean[H], paths[P * H], q[5 * H], cq[5 * H];
    for (int m = 0; m < SCO__FC_MODEL; m++) {
        struct sco__fc_opts o = { .h = H, .period = 7, .n_paths = P, .nonneg = true, .seed = 3 };
        struct sco__fc_out out = { mean, paths };
        struct sco_err err = { 0 };
        cr_assert_eq(sco__fc_stat((enum sco__fc_method)m, y, 200, &o, &out, &err), 0, "%s",
                     err.msg);
        sco__fc_path_quantiles(paths, P, H, lev, 5, false, q);
        sco__fc_path_quantiles(paths, P, H, lev, 5, true, cq);
        for (int t = 0; t < H; t++) {
            /* levels in the order 0.1 (1), 0.5 (2), 0.9 (3), 0.95 (4), 0.99 (0) */
            int ord[] = { 1, 2, 3, 4, 0 };
            for (int k = 1; k < 5; k++) {
                cr_expect_leq(q[ord[k - 1] * H + t], q[ord[k] * H + t], "%s day %d",
                              sco__fc_method_name(m), t);
                cr_expect_leq(cq[ord[k - 1] * H + t], cq[ord[k] * H + t]);
            }
            cr_expect_geq(q[1 * H + t], 0, "demand quantiles are not negative");
            if (t > 0)
                cr_expect_geq(cq[2 * H + t], cq[2 * H + t - 1], "cumulative median grows");
        }
    }
}

Test(forecast, quantiles_of_known_paths)
{
    /* 5 paths of 2 days: day 0 values 0..4, day 1 all 1 */
    double paths[10] = { 0, 1, 1, 1, 2, 1, 3, 1, 4, 1 }, lev[] = { 0.5, 0.25 }, q[4], cq[4];
    sco__fc_path_quantiles(paths, 5, 2, lev, 2, false, q);
    cr_expect_float_eq(q[0], 2, EPS);
    cr_expect_float_eq(q[2], 1, EPS);
    cr_expect_float_eq(q[1], 1, EPS);
    sco__fc_path_quantiles(paths, 5, 2, lev, 2, true, cq);
    cr_expect_float_eq(cq[1], 3, EPS); /* median of 1..5 */
}

Test(forecast, same_seed_same_paths)
{
    double y[100], a[7 * 50], b[7 * 50], m1[7], m2[7];
    for (int t = 0; t < 100; t++)
        y[t] = (t * 7919) % 5;
    struct sco__fc_opts o = { .h = 7, .period = 7, .n_paths = 50, .nonneg = true, .seed = 11 };
    struct sco__fc_out x = { m1, a }, z = { m2, b };
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_stat(SCO__FC_COMBO, y, 100, &o, &x, &err), 0);
    cr_assert_eq(sco__fc_stat(SCO__FC_COMBO, y, 100, &o, &z, &err), 0);
    cr_expect_arr_eq(a, b, sizeof a);
    cr_expect_arr_eq(m1, m2, sizeof m1);
}

/* ---- method choice ---- */
static const enum sco__fc_method cand[] = { SCO__FC_SNAIVE, SCO__FC_SES, SCO__FC_COMBO };

Test(forecast, choice_without_history_falls_back)
{
    struct sco__fc_opts o = { .h = 28, .period = 7 };
    struct sco__fc_choice ch;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_choose(NULL, 0, cand, 3, 2, 28, &o, SCO__FC_TSB, &ch, NULL, &err), 0);
    cr_expect_eq(ch.method, SCO__FC_TSB);
    cr_expect_str_eq(ch.reason, "no sales history; tsb fallback");
    double y[20] = { 1, 0, 2 };
    cr_assert_eq(sco__fc_choose(y, 20, cand, 3, 2, 28, &o, SCO__FC_TSB, &ch, NULL, &err), 0);
    cr_expect_eq(ch.method, SCO__FC_TSB);
    cr_expect_str_eq(ch.reason, "history of 20 days is too short for a 28-day backtest; tsb "
                                "fallback");
}

Test(forecast, choice_picks_seasonal_method)
{
    /* strongly weekly series: seasonal naive is exact, SES cannot follow it */
    double y[200];
    for (int t = 0; t < 200; t++)
        y[t] = t % 7 == 5 ? 20 : 1;
    struct sco__fc_opts o = { .h = 14, .period = 7 };
    const enum sco__fc_method c2[] = { SCO__FC_SES, SCO__FC_SNAIVE };
    struct sco__fc_choice ch;
    double sc[2];
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_choose(y, 200, c2, 2, 2, 14, &o, SCO__FC_SES, &ch, sc, &err), 0);
    cr_expect_eq(ch.method, SCO__FC_SNAIVE, "chose %s: %s", sco__fc_method_name(ch.method),
                 ch.reason);
    cr_expect_lt(sc[1], sc[0]);
    cr_expect(strstr(ch.reason, "lowest mean rmsse") != NULL, "%s", ch.reason);
}

/* ---- series preparation and bad input ---- */
static const char *origin(void *ud, size_t row)
{
    static char buf[32];
    snprintf(buf, sizeof buf, "%s:%zu", (const char *)ud, row + 2);
    return buf;
}

Test(forecast, series_dense_with_leading_zeros)
{
    const int64_t d[] = { 100, 103, 101, 105 };
    const char *sku[] = { "B", "A", "A", "B" }, *wh[] = { "W1", "W1", "W1", "W1" };
    const double q[] = { 2, 3, 0, 1 };
    struct sco__fc_set set;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_set_build(&set, 4, d, sku, wh, q, 107, origin, "sales.csv", &err), 0,
                 "%s", err.msg);
    cr_assert_eq(set.n, 2);
    cr_expect_str_eq(set.s[0].sku, "A");
    cr_expect_eq(set.start, 100);
    cr_expect_eq(set.s[0].n, 7);
    /* A: zero sale recorded on 101, sale of 3 on 103: listed from index 3 */
    cr_expect_eq(set.s[0].first, 3);
    cr_expect_float_eq(set.s[0].y[3], 3, EPS);
    cr_expect_float_eq(set.s[0].y[6], 0, EPS);
    cr_expect_eq(set.s[1].first, 0);
    cr_expect_eq(sco__fc_set_find(&set, "B", "W1"), 1);
    cr_expect_eq(sco__fc_set_find(&set, "C", "W1"), -1);
    sco__fc_set_fini(&set);
}

Test(forecast, bad_rows_are_named)
{
    const int64_t d[] = { 100, 101, 101 };
    const char *sku[] = { "A", "A", "A" }, *wh[] = { "W1", "W1", "W1" };
    struct sco__fc_set set;
    struct sco_err err = { 0 };
    double neg[] = { 1, -2, 3 };
    cr_expect_eq(sco__fc_set_build(&set, 2, d, sku, wh, neg, SCO_NULL_I64, origin, "sales.csv",
                                   &err),
                 SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "sales.csv:3: negative qty -2 of sku 'A'; record returns "
                              "separately, sales must be >= 0");
    double nan[] = { 1, NAN, 3 };
    cr_expect_eq(sco__fc_set_build(&set, 2, d, sku, wh, nan, SCO_NULL_I64, origin, "sales.csv",
                                   &err),
                 SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "sales.csv:3: qty of sku 'A' is not a number; write units sold "
                              "as a non-negative number");
    double ok[] = { 1, 2, 3 };
    cr_expect_eq(sco__fc_set_build(&set, 3, d, sku, wh, ok, SCO_NULL_I64, origin, "sales.csv",
                                   &err),
                 SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "sales.csv:4: duplicate sales row for sku 'A' warehouse 'W1' on "
                              "the same date as sales.csv:3; sum them into one row");
}

Test(forecast, quantile_column_names)
{
    char b[16];
    sco__fc_qname(0.9, b, sizeof b);
    cr_expect_str_eq(b, "q90");
    sco__fc_qname(0.975, b, sizeof b);
    cr_expect_str_eq(b, "q97_5");
    sco__fc_qname(0.1, b, sizeof b);
    cr_expect_str_eq(b, "q10");
    sco__fc_qname(0.05, b, sizeof b);
    cr_expect_str_eq(b, "q5");
}

/* ---- the per-series run ---- */
static const double levels[] = { 0.1, 0.5, 0.9, 0.95, 0.99 };

/* Three series over 200 days before day 1200: A weekly-seasonal counts, B listed only 10 days
 * ago, C a zero row only (never sold). */
static void three_series(struct sco__fc_set *set)
{
    static int64_t d[400];
    static const char *sku[400], *wh[400];
    static double q[400];
    size_t n = 0;
    struct sco__fc_rng r;
    sco__fc_rng_seed(&r, 9);
    for (int t = 0; t < 200; t++) {
        d[n] = 1000 + t, sku[n] = "A", wh[n] = "W1";
        q[n++] = floor((t % 7 >= 5 ? 6 : 2) * (0.5 + sco__fc_rng_unif(&r)));
    }
    for (int t = 190; t < 200; t++)
        d[n] = 1000 + t, sku[n] = "B", wh[n] = "W1", q[n++] = 1 + t % 2;
    d[n] = 1100, sku[n] = "C", wh[n] = "W2", q[n++] = 0;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_set_build(set, n, d, sku, wh, q, 1200, NULL, NULL, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(set->n, 3);
}

Test(forecast, run_series_choices_and_reasons)
{
    struct sco__fc_set set;
    three_series(&set);
    struct sco__fc_run_opts o = { .h = 28, .q = levels, .nq = 5, .bt_windows = 2,
                                  .bt_length = 28, .n_paths = 200, .seed = 42,
                                  .mode = SCO__FC_MODE_AUTO };
    struct sco__fc_result res[3];
    struct sco_err err = { 0 };
    for (int i = 0; i < 3; i++)
        cr_assert_eq(sco__fc_run_series(&set, (size_t)i, &o, &res[i], &err), 0, "%s", err.msg);
    /* A: backtested, a reason naming the rule, weekly shape kept */
    cr_expect_eq(res[0].bt_n, 2);
    cr_expect(isfinite(res[0].rmsse) && res[0].rmsse > 0 && res[0].rmsse < 2, "%g",
              res[0].rmsse);
    cr_expect(strstr(res[0].reason, "backtest") != NULL, "%s", res[0].reason);
    for (int k = 0; k < 5; k++)
        cr_expect(res[0].coverage[k] >= 0 && res[0].coverage[k] <= 1);
    /* B: 10 days of history: fallback with the reason */
    cr_expect_eq(res[1].method, SCO__FC_COMBO);
    cr_expect_str_eq(res[1].reason, "history of 10 days is too short for a 28-day backtest; "
                                    "combo fallback");
    cr_expect_eq(res[1].bt_n, 0);
    cr_expect(isnan(res[1].rmsse));
    cr_expect_gt(res[1].mean[0], 0.5);
    /* C: never sold */
    cr_expect_str_eq(res[2].reason, "no sales history; zero forecast");
    cr_expect_float_eq(res[2].mean[27], 0, EPS);
    cr_expect_float_eq(res[2].cq[4 * 28 + 27], 0, EPS);
    /* quantiles: monotone in level, cumulative ones grow with k and exceed the daily ones */
    for (int i = 0; i < 2; i++)
        for (int t = 0; t < 28; t++) {
            for (int k = 1; k < 5; k++) {
                cr_expect_leq(res[i].q[(k - 1) * 28 + t], res[i].q[k * 28 + t] + 1e-12);
                cr_expect_leq(res[i].cq[(k - 1) * 28 + t], res[i].cq[k * 28 + t] + 1e-12);
            }
            if (t)
                cr_expect_geq(res[i].cq[2 * 28 + t], res[i].cq[2 * 28 + t - 1]);
        }
    for (int i = 0; i < 3; i++)
        sco__fc_result_fini(&res[i]);
    sco__fc_set_fini(&set);
}

Test(forecast, run_series_fixed_method)
{
    struct sco__fc_set set;
    three_series(&set);
    struct sco__fc_run_opts o = { .h = 7, .q = levels, .nq = 5, .bt_windows = 1, .bt_length = 7,
                                  .n_paths = 100, .seed = 1, .mode = SCO__FC_MODE_FIXED,
                                  .fixed = SCO__FC_SNAIVE };
    struct sco__fc_result r;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_run_series(&set, 0, &o, &r, &err), 0, "%s", err.msg);
    cr_expect_eq(r.method, SCO__FC_SNAIVE);
    cr_expect_str_eq(r.reason, "method set to 'snaive' in the config");
    /* seasonal naive repeats the last week */
    for (int t = 0; t < 7; t++)
        cr_expect_float_eq(r.mean[t], set.s[0].y[set.s[0].n - 7 + t], EPS);
    sco__fc_result_fini(&r);
    sco__fc_set_fini(&set);
}

/* Rule 5 applies to a chosen method too: a weekly seller that stopped 14 days ago. The
 * backtest window (the last 7 days, all zero) makes the seasonal naive the choice (a perfect
 * score); the forecast must then be zero in the mean and in every quantile, not the seasonal
 * naive's residual spread. A method set in the config is left alone. */
Test(forecast, stalled_series_get_zero_whatever_the_choice)
{
    static int64_t d[300];
    static const char *sku[300], *wh[300];
    static double q[300];
    for (int t = 0; t < 300; t++)
        d[t] = 1000 + t, sku[t] = "A", wh[t] = "W1",
        q[t] = t < 286 ? 3 + t % 7 + (t * 7919) % 5 : 0; /* residuals for the paths */
    struct sco__fc_set set;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_set_build(&set, 300, d, sku, wh, q, 1300, NULL, NULL, &err), 0, "%s",
                 err.msg);
    struct sco__fc_run_opts o = { .h = 7, .q = levels, .nq = 5, .bt_windows = 1, .bt_length = 7,
                                  .n_paths = 200, .seed = 3, .mode = SCO__FC_MODE_STAT };
    struct sco__fc_result r;
    cr_assert_eq(sco__fc_run_series(&set, 0, &o, &r, &err), 0, "%s", err.msg);
    cr_expect_eq(r.method, SCO__FC_SNAIVE, "chose %s", sco__fc_method_name(r.method));
    for (int t = 0; t < 7; t++) {
        cr_expect_float_eq(r.mean[t], 0, EPS, "day %d mean %g", t, r.mean[t]);
        for (int k = 0; k < 5; k++) {
            cr_expect_float_eq(r.q[k * 7 + t], 0, EPS, "day %d q%d %g", t, k, r.q[k * 7 + t]);
            cr_expect_float_eq(r.cq[k * 7 + t], 0, EPS);
        }
    }
    cr_expect(strstr(r.reason, "treated as delisted, zero forecast") != NULL, "%s", r.reason);
    sco__fc_result_fini(&r);
    o.mode = SCO__FC_MODE_FIXED;
    o.fixed = SCO__FC_TSB;
    cr_assert_eq(sco__fc_run_series(&set, 0, &o, &r, &err), 0, "%s", err.msg);
    cr_expect_gt(r.mean[0], 0.05, "a method set in the config is not changed: %g", r.mean[0]);
    cr_expect(strstr(r.reason, "delisted") == NULL, "%s", r.reason);
    sco__fc_result_fini(&r);
    sco__fc_set_fini(&set);
}

Test(forecast, unknown_skus_and_duplicate_dates_are_named)
{
    const char *sold[] = { "A", "B", "Z" }, *items[] = { "B", "A", "C" };
    struct sco_err err = { 0 };
    cr_expect_eq(sco__fc_check_known(3, sold, 3, items, "sku", "items",
                                     "add it to items or drop its sales", origin, "sales.csv",
                                     &err),
                 SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "sales.csv:4: sku 'Z' is not in items; add it to items or drop "
                              "its sales");
    cr_expect_eq(sco__fc_check_known(2, sold, 3, items, "sku", "items", "x", origin, "s.csv",
                                     &err),
                 0);
    const int64_t d[] = { 5, 6, 7, 6 };
    cr_expect_eq(sco__fc_check_dates(4, d, origin, "calendar.csv", &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "calendar.csv:5: duplicate calendar date (also at calendar.csv:3); "
                              "keep one row per date");
    cr_expect_eq(sco__fc_check_dates(3, d, origin, "calendar.csv", &err), 0);
}

Test(forecast, pooled_default_is_the_ensemble_unless_beaten_by_the_margin)
{
    struct sco__fc_result r[3];
    memset(r, 0, sizeof r);
    /* series 0 and 1 scored; series 2 not (short): ignored */
    r[0] = (struct sco__fc_result){ .pending = true, .stat_score = 0.8, .model_score = 0.6,
                                    .ens_score = 0.7 };
    r[1] = (struct sco__fc_result){ .pending = true, .stat_score = 0.6, .model_score = 0.7,
                                    .ens_score = 0.62 };
    r[2] = (struct sco__fc_result){ .pending = false, .stat_score = 0.1 };
    /* means: stat 0.7, model 0.65, ensemble 0.66: the model is not 10% lower */
    cr_expect_eq(sco__fc_pooled_default(r, 3), SCO__FC_ENSEMBLE);
    r[0].model_score = 0.4; /* model 0.55 < 0.9 * 0.66 */
    cr_expect_eq(sco__fc_pooled_default(r, 3), SCO__FC_MODEL);
    r[0].model_score = 0.9; /* model 0.8 */
    r[0].stat_score = 0.5;  /* stat 0.55 < 0.9 * 0.66 */
    cr_expect_eq(sco__fc_pooled_default(r, 3), SCO__FC_N_METHODS);
    r[0].stat_score = 0.64; /* stat 0.62: lower than the ensemble, but not by 10% */
    cr_expect_eq(sco__fc_pooled_default(r, 3), SCO__FC_ENSEMBLE);
    cr_expect_eq(sco__fc_pooled_default(r, 0), SCO__FC_N_METHODS);
}
