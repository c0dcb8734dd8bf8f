/* test-core.c: walking order, combining and splitting, cart batches, shortages, staging. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "picklist-core.h"

static struct pl_options opts(void)
{
    struct pl_options o;
    memset(&o, 0, sizeof o);
    o.sort = PL_SORT_SERPENTINE;
    o.run_date = 20786; /* 2026-1129 */
    return o;
}

static const struct pl_wave *wave(const struct pl_plan *p, const char *route)
{
    for (size_t i = 0; i < p->n_waves; i++)
        if (strcmp(p->waves[i].route_id, route) == 0)
            return &p->waves[i];
    cr_assert_fail("no wave '%s'", route);
    return NULL;
}

static const struct pl_pick *pick(const struct pl_batch *b, const char *sku)
{
    for (size_t i = 0; i < b->n_picks; i++)
        if (strcmp(b->picks[i].sku, sku) == 0)
            return &b->picks[i];
    return NULL;
}

static void build(const struct pl_input *in, const struct pl_options *o, struct pl_plan *p)
{
    struct sco_err err = { 0 };
    int rc = pl_plan_build(in, o, p, &err);
    cr_assert_eq(rc, 0, "pl_plan_build: %s", err.msg);
}

Test(picklist, natural_order_and_dates)
{
    cr_expect_lt(pl_natcmp("A2", "A10"), 0);
    cr_expect_gt(pl_natcmp("10", "9"), 0);
    cr_expect_eq(pl_natcmp("A-01", "A-1"), 0);
    cr_expect_lt(pl_natcmp("A", "B"), 0);
    cr_expect_lt(pl_natcmp("", "A"), 0);
    char d[11];
    pl_format_date(20786, d);
    cr_expect_str_eq(d, "2026-11-29");
    pl_format_date(0, d);
    cr_expect_str_eq(d, "1970-01-01");
    int64_t days = 0;
    cr_expect_eq(pl_parse_date("2026-11-29", &days), 0);
    cr_expect_eq(days, 20786);
    cr_expect_eq(pl_parse_date("2024-02-29T08:00", &days), 0);
    pl_format_date(days, d);
    cr_expect_str_eq(d, "2024-02-29");
    cr_expect_eq(pl_parse_date("29.11.2026", &days), SCO_ERR_INVALID);
    char s[32];
    pl_safe_name("R/1 x..", s, sizeof s);
    cr_expect_str_eq(s, "R_1_x..");
    pl_safe_name(".hidden", s, sizeof s);
    cr_expect_str_eq(s, "_hidden");
    enum pl_sort so;
    cr_expect_eq(pl_sort_parse("aisle", &so), 0);
    cr_expect_eq(so, PL_SORT_AISLE);
    cr_expect_eq(pl_sort_parse("zigzag", &so), SCO_ERR_INVALID);
}

Test(picklist, serpentine_walk_on_hand_drawn_layout)
{
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    struct pl_options o = opts();
    struct pl_plan p;
    build(&in, &o, &p);
    const struct pl_wave *w = wave(&p, "R1");
    cr_assert_eq(w->n_batches, 1);
    const struct pl_batch *b = &w->batches[0];
    cr_assert_eq(b->n_picks, SCO_COUNT(fx_walk));
    for (size_t i = 0; i < b->n_picks; i++) {
        cr_assert_not_null(b->picks[i].bin);
        cr_expect_str_eq(b->picks[i].bin->bin, fx_walk[i], "line %zu", i + 1);
        cr_expect_eq(b->picks[i].line, (int)i + 1);
    }
    cr_expect_str_eq(b->picklist_id, "20261129-R1-1");
    cr_expect_str_eq(w->vehicle, "V01");
    cr_expect_str_eq(w->warehouse_name, "North DC");
    pl_plan_free(&p);
}

Test(picklist, aisle_sort_and_zone_order)
{
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    struct pl_options o = opts();
    o.sort = PL_SORT_AISLE;
    const char *zones[] = { "C", "B" };
    o.zone_order = zones;
    o.n_zone_order = 2;
    struct pl_plan p;
    build(&in, &o, &p);
    const char *want[] = { "C-02-01-1", "C-10-01-1", "C-10-02-1", "B-01-01-1", "A-01-01-1",
                           "A-01-03-1", "A-02-01-1", "A-02-03-2", "A-03-02-1" };
    const struct pl_batch *b = &wave(&p, "R1")->batches[0];
    cr_assert_eq(b->n_picks, SCO_COUNT(want));
    for (size_t i = 0; i < b->n_picks; i++)
        cr_expect_str_eq(b->picks[i].bin->bin, want[i], "line %zu", i + 1);
    cr_expect(strstr(pl_sort_description(p.sort), "ascending") != NULL);
    pl_plan_free(&p);
}

Test(picklist, sku_sort)
{
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    struct pl_options o = opts();
    o.sort = PL_SORT_SKU;
    struct pl_plan p;
    build(&in, &o, &p);
    const struct pl_batch *b = &wave(&p, "R1")->batches[0];
    for (size_t i = 1; i < b->n_picks; i++)
        cr_expect_lt(strcmp(b->picks[i - 1].sku, b->picks[i].sku), 0);
    pl_plan_free(&p);
}

Test(picklist, combines_same_sku_and_shows_split)
{
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    struct pl_options o = opts();
    struct pl_plan p;
    build(&in, &o, &p);
    const struct pl_pick *a = pick(&wave(&p, "R1")->batches[0], "SKU-A");
    cr_assert_not_null(a);
    /* O1 asks 5 + 2, O2 7, O3 1: one line of 15 = 2 cases of 6 + 3 */
    cr_expect_eq(a->units, 15);
    cr_expect_eq(a->demand, 15);
    cr_expect_eq(a->cases, 2);
    cr_expect_eq(a->loose, 3);
    cr_expect_eq(a->case_pack, 6);
    cr_expect_float_eq(a->kg, 15 * 1.1, 1e-9);
    cr_assert_eq(a->n_allocs, 3);
    cr_expect_str_eq(a->allocs[0].order_id, "O1");
    cr_expect_eq(a->allocs[0].stop, 1);
    cr_expect_eq(a->allocs[0].units, 7);
    cr_expect_str_eq(a->allocs[1].order_id, "O2");
    cr_expect_eq(a->allocs[1].stop, 2);
    cr_expect_eq(a->allocs[1].units, 7);
    cr_expect_str_eq(a->allocs[2].order_id, "O3");
    cr_expect_eq(a->allocs[2].units, 1);
    /* R2 gets its own wave with O4's SKU-A, not combined with R1 */
    const struct pl_pick *a2 = pick(&wave(&p, "R2")->batches[0], "SKU-A");
    cr_assert_not_null(a2);
    cr_expect_eq(a2->units, 6);
    cr_expect_eq(a2->cases, 1);
    cr_expect_eq(a2->loose, 0);
    pl_plan_free(&p);
}

static int64_t total_units(const struct pl_wave *w, const char *sku)
{
    int64_t n = 0;
    for (size_t b = 0; b < w->n_batches; b++)
        for (size_t i = 0; i < w->batches[b].n_picks; i++)
            if (strcmp(w->batches[b].picks[i].sku, sku) == 0)
                n += w->batches[b].picks[i].units;
    return n;
}

Test(picklist, cart_batches_respect_limits_and_lose_nothing)
{
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    struct pl_options o = opts();
    struct pl_plan p0, p;
    build(&in, &o, &p0);
    o.cart_max_kg = 20;
    o.cart_max_l = 30;
    build(&in, &o, &p);
    const struct pl_wave *w0 = wave(&p0, "R1"), *w = wave(&p, "R1");
    cr_assert_gt(w->n_batches, 2, "R1 carries %.1f kg: expected several carts", w0->kg);
    bool split = false;
    for (size_t b = 0; b < w->n_batches; b++) {
        const struct pl_batch *bt = &w->batches[b];
        cr_expect_leq(bt->kg, 20 + 1e-9, "cart %zu: %.2f kg", b + 1, bt->kg);
        cr_expect_leq(bt->l, 30 + 1e-9, "cart %zu: %.2f l", b + 1, bt->l);
        cr_expect_not(bt->over_limit);
        cr_expect_eq(bt->index, (int)b + 1);
        cr_expect_eq(bt->count, (int)w->n_batches);
        for (size_t i = 0; i < bt->n_picks; i++) {
            const struct pl_pick *k = &bt->picks[i];
            int64_t s = 0;
            for (size_t a = 0; a < k->n_allocs; a++)
                s += k->allocs[a].units;
            cr_expect_eq(s, k->units, "cart %zu line %d: split does not add up", b + 1, k->line);
            cr_expect_eq(k->cases * k->case_pack + k->loose, k->units);
            split = split || (k->flags & PL_PICK_SPLIT);
        }
        /* within a cart the walk order still holds */
        for (size_t i = 1; i < bt->n_picks; i++) {
            size_t x = 0, y = 0;
            for (size_t j = 0; j < SCO_COUNT(fx_walk); j++) {
                if (strcmp(fx_walk[j], bt->picks[i - 1].bin->bin) == 0)
                    x = j;
                if (strcmp(fx_walk[j], bt->picks[i].bin->bin) == 0)
                    y = j;
            }
            cr_expect_leq(x, y);
        }
    }
    cr_expect(split, "some line must be split over carts at 20 kg");
    /* nothing lost: every SKU adds up to the unsplit plan */
    for (size_t i = 0; i < SCO_COUNT(fx_items); i++)
        cr_expect_eq(total_units(w, fx_items[i].sku), total_units(w0, fx_items[i].sku), "%s",
                     fx_items[i].sku);
    pl_plan_free(&p0);
    pl_plan_free(&p);
}

Test(picklist, split_line_prefers_whole_cases)
{
    /* 40 x SKU-E (0.4 kg, 1.5 l, 20 per case) into carts of 10 kg: 25 units fit, so 20 (one
     * case) go first, then 20 */
    static const struct pl_order_line lines[] = { { "O1", "SKU-E", 40, NULL } };
    struct pl_input in = fx_input(lines, 1);
    struct pl_options o = opts();
    o.cart_max_kg = 10;
    struct pl_plan p;
    build(&in, &o, &p);
    const struct pl_wave *w = wave(&p, "R1");
    cr_assert_eq(w->n_batches, 2);
    cr_expect_eq(w->batches[0].picks[0].units, 20);
    cr_expect_eq(w->batches[0].picks[0].cases, 1);
    cr_expect_eq(w->batches[1].picks[0].units, 20);
    cr_expect(w->batches[1].picks[0].flags & PL_PICK_SPLIT);
    cr_expect_str_eq(w->batches[1].picklist_id, "20261129-R1-2");
    pl_plan_free(&p);
}

Test(picklist, unit_heavier_than_cart_goes_alone_flagged)
{
    static const struct pl_order_line lines[] = { { "O1", "SKU-N", 3, NULL },
                                                  { "O1", "SKU-C", 2, NULL } };
    struct pl_input in = fx_input(lines, 2);
    struct pl_options o = opts();
    o.cart_max_kg = 2; /* SKU-N weighs 2.5 kg a unit */
    struct pl_plan p;
    build(&in, &o, &p);
    const struct pl_wave *w = wave(&p, "R1");
    cr_assert_eq(w->n_batches, 4); /* SKU-C 1 kg; then 3 carts of one nail box each */
    cr_expect_not(w->batches[0].over_limit);
    for (size_t b = 1; b < 4; b++) {
        cr_expect(w->batches[b].over_limit);
        cr_expect_eq(w->batches[b].n_picks, 1);
        cr_expect_eq(w->batches[b].picks[0].units, 1);
    }
    cr_expect_eq(total_units(w, "SKU-N"), 3);
    pl_plan_free(&p);
}

static size_t count_exc(const struct pl_plan *p, enum pl_exc_kind k, const char *order,
                        const char *sku)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_exceptions; i++) {
        const struct pl_exception *e = &p->exceptions[i];
        n += e->kind == k && (!order || strcmp(e->order_id, order) == 0) &&
             (!sku || strcmp(e->sku, sku) == 0);
    }
    return n;
}

Test(picklist, shortages_are_flagged_and_listed)
{
    static const struct pl_stock stock[] = {
        { "SKU-A", "WH1", 10 }, { "SKU-B", "WH1", 100 }, { "SKU-C", "WH1", 4 },
        { "SKU-C", "WH1", 3 }, /* two rows add up: 7 */
    };
    static const struct pl_order_line lines[] = {
        { "O1", "SKU-A", 7, NULL }, { "O2", "SKU-A", 7, NULL }, { "O4", "SKU-A", 6, NULL },
        { "O1", "SKU-B", 2, NULL }, { "O3", "SKU-C", 9, NULL }, { "O2", "SKU-D", 1, NULL },
    };
    struct pl_input in = fx_input(lines, SCO_COUNT(lines));
    in.stock = stock;
    in.n_stock = SCO_COUNT(stock);
    struct pl_options o = opts();
    struct pl_plan p;
    build(&in, &o, &p);
    const struct pl_batch *b1 = &wave(&p, "R1")->batches[0];
    const struct pl_pick *a = pick(b1, "SKU-A");
    cr_assert_not_null(a);
    /* 10 on hand: stop 1 (O1) gets 7, stop 2 (O2) 3 and is short 4 */
    cr_expect_eq(a->demand, 14);
    cr_expect_eq(a->units, 10);
    cr_expect_eq(a->short_units, 4);
    cr_expect(a->flags & PL_PICK_SHORT);
    cr_expect_eq(a->allocs[0].units, 7);
    cr_expect_eq(a->allocs[0].short_units, 0);
    cr_expect_eq(a->allocs[1].units, 3);
    cr_expect_eq(a->allocs[1].short_units, 4);
    /* R2 comes after R1: nothing left for O4, but the line stays on its pick list */
    const struct pl_pick *a2 = pick(&wave(&p, "R2")->batches[0], "SKU-A");
    cr_assert_not_null(a2);
    cr_expect_eq(a2->units, 0);
    cr_expect_eq(a2->short_units, 6);
    /* SKU-C: 7 of 9; SKU-D has no stock row: all short; SKU-B fine */
    cr_expect_eq(pick(b1, "SKU-C")->units, 7);
    cr_expect_eq(pick(b1, "SKU-D")->units, 0);
    cr_expect_eq(pick(b1, "SKU-D")->short_units, 1);
    cr_expect_eq(pick(b1, "SKU-B")->short_units, 0);
    cr_expect_not(pick(b1, "SKU-B")->flags & PL_PICK_SHORT);

    cr_expect_eq(count_exc(&p, PL_EXC_SHORTAGE, "O2", "SKU-A"), 1);
    cr_expect_eq(count_exc(&p, PL_EXC_SHORTAGE, "O4", "SKU-A"), 1);
    cr_expect_eq(count_exc(&p, PL_EXC_SHORTAGE, "O3", "SKU-C"), 1);
    cr_expect_eq(count_exc(&p, PL_EXC_SHORTAGE, "O2", "SKU-D"), 1);
    cr_expect_eq(count_exc(&p, PL_EXC_SHORTAGE, "O1", NULL), 0);
    cr_expect_eq(count_exc(&p, PL_EXC_SHORTAGE, NULL, NULL), 4);
    for (size_t i = 0; i < p.n_exceptions; i++) {
        const struct pl_exception *e = &p.exceptions[i];
        if (e->kind == PL_EXC_SHORTAGE && strcmp(e->order_id, "O2") == 0 &&
            strcmp(e->sku, "SKU-A") == 0) {
            cr_expect_eq(e->ordered, 7);
            cr_expect_eq(e->picked, 3);
            cr_expect_eq(e->short_units, 4);
            cr_expect_str_eq(e->route_id, "R1");
        }
    }
    /* the staging sheet marks the short orders */
    const struct pl_wave *w = wave(&p, "R1");
    for (size_t i = 0; i < w->n_staging; i++)
        if (strcmp(w->staging[i].order_id, "O2") == 0)
            cr_expect_eq(w->staging[i].short_lines, 2);
    pl_plan_free(&p);
}

Test(picklist, missing_bins_unknown_skus_and_unrouted_are_exceptions)
{
    static const struct pl_order_line lines[] = {
        { "O1", "SKU-N", 1, NULL }, { "O1", "SKU-ZZ", 2, NULL }, { "O1", "SKU-A", 1, NULL },
        { "O2", "SKU-A", 0, NULL }, /* O2 has a line, but of zero: no pick, no exception */
    };
    struct pl_input in = fx_input(lines, SCO_COUNT(lines));
    struct pl_options o = opts();
    struct pl_plan p;
    build(&in, &o, &p);
    const struct pl_batch *b = &wave(&p, "R1")->batches[0];
    cr_assert_eq(b->n_picks, 3);
    cr_expect_str_eq(b->picks[0].sku, "SKU-A"); /* located lines first */
    const struct pl_pick *n = pick(b, "SKU-N"), *z = pick(b, "SKU-ZZ");
    cr_assert_not_null(n);
    cr_assert_not_null(z);
    cr_expect_null(n->bin);
    cr_expect(n->flags & PL_PICK_NO_BIN);
    cr_expect(z->flags & PL_PICK_UNKNOWN);
    cr_expect_eq(z->units, 2);
    cr_expect_eq(count_exc(&p, PL_EXC_NO_BIN, "O1", "SKU-N"), 1);
    cr_expect_eq(count_exc(&p, PL_EXC_NO_BIN, "O1", "SKU-ZZ"), 1);
    cr_expect_eq(count_exc(&p, PL_EXC_UNKNOWN_SKU, "O1", "SKU-ZZ"), 1);
    cr_expect_eq(count_exc(&p, PL_EXC_NO_LINES, "O3", NULL), 1);
    cr_expect_eq(count_exc(&p, PL_EXC_NO_LINES, "O2", NULL), 0);
    cr_expect_eq(count_exc(&p, PL_EXC_NOT_ROUTED, "O5", NULL), 1);
    pl_plan_free(&p);
}

Test(picklist, staging_sheet_in_reverse_stop_order)
{
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    struct pl_options o = opts();
    struct pl_plan p;
    build(&in, &o, &p);
    const struct pl_wave *w = wave(&p, "R1");
    cr_assert_eq(w->n_staging, 3);
    cr_expect_str_eq(w->staging[0].order_id, "O3");
    cr_expect_eq(w->staging[0].stop, 3);
    cr_expect_str_eq(w->staging[1].order_id, "O2");
    cr_expect_str_eq(w->staging[2].order_id, "O1");
    cr_expect_str_eq(w->staging[2].tw_start, "08:00");
    cr_expect_str_eq(w->staging[2].tw_end, "10:00");
    cr_expect_str_eq(w->staging[2].arrival, "08:15");
    cr_expect_str_eq(w->staging[2].customer, "C100");
    /* O3: 1 x SKU-A (loose) + 11 x SKU-C (1 case of 10 + 1) = 1 case + 1 tote */
    cr_expect_eq(w->staging[0].parcels, 2);
    cr_expect_eq(w->staging[0].units, 12);
    cr_expect_float_eq(w->staging[0].kg, 1.1 + 11 * 0.5, 1e-9);
    /* O2: 7 x SKU-A = 1 case + 1 loose */
    cr_expect_eq(w->staging[1].parcels, 2);
    cr_expect_eq(w->staging[1].lines, 1);
    double kg = 0;
    for (size_t i = 0; i < w->n_staging; i++)
        kg += w->staging[i].kg;
    cr_expect_float_eq(kg, w->kg, 1e-9);
    cr_expect_float_eq(w->batches[0].kg, w->kg, 1e-9);
    pl_plan_free(&p);
}

Test(picklist, without_routes_one_wave_per_warehouse)
{
    static const struct pl_order orders[] = {
        { "O9", "C9", "WH2", "", "", false, 0 },      { "O1", "C1", "WH1", "", "", true, 20786 },
        { "O2", "C2", "WH1", "", "", false, 0 },      { "O7", "C7", "WH1", "", "", true, 20787 },
        { "O8", "C8", "WH3", "", "", true, 20785 },
    };
    static const struct pl_order_line lines[] = {
        { "O1", "SKU-A", 2, NULL }, { "O2", "SKU-A", 3, NULL }, { "O9", "SKU-A", 4, NULL },
        { "O7", "SKU-A", 50, NULL }, { "O8", "SKU-A", 1, NULL },
    };
    struct pl_input in = fx_input(lines, SCO_COUNT(lines));
    in.stops = NULL;
    in.n_stops = 0;
    in.orders = orders;
    in.n_orders = SCO_COUNT(orders);
    struct pl_options o = opts();
    struct pl_plan p;
    build(&in, &o, &p);
    cr_assert_eq(p.n_waves, 2, "WH3 has only another day's order");
    cr_expect_str_eq(p.waves[0].warehouse, "WH1");
    cr_expect_eq(p.waves[0].n_staging, 2, "O7 is for tomorrow");
    cr_expect_str_eq(p.waves[0].staging[0].order_id, "O1", "no stops: staging by order id");
    cr_expect_str_eq(p.waves[0].staging[1].order_id, "O2");
    cr_expect_not(p.waves[0].routed);
    cr_expect_str_eq(p.waves[1].route_id, "WH2");
    cr_expect_eq(p.waves[0].batches[0].picks[0].units, 5);
    cr_expect_str_eq(p.waves[1].batches[0].picks[0].bin->bin, "X-01-01-1");
    cr_expect_eq(p.waves[1].batches[0].picks[0].allocs[0].stop, 0);
    cr_expect_eq(count_exc(&p, PL_EXC_NOT_ROUTED, NULL, NULL), 0);
    pl_plan_free(&p);
}

Test(picklist, bad_quantity_names_the_row)
{
    static const struct pl_order_line lines[] = { { "O1", "SKU-A", -2, "order_lines.csv:7" } };
    struct pl_input in = fx_input(lines, 1);
    struct pl_options o = opts();
    struct pl_plan p;
    struct sco_err err = { 0 };
    cr_expect_eq(pl_plan_build(&in, &o, &p, &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "order_lines.csv:7: order 'O1' sku 'SKU-A' has quantity below 0; "
                              "quantities are whole units >= 0");
    cr_expect_null(p.waves);
    pl_plan_free(&p);
}

Test(picklist, empty_route_still_gets_a_sheet)
{
    struct pl_input in = fx_input(NULL, 0);
    struct pl_options o = opts();
    struct pl_plan p;
    build(&in, &o, &p);
    cr_assert_eq(p.n_waves, 2);
    cr_expect_eq(p.waves[0].n_batches, 1);
    cr_expect_eq(p.waves[0].batches[0].n_picks, 0);
    cr_expect_eq(count_exc(&p, PL_EXC_NO_LINES, NULL, NULL), 4);
    pl_plan_free(&p);
}
