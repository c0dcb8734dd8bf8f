/* inv-bench: the inventory benchmark.
 *   inv-bench sim DATA_DIR OUT_DIR SEED   replenishment simulator on daily sales (M5 layout
 *       series_id,date,qty or sco layout date,sku,warehouse,qty): three policies side by side
 *       (sco planner, textbook order-up-to at 95%, reorder point + EOQ) and the hindsight bound.
 *       [--forecaster plugin|stat|bench]: the sco planner's forecasts, re-made at every review
 *       from the history known then: the forecast plugin's core with its global model
 *       (default; inv-bench-fc.c), its statistical methods only, or the bench's empirical
 *       forecaster. The references use the mean and sd of the last 182 days (their own rule).
 *   inv-bench scale N WAREHOUSES SEED     generated instance, solved by the decomposition
 * Prints key=value lines; bench/inventory/run turns them into the summary line. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "inv-bench-fc.h"
#include "inv.h"

/* ---- small helpers ------------------------------------------------------------------------ */

static uint64_t sm_state;
static uint64_t splitmix(void)
{
    uint64_t z = (sm_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double unif(void) { return (double)(splitmix() >> 11) / 9007199254740992.0; }
static double gauss(void)
{
    double u = unif(), v = unif();
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double peak_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

/* "YYYY-MM-DD" (anything after the day ignored) to days since 1970-01-01, or INT64_MIN */
static int64_t parse_date(const char *s)
{
    int64_t d;
    return strnlen(s, 10) == 10 && sco_date_parse(s, 10, &d) == 0 ? d : INT64_MIN;
}

/* splits a CSV line in place (double quotes around a field are removed; "" inside is kept
 * as is, which these files do not use) */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = 0;
    while (n < max) {
        if (*p == '"') {
            char *q = strchr(p + 1, '"');
            if (q) {
                f[n++] = p + 1;
                *q = 0;
                p = q + 1;
                if (*p != ',')
                    break;
                p++;
                continue;
            }
        }
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

static int col_of(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(f[i], name))
            return i;
    return -1;
}

/* ---- series ------------------------------------------------------------------------------- */

struct series {
    char id[96];
    double *dem; /* n_days */
    double price;
    int nprice;
    /* from items.csv / suppliers.csv when the data has them (sco layout) */
    int has_item;
    double cost, iprice, lead, lead_sd;
    int64_t cp, moq;
};

struct data {
    struct series *s;
    int n;
    int64_t day0;
    int n_days;
};

static int series_find(struct data *d, const char *id)
{
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->s[i].id, id))
            return i;
    return -1;
}

/* sco layout: items.csv (sku, unit_cost, unit_price, case_pack, moq_units, supplier) and
 * suppliers.csv (supplier, lead_time_days, lead_time_sd_days) give the real parameters of a
 * series "SKU@WAREHOUSE" */
static void load_items(const char *dir, struct data *d)
{
    char path[4096], line[8192], sline[4096];
    char *h[64], *v[64];
    snprintf(path, sizeof path, "%s/suppliers.csv", dir);
    FILE *fs = fopen(path, "r");
    snprintf(path, sizeof path, "%s/items.csv", dir);
    FILE *fi = fopen(path, "r");
    if (!fs || !fi || !fgets(line, sizeof line, fi) || !fgets(sline, sizeof sline, fs)) {
        if (fs)
            fclose(fs);
        if (fi)
            fclose(fi);
        return;
    }
    int nh = split(sline, h, 64);
    int cs = col_of(h, nh, "supplier"), cl = col_of(h, nh, "lead_time_days"),
        csd = col_of(h, nh, "lead_time_sd_days");
    char sid[256][64];
    double sl[256], ssd[256];
    int ns = 0;
    while (cs >= 0 && cl >= 0 && ns < 256 && fgets(sline, sizeof sline, fs)) {
        int n = split(sline, v, 64);
        if (n <= cl)
            continue;
        snprintf(sid[ns], sizeof sid[ns], "%s", v[cs]);
        sl[ns] = atof(v[cl]);
        ssd[ns] = csd >= 0 && csd < n ? atof(v[csd]) : 0;
        ns++;
    }
    nh = split(line, h, 64);
    int ck = col_of(h, nh, "sku"), cc = col_of(h, nh, "unit_cost"),
        cpr = col_of(h, nh, "unit_price"), ccp = col_of(h, nh, "case_pack"),
        cm = col_of(h, nh, "moq_units"), csu = col_of(h, nh, "supplier");
    while (ck >= 0 && cc >= 0 && ccp >= 0 && csu >= 0 && fgets(line, sizeof line, fi)) {
        int n = split(line, v, 64);
        if (n < nh)
            continue;
        int k = -1;
        for (int j = 0; j < ns; j++)
            if (!strcmp(sid[j], v[csu]))
                k = j;
        if (k < 0)
            continue;
        size_t lk = strlen(v[ck]);
        for (int i = 0; i < d->n; i++) {
            struct series *s = &d->s[i];
            if (strncmp(s->id, v[ck], lk) || s->id[lk] != '@')
                continue;
            s->has_item = 1;
            s->cost = atof(v[cc]);
            s->iprice = cpr >= 0 ? atof(v[cpr]) : 0;
            s->cp = atoll(v[ccp]) > 0 ? atoll(v[ccp]) : 1;
            s->moq = cm >= 0 ? atoll(v[cm]) : 0;
            s->lead = sl[k];
            s->lead_sd = ssd[k];
        }
    }
    fclose(fs);
    fclose(fi);
}

static int load_sales(const char *dir, struct data *d)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/sales.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "inv-bench: cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    char *h[32];
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    int nh = split(line, h, 32);
    int c_id = col_of(h, nh, "series_id"), c_sku = col_of(h, nh, "sku");
    int c_wh = col_of(h, nh, "warehouse"), c_date = col_of(h, nh, "date");
    int c_qty = col_of(h, nh, "qty");
    if ((c_id < 0 && c_sku < 0) || c_date < 0 || c_qty < 0) {
        fprintf(stderr, "inv-bench: '%s' needs series_id (or sku, warehouse), date, qty\n", path);
        fclose(f);
        return -1;
    }
    /* two passes: ids and date range, then values */
    int cap = 64;
    d->s = calloc((size_t)cap, sizeof *d->s);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    long pos = ftell(f);
    char *v[32];
    while (fgets(line, sizeof line, f)) {
        int n = split(line, v, 32);
        if (n < nh)
            continue;
        char id[96];
        if (c_id >= 0)
            snprintf(id, sizeof id, "%s", v[c_id]);
        else
            snprintf(id, sizeof id, "%s@%s", v[c_sku], c_wh >= 0 ? v[c_wh] : "");
        int64_t dt = parse_date(v[c_date]);
        if (dt == INT64_MIN)
            continue;
        lo = dt < lo ? dt : lo, hi = dt > hi ? dt : hi;
        if (series_find(d, id) < 0) {
            if (d->n == cap) {
                cap *= 2;
                d->s = realloc(d->s, sizeof *d->s * (size_t)cap);
            }
            memset(&d->s[d->n], 0, sizeof d->s[0]);
            snprintf(d->s[d->n].id, sizeof d->s[0].id, "%s", id);
            d->n++;
        }
    }
    if (d->n == 0) {
        fclose(f);
        return -1;
    }
    d->day0 = lo;
    d->n_days = (int)(hi - lo + 1);
    for (int i = 0; i < d->n; i++)
        d->s[i].dem = calloc((size_t)d->n_days, sizeof(double));
    fseek(f, pos, SEEK_SET);
    while (fgets(line, sizeof line, f)) {
        int n = split(line, v, 32);
        if (n < nh)
            continue;
        char id[96];
        if (c_id >= 0)
            snprintf(id, sizeof id, "%s", v[c_id]);
        else
            snprintf(id, sizeof id, "%s@%s", v[c_sku], c_wh >= 0 ? v[c_wh] : "");
        int64_t dt = parse_date(v[c_date]);
        int k = series_find(d, id);
        if (dt == INT64_MIN || k < 0)
            continue;
        d->s[k].dem[dt - lo] += atof(v[c_qty]);
    }
    fclose(f);
    /* prices: M5 prices.csv (series_id, sell_price) when present */
    snprintf(path, sizeof path, "%s/prices.csv", dir);
    f = fopen(path, "r");
    if (f) {
        if (fgets(line, sizeof line, f)) {
            nh = split(line, h, 32);
            int ci = col_of(h, nh, "series_id"), cp = col_of(h, nh, "sell_price");
            while (ci >= 0 && cp >= 0 && fgets(line, sizeof line, f)) {
                int n = split(line, v, 32);
                if (n < nh)
                    continue;
                int k = series_find(d, v[ci]);
                if (k >= 0) {
                    d->s[k].price += atof(v[cp]);
                    d->s[k].nprice++;
                }
            }
        }
        fclose(f);
    }
    for (int i = 0; i < d->n; i++)
        d->s[i].price = d->s[i].nprice ? d->s[i].price / d->s[i].nprice : 0;
    load_items(dir, d);
    return 0;
}

/* ---- the simulation ------------------------------------------------------------------------ */

#define HIST 182     /* days of history the forecasters look at */
#define WINDOW 364   /* simulated days */
#define REVIEW 7
#define HORIZON 28
static int horizon = 56; /* the sco policy's planning horizon in the simulation */
static double hind_limit = 60;    /* INV_HINDSIGHT_S: per series */
static double hind_total = 300;   /* INV_HINDSIGHT_TOTAL_S: all series of a large instance */
static double level_w = 0.5; /* weight of the last 28 days' level in the bench forecaster */
static bool lost_sales = true; /* INV_LOST_SALES=0: backorder (cumulative) shortage term */
static bool terminal_value = true; /* INV_TERMINAL=0: no terminal value (truncated horizon) */
static bool recourse = true; /* INV_RECOURSE=0: open-loop stage costs (the plugin's default
                                 * before 2026-11-29 09:10) */
static double budget_factor = 1.5; /* budget per order day = factor x mean weekly demand value */
/* The sco policy's forecasts: the forecast plugin's core with its global model (plugin), the
 * plugin's core with statistical methods only (stat), or the bench's empirical forecaster
 * (bench; a labelled comparison) */
enum fc_kind { FC_PLUGIN, FC_STAT, FC_BENCH };
static enum fc_kind fc_kind = FC_PLUGIN;
static const char *const fc_names[] = { "plugin", "stat", "bench" };
static int fc_paths = 500;       /* INV_FC_PATHS: sample paths (the plugin's default) */
static int fc_refit = 1;         /* INV_FC_REFIT: fine-tune the model every this many reviews */
static int fc_ft_epochs = 2;     /* INV_FC_FT_EPOCHS: fine-tune epochs at a refit */
static int fc_epochs = 30;       /* INV_FC_EPOCHS: first training (the plugin's default) */
static int fc_threads = 2;       /* INV_FC_THREADS: series forecast in parallel */

static const double LEVELS[] = { 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98,
                                 0.99 };
#define NLEV ((int)(sizeof LEVELS / sizeof LEVELS[0]))

struct inst {
    struct data *d;
    int start;             /* data index of simulated day 0 */
    int n;
    struct sco_inv_sim_item *it;
    double *lead_mean, *lead_sd;
    int32_t *lead;         /* n x WINDOW realised */
    double budget;
    /* policy scratch */
    double *cumq;
    struct sco_inv_open *open;
    int *n_open;
    struct sco_inv_item *pi;
    long plans;
    double plan_s;
    struct ib_fc *fc; /* NULL: the bench forecaster */
    float *fc_ev;     /* calendar events for the model */
    FILE *cache, *cache_out; /* INV_FC_CACHE: read, or written when it does not exist */
    FILE *fcf;        /* forecasts.csv: protection-interval quantiles and the realised demand */
};

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Bench forecaster (labelled in the results): empirical distribution of k-day sums over the
 * last HIST days, scaled to the level of the last 28 days (half weight). */
static void forecast_cum(const double *hist, int t, int kmax, double *q)
{
    int w = t < HIST ? t : HIST;
    const double *h = hist + t - w;
    double sw = 0, s28 = 0;
    for (int i = 0; i < w; i++)
        sw += h[i];
    int n28 = w < 28 ? w : 28;
    for (int i = w - n28; i < w; i++)
        s28 += h[i];
    double mw = w > 0 ? sw / w : 0, m28 = n28 > 0 ? s28 / n28 : 0;
    double scale = mw > 0 ? (1 - level_w) + level_w * m28 / mw : 1;
    double *sums = malloc(sizeof(double) * (size_t)(w + 1));
    for (int k = 1; k <= kmax; k++) {
        int ns = 0;
        if (k <= w) {
            double s = 0;
            for (int i = 0; i < k; i++)
                s += h[i];
            sums[ns++] = s;
            for (int i = k; i < w; i++) {
                s += h[i] - h[i - k];
                sums[ns++] = s;
            }
        } else {
            sums[ns++] = mw * k; /* too little history: the mean */
        }
        qsort(sums, (size_t)ns, sizeof(double), cmp_d);
        for (int l = 0; l < NLEV; l++) {
            double pos = LEVELS[l] * (ns - 1);
            int a = (int)floor(pos);
            double fr = pos - a;
            double v = a + 1 < ns ? sums[a] * (1 - fr) + sums[a + 1] * fr : sums[ns - 1];
            q[(size_t)(k - 1) * NLEV + l] = v * scale;
        }
    }
    free(sums);
}

static double ip_of(const struct sco_inv_sim_state *st, int i);
/* calibration of the bench forecaster over the protection interval (lead + review): how often
 * the realised demand of the next L + R days falls at or below each quantile */
static double cal_n, cal_below[NLEV];

static int policy_sco(void *ctx, const struct sco_inv_sim_state *st, int64_t *out,
                      struct sco_err *err)
{
    struct inst *in = ctx;
    int kmax = horizon + 20;
    double t0 = now_s();
    /* history up to and including today: data days [0, start + day] */
    size_t ncq = (size_t)in->n * (size_t)kmax * NLEV;
    if (in->cache && fread(in->cumq, sizeof(double), ncq, in->cache) == ncq) {
        /* INV_FC_CACHE: the same forecaster's forecasts of an earlier run (the forecasts
         * depend on the history only, not on the policy); planner experiments only */
    } else if (in->fc) {
        int rc = ib_fc_run(in->fc, in->start + st->day + 1, in->cumq, err);
        if (rc)
            return rc;
        if (in->cache_out)
            fwrite(in->cumq, sizeof(double), ncq, in->cache_out);
    }
    for (int i = 0; i < in->n; i++) {
        const double *hist = in->d->s[i].dem + in->start; /* index by simulated day */
        if (!in->fc && !in->cache)
            forecast_cum(hist - (in->start), in->start + st->day + 1, kmax,
                         in->cumq + (size_t)i * kmax * NLEV);
        int kp = (int)lround(in->lead_mean[i]) + REVIEW;
        if (st->day + kp < WINDOW && kp <= kmax) {
            double real = 0;
            for (int d = st->day + 1; d <= st->day + kp; d++)
                real += hist[d];
            const double *qq = in->cumq + (size_t)i * kmax * NLEV + (size_t)(kp - 1) * NLEV;
            cal_n++;
            for (int l = 0; l < NLEV; l++)
                cal_below[l] += real <= qq[l] + 1e-9;
            if (in->fcf) {
                fprintf(in->fcf, "%s,%d,%d,%.0f", in->d->s[i].id, st->day, kp, real);
                for (int l = 0; l < NLEV; l++)
                    fprintf(in->fcf, ",%.3f", qq[l]);
                fputc('\n', in->fcf);
            }
        }
        struct sco_inv_item *p = &in->pi[i];
        const struct sco_inv_sim_item *s = &in->it[i];
        int no = 0;
        for (int d = st->day + 1; d < WINDOW; d++) {
            double u = st->pipeline[(size_t)i * WINDOW + d];
            if (u > 0 && no < 64)
                in->open[i * 64 + no++] = (struct sco_inv_open){ d - st->day, u };
        }
        in->n_open[i] = no;
        *p = (struct sco_inv_item){ .wh = 0, .unit_cost = s->unit_cost, .volume_l = 1,
                                    .hold = s->hold, .penalty = s->penalty, .fixed = s->fixed,
                                    .case_pack = s->case_pack, .moq = s->moq,
                                    .lead_mean = in->lead_mean[i], .lead_sd = in->lead_sd[i],
                                    .on_hand = st->on_hand[i], .open = in->open + i * 64,
                                    .n_open = no, .n_days = kmax,
                                    .cum_q = in->cumq + (size_t)i * kmax * NLEV };
    }
    struct sco_inv_problem pb = { .n_items = in->n, .items = in->pi, .n_levels = NLEV,
                                  .levels = LEVELS, .n_wh = 1, .budget = in->budget,
                                  .review_days = REVIEW, .horizon_days = horizon,
                                  .max_iter = 100, .target_gap = 1e-4, .seed = 1,
                                  .lost_sales = lost_sales,
                                  .terminal_value = terminal_value, .recourse = recourse };
    struct sco_inv_plan plan;
    int rc = sco__inv_solve(&pb, &plan, err);
    if (rc)
        return rc;
    for (int i = 0; i < in->n; i++)
        out[i] = plan.n_valid[i] > 0 ? plan.cases[(size_t)i * plan.n_stages] : 0;
    if (getenv("INV_TRACE")) { /* INV_TRACE=i: the plan of series i at every review */
        int i = atoi(getenv("INV_TRACE"));
        const int32_t *c = plan.cases + (size_t)i * plan.n_stages;
        const double *q = in->cumq + (size_t)i * kmax * NLEV;
        fprintf(stderr, "TRACE sco day=%d oh=%.0f ip=%.0f cases=%d plan=", st->day,
                st->on_hand[i], ip_of(st, i), c[0]);
        for (int m = 0; m < plan.n_stages; m++)
            fprintf(stderr, "%d ", c[m]);
        fprintf(stderr, " q50_7=%.1f q50_14=%.1f q95_14=%.1f\n", q[6 * NLEV + 5],
                q[13 * NLEV + 5], q[13 * NLEV + 10]);
    }
    sco__inv_plan_fini(&plan);
    in->plans++;
    in->plan_s += now_s() - t0;
    return 0;
}

static void mean_sd(const struct inst *in, int i, int day, double *mu, double *sd)
{
    int t = in->start + day + 1;
    int w = t < HIST ? t : HIST;
    const double *h = in->d->s[i].dem + t - w;
    double s = 0, s2 = 0;
    for (int k = 0; k < w; k++)
        s += h[k], s2 += h[k] * h[k];
    *mu = w ? s / w : 0;
    double var = w > 1 ? (s2 - w * *mu * *mu) / (w - 1) : 0;
    *sd = var > 0 ? sqrt(var) : 0;
}

static double ip_of(const struct sco_inv_sim_state *st, int i)
{
    double ip = st->on_hand[i];
    for (int d = st->day + 1; d < WINDOW; d++)
        ip += st->pipeline[(size_t)i * WINDOW + d];
    return ip;
}

/* textbook order-up-to: S = mu (L + R) + 1.645 sd sqrt(L + R), order up to S in whole cases */
static int policy_out95(void *ctx, const struct sco_inv_sim_state *st, int64_t *out,
                        struct sco_err *err)
{
    (void)err;
    struct inst *in = ctx;
    for (int i = 0; i < in->n; i++) {
        double mu, sd;
        mean_sd(in, i, st->day, &mu, &sd);
        double p = in->lead_mean[i] + REVIEW;
        double S = mu * p + 1.645 * sd * sqrt(p);
        double ip = ip_of(st, i);
        out[i] = ip < S ? (int64_t)ceil((S - ip) / in->it[i].case_pack - 1e-9) : 0;
    }
    return 0;
}

/* reorder point + EOQ: ROP = mu P + 1.645 sd sqrt(P) with P = L (the ERP default) or L + R
 * (review-aware); at a review with IP <= ROP order enough multiples of Q = EOQ (whole cases,
 * >= MOQ) to lift IP above ROP */
static int rop_eoq(struct inst *in, const struct sco_inv_sim_state *st, int64_t *out, int with_r)
{
    for (int i = 0; i < in->n; i++) {
        const struct sco_inv_sim_item *s = &in->it[i];
        double mu, sd;
        mean_sd(in, i, st->day, &mu, &sd);
        double L = in->lead_mean[i] + (with_r ? REVIEW : 0);
        double rop = mu * L + 1.645 * sd * sqrt(L);
        double eoq = s->hold > 0 && mu > 0 ? sqrt(2 * s->fixed * mu / s->hold) : 0;
        int64_t qc = (int64_t)ceil(eoq / s->case_pack - 1e-9);
        int64_t moq_c = (s->moq + s->case_pack - 1) / s->case_pack;
        if (qc < moq_c)
            qc = moq_c;
        if (qc < 1)
            qc = 1;
        double ip = ip_of(st, i);
        out[i] = 0;
        if (ip <= rop && mu > 0) {
            int64_t k = (int64_t)floor((rop - ip) / (double)(qc * s->case_pack)) + 1;
            out[i] = k * qc;
        }
        if (getenv("INV_TRACE") && atoi(getenv("INV_TRACE")) == i && with_r)
            fprintf(stderr, "TRACE rop day=%d oh=%.0f ip=%.0f rop=%.1f q=%lld cases=%lld "
                    "mu=%.2f\n", st->day, st->on_hand[i], ip, rop, (long long)qc,
                    (long long)out[i], mu);
    }
    return 0;
}

static int policy_rop_eoq(void *ctx, const struct sco_inv_sim_state *st, int64_t *out,
                          struct sco_err *err)
{
    (void)err;
    return rop_eoq(ctx, st, out, 0);
}

static int policy_rop_eoq_lr(void *ctx, const struct sco_inv_sim_state *st, int64_t *out,
                             struct sco_err *err)
{
    (void)err;
    return rop_eoq(ctx, st, out, 1);
}

/* Holiday/event flags per day from DIR/calendar.csv (sco layout: holiday, event; M5 layout:
 * event_name_1, event_name_2), for n_days + extra days from day0; NULL when there is none. */
static float *load_events(const char *dir, const struct data *d, int extra)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/calendar.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    float *ev = calloc((size_t)(d->n_days + extra), sizeof *ev);
    char *h[64], *v[64];
    int nh = ev && fgets(line, sizeof line, f) ? split(line, h, 64) : 0;
    int cd = col_of(h, nh, "date"), c[4] = { col_of(h, nh, "holiday"), col_of(h, nh, "event"),
                                             col_of(h, nh, "event_name_1"),
                                             col_of(h, nh, "event_name_2") };
    while (cd >= 0 && fgets(line, sizeof line, f)) {
        int n = split(line, v, 64);
        if (cd >= n)
            continue;
        int64_t k = parse_date(v[cd]);
        if (k == INT64_MIN || k < d->day0 || k >= d->day0 + d->n_days + extra)
            continue;
        for (int j = 0; j < 4; j++)
            if (c[j] >= 0 && c[j] < n && *v[c[j]])
                ev[k - d->day0] = 1.0f;
    }
    fclose(f);
    return ev;
}

static int run_sim(const char *dir, const char *outdir, uint64_t seed)
{
    struct data d = { 0 };
    if (load_sales(dir, &d))
        return 1;
    if (d.n_days < WINDOW + 56) {
        fprintf(stderr, "inv-bench: %d days of sales, need at least %d\n", d.n_days,
                WINDOW + 56);
        return 1;
    }
    struct inst in = { .d = &d, .start = d.n_days - WINDOW, .n = d.n };
    in.it = calloc((size_t)d.n, sizeof *in.it);
    in.lead_mean = calloc((size_t)d.n, sizeof(double));
    in.lead_sd = calloc((size_t)d.n, sizeof(double));
    in.lead = calloc((size_t)d.n * WINDOW, sizeof(int32_t));
    in.cumq = calloc((size_t)d.n * (horizon + 20) * NLEV, sizeof(double));
    in.open = calloc((size_t)d.n * 64, sizeof *in.open);
    in.n_open = calloc((size_t)d.n, sizeof(int));
    in.pi = calloc((size_t)d.n, sizeof *in.pi);
    char path[4096];
    snprintf(path, sizeof path, "%s/params.csv", outdir);
    FILE *pf = fopen(path, "w");
    if (!pf) {
        fprintf(stderr, "inv-bench: cannot write '%s': %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(pf, "series,price,unit_cost,hold_per_day,penalty,fixed_cost,case_pack,moq,"
                "lead_mean,lead_sd,on_hand0,mean_daily_demand\n");
    sm_state = seed;
    double week_value = 0;
    for (int i = 0; i < d.n; i++) {
        struct sco_inv_sim_item *it = &in.it[i];
        double mu = 0;
        for (int k = in.start - HIST; k < in.start; k++)
            mu += d.s[i].dem[k];
        mu /= HIST;
        double price = d.s[i].price > 0 ? d.s[i].price : 2 + 6 * unif();
        it->unit_cost = price * (0.5 + 0.2 * unif());
        it->hold = it->unit_cost * (0.2 + 0.15 * unif()) / 365;
        it->penalty = (price - it->unit_cost) * (1 + unif());
        it->fixed = 2 + 6 * unif();
        static const int packs[] = { 1, 2, 4, 6, 12, 24 };
        double want = mu * REVIEW / (1 + 2 * unif());
        int cp = 1;
        for (int k = 0; k < 6; k++)
            if (packs[k] <= want)
                cp = packs[k];
        it->case_pack = cp;
        it->moq = cp * (1 + (int)(unif() * 2));
        in.lead_mean[i] = 2 + (int)(unif() * 8);
        in.lead_sd[i] = in.lead_mean[i] * 0.25 * unif();
        for (int t = 0; t < WINDOW; t++) {
            int l = (int)lround(in.lead_mean[i] + in.lead_sd[i] * gauss());
            in.lead[(size_t)i * WINDOW + t] = l < 1 ? 1 : l;
        }
        if (d.s[i].has_item) {
            /* the business' own item and supplier data; holding, penalty factor and fixed cost
             * stay generated. Lead times are re-drawn from the supplier's mean and sd. */
            const struct series *sr = &d.s[i];
            price = sr->iprice > 0 ? sr->iprice : price;
            it->unit_cost = sr->cost > 0 ? sr->cost : it->unit_cost;
            it->hold = it->unit_cost * 0.25 / 365;
            it->penalty = price > it->unit_cost ? (price - it->unit_cost) * 1.5 : it->unit_cost;
            it->case_pack = sr->cp;
            it->moq = sr->moq;
            in.lead_mean[i] = sr->lead;
            in.lead_sd[i] = sr->lead_sd;
            for (int t = 0; t < WINDOW; t++) {
                int l = (int)lround(sr->lead + sr->lead_sd * gauss());
                in.lead[(size_t)i * WINDOW + t] = l < 1 ? 1 : l;
            }
        }
        it->lead = in.lead + (size_t)i * WINDOW;
        it->on_hand0 = round(mu * (in.lead_mean[i] + REVIEW));
        it->demand = d.s[i].dem + in.start;
        week_value += mu * REVIEW * it->unit_cost;
        fprintf(pf, "%s,%.4f,%.4f,%.6f,%.4f,%.4f,%lld,%lld,%.0f,%.3f,%.0f,%.4f\n", d.s[i].id,
                price, it->unit_cost, it->hold, it->penalty, it->fixed,
                (long long)it->case_pack, (long long)it->moq, in.lead_mean[i], in.lead_sd[i],
                it->on_hand0, mu);
    }
    in.budget = budget_factor > 0 ? budget_factor * week_value : INFINITY;
    fprintf(pf, "# budget_per_order_day=%.4f review_days=%d window_days=%d history_days=%d "
                "seed=%llu\n", in.budget, REVIEW, WINDOW, HIST, (unsigned long long)seed);
    fclose(pf);

    if (fc_kind != FC_BENCH) {
        /* the forecast stage of a nightly run: horizon = what the planner reads, the bench's
         * quantile levels, 3 backtest windows of 28 days, the plugin's default paths */
        const char **ids = calloc((size_t)d.n, sizeof *ids);
        double **ys = calloc((size_t)d.n, sizeof *ys);
        float *ev = load_events(dir, &d, horizon + 20);
        snprintf(path, sizeof path, "%s/model.bin", outdir);
        remove(path); /* trained anew on the history before the window */
        struct ib_fc_opts fo = { .mode = fc_kind == FC_PLUGIN ? IB_FC_PLUGIN : IB_FC_STAT,
                                 .h = horizon + 20, .levels = LEVELS, .n_levels = NLEV,
                                 .bt_windows = 3, .bt_length = 28, .n_paths = fc_paths,
                                 .seed = seed, .epochs = fc_epochs,
                                 .fine_tune_epochs = fc_ft_epochs, .refit_every = fc_refit,
                                 .window = 56, .model_path = path, .threads = fc_threads };
        struct sco_err e = { 0 };
        int rc = ids && ys ? 0 : sco_err_set(&e, SCO_ERR_NOMEM, "out of memory");
        for (int i = 0; !rc && i < d.n; i++)
            ids[i] = d.s[i].id, ys[i] = d.s[i].dem;
        if (!rc)
            rc = ib_fc_new(&fo, d.n, ids, ys, d.n_days, d.day0, ev, &in.fc, &e);
        free(ids);
        free(ys);
        in.fc_ev = ev;
        if (rc) {
            fprintf(stderr, "inv-bench: forecaster: %s\n", e.msg);
            return 1;
        }
    }
    const char *cp = getenv("INV_FC_CACHE");
    if (cp && *cp && fc_kind != FC_BENCH) {
        /* the header names what the forecasts depend on; another run's file is refused */
        int64_t key[8] = { 0x1b7c0de1, d.n, horizon + 20, NLEV, d.n_days, d.day0, fc_kind,
                           (int64_t)(seed ^ (uint64_t)fc_paths ^ ((uint64_t)fc_ft_epochs << 20) ^
                                     ((uint64_t)fc_refit << 40)) };
        int64_t got[8];
        in.cache = fopen(cp, "rb");
        if (in.cache &&
            (fread(got, sizeof got, 1, in.cache) != 1 || memcmp(got, key, sizeof key))) {
            fprintf(stderr, "inv-bench: forecast cache '%s' is from another run (data, horizon, "
                            "forecaster or its settings); remove it\n", cp);
            return 1;
        }
        if (!in.cache && (!(in.cache_out = fopen(cp, "wb")) ||
                          fwrite(key, sizeof key, 1, in.cache_out) != 1)) {
            fprintf(stderr, "inv-bench: cannot write '%s': %s\n", cp, strerror(errno));
            return 1;
        }
        fprintf(stderr, "inv-bench: forecasts %s '%s'\n", in.cache ? "read from" : "cached in",
                cp);
    }
    snprintf(path, sizeof path, "%s/forecasts.csv", outdir);
    in.fcf = fopen(path, "w");
    if (!in.fcf) {
        fprintf(stderr, "inv-bench: cannot write '%s': %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(in.fcf, "series,day,days,actual");
    for (int l = 0; l < NLEV; l++)
        fprintf(in.fcf, ",q%g", 100 * LEVELS[l]);
    fputc('\n', in.fcf);

    struct {
        const char *name;
        sco_inv_policy_fn *fn;
    } pol[] = { { "sco", policy_sco }, { "order_up_to_95", policy_out95 },
                { "rop_eoq", policy_rop_eoq }, { "rop_eoq_review", policy_rop_eoq_lr } };
    enum { NP = 4 };
    struct sco_inv_sim_result tot[NP];
    struct sco_inv_sim_result *per = calloc((size_t)d.n * NP, sizeof *per);
    struct sco_err err = { 0 };
    for (int p = 0; p < NP; p++) {
        if (sco__inv_simulate(in.it, d.n, WINDOW, 0, REVIEW, in.budget, pol[p].fn, &in,
                              per + (size_t)p * d.n, &tot[p], &err)) {
            fprintf(stderr, "inv-bench: %s: %s\n", pol[p].name, err.msg);
            return 1;
        }
    }
    fclose(in.fcf);
    in.fcf = NULL;
    if (in.cache)
        fclose(in.cache);
    if (in.cache_out)
        fclose(in.cache_out);
    if (in.fc)
        printf("%s\n", ib_fc_summary(in.fc));
    ib_fc_free(in.fc);
    in.fc = NULL;
    free(in.fc_ev);
    /* hindsight bound per series */
    double hind = 0, hind_cost = 0;
    int hind_opt = 0;
    double *hb = calloc((size_t)d.n, sizeof(double));
    for (int i = 0; i < d.n; i++) {
        double c, b;
        if (hind_limit <= 0) {
            hb[i] = 0;
            continue;
        }
        double lim = hind_limit;
        if (d.n > 10 && lim > hind_total / d.n) /* at most about hind_total s in all */
            lim = hind_total / d.n < 0.5 ? 0.5 : hind_total / d.n;
        if (sco__inv_hindsight(&in.it[i], WINDOW, 0, REVIEW, lim, &c, &b, &err)) {
            fprintf(stderr, "inv-bench: hindsight %s: %s\n", d.s[i].id, err.msg);
            return 1;
        }
        hb[i] = b;
        hind += b;
        hind_cost += isfinite(c) ? c : 0;
        hind_opt += isfinite(c) && fabs(c - b) <= 1e-6 * (1 + c);
    }
    snprintf(path, sizeof path, "%s/results.csv", outdir);
    FILE *rf = fopen(path, "w");
    if (!rf)
        return 1;
    fprintf(rf, "policy,series,total,holding,lost_cost,fixed_cost,demand,served,fill_rate,"
                "cycle_service,lines,cut_lines\n");
    for (int p = 0; p < NP; p++)
        for (int i = 0; i <= d.n; i++) {
            const struct sco_inv_sim_result *r = i < d.n ? &per[(size_t)p * d.n + i] : &tot[p];
            fprintf(rf, "%s,%s,%.4f,%.4f,%.4f,%.4f,%.0f,%.0f,%.5f,%.5f,%.0f,%.0f\n",
                    pol[p].name, i < d.n ? d.s[i].id : "ALL", r->total, r->holding,
                    r->lost_cost, r->fixed_cost, r->demand, r->served,
                    r->demand > 0 ? r->served / r->demand : 1,
                    r->cycles > 0 ? r->cycles_ok / r->cycles : 1, r->lines, r->cut_lines);
        }
    for (int i = 0; i < d.n; i++)
        fprintf(rf, "hindsight_bound,%s,%.4f,,,,,,,,,\n", d.s[i].id, hb[i]);
    fclose(rf);
    for (int p = 0; p < NP; p++)
        printf("policy=%s cost=%.2f holding=%.2f lost=%.2f fixed=%.2f fill_rate=%.4f "
               "cycle_service=%.4f lines=%.0f cut_lines=%.0f\n",
               pol[p].name, tot[p].total, tot[p].holding, tot[p].lost_cost, tot[p].fixed_cost,
               tot[p].served / tot[p].demand, tot[p].cycles_ok / tot[p].cycles, tot[p].lines,
               tot[p].cut_lines);
    printf("calibration (forecaster %s, lead + review days; level:share at or below):",
           fc_names[fc_kind]);
    for (int l = 0; l < NLEV; l++)
        printf(" %g:%.3f", LEVELS[l], cal_n > 0 ? cal_below[l] / cal_n : 0);
    printf(" reviews=%.0f\n", cal_n);
    printf("hindsight bound=%.2f incumbent=%.2f proven_optimal=%d/%d (incumbent sums the "
           "series that have one)\n", hind, hind_cost, hind_opt, d.n);
    printf("sco_plans=%ld plan_seconds=%.2f series=%d window_days=%d\n", in.plans, in.plan_s,
           d.n, WINDOW);
    int best = 1;
    for (int p = 2; p < NP; p++)
        if (tot[p].total < tot[best].total)
            best = p;
    printf("SIM cost=%.2f fill_rate=%.4f best_reference=%s ref_cost=%.2f ref_fill_rate=%.4f "
           "cost_ratio_vs_best_reference=%.4f gap_to_hindsight_pct=%.2f\n",
           tot[0].total, tot[0].served / tot[0].demand, pol[best].name, tot[best].total,
           tot[best].served / tot[best].demand, tot[0].total / tot[best].total,
           100 * (tot[0].total - hind) / hind);
    free(hb);
    free(per);
    free(in.it), free(in.lead_mean), free(in.lead_sd), free(in.lead), free(in.cumq);
    free(in.open), free(in.n_open), free(in.pi);
    for (int i = 0; i < d.n; i++)
        free(d.s[i].dem);
    free(d.s);
    return 0;
}

/* ---- scale ---------------------------------------------------------------------------------- */

static const double SLEV[] = { 0.1, 0.5, 0.9, 0.95, 0.99 };
static const double SZ[] = { -1.2815516, 0, 1.2815516, 1.6448536, 2.3263479 };

static int run_scale(int n, int nw, uint64_t seed, int iters)
{
    double t0 = now_s();
    sm_state = seed;
    int ndays = HORIZON + 18;
    struct sco_inv_item *it = calloc((size_t)n, sizeof *it);
    double *q = malloc(sizeof(double) * (size_t)n * ndays * 5);
    struct sco_inv_open *open = calloc((size_t)n, sizeof *open);
    double *stor = calloc((size_t)nw, sizeof(double)), *recv = calloc((size_t)nw, sizeof(double));
    if (!it || !q || !open || !stor || !recv) {
        fprintf(stderr, "inv-bench: out of memory for %d items\n", n);
        return 1;
    }
    double week_value = 0;
    static const int packs[] = { 1, 2, 3, 4, 6, 8, 10, 12, 24, 48 };
    for (int i = 0; i < n; i++) {
        double mu = exp(0.3 + 1.0 * gauss());
        if (mu < 0.05)
            mu = 0.05;
        if (mu > 80)
            mu = 80;
        double disp = 0.5 + 2 * unif(); /* variance = mu k (1 + disp) */
        struct sco_inv_item *x = &it[i];
        x->wh = i % nw;
        x->unit_cost = exp(1.5 + 0.7 * gauss());
        x->volume_l = 0.2 + 2.8 * unif();
        x->hold = x->unit_cost * 0.25 / 365;
        x->penalty = x->unit_cost * (0.5 + unif());
        x->fixed = 5 + 15 * unif();
        int cp = 1;
        for (int k = 0; k < 10; k++)
            if (packs[k] <= mu * REVIEW / 2.5)
                cp = packs[k];
        x->case_pack = cp;
        x->moq = cp * (1 + (int)(unif() * 3));
        x->lead_mean = 2 + (int)(unif() * 9);
        x->lead_sd = x->lead_mean * 0.25 * unif();
        x->on_hand = round(mu * unif() * (2 * x->lead_mean + REVIEW));
        if (unif() < 0.3) {
            open[i] = (struct sco_inv_open){ 1 + (int)(unif() * x->lead_mean),
                                             (double)(cp * (1 + (int)(mu * REVIEW / cp))) };
            x->open = &open[i];
            x->n_open = 1;
        }
        x->n_days = ndays;
        double *qq = q + (size_t)i * ndays * 5;
        for (int k = 1; k <= ndays; k++) {
            /* gamma(mean m, var v) quantiles by Wilson-Hilferty */
            double m = mu * k, v = mu * k * (1 + disp);
            double a = m * m / v, th = v / m;
            for (int l = 0; l < 5; l++) {
                double c = 1 - 1 / (9 * a) + SZ[l] / (3 * sqrt(a));
                double val = c > 0 ? a * th * c * c * c : 0;
                qq[(k - 1) * 5 + l] = val;
            }
        }
        x->cum_q = qq;
        week_value += mu * REVIEW * x->unit_cost;
        stor[x->wh] += x->volume_l * mu * REVIEW * 1.6;
        recv[x->wh] += x->volume_l * mu * REVIEW * 0.4;
    }
    struct sco_inv_problem pb = { .n_items = n, .items = it, .n_levels = 5, .levels = SLEV,
                                  .n_wh = nw, .storage_l = stor, .receiving_l = recv,
                                  .budget = 1.25 * week_value, .review_days = REVIEW,
                                  .horizon_days = HORIZON, .max_iter = iters,
                                  .target_gap = 0.002, .seed = seed, .lost_sales = lost_sales,
                                  .terminal_value = terminal_value, .recourse = recourse };
    double t1 = now_s();
    struct sco_inv_plan plan;
    struct sco_err err = { 0 };
    if (sco__inv_solve(&pb, &plan, &err)) {
        fprintf(stderr, "inv-bench: scale: %s\n", err.msg);
        return 1;
    }
    double t2 = now_s();
    int cut = 0, lines = 0;
    for (int i = 0; i < n; i++) {
        cut += plan.cut[i] != 0;
        for (int m = 0; m < plan.n_stages; m++)
            lines += plan.cases[(size_t)i * plan.n_stages + m] > 0;
    }
    double bmax = 0;
    for (int m = 0; m < plan.n_stages; m++)
        if (plan.budget_used[m] / pb.budget > bmax)
            bmax = plan.budget_used[m] / pb.budget;
    printf("SCALE n=%d warehouses=%d seconds=%.2f generate_seconds=%.2f gap_pct=%.4f "
           "peak_mb=%.1f ub=%.2f lb=%.2f cost_zero=%.2f iters=%d lines=%d items_cut=%d "
           "budget_use_max=%.3f\n",
           n, nw, t2 - t1, t1 - t0, 100 * plan.gap, peak_mb(), plan.ub, plan.lb, plan.cost_zero,
           plan.iters, lines, cut, bmax);
    sco__inv_plan_fini(&plan);
    free(it), free(q), free(open), free(stor), free(recv);
    return 0;
}

/* inv-bench fcum DATA_DIR OUT.csv YYYY-MM-DD DAYS: forecast_cumulative for every series of
 * DATA_DIR/sales.csv (sco layout) from the history before the date, by the bench forecaster;
 * lets the host run the inventory stage end to end without the forecast stage. */
static int run_fcum(const char *dir, const char *outp, const char *date, int days)
{
    struct data d = { 0 };
    if (load_sales(dir, &d))
        return 1;
    int64_t pd = parse_date(date);
    if (pd == INT64_MIN || days < 1) {
        fprintf(stderr, "inv-bench: bad date '%s' or days %d\n", date, days);
        return 1;
    }
    int t = (int)(pd - d.day0); /* history: data days [0, t) */
    if (t < 28 || t > d.n_days + 1) {
        fprintf(stderr, "inv-bench: %s is outside the sales history\n", date);
        return 1;
    }
    FILE *f = fopen(outp, "w");
    if (!f) {
        fprintf(stderr, "inv-bench: cannot write '%s': %s\n", outp, strerror(errno));
        return 1;
    }
    fprintf(f, "sku,warehouse,days,mean");
    for (int l = 0; l < NLEV; l++) {
        char nm[16];
        snprintf(nm, sizeof nm, "%g", LEVELS[l] * 100);
        for (char *c = nm; *c; c++)
            if (*c == '.')
                *c = '_';
        fprintf(f, ",q%s", nm);
    }
    fputc('\n', f);
    double *q = malloc(sizeof(double) * (size_t)days * NLEV);
    for (int i = 0; i < d.n; i++) {
        char sku[96];
        snprintf(sku, sizeof sku, "%s", d.s[i].id);
        char *at = strchr(sku, '@');
        if (!at)
            continue;
        *at = 0;
        forecast_cum(d.s[i].dem, t < d.n_days ? t : d.n_days, days, q);
        int w = t < HIST ? t : HIST;
        double m = 0;
        for (int k = t - w; k < t && k < d.n_days; k++)
            m += d.s[i].dem[k];
        m /= w;
        for (int k = 1; k <= days; k++) {
            fprintf(f, "%s,%s,%d,%.4f", sku, at + 1, k, m * k);
            for (int l = 0; l < NLEV; l++)
                fprintf(f, ",%.4f", q[(size_t)(k - 1) * NLEV + l]);
            fputc('\n', f);
        }
    }
    free(q);
    return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (getenv("INV_HORIZON"))
        horizon = atoi(getenv("INV_HORIZON"));
    if (getenv("INV_LEVEL_W"))
        level_w = atof(getenv("INV_LEVEL_W"));
    if (getenv("INV_LOST_SALES"))
        lost_sales = atoi(getenv("INV_LOST_SALES")) != 0;
    if (getenv("INV_RECOURSE"))
        recourse = atoi(getenv("INV_RECOURSE")) != 0;
    if (getenv("INV_TERMINAL"))
        terminal_value = atoi(getenv("INV_TERMINAL")) != 0;
    if (getenv("INV_BUDGET_FACTOR"))
        budget_factor = atof(getenv("INV_BUDGET_FACTOR"));
    if (getenv("INV_HINDSIGHT_TOTAL_S"))
        hind_total = atof(getenv("INV_HINDSIGHT_TOTAL_S"));
    if (getenv("INV_HINDSIGHT_S"))
        hind_limit = atof(getenv("INV_HINDSIGHT_S"));
    if (getenv("INV_FC_PATHS"))
        fc_paths = atoi(getenv("INV_FC_PATHS"));
    if (getenv("INV_FC_REFIT"))
        fc_refit = atoi(getenv("INV_FC_REFIT"));
    if (getenv("INV_FC_FT_EPOCHS"))
        fc_ft_epochs = atoi(getenv("INV_FC_FT_EPOCHS"));
    if (getenv("INV_FC_THREADS"))
        fc_threads = atoi(getenv("INV_FC_THREADS"));
    if (getenv("INV_FC_EPOCHS"))
        fc_epochs = atoi(getenv("INV_FC_EPOCHS"));
    if (argc >= 5 && !strcmp(argv[1], "sim")) {
        for (int a = 5; a < argc; a++) {
            int k = -1;
            for (int j = 0; j < 3; j++)
                if (a + 1 < argc && !strcmp(argv[a], "--forecaster") &&
                    !strcmp(argv[a + 1], fc_names[j]))
                    k = j;
            if (k < 0) {
                fprintf(stderr, "inv-bench: unknown option '%s'; use --forecaster plugin, stat "
                                "or bench\n", argv[a]);
                return 64;
            }
            fc_kind = (enum fc_kind)k;
            a++;
        }
        return run_sim(argv[2], argv[3], strtoull(argv[4], NULL, 10));
    }
    if (argc >= 6 && !strcmp(argv[1], "fcum"))
        return run_fcum(argv[2], argv[3], argv[4], atoi(argv[5]));
    if (argc >= 5 && !strcmp(argv[1], "scale"))
        return run_scale(atoi(argv[2]), atoi(argv[3]), strtoull(argv[4], NULL, 10),
                         argc >= 6 ? atoi(argv[5]) : 60);
    fprintf(stderr, "usage: inv-bench sim DATA_DIR OUT_DIR SEED [--forecaster plugin|stat|bench]"
                    " | scale N WAREHOUSES SEED [ITERS]\n");
    return 64;
}
