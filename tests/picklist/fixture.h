/* fixture.h: a small hand-drawn warehouse for the picklist tests.
 *
 *   zone A                       zone B        zone C (aisle labels 2 and 10)
 *   aisle 1 (up)  aisle 2 (down)  aisle 3 (up)  aisle 1       aisle 2 (up)   aisle 10 (down)
 *   bay 3 SKU-B   bay 3 SKU-D L2              bay 1 SKU-F   bay 1 SKU-G    bay 2 SKU-H
 *   bay 1 SKU-A   bay 1 SKU-C     bay 2 SKU-E                              bay 1 SKU-I
 *
 * Serpentine walk: A-01-01-1 A-01-03-1 | A-02-03-2 A-02-01-1 | A-03-02-1 | B-01-01-1 |
 *                  C-02-01-1 | C-10-02-1 C-10-01-1
 * Route R1: O1 (stop 1), O2 (stop 2), O3 (stop 3); route R2: O4 (stop 1). O5 is unrouted.
 */
#ifndef PICKLIST_TEST_FIXTURE_H
#define PICKLIST_TEST_FIXTURE_H

#include <string.h>

#include "picklist-core.h"

static const struct pl_item fx_items[] = {
    { "SKU-A", "Apple juice 1 l", 6, 1.1, 1.2 },
    { "SKU-B", "Bread flour 2 kg", 5, 2.0, 3.0 },
    { "SKU-C", "Coffee beans 500 g", 10, 0.5, 1.0 },
    { "SKU-D", "Dish soap 750 ml", 12, 0.8, 0.9 },
    { "SKU-E", "Egg noodles 400 g", 20, 0.4, 1.5 },
    { "SKU-F", "Frozen peas 1 kg", 8, 1.0, 1.4 },
    { "SKU-G", "Green tea 100 bags", 24, 0.2, 0.6 },
    { "SKU-H", "Honey 350 g", 12, 0.45, 0.4 },
    { "SKU-I", "Iced tea 1.5 l", 6, 1.6, 1.7 },
    { "SKU-N", "Nails 1000 pcs (no bin)", 1, 2.5, 0.5 },
};

static const struct pl_bin fx_bins[] = {
    /* warehouse, bin, zone, aisle, bay, level, sku: listed out of walking order on purpose */
    { "WH1", "B-01-01-1", "B", "1", "1", "1", "SKU-F" },
    { "WH1", "A-02-01-1", "A", "2", "1", "1", "SKU-C" },
    { "WH1", "C-10-01-1", "C", "10", "1", "1", "SKU-I" },
    { "WH1", "A-01-03-1", "A", "1", "3", "1", "SKU-B" },
    { "WH1", "A-03-02-1", "A", "3", "2", "1", "SKU-E" },
    { "WH1", "C-02-01-1", "C", "2", "1", "1", "SKU-G" },
    { "WH1", "A-01-01-1", "A", "1", "1", "1", "SKU-A" },
    { "WH1", "A-02-03-2", "A", "2", "3", "2", "SKU-D" },
    { "WH1", "C-10-02-1", "C", "10", "2", "1", "SKU-H" },
    { "WH2", "X-01-01-1", "X", "1", "1", "1", "SKU-A" },
};

static const char *const fx_walk[] = { "A-01-01-1", "A-01-03-1", "A-02-03-2", "A-02-01-1",
                                       "A-03-02-1", "B-01-01-1", "C-02-01-1", "C-10-02-1",
                                       "C-10-01-1" };

static const struct pl_order fx_orders[] = {
    { "O1", "C100", "WH1", "08:00", "10:00", true, 20786 },
    { "O2", "C200", "WH1", "09:00", "12:00", true, 20786 },
    { "O3", "C300", "WH1", "13:00", "15:00", false, 0 },
    { "O4", "C400", "WH1", "", "", false, 0 },
    { "O5", "C500", "WH1", "", "", false, 0 },
};

static const struct pl_stop fx_stops[] = {
    { "R1", "V01", "WH1", 0, "", "", "07:00", "07:30" },
    { "R1", "V01", "WH1", 2, "O2", "C200", "09:10", "09:20" },
    { "R1", "V01", "WH1", 1, "O1", "C100", "08:15", "08:25" },
    { "R1", "V01", "WH1", 3, "O3", "C300", "13:05", "13:15" },
    { "R1", "V01", "WH1", 4, "", "", "14:00", "" },
    { "R2", "V02", "WH1", 0, "", "", "07:00", "07:30" },
    { "R2", "V02", "WH1", 1, "O4", "C400", "10:00", "10:10" },
};

static const struct pl_unrouted fx_unrouted[] = { { "O5", "time window" } };

static const struct pl_warehouse fx_warehouses[] = { { "WH1", "North DC" } };

/* Starts every test from the same small world; the test then swaps in its own lines. */
static inline struct pl_input fx_input(const struct pl_order_line *lines, size_t n_lines)
{
    struct pl_input in;
    memset(&in, 0, sizeof in);
    in.items = fx_items;
    in.n_items = SCO_COUNT(fx_items);
    in.bins = fx_bins;
    in.n_bins = SCO_COUNT(fx_bins);
    in.orders = fx_orders;
    in.n_orders = SCO_COUNT(fx_orders);
    in.lines = lines;
    in.n_lines = n_lines;
    in.stops = fx_stops;
    in.n_stops = SCO_COUNT(fx_stops);
    in.warehouses = fx_warehouses;
    in.n_warehouses = SCO_COUNT(fx_warehouses);
    in.unrouted = fx_unrouted;
    in.n_unrouted = SCO_COUNT(fx_unrouted);
    return in;
}

/* Every SKU with a bin once, in O1, plus combined lines over R1. */
static const struct pl_order_line fx_lines[] = {
    { "O1", "SKU-I", 2, NULL }, { "O1", "SKU-A", 5, NULL }, { "O1", "SKU-F", 9, NULL },
    { "O1", "SKU-C", 3, NULL }, { "O1", "SKU-H", 1, NULL }, { "O1", "SKU-E", 40, NULL },
    { "O1", "SKU-B", 4, NULL }, { "O1", "SKU-G", 24, NULL }, { "O1", "SKU-D", 13, NULL },
    { "O2", "SKU-A", 7, NULL }, { "O1", "SKU-A", 2, NULL }, { "O3", "SKU-A", 1, NULL },
    { "O3", "SKU-C", 11, NULL }, { "O4", "SKU-A", 6, NULL }, { "O4", "SKU-B", 1, NULL },
    { "O5", "SKU-B", 1, NULL },
};

#endif
