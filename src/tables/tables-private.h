/* tables-private.h: shared between the files of src/tables/, not for the host. */
#ifndef SCO_TABLES_PRIVATE_H
#define SCO_TABLES_PRIVATE_H

#include <locale.h>

#include "sco-tables.h"

/* Cell positions: (line offset from the row's line) << 20 | column, both saturating. */
#define SCO__POS_COL_BITS 20
#define SCO__POS_COL_MAX ((1u << SCO__POS_COL_BITS) - 1)
#define SCO__POS_LINE_MAX ((1u << (32 - SCO__POS_COL_BITS)) - 1)

/* The one "" every null string cell points at. */
extern const char sco__empty_str[1];

/* A table with n_cols zeroed columns (names and types to be filled), no origin. */
struct sco_table *sco__table_alloc(const char *name, size_t n_cols, struct sco_err *err);
/* Makes room for `want` rows in every column array (and pos/line when present). */
int sco__table_reserve(struct sco_table *t, size_t want, struct sco_err *err);

/* The "C" locale, for number parsing and printing that ignores the process locale.
 * (locale_t)0 if it could not be made (then the current locale is used). */
locale_t sco__c_locale(void);

#endif
