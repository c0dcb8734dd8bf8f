/* sco-tensor.h: the shared tensor runtime, as seen by plugins.
 *
 * One runtime per run: the host creates it (CPU, or CUDA when run.device allows and a device
 * answers) and hands plugins the function table `host->rt` (struct sco_runtime_api) and the
 * runtime itself through `host->runtime(ctx)`. Plugins never create threads, BLAS handles or
 * GPU contexts of their own.
 *
 * The model: persistent, named parameters live in a parameter set (struct sco_params); a
 * graph (struct sco_graph) is built from inputs, parameters and ops, planned once (all
 * buffers sized and allocated in one arena), then computed as often as needed: write
 * inputs, compute (forward), backward (reverse-mode autodiff from the scalar loss, gradients
 * land in the parameter set), optimizer step. Nothing is allocated per training step.
 *
 * A 3-layer MLP trained with Adam (error checks trimmed):
 *
 *     const struct sco_runtime_api *rt = host->rt;
 *     struct sco_runtime *R = host->runtime(ctx);
 *     struct sco_params *ps = rt->params_new(R, seed, err);
 *     struct sco_tensor *w1 = rt->param(ps, "w1", 2, (int64_t[]){ 64, 512 },
 *                                       SCO_INIT_HE_UNIFORM, 0, err);
 *     struct sco_tensor *b1 = rt->param(ps, "b1", 1, (int64_t[]){ 512 }, SCO_INIT_ZEROS, 0, err);
 *     ... w2, b2 (512x512), w3, b3 (512x9) likewise ...
 *     struct sco_graph *g = rt->graph_new(R);
 *     struct sco_tensor *x = rt->input(g, SCO_F32, 2, (int64_t[]){ 512, 64 });
 *     struct sco_tensor *y = rt->input(g, SCO_F32, 2, (int64_t[]){ 512, 9 });
 *     struct sco_tensor *h = rt->linear(g, x, w1, b1, SCO_ACT_RELU);
 *     h = rt->linear(g, h, w2, b2, SCO_ACT_RELU);
 *     struct sco_tensor *pred = rt->linear(g, h, w3, b3, SCO_ACT_NONE);
 *     rt->mark_output(g, pred);
 *     rt->mark_loss(g, rt->mse(g, pred, y));
 *     rc = rt->plan(g, err);
 *     struct sco_optim *opt = rt->optim_new(ps, &(struct sco_optim_opts){
 *         .kind = SCO_OPTIM_ADAM, .lr = 1e-3f }, err);
 *     for (each batch) {
 *         rt->write(x, xb, sizeof xb, err); rt->write(y, yb, sizeof yb, err);
 *         rc = rt->train_step(g, opt, err);        // compute + backward + step
 *     }
 *     rt->params_save(ps, "model.scop", err);
 *     rt->optim_free(opt); rt->graph_free(g); rt->params_free(ps);
 *
 * Conventions
 * - Tensors are row-major, 1 to 4 dimensions (SCO_MAX_DIMS), int64_t sizes. F32 for values,
 *   I32 or I64 for indices and labels. A tensor belongs to one graph or one parameter set; it
 *   is owned by it and freed with it (never free a struct sco_tensor yourself).
 * - Graph-building functions never fail loudly: on a bad argument (shape mismatch, NULL
 *   input, wrong dtype) they return NULL and record the first error in the graph; plan()
 *   then returns it (e.g. "matmul: inner sizes differ (a is 32x3, b is 4x5); ..."). So ops
 *   can be chained without checking each result. An op given a NULL input returns NULL.
 * - Functions that can fail return 0 or a negative SCO_ERR_* and fill struct sco_err.
 * - Broadcasting follows NumPy: shapes are right-aligned; a size-1 (or missing) dimension
 *   stretches. Gradients of broadcast operands are summed over the stretched dimensions.
 * - Determinism: on the CPU backend, the same seed gives bit-identical results whatever the
 *   thread count (fixed work partitioning, no order-dependent atomics). Dropout masks are a
 *   counter-based hash of (graph seed, compute count, element index).
 * - Thread safety: one graph is used by one thread at a time. Different graphs of one
 *   runtime may not be computed concurrently (they share the runtime's thread pool).
 *
 * ABI: struct sco_runtime_api starts with `version` and `size`. Members are appended, never
 * reordered or removed; a plugin built against a newer header checks
 * `rt->size > offsetof(struct sco_runtime_api, member)` before calling a newer member.
 * Everything below appeared in SCO_RUNTIME_API_VERSION 1 unless marked otherwise.
 */
#ifndef SCO_TENSOR_H
#define SCO_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sco/sco-plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCO_RUNTIME_API_VERSION 1 /* bumped when members are appended */
#define SCO_MAX_DIMS 4
#define SCO_AXIS_ALL 127 /* reduce over every axis (sum/mean) to a tensor of shape [1] */

/* Element types. Values are F32; I32/I64 hold indices (embedding rows, class labels). */
enum sco_dtype { SCO_F32 = 0, SCO_I32 = 1, SCO_I64 = 2 };

/* Parameter initialisation schemes. fan_in/fan_out: for a 2-D [in, out] weight they are its
 * two sizes; for a conv1d weight [k, cin, cout], fan_in = k*cin and fan_out = k*cout; for 1-D
 * tensors fan_in = fan_out = size. `scale` in param() is the scheme's parameter:
 *   ZEROS, ONES          scale ignored
 *   CONST                every element = scale
 *   NORMAL               N(0, scale^2)                       (scale 0: 0.02)
 *   UNIFORM              U(-scale, scale)                    (scale 0: 0.05)
 *   XAVIER_UNIFORM       U(-a, a), a = gain*sqrt(6/(fan_in+fan_out))
 *   XAVIER_NORMAL        N(0, gain^2 * 2/(fan_in+fan_out))
 *   HE_UNIFORM           U(-a, a), a = gain*sqrt(6/fan_in)    (Kaiming, for ReLU)
 *   HE_NORMAL            N(0, gain^2 * 2/fan_in)
 * where gain = scale, or 1 when scale is 0. Random schemes draw from a generator seeded by
 * (parameter-set seed, parameter name), so values do not depend on creation order. */
enum sco_init {
    SCO_INIT_ZEROS = 0,
    SCO_INIT_ONES,
    SCO_INIT_CONST,
    SCO_INIT_NORMAL,
    SCO_INIT_UNIFORM,
    SCO_INIT_XAVIER_UNIFORM,
    SCO_INIT_XAVIER_NORMAL,
    SCO_INIT_HE_UNIFORM,
    SCO_INIT_HE_NORMAL,
};

/* Activations fused into linear() and conv1d() (applied after the bias). */
enum sco_act {
    SCO_ACT_NONE = 0,
    SCO_ACT_RELU,
    SCO_ACT_GELU, /* exact: x * Phi(x), as torch.nn.GELU() */
    SCO_ACT_TANH,
    SCO_ACT_SIGMOID,
};

/* matmul() flags: use the transpose of the last two dimensions of a and/or b. */
#define SCO_TRANS_A 1u
#define SCO_TRANS_B 2u

enum sco_optim_kind { SCO_OPTIM_SGD = 0, SCO_OPTIM_ADAM, SCO_OPTIM_ADAMW };

/* Learning-rate schedule, as a factor on opts.lr at step s (s counts from 0):
 *   NONE    1
 *   COSINE  after warm-up: min_lr_frac + (1-min_lr_frac) * (1+cos(pi*p))/2, with
 *           p = (s-warmup_steps)/(total_steps-warmup_steps) clamped to [0,1]
 *   STEP    after warm-up: gamma ^ floor((s-warmup_steps)/step_size)
 * Warm-up (any schedule, warmup_steps > 0): factor (s+1)/warmup_steps for s < warmup_steps. */
enum sco_sched { SCO_SCHED_NONE = 0, SCO_SCHED_COSINE, SCO_SCHED_STEP };

/* Optimizer settings. Zero-initialise and set what you need: a member left 0 takes the
 * default in brackets (so beta1 = 0 cannot be asked for; use 1e-9f). */
struct sco_optim_opts {
    enum sco_optim_kind kind;
    float lr;           /* base learning rate (1e-3) */
    float momentum;     /* SGD momentum; 0 = plain SGD (0) */
    bool nesterov;      /* SGD Nesterov momentum (false) */
    float beta1, beta2; /* Adam/AdamW (0.9, 0.999) */
    float eps;          /* Adam/AdamW (1e-8) */
    float weight_decay; /* SGD and Adam: L2 added to the gradient; AdamW: decoupled (0) */
    float clip_norm;    /* clip gradients by global L2 norm over the set; 0 = off (0) */
    enum sco_sched sched;
    int64_t warmup_steps; /* linear warm-up length (0) */
    int64_t total_steps;  /* COSINE: steps until the floor is reached (required for COSINE) */
    int64_t step_size;    /* STEP: steps between decays (required for STEP) */
    float gamma;          /* STEP: decay factor (0.1) */
    float min_lr_frac;    /* COSINE: floor as a fraction of lr (0) */
};

struct sco_runtime; /* one per run, owned by the host */
struct sco_graph;   /* a computation graph: owned by the caller, graph_free() */
struct sco_tensor;  /* owned by its graph or parameter set */
struct sco_params;  /* a named parameter set: owned by the caller, params_free() */
struct sco_optim;   /* an optimizer over one parameter set: owned by the caller */

struct sco_runtime_api {
    uint32_t version; /* SCO_RUNTIME_API_VERSION of the runtime */
    uint32_t size;    /* sizeof(struct sco_runtime_api) in the runtime */

    /* ---- Runtime facts --------------------------------------------------------------- */

    /* "cpu" or "cuda": the backend that computes. Static string. */
    const char *(*device)(const struct sco_runtime *R);
    /* Thread budget of the CPU backend (>= 1). */
    int (*threads)(const struct sco_runtime *R);
    /* The run's default seed (run.seed). */
    uint64_t (*seed)(const struct sco_runtime *R);

    /* ---- Parameter sets -------------------------------------------------------------- */

    /* New empty parameter set. `seed` drives the random init schemes. Returns NULL (err
     * filled) when out of memory. Free with params_free(). */
    struct sco_params *(*params_new)(struct sco_runtime *R, uint64_t seed, struct sco_err *err);
    /* Frees the set, its tensors and their gradients. NULL: no-op. Free graphs and
     * optimizers using the set first. */
    void (*params_free)(struct sco_params *ps);
    /* Adds an F32 parameter named `name` (copied; unique in the set, [A-Za-z0-9_./-], up to
     * 127 bytes) with the given shape, initialised by `init`/`scale` (see enum sco_init).
     * Returns the tensor (owned by the set; usable as an operand in any graph of the same
     * runtime) or NULL with err filled (duplicate name, bad shape, out of memory).
     * Parameters are trainable: backward() accumulates their gradients. */
    struct sco_tensor *(*param)(struct sco_params *ps, const char *name, int ndim,
                                const int64_t *shape, enum sco_init init, float scale,
                                struct sco_err *err);
    /* Parameter by name, or NULL. Borrowed. */
    struct sco_tensor *(*param_get)(struct sco_params *ps, const char *name);
    /* Number of parameters and of F32 elements in all of them. */
    size_t (*params_count)(const struct sco_params *ps);
    int64_t (*params_numel)(const struct sco_params *ps);
    /* Sets every parameter gradient to zero (optimizer steps do this themselves). */
    void (*params_zero_grad)(struct sco_params *ps);

    /* Saves every parameter (names, shapes, values) to `path` atomically (temporary file,
     * fsync, rename). Format: "SCOPARAM" magic, format version, count, records, and a
     * CRC-32 of everything before it. */
    int (*params_save)(const struct sco_params *ps, const char *path, struct sco_err *err);
    /* Loads `path` into the set: every parameter of the set must be in the file with the
     * same shape, and the file may hold no others. The whole file is read and checked
     * (magic, version, size, checksum, names, shapes) before any value is copied, so a
     * corrupt, truncated or mismatched file is refused (SCO_ERR_DATA, or SCO_ERR_IO when
     * it cannot be read) and leaves the set unchanged. Messages name the file and what
     * differs, e.g. "parameter file 'm.scop' is corrupt (checksum mismatch); retrain". */
    int (*params_load)(struct sco_params *ps, const char *path, struct sco_err *err);
    /* The same through an open stream (e.g. host->file_create(); the caller commits or
     * closes it). `what` names the stream in messages. params_read reads to end of file. */
    int (*params_write)(const struct sco_params *ps, FILE *f, const char *what,
                        struct sco_err *err);
    int (*params_read)(struct sco_params *ps, FILE *f, const char *what, struct sco_err *err);

    /* ---- Graphs ---------------------------------------------------------------------- */

    /* New empty graph on runtime R; NULL only when out of memory. Free with graph_free(). */
    struct sco_graph *(*graph_new)(struct sco_runtime *R);
    /* Frees the graph, its tensors and buffers. NULL: no-op. */
    void (*graph_free)(struct sco_graph *g);
    /* Seed of the graph's dropout masks (default: the runtime's seed). */
    void (*graph_seed)(struct sco_graph *g, uint64_t seed);
    /* Training mode (default true): dropout drops. Eval mode: dropout is the identity. */
    void (*set_training)(struct sco_graph *g, bool training);

    /* An input tensor written with write() before each compute. */
    struct sco_tensor *(*input)(struct sco_graph *g, enum sco_dtype dtype, int ndim,
                                const int64_t *shape);
    /* A graph constant: F32 tensor filled with `value` at plan time. */
    struct sco_tensor *(*constant)(struct sco_graph *g, float value, int ndim,
                                   const int64_t *shape);

    /* Shape queries; work on any tensor, before or after plan. ndim 0 for NULL. */
    int (*ndim)(const struct sco_tensor *t);
    int64_t (*dim)(const struct sco_tensor *t, int axis); /* axis < 0 counts from the end */
    int64_t (*numel)(const struct sco_tensor *t);
    enum sco_dtype (*dtype)(const struct sco_tensor *t);

    /* ---- Ops: linear algebra --------------------------------------------------------- */

    /* Matrix product over the last two dimensions, with SCO_TRANS_A/SCO_TRANS_B flags.
     * a [..., M, K] (or [..., K, M] with TRANS_A); b [K, N] (shared by every batch) or
     * [..., K, N] with the same leading dimensions as a. Out [..., M, N]. */
    struct sco_tensor *(*matmul)(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b,
                                 unsigned flags);
    /* act(x @ w + b): x [..., in], w [in, out], b [out] or NULL. Fused: one GEMM, then bias
     * and activation in one pass (and one pass back). */
    struct sco_tensor *(*linear)(struct sco_graph *g, struct sco_tensor *x, struct sco_tensor *w,
                                 struct sco_tensor *b, enum sco_act act);
    /* x + b with b [C] broadcast over every leading dimension of x [..., C]. */
    struct sco_tensor *(*bias_add)(struct sco_graph *g, struct sco_tensor *x,
                                   struct sco_tensor *b);

    /* ---- Ops: elementwise (broadcasting) --------------------------------------------- */
    struct sco_tensor *(*add)(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b);
    struct sco_tensor *(*sub)(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b);
    struct sco_tensor *(*mul)(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b);
    struct sco_tensor *(*div)(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b);
    /* c * x */
    struct sco_tensor *(*scale)(struct sco_graph *g, struct sco_tensor *x, float c);
    /* x + c */
    struct sco_tensor *(*add_scalar)(struct sco_graph *g, struct sco_tensor *x, float c);

    /* ---- Ops: activations and unary functions ---------------------------------------- */
    struct sco_tensor *(*relu)(struct sco_graph *g, struct sco_tensor *x);
    /* x if x > 0 else slope * x */
    struct sco_tensor *(*leaky_relu)(struct sco_graph *g, struct sco_tensor *x, float slope);
    struct sco_tensor *(*gelu)(struct sco_graph *g, struct sco_tensor *x); /* exact (erf) */
    struct sco_tensor *(*tanh)(struct sco_graph *g, struct sco_tensor *x);
    struct sco_tensor *(*sigmoid)(struct sco_graph *g, struct sco_tensor *x);
    struct sco_tensor *(*softplus)(struct sco_graph *g, struct sco_tensor *x); /* log(1+e^x) */
    struct sco_tensor *(*exp)(struct sco_graph *g, struct sco_tensor *x);
    /* natural log; the caller keeps x > 0 */
    struct sco_tensor *(*log)(struct sco_graph *g, struct sco_tensor *x);
    /* softmax and log-softmax over the last axis (numerically stable) */
    struct sco_tensor *(*softmax)(struct sco_graph *g, struct sco_tensor *x);
    struct sco_tensor *(*log_softmax)(struct sco_graph *g, struct sco_tensor *x);

    /* ---- Ops: reductions and shape --------------------------------------------------- */

    /* Sum / mean over `axis` (negative counts from the end); the reduced axis is kept with
     * size 1 when keepdim, removed otherwise. axis = SCO_AXIS_ALL: over all, out shape [1]. */
    struct sco_tensor *(*sum)(struct sco_graph *g, struct sco_tensor *x, int axis, bool keepdim);
    struct sco_tensor *(*mean)(struct sco_graph *g, struct sco_tensor *x, int axis,
                               bool keepdim);
    /* Concatenation of n tensors (same shape except along axis) along `axis`. The array
     * is copied. */
    struct sco_tensor *(*concat)(struct sco_graph *g, struct sco_tensor *const *xs, int n,
                                 int axis);
    /* x[..., start:start+len, ...] along `axis`. */
    struct sco_tensor *(*slice)(struct sco_graph *g, struct sco_tensor *x, int axis,
                                int64_t start, int64_t len);
    /* Same elements, new shape; one size may be -1 (inferred). No copy. */
    struct sco_tensor *(*reshape)(struct sco_graph *g, struct sco_tensor *x, int ndim,
                                  const int64_t *shape);
    /* Axis permutation: out.shape[i] = x.shape[perm[i]]. perm has ndim(x) entries. */
    struct sco_tensor *(*transpose)(struct sco_graph *g, struct sco_tensor *x, const int *perm);

    /* ---- Ops: layers ----------------------------------------------------------------- */

    /* Embedding lookup: table [V, D] (usually a parameter), idx I32/I64 of any shape with
     * values in [0, V) (compute() fails with SCO_ERR_DATA naming the first bad index).
     * Out idx.shape + [D]. The gradient scatter-adds into the table's rows. */
    struct sco_tensor *(*embedding)(struct sco_graph *g, struct sco_tensor *table,
                                    struct sco_tensor *idx);
    /* Inverted dropout: in training mode zero each element with probability p and scale the
     * rest by 1/(1-p); identity in eval mode. 0 <= p < 1. */
    struct sco_tensor *(*dropout)(struct sco_graph *g, struct sco_tensor *x, float p);
    /* Layer normalisation over the last axis: (x-mean)/sqrt(var+eps) * gamma + beta, with
     * gamma, beta [C] (either may be NULL: 1 and 0). eps 0: 1e-5. */
    struct sco_tensor *(*layer_norm)(struct sco_graph *g, struct sco_tensor *x,
                                     struct sco_tensor *gamma, struct sco_tensor *beta,
                                     float eps);
    /* Causal dilated 1-D convolution over time, for sequences laid out [B, T, Cin]:
     *   out[b,t,o] = act(bias[o] + sum_{k,c} w[k,c,o] * x[b, t - dilation*(K-1-k), c])
     * with x taken as 0 before t = 0 (left padding), so out[t] sees only x[<= t].
     * w [K, Cin, Cout]; b [Cout] or NULL. Out [B, T, Cout]. Stack with dilation 1, 2, 4 ...
     * for a temporal convolutional network. */
    struct sco_tensor *(*conv1d)(struct sco_graph *g, struct sco_tensor *x, struct sco_tensor *w,
                                 struct sco_tensor *b, int dilation, enum sco_act act);
    /* Gated recurrent unit over x [B, T, I] (PyTorch's gate order r, z, n):
     *   r = sigma(x W_ir + b_ir + h W_hr + b_hr), z = sigma(x W_iz + b_iz + h W_hz + b_hz),
     *   n = tanh(x W_in + b_in + r * (h W_hn + b_hn)), h' = (1-z) * n + z * h
     * w_ih [I, 3H], w_hh [H, 3H], b_ih and b_hh [3H] (either may be NULL), h0 [B, H] or NULL
     * (zeros). Out: every hidden state, [B, T, H]; slice t = T-1 for the last. */
    struct sco_tensor *(*gru)(struct sco_graph *g, struct sco_tensor *x, struct sco_tensor *w_ih,
                              struct sco_tensor *w_hh, struct sco_tensor *b_ih,
                              struct sco_tensor *b_hh, struct sco_tensor *h0);

    /* ---- Losses: each returns the mean over elements, shape [1] ---------------------- */

    /* mean((pred - target)^2); target same shape as pred. */
    struct sco_tensor *(*mse)(struct sco_graph *g, struct sco_tensor *pred,
                              struct sco_tensor *target);
    /* Pinball (quantile) loss for nq quantile levels at once: pred [..., nq] holds one
     * prediction per level, target [...] or [..., 1]. For level q and u = y - pred:
     * max(q*u, (q-1)*u); mean over all elements. `qs` (each in (0,1)) is copied. */
    struct sco_tensor *(*pinball)(struct sco_graph *g, struct sco_tensor *pred,
                                  struct sco_tensor *target, const float *qs, int nq);
    /* Poisson NLL with log-rate input: mean(exp(lr) - y * lr) (constant log y! dropped). */
    struct sco_tensor *(*poisson_nll)(struct sco_graph *g, struct sco_tensor *log_rate,
                                      struct sco_tensor *target);
    /* Tweedie NLL with log-mean input and power 1 < p < 2:
     * mean(-y * exp((1-p) lm) / (1-p) + exp((2-p) lm) / (2-p)). */
    struct sco_tensor *(*tweedie_nll)(struct sco_graph *g, struct sco_tensor *log_mu,
                                      struct sco_tensor *target, float p);
    /* Binary cross-entropy on logits, stable: mean(max(x,0) - x*y + log(1 + exp(-|x|))). */
    struct sco_tensor *(*bce_logits)(struct sco_graph *g, struct sco_tensor *logits,
                                     struct sco_tensor *target);
    /* Softmax cross-entropy: logits [N, C], labels I32/I64 [N] in [0, C) (compute() fails
     * with SCO_ERR_DATA naming the first bad label): mean(-log_softmax(logits)[n, label[n]]). */
    struct sco_tensor *(*softmax_xent)(struct sco_graph *g, struct sco_tensor *logits,
                                       struct sco_tensor *labels);
    /* Bayesian personalised ranking: mean(-log sigmoid(pos - neg)), pos and neg same shape
     * (scores of the observed and of a sampled negative item). */
    struct sco_tensor *(*bpr)(struct sco_graph *g, struct sco_tensor *pos, struct sco_tensor *neg);

    /* ---- Planning and running -------------------------------------------------------- */

    /* Keeps t readable after compute() (outputs, inputs, the loss and parameters always
     * are; other intermediates may share memory after plan). */
    void (*mark_output)(struct sco_graph *g, struct sco_tensor *t);
    /* Declares the loss that backward() differentiates (one F32 element). Without it plan()
     * allocates no gradient buffers and backward() fails. */
    void (*mark_loss)(struct sco_graph *g, struct sco_tensor *loss);
    /* Checks the graph (first build error, if any, comes back here), allocates every buffer
     * once, and fills constants. After plan the graph is frozen: adding ops fails. */
    int (*plan)(struct sco_graph *g, struct sco_err *err);

    /* Host memory -> tensor (an input, or a parameter to set its values). nbytes must be
     * numel * element size (4 for F32/I32, 8 for I64). After plan for graph tensors. */
    int (*write)(struct sco_tensor *t, const void *src, size_t nbytes, struct sco_err *err);
    /* Tensor -> host memory, same size rule. */
    int (*read)(const struct sco_tensor *t, void *dst, size_t nbytes, struct sco_err *err);
    /* Gradient of the loss with respect to t (a parameter, or a graph tensor on the path to
     * the loss) -> host memory, after backward(). F32 only. */
    int (*read_grad)(const struct sco_tensor *t, float *dst, size_t nbytes, struct sco_err *err);
    /* The loss value after compute(), as a float (NaN if no loss is marked). */
    float (*loss_value)(const struct sco_graph *g);

    /* Forward pass: computes every tensor from the inputs and parameters. SCO_ERR_DATA for
     * bad index data; SCO_ERR_INTERNAL for backend failures. */
    int (*compute)(struct sco_graph *g, struct sco_err *err);
    /* Reverse pass from the marked loss (d loss/d loss = 1) after compute(): gradients of
     * graph tensors are overwritten; parameter gradients are ADDED to (so several graphs may
     * contribute before one optimizer step). */
    int (*backward)(struct sco_graph *g, struct sco_err *err);

    /* ---- Optimizers ------------------------------------------------------------------ */

    /* Optimizer over every parameter of ps (copies opts; validates them: SCO_ERR_INVALID
     * for lr <= 0, COSINE without total_steps, ...). Free with optim_free(). */
    struct sco_optim *(*optim_new)(struct sco_params *ps, const struct sco_optim_opts *opts,
                                   struct sco_err *err);
    void (*optim_free)(struct sco_optim *opt); /* NULL: no-op */
    /* One update from the accumulated gradients (clipped first when clip_norm > 0), then
     * zeroes them and advances the schedule. Fails with SCO_ERR_DATA when the gradient norm
     * is not finite (parameters and schedule left unchanged, gradients zeroed). */
    int (*step)(struct sco_optim *opt, struct sco_err *err);
    /* Learning rate the next step() will use. */
    float (*optim_lr)(const struct sco_optim *opt);
    /* Global gradient L2 norm seen by the last step (before clipping). */
    float (*optim_grad_norm)(const struct sco_optim *opt);
    /* compute() + backward() + step() in one call. */
    int (*train_step)(struct sco_graph *g, struct sco_optim *opt, struct sco_err *err);
};

#ifdef __cplusplus
}
#endif
#endif
