/* db.c: the store: opening, migrating, cached statements and the one transaction helper. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docket/currency.h"
#include "docket/date.h"
#include "docket/db.h"
#include "docket/embed.h"
#include "docket/schema.h"
#include "docket/state.h"
#include "docket/text.h"
#include "docket/uuid.h"

enum { BUSY_TIMEOUT_MS = 10000 };

struct cached {
    const char *sql;
    sqlite3_stmt *st;
};

struct db {
    sqlite3 *h;
    struct cached *cache;
    size_t ncache, capcache;
    char replica[UUID_LEN + 1];
    struct db_writer writer;
    int wal_frames; /* the WAL's length after this connection's last commit */
    int copy;       /* a private copy of an older store, migrated for a reader (-r) */
};

/* Past this many frames (512 KiB) a writer that closes last checkpoints the WAL (db_tx). */
enum { WAL_CHECKPOINT_FRAMES = 128 };

/* After each commit: notes the WAL's length, and checkpoints as SQLite's own hook would (every
 * 1,000 frames) for a process that commits many times. */
static int
on_wal(void *arg, sqlite3 *h, const char *name, int frames)
{
    struct db *db = arg;

    db->wal_frames = frames;
    if (frames >= 1000)
        sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

/* Before SQLite starts: no global count of the memory it uses, which every allocation would
 * otherwise update under a lock that all connections share. docket reads no such count. */
static pthread_once_t configured = PTHREAD_ONCE_INIT;

static void
configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
db_fail(struct db *db, const char *what, struct diag *d)
{
    int ec = sqlite3_extended_errcode(db->h);

    if ((ec & 0xff) == SQLITE_BUSY)
        return diag_set(d, DK_STORE, "%s: the store is locked by another process (waited %d s)",
                        what, BUSY_TIMEOUT_MS / 1000);
    if ((ec & 0xff) == SQLITE_NOTADB || (ec & 0xff) == SQLITE_CORRUPT)
        return diag_set(d, DK_STORE, "%s: the store is damaged: %s", what, sqlite3_errmsg(db->h));
    /* A write cut short in a rollback journal (a restore, db_tx) is undone by the next
     * connection that may write. */
    if (ec == SQLITE_READONLY_ROLLBACK)
        return diag_set(d, DK_STORE,
                        "%s: a write to the store was cut short, and only a command without -r "
                        "can undo it",
                        what);
    /* A file that SQLite opened for writing yet refuses to write: its permissions, or a
     * header that asks for a newer file format (damage, or another program). */
    if (ec == SQLITE_READONLY)
        return diag_set(d, DK_STORE,
                        "%s: the store cannot be written: its file is read-only, or its header is "
                        "damaged (%s)",
                        what, sqlite3_errmsg(db->h));
    /* docket checks its writes before making them, and its triggers are the only constraint
     * that may refuse one: any other constraint failing means damage or a change from outside,
     * as does a table or column of docket's schema gone missing, or a function that docket's
     * schema never calls (a partial index's condition altered in the file). */
    if (((ec & 0xff) == SQLITE_CONSTRAINT && ec != SQLITE_CONSTRAINT_TRIGGER) ||
        (ec == SQLITE_ERROR && (strncmp(sqlite3_errmsg(db->h), "no such ", 8) == 0 ||
                                strncmp(sqlite3_errmsg(db->h), "unknown function", 16) == 0)))
        return diag_set(d, DK_STORE,
                        "%s: the store is damaged or was changed behind docket's back (run "
                        "'docket verify --deep'): %s",
                        what, sqlite3_errmsg(db->h));
    return diag_set(d, DK_STORE, "%s: %s", what, sqlite3_errmsg(db->h));
}

int
db_shared_hash(struct db *db, long long pos, unsigned char out[32], int *found, struct diag *d)
{
    static const char sql[] = "SELECT hash FROM shared WHERE pos = :pos UNION ALL "
                              "SELECT hash FROM quarantine WHERE pos = :pos";
    sqlite3_stmt *st = NULL;
    int rc;

    *found = 0;
    if ((rc = db_prep(db, sql, &st, d)) != 0 || (rc = db_bind_int(db, st, ":pos", pos, d)) != 0)
        return rc;
    if ((rc = db_row(db, st, d)) == 1 && sqlite3_column_bytes(st, 0) == 32) {
        memcpy(out, sqlite3_column_blob(st, 0), 32);
        *found = 1;
    }
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

/* Reads the trail's mark: the last event's number and the shared log's length, which, the two
 * being append-only, tell whether two snapshots hold the same events. Returns 0 or -1. */
static int
log_mark(struct db *db, long long mark[2])
{
    static const char sql[] = "SELECT (SELECT coalesce(max(seq), 0) FROM event), "
                              "(SELECT coalesce(max(pos), 0) FROM shared)";
    struct diag d = {0};
    sqlite3_stmt *st;
    int rc;

    if (db_prep(db, sql, &st, &d) != 0)
        return -1;
    if ((rc = db_row(db, st, &d)) == 1) {
        mark[0] = sqlite3_column_int64(st, 0);
        mark[1] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == 1 ? 0 : -1;
}

struct db *
db_twin(struct db *db, const char *path)
{
    long long want[2], got[2];
    struct diag d = {0};

    /* A private copy is gone from the file system: it has no second connection. */
    if (path == NULL || strcmp(path, ":memory:") == 0 || db->copy || log_mark(db, want) != 0)
        return NULL;
    for (int tries = 0; tries < 3; tries++) {
        struct db *b = NULL;

        if (db_open(path, DB_READONLY, &b, &d) != 0 || db_exec(b, "BEGIN", &d) != 0) {
            db_close(b);
            return NULL;
        }
        if (log_mark(b, got) == 0 && got[0] == want[0] && got[1] == want[1])
            return b;
        /* A writer committed in between: this snapshot is newer than DB's. */
        db_close(b);
    }
    return NULL;
}

int
db_schema_version(void)
{
    int n = 0;

    while (schema_migration(n + 1) != NULL)
        n++;
    return n;
}

sqlite3 *
db_handle(struct db *db)
{
    return db->h;
}

const char *
db_replica(const struct db *db)
{
    return db->replica;
}

void
db_set_actor(struct db *db, const char *actor, const char *login)
{
    db->writer.actor = actor ? actor : "";
    db->writer.login = login ? login : "";
}

struct db_writer *
db_writer(struct db *db)
{
    return &db->writer;
}

int
db_prep(struct db *db, const char *sql, sqlite3_stmt **out, struct diag *d)
{
    sqlite3_stmt *st;

    for (size_t i = 0; i < db->ncache; i++) {
        if (db->cache[i].sql == sql) {
            sqlite3_reset(db->cache[i].st);
            sqlite3_clear_bindings(db->cache[i].st);
            *out = db->cache[i].st;
            return 0;
        }
    }
    if (db->ncache == db->capcache) {
        size_t cap = db->capcache ? db->capcache * 2 : 32;
        struct cached *c = realloc(db->cache, cap * sizeof *c);

        if (c == NULL)
            return diag_set(d, DK_STORE, "out of memory");
        db->cache = c;
        db->capcache = cap;
    }
    if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return db_fail(db, "cannot prepare a statement", d);
    db->cache[db->ncache].sql = sql;
    db->cache[db->ncache].st = st;
    db->ncache++;
    *out = st;
    return 0;
}

int
db_row(struct db *db, sqlite3_stmt *st, struct diag *d)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    db_fail(db, "store", d);
    sqlite3_reset(st);
    return -1;
}

int
db_run(struct db *db, sqlite3_stmt *st, struct diag *d)
{
    int rc;

    while ((rc = db_row(db, st, d)) == 1)
        ;
    sqlite3_reset(st);
    return rc < 0 ? d->code : 0;
}

int
db_exec(struct db *db, const char *sql, struct diag *d)
{
    if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, "store", d);
    return 0;
}

static int
param(struct db *db, sqlite3_stmt *st, const char *name, struct diag *d)
{
    int i = sqlite3_bind_parameter_index(st, name);

    if (i == 0)
        diag_set(d, DK_STORE, "internal: statement has no parameter '%s'", name);
    (void)db;
    return i;
}

int
db_bind_text(struct db *db, sqlite3_stmt *st, const char *name, const char *v, struct diag *d)
{
    int i = param(db, st, name, d);
    int rc;

    if (i == 0)
        return DK_STORE;
    rc = v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
    return rc == SQLITE_OK ? 0 : db_fail(db, "bind", d);
}

int
db_bind_int(struct db *db, sqlite3_stmt *st, const char *name, long long v, struct diag *d)
{
    int i = param(db, st, name, d);

    if (i == 0)
        return DK_STORE;
    return sqlite3_bind_int64(st, i, v) == SQLITE_OK ? 0 : db_fail(db, "bind", d);
}

/* period_end(D): the last day of the period of effective date D (YYYY, YYYY-MM or
 * YYYY-MM-DD), or NULL when D is not one. The projections use it to reach a due date. */
static void
sql_period_end(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const unsigned char *v = sqlite3_value_text(argv[0]);
    struct diag d = {0};
    struct date date;

    (void)argc;
    if (v == NULL || date_parse((const char *)v, &date, &d) != 0)
        sqlite3_result_null(cx);
    else
        sqlite3_result_text(cx, date.end, -1, SQLITE_TRANSIENT);
}

/* add_months(D, N): the day N months after the end of D's period, held to the end of the month
 * it lands in (date_add_months), or NULL. A reporting duty's next due date. */
static void
sql_add_months(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    char out[11];

    (void)argc;
    if (sqlite3_value_numeric_type(argv[1]) != SQLITE_INTEGER ||
        date_add_months((const char *)sqlite3_value_text(argv[0]), sqlite3_value_int64(argv[1]),
                        out) != 0)
        sqlite3_result_null(cx);
    else
        sqlite3_result_text(cx, out, 10, SQLITE_TRANSIENT);
}

/* money(MINOR, CURRENCY): an amount in minor units written in major units, for reports. */
static void
sql_money(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    char buf[48];

    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    currency_format(buf, sizeof buf, sqlite3_value_int64(argv[0]),
                    (const char *)sqlite3_value_text(argv[1]));
    sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

/* Reads one integer PRAGMA. Returns 0 or DK_STORE. */
static int
pragma_int(struct db *db, const char *sql, int *out, struct diag *d)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, "cannot read the store", d);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_fail(db, "cannot read the store", d);
    return 0;
}

static int
begin(struct db *db, int write, struct diag *d)
{
    struct db_writer *w = &db->writer;

    /* A new transaction: a new batch, and a chain head to read again. */
    w->batch[0] = '\0';
    w->known = 0;
    w->seq = 0;
    memset(w->hash, 0, sizeof w->hash);
    w->base = 0;
    w->announced = 0;
    if (sqlite3_exec(db->h, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(db, "cannot begin a transaction", d);
    return 0;
}

/* Sets the journal mode to MODE without waiting for other connections (leaving WAL needs the
 * store to itself); returns 1 when the store is now in MODE. */
static int
journal_mode(struct db *db, const char *mode)
{
    char sql[64];
    sqlite3_stmt *st;
    int ok = 0;

    snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
    sqlite3_busy_timeout(db->h, 0);
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK) {
        ok = sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), mode) == 0;
        sqlite3_finalize(st);
    }
    sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
    return ok;
}

int
db_tx(struct db *db, int kind, int (*fn)(void *arg), void *arg, struct diag *d)
{
    int write = kind != DB_TX_READ, bulk = kind == DB_TX_BULK && journal_mode(db, "delete");
    int rc = begin(db, write, d);

    if (rc != 0)
        goto out;
    rc = fn(arg);
    if (rc == 0 && sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        /* A failed sync leaves the written pages in the WAL: a later reader may or may not
         * see them, so the outcome is unknown rather than undone. */
        if (sqlite3_extended_errcode(db->h) == SQLITE_IOERR_FSYNC)
            rc = diag_set(d, DK_STORE,
                          "cannot commit: the disk did not confirm the write, so the change may "
                          "or may not be saved (check with 'docket log')");
        else
            rc = db_fail(db, "cannot commit", d);
    }
    if (rc != 0 && !sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    /* Every command is a process, and a process that opens the store first rebuilds the WAL's
     * index from the WAL and counts none of it as checkpointed: left to SQLite's own
     * checkpoints, the WAL of a store used command by command only grows, and every reader
     * looks up its pages there (a list took 28 ms rather than 18 behind 5,000 frames). Once
     * the WAL passes WAL_CHECKPOINT_FRAMES, the writer that closes last copies it into the
     * store and removes it; below that, the syncs are not worth their cost to every write. */
    if (rc == 0 && write && db->wal_frames >= WAL_CHECKPOINT_FRAMES)
        sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
out:
    /* Should another process have opened the store in the meantime, or this one be killed
     * before it switches, the store stays in the rollback journal until the next writer opens
     * it (db_open). */
    if (bulk)
        journal_mode(db, "wal");
    return rc;
}

/* Brings the schema from version FROM to the newest inside one transaction; a new store
 * (FROM 0) also gets its identity. Returns 0 or DK_STORE. */
static int
migrate(struct db *db, struct diag *d)
{
    char id[UUID_LEN + 1], now[TS_LEN + 1], sql[128];
    const struct embed_file *f;
    int version, n, rc, replay = 0;
    sqlite3_stmt *st;

    if ((rc = begin(db, 1, d)) != 0)
        return rc;
    /* Another process may have migrated while this one waited for the lock. */
    if ((rc = pragma_int(db, "PRAGMA user_version", &version, d)) != 0)
        goto out;
    for (n = version + 1; (f = schema_migration(n)) != NULL; n++) {
        /* A migration that makes a state table anew asks for the state to be replayed from
         * the events, once the last has run (a store made by it holds no events yet). */
        replay |= version > 0 && strstr(f->data, "\n-- docket: replay the state\n") != NULL;
        if (sqlite3_exec(db->h, f->data, NULL, NULL, NULL) != SQLITE_OK) {
            /* Each migration creates its tables: one that finds them there was given a schema
             * version older than the store's, which only damage to the header does. */
            if (strstr(sqlite3_errmsg(db->h), " already exists"))
                rc = diag_set(d, DK_STORE,
                              "the store is damaged: its schema version (%d) is older than its "
                              "tables (%s)",
                              version, sqlite3_errmsg(db->h));
            else
                rc = diag_set(d, DK_STORE, "migration '%s' failed: %s", f->name,
                              sqlite3_errmsg(db->h));
            goto out;
        }
    }
    if (version == 0) {
        if (uuid_v4(id) != 0) {
            rc = diag_set(d, DK_STORE, "cannot make a replica id: no random bytes");
            goto out;
        }
        ts_now(now);
        if (sqlite3_prepare_v2(db->h,
                               "INSERT INTO meta (key, value) VALUES ('replica', ?1), "
                               "('created', ?2)",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = db_fail(db, "cannot write the store", d);
            goto out;
        }
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            rc = db_fail(db, "cannot write the store", d);
            goto out;
        }
    }
    if (replay && (rc = state_rebuild(db, d)) != 0) {
        diag_prefix(d, "cannot migrate the store: ");
        goto out;
    }
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
             DB_APPLICATION_ID, n - 1);
    if ((rc = db_exec(db, sql, d)) != 0)
        goto out;
    if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(db, "cannot commit the migration", d);
    /* A migration is a write, by whatever command opened the store: a long one (a replay of
     * the state) is checkpointed at the close, as db_tx does for any writer. */
    else if (db->wal_frames >= WAL_CHECKPOINT_FRAMES)
        sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
out:
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int
load_replica(struct db *db, struct diag *d)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = 'replica'", -1, &st, NULL) !=
        SQLITE_OK)
        return db_fail(db, "cannot read the store", d);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == UUID_LEN)
        memcpy(db->replica, sqlite3_column_text(st, 0), UUID_LEN + 1);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW && db->replica[0] != '\0')
        return 0;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return diag_set(d, DK_STORE, "the store has no valid replica id");
    return db_fail(db, "cannot read the store", d);
}

/* Checks that the file is docket's (or, for DB_CREATE, empty) and not newer than this program;
 * writes its schema version to *VERSION. Runs before anything else touches the file, so that a
 * stray text file is called what it is. */
static int
check_store(struct db *db, const char *path, unsigned flags, int *version, struct diag *d)
{
    int app, rc;

    if ((rc = pragma_int(db, "PRAGMA application_id", &app, d)) != 0) {
        if ((sqlite3_errcode(db->h) & 0xff) == SQLITE_NOTADB) {
            d->code = 0;
            return diag_set(d, DK_STORE, "'%s' is not a docket store (not an SQLite file)", path);
        }
        return rc;
    }
    if ((rc = pragma_int(db, "PRAGMA user_version", version, d)) != 0)
        return rc;
    if (!(flags & DB_CREATE) && app != DB_APPLICATION_ID)
        return diag_set(d, DK_STORE, "'%s' is not a docket store", path);
    if (*version > db_schema_version())
        return diag_set(d, DK_STORE,
                        "'%s' was written by a newer docket (schema %d; this one knows %d)", path,
                        *version, db_schema_version());
    return 0;
}

/* Opens the connection DB->h to NAME (a path, or a file: URI) with SQLite's OFLAGS, and sets it
 * up as every docket connection is. Returns 0 or DK_STORE. */
static int
connect(struct db *db, const char *path, const char *name, int oflags, struct diag *d)
{
    if (sqlite3_open_v2(name, &db->h, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return diag_set(d, DK_STORE, "cannot open '%s': %s", path,
                        db->h ? sqlite3_errmsg(db->h) : "out of memory");
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
    /* A reader that closes last must not write (an auditor's -r copy, a report): only a
     * connection that committed a write checkpoints the WAL at its close (db_tx). */
    sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_wal_hook(db->h, on_wal, db);
    sqlite3_create_function_v2(db->h, "period_end", 1,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                               sql_period_end, NULL, NULL, NULL);
    sqlite3_create_function_v2(db->h, "add_months", 2,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                               sql_add_months, NULL, NULL, NULL);
    sqlite3_create_function_v2(db->h, "money", 2,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                               sql_money, NULL, NULL, NULL);
    return 0;
}

/* Returns 1 when a reader that failed to open PATH may open it immutable: SQLite could not open
 * it (read-only media, where a WAL store cannot make its -shm), and no -wal beside it holds
 * commits that reading the file alone would miss. A live store always has its -wal. */
static int
may_read_immutable(struct db *db, const char *path)
{
    char wal[4096];
    struct stat sb;

    if ((sqlite3_errcode(db->h) & 0xff) != SQLITE_CANTOPEN ||
        snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal)
        return 0;
    return stat(wal, &sb) != 0 && errno == ENOENT;
}

/* Replaces DB's connection to the older store at PATH by one to a private copy, made in
 * $TMPDIR (else /tmp) and migrated there, so that a reader (-r) can read any store an earlier
 * docket wrote without writing to it. The copy's file is removed once migrated; the connection
 * keeps it until it closes. Returns 0, DK_STORE or DK_IO. */
static int
private_copy(struct db *db, const char *path, struct diag *d)
{
    const char *dir = getenv("TMPDIR");
    char tmp[4096];
    sqlite3_backup *b;
    sqlite3 *src = db->h;
    int fd, rc;

    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    if (snprintf(tmp, sizeof tmp, "%s/docket-copy-XXXXXX", dir) >= (int)sizeof tmp)
        return diag_set(d, DK_IO, "cannot copy '%s' to migrate it: $TMPDIR is too long", path);
    if ((fd = mkstemp(tmp)) < 0)
        return diag_set(d, DK_IO, "cannot copy '%s' to migrate it: %s: %s", path, tmp,
                        strerror(errno));
    close(fd);
    db->h = NULL;
    if ((rc = connect(db, path, tmp, SQLITE_OPEN_READWRITE, d)) == 0) {
        if ((b = sqlite3_backup_init(db->h, "main", src, "main")) == NULL ||
            sqlite3_backup_step(b, -1) != SQLITE_DONE)
            rc = diag_set(d, DK_STORE, "cannot copy '%s' to migrate it: %s", path,
                          sqlite3_errmsg(b ? src : db->h));
        sqlite3_backup_finish(b);
    }
    /* The copy took the store's WAL mode: without it, nothing but the copy is written. */
    if (rc == 0)
        rc = db_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA journal_mode = MEMORY", d);
    sqlite3_close(src);
    if (rc == 0 && (rc = migrate(db, d)) != 0)
        diag_prefix(d, "'%s' (a private copy, for reading): ", path);
    unlink(tmp);
    db->copy = 1;
    return rc;
}

int
db_open(const char *path, unsigned flags, struct db **out, struct diag *d)
{
    struct db *db;
    struct stat sb;
    int oflags, rc, fd, version;
    char uri[4200];

    if (strcmp(path, ":memory:") == 0) {
        /* An in-memory store, for tests: always new. */
        flags |= DB_CREATE;
    } else if (flags & DB_CREATE) {
        /* O_EXCL claims the name, so two inits cannot both create it. */
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            return diag_set(d, errno == EEXIST ? DK_STORE : DK_IO, "cannot create '%s': %s", path,
                            errno == EEXIST ? "it already exists" : strerror(errno));
        close(fd);
    } else if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            return diag_set(d, DK_STORE, "no store at '%s' (create one with 'docket init')", path);
        return diag_set(d, DK_STORE, "cannot open '%s': %s", path, strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        return diag_set(d, DK_STORE, "'%s' is not a docket store (not a regular file)", path);
    }
    pthread_once(&configured, configure);
    if ((db = calloc(1, sizeof *db)) == NULL)
        return diag_set(d, DK_STORE, "out of memory");
    db->writer.actor = db->writer.login = "";
    db->writer.replica = db->replica;
    oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if ((rc = connect(db, path, path, oflags, d)) != 0)
        goto fail;
    if ((rc = check_store(db, path, flags, &version, d)) != 0 && (flags & DB_READONLY) &&
        may_read_immutable(db, path) &&
        text_file_uri("file:", path, "?immutable=1", uri, sizeof uri) == 0) {
        /* A store on read-only media (a backup on a stick) with no -wal beside it. */
        sqlite3_close(db->h);
        db->h = NULL;
        d->code = 0;
        if ((rc = connect(db, path, uri, oflags | SQLITE_OPEN_URI, d)) == 0)
            rc = check_store(db, path, flags, &version, d);
    }
    if (rc != 0 && !(flags & DB_READONLY) && (sqlite3_errcode(db->h) & 0xff) == SQLITE_CANTOPEN &&
        access(path, W_OK) != 0) {
        d->code = 0;
        rc = diag_set(d, DK_STORE, "cannot open '%s' for writing: %s (read it with -r)", path,
                      strerror(errno));
    }
    if (rc != 0)
        goto fail;
    /* A new store, or one that a bulk write left in a rollback journal (db_tx) when a writer
     * opens it, gets its WAL; a reader never writes. */
    if ((flags & (DB_CREATE | DB_WRITER)) &&
        (rc = db_exec(db, "PRAGMA journal_mode = WAL", d)) != 0)
        goto fail;
    /* As-of tables live in memory: they hold one row per item, not per event. */
    if ((rc = db_exec(db,
                      "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
                      "PRAGMA temp_store = MEMORY",
                      d)) != 0)
        goto fail;
    /* A reader leaves an older store as it is and reads a migrated copy of it. */
    if (version < db_schema_version())
        rc = (flags & DB_READONLY) ? private_copy(db, path, d) : migrate(db, d);
    if (rc != 0 || (rc = load_replica(db, d)) != 0 || (rc = schema_check(db->h, d)) != 0)
        goto fail;
    *out = db;
    return 0;
fail:
    db_close(db);
    if ((flags & DB_CREATE) && strcmp(path, ":memory:") != 0)
        db_remove(path);
    return rc;
}

void
db_set_key(struct db *db, struct trust_key *k)
{
    db->writer.key = k;
}

const struct trust_key *
db_key(const struct db *db)
{
    return db->writer.key;
}

void
db_close(struct db *db)
{
    if (db == NULL)
        return;
    for (size_t i = 0; i < db->ncache; i++)
        sqlite3_finalize(db->cache[i].st);
    free(db->cache);
    sqlite3_close(db->h);
    free(db);
}
