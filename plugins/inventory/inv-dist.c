/* inv-dist.c: demand distributions from quantiles, loss functions, policy levels, rounding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inv.h"

struct lq {
    double l, q;
};

static int cmp_lq(const void *a, const void *b)
{
    const struct lq *x = a, *y = b;
    return (x->l > y->l) - (x->l < y->l);
}

int sco__inv_dist_init(struct sco_inv_dist *d, const double *levels, const double *q, int n,
                       struct sco_err *err)
{
    struct lq v[SCO_INV_MAX_LEVELS];
    int m = 0;
    if (n < 1 || n > SCO_INV_MAX_LEVELS)
        return sco_err_set(err, SCO_ERR_INVALID, "distribution needs 1..%d quantile levels, got %d",
                           SCO_INV_MAX_LEVELS, n);
    for (int i = 0; i < n; i++) {
        if (!(levels[i] >= 0 && levels[i] <= 1))
            return sco_err_set(err, SCO_ERR_INVALID, "quantile level %g is outside [0, 1]",
                               levels[i]);
        if (!isfinite(q[i]))
            return sco_err_set(err, SCO_ERR_INVALID,
                               "quantile at level %g is not a finite number", levels[i]);
        v[m].l = levels[i];
        v[m].q = q[i] > 0 ? q[i] : 0;
        m++;
    }
    qsort(v, (size_t)m, sizeof v[0], cmp_lq);
    /* merge equal levels (keep the larger quantile), make quantiles non-decreasing */
    int k = 0;
    for (int i = 0; i < m; i++) {
        if (k > 0 && v[i].l == v[k - 1].l) {
            if (v[i].q > v[k - 1].q)
                v[k - 1].q = v[i].q;
            continue;
        }
        v[k++] = v[i];
    }
    m = k;
    for (int i = 1; i < m; i++)
        if (v[i].q < v[i - 1].q)
            v[i].q = v[i - 1].q;

    memset(d, 0, sizeof *d);
    int c = 0;
    /* lower tail: extend the first segment down to p = 0, clipped at 0 units */
    if (v[0].l > 0) {
        double x0 = 0;
        if (m >= 2 && v[1].q > v[0].q) {
            double s = (v[1].q - v[0].q) / (v[1].l - v[0].l);
            x0 = v[0].q - s * v[0].l;
            if (x0 < 0) {
                double p0 = v[0].l - v[0].q / s; /* where the line meets 0 units */
                d->x[c] = 0, d->p[c] = 0, c++;
                if (p0 > 0)
                    d->x[c] = 0, d->p[c] = p0, c++;
                x0 = -1;
            }
        } else if (v[0].q > 0) {
            x0 = 0; /* one level or a flat start: uniform from 0 */
        } else {
            x0 = 0; /* quantile 0 at the lowest level: point mass at 0 */
        }
        if (x0 >= 0)
            d->x[c] = x0, d->p[c] = 0, c++;
    }
    for (int i = 0; i < m; i++)
        d->x[c] = v[i].q, d->p[c] = v[i].l, c++;
    /* upper tail */
    double pn = d->p[c - 1], xn = d->x[c - 1];
    d->tail = 0;
    if (pn < 1) {
        double b = 0;
        if (c >= 2 && d->p[c - 2] < pn)
            b = (xn - d->x[c - 2]) / log((1 - d->p[c - 2]) / (1 - pn));
        if (b > 1e-12)
            d->tail = b;
        else
            d->x[c] = xn, d->p[c] = 1, c++;
    }
    d->n = c;
    /* above[k] = integral of (1 - F) from x_k to infinity */
    d->above[c - 1] = (1 - d->p[c - 1]) * d->tail;
    for (int i = c - 2; i >= 0; i--)
        d->above[i] =
            d->above[i + 1] + (d->x[i + 1] - d->x[i]) * (1 - 0.5 * (d->p[i] + d->p[i + 1]));
    d->mean = d->above[0] + d->x[0];
    return 0;
}

/* largest k with x_k <= y (y >= x_0) */
static int seg(const struct sco_inv_dist *d, double y)
{
    int lo = 0, hi = d->n - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (d->x[mid] <= y)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

double sco__inv_dist_cdf(const struct sco_inv_dist *d, double y)
{
    if (y < d->x[0])
        return 0;
    int k = seg(d, y);
    if (k == d->n - 1) {
        if (d->tail > 0)
            return 1 - (1 - d->p[k]) * exp(-(y - d->x[k]) / d->tail);
        return d->p[k];
    }
    return d->p[k] + (d->p[k + 1] - d->p[k]) * (y - d->x[k]) / (d->x[k + 1] - d->x[k]);
}

double sco__inv_dist_loss(const struct sco_inv_dist *d, double y)
{
    if (y <= d->x[0])
        return d->above[0] + (d->x[0] - y);
    int k = seg(d, y);
    if (k == d->n - 1)
        return d->tail > 0 ? (1 - d->p[k]) * d->tail * exp(-(y - d->x[k]) / d->tail) : 0;
    double f = d->p[k] + (d->p[k + 1] - d->p[k]) * (y - d->x[k]) / (d->x[k + 1] - d->x[k]);
    return d->above[k + 1] + (d->x[k + 1] - y) * (1 - 0.5 * (f + d->p[k + 1]));
}

double sco__inv_dist_quantile(const struct sco_inv_dist *d, double p)
{
    if (p <= d->p[0])
        return d->x[0];
    for (int k = 0; k + 1 < d->n; k++) {
        if (p <= d->p[k + 1]) {
            double dp = d->p[k + 1] - d->p[k];
            if (dp <= 0)
                return d->x[k + 1];
            return d->x[k] + (d->x[k + 1] - d->x[k]) * (p - d->p[k]) / dp;
        }
    }
    int k = d->n - 1;
    if (d->tail <= 0 || p >= 1)
        return d->tail > 0 ? INFINITY : d->x[k];
    return d->x[k] + d->tail * log((1 - d->p[k]) / (1 - p));
}

double sco__inv_mix_cdf(const struct sco_inv_mix *m, double y)
{
    double s = 0;
    for (int i = 0; i < m->n; i++)
        s += m->w[i] * sco__inv_dist_cdf(m->d[i], y);
    return s;
}

double sco__inv_mix_loss(const struct sco_inv_mix *m, double y)
{
    double s = 0;
    for (int i = 0; i < m->n; i++)
        s += m->w[i] * sco__inv_dist_loss(m->d[i], y);
    return s;
}

double sco__inv_mix_mean(const struct sco_inv_mix *m)
{
    double s = 0;
    for (int i = 0; i < m->n; i++)
        s += m->w[i] * m->d[i]->mean;
    return s;
}

double sco__inv_mix_quantile(const struct sco_inv_mix *m, double p)
{
    if (m->n == 1)
        return sco__inv_dist_quantile(m->d[0], p);
    double lo = 0, hi = 0;
    for (int i = 0; i < m->n; i++) {
        double q = sco__inv_dist_quantile(m->d[i], p);
        if (q > hi)
            hi = q;
    }
    if (!isfinite(hi))
        return hi;
    /* the mixture quantile lies between the components' quantiles */
    lo = hi;
    for (int i = 0; i < m->n; i++) {
        double q = sco__inv_dist_quantile(m->d[i], p);
        if (q < lo)
            lo = q;
    }
    for (int it = 0; it < 80 && hi - lo > 1e-9 * (1 + hi); it++) {
        double mid = 0.5 * (lo + hi);
        if (sco__inv_mix_cdf(m, mid) >= p)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

int sco__inv_lead_points(double mean, double sd, int *days, double *w)
{
    int n = 0;
    double node[3], wt[3];
    int k = 0;
    if (!(sd > 0.05)) {
        node[0] = mean, wt[0] = 1, k = 1;
    } else {
        /* 3-point Gauss-Hermite for a normal: nodes mean +- sqrt(3) sd, weights 1/6 2/3 1/6 */
        node[0] = mean - sqrt(3.0) * sd, wt[0] = 1.0 / 6;
        node[1] = mean, wt[1] = 2.0 / 3;
        node[2] = mean + sqrt(3.0) * sd, wt[2] = 1.0 / 6;
        k = 3;
    }
    for (int i = 0; i < k; i++) {
        int dd = (int)lround(node[i]);
        if (dd < 0)
            dd = 0;
        int j;
        for (j = 0; j < n; j++)
            if (days[j] == dd)
                break;
        if (j < n) {
            w[j] += wt[i];
        } else {
            days[n] = dd;
            w[n] = wt[i];
            n++;
        }
    }
    return n;
}

double sco__inv_newsvendor(const struct sco_inv_mix *d, double cu, double co)
{
    return sco__inv_mix_quantile(d, cu / (cu + co));
}

double sco__inv_out_csl(const struct sco_inv_mix *prot, double beta)
{
    return sco__inv_mix_quantile(prot, beta);
}

double sco__inv_fill_at(const struct sco_inv_mix *prot, const struct sco_inv_mix *lead,
                        double mean_review, double s)
{
    if (!(mean_review > 0))
        return 1;
    double short_ = sco__inv_mix_loss(prot, s) - (lead ? sco__inv_mix_loss(lead, s) : 0);
    if (short_ < 0)
        short_ = 0;
    return 1 - short_ / mean_review;
}

double sco__inv_out_fill(const struct sco_inv_mix *prot, const struct sco_inv_mix *lead,
                         double mean_review, double beta)
{
    if (sco__inv_fill_at(prot, lead, mean_review, 0) >= beta)
        return 0;
    double lo = 0, hi = sco__inv_mix_quantile(prot, 0.5) + 1;
    for (int it = 0; it < 200 && sco__inv_fill_at(prot, lead, mean_review, hi) < beta; it++)
        hi *= 2;
    for (int it = 0; it < 100 && hi - lo > 1e-9 * (1 + hi); it++) {
        double mid = 0.5 * (lo + hi);
        if (sco__inv_fill_at(prot, lead, mean_review, mid) >= beta)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

int64_t sco__inv_round(double units, int64_t case_pack, int64_t moq, enum sco_inv_round dir)
{
    if (!(units > 0) || case_pack < 1)
        return 0;
    double c = units / (double)case_pack;
    double cases;
    switch (dir) {
    case SCO_INV_ROUND_UP: cases = ceil(c - 1e-9); break;
    case SCO_INV_ROUND_DOWN: cases = floor(c + 1e-9); break;
    default: cases = floor(c + 0.5); break;
    }
    int64_t u = (int64_t)cases * case_pack;
    int64_t moq_u = ((moq + case_pack - 1) / case_pack) * case_pack;
    if (u > 0 && u >= moq_u)
        return u;
    if (u == 0 && dir != SCO_INV_ROUND_NEAREST)
        return 0;
    /* below the MOQ (or rounded to nothing by nearest) */
    switch (dir) {
    case SCO_INV_ROUND_UP: return moq_u > 0 ? moq_u : u;
    case SCO_INV_ROUND_DOWN: return 0;
    default: {
        int64_t target = moq_u > 0 ? moq_u : case_pack;
        return (units >= (double)target - units) ? target : 0;
    }
    }
}

int sco__inv_round_parse(const char *s, enum sco_inv_round *out)
{
    if (!s || !strcasecmp(s, "up"))
        *out = SCO_INV_ROUND_UP;
    else if (!strcasecmp(s, "down"))
        *out = SCO_INV_ROUND_DOWN;
    else if (!strcasecmp(s, "nearest"))
        *out = SCO_INV_ROUND_NEAREST;
    else
        return -1;
    return 0;
}

double sco__inv_position(double on_hand, const struct sco_inv_open *open, int n, int32_t day)
{
    double s = on_hand;
    for (int i = 0; i < n; i++) {
        if (open[i].qty < 0)
            s += open[i].qty;
        else if (open[i].day <= day)
            s += open[i].qty;
    }
    return s;
}
