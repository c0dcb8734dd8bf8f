/* util.h: small helpers shared by the host's files (strings, paths, hashing, suggestions). */
#ifndef SCO_HOST_UTIL_H
#define SCO_HOST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sco/sco-plugin.h>

/* Growable string; s is always NUL-terminated once anything was appended. */
struct sco__buf {
    char *s;
    size_t len, cap;
};

void sco__buf_putn(struct sco__buf *b, const char *s, size_t n);
void sco__buf_puts(struct sco__buf *b, const char *s);
void sco__buf_putc(struct sco__buf *b, char c);
void sco__buf_printf(struct sco__buf *b, const char *fmt, ...) SCO_PRINTF(2, 3);
void sco__buf_fini(struct sco__buf *b);
/* Returns the string (never NULL) and leaves b empty; the caller frees it. */
char *sco__buf_take(struct sco__buf *b);

/* Allocation that aborts the process on failure: only the host uses it, and only for
 * small bookkeeping where out-of-memory cannot be handled better than by exiting. */
void *sco__xmalloc(size_t n);
void *sco__xcalloc(size_t n, size_t size);
void *sco__xrealloc(void *p, size_t n);
char *sco__xstrdup(const char *s);
char *sco__xasprintf(const char *fmt, ...) SCO_PRINTF(1, 2);

/* The candidate closest to `word` (edit distance at most a third of its length, at least 1),
 * or NULL. For "did you mean" hints. */
const char *sco__suggest(const char *word, const char *const *cands, size_t n);
/* Appends " (did you mean 'x'?)" to b when there is a close candidate. */
void sco__buf_suggest(struct sco__buf *b, const char *word, const char *const *cands, size_t n);

/* pattern with every "{date}" replaced by the ISO date; the caller frees it. */
char *sco__expand_date(const char *pattern, int64_t date);
/* `rel` resolved against folder `dir` (unchanged when absolute); the caller frees it. */
char *sco__path_join(const char *dir, const char *rel);
/* The folder part of `path` ("." when there is none); the caller frees it. */
char *sco__path_dir(const char *path);
/* The last component; borrowed from path. */
const char *sco__path_base(const char *path);
/* Removes a folder tree; 0 or -errno. */
int sco__rm_rf(const char *path);

/* SHA-256 of a file as 64 lowercase hex digits plus NUL; 0 or -errno. */
int sco__sha256_file(const char *path, char hex[65]);
void sco__sha256(const void *data, size_t n, uint8_t out[32]);

/* Wall clock in seconds (CLOCK_REALTIME) and a monotonic clock. */
double sco__now(void);
double sco__mono(void);
/* "2026-11-29T05:49:00Z" (with_ms: "2026-11-29T05:49:00.123Z") into out. */
#define SCO__TS_BUF 80
void sco__format_utc(double t, bool with_ms, char out[SCO__TS_BUF]);

/* Name of a signal ("SIGSEGV"), or "signal N" in a static buffer. */
const char *sco__signal_name(int sig);

#endif
