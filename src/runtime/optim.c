/* optim.c: SGD (momentum, Nesterov), Adam and AdamW with global-norm gradient clipping and
 * warm-up + cosine / step learning-rate schedules. Updates are elementwise per parameter and
 * the gradient norm is summed in parameter order, so steps are deterministic. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct sco_optim {
    struct sco_params *ps;
    struct sco_optim_opts o;
    int64_t t; /* steps taken */
    float **m, **v;
    int n; /* parameters covered (the set's size at creation) */
    float last_norm;
};

struct sco_optim *sco__optim_new(struct sco_params *ps, const struct sco_optim_opts *opts,
                                 struct sco_err *err)
{
    if (!ps || !opts) {
        sco_err_set(err, SCO_ERR_INVALID, "optim_new: parameter set and options are required");
        return NULL;
    }
    struct sco_optim_opts o = *opts;
    if ((int)o.kind < SCO_OPTIM_SGD || o.kind > SCO_OPTIM_ADAMW) {
        sco_err_set(err, SCO_ERR_INVALID, "optim_new: unknown optimizer kind %d", (int)o.kind);
        return NULL;
    }
    if (o.lr == 0)
        o.lr = 1e-3f;
    if (o.beta1 == 0)
        o.beta1 = 0.9f;
    if (o.beta2 == 0)
        o.beta2 = 0.999f;
    if (o.eps == 0)
        o.eps = 1e-8f;
    if (o.gamma == 0)
        o.gamma = 0.1f;
    if (!(o.lr > 0) || !isfinite(o.lr)) {
        sco_err_set(err, SCO_ERR_INVALID, "optim_new: learning rate %g must be > 0",
                    (double)o.lr);
        return NULL;
    }
    if (o.momentum < 0 || o.momentum >= 1 || o.beta1 < 0 || o.beta1 >= 1 || o.beta2 < 0 ||
        o.beta2 >= 1 || o.weight_decay < 0 || o.clip_norm < 0 || o.warmup_steps < 0) {
        sco_err_set(err, SCO_ERR_INVALID,
                    "optim_new: momentum and betas must be in [0, 1), weight decay, clip norm "
                    "and warm-up >= 0");
        return NULL;
    }
    if (o.sched == SCO_SCHED_COSINE && o.total_steps <= o.warmup_steps) {
        sco_err_set(err, SCO_ERR_INVALID,
                    "optim_new: cosine schedule needs total_steps (%lld) > warmup_steps (%lld)",
                    (long long)o.total_steps, (long long)o.warmup_steps);
        return NULL;
    }
    if (o.sched == SCO_SCHED_STEP && o.step_size <= 0) {
        sco_err_set(err, SCO_ERR_INVALID, "optim_new: step schedule needs step_size > 0");
        return NULL;
    }
    if ((int)o.sched < SCO_SCHED_NONE || o.sched > SCO_SCHED_STEP) {
        sco_err_set(err, SCO_ERR_INVALID, "optim_new: unknown schedule %d", (int)o.sched);
        return NULL;
    }
    struct sco_optim *opt = calloc(1, sizeof *opt);
    if (!opt)
        goto nomem;
    opt->ps = ps;
    opt->o = o;
    opt->n = ps->n;
    opt->m = calloc((size_t)(ps->n ? ps->n : 1), sizeof *opt->m);
    opt->v = calloc((size_t)(ps->n ? ps->n : 1), sizeof *opt->v);
    if (!opt->m || !opt->v)
        goto nomem_free;
    bool need_m = o.kind != SCO_OPTIM_SGD || o.momentum > 0;
    bool need_v = o.kind != SCO_OPTIM_SGD;
    for (int i = 0; i < ps->n; i++) {
        size_t bytes = (size_t)ps->ts[i]->n * sizeof(float);
        if (need_m && !(opt->m[i] = sco__mem_alloc(ps->R, bytes)))
            goto nomem_free;
        if (need_v && !(opt->v[i] = sco__mem_alloc(ps->R, bytes)))
            goto nomem_free;
    }
    ps->n_optims++;
    return opt;
nomem_free:
    ps->n_optims++;
    sco__optim_free(opt);
nomem:
    sco_err_set(err, SCO_ERR_NOMEM, "out of memory for optimizer state");
    return NULL;
}

void sco__optim_free(struct sco_optim *opt)
{
    if (!opt)
        return;
    for (int i = 0; i < opt->n; i++) {
        if (opt->m)
            sco__mem_free(opt->ps->R, opt->m[i]);
        if (opt->v)
            sco__mem_free(opt->ps->R, opt->v[i]);
    }
    free(opt->m);
    free(opt->v);
    opt->ps->n_optims--;
    free(opt);
}

static float lr_at(const struct sco_optim *opt, int64_t s)
{
    const struct sco_optim_opts *o = &opt->o;
    double f = 1.0;
    if (o->warmup_steps > 0 && s < o->warmup_steps)
        return (float)(o->lr * (double)(s + 1) / (double)o->warmup_steps);
    int64_t k = s - o->warmup_steps;
    if (o->sched == SCO_SCHED_COSINE) {
        double p = (double)k / (double)(o->total_steps - o->warmup_steps);
        if (p > 1)
            p = 1;
        f = o->min_lr_frac + (1 - o->min_lr_frac) * 0.5 * (1 + cos(3.141592653589793 * p));
    } else if (o->sched == SCO_SCHED_STEP) {
        f = pow(o->gamma, (double)(k / o->step_size));
    }
    return (float)(o->lr * f);
}

float sco__optim_lr(const struct sco_optim *opt)
{
    return opt ? lr_at(opt, opt->t) : NAN;
}

float sco__optim_grad_norm(const struct sco_optim *opt)
{
    return opt ? opt->last_norm : NAN;
}

int sco__step(struct sco_optim *opt, struct sco_err *err)
{
    if (!opt)
        return sco_err_set(err, SCO_ERR_INVALID, "step: optimizer is NULL");
    struct sco_params *ps = opt->ps;
    if (ps->n != opt->n)
        return sco_err_set(err, SCO_ERR_INVALID,
                           "step: parameters were added after optim_new(); create the "
                           "optimizer after the model");
    int rc = sco__sync(ps->R, err);
    if (rc)
        return rc;
    const struct sco_optim_opts *o = &opt->o;
    /* global gradient norm, summed in a fixed order (on the device when the backend can) */
    double ss = 0;
    bool dev_norm = ps->R->be && ps->R->be_ops->sumsq && ps->n > 0;
    for (int i = 0; dev_norm && i < ps->n; i++)
        if ((rc = ps->R->be_ops->sumsq(ps->R->be, ps->ts[i]->grad, ps->ts[i]->n, i, ps->n, &ss,
                                       err)))
            return rc;
    for (int i = 0; !dev_norm && i < ps->n; i++) {
        const float *g = ps->ts[i]->grad;
        /* 8 fixed lanes so the compiler can vectorise; order fixed, so still deterministic */
        double lane[8] = { 0 };
        int64_t n = ps->ts[i]->n, k = 0;
        for (; k + 8 <= n; k += 8)
            for (int j = 0; j < 8; j++)
                lane[j] += (double)g[k + j] * g[k + j];
        for (; k < n; k++)
            lane[0] += (double)g[k] * g[k];
        for (int j = 0; j < 8; j++)
            ss += lane[j];
    }
    double norm = sqrt(ss);
    opt->last_norm = (float)norm;
    if (!isfinite(norm)) {
        for (int i = 0; i < ps->n; i++)
            memset(ps->ts[i]->grad, 0, (size_t)ps->ts[i]->n * sizeof(float));
        return sco_err_set(err, SCO_ERR_DATA,
                           "step: the gradient is not finite (norm %g); lower the learning "
                           "rate or check the inputs for NaN",
                           norm);
    }
    float gs = 1.0f;
    if (o->clip_norm > 0 && norm > o->clip_norm)
        gs = (float)(o->clip_norm / (norm + 1e-6));
    float lr = lr_at(opt, opt->t);
    opt->t++;
    float b1 = o->beta1, b2 = o->beta2;
    float bc1 = (float)(1 - pow(b1, (double)opt->t)), bc2 = (float)(1 - pow(b2, (double)opt->t));
    for (int i = 0; i < ps->n; i++) {
        struct sco_tensor *t = ps->ts[i];
        float *restrict w = t->data, *restrict g = t->grad, *restrict m = opt->m[i],
                       *restrict v = opt->v[i];
        int64_t n = t->n;
        float hp[9] = { lr, gs, o->momentum, o->weight_decay, b1, b2, o->eps, bc1, bc2 };
        if (ps->R->be && ps->R->be_ops->optim_update) {
            rc = ps->R->be_ops->optim_update(ps->R->be, (int)o->kind | (o->nesterov ? 16 : 0),
                                             w, g, m, v, n, hp, err);
            if (rc)
                return rc;
            continue;
        }
        switch (o->kind) {
        case SCO_OPTIM_SGD:
            for (int64_t k = 0; k < n; k++) {
                float gk = g[k] * gs + o->weight_decay * w[k];
                if (m) {
                    m[k] = o->momentum * m[k] + gk;
                    gk = o->nesterov ? gk + o->momentum * m[k] : m[k];
                }
                w[k] -= lr * gk;
                g[k] = 0;
            }
            break;
        case SCO_OPTIM_ADAM:
        case SCO_OPTIM_ADAMW: {
            bool decoupled = o->kind == SCO_OPTIM_ADAMW;
            /* w -= lr * mhat / (sqrt(vhat) + eps), mhat = m/bc1, vhat = v/bc2 */
            for (int64_t k = 0; k < n; k++) {
                float gk = g[k] * gs;
                if (!decoupled)
                    gk += o->weight_decay * w[k];
                m[k] = b1 * m[k] + (1 - b1) * gk;
                v[k] = b2 * v[k] + (1 - b2) * gk * gk;
                float upd = (m[k] / bc1) / (sqrtf(v[k] / bc2) + o->eps);
                if (decoupled)
                    upd += o->weight_decay * w[k];
                w[k] -= lr * upd;
                g[k] = 0;
            }
            break;
        }
        }
    }
    if (ps->R->be && (rc = sco__sync(ps->R, err)))
        return rc;
    return 0;
}

int sco__train_step(struct sco_graph *g, struct sco_optim *opt, struct sco_err *err)
{
    int rc = sco__compute(g, err);
    if (rc == 0)
        rc = sco__backward(g, err);
    if (rc == 0)
        rc = sco__step(opt, err);
    return rc;
}
