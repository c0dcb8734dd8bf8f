/* fc-model.c: the global neural forecaster (see fc-model.h) on the shared tensor runtime.
 *
 * Training runs in two phases so that the backtest is honest: the model is first trained
 * only on origins whose whole horizon ends before the earliest backtest window, forecasts
 * every backtest window from the actual history before it, and is then fine-tuned on all the
 * data for the final forecast. A warm start loads last night's weights and fine-tunes only
 * (its backtest then has seen those windows in earlier nights, which the summary says). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fc-model.h"

#define EMB_ITEM 8
#define EMB_CAT 4
#define EMB_WH 4
#define MIN_HIST 14 /* days of history since the first sale before an origin counts */

int sco__fc_loss_parse(const char *s, enum sco__fc_loss *out)
{
    static const char *const names[] = { "tweedie", "poisson", "mse", "mae" };
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (enum sco__fc_loss)i;
            return 0;
        }
    return -1;
}

/* ---- features ----------------------------------------------------------------------------- */
static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int index_of(const char **sorted, int n, const char *s)
{
    const char **p = bsearch(&s, sorted, (size_t)n, sizeof *sorted, cmp_cstr);
    return p ? (int)(p - sorted) : 0;
}

static int uniq(const char **a, int n)
{
    qsort(a, (size_t)n, sizeof *a, cmp_cstr);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!k || strcmp(a[k - 1], a[i]))
            a[k++] = a[i];
    return k;
}

int sco__fc_feat_init(struct sco__fc_feat *f, const struct sco__fc_set *set, int h, int period,
                      struct sco_err *err)
{
    memset(f, 0, sizeof *f);
    size_t n = set->n ? set->n : 1;
    f->n_days = (int)(set->end - set->start) + h;
    f->period = period;
    f->start = set->start;
    f->item = calloc(n, sizeof *f->item);
    f->cat = calloc(n, sizeof *f->cat);
    f->wh = calloc(n, sizeof *f->wh);
    const char **a = calloc(n, sizeof *a), **b = calloc(n, sizeof *b);
    if (!f->item || !f->cat || !f->wh || !a || !b) {
        free(a);
        free(b);
        sco__fc_feat_fini(f);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for model features");
    }
    for (size_t i = 0; i < set->n; i++) {
        a[i] = set->s[i].sku;
        b[i] = set->s[i].warehouse;
    }
    f->n_item = uniq(a, (int)set->n);
    f->n_wh = uniq(b, (int)set->n);
    for (size_t i = 0; i < set->n; i++) {
        f->item[i] = index_of(a, f->n_item, set->s[i].sku);
        f->wh[i] = index_of(b, f->n_wh, set->s[i].warehouse);
    }
    f->n_cat = 1;
    if (f->n_item < 1)
        f->n_item = 1;
    if (f->n_wh < 1)
        f->n_wh = 1;
    free(a);
    free(b);
    return 0;
}

void sco__fc_feat_fini(struct sco__fc_feat *f)
{
    if (!f)
        return;
    free(f->day_ev);
    free(f->ser_cov);
    free(f->day_ch);
    free(f->item);
    free(f->cat);
    free(f->wh);
    memset(f, 0, sizeof *f);
}

/* ---- samples ------------------------------------------------------------------------------ */
struct layout {
    int W, H, D;
    int o_listed, o_level, o_wday, o_doy, o_ev, o_cov, o_ch, n_ch;
};

static void layout_init(struct layout *l, const struct sco__fc_feat *f, int W, int H)
{
    int d = 0;
    l->W = W;
    l->H = H;
    d += W;
    l->o_listed = d++;
    l->o_level = d++;
    l->o_wday = f->period == 7 ? d : -1;
    d += f->period == 7 ? 7 : 0;
    l->o_doy = f->period == 7 ? d : -1;
    d += f->period == 7 ? 2 : 0;
    l->o_ev = f->day_ev ? d : -1;
    d += f->day_ev ? H : 0;
    l->o_cov = f->ser_cov ? d : -1;
    d += f->ser_cov ? H : 0;
    l->n_ch = f->day_ch ? f->n_day_ch : 0;
    l->o_ch = l->n_ch ? d : -1;
    d += l->n_ch * H;
    l->D = d;
}

/* Robust level of series s before origin c: mean of the window over listed days, else the
 * mean since the first sale, else 1. */
static double level_at(const struct sco__fc_series *s, int c, int W)
{
    int a = c - W > s->first ? c - W : s->first;
    double sum = 0;
    for (int t = a; t < c; t++)
        sum += fabs(s->y[t]);
    if (c > a && sum > 0)
        return sum / (c - a);
    sum = 0;
    for (int t = s->first; t < c; t++)
        sum += fabs(s->y[t]);
    return c > s->first && sum > 0 ? sum / (c - s->first) : 1.0;
}

/* Dense input of series i at origin c (forecasting days c .. c+H-1); y target when yt. */
static double make_input(const struct sco__fc_set *set, const struct sco__fc_feat *f,
                         const struct layout *l, size_t i, int c, float *x, float *yt,
                         enum sco__fc_loss loss)
{
    const struct sco__fc_series *s = &set->s[i];
    double sc = level_at(s, c, l->W);
    int listed = 0;
    for (int k = 0; k < l->W; k++) {
        int t = c - l->W + k;
        bool on = t >= s->first && t >= 0;
        x[k] = on ? (float)(s->y[t] / sc) : 0.0f;
        listed += on;
    }
    x[l->o_listed] = (float)listed / (float)l->W;
    x[l->o_level] = (float)(0.1 * log1p(sc));
    if (l->o_wday >= 0) {
        int64_t day = f->start + c;
        int wd = (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday: 0 = Monday */
        for (int k = 0; k < 7; k++)
            x[l->o_wday + k] = k == wd ? 1.0f : 0.0f;
        double doy = fmod((double)day, 365.2425) / 365.2425 * 6.283185307179586;
        x[l->o_doy] = (float)sin(doy);
        x[l->o_doy + 1] = (float)cos(doy);
    }
    for (int k = 0; k < l->H; k++) {
        int t = c + k;
        if (l->o_ev >= 0)
            x[l->o_ev + k] = t < f->n_days ? f->day_ev[t] : 0.0f;
        if (l->o_cov >= 0)
            x[l->o_cov + k] = t < f->n_days ? f->ser_cov[i * (size_t)f->n_days + (size_t)t] : 0.0f;
        for (int ch = 0; ch < l->n_ch; ch++)
            x[l->o_ch + ch * l->H + k] =
                t < f->n_days ? f->day_ch[(size_t)ch * (size_t)f->n_days + (size_t)t] : 0.0f;
    }
    if (yt)
        for (int k = 0; k < l->H; k++) {
            double v = s->y[c + k] / sc;
            yt[k] = (float)(loss == SCO__FC_LOSS_MSE || loss == SCO__FC_LOSS_MAE ? v - 1.0 : v);
        }
    return sc;
}

/* ---- the network -------------------------------------------------------------------------- */
struct net {
    const struct sco_runtime_api *rt;
    struct sco_runtime *R;
    struct sco_params *ps;
    struct sco_tensor *emb_i, *emb_c, *emb_w, *w1, *b1, *w2, *b2, *w3, *b3;
    struct layout l;
    int B;
    enum sco__fc_loss loss;
    struct sco_graph *g[2]; /* 0: training, 1: inference */
    struct sco_tensor *x[2], *ii[2], *ic[2], *iw[2], *out[2], *y;
};

static int net_params(struct net *n, const struct sco__fc_feat *f, int hidden, uint64_t seed,
                      struct sco_err *err)
{
    const struct sco_runtime_api *rt = n->rt;
    n->ps = rt->params_new(n->R, seed, err);
    if (!n->ps)
        return err->code ? err->code : SCO_ERR_NOMEM;
    int in = n->l.D + EMB_ITEM + EMB_CAT + EMB_WH, H = n->l.H;
    struct {
        struct sco_tensor **t;
        const char *name;
        int nd;
        int64_t a, b;
        enum sco_init init;
        float scale;
    } P[] = {
        { &n->emb_i, "emb_item", 2, f->n_item, EMB_ITEM, SCO_INIT_NORMAL, 0.1f },
        { &n->emb_c, "emb_category", 2, f->n_cat, EMB_CAT, SCO_INIT_NORMAL, 0.1f },
        { &n->emb_w, "emb_warehouse", 2, f->n_wh, EMB_WH, SCO_INIT_NORMAL, 0.1f },
        { &n->w1, "w1", 2, in, hidden, SCO_INIT_HE_UNIFORM, 0 },
        { &n->b1, "b1", 1, hidden, 0, SCO_INIT_ZEROS, 0 },
        { &n->w2, "w2", 2, hidden, hidden, SCO_INIT_HE_UNIFORM, 0 },
        { &n->b2, "b2", 1, hidden, 0, SCO_INIT_ZEROS, 0 },
        { &n->w3, "w3", 2, hidden, H, SCO_INIT_XAVIER_UNIFORM, 0.1f },
        { &n->b3, "b3", 1, H, 0, SCO_INIT_ZEROS, 0 },
    };
    for (size_t k = 0; k < SCO_COUNT(P); k++) {
        int64_t shape[2] = { P[k].a, P[k].b };
        *P[k].t = rt->param(n->ps, P[k].name, P[k].nd, shape, P[k].init, P[k].scale, err);
        if (!*P[k].t)
            return err->code ? err->code : SCO_ERR_INTERNAL;
    }
    return 0;
}

static int net_graph(struct net *n, int k, struct sco_err *err)
{
    const struct sco_runtime_api *rt = n->rt;
    struct sco_graph *g = rt->graph_new(n->R);
    if (!g)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the model graph");
    n->g[k] = g;
    int64_t B = n->B, H = n->l.H;
    n->x[k] = rt->input(g, SCO_F32, 2, (int64_t[]){ B, n->l.D });
    n->ii[k] = rt->input(g, SCO_I32, 1, (int64_t[]){ B });
    n->ic[k] = rt->input(g, SCO_I32, 1, (int64_t[]){ B });
    n->iw[k] = rt->input(g, SCO_I32, 1, (int64_t[]){ B });
    struct sco_tensor *parts[4] = { n->x[k], rt->embedding(g, n->emb_i, n->ii[k]),
                                    rt->embedding(g, n->emb_c, n->ic[k]),
                                    rt->embedding(g, n->emb_w, n->iw[k]) };
    struct sco_tensor *h = rt->concat(g, parts, 4, 1);
    h = rt->linear(g, h, n->w1, n->b1, SCO_ACT_RELU);
    h = rt->linear(g, h, n->w2, n->b2, SCO_ACT_RELU);
    struct sco_tensor *out = rt->linear(g, h, n->w3, n->b3, SCO_ACT_NONE);
    n->out[k] = out;
    rt->mark_output(g, out);
    if (k == 0) {
        n->y = rt->input(g, SCO_F32, 2, (int64_t[]){ B, H });
        struct sco_tensor *loss = NULL;
        static const float half[] = { 0.5f };
        switch (n->loss) {
        case SCO__FC_LOSS_TWEEDIE:
            loss = rt->tweedie_nll(g, out, n->y, 1.5f);
            break;
        case SCO__FC_LOSS_POISSON:
            loss = rt->poisson_nll(g, out, n->y);
            break;
        case SCO__FC_LOSS_MSE:
            loss = rt->mse(g, out, n->y);
            break;
        case SCO__FC_LOSS_MAE:
            loss = rt->pinball(g, rt->reshape(g, out, 3, (int64_t[]){ B, H, 1 }), n->y, half, 1);
            break;
        }
        rt->mark_loss(g, loss);
    } else {
        rt->set_training(g, false);
    }
    return rt->plan(g, err);
}

static void net_free(struct net *n)
{
    if (!n->rt)
        return;
    n->rt->graph_free(n->g[0]);
    n->rt->graph_free(n->g[1]);
    n->rt->params_free(n->ps);
}

struct origin {
    int32_t i; /* series */
    int32_t c; /* origin day */
};

/* Every training origin of series with a horizon ending at or before `limit`. */
static int origins(const struct sco__fc_set *set, int H, int limit, struct origin **out,
                   size_t *n_out, struct sco_err *err)
{
    size_t n = 0, cap = 0;
    struct origin *o = NULL;
    for (size_t i = 0; i < set->n; i++) {
        const struct sco__fc_series *s = &set->s[i];
        int lim = limit < s->n ? limit : s->n;
        for (int c = s->first + MIN_HIST; c + H <= lim; c++) {
            if (n == cap) {
                cap = cap ? 2 * cap : 4096;
                struct origin *p = realloc(o, cap * sizeof *o);
                if (!p) {
                    free(o);
                    return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for training origins");
                }
                o = p;
            }
            o[n++] = (struct origin){ (int32_t)i, (int32_t)c };
        }
    }
    *out = o;
    *n_out = n;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct train_buf {
    float *x, *y;
    int32_t *ii, *ic, *iw;
};

static int fill_batch(const struct net *n, const struct sco__fc_set *set,
                      const struct sco__fc_feat *f, const struct origin *org, size_t cnt,
                      struct train_buf *b, double *scales, bool with_y)
{
    int D = n->l.D, H = n->l.H;
    for (int r = 0; r < n->B; r++) {
        if ((size_t)r < cnt) {
            size_t i = (size_t)org[r].i;
            double sc = make_input(set, f, &n->l, i, org[r].c, b->x + (size_t)r * D,
                                   with_y ? b->y + (size_t)r * H : NULL, n->loss);
            if (scales)
                scales[r] = sc;
            b->ii[r] = f->item[i];
            b->ic[r] = f->cat[i];
            b->iw[r] = f->wh[i];
        } else { /* padding rows of the last batch: zeros, ignored on read */
            memset(b->x + (size_t)r * D, 0, (size_t)D * sizeof *b->x);
            if (with_y)
                memset(b->y + (size_t)r * H, 0, (size_t)H * sizeof *b->y);
            b->ii[r] = b->ic[r] = b->iw[r] = 0;
        }
    }
    return 0;
}

static int write_inputs(const struct net *n, int k, const struct train_buf *b, bool with_y,
                        struct sco_err *err)
{
    const struct sco_runtime_api *rt = n->rt;
    size_t B = (size_t)n->B;
    int rc = rt->write(n->x[k], b->x, B * (size_t)n->l.D * sizeof(float), err);
    if (!rc)
        rc = rt->write(n->ii[k], b->ii, B * sizeof(int32_t), err);
    if (!rc)
        rc = rt->write(n->ic[k], b->ic, B * sizeof(int32_t), err);
    if (!rc)
        rc = rt->write(n->iw[k], b->iw, B * sizeof(int32_t), err);
    if (!rc && with_y)
        rc = rt->write(n->y, b->y, B * (size_t)n->l.H * sizeof(float), err);
    return rc;
}

/* Trains `epochs` epochs on origins up to `limit`; lr_scale 1 with a cosine schedule for the
 * main phase, a constant lower rate for fine-tuning. */
static int train(struct net *n, const struct sco__fc_set *set, const struct sco__fc_feat *f,
                 const struct sco__fc_model_opts *o, int limit, int epochs, bool fine,
                 struct train_buf *b, struct sco__fc_model_result *res, const char *phase,
                 struct sco_err *err)
{
    if (epochs <= 0)
        return 0;
    const struct sco_runtime_api *rt = n->rt;
    struct origin *org = NULL;
    size_t n_org = 0;
    int rc = origins(set, n->l.H, limit, &org, &n_org, err);
    if (rc)
        return rc;
    if (n_org == 0) {
        free(org);
        return 0;
    }
    size_t spe = o->samples_per_epoch > 0 ? (size_t)o->samples_per_epoch : 16384;
    if (spe > n_org)
        spe = n_org;
    int steps = (int)((spe + (size_t)n->B - 1) / (size_t)n->B);
    struct sco_optim_opts oo = { .kind = SCO_OPTIM_ADAM, .lr = o->lr > 0 ? o->lr : 1e-3f,
                                 .clip_norm = 1.0f };
    if (fine) {
        oo.lr *= 0.3f;
    } else {
        oo.sched = SCO_SCHED_COSINE;
        oo.total_steps = (int64_t)steps * epochs;
        oo.min_lr_frac = 0.05f;
    }
    struct sco_optim *opt = rt->optim_new(n->ps, &oo, err);
    if (!opt) {
        free(org);
        return err->code ? err->code : SCO_ERR_INTERNAL;
    }
    struct sco__fc_rng rng;
    struct origin bat[1024];
    sco__fc_rng_seed(&rng, o->seed ^ (fine ? 0x5eedf17eULL : 0x7a11ULL));
    double t0 = now_s();
    long samples = 0;
    for (int e = 0; e < epochs && !rc; e++) {
        /* partial Fisher-Yates: the first spe origins are a uniform sample */
        for (size_t k = 0; k < spe; k++) {
            size_t j = k + (size_t)(sco__fc_rng_next(&rng) % (uint64_t)(n_org - k));
            struct origin t = org[k];
            org[k] = org[j];
            org[j] = t;
        }
        double lsum = 0;
        for (int s = 0; s < steps && !rc; s++) {
            /* full batches; the last one wraps around the shuffled origins */
            size_t a = (size_t)s * (size_t)n->B;
            for (int r = 0; r < n->B; r++)
                bat[r] = org[(a + (size_t)r) % n_org];
            fill_batch(n, set, f, bat, (size_t)n->B, b, NULL, true);
            rc = write_inputs(n, 0, b, true, err);
            if (!rc)
                rc = rt->train_step(n->g[0], opt, err);
            lsum += rt->loss_value(n->g[0]);
            samples += n->B;
        }
        if (rc)
            break;
        res->final_loss = lsum / steps;
        if (o->progress) {
            char note[128];
            snprintf(note, sizeof note, "%s epoch %d/%d loss %.4f %.0f samples/s", phase, e + 1,
                     epochs, res->final_loss, samples / (now_s() - t0 + 1e-9));
            o->progress(o->ctx, e + 1, epochs, note);
        }
        if (o->cancelled && o->cancelled(o->ctx))
            rc = sco_err_set(err, SCO_ERR_CANCELLED, "model training cancelled");
    }
    double dt = now_s() - t0;
    if (!fine && dt > 0)
        res->samples_per_s = samples / dt;
    rt->optim_free(opt);
    free(org);
    return rc;
}

/* Means for the given origins into out[q * h_out + t] for t < h_out. */
static int predict(struct net *n, const struct sco__fc_set *set, const struct sco__fc_feat *f,
                   const struct origin *org, size_t cnt, int h_out, bool nonneg,
                   struct train_buf *b, float *outbuf, double *out, struct sco_err *err)
{
    const struct sco_runtime_api *rt = n->rt;
    double scales[1024];
    int H = n->l.H, rc = 0;
    for (size_t a = 0; a < cnt && !rc; a += (size_t)n->B) {
        size_t m = cnt - a < (size_t)n->B ? cnt - a : (size_t)n->B;
        fill_batch(n, set, f, org + a, m, b, scales, false);
        rc = write_inputs(n, 1, b, false, err);
        if (!rc)
            rc = rt->compute(n->g[1], err);
        if (!rc)
            rc = rt->read(n->out[1], outbuf, (size_t)n->B * (size_t)H * sizeof(float), err);
        for (size_t r = 0; r < m && !rc; r++)
            for (int t = 0; t < h_out; t++) {
                double v = outbuf[r * (size_t)H + (size_t)t];
                if (n->loss == SCO__FC_LOSS_TWEEDIE || n->loss == SCO__FC_LOSS_POISSON)
                    v = exp(v > 20 ? 20 : v) * scales[r];
                else
                    v = (1.0 + v) * scales[r];
                out[(a + r) * (size_t)h_out + (size_t)t] = nonneg && v < 0 ? 0 : v;
            }
    }
    return rc;
}

int sco__fc_model_run(const struct sco_runtime_api *rt, struct sco_runtime *R,
                      const struct sco__fc_set *set, const struct sco__fc_feat *feat,
                      const struct sco__fc_model_opts *o, struct sco__fc_model_result *res,
                      struct sco_err *err)
{
    memset(res, 0, sizeof *res);
    struct net n = { .rt = rt, .R = R, .B = o->batch > 0 ? o->batch : 256, .loss = o->loss };
    if (n.B > 1024)
        n.B = 1024;
    if (!rt || !R)
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "no tensor runtime for the model");
    if (o->h < 1 || o->window < 1)
        return sco_err_set(err, SCO_ERR_INVALID, "model horizon and window must be >= 1");
    layout_init(&n.l, feat, o->window, o->h);
    struct train_buf b = { 0 };
    float *outbuf = NULL;
    struct origin *q = NULL;
    int n_days = (int)(set->end - set->start);
    int rc = net_params(&n, feat, o->hidden > 0 ? o->hidden : 256, o->seed, err);
    if (!rc)
        rc = net_graph(&n, 0, err);
    if (!rc)
        rc = net_graph(&n, 1, err);
    if (rc)
        goto out;
    size_t B = (size_t)n.B;
    b.x = malloc(B * (size_t)n.l.D * sizeof *b.x);
    b.y = malloc(B * (size_t)o->h * sizeof *b.y);
    b.ii = malloc(B * sizeof *b.ii);
    b.ic = malloc(B * sizeof *b.ic);
    b.iw = malloc(B * sizeof *b.iw);
    outbuf = malloc(B * (size_t)o->h * sizeof *outbuf);
    size_t nq = set->n * (size_t)(o->bt_windows > 0 ? o->bt_windows : 1);
    q = malloc((nq ? nq : 1) * sizeof *q);
    res->fc = calloc(set->n * (size_t)o->h + 1, sizeof *res->fc);
    if (!b.x || !b.y || !b.ii || !b.ic || !b.iw || !outbuf || !q || !res->fc) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the model");
        goto out;
    }

    /* ---- phase 1: train before the backtest (or warm start) ---- */
    bool bt_ok = o->bt_windows > 0 && o->bt_length > 0 && o->bt_length <= o->h;
    int limit = bt_ok ? n_days - o->bt_windows * o->bt_length : n_days;
    char warm_note[200] = "";
    const char *warm_path = o->warm_path ? o->warm_path : o->model_path;
    if (o->warm_start && warm_path && access(warm_path, F_OK) == 0) {
        struct sco_err e2 = { 0 };
        if (rt->params_load(n.ps, warm_path, &e2) == 0) {
            res->warm_started = true;
        } else {
            snprintf(warm_note, sizeof warm_note, "; warm start refused (%.120s), trained anew",
                     e2.msg);
        }
    }
    if (!res->warm_started)
        rc = train(&n, set, feat, o, limit, o->epochs, false, &b, res, "train", err);
    if (rc)
        goto out;

    /* ---- backtest: forecast every window from the history before it ---- */
    if (bt_ok) {
        res->bt = calloc(nq * (size_t)o->bt_length + 1, sizeof *res->bt);
        if (!res->bt) {
            rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the model backtest");
            goto out;
        }
        for (size_t i = 0; i < set->n; i++)
            for (int w = 1; w <= o->bt_windows; w++)
                q[i * (size_t)o->bt_windows + (size_t)(w - 1)] =
                    (struct origin){ (int32_t)i, (int32_t)(n_days - w * o->bt_length) };
        rc = predict(&n, set, feat, q, nq, o->bt_length, o->nonneg, &b, outbuf, res->bt, err);
        if (rc)
            goto out;
        res->means.bt = res->bt;
    }

    /* ---- phase 2: fine-tune on all data, forecast, save ---- */
    if (limit < n_days || res->warm_started)
        rc = train(&n, set, feat, o, n_days, o->fine_tune_epochs, true, &b, res, "fine-tune",
                   err);
    if (rc)
        goto out;
    for (size_t i = 0; i < set->n; i++)
        q[i] = (struct origin){ (int32_t)i, (int32_t)n_days };
    rc = predict(&n, set, feat, q, set->n, o->h, o->nonneg, &b, outbuf, res->fc, err);
    if (rc)
        goto out;
    res->means.fc = res->fc;
    if (o->model_path)
        rc = rt->params_save(n.ps, o->model_path, err);
    snprintf(res->summary, sizeof res->summary,
             "%s mlp %d-%d-%d-%d, %lld parameters, loss %.4f, %.0f samples/s%s%s",
             res->warm_started ? "warm-started" : "trained",
             n.l.D + EMB_ITEM + EMB_CAT + EMB_WH, o->hidden > 0 ? o->hidden : 256,
             o->hidden > 0 ? o->hidden : 256, o->h, (long long)rt->params_numel(n.ps),
             res->final_loss, res->samples_per_s,
             res->warm_started ? "; its backtest saw those windows in earlier runs" : "",
             warm_note);
out:
    free(b.x);
    free(b.y);
    free(b.ii);
    free(b.ic);
    free(b.iw);
    free(outbuf);
    free(q);
    net_free(&n);
    if (rc)
        sco__fc_model_result_fini(res);
    return rc;
}

void sco__fc_model_result_fini(struct sco__fc_model_result *res)
{
    if (!res)
        return;
    free(res->bt);
    free(res->fc);
    res->bt = res->fc = NULL;
    res->means.bt = res->means.fc = NULL;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

double sco__fc_mlp_speed(const struct sco_runtime_api *rt, struct sco_runtime *R, int in,
                         int hidden, int out, int batch, int steps, double *cpu_sps,
                         struct sco_err *err)
{
    struct sco_params *ps = rt->params_new(R, 1, err);
    if (!ps)
        return err->code ? err->code : SCO_ERR_NOMEM;
    struct sco_graph *g = NULL;
    struct sco_optim *opt = NULL;
    float *xb = malloc((size_t)batch * in * sizeof *xb), *yb = malloc((size_t)batch * out *
                                                                       sizeof *yb);
    double r = SCO_ERR_NOMEM;
    struct sco_tensor *w1 = rt->param(ps, "w1", 2, (int64_t[]){ in, hidden },
                                      SCO_INIT_HE_UNIFORM, 0, err);
    struct sco_tensor *b1 = rt->param(ps, "b1", 1, (int64_t[]){ hidden }, SCO_INIT_ZEROS, 0, err);
    struct sco_tensor *w2 = rt->param(ps, "w2", 2, (int64_t[]){ hidden, hidden },
                                      SCO_INIT_HE_UNIFORM, 0, err);
    struct sco_tensor *b2 = rt->param(ps, "b2", 1, (int64_t[]){ hidden }, SCO_INIT_ZEROS, 0, err);
    struct sco_tensor *w3 = rt->param(ps, "w3", 2, (int64_t[]){ hidden, out },
                                      SCO_INIT_XAVIER_UNIFORM, 0, err);
    struct sco_tensor *b3 = rt->param(ps, "b3", 1, (int64_t[]){ out }, SCO_INIT_ZEROS, 0, err);
    if (!xb || !yb || !w1 || !b1 || !w2 || !b2 || !w3 || !b3)
        goto out;
    struct sco__fc_rng rng;
    sco__fc_rng_seed(&rng, 5);
    for (int k = 0; k < batch * in; k++)
        xb[k] = (float)sco__fc_rng_normal(&rng);
    for (int k = 0; k < batch * out; k++)
        yb[k] = (float)sco__fc_rng_normal(&rng);
    g = rt->graph_new(R);
    struct sco_tensor *x = rt->input(g, SCO_F32, 2, (int64_t[]){ batch, in });
    struct sco_tensor *y = rt->input(g, SCO_F32, 2, (int64_t[]){ batch, out });
    struct sco_tensor *h = rt->linear(g, x, w1, b1, SCO_ACT_RELU);
    h = rt->linear(g, h, w2, b2, SCO_ACT_RELU);
    struct sco_tensor *p = rt->linear(g, h, w3, b3, SCO_ACT_NONE);
    rt->mark_output(g, p);
    rt->mark_loss(g, rt->mse(g, p, y));
    int rc = rt->plan(g, err);
    opt = rc ? NULL : rt->optim_new(ps, &(struct sco_optim_opts){ .kind = SCO_OPTIM_ADAM,
                                                                   .lr = 1e-3f }, err);
    if (!opt) {
        r = err->code ? err->code : SCO_ERR_INTERNAL;
        goto out;
    }
    rc = rt->write(x, xb, (size_t)batch * in * sizeof *xb, err);
    if (!rc)
        rc = rt->write(y, yb, (size_t)batch * out * sizeof *yb, err);
    for (int s = 0; s < 5 && !rc; s++) /* warm-up */
        rc = rt->train_step(g, opt, err);
    double t0 = now_s(), c0 = cpu_s();
    for (int s = 0; s < steps && !rc; s++)
        rc = rt->train_step(g, opt, err);
    double dt = now_s() - t0, dc = cpu_s() - c0;
    r = rc ? rc : (double)steps * batch / dt;
    if (cpu_sps)
        *cpu_sps = dc > 0 ? (double)steps * batch / dc : NAN;
out:
    rt->optim_free(opt);
    rt->graph_free(g);
    rt->params_free(ps);
    free(xb);
    free(yb);
    return r;
}
