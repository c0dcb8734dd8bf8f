/* inv-milp.c: the plan's model as one GLPK MILP, for small instances and to check the
 * decomposition. Per item and stage: n (integer cumulative cases), z (line placed), g (stage
 * cost, epigraph of the convex stage cost table through its secants), v (storage litres).
 * Every coefficient and bound is validated before GLPK sees it (GLPK aborts on bad input). */
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inv-plan-int.h"

struct trip {
    int *ia, *ja;
    double *ar;
    int n, cap;
};

static int trip_add(struct trip *t, int i, int j, double v)
{
    if (!isfinite(v))
        return -1;
    if (t->n + 1 >= t->cap) {
        int nc = t->cap ? t->cap * 2 : 4096;
        int *ia = realloc(t->ia, sizeof(int) * (size_t)nc);
        if (!ia)
            return -2;
        t->ia = ia;
        int *ja = realloc(t->ja, sizeof(int) * (size_t)nc);
        if (!ja)
            return -2;
        t->ja = ja;
        double *ar = realloc(t->ar, sizeof(double) * (size_t)nc);
        if (!ar)
            return -2;
        t->ar = ar;
        t->cap = nc;
    }
    t->n++;
    t->ia[t->n] = i, t->ja[t->n] = j, t->ar[t->n] = v;
    return 0;
}

struct cbdata {
    double bound;
    bool have;
};

static void mip_cb(glp_tree *tree, void *info)
{
    struct cbdata *cb = info;
    int r = glp_ios_reason(tree);
    if (r == GLP_ISELECT || r == GLP_IBINGO || r == GLP_IROWGEN) {
        int p = glp_ios_best_node(tree);
        if (p > 0) {
            cb->bound = glp_ios_node_bound(tree, p);
            cb->have = true;
        }
    }
}

int sco__inv_solve_milp(const struct sco_inv_problem *pb, double time_limit_s,
                        struct sco_inv_plan *plan, double *bound, struct sco_err *err)
{
    struct sco_inv_model md;
    if (pb->lost_sales || pb->terminal_value)
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "the exact milp needs convex stage costs "
                           "(backorder shortage term, no terminal value); set lost_sales and "
                           "terminal_value off");
    int rc = sco__inv_model_build(pb, &md, err);
    if (rc)
        return rc;
    rc = sco__inv_plan_alloc(plan, &md, err);
    if (rc) {
        sco__inv_model_fini(&md);
        return rc;
    }
    int NS = md.n_stages, NW = md.n_wh, ND = md.n_days;
    size_t ni = (size_t)md.n_items + 1;
    int *col0 = calloc(ni, sizeof(int)); /* first column of item i */
    int32_t *ncum = calloc(ni * NS, sizeof(int32_t));
    struct trip t = { 0 };
    glp_prob *lp = NULL;
    if (!col0 || !ncum) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the milp");
        goto out;
    }
    glp_term_out(GLP_OFF);
    lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    /* coupling rows first: budget, receiving, storage (only finite ones) */
    int *rb = calloc((size_t)NS, sizeof(int)), *rr = calloc((size_t)NW * ND, sizeof(int)),
        *rs = calloc((size_t)NW * NS, sizeof(int));
    if (!rb || !rr || !rs) {
        free(rb), free(rr), free(rs);
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the milp");
        goto out;
    }
    for (int m = 0; m < NS; m++)
        if (isfinite(md.cap_b[m])) {
            rb[m] = glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, rb[m], GLP_UP, 0, md.cap_b[m]);
        }
    for (int k = 0; k < NW * ND; k++)
        if (isfinite(md.cap_r[k])) {
            rr[k] = glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, rr[k], GLP_UP, 0, md.cap_r[k]);
        }
    for (int k = 0; k < NW * NS; k++)
        if (isfinite(md.cap_s[k])) {
            rs[k] = glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, rs[k], GLP_UP, 0, md.cap_s[k]);
        }
    /* columns per item and stage: n, z, g, v */
    int bad = 0;
    for (int32_t i = 0; i < md.n_items && rc == 0 && bad == 0; i++) {
        const struct sco_inv_sub *s = &md.sub[i];
        if (s->M == 0)
            continue;
        if (s->S < 1 || s->moq_c < 1 || !isfinite(s->fixed) || s->fixed < 0) {
            rc = sco_err_set(err, SCO_ERR_INTERNAL, "item %d: invalid subproblem", i);
            break;
        }
        int c = glp_add_cols(lp, 4 * s->M);
        col0[i] = c;
        for (int m = 0; m < s->M && rc == 0 && bad == 0; m++) {
            int cn = c + 4 * m, cz = cn + 1, cg = cn + 2, cv = cn + 3;
            const double *g = s->G + (size_t)m * s->S;
            double gmin = g[0];
            for (int k = 0; k < s->S; k++) {
                if (!isfinite(g[k])) {
                    rc = sco_err_set(err, SCO_ERR_INTERNAL, "item %d: stage cost not finite", i);
                    break;
                }
                if (g[k] < gmin)
                    gmin = g[k];
            }
            if (rc)
                break;
            glp_set_col_kind(lp, cn, GLP_IV);
            if (s->S > 1)
                glp_set_col_bnds(lp, cn, GLP_DB, 0, s->S - 1);
            else
                glp_set_col_bnds(lp, cn, GLP_FX, 0, 0);
            glp_set_col_kind(lp, cz, GLP_BV);
            glp_set_obj_coef(lp, cz, s->fixed);
            glp_set_col_bnds(lp, cg, GLP_LO, gmin, 0);
            glp_set_obj_coef(lp, cg, 1);
            glp_set_col_bnds(lp, cv, GLP_LO, 0, 0);
            /* order size: moq_c z <= n_m - n_{m-1} <= (S-1) z */
            int r1 = glp_add_rows(lp, 2);
            glp_set_row_bnds(lp, r1, GLP_LO, 0, 0);
            glp_set_row_bnds(lp, r1 + 1, GLP_UP, 0, 0);
            bad |= trip_add(&t, r1, cn, 1) | trip_add(&t, r1, cz, -s->moq_c);
            bad |= trip_add(&t, r1 + 1, cn, 1) | trip_add(&t, r1 + 1, cz, -(double)(s->S - 1));
            if (m > 0)
                bad |= trip_add(&t, r1, cn - 4, -1) | trip_add(&t, r1 + 1, cn - 4, -1);
            /* epigraph: g >= G[k] + (G[k+1] - G[k]) (n - k) */
            for (int k = 0; k + 1 < s->S; k++) {
                double sl = g[k + 1] - g[k];
                int r = glp_add_rows(lp, 1);
                glp_set_row_bnds(lp, r, GLP_LO, g[k] - sl * k, 0);
                bad |= trip_add(&t, r, cg, 1) | trip_add(&t, r, cn, -sl);
            }
            /* coupling */
            if (rb[m]) {
                bad |= trip_add(&t, rb[m], cn, s->cost_case);
                if (m > 0)
                    bad |= trip_add(&t, rb[m], cn - 4, -s->cost_case);
            }
            int day = m * pb->review_days + s->arr;
            if (day < ND && rr[s->wh * ND + day]) {
                bad |= trip_add(&t, rr[s->wh * ND + day], cn, s->vol_case);
                if (m > 0)
                    bad |= trip_add(&t, rr[s->wh * ND + day], cn - 4, -s->vol_case);
            }
            if (rs[s->wh * NS + m]) {
                int r = glp_add_rows(lp, 1);
                if (!isfinite(s->sb[m])) {
                    bad = -1;
                    break;
                }
                glp_set_row_bnds(lp, r, GLP_LO, s->sb[m], 0);
                bad |= trip_add(&t, r, cv, 1) | trip_add(&t, r, cn, -s->vol_case);
                bad |= trip_add(&t, rs[s->wh * NS + m], cv, 1);
            }
        }
        if (bad && !rc)
            rc = sco_err_set(err, bad == -2 ? SCO_ERR_NOMEM : SCO_ERR_INTERNAL,
                             "item %d: cannot build the milp (non-finite coefficient)", i);
    }
    free(rb), free(rr), free(rs);
    if (rc)
        goto out;
    if (t.n > 0)
        glp_load_matrix(lp, t.n, t.ia, t.ja, t.ar);
    struct cbdata cb = { 0 };
    glp_iocp parm;
    glp_init_iocp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    parm.tm_lim = time_limit_s > 0 ? (int)(time_limit_s * 1000) : 60000;
    parm.cb_func = mip_cb;
    parm.cb_info = &cb;
    parm.mip_gap = 1e-9;
    int grc = glp_intopt(lp, &parm);
    int st = glp_mip_status(lp);
    if (grc != 0 && grc != GLP_ETMLIM && grc != GLP_EMIPGAP) {
        rc = sco_err_set(err, SCO_ERR_INFEASIBLE, "glpk: intopt failed (code %d)", grc);
        goto out;
    }
    if (st != GLP_OPT && st != GLP_FEAS) {
        rc = sco_err_set(err, SCO_ERR_INFEASIBLE, "glpk: no integer solution (status %d)%s", st,
                         grc == GLP_ETMLIM ? " within the time limit" : "");
        goto out;
    }
    for (int32_t i = 0; i < md.n_items; i++) {
        const struct sco_inv_sub *s = &md.sub[i];
        for (int m = 0; m < s->M; m++)
            ncum[(size_t)i * NS + m] = (int32_t)lround(glp_mip_col_val(lp, col0[i] + 4 * m));
        for (int m = s->M; m < NS; m++)
            ncum[(size_t)i * NS + m] = s->M > 0 ? ncum[(size_t)i * NS + s->M - 1] : 0;
    }
    sco__inv_plan_fill(plan, &md, ncum);
    for (int32_t i = 0; i < md.n_items; i++) {
        const struct sco_inv_sub *s = &md.sub[i];
        int32_t prev = 0;
        for (int m = 0; m < s->M; m++) {
            int32_t q = ncum[(size_t)i * NS + m] - prev;
            int day = m * pb->review_days + s->arr;
            if (q > 0 && day < ND)
                plan->recv_used[s->wh * ND + day] += s->vol_case * q;
            prev = ncum[(size_t)i * NS + m];
        }
    }
    double obj = plan->ub;
    double bd = (st == GLP_OPT) ? obj : (cb.have ? cb.bound : -INFINITY);
    if (bd > obj)
        bd = obj;
    plan->lb = bd;
    plan->gap = obj > 0 && isfinite(bd) ? (obj - bd) / obj : 0;
    if (bound)
        *bound = bd;
    rc = st == GLP_OPT ? 0 : 1;
out:
    if (lp)
        glp_delete_prob(lp);
    free(t.ia), free(t.ja), free(t.ar);
    free(col0);
    free(ncum);
    sco__inv_model_fini(&md);
    if (rc < 0)
        sco__inv_plan_fini(plan);
    return rc;
}
