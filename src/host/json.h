/* json.h: a small streaming JSON writer (manifest, JSON log lines, `sco plugins --json`). */
#ifndef SCO_HOST_JSON_H
#define SCO_HOST_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define SCO__JSON_DEPTH 32

/* Writes into `out`. Calls nest: obj_begin, key, value ..., obj_end. Commas are automatic;
 * `pretty` indents by two spaces per level. */
struct sco__json {
    struct sco__buf *out;
    bool pretty;
    int depth;
    bool first[SCO__JSON_DEPTH];
    bool after_key;
};

void sco__json_init(struct sco__json *j, struct sco__buf *out, bool pretty);
void sco__json_obj_begin(struct sco__json *j);
void sco__json_obj_end(struct sco__json *j);
void sco__json_arr_begin(struct sco__json *j);
void sco__json_arr_end(struct sco__json *j);
void sco__json_key(struct sco__json *j, const char *key);
void sco__json_str(struct sco__json *j, const char *s); /* NULL writes null */
void sco__json_i64(struct sco__json *j, int64_t v);
void sco__json_f64(struct sco__json *j, double v); /* non-finite writes null */
void sco__json_bool(struct sco__json *j, bool v);
void sco__json_null(struct sco__json *j);

/* Appends s as a JSON string literal (quotes included), escaping per RFC 8259. */
void sco__json_escape(struct sco__buf *b, const char *s);

/* A parsed JSON value (the reader is for our own files, such as a previous manifest). */
enum sco__jtype { SCO__J_NULL, SCO__J_BOOL, SCO__J_NUM, SCO__J_STR, SCO__J_ARR, SCO__J_OBJ };
struct sco__jval {
    enum sco__jtype type;
    bool b;
    double num;
    char *str;                /* SCO__J_STR */
    size_t n;                 /* items of an array or members of an object */
    char **keys;              /* SCO__J_OBJ */
    struct sco__jval **vals;  /* SCO__J_ARR items, SCO__J_OBJ values */
};

/* Parses text (RFC 8259; \u escapes of the Basic Multilingual Plane and surrogate pairs).
 * Returns NULL when it is not valid JSON. */
struct sco__jval *sco__json_parse(const char *text, size_t len);
void sco__jval_free(struct sco__jval *v);
/* Member `key` of an object, or NULL. */
const struct sco__jval *sco__jval_get(const struct sco__jval *obj, const char *key);

#endif
