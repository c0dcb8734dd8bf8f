/* Tests of the optional driver break: placement and checking in the core, the search on random
 * instances (never a violation, GLPK's optimum on tiny ones) and the model layer. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "routing-model.h"
#include "vrp.h"

static uint64_t rs;
static double urand(void)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rs >> 11) / 9007199254740992.0;
}

static int count_kind(const struct vrp_instance *in, const struct vrp_solution *s, int kind,
                      double *cost)
{
    struct vrp_check c;
    struct sco_err err;
    cr_assert_eq(sco__vrp_check(in, s, &c, NULL, &err), 0);
    int n = 0;
    for (int i = 0; i < c.n_violations; i++)
        if (kind < 0 || (int)c.v[i].kind == kind)
            n++;
    if (cost)
        *cost = c.cost;
    sco__vrp_check_fini(&c);
    return n;
}

/* Depot at 0; jobs at 10 and 20 on a line, each 10 minutes of service. */
static void line2(struct vrp_instance *in)
{
    struct sco_err err;
    cr_assert_eq(sco__vrp_instance_alloc(in, 2, 1, 3, 1, &err), 0);
    for (int l = 0; l < 3; l++)
        in->x[l] = 10 * l, in->y[l] = 0;
    sco__vrp_instance_euclid(in, false);
    for (int j = 0; j < 2; j++)
        in->jobs[j] = (struct vrp_job){ .loc = 1 + j, .demand = { 1 }, .service = 10,
                                        .tw_open = 0, .tw_close = VRP_INF };
    in->vehicles[0] = (struct vrp_vehicle){ .start_loc = 0, .end_loc = 0, .cap = { 10 },
                                           .shift_start = 0, .shift_end = 1000,
                                           .cost_per_dist = 1, .cost_per_time = 1,
                                           .max_duration = VRP_INF };
}

Test(breaks, placed_where_the_vehicle_is_and_checked)
{
    struct vrp_instance in;
    line2(&in);
    int veh[1] = { 0 }, off[2] = { 0, 2 }, jobs[2] = { 0, 1 };
    struct vrp_solution s = { 1, veh, off, jobs, 0, NULL };
    double arr[2], beg[2], dep[2], t0, t1, bstart;
    int bpos;
    /* no break: 10 + 10 + 10 + 10 + 20 back = 60 */
    sco__vrp_route_schedule_break(&in, 0, jobs, 2, arr, beg, dep, &t0, &t1, &bpos, &bstart);
    cr_expect_eq(bpos, -1);
    cr_expect_float_eq(t1 - t0, 60, 1e-9);
    /* break of 15 that may start within [15, 25]: after the first stop (done at 20) */
    in.vehicles[0].break_start = 15;
    in.vehicles[0].break_end = 25;
    in.vehicles[0].break_dur = 15;
    sco__vrp_route_schedule_break(&in, 0, jobs, 2, arr, beg, dep, &t0, &t1, &bpos, &bstart);
    cr_expect_eq(bpos, 1, "break before stop %d", bpos);
    cr_expect_float_eq(bstart, 20, 1e-9);
    cr_expect_float_eq(arr[1], 45, 1e-9, "second stop reached at %g", arr[1]);
    cr_expect_float_eq(t1 - t0, 75, 1e-9);
    double cost;
    cr_expect_eq(count_kind(&in, &s, -1, &cost), 0);
    cr_expect_float_eq(cost, 40 + 75, 1e-9, "distance 40 + 75 minutes, got %g", cost);
    /* the break must start by 5: taken at the depot at once; by 5 with a shift from 8: late */
    in.vehicles[0].break_start = 0;
    in.vehicles[0].break_end = 5;
    sco__vrp_route_schedule_break(&in, 0, jobs, 2, arr, beg, dep, &t0, &t1, &bpos, &bstart);
    cr_expect_eq(bpos, 0);
    cr_expect_eq(count_kind(&in, &s, -1, NULL), 0);
    in.vehicles[0].shift_start = 8;
    cr_expect_eq(count_kind(&in, &s, VRP_V_BREAK, NULL), 1);
    /* a window that opens late: the break comes after the last stop, before going back */
    in.vehicles[0].shift_start = 0;
    in.vehicles[0].break_start = 300;
    in.vehicles[0].break_end = 400;
    sco__vrp_route_schedule_break(&in, 0, jobs, 2, arr, beg, dep, &t0, &t1, &bpos, &bstart);
    cr_expect_eq(bpos, 2);
    cr_expect_float_eq(bstart, 300, 1e-9);
    cr_expect_eq(count_kind(&in, &s, -1, NULL), 0);
    /* the shift ends before the break can end: shift violation */
    in.vehicles[0].shift_end = 310;
    cr_expect_eq(count_kind(&in, &s, VRP_V_SHIFT, NULL), 1);
    sco__vrp_instance_fini(&in);
}

static void gen_b(struct vrp_instance *in, uint64_t seed, int n, int nv, bool tw)
{
    rs = seed * 7907 + 11;
    struct sco_err err;
    cr_assert_eq(sco__vrp_instance_alloc(in, n, nv, 1 + n, 1, &err), 0);
    for (int l = 0; l < 1 + n; l++) {
        in->x[l] = urand() * 100;
        in->y[l] = urand() * 100;
    }
    sco__vrp_instance_euclid(in, false);
    for (int j = 0; j < n; j++) {
        struct vrp_job *jb = &in->jobs[j];
        jb->loc = 1 + j;
        jb->demand[0] = 1 + floor(urand() * 10);
        jb->service = 10;
        jb->penalty = 1000;
        jb->tw_close = VRP_INF;
        if (tw) {
            jb->tw_open = floor(urand() * 300);
            jb->tw_close = jb->tw_open + 90;
        }
    }
    for (int v = 0; v < nv; v++) {
        struct vrp_vehicle *ve = &in->vehicles[v];
        ve->start_loc = ve->end_loc = 0;
        ve->cap[0] = 40;
        ve->shift_start = 0;
        ve->shift_end = 600;
        ve->fixed_cost = 20;
        ve->cost_per_dist = 1;
        ve->cost_per_time = 0.1;
        ve->max_duration = VRP_INF;
        if (v % 3 != 2) { /* most vehicles have a break, 30 min starting within 120..200 */
            ve->break_start = 120;
            ve->break_end = 200;
            ve->break_dur = 30;
        }
    }
}

Test(breaks, search_never_breaks_them, .timeout = 60)
{
    int feasible = 0;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct vrp_instance in;
        gen_b(&in, seed, 40, 12, seed % 2 == 0);
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 150;
        p.seed = seed;
        struct vrp_solution sol = { 0 };
        struct vrp_result res;
        struct sco_err err;
        cr_assert_eq(sco__vrp_solve(&in, &p, &sol, &res, &err), 0, "%s", err.msg);
        double cost;
        int nv = count_kind(&in, &sol, -1, &cost);
        if (res.feasible) {
            feasible++;
            cr_expect_eq(nv, 0, "seed %llu: %d violations in a plan called feasible",
                         (unsigned long long)seed, nv);
            cr_expect_float_eq(cost, res.cost, 1e-6, "seed %llu: checker %g, search %g",
                               (unsigned long long)seed, cost, res.cost);
        }
        for (int r = 0; r < sol.n_routes; r++) {
            int n = sol.off[r + 1] - sol.off[r];
            const struct vrp_vehicle *ve = &in.vehicles[sol.veh[r]];
            double t0, t1, bstart;
            int bpos;
            sco__vrp_route_schedule_break(&in, sol.veh[r], sol.jobs + sol.off[r], n, NULL, NULL,
                                          NULL, &t0, &t1, &bpos, &bstart);
            if (n == 0 || ve->break_dur == 0) {
                cr_expect_eq(bpos, -1);
                continue;
            }
            cr_expect(bpos >= 0 && bpos <= n, "a used route without its break");
            if (res.feasible)
                cr_expect(bstart >= ve->break_start - 1e-9 && bstart <= ve->break_end + 1e-6,
                          "break at %g", bstart);
        }
        sco__vrp_solution_fini(&sol);
        sco__vrp_instance_fini(&in);
    }
    cr_expect_geq(feasible, 3, "only %d of 4 random instances got a feasible plan", feasible);
}

Test(breaks, search_finds_glpk_optimum_with_breaks, .timeout = 60)
{
    int compared = 0;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        struct vrp_instance in;
        gen_b(&in, seed + 20, 7, 3, seed % 2 == 1);
        struct vrp_solution ex = { 0 }, sol = { 0 };
        double opt;
        struct sco_err err = { 0 };
        int rc = sco__vrp_exact(&in, &ex, &opt, &err);
        if (rc == SCO_ERR_INFEASIBLE) {
            sco__vrp_instance_fini(&in);
            continue;
        }
        cr_assert_eq(rc, 0, "exact: %s", err.msg);
        double exc, c;
        cr_expect_eq(count_kind(&in, &ex, -1, &exc), 0);
        cr_expect_float_eq(exc, opt, 1e-6);
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 300;
        p.seed = seed;
        struct vrp_result res;
        cr_assert_eq(sco__vrp_solve(&in, &p, &sol, &res, &err), 0, "%s", err.msg);
        cr_expect(res.feasible, "seed %llu", (unsigned long long)seed);
        cr_expect_eq(count_kind(&in, &sol, -1, &c), 0);
        cr_expect_float_eq(c, opt, 1e-6, "seed %llu: search %g, optimum %g",
                           (unsigned long long)seed, c, opt);
        compared++;
        sco__vrp_solution_fini(&ex);
        sco__vrp_solution_fini(&sol);
        sco__vrp_instance_fini(&in);
    }
    cr_expect_geq(compared, 3, "only %d feasible tiny instances", compared);
}

/* Through the model layer: vehicles with a lunch break, orders with one or two windows. */
Test(breaks, plans_with_breaks_never_break_constraints, .timeout = 60)
{
    rs = 99;
    int no = 30, nv = 4;
    struct rt_order *o = calloc((size_t)no, sizeof *o);
    struct rt_vehicle V[4];
    struct rt_warehouse W[1] = { { 50.0, 8.0 } };
    for (int i = 0; i < no; i++) {
        o[i] = (struct rt_order){ .lat = 50.0 + urand() * 0.2 - 0.1,
                                  .lon = 8.0 + urand() * 0.3 - 0.15, .wh = 0,
                                  .demand = { 5 + urand() * 30, 10 + urand() * 40 },
                                  .service = 8, .penalty = 500 };
        o[i].tw_open = 480 + floor(urand() * 240);
        o[i].tw_close = o[i].tw_open + 60;
        if (i % 4 == 0) {
            o[i].has_tw2 = true;
            o[i].tw2_open = o[i].tw_close + 60;
            o[i].tw2_close = o[i].tw2_open + 60;
        }
    }
    for (int v = 0; v < nv; v++)
        V[v] = (struct rt_vehicle){ .wh = 0, .end_wh = 0, .cap = { 300, 600 },
                                    .shift_start = 450, .shift_end = 960, .fixed_cost = 50,
                                    .cost_per_km = 0.5, .cost_per_hour = 20,
                                    .max_duration = VRP_INF, .break_start = 690,
                                    .break_end = 750, .break_min = 30 };
    struct rt_problem pb = { no, nv, 1, 2, o, V, W, 30, 1.3, NULL, NULL, false };
    struct rt_plan plan;
    struct sco_err err;
    cr_assert_eq(sco__rt_build(&pb, &plan, &err), 0, "%s", err.msg);
    struct vrp_params p;
    sco__vrp_params_default(&p);
    p.iterations = 80;
    cr_assert_eq(sco__rt_solve(&plan, &p, &err), 0, "%s", err.msg);
    cr_expect_eq(count_kind(&plan.in, &plan.sol, -1, NULL), 0);
    int served = 0, breaks = 0;
    for (int r = 0; r < plan.sol.n_routes; r++) {
        int n = plan.sol.off[r + 1] - plan.sol.off[r];
        served += n;
        double t0, t1, bstart;
        int bpos;
        sco__vrp_route_schedule_break(&plan.in, plan.sol.veh[r], plan.sol.jobs + plan.sol.off[r],
                                      n, NULL, NULL, NULL, &t0, &t1, &bpos, &bstart);
        if (n > 0) {
            cr_expect(bpos >= 0 && bstart >= 690 - 1e-9 && bstart <= 750 + 1e-6,
                      "route %d: break at %g (position %d)", r, bstart, bpos);
            breaks++;
        }
    }
    cr_expect_gt(served, 15, "only %d of %d orders served", served, no);
    cr_expect_gt(breaks, 0);
    sco__rt_plan_fini(&plan);
    free(o);
}
