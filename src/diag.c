/* diag.c: recording the first failure, and warnings, for the command to print. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "docket/diag.h"

int
diag_set(struct diag *d, int code, const char *fmt, ...)
{
    va_list ap;

    if (d->code != 0)
        return d->code;
    d->code = code;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return code;
}

int
diag_prefix(struct diag *d, const char *fmt, ...)
{
    char prefix[256], msg[sizeof d->msg];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg, "%s%s", prefix, d->msg);
    memcpy(d->msg, msg, sizeof msg);
    return d->code;
}

void
diag_warn(struct diag *d, const char *fmt, ...)
{
    va_list ap;

    if (d->warn[0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(d->warn, sizeof d->warn, fmt, ap);
    va_end(ap);
}
