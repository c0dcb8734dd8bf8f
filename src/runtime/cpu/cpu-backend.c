/* cpu-backend.c: forward and backward kernels of every op on the CPU.
 * Matrix products go to cblas_sgemm (OpenBLAS) when built with BLAS, to a plain loop
 * otherwise. Elementwise and row-wise work is split into fixed-size chunks run on the
 * runtime's pool; every reduction is done in a fixed order, so results do not depend on the
 * thread count. Backward kernels ADD into the gradients of their operands. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SCO_HAVE_BLAS
#include <cblas.h>
#endif

#include "../core.h"

#define CHUNK 16384 /* elements per task for elementwise work */

bool sco__cpu_has_blas(void)
{
#ifdef SCO_HAVE_BLAS
    return true;
#else
    return false;
#endif
}

void sco__cpu_init_blas(int threads)
{
#ifdef SCO_HAVE_BLAS
    /* OpenBLAS's own threading splits work by thread count, which changes the rounding of
     * some products; we run it single-threaded and split GEMMs ourselves (gemm() below) */
    (void)threads;
    openblas_set_num_threads(1);
#else
    (void)threads;
#endif
}

static inline int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static inline float *F(const struct sco_tensor *t)
{
    return (float *)t->data;
}

/* ---- GEMM: C = alpha * op(A) op(B) + beta * C, row-major ---- */

#ifndef SCO_HAVE_BLAS
struct gemm_ctx {
    bool ta, tb;
    int64_t M, N, K, lda, ldb, ldc;
    float alpha, beta;
    const float *A, *B;
    float *C;
};

static void gemm_rows(void *c, int64_t task)
{
    struct gemm_ctx *g = c;
    int64_t i0 = task * 16, i1 = min64(g->M, i0 + 16);
    for (int64_t i = i0; i < i1; i++) {
        float *crow = g->C + i * g->ldc;
        for (int64_t j = 0; j < g->N; j++)
            crow[j] = g->beta == 0 ? 0 : g->beta * crow[j];
        for (int64_t k = 0; k < g->K; k++) {
            float a = g->ta ? g->A[k * g->lda + i] : g->A[i * g->lda + k];
            a *= g->alpha;
            if (a == 0)
                continue;
            if (!g->tb) {
                const float *brow = g->B + k * g->ldb;
                for (int64_t j = 0; j < g->N; j++)
                    crow[j] += a * brow[j];
            } else {
                for (int64_t j = 0; j < g->N; j++)
                    crow[j] += a * g->B[j * g->ldb + k];
            }
        }
    }
}
#endif

#ifdef SCO_HAVE_BLAS
/* One GEMM split into blocks of rows (or of columns when C is wide). The number of blocks
 * depends only on the sizes, never on the thread count, and each block is one single-threaded
 * cblas_sgemm over the full K, so the result is the same with any number of threads. */
struct gemm_ctx {
    bool ta, tb, split_rows;
    int64_t M, N, K, lda, ldb, ldc, blk;
    float alpha, beta;
    const float *A, *B;
    float *C;
};

static void gemm_block(void *c, int64_t task)
{
    const struct gemm_ctx *g = c;
    int64_t lo = task * g->blk;
    const float *A = g->A, *B = g->B;
    float *C = g->C;
    int64_t M = g->M, N = g->N;
    if (g->split_rows) {
        M = min64(g->M, lo + g->blk) - lo;
        A += g->ta ? lo : lo * g->lda; /* rows of op(A) */
        C += lo * g->ldc;
    } else {
        N = min64(g->N, lo + g->blk) - lo;
        B += g->tb ? lo * g->ldb : lo; /* columns of op(B) */
        C += lo;
    }
    cblas_sgemm(CblasRowMajor, g->ta ? CblasTrans : CblasNoTrans,
                g->tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)g->K, g->alpha, A,
                (int)g->lda, B, (int)g->ldb, g->beta, C, (int)g->ldc);
}
#endif

static void gemm(struct sco_runtime *R, bool ta, bool tb, int64_t M, int64_t N, int64_t K,
                 float alpha, const float *A, int64_t lda, const float *B, int64_t ldb,
                 float beta, float *C, int64_t ldc)
{
#ifdef SCO_HAVE_BLAS
    struct gemm_ctx g = { ta, tb, M >= N, M, N, K, lda, ldb, ldc, 0, alpha, beta, A, B, C };
    int64_t dim = g.split_rows ? M : N;
    /* blocks of >= 256 rows/columns and >= ~16 MFLOP each, at most 16: big enough that
     * re-packing the shared operand per block costs little (about 1/(2*256) of the work) */
    int64_t nb = dim / 256;
    int64_t by_work = (2 * M * N * K) / (16 << 20);
    if (nb > by_work)
        nb = by_work;
    if (nb > 16)
        nb = 16;
    if (nb < 1)
        nb = 1;
    g.blk = (dim + nb - 1) / nb;
    if (g.blk > 8 && g.blk % 8)
        g.blk += 8 - g.blk % 8; /* keep blocks SIMD-aligned */
    sco__parallel(R->pool, (dim + g.blk - 1) / g.blk, gemm_block, &g);
#else
    struct gemm_ctx g = { ta, tb, M, N, K, lda, ldb, ldc, alpha, beta, A, B, C };
    sco__parallel(R->pool, (M + 15) / 16, gemm_rows, &g);
#endif
}

/* ---- elementwise engine ---- */

struct ew {
    int op;
    float f;
    int64_t n;
    const float *x, *y, *dy, *aux;
    float *out, *gx;
};

static inline float gelu_f(float x)
{
    return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}

static inline float gelu_d(float x)
{
    float cdf = 0.5f * (1.0f + erff(x * 0.70710678118654752f));
    float pdf = 0.3989422804014327f * expf(-0.5f * x * x);
    return cdf + x * pdf;
}

static inline float sigm(float x)
{
    return x >= 0 ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
}

static inline float softplus_f(float x)
{
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

static void ew_fwd(void *c, int64_t task)
{
    const struct ew *e = c;
    int64_t lo = task * CHUNK, hi = min64(e->n, lo + CHUNK);
    const float *restrict x = e->x;
    float *restrict y = e->out;
    float f = e->f;
    switch (e->op) {
    case SCO__OP_SCALE:
        for (int64_t i = lo; i < hi; i++)
            y[i] = f * x[i];
        break;
    case SCO__OP_ADD_SCALAR:
        for (int64_t i = lo; i < hi; i++)
            y[i] = x[i] + f;
        break;
    case SCO__OP_RELU:
        for (int64_t i = lo; i < hi; i++)
            y[i] = x[i] > 0 ? x[i] : 0.0f;
        break;
    case SCO__OP_LEAKY_RELU:
        for (int64_t i = lo; i < hi; i++)
            y[i] = x[i] * (x[i] > 0 ? 1.0f : f);
        break;
    case SCO__OP_GELU:
        for (int64_t i = lo; i < hi; i++)
            y[i] = gelu_f(x[i]);
        break;
    case SCO__OP_TANH:
        for (int64_t i = lo; i < hi; i++)
            y[i] = tanhf(x[i]);
        break;
    case SCO__OP_SIGMOID:
        for (int64_t i = lo; i < hi; i++)
            y[i] = sigm(x[i]);
        break;
    case SCO__OP_SOFTPLUS:
        for (int64_t i = lo; i < hi; i++)
            y[i] = softplus_f(x[i]);
        break;
    case SCO__OP_EXP:
        for (int64_t i = lo; i < hi; i++)
            y[i] = expf(x[i]);
        break;
    case SCO__OP_LOG:
        for (int64_t i = lo; i < hi; i++)
            y[i] = logf(x[i]);
        break;
    case SCO__OP_DROPOUT:
        for (int64_t i = lo; i < hi; i++)
            y[i] = x[i] * e->aux[i];
        break;
    default:
        break;
    }
}

static void ew_bwd(void *c, int64_t task)
{
    const struct ew *e = c;
    int64_t lo = task * CHUNK, hi = min64(e->n, lo + CHUNK);
    const float *restrict x = e->x, *restrict y = e->y, *restrict dy = e->dy;
    float *restrict gx = e->gx;
    float f = e->f;
    switch (e->op) {
    case SCO__OP_SCALE:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += f * dy[i];
        break;
    case SCO__OP_ADD_SCALAR:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i];
        break;
    case SCO__OP_RELU:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] * (x[i] > 0 ? 1.0f : 0.0f); /* mask multiply: vectorises */
        break;
    case SCO__OP_LEAKY_RELU:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] * (x[i] > 0 ? 1.0f : f);
        break;
    case SCO__OP_GELU:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] * gelu_d(x[i]);
        break;
    case SCO__OP_TANH:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] * (1 - y[i] * y[i]);
        break;
    case SCO__OP_SIGMOID:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] * y[i] * (1 - y[i]);
        break;
    case SCO__OP_SOFTPLUS:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] * sigm(x[i]);
        break;
    case SCO__OP_EXP:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] * y[i];
        break;
    case SCO__OP_LOG:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] / x[i];
        break;
    case SCO__OP_DROPOUT:
        for (int64_t i = lo; i < hi; i++)
            gx[i] += dy[i] * e->aux[i];
        break;
    default:
        break;
    }
}

static void run_ew(struct sco_runtime *R, struct ew *e, sco__task_fn *fn)
{
    sco__parallel(R->pool, (e->n + CHUNK - 1) / CHUNK, fn, e);
}

/* ---- bias + activation over rows (linear, conv1d, bias_add) ---- */

struct rowact {
    float *y;        /* [M, N], in: x@w, out: act(x@w + b) */
    float *pre;      /* GELU: keeps the pre-activation; else NULL */
    const float *b;  /* [N] or NULL */
    int act;
    int64_t M, N;
    /* backward */
    const float *dy;
    float *dz;
};

#define ROWS_PER_TASK(N) ((N) >= CHUNK ? 1 : CHUNK / (N))

static void rowact_fwd(void *c, int64_t task)
{
    const struct rowact *r = c;
    int64_t rows = ROWS_PER_TASK(r->N);
    int64_t i0 = task * rows, i1 = min64(r->M, i0 + rows);
    for (int64_t i = i0; i < i1; i++) {
        float *restrict y = r->y + i * r->N;
        if (r->b)
            for (int64_t j = 0; j < r->N; j++)
                y[j] += r->b[j];
        switch (r->act) {
        case SCO_ACT_RELU:
            for (int64_t j = 0; j < r->N; j++)
                y[j] = y[j] > 0 ? y[j] : 0.0f;
            break;
        case SCO_ACT_GELU: {
            float *p = r->pre + i * r->N;
            for (int64_t j = 0; j < r->N; j++) {
                p[j] = y[j];
                y[j] = gelu_f(y[j]);
            }
            break;
        }
        case SCO_ACT_TANH:
            for (int64_t j = 0; j < r->N; j++)
                y[j] = tanhf(y[j]);
            break;
        case SCO_ACT_SIGMOID:
            for (int64_t j = 0; j < r->N; j++)
                y[j] = sigm(y[j]);
            break;
        default:
            break;
        }
    }
}

static void rowact_bwd(void *c, int64_t task)
{
    const struct rowact *r = c;
    int64_t rows = ROWS_PER_TASK(r->N);
    int64_t lo = task * rows * r->N, hi = min64(r->M * r->N, lo + rows * r->N);
    const float *restrict y = r->y, *restrict dy = r->dy;
    float *restrict dz = r->dz;
    switch (r->act) {
    case SCO_ACT_RELU:
        for (int64_t i = lo; i < hi; i++)
            dz[i] = dy[i] * (y[i] > 0 ? 1.0f : 0.0f); /* mask multiply: vectorises */
        break;
    case SCO_ACT_GELU:
        for (int64_t i = lo; i < hi; i++)
            dz[i] = dy[i] * gelu_d(r->pre[i]);
        break;
    case SCO_ACT_TANH:
        for (int64_t i = lo; i < hi; i++)
            dz[i] = dy[i] * (1 - y[i] * y[i]);
        break;
    case SCO_ACT_SIGMOID:
        for (int64_t i = lo; i < hi; i++)
            dz[i] = dy[i] * y[i] * (1 - y[i]);
        break;
    default:
        break;
    }
}

static void bias_act_fwd(struct sco_runtime *R, float *y, float *pre, const float *b, int act,
                         int64_t M, int64_t N)
{
    if (!b && act == SCO_ACT_NONE)
        return;
    struct rowact r = { .y = y, .pre = pre, .b = b, .act = act, .M = M, .N = N };
    int64_t rows = ROWS_PER_TASK(N);
    sco__parallel(R->pool, (M + rows - 1) / rows, rowact_fwd, &r);
}

/* dz = dy * act'(.), or dy itself for no activation */
static const float *act_bwd(struct sco_runtime *R, const float *y, const float *pre,
                            const float *dy, float *dz, int act, int64_t M, int64_t N)
{
    if (act == SCO_ACT_NONE)
        return dy;
    struct rowact r = { .y = (float *)y, .pre = (float *)pre, .act = act, .M = M, .N = N,
                        .dy = dy, .dz = dz };
    int64_t rows = ROWS_PER_TASK(N);
    sco__parallel(R->pool, (M + rows - 1) / rows, rowact_bwd, &r);
    return dz;
}

/* gb[j] += sum_i dz[i, j]: tasks own column blocks, rows summed in order */
struct colsum {
    const float *dz;
    float *gb;
    int64_t M, N;
};

static void colsum_task(void *c, int64_t task)
{
    const struct colsum *s = c;
    int64_t j0 = task * 256, j1 = min64(s->N, j0 + 256);
    float acc[256];
    for (int64_t j = j0; j < j1; j++)
        acc[j - j0] = 0;
    for (int64_t i = 0; i < s->M; i++) {
        const float *row = s->dz + i * s->N;
        for (int64_t j = j0; j < j1; j++)
            acc[j - j0] += row[j];
    }
    for (int64_t j = j0; j < j1; j++)
        s->gb[j] += acc[j - j0];
}

static void colsum_acc(struct sco_runtime *R, const float *dz, int64_t M, int64_t N, float *gb)
{
    struct colsum s = { dz, gb, M, N };
    sco__parallel(R->pool, (N + 255) / 256, colsum_task, &s);
}

/* ---- broadcasting binary ops ---- */

struct bc {
    int op;
    int64_t d[4];   /* output dims, padded to 4 */
    int64_t sa[4], sb[4]; /* element strides of a and b in output index space (0: broadcast) */
    const float *a, *b, *dy;
    float *y, *ga, *gb;
    int64_t n;
    bool a_full, b_full; /* operand has the output's shape */
};

static void bc_setup(struct bc *c, const struct sco_tensor *a, const struct sco_tensor *b,
                     const struct sco_tensor *y)
{
    int nd = y->ndim;
    int64_t stA = 1, stB = 1;
    for (int i = 3; i >= 0; i--) {
        int oi = i - (4 - nd);
        c->d[i] = oi >= 0 ? y->shape[oi] : 1;
        int ia = oi - (nd - a->ndim), ib = oi - (nd - b->ndim);
        int64_t da = (oi >= 0 && ia >= 0) ? a->shape[ia] : 1;
        int64_t db = (oi >= 0 && ib >= 0) ? b->shape[ib] : 1;
        c->sa[i] = da == 1 ? 0 : stA;
        c->sb[i] = db == 1 ? 0 : stB;
        stA *= da;
        stB *= db;
    }
    c->n = y->n;
    c->a_full = a->n == y->n;
    c->b_full = b->n == y->n;
}

static inline float bin_f(int op, float a, float b)
{
    switch (op) {
    case SCO__OP_ADD:
        return a + b;
    case SCO__OP_SUB:
        return a - b;
    case SCO__OP_MUL:
        return a * b;
    default:
        return a / b;
    }
}

/* forward: task = one [.., .., d2, d3] row block of d3 elements x rows */
static void bc_fwd(void *cv, int64_t task)
{
    const struct bc *c = cv;
    int64_t rows = c->d[0] * c->d[1] * c->d[2];
    int64_t per = ROWS_PER_TASK(c->d[3]);
    int64_t r0 = task * per, r1 = min64(rows, r0 + per);
    for (int64_t r = r0; r < r1; r++) {
        int64_t i2 = r % c->d[2], i1 = (r / c->d[2]) % c->d[1], i0 = r / (c->d[2] * c->d[1]);
        const float *pa = c->a + i0 * c->sa[0] + i1 * c->sa[1] + i2 * c->sa[2];
        const float *pb = c->b + i0 * c->sb[0] + i1 * c->sb[1] + i2 * c->sb[2];
        float *py = c->y + r * c->d[3];
        int64_t sa = c->sa[3], sb = c->sb[3];
        for (int64_t j = 0; j < c->d[3]; j++)
            py[j] = bin_f(c->op, pa[j * sa], pb[j * sb]);
    }
}

/* d/da and d/db of op at (a, b) times dy */
static inline void bin_d(int op, float a, float b, float dy, float *da, float *db)
{
    switch (op) {
    case SCO__OP_ADD:
        *da = dy;
        *db = dy;
        break;
    case SCO__OP_SUB:
        *da = dy;
        *db = -dy;
        break;
    case SCO__OP_MUL:
        *da = dy * b;
        *db = dy * a;
        break;
    default:
        *da = dy / b;
        *db = -dy * a / (b * b);
        break;
    }
}

/* backward for operand(s) that have the full output shape: one-to-one, parallel */
struct bcb {
    struct bc *c;
    bool do_a, do_b;
};

static void bc_bwd_rows(void *cv, int64_t task)
{
    const struct bcb *bb = cv;
    const struct bc *c = bb->c;
    int64_t rows = c->d[0] * c->d[1] * c->d[2];
    int64_t per = ROWS_PER_TASK(c->d[3]);
    int64_t r0 = task * per, r1 = min64(rows, r0 + per);
    for (int64_t r = r0; r < r1; r++) {
        int64_t i2 = r % c->d[2], i1 = (r / c->d[2]) % c->d[1], i0 = r / (c->d[2] * c->d[1]);
        int64_t oa = i0 * c->sa[0] + i1 * c->sa[1] + i2 * c->sa[2];
        int64_t ob = i0 * c->sb[0] + i1 * c->sb[1] + i2 * c->sb[2];
        for (int64_t j = 0; j < c->d[3]; j++) {
            int64_t ia = oa + j * c->sa[3], ib = ob + j * c->sb[3];
            float da, db;
            bin_d(c->op, c->a[ia], c->b[ib], c->dy[r * c->d[3] + j], &da, &db);
            if (bb->do_a)
                c->ga[ia] += da;
            if (bb->do_b)
                c->gb[ib] += db;
        }
    }
}

static void binary_fwd(struct sco_runtime *R, struct sco__node *n)
{
    struct bc c = { .op = n->op };
    bc_setup(&c, n->in[0], n->in[1], n->out);
    c.a = F(n->in[0]);
    c.b = F(n->in[1]);
    c.y = F(n->out);
    int64_t rows = c.d[0] * c.d[1] * c.d[2], per = ROWS_PER_TASK(c.d[3]);
    sco__parallel(R->pool, (rows + per - 1) / per, bc_fwd, &c);
}

static void binary_bwd(struct sco_runtime *R, struct sco__node *n)
{
    struct bc c = { .op = n->op };
    bc_setup(&c, n->in[0], n->in[1], n->out);
    c.a = F(n->in[0]);
    c.b = F(n->in[1]);
    c.dy = n->out->grad;
    c.ga = n->in[0]->grad;
    c.gb = n->in[1]->grad;
    bool want_a = c.ga != NULL, want_b = c.gb != NULL;
    /* the same tensor as both operands: accumulate sequentially */
    bool same = n->in[0] == n->in[1] || (c.ga && c.ga == c.gb);
    int64_t rows = c.d[0] * c.d[1] * c.d[2], per = ROWS_PER_TASK(c.d[3]);
    struct bcb par = { &c, want_a && c.a_full && !same, want_b && c.b_full && !same };
    if (par.do_a || par.do_b)
        sco__parallel(R->pool, (rows + per - 1) / per, bc_bwd_rows, &par);
    struct bcb seq = { &c, want_a && !par.do_a, want_b && !par.do_b };
    if (seq.do_a || seq.do_b)
        for (int64_t t = 0; t < (rows + per - 1) / per; t++)
            bc_bwd_rows(&seq, t);
}

/* ---- matmul ---- */

static void matmul_dims(const struct sco__node *n, int64_t *batch, int64_t *M, int64_t *N,
                        int64_t *K, bool *bshared)
{
    const struct sco_tensor *a = n->in[0], *b = n->in[1];
    bool ta = n->i0 & SCO_TRANS_A, tb = n->i0 & SCO_TRANS_B;
    *M = a->shape[a->ndim - (ta ? 1 : 2)];
    *K = a->shape[a->ndim - (ta ? 2 : 1)];
    *N = b->shape[b->ndim - (tb ? 2 : 1)];
    *batch = a->n / (*M * *K);
    *bshared = b->ndim == 2;
}

static void matmul_fwd(struct sco_runtime *R, struct sco__node *n)
{
    int64_t B, M, N, K;
    bool bs;
    matmul_dims(n, &B, &M, &N, &K, &bs);
    bool ta = n->i0 & SCO_TRANS_A, tb = n->i0 & SCO_TRANS_B;
    const float *a = F(n->in[0]), *b = F(n->in[1]);
    float *y = F(n->out);
    int64_t lda = ta ? M : K, ldb = tb ? K : N;
    if (bs && !ta) {
        gemm(R, false, tb, B * M, N, K, 1, a, lda, b, ldb, 0, y, N);
        return;
    }
    for (int64_t i = 0; i < B; i++)
        gemm(R, ta, tb, M, N, K, 1, a + i * M * K, lda, b + (bs ? 0 : i * K * N), ldb, 0,
             y + i * M * N, N);
}

static void matmul_bwd(struct sco_runtime *R, struct sco__node *n)
{
    int64_t B, M, N, K;
    bool bs;
    matmul_dims(n, &B, &M, &N, &K, &bs);
    bool ta = n->i0 & SCO_TRANS_A, tb = n->i0 & SCO_TRANS_B;
    const float *a = F(n->in[0]), *b = F(n->in[1]), *dc = n->out->grad;
    float *ga = n->in[0]->grad, *gb = n->in[1]->grad;
    int64_t lda = ta ? M : K, ldb = tb ? K : N;
    if (bs && !ta) {
        /* rows of all batches stacked: A is [B*M, K] */
        if (ga) /* dA = dC op(B)^T */
            gemm(R, false, !tb, B * M, K, N, 1, dc, N, b, ldb, 1, ga, K);
        if (gb) {
            if (!tb) /* dB = A^T dC : [K, N] */
                gemm(R, true, false, K, N, B * M, 1, a, K, dc, N, 1, gb, N);
            else     /* dB (stored [N, K]) = dC^T A */
                gemm(R, true, false, N, K, B * M, 1, dc, N, a, K, 1, gb, K);
        }
        return;
    }
    for (int64_t i = 0; i < B; i++) {
        const float *ai = a + i * M * K, *bi = b + (bs ? 0 : i * K * N), *dci = dc + i * M * N;
        if (ga) {
            float *gai = ga + i * M * K;
            if (!ta) /* dA [M,K] = dC op(B)^T */
                gemm(R, false, !tb, M, K, N, 1, dci, N, bi, ldb, 1, gai, lda);
            else     /* dA stored [K,M] = op(B) dC^T */
                gemm(R, tb, true, K, M, N, 1, bi, ldb, dci, N, 1, gai, lda);
        }
        if (gb) {
            float *gbi = gb + (bs ? 0 : i * K * N);
            if (!tb) /* dB [K,N] = op(A)^T dC */
                gemm(R, !ta, false, K, N, M, 1, ai, lda, dci, N, 1, gbi, ldb);
            else     /* dB stored [N,K] = dC^T op(A) */
                gemm(R, true, ta, N, K, M, 1, dci, N, ai, lda, 1, gbi, ldb);
        }
    }
}

/* ---- linear ---- */

static void linear_fwd(struct sco_runtime *R, struct sco__node *n)
{
    const struct sco_tensor *x = n->in[0], *w = n->in[1];
    int64_t K = w->shape[0], N = w->shape[1], M = x->n / K;
    float *y = F(n->out);
    gemm(R, false, false, M, N, K, 1, F(x), K, F(w), N, 0, y, N);
    bias_act_fwd(R, y, n->aux, n->n_in > 2 ? F(n->in[2]) : NULL, n->i0, M, N);
}

static void linear_bwd(struct sco_runtime *R, struct sco__node *n)
{
    const struct sco_tensor *x = n->in[0], *w = n->in[1];
    int64_t K = w->shape[0], N = w->shape[1], M = x->n / K;
    const float *dz = act_bwd(R, F(n->out), n->aux, n->out->grad, n->aux2, n->i0, M, N);
    if (w->grad)
        gemm(R, true, false, K, N, M, 1, F(x), K, dz, N, 1, w->grad, N);
    if (n->n_in > 2 && n->in[2]->grad)
        colsum_acc(R, dz, M, N, n->in[2]->grad);
    if (x->grad)
        gemm(R, false, true, M, K, N, 1, dz, N, F(w), N, 1, x->grad, K);
}

/* ---- reductions over [outer, R, inner] ---- */

static void red_dims(const struct sco__node *n, int64_t *outer, int64_t *r, int64_t *inner)
{
    const struct sco_tensor *x = n->in[0];
    if (n->i0 < 0) {
        *outer = 1;
        *r = x->n;
        *inner = 1;
        return;
    }
    *outer = 1;
    *inner = 1;
    for (int i = 0; i < n->i0; i++)
        *outer *= x->shape[i];
    for (int i = n->i0 + 1; i < x->ndim; i++)
        *inner *= x->shape[i];
    *r = x->shape[n->i0];
}

static void reduce_fwd(struct sco__node *n)
{
    int64_t O, Rr, NI;
    red_dims(n, &O, &Rr, &NI);
    const float *x = F(n->in[0]);
    float *y = F(n->out);
    double sc = n->op == SCO__OP_MEAN ? 1.0 / (double)Rr : 1.0;
    if (NI == 1) {
        for (int64_t o = 0; o < O; o++) {
            double s = 0;
            for (int64_t r = 0; r < Rr; r++)
                s += x[o * Rr + r];
            y[o] = (float)(s * sc);
        }
        return;
    }
    for (int64_t o = 0; o < O; o++) {
        float *yo = y + o * NI;
        for (int64_t i = 0; i < NI; i++)
            yo[i] = 0;
        for (int64_t r = 0; r < Rr; r++) {
            const float *xr = x + (o * Rr + r) * NI;
            for (int64_t i = 0; i < NI; i++)
                yo[i] += xr[i];
        }
        for (int64_t i = 0; i < NI; i++)
            yo[i] = (float)(yo[i] * sc);
    }
}

static void reduce_bwd(struct sco__node *n)
{
    int64_t O, Rr, NI;
    red_dims(n, &O, &Rr, &NI);
    float *gx = n->in[0]->grad;
    const float *dy = n->out->grad;
    float sc = n->op == SCO__OP_MEAN ? 1.0f / (float)Rr : 1.0f;
    for (int64_t o = 0; o < O; o++)
        for (int64_t r = 0; r < Rr; r++) {
            float *g = gx + (o * Rr + r) * NI;
            const float *d = dy + o * NI;
            for (int64_t i = 0; i < NI; i++)
                g[i] += sc * d[i];
        }
}

/* ---- softmax family (rows over the last axis) ---- */

struct rows {
    const struct sco__node *n;
    int64_t rows, C;
};

static void softmax_fwd_task(void *cv, int64_t task)
{
    const struct rows *c = cv;
    const struct sco__node *n = c->n;
    int64_t per = ROWS_PER_TASK(c->C), r0 = task * per, r1 = min64(c->rows, r0 + per);
    bool logsm = n->op == SCO__OP_LOG_SOFTMAX;
    for (int64_t r = r0; r < r1; r++) {
        const float *x = F(n->in[0]) + r * c->C;
        float *y = F(n->out) + r * c->C;
        float mx = x[0];
        for (int64_t j = 1; j < c->C; j++)
            mx = fmaxf(mx, x[j]);
        double s = 0;
        for (int64_t j = 0; j < c->C; j++)
            s += exp((double)(x[j] - mx));
        if (logsm) {
            float lse = mx + (float)log(s);
            for (int64_t j = 0; j < c->C; j++)
                y[j] = x[j] - lse;
        } else {
            for (int64_t j = 0; j < c->C; j++)
                y[j] = (float)(exp((double)(x[j] - mx)) / s);
        }
    }
}

static void softmax_bwd_task(void *cv, int64_t task)
{
    const struct rows *c = cv;
    const struct sco__node *n = c->n;
    int64_t per = ROWS_PER_TASK(c->C), r0 = task * per, r1 = min64(c->rows, r0 + per);
    bool logsm = n->op == SCO__OP_LOG_SOFTMAX;
    for (int64_t r = r0; r < r1; r++) {
        const float *y = F(n->out) + r * c->C, *dy = n->out->grad + r * c->C;
        float *gx = n->in[0]->grad + r * c->C;
        double s = 0;
        if (logsm) {
            /* gx = dy - softmax * sum(dy) */
            for (int64_t j = 0; j < c->C; j++)
                s += dy[j];
            for (int64_t j = 0; j < c->C; j++)
                gx[j] += dy[j] - expf(y[j]) * (float)s;
        } else {
            /* gx = y * (dy - sum(dy * y)) */
            for (int64_t j = 0; j < c->C; j++)
                s += (double)dy[j] * y[j];
            for (int64_t j = 0; j < c->C; j++)
                gx[j] += y[j] * (dy[j] - (float)s);
        }
    }
}

/* ---- layer norm ---- */

static void layernorm_fwd_task(void *cv, int64_t task)
{
    const struct rows *c = cv;
    const struct sco__node *n = c->n;
    int64_t per = ROWS_PER_TASK(c->C), r0 = task * per, r1 = min64(c->rows, r0 + per);
    const float *gm = n->in[1] ? F(n->in[1]) : NULL, *bt = n->in[2] ? F(n->in[2]) : NULL;
    for (int64_t r = r0; r < r1; r++) {
        const float *x = F(n->in[0]) + r * c->C;
        float *y = F(n->out) + r * c->C;
        double s = 0, s2 = 0;
        for (int64_t j = 0; j < c->C; j++)
            s += x[j];
        double mean = s / (double)c->C;
        for (int64_t j = 0; j < c->C; j++) {
            double d = x[j] - mean;
            s2 += d * d;
        }
        float rstd = (float)(1.0 / sqrt(s2 / (double)c->C + n->f0));
        n->aux[2 * r] = (float)mean;
        n->aux[2 * r + 1] = rstd;
        for (int64_t j = 0; j < c->C; j++) {
            float xh = (x[j] - (float)mean) * rstd;
            y[j] = xh * (gm ? gm[j] : 1.0f) + (bt ? bt[j] : 0.0f);
        }
    }
}

static void layernorm_bwd_task(void *cv, int64_t task)
{
    const struct rows *c = cv;
    const struct sco__node *n = c->n;
    int64_t per = ROWS_PER_TASK(c->C), r0 = task * per, r1 = min64(c->rows, r0 + per);
    const float *gm = n->in[1] ? F(n->in[1]) : NULL;
    for (int64_t r = r0; r < r1; r++) {
        const float *x = F(n->in[0]) + r * c->C, *dy = n->out->grad + r * c->C;
        float *gx = n->in[0]->grad + r * c->C;
        float mean = n->aux[2 * r], rstd = n->aux[2 * r + 1];
        double s1 = 0, s2 = 0;
        for (int64_t j = 0; j < c->C; j++) {
            float dxh = dy[j] * (gm ? gm[j] : 1.0f);
            float xh = (x[j] - mean) * rstd;
            s1 += dxh;
            s2 += (double)dxh * xh;
        }
        float m1 = (float)(s1 / (double)c->C), m2 = (float)(s2 / (double)c->C);
        for (int64_t j = 0; j < c->C; j++) {
            float dxh = dy[j] * (gm ? gm[j] : 1.0f);
            float xh = (x[j] - mean) * rstd;
            gx[j] += rstd * (dxh - m1 - xh * m2);
        }
    }
}

static void layernorm_param_grads(const struct sco__node *n, int64_t rows, int64_t C)
{
    float *gg = n->in[1] ? n->in[1]->grad : NULL, *gbeta = n->in[2] ? n->in[2]->grad : NULL;
    if (!gg && !gbeta)
        return;
    for (int64_t r = 0; r < rows; r++) {
        const float *x = F(n->in[0]) + r * C, *dy = n->out->grad + r * C;
        float mean = n->aux[2 * r], rstd = n->aux[2 * r + 1];
        for (int64_t j = 0; j < C; j++) {
            if (gg)
                gg[j] += dy[j] * (x[j] - mean) * rstd;
            if (gbeta)
                gbeta[j] += dy[j];
        }
    }
}

/* ---- concat / slice / transpose ---- */

static void outer_inner(const struct sco_tensor *t, int ax, int64_t *outer, int64_t *inner)
{
    *outer = 1;
    *inner = 1;
    for (int i = 0; i < ax; i++)
        *outer *= t->shape[i];
    for (int i = ax + 1; i < t->ndim; i++)
        *inner *= t->shape[i];
}

static void concat_run(struct sco__node *n, bool bwd)
{
    int ax = n->i0;
    int64_t O, NI;
    outer_inner(n->out, ax, &O, &NI);
    int64_t row = n->out->shape[ax] * NI, off = 0;
    for (int k = 0; k < n->n_in; k++) {
        const struct sco_tensor *x = n->in[k];
        int64_t w = x->shape[ax] * NI;
        if (!bwd) {
            for (int64_t o = 0; o < O; o++)
                memcpy(F(n->out) + o * row + off, F(x) + o * w, (size_t)w * sizeof(float));
        } else if (x->grad) {
            for (int64_t o = 0; o < O; o++) {
                const float *d = n->out->grad + o * row + off;
                float *g = x->grad + o * w;
                for (int64_t j = 0; j < w; j++)
                    g[j] += d[j];
            }
        }
        off += w;
    }
}

static void slice_run(struct sco__node *n, bool bwd)
{
    const struct sco_tensor *x = n->in[0];
    int64_t O, NI;
    outer_inner(x, n->i0, &O, &NI);
    int64_t A = x->shape[n->i0], w = n->s1 * NI;
    for (int64_t o = 0; o < O; o++) {
        int64_t src = o * A * NI + n->s0 * NI;
        if (!bwd) {
            memcpy(F(n->out) + o * w, F(x) + src, (size_t)w * sizeof(float));
        } else {
            const float *d = n->out->grad + o * w;
            float *g = x->grad + src;
            for (int64_t j = 0; j < w; j++)
                g[j] += d[j];
        }
    }
}

static void transpose_run(struct sco__node *n, bool bwd)
{
    const struct sco_tensor *x = n->in[0], *y = n->out;
    int nd = x->ndim;
    int64_t xs[SCO_MAX_DIMS], st[4] = { 0, 0, 0, 0 }, d[4] = { 1, 1, 1, 1 };
    xs[nd - 1] = 1;
    for (int i = nd - 2; i >= 0; i--)
        xs[i] = xs[i + 1] * x->shape[i + 1];
    for (int i = 0; i < nd; i++) {
        d[4 - nd + i] = y->shape[i];
        st[4 - nd + i] = xs[n->perm[i]];
    }
    int64_t k = 0;
    for (int64_t a = 0; a < d[0]; a++)
        for (int64_t b = 0; b < d[1]; b++)
            for (int64_t c = 0; c < d[2]; c++)
                for (int64_t e = 0; e < d[3]; e++, k++) {
                    int64_t src = a * st[0] + b * st[1] + c * st[2] + e * st[3];
                    if (!bwd)
                        F(n->out)[k] = F(x)[src];
                    else
                        x->grad[src] += n->out->grad[k];
                }
}

/* ---- embedding ---- */

static int64_t idx_at(const struct sco_tensor *t, int64_t i)
{
    return t->dtype == SCO_I64 ? ((const int64_t *)t->data)[i] : ((const int32_t *)t->data)[i];
}

static int embedding_fwd(struct sco__node *n, struct sco_err *err)
{
    const struct sco_tensor *tab = n->in[0], *idx = n->in[1];
    int64_t V = tab->shape[0], D = tab->shape[1];
    for (int64_t i = 0; i < idx->n; i++) {
        int64_t r = idx_at(idx, i);
        if (r < 0 || r >= V)
            return sco_err_set(err, SCO_ERR_DATA,
                               "embedding: index %lld at position %lld is outside [0, %lld); "
                               "map ids to rows before writing them",
                               (long long)r, (long long)i, (long long)V);
        memcpy(F(n->out) + i * D, F(tab) + r * D, (size_t)D * sizeof(float));
    }
    return 0;
}

static void embedding_bwd(struct sco__node *n)
{
    const struct sco_tensor *tab = n->in[0], *idx = n->in[1];
    int64_t D = tab->shape[1];
    if (!tab->grad)
        return;
    for (int64_t i = 0; i < idx->n; i++) {
        float *g = tab->grad + idx_at(idx, i) * D;
        const float *d = n->out->grad + i * D;
        for (int64_t j = 0; j < D; j++)
            g[j] += d[j];
    }
}

/* ---- conv1d (causal, dilated) via im2col + GEMM ---- */

struct conv {
    const struct sco__node *n;
    int64_t B, T, C, K, O, dil;
    float *col;
};

static void conv_im2col(void *cv, int64_t b)
{
    const struct conv *c = cv;
    const float *x = F(c->n->in[0]);
    for (int64_t t = 0; t < c->T; t++) {
        float *row = c->col + (b * c->T + t) * c->K * c->C;
        for (int64_t k = 0; k < c->K; k++) {
            int64_t ts = t - c->dil * (c->K - 1 - k);
            if (ts < 0)
                memset(row + k * c->C, 0, (size_t)c->C * sizeof(float));
            else
                memcpy(row + k * c->C, x + (b * c->T + ts) * c->C, (size_t)c->C * sizeof(float));
        }
    }
}

static void conv_col2im(void *cv, int64_t b)
{
    const struct conv *c = cv;
    float *gx = c->n->in[0]->grad;
    for (int64_t t = 0; t < c->T; t++) {
        const float *row = c->col + (b * c->T + t) * c->K * c->C;
        for (int64_t k = 0; k < c->K; k++) {
            int64_t ts = t - c->dil * (c->K - 1 - k);
            if (ts < 0)
                continue;
            float *g = gx + (b * c->T + ts) * c->C;
            for (int64_t j = 0; j < c->C; j++)
                g[j] += row[k * c->C + j];
        }
    }
}

static void conv_setup(struct conv *c, const struct sco__node *n)
{
    c->n = n;
    c->B = n->in[0]->shape[0];
    c->T = n->in[0]->shape[1];
    c->C = n->in[0]->shape[2];
    c->K = n->in[1]->shape[0];
    c->O = n->in[1]->shape[2];
    c->dil = n->i1;
    c->col = n->aux;
}

static void conv1d_fwd(struct sco_runtime *R, struct sco__node *n)
{
    struct conv c;
    conv_setup(&c, n);
    sco__parallel(R->pool, c.B, conv_im2col, &c);
    int64_t M = c.B * c.T, KC = c.K * c.C;
    float *y = F(n->out);
    gemm(R, false, false, M, c.O, KC, 1, c.col, KC, F(n->in[1]), c.O, 0, y, c.O);
    float *pre = n->i0 == SCO_ACT_GELU ? n->aux + M * KC : NULL;
    bias_act_fwd(R, y, pre, n->in[2] ? F(n->in[2]) : NULL, n->i0, M, c.O);
}

static void conv1d_bwd(struct sco_runtime *R, struct sco__node *n)
{
    struct conv c;
    conv_setup(&c, n);
    int64_t M = c.B * c.T, KC = c.K * c.C;
    const float *pre = n->i0 == SCO_ACT_GELU ? n->aux + M * KC : NULL;
    const float *dz = act_bwd(R, F(n->out), pre, n->out->grad, n->aux2, n->i0, M, c.O);
    if (n->in[1]->grad)
        gemm(R, true, false, KC, c.O, M, 1, c.col, KC, dz, c.O, 1, n->in[1]->grad, c.O);
    if (n->in[2] && n->in[2]->grad)
        colsum_acc(R, dz, M, c.O, n->in[2]->grad);
    if (n->in[0]->grad) {
        /* the columns are no longer needed: reuse them for d(col) */
        gemm(R, false, true, M, KC, c.O, 1, dz, c.O, F(n->in[1]), c.O, 0, c.col, KC);
        sco__parallel(R->pool, c.B, conv_col2im, &c);
    }
}

/* ---- GRU ----
 * aux layout: xg [B*T, 3H] (x W_ih + b_ih, rows b-major), hg [T, B, 3H] (h W_hh + b_hh),
 * gates [T, B, 3H] (r, z, n). aux2: dxg [B*T, 3H], dhg [B, 3H], dh [B, H], dhp [B, H],
 * zeros [B, H]. */

static void gru_dims(const struct sco__node *n, int64_t *B, int64_t *T, int64_t *NI, int64_t *H)
{
    *B = n->in[0]->shape[0];
    *T = n->in[0]->shape[1];
    *NI = n->in[0]->shape[2];
    *H = n->in[2]->shape[0];
}

static void gru_fwd(struct sco_runtime *R, struct sco__node *n)
{
    int64_t B, T, NI, H;
    gru_dims(n, &B, &T, &NI, &H);
    int64_t G = 3 * H;
    float *xg = n->aux, *hg = xg + B * T * G, *gates = hg + T * B * G;
    const float *bih = n->in[3] ? F(n->in[3]) : NULL, *bhh = n->in[4] ? F(n->in[4]) : NULL;
    float *out = F(n->out);
    gemm(R, false, false, B * T, G, NI, 1, F(n->in[0]), NI, F(n->in[1]), G, 0, xg, G);
    bias_act_fwd(R, xg, NULL, bih, SCO_ACT_NONE, B * T, G);
    for (int64_t t = 0; t < T; t++) {
        float *hgt = hg + t * B * G, *gt = gates + t * B * G;
        const float *hp;
        int64_t ldh;
        if (t == 0) {
            hp = n->in[5] ? F(n->in[5]) : NULL;
            ldh = H;
        } else {
            hp = out + (t - 1) * H;
            ldh = T * H;
        }
        if (hp)
            gemm(R, false, false, B, G, H, 1, hp, ldh, F(n->in[2]), G, 0, hgt, G);
        else
            memset(hgt, 0, (size_t)(B * G) * sizeof(float));
        for (int64_t b = 0; b < B; b++) {
            float *hr = hgt + b * G, *gr = gt + b * G;
            const float *xr = xg + (b * T + t) * G;
            float *h = out + (b * T + t) * H;
            const float *hpr = hp ? hp + b * ldh : NULL;
            if (bhh)
                for (int64_t j = 0; j < G; j++)
                    hr[j] += bhh[j];
            for (int64_t j = 0; j < H; j++) {
                float r = sigm(xr[j] + hr[j]);
                float z = sigm(xr[H + j] + hr[H + j]);
                float nn = tanhf(xr[2 * H + j] + r * hr[2 * H + j]);
                gr[j] = r;
                gr[H + j] = z;
                gr[2 * H + j] = nn;
                h[j] = (1 - z) * nn + z * (hpr ? hpr[j] : 0);
            }
        }
    }
}

static void gru_bwd(struct sco_runtime *R, struct sco__node *n)
{
    int64_t B, T, NI, H;
    gru_dims(n, &B, &T, &NI, &H);
    int64_t G = 3 * H;
    float *xg = n->aux, *hg = xg + B * T * G, *gates = hg + T * B * G;
    (void)xg;
    float *dxg = n->aux2, *dhg = dxg + B * T * G, *dh = dhg + B * G, *dhp = dh + B * H;
    const float *out = F(n->out), *dout = n->out->grad;
    float *gwhh = n->in[2]->grad, *gbhh = n->in[4] ? n->in[4]->grad : NULL;
    memset(dh, 0, (size_t)(B * H) * sizeof(float));
    for (int64_t t = T - 1; t >= 0; t--) {
        const float *hp = NULL;
        int64_t ldh = H;
        if (t > 0) {
            hp = out + (t - 1) * H;
            ldh = T * H;
        } else if (n->in[5]) {
            hp = F(n->in[5]);
        }
        const float *hgt = hg + t * B * G, *gt = gates + t * B * G;
        for (int64_t b = 0; b < B; b++) {
            float *dhb = dh + b * H;
            const float *db = dout + (b * T + t) * H;
            const float *gr = gt + b * G, *hr = hgt + b * G;
            const float *hpr = hp ? hp + b * ldh : NULL;
            float *dx = dxg + (b * T + t) * G, *dhh = dhg + b * G, *dp = dhp + b * H;
            for (int64_t j = 0; j < H; j++) {
                float d = dhb[j] + db[j];
                float r = gr[j], z = gr[H + j], nn = gr[2 * H + j];
                float h_prev = hpr ? hpr[j] : 0;
                float dn = d * (1 - z) * (1 - nn * nn);
                float dz = d * (h_prev - nn) * z * (1 - z);
                float dr = dn * hr[2 * H + j] * r * (1 - r);
                dx[j] = dr;
                dx[H + j] = dz;
                dx[2 * H + j] = dn;
                dhh[j] = dr;
                dhh[H + j] = dz;
                dhh[2 * H + j] = dn * r;
                dp[j] = d * z;
            }
        }
        if (gwhh && hp)
            gemm(R, true, false, H, G, B, 1, hp, ldh, dhg, G, 1, gwhh, G);
        if (gbhh)
            colsum_acc(R, dhg, B, G, gbhh);
        /* dh_{t-1} = direct part + dhg W_hh^T */
        gemm(R, false, true, B, H, G, 1, dhg, G, F(n->in[2]), G, 1, dhp, H);
        memcpy(dh, dhp, (size_t)(B * H) * sizeof(float));
    }
    if (n->in[5] && n->in[5]->grad) {
        float *g0 = n->in[5]->grad;
        for (int64_t i = 0; i < B * H; i++)
            g0[i] += dh[i];
    }
    if (n->in[1]->grad)
        gemm(R, true, false, NI, G, B * T, 1, F(n->in[0]), NI, dxg, G, 1, n->in[1]->grad, G);
    if (n->in[3] && n->in[3]->grad)
        colsum_acc(R, dxg, B * T, G, n->in[3]->grad);
    if (n->in[0]->grad)
        gemm(R, false, true, B * T, NI, G, 1, dxg, G, F(n->in[1]), G, 1, n->in[0]->grad, NI);
}

/* ---- losses (sums in double, in element order) ---- */

static int loss_fwd(struct sco__node *n, struct sco_err *err)
{
    const struct sco_tensor *a = n->in[0], *b = n->in[1];
    const float *p = F(a);
    double s = 0;
    int64_t cnt = a->n;
    switch (n->op) {
    case SCO__OP_MSE:
        for (int64_t i = 0; i < a->n; i++) {
            double d = (double)p[i] - F(b)[i];
            s += d * d;
        }
        break;
    case SCO__OP_PINBALL: {
        int nq = n->nf;
        for (int64_t i = 0; i < a->n; i++) {
            double q = n->fv[i % nq], u = (double)F(b)[i / nq] - p[i];
            s += u >= 0 ? q * u : (q - 1) * u;
        }
        break;
    }
    case SCO__OP_POISSON:
        for (int64_t i = 0; i < a->n; i++)
            s += exp((double)p[i]) - (double)F(b)[i] * p[i];
        break;
    case SCO__OP_TWEEDIE: {
        double pw = n->f0;
        for (int64_t i = 0; i < a->n; i++)
            s += -(double)F(b)[i] * exp((1 - pw) * p[i]) / (1 - pw) +
                 exp((2 - pw) * p[i]) / (2 - pw);
        break;
    }
    case SCO__OP_BCE:
        for (int64_t i = 0; i < a->n; i++) {
            double x = p[i];
            s += (x > 0 ? x : 0) - x * F(b)[i] + log1p(exp(-fabs(x)));
        }
        break;
    case SCO__OP_BPR:
        for (int64_t i = 0; i < a->n; i++) {
            double d = (double)F(b)[i] - p[i]; /* softplus(neg - pos) */
            s += (d > 0 ? d : 0) + log1p(exp(-fabs(d)));
        }
        break;
    case SCO__OP_XENT: {
        int64_t N = a->shape[0], C = a->shape[1];
        cnt = N;
        for (int64_t r = 0; r < N; r++) {
            const float *x = p + r * C;
            float *pr = n->aux + r * C;
            int64_t lab = idx_at(b, r);
            if (lab < 0 || lab >= C)
                return sco_err_set(err, SCO_ERR_DATA,
                                   "softmax_xent: label %lld at row %lld is outside [0, %lld)",
                                   (long long)lab, (long long)r, (long long)C);
            float mx = x[0];
            for (int64_t j = 1; j < C; j++)
                mx = fmaxf(mx, x[j]);
            double z = 0;
            for (int64_t j = 0; j < C; j++)
                z += exp((double)(x[j] - mx));
            for (int64_t j = 0; j < C; j++)
                pr[j] = (float)(exp((double)(x[j] - mx)) / z);
            s += (double)mx + log(z) - x[lab];
        }
        break;
    }
    default:
        break;
    }
    F(n->out)[0] = (float)(s / (double)cnt);
    return 0;
}

static void loss_bwd(struct sco__node *n)
{
    const struct sco_tensor *a = n->in[0], *b = n->in[1];
    float *ga = a->grad, *gb = b->dtype == SCO_F32 ? b->grad : NULL;
    const float *p = F(a), *y = F(b);
    double gy = n->out->grad[0];
    int64_t cnt = n->op == SCO__OP_XENT ? a->shape[0] : a->n;
    float sc = (float)(gy / (double)cnt);
    switch (n->op) {
    case SCO__OP_MSE:
        for (int64_t i = 0; i < a->n; i++) {
            float d = 2 * (p[i] - y[i]) * sc;
            if (ga)
                ga[i] += d;
            if (gb)
                gb[i] -= d;
        }
        break;
    case SCO__OP_PINBALL: {
        int nq = n->nf;
        for (int64_t i = 0; i < a->n; i++) {
            float q = n->fv[i % nq], u = y[i / nq] - p[i];
            float dp = (u >= 0 ? -q : 1 - q) * sc;
            if (ga)
                ga[i] += dp;
            if (gb)
                gb[i / nq] -= dp;
        }
        break;
    }
    case SCO__OP_POISSON:
        for (int64_t i = 0; i < a->n; i++) {
            if (ga)
                ga[i] += (expf(p[i]) - y[i]) * sc;
            if (gb)
                gb[i] -= p[i] * sc;
        }
        break;
    case SCO__OP_TWEEDIE: {
        float pw = n->f0;
        for (int64_t i = 0; i < a->n; i++) {
            float e1 = expf((1 - pw) * p[i]);
            if (ga)
                ga[i] += (-y[i] * e1 + expf((2 - pw) * p[i])) * sc;
            if (gb)
                gb[i] -= e1 / (1 - pw) * sc;
        }
        break;
    }
    case SCO__OP_BCE:
        for (int64_t i = 0; i < a->n; i++) {
            if (ga)
                ga[i] += (sigm(p[i]) - y[i]) * sc;
            if (gb)
                gb[i] -= p[i] * sc;
        }
        break;
    case SCO__OP_BPR:
        for (int64_t i = 0; i < a->n; i++) {
            float s = sigm(y[i] - p[i]) * sc;
            if (ga)
                ga[i] -= s;
            if (gb)
                gb[i] += s;
        }
        break;
    case SCO__OP_XENT: {
        if (!ga)
            break;
        int64_t N = a->shape[0], C = a->shape[1];
        for (int64_t r = 0; r < N; r++) {
            const float *pr = n->aux + r * C;
            float *g = ga + r * C;
            int64_t lab = idx_at(b, r);
            for (int64_t j = 0; j < C; j++)
                g[j] += (pr[j] - (j == lab ? 1.0f : 0.0f)) * sc;
        }
        break;
    }
    default:
        break;
    }
}

/* ---- dispatch ---- */

void sco__cpu_aux_sizes(const struct sco__node *n, size_t *aux, size_t *aux2)
{
    *aux = 0;
    *aux2 = 0;
    const struct sco_tensor *y = n->out;
    switch (n->op) {
    case SCO__OP_LINEAR:
        *aux = n->i0 == SCO_ACT_GELU ? (size_t)y->n : 0;
        *aux2 = n->i0 != SCO_ACT_NONE ? (size_t)y->n : 0;
        break;
    case SCO__OP_DROPOUT:
        *aux = (size_t)y->n;
        break;
    case SCO__OP_LAYER_NORM:
        *aux = 2 * (size_t)(y->n / y->shape[y->ndim - 1]);
        break;
    case SCO__OP_XENT:
        *aux = (size_t)n->in[0]->n;
        break;
    case SCO__OP_CONV1D: {
        const struct sco_tensor *x = n->in[0], *w = n->in[1];
        size_t M = (size_t)(x->shape[0] * x->shape[1]);
        *aux = M * (size_t)(w->shape[0] * w->shape[1]) +
               (n->i0 == SCO_ACT_GELU ? (size_t)y->n : 0);
        *aux2 = n->i0 != SCO_ACT_NONE ? (size_t)y->n : 0;
        break;
    }
    case SCO__OP_GRU: {
        size_t B = (size_t)n->in[0]->shape[0], T = (size_t)n->in[0]->shape[1];
        size_t H = (size_t)n->in[2]->shape[0], G = 3 * H;
        *aux = 3 * B * T * G;
        *aux2 = B * T * G + B * G + 2 * B * H;
        break;
    }
    default:
        break;
    }
}

static void dropout_mask(struct sco__node *n, bool training)
{
    float p = n->f0, keep = 1.0f / (1.0f - p);
    uint64_t base = sco__mix64(n->seed ^ sco__mix64(n->counter));
    /* threshold on the top 24 bits of a counter-based hash of (seed, call, element) */
    uint32_t thr = (uint32_t)((double)p * 16777216.0);
    for (int64_t i = 0; i < n->out->n; i++) {
        if (!training || p == 0) {
            n->aux[i] = 1.0f;
            continue;
        }
        uint32_t r = (uint32_t)(sco__mix64(base + (uint64_t)i) >> 40);
        n->aux[i] = r < thr ? 0.0f : keep;
    }
}

int sco__cpu_forward(struct sco_runtime *R, struct sco__node *n, bool training,
                     struct sco_err *err)
{
    struct sco_tensor *y = n->out;
    switch (n->op) {
    case SCO__OP_MATMUL:
        matmul_fwd(R, n);
        break;
    case SCO__OP_LINEAR:
        linear_fwd(R, n);
        break;
    case SCO__OP_BIAS_ADD: {
        int64_t N = y->shape[y->ndim - 1];
        memcpy(y->data, n->in[0]->data, (size_t)y->n * sizeof(float));
        bias_act_fwd(R, F(y), NULL, F(n->in[1]), SCO_ACT_NONE, y->n / N, N);
        break;
    }
    case SCO__OP_ADD:
    case SCO__OP_SUB:
    case SCO__OP_MUL:
    case SCO__OP_DIV:
        binary_fwd(R, n);
        break;
    case SCO__OP_DROPOUT:
        dropout_mask(n, training);
        /* fall through */
    case SCO__OP_SCALE:
    case SCO__OP_ADD_SCALAR:
    case SCO__OP_RELU:
    case SCO__OP_LEAKY_RELU:
    case SCO__OP_GELU:
    case SCO__OP_TANH:
    case SCO__OP_SIGMOID:
    case SCO__OP_SOFTPLUS:
    case SCO__OP_EXP:
    case SCO__OP_LOG: {
        struct ew e = { .op = n->op, .f = n->f0, .n = y->n, .x = F(n->in[0]), .out = F(y),
                        .aux = n->aux };
        run_ew(R, &e, ew_fwd);
        break;
    }
    case SCO__OP_SOFTMAX:
    case SCO__OP_LOG_SOFTMAX:
    case SCO__OP_LAYER_NORM: {
        int64_t C = y->shape[y->ndim - 1];
        struct rows c = { n, y->n / C, C };
        int64_t per = ROWS_PER_TASK(C);
        sco__parallel(R->pool, (c.rows + per - 1) / per,
                      n->op == SCO__OP_LAYER_NORM ? layernorm_fwd_task : softmax_fwd_task, &c);
        break;
    }
    case SCO__OP_SUM:
    case SCO__OP_MEAN:
        reduce_fwd(n);
        break;
    case SCO__OP_CONCAT:
        concat_run(n, false);
        break;
    case SCO__OP_SLICE:
        slice_run(n, false);
        break;
    case SCO__OP_RESHAPE:
        break; /* shares its operand's buffer */
    case SCO__OP_TRANSPOSE:
        transpose_run(n, false);
        break;
    case SCO__OP_EMBEDDING:
        return embedding_fwd(n, err);
    case SCO__OP_CONV1D:
        conv1d_fwd(R, n);
        break;
    case SCO__OP_GRU:
        gru_fwd(R, n);
        break;
    case SCO__OP_MSE:
    case SCO__OP_PINBALL:
    case SCO__OP_POISSON:
    case SCO__OP_TWEEDIE:
    case SCO__OP_BCE:
    case SCO__OP_BPR:
    case SCO__OP_XENT:
        return loss_fwd(n, err);
    default:
        return sco_err_set(err, SCO_ERR_INTERNAL, "cpu backend: op %d has no kernel", n->op);
    }
    return 0;
}

int sco__cpu_backward(struct sco_runtime *R, struct sco__node *n, struct sco_err *err)
{
    struct sco_tensor *y = n->out, *x = n->in[0];
    switch (n->op) {
    case SCO__OP_MATMUL:
        matmul_bwd(R, n);
        break;
    case SCO__OP_LINEAR:
        linear_bwd(R, n);
        break;
    case SCO__OP_BIAS_ADD: {
        int64_t N = y->shape[y->ndim - 1];
        if (x->grad) {
            struct ew e = { .op = SCO__OP_ADD_SCALAR, .n = y->n, .dy = y->grad, .gx = x->grad };
            run_ew(R, &e, ew_bwd);
        }
        if (n->in[1]->grad)
            colsum_acc(R, y->grad, y->n / N, N, n->in[1]->grad);
        break;
    }
    case SCO__OP_ADD:
    case SCO__OP_SUB:
    case SCO__OP_MUL:
    case SCO__OP_DIV:
        binary_bwd(R, n);
        break;
    case SCO__OP_SCALE:
    case SCO__OP_ADD_SCALAR:
    case SCO__OP_RELU:
    case SCO__OP_LEAKY_RELU:
    case SCO__OP_GELU:
    case SCO__OP_TANH:
    case SCO__OP_SIGMOID:
    case SCO__OP_SOFTPLUS:
    case SCO__OP_EXP:
    case SCO__OP_LOG:
    case SCO__OP_DROPOUT: {
        if (!x->grad)
            break;
        struct ew e = { .op = n->op, .f = n->f0, .n = y->n, .x = F(x), .y = F(y),
                        .dy = y->grad, .gx = x->grad, .aux = n->aux };
        run_ew(R, &e, ew_bwd);
        break;
    }
    case SCO__OP_SOFTMAX:
    case SCO__OP_LOG_SOFTMAX:
    case SCO__OP_LAYER_NORM: {
        int64_t C = y->shape[y->ndim - 1];
        struct rows c = { n, y->n / C, C };
        int64_t per = ROWS_PER_TASK(C);
        if (x->grad)
            sco__parallel(R->pool, (c.rows + per - 1) / per,
                          n->op == SCO__OP_LAYER_NORM ? layernorm_bwd_task : softmax_bwd_task,
                          &c);
        if (n->op == SCO__OP_LAYER_NORM)
            layernorm_param_grads(n, c.rows, C);
        break;
    }
    case SCO__OP_SUM:
    case SCO__OP_MEAN:
        if (x->grad)
            reduce_bwd(n);
        break;
    case SCO__OP_CONCAT:
        concat_run(n, true);
        break;
    case SCO__OP_SLICE:
        if (x->grad)
            slice_run(n, true);
        break;
    case SCO__OP_RESHAPE:
        break; /* gradient buffer shared with the operand */
    case SCO__OP_TRANSPOSE:
        if (x->grad)
            transpose_run(n, true);
        break;
    case SCO__OP_EMBEDDING:
        embedding_bwd(n);
        break;
    case SCO__OP_CONV1D:
        conv1d_bwd(R, n);
        break;
    case SCO__OP_GRU:
        gru_bwd(R, n);
        break;
    case SCO__OP_MSE:
    case SCO__OP_PINBALL:
    case SCO__OP_POISSON:
    case SCO__OP_TWEEDIE:
    case SCO__OP_BCE:
    case SCO__OP_BPR:
    case SCO__OP_XENT:
        loss_bwd(n);
        break;
    default:
        return sco_err_set(err, SCO_ERR_INTERNAL, "cpu backend: op %d has no gradient", n->op);
    }
    return 0;
}
