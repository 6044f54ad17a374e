/* outfile.c: files written whole or not at all: a temporary file beside the target, flushed,
 * synced and renamed over it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docket/outfile.h"

static const char *protected_store;

void
outfile_protect(const char *store)
{
    protected_store = store;
}

/* Writes into OUT the absolute name of PATH with its folder's symbolic links resolved; returns
 * 0, or -1 when the folder cannot be resolved. */
static int
canonical(const char *path, char out[PATH_MAX])
{
    char dir[PATH_MAX], base[PATH_MAX], real[PATH_MAX];

    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return -1;
    snprintf(base, sizeof base, "%s", path);
    if (realpath(dirname(dir), real) == NULL)
        return -1;
    return snprintf(out, PATH_MAX, "%s/%s", real, basename(base)) >= PATH_MAX ? -1 : 0;
}

static const char *const sides[] = {"", "-wal", "-shm", "-journal"};

/* Returns 1 when the file named A and the one named B are one file: the same inode (a link to
 * it included), or the same name once their folders are resolved. */
static int
same_file(const char *a, const char *b)
{
    char ca[PATH_MAX], cb[PATH_MAX];
    struct stat sa, sb;

    if (stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
        return 1;
    return canonical(a, ca) == 0 && canonical(b, cb) == 0 && strcmp(ca, cb) == 0;
}

/* Returns 1 when writing PATH would replace the protected store or one of its files, 2 when
 * one of PATH's own side files (-wal, -shm, -journal: a backup is a store, and SQLite, or a
 * later backup over it, takes them for its own) would be the store or one of its files, else
 * 0. */
static int
is_protected(const char *path)
{
    char mine[PATH_MAX + 16], theirs[PATH_MAX + 16];

    if (protected_store == NULL || strcmp(protected_store, ":memory:") == 0)
        return 0;
    /* The office's private key beside the store (trust.h: STORE.key) is never written over. */
    if (snprintf(theirs, sizeof theirs, "%s.key", protected_store) < (int)sizeof theirs &&
        same_file(path, theirs))
        return 1;
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        if (snprintf(mine, sizeof mine, "%s%s", path, sides[i]) >= (int)sizeof mine)
            return 1;
        for (size_t j = 0; j < sizeof sides / sizeof sides[0]; j++) {
            snprintf(theirs, sizeof theirs, "%s%s", protected_store, sides[j]);
            if (same_file(mine, theirs))
                return i == 0 ? 1 : 2;
        }
    }
    return 0;
}

/* Removes the temporary files that earlier runs writing PATH left when they were killed:
 * "PATH.tmp-PID-XXXXXX" (and any side file SQLite gave one) whose process PID is gone. */
static void
sweep(const char *path)
{
    char *dcopy = strdup(path), *bcopy = strdup(path), prefix[PATH_MAX + 8];
    const char *base;
    struct dirent *e;
    DIR *dir = NULL;
    size_t n;

    if (dcopy == NULL || bcopy == NULL)
        goto out;
    base = basename(bcopy);
    n = (size_t)snprintf(prefix, sizeof prefix, "%s.tmp-", base);
    if (n >= sizeof prefix || (dir = opendir(dirname(dcopy))) == NULL)
        goto out;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        long pid;

        if (strncmp(e->d_name, prefix, n) != 0)
            continue;
        pid = strtol(e->d_name + n, &end, 10);
        if (end == e->d_name + n || *end != '-' || pid <= 0 || pid == (long)getpid() ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        unlinkat(dirfd(dir), e->d_name, 0);
    }
out:
    if (dir)
        closedir(dir);
    free(dcopy);
    free(bcopy);
}

int
outfile_open(const char *path, struct outfile *o, struct diag *d)
{
    struct stat sb;
    size_t n;
    mode_t mask;
    int fd = -1;

    memset(o, 0, sizeof *o);
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    switch (is_protected(path)) {
    case 1:
        return diag_set(d, DK_USAGE, "'%s' is the store or one of its files: write elsewhere",
                        path);
    case 2:
        return diag_set(d, DK_USAGE,
                        "'%s' would take the store '%s' for its own -wal, -shm or -journal file: "
                        "write elsewhere",
                        path, protected_store);
    }
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return diag_set(d, DK_IO, "cannot write '%s': it is a folder", path);
    sweep(path);
    n = strlen(path) + 40;
    if ((o->path = strdup(path)) == NULL || (o->tmp = malloc(n)) == NULL) {
        outfile_abort(o);
        return diag_set(d, DK_IO, "cannot write '%s': out of memory", path);
    }
    /* The process id in the name tells a later run whether the file was left by a process
     * that is gone (sweep). */
    snprintf(o->tmp, n, "%s.tmp-%ld-XXXXXX", path, (long)getpid());
    /* mkstemp makes the file private; the target gets the usual mode (0666 less the umask). */
    mask = umask(0);
    umask(mask);
    if ((fd = mkstemp(o->tmp)) < 0 || fchmod(fd, 0666 & ~mask) != 0 ||
        (o->f = fdopen(fd, "w")) == NULL) {
        int e = errno;

        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        outfile_abort(o);
        return diag_set(d, DK_IO, "cannot write '%s': %s", path, strerror(e));
    }
    return 0;
}

/* Syncs the folder that holds PATH, so that the rename itself survives a crash. */
static void
sync_dir(const char *path)
{
    char *copy = strdup(path);
    int fd;

    if (copy && (fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

int
outfile_commit(struct outfile *o, struct diag *d)
{
    int e = 0;

    if (o->path == NULL) {
        if (fflush(o->f) != 0 || ferror(o->f))
            return diag_set(d, DK_IO, "cannot write to stdout: %s", strerror(errno));
        return 0;
    }
    if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0)
        e = errno ? errno : EIO;
    if (fclose(o->f) != 0 && e == 0)
        e = errno;
    o->f = NULL;
    if (e == 0 && rename(o->tmp, o->path) != 0)
        e = errno;
    if (e != 0) {
        diag_set(d, DK_IO, "cannot write '%s': %s", o->path, strerror(e));
        outfile_abort(o);
        return DK_IO;
    }
    sync_dir(o->path);
    free(o->tmp);
    o->tmp = NULL;
    outfile_abort(o);
    return 0;
}

void
outfile_abort(struct outfile *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    if (o->tmp) {
        unlink(o->tmp);
        free(o->tmp);
    }
    free(o->path);
    memset(o, 0, sizeof *o);
}
