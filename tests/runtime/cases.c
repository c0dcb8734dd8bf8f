/* cases.c: the per-op graphs. Each build function makes its differentiable operands with
 * leaf() (parameters) and returns the op's output. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"

static float urand(struct ctx *c, float lo, float hi)
{
    c->rng = c->rng * 1664525u + 1013904223u;
    return lo + (hi - lo) * (float)(c->rng >> 8) / 16777216.0f;
}

struct sco_tensor *leaf(struct ctx *c, const char *name, float lo, float hi, int ndim, ...)
{
    int64_t shape[4];
    va_list ap;
    va_start(ap, ndim);
    for (int i = 0; i < ndim; i++)
        shape[i] = va_arg(ap, int);
    va_end(ap);
    struct sco_err err = { 0 };
    struct sco_tensor *t = c->rt->param(c->ps, name, ndim, shape, SCO_INIT_ZEROS, 0, &err);
    if (!t)
        return NULL;
    int64_t n = c->rt->numel(t);
    float *v = malloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++)
        v[i] = urand(c, lo, hi);
    c->rt->write(t, v, (size_t)n * sizeof *v, &err);
    free(v);
    return t;
}

static void add_fill(struct ctx *c, struct sco_tensor *t, void *d, size_t b)
{
    if (c->nfill < MAX_FILL) {
        c->ft[c->nfill] = t;
        c->fd[c->nfill] = d;
        c->fb[c->nfill] = b;
        c->nfill++;
    } else {
        free(d);
    }
}

struct sco_tensor *fixed_i32(struct ctx *c, int ndim, const int64_t *shape, int mod)
{
    struct sco_tensor *t = c->rt->input(c->g, SCO_I32, ndim, shape);
    int64_t n = c->rt->numel(t);
    int32_t *d = malloc((size_t)n * sizeof *d);
    for (int64_t i = 0; i < n; i++)
        d[i] = (int32_t)((i * 7 + 3) % mod);
    add_fill(c, t, d, (size_t)n * sizeof *d);
    return t;
}

struct sco_tensor *fixed_f32(struct ctx *c, int ndim, const int64_t *shape, float lo, float hi)
{
    struct sco_tensor *t = c->rt->input(c->g, SCO_F32, ndim, shape);
    int64_t n = c->rt->numel(t);
    float *d = malloc((size_t)n * sizeof *d);
    for (int64_t i = 0; i < n; i++)
        d[i] = urand(c, lo, hi);
    add_fill(c, t, d, (size_t)n * sizeof *d);
    return t;
}

#define S(...) ((const int64_t[]){ __VA_ARGS__ })
#define RT (c->rt)
#define G (c->g)

/* ---- linear algebra ---- */
static struct sco_tensor *c_matmul(struct ctx *c)
{
    return RT->matmul(G, leaf(c, "a", -1, 1, 2, 3, 4), leaf(c, "b", -1, 1, 2, 4, 5), 0);
}
static struct sco_tensor *c_matmul_ta(struct ctx *c)
{
    return RT->matmul(G, leaf(c, "a", -1, 1, 2, 4, 3), leaf(c, "b", -1, 1, 2, 4, 5), SCO_TRANS_A);
}
static struct sco_tensor *c_matmul_tb(struct ctx *c)
{
    return RT->matmul(G, leaf(c, "a", -1, 1, 2, 3, 4), leaf(c, "b", -1, 1, 2, 5, 4), SCO_TRANS_B);
}
static struct sco_tensor *c_matmul_tab(struct ctx *c)
{
    return RT->matmul(G, leaf(c, "a", -1, 1, 2, 4, 3), leaf(c, "b", -1, 1, 2, 5, 4),
                      SCO_TRANS_A | SCO_TRANS_B);
}
static struct sco_tensor *c_bmm(struct ctx *c)
{
    return RT->matmul(G, leaf(c, "a", -1, 1, 3, 2, 3, 4), leaf(c, "b", -1, 1, 3, 2, 4, 5), 0);
}
static struct sco_tensor *c_bmm_tb(struct ctx *c)
{
    return RT->matmul(G, leaf(c, "a", -1, 1, 3, 2, 3, 4), leaf(c, "b", -1, 1, 3, 2, 5, 4),
                      SCO_TRANS_B);
}
static struct sco_tensor *c_bmm_shared(struct ctx *c)
{
    return RT->matmul(G, leaf(c, "a", -1, 1, 3, 2, 3, 4), leaf(c, "b", -1, 1, 2, 4, 5), 0);
}
static struct sco_tensor *c_bmm_shared_ta(struct ctx *c)
{
    return RT->matmul(G, leaf(c, "a", -1, 1, 3, 2, 4, 3), leaf(c, "b", -1, 1, 2, 4, 5),
                      SCO_TRANS_A);
}
static struct sco_tensor *lin(struct ctx *c, enum sco_act act)
{
    return RT->linear(G, leaf(c, "x", -1, 1, 2, 6, 4), leaf(c, "w", -1, 1, 2, 4, 5),
                      leaf(c, "b", -1, 1, 1, 5), act);
}
static struct sco_tensor *c_linear(struct ctx *c) { return lin(c, SCO_ACT_NONE); }
static struct sco_tensor *c_linear_relu(struct ctx *c) { return lin(c, SCO_ACT_RELU); }
static struct sco_tensor *c_linear_gelu(struct ctx *c) { return lin(c, SCO_ACT_GELU); }
static struct sco_tensor *c_linear_tanh(struct ctx *c) { return lin(c, SCO_ACT_TANH); }
static struct sco_tensor *c_linear_sigmoid(struct ctx *c) { return lin(c, SCO_ACT_SIGMOID); }
static struct sco_tensor *c_linear_3d(struct ctx *c)
{
    return RT->linear(G, leaf(c, "x", -1, 1, 3, 2, 3, 4), leaf(c, "w", -1, 1, 2, 4, 5), NULL,
                      SCO_ACT_NONE);
}
static struct sco_tensor *c_bias_add(struct ctx *c)
{
    return RT->bias_add(G, leaf(c, "x", -1, 1, 3, 2, 3, 4), leaf(c, "b", -1, 1, 1, 4));
}

/* ---- elementwise ---- */
static struct sco_tensor *c_add(struct ctx *c)
{
    return RT->add(G, leaf(c, "a", -1, 1, 2, 3, 4), leaf(c, "b", -1, 1, 2, 3, 4));
}
static struct sco_tensor *c_add_bcast(struct ctx *c)
{
    return RT->add(G, leaf(c, "a", -1, 1, 3, 2, 3, 4), leaf(c, "b", -1, 1, 2, 3, 1));
}
static struct sco_tensor *c_sub_bcast(struct ctx *c)
{
    return RT->sub(G, leaf(c, "a", -1, 1, 1, 4), leaf(c, "b", -1, 1, 2, 3, 4));
}
static struct sco_tensor *c_mul(struct ctx *c)
{
    return RT->mul(G, leaf(c, "a", -1, 1, 2, 3, 4), leaf(c, "b", -1, 1, 2, 3, 4));
}
static struct sco_tensor *c_mul_bcast(struct ctx *c)
{
    return RT->mul(G, leaf(c, "a", -1, 1, 3, 2, 1, 4), leaf(c, "b", -1, 1, 3, 1, 3, 1));
}
static struct sco_tensor *c_mul_self(struct ctx *c)
{
    struct sco_tensor *a = leaf(c, "a", -1, 1, 2, 3, 4);
    return RT->mul(G, a, a);
}
static struct sco_tensor *c_div(struct ctx *c)
{
    return RT->div(G, leaf(c, "a", -1, 1, 2, 3, 4), leaf(c, "b", 0.5f, 2, 2, 3, 4));
}
static struct sco_tensor *c_div_bcast(struct ctx *c)
{
    return RT->div(G, leaf(c, "a", -1, 1, 2, 3, 4), leaf(c, "b", 0.5f, 2, 1, 1));
}
static struct sco_tensor *c_scale(struct ctx *c)
{
    return RT->scale(G, leaf(c, "x", -1, 1, 2, 3, 4), -2.5f);
}
static struct sco_tensor *c_add_scalar(struct ctx *c)
{
    return RT->add_scalar(G, leaf(c, "x", -1, 1, 2, 3, 4), 0.75f);
}
#define UNARY(fn, lo, hi)                                                                      \
    static struct sco_tensor *c_##fn(struct ctx *c)                                            \
    {                                                                                          \
        return RT->fn(G, leaf(c, "x", lo, hi, 2, 5, 7));                                       \
    }
UNARY(relu, -1, 1)
UNARY(gelu, -3, 3)
UNARY(tanh, -2, 2)
UNARY(sigmoid, -4, 4)
UNARY(softplus, -4, 4)
UNARY(exp, -2, 2)
UNARY(log, 0.3f, 3)
UNARY(softmax, -2, 2)
UNARY(log_softmax, -2, 2)
static struct sco_tensor *c_leaky_relu(struct ctx *c)
{
    return RT->leaky_relu(G, leaf(c, "x", -1, 1, 2, 5, 7), 0.1f);
}

/* ---- reductions and shape ---- */
static struct sco_tensor *c_sum0(struct ctx *c)
{
    return RT->sum(G, leaf(c, "x", -1, 1, 3, 2, 3, 4), 0, false);
}
static struct sco_tensor *c_sum1k(struct ctx *c)
{
    return RT->sum(G, leaf(c, "x", -1, 1, 3, 2, 3, 4), 1, true);
}
static struct sco_tensor *c_sum_last(struct ctx *c)
{
    return RT->sum(G, leaf(c, "x", -1, 1, 3, 2, 3, 4), -1, false);
}
static struct sco_tensor *c_sum_all(struct ctx *c)
{
    return RT->sum(G, leaf(c, "x", -1, 1, 3, 2, 3, 4), SCO_AXIS_ALL, false);
}
static struct sco_tensor *c_mean1(struct ctx *c)
{
    return RT->mean(G, leaf(c, "x", -1, 1, 3, 2, 3, 4), 1, false);
}
static struct sco_tensor *c_mean_all(struct ctx *c)
{
    return RT->mean(G, leaf(c, "x", -1, 1, 2, 3, 4), SCO_AXIS_ALL, true);
}
static struct sco_tensor *c_concat(struct ctx *c)
{
    struct sco_tensor *xs[3] = { leaf(c, "a", -1, 1, 3, 2, 1, 4), leaf(c, "b", -1, 1, 3, 2, 3, 4),
                                 leaf(c, "c", -1, 1, 3, 2, 2, 4) };
    return RT->concat(G, xs, 3, 1);
}
static struct sco_tensor *c_concat_last(struct ctx *c)
{
    struct sco_tensor *a = leaf(c, "a", -1, 1, 2, 3, 2);
    struct sco_tensor *xs[3] = { a, leaf(c, "b", -1, 1, 2, 3, 4), a };
    return RT->concat(G, xs, 3, -1);
}
static struct sco_tensor *c_slice(struct ctx *c)
{
    return RT->slice(G, leaf(c, "x", -1, 1, 3, 2, 5, 3), 1, 1, 3);
}
static struct sco_tensor *c_reshape(struct ctx *c)
{
    /* a reshape of a computed tensor, then an op, so the gradient flows through it */
    struct sco_tensor *x = RT->tanh(G, leaf(c, "x", -1, 1, 2, 4, 6));
    return RT->sigmoid(G, RT->reshape(G, x, 3, S(2, -1, 3)));
}
static struct sco_tensor *c_reshape_param(struct ctx *c)
{
    return RT->mul(G, RT->reshape(G, leaf(c, "x", -1, 1, 2, 4, 6), 1, S(24)),
                   leaf(c, "y", -1, 1, 1, 24));
}
static struct sco_tensor *c_transpose(struct ctx *c)
{
    return RT->transpose(G, leaf(c, "x", -1, 1, 3, 2, 3, 4), (const int[]){ 2, 0, 1 });
}
static struct sco_tensor *c_transpose4(struct ctx *c)
{
    return RT->transpose(G, leaf(c, "x", -1, 1, 4, 2, 3, 2, 3), (const int[]){ 0, 2, 1, 3 });
}

/* ---- layers ---- */
static struct sco_tensor *c_embedding(struct ctx *c)
{
    /* 7 indices over 5 rows: rows repeat, so the scatter-add is exercised */
    return RT->embedding(G, leaf(c, "table", -1, 1, 2, 5, 3), fixed_i32(c, 2, S(7, 1), 5));
}
static struct sco_tensor *c_layer_norm(struct ctx *c)
{
    return RT->layer_norm(G, leaf(c, "x", -2, 2, 2, 4, 6), leaf(c, "g", 0.5f, 1.5f, 1, 6),
                          leaf(c, "b", -1, 1, 1, 6), 1e-5f);
}
static struct sco_tensor *c_layer_norm_plain(struct ctx *c)
{
    return RT->layer_norm(G, leaf(c, "x", -2, 2, 3, 2, 2, 5), NULL, NULL, 0);
}
static struct sco_tensor *c_conv1d(struct ctx *c)
{
    return RT->conv1d(G, leaf(c, "x", -1, 1, 3, 2, 7, 3), leaf(c, "w", -1, 1, 3, 3, 3, 4),
                      leaf(c, "b", -1, 1, 1, 4), 2, SCO_ACT_TANH);
}
static struct sco_tensor *c_conv1d_relu(struct ctx *c)
{
    return RT->conv1d(G, leaf(c, "x", -1, 1, 3, 2, 5, 2), leaf(c, "w", -1, 1, 3, 2, 2, 3), NULL,
                      1, SCO_ACT_RELU);
}
static struct sco_tensor *c_gru(struct ctx *c)
{
    return RT->gru(G, leaf(c, "x", -1, 1, 3, 2, 4, 3), leaf(c, "wih", -0.6f, 0.6f, 2, 3, 12),
                   leaf(c, "whh", -0.6f, 0.6f, 2, 4, 12), leaf(c, "bih", -0.3f, 0.3f, 1, 12),
                   leaf(c, "bhh", -0.3f, 0.3f, 1, 12), leaf(c, "h0", -0.5f, 0.5f, 2, 2, 4));
}
static struct sco_tensor *c_gru_plain(struct ctx *c)
{
    return RT->gru(G, leaf(c, "x", -1, 1, 3, 3, 3, 2), leaf(c, "wih", -0.6f, 0.6f, 2, 2, 9),
                   leaf(c, "whh", -0.6f, 0.6f, 2, 3, 9), NULL, NULL, NULL);
}
static struct sco_tensor *c_dropout_eval(struct ctx *c)
{
    RT->set_training(G, false);
    return RT->dropout(G, leaf(c, "x", -1, 1, 2, 5, 7), 0.5f);
}

/* ---- losses ---- */
static struct sco_tensor *c_mse(struct ctx *c)
{
    return RT->mse(G, leaf(c, "p", -1, 1, 2, 4, 3), leaf(c, "y", -1, 1, 2, 4, 3));
}
static struct sco_tensor *c_pinball(struct ctx *c)
{
    static const float qs[3] = { 0.1f, 0.5f, 0.9f };
    return RT->pinball(G, leaf(c, "p", -1, 1, 2, 6, 3), leaf(c, "y", -1, 1, 1, 6), qs, 3);
}
static struct sco_tensor *c_poisson(struct ctx *c)
{
    return RT->poisson_nll(G, leaf(c, "lr", -1, 1, 2, 4, 3), fixed_f32(c, 2, S(4, 3), 0, 4));
}
static struct sco_tensor *c_tweedie(struct ctx *c)
{
    return RT->tweedie_nll(G, leaf(c, "lm", -1, 1, 2, 4, 3), fixed_f32(c, 2, S(4, 3), 0, 4), 1.5f);
}
static struct sco_tensor *c_bce(struct ctx *c)
{
    return RT->bce_logits(G, leaf(c, "x", -3, 3, 2, 4, 3), leaf(c, "y", 0, 1, 2, 4, 3));
}
static struct sco_tensor *c_xent(struct ctx *c)
{
    return RT->softmax_xent(G, leaf(c, "x", -2, 2, 2, 6, 4), fixed_i32(c, 1, S(6), 4));
}
static struct sco_tensor *c_bpr(struct ctx *c)
{
    return RT->bpr(G, leaf(c, "pos", -2, 2, 1, 8), leaf(c, "neg", -2, 2, 1, 8));
}

const struct op_case op_cases[] = {
    { "matmul", c_matmul, 2e-3 },
    { "matmul_trans_a", c_matmul_ta, 2e-3 },
    { "matmul_trans_b", c_matmul_tb, 2e-3 },
    { "matmul_trans_ab", c_matmul_tab, 2e-3 },
    { "batched_matmul", c_bmm, 2e-3 },
    { "batched_matmul_trans_b", c_bmm_tb, 2e-3 },
    { "batched_matmul_shared_b", c_bmm_shared, 2e-3 },
    { "batched_matmul_shared_b_trans_a", c_bmm_shared_ta, 2e-3 },
    { "linear", c_linear, 2e-3 },
    { "linear_relu", c_linear_relu, 2e-3 },
    { "linear_gelu", c_linear_gelu, 2e-3 },
    { "linear_tanh", c_linear_tanh, 2e-3 },
    { "linear_sigmoid", c_linear_sigmoid, 2e-3 },
    { "linear_3d_nobias", c_linear_3d, 2e-3 },
    { "bias_add", c_bias_add, 2e-3 },
    { "add", c_add, 2e-3 },
    { "add_broadcast", c_add_bcast, 2e-3 },
    { "sub_broadcast", c_sub_bcast, 2e-3 },
    { "mul", c_mul, 2e-3 },
    { "mul_broadcast", c_mul_bcast, 2e-3 },
    { "mul_self", c_mul_self, 2e-3 },
    { "div", c_div, 3e-3 },
    { "div_broadcast", c_div_bcast, 3e-3 },
    { "scale", c_scale, 2e-3 },
    { "add_scalar", c_add_scalar, 2e-3 },
    { "relu", c_relu, 2e-3 },
    { "leaky_relu", c_leaky_relu, 2e-3 },
    { "gelu", c_gelu, 2e-3 },
    { "tanh", c_tanh, 2e-3 },
    { "sigmoid", c_sigmoid, 2e-3 },
    { "softplus", c_softplus, 2e-3 },
    { "exp", c_exp, 3e-3 },
    { "log", c_log, 3e-3 },
    { "softmax", c_softmax, 2e-3 },
    { "log_softmax", c_log_softmax, 2e-3 },
    { "sum_axis0", c_sum0, 2e-3 },
    { "sum_axis1_keepdim", c_sum1k, 2e-3 },
    { "sum_last", c_sum_last, 2e-3 },
    { "sum_all", c_sum_all, 2e-3 },
    { "mean_axis1", c_mean1, 2e-3 },
    { "mean_all", c_mean_all, 2e-3 },
    { "concat", c_concat, 2e-3 },
    { "concat_repeated", c_concat_last, 2e-3 },
    { "slice", c_slice, 2e-3 },
    { "reshape", c_reshape, 2e-3 },
    { "reshape_param", c_reshape_param, 2e-3 },
    { "transpose", c_transpose, 2e-3 },
    { "transpose_4d", c_transpose4, 2e-3 },
    { "embedding", c_embedding, 2e-3 },
    { "layer_norm", c_layer_norm, 3e-3 },
    { "layer_norm_plain", c_layer_norm_plain, 3e-3 },
    { "conv1d", c_conv1d, 3e-3 },
    { "conv1d_relu_nobias", c_conv1d_relu, 3e-3 },
    { "gru", c_gru, 3e-3 },
    { "gru_plain", c_gru_plain, 3e-3 },
    { "dropout_eval", c_dropout_eval, 2e-3 },
    { "mse", c_mse, 2e-3 },
    { "pinball", c_pinball, 2e-3 },
    { "poisson_nll", c_poisson, 3e-3 },
    { "tweedie_nll", c_tweedie, 3e-3 },
    { "bce_logits", c_bce, 2e-3 },
    { "softmax_xent", c_xent, 2e-3 },
    { "bpr", c_bpr, 2e-3 },
};
const size_t n_op_cases = sizeof op_cases / sizeof op_cases[0];

/* ---- larger shapes for the device comparison (multi-block paths, repeated rows, training
 * dropout); not in op_cases because a dropout mask changes with every compute ---- */
static struct sco_tensor *d_dropout_train(struct ctx *c)
{
    RT->set_training(G, true);
    return RT->dropout(G, leaf(c, "x", -1, 1, 2, 64, 33), 0.3f);
}
static struct sco_tensor *d_add_bias_rows(struct ctx *c)
{
    return RT->add(G, leaf(c, "a", -1, 1, 2, 300, 37), leaf(c, "b", -1, 1, 1, 37));
}
static struct sco_tensor *d_mul_bcast_middle(struct ctx *c)
{
    return RT->mul(G, leaf(c, "a", -1, 1, 3, 4, 50, 8), leaf(c, "b", -1, 1, 3, 4, 1, 8));
}
static struct sco_tensor *d_div_outer(struct ctx *c)
{
    return RT->div(G, leaf(c, "a", -1, 1, 2, 30, 1), leaf(c, "b", 0.5f, 2, 2, 1, 20));
}
static struct sco_tensor *d_sub_self_reshaped(struct ctx *c)
{
    struct sco_tensor *a = leaf(c, "a", -1, 1, 2, 6, 1);
    return RT->sub(G, a, RT->reshape(G, a, 2, S(1, 6)));
}
static struct sco_tensor *d_sum_all(struct ctx *c)
{
    return RT->sum(G, leaf(c, "x", -1, 1, 2, 3000, 7), SCO_AXIS_ALL, false);
}
static struct sco_tensor *d_mean_axis0(struct ctx *c)
{
    return RT->mean(G, leaf(c, "x", -1, 1, 2, 500, 9), 0, false);
}
static struct sco_tensor *d_sum_last(struct ctx *c)
{
    return RT->sum(G, leaf(c, "x", -1, 1, 2, 40, 700), -1, true);
}
static struct sco_tensor *d_embedding(struct ctx *c)
{
    return RT->embedding(G, leaf(c, "table", -1, 1, 2, 50, 16), fixed_i32(c, 1, S(2000), 50));
}
static struct sco_tensor *d_layer_norm(struct ctx *c)
{
    return RT->layer_norm(G, leaf(c, "x", -2, 2, 2, 37, 200), leaf(c, "g", 0.5f, 1.5f, 1, 200),
                          leaf(c, "b", -1, 1, 1, 200), 1e-5f);
}
static struct sco_tensor *d_concat(struct ctx *c)
{
    struct sco_tensor *xs[2] = { leaf(c, "a", -1, 1, 2, 100, 8), leaf(c, "b", -1, 1, 2, 50, 8) };
    return RT->concat(G, xs, 2, 0);
}
static struct sco_tensor *d_slice(struct ctx *c)
{
    return RT->slice(G, leaf(c, "x", -1, 1, 3, 20, 100, 3), 1, 10, 70);
}
static struct sco_tensor *d_transpose(struct ctx *c)
{
    return RT->transpose(G, leaf(c, "x", -1, 1, 2, 30, 40), (const int[]){ 1, 0 });
}
static struct sco_tensor *d_pinball(struct ctx *c)
{
    static const float qs[5] = { 0.1f, 0.5f, 0.9f, 0.95f, 0.99f };
    return RT->pinball(G, leaf(c, "p", -1, 1, 2, 500, 5), leaf(c, "y", -1, 1, 1, 500), qs, 5);
}
static struct sco_tensor *d_poisson(struct ctx *c)
{
    return RT->poisson_nll(G, leaf(c, "lr", -1, 1, 1, 3000), fixed_f32(c, 1, S(3000), 0, 6));
}
static struct sco_tensor *d_tweedie(struct ctx *c)
{
    return RT->tweedie_nll(G, leaf(c, "lm", -1, 1, 1, 3000), fixed_f32(c, 1, S(3000), 0, 6), 1.3f);
}
static struct sco_tensor *d_bce(struct ctx *c)
{
    return RT->bce_logits(G, leaf(c, "x", -4, 4, 1, 3000), leaf(c, "y", 0, 1, 1, 3000));
}
static struct sco_tensor *d_xent(struct ctx *c)
{
    return RT->softmax_xent(G, leaf(c, "x", -3, 3, 2, 1500, 10), fixed_i32(c, 1, S(1500), 10));
}
static struct sco_tensor *d_bpr(struct ctx *c)
{
    return RT->bpr(G, leaf(c, "pos", -2, 2, 1, 3000), leaf(c, "neg", -2, 2, 1, 3000));
}
static struct sco_tensor *d_conv1d(struct ctx *c)
{
    return RT->conv1d(G, leaf(c, "x", -1, 1, 3, 4, 50, 8), leaf(c, "w", -0.5f, 0.5f, 3, 3, 8, 16),
                      leaf(c, "b", -1, 1, 1, 16), 4, SCO_ACT_GELU);
}
static struct sco_tensor *d_gru(struct ctx *c)
{
    return RT->gru(G, leaf(c, "x", -1, 1, 3, 16, 10, 8), leaf(c, "wih", -0.3f, 0.3f, 2, 8, 96),
                   leaf(c, "whh", -0.3f, 0.3f, 2, 32, 96), leaf(c, "bih", -0.3f, 0.3f, 1, 96),
                   leaf(c, "bhh", -0.3f, 0.3f, 1, 96), leaf(c, "h0", -0.5f, 0.5f, 2, 16, 32));
}

const struct op_case dev_cases[] = {
    { "conv1d_dilated_gelu", d_conv1d, 0 },
    { "gru_16x10", d_gru, 0 },
    { "dropout_train", d_dropout_train, 0 },
    { "add_bias_rows", d_add_bias_rows, 0 },
    { "mul_broadcast_middle", d_mul_bcast_middle, 0 },
    { "div_outer_broadcast", d_div_outer, 0 },
    { "sub_self_reshaped", d_sub_self_reshaped, 0 },
    { "sum_all_large", d_sum_all, 0 },
    { "mean_axis0_large", d_mean_axis0, 0 },
    { "sum_last_large", d_sum_last, 0 },
    { "embedding_repeated_rows", d_embedding, 0 },
    { "layer_norm_wide", d_layer_norm, 0 },
    { "concat_axis0", d_concat, 0 },
    { "slice_large", d_slice, 0 },
    { "transpose_2d", d_transpose, 0 },
    { "pinball_5q", d_pinball, 0 },
    { "poisson_large", d_poisson, 0 },
    { "tweedie_large", d_tweedie, 0 },
    { "bce_large", d_bce, 0 },
    { "softmax_xent_large", d_xent, 0 },
    { "bpr_large", d_bpr, 0 },
};
const size_t n_dev_cases = sizeof dev_cases / sizeof dev_cases[0];

int build_case(const struct op_case *k, const char *device, int threads, struct built *b,
               struct sco_err *err)
{
    memset(b, 0, sizeof *b);
    struct ctx *c = &b->c;
    c->rt = sco_runtime_api_table();
    c->rng = 12345;
    struct sco_runtime_opts o = { .device = device, .threads = threads, .seed = 7 };
    int rc = sco_runtime_create(&o, &c->R, err);
    if (rc)
        return rc;
    c->ps = c->rt->params_new(c->R, 7, err);
    c->g = c->rt->graph_new(c->R);
    if (!c->ps || !c->g)
        return SCO_ERR_NOMEM;
    b->out = k->build(c);
    if (!b->out) {
        /* plan reports the recorded build error */
        rc = c->rt->plan(c->g, err);
        return rc ? rc : SCO_ERR_INTERNAL;
    }
    int nd = c->rt->ndim(b->out);
    int64_t shape[4];
    for (int i = 0; i < nd; i++)
        shape[i] = c->rt->dim(b->out, i);
    b->w = fixed_f32(c, nd, shape, -1, 1);
    b->loss = c->rt->sum(c->g, c->rt->mul(c->g, b->out, b->w), SCO_AXIS_ALL, false);
    c->rt->mark_output(c->g, b->out);
    c->rt->mark_loss(c->g, b->loss);
    if ((rc = c->rt->plan(c->g, err)))
        return rc;
    for (int i = 0; i < c->nfill; i++)
        if ((rc = c->rt->write(c->ft[i], c->fd[i], c->fb[i], err)))
            return rc;
    return 0;
}

void free_case(struct built *b)
{
    struct ctx *c = &b->c;
    for (int i = 0; i < c->nfill; i++)
        free(c->fd[i]);
    if (c->rt) {
        c->rt->graph_free(c->g);
        c->rt->params_free(c->ps);
    }
    sco_runtime_destroy(c->R);
    memset(b, 0, sizeof *b);
}

int run_case(struct built *b, struct sco_err *err)
{
    struct ctx *c = &b->c;
    c->rt->params_zero_grad(c->ps);
    int rc = c->rt->compute(c->g, err);
    if (rc == 0)
        rc = c->rt->backward(c->g, err);
    return rc;
}

float *snapshot(struct built *b, size_t *n)
{
    struct ctx *c = &b->c;
    const struct sco_runtime_api *rt = c->rt;
    size_t total = (size_t)rt->numel(b->out) + (size_t)rt->params_numel(c->ps);
    float *v = malloc(total * sizeof *v);
    size_t k = (size_t)rt->numel(b->out);
    rt->read(b->out, v, k * sizeof *v, NULL);
    const char *names[] = { "a", "b", "c", "x", "y", "w", "g", "p", "lr", "lm", "pos", "neg",
                            "table", "wih", "whh", "bih", "bhh", "h0" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        struct sco_tensor *t = rt->param_get(c->ps, names[i]);
        if (!t)
            continue;
        size_t m = (size_t)rt->numel(t);
        rt->read_grad(t, v + k, m * sizeof *v, NULL);
        k += m;
    }
    *n = k;
    return v;
}
