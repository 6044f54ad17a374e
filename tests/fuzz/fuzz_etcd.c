/* fuzz_etcd.c: libFuzzer target for what docket reads from etcd: a range reply of the shared
 * log, parsed and applied to a store as a pull applies it (sync_apply_reply), inside a
 * transaction that is rolled back after each input. Whatever the reply, a store that took it
 * must still verify: its own chain and the shared chain both check, and every event it took
 * is in the shared log. */
#include <stdint.h>
#include <stdlib.h>

#include "docket/event.h"
#include "docket/sync.h"
#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
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
    struct db *db = fuzz_store();
    struct sync_counts n;
    struct ev_check own, shared;
    struct diag d = {0}, check = {0};

    if (sync_apply_reply(db, "docket", in->data, in->size, &n, &d) == 0) {
        if (ev_check_chain(db, &own, &check) != 0 || own.bad_seq != 0 ||
            ev_check_shared(db, &shared, &check) != 0 || shared.bad_seq != 0)
            abort();
        /* Every position of the log applied is an event pulled, or an entry held in quarantine
         * (one that failed a check: a chain that does not hold, a signature). */
        if (own.count != n.pulled || shared.count != n.pulled + n.quarantine_count ||
            count(db, "SELECT count(*) FROM event") != n.pulled ||
            count(db, "SELECT count(*) FROM quarantine") != n.quarantine_count)
            abort();
    } else if (d.code == 0 || d.msg[0] == '\0') {
        abort(); /* a failure always says why */
    }
    return FUZZ_UNDO;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {.data = (const char *)data, .size = size};

    fuzz_undone(step, &in);
    return 0;
}
