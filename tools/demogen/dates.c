#include "dates.h"

const char *const dg_weekday_names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

int dg_day_of_year(int64_t z)
{
    int64_t y;
    unsigned m, d;
    sco_civil_from_days(z, &y, &m, &d);
    return (int)(z - sco_days_from_civil(y, 1, 1));
}

int64_t dg_easter(int y)
{
    /* anonymous Gregorian algorithm (Meeus/Jones/Butcher) */
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    unsigned month = (unsigned)((h + l - 7 * m + 114) / 31);
    unsigned day = (unsigned)((h + l - 7 * m + 114) % 31 + 1);
    return sco_days_from_civil(y, month, day);
}
