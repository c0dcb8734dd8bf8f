/* picklist-barcode.c: Code 128 through libzint (ZBarcode_Encode + ZBarcode_Buffer_Vector).
 * Zint's vector output gives the bars as rectangles; we keep them in module units so the
 * PDF (cairo) and the HTML (SVG) draw the same symbol at any size. */
#include <stdlib.h>
#include <string.h>

#include <zint.h>

#include "picklist-barcode.h"

void pl_barcode_fini(struct pl_barcode *bc)
{
    if (!bc)
        return;
    free(bc->bars);
    memset(bc, 0, sizeof *bc);
}

bool pl_barcode_ok(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if ((unsigned char)s[n] < 32 || (unsigned char)s[n] > 126)
            return false;
    return n > 0 && n <= PL_BARCODE_MAX;
}

int pl_barcode_make(const char *data, struct pl_barcode *bc, struct sco_err *err)
{
    memset(bc, 0, sizeof *bc);
    if (!data || !*data)
        return sco_err_set(err, SCO_ERR_INVALID, "cannot make a barcode of an empty value");
    if (!pl_barcode_ok(data))
        return sco_err_set(err, SCO_ERR_INVALID,
                           "cannot make a barcode of '%s': Code 128 here takes 1 to %d printable "
                           "ASCII characters; use plain ids",
                           data, PL_BARCODE_MAX);
    struct zint_symbol *sym = ZBarcode_Create();
    if (!sym)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory making barcode '%s'", data);
    int rc = 0;
    sym->symbology = BARCODE_CODE128;
    sym->show_hrt = 0; /* we print the value ourselves, in our font */
    sym->whitespace_width = PL_QUIET_MODULES;
    sym->height = 10;
    int zrc = ZBarcode_Encode(sym, (const unsigned char *)data, (int)strlen(data));
    if (zrc < ZINT_ERROR)
        zrc = ZBarcode_Buffer_Vector(sym, 0);
    if (zrc >= ZINT_ERROR || !sym->vector || sym->width <= 0) {
        rc = sco_err_set(err, SCO_ERR_INVALID, "zint: cannot encode '%s' as Code 128: %s", data,
                         sym->errtxt);
        goto out;
    }
    /* vector units per module: zint scales the whole symbol, quiet zones included */
    double total = (double)sym->width + 2.0 * PL_QUIET_MODULES;
    double unit = sym->vector->width / total;
    size_t n = 0;
    for (struct zint_vector_rect *r = sym->vector->rectangles; r; r = r->next)
        n++;
    bc->bars = malloc((n ? n : 1) * sizeof *bc->bars);
    if (!bc->bars) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory making barcode '%s'", data);
        goto out;
    }
    for (struct zint_vector_rect *r = sym->vector->rectangles; r; r = r->next) {
        if (r->colour > 0 && r->colour != 7) /* only foreground (black) bars */
            continue;
        bc->bars[bc->n_bars++] = (struct pl_bar){ r->x / unit, r->width / unit };
    }
    bc->modules = total;
out:
    ZBarcode_Delete(sym);
    return rc;
}
