/* vrp-scale [--stops N] [--seconds S] [--iterations K] [--seed N] [--threads T]
 *           [--clock wall|cpu] [--out FILE]
 * --seconds caps the search on the given clock (default: 270 wall-clock seconds, 2 threads).
 * Generates a delivery day like the demo's at scale (3 warehouses, N stops within 30 km,
 * one- and two-hour and wide time windows, refrigerated orders, mixed fleet on three shifts),
 * plans it with the routing plugin's model and search, checks the plan, and prints
 * "scale: key=value ..." with time and peak memory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "routing-model.h"

static uint64_t rs = 88172645463325252ULL;
static double urand(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    int n = 5000;
    double seconds = 270;
    long iters = 0;
    int threads = 2;
    bool wall = true;
    uint64_t seed = 1;
    const char *out = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--stops"))
            n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds"))
            seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--iterations"))
            iters = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed"))
            seed = (uint64_t)atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--out"))
            out = argv[i + 1];
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--clock") &&
                 (!strcmp(argv[i + 1], "wall") || !strcmp(argv[i + 1], "cpu")))
            wall = !strcmp(argv[i + 1], "wall");
        else {
            fprintf(stderr, "usage: vrp-scale [--stops N] [--seconds S] [--iterations K] "
                            "[--seed N] [--threads T] [--clock wall|cpu] [--out FILE]\n");
            return 64;
        }
    }
    if (n < 1 || (seconds <= 0 && iters <= 0) || threads < 1 || threads > VRP_MAX_THREADS)
        return 64;
    struct timespec w0;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    double c0 = sco__vrp_cpu_seconds();
    struct rt_warehouse W[3] = { { 53.527, 10.080 }, { 50.893, 6.925 }, { 48.171, 11.716 } };
    struct rt_order *o = calloc((size_t)n, sizeof *o);
    int nv = 0;
    /* about 22 stops per vehicle-shift, plus slack */
    int per_wh = (int)ceil(n / 3.0 / 22.0 * 1.25) + 2;
    struct rt_vehicle *V = calloc((size_t)per_wh * 3, sizeof *V);
    if (!o || !V)
        return 70;
    const double slots[][2] = { { 480, 540 }, { 540, 600 }, { 600, 720 }, { 720, 840 },
                                { 840, 960 }, { 960, 1080 }, { 1080, 1200 }, { 480, 840 },
                                { 720, 1080 }, { 840, 1200 }, { 480, 1200 } };
    for (int i = 0; i < n; i++) {
        struct rt_order *x = &o[i];
        x->wh = i % 3;
        double r = 30 * sqrt(urand()), a = urand() * 2 * M_PI;
        x->lat = W[x->wh].lat + r * sin(a) / 111.2;
        x->lon = W[x->wh].lon + r * cos(a) / (111.2 * cos(W[x->wh].lat * M_PI / 180));
        x->demand[0] = 1 + urand() * 25;
        x->demand[1] = x->demand[0] * (1 + urand());
        x->service = 3 + floor(urand() * 10);
        int s = (int)(urand() * 11);
        x->tw_open = slots[s][0];
        x->tw_close = slots[s][1];
        x->skills = urand() < 0.5 ? 1ULL << 32 : 0;
        x->penalty = 1000;
    }
    const double shifts[3][2] = { { 420, 930 }, { 570, 1080 }, { 750, 1260 } };
    for (int w = 0; w < 3; w++)
        for (int k = 0; k < per_wh; k++) {
            struct rt_vehicle *v = &V[nv++];
            bool fridge = k % 2 == 0;
            v->wh = v->end_wh = w;
            v->cap[0] = 750;
            v->cap[1] = 6000;
            v->shift_start = shifts[k % 3][0];
            v->shift_end = shifts[k % 3][1];
            v->fixed_cost = fridge ? 60 : 45;
            v->cost_per_km = fridge ? 0.34 : 0.28;
            v->cost_per_hour = 24;
            v->max_duration = VRP_INF;
            v->skills = fridge ? 1ULL << 32 : 0;
        }
    struct rt_problem pb = { n, nv, 3, 2, o, V, W, 30, 1.3, NULL, NULL, false };
    struct rt_plan plan;
    struct sco_err err = { 0 };
    if (sco__rt_build(&pb, &plan, &err)) {
        fprintf(stderr, "vrp-scale: %s\n", err.msg);
        return 70;
    }
    struct vrp_params p;
    sco__vrp_params_default(&p);
    p.seed = seed;
    p.seconds = seconds;
    p.iterations = iters;
    p.threads = threads;
    p.wall_clock = wall;
    p.verbose = getenv("VRP_VERBOSE") != NULL;
    if (sco__rt_solve(&plan, &p, &err)) {
        fprintf(stderr, "vrp-scale: %s\n", err.msg);
        return 70;
    }
    struct vrp_check chk;
    if (sco__vrp_check(&plan.in, &plan.sol, &chk, NULL, &err))
        return 70;
    int served = plan.sol.off[plan.sol.n_routes];
    double cpu = sco__vrp_cpu_seconds() - c0;
    struct timespec w1;
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double wall_s = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) * 1e-9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (out) {
        FILE *f = fopen(out, "w");
        if (f) {
            for (int r = 0; r < plan.sol.n_routes; r++) {
                fprintf(f, "Route #%d (vehicle %d):", r + 1, plan.sol.veh[r]);
                for (int q = plan.sol.off[r]; q < plan.sol.off[r + 1]; q++)
                    fprintf(f, " %d", plan.order_of_job[plan.sol.jobs[q]] + 1);
                fprintf(f, "\n");
            }
            fclose(f);
        }
    }
    int reasons[16] = { 0 };
    for (int i = 0; i < n; i++)
        reasons[plan.reason[i]]++;
    printf("unassigned by reason:");
    for (int r = 1; r < 16; r++)
        if (reasons[r])
            printf(" %s=%d", sco__rt_reason_name(r), reasons[r]);
    printf("\n");
    double route_cost = chk.cost;
    for (int i = 0; i < plan.sol.n_unassigned; i++)
        route_cost -= plan.in.jobs[plan.sol.unassigned[i]].penalty;
    printf("scale: scale_stops=%d scale_warehouses=3 scale_vehicles=%d scale_routes=%d "
           "scale_served=%d scale_unassigned=%d scale_violations=%d scale_route_cost=%.1f "
           "scale_iterations=%ld scale_threads=%d scale_search_wall_s=%.1f scale_cpu_s=%.1f "
           "scale_wall_s=%.1f scale_max_rss_mb=%.0f\n",
           n, nv, plan.sol.n_routes, served, n - served, chk.n_violations, route_cost,
           plan.res.iterations, plan.res.threads, plan.res.wall_seconds, cpu, wall_s,
           ru.ru_maxrss / 1024.0);
    int bad = chk.n_violations != 0;
    sco__vrp_check_fini(&chk);
    sco__rt_plan_fini(&plan);
    free(o);
    free(V);
    return bad ? 1 : 0;
}
