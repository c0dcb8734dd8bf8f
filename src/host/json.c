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

/* ---- reader ---------------------------------------------------------------------------- */
struct jp {
    const char *s, *end;
    int depth;
};

static void jp_ws(struct jp *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

static void put_utf8(struct sco__buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sco__buf_putn(b, u, n);
}

/* at the opening quote; returns the string (caller frees) or NULL */
static char *jp_string(struct jp *p)
{
    struct sco__buf b = { 0 };
    p->s++;
    while (p->s < p->end && *p->s != '"') {
        unsigned char c = (unsigned char)*p->s;
        if (c < 0x20)
            goto bad;
        if (c != '\\') {
            sco__buf_putc(&b, (char)c);
            p->s++;
            continue;
        }
        if (++p->s >= p->end)
            goto bad;
        char e = *p->s++;
        switch (e) {
        case '"': sco__buf_putc(&b, '"'); break;
        case '\\': sco__buf_putc(&b, '\\'); break;
        case '/': sco__buf_putc(&b, '/'); break;
        case 'b': sco__buf_putc(&b, '\b'); break;
        case 'f': sco__buf_putc(&b, '\f'); break;
        case 'n': sco__buf_putc(&b, '\n'); break;
        case 'r': sco__buf_putc(&b, '\r'); break;
        case 't': sco__buf_putc(&b, '\t'); break;
        case 'u': {
            if (p->end - p->s < 4)
                goto bad;
            int cp = hex4(p->s);
            p->s += 4;
            if (cp < 0)
                goto bad;
            if (cp >= 0xd800 && cp < 0xdc00) {
                if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u')
                    goto bad;
                int lo = hex4(p->s + 2);
                if (lo < 0xdc00 || lo >= 0xe000)
                    goto bad;
                p->s += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp < 0xe000) {
                goto bad;
            }
            put_utf8(&b, (unsigned)cp);
            break;
        }
        default: goto bad;
        }
    }
    if (p->s >= p->end)
        goto bad;
    p->s++;
    if (!b.s)
        sco__buf_puts(&b, "");
    return sco__buf_take(&b);
bad:
    sco__buf_fini(&b);
    return NULL;
}

static struct sco__jval *jp_value(struct jp *p);

static bool jp_push(struct sco__jval *v, char *key, struct sco__jval *item)
{
    v->vals = sco__xrealloc(v->vals, (v->n + 1) * sizeof *v->vals);
    if (v->type == SCO__J_OBJ) {
        v->keys = sco__xrealloc(v->keys, (v->n + 1) * sizeof *v->keys);
        v->keys[v->n] = key;
    }
    v->vals[v->n++] = item;
    return true;
}

static struct sco__jval *jp_container(struct jp *p, struct sco__jval *v)
{
    bool obj = v->type == SCO__J_OBJ;
    char close = obj ? '}' : ']';
    if (++p->depth > 256)
        goto bad;
    p->s++;
    jp_ws(p);
    if (p->s < p->end && *p->s == close) {
        p->s++;
        p->depth--;
        return v;
    }
    for (;;) {
        char *key = NULL;
        jp_ws(p);
        if (obj) {
            if (p->s >= p->end || *p->s != '"' || !(key = jp_string(p)))
                goto bad;
            jp_ws(p);
            if (p->s >= p->end || *p->s != ':') {
                free(key);
                goto bad;
            }
            p->s++;
        }
        struct sco__jval *item = jp_value(p);
        if (!item) {
            free(key);
            goto bad;
        }
        jp_push(v, key, item);
        jp_ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == close) {
            p->s++;
            p->depth--;
            return v;
        }
        goto bad;
    }
bad:
    sco__jval_free(v);
    return NULL;
}

static struct sco__jval *jp_value(struct jp *p)
{
    jp_ws(p);
    if (p->s >= p->end)
        return NULL;
    struct sco__jval *v = sco__xcalloc(1, sizeof *v);
    char c = *p->s;
    size_t left = (size_t)(p->end - p->s);
    if (c == '{' || c == '[') {
        v->type = c == '{' ? SCO__J_OBJ : SCO__J_ARR;
        return jp_container(p, v);
    }
    if (c == '"') {
        v->type = SCO__J_STR;
        if ((v->str = jp_string(p)))
            return v;
    } else if (left >= 4 && memcmp(p->s, "null", 4) == 0) {
        p->s += 4;
        return v;
    } else if (left >= 4 && memcmp(p->s, "true", 4) == 0) {
        v->type = SCO__J_BOOL;
        v->b = true;
        p->s += 4;
        return v;
    } else if (left >= 5 && memcmp(p->s, "false", 5) == 0) {
        v->type = SCO__J_BOOL;
        p->s += 5;
        return v;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        char tmp[64];
        size_t n = 0;
        while (p->s + n < p->end && n < sizeof tmp - 1 &&
               strchr("+-.eE0123456789", p->s[n]))
            n++;
        memcpy(tmp, p->s, n);
        tmp[n] = '\0';
        char *end;
        v->type = SCO__J_NUM;
        v->num = strtod(tmp, &end);
        if (end == tmp + n) {
            p->s += n;
            return v;
        }
    }
    free(v);
    return NULL;
}

struct sco__jval *sco__json_parse(const char *text, size_t len)
{
    struct jp p = { .s = text, .end = text + len };
    struct sco__jval *v = jp_value(&p);
    jp_ws(&p);
    if (v && p.s != p.end) {
        sco__jval_free(v);
        return NULL;
    }
    return v;
}

void sco__jval_free(struct sco__jval *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        sco__jval_free(v->vals[i]);
    }
    free(v->keys);
    free(v->vals);
    free(v->str);
    free(v);
}

const struct sco__jval *sco__jval_get(const struct sco__jval *obj, const char *key)
{
    if (!obj || obj->type != SCO__J_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->vals[i];
    return NULL;
}
