/* test-fuzz.c: random CSV-ish bytes never crash the reader, and whatever it accepts the writer
 * writes back to a file that reads as the same table (run under ASan/valgrind to be useful). */
#include "helpers.h"

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static void same_tables(const struct sco_table *a, const struct sco_table *b, size_t iter)
{
    cr_assert_eq(a->n_cols, b->n_cols, "iteration %zu", iter);
    cr_assert_eq(a->n_rows, b->n_rows, "iteration %zu", iter);
    for (size_t c = 0; c < a->n_cols; c++) {
        cr_assert_str_eq(a->cols[c].name, b->cols[c].name, "iteration %zu", iter);
        for (size_t r = 0; r < a->n_rows; r++)
            cr_assert_str_eq(a->cols[c].str[r], b->cols[c].str[r], "iteration %zu", iter);
    }
}

Test(fuzz, random_inputs_round_trip)
{
    /* Mostly pieces of valid CSV (quoted fields with commas, quotes and line breaks), some
     * that break it: a lone quote or CR, invalid or cut UTF-8, a BOM in the wrong place. */
    static const char *const pieces[] = { "a", "b", ",", ",", ",", "\n", "\n", "\r\n", "1",
                                          "\xc3\xa9", " ", "\"\"", "\"q,\"\"x\"\"\ny\"",
                                          "\"\r\n\"", "x,y", "\"", "\r", "\xff", "\xe2\x82",
                                          "\xef\xbb\xbf" };
    uint64_t seed = 42;
    size_t accepted = 0, iters = 50000;
    for (size_t it = 0; it < iters; it++) {
        char buf[256];
        size_t n = 0, parts = rnd(&seed) % 16;
        /* Start from a valid header most of the time so that bodies get exercised. */
        if (rnd(&seed) % 4) {
            static const char *const headers[] = { "h\n", "h,i\n", "h,i,j\n" };
            const char *h = headers[rnd(&seed) % 3];
            memcpy(buf, h, strlen(h));
            n = strlen(h);
        }
        for (size_t k = 0; k < parts; k++) {
            const char *p = pieces[rnd(&seed) % SCO_COUNT(pieces)];
            size_t l = strlen(p);
            if (n + l >= sizeof buf)
                break;
            memcpy(buf + n, p, l);
            n += l;
        }
        if (rnd(&seed) % 32 == 0 && n < sizeof buf)
            buf[n++] = '\0'; /* a NUL byte inside */
        struct sco_table *t = NULL;
        struct sco_err err = { 0 };
        int rc = sco__csv_read_mem(buf, n, "f.csv", "f", &t, &err);
        if (rc) {
            cr_assert_eq(rc, SCO_ERR_DATA, "iteration %zu: rc %d %s", it, rc, err.msg);
            cr_assert_null(t);
            cr_assert_eq(strncmp(err.msg, "f.csv:", 6), 0, "%s", err.msg);
            continue;
        }
        accepted++;
        char *out = NULL;
        size_t outn = 0;
        FILE *f = open_memstream(&out, &outn);
        cr_assert_eq(sco__csv_write_stream(t, f, "mem", &err), 0, "%s", err.msg);
        fclose(f);
        struct sco_table *b = NULL;
        rc = sco__csv_read_mem(out, outn, "g.csv", "g", &b, &err);
        if (rc) {
            fprintf(stderr, "input:");
            for (size_t k = 0; k < n; k++)
                fprintf(stderr, " %02x", (unsigned char)buf[k]);
            fprintf(stderr, "\n");
        }
        cr_assert_eq(rc, 0, "iteration %zu: %s\n%s", it, err.msg, out);
        same_tables(t, b, it);
        free(out);
        sco__table_free(b);
        sco__table_free(t);
    }
    /* The generator must reach the accepting paths, not only errors. */
    cr_expect_gt(accepted, iters / 20, "accepted %zu of %zu", accepted, iters);
}
