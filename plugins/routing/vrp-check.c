/* vrp-check.c: feasibility and cost of a complete solution, by direct simulation (shared by
 * the plugin's check mode, the tests and sco-vrp; the bench has its own checker in Python). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vrp.h"

#define TOL 1e-6

double sco__vrp_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double sco__vrp_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *sco__vrp_violation_name(enum vrp_violation_kind k)
{
    switch (k) {
    case VRP_V_JOB_MISSING: return "not_served";
    case VRP_V_JOB_TWICE: return "served_twice";
    case VRP_V_BAD_INDEX: return "unknown";
    case VRP_V_VEHICLE_TWICE: return "vehicle_twice";
    case VRP_V_CAPACITY: return "capacity";
    case VRP_V_TIME_WINDOW: return "time_window";
    case VRP_V_SHIFT: return "shift_end";
    case VRP_V_DURATION: return "max_duration";
    case VRP_V_SKILL: return "skill";
    case VRP_V_BREAK: return "break";
    }
    return "?";
}

int sco__vrp_job_set_windows(struct vrp_job *jb, const double (*w)[2], int n)
{
    if (n < 1 || n > VRP_MAX_TW)
        return -1;
    double t[VRP_MAX_TW][2];
    for (int i = 0; i < n; i++) {
        if (!(w[i][0] <= w[i][1]))
            return -1;
        int k = i;
        while (k > 0 && t[k - 1][0] > w[i][0]) {
            t[k][0] = t[k - 1][0];
            t[k][1] = t[k - 1][1];
            k--;
        }
        t[k][0] = w[i][0];
        t[k][1] = w[i][1];
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && t[i][0] <= jb->tw[m - 1][1]) {
            if (t[i][1] > jb->tw[m - 1][1])
                jb->tw[m - 1][1] = t[i][1];
            continue;
        }
        jb->tw[m][0] = t[i][0];
        jb->tw[m][1] = t[i][1];
        m++;
    }
    jb->n_tw = m;
    jb->tw_open = jb->tw[0][0];
    jb->tw_close = jb->tw[m - 1][1];
    return 0;
}

/* Forward simulation from departure t0 with the break before stop *bpos (-1: decided by the
 * greedy rule, then set); returns the end time, fills per-stop times and the break start. */
static double simulate(const struct vrp_instance *in, int veh, const int *jobs, int n, double t0,
                       double *arrival, double *begin, double *depart, int *bpos,
                       double *bstart)
{
    const struct vrp_vehicle *ve = &in->vehicles[veh];
    double t = t0;
    int at = ve->start_loc;
    bool taken = !(ve->break_dur > 0) || n == 0;
    for (int i = 0; i <= n; i++) {
        const struct vrp_job *jb = i < n ? &in->jobs[jobs[i]] : NULL;
        if (!taken && (*bpos >= 0 ? *bpos == i : vrp_break_now(in, ve, t, at, jb))) {
            double s = t > ve->break_start ? t : ve->break_start;
            *bstart = s;
            *bpos = i;
            t = s + ve->break_dur;
            taken = true;
        }
        if (i == n)
            break;
        double a = t + vrp_time(in, at, jb->loc);
        double b = vrp_job_start(jb, a, NULL);
        if (arrival)
            arrival[i] = a;
        if (begin)
            begin[i] = b;
        t = b + jb->service;
        if (depart)
            depart[i] = t;
        at = jb->loc;
    }
    return t + vrp_time(in, at, ve->end_loc);
}

void sco__vrp_route_schedule_break(const struct vrp_instance *in, int veh, const int *jobs,
                                   int n, double *arrival, double *begin, double *depart,
                                   double *t_start, double *t_end, int *brk_pos,
                                   double *brk_start)
{
    const struct vrp_vehicle *ve = &in->vehicles[veh];
    double t0 = ve->shift_start;
    /* Savelsbergh's forward slack: leaving later by delta removes waiting without making any
     * stop late while delta <= min_i (waits up to i + close_i - begin_i); keep the end time by
     * also bounding delta with the total wait. The break counts as a stop with its window,
     * kept where the earliest schedule takes it. */
    double t = t0, waits = 0, slack = ve->shift_end - t0;
    int at = ve->start_loc, bp = -1;
    double bs = 0;
    bool taken = !(ve->break_dur > 0) || n == 0;
    for (int i = 0; i <= n; i++) {
        const struct vrp_job *jb = i < n ? &in->jobs[jobs[i]] : NULL;
        if (!taken && vrp_break_now(in, ve, t, at, jb)) {
            double b = t > ve->break_start ? t : ve->break_start;
            waits += b - t;
            double s = waits + ve->break_end - b;
            if (s < slack)
                slack = s;
            t = b + ve->break_dur;
            bp = i;
            taken = true;
        }
        if (i == n)
            break;
        double a = t + vrp_time(in, at, jb->loc);
        double close;
        double b = vrp_job_start(jb, a, &close);
        waits += b - a;
        /* with several windows, leaving later keeps every stop in the window it had */
        double s = waits + close - b;
        if (s < slack)
            slack = s;
        t = b + jb->service;
        at = jb->loc;
    }
    double end = t + vrp_time(in, at, ve->end_loc);
    double s = waits + ve->shift_end - end;
    if (s < slack)
        slack = s;
    double delta = slack < waits ? slack : waits;
    if (delta < 0 || n == 0)
        delta = 0;
    t0 += delta;
    double e = simulate(in, veh, jobs, n, t0, arrival, begin, depart, &bp, &bs);
    if (t_start)
        *t_start = t0;
    if (t_end)
        *t_end = e;
    if (brk_pos)
        *brk_pos = bp;
    if (brk_start)
        *brk_start = bs;
}

void sco__vrp_route_schedule(const struct vrp_instance *in, int veh, const int *jobs, int n,
                             double *arrival, double *begin, double *depart, double *t_start,
                             double *t_end)
{
    sco__vrp_route_schedule_break(in, veh, jobs, n, arrival, begin, depart, t_start, t_end, NULL,
                                  NULL);
}

static int add_v(struct vrp_check *c, enum vrp_violation_kind k, int route, int job, int dim,
                 double amount)
{
    if (c->n_violations == c->cap_v) {
        int nc = c->cap_v ? c->cap_v * 2 : 16;
        void *p = realloc(c->v, (size_t)nc * sizeof *c->v);
        if (!p)
            return SCO_ERR_NOMEM;
        c->v = p;
        c->cap_v = nc;
    }
    c->v[c->n_violations++] = (struct vrp_violation){ k, route, job, dim, amount };
    return 0;
}

void sco__vrp_check_fini(struct vrp_check *c)
{
    if (!c)
        return;
    free(c->v);
    memset(c, 0, sizeof *c);
}

int sco__vrp_check(const struct vrp_instance *in, const struct vrp_solution *s,
                   struct vrp_check *c, struct vrp_route_eval *routes, struct sco_err *err)
{
    memset(c, 0, sizeof *c);
    int rc = 0;
    int *seen = calloc((size_t)in->n_jobs + 1, sizeof *seen);
    int *vused = calloc((size_t)in->n_vehicles + 1, sizeof *vused);
    int maxn = 1;
    for (int r = 0; r < s->n_routes; r++)
        if (s->off[r + 1] - s->off[r] > maxn)
            maxn = s->off[r + 1] - s->off[r];
    double *arr = malloc((size_t)maxn * sizeof *arr), *beg = malloc((size_t)maxn * sizeof *beg);
    if (!seen || !vused || !arr || !beg) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory checking a plan");
        goto out;
    }
#define ADD(...)                                                                         \
    do {                                                                                 \
        if ((rc = add_v(c, __VA_ARGS__))) {                                              \
            rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory checking a plan");       \
            goto out;                                                                    \
        }                                                                                \
    } while (0)
    for (int r = 0; r < s->n_routes; r++) {
        const int *jobs = s->jobs + s->off[r];
        int n = s->off[r + 1] - s->off[r];
        int v = s->veh[r];
        if (routes)
            memset(&routes[r], 0, sizeof routes[r]);
        if (v < 0 || v >= in->n_vehicles) {
            ADD(VRP_V_BAD_INDEX, r, -1, -1, 0);
            continue;
        }
        if (n == 0)
            continue;
        if (vused[v]++)
            ADD(VRP_V_VEHICLE_TWICE, r, -1, -1, 0);
        bool bad = false;
        for (int i = 0; i < n; i++)
            if (jobs[i] < 0 || jobs[i] >= in->n_jobs) {
                ADD(VRP_V_BAD_INDEX, r, jobs[i], -1, 0);
                bad = true;
            }
        if (bad)
            continue;
        const struct vrp_vehicle *ve = &in->vehicles[v];
        double load[VRP_MAX_DIM] = { 0 };
        double dist = 0;
        int at = ve->start_loc;
        for (int i = 0; i < n; i++) {
            const struct vrp_job *jb = &in->jobs[jobs[i]];
            if (seen[jobs[i]]++)
                ADD(VRP_V_JOB_TWICE, r, jobs[i], -1, 0);
            for (int d = 0; d < in->n_dims; d++)
                load[d] += jb->demand[d];
            if (jb->skills & ~ve->skills)
                ADD(VRP_V_SKILL, r, jobs[i], -1, 0);
            dist += vrp_dist(in, at, jb->loc);
            at = jb->loc;
        }
        dist += vrp_dist(in, at, ve->end_loc);
        for (int d = 0; d < in->n_dims; d++)
            if (load[d] > ve->cap[d] + TOL)
                ADD(VRP_V_CAPACITY, r, -1, d, load[d] - ve->cap[d]);
        double t0, t1, bstart;
        int bpos;
        sco__vrp_route_schedule_break(in, v, jobs, n, arr, beg, NULL, &t0, &t1, &bpos, &bstart);
        if (bpos >= 0 && bstart > ve->break_end + TOL)
            ADD(VRP_V_BREAK, r, -1, -1, bstart - ve->break_end);
        double wait = 0;
        for (int i = 0; i < n; i++) {
            const struct vrp_job *jb = &in->jobs[jobs[i]];
            wait += beg[i] - arr[i];
            /* service must start inside a window: one of several, checked one by one */
            bool inside = beg[i] >= jb->tw_open - TOL && beg[i] <= jb->tw_close + TOL;
            if (jb->n_tw > 1) {
                inside = false;
                for (int k = 0; k < jb->n_tw; k++)
                    if (beg[i] >= jb->tw[k][0] - TOL && beg[i] <= jb->tw[k][1] + TOL)
                        inside = true;
            }
            if (!inside)
                ADD(VRP_V_TIME_WINDOW, r, jobs[i], -1,
                    beg[i] > jb->tw_close ? beg[i] - jb->tw_close : TOL);
        }
        if (t1 > ve->shift_end + TOL)
            ADD(VRP_V_SHIFT, r, -1, -1, t1 - ve->shift_end);
        if (t1 - t0 > ve->max_duration + TOL)
            ADD(VRP_V_DURATION, r, -1, -1, t1 - t0 - ve->max_duration);
        double cost = ve->fixed_cost + ve->cost_per_dist * dist + ve->cost_per_time * (t1 - t0);
        c->cost += cost;
        c->distance += dist;
        c->n_routes_used++;
        if (routes) {
            routes[r].distance = dist;
            routes[r].duration = t1 - t0;
            routes[r].wait = wait;
            routes[r].cost = cost;
            routes[r].start = t0;
            routes[r].end = t1;
            memcpy(routes[r].load, load, sizeof load);
        }
    }
    for (int i = 0; i < s->n_unassigned; i++) {
        int j = s->unassigned[i];
        if (j < 0 || j >= in->n_jobs) {
            ADD(VRP_V_BAD_INDEX, -1, j, -1, 0);
            continue;
        }
        if (seen[j]++)
            ADD(VRP_V_JOB_TWICE, -1, j, -1, 0);
        c->cost += in->jobs[j].penalty;
    }
    for (int j = 0; j < in->n_jobs; j++)
        if (!seen[j])
            ADD(VRP_V_JOB_MISSING, -1, j, -1, 0);
#undef ADD
out:
    free(seen);
    free(vused);
    free(arr);
    free(beg);
    return rc;
}
