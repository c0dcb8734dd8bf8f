/* Unit tests of the generator's building blocks: its calendar (beyond the SDK's dates, which
 * the tables tests cover) and the samplers. */
#include <criterion/criterion.h>
#include <math.h>

#include "dates.h"
#include "dmath.h"
#include "rng.h"

Test(dates, weekdays_and_day_of_year)
{
    cr_expect_eq(dg_weekday(sco_days_from_civil(2026, 11, 29)), 6); /* Sunday */
    cr_expect_eq(dg_weekday(sco_days_from_civil(2024, 11, 29)), 4); /* Friday */
    cr_expect_str_eq(dg_weekday_names[dg_weekday(sco_days_from_civil(2026, 11, 30))], "Mon");
    cr_expect_eq(dg_day_of_year(sco_days_from_civil(2024, 1, 1)), 0);
    cr_expect_eq(dg_day_of_year(sco_days_from_civil(2024, 12, 31)), 365);
    cr_expect_eq(dg_day_of_year(sco_days_from_civil(2025, 12, 31)), 364);
}

Test(dates, easter)
{
    cr_expect_eq(dg_easter(2024), sco_days_from_civil(2024, 3, 31));
    cr_expect_eq(dg_easter(2025), sco_days_from_civil(2025, 4, 20));
    cr_expect_eq(dg_easter(2026), sco_days_from_civil(2026, 4, 5));
    cr_expect_eq(dg_easter(2027), sco_days_from_civil(2027, 3, 28));
    cr_expect_eq(dg_easter(2038), sco_days_from_civil(2038, 4, 25));
}

Test(rng, same_seed_same_stream)
{
    struct dg_rng a, b, c;
    dg_rng_seed(&a, 42, 1);
    dg_rng_seed(&b, 42, 1);
    dg_rng_seed(&c, 42, 2);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = dg_rng_next(&a);
        cr_assert_eq(x, dg_rng_next(&b));
        differ += x != dg_rng_next(&c);
    }
    cr_expect_gt(differ, 990);
}

/* sample mean and variance of n draws */
static void moments(double (*draw)(struct dg_rng *, double, double), double p1, double p2,
                    double *mean, double *var)
{
    struct dg_rng r;
    dg_rng_seed(&r, 7, 3);
    const int n = 200000;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        double x = draw(&r, p1, p2);
        s += x;
        s2 += x * x;
    }
    *mean = s / n;
    *var = s2 / n - *mean * *mean;
}

static double draw_poisson(struct dg_rng *r, double lambda, double unused)
{
    (void)unused;
    return dg_poisson(r, lambda);
}

static double draw_negbin(struct dg_rng *r, double mu, double k)
{
    return dg_negbin(r, mu, k);
}

static double draw_gamma(struct dg_rng *r, double shape, double unused)
{
    (void)unused;
    return dg_gamma(r, shape);
}

static double draw_unif(struct dg_rng *r, double lo, double hi)
{
    return dg_range(r, lo, hi);
}

Test(rng, sampler_moments)
{
    double m, v;
    moments(draw_unif, 2.0, 4.0, &m, &v);
    cr_expect(fabs(m - 3.0) < 0.01 && fabs(v - 4.0 / 12.0) < 0.01, "uniform %g %g", m, v);
    moments(draw_poisson, 3.0, 0, &m, &v); /* multiplication method */
    cr_expect(fabs(m - 3.0) < 0.03 && fabs(v - 3.0) < 0.06, "poisson(3) %g %g", m, v);
    moments(draw_poisson, 50.0, 0, &m, &v); /* PTRS */
    cr_expect(fabs(m - 50.0) < 0.1 && fabs(v - 50.0) < 1.0, "poisson(50) %g %g", m, v);
    moments(draw_gamma, 0.4, 0, &m, &v); /* shape below one */
    cr_expect(fabs(m - 0.4) < 0.01 && fabs(v - 0.4) < 0.02, "gamma(0.4) %g %g", m, v);
    moments(draw_gamma, 5.0, 0, &m, &v);
    cr_expect(fabs(m - 5.0) < 0.03 && fabs(v - 5.0) < 0.1, "gamma(5) %g %g", m, v);
    /* negative binomial: variance mu + mu^2 / k */
    moments(draw_negbin, 2.0, 0.5, &m, &v);
    cr_expect(fabs(m - 2.0) < 0.04 && fabs(v - 10.0) < 0.4, "negbin(2, 0.5) %g %g", m, v);
    moments(draw_negbin, 20.0, 8.0, &m, &v);
    cr_expect(fabs(m - 20.0) < 0.1 && fabs(v - 70.0) < 1.5, "negbin(20, 8) %g %g", m, v);
}

Test(rng, pick_and_int)
{
    struct dg_rng r;
    dg_rng_seed(&r, 1, 1);
    const double w[4] = { 0.0, 1.0, 0.0, 3.0 };
    int count[4] = { 0 };
    for (int i = 0; i < 40000; i++)
        count[dg_pick(&r, w, 4)]++;
    cr_expect_eq(count[0] + count[2], 0);
    cr_expect(fabs(count[3] / 40000.0 - 0.75) < 0.01, "share %d", count[3]);
    const double zero[2] = { 0.0, 0.0 };
    cr_expect_eq(dg_pick(&r, zero, 2), -1);
    int lo = 0, hi = 0;
    for (int i = 0; i < 10000; i++) {
        int x = dg_int(&r, -2, 2);
        cr_assert(x >= -2 && x <= 2);
        lo += x == -2;
        hi += x == 2;
    }
    cr_expect(lo > 1800 && hi > 1800, "ends %d %d", lo, hi);
}

/* relative error against libm, or absolute near zero */
static double err(double got, double want)
{
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) / scale;
}

Test(dmath, agrees_with_libm)
{
    double worst[6] = { 0 };
    for (int i = -20000; i <= 20000; i++) {
        double x = i / 1000.0; /* -20 .. 20 */
        double e = err(dg_exp(x), exp(x)), s = err(dg_sin(x), sin(x)), c = err(dg_cos(x), cos(x));
        worst[0] = e > worst[0] ? e : worst[0];
        worst[1] = s > worst[1] ? s : worst[1];
        worst[2] = c > worst[2] ? c : worst[2];
        double y = ldexp(1.0 + (i + 20000) / 40001.0, i / 200); /* 2^-100 .. 2^100 */
        double l = err(dg_log(y), log(y));
        worst[3] = l > worst[3] ? l : worst[3];
        double p = err(dg_pow(1.0 + (i + 20000) / 4000.0, x / 4.0),
                       pow(1.0 + (i + 20000) / 4000.0, x / 4.0));
        worst[4] = p > worst[4] ? p : worst[4];
    }
    for (int n = 0; n < 400; n++) {
        double f = err(dg_log_factorial(n), lgamma(n + 1.0));
        worst[5] = f > worst[5] ? f : worst[5];
    }
    cr_expect_lt(worst[0], 4e-16, "exp %g", worst[0]);
    cr_expect_lt(worst[1], 4e-16, "sin %g", worst[1]);
    cr_expect_lt(worst[2], 4e-16, "cos %g", worst[2]);
    cr_expect_lt(worst[3], 4e-16, "log %g", worst[3]);
    cr_expect_lt(worst[4], 1e-14, "pow %g", worst[4]);
    cr_expect_lt(worst[5], 1e-13, "log n! %g", worst[5]);
    cr_expect_eq(dg_exp(0.0), 1.0);
    cr_expect_eq(dg_log(1.0), 0.0);
    cr_expect_eq(dg_exp(-800.0), 0.0);
    cr_expect(isinf(dg_log(0.0)) && dg_log(0.0) < 0);
}
