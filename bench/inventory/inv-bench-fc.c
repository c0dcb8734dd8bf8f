/* inv-bench-fc.c: the forecast plugin's core driven the way the plugin's run does it
 * (plugins/forecast/forecast.c: forecast_run), once per simulated review. See inv-bench-fc.h. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sco/sco-tensor.h>

#include "fc-model.h"
#include "fc.h"
#include "inv-bench-fc.h"
#include "runtime-host.h"

struct ib_fc {
    struct ib_fc_opts o;
    struct sco__fc_set full;     /* every series over the whole data */
    struct sco__fc_series *vbuf; /* the view up to the review */
    struct sco__fc_result *res;
    const float *ev;
    struct sco_runtime *R;
    int runs;
    double seconds, model_seconds;
    long chosen[SCO__FC_N_METHODS];
    long dflt_model, dflt_ens, dflt_stat;
    int cold; /* reviews after the first whose warm start failed */
    char model_summary[256];
    char summary[1024];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int ib_fc_new(const struct ib_fc_opts *o, int n, const char *const *ids, double *const *y,
              int n_days, int64_t day0, const float *ev, struct ib_fc **out, struct sco_err *err)
{
    *out = NULL;
    if (n < 1 || n_days < 1 || o->h < 1 || o->n_levels < 1 || o->n_levels > SCO__FC_MAX_Q)
        return sco_err_set(err, SCO_ERR_INVALID, "forecaster: %d series, %d days, horizon %d, "
                           "%d levels; need >= 1 each and at most %d levels", n, n_days, o->h,
                           o->n_levels, SCO__FC_MAX_Q);
    struct ib_fc *f = calloc(1, sizeof *f);
    if (!f)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the forecaster");
    f->o = *o;
    f->o.model_path = NULL;
    f->ev = ev;
    f->full.n = (size_t)n;
    f->full.start = day0;
    f->full.end = day0 + n_days;
    f->full.s = calloc((size_t)n, sizeof *f->full.s);
    f->vbuf = calloc((size_t)n, sizeof *f->vbuf);
    f->res = calloc((size_t)n, sizeof *f->res);
    if (!f->full.s || !f->vbuf || !f->res) {
        ib_fc_free(f);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the forecaster");
    }
    for (int i = 0; i < n; i++) {
        struct sco__fc_series *s = &f->full.s[i];
        const char *at = strchr(ids[i], '@');
        s->sku = at ? strndup(ids[i], (size_t)(at - ids[i])) : strdup(ids[i]);
        s->warehouse = strdup(at ? at + 1 : "");
        if (!s->sku || !s->warehouse) {
            ib_fc_free(f);
            return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the forecaster");
        }
        s->start = day0;
        s->n = n_days;
        s->y = y[i]; /* borrowed: freed by the caller, never by sco__fc_set_fini */
    }
    if (o->model_path && !(f->o.model_path = strdup(o->model_path))) {
        ib_fc_free(f);
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory for the forecaster");
    }
    if (o->mode == IB_FC_PLUGIN) {
        struct sco_runtime_opts ro = { .device = "cpu", .threads = 1, .seed = o->seed };
        int rc = sco_runtime_create(&ro, &f->R, err);
        if (rc) {
            ib_fc_free(f);
            return rc;
        }
    }
    *out = f;
    return 0;
}

/* The set as a nightly run on the day after `known` days sees it. */
static void view(struct ib_fc *f, int known, struct sco__fc_set *v)
{
    *v = f->full;
    v->s = f->vbuf;
    v->end = f->full.start + known;
    for (size_t i = 0; i < f->full.n; i++) {
        f->vbuf[i] = f->full.s[i];
        f->vbuf[i].n = known;
        int k = 0;
        while (k < known && f->vbuf[i].y[k] == 0)
            k++;
        f->vbuf[i].first = k;
    }
}

/* One step of the plugin's per-series flow for every series, on o.threads threads: series i
 * goes to thread i mod threads; each series' result depends on its own data and seed only,
 * so the forecasts do not depend on the thread count. */
struct job {
    struct ib_fc *f;
    const struct sco__fc_set *v;
    const struct sco__fc_run_opts *ro;
    int step; /* 0: run_choose, 1: run_finish */
    enum sco__fc_method dflt;
};

struct worker {
    const struct job *j;
    int tid, nt;
    int rc;
    struct sco_err err;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    const struct job *j = w->j;
    for (size_t i = (size_t)w->tid; i < j->f->full.n && !w->rc; i += (size_t)w->nt)
        w->rc = j->step == 0 ? sco__fc_run_choose(j->v, i, j->ro, &j->f->res[i], &w->err)
                             : sco__fc_run_finish(j->v, i, j->ro, j->dflt, &j->f->res[i],
                                                  &w->err);
    return NULL;
}

static int par_series(const struct job *j, struct sco_err *err)
{
    enum { MAXT = 16 };
    int nt = j->f->o.threads < 1 ? 1 : j->f->o.threads > MAXT ? MAXT : j->f->o.threads;
    struct worker w[MAXT];
    pthread_t th[MAXT];
    bool started[MAXT] = { false };
    for (int t = 0; t < nt; t++) {
        w[t] = (struct worker){ .j = j, .tid = t, .nt = nt };
        if (t > 0)
            started[t] = pthread_create(&th[t], NULL, work, &w[t]) == 0;
    }
    work(&w[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            work(&w[t]); /* no thread: do its share here */
    }
    for (int t = 0; t < nt; t++)
        if (w[t].rc) {
            *err = w[t].err;
            return w[t].rc;
        }
    return 0;
}

int ib_fc_run(struct ib_fc *f, int known, double *cq, struct sco_err *err)
{
    double t0 = now_s();
    const struct ib_fc_opts *o = &f->o;
    struct sco__fc_set v;
    view(f, known, &v);
    struct sco__fc_run_opts ro = { .h = o->h, .q = o->levels, .nq = o->n_levels,
                                   .bt_windows = o->bt_windows, .bt_length = o->bt_length,
                                   .n_paths = o->n_paths, .seed = o->seed,
                                   .mode = o->mode == IB_FC_PLUGIN ? SCO__FC_MODE_AUTO
                                                                   : SCO__FC_MODE_STAT };
    struct sco__fc_model_result mres = { 0 };
    int rc = 0;
    if (o->mode == IB_FC_PLUGIN) {
        double tm = now_s();
        struct sco__fc_feat feat;
        rc = sco__fc_feat_init(&feat, &v, o->h, 7, err);
        if (!rc && f->ev) {
            feat.day_ev = malloc((size_t)feat.n_days * sizeof *feat.day_ev);
            if (!feat.day_ev)
                rc = sco_err_set(err, SCO_ERR_NOMEM, "out of memory for calendar features");
            else
                memcpy(feat.day_ev, f->ev, (size_t)feat.n_days * sizeof *feat.day_ev);
        }
        /* first review: trained anew on the history before the window; later reviews: warm
         * start from the weights file, fine-tuned every refit_every reviews, else predicted
         * from the weights as they are */
        bool first = f->runs == 0;
        bool refit = !first && o->refit_every > 0 && f->runs % o->refit_every == 0;
        struct sco__fc_model_opts mo = {
            .h = o->h, .window = o->window, .epochs = o->epochs,
            .fine_tune_epochs = first || refit ? o->fine_tune_epochs : 0, .seed = o->seed,
            .loss = SCO__FC_LOSS_TWEEDIE, .nonneg = true, .bt_windows = o->bt_windows,
            .bt_length = o->bt_length, .model_path = o->model_path, .warm_start = !first,
        };
        if (!rc)
            rc = sco__fc_model_run(sco_runtime_api_table(), f->R, &v, &feat, &mo, &mres, err);
        sco__fc_feat_fini(&feat);
        if (rc)
            return rc;
        if (first)
            snprintf(f->model_summary, sizeof f->model_summary, "%s", mres.summary);
        else if (!mres.warm_started)
            f->cold++; /* the weights file could not be read: trained anew */
        ro.model = &mres.means;
        f->model_seconds += now_s() - tm;
    }
    size_t n = f->full.n;
    struct job j = { .f = f, .v = &v, .ro = &ro, .step = 0 };
    rc = par_series(&j, err);
    enum sco__fc_method dflt = sco__fc_pooled_default(f->res, n);
    j.step = 1;
    j.dflt = dflt;
    if (!rc)
        rc = par_series(&j, err);
    if (ro.model) {
        f->dflt_model += dflt == SCO__FC_MODEL;
        f->dflt_ens += dflt == SCO__FC_ENSEMBLE;
        f->dflt_stat += dflt == SCO__FC_N_METHODS;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const struct sco__fc_result *r = &f->res[i];
        f->chosen[r->method]++;
        for (int k = 0; k < o->h; k++)
            for (int l = 0; l < o->n_levels; l++)
                cq[(i * (size_t)o->h + (size_t)k) * (size_t)o->n_levels + (size_t)l] =
                    r->cq[(size_t)l * (size_t)o->h + (size_t)k];
    }
    for (size_t i = 0; i < n; i++)
        sco__fc_result_fini(&f->res[i]);
    sco__fc_model_result_fini(&mres);
    f->runs++;
    f->seconds += now_s() - t0;
    return rc;
}

const char *ib_fc_summary(struct ib_fc *f)
{
    size_t off = (size_t)snprintf(f->summary, sizeof f->summary,
                                  "forecaster=%s runs=%d seconds=%.1f model_seconds=%.1f chose:",
                                  f->o.mode == IB_FC_PLUGIN ? "plugin" : "stat", f->runs,
                                  f->seconds, f->model_seconds);
    for (int m = 0; m < SCO__FC_N_METHODS && off < sizeof f->summary; m++)
        if (f->chosen[m])
            off += (size_t)snprintf(f->summary + off, sizeof f->summary - off, " %s=%ld",
                                    sco__fc_method_name(m), f->chosen[m]);
    if (f->o.mode == IB_FC_PLUGIN && off < sizeof f->summary)
        snprintf(f->summary + off, sizeof f->summary - off,
                 " pooled_default: model=%ld ensemble=%ld statistical=%ld; warm_start_failed=%d;"
                 " first model: %s",
                 f->dflt_model, f->dflt_ens, f->dflt_stat, f->cold, f->model_summary);
    return f->summary;
}

void ib_fc_free(struct ib_fc *f)
{
    if (!f)
        return;
    for (size_t i = 0; f->full.s && i < f->full.n; i++) {
        free(f->full.s[i].sku);
        free(f->full.s[i].warehouse);
    }
    free(f->full.s);
    free(f->vbuf);
    free(f->res);
    free((char *)f->o.model_path);
    sco_runtime_destroy(f->R);
    free(f);
}
