/* fuzz_store.h: what the fuzz targets that write to a store share: one empty in-memory store
 * for the whole run, and each input's work inside a write transaction that is always rolled
 * back, so that every input starts from the same empty store. */
#ifndef FUZZ_STORE_H
#define FUZZ_STORE_H

#include <stdlib.h>

#include "docket/db.h"

/* What a step returns so that its transaction is rolled back (db_tx undoes a non-zero step). */
enum { FUZZ_UNDO = 100 };

/* The run's store, opened at first use. */
static inline struct db *
fuzz_store(void)
{
    static struct db *db;
    struct diag d = {0};

    if (db == NULL) {
        if (db_open(":memory:", DB_CREATE, &db, &d) != 0)
            abort();
        db_set_actor(db, "fuzz", "fuzz");
    }
    return db;
}

/* Runs STEP(ARG), which must return FUZZ_UNDO, in a write transaction on the store, and rolls
 * it back. */
static inline void
fuzz_undone(int (*step)(void *arg), void *arg)
{
    struct diag d = {0};

    if (db_tx(fuzz_store(), 1, step, arg, &d) != FUZZ_UNDO)
        abort();
}

#endif
