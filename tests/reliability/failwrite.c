/* failwrite.c: an LD_PRELOAD shim that makes storage fail under docket, for test_storage.py.
 *
 * It counts the bytes written (write, pwrite, pwrite64) to files whose path contains
 * $FAILWRITE_PATH. Once $FAILWRITE_AFTER bytes have gone through, a write that would pass the
 * limit writes what still fits and returns short, and every later one fails with
 * $FAILWRITE_ERRNO (ENOSPC, as a full disk, or EIO). With $FAILWRITE_SYNC=N, the N-th
 * fsync/fdatasync of such a file (from 1) and all after it fail with EIO instead. With
 * $FAILWRITE_REPORT=FILE, the bytes written and syncs done are written to FILE at exit, so that
 * a test can measure a command before it aims at the middle of it; then the same two counts as
 * they stood at the first write to the store's own file (not its -wal or -shm): in WAL mode only
 * a checkpoint writes there, after the command has committed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static const char *match;
static long long limit = -1, written, syncs, sync_fail = -1;
static long long before_ckpt = -1, syncs_before_ckpt = -1;
static int fail_errno = ENOSPC, ready;

static void
setup(void)
{
    const char *v;

    if (ready)
        return;
    ready = 1;
    match = getenv("FAILWRITE_PATH");
    if ((v = getenv("FAILWRITE_AFTER")) != NULL && *v)
        limit = strtoll(v, NULL, 10);
    if ((v = getenv("FAILWRITE_SYNC")) != NULL && *v)
        sync_fail = strtoll(v, NULL, 10);
    if ((v = getenv("FAILWRITE_ERRNO")) != NULL && strcmp(v, "EIO") == 0)
        fail_errno = EIO;
}

/* Returns 1 when FD is a file whose path contains the string to match (and notes the first
 * write to the store's own file when WRITING). */
static int
watched_as(int fd, int writing)
{
    char link[64], path[4096];
    ssize_t n;

    setup();
    if (match == NULL || *match == '\0')
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    if ((n = readlink(link, path, sizeof path - 1)) < 0)
        return 0;
    path[n] = '\0';
    if (strstr(path, match) == NULL)
        return 0;
    if (writing && before_ckpt < 0 && (n < 4 || strcmp(path + n - 4, "-wal") != 0) &&
        (n < 4 || strcmp(path + n - 4, "-shm") != 0)) {
        before_ckpt = written;
        syncs_before_ckpt = syncs;
    }
    return 1;
}

static int
watched(int fd)
{
    return watched_as(fd, 0);
}

/* How many of N bytes to FD may be written: N, fewer (a short write), or -1 (fail). */
static ssize_t
allowed(int fd, size_t n)
{
    if (!watched_as(fd, 1))
        return (ssize_t)n;
    if (limit >= 0 && written >= limit) {
        errno = fail_errno;
        return -1;
    }
    if (limit >= 0 && written + (long long)n > limit)
        n = (size_t)(limit - written);
    written += (long long)n;
    return (ssize_t)n;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
    ssize_t k = allowed(fd, n);

    return k < 0 ? -1 : syscall(SYS_write, fd, buf, (size_t)k);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
    ssize_t k = allowed(fd, n);

    return k < 0 ? -1 : syscall(SYS_pwrite64, fd, buf, (size_t)k, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return pwrite(fd, buf, n, off);
}

static int
sync_allowed(int fd)
{
    if (!watched(fd))
        return 1;
    syncs++;
    if (sync_fail > 0 && syncs >= sync_fail) {
        errno = EIO;
        return 0;
    }
    return 1;
}

int
fsync(int fd)
{
    return sync_allowed(fd) ? (int)syscall(SYS_fsync, fd) : -1;
}

int
fdatasync(int fd)
{
    return sync_allowed(fd) ? (int)syscall(SYS_fdatasync, fd) : -1;
}

__attribute__((destructor)) static void
report(void)
{
    const char *path = getenv("FAILWRITE_REPORT");
    FILE *f;

    if (path == NULL || (f = fopen(path, "w")) == NULL)
        return;
    fprintf(f, "%lld %lld %lld %lld\n", written, syncs, before_ckpt < 0 ? written : before_ckpt,
            before_ckpt < 0 ? syncs : syncs_before_ckpt);
    fclose(f);
}
