/* inv-plan.c: the replenishment plan. Each SKU-location's lot-sizing subproblem is solved
 * exactly by dynamic programming over cumulative cases; the coupling rows (budget per order
 * day, receiving volume per warehouse and arrival day, storage volume per warehouse and stage)
 * are priced by Lagrangian relaxation (projected subgradient, Polyak steps on rows scaled to
 * usage / capacity <= 1); the best dual value is the lower bound; primal plans come from the
 * subproblem solutions, repaired greedily (cheapest cost per unit of freed capacity first) and
 * then filled greedily where slack remains. */
#include <math.h>
#ifdef INV_TRACE
#include <stdio.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "inv-plan-int.h"

#define MAX_STATES 20000

static double stor_use(const struct sco_inv_sub *s, int m, int32_t n)
{
    double v = s->sb[m] + s->vol_case * n;
    return v > 0 ? v : 0;
}

static int validate_item(const struct sco_inv_problem *pb, int i, struct sco_err *err)
{
    const struct sco_inv_item *it = &pb->items[i];
    if (it->wh < 0 || it->wh >= pb->n_wh)
        return sco_err_set(err, SCO_ERR_INVALID, "item %d: warehouse index %d out of range", i,
                           it->wh);
    if (it->case_pack < 1)
        return sco_err_set(err, SCO_ERR_INVALID, "item %d: case pack %lld must be >= 1", i,
                           (long long)it->case_pack);
    if (it->moq < 0)
        return sco_err_set(err, SCO_ERR_INVALID, "item %d: negative moq", i);
    if (!(it->on_hand >= 0))
        return sco_err_set(err, SCO_ERR_INVALID, "item %d: on hand %g must be >= 0", i,
                           it->on_hand);
    if (!(it->hold >= 0) || !(it->penalty >= 0) || !(it->fixed >= 0) || !(it->unit_cost >= 0) ||
        !(it->volume_l >= 0) || !isfinite(it->hold + it->penalty + it->fixed + it->unit_cost +
                                          it->volume_l))
        return sco_err_set(err, SCO_ERR_INVALID,
                           "item %d: costs and volume must be finite and >= 0", i);
    if (!(it->lead_mean >= 0) || !(it->lead_sd >= 0) || !isfinite(it->lead_mean + it->lead_sd))
        return sco_err_set(err, SCO_ERR_INVALID, "item %d: lead time must be >= 0", i);
    if (it->order_offset < 0 || it->order_offset > 366)
        return sco_err_set(err, SCO_ERR_INVALID, "item %d: order offset %d out of range", i,
                           it->order_offset);
    if (it->n_days > 0 && !it->cum_q)
        return sco_err_set(err, SCO_ERR_INVALID, "item %d: no forecast quantiles", i);
    return 0;
}

void sco__inv_model_fini(struct sco_inv_model *md)
{
    if (!md)
        return;
    if (md->sub)
        for (int32_t i = 0; i < md->n_items; i++) {
            free(md->sub[i].G);
            free(md->sub[i].sb);
        }
    free(md->sub);
    free(md->cap_b);
    free(md->cap_r);
    free(md->cap_s);
    memset(md, 0, sizeof *md);
}

/* E[(D_k - y)^+] for demand over the first k days; with recourse from day T (> 0) only the
 * demand after T is uncertain: D_k = (mean_k - mean_(k-T)) + D_(k-T), the position at T being
 * observed and re-planned by then. */
static double loss_at(const struct sco_inv_dist *dist, int k, int T, double y)
{
    if (T <= 0 || k - T < 1)
        return sco__inv_dist_loss(&dist[k], y);
    return sco__inv_dist_loss(&dist[k - T], y - (dist[k].mean - dist[k - T].mean));
}

static int build_item(const struct sco_inv_problem *pb, int32_t i, struct sco_inv_sub *s,
                      struct sco_inv_dist *dist, struct sco_err *err)
{
    const struct sco_inv_item *it = &pb->items[i];
    int R = pb->review_days;
    int L[SCO_INV_MAX_LEADS];
    double w[SCO_INV_MAX_LEADS];
    int nl = sco__inv_lead_points(it->lead_mean, it->lead_sd, L, w);
    int lhi = 0;
    for (int j = 0; j < nl; j++)
        if (L[j] > lhi)
            lhi = L[j];
    int n_stages = (pb->horizon_days + R - 1) / R;
    int off = it->order_offset > 0 ? it->order_offset : 0;
    int M = 0;
    while (M < n_stages && (M + 1) * R + off + lhi <= it->n_days)
        M++;
    s->M = M;
    s->wh = it->wh;
    s->arr = off + (int32_t)lround(it->lead_mean); /* order day offset + lead */
    s->moq_c = (int32_t)((it->moq + it->case_pack - 1) / it->case_pack);
    if (s->moq_c < 1)
        s->moq_c = 1;
    s->fixed = it->fixed;
    s->cost_case = it->unit_cost * (double)it->case_pack;
    s->vol_case = it->volume_l * (double)it->case_pack;
    if (M == 0) {
        s->S = 1;
        return 0;
    }
    int kmax = M * R + off + lhi;
    for (int k = 1; k <= kmax; k++) {
        int rc = sco__inv_dist_init(&dist[k], pb->levels, it->cum_q + (size_t)(k - 1) * pb->n_levels,
                                    pb->n_levels, err);
        if (rc)
            return sco_err_set(err, rc, "item %d, forecast day %d: %s", i, k, err->msg);
    }
    /* states: enough cumulative cases to cover the 99.95% quantile of demand to the end */
    double base0 = sco__inv_position(it->on_hand, it->open, it->n_open, 0);
    double ymax = sco__inv_dist_quantile(&dist[kmax], 0.9995);
    double cp = (double)it->case_pack;
    /* terminal value: the daily rate mu and the economic lot q_eoq of the continuation; the
     * states then reach one economic lot (at most a year of demand) past ymax: V is least at
     * x = q_eoq and holding within the horizon only lowers the best leftover */
    double mu = dist[kmax].mean / kmax;
    double q_eoq = 0;
    bool tv = pb->terminal_value && mu > 0 && it->hold > 0;
    if (tv) {
        q_eoq = sqrt(2 * it->fixed * mu / it->hold);
        ymax += fmin(q_eoq, 365 * mu);
    }
    double need = ceil((ymax - base0) / cp);
    if (need < 0)
        need = 0;
    if (need < s->moq_c)
        need = s->moq_c;
    if (need + 2 > MAX_STATES)
        need = MAX_STATES - 2;
    s->S = (int32_t)need + 2;
    s->G = calloc((size_t)M * s->S, sizeof *s->G);
    s->sb = calloc((size_t)M, sizeof *s->sb);
    if (!s->G || !s->sb)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for item %d's cost table", i);
    /* penalty floor from the service target: critical ratio p / (p + h R) >= target */
    double p = it->penalty;
    double st = pb->service_target;
    if (st > 0 && st < 1) {
        double pf = st / (1 - st) * it->hold * R;
        if (pf > p)
            p = pf;
    }
    for (int m = 0; m < M; m++) {
        int tm = m * R + off;
        double *g = s->G + (size_t)m * s->S;
        int T = pb->recourse && m > 0 ? tm : 0;
        for (int j = 0; j < nl; j++) {
            double base = sco__inv_position(it->on_hand, it->open, it->n_open, tm + L[j]);
            int d0 = tm + L[j];         /* first day covered (0-based) */
            int d1 = tm + R + L[j] - 1; /* last day covered */
            for (int32_t n = 0; n < s->S; n++) {
                double y = base + cp * n;
                double hsum = 0;
                for (int d = d0; d <= d1; d++) {
                    const struct sco_inv_dist *dd = &dist[d + 1];
                    hsum += y - dd->mean + loss_at(dist, d + 1, T, y);
                }
                double sh = loss_at(dist, d1 + 1, T, y);
                /* lost sales: only the shortfall arising within the period (demand before it
                 * that was not served is gone, not owed) */
                if (pb->lost_sales && d0 >= 1)
                    sh -= loss_at(dist, d0, T, y);
                double tvc = 0;
                if (tv && m == M - 1) {
                    const struct sco_inv_dist *de = &dist[d1 + 1];
                    double x = y - de->mean + loss_at(dist, d1 + 1, T, y); /* E[(y - D)^+] */
                    double r = sqrt(it->hold / (2 * mu)) * (x > 0 ? x : 0) - sqrt(it->fixed);
                    tvc = r * r;
                }
                g[n] += w[j] * (it->hold * hsum + p * sh + tvc);
            }
        }
        /* storage: expected stock right after the arrival (mean lead time) */
        int da = m * R + s->arr;
        if (da > kmax)
            da = kmax;
        double mu = da >= 1 ? dist[da].mean : 0;
        s->sb[m] = it->volume_l * (sco__inv_position(it->on_hand, it->open, it->n_open, da) - mu);
    }
    return 0;
}

int sco__inv_model_build(const struct sco_inv_problem *pb, struct sco_inv_model *md,
                         struct sco_err *err)
{
    int rc = 0;
    memset(md, 0, sizeof *md);
    if (pb->review_days < 1)
        return sco_err_set(err, SCO_ERR_CONFIG, "review period %d days must be >= 1",
                           pb->review_days);
    if (pb->horizon_days < 1)
        return sco_err_set(err, SCO_ERR_CONFIG, "horizon %d days must be >= 1", pb->horizon_days);
    if (pb->n_levels < 1 || pb->n_levels > SCO_INV_MAX_LEVELS)
        return sco_err_set(err, SCO_ERR_INVALID, "forecast needs 1..%d quantile columns, got %d",
                           SCO_INV_MAX_LEVELS, pb->n_levels);
    if (pb->n_wh < 1)
        return sco_err_set(err, SCO_ERR_INVALID, "no warehouses");
    for (int32_t i = 0; i < pb->n_items; i++)
        if ((rc = validate_item(pb, i, err)))
            return rc;
    int R = pb->review_days;
    md->n_items = pb->n_items;
    md->n_stages = (pb->horizon_days + R - 1) / R;
    md->n_wh = pb->n_wh;
    int maxarr = 0;
    for (int32_t i = 0; i < pb->n_items; i++) {
        int a = (int)lround(pb->items[i].lead_mean) +
                (pb->items[i].order_offset > 0 ? pb->items[i].order_offset : 0);
        if (a > maxarr)
            maxarr = a;
    }
    md->n_days = md->n_stages * R + maxarr + 1;
    int maxk = 1;
    for (int32_t i = 0; i < pb->n_items; i++)
        if (pb->items[i].n_days > maxk)
            maxk = pb->items[i].n_days;
    struct sco_inv_dist *dist = malloc(sizeof *dist * (size_t)(maxk + 1));
    md->sub = calloc((size_t)pb->n_items + 1, sizeof *md->sub);
    md->cap_b = malloc(sizeof *md->cap_b * (size_t)md->n_stages);
    md->cap_r = malloc(sizeof *md->cap_r * (size_t)md->n_wh * md->n_days);
    md->cap_s = malloc(sizeof *md->cap_s * (size_t)md->n_wh * md->n_stages);
    if (!dist || !md->sub || !md->cap_b || !md->cap_r || !md->cap_s) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for %d items", pb->n_items);
        goto fail;
    }
    for (int32_t i = 0; i < pb->n_items; i++) {
        if ((rc = build_item(pb, i, &md->sub[i], dist, err)))
            goto fail;
    }
    /* capacities */
    for (int m = 0; m < md->n_stages; m++)
        md->cap_b[m] = pb->budget > 0 && isfinite(pb->budget) ? pb->budget : INFINITY;
    for (int w = 0; w < md->n_wh; w++) {
        double rcap = pb->receiving_l ? pb->receiving_l[w] : INFINITY;
        double scap = pb->storage_l ? pb->storage_l[w] : INFINITY;
        for (int d = 0; d < md->n_days; d++)
            md->cap_r[w * md->n_days + d] = rcap > 0 && isfinite(rcap) ? rcap : INFINITY;
        for (int m = 0; m < md->n_stages; m++)
            md->cap_s[w * md->n_stages + m] = scap > 0 && isfinite(scap) ? scap : INFINITY;
    }
    /* open inbound orders take receiving capacity; storage already over capacity stays */
    for (int32_t i = 0; i < pb->n_items; i++) {
        const struct sco_inv_item *it = &pb->items[i];
        for (int32_t k = 0; k < it->n_open; k++) {
            int d = it->open[k].day;
            if (it->open[k].qty > 0 && d >= 0 && d < md->n_days)
                md->cap_r[it->wh * md->n_days + d] -= it->open[k].qty * it->volume_l;
        }
    }
    for (int i = 0; i < md->n_wh * md->n_days; i++)
        if (md->cap_r[i] < 0)
            md->cap_r[i] = 0;
    for (int w = 0; w < md->n_wh; w++)
        for (int m = 0; m < md->n_stages; m++) {
            double u = 0;
            for (int32_t i = 0; i < pb->n_items; i++)
                if (md->sub[i].wh == w && m < md->sub[i].M)
                    u += stor_use(&md->sub[i], m, 0);
            double *c = &md->cap_s[w * md->n_stages + m];
            if (u > *c)
                *c = u * (1 + 1e-9);
        }
    md->cost_zero = 0;
    for (int32_t i = 0; i < pb->n_items; i++) {
        const struct sco_inv_sub *s = &md->sub[i];
        for (int m = 0; m < s->M; m++)
            md->cost_zero += s->G[(size_t)m * s->S];
    }
    free(dist);
    return 0;
fail:
    free(dist);
    sco__inv_model_fini(md);
    return rc;
}

/* ---- Plans ---------------------------------------------------------------------------- */

void sco__inv_plan_fini(struct sco_inv_plan *plan)
{
    if (!plan)
        return;
    free(plan->cases);
    free(plan->n_valid);
    free(plan->arrive);
    free(plan->cut);
    free(plan->binding);
    free(plan->budget_used);
    free(plan->storage_used);
    free(plan->recv_used);
    free(plan->item_cost);
    memset(plan, 0, sizeof *plan);
}

int sco__inv_plan_alloc(struct sco_inv_plan *plan, const struct sco_inv_model *md,
                        struct sco_err *err)
{
    memset(plan, 0, sizeof *plan);
    plan->n_items = md->n_items;
    plan->n_stages = md->n_stages;
    plan->n_wh = md->n_wh;
    plan->n_days = md->n_days;
    size_t ni = (size_t)md->n_items + 1;
    plan->cases = calloc(ni * md->n_stages, sizeof *plan->cases);
    plan->n_valid = calloc(ni, sizeof *plan->n_valid);
    plan->arrive = calloc(ni, sizeof *plan->arrive);
    plan->cut = calloc(ni, 1);
    plan->binding = calloc(ni, 1);
    plan->budget_used = calloc((size_t)md->n_stages, sizeof(double));
    plan->storage_used = calloc((size_t)md->n_wh * md->n_stages, sizeof(double));
    plan->recv_used = calloc((size_t)md->n_wh * md->n_days, sizeof(double));
    plan->item_cost = calloc(ni, sizeof(double));
    if (!plan->cases || !plan->n_valid || !plan->arrive || !plan->cut || !plan->binding ||
        !plan->budget_used || !plan->storage_used || !plan->recv_used || !plan->item_cost) {
        sco__inv_plan_fini(plan);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the plan");
    }
    for (int32_t i = 0; i < md->n_items; i++) {
        plan->n_valid[i] = md->sub[i].M;
        plan->arrive[i] = md->sub[i].arr;
    }
    plan->cost_zero = md->cost_zero;
    return 0;
}

static double item_cost(const struct sco_inv_sub *s, const int32_t *n)
{
    double c = 0;
    int32_t prev = 0;
    for (int m = 0; m < s->M; m++) {
        c += s->G[(size_t)m * s->S + n[m]];
        if (n[m] > prev)
            c += s->fixed;
        prev = n[m];
    }
    return c;
}

void sco__inv_plan_fill(struct sco_inv_plan *plan, const struct sco_inv_model *md,
                        const int32_t *ncum)
{
    int NS = md->n_stages, ND = md->n_days;
    memset(plan->budget_used, 0, sizeof(double) * NS);
    memset(plan->storage_used, 0, sizeof(double) * md->n_wh * NS);
    memset(plan->recv_used, 0, sizeof(double) * md->n_wh * ND);
    plan->ub = 0;
    for (int32_t i = 0; i < md->n_items; i++) {
        const struct sco_inv_sub *s = &md->sub[i];
        const int32_t *n = ncum + (size_t)i * NS;
        int32_t prev = 0;
        for (int m = 0; m < NS; m++) {
            int32_t q = m < s->M ? n[m] - prev : 0;
            plan->cases[(size_t)i * NS + m] = q;
            if (m >= s->M)
                continue;
            plan->budget_used[m] += s->cost_case * q;
            plan->storage_used[s->wh * NS + m] += stor_use(s, m, n[m]);
            prev = n[m];
        }
        plan->item_cost[i] = item_cost(s, n);
        plan->ub += plan->item_cost[i];
    }
}

/* ---- Decomposition ----------------------------------------------------------------------- */

struct rows {
    int NS, NW, ND, R;
    double *use_b, *use_r, *use_s; /* usage */
    double *pr_b, *pr_r, *pr_s;    /* prices per unit of resource */
};

/* DP for one item under prices; writes cumulative cases n[0..M-1]; returns the priced cost. */
static double dp_item(const struct sco_inv_sub *s, const struct rows *rw, double *f0, double *f1,
                      int32_t *from, int32_t *n)
{
    if (s->M == 0)
        return 0;
    int S = s->S, R = rw->R;
    const double INF = INFINITY;
    for (int m = 0; m < s->M; m++) {
        double a = rw->pr_b[m] * s->cost_case;
        int day = m * R + s->arr;
        if (day < rw->ND)
            a += rw->pr_r[s->wh * rw->ND + day] * s->vol_case;
        double ps = rw->pr_s[s->wh * rw->NS + m];
        const double *g = s->G + (size_t)m * S;
        int32_t *fr = from + (size_t)m * S;
        if (m == 0) {
            for (int32_t k = 0; k < S; k++) {
                double c = g[k] + (ps > 0 ? ps * stor_use(s, m, k) : 0);
                if (k == 0)
                    f1[k] = c;
                else if (k >= s->moq_c)
                    f1[k] = c + s->fixed + a * k;
                else
                    f1[k] = INF;
                fr[k] = 0;
            }
        } else {
            double pm = INF;
            int32_t arg = 0;
            for (int32_t k = 0; k < S; k++) {
                int32_t kp = k - s->moq_c;
                if (kp >= 0) {
                    double v = f0[kp] - a * kp;
                    if (v < pm)
                        pm = v, arg = kp;
                }
                double best = f0[k];
                int32_t b = k;
                if (pm < INF) {
                    double v = s->fixed + a * k + pm;
                    if (v < best - 1e-12 * (1 + fabs(best)))
                        best = v, b = arg;
                }
                fr[k] = b;
                f1[k] = best + g[k] + (ps > 0 ? ps * stor_use(s, m, k) : 0);
            }
        }
        memcpy(f0, f1, sizeof(double) * S);
    }
    int32_t bk = 0;
    for (int32_t k = 1; k < S; k++)
        if (f0[k] < f0[bk])
            bk = k;
    double val = f0[bk];
    n[s->M - 1] = bk;
    for (int m = s->M - 1; m > 0; m--)
        n[m - 1] = from[(size_t)m * S + n[m]];
    return val;
}

static void usage_add(const struct sco_inv_sub *s, struct rows *rw, const int32_t *n, double sign)
{
    int32_t prev = 0;
    for (int m = 0; m < s->M; m++) {
        int32_t q = n[m] - prev;
        if (q > 0) {
            rw->use_b[m] += sign * s->cost_case * q;
            int day = m * rw->R + s->arr;
            if (day < rw->ND)
                rw->use_r[s->wh * rw->ND + day] += sign * s->vol_case * q;
        }
        rw->use_s[s->wh * rw->NS + m] += sign * stor_use(s, m, n[m]);
        prev = n[m];
    }
}

/* ---- Greedy repair and fill --------------------------------------------------------------- */

struct mv {
    double key;
    int32_t item, ver;
};

struct heap {
    struct mv *a;
    size_t n, cap;
};

static bool mv_less(const struct mv *x, const struct mv *y)
{
    return x->key < y->key || (x->key == y->key && x->item < y->item);
}

static int heap_push(struct heap *h, struct mv v)
{
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 1024;
        struct mv *na = realloc(h->a, nc * sizeof *na);
        if (!na)
            return -1;
        h->a = na, h->cap = nc;
    }
    size_t i = h->n++;
    h->a[i] = v;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!mv_less(&h->a[i], &h->a[p]))
            break;
        struct mv t = h->a[i];
        h->a[i] = h->a[p], h->a[p] = t, i = p;
    }
    return 0;
}

static struct mv heap_pop(struct heap *h)
{
    struct mv top = h->a[0];
    h->a[0] = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, b = i;
        if (l < h->n && mv_less(&h->a[l], &h->a[b]))
            b = l;
        if (r < h->n && mv_less(&h->a[r], &h->a[b]))
            b = r;
        if (b == i)
            break;
        struct mv t = h->a[i];
        h->a[i] = h->a[b], h->a[b] = t, i = b;
    }
    return top;
}

enum { ROW_B, ROW_R, ROW_S };

/* Change of item cost when cumulative cases from stage st on change by dn (order at st changes
 * by dn cases). Returns INFINITY if the move is not allowed. */
static double move_delta(const struct sco_inv_sub *s, const int32_t *n, int st, int32_t dn)
{
    int32_t prev = st > 0 ? n[st - 1] : 0;
    int32_t q = n[st] - prev, q2 = q + dn;
    if (q2 < 0 || (q2 > 0 && q2 < s->moq_c))
        return INFINITY;
    double d = 0;
    for (int m = st; m < s->M; m++) {
        int32_t k = n[m] + dn;
        if (k < 0 || k >= s->S)
            return INFINITY;
        d += s->G[(size_t)m * s->S + k] - s->G[(size_t)m * s->S + n[m]];
    }
    if (q == 0 && q2 > 0)
        d += s->fixed;
    if (q > 0 && q2 == 0)
        d -= s->fixed;
    return d;
}

/* The reduction move of item s for row (type, idx): stage and case delta; 0 if none. */
static int reduce_move(const struct sco_inv_sub *s, const int32_t *n, const struct rows *rw,
                       int type, int idx, int *st_out, int32_t *dn_out, double *freed)
{
    int st = -1;
    if (type == ROW_B) {
        if (idx < s->M)
            st = idx;
    } else if (type == ROW_R) {
        int d = idx % rw->ND, w = idx / rw->ND;
        if (w == s->wh && d >= s->arr && (d - s->arr) % rw->R == 0 && (d - s->arr) / rw->R < s->M)
            st = (d - s->arr) / rw->R;
    } else {
        int m = idx % rw->NS, w = idx / rw->NS;
        if (w == s->wh && m < s->M)
            for (int k = m; k >= 0; k--)
                if (n[k] > (k > 0 ? n[k - 1] : 0)) {
                    st = k;
                    break;
                }
    }
    if (st < 0)
        return 0;
    int32_t q = n[st] - (st > 0 ? n[st - 1] : 0);
    if (q <= 0)
        return 0;
    int32_t dn = (q - 1 >= s->moq_c) ? -1 : -q;
    if (type == ROW_B)
        *freed = s->cost_case * -dn;
    else if (type == ROW_R)
        *freed = s->vol_case * -dn;
    else {
        int m = idx % rw->NS;
        *freed = stor_use(s, m, n[m]) - stor_use(s, m, n[m] + dn);
    }
    if (!(*freed > 0))
        return 0;
    *st_out = st;
    *dn_out = dn;
    return 1;
}

static void apply_move(const struct sco_inv_sub *s, struct rows *rw, int32_t *n, int st,
                       int32_t dn)
{
    usage_add(s, rw, n, -1);
    for (int m = st; m < s->M; m++)
        n[m] += dn;
    usage_add(s, rw, n, +1);
}

static bool over(double use, double cap)
{
    return use > cap * (1 + 1e-9) + 1e-9;
}

/* The cheapest way (cost per unit of freed capacity) for an item to free capacity on a row:
 * cut its order at stage st (and so every later position), or shift it to stage st + 1 when
 * that stage's budget and receiving rows have room (only the stage-st position drops). */
static int repair_move(const struct sco_inv_model *md, const struct sco_inv_sub *s,
                       const int32_t *n, const struct rows *rw, int type, int idx, int *st,
                       int32_t *dn, bool *shift, double *ratio)
{
    double freed;
    if (!reduce_move(s, n, rw, type, idx, st, dn, &freed))
        return 0;
    double dc = move_delta(s, n, *st, *dn);
    double best = isfinite(dc) ? dc / freed : INFINITY;
    *shift = false;
    int s2 = *st + 1;
    if (s2 < s->M) {
        int32_t d = -*dn;
        int32_t q = n[*st] - (*st > 0 ? n[*st - 1] : 0), q2 = n[s2] - n[*st];
        double f2 = 0;
        if (type == ROW_B)
            f2 = s->cost_case * d;
        else if (type == ROW_R)
            f2 = s->vol_case * d;
        else if (idx % rw->NS == *st)
            f2 = stor_use(s, *st, n[*st]) - stor_use(s, *st, n[*st] - d);
        if (f2 > 0 && (q2 > 0 || d >= s->moq_c)) {
            int day = s2 * rw->R + s->arr;
            bool ok = !over(rw->use_b[s2] + s->cost_case * d, md->cap_b[s2]);
            if (ok && day < rw->ND)
                ok = !over(rw->use_r[s->wh * rw->ND + day] + s->vol_case * d,
                           md->cap_r[s->wh * rw->ND + day]);
            if (ok) {
                const double *g = s->G + (size_t)*st * s->S;
                double c = g[n[*st] - d] - g[n[*st]];
                if (q == d)
                    c -= s->fixed;
                if (q2 == 0)
                    c += s->fixed;
                if (c / f2 < best) {
                    best = c / f2;
                    *shift = true;
                }
            }
        }
    }
    *ratio = best;
    return isfinite(best);
}

static void apply_repair(const struct sco_inv_sub *s, struct rows *rw, int32_t *n, int st,
                         int32_t dn, bool shift)
{
    if (!shift) {
        apply_move(s, rw, n, st, dn);
        return;
    }
    usage_add(s, rw, n, -1);
    n[st] += dn; /* dn < 0: the cases now arrive with the next stage's order */
    usage_add(s, rw, n, +1);
}

/* Repairs every violated row, then fills slack with cost-reducing additions. */
static int repair(const struct sco_inv_model *md, struct rows *rw, int32_t *ncum, uint8_t *cut,
                  struct sco_err *err)
{
    int NS = md->n_stages;
    struct heap h = { 0 };
    int32_t *ver = calloc((size_t)md->n_items + 1, sizeof *ver);
    if (!ver)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory in repair");
    int nrow[3] = { NS, md->n_wh * md->n_days, md->n_wh * NS };
    double *use[3] = { rw->use_b, rw->use_r, rw->use_s };
    const double *cap[3] = { md->cap_b, md->cap_r, md->cap_s };
    static const uint8_t flag[3] = { SCO_INV_CUT_BUDGET, SCO_INV_CUT_RECEIVING,
                                     SCO_INV_CUT_STORAGE };
    for (int t = 0; t < 3; t++)
        for (int r = 0; r < nrow[t]; r++) {
            if (!over(use[t][r], cap[t][r]))
                continue;
            h.n = 0;
            for (int32_t i = 0; i < md->n_items; i++) {
                int st;
                int32_t dn;
                bool sh;
                double ratio;
                const int32_t *n = ncum + (size_t)i * NS;
                if (!repair_move(md, &md->sub[i], n, rw, t, r, &st, &dn, &sh, &ratio))
                    continue;
                if (heap_push(&h, (struct mv){ ratio, i, ver[i] }))
                    goto nomem;
            }
            while (h.n > 0 && over(use[t][r], cap[t][r])) {
                struct mv v = heap_pop(&h);
                if (v.ver != ver[v.item])
                    continue;
                int32_t *n = ncum + (size_t)v.item * NS;
                int st;
                int32_t dn;
                bool sh;
                double ratio;
                if (!repair_move(md, &md->sub[v.item], n, rw, t, r, &st, &dn, &sh, &ratio))
                    continue;
                if (h.n > 0 && ratio > h.a[0].key + 1e-12 * fabs(ratio)) {
                    /* the move got dearer (a destination filled up): requeue */
                    if (heap_push(&h, (struct mv){ ratio, v.item, ver[v.item] }))
                        goto nomem;
                    continue;
                }
                apply_repair(&md->sub[v.item], rw, n, st, dn, sh);
                cut[v.item] |= flag[t];
                ver[v.item]++;
                if (repair_move(md, &md->sub[v.item], n, rw, t, r, &st, &dn, &sh, &ratio))
                    if (heap_push(&h, (struct mv){ ratio, v.item, ver[v.item] }))
                        goto nomem;
            }
        }
    /* fill: the most cost-reducing single additions that fit every row */
    h.n = 0;
    for (int32_t i = 0; i < md->n_items; i++) {
        const struct sco_inv_sub *s = &md->sub[i];
        const int32_t *n = ncum + (size_t)i * NS;
        double best = 0;
        for (int st = 0; st < s->M; st++) {
            int32_t q = n[st] - (st > 0 ? n[st - 1] : 0);
            int32_t dn = q == 0 ? s->moq_c : 1;
            double dc = move_delta(s, n, st, dn);
            if (dc < best)
                best = dc;
        }
        if (best < -1e-12)
            if (heap_push(&h, (struct mv){ best, i, ver[i] }))
                goto nomem;
    }
    while (h.n > 0) {
        struct mv v = heap_pop(&h);
        if (v.ver != ver[v.item])
            continue;
        const struct sco_inv_sub *s = &md->sub[v.item];
        int32_t *n = ncum + (size_t)v.item * NS;
        int bst = -1;
        int32_t bdn = 0;
        double best = -1e-12;
        for (int st = 0; st < s->M; st++) {
            int32_t q = n[st] - (st > 0 ? n[st - 1] : 0);
            int32_t dn = q == 0 ? s->moq_c : 1;
            double dc = move_delta(s, n, st, dn);
            if (!(dc < best))
                continue;
            /* feasibility of the addition */
            double addb = s->cost_case * dn, addr = s->vol_case * dn;
            int day = st * rw->R + s->arr;
            bool ok = !over(rw->use_b[st] + addb, md->cap_b[st]);
            if (ok && day < rw->ND)
                ok = !over(rw->use_r[s->wh * rw->ND + day] + addr,
                           md->cap_r[s->wh * rw->ND + day]);
            for (int m = st; ok && m < s->M; m++) {
                double du = stor_use(s, m, n[m] + dn) - stor_use(s, m, n[m]);
                ok = !over(rw->use_s[s->wh * NS + m] + du, md->cap_s[s->wh * NS + m]);
            }
            if (ok)
                best = dc, bst = st, bdn = dn;
        }
        if (bst < 0)
            continue;
        apply_move(s, rw, n, bst, bdn);
        ver[v.item]++;
        if (heap_push(&h, (struct mv){ best, v.item, ver[v.item] }))
            goto nomem;
    }
    free(h.a);
    free(ver);
    return 0;
nomem:
    free(h.a);
    free(ver);
    return sco_err_set(err, SCO_ERR_NOMEM, "out of memory in repair");
}

int sco__inv_solve(const struct sco_inv_problem *pb, struct sco_inv_plan *plan,
                   struct sco_err *err)
{
    struct sco_inv_model md;
    int rc = sco__inv_model_build(pb, &md, err);
    if (rc)
        return rc;
    rc = sco__inv_plan_alloc(plan, &md, err);
    if (rc) {
        sco__inv_model_fini(&md);
        return rc;
    }
    int NS = md.n_stages, NW = md.n_wh, ND = md.n_days;
    size_t ni = (size_t)md.n_items + 1;
    int32_t maxS = 1;
    for (int32_t i = 0; i < md.n_items; i++)
        if (md.sub[i].S > maxS)
            maxS = md.sub[i].S;
    int nrow = NS + NW * ND + NW * NS;
    struct rows rw = { .NS = NS, .NW = NW, .ND = ND, .R = pb->review_days };
    double *buf = calloc((size_t)nrow * 2 + 2 * (size_t)maxS + (size_t)nrow, sizeof(double));
    int32_t *from = malloc(sizeof(int32_t) * (size_t)maxS * (NS + 1));
    int32_t *ncum = calloc(ni * NS, sizeof(int32_t));
    int32_t *nbest = calloc(ni * NS, sizeof(int32_t));
    int32_t *ntry = calloc(ni * NS, sizeof(int32_t));
    uint8_t *cut = calloc(ni, 1), *cutbest = calloc(ni, 1);
    if (!buf || !from || !ncum || !nbest || !ntry || !cut || !cutbest) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for %d items", md.n_items);
        goto out;
    }
    double *kappa = buf, *cap = buf + nrow, *f0 = buf + 2 * nrow, *f1 = f0 + maxS;
    double *useall = f1 + maxS;
    rw.use_b = useall, rw.use_r = useall + NS, rw.use_s = useall + NS + NW * ND;
    double *price = malloc(sizeof(double) * (size_t)nrow);
    double *kbest = calloc((size_t)nrow, sizeof(double));
    if (!price || !kbest) {
        free(price);
        free(kbest);
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for prices");
        goto out;
    }
    rw.pr_b = price, rw.pr_r = price + NS, rw.pr_s = price + NS + NW * ND;
    memcpy(cap, md.cap_b, sizeof(double) * NS);
    memcpy(cap + NS, md.cap_r, sizeof(double) * NW * ND);
    memcpy(cap + NS + NW * ND, md.cap_s, sizeof(double) * NW * NS);
    bool any_row = false;
    for (int r = 0; r < nrow; r++)
        if (isfinite(cap[r]))
            any_row = true;

    double ub = md.cost_zero, lb = -INFINITY;
    int max_iter = pb->max_iter > 0 ? pb->max_iter : 150;
    double tgap = pb->target_gap > 0 ? pb->target_gap : 1e-3;
    double theta = 2.0;
    int no_imp = 0, it;
    const int patience = 6; /* halve the step after this many */
    for (it = 0; it < max_iter; it++) {
        for (int r = 0; r < nrow; r++)
            price[r] = isfinite(cap[r]) && cap[r] > 0 ? kappa[r] / cap[r] : 0;
        memset(useall, 0, sizeof(double) * nrow);
        double L = 0;
        for (int32_t i = 0; i < md.n_items; i++) {
            int32_t *n = ncum + (size_t)i * NS;
            L += dp_item(&md.sub[i], &rw, f0, f1, from, n);
            usage_add(&md.sub[i], &rw, n, +1);
        }
        for (int r = 0; r < nrow; r++)
            L -= kappa[r];
        if (L > lb + 1e-12 * fabs(L)) {
            if (L > lb + 1e-6 * fabs(L))
                no_imp = 0;
            else
                no_imp++;
            lb = L;
            memcpy(kbest, kappa, sizeof(double) * nrow);
        } else if (++no_imp >= patience) {
            theta *= 0.5;
            no_imp = 0;
        }
        /* primal: repair this solution (every iteration early on, then every 5th) */
        if (!any_row || it < 10 || it % 5 == 0 || it == max_iter - 1) {
            memcpy(ntry, ncum, sizeof(int32_t) * ni * NS);
            memset(cut, 0, ni);
            double *ucopy = malloc(sizeof(double) * (size_t)nrow);
            if (!ucopy) {
                free(price);
                free(kbest);
                rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory in repair");
                goto out;
            }
            memcpy(ucopy, useall, sizeof(double) * nrow);
            rc = repair(&md, &rw, ntry, cut, err);
            memcpy(useall, ucopy, sizeof(double) * nrow);
            free(ucopy);
            if (rc) {
                free(price);
                free(kbest);
                goto out;
            }
            double u = 0;
            for (int32_t i = 0; i < md.n_items; i++)
                u += item_cost(&md.sub[i], ntry + (size_t)i * NS);
            if (u < ub) {
                ub = u;
                memcpy(nbest, ntry, sizeof(int32_t) * ni * NS);
                memcpy(cutbest, cut, ni);
            }
        }
#ifdef INV_TRACE
        fprintf(stderr, "it %d L %.2f lb %.2f ub %.2f theta %.4f\n", it, L, lb, ub, theta);
#endif
        if (!any_row)
            break;
        if (ub - lb <= tgap * fabs(ub))
            break;
        double norm = 0;
        for (int r = 0; r < nrow; r++) {
            if (!isfinite(cap[r]) || cap[r] <= 0)
                continue;
            double g = useall[r] / cap[r] - 1;
            if (kappa[r] <= 0 && g < 0)
                g = 0;
            norm += g * g;
        }
        if (norm <= 1e-18)
            break; /* complementary slackness: the relaxed solution is optimal */
        double step = theta * (ub - L) / norm;
        for (int r = 0; r < nrow; r++) {
            if (!isfinite(cap[r]) || cap[r] <= 0)
                continue;
            double g = useall[r] / cap[r] - 1;
            kappa[r] += step * g;
            if (kappa[r] < 0)
                kappa[r] = 0;
        }
    }
    if (lb > ub)
        lb = ub; /* rounding: the bound cannot exceed an achieved plan */
    /* the cost_zero plan (ordering nothing) is feasible: if never beaten, nbest is zeros */
    sco__inv_plan_fill(plan, &md, nbest);
    memcpy(plan->cut, cutbest, ni);
    /* receiving use and binding rows at the best prices */
    for (int r = 0; r < nrow; r++)
        price[r] = isfinite(cap[r]) && cap[r] > 0 ? kbest[r] / cap[r] : 0;
    for (int32_t i = 0; i < md.n_items; i++) {
        const struct sco_inv_sub *s = &md.sub[i];
        const int32_t *n = nbest + (size_t)i * NS;
        int32_t prev = 0;
        for (int m = 0; m < s->M; m++) {
            int32_t q = n[m] - prev;
            int day = m * rw.R + s->arr;
            if (q > 0 && day < ND)
                plan->recv_used[s->wh * ND + day] += s->vol_case * q;
            if (q > 0 && rw.pr_b[m] > 0)
                plan->binding[i] |= SCO_INV_CUT_BUDGET;
            if (q > 0 && day < ND && rw.pr_r[s->wh * ND + day] > 0)
                plan->binding[i] |= SCO_INV_CUT_RECEIVING;
            if (rw.pr_s[s->wh * NS + m] > 0 && stor_use(s, m, n[m]) > 0)
                plan->binding[i] |= SCO_INV_CUT_STORAGE;
            prev = n[m];
        }
    }
    plan->lb = lb;
    plan->ub = ub;
    plan->gap = ub > 0 ? (ub - lb) / ub : 0;
    if (plan->gap < 0)
        plan->gap = 0;
    plan->iters = it + (it < max_iter ? 1 : 0);
    free(price);
    free(kbest);
out:
    free(buf);
    free(from);
    free(ncum);
    free(nbest);
    free(ntry);
    free(cut);
    free(cutbest);
    sco__inv_model_fini(&md);
    if (rc)
        sco__inv_plan_fini(plan);
    return rc;
}
