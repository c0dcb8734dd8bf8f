/* Tests of the global model on the real tensor runtime (CPU backend). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fc-model.h"
#include "fc.h"
#include "runtime-host.h"

static const double pattern[7] = { 1.0, 0.8, 0.8, 1.0, 1.4, 2.4, 1.6 };

/* Poisson draw by inversion (small means) */
static double poisson(struct sco__fc_rng *r, double lam)
{
    double L = exp(-lam), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= sco__fc_rng_unif(r);
    } while (p > L);
    return k - 1;
}

#define NS 6
#define DAYS 420
static const double level[NS] = { 0.5, 1, 2, 3, 5, 8 };

/* NS series of weekly-seasonal Poisson counts over DAYS days ending the day before 20000 */
static void synth(struct sco__fc_set *set)
{
    static int64_t d[NS * DAYS];
    static const char *sku[NS * DAYS], *wh[NS * DAYS];
    static double q[NS * DAYS];
    static const char *names[NS] = { "S0", "S1", "S2", "S3", "S4", "S5" };
    struct sco__fc_rng r;
    sco__fc_rng_seed(&r, 2024);
    size_t n = 0;
    for (int i = 0; i < NS; i++)
        for (int t = 0; t < DAYS; t++) {
            int64_t day = 20000 - DAYS + t;
            d[n] = day;
            sku[n] = names[i];
            wh[n] = "W1";
            q[n++] = poisson(&r, level[i] * pattern[((day + 3) % 7)]);
        }
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_set_build(set, n, d, sku, wh, q, 20000, NULL, NULL, &err), 0, "%s",
                 err.msg);
}

static struct sco_runtime *runtime(void)
{
    struct sco_runtime *R = NULL;
    struct sco_err err = { 0 };
    struct sco_runtime_opts o = { .device = "cpu", .threads = 1, .seed = 1 };
    cr_assert_eq(sco_runtime_create(&o, &R, &err), 0, "%s", err.msg);
    return R;
}

static struct sco__fc_model_opts opts(void)
{
    return (struct sco__fc_model_opts){ .h = 14, .window = 28, .hidden = 64, .epochs = 12,
                                        .fine_tune_epochs = 2, .samples_per_epoch = 1024,
                                        .batch = 64, .lr = 3e-3f, .seed = 7,
                                        .loss = SCO__FC_LOSS_TWEEDIE, .nonneg = true,
                                        .bt_windows = 1, .bt_length = 14 };
}

static void run_model(struct sco_runtime *R, const struct sco__fc_set *set,
                      const struct sco__fc_model_opts *o, struct sco__fc_model_result *res)
{
    struct sco__fc_feat f;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_feat_init(&f, set, o->h, 7, &err), 0, "%s", err.msg);
    cr_assert_eq(sco__fc_model_run(sco_runtime_api_table(), R, set, &f, o, res, &err), 0, "%s",
                 err.msg);
    sco__fc_feat_fini(&f);
}

/* The model learns level and weekday pattern: its 14-day forecasts are within 15% of the
 * true means (mean absolute error over the mean, pooled over series) */
Test(forecast, model_learns_seasonal_counts)
{
    struct sco__fc_set set;
    synth(&set);
    struct sco_runtime *R = runtime();
    struct sco__fc_model_opts o = opts();
    struct sco__fc_model_result res;
    run_model(R, &set, &o, &res);
    double ae = 0, tot = 0;
    for (int i = 0; i < NS; i++)
        for (int t = 0; t < 14; t++) {
            double truth = level[i] * pattern[(20000 + t + 3) % 7];
            ae += fabs(res.fc[i * 14 + t] - truth);
            tot += truth;
        }
    cr_expect_lt(ae / tot, 0.15, "model error %.3f of the mean (%s)", ae / tot, res.summary);
    cr_expect(res.means.bt != NULL);
    cr_expect_gt(res.samples_per_s, 0);
    sco__fc_model_result_fini(&res);
    sco_runtime_destroy(R);
    sco__fc_set_fini(&set);
}

Test(forecast, model_same_seed_same_forecast_and_warm_start)
{
    struct sco__fc_set set;
    synth(&set);
    struct sco_runtime *R = runtime();
    char path[] = "/tmp/sco-fc-model-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    unlink(path);
    struct sco__fc_model_opts o = opts();
    o.epochs = 3;
    o.model_path = path;
    struct sco__fc_model_result a, b, c;
    run_model(R, &set, &o, &a);
    o.model_path = NULL;
    run_model(R, &set, &o, &b);
    cr_expect_arr_eq(a.fc, b.fc, NS * 14 * sizeof *a.fc, "same seed, same forecast");
    /* warm start without fine-tuning reproduces the saved model's forecast */
    o.model_path = path;
    o.warm_start = true;
    o.fine_tune_epochs = 0;
    o.epochs = 50; /* not used: a warm start only fine-tunes */
    run_model(R, &set, &o, &c);
    cr_expect(c.warm_started, "%s", c.summary);
    cr_expect_arr_eq(a.fc, c.fc, NS * 14 * sizeof *a.fc, "warm start reproduces the model");
    /* a model file for other shapes is refused and the model trained anew */
    o.window = 21;
    o.epochs = 1;
    struct sco__fc_model_result d;
    run_model(R, &set, &o, &d);
    cr_expect(!d.warm_started);
    cr_expect(strstr(d.summary, "warm start refused") != NULL, "%s", d.summary);
    unlink(path);
    sco__fc_model_result_fini(&a);
    sco__fc_model_result_fini(&b);
    sco__fc_model_result_fini(&c);
    sco__fc_model_result_fini(&d);
    sco_runtime_destroy(R);
    sco__fc_set_fini(&set);
}

/* A day-level channel known for the future (think SNAP days) that multiplies demand by 2.5
 * on irregular days: with the channel the model's 14-day forecasts are within 30% of the
 * true means, and clearly better than without it (the weekday pattern cannot explain it). */
static bool flag_day(int64_t day)
{
    return (sco__fc_hash("flag", (uint64_t)day) >> 7) % 3 == 0;
}

Test(forecast, model_uses_day_channels)
{
    static int64_t d[NS * DAYS];
    static const char *sku[NS * DAYS], *wh[NS * DAYS];
    static double q[NS * DAYS];
    static const char *names[NS] = { "S0", "S1", "S2", "S3", "S4", "S5" };
    struct sco__fc_rng r;
    sco__fc_rng_seed(&r, 77);
    size_t n = 0;
    for (int i = 0; i < NS; i++)
        for (int t = 0; t < DAYS; t++) {
            int64_t day = 20000 - DAYS + t;
            d[n] = day, sku[n] = names[i], wh[n] = "W1";
            q[n++] = poisson(&r, level[i] * (flag_day(day) ? 2.5 : 1.0));
        }
    struct sco__fc_set set;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__fc_set_build(&set, n, d, sku, wh, q, 20000, NULL, NULL, &err), 0, "%s",
                 err.msg);
    struct sco_runtime *R = runtime();
    struct sco__fc_model_opts o = opts();
    o.epochs = 30;
    double rel[2];
    for (int with = 0; with < 2; with++) {
        struct sco__fc_feat f;
        cr_assert_eq(sco__fc_feat_init(&f, &set, o.h, 7, &err), 0, "%s", err.msg);
        if (with) {
            f.n_day_ch = 1;
            f.day_ch = calloc((size_t)f.n_days, sizeof *f.day_ch);
            cr_assert_not_null(f.day_ch);
            for (int t = 0; t < f.n_days; t++)
                f.day_ch[t] = flag_day(f.start + t) ? 1.0f : 0.0f;
        }
        struct sco__fc_model_result res;
        cr_assert_eq(sco__fc_model_run(sco_runtime_api_table(), R, &set, &f, &o, &res, &err), 0,
                     "%s", err.msg);
        double ae = 0, tot = 0;
        for (int i = 0; i < NS; i++)
            for (int t = 0; t < 14; t++) {
                double truth = level[i] * (flag_day(20000 + t) ? 2.5 : 1.0);
                ae += fabs(res.fc[i * 14 + t] - truth);
                tot += truth;
            }
        rel[with] = ae / tot;
        sco__fc_model_result_fini(&res);
        sco__fc_feat_fini(&f);
    }
    cr_expect_lt(rel[1], 0.3, "error with the channel %.3f of the mean", rel[1]);
    cr_expect_lt(rel[1], 0.6 * rel[0], "with the channel %.3f, without %.3f", rel[1], rel[0]);
    cr_log_info("day channel: error %.3f with, %.3f without", rel[1], rel[0]);
    sco_runtime_destroy(R);
    sco__fc_set_fini(&set);
}
