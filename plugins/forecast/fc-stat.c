/* fc-stat.c: statistical forecasting methods with sample paths.
 *
 * Every method is written as a state-space recursion in error-correction form, so the same
 * code fits it (one-step errors, sum of squares) and simulates it: sample paths run the
 * recursion forward with one-step residuals drawn from the fit (bootstrap), clipped at zero
 * for demand. Quantiles of daily and of cumulative demand then come from the same paths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sco/sco-plugin.h>

#include "fc.h"

static const char *const method_names[SCO__FC_N_METHODS] = {
    "naive", "snaive", "ses",   "holt",  "hw",       "ses_s", "theta", "croston_sba",
    "tsb",   "adida",  "combo",
    "model", "ensemble",
};

const char *sco__fc_method_name(enum sco__fc_method m)
{
    return (unsigned)m < SCO__FC_N_METHODS ? method_names[m] : "?";
}

int sco__fc_method_parse(const char *name)
{
    for (int i = 0; i < SCO__FC_N_METHODS; i++)
        if (!strcmp(name, method_names[i]))
            return i;
    return -1;
}

/* ---- Nelder-Mead on a box (logistic transform) -------------------------------------------- */
#define NM_MAX 5

typedef double obj_fn(const double *p, void *ud);

static double squash(double u, double lo, double hi) { return lo + (hi - lo) / (1.0 + exp(-u)); }

static double unsquash(double p, double lo, double hi)
{
    double r = (p - lo) / (hi - lo);
    r = r < 1e-6 ? 1e-6 : r > 1 - 1e-6 ? 1 - 1e-6 : r;
    return log(r / (1 - r));
}

struct nm_box {
    int d;
    const double *lo, *hi;
    obj_fn *f;
    void *ud;
};

static double nm_eval(const struct nm_box *b, const double *u)
{
    double p[NM_MAX];
    for (int i = 0; i < b->d; i++)
        p[i] = squash(u[i], b->lo[i], b->hi[i]);
    double v = b->f(p, b->ud);
    return isfinite(v) ? v : HUGE_VAL;
}

/* Minimises f over the box from start p (in and out), at most max_eval evaluations. */
static double nelder_mead(const struct nm_box *b, double *p, int max_eval)
{
    int d = b->d;
    double x[NM_MAX + 1][NM_MAX], fx[NM_MAX + 1], c[NM_MAX], r[NM_MAX], e[NM_MAX];
    for (int i = 0; i < d; i++)
        x[0][i] = unsquash(p[i], b->lo[i], b->hi[i]);
    fx[0] = nm_eval(b, x[0]);
    for (int k = 1; k <= d; k++) {
        memcpy(x[k], x[0], sizeof x[0]);
        x[k][k - 1] += 1.0;
        fx[k] = nm_eval(b, x[k]);
    }
    int evals = d + 1;
    while (evals < max_eval) {
        /* order: best first */
        for (int i = 1; i <= d; i++)
            for (int j = i; j > 0 && fx[j] < fx[j - 1]; j--) {
                double t = fx[j];
                fx[j] = fx[j - 1];
                fx[j - 1] = t;
                for (int k = 0; k < d; k++) {
                    t = x[j][k];
                    x[j][k] = x[j - 1][k];
                    x[j - 1][k] = t;
                }
            }
        if (fabs(fx[d] - fx[0]) <= 1e-10 * (fabs(fx[0]) + 1e-12))
            break;
        for (int k = 0; k < d; k++) {
            c[k] = 0;
            for (int i = 0; i < d; i++)
                c[k] += x[i][k] / d;
        }
        for (int k = 0; k < d; k++)
            r[k] = c[k] + (c[k] - x[d][k]);
        double fr = nm_eval(b, r);
        evals++;
        if (fr < fx[0]) {
            for (int k = 0; k < d; k++)
                e[k] = c[k] + 2.0 * (c[k] - x[d][k]);
            double fe = nm_eval(b, e);
            evals++;
            if (fe < fr) {
                memcpy(x[d], e, sizeof e);
                fx[d] = fe;
            } else {
                memcpy(x[d], r, sizeof r);
                fx[d] = fr;
            }
        } else if (fr < fx[d - 1]) {
            memcpy(x[d], r, sizeof r);
            fx[d] = fr;
        } else {
            bool outside = fr < fx[d];
            for (int k = 0; k < d; k++)
                e[k] = outside ? c[k] + 0.5 * (r[k] - c[k]) : c[k] + 0.5 * (x[d][k] - c[k]);
            double fc = nm_eval(b, e);
            evals++;
            if (fc < (outside ? fr : fx[d])) {
                memcpy(x[d], e, sizeof e);
                fx[d] = fc;
            } else {
                for (int i = 1; i <= d; i++) {
                    for (int k = 0; k < d; k++)
                        x[i][k] = x[0][k] + 0.5 * (x[i][k] - x[0][k]);
                    fx[i] = nm_eval(b, x[i]);
                }
                evals += d;
            }
        }
    }
    int best = 0;
    for (int i = 1; i <= d; i++)
        if (fx[i] < fx[best])
            best = i;
    for (int i = 0; i < d; i++)
        p[i] = squash(x[best][i], b->lo[i], b->hi[i]);
    return fx[best];
}

/* ---- Additive exponential smoothing (ANN, AAdN, ANA, AAdA) ---------------------------------
 *   yhat_t = l + phi b + s[t mod m]        e_t = y_t - yhat_t
 *   l <- l + phi b + alpha e,  b <- phi b + beta e,  s[t mod m] <- s[t mod m] + gamma e
 * with beta = alpha u and gamma = (1 - alpha) v (u, v in [0, 1]) for a stable model. */
#define MAXM 64

struct ets {
    bool trend, season;
    int m;
    double alpha, beta, gamma, phi;
    double l, b, s[MAXM];
    double drift; /* theta: added to every forecast step */
};

static void ets_init(struct ets *e, const double *y, int n)
{
    int m = e->season ? e->m : 1;
    int k = n < m ? n : m;
    double mean = 0;
    for (int i = 0; i < k; i++)
        mean += y[i] / k;
    e->l = e->season ? mean : y[0];
    e->b = 0;
    if (e->trend && e->season && n >= 2 * m) {
        double m2 = 0;
        for (int i = m; i < 2 * m; i++)
            m2 += y[i] / m;
        e->b = (m2 - mean) / m;
    }
    memset(e->s, 0, sizeof e->s);
    if (e->season)
        for (int i = 0; i < k; i++)
            e->s[i] = y[i] - mean;
}

/* One-step fit from t = 0; returns SSE and stores residuals when res != NULL. */
static double ets_run(struct ets *e, const double *y, int n, double *res)
{
    ets_init(e, y, n);
    double sse = 0;
    int m = e->season ? e->m : 1;
    for (int t = 0; t < n; t++) {
        double st = e->season ? e->s[t % m] : 0;
        double yhat = e->l + e->phi * e->b + st;
        double err = y[t] - yhat;
        sse += err * err;
        if (res)
            res[t] = err;
        e->l = e->l + e->phi * e->b + e->alpha * err;
        e->b = e->phi * e->b + e->beta * err;
        if (e->season)
            e->s[t % m] = st + e->gamma * err;
    }
    return sse;
}

struct ets_fit_ud {
    struct ets *e;
    const double *y;
    int n;
};

static double ets_obj(const double *p, void *ud)
{
    struct ets_fit_ud *u = ud;
    struct ets *e = u->e;
    int k = 0;
    e->alpha = p[k++];
    e->beta = e->trend ? e->alpha * p[k++] : 0;
    e->gamma = e->season ? (1 - e->alpha) * p[k++] : 0;
    e->phi = e->trend ? p[k++] : 0;
    return ets_run(e, u->y, u->n, NULL);
}

/* Fits the smoothing parameters by least squares (the Gaussian likelihood's minimiser for
 * fixed initial states); returns the AIC n log(SSE / n) + 2 k. */
static double ets_fit(struct ets *e, const double *y, int n)
{
    double lo[4], hi[4], p[4];
    int d = 0;
    lo[d] = 1e-4, hi[d] = 0.9999, p[d++] = 0.2;
    if (e->trend)
        lo[d] = 0, hi[d] = 1, p[d++] = 0.1;
    if (e->season)
        lo[d] = 0, hi[d] = 1, p[d++] = 0.1;
    if (e->trend)
        lo[d] = 0.8, hi[d] = 0.98, p[d++] = 0.9;
    struct ets_fit_ud ud = { e, y, n };
    struct nm_box box = { d, lo, hi, ets_obj, &ud };
    double sse = nelder_mead(&box, p, 60 * d);
    ets_obj(p, &ud);
    if (n <= 0)
        return HUGE_VAL;
    return n * log(sse / n + 1e-12) + 2.0 * (d + 1);
}

/* Point forecast of k = 1..h steps past the end of the fitted data (state after ets_run). */
static void ets_mean(const struct ets *e, int n, int h, double *mean)
{
    double phik = 0, ph = 1;
    int m = e->season ? e->m : 1;
    for (int k = 1; k <= h; k++) {
        ph *= e->phi;
        phik += ph;
        double st = e->season ? e->s[(n + k - 1) % m] : 0;
        mean[k - 1] = e->l + phik * e->b + st + e->drift * k;
    }
}

/* Sample paths: run the recursion with bootstrapped residuals (the last `pool` of them). */
static void ets_paths(const struct ets *e0, int n, int h, const double *res, int n_res,
                      const struct sco__fc_opts *o, struct sco__fc_rng *rng, double *paths)
{
    int m = e0->season ? e0->m : 1;
    for (int p = 0; p < o->n_paths; p++) {
        struct ets e = *e0;
        for (int k = 0; k < h; k++) {
            int t = n + k;
            double st = e.season ? e.s[t % m] : 0;
            double yhat = e.l + e.phi * e.b + st + e.drift * (k + 1);
            double err = n_res > 0 ? res[sco__fc_rng_next(rng) % (uint64_t)n_res] : 0;
            double y = yhat + err;
            if (o->nonneg && y < 0)
                y = 0;
            err = y - yhat;
            paths[(size_t)p * h + k] = y;
            e.l = e.l + e.phi * e.b + e.alpha * err;
            e.b = e.phi * e.b + e.beta * err;
            if (e.season)
                e.s[t % m] = st + e.gamma * err;
        }
    }
}

/* ---- Intermittent demand: Croston-SBA and TSB -------------------------------------------
 * TSB:  p <- p + beta (o_t - p) every period (o_t = 1 when y_t > 0), z <- z + alpha (y_t - z)
 *       on demand periods; forecast p z.
 * SBA:  z and the interval x are smoothed on demand periods only (alpha = 0.1); forecast
 *       (1 - alpha / 2) z / x. */
struct inter {
    bool tsb;
    double alpha, beta;
    double z, p; /* p: probability (TSB) or 1 / interval (SBA) */
    double x;
};

static double inter_run(struct inter *it, const double *y, int n)
{
    int nz = 0, first = -1;
    double zsum = 0;
    for (int t = 0; t < n; t++)
        if (y[t] > 0) {
            if (first < 0)
                first = t;
            nz++;
            zsum += y[t];
        }
    it->z = nz ? zsum / nz : 0;
    it->p = n ? (double)nz / n : 0;
    it->x = nz ? (double)n / nz : 1;
    double sse = 0;
    int since = 0;
    for (int t = 0; t < n; t++) {
        double f = it->tsb ? it->p * it->z : (it->x > 0 ? it->z / it->x : 0);
        sse += (y[t] - f) * (y[t] - f);
        since++;
        if (it->tsb) {
            it->p += it->beta * ((y[t] > 0) - it->p);
            if (y[t] > 0)
                it->z += it->alpha * (y[t] - it->z);
        } else if (y[t] > 0) {
            it->z += it->alpha * (y[t] - it->z);
            it->x += it->alpha * (since - it->x);
            since = 0;
        }
    }
    if (!it->tsb)
        it->p = it->x > 0 ? 1.0 / it->x : 0;
    return sse;
}

static void inter_fit(struct inter *it, const double *y, int n)
{
    if (!it->tsb) {
        it->alpha = 0.1;
        inter_run(it, y, n);
        return;
    }
    static const double ga[] = { 0.02, 0.05, 0.1, 0.2, 0.3 };
    static const double gb[] = { 0.01, 0.02, 0.05, 0.1, 0.2 };
    double best = HUGE_VAL, ba = 0.1, bb = 0.05;
    for (size_t i = 0; i < SCO_COUNT(ga); i++)
        for (size_t j = 0; j < SCO_COUNT(gb); j++) {
            it->alpha = ga[i];
            it->beta = gb[j];
            double s = inter_run(it, y, n);
            if (s < best)
                best = s, ba = ga[i], bb = gb[j];
        }
    it->alpha = ba;
    it->beta = bb;
    inter_run(it, y, n);
}

static double inter_level(const struct inter *it)
{
    return it->tsb ? it->p * it->z : (1.0 - it->alpha / 2) * it->z * it->p;
}

/* Paths: demand occurs with probability p, sizes are recent non-zero demands rescaled to the
 * current size level z; TSB keeps updating p and z along the path. */
static void inter_paths(const struct inter *it0, const double *y, int n, int h,
                        const struct sco__fc_opts *o, struct sco__fc_rng *rng, double *paths)
{
    double sizes[256];
    int ns = 0;
    for (int t = n - 1; t >= 0 && ns < (int)SCO_COUNT(sizes); t--)
        if (y[t] > 0)
            sizes[ns++] = y[t];
    double ms = 0;
    for (int i = 0; i < ns; i++)
        ms += sizes[i] / ns;
    double shrink = it0->tsb ? 1.0 : 1.0 - it0->alpha / 2;
    for (int p = 0; p < o->n_paths; p++) {
        struct inter it = *it0;
        for (int k = 0; k < h; k++) {
            bool occ = sco__fc_rng_unif(rng) < it.p;
            double v = 0;
            if (occ && ns > 0)
                v = sizes[sco__fc_rng_next(rng) % (uint64_t)ns] * (it.z / ms) * shrink;
            paths[(size_t)p * h + k] = v;
            if (it.tsb) {
                it.p += it.beta * (occ - it.p);
                if (occ)
                    it.z += it.alpha * (v - it.z);
            }
        }
    }
}

/* ---- Weekday profile ---------------------------------------------------------------------- */
void sco__fc_profile(const double *y, int n, int m, int window, double *idx)
{
    for (int j = 0; j < m; j++)
        idx[j] = 1.0;
    if (m <= 1)
        return;
    int w = window < n ? window : n;
    w -= w % m;
    if (w < 2 * m)
        return;
    double sum[MAXM] = { 0 }, tot = 0;
    for (int t = n - w; t < n; t++) {
        sum[t % m] += y[t];
        tot += y[t];
    }
    if (tot <= 0)
        return;
    /* shrink towards flat: idx = (sum_j + k) / (mean + k), k = a pseudo-count of one unit */
    double mean = tot / m, k = (double)w / m * 0.5;
    for (int j = 0; j < m; j++)
        idx[j] = (sum[j] + k) / (mean + k);
}

int sco__fc_stalled(const double *y, int n)
{
    int z = 0;
    while (z < n && y[n - 1 - z] <= 0)
        z++;
    if (z < SCO__FC_STALL_MIN || z >= n)
        return 0;
    int w0 = n - z - SCO__FC_STALL_WINDOW > 0 ? n - z - SCO__FC_STALL_WINDOW : 0, sell = 0;
    for (int t = w0; t < n - z; t++)
        sell += y[t] > 0;
    double p = (double)sell / (n - z - w0);
    return pow(1.0 - p, z) < SCO__FC_STALL_P ? z : 0;
}

/* ---- Dispatch ----------------------------------------------------------------------------- */
static void residual_pool(const double *res, int n, int keep, const double **p, int *np)
{
    int k = n < keep ? n : keep;
    *p = res + (n - k);
    *np = k;
}

static void fill_const(struct sco__fc_out *out, const struct sco__fc_opts *o, double v)
{
    for (int t = 0; t < o->h; t++)
        out->mean[t] = v;
    if (out->paths)
        for (size_t i = 0; i < (size_t)o->n_paths * o->h; i++)
            out->paths[i] = v;
}

static int stat_one(enum sco__fc_method m, const double *y, int n, const struct sco__fc_opts *o,
                    struct sco__fc_out *out, struct sco__fc_rng *rng, struct sco_err *err);

#ifndef COMBO_DAILY
#define COMBO_DAILY SCO__FC_TSB, SCO__FC_ADIDA, SCO__FC_HW
#endif

static int combo(const double *y, int n, const struct sco__fc_opts *o, struct sco__fc_out *out,
                 struct sco__fc_rng *rng, struct sco_err *err)
{
    static const enum sco__fc_method daily[] = { COMBO_DAILY };
    static const enum sco__fc_method other[] = { SCO__FC_SES, SCO__FC_HOLT, SCO__FC_THETA };
    const enum sco__fc_method *parts = o->period > 1 ? daily : other;
    int np_ = o->period > 1 ? (int)SCO_COUNT(daily) : (int)SCO_COUNT(other);
    int h = o->h, np = o->n_paths;
    double *mean = calloc((size_t)h, sizeof *mean);
    double *paths = np ? calloc((size_t)np * h, sizeof *paths) : NULL;
    if (!mean || (np && !paths)) {
        free(mean);
        free(paths);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for combo forecast");
    }
    for (int t = 0; t < h; t++)
        out->mean[t] = 0;
    int rc = 0;
    for (int c = 0; c < np_ && !rc; c++) {
        struct sco__fc_out part = { mean, paths };
        rc = stat_one(parts[c], y, n, o, &part, rng, err);
        for (int t = 0; t < h && !rc; t++)
            out->mean[t] += mean[t] / np_;
        /* mixture of the models' paths: path p comes from model p mod np_ */
        for (int p = c; p < np && !rc && out->paths; p += np_)
            memcpy(out->paths + (size_t)p * h, paths + (size_t)p * h, (size_t)h * sizeof *paths);
    }
    /* a daily demand series whose final run of zeros is improbable under its recent selling
     * rate has most likely left the assortment: forecast zero (sco__fc_stalled) */
    if (!rc && o->period > 1 && o->nonneg && sco__fc_stalled(y, n)) {
        for (int t = 0; t < h; t++)
            out->mean[t] = 0;
        if (out->paths)
            memset(out->paths, 0, (size_t)np * h * sizeof *out->paths);
    }
    free(mean);
    free(paths);
    return rc;
}

static int stat_one(enum sco__fc_method m, const double *y, int n, const struct sco__fc_opts *o,
                    struct sco__fc_out *out, struct sco__fc_rng *rng, struct sco_err *err)
{
    int h = o->h, per = o->period > 1 ? o->period : 1;
    if (per > MAXM)
        return sco_err_set(err, SCO_ERR_INVALID, "seasonal period %d is above %d", per, MAXM);
    if (n <= 0) {
        fill_const(out, o, 0.0);
        return 0;
    }
    if (n < 2 && m != SCO__FC_CROSTON && m != SCO__FC_TSB)
        m = SCO__FC_NAIVE;
    if ((m == SCO__FC_SNAIVE || m == SCO__FC_HW) && (per < 2 || n < 2 * per))
        m = m == SCO__FC_SNAIVE ? SCO__FC_NAIVE : SCO__FC_SES;
    double *res = malloc((size_t)n * sizeof *res);
    double *tmp = malloc((size_t)n * sizeof *tmp);
    if (!res || !tmp) {
        free(res);
        free(tmp);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for a series of %d days", n);
    }
    const double *pool;
    int npool;
    int rc = 0;
    switch (m) {
    case SCO__FC_NAIVE:
    case SCO__FC_SNAIVE: {
        int lag = m == SCO__FC_NAIVE ? 1 : per;
        int nr = 0;
        for (int t = lag; t < n; t++)
            res[nr++] = y[t] - y[t - lag];
        residual_pool(res, nr, 400, &pool, &npool);
        for (int k = 0; k < h; k++)
            out->mean[k] = y[n - lag + (k % lag)];
        for (int p = 0; out->paths && p < o->n_paths; p++) {
            double *row = out->paths + (size_t)p * h;
            for (int k = 0; k < h; k++) {
                double prev = k >= lag ? row[k - lag] : y[n - lag + k];
                double v = prev + (npool ? pool[sco__fc_rng_next(rng) % (uint64_t)npool] : 0);
                row[k] = o->nonneg && v < 0 ? 0 : v;
            }
        }
        break;
    }
    case SCO__FC_SES:
    case SCO__FC_HOLT:
    case SCO__FC_THETA: {
        struct ets e = { .trend = m == SCO__FC_HOLT, .m = 1 };
        ets_fit(&e, y, n);
        ets_run(&e, y, n, res);
        if (m == SCO__FC_THETA) {
            /* theta(0, 2): SES forecast plus half the OLS slope b, with the drift of the
             * SES-with-drift equivalence (Hyndman & Billah 2003) */
            double st = 0, sy = 0, stt = 0, sty = 0;
            for (int t = 0; t < n; t++)
                st += t, sy += y[t], stt += (double)t * t, sty += t * y[t];
            double den = n * stt - st * st;
            double b = den > 0 ? (n * sty - st * sy) / den : 0;
            double a = e.alpha;
            double c = 1.0 / a - pow(1 - a, n) / a;
            e.l += 0.5 * b * (c - 1);
            e.drift = 0.5 * b;
        }
        residual_pool(res, n, 400, &pool, &npool);
        ets_mean(&e, n, h, out->mean);
        if (out->paths)
            ets_paths(&e, n, h, pool, npool, o, rng, out->paths);
        break;
    }
    case SCO__FC_HW: {
        /* choose between no trend (ANA) and damped trend (AAdA) by AIC, as ets() would */
        struct ets a = { .season = true, .m = per }, b = a;
        b.trend = true;
        double aic_a = ets_fit(&a, y, n), aic_b = ets_fit(&b, y, n);
        struct ets *e = aic_b < aic_a ? &b : &a;
        ets_run(e, y, n, res);
        residual_pool(res, n, 400, &pool, &npool);
        ets_mean(e, n, h, out->mean);
        if (out->paths)
            ets_paths(e, n, h, pool, npool, o, rng, out->paths);
        break;
    }
    case SCO__FC_SES_S: {
        double idx[MAXM];
        sco__fc_profile(y, n, per, 16 * per, idx);
        for (int t = 0; t < n; t++)
            tmp[t] = y[t] / idx[t % per];
        struct ets e = { .m = 1 };
        ets_fit(&e, tmp, n);
        ets_run(&e, tmp, n, res);
        residual_pool(res, n, 400, &pool, &npool);
        ets_mean(&e, n, h, out->mean);
        for (int k = 0; k < h; k++)
            out->mean[k] *= idx[(n + k) % per];
        if (out->paths) {
            ets_paths(&e, n, h, pool, npool, o, rng, out->paths);
            for (int p = 0; p < o->n_paths; p++)
                for (int k = 0; k < h; k++)
                    out->paths[(size_t)p * h + k] *= idx[(n + k) % per];
        }
        break;
    }
    case SCO__FC_CROSTON:
    case SCO__FC_TSB: {
        struct inter it = { .tsb = m == SCO__FC_TSB };
        inter_fit(&it, y, n);
        double lv = inter_level(&it);
        for (int k = 0; k < h; k++)
            out->mean[k] = lv;
        if (out->paths)
            inter_paths(&it, y, n, h, o, rng, out->paths);
        break;
    }
    case SCO__FC_ADIDA: {
        /* ADIDA: non-overlapping period totals aligned to the end of the history, SES on the
         * totals, the forecast total split over the days by the weekday profile. Paths run the
         * SES recursion on totals with bootstrapped residuals, then split the same way. */
        int nb = n / per;
        if (nb < 3) {
            rc = stat_one(SCO__FC_SES_S, y, n, o, out, rng, err);
            break;
        }
        double idx[MAXM], isum = 0;
        sco__fc_profile(y, n, per, 16 * per, idx);
        for (int j = 0; j < per; j++)
            isum += idx[j];
        int off = n - nb * per;
        for (int b = 0; b < nb; b++) {
            tmp[b] = 0;
            for (int j = 0; j < per; j++)
                tmp[b] += y[off + b * per + j];
        }
        struct ets e = { .m = 1 };
        ets_fit(&e, tmp, nb);
        ets_run(&e, tmp, nb, res);
        residual_pool(res, nb, 200, &pool, &npool);
        int hb = (h + per - 1) / per;
        double tot[64];
        if (hb > 64)
            hb = 64;
        for (int k = 0; k < h; k++)
            out->mean[k] = e.l / isum * idx[(n + k) % per];
        for (int p = 0; out->paths && p < o->n_paths; p++) {
            struct ets sim = e;
            for (int b = 0; b < hb; b++) {
                double err2 = npool ? pool[sco__fc_rng_next(rng) % (uint64_t)npool] : 0;
                double v = sim.l + err2;
                if (o->nonneg && v < 0)
                    v = 0;
                tot[b] = v;
                sim.l += sim.alpha * (v - sim.l);
            }
            double *row = out->paths + (size_t)p * h;
            for (int k = 0; k < h; k++)
                row[k] = tot[k / per < hb ? k / per : hb - 1] / isum * idx[(n + k) % per];
            if (!o->nonneg)
                continue;
            /* demand: split each period's total over its days unit by unit (multinomial by
             * the profile), so that days vary within the period as counts do */
            for (int b = 0; b < hb; b++) {
                int k0 = b * per, k1 = k0 + per < h ? k0 + per : h;
                double share = 0, cum[MAXM];
                for (int k = k0; k < k1; k++)
                    cum[k - k0] = (share += idx[(n + k) % per] / isum);
                double units = floor(tot[b] * share + sco__fc_rng_unif(rng));
                if (units > 200) /* high volume: the relative spread is small anyway */
                    continue;
                for (int k = k0; k < k1; k++)
                    row[k] = 0;
                for (long u = 0; u < (long)units; u++) {
                    double r = sco__fc_rng_unif(rng) * share;
                    int k = k0;
                    while (k < k1 - 1 && cum[k - k0] < r)
                        k++;
                    row[k] += 1;
                }
            }
        }
        break;
    }
    case SCO__FC_COMBO:
        rc = combo(y, n, o, out, rng, err);
        break;
    case SCO__FC_MODEL:
    case SCO__FC_ENSEMBLE:
    case SCO__FC_N_METHODS:
        rc = sco_err_set(err, SCO_ERR_INVALID, "method '%s' is not a statistical method",
                         sco__fc_method_name(m));
        break;
    }
    if (!rc && o->nonneg)
        for (int k = 0; k < h; k++)
            if (out->mean[k] < 0)
                out->mean[k] = 0;
    free(res);
    free(tmp);
    return rc;
}

int sco__fc_stat(enum sco__fc_method m, const double *y, int n, const struct sco__fc_opts *o,
                 struct sco__fc_out *out, struct sco_err *err)
{
    if (o->h <= 0)
        return sco_err_set(err, SCO_ERR_INVALID, "horizon %d must be at least 1", o->h);
    struct sco__fc_rng rng;
    sco__fc_rng_seed(&rng, o->seed ^ (uint64_t)m * 0x9e3779b97f4a7c15ULL);
    struct sco__fc_out o2 = { out->mean, o->n_paths > 0 ? out->paths : NULL };
    return stat_one(m, y, n, o, &o2, &rng, err);
}

void sco__fc_round_paths(double *paths, int n_paths, int h, uint64_t seed)
{
    struct sco__fc_rng r;
    sco__fc_rng_seed(&r, seed ^ 0x726f756e64ULL);
    for (size_t i = 0; i < (size_t)n_paths * h; i++)
        paths[i] = floor(paths[i] + sco__fc_rng_unif(&r));
}

/* ---- Quantiles from paths ------------------------------------------------------------------ */
static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void sco__fc_path_quantiles(const double *paths, int n_paths, int h, const double *lev, int nq,
                            bool cumulative, double *q)
{
    double *col = malloc((size_t)(n_paths > 0 ? n_paths : 1) * sizeof *col);
    double *acc = calloc((size_t)(n_paths > 0 ? n_paths : 1), sizeof *acc);
    if (!col || !acc || n_paths <= 0) {
        for (int i = 0; i < nq * h; i++)
            q[i] = NAN;
        free(col);
        free(acc);
        return;
    }
    /* integer paths (count data) get integer quantiles: the inverse empirical CDF */
    bool discrete = true;
    for (size_t i = 0; discrete && i < (size_t)n_paths * h; i++)
        discrete = paths[i] == floor(paths[i]);
    for (int t = 0; t < h; t++) {
        for (int p = 0; p < n_paths; p++) {
            double v = paths[(size_t)p * h + t];
            acc[p] = cumulative ? acc[p] + v : v;
            col[p] = acc[p];
        }
        qsort(col, (size_t)n_paths, sizeof *col, cmp_d);
        for (int k = 0; k < nq && discrete; k++) {
            /* smallest x with F(x) >= level (R type 1) */
            int idx = (int)ceil(lev[k] * n_paths - 1e-9) - 1;
            idx = idx < 0 ? 0 : idx >= n_paths ? n_paths - 1 : idx;
            q[k * h + t] = col[idx];
        }
        for (int k = 0; k < nq && !discrete; k++) {
            /* linear interpolation between order statistics (R type 7) */
            double pos = lev[k] * (n_paths - 1);
            int lo = (int)floor(pos);
            if (lo < 0)
                lo = 0;
            if (lo >= n_paths - 1)
                lo = n_paths - 1, pos = lo;
            double fr = pos - lo;
            double v = col[lo] + (lo + 1 < n_paths ? fr * (col[lo + 1] - col[lo]) : 0);
            q[k * h + t] = v;
        }
    }
    free(col);
    free(acc);
}
