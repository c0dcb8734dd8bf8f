/* inv.h: the inventory planner's core (demand distributions, policies, lot-sizing plan with
 * coupling rows, exact GLPK MILP, replenishment simulator). Linked by the plugin, the tests
 * and the benchmark; nothing here touches the host. Internal API: sco__inv_* / struct
 * sco_inv_*. Functions that can fail return 0 or a negative SCO_ERR_* and fill err. */
#ifndef SCO_INV_H
#define SCO_INV_H

#include <stdbool.h>
#include <stdint.h>

#include <sco/sco-plugin.h>

#define SCO_INV_MAX_LEVELS 40 /* quantile levels per distribution */
#define SCO_INV_MAX_LEADS 3   /* lead-time points of the mixture */

/* ---- Demand distributions ---------------------------------------------------------------
 * Demand over one interval, as a piecewise-linear CDF through knots (x_k, p_k) with x and p
 * non-decreasing (equal x = a point mass), demand >= 0, and an exponential upper tail of scale
 * `tail` beyond the last knot when p_last < 1. Built from quantiles at any set of levels:
 * between levels the CDF is interpolated linearly; below the lowest level the first segment's
 * slope is extended down to p = 0 (clipped at 0 units: the rest becomes a point mass at 0);
 * above the highest level the tail is exponential, its scale fitted to the last two levels. */
struct sco_inv_dist {
    int n;
    double x[SCO_INV_MAX_LEVELS + 2];
    double p[SCO_INV_MAX_LEVELS + 2];
    double above[SCO_INV_MAX_LEVELS + 2]; /* integral of 1 - F from x_k to infinity */
    double tail;
    double mean;
};

/* Builds d from quantiles q[i] at levels[i] (0 <= level <= 1, any order, n >= 1). Quantiles
 * are made monotone (a crossing quantile is raised to the one below) and clipped at 0. */
int sco__inv_dist_init(struct sco_inv_dist *d, const double *levels, const double *q, int n,
                       struct sco_err *err);
double sco__inv_dist_cdf(const struct sco_inv_dist *d, double y);
/* Loss function E[(D - y)^+]. */
double sco__inv_dist_loss(const struct sco_inv_dist *d, double y);
double sco__inv_dist_quantile(const struct sco_inv_dist *d, double p);

/* A mixture of up to SCO_INV_MAX_LEADS distributions (lead-time variability): weights sum to 1.
 * Borrowed pointers. */
struct sco_inv_mix {
    int n;
    const struct sco_inv_dist *d[SCO_INV_MAX_LEADS];
    double w[SCO_INV_MAX_LEADS];
};
double sco__inv_mix_cdf(const struct sco_inv_mix *m, double y);
double sco__inv_mix_loss(const struct sco_inv_mix *m, double y);
double sco__inv_mix_mean(const struct sco_inv_mix *m);
double sco__inv_mix_quantile(const struct sco_inv_mix *m, double p);

/* Lead time L ~ Normal(mean, sd) as up to 3 integer points >= 1 (3-point Gauss-Hermite,
 * equal points merged). Returns the number of points. */
int sco__inv_lead_points(double mean, double sd, int *days, double *w);

/* ---- Policies ----------------------------------------------------------------------------- */
enum sco_inv_service { SCO_INV_CSL, SCO_INV_FILL };
enum sco_inv_round { SCO_INV_ROUND_UP, SCO_INV_ROUND_DOWN, SCO_INV_ROUND_NEAREST };

/* Newsvendor: the critical-ratio quantile cu / (cu + co) of the demand. */
double sco__inv_newsvendor(const struct sco_inv_mix *d, double cu, double co);
/* Order-up-to level for a cycle service level: the beta-quantile of demand over the
 * protection interval (lead time + review). */
double sco__inv_out_csl(const struct sco_inv_mix *prot, double beta);
/* Order-up-to level for a unit fill rate beta: the smallest S with
 * 1 - (E[(D_prot - S)^+] - E[(D_lead - S)^+]) / E[D_review] >= beta (lead may be NULL). */
double sco__inv_out_fill(const struct sco_inv_mix *prot, const struct sco_inv_mix *lead,
                         double mean_review, double beta);
/* Expected unit fill rate of order-up-to level S (same formula). */
double sco__inv_fill_at(const struct sco_inv_mix *prot, const struct sco_inv_mix *lead,
                        double mean_review, double s);

/* Rounds a wanted quantity (units) to whole case packs in direction dir, then applies the
 * MOQ: a positive result below moq becomes moq rounded up to cases (up), 0 (down), or the
 * nearer of the two (nearest). Returns units (a multiple of case_pack). */
int64_t sco__inv_round(double units, int64_t case_pack, int64_t moq, enum sco_inv_round dir);
int sco__inv_round_parse(const char *s, enum sco_inv_round *out);

/* ---- Netting ------------------------------------------------------------------------------
 * An open order line relative to the planning date: arrival `day` (past due -> 0) and signed
 * units (inbound purchase or transfer > 0, outbound transfer < 0). */
struct sco_inv_open {
    int32_t day;
    double qty;
};
/* Stock available from day `day` on: on_hand plus every open line arriving on or before it
 * (outbound transfers count from day 0: the stock is committed). */
double sco__inv_position(double on_hand, const struct sco_inv_open *open, int n, int32_t day);

/* ---- The plan -----------------------------------------------------------------------------
 * Order days are t_m = m * review_days for t_m < horizon_days (stage m). An order at stage m
 * arrives after the item's lead time. Each SKU-location chooses whole cases per stage (0 or
 * at least the MOQ) minimising fixed cost per line + holding + shortage penalty, where the
 * cost of stage m is the expected cost of the days its order covers: holding on expected
 * stock each day and the penalty on the expected shortfall at the end of the period (demand
 * from the forecast's cumulative quantiles, mixed over lead-time variability). Coupling rows:
 * budget per order day (value ordered), warehouse receiving volume per arrival day, and
 * warehouse storage volume (expected stock right after each arrival). */
struct sco_inv_item {
    int32_t wh;              /* warehouse index */
    double unit_cost;        /* money per unit */
    double volume_l;         /* litres per unit */
    double hold;             /* holding cost per unit per day */
    double penalty;          /* lost-sale penalty per unit */
    double fixed;            /* fixed cost per order line */
    int64_t case_pack;       /* units per case, >= 1 */
    int64_t moq;             /* minimum order quantity in units, >= 0 */
    double lead_mean;        /* days, >= 0 */
    double lead_sd;          /* days, >= 0 */
    double on_hand;          /* units, >= 0 */
    const struct sco_inv_open *open;
    int32_t n_open;
    int32_t n_days;          /* forecast rows k = 1..n_days */
    const double *cum_q;     /* n_days x n_levels: quantiles of demand over the first k days */
    int32_t order_offset;    /* days from each review to the supplier's next order weekday */
};

struct sco_inv_problem {
    int32_t n_items;
    const struct sco_inv_item *items;
    int32_t n_levels;
    const double *levels;
    int32_t n_wh;
    const double *storage_l;   /* n_wh, <= 0 or inf: unbounded; may be NULL */
    const double *receiving_l; /* n_wh, per day, <= 0 or inf: unbounded; may be NULL */
    double budget;             /* per order day, <= 0 or inf: unbounded */
    int32_t review_days;
    int32_t horizon_days;
    double service_target;     /* 0..1: floor on the penalty (critical ratio), 0 = none */
    int32_t max_iter;          /* Lagrangian iterations, default 150 */
    double target_gap;         /* stop when the gap is below this, default 0.001 */
    uint64_t seed;
    /* Shortage term of a stage: false = expected cumulative shortfall at the period's end
     * (backorder view; convex, the exact MILP accepts it); true = only the shortfall arising
     * within the period (lost-sales view; may be non-convex: decomposition only). */
    bool lost_sales;
    /* Terminal value (decomposition only; may be non-convex): the last stage also pays the
     * relative cost of continuing past the horizon with the expected leftover stock x as an
     * EOQ cycle at the forecast's mean daily rate mu, V(x) = (sqrt(h / (2 mu)) x - sqrt(K))^2
     * (K = fixed cost per line: K when nothing is left, 0 at the economic lot sqrt(2 K mu / h),
     * growing with holding beyond it). Without it the plan sees no value in stock beyond the
     * horizon and orders lots of at most a horizon's demand however cheap holding is. */
    bool terminal_value;
    /* Recourse (the plan is re-made at every review, only today's lines are firm): a later
     * stage m's costs see only the uncertainty of demand after its order day t_m (demand up to
     * t_m enters with its mean), D_k ~ (mean_k - mean_(k - t_m)) + D_(k - t_m), instead of
     * the whole uncertainty from today (open loop), which protects every later stage against
     * the demand of the whole horizon and inflates lots and safety stock. Convex. */
    bool recourse;
};

enum { SCO_INV_CUT_BUDGET = 1, SCO_INV_CUT_RECEIVING = 2, SCO_INV_CUT_STORAGE = 4 };

struct sco_inv_plan {
    int32_t n_items, n_stages, n_wh, n_days; /* n_days: receiving rows per warehouse */
    int32_t *cases;        /* n_items x n_stages: cases ordered at stage m */
    int32_t *n_valid;      /* n_items: stages the item can use (0: none) */
    int32_t *arrive;       /* n_items: lead days used for receiving rows */
    uint8_t *cut;          /* n_items: SCO_INV_CUT_* the repair applied */
    uint8_t *binding;      /* n_items: SCO_INV_CUT_* rows with a positive price it uses */
    double *budget_used;   /* n_stages */
    double *storage_used;  /* n_wh x n_stages (expected litres after arrival) */
    double *recv_used;     /* n_wh x n_days */
    double *item_cost;     /* n_items: cost of the item's plan */
    double ub, lb, gap;    /* plan cost, lower bound, (ub - lb) / ub */
    double cost_zero;      /* cost of ordering nothing */
    int32_t iters;
};

/* Solves the plan by Lagrangian relaxation of the coupling rows (subgradient), an exact
 * dynamic programme per SKU-location, and greedy repair; fills plan (free with fini). */
int sco__inv_solve(const struct sco_inv_problem *pb, struct sco_inv_plan *plan,
                   struct sco_err *err);
/* The same model as one GLPK MILP (small instances). status: 0 optimal, 1 time limit (obj is
 * then the incumbent and *bound the best bound). */
int sco__inv_solve_milp(const struct sco_inv_problem *pb, double time_limit_s,
                        struct sco_inv_plan *plan, double *bound, struct sco_err *err);
void sco__inv_plan_fini(struct sco_inv_plan *plan);
/* Cost of an item's stage table at cumulative cases n (for explanations): expected holding +
 * penalty of stage m; NAN if out of range. Valid after solve, before fini. */

/* ---- Simulator ----------------------------------------------------------------------------
 * Daily replenishment over n_days for n_items, the same for every policy: (1) receive arrivals
 * due today, (2) serve demand from on-hand, unmet demand is lost, (3) on review days the policy
 * decides cases per item from what is known up to today; orders below the MOQ are raised to
 * it, orders arriving after the window are not placed, the budget per review day is enforced
 * by cutting the last items' lines, (4) holding is charged on end-of-day stock. */
struct sco_inv_sim_item {
    double hold, penalty, fixed, unit_cost;
    int64_t case_pack, moq;
    double on_hand0;
    const double *demand;  /* n_days */
    const int32_t *lead;   /* n_days: realised lead time of an order placed that day */
};
struct sco_inv_sim_state {
    int32_t day;
    const double *on_hand;  /* n_items */
    const double *pipeline; /* n_items x n_days: units due on each day (future only) */
};
/* Returns cases to order per item in out[n_items]. */
typedef int sco_inv_policy_fn(void *ctx, const struct sco_inv_sim_state *st, int64_t *out,
                              struct sco_err *err);
struct sco_inv_sim_result {
    double holding, lost_cost, fixed_cost, total;
    double demand, served, lost;
    double cycles, cycles_ok; /* review cycles with demand, and those without a lost sale */
    double lines, cut_lines;
};
int sco__inv_simulate(const struct sco_inv_sim_item *items, int32_t n_items, int32_t n_days,
                      int32_t first_review, int32_t review_days, double budget,
                      sco_inv_policy_fn *policy, void *ctx, struct sco_inv_sim_result *per_item,
                      struct sco_inv_sim_result *total, struct sco_err *err);
/* The hindsight optimum of one item (true demand and lead times known; same rules) as a
 * GLPK MILP; *bound gets a valid lower bound (== cost when proven optimal). */
int sco__inv_hindsight(const struct sco_inv_sim_item *it, int32_t n_days, int32_t first_review,
                       int32_t review_days, double time_limit_s, double *cost, double *bound,
                       struct sco_err *err);

#endif
