/* helpers.h: shared by the tables tests. */
#ifndef TABLES_TEST_HELPERS_H
#define TABLES_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sco-tables.h"

#define DATA(name) TABLES_DATA_DIR "/" name

/* Parses CSV text from a string; fails the test on error. */
static inline struct sco_table *parse_ok(const char *text, const char *origin)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    int rc = sco__csv_read_mem(text, strlen(text), origin, NULL, &t, &err);
    cr_assert_eq(rc, 0, "parse failed: %s", err.msg);
    cr_assert_not_null(t);
    return t;
}

/* Parses CSV text that must fail; returns the message (static buffer) and checks the code. */
static inline const char *parse_fail(const char *text, const char *origin, int code)
{
    static struct sco_err err;
    struct sco_table *t = NULL;
    memset(&err, 0, sizeof err);
    int rc = sco__csv_read_mem(text, strlen(text), origin, NULL, &t, &err);
    cr_assert_eq(rc, code, "rc %d, expected %d: %s", rc, code, err.msg);
    cr_assert_null(t);
    return err.msg;
}

static inline const char *cell(const struct sco_table *t, const char *col, size_t row)
{
    int c = sco__table_col(t, col);
    cr_assert_geq(c, 0, "no column '%s'", col);
    const char *const *s = sco__table_api()->str(t, c);
    cr_assert_not_null(s, "column '%s' is not str", col);
    cr_assert_lt(row, t->n_rows);
    return s[row];
}

/* A fresh empty folder under /tmp; the caller removes it with rm_rf. */
static inline char *make_tmpdir(void)
{
    char *d = strdup("/tmp/sco-tables-test-XXXXXX");
    cr_assert_not_null(mkdtemp(d));
    return d;
}

static inline void rm_rf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* The whole content of a file (malloc'd), or NULL when it cannot be read. */
static inline char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    fclose(f);
    buf[len] = '\0';
    if (n)
        *n = len;
    return buf;
}

#endif
