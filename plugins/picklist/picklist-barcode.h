/* picklist-barcode.h: Code 128 symbols from libzint's vector output, drawn as bars. */
#ifndef SCO_PICKLIST_BARCODE_H
#define SCO_PICKLIST_BARCODE_H

#include <stdbool.h>
#include <stddef.h>

#include <sco/sco-plugin.h>

#define PL_QUIET_MODULES 10 /* quiet zone each side, in modules (Code 128 asks for 10) */

struct pl_bar {
    double x, w; /* in modules, from the left edge of the quiet zone */
};

struct pl_barcode {
    struct pl_bar *bars; /* malloc'd; pl_barcode_fini frees */
    size_t n_bars;
    double modules; /* total width in modules, quiet zones included */
};

#define PL_BARCODE_MAX 80 /* longest value we barcode (a scannable width on paper) */

/* True when `s` can be a barcode here: 1..PL_BARCODE_MAX printable ASCII characters. Values
 * that cannot (e.g. a SKU with an umlaut) are printed as text only. */
bool pl_barcode_ok(const char *s);

/* Encodes `data` (printable ASCII) as Code 128 with libzint. Returns 0, SCO_ERR_INVALID
 * (zint's message kept) or SCO_ERR_NOMEM. */
int pl_barcode_make(const char *data, struct pl_barcode *bc, struct sco_err *err);
void pl_barcode_fini(struct pl_barcode *bc); /* NULL: no-op */

#endif
