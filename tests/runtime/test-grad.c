/* Gradients of every op against central finite differences.
 * loss = sum(op(...) * W) with a fixed random W; each parameter element e (up to 16 per
 * tensor) is perturbed by +-h and (L(+h) - L(-h)) / 2h compared with the analytic gradient.
 * The loss is summed in double inside the runtime, so float32 forward passes suffice:
 * tolerance |g - fd| <= tol * (1 + |fd|) with tol per op in cases.c (2e-3 .. 3e-3). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cases.h"

static const char *const leaf_names[] = { "a", "b", "c", "x", "y", "w", "g", "p", "lr", "lm",
                                          "pos", "neg", "table", "wih", "whh", "bih", "bhh",
                                          "h0" };

static void check_case(const struct op_case *k)
{
    struct built b;
    struct sco_err err = { 0 };
    int rc = build_case(k, "cpu", 1, &b, &err);
    cr_assert_eq(rc, 0, "%s: build failed: %s", k->name, err.msg);
    cr_assert_eq(run_case(&b, &err), 0, "%s: %s", k->name, err.msg);
    const struct sco_runtime_api *rt = b.c.rt;
    const double h = 1e-3;
    int checked = 0;
    for (size_t p = 0; p < sizeof leaf_names / sizeof *leaf_names; p++) {
        struct sco_tensor *t = rt->param_get(b.c.ps, leaf_names[p]);
        if (!t)
            continue;
        size_t n = (size_t)rt->numel(t);
        float *v = malloc(n * sizeof *v), *g = malloc(n * sizeof *g);
        cr_assert_eq(rt->read(t, v, n * sizeof *v, &err), 0, "%s", err.msg);
        cr_assert_eq(rt->read_grad(t, g, n * sizeof *g, &err), 0, "%s", err.msg);
        size_t stride = n > 16 ? n / 16 : 1;
        for (size_t i = 0; i < n; i += stride) {
            float orig = v[i];
            v[i] = (float)(orig + h);
            rt->write(t, v, n * sizeof *v, &err);
            cr_assert_eq(rt->compute(b.c.g, &err), 0, "%s", err.msg);
            double lp = rt->loss_value(b.c.g);
            v[i] = (float)(orig - h);
            rt->write(t, v, n * sizeof *v, &err);
            cr_assert_eq(rt->compute(b.c.g, &err), 0, "%s", err.msg);
            double lm = rt->loss_value(b.c.g);
            v[i] = orig;
            rt->write(t, v, n * sizeof *v, &err);
            double fd = (lp - lm) / (2 * h);
            cr_expect(fabs(g[i] - fd) <= k->tol * (1 + fabs(fd)),
                      "%s: d loss / d %s[%zu]: analytic %.6f, finite difference %.6f", k->name,
                      leaf_names[p], i, (double)g[i], fd);
            checked++;
        }
        free(v);
        free(g);
    }
    cr_expect_gt(checked, 0, "%s: no parameter checked", k->name);
    free_case(&b);
}

/* All cases in one test: one process instead of one per op keeps the suite fast under
 * ASan; each failure names its op. */
Test(grad, finite_differences_every_op)
{
    for (size_t i = 0; i < n_op_cases; i++)
        check_case(&op_cases[i]);
}

/* Dropout: the gradient is the mask the forward pass applied; about p of the elements are
 * dropped and the rest scaled by 1/(1-p). */
Test(grad, dropout_mask_and_gradient)
{
    const struct sco_runtime_api *rt = sco_runtime_api_table();
    struct sco_runtime *R;
    struct sco_err err = { 0 };
    struct sco_runtime_opts o = { .device = "cpu", .threads = 1, .seed = 3 };
    cr_assert_eq(sco_runtime_create(&o, &R, &err), 0, "%s", err.msg);
    struct sco_params *ps = rt->params_new(R, 1, &err);
    struct sco_tensor *x = rt->param(ps, "x", 1, (int64_t[]){ 4000 }, SCO_INIT_CONST, 2.0f, &err);
    struct sco_graph *g = rt->graph_new(R);
    struct sco_tensor *y = rt->dropout(g, x, 0.25f);
    rt->mark_loss(g, rt->sum(g, y, SCO_AXIS_ALL, false));
    cr_assert_eq(rt->plan(g, &err), 0, "%s", err.msg);
    float out[4000], gr[4000], out2[4000];
    cr_assert_eq(rt->compute(g, &err), 0);
    cr_assert_eq(rt->backward(g, &err), 0);
    rt->read(y, out, sizeof out, &err);
    rt->read_grad(x, gr, sizeof gr, &err);
    int dropped = 0;
    for (int i = 0; i < 4000; i++) {
        cr_assert(out[i] == 0.0f || fabsf(out[i] - 2.0f / 0.75f) < 1e-5f, "y[%d] = %g", i,
                  (double)out[i]);
        cr_assert_float_eq(gr[i], out[i] / 2.0f, 1e-6);
        dropped += out[i] == 0.0f;
    }
    cr_expect(dropped > 900 && dropped < 1100, "dropped %d of 4000 at p = 0.25", dropped);
    /* a new mask on the next compute; eval mode is the identity */
    cr_assert_eq(rt->compute(g, &err), 0);
    rt->read(y, out2, sizeof out2, &err);
    int differ = 0;
    for (int i = 0; i < 4000; i++)
        differ += out2[i] != out[i];
    cr_expect_gt(differ, 100);
    rt->set_training(g, false);
    cr_assert_eq(rt->compute(g, &err), 0);
    rt->read(y, out2, sizeof out2, &err);
    for (int i = 0; i < 4000; i++)
        cr_assert_float_eq(out2[i], 2.0f, 0);
    rt->graph_free(g);
    rt->params_free(ps);
    sco_runtime_destroy(R);
}
