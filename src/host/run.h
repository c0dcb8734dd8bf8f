/* run.h: the `sco run`, `sco check-config` and `sco plugins` commands. */
#ifndef SCO_HOST_RUN_H
#define SCO_HOST_RUN_H

#include <stdbool.h>

struct sco__run_opts {
    const char *config;
    const char *date; /* --date, or NULL */
    const char *out;  /* --out, or NULL */
    const char *only, *skip;
    bool dry_run;
    int log_format; /* -1: from the config; else enum sco__log_format */
};

/* Each returns the process exit status. */
int sco__cmd_run(const struct sco__run_opts *o);
int sco__cmd_check(const char *config, int log_format);
int sco__cmd_plugins(const char *config, bool json);

#endif
