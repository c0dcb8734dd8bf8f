/* routing-model.c: orders, warehouses and vehicles -> VRP instance; search result -> a plan
 * that breaks no constraint, with a reason for every order left out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "routing-model.h"

const char *sco__rt_reason_name(enum rt_reason r)
{
    switch (r) {
    case RT_SERVED: return "served";
    case RT_RISK_HOLD: return "risk_hold";
    case RT_NO_LOCATION: return "no_location";
    case RT_NO_VEHICLE: return "no_vehicle";
    case RT_SKILL: return "skill";
    case RT_CAPACITY: return "capacity";
    case RT_TIME_WINDOW: return "time_window";
    case RT_SHIFT: return "shift_length";
    case RT_NOT_WORTH: return "not_worth";
    case RT_FLEET_FULL: return "fleet_full";
    case RT_BREAK: return "break";
    }
    return "?";
}

void sco__rt_order_windows(const struct rt_order *o, struct vrp_job *jb)
{
    double w[2][2];
    int n = 0;
    if (o->tw_open <= o->tw_close) {
        w[n][0] = o->tw_open;
        w[n++][1] = o->tw_close;
    }
    if (o->has_tw2 && o->tw2_open <= o->tw2_close) {
        w[n][0] = o->tw2_open;
        w[n++][1] = o->tw2_close;
    }
    if (n == 0 || sco__vrp_job_set_windows(jb, (const double(*)[2])w, n)) {
        jb->n_tw = 0; /* invalid first window kept as it is: nothing can meet it */
        jb->tw_open = o->tw_open;
        jb->tw_close = o->tw_close;
    }
}

double sco__rt_haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371.0088, k = M_PI / 180.0;
    double dlat = (lat2 - lat1) * k, dlon = (lon2 - lon1) * k;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * k) * cos(lat2 * k) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(a < 1 ? a : 1));
}

void sco__rt_plan_fini(struct rt_plan *plan)
{
    if (!plan)
        return;
    sco__vrp_instance_fini(&plan->in);
    sco__vrp_solution_fini(&plan->sol);
    free(plan->reason);
    free(plan->job_of_order);
    free(plan->order_of_job);
    memset(plan, 0, sizeof *plan);
}

int sco__rt_build(const struct rt_problem *pb, struct rt_plan *plan, struct sco_err *err)
{
    memset(plan, 0, sizeof *plan);
    int no = pb->n_orders, nw = pb->n_wh, nd = pb->n_dims;
    if (nw < 1 || nw > RT_MAX_WAREHOUSES || nd < 1 || nd > VRP_MAX_DIM || no < 0 ||
        pb->n_vehicles < 0)
        return sco_err_set(err, SCO_ERR_INVALID, "routing needs 1 to %d warehouses and 1 to %d "
                           "capacity dimensions", RT_MAX_WAREHOUSES, VRP_MAX_DIM);
    if (!pb->matrix_km && !(pb->speed_kmh > 0 && pb->road_factor > 0))
        return sco_err_set(err, SCO_ERR_CONFIG, "speed_kmh and road_factor must be positive");
    plan->n_orders = no;
    plan->reason = calloc((size_t)no + 1, sizeof *plan->reason);
    plan->job_of_order = malloc(((size_t)no + 1) * sizeof *plan->job_of_order);
    plan->order_of_job = malloc(((size_t)no + 1) * sizeof *plan->order_of_job);
    if (!plan->reason || !plan->job_of_order || !plan->order_of_job)
        goto nomem;
    const struct rt_vehicle *V = pb->vehicles;
    int n_jobs = 0;
    /* reasons that hold for an order alone (travel estimated like the instance does) */
    for (int i = 0; i < no; i++) {
        const struct rt_order *o = &pb->orders[i];
        plan->job_of_order[i] = -1;
        int r = RT_SERVED;
        if (o->hold)
            r = RT_RISK_HOLD;
        else if (o->no_location || o->wh < 0 || o->wh >= nw || !isfinite(o->lat) ||
                 !isfinite(o->lon))
            r = RT_NO_LOCATION;
        else {
            bool any_wh = false, any_skill = false, any_cap = false, any_tw = false,
                 any_ok = false;
            for (int v = 0; v < pb->n_vehicles && !any_ok; v++) {
                if (V[v].wh != o->wh)
                    continue;
                any_wh = true;
                if (o->skills & ~V[v].skills)
                    continue;
                any_skill = true;
                bool fits = true;
                for (int d = 0; d < nd; d++)
                    if (o->demand[d] > V[v].cap[d] + 1e-9)
                        fits = false;
                if (!fits)
                    continue;
                any_cap = true;
                int ew = V[v].end_wh >= 0 ? V[v].end_wh : V[v].wh;
                double t1, t2;
                if (pb->matrix_min) {
                    size_t nl = (size_t)nw + (size_t)no;
                    t1 = pb->matrix_min[(size_t)V[v].wh * nl + (size_t)(nw + i)];
                    t2 = pb->matrix_min[(size_t)(nw + i) * nl + (size_t)ew];
                } else if (pb->matrix_km) {
                    size_t nl = (size_t)nw + (size_t)no;
                    t1 = pb->matrix_km[(size_t)V[v].wh * nl + (size_t)(nw + i)] * 60 /
                         pb->speed_kmh;
                    t2 = pb->matrix_km[(size_t)(nw + i) * nl + (size_t)ew] * 60 / pb->speed_kmh;
                } else {
                    const struct rt_warehouse *a = &pb->wh[V[v].wh], *b = &pb->wh[ew];
                    t1 = sco__rt_haversine_km(a->lat, a->lon, o->lat, o->lon) *
                         pb->road_factor * 60 / pb->speed_kmh;
                    t2 = sco__rt_haversine_km(o->lat, o->lon, b->lat, b->lon) *
                         pb->road_factor * 60 / pb->speed_kmh;
                }
                struct vrp_job tj = { 0 };
                sco__rt_order_windows(o, &tj);
                double arr = V[v].shift_start + t1;
                double beg = vrp_job_start(&tj, arr, NULL);
                if (beg > tj.tw_close + 1e-9 || tj.tw_open > tj.tw_close)
                    continue;
                any_tw = true;
                if (beg + o->service + t2 > V[v].shift_end + 1e-9 ||
                    t1 + o->service + t2 > V[v].max_duration + 1e-9)
                    continue;
                any_ok = true;
            }
            if (!any_wh)
                r = RT_NO_VEHICLE;
            else if (!any_skill)
                r = RT_SKILL;
            else if (!any_cap)
                r = RT_CAPACITY;
            else if (!any_tw)
                r = RT_TIME_WINDOW;
            else if (!any_ok)
                r = RT_SHIFT;
        }
        plan->reason[i] = r;
        if (r == RT_SERVED || (pb->keep_all && r != RT_NO_LOCATION)) {
            plan->job_of_order[i] = n_jobs;
            plan->order_of_job[n_jobs++] = i;
        }
    }
    int nl = nw + no;
    int rc = sco__vrp_instance_alloc(&plan->in, n_jobs, pb->n_vehicles, nl, nd, err);
    if (rc) {
        sco__rt_plan_fini(plan);
        return rc;
    }
    struct vrp_instance *in = &plan->in;
    snprintf(in->name, sizeof in->name, "orders");
    for (int w = 0; w < nw; w++) {
        in->x[w] = pb->wh[w].lon;
        in->y[w] = pb->wh[w].lat;
    }
    for (int i = 0; i < no; i++) {
        in->x[nw + i] = isfinite(pb->orders[i].lon) ? pb->orders[i].lon : 0;
        in->y[nw + i] = isfinite(pb->orders[i].lat) ? pb->orders[i].lat : 0;
    }
    if (pb->matrix_km) {
        memcpy(in->dist, pb->matrix_km, (size_t)nl * (size_t)nl * sizeof *in->dist);
    } else {
        for (int a = 0; a < nl; a++)
            for (int b = 0; b < nl; b++)
                in->dist[(size_t)a * (size_t)nl + (size_t)b] =
                    a == b ? 0
                           : sco__rt_haversine_km(in->y[a], in->x[a], in->y[b], in->x[b]) *
                                 pb->road_factor;
    }
    if (pb->matrix_min) {
        in->time = malloc((size_t)nl * (size_t)nl * sizeof *in->time);
        if (!in->time)
            goto nomem;
        memcpy(in->time, pb->matrix_min, (size_t)nl * (size_t)nl * sizeof *in->time);
    } else {
        in->time_per_dist = 60.0 / pb->speed_kmh;
    }
    for (int v = 0; v < pb->n_vehicles; v++) {
        struct vrp_vehicle *ve = &in->vehicles[v];
        const struct rt_vehicle *rv = &V[v];
        int wh = rv->wh >= 0 && rv->wh < nw ? rv->wh : 0;
        int ew = rv->end_wh >= 0 && rv->end_wh < nw ? rv->end_wh : wh;
        ve->start_loc = wh;
        ve->end_loc = ew;
        for (int d = 0; d < nd; d++)
            ve->cap[d] = rv->cap[d];
        ve->shift_start = rv->shift_start;
        ve->shift_end = rv->shift_end;
        ve->fixed_cost = rv->fixed_cost;
        ve->cost_per_dist = rv->cost_per_km;
        ve->cost_per_time = rv->cost_per_hour / 60.0;
        ve->max_duration = rv->max_duration;
        if (rv->break_min > 0) {
            ve->break_start = rv->break_start;
            ve->break_end = rv->break_end;
            ve->break_dur = rv->break_min;
        }
        ve->skills = (rv->skills & ~0xffffffffULL) | (1ULL << wh);
    }
    for (int j = 0; j < n_jobs; j++) {
        const struct rt_order *o = &pb->orders[plan->order_of_job[j]];
        struct vrp_job *jb = &in->jobs[j];
        jb->loc = nw + plan->order_of_job[j];
        for (int d = 0; d < nd; d++)
            jb->demand[d] = o->demand[d];
        jb->service = o->service;
        sco__rt_order_windows(o, jb);
        jb->skills = (o->skills & ~0xffffffffULL) | (1ULL << o->wh);
        jb->priority = o->priority;
        jb->penalty = o->penalty;
    }
    return 0;
nomem:
    sco__rt_plan_fini(plan);
    return sco_err_set(err, SCO_ERR_NOMEM, "out of memory building the routing model");
}

/* ---- making the plan feasible ---------------------------------------------------------------- */

struct vroute {
    int n, cap;
    int *j;
};

/* Cost of a route and its total violation (0 = feasible); times by the checker's rules. */
static double route_eval(const struct vrp_instance *in, int v, const int *jobs, int n,
                         double *viol, double *scratch)
{
    const struct vrp_vehicle *ve = &in->vehicles[v];
    if (n == 0) {
        *viol = 0;
        return 0;
    }
    double load[VRP_MAX_DIM] = { 0 }, dist = 0, bad = 0;
    int at = ve->start_loc;
    for (int i = 0; i < n; i++) {
        const struct vrp_job *jb = &in->jobs[jobs[i]];
        for (int d = 0; d < in->n_dims; d++)
            load[d] += jb->demand[d];
        if (jb->skills & ~ve->skills)
            bad += 1e6;
        dist += vrp_dist(in, at, jb->loc);
        at = jb->loc;
    }
    dist += vrp_dist(in, at, ve->end_loc);
    for (int d = 0; d < in->n_dims; d++)
        if (load[d] > ve->cap[d] + 1e-9)
            bad += (load[d] - ve->cap[d]) / (ve->cap[d] > 0 ? ve->cap[d] : 1) * 1000;
    double t0, t1, bstart;
    int bpos;
    sco__vrp_route_schedule_break(in, v, jobs, n, NULL, scratch, NULL, &t0, &t1, &bpos,
                                  &bstart);
    for (int i = 0; i < n; i++) {
        double late = scratch[i] - in->jobs[jobs[i]].tw_close;
        if (late > 1e-6)
            bad += late;
    }
    if (bpos >= 0 && bstart > ve->break_end + 1e-6)
        bad += bstart - ve->break_end;
    if (t1 > ve->shift_end + 1e-6)
        bad += t1 - ve->shift_end;
    if (t1 - t0 > ve->max_duration + 1e-6)
        bad += t1 - t0 - ve->max_duration;
    *viol = bad;
    return ve->fixed_cost + ve->cost_per_dist * dist + ve->cost_per_time * (t1 - t0);
}

static int vr_insert(struct vroute *r, int pos, int job)
{
    if (r->n + 1 > r->cap) {
        int nc = r->cap ? r->cap * 2 : 8;
        int *p = realloc(r->j, (size_t)nc * sizeof *p);
        if (!p)
            return SCO_ERR_NOMEM;
        r->j = p;
        r->cap = nc;
    }
    memmove(r->j + pos + 1, r->j + pos, (size_t)(r->n - pos) * sizeof *r->j);
    r->j[pos] = job;
    r->n++;
    return 0;
}

static void vr_remove(struct vroute *r, int pos)
{
    memmove(r->j + pos, r->j + pos + 1, (size_t)(r->n - pos - 1) * sizeof *r->j);
    r->n--;
}

/* Reason for taking a job out of a route that breaks a constraint. */
static int violation_reason(const struct vrp_instance *in, int v, const int *jobs, int n,
                            int job, double *scratch)
{
    const struct vrp_vehicle *ve = &in->vehicles[v];
    if (in->jobs[job].skills & ~ve->skills)
        return RT_SKILL;
    double load[VRP_MAX_DIM] = { 0 };
    for (int i = 0; i < n; i++)
        for (int d = 0; d < in->n_dims; d++)
            load[d] += in->jobs[jobs[i]].demand[d];
    for (int d = 0; d < in->n_dims; d++)
        if (load[d] > ve->cap[d] + 1e-9)
            return RT_CAPACITY;
    if (ve->break_dur > 0) {
        /* the same route without the driver break: when it breaks nothing, the break is why */
        struct vrp_instance nb = *in;
        struct vrp_vehicle vb = *ve;
        vb.break_dur = 0;
        nb.vehicles = &vb;
        nb.n_vehicles = 1;
        double t0, t1;
        sco__vrp_route_schedule(&nb, 0, jobs, n, NULL, scratch, NULL, &t0, &t1);
        bool ok = t1 <= ve->shift_end + 1e-6 && t1 - t0 <= ve->max_duration + 1e-6;
        for (int i = 0; i < n && ok; i++)
            if (scratch[i] > in->jobs[jobs[i]].tw_close + 1e-6)
                ok = false;
        if (ok)
            return RT_BREAK;
    }
    double t0, t1;
    sco__vrp_route_schedule(in, v, jobs, n, NULL, scratch, NULL, &t0, &t1);
    for (int i = 0; i < n; i++)
        if (scratch[i] > in->jobs[jobs[i]].tw_close + 1e-6)
            return RT_TIME_WINDOW;
    return RT_SHIFT;
}

int sco__rt_solve(struct rt_plan *plan, const struct vrp_params *p, struct sco_err *err)
{
    struct vrp_instance *in = &plan->in;
    int nj = in->n_jobs, nv = in->n_vehicles;
    struct vrp_solution sol = { 0 };
    int rc = 0;
    struct vroute *R = calloc((size_t)nv + 1, sizeof *R);
    int *jreason = calloc((size_t)nj + 1, sizeof *jreason);
    int *out = malloc(((size_t)nj + 1) * sizeof *out);
    double *scratch = malloc(((size_t)nj + 2) * sizeof *scratch);
    if (!R || !jreason || !out || !scratch) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (nj > 0 && nv > 0) {
        rc = sco__vrp_solve(in, p, &sol, &plan->res, err);
        if (rc)
            goto done;
        for (int r = 0; r < sol.n_routes; r++)
            for (int q = sol.off[r]; q < sol.off[r + 1]; q++)
                if ((rc = vr_insert(&R[sol.veh[r]], R[sol.veh[r]].n, sol.jobs[q])))
                    goto nomem;
    } else {
        for (int j = 0; j < nj; j++)
            jreason[j] = RT_NO_VEHICLE;
    }
    /* A: take jobs out of routes that break a constraint, least harmful plan first */
    int n_out = 0;
    for (int v = 0; v < nv; v++) {
        struct vroute *r = &R[v];
        double viol;
        route_eval(in, v, r->j, r->n, &viol, scratch);
        while (viol > 0 && r->n > 0) {
            int best = -1;
            double bv = 1e300;
            int bprio = 0;
            for (int i = 0; i < r->n; i++) {
                int job = r->j[i];
                vr_remove(r, i);
                double vi;
                route_eval(in, v, r->j, r->n, &vi, scratch);
                vr_insert(r, i, job); /* capacity is there: no failure */
                int pr = in->jobs[job].priority;
                if (vi < bv - 1e-9 || (fabs(vi - bv) <= 1e-9 && pr < bprio)) {
                    bv = vi;
                    best = i;
                    bprio = pr;
                }
            }
            int job = r->j[best];
            jreason[job] = violation_reason(in, v, r->j, r->n, job, scratch);
            out[n_out++] = job;
            vr_remove(r, best);
            viol = bv;
        }
    }
    /* B: put them back where they fit, highest priority first */
    for (int a = 1; a < n_out; a++) {
        int x = out[a], b = a - 1;
        while (b >= 0 && in->jobs[out[b]].priority < in->jobs[x].priority) {
            out[b + 1] = out[b];
            b--;
        }
        out[b + 1] = x;
    }
    for (int k = 0; k < n_out; k++) {
        int job = out[k], bv_ = -1, bp = -1;
        double bd = 1e300;
        for (int v = 0; v < nv; v++) {
            if (in->jobs[job].skills & ~in->vehicles[v].skills)
                continue;
            double vi, c0 = route_eval(in, v, R[v].j, R[v].n, &vi, scratch);
            for (int pos = 0; pos <= R[v].n; pos++) {
                if ((rc = vr_insert(&R[v], pos, job)))
                    goto nomem;
                double c1 = route_eval(in, v, R[v].j, R[v].n, &vi, scratch);
                vr_remove(&R[v], pos);
                if (vi <= 0 && c1 - c0 < bd) {
                    bd = c1 - c0;
                    bv_ = v;
                    bp = pos;
                }
            }
        }
        if (bv_ >= 0 && bd < in->jobs[job].penalty) {
            if ((rc = vr_insert(&R[bv_], bp, job)))
                goto nomem;
            jreason[job] = RT_SERVED;
        }
    }
    /* C: drop orders that cost more to serve than to leave (their penalty) */
    for (;;) {
        double best_gain = 1e-9;
        int bv_ = -1, bi = -1;
        for (int v = 0; v < nv; v++) {
            struct vroute *r = &R[v];
            if (!r->n)
                continue;
            double vi, c0 = route_eval(in, v, r->j, r->n, &vi, scratch);
            for (int i = 0; i < r->n; i++) {
                int job = r->j[i];
                vr_remove(r, i);
                double v2, c1 = route_eval(in, v, r->j, r->n, &v2, scratch);
                vr_insert(r, i, job);
                double gain = c0 - c1 - in->jobs[job].penalty;
                if (v2 <= 0 && gain > best_gain) {
                    best_gain = gain;
                    bv_ = v;
                    bi = i;
                }
            }
        }
        if (bv_ < 0)
            break;
        jreason[R[bv_].j[bi]] = RT_NOT_WORTH;
        vr_remove(&R[bv_], bi);
    }
    /* the final plan */
    sco__vrp_solution_fini(&plan->sol);
    struct vrp_solution *s = &plan->sol;
    s->veh = malloc(((size_t)nv + 1) * sizeof *s->veh);
    s->off = malloc(((size_t)nv + 2) * sizeof *s->off);
    s->jobs = malloc(((size_t)nj + 1) * sizeof *s->jobs);
    s->unassigned = malloc(((size_t)nj + 1) * sizeof *s->unassigned);
    if (!s->veh || !s->off || !s->jobs || !s->unassigned)
        goto nomem;
    int k = 0;
    s->off[0] = 0;
    for (int v = 0; v < nv; v++) {
        if (!R[v].n)
            continue;
        s->veh[s->n_routes] = v;
        for (int i = 0; i < R[v].n; i++) {
            s->jobs[k++] = R[v].j[i];
            jreason[R[v].j[i]] = RT_SERVED;
        }
        s->off[++s->n_routes] = k;
    }
    bool *served = calloc((size_t)nj + 1, sizeof *served);
    if (!served)
        goto nomem;
    for (int q = 0; q < k; q++)
        served[s->jobs[q]] = true;
    for (int j = 0; j < nj; j++)
        if (!served[j]) {
            s->unassigned[s->n_unassigned++] = j;
            plan->reason[plan->order_of_job[j]] =
                jreason[j] != RT_SERVED ? jreason[j] : RT_FLEET_FULL;
        }
    free(served);
    goto done;
nomem:
    rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
done:
    if (R)
        for (int v = 0; v < nv; v++)
            free(R[v].j);
    free(R);
    free(jreason);
    free(out);
    free(scratch);
    sco__vrp_solution_fini(&sol);
    return rc;
}
