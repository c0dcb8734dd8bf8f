/* Catalogue and calendar of the demo business: what is sold, by whom, where and when. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "demogen.h"
#include "dmath.h"

/* clang-format off */
static const struct dg_category categories[DG_NCAT] = {
    { "Fresh & Chilled", 30, 0, 1, 0.95, { 6, 8, 12 }, 7, 28, 0.30, 0.40, 0.05, 0, 0.20, 1,
      { "Alpenhof", "Nordfeld", "Gutshof" },
      {
        { "Whole Milk 1L", 1.19, 1.04 },
        { "Semi-Skimmed Milk 1L", 1.09, 1.04 },
        { "Greek Yogurt 500g", 2.49, 0.52 },
        { "Natural Yogurt 150g", 0.59, 0.16 },
        { "Butter 250g", 2.29, 0.26 },
        { "Gouda Slices 150g", 1.99, 0.16 },
        { "Mozzarella 125g", 0.99, 0.23 },
        { "Cream Cheese 200g", 1.69, 0.21 },
        { "Free-Range Eggs 10pk", 3.29, 0.65 },
        { "Smoked Ham 100g", 1.99, 0.11 },
        { "Salami 80g", 1.79, 0.09 },
        { "Fresh Pasta 400g", 2.79, 0.42 },
        { "Hummus 200g", 1.89, 0.21 },
        { "Fresh Orange Juice 1L", 2.99, 1.08 },
        { "Oat Drink 1L", 1.99, 1.05 },
      } },
    { "Pantry", 28, 1, 0, 0.75, { 10, 12, 24 }, 180, 720, 0.15, 0.35, 0.12, 20, 0.30, 1,
      { "Kornblume", "Hanse Kitchen", "Bella Tavola" },
      {
        { "Spaghetti 500g", 1.29, 0.51 },
        { "Penne 500g", 1.29, 0.51 },
        { "Basmati Rice 1kg", 3.49, 1.02 },
        { "Rolled Oats 500g", 0.99, 0.51 },
        { "Muesli 750g", 3.99, 0.77 },
        { "Tomato Passata 700g", 1.49, 0.95 },
        { "Chickpeas 400g", 0.99, 0.45 },
        { "Olive Oil 750ml", 8.99, 1.25 },
        { "Sunflower Oil 1L", 2.49, 0.95 },
        { "Wheat Flour 1kg", 0.89, 1.01 },
        { "Cane Sugar 1kg", 2.29, 1.01 },
        { "Dark Chocolate 100g", 1.79, 0.11 },
        { "Hazelnut Spread 400g", 3.99, 0.62 },
        { "Ground Coffee 500g", 6.99, 0.52 },
        { "Black Tea 50 Bags", 2.99, 0.15 },
        { "Flower Honey 500g", 5.49, 0.72 },
      } },
    { "Beverages", 22, 1, 0, 0.95, { 6, 12, 24 }, 180, 540, 0.25, 0.35, 0.30, 200, 0.30, 1,
      { "Quellgold", "Nordbraeu", "Sunny Valley" },
      {
        { "Sparkling Water 1.5L", 0.59, 1.58 },
        { "Still Water 1.5L", 0.55, 1.58 },
        { "Apple Spritzer 1L", 1.29, 1.05 },
        { "Cola 1.5L", 1.69, 1.58 },
        { "Lemonade 0.5L", 1.19, 0.53 },
        { "Iced Tea 1.5L", 1.49, 1.58 },
        { "Multivitamin Juice 1L", 1.99, 1.08 },
        { "Lager 0.5L", 1.09, 0.85 },
        { "Wheat Beer 0.5L", 1.29, 0.87 },
        { "Alcohol-Free Beer 0.5L", 1.19, 0.85 },
        { "Red Wine 0.75L", 6.99, 1.25 },
        { "White Wine 0.75L", 6.49, 1.25 },
        { "Energy Drink 0.25L", 1.49, 0.27 },
      } },
    { "Household", 22, 2, 0, 0.60, { 6, 8, 12 }, 0, 0, 0.10, 0.30, 0.06, 80, 0.05, 0,
      { "Blitzblank", "EcoHome", "PureLine" },
      {
        { "Dish Soap 500ml", 1.99, 0.53 },
        { "Dishwasher Tabs 40pk", 7.99, 0.82 },
        { "Laundry Liquid 1.5L", 6.99, 1.60 },
        { "Laundry Powder 2kg", 8.49, 2.05 },
        { "Fabric Softener 1L", 2.49, 1.05 },
        { "All-Purpose Cleaner 750ml", 2.29, 0.80 },
        { "Glass Cleaner 500ml", 1.99, 0.54 },
        { "Toilet Paper 8 Rolls", 4.29, 0.95 },
        { "Kitchen Roll 4 Rolls", 3.49, 0.60 },
        { "Bin Bags 35L 20pk", 2.49, 0.25 },
        { "Sponges 10pk", 2.99, 0.12 },
        { "Descaler 500ml", 3.49, 0.55 },
      } },
    { "Personal Care", 22, 2, 0, 0.85, { 6, 12, 24 }, 0, 0, 0.10, 0.30, 0.12, 190, 0.40, 0,
      { "Velora", "Naturkraft", "Aqualis" },
      {
        { "Shampoo 300ml", 3.49, 0.33 },
        { "Conditioner 250ml", 3.29, 0.28 },
        { "Shower Gel 250ml", 1.99, 0.28 },
        { "Bar Soap 100g", 1.29, 0.11 },
        { "Toothpaste 75ml", 1.99, 0.10 },
        { "Toothbrush 2pk", 3.99, 0.05 },
        { "Deodorant 150ml", 2.99, 0.15 },
        { "Body Lotion 400ml", 4.99, 0.43 },
        { "Hand Cream 75ml", 2.79, 0.09 },
        { "Sunscreen SPF50 200ml", 9.99, 0.23 },
        { "Razor Blades 4pk", 12.99, 0.04 },
        { "Cotton Pads 100pk", 1.49, 0.06 },
        { "Lip Balm", 2.49, 0.02 },
      } },
    { "Electronics Accessories", 18, 3, 0, 0.25, { 5, 10, 20 }, 0, 0, 0.05, 0.25, 0.10, 350, 0.90,
      2,
      { "Voltix", "Zentra", "Lumaro" },
      {
        { "USB-C Cable 1m", 9.99, 0.05 },
        { "USB-C Charger 30W", 24.99, 0.09 },
        { "Power Bank 10000mAh", 29.99, 0.23 },
        { "Wireless Earbuds", 49.99, 0.12 },
        { "Bluetooth Speaker", 59.99, 0.55 },
        { "Phone Case", 14.99, 0.05 },
        { "Screen Protector", 9.99, 0.03 },
        { "HDMI Cable 2m", 12.99, 0.12 },
        { "Wireless Mouse", 19.99, 0.10 },
        { "Compact Keyboard", 39.99, 0.55 },
        { "AA Batteries 8pk", 7.99, 0.20 },
        { "LED Bulb E27 4pk", 11.99, 0.22 },
        { "Smart Plug", 19.99, 0.12 },
        { "SD Card 128GB", 19.99, 0.01 },
      } },
    { "Toys & Games", 16, 4, 0, 0.18, { 4, 6, 8 }, 0, 0, 0.05, 0.20, 0.15, 350, 1.60, 2,
      { "Kinderwerk", "PlayNest", "Funtastik" },
      {
        { "Building Blocks 500pcs", 39.99, 1.30 },
        { "Puzzle 1000pcs", 14.99, 0.75 },
        { "Classic Board Game", 29.99, 1.10 },
        { "Card Game", 9.99, 0.20 },
        { "Plush Bear", 19.99, 0.35 },
        { "Remote Control Car", 49.99, 1.20 },
        { "Dollhouse Set", 59.99, 2.80 },
        { "Wooden Train Set", 44.99, 1.90 },
        { "Craft Kit", 16.99, 0.60 },
        { "Water Pistol", 9.99, 0.30 },
        { "Outdoor Ball Set", 19.99, 0.80 },
        { "Science Kit", 29.99, 0.90 },
      } },
    { "Garden & Outdoor", 14, 5, 0, 0.35, { 1, 2, 4 }, 0, 0, 0.05, 0.20, 0.75, 140, -0.30, 2,
      { "GreenYard", "Gartenfreund", "Terrasol" },
      {
        { "Potting Soil 40L", 8.99, 16.00 },
        { "Lawn Seed 1kg", 12.99, 1.05 },
        { "Lawn Fertiliser 5kg", 19.99, 5.10 },
        { "Garden Hose 20m", 24.99, 2.40 },
        { "Pruning Shears", 17.99, 0.25 },
        { "Plant Pots 5pk", 9.99, 0.90 },
        { "Watering Can 10L", 12.99, 0.80 },
        { "Solar Lights 6pk", 29.99, 1.20 },
        { "Wild Bird Seed 2kg", 6.99, 2.05 },
        { "Barbecue Charcoal 5kg", 8.99, 5.10 },
        { "Barbecue Tongs", 9.99, 0.30 },
        { "Garden Gloves", 6.99, 0.12 },
      } },
    { "Pet Supplies", 14, 6, 0, 0.55, { 4, 6, 12 }, 270, 540, 0.10, 0.30, 0.04, 0, 0.15, 0,
      { "PetPal", "Fellfreund", "Happy Paws" },
      {
        { "Dry Dog Food 4kg", 14.99, 4.10 },
        { "Wet Dog Food 400g", 1.49, 0.44 },
        { "Dry Cat Food 2kg", 9.99, 2.05 },
        { "Wet Cat Food 12x85g", 6.49, 1.10 },
        { "Cat Litter 10L", 7.99, 6.00 },
        { "Dog Treats 200g", 3.49, 0.22 },
        { "Cat Treats 60g", 1.99, 0.07 },
        { "Rubber Chew Toy", 8.99, 0.20 },
        { "Poop Bags 120pk", 4.99, 0.20 },
        { "Bird Food 1kg", 3.99, 1.02 },
      } },
    { "Kitchen & Home", 14, 5, 0, 0.30, { 2, 4, 6 }, 0, 0, 0.03, 0.17, 0.15, 330, 0.80, 0,
      { "Kochwerk", "Casa Nova", "Heimglanz" },
      {
        { "Frying Pan 28cm", 34.99, 1.20 },
        { "Saucepan 20cm", 29.99, 1.10 },
        { "Chef Knife 20cm", 39.99, 0.25 },
        { "Bamboo Cutting Board", 14.99, 0.90 },
        { "Storage Jars 3pk", 19.99, 1.40 },
        { "Baking Tray", 12.99, 0.70 },
        { "Mixing Bowl Set", 24.99, 1.30 },
        { "Coffee Mugs 4pk", 19.99, 1.50 },
        { "Wine Glasses 4pk", 22.99, 0.90 },
        { "Tea Towels 3pk", 9.99, 0.20 },
        { "Scented Candles 10pk", 12.99, 1.10 },
        { "Cushion Cover", 14.99, 0.25 },
      } },
};

#define WD(a, b, c, d, e, f, g) \
    ((a) | (b) << 1 | (c) << 2 | (d) << 3 | (e) << 4 | (f) << 5 | (g) << 6)
static const struct dg_supplier suppliers[] = {
    { "SUP01", "FrischKontor Nord",       3, 0.5, WD(1, 1, 1, 1, 1, 0, 0) },
    { "SUP02", "Hanse Foods Wholesale",   5, 1.0, WD(1, 0, 0, 1, 0, 0, 0) },
    { "SUP03", "CleanHome Distribution",  7, 1.5, WD(0, 1, 0, 0, 0, 0, 0) },
    { "SUP04", "Shenzhen Gadget Trading",21, 5.0, WD(1, 0, 0, 0, 0, 0, 0) },
    { "SUP05", "PlayWorld Europe",       14, 3.0, WD(0, 0, 1, 0, 0, 0, 0) },
    { "SUP06", "GreenYard Supply",       10, 2.5, WD(0, 1, 0, 0, 1, 0, 0) },
    { "SUP07", "PetPal Wholesale",        6, 1.2, WD(1, 0, 1, 0, 1, 0, 0) },
};

static const struct dg_town towns_hh[] = {
    { "Hamburg",     53.5511,  9.9937, 0.52, 4.5 }, { "Harburg",     53.4600,  9.9800, 0.10, 2.5 },
    { "Norderstedt", 53.7064,  9.9917, 0.08, 2.0 }, { "Pinneberg",   53.6550,  9.7960, 0.07, 2.0 },
    { "Ahrensburg",  53.6747, 10.2411, 0.06, 2.0 }, { "Buxtehude",   53.4769,  9.7011, 0.05, 2.0 },
    { "Reinbek",     53.5100, 10.2490, 0.07, 2.0 }, { "Wedel",       53.5833,  9.7000, 0.05, 1.5 },
};
static const struct dg_town towns_k[] = {
    { "Koeln",       50.9375,  6.9603, 0.45, 4.0 }, { "Bonn",        50.7374,  7.0982, 0.15, 3.0 },
    { "Leverkusen",  51.0459,  6.9848, 0.10, 2.5 },
    { "Bergisch Gladbach", 50.9918, 7.1362, 0.07, 2.0 },
    { "Huerth",      50.8779,  6.8760, 0.06, 1.5 }, { "Frechen",     50.9125,  6.8120, 0.05, 1.5 },
    { "Bruehl",      50.8290,  6.9040, 0.06, 1.5 }, { "Dormagen",    51.0960,  6.8400, 0.06, 1.5 },
};
static const struct dg_town towns_m[] = {
    { "Muenchen",    48.1372, 11.5756, 0.55, 5.0 }, { "Ottobrunn",   48.0650, 11.6650, 0.08, 2.0 },
    { "Freising",    48.4029, 11.7488, 0.07, 2.0 }, { "Erding",      48.3064, 11.9077, 0.06, 2.0 },
    { "Dachau",      48.2600, 11.4340, 0.07, 2.0 },
    { "Unterschleissheim", 48.2800, 11.5770, 0.07, 1.5 },
    { "Starnberg",   47.9990, 11.3400, 0.05, 1.5 }, { "Ebersberg",   48.0770, 11.9700, 0.05, 1.5 },
};

static struct dg_warehouse warehouses[DG_NWH] = {
    { "WH1", "Hamburg-Billbrook", 53.5270, 10.0800, 1.00, towns_hh, 8, 0, 0, 1700, 170, 4 },
    { "WH2", "Koeln-Eifeltor",    50.8930,  6.9250, 0.80, towns_k,  8, 0, 0, 1400, 145, 4 },
    { "WH3", "Muenchen-Aschheim", 48.1710, 11.7160, 0.62, towns_m,  8, 0, 0, 1150, 120, 3 },
};
/* clang-format on */

const char *const dg_holiday_names[] = {
    "", "New Year's Day", "Good Friday", "Easter Monday", "Labour Day", "Ascension Day",
    "Whit Monday", "German Unity Day", "Christmas Day", "St Stephen's Day",
};
enum { HOL_NONE, HOL_NEWYEAR, HOL_GOODFRI, HOL_EASTERMON, HOL_LABOUR, HOL_ASCENSION,
       HOL_WHITMON, HOL_UNITY, HOL_XMAS, HOL_STEPHEN };
static const double holiday_mult[] = { 1.0, 0.60, 0.80, 0.85, 0.85, 0.85, 0.85, 0.85, 0.35, 0.55 };

const char *const dg_event_names[] = {
    "", "Black Friday", "Black Week", "Cyber Monday", "Singles Day", "Valentine's Day",
    "Mother's Day", "Easter Shopping", "Christmas Eve", "New Year's Eve", "Summer Sale",
    "Spring Sale", "Father's Day",
};
enum { EV_NONE, EV_BF, EV_BWEEK, EV_CYBER, EV_SINGLES, EV_VALENTINE, EV_MOTHERS, EV_EASTER,
       EV_XMAS_EVE, EV_NYE, EV_SUMMER, EV_SPRING, EV_FATHERS, EV_COUNT };
/* per event, per category (order of enum dg_cat_id) */
static const double event_mult[EV_COUNT][DG_NCAT] = {
    { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 },
    { 1.1, 1.3, 1.3, 1.8, 1.8, 3.2, 2.6, 1.6, 1.6, 2.4 },       /* Black Friday */
    { 1.0, 1.1, 1.1, 1.3, 1.3, 1.7, 1.5, 1.2, 1.2, 1.5 },       /* Black Week */
    { 1.0, 1.1, 1.1, 1.4, 1.4, 2.4, 1.8, 1.3, 1.3, 1.8 },       /* Cyber Monday */
    { 1.0, 1.0, 1.0, 1.1, 1.2, 1.6, 1.2, 1.0, 1.0, 1.2 },       /* Singles Day */
    { 1.15, 1.1, 1.25, 1.0, 1.5, 1.1, 1.0, 1.0, 1.0, 1.2 },     /* Valentine's Day */
    { 1.05, 1.0, 1.0, 1.0, 1.35, 1.0, 1.0, 1.3, 1.0, 1.35 },    /* Mother's Day */
    { 1.35, 1.25, 1.3, 1.0, 1.05, 1.0, 1.3, 1.2, 1.0, 1.1 },    /* Easter Shopping */
    { 0.8, 0.6, 0.7, 0.4, 0.4, 0.35, 0.3, 0.3, 0.5, 0.35 },     /* Christmas Eve */
    { 1.4, 1.1, 2.2, 0.7, 0.7, 0.7, 0.6, 0.6, 0.8, 0.8 },       /* New Year's Eve */
    { 1.1, 1.2, 1.3, 1.4, 1.4, 1.6, 1.5, 1.6, 1.3, 1.5 },       /* Summer Sale */
    { 1.05, 1.1, 1.1, 1.3, 1.3, 1.3, 1.2, 1.7, 1.2, 1.3 },      /* Spring Sale */
    { 1.0, 1.1, 1.6, 1.0, 1.0, 1.0, 1.0, 1.2, 1.0, 1.0 },       /* Father's Day */
};

/* Mon..Sun: 0 general web shop, 1 groceries, 2 leisure */
static const double weekly_profile[3][7] = {
    { 1.12, 1.06, 1.00, 0.97, 0.92, 0.83, 1.10 },
    { 1.05, 1.00, 0.98, 1.02, 1.10, 0.95, 0.90 },
    { 1.00, 0.94, 0.95, 0.98, 1.00, 1.03, 1.20 },
};

const char *const dg_class_names[] = { "fast", "medium", "slow" };
const char *const dg_status_names[] = { "active", "new", "discontinued" };

void dg_stream(const struct dg_model *m, struct dg_rng *r, uint64_t stream)
{
    dg_rng_seed(r, m->seed, stream);
}

/* n-th weekday wd (0 = Mon) of a month, n from 1 */
static int64_t nth_weekday(int y, int mo, int wd, int n)
{
    int64_t first = sco_days_from_civil(y, mo, 1);
    int shift = (wd - dg_weekday(first) + 7) % 7;
    return first + shift + 7 * (n - 1);
}

static void mark(struct dg_model *m, unsigned char *arr, int64_t date, int id)
{
    int64_t i = date - m->d0;
    if (i >= 0 && i < m->n_cal)
        arr[i] = (unsigned char)id;
}

static void build_calendar(struct dg_model *m)
{
    for (int y = 2024; y <= 2027; y++) {
        int64_t easter = dg_easter(y);
        mark(m, m->holiday, sco_days_from_civil(y, 1, 1), HOL_NEWYEAR);
        mark(m, m->holiday, easter - 2, HOL_GOODFRI);
        mark(m, m->holiday, easter + 1, HOL_EASTERMON);
        mark(m, m->holiday, sco_days_from_civil(y, 5, 1), HOL_LABOUR);
        mark(m, m->holiday, easter + 39, HOL_ASCENSION);
        mark(m, m->holiday, easter + 50, HOL_WHITMON);
        mark(m, m->holiday, sco_days_from_civil(y, 10, 3), HOL_UNITY);
        mark(m, m->holiday, sco_days_from_civil(y, 12, 25), HOL_XMAS);
        mark(m, m->holiday, sco_days_from_civil(y, 12, 26), HOL_STEPHEN);

        /* Black Friday: the day after the fourth Thursday of November */
        int64_t bf = nth_weekday(y, 11, 3, 4) + 1;
        for (int k = 1; k <= 4; k++)
            mark(m, m->event, bf - k, EV_BWEEK);
        mark(m, m->event, bf, EV_BF);
        mark(m, m->event, bf + 3, EV_CYBER);
        mark(m, m->event, sco_days_from_civil(y, 11, 11), EV_SINGLES);
        mark(m, m->event, sco_days_from_civil(y, 2, 14), EV_VALENTINE);
        mark(m, m->event, nth_weekday(y, 5, 6, 2), EV_MOTHERS);
        mark(m, m->event, easter - 3, EV_EASTER);
        mark(m, m->event, easter - 1, EV_EASTER);
        mark(m, m->event, easter + 39, EV_FATHERS);
        mark(m, m->event, sco_days_from_civil(y, 12, 24), EV_XMAS_EVE);
        mark(m, m->event, sco_days_from_civil(y, 12, 31), EV_NYE);
        int64_t summer = nth_weekday(y, 7, 0, 2);
        for (int k = 0; k < 3; k++)
            mark(m, m->event, summer + k, EV_SUMMER);
        int64_t spring = nth_weekday(y, 3, 3, 3);
        for (int k = 0; k < 3; k++)
            mark(m, m->event, spring + k, EV_SPRING);
    }
}

double dg_day_mult(const struct dg_model *m, int cat, int day)
{
    const struct dg_category *c = &m->cats[cat];
    int64_t date = m->d0 + day;
    int64_t y;
    unsigned mo, d;
    sco_civil_from_days(date, &y, &mo, &d);
    double f = weekly_profile[c->weekly][dg_weekday(date)];
    double doy = dg_day_of_year(date);
    f *= dg_exp(c->amp * dg_cos(6.283185307179586 * (doy - c->peak_doy) / 365.25));
    if (mo == 12 && d <= 23)
        f *= 1.0 + c->xmas * d / 23.0;
    else if (mo == 12 && d >= 27)
        f *= 0.85;
    int h = m->holiday[day], e = m->event[day];
    double hm = holiday_mult[h];
    if (h && cat == CAT_FRESH)
        hm *= 0.9;
    return f * hm * event_mult[e][cat];
}

int dg_promo_at(const struct dg_model *m, int item, int wh, int day)
{
    return m->promo_pct[((size_t)item * DG_NWH + (size_t)wh) * (size_t)m->n_cal + (size_t)day];
}

int dg_price_at(const struct dg_model *m, int item, int wh, int day)
{
    int pct = dg_promo_at(m, item, wh, day);
    return (m->items[item].price_c * (100 - pct) + 50) / 100;
}

static int round_price(double eur)
{
    /* shop prices end in 9 cents: 2.49, 12.99 */
    int c = (int)floor(eur * 10.0) * 10 + 9;
    return c < 29 ? 29 : c;
}

static void make_items(struct dg_model *m)
{
    struct dg_rng r;
    dg_stream(m, &r, 1);
    int n = 0;
    for (int ci = 0; ci < DG_NCAT; ci++) {
        const struct dg_category *c = &m->cats[ci];
        int n_products = 0;
        while (n_products < 16 && c->products[n_products].name)
            n_products++;
        /* a random set of distinct (brand, product) pairs */
        int pairs[48], n_pairs = n_products * 3;
        for (int i = 0; i < n_pairs; i++)
            pairs[i] = i;
        for (int i = n_pairs - 1; i > 0; i--) {
            int j = dg_int(&r, 0, i), t = pairs[i];
            pairs[i] = pairs[j];
            pairs[j] = t;
        }
        for (int k = 0; k < c->n_items; k++, n++) {
            struct dg_item *it = &m->items[n];
            int brand = pairs[k] / n_products, prod = pairs[k] % n_products;
            snprintf(it->sku, sizeof it->sku, "SKU%04d", n + 1);
            snprintf(it->name, sizeof it->name, "%s %s", c->brands[brand], c->products[prod].name);
            it->cat = ci;
            it->supplier = c->supplier;
            /* brands are premium, standard and budget; prices end in 9 cents */
            static const double brand_factor[3] = { 1.22, 1.0, 0.82 };
            const struct dg_product *p = &c->products[prod];
            it->price_c = round_price(p->price * brand_factor[brand] * dg_range(&r, 0.93, 1.07));
            it->cost_c = (int)lround(it->price_c * dg_range(&r, 0.42, 0.68));
            double kg = p->kg * dg_range(&r, 0.95, 1.05);
            it->weight_g = (int)lround(kg * 1000.0);
            it->volume_ml = (int)lround(kg / c->density * dg_range(&r, 0.85, 1.25) * 1000.0);
            it->case_pack = c->packs[dg_int(&r, 0, 2)];
            static const int moq_cases[] = { 1, 1, 2, 3, 5 };
            it->moq = it->case_pack * moq_cases[dg_int(&r, 0, 4)];
            it->shelf_life = c->shelf_lo ? dg_int(&r, c->shelf_lo, c->shelf_hi) : 0;
            double u = dg_unif(&r);
            it->klass = u < c->p_fast ? CLASS_FAST
                        : u < c->p_fast + c->p_medium ? CLASS_MEDIUM : CLASS_SLOW;
            switch (it->klass) {
            case CLASS_FAST: it->base = 5.0 * dg_pow(5.0, dg_unif(&r)); break;
            case CLASS_MEDIUM: it->base = 0.3 * dg_pow(6.0, dg_unif(&r)); break;
            default: it->base = 0.03 * dg_pow(15.0, dg_unif(&r)); break;
            }
            it->elasticity = dg_range(&r, 1.5, 3.5);
            it->launch = 0;
            it->end = DG_HIST;
            it->status = STATUS_ACTIVE;
            double s = dg_unif(&r);
            if (s < 0.08) {
                it->status = STATUS_NEW;
                it->launch = dg_int(&r, 200, 680);
            } else if (s < 0.115) {
                it->status = STATUS_DISCONTINUED;
                it->end = dg_int(&r, 400, 690);
            }
            /* where it is sold: fast movers and most chilled goods everywhere */
            int any = 0;
            for (int w = 0; w < DG_NWH; w++) {
                double p = it->klass == CLASS_FAST ? 1.0
                           : c->chilled ? 0.9
                           : it->klass == CLASS_MEDIUM ? 0.7 : 0.5;
                it->series[w] = dg_bern(&r, p) ? 1 : -1;
                any |= it->series[w] > 0;
            }
            if (!any)
                it->series[dg_int(&r, 0, DG_NWH - 1)] = 1;
        }
    }
    m->n_items = n;
}

/* Marks a promotion if the item has no other promotion on those days. */
static int add_promo(struct dg_model *m, unsigned char *busy, int item, int wh, int start,
                     int end, int pct)
{
    if (start < 0 || end >= m->n_cal || start > end)
        return 0;
    for (int d = start; d <= end; d++)
        if (busy[(size_t)item * (size_t)m->n_cal + (size_t)d])
            return 0;
    for (int d = start; d <= end; d++) {
        busy[(size_t)item * (size_t)m->n_cal + (size_t)d] = 1;
        for (int w = 0; w < DG_NWH; w++)
            if (wh < 0 || w == wh)
                m->promo_pct[((size_t)item * DG_NWH + (size_t)w) * (size_t)m->n_cal +
                             (size_t)d] = (unsigned char)pct;
    }
    struct dg_promo *p = &m->promos[m->n_promos++];
    p->item = item;
    p->wh = wh;
    p->start = start;
    p->end = end;
    p->pct = pct;
    return 1;
}

static int cmp_promo(const void *a, const void *b)
{
    const struct dg_promo *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return (x->wh > y->wh) - (x->wh < y->wh);
}

static int make_promos(struct dg_model *m)
{
    struct dg_rng r;
    dg_stream(m, &r, 2);
    unsigned char *busy = calloc((size_t)m->n_items * (size_t)m->n_cal, 1);
    m->promos = calloc((size_t)m->n_items * 16, sizeof *m->promos);
    if (!busy || !m->promos) {
        free(busy);
        return -1;
    }
    static const int pcts[] = { 10, 15, 20, 20, 25, 30 };
    /* Black Friday to Cyber Monday for about a third of the range, both years */
    for (int y = 2024; y <= 2026; y++) {
        int bf = (int)(nth_weekday(y, 11, 3, 4) + 1 - m->d0);
        for (int i = 0; i < m->n_items; i++) {
            const struct dg_item *it = &m->items[i];
            if (bf + 3 < it->launch || bf >= it->end || !dg_bern(&r, 0.32))
                continue;
            add_promo(m, busy, i, -1, bf < 0 ? 0 : bf, bf + 3, 20 + 5 * dg_int(&r, 0, 3));
        }
    }
    /* ordinary promotions, including planned ones after the history */
    for (int i = 0; i < m->n_items; i++) {
        const struct dg_item *it = &m->items[i];
        int n = dg_poisson(&r, 3.0);
        for (int k = 0; k < n; k++) {
            int len = dg_int(&r, 3, 14);
            int lo = it->launch + 14, hi = (it->end < DG_HIST ? it->end - 30 : m->n_cal - 1) - len;
            if (hi <= lo)
                break;
            int start = dg_int(&r, lo, hi);
            int wh = -1;
            if (dg_bern(&r, 0.3)) {
                int w = dg_int(&r, 0, DG_NWH - 1);
                if (it->series[w] >= 0)
                    wh = w;
            }
            add_promo(m, busy, i, wh, start, start + len - 1, pcts[dg_int(&r, 0, 5)]);
        }
    }
    free(busy);
    qsort(m->promos, (size_t)m->n_promos, sizeof *m->promos, cmp_promo);
    return 0;
}

int dg_catalog(struct dg_model *m)
{
    m->cats = categories;
    m->suppliers = suppliers;
    m->n_suppliers = (int)(sizeof suppliers / sizeof suppliers[0]);
    m->whs = warehouses;
    m->d0 = sco_days_from_civil(2024, 11, 29);
    m->n_cal = (int)(sco_days_from_civil(2027, 3, 31) - m->d0 + 1);
    m->holiday = calloc((size_t)m->n_cal, 1);
    m->event = calloc((size_t)m->n_cal, 1);
    if (!m->holiday || !m->event)
        goto oom;
    build_calendar(m);
    make_items(m);
    m->promo_pct = calloc((size_t)m->n_items * DG_NWH * (size_t)m->n_cal, 1);
    if (!m->promo_pct || make_promos(m) < 0)
        goto oom;
    return 0;
oom:
    fprintf(stderr, "sco-demogen: out of memory building the catalogue\n");
    return -1;
}
