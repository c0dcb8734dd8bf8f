/* exec.c: planning (one arena per graph), forward and backward passes, host transfers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ALIGN 64

static size_t align_up(size_t n)
{
    return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

static size_t tensor_bytes(const struct sco_tensor *t)
{
    return (size_t)t->n * sco__dtype_size(t->dtype);
}

static bool is_param(const struct sco_tensor *t)
{
    return t->ps != NULL;
}

int sco__plan(struct sco_graph *g, struct sco_err *err)
{
    if (!g)
        return sco_err_set(err, SCO_ERR_INVALID, "plan: graph is NULL");
    if (g->err.code != 0) {
        if (err)
            *err = g->err;
        return g->err.code;
    }
    if (g->planned)
        return 0;
    if (g->n_nodes == 0 && g->n_ts == 0)
        return sco_err_set(err, SCO_ERR_INVALID, "plan: the graph is empty");
    bool grads = g->loss != NULL;
    /* which tensors carry gradients: parameters, and op outputs with such an operand */
    for (int i = 0; i < g->n_nodes; i++) {
        struct sco__node *n = g->nodes[i];
        bool any = false;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] && n->in[k]->dtype == SCO_F32 &&
                (n->in[k]->needs_grad || is_param(n->in[k])))
                any = true;
        n->out->needs_grad = grads && any && n->out->dtype == SCO_F32;
    }
    /* sizes: values, aux scratch, then one contiguous region of graph gradients */
    size_t off = 0;
    for (int i = 0; i < g->n_ts; i++) {
        struct sco_tensor *t = g->ts[i];
        if (t->alias_of)
            continue;
        t->off = off;
        off += align_up(tensor_bytes(t));
    }
    for (int i = 0; i < g->n_nodes; i++) {
        struct sco__node *n = g->nodes[i];
        sco__cpu_aux_sizes(n, &n->aux_n, &n->aux2_n);
    }
    size_t aux_off = off;
    for (int i = 0; i < g->n_nodes; i++) {
        struct sco__node *n = g->nodes[i];
        off += align_up(n->aux_n * sizeof(float)) + align_up(n->aux2_n * sizeof(float));
    }
    size_t grad_off = off;
    for (int i = 0; i < g->n_ts; i++) {
        struct sco_tensor *t = g->ts[i];
        if (t->alias_of || !t->needs_grad)
            continue;
        t->goff = off;
        off += align_up(tensor_bytes(t));
    }
    size_t total = off ? off : ALIGN;
    char *arena = sco__mem_alloc(g->R, total);
    if (!arena)
        return sco_err_set(err, SCO_ERR_NOMEM,
                           "cannot allocate %zu bytes for a graph; use smaller batches", total);
    g->arena = arena;
    g->arena_bytes = total;
    g->grad_base = arena + grad_off;
    g->grad_bytes = off - grad_off;
    for (int i = 0; i < g->n_ts; i++) {
        struct sco_tensor *t = g->ts[i];
        if (t->alias_of)
            continue;
        t->data = arena + t->off;
        t->grad = t->needs_grad ? (float *)(arena + t->goff) : NULL;
        if (t->is_const)
            for (int64_t k = 0; k < t->n; k++)
                ((float *)t->data)[k] = t->cval;
    }
    for (int i = 0; i < g->n_ts; i++) {
        struct sco_tensor *t = g->ts[i];
        if (!t->alias_of)
            continue;
        t->data = t->alias_of->data;
        /* a reshape of a parameter shares the parameter's gradient */
        t->grad = t->needs_grad ? t->alias_of->grad : NULL;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        struct sco__node *n = g->nodes[i];
        n->aux = n->aux_n ? (float *)(arena + aux_off) : NULL;
        aux_off += align_up(n->aux_n * sizeof(float));
        n->aux2 = n->aux2_n ? (float *)(arena + aux_off) : NULL;
        aux_off += align_up(n->aux2_n * sizeof(float));
    }
    g->planned = true;
    return 0;
}

static bool on_backend(struct sco_runtime *R, const struct sco__node *n)
{
    return R->be && R->be_ops->supports(R->be, n);
}

/* Runs one node forward or backward, on the backend when it has the op, else on the CPU
 * over the same (host-addressable) memory. */
static int run_node(struct sco_graph *g, struct sco__node *n, bool bwd, bool *dev_dirty,
                    struct sco_err *err)
{
    struct sco_runtime *R = g->R;
    if (on_backend(R, n)) {
        *dev_dirty = true;
        return bwd ? R->be_ops->backward(R->be, n, err)
                   : R->be_ops->forward(R->be, n, g->training, err);
    }
    if (*dev_dirty) {
        int rc = sco__sync(R, err);
        if (rc)
            return rc;
        *dev_dirty = false;
    }
    return bwd ? sco__cpu_backward(R, n, err) : sco__cpu_forward(R, n, g->training, err);
}

static int need_plan(const struct sco_graph *g, const char *what, struct sco_err *err)
{
    if (!g)
        return sco_err_set(err, SCO_ERR_INVALID, "%s: graph is NULL", what);
    if (!g->planned)
        return sco_err_set(err, SCO_ERR_INVALID, "%s: the graph is not planned; call plan() first",
                           what);
    return 0;
}

int sco__compute(struct sco_graph *g, struct sco_err *err)
{
    int rc = need_plan(g, "compute", err);
    if (rc)
        return rc;
    bool dirty = false;
    g->counter++;
    g->computed = false;
    for (int i = 0; i < g->n_nodes; i++) {
        struct sco__node *n = g->nodes[i];
        n->counter = g->counter;
        rc = run_node(g, n, false, &dirty, err);
        if (rc)
            return rc;
    }
    if (dirty && (rc = sco__sync(g->R, err)))
        return rc;
    g->computed = true;
    return 0;
}

int sco__backward(struct sco_graph *g, struct sco_err *err)
{
    int rc = need_plan(g, "backward", err);
    if (rc)
        return rc;
    if (!g->loss)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "backward: no loss marked; call mark_loss() before plan()");
    if (!g->computed)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "backward: run compute() first (once per backward)");
    g->computed = false;
    struct sco_runtime *R = g->R;
    if (!g->loss->grad)
        return 0; /* the loss does not depend on any parameter */
    if (g->grad_bytes) {
        if (R->be)
            rc = R->be_ops->memset0(R->be, g->grad_base, g->grad_bytes, err);
        else
            memset(g->grad_base, 0, g->grad_bytes);
        if (rc)
            return rc;
    }
    if (R->be && (rc = sco__sync(R, err)))
        return rc;
    g->loss->grad[0] = 1.0f;
    bool dirty = false;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        struct sco__node *n = g->nodes[i];
        if (!n->out->grad)
            continue;
        rc = run_node(g, n, true, &dirty, err);
        if (rc)
            return rc;
    }
    if (dirty && (rc = sco__sync(R, err)))
        return rc;
    return 0;
}

static int check_transfer(const struct sco_tensor *t, size_t nbytes, const char *what,
                          struct sco_err *err)
{
    if (!t)
        return sco_err_set(err, SCO_ERR_INVALID, "%s: tensor is NULL", what);
    if (!t->data)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "%s: the tensor's graph is not planned; call plan() first", what);
    size_t want = tensor_bytes(t);
    if (nbytes != want)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "%s: %zu bytes given, the tensor holds %zu (%lld elements of %zu)",
                           what, nbytes, want, (long long)t->n, sco__dtype_size(t->dtype));
    return 0;
}

static struct sco_runtime *tensor_runtime(const struct sco_tensor *t)
{
    return t->g ? t->g->R : t->ps->R;
}

int sco__write(struct sco_tensor *t, const void *src, size_t nbytes, struct sco_err *err)
{
    int rc = check_transfer(t, nbytes, "write", err);
    if (rc)
        return rc;
    if (t->src)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "write: the tensor is computed by op '%s'; write inputs or parameters",
                           sco__op_name(t->src->op));
    if (!src)
        return sco_err_set(err, SCO_ERR_INVALID, "write: source is NULL");
    if ((rc = sco__sync(tensor_runtime(t), err)))
        return rc;
    memcpy(t->data, src, nbytes);
    return 0;
}

int sco__read(const struct sco_tensor *t, void *dst, size_t nbytes, struct sco_err *err)
{
    int rc = check_transfer(t, nbytes, "read", err);
    if (rc)
        return rc;
    if (!dst)
        return sco_err_set(err, SCO_ERR_INVALID, "read: destination is NULL");
    if ((rc = sco__sync(tensor_runtime(t), err)))
        return rc;
    memcpy(dst, t->data, nbytes);
    return 0;
}

int sco__read_grad(const struct sco_tensor *t, float *dst, size_t nbytes, struct sco_err *err)
{
    int rc = check_transfer(t, nbytes, "read_grad", err);
    if (rc)
        return rc;
    if (!t->grad)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "read_grad: no gradient flows to this tensor; mark a loss that "
                           "depends on it before plan()");
    if (!dst)
        return sco_err_set(err, SCO_ERR_INVALID, "read_grad: destination is NULL");
    if ((rc = sco__sync(tensor_runtime(t), err)))
        return rc;
    memcpy(dst, t->grad, nbytes);
    return 0;
}

float sco__loss_value(const struct sco_graph *g)
{
    if (!g || !g->loss || !g->loss->data)
        return NAN;
    return ((const float *)g->loss->data)[0];
}
