/* util.c: dates, "did you mean" and UTF-8 validation. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sco-tables.h"

/* ---- Dates: Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian). ---- */

int64_t sco__days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;                                  /* [0, 399] */
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void sco__civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
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

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned sco__days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12)
        return 0;
    return dim[m - 1] + (m == 2 && is_leap(y));
}

bool sco__date_valid(int64_t y, unsigned m, unsigned d)
{
    return y >= 1 && y <= 9999 && d >= 1 && d <= sco__days_in_month(y, m);
}

int sco__date_parse(const char *s, size_t n, int64_t *days)
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
    if (!sco__date_valid(y, m, d))
        return SCO_ERR_INVALID;
    *days = sco__days_from_civil(y, m, d);
    return 0;
}

char *sco__date_format(int64_t days, char buf[SCO_DATE_BUF])
{
    if (days == SCO_NULL_I64) {
        buf[0] = '\0';
        return buf;
    }
    int64_t y;
    unsigned m, d;
    sco__civil_from_days(days, &y, &m, &d);
    if (y >= 0)
        snprintf(buf, SCO_DATE_BUF, "%04" PRId64 "-%02u-%02u", y, m, d);
    else
        snprintf(buf, SCO_DATE_BUF, "-%04" PRIu64 "-%02u-%02u", -(uint64_t)y, m, d);
    return buf;
}

int sco__date_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t r = days % 7;
    if (r < 0)
        r += 7;
    return (int)((r + 3) % 7) + 1;
}

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
