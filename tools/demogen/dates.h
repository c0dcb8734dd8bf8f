/* Civil dates as days since 1970-01-01 (the SCO_COL_DATE convention). */
#ifndef SCO_DEMOGEN_DATES_H
#define SCO_DEMOGEN_DATES_H

#include <stdint.h>

int64_t dg_days_from_civil(int y, int m, int d);
void dg_civil_from_days(int64_t z, int *y, int *m, int *d);
/* 0 = Monday .. 6 = Sunday */
int dg_weekday(int64_t z);
/* Day of the year, 0-based. */
int dg_day_of_year(int64_t z);
/* Easter Sunday (Gregorian) of year y. */
int64_t dg_easter(int y);
/* Writes "YYYY-MM-DD" (11 bytes with the NUL). */
void dg_format_date(int64_t z, char out[11]);
/* Parses exactly "YYYY-MM-DD" of a valid date; 0 on success, -1 otherwise. */
int dg_parse_date(const char *s, int64_t *out);

extern const char *const dg_weekday_names[7];

#endif
