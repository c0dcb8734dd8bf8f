/* test-csv-read.c: the CSV reader: RFC 4180 quoting, line ends, BOM, UTF-8, bad rows. */
#include "helpers.h"

Test(csv_read, quoting_fixture)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("quoting.csv"), NULL, &t, &err), 0, "%s", err.msg);
    cr_expect_str_eq(t->name, "quoting");
    cr_assert_eq(t->n_cols, 3);
    cr_assert_eq(t->n_rows, 5);
    cr_expect_str_eq(cell(t, "text", 0), "a, b");
    cr_expect_str_eq(cell(t, "text", 1), "say \"hi\"");
    cr_expect_str_eq(cell(t, "text", 2), "line one\nline two");
    cr_expect_str_eq(cell(t, "note", 2), "after");
    cr_expect_str_eq(cell(t, "text", 3), "");
    cr_expect_str_eq(cell(t, "note", 3), "");
    cr_expect_str_eq(cell(t, "text", 4), "");
    cr_expect_str_eq(cell(t, "note", 4), "end");
    /* Rows start on lines 2, 3, 4, 6, 7: row 3 spans lines 4 and 5. */
    const struct sco_table_api *api = sco__table_api();
    cr_expect_str_eq(api->row_origin(t, 2), DATA("quoting.csv") ":4");
    cr_expect_str_eq(api->row_origin(t, 3), DATA("quoting.csv") ":6");
    char buf[512];
    cr_expect_str_eq(sco__table_cell_origin(t, 2, 2, buf, sizeof buf),
                     DATA("quoting.csv") ":5:11");
    cr_expect_str_eq(sco__table_cell_origin(t, 1, 1, buf, sizeof buf),
                     DATA("quoting.csv") ":3:3");
    sco__table_free(t);
}

Test(csv_read, crlf_and_trailing_blank_line)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("crlf.csv"), "t", &t, &err), 0, "%s", err.msg);
    cr_expect_str_eq(t->name, "t");
    cr_assert_eq(t->n_rows, 2);
    cr_expect_str_eq(cell(t, "b", 0), "2");
    cr_expect_str_eq(cell(t, "a", 1), "3");
    /* A line break inside quotes is part of the value, as written. */
    cr_expect_str_eq(cell(t, "b", 1), "x\r\ny");
    sco__table_free(t);
}

Test(csv_read, bom_is_skipped)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("bom.csv"), NULL, &t, &err), 0, "%s", err.msg);
    cr_expect_eq(sco__table_col(t, "sku"), 0);
    cr_expect_str_eq(cell(t, "qty", 0), "1");
    char buf[512];
    cr_expect_str_eq(sco__table_cell_origin(t, 0, 0, buf, sizeof buf), DATA("bom.csv") ":2:1");
    sco__table_free(t);
}

Test(csv_read, invalid_utf8_fixture)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("bad-utf8.csv"), NULL, &t, &err), SCO_ERR_DATA);
    cr_expect_null(t);
    cr_expect_str_eq(err.msg,
                     DATA("bad-utf8.csv") ":3:6: invalid UTF-8 byte 0xff; save the file as UTF-8");
}

Test(csv_read, invalid_utf8_columns_count_characters)
{
    /* "é" is one character: the bad byte after "éé," is column 4. */
    cr_expect_str_eq(parse_fail("a,b\n\xc3\xa9\xc3\xa9,\xc3\x28\n", "u.csv", SCO_ERR_DATA),
                     "u.csv:2:4: invalid UTF-8 byte 0xc3; save the file as UTF-8");
    /* Overlong, surrogate, beyond U+10FFFF, truncated at the end. */
    cr_expect_str_eq(parse_fail("a\n\xc0\xaf\n", "u.csv", SCO_ERR_DATA),
                     "u.csv:2:1: invalid UTF-8 byte 0xc0; save the file as UTF-8");
    cr_expect_str_eq(parse_fail("a\nx\xed\xa0\x80\n", "u.csv", SCO_ERR_DATA),
                     "u.csv:2:2: invalid UTF-8 byte 0xed; save the file as UTF-8");
    cr_expect_str_eq(parse_fail("a\n\xf4\x90\x80\x80\n", "u.csv", SCO_ERR_DATA),
                     "u.csv:2:1: invalid UTF-8 byte 0xf4; save the file as UTF-8");
    cr_expect_str_eq(parse_fail("a\n\xe2\x82", "u.csv", SCO_ERR_DATA),
                     "u.csv:2:1: invalid UTF-8 byte 0xe2; save the file as UTF-8");
}

Test(csv_read, utf8_values_and_positions)
{
    struct sco_table *t = parse_ok("name,qty\n\"Café, «grand»\",\xf0\x9f\x98\x80x\n", "u.csv");
    cr_expect_str_eq(cell(t, "name", 0), "Café, «grand»");
    cr_expect_str_eq(cell(t, "qty", 0), "\xf0\x9f\x98\x80x");
    char buf[128];
    /* The quoted name is 15 characters; qty starts at column 17. */
    cr_expect_str_eq(sco__table_cell_origin(t, 1, 0, buf, sizeof buf), "u.csv:2:17");
    sco__table_free(t);
}

Test(csv_read, ragged_row_fixture)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("ragged.csv"), NULL, &t, &err), SCO_ERR_DATA);
    cr_expect_null(t);
    cr_expect_str_eq(err.msg, DATA("ragged.csv") ":1042: expected 5 fields, found 4");
}

Test(csv_read, ragged_rows_inline)
{
    cr_expect_str_eq(parse_fail("a,b\n1,2\n1,2,3\n", "r.csv", SCO_ERR_DATA),
                     "r.csv:3: expected 2 fields, found 3");
    /* The line of a row is where it starts, after a multi-line quoted field too. */
    cr_expect_str_eq(parse_fail("a,b\n\"x\ny\",2\n1\n", "r.csv", SCO_ERR_DATA),
                     "r.csv:4: expected 2 fields, found 1");
    cr_expect_str_eq(parse_fail("a,b\n\"x\ny\"\n", "r.csv", SCO_ERR_DATA),
                     "r.csv:2: expected 2 fields, found 1");
    cr_expect_str_eq(parse_fail("a,b\n1,2\n\n3,4\n", "r.csv", SCO_ERR_DATA),
                     "r.csv:3: empty line, expected 2 fields; remove the line");
}

Test(csv_read, header_errors)
{
    cr_expect_str_eq(parse_fail("sku,qty,sku\n", "h.csv", SCO_ERR_DATA),
                     "h.csv:1:9: duplicate column name 'sku' (also column 1)");
    cr_expect_str_eq(parse_fail("sku,,qty\n", "h.csv", SCO_ERR_DATA),
                     "h.csv:1:5: empty column name (column 2); name every column in the "
                     "header");
    cr_expect_str_eq(parse_fail("sku,\"\"\n", "h.csv", SCO_ERR_DATA),
                     "h.csv:1:5: empty column name (column 2); name every column in the "
                     "header");
    cr_expect_str_eq(parse_fail("", "h.csv", SCO_ERR_DATA),
                     "h.csv: empty file; a header row is required");
    cr_expect_str_eq(parse_fail("\n\r\n", "h.csv", SCO_ERR_DATA),
                     "h.csv: empty file; a header row is required");
    cr_expect_str_eq(parse_fail("\xef\xbb\xbf", "h.csv", SCO_ERR_DATA),
                     "h.csv: empty file; a header row is required");
}

Test(csv_read, quote_errors)
{
    cr_expect_str_eq(parse_fail("a,b\n1,ab\"c\n", "q.csv", SCO_ERR_DATA),
                     "q.csv:2:5: quote inside an unquoted field; enclose the field in quotes "
                     "and write the quote twice");
    cr_expect_str_eq(parse_fail("a,b\n1,\"ab\"c\n", "q.csv", SCO_ERR_DATA),
                     "q.csv:2:7: unexpected character after a closing quote; a quote inside a "
                     "quoted field is written twice");
    cr_expect_str_eq(parse_fail("a,b\n1,2\n3,\"open\nstill open\n", "q.csv", SCO_ERR_DATA),
                     "q.csv:3:3: quoted field is not closed; add the closing quote (a quote "
                     "inside a quoted field is written twice)");
    cr_expect_str_eq(parse_fail("a,b\n1,2\r3,4\n", "q.csv", SCO_ERR_DATA),
                     "q.csv:2:4: carriage return without a line feed; use LF or CRLF line "
                     "ends, or quote the field");
}

Test(csv_read, nul_byte)
{
    static const char text[] = "a,b\n1,x\0y\n";
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read_mem(text, sizeof text - 1, "n.csv", NULL, &t, &err),
                 SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "n.csv:2:4: NUL byte in the file; is it a CSV text file?");
}

Test(csv_read, edge_shapes)
{
    /* Header only: no rows. No trailing newline. Several blank lines at the end. */
    struct sco_table *t = parse_ok("a,b", "e.csv");
    cr_expect_eq(t->n_rows, 0);
    cr_expect_eq(t->n_cols, 2);
    sco__table_free(t);
    t = parse_ok("a,b\n1,2", "e.csv");
    cr_expect_eq(t->n_rows, 1);
    cr_expect_str_eq(cell(t, "b", 0), "2");
    sco__table_free(t);
    t = parse_ok("a,b\n1,2\n\n\r\n\n", "e.csv");
    cr_expect_eq(t->n_rows, 1);
    sco__table_free(t);
    /* Trailing empty field at end of file, quoted field at end of file. */
    t = parse_ok("a,b\n1,", "e.csv");
    cr_expect_eq(t->n_rows, 1);
    cr_expect_str_eq(cell(t, "b", 0), "");
    sco__table_free(t);
    t = parse_ok("a,b\n1,\"z\"", "e.csv");
    cr_expect_str_eq(cell(t, "b", 0), "z");
    sco__table_free(t);
    /* One column: a blank line in the middle is an empty value, "" at the end too. */
    t = parse_ok("a\nx\n\ny\n\"\"\n", "e.csv");
    cr_assert_eq(t->n_rows, 4);
    cr_expect_str_eq(cell(t, "a", 1), "");
    cr_expect_str_eq(cell(t, "a", 3), "");
    sco__table_free(t);
    /* Spaces are kept; quoted header names work. */
    t = parse_ok("\"my col\", b \n x , y \n", "e.csv");
    cr_expect_str_eq(cell(t, "my col", 0), " x ");
    cr_expect_str_eq(cell(t, " b ", 0), " y ");
    sco__table_free(t);
}

Test(csv_read, missing_file)
{
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read(DATA("no-such.csv"), NULL, &t, &err), SCO_ERR_NOINPUT);
    cr_expect_str_eq(err.msg, "cannot open '" DATA("no-such.csv")
                              "': No such file or directory");
    cr_assert_eq(sco__csv_read(TABLES_DATA_DIR, NULL, &t, &err), SCO_ERR_IO);
    cr_expect_str_eq(err.msg, "cannot read '" TABLES_DATA_DIR "': it is a folder");
}

Test(csv_read, many_rows)
{
    /* 200k rows with quoted and multi-byte fields: counts, values and positions at scale. */
    size_t n = 200000, cap = n * 40 + 64, len = 0;
    char *buf = malloc(cap);
    len += (size_t)sprintf(buf + len, "id,name,qty\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(buf + len, i % 7 ? "%zu,SKU-%zu,%zu\n" : "%zu,\"S,é%zu\",%zu\n",
                               i, i, i * 3);
    struct sco_table *t = NULL;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__csv_read_mem(buf, len, "big.csv", NULL, &t, &err), 0, "%s", err.msg);
    free(buf);
    cr_assert_eq(t->n_rows, n);
    cr_expect_str_eq(cell(t, "name", 7), "S,é7");
    cr_expect_str_eq(cell(t, "name", n - 1), "SKU-199999");
    cr_expect_str_eq(sco__table_row_origin(t, n - 1), "big.csv:200001");
    cr_assert_eq(sco__table_coerce(t, 2, SCO_COL_I64, &err), 0, "%s", err.msg);
    cr_expect_eq(t->cols[2].i64[n - 1], (int64_t)(n - 1) * 3);
    sco__table_free(t);
}
