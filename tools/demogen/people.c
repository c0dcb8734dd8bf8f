/* Customers, their past orders (with fraud labels), tomorrow's deliveries and the fleet. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "demogen.h"
#include "dmath.h"

const char *const dg_segment_names[] = { "consumer", "business", "premium" };
const char *const dg_payment_names[] = { "card", "paypal", "invoice", "direct_debit", "gift_card" };
enum { PAY_CARD, PAY_PAYPAL, PAY_INVOICE, PAY_DEBIT, PAY_GIFT };

static const double pay_weights[3][5] = {
    { 0.35, 0.38, 0.10, 0.14, 0.03 }, /* consumer */
    { 0.25, 0.05, 0.60, 0.10, 0.00 }, /* business */
    { 0.45, 0.35, 0.05, 0.13, 0.02 }, /* premium */
};
static const double fraud_pay_weights[5] = { 0.75, 0.10, 0.0, 0.0, 0.15 };

/* when people order (hour of day) */
static const double hour_weights[24] = {
    0.30, 0.15, 0.10, 0.08, 0.08, 0.20, 0.80, 1.50, 2.50, 3.00, 3.00, 3.00,
    3.50, 3.00, 3.00, 3.00, 3.00, 3.50, 4.00, 4.50, 5.00, 4.50, 3.00, 1.50,
};
static const char *const legit_card_abroad[] = { "AT", "NL", "CH", "FR", "PL",
                                                 "DK", "BE", "LU", "GB", "US" };
static const char *const legit_ip_abroad[] = {
    "AT", "NL", "FR", "ES", "IT", "CH", "US", "GB", "PT"
};
static const char *const fraud_card[] = {
    "US", "GB", "NG", "RO", "BR", "UA", "CN", "NL", "FR", "TR"
};
static const char *const fraud_ip[] = {
    "RU", "NG", "VN", "US", "NL", "RO", "BR", "CN", "ID", "UA"
};
/* how likely a customer favours a category */
static const double cat_affinity[DG_NCAT] = { 2, 3, 2.5, 2, 2, 1.5, 1, 1, 1.2, 1 };

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define HIST_START (DG_HIST - DG_HIST_ORDERS)
#define MAX_BOUGHT 24

struct gen {
    struct dg_model *m;
    struct dg_rng r;
    int cap_customers, cap_hist, cap_hist_lines, cap_orders, cap_lines;
    int cap_bought;            /* customers bought[] has room for */
    int (*bought)[MAX_BOUGHT]; /* per customer: series bought before */
    int *n_bought;
    double *prefix[DG_NWH]; /* cumulative daily units per warehouse over the window */
    int *pending;           /* per series: units on tomorrow's orders so far */
    double *w;              /* scratch weights, one per series */
};

static int grow(void **p, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, (size_t)n * size);
    if (!q)
        return -1;
    memset((char *)q + (size_t)*cap * size, 0, (size_t)(n - *cap) * size);
    *p = q;
    *cap = n;
    return 0;
}

/* Whether two points are within km of each other (haversine, earth radius 6371 km):
 * a = sin^2(dlat/2) + cos(lat1) cos(lat2) sin^2(dlon/2) <= sin^2(km / (2 R)) */
static int within_km(double lat1, double lon1, double lat2, double lon2, double km)
{
    const double rad = 3.14159265358979323846 / 180.0;
    double slat = dg_sin((lat2 - lat1) * rad / 2), slon = dg_sin((lon2 - lon1) * rad / 2);
    double a = slat * slat + dg_cos(lat1 * rad) * dg_cos(lat2 * rad) * slon * slon;
    double h = dg_sin(km / (2.0 * 6371.0));
    return a <= h * h;
}

static void place(struct gen *g, int wh, double *lat, double *lon)
{
    const struct dg_warehouse *w = &g->m->whs[wh];
    double tw[16];
    for (int i = 0; i < w->n_towns; i++)
        tw[i] = w->towns[i].weight;
    for (;;) {
        const struct dg_town *t = &w->towns[dg_pick(&g->r, tw, w->n_towns)];
        double dy = t->sigma_km * dg_normal(&g->r), dx = t->sigma_km * dg_normal(&g->r);
        *lat = t->lat + dy / 111.32;
        *lon = t->lon + dx / (111.32 * dg_cos(t->lat * 3.14159265358979323846 / 180.0));
        if (within_km(*lat, *lon, w->lat, w->lon, 40.0))
            return;
    }
}

static int new_customer(struct gen *g, int wh, int segment, int64_t signup)
{
    struct dg_model *m = g->m;
    if (m->n_customers >= g->cap_bought || grow((void **)&m->customers, &g->cap_customers,
                                                m->n_customers + 1, sizeof *m->customers) < 0)
        return -1;
    struct dg_customer *c = &m->customers[m->n_customers];
    c->wh = wh;
    c->segment = segment;
    c->signup = signup;
    place(g, wh, &c->lat, &c->lon);
    c->fav[0] = dg_pick(&g->r, cat_affinity, DG_NCAT);
    do
        c->fav[1] = dg_pick(&g->r, cat_affinity, DG_NCAT);
    while (c->fav[1] == c->fav[0]);
    return m->n_customers++;
}

static int make_customers(struct gen *g)
{
    struct dg_model *m = g->m;
    int64_t first = sco_days_from_civil(2019, 1, 1), last = m->d0 + DG_HIST - 1;
    for (int w = 0; w < DG_NWH; w++)
        for (int k = 0; k < m->whs[w].n_customers; k++) {
            double u = dg_unif(&g->r);
            int seg = u < 0.80 ? SEG_CONSUMER : u < 0.92 ? SEG_BUSINESS : SEG_PREMIUM;
            /* sign-ups grow over time: more recent accounts than old ones */
            int64_t signup = last - (int64_t)((double)(last - first) * dg_pow(dg_unif(&g->r), 1.3));
            int ci = new_customer(g, w, seg, signup);
            if (ci < 0)
                return -1;
            static const double mu[3] = { 0.8, 2.0, 3.5 }, sd[3] = { 0.9, 0.7, 0.6 };
            m->customers[ci].rate = dg_lognormal(&g->r, dg_log(mu[seg]), sd[seg]);
        }
    return 0;
}

static int sample_day(struct gen *g, int wh, int lo)
{
    const double *p = g->prefix[wh];
    if (lo < HIST_START)
        lo = HIST_START;
    double a = p[lo - HIST_START], b = p[DG_HIST_ORDERS];
    if (!(b > a))
        return -1;
    double x = a + dg_unif(&g->r) * (b - a);
    int l = lo - HIST_START, h = DG_HIST_ORDERS - 1;
    while (l < h) { /* first day whose cumulative total exceeds x */
        int mid = (l + h) / 2;
        if (p[mid + 1] > x)
            h = mid;
        else
            l = mid + 1;
    }
    return HIST_START + l;
}

static int pick_minute(struct gen *g, int fraud)
{
    int h;
    if (fraud && dg_bern(&g->r, 0.45))
        h = dg_int(&g->r, 0, 5);
    else if (fraud)
        h = dg_int(&g->r, 8, 23);
    else
        h = dg_pick(&g->r, hour_weights, 24);
    return h * 60 + dg_int(&g->r, 0, 59);
}

static void set_countries(struct gen *g, struct dg_order *o, int fraud)
{
    const char *card = "DE", *ip = "DE";
    if (fraud) {
        if (dg_bern(&g->r, 0.65))
            card = fraud_card[dg_int(&g->r, 0, N_OF(fraud_card) - 1)];
        if (dg_bern(&g->r, 0.60))
            ip = fraud_ip[dg_int(&g->r, 0, N_OF(fraud_ip) - 1)];
    } else {
        if (dg_bern(&g->r, 0.05))
            card = legit_card_abroad[dg_int(&g->r, 0, N_OF(legit_card_abroad) - 1)];
        if (dg_bern(&g->r, 0.06))
            ip = legit_ip_abroad[dg_int(&g->r, 0, N_OF(legit_ip_abroad) - 1)];
    }
    memcpy(o->card, card, 3);
    memcpy(o->ship, "DE", 3);
    memcpy(o->ip, ip, 3);
}

static int pick_qty(struct gen *g, int segment, int fraud)
{
    if (fraud)
        return dg_int(&g->r, 2, 5);
    if (segment == SEG_BUSINESS)
        return dg_int(&g->r, 1, 6);
    double u = dg_unif(&g->r);
    return u < 0.70 ? 1 : u < 0.90 ? 2 : 3;
}

static int n_lines_for(struct gen *g, int segment, int fraud)
{
    int n = fraud                     ? 1 + dg_poisson(&g->r, 2.5)
            : segment == SEG_BUSINESS ? 2 + dg_poisson(&g->r, 1.5)
            : segment == SEG_PREMIUM  ? 1 + dg_poisson(&g->r, 2.0)
                                      : 1 + dg_poisson(&g->r, 1.3);
    return n > 10 ? 10 : n;
}

/* Weight of series si as the next line of customer c's order (hist: units left that day;
 * tomorrow: recent sales rate). */
static double line_weight(struct gen *g, const struct dg_customer *c, int si, int day, int fraud)
{
    const struct dg_model *m = g->m;
    const struct dg_series *s = &m->series[si];
    const struct dg_item *it = &m->items[s->item];
    double w;
    if (day < DG_HIST) {
        w = s->left[day];
    } else {
        if (it->status == STATUS_DISCONTINUED || it->launch >= DG_HIST)
            return 0.0;
        w = s->rate28 + 0.02;
    }
    if (w <= 0.0)
        return 0.0;
    if (fraud)
        return w * (it->price_c >= 2000 ? 40.0 : 1.0) * (it->cat == CAT_ELEC ? 3.0 : 1.0);
    if (it->cat == c->fav[0] || it->cat == c->fav[1])
        w *= 4.0;
    return w;
}

static int add_line(struct gen *g, struct dg_order *o, int si, int qty, int day, int hist)
{
    struct dg_model *m = g->m;
    struct dg_series *s = &m->series[si];
    struct dg_line **lines = hist ? &m->hist_lines : &m->lines;
    int *n = hist ? &m->n_hist_lines : &m->n_lines;
    int *cap = hist ? &g->cap_hist_lines : &g->cap_lines;
    for (int k = 0; k < o->n_lines; k++)
        if ((*lines)[o->first_line + k].item == s->item)
            return 0; /* one line per SKU */
    if (grow((void **)lines, cap, *n + 1, sizeof **lines) < 0)
        return -1;
    struct dg_line *l = &(*lines)[(*n)++];
    const struct dg_item *it = &m->items[s->item];
    l->item = s->item;
    l->qty = qty;
    l->price_c = dg_price_at(m, s->item, s->wh, hist ? day : DG_HIST - 1);
    o->n_lines++;
    o->amount_c += (long)qty * l->price_c;
    o->weight_g += (long)qty * it->weight_g;
    o->volume_ml += (long)qty * it->volume_ml;
    o->chilled |= m->cats[it->cat].chilled;
    if (hist)
        s->left[day] -= qty;
    else
        g->pending[si] += qty;
    int ci = o->customer, nb = g->n_bought[ci];
    int seen = 0;
    for (int k = 0; k < nb; k++)
        seen |= g->bought[ci][k] == si;
    if (!seen && nb < MAX_BOUGHT)
        g->bought[ci][g->n_bought[ci]++] = si;
    return 0;
}

/* Fills the lines of order o (customer, wh, day, fraud set). hist: day is a history day. */
static int fill_lines(struct gen *g, struct dg_order *o, int hist)
{
    struct dg_model *m = g->m;
    const struct dg_customer *c = &m->customers[o->customer];
    int day = hist ? o->day : DG_HIST;
    int want = n_lines_for(g, c->segment, o->fraud);
    o->first_line = hist ? m->n_hist_lines : m->n_lines;
    o->n_lines = 0;
    for (int tries = 0; o->n_lines < want && tries < 4 * want; tries++) {
        int si = -1;
        /* regulars buy again what they bought before */
        if (!o->fraud && g->n_bought[o->customer] > 0 && dg_bern(&g->r, 0.35)) {
            int k = g->bought[o->customer][dg_int(&g->r, 0, g->n_bought[o->customer] - 1)];
            if (line_weight(g, c, k, day, 0) > 0.0 && m->series[k].wh == o->wh)
                si = k;
        }
        if (si < 0) {
            for (int k = 0; k < m->n_series; k++)
                g->w[k] = m->series[k].wh == o->wh ? line_weight(g, c, k, day, o->fraud) : 0.0;
            si = dg_pick(&g->r, g->w, m->n_series);
            if (si < 0)
                break;
        }
        int qty = pick_qty(g, c->segment, o->fraud);
        const struct dg_series *s = &m->series[si];
        if (hist) {
            if (qty > s->left[day])
                qty = s->left[day];
        } else if (g->pending[si] + qty > s->on_hand && dg_bern(&g->r, 0.92)) {
            continue; /* mostly sell what is in stock; a few lines will be short */
        }
        if (qty <= 0)
            continue;
        if (add_line(g, o, si, qty, day, hist) < 0)
            return -1;
    }
    return 0;
}

static int pick_payment(struct gen *g, int segment, int fraud)
{
    return dg_pick(&g->r, fraud ? fraud_pay_weights : pay_weights[segment], 5);
}

static int push_hist(struct gen *g, int ci, int wh, int day, int fraud)
{
    struct dg_model *m = g->m;
    if (grow((void **)&m->hist, &g->cap_hist, m->n_hist + 1, sizeof *m->hist) < 0)
        return -1;
    struct dg_order *o = &m->hist[m->n_hist];
    memset(o, 0, sizeof *o);
    o->customer = ci;
    o->wh = wh;
    o->day = day;
    o->fraud = fraud;
    o->minute = pick_minute(g, fraud);
    o->payment = pick_payment(g, m->customers[ci].segment, fraud);
    set_countries(g, o, fraud);
    if (fill_lines(g, o, 1) < 0)
        return -1;
    if (o->n_lines > 0)
        m->n_hist++;
    return 0;
}

static int wh_by_scale(struct gen *g)
{
    double w[DG_NWH];
    for (int k = 0; k < DG_NWH; k++)
        w[k] = g->m->whs[k].scale;
    return dg_pick(&g->r, w, DG_NWH);
}

/* An existing customer of warehouse wh who had signed up by day (account takeover). */
static int existing_customer(struct gen *g, int wh, int64_t by_date)
{
    struct dg_model *m = g->m;
    for (int tries = 0; tries < 1000000; tries++) {
        int ci = dg_int(&g->r, 0, m->n_customers - 1);
        const struct dg_customer *c = &m->customers[ci];
        if (c->wh == wh && !c->fraud_account && c->signup <= by_date)
            return ci;
    }
    return -1;
}

static int cmp_order(const void *a, const void *b)
{
    const struct dg_order *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    if (x->minute != y->minute)
        return x->minute < y->minute ? -1 : 1;
    if (x->wh != y->wh)
        return x->wh < y->wh ? -1 : 1;
    return (x->customer > y->customer) - (x->customer < y->customer);
}

static int make_history(struct gen *g)
{
    struct dg_model *m = g->m;
    for (int w = 0; w < DG_NWH; w++) {
        g->prefix[w] = calloc(DG_HIST_ORDERS + 1, sizeof(double));
        if (!g->prefix[w])
            return -1;
        for (int d = 0; d < DG_HIST_ORDERS; d++) {
            double units = 0;
            for (int si = 0; si < m->n_series; si++)
                if (m->series[si].wh == w)
                    units += m->series[si].qty[HIST_START + d];
            g->prefix[w][d + 1] = g->prefix[w][d] + units;
        }
    }
    int n_regular = m->n_customers;
    for (int ci = 0; ci < n_regular; ci++) {
        const struct dg_customer *c = &m->customers[ci];
        int from = (int)(c->signup - m->d0);
        if (from < HIST_START)
            from = HIST_START;
        int n = dg_poisson(&g->r, c->rate * (DG_HIST - from) / 365.0);
        /* most people sign up to place their first order */
        int signup_day = (int)(c->signup - m->d0);
        int first_soon = signup_day >= HIST_START && dg_bern(&g->r, 0.6);
        if (first_soon && n == 0)
            n = 1;
        for (int k = 0; k < n; k++) {
            int day = sample_day(g, c->wh, from);
            if (k == 0 && first_soon) {
                day = signup_day + (dg_bern(&g->r, 0.7) ? 0 : dg_int(&g->r, 1, 3));
                if (day >= DG_HIST)
                    day = DG_HIST - 1;
            }
            if (day >= 0 && push_hist(g, ci, c->wh, day, 0) < 0)
                return -1;
        }
    }
    /* about 2% fraud: new throw-away accounts and taken-over old ones */
    int n_fraud = (int)lround(m->n_hist * 0.02 / 0.98);
    for (int k = 0; k < n_fraud; k++) {
        int wh = wh_by_scale(g);
        int day = sample_day(g, wh, HIST_START);
        int ci;
        if (dg_bern(&g->r, 0.6)) {
            ci = new_customer(g, wh, SEG_CONSUMER, m->d0 + day - dg_int(&g->r, 0, 3));
            if (ci < 0)
                return -1;
            m->customers[ci].fraud_account = 1;
        } else {
            ci = existing_customer(g, wh, m->d0 + day);
        }
        if (ci >= 0 && push_hist(g, ci, wh, day, 1) < 0)
            return -1;
    }
    /* order by time; lines move with their order */
    qsort(m->hist, (size_t)m->n_hist, sizeof *m->hist, cmp_order);
    struct dg_line *sorted = malloc((size_t)m->n_hist_lines * sizeof *sorted);
    if (!sorted)
        return -1;
    int n = 0;
    for (int k = 0; k < m->n_hist; k++) {
        struct dg_order *o = &m->hist[k];
        memcpy(&sorted[n], &m->hist_lines[o->first_line], (size_t)o->n_lines * sizeof *sorted);
        o->first_line = n;
        n += o->n_lines;
    }
    free(m->hist_lines);
    m->hist_lines = sorted;
    m->n_hist_lines = n;
    return 0;
}

static void time_window(struct gen *g, struct dg_order *o)
{
    int seg = g->m->customers[o->customer].segment;
    double u = dg_unif(&g->r);
    if (seg == SEG_BUSINESS) {
        static const int b[3][2] = { { 9 * 60, 12 * 60 },
                                     { 8 * 60, 16 * 60 },
                                     { 10 * 60, 14 * 60 } };
        int k = dg_int(&g->r, 0, 2);
        o->tw_start = b[k][0];
        o->tw_end = b[k][1];
    } else if (u < (seg == SEG_PREMIUM ? 0.6 : 0.2)) { /* one-hour slot */
        o->tw_start = dg_int(&g->r, 8, 19) * 60;
        o->tw_end = o->tw_start + 60;
    } else if (u < (seg == SEG_PREMIUM ? 0.9 : 0.65)) { /* two-hour slot */
        o->tw_start = 8 * 60 + 120 * dg_int(&g->r, 0, 5);
        o->tw_end = o->tw_start + 120;
    } else {
        static const int wide[4][2] = {
            { 8 * 60, 14 * 60 }, { 12 * 60, 18 * 60 }, { 14 * 60, 20 * 60 }, { 8 * 60, 20 * 60 }
        };
        int k = dg_int(&g->r, 0, 3);
        o->tw_start = wide[k][0];
        o->tw_end = wide[k][1];
    }
    int units = 0;
    for (int k = 0; k < o->n_lines; k++)
        units += g->m->lines[o->first_line + k].qty;
    int service =
        3 + (units + 1) / 2 + (o->weight_g > 30000 ? 5 : 0) + (seg == SEG_BUSINESS ? 4 : 0);
    o->service_min = service > 20 ? 20 : service;
}

static int push_order(struct gen *g, int ci, int wh, int suspicious)
{
    struct dg_model *m = g->m;
    if (grow((void **)&m->orders, &g->cap_orders, m->n_orders + 1, sizeof *m->orders) < 0)
        return -1;
    struct dg_order *o = &m->orders[m->n_orders];
    memset(o, 0, sizeof *o);
    o->customer = ci;
    o->wh = wh;
    o->day = DG_HIST - 1;
    o->fraud = suspicious;
    o->suspicious = suspicious;
    o->minute = pick_minute(g, suspicious);
    o->payment = pick_payment(g, m->customers[ci].segment, suspicious);
    set_countries(g, o, suspicious);
    if (fill_lines(g, o, 0) < 0)
        return -1;
    if (o->n_lines == 0)
        return 0;
    time_window(g, o);
    m->n_orders++;
    return 0;
}

static int make_orders(struct gen *g)
{
    struct dg_model *m = g->m;
    double *w = calloc((size_t)m->n_customers, sizeof *w);
    if (!w)
        return -1;
    for (int wh = 0; wh < DG_NWH; wh++) {
        for (int ci = 0; ci < m->n_customers; ci++) {
            const struct dg_customer *c = &m->customers[ci];
            w[ci] = c->wh == wh && !c->fraud_account ? c->rate : 0.0;
        }
        for (int k = 0; k < m->whs[wh].n_orders; k++) {
            int ci = dg_pick(&g->r, w, m->n_customers);
            if (ci < 0)
                break;
            w[ci] = 0.0; /* one order per customer */
            if (push_order(g, ci, wh, 0) < 0)
                goto oom;
        }
        for (int k = 0; k < m->whs[wh].n_suspicious; k++) {
            int ci;
            if (k % 2 == 0) {
                ci = new_customer(g, wh, SEG_CONSUMER, m->d0 + DG_HIST - 1 - dg_int(&g->r, 0, 1));
                if (ci < 0)
                    goto oom;
                m->customers[ci].fraud_account = 1;
                double *nw = realloc(w, (size_t)m->n_customers * sizeof *w);
                if (!nw)
                    goto oom;
                w = nw;
                w[ci] = 0.0;
            } else {
                ci = existing_customer(g, wh, m->d0 + DG_HIST - 1);
            }
            if (ci >= 0 && push_order(g, ci, wh, 1) < 0)
                goto oom;
        }
    }
    qsort(m->orders, (size_t)m->n_orders, sizeof *m->orders, cmp_order);
    free(w);
    return 0;
oom:
    free(w);
    return -1;
}

static void make_vehicles(struct gen *g)
{
    static const struct {
        const char *type;
        int kg, l, refrigerated;
        double fixed, per_km, per_hour;
    } types[3] = {
        { "van", 750, 6000, 0, 45.0, 0.28, 24.0 },
        { "refrigerated_van", 600, 4500, 1, 60.0, 0.34, 26.0 },
        { "large_van", 1200, 11000, 0, 65.0, 0.38, 26.0 },
    };
    static const int shifts[3][2] = { { 7 * 60, 15 * 60 + 30 },
                                      { 10 * 60 + 30, 19 * 60 },
                                      { 12 * 60 + 30, 21 * 60 } };
    /* per warehouse: vans per shift, refrigerated vans per shift, large vans (early) */
    static const int fleet[DG_NWH][7] = {
        { 2, 1, 2, 2, 3, 3, 1 },
        { 2, 1, 2, 2, 2, 3, 1 },
        { 1, 1, 2, 2, 2, 3, 1 },
    };
    struct dg_model *m = g->m;
    m->vehicles = calloc(64, sizeof *m->vehicles);
    if (!m->vehicles)
        return;
    for (int wh = 0; wh < DG_NWH; wh++) {
        int n = 0;
        for (int slot = 0; slot < 7; slot++) {
            int type = slot < 3 ? 0 : slot < 6 ? 1 : 2, shift = slot < 6 ? slot % 3 : 0;
            for (int k = 0; k < fleet[wh][slot]; k++) {
                struct dg_vehicle *v = &m->vehicles[m->n_vehicles++];
                snprintf(v->id, sizeof v->id, "%s-V%02d", m->whs[wh].id, ++n);
                v->type = types[type].type;
                v->wh = wh;
                v->capacity_kg = types[type].kg;
                v->capacity_l = types[type].l;
                v->refrigerated = types[type].refrigerated;
                v->shift_start = shifts[shift][0];
                v->shift_end = shifts[shift][1];
                v->fixed_cost = types[type].fixed;
                v->cost_per_km = types[type].per_km;
                v->cost_per_hour = types[type].per_hour;
            }
        }
    }
}

struct id_key {
    int64_t signup;
    int index;
};

static int cmp_id_key(const void *a, const void *b)
{
    const struct id_key *x = a, *y = b;
    if (x->signup != y->signup)
        return x->signup < y->signup ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Customer numbers follow sign-up order, as a shop's would, so that they say nothing about
 * how a customer was generated. */
static int number_customers(struct dg_model *m)
{
    struct id_key *keys = calloc((size_t)m->n_customers, sizeof *keys);
    int *new_index = calloc((size_t)m->n_customers, sizeof *new_index);
    struct dg_customer *sorted = calloc((size_t)m->n_customers, sizeof *sorted);
    if (!keys || !new_index || !sorted) {
        free(keys);
        free(new_index);
        free(sorted);
        return -1;
    }
    for (int i = 0; i < m->n_customers; i++) {
        keys[i].signup = m->customers[i].signup;
        keys[i].index = i;
    }
    qsort(keys, (size_t)m->n_customers, sizeof *keys, cmp_id_key);
    for (int k = 0; k < m->n_customers; k++) {
        new_index[keys[k].index] = k;
        sorted[k] = m->customers[keys[k].index];
        snprintf(sorted[k].id, sizeof sorted[k].id, "C%05d", k + 1);
    }
    for (int k = 0; k < m->n_hist; k++)
        m->hist[k].customer = new_index[m->hist[k].customer];
    for (int k = 0; k < m->n_orders; k++)
        m->orders[k].customer = new_index[m->orders[k].customer];
    free(m->customers);
    m->customers = sorted;
    free(keys);
    free(new_index);
    return 0;
}

int dg_people(struct dg_model *m)
{
    struct gen g;
    memset(&g, 0, sizeof g);
    g.m = m;
    dg_stream(m, &g.r, 8);
    int rc = -1;
    g.w = calloc((size_t)m->n_series, sizeof *g.w);
    g.pending = calloc((size_t)m->n_series, sizeof *g.pending);
    /* regular customers plus room for the throw-away accounts of fraudsters */
    g.cap_bought = 4096;
    for (int w = 0; w < DG_NWH; w++)
        g.cap_bought += m->whs[w].n_customers;
    g.bought = calloc((size_t)g.cap_bought, sizeof *g.bought);
    g.n_bought = calloc((size_t)g.cap_bought, sizeof *g.n_bought);
    if (!g.w || !g.pending || !g.bought || !g.n_bought || make_customers(&g) < 0)
        goto out;
    if (make_history(&g) < 0 || make_orders(&g) < 0)
        goto out;
    make_vehicles(&g);
    if (!m->vehicles || number_customers(m) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        fprintf(stderr, "sco-demogen: out of memory generating customers and orders\n");
    for (int w = 0; w < DG_NWH; w++)
        free(g.prefix[w]);
    free(g.bought);
    free(g.n_bought);
    free(g.pending);
    free(g.w);
    return rc;
}
