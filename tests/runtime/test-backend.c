/* Every op on every backend against the CPU backend, and the CPU backend against itself at
 * other thread counts.
 * - CPU, 2 threads vs 1 thread: bit-identical outputs and gradients (fixed partitioning).
 * - CUDA vs CPU (TF32 off): |cuda - cpu| <= 1e-4 + 1e-3 * |cpu| for every output value and
 *   parameter gradient, over the per-op cases and the larger device cases (training dropout:
 *   the same masks; embedding: atomic scatter-add, equal within rounding). Also a clipped
 *   training step (gradient norm on the device) and the device's bad-index errors.
 *   Skipped, with a line saying why, when no device is present. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"

static void compare_case(const struct op_case *k, const char *dev, int threads, double abs_tol,
                         double rel_tol)
{
    struct built a, b;
    struct sco_err err = {0};
    cr_assert_eq(build_case(k, "cpu", 1, &a, &err), 0, "%s: %s", k->name, err.msg);
    cr_assert_eq(build_case(k, dev, threads, &b, &err), 0, "%s on %s: %s", k->name, dev, err.msg);
    cr_assert_eq(run_case(&a, &err), 0, "%s: %s", k->name, err.msg);
    cr_assert_eq(run_case(&b, &err), 0, "%s on %s: %s", k->name, dev, err.msg);
    size_t na, nb;
    float *va = snapshot(&a, &na), *vb = snapshot(&b, &nb);
    cr_assert_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        double d = fabs((double)va[i] - vb[i]);
        cr_expect(d <= abs_tol + rel_tol * fabs(va[i]),
                  "%s: value %zu: cpu %.8g, %s/%d threads %.8g", k->name, i, (double)va[i], dev,
                  threads, (double)vb[i]);
    }
    free(va);
    free(vb);
    free_case(&a);
    free_case(&b);
}

Test(backend, cpu_two_threads_bit_identical)
{
    for (size_t i = 0; i < n_op_cases; i++)
        compare_case(&op_cases[i], "cpu", 2, 0, 0);
}

Test(backend, cpu_two_threads_bit_identical_large_cases)
{
    for (size_t i = 0; i < n_dev_cases; i++)
        compare_case(&dev_cases[i], "cpu", 2, 0, 0);
}

static bool cuda_or_skip(void)
{
    struct sco_runtime *R = NULL;
    struct sco_err err = {0};
    struct sco_runtime_opts o = {.device = "cuda", .threads = 1};
    if (sco_runtime_create(&o, &R, &err) != 0) {
        cr_log_info("GPU test skipped: %s", err.msg);
        return false;
    }
    sco_runtime_destroy(R);
    return true;
}

Test(backend, cuda_every_op_matches_cpu)
{
    if (!cuda_or_skip())
        cr_skip_test("no CUDA device: cuda-vs-cpu comparison of every op skipped");
    for (size_t i = 0; i < n_op_cases; i++)
        compare_case(&op_cases[i], "cuda", 1, 1e-4, 1e-3);
}

Test(backend, cuda_large_cases_match_cpu)
{
    if (!cuda_or_skip())
        cr_skip_test("no CUDA device: cuda-vs-cpu comparison of the larger cases skipped");
    for (size_t i = 0; i < n_dev_cases; i++)
        compare_case(&dev_cases[i], "cuda", 1, 1e-4, 1e-3);
}

/* A bad embedding index or softmax_xent label found on the device is reported, with the
 * CPU's message, when compute() synchronises. */
static void bad_index_run(const char *dev, bool xent, struct sco_err *err, int *rc)
{
    const struct sco_runtime_api *rt = sco_runtime_api_table();
    struct sco_runtime *R;
    struct sco_runtime_opts o = {.device = dev, .threads = 1};
    cr_assert_eq(sco_runtime_create(&o, &R, err), 0, "%s", err->msg);
    struct sco_params *ps = rt->params_new(R, 1, err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *y, *idx = rt->input(g, SCO_I64, 1, (int64_t[]){3});
    if (xent)
        y = rt->softmax_xent(g, rt->param(ps, "x", 2, (int64_t[]){3, 4}, SCO_INIT_NORMAL, 0, err),
                             idx);
    else
        y = rt->embedding(g, rt->param(ps, "e", 2, (int64_t[]){4, 2}, SCO_INIT_NORMAL, 0, err),
                          idx);
    rt->mark_output(g, y);
    cr_assert_eq(rt->plan(g, err), 0, "%s", err->msg);
    int64_t bad[3] = {0, 3, xent ? -1 : 4};
    cr_assert_eq(rt->write(idx, bad, sizeof bad, err), 0);
    *rc = rt->compute(g, err);
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

Test(backend, cuda_bad_indices_are_data_errors)
{
    if (!cuda_or_skip())
        cr_skip_test("no CUDA device: device index checks skipped");
    for (int xent = 0; xent < 2; xent++) {
        struct sco_err ea = {0}, eb = {0};
        int ra, rb;
        bad_index_run("cpu", xent, &ea, &ra);
        bad_index_run("cuda", xent, &eb, &rb);
        cr_expect_eq(ra, SCO_ERR_DATA);
        cr_expect_eq(rb, SCO_ERR_DATA, "%s", eb.msg);
        cr_expect_str_eq(eb.msg, ea.msg);
    }
}

/* A larger MLP step on both backends: outputs, loss and updated weights agree. */
static void mlp_run(const char *dev, float clip, float *out, size_t n_out, float *w1,
                    size_t n_w1, float *norm)
{
    const struct sco_runtime_api *rt = sco_runtime_api_table();
    struct sco_runtime *R;
    struct sco_err err = {0};
    struct sco_runtime_opts o = {.device = dev, .threads = 2, .seed = 5};
    cr_assert_eq(sco_runtime_create(&o, &R, &err), 0, "%s", err.msg);
    struct sco_params *ps = rt->params_new(R, 5, &err);
    struct sco_tensor *W1 =
        rt->param(ps, "w1", 2, (int64_t[]){64, 256}, SCO_INIT_HE_UNIFORM, 0, &err);
    struct sco_tensor *b1 = rt->param(ps, "b1", 1, (int64_t[]){256}, SCO_INIT_UNIFORM, 0.1f, &err);
    struct sco_tensor *W2 =
        rt->param(ps, "w2", 2, (int64_t[]){256, 9}, SCO_INIT_XAVIER_UNIFORM, 0, &err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *x = rt->input(g, SCO_F32, 2, (int64_t[]){128, 64});
    struct sco_tensor *y = rt->input(g, SCO_F32, 2, (int64_t[]){128, 9});
    struct sco_tensor *p =
        rt->linear(g, rt->linear(g, x, W1, b1, SCO_ACT_GELU), W2, NULL, SCO_ACT_NONE);
    rt->mark_output(g, p);
    rt->mark_loss(g, rt->mse(g, p, y));
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    struct sco_optim *opt =
        rt->optim_new(ps,
                      &(struct sco_optim_opts){.kind = SCO_OPTIM_ADAM, .lr = 1e-2f,
                                               .clip_norm = clip},
                      &err);
    static float xb[128 * 64], yb[128 * 9];
    for (int i = 0; i < 128 * 64; i++)
        xb[i] = sinf((float)i * 0.37f);
    for (int i = 0; i < 128 * 9; i++)
        yb[i] = cosf((float)i * 0.11f);
    rt->write(x, xb, sizeof xb, &err);
    rt->write(y, yb, sizeof yb, &err);
    for (int s = 0; s < 3; s++)
        cr_assert_eq(rt->train_step(g, opt, &err), 0, "%s", err.msg);
    *norm = rt->optim_grad_norm(opt);
    cr_assert_eq(rt->compute(g, &err), 0, "%s", err.msg);
    rt->read(p, out, n_out * sizeof *out, &err);
    rt->read(W1, w1, n_w1 * sizeof *w1, &err);
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

Test(backend, cuda_mlp_training_matches_cpu)
{
    if (!cuda_or_skip())
        cr_skip_test("no CUDA device: cuda-vs-cpu MLP training comparison skipped");
    static float oa[128 * 9], ob[128 * 9], wa[64 * 256], wb[64 * 256];
    float na, nb;
    mlp_run("cpu", 0, oa, 128 * 9, wa, 64 * 256, &na);
    mlp_run("cuda", 0, ob, 128 * 9, wb, 64 * 256, &nb);
    cr_expect(fabsf(na - nb) <= 1e-3f * na, "gradient norm: cpu %g, cuda %g", (double)na,
              (double)nb);
    for (int i = 0; i < 128 * 9; i++)
        cr_expect(fabsf(oa[i] - ob[i]) <= 1e-3f + 1e-3f * fabsf(oa[i]), "out[%d] %g vs %g", i,
                  (double)oa[i], (double)ob[i]);
    for (int i = 0; i < 64 * 256; i++)
        cr_expect(fabsf(wa[i] - wb[i]) <= 1e-4f + 1e-3f * fabsf(wa[i]), "w1[%d] %g vs %g", i,
                  (double)wa[i], (double)wb[i]);
}

/* Clipping active (norm above the limit every step): the device-side gradient norm decides
 * the scale, so the updated weights agree only if it matches the CPU's. */
Test(backend, cuda_clipped_training_matches_cpu)
{
    if (!cuda_or_skip())
        cr_skip_test("no CUDA device: cuda-vs-cpu clipped training comparison skipped");
    static float oa[128 * 9], ob[128 * 9], wa[64 * 256], wb[64 * 256];
    float na, nb;
    mlp_run("cpu", 0.05f, oa, 128 * 9, wa, 64 * 256, &na);
    mlp_run("cuda", 0.05f, ob, 128 * 9, wb, 64 * 256, &nb);
    cr_expect_gt(na, 0.05f, "the test needs clipping to be active");
    cr_expect(fabsf(na - nb) <= 1e-3f * na, "gradient norm: cpu %g, cuda %g", (double)na,
              (double)nb);
    for (int i = 0; i < 64 * 256; i++)
        cr_expect(fabsf(wa[i] - wb[i]) <= 1e-4f + 1e-3f * fabsf(wa[i]), "w1[%d] %g vs %g", i,
                  (double)wa[i], (double)wb[i]);
}

/* The same clipped run on the CPU twice: the norm is reported and clipping is deterministic
 * (runs here, without a device). */
Test(backend, cpu_clipped_training_reports_norm)
{
    static float oa[128 * 9], ob[128 * 9], wa[64 * 256], wb[64 * 256];
    float na, nb;
    mlp_run("cpu", 0.05f, oa, 128 * 9, wa, 64 * 256, &na);
    mlp_run("cpu", 0.05f, ob, 128 * 9, wb, 64 * 256, &nb);
    cr_expect(isfinite(na) && na > 0.05f, "norm %g", (double)na);
    cr_expect_eq(na, nb);
    cr_expect_eq(memcmp(wa, wb, sizeof wa), 0);
}
