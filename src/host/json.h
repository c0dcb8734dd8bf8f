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

#endif
