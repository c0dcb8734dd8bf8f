/* test-csv-write.c: writing tables as CSV, and reading them back unchanged. */
#include <math.h>
#include <sys/stat.h>

#include "helpers.h"

static const struct sco_column_spec cols[] = {
    { "id", SCO_COL_I64, false, NULL },
    { "x", SCO_COL_F64, false, NULL },
    { "day", SCO_COL_DATE, false, NULL },
    { "name", SCO_COL_STR, false, NULL },
};

static char *write_to_string(const struct sco_table *t)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_write_stream(t, f, "mem", &err), 0, "%s", err.msg);
    fclose(f);
    return buf;
}

Test(csv_write, quoting_and_nulls)
{
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("out", cols, 4, &err);
    cr_assert_not_null(t);
    cr_assert_eq(sco__table_add_rows(t, 4, &err), 0);
    t->cols[0].i64[0] = 1;
    t->cols[1].f64[0] = 0.1;
    t->cols[2].i64[0] = 20786;
    cr_assert_eq(sco__table_set_str(t, 3, 0, "plain", &err), 0);
    t->cols[0].i64[1] = -2;
    t->cols[1].f64[1] = 1e21;
    cr_assert_eq(sco__table_set_str(t, 3, 1, "a, b", &err), 0);
    cr_assert_eq(sco__table_set_str(t, 3, 2, "say \"hi\"", &err), 0);
    cr_assert_eq(sco__table_set_str(t, 3, 3, "two\nlines", &err), 0);
    t->cols[1].f64[3] = -0.0;
    char *s = write_to_string(t);
    cr_expect_str_eq(s, "id,x,day,name\n"
                        "1,0.1,2026-11-29,plain\n"
                        "-2,1e+21,,\"a, b\"\n"
                        ",,,\"say \"\"hi\"\"\"\n"
                        ",-0,,\"two\nlines\"\n");
    free(s);
    sco__table_free(t);
}

Test(csv_write, f64_shortest_round_trip)
{
    char buf[32];
    cr_expect_str_eq(sco__f64_format(0.1, buf), "0.1");
    cr_expect_str_eq(sco__f64_format(1.0 / 3.0, buf), "0.33333333333333331");
    cr_expect_str_eq(sco__f64_format(2.5, buf), "2.5");
    cr_expect_str_eq(sco__f64_format(100, buf), "100");
    cr_expect_str_eq(sco__f64_format(0.1 + 0.2, buf), "0.30000000000000004");
    cr_expect_str_eq(sco__f64_format(NAN, buf), "");
    cr_expect_str_eq(sco__f64_format(INFINITY, buf), "inf");
    cr_expect_str_eq(sco__f64_format(-INFINITY, buf), "-inf");
    cr_expect_str_eq(sco__f64_format(5e-324, buf), "4.94065645841247e-324");
    cr_expect_str_eq(sco__f64_format(1.7976931348623157e308, buf), "1.7976931348623157e+308");
}

/* xorshift64*: deterministic random bits for the doubles below. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

Test(csv_write, round_trip_file_bit_exact)
{
    enum { N = 5000 };
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("rt", cols, 4, &err);
    cr_assert_eq(sco__table_add_rows(t, N, &err), 0);
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    for (size_t r = 0; r < N; r++) {
        uint64_t bits = rnd(&seed);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            x = (double)(int64_t)bits / 7.0;
        if (r % 11 == 0)
            x = NAN;
        if (r % 13 == 0)
            x = (double)(r % 100) / 10.0; /* short decimals */
        t->cols[0].i64[r] = r % 17 == 0 ? SCO_NULL_I64 : (int64_t)rnd(&seed);
        t->cols[1].f64[r] = x;
        t->cols[2].i64[r] = r % 19 == 0 ? SCO_NULL_I64 : (int64_t)(rnd(&seed) % 2932896);
        char name[64];
        static const char *const pieces[] = { "a", ",", "\"", "\n", "\r\n", "é", " ", "x" };
        size_t w = 0;
        for (int k = 0; k < (int)(r % 6); k++)
            w += (size_t)sprintf(name + w, "%s", pieces[rnd(&seed) % 8]);
        name[w] = '\0';
        cr_assert_eq(sco__table_set_str(t, 3, r, name, &err), 0);
    }
    char *dir = make_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/sub/rt.csv", dir);
    cr_assert_eq(sco__csv_write(t, path, &err), 0, "%s", err.msg);

    struct sco_table *b = NULL;
    cr_assert_eq(sco__csv_read(path, NULL, &b, &err), 0, "%s", err.msg);
    cr_assert_eq(sco__table_check_columns(b, cols, 4, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(b->n_rows, N);
    for (size_t r = 0; r < N; r++) {
        cr_assert_eq(b->cols[0].i64[r], t->cols[0].i64[r], "row %zu", r);
        double x = t->cols[1].f64[r], y = b->cols[1].f64[r];
        if (isnan(x))
            cr_assert(isnan(y), "row %zu", r);
        else
            cr_assert(memcmp(&x, &y, sizeof x) == 0, "row %zu: %.17g != %.17g", r, x, y);
        cr_assert_eq(b->cols[2].i64[r], t->cols[2].i64[r], "row %zu", r);
        cr_assert_str_eq(b->cols[3].str[r], t->cols[3].str[r], "row %zu", r);
    }
    sco__table_free(b);
    sco__table_free(t);
    rm_rf(dir);
    free(dir);
}

Test(csv_write, one_column_empty_values_survive)
{
    static const struct sco_column_spec one[] = { { "v", SCO_COL_I64, false, NULL } };
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("one", one, 1, &err);
    cr_assert_eq(sco__table_add_rows(t, 3, &err), 0);
    t->cols[0].i64[0] = 4;
    char *s = write_to_string(t);
    cr_expect_str_eq(s, "v\n4\n\"\"\n\"\"\n");
    struct sco_table *b = parse_ok(s, "one.csv");
    cr_assert_eq(b->n_rows, 3);
    cr_assert_eq(sco__table_coerce(b, 0, SCO_COL_I64, &err), 0, "%s", err.msg);
    cr_expect_eq(b->cols[0].i64[2], SCO_NULL_I64);
    free(s);
    sco__table_free(b);
    sco__table_free(t);
}

Test(csv_write, read_fixture_write_same_bytes)
{
    /* A file already in canonical form (LF, minimal quoting) comes back byte for byte. */
    size_t n;
    char *orig = slurp(DATA("quoting.csv"), &n);
    cr_assert_not_null(orig);
    struct sco_table *t = parse_ok(orig, "quoting.csv");
    char *s = write_to_string(t);
    cr_expect_str_eq(s, "id,text,note\n1,\"a, b\",plain\n2,\"say \"\"hi\"\"\",x\n"
                        "3,\"line one\nline two\",after\n4,,\n5,,end\n");
    free(s);
    free(orig);
    sco__table_free(t);
}

Test(csv_write, errors)
{
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("empty", NULL, 0, &err);
    cr_assert_not_null(t, "%s", err.msg);
    FILE *f = fopen("/dev/null", "w");
    cr_expect_eq(sco__csv_write_stream(t, f, "/dev/null", &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "cannot write table 'empty' as CSV to '/dev/null': it has no "
                              "columns");
    fclose(f);
    sco__table_free(t);

    t = sco__table_new("t", cols, 4, &err);
    f = fopen("/dev/full", "w");
    if (f) {
        cr_assert_eq(sco__table_add_rows(t, 10000, &err), 0);
        setvbuf(f, NULL, _IONBF, 0);
        cr_expect_eq(sco__csv_write_stream(t, f, "/dev/full", &err), SCO_ERR_IO);
        cr_expect_str_eq(err.msg, "cannot write '/dev/full': No space left on device");
        fclose(f);
    }
    sco__table_free(t);
}

Test(csv_write, first_name_with_bom_is_quoted)
{
    /* Found by the fuzz test: a header name starting with U+FEFF must not read as a BOM. */
    static const struct sco_column_spec odd[] = { { "\xEF\xBB\xBFx", SCO_COL_STR, false, NULL },
                                                  { "y", SCO_COL_STR, false, NULL } };
    struct sco_err err = { 0 };
    struct sco_table *t = sco__table_new("odd", odd, 2, &err);
    cr_assert_not_null(t, "%s", err.msg);
    char *s = write_to_string(t);
    cr_expect_str_eq(s, "\"\xEF\xBB\xBFx\",y\n");
    struct sco_table *b = parse_ok(s, "odd.csv");
    cr_expect_str_eq(b->cols[0].name, "\xEF\xBB\xBFx");
    free(s);
    sco__table_free(b);
    sco__table_free(t);
}
