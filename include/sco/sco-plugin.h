/* sco-plugin.h: the only header an out-of-tree sco plugin needs.
 *
 * A plugin is a shared object that exports one function, sco_plugin_entry(). The host passes
 * its API table in; the plugin returns a constant descriptor naming its input and output
 * tables, its config keys and its init/run/fini callbacks. Plugins never link against the
 * sco executable or the tensor runtime: everything they call goes through the tables below.
 *
 * ABI rules: SCO_ABI_VERSION changes only on an incompatible change. Members are appended to
 * struct sco_host_api and struct sco_plugin_desc, never reordered; each side checks `size`
 * before touching a member that appeared later.
 */
#ifndef SCO_PLUGIN_H
#define SCO_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCO_ABI_VERSION 1 /* bump only on an incompatible change */
#define SCO_PLUGIN_ENTRY "sco_plugin_entry"

#if defined(__GNUC__)
#define SCO_EXPORT __attribute__((visibility("default")))
#define SCO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SCO_EXPORT
#define SCO_PRINTF(f, a)
#endif

#define SCO_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Errors (ABI 1) ----------------------------------------------------------------------
 * Functions that can fail return 0 or a negative SCO_ERR_* and write one sentence into a
 * caller-supplied struct sco_err: lowercase, subject quoted, no full stop, the fix after a
 * semicolon. The host maps codes to sysexits-style exit statuses (see README). */
enum sco_err_code {
    SCO_OK = 0,
    SCO_ERR_INVALID = -1,     /* bad argument or bad input data (exit 65) */
    SCO_ERR_NOMEM = -2,       /* out of memory (exit 70) */
    SCO_ERR_IO = -3,          /* cannot read or write a file (exit 73 on output, 66 on input) */
    SCO_ERR_NOINPUT = -4,     /* a required input file or table is missing (exit 66) */
    SCO_ERR_CONFIG = -5,      /* configuration error (exit 78) */
    SCO_ERR_ABI = -6,         /* plugin ABI mismatch (exit 78) */
    SCO_ERR_UNSUPPORTED = -7, /* asked for something this build or machine lacks (exit 78) */
    SCO_ERR_UNAVAILABLE = -8, /* a data source or service is unavailable (exit 69) */
    SCO_ERR_CANCELLED = -9,   /* the run was cancelled (exit 70) */
    SCO_ERR_INFEASIBLE = -10, /* an optimiser found no feasible plan (exit 70) */
    SCO_ERR_INTERNAL = -11,   /* a bug: an invariant did not hold (exit 70) */
    SCO_ERR_LOCKED = -12,     /* another run holds the lock (exit 75) */
    SCO_ERR_DATA = -13,       /* malformed input data: CSV row, wrong type (exit 65) */
};

#define SCO_ERR_MSG_MAX 512

struct sco_err {
    int code;
    char msg[SCO_ERR_MSG_MAX];
};

/* Fills err (if not NULL) with code and a printf-style message; returns code, so that
 * `return sco_err_set(err, SCO_ERR_IO, "cannot open '%s': %s", path, strerror(errno));`
 * reads as one statement. Header-only so that plugins link nothing of the host's. */
static inline SCO_PRINTF(3, 4) int sco_err_set(struct sco_err *err, int code, const char *fmt,
                                               ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---- Logging (ABI 1) --------------------------------------------------------------------- */
enum sco_log_level { SCO_LOG_DEBUG, SCO_LOG_INFO, SCO_LOG_WARN, SCO_LOG_ERROR };

/* ---- Tables (ABI 1) ----------------------------------------------------------------------
 * Columnar typed tables with named columns. Dates are int64 days since 1970-01-01 (ISO 8601
 * in CSV). Missing values: NaN for F64, SCO_NULL_I64 for I64 and DATE, "" for STR. */
enum sco_col_type { SCO_COL_I64, SCO_COL_F64, SCO_COL_STR, SCO_COL_DATE };

#define SCO_NULL_I64 INT64_MIN

/* ---- Dates (header-only) --------------------------------------------------------------------
 * The calendar the tables use: days since 1970-01-01, proleptic Gregorian (Howard Hinnant's
 * days_from_civil / civil_from_days). Plugins format and parse dates with these rather than
 * the C library's time zone-aware functions. */
#define SCO_DATE_BUF 32 /* room for any int64 day count as Y-MM-DD */

/* Days since 1970-01-01 of y-m-d. No validation: see sco_date_valid. */
static inline int64_t sco_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;                                  /* [0, 399] */
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* Inverse of sco_days_from_civil (|days| beyond 2^60 is clamped to it). */
static inline void sco_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    /* Far-out values are garbage anyway; clamping keeps the arithmetic below in range. */
    const int64_t lim = INT64_C(1) << 60;
    if (z > lim)
        z = lim;
    if (z < -lim)
        z = -lim;
    /* Shift the epoch to 0000-03-01; era first so that z + 719468 cannot overflow. */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097 + 719468; /* [0, 146097 + 719468) */
    era += doe / 146097;
    doe %= 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Days in month m (1..12) of year y; 0 for a bad month. */
static inline unsigned sco_days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12)
        return 0;
    return dim[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* True when y-m-d is a real calendar date (leap years included), 1 <= y <= 9999. */
static inline bool sco_date_valid(int64_t y, unsigned m, unsigned d)
{
    return y >= 1 && y <= 9999 && d >= 1 && d <= sco_days_in_month(y, m);
}

/* Parses exactly "YYYY-MM-DD" (n bytes of s, no surrounding text) into days. Returns 0, or
 * SCO_ERR_INVALID for bad syntax or a date that does not exist; writes no message (callers
 * say where the text came from). */
static inline int sco_date_parse(const char *s, size_t n, int64_t *days)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return SCO_ERR_INVALID;
    static const int digit_at[8] = { 0, 1, 2, 3, 5, 6, 8, 9 };
    for (int i = 0; i < 8; i++)
        if (s[digit_at[i]] < '0' || s[digit_at[i]] > '9')
            return SCO_ERR_INVALID;
    int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (!sco_date_valid(y, m, d))
        return SCO_ERR_INVALID;
    *days = sco_days_from_civil(y, m, d);
    return 0;
}

/* Writes "YYYY-MM-DD" (or "" for SCO_NULL_I64) into buf, which holds SCO_DATE_BUF bytes.
 * Returns buf. */
static inline char *sco_date_format(int64_t days, char buf[SCO_DATE_BUF])
{
    if (days == SCO_NULL_I64) {
        buf[0] = '\0';
        return buf;
    }
    int64_t y;
    unsigned m, d;
    sco_civil_from_days(days, &y, &m, &d);
    if (y >= 0)
        snprintf(buf, SCO_DATE_BUF, "%04lld-%02u-%02u", (long long)y, m, d);
    else
        snprintf(buf, SCO_DATE_BUF, "-%04llu-%02u-%02u", 0ULL - (unsigned long long)y, m, d);
    return buf;
}

/* ISO weekday of a date: 1 = Monday .. 7 = Sunday. */
static inline int sco_date_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t r = days % 7;
    if (r < 0)
        r += 7;
    return (int)((r + 3) % 7) + 1;
}

/* One declared column of a port. The host checks, before a stage runs, that every required
 * column exists in the input table and converts it to `type` (a CSV source column is parsed
 * then; a parse failure names file:line:column and the expected type). */
struct sco_column_spec {
    const char *name;
    enum sco_col_type type;
    bool optional; /* absent column is allowed; the plugin checks sco_table_api.col() */
    const char *doc;
};

/* A named input or output table of a plugin. A stage's config may rename ports. */
struct sco_port {
    const char *name; /* table name, e.g. "sales" */
    const char *doc;
    bool optional; /* input: the stage runs without it; output: may be left unpublished */
    const struct sco_column_spec *columns;
    size_t n_columns;
};

struct sco_table; /* opaque, owned by the host for the whole run */

/* ---- Configuration (ABI 1) ---------------------------------------------------------------
 * Keys a plugin accepts, declared in its descriptor. The host validates each stage's config
 * mapping against them (unknown keys, wrong types) before any stage runs. `dflt` is the
 * default written as it would be in YAML, or NULL for "no default" (then the key is optional
 * and absent unless `required`). LIST types hold a YAML sequence of scalars. PATH values are
 * resolved against the config file's folder. */
enum sco_cfg_type {
    SCO_CFG_STR,
    SCO_CFG_INT,
    SCO_CFG_F64,
    SCO_CFG_BOOL,
    SCO_CFG_PATH,
    SCO_CFG_LIST_F64,
    SCO_CFG_LIST_STR,
};

struct sco_config_key {
    const char *key;
    enum sco_cfg_type type;
    const char *dflt; /* as YAML text, NULL when there is none */
    const char *doc;
    bool required;
};

/* ---- Plugin descriptor (ABI 1) ----------------------------------------------------------- */
struct sco_ctx; /* one per stage run, opaque */

struct sco_plugin_desc {
    uint32_t abi_version; /* SCO_ABI_VERSION; the first two fields are frozen forever */
    uint32_t size;        /* sizeof(struct sco_plugin_desc) the plugin was built with */
    const char *name;     /* "forecast": lowercase, [a-z0-9_-] */
    const char *version;  /* "1.2.0" */
    const char *summary;  /* one line */
    const struct sco_port *inputs;
    size_t n_inputs;
    const struct sco_port *outputs;
    size_t n_outputs;
    const struct sco_config_key *config;
    size_t n_config;
    size_t state_size; /* the host allocates and zeroes this much before init */
    /* init: validate config and take resources; run: read inputs, publish outputs;
     * fini: release what init took (called whenever init was called, even after a failure) */
    int (*init)(struct sco_ctx *ctx, void *state, struct sco_err *err);
    int (*run)(struct sco_ctx *ctx, void *state, struct sco_err *err);
    void (*fini)(struct sco_ctx *ctx, void *state);
};

/* Facts about the run, owned by the host, valid for the whole run. */
struct sco_run_info {
    const char *run_id;     /* e.g. "20261129T054900Z-4242" */
    int64_t run_date;       /* days since 1970-01-01: the planning date (--date) */
    const char *out_dir;    /* the run's output folder */
    const char *config_dir; /* folder of the config file */
    uint64_t seed;          /* run.seed, for every random choice */
    int threads;            /* run.threads: the thread budget for this stage */
    const char *device;     /* "cpu" or "cuda": the runtime's backend */
    const char *stage;      /* this stage's name */
};

struct sco_runtime;             /* the tensor runtime, see sco-tensor.h */
struct sco_runtime_api;

/* Accessors for tables. Borrowed pointers stay valid until the end of the run. */
struct sco_table_api {
    uint32_t size; /* sizeof(struct sco_table_api) in the host */
    size_t (*n_rows)(const struct sco_table *t);
    size_t (*n_cols)(const struct sco_table *t);
    const char *(*name)(const struct sco_table *t);
    /* column index by name, or -1 */
    int (*col)(const struct sco_table *t, const char *name);
    const char *(*col_name)(const struct sco_table *t, int c);
    enum sco_col_type (*col_type)(const struct sco_table *t, int c);
    /* Column data, NULL if the column has another type. I64 serves DATE columns too. */
    const int64_t *(*i64)(const struct sco_table *t, int c);
    const double *(*f64)(const struct sco_table *t, int c);
    const char *const *(*str)(const struct sco_table *t, int c);
    /* Where row `row` came from, for error messages: "sales.csv:1042" or "stage forecast
     * row 17". Borrowed, valid until the next call. */
    const char *(*row_origin)(const struct sco_table *t, size_t row);

    /* Building a table: new (columns fixed), then add rows (values default to null), then
     * fill the mutable column arrays; set_str copies s into the table. */
    struct sco_table *(*create)(struct sco_ctx *ctx, const char *name,
                                const struct sco_column_spec *cols, size_t n_cols);
    int (*add_rows)(struct sco_table *t, size_t n, struct sco_err *err);
    int64_t *(*i64_mut)(struct sco_table *t, int c);
    double *(*f64_mut)(struct sco_table *t, int c);
    int (*set_str)(struct sco_table *t, int c, size_t row, const char *s, struct sco_err *err);
};

/* The host's API table, handed to sco_plugin_entry() and valid for the process lifetime. */
struct sco_host_api {
    uint32_t abi_version; /* SCO_ABI_VERSION of the host */
    uint32_t size;        /* sizeof(struct sco_host_api) in the host */
    /* --- ABI 1: never reorder; append new members below --- */

    /* Logs one line tagged with run id and stage. No trailing newline needed. */
    void (*log_msg)(struct sco_ctx *ctx, enum sco_log_level lvl, const char *fmt, ...)
        SCO_PRINTF(3, 4);

    const struct sco_run_info *(*run_info)(struct sco_ctx *ctx);

    /* Config access for this stage: the value in YAML, else the descriptor's default.
     * Each returns 0, or SCO_ERR_NOINPUT when the key has neither value nor default,
     * or SCO_ERR_CONFIG (with a file:line:column message) when the value has the wrong type.
     * Strings are borrowed until the end of the run; PATH values come back resolved. */
    int (*cfg_str)(struct sco_ctx *ctx, const char *key, const char **out, struct sco_err *err);
    int (*cfg_i64)(struct sco_ctx *ctx, const char *key, int64_t *out, struct sco_err *err);
    int (*cfg_f64)(struct sco_ctx *ctx, const char *key, double *out, struct sco_err *err);
    int (*cfg_bool)(struct sco_ctx *ctx, const char *key, bool *out, struct sco_err *err);
    int (*cfg_f64_list)(struct sco_ctx *ctx, const char *key, const double **vals, size_t *n,
                        struct sco_err *err);
    int (*cfg_str_list)(struct sco_ctx *ctx, const char *key, const char *const **vals,
                        size_t *n, struct sco_err *err);
    /* Reports a bad config value: writes "<file>:<line>:<col>: <stage>.<key>: <message>"
     * into err (the YAML position of the key's value, or of the stage when it is absent)
     * and returns SCO_ERR_CONFIG. */
    int (*cfg_error)(struct sco_ctx *ctx, const char *key, struct sco_err *err, const char *fmt,
                     ...) SCO_PRINTF(4, 5);

    /* Input table bound to port `port`, NULL if the port is optional and nothing feeds it.
     * Borrowed: the host owns it. Declared columns are present and typed. */
    const struct sco_table *(*input)(struct sco_ctx *ctx, const char *port);
    /* Publishes table t (made with tables->create) as output port `port`. The host takes
     * ownership, checks the declared columns, and writes it as CSV when configured. */
    int (*output)(struct sco_ctx *ctx, const char *port, struct sco_table *t,
                  struct sco_err *err);
    const struct sco_table_api *tables;

    /* Atomic extra output files (PDF, SVG, GeoJSON, reports) under the run's output folder:
     * file_create opens a temporary file beside `relpath` (folders are created);
     * file_commit flushes, fsyncs, closes and renames it into place. A file not committed
     * when the stage ends is removed. `relpath` may not contain "..". */
    FILE *(*file_create)(struct sco_ctx *ctx, const char *relpath, struct sco_err *err);
    int (*file_commit)(struct sco_ctx *ctx, FILE *f, struct sco_err *err);

    /* Per-run scratch memory, zeroed, freed all at once by the host after the stage.
     * NULL when out of memory. */
    void *(*arena_alloc)(struct sco_ctx *ctx, size_t n, size_t align);

    /* Progress of a long stage: `done` of `total` units (total 0 = unknown), with a short
     * note ("epoch 3 loss 0.41"). Cheap; call it as often as you like. */
    void (*progress)(struct sco_ctx *ctx, double done, double total, const char *note);
    /* True once the run is being cancelled (SIGINT/SIGTERM, or a time limit): return
     * SCO_ERR_CANCELLED soon after. */
    bool (*cancelled)(struct sco_ctx *ctx);

    /* The one shared tensor runtime (sco-tensor.h), created by the host for the run. */
    const struct sco_runtime_api *rt;
    struct sco_runtime *(*runtime)(struct sco_ctx *ctx);
};

typedef const struct sco_plugin_desc *sco_plugin_entry_fn(const struct sco_host_api *host);

/* Every plugin defines exactly this, marked SCO_EXPORT. */
SCO_EXPORT const struct sco_plugin_desc *sco_plugin_entry(const struct sco_host_api *host);

#ifdef __cplusplus
}
#endif
#endif
