/* json.c: a small streaming JSON writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sco-tables.h"

static void escape_valid(struct sco__buf *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (p[i]) {
        case '"': sco__buf_puts(b, "\\\""); break;
        case '\\': sco__buf_puts(b, "\\\\"); break;
        case '\n': sco__buf_puts(b, "\\n"); break;
        case '\r': sco__buf_puts(b, "\\r"); break;
        case '\t': sco__buf_puts(b, "\\t"); break;
        case '\b': sco__buf_puts(b, "\\b"); break;
        case '\f': sco__buf_puts(b, "\\f"); break;
        default:
            if (p[i] < 0x20 || p[i] == 0x7f)
                sco__buf_printf(b, "\\u%04x", p[i]);
            else
                sco__buf_putc(b, (char)p[i]);
        }
    }
}

void sco__json_escape(struct sco__buf *b, const char *s)
{
    /* JSON text is UTF-8: a byte that is not part of valid UTF-8 becomes U+FFFD */
    size_t len = strlen(s), i = 0;
    sco__buf_putc(b, '"');
    while (i < len) {
        size_t ok = sco__utf8_valid_prefix(s + i, len - i);
        escape_valid(b, (const unsigned char *)s + i, ok);
        i += ok;
        if (i < len) {
            sco__buf_puts(b, "\\ufffd");
            i++;
        }
    }
    sco__buf_putc(b, '"');
}

void sco__json_init(struct sco__json *j, struct sco__buf *out, bool pretty)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->pretty = pretty;
    j->first[0] = true;
}

static void newline(struct sco__json *j)
{
    if (!j->pretty)
        return;
    sco__buf_putc(j->out, '\n');
    for (int i = 0; i < j->depth; i++)
        sco__buf_puts(j->out, "  ");
}

/* Before any value: a comma unless first, a newline when pretty; nothing right after a key. */
static void before_value(struct sco__json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth > 0) {
        if (!j->first[j->depth])
            sco__buf_putc(j->out, ',');
        j->first[j->depth] = false;
        newline(j);
    }
}

static void open(struct sco__json *j, char c)
{
    before_value(j);
    sco__buf_putc(j->out, c);
    if (j->depth < SCO__JSON_DEPTH - 1)
        j->depth++;
    j->first[j->depth] = true;
}

static void close_(struct sco__json *j, char c)
{
    bool empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty)
        newline(j);
    sco__buf_putc(j->out, c);
}

void sco__json_obj_begin(struct sco__json *j) { open(j, '{'); }
void sco__json_obj_end(struct sco__json *j) { close_(j, '}'); }
void sco__json_arr_begin(struct sco__json *j) { open(j, '['); }
void sco__json_arr_end(struct sco__json *j) { close_(j, ']'); }

void sco__json_key(struct sco__json *j, const char *key)
{
    before_value(j);
    sco__json_escape(j->out, key);
    sco__buf_puts(j->out, j->pretty ? ": " : ":");
    j->after_key = true;
}

void sco__json_str(struct sco__json *j, const char *s)
{
    before_value(j);
    if (s)
        sco__json_escape(j->out, s);
    else
        sco__buf_puts(j->out, "null");
}

void sco__json_i64(struct sco__json *j, int64_t v)
{
    before_value(j);
    sco__buf_printf(j->out, "%lld", (long long)v);
}

void sco__json_f64(struct sco__json *j, double v)
{
    before_value(j);
    if (!isfinite(v))
        sco__buf_puts(j->out, "null");
    else {
        /* shortest of %.15g / %.17g that reads back exactly */
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%.15g", v);
        if (strtod(tmp, NULL) != v)
            snprintf(tmp, sizeof tmp, "%.17g", v);
        sco__buf_puts(j->out, tmp);
    }
}

void sco__json_bool(struct sco__json *j, bool v)
{
    before_value(j);
    sco__buf_puts(j->out, v ? "true" : "false");
}

void sco__json_null(struct sco__json *j)
{
    before_value(j);
    sco__buf_puts(j->out, "null");
}
