/* core.h: runtime, graph and parameter-set structures of the C core (not seen by CUDA). */
#ifndef SCO_RUNTIME_CORE_H
#define SCO_RUNTIME_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"
#include "runtime-host.h"

/* ---- thread pool (pool.c) ---- */
typedef void sco__task_fn(void *ctx, int64_t task);
int sco__pool_new(int threads, struct sco__pool **out);
void sco__pool_free(struct sco__pool *p);
/* Runs fn(ctx, 0..n_tasks-1) on the pool's threads and the caller; returns when all are
 * done. Tasks must be independent; which thread runs which task does not matter for the
 * result. With one thread or one task it runs inline. */
void sco__parallel(struct sco__pool *p, int64_t n_tasks, sco__task_fn *fn, void *ctx);

struct sco_runtime {
    int threads;
    uint64_t seed;
    struct sco__pool *pool;
    struct sco__backend *be; /* NULL: CPU only */
    const struct sco__backend_ops *be_ops;
    void *dl;
    const char *device;
};

struct sco_graph {
    struct sco_runtime *R;
    struct sco_tensor **ts; /* every tensor created in the graph */
    int n_ts, cap_ts;
    struct sco__node **nodes;
    int n_nodes, cap_nodes;
    struct sco_err err; /* first build error */
    bool planned;
    bool training;
    uint64_t seed;
    uint64_t counter; /* compute() calls, for dropout masks */
    struct sco_tensor *loss;
    bool computed;
    char *arena;
    size_t arena_bytes;
    char *grad_base; /* contiguous region of graph-tensor gradients */
    size_t grad_bytes;
    void **owned; /* extra allocations (concat arrays, quantiles) */
    int n_owned, cap_owned;
};

struct sco_params {
    struct sco_runtime *R;
    uint64_t seed;
    struct sco_tensor **ts;
    int n, cap;
    int n_optims; /* optimizers alive */
};

/* memory through the backend (managed memory under CUDA) */
void *sco__mem_alloc(struct sco_runtime *R, size_t bytes);
void sco__mem_free(struct sco_runtime *R, void *p);
int sco__sync(struct sco_runtime *R, struct sco_err *err);

/* CPU kernels (cpu/cpu-backend.c) */
int sco__cpu_forward(struct sco_runtime *R, struct sco__node *n, bool training,
                     struct sco_err *err);
int sco__cpu_backward(struct sco_runtime *R, struct sco__node *n, struct sco_err *err);
/* scratch floats a node needs (decided at plan) */
void sco__cpu_aux_sizes(const struct sco__node *n, size_t *aux, size_t *aux2);
void sco__cpu_init_blas(int threads);
bool sco__cpu_has_blas(void);

/* counter-based RNG shared by init and dropout */
static inline uint64_t sco__mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* the functions behind struct sco_runtime_api (graph.c, exec.c, params.c, optim.c) */
struct sco_graph *sco__graph_new(struct sco_runtime *R);
void sco__graph_free(struct sco_graph *g);
int sco__plan(struct sco_graph *g, struct sco_err *err);
int sco__compute(struct sco_graph *g, struct sco_err *err);
int sco__backward(struct sco_graph *g, struct sco_err *err);
int sco__write(struct sco_tensor *t, const void *src, size_t nbytes, struct sco_err *err);
int sco__read(const struct sco_tensor *t, void *dst, size_t nbytes, struct sco_err *err);
int sco__read_grad(const struct sco_tensor *t, float *dst, size_t nbytes, struct sco_err *err);
float sco__loss_value(const struct sco_graph *g);
void sco__optim_free(struct sco_optim *opt);
int sco__step(struct sco_optim *opt, struct sco_err *err);

/* the rest of the table's functions, declared with the table's own member types so that a
 * definition that drifts from sco-tensor.h fails to compile */
#define B(name) extern __typeof__(*((struct sco_runtime_api *)0)->name) sco__##name;
B(params_new) B(params_free) B(param) B(param_get) B(params_count) B(params_numel)
B(params_zero_grad) B(params_save) B(params_load) B(params_write) B(params_read) B(input)
B(constant) B(matmul) B(linear) B(bias_add) B(add) B(sub) B(mul) B(div) B(scale) B(add_scalar)
B(relu) B(leaky_relu) B(gelu) B(tanh) B(sigmoid) B(softplus) B(exp) B(log) B(softmax)
B(log_softmax) B(sum) B(mean) B(concat) B(slice) B(reshape) B(transpose) B(embedding)
B(dropout) B(layer_norm) B(conv1d) B(gru) B(mse) B(pinball) B(poisson_nll) B(tweedie_nll)
B(bce_logits) B(softmax_xent) B(bpr) B(mark_output) B(mark_loss) B(optim_new) B(optim_lr)
B(optim_grad_norm) B(train_step)
#undef B

/* api table pieces */
extern const struct sco_runtime_api sco__api;

size_t sco__dtype_size(enum sco_dtype t);

#endif
