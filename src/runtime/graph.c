/* graph.c: building graphs. Each op checks its operands, infers the output shape and
 * appends one node; the first error sticks to the graph and plan() reports it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char *op_names[SCO__OP_COUNT] = {
    "matmul", "linear", "bias_add", "add", "sub", "mul", "div", "scale", "add_scalar",
    "relu", "leaky_relu", "gelu", "tanh", "sigmoid", "softplus", "exp", "log", "softmax",
    "log_softmax", "sum", "mean", "concat", "slice", "reshape", "transpose", "embedding",
    "dropout", "layer_norm", "conv1d", "gru", "mse", "pinball", "poisson_nll", "tweedie_nll",
    "bce_logits", "softmax_xent", "bpr",
};

const char *sco__op_name(int op)
{
    return op >= 0 && op < SCO__OP_COUNT ? op_names[op] : "?";
}

size_t sco__dtype_size(enum sco_dtype t)
{
    return t == SCO_I64 ? 8 : 4;
}

static void gerr(struct sco_graph *g, const char *fmt, ...) SCO_PRINTF(2, 3);
static void gerr(struct sco_graph *g, const char *fmt, ...)
{
    if (!g || g->err.code != 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    g->err.code = SCO_ERR_INVALID;
    vsnprintf(g->err.msg, sizeof g->err.msg, fmt, ap);
    va_end(ap);
}

static void gerr_nomem(struct sco_graph *g)
{
    if (g && g->err.code == 0)
        sco_err_set(&g->err, SCO_ERR_NOMEM, "out of memory while building a graph");
}

static const char *shape_str(const struct sco_tensor *t, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < t->ndim && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "x" : "", (long long)t->shape[i]);
    return buf;
}

static bool own(struct sco_graph *g, void *p)
{
    if (!p)
        return false;
    if (g->n_owned == g->cap_owned) {
        int cap = g->cap_owned ? g->cap_owned * 2 : 8;
        void **o = realloc(g->owned, (size_t)cap * sizeof *o);
        if (!o) {
            free(p);
            return false;
        }
        g->owned = o;
        g->cap_owned = cap;
    }
    g->owned[g->n_owned++] = p;
    return true;
}

struct sco_graph *sco__graph_new(struct sco_runtime *R)
{
    struct sco_graph *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->R = R;
    g->training = true;
    g->seed = R ? R->seed : 0;
    return g;
}

void sco__graph_free(struct sco_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_ts; i++)
        free(g->ts[i]);
    for (int i = 0; i < g->n_nodes; i++)
        free(g->nodes[i]);
    for (int i = 0; i < g->n_owned; i++)
        free(g->owned[i]);
    free(g->ts);
    free(g->nodes);
    free(g->owned);
    if (g->arena)
        sco__mem_free(g->R, g->arena);
    free(g);
}

static struct sco_tensor *new_tensor(struct sco_graph *g, enum sco_dtype dt, int ndim,
                                     const int64_t *shape)
{
    if (g->planned) {
        gerr(g, "cannot add to a graph after plan(); build the whole graph first");
        return NULL;
    }
    if (ndim < 1 || ndim > SCO_MAX_DIMS) {
        gerr(g, "tensor has %d dimensions; 1 to %d are supported", ndim, SCO_MAX_DIMS);
        return NULL;
    }
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1) {
            gerr(g, "tensor dimension %d has size %lld; sizes must be >= 1", i,
                 (long long)shape[i]);
            return NULL;
        }
        n *= shape[i];
    }
    if (g->n_ts == g->cap_ts) {
        int cap = g->cap_ts ? g->cap_ts * 2 : 32;
        struct sco_tensor **ts = realloc(g->ts, (size_t)cap * sizeof *ts);
        if (!ts) {
            gerr_nomem(g);
            return NULL;
        }
        g->ts = ts;
        g->cap_ts = cap;
    }
    struct sco_tensor *t = calloc(1, sizeof *t);
    if (!t) {
        gerr_nomem(g);
        return NULL;
    }
    t->g = g;
    t->dtype = dt;
    t->ndim = ndim;
    memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
    t->n = n;
    t->id = g->n_ts;
    g->ts[g->n_ts++] = t;
    return t;
}

/* Validates an operand: not NULL, of this graph's runtime, right dtype. */
static bool operand(struct sco_graph *g, const char *op, int i, const struct sco_tensor *t,
                    bool want_f32)
{
    if (!g)
        return false;
    if (!t) {
        gerr(g, "%s: operand %d is NULL (an earlier op failed or a parameter is missing)", op,
             i + 1);
        return false;
    }
    if (t->g && t->g != g) {
        gerr(g, "%s: operand %d belongs to another graph", op, i + 1);
        return false;
    }
    if (t->ps && t->ps->R != g->R) {
        gerr(g, "%s: operand %d is a parameter of another runtime", op, i + 1);
        return false;
    }
    if (want_f32 && t->dtype != SCO_F32) {
        gerr(g, "%s: operand %d must be F32", op, i + 1);
        return false;
    }
    return true;
}

static struct sco_tensor *add_node(struct sco_graph *g, int op, struct sco_tensor *const *in,
                                   int n_in, enum sco_dtype dt, int ndim, const int64_t *shape,
                                   struct sco__node **out_node)
{
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? g->cap_nodes * 2 : 32;
        struct sco__node **ns = realloc(g->nodes, (size_t)cap * sizeof *ns);
        if (!ns) {
            gerr_nomem(g);
            return NULL;
        }
        g->nodes = ns;
        g->cap_nodes = cap;
    }
    struct sco__node *n = calloc(1, sizeof *n);
    if (!n) {
        gerr_nomem(g);
        return NULL;
    }
    struct sco_tensor *t = new_tensor(g, dt, ndim, shape);
    if (!t) {
        free(n);
        return NULL;
    }
    n->op = op;
    n->n_in = n_in;
    if (n_in <= SCO__MAX_IN) {
        n->in = n->in_inline;
    } else {
        n->in = calloc((size_t)n_in, sizeof *n->in);
        if (!n->in || !own(g, n->in)) {
            free(n);
            gerr_nomem(g);
            return NULL;
        }
    }
    for (int i = 0; i < n_in; i++)
        n->in[i] = in[i];
    n->out = t;
    t->src = n;
    n->seed = sco__mix64(g->seed ^ (uint64_t)g->n_nodes * 0x2545f4914f6cdd1dull);
    g->nodes[g->n_nodes++] = n;
    if (out_node)
        *out_node = n;
    return t;
}

/* ---- public builders ---- */

struct sco_tensor *sco__input(struct sco_graph *g, enum sco_dtype dt, int ndim,
                              const int64_t *shape)
{
    if (!g)
        return NULL;
    if (dt != SCO_F32 && dt != SCO_I32 && dt != SCO_I64) {
        gerr(g, "input: unknown dtype %d", (int)dt);
        return NULL;
    }
    if (!shape) {
        gerr(g, "input: shape is NULL");
        return NULL;
    }
    struct sco_tensor *t = new_tensor(g, dt, ndim, shape);
    if (t)
        t->is_input = true;
    return t;
}

struct sco_tensor *sco__constant(struct sco_graph *g, float v, int ndim, const int64_t *shape)
{
    if (!g)
        return NULL;
    if (!shape) {
        gerr(g, "constant: shape is NULL");
        return NULL;
    }
    struct sco_tensor *t = new_tensor(g, SCO_F32, ndim, shape);
    if (t) {
        t->is_const = true;
        t->cval = v;
    }
    return t;
}

static int norm_axis(int axis, int ndim)
{
    return axis < 0 ? axis + ndim : axis;
}

struct sco_tensor *sco__matmul(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b,
                               unsigned flags)
{
    if (!operand(g, "matmul", 0, a, true) || !operand(g, "matmul", 1, b, true))
        return NULL;
    char sa[64], sb[64];
    if (a->ndim < 2 || b->ndim < 2) {
        gerr(g, "matmul: operands need 2 or more dimensions (a is %s, b is %s)",
             shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb));
        return NULL;
    }
    bool ta = flags & SCO_TRANS_A, tb = flags & SCO_TRANS_B;
    int64_t M = a->shape[a->ndim - (ta ? 1 : 2)], K = a->shape[a->ndim - (ta ? 2 : 1)];
    int64_t K2 = b->shape[b->ndim - (tb ? 1 : 2)], N = b->shape[b->ndim - (tb ? 2 : 1)];
    if (K != K2) {
        gerr(g, "matmul: inner sizes differ (a is %s%s, b is %s%s: %lld vs %lld); check the "
                "transpose flags",
             shape_str(a, sa, sizeof sa), ta ? " transposed" : "", shape_str(b, sb, sizeof sb),
             tb ? " transposed" : "", (long long)K, (long long)K2);
        return NULL;
    }
    if (b->ndim > 2) {
        bool same = b->ndim == a->ndim;
        for (int i = 0; same && i < a->ndim - 2; i++)
            same = a->shape[i] == b->shape[i];
        if (!same) {
            gerr(g, "matmul: batch dimensions differ (a is %s, b is %s); b must be 2-D or have "
                    "a's leading dimensions",
                 shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb));
            return NULL;
        }
    }
    int64_t shape[SCO_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[a->ndim - 2] = M;
    shape[a->ndim - 1] = N;
    struct sco__node *n;
    struct sco_tensor *in[2] = { a, b };
    struct sco_tensor *t = add_node(g, SCO__OP_MATMUL, in, 2, SCO_F32, a->ndim, shape, &n);
    if (t)
        n->i0 = (int)flags;
    return t;
}

static bool check_bias(struct sco_graph *g, const char *op, struct sco_tensor *b, int64_t c)
{
    if (!b)
        return true;
    if (!operand(g, op, 2, b, true))
        return false;
    if (b->n != c || b->shape[b->ndim - 1] != c) {
        char sb[64];
        gerr(g, "%s: bias is %s, expected [%lld]", op, shape_str(b, sb, sizeof sb),
             (long long)c);
        return false;
    }
    return true;
}

static bool check_act(struct sco_graph *g, const char *op, enum sco_act act)
{
    if ((int)act < SCO_ACT_NONE || act > SCO_ACT_SIGMOID) {
        gerr(g, "%s: unknown activation %d", op, (int)act);
        return false;
    }
    return true;
}

struct sco_tensor *sco__linear(struct sco_graph *g, struct sco_tensor *x, struct sco_tensor *w,
                               struct sco_tensor *b, enum sco_act act)
{
    if (!operand(g, "linear", 0, x, true) || !operand(g, "linear", 1, w, true))
        return NULL;
    char sx[64], sw[64];
    if (w->ndim != 2 || w->shape[0] != x->shape[x->ndim - 1]) {
        gerr(g, "linear: weight is %s, expected [%lld, out] for input %s",
             shape_str(w, sw, sizeof sw), (long long)x->shape[x->ndim - 1],
             shape_str(x, sx, sizeof sx));
        return NULL;
    }
    if (!check_bias(g, "linear", b, w->shape[1]) || !check_act(g, "linear", act))
        return NULL;
    int64_t shape[SCO_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = w->shape[1];
    struct sco__node *n;
    struct sco_tensor *in[3] = { x, w, b };
    struct sco_tensor *t = add_node(g, SCO__OP_LINEAR, in, b ? 3 : 2, SCO_F32, x->ndim, shape, &n);
    if (t)
        n->i0 = (int)act;
    return t;
}

struct sco_tensor *sco__bias_add(struct sco_graph *g, struct sco_tensor *x, struct sco_tensor *b)
{
    if (!operand(g, "bias_add", 0, x, true) || !operand(g, "bias_add", 1, b, true))
        return NULL;
    if (!check_bias(g, "bias_add", b, x->shape[x->ndim - 1]))
        return NULL;
    struct sco_tensor *in[2] = { x, b };
    return add_node(g, SCO__OP_BIAS_ADD, in, 2, SCO_F32, x->ndim, x->shape, NULL);
}

static struct sco_tensor *binary(struct sco_graph *g, int op, struct sco_tensor *a,
                                 struct sco_tensor *b)
{
    const char *name = sco__op_name(op);
    if (!operand(g, name, 0, a, true) || !operand(g, name, 1, b, true))
        return NULL;
    int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
    int64_t shape[SCO_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
        int64_t da = ia >= 0 ? a->shape[ia] : 1, db = ib >= 0 ? b->shape[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            char sa[64], sb[64];
            gerr(g, "%s: shapes %s and %s do not broadcast (dimension %d: %lld vs %lld)", name,
                 shape_str(a, sa, sizeof sa), shape_str(b, sb, sizeof sb), i, (long long)da,
                 (long long)db);
            return NULL;
        }
        shape[i] = da > db ? da : db;
    }
    struct sco_tensor *in[2] = { a, b };
    return add_node(g, op, in, 2, SCO_F32, nd, shape, NULL);
}

struct sco_tensor *sco__add(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b)
{
    return binary(g, SCO__OP_ADD, a, b);
}
struct sco_tensor *sco__sub(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b)
{
    return binary(g, SCO__OP_SUB, a, b);
}
struct sco_tensor *sco__mul(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b)
{
    return binary(g, SCO__OP_MUL, a, b);
}
struct sco_tensor *sco__div(struct sco_graph *g, struct sco_tensor *a, struct sco_tensor *b)
{
    return binary(g, SCO__OP_DIV, a, b);
}

static struct sco_tensor *unary(struct sco_graph *g, int op, struct sco_tensor *x, float f)
{
    if (!operand(g, sco__op_name(op), 0, x, true))
        return NULL;
    struct sco__node *n;
    struct sco_tensor *t = add_node(g, op, &x, 1, SCO_F32, x->ndim, x->shape, &n);
    if (t)
        n->f0 = f;
    return t;
}

struct sco_tensor *sco__scale(struct sco_graph *g, struct sco_tensor *x, float c)
{
    return unary(g, SCO__OP_SCALE, x, c);
}
struct sco_tensor *sco__add_scalar(struct sco_graph *g, struct sco_tensor *x, float c)
{
    return unary(g, SCO__OP_ADD_SCALAR, x, c);
}
struct sco_tensor *sco__relu(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_RELU, x, 0);
}
struct sco_tensor *sco__leaky_relu(struct sco_graph *g, struct sco_tensor *x, float s)
{
    return unary(g, SCO__OP_LEAKY_RELU, x, s);
}
struct sco_tensor *sco__gelu(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_GELU, x, 0);
}
struct sco_tensor *sco__tanh(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_TANH, x, 0);
}
struct sco_tensor *sco__sigmoid(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_SIGMOID, x, 0);
}
struct sco_tensor *sco__softplus(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_SOFTPLUS, x, 0);
}
struct sco_tensor *sco__exp(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_EXP, x, 0);
}
struct sco_tensor *sco__log(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_LOG, x, 0);
}
struct sco_tensor *sco__softmax(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_SOFTMAX, x, 0);
}
struct sco_tensor *sco__log_softmax(struct sco_graph *g, struct sco_tensor *x)
{
    return unary(g, SCO__OP_LOG_SOFTMAX, x, 0);
}
struct sco_tensor *sco__dropout(struct sco_graph *g, struct sco_tensor *x, float p)
{
    if (g && !(p >= 0 && p < 1)) {
        gerr(g, "dropout: probability %g is outside [0, 1)", (double)p);
        return NULL;
    }
    return unary(g, SCO__OP_DROPOUT, x, p);
}

static struct sco_tensor *reduce(struct sco_graph *g, int op, struct sco_tensor *x, int axis,
                                 bool keepdim)
{
    if (!operand(g, sco__op_name(op), 0, x, true))
        return NULL;
    int64_t shape[SCO_MAX_DIMS];
    int nd;
    int ax;
    if (axis == SCO_AXIS_ALL) {
        nd = 1;
        shape[0] = 1;
        ax = -1;
    } else {
        ax = norm_axis(axis, x->ndim);
        if (ax < 0 || ax >= x->ndim) {
            gerr(g, "%s: axis %d is out of range for %d dimensions", sco__op_name(op), axis,
                 x->ndim);
            return NULL;
        }
        nd = 0;
        for (int i = 0; i < x->ndim; i++) {
            if (i == ax && !keepdim)
                continue;
            shape[nd++] = i == ax ? 1 : x->shape[i];
        }
        if (nd == 0) {
            nd = 1;
            shape[0] = 1;
        }
    }
    struct sco__node *n;
    struct sco_tensor *t = add_node(g, op, &x, 1, SCO_F32, nd, shape, &n);
    if (t)
        n->i0 = ax; /* -1: all */
    return t;
}

struct sco_tensor *sco__sum(struct sco_graph *g, struct sco_tensor *x, int axis, bool keepdim)
{
    return reduce(g, SCO__OP_SUM, x, axis, keepdim);
}
struct sco_tensor *sco__mean(struct sco_graph *g, struct sco_tensor *x, int axis, bool keepdim)
{
    return reduce(g, SCO__OP_MEAN, x, axis, keepdim);
}

struct sco_tensor *sco__concat(struct sco_graph *g, struct sco_tensor *const *xs, int nx,
                               int axis)
{
    if (!g)
        return NULL;
    if (!xs || nx < 1) {
        gerr(g, "concat: no tensors given");
        return NULL;
    }
    for (int i = 0; i < nx; i++)
        if (!operand(g, "concat", i, xs[i], true))
            return NULL;
    int nd = xs[0]->ndim, ax = norm_axis(axis, nd);
    if (ax < 0 || ax >= nd) {
        gerr(g, "concat: axis %d is out of range for %d dimensions", axis, nd);
        return NULL;
    }
    int64_t shape[SCO_MAX_DIMS];
    memcpy(shape, xs[0]->shape, sizeof shape);
    shape[ax] = 0;
    for (int i = 0; i < nx; i++) {
        bool ok = xs[i]->ndim == nd;
        for (int d = 0; ok && d < nd; d++)
            ok = d == ax || xs[i]->shape[d] == xs[0]->shape[d];
        if (!ok) {
            char s0[64], si[64];
            gerr(g, "concat: tensor %d is %s, tensor 1 is %s; all sizes but axis %d must agree",
                 i + 1, shape_str(xs[i], si, sizeof si), shape_str(xs[0], s0, sizeof s0), ax);
            return NULL;
        }
        shape[ax] += xs[i]->shape[ax];
    }
    struct sco__node *n;
    struct sco_tensor *t = add_node(g, SCO__OP_CONCAT, xs, nx, SCO_F32, nd, shape, &n);
    if (t)
        n->i0 = ax;
    return t;
}

struct sco_tensor *sco__slice(struct sco_graph *g, struct sco_tensor *x, int axis, int64_t start,
                              int64_t len)
{
    if (!operand(g, "slice", 0, x, true))
        return NULL;
    int ax = norm_axis(axis, x->ndim);
    if (ax < 0 || ax >= x->ndim) {
        gerr(g, "slice: axis %d is out of range for %d dimensions", axis, x->ndim);
        return NULL;
    }
    if (start < 0 || len < 1 || start + len > x->shape[ax]) {
        gerr(g, "slice: [%lld, %lld) is outside axis %d of size %lld", (long long)start,
             (long long)(start + len), ax, (long long)x->shape[ax]);
        return NULL;
    }
    int64_t shape[SCO_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[ax] = len;
    struct sco__node *n;
    struct sco_tensor *t = add_node(g, SCO__OP_SLICE, &x, 1, SCO_F32, x->ndim, shape, &n);
    if (t) {
        n->i0 = ax;
        n->s0 = start;
        n->s1 = len;
    }
    return t;
}

struct sco_tensor *sco__reshape(struct sco_graph *g, struct sco_tensor *x, int ndim,
                                const int64_t *shape)
{
    if (!operand(g, "reshape", 0, x, false))
        return NULL;
    if (!shape || ndim < 1 || ndim > SCO_MAX_DIMS) {
        gerr(g, "reshape: %d dimensions; 1 to %d are supported", ndim, SCO_MAX_DIMS);
        return NULL;
    }
    int64_t s[SCO_MAX_DIMS], prod = 1;
    int infer = -1;
    for (int i = 0; i < ndim; i++) {
        s[i] = shape[i];
        if (s[i] == -1 && infer < 0)
            infer = i;
        else if (s[i] < 1) {
            gerr(g, "reshape: size %lld at dimension %d; use -1 once to infer a size",
                 (long long)s[i], i);
            return NULL;
        } else
            prod *= s[i];
    }
    if (infer >= 0) {
        if (x->n % prod != 0) {
            gerr(g, "reshape: %lld elements do not divide into the given sizes", (long long)x->n);
            return NULL;
        }
        s[infer] = x->n / prod;
        prod *= s[infer];
    }
    if (prod != x->n) {
        char sx[64];
        gerr(g, "reshape: %s has %lld elements, the new shape %lld", shape_str(x, sx, sizeof sx),
             (long long)x->n, (long long)prod);
        return NULL;
    }
    struct sco_tensor *t = add_node(g, SCO__OP_RESHAPE, &x, 1, x->dtype, ndim, s, NULL);
    if (t)
        t->alias_of = x->alias_of ? x->alias_of : x;
    return t;
}

struct sco_tensor *sco__transpose(struct sco_graph *g, struct sco_tensor *x, const int *perm)
{
    if (!operand(g, "transpose", 0, x, true))
        return NULL;
    if (!perm) {
        gerr(g, "transpose: perm is NULL");
        return NULL;
    }
    int seen[SCO_MAX_DIMS] = { 0 };
    int64_t shape[SCO_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) {
        if (perm[i] < 0 || perm[i] >= x->ndim || seen[perm[i]]++) {
            gerr(g, "transpose: perm is not a permutation of 0..%d", x->ndim - 1);
            return NULL;
        }
        shape[i] = x->shape[perm[i]];
    }
    struct sco__node *n;
    struct sco_tensor *t = add_node(g, SCO__OP_TRANSPOSE, &x, 1, SCO_F32, x->ndim, shape, &n);
    if (t)
        memcpy(n->perm, perm, (size_t)x->ndim * sizeof *perm);
    return t;
}

struct sco_tensor *sco__embedding(struct sco_graph *g, struct sco_tensor *table,
                                  struct sco_tensor *idx)
{
    if (!operand(g, "embedding", 0, table, true) || !operand(g, "embedding", 1, idx, false))
        return NULL;
    if (table->ndim != 2) {
        gerr(g, "embedding: table must be 2-D [rows, dim]");
        return NULL;
    }
    if (idx->dtype == SCO_F32) {
        gerr(g, "embedding: indices must be I32 or I64");
        return NULL;
    }
    if (idx->ndim >= SCO_MAX_DIMS) {
        gerr(g, "embedding: indices may have at most %d dimensions", SCO_MAX_DIMS - 1);
        return NULL;
    }
    int64_t shape[SCO_MAX_DIMS];
    memcpy(shape, idx->shape, (size_t)idx->ndim * sizeof *shape);
    shape[idx->ndim] = table->shape[1];
    struct sco_tensor *in[2] = { table, idx };
    return add_node(g, SCO__OP_EMBEDDING, in, 2, SCO_F32, idx->ndim + 1, shape, NULL);
}

struct sco_tensor *sco__layer_norm(struct sco_graph *g, struct sco_tensor *x,
                                   struct sco_tensor *gamma, struct sco_tensor *beta, float eps)
{
    if (!operand(g, "layer_norm", 0, x, true))
        return NULL;
    int64_t c = x->shape[x->ndim - 1];
    if (!check_bias(g, "layer_norm", gamma, c) || !check_bias(g, "layer_norm", beta, c))
        return NULL;
    struct sco__node *n;
    struct sco_tensor *in[3] = { x, gamma, beta };
    struct sco_tensor *t = add_node(g, SCO__OP_LAYER_NORM, in, 3, SCO_F32, x->ndim, x->shape, &n);
    if (t)
        n->f0 = eps > 0 ? eps : 1e-5f;
    return t;
}

struct sco_tensor *sco__conv1d(struct sco_graph *g, struct sco_tensor *x, struct sco_tensor *w,
                               struct sco_tensor *b, int dilation, enum sco_act act)
{
    if (!operand(g, "conv1d", 0, x, true) || !operand(g, "conv1d", 1, w, true))
        return NULL;
    char sx[64], sw[64];
    if (x->ndim != 3 || w->ndim != 3 || w->shape[1] != x->shape[2]) {
        gerr(g, "conv1d: input %s must be [B, T, Cin] and weight %s [K, Cin, Cout]",
             shape_str(x, sx, sizeof sx), shape_str(w, sw, sizeof sw));
        return NULL;
    }
    if (dilation < 1) {
        gerr(g, "conv1d: dilation %d must be >= 1", dilation);
        return NULL;
    }
    if (!check_bias(g, "conv1d", b, w->shape[2]) || !check_act(g, "conv1d", act))
        return NULL;
    int64_t shape[3] = { x->shape[0], x->shape[1], w->shape[2] };
    struct sco__node *n;
    struct sco_tensor *in[3] = { x, w, b };
    struct sco_tensor *t = add_node(g, SCO__OP_CONV1D, in, 3, SCO_F32, 3, shape, &n);
    if (t) {
        n->i0 = (int)act;
        n->i1 = dilation;
    }
    return t;
}

struct sco_tensor *sco__gru(struct sco_graph *g, struct sco_tensor *x, struct sco_tensor *w_ih,
                            struct sco_tensor *w_hh, struct sco_tensor *b_ih,
                            struct sco_tensor *b_hh, struct sco_tensor *h0)
{
    if (!operand(g, "gru", 0, x, true) || !operand(g, "gru", 1, w_ih, true) ||
        !operand(g, "gru", 2, w_hh, true))
        return NULL;
    char sx[64], s1[64], s2[64];
    int64_t H = w_hh->ndim == 2 ? w_hh->shape[0] : 0;
    if (x->ndim != 3 || w_ih->ndim != 2 || w_hh->ndim != 2 || w_ih->shape[0] != x->shape[2] ||
        w_ih->shape[1] != 3 * H || w_hh->shape[1] != 3 * H) {
        gerr(g, "gru: input %s must be [B, T, I], w_ih %s [I, 3H], w_hh %s [H, 3H]",
             shape_str(x, sx, sizeof sx), shape_str(w_ih, s1, sizeof s1),
             shape_str(w_hh, s2, sizeof s2));
        return NULL;
    }
    if (!check_bias(g, "gru", b_ih, 3 * H) || !check_bias(g, "gru", b_hh, 3 * H))
        return NULL;
    if (h0 && (!operand(g, "gru", 5, h0, true) || h0->n != x->shape[0] * H)) {
        if (h0 && g->err.code == 0)
            gerr(g, "gru: h0 must be [B, H] = [%lld, %lld]", (long long)x->shape[0],
                 (long long)H);
        return NULL;
    }
    int64_t shape[3] = { x->shape[0], x->shape[1], H };
    struct sco_tensor *in[6] = { x, w_ih, w_hh, b_ih, b_hh, h0 };
    return add_node(g, SCO__OP_GRU, in, 6, SCO_F32, 3, shape, NULL);
}

/* ---- losses ---- */

static const int64_t one_shape[1] = { 1 };

static bool same_shape(const struct sco_tensor *a, const struct sco_tensor *b)
{
    if (a->ndim != b->ndim)
        return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return false;
    return true;
}

static struct sco_tensor *loss2(struct sco_graph *g, int op, struct sco_tensor *a,
                                struct sco_tensor *b, float f)
{
    const char *name = sco__op_name(op);
    if (!operand(g, name, 0, a, true) || !operand(g, name, 1, b, true))
        return NULL;
    if (!same_shape(a, b)) {
        char sa[64], sb[64];
        gerr(g, "%s: operands differ in shape (%s vs %s)", name, shape_str(a, sa, sizeof sa),
             shape_str(b, sb, sizeof sb));
        return NULL;
    }
    struct sco__node *n;
    struct sco_tensor *in[2] = { a, b };
    struct sco_tensor *t = add_node(g, op, in, 2, SCO_F32, 1, one_shape, &n);
    if (t)
        n->f0 = f;
    return t;
}

struct sco_tensor *sco__mse(struct sco_graph *g, struct sco_tensor *p, struct sco_tensor *y)
{
    return loss2(g, SCO__OP_MSE, p, y, 0);
}
struct sco_tensor *sco__poisson_nll(struct sco_graph *g, struct sco_tensor *p,
                                    struct sco_tensor *y)
{
    return loss2(g, SCO__OP_POISSON, p, y, 0);
}
struct sco_tensor *sco__tweedie_nll(struct sco_graph *g, struct sco_tensor *p,
                                    struct sco_tensor *y, float power)
{
    if (g && !(power > 1 && power < 2)) {
        gerr(g, "tweedie_nll: power %g is outside (1, 2)", (double)power);
        return NULL;
    }
    return loss2(g, SCO__OP_TWEEDIE, p, y, power);
}
struct sco_tensor *sco__bce_logits(struct sco_graph *g, struct sco_tensor *p,
                                   struct sco_tensor *y)
{
    return loss2(g, SCO__OP_BCE, p, y, 0);
}
struct sco_tensor *sco__bpr(struct sco_graph *g, struct sco_tensor *pos, struct sco_tensor *neg)
{
    return loss2(g, SCO__OP_BPR, pos, neg, 0);
}

struct sco_tensor *sco__pinball(struct sco_graph *g, struct sco_tensor *pred,
                                struct sco_tensor *y, const float *qs, int nq)
{
    if (!operand(g, "pinball", 0, pred, true) || !operand(g, "pinball", 1, y, true))
        return NULL;
    if (!qs || nq < 1 || pred->shape[pred->ndim - 1] != nq) {
        gerr(g, "pinball: the last dimension of pred (%lld) must equal the number of "
                "quantiles (%d)",
             (long long)pred->shape[pred->ndim - 1], nq);
        return NULL;
    }
    for (int i = 0; i < nq; i++)
        if (!(qs[i] > 0 && qs[i] < 1)) {
            gerr(g, "pinball: quantile %g is outside (0, 1)", (double)qs[i]);
            return NULL;
        }
    if (y->n * nq != pred->n) {
        gerr(g, "pinball: target has %lld elements, expected %lld (pred without its last axis)",
             (long long)y->n, (long long)(pred->n / nq));
        return NULL;
    }
    float *q = malloc((size_t)nq * sizeof *q);
    if (!q || !own(g, q)) {
        gerr_nomem(g);
        return NULL;
    }
    memcpy(q, qs, (size_t)nq * sizeof *q);
    struct sco__node *n;
    struct sco_tensor *in[2] = { pred, y };
    struct sco_tensor *t = add_node(g, SCO__OP_PINBALL, in, 2, SCO_F32, 1, one_shape, &n);
    if (t) {
        n->fv = q;
        n->nf = nq;
    }
    return t;
}

struct sco_tensor *sco__softmax_xent(struct sco_graph *g, struct sco_tensor *logits,
                                     struct sco_tensor *labels)
{
    if (!operand(g, "softmax_xent", 0, logits, true) ||
        !operand(g, "softmax_xent", 1, labels, false))
        return NULL;
    if (logits->ndim != 2 || labels->dtype == SCO_F32 || labels->n != logits->shape[0]) {
        gerr(g, "softmax_xent: logits must be [N, C] F32 and labels [N] I32/I64");
        return NULL;
    }
    struct sco_tensor *in[2] = { logits, labels };
    return add_node(g, SCO__OP_XENT, in, 2, SCO_F32, 1, one_shape, NULL);
}

/* ---- marks ---- */

void sco__mark_output(struct sco_graph *g, struct sco_tensor *t)
{
    if (!g || !t)
        return;
    t->is_output = true;
}

void sco__mark_loss(struct sco_graph *g, struct sco_tensor *t)
{
    if (!g)
        return;
    if (!operand(g, "mark_loss", 0, t, true))
        return;
    if (t->n != 1) {
        gerr(g, "mark_loss: the loss must have one element, it has %lld", (long long)t->n);
        return;
    }
    if (t->g != g) {
        gerr(g, "mark_loss: the loss must be computed by this graph");
        return;
    }
    g->loss = t;
    t->is_output = true;
}
