/* table.c: struct sco_table, building tables, origins, and the plugin-facing table API. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sco-tables.h"
#include "tables-private.h"

const char sco__empty_str[1] = "";

const char *sco__col_type_name(enum sco_col_type type)
{
    switch (type) {
    case SCO_COL_I64: return "i64";
    case SCO_COL_F64: return "f64";
    case SCO_COL_STR: return "str";
    case SCO_COL_DATE: return "date";
    }
    return "unknown";
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

struct sco_table *sco__table_alloc(const char *name, size_t n_cols, struct sco_err *err)
{
    struct sco_table *t = calloc(1, sizeof *t);
    if (!t)
        goto nomem;
    t->name = xstrdup(name ? name : "");
    t->cols = calloc(n_cols ? n_cols : 1, sizeof *t->cols);
    t->strs = sco__arena_new(0);
    if (!t->name || !t->cols || !t->strs)
        goto nomem;
    t->n_cols = n_cols;
    return t;
nomem:
    sco__table_free(t);
    sco_err_set(err, SCO_ERR_NOMEM, "out of memory creating table '%s'", name ? name : "");
    return NULL;
}

struct sco_table *sco__table_new(const char *name, const struct sco_column_spec *cols,
                                 size_t n, struct sco_err *err)
{
    if (!name || !*name) {
        sco_err_set(err, SCO_ERR_INVALID, "cannot create a table without a name");
        return NULL;
    }
    if (n && !cols) {
        sco_err_set(err, SCO_ERR_INVALID, "cannot create table '%s': no column list", name);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!cols[i].name || !*cols[i].name) {
            sco_err_set(err, SCO_ERR_INVALID,
                        "cannot create table '%s': column %zu has no name", name, i + 1);
            return NULL;
        }
        if ((unsigned)cols[i].type > SCO_COL_DATE) {
            sco_err_set(err, SCO_ERR_INVALID,
                        "cannot create table '%s': column '%s' has unknown type %d", name,
                        cols[i].name, (int)cols[i].type);
            return NULL;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(cols[i].name, cols[j].name) == 0) {
                sco_err_set(err, SCO_ERR_INVALID,
                            "cannot create table '%s': duplicate column '%s'", name,
                            cols[i].name);
                return NULL;
            }
        }
    }
    struct sco_table *t = sco__table_alloc(name, n, err);
    if (!t)
        return NULL;
    size_t lab = strlen(name) + sizeof "table ''";
    t->origin = malloc(lab);
    if (!t->origin)
        goto nomem;
    snprintf(t->origin, lab, "table '%s'", name);
    for (size_t i = 0; i < n; i++) {
        t->cols[i].name = xstrdup(cols[i].name);
        t->cols[i].type = cols[i].type;
        if (!t->cols[i].name)
            goto nomem;
    }
    return t;
nomem:
    sco__table_free(t);
    sco_err_set(err, SCO_ERR_NOMEM, "out of memory creating table '%s'", name);
    return NULL;
}

void sco__table_free(struct sco_table *t)
{
    if (!t)
        return;
    if (t->cols) {
        for (size_t i = 0; i < t->n_cols; i++) {
            struct sco_col *c = &t->cols[i];
            free(c->name);
            free(c->i64);
            free(c->f64);
            free(c->str);
            free(c->pos);
        }
    }
    free(t->cols);
    for (size_t i = 0; i < t->n_retired; i++)
        free(t->retired[i]);
    free(t->retired);
    free(t->line);
    free(t->buf);
    free(t->origin);
    free(t->name);
    sco__arena_free(t->strs);
    free(t);
}

/* realloc to n elements of size sz, with overflow check. */
static void *grow(void *p, size_t n, size_t sz)
{
    if (n > SIZE_MAX / sz)
        return NULL;
    return realloc(p, n * sz);
}

int sco__table_reserve(struct sco_table *t, size_t want, struct sco_err *err)
{
    if (want <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 16;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    for (size_t i = 0; i < t->n_cols; i++) {
        struct sco_col *c = &t->cols[i];
        void *p;
        switch (c->type) {
        case SCO_COL_I64:
        case SCO_COL_DATE:
            if (!(p = grow(c->i64, cap, sizeof *c->i64)))
                goto nomem;
            c->i64 = p;
            break;
        case SCO_COL_F64:
            if (!(p = grow(c->f64, cap, sizeof *c->f64)))
                goto nomem;
            c->f64 = p;
            break;
        case SCO_COL_STR:
            if (!(p = grow(c->str, cap, sizeof *c->str)))
                goto nomem;
            c->str = p;
            break;
        }
        if (c->pos) {
            if (!(p = grow(c->pos, cap, sizeof *c->pos)))
                goto nomem;
            c->pos = p;
        }
    }
    if (t->line) {
        void *p = grow(t->line, cap, sizeof *t->line);
        if (!p)
            goto nomem;
        t->line = p;
    }
    t->cap = cap;
    return 0;
nomem:
    /* Arrays grown so far stay grown (harmless); cap still describes every array. */
    return sco_err_set(err, SCO_ERR_NOMEM, "out of memory growing table '%s' to %zu rows",
                       t->name, want);
}

int sco__table_add_rows(struct sco_table *t, size_t n, struct sco_err *err)
{
    if (!t)
        return sco_err_set(err, SCO_ERR_INVALID, "add_rows: no table");
    if (n > SIZE_MAX / 2 - t->n_rows)
        return sco_err_set(err, SCO_ERR_NOMEM, "table '%s': too many rows", t->name);
    int rc = sco__table_reserve(t, t->n_rows + n, err);
    if (rc)
        return rc;
    size_t a = t->n_rows, b = t->n_rows + n;
    for (size_t i = 0; i < t->n_cols; i++) {
        struct sco_col *c = &t->cols[i];
        for (size_t r = a; r < b; r++) {
            switch (c->type) {
            case SCO_COL_I64:
            case SCO_COL_DATE: c->i64[r] = SCO_NULL_I64; break;
            case SCO_COL_F64: c->f64[r] = NAN; break;
            case SCO_COL_STR: c->str[r] = sco__empty_str; break;
            }
        }
        if (c->pos)
            memset(c->pos + a, 0, n * sizeof *c->pos);
    }
    if (t->line)
        memset(t->line + a, 0, n * sizeof *t->line);
    t->n_rows = b;
    return 0;
}

int sco__table_set_str(struct sco_table *t, int c, size_t row, const char *s,
                       struct sco_err *err)
{
    if (!t)
        return sco_err_set(err, SCO_ERR_INVALID, "set_str: no table");
    if (c < 0 || (size_t)c >= t->n_cols)
        return sco_err_set(err, SCO_ERR_INVALID, "table '%s': set_str on column %d of %zu",
                           t->name, c, t->n_cols);
    struct sco_col *col = &t->cols[c];
    if (col->type != SCO_COL_STR)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "table '%s': set_str on column '%s', which is %s, not str",
                           t->name, col->name, sco__col_type_name(col->type));
    if (row >= t->n_rows)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "table '%s': set_str on row %zu of column '%s', which has %zu rows; "
                           "call add_rows first",
                           t->name, row, col->name, t->n_rows);
    if (!s || !*s) {
        col->str[row] = sco__empty_str;
        return 0;
    }
    size_t n = strlen(s);
    size_t ok = sco__utf8_valid_prefix(s, n);
    if (ok != n)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "table '%s': value for column '%s' row %zu is not valid UTF-8 "
                           "(byte 0x%02x at offset %zu)",
                           t->name, col->name, row + 1, (unsigned char)s[ok], ok);
    char *d = sco__arena_strndup(t->strs, s, n);
    if (!d)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory in table '%s'", t->name);
    col->str[row] = d;
    return 0;
}

int sco__table_col(const struct sco_table *t, const char *name)
{
    if (!t || !name)
        return -1;
    for (size_t i = 0; i < t->n_cols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

int sco__table_set_name(struct sco_table *t, const char *name, struct sco_err *err)
{
    if (!t || !name || !*name)
        return sco_err_set(err, SCO_ERR_INVALID, "cannot give a table an empty name");
    char *d = xstrdup(name);
    if (!d)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory renaming table '%s'", t->name);
    free(t->name);
    t->name = d;
    return 0;
}

int sco__table_set_origin(struct sco_table *t, const char *label, struct sco_err *err)
{
    if (!t)
        return sco_err_set(err, SCO_ERR_INVALID, "set_origin: no table");
    if (t->from_file)
        return 0;
    char *d = xstrdup(label ? label : "");
    if (!d)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory in table '%s'", t->name);
    free(t->origin);
    t->origin = d;
    return 0;
}

const char *sco__table_origin(const struct sco_table *t)
{
    return t && t->origin ? t->origin : "";
}

static _Thread_local char row_origin_buf[4200];

const char *sco__table_row_origin(const struct sco_table *t, size_t row)
{
    if (!t)
        return "";
    if (t->from_file && t->line && row < t->n_rows && t->line[row])
        snprintf(row_origin_buf, sizeof row_origin_buf, "%s:%u", t->origin,
                 (unsigned)t->line[row]);
    else
        snprintf(row_origin_buf, sizeof row_origin_buf, "%s row %zu", sco__table_origin(t),
                 row + 1);
    return row_origin_buf;
}

char *sco__table_cell_origin(const struct sco_table *t, int c, size_t row, char *buf, size_t n)
{
    if (!buf || n == 0)
        return buf;
    if (t && t->from_file && t->line && row < t->n_rows && t->line[row] && c >= 0 &&
        (size_t)c < t->n_cols && t->cols[c].pos && t->cols[c].pos[row]) {
        uint32_t p = t->cols[c].pos[row];
        snprintf(buf, n, "%s:%lu:%lu", t->origin,
                 (unsigned long)t->line[row] + (p >> SCO__POS_COL_BITS),
                 (unsigned long)(p & SCO__POS_COL_MAX));
    } else {
        snprintf(buf, n, "%s", sco__table_row_origin(t, row));
    }
    return buf;
}

/* ---- The plugin-facing API ------------------------------------------------------------- */

static size_t api_n_rows(const struct sco_table *t)
{
    return t ? t->n_rows : 0;
}

static size_t api_n_cols(const struct sco_table *t)
{
    return t ? t->n_cols : 0;
}

static const char *api_name(const struct sco_table *t)
{
    return t ? t->name : NULL;
}

static const struct sco_col *col_at(const struct sco_table *t, int c)
{
    if (!t || c < 0 || (size_t)c >= t->n_cols)
        return NULL;
    return &t->cols[c];
}

static const char *api_col_name(const struct sco_table *t, int c)
{
    const struct sco_col *col = col_at(t, c);
    return col ? col->name : NULL;
}

static enum sco_col_type api_col_type(const struct sco_table *t, int c)
{
    const struct sco_col *col = col_at(t, c);
    return col ? col->type : SCO_COL_STR;
}

static const int64_t *api_i64(const struct sco_table *t, int c)
{
    const struct sco_col *col = col_at(t, c);
    return col && (col->type == SCO_COL_I64 || col->type == SCO_COL_DATE) ? col->i64 : NULL;
}

static const double *api_f64(const struct sco_table *t, int c)
{
    const struct sco_col *col = col_at(t, c);
    return col && col->type == SCO_COL_F64 ? col->f64 : NULL;
}

static const char *const *api_str(const struct sco_table *t, int c)
{
    const struct sco_col *col = col_at(t, c);
    return col && col->type == SCO_COL_STR ? col->str : NULL;
}

static int64_t *api_i64_mut(struct sco_table *t, int c)
{
    return (int64_t *)api_i64(t, c);
}

static double *api_f64_mut(struct sco_table *t, int c)
{
    return (double *)api_f64(t, c);
}

static const struct sco_table_api table_api = {
    .size = sizeof(struct sco_table_api),
    .n_rows = api_n_rows,
    .n_cols = api_n_cols,
    .name = api_name,
    .col = sco__table_col,
    .col_name = api_col_name,
    .col_type = api_col_type,
    .i64 = api_i64,
    .f64 = api_f64,
    .str = api_str,
    .row_origin = sco__table_row_origin,
    .create = NULL, /* the host wraps sco__table_new with its ctx */
    .add_rows = sco__table_add_rows,
    .i64_mut = api_i64_mut,
    .f64_mut = api_f64_mut,
    .set_str = sco__table_set_str,
};

const struct sco_table_api *sco__table_api(void)
{
    return &table_api;
}
