/* The generator's calendar: the SDK's dates (days since 1970-01-01, sco/sco-plugin.h) plus
 * what only the generator needs. */
#ifndef SCO_DEMOGEN_DATES_H
#define SCO_DEMOGEN_DATES_H

#include <stdint.h>

#include <sco/sco-plugin.h>

/* 0 = Monday .. 6 = Sunday (an index into dg_weekday_names) */
static inline int dg_weekday(int64_t z)
{
    return sco_date_weekday(z) - 1;
}
/* Day of the year, 0-based. */
int dg_day_of_year(int64_t z);
/* Easter Sunday (Gregorian) of year y. */
int64_t dg_easter(int y);

extern const char *const dg_weekday_names[7];

#endif
