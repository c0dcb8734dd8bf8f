/* test-dates.c: days <-> YYYY-MM-DD, leap years, invalid dates, weekdays. */
#include "helpers.h"

static int64_t parse(const char *s)
{
    int64_t d = 12345;
    cr_assert_eq(sco_date_parse(s, strlen(s), &d), 0, "'%s' refused", s);
    return d;
}

static void refuse(const char *s)
{
    int64_t d = 12345;
    cr_expect_eq(sco_date_parse(s, strlen(s), &d), SCO_ERR_INVALID, "'%s' accepted", s);
    cr_expect_eq(d, 12345, "'%s' wrote a value", s);
}

Test(dates, known_days)
{
    cr_expect_eq(parse("1970-01-01"), 0);
    cr_expect_eq(parse("1970-01-02"), 1);
    cr_expect_eq(parse("1969-12-31"), -1);
    cr_expect_eq(parse("2000-03-01"), 11017);
    cr_expect_eq(parse("2026-11-29"), 20786);
    cr_expect_eq(parse("0001-01-01"), -719162);
    cr_expect_eq(parse("9999-12-31"), 2932896);
}

Test(dates, leap_years)
{
    cr_expect_eq(parse("2024-02-29"), 19782);
    cr_expect_eq(parse("2000-02-29"), 11016); /* divisible by 400 */
    cr_expect_eq(parse("2400-02-29") - parse("2400-02-28"), 1);
    refuse("1900-02-29"); /* divisible by 100, not 400 */
    refuse("2023-02-29");
    refuse("2100-02-29");
    cr_expect_eq(parse("2024-03-01") - parse("2024-02-28"), 2);
    cr_expect_eq(parse("2023-03-01") - parse("2023-02-28"), 1);
    cr_expect_eq(sco_days_in_month(2024, 2), 29);
    cr_expect_eq(sco_days_in_month(1900, 2), 28);
    cr_expect_eq(sco_days_in_month(2026, 12), 31);
    cr_expect_eq(sco_days_in_month(2026, 13), 0);
}

Test(dates, invalid)
{
    refuse("2026-04-31");
    refuse("2026-06-31");
    refuse("2026-13-01");
    refuse("2026-00-01");
    refuse("2026-01-00");
    refuse("2026-01-32");
    refuse("0000-01-01");
    refuse("2026-1-01");
    refuse("2026/01/01");
    refuse("26-01-01");
    refuse("2026-01-01 ");
    refuse(" 2026-01-01");
    refuse("2026-0a-01");
    refuse("");
    refuse("+026-01-01");
}

Test(dates, round_trip_every_day)
{
    /* Every day from 1600 to 2500 formats and parses back, and consecutive days differ by 1. */
    int64_t first = parse("1600-01-01"), last = parse("2500-12-31");
    char buf[SCO_DATE_BUF];
    int64_t prev_y = 1600;
    unsigned prev_m = 1, prev_d = 0;
    for (int64_t d = first; d <= last; d++) {
        sco_date_format(d, buf);
        cr_assert_eq(parse(buf), d, "%s", buf);
        int64_t y;
        unsigned m, dd;
        sco_civil_from_days(d, &y, &m, &dd);
        cr_assert(sco_date_valid(y, m, dd));
        cr_assert(dd == prev_d + 1 || (dd == 1 && (m == prev_m + 1 || (m == 1 && y == prev_y + 1))),
                  "%s after %04ld-%02u-%02u", buf, (long)prev_y, prev_m, prev_d);
        prev_y = y, prev_m = m, prev_d = dd;
    }
}

Test(dates, format)
{
    char buf[SCO_DATE_BUF];
    cr_expect_str_eq(sco_date_format(0, buf), "1970-01-01");
    cr_expect_str_eq(sco_date_format(20786, buf), "2026-11-29");
    cr_expect_str_eq(sco_date_format(19782, buf), "2024-02-29");
    cr_expect_str_eq(sco_date_format(SCO_NULL_I64, buf), "");
    cr_expect_str_eq(sco_date_format(-719163, buf), "0000-12-31");
    /* Far-out values do not overflow. */
    sco_date_format(INT64_MAX, buf);
    sco_date_format(INT64_MIN + 1, buf);
    cr_expect_eq(sco_days_from_civil(2026, 11, 29), 20786);
}

Test(dates, weekday)
{
    cr_expect_eq(sco_date_weekday(0), 4); /* Thursday */
    cr_expect_eq(sco_date_weekday(parse("2026-11-29")), 7); /* Sunday */
    cr_expect_eq(sco_date_weekday(parse("2026-11-30")), 1); /* Monday */
    cr_expect_eq(sco_date_weekday(parse("1969-12-29")), 1);
    cr_expect_eq(sco_date_weekday(parse("0001-01-01")), 1);
}
