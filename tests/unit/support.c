/* support.c: what the unit tests share: a fresh in-memory store, and running a step inside the
 * one write transaction. */
#include <stdio.h>
#include <string.h>

#include "docket/checklist.h"
#include "docket/date.h"
#include "docket/item.h"
#include "support.h"

struct step {
    struct db *db;
    int (*fn)(struct db *db, void *arg, struct diag *d);
    void *arg;
    struct diag *d;
};

static int
run_step(void *arg)
{
    struct step *s = arg;

    return s->fn(s->db, s->arg, s->d);
}

int
support_write(struct db *db, int (*fn)(struct db *db, void *arg, struct diag *d), void *arg,
              struct diag *d)
{
    struct step s = {db, fn, arg, d};

    return db_tx(db, DB_TX_WRITE, run_step, &s, d);
}

int
support_load_checklist(struct db *db, void *arg, struct diag *d)
{
    (void)arg;
    return checklist_load_default(db, NULL, NULL, d);
}

struct db *
support_store(int checklist)
{
    struct diag d = {0};
    struct db *db = NULL;

    if (db_open(":memory:", DB_CREATE, &db, &d) != 0)
        fail_msg("cannot open an in-memory store: %s", d.msg);
    db_set_actor(db, "tester", "tester");
    if (checklist && support_write(db, support_load_checklist, NULL, &d) != 0)
        fail_msg("cannot load the checklist: %s", d.msg);
    return db;
}

long long
support_int(struct db *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = 0;

    assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

const char *
support_text(struct db *db, const char *sql)
{
    static char buf[4096];
    sqlite3_stmt *st;

    buf[0] = '\0';
    assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

int
support_open(void **state)
{
    *state = support_store(1);
    return 0;
}

int
support_close(void **state)
{
    db_close(*state);
    return 0;
}

const char *
support_item_col(struct db *db, const char *column, const char *key)
{
    static char buf[512];
    char sql[128];
    sqlite3_stmt *st;

    snprintf(sql, sizeof sql, "SELECT %s FROM items WHERE key = ?1", column);
    assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        snprintf(buf, sizeof buf, "(none)");
    else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        snprintf(buf, sizeof buf, "(null)");
    else
        snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

struct change {
    const char *key, *status, *eff;
    long long seq; /* the event recorded */
};

static int
do_set(struct db *db, void *arg, struct diag *d)
{
    struct change *c = arg;
    struct item it = {0};
    struct date eff;
    int rc;

    if ((rc = item_load(db, c->key, &it, d)) != 0)
        return rc;
    if ((rc = date_parse(c->eff, &eff, d)) == 0)
        rc = item_set_status(db, &it, c->status, &eff, "test", ITEM_RECORD, &c->seq, d);
    item_free(&it);
    return rc;
}

long long
support_set_status(struct db *db, const char *key, const char *status, const char *eff)
{
    struct change c = {key, status, eff, 0};
    struct diag d = {0};

    if (support_write(db, do_set, &c, &d) != 0)
        fail_msg("cannot set %s %s on %s: %s", key, status, eff, d.msg);
    assert_true(c.seq > 0);
    return c.seq;
}
