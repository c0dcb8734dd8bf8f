/* inv-plan-int.h: the per-item stage cost tables shared by the decomposition (inv-plan.c) and
 * the exact MILP (inv-milp.c). */
#ifndef SCO_INV_PLAN_INT_H
#define SCO_INV_PLAN_INT_H

#include "inv.h"

/* One SKU-location's lot-sizing subproblem: states n = 0..S-1 are cumulative cases ordered up
 * to and including stage m; G[m * S + n] is the expected holding + shortage cost of the days
 * stage m's order covers. */
struct sco_inv_sub {
    int32_t M;       /* stages the item can use */
    int32_t S;       /* states */
    int32_t moq_c;   /* minimum cases in a line (>= 1) */
    int32_t arr;     /* lead days (rounded mean) for the receiving rows */
    int32_t wh;
    double fixed;    /* per line */
    double cost_case, vol_case;
    double *G;       /* M x S */
    double *sb;      /* M: storage litres at n = 0 before clipping: vol * (base - mean demand) */
};

struct sco_inv_model {
    int32_t n_items, n_stages, n_wh, n_days;
    struct sco_inv_sub *sub;
    double *cap_b;   /* n_stages, INFINITY when unbounded */
    double *cap_r;   /* n_wh x n_days */
    double *cap_s;   /* n_wh x n_stages */
    double cost_zero;
};

int sco__inv_model_build(const struct sco_inv_problem *pb, struct sco_inv_model *md,
                         struct sco_err *err);
void sco__inv_model_fini(struct sco_inv_model *md);
int sco__inv_plan_alloc(struct sco_inv_plan *plan, const struct sco_inv_model *md,
                        struct sco_err *err);
/* Fills plan usage, item costs and ub from cumulative cases ncum (n_items x n_stages). */
void sco__inv_plan_fill(struct sco_inv_plan *plan, const struct sco_inv_model *md,
                        const int32_t *ncum);

#endif
