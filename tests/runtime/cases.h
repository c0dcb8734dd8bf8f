/* cases.h: one small graph per op, shared by the gradient, backend and determinism tests. */
#ifndef SCO_TEST_RUNTIME_CASES_H
#define SCO_TEST_RUNTIME_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include <sco/sco-tensor.h>

#include "runtime-host.h"

#define MAX_FILL 4

struct ctx {
    const struct sco_runtime_api *rt;
    struct sco_runtime *R;
    struct sco_params *ps;
    struct sco_graph *g;
    int nfill;
    struct sco_tensor *ft[MAX_FILL];
    void *fd[MAX_FILL];
    size_t fb[MAX_FILL];
    unsigned rng;
};

typedef struct sco_tensor *build_fn(struct ctx *c);

struct op_case {
    const char *name;
    build_fn *build;
    double tol; /* finite-difference tolerance (absolute + relative) */
};

extern const struct op_case op_cases[];
extern const size_t n_op_cases;
/* larger shapes and training-mode dropout, for the backend comparison only (tol unused) */
extern const struct op_case dev_cases[];
extern const size_t n_dev_cases;

/* A differentiable leaf: parameter with values U(lo, hi). */
struct sco_tensor *leaf(struct ctx *c, const char *name, float lo, float hi, int ndim, ...);
/* A non-differentiable graph input filled after plan (indices or targets). */
struct sco_tensor *fixed_i32(struct ctx *c, int ndim, const int64_t *shape, int mod);
struct sco_tensor *fixed_f32(struct ctx *c, int ndim, const int64_t *shape, float lo, float hi);

/* Builds case k on a new runtime (device, threads): params seeded, loss = sum(out * W) with a
 * fixed random W, planned and inputs written. Returns 0 or an error code. */
struct built {
    struct ctx c;
    struct sco_tensor *out, *loss, *w;
};
int build_case(const struct op_case *k, const char *device, int threads, struct built *b,
               struct sco_err *err);
void free_case(struct built *b);
/* compute + backward; returns 0 or error */
int run_case(struct built *b, struct sco_err *err);

/* Reads output values and all parameter gradients into one malloc'd vector. */
float *snapshot(struct built *b, size_t *n);

#endif
