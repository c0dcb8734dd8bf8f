/* picklist-pdf.c: printable pick lists, staging sheets and the exceptions sheet with cairo.
 *
 * Every document is laid out twice: a first pass measures text and counts pages without
 * drawing, so the second can print "page 2 of 5". Barcodes are Code 128 from libzint's vector
 * output, filled as rectangles, so they stay crisp at any printer resolution. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>

#include "picklist-barcode.h"
#include "picklist-core.h"

#define FONT "DejaVu Sans"
#define MARGIN 32.0
#define MODULE_PT 0.85 /* preferred Code 128 module width: 0.30 mm */
#define MODULE_MIN_PT 0.5

struct pdf {
    cairo_t *cr;
    const struct pl_doc *doc;
    bool draw;        /* false: the measuring pass */
    int page, pages;  /* current page (1-based) and the total from the measuring pass */
    double W, H;      /* page size in points */
    double y;         /* next free line on the page */
    const char *footer_left;
    int rc;           /* first barcode error, kept to return */
    struct sco_err *err;
};

static void font(struct pdf *p, double size, bool bold)
{
    cairo_select_font_face(p->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(p->cr, size);
}

static double text_w(struct pdf *p, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(p->cr, s, &e);
    return e.x_advance;
}

/* Copies s into buf, cut with "..." so it fits maxw at the current font (UTF-8 safe). */
static const char *fit(struct pdf *p, const char *s, double maxw, char *buf, size_t n)
{
    snprintf(buf, n, "%s", s);
    if (text_w(p, buf) <= maxw)
        return buf;
    size_t len = strlen(buf);
    while (len > 0) {
        len--;
        while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80)
            len--; /* do not cut inside a UTF-8 sequence */
        if (len + 4 > n)
            continue;
        memcpy(buf + len, "...", 4);
        if (text_w(p, buf) <= maxw)
            return buf;
    }
    return "";
}

static void text(struct pdf *p, double x, double y, const char *s)
{
    if (!p->draw)
        return;
    cairo_move_to(p->cr, x, y);
    cairo_show_text(p->cr, s);
}

static void text_right(struct pdf *p, double xr, double y, const char *s)
{
    text(p, xr - text_w(p, s), y, s);
}

static void text_fit(struct pdf *p, double x, double y, double maxw, const char *s)
{
    char buf[512];
    text(p, x, y, fit(p, s, maxw, buf, sizeof buf));
}

static void hline(struct pdf *p, double y, double width)
{
    if (!p->draw)
        return;
    cairo_set_line_width(p->cr, width);
    cairo_move_to(p->cr, MARGIN, y);
    cairo_line_to(p->cr, p->W - MARGIN, y);
    cairo_stroke(p->cr);
}

static void box(struct pdf *p, double x, double y, double w, double h, double lw)
{
    if (!p->draw)
        return;
    cairo_set_line_width(p->cr, lw);
    cairo_rectangle(p->cr, x, y, w, h);
    cairo_stroke(p->cr);
}

/* Draws `data` as Code 128 with its top-left at (x, y), at most maxw wide; returns the width
 * used. Too long for maxw at the smallest module: draws nothing and returns 0 (the value is
 * still printed as text beside it). */
static double barcode(struct pdf *p, double x, double y, double maxw, double h, const char *data)
{
    struct pl_barcode bc;
    struct sco_err err = { 0 };
    if (!pl_barcode_ok(data))
        return 0; /* printed as text only; the plugin warns about such values */
    if (pl_barcode_make(data, &bc, &err) != 0) {
        if (p->rc == 0) {
            p->rc = err.code;
            if (p->err)
                *p->err = err;
        }
        return 0;
    }
    double m = MODULE_PT;
    if (bc.modules * m > maxw)
        m = maxw / bc.modules;
    double used = 0;
    if (m >= MODULE_MIN_PT) {
        used = bc.modules * m;
        if (p->draw) {
            for (size_t i = 0; i < bc.n_bars; i++)
                cairo_rectangle(p->cr, x + bc.bars[i].x * m, y, bc.bars[i].w * m, h);
            cairo_fill(p->cr);
        }
    }
    pl_barcode_fini(&bc);
    return used;
}

/* The width barcode() would use for `data` within maxw (0: too long to print). */
static double barcode_width(struct pdf *p, double maxw, const char *data)
{
    bool draw = p->draw;
    p->draw = false;
    double w = barcode(p, 0, 0, maxw, 0, data);
    p->draw = draw;
    return w;
}

static void footer(struct pdf *p)
{
    char buf[64];
    font(p, 9, false);
    double y = p->H - MARGIN + 14;
    hline(p, y - 11, 0.5);
    text_fit(p, MARGIN, y, p->W - 2 * MARGIN - 90, p->footer_left);
    snprintf(buf, sizeof buf, "page %d of %d", p->page, p->pages);
    text_right(p, p->W - MARGIN, y, buf);
}

static void page_end(struct pdf *p)
{
    footer(p);
    if (p->draw)
        cairo_show_page(p->cr);
    p->page++;
}

static double bottom(const struct pdf *p)
{
    return p->H - MARGIN - 6;
}

/* Sheet header: big title on the left, optional barcode on the right, info lines below. */
static void header(struct pdf *p, const char *title, const char *code, const char *const *info,
                   size_t n_info)
{
    double x = MARGIN, right = p->W - MARGIN;
    p->y = MARGIN;
    double bw = 0;
    if (code) {
        bw = barcode_width(p, 200, code);
        barcode(p, right - bw, p->y, bw, 30, code);
        font(p, 10, true);
        text_right(p, right - (bw > 0 ? (bw - text_w(p, code)) / 2 : 0), p->y + 40, code);
    }
    /* the title shrinks before it is cut: long route ids make long pick list ids */
    double tw = p->W - 2 * MARGIN - bw - 10, size = 22;
    font(p, size, true);
    while (size > 14 && text_w(p, title) > tw) {
        size -= 1;
        font(p, size, true);
    }
    text_fit(p, x, p->y + 22, tw, title);
    p->y += code ? 44 : 36;
    for (size_t i = 0; i < n_info; i++) {
        font(p, i == 0 ? 12.5 : 11, i == 0);
        p->y += 14;
        text_fit(p, x, p->y, p->W - 2 * MARGIN, info[i]);
    }
    p->y += 8;
    hline(p, p->y, 1.2);
}

/* ---- Pick list -------------------------------------------------------------------------- */
struct cols {
    double tick, num, bin, sku, qty, orders, end;
};

static struct cols pick_cols(const struct pdf *p)
{
    double cw = p->W - 2 * MARGIN;
    struct cols c;
    c.tick = MARGIN;
    c.num = c.tick + 34;
    c.bin = c.num + 22;
    c.sku = c.bin + 0.26 * cw;
    c.qty = c.sku + 0.30 * cw;
    c.orders = c.qty + 0.125 * cw;
    c.end = p->W - MARGIN;
    return c;
}

static void pick_col_header(struct pdf *p, const struct cols *c)
{
    font(p, 9, true);
    p->y += 13;
    text(p, c->tick, p->y, "Done");
    text(p, c->num, p->y, "#");
    text(p, c->bin, p->y, "Bin");
    text(p, c->sku, p->y, "SKU / description");
    text(p, c->qty, p->y, "Quantity");
    text(p, c->orders, p->y, "Orders (s = stop): units");
    p->y += 5;
    hline(p, p->y, 0.8);
}

/* The "order sN: units" pieces of a line, wrapped into lines of at most maxw. Returns the
 * number of lines needed (only the first max_lines are stored). */
#define LINE_MAX_CHARS 128
static size_t wrap_orders(struct pdf *p, const struct pl_pick *k, double maxw,
                          char lines[][LINE_MAX_CHARS], size_t max_lines)
{
    size_t n = 0, len = 0;
    char cur[LINE_MAX_CHARS] = "";
    font(p, 9, false);
    for (size_t a = 0; a < k->n_allocs; a++) {
        const struct pl_alloc *al = &k->allocs[a];
        char piece[LINE_MAX_CHARS / 2];
        char shortage[32] = "";
        if (al->short_units > 0)
            snprintf(shortage, sizeof shortage, " (short %lld)", (long long)al->short_units);
        if (al->stop > 0)
            snprintf(piece, sizeof piece, "%.24s s%lld: %lld%s", al->order_id,
                     (long long)al->stop, (long long)al->units, shortage);
        else
            snprintf(piece, sizeof piece, "%.24s: %lld%s", al->order_id, (long long)al->units,
                     shortage);
        size_t pl = strlen(piece);
        bool wrap = len > 0 && len + 2 + pl + 2 > sizeof cur;
        if (len > 0 && !wrap) {
            char trial[LINE_MAX_CHARS];
            memcpy(trial, cur, len);
            memcpy(trial + len, ", ", 2);
            memcpy(trial + len + 2, piece, pl + 1);
            wrap = text_w(p, trial) > maxw;
        }
        if (wrap) {
            if (n < max_lines) {
                memcpy(lines[n], cur, len);
                memcpy(lines[n] + len, ",", 2);
            }
            n++;
            len = 0;
        }
        if (len > 0) {
            memcpy(cur + len, ", ", 2);
            len += 2;
        }
        memcpy(cur + len, piece, pl + 1);
        len += pl;
    }
    if (len > 0) {
        if (n < max_lines)
            memcpy(lines[n], cur, len + 1);
        n++;
    }
    return n;
}

#define MAX_ORDER_LINES 40
#define ROW_MIN_H 64.0

#define NARROW_MAX_LINES 4 /* orders beyond this many lines go into a full-width strip */

/* Where a line's orders go: beside the line (narrow) or in a strip under it. */
static bool orders_in_strip(struct pdf *p, const struct cols *c, const struct pl_pick *k)
{
    char lines[NARROW_MAX_LINES][LINE_MAX_CHARS];
    return wrap_orders(p, k, c->end - c->orders - 4, lines, NARROW_MAX_LINES) >
           NARROW_MAX_LINES;
}

static double pick_row_height(struct pdf *p, const struct cols *c, const struct pl_pick *k)
{
    char lines[MAX_ORDER_LINES][LINE_MAX_CHARS];
    if (orders_in_strip(p, c, k)) {
        size_t n = wrap_orders(p, k, c->end - c->bin, lines, MAX_ORDER_LINES);
        if (n > MAX_ORDER_LINES)
            n = MAX_ORDER_LINES;
        return ROW_MIN_H + 4 + 11.0 * (double)n;
    }
    size_t n = wrap_orders(p, k, c->end - c->orders - 4, lines, MAX_ORDER_LINES);
    double h = 12 + 11.0 * (double)n;
    return h > ROW_MIN_H ? h : ROW_MIN_H;
}

static void pick_row(struct pdf *p, const struct cols *c, const struct pl_pick *k)
{
    char buf[160];
    double top = p->y, h = pick_row_height(p, c, k);
    double base = top + 17;

    box(p, c->tick + 2, top + 6, 16, 16, 1.2);
    font(p, 12, true);
    snprintf(buf, sizeof buf, "%d", k->line);
    text(p, c->num, base, buf);

    /* bin: label, barcode, location in words */
    double bw = c->sku - c->bin - 8;
    font(p, 15, true);
    if (k->bin) {
        text_fit(p, c->bin, base, bw, k->bin->bin);
        barcode(p, c->bin - PL_QUIET_MODULES * MODULE_PT, top + 22, bw + PL_QUIET_MODULES *
                MODULE_PT, 22, k->bin->bin);
        font(p, 8, false);
        snprintf(buf, sizeof buf, "zone %s  aisle %s  bay %s  level %s", k->bin->zone,
                 k->bin->aisle, k->bin->bay, k->bin->level);
        text_fit(p, c->bin, top + 55, bw, buf);
    } else {
        text_fit(p, c->bin, base, bw, "NO BIN");
        font(p, 9, false);
        text_fit(p, c->bin, base + 14, bw, "not in bins: ask the supervisor");
    }

    /* SKU: code, barcode, description */
    double sw = c->qty - c->sku - 8;
    font(p, 13, true);
    text_fit(p, c->sku, base, sw, k->sku);
    barcode(p, c->sku - PL_QUIET_MODULES * MODULE_PT, top + 22, sw + PL_QUIET_MODULES * MODULE_PT,
            22, k->sku);
    font(p, 10, false);
    text_fit(p, c->sku, top + 56, sw, k->name);

    /* quantity: cases and units, shortage */
    double qw = c->orders - c->qty - 6;
    font(p, 15, true);
    double qy = base + 14;
    if (k->case_pack > 1 && k->cases > 0) {
        snprintf(buf, sizeof buf, "%lld cs", (long long)k->cases);
        text_fit(p, c->qty, base, qw, buf);
        if (k->loose > 0) {
            font(p, 11, true);
            snprintf(buf, sizeof buf, "+ %lld %s", (long long)k->loose,
                     k->loose == 1 ? "unit" : "units");
            text_fit(p, c->qty, qy, qw, buf);
        }
    } else {
        snprintf(buf, sizeof buf, "%lld %s", (long long)k->units, k->units == 1 ? "unit" : "units");
        text_fit(p, c->qty, base, qw, buf);
    }
    qy += 11;
    font(p, 8, false);
    snprintf(buf, sizeof buf, "= %lld u, %lld/cs%s", (long long)k->units, (long long)k->case_pack,
             k->flags & PL_PICK_SPLIT ? ", split" : "");
    text_fit(p, c->qty, qy, qw, buf);
    qy += 14;
    if (k->short_units > 0) {
        font(p, 10, true);
        snprintf(buf, sizeof buf, "SHORT %lld", (long long)k->short_units);
        box(p, c->qty - 2, qy - 10, text_w(p, buf) + 4, 13, 1.2);
        text_fit(p, c->qty, qy, qw, buf);
    }

    /* orders served: beside the line, or when many in a strip under it */
    char lines[MAX_ORDER_LINES][LINE_MAX_CHARS];
    bool strip = orders_in_strip(p, c, k);
    double ox = strip ? c->bin : c->orders, ow = strip ? c->end - c->bin : c->end - c->orders - 4;
    double oy = strip ? top + ROW_MIN_H + 2 : top + 14;
    size_t n = wrap_orders(p, k, ow, lines, MAX_ORDER_LINES);
    if (strip) {
        font(p, 9, true);
        snprintf(buf, sizeof buf, "%zu orders,", k->n_allocs);
        text_fit(p, c->orders, top + 14, c->end - c->orders, buf);
        text_fit(p, c->orders, top + 25, c->end - c->orders, "listed below");
    }
    font(p, 9, false);
    for (size_t i = 0; i < n && i < MAX_ORDER_LINES; i++) {
        if (i == MAX_ORDER_LINES - 1 && n > MAX_ORDER_LINES) {
            snprintf(buf, sizeof buf, "... %zu more lines: see the CSV", n - i);
            text_fit(p, ox, oy + 11.0 * (double)i, ow, buf);
            break;
        }
        text_fit(p, ox, oy + 11.0 * (double)i, ow, lines[i]);
    }
    p->y = top + h;
    hline(p, p->y, 0.4);
}

/* "Route R1   Vehicle V01   Date 2026-11-29" and "Warehouse WH1 - North DC   Run ..." */
static void wave_lines(char *l1, char *l2, size_t n, const struct pl_wave *w, const char *date,
                       const char *run_id)
{
    if (w->routed)
        snprintf(l1, n, "Route %s%s%s   Date %s", w->route_id, *w->vehicle ? "   Vehicle " : "",
                 w->vehicle, date);
    else
        snprintf(l1, n, "Wave %s (not routed)   Date %s", w->route_id, date);
    snprintf(l2, n, "Warehouse %s%s%s   Run %s", w->warehouse, *w->warehouse_name ? " - " : "",
             w->warehouse_name, run_id);
}

static void pick_header(struct pdf *p, const struct pl_plan *plan, const struct pl_wave *w,
                        const struct pl_batch *b)
{
    char date[11], l1[256], l2[256], l3[256], title[128];
    pl_format_date(p->doc->run_date, date);
    snprintf(title, sizeof title, "PICK LIST %s", b->picklist_id);
    wave_lines(l1, l2, sizeof l1, w, date, p->doc->run_id);
    snprintf(l3, sizeof l3, "Cart %d of %d   %zu lines   %lld units   %.1f kg   %.1f l%s",
             b->index, b->count, b->n_picks, (long long)b->units, b->kg, b->l,
             b->over_limit ? "   OVER CART LIMIT" : "");
    const char *info[] = { l1, l2, l3, pl_sort_description(plan->sort) };
    header(p, title, b->picklist_id, info, SCO_COUNT(info));
}

static void render_batch(struct pdf *p, const struct pl_plan *plan, const struct pl_wave *w,
                         const struct pl_batch *b)
{
    struct cols c = pick_cols(p);
    char foot[256];
    snprintf(foot, sizeof foot, "%s   route %s   run %s", b->picklist_id, w->route_id,
             p->doc->run_id);
    p->footer_left = foot;
    pick_header(p, plan, w, b);
    pick_col_header(p, &c);
    if (b->n_picks == 0) {
        font(p, 12, false);
        p->y += 24;
        text(p, MARGIN, p->y, "Nothing to pick on this route.");
    }
    for (size_t i = 0; i < b->n_picks; i++) {
        double h = pick_row_height(p, &c, &b->picks[i]);
        if (p->y + h > bottom(p)) {
            page_end(p);
            pick_header(p, plan, w, b);
            pick_col_header(p, &c);
        }
        pick_row(p, &c, &b->picks[i]);
    }
    page_end(p);
}

/* ---- Staging sheet ---------------------------------------------------------------------- */
static const double stage_x[] = { 0, 30, 58, 168, 234, 312, 354, 398, 442, 504 };

static void stage_cols(struct pdf *p)
{
    const char *h[] = { "Load", "Stop", "Order", "Customer", "Time window", "ETA",
                        "Parcels", "Kg", "Lines", "Done" };
    double scale = (p->W - 2 * MARGIN) / 531.0;
    font(p, 9, true);
    p->y += 13;
    for (size_t i = 0; i < SCO_COUNT(h); i++)
        text(p, MARGIN + stage_x[i] * scale, p->y, h[i]);
    p->y += 5;
    hline(p, p->y, 0.8);
}

static void stage_header(struct pdf *p, const struct pl_wave *w)
{
    char date[11], l1[256], l2[256], l3[256], title[128];
    int64_t parcels = 0;
    for (size_t i = 0; i < w->n_staging; i++)
        parcels += w->staging[i].parcels;
    pl_format_date(p->doc->run_date, date);
    snprintf(title, sizeof title, "STAGING SHEET %s", w->route_id);
    wave_lines(l1, l2, sizeof l1, w, date, p->doc->run_id);
    snprintf(l3, sizeof l3, "%zu orders   %lld parcels   %.1f kg   %.1f l", w->n_staging,
             (long long)parcels, w->kg, w->l);
    const char *info[] = { l1, l2, l3,
                           w->routed ? "Load in this order: last stop first, first stop "
                                       "nearest the door"
                                     : "Not routed: orders by id" };
    header(p, title, NULL, info, SCO_COUNT(info));
}

static void render_staging(struct pdf *p, const struct pl_wave *w)
{
    char foot[256];
    snprintf(foot, sizeof foot, "staging %s   run %s", w->route_id, p->doc->run_id);
    p->footer_left = foot;
    stage_header(p, w);
    stage_cols(p);
    double scale = (p->W - 2 * MARGIN) / 531.0;
    for (size_t i = 0; i < w->n_staging; i++) {
        const struct pl_stage_row *r = &w->staging[i];
        if (p->y + 24 > bottom(p)) {
            page_end(p);
            stage_header(p, w);
            stage_cols(p);
        }
        char v[10][96];
        snprintf(v[0], 96, "%zu", i + 1);
        if (r->stop > 0)
            snprintf(v[1], 96, "%lld", (long long)r->stop);
        else
            snprintf(v[1], 96, "-");
        snprintf(v[2], 96, "%s", r->order_id);
        snprintf(v[3], 96, "%s", r->customer);
        if (*r->tw_start || *r->tw_end)
            snprintf(v[4], 96, "%s-%s", r->tw_start, r->tw_end);
        else
            snprintf(v[4], 96, "-");
        snprintf(v[5], 96, "%s", *r->arrival ? r->arrival : "-");
        snprintf(v[6], 96, "%lld", (long long)r->parcels);
        snprintf(v[7], 96, "%.1f", r->kg);
        snprintf(v[8], 96, "%d%s", r->lines, r->short_lines ? " SHORT" : "");
        p->y += 17;
        for (size_t k = 0; k < 9; k++) {
            font(p, k == 2 || k == 0 ? 11 : 10.5, k == 2 || k == 0);
            double x = MARGIN + stage_x[k] * scale;
            double wmax = (stage_x[k + 1] - stage_x[k]) * scale - 4;
            text_fit(p, x, p->y, wmax, v[k]);
        }
        box(p, MARGIN + stage_x[9] * scale + 2, p->y - 12, 14, 14, 1.2);
        p->y += 7;
        hline(p, p->y, 0.4);
    }
    page_end(p);
}

/* ---- Exceptions sheet ------------------------------------------------------------------- */
static const double exc_x[] = { 0, 70, 130, 170, 206, 270, 306, 344, 380, 531 };

static void exc_header(struct pdf *p, const struct pl_plan *plan)
{
    char date[11], l1[256], l2[256];
    pl_format_date(p->doc->run_date, date);
    snprintf(l1, sizeof l1, "Date %s   %zu exceptions   Run %s", date, plan->n_exceptions,
             p->doc->run_id);
    snprintf(l2, sizeof l2, "Orders below cannot be completed as planned; resolve before loading");
    const char *info[] = { l1, l2 };
    header(p, "EXCEPTIONS", NULL, info, SCO_COUNT(info));
    const char *h[] = { "Kind", "Order", "Route", "WH", "SKU", "Qty", "Picked", "Short",
                        "Detail" };
    double scale = (p->W - 2 * MARGIN) / 531.0;
    font(p, 9, true);
    p->y += 13;
    for (size_t i = 0; i < SCO_COUNT(h); i++)
        text(p, MARGIN + exc_x[i] * scale, p->y, h[i]);
    p->y += 5;
    hline(p, p->y, 0.8);
}

static void render_exceptions(struct pdf *p, const struct pl_plan *plan)
{
    char foot[256];
    snprintf(foot, sizeof foot, "exceptions   run %s", p->doc->run_id);
    p->footer_left = foot;
    exc_header(p, plan);
    double scale = (p->W - 2 * MARGIN) / 531.0;
    if (plan->n_exceptions == 0) {
        font(p, 12, false);
        p->y += 24;
        text(p, MARGIN, p->y, "No exceptions: every order can be picked in full.");
    }
    for (size_t i = 0; i < plan->n_exceptions; i++) {
        const struct pl_exception *e = &plan->exceptions[i];
        /* the detail wraps onto a second line when long */
        double dw = (exc_x[9] - exc_x[8]) * scale;
        font(p, 8.5, false);
        bool two = text_w(p, e->detail) > dw;
        double h = two ? 30 : 20;
        if (p->y + h > bottom(p)) {
            page_end(p);
            exc_header(p, plan);
        }
        char v[8][64];
        bool qty = e->kind != PL_EXC_NO_LINES && e->kind != PL_EXC_NOT_ROUTED;
        snprintf(v[0], 64, "%s", pl_exc_kind_name(e->kind));
        snprintf(v[1], 64, "%s", e->order_id);
        snprintf(v[2], 64, "%s", *e->route_id ? e->route_id : "-");
        snprintf(v[3], 64, "%s", e->warehouse);
        snprintf(v[4], 64, "%s", *e->sku ? e->sku : "-");
        snprintf(v[5], 64, qty ? "%lld" : "-", (long long)e->ordered);
        snprintf(v[6], 64, qty ? "%lld" : "-", (long long)e->picked);
        snprintf(v[7], 64, qty ? "%lld" : "-", (long long)e->short_units);
        p->y += 14;
        for (size_t k = 0; k < 8; k++) {
            font(p, 9.5, k <= 1);
            text_fit(p, MARGIN + exc_x[k] * scale, p->y,
                     (exc_x[k + 1] - exc_x[k]) * scale - 3, v[k]);
        }
        font(p, 8.5, false);
        double dx = MARGIN + exc_x[8] * scale;
        if (!two) {
            text(p, dx, p->y, e->detail);
        } else { /* split at the last space that fits */
            char a[512];
            snprintf(a, sizeof a, "%s", e->detail);
            size_t cut = strlen(a);
            while (cut > 0) {
                while (cut > 0 && a[cut] != ' ')
                    cut--;
                if (cut == 0)
                    break;
                a[cut] = '\0';
                if (text_w(p, a) <= dw)
                    break;
                a[cut] = ' ';
                cut--;
            }
            if (cut == 0) {
                text_fit(p, dx, p->y, dw, e->detail);
            } else {
                text(p, dx, p->y, a);
                text_fit(p, dx, p->y + 10, dw, a + cut + 1);
            }
        }
        p->y += h - 14;
        hline(p, p->y, 0.4);
    }
    page_end(p);
}

/* ---- Documents -------------------------------------------------------------------------- */
static cairo_status_t write_file(void *closure, const unsigned char *data, unsigned int len)
{
    FILE *f = closure;
    return fwrite(data, 1, len, f) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

typedef void render_fn(struct pdf *p, const struct pl_plan *plan, const struct pl_wave *w);

static void render_wave_doc(struct pdf *p, const struct pl_plan *plan, const struct pl_wave *w)
{
    for (size_t b = 0; b < w->n_batches; b++)
        render_batch(p, plan, w, &w->batches[b]);
    render_staging(p, w);
}

static void render_exc_doc(struct pdf *p, const struct pl_plan *plan, const struct pl_wave *w)
{
    (void)w;
    render_exceptions(p, plan);
}

static int render_doc(const struct pl_plan *plan, const struct pl_wave *w,
                      const struct pl_doc *doc, const char *title, render_fn *fn, FILE *f,
                      struct sco_err *err)
{
    double W = doc->paper == PL_PAPER_LETTER ? 612.0 : 595.2756;
    double H = doc->paper == PL_PAPER_LETTER ? 792.0 : 841.8898;
    struct pdf p = { .doc = doc, .W = W, .H = H, .err = err };

    /* Pass 1: count pages on a surface that records nothing. */
    cairo_surface_t *meas = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    p.cr = cairo_create(meas);
    p.page = 1;
    fn(&p, plan, w);
    p.pages = p.page - 1;
    cairo_destroy(p.cr);
    cairo_surface_destroy(meas);
    if (p.rc)
        return p.rc;

    /* Pass 2: draw. */
    errno = 0;
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_file, f, W, H);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "sco picklist");
    p.cr = cairo_create(s);
    cairo_set_source_rgb(p.cr, 0, 0, 0);
    p.draw = true;
    p.page = 1;
    fn(&p, plan, w);
    cairo_destroy(p.cr);
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (p.rc)
        return p.rc;
    if (st != CAIRO_STATUS_SUCCESS)
        return sco_err_set(err, st == CAIRO_STATUS_WRITE_ERROR ? SCO_ERR_IO : SCO_ERR_INTERNAL,
                           "cairo: cannot write '%s': %s%s%s", title, cairo_status_to_string(st),
                           errno ? ": " : "", errno ? strerror(errno) : "");
    return 0;
}

int pl_render_wave_pdf(const struct pl_plan *plan, const struct pl_wave *w,
                       const struct pl_doc *doc, FILE *f, struct sco_err *err)
{
    char title[160];
    snprintf(title, sizeof title, "pick lists for route %s", w->route_id);
    return render_doc(plan, w, doc, title, render_wave_doc, f, err);
}

int pl_render_exceptions_pdf(const struct pl_plan *plan, const struct pl_doc *doc, FILE *f,
                             struct sco_err *err)
{
    return render_doc(plan, NULL, doc, "pick list exceptions", render_exc_doc, f, err);
}
