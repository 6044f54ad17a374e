/* fuzz_date.c: libFuzzer target for the date and time parsers: date_parse, date_parse_past and
 * ts_parse on any string, with what they accept checked for form and parsed again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docket/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_date(const struct date *x)
{
    struct date again;
    struct diag d = {0};
    size_t n = strlen(x->text);

    if ((n != 4 && n != 7 && n != 10) || strlen(x->start) != 10 || strlen(x->end) != 10 ||
        strcmp(x->start, x->end) > 0 || strncmp(x->start, x->text, n) != 0 ||
        strncmp(x->end, x->text, n) != 0)
        abort();
    if (date_parse(x->text, &again, &d) != 0 || strcmp(again.text, x->text) != 0 ||
        strcmp(again.start, x->start) != 0 || strcmp(again.end, x->end) != 0)
        abort();
}

static void
check_ts(const char *ts, int round_up)
{
    char again[TS_LEN + 1];
    struct diag d = {0};

    if (strlen(ts) != TS_LEN || ts[TS_LEN - 1] != 'Z' || ts[10] != 'T')
        abort();
    if (ts_parse(ts, round_up, again, &d) != 0 || strcmp(again, ts) != 0)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), ts[TS_LEN + 1];
    struct date x;
    struct diag d = {0};

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (date_parse(s, &x, &d) == 0)
        check_date(&x);
    else if (d.code != DK_DATA || d.msg[0] == '\0')
        abort();
    memset(&d, 0, sizeof d);
    if (date_parse_past(s, "2026-06-15", &x, &d) == 0) {
        check_date(&x);
        if (strcmp(x.start, "2026-06-15") > 0)
            abort();
    }
    for (int up = 0; up <= 1; up++) {
        memset(&d, 0, sizeof d);
        if (ts_parse(s, up, ts, &d) == 0)
            check_ts(ts, up);
        else if (d.code != DK_DATA || d.msg[0] == '\0')
            abort();
    }
    free(s);
    return 0;
}
