/* bench-runtime: sgemm through the runtime vs direct cblas_sgemm, and training throughput
 * of a 3-layer MLP, a causal-conv1d TCN and a GRU on one backend.
 *
 *   bench-runtime [--device cpu|cuda] [--threads N] [--epochs E] [--only sgemm|train]
 *
 * Prints key=value lines; bench/runtime/run turns them into the summary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef SCO_HAVE_BLAS
#include <cblas.h>
#endif

#include <sco/sco-tensor.h>

#include "runtime-host.h"

static const struct sco_runtime_api *rt;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double best(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

static void die(const char *what, const struct sco_err *err)
{
    fprintf(stderr, "bench-runtime: %s: %s\n", what, err->msg);
    exit(1);
}

static void fill(float *v, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
    }
}

/* ---- sgemm ---- */
static void bench_sgemm(struct sco_runtime *R, int threads, bool cuda)
{
    static const int cpu_sizes[] = {128, 256, 512, 1024, 2048};
    static const int gpu_sizes[] = {512, 1024, 2048, 4096, 8192};
    const int *sizes = cuda ? gpu_sizes : cpu_sizes;
    double worst = 0;
    for (size_t si = 0; si < 5; si++) {
        int n = sizes[si];
        struct sco_err err = {0};
        struct sco_graph *g = rt->graph_new(R);
        struct sco_tensor *a = rt->input(g, SCO_F32, 2, (int64_t[]){n, n});
        struct sco_tensor *b = rt->input(g, SCO_F32, 2, (int64_t[]){n, n});
        struct sco_tensor *c = rt->matmul(g, a, b, 0);
        rt->mark_output(g, c);
        if (rt->plan(g, &err))
            die("plan", &err);
        size_t nn = (size_t)n * (size_t)n;
        float *ha = malloc(nn * 4), *hb = malloc(nn * 4), *hc = malloc(nn * 4);
        fill(ha, nn, 1);
        fill(hb, nn, 2);
        rt->write(a, ha, nn * 4, &err);
        rt->write(b, hb, nn * 4, &err);
        double flop = 2.0 * n * n * n;
        int reps = (int)(1e9 / flop);
        if (cuda)
            reps *= 50;
        if (reps < 3)
            reps = 3;
        if (reps > 200)
            reps = 200;
        double t_rt[11], t_direct[11] = {0};
        int rounds = 11;
        (void)t_direct;
        (void)threads;
        for (int r = 0; r < rounds; r++) {
            rt->compute(g, &err); /* warm */
            double t0 = now();
            for (int i = 0; i < reps; i++)
                if (rt->compute(g, &err))
                    die("compute", &err);
            t_rt[r] = (now() - t0) / reps;
#ifdef SCO_HAVE_BLAS
            if (!cuda) {
                /* the direct call gets OpenBLAS's own threads, the same number */
                openblas_set_num_threads(threads);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, ha, n, hb, n, 0,
                            hc, n);
                t0 = now();
                for (int i = 0; i < reps; i++)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, ha, n, hb, n,
                                0, hc, n);
                t_direct[r] = (now() - t0) / reps;
                openblas_set_num_threads(1);
            }
#endif
        }
        /* best of the rounds: the machine is shared, and the minimum is the least disturbed */
        double mr = best(t_rt, rounds);
        if (cuda) {
            printf("sgemm n=%d runtime_tflops=%.2f\n", n, flop / mr / 1e12);
        } else {
#ifdef SCO_HAVE_BLAS
            double md = best(t_direct, rounds);
            double over = 100.0 * (mr - md) / md;
            printf("sgemm n=%d runtime_gflops=%.1f direct_gflops=%.1f overhead_pct=%.1f\n", n,
                   flop / mr / 1e9, flop / md / 1e9, over);
            if (n >= 512 && over > worst)
                worst = over;
#else
            printf("sgemm n=%d runtime_gflops=%.1f (built without BLAS)\n", n, flop / mr / 1e9);
#endif
        }
        fflush(stdout);
        free(ha);
        free(hb);
        free(hc);
        rt->graph_free(g);
    }
    if (!cuda)
        printf("sgemm_overhead_pct=%.1f\n", worst);
}

/* ---- training ---- */
enum model { MLP, TCN, GRU };

static double train(struct sco_runtime *R, enum model m, int epochs)
{
    struct sco_err err = {0};
    struct sco_params *ps = rt->params_new(R, 1, &err);
    struct sco_graph *g = rt->graph_new(R);
    int64_t B, xin, yout; /* elements per sample in and out */
    struct sco_tensor *x, *y, *p;
    int n_batches;
    if (m == MLP) {
        B = 512;
        xin = 64;
        yout = 9;
        n_batches = 32;
        struct sco_tensor *w1 =
            rt->param(ps, "w1", 2, (int64_t[]){64, 512}, SCO_INIT_HE_UNIFORM, 0, &err);
        struct sco_tensor *b1 = rt->param(ps, "b1", 1, (int64_t[]){512}, SCO_INIT_ZEROS, 0, &err);
        struct sco_tensor *w2 =
            rt->param(ps, "w2", 2, (int64_t[]){512, 512}, SCO_INIT_HE_UNIFORM, 0, &err);
        struct sco_tensor *b2 = rt->param(ps, "b2", 1, (int64_t[]){512}, SCO_INIT_ZEROS, 0, &err);
        struct sco_tensor *w3 =
            rt->param(ps, "w3", 2, (int64_t[]){512, 9}, SCO_INIT_XAVIER_UNIFORM, 0, &err);
        struct sco_tensor *b3 = rt->param(ps, "b3", 1, (int64_t[]){9}, SCO_INIT_ZEROS, 0, &err);
        x = rt->input(g, SCO_F32, 2, (int64_t[]){B, 64});
        y = rt->input(g, SCO_F32, 2, (int64_t[]){B, 9});
        struct sco_tensor *h = rt->linear(g, x, w1, b1, SCO_ACT_RELU);
        h = rt->linear(g, h, w2, b2, SCO_ACT_RELU);
        p = rt->linear(g, h, w3, b3, SCO_ACT_NONE);
    } else if (m == TCN) {
        /* [B=64, T=56, C=8] -> 3 causal conv1d (k=3, dilation 1, 2, 4, 64 channels, ReLU) ->
         * linear 64 -> 1 per step */
        B = 64;
        xin = 56 * 8;
        yout = 56;
        n_batches = 16;
        struct sco_tensor *c1 =
            rt->param(ps, "c1", 3, (int64_t[]){3, 8, 64}, SCO_INIT_HE_UNIFORM, 0, &err);
        struct sco_tensor *c2 =
            rt->param(ps, "c2", 3, (int64_t[]){3, 64, 64}, SCO_INIT_HE_UNIFORM, 0, &err);
        struct sco_tensor *c3 =
            rt->param(ps, "c3", 3, (int64_t[]){3, 64, 64}, SCO_INIT_HE_UNIFORM, 0, &err);
        struct sco_tensor *d1 = rt->param(ps, "d1", 1, (int64_t[]){64}, SCO_INIT_ZEROS, 0, &err);
        struct sco_tensor *d2 = rt->param(ps, "d2", 1, (int64_t[]){64}, SCO_INIT_ZEROS, 0, &err);
        struct sco_tensor *d3 = rt->param(ps, "d3", 1, (int64_t[]){64}, SCO_INIT_ZEROS, 0, &err);
        struct sco_tensor *wo =
            rt->param(ps, "wo", 2, (int64_t[]){64, 1}, SCO_INIT_XAVIER_UNIFORM, 0, &err);
        x = rt->input(g, SCO_F32, 3, (int64_t[]){B, 56, 8});
        y = rt->input(g, SCO_F32, 3, (int64_t[]){B, 56, 1});
        struct sco_tensor *h = rt->conv1d(g, x, c1, d1, 1, SCO_ACT_RELU);
        h = rt->conv1d(g, h, c2, d2, 2, SCO_ACT_RELU);
        h = rt->conv1d(g, h, c3, d3, 4, SCO_ACT_RELU);
        p = rt->linear(g, h, wo, NULL, SCO_ACT_NONE);
    } else {
        /* GRU: [B=64, T=28, I=8], H=64 -> linear 64 -> 1 per step */
        B = 64;
        xin = 28 * 8;
        yout = 28;
        n_batches = 16;
        struct sco_tensor *wih =
            rt->param(ps, "wih", 2, (int64_t[]){8, 192}, SCO_INIT_XAVIER_UNIFORM, 0, &err);
        struct sco_tensor *whh =
            rt->param(ps, "whh", 2, (int64_t[]){64, 192}, SCO_INIT_XAVIER_UNIFORM, 0, &err);
        struct sco_tensor *bih = rt->param(ps, "bih", 1, (int64_t[]){192}, SCO_INIT_ZEROS, 0, &err);
        struct sco_tensor *bhh = rt->param(ps, "bhh", 1, (int64_t[]){192}, SCO_INIT_ZEROS, 0, &err);
        struct sco_tensor *wo =
            rt->param(ps, "wo", 2, (int64_t[]){64, 1}, SCO_INIT_XAVIER_UNIFORM, 0, &err);
        x = rt->input(g, SCO_F32, 3, (int64_t[]){B, 28, 8});
        y = rt->input(g, SCO_F32, 3, (int64_t[]){B, 28, 1});
        p = rt->linear(g, rt->gru(g, x, wih, whh, bih, bhh, NULL), wo, NULL, SCO_ACT_NONE);
    }
    rt->mark_loss(g, rt->mse(g, p, y));
    if (rt->plan(g, &err))
        die("plan", &err);
    struct sco_optim *opt =
        rt->optim_new(ps, &(struct sco_optim_opts){.kind = SCO_OPTIM_ADAM, .lr = 1e-3f}, &err);
    if (!opt)
        die("optim_new", &err);
    size_t nx = (size_t)(B * xin) * (size_t)n_batches, ny = (size_t)(B * yout) * (size_t)n_batches;
    float *X = malloc(nx * 4), *Y = malloc(ny * 4);
    fill(X, nx, 3);
    fill(Y, ny, 4);
    double sps[16];
    if (epochs > 16)
        epochs = 16;
    float loss = 0;
    for (int e = 0; e <= epochs; e++) { /* epoch 0 warms up and is not counted */
        double t0 = now();
        for (int bi = 0; bi < n_batches; bi++) {
            rt->write(x, X + (size_t)(bi * B * xin), (size_t)(B * xin) * 4, &err);
            rt->write(y, Y + (size_t)(bi * B * yout), (size_t)(B * yout) * 4, &err);
            if (rt->train_step(g, opt, &err))
                die("train_step", &err);
        }
        loss = rt->loss_value(g);
        if (e > 0)
            sps[e - 1] = (double)(B * n_batches) / (now() - t0);
    }
    double med = median(sps, epochs);
    static const char *names[] = {"mlp", "tcn", "gru"};
    printf("train model=%s samples_s=%.0f final_loss=%.4f\n", names[m], med, (double)loss);
    fflush(stdout);
    free(X);
    free(Y);
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    return med;
}

static void log_line(void *ctx, enum sco_log_level lvl, const char *msg)
{
    (void)ctx;
    (void)lvl;
    fprintf(stderr, "bench-runtime: %s\n", msg);
}

int main(int argc, char **argv)
{
    const char *device = "cpu", *only = "all";
    int threads = 2, epochs = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--device") && i + 1 < argc)
            device = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc)
            epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: bench-runtime [--device cpu|cuda] [--threads N] "
                            "[--epochs E] [--only sgemm|train]\n");
            return 64;
        }
    }
    rt = sco_runtime_api_table();
    struct sco_runtime *R;
    struct sco_err err = {0};
    struct sco_runtime_opts o = {.device = device,
                                 .threads = threads,
                                 .seed = 1,
                                 .allow_tf32 = getenv("SCO_ALLOW_TF32") != NULL,
                                 .log = log_line};
    if (sco_runtime_create(&o, &R, &err))
        die("runtime", &err);
    bool cuda = strcmp(sco_runtime_device(R), "cuda") == 0;
    printf("device=%s threads=%d\n", sco_runtime_device(R), threads);
    if (strcmp(only, "train") != 0)
        bench_sgemm(R, threads, cuda);
    if (strcmp(only, "sgemm") != 0) {
        train(R, MLP, epochs);
        train(R, TCN, epochs);
        train(R, GRU, epochs);
    }
    sco_runtime_destroy(R);
    return 0;
}
