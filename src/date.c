/* date.c: effective dates with their precision, and recorded UTC timestamps. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "docket/date.h"

static int
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
date_days_in(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Reads exactly N digits at S into *OUT. Returns 1 when they are there. */
static int
digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Parses YYYY[-MM[-DD]] at the start of S; returns the number of characters read (4, 7 or 10),
 * or 0 when they do not form a valid date. */
static int
scan_date(const char *s, int *y, int *m, int *dd)
{
    int n = 4;

    *m = 0;
    *dd = 0;
    if (!digits(s, 4, y) || *y < 1000)
        return 0;
    if (s[4] == '-') {
        if (!digits(s + 5, 2, m) || *m < 1 || *m > 12)
            return 0;
        n = 7;
        if (s[7] == '-') {
            if (!digits(s + 8, 2, dd) || *dd < 1 || *dd > date_days_in(*y, *m))
                return 0;
            n = 10;
        }
    }
    return n;
}

int
date_add_months(const char *day, long long n, char out[11])
{
    long long months;
    int y, m, dd, len;

    if (day == NULL || n < 0 || n > 120000 || (len = scan_date(day, &y, &m, &dd)) == 0 ||
        day[len] != '\0')
        return -1;
    /* The last day of the period: of the year, of the month, or the day itself. */
    if (len == 4)
        m = 12;
    if (len < 10)
        dd = date_days_in(y, m);
    months = (long long)y * 12 + (m - 1) + n;
    if (months / 12 > 9999)
        return -1;
    y = (int)(months / 12);
    m = (int)(months % 12) + 1;
    if (dd > date_days_in(y, m))
        dd = date_days_in(y, m);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, dd);
    return 0;
}

int
date_parse(const char *s, struct date *out, struct diag *d)
{
    int y, m, dd, n = scan_date(s, &y, &m, &dd);
    struct date r;

    if (n == 0 || s[n] != '\0')
        return diag_set(d, DK_DATA, "bad date '%s' (expected YYYY, YYYY-MM or YYYY-MM-DD)", s);
    snprintf(r.text, sizeof r.text, "%.*s", n, s);
    if (n == 4) {
        snprintf(r.start, sizeof r.start, "%04d-01-01", y);
        snprintf(r.end, sizeof r.end, "%04d-12-31", y);
    } else if (n == 7) {
        snprintf(r.start, sizeof r.start, "%04d-%02d-01", y, m);
        snprintf(r.end, sizeof r.end, "%04d-%02d-%02d", y, m, date_days_in(y, m));
    } else {
        memcpy(r.start, r.text, sizeof r.start);
        memcpy(r.end, r.text, sizeof r.end);
    }
    *out = r;
    return 0;
}

int
date_parse_past(const char *s, const char *today, struct date *out, struct diag *d)
{
    struct date r;
    int rc = date_parse(s, &r, d);

    if (rc != 0)
        return rc;
    if (strcmp(r.start, today) > 0)
        return diag_set(d, DK_DATA, "date '%s' is in the future (today is %s)", s, today);
    *out = r;
    return 0;
}

void
date_today(char buf[11])
{
    time_t t = time(NULL);
    struct tm tm;

    localtime_r(&t, &tm);
    strftime(buf, 11, "%Y-%m-%d", &tm);
}

void
ts_now(char buf[TS_LEN + 1])
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, TS_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

int
ts_parse(const char *s, int round_up, char out[TS_LEN + 1], struct diag *d)
{
    int y, m, dd, hh = 0, mi = 0, ss = 0, ms = 0, n = scan_date(s, &y, &m, &dd);
    const char *p = s + n;
    enum { DAY, MINUTE, SECOND, MILLI } prec = DAY;

    if (n == 0)
        goto bad;
    if (n == 10 && (*p == 'T' || *p == ' ')) {
        if (!digits(p + 1, 2, &hh) || p[3] != ':' || !digits(p + 4, 2, &mi) || hh > 23 || mi > 59)
            goto bad;
        p += 6;
        prec = MINUTE;
        if (*p == ':') {
            if (!digits(p + 1, 2, &ss) || ss > 59)
                goto bad;
            p += 3;
            prec = SECOND;
            if (*p == '.') {
                if (!digits(p + 1, 3, &ms))
                    goto bad;
                p += 4;
                prec = MILLI;
            }
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0')
        goto bad;
    if (round_up) {
        if (n == 4)
            m = 12;
        if (n <= 7)
            dd = date_days_in(y, m);
        if (prec == DAY) {
            hh = 23;
            mi = 59;
        }
        if (prec <= MINUTE)
            ss = 59;
        if (prec <= SECOND)
            ms = 999;
    } else {
        if (m == 0)
            m = 1;
        if (dd == 0)
            dd = 1;
    }
    snprintf(out, TS_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, dd, hh, mi, ss, ms);
    return 0;
bad:
    return diag_set(d, DK_DATA,
                    "bad time '%s' (expected YYYY[-MM[-DD[THH:MM[:SS[.mmm]]]]], in UTC)", s);
}
