/* support.h: what the unit tests share: a fresh in-memory store, and running a step inside the
 * one write transaction. */
#ifndef DOCKET_TEST_SUPPORT_H
#define DOCKET_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "docket/db.h"

/* Returns a new in-memory store with the migrations applied, and with the Resolution 1309
 * checklist loaded when CHECKLIST is set; the test fails when it cannot. */
struct db *support_store(int checklist);

/* Runs FN(DB, ARG, D) inside db_tx(write) and returns its code; D gets the message. */
int support_write(struct db *db, int (*fn)(struct db *db, void *arg, struct diag *d), void *arg,
                  struct diag *d);

/* A step for support_write: loads the Resolution 1309 checklist (ARG unused). */
int support_load_checklist(struct db *db, void *arg, struct diag *d);

/* Returns the integer that SQL (one row, one column, no parameters) yields. */
long long support_int(struct db *db, const char *sql);

/* Returns the text that SQL yields, copied into a static buffer (empty for NULL or no row). */
const char *support_text(struct db *db, const char *sql);

/* cmocka fixtures: a fresh store with the Resolution 1309 checklist in *STATE, and its close. */
int support_open(void **state);
int support_close(void **state);

/* Returns COLUMN of item KEY in whatever `items` names now (the maintained table, or the as-of
 * one that shadows it), in a static buffer: "(none)" without such an item, "(null)" for NULL. */
const char *support_item_col(struct db *db, const char *column, const char *key);

/* Records STATUS for item KEY effective EFF (a date as the command line takes it); returns the
 * event's sequence number; the test fails when it cannot. */
long long support_set_status(struct db *db, const char *key, const char *status, const char *eff);

#endif
