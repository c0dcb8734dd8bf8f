/* picklist-core.h: pick lists for warehouse staff, independent of the host.
 *
 * The core turns plain arrays (routes, orders, order lines, items, stock, bins) into a plan:
 * one wave per vehicle route (or per warehouse without routing), each split into cart batches,
 * each batch a list of pick lines in walking order; a staging sheet per wave; and a list of
 * exceptions (shortages, SKUs without a bin, unknown SKUs, orders left unrouted). Rendering
 * (PDF, HTML) reads the plan. Strings in the input are borrowed: the input must outlive the
 * plan. The plugin (picklist.c) only copies host tables into these arrays and back.
 */
#ifndef SCO_PICKLIST_CORE_H
#define SCO_PICKLIST_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sco/sco-plugin.h>

/* ---- Input ------------------------------------------------------------------------------ */
struct pl_item {
    const char *sku, *name;
    int64_t case_pack; /* units per case; <= 0 is read as 1 */
    double weight_kg;  /* per unit; NaN is read as 0 */
    double volume_l;   /* per unit; NaN is read as 0 */
};

struct pl_bin {
    const char *warehouse, *bin, *zone, *aisle, *bay, *level, *sku;
};

struct pl_stock {
    const char *sku, *warehouse;
    double on_hand;
};

struct pl_order {
    const char *order_id, *customer, *warehouse;
    const char *tw_start, *tw_end; /* shown as given; may be "" */
    bool has_date;         /* delivery_date known: without routes only that day's orders */
    int64_t delivery_date; /* days since 1970-01-01 */
};

struct pl_order_line {
    const char *order_id, *sku;
    int64_t qty;
    const char *origin; /* "order_lines.csv:17" for messages; may be NULL */
};

/* One row of the routing plugin's `routes` table. Depot rows have order_id "". */
struct pl_stop {
    const char *route_id, *vehicle, *warehouse;
    int64_t seq;
    const char *order_id, *customer, *arrival, *departure;
};

struct pl_warehouse {
    const char *warehouse, *name;
};

struct pl_unrouted {
    const char *order_id, *reason;
};

struct pl_input {
    const struct pl_item *items;
    size_t n_items;
    const struct pl_bin *bins;
    size_t n_bins;
    const struct pl_stock *stock; /* NULL: stock unknown, no shortage check */
    size_t n_stock;
    const struct pl_order *orders;
    size_t n_orders;
    const struct pl_order_line *lines;
    size_t n_lines;
    /* NULL: one wave per warehouse from `orders` (those for the run date when the orders
     * carry a delivery date) */
    const struct pl_stop *stops;
    size_t n_stops;
    const struct pl_warehouse *warehouses; /* optional, for names */
    size_t n_warehouses;
    const struct pl_unrouted *unrouted; /* optional: routing's `unassigned` */
    size_t n_unrouted;
};

enum pl_sort {
    PL_SORT_SERPENTINE, /* zone, aisle (odd aisles bay up, even aisles bay down), bay, level */
    PL_SORT_AISLE,      /* zone, aisle, bay, level, all ascending */
    PL_SORT_BIN,        /* bin code, natural order */
    PL_SORT_SKU,        /* SKU, natural order (not a walk) */
};

struct pl_options {
    enum pl_sort sort;
    const char *const *zone_order; /* zones walked first, in this order; others follow */
    size_t n_zone_order;
    double cart_max_kg; /* <= 0: no limit */
    double cart_max_l;  /* <= 0: no limit */
    int64_t run_date;   /* days since 1970-01-01, part of the pick list ids */
};

/* ---- Plan ------------------------------------------------------------------------------- */

/* The part of a pick line that serves one order. */
struct pl_alloc {
    const char *order_id;
    int64_t stop;  /* stop number on the route; 0 without routing */
    int64_t units; /* units picked for this order on this line */
    int64_t short_units;
    size_t wave_order; /* position of the order in its wave (stop order), 0-based */
};

enum pl_pick_flags {
    PL_PICK_SHORT = 1 << 0,   /* stock cannot cover the demand */
    PL_PICK_NO_BIN = 1 << 1,  /* the SKU has no bin in this warehouse */
    PL_PICK_UNKNOWN = 1 << 2, /* the SKU is not in `items` */
    PL_PICK_SPLIT = 1 << 3,   /* the line continues in another cart batch */
};

struct pl_pick {
    int line;         /* 1-based within the batch */
    const char *sku, *name;
    const struct pl_bin *bin; /* NULL when the SKU has no bin here */
    int64_t case_pack;
    int64_t units;       /* units to pick on this line */
    int64_t cases, loose; /* units = cases * case_pack + loose */
    int64_t demand;      /* units the orders asked for (whole line, before any cart split) */
    int64_t short_units; /* demand that stock cannot cover (shown on the first part only) */
    double kg, l;
    unsigned flags;
    struct pl_alloc *allocs;
    size_t n_allocs;
};

struct pl_batch {
    const char *picklist_id; /* "20261129-R01-1" */
    int index, count;        /* batch index (1-based) and batches in the wave */
    struct pl_pick *picks;
    size_t n_picks;
    int64_t units;
    double kg, l;
    bool over_limit; /* a single unit is heavier or bulkier than the cart */
};

struct pl_stage_row {
    int64_t stop; /* 0 without routing */
    const char *order_id, *customer;
    const char *tw_start, *tw_end, *arrival;
    int64_t parcels; /* full cases plus one tote per order for the loose units */
    int64_t units;
    int64_t loose_units; /* units not in full cases (they share one tote) */
    double kg, l;
    int lines, short_lines;
};

struct pl_wave {
    const char *route_id; /* the warehouse id without routing */
    const char *vehicle;  /* "" without routing */
    const char *warehouse, *warehouse_name;
    bool routed;
    struct pl_batch *batches;
    size_t n_batches;
    /* reverse stop order, the first row loads first (without routing: by order id) */
    struct pl_stage_row *staging;
    size_t n_staging;
    int64_t units;
    double kg, l;
};

enum pl_exc_kind {
    PL_EXC_SHORTAGE,
    PL_EXC_NO_BIN,
    PL_EXC_UNKNOWN_SKU,
    PL_EXC_NO_LINES,
    PL_EXC_NOT_ROUTED,
};

struct pl_exception {
    enum pl_exc_kind kind;
    const char *order_id, *route_id, *warehouse, *sku; /* sku "" where not about a SKU */
    int64_t ordered, picked, short_units;
    const char *detail;
};

struct pl_plan {
    struct pl_wave *waves;
    size_t n_waves;
    struct pl_exception *exceptions;
    size_t n_exceptions;
    enum pl_sort sort;
    struct pl_block *mem; /* everything above lives here */
};

/* Builds the plan. Returns 0, or SCO_ERR_INVALID (bad data, message names the row) or
 * SCO_ERR_NOMEM. On failure *out is left empty. Free with pl_plan_free. */
int pl_plan_build(const struct pl_input *in, const struct pl_options *opt, struct pl_plan *out,
                  struct sco_err *err);
void pl_plan_free(struct pl_plan *plan); /* NULL or empty: no-op */

const char *pl_sort_name(enum pl_sort s);        /* "serpentine" */
const char *pl_sort_description(enum pl_sort s); /* one line for the header */
int pl_sort_parse(const char *s, enum pl_sort *out); /* 0 or SCO_ERR_INVALID */
const char *pl_exc_kind_name(enum pl_exc_kind k);    /* "shortage" */

/* Natural order of labels: digit runs compare by value ("A2" < "A10"). */
int pl_natcmp(const char *a, const char *b);

/* ---- Rendering -------------------------------------------------------------------------- */
enum pl_paper { PL_PAPER_A4, PL_PAPER_LETTER };

struct pl_doc {
    enum pl_paper paper;
    const char *run_id;
    int64_t run_date;
};

/* The PDF of one wave: its cart batches' pick lists, then its staging sheet. */
int pl_render_wave_pdf(const struct pl_plan *plan, const struct pl_wave *w,
                       const struct pl_doc *doc, FILE *f, struct sco_err *err);
/* The PDF of the exceptions sheet (a "no exceptions" page when there are none). */
int pl_render_exceptions_pdf(const struct pl_plan *plan, const struct pl_doc *doc, FILE *f,
                             struct sco_err *err);
/* One self-contained HTML file with every wave, staging sheet and the exceptions. */
int pl_render_html(const struct pl_plan *plan, const struct pl_doc *doc, FILE *f,
                   struct sco_err *err);

/* Parses "YYYY-MM-DD" (anything after the day, like "T08:00", is ignored) into days since
 * 1970-01-01 with the SDK's sco_date_parse. Returns 0 or SCO_ERR_INVALID (also for a date
 * that does not exist). */
int pl_parse_date(const char *s, int64_t *days);
/* Formats days since 1970-01-01 as YYYY-MM-DD into buf (11 bytes). */
void pl_format_date(int64_t days, char buf[static 11]);
/* Makes a file-name-safe copy of s ([A-Za-z0-9._-], others become '_'). */
void pl_safe_name(const char *s, char *buf, size_t n);

#endif
