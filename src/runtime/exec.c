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

/* ---- liveness planning for graphs without a loss ----
 * Buffers are placed by first fit in one arena: a node's output (and scratch) is placed
 * while its operands are still live, and an intermediate's slot is released after its last
 * consumer. Inputs, constants, marked outputs (and what they alias) keep their own slots. */

struct blk {
    size_t off, size;
    bool used;
};

struct fit {
    struct blk *b;
    int n, cap;
    size_t top, peak;
};

static size_t fit_alloc(struct fit *a, size_t size)
{
    for (int i = 0; i < a->n; i++) {
        struct blk *b = &a->b[i];
        if (b->used || b->size < size)
            continue;
        if (b->size > size) { /* split: the rest stays free, right after */
            memmove(&a->b[i + 2], &a->b[i + 1], (size_t)(a->n - i - 1) * sizeof *a->b);
            a->b[i + 1] = (struct blk){ b->off + size, b->size - size, false };
            a->n++;
            b->size = size;
        }
        b->used = true;
        return b->off;
    }
    a->b[a->n++] = (struct blk){ a->top, size, true };
    a->top += size;
    if (a->top > a->peak)
        a->peak = a->top;
    return a->top - size;
}

static void fit_free(struct fit *a, size_t off)
{
    int i = 0;
    while (i < a->n && a->b[i].off != off)
        i++;
    if (i == a->n)
        return;
    a->b[i].used = false;
    if (i + 1 < a->n && !a->b[i + 1].used) { /* merge with the next */
        a->b[i].size += a->b[i + 1].size;
        memmove(&a->b[i + 1], &a->b[i + 2], (size_t)(a->n - i - 2) * sizeof *a->b);
        a->n--;
    }
    if (i > 0 && !a->b[i - 1].used) { /* merge with the previous */
        a->b[i - 1].size += a->b[i].size;
        memmove(&a->b[i], &a->b[i + 1], (size_t)(a->n - i - 1) * sizeof *a->b);
        a->n--;
        i--;
    }
    if (i == a->n - 1) { /* the last block: give it back to the top */
        a->top = a->b[i].off;
        a->n--;
    }
}

static struct sco_tensor *root_of(struct sco_tensor *t)
{
    return t->alias_of ? t->alias_of : t;
}

static int plan_liveness(struct sco_graph *g, size_t *aux_offs, size_t *total)
{
    int nt = g->n_ts, rc = 0;
    int *last = malloc(((size_t)nt + 1) * sizeof *last);
    bool *keep = calloc((size_t)nt + 1, sizeof *keep), *placed = calloc((size_t)nt + 1, 1);
    struct fit a = { .cap = 2 * (nt + 2 * g->n_nodes) + 8 };
    a.b = malloc((size_t)a.cap * sizeof *a.b);
    if (!last || !keep || !placed || !a.b) {
        rc = SCO_ERR_NOMEM;
        goto out;
    }
    for (int i = 0; i < nt; i++) {
        struct sco_tensor *t = g->ts[i], *r = root_of(t);
        last[i] = -1;
        if (t->is_input || t->is_const || t->is_output || t == g->loss)
            keep[r->id] = true;
    }
    for (int k = 0; k < g->n_nodes; k++) {
        struct sco__node *n = g->nodes[k];
        last[root_of(n->out)->id] = k; /* at least its own step */
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] && n->in[j]->g == g)
                last[root_of(n->in[j])->id] = k;
    }
    /* kept tensors first, each in its own slot */
    for (int i = 0; i < nt; i++) {
        struct sco_tensor *t = g->ts[i];
        if (!t->alias_of && keep[i]) {
            t->off = fit_alloc(&a, align_up(tensor_bytes(t)));
            placed[i] = true;
        }
    }
    for (int k = 0; k < g->n_nodes; k++) {
        struct sco__node *n = g->nodes[k];
        struct sco_tensor *o = root_of(n->out);
        if (!placed[o->id]) {
            o->off = fit_alloc(&a, align_up(tensor_bytes(o)));
            placed[o->id] = true;
        }
        size_t s1 = align_up(n->aux_n * sizeof(float)), s2 = align_up(n->aux2_n * sizeof(float));
        aux_offs[2 * k] = s1 ? fit_alloc(&a, s1) : 0;
        aux_offs[2 * k + 1] = s2 ? fit_alloc(&a, s2) : 0;
        if (s2)
            fit_free(&a, aux_offs[2 * k + 1]);
        if (s1)
            fit_free(&a, aux_offs[2 * k]);
        /* release what this node was the last to use (its output too, if nobody reads it) */
        for (int j = -1; j < n->n_in; j++) {
            struct sco_tensor *t = j < 0 ? n->out : n->in[j];
            if (!t || t->g != g)
                continue;
            struct sco_tensor *r = root_of(t);
            if (!keep[r->id] && last[r->id] == k && placed[r->id]) {
                fit_free(&a, r->off);
                placed[r->id] = false;
                last[r->id] = -2; /* released */
            }
        }
    }
    *total = a.peak;
out:
    free(last);
    free(keep);
    free(placed);
    free(a.b);
    return rc;
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
    /* sizes: values and aux scratch (reused by liveness when nothing is differentiated),
     * then one contiguous region of graph gradients */
    size_t off = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        struct sco__node *n = g->nodes[i];
        sco__cpu_aux_sizes(n, &n->aux_n, &n->aux2_n);
    }
    size_t *aux_offs = calloc(2 * (size_t)g->n_nodes + 1, sizeof *aux_offs);
    if (!aux_offs)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory planning a graph");
    int rc = grads ? 0 : plan_liveness(g, aux_offs, &off);
    if (rc == SCO_ERR_NOMEM) {
        free(aux_offs);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory planning a graph");
    }
    if (grads) {
        /* training keeps every activation for the backward pass: one slot each */
        for (int i = 0; i < g->n_ts; i++) {
            struct sco_tensor *t = g->ts[i];
            if (t->alias_of)
                continue;
            t->off = off;
            off += align_up(tensor_bytes(t));
        }
        for (int i = 0; i < g->n_nodes; i++) {
            struct sco__node *n = g->nodes[i];
            aux_offs[2 * i] = off;
            off += align_up(n->aux_n * sizeof(float));
            aux_offs[2 * i + 1] = off;
            off += align_up(n->aux2_n * sizeof(float));
        }
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
    if (!arena) {
        free(aux_offs);
        return sco_err_set(err, SCO_ERR_NOMEM,
                           "cannot allocate %zu bytes for a graph; use smaller batches", total);
    }
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
        n->aux = n->aux_n ? (float *)(arena + aux_offs[2 * i]) : NULL;
        n->aux2 = n->aux2_n ? (float *)(arena + aux_offs[2 * i + 1]) : NULL;
    }
    free(aux_offs);
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
