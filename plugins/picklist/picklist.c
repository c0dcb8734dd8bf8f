/* picklist.c: the sco plugin. Copies the host's tables into picklist-core's arrays, builds
 * the plan, publishes the picklists / picklist_staging / picklist_exceptions tables and writes
 * the PDF and HTML files through the host's atomic file API. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sco/sco-plugin.h>

#include "picklist-barcode.h"
#include "picklist-core.h"

static const struct sco_host_api *host;

/* ---- Ports ------------------------------------------------------------------------------ */
static const struct sco_column_spec routes_cols[] = {
    { "route_id", SCO_COL_STR, false, "route (wave) id" },
    { "vehicle", SCO_COL_STR, false, "vehicle of the route" },
    { "warehouse", SCO_COL_STR, false, "warehouse the route starts from" },
    { "seq", SCO_COL_I64, false, "stop number" },
    { "order_id", SCO_COL_STR, false, "order delivered at the stop; empty at the depot" },
    { "customer", SCO_COL_STR, true, "customer at the stop" },
    { "arrival", SCO_COL_STR, true, "planned arrival HH:MM" },
    { "departure", SCO_COL_STR, true, "planned departure HH:MM" },
};
static const struct sco_column_spec unassigned_cols[] = {
    { "order_id", SCO_COL_STR, false, "order left off every route" },
    { "reason", SCO_COL_STR, true, "why (a reason code)" },
    { "detail", SCO_COL_STR, true, "why, in words" },
};
static const struct sco_column_spec orders_cols[] = {
    { "order_id", SCO_COL_STR, false, "order id" },
    { "customer", SCO_COL_STR, false, "customer id" },
    { "warehouse", SCO_COL_STR, false, "warehouse the order ships from" },
    { "tw_start", SCO_COL_STR, true, "delivery window start" },
    { "tw_end", SCO_COL_STR, true, "delivery window end" },
    { "delivery_date", SCO_COL_DATE, true,
      "day of delivery; without routes only orders for the run date are picked" },
};
static const struct sco_column_spec lines_cols[] = {
    { "order_id", SCO_COL_STR, false, "order id" },
    { "sku", SCO_COL_STR, false, "item" },
    /* f64 like the routing stage declares it (one source feeds both); whole units checked */
    { "qty", SCO_COL_F64, false, "units ordered (whole units)" },
};
static const struct sco_column_spec items_cols[] = {
    { "sku", SCO_COL_STR, false, "item" },
    { "name", SCO_COL_STR, false, "description printed on the pick list" },
    { "case_pack", SCO_COL_I64, true, "units per case (default 1)" },
    { "weight_kg", SCO_COL_F64, true, "kg per unit, for cart limits and staging" },
    { "volume_l", SCO_COL_F64, true, "litres per unit, for cart limits and staging" },
};
static const struct sco_column_spec stock_cols[] = {
    { "sku", SCO_COL_STR, false, "item" },
    { "warehouse", SCO_COL_STR, false, "warehouse" },
    { "on_hand", SCO_COL_F64, false, "units on hand" },
};
static const struct sco_column_spec bins_cols[] = {
    { "warehouse", SCO_COL_STR, false, "warehouse" },
    { "bin", SCO_COL_STR, false, "bin code (printed and barcoded)" },
    { "zone", SCO_COL_STR, false, "zone" },
    { "aisle", SCO_COL_STR, false, "aisle" },
    { "bay", SCO_COL_STR, false, "bay along the aisle" },
    { "level", SCO_COL_STR, false, "shelf level" },
    { "sku", SCO_COL_STR, false, "item stored in the bin" },
};
static const struct sco_column_spec warehouses_cols[] = {
    { "warehouse", SCO_COL_STR, false, "warehouse" },
    { "name", SCO_COL_STR, true, "name printed in the header" },
};

static const struct sco_port inputs[] = {
    { "routes", "vehicle routes from routing; without it one wave per warehouse", true,
      routes_cols, SCO_COUNT(routes_cols) },
    { "unassigned", "orders routing left out; listed as exceptions", true, unassigned_cols,
      SCO_COUNT(unassigned_cols) },
    { "orders", "orders (customer, warehouse, time window)", false, orders_cols,
      SCO_COUNT(orders_cols) },
    { "order_lines", "what each order asks for", false, lines_cols, SCO_COUNT(lines_cols) },
    { "items", "item names, case packs, weights and volumes", false, items_cols,
      SCO_COUNT(items_cols) },
    { "stock", "units on hand; without it no shortage check", true, stock_cols,
      SCO_COUNT(stock_cols) },
    { "bins", "bin locations: zone, aisle, bay, level", false, bins_cols, SCO_COUNT(bins_cols) },
    { "warehouses", "warehouse names for the headers", true, warehouses_cols,
      SCO_COUNT(warehouses_cols) },
};

enum { P_ID, P_ROUTE, P_LINE, P_BIN, P_SKU, P_NAME, P_UNITS, P_CASES, P_ORDERS, P_WH, P_VEH,
       P_BATCH, P_ZONE, P_AISLE, P_BAY, P_LEVEL, P_PACK, P_LOOSE, P_SHORT, P_KG, P_L };
static const struct sco_column_spec picklists_cols[] = {
    { "picklist_id", SCO_COL_STR, false, "pick list (cart batch) id, barcoded" },
    { "route_id", SCO_COL_STR, false, "route (wave)" },
    { "line", SCO_COL_I64, false, "line number in walking order" },
    { "bin", SCO_COL_STR, false, "bin to pick from; empty when the SKU has no bin" },
    { "sku", SCO_COL_STR, false, "item" },
    { "name", SCO_COL_STR, false, "item description" },
    { "units", SCO_COL_I64, false, "units to pick on this line (cases * case_pack + loose)" },
    { "cases", SCO_COL_I64, false, "full cases within units" },
    { "orders", SCO_COL_STR, false, "split per order: order:stop:units;..." },
    { "warehouse", SCO_COL_STR, false, "warehouse" },
    { "vehicle", SCO_COL_STR, false, "vehicle of the route" },
    { "batch", SCO_COL_I64, false, "cart batch number within the route" },
    { "zone", SCO_COL_STR, false, "zone of the bin" },
    { "aisle", SCO_COL_STR, false, "aisle of the bin" },
    { "bay", SCO_COL_STR, false, "bay of the bin" },
    { "level", SCO_COL_STR, false, "level of the bin" },
    { "case_pack", SCO_COL_I64, false, "units per case" },
    { "loose", SCO_COL_I64, false, "units beyond full cases" },
    { "short_units", SCO_COL_I64, false, "units stock cannot cover" },
    { "weight_kg", SCO_COL_F64, false, "weight of the line" },
    { "volume_l", SCO_COL_F64, false, "volume of the line" },
};

enum { S_ROUTE, S_VEH, S_WH, S_LOAD, S_STOP, S_ORDER, S_CUST, S_TWS, S_TWE, S_ARR, S_PARCELS,
       S_UNITS, S_KG, S_L, S_LINES, S_SHORT };
static const struct sco_column_spec staging_cols[] = {
    { "route_id", SCO_COL_STR, false, "route" },
    { "vehicle", SCO_COL_STR, false, "vehicle" },
    { "warehouse", SCO_COL_STR, false, "warehouse" },
    { "load_seq", SCO_COL_I64, false, "loading order: 1 is loaded first (last stop)" },
    { "stop", SCO_COL_I64, false, "stop number on the route (0 without routing)" },
    { "order_id", SCO_COL_STR, false, "order" },
    { "customer", SCO_COL_STR, false, "customer" },
    { "tw_start", SCO_COL_STR, false, "time window start" },
    { "tw_end", SCO_COL_STR, false, "time window end" },
    { "arrival", SCO_COL_STR, false, "planned arrival" },
    { "parcels", SCO_COL_I64, false, "full cases plus one tote for loose units" },
    { "units", SCO_COL_I64, false, "units picked for the order" },
    { "weight_kg", SCO_COL_F64, false, "weight picked for the order" },
    { "volume_l", SCO_COL_F64, false, "volume picked for the order" },
    { "lines", SCO_COL_I64, false, "order lines" },
    { "short_lines", SCO_COL_I64, false, "order lines stock cannot cover in full" },
};

enum { E_KIND, E_ORDER, E_ROUTE, E_WH, E_SKU, E_ORDERED, E_PICKED, E_SHORT, E_DETAIL };
static const struct sco_column_spec exceptions_cols[] = {
    { "kind", SCO_COL_STR, false, "shortage, no_bin, unknown_sku, no_lines, not_routed" },
    { "order_id", SCO_COL_STR, false, "order" },
    { "route_id", SCO_COL_STR, false, "route (empty when not routed)" },
    { "warehouse", SCO_COL_STR, false, "warehouse" },
    { "sku", SCO_COL_STR, false, "item (empty when not about one)" },
    { "ordered", SCO_COL_I64, false, "units ordered" },
    { "picked", SCO_COL_I64, false, "units that will be picked" },
    { "short_units", SCO_COL_I64, false, "ordered - picked" },
    { "detail", SCO_COL_STR, false, "what to do" },
};

static const struct sco_port outputs[] = {
    { "picklists", "pick lines per cart batch in walking order", true, picklists_cols,
      SCO_COUNT(picklists_cols) },
    { "picklist_staging", "staging sheet rows: orders in loading order", true, staging_cols,
      SCO_COUNT(staging_cols) },
    { "picklist_exceptions", "orders that cannot be picked as planned", true, exceptions_cols,
      SCO_COUNT(exceptions_cols) },
};

static const struct sco_config_key keys[] = {
    { "paper", SCO_CFG_STR, "a4", "paper size of the PDFs: a4 or letter", false },
    { "sort", SCO_CFG_STR, "serpentine",
      "line order: serpentine (zone, aisle: odd aisles up, even aisles down, bay, level), "
      "aisle (all ascending), bin (bin code) or sku",
      false },
    { "zone_order", SCO_CFG_LIST_STR, NULL,
      "zones in walking order; unlisted zones follow in natural order", false },
    { "cart_max_kg", SCO_CFG_F64, "0", "cart weight limit per batch in kg; 0: no limit", false },
    { "cart_max_l", SCO_CFG_F64, "0", "cart volume limit per batch in litres; 0: no limit",
      false },
    { "formats", SCO_CFG_LIST_STR, "[pdf, html, csv]",
      "what to write: pdf (one per route plus exceptions.pdf), html (picklists.html), csv "
      "(the picklists, picklist_staging and picklist_exceptions tables)",
      false },
    { "folder", SCO_CFG_STR, "picklists", "folder under the run output for PDF and HTML",
      false },
};

struct state {
    struct pl_options opt;
    enum pl_paper paper;
    bool pdf, html, csv;
    const char *folder;
};

/* ---- Config ----------------------------------------------------------------------------- */
static int picklist_init(struct sco_ctx *ctx, void *vstate, struct sco_err *err)
{
    struct state *st = vstate;
    const char *s = NULL;
    int rc = host->cfg_str(ctx, "paper", &s, err);
    if (rc)
        return rc;
    if (strcmp(s, "a4") == 0 || strcmp(s, "A4") == 0)
        st->paper = PL_PAPER_A4;
    else if (strcmp(s, "letter") == 0)
        st->paper = PL_PAPER_LETTER;
    else
        return host->cfg_error(ctx, "paper", err, "unknown paper '%s'; use a4 or letter", s);

    rc = host->cfg_str(ctx, "sort", &s, err);
    if (rc)
        return rc;
    if (pl_sort_parse(s, &st->opt.sort) != 0)
        return host->cfg_error(ctx, "sort", err,
                               "unknown sort '%s'; use serpentine, aisle, bin or sku", s);

    const char *const *zones = NULL;
    size_t n = 0;
    rc = host->cfg_str_list(ctx, "zone_order", &zones, &n, err);
    if (rc && rc != SCO_ERR_NOINPUT)
        return rc;
    if (rc == SCO_ERR_NOINPUT) /* no zone order given: not an error */
        *err = (struct sco_err){ 0 };
    st->opt.zone_order = rc ? NULL : zones;
    st->opt.n_zone_order = rc ? 0 : n;

    rc = host->cfg_f64(ctx, "cart_max_kg", &st->opt.cart_max_kg, err);
    if (rc)
        return rc;
    if (!isfinite(st->opt.cart_max_kg) || st->opt.cart_max_kg < 0)
        return host->cfg_error(ctx, "cart_max_kg", err, "must be >= 0 (0: no limit)");
    rc = host->cfg_f64(ctx, "cart_max_l", &st->opt.cart_max_l, err);
    if (rc)
        return rc;
    if (!isfinite(st->opt.cart_max_l) || st->opt.cart_max_l < 0)
        return host->cfg_error(ctx, "cart_max_l", err, "must be >= 0 (0: no limit)");

    const char *const *fmts = NULL;
    rc = host->cfg_str_list(ctx, "formats", &fmts, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(fmts[i], "pdf") == 0)
            st->pdf = true;
        else if (strcmp(fmts[i], "html") == 0)
            st->html = true;
        else if (strcmp(fmts[i], "csv") == 0)
            st->csv = true;
        else
            return host->cfg_error(ctx, "formats", err,
                                   "unknown format '%s'; use pdf, html and/or csv", fmts[i]);
    }
    rc = host->cfg_str(ctx, "folder", &st->folder, err);
    if (rc)
        return rc;
    if (!*st->folder || strstr(st->folder, "..") || st->folder[0] == '/')
        return host->cfg_error(ctx, "folder", err,
                               "'%s' must be a relative folder inside the run output",
                               st->folder);
    return 0;
}

static void picklist_fini(struct sco_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
}

/* ---- Reading tables --------------------------------------------------------------------- */
struct reader {
    struct sco_ctx *ctx;
    const struct sco_table_api *T;
    const struct sco_table *t;
    struct sco_err *err;
};

/* Column c as strings whatever its type; NULL c (< 0) gives "". */
static const char *cell_str(struct reader *r, int c, size_t row)
{
    if (c < 0)
        return "";
    switch (r->T->col_type(r->t, c)) {
    case SCO_COL_STR: {
        const char *s = r->T->str(r->t, c)[row];
        return s ? s : "";
    }
    case SCO_COL_I64:
    case SCO_COL_DATE: {
        int64_t v = r->T->i64(r->t, c)[row];
        if (v == SCO_NULL_I64)
            return "";
        char *buf = host->arena_alloc(r->ctx, 24, 1);
        if (!buf)
            return "";
        if (r->T->col_type(r->t, c) == SCO_COL_DATE)
            pl_format_date(v, buf);
        else
            snprintf(buf, 24, "%lld", (long long)v);
        return buf;
    }
    case SCO_COL_F64: {
        double v = r->T->f64(r->t, c)[row];
        if (isnan(v))
            return "";
        char *buf = host->arena_alloc(r->ctx, 32, 1);
        if (!buf)
            return "";
        snprintf(buf, 32, "%.15g", v);
        return buf;
    }
    }
    return "";
}

static double cell_f64(struct reader *r, int c, size_t row)
{
    if (c < 0)
        return NAN;
    switch (r->T->col_type(r->t, c)) {
    case SCO_COL_F64: return r->T->f64(r->t, c)[row];
    case SCO_COL_I64:
    case SCO_COL_DATE: {
        int64_t v = r->T->i64(r->t, c)[row];
        return v == SCO_NULL_I64 ? NAN : (double)v;
    }
    case SCO_COL_STR: {
        const char *s = r->T->str(r->t, c)[row];
        char *end = NULL;
        double v = s && *s ? strtod(s, &end) : NAN;
        return end && *end == '\0' ? v : NAN;
    }
    }
    return NAN;
}

static int64_t cell_i64(struct reader *r, int c, size_t row)
{
    double v = cell_f64(r, c, row);
    if (c >= 0 && r->T->col_type(r->t, c) != SCO_COL_F64 &&
        r->T->col_type(r->t, c) != SCO_COL_STR)
        return r->T->i64(r->t, c)[row];
    return isfinite(v) ? (int64_t)llround(v) : SCO_NULL_I64;
}

/* Weights and volumes to grams and millilitres, so the CSV reads 48.99, not 48.989999... */
static double milli(double x)
{
    return round(x * 1000.0) / 1000.0;
}

static void *arena(struct sco_ctx *ctx, size_t n, size_t size)
{
    return host->arena_alloc(ctx, (n ? n : 1) * size, 16);
}

static int read_inputs(struct sco_ctx *ctx, struct pl_input *in, struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    struct reader r = { .ctx = ctx, .T = T, .err = err };
    const struct sco_table *t;
    size_t n;
#define NEED(ptr)                                                                              \
    do {                                                                                       \
        if (!(ptr))                                                                            \
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading pick list inputs"); \
    } while (0)

    if ((t = host->input(ctx, "items")) != NULL) {
        r.t = t;
        n = T->n_rows(t);
        struct pl_item *v = arena(ctx, n, sizeof *v);
        NEED(v);
        int cs = T->col(t, "sku"), cn = T->col(t, "name"), cp = T->col(t, "case_pack");
        int cw = T->col(t, "weight_kg"), cv = T->col(t, "volume_l");
        for (size_t i = 0; i < n; i++) {
            v[i].sku = cell_str(&r, cs, i);
            v[i].name = cell_str(&r, cn, i);
            v[i].case_pack = cp < 0 ? 1 : cell_i64(&r, cp, i);
            if (v[i].case_pack == SCO_NULL_I64)
                v[i].case_pack = 1;
            v[i].weight_kg = cell_f64(&r, cw, i);
            v[i].volume_l = cell_f64(&r, cv, i);
        }
        in->items = v;
        in->n_items = n;
    }
    if ((t = host->input(ctx, "bins")) != NULL) {
        r.t = t;
        n = T->n_rows(t);
        struct pl_bin *v = arena(ctx, n, sizeof *v);
        NEED(v);
        int c[7];
        const char *names[7] = { "warehouse", "bin", "zone", "aisle", "bay", "level", "sku" };
        for (int k = 0; k < 7; k++)
            c[k] = T->col(t, names[k]);
        for (size_t i = 0; i < n; i++)
            v[i] = (struct pl_bin){ cell_str(&r, c[0], i), cell_str(&r, c[1], i),
                                    cell_str(&r, c[2], i), cell_str(&r, c[3], i),
                                    cell_str(&r, c[4], i), cell_str(&r, c[5], i),
                                    cell_str(&r, c[6], i) };
        in->bins = v;
        in->n_bins = n;
    }
    if ((t = host->input(ctx, "stock")) != NULL) {
        r.t = t;
        n = T->n_rows(t);
        struct pl_stock *v = arena(ctx, n, sizeof *v);
        NEED(v);
        int cs = T->col(t, "sku"), cw = T->col(t, "warehouse"), co = T->col(t, "on_hand");
        for (size_t i = 0; i < n; i++)
            v[i] = (struct pl_stock){ cell_str(&r, cs, i), cell_str(&r, cw, i),
                                      cell_f64(&r, co, i) };
        in->stock = v;
        in->n_stock = n;
    }
    if ((t = host->input(ctx, "orders")) != NULL) {
        r.t = t;
        n = T->n_rows(t);
        struct pl_order *v = arena(ctx, n, sizeof *v);
        NEED(v);
        int co = T->col(t, "order_id"), cc = T->col(t, "customer"), cw = T->col(t, "warehouse");
        int cs = T->col(t, "tw_start"), ce = T->col(t, "tw_end");
        int cd = T->col(t, "delivery_date");
        for (size_t i = 0; i < n; i++) {
            v[i] = (struct pl_order){ cell_str(&r, co, i), cell_str(&r, cc, i),
                                      cell_str(&r, cw, i), cell_str(&r, cs, i),
                                      cell_str(&r, ce, i), false, 0 };
            if (cd < 0)
                continue;
            if (T->col_type(t, cd) == SCO_COL_DATE || T->col_type(t, cd) == SCO_COL_I64) {
                int64_t d = T->i64(t, cd)[i];
                v[i].has_date = d != SCO_NULL_I64;
                v[i].delivery_date = d;
            } else {
                const char *d = cell_str(&r, cd, i);
                if (*d && pl_parse_date(d, &v[i].delivery_date) != 0)
                    return sco_err_set(err, SCO_ERR_DATA,
                                       "%s: delivery_date '%s' is not a date; write YYYY-MM-DD",
                                       T->row_origin(t, i), d);
                v[i].has_date = *d != '\0';
            }
        }
        in->orders = v;
        in->n_orders = n;
    }
    if ((t = host->input(ctx, "order_lines")) != NULL) {
        r.t = t;
        n = T->n_rows(t);
        struct pl_order_line *v = arena(ctx, n, sizeof *v);
        NEED(v);
        int co = T->col(t, "order_id"), cs = T->col(t, "sku"), cq = T->col(t, "qty");
        for (size_t i = 0; i < n; i++) {
            v[i] = (struct pl_order_line){ cell_str(&r, co, i), cell_str(&r, cs, i),
                                           cell_i64(&r, cq, i), NULL };
            double q = cell_f64(&r, cq, i);
            if (isfinite(q) && fabs(q - round(q)) > 1e-9)
                return sco_err_set(err, SCO_ERR_DATA,
                                   "%s: qty %g of order '%s' sku '%s' is not a whole number of "
                                   "units; pick lists count units",
                                   T->row_origin(t, i), q, v[i].order_id, v[i].sku);
            if (v[i].qty == SCO_NULL_I64 || v[i].qty < 0) {
                const char *o = T->row_origin(t, i);
                char *copy = host->arena_alloc(ctx, strlen(o) + 1, 1);
                NEED(copy);
                memcpy(copy, o, strlen(o) + 1);
                v[i].origin = copy;
            }
        }
        in->lines = v;
        in->n_lines = n;
    }
    if ((t = host->input(ctx, "routes")) != NULL) {
        r.t = t;
        n = T->n_rows(t);
        struct pl_stop *v = arena(ctx, n, sizeof *v);
        NEED(v);
        int c[8];
        const char *names[8] = { "route_id", "vehicle", "warehouse", "seq",
                                 "order_id", "customer", "arrival",  "departure" };
        for (int k = 0; k < 8; k++)
            c[k] = T->col(t, names[k]);
        for (size_t i = 0; i < n; i++)
            v[i] = (struct pl_stop){ cell_str(&r, c[0], i), cell_str(&r, c[1], i),
                                     cell_str(&r, c[2], i), cell_i64(&r, c[3], i),
                                     cell_str(&r, c[4], i), cell_str(&r, c[5], i),
                                     cell_str(&r, c[6], i), cell_str(&r, c[7], i) };
        in->stops = v;
        in->n_stops = n;
    }
    if ((t = host->input(ctx, "unassigned")) != NULL) {
        r.t = t;
        n = T->n_rows(t);
        struct pl_unrouted *v = arena(ctx, n, sizeof *v);
        NEED(v);
        int co = T->col(t, "order_id"), cr = T->col(t, "reason"), cd = T->col(t, "detail");
        for (size_t i = 0; i < n; i++) {
            v[i] = (struct pl_unrouted){ cell_str(&r, co, i), cell_str(&r, cr, i) };
            const char *d = cell_str(&r, cd, i);
            if (*d) { /* "reason: detail" */
                size_t len = strlen(v[i].reason) + strlen(d) + 3;
                char *both = host->arena_alloc(ctx, len, 1);
                NEED(both);
                snprintf(both, len, "%s%s%s", v[i].reason, *v[i].reason ? ": " : "", d);
                v[i].reason = both;
            }
        }
        in->unrouted = v;
        in->n_unrouted = n;
    }
    if ((t = host->input(ctx, "warehouses")) != NULL) {
        r.t = t;
        n = T->n_rows(t);
        struct pl_warehouse *v = arena(ctx, n, sizeof *v);
        NEED(v);
        int cw = T->col(t, "warehouse"), cn = T->col(t, "name");
        for (size_t i = 0; i < n; i++)
            v[i] = (struct pl_warehouse){ cell_str(&r, cw, i), cell_str(&r, cn, i) };
        in->warehouses = v;
        in->n_warehouses = n;
    }
#undef NEED
    return 0;
}

/* ---- Publishing tables ------------------------------------------------------------------ */
static int set(struct sco_table *t, int c, size_t row, const char *s, struct sco_err *err)
{
    return host->tables->set_str(t, c, row, s ? s : "", err);
}

static int publish_picklists(struct sco_ctx *ctx, const struct pl_plan *plan,
                             struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    size_t n = 0;
    for (size_t w = 0; w < plan->n_waves; w++)
        for (size_t b = 0; b < plan->waves[w].n_batches; b++)
            n += plan->waves[w].batches[b].n_picks;
    struct sco_table *t = T->create(ctx, "picklists", picklists_cols, SCO_COUNT(picklists_cols));
    if (!t)
        return sco_err_set(err, SCO_ERR_NOMEM, "cannot create table 'picklists'");
    int rc = T->add_rows(t, n, err);
    if (rc)
        return rc;
    int64_t *line = T->i64_mut(t, P_LINE), *units = T->i64_mut(t, P_UNITS);
    int64_t *cases = T->i64_mut(t, P_CASES), *batch = T->i64_mut(t, P_BATCH);
    int64_t *pack = T->i64_mut(t, P_PACK), *loose = T->i64_mut(t, P_LOOSE);
    int64_t *shrt = T->i64_mut(t, P_SHORT);
    double *kg = T->f64_mut(t, P_KG), *l = T->f64_mut(t, P_L);
    size_t row = 0;
    for (size_t w = 0; w < plan->n_waves; w++) {
        const struct pl_wave *wv = &plan->waves[w];
        for (size_t b = 0; b < wv->n_batches; b++) {
            const struct pl_batch *bt = &wv->batches[b];
            for (size_t i = 0; i < bt->n_picks; i++, row++) {
                const struct pl_pick *k = &bt->picks[i];
                line[row] = k->line;
                units[row] = k->units;
                cases[row] = k->cases;
                batch[row] = bt->index;
                pack[row] = k->case_pack;
                loose[row] = k->loose;
                shrt[row] = k->short_units;
                kg[row] = milli(k->kg);
                l[row] = milli(k->l);
                /* orders: "order:stop:units" joined by ';' (stop 0 without routing) */
                size_t cap = 1;
                for (size_t a = 0; a < k->n_allocs; a++)
                    cap += strlen(k->allocs[a].order_id) + 48;
                char *ord = host->arena_alloc(ctx, cap, 1);
                if (!ord)
                    return sco_err_set(err, SCO_ERR_NOMEM, "out of memory writing picklists");
                size_t used = 0;
                for (size_t a = 0; a < k->n_allocs; a++)
                    used += (size_t)snprintf(ord + used, cap - used, "%s%s:%lld:%lld",
                                             a ? ";" : "", k->allocs[a].order_id,
                                             (long long)k->allocs[a].stop,
                                             (long long)k->allocs[a].units);
                const struct pl_bin *bn = k->bin;
                if ((rc = set(t, P_ID, row, bt->picklist_id, err)) ||
                    (rc = set(t, P_ROUTE, row, wv->route_id, err)) ||
                    (rc = set(t, P_BIN, row, bn ? bn->bin : "", err)) ||
                    (rc = set(t, P_SKU, row, k->sku, err)) ||
                    (rc = set(t, P_NAME, row, k->name, err)) ||
                    (rc = set(t, P_ORDERS, row, ord, err)) ||
                    (rc = set(t, P_WH, row, wv->warehouse, err)) ||
                    (rc = set(t, P_VEH, row, wv->vehicle, err)) ||
                    (rc = set(t, P_ZONE, row, bn ? bn->zone : "", err)) ||
                    (rc = set(t, P_AISLE, row, bn ? bn->aisle : "", err)) ||
                    (rc = set(t, P_BAY, row, bn ? bn->bay : "", err)) ||
                    (rc = set(t, P_LEVEL, row, bn ? bn->level : "", err)))
                    return rc;
            }
        }
    }
    return host->output(ctx, "picklists", t, err);
}

static int publish_staging(struct sco_ctx *ctx, const struct pl_plan *plan, struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    size_t n = 0;
    for (size_t w = 0; w < plan->n_waves; w++)
        n += plan->waves[w].n_staging;
    struct sco_table *t =
        T->create(ctx, "picklist_staging", staging_cols, SCO_COUNT(staging_cols));
    if (!t)
        return sco_err_set(err, SCO_ERR_NOMEM, "cannot create table 'picklist_staging'");
    int rc = T->add_rows(t, n, err);
    if (rc)
        return rc;
    int64_t *load = T->i64_mut(t, S_LOAD), *stop = T->i64_mut(t, S_STOP);
    int64_t *parcels = T->i64_mut(t, S_PARCELS), *units = T->i64_mut(t, S_UNITS);
    int64_t *lines = T->i64_mut(t, S_LINES), *shrt = T->i64_mut(t, S_SHORT);
    double *kg = T->f64_mut(t, S_KG), *l = T->f64_mut(t, S_L);
    size_t row = 0;
    for (size_t w = 0; w < plan->n_waves; w++) {
        const struct pl_wave *wv = &plan->waves[w];
        for (size_t i = 0; i < wv->n_staging; i++, row++) {
            const struct pl_stage_row *s = &wv->staging[i];
            load[row] = (int64_t)i + 1;
            stop[row] = s->stop;
            parcels[row] = s->parcels;
            units[row] = s->units;
            lines[row] = s->lines;
            shrt[row] = s->short_lines;
            kg[row] = milli(s->kg);
            l[row] = milli(s->l);
            if ((rc = set(t, S_ROUTE, row, wv->route_id, err)) ||
                (rc = set(t, S_VEH, row, wv->vehicle, err)) ||
                (rc = set(t, S_WH, row, wv->warehouse, err)) ||
                (rc = set(t, S_ORDER, row, s->order_id, err)) ||
                (rc = set(t, S_CUST, row, s->customer, err)) ||
                (rc = set(t, S_TWS, row, s->tw_start, err)) ||
                (rc = set(t, S_TWE, row, s->tw_end, err)) ||
                (rc = set(t, S_ARR, row, s->arrival, err)))
                return rc;
        }
    }
    return host->output(ctx, "picklist_staging", t, err);
}

static int publish_exceptions(struct sco_ctx *ctx, const struct pl_plan *plan,
                              struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    struct sco_table *t =
        T->create(ctx, "picklist_exceptions", exceptions_cols, SCO_COUNT(exceptions_cols));
    if (!t)
        return sco_err_set(err, SCO_ERR_NOMEM, "cannot create table 'picklist_exceptions'");
    int rc = T->add_rows(t, plan->n_exceptions, err);
    if (rc)
        return rc;
    int64_t *ordered = T->i64_mut(t, E_ORDERED), *picked = T->i64_mut(t, E_PICKED);
    int64_t *shrt = T->i64_mut(t, E_SHORT);
    for (size_t i = 0; i < plan->n_exceptions; i++) {
        const struct pl_exception *e = &plan->exceptions[i];
        bool qty = e->kind != PL_EXC_NO_LINES && e->kind != PL_EXC_NOT_ROUTED;
        ordered[i] = qty ? e->ordered : SCO_NULL_I64;
        picked[i] = qty ? e->picked : SCO_NULL_I64;
        shrt[i] = qty ? e->short_units : SCO_NULL_I64;
        if ((rc = set(t, E_KIND, i, pl_exc_kind_name(e->kind), err)) ||
            (rc = set(t, E_ORDER, i, e->order_id, err)) ||
            (rc = set(t, E_ROUTE, i, e->route_id, err)) ||
            (rc = set(t, E_WH, i, e->warehouse, err)) || (rc = set(t, E_SKU, i, e->sku, err)) ||
            (rc = set(t, E_DETAIL, i, e->detail, err)))
            return rc;
    }
    return host->output(ctx, "picklist_exceptions", t, err);
}

/* ---- Files ------------------------------------------------------------------------------ */
typedef int write_fn(const struct pl_plan *plan, const void *arg, const struct pl_doc *doc,
                     FILE *f, struct sco_err *err);

static int write_file(struct sco_ctx *ctx, const char *relpath, write_fn *fn,
                      const struct pl_plan *plan, const void *arg, const struct pl_doc *doc,
                      struct sco_err *err)
{
    FILE *f = host->file_create(ctx, relpath, err);
    if (!f)
        return err->code ? err->code : SCO_ERR_IO;
    int rc = fn(plan, arg, doc, f, err);
    if (rc)
        return rc; /* the host removes files not committed */
    return host->file_commit(ctx, f, err);
}

static int w_wave(const struct pl_plan *plan, const void *arg, const struct pl_doc *doc, FILE *f,
                  struct sco_err *err)
{
    return pl_render_wave_pdf(plan, arg, doc, f, err);
}

static int w_exc(const struct pl_plan *plan, const void *arg, const struct pl_doc *doc, FILE *f,
                 struct sco_err *err)
{
    (void)arg;
    return pl_render_exceptions_pdf(plan, doc, f, err);
}

static int w_html(const struct pl_plan *plan, const void *arg, const struct pl_doc *doc, FILE *f,
                  struct sco_err *err)
{
    (void)arg;
    return pl_render_html(plan, doc, f, err);
}

static int picklist_run(struct sco_ctx *ctx, void *vstate, struct sco_err *err)
{
    struct state *st = vstate;
    const struct sco_run_info *ri = host->run_info(ctx);
    struct pl_input in = { 0 };
    struct pl_plan plan = { 0 };
    int rc = read_inputs(ctx, &in, err);
    if (rc)
        return rc;
    st->opt.run_date = ri->run_date;
    rc = pl_plan_build(&in, &st->opt, &plan, err);
    if (rc)
        return rc;

    size_t n_lists = 0, n_lines = 0;
    for (size_t w = 0; w < plan.n_waves; w++) {
        n_lists += plan.waves[w].n_batches;
        for (size_t b = 0; b < plan.waves[w].n_batches; b++)
            n_lines += plan.waves[w].batches[b].n_picks;
    }
    host->log_msg(ctx, SCO_LOG_INFO, "%zu %s, %zu pick lists, %zu lines, %zu exceptions (%s)",
                  plan.n_waves, in.stops ? "routes" : "warehouse waves (no routes)", n_lists,
                  n_lines, plan.n_exceptions, pl_sort_name(st->opt.sort));
    size_t n_short = 0;
    for (size_t i = 0; i < plan.n_exceptions; i++)
        n_short += plan.exceptions[i].kind == PL_EXC_SHORTAGE;
    if (n_short)
        host->log_msg(ctx, SCO_LOG_WARN, "%zu order lines short of stock; see exceptions",
                      n_short);

    /* values Code 128 cannot carry are printed as text only: say which */
    size_t n_bad = 0;
    const char *bad = NULL;
    for (size_t w = 0; w < plan.n_waves; w++) {
        for (size_t b = 0; b < plan.waves[w].n_batches; b++) {
            const struct pl_batch *bt = &plan.waves[w].batches[b];
            const char *vals[3] = { bt->picklist_id, NULL, NULL };
            for (size_t i = 0; i <= bt->n_picks; i++) {
                if (i > 0) {
                    vals[0] = bt->picks[i - 1].sku;
                    vals[1] = bt->picks[i - 1].bin ? bt->picks[i - 1].bin->bin : NULL;
                }
                for (int k = 0; k < 2; k++) {
                    if (vals[k] && !pl_barcode_ok(vals[k])) {
                        n_bad++;
                        bad = bad ? bad : vals[k];
                    }
                }
            }
        }
    }
    if (n_bad)
        host->log_msg(ctx, SCO_LOG_WARN,
                      "%zu printed values cannot be Code 128 barcodes (printable ASCII, at most "
                      "%d characters), e.g. '%s'; they are printed as text only",
                      n_bad, PL_BARCODE_MAX, bad);

    struct pl_doc doc = { st->paper, ri->run_id ? ri->run_id : "", ri->run_date };
    char path[512], safe[200];
    if (st->csv) {
        if ((rc = publish_picklists(ctx, &plan, err)) || (rc = publish_staging(ctx, &plan, err)) ||
            (rc = publish_exceptions(ctx, &plan, err)))
            goto out;
    }
    if (st->pdf) {
        for (size_t w = 0; w < plan.n_waves; w++) {
            if (host->cancelled(ctx)) {
                rc = sco_err_set(err, SCO_ERR_CANCELLED, "pick lists cancelled");
                goto out;
            }
            pl_safe_name(plan.waves[w].route_id, safe, sizeof safe);
            snprintf(path, sizeof path, "%s/%s.pdf", st->folder, safe);
            rc = write_file(ctx, path, w_wave, &plan, &plan.waves[w], &doc, err);
            if (rc)
                goto out;
            host->progress(ctx, (double)w + 1, (double)plan.n_waves, "pick list pdf");
        }
        snprintf(path, sizeof path, "%s/exceptions.pdf", st->folder);
        if ((rc = write_file(ctx, path, w_exc, &plan, NULL, &doc, err)))
            goto out;
    }
    if (st->html) {
        snprintf(path, sizeof path, "%s/picklists.html", st->folder);
        if ((rc = write_file(ctx, path, w_html, &plan, NULL, &doc, err)))
            goto out;
    }
out:
    pl_plan_free(&plan);
    return rc;
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION,
        .size = sizeof desc,
        .name = "picklist",
        .version = "0.1.0",
        .summary = "printable, barcoded pick lists in walking order per route, with staging "
                   "and exceptions sheets",
        .inputs = inputs,
        .n_inputs = SCO_COUNT(inputs),
        .outputs = outputs,
        .n_outputs = SCO_COUNT(outputs),
        .config = keys,
        .n_config = SCO_COUNT(keys),
        .state_size = sizeof(struct state),
        .init = picklist_init,
        .run = picklist_run,
        .fini = picklist_fini,
    };
    host = h;
    return &desc;
}
