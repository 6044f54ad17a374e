/* date.h: effective dates with their precision, and recorded UTC timestamps. */
#ifndef DOCKET_DATE_H
#define DOCKET_DATE_H

#include "docket/diag.h"

/* An effective date as the user gave it: YYYY, YYYY-MM or YYYY-MM-DD. */
struct date {
    char text[11];  /* as given, normalised: "2015", "2015-11", "2015-11-24" */
    char end[11];   /* the last day of its period: "2015-12-31" */
    char start[11]; /* the first day of its period: "2015-01-01" */
};

/* Parses S into OUT. Returns 0, or DK_DATA with a message naming S in D. */
int date_parse(const char *s, struct date *out, struct diag *d);

/* Parses S as an effective date that may not lie in the future: refused when its period
 * starts after TODAY ("YYYY-MM-DD"). Returns 0 or DK_DATA. */
int date_parse_past(const char *s, const char *today, struct date *out, struct diag *d);

/* The number of days in month M (1-12) of year Y, leap years counted. */
int date_days_in(int y, int m);

/* Writes into OUT the day N months (0 or more) after the last day of the period of DAY (an
 * effective date), held to the end of the month it lands in: 2016-08-31 plus 6 months is
 * 2017-02-28, where SQLite's date() would give 2017-03-03. Returns 0, or -1 when DAY is not a
 * date, N is negative, or the result would pass the year 9999. */
int date_add_months(const char *day, long long n, char out[11]);

/* Writes today's local calendar date, "YYYY-MM-DD", into BUF. */
void date_today(char buf[11]);

/* The width of a recorded timestamp: "2026-11-23T11:19:25.123Z". */
enum { TS_LEN = 24 };

/* Writes the current UTC time with milliseconds into BUF. */
void ts_now(char buf[TS_LEN + 1]);

/* Parses a UTC instant for --known-at, --since and --until: YYYY[-MM[-DD[THH:MM[:SS[.mmm]]]]]
 * with an optional trailing Z. A partial value stands for the first instant of its period,
 * or the last one when ROUND_UP is set. Writes the full form into OUT. Returns 0 or DK_DATA. */
int ts_parse(const char *s, int round_up, char out[TS_LEN + 1], struct diag *d);

#endif
