/* fc-bench.c: accuracy benchmark of the forecasting core on M5-style daily sales and M4-style
 * weekly series (layout of ../shared/data/forecast, see bench/forecast/README in RESULTS.md).
 *
 *   fc-bench --data DIR --out DIR [--paths N] [--seed S]
 *
 * M5 (DIR/m5_foods3_ca1/sales.csv series_id,date,qty): 8 rolling non-overlapping 28-day
 * windows ending at the last date, each trained only on data before it; RMSSE and pinball at
 * 0.9 scaled like MASE, averaged over series-windows. M4 (DIR/m4_weekly_dev/train.csv and
 * test.csv series_id,t,qty): horizon = test length per series (13), sMAPE, MASE (lag-1
 * scale), OWA against Naive. Raw forecasts go to OUT/m5_forecasts.csv and m4_forecasts.csv;
 * the last line printed is "forecast: ...". */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fc.h"
#include "fc-bench-io.h"
#include "fc-model.h"
#include "runtime-host.h"

#define USAGE                                                                                  \
    "usage: fc-bench --data DIR --out DIR [--paths N] [--seed S] [--no-model] [--epochs N]\n" \
    "                [--samples N] [--threads N] [--window N] [--loss L]\n"                   \
    "                [--no-calendar-channels] [--lr LR] [--device cpu|cuda|auto]\n"        \
    "                [--m5-only | --m4-only]\n"                                               \
    "       fc-bench --speed THREADS\n"
#define M5_H 28
#define M5_WINDOWS 8

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const double qlev[] = { 0.1, 0.5, 0.9, 0.95, 0.99 };
#define NQ 5
#define IQ90 2

struct acc {
    double a, b, c, d;
    int n;
};

/* ---- options ------------------------------------------------------------------------------ */
struct bopts {
    int n_paths;
    uint64_t seed;
    bool model;          /* train the global model (needs the runtime) */
    int epochs, samples; /* model training budget */
    int threads;
    struct sco_runtime *R;
    bool m5_only, m4_only;
    int window;
    enum sco__fc_loss loss;
    bool cal_channels; /* numeric calendar columns as model channels */
    float lr;          /* model learning rate (peak of the cosine schedule) */
};

static void set_view(const struct sco__fc_set *full, int cut, struct sco__fc_set *v,
                     struct sco__fc_series *buf)
{
    *v = *full;
    v->s = buf;
    v->end = full->start + cut;
    for (size_t i = 0; i < full->n; i++) {
        buf[i] = full->s[i];
        buf[i].n = cut;
        int f = 0;
        while (f < cut && buf[i].y[f] == 0)
            f++;
        buf[i].first = f;
    }
}

/* Calendar features from calendar.csv, if present: the event flag (event_name_1 / _2
 * non-empty) and, unless `channels` is false, one day-level channel per further numeric
 * column (the M5 SNAP flags snap_CA, snap_TX, snap_WI) other than the ones that only
 * number the date (d, wm_yr_wk, wday, month, year). */
#define MAX_CH 16
static int read_calendar(const char *dir, const struct sco__fc_set *set, struct sco__fc_feat *f,
                         bool channels)
{
    static const char *const skip[] = { "date", "d", "wm_yr_wk", "weekday", "wday", "month",
                                        "year" };
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/m5_foods3_ca1/calendar.csv", dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    f->day_ev = calloc((size_t)f->n_days, sizeof *f->day_ev);
    int cd = -1, c1 = -1, c2 = -1, nh = 0, cand[64], n_cand = 0;
    char *hdr[64];
    if (f->day_ev && fgets(line, sizeof line, fp)) {
        char *p = line;
        while (nh < 64) {
            hdr[nh++] = p;
            char *c = strchr(p, ',');
            if (!c)
                break;
            *c = 0;
            p = c + 1;
        }
        hdr[nh - 1][strcspn(hdr[nh - 1], "\r\n")] = 0;
        for (int k = 0; k < nh; k++) {
            bool sk = false;
            for (size_t j = 0; j < SCO_COUNT(skip); j++)
                sk |= !strcmp(hdr[k], skip[j]);
            if (!strcmp(hdr[k], "date"))
                cd = k;
            else if (!strcmp(hdr[k], "event_name_1"))
                c1 = k;
            else if (!strcmp(hdr[k], "event_name_2"))
                c2 = k;
            else if (!sk && strncmp(hdr[k], "event_", 6))
                cand[n_cand++] = k;
        }
    }
    /* a candidate column is a channel when every non-empty value is numeric */
    bool numeric[64];
    for (int k = 0; k < 64; k++)
        numeric[k] = true;
    float *val = channels && n_cand ? calloc((size_t)n_cand * (size_t)f->n_days, sizeof *val)
                                    : NULL;
    while (f->day_ev && cd >= 0 && fgets(line, sizeof line, fp)) {
        /* split keeping empty fields */
        char *fl[64];
        int nf = 0;
        char *p = line;
        while (nf < 64) {
            fl[nf++] = p;
            char *c = strchr(p, ',');
            if (!c)
                break;
            *c = 0;
            p = c + 1;
        }
        fl[nf - 1][strcspn(fl[nf - 1], "\r\n")] = 0;
        int64_t day;
        if (cd >= nf || bench_parse_date(fl[cd], &day))
            continue;
        bool ev = (c1 >= 0 && c1 < nf && *fl[c1]) || (c2 >= 0 && c2 < nf && *fl[c2]);
        int64_t k = day - set->start;
        if (ev && k >= 0 && k < f->n_days)
            f->day_ev[k] = 1.0f;
        for (int j = 0; val && j < n_cand; j++) {
            if (cand[j] >= nf || !*fl[cand[j]])
                continue;
            char *end;
            double v = strtod(fl[cand[j]], &end);
            if (*end || !isfinite(v))
                numeric[j] = false;
            else if (k >= 0 && k < f->n_days)
                val[(size_t)j * (size_t)f->n_days + (size_t)k] = (float)v;
        }
    }
    fclose(fp);
    int nc = 0;
    for (int j = 0; val && j < n_cand; j++)
        if (numeric[j] && nc < MAX_CH) {
            memmove(val + (size_t)nc * (size_t)f->n_days, val + (size_t)j * (size_t)f->n_days,
                    (size_t)f->n_days * sizeof *val);
            nc++;
        }
    if (nc) {
        f->day_ch = val;
        f->n_day_ch = nc;
    } else {
        free(val);
    }
    return 0;
}

/* ---- M5 --------------------------------------------------------------------------------- */
enum { M5_SNAIVE, M5_TSB, M5_HW, M5_SES_S, M5_ADIDA, M5_COMBO, M5_STAT, M5_MODEL, M5_ENS,
       M5_AUTO, M5_N };
static const char *const m5_names[M5_N] = { "snaive", "tsb", "hw(ets)", "ses_s", "adida", "combo",
                                            "stat-auto", "model", "model+combo", "auto" };

static int run_m5(const char *dir, const char *out, const struct bopts *bo, double *rmsse,
                  double *pin90, struct sco_err *err)
{
    struct bench_table t = { 0 };
    char path[4096];
    snprintf(path, sizeof path, "%s/m5_foods3_ca1/sales.csv", dir);
    int rc = bench_read_long(path, "date", &t, err);
    if (rc)
        return rc;
    struct sco__fc_set set;
    rc = sco__fc_set_build(&set, t.n, t.key2, (const char *const *)t.id, NULL, t.val,
                           SCO_NULL_I64, bench_origin, &t, err);
    if (rc) {
        bench_table_fini(&t);
        return rc;
    }
    snprintf(path, sizeof path, "%s/m5_forecasts.csv", out);
    FILE *fo = fopen(path, "w");
    struct sco__fc_series *vbuf = calloc(set.n, sizeof *vbuf);
    struct sco__fc_result *autor = calloc(set.n, sizeof *autor);
    double *paths = malloc((size_t)bo->n_paths * M5_H * sizeof *paths);
    if (!fo || !vbuf || !paths || !autor) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        goto done;
    }
    fprintf(fo, "method,series_id,window,date,actual,mean,q10,q50,q90,q95,q99\n");
    struct acc acc[M5_N];
    memset(acc, 0, sizeof acc);
    int n = (int)(set.end - set.start);
    double mean[M5_H], q[NQ * M5_H];
    int chosen[SCO__FC_N_METHODS] = { 0 };
    double train_s = 0, sps = 0;
    for (int w = M5_WINDOWS; w >= 1 && !rc; w--) {
        int cut = n - w * M5_H;
        struct sco__fc_set v;
        set_view(&set, cut, &v, vbuf);
        struct sco__fc_model_result mres = { 0 };
        if (bo->model) {
            struct sco__fc_feat feat;
            rc = sco__fc_feat_init(&feat, &v, M5_H, 7, err);
            if (!rc)
                rc = read_calendar(dir, &v, &feat, bo->cal_channels);
            struct sco__fc_model_opts mo = {
                .h = M5_H, .window = bo->window, .hidden = 256, .epochs = bo->epochs,
                .fine_tune_epochs = 3, .samples_per_epoch = bo->samples, .batch = 256,
                .lr = bo->lr, .seed = bo->seed + (uint64_t)w, .loss = bo->loss,
                .nonneg = true, .bt_windows = 2, .bt_length = M5_H,
            };
            double t0 = now_s();
            if (!rc)
                rc = sco__fc_model_run(sco_runtime_api_table(), bo->R, &v, &feat, &mo, &mres,
                                       err);
            train_s += now_s() - t0;
            sps += mres.samples_per_s / M5_WINDOWS;
            sco__fc_feat_fini(&feat);
            if (rc)
                break;
        }
        /* ours: the plugin's two-step choice (pooled default, then per-series switches) */
        memset(autor, 0, set.n * sizeof *autor);
        if (bo->model) {
            struct sco__fc_run_opts ro = { .h = M5_H, .q = qlev, .nq = NQ, .bt_windows = 2,
                                           .bt_length = M5_H, .n_paths = bo->n_paths,
                                           .seed = bo->seed + (uint64_t)w,
                                           .mode = SCO__FC_MODE_AUTO, .model = &mres.means };
            for (size_t si = 0; si < set.n && !rc; si++)
                rc = sco__fc_run_choose(&v, si, &ro, &autor[si], err);
            enum sco__fc_method dflt = sco__fc_pooled_default(autor, set.n);
            fprintf(stderr, "  window %d: pooled default %s\n", M5_WINDOWS + 1 - w,
                    dflt == SCO__FC_N_METHODS ? "statistical" : sco__fc_method_name(dflt));
            for (size_t si = 0; si < set.n && !rc; si++)
                rc = sco__fc_run_finish(&v, si, &ro, dflt, &autor[si], err);
        }
        for (size_t si = 0; si < set.n && !rc; si++) {
            const struct sco__fc_series *s = &v.s[si];
            const double *act = set.s[si].y + cut;
            if (!isfinite(sco__fc_scale_mse(s->y, cut)) || !isfinite(sco__fc_scale_mae(s->y, cut)))
                continue;
            for (int mi = 0; mi < M5_N && !rc; mi++) {
                struct sco__fc_run_opts ro = { .h = M5_H, .q = qlev, .nq = NQ, .bt_windows = 2,
                                               .bt_length = M5_H, .n_paths = bo->n_paths,
                                               .seed = bo->seed + (uint64_t)w,
                                               .mode = SCO__FC_MODE_FIXED };
                static const enum sco__fc_method fixed[] = { SCO__FC_SNAIVE, SCO__FC_TSB,
                                                             SCO__FC_HW, SCO__FC_SES_S,
                                                             SCO__FC_ADIDA, SCO__FC_COMBO };
                if (mi <= M5_COMBO)
                    ro.fixed = fixed[mi];
                else if (mi == M5_STAT)
                    ro.mode = SCO__FC_MODE_STAT;
                else if (!bo->model)
                    continue;
                else {
                    ro.model = &mres.means;
                    ro.mode = mi == M5_MODEL ? SCO__FC_MODE_MODEL : SCO__FC_MODE_AUTO;
                    if (mi == M5_ENS)
                        ro.mode = SCO__FC_MODE_FIXED, ro.fixed = SCO__FC_ENSEMBLE;
                }
                struct sco__fc_result r;
                if (mi == M5_AUTO) { /* chosen before this loop with the pooled default */
                    r = autor[si];
                    memset(&autor[si], 0, sizeof autor[si]);
                } else
                    rc = sco__fc_run_series(&v, si, &ro, &r, err);
                if (rc)
                    break;
                if (mi == M5_AUTO || (!bo->model && mi == M5_STAT))
                    chosen[r.method]++;
                memcpy(mean, r.mean, sizeof mean);
                memcpy(q, r.q, sizeof q);
                sco__fc_result_fini(&r);
                acc[mi].a += sco__fc_rmsse(act, mean, M5_H, s->y, cut);
                acc[mi].b += sco__fc_spinball(act, q + IQ90 * M5_H, M5_H, 0.9, s->y, cut);
                acc[mi].c += sco__fc_mase(act, mean, M5_H, s->y, cut);
                acc[mi].d += sco__fc_coverage(act, q + IQ90 * M5_H, M5_H);
                acc[mi].n++;
                for (int k = 0; k < M5_H; k++) {
                    char ds[48];
                    bench_date_str(set.start + cut + k, ds);
                    fprintf(fo, "%s,%s,%d,%s,%g,%.4f", m5_names[mi], s->sku, M5_WINDOWS + 1 - w,
                            ds, act[k], mean[k]);
                    for (int j = 0; j < NQ; j++)
                        fprintf(fo, ",%.4f", q[j * M5_H + k]);
                    fputc('\n', fo);
                }
            }
        }
        for (size_t si = 0; si < set.n; si++)
            sco__fc_result_fini(&autor[si]);
        sco__fc_model_result_fini(&mres);
    }
    if (fclose(fo) && !rc)
        rc = sco_err_set(err, SCO_ERR_IO, "cannot write '%s'", path);
    fo = NULL;
    if (!rc) {
        fprintf(stderr, "M5 %zu series x %d windows of %d days (%d series-windows scored)\n",
                set.n, M5_WINDOWS, M5_H, acc[0].n);
        if (bo->model)
            fprintf(stderr, "  model training %.1f s over %d windows, %.0f samples/s\n", train_s,
                    M5_WINDOWS, sps);
        fprintf(stderr, "  %-12s %8s %8s %10s %8s\n", "method", "rmsse", "mase", "pinball90",
                "cov90");
        for (int mi = 0; mi < M5_N; mi++) {
            if (!acc[mi].n)
                continue;
            int k = acc[mi].n;
            fprintf(stderr, "  %-12s %8.4f %8.4f %10.4f %8.3f\n", m5_names[mi], acc[mi].a / k,
                    acc[mi].c / k, acc[mi].b / k, acc[mi].d / k);
        }
        fprintf(stderr, "  %s chose:", bo->model ? "auto" : "stat-auto");
        for (int m = 0; m < SCO__FC_N_METHODS; m++)
            if (chosen[m])
                fprintf(stderr, " %s=%d", sco__fc_method_name(m), chosen[m]);
        fputc('\n', stderr);
        int best = bo->model ? M5_AUTO : M5_STAT;
        int k = acc[best].n ? acc[best].n : 1;
        *rmsse = acc[best].a / k;
        *pin90 = acc[best].b / k;
    }
done:
    if (fo)
        fclose(fo);
    free(vbuf);
    free(autor);
    free(paths);
    sco__fc_set_fini(&set);
    bench_table_fini(&t);
    return rc;
}

/* ---- M4 --------------------------------------------------------------------------------- */
static const enum sco__fc_method m4_cand[] = { SCO__FC_NAIVE, SCO__FC_SES, SCO__FC_HOLT,
                                               SCO__FC_THETA, SCO__FC_COMBO };
#define M4_NM (int)SCO_COUNT(m4_cand)
enum { M4_STAT = M4_NM, M4_MODEL, M4_AUTO, M4_N };

static int run_m4(const char *dir, const char *out, const struct bopts *bo, double *owa,
                  double *mase, double *smape, struct sco_err *err)
{
    struct bench_table tr = { 0 }, te = { 0 };
    struct bench_series *str = NULL, *ste = NULL;
    size_t ntr = 0, nte = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/m4_weekly_dev/train.csv", dir);
    int rc = bench_read_long(path, "t", &tr, err);
    snprintf(path, sizeof path, "%s/m4_weekly_dev/test.csv", dir);
    if (!rc)
        rc = bench_read_long(path, "t", &te, err);
    if (!rc)
        rc = bench_group(&tr, &str, &ntr, err);
    if (!rc)
        rc = bench_group(&te, &ste, &nte, err);
    FILE *fo = NULL;
    int H = 0;
    for (size_t i = 0; i < nte; i++)
        H = ste[i].n > H ? ste[i].n : H;
    if (!rc) {
        snprintf(path, sizeof path, "%s/m4_forecasts.csv", out);
        fo = fopen(path, "w");
        if (!fo)
            rc = sco_err_set(err, SCO_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        else
            fprintf(fo, "method,series_id,t,actual,mean,q10,q50,q90,q95,q99\n");
    }
    /* the model sees every training series as one "set" on a common index: series are
     * right-aligned so that they all end where their test starts (t is per series) */
    struct sco__fc_set set = { 0 };
    struct sco__fc_model_result mres = { 0 };
    int maxn = 0;
    for (size_t j = 0; j < ntr; j++)
        maxn = str[j].n > maxn ? str[j].n : maxn;
    if (!rc && bo->model) {
        set.n = ntr;
        set.start = 0;
        set.end = maxn;
        set.s = calloc(ntr, sizeof *set.s);
        for (size_t j = 0; set.s && j < ntr; j++) {
            struct sco__fc_series *s = &set.s[j];
            s->sku = str[j].id;
            s->warehouse = (char *)"";
            s->start = 0;
            s->n = maxn;
            s->first = maxn - str[j].n;
            s->y = calloc((size_t)maxn, sizeof *s->y);
            if (s->y)
                memcpy(s->y + s->first, str[j].y, (size_t)str[j].n * sizeof *s->y);
        }
        struct sco__fc_feat feat;
        rc = sco__fc_feat_init(&feat, &set, H, 1, err);
        struct sco__fc_model_opts mo = {
            .h = H, .window = 52, .hidden = 256, .epochs = bo->epochs, .fine_tune_epochs = 3,
            .samples_per_epoch = bo->samples, .batch = 256, .lr = bo->lr, .seed = bo->seed,
            .loss = SCO__FC_LOSS_MAE, .nonneg = false, .bt_windows = 1, .bt_length = H,
        };
        double t0 = now_s();
        if (!rc)
            rc = sco__fc_model_run(sco_runtime_api_table(), bo->R, &set, &feat, &mo, &mres, err);
        if (!rc)
            fprintf(stderr, "M4 model: %s, %.1f s\n", mres.summary, now_s() - t0);
        sco__fc_feat_fini(&feat);
    }
    struct acc acc[M4_N];
    memset(acc, 0, sizeof acc);
    int chosen[SCO__FC_N_METHODS] = { 0 };
    /* statistical choice per series, and its and the model's RMSSE on the last training
     * window (the model was trained before it): the plugin's rule, pooled default first */
    enum sco__fc_method *stat_c = calloc(nte ? nte : 1, sizeof *stat_c);
    double *rs = calloc(nte ? nte : 1, sizeof *rs), *rmod = calloc(nte ? nte : 1, sizeof *rmod);
    double pool_s = 0, pool_m = 0;
    if (!rc && (!stat_c || !rs || !rmod))
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nte && !rc; i++) {
        struct bench_series *b = NULL;
        size_t bj = 0;
        for (size_t j = 0; j < ntr; j++)
            if (!strcmp(str[j].id, ste[i].id))
                b = &str[j], bj = j;
        if (!b)
            continue;
        int h = ste[i].n;
        struct sco__fc_opts o = { .h = h, .period = 1, .nonneg = false,
                                  .seed = sco__fc_hash(ste[i].id, bo->seed) };
        struct sco__fc_choice ch;
        rc = sco__fc_choose(b->y, b->n, m4_cand, M4_NM, 3, h, &o, SCO__FC_COMBO, &ch, NULL, err);
        stat_c[i] = ch.method;
        if (rc || !bo->model)
            continue;
        double *m1 = malloc((size_t)h * sizeof *m1);
        struct sco__fc_out f1 = { m1, NULL };
        rc = m1 ? sco__fc_stat(ch.method, b->y, b->n - h, &o, &f1, err) : SCO_ERR_NOMEM;
        if (!rc) {
            rs[i] = sco__fc_rmsse(b->y + b->n - h, m1, h, b->y, b->n - h);
            rmod[i] = sco__fc_rmsse(b->y + b->n - h, mres.means.bt + bj * (size_t)h, h, b->y,
                                    b->n - h);
            if (isfinite(rs[i]) && isfinite(rmod[i]))
                pool_s += rs[i], pool_m += rmod[i];
        }
        free(m1);
    }
    bool model_dflt = pool_m < pool_s;
    if (bo->model)
        fprintf(stderr, "M4 pooled default: %s (mean rmsse model %.3f, statistical %.3f)\n",
                model_dflt ? "model" : "statistical", pool_m / (nte ? nte : 1),
                pool_s / (nte ? nte : 1));
    for (size_t i = 0; i < nte && !rc; i++) {
        struct bench_series *a = &ste[i], *b = NULL;
        size_t bj = 0;
        for (size_t j = 0; j < ntr; j++)
            if (!strcmp(str[j].id, a->id))
                b = &str[j], bj = j;
        if (!b) {
            rc = sco_err_set(err, SCO_ERR_DATA, "test series '%s' has no training data", a->id);
            break;
        }
        int h = a->n;
        double *mean = malloc((size_t)H * sizeof *mean);
        double *paths = malloc((size_t)bo->n_paths * H * sizeof *paths);
        double *q = malloc((size_t)NQ * H * sizeof *q);
        struct sco__fc_opts o = { .h = h, .period = 1, .n_paths = bo->n_paths, .nonneg = false,
                                  .seed = sco__fc_hash(a->id, bo->seed) };
        enum sco__fc_method stat_m = SCO__FC_COMBO;
        for (int mi = 0; mi < M4_N && !rc; mi++) {
            enum sco__fc_method m;
            if (mi < M4_NM) {
                m = m4_cand[mi];
            } else if (mi == M4_STAT) {
                m = stat_m = stat_c[i];
                if (!bo->model)
                    chosen[m]++;
            } else if (!bo->model) {
                continue;
            } else if (mi == M4_MODEL) {
                m = SCO__FC_MODEL;
            } else {
                /* the pooled default, unless this series' other option is 10% better */
                bool model = model_dflt ? !(rs[i] < (1.0 - SCO__FC_MARGIN) * rmod[i])
                                        : rmod[i] < (1.0 - SCO__FC_MARGIN) * rs[i];
                m = model ? SCO__FC_MODEL : stat_m;
                chosen[m]++;
            }
            struct sco__fc_out f = { mean, paths };
            if (!rc)
                rc = sco__fc_stat(m == SCO__FC_MODEL ? stat_m : m, b->y, b->n, &o, &f, err);
            if (rc)
                break;
            if (m == SCO__FC_MODEL) /* paths of the statistical choice, re-centred */
                for (int k = 0; k < h; k++) {
                    double d = mres.means.fc[bj * (size_t)H + (size_t)k] - mean[k];
                    for (int p = 0; p < bo->n_paths; p++)
                        paths[(size_t)p * h + (size_t)k] += d;
                    mean[k] += d;
                }
            sco__fc_path_quantiles(paths, bo->n_paths, h, qlev, NQ, false, q);
            double sm = sco__fc_smape(a->y, mean, h), ms = sco__fc_mase(a->y, mean, h, b->y, b->n);
            acc[mi].a += sm;
            acc[mi].b += ms;
            acc[mi].n++;
            const char *mname = mi < M4_NM ? sco__fc_method_name(m)
                                : mi == M4_STAT ? "stat-auto" : mi == M4_MODEL ? "model" : "auto";
            for (int k = 0; k < h; k++) {
                fprintf(fo, "%s,%s,%d,%g,%.4f", mname, a->id, (int)a->t0 + k, a->y[k], mean[k]);
                for (int j = 0; j < NQ; j++)
                    fprintf(fo, ",%.4f", q[j * h + k]);
                fputc('\n', fo);
            }
        }
        free(mean);
        free(paths);
        free(q);
    }
    if (fo && fclose(fo) && !rc)
        rc = sco_err_set(err, SCO_ERR_IO, "cannot write '%s'", path);
    if (!rc) {
        int k = acc[0].n ? acc[0].n : 1;
        double sn = acc[0].a / k, mn = acc[0].b / k;
        fprintf(stderr, "M4 Weekly %zu series, horizon %d\n  %-12s %8s %8s %8s\n", nte, H,
                "method", "smape", "mase", "owa");
        for (int mi = 0; mi < M4_N; mi++) {
            if (!acc[mi].n)
                continue;
            fprintf(stderr, "  %-12s %8.3f %8.3f %8.3f\n",
                    mi < M4_NM ? sco__fc_method_name(m4_cand[mi])
                    : mi == M4_STAT ? "stat-auto" : mi == M4_MODEL ? "model" : "auto",
                    acc[mi].a / k, acc[mi].b / k,
                    sco__fc_owa(acc[mi].a / k, acc[mi].b / k, sn, mn));
        }
        fprintf(stderr, "  %s chose:", bo->model ? "auto" : "stat-auto");
        for (int m = 0; m < SCO__FC_N_METHODS; m++)
            if (chosen[m])
                fprintf(stderr, " %s=%d", sco__fc_method_name(m), chosen[m]);
        fputc('\n', stderr);
        int best = bo->model ? M4_AUTO : M4_STAT;
        *smape = acc[best].a / k;
        *mase = acc[best].b / k;
        *owa = sco__fc_owa(*smape, *mase, sn, mn);
    }
    free(stat_c);
    free(rs);
    free(rmod);
    for (size_t j = 0; set.s && j < set.n; j++)
        free(set.s[j].y);
    free(set.s);
    sco__fc_model_result_fini(&mres);
    bench_series_free(str, ntr);
    bench_series_free(ste, nte);
    bench_table_fini(&tr);
    bench_table_fini(&te);
    return rc;
}

int main(int argc, char **argv)
{
    const char *data = NULL, *out = NULL, *device = "cpu";
    int n_paths = 500, speed = 0, speed_threads = 1;
    uint64_t seed = 42;
    struct bopts bo = { .model = true, .epochs = 20, .samples = 8192, .threads = 1,
                        .window = 56, .loss = SCO__FC_LOSS_TWEEDIE, .cal_channels = true,
                        .lr = 1e-3f };
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc)
            data = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--paths") && i + 1 < argc)
            n_paths = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--m5-only"))
            bo.m5_only = true;
        else if (!strcmp(argv[i], "--m4-only"))
            bo.m4_only = true;
        else if (!strcmp(argv[i], "--window") && i + 1 < argc)
            bo.window = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--loss") && i + 1 < argc)
            sco__fc_loss_parse(argv[++i], &bo.loss);
        else if (!strcmp(argv[i], "--lr") && i + 1 < argc)
            bo.lr = strtof(argv[++i], NULL);
        else if (!strcmp(argv[i], "--no-calendar-channels"))
            bo.cal_channels = false;
        else if (!strcmp(argv[i], "--no-model"))
            bo.model = false;
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc)
            bo.epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
            bo.samples = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            bo.threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--speed") && i + 1 < argc)
            speed = 1, speed_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--device") && i + 1 < argc)
            device = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, USAGE);
            return 64;
        }
    }
    if (!speed && (!data || !out)) {
        fprintf(stderr, USAGE);
        return 64;
    }
    struct sco_err err = { 0 };
    if (speed) {
        struct sco_runtime *R;
        struct sco_runtime_opts ro = { .device = "cpu", .threads = speed_threads, .seed = seed };
        if (sco_runtime_create(&ro, &R, &err)) {
            fprintf(stderr, "fc-bench: %s\n", err.msg);
            return 1;
        }
        double cps = NAN;
        double sps = sco__fc_mlp_speed(sco_runtime_api_table(), R, 63, 256, 56, 256, 400, &cps,
                                       &err);
        sco_runtime_destroy(R);
        if (sps < 0) {
            fprintf(stderr, "fc-bench: %s\n", err.msg);
            return 1;
        }
        printf("forecast-speed: mlp=63-256-256-56 batch=256 threads=%d samples_per_s=%.0f "
               "samples_per_cpu_s=%.0f\n",
               speed_threads, sps, cps);
        return 0;
    }
    double t0 = now_s();
    double rmsse = NAN, pin = NAN, owa = NAN, mase = NAN, smape = NAN;
    bo.n_paths = n_paths;
    bo.seed = seed;
    int rc = 0;
    if (bo.model) {
        struct sco_runtime_opts ro = { .device = device, .threads = bo.threads, .seed = seed };
        rc = sco_runtime_create(&ro, &bo.R, &err);
        if (!rc)
            fprintf(stderr, "runtime: %s backend\n", sco_runtime_device(bo.R));
    }
    if (!rc && !bo.m4_only)
        rc = run_m5(data, out, &bo, &rmsse, &pin, &err);
    if (!rc && !bo.m5_only)
        rc = run_m4(data, out, &bo, &owa, &mase, &smape, &err);
    sco_runtime_destroy(bo.R);
    if (rc) {
        fprintf(stderr, "fc-bench: %s\n", err.msg);
        return 1;
    }
    printf("forecast: m5_rmsse=%.4f m5_pinball90=%.4f m4_weekly_owa=%.4f m4_weekly_mase=%.4f "
           "m4_weekly_smape=%.4f seconds=%.1f\n",
           rmsse, pin, owa, mase, smape, now_s() - t0);
    return 0;
}
