/* The demo business generator: one model, filled in stages, then written as CSV.
 * catalog.c: categories, suppliers, warehouses, items, calendar, promotions
 * demand.c:  daily sales, stock on hand, open orders, bins
 * people.c:  customers, order history, tomorrow's orders, vehicles
 * demogen.c: command line and CSV output */
#ifndef SCO_DEMOGEN_H
#define SCO_DEMOGEN_H

#include <stdint.h>

#include "rng.h"

#define DG_NWH 3
#define DG_NCAT 10
#define DG_HIST 730      /* sales days 2024-11-29 .. 2026-11-28; day index 0 = 2024-11-29 */
#define DG_HIST_ORDERS 365 /* order_history covers the last 365 days of the sales history */
#define DG_MAX_ITEMS 256

enum dg_cat_id {
    CAT_FRESH, CAT_PANTRY, CAT_BEV, CAT_HOUSE, CAT_CARE,
    CAT_ELEC, CAT_TOYS, CAT_GARDEN, CAT_PET, CAT_KITCHEN
};
enum dg_class { CLASS_FAST, CLASS_MEDIUM, CLASS_SLOW };
enum dg_status { STATUS_ACTIVE, STATUS_NEW, STATUS_DISCONTINUED };
enum dg_segment { SEG_CONSUMER, SEG_BUSINESS, SEG_PREMIUM };

struct dg_product {
    const char *name;
    double price, kg;              /* typical shelf price in EUR, weight with packaging */
};

struct dg_category {
    const char *name;
    int n_items, supplier, chilled;
    double density;                /* kg per litre of packed volume */
    int packs[3];                  /* case pack choices */
    int shelf_lo, shelf_hi;        /* shelf life in days, 0 = not perishable */
    double p_fast, p_medium;       /* velocity class shares, the rest is slow */
    double amp, peak_doy;          /* yearly seasonality: exp(amp cos(2 pi (doy - peak) / 365)) */
    double xmas;                   /* extra demand reached on 23 December, ramped from 1 Dec */
    int weekly;                    /* weekly profile index */
    const char *brands[3];
    struct dg_product products[16];
};

struct dg_supplier {
    const char *id, *name;
    int lead_days;
    double lead_sd;
    unsigned weekdays;             /* bit 0 = Monday */
};

struct dg_town {
    const char *name;
    double lat, lon, weight, sigma_km;
};

struct dg_warehouse {
    const char *id, *name;
    double lat, lon, scale;
    const struct dg_town *towns;
    int n_towns;
    long storage_l, receiving_l;   /* derived from the sales volume in demand.c */
    int n_customers, n_orders, n_suspicious;
};

struct dg_item {
    char sku[24];
    char name[64];
    int cat, supplier, klass, status;
    int price_c, cost_c;           /* cents */
    int case_pack, moq;
    int weight_g, volume_ml;
    int shelf_life;                /* days, 0 = none */
    double base;                   /* units per day at WH1 scale at the end of the history */
    double elasticity;             /* promotion lift = (1 - discount)^-elasticity */
    int launch, end;               /* first listed day, first day no longer listed (indexes) */
    int series[DG_NWH];            /* series index per warehouse, -1 when not sold there */
};

struct dg_series {
    int item, wh;
    double scale, trend, k;
    int *qty;                      /* DG_HIST daily units sold */
    int *left;                     /* units not yet claimed by order_history lines */
    double rate28;                 /* mean daily units over the last 28 days */
    int on_hand;
    char bin[24];
    char zone;
    int aisle, bay, level;
};

struct dg_promo {
    int item, wh;                  /* wh -1: every warehouse */
    int start, end, pct;           /* day indexes, both inclusive */
};

struct dg_open_order {
    char ref[24];
    int transfer, series, from_wh, qty, order_day, expected_day;
};

struct dg_customer {
    char id[24];
    int wh, segment, fraud_account;
    double lat, lon;
    int64_t signup;                /* days since 1970-01-01 */
    double rate;                   /* expected orders per year */
    int fav[2];                    /* favourite categories */
};

struct dg_line {
    int item, qty, price_c;
};

struct dg_order {
    int customer, wh, day, minute, fraud, suspicious, payment;
    char card[3], ship[3], ip[3];
    int first_line, n_lines;
    long amount_c, weight_g, volume_ml;
    int chilled, tw_start, tw_end, service_min;
};

struct dg_vehicle {
    char id[32];
    const char *type;
    int wh, capacity_kg, capacity_l, shift_start, shift_end, refrigerated;
    double fixed_cost, cost_per_km, cost_per_hour;
};

struct dg_model {
    uint64_t seed;
    int64_t d0;                    /* 2024-11-29 */
    int n_cal;                     /* calendar days from d0 */
    unsigned char *holiday, *event;/* per calendar day: index into the name tables, 0 = none */
    const struct dg_category *cats;
    const struct dg_supplier *suppliers;
    int n_suppliers;
    struct dg_warehouse *whs;
    struct dg_item items[DG_MAX_ITEMS];
    int n_items;
    struct dg_series *series;
    int n_series;
    struct dg_promo *promos;
    int n_promos;
    unsigned char *promo_pct;      /* [item][wh][n_cal] discount percent in force */
    struct dg_open_order *open;
    int n_open;
    struct dg_customer *customers;
    int n_customers;
    struct dg_order *hist;
    int n_hist;
    struct dg_line *hist_lines;
    int n_hist_lines;
    struct dg_order *orders;
    int n_orders;
    struct dg_line *lines;
    int n_lines;
    struct dg_vehicle *vehicles;
    int n_vehicles;
};

extern const char *const dg_holiday_names[];
extern const char *const dg_event_names[];
extern const char *const dg_segment_names[];
extern const char *const dg_payment_names[];
extern const char *const dg_class_names[];
extern const char *const dg_status_names[];

/* Each returns 0, or -1 after printing why (out of memory). */
int dg_catalog(struct dg_model *m);
int dg_demand(struct dg_model *m);
int dg_people(struct dg_model *m);
void dg_model_free(struct dg_model *m);

/* Demand multiplier of calendar day `day` for category `cat`: weekday, yearly season,
 * Christmas ramp, holiday and event. */
double dg_day_mult(const struct dg_model *m, int cat, int day);
/* Discount in percent in force for item at warehouse on calendar day. */
int dg_promo_at(const struct dg_model *m, int item, int wh, int day);
/* Price in cents actually charged on calendar day (list price less the promotion). */
int dg_price_at(const struct dg_model *m, int item, int wh, int day);
/* Deterministic sub-stream of the model seed. */
void dg_stream(const struct dg_model *m, struct dg_rng *r, uint64_t stream);

#endif
