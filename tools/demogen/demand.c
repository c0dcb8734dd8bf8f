/* Daily sales per SKU x warehouse, stock on hand, open orders and bin locations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "demogen.h"
#include "dmath.h"

static double listing_factor(const struct dg_item *it, int d)
{
    /* new items ramp up over three weeks; discontinued ones fade out over six */
    if (d < it->launch || d >= it->end)
        return 0.0;
    double f = 1.0;
    if (d < it->launch + 21)
        f *= 0.3 + 0.7 * (d - it->launch) / 21.0;
    if (it->end < DG_HIST && d >= it->end - 42)
        f *= (it->end - d) / 42.0;
    return f;
}

static int make_series(struct dg_model *m)
{
    int n = 0;
    for (int i = 0; i < m->n_items; i++)
        for (int w = 0; w < DG_NWH; w++)
            n += m->items[i].series[w] >= 0;
    m->series = calloc((size_t)n, sizeof *m->series);
    if (!m->series)
        return -1;
    struct dg_rng r;
    dg_stream(m, &r, 3);
    for (int i = 0; i < m->n_items; i++) {
        struct dg_item *it = &m->items[i];
        for (int w = 0; w < DG_NWH; w++) {
            if (it->series[w] < 0)
                continue;
            struct dg_series *s = &m->series[m->n_series];
            it->series[w] = m->n_series++;
            s->item = i;
            s->wh = w;
            s->scale = m->whs[w].scale * dg_lognormal(&r, 0.0, 0.3);
            double g = 0.08 + 0.15 * dg_normal(&r);
            s->trend = g < -0.35 ? -0.35 : g > 0.45 ? 0.45 : g;
            s->k = it->klass == CLASS_FAST     ? dg_range(&r, 4.0, 15.0)
                   : it->klass == CLASS_MEDIUM ? dg_range(&r, 1.2, 4.0)
                                               : dg_range(&r, 0.25, 1.0);
            s->qty = calloc(DG_HIST, sizeof *s->qty);
            s->left = calloc(DG_HIST, sizeof *s->left);
            if (!s->qty || !s->left)
                return -1;
        }
    }
    return 0;
}

static void simulate_sales(struct dg_model *m)
{
    struct dg_rng r;
    dg_stream(m, &r, 4);
    for (int si = 0; si < m->n_series; si++) {
        struct dg_series *s = &m->series[si];
        const struct dg_item *it = &m->items[s->item];
        long sum28 = 0;
        for (int d = 0; d < DG_HIST; d++) {
            double lf = listing_factor(it, d);
            if (lf <= 0.0)
                continue;
            /* latent mean: level x trend x calendar x price lift x listing */
            double mu = it->base * s->scale * dg_exp(s->trend * (d - DG_HIST) / 365.0);
            mu *= dg_day_mult(m, it->cat, d) * lf;
            int pct = dg_promo_at(m, s->item, s->wh, d);
            if (pct)
                mu *= dg_pow(1.0 - pct / 100.0, -it->elasticity);
            int q = dg_negbin(&r, mu, s->k);
            s->qty[d] = q;
            s->left[d] = q;
            if (d >= DG_HIST - 28)
                sum28 += q;
        }
        s->rate28 = sum28 / 28.0;
    }
}

static int round_up_cases(int units, int pack)
{
    return (units + pack - 1) / pack * pack;
}

static void make_stock(struct dg_model *m)
{
    struct dg_rng r;
    dg_stream(m, &r, 5);
    for (int si = 0; si < m->n_series; si++) {
        struct dg_series *s = &m->series[si];
        const struct dg_item *it = &m->items[s->item];
        double u = dg_unif(&r), rate = s->rate28;
        if (it->status == STATUS_DISCONTINUED)
            s->on_hand = dg_bern(&r, 0.5) ? dg_int(&r, 1, 2 * it->case_pack) : 0;
        else if (u < 0.07)
            s->on_hand = 0; /* stocked out */
        else if (u < 0.17)
            s->on_hand = (int)lround(rate * dg_range(&r, 0.0, 3.0));
        else if (u < 0.30)
            s->on_hand = (int)lround(rate * dg_range(&r, 60.0, 150.0)) + it->case_pack;
        else
            s->on_hand = (int)lround(rate * dg_range(&r, 7.0, 30.0)) + dg_int(&r, 0, it->case_pack);
    }
}

static void make_open_orders(struct dg_model *m)
{
    struct dg_rng r;
    dg_stream(m, &r, 6);
    m->open = calloc((size_t)m->n_series + 64, sizeof *m->open);
    if (!m->open)
        return;
    int n_po = 0, n_tr = 0;
    for (int si = 0; si < m->n_series; si++) {
        const struct dg_series *s = &m->series[si];
        const struct dg_item *it = &m->items[s->item];
        const struct dg_supplier *sup = &m->suppliers[it->supplier];
        if (it->status == STATUS_DISCONTINUED)
            continue;
        double rate = s->rate28 > 0.05 ? s->rate28 : 0.05;
        double cover = s->on_hand / rate;
        int lead = sup->lead_days;
        if (!(cover < lead + 10 ? dg_bern(&r, 0.65) : dg_bern(&r, 0.08)))
            continue;
        /* placed on one of the supplier's ordering days within the last lead time */
        int od = DG_HIST - dg_int(&r, 1, lead);
        while (od > 0 && !(sup->weekdays & (1u << dg_weekday(m->d0 + od))))
            od--;
        int ed = od + lead + (int)lround(sup->lead_sd * dg_normal(&r));
        if (ed < DG_HIST)
            ed = DG_HIST + dg_int(&r, 0, 2);
        int want = (int)lround(rate * (lead + 14));
        if (want < it->moq)
            want = it->moq;
        struct dg_open_order *o = &m->open[m->n_open++];
        snprintf(o->ref, sizeof o->ref, "PO-26-%05d", ++n_po);
        o->transfer = 0;
        o->series = si;
        o->from_wh = -1;
        o->qty = round_up_cases(want, it->case_pack);
        o->order_day = od;
        o->expected_day = ed;
    }
    /* transfers from a warehouse with excess to one that is short */
    for (int i = 0; i < m->n_items && n_tr < 60; i++) {
        const struct dg_item *it = &m->items[i];
        if (it->status == STATUS_DISCONTINUED)
            continue;
        for (int to = 0; to < DG_NWH; to++) {
            int st = it->series[to];
            if (st < 0 || m->series[st].rate28 < 0.3)
                continue;
            const struct dg_series *t = &m->series[st];
            if (t->on_hand > 5.0 * t->rate28)
                continue;
            for (int from = 0; from < DG_NWH; from++) {
                int sf = it->series[from];
                if (from == to || sf < 0)
                    continue;
                const struct dg_series *f = &m->series[sf];
                if (f->on_hand < 60.0 * (f->rate28 > 0.1 ? f->rate28 : 0.1))
                    continue;
                int q = round_up_cases((int)lround(t->rate28 * 14.0), it->case_pack);
                if (q > f->on_hand / 2)
                    q = f->on_hand / 2;
                if (q <= 0)
                    continue;
                struct dg_open_order *o = &m->open[m->n_open++];
                snprintf(o->ref, sizeof o->ref, "TR-26-%04d", ++n_tr);
                o->transfer = 1;
                o->series = st;
                o->from_wh = from;
                o->qty = q;
                o->order_day = DG_HIST - 1;
                o->expected_day = DG_HIST + dg_int(&r, 0, 2);
                break;
            }
        }
    }
}

struct slot_key {
    int series;
    double rate;
};

static int cmp_rate_desc(const void *a, const void *b)
{
    const struct slot_key *x = a, *y = b;
    if (x->rate != y->rate)
        return x->rate > y->rate ? -1 : 1;
    return (x->series > y->series) - (x->series < y->series);
}

/* zone layout: A fast pick face, B bulk and slow movers, C chilled */
static const struct {
    char zone;
    int aisles, bays, levels;
} zones[3] = {
    { 'A', 6, 12, 4 },
    { 'B', 10, 12, 5 },
    { 'C', 2, 12, 4 },
};

static void make_bins(struct dg_model *m)
{
    struct dg_rng r;
    dg_stream(m, &r, 7);
    struct slot_key *keys = calloc((size_t)m->n_series, sizeof *keys);
    int *slots = calloc(10 * 12 * 5, sizeof *slots);
    if (!keys || !slots)
        goto out;
    for (int w = 0; w < DG_NWH; w++) {
        for (int z = 0; z < 3; z++) {
            int n = 0;
            for (int si = 0; si < m->n_series; si++) {
                const struct dg_series *s = &m->series[si];
                const struct dg_item *it = &m->items[s->item];
                int zone = m->cats[it->cat].chilled                                       ? 2
                           : it->klass == CLASS_SLOW || it->status == STATUS_DISCONTINUED ? 1
                                                                                          : 0;
                if (s->wh == w && zone == z) {
                    keys[n].series = si;
                    keys[n].rate = s->rate28;
                    n++;
                }
            }
            qsort(keys, (size_t)n, sizeof *keys, cmp_rate_desc);
            /* slots in walking order from the dispatch area, golden levels 2 and 1 first */
            static const int level_order[5] = { 2, 1, 3, 4, 5 };
            int ns = 0;
            for (int a = 1; a <= zones[z].aisles; a++)
                for (int b = 1; b <= zones[z].bays; b++)
                    for (int l = 0; l < zones[z].levels; l++)
                        slots[ns++] = (a << 16) | (b << 8) | level_order[l];
            if (z == 1) /* bulk: wherever there is room */
                for (int i = ns - 1; i > 0; i--) {
                    int j = dg_int(&r, 0, i), t = slots[i];
                    slots[i] = slots[j];
                    slots[j] = t;
                }
            for (int k = 0; k < n && k < ns; k++) {
                /* leave a gap every seventh slot so the pick face is not perfectly dense */
                int slot = slots[z != 1 && n + n / 7 < ns ? k + k / 7 : k];
                struct dg_series *s = &m->series[keys[k].series];
                s->zone = zones[z].zone;
                s->aisle = slot >> 16;
                s->bay = (slot >> 8) & 0xff;
                s->level = slot & 0xff;
                snprintf(s->bin, sizeof s->bin, "%s-%c-%02d-%02d-%d", m->whs[w].id, s->zone,
                         s->aisle, s->bay, s->level);
            }
        }
    }
out:
    free(keys);
    free(slots);
}

static void size_warehouses(struct dg_model *m)
{
    for (int w = 0; w < DG_NWH; w++) {
        double sold_ml = 0.0, stock_ml = 0.0;
        for (int si = 0; si < m->n_series; si++) {
            const struct dg_series *s = &m->series[si];
            if (s->wh != w)
                continue;
            const struct dg_item *it = &m->items[s->item];
            long units = 0;
            for (int d = DG_HIST - 365; d < DG_HIST; d++)
                units += s->qty[d];
            sold_ml += (double)units * it->volume_ml / 365.0;
            stock_ml += (double)s->on_hand * it->volume_ml;
        }
        for (int k = 0; k < m->n_open; k++) {
            const struct dg_series *s = &m->series[m->open[k].series];
            if (s->wh == w)
                stock_ml += (double)m->open[k].qty * m->items[s->item].volume_ml;
        }
        /* room for about 40 days of sales, never less than 1.3x what is there and coming */
        double storage = sold_ml * 40.0 / 1000.0;
        if (storage < 1.3 * stock_ml / 1000.0)
            storage = 1.3 * stock_ml / 1000.0;
        m->whs[w].storage_l = (long)ceil(storage / 1000.0) * 1000;
        m->whs[w].receiving_l = (long)ceil(sold_ml * 2.5 / 1000.0 / 500.0) * 500;
    }
}

int dg_demand(struct dg_model *m)
{
    if (make_series(m) < 0)
        goto oom;
    simulate_sales(m);
    make_stock(m);
    make_open_orders(m);
    if (!m->open)
        goto oom;
    make_bins(m);
    size_warehouses(m);
    return 0;
oom:
    fprintf(stderr, "sco-demogen: out of memory simulating sales\n");
    return -1;
}
