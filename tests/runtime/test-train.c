/* Small networks learn known functions; optimizers and schedules behave as documented;
 * training is bit-identical for 1 and 2 threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sco/sco-tensor.h>

#include "runtime-host.h"

static const struct sco_runtime_api *rt;
static struct sco_runtime *R;

static void start(int threads)
{
    rt = sco_runtime_api_table();
    struct sco_runtime_opts o = {.device = "cpu", .threads = threads, .seed = 42};
    struct sco_err err = {0};
    cr_assert_eq(sco_runtime_create(&o, &R, &err), 0, "%s", err.msg);
}

static float lcg(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)(*s >> 8) / 16777216.0f;
}

#define SHAPE(...) ((const int64_t[]){__VA_ARGS__})

/* XOR: 2-8-1 tanh MLP with BCE on logits, Adam: loss < 0.05 within 400 steps. */
Test(train, xor_learns)
{
    start(1);
    struct sco_err err = {0};
    struct sco_params *ps = rt->params_new(R, 3, &err);
    struct sco_tensor *w1 = rt->param(ps, "w1", 2, SHAPE(2, 8), SCO_INIT_XAVIER_UNIFORM, 0, &err);
    struct sco_tensor *b1 = rt->param(ps, "b1", 1, SHAPE(8), SCO_INIT_ZEROS, 0, &err);
    struct sco_tensor *w2 = rt->param(ps, "w2", 2, SHAPE(8, 1), SCO_INIT_XAVIER_UNIFORM, 0, &err);
    struct sco_tensor *b2 = rt->param(ps, "b2", 1, SHAPE(1), SCO_INIT_ZEROS, 0, &err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *x = rt->input(g, SCO_F32, 2, SHAPE(4, 2));
    struct sco_tensor *y = rt->input(g, SCO_F32, 2, SHAPE(4, 1));
    struct sco_tensor *logit =
        rt->linear(g, rt->linear(g, x, w1, b1, SCO_ACT_TANH), w2, b2, SCO_ACT_NONE);
    rt->mark_output(g, logit);
    rt->mark_loss(g, rt->bce_logits(g, logit, y));
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    struct sco_optim *opt =
        rt->optim_new(ps, &(struct sco_optim_opts){.kind = SCO_OPTIM_ADAM, .lr = 0.05f}, &err);
    cr_assert_not_null(opt, "%s", err.msg);
    float xv[8] = {0, 0, 0, 1, 1, 0, 1, 1}, yv[4] = {0, 1, 1, 0};
    rt->write(x, xv, sizeof xv, &err);
    rt->write(y, yv, sizeof yv, &err);
    for (int s = 0; s < 400; s++)
        cr_assert_eq(rt->train_step(g, opt, &err), 0, "%s", err.msg);
    rt->compute(g, &err);
    float loss = rt->loss_value(g), out[4];
    rt->read(logit, out, sizeof out, &err);
    cr_expect_lt(loss, 0.05f, "XOR loss %g after 400 steps", (double)loss);
    for (int i = 0; i < 4; i++)
        cr_expect((out[i] > 0) == (yv[i] > 0.5f), "XOR row %d: logit %g", i, (double)out[i]);
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

/* Noisy sine: y = sin(x) + N(0, 0.05^2) noise on [-3, 3]; 1-32-32-1 GELU/tanh MLP, AdamW
 * with warm-up + cosine: clean-grid MSE < 0.01 after 1500 steps of batch 64. */
Test(train, noisy_sine_learns)
{
    start(2);
    struct sco_err err = {0};
    struct sco_params *ps = rt->params_new(R, 11, &err);
    struct sco_tensor *w1 = rt->param(ps, "w1", 2, SHAPE(1, 32), SCO_INIT_HE_UNIFORM, 0, &err);
    struct sco_tensor *b1 = rt->param(ps, "b1", 1, SHAPE(32), SCO_INIT_UNIFORM, 1, &err);
    struct sco_tensor *w2 = rt->param(ps, "w2", 2, SHAPE(32, 32), SCO_INIT_XAVIER_NORMAL, 0, &err);
    struct sco_tensor *b2 = rt->param(ps, "b2", 1, SHAPE(32), SCO_INIT_ZEROS, 0, &err);
    struct sco_tensor *w3 = rt->param(ps, "w3", 2, SHAPE(32, 1), SCO_INIT_XAVIER_UNIFORM, 0, &err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *x = rt->input(g, SCO_F32, 2, SHAPE(64, 1));
    struct sco_tensor *y = rt->input(g, SCO_F32, 2, SHAPE(64, 1));
    struct sco_tensor *h = rt->linear(g, x, w1, b1, SCO_ACT_GELU);
    h = rt->linear(g, h, w2, b2, SCO_ACT_TANH);
    struct sco_tensor *p = rt->linear(g, h, w3, NULL, SCO_ACT_NONE);
    rt->mark_output(g, p);
    rt->mark_loss(g, rt->mse(g, p, y));
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    struct sco_optim *opt = rt->optim_new(ps,
                                          &(struct sco_optim_opts){.kind = SCO_OPTIM_ADAMW,
                                                                   .lr = 0.01f,
                                                                   .weight_decay = 1e-4f,
                                                                   .sched = SCO_SCHED_COSINE,
                                                                   .warmup_steps = 50,
                                                                   .total_steps = 1500,
                                                                   .min_lr_frac = 0.05f,
                                                                   .clip_norm = 5.0f},
                                          &err);
    cr_assert_not_null(opt, "%s", err.msg);
    unsigned s = 1;
    float xb[64], yb[64];
    for (int step = 0; step < 1500; step++) {
        for (int i = 0; i < 64; i++) {
            xb[i] = -3 + 6 * lcg(&s);
            float u1 = lcg(&s) + 1e-7f, u2 = lcg(&s);
            yb[i] = sinf(xb[i]) + 0.05f * sqrtf(-2 * logf(u1)) * cosf(6.2831853f * u2);
        }
        rt->write(x, xb, sizeof xb, &err);
        rt->write(y, yb, sizeof yb, &err);
        cr_assert_eq(rt->train_step(g, opt, &err), 0, "%s", err.msg);
    }
    for (int i = 0; i < 64; i++) {
        xb[i] = -3 + 6 * (float)i / 63;
        yb[i] = sinf(xb[i]);
    }
    rt->write(x, xb, sizeof xb, &err);
    rt->write(y, yb, sizeof yb, &err);
    rt->compute(g, &err);
    cr_expect_lt(rt->loss_value(g), 0.01f, "sine MSE %g", (double)rt->loss_value(g));
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

/* Sequence memory: output y[t] = x[t-2]. A GRU (then linear) and a causal conv1d stack
 * with dilation 2 both learn it to MSE < 0.02. */
static float seq_task(bool use_gru)
{
    struct sco_err err = {0};
    struct sco_params *ps = rt->params_new(R, 5, &err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *x = rt->input(g, SCO_F32, 3, SHAPE(16, 10, 1));
    struct sco_tensor *y = rt->input(g, SCO_F32, 3, SHAPE(16, 10, 1));
    struct sco_tensor *h;
    if (use_gru) {
        struct sco_tensor *wih =
            rt->param(ps, "wih", 2, SHAPE(1, 48), SCO_INIT_XAVIER_UNIFORM, 0, &err);
        struct sco_tensor *whh =
            rt->param(ps, "whh", 2, SHAPE(16, 48), SCO_INIT_XAVIER_UNIFORM, 0, &err);
        struct sco_tensor *bih = rt->param(ps, "bih", 1, SHAPE(48), SCO_INIT_ZEROS, 0, &err);
        struct sco_tensor *bhh = rt->param(ps, "bhh", 1, SHAPE(48), SCO_INIT_ZEROS, 0, &err);
        h = rt->gru(g, x, wih, whh, bih, bhh, NULL);
    } else {
        struct sco_tensor *c1 =
            rt->param(ps, "c1", 3, SHAPE(2, 1, 16), SCO_INIT_HE_UNIFORM, 0, &err);
        struct sco_tensor *c2 =
            rt->param(ps, "c2", 3, SHAPE(2, 16, 16), SCO_INIT_HE_UNIFORM, 0, &err);
        struct sco_tensor *cb = rt->param(ps, "cb", 1, SHAPE(16), SCO_INIT_ZEROS, 0, &err);
        h = rt->conv1d(g, rt->conv1d(g, x, c1, NULL, 1, SCO_ACT_RELU), c2, cb, 2, SCO_ACT_NONE);
    }
    struct sco_tensor *wo = rt->param(ps, "wo", 2, SHAPE(16, 1), SCO_INIT_XAVIER_UNIFORM, 0, &err);
    struct sco_tensor *p = rt->linear(g, h, wo, NULL, SCO_ACT_NONE);
    rt->mark_loss(g, rt->mse(g, p, y));
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    struct sco_optim *opt =
        rt->optim_new(ps, &(struct sco_optim_opts){.kind = SCO_OPTIM_ADAM, .lr = 0.01f}, &err);
    unsigned s = 9;
    float xb[160], yb[160];
    float loss = 0;
    for (int step = 0; step < 600; step++) {
        for (int b = 0; b < 16; b++)
            for (int t = 0; t < 10; t++) {
                xb[b * 10 + t] = lcg(&s) * 2 - 1;
                yb[b * 10 + t] = t >= 2 ? xb[b * 10 + t - 2] : 0;
            }
        rt->write(x, xb, sizeof xb, &err);
        rt->write(y, yb, sizeof yb, &err);
        cr_assert_eq(rt->train_step(g, opt, &err), 0, "%s", err.msg);
        loss = rt->loss_value(g);
    }
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    return loss;
}

Test(train, gru_and_conv1d_learn_a_delay)
{
    start(1);
    float lg = seq_task(true), lc = seq_task(false);
    cr_expect_lt(lg, 0.02f, "GRU delay-2 MSE %g", (double)lg);
    cr_expect_lt(lc, 0.02f, "conv1d delay-2 MSE %g", (double)lc);
    sco_runtime_destroy(R);
}

/* Pinball loss on U(0,1) targets with a constant model: learns the 0.1, 0.5, 0.9 quantiles. */
Test(train, pinball_learns_quantiles)
{
    start(1);
    struct sco_err err = {0};
    struct sco_params *ps = rt->params_new(R, 1, &err);
    struct sco_tensor *q = rt->param(ps, "q", 1, SHAPE(3), SCO_INIT_ZEROS, 0, &err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *y = rt->input(g, SCO_F32, 2, SHAPE(256, 1));
    struct sco_tensor *pred = rt->add(g, rt->constant(g, 0, 2, SHAPE(256, 3)), q);
    static const float levels[3] = {0.1f, 0.5f, 0.9f};
    rt->mark_loss(g, rt->pinball(g, pred, y, levels, 3));
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    struct sco_optim *opt = rt->optim_new(ps,
                                          &(struct sco_optim_opts){.kind = SCO_OPTIM_SGD,
                                                                   .lr = 0.05f,
                                                                   .momentum = 0.9f,
                                                                   .sched = SCO_SCHED_STEP,
                                                                   .step_size = 300,
                                                                   .gamma = 0.3f},
                                          &err);
    unsigned s = 4;
    float yb[256];
    for (int step = 0; step < 1200; step++) {
        for (int i = 0; i < 256; i++)
            yb[i] = lcg(&s);
        rt->write(y, yb, sizeof yb, &err);
        cr_assert_eq(rt->train_step(g, opt, &err), 0, "%s", err.msg);
    }
    float qv[3];
    rt->read(q, qv, sizeof qv, &err);
    for (int i = 0; i < 3; i++)
        cr_expect(fabsf(qv[i] - levels[i]) < 0.04f, "quantile %g learned as %g", (double)levels[i],
                  (double)qv[i]);
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

/* Schedules give the documented factors. */
Test(train, schedules)
{
    start(1);
    struct sco_err err = {0};
    struct sco_params *ps = rt->params_new(R, 1, &err);
    struct sco_tensor *w = rt->param(ps, "w", 1, SHAPE(1), SCO_INIT_ZEROS, 0, &err);
    (void)w;
    struct sco_optim *c = rt->optim_new(ps,
                                        &(struct sco_optim_opts){.kind = SCO_OPTIM_SGD,
                                                                 .lr = 1.0f,
                                                                 .sched = SCO_SCHED_COSINE,
                                                                 .warmup_steps = 4,
                                                                 .total_steps = 14,
                                                                 .min_lr_frac = 0.1f},
                                        &err);
    float want_c[] = {0.25f, 0.5f, 0.75f, 1.0f, 1.0f};
    for (int i = 0; i < 5; i++) {
        cr_expect_float_eq(rt->optim_lr(c), want_c[i], 1e-6, "cosine step %d", i);
        rt->step(c, &err);
    }
    for (int i = 5; i < 9; i++)
        rt->step(c, &err);
    /* step 9: p = 5/10, factor 0.1 + 0.9 * 0.5 */
    cr_expect_float_eq(rt->optim_lr(c), 0.55f, 1e-6);
    for (int i = 9; i < 20; i++)
        rt->step(c, &err);
    cr_expect_float_eq(rt->optim_lr(c), 0.1f, 1e-6);
    rt->optim_free(c);
    struct sco_optim *st = rt->optim_new(ps,
                                         &(struct sco_optim_opts){.kind = SCO_OPTIM_SGD,
                                                                  .lr = 2.0f,
                                                                  .sched = SCO_SCHED_STEP,
                                                                  .step_size = 3,
                                                                  .gamma = 0.5f},
                                         &err);
    float want_s[] = {2, 2, 2, 1, 1, 1, 0.5f};
    for (int i = 0; i < 7; i++) {
        cr_expect_float_eq(rt->optim_lr(st), want_s[i], 1e-6, "step schedule %d", i);
        rt->step(st, &err);
    }
    rt->optim_free(st);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

/* Clipping: with clip_norm 1 a huge gradient moves SGD weights by at most lr. A NaN
 * gradient is refused and leaves the weights alone. */
Test(train, clipping_and_non_finite_gradients)
{
    start(1);
    struct sco_err err = {0};
    struct sco_params *ps = rt->params_new(R, 1, &err);
    struct sco_tensor *w = rt->param(ps, "w", 1, SHAPE(2), SCO_INIT_ZEROS, 0, &err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *x = rt->input(g, SCO_F32, 1, SHAPE(2));
    rt->mark_loss(g, rt->sum(g, rt->mul(g, w, x), SCO_AXIS_ALL, false));
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    struct sco_optim *opt = rt->optim_new(
        ps, &(struct sco_optim_opts){.kind = SCO_OPTIM_SGD, .lr = 0.5f, .clip_norm = 1}, &err);
    float xv[2] = {300, 400}, wv[2];
    rt->write(x, xv, sizeof xv, &err);
    cr_assert_eq(rt->train_step(g, opt, &err), 0, "%s", err.msg);
    cr_expect_float_eq(rt->optim_grad_norm(opt), 500.0f, 1e-3);
    rt->read(w, wv, sizeof wv, &err);
    cr_expect_float_eq(wv[0], -0.5f * 0.6f, 1e-5);
    cr_expect_float_eq(wv[1], -0.5f * 0.8f, 1e-5);
    xv[0] = NAN;
    rt->write(x, xv, sizeof xv, &err);
    cr_expect_eq(rt->train_step(g, opt, &err), SCO_ERR_DATA);
    float wv2[2];
    rt->read(w, wv2, sizeof wv2, &err);
    cr_expect(memcmp(wv, wv2, sizeof wv) == 0);
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

/* 10 Adam steps of an MLP with layer norm, dropout and softmax cross-entropy, batch 256 x
 * hidden 192 (big enough that every parallel path splits): the weights after training are
 * bit-identical with 1 and 2 threads. */
static void det_run(int threads, float *out, size_t n)
{
    start(threads);
    struct sco_err err = {0};
    struct sco_params *ps = rt->params_new(R, 77, &err);
    struct sco_tensor *w1 = rt->param(ps, "w1", 2, SHAPE(32, 192), SCO_INIT_HE_NORMAL, 0, &err);
    struct sco_tensor *b1 = rt->param(ps, "b1", 1, SHAPE(192), SCO_INIT_ZEROS, 0, &err);
    struct sco_tensor *gm = rt->param(ps, "ln_g", 1, SHAPE(192), SCO_INIT_ONES, 0, &err);
    struct sco_tensor *w2 =
        rt->param(ps, "w2", 2, SHAPE(192, 10), SCO_INIT_XAVIER_UNIFORM, 0, &err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *x = rt->input(g, SCO_F32, 2, SHAPE(256, 32));
    struct sco_tensor *lab = rt->input(g, SCO_I32, 1, SHAPE(256));
    struct sco_tensor *h = rt->dropout(g, rt->linear(g, x, w1, b1, SCO_ACT_RELU), 0.2f);
    h = rt->layer_norm(g, h, gm, NULL, 0);
    struct sco_tensor *logits = rt->linear(g, h, w2, NULL, SCO_ACT_NONE);
    rt->mark_loss(g, rt->softmax_xent(g, logits, lab));
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    struct sco_optim *opt =
        rt->optim_new(ps, &(struct sco_optim_opts){.kind = SCO_OPTIM_ADAM, .lr = 3e-3f}, &err);
    static float xb[256 * 32];
    int32_t lb[256];
    unsigned s = 3;
    for (int i = 0; i < 256 * 32; i++)
        xb[i] = lcg(&s) - 0.5f;
    for (int i = 0; i < 256; i++)
        lb[i] = (int32_t)(lcg(&s) * 10);
    rt->write(x, xb, sizeof xb, &err);
    rt->write(lab, lb, sizeof lb, &err);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(rt->train_step(g, opt, &err), 0, "%s", err.msg);
    rt->read(w1, out, n * sizeof *out, &err);
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}

Test(train, deterministic_across_thread_counts)
{
    static float a[32 * 192], b[32 * 192];
    det_run(1, a, 32 * 192);
    det_run(2, b, 32 * 192);
    size_t diff = 0;
    for (size_t i = 0; i < 32 * 192; i++)
        diff += memcmp(&a[i], &b[i], sizeof a[i]) != 0;
    cr_expect_eq(diff, 0, "%zu of %d weights differ between 1 and 2 threads", diff, 32 * 192);
}
