/* fc-series.c: random numbers and dense daily series from sparse sales rows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sco/sco-plugin.h>

#include "fc.h"

/* ---- Random numbers ---------------------------------------------------------------------- */
static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void sco__fc_rng_seed(struct sco__fc_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t sco__fc_rng_next(struct sco__fc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

double sco__fc_rng_unif(struct sco__fc_rng *r)
{
    return (double)(sco__fc_rng_next(r) >> 11) * 0x1.0p-53;
}

double sco__fc_rng_normal(struct sco__fc_rng *r)
{
    /* Box-Muller; one of the pair is dropped to keep the state simple */
    double u = sco__fc_rng_unif(r), v = sco__fc_rng_unif(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

uint64_t sco__fc_hash(const char *s, uint64_t h)
{
    if (!h)
        h = 1469598103934665603ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ 0xff) * 1099511628211ULL;
}

/* ---- Series preparation ------------------------------------------------------------------ */
struct row_ref {
    const char *sku, *wh;
    int64_t date;
    size_t row;
};

static int cmp_ref(const void *a, const void *b)
{
    const struct row_ref *x = a, *y = b;
    int c = strcmp(x->sku, y->sku);
    if (!c)
        c = strcmp(x->wh, y->wh);
    if (!c)
        c = (x->date > y->date) - (x->date < y->date);
    if (!c)
        c = (x->row > y->row) - (x->row < y->row);
    return c;
}

static const char *row_name(const char *(*origin)(void *, size_t), void *ud, size_t row,
                            char *buf, size_t n)
{
    const char *o = origin ? origin(ud, row) : NULL;
    if (o && *o)
        return o;
    snprintf(buf, n, "row %zu", row + 1);
    return buf;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int sco__fc_set_build(struct sco__fc_set *set, size_t n_rows, const int64_t *date,
                      const char *const *sku, const char *const *warehouse, const double *qty,
                      int64_t end, const char *(*origin)(void *ud, size_t row), void *ud,
                      struct sco_err *err)
{
    char nb[64], nb2[64];
    int rc = 0;
    memset(set, 0, sizeof *set);
    struct row_ref *refs = malloc((n_rows ? n_rows : 1) * sizeof *refs);
    if (!refs)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for %zu sales rows", n_rows);

    int64_t dmin = INT64_MAX, dmax = INT64_MIN;
    size_t m = 0;
    for (size_t i = 0; i < n_rows; i++) {
        const char *s = sku[i] ? sku[i] : "", *w = warehouse && warehouse[i] ? warehouse[i] : "";
        if (date[i] == SCO_NULL_I64) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: missing date; every sales row needs one",
                             row_name(origin, ud, i, nb, sizeof nb));
            goto out;
        }
        if (!*s) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: missing sku; every sales row needs one",
                             row_name(origin, ud, i, nb, sizeof nb));
            goto out;
        }
        if (!isfinite(qty[i])) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: qty of sku '%s' is not a number; write units sold as a "
                             "non-negative number",
                             row_name(origin, ud, i, nb, sizeof nb), s);
            goto out;
        }
        if (qty[i] < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: negative qty %g of sku '%s'; record returns separately, "
                             "sales must be >= 0",
                             row_name(origin, ud, i, nb, sizeof nb), qty[i], s);
            goto out;
        }
        if (end != SCO_NULL_I64 && date[i] >= end)
            continue;
        refs[m++] = (struct row_ref){ s, w, date[i], i };
        if (date[i] < dmin)
            dmin = date[i];
        if (date[i] > dmax)
            dmax = date[i];
    }
    if (m == 0) {
        rc = sco_err_set(err, SCO_ERR_NOINPUT,
                         "no sales rows before the planning date; the forecast needs history");
        goto out;
    }
    qsort(refs, m, sizeof *refs, cmp_ref);
    set->start = dmin;
    set->end = end == SCO_NULL_I64 ? dmax + 1 : end;
    size_t n_series = 0;
    for (size_t i = 0; i < m; i++) {
        if (i > 0 && !strcmp(refs[i].sku, refs[i - 1].sku) && !strcmp(refs[i].wh, refs[i - 1].wh)) {
            if (refs[i].date == refs[i - 1].date) {
                const char *a = row_name(origin, ud, refs[i - 1].row, nb, sizeof nb);
                char keep[128];
                snprintf(keep, sizeof keep, "%s", a);
                rc = sco_err_set(err, SCO_ERR_DATA,
                                 "%s: duplicate sales row for sku '%s' warehouse '%s' on the "
                                 "same date as %s; sum them into one row",
                                 row_name(origin, ud, refs[i].row, nb2, sizeof nb2), refs[i].sku,
                                 refs[i].wh, keep);
                goto out;
            }
            continue;
        }
        n_series++;
    }
    set->s = calloc(n_series, sizeof *set->s);
    if (!set->s) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for %zu series", n_series);
        goto out;
    }
    int n_days = (int)(set->end - set->start);
    for (size_t i = 0; i < m; i++) {
        bool same = i > 0 && !strcmp(refs[i].sku, refs[i - 1].sku) &&
                    !strcmp(refs[i].wh, refs[i - 1].wh);
        struct sco__fc_series *s;
        if (!same) {
            s = &set->s[set->n++];
            s->sku = dupstr(refs[i].sku);
            s->warehouse = dupstr(refs[i].wh);
            s->y = calloc((size_t)n_days + 1, sizeof *s->y);
            s->start = set->start;
            s->n = n_days;
            s->first = n_days;
            if (!s->sku || !s->warehouse || !s->y) {
                rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for series '%s'",
                                 refs[i].sku);
                goto out;
            }
        }
        s = &set->s[set->n - 1];
        int d = (int)(refs[i].date - set->start);
        s->y[d] = qty[refs[i].row];
        if (qty[refs[i].row] > 0 && d < s->first)
            s->first = d;
    }
out:
    free(refs);
    if (rc)
        sco__fc_set_fini(set);
    return rc;
}

void sco__fc_set_fini(struct sco__fc_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->s[i].sku);
        free(set->s[i].warehouse);
        free(set->s[i].y);
    }
    free(set->s);
    memset(set, 0, sizeof *set);
}

long sco__fc_set_find(const struct sco__fc_set *set, const char *sku, const char *warehouse)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(set->s[mid].sku, sku);
        if (!c)
            c = strcmp(set->s[mid].warehouse, warehouse ? warehouse : "");
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

void sco__fc_qname(double q, char *buf, size_t n)
{
    double v = q * 100.0;
    long r = lround(v);
    if (fabs(v - (double)r) < 1e-9) {
        snprintf(buf, n, "q%ld", r);
        return;
    }
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.6g", v);
    for (char *p = tmp; *p; p++)
        if (*p == '.')
            *p = '_';
    snprintf(buf, n, "q%s", tmp);
}

static int cmp_pstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sco__fc_check_known(size_t n, const char *const *key, size_t n_known,
                        const char *const *known, const char *what, const char *table,
                        const char *fix, const char *(*origin)(void *ud, size_t row), void *ud,
                        struct sco_err *err)
{
    const char **sorted = malloc((n_known ? n_known : 1) * sizeof *sorted);
    if (!sorted)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory checking %s", table);
    for (size_t i = 0; i < n_known; i++)
        sorted[i] = known[i] ? known[i] : "";
    qsort(sorted, n_known, sizeof *sorted, cmp_pstr);
    int rc = 0;
    char nb[64];
    for (size_t r = 0; r < n && !rc; r++) {
        const char *k = key[r] ? key[r] : "";
        if (!bsearch(&k, sorted, n_known, sizeof *sorted, cmp_pstr)) {
            const char *o = origin ? origin(ud, r) : NULL;
            if (!o || !*o) {
                snprintf(nb, sizeof nb, "row %zu", r + 1);
                o = nb;
            }
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: %s '%s' is not in %s; %s", o, what, k,
                             table, fix);
        }
    }
    free(sorted);
    return rc;
}

struct date_row {
    int64_t d;
    size_t row;
};

static int cmp_date_row(const void *a, const void *b)
{
    const struct date_row *x = a, *y = b;
    if (x->d != y->d)
        return (x->d > y->d) - (x->d < y->d);
    return (x->row > y->row) - (x->row < y->row);
}

int sco__fc_check_dates(size_t n, const int64_t *date, const char *(*origin)(void *ud, size_t row),
                        void *ud, struct sco_err *err)
{
    struct date_row *dr = malloc((n ? n : 1) * sizeof *dr);
    if (!dr)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory checking the calendar");
    int rc = 0;
    char nb[64], first[160];
    for (size_t r = 0; r < n && !rc; r++) {
        if (date[r] == SCO_NULL_I64)
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: calendar row without a date",
                             row_name(origin, ud, r, nb, sizeof nb));
        dr[r] = (struct date_row){ date[r], r };
    }
    if (!rc)
        qsort(dr, n, sizeof *dr, cmp_date_row);
    for (size_t k = 1; k < n && !rc; k++)
        if (dr[k].d == dr[k - 1].d) {
            snprintf(first, sizeof first, "%s", row_name(origin, ud, dr[k - 1].row, nb, sizeof nb));
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: duplicate calendar date (also at %s); keep one row per date",
                             row_name(origin, ud, dr[k].row, nb, sizeof nb), first);
        }
    free(dr);
    return rc;
}
