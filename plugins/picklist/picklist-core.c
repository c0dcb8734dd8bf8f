/* picklist-core.c: waves, combined pick lines, walking order, cart batches, shortages and
 * staging sheets. No I/O here; see picklist-pdf.c and picklist-html.c for rendering. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "picklist-core.h"

/* ---- Plan memory: a chain of blocks freed at once ---------------------------------------- */
struct pl_block {
    struct pl_block *next;
    size_t used, cap;
    max_align_t data[];
};

static void *mem_alloc(struct pl_plan *p, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (n == 0)
        n = sizeof(max_align_t);
    struct pl_block *b = p->mem;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = calloc(1, sizeof *b + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->next = p->mem;
        p->mem = b;
    }
    void *r = (char *)b->data + b->used;
    b->used += n;
    return r;
}

static void *mem_copy(struct pl_plan *p, const void *src, size_t n)
{
    void *d = mem_alloc(p, n);
    if (d && n)
        memcpy(d, src, n);
    return d;
}

static SCO_PRINTF(2, 3) char *mem_printf(struct pl_plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = mem_alloc(p, (size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void pl_plan_free(struct pl_plan *plan)
{
    if (!plan)
        return;
    struct pl_block *b = plan->mem;
    while (b) {
        struct pl_block *next = b->next;
        free(b);
        b = next;
    }
    memset(plan, 0, sizeof *plan);
}

/* ---- Growable temporary arrays ----------------------------------------------------------- */
struct vec {
    void *data;
    size_t n, cap, elem;
};

static void *vec_push(struct vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16;
        void *d = realloc(v->data, cap * v->elem);
        if (!d)
            return NULL;
        v->data = d;
        v->cap = cap;
    }
    void *r = (char *)v->data + v->n * v->elem;
    memset(r, 0, v->elem);
    v->n++;
    return r;
}

static void vec_free(struct vec *v)
{
    free(v->data);
    v->data = NULL;
    v->n = v->cap = 0;
}

/* qsort that accepts NULL for an empty array */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* ---- Names ------------------------------------------------------------------------------- */
const char *pl_sort_name(enum pl_sort s)
{
    switch (s) {
    case PL_SORT_SERPENTINE: return "serpentine";
    case PL_SORT_AISLE: return "aisle";
    case PL_SORT_BIN: return "bin";
    case PL_SORT_SKU: return "sku";
    }
    return "?";
}

const char *pl_sort_description(enum pl_sort s)
{
    switch (s) {
    case PL_SORT_SERPENTINE:
        return "walk: serpentine - zone, aisle (odd aisles up, even aisles down), bay, level";
    case PL_SORT_AISLE: return "walk: by aisle - zone, aisle, bay, level, all ascending";
    case PL_SORT_BIN: return "sort: bin code";
    case PL_SORT_SKU: return "sort: SKU (not a walking order)";
    }
    return "?";
}

int pl_sort_parse(const char *s, enum pl_sort *out)
{
    static const enum pl_sort all[] = { PL_SORT_SERPENTINE, PL_SORT_AISLE, PL_SORT_BIN,
                                        PL_SORT_SKU };
    for (size_t i = 0; i < SCO_COUNT(all); i++) {
        if (s && strcmp(s, pl_sort_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return SCO_ERR_INVALID;
}

const char *pl_exc_kind_name(enum pl_exc_kind k)
{
    switch (k) {
    case PL_EXC_SHORTAGE: return "shortage";
    case PL_EXC_NO_BIN: return "no_bin";
    case PL_EXC_UNKNOWN_SKU: return "unknown_sku";
    case PL_EXC_NO_LINES: return "no_lines";
    case PL_EXC_NOT_ROUTED: return "not_routed";
    }
    return "?";
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

int pl_natcmp(const char *a, const char *b)
{
    a = nz(a);
    b = nz(b);
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0' && isdigit((unsigned char)a[1]))
                a++;
            while (*b == '0' && isdigit((unsigned char)b[1]))
                b++;
            size_t la = 0, lb = 0;
            while (isdigit((unsigned char)a[la]))
                la++;
            while (isdigit((unsigned char)b[lb]))
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = memcmp(a, b, la);
            if (c)
                return c < 0 ? -1 : 1;
            a += la;
            b += lb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    if (*a || *b)
        return *a ? 1 : -1;
    return 0;
}

void pl_format_date(int64_t days, char buf[static 11])
{
    int64_t y;
    unsigned m, d;
    sco_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    snprintf(buf, 11, "%04d-%02u-%02u", (int)y, m, d);
}

int pl_parse_date(const char *s, int64_t *days)
{
    /* "YYYY-MM-DD", possibly followed by a time ("2024-02-29T08:00") */
    return s && strnlen(s, 10) == 10 ? sco_date_parse(s, 10, days) : SCO_ERR_INVALID;
}

void pl_safe_name(const char *s, char *buf, size_t n)
{
    size_t j = 0;
    for (s = nz(s); *s && j + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        buf[j++] = (isalnum(c) || c == '-' || c == '_' || c == '.') ? (char)c : '_';
    }
    if (j == 0 && n > 1)
        buf[j++] = '_';
    if (n)
        buf[j] = '\0';
    if (buf[0] == '.')
        buf[0] = '_';
}

/* ---- Lookups by sorted index ------------------------------------------------------------- */
struct key2 {
    const char *a, *b;
    size_t i;
};

static int key2_cmp(const void *x, const void *y)
{
    const struct key2 *p = x, *q = y;
    int c = strcmp(p->a, q->a);
    if (c == 0)
        c = strcmp(p->b, q->b);
    if (c == 0)
        c = p->i < q->i ? -1 : p->i > q->i;
    return c;
}

/* First index with key (a, b), or SIZE_MAX; keys sorted by key2_cmp. */
static size_t key2_find(const struct key2 *k, size_t n, const char *a, const char *b)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(k[mid].a, a);
        if (c == 0)
            c = strcmp(k[mid].b, b);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && strcmp(k[lo].a, a) == 0 && strcmp(k[lo].b, b) == 0)
        return lo;
    return SIZE_MAX;
}

/* ---- Walking order ----------------------------------------------------------------------- */
struct walk {
    enum pl_sort sort;
    const struct pl_options *opt;
    const struct pl_bin *bins;
    int *aisle_idx; /* per bin: 1-based position of its aisle in its warehouse and zone */
};

static size_t zone_rank(const struct pl_options *opt, const char *zone)
{
    for (size_t i = 0; i < opt->n_zone_order; i++)
        if (strcmp(nz(opt->zone_order[i]), zone) == 0)
            return i;
    return opt->n_zone_order;
}

static int zone_cmp(const struct pl_options *opt, const char *a, const char *b)
{
    size_t ra = zone_rank(opt, nz(a)), rb = zone_rank(opt, nz(b));
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return pl_natcmp(a, b);
}

/* Compares two bins in walking order. */
static int walk_cmp(const struct walk *w, size_t i, size_t j)
{
    const struct pl_bin *a = &w->bins[i], *b = &w->bins[j];
    int c = 0;
    switch (w->sort) {
    case PL_SORT_SERPENTINE:
    case PL_SORT_AISLE:
        c = zone_cmp(w->opt, a->zone, b->zone);
        if (c)
            return c;
        if (w->sort == PL_SORT_SERPENTINE) {
            if (w->aisle_idx[i] != w->aisle_idx[j])
                return w->aisle_idx[i] < w->aisle_idx[j] ? -1 : 1;
            c = pl_natcmp(a->bay, b->bay);
            if (w->aisle_idx[i] % 2 == 0)
                c = -c; /* even aisles are walked down */
        } else {
            c = pl_natcmp(a->aisle, b->aisle);
            if (c == 0)
                c = pl_natcmp(a->bay, b->bay);
        }
        if (c == 0)
            c = pl_natcmp(a->level, b->level);
        if (c == 0)
            c = pl_natcmp(a->bin, b->bin);
        return c;
    case PL_SORT_BIN:
    case PL_SORT_SKU:
        return pl_natcmp(a->bin, b->bin);
    }
    return 0;
}

static const struct walk *g_walk; /* qsort has no context argument in C11 */

static int aisle_key_cmp(const void *x, const void *y)
{
    const struct pl_bin *a = &g_walk->bins[*(const size_t *)x];
    const struct pl_bin *b = &g_walk->bins[*(const size_t *)y];
    int c = strcmp(nz(a->warehouse), nz(b->warehouse));
    if (c == 0)
        c = strcmp(nz(a->zone), nz(b->zone));
    if (c == 0)
        c = pl_natcmp(a->aisle, b->aisle);
    return c;
}

/* Numbers the aisles of each (warehouse, zone) 1, 2, 3 ... in natural order of their labels. */
static int walk_init(struct walk *w, const struct pl_input *in, const struct pl_options *opt)
{
    w->sort = opt->sort;
    w->opt = opt;
    w->bins = in->bins;
    w->aisle_idx = calloc(in->n_bins ? in->n_bins : 1, sizeof *w->aisle_idx);
    size_t *ord = malloc((in->n_bins ? in->n_bins : 1) * sizeof *ord);
    if (!w->aisle_idx || !ord) {
        free(ord);
        return SCO_ERR_NOMEM;
    }
    for (size_t i = 0; i < in->n_bins; i++)
        ord[i] = i;
    g_walk = w;
    sort(ord, in->n_bins, sizeof *ord, aisle_key_cmp);
    int idx = 0;
    for (size_t k = 0; k < in->n_bins; k++) {
        const struct pl_bin *b = &in->bins[ord[k]];
        const struct pl_bin *p = k ? &in->bins[ord[k - 1]] : NULL;
        if (!p || strcmp(nz(p->warehouse), nz(b->warehouse)) || strcmp(nz(p->zone), nz(b->zone)))
            idx = 1;
        else if (pl_natcmp(p->aisle, b->aisle) != 0)
            idx++;
        w->aisle_idx[ord[k]] = idx;
    }
    free(ord);
    return 0;
}

/* ---- Building ---------------------------------------------------------------------------- */
struct demand {        /* one order line of a wave */
    const char *sku;
    size_t order_pos;  /* position of the order in the wave (stop order) */
    const char *order_id;
    int64_t stop;
    int64_t qty;
};

static int demand_cmp(const void *x, const void *y)
{
    const struct demand *a = x, *b = y;
    int c = strcmp(a->sku, b->sku);
    if (c == 0)
        c = a->order_pos < b->order_pos ? -1 : a->order_pos > b->order_pos;
    return c;
}

struct wave_order {
    const char *order_id, *customer, *arrival;
    int64_t stop;
    const struct pl_order *order; /* NULL when not in `orders` */
};

struct build {
    const struct pl_input *in;
    const struct pl_options *opt;
    struct pl_plan *plan;
    struct sco_err *err;
    struct walk walk;
    struct key2 *items; /* by sku */
    struct key2 *bins;  /* by (warehouse, sku) */
    struct key2 *stock; /* by (sku, warehouse) */
    int64_t *stock_left; /* per stock row */
    struct key2 *orders; /* by order_id */
    struct key2 *lines;  /* by order_id, then row */
    size_t *primary_bin; /* per key in `bins`: the bin walked first for that (warehouse, sku) */
    struct vec exceptions; /* struct pl_exception */
};

static int add_exception(struct build *b, enum pl_exc_kind kind, const char *order_id,
                         const char *route_id, const char *warehouse, const char *sku,
                         int64_t ordered, int64_t picked, const char *detail)
{
    struct pl_exception *e = vec_push(&b->exceptions);
    if (!e || !detail)
        return sco_err_set(b->err, SCO_ERR_NOMEM, "out of memory building pick lists");
    e->kind = kind;
    e->order_id = nz(order_id);
    e->route_id = nz(route_id);
    e->warehouse = nz(warehouse);
    e->sku = nz(sku);
    e->ordered = ordered;
    e->picked = picked;
    e->short_units = ordered - picked;
    e->detail = detail;
    return 0;
}

static const struct pl_item *find_item(struct build *b, const char *sku)
{
    size_t k = key2_find(b->items, b->in->n_items, sku, "");
    return k == SIZE_MAX ? NULL : &b->in->items[b->items[k].i];
}

static const struct pl_bin *find_bin(struct build *b, const char *warehouse, const char *sku)
{
    size_t k = key2_find(b->bins, b->in->n_bins, warehouse, sku);
    return k == SIZE_MAX ? NULL : &b->in->bins[b->primary_bin[k]];
}

/* Units available for (sku, warehouse); INT64_MAX without a stock table. */
static int64_t *stock_slot(struct build *b, const char *sku, const char *warehouse)
{
    size_t k = key2_find(b->stock, b->in->n_stock, sku, warehouse);
    return k == SIZE_MAX ? NULL : &b->stock_left[k];
}

static int make_indexes(struct build *b)
{
    const struct pl_input *in = b->in;
    size_t n1 = in->n_items ? in->n_items : 1, n2 = in->n_bins ? in->n_bins : 1;
    size_t n3 = in->n_stock ? in->n_stock : 1, n4 = in->n_orders ? in->n_orders : 1;
    size_t n5 = in->n_lines ? in->n_lines : 1;
    b->items = malloc(n1 * sizeof *b->items);
    b->bins = malloc(n2 * sizeof *b->bins);
    b->primary_bin = malloc(n2 * sizeof *b->primary_bin);
    b->stock = malloc(n3 * sizeof *b->stock);
    b->stock_left = malloc(n3 * sizeof *b->stock_left);
    b->orders = malloc(n4 * sizeof *b->orders);
    b->lines = malloc(n5 * sizeof *b->lines);
    if (!b->items || !b->bins || !b->primary_bin || !b->stock || !b->stock_left || !b->orders ||
        !b->lines)
        return sco_err_set(b->err, SCO_ERR_NOMEM, "out of memory building pick lists");

    for (size_t i = 0; i < in->n_items; i++)
        b->items[i] = (struct key2){ nz(in->items[i].sku), "", i };
    sort(b->items, in->n_items, sizeof *b->items, key2_cmp);
    for (size_t i = 1; i < in->n_items; i++)
        if (strcmp(b->items[i].a, b->items[i - 1].a) == 0)
            return sco_err_set(b->err, SCO_ERR_INVALID,
                               "items: sku '%s' appears twice; keep one row per sku",
                               b->items[i].a);

    for (size_t i = 0; i < in->n_bins; i++)
        b->bins[i] = (struct key2){ nz(in->bins[i].warehouse), nz(in->bins[i].sku), i };
    sort(b->bins, in->n_bins, sizeof *b->bins, key2_cmp);
    /* For each (warehouse, sku) key the bin that comes first in the walk; lookups find the
     * first key of a run, so store the choice there. */
    for (size_t k = 0; k < in->n_bins;) {
        size_t best = b->bins[k].i, e = k + 1;
        while (e < in->n_bins && strcmp(b->bins[e].a, b->bins[k].a) == 0 &&
               strcmp(b->bins[e].b, b->bins[k].b) == 0) {
            if (walk_cmp(&b->walk, b->bins[e].i, best) < 0)
                best = b->bins[e].i;
            e++;
        }
        for (size_t j = k; j < e; j++)
            b->primary_bin[j] = best;
        k = e;
    }

    for (size_t i = 0; i < in->n_stock; i++)
        b->stock[i] = (struct key2){ nz(in->stock[i].sku), nz(in->stock[i].warehouse), i };
    sort(b->stock, in->n_stock, sizeof *b->stock, key2_cmp);
    /* Several rows for one (sku, warehouse) add up; the sum sits on the first key. */
    for (size_t k = 0; k < in->n_stock;) {
        double sum = 0;
        size_t e = k;
        while (e < in->n_stock && strcmp(b->stock[e].a, b->stock[k].a) == 0 &&
               strcmp(b->stock[e].b, b->stock[k].b) == 0) {
            double v = in->stock[b->stock[e].i].on_hand;
            if (isfinite(v) && v > 0)
                sum += v;
            e++;
        }
        for (size_t j = k; j < e; j++)
            b->stock_left[j] = 0;
        b->stock_left[k] = sum >= 9e18 ? INT64_MAX : (int64_t)floor(sum + 1e-9);
        k = e;
    }

    for (size_t i = 0; i < in->n_orders; i++)
        b->orders[i] = (struct key2){ nz(in->orders[i].order_id), "", i };
    sort(b->orders, in->n_orders, sizeof *b->orders, key2_cmp);

    for (size_t i = 0; i < in->n_lines; i++) {
        const struct pl_order_line *l = &in->lines[i];
        if (l->qty < 0 || l->qty == SCO_NULL_I64)
            return sco_err_set(b->err, SCO_ERR_INVALID,
                               "%s: order '%s' sku '%s' has quantity %s; quantities are whole "
                               "units >= 0",
                               l->origin ? l->origin : "order_lines", nz(l->order_id),
                               nz(l->sku), l->qty == SCO_NULL_I64 ? "empty" : "below 0");
        b->lines[i] = (struct key2){ nz(l->order_id), "", i };
    }
    sort(b->lines, in->n_lines, sizeof *b->lines, key2_cmp);
    return 0;
}

/* The orders of one wave, in stop order. */
static int wave_orders(struct build *b, const struct pl_wave *w, struct vec *out)
{
    const struct pl_input *in = b->in;
    if (w->routed) {
        for (size_t i = 0; i < in->n_stops; i++) {
            const struct pl_stop *s = &in->stops[i];
            if (strcmp(nz(s->route_id), w->route_id) != 0 || !s->order_id || !*s->order_id)
                continue;
            bool dup = false;
            for (size_t j = 0; j < out->n && !dup; j++)
                dup = strcmp(((struct wave_order *)out->data)[j].order_id, s->order_id) == 0;
            if (dup)
                continue;
            struct wave_order *o = vec_push(out);
            if (!o)
                return SCO_ERR_NOMEM;
            o->order_id = s->order_id;
            o->customer = nz(s->customer);
            o->arrival = nz(s->arrival);
            o->stop = s->seq == SCO_NULL_I64 ? 0 : s->seq;
        }
        /* insertion sort by stop: routes are short and often already in order */
        struct wave_order *o = out->data;
        for (size_t i = 1; i < out->n; i++) {
            struct wave_order t = o[i];
            size_t j = i;
            while (j > 0 && o[j - 1].stop > t.stop) {
                o[j] = o[j - 1];
                j--;
            }
            o[j] = t;
        }
    } else {
        for (size_t k = 0; k < in->n_orders; k++) {
            const struct pl_order *po = &in->orders[b->orders[k].i];
            if (strcmp(nz(po->warehouse), w->warehouse) != 0)
                continue;
            if (po->has_date && po->delivery_date != b->opt->run_date)
                continue; /* another day's delivery */
            if (k > 0 && strcmp(b->orders[k - 1].a, b->orders[k].a) == 0)
                continue;
            struct wave_order *o = vec_push(out);
            if (!o)
                return SCO_ERR_NOMEM;
            o->order_id = nz(po->order_id);
            o->customer = nz(po->customer);
            o->arrival = "";
            o->stop = 0;
        }
    }
    struct wave_order *o = out->data;
    for (size_t i = 0; i < out->n; i++) {
        size_t k = key2_find(b->orders, b->in->n_orders, o[i].order_id, "");
        o[i].order = k == SIZE_MAX ? NULL : &in->orders[b->orders[k].i];
        if (o[i].order && !*o[i].customer)
            o[i].customer = nz(o[i].order->customer);
    }
    return 0;
}

/* Units of a line (unit weight uw, volume uv) that still fit a cart holding kg and l. */
static int64_t units_that_fit(const struct pl_options *opt, double kg, double l, double uw,
                              double uv, int64_t want)
{
    double n = (double)want;
    if (opt->cart_max_kg > 0 && uw > 0)
        n = fmin(n, floor((opt->cart_max_kg - kg) / uw + 1e-9));
    if (opt->cart_max_l > 0 && uv > 0)
        n = fmin(n, floor((opt->cart_max_l - l) / uv + 1e-9));
    return n < 0 ? 0 : (int64_t)n;
}

struct proto_pick {    /* a combined line before cart batching */
    struct pl_pick p;  /* allocs, demand, short_units, flags, item fields */
    size_t bin_index;  /* index into in->bins, SIZE_MAX without a bin */
    double uw, uv;     /* per unit */
};

static const struct walk *g_pick_walk;

static int proto_cmp(const void *x, const void *y)
{
    const struct proto_pick *a = x, *b = y;
    const struct walk *w = g_pick_walk;
    bool ha = a->bin_index != SIZE_MAX, hb = b->bin_index != SIZE_MAX;
    if (ha != hb)
        return ha ? -1 : 1; /* lines without a bin go last */
    int c = 0;
    if (w->sort == PL_SORT_SKU)
        c = pl_natcmp(a->p.sku, b->p.sku);
    if (c == 0 && ha)
        c = walk_cmp(w, a->bin_index, b->bin_index);
    if (c == 0)
        c = pl_natcmp(a->p.sku, b->p.sku);
    return c;
}

/* Splits the wave's combined lines into cart batches and copies them into the plan. */
static int make_batches(struct build *b, struct pl_wave *w, struct proto_pick *pp, size_t n)
{
    struct pl_plan *plan = b->plan;
    const struct pl_options *opt = b->opt;
    struct vec batches = { .elem = sizeof(struct vec) }; /* of struct vec of struct pl_pick */
    struct vec over = { .elem = sizeof(bool) };
    int rc = SCO_ERR_NOMEM;
    struct vec *cur = NULL;
    bool *cur_over = NULL;
    double kg = 0, l = 0;

    for (size_t i = 0; i < n; i++) {
        struct proto_pick *q = &pp[i];
        int64_t left = q->p.units, done = 0;
        bool first = true;
        do {
            if (!cur) {
                cur = vec_push(&batches);
                cur_over = vec_push(&over);
                if (!cur || !cur_over)
                    goto out;
                cur->elem = sizeof(struct pl_pick);
                kg = l = 0;
            }
            int64_t take = units_that_fit(opt, kg, l, q->uw, q->uv, left);
            if (take < left && take >= q->p.case_pack && q->p.case_pack > 1)
                take -= take % q->p.case_pack; /* prefer whole cases when a line splits */
            else if (take < left && take < q->p.case_pack && cur->n > 0) {
                cur = NULL; /* less than a case would fit: no slivers, start the next cart */
                continue;
            }
            if (take == 0 && left > 0) {
                if (cur->n > 0) { /* full: next cart */
                    cur = NULL;
                    continue;
                }
                take = 1; /* one unit bigger than an empty cart: carry it alone, flagged */
                *cur_over = true;
            }
            struct pl_pick *np = vec_push(cur);
            if (!np)
                goto out;
            *np = q->p;
            np->units = take;
            np->cases = take / np->case_pack;
            np->loose = take % np->case_pack;
            np->kg = (double)take * q->uw;
            np->l = (double)take * q->uv;
            if (!first)
                np->short_units = 0;
            if (take < left || !first)
                np->flags |= PL_PICK_SPLIT;
            /* the orders served by units [done, done + take) of the line */
            np->allocs = mem_alloc(plan, (q->p.n_allocs ? q->p.n_allocs : 1) * sizeof *np->allocs);
            if (!np->allocs)
                goto out;
            np->n_allocs = 0;
            int64_t pos = 0;
            for (size_t a = 0; a < q->p.n_allocs; a++) {
                const struct pl_alloc *src = &q->p.allocs[a];
                int64_t lo = pos > done ? pos : done;
                int64_t hi = pos + src->units < done + take ? pos + src->units : done + take;
                bool keep = hi > lo || (first && src->units == 0 && take == 0) ||
                            (first && src->short_units > 0);
                if (keep) {
                    struct pl_alloc *d = &np->allocs[np->n_allocs++];
                    *d = *src;
                    d->units = hi > lo ? hi - lo : 0;
                    if (!first)
                        d->short_units = 0;
                }
                pos += src->units;
            }
            kg += np->kg;
            l += np->l;
            left -= take;
            done += take;
            first = false;
            if (left > 0)
                cur = NULL; /* the rest goes on the next cart */
        } while (left > 0);
    }
    if (batches.n == 0) { /* a wave with nothing to pick still gets an (empty) pick list */
        cur = vec_push(&batches);
        cur_over = vec_push(&over);
        if (!cur || !cur_over)
            goto out;
        cur->elem = sizeof(struct pl_pick);
    }

    char date[11], ymd[9];
    pl_format_date(opt->run_date, date);
    snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", date, date + 5, date + 8);
    w->batches = mem_alloc(plan, batches.n * sizeof *w->batches);
    if (!w->batches)
        goto out;
    w->n_batches = batches.n;
    for (size_t k = 0; k < batches.n; k++) {
        struct vec *v = &((struct vec *)batches.data)[k];
        struct pl_batch *bt = &w->batches[k];
        bt->index = (int)k + 1;
        bt->count = (int)batches.n;
        bt->over_limit = ((bool *)over.data)[k];
        bt->picklist_id = mem_printf(plan, "%s-%s-%d", ymd, w->route_id, bt->index);
        bt->picks = mem_copy(plan, v->data, v->n * sizeof(struct pl_pick));
        if (!bt->picklist_id || (!bt->picks && v->n))
            goto out;
        bt->n_picks = v->n;
        for (size_t j = 0; j < v->n; j++) {
            bt->picks[j].line = (int)j + 1;
            bt->units += bt->picks[j].units;
            bt->kg += bt->picks[j].kg;
            bt->l += bt->picks[j].l;
        }
    }
    rc = 0;
out:
    for (size_t k = 0; k < batches.n; k++)
        vec_free(&((struct vec *)batches.data)[k]);
    vec_free(&batches);
    vec_free(&over);
    if (rc)
        sco_err_set(b->err, rc, "out of memory building pick lists");
    return rc;
}

static int build_wave(struct build *b, struct pl_wave *w)
{
    const struct pl_input *in = b->in;
    struct pl_plan *plan = b->plan;
    struct vec orders = { .elem = sizeof(struct wave_order) };
    struct vec dem = { .elem = sizeof(struct demand) };
    struct vec protos = { .elem = sizeof(struct proto_pick) };
    int rc = wave_orders(b, w, &orders);
    if (rc) {
        sco_err_set(b->err, rc, "out of memory building pick lists");
        goto out;
    }
    struct wave_order *wo = orders.data;

    for (size_t i = 0; i < orders.n; i++) {
        size_t k = key2_find(b->lines, in->n_lines, wo[i].order_id, "");
        size_t n_found = 0;
        for (; k != SIZE_MAX && k < in->n_lines && strcmp(b->lines[k].a, wo[i].order_id) == 0;
             k++) {
            const struct pl_order_line *l = &in->lines[b->lines[k].i];
            n_found++;
            if (l->qty == 0)
                continue;
            struct demand *d = vec_push(&dem);
            if (!d) {
                rc = sco_err_set(b->err, SCO_ERR_NOMEM, "out of memory building pick lists");
                goto out;
            }
            *d = (struct demand){ nz(l->sku), i, wo[i].order_id, wo[i].stop, l->qty };
        }
        if (n_found == 0) {
            rc = add_exception(b, PL_EXC_NO_LINES, wo[i].order_id, w->route_id, w->warehouse, "",
                               0, 0,
                               mem_printf(plan, "order '%s' has no order lines; nothing to pick",
                                          wo[i].order_id));
            if (rc)
                goto out;
        }
    }
    sort(dem.data, dem.n, sizeof(struct demand), demand_cmp);

    /* Combine the demand per SKU; stock goes to earlier stops first. */
    struct demand *d = dem.data;
    for (size_t s = 0; s < dem.n;) {
        size_t e = s;
        while (e < dem.n && strcmp(d[e].sku, d[s].sku) == 0)
            e++;
        struct proto_pick *q = vec_push(&protos);
        if (!q) {
            rc = sco_err_set(b->err, SCO_ERR_NOMEM, "out of memory building pick lists");
            goto out;
        }
        const char *sku = d[s].sku;
        const struct pl_item *it = find_item(b, sku);
        const struct pl_bin *bin = find_bin(b, w->warehouse, sku);
        q->p.sku = sku;
        q->p.name = it ? nz(it->name) : "(unknown item)";
        q->p.case_pack = it && it->case_pack > 0 ? it->case_pack : 1;
        q->uw = it && isfinite(it->weight_kg) && it->weight_kg > 0 ? it->weight_kg : 0;
        q->uv = it && isfinite(it->volume_l) && it->volume_l > 0 ? it->volume_l : 0;
        q->p.bin = bin;
        q->bin_index = bin ? (size_t)(bin - in->bins) : SIZE_MAX;
        if (!it)
            q->p.flags |= PL_PICK_UNKNOWN;
        if (!bin)
            q->p.flags |= PL_PICK_NO_BIN;
        q->p.allocs = mem_alloc(plan, (e - s) * sizeof *q->p.allocs);
        if (!q->p.allocs) {
            rc = sco_err_set(b->err, SCO_ERR_NOMEM, "out of memory building pick lists");
            goto out;
        }
        int64_t unlimited = INT64_MAX, none = 0;
        int64_t *avail = in->stock ? stock_slot(b, sku, w->warehouse) : &unlimited;
        if (!avail)
            avail = &none;
        for (size_t j = s; j < e; j++) {
            struct pl_alloc *a = NULL;
            if (q->p.n_allocs > 0 && q->p.allocs[q->p.n_allocs - 1].order_id == d[j].order_id)
                a = &q->p.allocs[q->p.n_allocs - 1]; /* same order, same SKU twice */
            else {
                a = &q->p.allocs[q->p.n_allocs++];
                a->order_id = d[j].order_id;
                a->stop = d[j].stop;
                a->wave_order = d[j].order_pos;
            }
            int64_t got = d[j].qty <= *avail ? d[j].qty : *avail;
            if (*avail != INT64_MAX)
                *avail -= got;
            a->units += got;
            a->short_units += d[j].qty - got;
            q->p.demand += d[j].qty;
            q->p.units += got;
        }
        q->p.short_units = q->p.demand - q->p.units;
        if (q->p.short_units > 0)
            q->p.flags |= PL_PICK_SHORT;
        for (size_t a = 0; a < q->p.n_allocs; a++) {
            const struct pl_alloc *al = &q->p.allocs[a];
            int64_t ordered = al->units + al->short_units;
            if (al->short_units > 0) {
                rc = add_exception(
                    b, PL_EXC_SHORTAGE, al->order_id, w->route_id, w->warehouse, sku, ordered,
                    al->units,
                    mem_printf(plan, "short %lld of %lld units of '%s' in '%s'",
                               (long long)al->short_units, (long long)ordered, sku,
                               w->warehouse));
                if (rc)
                    goto out;
            }
            if (!it) {
                rc = add_exception(
                    b, PL_EXC_UNKNOWN_SKU, al->order_id, w->route_id, w->warehouse, sku, ordered,
                    al->units,
                    mem_printf(plan, "sku '%s' is not in items; add it to the items table", sku));
                if (rc)
                    goto out;
            }
            if (!bin) {
                rc = add_exception(
                    b, PL_EXC_NO_BIN, al->order_id, w->route_id, w->warehouse, sku, ordered,
                    al->units,
                    mem_printf(plan, "sku '%s' has no bin in '%s'; listed at the end of the pick "
                                     "list, add it to the bins table",
                               sku, w->warehouse));
                if (rc)
                    goto out;
            }
        }
        s = e;
    }

    g_pick_walk = &b->walk;
    sort(protos.data, protos.n, sizeof(struct proto_pick), proto_cmp);
    rc = make_batches(b, w, protos.data, protos.n);
    if (rc)
        goto out;

    /* Staging sheet: per order, what the cart(s) bring to the dock; last stop loads first. */
    w->staging = mem_alloc(plan, (orders.n ? orders.n : 1) * sizeof *w->staging);
    if (!w->staging) {
        rc = sco_err_set(b->err, SCO_ERR_NOMEM, "out of memory building pick lists");
        goto out;
    }
    w->n_staging = orders.n;
    /* row of wave order i: reversed with routes (the last stop loads first) */
#define STAGE_ROW(i) (&w->staging[w->routed ? orders.n - 1 - (i) : (i)])
    for (size_t i = 0; i < orders.n; i++) {
        struct pl_stage_row *r = STAGE_ROW(i);
        r->stop = wo[i].stop;
        r->order_id = wo[i].order_id;
        r->customer = wo[i].customer;
        r->arrival = wo[i].arrival;
        r->tw_start = wo[i].order ? nz(wo[i].order->tw_start) : "";
        r->tw_end = wo[i].order ? nz(wo[i].order->tw_end) : "";
    }
    struct proto_pick *pq = protos.data;
    for (size_t k = 0; k < protos.n; k++) {
        for (size_t a = 0; a < pq[k].p.n_allocs; a++) {
            const struct pl_alloc *al = &pq[k].p.allocs[a];
            struct pl_stage_row *r = STAGE_ROW(al->wave_order);
            r->lines++;
            r->short_lines += al->short_units > 0;
            r->units += al->units;
            r->kg += (double)al->units * pq[k].uw;
            r->l += (double)al->units * pq[k].uv;
            r->parcels += al->units / pq[k].p.case_pack;
            r->loose_units += al->units % pq[k].p.case_pack;
        }
    }
#undef STAGE_ROW
    for (size_t i = 0; i < orders.n; i++) {
        struct pl_stage_row *r = &w->staging[i];
        r->parcels += r->loose_units > 0; /* one tote for the order's loose units */
        w->units += r->units;
        w->kg += r->kg;
        w->l += r->l;
    }
out:
    vec_free(&orders);
    vec_free(&dem);
    vec_free(&protos);
    return rc;
}

static int route_cmp(const void *x, const void *y)
{
    return pl_natcmp(*(const char *const *)x, *(const char *const *)y);
}

static const char *warehouse_name(const struct pl_input *in, const char *wh)
{
    for (size_t i = 0; i < in->n_warehouses; i++)
        if (strcmp(nz(in->warehouses[i].warehouse), wh) == 0 && in->warehouses[i].name)
            return in->warehouses[i].name;
    return "";
}

int pl_plan_build(const struct pl_input *in, const struct pl_options *opt, struct pl_plan *out,
                  struct sco_err *err)
{
    struct build b = { .in = in, .opt = opt, .plan = out, .err = err };
    b.exceptions.elem = sizeof(struct pl_exception);
    const char **keys = NULL;
    size_t n_keys = 0;
    memset(out, 0, sizeof *out);
    out->sort = opt->sort;

    int rc = walk_init(&b.walk, in, opt);
    if (rc) {
        sco_err_set(err, rc, "out of memory building pick lists");
        goto out;
    }
    rc = make_indexes(&b);
    if (rc)
        goto out;

    /* Waves: one per route, in natural order of route ids; or one per warehouse. */
    size_t n_src = in->stops ? in->n_stops : in->n_orders;
    keys = malloc((n_src ? n_src : 1) * sizeof *keys);
    if (!keys) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory building pick lists");
        goto out;
    }
    size_t n_used = 0;
    for (size_t i = 0; i < n_src; i++) {
        if (!in->stops && in->orders[i].has_date && in->orders[i].delivery_date != opt->run_date)
            continue;
        const char *k = in->stops ? nz(in->stops[i].route_id) : nz(in->orders[i].warehouse);
        if (!*k) {
            rc = sco_err_set(err, SCO_ERR_INVALID,
                             in->stops ? "routes row %zu has an empty route_id; every stop "
                                         "needs its route"
                                       : "orders row %zu has an empty warehouse; every order "
                                         "needs the warehouse it ships from",
                             i + 1);
            goto out;
        }
        keys[n_used++] = k;
    }
    sort(keys, n_used, sizeof *keys, route_cmp);
    for (size_t i = 0; i < n_used; i++)
        if (i == 0 || strcmp(keys[i], keys[i - 1]) != 0)
            keys[n_keys++] = keys[i];

    out->waves = mem_alloc(out, (n_keys ? n_keys : 1) * sizeof *out->waves);
    if (!out->waves) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory building pick lists");
        goto out;
    }
    out->n_waves = n_keys;
    for (size_t k = 0; k < n_keys; k++) {
        struct pl_wave *w = &out->waves[k];
        w->route_id = keys[k];
        w->routed = in->stops != NULL;
        w->vehicle = "";
        w->warehouse = keys[k];
        if (w->routed) {
            for (size_t i = 0; i < in->n_stops; i++) {
                if (strcmp(nz(in->stops[i].route_id), keys[k]) == 0) {
                    w->vehicle = nz(in->stops[i].vehicle);
                    w->warehouse = nz(in->stops[i].warehouse);
                    break;
                }
            }
        }
        w->warehouse_name = warehouse_name(in, w->warehouse);
        rc = build_wave(&b, w);
        if (rc)
            goto out;
    }
    for (size_t i = 0; in->stops && i < in->n_unrouted; i++) {
        const struct pl_unrouted *u = &in->unrouted[i];
        size_t k = key2_find(b.orders, in->n_orders, nz(u->order_id), "");
        const char *wh = k == SIZE_MAX ? "" : nz(in->orders[b.orders[k].i].warehouse);
        rc = add_exception(&b, PL_EXC_NOT_ROUTED, u->order_id, "", wh, "", 0, 0,
                           mem_printf(out, "not on any route (%s); not picked",
                                      *nz(u->reason) ? u->reason : "no reason given"));
        if (rc)
            goto out;
    }
    if (b.exceptions.n)
        out->exceptions =
            mem_copy(out, b.exceptions.data, b.exceptions.n * sizeof(struct pl_exception));
    if (!out->exceptions && b.exceptions.n) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory building pick lists");
        goto out;
    }
    out->n_exceptions = b.exceptions.n;
out:
    free(keys);
    free(b.walk.aisle_idx);
    free(b.items);
    free(b.bins);
    free(b.primary_bin);
    free(b.stock);
    free(b.stock_left);
    free(b.orders);
    free(b.lines);
    vec_free(&b.exceptions);
    if (rc)
        pl_plan_free(out);
    return rc;
}
