/* csv-read.c: RFC 4180 CSV into a table of string columns.
 *
 * The whole file is read into one buffer that becomes the table's string pool: fields are
 * NUL-terminated in place (the delimiter after a field is overwritten) and quoted fields are
 * unescaped in place (the result is never longer than the source), so there is no per-cell
 * allocation. UTF-8 is validated once over the whole buffer before parsing. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sco-tables.h"
#include "tables-private.h"

struct parser {
    char *p, *end;
    uint32_t line;    /* current physical line, 1-based */
    char *line_start; /* first byte of the current line (after the BOM on line 1) */
    size_t cont;      /* UTF-8 continuation bytes between line_start and p */
    const char *origin;
    struct sco_err *err;
};

/* Characters that stop the unquoted fast scan: NUL, LF, CR, quote, comma, and non-ASCII. */
static unsigned char stop_unquoted[256];
/* ... and inside quotes: NUL, LF, quote, non-ASCII. */
static unsigned char stop_quoted[256];

static void build_tables(void)
{
    for (int c = 0x80; c < 256; c++)
        stop_unquoted[c] = stop_quoted[c] = 1;
    stop_unquoted[0] = stop_unquoted['\n'] = stop_unquoted['\r'] = 1;
    stop_unquoted['"'] = stop_unquoted[','] = 1;
    stop_quoted[0] = stop_quoted['\n'] = stop_quoted['"'] = 1;
}

static void init_tables(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_tables);
}

static unsigned long column_at(const struct parser *ps, const char *q)
{
    return (unsigned long)((size_t)(q - ps->line_start) - ps->cont + 1);
}

static int fail_at(struct parser *ps, const char *q, const char *what)
{
    return sco_err_set(ps->err, SCO_ERR_DATA, "%s:%lu:%lu: %s", ps->origin,
                       (unsigned long)ps->line, column_at(ps, q), what);
}

static uint32_t pack_pos(uint32_t line_delta, unsigned long col)
{
    if (line_delta > SCO__POS_LINE_MAX)
        line_delta = SCO__POS_LINE_MAX;
    if (col > SCO__POS_COL_MAX)
        col = SCO__POS_COL_MAX;
    return line_delta << SCO__POS_COL_BITS | (uint32_t)col;
}

/* Skips p over non-ASCII bytes of valid UTF-8 (validated beforehand), counting the
 * continuation bytes for column numbers. Returns the number of bytes skipped. */
static inline size_t skip_utf8(struct parser *ps)
{
    unsigned char c = (unsigned char)*ps->p;
    size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    ps->p += k;
    ps->cont += k - 1;
    return k;
}

enum delim { D_COMMA, D_EOL, D_EOF };

/* Parses one field at ps->p. On success *start is the NUL-terminated value (in place),
 * *d the delimiter that ended it, and ps->p points past that delimiter. */
static int parse_field(struct parser *ps, char **start, enum delim *d)
{
    char *p = ps->p;
    if (p < ps->end && *p == '"') {
        uint32_t open_line = ps->line;
        unsigned long open_col = column_at(ps, p);
        char *w = p;
        *start = w;
        p++;
        for (;;) {
            /* Copy a run of ordinary bytes. */
            char *run = p;
            while (!stop_quoted[(unsigned char)*p])
                p++;
            if (p != run) {
                memmove(w, run, (size_t)(p - run));
                w += p - run;
            }
            unsigned char c = (unsigned char)*p;
            if (c == '"') {
                if (p + 1 < ps->end && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                    continue;
                }
                p++; /* closing quote */
                break;
            }
            if (c == '\n') {
                *w++ = '\n';
                p++;
                ps->line++;
                ps->line_start = p;
                ps->cont = 0;
                continue;
            }
            if (c == 0) {
                if (p == ps->end) {
                    return sco_err_set(ps->err, SCO_ERR_DATA,
                                       "%s:%lu:%lu: quoted field is not closed; add the "
                                       "closing quote (a quote inside a quoted field is "
                                       "written twice)",
                                       ps->origin, (unsigned long)open_line, open_col);
                }
                ps->p = p;
                return fail_at(ps, p, "NUL byte in the file; is it a CSV text file?");
            }
            /* Non-ASCII: copy the whole sequence. */
            ps->p = p;
            size_t k = skip_utf8(ps);
            memmove(w, p, k);
            w += k;
            p += k;
        }
        ps->p = p;
        /* After the closing quote: a delimiter, a line end, or the end of the file. */
        if (p == ps->end) {
            *w = '\0';
            *d = D_EOF;
            return 0;
        }
        if (*p == ',') {
            *w = '\0';
            ps->p = p + 1;
            *d = D_COMMA;
            return 0;
        }
        if (*p == '\n' || (*p == '\r' && p + 1 < ps->end && p[1] == '\n')) {
            *w = '\0';
            p += *p == '\r' ? 2 : 1;
            ps->p = p;
            ps->line++;
            ps->line_start = p;
            ps->cont = 0;
            *d = D_EOL;
            return 0;
        }
        return fail_at(ps, p,
                       "unexpected character after a closing quote; a quote inside a quoted "
                       "field is written twice");
    }
    /* Unquoted field. */
    *start = p;
    for (;;) {
        while (!stop_unquoted[(unsigned char)*p])
            p++;
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) {
            ps->p = p;
            skip_utf8(ps);
            p = ps->p;
            continue;
        }
        ps->p = p;
        switch (c) {
        case ',':
            *p = '\0';
            ps->p = p + 1;
            *d = D_COMMA;
            return 0;
        case '\n':
            *p = '\0';
            ps->p = p + 1;
            goto eol;
        case '\r':
            if (p + 1 < ps->end && p[1] == '\n') {
                *p = '\0';
                ps->p = p + 2;
                goto eol;
            }
            return fail_at(ps, p, "carriage return without a line feed; use LF or CRLF "
                                  "line ends, or quote the field");
        case '"':
            return fail_at(ps, p, "quote inside an unquoted field; enclose the field in "
                                  "quotes and write the quote twice");
        case 0:
            if (p == ps->end) {
                *d = D_EOF;
                return 0;
            }
            return fail_at(ps, p, "NUL byte in the file; is it a CSV text file?");
        }
    }
eol:
    ps->line++;
    ps->line_start = ps->p;
    ps->cont = 0;
    *d = D_EOL;
    return 0;
}

/* True when only line ends remain from q on. */
static bool only_line_ends(const char *q, const char *end)
{
    while (q < end) {
        if (*q == '\n')
            q++;
        else if (*q == '\r' && q + 1 < end && q[1] == '\n')
            q += 2;
        else
            return false;
    }
    return true;
}

static bool is_blank_line(const char *q, const char *end)
{
    return q < end && (*q == '\n' || (*q == '\r' && q + 1 < end && q[1] == '\n'));
}

/* Reports invalid UTF-8 at byte offset `bad` of buf (with the BOM already skipped at
 * `text`): works out line and column by scanning from the start. */
static int utf8_error(const char *origin, const char *text, const char *bad,
                      struct sco_err *err)
{
    unsigned long line = 1, col = 1;
    for (const char *q = text; q < bad; q++) {
        unsigned char c = (unsigned char)*q;
        if (c == '\n') {
            line++;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {
            col++;
        }
    }
    return sco_err_set(err, SCO_ERR_DATA,
                       "%s:%lu:%lu: invalid UTF-8 byte 0x%02x; save the file as UTF-8", origin,
                       line, col, (unsigned char)*bad);
}

static char *default_name(const char *origin)
{
    const char *base = strrchr(origin, '/');
    base = base ? base + 1 : origin;
    size_t n = strlen(base);
    if (n > 4 && strcasecmp(base + n - 4, ".csv") == 0)
        n -= 4;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, base, n);
        s[n] = '\0';
    }
    return s;
}

/* Parses buf[0..len) (buf[len] must exist; it is set to NUL). Takes ownership of buf. */
static int parse_buffer(char *buf, size_t len, const char *origin, const char *name,
                        struct sco_table **out, struct sco_err *err)
{
    int rc = 0;
    struct sco_table *t = NULL;
    char **hdr = NULL;
    uint32_t *hdr_pos = NULL;
    char *dflt = NULL;
    buf[len] = '\0';
    init_tables();

    char *text = buf;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    char *end = buf + len;
    size_t ok = sco__utf8_valid_prefix(text, (size_t)(end - text));
    if (text + ok != end) {
        rc = utf8_error(origin, text, text + ok, err);
        goto fail;
    }
    if (only_line_ends(text, end)) {
        rc = sco_err_set(err, SCO_ERR_DATA, "%s: empty file; a header row is required",
                         origin);
        goto fail;
    }

    struct parser ps = { .p = text, .end = end, .line = 1, .line_start = text, .cont = 0,
                         .origin = origin, .err = err };

    /* Header. */
    size_t n_hdr = 0, hdr_cap = 16;
    hdr = malloc(hdr_cap * sizeof *hdr);
    hdr_pos = malloc(hdr_cap * sizeof *hdr_pos);
    if (!hdr || !hdr_pos)
        goto nomem;
    enum delim d;
    do {
        if (n_hdr == hdr_cap) {
            hdr_cap *= 2;
            char **h2 = realloc(hdr, hdr_cap * sizeof *hdr);
            if (!h2)
                goto nomem;
            hdr = h2;
            uint32_t *p2 = realloc(hdr_pos, hdr_cap * sizeof *hdr_pos);
            if (!p2)
                goto nomem;
            hdr_pos = p2;
        }
        uint32_t line0 = ps.line;
        unsigned long col0 = column_at(&ps, ps.p);
        if ((rc = parse_field(&ps, &hdr[n_hdr], &d)))
            goto fail;
        hdr_pos[n_hdr] = pack_pos(line0 - 1, col0);
        n_hdr++;
    } while (d == D_COMMA);

    for (size_t i = 0; i < n_hdr; i++) {
        unsigned long line = 1 + (hdr_pos[i] >> SCO__POS_COL_BITS);
        unsigned long col = hdr_pos[i] & SCO__POS_COL_MAX;
        if (!*hdr[i]) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s:%lu:%lu: empty column name (column %zu); name every column "
                             "in the header",
                             origin, line, col, i + 1);
            goto fail;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(hdr[i], hdr[j]) == 0) {
                rc = sco_err_set(err, SCO_ERR_DATA,
                                 "%s:%lu:%lu: duplicate column name '%s' (also column %zu)",
                                 origin, line, col, hdr[i], j + 1);
                goto fail;
            }
        }
    }

    if (!name) {
        dflt = default_name(origin);
        if (!dflt)
            goto nomem;
        name = dflt;
    }
    t = sco__table_alloc(name, n_hdr, err);
    if (!t) {
        rc = SCO_ERR_NOMEM;
        goto fail;
    }
    t->buf = buf;
    buf = NULL;
    t->from_file = true;
    size_t olen = strlen(origin) + 1;
    t->origin = malloc(olen);
    if (!t->origin)
        goto nomem;
    memcpy(t->origin, origin, olen);
    for (size_t i = 0; i < n_hdr; i++) {
        struct sco_col *c = &t->cols[i];
        c->type = SCO_COL_STR;
        size_t nl = strlen(hdr[i]) + 1;
        c->name = malloc(nl);
        c->pos = malloc(sizeof *c->pos);
        if (!c->name || !c->pos)
            goto nomem;
        memcpy(c->name, hdr[i], nl);
    }
    t->line = malloc(sizeof *t->line);
    if (!t->line)
        goto nomem;

    /* Size the columns for the number of line ends left: exact unless fields span lines. */
    size_t est = 1;
    for (const char *q = ps.p; q < end && (q = memchr(q, '\n', (size_t)(end - q))); q++)
        est++;
    if ((rc = sco__table_reserve(t, est, err)))
        goto fail;

    const size_t nc = t->n_cols;
    size_t row = 0;
    while (ps.p < end) {
        if (is_blank_line(ps.p, end)) {
            if (only_line_ends(ps.p, end))
                break;
            if (nc > 1) {
                rc = sco_err_set(err, SCO_ERR_DATA,
                                 "%s:%lu: empty line, expected %zu fields; remove the line",
                                 origin, (unsigned long)ps.line, nc);
                goto fail;
            }
        }
        if (row == t->cap && (rc = sco__table_reserve(t, row + 1, err)))
            goto fail;
        uint32_t rec_line = ps.line;
        t->line[row] = rec_line;
        size_t fi = 0;
        do {
            uint32_t delta = ps.line - rec_line;
            unsigned long col = column_at(&ps, ps.p);
            char *s;
            if ((rc = parse_field(&ps, &s, &d)))
                goto fail;
            if (fi < nc) {
                t->cols[fi].str[row] = s;
                t->cols[fi].pos[row] = pack_pos(delta, col);
            }
            fi++;
        } while (d == D_COMMA);
        if (fi != nc) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%lu: expected %zu fields, found %zu",
                             origin, (unsigned long)rec_line, nc, fi);
            goto fail;
        }
        row++;
        t->n_rows = row;
    }
    free(hdr);
    free(hdr_pos);
    free(dflt);
    *out = t;
    return 0;

nomem:
    rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", origin);
fail:
    free(hdr);
    free(hdr_pos);
    free(dflt);
    free(buf);
    sco__table_free(t);
    return rc;
}

int sco__csv_read_mem(const char *data, size_t n, const char *origin, const char *name,
                      struct sco_table **out, struct sco_err *err)
{
    if (!origin)
        origin = "<memory>";
    if (!out || (n && !data))
        return sco_err_set(err, SCO_ERR_INVALID, "csv_read_mem: bad arguments");
    *out = NULL;
    char *buf = malloc(n + 1);
    if (!buf)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", origin);
    if (n)
        memcpy(buf, data, n);
    return parse_buffer(buf, n, origin, name, out, err);
}

int sco__csv_read(const char *path, const char *name, struct sco_table **out,
                  struct sco_err *err)
{
    if (!path || !out)
        return sco_err_set(err, SCO_ERR_INVALID, "csv_read: bad arguments");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sco_err_set(err, errno == ENOENT ? SCO_ERR_NOINPUT : SCO_ERR_IO,
                           "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return sco_err_set(err, SCO_ERR_IO, "cannot read '%s': %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return sco_err_set(err, SCO_ERR_IO, "cannot read '%s': it is a folder", path);
    }
    /* Read to EOF; the size is a hint (pipes, files that grow). */
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
    }
    for (;;) {
        if (len == cap) {
            size_t ncap = cap * 2;
            char *b2 = ncap > cap ? realloc(buf, ncap + 1) : NULL;
            if (!b2) {
                free(buf);
                close(fd);
                return sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
            }
            buf = b2;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            return sco_err_set(err, SCO_ERR_IO, "cannot read '%s': %s", path, strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    return parse_buffer(buf, len, path, name, out, err);
}
