/* fuzz_etcd.c: libFuzzer target for what docket reads from etcd: a range reply of the shared
 * log, parsed and applied to a store as a pull applies it (sync_apply_reply), inside a
 * transaction that is rolled back after each input. Whatever the reply, a store that took it
 * must still verify: its own chain and the shared chain both check, and every event it took
 * is in the shared log. */
#include <stdint.h>
#include <stdlib.h>

#include "docket/db.h"
#include "docket/event.h"
#include "docket/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rolls back whatever one input did: db_tx undoes a step that returns non-zero. */
enum { UNDO = 100 };

struct input {
    struct db *db;
    const char *data;
    size_t size;
};

static long long
count(struct db *db, const char *sql)
{
    sqlite3_stmt *st;
    long long n = -1;

    if (sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
        abort();
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int
step(void *arg)
{
    struct input *in = arg;
    struct sync_counts n;
    struct ev_check own, shared;
    struct diag d = {0}, check = {0};

    if (sync_apply_reply(in->db, "docket", in->data, in->size, &n, &d) == 0) {
        if (ev_check_chain(in->db, &own, &check) != 0 || own.bad_seq != 0 ||
            ev_check_shared(in->db, &shared, &check) != 0 || shared.bad_seq != 0)
            abort();
        if (own.count != n.pulled || shared.count != n.pulled ||
            count(in->db, "SELECT count(*) FROM event") != n.pulled)
            abort();
    } else if (d.code == 0 || d.msg[0] == '\0') {
        abort(); /* a failure always says why */
    }
    return UNDO;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct db *db;
    struct input in = {.data = (const char *)data, .size = size};
    struct diag d = {0};

    if (db == NULL) {
        if (db_open(":memory:", DB_CREATE, &db, &d) != 0)
            abort();
        db_set_actor(db, "fuzz", "fuzz");
    }
    in.db = db;
    if (db_tx(db, 1, step, &in, &d) != UNDO)
        abort();
    return 0;
}
