/* support.c: what the unit tests share: a fresh in-memory store, and running a step inside the
 * one write transaction. */
#include <stdio.h>
#include <string.h>

#include "docket/checklist.h"
#include "docket/embed.h"
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

    return db_tx(db, 1, run_step, &s, d);
}

static int
load(struct db *db, void *arg, struct diag *d)
{
    const struct embed_file *f = embed_find(CHECKLIST_DEFAULT);
    struct checklist_counts n;
    json_t *cl = NULL;
    int rc;

    (void)arg;
    if ((rc = checklist_parse(f->data, f->len, &cl, d)) == 0)
        rc = checklist_apply(db, cl, &n, d);
    json_decref(cl);
    return rc;
}

struct db *
support_store(int checklist)
{
    struct diag d = {0};
    struct db *db = NULL;

    if (db_open(":memory:", DB_CREATE, &db, &d) != 0)
        fail_msg("cannot open an in-memory store: %s", d.msg);
    db_set_actor(db, "tester", "tester");
    if (checklist && support_write(db, load, NULL, &d) != 0)
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
