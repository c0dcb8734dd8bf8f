/* sco-democheck DIR: checks that the demo business in DIR is consistent: every table and
 * column of the contract is there, keys are unique, foreign keys resolve, dates and times are
 * valid and in range, quantities are non-negative, prices follow the promotions, orders add
 * up, order history fits inside the sales, and the fleet can carry tomorrow's orders.
 * Prints one line per problem as FILE:LINE: message and exits 1; exits 0 when clean. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"

#define MAX_ERRORS 40

static int n_errors;

static void problem(const char *file, long line, const char *fmt, ...)
{
    if (++n_errors > MAX_ERRORS)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%ld: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- a small string -> int map (open addressing, FNV-1a) ---- */

struct map {
    char **keys;
    long *vals;
    size_t cap, n;
};

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

static long *map_slot(struct map *m, const char *key, int create)
{
    if (create && (m->n + 1) * 2 > m->cap) {
        struct map bigger = { 0 };
        bigger.cap = m->cap ? m->cap * 2 : 1024;
        bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
        bigger.vals = calloc(bigger.cap, sizeof *bigger.vals);
        if (!bigger.keys || !bigger.vals) {
            fprintf(stderr, "sco-democheck: out of memory\n");
            exit(70);
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t j = fnv(m->keys[i]) & (bigger.cap - 1);
                while (bigger.keys[j])
                    j = (j + 1) & (bigger.cap - 1);
                bigger.keys[j] = m->keys[i];
                bigger.vals[j] = m->vals[i];
            }
        bigger.n = m->n;
        free(m->keys);
        free(m->vals);
        *m = bigger;
    }
    if (!m->cap)
        return NULL;
    size_t j = fnv(key) & (m->cap - 1);
    while (m->keys[j]) {
        if (!strcmp(m->keys[j], key))
            return &m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    if (!create)
        return NULL;
    m->keys[j] = strdup(key);
    if (!m->keys[j]) {
        fprintf(stderr, "sco-democheck: out of memory\n");
        exit(70);
    }
    m->vals[j] = -1;
    m->n++;
    return &m->vals[j];
}

static long map_get(struct map *m, const char *key)
{
    long *v = map_slot(m, key, 0);
    return v ? *v : -1;
}

static void map_free(struct map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
}

static const char *key2(const char *a, const char *b)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s|%s", a, b);
    return buf;
}

static const char *key3(const char *a, const char *b, const char *c)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s|%s|%s", a, b, c);
    return buf;
}

/* ---- CSV tables (RFC 4180 quoting, one record per line) ---- */

struct table {
    char file[64];
    char *text;
    int ncols, nrows;
    char **header;
    char **cells; /* nrows x ncols */
    long *lines;  /* line number of each row */
};

static int split(char *s, char **out, int max)
{
    int n = 0;
    for (;;) {
        char *start = s, *w = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s)
                    return -1;
                if (*s == '"' && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *w++ = *s++;
                }
            }
            if (*s && *s != ',')
                return -1;
        } else {
            while (*s && *s != ',') {
                if (*s == '"')
                    return -1;
                w++, s++;
            }
        }
        char sep = *s;
        *w = '\0';
        if (n == max)
            return -1;
        out[n++] = start;
        if (!sep)
            return n;
        s++;
    }
}

static int load(struct table *t, const char *dir, const char *name, const char *const *required)
{
    memset(t, 0, sizeof *t);
    snprintf(t->file, sizeof t->file, "%s.csv", name);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        problem(t->file, 0, "cannot open '%s': %s; regenerate with sco-demogen", path,
                strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    t->text = malloc(cap);
    for (size_t got; t->text && (got = fread(t->text + len, 1, cap - len - 1, f)) > 0;) {
        len += got;
        if (len + 1 == cap) {
            char *bigger = realloc(t->text, cap *= 2);
            if (!bigger)
                free(t->text);
            t->text = bigger;
        }
    }
    fclose(f);
    if (!t->text) {
        fprintf(stderr, "sco-democheck: out of memory\n");
        exit(70);
    }
    t->text[len] = '\0';
    long nlines = 0;
    for (size_t i = 0; i < len; i++)
        nlines += t->text[i] == '\n';
    if (len && t->text[len - 1] != '\n')
        problem(t->file, nlines + 1, "last line has no newline");
    char *lines_save = NULL;
    char *line = strtok_r(t->text, "\n", &lines_save);
    if (!line) {
        problem(t->file, 1, "empty file; expected a header row");
        return -1;
    }
    char *hdr[64];
    int nh = split(line, hdr, 64);
    if (nh <= 0) {
        problem(t->file, 1, "cannot parse the header row");
        return -1;
    }
    t->ncols = nh;
    t->header = malloc((size_t)nh * sizeof *t->header);
    t->cells = malloc((size_t)(nlines + 1) * (size_t)nh * sizeof *t->cells);
    t->lines = malloc((size_t)(nlines + 1) * sizeof *t->lines);
    if (!t->header || !t->cells || !t->lines) {
        fprintf(stderr, "sco-democheck: out of memory\n");
        exit(70);
    }
    memcpy(t->header, hdr, (size_t)nh * sizeof *hdr);
    for (int i = 0; required[i]; i++) {
        int found = 0;
        for (int c = 0; c < nh; c++)
            found |= !strcmp(hdr[c], required[i]);
        if (!found) {
            problem(t->file, 1, "missing column '%s'", required[i]);
            return -1;
        }
    }
    long lineno = 1;
    char *prev_end = line + strlen(line);
    while ((line = strtok_r(NULL, "\n", &lines_save))) {
        /* count skipped empty lines too, so line numbers stay right */
        for (char *p = prev_end; p < line; p++)
            lineno += *p == '\0' || *p == '\n';
        prev_end = line + strlen(line);
        char *fields[64];
        int n = split(line, fields, 64);
        if (n != nh) {
            problem(t->file, lineno, "%d fields, the header has %d", n, nh);
            continue;
        }
        memcpy(&t->cells[(size_t)t->nrows * (size_t)nh], fields, (size_t)nh * sizeof *fields);
        t->lines[t->nrows++] = lineno;
    }
    return 0;
}

static void table_free(struct table *t)
{
    free(t->text);
    free(t->header);
    free(t->cells);
    free(t->lines);
}

static int col(const struct table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->header[c], name))
            return c;
    return -1;
}

static const char *cell(const struct table *t, int r, int c)
{
    return c < 0 ? "" : t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
}

#define AT(t, r) (t)->file, (t)->lines[r]

static int get_long(const struct table *t, int r, int c, long lo, long hi, long *out)
{
    const char *s = cell(t, r, c);
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi) {
        problem(AT(t, r), "%s '%s' is not an integer in [%ld, %ld]", t->header[c], s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int get_double(const struct table *t, int r, int c, double lo, double hi, double *out)
{
    const char *s = cell(t, r, c);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v >= lo && v <= hi)) {
        problem(AT(t, r), "%s '%s' is not a number in [%g, %g]", t->header[c], s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* money with at most two decimals, in cents */
static int get_cents(const struct table *t, int r, int c, long *out)
{
    double v;
    if (get_double(t, r, c, 0.0, 1e9, &v) < 0)
        return -1;
    const char *dot = strchr(cell(t, r, c), '.');
    if (dot && strlen(dot + 1) > 2) {
        problem(AT(t, r), "%s '%s' has more than two decimals", t->header[c], cell(t, r, c));
        return -1;
    }
    *out = lround(v * 100.0);
    return 0;
}

static int get_date(const struct table *t, int r, int c, int64_t lo, int64_t hi, int64_t *out)
{
    const char *s = cell(t, r, c);
    int64_t z;
    if (sco_date_parse(s, strlen(s), &z) != 0) {
        problem(AT(t, r), "%s '%s' is not a date YYYY-MM-DD", t->header[c], s);
        return -1;
    }
    if (z < lo || z > hi) {
        char a[SCO_DATE_BUF], b[SCO_DATE_BUF];
        sco_date_format(lo, a);
        sco_date_format(hi, b);
        problem(AT(t, r), "%s %s is outside %s .. %s", t->header[c], s, a, b);
        return -1;
    }
    *out = z;
    return 0;
}

static int parse_hhmm(const char *s)
{
    if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
        s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
        return -1;
    int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';
    return h < 24 ? h * 60 + m : -1;
}

static int get_hhmm(const struct table *t, int r, int c)
{
    int v = parse_hhmm(cell(t, r, c));
    if (v < 0)
        problem(AT(t, r), "%s '%s' is not a time HH:MM", t->header[c], cell(t, r, c));
    return v;
}

/* key -> row, reporting duplicates */
static void index_rows(struct map *m, const struct table *t, int c)
{
    for (int r = 0; r < t->nrows; r++) {
        long *v = map_slot(m, cell(t, r, c), 1);
        if (*v >= 0)
            problem(AT(t, r), "duplicate %s '%s' (first on line %ld)", t->header[c], cell(t, r, c),
                    t->lines[*v]);
        else
            *v = r;
    }
}

static long ref(struct map *m, const struct table *t, int r, int c, const char *what)
{
    long v = map_get(m, cell(t, r, c));
    if (v < 0)
        problem(AT(t, r), "%s '%s' is not in %s", t->header[c], cell(t, r, c), what);
    return v;
}

static double haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 6371.0 * 2.0 * atan2(sqrt(a), sqrt(1.0 - a));
}

static int valid_country(const char *s)
{
    return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static int one_of(const char *s, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (!strcmp(s, set[i]))
            return 1;
    return 0;
}

#define COLS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define MAX_WH 16

int main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: sco-democheck DIR\nchecks the demo business CSVs in DIR\n");
        return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 64;
    }
    const char *dir = argv[1];
    const int64_t hist_first = sco_days_from_civil(2024, 11, 29);
    const int64_t hist_last = sco_days_from_civil(2026, 11, 28);
    const int64_t plan_day = hist_last + 1;
    const int64_t orders_first = sco_days_from_civil(2025, 11, 29);

    struct table items, sup, wh, cal, promo, sales, stock, open, bins, cust, ord, lines, hist, veh;
    int bad = 0;
    bad |= load(&items, dir, "items",
                COLS("sku", "name", "category", "unit_cost", "unit_price", "case_pack", "moq_units",
                     "supplier", "weight_kg", "volume_l", "shelf_life_days"));
    bad |= load(&sup, dir, "suppliers",
                COLS("supplier", "name", "lead_time_days", "lead_time_sd_days", "order_weekdays"));
    bad |= load(
        &wh, dir, "warehouses",
        COLS("warehouse", "name", "lat", "lon", "storage_volume_l", "receiving_volume_l_per_day"));
    bad |= load(&cal, dir, "calendar", COLS("date", "weekday", "holiday", "event"));
    bad |= load(&promo, dir, "promotions",
                COLS("sku", "warehouse", "start_date", "end_date", "discount_pct"));
    bad |= load(&sales, dir, "sales", COLS("date", "sku", "warehouse", "qty", "price"));
    bad |= load(&stock, dir, "stock", COLS("sku", "warehouse", "on_hand"));
    bad |= load(
        &open, dir, "open_orders",
        COLS("order_ref", "kind", "sku", "warehouse", "from_warehouse", "qty", "expected_date"));
    bad |=
        load(&bins, dir, "bins", COLS("warehouse", "bin", "zone", "aisle", "bay", "level", "sku"));
    bad |= load(&cust, dir, "customers", COLS("customer", "lat", "lon", "segment", "signup_date"));
    bad |= load(&ord, dir, "orders",
                COLS("order_id", "customer", "warehouse", "created_at", "tw_start", "tw_end",
                     "service_min", "amount", "payment_method", "card_country", "ship_country",
                     "ip_country"));
    bad |= load(&lines, dir, "order_lines", COLS("order_id", "sku", "qty"));
    bad |= load(&hist, dir, "order_history",
                COLS("order_id", "customer", "date", "sku", "qty", "amount", "fraud"));
    bad |= load(&veh, dir, "vehicles",
                COLS("vehicle", "warehouse", "end_warehouse", "capacity_kg", "capacity_l",
                     "shift_start", "shift_end", "fixed_cost", "cost_per_km", "cost_per_hour",
                     "skills"));
    if (bad) {
        fprintf(stderr, "sco-democheck: %d problem(s) in '%s'\n", n_errors, dir);
        return 1;
    }

    struct map m_items = { 0 }, m_sup = { 0 }, m_wh = { 0 }, m_cust = { 0 }, m_ord = { 0 };
    struct map m_stock = { 0 }, m_sales = { 0 }, m_bins = { 0 }, m_binsku = { 0 };
    struct map m_cal = { 0 }, m_open = { 0 }, m_veh = { 0 }, m_hist_used = { 0 };
    index_rows(&m_items, &items, col(&items, "sku"));
    index_rows(&m_sup, &sup, col(&sup, "supplier"));
    index_rows(&m_wh, &wh, col(&wh, "warehouse"));
    index_rows(&m_cust, &cust, col(&cust, "customer"));
    index_rows(&m_ord, &ord, col(&ord, "order_id"));
    index_rows(&m_bins, &bins, col(&bins, "bin"));
    index_rows(&m_cal, &cal, col(&cal, "date"));
    index_rows(&m_open, &open, col(&open, "order_ref"));
    index_rows(&m_veh, &veh, col(&veh, "vehicle"));
    if (wh.nrows > MAX_WH)
        problem(wh.file, 1, "%d warehouses, the checker handles %d", wh.nrows, MAX_WH);

    /* suppliers */
    static const char *const wdays[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", NULL };
    for (int r = 0; r < sup.nrows; r++) {
        long lead;
        double sd;
        get_long(&sup, r, col(&sup, "lead_time_days"), 1, 365, &lead);
        get_double(&sup, r, col(&sup, "lead_time_sd_days"), 0.0, 365.0, &sd);
        char days[128];
        snprintf(days, sizeof days, "%s", cell(&sup, r, col(&sup, "order_weekdays")));
        char *save = NULL;
        int n = 0;
        for (char *d = strtok_r(days, ",", &save); d; d = strtok_r(NULL, ",", &save), n++)
            if (!one_of(d, wdays))
                problem(AT(&sup, r), "order_weekdays has '%s'; use Mon..Sun", d);
        if (!n)
            problem(AT(&sup, r), "order_weekdays is empty");
    }

    /* warehouses */
    double wlat[MAX_WH] = { 0 }, wlon[MAX_WH] = { 0 };
    for (int r = 0; r < wh.nrows && r < MAX_WH; r++) {
        double v;
        long cap;
        get_double(&wh, r, col(&wh, "lat"), -90, 90, &wlat[r]);
        get_double(&wh, r, col(&wh, "lon"), -180, 180, &wlon[r]);
        get_double(&wh, r, col(&wh, "storage_volume_l"), 1, 1e12, &v);
        get_long(&wh, r, col(&wh, "receiving_volume_l_per_day"), 1, 1000000000L, &cap);
    }

    /* items */
    long *item_price = calloc((size_t)items.nrows, sizeof *item_price);
    long *item_pack = calloc((size_t)items.nrows, sizeof *item_pack);
    double *item_kg = calloc((size_t)items.nrows, sizeof *item_kg);
    double *item_l = calloc((size_t)items.nrows, sizeof *item_l);
    int64_t *item_from = calloc((size_t)items.nrows, sizeof *item_from);
    int64_t *item_until = calloc((size_t)items.nrows, sizeof *item_until);
    if (!item_price || !item_pack || !item_kg || !item_l || !item_from || !item_until) {
        fprintf(stderr, "sco-democheck: out of memory\n");
        return 70;
    }
    int c_skills = col(&items, "skills");
    for (int r = 0; r < items.nrows; r++) {
        long cost = 0, moq = 0, shelf;
        get_cents(&items, r, col(&items, "unit_cost"), &cost);
        get_cents(&items, r, col(&items, "unit_price"), &item_price[r]);
        if (cost > item_price[r])
            problem(AT(&items, r), "unit_cost above unit_price");
        if (!item_price[r])
            problem(AT(&items, r), "unit_price is zero");
        get_long(&items, r, col(&items, "case_pack"), 1, 100000, &item_pack[r]);
        get_long(&items, r, col(&items, "moq_units"), 1, 10000000, &moq);
        if (item_pack[r] > 0 && moq % item_pack[r])
            problem(AT(&items, r), "moq_units %ld is not a whole number of cases of %ld", moq,
                    item_pack[r]);
        ref(&m_sup, &items, r, col(&items, "supplier"), "suppliers.csv");
        get_double(&items, r, col(&items, "weight_kg"), 1e-6, 1e4, &item_kg[r]);
        get_double(&items, r, col(&items, "volume_l"), 1e-6, 1e5, &item_l[r]);
        if (*cell(&items, r, col(&items, "shelf_life_days")))
            get_long(&items, r, col(&items, "shelf_life_days"), 1, 100000, &shelf);
        item_from[r] = INT64_MIN;
        item_until[r] = INT64_MAX;
        int c;
        if ((c = col(&items, "listed_from")) >= 0 && *cell(&items, r, c))
            get_date(&items, r, c, hist_first, hist_last, &item_from[r]);
        if ((c = col(&items, "listed_until")) >= 0 && *cell(&items, r, c))
            get_date(&items, r, c, hist_first, hist_last, &item_until[r]);
    }

    /* calendar: consecutive days covering the history and 90 days beyond */
    int64_t prev = 0;
    for (int r = 0; r < cal.nrows; r++) {
        int64_t d;
        if (get_date(&cal, r, col(&cal, "date"), hist_first - 3660, plan_day + 3660, &d) < 0)
            continue;
        if (r && d != prev + 1)
            problem(AT(&cal, r), "date %s does not follow the previous row's day",
                    cell(&cal, r, 0));
        prev = d;
        if (strcmp(cell(&cal, r, col(&cal, "weekday")), dg_weekday_names[dg_weekday(d)]))
            problem(AT(&cal, r), "weekday '%s' but %s is a %s", cell(&cal, r, col(&cal, "weekday")),
                    cell(&cal, r, col(&cal, "date")), dg_weekday_names[dg_weekday(d)]);
    }
    {
        char a[SCO_DATE_BUF], b[SCO_DATE_BUF];
        sco_date_format(hist_first, a);
        sco_date_format(plan_day + 89, b);
        if (map_get(&m_cal, a) < 0 || map_get(&m_cal, b) < 0)
            problem(cal.file, 1, "calendar must cover %s .. %s", a, b);
    }

    /* stock and bins: what each warehouse carries */
    for (int r = 0; r < stock.nrows; r++) {
        long on_hand;
        ref(&m_items, &stock, r, col(&stock, "sku"), "items.csv");
        ref(&m_wh, &stock, r, col(&stock, "warehouse"), "warehouses.csv");
        get_long(&stock, r, col(&stock, "on_hand"), 0, 1000000000L, &on_hand);
        long *v = map_slot(&m_stock, key2(cell(&stock, r, 0), cell(&stock, r, 1)), 1);
        if (*v >= 0)
            problem(AT(&stock, r), "duplicate stock row for %s at %s", cell(&stock, r, 0),
                    cell(&stock, r, 1));
        else
            *v = on_hand;
    }
    int b_wh = col(&bins, "warehouse"), b_sku = col(&bins, "sku");
    for (int r = 0; r < bins.nrows; r++) {
        long v;
        ref(&m_wh, &bins, r, b_wh, "warehouses.csv");
        if (!*cell(&bins, r, col(&bins, "zone")))
            problem(AT(&bins, r), "zone is empty");
        get_long(&bins, r, col(&bins, "aisle"), 1, 10000, &v);
        get_long(&bins, r, col(&bins, "bay"), 1, 10000, &v);
        get_long(&bins, r, col(&bins, "level"), 1, 100, &v);
        if (!*cell(&bins, r, b_sku))
            continue; /* an empty bin */
        ref(&m_items, &bins, r, b_sku, "items.csv");
        const char *k = key2(cell(&bins, r, b_sku), cell(&bins, r, b_wh));
        if (map_get(&m_stock, k) < 0)
            problem(AT(&bins, r), "bin for %s at %s, which has no stock row", cell(&bins, r, b_sku),
                    cell(&bins, r, b_wh));
        long *s = map_slot(&m_binsku, k, 1);
        if (*s < 0)
            *s = r;
    }
    for (int r = 0; r < stock.nrows; r++)
        if (map_get(&m_binsku, key2(cell(&stock, r, 0), cell(&stock, r, 1))) < 0)
            problem(AT(&stock, r), "%s at %s has no bin in bins.csv", cell(&stock, r, 0),
                    cell(&stock, r, 1));

    /* promotions: discount in force per sku x warehouse x day */
    int p_sku = col(&promo, "sku"), p_wh = col(&promo, "warehouse");
    int64_t cal_first = hist_first, cal_days = (int64_t)cal.nrows;
    unsigned char *pct = calloc((size_t)items.nrows * MAX_WH * (size_t)(cal_days + 1), 1);
    if (!pct) {
        fprintf(stderr, "sco-democheck: out of memory\n");
        return 70;
    }
    if (cal.nrows) {
        const char *first = cell(&cal, 0, col(&cal, "date"));
        sco_date_parse(first, strlen(first), &cal_first);
    }
    for (int r = 0; r < promo.nrows; r++) {
        long it = ref(&m_items, &promo, r, p_sku, "items.csv"), w = -1, d;
        if (*cell(&promo, r, p_wh))
            w = ref(&m_wh, &promo, r, p_wh, "warehouses.csv");
        int64_t a, b;
        if (get_date(&promo, r, col(&promo, "start_date"), cal_first, cal_first + cal_days - 1,
                     &a) < 0 ||
            get_date(&promo, r, col(&promo, "end_date"), cal_first, cal_first + cal_days - 1, &b) <
                0 ||
            get_long(&promo, r, col(&promo, "discount_pct"), 1, 90, &d) < 0 || it < 0)
            continue;
        if (a > b)
            problem(AT(&promo, r), "start_date after end_date");
        if (w >= MAX_WH)
            continue;
        for (int64_t day = a; day <= b; day++)
            for (int k = 0; k < wh.nrows && k < MAX_WH; k++) {
                if (w >= 0 && k != w)
                    continue;
                unsigned char *p = &pct[((size_t)it * MAX_WH + (size_t)k) * (size_t)cal_days +
                                        (size_t)(day - cal_first)];
                if (*p)
                    problem(AT(&promo, r), "overlaps another promotion of %s",
                            cell(&promo, r, p_sku));
                *p = (unsigned char)d;
            }
    }
    /* list price less the promotion in force, in cents; -1 when the day is not in the
     * calendar (reported there) */
#define PRICE_AT(it, w, day)                                                                       \
    ((day) < cal_first || (day) >= cal_first + cal_days                                            \
         ? -1L                                                                                     \
         : (item_price[it] * (100 - pct[((size_t)(it)*MAX_WH + (size_t)(w)) * (size_t)cal_days +   \
                                        (size_t)((day)-cal_first)]) +                              \
            50) /                                                                                  \
               100)

    /* sales */
    int s_date = col(&sales, "date"), s_sku = col(&sales, "sku"), s_wh = col(&sales, "warehouse");
    int s_qty = col(&sales, "qty"), s_price = col(&sales, "price");
    long total_units = 0;
    for (int r = 0; r < sales.nrows; r++) {
        int64_t d;
        long q, price, it = ref(&m_items, &sales, r, s_sku, "items.csv");
        long w = ref(&m_wh, &sales, r, s_wh, "warehouses.csv");
        if (get_date(&sales, r, s_date, hist_first, hist_last, &d) < 0 ||
            get_long(&sales, r, s_qty, 1, 100000000L, &q) < 0 || it < 0 || w < 0)
            continue;
        total_units += q;
        const char *k =
            key3(cell(&sales, r, s_date), cell(&sales, r, s_sku), cell(&sales, r, s_wh));
        long *v = map_slot(&m_sales, k, 1);
        if (*v >= 0)
            problem(AT(&sales, r), "second row for %s %s %s", cell(&sales, r, s_date),
                    cell(&sales, r, s_sku), cell(&sales, r, s_wh));
        *v = q;
        if (map_get(&m_stock, key2(cell(&sales, r, s_sku), cell(&sales, r, s_wh))) < 0)
            problem(AT(&sales, r), "%s sold at %s, which has no stock row for it",
                    cell(&sales, r, s_sku), cell(&sales, r, s_wh));
        if (d < item_from[it] || d > item_until[it])
            problem(AT(&sales, r), "%s sold on %s outside its listing", cell(&sales, r, s_sku),
                    cell(&sales, r, s_date));
        long want = w < MAX_WH ? PRICE_AT(it, w, d) : 0;
        if (want < 0)
            problem(AT(&sales, r), "date %s is not in calendar.csv", cell(&sales, r, s_date));
        else if (get_cents(&sales, r, s_price, &price) == 0 && w < MAX_WH && price != want)
            problem(AT(&sales, r), "price %s but list price less promotion is %ld.%02ld",
                    cell(&sales, r, s_price), want / 100, want % 100);
    }

    /* open orders */
    int o_sku = col(&open, "sku"), o_wh = col(&open, "warehouse"),
        o_from = col(&open, "from_warehouse");
    for (int r = 0; r < open.nrows; r++) {
        long q, it = ref(&m_items, &open, r, o_sku, "items.csv");
        ref(&m_wh, &open, r, o_wh, "warehouses.csv");
        int64_t d;
        get_long(&open, r, col(&open, "qty"), 1, 1000000000L, &q);
        get_date(&open, r, col(&open, "expected_date"), plan_day, plan_day + 365, &d);
        if (map_get(&m_stock, key2(cell(&open, r, o_sku), cell(&open, r, o_wh))) < 0)
            problem(AT(&open, r), "%s is not stocked at %s", cell(&open, r, o_sku),
                    cell(&open, r, o_wh));
        const char *kind = cell(&open, r, col(&open, "kind"));
        if (!strcmp(kind, "purchase")) {
            if (*cell(&open, r, o_from))
                problem(AT(&open, r), "a purchase has from_warehouse '%s'", cell(&open, r, o_from));
            if (it >= 0 && item_pack[it] > 0 && q % item_pack[it])
                problem(AT(&open, r), "qty %ld is not whole cases of %ld", q, item_pack[it]);
            int c = col(&open, "supplier");
            if (c >= 0 && it >= 0 &&
                strcmp(cell(&open, r, c), cell(&items, (int)it, col(&items, "supplier"))))
                problem(AT(&open, r), "supplier %s, but %s comes from %s", cell(&open, r, c),
                        cell(&open, r, o_sku), cell(&items, (int)it, col(&items, "supplier")));
        } else if (!strcmp(kind, "transfer")) {
            ref(&m_wh, &open, r, o_from, "warehouses.csv");
            if (!strcmp(cell(&open, r, o_from), cell(&open, r, o_wh)))
                problem(AT(&open, r), "transfer from a warehouse to itself");
        } else {
            problem(AT(&open, r), "kind '%s'; use purchase or transfer", kind);
        }
    }

    /* customers */
    static const char *const segments[] = { "consumer", "business", "premium", NULL };
    int64_t *signup = calloc((size_t)cust.nrows + 1, sizeof *signup);
    double *clat = calloc((size_t)cust.nrows + 1, sizeof *clat);
    double *clon = calloc((size_t)cust.nrows + 1, sizeof *clon);
    if (!signup || !clat || !clon) {
        fprintf(stderr, "sco-democheck: out of memory\n");
        return 70;
    }
    int c_cwh = col(&cust, "warehouse");
    for (int r = 0; r < cust.nrows; r++) {
        get_double(&cust, r, col(&cust, "lat"), -90, 90, &clat[r]);
        get_double(&cust, r, col(&cust, "lon"), -180, 180, &clon[r]);
        if (!one_of(cell(&cust, r, col(&cust, "segment")), segments))
            problem(AT(&cust, r), "segment '%s'; use consumer, business or premium",
                    cell(&cust, r, col(&cust, "segment")));
        get_date(&cust, r, col(&cust, "signup_date"), hist_first - 36500, hist_last, &signup[r]);
        if (c_cwh >= 0) {
            long w = ref(&m_wh, &cust, r, c_cwh, "warehouses.csv");
            if (w >= 0 && w < MAX_WH && haversine_km(clat[r], clon[r], wlat[w], wlon[w]) > 50.0)
                problem(AT(&cust, r), "customer %.0f km from %s; the delivery range is 50 km",
                        haversine_km(clat[r], clon[r], wlat[w], wlon[w]), cell(&cust, r, c_cwh));
        }
    }

    /* tomorrow's orders and their lines */
    static const char *const payments[] = { "card",         "paypal",    "invoice",
                                            "direct_debit", "gift_card", NULL };
    long *ord_cents = calloc((size_t)ord.nrows + 1, sizeof *ord_cents);
    double *ord_kg = calloc((size_t)ord.nrows + 1, sizeof *ord_kg);
    double *ord_l = calloc((size_t)ord.nrows + 1, sizeof *ord_l);
    int *ord_cold = calloc((size_t)ord.nrows + 1, sizeof *ord_cold);
    int *ord_lines = calloc((size_t)ord.nrows + 1, sizeof *ord_lines);
    if (!ord_cents || !ord_kg || !ord_l || !ord_cold || !ord_lines) {
        fprintf(stderr, "sco-democheck: out of memory\n");
        return 70;
    }
    int l_ord = col(&lines, "order_id"), l_sku = col(&lines, "sku"), l_price = col(&lines, "price");
    int c_owh = col(&ord, "warehouse");
    for (int r = 0; r < lines.nrows; r++) {
        long q, o = ref(&m_ord, &lines, r, l_ord, "orders.csv");
        long it = ref(&m_items, &lines, r, l_sku, "items.csv");
        if (get_long(&lines, r, col(&lines, "qty"), 1, 100000, &q) < 0 || o < 0 || it < 0)
            continue;
        ord_lines[o]++;
        if (map_get(&m_stock, key2(cell(&lines, r, l_sku), cell(&ord, (int)o, c_owh))) < 0)
            problem(AT(&lines, r), "%s is not stocked at %s, the order's warehouse",
                    cell(&lines, r, l_sku), cell(&ord, (int)o, c_owh));
        long price = item_price[it];
        if (l_price >= 0 && get_cents(&lines, r, l_price, &price) == 0 && price > item_price[it])
            problem(AT(&lines, r), "price above the list price");
        ord_cents[o] += q * price;
        ord_kg[o] += (double)q * item_kg[it];
        ord_l[o] += (double)q * item_l[it];
        if (c_skills >= 0 && strstr(cell(&items, (int)it, c_skills), "refrigerated"))
            ord_cold[o] = 1;
    }
    double wh_kg[MAX_WH] = { 0 }, wh_l[MAX_WH] = { 0 }, wh_cold_kg[MAX_WH] = { 0 };
    double max_kg[MAX_WH] = { 0 };
    int wh_orders[MAX_WH] = { 0 };
    int c_created = col(&ord, "created_at"), c_tws = col(&ord, "tw_start"),
        c_twe = col(&ord, "tw_end");
    char created_day[SCO_DATE_BUF];
    sco_date_format(hist_last, created_day);
    for (int r = 0; r < ord.nrows; r++) {
        long cu = ref(&m_cust, &ord, r, col(&ord, "customer"), "customers.csv");
        long w = ref(&m_wh, &ord, r, c_owh, "warehouses.csv"), svc, amount;
        const char *created = cell(&ord, r, c_created);
        if (strncmp(created, created_day, 10) || created[10] != 'T' || parse_hhmm(created + 11) < 0)
            problem(AT(&ord, r), "created_at '%s' is not a time on %s (YYYY-MM-DDTHH:MM)", created,
                    created_day);
        int a = get_hhmm(&ord, r, c_tws), b = get_hhmm(&ord, r, c_twe);
        if (a >= 0 && b >= 0 && a >= b)
            problem(AT(&ord, r), "tw_start %s is not before tw_end %s", cell(&ord, r, c_tws),
                    cell(&ord, r, c_twe));
        get_long(&ord, r, col(&ord, "service_min"), 0, 600, &svc);
        if (get_cents(&ord, r, col(&ord, "amount"), &amount) == 0 && amount != ord_cents[r])
            problem(AT(&ord, r), "amount %s but its lines add up to %ld.%02ld",
                    cell(&ord, r, col(&ord, "amount")), ord_cents[r] / 100, ord_cents[r] % 100);
        if (!ord_lines[r])
            problem(AT(&ord, r), "order %s has no lines", cell(&ord, r, 0));
        if (!one_of(cell(&ord, r, col(&ord, "payment_method")), payments))
            problem(AT(&ord, r), "unknown payment_method '%s'",
                    cell(&ord, r, col(&ord, "payment_method")));
        static const char *const cc[] = { "card_country", "ship_country", "ip_country", NULL };
        for (int k = 0; cc[k]; k++)
            if (!valid_country(cell(&ord, r, col(&ord, cc[k]))))
                problem(AT(&ord, r), "%s '%s' is not an ISO 3166 alpha-2 code", cc[k],
                        cell(&ord, r, col(&ord, cc[k])));
        int c;
        double v;
        if ((c = col(&ord, "weight_kg")) >= 0 && get_double(&ord, r, c, 0, 1e9, &v) == 0 &&
            fabs(v - ord_kg[r]) > 0.0015)
            problem(AT(&ord, r), "weight_kg %s but its lines weigh %.3f", cell(&ord, r, c),
                    ord_kg[r]);
        if ((c = col(&ord, "volume_l")) >= 0 && get_double(&ord, r, c, 0, 1e9, &v) == 0 &&
            fabs(v - ord_l[r]) > 0.0015)
            problem(AT(&ord, r), "volume_l %s but its lines take %.3f", cell(&ord, r, c), ord_l[r]);
        if ((c = col(&ord, "skills")) >= 0 &&
            !!strstr(cell(&ord, r, c), "refrigerated") != ord_cold[r])
            problem(AT(&ord, r), "skills '%s' disagree with its lines (refrigerated: %s)",
                    cell(&ord, r, c), ord_cold[r] ? "yes" : "no");
        if (cu < 0 || w < 0 || w >= MAX_WH)
            continue;
        if (signup[cu] > hist_last)
            problem(AT(&ord, r), "customer signed up after the order was placed");
        double km = haversine_km(clat[cu], clon[cu], wlat[w], wlon[w]);
        if (km > 50.0)
            problem(AT(&ord, r), "customer is %.0f km from %s; the delivery range is 50 km", km,
                    cell(&ord, r, c_owh));
        wh_orders[w]++;
        wh_kg[w] += ord_kg[r];
        wh_l[w] += ord_l[r];
        if (ord_cold[r])
            wh_cold_kg[w] += ord_kg[r];
        if (ord_kg[r] > max_kg[w])
            max_kg[w] = ord_kg[r];
    }

    /* vehicles: enough of them to carry tomorrow's orders */
    double cap_kg[MAX_WH] = { 0 }, cap_l[MAX_WH] = { 0 }, cap_cold_kg[MAX_WH] = { 0 };
    double big_kg[MAX_WH] = { 0 };
    int first_shift[MAX_WH], last_shift[MAX_WH];
    for (int k = 0; k < MAX_WH; k++) {
        first_shift[k] = 24 * 60;
        last_shift[k] = 0;
    }
    for (int r = 0; r < veh.nrows; r++) {
        long w = ref(&m_wh, &veh, r, col(&veh, "warehouse"), "warehouses.csv"), kg, l;
        ref(&m_wh, &veh, r, col(&veh, "end_warehouse"), "warehouses.csv");
        double cost;
        get_double(&veh, r, col(&veh, "fixed_cost"), 0, 1e6, &cost);
        get_double(&veh, r, col(&veh, "cost_per_km"), 0, 1e6, &cost);
        get_double(&veh, r, col(&veh, "cost_per_hour"), 0, 1e6, &cost);
        int a = get_hhmm(&veh, r, col(&veh, "shift_start")),
            b = get_hhmm(&veh, r, col(&veh, "shift_end"));
        if (a >= 0 && b >= 0 && a >= b)
            problem(AT(&veh, r), "shift_start is not before shift_end");
        if (get_long(&veh, r, col(&veh, "capacity_kg"), 1, 100000, &kg) < 0 ||
            get_long(&veh, r, col(&veh, "capacity_l"), 1, 1000000, &l) < 0 || w < 0 || w >= MAX_WH)
            continue;
        cap_kg[w] += (double)kg;
        cap_l[w] += (double)l;
        if (strstr(cell(&veh, r, col(&veh, "skills")), "refrigerated"))
            cap_cold_kg[w] += (double)kg;
        if ((double)kg > big_kg[w])
            big_kg[w] = (double)kg;
        if (a >= 0 && a < first_shift[w])
            first_shift[w] = a;
        if (b > last_shift[w])
            last_shift[w] = b;
    }
    for (int w = 0; w < wh.nrows && w < MAX_WH; w++) {
        const char *id = cell(&wh, w, 0);
        if (wh_kg[w] > cap_kg[w] || wh_l[w] > cap_l[w])
            problem(veh.file, 1,
                    "%s: orders need %.0f kg / %.0f l, vehicles carry %.0f kg / %.0f l", id,
                    wh_kg[w], wh_l[w], cap_kg[w], cap_l[w]);
        if (wh_cold_kg[w] > cap_cold_kg[w])
            problem(veh.file, 1,
                    "%s: refrigerated orders weigh %.0f kg, refrigerated vehicles carry %.0f", id,
                    wh_cold_kg[w], cap_cold_kg[w]);
        if (max_kg[w] > big_kg[w])
            problem(veh.file, 1, "%s: an order of %.0f kg fits no vehicle (largest %.0f kg)", id,
                    max_kg[w], big_kg[w]);
        if (wh_orders[w] && first_shift[w] > last_shift[w])
            problem(veh.file, 1, "%s has orders but no vehicles", id);
    }
    for (int r = 0; r < ord.nrows; r++) {
        long w = map_get(&m_wh, cell(&ord, r, c_owh));
        int a = parse_hhmm(cell(&ord, r, c_tws)), b = parse_hhmm(cell(&ord, r, c_twe));
        if (w >= 0 && w < MAX_WH && a >= 0 && b >= 0 && (b < first_shift[w] || a > last_shift[w]))
            problem(AT(&ord, r), "time window %s-%s outside every shift at %s",
                    cell(&ord, r, c_tws), cell(&ord, r, c_twe), cell(&ord, r, c_owh));
    }

    /* order history: inside the sales, prices as sold, a plausible fraud rate */
    int h_id = col(&hist, "order_id"), h_cust = col(&hist, "customer"), h_date = col(&hist, "date");
    int h_sku = col(&hist, "sku"), h_wh = col(&hist, "warehouse"), h_fraud = col(&hist, "fraud");
    long n_hist_orders = 0, n_fraud = 0;
    for (int r = 0; r < hist.nrows; r++) {
        long cu = ref(&m_cust, &hist, r, h_cust, "customers.csv");
        long it = ref(&m_items, &hist, r, h_sku, "items.csv"), q, amount, fraud = 0;
        int64_t d;
        if (get_date(&hist, r, h_date, orders_first - 3660, hist_last, &d) < 0 ||
            get_long(&hist, r, col(&hist, "qty"), 1, 100000, &q) < 0 ||
            get_long(&hist, r, h_fraud, 0, 1, &fraud) < 0 ||
            get_cents(&hist, r, col(&hist, "amount"), &amount) < 0 || cu < 0 || it < 0)
            continue;
        int first_row = r == 0 || strcmp(cell(&hist, r, h_id), cell(&hist, r - 1, h_id));
        if (first_row) {
            if (map_get(&m_hist_used, cell(&hist, r, h_id)) >= 0)
                problem(AT(&hist, r),
                        "order %s continues after other orders; keep its rows together",
                        cell(&hist, r, h_id));
            *map_slot(&m_hist_used, cell(&hist, r, h_id), 1) = r;
            n_hist_orders++;
            n_fraud += fraud;
        } else {
            static const char *const same[] = {
                "customer",       "date",         "fraud",        "warehouse",  "time",
                "payment_method", "card_country", "ship_country", "ip_country", NULL
            };
            for (int k = 0; same[k]; k++) {
                int c = col(&hist, same[k]);
                if (c >= 0 && strcmp(cell(&hist, r, c), cell(&hist, r - 1, c)))
                    problem(AT(&hist, r), "%s differs between rows of order %s", same[k],
                            cell(&hist, r, h_id));
            }
        }
        if (d < signup[cu])
            problem(AT(&hist, r), "ordered on %s before the customer signed up",
                    cell(&hist, r, h_date));
        if (h_wh < 0)
            continue;
        long w = ref(&m_wh, &hist, r, h_wh, "warehouses.csv");
        if (w < 0 || w >= MAX_WH)
            continue;
        long want = PRICE_AT(it, w, d);
        if (want >= 0 && amount != q * want)
            problem(AT(&hist, r), "amount %s but %ld x the day's price is %ld.%02ld",
                    cell(&hist, r, col(&hist, "amount")), q, q * want / 100, q * want % 100);
        /* every unit in the history was a unit sold that day at that warehouse */
        const char *k = key3(cell(&hist, r, h_date), cell(&hist, r, h_sku), cell(&hist, r, h_wh));
        long *left = map_slot(&m_sales, k, 0);
        if (!left || *left < q)
            problem(AT(&hist, r), "%ld x %s on %s at %s exceeds that day's sales", q,
                    cell(&hist, r, h_sku), cell(&hist, r, h_date), cell(&hist, r, h_wh));
        else
            *left -= q;
    }
    if (n_hist_orders && (n_fraud * 1000 < n_hist_orders * 5 || n_fraud * 100 > n_hist_orders * 5))
        problem(hist.file, 1, "%ld of %ld orders are fraud; expected 0.5%% .. 5%%", n_fraud,
                n_hist_orders);

    if (n_errors == 0)
        printf("sco-democheck: '%s' is consistent: %d items, %d sales rows (%ld units), "
               "%d orders with %d lines, %ld past orders (%ld fraud), %d vehicles\n",
               dir, items.nrows, sales.nrows, total_units, ord.nrows, lines.nrows, n_hist_orders,
               n_fraud, veh.nrows);
    else
        fprintf(stderr, "sco-democheck: %d problem(s) in '%s'%s\n", n_errors, dir,
                n_errors > MAX_ERRORS ? " (first ones shown)" : "");

    struct map *maps[] = { &m_items, &m_sup,    &m_wh,  &m_cust, &m_ord, &m_stock,    &m_sales,
                           &m_bins,  &m_binsku, &m_cal, &m_open, &m_veh, &m_hist_used };
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
        map_free(maps[i]);
    struct table *tables[] = { &items, &sup,  &wh,   &cal, &promo, &sales, &stock,
                               &open,  &bins, &cust, &ord, &lines, &hist,  &veh };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        table_free(tables[i]);
    free(item_price);
    free(item_pack);
    free(item_kg);
    free(item_l);
    free(item_from);
    free(item_until);
    free(pct);
    free(signup);
    free(clat);
    free(clon);
    free(ord_cents);
    free(ord_kg);
    free(ord_l);
    free(ord_cold);
    free(ord_lines);
    return n_errors ? 1 : 0;
}
