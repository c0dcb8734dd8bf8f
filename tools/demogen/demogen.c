/* sco-demogen OUTDIR [--seed N]: writes the bundled demo business as one CSV per table.
 * The same seed gives byte-identical files; see configs/demo/README.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dates.h"
#include "demogen.h"

#define DEFAULT_SEED 42

struct out {
    FILE *f;
    char path[4096];
    char tmp[4096];
};

static int out_open(struct out *o, const char *dir, const char *table, const char *header)
{
    snprintf(o->path, sizeof o->path, "%s/%s.csv", dir, table);
    snprintf(o->tmp, sizeof o->tmp, "%s/.%s.csv.tmp", dir, table);
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        fprintf(stderr, "sco-demogen: cannot create '%s': %s\n", o->tmp, strerror(errno));
        return -1;
    }
    fprintf(o->f, "%s\n", header);
    return 0;
}

/* Closes and renames into place, so a failed run never leaves a half-written table. */
static int out_close(struct out *o)
{
    int bad = ferror(o->f);
    if (fclose(o->f) != 0 || bad) {
        fprintf(stderr, "sco-demogen: cannot write '%s': %s\n", o->tmp, strerror(errno));
        remove(o->tmp);
        return -1;
    }
    if (rename(o->tmp, o->path) != 0) {
        fprintf(stderr, "sco-demogen: cannot rename '%s' to '%s': %s\n", o->tmp, o->path,
                strerror(errno));
        remove(o->tmp);
        return -1;
    }
    return 0;
}

static void date_str(const struct dg_model *m, int day, char buf[SCO_DATE_BUF])
{
    sco_date_format(m->d0 + day, buf);
}

static void hhmm(int minute, char buf[6])
{
    unsigned u = (unsigned)minute % 1440u;
    snprintf(buf, 6, "%02u:%02u", u / 60u, u % 60u);
}

static void money(long cents, char buf[24])
{
    snprintf(buf, 24, "%ld.%02ld", cents / 100, cents % 100);
}

static int write_items(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "items",
                 "sku,name,category,unit_cost,unit_price,case_pack,moq_units,supplier,weight_kg,"
                 "volume_l,shelf_life_days,skills,velocity,status,listed_from,listed_until") < 0)
        return -1;
    for (int i = 0; i < m->n_items; i++) {
        const struct dg_item *it = &m->items[i];
        char cost[24], price[24], shelf[16] = "";
        char from[SCO_DATE_BUF] = "", until[SCO_DATE_BUF] = "";
        money(it->cost_c, cost);
        money(it->price_c, price);
        if (it->launch > 0)
            date_str(m, it->launch, from);
        if (it->end < DG_HIST)
            date_str(m, it->end - 1, until);
        if (it->shelf_life)
            snprintf(shelf, sizeof shelf, "%d", it->shelf_life);
        fprintf(o.f, "%s,%s,%s,%s,%s,%d,%d,%s,%.3f,%.3f,%s,%s,%s,%s,%s,%s\n", it->sku, it->name,
                m->cats[it->cat].name, cost, price, it->case_pack, it->moq,
                m->suppliers[it->supplier].id, it->weight_g / 1000.0, it->volume_ml / 1000.0, shelf,
                m->cats[it->cat].chilled ? "refrigerated" : "", dg_class_names[it->klass],
                dg_status_names[it->status], from, until);
    }
    return out_close(&o);
}

static int write_suppliers(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "suppliers",
                 "supplier,name,lead_time_days,lead_time_sd_days,order_weekdays") < 0)
        return -1;
    for (int s = 0; s < m->n_suppliers; s++) {
        const struct dg_supplier *p = &m->suppliers[s];
        char days[64] = "";
        int n = 0;
        for (int d = 0; d < 7; d++)
            if (p->weekdays & (1u << d))
                n += snprintf(days + n, sizeof days - (size_t)n, "%s%s", n ? "," : "",
                              dg_weekday_names[d]);
        /* a list with commas is quoted (RFC 4180) */
        fprintf(o.f, "%s,%s,%d,%.1f,%s%s%s\n", p->id, p->name, p->lead_days, p->lead_sd,
                strchr(days, ',') ? "\"" : "", days, strchr(days, ',') ? "\"" : "");
    }
    return out_close(&o);
}

static int write_warehouses(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "warehouses",
                 "warehouse,name,lat,lon,storage_volume_l,receiving_volume_l_per_day") < 0)
        return -1;
    for (int w = 0; w < DG_NWH; w++) {
        const struct dg_warehouse *h = &m->whs[w];
        fprintf(o.f, "%s,%s,%.4f,%.4f,%ld,%ld\n", h->id, h->name, h->lat, h->lon, h->storage_l,
                h->receiving_l);
    }
    return out_close(&o);
}

static int write_calendar(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "calendar", "date,weekday,holiday,event") < 0)
        return -1;
    for (int d = 0; d < m->n_cal; d++) {
        char date[SCO_DATE_BUF];
        date_str(m, d, date);
        fprintf(o.f, "%s,%s,%s,%s\n", date, dg_weekday_names[dg_weekday(m->d0 + d)],
                dg_holiday_names[m->holiday[d]], dg_event_names[m->event[d]]);
    }
    return out_close(&o);
}

static int write_promotions(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "promotions", "sku,warehouse,start_date,end_date,discount_pct") < 0)
        return -1;
    for (int k = 0; k < m->n_promos; k++) {
        const struct dg_promo *p = &m->promos[k];
        char a[SCO_DATE_BUF], b[SCO_DATE_BUF];
        date_str(m, p->start, a);
        date_str(m, p->end, b);
        fprintf(o.f, "%s,%s,%s,%s,%d\n", m->items[p->item].sku, p->wh < 0 ? "" : m->whs[p->wh].id,
                a, b, p->pct);
    }
    return out_close(&o);
}

static int write_sales(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "sales", "date,sku,warehouse,qty,price") < 0)
        return -1;
    /* series are ordered by item then warehouse, so this is date, sku, warehouse order */
    for (int d = 0; d < DG_HIST; d++) {
        char date[SCO_DATE_BUF];
        date_str(m, d, date);
        for (int si = 0; si < m->n_series; si++) {
            const struct dg_series *s = &m->series[si];
            if (s->qty[d] <= 0)
                continue;
            char price[24];
            money(dg_price_at(m, s->item, s->wh, d), price);
            fprintf(o.f, "%s,%s,%s,%d,%s\n", date, m->items[s->item].sku, m->whs[s->wh].id,
                    s->qty[d], price);
        }
    }
    return out_close(&o);
}

static int write_stock(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "stock", "sku,warehouse,on_hand") < 0)
        return -1;
    for (int si = 0; si < m->n_series; si++) {
        const struct dg_series *s = &m->series[si];
        fprintf(o.f, "%s,%s,%d\n", m->items[s->item].sku, m->whs[s->wh].id, s->on_hand);
    }
    return out_close(&o);
}

static int write_open_orders(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "open_orders",
                 "order_ref,kind,sku,warehouse,from_warehouse,qty,expected_date,supplier,"
                 "order_date") < 0)
        return -1;
    for (int k = 0; k < m->n_open; k++) {
        const struct dg_open_order *p = &m->open[k];
        const struct dg_series *s = &m->series[p->series];
        const struct dg_item *it = &m->items[s->item];
        char od[SCO_DATE_BUF], ed[SCO_DATE_BUF];
        date_str(m, p->order_day, od);
        date_str(m, p->expected_day, ed);
        fprintf(o.f, "%s,%s,%s,%s,%s,%d,%s,%s,%s\n", p->ref, p->transfer ? "transfer" : "purchase",
                it->sku, m->whs[s->wh].id, p->transfer ? m->whs[p->from_wh].id : "", p->qty, ed,
                p->transfer ? "" : m->suppliers[it->supplier].id, od);
    }
    return out_close(&o);
}

static int write_bins(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "bins", "warehouse,bin,zone,aisle,bay,level,sku") < 0)
        return -1;
    for (int w = 0; w < DG_NWH; w++)
        for (int si = 0; si < m->n_series; si++) {
            const struct dg_series *s = &m->series[si];
            if (s->wh == w)
                fprintf(o.f, "%s,%s,%c,%d,%d,%d,%s\n", m->whs[w].id, s->bin, s->zone, s->aisle,
                        s->bay, s->level, m->items[s->item].sku);
        }
    return out_close(&o);
}

static int write_customers(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "customers", "customer,lat,lon,segment,signup_date,warehouse") < 0)
        return -1;
    for (int c = 0; c < m->n_customers; c++) {
        const struct dg_customer *p = &m->customers[c];
        char date[SCO_DATE_BUF];
        sco_date_format(p->signup, date);
        fprintf(o.f, "%s,%.5f,%.5f,%s,%s,%s\n", p->id, p->lat, p->lon, dg_segment_names[p->segment],
                date, m->whs[p->wh].id);
    }
    return out_close(&o);
}

static int write_orders(const struct dg_model *m, const char *dir)
{
    struct out o, l;
    if (out_open(&o, dir, "orders",
                 "order_id,customer,warehouse,created_at,tw_start,tw_end,service_min,amount,"
                 "payment_method,card_country,ship_country,ip_country,delivery_date,weight_kg,"
                 "volume_l,skills") < 0)
        return -1;
    if (out_open(&l, dir, "order_lines", "order_id,sku,qty,price") < 0) {
        fclose(o.f);
        remove(o.tmp);
        return -1;
    }
    for (int k = 0; k < m->n_orders; k++) {
        const struct dg_order *p = &m->orders[k];
        char id[24], at[6], a[6], b[6], amount[24];
        char created[SCO_DATE_BUF], delivery[SCO_DATE_BUF];
        snprintf(id, sizeof id, "O261129-%04d", k + 1);
        date_str(m, p->day, created);
        date_str(m, DG_HIST, delivery);
        hhmm(p->minute, at);
        hhmm(p->tw_start, a);
        hhmm(p->tw_end, b);
        money(p->amount_c, amount);
        fprintf(o.f, "%s,%s,%s,%sT%s,%s,%s,%d,%s,%s,%s,%s,%s,%s,%.3f,%.3f,%s\n", id,
                m->customers[p->customer].id, m->whs[p->wh].id, created, at, a, b, p->service_min,
                amount, dg_payment_names[p->payment], p->card, p->ship, p->ip, delivery,
                p->weight_g / 1000.0, p->volume_ml / 1000.0, p->chilled ? "refrigerated" : "");
        for (int j = 0; j < p->n_lines; j++) {
            const struct dg_line *ln = &m->lines[p->first_line + j];
            char price[24];
            money(ln->price_c, price);
            fprintf(l.f, "%s,%s,%d,%s\n", id, m->items[ln->item].sku, ln->qty, price);
        }
    }
    int rc = out_close(&o);
    return out_close(&l) < 0 ? -1 : rc;
}

static int write_history(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "order_history",
                 "order_id,customer,date,sku,qty,amount,fraud,warehouse,time,payment_method,"
                 "card_country,ship_country,ip_country") < 0)
        return -1;
    for (int k = 0; k < m->n_hist; k++) {
        const struct dg_order *p = &m->hist[k];
        char date[SCO_DATE_BUF], at[6];
        date_str(m, p->day, date);
        hhmm(p->minute, at);
        for (int j = 0; j < p->n_lines; j++) {
            const struct dg_line *ln = &m->hist_lines[p->first_line + j];
            char amount[24];
            money((long)ln->qty * ln->price_c, amount);
            fprintf(o.f, "H%06d,%s,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s,%s\n", k + 1,
                    m->customers[p->customer].id, date, m->items[ln->item].sku, ln->qty, amount,
                    p->fraud, m->whs[p->wh].id, at, dg_payment_names[p->payment], p->card, p->ship,
                    p->ip);
        }
    }
    return out_close(&o);
}

static int write_vehicles(const struct dg_model *m, const char *dir)
{
    struct out o;
    if (out_open(&o, dir, "vehicles",
                 "vehicle,warehouse,end_warehouse,capacity_kg,capacity_l,shift_start,shift_end,"
                 "fixed_cost,cost_per_km,cost_per_hour,skills,type") < 0)
        return -1;
    for (int k = 0; k < m->n_vehicles; k++) {
        const struct dg_vehicle *v = &m->vehicles[k];
        char a[6], b[6];
        hhmm(v->shift_start, a);
        hhmm(v->shift_end, b);
        fprintf(o.f, "%s,%s,%s,%d,%d,%s,%s,%.2f,%.2f,%.2f,%s,%s\n", v->id, m->whs[v->wh].id,
                m->whs[v->wh].id, v->capacity_kg, v->capacity_l, a, b, v->fixed_cost,
                v->cost_per_km, v->cost_per_hour, v->refrigerated ? "refrigerated" : "", v->type);
    }
    return out_close(&o);
}

void dg_model_free(struct dg_model *m)
{
    if (!m)
        return;
    for (int si = 0; si < m->n_series && m->series; si++) {
        free(m->series[si].qty);
        free(m->series[si].left);
    }
    free(m->series);
    free(m->holiday);
    free(m->event);
    free(m->promos);
    free(m->promo_pct);
    free(m->open);
    free(m->customers);
    free(m->hist);
    free(m->hist_lines);
    free(m->orders);
    free(m->lines);
    free(m->vehicles);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sco-demogen OUTDIR [--seed N] [--list-suspicious]\n"
            "writes the demo business (one CSV per table) into OUTDIR; the default seed %d\n"
            "reproduces configs/demo/ byte for byte. --list-suspicious also prints the ids\n"
            "of tomorrow's orders that were generated as fraud attempts (not in any table)\n",
            DEFAULT_SEED);
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    uint64_t seed = DEFAULT_SEED;
    int list_suspicious = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--list-suspicious")) {
            list_suspicious = 1;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            char *end;
            errno = 0;
            seed = strtoull(argv[++i], &end, 10);
            if (errno || *end || !*argv[i] || argv[i][0] == '-') {
                fprintf(stderr, "sco-demogen: bad seed '%s'; give a non-negative integer\n",
                        argv[i]);
                return 64;
            }
        } else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "sco-demogen: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 64;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        usage(stderr);
        return 64;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "sco-demogen: cannot create '%s': %s\n", dir, strerror(errno));
        return 73;
    }
    static struct dg_model m;
    m.seed = seed;
    int rc = 70;
    if (dg_catalog(&m) < 0 || dg_demand(&m) < 0 || dg_people(&m) < 0)
        goto out;
    rc = 73;
    if (write_items(&m, dir) < 0 || write_suppliers(&m, dir) < 0 || write_warehouses(&m, dir) < 0 ||
        write_calendar(&m, dir) < 0 || write_promotions(&m, dir) < 0 || write_sales(&m, dir) < 0 ||
        write_stock(&m, dir) < 0 || write_open_orders(&m, dir) < 0 || write_bins(&m, dir) < 0 ||
        write_customers(&m, dir) < 0 || write_orders(&m, dir) < 0 || write_history(&m, dir) < 0 ||
        write_vehicles(&m, dir) < 0)
        goto out;
    for (int k = 0; list_suspicious && k < m.n_orders; k++)
        if (m.orders[k].suspicious)
            printf("O261129-%04d\n", k + 1);
    rc = 0;
out:
    dg_model_free(&m);
    return rc;
}
