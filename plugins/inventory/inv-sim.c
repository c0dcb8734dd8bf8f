/* inv-sim.c: the daily replenishment simulator (the same for every policy) and the hindsight
 * bound per item (true demand and lead times known) as a small GLPK MILP. */
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inv.h"

static void res_add(struct sco_inv_sim_result *a, const struct sco_inv_sim_result *b)
{
    a->holding += b->holding, a->lost_cost += b->lost_cost, a->fixed_cost += b->fixed_cost;
    a->total += b->total, a->demand += b->demand, a->served += b->served, a->lost += b->lost;
    a->cycles += b->cycles, a->cycles_ok += b->cycles_ok, a->lines += b->lines;
    a->cut_lines += b->cut_lines;
}

int sco__inv_simulate(const struct sco_inv_sim_item *items, int32_t n_items, int32_t n_days,
                      int32_t first_review, int32_t review_days, double budget,
                      sco_inv_policy_fn *policy, void *ctx, struct sco_inv_sim_result *per_item,
                      struct sco_inv_sim_result *total, struct sco_err *err)
{
    if (n_items < 1 || n_days < 1 || review_days < 1 || first_review < 0)
        return sco_err_set(err, SCO_ERR_INVALID, "simulator: bad sizes (items %d, days %d, "
                           "review %d)", n_items, n_days, review_days);
    for (int32_t i = 0; i < n_items; i++)
        if (items[i].case_pack < 1 || items[i].moq < 0 || !(items[i].on_hand0 >= 0))
            return sco_err_set(err, SCO_ERR_INVALID,
                               "simulator item %d: case pack must be >= 1, moq and stock >= 0", i);
    int rc = 0;
    double *on_hand = calloc((size_t)n_items, sizeof(double));
    double *pipe = calloc((size_t)n_items * n_days, sizeof(double));
    int64_t *cases = calloc((size_t)n_items, sizeof(int64_t));
    uint8_t *loss = calloc((size_t)n_items, 1);
    struct sco_inv_sim_result *res = per_item;
    struct sco_inv_sim_result *own = NULL;
    if (!res)
        res = own = calloc((size_t)n_items, sizeof *res);
    if (!on_hand || !pipe || !cases || !loss || !res) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "simulator: out of memory");
        goto out;
    }
    memset(res, 0, sizeof *res * (size_t)n_items);
    for (int32_t i = 0; i < n_items; i++)
        on_hand[i] = items[i].on_hand0;
    bool in_cycle = false;
    for (int32_t day = 0; day < n_days; day++) {
        bool review = day >= first_review && (day - first_review) % review_days == 0;
        for (int32_t i = 0; i < n_items; i++) {
            const struct sco_inv_sim_item *it = &items[i];
            struct sco_inv_sim_result *r = &res[i];
            on_hand[i] += pipe[(size_t)i * n_days + day];
            pipe[(size_t)i * n_days + day] = 0;
            double d = it->demand[day] > 0 ? it->demand[day] : 0;
            double s = d < on_hand[i] ? d : on_hand[i];
            on_hand[i] -= s;
            r->demand += d, r->served += s, r->lost += d - s;
            r->lost_cost += it->penalty * (d - s);
            if (d - s > 0)
                loss[i] = 1;
        }
        if (review) {
            if (in_cycle)
                for (int32_t i = 0; i < n_items; i++) {
                    res[i].cycles += 1;
                    res[i].cycles_ok += loss[i] ? 0 : 1;
                }
            memset(loss, 0, (size_t)n_items);
            in_cycle = true;
            struct sco_inv_sim_state st = { day, on_hand, pipe };
            memset(cases, 0, sizeof *cases * (size_t)n_items);
            if ((rc = policy(ctx, &st, cases, err)))
                goto out;
            double spent = 0;
            for (int32_t i = 0; i < n_items; i++) {
                const struct sco_inv_sim_item *it = &items[i];
                if (cases[i] <= 0)
                    continue;
                int64_t moq_c = (it->moq + it->case_pack - 1) / it->case_pack;
                int64_t c = cases[i] < moq_c ? moq_c : cases[i];
                int32_t lead = it->lead[day] < 1 ? 1 : it->lead[day];
                if (day + lead >= n_days)
                    continue; /* would arrive after the window: not placed */
                double cc = it->unit_cost * (double)it->case_pack;
                if (budget > 0 && isfinite(budget) && spent + cc * (double)c > budget + 1e-9) {
                    int64_t fit = cc > 0 ? (int64_t)floor((budget - spent) / cc + 1e-9) : c;
                    res[i].cut_lines += 1;
                    c = fit >= moq_c && fit > 0 ? fit : 0;
                    if (c == 0)
                        continue;
                }
                spent += cc * (double)c;
                pipe[(size_t)i * n_days + day + lead] += (double)(c * it->case_pack);
                res[i].fixed_cost += it->fixed;
                res[i].lines += 1;
            }
        }
        for (int32_t i = 0; i < n_items; i++)
            res[i].holding += items[i].hold * on_hand[i];
    }
    if (in_cycle)
        for (int32_t i = 0; i < n_items; i++) {
            res[i].cycles += 1;
            res[i].cycles_ok += loss[i] ? 0 : 1;
        }
    if (total)
        memset(total, 0, sizeof *total);
    for (int32_t i = 0; i < n_items; i++) {
        res[i].total = res[i].holding + res[i].lost_cost + res[i].fixed_cost;
        if (total)
            res_add(total, &res[i]);
    }
out:
    free(on_hand);
    free(pipe);
    free(cases);
    free(loss);
    free(own);
    return rc;
}

struct hcb {
    double bound;
    bool have;
};

static void hind_cb(glp_tree *tree, void *info)
{
    struct hcb *cb = info;
    int r = glp_ios_reason(tree);
    if (r == GLP_ISELECT || r == GLP_IBINGO) {
        int p = glp_ios_best_node(tree);
        if (p > 0) {
            cb->bound = glp_ios_node_bound(tree, p);
            cb->have = true;
        }
    }
}

/* Facility-location form (much tighter LP than the inventory-balance form): x[r][t] = units of
 * order r that serve day t's demand, s[t] = units of the starting stock that do, l[t] = lost.
 * A unit arriving on day a and sold on day t sits in end-of-day stock t - a days; a unit never
 * sold sits T - a days: so holding = h (T - a) per unit ordered - h (T - t) per unit sold on t.
 * Strong bounds x[r][t] <= d[t] z[r]. Which units serve which day does not change the stock
 * levels, so this equals the simulator's accounting; serving from stock is always cheaper than
 * losing, so the optimum never loses a sale it could serve. The budget is relaxed (a bound). */
/* *cost is NAN when the time limit passed before any integer solution (the bound stands). */
int sco__inv_hindsight(const struct sco_inv_sim_item *it, int32_t n_days, int32_t first_review,
                       int32_t review_days, double time_limit_s, double *cost, double *bound,
                       struct sco_err *err)
{
    if (n_days < 1 || review_days < 1 || it->case_pack < 1 || it->moq < 0 ||
        !(it->on_hand0 >= 0) || !(it->hold >= 0) || !(it->penalty >= 0) || !(it->fixed >= 0))
        return sco_err_set(err, SCO_ERR_INVALID, "hindsight: bad item or sizes");
    for (int32_t t = 0; t < n_days; t++)
        if (!(it->demand[t] >= 0) || !isfinite(it->demand[t]))
            return sco_err_set(err, SCO_ERR_INVALID, "hindsight: demand on day %d is not a "
                               "non-negative number", t);
    int64_t moq_c = (it->moq + it->case_pack - 1) / it->case_pack;
    if (moq_c < 1)
        moq_c = 1;
    const double h = it->hold, T = n_days, cp = (double)it->case_pack;
    int rc = 0;
    int cap = 64, nz = 0;
    int *ia = NULL, *ja = NULL;
    double *ar = NULL;
    int *drow = calloc((size_t)n_days, sizeof(int));
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
#define PUT(i, j, v)                                                                       \
    do {                                                                                   \
        if (nz + 1 >= cap) {                                                               \
            cap *= 2;                                                                      \
            int *na = realloc(ia, sizeof(int) * (size_t)cap);                              \
            if (na)                                                                        \
                ia = na;                                                                   \
            int *nb = realloc(ja, sizeof(int) * (size_t)cap);                              \
            if (nb)                                                                        \
                ja = nb;                                                                   \
            double *nc = realloc(ar, sizeof(double) * (size_t)cap);                        \
            if (nc)                                                                        \
                ar = nc;                                                                   \
            if (!na || !nb || !nc)                                                         \
                goto nomem;                                                                \
        }                                                                                  \
        ++nz;                                                                              \
        ia[nz] = (i), ja[nz] = (j), ar[nz] = (v);                                          \
    } while (0)
    ia = malloc(sizeof(int) * (size_t)cap);
    ja = malloc(sizeof(int) * (size_t)cap);
    ar = malloc(sizeof(double) * (size_t)cap);
    if (!ia || !ja || !ar || !drow)
        goto nomem;
    /* constant: the starting stock held to the end unless sold */
    glp_set_obj_coef(lp, 0, h * T * it->on_hand0);
    int stock_row = glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, stock_row, GLP_UP, 0, it->on_hand0);
    for (int32_t t = 0; t < n_days; t++) {
        double d = it->demand[t];
        if (d <= 0)
            continue;
        drow[t] = glp_add_rows(lp, 1);
        glp_set_row_bnds(lp, drow[t], GLP_FX, d, d);
        int c = glp_add_cols(lp, 2); /* s_t, l_t */
        glp_set_col_bnds(lp, c, GLP_DB, 0, d);
        glp_set_obj_coef(lp, c, -h * (T - t));
        glp_set_col_bnds(lp, c + 1, GLP_DB, 0, d);
        glp_set_obj_coef(lp, c + 1, it->penalty);
        PUT(drow[t], c, 1);
        PUT(drow[t], c + 1, 1);
        PUT(stock_row, c, 1);
    }
    for (int32_t r = first_review; r < n_days; r += review_days) {
        int32_t lead = it->lead[r] < 1 ? 1 : it->lead[r];
        int32_t a = r + lead;
        if (a >= n_days)
            continue;
        double rest = 0;
        for (int32_t t = a; t < n_days; t++)
            rest += it->demand[t];
        double Ur = ceil(rest / cp - 1e-9);
        if (Ur < (double)moq_c)
            Ur = (double)moq_c;
        int cy = glp_add_cols(lp, 2), cz = cy + 1;
        glp_set_col_kind(lp, cy, GLP_IV);
        glp_set_col_bnds(lp, cy, GLP_DB, 0, Ur);
        glp_set_obj_coef(lp, cy, cp * h * (T - a));
        glp_set_col_kind(lp, cz, GLP_BV);
        glp_set_obj_coef(lp, cz, it->fixed);
        int rr = glp_add_rows(lp, 3);
        glp_set_row_bnds(lp, rr, GLP_LO, 0, 0);     /* y - moq_c z >= 0 */
        glp_set_row_bnds(lp, rr + 1, GLP_UP, 0, 0); /* y - U z <= 0 */
        glp_set_row_bnds(lp, rr + 2, GLP_UP, 0, 0); /* sum_t x - case y <= 0 */
        PUT(rr, cy, 1);
        PUT(rr, cz, -(double)moq_c);
        PUT(rr + 1, cy, 1);
        PUT(rr + 1, cz, -Ur);
        PUT(rr + 2, cy, -cp);
        for (int32_t t = a; t < n_days; t++) {
            double d = it->demand[t];
            if (d <= 0)
                continue;
            int cx = glp_add_cols(lp, 1);
            glp_set_col_bnds(lp, cx, GLP_DB, 0, d);
            glp_set_obj_coef(lp, cx, -h * (T - t));
            int vub = glp_add_rows(lp, 1); /* x - d z <= 0 */
            glp_set_row_bnds(lp, vub, GLP_UP, 0, 0);
            PUT(vub, cx, 1);
            PUT(vub, cz, -d);
            PUT(drow[t], cx, 1);
            PUT(rr + 2, cx, 1);
        }
    }
#undef PUT
    glp_load_matrix(lp, nz, ia, ja, ar);
    struct hcb cb = { 0 };
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    parm.tm_lim = time_limit_s > 0 ? (int)(time_limit_s * 1000) : 30000;
    parm.cb_func = hind_cb;
    parm.cb_info = &cb;
    parm.mip_gap = 1e-7;
    int grc = glp_intopt(lp, &parm);
    int st = glp_mip_status(lp);
    if (grc == GLP_ETMLIM && st != GLP_OPT && st != GLP_FEAS) {
        /* no incumbent within the time limit: the best bound is still a valid bound */
        *cost = NAN;
        *bound = cb.have ? cb.bound : 0;
        rc = 0;
        goto out;
    }
    if ((grc != 0 && grc != GLP_ETMLIM && grc != GLP_EMIPGAP) || (st != GLP_OPT && st != GLP_FEAS)) {
        rc = sco_err_set(err, SCO_ERR_INFEASIBLE, "hindsight: glpk intopt failed (code %d, "
                         "status %d)", grc, st);
        goto out;
    }
    *cost = glp_mip_obj_val(lp);
    if (st == GLP_OPT && grc == 0)
        *bound = *cost;
    else
        *bound = cb.have && cb.bound < *cost ? cb.bound : 0; /* 0: trivially valid */
    rc = 0;
    goto out;
nomem:
    rc = sco_err_set(err, SCO_ERR_NOMEM, "hindsight: out of memory");
out:
    glp_delete_prob(lp);
    free(ia), free(ja), free(ar);
    free(drow);
    return rc;
}
