/* fc-run.c: the nightly run for one series: method choice, backtest of the choice, forecast
 * with daily and cumulative quantiles.
 *
 * Choice rule (written into each series' reason):
 *  1. No sale before the planning date: forecast zero ("no sales history").
 *  2. History since the first sale shorter than one backtest window plus two weeks: the
 *     fallback (combo: mean of TSB, ADIDA and Holt-Winters).
 *  3. Otherwise each statistical candidate is backtested on the last `bt_windows`
 *     non-overlapping windows of `bt_length` days, each fitted only on data before it, and
 *     scored by mean RMSSE; the combo stays unless another candidate is more than 10% better.
 *  4. With the global model (mode auto), the statistical choice, the model and the ensemble
 *     (mean of the two) are scored on the same windows (the model was trained only on data
 *     before the earliest window). The pooled default (sco__fc_pooled_default, mean RMSSE
 *     over all series) is the ensemble unless the statistical choice or the model alone is
 *     more than 10% lower than it (then the lower of those two); a series switches to its
 *     own best only when that is more than 10% lower than its default.
 *  5. Stalled series (sco__fc_stalled: the history ends with a run of days without a sale
 *     whose probability under the share of selling days in the 112 days before it is below
 *     1%, and at least 14 days long) get a zero forecast (mean and every quantile) from the
 *     combo, the model, the ensemble and any method chosen by backtest (modes auto and
 *     stat): the item has most likely left the assortment. The reason says so. A method
 *     set in the config (other than combo) is left as it is.
 * Quantiles come from sample paths; for the model and the ensemble, the statistical choice's
 * paths are re-centred on the new mean (scaled by the ratio of means, kept within [0.5, 2],
 * and shifted by the rest). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc.h"

static const enum sco__fc_method daily_cand[] = { SCO__FC_SNAIVE, SCO__FC_SES_S, SCO__FC_HW,
                                                  SCO__FC_TSB, SCO__FC_CROSTON, SCO__FC_ADIDA,
                                                  SCO__FC_COMBO };
#define PERIOD 7

void sco__fc_result_fini(struct sco__fc_result *r)
{
    if (!r)
        return;
    free(r->mean);
    free(r->q);
    free(r->cq);
    r->mean = r->q = r->cq = NULL;
}

/* Forecast hh days after y[0..n) (n counted from the first sale) by method m; for the model
 * and the ensemble, `mm` holds the model's means and `base` supplies the paths. stall_all:
 * the method was chosen (not set in the config), so a stalled series forecasts zero. */
static int predict(enum sco__fc_method m, enum sco__fc_method base, const double *mm,
                   const double *y, int n, int hh, int np, uint64_t seed, bool stall_all,
                   double *mean, double *paths, struct sco_err *err)
{
    struct sco__fc_opts o = { .h = hh, .period = PERIOD, .n_paths = np, .nonneg = true,
                              .seed = seed };
    struct sco__fc_out out = { mean, paths };
    int rc = sco__fc_stat(m != SCO__FC_MODEL && m != SCO__FC_ENSEMBLE ? m : base, y, n, &o, &out,
                          err);
    /* rule 5 for a method chosen by backtest: a stalled series forecasts zero whatever the
     * choice (a seasonal naive or TSB of a delisted item would keep a spread above zero) */
    if (!rc && stall_all && m != SCO__FC_MODEL && m != SCO__FC_ENSEMBLE &&
        sco__fc_stalled(y, n)) {
        memset(mean, 0, (size_t)hh * sizeof *mean);
        memset(paths, 0, (size_t)np * (size_t)hh * sizeof *paths);
        return 0;
    }
    if (rc || (m != SCO__FC_MODEL && m != SCO__FC_ENSEMBLE))
        goto counts;
    int stalled = sco__fc_stalled(y, n);
    for (int t = 0; t < hh; t++) {
        double sm = mean[t], mv = mm[t] > 0 && !stalled ? mm[t] : 0;
        if (m == SCO__FC_ENSEMBLE)
            mv = 0.5 * (mv + sm);
        /* re-centre the paths on the new mean: scale by the ratio (kept within [0.5, 2] so
         * that a near-zero statistical mean cannot blow the spread up), shift the rest */
        double ratio = sm > 1e-9 ? mv / sm : 1.0;
        ratio = ratio < 0.5 ? 0.5 : ratio > 2.0 ? 2.0 : ratio;
        if (stalled)
            ratio = 0;
        double shift = mv - sm * ratio;
        for (int p = 0; p < np; p++) {
            double *v = &paths[(size_t)p * hh + t];
            *v = *v * ratio + shift;
            if (*v < 0)
                *v = 0;
        }
        mean[t] = mv;
    }
counts:
    /* count series (integer history) get integer sample paths */
    if (!rc && np > 0) {
        bool integer = true;
        for (int t = 0; integer && t < n; t++)
            integer = y[t] == floor(y[t]);
        if (integer)
            sco__fc_round_paths(paths, np, hh, seed);
    }
    return rc;
}

/* Mean backtest RMSSE of the model and of the ensemble (model + statistical choice `base`)
 * over the first w_n windows. */
static int model_bt_rmsse(const struct sco__fc_set *set, size_t i,
                          const struct sco__fc_run_opts *o, int w_n, enum sco__fc_method base,
                          double *model, double *ens, struct sco_err *err)
{
    const struct sco__fc_series *s = &set->s[i];
    int L = o->bt_length;
    double sm = 0, se = 0, *st = malloc((size_t)L * sizeof *st);
    double *en = malloc((size_t)L * sizeof *en);
    int cnt = 0, rc = 0;
    if (!st || !en) {
        free(st);
        free(en);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the model backtest");
    }
    for (int w = 1; w <= w_n && !rc; w++) {
        int cut = s->n - w * L;
        const double *bt = o->model->bt + ((i * (size_t)o->bt_windows) + (size_t)(w - 1)) *
                                              (size_t)L;
        struct sco__fc_opts so = { .h = L, .period = PERIOD, .nonneg = true };
        struct sco__fc_out out = { st, NULL };
        rc = sco__fc_stat(base, s->y + s->first, cut - s->first, &so, &out, err);
        for (int t = 0; t < L; t++)
            en[t] = 0.5 * (st[t] + (bt[t] > 0 ? bt[t] : 0));
        double r = sco__fc_rmsse(s->y + cut, bt, L, s->y, cut);
        double re = sco__fc_rmsse(s->y + cut, en, L, s->y, cut);
        if (isfinite(r) && isfinite(re))
            sm += r, se += re, cnt++;
    }
    free(st);
    free(en);
    *model = cnt ? sm / cnt : NAN;
    *ens = cnt ? se / cnt : NAN;
    return rc;
}

int sco__fc_run_choose(const struct sco__fc_set *set, size_t i, const struct sco__fc_run_opts *o,
                       struct sco__fc_result *res, struct sco_err *err)
{
    const struct sco__fc_series *s = &set->s[i];
    int h = o->h, nq = o->nq, L = o->bt_length;
    int rc = 0;
    memset(res, 0, sizeof *res);
    res->rmsse = res->mase = res->bias = NAN;
    res->stat_score = res->model_score = res->ens_score = NAN;
    res->stat_method = SCO__FC_COMBO;
    for (int k = 0; k < SCO__FC_MAX_Q; k++)
        res->pinball[k] = res->coverage[k] = NAN;
    if (nq > SCO__FC_MAX_Q)
        return sco_err_set(err, SCO_ERR_CONFIG, "%d quantile levels, at most %d", nq,
                           SCO__FC_MAX_Q);
    res->mean = calloc((size_t)h, sizeof *res->mean);
    res->q = calloc((size_t)nq * h, sizeof *res->q);
    res->cq = calloc((size_t)nq * h, sizeof *res->cq);
    if (!res->mean || !res->q || !res->cq) {
        sco__fc_result_fini(res);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory forecasting '%s'", s->sku);
    }
    uint64_t seed = sco__fc_hash(s->warehouse, sco__fc_hash(s->sku, o->seed + 1));
    const double *y = s->y + s->first;
    int n = s->n - s->first;
    struct sco__fc_choice ch = { .method = SCO__FC_COMBO };
    if (n <= 0) {
        res->method = SCO__FC_TSB;
        snprintf(res->reason, sizeof res->reason, "no sales history; zero forecast");
    } else if (o->mode == SCO__FC_MODE_FIXED) {
        res->method = o->fixed;
        if ((o->fixed == SCO__FC_MODEL || o->fixed == SCO__FC_ENSEMBLE) && !o->model) {
            rc = sco_err_set(err, SCO_ERR_CONFIG, "method '%s' needs the trained model",
                             sco__fc_method_name(o->fixed));
            goto out;
        }
        snprintf(res->reason, sizeof res->reason, "method set to '%s' in the config",
                 sco__fc_method_name(o->fixed));
    } else {
        rc = sco__fc_choose(y, n, daily_cand, (int)SCO_COUNT(daily_cand), o->bt_windows, L,
                            &(struct sco__fc_opts){ .h = L, .period = PERIOD, .nonneg = true,
                                                    .seed = seed },
                            SCO__FC_COMBO, &ch, NULL, err);
        if (rc)
            goto out;
        res->stat_method = ch.method;
        res->stat_score = ch.score;
        res->method = ch.method;
        snprintf(res->reason, sizeof res->reason, "%s", ch.reason);
        if (o->model && o->mode == SCO__FC_MODE_MODEL) {
            res->method = SCO__FC_MODEL;
            snprintf(res->reason, sizeof res->reason, "method set to 'model' in the config");
        } else if (o->model && o->mode == SCO__FC_MODE_AUTO && isfinite(ch.score)) {
            int w_n = 0;
            for (int w = 1; w <= o->bt_windows; w++)
                if (n - w * L >= 2 * PERIOD + 2)
                    w_n = w;
            rc = model_bt_rmsse(set, i, o, w_n, ch.method, &res->model_score, &res->ens_score,
                                err);
            res->pending = isfinite(res->model_score) && isfinite(res->ens_score);
            res->bt_windows_used = w_n;
        }
    }
out:
    if (rc)
        sco__fc_result_fini(res);
    return rc;
}

enum sco__fc_method sco__fc_pooled_default(const struct sco__fc_result *res, size_t n)
{
    double s = 0, m = 0, e = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (res[i].pending) {
            s += res[i].stat_score;
            m += res[i].model_score;
            e += res[i].ens_score;
            k++;
        }
    if (!k)
        return SCO__FC_N_METHODS;
    /* the combination is the default; a single kind needs the margin over it */
    if (s < (1.0 - SCO__FC_MARGIN) * e && s <= m)
        return SCO__FC_N_METHODS;
    if (m < (1.0 - SCO__FC_MARGIN) * e && m < s)
        return SCO__FC_MODEL;
    return SCO__FC_ENSEMBLE;
}

static const char *kind_name(enum sco__fc_method m)
{
    return m == SCO__FC_MODEL ? "model" : m == SCO__FC_ENSEMBLE ? "ensemble" : "statistical";
}

/* Rule 4: start from the pooled default (statistical choice, model or ensemble); switch to
 * this series' best of the three only when its RMSSE is more than the margin lower. */
static void decide(struct sco__fc_result *res, enum sco__fc_method dflt, int L)
{
    enum sco__fc_method kinds[3] = { SCO__FC_N_METHODS, SCO__FC_MODEL, SCO__FC_ENSEMBLE };
    double sc[3] = { res->stat_score, res->model_score, res->ens_score };
    int d = dflt == SCO__FC_MODEL ? 1 : dflt == SCO__FC_ENSEMBLE ? 2 : 0, b = 0;
    for (int k = 1; k < 3; k++)
        if (sc[k] < sc[b])
            b = k;
    int pick = b != d && sc[b] < (1.0 - SCO__FC_MARGIN) * sc[d] ? b : d;
    res->method = pick == 0 ? res->stat_method : kinds[pick];
    char tmp[400];
    snprintf(tmp, sizeof tmp,
             "%s%s (rmsse %.3f over %d backtest windows of %d days; statistical %s %.3f, "
             "model %.3f, ensemble %.3f; pooled default %s, a switch needs 10%%)",
             pick == d ? "pooled default " : "", pick == 0 ? sco__fc_method_name(res->stat_method)
                                                           : kind_name(kinds[pick]),
             sc[pick], res->bt_windows_used, L, sco__fc_method_name(res->stat_method), sc[0],
             sc[1], sc[2], kind_name(kinds[d]));
    snprintf(res->reason, sizeof res->reason, "%.199s", tmp);
}

int sco__fc_run_series(const struct sco__fc_set *set, size_t i, const struct sco__fc_run_opts *o,
                       struct sco__fc_result *res, struct sco_err *err)
{
    int rc = sco__fc_run_choose(set, i, o, res, err);
    if (!rc)
        rc = sco__fc_run_finish(set, i, o, SCO__FC_N_METHODS, res, err);
    return rc;
}

int sco__fc_run_finish(const struct sco__fc_set *set, size_t i, const struct sco__fc_run_opts *o,
                       enum sco__fc_method dflt, struct sco__fc_result *res,
                       struct sco_err *err)
{
    const struct sco__fc_series *s = &set->s[i];
    int h = o->h, nq = o->nq, np = o->n_paths > 0 ? o->n_paths : 1, L = o->bt_length;
    int rc = 0;
    int hm = h > L ? h : L;
    double *paths = malloc((size_t)np * hm * sizeof *paths);
    double *mean = malloc((size_t)hm * sizeof *mean);
    double *qb = malloc((size_t)nq * hm * sizeof *qb);
    if (!paths || !mean || !qb) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory forecasting '%s'", s->sku);
        goto out;
    }
    uint64_t seed = sco__fc_hash(s->warehouse, sco__fc_hash(s->sku, o->seed + 1));
    const double *y = s->y + s->first;
    int n = s->n - s->first;
    enum sco__fc_method base = res->stat_method;
    if (res->pending)
        decide(res, dflt, L);
    res->pending = false;

    /* ---- backtest of the chosen method ---- */
    if (n > 0) {
        double sr = 0, sm = 0, sb = 0, sp[SCO__FC_MAX_Q] = { 0 }, sc[SCO__FC_MAX_Q] = { 0 };
        int cnt = 0;
        for (int w = 1; w <= o->bt_windows; w++) {
            int cut = s->n - w * L;
            if (cut - s->first < 2 * PERIOD + 2)
                break;
            if (!isfinite(sco__fc_scale_mse(s->y, cut)))
                continue;
            const double *mm = NULL;
            if (res->method == SCO__FC_MODEL || res->method == SCO__FC_ENSEMBLE)
                mm = o->model->bt + (i * (size_t)o->bt_windows + (size_t)(w - 1)) * (size_t)L;
            rc = predict(res->method, base, mm, y, cut - s->first, L, np, seed + (uint64_t)w,
                         o->mode != SCO__FC_MODE_FIXED, mean, paths, err);
            if (rc)
                goto out;
            sco__fc_path_quantiles(paths, np, L, o->q, nq, false, qb);
            const double *a = s->y + cut;
            sr += sco__fc_rmsse(a, mean, L, s->y, cut);
            sm += sco__fc_mase(a, mean, L, s->y, cut);
            sb += sco__fc_bias(a, mean, L, s->y, cut);
            for (int k = 0; k < nq; k++) {
                sp[k] += sco__fc_spinball(a, qb + (size_t)k * L, L, o->q[k], s->y, cut);
                sc[k] += sco__fc_pit_coverage(a, paths, np, L, o->q[k]);
            }
            for (int t = 0; t < L; t++) {
                res->bt_sum_abs_err += fabs(a[t] - mean[t]);
                res->bt_sum_actual += a[t];
            }
            cnt++;
        }
        res->bt_n = cnt;
        if (cnt) {
            res->rmsse = sr / cnt;
            res->mase = sm / cnt;
            res->bias = sb / cnt;
            for (int k = 0; k < nq; k++) {
                res->pinball[k] = sp[k] / cnt;
                res->coverage[k] = sc[k] / cnt;
            }
        }
    }

    /* ---- forecast ---- */
    rc = predict(res->method, base, o->model ? o->model->fc + i * (size_t)h : NULL, y, n, h, np,
                 seed, o->mode != SCO__FC_MODE_FIXED, mean, paths, err);
    if (rc)
        goto out;
    memcpy(res->mean, mean, (size_t)h * sizeof *mean);
    int z = n > 0 ? sco__fc_stalled(y, n) : 0;
    if (z && (o->mode != SCO__FC_MODE_FIXED || res->method == SCO__FC_COMBO ||
              res->method == SCO__FC_MODEL || res->method == SCO__FC_ENSEMBLE)) {
        size_t len = strlen(res->reason);
        snprintf(res->reason + len, sizeof res->reason - len,
                 "; no sale in the last %d days: treated as delisted, zero forecast", z);
    }
    sco__fc_path_quantiles(paths, np, h, o->q, nq, false, res->q);
    sco__fc_path_quantiles(paths, np, h, o->q, nq, true, res->cq);
out:
    free(paths);
    free(mean);
    free(qb);
    if (rc)
        sco__fc_result_fini(res);
    return rc;
}
