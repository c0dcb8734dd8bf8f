/* test-coerce.c: typing string columns, and the column check of a stage's inputs. */
#include <math.h>

#include "helpers.h"

static struct sco_table *sales(void)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("sales.csv"), NULL, &t, &err), 0, "%s", err.msg);
    return t;
}

Test(coerce, sales_fixture_all_types)
{
    struct sco_table *t = sales();
    struct sco_err err = { 0 };
    const struct sco_table_api *api = sco__table_api();
    cr_assert_eq(sco__table_coerce(t, 0, SCO_COL_DATE, &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_coerce(t, 3, SCO_COL_I64, &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_coerce(t, 4, SCO_COL_F64, &err), 0, "%s", err.msg);
    cr_expect_eq(api->col_type(t, 0), SCO_COL_DATE);
    const int64_t *date = api->i64(t, 0), *qty = api->i64(t, 3);
    const double *price = api->f64(t, 4);
    cr_assert(date && qty && price);
    cr_expect_eq(date[0], 20758); /* 2026-11-01 */
    cr_expect_eq(date[4], 19782); /* 2024-02-29 */
    cr_expect_eq(qty[0], 3);
    cr_expect_eq(qty[3], SCO_NULL_I64);
    cr_expect_eq(qty[4], -7);
    cr_expect_eq(price[0], 2.5);
    cr_expect(isnan(price[1]));
    cr_expect_eq(price[3], 1000.0);
    cr_expect_eq(price[4], 0.1);
    /* Typed columns no longer answer as strings. */
    cr_expect_null(api->str(t, 3));
    cr_expect_null(api->f64(t, 3));
    cr_expect_str_eq(cell(t, "sku", 3), "SKU-003, large");
    sco__table_free(t);
}

Test(coerce, bad_number_names_file_line_column)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("sales-bad-qty.csv"), NULL, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_coerce(t, 3, SCO_COL_F64, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, DATA("sales-bad-qty.csv")
                     ":3:24: column 'qty': expected a number, got 'abc'");
    /* A failed conversion leaves the column as it was. */
    cr_expect_eq(t->cols[3].type, SCO_COL_STR);
    cr_expect_str_eq(cell(t, "qty", 1), "abc");
    cr_assert_eq(sco__table_coerce(t, 3, SCO_COL_I64, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, DATA("sales-bad-qty.csv")
                     ":3:24: column 'qty': expected an integer, got 'abc'");
    sco__table_free(t);
}

Test(coerce, bad_date_names_file_line_column)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("sales-bad-date.csv"), NULL, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_coerce(t, 0, SCO_COL_DATE, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, DATA("sales-bad-date.csv")
                     ":3:1: column 'date': expected a date (YYYY-MM-DD), got '2026-02-29' "
                     "(2026-02 has 28 days)");
    sco__table_free(t);
}

/* Coerces the single column "v" of CSV `text` to `type`; returns rc, message in err. */
static int coerce_text(const char *text, enum sco_col_type type, struct sco_table **out,
                       struct sco_err *err)
{
    struct sco_table *t = parse_ok(text, "v.csv");
    int rc = sco__table_coerce(t, 0, type, err);
    if (out)
        *out = t;
    else
        sco__table_free(t);
    return rc;
}

static void expect_error(const char *text, enum sco_col_type type, const char *msg)
{
    struct sco_err err = { 0 };
    cr_expect_eq(coerce_text(text, type, NULL, &err), SCO_ERR_DATA, "no error for %s", text);
    cr_expect_str_eq(err.msg, msg);
}

Test(coerce, i64_values)
{
    struct sco_table *t;
    struct sco_err err = { 0 };
    cr_assert_eq(coerce_text("v\n0\n-12\n+7\n9223372036854775807\n-9223372036854775807\n"
                             "12.0\n5.\n\"\"\n",
                             SCO_COL_I64, &t, &err),
                 0, "%s", err.msg);
    const int64_t *v = t->cols[0].i64;
    cr_expect_eq(v[0], 0);
    cr_expect_eq(v[1], -12);
    cr_expect_eq(v[2], 7);
    cr_expect_eq(v[3], INT64_MAX);
    cr_expect_eq(v[4], -INT64_MAX);
    cr_expect_eq(v[5], 12);
    cr_expect_eq(v[6], 5);
    cr_expect_eq(v[7], SCO_NULL_I64);
    sco__table_free(t);
}

Test(coerce, i64_errors)
{
    expect_error("v\n1\nabc\n", SCO_COL_I64, "v.csv:3:1: column 'v': expected an integer, got 'abc'");
    expect_error("v\n1.5\n", SCO_COL_I64, "v.csv:2:1: column 'v': expected an integer, got '1.5'");
    expect_error("v\n 1\n", SCO_COL_I64, "v.csv:2:1: column 'v': expected an integer, got ' 1'");
    expect_error("v\n1 \n", SCO_COL_I64, "v.csv:2:1: column 'v': expected an integer, got '1 '");
    expect_error("v\n-\n", SCO_COL_I64, "v.csv:2:1: column 'v': expected an integer, got '-'");
    expect_error("v\n1e3\n", SCO_COL_I64, "v.csv:2:1: column 'v': expected an integer, got '1e3'");
    expect_error("v\n9223372036854775808\n", SCO_COL_I64,
                 "v.csv:2:1: column 'v': expected an integer within +-9223372036854775807, got "
                 "'9223372036854775808'");
    expect_error("v\n-9223372036854775808\n", SCO_COL_I64,
                 "v.csv:2:1: column 'v': expected an integer within +-9223372036854775807, got "
                 "'-9223372036854775808'");
    expect_error("v\n99999999999999999999999\n", SCO_COL_I64,
                 "v.csv:2:1: column 'v': expected an integer within +-9223372036854775807, got "
                 "'99999999999999999999999'");
}

Test(coerce, f64_values)
{
    struct sco_table *t;
    struct sco_err err = { 0 };
    cr_assert_eq(coerce_text("v\n0\n-1.5\n+.25\n3.\n1e3\n2.5E-3\n1e-400\n\n0.1\n-0\n",
                             SCO_COL_F64, &t, &err),
                 0, "%s", err.msg);
    const double *v = t->cols[0].f64;
    cr_expect_eq(v[0], 0.0);
    cr_expect_eq(v[1], -1.5);
    cr_expect_eq(v[2], 0.25);
    cr_expect_eq(v[3], 3.0);
    cr_expect_eq(v[4], 1000.0);
    cr_expect_eq(v[5], 2.5e-3);
    cr_expect_eq(v[6], 0.0); /* underflow rounds to zero: a value, not an error */
    cr_expect(isnan(v[7]));
    cr_expect_eq(v[8], 0.1);
    cr_expect(v[9] == 0.0 && signbit(v[9]));
    sco__table_free(t);
}

Test(coerce, f64_errors)
{
    expect_error("v\n\"1,5\"\n", SCO_COL_F64,
                 "v.csv:2:1: column 'v': expected a number, got '1,5'");
    expect_error("v\nabc\n", SCO_COL_F64, "v.csv:2:1: column 'v': expected a number, got 'abc'");
    expect_error("v\n1e\n", SCO_COL_F64, "v.csv:2:1: column 'v': expected a number, got '1e'");
    expect_error("v\n.\n", SCO_COL_F64, "v.csv:2:1: column 'v': expected a number, got '.'");
    expect_error("v\n0x10\n", SCO_COL_F64, "v.csv:2:1: column 'v': expected a number, got '0x10'");
    expect_error("v\n1.5kg\n", SCO_COL_F64,
                 "v.csv:2:1: column 'v': expected a number, got '1.5kg'");
    expect_error("v\ninf\n", SCO_COL_F64,
                 "v.csv:2:1: column 'v': expected a finite number, got 'inf'");
    expect_error("v\nNaN\n", SCO_COL_F64,
                 "v.csv:2:1: column 'v': expected a finite number, got 'NaN'");
    expect_error("v\n1e999\n", SCO_COL_F64,
                 "v.csv:2:1: column 'v': expected a finite number, got '1e999'");
    expect_error("v\n\"a\nb\tc\"\n", SCO_COL_F64,
                 "v.csv:2:1: column 'v': expected a number, got 'a\\nb\\tc'");
    /* Long values are cut in the message. */
    expect_error("v\n0123456789012345678901234567890123456789xyz\n", SCO_COL_F64,
                 "v.csv:2:1: column 'v': expected a number, got "
                 "'0123456789012345678901234567890123456789...'");
}

Test(coerce, f64_error_that_ends_the_line)
{
    /* "1,5" in a one-column file is a ragged row, caught by the reader. */
    cr_expect_str_eq(parse_fail("v\n1,5\n", "v.csv", SCO_ERR_DATA),
                     "v.csv:2: expected 1 fields, found 2");
}

Test(coerce, date_values)
{
    struct sco_table *t;
    struct sco_err err = { 0 };
    cr_assert_eq(coerce_text("v\n1970-01-01\n2000-02-29\n1969-12-31\n0001-01-01\n9999-12-31\n"
                             "\n2026-11-29\n",
                             SCO_COL_DATE, &t, &err),
                 0, "%s", err.msg);
    const int64_t *v = t->cols[0].i64;
    cr_expect_eq(v[0], 0);
    cr_expect_eq(v[1], 11016);
    cr_expect_eq(v[2], -1);
    cr_expect_eq(v[3], -719162);
    cr_expect_eq(v[4], 2932896);
    cr_expect_eq(v[5], SCO_NULL_I64);
    cr_expect_eq(v[6], 20786);
    /* A date column is also an i64 column for readers; asking for I64 keeps it DATE. */
    cr_expect_eq(sco__table_coerce(t, 0, SCO_COL_I64, &err), 0);
    cr_expect_eq(t->cols[0].type, SCO_COL_DATE);
    cr_expect_not_null(sco__table_api()->i64(t, 0));
    sco__table_free(t);
}

Test(coerce, date_errors)
{
    expect_error("v\n2023-02-29\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '2023-02-29' "
                 "(2023-02 has 28 days)");
    expect_error("v\n1900-02-29\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '1900-02-29' "
                 "(1900-02 has 28 days)");
    expect_error("v\n2026-04-31\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '2026-04-31' "
                 "(2026-04 has 30 days)");
    expect_error("v\n2026-13-01\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '2026-13-01' "
                 "(there is no month 13)");
    expect_error("v\n2026-00-10\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '2026-00-10' "
                 "(there is no month 00)");
    expect_error("v\n0000-01-01\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '0000-01-01' "
                 "(years start at 0001)");
    expect_error("v\n2026-1-5\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '2026-1-5'");
    expect_error("v\n29/11/2026\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '29/11/2026'");
    expect_error("v\n2026-11-29T00:00\n", SCO_COL_DATE,
                 "v.csv:2:1: column 'v': expected a date (YYYY-MM-DD), got '2026-11-29T00:00'");
}

static const struct sco_column_spec num_cols[] = {
    { "n", SCO_COL_I64, false, NULL },
    { "x", SCO_COL_F64, false, NULL },
    { "d", SCO_COL_DATE, false, NULL },
    { "s", SCO_COL_STR, false, NULL },
};

static struct sco_table *built(void)
{
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("forecast", num_cols, 4, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert_eq(sco__table_set_origin(t, "stage forecast", &err), 0);
    cr_assert_eq(sco__table_add_rows(t, 3, &err), 0);
    t->cols[0].i64[0] = 5;
    t->cols[0].i64[2] = -3;
    return t;
}

Test(coerce, widen_i64_to_f64)
{
    struct sco_table *t = built();
    struct sco_err err = { 0 };
    cr_assert_eq(sco__table_coerce(t, 0, SCO_COL_F64, &err), 0, "%s", err.msg);
    cr_expect_eq(t->cols[0].type, SCO_COL_F64);
    cr_expect_eq(t->cols[0].f64[0], 5.0);
    cr_expect(isnan(t->cols[0].f64[1]));
    cr_expect_eq(t->cols[0].f64[2], -3.0);
    sco__table_free(t);
}

Test(coerce, typed_mismatches)
{
    struct sco_table *t = built();
    struct sco_err err = { 0 };
    cr_expect_eq(sco__table_coerce(t, 0, SCO_COL_DATE, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "column 'n' of table 'forecast' is i64, expected date; fix stage "
                              "forecast, which made the table");
    cr_expect_eq(sco__table_coerce(t, 1, SCO_COL_DATE, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "column 'x' of table 'forecast' is f64, expected date; fix stage "
                              "forecast, which made the table");
    cr_expect_eq(sco__table_coerce(t, 2, SCO_COL_F64, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "column 'd' of table 'forecast' is date, expected f64; fix stage "
                              "forecast, which made the table");
    cr_expect_eq(sco__table_coerce(t, 3, SCO_COL_STR, &err), 0);
    cr_expect_eq(sco__table_coerce(t, 9, SCO_COL_STR, &err), SCO_ERR_INVALID);
    /* Nothing changed. */
    cr_expect_eq(t->cols[0].type, SCO_COL_I64);
    cr_expect_eq(t->cols[1].type, SCO_COL_F64);
    cr_expect_eq(t->cols[2].type, SCO_COL_DATE);
    sco__table_free(t);
}

Test(coerce, f64_to_i64_only_whole_values)
{
    struct sco_table *t = built();
    struct sco_err err = { 0 };
    t->cols[1].f64[0] = 3.0;
    t->cols[1].f64[1] = 2.5;
    cr_expect_eq(sco__table_coerce(t, 1, SCO_COL_I64, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "stage forecast row 2: column 'x': expected an integer, got '2.5'");
    t->cols[1].f64[1] = 1e19;
    cr_expect_eq(sco__table_coerce(t, 1, SCO_COL_I64, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg,
                     "stage forecast row 2: column 'x': expected an integer, got '1e+19'");
    cr_expect_eq(t->cols[1].type, SCO_COL_F64);
    t->cols[1].f64[1] = -4e15;
    cr_assert_eq(sco__table_coerce(t, 1, SCO_COL_I64, &err), 0, "%s", err.msg);
    cr_expect_eq(t->cols[1].i64[0], 3);
    cr_expect_eq(t->cols[1].i64[1], -4000000000000000);
    cr_expect_eq(t->cols[1].i64[2], SCO_NULL_I64);
    sco__table_free(t);
}

Test(coerce, typed_to_str_and_back)
{
    struct sco_table *t = built();
    struct sco_err err = { 0 };
    t->cols[1].f64[0] = 0.1;
    t->cols[2].i64[1] = 20786;
    /* A pointer borrowed before the conversion stays readable (ASan checks this). */
    const int64_t *old = sco__table_api()->i64(t, 0);
    cr_assert_eq(sco__table_coerce(t, 0, SCO_COL_STR, &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_coerce(t, 1, SCO_COL_STR, &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_coerce(t, 2, SCO_COL_STR, &err), 0, "%s", err.msg);
    cr_expect_eq(old[0], 5);
    cr_expect_str_eq(cell(t, "n", 0), "5");
    cr_expect_str_eq(cell(t, "n", 1), "");
    cr_expect_str_eq(cell(t, "n", 2), "-3");
    cr_expect_str_eq(cell(t, "x", 0), "0.1");
    cr_expect_str_eq(cell(t, "x", 1), "");
    cr_expect_str_eq(cell(t, "d", 1), "2026-11-29");
    /* And back, as another consumer would. */
    cr_assert_eq(sco__table_coerce(t, 0, SCO_COL_I64, &err), 0, "%s", err.msg);
    cr_expect_eq(t->cols[0].i64[2], -3);
    cr_assert_eq(sco__table_coerce(t, 2, SCO_COL_I64, &err), 0, "%s", err.msg);
    cr_expect_eq(t->cols[2].type, SCO_COL_DATE);
    cr_expect_eq(t->cols[2].i64[1], 20786);
    cr_expect_eq(t->cols[2].i64[0], SCO_NULL_I64);
    sco__table_free(t);
}

Test(coerce, dates_asked_for_as_i64_become_date)
{
    struct sco_table *t;
    struct sco_err err = { 0 };
    cr_assert_eq(coerce_text("v\n\n2026-11-29\n", SCO_COL_I64, &t, &err), 0, "%s", err.msg);
    cr_expect_eq(t->cols[0].type, SCO_COL_DATE);
    cr_expect_eq(t->cols[0].i64[1], 20786);
    sco__table_free(t);
    expect_error("v\n2026-11-29\n17\n", SCO_COL_I64,
                 "v.csv:3:1: column 'v': expected a date (YYYY-MM-DD), got '17'");
    expect_error("v\n17\n2026-11-29\n", SCO_COL_I64,
                 "v.csv:3:1: column 'v': expected an integer, got '2026-11-29'");
}

Test(coerce, built_table_string_errors_name_the_row)
{
    static const struct sco_column_spec cols[] = { { "qty", SCO_COL_STR, false, NULL } };
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("orders", cols, 1, &err);
    cr_assert_eq(sco__table_set_origin(t, "stage risk", &err), 0);
    cr_assert_eq(sco__table_add_rows(t, 17, &err), 0);
    cr_assert_eq(sco__table_set_str(t, 0, 16, "12x", &err), 0);
    cr_expect_eq(sco__table_coerce(t, 0, SCO_COL_I64, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "stage risk row 17: column 'qty': expected an integer, got '12x'");
    sco__table_free(t);
}

static const struct sco_column_spec sales_spec[] = {
    { "date", SCO_COL_DATE, false, "sale date" },
    { "sku", SCO_COL_STR, false, NULL },
    { "warehouse", SCO_COL_STR, false, NULL },
    { "qty", SCO_COL_F64, false, NULL },
    { "price", SCO_COL_F64, true, NULL },
    { "promo", SCO_COL_I64, true, NULL },
};

Test(check_columns, converts_declared_types)
{
    struct sco_table *t = sales();
    struct sco_err err = { 0 };
    cr_assert_eq(sco__table_check_columns(t, sales_spec, SCO_COUNT(sales_spec),
                                          "stage 'forecast' input 'sales'", &err),
                 0, "%s", err.msg);
    cr_expect_eq(t->cols[0].type, SCO_COL_DATE);
    cr_expect_eq(t->cols[1].type, SCO_COL_STR);
    cr_expect_eq(t->cols[3].type, SCO_COL_F64);
    cr_expect_eq(t->cols[4].type, SCO_COL_F64);
    cr_expect(isnan(t->cols[3].f64[3]));
    /* A second check is a no-op. */
    cr_assert_eq(sco__table_check_columns(t, sales_spec, SCO_COUNT(sales_spec), NULL, &err), 0);
    sco__table_free(t);
}

Test(check_columns, missing_with_did_you_mean)
{
    struct sco_table *t = parse_ok("date,sku,warehouse,quantity\n", "sales.csv");
    struct sco_err err = { 0 };
    cr_expect_eq(sco__table_check_columns(t, sales_spec, SCO_COUNT(sales_spec),
                                          "stage 'forecast' input 'sales'", &err),
                 SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "stage 'forecast' input 'sales': table 'sales' (sales.csv) has no "
                              "column 'qty'; it has date, sku, warehouse, quantity");
    sco__table_free(t);

    t = parse_ok("Date,sku,wharehouse,qty\n", "sales.csv");
    cr_expect_eq(sco__table_check_columns(t, sales_spec, SCO_COUNT(sales_spec), NULL, &err),
                 SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "table 'sales' (sales.csv) has no columns 'date' (did you mean "
                              "'Date'?), 'warehouse' (did you mean 'wharehouse'?); it has Date, "
                              "sku, wharehouse, qty");
    sco__table_free(t);
}

Test(check_columns, long_column_list_is_cut)
{
    char text[4096];
    size_t w = 0;
    for (int i = 0; i < 200; i++)
        w += (size_t)sprintf(text + w, "%scolumn_number_%d", i ? "," : "", i);
    sprintf(text + w, "\n");
    struct sco_table *t = parse_ok(text, "wide.csv");
    struct sco_err err = { 0 };
    cr_expect_eq(sco__table_check_columns(t, sales_spec, 1, NULL, &err), SCO_ERR_DATA);
    size_t n = strlen(err.msg);
    cr_expect_lt(n, sizeof err.msg);
    cr_expect_str_eq(err.msg + n - 5, ", ...", "%s", err.msg);
    sco__table_free(t);
}

Test(check_columns, wrong_type_from_a_stage)
{
    struct sco_table *t = built();
    struct sco_err err = { 0 };
    static const struct sco_column_spec want[] = {
        { "n", SCO_COL_F64, false, NULL }, /* widened */
        { "d", SCO_COL_F64, false, NULL }, /* refused */
    };
    cr_expect_eq(sco__table_check_columns(t, want, 2, "stage 'inventory' input 'forecast'", &err),
                 SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "stage 'inventory' input 'forecast': column 'd' of table "
                              "'forecast' is date, expected f64; fix stage forecast, which made "
                              "the table");
    cr_expect_eq(t->cols[0].type, SCO_COL_F64);
    sco__table_free(t);
}

Test(check_columns, consumers_in_any_order)
{
    /* One stage reads 'n' as f64, the next as i64: both work, as they would from CSV. */
    struct sco_table *t = built();
    struct sco_err err = { 0 };
    static const struct sco_column_spec as_f64[] = { { "n", SCO_COL_F64, false, NULL } };
    static const struct sco_column_spec as_i64[] = { { "n", SCO_COL_I64, false, NULL } };
    static const struct sco_column_spec as_str[] = { { "n", SCO_COL_STR, false, NULL } };
    cr_assert_eq(sco__table_check_columns(t, as_f64, 1, "a", &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_check_columns(t, as_i64, 1, "b", &err), 0, "%s", err.msg);
    cr_expect_eq(t->cols[0].i64[0], 5);
    cr_assert_eq(sco__table_check_columns(t, as_str, 1, "c", &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_check_columns(t, as_f64, 1, "d", &err), 0, "%s", err.msg);
    cr_expect_eq(t->cols[0].f64[2], -3.0);
    sco__table_free(t);
}
