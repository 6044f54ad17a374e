/* test_db.c: the store: opening, migrating, cached statements and the one transaction helper. */
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docket/event.h"
#include "docket/state.h"
#include "support.h"

/* A temporary directory per test, removed with everything in it. */
struct tmp {
    char dir[64];
    char path[128];
};

static int
setup_tmp(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);

    if (t == NULL)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/docket-test-db-XXXXXX");
    if (mkdtemp(t->dir) == NULL) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int
teardown_tmp(void **state)
{
    struct tmp *t = *state;
    int rc = nftw(t->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);

    free(t);
    return rc;
}

/* Returns DIR/NAME in T's path buffer. */
static const char *
at(struct tmp *t, const char *name)
{
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    return t->path;
}

static void
write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_true(fputs(content, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Runs SQL through a plain SQLite connection, outside docket. */
static void
raw_exec(const char *path, const char *sql)
{
    sqlite3 *h = NULL;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("'%s' failed: %s", sql, msg ? msg : "?");
    assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

/* Creates a store at PATH and closes it. */
static void
create(const char *path)
{
    struct db *db = NULL;
    struct diag d = {0};

    if (db_open(path, DB_CREATE, &db, &d) != 0)
        fail_msg("cannot create '%s': %s", path, d.msg);
    db_close(db);
}

/* Expects db_open(PATH, FLAGS) to fail with CODE and a message holding WANT. */
static void
open_fails(const char *path, unsigned flags, int code, const char *want)
{
    struct db *db = NULL;
    struct diag d = {0};

    assert_int_equal(db_open(path, flags, &db, &d), code);
    assert_int_equal(d.code, code);
    if (strstr(d.msg, want) == NULL)
        fail_msg("'%s': expected '%s' in the message, got '%s'", path, want, d.msg);
    assert_null(db); /* out-parameters are written only on success */
}

static void
missing_file_is_no_store(void **state)
{
    struct tmp *t = *state;

    open_fails(at(t, "absent.db"), 0, DK_STORE, "no store");
    open_fails(at(t, "absent.db"), DB_READONLY, DK_STORE, "no store");
    /* A failed open creates nothing. */
    assert_int_not_equal(access(t->path, F_OK), 0);
}

static void
text_file_is_not_a_store(void **state)
{
    struct tmp *t = *state;

    write_file(at(t, "notes.txt"), "hello");
    open_fails(t->path, 0, DK_STORE, "not a docket store");
    /* The file is left as it was. */
    write_file(at(t, "long.txt"),
               "hello, this is a longer text file that is certainly not an SQLite database, "
               "written so that it runs past the 100-byte SQLite header that a short file "
               "would not even reach; docket must say so and leave the file alone\n");
    open_fails(t->path, 0, DK_STORE, "not a docket store");
    assert_int_equal(access(t->path, F_OK), 0);
}

static void
empty_file_is_not_a_store(void **state)
{
    struct tmp *t = *state;
    struct stat sb;

    write_file(at(t, "empty.db"), "");
    open_fails(t->path, 0, DK_STORE, "not a docket store");
    assert_int_equal(stat(t->path, &sb), 0);
    assert_int_equal(sb.st_size, 0);
}

static void
directory_is_not_a_store(void **state)
{
    struct tmp *t = *state;

    open_fails(t->dir, 0, DK_STORE, "not a docket store");
}

static void
plain_sqlite_file_is_not_a_store(void **state)
{
    struct tmp *t = *state;

    raw_exec(at(t, "other.db"), "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    open_fails(t->path, 0, DK_STORE, "not a docket store");
    open_fails(t->path, DB_READONLY, DK_STORE, "not a docket store");
    /* Nothing was migrated into it. */
    {
        sqlite3 *h = NULL;
        sqlite3_stmt *st;

        assert_int_equal(sqlite3_open(t->path, &h), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(h,
                                            "SELECT count(*) FROM sqlite_master WHERE name IN "
                                            "('event', 'meta', 'items')",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 0);
        sqlite3_finalize(st);
        sqlite3_close(h);
    }
}

static void
newer_store_is_refused(void **state)
{
    struct tmp *t = *state;

    create(at(t, "newer.db"));
    raw_exec(t->path, "PRAGMA user_version = 99");
    open_fails(t->path, 0, DK_STORE, "newer");
    open_fails(t->path, DB_READONLY, DK_STORE, "newer");
    assert_true(db_schema_version() < 99);
}

static void
create_refuses_an_existing_path(void **state)
{
    struct tmp *t = *state;
    char buf[16] = "";
    FILE *f;

    write_file(at(t, "taken"), "precious");
    open_fails(t->path, DB_CREATE, DK_STORE, "already exists");
    /* The file that was there is still there, untouched. */
    f = fopen(t->path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "precious");

    create(at(t, "store.db"));
    open_fails(t->path, DB_CREATE, DK_STORE, "already exists");
    /* ... and the existing store still opens. */
    {
        struct db *db = NULL;
        struct diag d = {0};

        assert_int_equal(db_open(t->path, 0, &db, &d), 0);
        db_close(db);
    }
}

static void
create_in_a_missing_folder_fails(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    struct diag d = {0};

    assert_int_not_equal(db_open(at(t, "no/such/folder/store.db"), DB_CREATE, &db, &d), 0);
    assert_true(d.code == DK_IO || d.code == DK_STORE);
    assert_null(db);
}

static void
new_store_is_docket_wal_and_migrated(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    struct diag d = {0};
    char replica[64];

    assert_int_equal(db_open(at(t, "new.db"), DB_CREATE, &db, &d), 0);
    assert_non_null(db);
    assert_int_equal(support_int(db, "PRAGMA application_id"), DB_APPLICATION_ID);
    assert_int_equal(DB_APPLICATION_ID, 0x444b5431);
    assert_string_equal(support_text(db, "PRAGMA journal_mode"), "wal");
    assert_int_equal(support_int(db, "PRAGMA user_version"), db_schema_version());
    assert_int_equal(support_int(db, "PRAGMA foreign_keys"), 1);
    assert_true(db_schema_version() >= 1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                     "AND name IN ('meta', 'event', 'shared', 'items')"),
                     4);
    assert_int_equal(support_int(db, "SELECT count(*) FROM event"), 0);
    snprintf(replica, sizeof replica, "%s",
             support_text(db, "SELECT value FROM meta WHERE key = 'replica'"));
    assert_int_equal(strlen(replica), 36);
    assert_string_equal(db_replica(db), replica);
    assert_int_equal(strlen(support_text(db, "SELECT value FROM meta WHERE key = 'created'")), 24);
    db_close(db);

    /* Reopening keeps the identity and does not migrate again. */
    db = NULL;
    assert_int_equal(db_open(t->path, 0, &db, &d), 0);
    assert_string_equal(db_replica(db), replica);
    assert_string_equal(support_text(db, "PRAGMA journal_mode"), "wal");
    assert_int_equal(support_int(db, "SELECT count(*) FROM meta"), 2);
    db_close(db);
}

static void
two_stores_have_different_replicas(void **state)
{
    struct tmp *t = *state;
    struct db *a = NULL, *b = NULL;
    struct diag d = {0};

    assert_int_equal(db_open(at(t, "a.db"), DB_CREATE, &a, &d), 0);
    assert_int_equal(db_open(at(t, "b.db"), DB_CREATE, &b, &d), 0);
    assert_string_not_equal(db_replica(a), db_replica(b));
    db_close(a);
    db_close(b);
    db_close(NULL);
}

static void
memory_store_is_always_new(void **state)
{
    struct db *a = NULL, *b = NULL;
    struct diag d = {0};

    (void)state;
    assert_int_equal(db_open(":memory:", 0, &a, &d), 0);
    assert_int_equal(db_open(":memory:", DB_CREATE, &b, &d), 0);
    assert_int_equal(support_int(a, "PRAGMA user_version"), db_schema_version());
    assert_string_not_equal(db_replica(a), db_replica(b));
    db_close(a);
    db_close(b);
}

static int
insert_meta(struct db *db, void *arg, struct diag *d)
{
    (void)arg;
    return db_exec(db, "INSERT INTO meta (key, value) VALUES ('probe', 'x')", d);
}

static void
readonly_refuses_writes(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    struct diag d = {0};

    create(at(t, "ro.db"));
    assert_int_equal(db_open(t->path, DB_READONLY, &db, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM meta"), 2);
    assert_int_equal(db_exec(db, "INSERT INTO meta (key, value) VALUES ('probe', 'x')", &d),
                     DK_STORE);
    assert_non_null(strstr(d.msg, "readonly"));
    memset(&d, 0, sizeof d);
    assert_int_equal(support_write(db, insert_meta, NULL, &d), DK_STORE);
    db_close(db);

    /* Nothing reached the file. */
    db = NULL;
    assert_int_equal(db_open(t->path, 0, &db, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM meta WHERE key = 'probe'"), 0);
    db_close(db);
}

/* A transaction body that writes a row, then returns its own code. */
struct body {
    struct db *db;
    struct diag *d;
    int code;
    int ran;
    char batch[64];
};

static int
write_then_return(void *arg)
{
    struct body *b = arg;
    struct event e = {.type = "note", .reason = "probe", .eff = "2016"};
    int rc = db_exec(b->db, "INSERT INTO meta (key, value) VALUES ('probe', 'x')", b->d);

    b->ran++;
    /* The transaction's first event makes its batch id. */
    if (rc == 0)
        rc = ev_append(b->db, &e, NULL, b->d);
    snprintf(b->batch, sizeof b->batch, "%s", db_writer(b->db)->batch);
    return rc ? rc : b->code;
}

static void
tx_rolls_back_on_failure(void **state)
{
    struct db *db = support_store(0);
    struct diag d = {0};
    struct body b = {db, &d, 3, 0, ""};

    (void)state;
    assert_int_equal(db_tx(db, DB_TX_WRITE, write_then_return, &b, &d), 3);
    assert_int_equal(b.ran, 1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM meta WHERE key = 'probe'"), 0);
    assert_int_equal(sqlite3_get_autocommit(db_handle(db)), 1);

    b.code = -1; /* any non-zero return rolls back, not only the exit codes */
    assert_int_equal(db_tx(db, DB_TX_WRITE, write_then_return, &b, &d), -1);
    assert_int_equal(support_int(db, "SELECT count(*) FROM meta WHERE key = 'probe'"), 0);

    b.code = 0;
    assert_int_equal(db_tx(db, DB_TX_WRITE, write_then_return, &b, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM meta WHERE key = 'probe'"), 1);
    assert_int_equal(sqlite3_get_autocommit(db_handle(db)), 1);

    /* A failing statement inside the body (a duplicate key) rolls back too. */
    assert_int_equal(db_tx(db, DB_TX_WRITE, write_then_return, &b, &d), DK_STORE);
    assert_int_equal(support_int(db, "SELECT count(*) FROM meta WHERE key = 'probe'"), 1);
    assert_int_equal(sqlite3_get_autocommit(db_handle(db)), 1);
    db_close(db);
}

static void
tx_starts_a_new_batch_each_time(void **state)
{
    struct db *db = support_store(0);
    struct diag d = {0};
    struct body b = {db, &d, 7, 0, ""};
    char first[64];

    (void)state;
    assert_int_equal(db_tx(db, DB_TX_WRITE, write_then_return, &b, &d), 7);
    snprintf(first, sizeof first, "%s", b.batch);
    assert_int_equal(strlen(first), 36);
    b.code = 8;
    assert_int_equal(db_tx(db, DB_TX_WRITE, write_then_return, &b, &d), 8);
    assert_int_equal(strlen(b.batch), 36);
    assert_string_not_equal(b.batch, first);
    db_close(db);
}

static void
statements_are_cached_and_bound_by_name(void **state)
{
    static const char sql[] = "SELECT :a || :b";
    struct db *db = support_store(0);
    sqlite3_stmt *st1, *st2;
    struct diag d = {0};

    (void)state;
    assert_int_equal(db_prep(db, sql, &st1, &d), 0);
    assert_int_equal(db_bind_text(db, st1, ":a", "x", &d), 0);
    assert_int_equal(db_bind_int(db, st1, ":b", 42, &d), 0);
    assert_int_equal(db_row(db, st1, &d), 1);
    assert_string_equal((const char *)sqlite3_column_text(st1, 0), "x42");
    /* The same text by address gives the same statement, reset and with bindings cleared. */
    assert_int_equal(db_prep(db, sql, &st2, &d), 0);
    assert_ptr_equal(st1, st2);
    assert_int_equal(db_row(db, st2, &d), 1);
    assert_int_equal(sqlite3_column_type(st2, 0), SQLITE_NULL);
    assert_int_equal(db_row(db, st2, &d), 0);
    /* A NULL value binds SQL NULL; an unknown name is a store error. */
    assert_int_equal(db_prep(db, sql, &st1, &d), 0);
    assert_int_equal(db_bind_text(db, st1, ":a", NULL, &d), 0);
    assert_int_equal(db_bind_text(db, st1, ":nope", "x", &d), DK_STORE);
    assert_non_null(strstr(d.msg, ":nope"));
    memset(&d, 0, sizeof d);
    assert_int_equal(db_prep(db, "SELECT * FROM no_such_table", &st1, &d), DK_STORE);
    assert_non_null(strstr(d.msg, "no_such_table"));
    db_close(db);
}

/* Returns the number of entries in DIR, not counting "." and "..". */
static int
entries(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(dp);
    while ((e = readdir(dp)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(dp);
    return n;
}

static void
backup_is_a_store_with_the_same_events(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL, *copy = NULL;
    struct diag d = {0};
    struct ev_check c1, c2;
    char src[128], dst[128], sub[128];
    long long n;

    snprintf(src, sizeof src, "%s", at(t, "live.db"));
    snprintf(sub, sizeof sub, "%s", at(t, "backups"));
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(dst, sizeof dst, "%s/copy.db", sub);
    assert_int_equal(db_open(src, DB_CREATE, &db, &d), 0);
    db_set_actor(db, "tester", "tester");
    assert_int_equal(support_write(db, support_load_checklist, NULL, &d), 0);
    n = support_int(db, "SELECT count(*) FROM event");
    assert_true(n > 30);

    assert_int_equal(db_backup(db, dst, &d), 0);
    /* Only the copy is left in its folder: no temporary file. */
    assert_int_equal(entries(sub), 1);
    assert_int_equal(db_open(dst, 0, &copy, &d), 0);
    assert_int_equal(support_int(copy, "SELECT count(*) FROM event"), n);
    assert_int_equal(support_int(copy, "SELECT count(*) FROM items"), 31);
    assert_int_equal(support_int(copy, "PRAGMA application_id"), DB_APPLICATION_ID);
    assert_int_equal(ev_check_chain(db, &c1, &d), 0);
    assert_int_equal(ev_check_chain(copy, &c2, &d), 0);
    assert_int_equal(c2.bad_seq, 0);
    assert_int_equal(c2.count, n);
    assert_memory_equal(c1.head, c2.head, EV_HASH_LEN);
    db_close(copy);

    /* A second backup replaces the first. */
    assert_int_equal(db_exec(db, "INSERT INTO meta (key, value) VALUES ('probe', 'x')", &d), 0);
    assert_int_equal(db_backup(db, dst, &d), 0);
    assert_int_equal(entries(sub), 1);
    copy = NULL;
    assert_int_equal(db_open(dst, 0, &copy, &d), 0);
    assert_int_equal(support_int(copy, "SELECT count(*) FROM meta WHERE key = 'probe'"), 1);
    db_close(copy);
    db_close(db);
}

static void
readonly_store_answers_as_of_queries(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    struct diag d = {0};
    struct ev_check c;

    assert_int_equal(db_open(at(t, "audit.db"), DB_CREATE, &db, &d), 0);
    db_set_actor(db, "tester", "tester");
    assert_int_equal(support_write(db, support_load_checklist, NULL, &d), 0);
    db_close(db);

    /* An auditor's read-only handle can still ask about the past and check the chain. */
    db = NULL;
    assert_int_equal(db_open(t->path, DB_READONLY, &db, &d), 0);
    /* Before the adoption, only iasc: a standing invitee of the IASC since 1992. */
    assert_int_equal(state_asof(db, "2015-11-23", NULL, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 1);
    assert_int_equal(state_asof(db, "2016-01-01", NULL, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM items"), 31);
    assert_int_equal(state_asof_end(db, &d), 0);
    assert_int_equal(state_check(db, &d), 0);
    assert_int_equal(ev_check_chain(db, &c, &d), 0);
    assert_int_equal(c.bad_seq, 0);
    assert_true(c.count > 30);
    db_close(db);
}

static void
backup_into_a_missing_folder_fails(void **state)
{
    struct tmp *t = *state;
    struct db *db = support_store(0);
    struct diag d = {0};

    assert_int_equal(db_backup(db, at(t, "missing/copy.db"), &d), DK_IO);
    assert_non_null(strstr(d.msg, "cannot write"));
    assert_int_equal(entries(t->dir), 0);
    db_close(db);
}

/* Every change to the schema by hand is named at open, with what differs. */
static void
changed_schema_is_refused(void **state)
{
    static const struct {
        const char *sql, *want;
    } cases[] = {
        {"DROP TRIGGER event_no_delete", "trigger 'event_no_delete' is missing"},
        {"CREATE TRIGGER t AFTER INSERT ON meta BEGIN SELECT 1; END",
         "trigger 't' is not docket's"},
        {"ALTER TABLE meta ADD COLUMN x", "table 'meta' differs from docket's"},
        {"CREATE TABLE zz (a)", "table 'zz' is not docket's"},
        {"DROP INDEX items_kind", "index 'items_kind' is missing"},
    };
    struct tmp *t = *state;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];

        snprintf(name, sizeof name, "s%zu.db", i);
        create(at(t, name));
        raw_exec(t->path, cases[i].sql);
        open_fails(t->path, 0, DK_STORE, cases[i].want);
        open_fails(t->path, DB_READONLY, DK_STORE, cases[i].want);
    }
    /* Statistics that ANALYZE adds are not a change to docket's schema. */
    create(at(t, "stat.db"));
    raw_exec(t->path, "ANALYZE");
    {
        struct db *db = NULL;
        struct diag d = {0};

        assert_int_equal(db_open(t->path, 0, &db, &d), 0);
        db_close(db);
    }
}

/* A reader opens a store of an older schema through a migrated private copy: the file keeps its
 * bytes and its version, and the copy reads as a migrated store. */
static void
readonly_reads_an_older_store(void **state)
{
    struct tmp *t = *state;
    struct db *db = NULL;
    struct diag d = {0};
    char before[64], after[64];
    FILE *f;

    create(at(t, "old.db"));
    /* A store as migration 3 left it: 007, 006, 005 and 004 undone. */
    raw_exec(t->path,
             "DROP TABLE kinds; DROP TABLE vocab; DROP TABLE items; CREATE TABLE kinds (name TEXT "
             "PRIMARY KEY, label TEXT, description TEXT, initial TEXT, keep_baseline TEXT, "
             "cadence_months INTEGER); CREATE TABLE vocab (kind TEXT NOT NULL, status TEXT NOT "
             "NULL, label TEXT, progress INTEGER NOT NULL, final INTEGER NOT NULL, breach INTEGER "
             "NOT NULL, submission INTEGER NOT NULL, ord INTEGER NOT NULL, lost INTEGER NOT NULL "
             "DEFAULT 0, at_risk INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (kind, status)); CREATE "
             "TABLE items (uuid TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, doc TEXT, kind TEXT "
             "NOT NULL, parent TEXT, title TEXT NOT NULL, ref TEXT, goal TEXT, due TEXT, "
             "cadence_months INTEGER, description TEXT, created TEXT NOT NULL, status TEXT, since "
             "TEXT, status_seq INTEGER, progress INTEGER, final INTEGER, breach INTEGER, submitted "
             "TEXT, next_due TEXT, para_ord INTEGER NOT NULL, rollup TEXT); "
             "ALTER TABLE vocab DROP COLUMN lost; ALTER TABLE vocab DROP COLUMN at_risk; ALTER "
             "TABLE items DROP COLUMN rollup; DROP INDEX event_status; DROP INDEX event_edit; "
             "ALTER TABLE event DROP COLUMN "
             "eff_day; CREATE INDEX event_status ON event (item, eff_end, recorded, new_value, "
             "type) WHERE type = 'status'; CREATE INDEX event_edit ON event (item, subject, "
             "eff_end) WHERE type = 'edit'; DROP TABLE quarantine; DROP TABLE signature; DROP "
             "INDEX event_offices; "
             "ALTER TABLE event DROP COLUMN base; CREATE TABLE conflict (seq INTEGER "
             "PRIMARY KEY, item TEXT NOT NULL, pos INTEGER NOT NULL, saw TEXT, held "
             "TEXT); CREATE INDEX conflict_item ON conflict (item); PRAGMA user_version = 3; "
             "PRAGMA journal_mode = DELETE");
    f = fopen(t->path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(before, 1, sizeof before, f), sizeof before);
    fclose(f);
    assert_int_equal(db_open(t->path, DB_READONLY, &db, &d), 0);
    assert_int_equal(support_int(db, "SELECT count(*) FROM quarantine"), 0);
    assert_int_equal(support_int(db, "PRAGMA user_version"), db_schema_version());
    db_close(db);
    f = fopen(t->path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(after, 1, sizeof after, f), sizeof after);
    fclose(f);
    assert_memory_equal(before, after, sizeof before);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(missing_file_is_no_store, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(text_file_is_not_a_store, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(empty_file_is_not_a_store, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(directory_is_not_a_store, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(plain_sqlite_file_is_not_a_store, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(newer_store_is_refused, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(create_refuses_an_existing_path, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(create_in_a_missing_folder_fails, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(new_store_is_docket_wal_and_migrated, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(two_stores_have_different_replicas, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test(memory_store_is_always_new),
        cmocka_unit_test_setup_teardown(changed_schema_is_refused, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(readonly_reads_an_older_store, setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(readonly_refuses_writes, setup_tmp, teardown_tmp),
        cmocka_unit_test(tx_rolls_back_on_failure),
        cmocka_unit_test(tx_starts_a_new_batch_each_time),
        cmocka_unit_test(statements_are_cached_and_bound_by_name),
        cmocka_unit_test_setup_teardown(backup_is_a_store_with_the_same_events, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(readonly_store_answers_as_of_queries, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(backup_into_a_missing_folder_fails, setup_tmp,
                                        teardown_tmp),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
