/* internal.h: the runtime's private structures, shared by the core, the CPU backend and the
 * CUDA module (compiled as C++ by nvcc, so keep this header C/C++-neutral). Not installed. */
#ifndef SCO_RUNTIME_INTERNAL_H
#define SCO_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sco/sco-plugin.h>
#include <sco/sco-tensor.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sco__op {
    SCO__OP_MATMUL,
    SCO__OP_LINEAR,
    SCO__OP_BIAS_ADD,
    SCO__OP_ADD,
    SCO__OP_SUB,
    SCO__OP_MUL,
    SCO__OP_DIV,
    SCO__OP_SCALE,
    SCO__OP_ADD_SCALAR,
    SCO__OP_RELU,
    SCO__OP_LEAKY_RELU,
    SCO__OP_GELU,
    SCO__OP_TANH,
    SCO__OP_SIGMOID,
    SCO__OP_SOFTPLUS,
    SCO__OP_EXP,
    SCO__OP_LOG,
    SCO__OP_SOFTMAX,
    SCO__OP_LOG_SOFTMAX,
    SCO__OP_SUM,
    SCO__OP_MEAN,
    SCO__OP_CONCAT,
    SCO__OP_SLICE,
    SCO__OP_RESHAPE,
    SCO__OP_TRANSPOSE,
    SCO__OP_EMBEDDING,
    SCO__OP_DROPOUT,
    SCO__OP_LAYER_NORM,
    SCO__OP_CONV1D,
    SCO__OP_GRU,
    SCO__OP_MSE,
    SCO__OP_PINBALL,
    SCO__OP_POISSON,
    SCO__OP_TWEEDIE,
    SCO__OP_BCE,
    SCO__OP_XENT,
    SCO__OP_BPR,
    SCO__OP_COUNT
};

const char *sco__op_name(int op);

struct sco__node;

struct sco_tensor {
    struct sco_graph *g;   /* owning graph, or NULL for a parameter */
    struct sco_params *ps; /* owning parameter set, or NULL */
    enum sco_dtype dtype;
    int ndim;
    int64_t shape[SCO_MAX_DIMS];
    int64_t n;            /* number of elements */
    void *data;           /* host-addressable (CUDA: managed memory); NULL before plan */
    float *grad;          /* NULL when no gradient flows here */
    struct sco__node *src; /* producing node; NULL for inputs, constants, parameters */
    struct sco_tensor *alias_of; /* reshape: shares data and grad with this tensor */
    bool needs_grad;
    bool is_input, is_const, is_output;
    float cval;  /* constant value */
    char *name;  /* parameters */
    size_t off, goff; /* arena offsets (graph tensors) */
    int id;           /* index in its graph, -1 for parameters */
};

#define SCO__MAX_IN 7

struct sco__node {
    int op;
    int n_in;
    struct sco_tensor **in; /* points to in_inline, or to an array owned by the graph */
    struct sco_tensor *in_inline[SCO__MAX_IN];
    struct sco_tensor *out;
    int i0, i1, i2;     /* flags, axis, act, dilation, keepdim ... per op */
    int64_t s0, s1;     /* slice start/len */
    int perm[SCO_MAX_DIMS];
    float f0;           /* slope, scale, p, eps, tweedie power */
    float *fv;          /* pinball quantiles (owned by the graph) */
    int nf;
    float *aux;         /* scratch kept from forward to backward (arena) */
    size_t aux_n;       /* floats */
    float *aux2;        /* scratch used only inside backward (arena) */
    size_t aux2_n;
    uint64_t seed;      /* dropout: graph seed ^ node id; counter in graph */
    uint64_t counter;
};

struct sco__pool;

struct sco__backend;
/* A compute backend other than the CPU one (the CUDA module). Memory it hands out must be
 * host-addressable after sync() (CUDA: managed memory), so that the CPU kernels can run any
 * op the backend does not support on the same buffers. */
#define SCO__BACKEND_OPS_VERSION 2
struct sco__backend_ops {
    uint32_t version;
    const char *name;
    bool (*supports)(struct sco__backend *be, const struct sco__node *n);
    void *(*alloc)(struct sco__backend *be, size_t bytes); /* zeroed, 256-aligned; NULL: OOM */
    void (*free)(struct sco__backend *be, void *p);
    int (*sync)(struct sco__backend *be, struct sco_err *err);
    int (*memset0)(struct sco__backend *be, void *p, size_t bytes, struct sco_err *err);
    int (*forward)(struct sco__backend *be, struct sco__node *n, bool training,
                   struct sco_err *err);
    int (*backward)(struct sco__backend *be, struct sco__node *n, struct sco_err *err);
    /* Adam/AdamW/SGD update of one tensor on the device; NULL: the CPU does it. */
    int (*optim_update)(struct sco__backend *be, int kind, float *w, float *gr, float *m,
                        float *v, int64_t n, const float *hp /* [9]: see optim.c */,
                        struct sco_err *err);
    /* Sum of squares of count tensors (the gradient global norm) without copying them to the
     * host: called for i = 0 .. count-1 in order; the call with i = count-1 stores the total
     * in *out. NULL: the CPU sums them. */
    int (*sumsq)(struct sco__backend *be, const float *g, int64_t n, int i, int count,
                 double *out, struct sco_err *err);
    void (*destroy)(struct sco__backend *be);
};

struct sco__backend_init {
    uint32_t version; /* SCO__BACKEND_OPS_VERSION */
    bool allow_tf32;
    int threads;
};

/* The CUDA module exports this (dlsym name SCO__BACKEND_ENTRY). Returns 0, or
 * SCO_ERR_UNSUPPORTED with "no device" style messages. */
typedef int sco__backend_entry_fn(const struct sco__backend_init *init,
                                  struct sco__backend **out,
                                  const struct sco__backend_ops **ops, struct sco_err *err);
#define SCO__BACKEND_ENTRY "sco_backend_entry"

#ifdef __cplusplus
}
#endif
#endif
