/* fc-model.h: the global neural forecaster on the shared tensor runtime.
 *
 * One MLP trained across all series (direct multi-horizon): the input is a window of the
 * series scaled by its robust level, the share of the window the item was listed, the log
 * level, calendar features of the forecast origin (weekday, day of year), known-future
 * covariates over the horizon (events/holidays, promotions or prices) and learned item,
 * category and warehouse embeddings; the output is all h days at once. Losses: Tweedie or
 * Poisson on the log mean (count data), MSE or MAE on the scaled value. */
#ifndef SCO_FC_MODEL_H
#define SCO_FC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <sco/sco-plugin.h>
#include <sco/sco-tensor.h>

#include "fc.h"

enum sco__fc_loss { SCO__FC_LOSS_TWEEDIE, SCO__FC_LOSS_POISSON, SCO__FC_LOSS_MSE,
                    SCO__FC_LOSS_MAE };
int sco__fc_loss_parse(const char *s, enum sco__fc_loss *out); /* 0 or -1 */

/* Features beside the series values, on the timeline of the set (day 0 = set->start) running
 * h days past its end. Arrays are owned (sco__fc_feat_fini frees them). */
struct sco__fc_feat {
    int n_days;      /* set->end - set->start + h */
    int period;      /* 7: daily data (weekday and day-of-year features), 1: none */
    int64_t start;   /* day 0, days since 1970-01-01 (weekday and day of year) */
    float *day_ev;   /* n_days: 1 on holidays/events, or NULL */
    float *ser_cov;  /* n_series * n_days known-future covariate (promotion, price), or NULL */
    int *item, *cat, *wh; /* per series: embedding rows */
    int n_item, n_cat, n_wh;
    /* further day-level channels known for the future (e.g. SNAP days, numeric calendar
     * columns): day_ch[c * n_days + t], n_day_ch of them, or NULL / 0 */
    int n_day_ch;
    float *day_ch;
};

/* Allocates indices (item = distinct sku, warehouse = distinct warehouse, category 0) and
 * leaves day_ev / ser_cov / day_ch NULL; callers fill those and cat/n_cat. */
int sco__fc_feat_init(struct sco__fc_feat *f, const struct sco__fc_set *set, int h, int period,
                      struct sco_err *err);
void sco__fc_feat_fini(struct sco__fc_feat *f);

struct sco__fc_model_opts {
    int h;                /* horizon */
    int window;           /* input window (days or periods) */
    int hidden;           /* hidden width (256) */
    int epochs;           /* training epochs (on data before the backtest) */
    int fine_tune_epochs; /* epochs on all data after the backtest, and after a warm start */
    int samples_per_epoch; /* 0: min(all origins, 16384) */
    int batch;            /* 0: 256 */
    float lr;             /* 0: 1e-3 */
    uint64_t seed;
    enum sco__fc_loss loss;
    bool nonneg;          /* clip forecasts at zero */
    int bt_windows, bt_length; /* model backtest: trained on data before the earliest window */
    const char *model_path;    /* weights written here after training; NULL: not saved */
    bool warm_start;           /* load warm_path (when it exists) and fine-tune only */
    const char *warm_path;     /* weights a warm start loads; NULL: model_path */
    /* host hooks, may be NULL */
    void (*progress)(struct sco_ctx *ctx, double done, double total, const char *note);
    bool (*cancelled)(struct sco_ctx *ctx);
    struct sco_ctx *ctx;
};

struct sco__fc_model_result {
    struct sco__fc_model_means means; /* bt: NULL when no window could be backtested */
    double *bt, *fc;                  /* owned storage behind means */
    double samples_per_s;             /* training throughput */
    double final_loss;
    bool warm_started;
    char summary[256];
};

/* Trains (or warm-starts) the model and fills res with backtest and forecast means.
 * rt/R: the runtime's function table and the runtime (host->rt, host->runtime(ctx)). */
int sco__fc_model_run(const struct sco_runtime_api *rt, struct sco_runtime *R,
                      const struct sco__fc_set *set, const struct sco__fc_feat *feat,
                      const struct sco__fc_model_opts *o, struct sco__fc_model_result *res,
                      struct sco_err *err);
void sco__fc_model_result_fini(struct sco__fc_model_result *res);

/* Training throughput of a plain MLP in -> hidden -> hidden -> out at batch `batch` on random
 * data (the speed figure): returns samples per wall second, or a negative SCO_ERR_*;
 * *cpu_sps (may be NULL) gets samples per CPU second of the process. */
double sco__fc_mlp_speed(const struct sco_runtime_api *rt, struct sco_runtime *R, int in,
                         int hidden, int out, int batch, int steps, double *cpu_sps,
                         struct sco_err *err);

#endif
