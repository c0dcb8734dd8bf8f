/* inv-input.c: input tables -> planning problem (validation naming rows, netting, transfers). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inv-input.h"

/* ---- a small string -> index map (open addressing, FNV-1a) ------------------------------- */
struct smap {
    char **key;
    int32_t *val;
    size_t cap, n;
};

static uint64_t fnv(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (const char *p = b ? b : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static char *joinkey(const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *k = malloc(la + lb + 2);
    if (!k)
        return NULL;
    memcpy(k, a, la);
    k[la] = 0x1f;
    if (lb)
        memcpy(k + la + 1, b, lb);
    k[la + 1 + lb] = 0;
    return k;
}

static int smap_init(struct smap *m, size_t n)
{
    m->cap = 16;
    while (m->cap < 2 * n + 16)
        m->cap *= 2;
    m->n = 0;
    m->key = calloc(m->cap, sizeof *m->key);
    m->val = calloc(m->cap, sizeof *m->val);
    return m->key && m->val ? 0 : -1;
}

static void smap_fini(struct smap *m)
{
    if (m->key)
        for (size_t i = 0; i < m->cap; i++)
            free(m->key[i]);
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* returns the slot of (a, b): found if key[slot] != NULL */
static size_t smap_slot(const struct smap *m, const char *a, const char *b, const char *joined)
{
    size_t i = fnv(a, b) & (m->cap - 1);
    while (m->key[i] && strcmp(m->key[i], joined))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int32_t smap_get(const struct smap *m, const char *a, const char *b)
{
    char *k = joinkey(a ? a : "", b);
    if (!k)
        return -1;
    size_t s = smap_slot(m, a ? a : "", b, k);
    int32_t v = m->key[s] ? m->val[s] : -1;
    free(k);
    return v;
}

static uint64_t fnv_joined(const char *k)
{
    /* the same hash as fnv(a, b) for k = a 0x1f b */
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = k; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static int smap_grow(struct smap *m)
{
    struct smap g = { 0 };
    g.cap = m->cap * 2;
    g.key = calloc(g.cap, sizeof *g.key);
    g.val = calloc(g.cap, sizeof *g.val);
    if (!g.key || !g.val) {
        free(g.key);
        free(g.val);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->key[i]) {
            size_t j = fnv_joined(m->key[i]) & (g.cap - 1);
            while (g.key[j])
                j = (j + 1) & (g.cap - 1);
            g.key[j] = m->key[i];
            g.val[j] = m->val[i];
        }
    free(m->key);
    free(m->val);
    m->key = g.key, m->val = g.val, m->cap = g.cap;
    return 0;
}

/* inserts if absent; returns the existing value or -1 when inserted (-2 on no memory) */
static int32_t smap_put(struct smap *m, const char *a, const char *b, int32_t v)
{
    if (2 * (m->n + 1) > m->cap && smap_grow(m))
        return -2;
    char *k = joinkey(a ? a : "", b);
    if (!k)
        return -2;
    size_t s = smap_slot(m, a ? a : "", b, k);
    if (m->key[s]) {
        free(k);
        return m->val[s];
    }
    m->key[s] = k;
    m->val[s] = v;
    m->n++;
    return -1;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static const char *org(const struct sco_inv_tab *t, const char *name, size_t row, char *buf,
                       size_t n)
{
    if (t->origin)
        return t->origin(t->octx, row);
    snprintf(buf, n, "%s row %zu", name, row + 1);
    return buf;
}

int sco__inv_exc_add(struct sco_inv_built *b, int32_t item, const char *sku, const char *wh,
                     const char *kind, const char *fmt, ...)
{
    if (b->n_exc == b->cap_exc) {
        size_t nc = b->cap_exc ? 2 * b->cap_exc : 64;
        struct sco_inv_exc *ne = realloc(b->exc, nc * sizeof *ne);
        if (!ne)
            return SCO_ERR_NOMEM;
        b->exc = ne, b->cap_exc = nc;
    }
    struct sco_inv_exc *e = &b->exc[b->n_exc++];
    memset(e, 0, sizeof *e);
    e->item = item;
    snprintf(e->sku, sizeof e->sku, "%s", sku ? sku : "");
    snprintf(e->wh, sizeof e->wh, "%s", wh ? wh : "");
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
    return 0;
}

void sco__inv_built_fini(struct sco_inv_built *b)
{
    if (!b)
        return;
    free(b->items);
    free(b->item_row);
    free(b->sup_row);
    free(b->price);
    free(b->cumq);
    free(b->open);
    free(b->open_cap);
    free(b->storage);
    free(b->recv);
    free(b->exc);
    free(b->xfer);
    memset(b, 0, sizeof *b);
}

int sco__inv_item_dist(const struct sco_inv_built *b, int32_t i, int k, struct sco_inv_dist *d,
                       struct sco_err *err)
{
    const struct sco_inv_item *it = &b->items[i];
    if (k < 1) {
        double z[1] = { 0 }, l[1] = { 1 };
        return sco__inv_dist_init(d, l, z, 1, err);
    }
    if (k > it->n_days)
        k = it->n_days;
    return sco__inv_dist_init(d, b->pb.levels, it->cum_q + (size_t)(k - 1) * b->pb.n_levels,
                              b->pb.n_levels, err);
}

static int cfg_check(const struct sco_inv_config *c, struct sco_err *err)
{
    if (c->review_days < 1)
        return sco_err_set(err, SCO_ERR_CONFIG, "review_days %d must be >= 1", c->review_days);
    if (c->horizon_days < c->review_days)
        return sco_err_set(err, SCO_ERR_CONFIG,
                           "horizon_days %d is shorter than review_days %d; plan at least one "
                           "review period", c->horizon_days, c->review_days);
    if (!(c->service_level > 0 && c->service_level < 1))
        return sco_err_set(err, SCO_ERR_CONFIG, "service_level %g must be in (0, 1)",
                           c->service_level);
    if (!(c->holding_rate >= 0) || !(c->penalty_factor >= 0) || !(c->fixed_cost >= 0) ||
        !(c->budget >= 0) || c->transfer_days < 0)
        return sco_err_set(err, SCO_ERR_CONFIG,
                           "holding_rate, penalty_factor, fixed_cost_per_line, "
                           "budget_per_order_day and transfer_days must be >= 0");
    return 0;
}

static bool bad_num(double v)
{
    return !(v >= 0) || !isfinite(v);
}

/* Days from the planning date to the first allowed order weekday (0..6); -1 when the list
 * names no weekday. An empty list allows every day. */
static int weekday_offset(const char *list, int64_t plan_date)
{
    static const char *const names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    if (!list || !list[0])
        return 0;
    bool allow[7] = { false };
    bool any = false;
    for (const char *p = list; *p;) {
        while (*p == ',' || *p == ' ' || *p == ';')
            p++;
        for (int d = 0; d < 7; d++)
            if (!strncasecmp(p, names[d], 3)) {
                allow[d] = any = true;
                break;
            }
        while (*p && *p != ',' && *p != ';')
            p++;
    }
    if (!any)
        return -1;
    int wd = (int)(((plan_date % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday; Mon = 0 */
    for (int o = 0; o < 7; o++)
        if (allow[(wd + o) % 7])
            return o;
    return -1;
}

/* ---- transfers ---------------------------------------------------------------------------- */

static int add_open(struct sco_inv_built *b, int32_t i, int32_t day, double qty)
{
    struct sco_inv_item *it = &b->items[i];
    if (it->n_open >= b->open_cap[i])
        return -1;
    ((struct sco_inv_open *)it->open)[it->n_open++] = (struct sco_inv_open){ day, qty };
    return 0;
}

static int plan_transfers(const struct sco_inv_input *in, struct sco_inv_built *b,
                          const int32_t *order, struct sco_err *err)
{
    int32_t n = b->pb.n_items;
    int T = in->cfg.transfer_days, R = in->cfg.review_days;
    double *need = calloc((size_t)n + 1, sizeof(double));
    double *excess = calloc((size_t)n + 1, sizeof(double));
    b->xfer = calloc((size_t)n + 1, sizeof *b->xfer);
    int rc = 0;
    if (!need || !excess || !b->xfer) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for transfers");
        goto out;
    }
    struct sco_inv_dist d;
    for (int32_t i = 0; i < n; i++) {
        const struct sco_inv_item *it = &b->items[i];
        int L = (int)lround(it->lead_mean);
        if (L > T) {
            /* short before the item's own order can arrive: service quantile over L days */
            if ((rc = sco__inv_item_dist(b, i, L, &d, err)))
                goto out;
            double want = sco__inv_dist_quantile(&d, in->cfg.service_level);
            double pos = sco__inv_position(it->on_hand, it->open, it->n_open, L);
            if (want > pos)
                need[i] = want - pos;
        }
        /* excess: on hand beyond the 99% quantile of demand until the next order arrives
         * and a whole horizon after it */
        if ((rc = sco__inv_item_dist(b, i, L + R + in->cfg.horizon_days, &d, err)))
            goto out;
        double keep = sco__inv_dist_quantile(&d, 0.99);
        double pos0 = sco__inv_position(it->on_hand, it->open, it->n_open, 0);
        double ex = (pos0 < it->on_hand ? pos0 : it->on_hand) - keep;
        if (ex > 0)
            excess[i] = ex;
    }
    /* order[] lists items sorted by sku: match within each sku group */
    for (int32_t a = 0; a < n;) {
        int32_t e = a;
        const char *sku = in->i_sku[b->item_row[order[a]]];
        while (e < n && !strcmp(in->i_sku[b->item_row[order[e]]], sku))
            e++;
        for (int32_t x = a; x < e && e - a > 1; x++) {
            int32_t to = order[x];
            if (need[to] <= 0)
                continue;
            int32_t from = -1;
            for (int32_t y = a; y < e; y++)
                if (order[y] != to && excess[order[y]] > 0 &&
                    (from < 0 || excess[order[y]] > excess[from]))
                    from = order[y];
            if (from < 0)
                continue;
            int64_t cp = b->items[to].case_pack;
            double want = need[to] < excess[from] ? need[to] : excess[from];
            int64_t u = sco__inv_round(want, cp, 0, in->cfg.rounding);
            int64_t cap_u = (int64_t)floor(excess[from] / (double)cp + 1e-9) * cp;
            if (u > cap_u)
                u = cap_u;
            if (u <= 0)
                continue;
            if (add_open(b, from, 0, -(double)u) || add_open(b, to, T, (double)u))
                continue;
            struct sco_inv_xfer *t = &b->xfer[b->n_xfer++];
            t->from_item = from, t->to_item = to, t->units = u;
            snprintf(t->why, sizeof t->why,
                     "short %.0f units before an order can arrive (lead %.0f d); source has "
                     "%.0f above its 99%% need", need[to], b->items[to].lead_mean, excess[from]);
            excess[from] -= (double)u;
            need[to] -= (double)u;
        }
        a = e;
    }
out:
    free(need);
    free(excess);
    return rc;
}

static const char *const *g_sku_col;
static const int32_t *g_rows;
static int cmp_by_sku(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    int c = strcmp(g_sku_col[g_rows[a]], g_sku_col[g_rows[b]]);
    return c ? c : (a > b) - (a < b);
}

/* ---- build -------------------------------------------------------------------------------- */

int sco__inv_input_build(const struct sco_inv_input *in, struct sco_inv_built *b,
                         struct sco_err *err)
{
    int rc;
    char ob[160];
    struct smap mw = { 0 }, ms = { 0 }, mi = { 0 }, mk = { 0 };
    int32_t *fc_item = NULL, *nday = NULL, *nopen = NULL, *order = NULL;
    uint8_t *seen = NULL;
    memset(b, 0, sizeof *b);
    if ((rc = cfg_check(&in->cfg, err)))
        return rc;
    if (in->n_levels < 1 || in->n_levels > SCO_INV_MAX_LEVELS)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "forecast_cumulative has %d quantile columns (q10, q50, ...); it "
                           "needs 1 to %d", in->n_levels, SCO_INV_MAX_LEVELS);
    if (in->wh.n == 0)
        return sco_err_set(err, SCO_ERR_NOINPUT, "table 'warehouses' is empty");
    if (smap_init(&mw, in->wh.n) || smap_init(&ms, in->sup.n) || smap_init(&mi, in->items.n) ||
        smap_init(&mk, in->fc.n / 8 + 16)) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory indexing the inputs");
        goto fail;
    }
    /* warehouses */
    b->storage = calloc(in->wh.n, sizeof(double));
    b->recv = calloc(in->wh.n, sizeof(double));
    if (!b->storage || !b->recv) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t r = 0; r < in->wh.n; r++) {
        if (smap_put(&mw, in->w_id[r], NULL, (int32_t)r) != -1) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: warehouse '%s' appears twice; keep one row",
                             org(&in->wh, "warehouses", r, ob, sizeof ob), in->w_id[r]);
            goto fail;
        }
        double s = in->w_storage ? in->w_storage[r] : NAN;
        double v = in->w_recv ? in->w_recv[r] : NAN;
        if (s < 0 || v < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: negative capacity for warehouse '%s'; leave it empty for none",
                             org(&in->wh, "warehouses", r, ob, sizeof ob), in->w_id[r]);
            goto fail;
        }
        b->storage[r] = s > 0 ? s : INFINITY;
        b->recv[r] = v > 0 ? v : INFINITY;
    }
    /* suppliers */
    for (size_t r = 0; r < in->sup.n; r++) {
        smap_put(&ms, in->s_id[r], NULL, (int32_t)r);
        double sd = in->s_lead_sd ? in->s_lead_sd[r] : 0;
        if (in->s_days && weekday_offset(in->s_days[r], in->plan_date) < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: order_weekdays '%s' of supplier '%s' names no weekday; use "
                             "Mon,Tue,... or leave it empty for any day",
                             org(&in->sup, "suppliers", r, ob, sizeof ob), in->s_days[r],
                             in->s_id[r]);
            goto fail;
        }
        if (bad_num(in->s_lead[r]) || (!isnan(sd) && bad_num(sd))) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: lead time of supplier '%s' must be a number >= 0 (got %g, sd %g)",
                             org(&in->sup, "suppliers", r, ob, sizeof ob), in->s_id[r],
                             in->s_lead[r], sd);
            goto fail;
        }
    }
    /* items */
    for (size_t r = 0; r < in->items.n; r++) {
        const char *o = org(&in->items, "items", r, ob, sizeof ob);
        const char *sku = in->i_sku[r];
        if (smap_put(&mi, sku, NULL, (int32_t)r) != -1) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: sku '%s' appears twice; keep one row", o, sku);
            goto fail;
        }
        if (in->i_case[r] < 1 || in->i_case[r] == SCO_NULL_I64) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: case_pack %lld of sku '%s' must be >= 1; give the units per case "
                             "(1 for single units)", o, (long long)in->i_case[r], sku);
            goto fail;
        }
        int64_t moq = in->i_moq ? in->i_moq[r] : 0;
        if (moq != SCO_NULL_I64 && moq < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: moq_units %lld of sku '%s' is negative", o,
                             (long long)moq, sku);
            goto fail;
        }
        if (bad_num(in->i_cost[r])) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: unit_cost %g of sku '%s' must be a number >= 0", o,
                             in->i_cost[r], sku);
            goto fail;
        }
        if (smap_get(&ms, in->i_supplier[r], NULL) < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: supplier '%s' of sku '%s' is not in suppliers; add it there or "
                             "fix the item", o, in->i_supplier[r], sku);
            goto fail;
        }
    }
    /* forecast rows -> SKU-locations */
    fc_item = malloc(sizeof(int32_t) * (in->fc.n + 1));
    if (!fc_item) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    int32_t n = 0;
    for (size_t r = 0; r < in->fc.n; r++) {
        fc_item[r] = -1;
        const char *o = org(&in->fc, "forecast_cumulative", r, ob, sizeof ob);
        if (in->f_days[r] < 1 || in->f_days[r] == SCO_NULL_I64) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: days %lld must be >= 1", o,
                             (long long)in->f_days[r]);
            goto fail;
        }
        for (int l = 0; l < in->n_levels; l++)
            if (!isfinite(in->f_q[l][r])) {
                rc = sco_err_set(err, SCO_ERR_DATA,
                                 "%s: quantile at level %g is missing or not a number", o,
                                 in->levels[l]);
                goto fail;
            }
        if (smap_get(&mi, in->f_sku[r], NULL) < 0 || smap_get(&mw, in->f_wh[r], NULL) < 0)
            continue; /* reported once per key below */
        int32_t v = smap_put(&mk, in->f_sku[r], in->f_wh[r], n);
        if (v == -2) {
            rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
            goto fail;
        }
        fc_item[r] = v == -1 ? n++ : v;
    }
    b->pb.n_items = n;
    size_t nn = (size_t)n + 1;
    b->items = calloc(nn, sizeof *b->items);
    b->item_row = calloc(nn, sizeof(int32_t));
    b->sup_row = calloc(nn, sizeof(int32_t));
    b->price = calloc(nn, sizeof(double));
    b->open_cap = calloc(nn, sizeof(int32_t));
    nday = calloc(nn, sizeof(int32_t));
    nopen = calloc(nn, sizeof(int32_t));
    if (!b->items || !b->item_row || !b->sup_row || !b->price || !b->open_cap || !nday || !nopen) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for %d SKU-locations", n);
        goto fail;
    }
    for (size_t r = 0; r < in->fc.n; r++) {
        int32_t i = fc_item[r];
        if (i < 0) {
            bool known = smap_get(&mi, in->f_sku[r], NULL) >= 0;
            if (smap_put(&mk, in->f_sku[r], in->f_wh[r], -1) == -1)
                sco__inv_exc_add(b, -1, in->f_sku[r], in->f_wh[r],
                                 known ? "unknown_warehouse" : "unknown_item",
                                 "%s: forecast for %s '%s' that is not in %s; not planned",
                                 org(&in->fc, "forecast_cumulative", r, ob, sizeof ob),
                                 known ? "warehouse" : "sku", known ? in->f_wh[r] : in->f_sku[r],
                                 known ? "warehouses" : "items");
            continue;
        }
        if (in->f_days[r] > nday[i])
            nday[i] = (int32_t)in->f_days[r];
        b->item_row[i] = smap_get(&mi, in->f_sku[r], NULL);
        b->items[i].wh = smap_get(&mw, in->f_wh[r], NULL);
    }
    size_t qoff = 0;
    for (int32_t i = 0; i < n; i++)
        qoff += (size_t)nday[i] * in->n_levels;
    b->cumq = calloc(qoff + 1, sizeof(double));
    seen = calloc(qoff / (in->n_levels) + 1, 1);
    if (!b->cumq || !seen) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the forecast");
        goto fail;
    }
    qoff = 0;
    size_t *base = malloc(sizeof(size_t) * nn);
    if (!base) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int32_t i = 0; i < n; i++) {
        base[i] = qoff;
        b->items[i].cum_q = b->cumq + qoff * in->n_levels;
        b->items[i].n_days = nday[i];
        qoff += (size_t)nday[i];
    }
    for (size_t r = 0; r < in->fc.n; r++) {
        int32_t i = fc_item[r];
        if (i < 0)
            continue;
        size_t k = base[i] + (size_t)in->f_days[r] - 1;
        for (int l = 0; l < in->n_levels; l++)
            b->cumq[k * in->n_levels + l] = in->f_q[l][r];
        seen[k] = 1;
    }
    /* a missing day repeats the day before (cumulative demand cannot fall) */
    for (int32_t i = 0; i < n; i++)
        for (int32_t k = 0; k < nday[i]; k++)
            if (!seen[base[i] + k] && k > 0)
                memcpy(b->cumq + (base[i] + k) * in->n_levels,
                       b->cumq + (base[i] + k - 1) * in->n_levels,
                       sizeof(double) * in->n_levels);
    free(base);
    /* item attributes */
    const struct sco_inv_config *c = &in->cfg;
    for (int32_t i = 0; i < n; i++) {
        struct sco_inv_item *it = &b->items[i];
        int32_t r = b->item_row[i];
        int32_t s = smap_get(&ms, in->i_supplier[r], NULL);
        b->sup_row[i] = s;
        it->unit_cost = in->i_cost[r];
        double price = in->i_price ? in->i_price[r] : NAN;
        b->price[i] = isfinite(price) && price > 0 ? price : 1.5 * it->unit_cost;
        it->volume_l = in->i_volume && isfinite(in->i_volume[r]) && in->i_volume[r] > 0
                           ? in->i_volume[r] : 0;
        it->hold = it->unit_cost * c->holding_rate / 365;
        it->penalty = c->penalty_factor * b->price[i];
        it->fixed = c->fixed_cost;
        it->case_pack = in->i_case[r];
        it->moq = in->i_moq && in->i_moq[r] != SCO_NULL_I64 ? in->i_moq[r] : 0;
        it->lead_mean = in->s_lead[s];
        double sd = in->s_lead_sd ? in->s_lead_sd[s] : 0;
        it->lead_sd = isfinite(sd) ? sd : 0;
        it->order_offset = in->s_days ? weekday_offset(in->s_days[s], in->plan_date) : 0;
        /* lead time plus one review must fit in the forecast */
        int days[SCO_INV_MAX_LEADS];
        double w[SCO_INV_MAX_LEADS];
        int nl = sco__inv_lead_points(it->lead_mean, it->lead_sd, days, w), lhi = 0;
        for (int j = 0; j < nl; j++)
            lhi = days[j] > lhi ? days[j] : lhi;
        if (lhi + c->review_days + it->order_offset > it->n_days) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: lead time %g days (sd %g) of supplier '%s' plus review_days %d "
                             "is longer than the %d-day forecast of sku '%s' at '%s'; forecast "
                             "at least %d days or shorten the review period",
                             org(&in->sup, "suppliers", (size_t)s, ob, sizeof ob), it->lead_mean,
                             it->lead_sd, in->s_id[s], c->review_days, it->n_days,
                             in->i_sku[r], in->w_id[it->wh],
                             lhi + c->review_days + it->order_offset);
            goto fail;
        }
    }
    /* stock */
    for (size_t r = 0; r < in->stock.n; r++) {
        const char *o = org(&in->stock, "stock", r, ob, sizeof ob);
        if (!(in->st_on_hand[r] >= 0)) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: on_hand %g of sku '%s' at '%s' is negative; correct the stock "
                             "count", o, in->st_on_hand[r], in->st_sku[r], in->st_wh[r]);
            goto fail;
        }
        int32_t i = smap_get(&mk, in->st_sku[r], in->st_wh[r]);
        if (i >= 0) {
            b->items[i].on_hand += in->st_on_hand[r];
        } else if (smap_get(&mi, in->st_sku[r], NULL) >= 0 && in->st_on_hand[r] > 0) {
            sco__inv_exc_add(b, -1, in->st_sku[r], in->st_wh[r], "no_forecast",
                             "%s: %g units on hand but no forecast; not planned", o,
                             in->st_on_hand[r]);
        }
    }
    /* open orders: count, then fill (room for one transfer per warehouse) */
    for (size_t r = 0; r < in->open.n; r++) {
        const char *o = org(&in->open, "open_orders", r, ob, sizeof ob);
        const char *k = in->o_kind[r];
        bool tr = !strcasecmp(k, "transfer");
        if (!tr && strcasecmp(k, "purchase")) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: kind '%s' must be purchase or transfer", o, k);
            goto fail;
        }
        if (bad_num(in->o_qty[r])) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: qty %g must be a number >= 0", o,
                             in->o_qty[r]);
            goto fail;
        }
        if (in->o_date[r] == SCO_NULL_I64) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: expected_date is missing", o);
            goto fail;
        }
        int32_t i = smap_get(&mk, in->o_sku[r], in->o_wh[r]);
        if (i >= 0)
            nopen[i]++;
        if (tr && in->o_from && in->o_from[r][0]) {
            int32_t f = smap_get(&mk, in->o_sku[r], in->o_from[r]);
            if (f >= 0)
                nopen[f]++;
        }
    }
    size_t tot = 0;
    for (int32_t i = 0; i < n; i++)
        tot += (size_t)nopen[i] + in->wh.n;
    b->open = calloc(tot + 1, sizeof *b->open);
    if (!b->open) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    tot = 0;
    for (int32_t i = 0; i < n; i++) {
        b->items[i].open = b->open + tot;
        b->open_cap[i] = nopen[i] + (int32_t)in->wh.n;
        tot += (size_t)b->open_cap[i];
    }
    for (size_t r = 0; r < in->open.n; r++) {
        int64_t dd = in->o_date[r] - in->plan_date;
        int32_t day = dd < 0 ? 0 : (dd > 100000 ? 100000 : (int32_t)dd);
        int32_t i = smap_get(&mk, in->o_sku[r], in->o_wh[r]);
        if (i >= 0)
            add_open(b, i, day, in->o_qty[r]);
        if (!strcasecmp(in->o_kind[r], "transfer") && in->o_from && in->o_from[r][0]) {
            int32_t f = smap_get(&mk, in->o_sku[r], in->o_from[r]);
            if (f >= 0)
                add_open(b, f, 0, -in->o_qty[r]);
        }
    }
    /* history */
    if (in->sales.n > 0) {
        int64_t *first = malloc(sizeof(int64_t) * nn);
        if (!first) {
            rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
            goto fail;
        }
        for (int32_t i = 0; i < n; i++)
            first[i] = INT64_MAX;
        for (size_t r = 0; r < in->sales.n; r++) {
            int32_t i = smap_get(&mk, in->sa_sku[r], in->sa_wh[r]);
            if (i >= 0 && in->sa_date[r] != SCO_NULL_I64 && in->sa_date[r] < first[i])
                first[i] = in->sa_date[r];
        }
        for (int32_t i = 0; i < n; i++) {
            int32_t r = b->item_row[i];
            if (first[i] == INT64_MAX)
                sco__inv_exc_add(b, i, in->i_sku[r], in->w_id[b->items[i].wh], "no_history",
                                 "no sales recorded; the forecast has nothing to learn from");
            else if ((double)(in->plan_date - first[i]) < c->min_history_days)
                sco__inv_exc_add(b, i, in->i_sku[r], in->w_id[b->items[i].wh], "short_history",
                                 "first sale %lld days ago (< %g); treat the forecast with care",
                                 (long long)(in->plan_date - first[i]), c->min_history_days);
        }
        free(first);
    }
    /* problem */
    b->pb.items = b->items;
    b->pb.n_levels = in->n_levels;
    b->pb.levels = in->levels;
    b->pb.n_wh = (int32_t)in->wh.n;
    b->pb.storage_l = b->storage;
    b->pb.receiving_l = b->recv;
    b->pb.budget = c->budget > 0 ? c->budget : INFINITY;
    b->pb.review_days = c->review_days;
    b->pb.horizon_days = c->horizon_days;
    b->pb.service_target = c->service_level;
    b->pb.lost_sales = c->lost_sales;
    b->pb.terminal_value = c->terminal_value;
    b->pb.recourse = c->recourse;
    b->pb.max_iter = c->max_iter;
    b->pb.target_gap = c->target_gap;
    /* transfers, SKU by SKU */
    order = malloc(sizeof(int32_t) * nn);
    if (!order) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (int32_t i = 0; i < n; i++)
        order[i] = i;
    g_sku_col = in->i_sku;
    g_rows = b->item_row;
    qsort(order, (size_t)n, sizeof *order, cmp_by_sku);
    if (in->cfg.transfer_days >= 0 && (rc = plan_transfers(in, b, order, err)))
        goto fail;
    rc = 0;
    goto done;
fail:
    sco__inv_built_fini(b);
done:
    free(order);
    free(fc_item);
    free(nday);
    free(nopen);
    free(seen);
    smap_fini(&mw);
    smap_fini(&ms);
    smap_fini(&mi);
    smap_fini(&mk);
    return rc;
}
