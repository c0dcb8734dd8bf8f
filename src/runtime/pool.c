/* pool.c: a small fixed thread pool. Workers sleep on a condition variable between jobs;
 * nothing spins. Tasks are claimed one by one under the mutex-free counter below, but every
 * task's result depends only on its index, so the outcome is independent of scheduling. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core.h"

struct sco__pool {
    int n_workers;
    pthread_t *tids;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    uint64_t generation;
    bool stop;
    /* current job */
    sco__task_fn *fn;
    void *ctx;
    int64_t n_tasks;
    atomic_llong next;
    int busy; /* workers still inside the current job */
};

static void run_tasks(struct sco__pool *p)
{
    for (;;) {
        int64_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n_tasks)
            break;
        p->fn(p->ctx, i);
    }
}

static void *worker(void *arg)
{
    struct sco__pool *p = arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->generation == seen)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->stop)
            break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);
        run_tasks(p);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_signal(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int sco__pool_new(int threads, struct sco__pool **out)
{
    struct sco__pool *p = calloc(1, sizeof *p);
    if (!p)
        return SCO_ERR_NOMEM;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    int nw = threads > 1 ? threads - 1 : 0;
    if (nw > 0) {
        p->tids = calloc((size_t)nw, sizeof *p->tids);
        if (!p->tids) {
            sco__pool_free(p);
            return SCO_ERR_NOMEM;
        }
    }
    for (int i = 0; i < nw; i++) {
        if (pthread_create(&p->tids[i], NULL, worker, p) != 0)
            break;
        p->n_workers++;
    }
    *out = p;
    return 0;
}

void sco__pool_free(struct sco__pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_workers; i++)
        pthread_join(p->tids[i], NULL);
    free(p->tids);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p);
}

void sco__parallel(struct sco__pool *p, int64_t n_tasks, sco__task_fn *fn, void *ctx)
{
    if (n_tasks <= 0)
        return;
    if (!p || p->n_workers == 0 || n_tasks == 1) {
        for (int64_t i = 0; i < n_tasks; i++)
            fn(ctx, i);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n_tasks = n_tasks;
    atomic_store(&p->next, 0);
    p->busy = p->n_workers;
    p->generation++;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    run_tasks(p);
    pthread_mutex_lock(&p->mu);
    while (p->busy > 0)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
