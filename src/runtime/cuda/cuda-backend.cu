/* cuda-backend.cu: the CUDA backend module (sco-backend-cuda.so).
 *
 * Memory is CUDA managed memory, so the runtime's CPU kernels can run any op this backend
 * does not take (supports() false) on the same buffers after a sync. On the device:
 * matrix products through cuBLAS (TF32 only when allowed), softmax / log-softmax through
 * cuDNN, our own kernels for elementwise ops, fused bias + activation, bias gradients, the
 * MSE loss and the optimizer updates. Reductions use one thread per output in a fixed order
 * or a fixed-shape block tree, so results are run-to-run deterministic on one device. */
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct sco__backend {
    int device;
    cublasHandle_t blas;
    cudnnHandle_t dnn; /* created on first use */
    bool dnn_failed;
    cudaStream_t stream;
    bool tf32;
};

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
    return (unsigned)(b > 65535 * 16 ? 65535 * 16 : b);
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

__global__ void k_bin_bwd(int op, int64_t n, const float *a, const float *b, const float *dy,
                          float *ga, float *gb)
{
    GRID_LOOP(i, n)
    {
        float u = a[i], v = b[i], d = dy[i], da, db;
        switch (op) {
        case SCO__OP_ADD: da = d; db = d; break;
        case SCO__OP_SUB: da = d; db = -d; break;
        case SCO__OP_MUL: da = d * v; db = d * u; break;
        default: da = d / v; db = -d * u / (v * v); break;
        }
        if (ga)
            ga[i] += da;
        if (gb)
            gb[i] += db;
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

/* mean squared error, one block of 1024 threads: fixed strided partials then a tree */
__global__ void k_mse(const float *p, const float *y, int64_t n, float *out)
{
    __shared__ double part[1024];
    double s = 0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
        double d = (double)p[i] - y[i];
        s += d * d;
    }
    part[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w /= 2) {
        if ((int)threadIdx.x < w)
            part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        out[0] = (float)(part[0] / (double)n);
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

static bool same_n(const struct sco__node *n)
{
    return n->in[0]->n == n->out->n && n->in[1]->n == n->out->n && n->in[0] != n->in[1];
}

static int dnn(struct sco__backend *be, struct sco_err *err)
{
    if (be->dnn)
        return 0;
    if (be->dnn_failed)
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "cudnn could not start");
    cudnnStatus_t s = cudnnCreate(&be->dnn);
    if (s == CUDNN_STATUS_SUCCESS)
        s = cudnnSetStream(be->dnn, be->stream);
    if (s != CUDNN_STATUS_SUCCESS) {
        be->dnn_failed = true;
        return sco_err_set(err, SCO_ERR_INTERNAL, "cudnn: %s", cudnnGetErrorString(s));
    }
    return 0;
}

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
        return true;
    case SCO__OP_SOFTMAX:
    case SCO__OP_LOG_SOFTMAX:
        /* cuDNN starts on first use; if it cannot, the CPU takes these ops */
        return dnn(be, NULL) == 0;
    case SCO__OP_ADD:
    case SCO__OP_SUB:
    case SCO__OP_MUL:
    case SCO__OP_DIV:
        return same_n(n) && n->in[0]->grad != n->in[1]->grad;
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
    CK(cudaStreamSynchronize(be->stream), "synchronize");
    return 0;
}

static int cu_memset0(struct sco__backend *be, void *p, size_t bytes, struct sco_err *err)
{
    CK(cudaMemsetAsync(p, 0, bytes, be->stream), "memset");
    return 0;
}

static int softmax(struct sco__backend *be, struct sco__node *n, bool bwd, struct sco_err *err)
{
    int rc = dnn(be, err);
    if (rc)
        return rc;
    int64_t C = n->out->shape[n->out->ndim - 1], rows = n->out->n / C;
    cudnnTensorDescriptor_t d;
    cudnnStatus_t s = cudnnCreateTensorDescriptor(&d);
    if (s == CUDNN_STATUS_SUCCESS)
        s = cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, (int)rows, (int)C,
                                       1, 1);
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
    (void)zero;
    if (s != CUDNN_STATUS_SUCCESS)
        return sco_err_set(err, SCO_ERR_INTERNAL, "cudnn softmax: %s", cudnnGetErrorString(s));
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

static int cu_forward(struct sco__backend *be, struct sco__node *n, bool training,
                      struct sco_err *err)
{
    (void)training;
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
        k_bin_fwd<<<blocks(y->n), 256, 0, st>>>(n->op, y->n, Fp(n->in[0]), Fp(n->in[1]), Fp(y));
        break;
    case SCO__OP_SOFTMAX:
    case SCO__OP_LOG_SOFTMAX:
        return softmax(be, n, false, err);
    case SCO__OP_MSE:
        k_mse<<<1, 1024, 0, st>>>(Fp(n->in[0]), Fp(n->in[1]), n->in[0]->n, Fp(y));
        break;
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
    case SCO__OP_DIV:
        k_bin_bwd<<<blocks(y->n), 256, 0, st>>>(n->op, y->n, Fp(x), Fp(n->in[1]), y->grad,
                                                x->grad, n->in[1]->grad);
        break;
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

static void cu_destroy(struct sco__backend *be)
{
    if (!be)
        return;
    cudaStreamSynchronize(be->stream);
    if (be->dnn)
        cudnnDestroy(be->dnn);
    cublasDestroy(be->blas);
    cudaStreamDestroy(be->stream);
    free(be);
}

static const struct sco__backend_ops cu_ops = {
    SCO__BACKEND_OPS_VERSION, "cuda", cu_supports, cu_alloc, cu_free, cu_sync, cu_memset0,
    cu_forward, cu_backward, cu_optim, cu_destroy,
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
    cublasSetStream(be->blas, be->stream);
    cublasSetMathMode(be->blas, be->tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
    *out = be;
    *ops = &cu_ops;
    return 0;
}
