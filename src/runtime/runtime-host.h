/* runtime-host.h: how the host creates and ends the one tensor runtime of a run.
 * Private to sco (not installed). Plugins reach the runtime only through
 * sco_host_api.rt and sco_host_api.runtime(). */
#ifndef SCO_RUNTIME_HOST_H
#define SCO_RUNTIME_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include <sco/sco-plugin.h>

struct sco_runtime_opts {
    const char *device;      /* "auto", "cpu" or "cuda" */
    int threads;             /* thread budget (OpenBLAS and our own loops); <= 0: nproc */
    uint64_t seed;           /* default seed for parameter init and dropout */
    bool allow_tf32;         /* cuBLAS may use TF32 (CUDA backend only) */
    const char *backend_dir; /* where sco-backend-cuda.so is looked for; NULL: built-in list */
    /* Where the runtime's few log lines go (e.g. "cuda backend unavailable: no device; using
     * cpu"); may be NULL. */
    void (*log)(void *log_ctx, enum sco_log_level lvl, const char *msg);
    void *log_ctx;
};

/* Creates the runtime. device "cuda" without a usable device or module is SCO_ERR_UNSUPPORTED
 * (the host exits 78); "auto" falls back to the CPU with one INFO line. */
int sco_runtime_create(const struct sco_runtime_opts *opts, struct sco_runtime **out,
                       struct sco_err *err);
void sco_runtime_destroy(struct sco_runtime *rt); /* NULL: no-op */
const char *sco_runtime_device(const struct sco_runtime *rt); /* "cpu" or "cuda" */
/* The function table handed to plugins as sco_host_api.rt; static, never NULL. */
const struct sco_runtime_api *sco_runtime_api_table(void);

#endif
