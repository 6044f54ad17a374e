/* test_date.c: effective dates with their precision, and recorded UTC timestamps. */
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"
#include "support.h"

static void
partial_dates_keep_their_precision(void **state)
{
    struct diag d = {0};
    struct date x;

    (void)state;
    assert_int_equal(date_parse("2015", &x, &d), 0);
    assert_string_equal(x.text, "2015");
    assert_string_equal(x.start, "2015-01-01");
    assert_string_equal(x.end, "2015-12-31");
    assert_int_equal(date_parse("2016-02", &x, &d), 0);
    assert_string_equal(x.end, "2016-02-29");
    assert_int_equal(date_parse("2015-02", &x, &d), 0);
    assert_string_equal(x.end, "2015-02-28");
    assert_int_equal(date_parse("2015-11-24", &x, &d), 0);
    assert_string_equal(x.start, "2015-11-24");
    assert_string_equal(x.end, "2015-11-24");
}

static void
bad_dates_are_refused(void **state)
{
    static const char *const bad[] = {"",        "15",         "2015-",       "2015-13",
                                      "2015-00", "2015-02-30", "2015-1-1",    "2015-11-24x",
                                      "0999",    "2015/11/24", "2015-11-24 ", "2100-02-29"};
    struct date x;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct diag d = {0};

        assert_int_equal(date_parse(bad[i], &x, &d), DK_DATA);
        assert_non_null(strstr(d.msg, "bad date"));
    }
}

static void
months_are_added_to_the_end_of_the_period(void **state)
{
    static const char *const cases[][3] = {
        {"2016-08-31", "6", "2017-02-28"}, {"2019-08-31", "6", "2020-02-29"},
        {"2016-01-15", "1", "2016-02-15"}, {"2016-01-31", "1", "2016-02-29"},
        {"2019-08", "6", "2020-02-29"},    {"2015", "12", "2016-12-31"},
        {"2015-11-24", "0", "2015-11-24"}, {"2015-11-30", "25", "2017-12-30"},
        {"9999-06-30", "6", "9999-12-30"},
    };
    char out[11];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(out, 'X', sizeof out);
        assert_int_equal(date_add_months(cases[i][0], atoi(cases[i][1]), out), 0);
        assert_string_equal(out, cases[i][2]);
    }
    assert_int_equal(date_add_months("9999-07-01", 6, out), -1);
    assert_int_equal(date_add_months("2016-02-30", 1, out), -1);
    assert_int_equal(date_add_months("2016", -1, out), -1);
    assert_int_equal(date_add_months(NULL, 1, out), -1);
}

static void
future_dates_are_refused_by_period_start(void **state)
{
    struct diag d = {0};
    struct date x;

    (void)state;
    assert_int_equal(date_parse_past("2026", "2026-11-23", &x, &d), 0);
    assert_int_equal(date_parse_past("2026-11", "2026-11-23", &x, &d), 0);
    assert_int_equal(date_parse_past("2026-11-23", "2026-11-23", &x, &d), 0);
    assert_int_equal(date_parse_past("2026-11-24", "2026-11-23", &x, &d), DK_DATA);
    assert_non_null(strstr(d.msg, "future"));
    d.code = 0;
    assert_int_equal(date_parse_past("2026-12", "2026-11-23", &x, &d), DK_DATA);
}

static void
timestamps_round_to_their_period(void **state)
{
    char ts[TS_LEN + 1];
    struct diag d = {0};

    (void)state;
    assert_int_equal(ts_parse("2016", 0, ts, &d), 0);
    assert_string_equal(ts, "2016-01-01T00:00:00.000Z");
    assert_int_equal(ts_parse("2016", 1, ts, &d), 0);
    assert_string_equal(ts, "2016-12-31T23:59:59.999Z");
    assert_int_equal(ts_parse("2016-02-03T04:05", 1, ts, &d), 0);
    assert_string_equal(ts, "2016-02-03T04:05:59.999Z");
    assert_int_equal(ts_parse("2016-02-03T04:05:06.007Z", 1, ts, &d), 0);
    assert_string_equal(ts, "2016-02-03T04:05:06.007Z");
    assert_int_equal(ts_parse("2016-02-03T24:00", 0, ts, &d), DK_DATA);
    d.code = 0;
    assert_int_equal(ts_parse("2016-02T04:05", 0, ts, &d), DK_DATA);
}

static void
now_is_utc_with_milliseconds(void **state)
{
    char a[TS_LEN + 1], b[TS_LEN + 1];

    (void)state;
    ts_now(a);
    ts_now(b);
    assert_int_equal(strlen(a), TS_LEN);
    assert_int_equal(a[10], 'T');
    assert_int_equal(a[TS_LEN - 1], 'Z');
    assert_true(strcmp(a, b) <= 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(partial_dates_keep_their_precision),
        cmocka_unit_test(bad_dates_are_refused),
        cmocka_unit_test(months_are_added_to_the_end_of_the_period),
        cmocka_unit_test(future_dates_are_refused_by_period_start),
        cmocka_unit_test(timestamps_round_to_their_period),
        cmocka_unit_test(now_is_utc_with_milliseconds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
