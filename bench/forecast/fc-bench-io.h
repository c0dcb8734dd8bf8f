/* fc-bench-io.h: minimal CSV reading for the forecast benchmark (long format
 * series_id,KEY,qty where KEY is an ISO date or an integer time index). */
#ifndef SCO_FC_BENCH_IO_H
#define SCO_FC_BENCH_IO_H

#include <stddef.h>
#include <stdint.h>

#include <sco/sco-plugin.h>

struct bench_table {
    size_t n, cap;
    char **id;
    int64_t *key2; /* days since 1970-01-01 or t */
    double *val;
    size_t *line;
    char path[1024];
    char origin[1100];
};

struct bench_series {
    char *id;
    int64_t t0;
    int n;
    double *y;
};

/* Reads PATH with header containing series_id, KEY and qty. Errors name file:line. */
int bench_read_long(const char *path, const char *key, struct bench_table *t,
                    struct sco_err *err);
void bench_table_fini(struct bench_table *t);
const char *bench_origin(void *ud, size_t row);
/* Groups rows by series_id (first-appearance order), sorted by key; gaps are errors. */
int bench_group(const struct bench_table *t, struct bench_series **out, size_t *n,
                struct sco_err *err);
void bench_series_free(struct bench_series *s, size_t n);
int bench_parse_date(const char *s, int64_t *out);
void bench_date_str(int64_t days, char buf[48]);

#endif
