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

/* ---- M5 --------------------------------------------------------------------------------- */
static const enum sco__fc_method m5_cand[] = { SCO__FC_SNAIVE, SCO__FC_SES_S, SCO__FC_HW,
                                               SCO__FC_TSB, SCO__FC_CROSTON, SCO__FC_COMBO };
#define M5_NM (int)SCO_COUNT(m5_cand)

static int run_m5(const char *dir, const char *out, int n_paths, uint64_t seed, double *rmsse,
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
    if (!fo) {
        rc = sco_err_set(err, SCO_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        goto done;
    }
    fprintf(fo, "method,series_id,window,date,actual,mean,q10,q50,q90,q95,q99\n");
    const int n_all = M5_NM + 1; /* + auto */
    struct acc acc[M5_NM + 1];
    memset(acc, 0, sizeof acc);
    int n = (int)(set.end - set.start);
    double mean[M5_H], *paths = malloc((size_t)n_paths * M5_H * sizeof *paths);
    double q[NQ * M5_H];
    int chosen[SCO__FC_N_METHODS] = { 0 };
    for (size_t si = 0; si < set.n && !rc; si++) {
        const struct sco__fc_series *s = &set.s[si];
        for (int w = M5_WINDOWS; w >= 1 && !rc; w--) {
            int cut = n - w * M5_H;
            const double *act = s->y + cut;
            int first = 0;
            while (first < cut && s->y[first] == 0)
                first++;
            if (!isfinite(sco__fc_scale_mse(s->y, cut)) || !isfinite(sco__fc_scale_mae(s->y, cut)))
                continue;
            struct sco__fc_opts o = { .h = M5_H, .period = 7, .n_paths = n_paths,
                                      .nonneg = true,
                                      .seed = sco__fc_hash(s->sku, seed) + (uint64_t)w };
            for (int mi = 0; mi < n_all && !rc; mi++) {
                enum sco__fc_method m;
                if (mi < M5_NM) {
                    m = m5_cand[mi];
                } else {
                    struct sco__fc_choice ch;
                    rc = sco__fc_choose(s->y + first, cut - first, m5_cand, M5_NM, 3, M5_H, &o,
                                        SCO__FC_COMBO, &ch, NULL, err);
                    m = ch.method;
                    chosen[m]++;
                }
                struct sco__fc_out fo2 = { mean, paths };
                if (!rc)
                    rc = sco__fc_stat(m, s->y + first, cut - first, &o, &fo2, err);
                if (rc)
                    break;
                sco__fc_path_quantiles(paths, n_paths, M5_H, qlev, NQ, false, q);
                acc[mi].a += sco__fc_rmsse(act, mean, M5_H, s->y, cut);
                acc[mi].b += sco__fc_spinball(act, q + IQ90 * M5_H, M5_H, 0.9, s->y, cut);
                acc[mi].c += sco__fc_mase(act, mean, M5_H, s->y, cut);
                acc[mi].d += sco__fc_coverage(act, q + IQ90 * M5_H, M5_H);
                acc[mi].n++;
                const char *mname = mi < M5_NM ? sco__fc_method_name(m) : "auto";
                for (int k = 0; k < M5_H; k++) {
                    char ds[48];
                    bench_date_str(set.start + cut + k, ds);
                    fprintf(fo, "%s,%s,%d,%s,%g,%.4f", mname, s->sku, M5_WINDOWS + 1 - w, ds,
                            act[k], mean[k]);
                    for (int j = 0; j < NQ; j++)
                        fprintf(fo, ",%.4f", q[j * M5_H + k]);
                    fputc('\n', fo);
                }
            }
        }
    }
    free(paths);
    if (fclose(fo) && !rc)
        rc = sco_err_set(err, SCO_ERR_IO, "cannot write '%s'", path);
    if (!rc) {
        fprintf(stderr, "M5 %zu series x %d windows of %d days (%d series-windows scored)\n",
                set.n, M5_WINDOWS, M5_H, acc[0].n);
        fprintf(stderr, "  %-12s %8s %8s %10s %8s\n", "method", "rmsse", "mase", "pinball90",
                "cov90");
        for (int mi = 0; mi < n_all; mi++) {
            const char *nm = mi < M5_NM ? sco__fc_method_name(m5_cand[mi]) : "auto";
            int k = acc[mi].n ? acc[mi].n : 1;
            fprintf(stderr, "  %-12s %8.4f %8.4f %10.4f %8.3f\n", nm, acc[mi].a / k,
                    acc[mi].c / k, acc[mi].b / k, acc[mi].d / k);
        }
        fprintf(stderr, "  auto chose:");
        for (int m = 0; m < SCO__FC_N_METHODS; m++)
            if (chosen[m])
                fprintf(stderr, " %s=%d", sco__fc_method_name(m), chosen[m]);
        fputc('\n', stderr);
        int k = acc[M5_NM].n ? acc[M5_NM].n : 1;
        *rmsse = acc[M5_NM].a / k;
        *pin90 = acc[M5_NM].b / k;
    }
done:
    sco__fc_set_fini(&set);
    bench_table_fini(&t);
    return rc;
}

/* ---- M4 --------------------------------------------------------------------------------- */
static const enum sco__fc_method m4_cand[] = { SCO__FC_NAIVE, SCO__FC_SES, SCO__FC_HOLT,
                                               SCO__FC_THETA, SCO__FC_COMBO };
#define M4_NM (int)SCO_COUNT(m4_cand)

static int run_m4(const char *dir, const char *out, int n_paths, uint64_t seed, double *owa,
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
    if (!rc) {
        snprintf(path, sizeof path, "%s/m4_forecasts.csv", out);
        fo = fopen(path, "w");
        if (!fo)
            rc = sco_err_set(err, SCO_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        else
            fprintf(fo, "method,series_id,t,actual,mean,q10,q50,q90,q95,q99\n");
    }
    const int n_all = M4_NM + 1;
    struct acc acc[M4_NM + 1];
    memset(acc, 0, sizeof acc);
    int chosen[SCO__FC_N_METHODS] = { 0 };
    for (size_t i = 0; i < nte && !rc; i++) {
        struct bench_series *a = &ste[i], *b = NULL;
        for (size_t j = 0; j < ntr; j++)
            if (!strcmp(str[j].id, a->id))
                b = &str[j];
        if (!b) {
            rc = sco_err_set(err, SCO_ERR_DATA, "test series '%s' has no training data", a->id);
            break;
        }
        int h = a->n;
        double *mean = malloc((size_t)h * sizeof *mean);
        double *paths = malloc((size_t)n_paths * h * sizeof *paths);
        double *q = malloc((size_t)NQ * h * sizeof *q);
        struct sco__fc_opts o = { .h = h, .period = 1, .n_paths = n_paths, .nonneg = false,
                                  .seed = sco__fc_hash(a->id, seed) };
        double sm_naive = 0, ms_naive = 0;
        for (int mi = 0; mi < n_all && !rc; mi++) {
            enum sco__fc_method m;
            if (mi < M4_NM) {
                m = m4_cand[mi];
            } else {
                struct sco__fc_choice ch;
                rc = sco__fc_choose(b->y, b->n, m4_cand, M4_NM, 3, h, &o, SCO__FC_COMBO, &ch,
                                    NULL, err);
                m = ch.method;
                chosen[m]++;
            }
            struct sco__fc_out f = { mean, paths };
            if (!rc)
                rc = sco__fc_stat(m, b->y, b->n, &o, &f, err);
            if (rc)
                break;
            sco__fc_path_quantiles(paths, n_paths, h, qlev, NQ, false, q);
            double sm = sco__fc_smape(a->y, mean, h), ms = sco__fc_mase(a->y, mean, h, b->y, b->n);
            if (mi == 0)
                sm_naive = sm, ms_naive = ms;
            (void)sm_naive, (void)ms_naive;
            acc[mi].a += sm;
            acc[mi].b += ms;
            acc[mi].n++;
            const char *mname = mi < M4_NM ? sco__fc_method_name(m) : "auto";
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
        fprintf(stderr, "M4 Weekly %zu series\n  %-12s %8s %8s %8s\n", nte, "method", "smape",
                "mase", "owa");
        for (int mi = 0; mi < n_all; mi++)
            fprintf(stderr, "  %-12s %8.3f %8.3f %8.3f\n",
                    mi < M4_NM ? sco__fc_method_name(m4_cand[mi]) : "auto", acc[mi].a / k,
                    acc[mi].b / k, sco__fc_owa(acc[mi].a / k, acc[mi].b / k, sn, mn));
        fprintf(stderr, "  auto chose:");
        for (int m = 0; m < SCO__FC_N_METHODS; m++)
            if (chosen[m])
                fprintf(stderr, " %s=%d", sco__fc_method_name(m), chosen[m]);
        fputc('\n', stderr);
        *smape = acc[M4_NM].a / k;
        *mase = acc[M4_NM].b / k;
        *owa = sco__fc_owa(*smape, *mase, sn, mn);
    }
    bench_series_free(str, ntr);
    bench_series_free(ste, nte);
    bench_table_fini(&tr);
    bench_table_fini(&te);
    return rc;
}

int main(int argc, char **argv)
{
    const char *data = NULL, *out = NULL;
    int n_paths = 500, speed = 0, speed_threads = 1;
    uint64_t seed = 42;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc)
            data = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--paths") && i + 1 < argc)
            n_paths = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--speed") && i + 1 < argc)
            speed = 1, speed_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: fc-bench --data DIR --out DIR [--paths N] [--seed S]\n");
            return 64;
        }
    }
    if (!speed && (!data || !out)) {
        fprintf(stderr, "usage: fc-bench --data DIR --out DIR [--paths N] [--seed S]\n");
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
        double sps = sco__fc_mlp_speed(sco_runtime_api_table(), R, 63, 256, 56, 256, 400, &err);
        sco_runtime_destroy(R);
        if (sps < 0) {
            fprintf(stderr, "fc-bench: %s\n", err.msg);
            return 1;
        }
        printf("forecast-speed: mlp=63-256-256-56 batch=256 threads=%d samples_per_s=%.0f\n",
               speed_threads, sps);
        return 0;
    }
    double t0 = now_s();
    double rmsse = NAN, pin = NAN, owa = NAN, mase = NAN, smape = NAN;
    int rc = run_m5(data, out, n_paths, seed, &rmsse, &pin, &err);
    if (!rc)
        rc = run_m4(data, out, n_paths, seed, &owa, &mase, &smape, &err);
    if (rc) {
        fprintf(stderr, "fc-bench: %s\n", err.msg);
        return 1;
    }
    printf("forecast: m5_rmsse=%.4f m5_pinball90=%.4f m4_weekly_owa=%.4f m4_weekly_mase=%.4f "
           "m4_weekly_smape=%.4f seconds=%.1f\n",
           rmsse, pin, owa, mase, smape, now_s() - t0);
    return 0;
}
