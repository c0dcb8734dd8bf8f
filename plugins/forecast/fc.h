/* fc.h: the forecasting core shared by the forecast plugin, its tests and its benchmark.
 * Private to sco (not installed). Everything here is plain C on host memory: series
 * preparation, accuracy metrics, statistical methods with sample paths, and per-series
 * method choice by rolling-origin backtest. The neural model lives in fc-model.c. */
#ifndef SCO_FC_H
#define SCO_FC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sco/sco-plugin.h>

#define SCO__FC_MAX_Q 32

/* ---- Random numbers (deterministic per seed; splitmix64 seeding xoshiro256**) ---------- */
struct sco__fc_rng {
    uint64_t s[4];
};
void sco__fc_rng_seed(struct sco__fc_rng *r, uint64_t seed);
uint64_t sco__fc_rng_next(struct sco__fc_rng *r);
double sco__fc_rng_unif(struct sco__fc_rng *r); /* [0, 1) */
double sco__fc_rng_normal(struct sco__fc_rng *r);
uint64_t sco__fc_hash(const char *s, uint64_t h); /* FNV-1a, chained through h */

/* ---- Series preparation ------------------------------------------------------------------ */

/* One dense daily series of a SKU x warehouse: y[i] is demand on day start + i; days without
 * a sales row are zero. Days before the first sale are "not listed yet", not demand. */
struct sco__fc_series {
    char *sku;
    char *warehouse;
    int64_t start; /* day of y[0], days since 1970-01-01 */
    int n;         /* days, up to the day before the planning date */
    double *y;     /* n values, owned */
    int first;     /* index of the first non-zero day; n when the series never sold */
};

struct sco__fc_set {
    struct sco__fc_series *s;
    size_t n;
    int64_t start; /* first day of every series (the earliest sales date) */
    int64_t end;   /* one past the last day: the planning date */
};

/* Sparse sales rows in, one dense series per (sku, warehouse) out, sorted by sku then
 * warehouse. `end` is the planning date (rows on or after it are ignored); SCO_NULL_I64 takes
 * the day after the last sales date. `origin(ud, row)` names a row for error messages
 * ("sales.csv:17"); may be NULL. Errors (SCO_ERR_DATA) name the row: negative, non-finite
 * (non-numeric) quantity, missing date/sku, duplicate (sku, warehouse, date). */
int sco__fc_set_build(struct sco__fc_set *set, size_t n_rows, const int64_t *date,
                      const char *const *sku, const char *const *warehouse, const double *qty,
                      int64_t end, const char *(*origin)(void *ud, size_t row), void *ud,
                      struct sco_err *err);
void sco__fc_set_fini(struct sco__fc_set *set);
/* Every key[r] must be one of known[]: else SCO_ERR_DATA "<row>: <what> '<key>' is not in
 * <table>; <fix>" naming the first unknown row. */
int sco__fc_check_known(size_t n, const char *const *key, size_t n_known,
                        const char *const *known, const char *what, const char *table,
                        const char *fix, const char *(*origin)(void *ud, size_t row), void *ud,
                        struct sco_err *err);
/* Calendar dates must be present and unique: else SCO_ERR_DATA naming both rows. */
int sco__fc_check_dates(size_t n, const int64_t *date, const char *(*origin)(void *ud, size_t row),
                        void *ud, struct sco_err *err);
/* Index of (sku, warehouse) in set, or -1 (binary search). */
long sco__fc_set_find(const struct sco__fc_set *set, const char *sku, const char *warehouse);

/* ---- Metrics ----------------------------------------------------------------------------
 * Scaling follows the M5 convention: in-sample lag-1 differences of the training series
 * counted from its first non-zero value. Each returns NaN when undefined (zero scale). */
double sco__fc_scale_mae(const double *train, int n); /* mean |y_t - y_{t-1}| from first nz */
double sco__fc_scale_mse(const double *train, int n); /* mean (y_t - y_{t-1})^2 from first nz */
/* RMSSE = sqrt(mean((a - f)^2) / scale_mse) */
double sco__fc_rmsse(const double *a, const double *f, int h, const double *train, int n);
/* MASE = mean|a - f| / scale_mae */
double sco__fc_mase(const double *a, const double *f, int h, const double *train, int n);
/* bias = mean(f - a) / scale_mae: positive = over-forecast, in units of the MASE scale */
double sco__fc_bias(const double *a, const double *f, int h, const double *train, int n);
/* sMAPE = mean(200 |a - f| / (|a| + |f|)), a term with 0/0 counts as 0 */
double sco__fc_smape(const double *a, const double *f, int h);
/* pinball_q = mean(max(q (a - f), (q - 1)(a - f))), unscaled */
double sco__fc_pinball(const double *a, const double *fq, int h, double q);
/* scaled pinball = pinball / scale_mae */
double sco__fc_spinball(const double *a, const double *fq, int h, double q, const double *train,
                        int n);
/* coverage = share of days with a <= fq */
double sco__fc_coverage(const double *a, const double *fq, int h);
/* Calibration of level q from sample paths (paths[p * h + t]) by the randomised PIT: the
 * expected share of days whose PIT value is <= q. Equals q for a calibrated forecast, also
 * for count data where share(a <= quantile) cannot (a quantile is often hit exactly). For
 * continuous paths it is share(a <= quantile). */
double sco__fc_pit_coverage(const double *a, const double *paths, int n_paths, int h, double q);
/* OWA of a method against Naive: (sMAPE/sMAPE_naive + MASE/MASE_naive) / 2 */
double sco__fc_owa(double smape, double mase, double smape_naive, double mase_naive);

/* ---- Statistical methods ----------------------------------------------------------------- */
enum sco__fc_method {
    SCO__FC_NAIVE,
    SCO__FC_SNAIVE,  /* seasonal naive, period m */
    SCO__FC_SES,     /* simple exponential smoothing */
    SCO__FC_HOLT,    /* additive damped trend, no season */
    SCO__FC_HW,      /* Holt-Winters: additive season, additive damped trend */
    SCO__FC_SES_S,   /* SES on weekday-profile-adjusted data (multiplicative profile) */
    SCO__FC_THETA,   /* theta method: SES with drift of half the linear trend */
    SCO__FC_CROSTON, /* Croston with the Syntetos-Boylan approximation */
    SCO__FC_TSB,     /* Teunter-Syntetos-Babai */
    SCO__FC_ADIDA,   /* SES on period totals (temporal aggregation), split by the profile */
    SCO__FC_COMBO,   /* mean of TSB, ADIDA and HW (daily; zero when stalled) or SES, HOLT, THETA */
    SCO__FC_MODEL,   /* the global neural model (fc-model.c), not fitted here */
    SCO__FC_ENSEMBLE, /* mean of the model and the series' statistical choice */
    SCO__FC_N_METHODS
};

const char *sco__fc_method_name(enum sco__fc_method m);
int sco__fc_method_parse(const char *name); /* -1 when unknown */

struct sco__fc_opts {
    int h;          /* horizon */
    int period;     /* seasonal period (7 for daily data); <= 1: none */
    int n_paths;    /* sample paths for quantiles (0: mean only) */
    bool nonneg;    /* clip paths and mean at zero (demand) */
    uint64_t seed;  /* paths are a function of seed and the data only */
};

/* A forecast of one series: the mean over h steps and n_paths sample paths (path-major,
 * paths[p * h + t]). Buffers are owned by the caller and sized h and n_paths * h. */
struct sco__fc_out {
    double *mean;
    double *paths;
};

/* Fits method m to y[0..n) (pass the series from its first sale) and fills out.
 * n may be 0 (no history): every method then forecasts zero. Returns 0 or SCO_ERR_*. */
int sco__fc_stat(enum sco__fc_method m, const double *y, int n, const struct sco__fc_opts *o,
                 struct sco__fc_out *out, struct sco_err *err);

/* Quantiles from sample paths: q[k * h + t] for level lev[k] of day t (daily) or of the sum
 * of days 0..t (cumulative). Levels need not be sorted; results are monotone in the level.
 * Integer paths give the inverse empirical CDF (integer quantiles), others interpolate
 * between order statistics (R type 7). */
void sco__fc_path_quantiles(const double *paths, int n_paths, int h, const double *lev, int nq,
                            bool cumulative, double *q);

/* Stochastic rounding of sample paths to integers (floor(v + u), u uniform): keeps the mean,
 * turns paths of count series into counts. Deterministic per seed. */
void sco__fc_round_paths(double *paths, int n_paths, int h, uint64_t seed);

/* Weekday-profile helper, exposed for tests: multiplicative indices (mean 1) of period m
 * over the last `window` values of y; all ones when there is too little data. */
void sco__fc_profile(const double *y, int n, int m, int window, double *idx);

/* Stalled (delisted) series: the history ends with a run of z >= SCO__FC_STALL_MIN days without
 * a sale that would have had probability below SCO__FC_STALL_P under the share of selling days
 * in the SCO__FC_STALL_WINDOW days before the run, (1 - p)^z < SCO__FC_STALL_P. Returns z when
 * the series is stalled, 0 otherwise. The combo (and the model and ensemble in fc-run.c)
 * forecast zero for a stalled series. */
#define SCO__FC_STALL_MIN 14
#define SCO__FC_STALL_P 0.01
#define SCO__FC_STALL_WINDOW 112
int sco__fc_stalled(const double *y, int n);

/* ---- Method choice by rolling-origin backtest ---------------------------------------------
 * For each candidate method, forecasts `windows` non-overlapping windows of `length` days at
 * the end of y (each fitted only on data before it) and scores them by RMSSE. The choice is
 * the candidate with the lowest mean RMSSE over the windows; ties go to the earlier
 * candidate. The default method (`fallback`, when it is among the candidates) is kept unless
 * the best candidate's score is more than SCO__FC_MARGIN (10%) lower. Series too short for
 * one window (fewer than length + 2 * period points after
 * the first sale) get `fallback` with a reason. */
#define SCO__FC_MARGIN 0.10

struct sco__fc_choice {
    enum sco__fc_method method;
    double score;        /* mean backtest RMSSE of the chosen method, NaN when none */
    char reason[160];
};

int sco__fc_choose(const double *y, int n, const enum sco__fc_method *cand, int n_cand,
                   int windows, int length, const struct sco__fc_opts *o,
                   enum sco__fc_method fallback, struct sco__fc_choice *ch,
                   double *scores /* n_cand, may be NULL */, struct sco_err *err);

/* ---- The nightly run: choice, backtest, forecast for every series ------------------------- */
enum sco__fc_mode {
    SCO__FC_MODE_AUTO,  /* statistical candidates and the model (when given), by backtest */
    SCO__FC_MODE_STAT,  /* statistical candidates only, by backtest */
    SCO__FC_MODE_MODEL, /* the model wherever a series has history, else the fallback */
    SCO__FC_MODE_FIXED, /* one named method for every series */
};

/* Means of the global model for every series: backtest windows (window w = 1 is the latest)
 * and the forecast. bt[(i * windows + (w - 1)) * length + t], fc[i * h + t]. */
struct sco__fc_model_means {
    const double *bt;
    const double *fc;
};

struct sco__fc_run_opts {
    int h;
    const double *q; /* quantile levels */
    int nq;
    int bt_windows, bt_length;
    int n_paths;
    uint64_t seed;
    enum sco__fc_mode mode;
    enum sco__fc_method fixed;
    const struct sco__fc_model_means *model; /* NULL: no model */
};

struct sco__fc_result {
    enum sco__fc_method method;
    char reason[200];
    double *mean; /* h */
    double *q;    /* nq * h, level-major */
    double *cq;   /* nq * h: quantiles of demand summed over days 0..t */
    /* backtest of the chosen method over the windows (NaN when there was none) */
    int bt_n;       /* windows scored */
    double rmsse, mase, bias;
    double pinball[SCO__FC_MAX_Q], coverage[SCO__FC_MAX_Q];
    double bt_sum_abs_err, bt_sum_actual; /* for pooled figures */
    /* the choice's evidence: statistical choice and the backtest RMSSE of it, of the model
     * and of the ensemble (NaN when not computed) */
    enum sco__fc_method stat_method;
    double stat_score, model_score, ens_score;
    int bt_windows_used;
    bool pending; /* model decision left to sco__fc_run_finish */
};

/* Runs choice, backtest and forecast for series i of set into res (buffers allocated here;
 * free with sco__fc_result_fini). Deterministic per (seed, sku, warehouse). With the model
 * (mode auto) the statistical choice is the default for a single series and the model or the
 * ensemble must beat it by the margin. */
int sco__fc_run_series(const struct sco__fc_set *set, size_t i, const struct sco__fc_run_opts *o,
                       struct sco__fc_result *res, struct sco_err *err);
/* The same in two steps, so that the default can come from all series (the pooled
 * backtest): run_choose for every series, then sco__fc_pooled_default over the results,
 * then run_finish for every series with that default. */
int sco__fc_run_choose(const struct sco__fc_set *set, size_t i, const struct sco__fc_run_opts *o,
                       struct sco__fc_result *res, struct sco_err *err);
/* SCO__FC_MODEL, SCO__FC_ENSEMBLE, or SCO__FC_N_METHODS for "the statistical choice", from
 * the mean backtest RMSSE over the series where all three were scored: the ensemble unless
 * the statistical choice or the model is more than SCO__FC_MARGIN lower than it (then the
 * lower of those two). */
enum sco__fc_method sco__fc_pooled_default(const struct sco__fc_result *res, size_t n);
int sco__fc_run_finish(const struct sco__fc_set *set, size_t i, const struct sco__fc_run_opts *o,
                       enum sco__fc_method dflt, struct sco__fc_result *res,
                       struct sco_err *err);
void sco__fc_result_fini(struct sco__fc_result *res);

/* Writes an SVG plot of series s (the last history_days days, then the forecast mean and the
 * band between the lowest and highest quantile level) to f. */
void sco__fc_plot_svg(FILE *f, const struct sco__fc_series *s, const struct sco__fc_result *r,
                      int h, const double *lev, int nq, int history_days);

/* Column name of quantile level q: 0.9 -> "q90", 0.975 -> "q97_5". */
void sco__fc_qname(double q, char *buf, size_t n);

#endif
