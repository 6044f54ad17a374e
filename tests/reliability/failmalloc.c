/* failmalloc.c: an LD_PRELOAD shim that makes large allocations fail under docket, for
 * test_csv.py.
 *
 * A malloc, calloc or realloc of $FAILMALLOC_OVER bytes or more fails (NULL, errno ENOMEM)
 * once $FAILMALLOC_AFTER such requests (0 by default) have been granted; smaller requests, and
 * everything when $FAILMALLOC_OVER is unset, go to glibc as usual. With $FAILMALLOC_REPORT=FILE,
 * the number of large requests granted is written to FILE at exit, so that a test can aim at
 * one of them. glibc's own entry points do the work, so that free needs no shim. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);

static size_t over;
static long long after, granted;

static void
report(void)
{
    const char *path = getenv("FAILMALLOC_REPORT");
    FILE *f;

    if (path != NULL && *path != '\0' && (f = fopen(path, "w")) != NULL) {
        fprintf(f, "%lld\n", granted);
        fclose(f);
    }
}

__attribute__((constructor)) static void
setup(void)
{
    const char *v;

    if ((v = getenv("FAILMALLOC_OVER")) != NULL && *v)
        over = (size_t)strtoull(v, NULL, 10);
    if ((v = getenv("FAILMALLOC_AFTER")) != NULL && *v)
        after = strtoll(v, NULL, 10);
    atexit(report);
}

/* Returns 1 when a request of N bytes is to fail. Requests made before setup pass. */
static int
refused(size_t n)
{
    if (over == 0 || n < over)
        return 0;
    if (granted < after) {
        granted++;
        return 0;
    }
    errno = ENOMEM;
    return 1;
}

void *
malloc(size_t n)
{
    return refused(n) ? NULL : __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
    return size != 0 && n > (size_t)-1 / size ? __libc_calloc(n, size)
           : refused(n * size)                ? NULL
                                              : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
    return refused(n) ? NULL : __libc_realloc(p, n);
}
