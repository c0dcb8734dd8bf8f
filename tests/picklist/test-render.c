/* test-render.c: the PDF renders (pdftoppm), its text holds every line in walking order
 * (pdftotext -layout), its barcodes decode back to their values (zbarimg), page numbers,
 * paper sizes, and the HTML view. The tools come from poppler-utils and zbar-tools
 * (scripts/deps test); a test is skipped, never failed, when its tool is missing. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "picklist-barcode.h"
#include "picklist-core.h"

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/picklist-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    if (getenv("PICKLIST_KEEP"))
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(picklist_render, .init = setup, .fini = teardown, .timeout = 60);

static const char *tool(const char *env, const char *name)
{
    const char *t = getenv(env);
    if (t && *t)
        return t;
    static char buf[4][256];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 256, "command -v %s >/dev/null 2>&1", name);
    if (system(b) != 0)
        return NULL;
    snprintf(b, 256, "%s", name);
    return b;
}

/* Runs cmd with the shell and returns its stdout (malloc'd). */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "popen %s", cmd);
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    size_t r;
    while ((r = fread(s + n, 1, cap - n - 1, p)) > 0) {
        n += r;
        if (cap - n < 1024) {
            cap *= 2;
            s = realloc(s, cap);
        }
    }
    s[n] = '\0';
    int st = pclose(p);
    cr_assert_eq(st, 0, "'%s' failed (status %d)", cmd, st);
    return s;
}

static void write_pdf(const struct pl_plan *p, const struct pl_wave *w, enum pl_paper paper,
                      const char *path)
{
    struct pl_doc doc = { paper, "20261129T054900Z-4242", 20786 };
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    struct sco_err err = { 0 };
    int rc = w ? pl_render_wave_pdf(p, w, &doc, f, &err) : pl_render_exceptions_pdf(p, &doc, f,
                                                                                  &err);
    cr_assert_eq(rc, 0, "render: %s", err.msg);
    cr_assert_eq(fclose(f), 0);
}

static void plan_of(const struct pl_input *in, double cart_kg, struct pl_plan *p)
{
    struct pl_options o;
    memset(&o, 0, sizeof o);
    o.run_date = 20786;
    o.cart_max_kg = cart_kg;
    struct sco_err err = { 0 };
    cr_assert_eq(pl_plan_build(in, &o, p, &err), 0, "%s", err.msg);
}

/* Asserts that needles appear in text in this order; returns the position after the last. */
static const char *expect_in_order(const char *text, const char *const *needles, size_t n)
{
    const char *at = text;
    for (size_t i = 0; i < n; i++) {
        const char *hit = strstr(at, needles[i]);
        cr_assert_not_null(hit, "'%s' (item %zu) missing or out of order", needles[i], i + 1);
        at = hit + strlen(needles[i]);
    }
    return at;
}

Test(picklist_render, pdf_text_has_every_line_in_walking_order)
{
    const char *pdftotext = tool("PDFTOTEXT", "pdftotext");
    if (!pdftotext)
        cr_skip_test("pdftotext not installed (poppler-utils)");
    static const struct pl_stock stock[] = { { "SKU-A", "WH1", 12 }, { "SKU-B", "WH1", 50 },
                                             { "SKU-C", "WH1", 99 }, { "SKU-D", "WH1", 99 },
                                             { "SKU-E", "WH1", 99 }, { "SKU-F", "WH1", 99 },
                                             { "SKU-G", "WH1", 99 }, { "SKU-H", "WH1", 99 },
                                             { "SKU-I", "WH1", 99 } };
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    in.stock = stock;
    in.n_stock = SCO_COUNT(stock);
    struct pl_plan p;
    plan_of(&in, 0, &p);
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/R1.pdf", tmpdir);
    write_pdf(&p, &p.waves[0], PL_PAPER_A4, path);
    snprintf(cmd, sizeof cmd, "'%s' -layout '%s' -", pdftotext, path);
    char *txt = run(cmd);

    const char *head[] = { "PICK LIST 20261129-R1-1", "Route R1",
                           "Vehicle V01", "Date 2026-11-29",
                           "Warehouse WH1 - North DC", "Run 20261129T054900Z-4242",
                           "Cart 1 of 1", "walk: serpentine" };
    expect_in_order(txt, head, SCO_COUNT(head));
    /* every line: its bin then its SKU, in the serpentine order of the fixture */
    const struct pl_batch *b = &p.waves[0].batches[0];
    const char *at = txt;
    for (size_t i = 0; i < b->n_picks; i++) {
        const char *pair[] = { b->picks[i].bin->bin, b->picks[i].sku };
        at = expect_in_order(at, pair, 2);
    }
    /* SKU-A: 15 asked, 12 on hand: 2 cases, short 3, the split per order and stop shown */
    const char *a_line[] = { "A-01-01-1", "SKU-A", "2 cs", "O1 s1: 7", "O2 s2: 5 (short 2)",
                             "O3 s3: 0 (short 1)", "SHORT 3" };
    cr_expect(strstr(txt, a_line[0]) && strstr(txt, "SHORT 3") && strstr(txt, "2 cs"));
    cr_expect(strstr(txt, a_line[3]) != NULL, "%s", txt);
    cr_expect(strstr(txt, a_line[4]) != NULL);
    cr_expect(strstr(txt, a_line[5]) != NULL);
    /* the staging sheet follows, last stop first */
    const char *stage[] = { "STAGING SHEET R1", "last stop first", "O3", "O2", "O1" };
    at = expect_in_order(at, stage, SCO_COUNT(stage));
    /* the staging sheet is the last page: "page N of N" */
    const char *last = strstr(at, "page ");
    cr_assert_not_null(last);
    int k = 0, n = 0;
    cr_assert_eq(sscanf(last, "page %d of %d", &k, &n), 2);
    cr_expect_eq(k, n);
    cr_expect_geq(n, 2);
    cr_expect(strstr(txt, "page 1 of ") != NULL);
    free(txt);
    pl_plan_free(&p);
}

Test(picklist_render, barcodes_decode_to_their_values)
{
    const char *pdftoppm = tool("PDFTOPPM", "pdftoppm"), *zbarimg = tool("ZBARIMG", "zbarimg");
    if (!pdftoppm || !zbarimg)
        cr_skip_test("pdftoppm (poppler-utils) or zbarimg (zbar-tools) not installed");
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    struct pl_plan p;
    plan_of(&in, 0, &p);
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/R1.pdf", tmpdir);
    write_pdf(&p, &p.waves[0], PL_PAPER_A4, path);
    snprintf(cmd, sizeof cmd, "'%s' -r 200 -gray -png '%s' '%s/page'", pdftoppm, path,
             tmpdir);
    free(run(cmd));
    snprintf(cmd, sizeof cmd, "'%s' -q -Sdisable -Scode128.enable '%s'/page*.png; s=$?; "
             "[ $s -eq 0 ] || [ $s -eq 4 ]", /* 4: a page without barcodes (staging) */
             zbarimg, tmpdir);
    char *codes = run(cmd);
    const struct pl_batch *b = &p.waves[0].batches[0];
    char want[96];
    snprintf(want, sizeof want, "CODE-128:%s\n", b->picklist_id);
    cr_expect(strstr(codes, want) != NULL, "no '%s' in:\n%s", b->picklist_id, codes);
    for (size_t i = 0; i < b->n_picks; i++) {
        snprintf(want, sizeof want, "CODE-128:%s\n", b->picks[i].bin->bin);
        cr_expect(strstr(codes, want) != NULL, "bin '%s' not decoded:\n%s", b->picks[i].bin->bin,
                  codes);
        snprintf(want, sizeof want, "CODE-128:%s\n", b->picks[i].sku);
        cr_expect(strstr(codes, want) != NULL, "sku '%s' not decoded:\n%s", b->picks[i].sku,
                  codes);
    }
    /* and nothing decodes to a value we did not print */
    size_t n = 0;
    for (const char *s = codes; (s = strstr(s, "CODE-128:")) != NULL; s++)
        n++;
    cr_expect_eq(n, 1 + 2 * b->n_picks, "decoded:\n%s", codes);
    free(codes);
    pl_plan_free(&p);
}

/* A bigger world: 60 SKUs, one bin each, 3 zones x 5 aisles x 4 bays, all in order O1. */
struct big {
    char sku[60][16], name[60][48], bin[60][16], zone[60][4], aisle[60][4], bay[60][4];
    struct pl_item items[60];
    struct pl_bin bins[60];
    struct pl_order_line lines[60];
};

static void big_world(struct big *g, struct pl_input *in)
{
    for (int i = 0; i < 60; i++) {
        snprintf(g->sku[i], 16, "SKU-%03d", (i * 37) % 60);
        snprintf(g->name[i], 48, "Test item number %d with a long description", i);
        snprintf(g->zone[i], 4, "%c", 'A' + i / 20);
        snprintf(g->aisle[i], 4, "%d", 1 + (i % 20) / 4);
        snprintf(g->bay[i], 4, "%d", 1 + i % 4);
        snprintf(g->bin[i], 16, "%s-%02d-%02d-1", g->zone[i], atoi(g->aisle[i]), atoi(g->bay[i]));
        g->items[i] = (struct pl_item){ g->sku[i], g->name[i], 6, 1.0, 1.0 };
        g->bins[i] = (struct pl_bin){ "WH1", g->bin[i], g->zone[i], g->aisle[i], g->bay[i], "1",
                                      g->sku[i] };
        g->lines[i] = (struct pl_order_line){ i % 3 == 0 ? "O2" : "O1", g->sku[i], 1 + i % 9,
                                              NULL };
    }
    *in = fx_input(g->lines, 60);
    in->items = g->items;
    in->n_items = 60;
    in->bins = g->bins;
    in->n_bins = 60;
}

Test(picklist_render, multi_page_numbers_and_letter_paper)
{
    const char *pdftotext = tool("PDFTOTEXT", "pdftotext"), *pdfinfo = tool("PDFINFO", "pdfinfo");
    if (!pdftotext || !pdfinfo)
        cr_skip_test("pdftotext/pdfinfo not installed (poppler-utils)");
    static struct big g;
    struct pl_input in;
    big_world(&g, &in);
    struct pl_plan p;
    plan_of(&in, 0, &p);
    const struct pl_batch *b = &p.waves[0].batches[0];
    cr_assert_eq(b->n_picks, 60);
    char path[128], cmd[512];
    for (int paper = 0; paper < 2; paper++) {
        snprintf(path, sizeof path, "%s/big-%d.pdf", tmpdir, paper);
        write_pdf(&p, &p.waves[0], paper ? PL_PAPER_LETTER : PL_PAPER_A4, path);
        snprintf(cmd, sizeof cmd, "'%s' '%s'", pdfinfo, path);
        char *info = run(cmd);
        cr_expect(strstr(info, paper ? "612 x 792 pts (letter)" : "595.276 x 841.89 pts (A4)"),
                  "%s", info);
        char *pages = strstr(info, "Pages:");
        cr_assert_not_null(pages);
        int n = atoi(pages + 6);
        cr_expect_geq(n, 5, "60 lines with barcodes need several pages");
        free(info);
        snprintf(cmd, sizeof cmd, "'%s' -layout '%s' -", pdftotext, path);
        char *txt = run(cmd);
        const char *at = txt;
        for (size_t i = 0; i < b->n_picks; i++) {
            const char *pair[] = { b->picks[i].bin->bin, b->picks[i].sku };
            at = expect_in_order(at, pair, 2);
        }
        for (int k = 1; k <= n; k++) {
            char pg[32];
            snprintf(pg, sizeof pg, "page %d of %d", k, n);
            cr_expect(strstr(txt, pg) != NULL, "no '%s'", pg);
        }
        /* the header repeats on every page of the pick list */
        size_t heads = 0;
        for (const char *s = txt; (s = strstr(s, "PICK LIST 20261129-R1-1")) != NULL; s++)
            heads++;
        cr_expect_eq(heads, (size_t)n - 1, "one staging page, the rest pick list pages");
        free(txt);
    }
    pl_plan_free(&p);
}

Test(picklist_render, exceptions_pdf_lists_every_exception)
{
    const char *pdftotext = tool("PDFTOTEXT", "pdftotext");
    if (!pdftotext)
        cr_skip_test("pdftotext not installed (poppler-utils)");
    static const struct pl_stock stock[] = { { "SKU-A", "WH1", 3 } };
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    in.stock = stock;
    in.n_stock = 1;
    struct pl_plan p;
    plan_of(&in, 0, &p);
    cr_assert_gt(p.n_exceptions, 10);
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/exceptions.pdf", tmpdir);
    write_pdf(&p, NULL, PL_PAPER_A4, path);
    snprintf(cmd, sizeof cmd, "'%s' -layout '%s' -", pdftotext, path);
    char *txt = run(cmd);
    const char *at = txt;
    for (size_t i = 0; i < p.n_exceptions; i++) {
        const struct pl_exception *e = &p.exceptions[i];
        const char *row[] = { pl_exc_kind_name(e->kind), e->order_id, *e->sku ? e->sku : "-" };
        at = expect_in_order(at, row, 3);
    }
    cr_expect(strstr(txt, "not_routed") && strstr(txt, "O5"));
    free(txt);
    pl_plan_free(&p);
}

Test(picklist_render, html_view_is_self_contained)
{
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    struct pl_plan p;
    plan_of(&in, 20, &p);
    struct pl_doc doc = { PL_PAPER_LETTER, "run-<1>", 20786 };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    struct sco_err err = { 0 };
    cr_assert_eq(pl_render_html(&p, &doc, f, &err), 0, "%s", err.msg);
    cr_assert_eq(fclose(f), 0);
    cr_expect(strncmp(buf, "<!DOCTYPE html>", 15) == 0);
    cr_expect(strstr(buf, "@media print") && strstr(buf, "size:letter portrait"));
    cr_expect(strstr(buf, "run-&lt;1&gt;") != NULL, "run id must be escaped");
    cr_expect_null(strstr(buf, "<script"));
    cr_expect_null(strstr(buf, "src="));
    cr_expect_null(strstr(buf, "<link"));
    /* every cart's pick list, every line in order with its barcodes, then the staging sheet */
    const struct pl_wave *w = &p.waves[0];
    cr_assert_gt(w->n_batches, 1);
    const char *at = buf;
    for (size_t b = 0; b < w->n_batches; b++) {
        const struct pl_batch *bt = &w->batches[b];
        char id[80];
        snprintf(id, sizeof id, "<h1>PICK LIST %s</h1>", bt->picklist_id);
        const char *h[] = { id, "<svg" };
        at = expect_in_order(at, h, 2);
        for (size_t i = 0; i < bt->n_picks; i++) {
            char t1[64], t2[64];
            snprintf(t1, sizeof t1, "<title>%s</title>", bt->picks[i].bin->bin);
            snprintf(t2, sizeof t2, "<title>%s</title>", bt->picks[i].sku);
            const char *pair[] = { t1, t2 };
            at = expect_in_order(at, pair, 2);
        }
    }
    const char *tail[] = { "STAGING SHEET R1", "O3", "O2", "O1", "STAGING SHEET R2",
                           "EXCEPTIONS" };
    expect_in_order(at, tail, SCO_COUNT(tail));
    free(buf);
    pl_plan_free(&p);
}

Test(picklist_render, many_orders_on_a_line_are_all_printed)
{
    const char *pdftotext = tool("PDFTOTEXT", "pdftotext");
    if (!pdftotext)
        cr_skip_test("pdftotext not installed (poppler-utils)");
    /* no routes: one wave for WH1 with 40 orders that all want SKU-A and SKU-C */
    static char ids[40][8];
    static struct pl_order orders[40];
    static struct pl_order_line lines[80];
    for (int i = 0; i < 40; i++) {
        snprintf(ids[i], sizeof ids[i], "Q%02d", i + 1);
        orders[i] = (struct pl_order){ ids[i], "C1", "WH1", "", "", false, 0 };
        lines[2 * i] = (struct pl_order_line){ ids[i], "SKU-A", 1 + i % 3, NULL };
        lines[2 * i + 1] = (struct pl_order_line){ ids[i], "SKU-C", 2, NULL };
    }
    struct pl_input in = fx_input(lines, 80);
    in.stops = NULL;
    in.n_stops = 0;
    in.orders = orders;
    in.n_orders = 40;
    struct pl_plan p;
    plan_of(&in, 0, &p);
    cr_assert_eq(p.n_waves, 1);
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/WH1.pdf", tmpdir);
    write_pdf(&p, &p.waves[0], PL_PAPER_A4, path);
    snprintf(cmd, sizeof cmd, "'%s' -layout '%s' -", pdftotext, path);
    char *txt = run(cmd);
    cr_expect(strstr(txt, "Wave WH1 (not routed)") != NULL);
    /* SKU-A's line, then all 40 orders with their units, then SKU-C's line and its 40 */
    const char *at = txt;
    const char *a[] = { "A-01-01-1", "SKU-A", "40 orders," };
    at = expect_in_order(at, a, 3);
    for (int i = 0; i < 40; i++) {
        char want[24];
        snprintf(want, sizeof want, "Q%02d: %d", i + 1, 1 + i % 3);
        const char *one[] = { want };
        at = expect_in_order(at, one, 1);
    }
    const char *c[] = { "A-02-01-1", "SKU-C", "40 orders," };
    at = expect_in_order(at, c, 3);
    for (int i = 0; i < 40; i++) {
        char want[24];
        snprintf(want, sizeof want, "Q%02d: 2", i + 1);
        const char *one[] = { want };
        at = expect_in_order(at, one, 1);
    }
    free(txt);
    pl_plan_free(&p);
}

Test(picklist_render, value_without_barcode_is_printed_as_text)
{
    const char *pdftotext = tool("PDFTOTEXT", "pdftotext");
    if (!pdftotext)
        cr_skip_test("pdftotext not installed (poppler-utils)");
    static const struct pl_item items[] = { { "SKU-\xc3\x84PFEL", "\xc3\x84pfel 1 kg", 1, 1, 1 } };
    static const struct pl_bin bins[] = { { "WH1", "A-01-01-1", "A", "1", "1", "1",
                                            "SKU-\xc3\x84PFEL" } };
    static const struct pl_order_line lines[] = { { "O1", "SKU-\xc3\x84PFEL", 3, NULL } };
    cr_expect_not(pl_barcode_ok("SKU-\xc3\x84PFEL"));
    cr_expect(pl_barcode_ok("A-01-01-1"));
    struct pl_input in = fx_input(lines, 1);
    in.items = items;
    in.n_items = 1;
    in.bins = bins;
    in.n_bins = 1;
    struct pl_plan p;
    plan_of(&in, 0, &p);
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/R1.pdf", tmpdir);
    write_pdf(&p, &p.waves[0], PL_PAPER_A4, path);
    snprintf(cmd, sizeof cmd, "'%s' -layout '%s' -", pdftotext, path);
    char *txt = run(cmd);
    const char *want[] = { "A-01-01-1", "SKU-\xc3\x84PFEL", "\xc3\x84pfel 1 kg" };
    expect_in_order(txt, want, 3);
    free(txt);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct pl_doc doc = { PL_PAPER_A4, "r", 20786 };
    struct sco_err err = { 0 };
    cr_expect_eq(pl_render_html(&p, &doc, f, &err), 0, "%s", err.msg);
    fclose(f);
    cr_expect(strstr(buf, "<title>A-01-01-1</title>") != NULL);
    cr_expect_null(strstr(buf, "<title>SKU-\xc3\x84PFEL</title>"));
    free(buf);
    pl_plan_free(&p);
}
