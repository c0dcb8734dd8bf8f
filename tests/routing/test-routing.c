/* Tests of the routing core: readers, checker, search vs GLPK's proven optimum, constraints on
 * random instances, unassigned reasons, determinism. Instances are generated here; nothing is
 * read from ../shared. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "routing-model.h"
#include "vrp.h"

static uint64_t rs;
static double urand(void)
{
    rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rs >> 11) / 9007199254740992.0;
}

/* Random instance: n jobs, n_wh depots, nv vehicles (alternating depots, two capacity
 * dimensions), time windows of width tw (0 = none), optional skills. */
static void gen(struct vrp_instance *in, uint64_t seed, int n, int n_wh, int nv, double tw,
                bool skills)
{
    rs = seed * 7919 + 17;
    struct sco_err err;
    cr_assert_eq(sco__vrp_instance_alloc(in, n, nv, n_wh + n, 2, &err), 0);
    for (int l = 0; l < n_wh + n; l++) {
        in->x[l] = urand() * 100;
        in->y[l] = urand() * 100;
    }
    sco__vrp_instance_euclid(in, false);
    for (int j = 0; j < n; j++) {
        struct vrp_job *jb = &in->jobs[j];
        jb->loc = n_wh + j;
        jb->demand[0] = 1 + floor(urand() * 10);
        jb->demand[1] = 1 + floor(urand() * 5);
        jb->service = 5;
        if (tw > 0) {
            jb->tw_open = floor(urand() * 300);
            jb->tw_close = jb->tw_open + tw;
        }
        if (skills && urand() < 0.2)
            jb->skills = 1ULL << 40;
        jb->penalty = 1000;
    }
    for (int v = 0; v < nv; v++) {
        struct vrp_vehicle *ve = &in->vehicles[v];
        ve->start_loc = ve->end_loc = v % n_wh;
        ve->cap[0] = 30 + 10 * (v % 2);
        ve->cap[1] = 20;
        ve->shift_start = 0;
        ve->shift_end = 500;
        ve->fixed_cost = 20;
        ve->cost_per_dist = 1;
        ve->cost_per_time = 0.1;
        ve->max_duration = 450;
        ve->skills = (skills && v % 2 == 0) ? 1ULL << 40 : 0;
    }
}

static double check_cost(const struct vrp_instance *in, const struct vrp_solution *s,
                         int *n_viol)
{
    struct vrp_check c;
    struct sco_err err;
    cr_assert_eq(sco__vrp_check(in, s, &c, NULL, &err), 0);
    double cost = c.cost;
    *n_viol = c.n_violations;
    sco__vrp_check_fini(&c);
    return cost;
}

Test(routing, search_finds_glpk_optimum_on_tiny_instances)
{
    int compared = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        struct vrp_instance in;
        gen(&in, seed, 7, 2, 4, seed % 2 ? 120 : 0, seed % 3 == 0);
        struct vrp_solution ex = { 0 }, sol = { 0 };
        double opt;
        struct sco_err err = { 0 };
        int rc = sco__vrp_exact(&in, &ex, &opt, &err);
        if (rc == SCO_ERR_INFEASIBLE) {
            sco__vrp_instance_fini(&in);
            continue;
        }
        cr_assert_eq(rc, 0, "exact: %s", err.msg);
        int nv;
        double exc = check_cost(&in, &ex, &nv);
        cr_expect_eq(nv, 0, "exact plan breaks %d constraints", nv);
        cr_expect_float_eq(exc, opt, 1e-6, "exact plan cost %g vs MIP objective %g", exc, opt);
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 300;
        p.seed = seed;
        struct vrp_result res;
        cr_assert_eq(sco__vrp_solve(&in, &p, &sol, &res, &err), 0, "%s", err.msg);
        cr_expect(res.feasible);
        double c = check_cost(&in, &sol, &nv);
        cr_expect_eq(nv, 0);
        cr_expect_float_eq(c, opt, 1e-6, "seed %llu: search %g, optimum %g",
                           (unsigned long long)seed, c, opt);
        compared++;
        sco__vrp_solution_fini(&ex);
        sco__vrp_solution_fini(&sol);
        sco__vrp_instance_fini(&in);
    }
    cr_expect_geq(compared, 5, "only %d feasible tiny instances", compared);
}

Test(routing, core_solutions_respect_constraints)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct vrp_instance in;
        gen(&in, seed + 100, 40, 2, 12, 150, true);
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 100;
        p.seed = seed;
        struct vrp_solution sol = { 0 };
        struct vrp_result res;
        struct sco_err err;
        cr_assert_eq(sco__vrp_solve(&in, &p, &sol, &res, &err), 0);
        int nv;
        check_cost(&in, &sol, &nv);
        cr_expect(res.feasible, "seed %llu: no feasible plan", (unsigned long long)seed);
        cr_expect_eq(nv, 0, "seed %llu: %d violations", (unsigned long long)seed, nv);
        sco__vrp_solution_fini(&sol);
        sco__vrp_instance_fini(&in);
    }
}

/* Random business problems, some too tight to serve every order, a third of the orders with a
 * second window: the plan must still break no constraint (orders left out carry a reason). */
Test(routing, plans_never_break_constraints)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        rs = seed * 31 + 5;
        int no = 40, nv = 5;
        struct rt_order *o = calloc((size_t)no, sizeof *o);
        struct rt_vehicle V[5];
        struct rt_warehouse W[2] = { { 50.0, 8.0 }, { 50.1, 8.2 } };
        for (int i = 0; i < no; i++) {
            o[i].lat = 50.0 + urand() * 0.3 - 0.1;
            o[i].lon = 8.0 + urand() * 0.4 - 0.1;
            o[i].wh = i % 2;
            o[i].demand[0] = 5 + urand() * 40;
            o[i].demand[1] = 10 + urand() * 50;
            o[i].service = 5;
            o[i].tw_open = 480 + floor(urand() * 300);
            o[i].tw_close = o[i].tw_open + 30 + floor(urand() * 120);
            if (i % 3 == 0) { /* a second window later in the day */
                o[i].has_tw2 = true;
                o[i].tw2_open = o[i].tw_close + 30 + floor(urand() * 120);
                o[i].tw2_close = o[i].tw2_open + 30;
            }
            o[i].skills = urand() < 0.15 ? 1ULL << 33 : 0;
            o[i].penalty = 500;
        }
        for (int v = 0; v < nv; v++) {
            V[v] = (struct rt_vehicle){ .wh = v % 2, .end_wh = v % 2, .cap = { 300, 600 },
                                        .shift_start = 450 + 30 * v, .shift_end = 800,
                                        .fixed_cost = 50, .cost_per_km = 0.5,
                                        .cost_per_hour = 20, .max_duration = 300,
                                        .skills = v < 2 ? 1ULL << 33 : 0 };
        }
        struct rt_problem pb = { no, nv, 2, 2, o, V, W, 30, 1.3, NULL, NULL, false };
        struct rt_plan plan;
        struct sco_err err;
        cr_assert_eq(sco__rt_build(&pb, &plan, &err), 0, "%s", err.msg);
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 80;
        p.seed = seed;
        cr_assert_eq(sco__rt_solve(&plan, &p, &err), 0, "%s", err.msg);
        int nviol;
        check_cost(&plan.in, &plan.sol, &nviol);
        cr_expect_eq(nviol, 0, "seed %llu: %d violations", (unsigned long long)seed, nviol);
        int served = 0, left = 0;
        for (int i = 0; i < no; i++) {
            if (plan.reason[i] == RT_SERVED)
                served++;
            else
                left++;
        }
        cr_expect_eq(served, plan.sol.off[plan.sol.n_routes]);
        cr_expect_gt(served, 0);
        (void)left;
        sco__rt_plan_fini(&plan);
        free(o);
    }
}

Test(routing, unassigned_reasons)
{
    /* one warehouse with vehicles, one without; shift 08:00-12:00 */
    struct rt_warehouse W[2] = { { 50.0, 8.0 }, { 48.0, 11.0 } };
    struct rt_vehicle V[2] = {
        { .wh = 0, .end_wh = 0, .cap = { 100, 1000 }, .shift_start = 480, .shift_end = 720,
          .fixed_cost = 10, .cost_per_km = 1, .cost_per_hour = 10, .max_duration = VRP_INF },
        { .wh = 0, .end_wh = 0, .cap = { 100, 1000 }, .shift_start = 480, .shift_end = 720,
          .fixed_cost = 10, .cost_per_km = 1, .cost_per_hour = 10, .max_duration = VRP_INF,
          .skills = 1ULL << 32 },
    };
    struct rt_order base = { .lat = 50.02, .lon = 8.02, .wh = 0, .demand = { 10, 10 },
                             .service = 5, .tw_open = 0, .tw_close = 1440, .penalty = 1000 };
    struct rt_order o[10];
    for (int i = 0; i < 10; i++)
        o[i] = base;
    o[1].hold = true;                    /* risk_hold */
    o[2].demand[0] = 500;                /* capacity */
    o[3].tw_open = 360;                  /* time_window: 06:00-07:00, shift starts 08:00 */
    o[3].tw_close = 420;
    o[4].lat = 52.0;                     /* shift_length: ~220 km away, 4 h shift */
    o[5].skills = 1ULL << 33;            /* skill nobody has */
    o[6].wh = 1;                         /* no_vehicle at that warehouse */
    o[7].no_location = true;             /* no_location */
    o[8].lat = 50.3;                     /* not_worth: far, tiny penalty */
    o[8].penalty = 0.01;
    o[9].skills = 1ULL << 32;            /* served by vehicle 1 only */
    struct rt_problem pb = { 10, 2, 2, 2, o, V, W, 40, 1.3, NULL, NULL, false };
    struct rt_plan plan;
    struct sco_err err;
    cr_assert_eq(sco__rt_build(&pb, &plan, &err), 0, "%s", err.msg);
    struct vrp_params p;
    sco__vrp_params_default(&p);
    p.iterations = 100;
    cr_assert_eq(sco__rt_solve(&plan, &p, &err), 0, "%s", err.msg);
    const int want[10] = { RT_SERVED, RT_RISK_HOLD, RT_CAPACITY, RT_TIME_WINDOW, RT_SHIFT,
                           RT_SKILL, RT_NO_VEHICLE, RT_NO_LOCATION, RT_NOT_WORTH, RT_SERVED };
    for (int i = 0; i < 10; i++)
        cr_expect_eq(plan.reason[i], want[i], "order %d: reason %s, expected %s", i,
                     sco__rt_reason_name(plan.reason[i]), sco__rt_reason_name(want[i]));
    sco__rt_plan_fini(&plan);

    /* the fleet is full: one vehicle of 100 kg, two orders of 60 kg */
    struct rt_order two[2] = { base, base };
    two[0].demand[0] = two[1].demand[0] = 60;
    two[1].priority = 1;
    struct rt_problem pb2 = { 2, 1, 1, 2, two, V, W, 40, 1.3, NULL, NULL, false };
    cr_assert_eq(sco__rt_build(&pb2, &plan, &err), 0);
    cr_assert_eq(sco__rt_solve(&plan, &p, &err), 0);
    cr_expect_eq(plan.reason[1], RT_SERVED, "the higher priority order is kept");
    cr_expect_eq(plan.reason[0], RT_CAPACITY, "got %s", sco__rt_reason_name(plan.reason[0]));
    sco__rt_plan_fini(&plan);
}

/* Orders that would fit on the route without the driver break, not with it: reason break. */
Test(routing, unassigned_reason_break)
{
    struct rt_warehouse W[1] = { { 50.0, 8.0 } };
    /* a two-hour shift with a one-hour break that must start by 10:00 */
    struct rt_vehicle V[1] = {
        { .wh = 0, .end_wh = 0, .cap = { 100, 1000 }, .shift_start = 480, .shift_end = 600,
          .fixed_cost = 10, .cost_per_km = 1, .cost_per_hour = 10, .max_duration = VRP_INF,
          .break_start = 480, .break_end = 600, .break_min = 60 },
    };
    struct rt_order o[4];
    for (int i = 0; i < 4; i++)
        o[i] = (struct rt_order){ .lat = 50.02 + 0.004 * (i % 2), .lon = 8.02 + 0.004 * (i / 2),
                                  .wh = 0, .demand = { 10, 10 }, .service = 15, .tw_open = 0,
                                  .tw_close = 1440, .penalty = 1000 };
    struct rt_problem pb = { 4, 1, 1, 2, o, V, W, 30, 1.3, NULL, NULL, false };
    struct rt_plan plan;
    struct sco_err err;
    cr_assert_eq(sco__rt_build(&pb, &plan, &err), 0, "%s", err.msg);
    struct vrp_params p;
    sco__vrp_params_default(&p);
    p.iterations = 50;
    cr_assert_eq(sco__rt_solve(&plan, &p, &err), 0, "%s", err.msg);
    int served = 0, brk = 0;
    for (int i = 0; i < 4; i++) {
        served += plan.reason[i] == RT_SERVED;
        brk += plan.reason[i] == RT_BREAK;
        cr_expect(plan.reason[i] == RT_SERVED || plan.reason[i] == RT_BREAK,
                  "order %d: reason %s", i, sco__rt_reason_name(plan.reason[i]));
    }
    /* about 35 min of driving and 60 of service: all four fit without the hour of break */
    cr_expect(served >= 1 && brk >= 1, "served %d, break %d", served, brk);
    cr_expect_str_eq(sco__rt_reason_name(RT_BREAK), "break");
    int nv;
    check_cost(&plan.in, &plan.sol, &nv);
    cr_expect_eq(nv, 0);
    sco__rt_plan_fini(&plan);
}

Test(routing, same_seed_same_plan)
{
    struct vrp_instance in;
    gen(&in, 77, 40, 1, 15, 100, false);
    struct vrp_params p;
    sco__vrp_params_default(&p);
    p.iterations = 150;
    p.seed = 9;
    struct vrp_solution a = { 0 }, b = { 0 };
    struct vrp_result ra, rb;
    struct sco_err err;
    cr_assert_eq(sco__vrp_solve(&in, &p, &a, &ra, &err), 0);
    cr_assert_eq(sco__vrp_solve(&in, &p, &b, &rb, &err), 0);
    cr_assert_eq(a.n_routes, b.n_routes);
    for (int r = 0; r <= a.n_routes; r++)
        cr_assert_eq(a.off[r], b.off[r]);
    for (int r = 0; r < a.n_routes; r++)
        cr_assert_eq(a.veh[r], b.veh[r]);
    for (int q = 0; q < a.off[a.n_routes]; q++)
        cr_assert_eq(a.jobs[q], b.jobs[q]);
    cr_expect_eq(ra.iterations, rb.iterations);
    sco__vrp_solution_fini(&a);
    sco__vrp_solution_fini(&b);
    sco__vrp_instance_fini(&in);
}

static void expect_same_solution(const struct vrp_solution *a, const struct vrp_solution *b,
                                 const char *what)
{
    cr_assert_eq(a->n_routes, b->n_routes, "%s: %d vs %d routes", what, a->n_routes,
                 b->n_routes);
    for (int r = 0; r <= a->n_routes; r++)
        cr_assert_eq(a->off[r], b->off[r], "%s: route %d differs", what, r);
    for (int r = 0; r < a->n_routes; r++)
        cr_assert_eq(a->veh[r], b->veh[r], "%s: route %d vehicle differs", what, r);
    for (int q = 0; q < a->off[a->n_routes]; q++)
        cr_assert_eq(a->jobs[q], b->jobs[q], "%s: stop %d differs", what, q);
}

/* Parallel search: the same seed, iterations and thread count give the same plan, whatever
 * the scheduling (three runs), on a mixed fleet with windows and skills (repair and several
 * vehicle classes in play); the plan is complete and breaks nothing. */
Test(routing, same_seed_same_plan_with_threads)
{
    struct vrp_instance in;
    gen(&in, 79, 60, 2, 16, 150, true);
    for (int nt = 2; nt <= 3; nt++) {
        struct vrp_params p;
        sco__vrp_params_default(&p);
        p.iterations = 160;
        p.seed = 5;
        p.threads = nt;
        struct vrp_solution s[3] = { { 0 }, { 0 }, { 0 } };
        struct vrp_result res[3];
        struct sco_err err;
        for (int k = 0; k < 3; k++) {
            cr_assert_eq(sco__vrp_solve(&in, &p, &s[k], &res[k], &err), 0, "%s", err.msg);
            cr_expect_eq(res[k].threads, nt);
            cr_expect_eq(res[k].iterations, 160);
        }
        expect_same_solution(&s[0], &s[1], "threads run 2");
        expect_same_solution(&s[0], &s[2], "threads run 3");
        int nv;
        check_cost(&in, &s[0], &nv);
        cr_expect(res[0].feasible, "%d threads: no feasible plan", nt);
        cr_expect_eq(nv, 0, "%d threads: %d violations", nt, nv);
        for (int k = 0; k < 3; k++)
            sco__vrp_solution_fini(&s[k]);
    }
    sco__vrp_instance_fini(&in);
}

/* The thread count is validated, not silently capped. */
Test(routing, too_many_threads_rejected)
{
    struct vrp_instance in;
    gen(&in, 80, 10, 1, 4, 0, false);
    struct vrp_params p;
    sco__vrp_params_default(&p);
    p.iterations = 10;
    p.threads = VRP_MAX_THREADS + 1;
    struct vrp_solution s = { 0 };
    struct vrp_result res;
    struct sco_err err = { 0 };
    cr_expect_eq(sco__vrp_solve(&in, &p, &s, &res, &err), SCO_ERR_INVALID);
    cr_expect(strstr(err.msg, "threads") != NULL, "message '%s'", err.msg);
    sco__vrp_solution_fini(&s);
    sco__vrp_instance_fini(&in);
}

static char tmpdir[64];

static const char *write_tmp(const char *name, const char *text)
{
    static char path[128];
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/sco-routing-XXXXXX");
        cr_assert_not_null(mkdtemp(tmpdir));
    }
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *good_vrp =
    "NAME : tiny\nTYPE : CVRP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\n"
    "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\n4 -3 -4\nDEMAND_SECTION\n1 0\n2 5\n3 5\n4 5\n"
    "DEPOT_SECTION\n1\n-1\nEOF\n";

static const char *good_solomon =
    "TINY\n\nVEHICLE\nNUMBER     CAPACITY\n  2         10\n\nCUSTOMER\n"
    "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n\n"
    "    0      0         0          0          0       1000          0\n"
    "    1      3         4          5          0        100         10\n"
    "    2      6         8          5         20        200         10\n";

static void expect_reject(const char *name, const char *text, const char *where)
{
    struct vrp_instance in;
    struct sco_err err = { 0 };
    const char *path = write_tmp(name, text);
    char want[160];
    snprintf(want, sizeof want, "%s:%s", path, where);
    cr_expect_eq(sco__vrp_read_file(path, &in, &err), SCO_ERR_DATA, "%s accepted", name);
    cr_expect(strstr(err.msg, want) != NULL, "%s: message '%s' lacks '%s'", name, err.msg, want);
    unlink(path);
}

static char *replace(const char *text, const char *from, const char *to)
{
    static char buf[2048];
    const char *p = strstr(text, from);
    cr_assert_not_null(p);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
    return buf;
}

Test(routing, readers_accept_good_files)
{
    struct vrp_instance in;
    struct sco_err err = { 0 };
    cr_assert_eq(sco__vrp_read_file(write_tmp("good.vrp", good_vrp), &in, &err), 0, "%s",
                 err.msg);
    cr_expect_eq(in.n_jobs, 3);
    cr_expect_float_eq(vrp_dist(&in, 0, 1), 5, 1e-12);
    cr_expect_float_eq(vrp_dist(&in, 1, 2), 5, 1e-12);
    cr_expect(in.rounded);
    struct vrp_solution ex = { 0 };
    double opt;
    cr_assert_eq(sco__vrp_exact(&in, &ex, &opt, &err), 0, "%s", err.msg);
    cr_expect_float_eq(opt, 30, 1e-9); /* 0-1-2-0 = 5+5+10 (load 10), 0-3-0 = 10 */
    sco__vrp_solution_fini(&ex);
    sco__vrp_instance_fini(&in);
    cr_assert_eq(sco__vrp_read_file(write_tmp("good.txt", good_solomon), &in, &err), 0, "%s",
                 err.msg);
    cr_expect_eq(in.n_jobs, 2);
    cr_expect_eq(in.n_vehicles, 2);
    cr_expect_float_eq(in.jobs[1].tw_open, 20, 1e-12);
    cr_expect_float_eq(in.vehicles[0].shift_end, 1000, 1e-12);
    sco__vrp_instance_fini(&in);
}

Test(routing, readers_reject_malformed_files_with_line_number)
{
    expect_reject("coord.vrp", replace(good_vrp, "2 3 4\n", "2 3 x\n"), "8:");
    expect_reject("order.vrp", replace(good_vrp, "3 6 8\n", "4 6 8\n"), "9:");
    expect_reject("demand.vrp", replace(good_vrp, "3 5\n", "3 -5\n"), "14:");
    expect_reject("dim.vrp", replace(good_vrp, "DIMENSION : 4", "DIMENSION : four"), "3:");
    expect_reject("type.vrp", replace(good_vrp, "TYPE : CVRP", "TYPE : TSP"), "2:");
    expect_reject("short.vrp", replace(good_vrp, "4 -3 -4\n", ""), "10:");
    expect_reject("depot.vrp", replace(good_vrp, "DEPOT_SECTION\n1\n", "DEPOT_SECTION\n2\n"),
                  "17:");
    expect_reject("row.txt", replace(good_solomon, "20        200", "20"), "12:");
    expect_reject("veh.txt", replace(good_solomon, "2         10", "two 10"), "5:");
    expect_reject("id.txt", replace(good_solomon, "    2      6", "    3      6"), "12:");
    expect_reject("tw.txt", replace(good_solomon, "20        200", "300       200"), "12:");
    expect_reject("kw.txt", replace(good_solomon, "CUSTOMER\n", "CUSTOMERS\n"), "7:");
}

Test(routing, checker_reports_every_violation)
{
    struct vrp_instance in;
    struct sco_err err;
    cr_assert_eq(sco__vrp_read_file(write_tmp("chk.txt", good_solomon), &in, &err), 0);
    in.jobs[0].tw_close = 3; /* arrival at 5 */
    in.vehicles[0].cap[0] = 6;
    int veh[2] = { 0, 1 }, off[3] = { 0, 2, 3 }, jobs[3] = { 0, 1, 1 };
    struct vrp_solution s = { 2, veh, off, jobs, 0, NULL };
    struct vrp_check c;
    cr_assert_eq(sco__vrp_check(&in, &s, &c, NULL, &err), 0);
    int seen[16] = { 0 };
    for (int i = 0; i < c.n_violations; i++)
        seen[c.v[i].kind]++;
    cr_expect_eq(seen[VRP_V_TIME_WINDOW], 1);
    cr_expect_eq(seen[VRP_V_CAPACITY], 1);
    cr_expect_eq(seen[VRP_V_JOB_TWICE], 1);
    cr_expect_eq(seen[VRP_V_JOB_MISSING], 0);
    sco__vrp_check_fini(&c);
    sco__vrp_instance_fini(&in);
}

/* ---- the shipped demo day (configs/demo), through the plugin's model without the host ---- */

struct csv {
    int n_rows, n_cols;
    char *buf;
    char ***cell; /* [row][col] */
    char **head;
};

static void csv_free(struct csv *c)
{
    for (int r = 0; r < c->n_rows; r++)
        free(c->cell[r]);
    free(c->cell);
    free(c->head);
    free(c->buf);
}

/* Reads a plain CSV (no quoted fields, as the demo files are). */
static bool csv_read(const char *path, struct csv *c)
{
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    c->buf = malloc((size_t)n + 1);
    cr_assert_not_null(c->buf);
    cr_assert_eq(fread(c->buf, 1, (size_t)n, f), (size_t)n);
    c->buf[n] = '\0';
    fclose(f);
    int lines = 0;
    for (long i = 0; i < n; i++)
        lines += c->buf[i] == '\n';
    c->cell = calloc((size_t)lines + 1, sizeof *c->cell);
    char *save = NULL, *line = strtok_r(c->buf, "\n", &save);
    int row = -1;
    while (line) {
        int k = 1;
        for (char *p = line; *p; p++)
            k += *p == ',';
        char **cells = calloc((size_t)k + 1, sizeof *cells);
        int j = 0;
        cells[j++] = line;
        for (char *p = line; *p; p++)
            if (*p == ',') {
                *p = '\0';
                cells[j++] = p + 1;
            } else if (*p == '\r') {
                *p = '\0';
            }
        if (row < 0) {
            c->head = cells;
            c->n_cols = k;
        } else {
            cr_assert_eq(k, c->n_cols, "%s: row %d has %d fields", path, row + 2, k);
            c->cell[row] = cells;
        }
        row++;
        line = strtok_r(NULL, "\n", &save);
    }
    c->n_rows = row;
    return true;
}

static int csv_col(const struct csv *c, const char *name)
{
    for (int j = 0; j < c->n_cols; j++)
        if (!strcmp(c->head[j], name))
            return j;
    cr_assert_fail("column '%s' missing", name);
    return -1;
}

static double hhmm(const char *s)
{
    int h, m;
    cr_assert_eq(sscanf(s, "%d:%d", &h, &m), 2, "'%s'", s);
    return h * 60.0 + m;
}

static int wh_index(const struct csv *W, int wid, const char *s)
{
    for (int q = 0; q < W->n_rows; q++)
        if (!strcmp(W->cell[q][wid], s))
            return q;
    return -1;
}

Test(routing, demo_day_plan_is_feasible, .timeout = 120)
{
    struct csv W, C, O, V;
    char p[512];
    snprintf(p, sizeof p, "%s/warehouses.csv", DEMO_DIR);
    if (!csv_read(p, &W))
        cr_skip_test("no demo data in %s", DEMO_DIR);
    snprintf(p, sizeof p, "%s/customers.csv", DEMO_DIR);
    cr_assert(csv_read(p, &C));
    snprintf(p, sizeof p, "%s/orders.csv", DEMO_DIR);
    cr_assert(csv_read(p, &O));
    snprintf(p, sizeof p, "%s/vehicles.csv", DEMO_DIR);
    cr_assert(csv_read(p, &V));
    int nw = W.n_rows, no = O.n_rows, nv = V.n_rows;
    struct rt_warehouse *wh = calloc((size_t)nw, sizeof *wh);
    struct rt_order *o = calloc((size_t)no, sizeof *o);
    struct rt_vehicle *ve = calloc((size_t)nv, sizeof *ve);
    int wid = csv_col(&W, "warehouse"), wla = csv_col(&W, "lat"), wlo = csv_col(&W, "lon");
    for (int i = 0; i < nw; i++) {
        wh[i].lat = atof(W.cell[i][wla]);
        wh[i].lon = atof(W.cell[i][wlo]);
    }
    int cid = csv_col(&C, "customer"), cla = csv_col(&C, "lat"), clo = csv_col(&C, "lon");
    int oc = csv_col(&O, "customer"), ow = csv_col(&O, "warehouse"),
        ots = csv_col(&O, "tw_start"), ote = csv_col(&O, "tw_end"), os = csv_col(&O, "service_min"),
        okg = csv_col(&O, "weight_kg"), ol = csv_col(&O, "volume_l"), osk = csv_col(&O, "skills");
    for (int i = 0; i < no; i++) {
        char **r = O.cell[i];
        o[i].wh = wh_index(&W, wid, r[ow]);
        o[i].no_location = true;
        for (int k = 0; k < C.n_rows; k++)
            if (!strcmp(C.cell[k][cid], r[oc])) {
                o[i].lat = atof(C.cell[k][cla]);
                o[i].lon = atof(C.cell[k][clo]);
                o[i].no_location = false;
                break;
            }
        o[i].tw_open = hhmm(r[ots]);
        o[i].tw_close = hhmm(r[ote]);
        o[i].service = atof(r[os]);
        o[i].demand[0] = atof(r[okg]);
        o[i].demand[1] = atof(r[ol]);
        o[i].skills = r[osk][0] ? 1ULL << 32 : 0; /* the demo has one skill: refrigerated */
        o[i].penalty = 1000;
    }
    int vw = csv_col(&V, "warehouse"), vew = csv_col(&V, "end_warehouse"),
        vkg = csv_col(&V, "capacity_kg"), vl = csv_col(&V, "capacity_l"),
        vss = csv_col(&V, "shift_start"), vse = csv_col(&V, "shift_end"),
        vfc = csv_col(&V, "fixed_cost"), vkm = csv_col(&V, "cost_per_km"),
        vh = csv_col(&V, "cost_per_hour"), vsk = csv_col(&V, "skills");
    for (int i = 0; i < nv; i++) {
        char **r = V.cell[i];
        ve[i] = (struct rt_vehicle){ .wh = wh_index(&W, wid, r[vw]),
                                     .end_wh = wh_index(&W, wid, r[vew]),
                                     .cap = { atof(r[vkg]), atof(r[vl]) },
                                     .shift_start = hhmm(r[vss]), .shift_end = hhmm(r[vse]),
                                     .fixed_cost = atof(r[vfc]), .cost_per_km = atof(r[vkm]),
                                     .cost_per_hour = atof(r[vh]), .max_duration = VRP_INF,
                                     .skills = r[vsk][0] ? 1ULL << 32 : 0 };
    }
    struct rt_problem pb = { no, nv, nw, 2, o, ve, wh, 30, 1.3, NULL, NULL, false };
    struct rt_plan plan;
    struct sco_err err;
    cr_assert_eq(sco__rt_build(&pb, &plan, &err), 0, "%s", err.msg);
    struct vrp_params prm;
    sco__vrp_params_default(&prm);
    prm.iterations = 8; /* a valid plan, not a good one: the suite stays fast */
    prm.seed = 42;
    cr_assert_eq(sco__rt_solve(&plan, &prm, &err), 0, "%s", err.msg);
    int nviol;
    check_cost(&plan.in, &plan.sol, &nviol);
    cr_expect_eq(nviol, 0, "the demo plan breaks %d constraints", nviol);
    int served = 0;
    for (int i = 0; i < no; i++)
        served += plan.reason[i] == RT_SERVED;
    cr_expect_eq(served, plan.sol.off[plan.sol.n_routes]);
    cr_expect_geq(served * 10, no * 8, "only %d of %d demo orders served", served, no);
    sco__rt_plan_fini(&plan);
    free(wh);
    free(o);
    free(ve);
    csv_free(&W);
    csv_free(&C);
    csv_free(&O);
    csv_free(&V);
}
