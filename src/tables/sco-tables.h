/* sco-tables.h: the typed table library the sco host is built on (internal, not installed).
 *
 * What is here:
 *   - struct sco_table, the concrete form of the opaque table in sco-plugin.h: named columns
 *     of int64 / double / string / date, a row count, and where every row came from
 *     (file:line for CSV sources, "stage forecast" for tables a stage built);
 *   - sco__table_api(): the struct sco_table_api plugins call (all members but `create`);
 *   - a CSV reader (RFC 4180, UTF-8 validated, all columns read as strings) and lazy typing
 *     (sco__table_coerce, sco__table_check_columns) with file:line:column errors;
 *   - a CSV writer (shortest round-trip doubles, ISO dates) that writes atomically;
 *   - atomic output files (temp file + fsync + rename) and atomic symlink replacement;
 *   - small helpers: dates, "did you mean", a bump arena.
 *
 * Conventions: functions that can fail return 0 or a negative SCO_ERR_* and fill `err`
 * (which may be NULL). Nothing here prints or exits. `*_free(NULL)` does nothing.
 * Row numbers in the C API are 0-based; in messages ("stage forecast row 17") they are
 * 1-based. Columns in file:line:column are 1-based and count characters (UTF-8 code points).
 *
 * Thread safety: distinct tables may be used from distinct threads; one table must not be
 * changed by one thread while another uses it.
 */
#ifndef SCO_TABLES_H
#define SCO_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sco/sco-plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Arena ------------------------------------------------------------------------------
 * A bump allocator: many small allocations, freed all at once. Memory is zeroed. */
struct sco_arena;

/* New arena whose chunks are at least `chunk` bytes (0 = 64 KiB). NULL when out of memory. */
struct sco_arena *sco__arena_new(size_t chunk);
/* n zeroed bytes aligned to `align` (a power of two, 0 = 16). NULL when out of memory.
 * n == 0 returns a valid unique-enough pointer. Lives until sco__arena_free. */
void *sco__arena_alloc(struct sco_arena *a, size_t n, size_t align);
/* Copy of s (NULL -> "") in the arena; NULL when out of memory. */
char *sco__arena_strdup(struct sco_arena *a, const char *s);
/* Copy of the first n bytes of s, NUL-terminated; NULL when out of memory. */
char *sco__arena_strndup(struct sco_arena *a, const char *s, size_t n);
/* Total bytes handed out (for logs and tests). */
size_t sco__arena_used(const struct sco_arena *a);
/* Frees everything the arena handed out. NULL does nothing. */
void sco__arena_free(struct sco_arena *a);

/* Dates: sco_date_parse, sco_date_format and friends in <sco/sco-plugin.h> (the SDK's
 * header-only calendar, shared with plugins). */

/* ---- Did you mean -----------------------------------------------------------------------
 * The candidate closest to `word` (case-insensitive optimal string alignment distance, i.e.
 * Levenshtein plus adjacent transpositions), or NULL when none is close: within
 * max(1, strlen(word) / 3) edits, or word and candidate share a prefix of at least 3 bytes
 * and one is a prefix of the other ("horizon" -> "horizon_days"). Ties go to the earlier
 * candidate. Returns one of `candidates` (borrowed), never a new string. */
const char *sco__did_you_mean(const char *word, const char *const *candidates, size_t n);
/* The distance used above (bytes, ASCII case folded). */
size_t sco__edit_distance(const char *a, const char *b);

/* ---- UTF-8 ------------------------------------------------------------------------------ */
/* Length of the valid UTF-8 prefix of s[0..n) (no overlongs, no surrogates, <= U+10FFFF,
 * NUL allowed). Equals n when all of it is valid. */
size_t sco__utf8_valid_prefix(const char *s, size_t n);

/* ---- Tables ----------------------------------------------------------------------------- */

/* One column. Exactly one data array is in use, chosen by `type`: i64 for I64 and DATE,
 * f64 for F64, str for STR. Strings are owned by the table (its file buffer or arena);
 * a missing string is "" (never NULL). */
struct sco_col {
    char *name;
    enum sco_col_type type;
    int64_t *i64;
    double *f64;
    const char **str;
    /* CSV tables: per-cell position of the cell's first character in the file, packed as
     * (line - row's line) << 20 | column (both saturate). NULL for built tables. */
    uint32_t *pos;
};

struct sco_table {
    char *name;             /* table name ("sales"), malloc'd */
    size_t n_rows, cap;     /* rows in use, rows allocated in every column */
    size_t n_cols;
    struct sco_col *cols;   /* n_cols of them */
    char *origin;           /* CSV: the file path as given; else a label ("stage forecast") */
    bool from_file;         /* origin is a file path and `line` is set */
    uint32_t *line;         /* from_file: 1-based line each row starts on, 0 = added later */
    char *buf;              /* CSV: the file's bytes; unquoted strings point into it */
    struct sco_arena *strs; /* strings from set_str and coercions */
    /* Column arrays replaced by a conversion: kept until the table is freed, because plugins
     * may hold pointers "valid until the end of the run". */
    void **retired;
    size_t n_retired;
};

/* New empty table (0 rows) named `name` with the given columns (names copied; `optional`
 * and `doc` ignored). Its origin label is "table 'NAME'" until sco__table_set_origin.
 * Returns NULL and fills err on a duplicate or empty column name or out of memory. */
struct sco_table *sco__table_new(const char *name, const struct sco_column_spec *cols,
                                 size_t n, struct sco_err *err);
/* Frees t and everything it owns (column arrays, strings). NULL does nothing. */
void sco__table_free(struct sco_table *t);

/* Appends n rows with every value null (NaN, SCO_NULL_I64, ""). */
int sco__table_add_rows(struct sco_table *t, size_t n, struct sco_err *err);
/* Sets string cell (c, row) to a copy of s (NULL -> ""). Fails (SCO_ERR_INVALID) when c is
 * not a STR column, row >= n_rows, or s is not valid UTF-8. */
int sco__table_set_str(struct sco_table *t, int c, size_t row, const char *s,
                       struct sco_err *err);
/* Index of the column named `name` (exact, case-sensitive), or -1. */
int sco__table_col(const struct sco_table *t, const char *name);
/* Renames the table (host port renaming). */
int sco__table_set_name(struct sco_table *t, const char *name, struct sco_err *err);
/* Sets the origin label of a built table, used in messages: "stage forecast" gives
 * row origins "stage forecast row 17". Ignored (returns 0) for tables read from CSV. */
int sco__table_set_origin(struct sco_table *t, const char *label, struct sco_err *err);
/* Who made the table: the CSV path, or the label ("stage forecast"). Borrowed. */
const char *sco__table_origin(const struct sco_table *t);
/* "sales.csv:1042" for CSV rows, "stage forecast row 17" (1-based) otherwise.
 * Borrowed, thread-local buffer: valid until the next call in this thread. */
const char *sco__table_row_origin(const struct sco_table *t, size_t row);
/* Writes where cell (c, row) came from into buf: "sales.csv:1042:17" for CSV cells (line of
 * the cell itself, which differs from the row's for quoted fields spanning lines), else the
 * row origin. Returns buf. */
char *sco__table_cell_origin(const struct sco_table *t, int c, size_t row, char *buf,
                             size_t n);
/* "i64", "f64", "str", "date". */
const char *sco__col_type_name(enum sco_col_type type);

/* The table API for plugins: every member of struct sco_table_api except `create`, which is
 * NULL (it needs the host's ctx): copy the struct, set `create` to a wrapper around
 * sco__table_new, and hand the copy to plugins. Static storage, never freed. */
const struct sco_table_api *sco__table_api(void);

/* ---- Typing -----------------------------------------------------------------------------
 * CSV columns arrive as STR; these convert them in place once a consumer says what it needs.
 * Empty cells become null. Text must be exactly a value of the type: no surrounding spaces.
 *   I64:  [+-]digits, optionally ".0..." (a zero fraction), within int64; SCO_NULL_I64
 *         itself (INT64_MIN) is refused as it means null. A column whose first value is a
 *         date (YYYY-MM-DD) becomes DATE instead (dates are int64 days; see below).
 *   F64:  decimal [+-](digits[.digits]|.digits)([eE][+-]digits), finite (no inf, nan, hex).
 *   DATE: YYYY-MM-DD, a real calendar date.
 * Errors: "sales.csv:1042:17: column 'qty': expected a number, got 'abc'" (SCO_ERR_DATA),
 * with the file position of the cell, or the row origin ("stage forecast row 17") for
 * built tables.
 *
 * Typed columns convert exactly when a CSV round trip (write, read, parse) would succeed, so
 * a table handed over in memory behaves as if it had been re-read from its CSV, whichever
 * consumer converts it first: I64 -> F64 widens; F64 -> I64 when every value is whole and in
 * range; any type -> STR formats as the CSV writer does; DATE serves I64 reads as is.
 * I64/F64 <-> DATE is refused ("column 'x' of table 't' is f64, expected date; fix stage
 * forecast, which made the table"). Replaced arrays stay allocated until the table is
 * freed, so earlier borrowed pointers stay valid. */

/* Converts column c to `type` as described above. Same type and DATE -> I64 are no-ops.
 * On failure the column is unchanged. */
int sco__table_coerce(struct sco_table *t, int c, enum sco_col_type type, struct sco_err *err);

/* Checks that t has every required column of cols[0..n) and converts each present one to its
 * declared type with sco__table_coerce (optional absent columns are fine). `who` names the
 * consumer for messages, e.g. "stage 'inventory' input 'forecast'" (NULL: none). Errors:
 *   SCO_ERR_DATA "stage 'inventory' input 'sales': table 'sales' (sales.csv) has no column
 *     'qty' (did you mean 'quantity'?); it has date, sku, warehouse, quantity"
 *     (all missing columns are listed: "has no columns 'a', 'b'");
 *   SCO_ERR_DATA "stage 'inventory' input 'forecast': column 'mean' of table 'forecast' is
 *     date, expected f64; fix stage forecast, which made the table" for a typed column that
 *     cannot be converted;
 *   value errors of sco__table_coerce. */
int sco__table_check_columns(struct sco_table *t, const struct sco_column_spec *cols, size_t n,
                             const char *who, struct sco_err *err);

/* ---- CSV --------------------------------------------------------------------------------
 * Reading: RFC 4180 (quoted fields with commas, doubled quotes and line breaks), a header row
 * is required, UTF-8 is validated (a BOM is skipped), LF or CRLF line ends, blank lines at
 * the end are ignored. Every column is STR; see sco__table_coerce. Errors (SCO_ERR_DATA):
 *   "sales.csv:1042: expected 5 fields, found 4"
 *   "sales.csv:7:12: invalid UTF-8 byte 0xff; save the file as UTF-8"
 *   "sales.csv:1:9: duplicate column name 'sku' (also column 2)"
 *   "sales.csv:1:5: empty column name (column 2); name every column in the header"
 *   "sales.csv:3:5: quote inside an unquoted field; ..." / "quoted field is not closed"
 *   "sales.csv:9: empty line, expected 5 fields; remove the line" (one-column files: an
 *     empty value), "NUL byte in the file", "carriage return without a line feed"
 *   "sales.csv: empty file; a header row is required"
 * Cannot open or read: SCO_ERR_NOINPUT (missing) or SCO_ERR_IO. */

/* Reads the CSV file at `path` into a new table named `name` (NULL: the file's base name
 * without ".csv"). Messages name `path` as given. On success *out owns everything. */
int sco__csv_read(const char *path, const char *name, struct sco_table **out,
                  struct sco_err *err);
/* Same, from n bytes of memory (copied); `origin` stands in for the path in messages. */
int sco__csv_read_mem(const char *data, size_t n, const char *origin, const char *name,
                      struct sco_table **out, struct sco_err *err);

/* Writes t as CSV to f: header, then rows, "\n" line ends, fields quoted only when they
 * contain a comma, quote, CR or LF (or an empty field in a one-column table, so the row
 * survives; or a first header name starting with U+FEFF); doubles in the shortest of
 * %.15g / %.17g that reads back bit-exact (NaN -> empty; infinities as "inf"/"-inf", which
 * the typing above refuses on re-reading); null ints empty; dates ISO. Whatever the reader
 * accepted, the writer writes back so that it reads as the same table. `what` names the
 * target in I/O errors. Does not close f. */
int sco__csv_write_stream(const struct sco_table *t, FILE *f, const char *what,
                          struct sco_err *err);
/* Writes t atomically to `path` (folders created): a temp file beside it, fsync, rename.
 * Either the old file stays or the complete new one replaces it. */
int sco__csv_write(const struct sco_table *t, const char *path, struct sco_err *err);

/* Shortest text of x that strtod reads back bit-exact ("%.15g", else "%.17g").
 * buf holds at least 32 bytes. Returns buf. NaN gives "". */
char *sco__f64_format(double x, char buf[32]);

/* ---- Atomic output files ----------------------------------------------------------------
 * open: creates the folder of final_path (mkdir -p) and the temp file
 *   "<dir>/.<basename>.tmp-<pid>-<n>" (O_EXCL, mode 0666 & ~umask) for writing;
 * commit: fflush, fsync, fclose, rename over final_path, fsync the folder; frees `of`
 *   whether it succeeds or not (on failure the temp file is removed, the old final file is
 *   untouched);
 * abort: fclose and unlink the temp file; frees `of`. NULL does nothing.
 * Errors name the path and strerror: "cannot create '/out/.x.csv.tmp-42-1': Permission
 * denied" (SCO_ERR_IO). */
struct sco_outfile;

int sco__outfile_open(const char *final_path, struct sco_outfile **out, struct sco_err *err);
/* The stream to write to; owned by `of` (do not fclose it). */
FILE *sco__outfile_stream(struct sco_outfile *of);
/* The final and the temporary path. Borrowed, valid until commit/abort. */
const char *sco__outfile_path(const struct sco_outfile *of);
const char *sco__outfile_tmp_path(const struct sco_outfile *of);
int sco__outfile_commit(struct sco_outfile *of, struct sco_err *err);
void sco__outfile_abort(struct sco_outfile *of);

/* mkdir -p: creates `dir` and missing parents (mode 0777 & ~umask). Existing is fine. */
int sco__mkdir_p(const char *dir, struct sco_err *err);

/* Points the symlink `link_path` at `target` atomically: makes a temporary symlink beside
 * it and renames it over link_path (which may exist as a symlink, or not at all; a real
 * file or folder there is refused with SCO_ERR_IO), then fsyncs the folder. `target` is
 * stored as given (use a relative target such as "2026-11-29" for a relocatable tree). */
int sco__symlink_replace(const char *target, const char *link_path, struct sco_err *err);

#ifdef __cplusplus
}
#endif
#endif
