/* util.c: dates, "did you mean" and UTF-8 validation. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sco-tables.h"

/* ---- Did you mean ---------------------------------------------------------------------- */

size_t sco__edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Three rows of the optimal string alignment matrix: i-2, i-1, i. */
    size_t *buf = malloc(3 * (lb + 1) * sizeof *buf);
    if (!buf)
        return la > lb ? la : lb; /* worst case, so nothing is suggested wrongly */
    size_t *r0 = buf, *r1 = buf + lb + 1, *r2 = buf + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++)
        r1[j] = j;
    for (size_t i = 1; i <= la; i++) {
        r2[0] = i;
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            int cb = tolower((unsigned char)b[j - 1]);
            size_t best = r1[j - 1] + (ca != cb);
            if (r1[j] + 1 < best)
                best = r1[j] + 1;
            if (r2[j - 1] + 1 < best)
                best = r2[j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && r0[j - 2] + 1 < best)
                best = r0[j - 2] + 1;
            r2[j] = best;
        }
        size_t *t = r0;
        r0 = r1;
        r1 = r2;
        r2 = t;
    }
    size_t d = r1[lb];
    free(buf);
    return d;
}

/* True when the shorter of a, b is a case-insensitive prefix of the other, >= 3 bytes. */
static bool prefix_match(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t n = la < lb ? la : lb;
    return n >= 3 && strncasecmp(a, b, n) == 0;
}

const char *sco__did_you_mean(const char *word, const char *const *candidates, size_t n)
{
    if (!word || !candidates)
        return NULL;
    size_t limit = strlen(word) / 3;
    if (limit < 1)
        limit = 1;
    const char *best = NULL, *best_prefix = NULL;
    size_t best_d = SIZE_MAX, best_prefix_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *c = candidates[i];
        if (!c)
            continue;
        size_t d = sco__edit_distance(word, c);
        if (d <= limit && d < best_d) {
            best = c;
            best_d = d;
        } else if (d > limit && prefix_match(word, c) && d < best_prefix_d) {
            best_prefix = c;
            best_prefix_d = d;
        }
    }
    return best ? best : best_prefix;
}

/* ---- UTF-8 ----------------------------------------------------------------------------- */

size_t sco__utf8_valid_prefix(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* no overlongs */
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* <= U+10FFFF */
        } else {
            return i;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return n;
}
