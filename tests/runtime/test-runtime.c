/* Runtime creation, device selection, build-time errors and determinism. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sco/sco-tensor.h>

#include "runtime-host.h"

struct logbuf {
    int n;
    enum sco_log_level lvl;
    char msg[600];
};

static void capture(void *ctx, enum sco_log_level lvl, const char *msg)
{
    struct logbuf *b = ctx;
    b->n++;
    b->lvl = lvl;
    snprintf(b->msg, sizeof b->msg, "%s", msg);
}

/* The build's CUDA module folder, or SCO_TEST_BACKEND_DIR (bench/gpu.sh runs these tests from
 * a prebuilt kit on a GPU machine, where the build folder does not exist). */
static const char *backend_dir(void)
{
    const char *d = getenv("SCO_TEST_BACKEND_DIR");
    return d && *d ? d : TEST_BACKEND_DIR;
}

static bool cuda_module_built(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/sco-backend-cuda.so", backend_dir());
    return access(path, F_OK) == 0;
}

static bool have_device(void)
{
    struct sco_runtime *R = NULL;
    struct sco_runtime_opts o = {.device = "cuda", .threads = 1, .backend_dir = backend_dir()};
    if (sco_runtime_create(&o, &R, NULL) != 0)
        return false;
    sco_runtime_destroy(R);
    return true;
}

Test(runtime, cpu_device_logs_nothing)
{
    struct logbuf b = {0};
    struct sco_runtime *R;
    struct sco_err err = {0};
    struct sco_runtime_opts o = {.device = "cpu", .threads = 2, .log = capture, .log_ctx = &b};
    cr_assert_eq(sco_runtime_create(&o, &R, &err), 0, "%s", err.msg);
    cr_expect_str_eq(sco_runtime_device(R), "cpu");
    cr_expect_eq(b.n, 0);
    const struct sco_runtime_api *rt = sco_runtime_api_table();
    cr_expect_eq(rt->version, SCO_RUNTIME_API_VERSION);
    cr_expect_eq(rt->size, sizeof(struct sco_runtime_api));
    cr_expect_eq(rt->threads(R), 2);
    cr_expect_str_eq(rt->device(R), "cpu");
    sco_runtime_destroy(R);
}

Test(runtime, auto_without_device_falls_back_with_one_info_line)
{
    if (have_device())
        cr_skip_test("a CUDA device is present: the no-device fallback cannot be shown here");
    struct logbuf b = {0};
    struct sco_runtime *R;
    struct sco_err err = {0};
    struct sco_runtime_opts o = {.device = "auto",
                                 .threads = 1,
                                 .log = capture,
                                 .log_ctx = &b,
                                 .backend_dir = backend_dir()};
    cr_assert_eq(sco_runtime_create(&o, &R, &err), 0, "%s", err.msg);
    cr_expect_str_eq(sco_runtime_device(R), "cpu");
    cr_expect_eq(b.n, 1);
    cr_expect_eq(b.lvl, SCO_LOG_INFO);
    if (cuda_module_built())
        cr_expect_str_eq(b.msg, "cuda backend unavailable: no device; using cpu");
    else
        cr_expect(strncmp(b.msg, "cuda backend unavailable: ", 26) == 0 &&
                      strstr(b.msg, "; using cpu") != NULL,
                  "%s", b.msg);
    sco_runtime_destroy(R);
}

Test(runtime, cuda_without_device_is_unsupported)
{
    if (have_device())
        cr_skip_test("a CUDA device is present");
    struct sco_runtime *R = (struct sco_runtime *)1;
    struct sco_err err = {0};
    struct sco_runtime_opts o = {.device = "cuda", .threads = 1, .backend_dir = backend_dir()};
    cr_expect_eq(sco_runtime_create(&o, &R, &err), SCO_ERR_UNSUPPORTED);
    cr_expect_null(R);
    if (cuda_module_built())
        cr_expect_str_eq(err.msg, "device 'cuda' requested but the cuda backend is unavailable: "
                                  "no device; set run.device: auto or cpu");
}

Test(runtime, cuda_module_missing_is_reported)
{
    struct sco_runtime *R;
    struct sco_err err = {0};
    struct sco_runtime_opts o = {.device = "cuda", .threads = 1, .backend_dir = "/nonexistent"};
    cr_expect_eq(sco_runtime_create(&o, &R, &err), SCO_ERR_UNSUPPORTED);
    cr_expect(strstr(err.msg, "not found") != NULL, "%s", err.msg);
}

Test(runtime, unknown_device_is_a_config_error)
{
    struct sco_runtime *R;
    struct sco_err err = {0};
    struct sco_runtime_opts o = {.device = "tpu"};
    cr_expect_eq(sco_runtime_create(&o, &R, &err), SCO_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "unknown device 'tpu'; use auto, cpu or cuda");
}

/* ---- graph-building errors come back from plan() ---- */

static const struct sco_runtime_api *rt;
static struct sco_runtime *R;
static struct sco_params *ps;
static struct sco_graph *g;

static void setup(void)
{
    rt = sco_runtime_api_table();
    struct sco_runtime_opts o = {.device = "cpu", .threads = 1, .seed = 1};
    cr_assert_eq(sco_runtime_create(&o, &R, NULL), 0);
    ps = rt->params_new(R, 1, NULL);
    g = rt->graph_new(R);
}

static void teardown(void)
{
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

TestSuite(errors, .init = setup, .fini = teardown);

Test(errors, matmul_inner_size_mismatch)
{
    struct sco_tensor *a = rt->input(g, SCO_F32, 2, (int64_t[]){32, 3});
    struct sco_tensor *b = rt->input(g, SCO_F32, 2, (int64_t[]){4, 5});
    struct sco_tensor *y = rt->relu(g, rt->matmul(g, a, b, 0));
    cr_expect_null(y);
    struct sco_err err = {0};
    cr_expect_eq(rt->plan(g, &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "matmul: inner sizes differ (a is 32x3, b is 4x5: 3 vs 4); check "
                              "the transpose flags");
}

Test(errors, broadcast_mismatch_and_first_error_wins)
{
    struct sco_tensor *a = rt->input(g, SCO_F32, 2, (int64_t[]){2, 3});
    struct sco_tensor *b = rt->input(g, SCO_F32, 2, (int64_t[]){2, 4});
    cr_expect_null(rt->add(g, a, b));
    cr_expect_null(rt->slice(g, a, 1, 2, 5));
    struct sco_err err = {0};
    cr_expect_eq(rt->plan(g, &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "add: shapes 2x3 and 2x4 do not broadcast (dimension 1: 3 vs 4)");
}

Test(errors, bad_embedding_index_is_data_error)
{
    struct sco_err err = {0};
    struct sco_tensor *tab = rt->param(ps, "emb", 2, (int64_t[]){4, 2}, SCO_INIT_NORMAL, 0, &err);
    struct sco_tensor *idx = rt->input(g, SCO_I64, 1, (int64_t[]){3});
    struct sco_tensor *y = rt->embedding(g, tab, idx);
    rt->mark_output(g, y);
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    int64_t bad[3] = {0, 3, 4};
    cr_assert_eq(rt->write(idx, bad, sizeof bad, &err), 0);
    cr_expect_eq(rt->compute(g, &err), SCO_ERR_DATA);
    cr_expect_str_eq(err.msg, "embedding: index 4 at position 2 is outside [0, 4); map ids to "
                              "rows before writing them");
}

Test(errors, write_size_and_order_checked)
{
    struct sco_err err = {0};
    struct sco_tensor *x = rt->input(g, SCO_F32, 1, (int64_t[]){4});
    struct sco_tensor *y = rt->exp(g, x);
    float v[4] = {0};
    cr_expect_eq(rt->write(x, v, sizeof v, &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "write: the tensor's graph is not planned; call plan() first");
    cr_assert_eq(rt->plan(g, &err), 0);
    cr_expect_eq(rt->write(x, v, 12, &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "write: 12 bytes given, the tensor holds 16 (4 elements of 4)");
    cr_expect_eq(rt->write(y, v, sizeof v, &err), SCO_ERR_INVALID);
    cr_expect_eq(rt->backward(g, &err), SCO_ERR_INVALID);
    cr_expect_str_eq(err.msg, "backward: no loss marked; call mark_loss() before plan()");
    cr_expect_null(rt->exp(g, x)); /* frozen after plan */
}

Test(errors, duplicate_param_and_bad_optimizer)
{
    struct sco_err err = {0};
    cr_assert_not_null(rt->param(ps, "w", 1, (int64_t[]){3}, SCO_INIT_ZEROS, 0, &err));
    cr_expect_null(rt->param(ps, "w", 1, (int64_t[]){3}, SCO_INIT_ZEROS, 0, &err));
    cr_expect_str_eq(err.msg, "param: 'w' already exists in this set");
    cr_expect_null(rt->param(ps, "bad name", 1, (int64_t[]){3}, SCO_INIT_ZEROS, 0, &err));
    cr_expect_null(rt->optim_new(ps, &(struct sco_optim_opts){.sched = SCO_SCHED_COSINE}, &err));
    cr_expect_str_eq(err.msg,
                     "optim_new: cosine schedule needs total_steps (0) > warmup_steps (0)");
}

Test(errors, reshape_infers_and_checks)
{
    struct sco_tensor *x = rt->input(g, SCO_F32, 2, (int64_t[]){4, 6});
    struct sco_tensor *y = rt->reshape(g, x, 3, (int64_t[]){2, -1, 3});
    cr_assert_not_null(y);
    cr_expect_eq(rt->dim(y, 1), 4);
    cr_expect_null(rt->reshape(g, x, 2, (int64_t[]){5, -1}));
}

/* ---- init schemes ---- */

Test(init, schemes_have_the_stated_spread_and_are_seeded_by_name)
{
    const struct sco_runtime_api *api = sco_runtime_api_table();
    struct sco_runtime *Rt;
    struct sco_runtime_opts o = {.device = "cpu", .threads = 1};
    cr_assert_eq(sco_runtime_create(&o, &Rt, NULL), 0);
    struct sco_params *a = api->params_new(Rt, 9, NULL), *b = api->params_new(Rt, 9, NULL);
    struct sco_err err = {0};
    /* created in different orders: values follow the name, not the order */
    api->param(b, "other", 1, (int64_t[]){5}, SCO_INIT_NORMAL, 1, &err);
    struct sco_tensor *he =
        api->param(a, "he", 2, (int64_t[]){200, 300}, SCO_INIT_HE_NORMAL, 0, &err);
    struct sco_tensor *he2 =
        api->param(b, "he", 2, (int64_t[]){200, 300}, SCO_INIT_HE_NORMAL, 0, &err);
    struct sco_tensor *xu =
        api->param(a, "xu", 2, (int64_t[]){200, 300}, SCO_INIT_XAVIER_UNIFORM, 0, &err);
    struct sco_tensor *c = api->param(a, "c", 1, (int64_t[]){10}, SCO_INIT_CONST, 0.5f, &err);
    static float v[60000], v2[60000];
    api->read(he, v, sizeof v, &err);
    api->read(he2, v2, sizeof v2, &err);
    cr_expect(memcmp(v, v2, sizeof v) == 0);
    double s2 = 0;
    for (int i = 0; i < 60000; i++)
        s2 += (double)v[i] * v[i];
    double sd = sqrt(s2 / 60000), want = sqrt(2.0 / 200);
    cr_expect(fabs(sd - want) < 0.03 * want, "He normal sd %g, expected %g", sd, want);
    api->read(xu, v, sizeof v, &err);
    float lim = sqrtf(6.0f / 500), mx = 0;
    for (int i = 0; i < 60000; i++)
        mx = fmaxf(mx, fabsf(v[i]));
    cr_expect(mx <= lim && mx > 0.95f * lim, "xavier max %g, limit %g", (double)mx, (double)lim);
    api->read(c, v, 40, &err);
    for (int i = 0; i < 10; i++)
        cr_expect_float_eq(v[i], 0.5f, 0);
    api->params_free(a);
    api->params_free(b);
    sco_runtime_destroy(Rt);
}

/* ---- memory planning ---- */

#include "core.h"

/* An inference chain of 24 ops over [128, 128] (64 KiB each): with liveness reuse the arena
 * holds the input, the output and a couple of live intermediates, not all 26 buffers; the
 * result equals the same chain with every step marked as an output (no reuse). */
static void chain(bool mark_all, float *out, size_t *arena)
{
    const struct sco_runtime_api *api = sco_runtime_api_table();
    struct sco_runtime *Rt;
    struct sco_runtime_opts o = { .device = "cpu", .threads = 2 };
    cr_assert_eq(sco_runtime_create(&o, &Rt, NULL), 0);
    struct sco_err err = { 0 };
    struct sco_params *p = api->params_new(Rt, 3, &err);
    struct sco_tensor *w =
        api->param(p, "w", 2, (int64_t[]){ 128, 128 }, SCO_INIT_XAVIER_NORMAL, 0, &err);
    struct sco_graph *gr = api->graph_new(Rt);
    struct sco_tensor *x = api->input(gr, SCO_F32, 2, (int64_t[]){ 128, 128 });
    struct sco_tensor *h = x;
    for (int i = 0; i < 8; i++) {
        struct sco_tensor *a = api->matmul(gr, h, w, 0);
        struct sco_tensor *b = api->layer_norm(gr, a, NULL, NULL, 0);
        h = api->add(gr, api->tanh(gr, b), h); /* residual: h stays live across the block */
        if (mark_all) {
            api->mark_output(gr, a);
            api->mark_output(gr, b);
        }
    }
    api->mark_output(gr, h);
    cr_assert_eq(api->plan(gr, &err), 0, "%s", err.msg);
    static float xv[128 * 128];
    for (int i = 0; i < 128 * 128; i++)
        xv[i] = sinf((float)i);
    api->write(x, xv, sizeof xv, &err);
    cr_assert_eq(api->compute(gr, &err), 0, "%s", err.msg);
    api->read(h, out, sizeof xv, &err);
    *arena = gr->arena_bytes;
    api->graph_free(gr);
    api->params_free(p);
    sco_runtime_destroy(Rt);
}

Test(memory, inference_graph_reuses_buffers)
{
    static float a[128 * 128], b[128 * 128];
    size_t na, nb;
    chain(false, a, &na);
    chain(true, b, &nb);
    cr_expect(memcmp(a, b, sizeof a) == 0, "results differ with buffer reuse");
    size_t buf = 128 * 128 * 4;
    cr_expect_leq(na, 6 * buf + 4096, "reusing arena holds %zu bytes (%zu buffers)", na,
                  na / buf);
    cr_expect_geq(nb, 17 * buf, "arena without reuse holds %zu bytes", nb);
    cr_log_info("arena: %zu bytes with reuse, %zu without", na, nb);
}
