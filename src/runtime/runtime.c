/* runtime.c: creating the runtime (backend choice, CUDA module loading, thread pool) and
 * the function table handed to plugins. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

#ifndef SCO_BACKEND_BUILDDIR
#define SCO_BACKEND_BUILDDIR ""
#endif
#ifndef SCO_BACKEND_INSTALLDIR
#define SCO_BACKEND_INSTALLDIR ""
#endif

#define CUDA_MODULE "sco-backend-cuda.so"

void *sco__mem_alloc(struct sco_runtime *R, size_t bytes)
{
    if (bytes == 0)
        bytes = 64;
    if (R && R->be)
        return R->be_ops->alloc(R->be, bytes);
    void *p = NULL;
    if (posix_memalign(&p, 64, (bytes + 63) & ~(size_t)63) != 0)
        return NULL;
    memset(p, 0, bytes);
    return p;
}

void sco__mem_free(struct sco_runtime *R, void *p)
{
    if (!p)
        return;
    if (R && R->be)
        R->be_ops->free(R->be, p);
    else
        free(p);
}

int sco__sync(struct sco_runtime *R, struct sco_err *err)
{
    if (R && R->be)
        return R->be_ops->sync(R->be, err);
    return 0;
}

static void say(const struct sco_runtime_opts *o, enum sco_log_level lvl, const char *msg)
{
    if (o->log)
        o->log(o->log_ctx, lvl, msg);
}

/* Tries to open the CUDA module and a device. Returns 0 with R->be set, or an error whose
 * message is the reason ("no device", "module ... not found"). */
static int load_cuda(struct sco_runtime *R, const struct sco_runtime_opts *o, struct sco_err *err)
{
    const char *dirs[4] = { o->backend_dir, getenv("SCO_BACKEND_PATH"), SCO_BACKEND_BUILDDIR,
                            SCO_BACKEND_INSTALLDIR };
    char path[4096];
    char why[SCO_ERR_MSG_MAX] = "";
    void *dl = NULL;
    /* an explicit folder is the only place looked at; else env, build tree, install dir */
    int first = o->backend_dir ? 0 : 1, last = o->backend_dir ? 1 : 4;
    for (int i = first; i < last && !dl; i++) {
        if (!dirs[i] || !dirs[i][0])
            continue;
        snprintf(path, sizeof path, "%s/%s", dirs[i], CUDA_MODULE);
        if (access(path, F_OK) != 0)
            continue;
        /* NODELETE: libcudart and libstdc++ keep global state that a real unload would leak */
        dl = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!dl)
            snprintf(why, sizeof why, "cannot load '%.200s': %.250s", path, dlerror());
    }
    if (!dl)
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "%s",
                           why[0] ? why : "module " CUDA_MODULE " not found (built without CUDA)");
    sco__backend_entry_fn *entry;
    void *sym = dlsym(dl, SCO__BACKEND_ENTRY);
    memcpy(&entry, &sym, sizeof entry); /* POSIX: object and function pointers convert */
    if (!entry) {
        dlclose(dl);
        return sco_err_set(err, SCO_ERR_UNSUPPORTED, "'%.300s' lacks %s", path,
                           SCO__BACKEND_ENTRY);
    }
    struct sco__backend_init init = { SCO__BACKEND_OPS_VERSION, o->allow_tf32, R->threads };
    struct sco__backend *be = NULL;
    const struct sco__backend_ops *ops = NULL;
    int rc = entry(&init, &be, &ops, err);
    if (rc) {
        dlclose(dl);
        return rc;
    }
    if (!ops || ops->version != SCO__BACKEND_OPS_VERSION) {
        if (ops && ops->destroy)
            ops->destroy(be);
        dlclose(dl);
        return sco_err_set(err, SCO_ERR_UNSUPPORTED,
                           "'%.300s' has backend ops version %u, expected %u",
                           path, ops ? ops->version : 0, SCO__BACKEND_OPS_VERSION);
    }
    R->be = be;
    R->be_ops = ops;
    R->dl = dl;
    return 0;
}

int sco_runtime_create(const struct sco_runtime_opts *opts, struct sco_runtime **out,
                       struct sco_err *err)
{
    if (!opts || !out)
        return sco_err_set(err, SCO_ERR_INVALID, "runtime: options and output are required");
    *out = NULL;
    const char *dev = opts->device ? opts->device : "auto";
    if (strcmp(dev, "auto") != 0 && strcmp(dev, "cpu") != 0 && strcmp(dev, "cuda") != 0)
        return sco_err_set(err, SCO_ERR_CONFIG,
                           "unknown device '%s'; use auto, cpu or cuda", dev);
    struct sco_runtime *R = calloc(1, sizeof *R);
    if (!R)
        return sco_err_set(err, SCO_ERR_NOMEM, "out of memory creating the runtime");
    int th = opts->threads;
    if (th <= 0) {
        long np = sysconf(_SC_NPROCESSORS_ONLN);
        th = np > 0 ? (int)np : 1;
    }
    if (th > 256)
        th = 256;
    R->threads = th;
    R->seed = opts->seed;
    R->device = "cpu";
    int rc = 0;
    if (strcmp(dev, "cpu") != 0) {
        struct sco_err why = { 0 };
        rc = load_cuda(R, opts, &why);
        if (rc == 0) {
            R->device = "cuda";
        } else if (strcmp(dev, "cuda") == 0) {
            rc = sco_err_set(err, SCO_ERR_UNSUPPORTED,
                             "device 'cuda' requested but the cuda backend is unavailable: %s; "
                             "set run.device: auto or cpu",
                             why.msg);
            (void)0;
            goto fail;
        } else {
            char line[SCO_ERR_MSG_MAX + 64];
            snprintf(line, sizeof line, "cuda backend unavailable: %s; using cpu", why.msg);
            say(opts, SCO_LOG_INFO, line);
            rc = 0;
        }
    }
    sco__cpu_init_blas(th);
    if (sco__pool_new(th, &R->pool) != 0) {
        rc = sco_err_set(err, SCO_ERR_NOMEM, "cannot start %d runtime threads", th);
        goto fail;
    }
    *out = R;
    return 0;
fail:
    sco_runtime_destroy(R);
    return rc;
}

void sco_runtime_destroy(struct sco_runtime *R)
{
    if (!R)
        return;
    sco__pool_free(R->pool);
    if (R->be)
        R->be_ops->destroy(R->be);
    if (R->dl)
        dlclose(R->dl);
    free(R);
}

const char *sco_runtime_device(const struct sco_runtime *R)
{
    return R ? R->device : "cpu";
}

/* ---- the table ---- */

static const char *rt_device(const struct sco_runtime *R)
{
    return sco_runtime_device(R);
}
static int rt_threads(const struct sco_runtime *R)
{
    return R ? R->threads : 1;
}
static uint64_t rt_seed(const struct sco_runtime *R)
{
    return R ? R->seed : 0;
}
static void rt_graph_seed(struct sco_graph *g, uint64_t seed)
{
    if (g) {
        g->seed = seed;
        for (int i = 0; i < g->n_nodes; i++)
            g->nodes[i]->seed = sco__mix64(seed ^ (uint64_t)i * 0x2545f4914f6cdd1dull);
    }
}
static void rt_set_training(struct sco_graph *g, bool on)
{
    if (g)
        g->training = on;
}
static int rt_ndim(const struct sco_tensor *t)
{
    return t ? t->ndim : 0;
}
static int64_t rt_dim(const struct sco_tensor *t, int axis)
{
    if (!t)
        return 0;
    if (axis < 0)
        axis += t->ndim;
    return axis >= 0 && axis < t->ndim ? t->shape[axis] : 0;
}
static int64_t rt_numel(const struct sco_tensor *t)
{
    return t ? t->n : 0;
}
static enum sco_dtype rt_dtype(const struct sco_tensor *t)
{
    return t ? t->dtype : SCO_F32;
}


const struct sco_runtime_api sco__api = {
    .version = SCO_RUNTIME_API_VERSION,
    .size = sizeof(struct sco_runtime_api),
    .device = rt_device,
    .threads = rt_threads,
    .seed = rt_seed,
    .params_new = sco__params_new,
    .params_free = sco__params_free,
    .param = sco__param,
    .param_get = sco__param_get,
    .params_count = sco__params_count,
    .params_numel = sco__params_numel,
    .params_zero_grad = sco__params_zero_grad,
    .params_save = sco__params_save,
    .params_load = sco__params_load,
    .params_write = sco__params_write,
    .params_read = sco__params_read,
    .graph_new = sco__graph_new,
    .graph_free = sco__graph_free,
    .graph_seed = rt_graph_seed,
    .set_training = rt_set_training,
    .input = sco__input,
    .constant = sco__constant,
    .ndim = rt_ndim,
    .dim = rt_dim,
    .numel = rt_numel,
    .dtype = rt_dtype,
    .matmul = sco__matmul,
    .linear = sco__linear,
    .bias_add = sco__bias_add,
    .add = sco__add,
    .sub = sco__sub,
    .mul = sco__mul,
    .div = sco__div,
    .scale = sco__scale,
    .add_scalar = sco__add_scalar,
    .relu = sco__relu,
    .leaky_relu = sco__leaky_relu,
    .gelu = sco__gelu,
    .tanh = sco__tanh,
    .sigmoid = sco__sigmoid,
    .softplus = sco__softplus,
    .exp = sco__exp,
    .log = sco__log,
    .softmax = sco__softmax,
    .log_softmax = sco__log_softmax,
    .sum = sco__sum,
    .mean = sco__mean,
    .concat = sco__concat,
    .slice = sco__slice,
    .reshape = sco__reshape,
    .transpose = sco__transpose,
    .embedding = sco__embedding,
    .dropout = sco__dropout,
    .layer_norm = sco__layer_norm,
    .conv1d = sco__conv1d,
    .gru = sco__gru,
    .mse = sco__mse,
    .pinball = sco__pinball,
    .poisson_nll = sco__poisson_nll,
    .tweedie_nll = sco__tweedie_nll,
    .bce_logits = sco__bce_logits,
    .softmax_xent = sco__softmax_xent,
    .bpr = sco__bpr,
    .mark_output = sco__mark_output,
    .mark_loss = sco__mark_loss,
    .plan = sco__plan,
    .write = sco__write,
    .read = sco__read,
    .read_grad = sco__read_grad,
    .loss_value = sco__loss_value,
    .compute = sco__compute,
    .backward = sco__backward,
    .optim_new = sco__optim_new,
    .optim_free = sco__optim_free,
    .step = sco__step,
    .optim_lr = sco__optim_lr,
    .optim_grad_norm = sco__optim_grad_norm,
    .train_step = sco__train_step,
};

const struct sco_runtime_api *sco_runtime_api_table(void)
{
    return &sco__api;
}
