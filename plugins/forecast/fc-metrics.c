/* fc-metrics.c: forecast accuracy metrics (M4/M5 conventions). */
#include <math.h>

#include "fc.h"

static int first_nz(const double *y, int n)
{
    int i = 0;
    while (i < n && y[i] == 0.0)
        i++;
    return i;
}

/* scale_mae = mean |y_t - y_{t-1}| over t = first+1 .. n-1 (first = first non-zero) */
double sco__fc_scale_mae(const double *y, int n)
{
    int f = first_nz(y, n);
    if (n - f < 2)
        return NAN;
    double s = 0;
    for (int t = f + 1; t < n; t++)
        s += fabs(y[t] - y[t - 1]);
    s /= (double)(n - f - 1);
    return s > 0 ? s : NAN;
}

double sco__fc_scale_mse(const double *y, int n)
{
    int f = first_nz(y, n);
    if (n - f < 2)
        return NAN;
    double s = 0;
    for (int t = f + 1; t < n; t++)
        s += (y[t] - y[t - 1]) * (y[t] - y[t - 1]);
    s /= (double)(n - f - 1);
    return s > 0 ? s : NAN;
}

double sco__fc_rmsse(const double *a, const double *f, int h, const double *train, int n)
{
    double sc = sco__fc_scale_mse(train, n), s = 0;
    for (int t = 0; t < h; t++)
        s += (a[t] - f[t]) * (a[t] - f[t]);
    return sqrt(s / h / sc);
}

double sco__fc_mase(const double *a, const double *f, int h, const double *train, int n)
{
    double sc = sco__fc_scale_mae(train, n), s = 0;
    for (int t = 0; t < h; t++)
        s += fabs(a[t] - f[t]);
    return s / h / sc;
}

double sco__fc_bias(const double *a, const double *f, int h, const double *train, int n)
{
    double sc = sco__fc_scale_mae(train, n), s = 0;
    for (int t = 0; t < h; t++)
        s += f[t] - a[t];
    return s / h / sc;
}

double sco__fc_smape(const double *a, const double *f, int h)
{
    double s = 0;
    for (int t = 0; t < h; t++) {
        double d = fabs(a[t]) + fabs(f[t]);
        if (d > 0)
            s += 200.0 * fabs(a[t] - f[t]) / d;
    }
    return s / h;
}

double sco__fc_pinball(const double *a, const double *fq, int h, double q)
{
    double s = 0;
    for (int t = 0; t < h; t++) {
        double e = a[t] - fq[t];
        s += e >= 0 ? q * e : (q - 1.0) * e;
    }
    return s / h;
}

double sco__fc_spinball(const double *a, const double *fq, int h, double q, const double *train,
                        int n)
{
    return sco__fc_pinball(a, fq, h, q) / sco__fc_scale_mae(train, n);
}

double sco__fc_coverage(const double *a, const double *fq, int h)
{
    int c = 0;
    for (int t = 0; t < h; t++)
        c += a[t] <= fq[t];
    return h > 0 ? (double)c / h : NAN;
}

double sco__fc_owa(double smape, double mase, double smape_naive, double mase_naive)
{
    return 0.5 * (smape / smape_naive + mase / mase_naive);
}

/* Randomised PIT: u = F(a-) + V (F(a) - F(a-)), V uniform, with F the paths' empirical CDF;
 * coverage = mean over days of P(u <= q), which is q for a calibrated forecast, discrete or
 * not. Per day: 1 when F(a) <= q, 0 when F(a-) >= q, else (q - F(a-)) / (F(a) - F(a-)). */
double sco__fc_pit_coverage(const double *a, const double *paths, int n_paths, int h, double q)
{
    if (h <= 0 || n_paths <= 0)
        return NAN;
    double c = 0;
    for (int t = 0; t < h; t++) {
        int below = 0, at = 0;
        for (int p = 0; p < n_paths; p++) {
            double v = paths[(size_t)p * h + t];
            below += v < a[t];
            at += v == a[t];
        }
        double f0 = (double)below / n_paths, f1 = (double)(below + at) / n_paths;
        c += f1 <= q ? 1.0 : f0 >= q ? 0.0 : (q - f0) / (f1 - f0);
    }
    return c / h;
}
