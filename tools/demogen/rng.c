#include <math.h>

#include "dmath.h"
#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void dg_rng_seed(struct dg_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t dg_rng_next(struct dg_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double dg_unif(struct dg_rng *r)
{
    return (double)(dg_rng_next(r) >> 11) * 0x1.0p-53;
}

double dg_range(struct dg_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * dg_unif(r);
}

int dg_int(struct dg_rng *r, int lo, int hi)
{
    uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
    return lo + (int)(dg_rng_next(r) % span);
}

int dg_bern(struct dg_rng *r, double p)
{
    return dg_unif(r) < p;
}

double dg_normal(struct dg_rng *r)
{
    /* Box-Muller without a cached second value, so every call consumes two draws */
    double u = 1.0 - dg_unif(r), v = dg_unif(r);
    return sqrt(-2.0 * dg_log(u)) * dg_cos(6.283185307179586 * v);
}

double dg_lognormal(struct dg_rng *r, double mu, double sigma)
{
    return dg_exp(mu + sigma * dg_normal(r));
}

double dg_gamma(struct dg_rng *r, double shape)
{
    if (shape < 1.0) {
        /* Gamma(a) = Gamma(a + 1) * U^(1/a) */
        double g = dg_gamma(r, shape + 1.0);
        return g * dg_pow(1.0 - dg_unif(r), 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = dg_normal(r), v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = 1.0 - dg_unif(r);
        if (u < 1.0 - 0.0331 * x * x * x * x)
            return d * v;
        if (dg_log(u) < 0.5 * x * x + d * (1.0 - v + dg_log(v)))
            return d * v;
    }
}

int dg_poisson(struct dg_rng *r, double lambda)
{
    if (lambda <= 0.0)
        return 0;
    if (lambda < 12.0) {
        double limit = dg_exp(-lambda), p = 1.0;
        int k = -1;
        do {
            k++;
            p *= dg_unif(r);
        } while (p > limit);
        return k;
    }
    /* PTRS, W. Hoermann, "The transformed rejection method for generating Poisson random
     * variables", Insurance: Mathematics and Economics 12 (1993) */
    double slam = sqrt(lambda), loglam = dg_log(lambda);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = dg_unif(r) - 0.5, v = dg_unif(r), us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr)
            return (int)k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        if (dg_log(v) + dg_log(invalpha) - dg_log(a / (us * us) + b) <=
            -lambda + k * loglam - dg_log_factorial(k))
            return (int)k;
    }
}

int dg_negbin(struct dg_rng *r, double mu, double k)
{
    if (mu <= 0.0)
        return 0;
    return dg_poisson(r, dg_gamma(r, k) * mu / k);
}

int dg_pick(struct dg_rng *r, const double *w, int n)
{
    double total = 0.0;
    for (int i = 0; i < n; i++)
        total += w[i];
    if (!(total > 0.0))
        return -1;
    double x = dg_unif(r) * total;
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (w[i] <= 0.0)
            continue;
        last = i;
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return last;
}
