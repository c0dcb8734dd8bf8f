/* render-fixture.c: writes the test fixture's pick lists (PDF per route, exceptions PDF, HTML)
 * into a folder, for the screenshot script and for looking at the output by eye.
 * usage: picklist-render-fixture DIR [a4|letter] [cart_max_kg] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "picklist-core.h"

static const struct pl_stock stock[] = { { "SKU-A", "WH1", 12 }, { "SKU-B", "WH1", 50 },
                                         { "SKU-C", "WH1", 99 }, { "SKU-D", "WH1", 99 },
                                         { "SKU-E", "WH1", 99 }, { "SKU-F", "WH1", 99 },
                                         { "SKU-G", "WH1", 99 }, { "SKU-H", "WH1", 99 },
                                         { "SKU-I", "WH1", 99 } };

static int emit(const char *dir, const char *name, const struct pl_plan *p,
                const struct pl_wave *w, const struct pl_doc *doc, int html)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    struct sco_err err = { 0 };
    int rc = html ? pl_render_html(p, doc, f, &err)
                  : w ? pl_render_wave_pdf(p, w, doc, f, &err)
                      : pl_render_exceptions_pdf(p, doc, f, &err);
    if (fclose(f) != 0 && rc == 0)
        rc = SCO_ERR_IO;
    if (rc) {
        fprintf(stderr, "picklist-render-fixture: %s: %s\n", path, err.msg);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: picklist-render-fixture DIR [a4|letter] [cart_max_kg]\n");
        return 64;
    }
    struct pl_input in = fx_input(fx_lines, SCO_COUNT(fx_lines));
    in.stock = stock;
    in.n_stock = SCO_COUNT(stock);
    struct pl_options o;
    memset(&o, 0, sizeof o);
    o.run_date = 20786;
    o.cart_max_kg = argc > 3 ? atof(argv[3]) : 0;
    struct pl_plan p;
    struct sco_err err = { 0 };
    if (pl_plan_build(&in, &o, &p, &err) != 0) {
        fprintf(stderr, "picklist-render-fixture: %s\n", err.msg);
        return 1;
    }
    struct pl_doc doc = { argc > 2 && strcmp(argv[2], "letter") == 0 ? PL_PAPER_LETTER
                                                                     : PL_PAPER_A4,
                          "20261129T054900Z-4242", 20786 };
    int bad = 0;
    for (size_t i = 0; i < p.n_waves; i++) {
        char name[64];
        pl_safe_name(p.waves[i].route_id, name, sizeof name - 4);
        strcat(name, ".pdf");
        bad |= emit(argv[1], name, &p, &p.waves[i], &doc, 0);
    }
    bad |= emit(argv[1], "exceptions.pdf", &p, NULL, &doc, 0);
    bad |= emit(argv[1], "picklists.html", &p, NULL, &doc, 1);
    pl_plan_free(&p);
    return bad;
}
