/* outfile.c: files written whole or not at all: a temporary file beside the target, flushed,
 * synced and renamed over it. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
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

/* Returns 1 when writing PATH would replace the protected store or one of its files: the same
 * file (a link to it included), or the same name once its folder is resolved. */
static int
is_protected(const char *path)
{
    static const char *const sides[] = {"", "-wal", "-shm", "-journal"};
    char want[PATH_MAX], side[PATH_MAX + 16];
    struct stat a, b;
    int named;

    if (protected_store == NULL || strcmp(protected_store, ":memory:") == 0)
        return 0;
    named = canonical(path, want) == 0;
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        char have[PATH_MAX];

        snprintf(side, sizeof side, "%s%s", protected_store, sides[i]);
        if (stat(path, &a) == 0 && stat(side, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
            return 1;
        if (named && canonical(side, have) == 0 && strcmp(have, want) == 0)
            return 1;
    }
    return 0;
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
    if (is_protected(path))
        return diag_set(d, DK_USAGE, "'%s' is the store or one of its files: write elsewhere",
                        path);
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return diag_set(d, DK_IO, "cannot write '%s': it is a folder", path);
    n = strlen(path) + 16;
    if ((o->path = strdup(path)) == NULL || (o->tmp = malloc(n)) == NULL) {
        outfile_abort(o);
        return diag_set(d, DK_IO, "cannot write '%s': out of memory", path);
    }
    snprintf(o->tmp, n, "%s.tmp-XXXXXX", path);
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
