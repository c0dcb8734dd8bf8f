/* cuda-backend.cu: the CUDA backend module (sco-backend-cuda.so).
 *
 * Memory is CUDA managed memory, so the runtime's CPU kernels can run any op this backend
 * does not take (supports() false) on the same buffers after a sync. On the device:
 * matrix products through cuBLAS (TF32 only when allowed), softmax / log-softmax through
 * cuDNN when the module is built with it (SCO_HAVE_CUDNN) and it starts, else our own row
 * kernels (the CPU backend's arithmetic), conv1d (im2col) and the GRU's matrix products
 * through cuBLAS, our own kernels for everything else: elementwise ops with
 * broadcasting, fused bias + activation, sum / mean, concat / slice / transpose, embedding,
 * dropout (the CPU backend's counter-based hash, so the same masks), layer norm, every loss,
 * the gradient norm and the optimizer updates. Reductions use one thread per output in a
 * fixed order or a fixed-shape block tree, so results are run-to-run deterministic on one
 * device, except the embedding gradient: its scatter-add uses atomicAdd, so rows that repeat
 * are summed in no fixed order (equal to the CPU only within rounding). Bad embedding indices
 * and softmax_xent labels are flagged on the device and reported at the next sync. */
#include <cublas_v2.h>
#include <cuda_runtime.h>
#if SCO_HAVE_CUDNN
#include <cudnn.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct sco__backend {
    int device;
    cublasHandle_t blas;
#if SCO_HAVE_CUDNN
    cudnnHandle_t dnn; /* created on first use */
    bool dnn_failed;   /* or refused: SCO_CUDA_NO_CUDNN set (tests of our own kernels) */
#endif
    cudaStream_t stream;
    bool tf32;
    /* index checks (embedding rows, softmax_xent labels) read back at the next sync */
    unsigned long long *chk; /* managed: [2 * MAX_CHK] first bad position, its value */
    int n_chk;
    struct {
        const char *what;
        int64_t lim;
    } chk_info[64];
    double *part; /* device: partial sums of squares (gradient norm) */
    size_t part_n;
    double *norm_out; /* managed: the summed squares */
};

#define MAX_CHK 64
#define NORM_BLOCKS 64
#define NO_POS 0xffffffffffffffffull

static int cuda_fail(struct sco_err *err, const char *what, cudaError_t e)
{
    return sco_err_set(err, SCO_ERR_INTERNAL, "cuda: %s: %s", what, cudaGetErrorString(e));
}

#define CK(call, what)                                                                         \
    do {                                                                                       \
        cudaError_t e_ = (call);                                                               \
        if (e_ != cudaSuccess)                                                                 \
            return cuda_fail(err, what, e_);                                                   \
    } while (0)

#define CKB(call, what)                                                                        \
    do {                                                                                       \
        cublasStatus_t s_ = (call);                                                            \
        if (s_ != CUBLAS_STATUS_SUCCESS)                                                       \
            return sco_err_set(err, SCO_ERR_INTERNAL, "cublas: %s failed (status %d)", what,   \
                               (int)s_);                                                       \
    } while (0)

static inline unsigned blocks(int64_t n, int t = 256)
{
    int64_t b = (n + t - 1) / t;
    return (unsigned)(b < 1 ? 1 : b > 65535 * 16 ? 65535 * 16 : b);
}

#define GRID_LOOP(i, n)                                                                        \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n);                  \
         i += (int64_t)blockDim.x * gridDim.x)

__device__ inline float d_sigm(float x)
{
    return x >= 0 ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
}
__device__ inline float d_gelu(float x)
{
    return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
}
__device__ inline float d_gelu_d(float x)
{
    float cdf = 0.5f * (1.0f + erff(x * 0.70710678118654752f));
    return cdf + x * 0.3989422804014327f * expf(-0.5f * x * x);
}

__global__ void k_ew_fwd(int op, float f, int64_t n, const float *x, float *y)
{
    GRID_LOOP(i, n)
    {
        float v = x[i], r;
        switch (op) {
        case SCO__OP_SCALE: r = f * v; break;
        case SCO__OP_ADD_SCALAR: r = v + f; break;
        case SCO__OP_RELU: r = v > 0 ? v : 0; break;
        case SCO__OP_LEAKY_RELU: r = v > 0 ? v : f * v; break;
        case SCO__OP_GELU: r = d_gelu(v); break;
        case SCO__OP_TANH: r = tanhf(v); break;
        case SCO__OP_SIGMOID: r = d_sigm(v); break;
        case SCO__OP_SOFTPLUS: r = fmaxf(v, 0.0f) + log1pf(expf(-fabsf(v))); break;
        case SCO__OP_EXP: r = expf(v); break;
        default: r = logf(v); break;
        }
        y[i] = r;
    }
}

__global__ void k_ew_bwd(int op, float f, int64_t n, const float *x, const float *y,
                         const float *dy, float *gx)
{
    GRID_LOOP(i, n)
    {
        float v = x[i], d = dy[i], r;
        switch (op) {
        case SCO__OP_SCALE: r = f * d; break;
        case SCO__OP_ADD_SCALAR: r = d; break;
        case SCO__OP_RELU: r = v > 0 ? d : 0; break;
        case SCO__OP_LEAKY_RELU: r = v > 0 ? d : f * d; break;
        case SCO__OP_GELU: r = d * d_gelu_d(v); break;
        case SCO__OP_TANH: r = d * (1 - y[i] * y[i]); break;
        case SCO__OP_SIGMOID: r = d * y[i] * (1 - y[i]); break;
        case SCO__OP_SOFTPLUS: r = d * d_sigm(v); break;
        case SCO__OP_EXP: r = d * y[i]; break;
        default: r = d / v; break;
        }
        gx[i] += r;
    }
}

__global__ void k_bin_fwd(int op, int64_t n, const float *a, const float *b, float *y)
{
    GRID_LOOP(i, n)
    {
        float u = a[i], v = b[i];
        y[i] = op == SCO__OP_ADD ? u + v : op == SCO__OP_SUB ? u - v
                                         : op == SCO__OP_MUL ? u * v : u / v;
    }
}

__global__ void k_bias_act(float *y, float *pre, const float *b, int act, int64_t M, int64_t N)
{
    GRID_LOOP(i, M * N)
    {
        float v = y[i] + (b ? b[i % N] : 0.0f);
        switch (act) {
        case SCO_ACT_RELU: v = v > 0 ? v : 0; break;
        case SCO_ACT_GELU: pre[i] = v; v = d_gelu(v); break;
        case SCO_ACT_TANH: v = tanhf(v); break;
        case SCO_ACT_SIGMOID: v = d_sigm(v); break;
        default: break;
        }
        y[i] = v;
    }
}

__global__ void k_act_bwd(const float *y, const float *pre, const float *dy, float *dz, int act,
                          int64_t n)
{
    GRID_LOOP(i, n)
    {
        float d = dy[i];
        switch (act) {
        case SCO_ACT_RELU: d = y[i] > 0 ? d : 0; break;
        case SCO_ACT_GELU: d *= d_gelu_d(pre[i]); break;
        case SCO_ACT_TANH: d *= 1 - y[i] * y[i]; break;
        case SCO_ACT_SIGMOID: d *= y[i] * (1 - y[i]); break;
        default: break;
        }
        dz[i] = d;
    }
}

__global__ void k_add_into(float *g, const float *d, int64_t n)
{
    GRID_LOOP(i, n) g[i] += d[i];
}

/* gb[j] += sum_i dz[i, j], one thread per column, rows in order */
__global__ void k_colsum(const float *dz, int64_t M, int64_t N, float *gb)
{
    GRID_LOOP(j, N)
    {
        float s = 0;
        for (int64_t i = 0; i < M; i++)
            s += dz[i * N + j];
        gb[j] += s;
    }
}

/* The sum of every thread's s over the block (blockDim.x a power of two, part at least that
 * long), by a fixed tree so that it repeats bit for bit; every thread gets it, after the last
 * barrier. */
__device__ inline double block_tree_sum(double s, double *part)
{
    part[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w /= 2) {
        if ((int)threadIdx.x < w)
            part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    return part[0];
}

/* mean squared error, one block of 1024 threads: fixed strided partials then a tree */
__global__ void k_mse(const float *p, const float *y, int64_t n, float *out)
{
    __shared__ double part[1024];
    double s = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        double d = (double)p[i] - y[i];
        s += d * d;
    }
    double t = block_tree_sum(s, part);
    if (threadIdx.x == 0)
        out[0] = (float)(t / (double)n);
}

__global__ void k_mse_bwd(const float *p, const float *y, const float *gl, int64_t n, float *gp,
                          float *gy)
{
    GRID_LOOP(i, n)
    {
        float d = 2 * (p[i] - y[i]) * gl[0] / (float)n;
        if (gp)
            gp[i] += d;
        if (gy)
            gy[i] -= d;
    }
}

/* hp: lr, grad scale, momentum, weight decay, beta1, beta2, eps, bias corr. 1, 2 */
__global__ void k_adam(bool decoupled, float *w, float *g, float *m, float *v, int64_t n,
                       float lr, float gs, float wd, float b1, float b2, float eps, float bc1,
                       float bc2)
{
    GRID_LOOP(k, n)
    {
        float gk = g[k] * gs;
        if (!decoupled)
            gk += wd * w[k];
        m[k] = b1 * m[k] + (1 - b1) * gk;
        v[k] = b2 * v[k] + (1 - b2) * gk * gk;
        float upd = (m[k] / bc1) / (sqrtf(v[k] / bc2) + eps);
        if (decoupled)
            upd += wd * w[k];
        w[k] -= lr * upd;
        g[k] = 0;
    }
}

__global__ void k_sgd(bool nesterov, float *w, float *g, float *m, int64_t n, float lr, float gs,
                      float mom, float wd)
{
    GRID_LOOP(k, n)
    {
        float gk = g[k] * gs + wd * w[k];
        if (m) {
            m[k] = mom * m[k] + gk;
            gk = nesterov ? gk + mom * m[k] : m[k];
        }
        w[k] -= lr * gk;
        g[k] = 0;
    }
}

/* ---- broadcasting elementwise (4-d padded output index space, strides 0 = broadcast) ---- */

struct bcd {
    int64_t d[4];
    int64_t s[2][4]; /* element strides of operand 0 (a) and 1 (b) */
};

__device__ inline void coords(const int64_t *d, int64_t r, int64_t *c)
{
    c[3] = r % d[3];
    r /= d[3];
    c[2] = r % d[2];
    r /= d[2];
    c[1] = r % d[1];
    c[0] = r / d[1];
}

__device__ inline int64_t offs(const int64_t *s, const int64_t *c)
{
    return c[0] * s[0] + c[1] * s[1] + c[2] * s[2] + c[3] * s[3];
}

__device__ inline float bin_f(int op, float u, float v)
{
    return op == SCO__OP_ADD ? u + v : op == SCO__OP_SUB ? u - v : op == SCO__OP_MUL ? u * v
                                                                                   : u / v;
}

__device__ inline void bin_d(int op, float u, float v, float d, float *da, float *db)
{
    switch (op) {
    case SCO__OP_ADD: *da = d; *db = d; break;
    case SCO__OP_SUB: *da = d; *db = -d; break;
    case SCO__OP_MUL: *da = d * v; *db = d * u; break;
    default: *da = d / v; *db = -d * u / (v * v); break;
    }
}

__global__ void k_bc_fwd(int op, struct bcd c, int64_t n, const float *a, const float *b,
                         float *y)
{
    GRID_LOOP(r, n)
    {
        int64_t k[4];
        coords(c.d, r, k);
        y[r] = bin_f(op, a[offs(c.s[0], k)], b[offs(c.s[1], k)]);
    }
}

/* operands with the output's shape: one thread per output element; when both gradients are
 * the same buffer (x op x) the thread adds both contributions */
__global__ void k_bc_bwd_full(int op, struct bcd c, int64_t n, const float *a, const float *b,
                              const float *dy, float *ga, float *gb)
{
    GRID_LOOP(r, n)
    {
        int64_t k[4];
        coords(c.d, r, k);
        float da, db;
        bin_d(op, a[offs(c.s[0], k)], b[offs(c.s[1], k)], dy[r], &da, &db);
        if (ga && ga == gb) {
            ga[r] += da + db;
            continue;
        }
        if (ga)
            ga[r] += da;
        if (gb)
            gb[r] += db;
    }
}

/* a broadcast operand (which = 0: a, 1: b): one thread per operand element sums, in a fixed
 * order, over the output elements that read it */
__global__ void k_bc_bwd_red(int op, int which, struct bcd c, int64_t m, const float *a,
                             const float *b, const float *dy, float *g)
{
    const int64_t *s = c.s[which];
    int64_t od[4], cnt = 1;
    for (int i = 0; i < 4; i++) {
        od[i] = s[i] == 0 ? 1 : c.d[i];
        if (s[i] == 0)
            cnt *= c.d[i];
    }
    GRID_LOOP(e, m)
    {
        int64_t k[4];
        coords(od, e, k);
        float acc = 0;
        for (int64_t t = 0; t < cnt; t++) {
            int64_t rest = t;
            for (int i = 3; i >= 0; i--)
                if (s[i] == 0) {
                    k[i] = rest % c.d[i];
                    rest /= c.d[i];
                }
            int64_t r = ((k[0] * c.d[1] + k[1]) * c.d[2] + k[2]) * c.d[3] + k[3];
            float da, db;
            bin_d(op, a[offs(c.s[0], k)], b[offs(c.s[1], k)], dy[r], &da, &db);
            acc += which == 0 ? da : db;
        }
        g[e] += acc;
    }
}

/* ---- sum / mean over [outer, R, inner] ---- */

/* inner == 1: one block of 256 per output, double partials, fixed tree */
__global__ void k_reduce_rows(const float *x, int64_t O, int64_t R, double sc, float *y)
{
    __shared__ double part[256];
    for (int64_t o = blockIdx.x; o < O; o += gridDim.x) {
        double s = 0;
        for (int64_t r = threadIdx.x; r < R; r += blockDim.x)
            s += x[o * R + r];
        double t = block_tree_sum(s, part);
        if (threadIdx.x == 0)
            y[o] = (float)(t * sc);
        __syncthreads(); /* part is written again for the next output */
    }
}

__global__ void k_reduce_cols(const float *x, int64_t O, int64_t R, int64_t NI, double sc,
                              float *y)
{
    GRID_LOOP(q, O * NI)
    {
        int64_t o = q / NI, i = q % NI;
        double s = 0;
        for (int64_t r = 0; r < R; r++)
            s += x[(o * R + r) * NI + i];
        y[q] = (float)(s * sc);
    }
}

__global__ void k_reduce_bwd(const float *dy, int64_t O, int64_t R, int64_t NI, float sc,
                             float *gx)
{
    GRID_LOOP(q, O * R * NI)
    {
        int64_t o = q / (R * NI), i = q % NI;
        gx[q] += sc * dy[o * NI + i];
    }
}

/* ---- index checks: the first bad position, then its value, read back at sync ---- */

__device__ inline int64_t idx_at(const void *p, bool is64, int64_t i)
{
    return is64 ? ((const int64_t *)p)[i] : (int64_t)((const int32_t *)p)[i];
}

__global__ void k_chk_value(const void *idx, bool is64, unsigned long long *slot)
{
    if (slot[0] != NO_POS)
        slot[1] = (unsigned long long)idx_at(idx, is64, (int64_t)slot[0]);
}

/* ---- embedding ---- */

__global__ void k_embed_fwd(const float *tab, int64_t V, int64_t D, const void *idx, bool is64,
                            int64_t n, float *y, unsigned long long *slot)
{
    GRID_LOOP(q, n * D)
    {
        int64_t i = q / D, r = idx_at(idx, is64, i);
        if (r < 0 || r >= V) {
            y[q] = 0;
            atomicMin(slot, (unsigned long long)i);
        } else {
            y[q] = tab[r * D + q % D];
        }
    }
}

/* scatter-add with atomics: the order of additions into a repeated row is not fixed */
__global__ void k_embed_bwd(float *gtab, int64_t D, const void *idx, bool is64, int64_t n,
                            const float *dy)
{
    GRID_LOOP(q, n * D)
    {
        int64_t r = idx_at(idx, is64, q / D);
        atomicAdd(&gtab[r * D + q % D], dy[q]);
    }
}

/* ---- losses: one block of 1024, double partials in a fixed order, then a tree ---- */

struct quant {
    float q[32];
    int nq;
};

__device__ inline double loss_term(int op, const float *p, const float *y, int64_t i, float pw,
                                   const struct quant &qs)
{
    double x = p[i];
    switch (op) {
    case SCO__OP_PINBALL: {
        double q = qs.q[i % qs.nq], u = (double)y[i / qs.nq] - x;
        return u >= 0 ? q * u : (q - 1) * u;
    }
    case SCO__OP_POISSON: return exp(x) - (double)y[i] * x;
    case SCO__OP_TWEEDIE:
        return -(double)y[i] * exp((1 - (double)pw) * x) / (1 - (double)pw) +
               exp((2 - (double)pw) * x) / (2 - (double)pw);
    case SCO__OP_BCE: return (x > 0 ? x : 0) - x * y[i] + log1p(exp(-fabs(x)));
    case SCO__OP_BPR: {
        double d = (double)y[i] - x;
        return (d > 0 ? d : 0) + log1p(exp(-fabs(d)));
    }
    default: {
        double d = x - y[i];
        return d * d;
    }
    }
}

__device__ inline void block_sum_store(double s, double *part, float *out, double div)
{
    double t = block_tree_sum(s, part);
    if (threadIdx.x == 0)
        out[0] = (float)(t / div);
}

__global__ void k_loss(int op, const float *p, const float *y, int64_t n, float pw,
                       struct quant qs, float *out)
{
    __shared__ double part[1024];
    double s = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        s += loss_term(op, p, y, i, pw, qs);
    block_sum_store(s, part, out, (double)n);
}

/* Softmax of one row of C values, the CPU backend's arithmetic: the row's max and the sum of
 * exponentials (in double) are returned; the probabilities go to p unless it is NULL. */
struct row_sm {
    float mx;
    double z;
};

__device__ inline struct row_sm row_softmax(const float *x, int64_t C, float *p)
{
    struct row_sm r = { x[0], 0 };
    for (int64_t j = 1; j < C; j++)
        r.mx = fmaxf(r.mx, x[j]);
    for (int64_t j = 0; j < C; j++)
        r.z += exp((double)(x[j] - r.mx));
    if (p)
        for (int64_t j = 0; j < C; j++)
            p[j] = (float)(exp((double)(x[j] - r.mx)) / r.z);
    return r;
}

/* softmax cross-entropy: rows strided over the block; probabilities kept in prob */
__global__ void k_xent(const float *x, const void *lab, bool is64, int64_t N, int64_t C,
                       float *prob, float *out, unsigned long long *slot)
{
    __shared__ double part[1024];
    double s = 0;
    for (int64_t r = threadIdx.x; r < N; r += blockDim.x) {
        const float *xr = x + r * C;
        struct row_sm sm = row_softmax(xr, C, prob + r * C);
        int64_t l = idx_at(lab, is64, r);
        if (l < 0 || l >= C) {
            atomicMin(slot, (unsigned long long)r);
            continue;
        }
        s += (double)sm.mx + log(sm.z) - xr[l];
    }
    block_sum_store(s, part, out, (double)N);
}

__device__ inline float loss_scale(const float *gl, int64_t cnt)
{
    return (float)((double)gl[0] / (double)cnt);
}

__global__ void k_loss_bwd(int op, const float *p, const float *y, const float *gl, int64_t n,
                           float pw, float *ga, float *gb)
{
    float sc = loss_scale(gl, n);
    GRID_LOOP(i, n)
    {
        float da, db;
        switch (op) {
        case SCO__OP_POISSON:
            da = (expf(p[i]) - y[i]) * sc;
            db = -p[i] * sc;
            break;
        case SCO__OP_TWEEDIE: {
            float e1 = expf((1 - pw) * p[i]);
            da = (-y[i] * e1 + expf((2 - pw) * p[i])) * sc;
            db = -e1 / (1 - pw) * sc;
            break;
        }
        case SCO__OP_BCE:
            da = (d_sigm(p[i]) - y[i]) * sc;
            db = -p[i] * sc;
            break;
        default: { /* BPR */
            float s = d_sigm(y[i] - p[i]) * sc;
            da = -s;
            db = s;
            break;
        }
        }
        if (ga)
            ga[i] += da;
        if (gb)
            gb[i] += db;
    }
}

/* pinball: one thread per target element and its nq predictions */
__global__ void k_pinball_bwd(const float *p, const float *y, const float *gl, int64_t m,
                              struct quant qs, float *ga, float *gb)
{
    float sc = loss_scale(gl, m * qs.nq);
    GRID_LOOP(j, m)
    {
        float acc = 0;
        for (int q = 0; q < qs.nq; q++) {
            int64_t i = j * qs.nq + q;
            float u = y[j] - p[i], dp = (u >= 0 ? -qs.q[q] : 1 - qs.q[q]) * sc;
            if (ga)
                ga[i] += dp;
            acc += dp;
        }
        if (gb)
            gb[j] -= acc;
    }
}

__global__ void k_xent_bwd(const float *prob, const void *lab, bool is64, const float *gl,
                           int64_t N, int64_t C, float *ga)
{
    float sc = loss_scale(gl, N);
    GRID_LOOP(q, N * C)
    {
        int64_t r = q / C, j = q % C, l = idx_at(lab, is64, r);
        ga[q] += (prob[q] - (j == l ? 1.0f : 0.0f)) * sc;
    }
}

/* ---- dropout: the CPU backend's counter-based hash, so the masks are the same ---- */

__host__ __device__ inline uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

__global__ void k_dropout_fwd(const float *x, int64_t n, bool on, uint64_t base, uint32_t thr,
                              float keep, float *mask, float *y)
{
    GRID_LOOP(i, n)
    {
        float m = 1.0f;
        if (on)
            m = (uint32_t)(mix64(base + (uint64_t)i) >> 40) < thr ? 0.0f : keep;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}

__global__ void k_mul_into(float *g, const float *d, const float *m, int64_t n)
{
    GRID_LOOP(i, n) g[i] += d[i] * m[i];
}

/* ---- layer norm: one warp per row, fixed lane order and shuffle tree ---- */

__device__ inline double warp_sum(double v)
{
    for (int o = 16; o > 0; o /= 2)
        v += __shfl_down_sync(0xffffffffu, v, o);
    return __shfl_sync(0xffffffffu, v, 0);
}

__global__ void k_ln_fwd(const float *x, const float *gm, const float *bt, int64_t rows,
                         int64_t C, float eps, float *stat, float *y)
{
    int lane = threadIdx.x % 32;
    int64_t w0 = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32;
    int64_t nw = (int64_t)gridDim.x * blockDim.x / 32;
    for (int64_t r = w0; r < rows; r += nw) {
        const float *xr = x + r * C;
        double s = 0;
        for (int64_t j = lane; j < C; j += 32)
            s += xr[j];
        double mean = warp_sum(s) / (double)C, s2 = 0;
        for (int64_t j = lane; j < C; j += 32) {
            double d = xr[j] - mean;
            s2 += d * d;
        }
        float rstd = (float)(1.0 / sqrt(warp_sum(s2) / (double)C + eps));
        if (lane == 0) {
            stat[2 * r] = (float)mean;
            stat[2 * r + 1] = rstd;
        }
        for (int64_t j = lane; j < C; j += 32) {
            float xh = (xr[j] - (float)mean) * rstd;
            y[r * C + j] = xh * (gm ? gm[j] : 1.0f) + (bt ? bt[j] : 0.0f);
        }
    }
}

__global__ void k_ln_bwd(const float *x, const float *gm, const float *dy, const float *stat,
                         int64_t rows, int64_t C, float *gx)
{
    int lane = threadIdx.x % 32;
    int64_t w0 = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32;
    int64_t nw = (int64_t)gridDim.x * blockDim.x / 32;
    for (int64_t r = w0; r < rows; r += nw) {
        const float *xr = x + r * C, *dr = dy + r * C;
        float mean = stat[2 * r], rstd = stat[2 * r + 1];
        double s1 = 0, s2 = 0;
        for (int64_t j = lane; j < C; j += 32) {
            float dxh = dr[j] * (gm ? gm[j] : 1.0f), xh = (xr[j] - mean) * rstd;
            s1 += dxh;
            s2 += (double)dxh * xh;
        }
        float m1 = (float)(warp_sum(s1) / (double)C), m2 = (float)(warp_sum(s2) / (double)C);
        for (int64_t j = lane; j < C; j += 32) {
            float dxh = dr[j] * (gm ? gm[j] : 1.0f), xh = (xr[j] - mean) * rstd;
            gx[r * C + j] += rstd * (dxh - m1 - xh * m2);
        }
    }
}

/* gamma / beta gradients: one thread per column, rows in order */
__global__ void k_ln_params(const float *x, const float *dy, const float *stat, int64_t rows,
                            int64_t C, float *gg, float *gbeta)
{
    GRID_LOOP(j, C)
    {
        float a = 0, b = 0;
        for (int64_t r = 0; r < rows; r++) {
            float d = dy[r * C + j];
            a += d * (x[r * C + j] - stat[2 * r]) * stat[2 * r + 1];
            b += d;
        }
        if (gg)
            gg[j] += a;
        if (gbeta)
            gbeta[j] += b;
    }
}

/* ---- concat / slice (blocks of w floats at a row pitch) and transpose ---- */

/* dst[o * dp + j] (+)= src[o * sp + j] for o < O, j < w */
__global__ void k_copy2d(float *dst, int64_t dp, const float *src, int64_t sp, int64_t O,
                         int64_t w, bool add)
{
    GRID_LOOP(q, O * w)
    {
        int64_t o = q / w, j = q % w;
        if (add)
            dst[o * dp + j] += src[o * sp + j];
        else
            dst[o * dp + j] = src[o * sp + j];
    }
}

struct perm4 {
    int64_t d[4], st[4];
};

__global__ void k_transpose(struct perm4 p, int64_t n, const float *x, float *y, const float *dy,
                            float *gx)
{
    GRID_LOOP(k, n)
    {
        int64_t c[4];
        coords(p.d, k, c);
        int64_t src = offs(p.st, c);
        if (gx)
            gx[src] += dy[k];
        else
            y[k] = x[src];
    }
}

/* ---- gradient norm: fixed grid of partial sums, then one block in a fixed order ---- */

__global__ void k_sumsq_part(const float *g, int64_t n, double *part)
{
    __shared__ double sh[256];
    double s = 0;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (int64_t)blockDim.x * gridDim.x)
        s += (double)g[i] * g[i];
    double t = block_tree_sum(s, sh);
    if (threadIdx.x == 0)
        part[blockIdx.x] = t;
}

__global__ void k_sum_parts(const double *part, int64_t n, double *out)
{
    __shared__ double sh[256];
    double s = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        s += part[i];
    double t = block_tree_sum(s, sh);
    if (threadIdx.x == 0)
        out[0] = t;
}

/* ---- conv1d (causal, dilated): im2col + cuBLAS; col2im gathers, one thread per x element ---- */

__global__ void k_im2col(const float *x, int64_t B, int64_t T, int64_t C, int64_t K, int64_t dil,
                         float *col)
{
    GRID_LOOP(q, B * T * K * C)
    {
        int64_t j = q % C, k = (q / C) % K, bt = q / (C * K), t = bt % T, b = bt / T;
        int64_t ts = t - dil * (K - 1 - k);
        col[q] = ts < 0 ? 0.0f : x[(b * T + ts) * C + j];
    }
}

__global__ void k_col2im(const float *col, int64_t B, int64_t T, int64_t C, int64_t K,
                         int64_t dil, float *gx)
{
    GRID_LOOP(q, B * T * C)
    {
        int64_t j = q % C, ts = (q / C) % T, b = q / (C * T);
        float acc = 0;
        for (int64_t k = 0; k < K; k++) {
            int64_t t = ts + dil * (K - 1 - k);
            if (t < T)
                acc += col[((b * T + t) * K + k) * C + j];
        }
        gx[q] += acc;
    }
}

/* ---- GRU: one step's gates, one thread per (batch row, hidden unit) ---- */

__global__ void k_gru_step(const float *xg, float *hgt, float *gt, const float *bhh,
                           const float *hp, int64_t ldh, float *out, int64_t t, int64_t B,
                           int64_t T, int64_t H)
{
    GRID_LOOP(q, B * H)
    {
        int64_t b = q / H, j = q % H, G = 3 * H;
        float *hr = hgt + b * G, *gr = gt + b * G;
        const float *xr = xg + (b * T + t) * G;
        if (bhh) {
            hr[j] += bhh[j];
            hr[H + j] += bhh[H + j];
            hr[2 * H + j] += bhh[2 * H + j];
        }
        float r = d_sigm(xr[j] + hr[j]);
        float z = d_sigm(xr[H + j] + hr[H + j]);
        float nn = tanhf(xr[2 * H + j] + r * hr[2 * H + j]);
        gr[j] = r;
        gr[H + j] = z;
        gr[2 * H + j] = nn;
        out[(b * T + t) * H + j] = (1 - z) * nn + z * (hp ? hp[b * ldh + j] : 0.0f);
    }
}

__global__ void k_gru_step_bwd(const float *dh, const float *dout, const float *gt,
                               const float *hgt, const float *hp, int64_t ldh, float *dxg,
                               float *dhg, float *dhp, int64_t t, int64_t B, int64_t T,
                               int64_t H)
{
    GRID_LOOP(q, B * H)
    {
        int64_t b = q / H, j = q % H, G = 3 * H;
        const float *gr = gt + b * G, *hr = hgt + b * G;
        float *dx = dxg + (b * T + t) * G, *dhh = dhg + b * G;
        float d = dh[b * H + j] + dout[(b * T + t) * H + j];
        float r = gr[j], z = gr[H + j], nn = gr[2 * H + j];
        float h_prev = hp ? hp[b * ldh + j] : 0.0f;
        float dn = d * (1 - z) * (1 - nn * nn);
        float dz = d * (h_prev - nn) * z * (1 - z);
        float dr = dn * hr[2 * H + j] * r * (1 - r);
        dx[j] = dr;
        dx[H + j] = dz;
        dx[2 * H + j] = dn;
        dhh[j] = dr;
        dhh[H + j] = dz;
        dhh[2 * H + j] = dn * r;
        dhp[b * H + j] = d * z;
    }
}

/* ---- cuBLAS GEMM, row-major: C = op(A) op(B) * alpha + beta C ---- */
static int gemm(struct sco__backend *be, bool ta, bool tb, int64_t M, int64_t N, int64_t K,
                float alpha, const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                float *C, int64_t ldc, struct sco_err *err)
{
    /* column-major view: C^T = op(B)^T op(A)^T */
    CKB(cublasSgemm(be->blas, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                    (int)N, (int)M, (int)K, &alpha, B, (int)ldb, A, (int)lda, &beta, C, (int)ldc),
        "sgemm");
    return 0;
}

static float *Fp(const struct sco_tensor *t)
{
    return (float *)t->data;
}


#if SCO_HAVE_CUDNN
/* cuDNN for softmax from now on? Started on first use; once it fails (or is refused) it is
 * never tried again and our own kernels take its ops. */
static bool dnn_ready(struct sco__backend *be)
{
    if (be->dnn)
        return true;
    if (be->dnn_failed)
        return false;
    cudnnHandle_t h = NULL;
    if (cudnnCreate(&h) != CUDNN_STATUS_SUCCESS) {
        be->dnn_failed = true;
        return false;
    }
    if (cudnnSetStream(h, be->stream) != CUDNN_STATUS_SUCCESS) {
        cudnnDestroy(h);
        be->dnn_failed = true;
        return false;
    }
    be->dnn = h;
    return true;
}

static void dnn_off(struct sco__backend *be)
{
    if (be->dnn)
        cudnnDestroy(be->dnn);
    be->dnn = NULL;
    be->dnn_failed = true;
}
#endif

static bool cu_supports(struct sco__backend *be, const struct sco__node *n)
{
    switch (n->op) {
    case SCO__OP_MATMUL:
    case SCO__OP_LINEAR:
    case SCO__OP_BIAS_ADD:
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
    case SCO__OP_MSE:
    case SCO__OP_ADD:
    case SCO__OP_SUB:
    case SCO__OP_MUL:
    case SCO__OP_DIV:
    case SCO__OP_SUM:
    case SCO__OP_MEAN:
    case SCO__OP_CONCAT:
    case SCO__OP_SLICE:
    case SCO__OP_RESHAPE:
    case SCO__OP_TRANSPOSE:
    case SCO__OP_EMBEDDING:
    case SCO__OP_DROPOUT:
    case SCO__OP_LAYER_NORM:
    case SCO__OP_POISSON:
    case SCO__OP_TWEEDIE:
    case SCO__OP_BCE:
    case SCO__OP_XENT:
    case SCO__OP_BPR:
        return true;
    case SCO__OP_PINBALL:
        return n->nf <= 32;
    case SCO__OP_SOFTMAX:
    case SCO__OP_LOG_SOFTMAX:
    case SCO__OP_CONV1D:
    case SCO__OP_GRU:
        return true;
    default:
        return false;
    }
}

static void *cu_alloc(struct sco__backend *be, size_t bytes)
{
    (void)be;
    void *p = NULL;
    if (cudaMallocManaged(&p, bytes, cudaMemAttachGlobal) != cudaSuccess)
        return NULL;
    memset(p, 0, bytes); /* first touch on the host; pages migrate on demand */
    return p;
}

static void cu_free(struct sco__backend *be, void *p)
{
    cudaStreamSynchronize(be->stream);
    cudaFree(p);
}

static int cu_sync(struct sco__backend *be, struct sco_err *err)
{
    cudaError_t e = cudaStreamSynchronize(be->stream);
    if (e != cudaSuccess) {
        be->n_chk = 0; /* the checks of a failed compute are not reported by a later sync */
        return cuda_fail(err, "synchronize", e);
    }
    int rc = 0;
    for (int i = 0; i < be->n_chk && rc == 0; i++) {
        unsigned long long pos = be->chk[2 * i];
        if (pos == NO_POS)
            continue;
        long long v = (long long)be->chk[2 * i + 1], lim = (long long)be->chk_info[i].lim;
        if (strcmp(be->chk_info[i].what, "embedding") == 0)
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "embedding: index %lld at position %lld is outside [0, %lld); "
                             "map ids to rows before writing them",
                             v, (long long)pos, lim);
        else
            rc = sco_err_set(err, SCO_ERR_DATA,
                             "softmax_xent: label %lld at row %lld is outside [0, %lld)", v,
                             (long long)pos, lim);
    }
    be->n_chk = 0;
    return rc;
}

static int chk_slot(struct sco__backend *be, const char *what, int64_t lim,
                    unsigned long long **slot, struct sco_err *err)
{
    if (be->n_chk == MAX_CHK) {
        int rc = cu_sync(be, err);
        if (rc)
            return rc;
    }
    int i = be->n_chk++;
    be->chk_info[i].what = what;
    be->chk_info[i].lim = lim;
    *slot = be->chk + 2 * i;
    CK(cudaMemsetAsync(*slot, 0xff, 2 * sizeof **slot, be->stream), "memset");
    return 0;
}

static int cu_memset0(struct sco__backend *be, void *p, size_t bytes, struct sco_err *err)
{
    CK(cudaMemsetAsync(p, 0, bytes, be->stream), "memset");
    return 0;
}

#if SCO_HAVE_CUDNN
/* Softmax through cuDNN; false when cuDNN refused it (nothing written then). */
static bool softmax_dnn(struct sco__backend *be, struct sco__node *n, bool bwd, int64_t rows,
                        int64_t C)
{
    cudnnTensorDescriptor_t d = NULL;
    cudnnStatus_t s = cudnnCreateTensorDescriptor(&d);
    if (s != CUDNN_STATUS_SUCCESS)
        return false;
    s = cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, (int)rows, (int)C, 1,
                                   1);
    cudnnSoftmaxAlgorithm_t alg =
        n->op == SCO__OP_LOG_SOFTMAX ? CUDNN_SOFTMAX_LOG : CUDNN_SOFTMAX_ACCURATE;
    float one = 1, zero = 0;
    if (s == CUDNN_STATUS_SUCCESS) {
        if (!bwd)
            s = cudnnSoftmaxForward(be->dnn, alg, CUDNN_SOFTMAX_MODE_INSTANCE, &one, d,
                                    Fp(n->in[0]), &zero, d, Fp(n->out));
        else /* accumulate: beta = 1 */
            s = cudnnSoftmaxBackward(be->dnn, alg, CUDNN_SOFTMAX_MODE_INSTANCE, &one, d,
                                     Fp(n->out), d, n->out->grad, &one, d, n->in[0]->grad);
    }
    cudnnDestroyTensorDescriptor(d);
    return s == CUDNN_STATUS_SUCCESS;
}
#endif

/* Softmax / log-softmax over the last axis without cuDNN: one thread per row (row_softmax). */
__global__ void k_softmax(bool logsm, const float *x, int64_t rows, int64_t C, float *y)
{
    GRID_LOOP(r, rows)
    {
        const float *xr = x + r * C;
        float *yr = y + r * C;
        if (logsm) {
            struct row_sm sm = row_softmax(xr, C, NULL);
            float lse = sm.mx + (float)log(sm.z);
            for (int64_t j = 0; j < C; j++)
                yr[j] = xr[j] - lse;
        } else {
            row_softmax(xr, C, yr);
        }
    }
}

/* Their gradients, accumulated into gx: log-softmax gx += dy - softmax * sum(dy), softmax
 * gx += y * (dy - sum(dy * y)). */
__global__ void k_softmax_bwd(bool logsm, const float *y, const float *dy, int64_t rows,
                              int64_t C, float *gx)
{
    GRID_LOOP(r, rows)
    {
        const float *yr = y + r * C, *dr = dy + r * C;
        float *gr = gx + r * C;
        double s = 0;
        if (logsm) {
            for (int64_t j = 0; j < C; j++)
                s += dr[j];
            for (int64_t j = 0; j < C; j++)
                gr[j] += dr[j] - expf(yr[j]) * (float)s;
        } else {
            for (int64_t j = 0; j < C; j++)
                s += (double)dr[j] * yr[j];
            for (int64_t j = 0; j < C; j++)
                gr[j] += yr[j] * (dr[j] - (float)s);
        }
    }
}

static int softmax(struct sco__backend *be, struct sco__node *n, bool bwd, struct sco_err *err)
{
    int64_t C = n->out->shape[n->out->ndim - 1], rows = n->out->n / C;
    bool logsm = n->op == SCO__OP_LOG_SOFTMAX;
#if SCO_HAVE_CUDNN
    /* cuDNN when it starts and the tensor fits its int descriptor; when a call fails (a
     * sub-library that does not load shows only then), our kernels from then on */
    if (n->out->n <= 0x7fffffff && dnn_ready(be)) {
        if (softmax_dnn(be, n, bwd, rows, C))
            return 0;
        dnn_off(be);
    }
#endif
    cudaStream_t st = be->stream;
    if (!bwd)
        k_softmax<<<blocks(rows), 256, 0, st>>>(logsm, Fp(n->in[0]), rows, C, Fp(n->out));
    else
        k_softmax_bwd<<<blocks(rows), 256, 0, st>>>(logsm, Fp(n->out), n->out->grad, rows, C,
                                                    n->in[0]->grad);
    CK(cudaGetLastError(), "softmax kernel launch");
    return 0;
}

/* ---- host side of the kernels above ---- */

static struct bcd bc_setup(const struct sco_tensor *a, const struct sco_tensor *b,
                           const struct sco_tensor *y)
{
    struct bcd c;
    const struct sco_tensor *op[2] = { a, b };
    int nd = y->ndim;
    for (int w = 0; w < 2; w++) {
        int64_t st = 1;
        for (int i = 3; i >= 0; i--) {
            int oi = i - (4 - nd), io = oi - (nd - op[w]->ndim);
            int64_t d = (oi >= 0 && io >= 0) ? op[w]->shape[io] : 1;
            c.s[w][i] = d == 1 ? 0 : st;
            st *= d;
        }
    }
    for (int i = 3; i >= 0; i--) {
        int oi = i - (4 - nd);
        c.d[i] = oi >= 0 ? y->shape[oi] : 1;
    }
    return c;
}

static void red_dims(const struct sco__node *n, int64_t *O, int64_t *R, int64_t *NI)
{
    const struct sco_tensor *x = n->in[0];
    *O = 1;
    *NI = 1;
    if (n->i0 < 0) {
        *R = x->n;
        return;
    }
    for (int i = 0; i < n->i0; i++)
        *O *= x->shape[i];
    for (int i = n->i0 + 1; i < x->ndim; i++)
        *NI *= x->shape[i];
    *R = x->shape[n->i0];
}

static void outer_inner(const struct sco_tensor *t, int ax, int64_t *O, int64_t *NI)
{
    *O = 1;
    *NI = 1;
    for (int i = 0; i < ax; i++)
        *O *= t->shape[i];
    for (int i = ax + 1; i < t->ndim; i++)
        *NI *= t->shape[i];
}

static struct perm4 perm_setup(const struct sco__node *n)
{
    const struct sco_tensor *x = n->in[0], *y = n->out;
    int nd = x->ndim;
    struct perm4 p;
    int64_t xs[SCO_MAX_DIMS];
    for (int i = 0; i < 4; i++) {
        p.d[i] = 1;
        p.st[i] = 0;
    }
    xs[nd - 1] = 1;
    for (int i = nd - 2; i >= 0; i--)
        xs[i] = xs[i + 1] * x->shape[i + 1];
    for (int i = 0; i < nd; i++) {
        p.d[4 - nd + i] = y->shape[i];
        p.st[4 - nd + i] = xs[n->perm[i]];
    }
    return p;
}

static struct quant quant_of(const struct sco__node *n)
{
    struct quant q;
    memset(&q, 0, sizeof q);
    q.nq = n->op == SCO__OP_PINBALL ? n->nf : 1;
    for (int i = 0; n->op == SCO__OP_PINBALL && i < n->nf && i < 32; i++)
        q.q[i] = n->fv[i];
    return q;
}

/* Claims a check slot (first bad position NO_POS, value) for an index tensor; the result is
 * read at the next sync. */
static int chk_slot(struct sco__backend *be, const char *what, int64_t lim,
                    unsigned long long **slot, struct sco_err *err);

static int index_check_value(struct sco__backend *be, const struct sco_tensor *idx,
                             unsigned long long *slot, struct sco_err *err)
{
    k_chk_value<<<1, 1, 0, be->stream>>>(idx->data, idx->dtype == SCO_I64, slot);
    CK(cudaGetLastError(), "index check");
    return 0;
}

static void mm_dims(const struct sco__node *n, int64_t *B, int64_t *M, int64_t *N, int64_t *K,
                    bool *bs)
{
    const struct sco_tensor *a = n->in[0], *b = n->in[1];
    bool ta = n->i0 & SCO_TRANS_A, tb = n->i0 & SCO_TRANS_B;
    *M = a->shape[a->ndim - (ta ? 1 : 2)];
    *K = a->shape[a->ndim - (ta ? 2 : 1)];
    *N = b->shape[b->ndim - (tb ? 2 : 1)];
    *B = a->n / (*M * *K);
    *bs = b->ndim == 2;
}

static int conv1d_run(struct sco__backend *be, struct sco__node *n, bool bwd,
                      struct sco_err *err)
{
    cudaStream_t st = be->stream;
    const struct sco_tensor *x = n->in[0], *w = n->in[1], *bias = n->in[2], *y = n->out;
    int64_t B = x->shape[0], T = x->shape[1], C = x->shape[2], K = w->shape[0],
            O = w->shape[2], dil = n->i1, M = B * T, KC = K * C;
    float *col = n->aux, *pre = n->i0 == SCO_ACT_GELU ? n->aux + M * KC : NULL;
    int rc = 0;
    if (!bwd) {
        k_im2col<<<blocks(M * KC), 256, 0, st>>>(Fp(x), B, T, C, K, dil, col);
        CK(cudaGetLastError(), "kernel launch");
        if ((rc = gemm(be, false, false, M, O, KC, 1, col, KC, Fp(w), O, 0, Fp(y), O, err)))
            return rc;
        if (bias || n->i0 != SCO_ACT_NONE)
            k_bias_act<<<blocks(M * O), 256, 0, st>>>(Fp(y), pre, bias ? Fp(bias) : NULL, n->i0,
                                                     M, O);
        CK(cudaGetLastError(), "kernel launch");
        return 0;
    }
    const float *dz = y->grad;
    if (n->i0 != SCO_ACT_NONE) {
        k_act_bwd<<<blocks(M * O), 256, 0, st>>>(Fp(y), pre, y->grad, n->aux2, n->i0, M * O);
        CK(cudaGetLastError(), "kernel launch");
        dz = n->aux2;
    }
    if (w->grad && (rc = gemm(be, true, false, KC, O, M, 1, col, KC, dz, O, 1, w->grad, O, err)))
        return rc;
    if (bias && bias->grad) {
        k_colsum<<<blocks(O), 256, 0, st>>>(dz, M, O, bias->grad);
        CK(cudaGetLastError(), "kernel launch");
    }
    if (x->grad) {
        /* the columns are no longer needed: reuse them for d(col) */
        if ((rc = gemm(be, false, true, M, KC, O, 1, dz, O, Fp(w), O, 0, col, KC, err)))
            return rc;
        k_col2im<<<blocks(M * C), 256, 0, st>>>(col, B, T, C, K, dil, x->grad);
        CK(cudaGetLastError(), "kernel launch");
    }
    return 0;
}

/* GRU as on the CPU: aux = xg [B*T, 3H], hg [T, B, 3H], gates [T, B, 3H]; aux2 = dxg
 * [B*T, 3H], dhg [B, 3H], dh [B, H], dhp [B, H]. Per step: cuBLAS for h W_hh, own kernels
 * for the gates. */
static int gru_run(struct sco__backend *be, struct sco__node *n, bool bwd, struct sco_err *err)
{
    cudaStream_t st = be->stream;
    const struct sco_tensor *x = n->in[0], *wih = n->in[1], *whh = n->in[2];
    const struct sco_tensor *bih = n->in[3], *bhh = n->in[4], *h0 = n->in[5];
    int64_t B = x->shape[0], T = x->shape[1], NI = x->shape[2], H = whh->shape[0], G = 3 * H;
    float *xg = n->aux, *hg = xg + B * T * G, *gates = hg + T * B * G;
    float *out = Fp(n->out);
    int rc = 0;
    if (!bwd) {
        if ((rc = gemm(be, false, false, B * T, G, NI, 1, Fp(x), NI, Fp(wih), G, 0, xg, G, err)))
            return rc;
        if (bih)
            k_bias_act<<<blocks(B * T * G), 256, 0, st>>>(xg, NULL, Fp(bih), SCO_ACT_NONE,
                                                         B * T, G);
        CK(cudaGetLastError(), "kernel launch");
        for (int64_t t = 0; t < T; t++) {
            float *hgt = hg + t * B * G, *gt = gates + t * B * G;
            const float *hp = t == 0 ? (h0 ? Fp(h0) : NULL) : out + (t - 1) * H;
            int64_t ldh = t == 0 ? H : T * H;
            if (hp)
                rc = gemm(be, false, false, B, G, H, 1, hp, ldh, Fp(whh), G, 0, hgt, G, err);
            else
                CK(cudaMemsetAsync(hgt, 0, (size_t)(B * G) * sizeof(float), st), "memset");
            if (rc)
                return rc;
            k_gru_step<<<blocks(B * H), 256, 0, st>>>(xg, hgt, gt, bhh ? Fp(bhh) : NULL, hp, ldh,
                                                      out, t, B, T, H);
            CK(cudaGetLastError(), "kernel launch");
        }
        return 0;
    }
    float *dxg = n->aux2, *dhg = dxg + B * T * G, *dh = dhg + B * G, *dhp = dh + B * H;
    float *gwhh = whh->grad, *gbhh = bhh ? bhh->grad : NULL;
    CK(cudaMemsetAsync(dh, 0, (size_t)(B * H) * sizeof(float), st), "memset");
    for (int64_t t = T - 1; t >= 0; t--) {
        const float *hp = t > 0 ? out + (t - 1) * H : h0 ? Fp(h0) : NULL;
        int64_t ldh = t > 0 ? T * H : H;
        k_gru_step_bwd<<<blocks(B * H), 256, 0, st>>>(dh, n->out->grad, gates + t * B * G,
                                                      hg + t * B * G, hp, ldh, dxg, dhg, dhp, t,
                                                      B, T, H);
        CK(cudaGetLastError(), "kernel launch");
        if (gwhh && hp && (rc = gemm(be, true, false, H, G, B, 1, hp, ldh, dhg, G, 1, gwhh, G,
                                     err)))
            return rc;
        if (gbhh) {
            k_colsum<<<blocks(G), 256, 0, st>>>(dhg, B, G, gbhh);
            CK(cudaGetLastError(), "kernel launch");
        }
        /* dh_{t-1} = direct part + dhg W_hh^T */
        if ((rc = gemm(be, false, true, B, H, G, 1, dhg, G, Fp(whh), G, 1, dhp, H, err)))
            return rc;
        CK(cudaMemcpyAsync(dh, dhp, (size_t)(B * H) * sizeof(float), cudaMemcpyDefault, st),
           "copy");
    }
    if (h0 && h0->grad) {
        k_add_into<<<blocks(B * H), 256, 0, st>>>(h0->grad, dh, B * H);
        CK(cudaGetLastError(), "kernel launch");
    }
    if (wih->grad && (rc = gemm(be, true, false, NI, G, B * T, 1, Fp(x), NI, dxg, G, 1,
                                wih->grad, G, err)))
        return rc;
    if (bih && bih->grad) {
        k_colsum<<<blocks(G), 256, 0, st>>>(dxg, B * T, G, bih->grad);
        CK(cudaGetLastError(), "kernel launch");
    }
    if (x->grad && (rc = gemm(be, false, true, B * T, NI, G, 1, dxg, G, Fp(wih), G, 1, x->grad,
                              NI, err)))
        return rc;
    return 0;
}

static int cu_forward(struct sco__backend *be, struct sco__node *n, bool training,
                      struct sco_err *err)
{
    struct sco_tensor *y = n->out;
    cudaStream_t st = be->stream;
    int rc = 0;
    switch (n->op) {
    case SCO__OP_MATMUL: {
        int64_t B, M, N, K;
        bool bs, ta = n->i0 & SCO_TRANS_A, tb = n->i0 & SCO_TRANS_B;
        mm_dims(n, &B, &M, &N, &K, &bs);
        int64_t lda = ta ? M : K, ldb = tb ? K : N;
        if (bs && !ta)
            return gemm(be, false, tb, B * M, N, K, 1, Fp(n->in[0]), lda, Fp(n->in[1]), ldb, 0,
                        Fp(y), N, err);
        for (int64_t i = 0; i < B && rc == 0; i++)
            rc = gemm(be, ta, tb, M, N, K, 1, Fp(n->in[0]) + i * M * K, lda,
                      Fp(n->in[1]) + (bs ? 0 : i * K * N), ldb, 0, Fp(y) + i * M * N, N, err);
        return rc;
    }
    case SCO__OP_LINEAR: {
        int64_t K = n->in[1]->shape[0], N = n->in[1]->shape[1], M = n->in[0]->n / K;
        rc = gemm(be, false, false, M, N, K, 1, Fp(n->in[0]), K, Fp(n->in[1]), N, 0, Fp(y), N,
                  err);
        if (rc == 0 && (n->n_in > 2 || n->i0 != SCO_ACT_NONE))
            k_bias_act<<<blocks(M * N), 256, 0, st>>>(Fp(y), n->aux,
                                                     n->n_in > 2 ? Fp(n->in[2]) : NULL, n->i0,
                                                     M, N);
        break;
    }
    case SCO__OP_BIAS_ADD: {
        int64_t N = y->shape[y->ndim - 1];
        CK(cudaMemcpyAsync(y->data, n->in[0]->data, (size_t)y->n * 4, cudaMemcpyDefault, st),
           "copy");
        k_bias_act<<<blocks(y->n), 256, 0, st>>>(Fp(y), NULL, Fp(n->in[1]), SCO_ACT_NONE,
                                                 y->n / N, N);
        break;
    }
    case SCO__OP_ADD:
    case SCO__OP_SUB:
    case SCO__OP_MUL:
    case SCO__OP_DIV:
        if (n->in[0]->n == y->n && n->in[1]->n == y->n)
            k_bin_fwd<<<blocks(y->n), 256, 0, st>>>(n->op, y->n, Fp(n->in[0]), Fp(n->in[1]),
                                                    Fp(y));
        else
            k_bc_fwd<<<blocks(y->n), 256, 0, st>>>(n->op, bc_setup(n->in[0], n->in[1], y), y->n,
                                                   Fp(n->in[0]), Fp(n->in[1]), Fp(y));
        break;
    case SCO__OP_SOFTMAX:
    case SCO__OP_LOG_SOFTMAX:
        return softmax(be, n, false, err);
    case SCO__OP_MSE:
        k_mse<<<1, 1024, 0, st>>>(Fp(n->in[0]), Fp(n->in[1]), n->in[0]->n, Fp(y));
        break;
    case SCO__OP_PINBALL:
    case SCO__OP_POISSON:
    case SCO__OP_TWEEDIE:
    case SCO__OP_BCE:
    case SCO__OP_BPR:
        k_loss<<<1, 1024, 0, st>>>(n->op, Fp(n->in[0]), Fp(n->in[1]), n->in[0]->n, n->f0,
                                   quant_of(n), Fp(y));
        break;
    case SCO__OP_XENT: {
        const struct sco_tensor *x = n->in[0], *lab = n->in[1];
        int64_t N = x->shape[0], C = x->shape[1];
        unsigned long long *slot;
        if ((rc = chk_slot(be, "softmax_xent", C, &slot, err)))
            return rc;
        k_xent<<<1, 1024, 0, st>>>(Fp(x), lab->data, lab->dtype == SCO_I64, N, C, n->aux, Fp(y),
                                   slot);
        CK(cudaGetLastError(), "kernel launch");
        return index_check_value(be, lab, slot, err);
    }
    case SCO__OP_SUM:
    case SCO__OP_MEAN: {
        int64_t O, R, NI;
        red_dims(n, &O, &R, &NI);
        double sc = n->op == SCO__OP_MEAN ? 1.0 / (double)R : 1.0;
        if (NI == 1)
            k_reduce_rows<<<(unsigned)(O < 4096 ? (O < 1 ? 1 : O) : 4096), 256, 0, st>>>(
                Fp(n->in[0]), O, R, sc, Fp(y));
        else
            k_reduce_cols<<<blocks(O * NI), 256, 0, st>>>(Fp(n->in[0]), O, R, NI, sc, Fp(y));
        break;
    }
    case SCO__OP_CONCAT: {
        int64_t O, NI, off = 0;
        outer_inner(y, n->i0, &O, &NI);
        int64_t row = y->shape[n->i0] * NI;
        for (int k = 0; k < n->n_in; k++) {
            int64_t w = n->in[k]->shape[n->i0] * NI;
            k_copy2d<<<blocks(O * w), 256, 0, st>>>(Fp(y) + off, row, Fp(n->in[k]), w, O, w,
                                                    false);
            CK(cudaGetLastError(), "kernel launch");
            off += w;
        }
        break;
    }
    case SCO__OP_SLICE: {
        const struct sco_tensor *x = n->in[0];
        int64_t O, NI;
        outer_inner(x, n->i0, &O, &NI);
        int64_t w = n->s1 * NI;
        k_copy2d<<<blocks(O * w), 256, 0, st>>>(Fp(y), w, Fp(x) + n->s0 * NI,
                                                x->shape[n->i0] * NI, O, w, false);
        break;
    }
    case SCO__OP_RESHAPE:
        return 0; /* shares its operand's buffer */
    case SCO__OP_CONV1D:
        return conv1d_run(be, n, false, err);
    case SCO__OP_GRU:
        return gru_run(be, n, false, err);
    case SCO__OP_TRANSPOSE:
        k_transpose<<<blocks(y->n), 256, 0, st>>>(perm_setup(n), y->n, Fp(n->in[0]), Fp(y), NULL,
                                                  NULL);
        break;
    case SCO__OP_EMBEDDING: {
        const struct sco_tensor *tab = n->in[0], *idx = n->in[1];
        int64_t V = tab->shape[0], D = tab->shape[1];
        unsigned long long *slot;
        if ((rc = chk_slot(be, "embedding", V, &slot, err)))
            return rc;
        k_embed_fwd<<<blocks(idx->n * D), 256, 0, st>>>(Fp(tab), V, D, idx->data,
                                                        idx->dtype == SCO_I64, idx->n, Fp(y),
                                                        slot);
        CK(cudaGetLastError(), "kernel launch");
        return index_check_value(be, idx, slot, err);
    }
    case SCO__OP_DROPOUT: {
        float p = n->f0, keep = 1.0f / (1.0f - p);
        uint64_t base = mix64(n->seed ^ mix64(n->counter));
        uint32_t thr = (uint32_t)((double)p * 16777216.0);
        k_dropout_fwd<<<blocks(y->n), 256, 0, st>>>(Fp(n->in[0]), y->n, training && p != 0,
                                                    base, thr, keep, n->aux, Fp(y));
        break;
    }
    case SCO__OP_LAYER_NORM: {
        int64_t C = y->shape[y->ndim - 1], rows = y->n / C;
        k_ln_fwd<<<blocks(rows * 32), 256, 0, st>>>(Fp(n->in[0]),
                                                    n->in[1] ? Fp(n->in[1]) : NULL,
                                                    n->in[2] ? Fp(n->in[2]) : NULL, rows, C,
                                                    n->f0, n->aux, Fp(y));
        break;
    }
    default:
        k_ew_fwd<<<blocks(y->n), 256, 0, st>>>(n->op, n->f0, y->n, Fp(n->in[0]), Fp(y));
        break;
    }
    CK(cudaGetLastError(), "kernel launch");
    return rc;
}

static int cu_backward(struct sco__backend *be, struct sco__node *n, struct sco_err *err)
{
    struct sco_tensor *y = n->out, *x = n->in[0];
    cudaStream_t st = be->stream;
    int rc = 0;
    switch (n->op) {
    case SCO__OP_MATMUL: {
        int64_t B, M, N, K;
        bool bs, ta = n->i0 & SCO_TRANS_A, tb = n->i0 & SCO_TRANS_B;
        mm_dims(n, &B, &M, &N, &K, &bs);
        const float *a = Fp(x), *b = Fp(n->in[1]), *dc = y->grad;
        float *ga = x->grad, *gb = n->in[1]->grad;
        int64_t lda = ta ? M : K, ldb = tb ? K : N;
        if (bs && !ta) {
            if (ga)
                rc = gemm(be, false, !tb, B * M, K, N, 1, dc, N, b, ldb, 1, ga, K, err);
            if (gb && rc == 0)
                rc = !tb ? gemm(be, true, false, K, N, B * M, 1, a, K, dc, N, 1, gb, N, err)
                         : gemm(be, true, false, N, K, B * M, 1, dc, N, a, K, 1, gb, K, err);
            return rc;
        }
        for (int64_t i = 0; i < B && rc == 0; i++) {
            const float *ai = a + i * M * K, *bi = b + (bs ? 0 : i * K * N), *dci = dc + i * M * N;
            if (ga)
                rc = !ta ? gemm(be, false, !tb, M, K, N, 1, dci, N, bi, ldb, 1, ga + i * M * K,
                                lda, err)
                         : gemm(be, tb, true, K, M, N, 1, bi, ldb, dci, N, 1, ga + i * M * K, lda,
                                err);
            if (gb && rc == 0) {
                float *gbi = gb + (bs ? 0 : i * K * N);
                rc = !tb ? gemm(be, !ta, false, K, N, M, 1, ai, lda, dci, N, 1, gbi, ldb, err)
                         : gemm(be, true, ta, N, K, M, 1, dci, N, ai, lda, 1, gbi, ldb, err);
            }
        }
        return rc;
    }
    case SCO__OP_LINEAR: {
        const struct sco_tensor *w = n->in[1];
        int64_t K = w->shape[0], N = w->shape[1], M = x->n / K;
        const float *dz = y->grad;
        if (n->i0 != SCO_ACT_NONE) {
            k_act_bwd<<<blocks(M * N), 256, 0, st>>>(Fp(y), n->aux, y->grad, n->aux2, n->i0,
                                                    M * N);
            dz = n->aux2;
        }
        if (w->grad)
            rc = gemm(be, true, false, K, N, M, 1, Fp(x), K, dz, N, 1, w->grad, N, err);
        if (rc == 0 && n->n_in > 2 && n->in[2]->grad)
            k_colsum<<<blocks(N), 256, 0, st>>>(dz, M, N, n->in[2]->grad);
        if (rc == 0 && x->grad)
            rc = gemm(be, false, true, M, K, N, 1, dz, N, Fp(w), N, 1, x->grad, K, err);
        break;
    }
    case SCO__OP_BIAS_ADD: {
        int64_t N = y->shape[y->ndim - 1];
        if (x->grad)
            k_add_into<<<blocks(y->n), 256, 0, st>>>(x->grad, y->grad, y->n);
        if (n->in[1]->grad)
            k_colsum<<<blocks(N), 256, 0, st>>>(y->grad, y->n / N, N, n->in[1]->grad);
        break;
    }
    case SCO__OP_ADD:
    case SCO__OP_SUB:
    case SCO__OP_MUL:
    case SCO__OP_DIV: {
        const struct sco_tensor *b = n->in[1];
        struct bcd c = bc_setup(x, b, y);
        bool af = x->n == y->n, bf = b->n == y->n;
        float *ga = x->grad, *gb = b->grad;
        if ((ga && af) || (gb && bf)) {
            k_bc_bwd_full<<<blocks(y->n), 256, 0, st>>>(n->op, c, y->n, Fp(x), Fp(b), y->grad,
                                                        af ? ga : NULL, bf ? gb : NULL);
            CK(cudaGetLastError(), "kernel launch");
        }
        if (ga && !af) {
            k_bc_bwd_red<<<blocks(x->n), 256, 0, st>>>(n->op, 0, c, x->n, Fp(x), Fp(b), y->grad,
                                                       ga);
            CK(cudaGetLastError(), "kernel launch");
        }
        if (gb && !bf)
            k_bc_bwd_red<<<blocks(b->n), 256, 0, st>>>(n->op, 1, c, b->n, Fp(x), Fp(b), y->grad,
                                                       gb);
        break;
    }
    case SCO__OP_SUM:
    case SCO__OP_MEAN: {
        if (!x->grad)
            return 0;
        int64_t O, R, NI;
        red_dims(n, &O, &R, &NI);
        float sc = n->op == SCO__OP_MEAN ? 1.0f / (float)R : 1.0f;
        k_reduce_bwd<<<blocks(x->n), 256, 0, st>>>(y->grad, O, R, NI, sc, x->grad);
        break;
    }
    case SCO__OP_CONCAT: {
        int64_t O, NI, off = 0;
        outer_inner(y, n->i0, &O, &NI);
        int64_t row = y->shape[n->i0] * NI;
        for (int k = 0; k < n->n_in; k++) {
            int64_t w = n->in[k]->shape[n->i0] * NI;
            if (n->in[k]->grad) {
                k_copy2d<<<blocks(O * w), 256, 0, st>>>(n->in[k]->grad, w, y->grad + off, row, O,
                                                        w, true);
                CK(cudaGetLastError(), "kernel launch");
            }
            off += w;
        }
        break;
    }
    case SCO__OP_SLICE: {
        if (!x->grad)
            return 0;
        int64_t O, NI;
        outer_inner(x, n->i0, &O, &NI);
        int64_t w = n->s1 * NI;
        k_copy2d<<<blocks(O * w), 256, 0, st>>>(x->grad + n->s0 * NI, x->shape[n->i0] * NI,
                                                y->grad, w, O, w, true);
        break;
    }
    case SCO__OP_RESHAPE:
        return 0; /* gradient buffer shared with the operand */
    case SCO__OP_CONV1D:
        return conv1d_run(be, n, true, err);
    case SCO__OP_GRU:
        return gru_run(be, n, true, err);
    case SCO__OP_TRANSPOSE:
        if (!x->grad)
            return 0;
        k_transpose<<<blocks(y->n), 256, 0, st>>>(perm_setup(n), y->n, NULL, NULL, y->grad,
                                                  x->grad);
        break;
    case SCO__OP_EMBEDDING: {
        const struct sco_tensor *idx = n->in[1];
        if (!x->grad)
            return 0;
        int64_t D = x->shape[1];
        k_embed_bwd<<<blocks(idx->n * D), 256, 0, st>>>(x->grad, D, idx->data,
                                                        idx->dtype == SCO_I64, idx->n, y->grad);
        break;
    }
    case SCO__OP_DROPOUT:
        if (!x->grad)
            return 0;
        k_mul_into<<<blocks(y->n), 256, 0, st>>>(x->grad, y->grad, n->aux, y->n);
        break;
    case SCO__OP_LAYER_NORM: {
        int64_t C = y->shape[y->ndim - 1], rows = y->n / C;
        const float *gm = n->in[1] ? Fp(n->in[1]) : NULL;
        float *gg = n->in[1] ? n->in[1]->grad : NULL, *gbeta = n->in[2] ? n->in[2]->grad : NULL;
        if (x->grad) {
            k_ln_bwd<<<blocks(rows * 32), 256, 0, st>>>(Fp(x), gm, y->grad, n->aux, rows, C,
                                                        x->grad);
            CK(cudaGetLastError(), "kernel launch");
        }
        if (gg || gbeta)
            k_ln_params<<<blocks(C), 256, 0, st>>>(Fp(x), y->grad, n->aux, rows, C, gg, gbeta);
        break;
    }
    case SCO__OP_PINBALL: {
        const struct sco_tensor *b = n->in[1];
        k_pinball_bwd<<<blocks(b->n), 256, 0, st>>>(Fp(x), Fp(b), y->grad, b->n, quant_of(n),
                                                    x->grad, b->grad);
        break;
    }
    case SCO__OP_POISSON:
    case SCO__OP_TWEEDIE:
    case SCO__OP_BCE:
    case SCO__OP_BPR:
        k_loss_bwd<<<blocks(x->n), 256, 0, st>>>(n->op, Fp(x), Fp(n->in[1]), y->grad, x->n,
                                                 n->f0, x->grad, n->in[1]->grad);
        break;
    case SCO__OP_XENT: {
        const struct sco_tensor *lab = n->in[1];
        if (!x->grad)
            return 0;
        k_xent_bwd<<<blocks(x->n), 256, 0, st>>>(n->aux, lab->data, lab->dtype == SCO_I64,
                                                 y->grad, x->shape[0], x->shape[1], x->grad);
        break;
    }
    case SCO__OP_SOFTMAX:
    case SCO__OP_LOG_SOFTMAX:
        return x->grad ? softmax(be, n, true, err) : 0;
    case SCO__OP_MSE:
        k_mse_bwd<<<blocks(x->n), 256, 0, st>>>(Fp(x), Fp(n->in[1]), y->grad, x->n, x->grad,
                                                n->in[1]->grad);
        break;
    default:
        if (x->grad)
            k_ew_bwd<<<blocks(y->n), 256, 0, st>>>(n->op, n->f0, y->n, Fp(x), Fp(y), y->grad,
                                                   x->grad);
        break;
    }
    if (rc)
        return rc;
    CK(cudaGetLastError(), "kernel launch");
    return 0;
}

static int cu_optim(struct sco__backend *be, int kind, float *w, float *gr, float *m, float *v,
                    int64_t n, const float *hp, struct sco_err *err)
{
    bool nesterov = kind & 16;
    kind &= 15;
    if (kind == SCO_OPTIM_SGD)
        k_sgd<<<blocks(n), 256, 0, be->stream>>>(nesterov, w, gr, m, n, hp[0], hp[1], hp[2],
                                                 hp[3]);
    else
        k_adam<<<blocks(n), 256, 0, be->stream>>>(kind == SCO_OPTIM_ADAMW, w, gr, m, v, n, hp[0],
                                                  hp[1], hp[3], hp[4], hp[5], hp[6], hp[7],
                                                  hp[8]);
    CK(cudaGetLastError(), "optimizer update");
    return 0;
}

/* Sum of squares of several tensors (the gradient global norm): call with i = 0 .. count-1;
 * the last call sums the fixed-size partials in a fixed order and returns them in *out. */
static int cu_sumsq(struct sco__backend *be, const float *g, int64_t n, int i, int count,
                    double *out, struct sco_err *err)
{
    size_t need = (size_t)count * NORM_BLOCKS;
    if (i == 0 && need > be->part_n) {
        CK(cudaStreamSynchronize(be->stream), "synchronize");
        cudaFree(be->part);
        be->part = NULL;
        be->part_n = 0;
        CK(cudaMalloc((void **)&be->part, need * sizeof(double)), "allocate norm partials");
        be->part_n = need;
    }
    if (i < 0 || i >= count || need > be->part_n)
        return sco_err_set(err, SCO_ERR_INTERNAL, "cuda: sum of squares %d of %d out of order",
                           i, count);
    k_sumsq_part<<<NORM_BLOCKS, 256, 0, be->stream>>>(g, n, be->part + (size_t)i * NORM_BLOCKS);
    CK(cudaGetLastError(), "sum of squares");
    if (i < count - 1)
        return 0;
    k_sum_parts<<<1, 256, 0, be->stream>>>(be->part, (int64_t)need, be->norm_out);
    CK(cudaGetLastError(), "sum of squares");
    CK(cudaStreamSynchronize(be->stream), "synchronize");
    *out = *be->norm_out;
    return 0;
}

static void cu_destroy(struct sco__backend *be)
{
    if (!be)
        return;
    cudaStreamSynchronize(be->stream);
    cudaFree(be->part);
    cudaFree(be->chk);
    cudaFree(be->norm_out);
#if SCO_HAVE_CUDNN
    if (be->dnn)
        cudnnDestroy(be->dnn);
#endif
    cublasDestroy(be->blas);
    cudaStreamDestroy(be->stream);
    free(be);
}

static const struct sco__backend_ops cu_ops = {
    SCO__BACKEND_OPS_VERSION, "cuda", cu_supports, cu_alloc, cu_free, cu_sync, cu_memset0,
    cu_forward, cu_backward, cu_optim, cu_sumsq, cu_destroy,
};

extern "C" __attribute__((visibility("default"))) int
sco_backend_entry(const struct sco__backend_init *init, struct sco__backend **out,
                  const struct sco__backend_ops **ops, struct sco_err *err)
{
    *out = NULL;
    *ops = NULL;
    if (!init || init->version != SCO__BACKEND_OPS_VERSION)
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "backend interface version mismatch");
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver ||
        (e == cudaSuccess && count == 0))
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "no device");
    if (e != cudaSuccess)
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "no device (cuda: %s)",
                           cudaGetErrorString(e));
    int managed = 0;
    cudaDeviceGetAttribute(&managed, cudaDevAttrManagedMemory, 0);
    if (!managed)
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "device 0 lacks managed memory");
    struct sco__backend *be = (struct sco__backend *)calloc(1, sizeof *be);
    if (!be)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory");
    be->device = 0;
    be->tf32 = init->allow_tf32;
#if SCO_HAVE_CUDNN
    const char *no_dnn = getenv("SCO_CUDA_NO_CUDNN");
    be->dnn_failed = no_dnn && *no_dnn && strcmp(no_dnn, "0") != 0;
#endif
    if ((e = cudaSetDevice(0)) != cudaSuccess ||
        (e = cudaStreamCreate(&be->stream)) != cudaSuccess) {
        free(be);
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "no device (cuda: %s)", cudaGetErrorString(e));
    }
    if (cublasCreate(&be->blas) != CUBLAS_STATUS_SUCCESS) {
        cudaStreamDestroy(be->stream);
        free(be);
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "cublas could not start");
    }
    if ((e = cudaMallocManaged((void **)&be->chk, 2 * MAX_CHK * sizeof *be->chk,
                               cudaMemAttachGlobal)) != cudaSuccess ||
        (e = cudaMallocManaged((void **)&be->norm_out, sizeof *be->norm_out,
                               cudaMemAttachGlobal)) != cudaSuccess) {
        cudaFree(be->chk);
        cublasDestroy(be->blas);
        cudaStreamDestroy(be->stream);
        free(be);
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "no device (cuda: %s)",
                           cudaGetErrorString(e));
    }
    cublasSetStream(be->blas, be->stream);
    cublasSetMathMode(be->blas, be->tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
    *out = be;
    *ops = &cu_ops;
    return 0;
}
