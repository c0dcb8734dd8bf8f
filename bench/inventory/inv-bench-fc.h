/* inv-bench-fc.h: the forecast plugin's own forecasts inside the replenishment simulator.
 * At every review the simulator calls ib_fc_run with the history known by then; it runs the
 * plugin's nightly flow (sco__fc_run_choose for every series, sco__fc_pooled_default,
 * sco__fc_run_finish) and hands back the cumulative quantiles `cq` the inventory plugin reads
 * as forecast_cumulative. With the global model (mode plugin) the model is trained once on the
 * history before the window and then warm-started and fine-tuned from its weights file at each
 * review, as a nightly run with warm_start does. */
#ifndef INV_BENCH_FC_H
#define INV_BENCH_FC_H

#include <stdbool.h>
#include <stdint.h>

#include <sco/sco-plugin.h>

enum ib_fc_mode {
    IB_FC_PLUGIN, /* forecast plugin, method auto: statistical methods and the global model */
    IB_FC_STAT,   /* forecast plugin, method stat: statistical methods only */
};

struct ib_fc_opts {
    enum ib_fc_mode mode;
    int h;                 /* horizon_days of the forecast */
    const double *levels;  /* quantile levels */
    int n_levels;
    int bt_windows, bt_length;
    int n_paths;
    uint64_t seed;
    int epochs;            /* first training (history before the window) */
    int fine_tune_epochs;  /* at each refit */
    int refit_every;       /* warm start + fine-tune every this many reviews (others: predict) */
    int window;            /* model input window, days */
    const char *model_path; /* weights file (under the bench's --out) */
    int threads;           /* series forecast in parallel (the model trains on 1 thread) */
};

struct ib_fc;

/* Series i has ids[i] ("SKU@WAREHOUSE" or a plain id), demand y[i][0..n_days) from day0
 * (days since 1970-01-01). ev (may be NULL): n_days + h flags of holidays/events from day0. */
int ib_fc_new(const struct ib_fc_opts *o, int n, const char *const *ids, double *const *y,
              int n_days, int64_t day0, const float *ev, struct ib_fc **out, struct sco_err *err);
/* Forecast from the first `known` days of every series: cq[(i * h + k) * n_levels + l] is the
 * level-l quantile of demand summed over the k + 1 days after them. */
int ib_fc_run(struct ib_fc *f, int known, double *cq, struct sco_err *err);
/* One line on what ran: methods chosen, model summary, seconds. */
const char *ib_fc_summary(struct ib_fc *f);
void ib_fc_free(struct ib_fc *f);

#endif
