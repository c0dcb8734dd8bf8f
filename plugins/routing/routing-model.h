/* routing-model.h: the business model of the routing plugin (orders, warehouses, vehicles)
 * on top of the VRP core: builds the instance, gives unassigned orders a reason, and turns the
 * search's result into a plan that breaks no constraint. No host types here, so tests link it
 * directly. */
#ifndef SCO_ROUTING_MODEL_H
#define SCO_ROUTING_MODEL_H

#include "vrp.h"

enum rt_reason {
    RT_SERVED = 0,
    RT_RISK_HOLD,    /* the risk stage put the order on hold */
    RT_NO_LOCATION,  /* customer or warehouse unknown, or no coordinates */
    RT_NO_VEHICLE,   /* its warehouse has no vehicle */
    RT_SKILL,        /* no vehicle of its warehouse has the skills it needs */
    RT_CAPACITY,     /* too heavy or bulky for every vehicle that could take it, or the fleet */
    RT_TIME_WINDOW,  /* no vehicle can arrive within its window */
    RT_SHIFT,        /* no vehicle can serve it and be back within shift or max duration */
    RT_NOT_WORTH,    /* serving it costs more than its unassigned penalty */
    RT_FLEET_FULL,   /* servable alone, but no room left in the plan */
    RT_BREAK,        /* its route would fit without the driver break, not with it */
};

const char *sco__rt_reason_name(enum rt_reason r);

#define RT_MAX_WAREHOUSES 32 /* skill bits 0..31 are warehouses, 32..63 named skills */

struct rt_order {
    double lat, lon;
    int wh;                         /* warehouse index, -1 unknown */
    double demand[VRP_MAX_DIM];
    double service;                 /* minutes */
    double tw_open, tw_close;       /* minutes after midnight */
    bool has_tw2;                   /* a second window: service starts in either */
    double tw2_open, tw2_close;
    uint64_t skills;                /* named skills, bits 32.. */
    int priority;
    double penalty;
    bool hold;
    bool no_location;
};

struct rt_vehicle {
    int wh, end_wh;
    double cap[VRP_MAX_DIM];
    double shift_start, shift_end;  /* minutes */
    double fixed_cost, cost_per_km, cost_per_hour;
    double max_duration;            /* minutes, VRP_INF when none */
    uint64_t skills;
    double break_start, break_end;  /* driver break starts within, minutes */
    double break_min;               /* break minutes, 0 = none */
};

struct rt_warehouse {
    double lat, lon;
};

struct rt_problem {
    int n_orders, n_vehicles, n_wh, n_dims;
    const struct rt_order *orders;
    const struct rt_vehicle *vehicles;
    const struct rt_warehouse *wh;
    double speed_kmh, road_factor;
    /* optional matrices over locations: warehouses 0..n_wh-1, then orders (n_wh + i);
     * km and minutes, row-major; NULL = haversine x road_factor at speed_kmh */
    const double *matrix_km, *matrix_min;
    bool keep_all; /* check mode: every order with a location becomes a job */
};

struct rt_plan {
    struct vrp_instance in;   /* jobs = routable orders */
    struct vrp_solution sol;  /* over jobs; vehicles = problem vehicles */
    int n_orders;
    int *reason;              /* per order */
    int *job_of_order;        /* -1 when excluded before the search */
    int *order_of_job;
    struct vrp_result res;
};

/* The job-side windows of an order: one or two; a window whose open is after its close is
 * left out (when none remains the order can never be served: reason time_window). */
void sco__rt_order_windows(const struct rt_order *o, struct vrp_job *jb);

double sco__rt_haversine_km(double lat1, double lon1, double lat2, double lon2);

/* Builds the instance (distances in km, times in minutes, costs per vehicle) and the reasons
 * of orders that no vehicle could serve even alone. */
int sco__rt_build(const struct rt_problem *pb, struct rt_plan *plan, struct sco_err *err);

/* Runs the search, then makes the plan feasible (orders that break a constraint are taken
 * out with its reason, then re-inserted where they fit) and drops orders whose penalty is
 * below the cost of serving them. */
int sco__rt_solve(struct rt_plan *plan, const struct vrp_params *p, struct sco_err *err);

void sco__rt_plan_fini(struct rt_plan *plan);

#endif
