/* db_backup.c: the store as a file: a consistent copy of it written over a target (backup), and
 * a store removed with its side files. */
#include <stdio.h>
#include <unistd.h>

#include "docket/db.h"
#include "docket/outfile.h"

/* Removes the -wal, -shm and -journal files of the store at PATH. */
static void
remove_sides(const char *path)
{
    static const char *const sides[] = {"-wal", "-shm", "-journal"};
    char name[4096];

    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++)
        if (snprintf(name, sizeof name, "%s%s", path, sides[i]) < (int)sizeof name)
            unlink(name);
}

void
db_remove(const char *path)
{
    unlink(path);
    remove_sides(path);
}

/* Switches the store file at PATH, which no one else has open, to WAL. */
static int
set_wal(const char *path, struct diag *d)
{
    sqlite3 *h = NULL;
    int rc = 0;

    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(h, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
        rc = diag_set(d, DK_IO, "cannot write '%s': %s", path,
                      h ? sqlite3_errmsg(h) : "out of memory");
    sqlite3_close(h);
    return rc;
}

int
db_backup(struct db *db, const char *path, struct diag *d)
{
    struct outfile o;
    sqlite3_stmt *st = NULL;
    int rc;

    /* VACUUM INTO writes a consistent copy into the empty temporary file. */
    if ((rc = outfile_open(path, &o, d)) != 0)
        return rc;
    if (sqlite3_prepare_v2(db_handle(db), "VACUUM INTO ?1", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, o.tmp, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE) {
        rc = db_fail(db, "backup", d);
        sqlite3_finalize(st);
        outfile_abort(&o);
        return rc;
    }
    sqlite3_finalize(st);
    /* VACUUM INTO leaves the copy in rollback-journal mode; a restored store is like any
     * other: WAL. */
    if ((rc = set_wal(o.tmp, d)) != 0) {
        outfile_abort(&o);
        return rc;
    }
    /* A store that the copy replaces may have left a WAL or a journal: SQLite would apply it to
     * the copy, whose pages it does not describe. */
    remove_sides(path);
    return outfile_commit(&o, d);
}
