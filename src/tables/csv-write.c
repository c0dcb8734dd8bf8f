/* csv-write.c: a table as RFC 4180 CSV, numbers that read back exactly. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sco-tables.h"
#include "tables-private.h"

/* Decimal text of v into buf (at least 21 bytes); returns buf. */
static char *i64_format(int64_t v, char *buf)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t w = 0;
    if (v < 0)
        buf[w++] = '-';
    while (n)
        buf[w++] = tmp[--n];
    buf[w] = '\0';
    return buf;
}

char *sco__f64_format(double x, char buf[32])
{
    /* Whole numbers below 2^53 print exactly as integers: quick, and what %.15g would give. */
    if (x == trunc(x) && fabs(x) < 1e15 && !(x == 0 && signbit(x)))
        return i64_format((int64_t)x, buf);
    if (isnan(x)) {
        buf[0] = '\0';
        return buf;
    }
    if (isinf(x)) {
        strcpy(buf, x > 0 ? "inf" : "-inf");
        return buf;
    }
    locale_t c = sco__c_locale(), old = c ? uselocale(c) : (locale_t)0;
    snprintf(buf, 32, "%.15g", x);
    double back = strtod(buf, NULL);
    if (memcmp(&back, &x, sizeof x) != 0)
        snprintf(buf, 32, "%.17g", x);
    if (c)
        uselocale(old);
    return buf;
}

static void put_str(FILE *f, const char *s, bool quote_empty, bool quote)
{
    if (!*s) {
        if (quote_empty)
            fputs_unlocked("\"\"", f);
        return;
    }
    if (!quote && !strpbrk(s, ",\"\r\n")) {
        fputs_unlocked(s, f);
        return;
    }
    putc_unlocked('"', f);
    for (; *s; s++) {
        if (*s == '"')
            putc_unlocked('"', f);
        putc_unlocked(*s, f);
    }
    putc_unlocked('"', f);
}

int sco__csv_write_stream(const struct sco_table *t, FILE *f, const char *what,
                          struct sco_err *err)
{
    if (!t || !f)
        return sco_err_set(err, SCO_ERR_INVALID, "csv_write: bad arguments");
    if (!what)
        what = "<stream>";
    if (t->n_cols == 0)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "cannot write table '%s' as CSV to '%s': it has no columns", t->name,
                           what);
    /* A one-column table writes an empty value as "" so that the row is not a blank line. */
    const bool quote_empty = t->n_cols == 1;
    char buf[40];
    flockfile(f);
    for (size_t c = 0; c < t->n_cols; c++) {
        if (c)
            putc_unlocked(',', f);
        /* A first name starting with U+FEFF would be read back as a byte order mark. */
        bool bom = c == 0 && strncmp(t->cols[c].name, "\xEF\xBB\xBF", 3) == 0;
        put_str(f, t->cols[c].name, quote_empty, bom);
    }
    putc_unlocked('\n', f);
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const struct sco_col *col = &t->cols[c];
            if (c)
                putc_unlocked(',', f);
            const char *s = buf;
            switch (col->type) {
            case SCO_COL_I64:
                if (col->i64[r] == SCO_NULL_I64)
                    buf[0] = '\0';
                else
                    i64_format(col->i64[r], buf);
                break;
            case SCO_COL_F64: sco__f64_format(col->f64[r], buf); break;
            case SCO_COL_DATE: sco_date_format(col->i64[r], buf); break;
            case SCO_COL_STR: s = col->str[r]; break;
            }
            put_str(f, s, quote_empty, false);
        }
        putc_unlocked('\n', f);
    }
    funlockfile(f);
    if (ferror(f))
        return sco_err_set(err, SCO_ERR_IO, "cannot write '%s': %s", what,
                           strerror(errno ? errno : EIO));
    return 0;
}

int sco__csv_write(const struct sco_table *t, const char *path, struct sco_err *err)
{
    struct sco_outfile *of;
    int rc = sco__outfile_open(path, &of, err);
    if (rc)
        return rc;
    rc = sco__csv_write_stream(t, sco__outfile_stream(of), path, err);
    if (rc) {
        sco__outfile_abort(of);
        return rc;
    }
    return sco__outfile_commit(of, err);
}
