/* forecast.c: the forecast plugin. Reads sales (and optionally calendar, promotions, items),
 * forecasts every SKU x warehouse with the method its backtest chose (statistical methods or
 * the global neural model on the shared runtime), and publishes `forecast`,
 * `forecast_cumulative` and `forecast_backtest`, plus SVG plots. See README.md. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sco/sco-plugin.h>
#include <sco/sco-tensor.h>

#include "fc.h"
#include "fc-model.h"

static const struct sco_host_api *host;

static const struct sco_column_spec sales_cols[] = {
    { "date", SCO_COL_DATE, false, "day of the sales" },
    { "sku", SCO_COL_STR, false, "item" },
    { "warehouse", SCO_COL_STR, false, "warehouse that sold it" },
    { "qty", SCO_COL_F64, false, "units sold that day (>= 0)" },
};
static const struct sco_column_spec calendar_cols[] = {
    { "date", SCO_COL_DATE, false, "day" },
    { "holiday", SCO_COL_STR, true, "holiday name or empty" },
    { "event", SCO_COL_STR, true, "event name or empty" },
};
static const struct sco_column_spec promo_cols[] = {
    { "sku", SCO_COL_STR, false, "item on promotion" },
    { "warehouse", SCO_COL_STR, true, "warehouse, or empty for all" },
    { "start_date", SCO_COL_DATE, false, "first day" },
    { "end_date", SCO_COL_DATE, false, "last day" },
    { "discount_pct", SCO_COL_F64, true, "discount in percent" },
};
static const struct sco_column_spec item_cols[] = {
    { "sku", SCO_COL_STR, false, "item" },
    { "category", SCO_COL_STR, true, "category (a model embedding)" },
};
static const struct sco_port inputs[] = {
    { "sales", "daily sales; missing days mean zero", false, sales_cols, SCO_COUNT(sales_cols) },
    { "calendar", "holidays and events (model features)", true, calendar_cols,
      SCO_COUNT(calendar_cols) },
    { "promotions", "promotions (known-future model feature)", true, promo_cols,
      SCO_COUNT(promo_cols) },
    { "items", "item master: every sold sku must be listed; category", true, item_cols,
      SCO_COUNT(item_cols) },
};

static const struct sco_column_spec fc_cols[] = {
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
    { "date", SCO_COL_DATE, false, NULL },
    { "mean", SCO_COL_F64, false, "expected demand" },
};
static const struct sco_column_spec cum_cols[] = {
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
    { "days", SCO_COL_I64, false, "k: demand summed over the first k days" },
    { "mean", SCO_COL_F64, false, "expected demand over the k days" },
};
static const struct sco_column_spec bt_cols[] = {
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
    { "method", SCO_COL_STR, false, "method used for the forecast" },
    { "windows", SCO_COL_I64, false, "backtest windows scored" },
    { "rmsse", SCO_COL_F64, false, NULL },
    { "mase", SCO_COL_F64, false, NULL },
    { "bias", SCO_COL_F64, false, "mean(forecast - actual) / MASE scale" },
    { "reason", SCO_COL_STR, false, "why this method" },
};
static const struct sco_port outputs[] = {
    { "forecast", "daily mean and quantiles per sku x warehouse", false, fc_cols,
      SCO_COUNT(fc_cols) },
    { "forecast_cumulative", "quantiles of cumulative demand over the first k days", false,
      cum_cols, SCO_COUNT(cum_cols) },
    { "forecast_backtest", "rolling-origin backtest per series and pooled", false, bt_cols,
      SCO_COUNT(bt_cols) },
};

static const struct sco_config_key keys[] = {
    { "horizon_days", SCO_CFG_INT, "28", "days to forecast from the planning date", false },
    { "quantiles", SCO_CFG_LIST_F64, "[0.1, 0.5, 0.9, 0.95, 0.99]",
      "quantile levels; column q<level*100> each", false },
    { "backtest_windows", SCO_CFG_INT, "3", "rolling-origin backtest windows (0: none)", false },
    { "backtest_length", SCO_CFG_INT, NULL, "days per backtest window (default: horizon)",
      false },
    { "method", SCO_CFG_STR, "auto",
      "auto (model and statistical methods by backtest), stat, model, or one method: naive, "
      "snaive, ses, holt, hw, ses_s, theta, croston_sba, tsb, adida, combo",
      false },
    { "sample_paths", SCO_CFG_INT, "500", "sample paths per series for quantiles", false },
    { "epochs", SCO_CFG_INT, "30", "model training epochs", false },
    { "model_path", SCO_CFG_PATH, NULL, "model weights: written after training, read for warm "
                                        "start", false },
    { "warm_start", SCO_CFG_BOOL, "false", "start from model_path and fine-tune", false },
    { "fine_tune_epochs", SCO_CFG_INT, "5", "epochs of fine-tuning after a warm start", false },
    { "window_days", SCO_CFG_INT, "56", "model input window in days", false },
    { "loss", SCO_CFG_STR, "tweedie", "model loss: tweedie, poisson or mse", false },
    { "plot_skus", SCO_CFG_LIST_STR, "[]", "skus to plot (every warehouse)", false },
    { "plot_worst", SCO_CFG_INT, "5", "also plot the n series with the worst backtest", false },
    { "plot_history_days", SCO_CFG_INT, "91", "history days shown in plots", false },
};

struct state {
    int dummy;
};

static int forecast_init(struct sco_ctx *ctx, void *st, struct sco_err *err)
{
    (void)ctx, (void)st, (void)err;
    return 0;
}

static void forecast_fini(struct sco_ctx *ctx, void *st) { (void)ctx, (void)st; }

struct origin_ud {
    const struct sco_table *t;
};

static const char *origin(void *ud, size_t row)
{
    struct origin_ud *o = ud;
    return host->tables->row_origin(o->t, row);
}

/* Every sold sku must be in items (when items is given); every promotion's sku must have
 * sales; calendar dates unique. Errors name the offending row. */
static int check_inputs(const struct sco_table *sales, const struct sco_table *items,
                        const struct sco_table *promo, const struct sco_table *cal,
                        struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    const char *const *ssku = T->str(sales, T->col(sales, "sku"));
    int rc = 0;
    if (items) {
        struct origin_ud o = { sales };
        rc = sco__fc_check_known(T->n_rows(sales), ssku, T->n_rows(items),
                                 T->str(items, T->col(items, "sku")), "sku", "items",
                                 "add it to items or drop its sales", origin, &o, err);
    }
    if (!rc && promo) {
        struct origin_ud o = { promo };
        rc = sco__fc_check_known(T->n_rows(promo), T->str(promo, T->col(promo, "sku")),
                                 T->n_rows(sales), ssku, "promotion sku", "sales",
                                 "check the sku", origin, &o, err);
        const int64_t *a = T->i64(promo, T->col(promo, "start_date"));
        const int64_t *b = T->i64(promo, T->col(promo, "end_date"));
        for (size_t r = 0; r < T->n_rows(promo) && !rc; r++)
            if (a[r] == SCO_NULL_I64 || b[r] == SCO_NULL_I64 || b[r] < a[r])
                rc = sco_err_set(err, SCO_ERR_DATA,
                                 "%s: promotion needs start_date <= end_date; fix the dates",
                                 T->row_origin(promo, r));
    }
    if (!rc && cal) {
        struct origin_ud o = { cal };
        rc = sco__fc_check_dates(T->n_rows(cal), T->i64(cal, T->col(cal, "date")), origin, &o,
                                 err);
    }
    return rc;
}

/* Further calendar columns (beyond date, weekday, holiday, event) whose every non-empty value
 * is a number (and that have one) become day-level model channels (e.g. SNAP days, paydays,
 * school holidays as 0/1): at most SCO__FC_MAX_DAY_CH of them, in table order; empty = 0;
 * a channel whose largest magnitude exceeds 1 is divided by it. */
#define SCO__FC_MAX_DAY_CH 16
static int calendar_channels(struct sco__fc_feat *f, const struct sco_table *cal, char *names,
                             size_t names_n, struct sco_err *err)
{
    static const char *const known[] = { "date", "weekday", "holiday", "event" };
    const struct sco_table_api *T = host->tables;
    const int64_t *d = T->i64(cal, T->col(cal, "date"));
    size_t nr = T->n_rows(cal), nc = T->n_cols(cal);
    for (size_t c = 0; c < nc && f->n_day_ch < SCO__FC_MAX_DAY_CH; c++) {
        const char *name = T->col_name(cal, (int)c);
        bool skip = false;
        for (size_t k = 0; k < SCO_COUNT(known); k++)
            skip |= !strcmp(name, known[k]);
        if (skip)
            continue;
        const double *fv = T->f64(cal, (int)c);
        const int64_t *iv = T->col_type(cal, (int)c) == SCO_COL_I64 ? T->i64(cal, (int)c) : NULL;
        const char *const *sv = T->str(cal, (int)c);
        bool numeric = fv || iv || sv;
        size_t filled = fv || iv ? nr : 0;
        for (size_t r = 0; sv && numeric && r < nr; r++) {
            if (!sv[r] || !*sv[r])
                continue;
            char *end;
            strtod(sv[r], &end);
            numeric = *end == 0;
            filled++;
        }
        if (!numeric || !filled) /* text, or an empty column */
            continue;
        if (!f->day_ch) {
            f->day_ch = calloc((size_t)SCO__FC_MAX_DAY_CH * (size_t)f->n_days, sizeof *f->day_ch);
            if (!f->day_ch)
                return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for calendar channels");
        }
        float *ch = f->day_ch + (size_t)f->n_day_ch * (size_t)f->n_days;
        for (size_t r = 0; r < nr; r++) {
            int64_t k = d[r] - f->start;
            if (k < 0 || k >= f->n_days)
                continue;
            double v = 0;
            if (fv)
                v = fv[r];
            else if (iv)
                v = iv[r] == SCO_NULL_I64 ? 0 : (double)iv[r];
            else if (sv[r] && *sv[r])
                v = strtod(sv[r], NULL);
            ch[k] = isfinite(v) ? (float)v : 0.0f;
        }
        /* scaled by the largest magnitude, so that 0/1 flags stay as they are and larger
         * numbers (a temperature, a count) do not swamp the scaled demand inputs */
        float amax = 0;
        for (int k = 0; k < f->n_days; k++)
            amax = fabsf(ch[k]) > amax ? fabsf(ch[k]) : amax;
        for (int k = 0; amax > 1 && k < f->n_days; k++)
            ch[k] /= amax;
        size_t len = strlen(names);
        snprintf(names + len, names_n - len, "%s%s", len ? ", " : "", name);
        f->n_day_ch++;
    }
    return 0;
}

/* Model features from the optional tables: calendar holidays/events (a day flag) and further
 * numeric calendar columns (day channels), promotions (discount share per series and day,
 * known for the future) and item categories (an embedding). */
static int build_feat(struct sco__fc_feat *f, const struct sco__fc_set *set, int h,
                      const struct sco_table *cal, const struct sco_table *promo,
                      const struct sco_table *items, char *ch_names, size_t ch_names_n,
                      struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    int rc = sco__fc_feat_init(f, set, h, 7, err);
    if (rc)
        return rc;
    if (cal) {
        f->day_ev = calloc((size_t)f->n_days, sizeof *f->day_ev);
        if (!f->day_ev)
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for calendar features");
        int ch = T->col(cal, "holiday"), ce = T->col(cal, "event");
        const char *const *hol = ch >= 0 ? T->str(cal, ch) : NULL;
        const char *const *ev = ce >= 0 ? T->str(cal, ce) : NULL;
        const int64_t *d = T->i64(cal, T->col(cal, "date"));
        for (size_t r = 0; r < T->n_rows(cal); r++) {
            int64_t k = d[r] - f->start;
            bool on = (hol && hol[r] && *hol[r]) || (ev && ev[r] && *ev[r]);
            if (k >= 0 && k < f->n_days && on)
                f->day_ev[k] = 1.0f;
        }
        rc = calendar_channels(f, cal, ch_names, ch_names_n, err);
        if (rc)
            return rc;
    }
    if (promo) {
        f->ser_cov = calloc(set->n * (size_t)f->n_days, sizeof *f->ser_cov);
        if (!f->ser_cov)
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for promotion features");
        const char *const *sku = T->str(promo, T->col(promo, "sku"));
        int cw = T->col(promo, "warehouse"), cd = T->col(promo, "discount_pct");
        const char *const *wh = cw >= 0 ? T->str(promo, cw) : NULL;
        const double *disc = cd >= 0 ? T->f64(promo, cd) : NULL;
        const int64_t *a = T->i64(promo, T->col(promo, "start_date"));
        const int64_t *b = T->i64(promo, T->col(promo, "end_date"));
        for (size_t r = 0; r < T->n_rows(promo); r++) {
            float v = disc && isfinite(disc[r]) && disc[r] > 0 ? (float)(disc[r] / 100.0) : 1.0f;
            for (size_t i = 0; i < set->n; i++) {
                if (strcmp(set->s[i].sku, sku[r]))
                    continue;
                if (wh && wh[r] && *wh[r] && strcmp(set->s[i].warehouse, wh[r]))
                    continue;
                for (int64_t d = a[r]; d <= b[r]; d++) {
                    int64_t k = d - f->start;
                    if (k >= 0 && k < f->n_days)
                        f->ser_cov[i * (size_t)f->n_days + (size_t)k] = v;
                }
            }
        }
    }
    if (items) {
        int cc = T->col(items, "category");
        if (cc >= 0) {
            const char *const *isku = T->str(items, T->col(items, "sku"));
            const char *const *cat = T->str(items, cc);
            size_t ni = T->n_rows(items);
            /* category index = position of its first item row among distinct categories */
            int *ci = calloc(ni ? ni : 1, sizeof *ci);
            if (!ci)
                return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for categories");
            int nc = 0;
            for (size_t r = 0; r < ni; r++) {
                ci[r] = -1;
                for (size_t k = 0; k < r && ci[r] < 0; k++)
                    if (!strcmp(cat[k] ? cat[k] : "", cat[r] ? cat[r] : ""))
                        ci[r] = ci[k];
                if (ci[r] < 0)
                    ci[r] = nc++;
            }
            for (size_t i = 0; i < set->n; i++)
                for (size_t r = 0; r < ni; r++)
                    if (!strcmp(isku[r], set->s[i].sku)) {
                        f->cat[i] = ci[r];
                        break;
                    }
            f->n_cat = nc > 0 ? nc : 1;
            free(ci);
        }
    }
    return 0;
}

static void safe_name(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++)
        out[k++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                                  (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'
                              ? *s
                              : '_');
    out[k] = 0;
}

static int plot_one(struct sco_ctx *ctx, const struct sco__fc_set *set, size_t i,
                    const struct sco__fc_result *r, int h, const double *q, int nq, int hist,
                    struct sco_err *err)
{
    char a[96], b[96], path[256];
    safe_name(set->s[i].sku, a, sizeof a);
    safe_name(set->s[i].warehouse, b, sizeof b);
    snprintf(path, sizeof path, "plots/forecast_%s_%s.svg", a, b);
    FILE *f = host->file_create(ctx, path, err);
    if (!f)
        return err && err->code ? err->code : SCO_ERR_IO;
    sco__fc_plot_svg(f, &set->s[i], r, h, q, nq, hist);
    return host->file_commit(ctx, f, err);
}

/* ---- model weights, one file per planning date ---------------------------------------------
 * model_path "state/forecast.scop" keeps the weights trained for 2026-11-29 in
 * "state/forecast.2026-11-29.scop". A warm start loads the newest file of an *earlier*
 * planning date, so a re-run of a date (after a later stage failed, say) starts from the same
 * weights as its first attempt and gives the same forecast. The newest KEEP_WEIGHTS files are
 * kept, older ones removed; other files in the folder are never touched. */
#define KEEP_WEIGHTS 7

struct wname {
    char dir[4096], stem[1024], ext[256];
};

static int wname_split(const char *path, struct wname *w)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        dot = base + strlen(base);
    int a = slash ? snprintf(w->dir, sizeof w->dir, "%.*s", (int)(slash - path), path)
                  : snprintf(w->dir, sizeof w->dir, ".");
    int b = snprintf(w->stem, sizeof w->stem, "%.*s", (int)(dot - base), base);
    int c = snprintf(w->ext, sizeof w->ext, "%s", dot);
    if (!*w->dir)
        snprintf(w->dir, sizeof w->dir, "/");
    return a < 0 || (size_t)a >= sizeof w->dir || b < 0 || (size_t)b >= sizeof w->stem || c < 0 ||
                   (size_t)c >= sizeof w->ext || !*w->stem
               ? -1
               : 0;
}

static void weights_path(const struct wname *w, int64_t day, char *buf, size_t n)
{
    char ds[SCO_DATE_BUF];
    snprintf(buf, n, "%s/%s.%s%s", w->dir, w->stem, sco_date_format(day, ds), w->ext);
}

/* The planning date of a weights file name ("forecast.2026-11-29.scop"), or false. */
static bool weights_day(const struct wname *w, const char *name, int64_t *day)
{
    size_t ls = strlen(w->stem), le = strlen(w->ext), ln = strlen(name);
    return ln == ls + 11 + le && !strncmp(name, w->stem, ls) && name[ls] == '.' &&
           !strcmp(name + ls + 11, w->ext) && sco_date_parse(name + ls + 1, 10, day) == 0;
}

static int cmp_day_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x < y) - (x > y);
}

/* Planning dates of the weights files next to model_path, newest first (at most cap). */
static size_t weights_list(const struct wname *w, int64_t *days, size_t cap)
{
    DIR *dir = opendir(w->dir);
    size_t n = 0;
    if (!dir)
        return 0;
    for (struct dirent *e; (e = readdir(dir)) && n < cap;)
        if (weights_day(w, e->d_name, &days[n]))
            n++;
    closedir(dir);
    qsort(days, n, sizeof *days, cmp_day_desc);
    return n;
}

/* The weights file outlives the run's output folder (a nightly run warm-starts from last
 * night's): create its folder on first use, as `mkdir -p` would. */
static int make_parent_dirs(struct sco_ctx *ctx, const char *path, struct sco_err *err)
{
    char dir[4096];
    size_t n = strlen(path);
    if (n >= sizeof dir)
        return host->cfg_error(ctx, "model_path", err, "path is too long");
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST)
                return host->cfg_error(ctx, "model_path", err, "cannot create folder '%s': %s",
                                       dir, strerror(errno));
            if (end)
                break;
            *p = '/';
        }
    }
    return 0;
}

static int cfg_int(struct sco_ctx *ctx, const char *key, int64_t lo, int64_t hi, int64_t *v,
                   struct sco_err *err)
{
    int rc = host->cfg_i64(ctx, key, v, err);
    if (rc)
        return rc;
    if (*v < lo || *v > hi)
        return host->cfg_error(ctx, key, err, "%lld is out of range; use %lld..%lld",
                               (long long)*v, (long long)lo, (long long)hi);
    return 0;
}

static int set_strs(struct sco_table *t, int c, size_t row, const char *s, struct sco_err *err)
{
    return host->tables->set_str(t, c, row, s, err);
}

static int publish(struct sco_ctx *ctx, const struct sco__fc_set *set,
                   const struct sco__fc_result *res, int h, const double *q, int nq,
                   struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    struct sco_column_spec fc[4 + SCO__FC_MAX_Q], cum[4 + SCO__FC_MAX_Q],
        bt[8 + 2 * SCO__FC_MAX_Q];
    char names[3 * SCO__FC_MAX_Q][40];
    memcpy(fc, fc_cols, sizeof fc_cols);
    memcpy(cum, cum_cols, sizeof cum_cols);
    memcpy(bt, bt_cols, sizeof bt_cols);
    for (int k = 0; k < nq; k++) {
        sco__fc_qname(q[k], names[k], sizeof names[k]);
        snprintf(names[nq + k], sizeof names[0], "pinball_%.24s", names[k]);
        snprintf(names[2 * nq + k], sizeof names[0], "coverage_%.24s", names[k]);
        fc[4 + k] = (struct sco_column_spec){ names[k], SCO_COL_F64, false, NULL };
        cum[4 + k] = fc[4 + k];
        bt[8 + k] = (struct sco_column_spec){ names[nq + k], SCO_COL_F64, false, NULL };
        bt[8 + nq + k] = (struct sco_column_spec){ names[2 * nq + k], SCO_COL_F64, false, NULL };
    }
    struct sco_table *tf = T->create(ctx, "forecast", fc, 4 + (size_t)nq);
    struct sco_table *tc = T->create(ctx, "forecast_cumulative", cum, 4 + (size_t)nq);
    struct sco_table *tb = T->create(ctx, "forecast_backtest", bt, 8 + 2 * (size_t)nq);
    if (!tf || !tc || !tb)
        return sco_err_set(err, SCO_ERR_NOMEM, "cannot create the output tables");
    size_t rows = set->n * (size_t)h;
    int rc = T->add_rows(tf, rows, err);
    if (!rc)
        rc = T->add_rows(tc, rows, err);
    if (!rc)
        rc = T->add_rows(tb, set->n + 1, err);
    if (rc)
        return rc;
    int64_t *fd = T->i64_mut(tf, 2), *cd = T->i64_mut(tc, 2);
    double *fm = T->f64_mut(tf, 3), *cm = T->f64_mut(tc, 3);
    for (size_t i = 0; i < set->n && !rc; i++) {
        double acc = 0;
        for (int t = 0; t < h && !rc; t++) {
            size_t r = i * (size_t)h + (size_t)t;
            rc = set_strs(tf, 0, r, set->s[i].sku, err);
            if (!rc)
                rc = set_strs(tf, 1, r, set->s[i].warehouse, err);
            if (!rc)
                rc = set_strs(tc, 0, r, set->s[i].sku, err);
            if (!rc)
                rc = set_strs(tc, 1, r, set->s[i].warehouse, err);
            fd[r] = set->end + t;
            cd[r] = t + 1;
            fm[r] = res[i].mean[t];
            acc += res[i].mean[t];
            cm[r] = acc;
            for (int k = 0; k < nq; k++) {
                T->f64_mut(tf, 4 + k)[r] = res[i].q[(size_t)k * h + t];
                T->f64_mut(tc, 4 + k)[r] = res[i].cq[(size_t)k * h + t];
            }
        }
    }
    /* backtest: per series, then one pooled row (means over series with a backtest) */
    double pool[3 + 2 * SCO__FC_MAX_Q] = { 0 };
    int pn = 0;
    long wsum = 0;
    for (size_t i = 0; i <= set->n && !rc; i++) {
        bool pooled = i == set->n;
        const struct sco__fc_result *r = pooled ? NULL : &res[i];
        rc = set_strs(tb, 0, i, pooled ? "(pooled)" : set->s[i].sku, err);
        if (!rc)
            rc = set_strs(tb, 1, i, pooled ? "" : set->s[i].warehouse, err);
        if (!rc)
            rc = set_strs(tb, 2, i, pooled ? "mixed" : sco__fc_method_name(r->method), err);
        if (rc)
            break;
        if (pooled) {
            char why[160];
            snprintf(why, sizeof why,
                     "mean over %d series with a backtest; method per series by the rule in "
                     "the forecast README",
                     pn);
            rc = set_strs(tb, 7, i, why, err);
            T->i64_mut(tb, 3)[i] = pn ? wsum : 0;
            double v[3 + 2 * SCO__FC_MAX_Q];
            for (int k = 0; k < 3 + 2 * nq; k++)
                v[k] = pn ? pool[k] / pn : NAN;
            T->f64_mut(tb, 4)[i] = v[0];
            T->f64_mut(tb, 5)[i] = v[1];
            T->f64_mut(tb, 6)[i] = v[2];
            for (int k = 0; k < nq; k++) {
                T->f64_mut(tb, 8 + k)[i] = v[3 + k];
                T->f64_mut(tb, 8 + nq + k)[i] = v[3 + nq + k];
            }
            break;
        }
        rc = set_strs(tb, 7, i, r->reason, err);
        T->i64_mut(tb, 3)[i] = r->bt_n;
        T->f64_mut(tb, 4)[i] = r->rmsse;
        T->f64_mut(tb, 5)[i] = r->mase;
        T->f64_mut(tb, 6)[i] = r->bias;
        for (int k = 0; k < nq; k++) {
            T->f64_mut(tb, 8 + k)[i] = r->pinball[k];
            T->f64_mut(tb, 8 + nq + k)[i] = r->coverage[k];
        }
        if (r->bt_n > 0 && isfinite(r->rmsse) && isfinite(r->mase)) {
            pool[0] += r->rmsse;
            pool[1] += r->mase;
            pool[2] += r->bias;
            for (int k = 0; k < nq; k++) {
                pool[3 + k] += r->pinball[k];
                pool[3 + nq + k] += r->coverage[k];
            }
            wsum += r->bt_n;
            pn++;
        }
    }
    if (!rc)
        rc = host->output(ctx, "forecast", tf, err);
    if (!rc)
        rc = host->output(ctx, "forecast_cumulative", tc, err);
    if (!rc)
        rc = host->output(ctx, "forecast_backtest", tb, err);
    return rc;
}

struct worst {
    double v;
    size_t i;
};

static int cmp_worst(const void *a, const void *b)
{
    const struct worst *x = a, *y = b;
    return (x->v < y->v) - (x->v > y->v);
}

static int forecast_run(struct sco_ctx *ctx, void *st, struct sco_err *err)
{
    (void)st;
    const struct sco_table_api *T = host->tables;
    const struct sco_run_info *ri = host->run_info(ctx);
    int64_t h, bw, bl, np, epochs, ft_epochs, pw, ph, win;
    const double *q;
    size_t nq;
    const char *method, *model_path = NULL, *loss;
    struct wname wn; /* model_path split for the weights of each planning date */
    const char *const *plot_skus;
    size_t n_plot;
    bool warm;
    int rc = cfg_int(ctx, "horizon_days", 1, 366, &h, err);
    if (!rc)
        rc = host->cfg_f64_list(ctx, "quantiles", &q, &nq, err);
    if (!rc)
        rc = cfg_int(ctx, "backtest_windows", 0, 52, &bw, err);
    if (!rc) {
        rc = host->cfg_i64(ctx, "backtest_length", &bl, err);
        if (rc == SCO_ERR_NOINPUT)
            bl = h, rc = 0;
        else if (!rc && (bl < 1 || bl > 366))
            rc = host->cfg_error(ctx, "backtest_length", err, "%lld is out of range; use 1..366",
                                 (long long)bl);
    }
    if (!rc)
        rc = cfg_int(ctx, "sample_paths", 20, 100000, &np, err);
    if (!rc)
        rc = host->cfg_str(ctx, "method", &method, err);
    if (!rc)
        rc = cfg_int(ctx, "epochs", 0, 100000, &epochs, err);
    if (!rc)
        rc = cfg_int(ctx, "fine_tune_epochs", 0, 100000, &ft_epochs, err);
    if (!rc)
        rc = cfg_int(ctx, "window_days", 7, 728, &win, err);
    if (!rc) {
        rc = host->cfg_str(ctx, "model_path", &model_path, err);
        if (rc == SCO_ERR_NOINPUT)
            model_path = NULL, rc = 0;
        else if (!rc) {
            rc = wname_split(model_path, &wn)
                     ? host->cfg_error(ctx, "model_path", err,
                                       "'%s' needs a file name, such as state/forecast.scop",
                                       model_path)
                     : make_parent_dirs(ctx, model_path, err);
        }
    }
    if (!rc)
        rc = host->cfg_bool(ctx, "warm_start", &warm, err);
    if (!rc)
        rc = host->cfg_str(ctx, "loss", &loss, err);
    if (!rc)
        rc = host->cfg_str_list(ctx, "plot_skus", &plot_skus, &n_plot, err);
    if (!rc)
        rc = cfg_int(ctx, "plot_worst", 0, 100000, &pw, err);
    if (!rc)
        rc = cfg_int(ctx, "plot_history_days", 7, 3660, &ph, err);
    if (rc)
        return rc;
    if (nq < 1 || nq > SCO__FC_MAX_Q)
        return host->cfg_error(ctx, "quantiles", err, "give 1 to %d levels", SCO__FC_MAX_Q);
    for (size_t k = 0; k < nq; k++)
        if (!(q[k] > 0 && q[k] < 1))
            return host->cfg_error(ctx, "quantiles", err,
                                   "level %g is outside (0, 1); write e.g. 0.9", q[k]);
    struct sco__fc_run_opts ro = { .h = (int)h, .q = q, .nq = (int)nq, .bt_windows = (int)bw,
                                   .bt_length = (int)bl, .n_paths = (int)np,
                                   .seed = ri->seed, .mode = SCO__FC_MODE_AUTO };
    if (!strcmp(method, "auto"))
        ro.mode = SCO__FC_MODE_AUTO;
    else if (!strcmp(method, "stat"))
        ro.mode = SCO__FC_MODE_STAT;
    else if (!strcmp(method, "model"))
        ro.mode = SCO__FC_MODE_MODEL;
    else {
        int m = sco__fc_method_parse(method);
        if (m < 0 || m == SCO__FC_MODEL)
            return host->cfg_error(ctx, "method", err,
                                   "unknown method '%s'; use auto, stat, model, naive, snaive, "
                                   "ses, holt, hw, ses_s, theta, croston_sba, tsb, adida or combo",
                                   method);
        ro.mode = SCO__FC_MODE_FIXED;
        ro.fixed = (enum sco__fc_method)m;
    }
    enum sco__fc_loss lossk;
    if (sco__fc_loss_parse(loss, &lossk))
        return host->cfg_error(ctx, "loss", err, "unknown loss '%s'; use tweedie, poisson or "
                                                 "mse", loss);

    /* ---- inputs ---- */
    const struct sco_table *sales = host->input(ctx, "sales");
    const struct sco_table *cal = host->input(ctx, "calendar");
    const struct sco_table *promo = host->input(ctx, "promotions");
    const struct sco_table *items = host->input(ctx, "items");
    if (!sales)
        return sco_err_set(err, SCO_ERR_NOINPUT, "no 'sales' table; feed the forecast stage");
    if ((rc = check_inputs(sales, items, promo, cal, err)))
        return rc;
    struct origin_ud oud = { sales };
    struct sco__fc_set set;
    rc = sco__fc_set_build(&set, T->n_rows(sales), T->i64(sales, T->col(sales, "date")),
                           T->str(sales, T->col(sales, "sku")),
                           T->str(sales, T->col(sales, "warehouse")),
                           T->f64(sales, T->col(sales, "qty")), ri->run_date, origin, &oud, err);
    if (rc)
        return rc;
    struct sco__fc_result *res = calloc(set.n, sizeof *res);
    struct sco__fc_model_result mres = { 0 };
    if (!res) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for %zu series", set.n);
        goto out;
    }

    /* ---- the global model ---- */
    if (ro.mode == SCO__FC_MODE_AUTO || ro.mode == SCO__FC_MODE_MODEL ||
        (ro.mode == SCO__FC_MODE_FIXED && ro.fixed == SCO__FC_MODEL)) {
        if (!host->rt || !host->runtime || !host->runtime(ctx)) {
            if (ro.mode != SCO__FC_MODE_AUTO) {
                rc = sco_err_set(err, SCO_ERR_UNSUPPORTED,
                                 "method 'model' needs the tensor runtime; use method: stat");
                goto out;
            }
            host->log_msg(ctx, SCO_LOG_INFO, "no tensor runtime; statistical methods only");
        } else {
            struct sco__fc_feat feat;
            char ch_names[256] = "";
            rc = build_feat(&feat, &set, (int)h, cal, promo, items, ch_names, sizeof ch_names,
                            err);
            if (rc) {
                sco__fc_feat_fini(&feat);
                goto out;
            }
            if (feat.n_day_ch)
                host->log_msg(ctx, SCO_LOG_INFO, "model: calendar channels %s", ch_names);
            /* weights of this planning date; a warm start from the newest earlier one */
            char save_path[8192], warm_path[8192] = "";
            int64_t days[4096];
            size_t n_days = 0;
            if (model_path) {
                weights_path(&wn, ri->run_date, save_path, sizeof save_path);
                n_days = weights_list(&wn, days, sizeof days / sizeof *days);
                for (size_t k = 0; k < n_days && warm && !*warm_path; k++)
                    if (days[k] < ri->run_date)
                        weights_path(&wn, days[k], warm_path, sizeof warm_path);
                if (warm && !*warm_path)
                    host->log_msg(ctx, SCO_LOG_INFO,
                                  "model: no weights of a planning date before this one next "
                                  "to '%s'; training anew",
                                  model_path);
            }
            struct sco__fc_model_opts mo = {
                .h = (int)h, .window = (int)win, .epochs = (int)epochs,
                .fine_tune_epochs = (int)ft_epochs, .seed = ri->seed, .loss = lossk,
                .bt_windows = (int)bw, .bt_length = (int)bl,
                .model_path = model_path ? save_path : NULL,
                .warm_start = warm && *warm_path, .warm_path = *warm_path ? warm_path : NULL,
                .nonneg = true, .progress = host->progress, .cancelled = host->cancelled,
                .ctx = ctx,
            };
            rc = sco__fc_model_run(host->rt, host->runtime(ctx), &set, &feat, &mo, &mres, err);
            sco__fc_feat_fini(&feat);
            if (rc)
                goto out;
            if (model_path) { /* keep the newest KEEP_WEIGHTS files */
                n_days = weights_list(&wn, days, sizeof days / sizeof *days);
                for (size_t k = KEEP_WEIGHTS; k < n_days; k++) {
                    char old[8192];
                    weights_path(&wn, days[k], old, sizeof old);
                    if (unlink(old) != 0 && errno != ENOENT)
                        host->log_msg(ctx, SCO_LOG_WARN,
                                      "model: cannot remove old weights '%s': %s", old,
                                      strerror(errno));
                }
            }
            ro.model = &mres.means;
            host->log_msg(ctx, SCO_LOG_INFO, "model: %s", mres.summary);
        }
    }

    /* ---- per series: choice evidence, the pooled default, then backtest and forecast ---- */
    for (size_t i = 0; i < set.n && !rc; i++) {
        rc = sco__fc_run_choose(&set, i, &ro, &res[i], err);
        if (i % 16 == 0 && host->progress)
            host->progress(ctx, (double)i, 2.0 * (double)set.n, "backtesting series");
        if (host->cancelled && host->cancelled(ctx))
            rc = sco_err_set(err, SCO_ERR_CANCELLED, "forecast cancelled");
    }
    enum sco__fc_method dflt = sco__fc_pooled_default(res, set.n);
    if (!rc && ro.model)
        host->log_msg(ctx, SCO_LOG_INFO, "pooled backtest default: %s",
                      dflt == SCO__FC_N_METHODS ? "statistical choice"
                                                : sco__fc_method_name(dflt));
    for (size_t i = 0; i < set.n && !rc; i++) {
        rc = sco__fc_run_finish(&set, i, &ro, dflt, &res[i], err);
        if (i % 16 == 0 && host->progress)
            host->progress(ctx, (double)(set.n + i), 2.0 * (double)set.n, "forecasting series");
        if (host->cancelled && host->cancelled(ctx))
            rc = sco_err_set(err, SCO_ERR_CANCELLED, "forecast cancelled");
    }
    if (rc)
        goto out;
    rc = publish(ctx, &set, res, (int)h, q, (int)nq, err);

    /* ---- plots: configured skus, then the worst backtests ---- */
    for (size_t i = 0; i < set.n && !rc; i++)
        for (size_t k = 0; k < n_plot; k++)
            if (!strcmp(set.s[i].sku, plot_skus[k]))
                rc = plot_one(ctx, &set, i, &res[i], (int)h, q, (int)nq, (int)ph, err);
    if (!rc && pw > 0) {
        struct worst *w = malloc(set.n * sizeof *w);
        size_t nw = 0;
        for (size_t i = 0; w && i < set.n; i++)
            if (isfinite(res[i].rmsse))
                w[nw++] = (struct worst){ res[i].rmsse, i };
        if (w)
            qsort(w, nw, sizeof *w, cmp_worst);
        for (size_t k = 0; w && k < nw && k < (size_t)pw && !rc; k++)
            rc = plot_one(ctx, &set, w[k].i, &res[w[k].i], (int)h, q, (int)nq, (int)ph, err);
        free(w);
    }
    if (!rc) {
        int counts[SCO__FC_N_METHODS] = { 0 };
        for (size_t i = 0; i < set.n; i++)
            counts[res[i].method]++;
        char line[512];
        size_t off = (size_t)snprintf(line, sizeof line, "forecast %zu series x %lld days:",
                                      set.n, (long long)h);
        for (int m = 0; m < SCO__FC_N_METHODS && off < sizeof line; m++)
            if (counts[m])
                off += (size_t)snprintf(line + off, sizeof line - off, " %s=%d",
                                        sco__fc_method_name(m), counts[m]);
        host->log_msg(ctx, SCO_LOG_INFO, "%s", line);
    }
out:
    for (size_t i = 0; res && i < set.n; i++)
        sco__fc_result_fini(&res[i]);
    free(res);
    sco__fc_model_result_fini(&mres);
    sco__fc_set_fini(&set);
    return rc;
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION,
        .size = sizeof desc,
        .name = "forecast",
        .version = "0.1.0",
        .summary = "daily demand forecast per sku x warehouse with quantiles and backtest",
        .inputs = inputs,
        .n_inputs = SCO_COUNT(inputs),
        .outputs = outputs,
        .n_outputs = SCO_COUNT(outputs),
        .config = keys,
        .n_config = SCO_COUNT(keys),
        .state_size = sizeof(struct state),
        .init = forecast_init,
        .run = forecast_run,
        .fini = forecast_fini,
    };
    host = h;
    return &desc;
}
