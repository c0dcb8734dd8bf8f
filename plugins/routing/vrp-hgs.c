/* vrp-hgs.c: hybrid genetic search for routing with capacities and time windows.
 *
 * The design follows Vidal's HGS-CVRP (Vidal 2022, "Hybrid genetic search for the CVRP:
 * open-source implementation and SWAP* neighborhood") and its time-window version (Vidal et
 * al. 2013): giant-tour chromosomes cut into routes by Split, a granular local search
 * (relocate, swap, 2-opt, 2-opt*, SWAP*), infeasible solutions kept with adaptive penalties
 * for excess load and time warp, and a population of feasible and infeasible individuals
 * ranked by a fitness biased by diversity (broken-pairs distance). Time windows are evaluated
 * in O(1) per inter-route move by concatenating forward (prefix) and backward (suffix) segment
 * data: duration, time warp, earliest and latest start (Vidal et al. 2013, "A unified solution
 * framework for multi-attribute vehicle routing problems").
 *
 * Routes with good cost found during the search go into a pool; a set-partitioning MIP over the
 * pool (vrp-sp.c, GLPK) recombines them at fixed points of the budget.
 *
 * This file: split, individuals and population, the route pool, setup, the generations (one
 * offspring, or one per thread bred in parallel with pthreads) and the main loop. The local
 * search is in vrp-hgs-ls.c; the state both share in vrp-hgs.h. */
#include <pthread.h>

#include "vrp-hgs.h"

/* ---- split ------------------------------------------------------------------------------ */

/* Loads the routes chosen by Split (or any list) into the local search state. */
static int load_routes(struct hgs *h, const int *veh_of_route, const int *off, const int *jobs,
                       int nr)
{
    for (int r = 0; r < h->nv; r++)
        h->r[r].len = 0;
    for (int k = 0; k < nr; k++) {
        int r = veh_of_route[k]; /* route index == search vehicle index */
        if (sco__hgs_route_reserve(&h->r[r], off[k + 1] - off[k]))
            return SCO_ERR_NOMEM;
        memcpy(h->r[r].nodes + 1, jobs + off[k], (size_t)(off[k + 1] - off[k]) * sizeof *jobs);
        h->r[r].len = off[k + 1] - off[k];
    }
    for (int r = 0; r < h->nv; r++)
        sco__hgs_route_update(h, r);
    return 0;
}

static double split_cost(const struct hgs *h, int v, const struct seg *s)
{
    struct seg f;
    seg_merge(h, s, &h->dend[v], &f);
    return route_cost(h, v, &f, NULL);
}

static bool over_limit(const struct hgs *h, int v, const struct seg *s)
{
    const struct vrp_vehicle *ve = &h->in->vehicles[v];
    for (int d = 0; d < h->nd; d++)
        if (ve->cap[d] < VRP_INF && s->load[d] > 1.5 * ve->cap[d])
            return true;
    return false;
}

/* Split (Prins 2004; Vidal 2016's notation): the best cut of the giant tour into routes. */
static int split(struct hgs *h, const int *tour)
{
    int n = h->n, nv = h->nv;
    int maxlen = n;
    double *pot = h->pot;
    int *pred = h->pred;
    int *rv = malloc(((size_t)nv + 1) * sizeof *rv), *off = malloc(((size_t)nv + 2) * sizeof *off);
    if (!rv || !off) {
        free(rv);
        free(off);
        return SCO_ERR_NOMEM;
    }
    int nr = 0;
    bool done = false;
    if (h->homogeneous) {
        /* unlimited fleet Bellman split, O(n B) */
        for (int i = 0; i <= n; i++)
            pot[i] = 1e300;
        pot[0] = 0;
        for (int i = 0; i < n; i++) {
            if (pot[i] >= 1e299)
                continue;
            struct seg s = h->dstart[0];
            for (int j = i; j < n && j - i < maxlen; j++) {
                seg_merge(h, &s, &h->jseg[tour[j]], &s);
                if (j > i && over_limit(h, 0, &s))
                    break;
                double c = pot[i] + split_cost(h, 0, &s);
                if (c < pot[j + 1]) {
                    pot[j + 1] = c;
                    pred[j + 1] = i;
                }
            }
        }
        int cnt = 0;
        for (int j = n; j > 0; j = pred[j])
            cnt++;
        if (cnt <= nv) {
            int k = cnt;
            off[cnt] = n;
            for (int j = n; j > 0; j = pred[j]) {
                off[--k] = pred[j];
            }
            for (k = 0; k < cnt; k++)
                rv[k] = k;
            nr = cnt;
            done = true;
        }
    }
    if (!done) {
        /* limited or mixed fleet: vehicle k takes a (possibly empty) next stretch */
        if (!h->homogeneous) {
            int avg = (n + nv - 1) / nv;
            maxlen = 3 * avg + 20;
        }
        size_t w = (size_t)n + 1;
        for (size_t i = 0; i < w; i++)
            pot[i] = 1e300;
        pot[0] = 0;
        for (int k = 0; k < nv; k++) {
            double *P = pot + (size_t)k * w, *Q = P + w;
            int *R = pred + (size_t)(k + 1) * w;
            for (int j = 0; j <= n; j++) {
                Q[j] = P[j];
                R[j] = j;
            }
            uint64_t vskills = h->in->vehicles[k].skills;
            for (int i = 0; i < n; i++) {
                if (P[i] >= 1e299)
                    continue;
                struct seg s = h->dstart[k];
                for (int j = i; j < n && j - i < maxlen; j++) {
                    seg_merge(h, &s, &h->jseg[tour[j]], &s);
                    /* beyond one job, stop at 1.5 x capacity or at a job the vehicle lacks a
                     * skill for (another warehouse's order: the stretch can only get worse) */
                    if (j > i && (over_limit(h, k, &s) || (s.skills & ~vskills)))
                        break;
                    double c = P[i] + split_cost(h, k, &s);
                    if (c < Q[j + 1]) {
                        Q[j + 1] = c;
                        R[j + 1] = i;
                    }
                }
            }
        }
        double *last = pot + (size_t)nv * w;
        if (last[n] >= 1e299) {
            /* no cut within the limits: put the tail on the last vehicle */
            int per = (n + nv - 1) / nv;
            nr = 0;
            for (int k = 0; k < nv && k * per < n; k++) {
                off[nr] = k * per;
                rv[nr++] = k;
            }
            off[nr] = n;
        } else {
            int j = n;
            int cnt = 0;
            for (int k = nv; k > 0; k--) {
                int i = pred[(size_t)k * w + (size_t)j];
                if (i < j) {
                    rv[cnt] = k - 1;
                    off[cnt] = i; /* temporarily: start */
                    cnt++;
                }
                j = i;
            }
            /* reverse to tour order */
            for (int a = 0, b = cnt - 1; a < b; a++, b--) {
                int t = rv[a];
                rv[a] = rv[b];
                rv[b] = t;
                t = off[a];
                off[a] = off[b];
                off[b] = t;
            }
            off[cnt] = n;
            nr = cnt;
        }
    }
    int rc = load_routes(h, rv, off, tour, nr);
    free(rv);
    free(off);
    return rc;
}

/* ---- individuals ------------------------------------------------------------------------ */

static double broken_pairs(const struct hgs *h, const struct indiv *a, const struct indiv *b)
{
    int diff = 0;
    for (int j = 0; j < h->n; j++) {
        if (a->succ[j] != b->succ[j] && a->succ[j] != b->pred[j])
            diff++;
        if (a->pred[j] == -1 && b->pred[j] != -1 && b->succ[j] != -1)
            diff++;
    }
    return (double)diff / h->n;
}

/* Copies the local search state into individual `x`. */
static void export_ls(struct hgs *h, struct indiv *x)
{
    int nr = 0, k = 0;
    x->base = x->exl = x->extw = x->exsk = 0;
    x->roff[0] = 0;
    for (int r = 0; r < h->nv; r++) {
        const struct lroute *R = &h->r[r];
        if (!R->len)
            continue;
        struct seg f;
        struct parts pt;
        f = R->full;
        route_cost(h, R->veh, &f, &pt);
        x->base += pt.base;
        x->exl += pt.exl;
        x->extw += pt.extw;
        x->exsk += pt.exsk;
        for (int i = 1; i <= R->len; i++) {
            int j = R->nodes[i];
            x->rjobs[k] = j;
            x->tour[k] = j;
            x->pred[j] = i > 1 ? R->nodes[i - 1] : -1;
            x->succ[j] = i < R->len ? R->nodes[i + 1] : -1;
            k++;
        }
        x->rveh[nr] = r;
        x->rbase[nr] = pt.base;
        x->roff[++nr] = k;
    }
    x->nr = nr;
    x->feasible = x->exl < 1e-9 && x->extw < 1e-9 && x->exsk < 0.5;
    x->pcost = x->base + h->pen_load * x->exl + h->pen_tw * x->extw + h->pen_skill * x->exsk;
}

static void indiv_to_solution(const struct hgs *h, const struct indiv *x, struct vrp_solution *s)
{
    s->n_routes = x->nr;
    for (int r = 0; r < x->nr; r++) {
        s->veh[r] = h->r[x->rveh[r]].veh;
        s->off[r] = x->roff[r];
    }
    s->off[x->nr] = x->roff[x->nr];
    memcpy(s->jobs, x->rjobs, (size_t)h->n * sizeof *s->jobs);
    s->n_unassigned = 0;
}

static void update_biased(struct hgs *h, struct indiv **pop, int sz)
{
    if (sz == 0)
        return;
    if (sz == 1) {
        pop[0]->biased = 0;
        return;
    }
    /* rank by cost (ties by slot for determinism) */
    for (int i = 1; i < sz; i++) {
        struct indiv *t = pop[i];
        int j = i - 1;
        while (j >= 0 && (pop[j]->pcost > t->pcost + 1e-12 ||
                          (fabs(pop[j]->pcost - t->pcost) <= 1e-12 && pop[j]->slot > t->slot))) {
            pop[j + 1] = pop[j];
            j--;
        }
        pop[j + 1] = t;
    }
    double div[256];
    int nc = h->p.n_close;
    for (int i = 0; i < sz; i++) {
        double close[16];
        int m = 0;
        for (int j = 0; j < sz; j++) {
            if (j == i)
                continue;
            double d = h->bpd[(size_t)pop[i]->slot * (size_t)h->maxp + (size_t)pop[j]->slot];
            if (m < nc) {
                int q = m++;
                while (q > 0 && close[q - 1] > d) {
                    close[q] = close[q - 1];
                    q--;
                }
                close[q] = d;
            } else if (d < close[m - 1]) {
                int q = m - 1;
                while (q > 0 && close[q - 1] > d) {
                    close[q] = close[q - 1];
                    q--;
                }
                close[q] = d;
            }
        }
        double s = 0;
        for (int q = 0; q < m; q++)
            s += close[q];
        div[i] = m ? s / m : 0;
    }
    /* diversity rank: more diverse = better (lower) rank */
    int idx[256];
    for (int i = 0; i < sz; i++)
        idx[i] = i;
    for (int i = 1; i < sz; i++) {
        int t = idx[i], j = i - 1;
        while (j >= 0 && div[idx[j]] < div[t]) {
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = t;
    }
    double el = 1.0 - (double)h->p.n_elite / sz;
    if (el < 0)
        el = 0;
    for (int rank = 0; rank < sz; rank++) {
        int i = idx[rank];
        double dr = (double)rank / (sz - 1);
        double fr = (double)i / (sz - 1);
        pop[i]->biased = fr + el * dr;
    }
}

static struct indiv *slot_take(struct hgs *h)
{
    if (h->n_free == 0)
        return NULL;
    return &h->ind[h->free_slots[--h->n_free]];
}

static void slot_give(struct hgs *h, struct indiv *x) { h->free_slots[h->n_free++] = x->slot; }

static void remove_worst(struct hgs *h, struct indiv **pop, int *sz)
{
    update_biased(h, pop, *sz);
    int worst = -1;
    bool worst_clone = false;
    double wf = -1;
    for (int i = 1; i < *sz; i++) { /* the best (index 0) is never removed */
        bool clone = false;
        for (int j = 0; j < *sz; j++)
            if (j != i &&
                h->bpd[(size_t)pop[i]->slot * (size_t)h->maxp + (size_t)pop[j]->slot] < 1e-9) {
                clone = true;
                break;
            }
        if ((clone && !worst_clone) || (clone == worst_clone && pop[i]->biased > wf)) {
            worst = i;
            worst_clone = clone;
            wf = pop[i]->biased;
        }
    }
    if (worst < 0)
        return;
    slot_give(h, pop[worst]);
    pop[worst] = pop[--(*sz)];
}

static void record_best(struct hgs *h, const struct indiv *x)
{
    bool better;
    if (x->feasible)
        better = !h->best_feasible || x->base < h->best_cost - EPS;
    else
        better = !h->best_feasible && x->pcost < h->best_pcost - EPS;
    if (!better)
        return;
    indiv_to_solution(h, x, &h->best);
    h->best_feasible = x->feasible;
    h->best_cost = x->base;
    h->best_pcost = x->pcost;
}

static void pool_add(struct hgs *h, const struct indiv *x);

/* Inserts individual x (a slot taken from h, filled) into its subpopulation; returns true
 * when it is a new best. */
static bool insert_indiv(struct hgs *h, struct indiv *x)
{
    struct indiv **pop;
    int *sz;
    bool was = h->best_feasible;
    double old = h->best_cost;
    record_best(h, x);
    bool improved = x->feasible && (!was || x->base < old - EPS);
    if (x->feasible && h->p.use_sp)
        pool_add(h, x);
    if (x->feasible) {
        pop = h->feas;
        sz = &h->n_feas;
    } else {
        pop = h->infeas;
        sz = &h->n_infeas;
    }
    for (int i = 0; i < *sz; i++) {
        double d = broken_pairs(h, x, pop[i]);
        h->bpd[(size_t)x->slot * (size_t)h->maxp + (size_t)pop[i]->slot] = d;
        h->bpd[(size_t)pop[i]->slot * (size_t)h->maxp + (size_t)x->slot] = d;
    }
    pop[(*sz)++] = x;
    if (*sz >= h->p.mu + h->p.lambda)
        while (*sz > h->p.mu)
            remove_worst(h, pop, sz);
    return improved;
}

/* Adds the local search state as an individual; returns true when it is a new best. */
static bool add_individual(struct hgs *h)
{
    struct indiv *x = slot_take(h);
    if (!x)
        return false;
    export_ls(h, x);
    return insert_indiv(h, x);
}

static struct indiv *tournament(struct hgs *h)
{
    int tot = h->n_feas + h->n_infeas;
    int a = rnd_int(h, tot), b = rnd_int(h, tot);
    struct indiv *x = a < h->n_feas ? h->feas[a] : h->infeas[a - h->n_feas];
    struct indiv *y = b < h->n_feas ? h->feas[b] : h->infeas[b - h->n_feas];
    return x->biased < y->biased ? x : y;
}

static void crossover_ox(struct hgs *h, const int *p1, const int *p2, int *child)
{
    int n = h->n;
    unsigned char *taken = (unsigned char *)h->buf_b; /* n bytes fit in n+2 ints */
    memset(taken, 0, (size_t)n);
    int start = rnd_int(h, n), end = rnd_int(h, n);
    while (end == start && n > 1)
        end = rnd_int(h, n);
    int i = start;
    while (i % n != (end + 1) % n) {
        child[i % n] = p1[i % n];
        taken[p1[i % n]] = 1;
        i++;
    }
    int pos = (end + 1) % n;
    for (int k = 1; k <= n; k++) {
        int t = p2[(end + k) % n];
        if (!taken[t]) {
            child[pos] = t;
            pos = (pos + 1) % n;
        }
    }
}

/* ---- route pool and set partitioning ------------------------------------------------------ */

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void pool_add_route(struct hgs *h, int cls, const int *jobs, int len, double cost)
{
    struct pool *P = &h->pool;
    if (P->n >= 60000)
        return;
    uint64_t key = mix((uint64_t)cls + 77);
    for (int i = 0; i < len; i++)
        key += mix((uint64_t)jobs[i] + 1); /* order-free: the set of jobs */
    if (P->hcap == 0 || 2 * (P->n + 1) > P->hcap) {
        int nc = P->hcap ? P->hcap * 2 : 4096;
        int *nh = malloc((size_t)nc * sizeof *nh);
        if (!nh)
            return;
        for (int i = 0; i < nc; i++)
            nh[i] = -1;
        for (int c = 0; c < P->n; c++) {
            size_t q = P->key[c] & (size_t)(nc - 1);
            while (nh[q] >= 0)
                q = (q + 1) & (size_t)(nc - 1);
            nh[q] = c;
        }
        free(P->hash);
        P->hash = nh;
        P->hcap = nc;
    }
    size_t q = key & (size_t)(P->hcap - 1);
    while (P->hash[q] >= 0) {
        int c = P->hash[q];
        if (P->key[c] == key && P->cls[c] == cls && P->off[c + 1] - P->off[c] == len) {
            if (cost < P->cost[c] - EPS) {
                memcpy(P->jobs + P->off[c], jobs, (size_t)len * sizeof *jobs);
                P->cost[c] = cost;
            }
            return;
        }
        q = (q + 1) & (size_t)(P->hcap - 1);
    }
    if (P->n + 1 >= P->cap) {
        int nc = P->cap ? P->cap * 2 : 1024;
        int *no = realloc(P->off, ((size_t)nc + 1) * sizeof *no);
        if (!no)
            return;
        P->off = no;
        int *ncl = realloc(P->cls, (size_t)nc * sizeof *ncl);
        if (!ncl)
            return;
        P->cls = ncl;
        double *nco = realloc(P->cost, (size_t)nc * sizeof *nco);
        if (!nco)
            return;
        P->cost = nco;
        uint64_t *nk = realloc(P->key, (size_t)nc * sizeof *nk);
        if (!nk)
            return;
        P->key = nk;
        P->cap = nc;
    }
    if (P->njobs + len > P->njobs_cap) {
        int nc = P->njobs_cap ? P->njobs_cap * 2 : 8192;
        while (nc < P->njobs + len)
            nc *= 2;
        int *nj = realloc(P->jobs, (size_t)nc * sizeof *nj);
        if (!nj)
            return;
        P->jobs = nj;
        P->njobs_cap = nc;
    }
    if (P->n == 0)
        P->off[0] = 0;
    memcpy(P->jobs + P->njobs, jobs, (size_t)len * sizeof *jobs);
    P->njobs += len;
    P->cls[P->n] = cls;
    P->cost[P->n] = cost;
    P->key[P->n] = key;
    P->hash[q] = P->n;
    P->n++;
    P->off[P->n] = P->njobs;
}

static void pool_add(struct hgs *h, const struct indiv *x)
{
    if (h->best_feasible && x->base > h->best_cost * 1.03)
        return;
    for (int r = 0; r < x->nr; r++)
        pool_add_route(h, h->vclass[x->rveh[r]], x->rjobs + x->roff[r],
                       x->roff[r + 1] - x->roff[r], x->rbase[r]);
}

/* Solves the set-partitioning MIP over the pool; on a better plan, loads it into the local
 * search state and returns true. */
static bool pool_solve(struct hgs *h, double cpu_deadline)
{
    struct pool *P = &h->pool;
    if (P->n == 0 || !h->best_feasible)
        return false;
    int *chosen = malloc((size_t)h->n * sizeof *chosen);
    unsigned char *inc = calloc((size_t)P->n, 1);
    if (!chosen || !inc) {
        free(chosen);
        free(inc);
        return false;
    }
    /* the best solution's routes are in the pool (added when found): mark them */
    const struct vrp_solution *b = &h->best;
    bool have_inc = true;
    for (int r = 0; r < b->n_routes && have_inc; r++) {
        int len = b->off[r + 1] - b->off[r];
        const int *jobs = b->jobs + b->off[r];
        uint64_t key = mix((uint64_t)h->vclass[b->veh[r]] + 77);
        for (int i = 0; i < len; i++)
            key += mix((uint64_t)jobs[i] + 1);
        size_t q = key & (size_t)(P->hcap - 1);
        int found = -1;
        while (P->hash[q] >= 0) {
            int c = P->hash[q];
            if (P->key[c] == key && P->cls[c] == h->vclass[b->veh[r]] &&
                P->off[c + 1] - P->off[c] == len) {
                found = c;
                break;
            }
            q = (q + 1) & (size_t)(P->hcap - 1);
        }
        if (found < 0)
            have_inc = false;
        else
            inc[found] = 1;
    }
    struct vrp_pool_view pv = { P->n, h->n, h->n_classes, P->off, P->jobs, P->cls, P->cost,
                                h->class_count, 2000, h->p.wall_clock };
    int nch = 0;
    double obj = 0;
    struct sco_err err = { 0 };
    bool better = false;
    int rc = sco__vrp_set_partition(&pv, have_inc ? inc : NULL, cpu_deadline, chosen, &nch, &obj,
                                    &err);
    if (rc == 0 && obj < h->best_cost - 1e-6) {
        /* assign each chosen column to a free search vehicle of its class */
        int *rv = malloc(((size_t)nch + 1) * sizeof *rv), *off = malloc(((size_t)nch + 2) *
                                                                         sizeof *off);
        int *jobs = malloc((size_t)h->n * sizeof *jobs);
        unsigned char *used = calloc((size_t)h->nv, 1);
        if (rv && off && jobs && used) {
            int k = 0;
            bool ok = true;
            off[0] = 0;
            for (int c = 0; c < nch && ok; c++) {
                int col = chosen[c], v = -1;
                for (int r = 0; r < h->nv; r++)
                    if (!used[r] && h->vclass[h->r[r].veh] == P->cls[col]) {
                        v = r;
                        break;
                    }
                if (v < 0) {
                    ok = false;
                    break;
                }
                used[v] = 1;
                rv[c] = v;
                for (int q = P->off[col]; q < P->off[col + 1]; q++)
                    jobs[k++] = P->jobs[q];
                off[c + 1] = k;
            }
            if (ok && k == h->n && load_routes(h, rv, off, jobs, nch) == 0)
                better = true;
        }
        free(rv);
        free(off);
        free(jobs);
        free(used);
    }
    free(chosen);
    free(inc);
    return better;
}

/* ---- setup -------------------------------------------------------------------------------- */

void sco__vrp_params_default(struct vrp_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 1;
    p->seconds = 0;
    p->iterations = 20000;
    p->mu = 25;
    p->lambda = 40;
    p->n_elite = 4;
    p->n_close = 5;
    p->granular = 20;
    p->target_feasible = 0.2;
    p->use_sp = true;
}

static bool same_vehicle(const struct vrp_vehicle *a, const struct vrp_vehicle *b, int nd)
{
    if (a->start_loc != b->start_loc || a->end_loc != b->end_loc ||
        a->shift_start != b->shift_start || a->shift_end != b->shift_end ||
        a->fixed_cost != b->fixed_cost || a->cost_per_dist != b->cost_per_dist ||
        a->cost_per_time != b->cost_per_time || a->max_duration != b->max_duration ||
        a->skills != b->skills || a->break_start != b->break_start ||
        a->break_end != b->break_end || a->break_dur != b->break_dur)
        return false;
    for (int d = 0; d < nd; d++)
        if (a->cap[d] != b->cap[d])
            return false;
    return true;
}

/* The local search state owned by the main search and by each worker: routes, positions,
 * move bookkeeping and the Split arrays. */
static void search_state_free(struct hgs *h)
{
    if (h->r)
        for (int r = 0; r < h->nv; r++) {
            free(h->r[r].nodes);
            free(h->r[r].pre);
            free(h->r[r].suf);
            free(h->r[r].locs);
        }
    free(h->r);
    free(h->job_route);
    free(h->job_pos);
    free(h->order);
    free(h->when_tested);
    free(h->buf_a);
    free(h->buf_b);
    free(h->pot);
    free(h->pred);
}

static void hgs_free(struct hgs *h)
{
    free(h->neigh);
    free(h->neigh0);
    free(h->kdist);
    free(h->jseg);
    free(h->multi);
    free(h->vbrk);
    free(h->dstart);
    free(h->dend);
    free(h->vclass);
    free(h->class_count);
    free(h->class_rep);
    free(h->angle);
    search_state_free(h);
    if (h->ind)
        for (int i = 0; i < h->maxp; i++) {
            free(h->ind[i].tour);
            free(h->ind[i].succ);
            free(h->ind[i].pred);
            free(h->ind[i].rveh);
            free(h->ind[i].roff);
            free(h->ind[i].rjobs);
            free(h->ind[i].rbase);
        }
    free(h->ind);
    free(h->free_slots);
    free(h->feas);
    free(h->infeas);
    free(h->bpd);
    free(h->pool.off);
    free(h->pool.jobs);
    free(h->pool.cls);
    free(h->pool.cost);
    free(h->pool.key);
    free(h->pool.hash);
    sco__vrp_solution_fini(&h->best);
}

static int hgs_setup(struct hgs *h, const struct vrp_instance *in, const struct vrp_params *p)
{
    int n = in->n_jobs;
    h->in = in;
    h->p = *p;
    h->n = n;
    h->nd = in->n_dims;
    h->rng = p->seed * 0x2545F4914F6CDD1DULL + 12345;
    /* vehicle classes */
    h->vclass = calloc((size_t)in->n_vehicles + 1, sizeof *h->vclass);
    h->class_count = calloc((size_t)in->n_vehicles + 1, sizeof *h->class_count);
    h->class_rep = calloc((size_t)in->n_vehicles + 1, sizeof *h->class_rep);
    if (!h->vclass || !h->class_count || !h->class_rep)
        return SCO_ERR_NOMEM;
    for (int v = 0; v < in->n_vehicles; v++) {
        int c;
        for (c = 0; c < h->n_classes; c++)
            if (same_vehicle(&in->vehicles[h->class_rep[c]], &in->vehicles[v], h->nd))
                break;
        if (c == h->n_classes) {
            h->class_rep[c] = v;
            h->n_classes++;
        }
        h->vclass[v] = c;
        h->class_count[c]++;
    }
    h->homogeneous = h->n_classes == 1;
    /* fleet used by the search: all vehicles, or for one class a bound like HGS-CVRP's */
    h->nv = in->n_vehicles;
    if (h->homogeneous) {
        const struct vrp_vehicle *ve = &in->vehicles[0];
        double need = 0;
        for (int d = 0; d < h->nd; d++) {
            double tot = 0;
            for (int j = 0; j < n; j++)
                tot += in->jobs[j].demand[d];
            if (ve->cap[d] < VRP_INF && ve->cap[d] > 0 && tot / ve->cap[d] > need)
                need = tot / ve->cap[d];
        }
        int bound = (int)ceil(1.3 * need) + 3;
        bool timed = ve->shift_end < VRP_INF || ve->max_duration < VRP_INF;
        for (int j = 0; j < n && !timed; j++)
            timed = in->jobs[j].tw_close < VRP_INF;
        if (need == 0 || timed) /* time limits, not load, may decide the fleet */
            bound = n;
        if (bound < h->nv)
            h->nv = bound;
    }
    /* capacity weights: excess measured in units of dimension 0 */
    double cref[VRP_MAX_DIM] = { 0 };
    for (int v = 0; v < in->n_vehicles; v++)
        for (int d = 0; d < h->nd; d++)
            if (in->vehicles[v].cap[d] < VRP_INF && in->vehicles[v].cap[d] > cref[d])
                cref[d] = in->vehicles[v].cap[d];
    for (int d = 0; d < h->nd; d++)
        h->wdim[d] = cref[d] > 0 ? (cref[0] > 0 ? cref[0] : 1) / cref[d] : 0;
    double maxd = 0, maxdem = 0;
    for (int a = 0; a < in->n_locs; a++)
        for (int b = 0; b < in->n_locs; b++)
            if (vrp_dist(in, a, b) > maxd)
                maxd = vrp_dist(in, a, b);
    for (int j = 0; j < n; j++) {
        double s = 0;
        for (int d = 0; d < h->nd; d++)
            s += in->jobs[j].demand[d] * h->wdim[d];
        if (s > maxdem)
            maxdem = s;
    }
    double cpd = 0;
    for (int v = 0; v < in->n_vehicles; v++)
        if (in->vehicles[v].cost_per_dist > cpd)
            cpd = in->vehicles[v].cost_per_dist;
    if (cpd <= 0)
        cpd = 1;
    h->pen_load = maxdem > 0 ? dmax(0.1, dmin(1000, maxd * cpd / maxdem)) : 1;
    h->pen_tw = 10.0 * cpd;
    h->symmetric = true;
    for (int a = 0; a < in->n_locs && h->symmetric; a++)
        for (int b = a + 1; b < in->n_locs; b++)
            if (vrp_dist(in, a, b) != vrp_dist(in, b, a)) {
                h->symmetric = false;
                break;
            }
    h->kdist = malloc(((size_t)in->n_vehicles + 1) * sizeof *h->kdist);
    if (!h->kdist)
        return SCO_ERR_NOMEM;
    for (int v = 0; v < in->n_vehicles; v++)
        h->kdist[v] = in->vehicles[v].cost_per_dist +
                      (in->time ? 0 : in->vehicles[v].cost_per_time * in->time_per_dist);
    h->pen_skill = 10 * (maxd * cpd + 1) * 10;
    /* segments of single jobs and depots */
    h->jseg = calloc((size_t)n + 1, sizeof *h->jseg);
    h->dstart = calloc((size_t)in->n_vehicles + 1, sizeof *h->dstart);
    h->dend = calloc((size_t)in->n_vehicles + 1, sizeof *h->dend);
    h->multi = calloc((size_t)n + 1, sizeof *h->multi);
    h->vbrk = calloc((size_t)in->n_vehicles + 1, sizeof *h->vbrk);
    if (!h->jseg || !h->dstart || !h->dend || !h->multi || !h->vbrk)
        return SCO_ERR_NOMEM;
    for (int v = 0; v < in->n_vehicles; v++)
        h->vbrk[v] = in->vehicles[v].break_dur > 0;
    for (int j = 0; j < n; j++) {
        const struct vrp_job *jb = &in->jobs[j];
        struct seg *s = &h->jseg[j];
        s->dur = jb->service;
        s->e = jb->tw_open;
        s->l = jb->tw_close;
        h->multi[j] = jb->n_tw > 1;
        h->any_multi = h->any_multi || jb->n_tw > 1;
        memcpy(s->load, jb->demand, sizeof s->load);
        s->skills = jb->skills;
        s->first = s->last = jb->loc;
        s->n = 1;
    }
    for (int v = 0; v < in->n_vehicles; v++) {
        const struct vrp_vehicle *ve = &in->vehicles[v];
        struct seg *s = &h->dstart[v];
        s->e = ve->shift_start;
        s->l = ve->shift_end;
        s->first = s->last = ve->start_loc;
        s = &h->dend[v];
        s->e = ve->shift_start;
        s->l = ve->shift_end;
        s->first = s->last = ve->end_loc;
    }
    /* angles for SWAP* sectors */
    h->have_coords = in->x && in->y && n > 1;
    h->angle = calloc((size_t)n + 1, sizeof *h->angle);
    if (!h->angle)
        return SCO_ERR_NOMEM;
    if (h->have_coords)
        for (int j = 0; j < n; j++) {
            int dl = in->vehicles[0].start_loc;
            for (int v = 0; v < in->n_vehicles; v++)
                if (!(in->jobs[j].skills & ~in->vehicles[v].skills)) {
                    dl = in->vehicles[v].start_loc;
                    break;
                }
            double a = atan2(in->y[in->jobs[j].loc] - in->y[dl], in->x[in->jobs[j].loc] -
                             in->x[dl]);
            h->angle[j] = pmod((int)(32768.0 * a / M_PI));
        }
    /* granular neighbourhoods: closest jobs by distance plus waiting and time-warp terms */
    int g = p->granular < n - 1 ? p->granular : n - 1;
    if (g < 1)
        g = 1;
    h->granular = g;
    h->neigh = malloc((size_t)n * (size_t)g * sizeof *h->neigh);
    double *best = malloc((size_t)g * sizeof *best);
    if (!h->neigh || !best) {
        free(best);
        return SCO_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        const struct vrp_job *a = &in->jobs[i];
        int m = 0;
        int *nb = h->neigh + (size_t)i * (size_t)g;
        for (int j = 0; j < n; j++) {
            if (j == i)
                continue;
            const struct vrp_job *b = &in->jobs[j];
            double t1 = vrp_time(in, a->loc, b->loc), t2 = vrp_time(in, b->loc, a->loc);
            double p1 = vrp_dist(in, a->loc, b->loc) +
                        0.2 * dmax(0, b->tw_open - t1 - a->service - a->tw_close) +
                        dmax(0, a->tw_open + a->service + t1 - b->tw_close);
            double p2 = vrp_dist(in, b->loc, a->loc) +
                        0.2 * dmax(0, a->tw_open - t2 - b->service - b->tw_close) +
                        dmax(0, b->tw_open + b->service + t2 - a->tw_close);
            double pr = dmin(p1, p2);
            if (m < g || pr < best[m - 1]) {
                int q = m < g ? m++ : m - 1;
                while (q > 0 && best[q - 1] > pr) {
                    best[q] = best[q - 1];
                    nb[q] = nb[q - 1];
                    q--;
                }
                best[q] = pr;
                nb[q] = j;
            }
        }
        for (; m < g; m++)
            nb[m] = (i + 1 + m) % n; /* n - 1 < g cannot happen; keeps the list full */
    }
    free(best);
    if (p->threads > 1) {
        int *n0 = malloc((size_t)n * (size_t)g * sizeof *n0);
        if (!n0)
            return SCO_ERR_NOMEM;
        memcpy(n0, h->neigh, (size_t)n * (size_t)g * sizeof *n0);
        h->neigh0 = n0;
    }
    /* local search state */
    h->r = calloc((size_t)h->nv, sizeof *h->r);
    h->job_route = calloc((size_t)n, sizeof *h->job_route);
    h->job_pos = calloc((size_t)n, sizeof *h->job_pos);
    h->order = malloc((size_t)n * sizeof *h->order);
    h->when_tested = malloc((size_t)n * sizeof *h->when_tested);
    h->buf_a = malloc(((size_t)n + 2) * sizeof *h->buf_a);
    h->buf_b = malloc(((size_t)n + 2) * sizeof *h->buf_b);
    if (!h->r || !h->job_route || !h->job_pos || !h->order || !h->when_tested || !h->buf_a ||
        !h->buf_b)
        return SCO_ERR_NOMEM;
    for (int j = 0; j < n; j++)
        h->order[j] = j;
    for (int r = 0; r < h->nv; r++) {
        h->r[r].veh = r;
        if (sco__hgs_route_reserve(&h->r[r], 8))
            return SCO_ERR_NOMEM;
    }
    size_t dp = h->homogeneous ? (size_t)n + 1 : ((size_t)h->nv + 1) * ((size_t)n + 1);
    if (h->homogeneous && h->nv < n)
        dp = ((size_t)h->nv + 1) * ((size_t)n + 1);
    h->dp_size = dp;
    h->pot = malloc(dp * sizeof *h->pot);
    h->pred = malloc(dp * sizeof *h->pred);
    if (!h->pot || !h->pred)
        return SCO_ERR_NOMEM;
    /* population */
    /* both subpopulations full, plus two slots per offspring of a parallel generation */
    h->maxp = 2 * (p->mu + p->lambda) + 4 + 2 * (p->threads > 1 ? p->threads : 0);
    h->ind = calloc((size_t)h->maxp, sizeof *h->ind);
    h->free_slots = malloc((size_t)h->maxp * sizeof *h->free_slots);
    h->feas = malloc((size_t)h->maxp * sizeof *h->feas);
    h->infeas = malloc((size_t)h->maxp * sizeof *h->infeas);
    h->bpd = calloc((size_t)h->maxp * (size_t)h->maxp, sizeof *h->bpd);
    if (!h->ind || !h->free_slots || !h->feas || !h->infeas || !h->bpd)
        return SCO_ERR_NOMEM;
    for (int i = 0; i < h->maxp; i++) {
        struct indiv *x = &h->ind[i];
        x->slot = i;
        x->tour = malloc((size_t)n * sizeof *x->tour);
        x->succ = malloc((size_t)n * sizeof *x->succ);
        x->pred = malloc((size_t)n * sizeof *x->pred);
        x->rveh = malloc(((size_t)h->nv + 1) * sizeof *x->rveh);
        x->roff = malloc(((size_t)h->nv + 2) * sizeof *x->roff);
        x->rjobs = malloc((size_t)n * sizeof *x->rjobs);
        x->rbase = malloc(((size_t)h->nv + 1) * sizeof *x->rbase);
        if (!x->tour || !x->succ || !x->pred || !x->rveh || !x->roff || !x->rjobs || !x->rbase)
            return SCO_ERR_NOMEM;
        h->free_slots[h->maxp - 1 - i] = i;
    }
    h->n_free = h->maxp;
    h->best.veh = malloc(((size_t)h->nv + 1) * sizeof *h->best.veh);
    h->best.off = malloc(((size_t)h->nv + 2) * sizeof *h->best.off);
    h->best.jobs = malloc((size_t)n * sizeof *h->best.jobs);
    h->best.unassigned = malloc(sizeof *h->best.unassigned);
    if (!h->best.veh || !h->best.off || !h->best.jobs || !h->best.unassigned)
        return SCO_ERR_NOMEM;
    h->best_pcost = 1e300;
    return 0;
}

static void adapt_penalties(struct hgs *h)
{
    double fl = 0, ft = 0;
    for (int i = 0; i < h->hist_n; i++) {
        fl += h->hist_load[i];
        ft += h->hist_tw[i];
    }
    fl /= h->hist_n;
    ft /= h->hist_n;
    double t = h->p.target_feasible;
    if (fl < t - 0.05)
        h->pen_load = dmin(h->pen_load * 1.2, 100000);
    else if (fl > t + 0.05)
        h->pen_load = dmax(h->pen_load * 0.85, 0.1);
    if (ft < t - 0.05)
        h->pen_tw = dmin(h->pen_tw * 1.2, 100000);
    else if (ft > t + 0.05)
        h->pen_tw = dmax(h->pen_tw * 0.85, 0.1);
    for (int i = 0; i < h->n_infeas; i++) {
        struct indiv *x = h->infeas[i];
        x->pcost = x->base + h->pen_load * x->exl + h->pen_tw * x->extw + h->pen_skill * x->exsk;
    }
    h->hist_n = 0;
}

static bool route_state_feasible(const struct hgs *h, double *exl_out, double *extw_out)
{
    double exl = 0, extw = 0, exsk = 0;
    for (int r = 0; r < h->nv; r++) {
        const struct lroute *R = &h->r[r];
        if (!R->len)
            continue;
        struct seg f;
        struct parts pt;
        f = R->full;
        route_cost(h, R->veh, &f, &pt);
        exl += pt.exl;
        extw += pt.extw;
        exsk += pt.exsk;
    }
    if (exl_out)
        *exl_out = exl;
    if (extw_out)
        *extw_out = extw;
    return exl < 1e-9 && extw < 1e-9 && exsk < 0.5;
}

static void random_tour(struct hgs *h, int *t, bool sweep)
{
    int n = h->n;
    for (int i = 0; i < n; i++)
        t[i] = i;
    if (sweep && h->have_coords) {
        /* sort by (first compatible vehicle, angle + random rotation): a sweep start */
        int rot = rnd_int(h, 65536);
        int *key = h->buf_b;
        for (int j = 0; j < n; j++) {
            int v0 = 0;
            for (int v = 0; v < h->nv; v++)
                if (!(h->in->jobs[j].skills & ~h->in->vehicles[h->r[v].veh].skills)) {
                    v0 = v;
                    break;
                }
            (void)key;
            h->when_tested[j] = (long)v0 * 65536 + pmod(h->angle[j] - rot);
        }
        for (int i = 1; i < n; i++) {
            int x = t[i], j = i - 1;
            while (j >= 0 && h->when_tested[t[j]] > h->when_tested[x]) {
                t[j + 1] = t[j];
                j--;
            }
            t[j + 1] = x;
        }
        return;
    }
    for (int i = n - 1; i > 0; i--) {
        int k = rnd_int(h, i + 1), x = t[i];
        t[i] = t[k];
        t[k] = x;
    }
}

/* ---- generations: one offspring per task, one or several threads ---------------------------
 * A generation breeds B offspring (B = 1 with one thread, B = the thread count otherwise). The
 * main thread draws every task's parents from the population (its random stream), the tasks run
 * (in parallel when B > 1: each on a worker's own local search state, from its own random stream
 * derived from (seed, iteration), with the granular lists and visiting order reset, so that the
 * result does not depend on which thread runs it), then the main thread inserts the results in
 * task order. GLPK only ever runs on the main thread, between generations. */

enum { TASK_CROSS, TASK_RANDOM, TASK_SWEEP };

struct task {
    int kind;
    const int *pa, *pb; /* parents' giant tours (TASK_CROSS) */
    uint64_t seed;      /* the offspring's random stream (parallel generations) */
    struct indiv out[2]; /* the educated offspring, and its repaired version */
    int n_out;
    bool ok_load, ok_tw; /* the educated offspring has no excess load / time warp */
};

struct team;

struct worker {
    struct hgs *h;  /* the master's state (one thread) or `own`, a clone */
    struct hgs own;
    int *child;
    struct ins3 *ia, *ib;
    double *ra, *rb;
    struct team *team;
};

struct team {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    long gen;
    int n_tasks, next, n_done;
    bool quit;
    struct task *tasks;
    struct worker *w; /* n_workers; w[0] runs on the calling thread */
    int n_workers;
    pthread_t *th;
    int n_started;
};

static int indiv_alloc(struct indiv *x, int n, int nv)
{
    x->tour = malloc((size_t)n * sizeof *x->tour);
    x->succ = malloc((size_t)n * sizeof *x->succ);
    x->pred = malloc((size_t)n * sizeof *x->pred);
    x->rveh = malloc(((size_t)nv + 1) * sizeof *x->rveh);
    x->roff = malloc(((size_t)nv + 2) * sizeof *x->roff);
    x->rjobs = malloc((size_t)n * sizeof *x->rjobs);
    x->rbase = malloc(((size_t)nv + 1) * sizeof *x->rbase);
    return x->tour && x->succ && x->pred && x->rveh && x->roff && x->rjobs && x->rbase
               ? 0
               : SCO_ERR_NOMEM;
}

static void indiv_free(struct indiv *x)
{
    free(x->tour);
    free(x->succ);
    free(x->pred);
    free(x->rveh);
    free(x->roff);
    free(x->rjobs);
    free(x->rbase);
}

/* Takes a slot, copies `src` into it with the current penalties and inserts it. */
static bool insert_copy(struct hgs *h, const struct indiv *src)
{
    struct indiv *x = slot_take(h);
    if (!x)
        return false;
    size_t n = (size_t)h->n, nr = (size_t)src->nr;
    memcpy(x->tour, src->tour, n * sizeof *x->tour);
    memcpy(x->succ, src->succ, n * sizeof *x->succ);
    memcpy(x->pred, src->pred, n * sizeof *x->pred);
    memcpy(x->rjobs, src->rjobs, n * sizeof *x->rjobs);
    memcpy(x->rveh, src->rveh, nr * sizeof *x->rveh);
    memcpy(x->rbase, src->rbase, nr * sizeof *x->rbase);
    memcpy(x->roff, src->roff, (nr + 1) * sizeof *x->roff);
    x->nr = src->nr;
    x->base = src->base;
    x->exl = src->exl;
    x->extw = src->extw;
    x->exsk = src->exsk;
    x->feasible = src->feasible;
    x->pcost = x->base + h->pen_load * x->exl + h->pen_tw * x->extw + h->pen_skill * x->exsk;
    return insert_indiv(h, x);
}

/* One offspring: a giant tour (crossover of the parents, or random), Split, local search, and
 * with probability 1/2 a repair of an infeasible result (HGS-CVRP: penalties x10, then x100).
 * `fresh`: start from the task's own random stream and the original granular lists. */
static void run_task(struct worker *w, struct task *t, bool fresh)
{
    struct hgs *h = w->h;
    if (fresh) {
        h->rng = t->seed;
        for (int j = 0; j < h->n; j++)
            h->order[j] = j;
        memcpy(h->neigh, h->neigh0, (size_t)h->n * (size_t)h->granular * sizeof *h->neigh);
    }
    if (t->kind == TASK_CROSS)
        crossover_ox(h, t->pa, t->pb, w->child);
    else
        random_tour(h, w->child, t->kind == TASK_SWEEP);
    t->n_out = 0;
    if (split(h, w->child))
        return; /* out of memory: no offspring */
    sco__hgs_local_search(h, w->ia, w->ib, w->ra, w->rb);
    double exl, extw;
    route_state_feasible(h, &exl, &extw);
    t->ok_load = exl < 1e-9;
    t->ok_tw = extw < 1e-9;
    export_ls(h, &t->out[t->n_out++]);
    if ((exl > 1e-9 || extw > 1e-9) && rnd_int(h, 2) == 0 && !h->out_of_time) {
        double pl = h->pen_load, pt = h->pen_tw;
        bool feas = false;
        for (int round = 0; round < 2 && !feas && !h->out_of_time; round++) {
            h->pen_load *= 10;
            h->pen_tw *= 10;
            for (int r = 0; r < h->nv; r++)
                sco__hgs_route_update(h, r);
            sco__hgs_local_search(h, w->ia, w->ib, w->ra, w->rb);
            feas = route_state_feasible(h, NULL, NULL);
        }
        h->pen_load = pl;
        h->pen_tw = pt;
        for (int r = 0; r < h->nv; r++)
            sco__hgs_route_update(h, r);
        if (feas)
            export_ls(h, &t->out[t->n_out++]);
    }
}

/* Inserts a task's offspring into the population (main thread); true on a new best. */
static bool take_results(struct hgs *h, const struct task *t)
{
    if (t->n_out == 0)
        return false;
    if (h->hist_n < 100) {
        h->hist_load[h->hist_n] = t->ok_load;
        h->hist_tw[h->hist_n] = t->ok_tw;
        h->hist_n++;
    }
    bool improved = insert_copy(h, &t->out[0]);
    if (t->n_out > 1 && insert_copy(h, &t->out[1]))
        improved = true;
    return improved;
}

static void team_work(struct team *tm, struct worker *w)
{
    while (tm->next < tm->n_tasks) {
        struct task *t = &tm->tasks[tm->next++];
        pthread_mutex_unlock(&tm->mu);
        run_task(w, t, true);
        pthread_mutex_lock(&tm->mu);
        if (++tm->n_done == tm->n_tasks)
            pthread_cond_broadcast(&tm->done);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct team *tm = w->team;
    long seen = 0;
    pthread_mutex_lock(&tm->mu);
    for (;;) {
        while (!tm->quit && tm->gen == seen)
            pthread_cond_wait(&tm->go, &tm->mu);
        if (tm->quit)
            break;
        seen = tm->gen;
        team_work(tm, w);
    }
    pthread_mutex_unlock(&tm->mu);
    return NULL;
}

static void worker_state_free(struct hgs *w)
{
    free(w->neigh);
    search_state_free(w);
}

/* A worker's own search state: shares the instance data of `h` (read only), owns the local
 * search state, granular lists and Split arrays; no population, pool or best. */
static int worker_state_clone(struct hgs *w, const struct hgs *h)
{
    *w = *h;
    w->ind = NULL;
    w->free_slots = NULL;
    w->feas = w->infeas = NULL;
    w->bpd = NULL;
    memset(&w->pool, 0, sizeof w->pool);
    memset(&w->best, 0, sizeof w->best);
    size_t n = (size_t)h->n;
    w->r = calloc((size_t)h->nv, sizeof *w->r);
    w->neigh = malloc(n * (size_t)h->granular * sizeof *w->neigh);
    w->job_route = calloc(n, sizeof *w->job_route);
    w->job_pos = calloc(n, sizeof *w->job_pos);
    w->order = malloc(n * sizeof *w->order);
    w->when_tested = malloc(n * sizeof *w->when_tested);
    w->buf_a = malloc((n + 2) * sizeof *w->buf_a);
    w->buf_b = malloc((n + 2) * sizeof *w->buf_b);
    w->pot = malloc(h->dp_size * sizeof *w->pot);
    w->pred = malloc(h->dp_size * sizeof *w->pred);
    if (!w->r || !w->neigh || !w->job_route || !w->job_pos || !w->order || !w->when_tested ||
        !w->buf_a || !w->buf_b || !w->pot || !w->pred)
        return SCO_ERR_NOMEM;
    memcpy(w->neigh, h->neigh0, n * (size_t)h->granular * sizeof *w->neigh);
    for (int r = 0; r < h->nv; r++) {
        w->r[r].veh = r;
        if (sco__hgs_route_reserve(&w->r[r], 8))
            return SCO_ERR_NOMEM;
    }
    return 0;
}

static void team_fini(struct team *tm)
{
    if (tm->n_started) {
        pthread_mutex_lock(&tm->mu);
        tm->quit = true;
        pthread_cond_broadcast(&tm->go);
        pthread_mutex_unlock(&tm->mu);
        for (int i = 0; i < tm->n_started; i++)
            pthread_join(tm->th[i], NULL);
    }
    if (tm->w)
        for (int i = 0; i < tm->n_workers; i++) {
            struct worker *w = &tm->w[i];
            if (w->h == &w->own)
                worker_state_free(&w->own);
            free(w->child);
            free(w->ia);
            free(w->ib);
            free(w->ra);
            free(w->rb);
        }
    if (tm->tasks)
        for (int i = 0; i < tm->n_workers; i++) {
            indiv_free(&tm->tasks[i].out[0]);
            indiv_free(&tm->tasks[i].out[1]);
        }
    free(tm->tasks);
    free(tm->w);
    free(tm->th);
    pthread_mutex_destroy(&tm->mu);
    pthread_cond_destroy(&tm->go);
    pthread_cond_destroy(&tm->done);
}

/* Workers for `nt` threads (1: the master's own state, no thread). A thread that cannot be
 * started only slows the search down: the tasks, hence the plan, stay the same. */
static int team_init(struct team *tm, struct hgs *h, int nt)
{
    memset(tm, 0, sizeof *tm);
    pthread_mutex_init(&tm->mu, NULL);
    pthread_cond_init(&tm->go, NULL);
    pthread_cond_init(&tm->done, NULL);
    tm->n_workers = nt;
    tm->w = calloc((size_t)nt, sizeof *tm->w);
    tm->tasks = calloc((size_t)nt, sizeof *tm->tasks);
    tm->th = calloc((size_t)nt, sizeof *tm->th);
    if (!tm->w || !tm->tasks || !tm->th)
        return SCO_ERR_NOMEM;
    size_t n2 = (size_t)h->n + 2;
    for (int i = 0; i < nt; i++) {
        struct worker *w = &tm->w[i];
        w->team = tm;
        if (nt == 1) {
            w->h = h;
        } else {
            w->h = &w->own;
            if (worker_state_clone(&w->own, h))
                return SCO_ERR_NOMEM;
        }
        w->child = malloc(n2 * sizeof *w->child);
        w->ia = malloc(n2 * sizeof *w->ia);
        w->ib = malloc(n2 * sizeof *w->ib);
        w->ra = malloc(n2 * sizeof *w->ra);
        w->rb = malloc(n2 * sizeof *w->rb);
        if (!w->child || !w->ia || !w->ib || !w->ra || !w->rb ||
            indiv_alloc(&tm->tasks[i].out[0], h->n, h->nv) ||
            indiv_alloc(&tm->tasks[i].out[1], h->n, h->nv))
            return SCO_ERR_NOMEM;
    }
    for (int i = 1; i < nt; i++) {
        if (pthread_create(&tm->th[tm->n_started], NULL, worker_main, &tm->w[i]))
            break;
        tm->n_started++;
    }
    return 0;
}

/* Runs tasks[0..b-1]; returns true when some worker ran out of time. */
static bool team_run(struct team *tm, struct hgs *h, int b)
{
    if (tm->n_workers == 1) {
        for (int i = 0; i < b; i++)
            run_task(&tm->w[0], &tm->tasks[i], false);
        return h->out_of_time;
    }
    for (int i = 0; i < tm->n_workers; i++) {
        struct hgs *w = tm->w[i].h;
        w->pen_load = h->pen_load;
        w->pen_tw = h->pen_tw;
        w->pen_skill = h->pen_skill;
        w->deadline = h->deadline;
        w->out_of_time = h->out_of_time;
    }
    pthread_mutex_lock(&tm->mu);
    tm->n_tasks = b;
    tm->next = 0;
    tm->n_done = 0;
    tm->gen++;
    pthread_cond_broadcast(&tm->go);
    team_work(tm, &tm->w[0]);
    while (tm->n_done < tm->n_tasks)
        pthread_cond_wait(&tm->done, &tm->mu);
    pthread_mutex_unlock(&tm->mu);
    bool out = false;
    for (int i = 0; i < tm->n_workers; i++)
        out = out || tm->w[i].h->out_of_time;
    if (out)
        h->out_of_time = true;
    return out;
}

static uint64_t task_seed(const struct hgs *h, long index)
{
    return mix(h->p.seed * 0x2545F4914F6CDD1DULL + mix((uint64_t)index + 0x632be59bd9b4e019ULL));
}

int sco__vrp_solve(const struct vrp_instance *in, const struct vrp_params *p,
                   struct vrp_solution *sol, struct vrp_result *res, struct sco_err *err)
{
    memset(res, 0, sizeof *res);
    double cpu_begin = sco__vrp_cpu_seconds(), wall_begin = sco__vrp_wall_seconds();
    double t_begin = p->wall_clock ? wall_begin : cpu_begin;
    if (in->n_jobs == 0) {
        sco__vrp_solution_fini(sol);
        sol->off = calloc(1, sizeof *sol->off);
        if (!sol->off)
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        res->feasible = true;
        res->threads = 1;
        return 0;
    }
    if (in->n_vehicles < 1)
        return sco_err_set(err, SCO_ERR_INVALID, "no vehicles to route %d jobs", in->n_jobs);
    if (p->iterations <= 0 && p->seconds <= 0)
        return sco_err_set(err, SCO_ERR_INVALID, "search needs an iteration budget or a time "
                           "limit");
    if (p->threads > VRP_MAX_THREADS)
        return sco_err_set(err, SCO_ERR_INVALID, "%d search threads; use at most %d",
                           p->threads, VRP_MAX_THREADS);
    int nt = p->threads > 1 ? p->threads : 1;
    struct hgs *h = calloc(1, sizeof *h);
    if (!h)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    struct vrp_params pp = *p;
    pp.threads = nt;
    int rc = hgs_setup(h, in, &pp);
    int n = in->n_jobs;
    struct team tm;
    bool team_up = false;
    struct ins3 *ia = malloc(((size_t)n + 2) * sizeof *ia);
    struct ins3 *ib = malloc(((size_t)n + 2) * sizeof *ib);
    double *ra = malloc(((size_t)n + 2) * sizeof *ra), *rb = malloc(((size_t)n + 2) * sizeof *rb);
    if (!rc) {
        rc = team_init(&tm, h, nt);
        team_up = true;
    }
    if (rc || !ia || !ib || !ra || !rb) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the search over %d jobs", n);
        goto out;
    }
    bool wall = p->wall_clock;
    h->deadline = p->seconds > 0 ? t_begin + p->seconds : 0;
    /* SP checkpoints as fractions of the budget, and a reserve at the end */
    double sp_res = p->use_sp ? (p->seconds > 0 ? dmin(0.1 * p->seconds, 30) : 0) : 0;
    double search_deadline = h->deadline > 0 ? h->deadline - sp_res : 0;
    h->deadline = search_deadline;
    const double sp_marks[] = { 0.5, 0.8 };
    int next_mark = 0;
    long no_improve = 0, total = 0;
    long restart_after = 20000;
    bool stop = false;
    struct task *tk = tm.tasks;
    while (!stop) {
        /* initial population */
        int n_init = 4 * p->mu;
        for (int k = 0; k < n_init && !stop;) {
            int b = nt < n_init - k ? nt : n_init - k;
            if (p->iterations > 0 && b > p->iterations - total)
                b = (int)(p->iterations - total);
            for (int i = 0; i < b; i++) {
                tk[i].kind = (k + i) % 2 == 1 ? TASK_SWEEP : TASK_RANDOM;
                tk[i].seed = task_seed(h, total + i);
            }
            team_run(&tm, h, b);
            for (int i = 0; i < b; i++)
                take_results(h, &tk[i]);
            k += b;
            total += b;
            if ((p->iterations > 0 && total >= p->iterations) || sco__hgs_time_up(h))
                stop = true;
            if (k >= 5 && h->deadline > 0 &&
                sco__vrp_clock(wall) - t_begin > 0.3 * (h->deadline - t_begin))
                break; /* large instance: start breeding */
        }
        no_improve = 0;
        update_biased(h, h->feas, h->n_feas);
        update_biased(h, h->infeas, h->n_infeas);
        while (!stop && h->n_feas + h->n_infeas > 0) {
            int b = nt;
            if (p->iterations > 0 && b > p->iterations - total)
                b = (int)(p->iterations - total);
            for (int i = 0; i < b; i++) {
                struct indiv *pa = tournament(h), *pb = tournament(h);
                tk[i].kind = TASK_CROSS;
                tk[i].pa = pa->tour;
                tk[i].pb = pb->tour;
                tk[i].seed = task_seed(h, total + i);
            }
            team_run(&tm, h, b);
            for (int i = 0; i < b; i++) {
                bool imp = take_results(h, &tk[i]);
                no_improve = imp ? 0 : no_improve + 1;
                if (h->hist_n == 100)
                    adapt_penalties(h);
            }
            total += b;
            if (p->iterations > 0 && total >= p->iterations)
                stop = true;
            if (sco__hgs_time_up(h))
                stop = true;
            /* periodic set partitioning over the pool (main thread, between generations) */
            if (p->use_sp && next_mark < 2 && !stop) {
                double frac = p->iterations > 0 ? (double)total / (double)p->iterations : 0;
                if (h->deadline > 0)
                    frac = dmax(frac, (sco__vrp_clock(wall) - t_begin) /
                                          (search_deadline - t_begin));
                if (frac >= sp_marks[next_mark]) {
                    next_mark++;
                    /* iteration budget only: no clock, the node limit bounds GLPK */
                    double lim = h->deadline > 0 ? sco__vrp_clock(wall) + 0.05 * p->seconds : 0;
                    if (pool_solve(h, lim)) {
                        h->sp_improvements++;
                        sco__hgs_local_search(h, ia, ib, ra, rb);
                        if (add_individual(h))
                            no_improve = 0;
                    }
                    update_biased(h, h->feas, h->n_feas);
                }
            }
            if (no_improve >= restart_after) {
                /* restart: keep the best solution, rebuild the population */
                for (int i = 0; i < h->n_feas; i++)
                    slot_give(h, h->feas[i]);
                for (int i = 0; i < h->n_infeas; i++)
                    slot_give(h, h->infeas[i]);
                h->n_feas = h->n_infeas = 0;
                break;
            }
            update_biased(h, h->feas, h->n_feas);
            update_biased(h, h->infeas, h->n_infeas);
            if (p->verbose && total / 500 != (total - b) / 500)
                fprintf(stderr, "it %ld t %.1f best %.2f feas %d pl %.2f ptw %.2f pool %d\n",
                        total, sco__vrp_clock(wall) - t_begin, h->best_cost, h->n_feas,
                        h->pen_load, h->pen_tw, h->pool.n);
        }
    }
    /* final set partitioning with the reserved time */
    if (p->use_sp && h->best_feasible) {
        h->out_of_time = false;
        double lim = h->deadline > 0 ? t_begin + p->seconds : 0;
        h->deadline = lim;
        if (pool_solve(h, lim)) {
            h->sp_improvements++;
            sco__hgs_local_search(h, ia, ib, ra, rb);
            add_individual(h);
        }
    }
    res->iterations = total;
    res->feasible = h->best_feasible;
    res->cost = h->best_feasible ? h->best_cost : h->best_pcost;
    res->sp_improvements = h->sp_improvements;
    res->threads = nt;
    if (sco__vrp_solution_copy(sol, &h->best))
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    res->seconds = sco__vrp_cpu_seconds() - cpu_begin;
    res->wall_seconds = sco__vrp_wall_seconds() - wall_begin;
out:
    if (team_up)
        team_fini(&tm);
    free(ia);
    free(ib);
    free(ra);
    free(rb);
    hgs_free(h);
    free(h);
    return rc;
}
