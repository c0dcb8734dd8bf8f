/* test-table.c: building tables, the plugin table API, origins, did-you-mean, the arena. */
#include <math.h>

#include "helpers.h"

static const struct sco_column_spec cols[] = {
    { "sku", SCO_COL_STR, false, NULL },
    { "qty", SCO_COL_I64, false, NULL },
    { "mean", SCO_COL_F64, true, "ignored" },
    { "date", SCO_COL_DATE, false, NULL },
};

Test(table, build_and_read_through_api)
{
    const struct sco_table_api *api = sco__table_api();
    cr_expect_eq(api->size, sizeof(struct sco_table_api));
    cr_expect_null(api->create);
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("forecast", cols, 4, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_expect_eq(api->n_rows(t), 0);
    cr_expect_eq(api->n_cols(t), 4);
    cr_expect_str_eq(api->name(t), "forecast");
    cr_expect_eq(api->col(t, "mean"), 2);
    cr_expect_eq(api->col(t, "nope"), -1);
    cr_expect_str_eq(api->col_name(t, 3), "date");
    cr_expect_null(api->col_name(t, 4));
    cr_expect_eq(api->col_type(t, 3), SCO_COL_DATE);

    cr_assert_eq(api->add_rows(t, 2, &err), 0);
    cr_assert_eq(api->add_rows(t, 100, &err), 0); /* grows past the first capacity */
    cr_assert_eq(api->n_rows(t), 102);
    for (size_t r = 0; r < 102; r++) {
        cr_assert_str_eq(api->str(t, 0)[r], "");
        cr_assert_eq(api->i64(t, 1)[r], SCO_NULL_I64);
        cr_assert(isnan(api->f64(t, 2)[r]));
        cr_assert_eq(api->i64(t, 3)[r], SCO_NULL_I64);
    }
    api->i64_mut(t, 1)[5] = 42;
    api->f64_mut(t, 2)[5] = 1.5;
    api->i64_mut(t, 3)[5] = 20786;
    char value[] = "SKU-1";
    cr_assert_eq(api->set_str(t, 0, 5, value, &err), 0);
    value[0] = 'X'; /* set_str copied it */
    cr_expect_str_eq(api->str(t, 0)[5], "SKU-1");
    cr_expect_eq(api->i64(t, 1)[5], 42);
    cr_expect_eq(api->f64(t, 2)[5], 1.5);
    /* Accessors of the wrong type answer NULL. */
    cr_expect_null(api->i64(t, 0));
    cr_expect_null(api->f64(t, 1));
    cr_expect_null(api->str(t, 1));
    cr_expect_null(api->i64_mut(t, 2));
    cr_expect_null(api->f64_mut(t, 3));
    cr_expect_null(api->i64(t, -1));
    cr_expect_null(api->str(t, 4));
    sco__table_free(t);
    sco__table_free(NULL);
}

Test(table, new_errors)
{
    struct sco_err err = { 0 };
    static const struct sco_column_spec dup[] = {
        { "sku", SCO_COL_STR, false, NULL },
        { "sku", SCO_COL_I64, false, NULL },
    };
    cr_expect_null(sco__table_new("t", dup, 2, &err));
    cr_expect_eq(err.code, SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "cannot create table 't': duplicate column 'sku'");
    static const struct sco_column_spec unnamed[] = { { "", SCO_COL_STR, false, NULL } };
    cr_expect_null(sco__table_new("t", unnamed, 1, &err));
    cr_expect_str_eq(err.msg, "cannot create table 't': column 1 has no name");
    cr_expect_null(sco__table_new("", cols, 1, &err));
    cr_expect_str_eq(err.msg, "cannot create a table without a name");
    static const struct sco_column_spec badtype[] = { { "x", (enum sco_col_type)9, false, NULL } };
    cr_expect_null(sco__table_new("t", badtype, 1, &err));
    cr_expect_str_eq(err.msg, "cannot create table 't': column 'x' has unknown type 9");
}

Test(table, set_str_errors)
{
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("t", cols, 4, &err);
    cr_assert_eq(sco__table_add_rows(t, 3, &err), 0);
    cr_expect_eq(sco__table_set_str(t, 1, 0, "x", &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "table 't': set_str on column 'qty', which is i64, not str");
    cr_expect_eq(sco__table_set_str(t, 0, 3, "x", &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "table 't': set_str on row 3 of column 'sku', which has 3 rows; "
                              "call add_rows first");
    cr_expect_eq(sco__table_set_str(t, 7, 0, "x", &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "table 't': set_str on column 7 of 4");
    cr_expect_eq(sco__table_set_str(t, 0, 1, "ab\xff", &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "table 't': value for column 'sku' row 2 is not valid UTF-8 (byte "
                              "0xff at offset 2)");
    cr_expect_eq(sco__table_set_str(t, 0, 1, NULL, &err), 0);
    cr_expect_str_eq(t->cols[0].str[1], "");
    sco__table_free(t);
}

Test(table, origins)
{
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("forecast", cols, 4, &err);
    cr_assert_eq(sco__table_add_rows(t, 20, &err), 0);
    cr_expect_str_eq(sco__table_origin(t), "table 'forecast'");
    cr_expect_str_eq(sco__table_row_origin(t, 16), "table 'forecast' row 17");
    cr_assert_eq(sco__table_set_origin(t, "stage forecast", &err), 0);
    cr_expect_str_eq(sco__table_api()->row_origin(t, 16), "stage forecast row 17");
    char buf[64];
    cr_expect_str_eq(sco__table_cell_origin(t, 1, 0, buf, sizeof buf), "stage forecast row 1");
    cr_assert_eq(sco__table_set_name(t, "fc", &err), 0);
    cr_expect_str_eq(t->name, "fc");
    cr_expect_eq(sco__table_set_name(t, "", &err), SCO_ERR_INVALID);
    sco__table_free(t);

    /* CSV tables keep their file as origin; rows added later have no line. */
    t = parse_ok("a,b\n1,2\n", "x.csv");
    cr_assert_eq(sco__table_set_origin(t, "stage other", &err), 0);
    cr_expect_str_eq(sco__table_origin(t), "x.csv");
    cr_assert_eq(sco__table_add_rows(t, 1, &err), 0);
    cr_expect_str_eq(sco__table_row_origin(t, 0), "x.csv:2");
    cr_expect_str_eq(sco__table_row_origin(t, 1), "x.csv row 2");
    cr_expect_str_eq(sco__table_cell_origin(t, 1, 1, buf, sizeof buf), "x.csv row 2");
    cr_assert_eq(sco__table_set_str(t, 1, 1, "3", &err), 0);
    cr_assert_eq(sco__table_coerce(t, 1, SCO_COL_I64, &err), 0);
    cr_expect_eq(t->cols[1].i64[1], 3);
    sco__table_free(t);
}

Test(table, col_type_names)
{
    cr_expect_str_eq(sco__col_type_name(SCO_COL_I64), "i64");
    cr_expect_str_eq(sco__col_type_name(SCO_COL_F64), "f64");
    cr_expect_str_eq(sco__col_type_name(SCO_COL_STR), "str");
    cr_expect_str_eq(sco__col_type_name(SCO_COL_DATE), "date");
}

Test(did_you_mean, suggestions)
{
    static const char *const keys[] = { "horizon_days", "quantiles", "seed", "model_path",
                                        "warehouse" };
    size_t n = SCO_COUNT(keys);
    cr_expect_str_eq(sco__did_you_mean("horizon", keys, n), "horizon_days");
    cr_expect_str_eq(sco__did_you_mean("horizon_day", keys, n), "horizon_days");
    cr_expect_str_eq(sco__did_you_mean("quantile", keys, n), "quantiles");
    cr_expect_str_eq(sco__did_you_mean("qunatiles", keys, n), "quantiles"); /* transposition */
    cr_expect_str_eq(sco__did_you_mean("Seed", keys, n), "seed");
    cr_expect_str_eq(sco__did_you_mean("sed", keys, n), "seed");
    cr_expect_str_eq(sco__did_you_mean("wharehouse", keys, n), "warehouse");
    cr_expect_null(sco__did_you_mean("colour", keys, n));
    cr_expect_null(sco__did_you_mean("x", keys, n));
    cr_expect_null(sco__did_you_mean("qty", (const char *const[]){ "quantity" }, 1));
    cr_expect_null(sco__did_you_mean("seed", NULL, 0));
    /* The closest wins; ties go to the earlier candidate. */
    cr_expect_str_eq(sco__did_you_mean("cat", (const char *const[]){ "bat", "cab", "cat" }, 3),
                     "cat");
    cr_expect_str_eq(sco__did_you_mean("cax", (const char *const[]){ "bax", "cab" }, 2), "bax");
    cr_expect_eq(sco__edit_distance("kitten", "sitting"), 3);
    cr_expect_eq(sco__edit_distance("", "abc"), 3);
    cr_expect_eq(sco__edit_distance("ab", "ba"), 1);
    cr_expect_eq(sco__edit_distance("ABC", "abc"), 0);
}

Test(arena, alloc_zeroed_aligned)
{
    struct sco_arena *a = sco__arena_new(256);
    cr_assert_not_null(a);
    for (int i = 0; i < 1000; i++) {
        size_t n = (size_t)(i % 37) + 1, align = (size_t)1 << (i % 7);
        unsigned char *p = sco__arena_alloc(a, n, align);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % align, 0);
        for (size_t k = 0; k < n; k++)
            cr_assert_eq(p[k], 0);
        memset(p, 0xAB, n);
    }
    /* A big block gets its own chunk, and small ones keep working after it. */
    unsigned char *big = sco__arena_alloc(a, 100000, 64);
    cr_assert_not_null(big);
    cr_expect_eq((uintptr_t)big % 64, 0);
    cr_expect_eq(big[99999], 0);
    memset(big, 1, 100000);
    char *s = sco__arena_strdup(a, "hello");
    cr_expect_str_eq(s, "hello");
    cr_expect_str_eq(sco__arena_strdup(a, NULL), "");
    cr_expect_str_eq(sco__arena_strndup(a, "abcdef", 3), "abc");
    cr_expect_not_null(sco__arena_alloc(a, 0, 0));
    cr_expect_null(sco__arena_alloc(a, 8, 3)); /* not a power of two */
    cr_expect_null(sco__arena_alloc(a, SIZE_MAX - 8, 16));
    cr_expect_geq(sco__arena_used(a), 100000);
    sco__arena_free(a);
    sco__arena_free(NULL);
}

Test(utf8, valid_prefix)
{
    cr_expect_eq(sco__utf8_valid_prefix("abc", 3), 3);
    cr_expect_eq(sco__utf8_valid_prefix("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), 9);
    cr_expect_eq(sco__utf8_valid_prefix("a\x80", 2), 1);           /* lone continuation */
    cr_expect_eq(sco__utf8_valid_prefix("a\xc1\xbf", 3), 1);       /* overlong 2-byte */
    cr_expect_eq(sco__utf8_valid_prefix("\xe0\x80\x80", 3), 0);    /* overlong 3-byte */
    cr_expect_eq(sco__utf8_valid_prefix("\xf0\x80\x80\x80", 4), 0); /* overlong 4-byte */
    cr_expect_eq(sco__utf8_valid_prefix("\xed\xbf\xbf", 3), 0);    /* surrogate */
    cr_expect_eq(sco__utf8_valid_prefix("\xf5\x80\x80\x80", 4), 0);
    cr_expect_eq(sco__utf8_valid_prefix("ab\xe2\x82", 4), 2);      /* truncated */
    cr_expect_eq(sco__utf8_valid_prefix("\xe2\x28\xa1", 3), 0);    /* bad continuation */
    cr_expect_eq(sco__utf8_valid_prefix("\xf4\x8f\xbf\xbf", 4), 4); /* U+10FFFF */
}
