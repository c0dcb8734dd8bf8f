/* vrp.h: the vehicle routing core of the routing plugin (instance model, readers, checker,
 * hybrid genetic search, GLPK set partitioning). Internal to plugins/routing; the plugin, the
 * sco-vrp bench program and tests/routing link it as the static library routing_core. */
#ifndef SCO_VRP_H
#define SCO_VRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sco/sco-plugin.h>

#define VRP_MAX_DIM 4     /* capacity dimensions (weight, volume, parcels, ...) */
#define VRP_INF 1e30      /* "no limit" for times, durations, capacities */
#define VRP_MAX_TW 4      /* time windows per job */
#define VRP_MAX_THREADS 256 /* search threads */

/* One stop to serve. Times are in the instance's time unit (minutes in the plugin). */
struct vrp_job {
    int loc;                      /* row/column of the distance and time matrices */
    double demand[VRP_MAX_DIM];   /* per capacity dimension */
    double service;               /* service time at the stop */
    double tw_open, tw_close;     /* service must start within [open, close]; with several
                                   * windows, the envelope (first open, last close) */
    int n_tw;                     /* windows in tw; 0 or 1 = the single [tw_open, tw_close] */
    double tw[VRP_MAX_TW][2];     /* several windows: sorted, disjoint [open, close] pairs */
    uint64_t skills;              /* bit set of skills a vehicle must all have */
    int priority;                 /* 0 = normal; higher is kept first when some must go */
    double penalty;               /* cost of leaving it unassigned (plugin post-processing) */
};

struct vrp_vehicle {
    int start_loc, end_loc;
    double cap[VRP_MAX_DIM];
    double shift_start, shift_end; /* leaves start_loc no earlier, is back no later */
    double fixed_cost;             /* when the vehicle is used */
    double cost_per_dist, cost_per_time; /* per distance unit, per time unit of duration */
    double max_duration;           /* VRP_INF when none */
    uint64_t skills;
    /* Driver break: break_dur time units that must start within [break_start, break_end],
     * taken where the vehicle is (no travel). break_dur 0 = none. A used route takes it at
     * the first point from which it cannot wait any longer: once the time reaches break_start,
     * or just before a stop whose service would otherwise end after break_end, or after the
     * last stop (waiting there for break_start) when it has not been taken before. */
    double break_start, break_end, break_dur;
};

/* Distances and travel times between locations: dist is n_locs x n_locs row-major; time is
 * either its own matrix or NULL, then time = dist * time_per_dist. */
struct vrp_instance {
    char name[128];
    int n_dims, n_jobs, n_vehicles, n_locs;
    struct vrp_job *jobs;         /* n_jobs */
    struct vrp_vehicle *vehicles; /* n_vehicles */
    double *x, *y;                /* n_locs coordinates, may be NULL (matrix input) */
    double *dist;                 /* n_locs * n_locs */
    double *time;                 /* n_locs * n_locs or NULL */
    double time_per_dist;
    bool rounded;                 /* distances are integers (CVRPLIB nint) */
};

static inline double vrp_dist(const struct vrp_instance *in, int a, int b)
{
    return in->dist[(size_t)a * (size_t)in->n_locs + (size_t)b];
}

static inline double vrp_time(const struct vrp_instance *in, int a, int b)
{
    return in->time ? in->time[(size_t)a * (size_t)in->n_locs + (size_t)b]
                    : in->dist[(size_t)a * (size_t)in->n_locs + (size_t)b] * in->time_per_dist;
}

/* Window of a job with several windows (n_tw > 1) used at arrival time `a`: the first one that
 * closes at or after `a` (within 1e-7, so that a schedule moved later right up to a close keeps
 * its window despite rounding), or the last one when every window has closed. */
static inline int vrp_job_window(const struct vrp_job *jb, double a)
{
    int k = 0;
    while (k < jb->n_tw - 1 && a > jb->tw[k][1] + 1e-7)
        k++;
    return k;
}

/* Start of service at a job reached at time `a`: in the first window that closes at or after
 * `a` (waiting for it to open when `a` falls between windows), or `a` itself when every window
 * has closed (late: the result is then above tw_close). `close` (may be NULL) receives the
 * close of the window used. Exact for one or several windows. */
static inline double vrp_job_start(const struct vrp_job *jb, double a, double *close)
{
    if (jb->n_tw <= 1) {
        if (close)
            *close = jb->tw_close;
        return a > jb->tw_open ? a : jb->tw_open;
    }
    int k = vrp_job_window(jb, a);
    if (close)
        *close = jb->tw[k][1];
    return a > jb->tw[k][0] ? a : jb->tw[k][0];
}

/* Sets a job's windows from n (open, close) pairs in any order: sorts them, merges those that
 * overlap or touch, and sets the envelope tw_open/tw_close. Returns 0, or -1 when n is not in
 * 1..VRP_MAX_TW or some open > close. */
int sco__vrp_job_set_windows(struct vrp_job *jb, const double (*w)[2], int n);

/* Allocates the arrays of an instance with the given sizes (zeroed; dist allocated, time not,
 * time_per_dist 1). Returns 0 or SCO_ERR_NOMEM. */
int sco__vrp_instance_alloc(struct vrp_instance *in, int n_jobs, int n_vehicles, int n_locs,
                            int n_dims, struct sco_err *err);
void sco__vrp_instance_fini(struct vrp_instance *in);
/* Fills dist from x, y: Euclidean, rounded to the nearest integer when `round` is true. */
void sco__vrp_instance_euclid(struct vrp_instance *in, bool round);

/* Readers. Format detected from the content: VRPLIB/CVRPLIB (X set: EUC_2D, rounded,
 * unlimited fleet) or Solomon (exact Euclidean, distance-only, fleet and capacity from the
 * file). Malformed files fail with SCO_ERR_DATA and "file:line: ..." in err. */
int sco__vrp_read_file(const char *path, struct vrp_instance *in, struct sco_err *err);
int sco__vrp_read_vrplib(const char *path, const char *text, struct vrp_instance *in,
                         struct sco_err *err);
int sco__vrp_read_solomon(const char *path, const char *text, struct vrp_instance *in,
                          struct sco_err *err);

/* A solution: n_routes routes, route r uses vehicle veh[r] and visits
 * jobs[off[r] .. off[r+1]-1] in order; unassigned jobs listed apart. */
struct vrp_solution {
    int n_routes;
    int *veh;        /* n_routes */
    int *off;        /* n_routes + 1 */
    int *jobs;       /* off[n_routes] */
    int n_unassigned;
    int *unassigned; /* n_unassigned */
};

void sco__vrp_solution_fini(struct vrp_solution *s);
int sco__vrp_solution_copy(struct vrp_solution *dst, const struct vrp_solution *src);

/* Violations found by the checker. */
enum vrp_violation_kind {
    VRP_V_JOB_MISSING,   /* job neither routed nor unassigned */
    VRP_V_JOB_TWICE,     /* job visited more than once */
    VRP_V_BAD_INDEX,     /* job or vehicle index out of range */
    VRP_V_VEHICLE_TWICE, /* a vehicle drives two routes */
    VRP_V_CAPACITY,      /* load above capacity in some dimension */
    VRP_V_TIME_WINDOW,   /* service starts after the window closes */
    VRP_V_SHIFT,         /* back at the end depot after the shift end */
    VRP_V_DURATION,      /* route longer than max_duration */
    VRP_V_SKILL,         /* vehicle lacks a skill the job needs */
    VRP_V_BREAK,         /* the driver break starts after its window */
};

struct vrp_violation {
    enum vrp_violation_kind kind;
    int route; /* -1 when not about one route */
    int job;   /* -1 when not about one job */
    int dim;   /* capacity dimension for VRP_V_CAPACITY */
    double amount; /* by how much (time units, load units) */
};

/* Per-route schedule as the checker computes it (departure from the depot at the earliest
 * time that gives the route its least duration). */
struct vrp_route_eval {
    double distance, duration, wait, cost, start, end;
    double load[VRP_MAX_DIM];
};

struct vrp_check {
    double cost;           /* fixed + distance + time costs + penalties of unassigned jobs */
    double distance;
    int n_routes_used;
    int n_violations;
    struct vrp_violation *v; /* n_violations, owned (free with sco__vrp_check_fini) */
    int cap_v;
};

/* Checks a solution against every constraint and computes its cost, independently of the
 * search's incremental data. Returns 0 (violations are data, not errors) or SCO_ERR_NOMEM.
 * When `routes` is not NULL it receives one entry per route. */
int sco__vrp_check(const struct vrp_instance *in, const struct vrp_solution *s,
                   struct vrp_check *c, struct vrp_route_eval *routes, struct sco_err *err);
void sco__vrp_check_fini(struct vrp_check *c);
const char *sco__vrp_violation_name(enum vrp_violation_kind k);

/* Schedule of one route: arrival, start of service and departure at each of the n stops,
 * and the depot departure/return. Times follow the same rules as the checker. */
void sco__vrp_route_schedule(const struct vrp_instance *in, int veh, const int *jobs, int n,
                             double *arrival, double *begin, double *depart, double *t_start,
                             double *t_end);

/* The same with the driver break: *brk_pos receives the stop index before which it is taken
 * (n = after the last stop, -1 = no break) and *brk_start its start. */
void sco__vrp_route_schedule_break(const struct vrp_instance *in, int veh, const int *jobs,
                                   int n, double *arrival, double *begin, double *depart,
                                   double *t_start, double *t_end, int *brk_pos,
                                   double *brk_start);

/* The greedy break rule (see struct vrp_vehicle): whether a vehicle at `at` at time `t` with
 * its break not yet taken takes it now, before going on to `next` (NULL: no stop left). */
static inline bool vrp_break_now(const struct vrp_instance *in, const struct vrp_vehicle *ve,
                                 double t, int at, const struct vrp_job *next)
{
    if (!next || t >= ve->break_start - 1e-9)
        return true;
    double b = vrp_job_start(next, t + vrp_time(in, at, next->loc), NULL);
    return b + next->service > ve->break_end + 1e-9;
}

/* Search parameters. */
struct vrp_params {
    uint64_t seed;
    double seconds;     /* time limit, 0 = no limit: CPU seconds of the whole process (every
                         * thread counts), or wall-clock seconds with wall_clock */
    bool wall_clock;    /* seconds counts wall-clock (monotonic) time instead of CPU time */
    long iterations;    /* HGS iterations (offspring), 0 = no limit (then seconds must be > 0) */
    int threads;        /* search threads (<= 1: one, the sequential search). With T > 1 each
                         * generation breeds T offspring in parallel, each from its own random
                         * stream derived from (seed, iteration), inserted in a fixed order:
                         * the plan depends on seed, iterations and T, not on the scheduling */
    int mu, lambda, n_elite, n_close, granular;
    double target_feasible;
    bool use_sp;        /* GLPK set partitioning over the route pool */
    bool verbose;       /* progress on stderr (sco-vrp only) */
};

void sco__vrp_params_default(struct vrp_params *p);

struct vrp_result {
    double cost;         /* cost of `sol` by the search's own evaluation */
    bool feasible;
    long iterations;
    double seconds;      /* CPU seconds used (all threads) */
    double wall_seconds; /* wall-clock seconds used */
    int threads;         /* search threads used */
    int sp_improvements; /* times the set-partitioning MIP improved the best solution */
};

/* Hybrid genetic search. Every job is routed (the plugin decides unassigned jobs before and
 * after). On return `sol` holds the best solution found (the best feasible one when there is
 * one, else the least infeasible). Deterministic for a given instance, seed and iteration
 * budget when the time limit does not bind. */
int sco__vrp_solve(const struct vrp_instance *in, const struct vrp_params *p,
                   struct vrp_solution *sol, struct vrp_result *res, struct sco_err *err);

/* Exact optimum of a tiny instance (n_jobs <= 9): enumerates every feasible route and solves
 * the set-partitioning MIP with GLPK. SCO_ERR_INFEASIBLE when no plan serves every job. */
int sco__vrp_exact(const struct vrp_instance *in, struct vrp_solution *sol, double *cost,
                   struct sco_err *err);

/* Set partitioning over a pool of routes (used by the search and by sco__vrp_exact).
 * cols: n routes, route c uses vehicle class cls[c] and visits jobs[off[c]..off[c+1]-1];
 * cost[c]; class_count[k] vehicles of class k available. Returns 0 with the chosen columns in
 * chosen (n_chosen), SCO_ERR_INFEASIBLE when no partition exists, SCO_ERR_CANCELLED when the
 * time ran out before an integer solution. `incumbent` (may be NULL) is a feasible 0/1 vector
 * handed to GLPK as a starting solution; `cpu_deadline` is a process CPU time, 0 for none. */
struct vrp_pool_view {
    int n_cols, n_jobs, n_classes;
    const int *off, *jobs, *cls;
    const double *cost;
    const int *class_count;
    long node_limit; /* branch-and-bound nodes, 0 = none; bounds the work deterministically */
    bool wall_clock; /* cpu_deadline is on the wall clock (sco__vrp_wall_seconds) */
};
int sco__vrp_set_partition(const struct vrp_pool_view *pv, const unsigned char *incumbent,
                           double cpu_deadline, int *chosen, int *n_chosen, double *obj,
                           struct sco_err *err);

double sco__vrp_cpu_seconds(void);
/* Monotonic wall-clock seconds (CLOCK_MONOTONIC). */
double sco__vrp_wall_seconds(void);
/* The clock a time limit runs on: wall-clock or process CPU seconds. */
static inline double sco__vrp_clock(bool wall)
{
    return wall ? sco__vrp_wall_seconds() : sco__vrp_cpu_seconds();
}

#endif
