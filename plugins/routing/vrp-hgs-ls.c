/* vrp-hgs-ls.c: the local search of the hybrid genetic search (vrp-hgs.c): routes with
 * prefix/suffix segments, the exact pass for several windows and driver breaks, relocate, swap,
 * 2-opt, 2-opt*, SWAP* and whole-route exchange between vehicle kinds, in Vidal's granular
 * design (see vrp-hgs.c for the references). */
#include "vrp-hgs.h"

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

int sco__hgs_route_reserve(struct lroute *r, int len)
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


void sco__hgs_route_update(struct hgs *h, int ri)
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
    r->skills_all = ~(uint64_t)0;
    for (int i = 1; i <= r->len; i++)
        r->skills_all &= h->jseg[r->nodes[i]].skills;
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
    if (sco__hgs_route_reserve(r, len))
        return SCO_ERR_NOMEM;
    memcpy(r->nodes + 1, seq, (size_t)len * sizeof *seq);
    r->len = len;
    sco__hgs_route_update(h, ri);
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
    /* the bound only when it can filter: its distance look-ups are most of the cost of a
     * move on a large matrix */
#define LBI(x_) (filt ? (x_) : -1e300)
    double rem_u = filt ? D(lup, lun) - D(lup, lu) - D(lu, lun) : 0;
    /* relocate u after v */
    a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_SUF, ru, pu + 1);
    b[0] = PC(P_PRE, rv, pv), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_SUF, rv, pv + 1);
    if (try_inter(h, ru, a, 2, rv, b, 3,
                  LBI(sl - dc * su + ku * rem_u + kv * (D(lv, lu) + D(lu, lvn) - D(lv, lvn)))))
        return true;
    if (x >= 0) {
        /* relocate (u, x) and (x, u) after v */
        double rem_ux = filt ? D(lup, lxn) - D(lup, lu) - D(lu, lx) - D(lx, lxn) : 0;
        a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_SUF, ru, pu + 2);
        b[0] = PC(P_PRE, rv, pv), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_JOB, 0, x);
        b[3] = PC(P_SUF, rv, pv + 1);
        if (try_inter(h, ru, a, 2, rv, b, 4,
                      LBI(sl - dc * (su + sx) + ku * rem_ux +
                          kv * (D(lv, lu) + D(lu, lx) + D(lx, lvn) - D(lv, lvn)))))
            return true;
        b[1] = PC(P_JOB, 0, x), b[2] = PC(P_JOB, 0, u);
        if (try_inter(h, ru, a, 2, rv, b, 4,
                      LBI(sl - dc * (su + sx) + ku * rem_ux +
                          kv * (D(lv, lx) + D(lx, lu) + D(lu, lvn) - D(lv, lvn)))))
            return true;
    }
    if (pv >= 1) {
        /* swap u and v */
        a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_JOB, 0, v), a[2] = PC(P_SUF, ru, pu + 1);
        b[0] = PC(P_PRE, rv, pv - 1), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_SUF, rv, pv + 1);
        if (try_inter(h, ru, a, 3, rv, b, 3,
                      LBI(sl + dc * (sv - su) +
                          ku * (D(lup, lv) + D(lv, lun) - D(lup, lu) - D(lu, lun)) +
                          kv * (D(lvp, lu) + D(lu, lvn) - D(lvp, lv) - D(lv, lvn)))))
            return true;
        if (x >= 0) {
            /* swap (u, x) and v */
            a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_JOB, 0, v), a[2] = PC(P_SUF, ru, pu + 2);
            b[0] = PC(P_PRE, rv, pv - 1), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_JOB, 0, x);
            b[3] = PC(P_SUF, rv, pv + 1);
            if (try_inter(h, ru, a, 3, rv, b, 4,
                          LBI(sl + dc * (sv - su - sx) +
                              ku * (D(lup, lv) + D(lv, lxn) - D(lup, lu) - D(lu, lx) -
                                     D(lx, lxn)) +
                              kv * (D(lvp, lu) + D(lu, lx) + D(lx, lvn) - D(lvp, lv) -
                                    D(lv, lvn)))))
                return true;
            if (y >= 0) {
                /* swap (u, x) and (v, y) */
                a[0] = PC(P_PRE, ru, pu - 1), a[1] = PC(P_JOB, 0, v), a[2] = PC(P_JOB, 0, y);
                a[3] = PC(P_SUF, ru, pu + 2);
                b[0] = PC(P_PRE, rv, pv - 1), b[1] = PC(P_JOB, 0, u), b[2] = PC(P_JOB, 0, x);
                b[3] = PC(P_SUF, rv, pv + 2);
                if (try_inter(h, ru, a, 4, rv, b, 4,
                              LBI(sl + dc * (sv + sy - su - sx) +
                                  ku * (D(lup, lv) + D(lv, ly) + D(ly, lxn) - D(lup, lu) -
                                         D(lu, lx) - D(lx, lxn)) +
                                  kv * (D(lvp, lu) + D(lu, lx) + D(lx, lyn) - D(lvp, lv) -
                                        D(lv, ly) - D(ly, lyn)))))
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
#undef LBI
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
#define LB(x_) (filt && sl + kd * (x_) > -EPS) /* no look-ups without a bound */
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
        double dd = 0;
        if (!filt)
            ;
        else if (pv == pu + 1)
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
        double dd = !filt ? 0
                  : pu < pv ? D(lu, lv) + D(lun, lvn) - D(lu, lun) - D(lv, lvn)
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
    /* every job of one route needs a skill the other vehicle lacks (another warehouse's
     * orders, refrigerated ones): each exchange would add a violation */
    if ((A->skills_all & ~vb->skills) || (B->skills_all & ~va->skills))
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
            /* skip exchanges that put a job on a vehicle without its skills when no job is on
             * such a vehicle now */
            uint64_t ska = h->in->vehicles[h->r[a].veh].skills;
            uint64_t skb = h->in->vehicles[h->r[b].veh].skills;
            uint64_t ja = h->r[a].full.skills, jb = h->r[b].len ? h->r[b].full.skills : 0;
            if (((ja & ~skb) || (jb & ~ska)) && !(ja & ~ska) && !(jb & ~skb))
                continue;
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

bool sco__hgs_time_up(struct hgs *h)
{
    if (h->deadline > 0 && sco__vrp_clock(h->p.wall_clock) > h->deadline)
        h->out_of_time = true;
    return h->out_of_time;
}

void sco__hgs_local_search(struct hgs *h, struct ins3 *ia, struct ins3 *ib, double *ra,
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
                uint64_t need = h->jseg[u].skills;
                /* (tried in every loop from the second on: `last` is that try) */
                bool ru_same = loop > 1 && h->r[h->job_route[u]].modified <= last;
                for (int r = 0; r < h->nv; r++) {
                    if (h->r[r].len)
                        continue;
                    /* nothing changed since u was last tried here, or a vehicle without
                     * u's skills (another warehouse's): no gain */
                    if ((ru_same && h->r[r].modified <= last) ||
                        (need & ~h->in->vehicles[h->r[r].veh].skills))
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
            if ((oi & 255) == 0 && sco__hgs_time_up(h))
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
        if (sco__hgs_time_up(h))
            return;
    }
}
