/* routing.c: the sco plugin "routing": delivery routes with capacities and time windows.
 * Reads orders, customers, warehouses, vehicles (and optionally order lines, items and the risk
 * stage's decisions), plans with the hybrid genetic search of vrp-hgs.c, and publishes routes,
 * unassigned orders and summaries, with a GeoJSON file and an SVG map per warehouse. With
 * check_plan set it evaluates a given plan instead of optimising. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sco/sco-plugin.h>

#include "routing-model.h"
#include "vrp.h"

static const struct sco_host_api *host;

/* ---- ports and keys ------------------------------------------------------------------------ */

static const struct sco_column_spec orders_cols[] = {
    { "order_id", SCO_COL_STR, false, "order key" },
    { "customer", SCO_COL_STR, false, "customer (for coordinates)" },
    { "warehouse", SCO_COL_STR, false, "warehouse that ships it" },
    { "tw_start", SCO_COL_STR, false, "delivery window start HH:MM (empty: open)" },
    { "tw_end", SCO_COL_STR, false, "delivery window end HH:MM (empty: open)" },
    { "service_min", SCO_COL_F64, false, "minutes at the stop" },
    { "weight_kg", SCO_COL_F64, true, "order weight (else summed from order_lines x items)" },
    { "volume_l", SCO_COL_F64, true, "order volume (else summed from order_lines x items)" },
    { "skills", SCO_COL_STR, true, "skills the vehicle needs, e.g. refrigerated" },
    { "priority", SCO_COL_I64, true, "higher is kept first when not all fit (default 0)" },
    { "penalty", SCO_COL_F64, true, "cost of leaving the order unassigned" },
    { "delivery_date", SCO_COL_DATE, true, "only orders for the run date are planned" },
    { "tw2_start", SCO_COL_STR, true, "second window start HH:MM (empty: no second window)" },
    { "tw2_end", SCO_COL_STR, true, "second window end HH:MM (empty: no second window)" },
};
static const struct sco_column_spec lines_cols[] = {
    { "order_id", SCO_COL_STR, false, "order" },
    { "sku", SCO_COL_STR, false, "item" },
    { "qty", SCO_COL_F64, false, "units" },
};
static const struct sco_column_spec items_cols[] = {
    { "sku", SCO_COL_STR, false, "item key" },
    { "weight_kg", SCO_COL_F64, false, "weight of one unit" },
    { "volume_l", SCO_COL_F64, false, "volume of one unit" },
};
static const struct sco_column_spec customers_cols[] = {
    { "customer", SCO_COL_STR, false, "customer key" },
    { "lat", SCO_COL_F64, false, "latitude" },
    { "lon", SCO_COL_F64, false, "longitude" },
};
static const struct sco_column_spec wh_cols[] = {
    { "warehouse", SCO_COL_STR, false, "warehouse key" },
    { "lat", SCO_COL_F64, false, "latitude" },
    { "lon", SCO_COL_F64, false, "longitude" },
};
static const struct sco_column_spec veh_cols[] = {
    { "vehicle", SCO_COL_STR, false, "vehicle key" },
    { "warehouse", SCO_COL_STR, false, "where it starts" },
    { "end_warehouse", SCO_COL_STR, true, "where it ends (default: its warehouse)" },
    { "capacity_kg", SCO_COL_F64, false, "weight capacity" },
    { "capacity_l", SCO_COL_F64, false, "volume capacity" },
    { "shift_start", SCO_COL_STR, false, "HH:MM" },
    { "shift_end", SCO_COL_STR, false, "HH:MM" },
    { "fixed_cost", SCO_COL_F64, false, "cost when used" },
    { "cost_per_km", SCO_COL_F64, false, "cost per km" },
    { "cost_per_hour", SCO_COL_F64, false, "cost per hour of route duration" },
    { "skills", SCO_COL_STR, true, "skills, e.g. refrigerated (comma or space separated)" },
    { "max_duration_min", SCO_COL_F64, true, "longest route in minutes" },
    { "break_start", SCO_COL_STR, true, "driver break may start from HH:MM (empty: none)" },
    { "break_end", SCO_COL_STR, true, "driver break must start by HH:MM" },
    { "break_min", SCO_COL_F64, true, "driver break minutes (empty or 0: none)" },
};
static const struct sco_column_spec risk_cols[] = {
    { "order_id", SCO_COL_STR, false, "order" },
    { "decision", SCO_COL_STR, false, "clear, review or hold; hold is not routed" },
};

static const struct sco_port inputs[] = {
    { "orders", "orders to deliver", false, orders_cols, SCO_COUNT(orders_cols) },
    { "order_lines", "lines, for weight and volume", true, lines_cols, SCO_COUNT(lines_cols) },
    { "items", "unit weight and volume", true, items_cols, SCO_COUNT(items_cols) },
    { "customers", "customer coordinates", false, customers_cols, SCO_COUNT(customers_cols) },
    { "warehouses", "depots", false, wh_cols, SCO_COUNT(wh_cols) },
    { "vehicles", "the fleet", false, veh_cols, SCO_COUNT(veh_cols) },
    { "risk_scores", "risk decisions", true, risk_cols, SCO_COUNT(risk_cols) },
};

static const struct sco_column_spec routes_out[] = {
    { "route_id", SCO_COL_STR, false, "route key" },
    { "vehicle", SCO_COL_STR, false, "vehicle" },
    { "warehouse", SCO_COL_STR, false, "start warehouse" },
    { "seq", SCO_COL_I64, false, "0 = leaving the depot, last = back at the end depot" },
    { "order_id", SCO_COL_STR, false, "empty at the depot" },
    { "customer", SCO_COL_STR, false, "customer (warehouse at depot rows)" },
    { "arrival", SCO_COL_STR, false, "HH:MM" },
    { "departure", SCO_COL_STR, false, "HH:MM" },
    { "load_kg", SCO_COL_F64, false, "on board after the stop" },
    { "load_l", SCO_COL_F64, false, "on board after the stop" },
    { "distance_km", SCO_COL_F64, false, "driven since the route start" },
    { "wait_min", SCO_COL_F64, false, "waiting for the window to open" },
    { "service_start", SCO_COL_STR, false, "HH:MM service begins" },
    { "cost", SCO_COL_F64, false, "route cost so far (fixed + km + hours)" },
    { "kind", SCO_COL_STR, false, "start, stop, break (driver break, order_id empty) or end" },
};
static const struct sco_column_spec unassigned_out[] = {
    { "order_id", SCO_COL_STR, false, "order" },
    { "reason", SCO_COL_STR, false, "reason code (see README)" },
    { "detail", SCO_COL_STR, false, "one line for the dispatcher" },
};
static const struct sco_column_spec rsum_out[] = {
    { "route_id", SCO_COL_STR, false, "route key" },
    { "vehicle", SCO_COL_STR, false, "vehicle" },
    { "warehouse", SCO_COL_STR, false, "start" },
    { "end_warehouse", SCO_COL_STR, false, "end" },
    { "stops", SCO_COL_I64, false, "orders delivered" },
    { "start", SCO_COL_STR, false, "HH:MM leaving" },
    { "end", SCO_COL_STR, false, "HH:MM back" },
    { "distance_km", SCO_COL_F64, false, "km" },
    { "duration_min", SCO_COL_F64, false, "minutes" },
    { "wait_min", SCO_COL_F64, false, "minutes waiting" },
    { "load_kg", SCO_COL_F64, false, "loaded at the start" },
    { "load_l", SCO_COL_F64, false, "loaded at the start" },
    { "cost", SCO_COL_F64, false, "fixed + km + hours" },
    { "on_time_share", SCO_COL_F64, false, "stops served within their window" },
};
static const struct sco_column_spec psum_out[] = {
    { "vehicles_used", SCO_COL_I64, false, "routes" },
    { "vehicles_available", SCO_COL_I64, false, "fleet" },
    { "orders", SCO_COL_I64, false, "orders considered" },
    { "served", SCO_COL_I64, false, "orders on a route" },
    { "unassigned", SCO_COL_I64, false, "orders left out" },
    { "distance_km", SCO_COL_F64, false, "total" },
    { "duration_min", SCO_COL_F64, false, "total" },
    { "cost", SCO_COL_F64, false, "routes' cost" },
    { "penalty_cost", SCO_COL_F64, false, "penalties of unassigned orders" },
    { "on_time_share", SCO_COL_F64, false, "served orders within their window" },
    { "violations", SCO_COL_I64, false, "broken constraints (check mode; 0 when optimised)" },
    { "mode", SCO_COL_STR, false, "optimise or check" },
};
static const struct sco_column_spec viol_out[] = {
    { "kind", SCO_COL_STR, false, "constraint" },
    { "route_id", SCO_COL_STR, false, "route, empty when not one route" },
    { "order_id", SCO_COL_STR, false, "order, empty when not one order" },
    { "amount", SCO_COL_F64, false, "by how much (minutes, kg, l)" },
    { "detail", SCO_COL_STR, false, "one line" },
};

static const struct sco_port outputs[] = {
    { "routes", "stops per vehicle", false, routes_out, SCO_COUNT(routes_out) },
    { "unassigned", "orders not routed, with a reason", false, unassigned_out,
      SCO_COUNT(unassigned_out) },
    { "route_summary", "one row per route", false, rsum_out, SCO_COUNT(rsum_out) },
    { "plan_summary", "one row for the plan", false, psum_out, SCO_COUNT(psum_out) },
    { "plan_violations", "check mode: every broken constraint", true, viol_out,
      SCO_COUNT(viol_out) },
};

static const struct sco_config_key keys[] = {
    { "speed_kmh", SCO_CFG_F64, "30", "average road speed for haversine travel times", false },
    { "road_factor", SCO_CFG_F64, "1.3", "road km per straight-line km", false },
    { "matrix_file", SCO_CFG_PATH, NULL,
      "CSV from,to,distance_km,duration_min over warehouse and customer ids (replaces "
      "haversine; missing pairs fall back to it)", false },
    { "seconds", SCO_CFG_F64, "30", "time cap on the search, on the clock `clock` names", false },
    { "clock", SCO_CFG_STR, "wall",
      "what `seconds` counts: wall (elapsed time) or cpu (CPU time of every search thread)",
      false },
    { "threads", SCO_CFG_INT, NULL, "search threads (default: run.threads); the plan depends on "
      "seed, iterations and threads", false },
    { "iterations", SCO_CFG_INT, "20000", "search iterations (same seed + iterations = same plan)",
      false },
    { "unassigned_penalty", SCO_CFG_F64, "1000",
      "cost of leaving one order out (x (1 + priority)); orders' penalty column overrides",
      false },
    { "max_duration_min", SCO_CFG_F64, NULL, "longest route for every vehicle, minutes", false },
    { "check_plan", SCO_CFG_PATH, NULL,
      "routes CSV (route_id, vehicle, seq, order_id) to evaluate instead of optimising", false },
    { "only_run_date", SCO_CFG_BOOL, "true",
      "plan only orders whose delivery_date is the run date (when the column exists)", false },
    { "maps", SCO_CFG_BOOL, "true", "write routes.geojson and routes-<warehouse>.svg", false },
};

/* ---- small helpers ------------------------------------------------------------------------- */

struct strmap {
    int cap;
    const char **key;
    int *val;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int map_init(struct strmap *m, size_t n)
{
    m->cap = 16;
    while ((size_t)m->cap < 2 * n + 2)
        m->cap *= 2;
    m->key = calloc((size_t)m->cap, sizeof *m->key);
    m->val = calloc((size_t)m->cap, sizeof *m->val);
    return m->key && m->val ? 0 : SCO_ERR_NOMEM;
}

static void map_fini(struct strmap *m)
{
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* Inserts key (borrowed) unless present; returns the stored value. */
static int map_put(struct strmap *m, const char *k, int v)
{
    size_t q = hash_str(k) & (size_t)(m->cap - 1);
    while (m->key[q]) {
        if (!strcmp(m->key[q], k))
            return m->val[q];
        q = (q + 1) & (size_t)(m->cap - 1);
    }
    m->key[q] = k;
    m->val[q] = v;
    return v;
}

static int map_get(const struct strmap *m, const char *k)
{
    if (!m->cap)
        return -1;
    size_t q = hash_str(k) & (size_t)(m->cap - 1);
    while (m->key[q]) {
        if (!strcmp(m->key[q], k))
            return m->val[q];
        q = (q + 1) & (size_t)(m->cap - 1);
    }
    return -1;
}

/* "HH:MM" (or "HH:MM:SS") -> minutes after midnight; empty -> dflt. */
static int parse_hhmm(const char *s, double dflt, double *out)
{
    if (!s || !*s) {
        *out = dflt;
        return 0;
    }
    int h, m, sec = 0, n = 0;
    if (sscanf(s, "%d:%d%n", &h, &m, &n) >= 2 && h >= 0 && h <= 48 && m >= 0 && m < 60) {
        if (s[n] == ':' && sscanf(s + n + 1, "%d", &sec) != 1)
            return -1;
        *out = h * 60.0 + m + sec / 60.0;
        return 0;
    }
    return -1;
}

static void fmt_hhmm(double min, char *buf, size_t n)
{
    int m = (int)lround(fmin(fmax(min, 0), 99 * 60 + 59));
    snprintf(buf, n, "%02d:%02d", m / 60 % 100, m % 60);
}

struct skills {
    char names[32][32];
    int n;
};

/* Skill names separated by commas, semicolons, bars or blanks -> bits 32..63. */
static int parse_skills(struct skills *sk, const char *s, uint64_t *out)
{
    *out = 0;
    if (!s)
        return 0;
    while (*s) {
        while (*s && (isspace((unsigned char)*s) || *s == ',' || *s == ';' || *s == '|'))
            s++;
        if (!*s)
            break;
        char w[32];
        size_t k = 0;
        while (*s && !isspace((unsigned char)*s) && *s != ',' && *s != ';' && *s != '|') {
            if (k + 1 < sizeof w)
                w[k++] = (char)tolower((unsigned char)*s);
            s++;
        }
        w[k] = '\0';
        int i;
        for (i = 0; i < sk->n; i++)
            if (!strcmp(sk->names[i], w))
                break;
        if (i == sk->n) {
            if (sk->n == 32)
                return -1;
            /* a skill no vehicle has still gets its bit, so nobody serves it */
            snprintf(sk->names[sk->n++], sizeof sk->names[0], "%s", w);
        }
        *out |= 1ULL << (32 + i);
    }
    return 0;
}

static const char *cstr(const struct sco_table *t, int c, size_t r)
{
    if (c < 0)
        return "";
    const char *const *s = host->tables->str(t, c);
    return s && s[r] ? s[r] : "";
}

static double cf64(const struct sco_table *t, int c, size_t r, double dflt)
{
    if (c < 0)
        return dflt;
    const double *v = host->tables->f64(t, c);
    return v && isfinite(v[r]) ? v[r] : dflt;
}

static const struct sco_table *need(struct sco_ctx *ctx, const char *port, struct sco_err *err)
{
    const struct sco_table *t = host->input(ctx, port);
    if (!t)
        sco_err_set(err, SCO_ERR_NOINPUT, "routing needs the '%s' table; add it to sources or "
                    "an earlier stage", port);
    return t;
}

/* ---- the run -------------------------------------------------------------------------------- */

struct rstate {
    int unused;
};

struct model {
    int n_orders, n_veh, n_wh;
    struct rt_order *o;
    struct rt_vehicle *v;
    struct rt_warehouse *w;
    const char **order_id, **order_cust, **veh_id, **wh_id;
    int *order_row; /* row in the orders table */
    int n_skipped_date;
    double *mkm, *mmin;
};

static void model_fini(struct model *m)
{
    free(m->o);
    free(m->v);
    free(m->w);
    free(m->order_id);
    free(m->order_cust);
    free(m->veh_id);
    free(m->wh_id);
    free(m->order_row);
    free(m->mkm);
    free(m->mmin);
}

static int load_model(struct sco_ctx *ctx, struct model *m, struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    const struct sco_table *to, *tc, *tw, *tv;
    if (!(to = need(ctx, "orders", err)) || !(tc = need(ctx, "customers", err)) ||
        !(tw = need(ctx, "warehouses", err)) || !(tv = need(ctx, "vehicles", err)))
        return err->code;
    const struct sco_table *tl = host->input(ctx, "order_lines");
    const struct sco_table *ti = host->input(ctx, "items");
    const struct sco_table *tr = host->input(ctx, "risk_scores");
    const struct sco_run_info *ri = host->run_info(ctx);
    double penalty, speed, road, maxdur = VRP_INF;
    bool only_date = true;
    int rc;
    if ((rc = host->cfg_f64(ctx, "unassigned_penalty", &penalty, err)) ||
        (rc = host->cfg_f64(ctx, "speed_kmh", &speed, err)) ||
        (rc = host->cfg_f64(ctx, "road_factor", &road, err)) ||
        (rc = host->cfg_bool(ctx, "only_run_date", &only_date, err)))
        return rc;
    rc = host->cfg_f64(ctx, "max_duration_min", &maxdur, err);
    if (rc == SCO_ERR_NOINPUT)
        maxdur = VRP_INF;
    else if (rc)
        return rc;
    if (!(speed > 0))
        return host->cfg_error(ctx, "speed_kmh", err, "speed must be positive");
    if (!(road >= 1))
        return host->cfg_error(ctx, "road_factor", err, "road factor must be at least 1");
    if (!(maxdur > 0))
        return host->cfg_error(ctx, "max_duration_min", err, "must be positive");
    struct skills sk = { .n = 0 };
    /* warehouses */
    size_t nw = T->n_rows(tw);
    if (nw == 0 || nw > RT_MAX_WAREHOUSES)
        return sco_err_set(err, SCO_ERR_DATA, "routing needs 1 to %d warehouses, the table has "
                           "%zu", RT_MAX_WAREHOUSES, nw);
    struct strmap whm = { 0 }, cm = { 0 }, im = { 0 }, om = { 0 }, cust_first = { 0 };
    int *cust_next = NULL, *loc_a = NULL, *loc_b = NULL;
    m->n_wh = (int)nw;
    m->w = calloc(nw, sizeof *m->w);
    m->wh_id = calloc(nw, sizeof *m->wh_id);
    if (!m->w || !m->wh_id || map_init(&whm, nw))
        goto nomem;
    int c_wid = T->col(tw, "warehouse"), c_wla = T->col(tw, "lat"), c_wlo = T->col(tw, "lon");
    for (size_t r = 0; r < nw; r++) {
        m->wh_id[r] = cstr(tw, c_wid, r);
        m->w[r].lat = cf64(tw, c_wla, r, NAN);
        m->w[r].lon = cf64(tw, c_wlo, r, NAN);
        if (!isfinite(m->w[r].lat) || !isfinite(m->w[r].lon)) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: warehouse '%s' has no coordinates; fill "
                             "lat and lon", T->row_origin(tw, r), m->wh_id[r]);
            goto out;
        }
        if (map_put(&whm, m->wh_id[r], (int)r) != (int)r) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: warehouse '%s' appears twice",
                             T->row_origin(tw, r), m->wh_id[r]);
            goto out;
        }
    }
    /* vehicles */
    size_t nv = T->n_rows(tv);
    m->n_veh = (int)nv;
    m->v = calloc(nv + 1, sizeof *m->v);
    m->veh_id = calloc(nv + 1, sizeof *m->veh_id);
    if (!m->v || !m->veh_id)
        goto nomem;
    int cv_id = T->col(tv, "vehicle"), cv_wh = T->col(tv, "warehouse"),
        cv_ew = T->col(tv, "end_warehouse"), cv_kg = T->col(tv, "capacity_kg"),
        cv_l = T->col(tv, "capacity_l"), cv_ss = T->col(tv, "shift_start"),
        cv_se = T->col(tv, "shift_end"), cv_fc = T->col(tv, "fixed_cost"),
        cv_km = T->col(tv, "cost_per_km"), cv_h = T->col(tv, "cost_per_hour"),
        cv_sk = T->col(tv, "skills"), cv_md = T->col(tv, "max_duration_min"),
        cv_bs = T->col(tv, "break_start"), cv_be = T->col(tv, "break_end"),
        cv_bm = T->col(tv, "break_min");
    for (size_t r = 0; r < nv; r++) {
        struct rt_vehicle *v = &m->v[r];
        m->veh_id[r] = cstr(tv, cv_id, r);
        v->wh = map_get(&whm, cstr(tv, cv_wh, r));
        const char *ew = cstr(tv, cv_ew, r);
        v->end_wh = *ew ? map_get(&whm, ew) : v->wh;
        if (v->wh < 0 || v->end_wh < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: vehicle '%s' names an unknown warehouse "
                             "'%s'; add it to warehouses", T->row_origin(tv, r), m->veh_id[r],
                             v->wh < 0 ? cstr(tv, cv_wh, r) : ew);
            goto out;
        }
        v->cap[0] = cf64(tv, cv_kg, r, VRP_INF);
        v->cap[1] = cf64(tv, cv_l, r, VRP_INF);
        if (parse_hhmm(cstr(tv, cv_ss, r), 0, &v->shift_start) ||
            parse_hhmm(cstr(tv, cv_se, r), 24 * 60, &v->shift_end) ||
            v->shift_end < v->shift_start) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: vehicle '%s' shift '%s'-'%s' is not two "
                             "HH:MM times in order", T->row_origin(tv, r), m->veh_id[r],
                             cstr(tv, cv_ss, r), cstr(tv, cv_se, r));
            goto out;
        }
        v->fixed_cost = cf64(tv, cv_fc, r, 0);
        v->cost_per_km = cf64(tv, cv_km, r, 0);
        v->cost_per_hour = cf64(tv, cv_h, r, 0);
        v->max_duration = cf64(tv, cv_md, r, maxdur);
        v->break_min = cf64(tv, cv_bm, r, 0);
        if (v->break_min > 0 &&
            (parse_hhmm(cstr(tv, cv_bs, r), v->shift_start, &v->break_start) ||
             parse_hhmm(cstr(tv, cv_be, r), v->shift_end, &v->break_end) ||
             v->break_end < v->break_start || !isfinite(v->break_min))) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: vehicle '%s' break '%s'-'%s' is not two "
                             "HH:MM times in order; break_start and break_end bound when the "
                             "break_min minutes may start", T->row_origin(tv, r), m->veh_id[r],
                             cstr(tv, cv_bs, r), cstr(tv, cv_be, r));
            goto out;
        }
        if (!(v->break_min > 0))
            v->break_min = 0;
        if (v->fixed_cost < 0 || v->cost_per_km < 0 || v->cost_per_hour < 0 || v->cap[0] < 0 ||
            v->cap[1] < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: vehicle '%s' has a negative capacity or "
                             "cost", T->row_origin(tv, r), m->veh_id[r]);
            goto out;
        }
        if (parse_skills(&sk, cstr(tv, cv_sk, r), &v->skills)) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: more than 32 distinct skills",
                             T->row_origin(tv, r));
            goto out;
        }
    }
    /* customers */
    size_t nc = T->n_rows(tc);
    if (map_init(&cm, nc))
        goto nomem;
    int cc_id = T->col(tc, "customer");
    for (size_t r = 0; r < nc; r++)
        map_put(&cm, cstr(tc, cc_id, r), (int)r);
    int cc_la = T->col(tc, "lat"), cc_lo = T->col(tc, "lon");
    /* risk holds */
    struct strmap hold = { 0 };
    if (tr) {
        size_t n = T->n_rows(tr);
        if (map_init(&hold, n))
            goto nomem;
        int c1 = T->col(tr, "order_id"), c2 = T->col(tr, "decision");
        for (size_t r = 0; r < n; r++)
            if (!strcmp(cstr(tr, c2, r), "hold"))
                map_put(&hold, cstr(tr, c1, r), 1);
    }
    /* orders */
    size_t no = T->n_rows(to);
    m->o = calloc(no + 1, sizeof *m->o);
    m->order_id = calloc(no + 1, sizeof *m->order_id);
    m->order_cust = calloc(no + 1, sizeof *m->order_cust);
    m->order_row = calloc(no + 1, sizeof *m->order_row);
    if (!m->o || !m->order_id || !m->order_cust || !m->order_row || map_init(&om, no)) {
        map_fini(&hold);
        goto nomem;
    }
    int co_id = T->col(to, "order_id"), co_c = T->col(to, "customer"),
        co_w = T->col(to, "warehouse"), co_ts = T->col(to, "tw_start"),
        co_te = T->col(to, "tw_end"), co_s = T->col(to, "service_min"),
        co_kg = T->col(to, "weight_kg"), co_l = T->col(to, "volume_l"),
        co_sk = T->col(to, "skills"), co_p = T->col(to, "priority"),
        co_pen = T->col(to, "penalty"), co_d = T->col(to, "delivery_date"),
        co_ts2 = T->col(to, "tw2_start"), co_te2 = T->col(to, "tw2_end");
    const int64_t *prio = co_p >= 0 ? T->i64(to, co_p) : NULL;
    const int64_t *dd = co_d >= 0 ? T->i64(to, co_d) : NULL;
    bool need_lines = false;
    int k = 0;
    for (size_t r = 0; r < no; r++) {
        if (only_date && dd && dd[r] != SCO_NULL_I64 && dd[r] != ri->run_date) {
            m->n_skipped_date++;
            continue;
        }
        struct rt_order *o = &m->o[k];
        m->order_id[k] = cstr(to, co_id, r);
        m->order_cust[k] = cstr(to, co_c, r);
        m->order_row[k] = (int)r;
        if (map_put(&om, m->order_id[k], k) != k) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: order '%s' appears twice",
                             T->row_origin(to, r), m->order_id[k]);
            map_fini(&hold);
            goto out;
        }
        o->wh = map_get(&whm, cstr(to, co_w, r));
        int cu = map_get(&cm, m->order_cust[k]);
        o->lat = cu >= 0 ? cf64(tc, cc_la, (size_t)cu, NAN) : NAN;
        o->lon = cu >= 0 ? cf64(tc, cc_lo, (size_t)cu, NAN) : NAN;
        o->no_location = cu < 0 || !isfinite(o->lat) || !isfinite(o->lon);
        if (parse_hhmm(cstr(to, co_ts, r), 0, &o->tw_open) ||
            parse_hhmm(cstr(to, co_te, r), 48 * 60, &o->tw_close)) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: order '%s' window '%s'-'%s' is not HH:MM",
                             T->row_origin(to, r), m->order_id[k], cstr(to, co_ts, r),
                             cstr(to, co_te, r));
            map_fini(&hold);
            goto out;
        }
        /* optional second window: both ends empty = none, one end empty = open that side */
        const char *s2 = cstr(to, co_ts2, r), *e2 = cstr(to, co_te2, r);
        o->has_tw2 = *s2 || *e2;
        if (o->has_tw2 &&
            (parse_hhmm(s2, 0, &o->tw2_open) || parse_hhmm(e2, 48 * 60, &o->tw2_close))) {
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "%s: order '%s' second window '%s'-'%s' is not HH:MM; use "
                             "tw2_start and tw2_end like 13:00 and 15:30, or leave both empty",
                             T->row_origin(to, r), m->order_id[k], s2, e2);
            map_fini(&hold);
            goto out;
        }
        o->service = cf64(to, co_s, r, 0);
        if (o->service < 0)
            o->service = 0;
        o->demand[0] = cf64(to, co_kg, r, NAN);
        o->demand[1] = cf64(to, co_l, r, NAN);
        if (!isfinite(o->demand[0]) || !isfinite(o->demand[1]))
            need_lines = true;
        if (parse_skills(&sk, cstr(to, co_sk, r), &o->skills)) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s: more than 32 distinct skills",
                             T->row_origin(to, r));
            map_fini(&hold);
            goto out;
        }
        o->priority = prio && prio[r] != SCO_NULL_I64 ? (int)prio[r] : 0;
        o->penalty = cf64(to, co_pen, r, penalty * (1 + (o->priority > 0 ? o->priority : 0)));
        o->hold = map_get(&hold, m->order_id[k]) >= 0;
        k++;
    }
    map_fini(&hold);
    m->n_orders = k;
    if (need_lines) {
        if (!tl || !ti) {
            rc = sco_err_set(err, SCO_ERR_NOINPUT, "orders lack weight_kg/volume_l and no "
                             "order_lines and items tables are given; add them to the stage's "
                             "inputs");
            goto out;
        }
        size_t ni = T->n_rows(ti);
        if (map_init(&im, ni))
            goto nomem;
        int ci = T->col(ti, "sku");
        for (size_t r = 0; r < ni; r++)
            map_put(&im, cstr(ti, ci, r), (int)r);
        int ciw = T->col(ti, "weight_kg"), civ = T->col(ti, "volume_l");
        double *kg = calloc((size_t)k + 1, sizeof *kg), *l = calloc((size_t)k + 1, sizeof *l);
        if (!kg || !l) {
            free(kg);
            free(l);
            goto nomem;
        }
        size_t nl = T->n_rows(tl);
        int cl_o = T->col(tl, "order_id"), cl_s = T->col(tl, "sku"), cl_q = T->col(tl, "qty");
        for (size_t r = 0; r < nl; r++) {
            int oi = map_get(&om, cstr(tl, cl_o, r));
            if (oi < 0)
                continue;
            int it = map_get(&im, cstr(tl, cl_s, r));
            if (it < 0) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s: sku '%s' is not in items; add it",
                                 T->row_origin(tl, r), cstr(tl, cl_s, r));
                free(kg);
                free(l);
                goto out;
            }
            double q = cf64(tl, cl_q, r, 0);
            kg[oi] += q * cf64(ti, ciw, (size_t)it, 0);
            l[oi] += q * cf64(ti, civ, (size_t)it, 0);
        }
        for (int i = 0; i < k; i++) {
            if (!isfinite(m->o[i].demand[0]))
                m->o[i].demand[0] = kg[i];
            if (!isfinite(m->o[i].demand[1]))
                m->o[i].demand[1] = l[i];
        }
        free(kg);
        free(l);
    }
    /* distance / duration matrix from a file */
    const char *mf = NULL;
    rc = host->cfg_str(ctx, "matrix_file", &mf, err);
    if (rc == SCO_ERR_NOINPUT) {
        rc = 0;
        mf = NULL;
    } else if (rc) {
        goto out;
    }
    if (mf && *mf) {
        size_t L = (size_t)m->n_wh + (size_t)k;
        m->mkm = malloc(L * L * sizeof *m->mkm);
        m->mmin = malloc(L * L * sizeof *m->mmin);
        if (!m->mkm || !m->mmin)
            goto nomem;
        for (size_t i = 0; i < L * L; i++)
            m->mkm[i] = m->mmin[i] = NAN;
        /* customer -> its orders (first, then a chain) */
        cust_next = malloc(((size_t)k + 1) * sizeof *cust_next);
        loc_a = malloc(((size_t)k + 2) * sizeof *loc_a);
        loc_b = malloc(((size_t)k + 2) * sizeof *loc_b);
        if (!cust_next || !loc_a || !loc_b || map_init(&cust_first, (size_t)k))
            goto nomem;
        for (int i = 0; i < k; i++) {
            cust_next[i] = -1;
            int first = map_put(&cust_first, m->order_cust[i], i);
            if (first != i) {
                int t = first;
                while (cust_next[t] >= 0)
                    t = cust_next[t];
                cust_next[t] = i;
            }
        }
        FILE *f = fopen(mf, "r");
        if (!f) {
            rc = sco_err_set(err, SCO_ERR_NOINPUT, "cannot open matrix_file '%s': %s", mf,
                             strerror(errno));
            goto out;
        }
        char line[512];
        int ln = 0;
        while (fgets(line, sizeof line, f)) {
            ln++;
            char a[128], b[128];
            double km, mins;
            if (ln == 1 && strstr(line, "distance"))
                continue;
            for (char *p = line; *p; p++)
                if (*p == ',')
                    *p = ' ';
            if (sscanf(line, "%127s %127s %lf %lf", a, b, &km, &mins) != 4 || km < 0 ||
                mins < 0) {
                if (strspn(line, " \t\r\n") == strlen(line))
                    continue;
                fclose(f);
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: expected 'from,to,distance_km,"
                                 "duration_min'", mf, ln);
                goto out;
            }
            /* ids: a warehouse, or a customer (every order of that customer) */
            int na = 0, nb = 0;
            int w_a = map_get(&whm, a), w_b = map_get(&whm, b);
            if (w_a >= 0)
                loc_a[na++] = w_a;
            for (int i = map_get(&cust_first, a); i >= 0; i = cust_next[i])
                loc_a[na++] = m->n_wh + i;
            if (w_b >= 0)
                loc_b[nb++] = w_b;
            for (int i = map_get(&cust_first, b); i >= 0; i = cust_next[i])
                loc_b[nb++] = m->n_wh + i;
            for (int i = 0; i < na; i++)
                for (int j = 0; j < nb; j++) {
                    m->mkm[(size_t)loc_a[i] * L + (size_t)loc_b[j]] = km;
                    m->mmin[(size_t)loc_a[i] * L + (size_t)loc_b[j]] = mins;
                }
        }
        fclose(f);
        /* pairs the file lacks: haversine at the configured speed */
        int missing = 0;
        for (size_t a = 0; a < L; a++)
            for (size_t b = 0; b < L; b++) {
                if (isfinite(m->mkm[a * L + b]))
                    continue;
                double la1 = a < (size_t)m->n_wh ? m->w[a].lat : m->o[a - (size_t)m->n_wh].lat;
                double lo1 = a < (size_t)m->n_wh ? m->w[a].lon : m->o[a - (size_t)m->n_wh].lon;
                double la2 = b < (size_t)m->n_wh ? m->w[b].lat : m->o[b - (size_t)m->n_wh].lat;
                double lo2 = b < (size_t)m->n_wh ? m->w[b].lon : m->o[b - (size_t)m->n_wh].lon;
                double d = 0;
                if (a != b && isfinite(la1) && isfinite(la2))
                    d = sco__rt_haversine_km(la1, lo1, la2, lo2) * road;
                m->mkm[a * L + b] = d;
                m->mmin[a * L + b] = d * 60 / speed;
                if (a != b)
                    missing++;
            }
        if (missing)
            host->log_msg(ctx, SCO_LOG_WARN, "matrix_file '%s' lacks %d location pairs; using "
                          "haversine x road_factor for them", mf, missing);
    }
    rc = 0;
    goto out;
nomem:
    rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory reading the routing inputs");
out:
    map_fini(&whm);
    map_fini(&cm);
    map_fini(&im);
    map_fini(&om);
    map_fini(&cust_first);
    free(cust_next);
    free(loc_a);
    free(loc_b);
    (void)speed;
    return rc;
}

/* Reads a plan (routes CSV) for check mode into a solution over the plan's jobs. */
static int read_plan(struct sco_ctx *ctx, const char *path, const struct model *m,
                     const struct rt_plan *plan, struct vrp_solution *sol, char ***route_names,
                     struct sco_err *err)
{
    (void)ctx;
    FILE *f = fopen(path, "r");
    if (!f)
        return sco_err_set(err, SCO_ERR_NOINPUT, "cannot open check_plan '%s': %s", path,
                           strerror(errno));
    char line[4096];
    int ln = 0, c_route = -1, c_veh = -1, c_seq = -1, c_ord = -1;
    size_t cap = 64, n = 0;
    struct row {
        char route[64];
        int veh, job;
        long seq;
        int first_seen;
    } *rows = malloc(cap * sizeof *rows);
    int rc = 0;
    if (!rows) {
        fclose(f);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    }
    while (fgets(line, sizeof line, f)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[32];
        int nf = 0;
        char *p = line;
        /* CSV with optional double quotes, no embedded newlines */
        while (nf < 32) {
            char *out = p, *start = p;
            if (*p == '"') {
                p++;
                while (*p) {
                    if (*p == '"' && p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        *out++ = *p++;
                    }
                }
            } else {
                while (*p && *p != ',')
                    *out++ = *p++;
            }
            char *next = *p == ',' ? p + 1 : NULL;
            *out = '\0';
            fields[nf++] = start;
            if (!next)
                break;
            p = next;
        }
        if (ln == 1) {
            for (int i = 0; i < nf; i++) {
                if (!strcmp(fields[i], "route_id"))
                    c_route = i;
                else if (!strcmp(fields[i], "vehicle"))
                    c_veh = i;
                else if (!strcmp(fields[i], "seq"))
                    c_seq = i;
                else if (!strcmp(fields[i], "order_id"))
                    c_ord = i;
            }
            if (c_route < 0 || c_veh < 0 || c_seq < 0 || c_ord < 0) {
                rc = sco_err_set(err, SCO_ERR_DATA, "%s:1: check_plan needs the columns "
                                 "route_id, vehicle, seq, order_id", path);
                goto out;
            }
            continue;
        }
        int need_nf = c_route > c_veh ? c_route : c_veh;
        need_nf = need_nf > c_seq ? need_nf : c_seq;
        need_nf = need_nf > c_ord ? need_nf : c_ord;
        if (nf == 1 && !fields[0][0])
            continue;
        if (nf <= need_nf) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: %d fields, expected at least %d", path,
                             ln, nf, need_nf + 1);
            goto out;
        }
        if (!fields[c_ord][0])
            continue; /* depot row */
        if (n == cap) {
            cap *= 2;
            void *nr = realloc(rows, cap * sizeof *rows);
            if (!nr) {
                rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
                goto out;
            }
            rows = nr;
        }
        struct row *rw = &rows[n];
        snprintf(rw->route, sizeof rw->route, "%s", fields[c_route]);
        char *end;
        rw->seq = strtol(fields[c_seq], &end, 10);
        if (end == fields[c_seq] || *end) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: seq '%s' is not an integer", path, ln,
                             fields[c_seq]);
            goto out;
        }
        rw->veh = -1;
        for (int v = 0; v < m->n_veh; v++)
            if (!strcmp(m->veh_id[v], fields[c_veh]))
                rw->veh = v;
        if (rw->veh < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: unknown vehicle '%s'", path, ln,
                             fields[c_veh]);
            goto out;
        }
        int oi = -1;
        for (int i = 0; i < m->n_orders; i++)
            if (!strcmp(m->order_id[i], fields[c_ord])) {
                oi = i;
                break;
            }
        if (oi < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: unknown order '%s' (not among the "
                             "orders of the run)", path, ln, fields[c_ord]);
            goto out;
        }
        rw->job = plan->job_of_order[oi];
        if (rw->job < 0) {
            rc = sco_err_set(err, SCO_ERR_DATA, "%s:%d: order '%s' cannot be routed: %s", path,
                             ln, fields[c_ord], sco__rt_reason_name(plan->reason[oi]));
            goto out;
        }
        rw->first_seen = (int)n;
        for (size_t q = 0; q < n; q++)
            if (!strcmp(rows[q].route, rw->route)) {
                rw->first_seen = rows[q].first_seen;
                break;
            }
        n++;
    }
    /* group by route (order of first appearance), then by seq */
    for (size_t i = 1; i < n; i++) {
        struct row x = rows[i];
        size_t j = i;
        while (j > 0 && (rows[j - 1].first_seen > x.first_seen ||
                         (rows[j - 1].first_seen == x.first_seen && rows[j - 1].seq > x.seq))) {
            rows[j] = rows[j - 1];
            j--;
        }
        rows[j] = x;
    }
    int nr = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || rows[i].first_seen != rows[i - 1].first_seen)
            nr++;
    sol->veh = malloc(((size_t)nr + 1) * sizeof *sol->veh);
    sol->off = malloc(((size_t)nr + 1) * sizeof *sol->off);
    sol->jobs = malloc((n + 1) * sizeof *sol->jobs);
    *route_names = calloc((size_t)nr + 1, sizeof **route_names);
    if (!sol->veh || !sol->off || !sol->jobs || !*route_names) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto out;
    }
    int r = -1;
    sol->off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || rows[i].first_seen != rows[i - 1].first_seen) {
            r++;
            sol->veh[r] = rows[i].veh;
            (*route_names)[r] = strdup(rows[i].route);
            if (!(*route_names)[r]) {
                rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
                goto out;
            }
        }
        sol->jobs[i] = rows[i].job;
        sol->off[r + 1] = (int)i + 1;
    }
    sol->n_routes = nr;
out:
    free(rows);
    fclose(f);
    return rc;
}

/* ---- outputs --------------------------------------------------------------------------------- */

struct outctx {
    struct sco_ctx *ctx;
    const struct model *m;
    const struct rt_plan *plan;
    const struct vrp_solution *sol;
    char **names; /* route names or NULL */
};

static int set_str(struct sco_table *t, int c, size_t r, const char *s, struct sco_err *err)
{
    return host->tables->set_str(t, c, r, s, err);
}

static void route_name(const struct outctx *o, int r, char *buf, size_t n)
{
    if (o->names && o->names[r])
        snprintf(buf, n, "%s", o->names[r]);
    else
        snprintf(buf, n, "%s-R%02d", o->m->wh_id[o->m->v[o->sol->veh[r]].wh], r + 1);
}

static const char *color(int i)
{
    static const char *pal[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
    return pal[i % 10];
}

static int write_maps_(const struct outctx *o, double *scratch, struct sco_err *err);

/* Where and when route r takes its driver break: false when it has none. `scratch` holds the
 * route's stops. */
static bool route_break_at(const struct outctx *o, int r, double *scratch, double *lon,
                           double *lat, double *start, double *end)
{
    const struct vrp_solution *s = o->sol;
    const struct vrp_instance *in = &o->plan->in;
    int n = s->off[r + 1] - s->off[r], v = s->veh[r], bpos;
    if (n == 0 || in->vehicles[v].break_dur <= 0)
        return false;
    double t0, t1;
    sco__vrp_route_schedule_break(in, v, s->jobs + s->off[r], n, NULL, scratch, NULL, &t0, &t1,
                                  &bpos, start);
    if (bpos < 0)
        return false;
    *end = *start + in->vehicles[v].break_dur;
    const struct model *m = o->m;
    if (bpos == 0) { /* at the start warehouse */
        *lon = m->w[m->v[v].wh].lon;
        *lat = m->w[m->v[v].wh].lat;
    } else { /* where the stop before it is */
        const struct rt_order *od = &m->o[o->plan->order_of_job[s->jobs[s->off[r] + bpos - 1]]];
        *lon = od->lon;
        *lat = od->lat;
    }
    return true;
}

static int write_maps(const struct outctx *o, struct sco_err *err)
{
    const struct vrp_solution *s = o->sol;
    double *scratch = malloc(((size_t)s->off[s->n_routes] + 1) * sizeof *scratch);
    if (!scratch)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    int rc = write_maps_(o, scratch, err);
    free(scratch);
    return rc;
}

static int write_maps_(const struct outctx *o, double *scratch, struct sco_err *err)
{
    const struct model *m = o->m;
    const struct vrp_solution *s = o->sol;
    const struct rt_plan *plan = o->plan;
    char hm0[16], hm1[16];
    double blon, blat, bs, be;
    FILE *f = host->file_create(o->ctx, "routes.geojson", err);
    if (!f)
        return err->code ? err->code : SCO_ERR_IO;
    fprintf(f, "{\"type\":\"FeatureCollection\",\"features\":[");
    bool first = true;
    char rn[96];
    for (int r = 0; r < s->n_routes; r++) {
        const struct rt_vehicle *v = &m->v[s->veh[r]];
        route_name(o, r, rn, sizeof rn);
        fprintf(f, "%s\n{\"type\":\"Feature\",\"properties\":{\"route_id\":\"%s\","
                   "\"vehicle\":\"%s\",\"warehouse\":\"%s\",\"stops\":%d,\"color\":\"%s\"},"
                   "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[%.6f,%.6f]",
                first ? "" : ",", rn, m->veh_id[s->veh[r]], m->wh_id[v->wh],
                s->off[r + 1] - s->off[r], color(r), m->w[v->wh].lon, m->w[v->wh].lat);
        first = false;
        for (int q = s->off[r]; q < s->off[r + 1]; q++) {
            const struct rt_order *od = &m->o[plan->order_of_job[s->jobs[q]]];
            fprintf(f, ",[%.6f,%.6f]", od->lon, od->lat);
        }
        fprintf(f, ",[%.6f,%.6f]]}}", m->w[v->end_wh].lon, m->w[v->end_wh].lat);
        for (int q = s->off[r]; q < s->off[r + 1]; q++) {
            int oi = plan->order_of_job[s->jobs[q]];
            fprintf(f, ",\n{\"type\":\"Feature\",\"properties\":{\"order_id\":\"%s\","
                       "\"route_id\":\"%s\",\"seq\":%d},\"geometry\":{\"type\":\"Point\","
                       "\"coordinates\":[%.6f,%.6f]}}",
                    m->order_id[oi], rn, q - s->off[r] + 1, m->o[oi].lon, m->o[oi].lat);
        }
        if (route_break_at(o, r, scratch, &blon, &blat, &bs, &be)) {
            fmt_hhmm(bs, hm0, sizeof hm0);
            fmt_hhmm(be, hm1, sizeof hm1);
            fprintf(f, ",\n{\"type\":\"Feature\",\"properties\":{\"kind\":\"break\","
                       "\"route_id\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"},"
                       "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}}",
                    rn, hm0, hm1, blon, blat);
        }
    }
    for (int i = 0; i < m->n_orders; i++) {
        if (plan->reason[i] == RT_SERVED || m->o[i].no_location)
            continue;
        bool routed = false;
        for (int q = 0; q < s->off[s->n_routes] && !routed; q++)
            routed = plan->order_of_job[s->jobs[q]] == i;
        if (routed)
            continue;
        fprintf(f, "%s\n{\"type\":\"Feature\",\"properties\":{\"order_id\":\"%s\","
                   "\"unassigned\":\"%s\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                   "[%.6f,%.6f]}}",
                first ? "" : ",", m->order_id[i], sco__rt_reason_name(plan->reason[i]),
                m->o[i].lon, m->o[i].lat);
        first = false;
    }
    fprintf(f, "\n]}\n");
    int rc = host->file_commit(o->ctx, f, err);
    if (rc)
        return rc;
    /* one SVG per warehouse: equirectangular projection around the warehouse */
    for (int w = 0; w < m->n_wh; w++) {
        double lat0 = m->w[w].lat, lon0 = m->w[w].lon, kx = cos(lat0 * M_PI / 180);
        double minx = 0, maxx = 0, miny = 0, maxy = 0;
        for (int i = 0; i < m->n_orders; i++) {
            if (m->o[i].wh != w || m->o[i].no_location)
                continue;
            double x = (m->o[i].lon - lon0) * kx, y = m->o[i].lat - lat0;
            minx = x < minx ? x : minx;
            maxx = x > maxx ? x : maxx;
            miny = y < miny ? y : miny;
            maxy = y > maxy ? y : maxy;
        }
        double span = fmax(maxx - minx, maxy - miny);
        if (span <= 0)
            span = 0.01;
        double sc = 720 / span;
        char rel[160];
        snprintf(rel, sizeof rel, "routes-%s.svg", m->wh_id[w]);
        for (char *p = rel; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
                *p = '_';
        f = host->file_create(o->ctx, rel, err);
        if (!f)
            return err->code ? err->code : SCO_ERR_IO;
#define PX(lon) (40 + (((lon) - lon0) * kx - minx) * sc)
#define PY(lat) (40 + (maxy - ((lat) - lat0)) * sc)
        fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"860\" "
                   "viewBox=\"0 0 800 860\" font-family=\"sans-serif\" font-size=\"11\">\n"
                   "<rect width=\"800\" height=\"860\" fill=\"white\"/>\n"
                   "<text x=\"10\" y=\"20\" font-size=\"14\">routes from %s</text>\n",
                m->wh_id[w]);
        int legend = 0;
        for (int r = 0; r < s->n_routes; r++) {
            const struct rt_vehicle *v = &m->v[s->veh[r]];
            if (v->wh != w)
                continue;
            route_name(o, r, rn, sizeof rn);
            fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\""
                       "%.1f,%.1f",
                    color(r), PX(m->w[w].lon), PY(m->w[w].lat));
            for (int q = s->off[r]; q < s->off[r + 1]; q++) {
                const struct rt_order *od = &m->o[plan->order_of_job[s->jobs[q]]];
                fprintf(f, " %.1f,%.1f", PX(od->lon), PY(od->lat));
            }
            fprintf(f, " %.1f,%.1f\"/>\n", PX(m->w[v->end_wh].lon), PY(m->w[v->end_wh].lat));
            for (int q = s->off[r]; q < s->off[r + 1]; q++) {
                const struct rt_order *od = &m->o[plan->order_of_job[s->jobs[q]]];
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                        PX(od->lon), PY(od->lat), color(r));
            }
            if (route_break_at(o, r, scratch, &blon, &blat, &bs, &be)) {
                /* the driver break: a pause sign in the route's colour, times as a tooltip */
                fmt_hhmm(bs, hm0, sizeof hm0);
                fmt_hhmm(be, hm1, sizeof hm1);
                double x = PX(blon), y = PY(blat);
                fprintf(f, "<g><title>%s: break %s-%s</title><rect x=\"%.1f\" y=\"%.1f\" "
                           "width=\"12\" height=\"12\" fill=\"white\" stroke=\"%s\"/>"
                           "<path d=\"M%.1f %.1fv6m4 -6v6\" stroke=\"%s\" stroke-width=\"2\"/>"
                           "</g>\n",
                        rn, hm0, hm1, x + 4, y - 16, color(r), x + 8, y - 13, color(r));
            }
            fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s (%s, %d stops)</text>\n",
                    10 + (legend % 3) * 260, 800 + (legend / 3) * 14, color(r), rn,
                    m->veh_id[s->veh[r]], s->off[r + 1] - s->off[r]);
            legend++;
        }
        for (int i = 0; i < m->n_orders; i++) {
            if (m->o[i].wh != w || m->o[i].no_location || plan->reason[i] == RT_SERVED)
                continue;
            double x = PX(m->o[i].lon), y = PY(m->o[i].lat);
            fprintf(f, "<path d=\"M%.1f %.1fl6 6m0 -6l-6 6\" stroke=\"red\" stroke-width=\"2\">"
                       "<title>%s: %s</title></path>\n",
                    x - 3, y - 3, m->order_id[i], sco__rt_reason_name(plan->reason[i]));
        }
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"black\"/>\n"
                   "</svg>\n",
                PX(m->w[w].lon) - 5, PY(m->w[w].lat) - 5);
#undef PX
#undef PY
        if ((rc = host->file_commit(o->ctx, f, err)))
            return rc;
    }
    return 0;
}

static const char *reason_detail(int r)
{
    switch (r) {
    case RT_RISK_HOLD: return "held by the risk stage";
    case RT_NO_LOCATION: return "customer or warehouse unknown, or without coordinates";
    case RT_NO_VEHICLE: return "its warehouse has no vehicle";
    case RT_SKILL: return "no vehicle of its warehouse has the skills it needs";
    case RT_CAPACITY: return "too heavy or bulky for the vehicles, or their capacity is used up";
    case RT_TIME_WINDOW: return "no vehicle can arrive within its time window";
    case RT_SHIFT: return "cannot be served and the vehicle back within a shift";
    case RT_NOT_WORTH: return "serving it costs more than its unassigned penalty";
    case RT_FLEET_FULL: return "no room left on any route";
    case RT_BREAK: return "its route fits without the driver break, not with it";
    default: return "";
    }
}

static int publish(const struct outctx *o, const struct vrp_check *chk, bool check_mode,
                   struct sco_err *err)
{
    const struct sco_table_api *T = host->tables;
    const struct model *m = o->m;
    const struct rt_plan *plan = o->plan;
    const struct vrp_instance *in = &plan->in;
    const struct vrp_solution *s = o->sol;
    int rc;
    int stops = s->off[s->n_routes];
    struct sco_table *tr = T->create(o->ctx, "routes", routes_out, SCO_COUNT(routes_out));
    struct sco_table *tu = T->create(o->ctx, "unassigned", unassigned_out,
                                     SCO_COUNT(unassigned_out));
    struct sco_table *ts = T->create(o->ctx, "route_summary", rsum_out, SCO_COUNT(rsum_out));
    struct sco_table *tp = T->create(o->ctx, "plan_summary", psum_out, SCO_COUNT(psum_out));
    if (!tr || !tu || !ts || !tp)
        return sco_err_set(err, SCO_ERR_NOMEM, "cannot create the routing output tables");
    int n_rows = stops + 2 * s->n_routes;
    for (int r = 0; r < s->n_routes; r++)
        if (in->vehicles[s->veh[r]].break_dur > 0 && s->off[r + 1] > s->off[r])
            n_rows++;
    if ((rc = T->add_rows(tr, (size_t)n_rows, err)) ||
        (rc = T->add_rows(ts, (size_t)s->n_routes, err)) || (rc = T->add_rows(tp, 1, err)))
        return rc;
    double *arr = malloc(((size_t)stops + 1) * sizeof *arr);
    double *beg = malloc(((size_t)stops + 1) * sizeof *beg);
    double *dep = malloc(((size_t)stops + 1) * sizeof *dep);
    if (!arr || !beg || !dep) {
        free(arr);
        free(beg);
        free(dep);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    }
    int64_t *seq = T->i64_mut(tr, 3);
    double *lkg = T->f64_mut(tr, 8), *ll = T->f64_mut(tr, 9), *dk = T->f64_mut(tr, 10),
           *wt = T->f64_mut(tr, 11), *co = T->f64_mut(tr, 13);
    int64_t *s_stops = T->i64_mut(ts, 4);
    double *s_d = T->f64_mut(ts, 7), *s_du = T->f64_mut(ts, 8), *s_w = T->f64_mut(ts, 9),
           *s_kg = T->f64_mut(ts, 10), *s_l = T->f64_mut(ts, 11), *s_c = T->f64_mut(ts, 12),
           *s_ot = T->f64_mut(ts, 13);
    size_t row = 0;
    double tot_d = 0, tot_du = 0, tot_c = 0;
    int on_time = 0, used = 0;
    char rn[96], hm[16];
    rc = 0;
    for (int r = 0; r < s->n_routes && !rc; r++) {
        int vi = s->veh[r], n = s->off[r + 1] - s->off[r];
        const int *jobs = s->jobs + s->off[r];
        const struct rt_vehicle *v = &m->v[vi];
        const struct vrp_vehicle *ve = &in->vehicles[vi];
        double t0, t1, bstart;
        int bpos;
        sco__vrp_route_schedule_break(in, vi, jobs, n, arr, beg, dep, &t0, &t1, &bpos, &bstart);
        route_name(o, r, rn, sizeof rn);
        double kg = 0, l = 0;
        for (int i = 0; i < n; i++) {
            kg += in->jobs[jobs[i]].demand[0];
            l += in->jobs[jobs[i]].demand[1];
        }
        double dist = 0, wait = 0;
        int at = ve->start_loc, ot = 0;
        /* depot departure */
        set_str(tr, 0, row, rn, err);
        set_str(tr, 1, row, m->veh_id[vi], err);
        set_str(tr, 2, row, m->wh_id[v->wh], err);
        seq[row] = 0;
        set_str(tr, 4, row, "", err);
        set_str(tr, 5, row, m->wh_id[v->wh], err);
        fmt_hhmm(t0, hm, sizeof hm);
        set_str(tr, 6, row, hm, err);
        set_str(tr, 7, row, hm, err);
        set_str(tr, 12, row, hm, err);
        lkg[row] = kg;
        ll[row] = l;
        dk[row] = 0;
        wt[row] = 0;
        co[row] = ve->fixed_cost;
        set_str(tr, 14, row, "start", err);
        row++;
        int sq = 1;
        for (int i = 0; i <= n; i++) {
            if (i == bpos) {
                /* the driver break, where the vehicle is */
                double ready = i > 0 ? dep[i - 1] : t0;
                set_str(tr, 0, row, rn, err);
                set_str(tr, 1, row, m->veh_id[vi], err);
                set_str(tr, 2, row, m->wh_id[v->wh], err);
                seq[row] = sq++;
                set_str(tr, 4, row, "", err);
                set_str(tr, 5, row,
                        i > 0 ? m->order_cust[plan->order_of_job[jobs[i - 1]]]
                              : m->wh_id[v->wh],
                        err);
                fmt_hhmm(ready, hm, sizeof hm);
                set_str(tr, 6, row, hm, err);
                fmt_hhmm(bstart + ve->break_dur, hm, sizeof hm);
                set_str(tr, 7, row, hm, err);
                fmt_hhmm(bstart, hm, sizeof hm);
                set_str(tr, 12, row, hm, err);
                lkg[row] = fabs(kg) < 1e-9 ? 0 : kg;
                ll[row] = fabs(l) < 1e-9 ? 0 : l;
                dk[row] = dist;
                wt[row] = bstart - ready;
                co[row] = ve->fixed_cost + ve->cost_per_dist * dist +
                          ve->cost_per_time * (bstart + ve->break_dur - t0);
                set_str(tr, 14, row, "break", err);
                row++;
            }
            if (i == n)
                break;
            int oi = plan->order_of_job[jobs[i]];
            const struct vrp_job *jb = &in->jobs[jobs[i]];
            dist += vrp_dist(in, at, jb->loc);
            at = jb->loc;
            kg -= jb->demand[0];
            l -= jb->demand[1];
            wait += beg[i] - arr[i];
            if (beg[i] <= jb->tw_close + 1e-6)
                ot++;
            set_str(tr, 0, row, rn, err);
            set_str(tr, 1, row, m->veh_id[vi], err);
            set_str(tr, 2, row, m->wh_id[v->wh], err);
            seq[row] = sq++;
            set_str(tr, 4, row, m->order_id[oi], err);
            set_str(tr, 5, row, m->order_cust[oi], err);
            fmt_hhmm(arr[i], hm, sizeof hm);
            set_str(tr, 6, row, hm, err);
            fmt_hhmm(dep[i], hm, sizeof hm);
            set_str(tr, 7, row, hm, err);
            fmt_hhmm(beg[i], hm, sizeof hm);
            set_str(tr, 12, row, hm, err);
            lkg[row] = fabs(kg) < 1e-9 ? 0 : kg;
            ll[row] = fabs(l) < 1e-9 ? 0 : l;
            dk[row] = dist;
            wt[row] = beg[i] - arr[i];
            co[row] = ve->fixed_cost + ve->cost_per_dist * dist +
                      ve->cost_per_time * (dep[i] - t0);
            set_str(tr, 14, row, "stop", err);
            row++;
        }
        dist += vrp_dist(in, at, ve->end_loc);
        set_str(tr, 0, row, rn, err);
        set_str(tr, 1, row, m->veh_id[vi], err);
        set_str(tr, 2, row, m->wh_id[v->wh], err);
        seq[row] = sq;
        set_str(tr, 4, row, "", err);
        set_str(tr, 5, row, m->wh_id[v->end_wh], err);
        fmt_hhmm(t1, hm, sizeof hm);
        set_str(tr, 6, row, hm, err);
        set_str(tr, 7, row, hm, err);
        set_str(tr, 12, row, hm, err);
        lkg[row] = 0;
        ll[row] = 0;
        dk[row] = dist;
        wt[row] = 0;
        double cost = ve->fixed_cost + ve->cost_per_dist * dist + ve->cost_per_time * (t1 - t0);
        co[row] = cost;
        set_str(tr, 14, row, "end", err);
        row++;
        /* summary row */
        set_str(ts, 0, (size_t)r, rn, err);
        set_str(ts, 1, (size_t)r, m->veh_id[vi], err);
        set_str(ts, 2, (size_t)r, m->wh_id[v->wh], err);
        set_str(ts, 3, (size_t)r, m->wh_id[v->end_wh], err);
        s_stops[r] = n;
        fmt_hhmm(t0, hm, sizeof hm);
        set_str(ts, 5, (size_t)r, hm, err);
        fmt_hhmm(t1, hm, sizeof hm);
        rc = set_str(ts, 6, (size_t)r, hm, err);
        s_d[r] = dist;
        s_du[r] = t1 - t0;
        s_w[r] = wait;
        double k0 = 0, l0 = 0;
        for (int i = 0; i < n; i++) {
            k0 += in->jobs[jobs[i]].demand[0];
            l0 += in->jobs[jobs[i]].demand[1];
        }
        s_kg[r] = k0;
        s_l[r] = l0;
        s_c[r] = cost;
        s_ot[r] = n ? (double)ot / n : 1;
        tot_d += dist;
        tot_du += t1 - t0;
        tot_c += cost;
        on_time += ot;
        if (n)
            used++;
    }
    free(arr);
    free(beg);
    free(dep);
    if (rc)
        return rc;
    /* unassigned: every order not on a route */
    bool *routed = calloc((size_t)m->n_orders + 1, sizeof *routed);
    if (!routed)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    for (int q = 0; q < stops; q++)
        routed[plan->order_of_job[s->jobs[q]]] = true;
    int n_un = 0;
    double pen = 0;
    for (int i = 0; i < m->n_orders; i++)
        if (!routed[i])
            n_un++;
    if ((rc = T->add_rows(tu, (size_t)n_un, err))) {
        free(routed);
        return rc;
    }
    size_t ur = 0;
    for (int i = 0; i < m->n_orders && !rc; i++) {
        if (routed[i])
            continue;
        int reason = plan->reason[i];
        const char *name = check_mode && reason == RT_SERVED ? "not_in_plan"
                                                              : sco__rt_reason_name(reason);
        set_str(tu, 0, ur, m->order_id[i], err);
        set_str(tu, 1, ur, name, err);
        rc = set_str(tu, 2, ur, check_mode && reason == RT_SERVED ? "the plan does not serve it"
                                                                  : reason_detail(reason),
                     err);
        ur++;
        if (reason != RT_RISK_HOLD)
            pen += m->o[i].penalty;
    }
    free(routed);
    if (rc)
        return rc;
    int64_t *pi = NULL;
    pi = T->i64_mut(tp, 0);
    pi[0] = used;
    T->i64_mut(tp, 1)[0] = m->n_veh;
    T->i64_mut(tp, 2)[0] = m->n_orders;
    T->i64_mut(tp, 3)[0] = stops;
    T->i64_mut(tp, 4)[0] = n_un;
    T->f64_mut(tp, 5)[0] = tot_d;
    T->f64_mut(tp, 6)[0] = tot_du;
    T->f64_mut(tp, 7)[0] = tot_c;
    T->f64_mut(tp, 8)[0] = pen;
    T->f64_mut(tp, 9)[0] = stops ? (double)on_time / stops : 1;
    int n_broken = 0; /* orders not served are listed in unassigned, not counted here */
    for (int i = 0; chk && i < chk->n_violations; i++)
        if (chk->v[i].kind != VRP_V_JOB_MISSING)
            n_broken++;
    T->i64_mut(tp, 10)[0] = n_broken;
    if ((rc = set_str(tp, 11, 0, check_mode ? "check" : "optimise", err)))
        return rc;
    if ((rc = host->output(o->ctx, "routes", tr, err)) ||
        (rc = host->output(o->ctx, "unassigned", tu, err)) ||
        (rc = host->output(o->ctx, "route_summary", ts, err)) ||
        (rc = host->output(o->ctx, "plan_summary", tp, err)))
        return rc;
    if (check_mode && chk) {
        struct sco_table *tv = T->create(o->ctx, "plan_violations", viol_out,
                                         SCO_COUNT(viol_out));
        if (!tv)
            return sco_err_set(err, SCO_ERR_NOMEM, "cannot create plan_violations");
        int nv = 0;
        for (int i = 0; i < chk->n_violations; i++)
            if (chk->v[i].kind != VRP_V_JOB_MISSING)
                nv++;
        if ((rc = T->add_rows(tv, (size_t)nv, err)))
            return rc;
        double *amt = T->f64_mut(tv, 3);
        size_t vr = 0;
        for (int i = 0; i < chk->n_violations && !rc; i++) {
            const struct vrp_violation *x = &chk->v[i];
            if (x->kind == VRP_V_JOB_MISSING)
                continue; /* listed in unassigned as not_in_plan */
            char rname[96] = "", det[160];
            const char *kind = sco__vrp_violation_name(x->kind);
            if (x->route >= 0)
                route_name(o, x->route, rname, sizeof rname);
            const char *oid = x->job >= 0 && x->job < in->n_jobs
                                  ? m->order_id[plan->order_of_job[x->job]]
                                  : "";
            switch (x->kind) {
            case VRP_V_CAPACITY:
                snprintf(det, sizeof det, "load above capacity by %.2f %s", x->amount,
                         x->dim == 0 ? "kg" : "l");
                break;
            case VRP_V_TIME_WINDOW:
                snprintf(det, sizeof det, "service starts %.0f min after the window closes",
                         x->amount);
                break;
            case VRP_V_SHIFT:
                snprintf(det, sizeof det, "back %.0f min after the shift ends", x->amount);
                break;
            case VRP_V_DURATION:
                snprintf(det, sizeof det, "route %.0f min longer than allowed", x->amount);
                break;
            case VRP_V_BREAK:
                snprintf(det, sizeof det, "driver break starts %.0f min after its window",
                         x->amount);
                break;
            case VRP_V_SKILL:
                if (x->job >= 0 && x->route >= 0 &&
                    (in->jobs[x->job].skills & ~in->vehicles[s->veh[x->route]].skills &
                     0xffffffffULL)) {
                    kind = "warehouse";
                    snprintf(det, sizeof det, "the vehicle starts at another warehouse than the "
                             "order ships from");
                } else {
                    snprintf(det, sizeof det, "vehicle lacks a needed skill");
                }
                break;
            case VRP_V_JOB_TWICE: snprintf(det, sizeof det, "order served twice"); break;
            case VRP_V_VEHICLE_TWICE:
                snprintf(det, sizeof det, "vehicle drives two routes");
                break;
            default: snprintf(det, sizeof det, "invalid reference"); break;
            }
            set_str(tv, 0, vr, kind, err);
            set_str(tv, 1, vr, rname, err);
            set_str(tv, 2, vr, oid, err);
            amt[vr] = x->amount;
            rc = set_str(tv, 4, vr, det, err);
            vr++;
        }
        if (rc || (rc = host->output(o->ctx, "plan_violations", tv, err)))
            return rc;
    }
    return 0;
}

static int routing_init(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)ctx;
    (void)state;
    (void)err;
    return 0;
}

static int routing_run(struct sco_ctx *ctx, void *state, struct sco_err *err)
{
    (void)state;
    struct model m = { 0 };
    struct rt_plan plan = { 0 };
    struct vrp_solution given = { 0 };
    char **names = NULL;
    struct vrp_check chk = { 0 };
    int rc = load_model(ctx, &m, err);
    if (rc)
        goto out;
    double speed, road, seconds;
    int64_t iters;
    bool maps;
    const char *check_path = NULL;
    if ((rc = host->cfg_f64(ctx, "speed_kmh", &speed, err)) ||
        (rc = host->cfg_f64(ctx, "road_factor", &road, err)) ||
        (rc = host->cfg_f64(ctx, "seconds", &seconds, err)) ||
        (rc = host->cfg_i64(ctx, "iterations", &iters, err)) ||
        (rc = host->cfg_bool(ctx, "maps", &maps, err)))
        goto out;
    if (seconds < 0 || iters < 0 || (seconds == 0 && iters == 0)) {
        rc = host->cfg_error(ctx, "iterations", err, "give a positive iteration budget or "
                             "seconds");
        goto out;
    }
    const char *clock_name = "wall";
    if ((rc = host->cfg_str(ctx, "clock", &clock_name, err)))
        goto out;
    if (strcmp(clock_name, "wall") && strcmp(clock_name, "cpu")) {
        rc = host->cfg_error(ctx, "clock", err, "'%s' is not a clock; use wall or cpu",
                             clock_name);
        goto out;
    }
    const struct sco_run_info *ri = host->run_info(ctx);
    /* the run's thread budget, unless the stage asks for fewer or more */
    int64_t threads = ri && ri->threads > 0 ? ri->threads : 1, tcfg = 0;
    if (threads > VRP_MAX_THREADS)
        threads = VRP_MAX_THREADS;
    rc = host->cfg_i64(ctx, "threads", &tcfg, err);
    if (rc == SCO_ERR_NOINPUT) {
        rc = 0;
    } else if (rc) {
        goto out;
    } else if (tcfg < 1 || tcfg > VRP_MAX_THREADS) {
        rc = host->cfg_error(ctx, "threads", err, "%lld search threads; use 1 to %d",
                             (long long)tcfg, VRP_MAX_THREADS);
        goto out;
    } else {
        threads = tcfg;
    }
    rc = host->cfg_str(ctx, "check_plan", &check_path, err);
    if (rc == SCO_ERR_NOINPUT) {
        check_path = NULL;
        rc = 0;
    } else if (rc) {
        goto out;
    }
    bool check_mode = check_path && *check_path;
    struct rt_problem pb = { m.n_orders, m.n_veh, m.n_wh, 2, m.o, m.v, m.w, speed, road,
                             m.mkm, m.mmin, check_mode };
    if ((rc = sco__rt_build(&pb, &plan, err)))
        goto out;
    const struct vrp_solution *sol;
    if (check_mode) {
        if ((rc = read_plan(ctx, check_path, &m, &plan, &given, &names, err)))
            goto out;
        if ((rc = sco__vrp_check(&plan.in, &given, &chk, NULL, err)))
            goto out;
        sol = &given;
        int broken = 0;
        for (int i = 0; i < chk.n_violations; i++)
            broken += chk.v[i].kind != VRP_V_JOB_MISSING;
        host->log_msg(ctx, SCO_LOG_INFO, "check_plan '%s': %d routes, route cost %.2f, "
                      "%d broken constraints, %d orders not in the plan", check_path,
                      given.n_routes, chk.cost, broken, chk.n_violations - broken);
    } else {
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.seed = ri ? ri->seed : 1;
        p.seconds = seconds;
        p.wall_clock = !strcmp(clock_name, "wall");
        p.threads = (int)threads;
        p.iterations = (long)iters;
        host->progress(ctx, 0, 1, "planning routes");
        if ((rc = sco__rt_solve(&plan, &p, err)))
            goto out;
        sol = &plan.sol;
        if ((rc = sco__vrp_check(&plan.in, sol, &chk, NULL, err)))
            goto out;
        if (chk.n_violations) {
            rc = sco_err_set(err, SCO_ERR_INTERNAL, "the plan breaks %d constraints after "
                             "repair (first: %s)", chk.n_violations,
                             sco__vrp_violation_name(chk.v[0].kind));
            goto out;
        }
        double pen = 0;
        for (int i = 0; i < sol->n_unassigned; i++)
            pen += plan.in.jobs[sol->unassigned[i]].penalty;
        host->log_msg(ctx, SCO_LOG_INFO, "routed %d of %d orders on %d vehicles; route cost "
                      "%.2f, penalties %.2f; %ld iterations on %d threads in %.1f s (%.1f CPU s)",
                      sol->off[sol->n_routes], m.n_orders, sol->n_routes, chk.cost - pen, pen,
                      plan.res.iterations, plan.res.threads, plan.res.wall_seconds,
                      plan.res.seconds);
        if (m.n_skipped_date)
            host->log_msg(ctx, SCO_LOG_INFO, "%d orders are for another delivery date",
                          m.n_skipped_date);
    }
    struct outctx oc = { ctx, &m, &plan, sol, names };
    if ((rc = publish(&oc, &chk, check_mode, err)))
        goto out;
    if (maps && (rc = write_maps(&oc, err)))
        goto out;
    host->progress(ctx, 1, 1, "routes planned");
out:
    if (names) {
        for (int r = 0; r < given.n_routes; r++)
            free(names[r]);
        free(names);
    }
    sco__vrp_check_fini(&chk);
    sco__vrp_solution_fini(&given);
    sco__rt_plan_fini(&plan);
    model_fini(&m);
    return rc;
}

static void routing_fini(struct sco_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
}

SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *h)
{
    static const struct sco_plugin_desc desc = {
        .abi_version = SCO_ABI_VERSION,
        .size = sizeof desc,
        .name = "routing",
        .version = "0.1.0",
        .summary = "delivery routes with capacities, time windows, shifts and skills",
        .inputs = inputs,
        .n_inputs = SCO_COUNT(inputs),
        .outputs = outputs,
        .n_outputs = SCO_COUNT(outputs),
        .config = keys,
        .n_config = SCO_COUNT(keys),
        .state_size = sizeof(struct rstate),
        .init = routing_init,
        .run = routing_run,
        .fini = routing_fini,
    };
    host = h;
    return &desc;
}
