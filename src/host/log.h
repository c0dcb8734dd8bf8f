/* log.h: the host's log (text on a TTY, JSON lines on request) and the progress bar. */
#ifndef SCO_HOST_LOG_H
#define SCO_HOST_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include <sco/sco-plugin.h>

enum sco__log_format { SCO__LOG_TEXT, SCO__LOG_JSON };

/* Sets format and run id (may be NULL before the run has one). Reads SCO_LOG_LEVEL
 * (debug|info|warn|error, default info). Logs go to stderr. */
void sco__log_setup(enum sco__log_format fmt, const char *run_id);
enum sco__log_format sco__log_get_format(void);

void sco__host_log(const char *stage, enum sco_log_level lvl, const char *fmt, ...)
    SCO_PRINTF(3, 4);
void sco__host_logv(const char *stage, enum sco_log_level lvl, const char *fmt, va_list ap)
    SCO_PRINTF(3, 0);

/* Registers a value substituted from ${ENV}: it is replaced by "***" in every log line and in
 * the manifest. The string is copied. */
void sco__secret_add(const char *value);
/* Returns a copy of s with every registered secret replaced; the caller frees it. */
char *sco__scrub(const char *s);

/* A progress bar on stderr, drawn only when stderr is a TTY and the format is text;
 * redrawn at most ten times a second. */
void sco__progress(const char *stage, double done, double total, const char *note);
void sco__progress_clear(void);

#endif
