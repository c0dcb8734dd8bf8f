/* vrp-sp.c: GLPK where it is strongest: the set-partitioning MIP over a pool of routes
 * (recombination during the search) and the exact optimum of tiny instances (test oracle). */
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vrp.h"

struct sp_cb {
    double deadline;
    const unsigned char *incumbent;
    int n_cols;
    bool given;
    long node_limit;
    bool wall;
};

static void sp_callback(glp_tree *T, void *info)
{
    struct sp_cb *cb = info;
    if (cb->deadline > 0 && sco__vrp_clock(cb->wall) > cb->deadline) {
        glp_ios_terminate(T);
        return;
    }
    if (cb->node_limit > 0) {
        int a, n, t;
        glp_ios_tree_size(T, &a, &n, &t);
        if (t > cb->node_limit) {
            glp_ios_terminate(T);
            return;
        }
    }
    if (glp_ios_reason(T) == GLP_IHEUR && cb->incumbent && !cb->given) {
        cb->given = true;
        double *x = malloc(((size_t)cb->n_cols + 1) * sizeof *x);
        if (!x)
            return;
        for (int c = 0; c < cb->n_cols; c++)
            x[c + 1] = cb->incumbent[c] ? 1.0 : 0.0;
        glp_ios_heur_sol(T, x);
        free(x);
    }
}

int sco__vrp_set_partition(const struct vrp_pool_view *pv, const unsigned char *incumbent,
                           double cpu_deadline, int *chosen, int *n_chosen, double *obj,
                           struct sco_err *err)
{
    /* validate everything GLPK would otherwise abort the process on */
    if (pv->n_cols < 1 || pv->n_jobs < 1 || pv->n_classes < 1)
        return sco_err_set(err, SCO_ERR_INVALID, "set partitioning needs routes, jobs and "
                           "vehicle classes");
    int *cover = calloc((size_t)pv->n_jobs, sizeof *cover);
    if (!cover)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    for (int c = 0; c < pv->n_cols; c++) {
        if (pv->cls[c] < 0 || pv->cls[c] >= pv->n_classes || !isfinite(pv->cost[c]) ||
            pv->off[c + 1] <= pv->off[c]) {
            free(cover);
            return sco_err_set(err, SCO_ERR_INVALID, "route %d of the pool is malformed", c);
        }
        for (int q = pv->off[c]; q < pv->off[c + 1]; q++) {
            int j = pv->jobs[q];
            if (j < 0 || j >= pv->n_jobs) {
                free(cover);
                return sco_err_set(err, SCO_ERR_INVALID, "route %d of the pool visits job %d "
                                   "out of range", c, j);
            }
            cover[j]++;
        }
    }
    for (int j = 0; j < pv->n_jobs; j++)
        if (!cover[j]) {
            free(cover);
            return sco_err_set(err, SCO_ERR_INFEASIBLE, "job %d is in no route of the pool", j);
        }
    free(cover);
    int rc = 0;
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    int n_rows = pv->n_jobs;
    int *class_row = calloc((size_t)pv->n_classes, sizeof *class_row);
    size_t nz = (size_t)pv->off[pv->n_cols] + (size_t)pv->n_cols;
    int *ia = malloc((nz + 1) * sizeof *ia), *ja = malloc((nz + 1) * sizeof *ja);
    double *ar = malloc((nz + 1) * sizeof *ar);
    if (!class_row || !ia || !ja || !ar) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto out;
    }
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_rows(lp, n_rows);
    for (int j = 0; j < pv->n_jobs; j++)
        glp_set_row_bnds(lp, j + 1, GLP_FX, 1.0, 1.0);
    /* fleet rows only where the class could be over-used */
    for (int k = 0; k < pv->n_classes; k++) {
        if (pv->class_count[k] >= pv->n_jobs)
            continue;
        int r = glp_add_rows(lp, 1);
        glp_set_row_bnds(lp, r, GLP_UP, 0.0, (double)(pv->class_count[k] > 0 ?
                                                      pv->class_count[k] : 0));
        class_row[k] = r;
    }
    glp_add_cols(lp, pv->n_cols);
    size_t k = 0;
    for (int c = 0; c < pv->n_cols; c++) {
        glp_set_col_kind(lp, c + 1, GLP_BV);
        glp_set_obj_coef(lp, c + 1, pv->cost[c]);
        /* a route may list a job once only; duplicates would make a coefficient 2 */
        for (int q = pv->off[c]; q < pv->off[c + 1]; q++) {
            bool dup = false;
            for (int q2 = pv->off[c]; q2 < q; q2++)
                if (pv->jobs[q2] == pv->jobs[q])
                    dup = true;
            if (dup)
                continue;
            k++;
            ia[k] = pv->jobs[q] + 1;
            ja[k] = c + 1;
            ar[k] = 1.0;
        }
        if (class_row[pv->cls[c]]) {
            k++;
            ia[k] = class_row[pv->cls[c]];
            ja[k] = c + 1;
            ar[k] = 1.0;
        }
    }
    glp_load_matrix(lp, (int)k, ia, ja, ar);
    glp_smcp sp;
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    if (cpu_deadline > 0) {
        double left = cpu_deadline - sco__vrp_clock(pv->wall_clock);
        if (left <= 0.01) {
            rc = sco_err_set(err, SCO_ERR_CANCELLED, "no time left for set partitioning");
            goto out;
        }
        sp.tm_lim = (int)(left * 1000) + 1;
    }
    int r = glp_simplex(lp, &sp);
    if (r != 0 || glp_get_status(lp) != GLP_OPT) {
        rc = glp_get_status(lp) == GLP_NOFEAS
                 ? sco_err_set(err, SCO_ERR_INFEASIBLE, "set partitioning has no solution")
                 : sco_err_set(err, SCO_ERR_CANCELLED, "glpk: simplex stopped (code %d)", r);
        goto out;
    }
    glp_iocp ip;
    glp_init_iocp(&ip);
    ip.msg_lev = GLP_MSG_OFF;
    ip.presolve = GLP_OFF;
    ip.clq_cuts = GLP_ON;
    ip.fp_heur = GLP_ON;
    struct sp_cb cb = { cpu_deadline, incumbent, pv->n_cols, false, pv->node_limit,
                         pv->wall_clock };
    ip.cb_func = sp_callback;
    ip.cb_info = &cb;
    if (cpu_deadline > 0) {
        double left = cpu_deadline - sco__vrp_clock(pv->wall_clock);
        ip.tm_lim = left > 0.01 ? (int)(left * 1000) + 1 : 10;
    }
    r = glp_intopt(lp, &ip);
    int st = glp_mip_status(lp);
    if (st != GLP_OPT && st != GLP_FEAS) {
        rc = st == GLP_NOFEAS ? sco_err_set(err, SCO_ERR_INFEASIBLE, "set partitioning has no "
                                            "solution")
                              : sco_err_set(err, SCO_ERR_CANCELLED, "glpk: branch and bound "
                                            "found no plan in time (code %d)", r);
        goto out;
    }
    *n_chosen = 0;
    for (int c = 0; c < pv->n_cols; c++)
        if (glp_mip_col_val(lp, c + 1) > 0.5)
            chosen[(*n_chosen)++] = c;
    *obj = glp_mip_obj_val(lp);
out:
    free(class_row);
    free(ia);
    free(ja);
    free(ar);
    glp_delete_prob(lp);
    return rc;
}

/* ---- exact optimum of tiny instances ------------------------------------------------------ */

struct exact {
    const struct vrp_instance *in;
    int v;             /* representative vehicle of the class */
    double *best;      /* per subset mask */
    int *best_seq;     /* per mask, n ints */
    int seq[16];
    int n;
};

/* Depth-first over sequences; every violation only grows with extension, so prune on it. */
static void dfs(struct exact *x, int mask, int len, double t, double dist, double wait,
                double *load, int at, double t0)
{
    const struct vrp_instance *in = x->in;
    const struct vrp_vehicle *ve = &in->vehicles[x->v];
    (void)wait;
    if (len > 0) {
        double end = t + vrp_time(in, at, ve->end_loc);
        if (end <= ve->shift_end + 1e-9) {
            /* least duration: leave as late as the schedule allows (checker's rule) */
            int jobs[16];
            memcpy(jobs, x->seq, (size_t)len * sizeof *jobs);
            double s0, s1, beg[16], bstart;
            int bpos;
            sco__vrp_route_schedule_break(in, x->v, jobs, len, NULL, beg, NULL, &s0, &s1, &bpos,
                                          &bstart);
            double dur = s1 - s0;
            /* the break only delays: the pruning below (without it) stays valid, but a route
             * with a break is checked whole */
            bool ok = true;
            if (bpos >= 0) {
                ok = bstart <= ve->break_end + 1e-9 && s1 <= ve->shift_end + 1e-9;
                for (int i = 0; i < len && ok; i++)
                    ok = beg[i] <= in->jobs[jobs[i]].tw_close + 1e-9;
            }
            if (ok && dur <= ve->max_duration + 1e-9) {
                double c = ve->fixed_cost + ve->cost_per_dist *
                           (dist + vrp_dist(in, at, ve->end_loc)) + ve->cost_per_time * dur;
                if (c < x->best[mask] - 1e-9) {
                    x->best[mask] = c;
                    memcpy(x->best_seq + (size_t)mask * (size_t)x->n, x->seq,
                           (size_t)len * sizeof *x->seq);
                    if (len < x->n)
                        x->best_seq[(size_t)mask * (size_t)x->n + (size_t)len] = -1;
                }
            }
        }
    }
    (void)t0;
    for (int j = 0; j < x->n; j++) {
        if (mask & (1 << j))
            continue;
        const struct vrp_job *jb = &in->jobs[j];
        if (jb->skills & ~ve->skills)
            continue;
        bool over = false;
        double nl[VRP_MAX_DIM];
        for (int d = 0; d < in->n_dims; d++) {
            nl[d] = load[d] + jb->demand[d];
            if (nl[d] > ve->cap[d] + 1e-9)
                over = true;
        }
        if (over)
            continue;
        double a = t + vrp_time(in, at, jb->loc);
        double b = vrp_job_start(jb, a, NULL);
        if (b > jb->tw_close + 1e-9)
            continue;
        x->seq[len] = j;
        dfs(x, mask | (1 << j), len + 1, b + jb->service, dist + vrp_dist(in, at, jb->loc),
            0, nl, jb->loc, t0);
    }
}

int sco__vrp_exact(const struct vrp_instance *in, struct vrp_solution *sol, double *cost,
                   struct sco_err *err)
{
    int n = in->n_jobs;
    if (n < 1 || n > 9)
        return sco_err_set(err, SCO_ERR_INVALID, "exact routing handles 1 to 9 jobs, not %d", n);
    /* vehicle classes: identical vehicles share their routes */
    int *cls = calloc((size_t)in->n_vehicles + 1, sizeof *cls);
    int *rep = calloc((size_t)in->n_vehicles + 1, sizeof *rep);
    int *cnt = calloc((size_t)in->n_vehicles + 1, sizeof *cnt);
    int nm = 1 << n, ncls = 0;
    double *best = malloc((size_t)nm * sizeof *best);
    int *bseq = malloc((size_t)nm * (size_t)n * sizeof *bseq);
    int cap_cols = 1024, n_cols = 0;
    int *off = malloc(((size_t)cap_cols + 1) * sizeof *off);
    int *jobs = malloc((size_t)cap_cols * (size_t)n * sizeof *jobs);
    int *ccls = malloc((size_t)cap_cols * sizeof *ccls);
    double *ccost = malloc((size_t)cap_cols * sizeof *ccost);
    int *chosen = malloc((size_t)n * sizeof *chosen);
    int rc = 0;
    if (!cls || !rep || !cnt || !best || !bseq || !off || !jobs || !ccls || !ccost || !chosen) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (int v = 0; v < in->n_vehicles; v++) {
        int c;
        for (c = 0; c < ncls; c++) {
            const struct vrp_vehicle *a = &in->vehicles[rep[c]], *b = &in->vehicles[v];
            if (!memcmp(a, b, sizeof *a))
                break;
        }
        if (c == ncls)
            rep[ncls++] = v;
        cls[v] = c;
        cnt[c]++;
    }
    off[0] = 0;
    for (int c = 0; c < ncls; c++) {
        struct exact x = { in, rep[c], best, bseq, { 0 }, n };
        for (int m = 0; m < nm; m++)
            best[m] = INFINITY;
        double load[VRP_MAX_DIM] = { 0 };
        const struct vrp_vehicle *ve = &in->vehicles[rep[c]];
        dfs(&x, 0, 0, ve->shift_start, 0, 0, load, ve->start_loc, ve->shift_start);
        for (int m = 1; m < nm; m++) {
            if (!isfinite(best[m]))
                continue;
            if (n_cols == cap_cols) {
                cap_cols *= 2;
                void *p1 = realloc(off, ((size_t)cap_cols + 1) * sizeof *off);
                if (p1)
                    off = p1;
                void *p2 = realloc(jobs, (size_t)cap_cols * (size_t)n * sizeof *jobs);
                if (p2)
                    jobs = p2;
                void *p3 = realloc(ccls, (size_t)cap_cols * sizeof *ccls);
                if (p3)
                    ccls = p3;
                void *p4 = realloc(ccost, (size_t)cap_cols * sizeof *ccost);
                if (p4)
                    ccost = p4;
                if (!p1 || !p2 || !p3 || !p4) {
                    rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
                    goto out;
                }
            }
            int len = __builtin_popcount((unsigned)m);
            memcpy(jobs + off[n_cols], bseq + (size_t)m * (size_t)n, (size_t)len * sizeof *jobs);
            ccls[n_cols] = c;
            ccost[n_cols] = best[m];
            off[n_cols + 1] = off[n_cols] + len;
            n_cols++;
        }
    }
    if (n_cols == 0) {
        rc = sco_err_set(err, SCO_ERR_INFEASIBLE, "no feasible route exists");
        goto out;
    }
    struct vrp_pool_view pv = { n_cols, n, ncls, off, jobs, ccls, ccost, cnt, 0, false };
    int nch = 0;
    rc = sco__vrp_set_partition(&pv, NULL, 0, chosen, &nch, cost, err);
    if (rc)
        goto out;
    sco__vrp_solution_fini(sol);
    sol->veh = malloc(((size_t)nch + 1) * sizeof *sol->veh);
    sol->off = malloc(((size_t)nch + 1) * sizeof *sol->off);
    sol->jobs = malloc((size_t)n * sizeof *sol->jobs);
    sol->unassigned = malloc(sizeof *sol->unassigned);
    if (!sol->veh || !sol->off || !sol->jobs || !sol->unassigned) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto out;
    }
    int used_v[64] = { 0 }, k = 0;
    sol->off[0] = 0;
    for (int i = 0; i < nch; i++) {
        int col = chosen[i], v = -1;
        for (int q = 0; q < in->n_vehicles; q++)
            if (cls[q] == ccls[col] && (q >= 64 || !used_v[q])) {
                v = q;
                if (q < 64)
                    used_v[q] = 1;
                break;
            }
        sol->veh[i] = v;
        for (int q = off[col]; q < off[col + 1]; q++)
            sol->jobs[k++] = jobs[q];
        sol->off[i + 1] = k;
    }
    sol->n_routes = nch;
out:
    free(cls);
    free(rep);
    free(cnt);
    free(best);
    free(bseq);
    free(off);
    free(jobs);
    free(ccls);
    free(ccost);
    free(chosen);
    return rc;
}
