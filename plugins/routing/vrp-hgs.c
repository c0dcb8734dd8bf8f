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
 * pool (vrp-sp.c, GLPK) recombines them at fixed points of the budget. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrp.h"

#define EPS 1e-7

/* ---- segments ---------------------------------------------------------------------- */

struct seg {
    double dist, dur, tw, e, l;
    double load[VRP_MAX_DIM];
    uint64_t skills;
    int first, last; /* locations; first < 0 for the empty segment */
    int n;           /* jobs in it */
};

struct lroute {
    int veh, len, cap;
    int *nodes;           /* nodes[1..len] are jobs */
    int *locs;            /* locs[i + 1]: location at position i, -1 <= i <= len + 2 */
    struct seg *pre, *suf; /* pre[i]: start depot + nodes[1..i]; suf[i]: nodes[i..len] */
    double pcost;
    double slack; /* pcost minus its distance-proportional and fixed parts (>= 0) */
    struct seg full; /* the whole route, depots included (exact with several windows) */
    int n_multi;     /* jobs with several time windows in it */
    long modified;
    long swapstar_tested;
    int sec_start, sec_end; /* circle sector of the customers around the start depot */
};

struct indiv {
    int slot;
    int *tour, *succ, *pred;
    int nr;
    int *rveh, *roff, *rjobs;
    double base, exl, extw, exsk, pcost, biased;
    bool feasible;
};

struct pool {
    int n, cap, njobs_cap, njobs;
    int *off, *jobs, *cls;
    double *cost;
    uint64_t *key;
    int *hash; /* open addressing over columns, -1 empty */
    int hcap;
};

struct hgs {
    const struct vrp_instance *in;
    struct vrp_params p;
    int n, nv, nd;
    uint64_t rng;
    double pen_load, pen_tw, pen_skill;
    bool symmetric; /* dist[a][b] == dist[b][a] for all a, b */
    double *kdist; /* per vehicle: cost per distance unit incl. travel time when time ~ dist */
    double wdim[VRP_MAX_DIM];
    double deadline;
    bool homogeneous;
    int granular;
    int *neigh; /* n * granular */
    struct seg *jseg, *dstart, *dend;
    unsigned char *multi; /* per job: several time windows (jseg holds their envelope) */
    unsigned char *vbrk;  /* per vehicle: has a driver break (its routes are evaluated exactly) */
    bool any_multi;
    int *vclass, n_classes, *class_count, *class_rep;
    int *angle; /* per job, around the depot of its first compatible vehicle */
    bool have_coords;
    /* local search state */
    struct lroute *r;
    int *job_route, *job_pos;
    int *order;
    long nb_moves, *when_tested;
    int *buf_a, *buf_b;
    /* split */
    double *pot;
    int *pred;
    /* population */
    int maxp;
    struct indiv *ind;
    int *free_slots, n_free;
    struct indiv **feas, **infeas;
    int n_feas, n_infeas;
    double *bpd; /* maxp x maxp broken-pairs distances */
    int hist_load[100], hist_tw[100], hist_n;
    /* best */
    struct vrp_solution best;
    double best_cost;
    bool best_feasible;
    double best_pcost;
    struct pool pool;
    long iter;
    int sp_improvements;
    bool out_of_time;
};

static uint64_t rnd(struct hgs *h)
{
    uint64_t z = (h->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int rnd_int(struct hgs *h, int k) { return k <= 1 ? 0 : (int)(rnd(h) % (uint64_t)k); }

static inline double dmax(double a, double b) { return a > b ? a : b; }
static inline double dmin(double a, double b) { return a < b ? a : b; }

static inline void seg_merge(const struct hgs *h, const struct seg *a, const struct seg *b,
                             struct seg *o)
{
    if (a->first < 0) {
        *o = *b;
        return;
    }
    if (b->first < 0) {
        *o = *a;
        return;
    }
    const struct vrp_instance *in = h->in;
    double t = vrp_time(in, a->last, b->first);
    double delta = a->dur - a->tw + t;
    double dwt = dmax(b->e - delta - a->l, 0);
    double dtw = dmax(a->e + delta - b->l, 0);
    struct seg r;
    r.dur = a->dur + b->dur + t + dwt;
    r.tw = a->tw + b->tw + dtw;
    r.e = dmax(b->e - delta, a->e) - dwt;
    r.l = dmin(b->l - delta, a->l) + dtw;
    r.dist = a->dist + b->dist + vrp_dist(in, a->last, b->first);
    for (int d = 0; d < h->nd; d++)
        r.load[d] = a->load[d] + b->load[d];
    r.skills = a->skills | b->skills;
    r.first = a->first;
    r.last = b->last;
    r.n = a->n + b->n;
    *o = r;
}

static const struct seg empty_seg = { .first = -1, .last = -1 };

struct parts {
    double base, exl, extw, exsk;
};

/* Penalised cost of a complete route (start depot ... end depot) for vehicle v. */
static inline double route_cost(const struct hgs *h, int v, const struct seg *s, struct parts *pt)
{
    if (s->n == 0) {
        if (pt)
            *pt = (struct parts){ 0, 0, 0, 0 };
        return 0;
    }
    const struct vrp_vehicle *ve = &h->in->vehicles[v];
    double base = ve->fixed_cost + ve->cost_per_dist * s->dist + ve->cost_per_time * s->dur;
    double exl = 0;
    for (int d = 0; d < h->nd; d++)
        if (s->load[d] > ve->cap[d])
            exl += (s->load[d] - ve->cap[d]) * h->wdim[d];
    double extw = s->tw + dmax(0, s->dur - ve->max_duration);
    double exsk = (double)__builtin_popcountll(s->skills & ~ve->skills);
    if (pt)
        *pt = (struct parts){ base, exl, extw, exsk };
    return base + h->pen_load * exl + h->pen_tw * extw + h->pen_skill * exsk;
}

/* ---- several time windows per job ---------------------------------------------------------
 * A job with several windows has the envelope (first open, last close) in jseg: a relaxation
 * that the O(1) concatenations use to filter moves. A route that holds such jobs is evaluated
 * exactly by one linear pass that serves each of them in the first window still open at its
 * earliest arrival (the checker's rule), and a move is applied only when that exact cost
 * improves. Instances with one window per job never take this path. */

static void seq_seg(const struct hgs *h, int veh, const int *seq, int len, struct seg *o)
{
    const struct vrp_instance *in = h->in;
    const struct vrp_vehicle *ve = &in->vehicles[veh];
    struct seg s = h->dstart[veh];
    bool brk = h->vbrk[veh] && len > 0;
    for (int i = 0; i <= len; i++) {
        if (brk) {
            /* the driver break: a stop where the vehicle is, at the checker's point */
            double t = s.e + s.dur - s.tw;
            if (vrp_break_now(in, ve, t, s.last, i < len ? &in->jobs[seq[i]] : NULL)) {
                struct seg b = { .dur = ve->break_dur, .e = ve->break_start,
                                 .l = ve->break_end, .first = s.last, .last = s.last };
                seg_merge(h, &s, &b, &s);
                brk = false;
            }
        }
        if (i == len)
            break;
        int j = seq[i];
        if (!h->multi[j]) {
            seg_merge(h, &s, &h->jseg[j], &s);
            continue;
        }
        const struct vrp_job *jb = &in->jobs[j];
        double arr = s.e + s.dur - s.tw + vrp_time(in, s.last, jb->loc);
        int k = vrp_job_window(jb, arr);
        struct seg js = h->jseg[j];
        js.e = jb->tw[k][0];
        js.l = jb->tw[k][1];
        seg_merge(h, &s, &js, &s);
    }
    seg_merge(h, &s, &h->dend[veh], o);
}

/* Whether a route of vehicle veh with these jobs needs the exact pass. */
static bool seq_has_multi(const struct hgs *h, int veh, const int *seq, int len)
{
    if (h->vbrk[veh] && len > 0)
        return true;
    if (!h->any_multi)
        return false;
    for (int i = 0; i < len; i++)
        if (h->multi[seq[i]])
            return true;
    return false;
}

/* ---- routes in the local search ------------------------------------------------------- */

static int route_reserve(struct lroute *r, int len)
{
    if (len + 2 <= r->cap)
        return 0;
    int nc = r->cap ? r->cap : 16;
    while (nc < len + 2)
        nc *= 2;
    int *nn = realloc(r->nodes, (size_t)nc * sizeof *nn);
    if (!nn)
        return SCO_ERR_NOMEM;
    r->nodes = nn;
    struct seg *np = realloc(r->pre, (size_t)nc * sizeof *np);
    if (!np)
        return SCO_ERR_NOMEM;
    r->pre = np;
    struct seg *ns = realloc(r->suf, (size_t)nc * sizeof *ns);
    if (!ns)
        return SCO_ERR_NOMEM;
    r->suf = ns;
    int *nl = realloc(r->locs, ((size_t)nc + 4) * sizeof *nl);
    if (!nl)
        return SCO_ERR_NOMEM;
    r->locs = nl;
    r->cap = nc;
    return 0;
}

static int pmod(int i) { return ((i % 65536) + 65536) % 65536; }

static void route_update(struct hgs *h, int ri)
{
    struct lroute *r = &h->r[ri];
    r->pre[0] = h->dstart[r->veh];
    for (int i = 1; i <= r->len; i++) {
        int j = r->nodes[i];
        seg_merge(h, &r->pre[i - 1], &h->jseg[j], &r->pre[i]);
        h->job_route[j] = ri;
        h->job_pos[j] = i;
    }
    {
        const struct vrp_vehicle *ve = &h->in->vehicles[r->veh];
        r->locs[0] = r->locs[1] = ve->start_loc;
        for (int i = 1; i <= r->len; i++)
            r->locs[i + 1] = h->in->jobs[r->nodes[i]].loc;
        r->locs[r->len + 2] = r->locs[r->len + 3] = ve->end_loc;
    }
    r->suf[r->len + 1] = empty_seg;
    for (int i = r->len; i >= 1; i--)
        seg_merge(h, &h->jseg[r->nodes[i]], &r->suf[i + 1], &r->suf[i]);
    r->n_multi = 0;
    for (int i = 1; h->any_multi && i <= r->len; i++)
        r->n_multi += h->multi[r->nodes[i]];
    if (r->n_multi || (h->vbrk[r->veh] && r->len > 0))
        seq_seg(h, r->veh, r->nodes + 1, r->len, &r->full);
    else
        seg_merge(h, &r->pre[r->len], &h->dend[r->veh], &r->full);
    const struct seg full = r->full;
    r->pcost = route_cost(h, r->veh, &full, NULL);
    {
        const struct vrp_vehicle *ve = &h->in->vehicles[r->veh];
        double serv = 0;
        for (int i = 1; i <= r->len; i++)
            serv += h->in->jobs[r->nodes[i]].service;
        r->slack = r->len ? r->pcost - ve->fixed_cost - h->kdist[r->veh] * full.dist -
                                ve->cost_per_time * serv
                          : 0;
        if (r->slack < 0)
            r->slack = 0;
    }
    r->modified = h->nb_moves;
    if (h->have_coords && r->len > 0) {
        r->sec_start = r->sec_end = h->angle[r->nodes[1]];
        for (int i = 2; i <= r->len; i++) {
            int p = h->angle[r->nodes[i]];
            if (pmod(p - r->sec_start) <= pmod(r->sec_end - r->sec_start))
                continue;
            if (pmod(p - r->sec_end) <= pmod(r->sec_start - p))
                r->sec_end = p;
            else
                r->sec_start = p;
        }
    }
}

static int route_set(struct hgs *h, int ri, const int *seq, int len)
{
    struct lroute *r = &h->r[ri];
    if (route_reserve(r, len))
        return SCO_ERR_NOMEM;
    memcpy(r->nodes + 1, seq, (size_t)len * sizeof *seq);
    r->len = len;
    route_update(h, ri);
    return 0;
}

static bool sectors_overlap(const struct lroute *a, const struct lroute *b)
{
    return pmod(b->sec_start - a->sec_start) <= pmod(a->sec_end - a->sec_start) ||
           pmod(a->sec_start - b->sec_start) <= pmod(b->sec_end - b->sec_start);
}

/* A move's new route = pieces merged in order, then the vehicle's end depot. */
enum { P_PRE, P_SUF, P_JOB };
struct piece {
    int kind, r, i;
};

static inline const struct seg *piece_seg(const struct hgs *h, const struct piece *p)
{
    switch (p->kind) {
    case P_PRE: return &h->r[p->r].pre[p->i];
    case P_SUF: return &h->r[p->r].suf[p->i];
    default: return &h->jseg[p->i];
    }
}

static double eval_pieces(const struct hgs *h, int veh, const struct piece *ps, int k)
{
    struct seg s = *piece_seg(h, &ps[0]);
    for (int i = 1; i < k; i++)
        seg_merge(h, &s, piece_seg(h, &ps[i]), &s);
    seg_merge(h, &s, &h->dend[veh], &s);
    return route_cost(h, veh, &s, NULL);
}

static int build_pieces(const struct hgs *h, const struct piece *ps, int k, int *out)
{
    int n = 0;
    for (int i = 0; i < k; i++) {
        const struct lroute *r = &h->r[ps[i].r];
        switch (ps[i].kind) {
        case P_PRE:
            for (int q = 1; q <= ps[i].i; q++)
                out[n++] = r->nodes[q];
            break;
        case P_SUF:
            for (int q = ps[i].i; q <= r->len; q++)
                out[n++] = r->nodes[q];
            break;
        default: out[n++] = ps[i].i;
        }
    }
    return n;
}

/* Evaluates an inter-route move and applies it when it improves. */
static bool try_inter(struct hgs *h, int ru, const struct piece *pu, int ku, int rv,
                      const struct piece *pv, int kv, double lb)
{
    if (lb > -EPS) /* the distance change alone forbids a gain */
        return false;
    double before = h->r[ru].pcost + h->r[rv].pcost;
    double cu = eval_pieces(h, h->r[ru].veh, pu, ku);
    if (cu > before - EPS)
        return false;
    double cv = eval_pieces(h, h->r[rv].veh, pv, kv);
    if (cu + cv > before - EPS)
        return false;
    int na = build_pieces(h, pu, ku, h->buf_a);
    int nb = build_pieces(h, pv, kv, h->buf_b);
    if (seq_has_multi(h, h->r[ru].veh, h->buf_a, na) ||
        seq_has_multi(h, h->r[rv].veh, h->buf_b, nb)) {
        struct seg fa, fb;
        seq_seg(h, h->r[ru].veh, h->buf_a, na, &fa);
        seq_seg(h, h->r[rv].veh, h->buf_b, nb, &fb);
        if (route_cost(h, h->r[ru].veh, &fa, NULL) + route_cost(h, h->r[rv].veh, &fb, NULL) >
            before - EPS)
            return false;
    }
    h->nb_moves++;
    route_set(h, ru, h->buf_a, na);
    route_set(h, rv, h->buf_b, nb);
    return true;
}

static double eval_seq(const struct hgs *h, int veh, const int *seq, int len)
{
    struct seg s;
    seq_seg(h, veh, seq, len, &s);
    return route_cost(h, veh, &s, NULL);
}

/* buf_a[0..len-1] is the route's new order; its first `from` jobs are unchanged. */
static bool try_intra_seq(struct hgs *h, int ri, int len, int from)
{
    const struct lroute *R = &h->r[ri];
    struct seg sg = R->pre[from];
    for (int i = from; i < len; i++)
        seg_merge(h, &sg, &h->jseg[h->buf_a[i]], &sg);
    seg_merge(h, &sg, &h->dend[R->veh], &sg);
    double c = route_cost(h, R->veh, &sg, NULL);
    if (c > h->r[ri].pcost - EPS)
        return false;
    if ((R->n_multi || h->vbrk[R->veh]) && eval_seq(h, R->veh, h->buf_a, len) >
                                                 h->r[ri].pcost - EPS)
        return false;
    h->nb_moves++;
    route_set(h, ri, h->buf_a, len);
    return true;
}

#define PC(k, rr, ii) ((struct piece){ (k), (rr), (ii) })

static inline int node_loc(const struct hgs *h, const struct lroute *R, int i)
{
    (void)h;
    return R->locs[i + 1];
}

static bool moves_inter(struct hgs *h, int u, int v, bool v_is_depot)
{
    int ru = h->job_route[u], pu = h->job_pos[u];
    int rv = v_is_depot ? v : h->job_route[v];
    int pv = v_is_depot ? 0 : h->job_pos[v];
    const struct lroute *RU = &h->r[ru], *RV = &h->r[rv];
    int x = pu < RU->len ? RU->nodes[pu + 1] : -1;
    int y = (pv >= 1 && pv < RV->len) ? RV->nodes[pv + 1] : -1;
    struct piece a[4], b[4];
    /* Lower bounds on the cost change from distances alone (HGS-CVRP's filter): valid when
     * a route's cost is fixed + kdist * distance + cost_per_time * service + slack. */
    const struct vrp_instance *in = h->in;
    const struct vrp_vehicle *VU = &in->vehicles[RU->veh], *VV = &in->vehicles[RV->veh];
    bool filt = !in->time || (VU->cost_per_time == 0 && VV->cost_per_time == 0);
    /* service time moving between vehicles with different time costs */
    double dc = VU->cost_per_time - VV->cost_per_time;
    double su = in->jobs[u].service, sx = x >= 0 ? in->jobs[x].service : 0;
    double sv = pv >= 1 ? in->jobs[RV->nodes[pv]].service : 0;
    double sy = y >= 0 ? in->jobs[y].service : 0;
    double ku = h->kdist[RU->veh], kv = h->kdist[RV->veh];
    double sl = filt ? -(RU->slack + RV->slack) - (RU->len <= 2 ? VU->fixed_cost : 0) -
                           (RV->len <= 2 ? VV->fixed_cost : 0)
                     : -1e300;
    int lup = node_loc(h, RU, pu - 1), lu = in->jobs[u].loc, lun = node_loc(h, RU, pu + 1);
    int lxn = node_loc(h, RU, pu + 2), lx = x >= 0 ? in->jobs[x].loc : -1;
    int lvp = node_loc(h, RV, pv - 1), lv = node_loc(h, RV, pv), lvn = node_loc(h, RV, pv + 1);
    int lyn = node_loc(h, RV, pv + 2), ly = y >= 0 ? in->jobs[y].loc : -1;
#define D(a_, b_) vrp_dist(in, (a_), (b_))
    double rem_u = D(lup, lun) - D(lup, lu) - D(lu, lun);
    /* relocate u after v */
    a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_SUF, ru, pu + 1);
    b[0] = PC(P_PRE, rv, pv), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_SUF, rv, pv + 1);
    if (try_inter(h, ru, a, 2, rv, b, 3,
                  sl - dc * su + ku * rem_u + kv * (D(lv, lu) + D(lu, lvn) - D(lv, lvn))))
        return true;
    if (x >= 0) {
        /* relocate (u, x) and (x, u) after v */
        double rem_ux = D(lup, lxn) - D(lup, lu) - D(lu, lx) - D(lx, lxn);
        a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_SUF, ru, pu + 2);
        b[0] = PC(P_PRE, rv, pv), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_JOB, 0, x);
        b[3] = PC(P_SUF, rv, pv + 1);
        if (try_inter(h, ru, a, 2, rv, b, 4,
                      sl - dc * (su + sx) + ku * rem_ux +
                          kv * (D(lv, lu) + D(lu, lx) + D(lx, lvn) - D(lv, lvn))))
            return true;
        b[1] = PC(P_JOB, 0, x), b[2] = PC(P_JOB, 0, u);
        if (try_inter(h, ru, a, 2, rv, b, 4,
                      sl - dc * (su + sx) + ku * rem_ux +
                          kv * (D(lv, lx) + D(lx, lu) + D(lu, lvn) - D(lv, lvn))))
            return true;
    }
    if (pv >= 1) {
        /* swap u and v */
        a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_JOB, 0, v), a[2] = PC(P_SUF, ru, pu + 1);
        b[0] = PC(P_PRE, rv, pv - 1), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_SUF, rv, pv + 1);
        if (try_inter(h, ru, a, 3, rv, b, 3,
                      sl + dc * (sv - su) +
                          ku * (D(lup, lv) + D(lv, lun) - D(lup, lu) - D(lu, lun)) +
                          kv * (D(lvp, lu) + D(lu, lvn) - D(lvp, lv) - D(lv, lvn))))
            return true;
        if (x >= 0) {
            /* swap (u, x) and v */
            a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_JOB, 0, v), a[2] = PC(P_SUF, ru, pu + 2);
            b[0] = PC(P_PRE, rv, pv - 1), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_JOB, 0, x);
            b[3] = PC(P_SUF, rv, pv + 1);
            if (try_inter(h, ru, a, 3, rv, b, 4,
                          sl + dc * (sv - su - sx) +
                              ku * (D(lup, lv) + D(lv, lxn) - D(lup, lu) - D(lu, lx) -
                                     D(lx, lxn)) +
                              kv * (D(lvp, lu) + D(lu, lx) + D(lx, lvn) - D(lvp, lv) -
                                    D(lv, lvn))))
                return true;
            if (y >= 0) {
                /* swap (u, x) and (v, y) */
                a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_JOB, 0, v), a[2] = PC(P_JOB, 0, y);
                a[3] = PC(P_SUF, ru, pu + 2);
                b[0] = PC(P_PRE, rv, pv - 1), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_JOB, 0, x);
                b[3] = PC(P_SUF, rv, pv + 2);
                if (try_inter(h, ru, a, 4, rv, b, 4,
                              sl + dc * (sv + sy - su - sx) +
                                  ku * (D(lup, lv) + D(lv, ly) + D(ly, lxn) - D(lup, lu) -
                                         D(lu, lx) - D(lx, lxn)) +
                                  kv * (D(lvp, lu) + D(lu, lx) + D(lx, lyn) - D(lvp, lv) -
                                        D(lv, ly) - D(ly, lyn))))
                    return true;
            }
        }
    }
    /* 2-opt*: u's route continues with v's tail and v's route with u's tail */
    a[0] = PC(P_PRE, ru, pu), a[1] = PC(P_SUF, rv, pv + 1);
    b[0] = PC(P_PRE, rv, pv), b[1] = PC(P_SUF, ru, pu + 1);
    double lb9 = -1e300;
    if (filt && ku == kv && dc == 0 && VU->end_loc == VV->end_loc)
        lb9 = -(RU->slack + RV->slack) - VU->fixed_cost - VV->fixed_cost +
              ku * (D(lu, lvn) + D(lv, lun) - D(lu, lun) - D(lv, lvn));
    if (try_inter(h, ru, a, 2, rv, b, 2, lb9))
        return true;
#undef D
    return false;
}

static bool moves_intra(struct hgs *h, int u, int v)
{
    int ri = h->job_route[u];
    const struct lroute *R = &h->r[ri];
    int pu = h->job_pos[u], pv = v < 0 ? 0 : h->job_pos[v], len = R->len;
    const int *nd = R->nodes;
    int *s = h->buf_a;
    int k;
    /* distance lower bound on the change (service and fixed cost do not change) */
    const struct vrp_instance *in = h->in;
    const struct vrp_vehicle *ve = &in->vehicles[R->veh];
    bool filt = !in->time || ve->cost_per_time == 0;
    double kd = h->kdist[R->veh], sl = filt ? -R->slack : -1e300;
    int lup = node_loc(h, R, pu - 1), lu = in->jobs[u].loc, lun = node_loc(h, R, pu + 1);
    int lv = node_loc(h, R, pv), lvn = node_loc(h, R, pv + 1), lvp = node_loc(h, R, pv - 1);
#define D(a_, b_) vrp_dist(in, (a_), (b_))
#define LB(x_) (sl + kd * (x_) > -EPS)
    /* relocate u after v */
    if (pv != pu - 1 && pv != pu &&
        !LB(D(lup, lun) - D(lup, lu) - D(lu, lun) + D(lv, lu) + D(lu, lvn) - D(lv, lvn))) {
        k = 0;
        for (int i = 1; i <= len; i++) {
            if (i == pu)
                continue;
            if (i == pv + 1 && pv == 0)
                s[k++] = u;
            s[k++] = nd[i];
            if (i == pv)
                s[k++] = u;
        }
        if (try_intra_seq(h, ri, k, (pu < pv + 1 ? pu : pv + 1) - 1))
            return true;
    }
    if (v < 0)
        return false;
    /* relocate (u, x) after v */
    if (pu < len && pv != pu - 1 && pv != pu && pv != pu + 1) {
        int x = nd[pu + 1], lx = in->jobs[x].loc, lxn = node_loc(h, R, pu + 2);
        if (!LB(D(lup, lxn) - D(lup, lu) - D(lu, lx) - D(lx, lxn) + D(lv, lu) + D(lx, lvn) +
                D(lu, lx) - D(lv, lvn))) {
            k = 0;
            for (int i = 1; i <= len; i++) {
                if (i == pu || i == pu + 1)
                    continue;
                s[k++] = nd[i];
                if (i == pv) {
                    s[k++] = u;
                    s[k++] = x;
                }
            }
            if (try_intra_seq(h, ri, k, (pu < pv + 1 ? pu : pv + 1) - 1))
                return true;
        }
    }
    /* swap u and v */
    if (pv != pu) {
        double dd;
        if (pv == pu + 1)
            dd = D(lup, lv) + D(lv, lu) + D(lu, lvn) - D(lup, lu) - D(lu, lv) - D(lv, lvn);
        else if (pu == pv + 1)
            dd = D(lvp, lu) + D(lu, lv) + D(lv, lun) - D(lvp, lv) - D(lv, lu) - D(lu, lun);
        else
            dd = D(lup, lv) + D(lv, lun) - D(lup, lu) - D(lu, lun) + D(lvp, lu) + D(lu, lvn) -
                 D(lvp, lv) - D(lv, lvn);
        if (!LB(dd)) {
            memcpy(s, nd + 1, (size_t)len * sizeof *s);
            s[pu - 1] = v;
            s[pv - 1] = u;
            if (try_intra_seq(h, ri, len, (pu < pv ? pu : pv) - 1))
                return true;
        }
    }
    /* 2-opt: reverse the stretch between u and v */
    if (pv > pu + 1 || pu > pv + 1) {
        int lo = pu < pv ? pu + 1 : pv + 1, hi = pu < pv ? pv : pu;
        double dd = pu < pv ? D(lu, lv) + D(lun, lvn) - D(lu, lun) - D(lv, lvn)
                            : D(lv, lu) + D(lvn, lun) - D(lv, lvn) - D(lu, lun);
        if (!h->symmetric || !LB(dd)) {
            memcpy(s, nd + 1, (size_t)len * sizeof *s);
            for (int i = lo, j = hi; i < j; i++, j--) {
                int t = s[i - 1];
                s[i - 1] = s[j - 1];
                s[j - 1] = t;
            }
            if (try_intra_seq(h, ri, len, lo - 1))
                return true;
        }
    }
#undef LB
#undef D
    return false;
}

/* SWAP* (Vidal 2022): exchange u of route A and v of route B, each inserted at its best
 * position in the other route (not necessarily where the other was). Positions are chosen
 * by distance (top three insertion gaps); the chosen pair is evaluated exactly. */
struct ins3 {
    double c[3];
    int pos[3]; /* insert after position pos */
};

static void ins3_add(struct ins3 *t, double c, int pos)
{
    if (c >= t->c[2])
        return;
    if (c >= t->c[1]) {
        t->c[2] = c, t->pos[2] = pos;
    } else if (c >= t->c[0]) {
        t->c[2] = t->c[1], t->pos[2] = t->pos[1];
        t->c[1] = c, t->pos[1] = pos;
    } else {
        t->c[2] = t->c[1], t->pos[2] = t->pos[1];
        t->c[1] = t->c[0], t->pos[1] = t->pos[0];
        t->c[0] = c, t->pos[0] = pos;
    }
}


static void swapstar_prep(const struct hgs *h, const struct lroute *A, const struct lroute *B,
                          struct ins3 *ins, double *rem)
{
    const struct vrp_instance *in = h->in;
    for (int i = 1; i <= A->len; i++) {
        int lp = node_loc(h, A, i - 1), l = node_loc(h, A, i), ln = node_loc(h, A, i + 1);
        rem[i] = vrp_dist(in, lp, ln) - vrp_dist(in, lp, l) - vrp_dist(in, l, ln);
        struct ins3 *t = &ins[i];
        t->c[0] = t->c[1] = t->c[2] = 1e300;
        t->pos[0] = t->pos[1] = t->pos[2] = -1;
        for (int q = 0; q <= B->len; q++) {
            int a = node_loc(h, B, q), b = node_loc(h, B, q + 1);
            ins3_add(t, vrp_dist(in, a, l) + vrp_dist(in, l, b) - vrp_dist(in, a, b), q);
        }
    }
}

/* Cheapest insertion cost of A's node at i into B with B's node at position pv removed. */
static double swapstar_best(const struct hgs *h, const struct lroute *A, int i,
                            const struct lroute *B, int pv, const struct ins3 *t, int *pos)
{
    const struct vrp_instance *in = h->in;
    int l = node_loc(h, A, i);
    int lp = node_loc(h, B, pv - 1), ln = node_loc(h, B, pv + 1);
    /* in v's place */
    double best = vrp_dist(in, lp, l) + vrp_dist(in, l, ln) - vrp_dist(in, lp, ln);
    *pos = pv - 1;
    for (int k = 0; k < 3; k++)
        if (t->pos[k] >= 0 && t->pos[k] != pv - 1 && t->pos[k] != pv && t->c[k] < best) {
            best = t->c[k];
            *pos = t->pos[k];
            break;
        }
    return best;
}

/* Route B's nodes without position pv, with job `add` after position `after` (in B's
 * original numbering; after == pv - 1 means v's place). */
static int swapstar_seq(const struct lroute *B, int pv, int add, int after, int *out)
{
    int k = 0;
    if (after == 0)
        out[k++] = add;
    for (int q = 1; q <= B->len; q++) {
        if (q != pv)
            out[k++] = B->nodes[q];
        if (q == after)
            out[k++] = add;
    }
    return k;
}

static bool swap_star(struct hgs *h, int ra, int rb, struct ins3 *ia, struct ins3 *ib,
                      double *rema, double *remb)
{
    struct lroute *A = &h->r[ra], *B = &h->r[rb];
    const struct vrp_vehicle *va = &h->in->vehicles[A->veh], *vb = &h->in->vehicles[B->veh];
    if (va->cost_per_dist <= 0 || vb->cost_per_dist <= 0)
        return false;
    swapstar_prep(h, A, B, ia, rema);
    swapstar_prep(h, B, A, ib, remb);
    double best = -EPS;
    int bu = -1, bv = -1, bpu = 0, bpv = 0;
    for (int i = 1; i <= A->len; i++)
        for (int j = 1; j <= B->len; j++) {
            int p1, p2;
            double d = rema[i] + remb[j];
            d += swapstar_best(h, A, i, B, j, &ia[i], &p1);
            d += swapstar_best(h, B, j, A, i, &ib[j], &p2);
            if (d < best) {
                best = d;
                bu = i, bv = j, bpu = p1, bpv = p2;
            }
        }
    if (bu < 0)
        return false;
    int *sa = h->buf_a, *sb = h->buf_b;
    int na = swapstar_seq(A, bu, B->nodes[bv], bpv, sa);
    int nb = swapstar_seq(B, bv, A->nodes[bu], bpu, sb);
    double ca = eval_seq(h, A->veh, sa, na), cb = eval_seq(h, B->veh, sb, nb);
    if (ca + cb > A->pcost + B->pcost - EPS)
        return false;
    h->nb_moves++;
    route_set(h, ra, sa, na);
    route_set(h, rb, sb, nb);
    return true;
}

/* Exchanges whole routes between vehicles of different classes (an empty route included): the
 * moves above never carry a route over to another kind of vehicle at once. */
static bool route_exchange(struct hgs *h)
{
    if (h->homogeneous || h->n_classes < 2)
        return false;
    bool any = false;
    for (int a = 0; a < h->nv; a++) {
        if (!h->r[a].len)
            continue;
        unsigned char seen[256] = { 0 };
        for (int b = 0; b < h->nv; b++) {
            int ca = h->vclass[h->r[a].veh], cb = h->vclass[h->r[b].veh];
            if (b == a || ca == cb || (h->r[b].len && b < a))
                continue;
            if (!h->r[b].len && cb < 256) {
                if (seen[cb])
                    continue;
                seen[cb] = 1;
            }
            int la = h->r[a].len, lb = h->r[b].len;
            memcpy(h->buf_a, h->r[b].nodes + 1, (size_t)lb * sizeof *h->buf_a);
            memcpy(h->buf_b, h->r[a].nodes + 1, (size_t)la * sizeof *h->buf_b);
            double c = eval_seq(h, h->r[a].veh, h->buf_a, lb) +
                       eval_seq(h, h->r[b].veh, h->buf_b, la);
            if (c < h->r[a].pcost + h->r[b].pcost - EPS) {
                h->nb_moves++;
                route_set(h, a, h->buf_a, lb);
                route_set(h, b, h->buf_b, la);
                any = true;
                break;
            }
        }
    }
    return any;
}

static bool time_up(struct hgs *h)
{
    if (h->deadline > 0 && sco__vrp_cpu_seconds() > h->deadline)
        h->out_of_time = true;
    return h->out_of_time;
}

static void local_search(struct hgs *h, struct ins3 *ia, struct ins3 *ib, double *ra,
                         double *rb)
{
    int n = h->n, g = h->granular;
    h->nb_moves = 1;
    for (int i = n - 1; i > 0; i--) {
        int k = rnd_int(h, i + 1), t = h->order[i];
        h->order[i] = h->order[k];
        h->order[k] = t;
    }
    for (int u = 0; u < n; u++) {
        int *nb = h->neigh + (size_t)u * (size_t)g;
        for (int i = g - 1; i > 0; i--) {
            int k = rnd_int(h, i + 1), t = nb[i];
            nb[i] = nb[k];
            nb[k] = t;
        }
        h->when_tested[u] = -1;
    }
    for (int r = 0; r < h->nv; r++) {
        h->r[r].modified = 0;
        h->r[r].swapstar_tested = -1;
    }
    bool improved = true;
    for (int loop = 0; improved || loop < 2; loop++) {
        improved = false;
        for (int oi = 0; oi < n; oi++) {
            int u = h->order[oi];
            long last = h->when_tested[u];
            h->when_tested[u] = h->nb_moves;
            const int *nb = h->neigh + (size_t)u * (size_t)g;
            for (int k = 0; k < g; k++) {
                int v = nb[k];
                int ru = h->job_route[u], rv = h->job_route[v];
                if (loop > 0 && h->r[ru].modified <= last && h->r[rv].modified <= last)
                    continue;
                bool moved;
                if (ru == rv)
                    moved = moves_intra(h, u, v);
                else
                    moved = moves_inter(h, u, v, false);
                if (!moved && h->job_pos[v] == 1) {
                    ru = h->job_route[u];
                    rv = h->job_route[v];
                    moved = ru == rv ? moves_intra(h, u, -1) : moves_inter(h, u, rv, true);
                }
                if (moved)
                    improved = true;
            }
            if (loop > 0) {
                /* open a new route: one empty route of each vehicle class */
                unsigned char seen[256] = { 0 };
                for (int r = 0; r < h->nv; r++) {
                    if (h->r[r].len)
                        continue;
                    int c = h->vclass[h->r[r].veh];
                    if (c < 256) {
                        if (seen[c])
                            continue;
                        seen[c] = 1;
                    }
                    if (moves_inter(h, u, r, true)) {
                        improved = true;
                        break;
                    }
                }
            }
            if ((oi & 255) == 0 && time_up(h))
                return;
        }
        if (loop > 0 && route_exchange(h))
            improved = true;
        if (loop > 0 && h->have_coords) {
            for (int a = 0; a < h->nv; a++) {
                if (!h->r[a].len)
                    continue;
                long last = h->r[a].swapstar_tested;
                h->r[a].swapstar_tested = h->nb_moves;
                for (int b = a + 1; b < h->nv; b++) {
                    if (!h->r[b].len || (h->r[a].modified <= last && h->r[b].modified <= last))
                        continue;
                    if (!sectors_overlap(&h->r[a], &h->r[b]))
                        continue;
                    if (swap_star(h, a, b, ia, ib, ra, rb))
                        improved = true;
                }
            }
        }
        if (time_up(h))
            return;
    }
}

/* ---- split ------------------------------------------------------------------------------ */

/* Loads the routes chosen by Split (or any list) into the local search state. */
static int load_routes(struct hgs *h, const int *veh_of_route, const int *off, const int *jobs,
                       int nr)
{
    for (int r = 0; r < h->nv; r++)
        h->r[r].len = 0;
    for (int k = 0; k < nr; k++) {
        int r = veh_of_route[k]; /* route index == search vehicle index */
        if (route_reserve(&h->r[r], off[k + 1] - off[k]))
            return SCO_ERR_NOMEM;
        memcpy(h->r[r].nodes + 1, jobs + off[k], (size_t)(off[k + 1] - off[k]) * sizeof *jobs);
        h->r[r].len = off[k + 1] - off[k];
    }
    for (int r = 0; r < h->nv; r++)
        route_update(h, r);
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
            for (int i = 0; i < n; i++) {
                if (P[i] >= 1e299)
                    continue;
                struct seg s = h->dstart[k];
                for (int j = i; j < n && j - i < maxlen; j++) {
                    seg_merge(h, &s, &h->jseg[tour[j]], &s);
                    if (j > i && over_limit(h, k, &s))
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

/* Adds the local search state as an individual; returns true when it is a new best. */
static bool add_individual(struct hgs *h)
{
    struct indiv **pop;
    int *sz;
    struct indiv *x = slot_take(h);
    if (!x)
        return false;
    export_ls(h, x);
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
    for (int r = 0; r < x->nr; r++) {
        const struct lroute *R = &h->r[x->rveh[r]];
        struct seg f;
        struct parts pt;
        f = R->full;
        route_cost(h, R->veh, &f, &pt);
        pool_add_route(h, h->vclass[R->veh], x->rjobs + x->roff[r], x->roff[r + 1] - x->roff[r],
                       pt.base);
    }
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
                                h->class_count, 2000 };
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

static void hgs_free(struct hgs *h)
{
    free(h->neigh);
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
    if (h->ind)
        for (int i = 0; i < h->maxp; i++) {
            free(h->ind[i].tour);
            free(h->ind[i].succ);
            free(h->ind[i].pred);
            free(h->ind[i].rveh);
            free(h->ind[i].roff);
            free(h->ind[i].rjobs);
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
        if (route_reserve(&h->r[r], 8))
            return SCO_ERR_NOMEM;
    }
    size_t dp = h->homogeneous ? (size_t)n + 1 : ((size_t)h->nv + 1) * ((size_t)n + 1);
    if (h->homogeneous && h->nv < n)
        dp = ((size_t)h->nv + 1) * ((size_t)n + 1);
    h->pot = malloc(dp * sizeof *h->pot);
    h->pred = malloc(dp * sizeof *h->pred);
    if (!h->pot || !h->pred)
        return SCO_ERR_NOMEM;
    /* population */
    h->maxp = 2 * (p->mu + p->lambda) + 4;
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
        if (!x->tour || !x->succ || !x->pred || !x->rveh || !x->roff || !x->rjobs)
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

/* One offspring's local search, penalty bookkeeping and optional repair. */
static bool educate_and_add(struct hgs *h, struct ins3 *ia, struct ins3 *ib, double *ra,
                            double *rb)
{
    local_search(h, ia, ib, ra, rb);
    double exl = 0, extw = 0;
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
    }
    if (h->hist_n < 100) {
        h->hist_load[h->hist_n] = exl < 1e-9;
        h->hist_tw[h->hist_n] = extw < 1e-9;
        h->hist_n++;
    }
    bool improved = add_individual(h);
    if ((exl > 1e-9 || extw > 1e-9) && rnd_int(h, 2) == 0 && !h->out_of_time) {
        /* repair (HGS-CVRP): penalties x10, then x100 if still infeasible */
        double pl = h->pen_load, pt = h->pen_tw;
        bool feas = false;
        for (int round = 0; round < 2 && !feas && !h->out_of_time; round++) {
            h->pen_load *= 10;
            h->pen_tw *= 10;
            for (int r = 0; r < h->nv; r++)
                route_update(h, r);
            local_search(h, ia, ib, ra, rb);
            feas = true;
            for (int r = 0; r < h->nv && feas; r++) {
                const struct lroute *R = &h->r[r];
                if (!R->len)
                    continue;
                struct seg f;
                struct parts q;
                f = R->full;
                route_cost(h, R->veh, &f, &q);
                feas = q.exl < 1e-9 && q.extw < 1e-9 && q.exsk < 0.5;
            }
        }
        h->pen_load = pl;
        h->pen_tw = pt;
        for (int r = 0; r < h->nv; r++)
            route_update(h, r);
        if (feas && add_individual(h))
            improved = true;
    }
    return improved;
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

int sco__vrp_solve(const struct vrp_instance *in, const struct vrp_params *p,
                   struct vrp_solution *sol, struct vrp_result *res, struct sco_err *err)
{
    memset(res, 0, sizeof *res);
    double t_begin = sco__vrp_cpu_seconds();
    if (in->n_jobs == 0) {
        sco__vrp_solution_fini(sol);
        sol->off = calloc(1, sizeof *sol->off);
        if (!sol->off)
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
        res->feasible = true;
        return 0;
    }
    if (in->n_vehicles < 1)
        return sco_err_set(err, SCO_ERR_INVALID, "no vehicles to route %d jobs", in->n_jobs);
    if (p->iterations <= 0 && p->seconds <= 0)
        return sco_err_set(err, SCO_ERR_INVALID, "search needs an iteration budget or a time "
                           "limit");
    struct hgs *h = calloc(1, sizeof *h);
    if (!h)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    int rc = hgs_setup(h, in, p);
    int n = in->n_jobs;
    int *child = malloc((size_t)n * sizeof *child);
    struct ins3 *ia = malloc(((size_t)n + 2) * sizeof *ia);
    struct ins3 *ib = malloc(((size_t)n + 2) * sizeof *ib);
    double *ra = malloc(((size_t)n + 2) * sizeof *ra), *rb = malloc(((size_t)n + 2) * sizeof *rb);
    if (rc || !child || !ia || !ib || !ra || !rb) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the search over %d jobs", n);
        goto out;
    }
    h->deadline = p->seconds > 0 ? t_begin + p->seconds : 0;
    /* SP checkpoints as fractions of the budget, and a reserve at the end */
    double sp_res = p->use_sp ? (p->seconds > 0 ? dmin(0.1 * p->seconds, 30) : 0) : 0;
    double search_deadline = h->deadline > 0 ? h->deadline - sp_res : 0;
    const double sp_marks[] = { 0.5, 0.8 };
    int next_mark = 0;
    long no_improve = 0, total = 0;
    long restart_after = 20000;
    bool stop = false;
    while (!stop) {
        /* initial population */
        int n_init = 4 * p->mu;
        for (int k = 0; k < n_init && !stop; k++) {
            random_tour(h, child, k % 2 == 1);
            split(h, child);
            h->deadline = search_deadline;
            educate_and_add(h, ia, ib, ra, rb);
            total++;
            if ((p->iterations > 0 && total >= p->iterations) || time_up(h))
                stop = true;
            if (k >= 4 && h->deadline > 0 &&
                sco__vrp_cpu_seconds() - t_begin > 0.3 * (h->deadline - t_begin))
                break; /* large instance: start breeding */
        }
        no_improve = 0;
        update_biased(h, h->feas, h->n_feas);
        update_biased(h, h->infeas, h->n_infeas);
        while (!stop && h->n_feas + h->n_infeas > 0) {
            struct indiv *a = tournament(h), *b = tournament(h);
            crossover_ox(h, a->tour, b->tour, child);
            split(h, child);
            bool imp = educate_and_add(h, ia, ib, ra, rb);
            total++;
            no_improve = imp ? 0 : no_improve + 1;
            if (h->hist_n == 100)
                adapt_penalties(h);
            if (p->iterations > 0 && total >= p->iterations)
                stop = true;
            if (time_up(h))
                stop = true;
            /* periodic set partitioning over the pool */
            if (p->use_sp && next_mark < 2 && !stop) {
                double frac = p->iterations > 0 ? (double)total / (double)p->iterations : 0;
                if (h->deadline > 0)
                    frac = dmax(frac, (sco__vrp_cpu_seconds() - t_begin) /
                                          (search_deadline - t_begin));
                if (frac >= sp_marks[next_mark]) {
                    next_mark++;
                    /* iteration budget only: no clock, the node limit bounds GLPK */
                    double lim = h->deadline > 0 ? sco__vrp_cpu_seconds() + 0.05 * p->seconds
                                                 : 0;
                    if (pool_solve(h, lim)) {
                        h->sp_improvements++;
                        local_search(h, ia, ib, ra, rb);
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
            if (p->verbose && total % 500 == 0)
                fprintf(stderr, "it %ld t %.1f best %.2f feas %d pl %.2f ptw %.2f pool %d\n",
                        total, sco__vrp_cpu_seconds() - t_begin, h->best_cost, h->n_feas,
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
            local_search(h, ia, ib, ra, rb);
            add_individual(h);
        }
    }
    res->iterations = total;
    res->feasible = h->best_feasible;
    res->cost = h->best_feasible ? h->best_cost : h->best_pcost;
    res->sp_improvements = h->sp_improvements;
    if (sco__vrp_solution_copy(sol, &h->best))
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    res->seconds = sco__vrp_cpu_seconds() - t_begin;
out:
    free(child);
    free(ia);
    free(ib);
    free(ra);
    free(rb);
    hgs_free(h);
    free(h);
    return rc;
}
