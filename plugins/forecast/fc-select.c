/* fc-select.c: per-series method choice by rolling-origin backtest. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc.h"

int sco__fc_choose(const double *y, int n, const enum sco__fc_method *cand, int n_cand,
                   int windows, int length, const struct sco__fc_opts *o,
                   enum sco__fc_method fallback, struct sco__fc_choice *ch, double *scores,
                   struct sco_err *err)
{
    int per = o->period > 1 ? o->period : 1;
    ch->method = fallback;
    ch->score = NAN;
    if (scores)
        for (int c = 0; c < n_cand; c++)
            scores[c] = NAN;
    int need = length + 2 * per + 2;
    int w_ok = 0;
    for (int w = 1; w <= windows; w++)
        if (n - w * length >= need - length)
            w_ok = w;
    if (n_cand <= 0 || windows <= 0 || w_ok == 0) {
        if (n <= 0)
            snprintf(ch->reason, sizeof ch->reason, "no sales history; %s fallback",
                     sco__fc_method_name(fallback));
        else
            snprintf(ch->reason, sizeof ch->reason,
                     "history of %d days is too short for a %d-day backtest; %s fallback", n,
                     length, sco__fc_method_name(fallback));
        return 0;
    }
    struct sco__fc_opts bo = *o;
    bo.h = length;
    bo.n_paths = 0;
    double *mean = malloc((size_t)length * sizeof *mean);
    double *sum = calloc((size_t)n_cand, sizeof *sum);
    int *cnt = calloc((size_t)n_cand, sizeof *cnt);
    int rc = 0;
    if (!mean || !sum || !cnt) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for a backtest");
        goto out;
    }
    for (int w = 1; w <= w_ok && !rc; w++) {
        int cut = n - w * length;
        for (int c = 0; c < n_cand && !rc; c++) {
            struct sco__fc_out fo = { mean, NULL };
            rc = sco__fc_stat(cand[c], y, cut, &bo, &fo, err);
            if (rc)
                break;
            double r = sco__fc_rmsse(y + cut, mean, length, y, cut);
            if (isfinite(r)) {
                sum[c] += r;
                cnt[c]++;
            }
        }
    }
    if (rc)
        goto out;
    int best = -1;
    for (int c = 0; c < n_cand; c++) {
        double s = cnt[c] ? sum[c] / cnt[c] : NAN;
        if (scores)
            scores[c] = s;
        if (cnt[c] && (best < 0 || s < sum[best] / cnt[best]))
            best = c;
    }
    if (best < 0) {
        snprintf(ch->reason, sizeof ch->reason,
                 "backtest undefined (constant history); %s fallback",
                 sco__fc_method_name(fallback));
        goto out;
    }
    /* the default (the fallback, when a candidate) stays unless beaten by the margin:
     * a few noisy windows rarely justify a switch */
    int dflt = -1;
    for (int c = 0; c < n_cand; c++)
        if (cand[c] == fallback && cnt[c])
            dflt = c;
    double best_s = sum[best] / cnt[best];
    if (dflt >= 0 && dflt != best && best_s > (1.0 - SCO__FC_MARGIN) * sum[dflt] / cnt[dflt]) {
        ch->method = cand[dflt];
        ch->score = sum[dflt] / cnt[dflt];
        snprintf(ch->reason, sizeof ch->reason,
                 "default kept: rmsse %.3f over %d backtest window%s of %d days; best other "
                 "%s %.3f is not %.0f%% better",
                 ch->score, cnt[dflt], cnt[dflt] == 1 ? "" : "s", length,
                 sco__fc_method_name(cand[best]), best_s, 100 * SCO__FC_MARGIN);
        goto out;
    }
    ch->method = cand[best];
    ch->score = best_s;
    snprintf(ch->reason, sizeof ch->reason,
             "lowest mean rmsse %.3f over %d backtest window%s of %d days among %d methods",
             ch->score, cnt[best], cnt[best] == 1 ? "" : "s", length, n_cand);
out:
    free(mean);
    free(sum);
    free(cnt);
    return rc;
}
