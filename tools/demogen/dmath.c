#include <math.h>

#include "dmath.h"

/* 1 / k!, k = 0 .. 22 */
static const double inv_fact[23] = {
    1.0,
    1.0,
    0.5,
    0.16666666666666666,
    0.041666666666666664,
    0.008333333333333333,
    0.001388888888888889,
    0.0001984126984126984,
    2.48015873015873e-05,
    2.7557319223985893e-06,
    2.755731922398589e-07,
    2.505210838544172e-08,
    2.08767569878681e-09,
    1.6059043836821613e-10,
    1.1470745597729725e-11,
    7.647163731819816e-13,
    4.779477332387385e-14,
    2.8114572543455206e-15,
    1.5619206968586225e-16,
    8.22063524662433e-18,
    4.110317623312165e-19,
    1.9572941063391263e-20,
    8.896791392450574e-22,
};

/* fdlibm's split constants: the high parts have trailing zero bits, so n * HI is exact for
 * the multiples used here */
static const double LN2_HI = 6.93147180369123816490e-01;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double INV_LN2 = 1.44269504088896338700e+00;
static const double PIO2_HI = 1.57079632673412561417e+00;
static const double PIO2_LO = 6.07710050650619224932e-11;
static const double TWO_OVER_PI = 6.36619772367581382433e-01;

double dg_exp(double x)
{
    if (x != x)
        return x;
    if (x > 709.0)
        return HUGE_VAL;
    if (x < -745.0)
        return 0.0;
    /* exp(x) = 2^k exp(r), |r| <= ln2 / 2; Taylor series of exp(r) to r^22 / 22! */
    double k = floor(x * INV_LN2 + 0.5);
    double r = (x - k * LN2_HI) - k * LN2_LO;
    double p = inv_fact[22];
    for (int i = 21; i >= 0; i--)
        p = p * r + inv_fact[i];
    return ldexp(p, (int)k);
}

double dg_log(double x)
{
    if (x != x || x < 0.0)
        return NAN;
    if (x == 0.0)
        return -HUGE_VAL;
    if (x > 1.7976931348623157e308)
        return x;
    int e;
    double m = frexp(x, &e); /* x = m 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    /* log(m) = 2 atanh(f) = 2 (f + f^3/3 + f^5/5 + ...), f = (m - 1) / (m + 1), |f| < 0.172 */
    double f = (m - 1.0) / (m + 1.0), s = f * f;
    double p = 1.0 / 25.0;
    for (int k = 23; k >= 1; k -= 2)
        p = p * s + 1.0 / k;
    return e * LN2_HI + (e * LN2_LO + 2.0 * f * p);
}

double dg_pow(double x, double y)
{
    if (y == 0.0)
        return 1.0;
    return dg_exp(y * dg_log(x));
}

/* x = n pi/2 + r, |r| <= pi/4; returns n mod 4 */
static int reduce(double x, double *r)
{
    double n = floor(x * TWO_OVER_PI + 0.5);
    *r = (x - n * PIO2_HI) - n * PIO2_LO;
    double q = n - 4.0 * floor(n / 4.0);
    return (int)q;
}

static double sin_poly(double r)
{
    double s = r * r, p = inv_fact[21];
    for (int i = 19; i >= 1; i -= 2)
        p = -p * s + inv_fact[i];
    return r * p;
}

static double cos_poly(double r)
{
    double s = r * r, p = inv_fact[22];
    for (int i = 20; i >= 0; i -= 2)
        p = -p * s + inv_fact[i];
    return p;
}

double dg_sin(double x)
{
    double r;
    switch (reduce(x, &r)) {
    case 0: return sin_poly(r);
    case 1: return cos_poly(r);
    case 2: return -sin_poly(r);
    default: return -cos_poly(r);
    }
}

double dg_cos(double x)
{
    double r;
    switch (reduce(x, &r)) {
    case 0: return cos_poly(r);
    case 1: return -sin_poly(r);
    case 2: return -cos_poly(r);
    default: return sin_poly(r);
    }
}

double dg_log_factorial(double n)
{
    if (n < 128.0) {
        double s = 0.0;
        for (double i = 2.0; i <= n; i += 1.0)
            s += dg_log(i);
        return s;
    }
    /* Stirling: n log n - n + log(2 pi n) / 2 + 1/(12 n) - 1/(360 n^3) + 1/(1260 n^5) */
    double inv = 1.0 / n, inv2 = inv * inv;
    return n * dg_log(n) - n + 0.5 * dg_log(6.283185307179586 * n) +
           inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 / 1260.0));
}
