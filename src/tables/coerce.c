/* coerce.c: lazy typing of string columns, and the column check a stage's inputs go through. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sco-tables.h"
#include "tables-private.h"

static locale_t c_locale;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t sco__c_locale(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_c_locale);
    return c_locale;
}

static double strtod_c(const char *s, char **end)
{
    locale_t loc = sco__c_locale();
    return loc ? strtod_l(s, end, loc) : strtod(s, end);
}

enum parse_result { P_OK, P_SYNTAX, P_RANGE };

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* [+-]digits, optionally followed by "." and zeros only; within int64 but not INT64_MIN. */
static enum parse_result parse_i64(const char *s, int64_t *out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!is_digit(*p))
        return P_SYNTAX;
    uint64_t acc = 0;
    bool over = false;
    for (; is_digit(*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (acc > (UINT64_MAX - d) / 10)
            over = true;
        else
            acc = acc * 10 + d;
    }
    if (*p == '.') {
        for (p++; *p == '0'; p++)
            ;
    }
    if (*p)
        return P_SYNTAX;
    /* INT64_MIN is SCO_NULL_I64, so the range is symmetric. */
    if (over || acc > (uint64_t)INT64_MAX)
        return P_RANGE;
    *out = neg ? -(int64_t)acc : (int64_t)acc;
    return P_OK;
}

/* Decimal [+-](digits[.digits]|.digits)([eE][+-]digits), finite. */
static enum parse_result parse_f64(const char *s, double *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (is_digit(*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (is_digit(*p))
            p++, digits++;
    }
    if (digits == 0)
        goto not_decimal;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return P_SYNTAX;
        while (is_digit(*p))
            p++;
    }
    if (*p)
        return P_SYNTAX;
    char *end;
    errno = 0;
    double v = strtod_c(s, &end);
    if (*end)
        return P_SYNTAX;
    if (!isfinite(v))
        return P_RANGE; /* 1e999: ERANGE with HUGE_VAL; underflow to 0 or subnormal is fine */
    *out = v;
    return P_OK;
not_decimal : {
    /* "inf", "nan" and hex floats: strtod takes them, we do not; say why. */
    char *end;
    double v = strtod_c(s, &end);
    if (end != s && !*end && !isfinite(v))
        return P_RANGE;
    return P_SYNTAX;
}
}

/* Quotes a cell value for a message: at most ~40 characters, control characters escaped. */
static const char *show(const char *s, char *buf, size_t n)
{
    size_t w = 0, chars = 0;
    for (const char *p = s; *p && w + 8 < n; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c & 0xC0) != 0x80 && ++chars > 40) {
            memcpy(buf + w, "...", 3);
            w += 3;
            break;
        }
        if (c == '\n' || c == '\r' || c == '\t') {
            buf[w++] = '\\';
            buf[w++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c == 0x7f) {
            w += (size_t)snprintf(buf + w, n - w, "\\x%02x", c);
        } else {
            buf[w++] = (char)c;
        }
    }
    buf[w] = '\0';
    return buf;
}

static int cell_error(const struct sco_table *t, int c, size_t row, const char *expected,
                      const char *value, const char *note, struct sco_err *err)
{
    char where[4300], shown[200];
    sco__table_cell_origin(t, c, row, where, sizeof where);
    return sco_err_set(err, SCO_ERR_DATA, "%s: column '%s': expected %s, got '%s'%s", where,
                       t->cols[c].name, expected, show(value, shown, sizeof shown), note);
}

/* Why a syntactically fine YYYY-MM-DD is not a date, for the message. */
static void date_note(const char *s, char *buf, size_t n)
{
    buf[0] = '\0';
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit(s[i]))
            return;
    int64_t y = strtol(s, NULL, 10);
    unsigned m = (unsigned)strtoul(s + 5, NULL, 10);
    if (y < 1)
        snprintf(buf, n, " (years start at 0001)");
    else if (m < 1 || m > 12)
        snprintf(buf, n, " (there is no month %02u)", m);
    else
        snprintf(buf, n, " (%.7s has %u days)", s, sco_days_in_month(y, m));
}

/* Keeps a replaced column array until the table is freed (borrowed pointers stay valid). */
static int retire(struct sco_table *t, void *p, struct sco_err *err)
{
    if (!p)
        return 0;
    void **r = realloc(t->retired, (t->n_retired + 1) * sizeof *r);
    if (!r)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory typing table '%s'", t->name);
    t->retired = r;
    r[t->n_retired++] = p;
    return 0;
}

/* Makes `fresh` (an array for `type`) the data of column c, retiring the old array. */
static int install(struct sco_table *t, int c, enum sco_col_type type, void *fresh,
                   struct sco_err *err)
{
    struct sco_col *col = &t->cols[c];
    void *old = col->type == SCO_COL_STR   ? (void *)col->str
                : col->type == SCO_COL_F64 ? (void *)col->f64
                                           : (void *)col->i64;
    int rc = retire(t, old, err);
    if (rc) {
        free(fresh);
        return rc;
    }
    col->str = NULL;
    col->f64 = NULL;
    col->i64 = NULL;
    switch (type) {
    case SCO_COL_STR: col->str = fresh; break;
    case SCO_COL_F64: col->f64 = fresh; break;
    case SCO_COL_I64:
    case SCO_COL_DATE: col->i64 = fresh; break;
    }
    col->type = type;
    return 0;
}

static void *new_array(const struct sco_table *t, size_t elem)
{
    return malloc((t->cap ? t->cap : 1) * elem);
}

static int nomem_typing(const struct sco_table *t, int c, struct sco_err *err)
{
    return sco_err_set(err, SCO_ERR_NOMEM, "out of memory typing column '%s' of table '%s'",
                       t->cols[c].name, t->name);
}

/* NNNN-NN-NN: written as a date, valid or not. */
static bool date_shaped(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit(s[i]))
            return false;
    return true;
}

static int str_to_i64(struct sco_table *t, int c, bool date, struct sco_err *err)
{
    struct sco_col *col = &t->cols[c];
    /* Dates are int64 days: a column of dates asked for as I64 becomes DATE, as in memory. */
    if (!date) {
        for (size_t r = 0; r < t->n_rows; r++) {
            if (*col->str[r]) {
                date = date_shaped(col->str[r]);
                break;
            }
        }
    }
    int64_t *v = new_array(t, sizeof *v);
    if (!v)
        return nomem_typing(t, c, err);
    for (size_t r = 0; r < t->n_rows; r++) {
        const char *s = col->str[r];
        if (!*s) {
            v[r] = SCO_NULL_I64;
            continue;
        }
        if (date) {
            if (sco_date_parse(s, strlen(s), &v[r]) != 0) {
                char note[64];
                date_note(s, note, sizeof note);
                free(v);
                return cell_error(t, c, r, "a date (YYYY-MM-DD)", s, note, err);
            }
            continue;
        }
        enum parse_result pr = parse_i64(s, &v[r]);
        if (pr != P_OK) {
            free(v);
            return cell_error(t, c, r,
                              pr == P_RANGE ? "an integer within +-9223372036854775807"
                                            : "an integer",
                              s, "", err);
        }
    }
    return install(t, c, date ? SCO_COL_DATE : SCO_COL_I64, v, err);
}

static int str_to_f64(struct sco_table *t, int c, struct sco_err *err)
{
    struct sco_col *col = &t->cols[c];
    double *v = new_array(t, sizeof *v);
    if (!v)
        return nomem_typing(t, c, err);
    for (size_t r = 0; r < t->n_rows; r++) {
        const char *s = col->str[r];
        if (!*s) {
            v[r] = NAN;
            continue;
        }
        enum parse_result pr = parse_f64(s, &v[r]);
        if (pr != P_OK) {
            free(v);
            return cell_error(t, c, r, pr == P_RANGE ? "a finite number" : "a number", s, "",
                              err);
        }
    }
    return install(t, c, SCO_COL_F64, v, err);
}

static int i64_to_f64(struct sco_table *t, int c, struct sco_err *err)
{
    struct sco_col *col = &t->cols[c];
    double *v = new_array(t, sizeof *v);
    if (!v)
        return nomem_typing(t, c, err);
    for (size_t r = 0; r < t->n_rows; r++)
        v[r] = col->i64[r] == SCO_NULL_I64 ? NAN : (double)col->i64[r];
    return install(t, c, SCO_COL_F64, v, err);
}

/* F64 -> I64 when every value is whole and within int64 (what a CSV round trip allows). */
static int f64_to_i64(struct sco_table *t, int c, struct sco_err *err)
{
    struct sco_col *col = &t->cols[c];
    int64_t *v = new_array(t, sizeof *v);
    if (!v)
        return nomem_typing(t, c, err);
    for (size_t r = 0; r < t->n_rows; r++) {
        double x = col->f64[r];
        if (isnan(x)) {
            v[r] = SCO_NULL_I64;
        } else if (x == trunc(x) && x > -9223372036854775808.0 && x < 9223372036854775808.0) {
            v[r] = (int64_t)x;
        } else {
            char text[32];
            free(v);
            return cell_error(t, c, r, "an integer", sco__f64_format(x, text), "", err);
        }
    }
    return install(t, c, SCO_COL_I64, v, err);
}

/* Any type -> STR, formatted as the CSV writer does. */
static int to_str(struct sco_table *t, int c, struct sco_err *err)
{
    struct sco_col *col = &t->cols[c];
    const char **v = new_array(t, sizeof *v);
    if (!v)
        return nomem_typing(t, c, err);
    for (size_t r = 0; r < t->n_rows; r++) {
        char buf[SCO_DATE_BUF + 32];
        switch (col->type) {
        case SCO_COL_I64:
            if (col->i64[r] == SCO_NULL_I64)
                buf[0] = '\0';
            else
                snprintf(buf, sizeof buf, "%" PRId64, col->i64[r]);
            break;
        case SCO_COL_F64: sco__f64_format(col->f64[r], buf); break;
        case SCO_COL_DATE: sco_date_format(col->i64[r], buf); break;
        case SCO_COL_STR: snprintf(buf, sizeof buf, "%s", col->str[r]); break;
        }
        v[r] = *buf ? sco__arena_strdup(t->strs, buf) : sco__empty_str;
        if (!v[r]) {
            free(v);
            return nomem_typing(t, c, err);
        }
    }
    return install(t, c, SCO_COL_STR, v, err);
}

/* The message for a typed column that cannot become `want`; `who` may be NULL. */
static int type_mismatch(const struct sco_table *t, int c, enum sco_col_type want,
                         const char *who, struct sco_err *err)
{
    return sco_err_set(err, SCO_ERR_DATA,
                       "%s%scolumn '%s' of table '%s' is %s, expected %s; fix %s, which made "
                       "the table",
                       who ? who : "", who ? ": " : "", t->cols[c].name, t->name,
                       sco__col_type_name(t->cols[c].type), sco__col_type_name(want),
                       sco__table_origin(t));
}

static int coerce(struct sco_table *t, int c, enum sco_col_type type, const char *who,
                  struct sco_err *err)
{
    if (!t || c < 0 || (size_t)c >= t->n_cols)
        return sco_err_set(err, SCO_ERR_INVALID, "coerce: no column %d in table '%s'", c,
                           t ? t->name : "");
    if ((unsigned)type > SCO_COL_DATE)
        return sco_err_set(err, SCO_ERR_INVALID, "coerce: unknown type %d", (int)type);
    enum sco_col_type have = t->cols[c].type;
    if (have == type || (have == SCO_COL_DATE && type == SCO_COL_I64))
        return 0;
    if (have == SCO_COL_STR) {
        switch (type) {
        case SCO_COL_I64: return str_to_i64(t, c, false, err);
        case SCO_COL_DATE: return str_to_i64(t, c, true, err);
        case SCO_COL_F64: return str_to_f64(t, c, err);
        case SCO_COL_STR: return 0;
        }
    }
    if (type == SCO_COL_STR)
        return to_str(t, c, err);
    if (have == SCO_COL_I64 && type == SCO_COL_F64)
        return i64_to_f64(t, c, err);
    if (have == SCO_COL_F64 && type == SCO_COL_I64)
        return f64_to_i64(t, c, err);
    return type_mismatch(t, c, type, who, err);
}

int sco__table_coerce(struct sco_table *t, int c, enum sco_col_type type, struct sco_err *err)
{
    return coerce(t, c, type, NULL, err);
}

/* Appends printf output to buf[*w..n), never overflowing; returns false once it is full. */
static bool append(char *buf, size_t n, size_t *w, const char *fmt, ...) SCO_PRINTF(4, 5);

static bool append(char *buf, size_t n, size_t *w, const char *fmt, ...)
{
    if (*w + 1 >= n)
        return false;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *w, n - *w, fmt, ap);
    va_end(ap);
    if (k < 0)
        return false;
    if ((size_t)k >= n - *w) {
        *w = n - 1;
        return false;
    }
    *w += (size_t)k;
    return true;
}

int sco__table_check_columns(struct sco_table *t, const struct sco_column_spec *cols, size_t n,
                             const char *who, struct sco_err *err)
{
    if (!t || (n && !cols))
        return sco_err_set(err, SCO_ERR_INVALID, "check_columns: bad arguments");
    size_t missing = 0;
    for (size_t i = 0; i < n; i++)
        if (!cols[i].optional && sco__table_col(t, cols[i].name) < 0)
            missing++;
    if (missing) {
        const char **names = malloc((t->n_cols ? t->n_cols : 1) * sizeof *names);
        if (!names)
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory checking table '%s'",
                               t->name);
        for (size_t i = 0; i < t->n_cols; i++)
            names[i] = t->cols[i].name;
        char msg[SCO_ERR_MSG_MAX];
        size_t w = 0;
        msg[0] = '\0';
        if (who)
            append(msg, sizeof msg, &w, "%s: ", who);
        append(msg, sizeof msg, &w, "table '%s'", t->name);
        /* Built tables carry "table 'x'" until the host names the stage: no need to repeat. */
        if (strncmp(sco__table_origin(t), "table '", 7) != 0)
            append(msg, sizeof msg, &w, " (%s)", sco__table_origin(t));
        append(msg, sizeof msg, &w, " has no column%s ", missing > 1 ? "s" : "");
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (cols[i].optional || sco__table_col(t, cols[i].name) >= 0)
                continue;
            append(msg, sizeof msg, &w, "%s'%s'", k++ ? ", " : "", cols[i].name);
            const char *dym = sco__did_you_mean(cols[i].name, names, t->n_cols);
            if (dym)
                append(msg, sizeof msg, &w, " (did you mean '%s'?)", dym);
        }
        if (t->n_cols == 0) {
            append(msg, sizeof msg, &w, "; it has no columns");
        } else {
            append(msg, sizeof msg, &w, "; it has ");
            for (size_t i = 0; i < t->n_cols; i++) {
                size_t before = w;
                if (!append(msg, sizeof msg, &w, "%s%s", i ? ", " : "", names[i]) ||
                    w + 5 >= sizeof msg) {
                    /* Out of room: end the list with "..." instead of a cut name. */
                    w = before;
                    msg[w] = '\0';
                    append(msg, sizeof msg, &w, ", ...");
                    break;
                }
            }
        }
        free(names);
        return sco_err_set(err, SCO_ERR_DATA, "%s", msg);
    }
    for (size_t i = 0; i < n; i++) {
        int c = sco__table_col(t, cols[i].name);
        if (c < 0)
            continue;
        int rc = coerce(t, c, cols[i].type, who, err);
        if (rc)
            return rc;
    }
    return 0;
}
