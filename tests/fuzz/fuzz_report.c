/* fuzz_report.c: libFuzzer target for the report definition parser: report_parse on any bytes,
 * with what it accepts walked through and freed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docket/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct report_def *r = NULL;
    struct diag d = {0};
    int rc = report_parse("fuzz", (const char *)data, size, "fuzz.sql", &r, &d);

    if (rc != 0) {
        if (r != NULL || rc != DK_DATA || d.msg[0] == '\0')
            abort();
        return 0;
    }
    if (r == NULL || r->title == NULL || r->nsections < 0)
        abort();
    for (int i = 0; i < r->nsections; i++) {
        const struct report_section *s = &r->sections[i];

        if (s->name == NULL || s->title == NULL || s->sql == NULL ||
            report_section(r, s->name) == NULL || strlen(s->sql) > size)
            abort();
        if (s->chart.kind && (s->chart.x == NULL || s->chart.y == NULL))
            abort();
    }
    report_free(r);
    return 0;
}
