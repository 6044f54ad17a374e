/* item_int.h: what item.c and item_revert.c share. Not part of the core's interface: only the
 * item files include it. */
#ifndef DOCKET_ITEM_INT_H
#define DOCKET_ITEM_INT_H

#include <sqlite3.h>

#include "docket/db.h"
#include "docket/state.h"

/* Column I of ST's current row as a new string (the caller frees it), or NULL. */
char *item_dup_col(sqlite3_stmt *st, int i);

/* SQL: the document of item :item (a uuid), as its creation names it. */
#define ITEM_DOC_OF_ITEM STATE_ITEM_DOC(":item")

/* Returns 1 when making PARENT the parent of KEY, both items of DOC, would close a loop, 0 when
 * not, -1 with D set when the store cannot tell. */
int item_closes_loop(struct db *db, const char *doc, const char *key, const char *parent,
                     struct diag *d);

#endif
