/* fc-plot.c: SVG plot of one series: recent history, forecast mean and quantile band. */
#include <math.h>
#include <stdio.h>

#include "fc.h"

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

void sco__fc_plot_svg(FILE *f, const struct sco__fc_series *s, const struct sco__fc_result *r,
                      int h, const double *lev, int nq, int history_days)
{
    const double W = 900, H = 320, L = 50, R = 20, T = 40, B = 40;
    int nh = history_days < s->n ? history_days : s->n;
    int lo = -1, hi = -1; /* band: lowest and highest level */
    for (int k = 0; k < nq; k++) {
        if (lo < 0 || lev[k] < lev[lo])
            lo = k;
        if (hi < 0 || lev[k] > lev[hi])
            hi = k;
    }
    double ymax = 1;
    for (int t = s->n - nh; t < s->n; t++)
        ymax = fmax(ymax, s->y[t]);
    for (int t = 0; t < h; t++) {
        ymax = fmax(ymax, r->mean[t]);
        if (hi >= 0)
            ymax = fmax(ymax, r->q[(size_t)hi * h + t]);
    }
    ymax *= 1.05;
    int total = nh + h;
    double dx = (W - L - R) / (total > 1 ? total - 1 : 1);
#define X(i) (L + (i) * dx)
#define Y(v) (T + (H - T - B) * (1.0 - (v) / ymax))
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
            W, H, W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"%.0f\" "
               "y=\"20\" font-size=\"14\">",
            L);
    esc(f, s->sku);
    fputs(" @ ", f);
    esc(f, s->warehouse);
    fprintf(f, " - method ");
    esc(f, sco__fc_method_name(r->method));
    if (isfinite(r->rmsse))
        fprintf(f, ", backtest rmsse %.3f", r->rmsse);
    fputs("</text>\n", f);
    /* axes and ticks */
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n", L,
            H - B, W - R, H - B);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n", L, T,
            L, H - B);
    for (int k = 0; k <= 4; k++) {
        double v = ymax * k / 4;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n", L - 4,
                Y(v) + 4, v);
    }
    char d0[32], d1[32], d2[32];
    sco_date_format(s->start + s->n - nh, d0);
    sco_date_format(s->start + s->n, d1);
    sco_date_format(s->start + s->n + h - 1, d2);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", L, H - B + 16, d0);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", X(nh), H - B + 16,
            d1);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", W - R, H - B + 16,
            d2);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
               "stroke-dasharray=\"4 3\"/>\n",
            X(nh - 0.5), T, X(nh - 0.5), H - B);
    /* quantile band */
    if (lo >= 0 && hi > lo - 1 && lo != hi) {
        fputs("<polygon fill=\"#9ecae1\" fill-opacity=\"0.6\" stroke=\"none\" points=\"", f);
        for (int t = 0; t < h; t++)
            fprintf(f, "%.1f,%.1f ", X(nh + t), Y(r->q[(size_t)hi * h + t]));
        for (int t = h - 1; t >= 0; t--)
            fprintf(f, "%.1f,%.1f ", X(nh + t), Y(r->q[(size_t)lo * h + t]));
        fputs("\"/>\n", f);
    }
    /* history */
    fputs("<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"1.2\" points=\"", f);
    for (int t = 0; t < nh; t++)
        fprintf(f, "%.1f,%.1f ", X(t), Y(s->y[s->n - nh + t]));
    fputs("\"/>\n<polyline fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\" points=\"", f);
    for (int t = 0; t < h; t++)
        fprintf(f, "%.1f,%.1f ", X(nh + t), Y(r->mean[t]));
    fputs("\"/>\n", f);
    if (lo >= 0 && lo != hi) {
        char a[24], b[24];
        sco__fc_qname(lev[lo], a, sizeof a);
        sco__fc_qname(lev[hi], b, sizeof b);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#08519c\">mean, band "
                   "%s..%s</text>\n",
                W - R, T - 6, a, b);
    }
    fputs("</svg>\n", f);
#undef X
#undef Y
}
