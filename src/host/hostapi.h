/* hostapi.h: the host's API table for plugins, and the worker that runs stages with it. */
#ifndef SCO_HOST_HOSTAPI_H
#define SCO_HOST_HOSTAPI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <sco/sco-plugin.h>

#include "pipeline.h"

/* The table handed to sco_plugin_entry(); static, valid for the process lifetime. */
const struct sco_host_api *sco__host_api(void);

/* Separates the file names in sco__stage_state.outputs (file_create refuses control
 * characters, so no name holds it). */
#define SCO__FILE_SEP '\x1f'
#define SCO__FILE_SEP_S "\x1f"

/* Stage states, as recorded in the manifest. */
enum sco__status {
    SCO__ST_PENDING,  /* selected, not run yet */
    SCO__ST_OK,
    SCO__ST_FAILED,   /* init or run returned an error, or its outputs were bad */
    SCO__ST_CRASHED,  /* the worker died by a signal while running it */
    SCO__ST_SKIPPED,  /* a stage it depends on did not succeed */
    SCO__ST_CANCELLED,
    SCO__ST_NOT_SELECTED, /* left out by --only / --skip */
    SCO__ST_TIMED_OUT,    /* ran past its time limit and was cancelled or killed */
};

const char *sco__status_name(enum sco__status s);

struct sco__stage_state {
    enum sco__status status;
    int code;   /* SCO_ERR_* of a failure */
    int signal; /* crashed: the signal */
    bool write_failed; /* the failure was writing its outputs (exit 73) */
    double started, duration;
    double started_mono; /* parent: when it saw the stage start (for its time limit) */
    double timeout;      /* timed out: the limit in seconds */
    int64_t rows_in, rows_out;
    char *outputs; /* files it wrote (relative to the output folder), SCO__FILE_SEP between */
    char *error;   /* message of a failure or skip */
};

/* What the parent and its workers share (set up before the fork). */
struct sco__run {
    struct sco__config *cfg;
    struct sco__pipeline *pipe;
    char run_id[64];
    int64_t date;
    char *out_final;  /* the run's output folder (final name) */
    char *staging;    /* where this run writes until it succeeds */
    int threads;      /* resolved: > 0 */
    bool dry_run;
    struct sco__stage_state *st; /* pipe->n */
    /* set by the worker */
    char device[16];
};

/* Runs every selected stage still PENDING in st[], in order, in this process, reporting to
 * `event_fd` (a pipe; -1: none) one line per event. Used by the worker child; returns the
 * process exit status for the worker. */
int sco__worker_main(struct sco__run *run, int event_fd);

/* Set by SIGINT/SIGTERM in the worker; host->cancelled() reads it. */
extern volatile sig_atomic_t sco__cancel_flag;

/* The stage (index) whose time limit passed: SCO__TIMEOUT_SIGNAL sent with sigqueue() carries
 * it; host->cancelled() is true for that stage only, and the worker goes on with the others. */
#define SCO__TIMEOUT_SIGNAL SIGUSR1
extern volatile sig_atomic_t sco__timeout_stage;

#endif
