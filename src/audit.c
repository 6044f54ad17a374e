/* audit.c: the whole check behind `verify`: the chain and the state, side by side. */
#include <pthread.h>
#include <string.h>

#include "docket/audit.h"
#include "docket/state.h"

/* The replay's half of the work, run on its own connection in its own thread. */
struct replay {
    struct db *db;
    struct diag d;
    int rc;
};

static void *
replay_main(void *arg)
{
    struct replay *r = arg;

    r->rc = state_check(r->db, &r->d);
    return NULL;
}

/* Returns the number of events in DB's snapshot, or -1 with D set. */
static long long
last_seq(struct db *db, struct diag *d)
{
    static const char sql[] = "SELECT max(seq) FROM event";
    sqlite3_stmt *st;
    long long n = -1;

    if (db_prep(db, sql, &st, d) == 0 && db_row(db, st, d) == 1)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

/* Opens a second read-only connection whose snapshot holds the same events as DB's. Returns it,
 * or NULL when none can be had (the caller then checks in turn). */
static struct db *
second_reader(struct db *db, const char *path)
{
    struct diag d = {0};
    long long want = last_seq(db, &d);

    for (int tries = 0; want >= 0 && tries < 3; tries++) {
        struct db *b = NULL;

        if (db_open(path, DB_READONLY, &b, &d) != 0 || db_exec(b, "BEGIN", &d) != 0) {
            db_close(b);
            return NULL;
        }
        if (last_seq(b, &d) == want)
            return b;
        /* A writer committed in between: this snapshot is newer than DB's. */
        db_close(b);
    }
    return NULL;
}

int
audit_run(struct db *db, const char *path, struct ev_check *chain, struct diag *state,
          struct diag *d)
{
    struct replay r = {0};
    pthread_t thread;
    int rc, threaded = 0;

    if (path != NULL && strcmp(path, ":memory:") != 0 && (r.db = second_reader(db, path)) &&
        pthread_create(&thread, NULL, replay_main, &r) == 0)
        threaded = 1;
    rc = ev_check_chain(db, chain, d);
    if (threaded)
        pthread_join(thread, NULL);
    else if (rc == 0)
        r.rc = state_check(db, &r.d);
    /* A second reader that could not be had costs only the parallelism. */
    db_close(r.db);
    if (rc != 0)
        return rc;
    if (r.rc != 0 && r.rc != DK_CHECK)
        return diag_set(d, r.rc, "%s", r.d.msg);
    *state = r.d;
    return 0;
}
