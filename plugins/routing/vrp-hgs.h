/* vrp-hgs.h: the hybrid genetic search's shared state (private to vrp-hgs.c, the population,
 * split, pool and main loop, and vrp-hgs-ls.c, the local search). Not part of vrp.h: nothing
 * outside these two files uses it. */
#ifndef SCO_VRP_HGS_H
#define SCO_VRP_HGS_H

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
    uint64_t skills_all; /* skills every job of the route needs (all bits when empty) */
    long modified;
    long swapstar_tested;
    int sec_start, sec_end; /* circle sector of the customers around the start depot */
};

struct indiv {
    int slot;
    int *tour, *succ, *pred;
    int nr;
    int *rveh, *roff, *rjobs;
    double *rbase; /* per route: its cost without penalties (for the pool) */
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
    int *neigh; /* n * granular; the local search shuffles it in place */
    int *neigh0; /* the lists as built (parallel search: each offspring starts here) */
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
    size_t dp_size; /* entries of pot and pred */
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

static inline uint64_t rnd(struct hgs *h)
{
    uint64_t z = (h->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline int rnd_int(struct hgs *h, int k) { return k <= 1 ? 0 : (int)(rnd(h) % (uint64_t)k); }

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


static inline int pmod(int i) { return ((i % 65536) + 65536) % 65536; }

/* SWAP*'s three cheapest insertion places of a node into another route. */
struct ins3 {
    double c[3];
    int pos[3]; /* insert after position pos */
};

/* vrp-hgs-ls.c */
int sco__hgs_route_reserve(struct lroute *r, int len);
/* Recomputes route ri's prefix/suffix segments, its cost (exact with several windows or a
 * break), positions and sector. */
void sco__hgs_route_update(struct hgs *h, int ri);
/* True (and remembered) once the CPU deadline has passed. */
bool sco__hgs_time_up(struct hgs *h);
/* Granular local search (relocate, swap, 2-opt, 2-opt*, SWAP*, route exchange) until no move
 * improves; ia, ib, ra, rb are SWAP* scratch of n + 2 entries. */
void sco__hgs_local_search(struct hgs *h, struct ins3 *ia, struct ins3 *ib, double *ra,
                           double *rb);

#endif
