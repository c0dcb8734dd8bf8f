/* Tests of several time windows per stop: the window rule, the checker, the model layer (a
 * second window that alone makes an order servable) and the search on random instances
 * (never a violation, GLPK's optimum on tiny ones). Instances are generated here. */
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

static int n_violations(const struct vrp_instance *in, const struct vrp_solution *s,
                        double *cost, int kind)
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

Test(windows, set_windows_sorts_and_merges)
{
    struct vrp_job jb = { 0 };
    const double w[3][2] = { { 50, 60 }, { 10, 20 }, { 15, 30 } };
    cr_assert_eq(sco__vrp_job_set_windows(&jb, w, 3), 0);
    cr_expect_eq(jb.n_tw, 2);
    cr_expect_float_eq(jb.tw[0][0], 10, 1e-12);
    cr_expect_float_eq(jb.tw[0][1], 30, 1e-12);
    cr_expect_float_eq(jb.tw[1][0], 50, 1e-12);
    cr_expect_float_eq(jb.tw_open, 10, 1e-12);
    cr_expect_float_eq(jb.tw_close, 60, 1e-12);
    const double bad[1][2] = { { 5, 4 } };
    cr_expect_eq(sco__vrp_job_set_windows(&jb, bad, 1), -1);
    double close;
    cr_expect_float_eq(vrp_job_start(&jb, 5, &close), 10, 1e-12);   /* before: wait */
    cr_expect_float_eq(vrp_job_start(&jb, 25, &close), 25, 1e-12);  /* inside */
    cr_expect_float_eq(close, 30, 1e-12);
    cr_expect_float_eq(vrp_job_start(&jb, 40, &close), 50, 1e-12);  /* between: next opens */
    cr_expect_float_eq(close, 60, 1e-12);
    cr_expect_float_eq(vrp_job_start(&jb, 70, &close), 70, 1e-12);  /* after all: late */
    cr_expect_float_eq(close, 60, 1e-12);
}

/* Depot at 0, one job 10 time units away: the checker follows the windows exactly. */
Test(windows, checker_is_exact_with_several_windows)
{
    struct vrp_instance in;
    struct sco_err err;
    cr_assert_eq(sco__vrp_instance_alloc(&in, 1, 1, 2, 1, &err), 0);
    in.x[0] = 0, in.y[0] = 0, in.x[1] = 10, in.y[1] = 0;
    sco__vrp_instance_euclid(&in, false);
    in.jobs[0].loc = 1;
    in.jobs[0].demand[0] = 1;
    in.vehicles[0] = (struct vrp_vehicle){ .start_loc = 0, .end_loc = 0, .cap = { 10 },
                                          .shift_start = 0, .shift_end = 1000,
                                          .cost_per_dist = 1, .max_duration = VRP_INF };
    int veh[1] = { 0 }, off[2] = { 0, 1 }, jobs[1] = { 0 };
    struct vrp_solution s = { 1, veh, off, jobs, 0, NULL };
    /* arrival at 10 falls between [0, 5] and [30, 40]: wait, then serve at 30 */
    const double w1[2][2] = { { 0, 5 }, { 30, 40 } };
    cr_assert_eq(sco__vrp_job_set_windows(&in.jobs[0], w1, 2), 0);
    cr_expect_eq(n_violations(&in, &s, NULL, -1), 0);
    double arr, beg, dep, t0, t1;
    sco__vrp_route_schedule(&in, 0, jobs, 1, &arr, &beg, &dep, &t0, &t1);
    cr_expect_float_eq(beg, 30, 1e-9, "service starts at %g", beg);
    /* leaving later removes the wait without leaving the window */
    cr_expect_float_eq(t0, 20, 1e-9, "leaves at %g", t0);
    /* both windows closed at arrival: late */
    const double w2[2][2] = { { 0, 5 }, { 6, 8 } };
    cr_assert_eq(sco__vrp_job_set_windows(&in.jobs[0], w2, 2), 0);
    cr_expect_eq(n_violations(&in, &s, NULL, VRP_V_TIME_WINDOW), 1);
    /* only the first window: late as well (the single-window path) */
    in.jobs[0].n_tw = 0;
    in.jobs[0].tw_open = 0;
    in.jobs[0].tw_close = 5;
    cr_expect_eq(n_violations(&in, &s, NULL, VRP_V_TIME_WINDOW), 1);
    sco__vrp_instance_fini(&in);
}

/* Shift 08:00-12:00: an order whose first window is 06:00-07:00 cannot be served; the same
 * order with a second window 10:00-10:30 is served inside it. */
Test(windows, second_window_makes_an_order_feasible)
{
    struct rt_warehouse W[1] = { { 50.0, 8.0 } };
    struct rt_vehicle V[1] = {
        { .wh = 0, .end_wh = 0, .cap = { 100, 1000 }, .shift_start = 480, .shift_end = 720,
          .fixed_cost = 10, .cost_per_km = 1, .cost_per_hour = 10, .max_duration = VRP_INF },
    };
    struct rt_order o[2];
    for (int i = 0; i < 2; i++)
        o[i] = (struct rt_order){ .lat = 50.02, .lon = 8.02, .wh = 0, .demand = { 10, 10 },
                                  .service = 5, .tw_open = 360, .tw_close = 420,
                                  .penalty = 1000 };
    o[1].lon = 8.03;
    for (int with2 = 0; with2 < 2; with2++) {
        o[0].has_tw2 = with2;
        o[0].tw2_open = 600;
        o[0].tw2_close = 630;
        struct rt_problem pb = { 2, 1, 1, 2, o, V, W, 40, 1.3, NULL, NULL, false };
        struct rt_plan plan;
        struct sco_err err;
        cr_assert_eq(sco__rt_build(&pb, &plan, &err), 0, "%s", err.msg);
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 50;
        cr_assert_eq(sco__rt_solve(&plan, &p, &err), 0, "%s", err.msg);
        cr_expect_eq(plan.reason[1], RT_TIME_WINDOW, "order 1 has one window, 06:00-07:00");
        if (!with2) {
            cr_expect_eq(plan.reason[0], RT_TIME_WINDOW, "got %s",
                         sco__rt_reason_name(plan.reason[0]));
        } else {
            cr_assert_eq(plan.reason[0], RT_SERVED, "got %s",
                         sco__rt_reason_name(plan.reason[0]));
            cr_assert_eq(plan.sol.n_routes, 1);
            cr_assert_eq(plan.sol.off[1], 1);
            double arr, beg, dep, t0, t1;
            sco__vrp_route_schedule(&plan.in, plan.sol.veh[0], plan.sol.jobs, 1, &arr, &beg,
                                    &dep, &t0, &t1);
            cr_expect(beg >= 600 - 1e-9 && beg <= 630 + 1e-9, "service starts at %g", beg);
            cr_expect_eq(n_violations(&plan.in, &plan.sol, NULL, -1), 0);
        }
        sco__rt_plan_fini(&plan);
    }
}

/* Random instance where every job has two windows (some a single one). */
static void gen2(struct vrp_instance *in, uint64_t seed, int n, int nv)
{
    rs = seed * 104729 + 3;
    struct sco_err err;
    cr_assert_eq(sco__vrp_instance_alloc(in, n, nv, 1 + n, 2, &err), 0);
    for (int l = 0; l < 1 + n; l++) {
        in->x[l] = urand() * 100;
        in->y[l] = urand() * 100;
    }
    sco__vrp_instance_euclid(in, false);
    for (int j = 0; j < n; j++) {
        struct vrp_job *jb = &in->jobs[j];
        jb->loc = 1 + j;
        jb->demand[0] = 1 + floor(urand() * 10);
        jb->demand[1] = 1 + floor(urand() * 5);
        jb->service = 5;
        jb->penalty = 1000;
        double o1 = floor(urand() * 150), o2 = o1 + 60 + floor(urand() * 150);
        const double w[2][2] = { { o1, o1 + 45 + floor(urand() * 30) },
                                 { o2, o2 + 45 + floor(urand() * 30) } };
        cr_assert_eq(sco__vrp_job_set_windows(jb, w, urand() < 0.8 ? 2 : 1), 0);
    }
    for (int v = 0; v < nv; v++) {
        struct vrp_vehicle *ve = &in->vehicles[v];
        ve->start_loc = ve->end_loc = 0;
        ve->cap[0] = 40;
        ve->cap[1] = 25;
        ve->shift_start = 0;
        ve->shift_end = 600;
        ve->fixed_cost = 20;
        ve->cost_per_dist = 1;
        ve->cost_per_time = 0.1;
        ve->max_duration = VRP_INF;
    }
}

Test(windows, search_never_breaks_several_windows, .timeout = 60)
{
    int feasible = 0;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct vrp_instance in;
        gen2(&in, seed, 50, 25);
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 150;
        p.seed = seed;
        struct vrp_solution sol = { 0 };
        struct vrp_result res;
        struct sco_err err;
        cr_assert_eq(sco__vrp_solve(&in, &p, &sol, &res, &err), 0, "%s", err.msg);
        int nv = n_violations(&in, &sol, NULL, -1);
        /* the search calls a plan feasible only when the checker finds nothing */
        if (res.feasible) {
            feasible++;
            cr_expect_eq(nv, 0, "seed %llu: %d violations in a plan called feasible",
                         (unsigned long long)seed, nv);
        }
        /* served between windows: every start is inside one of the job's windows */
        for (int r = 0; r < sol.n_routes && res.feasible; r++) {
            int n = sol.off[r + 1] - sol.off[r];
            double arr[64], beg[64], dep[64], t0, t1;
            cr_assert_leq(n, 64);
            sco__vrp_route_schedule(&in, sol.veh[r], sol.jobs + sol.off[r], n, arr, beg, dep,
                                    &t0, &t1);
            for (int i = 0; i < n; i++) {
                const struct vrp_job *jb = &in.jobs[sol.jobs[sol.off[r] + i]];
                bool inside = false;
                for (int k = 0; k < (jb->n_tw > 1 ? jb->n_tw : 1); k++) {
                    double lo = jb->n_tw > 1 ? jb->tw[k][0] : jb->tw_open;
                    double hi = jb->n_tw > 1 ? jb->tw[k][1] : jb->tw_close;
                    inside = inside || (beg[i] >= lo - 1e-6 && beg[i] <= hi + 1e-6);
                }
                cr_expect(inside, "seed %llu: a service starts at %g outside every window",
                          (unsigned long long)seed, beg[i]);
            }
        }
        sco__vrp_solution_fini(&sol);
        sco__vrp_instance_fini(&in);
    }
    cr_expect_geq(feasible, 3, "only %d of 4 random instances got a feasible plan", feasible);
}

Test(windows, search_finds_glpk_optimum_with_several_windows, .timeout = 60)
{
    int compared = 0;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        struct vrp_instance in;
        gen2(&in, seed + 50, 7, 4);
        struct vrp_solution ex = { 0 }, sol = { 0 };
        double opt;
        struct sco_err err = { 0 };
        int rc = sco__vrp_exact(&in, &ex, &opt, &err);
        if (rc == SCO_ERR_INFEASIBLE) {
            sco__vrp_instance_fini(&in);
            continue;
        }
        cr_assert_eq(rc, 0, "exact: %s", err.msg);
        double exc;
        cr_expect_eq(n_violations(&in, &ex, &exc, -1), 0);
        cr_expect_float_eq(exc, opt, 1e-6);
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 300;
        p.seed = seed;
        struct vrp_result res;
        cr_assert_eq(sco__vrp_solve(&in, &p, &sol, &res, &err), 0, "%s", err.msg);
        double c;
        cr_expect(res.feasible, "seed %llu", (unsigned long long)seed);
        cr_expect_eq(n_violations(&in, &sol, &c, -1), 0);
        cr_expect_float_eq(c, opt, 1e-6, "seed %llu: search %g, optimum %g",
                           (unsigned long long)seed, c, opt);
        compared++;
        sco__vrp_solution_fini(&ex);
        sco__vrp_solution_fini(&sol);
        sco__vrp_instance_fini(&in);
    }
    cr_expect_geq(compared, 4, "only %d feasible tiny instances", compared);
}
