/* picklist-html.c: one self-contained HTML page with every pick list, staging sheet and the
 * exceptions: inline CSS (with a print stylesheet, one sheet per page) and Code 128 barcodes
 * as inline SVG drawn from libzint's vector output. No scripts, no external resources. */
#include <errno.h>
#include <string.h>

#include "picklist-barcode.h"
#include "picklist-core.h"

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Inline SVG of `data` as Code 128, `mm` millimetres per module, `h` mm high. */
static int svg_barcode(FILE *f, const char *data, double mm, double h, struct sco_err *err)
{
    struct pl_barcode bc;
    if (!pl_barcode_ok(data))
        return 0; /* text only; the plugin warns about such values */
    int rc = pl_barcode_make(data, &bc, err);
    if (rc)
        return rc;
    fprintf(f,
            "<svg class=\"bc\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
            "width=\"%.2fmm\" height=\"%.2fmm\" viewBox=\"0 0 %g 10\" "
            "preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\"><title>",
            bc.modules * mm, h, bc.modules);
    esc(f, data);
    fprintf(f, "</title><rect width=\"%g\" height=\"10\" fill=\"#fff\"/><path d=\"", bc.modules);
    for (size_t i = 0; i < bc.n_bars; i++)
        fprintf(f, "M%g 0h%gv10h-%gz", bc.bars[i].x, bc.bars[i].w, bc.bars[i].w);
    fputs("\" fill=\"#000\"/></svg>", f);
    pl_barcode_fini(&bc);
    return 0;
}

static const char *css =
    "*{box-sizing:border-box}"
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;padding:16px;background:#eee;"
    "color:#000}"
    "nav{max-width:210mm;margin:0 auto 12px auto;font-size:14px}"
    "nav a{margin-right:10px}"
    ".sheet{background:#fff;max-width:210mm;margin:0 auto 16px auto;padding:10mm;"
    "box-shadow:0 1px 4px rgba(0,0,0,.3)}"
    ".head{display:flex;justify-content:space-between;align-items:flex-start;"
    "border-bottom:2px solid #000;padding-bottom:6px;margin-bottom:6px}"
    "h1{font-size:26px;margin:0 0 6px 0}"
    ".info{font-size:15px;line-height:1.45}.info b{font-size:16px}"
    ".sort{font-size:13px;color:#222}"
    ".idcode{text-align:center;font-weight:bold;font-size:13px}"
    "table{width:100%;border-collapse:collapse}table.picks{table-layout:fixed}"
    "th{text-align:left;font-size:12px;border-bottom:1.5px solid #000;padding:4px 3px}"
    "td{vertical-align:top;border-bottom:1px solid #999;padding:6px 3px;font-size:14px}"
    ".tick{width:22px;height:22px;border:2px solid #000;display:inline-block}"
    ".bin,.sku{font-weight:bold;font-size:19px;display:block;margin-bottom:3px}"
    ".sku{font-size:17px}"
    ".loc,.name{font-size:12px;display:block;margin-top:2px}.name{font-size:13px}"
    ".loc{font-size:11px;white-space:nowrap;overflow:hidden}"
    ".qty{font-size:19px;font-weight:bold;white-space:nowrap}"
    ".sub{font-size:12px;color:#222}"
    ".short{border:2px solid #000;font-weight:bold;padding:0 3px;display:inline-block;"
    "margin-top:3px;background:#ffe3e3}"
    ".orders{font-size:13px}"
    "svg.bc{display:block;max-width:100%}"
    ".stage td{font-size:15px}"
    "@media print{"
    "body{background:#fff;padding:0}nav{display:none}"
    ".sheet{box-shadow:none;margin:0;padding:0;max-width:none;break-after:page;"
    "page-break-after:always}"
    "tr{break-inside:avoid;page-break-inside:avoid}"
    "thead{display:table-header-group}"
    ".short{background:none}}";

static void info_line(FILE *f, const struct pl_wave *w, const char *date)
{
    fputs("<div class=\"info\"><b>Warehouse ", f);
    esc(f, w->warehouse);
    if (*w->warehouse_name) {
        fputs(" - ", f);
        esc(f, w->warehouse_name);
    }
    fprintf(f, "</b> &nbsp; Date %s &nbsp; ", date);
    if (w->routed) {
        fputs("Route <b>", f);
        esc(f, w->route_id);
        fputs("</b>", f);
    } else {
        fputs("Wave <b>(not routed)</b>", f);
    }
    if (*w->vehicle) {
        fputs(" &nbsp; Vehicle <b>", f);
        esc(f, w->vehicle);
        fputs("</b>", f);
    }
    fputs("</div>", f);
}

static int html_batch(FILE *f, const struct pl_plan *plan, const struct pl_wave *w,
                      const struct pl_batch *b, const struct pl_doc *doc, const char *date,
                      struct sco_err *err)
{
    fputs("<section class=\"sheet pick\" id=\"", f);
    esc(f, b->picklist_id);
    fputs("\"><div class=\"head\"><div><h1>PICK LIST ", f);
    esc(f, b->picklist_id);
    fputs("</h1>", f);
    info_line(f, w, date);
    fprintf(f,
            "<div class=\"info\">Cart %d of %d &nbsp; %zu lines &nbsp; %lld units &nbsp; "
            "%.1f kg &nbsp; %.1f l%s</div>",
            b->index, b->count, b->n_picks, (long long)b->units, b->kg, b->l,
            b->over_limit ? " &nbsp; <b>OVER CART LIMIT</b>" : "");
    fprintf(f, "<div class=\"sort\">%s &nbsp; Run ", pl_sort_description(plan->sort));
    esc(f, doc->run_id);
    fputs("</div></div><div class=\"idcode\">", f);
    int rc = svg_barcode(f, b->picklist_id, 0.33, 12, err);
    if (rc)
        return rc;
    esc(f, b->picklist_id);
    fputs("</div></div>\n<table class=\"picks\"><colgroup><col style=\"width:7%\">"
          "<col style=\"width:4%\"><col style=\"width:26%\"><col style=\"width:27%\">"
          "<col style=\"width:14%\"><col style=\"width:22%\"></colgroup>"
          "<thead><tr><th>Done</th><th>#</th><th>Bin</th>"
          "<th>SKU / description</th><th>Quantity</th><th>Orders (s = stop): units</th></tr>"
          "</thead><tbody>\n",
          f);
    if (b->n_picks == 0)
        fputs("<tr><td colspan=\"6\">Nothing to pick on this route.</td></tr>\n", f);
    for (size_t i = 0; i < b->n_picks; i++) {
        const struct pl_pick *k = &b->picks[i];
        fprintf(f, "<tr><td><span class=\"tick\"></span></td><td><b>%d</b></td><td>", k->line);
        if (k->bin) {
            fputs("<span class=\"bin\">", f);
            esc(f, k->bin->bin);
            fputs("</span>", f);
            rc = svg_barcode(f, k->bin->bin, 0.28, 8, err);
            if (rc)
                return rc;
            fputs("<span class=\"loc\">zone ", f);
            esc(f, k->bin->zone);
            fputs(" &middot; aisle ", f);
            esc(f, k->bin->aisle);
            fputs(" &middot; bay ", f);
            esc(f, k->bin->bay);
            fputs(" &middot; level ", f);
            esc(f, k->bin->level);
            fputs("</span>", f);
        } else {
            fputs("<span class=\"bin\">NO BIN</span><span class=\"loc\">not in bins: ask the "
                  "supervisor</span>",
                  f);
        }
        fputs("</td><td><span class=\"sku\">", f);
        esc(f, k->sku);
        fputs("</span>", f);
        rc = svg_barcode(f, k->sku, 0.28, 8, err);
        if (rc)
            return rc;
        fputs("<span class=\"name\">", f);
        esc(f, k->name);
        fputs("</span></td><td><span class=\"qty\">", f);
        if (k->case_pack > 1 && k->cases > 0) {
            fprintf(f, "%lld cs", (long long)k->cases);
            if (k->loose > 0)
                fprintf(f, "</span><br><span class=\"qty\" style=\"font-size:15px\">+ %lld %s",
                        (long long)k->loose, k->loose == 1 ? "unit" : "units");
        } else {
            fprintf(f, "%lld %s", (long long)k->units, k->units == 1 ? "unit" : "units");
        }
        fprintf(f, "</span><br><span class=\"sub\">= %lld u, %lld/cs</span>", (long long)k->units,
                (long long)k->case_pack);
        if (k->short_units > 0)
            fprintf(f, "<br><span class=\"short\">SHORT %lld</span>", (long long)k->short_units);
        if (k->flags & PL_PICK_SPLIT)
            fputs("<br><span class=\"sub\">split over carts</span>", f);
        fputs("</td><td class=\"orders\">", f);
        for (size_t a = 0; a < k->n_allocs; a++) {
            const struct pl_alloc *al = &k->allocs[a];
            if (a)
                fputs(", ", f);
            esc(f, al->order_id);
            if (al->stop > 0)
                fprintf(f, " s%lld", (long long)al->stop);
            fprintf(f, ": %lld", (long long)al->units);
            if (al->short_units > 0)
                fprintf(f, " <b>(short %lld)</b>", (long long)al->short_units);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
    return 0;
}

static void html_staging(FILE *f, const struct pl_wave *w, const struct pl_doc *doc,
                         const char *date)
{
    int64_t parcels = 0;
    for (size_t i = 0; i < w->n_staging; i++)
        parcels += w->staging[i].parcels;
    fputs("<section class=\"sheet stage\" id=\"staging-", f);
    esc(f, w->route_id);
    fputs("\"><div class=\"head\"><div><h1>STAGING SHEET ", f);
    esc(f, w->route_id);
    fputs("</h1>", f);
    info_line(f, w, date);
    fprintf(f, "<div class=\"info\">%zu orders &nbsp; %lld parcels &nbsp; %.1f kg &nbsp; "
               "%.1f l</div><div class=\"sort\">%s &nbsp; Run ",
            w->n_staging, (long long)parcels, w->kg, w->l,
            w->routed ? "Load in this order: last stop first, first stop nearest the door"
                      : "Not routed: orders by id");
    esc(f, doc->run_id);
    fputs("</div></div></div>\n<table><thead><tr><th>Load</th><th>Stop</th><th>Order</th>"
          "<th>Customer</th><th>Time window</th><th>ETA</th><th>Parcels</th><th>Weight kg</th>"
          "<th>Vol l</th><th>Lines</th><th>Staged</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < w->n_staging; i++) {
        const struct pl_stage_row *r = &w->staging[i];
        fprintf(f, "<tr><td><b>%zu</b></td><td>", i + 1);
        if (r->stop > 0)
            fprintf(f, "%lld", (long long)r->stop);
        else
            fputs("-", f);
        fputs("</td><td><b>", f);
        esc(f, r->order_id);
        fputs("</b></td><td>", f);
        esc(f, r->customer);
        fputs("</td><td>", f);
        if (*r->tw_start || *r->tw_end) {
            esc(f, r->tw_start);
            fputs("-", f);
            esc(f, r->tw_end);
        } else {
            fputs("-", f);
        }
        fputs("</td><td>", f);
        esc(f, *r->arrival ? r->arrival : "-");
        fprintf(f, "</td><td>%lld</td><td>%.1f</td><td>%.1f</td><td>%d%s</td>"
                   "<td><span class=\"tick\"></span></td></tr>\n",
                (long long)r->parcels, r->kg, r->l, r->lines, r->short_lines ? " <b>SHORT</b>" : "");
    }
    fputs("</tbody></table></section>\n", f);
}

static void html_exceptions(FILE *f, const struct pl_plan *plan, const struct pl_doc *doc,
                            const char *date)
{
    fprintf(f, "<section class=\"sheet exc\" id=\"exceptions\"><div class=\"head\"><div>"
               "<h1>EXCEPTIONS</h1><div class=\"info\">Date %s &nbsp; %zu exceptions &nbsp; Run ",
            date, plan->n_exceptions);
    esc(f, doc->run_id);
    fputs("</div><div class=\"sort\">Orders below cannot be completed as planned; resolve "
          "before loading</div></div></div>\n",
          f);
    if (plan->n_exceptions == 0) {
        fputs("<p>No exceptions: every order can be picked in full.</p></section>\n", f);
        return;
    }
    fputs("<table><thead><tr><th>Kind</th><th>Order</th><th>Route</th><th>WH</th><th>SKU</th>"
          "<th>Ordered</th><th>Picked</th><th>Short</th><th>Detail</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < plan->n_exceptions; i++) {
        const struct pl_exception *e = &plan->exceptions[i];
        bool qty = e->kind != PL_EXC_NO_LINES && e->kind != PL_EXC_NOT_ROUTED;
        fprintf(f, "<tr><td><b>%s</b></td><td><b>", pl_exc_kind_name(e->kind));
        esc(f, e->order_id);
        fputs("</b></td><td>", f);
        esc(f, *e->route_id ? e->route_id : "-");
        fputs("</td><td>", f);
        esc(f, e->warehouse);
        fputs("</td><td>", f);
        esc(f, *e->sku ? e->sku : "-");
        if (qty)
            fprintf(f, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>", (long long)e->ordered,
                    (long long)e->picked, (long long)e->short_units);
        else
            fputs("</td><td>-</td><td>-</td><td>-</td><td>", f);
        esc(f, e->detail);
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></section>\n", f);
}

int pl_render_html(const struct pl_plan *plan, const struct pl_doc *doc, FILE *f,
                   struct sco_err *err)
{
    char date[11];
    pl_format_date(doc->run_date, date);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>Pick lists %s</title>\n<style>",
            date);
    fputs(css, f);
    fprintf(f, "@page{size:%s;margin:10mm}",
            doc->paper == PL_PAPER_LETTER ? "letter portrait" : "A4 portrait");
    fputs("</style></head><body>\n<nav>", f);
    for (size_t i = 0; i < plan->n_waves; i++) {
        const struct pl_wave *w = &plan->waves[i];
        for (size_t b = 0; b < w->n_batches; b++) {
            fputs("<a href=\"#", f);
            esc(f, w->batches[b].picklist_id);
            fputs("\">", f);
            esc(f, w->batches[b].picklist_id);
            fputs("</a>", f);
        }
    }
    fprintf(f, "<a href=\"#exceptions\">exceptions (%zu)</a></nav>\n", plan->n_exceptions);
    for (size_t i = 0; i < plan->n_waves; i++) {
        const struct pl_wave *w = &plan->waves[i];
        for (size_t b = 0; b < w->n_batches; b++) {
            int rc = html_batch(f, plan, w, &w->batches[b], doc, date, err);
            if (rc)
                return rc;
        }
        html_staging(f, w, doc, date);
    }
    html_exceptions(f, plan, doc, date);
    fputs("</body></html>\n", f);
    if (ferror(f))
        return sco_err_set(err, SCO_ERR_IO, "cannot write the pick list html: %s",
                           strerror(errno ? errno : EIO));
    return 0;
}
