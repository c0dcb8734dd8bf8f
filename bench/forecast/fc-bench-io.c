/* fc-bench-io.c: CSV reading for the forecast benchmark. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc-bench-io.h"

int bench_parse_date(const char *s, int64_t *out)
{
    /* "YYYY-MM-DD", anything after the day ignored */
    return strnlen(s, 10) == 10 && sco_date_parse(s, 10, out) == 0 ? 0 : -1;
}

void bench_date_str(int64_t z, char buf[48])
{
    sco_date_format(z, buf);
}

static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = 0;
        p = c + 1;
    }
    char *e = f[n - 1] + strcspn(f[n - 1], "\r\n");
    *e = 0;
    return n;
}

int bench_read_long(const char *path, const char *key, struct bench_table *t,
                    struct sco_err *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    FILE *f = fopen(path, "r");
    if (!f)
        return sco_err_set(err, SCO_ERR_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
    char buf[4096], *fl[32];
    int rc = 0, ci = -1, ck = -1, cq = -1;
    size_t line = 1;
    if (!fgets(buf, sizeof buf, f)) {
        rc = sco_err_set(err, SCO_ERR_DATA, "%s:1: empty file; expected a header", path);
        goto out;
    }
    int nf = split(buf, fl, 32);
    for (int i = 0; i < nf; i++) {
        if (!strcmp(fl[i], "series_id"))
            ci = i;
        else if (!strcmp(fl[i], key))
            ck = i;
        else if (!strcmp(fl[i], "qty"))
            cq = i;
    }
    if (ci < 0 || ck < 0 || cq < 0) {
        rc = sco_err_set(err, SCO_ERR_DATA, "%s:1: header lacks series_id, %s or qty", path,
                         key);
        goto out;
    }
    while (fgets(buf, sizeof buf, f)) {
        line++;
        nf = split(buf, fl, 32);
        if (nf == 1 && !*fl[0])
            continue;
        if (nf <= ci || nf <= ck || nf <= cq) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%zu: too few fields", path, line);
            goto out;
        }
        if (t->n == t->cap) {
            size_t c = t->cap ? 2 * t->cap : 1024;
            char **id = realloc(t->id, c * sizeof *id);
            if (id)
                t->id = id;
            int64_t *k = realloc(t->key2, c * sizeof *k);
            if (k)
                t->key2 = k;
            double *v = realloc(t->val, c * sizeof *v);
            if (v)
                t->val = v;
            size_t *l = realloc(t->line, c * sizeof *l);
            if (l)
                t->line = l;
            if (!id || !k || !v || !l) {
                rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
                goto out;
            }
            t->cap = c;
        }
        char *end;
        int64_t kv;
        if (!strcmp(key, "date")) {
            if (bench_parse_date(fl[ck], &kv)) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%zu: date '%s' is not YYYY-MM-DD", path,
                                 line, fl[ck]);
                goto out;
            }
        } else {
            errno = 0;
            kv = strtoll(fl[ck], &end, 10);
            if (errno || end == fl[ck] || *end) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%zu: %s '%s' is not an integer", path,
                                 line, key, fl[ck]);
                goto out;
            }
        }
        double v = strtod(fl[cq], &end);
        if (end == fl[cq] || *end)
            v = NAN; /* reported by the series builder with the row's origin */
        t->id[t->n] = strdup(fl[ci]);
        if (!t->id[t->n]) {
            rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading '%s'", path);
            goto out;
        }
        t->key2[t->n] = kv;
        t->val[t->n] = v;
        t->line[t->n] = line;
        t->n++;
    }
out:
    fclose(f);
    if (rc)
        bench_table_fini(t);
    return rc;
}

void bench_table_fini(struct bench_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->id[i]);
    free(t->id);
    free(t->key2);
    free(t->val);
    free(t->line);
    memset(t, 0, sizeof *t);
}

const char *bench_origin(void *ud, size_t row)
{
    struct bench_table *t = ud;
    const char *b = strrchr(t->path, '/');
    snprintf(t->origin, sizeof t->origin, "%s:%zu", b ? b + 1 : t->path, t->line[row]);
    return t->origin;
}

int bench_group(const struct bench_table *t, struct bench_series **out, size_t *n,
                struct sco_err *err)
{
    *out = NULL;
    *n = 0;
    struct bench_series *s = NULL;
    size_t ns = 0, cap = 0;
    size_t i = 0;
    while (i < t->n) {
        size_t j = i;
        int64_t lo = t->key2[i], hi = t->key2[i];
        while (j < t->n && !strcmp(t->id[j], t->id[i])) {
            lo = t->key2[j] < lo ? t->key2[j] : lo;
            hi = t->key2[j] > hi ? t->key2[j] : hi;
            j++;
        }
        if (ns == cap) {
            cap = cap ? 2 * cap : 64;
            struct bench_series *ns2 = realloc(s, cap * sizeof *s);
            if (!ns2) {
                bench_series_free(s, ns);
                return sco_err_set(err, SCO_ERR_NOMEM, "out of memory grouping series");
            }
            s = ns2;
        }
        struct bench_series *b = &s[ns++];
        b->id = strdup(t->id[i]);
        b->t0 = lo;
        b->n = (int)(hi - lo + 1);
        b->y = malloc((size_t)b->n * sizeof *b->y);
        if (!b->id || !b->y) {
            bench_series_free(s, ns);
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory grouping series");
        }
        for (int k = 0; k < b->n; k++)
            b->y[k] = NAN;
        for (size_t k = i; k < j; k++)
            b->y[t->key2[k] - lo] = t->val[k];
        for (int k = 0; k < b->n; k++)
            if (!isfinite(b->y[k])) {
                int rc = sco_err_set(err, SCO_ERR_DATA,
                                     "%s: series '%s' has no valid value at t=%lld", t->path,
                                     b->id, (long long)(lo + k));
                bench_series_free(s, ns);
                return rc;
            }
        i = j;
    }
    *out = s;
    *n = ns;
    return 0;
}

void bench_series_free(struct bench_series *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) {
        free(s[i].id);
        free(s[i].y);
    }
    free(s);
}
