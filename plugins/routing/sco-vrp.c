/* sco-vrp FILE [--seconds S] [--iterations K] [--seed N] [--threads T] [--wall] [--no-sp]
 *        [--verbose]
 * --seconds counts CPU seconds of the process (every thread), or wall-clock seconds with
 * --wall. Same file, seed, iterations and threads: same solution (when the time does not bind).
 * Solves one VRPLIB (CVRPLIB X set) or Solomon instance and prints the solution in the CVRPLIB
 * format: "Route #k: c1 c2 ..." with customers numbered 1..n as in the file, then "Cost C". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrp.h"

static int usage(void)
{
    fprintf(stderr, "usage: sco-vrp FILE [--seconds S] [--iterations K] [--seed N] "
                    "[--threads T] [--wall] [--no-sp] [--verbose]\n");
    return 64;
}

static int num(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return (end == s || *end || errno) ? -1 : 0;
}

int main(int argc, char **argv)
{
    const char *file = NULL;
    struct vrp_params p;
    sco__vrp_params_default(&p);
    p.seconds = 0;
    p.iterations = 0;
    bool set_iter = false, set_sec = false;
    for (int i = 1; i < argc; i++) {
        double v;
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            if (num(argv[++i], &v) || v <= 0)
                return usage();
            p.seconds = v;
            set_sec = true;
        } else if (!strcmp(argv[i], "--iterations") && i + 1 < argc) {
            if (num(argv[++i], &v) || v < 1)
                return usage();
            p.iterations = (long)v;
            set_iter = true;
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            if (num(argv[++i], &v) || v < 0)
                return usage();
            p.seed = (uint64_t)v;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            if (num(argv[++i], &v) || v < 1 || v > VRP_MAX_THREADS || v != (int)v)
                return usage();
            p.threads = (int)v;
        } else if (!strcmp(argv[i], "--wall")) {
            p.wall_clock = true;
        } else if (!strcmp(argv[i], "--no-sp")) {
            p.use_sp = false;
        } else if (!strcmp(argv[i], "--verbose")) {
            p.verbose = true;
        } else if (argv[i][0] == '-' || file) {
            return usage();
        } else {
            file = argv[i];
        }
    }
    if (!file)
        return usage();
    if (!set_iter && !set_sec)
        p.seconds = 10;
    struct sco_err err = { 0 };
    struct vrp_instance in;
    int rc = sco__vrp_read_file(file, &in, &err);
    if (rc) {
        fprintf(stderr, "sco-vrp: %s\n", err.msg);
        return 65;
    }
    struct vrp_solution sol = { 0 };
    struct vrp_result res;
    rc = sco__vrp_solve(&in, &p, &sol, &res, &err);
    if (rc) {
        fprintf(stderr, "sco-vrp: %s\n", err.msg);
        sco__vrp_instance_fini(&in);
        return 70;
    }
    struct vrp_check chk;
    rc = sco__vrp_check(&in, &sol, &chk, NULL, &err);
    int k = 0;
    for (int r = 0; r < sol.n_routes; r++) {
        if (sol.off[r + 1] == sol.off[r])
            continue;
        printf("Route #%d:", ++k);
        for (int q = sol.off[r]; q < sol.off[r + 1]; q++)
            printf(" %d", sol.jobs[q] + 1);
        printf("\n");
    }
    if (in.rounded)
        printf("Cost %.0f\n", chk.cost);
    else
        printf("Cost %.2f\n", chk.cost);
    fprintf(stderr, "sco-vrp: %s cost %.4f routes %d feasible %s violations %d iterations %ld "
                    "cpu %.2f s wall %.2f s threads %d sp_improvements %d\n", in.name, chk.cost,
            chk.n_routes_used, res.feasible ? "yes" : "no", chk.n_violations, res.iterations,
            res.seconds, res.wall_seconds, res.threads, res.sp_improvements);
    int bad = rc || chk.n_violations > 0;
    sco__vrp_check_fini(&chk);
    sco__vrp_solution_fini(&sol);
    sco__vrp_instance_fini(&in);
    return bad ? 70 : 0;
}
